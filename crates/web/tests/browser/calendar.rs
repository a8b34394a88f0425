//! The Calendario's time grid in Chromium, at 1366×900 and on a 375×812
//! phone: blocks where their time and professional say (measured against
//! the hour labels and the column's heading), overlapping ones side by side,
//! the two clicks from an empty quarter-hour to Agendar, cancelled bookings
//! behind their toggle, week headings on one line.

use ficha_domain::{
    Agenda, Attendance, Booking, BookingId, BookingState, ClientName, DayHours, Email, Interval, NewStaff, Origin,
    Payment, Role, StaffId, TimeRange,
};
use ficha_web::auth::password;
use jiff::civil::Date;
use serde_json::{Value, json};

use crate::harness::{OWNER_EMAIL, PASSWORD, PRO_EMAIL, Session};

const SIZES: [(u32, u32, &str); 2] = [(1366, 900, "desktop"), (375, 812, "phone")];

/// What the tests look at: tomorrow in Santiago, three professionals.
struct Day {
    date: Date,
    andres: StaffId,
    /// Andrés: Ana 10:00–10:30 (pending) beside Bruno 10:00–11:00
    /// (confirmed, booked out of hours over it); Ana 15:00–15:30 cancelled.
    ana: BookingId,
    bruno: BookingId,
    cancelled: BookingId,
    ana_client: ficha_domain::ClientId,
}

impl Day {
    fn path(&self) -> String {
        format!("/calendario?fecha={}", self.date.strftime("%d-%m-%Y"))
    }
}

fn hours(ranges: &[(&str, &str)]) -> Agenda {
    let day = || DayHours::new(ranges.iter().map(|(a, b)| TimeRange::parse(a, b).expect("range")).collect());
    let week = [day(), day(), day(), day(), day(), day(), day()].map(|d| d.expect("hours"));
    Agenda::new(week, Default::default()).expect("agenda")
}

async fn setup(s: &Session) -> Day {
    let service = s.bookable().await;
    let andres = service.professionals.iter().next().copied().expect("a professional");
    s.store.set_agenda(&s.business, andres, hours(&[("09:00", "13:00"), ("14:00", "19:00")])).await.expect("agenda");
    let hash = password::hash(PASSWORD).expect("hash");
    for (name, email, range) in [
        ("Beatriz Soto", "beatriz@clinica.cl", ("08:00", "16:00")),
        ("Camila Rojas", "camila@clinica.cl", ("12:00", "20:00")),
    ] {
        let new = NewStaff {
            name: ClientName::parse(name).expect("valid"),
            email: Email::parse(email).expect("valid"),
            role: Role::Professional,
            password_hash: hash.clone(),
        };
        let staff = s.store.create_staff(&s.business, new).await.expect("staff");
        s.store.set_agenda(&s.business, staff.id, hours(&[range])).await.expect("agenda");
    }
    let ana = s.client("Ana María Núñez", "ana@correo.cl", Some("9 6123 4567"), None).await;
    let bruno = s.client("Bruno Díaz", "bruno@correo.cl", None, None).await;
    let zone = jiff::tz::TimeZone::get("America/Santiago").expect("zone");
    let date = jiff::Timestamp::now().to_zoned(zone.clone()).date().tomorrow().expect("a tomorrow");
    let at = |hour: i8, minute: i8| date.at(hour, minute, 0, 0).to_zoned(zone.clone()).expect("local").timestamp();
    let booking = |client: ficha_domain::ClientId, from: (i8, i8), to: (i8, i8), state| Booking {
        id: BookingId::generate(),
        client,
        service: service.id,
        professional: Some(andres),
        when: Some(Interval::new(at(from.0, from.1), at(to.0, to.1)).expect("interval")),
        state,
        payment: Payment::Unpaid,
        attendance: Attendance::Unknown,
        origin: Origin::Panel,
        created_by: None,
        created_at: jiff::Timestamp::now(),
        pack: None,
    };
    let bookings = vec![
        booking(ana.id, (10, 0), (10, 30), BookingState::Pending),
        booking(bruno.id, (10, 0), (11, 0), BookingState::Confirmed),
        booking(ana.id, (15, 0), (15, 30), BookingState::Cancelled),
    ];
    let ids: Vec<BookingId> = bookings.iter().map(|b| b.id).collect();
    s.store.import_bookings(&s.business, bookings).await.expect("imported");
    Day { date, andres, ana: ids[0], bruno: ids[1], cancelled: ids[2], ana_client: ana.id }
}

