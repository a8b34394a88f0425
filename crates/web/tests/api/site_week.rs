//! The booking site's week of free slots when the weeks ahead are full: an
//! empty week shown offers a jump to the first later day with a slot (found
//! by reading on week by week), and the first page opens on that day.

use axum::http::StatusCode;
use ficha_domain::{Actor, BookingRules};
use serde_json::json;

use crate::bookings::{Fixture, booked, fixture};
use crate::helpers::{TestApp, on_both_backends};
use crate::panel::html;

on_both_backends!(an_empty_week_jumps_to_the_first_later_day_with_a_slot);

/// The slots page for `profesional` (an id or "cualquiera"), with `extra`
/// query pairs.
async fn slots_page(app: &TestApp, f: &Fixture, profesional: &str, extra: &str) -> String {
    let path = format!("/reservar/clinica?servicio={}&profesional={profesional}{extra}", f.service);
    let page = app.get(&path).send().await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", html(&page));
    html(&page).to_owned()
}

/// The first `href` of `page` that contains `part`, unescaped.
fn link_with(page: &str, part: &str) -> Option<String> {
    page.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.replace("&#38;", "&").replace("&amp;", "&"))
        .find(|href| href.contains(part))
}

pub async fn an_empty_week_jumps_to_the_first_later_day_with_a_slot(app: &TestApp) {
    let f = fixture(app).await;
    let business = app.store.business_by_slug("clinica").await.expect("read").expect("business");
    let actor = Actor::System { business: business.id };
    app.store.set_booking_rules(&actor, BookingRules { online: true, ..BookingRules::default() }).await.expect("rules");
    // Today is Saturday 14-03-2026, 09:00. Days off until Tuesday 24, and
    // Wednesday 25 fully booked: the first free day is Thursday 26, in the
    // second week after the one shown, and only the bookings of the 25th
    // (not a day off) tell it apart from the 25th.
    let hours = json!([["09:00", "13:00"], ["14:00", "18:00"]]);
    let days_off: Vec<String> = (14..=24).map(|day| format!("2026-03-{day}")).collect();
    let week = json!({
        "monday": hours, "tuesday": hours, "wednesday": hours, "thursday": hours,
        "friday": hours, "saturday": hours, "sunday": hours, "days_off": days_off,
    });
    let agenda = app.put(&format!("/api/v1/professionals/{}/agenda", f.pro)).cookie(&f.owner).json(week).send().await;
    assert_eq!(agenda.status, StatusCode::OK, "{}", agenda.body);
    // 09:00–13:00 and 14:00–18:00 in Santiago (UTC−3 in March).
    for hour in [12, 13, 14, 15, 17, 18, 19, 20] {
        booked(app, &f, &format!("2026-03-25T{hour}:00:00Z")).await;
    }

    for profesional in [f.pro.as_str(), "cualquiera"] {
        let page = slots_page(app, &f, profesional, "&semana=2026-03-14").await;
        assert!(page.contains("Del 14-03-2026 al 20-03-2026"), "{page}");
        assert!(page.contains("No quedan horarios libres esta semana."), "{page}");
        assert!(page.contains("Ir al primer día con horario: Jueves 26-03-2026"), "{profesional}: {page}");
        let jump = link_with(&page, "semana=2026-03-26").expect("the jump links the 26th");
        assert!(jump.contains("dia=2026-03-26"), "{jump}");

        // The jump and the first page both open on the 26th, its first slot 09:00.
        let extra = "&semana=2026-03-26&dia=2026-03-26";
        for page in [slots_page(app, &f, profesional, extra).await, slots_page(app, &f, profesional, "").await] {
            assert!(page.contains("Del 26-03-2026 al 01-04-2026"), "{page}");
            assert!(page.contains("Jueves 26-03-2026"), "{page}");
            let first = link_with(&page, "/reservar/clinica/datos").expect("a free slot");
            assert!(first.contains("inicio=2026-03-26T12%3A00%3A00Z"), "{first}");
            assert!(!page.contains("No quedan horarios libres"), "{page}");
        }

        // The week of the 21st: the 25th is full, the 26th on shows slots.
        let page = slots_page(app, &f, profesional, "&semana=2026-03-21").await;
        assert!(page.contains("Del 21-03-2026 al 27-03-2026"), "{page}");
        assert!(!page.contains("No quedan horarios libres"), "{page}");
        assert!(link_with(&page, "dia=2026-03-25").is_none(), "the 25th is full: no link to it");
        assert!(link_with(&page, "dia=2026-03-27").is_some(), "the 27th has slots");
    }
}
