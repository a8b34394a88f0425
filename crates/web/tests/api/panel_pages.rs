//! Panel pages found wanting by use (issue 12): Clientes paging both ways,
//! the deletion's counts and its named notice, error pages inside the
//! panel's chrome, and the booking page's Anular that asks first.

use axum::http::StatusCode;
use serde_json::json;

use crate::bookings::{booked, fixture};
use crate::helpers::TestApp;
use crate::panel::{csrf, html, submit};

/// The `href` of the element with this id.
fn href_of(page: &str, id: &str) -> Option<String> {
    let at = page.find(&format!(r#"id="{id}""#))?;
    let tag_start = page[..at].rfind('<')?;
    let tag = &page[tag_start..];
    let start = tag.find("href=\"")? + 6;
    Some(tag[start..].split('"').next()?.replace("&#38;", "&").replace("&amp;", "&"))
}

fn names_listed(page: &str) -> Vec<String> {
    page.split(r#"<tr class="row-link">"#)
        .skip(1)
        .filter_map(|row| row.split("\">").nth(1)?.split('<').next().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn clientes_pages_forwards_and_back_with_the_page_number_and_the_sort_applies_on_change() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    for i in 0..120 {
        app.create_client(&owner, json!({ "name": format!("Cliente {i:03}"), "email": format!("c{i}@correo.cl") }))
            .await;
    }
    let first = app.get("/clientes").cookie(&owner).send().await;
    let page1 = html(&first).to_owned();
    assert!(page1.contains("Página 1 de 3"), "{page1}");
    assert!(href_of(&page1, "pagina-anterior").is_none(), "no page before the first");
    assert!(page1.contains(r#"<select id="orden" name="orden" data-autosubmit>"#), "the sort applies on change");
    let names1 = names_listed(&page1);
    assert_eq!(names1.len(), 50);
    assert_eq!(names1[0], "Cliente 000");

    let next = href_of(&page1, "pagina-siguiente").expect("a next page");
    let second = app.get(&next).cookie(&owner).send().await;
    let page2 = html(&second).to_owned();
    assert!(page2.contains("Página 2 de 3"), "{page2}");
    assert_eq!(names_listed(&page2)[0], "Cliente 050");
    let last = app.get(&href_of(&page2, "pagina-siguiente").expect("third")).cookie(&owner).send().await;
    let page3 = html(&last).to_owned();
    assert!(page3.contains("Página 3 de 3") && href_of(&page3, "pagina-siguiente").is_none(), "{page3}");
    assert_eq!(names_listed(&page3).len(), 20);

    // Back from the third page: the second page again, same rows, same order.
    let back = app.get(&href_of(&page3, "pagina-anterior").expect("previous")).cookie(&owner).send().await;
    let again = html(&back).to_owned();
    assert_eq!(names_listed(&again), names_listed(&page2));
    assert!(again.contains("Página 2 de 3"));
    let back = app.get(&href_of(&again, "pagina-anterior").expect("previous")).cookie(&owner).send().await;
    assert_eq!(names_listed(html(&back)), names1);
    assert!(href_of(html(&back), "pagina-anterior").is_none(), "the first page has none before it");

    // Z–A pages back the same way.
    let desc = app.get("/clientes?orden=-name").cookie(&owner).send().await;
    let desc2 = app.get(&href_of(html(&desc), "pagina-siguiente").expect("next")).cookie(&owner).send().await;
    let desc_back = app.get(&href_of(html(&desc2), "pagina-anterior").expect("prev")).cookie(&owner).send().await;
    assert_eq!(names_listed(html(&desc_back)), names_listed(html(&desc)));
    assert_eq!(names_listed(html(&desc))[0], "Cliente 119");

    let forged = app.get("/clientes?antes=basura").cookie(&owner).send().await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    assert!(html(&forged).contains("El enlace de la página no es válido."));
    app.finish().await;
}

#[tokio::test]
async fn the_deletion_says_how_many_bookings_and_notes_go_and_then_names_who_was_deleted() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    booked(&app, &f, "2026-03-16T10:00").await;
    let second = booked(&app, &f, "2026-03-16T11:00").await;
    let booking = second["id"].as_str().expect("id");
    for text in ["Trae exámenes", "Control en un mes"] {
        let note = json!({ "text": text, "kind": "private" });
        let added = app.post(&format!("/api/v1/bookings/{booking}/notes")).cookie(&f.owner).json(note).send().await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    }
    let path = format!("/clientes/{}/eliminar", f.client);
    let confirm = app.get(&path).cookie(&f.owner).send().await;
    let page = html(&confirm);
    assert!(page.contains("sus 2 reservas"), "{page}");
    assert!(page.contains("sus 2 notas de atención"), "{page}");

    let done = submit(&app, &f.owner, &path, &csrf(&confirm), &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.header("location"), "/clientes?eliminado=1");
    let flash = done.header("set-cookie").split(';').next().expect("cookie").to_owned();
    let list = app.get("/clientes?eliminado=1").cookie(&format!("{}; {flash}", f.owner)).send().await;
    assert!(html(&list).contains("Se eliminó a Ana Pérez y toda su ficha."), "{}", html(&list));
    assert!(list.header("set-cookie").contains("Max-Age=0"), "said once");
    // A link alone cannot make the panel name anyone.
    let bare = app.get("/clientes?eliminado=1").cookie(&f.owner).send().await;
    assert!(html(&bare).contains("Se eliminó el cliente y toda su ficha."));
    app.finish().await;
}

#[tokio::test]
async fn a_dead_link_keeps_the_panels_header_menu_and_search_when_signed_in() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    for path in ["/no-existe", "/clientes/0190a1b2-0000-7000-8000-000000000000", "/reservas/basura"] {
        let page = app.get(path).cookie(&owner).send().await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        let body = html(&page);
        assert!(body.contains("No encontrado"), "{path}: {body}");
        assert!(body.contains(r#"<nav class="nav" aria-label="Secciones">"#), "{path}: the menu");
        assert!(body.contains(r#"id="buscar""#), "{path}: the search box");
        assert!(page.header("content-security-policy").contains("script-src 'self'"), "{path}");
    }
    let signed_out = app.get("/no-existe").send().await;
    assert_eq!(signed_out.status, StatusCode::NOT_FOUND);
    assert!(html(&signed_out).contains("No encontrado") && !html(&signed_out).contains("Secciones"));
    app.finish().await;
}

#[tokio::test]
async fn anular_asks_first_and_the_pages_notices_follow_in_place_updates() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let booking = booked(&app, &f, "2026-03-16T10:00").await;
    let page = app.get(&format!("/reservas/{}", booking["id"].as_str().expect("id"))).cookie(&f.owner).send().await;
    let body = html(&page);
    // The cancelling form sits inside a question that must be opened first.
    let question = body.find(r#"<details class="confirm" id="anular-pregunta">"#).expect("a question");
    let form = body.find("/anular\"").expect("the form");
    let closed = body[question..].find("</details>").expect("closed") + question;
    assert!(question < form && form < closed, "{body}");
    assert!(body[question..closed].contains("¿Anular la reserva del"), "{body}");
    // The notices live in one element the in-place updates replace.
    assert!(body.contains(r#"<div id="avisos" data-inplace-also>"#), "{body}");
    app.finish().await;
}
