//! Signing in cannot be blocked from elsewhere, and signing out reaches
//! every device: the login throttle per account and per address, and
//! "Cerrar sesión en todos los dispositivos".

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{OWNER_EMAIL, PASSWORD, PRO_EMAIL, TestApp};
use crate::panel::{FORM, csrf, encode, html};

const ATTACKER: &str = "203.0.113.66";
const CLINIC: &str = "198.51.100.7";

#[tokio::test]
async fn someone_failing_elsewhere_cannot_keep_the_owner_out() {
    let app = TestApp::spawn().await;
    let login = |password: &str, address: &str| {
        app.post("/api/v1/auth/login")
            .sent_from(address)
            .json(json!({ "business": "clinica", "email": OWNER_EMAIL, "password": password }))
    };
    for _ in 0..3 {
        assert_eq!(login("adivino", ATTACKER).send().await.status, StatusCode::UNAUTHORIZED);
    }
    // The guesser waits, even with the right password...
    let held = login(PASSWORD, ATTACKER).send().await;
    assert_eq!((held.status, held.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
    // ...while the owner at the clinic, whose address has not been failing, gets in.
    let owner = login(PASSWORD, CLINIC).send().await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);

    // The guesser keeps going: the owner still gets in after each run.
    for _ in 0..3 {
        login("adivino", ATTACKER).send().await;
    }
    assert_eq!(login(PASSWORD, CLINIC).send().await.status, StatusCode::OK);

    // A wrong password from the clinic counts, and then the clinic waits too.
    for _ in 0..3 {
        login("adivino", ATTACKER).send().await;
    }
    assert_eq!(login("typo", CLINIC).send().await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login(PASSWORD, CLINIC).send().await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn one_address_gets_a_limited_number_of_failures_whatever_the_accounts() {
    let app = TestApp::spawn().await;
    let login = |email: String, password: &str| {
        app.post("/api/v1/auth/login")
            .sent_from(ATTACKER)
            .json(json!({ "business": "clinica", "email": email, "password": password }))
    };
    // Spread over many accounts, so no single account's delay applies.
    for n in 0..20 {
        let response = login(format!("persona{n}@clinica.cl"), "adivino").send().await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "failure {n}");
    }
    let held = login(PRO_EMAIL.to_owned(), PASSWORD).send().await;
    assert_eq!((held.status, held.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
    let wait: i64 = held.header("retry-after").parse().expect("seconds");
    assert!((1..=15 * 60).contains(&wait), "until the window ends: {wait}");
    // Other addresses are not held up.
    let elsewhere = app
        .post("/api/v1/auth/login")
        .sent_from(CLINIC)
        .json(json!({ "business": "clinica", "email": PRO_EMAIL, "password": PASSWORD }))
        .send()
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK);
    // The window ends: the address may try again.
    app.clock.advance(jiff::SignedDuration::from_mins(15));
    assert_eq!(login(PRO_EMAIL.to_owned(), PASSWORD).send().await.status, StatusCode::OK);
}

#[tokio::test]
async fn any_staff_member_signs_out_on_every_device() {
    let app = TestApp::spawn().await;
    let laptop = app.professional().await;
    let phone = app.professional().await;
    let owner = app.owner().await;

    let account = app.get("/cuenta").cookie(&laptop).send().await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(html(&account).contains("Cerrar sesión en todos los dispositivos"));
    assert!(html(&account).contains(PRO_EMAIL));
    let clients = app.get("/clientes").cookie(&laptop).send().await;
    assert!(html(&clients).contains("href=\"/cuenta\""), "every page links to the account");

    let forged = app.post("/salir/todos").cookie(&laptop).raw(FORM, "csrf=otro").send().await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let done = app.post("/salir/todos").cookie(&laptop).raw(FORM, encode(&[("csrf", &csrf(&account))])).send().await;
    assert_eq!((done.status, done.header("location")), (StatusCode::SEE_OTHER, "/entrar?aviso=salida-todos"));
    let login = app.get("/entrar?aviso=salida-todos").send().await;
    assert!(html(&login).contains("Cerraste tu sesión en todos los dispositivos."));

    for cookie in [&laptop, &phone] {
        assert_eq!(app.get("/api/v1/auth/me").cookie(cookie).send().await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.get("/api/v1/auth/me").cookie(&owner).send().await.status, StatusCode::OK, "only their own");
}
