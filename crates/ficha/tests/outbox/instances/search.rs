//! A client made on one instance and renamed on another is found under the
//! new name by the third's API search in the very next request, and no
//! longer under the old one: the search index is written in the edit's own
//! transaction, in the shared database, with nothing cached per instance.

use super::*;

/// The client the search check makes; Mi cuenta signs in as them later.
pub(crate) struct Searched {
    pub(crate) name: String,
    pub(crate) email: String,
}

/// The ids `GET /api/v1/clients?q=` answers on `address`.
fn found(address: &str, token: &str, query: &str) -> Vec<String> {
    let (status, _, body) = api(address, "GET", &format!("/api/v1/clients?q={query}"), None, token);
    assert_eq!(status, 200, "{body}");
    let items = json(&body)["items"].as_array().cloned().unwrap_or_default();
    items.iter().filter_map(|item| item["id"].as_str().map(str::to_owned)).collect()
}

pub(crate) fn an_edit_on_one_is_found_on_the_others_at_once(cluster: &Cluster, token: &str) -> Searched {
    let email = "rocio.prueba@correo.cl";
    let body = format!(r#"{{"name":"Rocío Pérez Olmedo","email":"{email}"}}"#);
    let (status, head, body) = api(cluster.at(0), "POST", "/api/v1/clients", Some(&body), token);
    assert_eq!(status, 201, "{body}");
    let id = json(&body)["id"].as_str().expect("client id").to_owned();
    let etag = header(&head, "etag").expect("an ETag");
    assert_eq!(found(cluster.at(2), token, "olmedo"), [id.as_str()], "a new client is found on another instance");

    let name = "Rocío Pérez Zapallar";
    let bearer = format!("Bearer {token}");
    let headers = [("Authorization", bearer.as_str()), ("If-Match", etag.as_str())];
    let patch = format!(r#"{{"name":"{name}"}}"#);
    let (status, _, body) = http_with(
        cluster.at(1),
        "PATCH",
        &format!("/api/v1/clients/{id}"),
        Some(("application/json", &patch)),
        &headers,
    );
    assert_eq!(status, 200, "{body}");
    for (instance, address) in cluster.all() {
        assert_eq!(found(address, token, "zapallar"), [id.as_str()], "the new name on instance {instance}");
        assert!(found(address, token, "olmedo").is_empty(), "the old name still found on instance {instance}");
    }
    Searched { name: name.to_owned(), email: email.to_owned() }
}
