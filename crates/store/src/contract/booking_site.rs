//! Contract cases for the booking site: a booking by an anonymous client
//! (find or create by email, nothing overwritten, differing data kept on
//! the booking), the business's rules, the manage link and the race.

use ficha_domain::{
    Acceptance, Actor, Booking, BookingId, BookingRules, BookingState, ChoiceOptions, ClientName, CustomValue, Email,
    FieldKey, FieldKind, FieldLabel, NewCustomField, NoticeKind, Origin, Phone, RawValue, Role, Rut, ServiceId,
    SiteRule, StaffId,
};
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};

use super::bookings::{local, new_service, office_hours, staff};
use super::{Harness, business, new_client};
use crate::{Entered, Link, MessageQuery, OnlineBooking, OnlineChange, StoreError, Typed};

#[macro_export]
macro_rules! booking_site_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            an_online_booking_creates_the_client_and_opens_by_its_link,
            an_online_booking_never_overwrites_a_stored_profile,
            booking_form_answers_fill_empty_values_and_keep_differing_ones_aside,
            the_rules_refuse_closed_too_soon_too_far_and_offline_services,
            any_professional_means_the_first_free_one,
            a_pack_booked_online_leaves_the_rest_por_reservar,
            the_manage_link_cancels_and_reschedules_within_the_deadlines,
            the_manage_link_confirms_attendance_until_its_deadline,
            staff_booking_messages_carry_a_fresh_manage_link_while_the_site_is_open,
            only_owners_set_the_rules,
            concurrent_online_bookings_let_exactly_one_win
        );
    };
}

pub(super) struct Site {
    pub actor: Actor,
    pub pros: Vec<StaffId>,
    pub service: ServiceId,
}

/// A business open online (notice 2 h, 60 days, starting confirmed) with
/// two professionals working office hours and a one-hour service both do.
pub(super) async fn site(h: &Harness, slug: &str) -> Site {
    let actor = business(h, slug).await;
    let mut pros = Vec::new();
    for email in ["uno@clinica.cl", "dos@clinica.cl"] {
        let pro = staff(h, &actor, email).await;
        h.store.set_agenda(&actor, pro, office_hours()).await.expect("agenda");
        pros.push(pro);
    }
    pros.sort();
    let service = h.store.create_service(&actor, new_service("Kinesiología", 60, 1, &pros)).await.expect("service").id;
    let rules = BookingRules { online: true, start_state: BookingState::Confirmed, ..BookingRules::default() };
    h.store.set_booking_rules(&actor, rules).await.expect("rules");
    Site { actor, pros, service }
}

pub(super) fn typed(name: &str, email: &str, phone: Option<&str>, rut: Option<&str>) -> Typed {
    Typed {
        name: ClientName::parse(name).expect("name"),
        email: Email::parse(email).expect("email"),
        phone: phone.map(|p| Phone::parse(p).expect("phone")),
        rut: rut.map(|r| Rut::parse(r).expect("rut")),
        birth_date: None,
        values: Vec::new(),
    }
}

pub(super) fn link(token: &str) -> Link {
    Link { token_hash: token.as_bytes().to_vec(), path: format!("/reservar/x/reserva/{token}") }
}

pub(super) fn request(s: &Site, pro: Option<StaffId>, start: Timestamp, client: Typed, token: &str) -> OnlineBooking {
    OnlineBooking {
        service: s.service,
        professional: pro,
        start,
        client,
        link: link(token),
        consent: Acceptance { notice_version: 1, whatsapp_opt_in: false },
    }
}

pub(super) fn site_refusal<T: std::fmt::Debug>(result: Result<T, StoreError>) -> SiteRule {
    match result {
        Err(StoreError::SiteRefused(rule)) => rule,
        other => panic!("expected a site refusal, got {other:?}"),
    }
}

/// Tomorrow 10:00 in Santiago (the harness clock is today 09:00).
pub(super) fn ten_tomorrow() -> Timestamp {
    local(date(2026, 3, 15), 10, 0)
}

