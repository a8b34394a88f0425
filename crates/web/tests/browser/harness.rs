//! A real headless Chromium, driven over WebDriver (chromedriver), against
//! the real application listening on a free port with a fresh SQLite file.
//!
//! Chromium and chromedriver are Debian's (`scripts/test` installs them).
//! Without them the tests skip with one line, except with `CI=true`, where
//! they fail.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use ficha_domain::{
    Actor, Agenda, ChoiceOptions, ClientName, Clp, DayHours, Email, FieldKey, FieldKind, FieldLabel, Minutes,
    NewBusiness, NewClient, NewCustomField, NewService, NewStaff, Phone, Role, Rut, ServiceName, Sessions, Slug,
    SystemClock, TimeRange,
};
use ficha_store::Store;
use ficha_store_sqlite::SqliteStore;
use ficha_web::auth::password;
use ficha_web::{App, WebConfig};
use tokio::sync::{Semaphore, SemaphorePermit, oneshot};

pub const OWNER_EMAIL: &str = "duena@clinica.cl";
pub const PRO_EMAIL: &str = "pro@clinica.cl";
pub const PASSWORD: &str = "contraseña segura 1";

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Two browsers at a time at most: the test machines have two cores.
static BROWSERS: Semaphore = Semaphore::const_new(2);

/// Whether the browser is there; `None` means skip this test.
fn browser_available(test: &str) -> bool {
    let present = std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true: Chromium and chromedriver are required (apt-get install -y chromium chromium-driver)"
        );
        eprintln!("skipping {test}: no Chromium/chromedriver (apt-get install -y chromium chromium-driver)");
    }
    present
}

/// The app, a chromedriver and a browser session, all this test's own.
pub struct Session {
    pub browser: Client,
    pub base: String,
    pub store: Arc<dyn Store>,
    pub business: Actor,
    name: &'static str,
    driver: Child,
    stop_app: Option<oneshot::Sender<()>>,
    _profile: tempfile::TempDir,
    _data: tempfile::TempDir,
    _permit: SemaphorePermit<'static>,
}

fn free_port() -> u16 {
    let listener = StdListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("address").port()
}