/// `[left, top, width, height]` of the first element `css` finds.
async fn rect(s: &Session, css: &str) -> [f64; 4] {
    let script = "const e = document.querySelector(arguments[0]); if (!e) return null; \
                  const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height];";
    let value = s.browser.execute(script, vec![json!(css)]).await.expect("script");
    serde_json::from_value(value.clone()).unwrap_or_else(|_| panic!("no element {css}: {value}"))
}

/// The hour label reading `text`.
async fn hour_label(s: &Session, text: &str) -> [f64; 4] {
    let script = "const e = Array.from(document.querySelectorAll('.cal-hour')).find(h => h.textContent.trim() === arguments[0]); \
                  const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height];";
    let value = s.browser.execute(script, vec![json!(text)]).await.expect("script");
    serde_json::from_value(value.clone()).unwrap_or_else(|_| panic!("no label {text}: {value}"))
}

async fn number(s: &Session, script: &str) -> f64 {
    let value: Value = s.browser.execute(script, vec![]).await.expect("script");
    value.as_f64().unwrap_or_else(|| panic!("{script}: {value}"))
}

#[tokio::test]
async fn a_booking_sits_in_its_professionals_column_at_its_time_and_overlaps_side_by_side() {
    let Some(s) = Session::start("calendar_day").await else { return };
    let day = setup(&s).await;
    s.sign_in(OWNER_EMAIL).await;
    for (width, height, size) in SIZES {
        s.browser.set_window_size(width, height).await.expect("window size");
        s.goto(&day.path()).await;
        let column = format!("section[data-profesional='{}']", day.andres);
        let head = rect(&s, &format!("{column} .cal-head")).await;
        assert_eq!(s.text(&format!("{column} .cal-head")).await, "Andrés Ibáñez");
        let ana = rect(&s, &format!("a.cal-block[href='/reservas/{}']", day.ana)).await;
        let bruno = rect(&s, &format!("a.cal-block[href='/reservas/{}']", day.bruno)).await;
        let (ten, eleven) = (hour_label(&s, "10:00").await, hour_label(&s, "11:00").await);
        let hour = eleven[1] - ten[1];
        assert!(hour >= 48.0, "{size}: an hour is {hour}px, too small to read");
        for (name, block, minutes) in [("Ana", ana, 30.0), ("Bruno", bruno, 60.0)] {
            assert!(
                block[0] >= head[0] - 1.0 && block[0] + block[2] <= head[0] + head[2] + 1.0,
                "{size}: {name} in the column"
            );
            assert!((block[1] - ten[1]).abs() <= 3.0, "{size}: {name} starts at 10:00 ({block:?} vs {ten:?})");
            let expected = hour * minutes / 60.0;
            assert!((block[3] - expected).abs() <= 3.0, "{size}: {name} spans {minutes} min: {block:?}, hour {hour}");
        }
        let apart = ana[0] >= bruno[0] + bruno[2] - 1.0 || bruno[0] >= ana[0] + ana[2] - 1.0;
        assert!(apart, "{size}: side by side, not on top: {ana:?} {bruno:?}");
        assert!(s.text("#calendario").await.contains("Ana María Núñez"));

        // Nothing of the page scrolls sideways; the grid does, under
        // sticky hour labels.
        s.fits_the_width(size).await;
        if size == "phone" {
            let grid_top = rect(&s, "#calendario").await[1];
            assert!(grid_top < 340.0, "phone: header and filters leave the screen to the grid ({grid_top}px)");
            s.screenshot("day-phone-top").await;
            let board = "document.getElementById('calendario')";
            let overflow = number(&s, &format!("return {board}.scrollWidth - {board}.clientWidth")).await;
            assert!(overflow > 0.0, "three professionals do not fit a phone: the grid scrolls");
            let axis_before = rect(&s, ".cal-axis").await;
            s.browser.execute(&format!("{board}.scrollLeft = 200;"), vec![]).await.expect("scrolled");
            let axis_after = rect(&s, ".cal-axis").await;
            assert!(
                (axis_before[0] - axis_after[0]).abs() < 1.0,
                "the hour labels stay: {axis_before:?} {axis_after:?}"
            );
            let left = number(&s, &format!("return {board}.scrollLeft")).await;
            assert!(left > 0.0);
            // No empty screens below the working day.
            let below = number(
                &s,
                &format!("return document.documentElement.scrollHeight - ({board}.getBoundingClientRect().bottom + window.scrollY)"),
            )
            .await;
            assert!(below < 40.0, "{below}px of page below the grid");
            s.browser.execute(&format!("{board}.scrollLeft = 0;"), vec![]).await.expect("scrolled");
            s.browser.execute("document.querySelector('.cal-board').scrollIntoView()", vec![]).await.expect("scrolled");
        } else {
            let filters_bottom = rect(&s, "#calendario").await[1];
            assert!(filters_bottom < 320.0, "desktop: the grid starts high enough ({filters_bottom}px)");
        }
        s.screenshot(&format!("day-{size}")).await;
    }
    s.finish().await;
}