pub async fn an_online_booking_creates_the_client_and_opens_by_its_link(h: &Harness) {
    let s = site(h, "abierta").await;
    let who = typed("Marta Soto", "Marta@Mail.cl", Some("+56 9 6123 4567"), None);
    let booked = h.store.book_online(&s.actor, request(&s, Some(s.pros[1]), ten_tomorrow(), who, "t1")).await;
    let booked = booked.expect("booked");
    assert_eq!(booked.origin, Origin::BookingSite);
    assert_eq!(booked.state, BookingState::Confirmed);
    assert_eq!(booked.professional, Some(s.pros[1]));
    let client = h.store.get_client(&s.actor, booked.client).await.expect("client created");
    assert_eq!(client.name.as_str(), "Marta Soto");
    assert_eq!(client.phone.map(|p| p.e164().to_owned()).as_deref(), Some("+56961234567"));
    assert_eq!(h.store.linked_booking(&s.actor, b"t1").await.expect("link opens").id, booked.id);
    assert!(matches!(h.store.linked_booking(&s.actor, b"t2").await, Err(StoreError::NotFound)));
    // Another business's actor cannot open it.
    let other = business(h, "otra").await;
    assert!(matches!(h.store.linked_booking(&other, b"t1").await, Err(StoreError::NotFound)));
    // The email carries the link.
    let page = h.store.messages(&s.actor, &MessageQuery { limit: 10, ..Default::default() }).await.expect("msgs");
    let created = page.messages.iter().find(|m| m.kind == NoticeKind::BookingCreated).expect("message");
    assert_eq!(created.facts.link.as_deref(), Some("/reservar/x/reserva/t1"));
    assert_eq!(h.store.entered_data(&s.actor, booked.id).await.expect("read"), None);
}

pub async fn an_online_booking_never_overwrites_a_stored_profile(h: &Harness) {
    let s = site(h, "guardada").await;
    let mut stored = new_client("Ana Pérez", "ana@mail.cl");
    stored.phone = Some(Phone::parse("+56 9 6111 1111").expect("phone"));
    let stored = h.store.create_client(&s.actor, stored).await.expect("client");
    // Another name and phone, a RUT the profile lacks; the email in capitals.
    let mut who = typed("Anita P", " ANA@mail.cl", Some("+56 9 6222 2222"), Some("12.345.678-5"));
    who.birth_date = Some(birth("23-04-1990"));
    let booked = h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), who, "t")).await.expect("booked");
    assert_eq!(booked.client, stored.id, "the email found the profile");
    let after = h.store.get_client(&s.actor, stored.id).await.expect("client");
    assert_eq!(after.name.as_str(), "Ana Pérez", "name kept");
    assert_eq!(after.phone, stored.phone, "phone kept");
    assert_eq!(after.rut.map(|r| r.canonical()).as_deref(), Some("12345678-5"), "empty RUT filled");
    assert_eq!(after.birth_date, Some(birth("23-04-1990")), "empty birth date filled");
    let entered = h.store.entered_data(&s.actor, booked.id).await.expect("read").expect("kept on the booking");
    assert_eq!(
        entered,
        Entered {
            name: Some("Anita P".into()),
            phone: Some("+56962222222".into()),
            rut: None,
            birth_date: None,
            values: Vec::new()
        },
        "the differing values are on the booking"
    );
    // The same data again changes nothing and keeps nothing aside.
    let same = typed("Ana Pérez", "ana@mail.cl", Some("+56 9 6111 1111"), None);
    let later = local(date(2026, 3, 15), 15, 0);
    let again = h.store.book_online(&s.actor, request(&s, None, later, same, "t2")).await.expect("booked");
    assert_eq!(h.store.entered_data(&s.actor, again.id).await.expect("read"), None);
    // Another birth date is kept aside; the stored one stays.
    let mut other = typed("Ana Pérez", "ana@mail.cl", None, None);
    other.birth_date = Some(birth("24-04-1990"));
    let third = local(date(2026, 3, 16), 15, 0);
    let third = h.store.book_online(&s.actor, request(&s, None, third, other, "t3")).await.expect("booked");
    let entered = h.store.entered_data(&s.actor, third.id).await.expect("read").expect("kept");
    assert_eq!(entered.birth_date.as_deref(), Some("24-04-1990"));
    let after = h.store.get_client(&s.actor, stored.id).await.expect("client");
    assert_eq!(after.birth_date, Some(birth("23-04-1990")), "birth date kept");
    // A page of bookings at once: only those with something kept aside.
    let mut of = h.store.entered_data_of(&s.actor, &[booked.id, again.id, third.id]).await.expect("read");
    of.sort_by_key(|(id, _)| *id);
    let ids: Vec<BookingId> = of.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![booked.id, third.id]);
    assert_eq!(of[1].1, entered);
    assert!(h.store.entered_data_of(&s.actor, &[]).await.expect("read").is_empty());
}

