//! Contract cases for services, agendas and bookings.

use std::collections::BTreeSet;

use ficha_domain::{
    Actor, Agenda, Attendance, Booking, BookingRule, BookingState, ClientId, ClientName, Clock, Clp, DayHours, Email,
    Minutes, NewService, NewStaff, Origin, Payment, PaymentMethod, Role, Service, ServiceChanges, ServiceName,
    Sessions, StaffId, TimeRange, booking::MAX_PAYMENT_CLP,
};
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::{Harness, business, new_client};
use crate::{BookingChange, BookingQuery, NewBooking, NewTime, StoreError, When};

/// The booking cases.
#[macro_export]
macro_rules! bookings_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            services_round_trip_with_their_professionals,
            a_service_needs_professionals_of_its_business,
            a_service_with_bookings_is_kept,
            an_agenda_is_closed_until_set_and_round_trips,
            a_booking_round_trips_and_sets_the_clients_last_booking,
            an_overlapping_booking_is_refused_and_a_touching_one_is_fine,
            outside_hours_and_past_times_need_an_explicit_staff_override,
            a_professional_who_does_not_perform_the_service_is_refused,
            a_client_or_service_of_another_business_is_refused,
            a_cancelled_booking_frees_its_slot_and_can_come_back,
            attendance_and_payment_are_kept,
            a_pack_creates_its_sessions_and_scheduling_uses_them,
            the_calendar_shows_one_or_all_professionals_and_cancelled_ones_when_asked,
            client_bookings_filter_and_page_through_once,
            client_stats_count_what_happened,
            payments_are_bounded_and_their_total_never_overflows,
            no_booking_in_year_zero_even_with_override,
            deleting_a_client_deletes_its_bookings_and_frees_their_slots,
            another_business_cannot_reach_bookings_or_services,
            concurrent_overlapping_bookings_let_exactly_one_win,
            agendas_of_reads_several_in_the_order_asked,
            busy_of_reads_what_busy_reads_for_each_professional
        );
    };
}

pub(crate) fn santiago() -> TimeZone {
    TimeZone::get("America/Santiago").expect("bundled zone")
}

/// A civil time in Santiago (unambiguous in these tests).
pub(crate) fn local(day: Date, hour: i8, minute: i8) -> Timestamp {
    day.at(hour, minute, 0, 0).to_zoned(santiago()).expect("exists").timestamp()
}

/// The day after the harness clock's (2026-03-14 09:00 in Santiago).
fn tomorrow() -> Date {
    date(2026, 3, 15)
}

/// 09:00–13:00 and 14:00–18:00 every day.
pub(crate) fn office_hours() -> Agenda {
    let day = DayHours::new(vec![
        TimeRange::parse("09:00", "13:00").expect("valid"),
        TimeRange::parse("14:00", "18:00").expect("valid"),
    ])
    .expect("valid day");
    Agenda::new(std::array::from_fn(|_| day.clone()), BTreeSet::new()).expect("valid agenda")
}

/// A business with one professional working office hours, a client and a
/// one-hour service.
struct Setup {
    actor: Actor,
    pro: StaffId,
    client: ClientId,
    service: Service,
}

pub(crate) async fn staff(h: &Harness, actor: &Actor, email: &str) -> StaffId {
    let new = NewStaff {
        name: ClientName::parse("Profesional de Prueba").expect("valid"),
        email: Email::parse(email).expect("valid"),
        role: Role::Professional,
        password_hash: "not a real hash".into(),
    };
    h.store.create_staff(actor, new).await.expect("staff").id
}

pub(crate) fn new_service(name: &str, minutes: i64, sessions: i64, professionals: &[StaffId]) -> NewService {
    NewService {
        name: ServiceName::parse(name).expect("valid"),
        duration: Minutes::new(minutes).expect("valid"),
        price: Clp::new(25_000).expect("valid"),
        sessions: Sessions::new(sessions).expect("valid"),
        professionals: professionals.iter().copied().collect(),
    }
}