#[tokio::test]
async fn an_empty_quarter_leads_to_the_client_chooser_then_to_agendar_with_the_time() {
    let Some(s) = Session::start("calendar_slot").await else { return };
    let day = setup(&s).await;
    s.sign_in(OWNER_EMAIL).await;
    let iso = day.date.to_string();
    for (width, height, size) in SIZES {
        s.browser.set_window_size(width, height).await.expect("window size");
        s.goto(&day.path()).await;
        let slot = format!("section[data-profesional='{}'] button.cal-slot[value='15:30']", day.andres);
        if size == "phone" {
            // With the keyboard: the quarter is a focusable button.
            let button = s.find(&slot).await;
            s.browser.execute("arguments[0].focus();", vec![json!(button)]).await.expect("focused");
            let focused = s.browser.execute("return document.activeElement.value", vec![]).await.expect("script");
            assert_eq!(focused, json!("15:30"));
            button.send_keys(&fantoccini::key::Key::Enter.to_string()).await.expect("enter");
        } else {
            s.click(&slot).await;
        }
        assert_eq!(s.text("#elegir-cliente").await, "¿Para qué cliente?");
        let url = s.browser.current_url().await.expect("url");
        assert_eq!(url.path(), "/agendar");
        let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        for (name, value) in [("profesional", day.andres.to_string()), ("fecha", iso.clone()), ("hora", "15:30".into())]
        {
            assert!(pairs.contains(&(name.to_owned(), value.clone())), "{size}: {name}={value} in {pairs:?}");
        }
        let chosen = s.text("#hora-elegida").await;
        assert!(chosen.contains("Andrés Ibáñez") && chosen.contains("15:30"), "{chosen}");
        s.fill("#cliente-q", "nunez").await;
        s.click(".pick-search button[type=submit]").await;
        s.screenshot(&format!("chooser-{size}")).await;
        s.click("#clientes-encontrados a").await;
        s.find("#servicio").await;
        let url = s.browser.current_url().await.expect("url");
        assert_eq!(url.path(), format!("/clientes/{}/agendar", day.ana_client));
        let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        for (name, value) in [("profesional", day.andres.to_string()), ("fecha", iso.clone()), ("hora", "15:30".into())]
        {
            assert!(pairs.contains(&(name.to_owned(), value.clone())), "{size}: {name}={value} in {pairs:?}");
        }
    }
    s.finish().await;
}

#[tokio::test]
async fn cancelled_bookings_are_hidden_until_the_toggle_shows_them_struck() {
    let Some(s) = Session::start("calendar_cancelled").await else { return };
    let day = setup(&s).await;
    s.sign_in(OWNER_EMAIL).await;
    s.browser.set_window_size(1366, 900).await.expect("window size");
    s.goto(&day.path()).await;
    let block = format!("a.cal-block[href='/reservas/{}']", day.cancelled);
    s.find(&format!("a.cal-block[href='/reservas/{}']", day.ana)).await;
    let hidden = s.browser.execute("return document.querySelector(arguments[0]) === null", vec![json!(block)]).await;
    assert_eq!(hidden.expect("script"), json!(true), "hidden by default");
    assert_eq!(s.text("#anuladas").await, "Mostrar anuladas (1)");

    s.click("#anuladas").await;
    let shown = s.find(&block).await;
    assert!(shown.text().await.expect("text").contains("15:00–15:30"));
    let style = s
        .browser
        .execute("return getComputedStyle(arguments[0]).textDecorationLine", vec![json!(shown)])
        .await
        .expect("script");
    assert_eq!(style, json!("line-through"), "struck through");
    assert!(s.browser.current_url().await.expect("url").query().unwrap_or("").contains("anuladas=1"));
    s.browser.execute("arguments[0].scrollIntoView({ block: 'center' })", vec![json!(shown)]).await.expect("scrolled");
    s.screenshot("shown").await;

    // Moving to the next day keeps them shown; the toggle hides them again.
    s.click("#siguiente").await;
    assert_eq!(s.text("#anuladas").await, "Ocultar anuladas");
    s.click("#anterior").await;
    s.find(&block).await;
    s.click("#anuladas").await;
    s.find(&format!("a.cal-block[href='/reservas/{}']", day.ana)).await;
    let gone = s.browser.execute("return document.querySelector(arguments[0]) === null", vec![json!(block)]).await;
    assert_eq!(gone.expect("script"), json!(true));
    s.finish().await;
}