fn birth(text: &str) -> ficha_domain::BirthDate {
    ficha_domain::BirthDate::parse(text, date(2026, 3, 14)).expect("birth date")
}

pub async fn the_manage_link_confirms_attendance_until_its_deadline(h: &Harness) {
    let s = site(h, "asistencia").await;
    let rules = BookingRules {
        start_state: BookingState::Pending,
        confirm_until_hours: 3,
        ..h.store.booking_rules(&s.actor).await.expect("rules")
    };
    h.store.set_booking_rules(&s.actor, rules).await.expect("rules");
    let who = typed("Rita Díaz", "rita@m.cl", None, None);
    let start = ten_tomorrow();
    let booked = h.store.book_online(&s.actor, request(&s, None, start, who, "c")).await.expect("booked");
    assert_eq!(booked.state, BookingState::Pending);
    // 2 h before: too late (3 h), and nothing changes.
    h.clock.set(start.checked_sub(SignedDuration::from_hours(2)).expect("time"));
    let late = h.store.change_online(&s.actor, &link("c"), OnlineChange::Confirm).await;
    assert_eq!(site_refusal(late), SiteRule::ConfirmDeadline);
    assert_eq!(h.store.get_booking(&s.actor, booked.id).await.expect("read").state, BookingState::Pending);
    // 3 h before: in time; confirming again is no error.
    h.clock.set(start.checked_sub(SignedDuration::from_hours(3)).expect("time"));
    let confirmed = h.store.change_online(&s.actor, &link("c"), OnlineChange::Confirm).await.expect("confirmed");
    assert_eq!(confirmed.state, BookingState::Confirmed);
    let again = h.store.change_online(&s.actor, &link("c"), OnlineChange::Confirm).await.expect("still confirmed");
    assert_eq!(again.state, BookingState::Confirmed);
}

pub async fn the_rules_refuse_closed_too_soon_too_far_and_offline_services(h: &Harness) {
    let s = site(h, "reglas").await;
    let who = || typed("Luis Rojas", "luis@mail.cl", None, None);
    // Notice: 2 h from 09:00 is 11:00; 10:00 today is too soon.
    let soon = local(date(2026, 3, 14), 10, 0);
    assert_eq!(
        site_refusal(h.store.book_online(&s.actor, request(&s, None, soon, who(), "a")).await),
        SiteRule::TooSoon
    );
    // Horizon: 60 days.
    let far = local(date(2026, 5, 14), 10, 0);
    assert_eq!(site_refusal(h.store.book_online(&s.actor, request(&s, None, far, who(), "b")).await), SiteRule::TooFar);
    h.store.set_service_online(&s.actor, s.service, false).await.expect("offline");
    let refused = h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), who(), "c")).await;
    assert_eq!(site_refusal(refused), SiteRule::NotBookable);
    assert_eq!(h.store.online_services(&s.actor).await.expect("read"), Vec::<ServiceId>::new());
    h.store.set_service_online(&s.actor, s.service, true).await.expect("online");
    let closed = BookingRules { online: false, ..h.store.booking_rules(&s.actor).await.expect("rules") };
    h.store.set_booking_rules(&s.actor, closed).await.expect("closed");
    let refused = h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), who(), "d")).await;
    assert_eq!(site_refusal(refused), SiteRule::Closed);
    // Nothing was written by any refusal: no client, no booking.
    let page = h.store.list_clients(&s.actor, &Default::default()).await.expect("list");
    assert_eq!(page.total, 0);
}

