//! Attention notes in the panel: written on the booking page (private or
//! shared), listed by kind on the profile with a link to their booking,
//! shown as text; a professional's forged delete of the owner's note is
//! refused and changes nothing.

use axum::http::StatusCode;

use crate::bookings::{booked, fixture};
use crate::helpers::TestApp;
use crate::panel::{csrf, html, submit};

#[tokio::test]
async fn notes_written_on_the_booking_page_show_on_the_profile_by_kind() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let booking = booked(&app, &f, "2026-03-16T10:00").await["id"].as_str().expect("id").to_owned();
    let page_path = format!("/reservas/{booking}");
    let page = app.get(&page_path).cookie(&f.owner).send().await;
    assert!(html(&page).contains("Esta reserva no tiene notas de atención."), "{}", html(&page));
    let token = csrf(&page);
    let notes_path = format!("{page_path}/notas");

    let private = [("texto", "Dolor lumbar <script>alert(1)</script>"), ("tipo", "privada")];
    let added = submit(&app, &f.owner, &notes_path, &token, &private).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", html(&added));
    let shared = [("texto", "Ejercicios: 3 series al día"), ("tipo", "compartida")];
    assert_eq!(submit(&app, &f.owner, &notes_path, &token, &shared).await.status, StatusCode::SEE_OTHER);
    let empty = submit(&app, &f.owner, &notes_path, &token, &[("texto", "   "), ("tipo", "privada")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html(&empty).contains("id=\"error-nota-atencion\""), "{}", html(&empty));

    let booking_page = html(&app.get(&page_path).cookie(&f.owner).send().await).to_owned();
    assert!(
        booking_page.contains("Dolor lumbar &#60;script&#62;") || booking_page.contains("Dolor lumbar &lt;script&gt;")
    );
    assert!(!booking_page.contains("<script>alert(1)"), "shown as text");

    let profile = app.get(&format!("/clientes/{}", f.client)).cookie(&f.owner).send().await;
    let body = html(&profile);
    let private_list = body.split("id=\"atencion-privadas\"").nth(1).expect("private group").split("</ul>").next();
    let shared_list = body.split("id=\"atencion-compartidas\"").nth(1).expect("shared group").split("</ul>").next();
    assert!(private_list.is_some_and(|l| l.contains("Dolor lumbar") && !l.contains("Ejercicios")), "{body}");
    assert!(shared_list.is_some_and(|l| l.contains("Ejercicios") && !l.contains("Dolor lumbar")), "{body}");
    assert!(body.contains(&format!("href=\"/reservas/{booking}\">Reserva 16-03-2026 10:00")), "{body}");
    app.finish().await;
}

#[tokio::test]
async fn a_professional_cannot_delete_the_owners_attention_note() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let booking = booked(&app, &f, "2026-03-16T10:00").await["id"].as_str().expect("id").to_owned();
    let page_path = format!("/reservas/{booking}");
    let owner_page = app.get(&page_path).cookie(&f.owner).send().await;
    let note = [("texto", "Solo para el equipo"), ("tipo", "privada")];
    submit(&app, &f.owner, &format!("{page_path}/notas"), &csrf(&owner_page), &note).await;
    let listed = app.get(&format!("/api/v1/bookings/{booking}/notes")).cookie(&f.owner).send().await;
    let note_id = listed.body["items"][0]["id"].as_str().expect("the note").to_owned();

    let pro_page = app.get(&page_path).cookie(&f.pro_cookie).send().await;
    assert!(!html(&pro_page).contains(&format!("notas/{note_id}/eliminar")), "no delete offered");
    let forged =
        submit(&app, &f.pro_cookie, &format!("{page_path}/notas/{note_id}/eliminar"), &csrf(&pro_page), &[]).await;

    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", html(&forged));
    let after = app.get(&format!("/api/v1/bookings/{booking}/notes")).cookie(&f.owner).send().await;
    assert_eq!(after.body["items"].as_array().map(Vec::len), Some(1), "nothing changed");
    let without_token = submit(&app, &f.owner, &format!("{page_path}/notas"), "forged", &note).await;
    assert_eq!(without_token.status, StatusCode::FORBIDDEN, "CSRF");
    app.finish().await;
}
