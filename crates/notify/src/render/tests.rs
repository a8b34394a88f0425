//! What each kind says, that the HTML escapes what people typed, and that
//! times read on Santiago's wall clock across its clock changes.

use ficha_domain::NoticeKind;

use super::*;
use crate::fixtures::{account, at, facts, message};

fn links() -> Links {
    Links::new("http://127.0.0.1:8080/")
}

#[test]
fn booking_created_says_where_when_what_and_with_whom() {
    let rendered = render(&message(NoticeKind::BookingCreated, facts()), &links());
    assert_eq!(rendered.subject, "Tu reserva en Clínica Alameda quedó agendada");
    assert_eq!(
        rendered.text,
        "Hola Ana Pérez:\n\n\
         Tu reserva en Clínica Alameda quedó agendada.\n\n\
         Servicio: Kinesiología\nProfesional: Juan Soto\nFecha y hora: 10-12-2026 10:00\nValor: $25.000\n\n\
         Mi cuenta: http://127.0.0.1:8080/reservar/alameda/mi-cuenta\n\
         Reservar otra hora: http://127.0.0.1:8080/reservar/alameda\n\n\
         Clínica Alameda\n"
    );
    assert!(rendered.html.contains("<title>Tu reserva en Clínica Alameda quedó agendada</title>"));
    assert!(rendered.html.contains("10-12-2026 10:00"));
    assert!(rendered.html.contains(r#"href="http://127.0.0.1:8080/reservar/alameda/mi-cuenta""#));
}

#[test]
fn a_pending_booking_awaits_confirmation() {
    let mut pending = facts();
    pending.booking.as_mut().expect("booking").state = "pending".into();
    let rendered = render(&message(NoticeKind::BookingCreated, pending), &links());
    assert_eq!(rendered.subject, "Tu reserva en Clínica Alameda espera confirmación");
    assert!(rendered.text.contains("Queda pendiente hasta que Clínica Alameda la confirme"), "{}", rendered.text);
}

#[test]
fn a_manage_link_is_offered_while_the_booking_lives() {
    let mut managed = facts();
    managed.link = Some("/reservar/alameda/reserva/abc?firma=x&y=1".into());
    let created = render(&message(NoticeKind::BookingCreated, managed.clone()), &links());
    assert!(
        created
            .text
            .contains("Ver o cambiar tu reserva: http://127.0.0.1:8080/reservar/alameda/reserva/abc?firma=x&y=1")
    );
    assert!(created.html.contains(r#"href="http://127.0.0.1:8080/reservar/alameda/reserva/abc?firma=x&#38;y=1""#));
    let cancelled = render(&message(NoticeKind::BookingCancelled, managed), &links());
    assert!(!cancelled.text.contains("Ver o cambiar"), "{}", cancelled.text);
}

#[test]
fn confirmed_and_cancelled() {
    let confirmed = render(&message(NoticeKind::BookingConfirmed, facts()), &links());
    assert_eq!(confirmed.subject, "Clínica Alameda confirmó tu reserva");
    assert!(confirmed.text.contains("Fecha y hora: 10-12-2026 10:00"));
    let cancelled = render(&message(NoticeKind::BookingCancelled, facts()), &links());
    assert_eq!(cancelled.subject, "Tu reserva en Clínica Alameda fue cancelada");
    assert!(cancelled.text.contains("Tu reserva en Clínica Alameda fue cancelada."));
}

#[test]
fn rescheduled_tells_the_old_and_the_new_time() {
    let mut moved = facts();
    moved.booking.as_mut().expect("booking").previous_start = Some(at("2026-12-09T20:30:00Z"));
    let rendered = render(&message(NoticeKind::BookingRescheduled, moved), &links());
    assert_eq!(rendered.subject, "Tu reserva en Clínica Alameda cambió de hora");
    assert!(
        rendered.text.contains("Tu reserva en Clínica Alameda cambió del 09-12-2026 17:30 al 10-12-2026 10:00."),
        "{}",
        rendered.text
    );
    assert!(rendered.text.contains("Fecha y hora: 10-12-2026 10:00\nAntes: 09-12-2026 17:30"), "{}", rendered.text);
}

#[test]
fn a_pack_session_getting_its_date() {
    let mut session = facts();
    let booking = session.booking.as_mut().expect("booking");
    booking.pack = Some((2, 5));
    let rendered = render(&message(NoticeKind::BookingRescheduled, session), &links());
    assert_eq!(rendered.subject, "Tu sesión en Clínica Alameda quedó agendada");
    assert!(
        rendered
            .text
            .contains("Tu sesión 2 de 5 de Kinesiología en Clínica Alameda quedó agendada para el 10-12-2026 10:00.")
    );
    assert!(rendered.text.contains("Servicio: Kinesiología (sesión 2 de 5)"));
    assert!(!rendered.text.contains("Antes:"));
}

#[test]
fn an_unscheduled_pack_session_is_por_agendar() {
    let mut session = facts();
    let booking = session.booking.as_mut().expect("booking");
    booking.pack = Some((3, 5));
    booking.start = None;
    booking.end = None;
    let rendered = render(&message(NoticeKind::BookingCreated, session), &links());
    assert_eq!(rendered.subject, "Tu reserva en Clínica Alameda quedó registrada");
    assert!(rendered.text.contains("Fecha y hora: por agendar"));
    assert!(!rendered.text.contains("Valor:"), "a pack session's price is the pack's");
}

#[test]
fn reminder_and_still_pending() {
    let mut pending = facts();
    pending.booking.as_mut().expect("booking").state = "pending".into();
    let rendered = render(&message(NoticeKind::Reminder, pending), &links());
    assert_eq!(rendered.subject, "Recordatorio: tu reserva en Clínica Alameda el 10-12-2026 10:00");
    assert!(rendered.text.contains("Tu reserva aún espera la confirmación de Clínica Alameda."));
}

#[test]
fn shared_note_includes_the_note_with_its_lines() {
    let mut noted = facts();
    noted.note = Some("Traer la orden médica.\nVenir 10 minutos antes.".into());
    let rendered = render(&message(NoticeKind::SharedNote, noted), &links());
    assert_eq!(rendered.subject, "Clínica Alameda te dejó una nota sobre tu reserva");
    assert!(rendered.text.contains("> Traer la orden médica.\n> Venir 10 minutos antes."), "{}", rendered.text);
    assert!(rendered.html.contains("Traer la orden médica.\nVenir 10 minutos antes."), "{}", rendered.html);
}

#[test]
fn html_escapes_a_script_in_the_client_name_and_the_note() {
    let mut hostile = facts();
    hostile.client_name = "<script>alert('nombre')</script>".into();
    hostile.note = Some("<script>alert(\"nota\")</script> & <b>negrita</b>".into());
    hostile.business_name = "Clínica <i>Alameda</i>".into();
    let rendered = render(&message(NoticeKind::SharedNote, hostile), &links());
    assert!(!rendered.html.contains("<script"), "{}", rendered.html);
    assert!(!rendered.html.contains("<b>") && !rendered.html.contains("<i>"), "{}", rendered.html);
    assert!(
        rendered.html.contains("Hola &#60;script&#62;alert(&#39;nombre&#39;)&#60;/script&#62;:"),
        "{}",
        rendered.html
    );
    assert!(
        rendered
            .html
            .contains("&#60;script&#62;alert(&#34;nota&#34;)&#60;/script&#62; &#38; &#60;b&#62;negrita&#60;/b&#62;"),
        "{}",
        rendered.html
    );
    // The plain text is not HTML: it keeps what was typed.
    assert!(rendered.text.starts_with("Hola <script>alert('nombre')</script>:"));
}

#[test]
fn times_are_on_santiagos_wall_clock_across_its_clock_changes() {
    let on = |start: &str| {
        let mut f = facts();
        f.booking.as_mut().expect("booking").start = Some(at(start));
        render(&message(NoticeKind::Reminder, f), &links()).subject
    };
    // Before and after the spring-forward at 24:00 on 05-09-2026 (UTC−4 → UTC−3).
    assert_eq!(on("2026-09-05T14:00:00Z"), "Recordatorio: tu reserva en Clínica Alameda el 05-09-2026 10:00");
    assert_eq!(on("2026-09-06T13:00:00Z"), "Recordatorio: tu reserva en Clínica Alameda el 06-09-2026 10:00");
    // Before and after the fall-back at 24:00 on 04-04-2026 (UTC−3 → UTC−4).
    assert_eq!(on("2026-04-04T13:00:00Z"), "Recordatorio: tu reserva en Clínica Alameda el 04-04-2026 10:00");
    assert_eq!(on("2026-04-05T14:00:00Z"), "Recordatorio: tu reserva en Clínica Alameda el 05-04-2026 10:00");
}

#[test]
fn sign_in_link_carries_the_link_and_the_code() {
    let rendered =
        render(&account(NoticeKind::SignInLink, "/reservar/alameda/entrar/tok123", Some("482913")), &links());
    assert_eq!(rendered.subject, "Tu enlace para entrar a Clínica Alameda");
    assert!(
        rendered.text.contains("Entrar: http://127.0.0.1:8080/reservar/alameda/entrar/tok123"),
        "{}",
        rendered.text
    );
    assert!(rendered.text.contains("Código: 482913"));
    assert!(rendered.html.contains("482913"));
}

#[test]
fn password_reset_and_email_change() {
    let reset = render(&account(NoticeKind::PasswordReset, "reservar/alameda/clave/t1", None), &links());
    assert_eq!(reset.subject, "Cambia tu contraseña en Clínica Alameda");
    assert!(reset.text.contains("Elegir una nueva contraseña: http://127.0.0.1:8080/reservar/alameda/clave/t1"));
    assert!(!reset.text.contains("Código"));
    let change = render(&account(NoticeKind::EmailChange, "/reservar/alameda/correo/t2", None), &links());
    assert_eq!(change.subject, "Confirma tu nuevo correo en Clínica Alameda");
    assert!(change.text.contains("Confirmar mi correo: http://127.0.0.1:8080/reservar/alameda/correo/t2"));
}

#[test]
fn every_kind_renders_with_the_business_name() {
    for kind in NoticeKind::ALL {
        let mut f = facts();
        f.link = Some("/x".into());
        let rendered = render(&message(kind, f), &links());
        assert!(rendered.subject.contains("Clínica Alameda"), "{kind:?}: {}", rendered.subject);
        assert!(rendered.text.ends_with("Clínica Alameda\n"), "{kind:?}");
        assert!(rendered.html.starts_with("<!DOCTYPE html>"), "{kind:?}");
    }
}

#[test]
fn template_parameters_per_kind() {
    let created = template_parameters(&message(NoticeKind::BookingCreated, facts()));
    assert_eq!(created, ["Ana Pérez", "Clínica Alameda", "10-12-2026 10:00", "Kinesiología", "Juan Soto"]);
    let mut moved = facts();
    moved.booking.as_mut().expect("booking").previous_start = Some(at("2026-12-09T20:30:00Z"));
    assert_eq!(template_parameters(&message(NoticeKind::BookingRescheduled, moved))[5], "09-12-2026 17:30");
    let mut first_date = facts();
    first_date.booking.as_mut().expect("booking").professional = None;
    let params = template_parameters(&message(NoticeKind::BookingRescheduled, first_date));
    assert_eq!(params[4..], ["por asignar", "sin fecha"]);
    let mut noted = facts();
    noted.note = Some("Traer la orden.\n\n\tVenir     antes.".into());
    assert_eq!(template_parameters(&message(NoticeKind::SharedNote, noted))[5], "Traer la orden. Venir antes.");
    let mut nameless = facts();
    nameless.client_name = "  ".into();
    assert_eq!(template_parameters(&message(NoticeKind::Reminder, nameless))[0], "-");
}

#[test]
fn a_long_note_is_cut_for_whatsapp() {
    let mut noted = facts();
    noted.note = Some("á".repeat(2000));
    let note = &template_parameters(&message(NoticeKind::SharedNote, noted))[5];
    assert_eq!(note.chars().count(), 700);
    assert!(note.ends_with('…'));
}

#[test]
fn data_request_emails_tell_the_due_date_and_the_answer() {
    let about = |status: &str, response: Option<&str>| {
        let mut f = facts();
        f.data_request = Some(ficha_domain::DataRequestFacts {
            right: "erasure".into(),
            due_on: jiff::civil::date(2026, 12, 31),
            status: status.into(),
            response: response.map(str::to_owned),
        });
        f
    };
    let received = render(&message(NoticeKind::DataRequestReceived, about("received", None)), &links());
    assert_eq!(received.subject, "Clínica Alameda recibió tu solicitud sobre tus datos");
    assert!(received.text.contains("solicitud de supresión de tus datos"), "{}", received.text);
    assert!(received.text.contains("a más tardar el 31-12-2026"), "{}", received.text);
    let refused = about("refused", Some("Las boletas se guardan 6 años <SII>."));
    let refused = render(&message(NoticeKind::DataRequestAnswered, refused), &links());
    assert!(refused.text.contains("no puede acogerla"), "{}", refused.text);
    assert!(refused.text.contains("Las boletas se guardan 6 años <SII>."), "{}", refused.text);
    assert!(refused.html.contains("&#60;SII&#62;"), "the answer is escaped");
    let code = render(&account(NoticeKind::PrivacyCode, "/reservar/alameda/privacidad", Some("123456")), &links());
    assert!(code.text.contains("Código: 123456"), "{}", code.text);
}