pub async fn any_professional_means_the_first_free_one(h: &Harness) {
    let s = site(h, "cualquiera").await;
    let first = h
        .store
        .book_online(&s.actor, request(&s, None, ten_tomorrow(), typed("Uno Uno", "uno@m.cl", None, None), "1"))
        .await
        .expect("booked");
    assert_eq!(first.professional, Some(s.pros[0]));
    let second = h
        .store
        .book_online(&s.actor, request(&s, None, ten_tomorrow(), typed("Dos Dos", "dos@m.cl", None, None), "2"))
        .await
        .expect("booked with the other");
    assert_eq!(second.professional, Some(s.pros[1]));
    let third = h
        .store
        .book_online(&s.actor, request(&s, None, ten_tomorrow(), typed("Tres Tres", "tres@m.cl", None, None), "3"))
        .await;
    assert_eq!(site_refusal(third), SiteRule::SlotTaken);
}

pub async fn a_pack_booked_online_leaves_the_rest_por_reservar(h: &Harness) {
    let s = site(h, "pack").await;
    let pack = h.store.create_service(&s.actor, new_service("Pack 4", 60, 4, &s.pros)).await.expect("pack");
    let mut asked = request(&s, None, ten_tomorrow(), typed("Pia Paz", "pia@m.cl", None, None), "p");
    asked.service = pack.id;
    let booked = h.store.book_online(&s.actor, asked).await.expect("booked");
    assert_eq!(booked.pack.map(|p| (p.number, p.of)), Some((1, 4)));
    let left = h.store.por_reservar(&s.actor, booked.client).await.expect("por reservar");
    assert_eq!(left.sessions.len(), 3);
}

pub async fn the_manage_link_cancels_and_reschedules_within_the_deadlines(h: &Harness) {
    let s = site(h, "gestion").await;
    let rules = BookingRules {
        cancel_until_hours: 24,
        reschedule_until_hours: 2,
        ..h.store.booking_rules(&s.actor).await.expect("rules")
    };
    h.store.set_booking_rules(&s.actor, rules).await.expect("rules");
    // Tomorrow 10:00 is 25 h away: both allowed.
    let who = typed("Rita Díaz", "rita@m.cl", None, None);
    let booked = h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), who, "g")).await.expect("booked");
    let later = local(date(2026, 3, 15), 11, 0);
    let change = OnlineChange::Reschedule { professional: None, start: later };
    let moved = h.store.change_online(&s.actor, &link("g"), change).await.expect("rescheduled");
    assert_eq!(moved.id, booked.id);
    assert_eq!(moved.when.map(|w| w.start()), Some(later));
    // The old link leads to the booking as it is now.
    assert_eq!(h.store.linked_booking(&s.actor, b"g").await.expect("opens").when.map(|w| w.start()), Some(later));
    // 23 h before: too late to cancel (24 h), still in time to reschedule (2 h).
    h.clock.set(later.checked_sub(SignedDuration::from_hours(23)).expect("time"));
    assert_eq!(
        site_refusal(h.store.change_online(&s.actor, &link("g"), OnlineChange::Cancel).await),
        SiteRule::CancelDeadline
    );
    assert_eq!(h.store.get_booking(&s.actor, booked.id).await.expect("read").state, BookingState::Confirmed);
    // 1 h before: too late for both.
    h.clock.set(later.checked_sub(SignedDuration::from_hours(1)).expect("time"));
    let change = OnlineChange::Reschedule { professional: None, start: local(date(2026, 3, 16), 10, 0) };
    assert_eq!(site_refusal(h.store.change_online(&s.actor, &link("g"), change).await), SiteRule::RescheduleDeadline);
    assert_eq!(h.store.get_booking(&s.actor, booked.id).await.expect("read").when, moved.when, "nothing changed");
    // Staff are never bound by them.
    h.store.change_booking(&s.actor, booked.id, crate::BookingChange::Cancel).await.expect("staff cancel");
    // A cancel in time goes through.
    h.clock.set(super::start_time());
    let who = typed("Rita Díaz", "rita@m.cl", None, None);
    let other = h.store.book_online(&s.actor, request(&s, None, local(date(2026, 3, 17), 10, 0), who, "h")).await;
    other.expect("booked");
    let cancelled = h.store.change_online(&s.actor, &link("h"), OnlineChange::Cancel).await.expect("cancelled");
    assert_eq!(cancelled.state, BookingState::Cancelled);
    // A cancelled booking does not come back through the link.
    let back = OnlineChange::Reschedule { professional: None, start: local(date(2026, 3, 18), 10, 0) };
    let refused = h.store.change_online(&s.actor, &link("h"), back).await;
    assert!(matches!(refused, Err(StoreError::Refused(ficha_domain::BookingRule::Transition { .. }))), "{refused:?}");
}

