//! The OpenAPI document describes exactly the routes the API serves.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;

fn documented(document: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                operations.insert((method.to_uppercase(), path.clone()));
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
