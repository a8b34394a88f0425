//! Agendar finding time, in a real browser at desktop and phone sizes:
//! from a profile, Agendar → the service (its only professional comes
//! chosen) → "Primer horario disponible" skips three days off and a fully
//! booked day → a slot, read back in the summary (and "Fuera de horario"
//! shows its hour only when ticked) → the booking page, whose breadcrumb
//! leads back to the profile.

use std::collections::BTreeSet;

use ficha_domain::{Agenda, BookingState, DayHours, Origin, Role, TimeRange};
use ficha_store::NewBooking;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::harness::{OWNER_EMAIL, Session};

fn days_after(day: Date, n: i64) -> Date {
    day.checked_add(jiff::Span::new().days(n)).expect("a date")
}

/// The professional off today and the next two days, and the third day
/// fully booked for `client`: the first free day is the fourth.
async fn busy_days_ahead(s: &Session, client: &ficha_domain::Client, service: &ficha_domain::Service) -> Date {
    let zone = TimeZone::get("America/Santiago").expect("zone");
    let today = jiff::Timestamp::now().to_zoned(zone.clone()).date();
    let staff = s.store.list_staff(&s.business).await.expect("staff");
    let pro = staff.iter().find(|m| m.role == Role::Professional).expect("a professional").id;
    let day = || DayHours::new(vec![TimeRange::parse("08:00", "20:00").expect("range")]).expect("hours");
    let off: BTreeSet<Date> = (0..3).map(|n| days_after(today, n)).collect();
    let agenda = Agenda::new([day(), day(), day(), day(), day(), day(), day()], off).expect("agenda");
    s.store.set_agenda(&s.business, pro, agenda).await.expect("agenda set");
    let full = days_after(today, 3);
    for half_hour in 0..24 {
        let at = full.at(8, 0, 0, 0).checked_add(jiff::Span::new().minutes(30 * half_hour)).expect("time");
        let start = at.to_zoned(zone.clone()).expect("in zone").timestamp();
        let new = NewBooking {
            client: client.id,
            service: service.id,
            professional: Some(pro),
            start: Some(start),
            end: None,
            state: BookingState::Confirmed,
            origin: Origin::Panel,
            override_agenda: false,
        };
        s.store.book(&s.business, new).await.expect("booked");
    }
    days_after(today, 4)
}

async fn displayed(s: &Session, css: &str) -> bool {
    s.find(css).await.is_displayed().await.expect("displayed?")
}