pub async fn only_owners_set_the_rules(h: &Harness) {
    let s = site(h, "duenos").await;
    let pro = Actor::Staff { business: s.actor.business(), staff: Some(s.pros[0]), role: Role::Professional };
    let refused = h.store.set_booking_rules(&pro, BookingRules::default()).await;
    assert!(matches!(refused, Err(StoreError::OwnerOnly)));
    assert!(matches!(h.store.set_service_online(&pro, s.service, false).await, Err(StoreError::OwnerOnly)));
    assert!(h.store.booking_rules(&pro).await.expect("read").online, "unchanged");
}

pub async fn concurrent_online_bookings_let_exactly_one_win(h: &Harness) {
    let s = site(h, "carrera").await;
    for race in 0..20_i8 {
        let day = date(2026, 3, 15 + race / 4);
        let hour = [9, 11, 14, 16][usize::try_from(race % 4).expect("small")];
        let start = local(day, hour, 0);
        let pro = Some(s.pros[0]);
        let a = request(&s, pro, start, typed("Cliente A", &format!("a{race}@m.cl"), None, None), &format!("a{race}"));
        let b = request(&s, pro, start, typed("Cliente B", &format!("b{race}@m.cl"), None, None), &format!("b{race}"));
        let (a, b) = tokio::join!(h.store.book_online(&s.actor, a), h.store.book_online(&s.actor, b));
        match (a, b) {
            (Ok(_), lost @ Err(_)) | (lost @ Err(_), Ok(_)) => assert_eq!(site_refusal(lost), SiteRule::SlotTaken),
            (a, b) => panic!("race {race}: exactly one must win: {a:?} {b:?}"),
        }
    }
}

pub async fn booking_form_answers_fill_empty_values_and_keep_differing_ones_aside(h: &Harness) {
    let s = site(h, "campos").await;
    let mut keys = Vec::new();
    for key in ["mascota", "comuna"] {
        let new = NewCustomField {
            key: FieldKey::parse(key).expect("key"),
            label: FieldLabel::parse(&format!("Campo {key}")).expect("label"),
            kind: FieldKind::Text,
            options: ChoiceOptions::parse(FieldKind::Text, &[]).expect("options"),
            required: false,
            in_booking_form: true,
            visible_to_client: false,
            sensitive: false,
            identifying: false,
            position: None,
        };
        let field = h.store.create_field(&s.actor, new).await.expect("field");
        keys.push(field);
    }
    let answer = |field: &ficha_domain::CustomField, text: &str| {
        (field.key.clone(), CustomValue::parse(field, RawValue::Text(text)).expect("valid").expect("a value"))
    };
    // A new client gets the answers.
    let mut new = typed("Nuevo Cliente", "nuevo@m.cl", None, None);
    new.values = vec![answer(&keys[0], "Firulais")];
    let booked = h.store.book_online(&s.actor, request(&s, None, ten_tomorrow(), new, "n")).await.expect("booked");
    let values = h.store.custom_values(&s.actor, booked.client).await.expect("values");
    assert_eq!(values.iter().map(|v| v.value.display()).collect::<Vec<_>>(), ["Firulais"]);
    // A stored client: the held value stays, the empty one is filled.
    let mut again = typed("Nuevo Cliente", "nuevo@m.cl", None, None);
    again.values = vec![answer(&keys[0], "Otro Perro"), answer(&keys[1], "Ñuñoa")];
    let later = local(date(2026, 3, 15), 15, 0);
    let second = h.store.book_online(&s.actor, request(&s, None, later, again, "m")).await.expect("booked");
    let values = h.store.custom_values(&s.actor, booked.client).await.expect("values");
    let shown: Vec<String> = values.iter().map(|v| v.value.display()).collect();
    assert_eq!(shown, ["Firulais", "Ñuñoa"]);
    let entered = h.store.entered_data(&s.actor, second.id).await.expect("read").expect("kept aside");
    assert_eq!(entered.values, [("Campo mascota".to_owned(), "Otro Perro".to_owned())]);
    assert_eq!(entered.name, None);
}

