//! Sessions live in the shared database (hashed secrets), never in an
//! instance: whichever instance a request reaches reads the same session,
//! and ending sessions on one ends them on all.

use super::super::site_race::encoded;
use super::search::Searched;
use super::*;

const FORM: &str = "application/x-www-form-urlencoded";

/// Signs in through the API on `address`; the `ficha_session` cookie.
fn sign_in(address: &str, email: &str, password: &str) -> String {
    let login = format!(r#"{{"business":"{SLUG}","email":"{email}","password":"{password}"}}"#);
    let (status, head, body) =
        http_with(address, "POST", "/api/v1/auth/login", Some(("application/json", &login)), &[]);
    assert_eq!(status, 200, "{email} signs in on {address}: {body}");
    set_cookie(&head, "ficha_session").expect("a session cookie")
}

/// `GET /api/v1/auth/me` on `address` with `cookie`: its status and body.
fn me(address: &str, cookie: &str) -> (u16, serde_json::Value) {
    let (status, _, body) = http_with(address, "GET", "/api/v1/auth/me", None, &[("Cookie", cookie)]);
    (status, if status == 200 { json(&body) } else { serde_json::Value::Null })
}

/// Whether `cookie` is a live session of `staff_id` on every instance
/// (`Some(true)`), on none (`Some(false)`), or on some only (`None`).
fn live_everywhere(cluster: &Cluster, cookie: &str, staff_id: &str) -> Option<bool> {
    let live: Vec<bool> = cluster
        .all()
        .map(|(instance, address)| match me(address, cookie) {
            (200, me) => {
                assert_eq!(me["staff_id"].as_str(), Some(staff_id), "the same staff member on {instance}: {me}");
                true
            }
            (401, _) => false,
            (status, _) => panic!("auth/me on {instance} answered {status}"),
        })
        .collect();
    if live.iter().all(|l| *l) {
        Some(true)
    } else if live.iter().all(|l| !l) {
        Some(false)
    } else {
        None
    }
}

/// The CSRF token of the first form on a page.
fn csrf(page: &str) -> String {
    let start = page.find("name=\"csrf\" value=\"").expect("a form with a token") + 19;
    page[start..].split('"').next().expect("a token").to_owned()
}

/// The owner signs in on one instance and is signed in on all, in the API
/// and the panel; an API token made on another works on all. The token.
pub(crate) fn staff_sessions_and_tokens_work_on_every_instance(cluster: &Cluster, setup: &Setup) -> String {
    let cookie = sign_in(cluster.at(0), OWNER, PASSWORD);
    assert_eq!(live_everywhere(cluster, &cookie, &setup.owner_id), Some(true), "a session made on a");
    for (instance, address) in cluster.all() {
        let (status, _, page) = http_with(address, "GET", "/clientes", None, &[("Cookie", &cookie)]);
        assert_eq!(status, 200, "the panel on {instance} with a session made on a: {page}");
        assert!(page.contains("Paz Varas"), "signed in as the owner on {instance}");
    }

    let body = r#"{"name":"Integración de prueba"}"#;
    let (status, _, body) =
        http_with(cluster.at(1), "POST", "/api/v1/tokens", Some(("application/json", body)), &[("Cookie", &cookie)]);
    assert_eq!(status, 201, "{body}");
    let token = json(&body)["token"].as_str().expect("the token, shown once").to_owned();
    for (instance, address) in cluster.all() {
        let (status, _, body) = api(address, "GET", "/api/v1/auth/me", None, &token);
        assert_eq!(status, 200, "a token made on b works on {instance}: {body}");
        assert_eq!(json(&body)["via"], "api_token");
    }
    token
}

/// A client asks for a Mi cuenta code on one instance, types it on
/// another, and is signed in on the third.
pub(crate) fn a_client_signs_in_across_instances(cluster: &Cluster, sink: &SmtpSink, client: &Searched) {
    let base = format!("/reservar/{SLUG}/mi-cuenta");
    let form = format!("correo={}", encoded(&client.email));
    let (status, _, page) = http_with(cluster.at(0), "POST", &format!("{base}/entrar"), Some((FORM, &form)), &[]);
    assert_eq!(status, 200, "{page}");
    let start = page.find("name=\"intento\" value=\"").expect("the code form") + 22;
    let intento = page[start..].split('"').next().expect("the sign-in's id").to_owned();

    if let Err(got) = sink.wait_for_recipient(&client.email, 1, PATIENCE) {
        panic!("the sign-in email never arrived ({got}); logs:\n{}", cluster.logs());
    }
    let received = sink.received_by(&client.email);
    let email = MessageParser::default().parse(&received[0].raw).expect("a MIME message");
    let text = email.body_text(0).expect("a text body").into_owned();
    let code = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("Código: "))
        .unwrap_or_else(|| panic!("a code in the email: {text}"))
        .trim()
        .to_owned();

    let form = format!("intento={intento}&correo={}&codigo={code}", encoded(&client.email));
    let (status, head, body) = http_with(cluster.at(1), "POST", &format!("{base}/codigo"), Some((FORM, &form)), &[]);
    assert_eq!(status, 303, "the code typed on b: {body}");
    let cookie = set_cookie(&head, "ficha_cliente").expect("a client session cookie");

    let (status, _, page) = http_with(cluster.at(2), "GET", &base, None, &[("Cookie", &cookie)]);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&client.name), "Mi cuenta on c shows the client signed in on b: {page}");
    let (_, _, page) = http_with(cluster.at(2), "GET", &base, None, &[]);
    assert!(!page.contains(&client.name), "without the cookie, the sign-in form: {page}");
}