async fn first_free_day_then_book(name: &'static str, width: u32, height: u32) {
    let Some(s) = Session::start(name).await else { return };
    let ana = s.client("Ana María Núñez", "ana@correo.cl", Some("9 6123 4567"), None).await;
    let service = s.bookable().await;
    let first_free = busy_days_ahead(&s, &ana, &service).await;
    let day = first_free.strftime("%d-%m-%Y").to_string();
    s.sign_in(OWNER_EMAIL).await;
    s.browser.set_window_size(width, height).await.expect("window size");

    s.goto(&format!("/clientes/{}", ana.id)).await;
    s.click("#agendar").await;
    assert_eq!(s.text("nav a[aria-current='page']").await, "Clientes", "Agendar is under Clientes");
    // The service reloads the page; its only professional comes chosen,
    // and today (a day off) has nothing.
    s.find("#servicio").await.select_by_value(&service.id.to_string()).await.expect("service chosen");
    assert_eq!(s.text("#profesional-preelegido").await, "Es quien realiza este servicio.");
    s.find("#sin-horarios").await;
    s.screenshot("today-off").await;
    s.fits_the_width("Agendar, today").await;

    // The native picker beside the typed field: a day picked there is
    // shown (tomorrow, also off).
    assert!(displayed(&s, "#fecha-calendario").await, "the script shows the picker");
    let tomorrow = days_after(first_free, -3);
    let pick = "var p = document.getElementById('fecha-calendario'); p.value = arguments[0]; \
                p.dispatchEvent(new Event('change'));";
    s.browser.execute(pick, vec![serde_json::json!(tomorrow.to_string())]).await.expect("picked");
    let tomorrow = tomorrow.strftime("%d-%m-%Y").to_string();
    s.text_containing("#horarios", &tomorrow).await;
    assert!(s.text("#fecha-elegida").await.ends_with(&tomorrow));

    s.click("#primer-horario").await;
    s.text_containing("#horarios", &day).await;
    // It opens at the free slots, not at the steps above them.
    let top = s.browser.execute("return document.getElementById('horarios').getBoundingClientRect().top", vec![]);
    let top = top.await.expect("script").as_f64().expect("a number");
    assert!((-1.0..60.0).contains(&top), "the slots' heading is at the top: {top}");
    s.screenshot("week-strip").await;
    assert!(s.text("#fecha-elegida").await.ends_with(&day));
    let chosen = s.text("#semana a[aria-current='date']").await;
    assert!(chosen.contains(&first_free.strftime("%d-%m").to_string()), "{chosen}");

    // The hour field shows only with "Fuera de horario".
    assert!(!displayed(&s, "#hora").await, "hidden until ticked");
    s.click("#fuera_de_horario").await;
    assert!(displayed(&s, "#hora").await, "shown when ticked");
    s.fill("#hora", "21:00").await;
    assert_eq!(s.text("#resumen-hora").await, "21:00 (fuera de horario)");

    // Picking a slot unticks it; the summary reads the slot back.
    s.click("#horarios-libres label:first-child").await;
    assert!(!displayed(&s, "#hora").await, "a slot picked: no hour to type");
    assert_eq!(s.text("#resumen-hora").await, "08:00");
    assert_eq!(s.text("#resumen-servicio").await, "Consulta kinesiológica");
    assert_eq!(s.text("#resumen-profesional").await, "Andrés Ibáñez");
    assert!(s.text("#resumen-fecha").await.ends_with(&day));
    assert_eq!(s.text("#resumen-precio").await, "$25.000");
    s.fits_the_width("Agendar, first free day").await;
    s.screenshot("first-free-day").await;
    s.browser.execute("document.getElementById('resumen-reserva').scrollIntoView()", vec![]).await.expect("scrolled");
    s.screenshot("summary").await;

    s.click("#confirmar-agenda").await;
    assert_eq!(s.text("#aviso").await, "Reserva agendada.");
    assert!(s.text("#reserva-cuando").await.starts_with(&format!("{day} 08:00")));
    assert_eq!(s.text("#migas").await, "Clientes / Ana María Núñez / Reserva");
    assert_eq!(s.text("nav a[aria-current='page']").await, "Clientes");
    s.screenshot("booked").await;
    s.click("#migas a:nth-of-type(2)").await;
    s.find("#datos-generales").await;
    assert_eq!(s.path().await, format!("/clientes/{}", ana.id));
    s.finish().await;
}

#[tokio::test]
async fn agendar_jumps_to_the_first_free_day_and_books_it_on_a_desktop() {
    first_free_day_then_book("agendar_desktop", 1366, 900).await;
}

#[tokio::test]
async fn agendar_jumps_to_the_first_free_day_and_books_it_on_a_phone() {
    first_free_day_then_book("agendar_phone", 375, 812).await;
}

