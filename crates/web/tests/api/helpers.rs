//! `TestApp`: the whole application on a fresh database, with a business, an
//! owner and a professional, and a small request builder.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use ficha_domain::{Actor, ClientName, Email, FixedClock, NewBusiness, NewStaff, Role, Slug};
use ficha_store::Store;
use ficha_store_postgres::PgStore;
use ficha_store_postgres::testing::TestDatabase;
use ficha_store_sqlite::SqliteStore;
use ficha_web::auth::password;
use ficha_web::{AppState, WebConfig, router};
use http_body_util::BodyExt;
use jiff::Timestamp;
use serde_json::{Value, json};
use tower::ServiceExt;

pub const OWNER_EMAIL: &str = "duena@clinica.cl";
pub const PRO_EMAIL: &str = "pro@clinica.cl";
pub const PASSWORD: &str = "contraseña segura 1";

pub struct TestApp {
    pub router: Router,
    pub store: Arc<dyn Store>,
    pub clock: Arc<FixedClock>,
    _dir: Option<tempfile::TempDir>,
    database: Option<TestDatabase>,
}

/// Which database a `TestApp` stands on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    /// The body as sent (for files: a CSV's BOM, an XLSX).
    pub bytes: Vec<u8>,
}

impl TestResponse {
    /// The problem's `code`, for error answers.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// The per-field error codes, as `field:code`.
    pub fn field_errors(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| format!("{}:{}", e["field"].as_str().unwrap_or(""), e["code"].as_str().unwrap_or("")))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// 2026-03-14 12:00 UTC.
pub fn start_time() -> Timestamp {
    Timestamp::from_second(1_773_489_600).expect("valid timestamp")
}

impl TestApp {
    /// The app on a fresh SQLite database.
    pub async fn spawn() -> Self {
        Self::spawn_on(Backend::Sqlite).await.expect("SQLite is always there")
    }

    /// The app on a fresh database of `backend`; `None` when PostgreSQL is
    /// not reachable and the run may skip it (never on CI).
    pub async fn spawn_on(backend: Backend) -> Option<Self> {
        let clock = Arc::new(FixedClock::at(start_time()));
        let (store, dir, database): (Arc<dyn Store>, _, _) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("ficha.db").display());
                let store = SqliteStore::connect(&url, clock.clone()).await.expect("store opens");
                (Arc::new(store), Some(dir), None)
            }
            Backend::Postgres => {
                let database = TestDatabase::create().await?;
                let store = PgStore::connect(database.url(), clock.clone()).await.expect("store connects");
                (Arc::new(store), None, Some(database))
            }
        };
        let state = AppState::new(store.clone(), clock.clone(), WebConfig::default());
        let app = Self { router: router(state), store, clock, _dir: dir, database };
        app.add_business("clinica").await;
        Some(app)
    }

    /// Closes the store and drops a PostgreSQL test database (left behind,
    /// to look at, when the test failed before getting here).
    pub async fn finish(self) {
        self.store.close().await;
        if let Some(database) = self.database {
            database.drop_database().await;
        }
    }

    /// A business with an owner and a professional, all with `PASSWORD`.
    pub async fn add_business(&self, slug: &str) -> Actor {
        let business = self
            .store
            .create_business(NewBusiness {
                slug: Slug::parse(slug).expect("valid slug"),
                name: format!("Clínica {slug}"),
                time_zone: "America/Santiago".into(),
            })
            .await
            .expect("business");
        let actor = Actor::System { business: business.id };
        let hash = password::hash(PASSWORD).expect("hash");
        for (email, role) in [(OWNER_EMAIL, Role::Owner), (PRO_EMAIL, Role::Professional)] {
            let staff = NewStaff {
                name: ClientName::parse("Persona de Prueba").expect("valid"),
                email: Email::parse(email).expect("valid"),
                role,
                password_hash: hash.clone(),
            };
            self.store.create_staff(&actor, staff).await.expect("staff");
        }
        actor
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder<'_> {
        RequestBuilder { app: self, builder: Request::builder().method(method).uri(path), body: Body::empty() }
    }

    pub fn get(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::PATCH, path)
    }

    pub fn put(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::PUT, path)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::DELETE, path)
    }

    /// Signs in and returns the `Cookie` header value to send.
    pub async fn login_as(&self, business: &str, email: &str) -> String {
        let response = self
            .post("/api/v1/auth/login")
            .json(json!({ "business": business, "email": email, "password": PASSWORD }))
            .send()
            .await;
        assert_eq!(response.status, StatusCode::OK, "login failed: {}", response.body);
        let cookie = response.header("set-cookie");
        cookie.split(';').next().expect("cookie pair").to_owned()
    }

    pub async fn owner(&self) -> String {
        self.login_as("clinica", OWNER_EMAIL).await
    }

    pub async fn professional(&self) -> String {
        self.login_as("clinica", PRO_EMAIL).await
    }

    /// Creates a client through the API and returns its JSON.
    pub async fn create_client(&self, cookie: &str, body: Value) -> Value {
        let response = self.post("/api/v1/clients").cookie(cookie).json(body).send().await;
        assert_eq!(response.status, StatusCode::CREATED, "create failed: {}", response.body);
        response.body
    }

    pub async fn client_count(&self, cookie: &str) -> u64 {
        let response = self.get("/api/v1/clients").cookie(cookie).send().await;
        response.body["total"].as_u64().expect("total")
    }
}

pub struct RequestBuilder<'a> {
    app: &'a TestApp,
    builder: axum::http::request::Builder,
    body: Body,
}

impl RequestBuilder<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    pub fn cookie(self, cookie: &str) -> Self {
        self.header("cookie", cookie)
    }

    /// As if the connection came from `address` (what `serve` records for
    /// each connection).
    pub fn sent_from(mut self, address: &str) -> Self {
        let peer: std::net::SocketAddr = format!("{address}:40000").parse().expect("an IPv4 address");
        self.builder = self.builder.extension(axum::extract::ConnectInfo(peer));
        self
    }

    pub fn json(self, body: Value) -> Self {
        self.raw("application/json", body.to_string())
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<String>) -> Self {
        self.builder = self.builder.header(header::CONTENT_TYPE, HeaderValue::from_str(content_type).expect("header"));
        self.body = Body::from(body.into());
        self
    }

    /// A body of bytes that need not be text (an XLSX, a Windows-1252 CSV).
    pub fn bytes(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.builder = self.builder.header(header::CONTENT_TYPE, HeaderValue::from_str(content_type).expect("header"));
        self.body = Body::from(body);
        self
    }

    pub async fn send(self) -> TestResponse {
        let request = self.builder.body(self.body).expect("request");
        let response = self.app.router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        TestResponse { status, headers, body, bytes: bytes.to_vec() }
    }
}

/// One test per case and backend; PostgreSQL cases skip (except on CI) when
/// no server answers.
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    let app = crate::helpers::TestApp::spawn().await;
                    super::$case(&app).await;
                    app.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    let Some(app) = crate::helpers::TestApp::spawn_on(crate::helpers::Backend::Postgres).await
                    else { return };
                    super::$case(&app).await;
                    app.finish().await;
                }
            )*
        }
    };
}
pub(crate) use on_both_backends;
