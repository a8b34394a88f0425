//! The OpenAPI document describes exactly the routes the API serves.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use ficha_domain::{BookingId, BookingRule, BookingState, SiteRule};
use ficha_web::problem::ApiError;
use serde_json::Value;

use crate::helpers::TestApp;

/// The URL path a generated client calls for a documented path: the
/// document's one `servers` entry joined with the path, as OpenAPI says
/// (RFC 3986 joining would drop the server's path, so clients concatenate).
fn called_path(document: &Value, path: &str) -> String {
    let servers = document["servers"].as_array().expect("servers");
    assert_eq!(servers.len(), 1, "one server entry: the app that serves the document");
    let base = servers[0]["url"].as_str().expect("servers[0].url");
    format!("{}{path}", base.trim_end_matches('/'))
}

/// Every documented operation as (METHOD, the path a client calls).
fn documented(document: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                operations.insert((method.to_uppercase(), called_path(document, path)));
            }
        }
    }
    operations
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_exists() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/openapi.json").send().await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.body["openapi"].as_str().unwrap_or("").starts_with("3.1"));

    let served: BTreeSet<(String, String)> = ficha_web::api::routes()
        .iter()
        .map(|route| (route.method.to_string(), format!("/api/v1{}", route.path)))
        .collect();
    let documented = documented(&response.body);
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let phantom: Vec<_> = documented.difference(&served).collect();
    assert!(undocumented.is_empty(), "routes missing from openapi.json: {undocumented:?}");
    assert!(phantom.is_empty(), "openapi.json documents routes that do not exist: {phantom:?}");
}

/// A client generated from the document must reach the routes: the server
/// entry and the paths must not both carry `/api/v1` (that made every
/// generated call `/api/v1/api/v1/…`, a 404).
#[tokio::test]
async fn a_generated_client_calls_the_served_paths() {
    let app = TestApp::spawn().await;
    let document = app.get("/api/v1/openapi.json").send().await.body;
    for (path, _) in document["paths"].as_object().expect("paths") {
        let called = called_path(&document, path);
        assert!(called.starts_with("/api/v1/"), "{path} is called as {called}");
        assert!(!called.contains("/api/v1/api/v1"), "{path} is called as {called}");
    }
    // The document's own entry, fetched the way a client resolves it.
    let own = called_path(&document, "/api/v1/openapi.json");
    let response = app.get(&own).send().await;
    assert_eq!(response.status, StatusCode::OK, "GET {own}");
    assert_eq!(response.body["openapi"], document["openapi"]);
}

#[tokio::test]
async fn every_operation_names_its_responses_and_problem_codes_are_described() {
    let document: Value = serde_json::from_str(ficha_web::api::openapi_document()).expect("valid JSON");
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if method == "parameters" {
                continue;
            }
            assert!(operation["operationId"].is_string(), "{method} {path} needs an operationId");
            assert!(operation["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path}");
        }
    }
    assert!(document["components"]["schemas"]["Problem"].is_object());
}

/// Every booking rule, written so that a new one does not compile here
/// until it is listed (and so checked against the document below).
fn every_booking_rule() -> Vec<BookingRule> {
    use BookingRule::*;
    let all = vec![
        EndNotAfterStart,
        TooLong,
        InThePast,
        OutsideWorkingHours,
        OverrideNotAllowed,
        ServiceNotPerformed,
        Overlap { with: BookingId::generate() },
        StartRequired,
        ProfessionalRequired,
        ClientUnknown,
        ServiceUnknown,
        ProfessionalUnknown,
        Transition { from: BookingState::Pending, to: BookingState::Pending },
        NotScheduled,
        AttendanceBeforeStart,
        AttendanceOnCancelled,
        AttendanceMarked,
        PaidInFuture,
        AmountNotPositive,
        AmountTooLarge,
        PaidOutOfRange,
        OutOfRange,
    ];
    for rule in &all {
        match rule {
            EndNotAfterStart
            | TooLong
            | InThePast
            | OutsideWorkingHours
            | OverrideNotAllowed
            | ServiceNotPerformed
            | Overlap { .. }
            | StartRequired
            | ProfessionalRequired
            | ClientUnknown
            | ServiceUnknown
            | ProfessionalUnknown
            | Transition { .. }
            | NotScheduled
            | AttendanceBeforeStart
            | AttendanceOnCancelled
            | AttendanceMarked
            | PaidInFuture
            | AmountNotPositive
            | AmountTooLarge
            | PaidOutOfRange
            | OutOfRange => {}
        }
    }
    all
}