#[tokio::test]
async fn the_week_is_the_signed_in_professionals_and_its_headings_stay_on_one_line() {
    let Some(s) = Session::start("calendar_week").await else { return };
    let day = setup(&s).await;
    s.sign_in(PRO_EMAIL).await;
    for (width, height, size) in SIZES {
        s.browser.set_window_size(width, height).await.expect("window size");
        s.goto(&format!("{}&vista=semana", day.path())).await;
        let title = s.text("#calendario-titulo").await;
        assert!(title.contains("Andrés Ibáñez"), "{size}: the signed-in professional's week: {title}");
        assert_eq!(s.text("#vista-semana").await, "Semana");
        s.find(&format!("a.cal-block[href='/reservas/{}']", day.bruno)).await;
        // Each heading: its text on one line, whole (neither wrapped nor cut).
        let script = "return Array.from(document.querySelectorAll('.cal-col .cal-head')).map(h => { \
                      const r = document.createRange(); r.selectNodeContents(h); \
                      const lines = new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; \
                      return [h.textContent.trim(), lines, h.scrollWidth - h.clientWidth]; });";
        let headings = s.browser.execute(script, vec![]).await.expect("script");
        let headings = headings.as_array().expect("list").clone();
        assert_eq!(headings.len(), 7, "{headings:?}");
        for heading in &headings {
            assert_eq!(heading[1], json!(1), "{size}: {heading} wraps");
            assert!(heading[2].as_f64().unwrap_or(1.0) <= 0.0, "{size}: {heading} is cut");
        }
        assert!(headings[2][0].as_str().unwrap_or("").starts_with("Mié "), "{headings:?}");
        s.fits_the_width(size).await;
        s.browser.execute("document.querySelector('.cal-board').scrollIntoView()", vec![]).await.expect("scrolled");
        s.screenshot(&format!("week-{size}")).await;
    }
    s.finish().await;
}

#[tokio::test]
async fn ten_professionals_fit_a_desktop_day_side_by_side() {
    let Some(s) = Session::start("calendar_ten").await else { return };
    let day = setup(&s).await;
    let hash = password::hash(PASSWORD).expect("hash");
    for n in 3..10 {
        let new = NewStaff {
            name: ClientName::parse(&format!("Profesional Número {n}")).expect("valid"),
            email: Email::parse(&format!("pro{n}@clinica.cl")).expect("valid"),
            role: Role::Professional,
            password_hash: hash.clone(),
        };
        let staff = s.store.create_staff(&s.business, new).await.expect("staff");
        s.store
            .set_agenda(&s.business, staff.id, hours(&[("09:00", "13:00"), ("14:00", "18:00")]))
            .await
            .expect("agenda");
    }
    s.sign_in(OWNER_EMAIL).await;
    s.browser.set_window_size(1366, 900).await.expect("window size");
    s.goto(&day.path()).await;
    let columns = number(&s, "return document.querySelectorAll('.cal-col').length").await;
    assert_eq!(columns, 10.0);
    let board = "document.getElementById('calendario')";
    let overflow = number(&s, &format!("return {board}.scrollWidth - {board}.clientWidth")).await;
    assert!(overflow <= 0.0, "ten columns fit 1366 px without scrolling sideways ({overflow}px more)");
    let narrowest = number(
        &s,
        "return Math.min(...Array.from(document.querySelectorAll('.cal-col')).map(c => c.getBoundingClientRect().width))",
    )
    .await;
    assert!(narrowest >= 110.0, "each column readable: {narrowest}px");
    let ten = hour_label(&s, "10:00").await;
    let eleven = hour_label(&s, "11:00").await;
    assert!(eleven[1] - ten[1] >= 60.0, "an hour is tall enough to read a 30-minute block");
    s.screenshot("ten").await;
    s.finish().await;
}