/// A professional signed in on two instances (laptop, phone) clicks
/// "Cerrar sesión en todos los dispositivos" on the third: both sessions
/// end on every instance; the owner's does not.
pub(crate) fn signing_out_everywhere_on_one_ends_sessions_on_all(cluster: &Cluster, setup: &Setup) {
    let laptop = sign_in(cluster.at(0), PROFESSIONAL, PASSWORD);
    let phone = sign_in(cluster.at(1), PROFESSIONAL, PASSWORD);
    let owner = sign_in(cluster.at(2), OWNER, PASSWORD);
    for cookie in [&laptop, &phone] {
        assert_eq!(live_everywhere(cluster, cookie, &setup.leo_id), Some(true));
    }

    let (status, _, page) = http_with(cluster.at(2), "GET", "/cuenta", None, &[("Cookie", &laptop)]);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Cerrar sesión en todos los dispositivos"), "{page}");
    let form = format!("csrf={}", encoded(&csrf(&page)));
    let (status, head, body) =
        http_with(cluster.at(2), "POST", "/salir/todos", Some((FORM, &form)), &[("Cookie", &laptop)]);
    assert_eq!(status, 303, "{body}");
    assert_eq!(header(&head, "location").as_deref(), Some("/entrar?aviso=salida-todos"));

    for (device, cookie) in [("laptop", &laptop), ("phone", &phone)] {
        assert_eq!(live_everywhere(cluster, cookie, &setup.leo_id), Some(false), "the {device}'s session ended");
    }
    assert_eq!(live_everywhere(cluster, &owner, &setup.owner_id), Some(true), "only the professional's ended");
}

/// `ficha staff set-password` for the owner, signed in on two instances:
/// both sessions end on every instance; the old password no longer works,
/// the new one does, anywhere.
pub(crate) fn a_password_reset_ends_sessions_on_all(cluster: &Cluster, setup: &Setup, database_url: &str) {
    let sessions = [sign_in(cluster.at(0), OWNER, PASSWORD), sign_in(cluster.at(1), OWNER, PASSWORD)];
    for cookie in &sessions {
        assert_eq!(live_everywhere(cluster, cookie, &setup.owner_id), Some(true));
    }

    let new_password = "otra clave de prueba";
    let logs = tempfile::tempdir().expect("temp dir");
    let args = ["staff", "set-password", "--business", SLUG, "--email", OWNER, "--password", new_password];
    let mut command = Ficha::start(database_url, &args, logs.path().join("set-password.log"));
    let status = command.child.wait().expect("set-password ends");
    assert!(status.success(), "set-password: {status:?}\n{}", command.log_text());

    for cookie in &sessions {
        assert_eq!(live_everywhere(cluster, cookie, &setup.owner_id), Some(false), "the reset ended the session");
    }
    let login = format!(r#"{{"business":"{SLUG}","email":"{OWNER}","password":"{PASSWORD}"}}"#);
    let (status, _, _) =
        http_with(cluster.at(2), "POST", "/api/v1/auth/login", Some(("application/json", &login)), &[]);
    assert_eq!(status, 401, "the old password no longer works");
    let renewed = sign_in(cluster.at(2), OWNER, new_password);
    assert_eq!(live_everywhere(cluster, &renewed, &setup.owner_id), Some(true), "the new one does, everywhere");
}