#[test]
fn every_problem_code_the_server_returns_is_in_the_documents_enum() {
    let document: Value = serde_json::from_str(ficha_web::api::openapi_document()).expect("valid JSON");
    let listed: BTreeSet<&str> = document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
        .as_array()
        .expect("an enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut codes: Vec<&str> = [
        ApiError::Validation(vec![]),
        ApiError::InvalidQuery(vec![]),
        ApiError::MalformedJson { line: 1, column: 1 },
        ApiError::NotAnObject,
        ApiError::UnsupportedMediaType,
        ApiError::PayloadTooLarge,
        ApiError::EmailTaken { existing: ficha_domain::ClientId::generate() },
        ApiError::FieldKeyTaken,
        ApiError::OptionsInUse { options: vec![] },
        ApiError::PreconditionRequired,
        ApiError::NotFound,
        ApiError::MethodNotAllowed,
        ApiError::Unauthenticated,
        ApiError::InvalidCredentials,
        ApiError::TooManyAttempts { wait_secs: 1 },
        ApiError::OwnerOnly,
        ApiError::TooManyRequests { wait_secs: 1 },
        ApiError::ServiceInUse,
        ApiError::NotNoteAuthor,
        ApiError::NotResendable,
        ApiError::ClientBlocked,
        ApiError::RequestStep(ficha_domain::StepRefused::NotAllowed),
        ApiError::RequestStep(ficha_domain::StepRefused::AlreadyExtended),
        ApiError::RequestStep(ficha_domain::StepRefused::Closed),
        ApiError::MergeRefused(ficha_store::MergeRefusal::OpenDataRequest {
            client: ficha_domain::ClientId::generate(),
        }),
        ApiError::MergeRefused(ficha_store::MergeRefusal::AlreadyUndone),
        ApiError::MergeRefused(ficha_store::MergeRefusal::UndoExpired),
        ApiError::MergeRefused(ficha_store::MergeRefusal::EmailReused { by: ficha_domain::ClientId::generate() }),
        ApiError::Merged { into: ficha_domain::ClientId::generate() },
        ApiError::ImportMediaType,
        ApiError::ImportRefused(ficha_store::imports::ImportRefused::NotRunning),
        ApiError::ImportRefused(ficha_store::imports::ImportRefused::Running),
        ApiError::ImportRefused(ficha_store::imports::ImportRefused::NotStarted),
        ApiError::ImportRefused(ficha_store::imports::ImportRefused::AlreadyUndone),
        ApiError::ImportRefused(ficha_store::imports::ImportRefused::ChangedSince { lines: vec![2] }),
        ApiError::Internal,
    ]
    .iter()
    .map(ApiError::code)
    .collect();
    codes.extend(every_booking_rule().iter().map(BookingRule::code));
    // A stale edit carries a whole client; its code is spelled here.
    codes.push("stale_version");
    use SiteRule::*;
    let site = [
        Closed,
        NotBookable,
        TooSoon,
        TooFar,
        SlotTaken,
        CancelDeadline,
        RescheduleDeadline,
        ConfirmDeadline,
        NoticeOutdated,
    ];
    for rule in site {
        match rule {
            Closed | NotBookable | TooSoon | TooFar | SlotTaken | CancelDeadline | RescheduleDeadline
            | ConfirmDeadline | NoticeOutdated => codes.push(rule.code()),
        }
    }
    let missing: Vec<&&str> = codes.iter().filter(|code| !listed.contains(**code)).collect();
    assert!(missing.is_empty(), "Problem.code lacks {missing:?}");
}

#[test]
fn every_operation_with_a_body_documents_the_400_of_a_body_that_is_not_an_object() {
    let document: Value = serde_json::from_str(ficha_web::api::openapi_document()).expect("valid JSON");
    let mut undocumented = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if operation.get("requestBody").is_some() && operation["responses"].get("400").is_none() {
                undocumented.push(format!("{method} {path}"));
            }
        }
    }
    assert!(undocumented.is_empty(), "no 400 (not_an_object) on {undocumented:?}");
}

/// The document says `integer`, and JSON Schema counts `30.0` and `1.5e4` as
/// integers: a client (or schemathesis) sending them is answered as for `30`
/// (it was refused `not_whole_number`). A fraction is still refused.
#[tokio::test]
async fn integers_written_with_a_zero_fraction_are_integers() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let created = app
        .post("/api/v1/services")
        .cookie(&owner)
        .json(serde_json::json!({ "name": "Masaje", "duration_minutes": 30.0, "price_clp": 1.5e4 }))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(
        (created.body["duration_minutes"].as_i64(), created.body["price_clp"].as_i64()),
        (Some(30), Some(15000))
    );

    let fraction = app
        .post("/api/v1/services")
        .cookie(&owner)
        .json(serde_json::json!({ "name": "Masaje", "duration_minutes": 30.5, "price_clp": 1000 }))
        .send()
        .await;
    assert_eq!(fraction.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fraction.field_errors(), ["duration_minutes:not_whole_number"]);
}

/// A note's text is refused when it is only spaces and line breaks (it is
/// trimmed, then required): the document's pattern says so too, or a client
/// generated from it sends what the server refuses (found by the API fuzz:
/// `{"text": "\r"}` on a booking note's PATCH).
#[tokio::test]
async fn note_text_patterns_refuse_what_the_server_refuses() {
    let app = TestApp::spawn().await;
    let document = app.get("/api/v1/openapi.json").send().await.body;
    for schema in ["NoteInput", "AttentionNoteInput", "AttentionNotePatch"] {
        let pattern = document["components"]["schemas"][schema]["properties"]["text"]["pattern"]
            .as_str()
            .unwrap_or_else(|| panic!("{schema}.text has a pattern"));
        let pattern = regex::Regex::new(pattern).expect("the pattern compiles");
        for refused in ["\r", " ", "\n\t \r\n", "\u{a0}", "a\u{1}b"] {
            assert!(!pattern.is_match(refused), "{schema}.text accepts {refused:?}");
        }
        for accepted in ["a", "Control de rutina.\nVolver en 2 semanas.", "\tsangría", "ñandú 🙂"] {
            assert!(pattern.is_match(accepted), "{schema}.text refuses {accepted:?}");
        }
    }
}
