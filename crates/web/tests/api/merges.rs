//! Merging two profiles through the API (issue 13): the preview, a merge
//! with its choices (every missing one named), the absorbed id's 307 to
//! the survivor, the alias refusing a new profile, the undo and its
//! refusals, owners only.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_backends};

on_both_backends!(a_merge_is_previewed_made_followed_and_undone, merges_refuse_what_they_cannot_do_and_change_nothing);

fn id(client: &Value) -> &str {
    client["id"].as_str().expect("id")
}

/// Ana twice: the survivor with a comuna, the absorbed one with another
/// phone, another comuna and a pet.
async fn two_anas(app: &TestApp, owner: &str) -> (Value, Value) {
    for key in ["comuna", "mascota"] {
        let field = json!({ "key": key, "label": format!("Campo {key}"), "kind": "text" });
        let created = app.post("/api/v1/custom-fields").cookie(owner).json(field).send().await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    let ana = app
        .create_client(owner, json!({ "name": "Ana Pérez", "email": "ana@mail.cl", "phone": "+56 9 6123 4567" }))
        .await;
    let anita =
        app.create_client(owner, json!({ "name": "Ana Perez", "email": "Anita@Otro.cl", "phone": "987654321" })).await;
    for (client, values) in
        [(&ana, json!({ "comuna": "Ñuñoa" })), (&anita, json!({ "comuna": "Maipú", "mascota": "Toby" }))]
    {
        let put = app
            .request(Method::PUT, &format!("/api/v1/clients/{}/custom-values", id(client)))
            .cookie(owner)
            .header("if-match", "\"1\"")
            .json(json!({ "values": values }))
            .send()
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    }
    (ana, anita)
}

async fn a_merge_is_previewed_made_followed_and_undone(app: &TestApp) {
    let owner = app.owner().await;
    let (ana, anita) = two_anas(app, &owner).await;
    let preview = app
        .get(&format!("/api/v1/clients/{}/merge-preview?absorbed_id={}", id(&ana), id(&anita)))
        .cookie(&owner)
        .send()
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.body["differing_fields"], json!(["name", "email", "phone"]));
    assert_eq!(preview.body["differing_custom"], json!(["comuna"]));
    assert_eq!(preview.body["absorbed"]["custom"], json!({ "comuna": "Maipú", "mascota": "Toby" }));
    assert_eq!(preview.body["refusal"], json!(null));
    assert!(preview.body["moves"]["history"].as_u64().is_some_and(|n| n >= 2), "{}", preview.body);

    let merge = |body: Value| app.post(&format!("/api/v1/clients/{}/merge", id(&ana))).cookie(&owner).json(body);
    // Every value that differs needs a choice, each named.
    let missing = merge(json!({ "absorbed_id": id(&anita), "keep": { "name": "survivor" } })).send().await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", missing.body);
    assert_eq!(
        missing.field_errors(),
        ["keep.email:choice_missing", "keep.phone:choice_missing", "keep_custom.comuna:choice_missing"]
    );
    assert_eq!(
        missing.body["errors"][0]["message"],
        "Los dos perfiles tienen «correo electrónico» distinto: elige cuál conservar («survivor» o «absorbed»)."
    );
    let wrong =
        merge(json!({ "absorbed_id": "x", "keep": { "nombre": "el otro", "email": 1 }, "extra": true })).send().await;
    assert_eq!(
        wrong.field_errors(),
        ["extra:unknown_field", "absorbed_id:not_an_id", "keep.email:not_allowed", "keep.nombre:not_allowed"]
    );

    let done = merge(json!({
        "absorbed_id": id(&anita),
        "keep": { "name": "survivor", "email": "survivor", "phone": "absorbed" },
        "keep_custom": { "comuna": "absorbed" }
    }))
    .send()
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["client"]["phone"], "+56987654321");
    assert_eq!(done.body["moved"], preview.body["moves"]);
    assert_eq!(done.body["merge"]["absorbed_email"], "Anita@Otro.cl");
    let merge_id = done.body["merge"]["id"].as_str().expect("merge id").to_owned();

    // The absorbed address leads to the survivor.
    let old = app.get(&format!("/api/v1/clients/{}", id(&anita))).cookie(&owner).send().await;
    assert_eq!(old.status, StatusCode::TEMPORARY_REDIRECT, "{}", old.body);
    assert_eq!(old.header("location"), format!("/api/v1/clients/{}", id(&ana)));
    assert_eq!((old.code(), &old.body["merged_into_client_id"]), ("client_merged", &ana["id"]));
    let survivor = app.get(&format!("/api/v1/clients/{}", id(&ana))).cookie(&owner).send().await;
    assert_eq!(survivor.body["custom"], json!({ "comuna": "Maipú", "mascota": "Toby" }));
    // Its email is the survivor's alias: no new profile takes it.
    let taken = app
        .post("/api/v1/clients")
        .cookie(&owner)
        .json(json!({ "name": "Otra", "email": "anita@otro.cl" }))
        .send()
        .await;
    assert_eq!((taken.status, taken.code()), (StatusCode::CONFLICT, "email_taken"));
    assert_eq!(taken.body["existing_client_id"], ana["id"]);
    let history = app.get(&format!("/api/v1/clients/{}/history", id(&ana))).cookie(&owner).send().await;
    let merged =
        history.body["items"].as_array().expect("items").iter().find(|e| e["change"] == "client_merged").cloned();
    let merged = merged.expect("a merge entry");
    assert_eq!((&merged["role"], &merged["other_client_id"]), (&json!("survivor"), &anita["id"]));
    assert_eq!(merged["new"], json!({ "name": "Ana Perez", "email": "Anita@Otro.cl" }));
    let listed = app.get(&format!("/api/v1/clients/{}/merges", id(&ana))).cookie(&owner).send().await;
    assert_eq!(listed.body["items"][0]["id"], json!(merge_id));
    let nobody = app.get("/api/v1/clients/00000000-0000-7000-8000-000000000000/merges").cookie(&owner).send().await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND, "an unknown or deleted client has no merges to list");

    // A professional may not undo; an owner may, once.
    let pro = app.professional().await;
    let undo = |cookie: &str| app.post(&format!("/api/v1/merges/{merge_id}/undo")).cookie(cookie).json(json!({}));
    let refused = undo(&pro).send().await;
    assert_eq!((refused.status, refused.code()), (StatusCode::FORBIDDEN, "owner_only"));
    let back = undo(&owner).send().await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!((&back.body["client"]["id"], &back.body["client"]["email"]), (&anita["id"], &json!("Anita@Otro.cl")));
    let read = app.get(&format!("/api/v1/clients/{}", id(&anita))).cookie(&owner).send().await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["custom"], json!({ "comuna": "Maipú", "mascota": "Toby" }));
    let again = undo(&owner).send().await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "merge_already_undone"));
    assert_eq!(again.body["title"], "La fusión ya se deshizo.");
}