impl Session {
    /// `None` when the test should skip (no browser, outside CI).
    pub async fn start(name: &'static str) -> Option<Self> {
        if !browser_available(name) {
            return None;
        }
        let permit = BROWSERS.acquire().await.expect("semaphore open");

        let data = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", data.path().join("ficha.db").display());
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::connect(&url, Arc::new(SystemClock)).await.expect("store opens"));
        let business = seed_business(&*store).await;
        let address: SocketAddr = "127.0.0.1:0".parse().expect("address");
        let app = App::build(address, store.clone(), Arc::new(SystemClock), WebConfig::default()).await.expect("app");
        let base = format!("http://{}", app.local_addr().expect("bound"));
        let (stop_app, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.serve(async move { drop(stopped.await) }, Duration::from_secs(1)));

        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("profile dir");
        let browser = connect(port, &profile.path().display().to_string()).await;
        Some(Self {
            browser,
            base,
            store,
            business,
            name,
            driver,
            stop_app: Some(stop_app),
            _profile: profile,
            _data: data,
            _permit: permit,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn goto(&self, path: &str) {
        self.browser.goto(&self.url(path)).await.expect("page opens");
    }

    pub async fn find(&self, css: &str) -> Element {
        self.browser
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// The text of `css` once it contains `needle` (a page that is still
    /// being replaced may show the old one, or lose the element meanwhile).
    pub async fn text_containing(&self, css: &str, needle: &str) -> String {
        let mut last = String::new();
        for _ in 0..50 {
            if let Ok(text) = self.find(css).await.text().await {
                if text.contains(needle) {
                    return text;
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never contained {needle:?}; last: {last:?}")
    }

    pub async fn path(&self) -> String {
        self.browser.current_url().await.expect("url").path().to_owned()
    }

    /// Types into the input `css` after emptying it.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.expect("cleared");
        input.send_keys(text).await.expect("typed");
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("clicked");
    }

    /// Signs in through the login page.
    pub async fn sign_in(&self, email: &str) {
        self.goto("/entrar").await;
        self.fill("input[name=negocio]", "clinica").await;
        self.fill("input[name=correo]", email).await;
        self.fill("input[name=clave]", PASSWORD).await;
        self.click("button[type=submit]").await;
        self.find("#buscar").await;
        assert_eq!(self.path().await, "/clientes");
    }

    pub async fn client(
        &self,
        name: &str,
        email: &str,
        phone: Option<&str>,
        rut: Option<&str>,
    ) -> ficha_domain::Client {
        let new = NewClient {
            name: ClientName::parse(name).expect("valid"),
            email: Email::parse(email).expect("valid"),
            phone: phone.map(|p| Phone::parse(p).expect("valid")),
            rut: rut.map(|r| Rut::parse(r).expect("valid")),
            birth_date: None,
        };
        self.store.create_client(&self.business, new).await.expect("client")
    }

    /// Makes the professional bookable: open 08:00–20:00 every day, and
    /// performing a 30-minute "Consulta kinesiológica". Returns the service.
    pub async fn bookable(&self) -> ficha_domain::Service {
        let staff = self.store.list_staff(&self.business).await.expect("staff");
        let pro = staff.iter().find(|s| s.role == Role::Professional).expect("a professional").id;
        let day = || DayHours::new(vec![TimeRange::parse("08:00", "20:00").expect("range")]).expect("hours");
        let week = [day(), day(), day(), day(), day(), day(), day()];
        let agenda = Agenda::new(week, Default::default()).expect("agenda");
        self.store.set_agenda(&self.business, pro, agenda).await.expect("agenda set");
        let service = NewService {
            name: ServiceName::parse("Consulta kinesiológica").expect("valid"),
            duration: Minutes::new(30).expect("valid"),
            price: Clp::new(25_000).expect("valid"),
            sessions: Sessions::new(1).expect("valid"),
            professionals: [pro].into_iter().collect(),
        };
        self.store.create_service(&self.business, service).await.expect("service")
    }

    /// Fails when the page scrolls sideways, naming what sticks out (and
    /// saving a screenshot of it).
    pub async fn fits_the_width(&self, what: &str) {
        let overflow = self
            .browser
            .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth", vec![])
            .await
            .expect("script");
        if overflow.as_i64() != Some(0) {
            self.screenshot("overflow").await;
            let wide = self
                .browser
                .execute(
                    "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > \
                     document.documentElement.clientWidth).map(e => e.tagName + '.' + e.className + '#' + e.id).join(' ')",
                    vec![],
                )
                .await
                .expect("script");
            panic!("{what} scrolls sideways by {overflow}: {wide}");
        }
    }

    /// Saves a screenshot as `test-output/<test>-<step>.png`.
    pub async fn screenshot(&self, step: &str) {
        let png = self.browser.screenshot().await.expect("screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-output");
        std::fs::create_dir_all(&dir).expect("test-output folder");
        std::fs::write(dir.join(format!("{}-{step}.png", self.name)), png).expect("screenshot saved");
    }

    pub async fn finish(mut self) {
        let _ = self.browser.clone().close().await;
        if let Some(stop) = self.stop_app.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // A test that failed never closed its browser, and chromedriver's
        // end does not take Chromium with it: end the processes of this
        // test's own profile folder (and only those).
        kill_browsers_of(self._profile.path());
    }
}

fn kill_browsers_of(profile: &std::path::Path) {
    let marker = format!("--user-data-dir={}", profile.display());
    let Ok(entries) = std::fs::read_dir("/proc") else { return };
    for entry in entries.flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        if cmdline.split(|b| *b == 0).any(|arg| arg == marker.as_bytes()) {
            let _ = Command::new("kill").arg("-9").arg(entry.file_name()).status();
        }
    }
}

/// A WebDriver session with headless Chromium, once chromedriver listens.
async fn connect(port: u16, profile: &str) -> Client {
    let mut capabilities = Capabilities::new();
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
        "--lang=es-CL",
    ];
    let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    args.push(format!("--user-data-dir={profile}"));
    capabilities.insert("goog:chromeOptions".into(), serde_json::json!({ "binary": CHROMIUM, "args": args }));
    let webdriver = format!("http://127.0.0.1:{port}");
    let mut last_error = None;
    // chromedriver takes a moment to listen; its port answering is the signal.
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await
            {
                Ok(client) => return client,
                Err(error) => last_error = Some(error.to_string()),
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no WebDriver session: {last_error:?}");
}

/// The business "clinica" with an owner and a professional, and a "Comuna"
/// field.
async fn seed_business(store: &dyn Store) -> Actor {
    let business = store
        .create_business(NewBusiness {
            slug: Slug::parse("clinica").expect("valid"),
            name: "Clínica Alameda".into(),
            time_zone: "America/Santiago".into(),
        })
        .await
        .expect("business");
    let actor = Actor::System { business: business.id };
    let hash = password::hash(PASSWORD).expect("hash");
    for (name, email, role) in
        [("Carolina Fuentes", OWNER_EMAIL, Role::Owner), ("Andrés Ibáñez", PRO_EMAIL, Role::Professional)]
    {
        let staff = NewStaff {
            name: ClientName::parse(name).expect("valid"),
            email: Email::parse(email).expect("valid"),
            role,
            password_hash: hash.clone(),
        };
        store.create_staff(&actor, staff).await.expect("staff");
    }
    let comuna = NewCustomField {
        key: FieldKey::parse("comuna").expect("valid"),
        label: FieldLabel::parse("Comuna").expect("valid"),
        kind: FieldKind::SingleChoice,
        options: ChoiceOptions::parse(FieldKind::SingleChoice, &["Ñuñoa", "Providencia"]).expect("valid"),
        required: false,
        in_booking_form: false,
        visible_to_client: false,
        sensitive: false,
        identifying: false,
        position: None,
    };
    store.create_field(&actor, comuna).await.expect("field");
    actor
}
