//! The `ficha` binary as an operator runs it: first start with demo data,
//! sign in with the printed password, health checks, and a clean stop on
//! SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server {
    child: Child,
    address: String,
    banner: String,
    /// Where the server's standard error (its log) goes.
    log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ficha(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ficha"));
    command
        .env("FICHA_DATABASE_URL", format!("sqlite://{}/ficha.db", data_dir.display()))
        .env("FICHA_LOG", "info")
        .env_remove("FICHA_DEMO")
        .env_remove("FICHA_LISTEN");
    command
}

/// Starts `ficha serve` on a free port and waits for the line that says
/// where it listens.
fn start(data_dir: &std::path::Path, extra: &[&str]) -> Server {
    let started = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let log = data_dir.join(format!("stderr-{started}.log"));
    let log_file = std::fs::File::create(&log).expect("log file");
    let mut child = ficha(data_dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(log_file)
        .spawn()
        .expect("ficha starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut banner = String::new();
    let mut address = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout line");
        banner.push_str(&line);
        banner.push('\n');
        if let Some(rest) = line.strip_prefix("Ficha escuchando en http://") {
            address = rest.split_whitespace().next().map(str::to_owned);
            break;
        }
    }
    Server { child, address: address.expect("ficha printed its address"), banner, log }
}

/// A minimal HTTP/1.1 exchange; returns (status, body).
fn http(address: &str, method: &str, path: &str, body: Option<&str>, cookie: Option<&str>) -> (u16, String, String) {
    let mut stream = TcpStream::connect(address).expect("connects");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if let Some(cookie) = cookie {
        request.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or(""));
    stream.write_all(request.as_bytes()).expect("sends");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

/// Waits for the process to exit, at most `limit`.
fn wait_for_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let pid = child.id().to_string();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let _ = sender.send(child.wait());
        });
        let status = receiver.recv_timeout(limit).ok().and_then(Result::ok);
        if status.is_none() {
            // Unblocks the waiting thread so the scope can end.
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
        status
    })
}

fn password_of(banner: &str, email: &str) -> String {
    let line = banner.lines().find(|l| l.contains(email)).expect("login line");
    let after = line.split("contraseña: ").nth(1).expect("password");
    after.split_whitespace().next().expect("password").to_owned()
}