async fn setup(h: &Harness, slug: &str) -> Setup {
    let actor = business(h, slug).await;
    let pro = staff(h, &actor, "pro@clinica.cl").await;
    h.store.set_agenda(&actor, pro, office_hours()).await.expect("agenda set");
    let client = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("client").id;
    let service = h.store.create_service(&actor, new_service("Kinesiología", 60, 1, &[pro])).await.expect("service");
    Setup { actor, pro, client, service }
}

fn at(s: &Setup, start: Timestamp) -> NewBooking {
    NewBooking {
        client: s.client,
        service: s.service.id,
        professional: Some(s.pro),
        start: Some(start),
        end: None,
        state: BookingState::Pending,
        origin: Origin::Panel,
        override_agenda: false,
    }
}

async fn book(h: &Harness, s: &Setup, start: Timestamp) -> Booking {
    let mut booked = h.store.book(&s.actor, at(s, start)).await.expect("booked");
    booked.remove(0)
}

fn refusal<T: std::fmt::Debug>(result: Result<T, StoreError>) -> BookingRule {
    match result {
        Err(StoreError::Refused(rule)) => rule,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn dated_count(h: &Harness, s: &Setup) -> usize {
    let query = BookingQuery { limit: 500, ..Default::default() };
    h.store.client_bookings(&s.actor, s.client, &query).await.expect("listed").bookings.len()
}

pub async fn services_round_trip_with_their_professionals(h: &Harness) {
    let actor = business(h, "sur").await;
    let (ana, beto) = (staff(h, &actor, "ana@sur.cl").await, staff(h, &actor, "beto@sur.cl").await);
    let created = h.store.create_service(&actor, new_service("Masaje", 45, 1, &[ana])).await.expect("created");
    let pack = h.store.create_service(&actor, new_service("Depilación", 30, 6, &[ana, beto])).await.expect("pack");

    assert_eq!(h.store.get_service(&actor, created.id).await.expect("read"), created);
    assert_eq!(created.professionals, BTreeSet::from([ana]));
    let names: Vec<String> =
        h.store.list_services(&actor).await.expect("listed").iter().map(|s| s.name.as_str().to_owned()).collect();
    assert_eq!(names, ["Depilación", "Masaje"], "by name");
    assert_eq!(pack.sessions.get(), 6);

    let changes = ServiceChanges {
        price: Some(Clp::new(30_000).expect("valid")),
        professionals: Some([beto].into()),
        ..Default::default()
    };
    let updated = h.store.update_service(&actor, created.id, changes).await.expect("updated");
    assert_eq!(updated.price.get(), 30_000);
    assert_eq!(updated.professionals, BTreeSet::from([beto]));
    assert_eq!(updated.name.as_str(), "Masaje");
    assert_eq!(h.store.get_service(&actor, created.id).await.expect("read"), updated);
}

pub async fn a_service_needs_professionals_of_its_business(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let outsider = staff(h, &norte, "otro@norte.cl").await;
    let refused = h.store.create_service(&sur, new_service("Masaje", 45, 1, &[outsider])).await;
    assert_eq!(refusal(refused), BookingRule::ProfessionalUnknown);
    assert!(h.store.list_services(&sur).await.expect("listed").is_empty(), "nothing was written");
}

pub async fn a_service_with_bookings_is_kept(h: &Harness) {
    let s = setup(h, "sur").await;
    let unused = h.store.create_service(&s.actor, new_service("Masaje", 45, 1, &[s.pro])).await.expect("created");
    let booked = book(h, &s, local(tomorrow(), 10, 0)).await;
    h.store.change_booking(&s.actor, booked.id, BookingChange::Cancel).await.expect("cancelled");

    let refused = h.store.delete_service(&s.actor, s.service.id).await;
    assert!(matches!(refused, Err(StoreError::ServiceInUse)), "{refused:?}");
    assert_eq!(h.store.get_service(&s.actor, s.service.id).await.expect("still there"), s.service);
    h.store.delete_service(&s.actor, unused.id).await.expect("deleted");
    assert!(matches!(h.store.get_service(&s.actor, unused.id).await, Err(StoreError::NotFound)));
    let norte = business(h, "norte").await;
    assert!(matches!(h.store.delete_service(&norte, s.service.id).await, Err(StoreError::NotFound)));
}

pub async fn an_agenda_is_closed_until_set_and_round_trips(h: &Harness) {
    let actor = business(h, "sur").await;
    let pro = staff(h, &actor, "pro@sur.cl").await;
    assert_eq!(h.store.agenda(&actor, pro).await.expect("read"), Agenda::closed());
    let hours = office_hours();
    let weekly = std::array::from_fn(|i| hours.hours(ficha_domain::agenda::WEEK[i]).clone());
    let agenda = Agenda::new(weekly, [tomorrow()].into()).expect("valid");
    h.store.set_agenda(&actor, pro, agenda.clone()).await.expect("set");
    assert_eq!(h.store.agenda(&actor, pro).await.expect("read"), agenda);
    h.store.set_agenda(&actor, pro, Agenda::closed()).await.expect("replaced");
    assert_eq!(h.store.agenda(&actor, pro).await.expect("read"), Agenda::closed());

    let norte = business(h, "norte").await;
    assert!(matches!(h.store.agenda(&norte, pro).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.set_agenda(&norte, pro, office_hours()).await, Err(StoreError::NotFound)));
}

pub async fn a_booking_round_trips_and_sets_the_clients_last_booking(h: &Harness) {
    let s = setup(h, "sur").await;
    h.clock.advance(SignedDuration::from_mins(7));
    let booked = book(h, &s, local(tomorrow(), 10, 0)).await;

    assert_eq!(h.store.get_booking(&s.actor, booked.id).await.expect("read"), booked);
    let when = booked.when.expect("dated");
    assert_eq!(when.end().duration_since(when.start()), SignedDuration::from_hours(1), "the service's duration");
    assert_eq!(
        (booked.state, booked.attendance, booked.payment),
        (BookingState::Pending, Attendance::Unknown, Payment::Unpaid)
    );
    assert_eq!(booked.origin, Origin::Panel);
    assert_eq!(booked.pack, None);
    let now = h.clock.now();
    assert_eq!(booked.created_at, now);
    let client = h.store.get_client(&s.actor, s.client).await.expect("client");
    assert_eq!(client.last_booking_at, Some(now), "the booking's creation time, not its start");
}

pub async fn an_overlapping_booking_is_refused_and_a_touching_one_is_fine(h: &Harness) {
    let s = setup(h, "sur").await;
    let first = book(h, &s, local(tomorrow(), 10, 0)).await;
    let overlapping = h.store.book(&s.actor, at(&s, local(tomorrow(), 10, 30))).await;
    assert_eq!(refusal(overlapping), BookingRule::Overlap { with: first.id });
    let mut longer = at(&s, local(tomorrow(), 9, 0));
    longer.end = Some(local(tomorrow(), 12, 0));
    assert_eq!(refusal(h.store.book(&s.actor, longer).await), BookingRule::Overlap { with: first.id });
    assert_eq!(dated_count(h, &s).await, 1, "nothing was written");

    book(h, &s, local(tomorrow(), 11, 0)).await;
    book(h, &s, local(tomorrow(), 9, 0)).await;
    assert_eq!(dated_count(h, &s).await, 3);
}

pub async fn outside_hours_and_past_times_need_an_explicit_staff_override(h: &Harness) {
    let s = setup(h, "sur").await;
    let lunch = local(tomorrow(), 13, 0);
    assert_eq!(refusal(h.store.book(&s.actor, at(&s, lunch)).await), BookingRule::OutsideWorkingHours);
    let across_lunch = local(tomorrow(), 12, 30);
    assert_eq!(refusal(h.store.book(&s.actor, at(&s, across_lunch)).await), BookingRule::OutsideWorkingHours);
    let yesterday = local(date(2026, 3, 13), 10, 0);
    assert_eq!(refusal(h.store.book(&s.actor, at(&s, yesterday)).await), BookingRule::InThePast);

    let site = NewBooking { origin: Origin::BookingSite, override_agenda: true, ..at(&s, lunch) };
    assert_eq!(refusal(h.store.book(&s.actor, site).await), BookingRule::OverrideNotAllowed);
    assert_eq!(dated_count(h, &s).await, 0);

    for start in [lunch, yesterday] {
        let forced = NewBooking { override_agenda: true, ..at(&s, start) };
        h.store.book(&s.actor, forced).await.expect("staff override");
    }
    assert_eq!(dated_count(h, &s).await, 2);
}

pub async fn a_professional_who_does_not_perform_the_service_is_refused(h: &Harness) {
    let s = setup(h, "sur").await;
    let other = staff(h, &s.actor, "otra@clinica.cl").await;
    h.store.set_agenda(&s.actor, other, office_hours()).await.expect("agenda");
    let new = NewBooking { professional: Some(other), ..at(&s, local(tomorrow(), 10, 0)) };
    assert_eq!(refusal(h.store.book(&s.actor, new.clone()).await), BookingRule::ServiceNotPerformed);
    let forced = NewBooking { override_agenda: true, ..new };
    assert_eq!(refusal(h.store.book(&s.actor, forced).await), BookingRule::ServiceNotPerformed, "no override for this");
}

pub async fn a_client_or_service_of_another_business_is_refused(h: &Harness) {
    let s = setup(h, "sur").await;
    let n = setup(h, "norte").await;
    let foreign_client = NewBooking { client: n.client, ..at(&s, local(tomorrow(), 10, 0)) };
    assert_eq!(refusal(h.store.book(&s.actor, foreign_client).await), BookingRule::ClientUnknown);
    let foreign_service = NewBooking { service: n.service.id, ..at(&s, local(tomorrow(), 10, 0)) };
    assert_eq!(refusal(h.store.book(&s.actor, foreign_service).await), BookingRule::ServiceUnknown);
    let foreign_pro = NewBooking { professional: Some(n.pro), ..at(&s, local(tomorrow(), 10, 0)) };
    assert_eq!(refusal(h.store.book(&s.actor, foreign_pro).await), BookingRule::ProfessionalUnknown);
    assert_eq!(dated_count(h, &n).await, 0);
    let client = h.store.get_client(&n.actor, n.client).await.expect("client");
    assert_eq!(client.last_booking_at, None, "nothing was written");
}

pub async fn a_cancelled_booking_frees_its_slot_and_can_come_back(h: &Harness) {
    let s = setup(h, "sur").await;
    let ten = local(tomorrow(), 10, 0);
    let first = book(h, &s, ten).await;
    let cancelled = h.store.change_booking(&s.actor, first.id, BookingChange::Cancel).await.expect("cancelled");
    assert_eq!(cancelled.state, BookingState::Cancelled);
    let second = book(h, &s, ten).await;

    let back = NewTime { professional: None, start: ten, end: None, origin: Origin::Panel, override_agenda: false };
    let taken = h.store.change_booking(&s.actor, first.id, BookingChange::Reschedule(back.clone())).await;
    assert_eq!(refusal(taken), BookingRule::Overlap { with: second.id });
    assert_eq!(h.store.get_booking(&s.actor, first.id).await.expect("read"), cancelled, "unchanged");

    let eleven = BookingChange::Reschedule(NewTime { start: local(tomorrow(), 11, 0), ..back });
    let returned = h.store.change_booking(&s.actor, first.id, eleven).await.expect("rescheduled back");
    assert_eq!(returned.state, BookingState::Pending);
    assert_eq!(returned.when.map(|w| w.start()), Some(local(tomorrow(), 11, 0)));
    // Moving a booking onto itself (a later end) is not an overlap with itself.
    let longer = BookingChange::Reschedule(NewTime {
        professional: Some(s.pro),
        start: local(tomorrow(), 11, 0),
        end: Some(local(tomorrow(), 12, 30)),
        origin: Origin::Panel,
        override_agenda: false,
    });
    h.store.change_booking(&s.actor, first.id, longer).await.expect("own time is free");
    let confirmed = h.store.change_booking(&s.actor, first.id, BookingChange::Confirm).await.expect("confirmed");
    assert_eq!(confirmed.state, BookingState::Confirmed);
}

pub async fn attendance_and_payment_are_kept(h: &Harness) {
    let s = setup(h, "sur").await;
    let booked = book(h, &s, local(tomorrow(), 10, 0)).await;
    let early = h.store.change_booking(&s.actor, booked.id, BookingChange::Attendance(Attendance::Attended)).await;
    assert_eq!(refusal(early), BookingRule::AttendanceBeforeStart);

    h.clock.set(local(tomorrow(), 11, 5));
    let attended = h
        .store
        .change_booking(&s.actor, booked.id, BookingChange::Attendance(Attendance::Attended))
        .await
        .expect("marked");
    assert_eq!(attended.attendance, Attendance::Attended);
    let paid = Payment::Paid { amount: 25_000, method: PaymentMethod::Transfer, date: tomorrow() };
    let with_payment = h.store.change_booking(&s.actor, booked.id, BookingChange::Payment(paid)).await.expect("paid");
    assert_eq!(with_payment.payment, paid);
    let future = Payment::Paid { amount: 1, method: PaymentMethod::Cash, date: date(2026, 3, 16) };
    let refused = h.store.change_booking(&s.actor, booked.id, BookingChange::Payment(future)).await;
    assert_eq!(refusal(refused), BookingRule::PaidInFuture);
    assert_eq!(h.store.get_booking(&s.actor, booked.id).await.expect("read"), with_payment);
}

pub async fn a_pack_creates_its_sessions_and_scheduling_uses_them(h: &Harness) {
    let s = setup(h, "sur").await;
    let pack = h.store.create_service(&s.actor, new_service("Drenaje", 30, 4, &[s.pro])).await.expect("pack");
    let new = NewBooking { service: pack.id, start: None, professional: None, ..at(&s, local(tomorrow(), 10, 0)) };
    let sessions = h.store.book(&s.actor, new).await.expect("bought");
    assert_eq!(sessions.len(), 4);
    assert!(sessions.iter().all(|b| b.when.is_none()), "all por reservar");
    let numbers: Vec<i64> = sessions.iter().filter_map(|b| b.pack.map(|p| p.number)).collect();
    assert_eq!(numbers, [1, 2, 3, 4]);

    let single = NewBooking { start: None, ..at(&s, local(tomorrow(), 10, 0)) };
    assert_eq!(refusal(h.store.book(&s.actor, single).await), BookingRule::StartRequired);

    let schedule = BookingChange::Reschedule(NewTime {
        professional: Some(s.pro),
        start: local(tomorrow(), 15, 0),
        end: None,
        origin: Origin::Panel,
        override_agenda: false,
    });
    let scheduled = h.store.change_booking(&s.actor, sessions[1].id, schedule).await.expect("scheduled");
    assert_eq!(scheduled.when.map(|w| w.end()), Some(local(tomorrow(), 15, 30)), "the pack's duration");

    let open = h.store.por_reservar(&s.actor, s.client).await.expect("por reservar");
    let open_numbers: Vec<i64> = open.sessions.iter().filter_map(|b| b.pack.map(|p| p.number)).collect();
    assert_eq!(open_numbers, [1, 3, 4]);
    assert_eq!(open.packs.len(), 1);
    assert_eq!((open.packs[0].sessions, open.packs[0].used, open.packs[0].left), (4, 1, 3));
    assert_eq!(open.packs[0].service, pack.id);
    assert_eq!(dated_count(h, &s).await, 1, "only the scheduled session is among the bookings");
}

pub async fn the_calendar_shows_one_or_all_professionals_and_cancelled_ones_when_asked(h: &Harness) {
    let s = setup(h, "sur").await;
    let other = staff(h, &s.actor, "otra@clinica.cl").await;
    h.store.set_agenda(&s.actor, other, office_hours()).await.expect("agenda");
    let changes = ServiceChanges { professionals: Some([s.pro, other].into()), ..Default::default() };
    h.store.update_service(&s.actor, s.service.id, changes).await.expect("both perform it");

    let mine = book(h, &s, local(tomorrow(), 10, 0)).await;
    let theirs = h.store.book(&s.actor, NewBooking { professional: Some(other), ..at(&s, local(tomorrow(), 9, 0)) });
    let theirs = theirs.await.expect("booked").remove(0);
    let gone = book(h, &s, local(tomorrow(), 15, 0)).await;
    h.store.change_booking(&s.actor, gone.id, BookingChange::Cancel).await.expect("cancelled");
    book(h, &s, local(date(2026, 3, 16), 10, 0)).await;

    let (from, to) = (local(tomorrow(), 0, 0), local(date(2026, 3, 16), 0, 0));
    let all = h.store.calendar(&s.actor, None, from, to, false).await.expect("calendar");
    let ids: Vec<_> = all.iter().map(|e| e.booking.id).collect();
    assert_eq!(ids, [theirs.id, mine.id], "by start, cancelled and other days left out");
    assert_eq!(all[0].client_name, "Ana Pérez");
    assert_eq!(all[0].service_name, "Kinesiología");
    let only_mine = h.store.calendar(&s.actor, Some(s.pro), from, to, false).await.expect("calendar");
    assert_eq!(only_mine.iter().map(|e| e.booking.id).collect::<Vec<_>>(), [mine.id]);
    let with_cancelled = h.store.calendar(&s.actor, Some(s.pro), from, to, true).await.expect("calendar");
    let ids: Vec<_> = with_cancelled.iter().map(|e| (e.booking.id, e.booking.state)).collect();
    assert_eq!(ids, [(mine.id, mine.state), (gone.id, BookingState::Cancelled)], "asked for, the cancelled one too");
    let busy = h.store.busy(&s.actor, s.pro, from, to).await.expect("busy");
    assert_eq!(busy, [mine.when.expect("dated")]);
}

pub async fn client_bookings_filter_and_page_through_once(h: &Harness) {
    let s = setup(h, "sur").await;
    let mut made = Vec::new();
    for day in 15..=19 {
        for hour in [9, 10, 11] {
            made.push(book(h, &s, local(date(2026, 3, day), hour, 0)).await);
        }
    }
    h.store.change_booking(&s.actor, made[0].id, BookingChange::Cancel).await.expect("cancelled");
    h.clock.set(local(date(2026, 3, 17), 10, 30));

    let mut seen = Vec::new();
    let mut query = BookingQuery { when: When::All, limit: 4, ..Default::default() };
    loop {
        let page = h.store.client_bookings(&s.actor, s.client, &query).await.expect("page");
        seen.extend(page.bookings.iter().map(|b| b.when.expect("dated").start()));
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    let mut expected: Vec<Timestamp> = made.iter().map(|b| b.when.expect("dated").start()).collect();
    expected.reverse();
    assert_eq!(seen, expected, "latest first, each once");

    let upcoming = BookingQuery { when: When::Upcoming, limit: 100, ..Default::default() };
    let upcoming = h.store.client_bookings(&s.actor, s.client, &upcoming).await.expect("upcoming").bookings;
    assert_eq!(upcoming.len(), 7, "from 11:00 on the 17th");
    assert_eq!(upcoming[0].when.map(|w| w.start()), Some(local(date(2026, 3, 17), 11, 0)), "soonest first");
    let past = BookingQuery { when: When::Past, limit: 100, ..Default::default() };
    let past = h.store.client_bookings(&s.actor, s.client, &past).await.expect("past").bookings;
    assert_eq!(past.len(), 8, "started before 10:30 on the 17th, the one in progress included");
    let cancelled = BookingQuery { state: Some(BookingState::Cancelled), limit: 100, ..Default::default() };
    let cancelled = h.store.client_bookings(&s.actor, s.client, &cancelled).await.expect("cancelled").bookings;
    assert_eq!(cancelled.iter().map(|b| b.id).collect::<Vec<_>>(), [made[0].id]);
}

pub async fn client_stats_count_what_happened(h: &Harness) {
    let s = setup(h, "sur").await;
    let empty = h.store.client_stats(&s.actor, s.client).await.expect("stats");
    assert_eq!((empty.bookings, empty.total_paid, empty.next_appointment), (0, 0, None));

    let attended = book(h, &s, local(tomorrow(), 9, 0)).await;
    let missed = book(h, &s, local(tomorrow(), 10, 0)).await;
    let cancelled = book(h, &s, local(tomorrow(), 11, 0)).await;
    let next = book(h, &s, local(date(2026, 3, 20), 9, 0)).await;
    book(h, &s, local(date(2026, 3, 21), 9, 0)).await;
    h.store.change_booking(&s.actor, cancelled.id, BookingChange::Cancel).await.expect("cancelled");
    h.clock.set(local(tomorrow(), 12, 0));
    let mark = |a| BookingChange::Attendance(a);
    h.store.change_booking(&s.actor, attended.id, mark(Attendance::Attended)).await.expect("attended");
    h.store.change_booking(&s.actor, missed.id, mark(Attendance::NoShow)).await.expect("no-show");
    for (booking, amount) in [(&attended, 25_000), (&next, 10_000)] {
        let paid = Payment::Paid { amount, method: PaymentMethod::Debit, date: tomorrow() };
        h.store.change_booking(&s.actor, booking.id, BookingChange::Payment(paid)).await.expect("paid");
    }

    let stats = h.store.client_stats(&s.actor, s.client).await.expect("stats");
    assert_eq!((stats.bookings, stats.attended, stats.no_shows, stats.cancelled), (5, 1, 1, 1));
    assert_eq!(stats.total_paid, 35_000);
    assert_eq!(stats.next_appointment.map(|b| b.id), Some(next.id));
}

pub async fn payments_are_bounded_and_their_total_never_overflows(h: &Harness) {
    let s = setup(h, "sur").await;
    let (first, second) = (book(h, &s, local(tomorrow(), 9, 0)).await, book(h, &s, local(tomorrow(), 10, 0)).await);
    let paid =
        |amount| BookingChange::Payment(Payment::Paid { amount, method: PaymentMethod::Cash, date: date(2026, 3, 14) });
    let refused = h.store.change_booking(&s.actor, first.id, paid(i64::MAX)).await;
    assert_eq!(refusal(refused), BookingRule::AmountTooLarge);
    for booking in [&first, &second] {
        h.store.change_booking(&s.actor, booking.id, paid(MAX_PAYMENT_CLP)).await.expect("the most one payment can be");
    }
    let stats = h.store.client_stats(&s.actor, s.client).await.expect("stats");
    assert_eq!(stats.total_paid, 2 * MAX_PAYMENT_CLP);

    // Amounts an older version accepted: the total saturates, no error.
    h.legacy_write("UPDATE bookings SET paid_amount = 9223372036854775807 WHERE paid_amount IS NOT NULL").await;
    let stats = h.store.client_stats(&s.actor, s.client).await.expect("stats read, not an overflow");
    assert_eq!(stats.total_paid, i64::MAX);
}

pub async fn no_booking_in_year_zero_even_with_override(h: &Harness) {
    let s = setup(h, "sur").await;
    let year_zero: Timestamp = "0000-03-01T13:00:00Z".parse().expect("instant");
    let forced = NewBooking { override_agenda: true, ..at(&s, year_zero) };
    assert_eq!(refusal(h.store.book(&s.actor, forced).await), BookingRule::OutOfRange);
    let booking = book(h, &s, local(tomorrow(), 9, 0)).await;
    let far: Timestamp = "9999-12-30T13:00:00Z".parse().expect("instant");
    let moved =
        NewTime { professional: Some(s.pro), start: far, end: None, origin: Origin::Panel, override_agenda: true };
    let refused = h.store.change_booking(&s.actor, booking.id, BookingChange::Reschedule(moved)).await;
    assert_eq!(refusal(refused), BookingRule::OutOfRange);
    assert_eq!(dated_count(h, &s).await, 1, "nothing written");
}

pub async fn deleting_a_client_deletes_its_bookings_and_frees_their_slots(h: &Harness) {
    let s = setup(h, "sur").await;
    let pack = h.store.create_service(&s.actor, new_service("Drenaje", 30, 3, &[s.pro])).await.expect("pack");
    let booked = book(h, &s, local(tomorrow(), 10, 0)).await;
    let sessions = NewBooking { service: pack.id, start: None, professional: None, ..at(&s, local(tomorrow(), 10, 0)) };
    h.store.book(&s.actor, sessions).await.expect("pack bought");
    h.store.delete_client(&s.actor, s.client).await.expect("deleted");

    assert!(matches!(h.store.get_booking(&s.actor, booked.id).await, Err(StoreError::NotFound)));
    let (from, to) = (local(tomorrow(), 0, 0), local(date(2026, 3, 16), 0, 0));
    assert!(h.store.calendar(&s.actor, None, from, to, false).await.expect("calendar").is_empty());
    let other = h.store.create_client(&s.actor, new_client("Bea Soto", "bea@mail.cl")).await.expect("client");
    let again = NewBooking { client: other.id, ..at(&s, local(tomorrow(), 10, 0)) };
    h.store.book(&s.actor, again).await.expect("the slot is free again");
}

pub async fn another_business_cannot_reach_bookings_or_services(h: &Harness) {
    let s = setup(h, "sur").await;
    let norte = business(h, "norte").await;
    let booked = book(h, &s, local(tomorrow(), 10, 0)).await;
    assert!(matches!(h.store.get_booking(&norte, booked.id).await, Err(StoreError::NotFound)));
    let cancel = h.store.change_booking(&norte, booked.id, BookingChange::Cancel).await;
    assert!(matches!(cancel, Err(StoreError::NotFound)), "{cancel:?}");
    assert!(matches!(h.store.get_service(&norte, s.service.id).await, Err(StoreError::NotFound)));
    let update = h.store.update_service(&norte, s.service.id, ServiceChanges::default()).await;
    assert!(matches!(update, Err(StoreError::NotFound)), "{update:?}");
    assert!(matches!(
        h.store.client_bookings(&norte, s.client, &BookingQuery::default()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(h.store.client_stats(&norte, s.client).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.por_reservar(&norte, s.client).await, Err(StoreError::NotFound)));
    let (from, to) = (local(tomorrow(), 0, 0), local(date(2026, 3, 16), 0, 0));
    assert!(h.store.calendar(&norte, None, from, to, false).await.expect("calendar").is_empty());
    assert_eq!(h.store.get_booking(&s.actor, booked.id).await.expect("still there").state, BookingState::Pending);
}

/// Two requests for overlapping times of one professional, sent at once, 50
/// times over: each time exactly one is booked and the other is told whom
/// it collided with.
pub async fn concurrent_overlapping_bookings_let_exactly_one_win(h: &Harness) {
    let s = setup(h, "sur").await;
    // Four races a day, two hours apart, so whichever of a race's two
    // requests wins, the next race starts on a free professional.
    for race in 0..50_i16 {
        let day = date(2026, 3, 15 + i8::try_from(race / 4).expect("small"));
        let hour = [9, 11, 14, 16][usize::try_from(race % 4).expect("small")];
        let start = local(day, hour, 0);
        let (a, b) = tokio::join!(
            h.store.book(&s.actor, at(&s, start)),
            h.store.book(&s.actor, at(&s, start.checked_add(SignedDuration::from_mins(30)).expect("time"))),
        );
        let (won, lost) = match (a, b) {
            (Ok(won), lost @ Err(_)) | (lost @ Err(_), Ok(won)) => (won, lost),
            (a, b) => panic!("race {race}: exactly one must win: {a:?} {b:?}"),
        };
        assert_eq!(refusal(lost), BookingRule::Overlap { with: won[0].id }, "race {race}");
    }
    assert_eq!(dated_count(h, &s).await, 50);
}
