//! `/settings/merges` and what it opens: off, a professional's merge is
//! 403 problem+json; on, the same request merges (and names them); undo
//! stays the owners'; only owners change it, one business at a time.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_backends};

on_both_backends!(
    the_setting_is_read_by_staff_and_changed_by_owners_only,
    a_professional_merges_only_while_allowed_and_never_undoes
);

const SETTINGS: &str = "/api/v1/settings/merges";

async fn the_setting_is_read_by_staff_and_changed_by_owners_only(app: &TestApp) {
    let owner = app.owner().await;
    let pro = app.professional().await;
    let read = app.get(SETTINGS).cookie(&pro).send().await;
    assert_eq!((read.status, &read.body), (StatusCode::OK, &json!({ "professionals_may_merge": false })));

    let by_pro = app.put(SETTINGS).cookie(&pro).json(json!({ "professionals_may_merge": true })).send().await;
    assert_eq!((by_pro.status, by_pro.code()), (StatusCode::FORBIDDEN, "owner_only"));
    assert_eq!(by_pro.header("content-type"), "application/problem+json");
    assert_eq!(by_pro.body["title"], "Solo el dueño del negocio puede hacer esto.");

    for (bad, expected) in [
        (json!({}), "professionals_may_merge:required"),
        (json!({ "professionals_may_merge": "sí" }), "professionals_may_merge:not_boolean"),
        (json!({ "professionals_may_merge": true, "extra": 1 }), "extra:unknown_field"),
    ] {
        let refused = app.put(SETTINGS).cookie(&owner).json(bad).send().await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert_eq!(refused.header("content-type"), "application/problem+json");
        assert_eq!(refused.field_errors(), [expected]);
    }
    let not_json = app.put(SETTINGS).cookie(&owner).raw("application/json", "{").send().await;
    assert_eq!((not_json.status, not_json.code()), (StatusCode::BAD_REQUEST, "malformed_json"));
    assert_eq!(app.get(SETTINGS).cookie(&owner).send().await.body, json!({ "professionals_may_merge": false }));

    let saved = app.put(SETTINGS).cookie(&owner).json(json!({ "professionals_may_merge": true })).send().await;
    assert_eq!((saved.status, &saved.body), (StatusCode::OK, &json!({ "professionals_may_merge": true })));
    assert_eq!(app.get(SETTINGS).cookie(&pro).send().await.body, json!({ "professionals_may_merge": true }));

    // Another business keeps its own (off).
    app.add_business("otra").await;
    let other = app.login_as("otra", crate::helpers::OWNER_EMAIL).await;
    assert_eq!(app.get(SETTINGS).cookie(&other).send().await.body, json!({ "professionals_may_merge": false }));
    let anonymous = app.get(SETTINGS).send().await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

fn id(client: &Value) -> &str {
    client["id"].as_str().expect("id")
}

async fn a_professional_merges_only_while_allowed_and_never_undoes(app: &TestApp) {
    let owner = app.owner().await;
    let pro = app.professional().await;
    let ana =
        app.create_client(&owner, json!({ "name": "Ana Pérez", "email": "ana@mail.cl", "rut": "12345678-5" })).await;
    let twin = app
        .create_client(&owner, json!({ "name": "Ana Perez", "email": "anita@otro.cl", "rut": "12.345.678-5" }))
        .await;
    let body = json!({ "absorbed_id": id(&twin), "keep": { "name": "survivor", "email": "survivor" } });
    let merge =
        |cookie: &str| app.post(&format!("/api/v1/clients/{}/merge", id(&ana))).cookie(cookie).json(body.clone());
    let preview_path = format!("/api/v1/clients/{}/merge-preview?absorbed_id={}", id(&ana), id(&twin));
    let dismiss = json!({ "client_a": id(&ana), "client_b": id(&twin) });

    // Off: today's refusal, as problem+json, and nothing merged.
    let refused = merge(&pro).send().await;
    assert_eq!((refused.status, refused.code()), (StatusCode::FORBIDDEN, "owner_only"));
    assert_eq!(refused.header("content-type"), "application/problem+json");
    let preview = app.get(&preview_path).cookie(&pro).send().await;
    assert_eq!((preview.status, preview.code()), (StatusCode::FORBIDDEN, "owner_only"));
    let dismissed = app.post("/api/v1/clients/duplicates/dismiss").cookie(&pro).json(dismiss.clone()).send().await;
    assert_eq!((dismissed.status, dismissed.code()), (StatusCode::FORBIDDEN, "owner_only"));
    assert_eq!(app.get(&format!("/api/v1/clients/{}", id(&twin))).cookie(&owner).send().await.status, StatusCode::OK);

    // On: the same requests succeed.
    let on = app.put(SETTINGS).cookie(&owner).json(json!({ "professionals_may_merge": true })).send().await;
    assert_eq!(on.status, StatusCode::OK);
    let preview = app.get(&preview_path).cookie(&pro).send().await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.body["differing_fields"], json!(["name", "email"]));
    let done = merge(&pro).send().await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["client"]["id"], ana["id"]);
    let me = app.get("/api/v1/auth/me").cookie(&pro).send().await;
    assert_eq!(done.body["merge"]["merged_by"]["id"], me.body["staff_id"], "{}", done.body);
    let merge_id = done.body["merge"]["id"].as_str().expect("merge id").to_owned();
    let history = app.get(&format!("/api/v1/clients/{}/history", id(&ana))).cookie(&owner).send().await;
    let entry =
        history.body["items"].as_array().expect("items").iter().find(|e| e["change"] == "client_merged").cloned();
    assert_eq!(entry.expect("merge entry")["by"], done.body["merge"]["merged_by"], "the history names who merged");

    // Undo and the list that offers it stay the owners'.
    let undo = |cookie: &str| app.post(&format!("/api/v1/merges/{merge_id}/undo")).cookie(cookie).json(json!({}));
    let refused = undo(&pro).send().await;
    assert_eq!((refused.status, refused.code()), (StatusCode::FORBIDDEN, "owner_only"));
    let listed = app.get(&format!("/api/v1/clients/{}/merges", id(&ana))).cookie(&pro).send().await;
    assert_eq!(listed.status, StatusCode::FORBIDDEN);
    assert_eq!(undo(&owner).send().await.status, StatusCode::OK);

    // Now "No es duplicado" is theirs too.
    let dismissed = app.post("/api/v1/clients/duplicates/dismiss").cookie(&pro).json(dismiss).send().await;
    assert_eq!(dismissed.status, StatusCode::NO_CONTENT, "{}", dismissed.body);
}