#[test]
fn first_start_with_demo_data_prints_a_working_login_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = start(dir.path(), &["--demo"]);
    assert!(server.banner.contains("negocio: demo"), "{}", server.banner);

    assert_eq!(http(&server.address, "GET", "/healthz", None, None).0, 200);
    assert_eq!(http(&server.address, "GET", "/readyz", None, None).0, 200);
    // The panel link the banner prints opens the login form, business filled in.
    assert!(server.banner.contains("/entrar?negocio=demo"), "{}", server.banner);
    let (status, _, body) = http(&server.address, "GET", "/entrar?negocio=demo", None, None);
    assert_eq!(status, 200);
    assert!(body.contains(r#"name="negocio" value="demo""#), "{body}");

    let password = password_of(&server.banner, "carolina@demo.ficha.cl");
    let login = format!(r#"{{"business":"demo","email":"carolina@demo.ficha.cl","password":"{password}"}}"#);
    let (status, head, _) = http(&server.address, "POST", "/api/v1/auth/login", Some(&login), None);
    assert_eq!(status, 200, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned();

    let (status, _, body) = http(&server.address, "GET", "/api/v1/clients?limit=5", None, Some(&cookie));
    assert_eq!(status, 200);
    let page: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(page["total"], 240, "the demo business is filled");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(5));

    // The second client registered has general notes by the demo staff.
    let (_, _, body) = http(&server.address, "GET", "/api/v1/clients?limit=2&sort=registered_at", None, Some(&cookie));
    let page: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let notes = format!("{}/notes", page["items"][1]["href"].as_str().expect("href"));
    let (status, _, body) = http(&server.address, "GET", &notes, None, Some(&cookie));
    assert_eq!(status, 200, "{body}");
    let notes: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let author = notes["items"][0]["author"]["name"].as_str().unwrap_or("");
    assert!(["Carolina Fuentes", "Dr. Andrés Ibáñez"].contains(&author), "{notes}");

    // Some past bookings carry attention notes by their professional.
    let (_, _, body) = http(&server.address, "GET", "/api/v1/clients?limit=100", None, Some(&cookie));
    let page: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let hrefs: Vec<&str> = page["items"].as_array().expect("items").iter().filter_map(|c| c["href"].as_str()).collect();
    let with_notes = hrefs.iter().find_map(|href| {
        let (_, _, body) = http(&server.address, "GET", &format!("{href}/attention-notes"), None, Some(&cookie));
        let notes: serde_json::Value = serde_json::from_str(&body).ok()?;
        (!notes["private"].as_array()?.is_empty()).then_some(notes)
    });
    let notes = with_notes.expect("a client among the first 100 has attention notes");
    assert!(notes["private"][0]["booking"]["service_name"].is_string(), "{notes}");

    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs").success());
    let status = wait_for_exit(&mut server.child, Duration::from_secs(20));
    assert!(status.is_some_and(|s| s.success()), "ficha did not exit cleanly after SIGTERM: {status:?}");

    // A second start finds the business and prints no new passwords, but
    // still the panel's link with the business filled in.
    let again = start(dir.path(), &["--demo"]);
    assert!(!again.banner.contains("contraseña"), "{}", again.banner);
    assert!(again.banner.contains("/entrar?negocio=demo"), "{}", again.banner);
    // Its log goes to a file here, not a terminal: plain text, no colour codes.
    let log = std::fs::read_to_string(&again.log).expect("log");
    assert!(log.contains("listening"), "{log}");
    assert!(!log.contains('\u{1b}'), "ANSI escape codes in a log that is not a terminal: {log:?}");
}

#[test]
fn first_start_without_demo_creates_an_empty_business_and_its_owner() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start(dir.path(), &[]);
    assert!(server.banner.contains("negocio: mi-negocio"), "{}", server.banner);
    let password = password_of(&server.banner, "dueno@mi-negocio.cl");
    let login = format!(r#"{{"business":"mi-negocio","email":"dueno@mi-negocio.cl","password":"{password}"}}"#);
    assert_eq!(http(&server.address, "POST", "/api/v1/auth/login", Some(&login), None).0, 200);
}

#[test]
fn staff_and_tokens_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str], password: Option<&str>| {
        let mut command = ficha(dir.path());
        if let Some(password) = password {
            command.env("FICHA_PASSWORD", password);
        } else {
            command.env_remove("FICHA_PASSWORD");
        }
        let output = command.args(args).output().expect("runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr),
        )
    };
    let (ok, out) =
        run(&["business", "create", "--slug", "sur", "--name", "Clínica Sur", "--owner-email", "paz@sur.cl"], None);
    assert!(ok, "{out}");
    let (ok, out) = run(
        &["staff", "add", "--business", "sur", "--email", "leo@sur.cl", "--name", "Leo Díaz"],
        Some("una clave larga"),
    );
    assert!(ok, "{out}");
    assert!(!out.contains("una clave larga"), "a given password is not echoed");
    let (ok, out) = run(&["staff", "list", "--business", "sur"], None);
    assert!(ok && out.contains("leo@sur.cl\tprofessional") && out.contains("paz@sur.cl\towner"), "{out}");
    let (ok, out) = run(&["staff", "set-password", "--business", "sur", "--email", "leo@sur.cl"], Some("corta"));
    assert!(!ok && out.contains("at least 10 characters"), "{out}");
    let (ok, out) = run(&["token", "create", "--business", "sur", "--name", "Zapier"], None);
    assert!(ok && out.contains("ficha_"), "{out}");
    let (ok, out) = run(&["staff", "list", "--business", "norte"], None);
    assert!(!ok && out.contains("no business with slug \"norte\""), "{out}");
}

#[test]
fn an_unknown_database_scheme_fails_loudly() {
    let output = Command::new(env!("CARGO_BIN_EXE_ficha"))
        .args(["migrate", "--database-url", "mysql://localhost/ficha"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown database URL"));
}