/// The calendar's empty slot opens Agendar with the professional, the day
/// and the hour; choosing the service keeps them. An hour outside the
/// agenda comes ticked "Fuera de horario", its field shown, and says why.
#[tokio::test]
async fn an_hour_from_the_calendar_survives_the_service_choice_on_a_phone() {
    let Some(s) = Session::start("agendar_hour").await else { return };
    let ana = s.client("Ana María Núñez", "ana@correo.cl", None, None).await;
    let service = s.bookable().await;
    let staff = s.store.list_staff(&s.business).await.expect("staff");
    let pro = staff.iter().find(|m| m.role == Role::Professional).expect("a professional").id;
    let zone = TimeZone::get("America/Santiago").expect("zone");
    let day = days_after(jiff::Timestamp::now().to_zoned(zone).date(), 2);
    s.sign_in(OWNER_EMAIL).await;
    s.browser.set_window_size(375, 812).await.expect("phone size");

    s.goto(&format!("/clientes/{}/agendar?profesional={pro}&fecha={day}&hora=21:00", ana.id)).await;
    assert!(s.text("#hora-pedida").await.starts_with("Hora pedida: 21:00."));
    s.find("#servicio").await.select_by_value(&service.id.to_string()).await.expect("service chosen");
    let note = s.text("#hora-aviso").await;
    assert_eq!(note, "Las 21:00 no es un horario libre de Andrés Ibáñez; puedes agendar fuera de horario.");
    assert!(displayed(&s, "#hora").await, "ticked, so the hour shows");
    assert_eq!(s.find("#hora").await.prop("value").await.expect("value").as_deref(), Some("21:00"));
    assert!(s.text("#horarios").await.contains(&day.strftime("%d-%m-%Y").to_string()));
    assert_eq!(s.text("#resumen-hora").await, "21:00 (fuera de horario)");
    s.browser.execute("document.getElementById('hora-aviso').scrollIntoView()", vec![]).await.expect("scrolled");
    s.fits_the_width("Agendar, hour asked").await;
    s.screenshot("off-hours").await;
    s.click("#confirmar-agenda").await;
    assert!(s.text("#reserva-cuando").await.contains("21:00–21:30"));
    s.finish().await;
}

/// Opened from the calendar, the booking page's breadcrumb leads back to
/// the booking's day, also after one of its actions updates it in place
/// and after a reload.
#[tokio::test]
async fn the_booking_page_opened_from_the_calendar_keeps_leading_back_there() {
    let Some(s) = Session::start("booking_crumbs").await else { return };
    let ana = s.client("Ana Pérez", "ana@correo.cl", None, None).await;
    let service = s.bookable().await;
    let zone = TimeZone::get("America/Santiago").expect("zone");
    let day = days_after(jiff::Timestamp::now().to_zoned(zone.clone()).date(), 2);
    let start = day.at(10, 0, 0, 0).to_zoned(zone).expect("in zone").timestamp();
    let new = NewBooking {
        client: ana.id,
        service: service.id,
        professional: service.professionals.iter().next().copied(),
        start: Some(start),
        end: None,
        state: BookingState::Pending,
        origin: Origin::Panel,
        override_agenda: false,
    };
    let booking = s.store.book(&s.business, new).await.expect("booked").remove(0);
    s.sign_in(OWNER_EMAIL).await;
    let crumbs = format!("Calendario / {} / Reserva", long_day(day));
    s.goto(&format!("/reservas/{}?desde=calendario", booking.id)).await;
    assert_eq!(s.text("#migas").await, crumbs);
    assert_eq!(s.text("nav a[aria-current='page']").await, "Calendario");

    s.click("#confirmar").await;
    assert_eq!(s.text_containing("#aviso", "confirmada").await, "Reserva confirmada.");
    assert_eq!(s.text("#migas").await, crumbs, "after the in-place update");
    s.browser.refresh().await.expect("reloaded");
    s.find("#aviso").await;
    assert_eq!(s.text("#migas").await, crumbs, "after a reload");
    s.click("#migas a:nth-of-type(2)").await;
    assert_eq!(s.path().await, "/calendario");
    s.finish().await;
}

/// `Jueves 03-12-2026`.
fn long_day(day: Date) -> String {
    let names = ["Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo"];
    let name = names[usize::try_from(day.weekday().to_monday_zero_offset()).expect("0..7")];
    format!("{name} {}", day.strftime("%d-%m-%Y"))
}