/// The path of the latest message of `kind` to the client, if it has one.
async fn latest_link(h: &Harness, s: &Site, kind: NoticeKind) -> Option<String> {
    let page = h.store.messages(&s.actor, &MessageQuery { limit: 50, ..Default::default() }).await.expect("msgs");
    page.messages.iter().filter(|m| m.kind == kind).max_by_key(|m| m.created_at).and_then(|m| m.facts.link.clone())
}

/// The booking a message's link opens, by the token at its end.
async fn opened_by(h: &Harness, s: &Site, path: &str) -> Booking {
    let token = path.rsplit('/').next().expect("a token");
    h.store.linked_booking(&s.actor, &crate::secret::hash(token)).await.expect("the link opens a booking")
}

pub async fn staff_booking_messages_carry_a_fresh_manage_link_while_the_site_is_open(h: &Harness) {
    let s = site(h, "equipo").await;
    let client = h.store.create_client(&s.actor, new_client("Luz Mar", "luz@mail.cl")).await.expect("client").id;
    let new = crate::NewBooking {
        client,
        service: s.service,
        professional: Some(s.pros[0]),
        start: Some(ten_tomorrow()),
        end: None,
        state: BookingState::Pending,
        origin: Origin::Panel,
        override_agenda: false,
    };
    let booked = h.store.book(&s.actor, new.clone()).await.expect("booked").remove(0);
    let first = latest_link(h, &s, NoticeKind::BookingCreated).await.expect("a link in the staff's booking email");
    assert!(first.starts_with("/reservar/equipo/reserva/") && first.len() > 60, "{first}");
    assert_eq!(opened_by(h, &s, &first).await.id, booked.id);
    // A staff reschedule: a new link in its message; the first still opens the booking.
    let later = local(date(2026, 3, 16), 11, 0);
    let to =
        crate::NewTime { professional: None, start: later, end: None, origin: Origin::Panel, override_agenda: false };
    h.store.change_booking(&s.actor, booked.id, crate::BookingChange::Reschedule(to)).await.expect("moved");
    let second = latest_link(h, &s, NoticeKind::BookingRescheduled).await.expect("a link");
    assert_ne!(second, first);
    assert_eq!(opened_by(h, &s, &second).await.when.map(|w| w.start()), Some(later));
    assert_eq!(opened_by(h, &s, &first).await.when.map(|w| w.start()), Some(later));
    // A cancellation's message has no link to act on.
    h.store.change_booking(&s.actor, booked.id, crate::BookingChange::Cancel).await.expect("cancelled");
    assert_eq!(latest_link(h, &s, NoticeKind::BookingCancelled).await, None);
    // With the site closed, staff bookings' messages carry none.
    let closed = BookingRules { online: false, ..h.store.booking_rules(&s.actor).await.expect("rules") };
    h.store.set_booking_rules(&s.actor, closed).await.expect("rules");
    let other = crate::NewBooking { start: Some(local(date(2026, 3, 17), 10, 0)), ..new };
    h.store.book(&s.actor, other).await.expect("booked");
    let page = h.store.messages(&s.actor, &MessageQuery { limit: 50, ..Default::default() }).await.expect("msgs");
    let created: Vec<_> = page.messages.iter().filter(|m| m.kind == NoticeKind::BookingCreated).collect();
    assert_eq!(created.len(), 2);
    assert_eq!(created.iter().filter(|m| m.facts.link.is_none()).count(), 1, "the second has none");
}
