use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{OWNER_EMAIL, PASSWORD, PRO_EMAIL, TestApp};

#[tokio::test]
async fn login_sets_a_protective_session_cookie() {
    let app = TestApp::spawn().await;
    let response = app
        .post("/api/v1/auth/login")
        .json(json!({ "business": "clinica", "email": "DUENA@clinica.cl ", "password": PASSWORD }))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let cookie = response.header("set-cookie");
    assert!(cookie.starts_with("ficha_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert_eq!(response.body["staff"]["role"], "owner");
    assert_eq!(response.body["business"]["slug"], "clinica");
}

#[tokio::test]
async fn a_wrong_password_unknown_email_or_unknown_business_get_the_same_answer() {
    let app = TestApp::spawn().await;
    for (business, email, password) in [
        ("clinica", OWNER_EMAIL, "otra contraseña"),
        ("clinica", "nadie@clinica.cl", PASSWORD),
        ("no-existe", OWNER_EMAIL, PASSWORD),
    ] {
        let response = app
            .post("/api/v1/auth/login")
            .json(json!({ "business": business, "email": email, "password": password }))
            .send()
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert_eq!(response.code(), "invalid_credentials");
        assert_eq!(response.body["detail"], "El negocio, el correo o la contraseña no son correctos.");
        assert!(response.header("set-cookie").is_empty());
    }
}

#[tokio::test]
async fn repeated_failed_logins_make_the_next_attempt_wait_even_with_the_right_password() {
    let app = TestApp::spawn().await;
    let attempt = |email: &'static str, password: &'static str| {
        app.post("/api/v1/auth/login").json(json!({ "business": "clinica", "email": email, "password": password }))
    };
    for _ in 0..3 {
        assert_eq!(attempt(OWNER_EMAIL, "no es").send().await.status, StatusCode::UNAUTHORIZED);
    }
    // Three failures in a row (as the README says): two seconds to wait, the
    // right password included, from the address that failed.
    let refused = attempt("Duena@Clinica.cl", PASSWORD).send().await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
    assert_eq!(refused.code(), "too_many_attempts");
    assert_eq!(refused.header("retry-after"), "2");
    assert_eq!(refused.body["detail"], "Demasiados intentos; espera 2 segundos antes de volver a intentarlo.");
    assert!(refused.header("set-cookie").is_empty());
    // Another account of the business is not held up.
    assert_eq!(attempt(PRO_EMAIL, PASSWORD).send().await.status, StatusCode::OK);

    app.clock.advance(jiff::SignedDuration::from_secs(2));
    assert_eq!(attempt(OWNER_EMAIL, PASSWORD).send().await.status, StatusCode::OK);
    // The success cleared the run: one new failure costs no wait.
    assert_eq!(attempt(OWNER_EMAIL, "no es").send().await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(attempt(OWNER_EMAIL, PASSWORD).send().await.status, StatusCode::OK);
}

#[tokio::test]
async fn login_without_fields_names_each_missing_one() {
    let app = TestApp::spawn().await;
    let response = app.post("/api/v1/auth/login").json(json!({ "email": OWNER_EMAIL })).send().await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.field_errors(), ["business:required", "password:required"]);
}

#[tokio::test]
async fn clients_need_a_session_or_token() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/clients").send().await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(response.code(), "authentication_required");
    assert_eq!(response.header("www-authenticate"), "Bearer realm=\"ficha\"");

    let forged = app.get("/api/v1/clients").cookie("ficha_session=made-up").send().await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    assert_eq!(app.get("/api/v1/auth/me").cookie(&cookie).send().await.status, StatusCode::OK);

    let logout = app.post("/api/v1/auth/logout").cookie(&cookie).send().await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert!(logout.header("set-cookie").contains("Max-Age=0"));
    assert_eq!(app.get("/api/v1/auth/me").cookie(&cookie).send().await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sessions_expire() {
    let app = TestApp::spawn().await;
    let cookie = app.owner().await;
    app.clock.advance(jiff::SignedDuration::from_hours(13));
    assert_eq!(app.get("/api/v1/clients").cookie(&cookie).send().await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn api_tokens_work_as_bearer_until_revoked() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let created = app.post("/api/v1/tokens").cookie(&owner).json(json!({ "name": "Agenda web" })).send().await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let token = created.body["token"].as_str().expect("secret shown once").to_owned();
    let bearer = format!("Bearer {token}");

    let listed = app.get("/api/v1/clients").header("authorization", &bearer).send().await;
    assert_eq!(listed.status, StatusCode::OK);
    let me = app.get("/api/v1/auth/me").header("authorization", &bearer).send().await;
    assert_eq!(me.body["via"], "api_token");

    let tokens = app.get("/api/v1/tokens").cookie(&owner).send().await;
    assert_eq!(tokens.body["items"][0]["name"], "Agenda web");
    assert!(tokens.body["items"][0].get("token").is_none(), "the secret is never listed");

    let id = created.body["id"].as_str().expect("id");
    let revoked = app.delete(&format!("/api/v1/tokens/{id}")).cookie(&owner).send().await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let after = app.get("/api/v1/clients").header("authorization", &bearer).send().await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn professionals_cannot_manage_tokens() {
    let app = TestApp::spawn().await;
    let professional = app.professional().await;
    let response = app.post("/api/v1/tokens").cookie(&professional).json(json!({ "name": "x" })).send().await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.code(), "owner_only");
    assert_eq!(app.get("/api/v1/tokens").cookie(&professional).send().await.status, StatusCode::FORBIDDEN);
}