async fn merges_refuse_what_they_cannot_do_and_change_nothing(app: &TestApp) {
    let owner = app.owner().await;
    let pro = app.professional().await;
    let (ana, anita) = two_anas(app, &owner).await;
    let body = json!({
        "absorbed_id": id(&anita),
        "keep": { "name": "survivor", "email": "survivor", "phone": "survivor" },
        "keep_custom": { "comuna": "survivor" }
    });
    let path = format!("/api/v1/clients/{}/merge", id(&ana));
    let by_pro = app.post(&path).cookie(&pro).json(body.clone()).send().await;
    assert_eq!((by_pro.status, by_pro.code()), (StatusCode::FORBIDDEN, "owner_only"));
    let preview = app
        .get(&format!("/api/v1/clients/{}/merge-preview?absorbed_id={}", id(&ana), id(&anita)))
        .cookie(&pro)
        .send()
        .await;
    assert_eq!(preview.status, StatusCode::FORBIDDEN);
    let no_query = app.get(&format!("/api/v1/clients/{}/merge-preview", id(&ana))).cookie(&owner).send().await;
    assert_eq!(
        (no_query.status, no_query.field_errors()),
        (StatusCode::BAD_REQUEST, vec!["absorbed_id:required".to_owned()])
    );

    let itself = app.post(&path).cookie(&owner).json(json!({ "absorbed_id": id(&ana) })).send().await;
    assert_eq!(itself.field_errors(), ["absorbed_id:same_client"]);
    let unknown_field = app
        .post(&path)
        .cookie(&owner)
        .json(json!({ "absorbed_id": id(&anita), "keep_custom": { "color": "absorbed" } }))
        .send()
        .await;
    assert_eq!(unknown_field.field_errors(), ["keep_custom.color:unknown_field"]);
    let stale = app
        .post(&path)
        .cookie(&owner)
        .json(json!({ "absorbed_id": id(&anita), "survivor_version": 1, "keep": body["keep"], "keep_custom": body["keep_custom"] }))
        .send()
        .await;
    assert_eq!((stale.status, stale.code()), (StatusCode::PRECONDITION_FAILED, "stale_version"));

    let blocked = app
        .post(&format!("/api/v1/clients/{}/block", id(&anita)))
        .cookie(&owner)
        .json(json!({ "reason": "A pedido" }))
        .send()
        .await;
    assert_eq!(blocked.status, StatusCode::OK);
    let frozen = app.post(&path).cookie(&owner).json(body.clone()).send().await;
    assert_eq!((frozen.status, frozen.code()), (StatusCode::CONFLICT, "client_blocked"));

    // Nothing changed: both profiles are there as they were.
    for (client, email) in [(&ana, "ana@mail.cl"), (&anita, "Anita@Otro.cl")] {
        let read = app.get(&format!("/api/v1/clients/{}", id(client))).cookie(&owner).send().await;
        assert_eq!((read.status, &read.body["email"]), (StatusCode::OK, &json!(email)));
    }
    let unknown = app
        .post("/api/v1/merges/0190a000-0000-7000-8000-000000000000/undo")
        .cookie(&owner)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
