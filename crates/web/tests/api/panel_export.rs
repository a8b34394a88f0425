//! Clientes → Exportar and the profile's "Descargar vCard" in the panel:
//! the export form only for owners (the list, or the search on screen),
//! its downloads, and the vCard link for any staff member.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::panel::html;

#[tokio::test]
async fn owners_export_the_list_or_the_search_and_professionals_see_no_export() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let pro = app.professional().await;
    app.create_client(&owner, json!({ "name": "Ana Núñez", "email": "ana@correo.cl" })).await;
    app.create_client(&owner, json!({ "name": "Bruno Díaz", "email": "bruno@correo.cl" })).await;

    let list = app.get("/clientes").cookie(&owner).send().await;
    let page = html(&list);
    assert!(page.contains("<form method=\"get\" action=\"/clientes/exportar\""), "{page}");
    assert!(page.contains("Exportar todos los clientes:"));
    assert!(page.contains("name=\"formato\" value=\"csv\" id=\"exportar-csv\">CSV</button>"));
    assert!(page.contains("name=\"formato\" value=\"xlsx\" id=\"exportar-xlsx\">Excel</button>"));
    assert!(page.contains("name=\"sensibles\" value=\"1\""));
    assert!(!page.contains("name=\"q\" value="), "the whole list carries no search");

    let search = app.get("/clientes?q=n%C3%BA%C3%B1ez").cookie(&owner).send().await;
    let page = html(&search);
    assert!(page.contains("Exportar estos resultados:"), "{page}");
    assert!(page.contains("<input type=\"hidden\" name=\"q\" value=\"núñez\">"), "{page}");

    for path in ["/clientes", "/clientes?q=ana"] {
        let theirs = app.get(path).cookie(&pro).send().await;
        assert_eq!(theirs.status, StatusCode::OK);
        assert!(!html(&theirs).contains("exportar"), "{path}: {}", html(&theirs));
    }

    // What the form sends: the whole list, the search, each as a download.
    let csv = app.get("/clientes/exportar?formato=csv").cookie(&owner).send().await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8; header=present");
    let text = std::str::from_utf8(&csv.bytes).expect("UTF-8");
    assert!(text.contains("\r\nAna Núñez;") && text.contains("\r\nBruno Díaz;"), "{text}");
    let found = app.get("/clientes/exportar?formato=csv&q=bruno&sensibles=1").cookie(&owner).send().await;
    let text = std::str::from_utf8(&found.bytes).expect("UTF-8");
    assert!(text.contains("Bruno Díaz") && !text.contains("Ana Núñez"), "{text}");
    let xlsx = app.get("/clientes/exportar?formato=xlsx").cookie(&owner).send().await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"), "a zip");

    let refused = app.get("/clientes/exportar?formato=csv").cookie(&pro).send().await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(html(&refused).contains("Solo"), "{}", html(&refused));
    let bad = app.get("/clientes/exportar?formato=pdf").cookie(&owner).send().await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(html(&bad).contains("Ese formato de exportación no existe."), "{}", html(&bad));
}

#[tokio::test]
async fn the_profile_offers_its_vcard_to_every_staff_member() {
    let app = TestApp::spawn().await;
    let owner = app.owner().await;
    let pro = app.professional().await;
    let ana =
        app.create_client(&owner, json!({ "name": "Ana Núñez", "email": "ana@correo.cl", "phone": "961234567" })).await;
    let id = ana["id"].as_str().expect("id");

    for cookie in [&owner, &pro] {
        let profile = app.get(&format!("/clientes/{id}")).cookie(cookie).send().await;
        let link = format!("<a id=\"descargar-vcard\" href=\"/clientes/{id}/vcard\" download>Descargar vCard</a>");
        assert!(html(&profile).contains(&link), "{}", html(&profile));
        let card = app.get(&format!("/clientes/{id}/vcard")).cookie(cookie).send().await;
        assert_eq!(card.status, StatusCode::OK);
        assert_eq!(card.header("content-type"), "text/vcard; charset=utf-8");
        assert_eq!(card.header("content-disposition"), "attachment; filename=\"ana-nunez.vcf\"");
        let text = std::str::from_utf8(&card.bytes).expect("UTF-8");
        assert!(text.contains("\r\nFN:Ana Núñez\r\n") && text.contains("\r\nTEL;VALUE=uri:tel:+56961234567\r\n"));
    }

    let block = app.post(&format!("/api/v1/clients/{id}/block")).cookie(&owner).json(json!({ "reason": "Pedido" }));
    assert_eq!(block.send().await.status, StatusCode::OK);
    let hidden = app.get(&format!("/clientes/{id}/vcard")).cookie(&pro).send().await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "a blocked profile is not there for a professional");
    assert_eq!(app.get(&format!("/clientes/{id}/vcard")).cookie(&owner).send().await.status, StatusCode::OK);
}
