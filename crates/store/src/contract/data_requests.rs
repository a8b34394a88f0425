//! Contract cases for the data-request register: the due date from the
//! business's setting, only legal transitions, one extension, the history
//! and the requester's emails, owners only (a client their own), the
//! privacy page's code, the header's counts, and tenancy.

use ficha_domain::Clock as _;
use ficha_domain::{
    Actor, Change, ClientName, DataRequest, DataRight, DueDays, Email, NewStaff, NoteText, NoticeKind, RequestChannel,
    RequestEvent, RequestStatus, RequestStep, Role, StepRefused,
};
use jiff::SignedDuration;
use jiff::civil::date;
use uuid::Uuid;

use super::{Harness, business, new_client};
use crate::client_accounts::{MAX_CODE_ATTEMPTS, sign_in_code_hash};
use crate::{HistoryQuery, MessageQuery, NewDataRequest, PrivacyCode, RequestFilter, SignInRefused, StoreError};

#[macro_export]
macro_rules! data_requests_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            a_request_falls_due_by_the_business_setting_and_is_told,
            requests_move_only_by_legal_transitions_and_extend_once,
            only_owners_reach_requests_and_never_another_business,
            a_client_files_and_reads_only_their_own_requests,
            a_privacy_code_files_once_matched_by_email_and_dies_after_wrong_codes,
            due_counts_flag_overdue_and_near_due_requests,
            a_request_outlives_its_profile
        );
    };
}

async fn staff(h: &Harness, system: &Actor, email: &str, role: Role) -> Actor {
    let new = NewStaff {
        name: ClientName::parse("Paz Rojas").expect("valid"),
        email: Email::parse(email).expect("valid"),
        role,
        password_hash: "$argon2id$placeholder".into(),
    };
    let created = h.store.create_staff(system, new).await.expect("staff created");
    Actor::Staff { business: system.business(), staff: Some(created.id), role }
}

fn text(t: &str) -> NoteText {
    NoteText::parse(t).expect("valid")
}

fn by_phone(client: ficha_domain::ClientId, right: DataRight) -> NewDataRequest {
    NewDataRequest { client: Some(client), email: None, right, channel: RequestChannel::Phone, detail: None }
}

async fn told(h: &Harness, actor: &Actor, kind: NoticeKind) -> Vec<ficha_domain::Facts> {
    let page = h.store.messages(actor, &MessageQuery { limit: 100, ..Default::default() }).await.expect("listed");
    page.messages.into_iter().filter(|m| m.kind == kind).map(|m| m.facts).collect()
}

async fn request_history(h: &Harness, actor: &Actor, client: ficha_domain::ClientId) -> Vec<RequestEvent> {
    let page = h.store.client_history(actor, client, &HistoryQuery::default()).await.expect("history");
    page.entries
        .into_iter()
        .filter_map(|e| match e.change {
            Change::DataRequest { event, .. } => Some(event),
            _ => None,
        })
        .collect()
}

pub async fn a_request_falls_due_by_the_business_setting_and_is_told(h: &Harness) {
    let system = business(h, "plazos").await;
    let owner = staff(h, &system, "duena@plazos.cl", Role::Owner).await;
    let ana = h.store.create_client(&owner, new_client("Ana Pérez", "ana@m.cl")).await.expect("client").id;

    // 2026-03-14 in Santiago: 30 calendar days by default.
    assert_eq!(h.store.data_request_due_days(&owner).await.expect("read"), DueDays::DEFAULT);
    let first = h.store.file_data_request(&owner, by_phone(ana, DataRight::Access)).await.expect("filed");
    assert_eq!((first.received_on, first.due_on), (date(2026, 3, 14), date(2026, 4, 13)));
    assert_eq!((first.status, first.channel), (RequestStatus::Received, RequestChannel::Phone));
    assert_eq!(first.email.as_str(), "ana@m.cl");
    assert_eq!(first.client_name.as_deref(), Some("Ana Pérez"));
    assert_eq!(h.store.data_request(&owner, first.id).await.expect("read"), first);

    let ten = DueDays::new(10).expect("valid");
    h.store.set_data_request_due_days(&owner, ten).await.expect("set");
    assert_eq!(h.store.data_request_due_days(&owner).await.expect("read"), ten);
    let second = h.store.file_data_request(&owner, by_phone(ana, DataRight::Erasure)).await.expect("filed");
    assert_eq!(second.due_on, date(2026, 3, 24));
    // The first keeps the due date it got.
    assert_eq!(h.store.data_request(&owner, first.id).await.expect("read").due_on, date(2026, 4, 13));

    assert_eq!(
        request_history(h, &owner, ana).await,
        vec![
            RequestEvent::Received { due_on: date(2026, 3, 24) },
            RequestEvent::Received { due_on: date(2026, 4, 13) }
        ]
    );
    let acks = told(h, &owner, NoticeKind::DataRequestReceived).await;
    assert_eq!(acks.len(), 2);
    let dues: Vec<_> = acks.iter().filter_map(|f| f.data_request.as_ref().map(|r| r.due_on)).collect();
    assert!(dues.contains(&date(2026, 4, 13)) && dues.contains(&date(2026, 3, 24)), "{dues:?}");

    let pro = staff(h, &system, "pro@plazos.cl", Role::Professional).await;
    assert!(matches!(h.store.set_data_request_due_days(&pro, ten).await, Err(StoreError::OwnerOnly)));
}

pub async fn requests_move_only_by_legal_transitions_and_extend_once(h: &Harness) {
    let system = business(h, "pasos").await;
    let owner = staff(h, &system, "duena@pasos.cl", Role::Owner).await;
    let ana = h.store.create_client(&owner, new_client("Ana Pérez", "ana@m.cl")).await.expect("client").id;
    let filed = h.store.file_data_request(&owner, by_phone(ana, DataRight::Rectification)).await.expect("filed");
    let step = |s: RequestStep| h.store.step_data_request(&owner, filed.id, s);
    let answer = || RequestStep::Answer { response: text("Corregimos su teléfono."), action_taken: None };

    let early = step(answer()).await;
    assert!(matches!(early, Err(StoreError::RequestStep(StepRefused::NotAllowed))), "{early:?}");
    let extended = step(RequestStep::Extend { reason: text("Revisión de fichas en papel") }).await.expect("extended");
    assert_eq!(extended.due_on, date(2026, 5, 13));
    assert_eq!(extended.extension.as_ref().map(|e| e.previous_due), Some(date(2026, 4, 13)));
    let again = step(RequestStep::Extend { reason: text("otra vez") }).await;
    assert!(matches!(again, Err(StoreError::RequestStep(StepRefused::AlreadyExtended))), "{again:?}");

    let started = step(RequestStep::Start).await.expect("started");
    assert_eq!(started.status, RequestStatus::InProgress);
    let done = RequestStep::Answer { response: text("Corregimos su teléfono."), action_taken: Some(text("Ficha")) };
    let answered = step(done).await.expect("answered");
    assert_eq!(answered.status, RequestStatus::Answered);
    assert_eq!(answered.response.as_ref().map(NoteText::as_str), Some("Corregimos su teléfono."));
    assert_eq!(answered.closed_at, Some(h.clock.now()));
    let after = step(RequestStep::Refuse { reason: text("no"), action_taken: None }).await;
    assert!(matches!(after, Err(StoreError::RequestStep(StepRefused::NotAllowed))), "{after:?}");
    assert_eq!(h.store.data_request(&owner, filed.id).await.expect("read"), answered, "a refusal changed nothing");

    let events = request_history(h, &owner, ana).await;
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(events[0], RequestEvent::Moved { from: RequestStatus::InProgress, to: RequestStatus::Answered });
    let answers = told(h, &owner, NoticeKind::DataRequestAnswered).await;
    assert_eq!(answers.len(), 1);
    let facts = answers[0].data_request.as_ref().expect("about the request");
    assert_eq!((facts.status.as_str(), facts.response.as_deref()), ("answered", Some("Corregimos su teléfono.")));

    // A refusal carries its reason.
    let other = h.store.file_data_request(&owner, by_phone(ana, DataRight::Erasure)).await.expect("filed");
    h.store.step_data_request(&owner, other.id, RequestStep::Start).await.expect("started");
    let reason = RequestStep::Refuse { reason: text("Boletas: 6 años (SII)"), action_taken: None };
    let refused = h.store.step_data_request(&owner, other.id, reason).await.expect("refused");
    assert_eq!(refused.status, RequestStatus::Refused);
    assert_eq!(refused.response.as_ref().map(NoteText::as_str), Some("Boletas: 6 años (SII)"));
}

pub async fn only_owners_reach_requests_and_never_another_business(h: &Harness) {
    let system = business(h, "duenos").await;
    let owner = staff(h, &system, "duena@duenos.cl", Role::Owner).await;
    let pro = staff(h, &system, "pro@duenos.cl", Role::Professional).await;
    let ana = h.store.create_client(&owner, new_client("Ana Pérez", "ana@m.cl")).await.expect("client").id;
    let filed = h.store.file_data_request(&owner, by_phone(ana, DataRight::Access)).await.expect("filed");

    let owner_only = |r: Result<(), StoreError>| assert!(matches!(r, Err(StoreError::OwnerOnly)), "{r:?}");
    owner_only(h.store.file_data_request(&pro, by_phone(ana, DataRight::Access)).await.map(drop));
    owner_only(h.store.data_requests(&pro, &RequestFilter::default()).await.map(drop));
    owner_only(h.store.data_request(&pro, filed.id).await.map(drop));
    owner_only(h.store.step_data_request(&pro, filed.id, RequestStep::Start).await.map(drop));
    owner_only(h.store.data_requests_due(&pro, date(2026, 3, 14), date(2026, 3, 19)).await.map(drop));
    // Staff record what came by mail, phone or in person, not the site's.
    let posing = NewDataRequest { channel: RequestChannel::PrivacyPage, ..by_phone(ana, DataRight::Access) };
    owner_only(h.store.file_data_request(&owner, posing).await.map(drop));

    let other = business(h, "otro").await;
    assert!(matches!(h.store.data_request(&other, filed.id).await, Err(StoreError::NotFound)));
    let moved = h.store.step_data_request(&other, filed.id, RequestStep::Start).await;
    assert!(matches!(moved, Err(StoreError::NotFound)));
    assert!(h.store.data_requests(&other, &RequestFilter::default()).await.expect("listed").is_empty());
    let filed_elsewhere = h.store.file_data_request(&other, by_phone(ana, DataRight::Access)).await;
    assert!(matches!(filed_elsewhere, Err(StoreError::NotFound)), "another business's client");
    assert_eq!(h.store.data_request(&owner, filed.id).await.expect("read").status, RequestStatus::Received);
}

pub async fn a_client_files_and_reads_only_their_own_requests(h: &Harness) {
    let system = business(h, "propias").await;
    let ana = h.store.create_client(&system, new_client("Ana Pérez", "ana@m.cl")).await.expect("client").id;
    let luis = h.store.create_client(&system, new_client("Luis Soto", "luis@m.cl")).await.expect("client").id;
    let as_ana = Actor::Client { business: system.business(), client: ana };
    let as_luis = Actor::Client { business: system.business(), client: luis };

    // Naming another profile does not file for it.
    let mine = NewDataRequest {
        client: Some(luis),
        email: None,
        right: DataRight::Portability,
        channel: RequestChannel::Account,
        detail: Some(text("En JSON, por favor")),
    };
    let filed = h.store.file_data_request(&as_ana, mine).await.expect("filed");
    assert_eq!((filed.client, filed.email.as_str()), (Some(ana), "ana@m.cl"));
    let luis_own = NewDataRequest { client: None, ..by_phone(luis, DataRight::Access) };
    let by_phone_as_client = h.store.file_data_request(&as_luis, luis_own.clone()).await;
    assert!(matches!(by_phone_as_client, Err(StoreError::OwnerOnly)), "a client files from Mi cuenta only");
    let luis_request = NewDataRequest { channel: RequestChannel::Account, ..luis_own };
    let theirs = h.store.file_data_request(&as_luis, luis_request).await.expect("filed");

    let listed = h.store.data_requests(&as_ana, &RequestFilter::default()).await.expect("listed");
    assert_eq!(listed.iter().map(|r| r.id).collect::<Vec<_>>(), vec![filed.id]);
    let asked_for_luis = RequestFilter { client: Some(luis), status: None };
    let still_own = h.store.data_requests(&as_ana, &asked_for_luis).await.expect("listed");
    assert_eq!(still_own.iter().map(|r| r.id).collect::<Vec<_>>(), vec![filed.id]);
    assert!(matches!(h.store.data_request(&as_ana, theirs.id).await, Err(StoreError::NotFound)));
    let stepped = h.store.step_data_request(&as_ana, filed.id, RequestStep::Start).await;
    assert!(matches!(stepped, Err(StoreError::OwnerOnly)));
    assert_eq!(h.store.data_requests(&system, &RequestFilter::default()).await.expect("listed").len(), 2);
}

fn code_for(h: &Harness, email: &str, right: DataRight, code: &str) -> PrivacyCode {
    let id = Uuid::now_v7();
    PrivacyCode {
        id,
        email: Email::parse(email).expect("valid"),
        right,
        detail: None,
        code_hash: sign_in_code_hash(id, code),
        expires_at: h.clock.now() + SignedDuration::from_mins(15),
    }
}

pub async fn a_privacy_code_files_once_matched_by_email_and_dies_after_wrong_codes(h: &Harness) {
    let system = business(h, "privacidad").await;
    let ana = h.store.create_client(&system, new_client("Ana Pérez", "ana@m.cl")).await.expect("client").id;
    let confirm = |id, code: &str| {
        let (system, hash) = (system, sign_in_code_hash(id, code));
        async move { h.store.confirm_privacy_code(&system, id, &hash).await }
    };

    // The address typed in another case still finds Ana's profile.
    let code = code_for(h, "ANA@m.cl", DataRight::Blocking, "123456");
    h.store.issue_privacy_code(&system, &code).await.expect("issued");
    assert_eq!(confirm(code.id, "000000").await.expect("ran").err(), Some(SignInRefused::Wrong));
    let filed: DataRequest = confirm(code.id, "123456").await.expect("ran").expect("filed");
    assert_eq!(
        (filed.client, filed.right, filed.channel),
        (Some(ana), DataRight::Blocking, RequestChannel::PrivacyPage)
    );
    assert_eq!(confirm(code.id, "123456").await.expect("ran").err(), Some(SignInRefused::Dead), "used once");
    assert_eq!(request_history(h, &system, ana).await.len(), 1);

    // No profile: the request stays with the address.
    let stranger = code_for(h, "nadie@m.cl", DataRight::Access, "654321");
    h.store.issue_privacy_code(&system, &stranger).await.expect("issued");
    let unmatched = confirm(stranger.id, "654321").await.expect("ran").expect("filed");
    assert_eq!((unmatched.client, unmatched.email.as_str()), (None, "nadie@m.cl"));
    let acks = told(h, &system, NoticeKind::DataRequestReceived).await;
    assert_eq!(acks.len(), 2, "each requester is told the due date");

    // Five wrong codes kill it, the right one included afterwards.
    let guessed = code_for(h, "ana@m.cl", DataRight::Access, "111111");
    h.store.issue_privacy_code(&system, &guessed).await.expect("issued");
    for _ in 0..MAX_CODE_ATTEMPTS {
        assert_eq!(confirm(guessed.id, "999999").await.expect("ran").err(), Some(SignInRefused::Wrong));
    }
    assert_eq!(confirm(guessed.id, "111111").await.expect("ran").err(), Some(SignInRefused::Dead));

    // Expired after 15 minutes; another business cannot spend it.
    let late = code_for(h, "ana@m.cl", DataRight::Access, "222222");
    h.store.issue_privacy_code(&system, &late).await.expect("issued");
    let other = business(h, "ajeno").await;
    let elsewhere = h.store.confirm_privacy_code(&other, late.id, &sign_in_code_hash(late.id, "222222")).await;
    assert_eq!(elsewhere.expect("ran").err(), Some(SignInRefused::Dead));
    h.clock.advance(SignedDuration::from_mins(16));
    assert_eq!(confirm(late.id, "222222").await.expect("ran").err(), Some(SignInRefused::Dead));
    assert_eq!(h.store.data_requests(&system, &RequestFilter::default()).await.expect("listed").len(), 2);
}

pub async fn due_counts_flag_overdue_and_near_due_requests(h: &Harness) {
    let system = business(h, "avisos").await;
    let owner = staff(h, &system, "duena@avisos.cl", Role::Owner).await;
    let ana = h.store.create_client(&owner, new_client("Ana Pérez", "ana@m.cl")).await.expect("client").id;
    h.store.set_data_request_due_days(&owner, DueDays::new(10).expect("valid")).await.expect("set");
    let early = h.store.file_data_request(&owner, by_phone(ana, DataRight::Access)).await.expect("filed");
    h.clock.advance(SignedDuration::from_hours(24 * 4));
    let later = h.store.file_data_request(&owner, by_phone(ana, DataRight::Opposition)).await.expect("filed");
    let closed = h.store.file_data_request(&owner, by_phone(ana, DataRight::Access)).await.expect("filed");
    h.store.step_data_request(&owner, closed.id, RequestStep::Start).await.expect("started");
    let reason = RequestStep::Refuse { reason: text("Duplicada"), action_taken: None };
    h.store.step_data_request(&owner, closed.id, reason).await.expect("refused");
    assert_eq!((early.due_on, later.due_on), (date(2026, 3, 24), date(2026, 3, 28)));

    let counts = |today, soon| h.store.data_requests_due(&owner, today, soon);
    let none = counts(date(2026, 3, 14), date(2026, 3, 19)).await.expect("counted");
    assert_eq!((none.overdue, none.due_soon), (0, 0));
    let soon = counts(date(2026, 3, 20), date(2026, 3, 25)).await.expect("counted");
    assert_eq!((soon.overdue, soon.due_soon), (0, 1));
    let late = counts(date(2026, 3, 25), date(2026, 3, 30)).await.expect("counted");
    assert_eq!((late.overdue, late.due_soon), (1, 1));

    // The list: open ones by due date, then the closed.
    let listed = h.store.data_requests(&owner, &RequestFilter::default()).await.expect("listed");
    assert_eq!(listed.iter().map(|r| r.id).collect::<Vec<_>>(), vec![early.id, later.id, closed.id]);
    let refused = RequestFilter { status: Some(RequestStatus::Refused), client: None };
    let only = h.store.data_requests(&owner, &refused).await.expect("listed");
    assert_eq!(only.iter().map(|r| r.id).collect::<Vec<_>>(), vec![closed.id]);
}

pub async fn a_request_outlives_its_profile(h: &Harness) {
    let system = business(h, "supresion").await;
    let owner = staff(h, &system, "duena@supresion.cl", Role::Owner).await;
    let ana = h.store.create_client(&owner, new_client("Ana Pérez", "ana@m.cl")).await.expect("client").id;
    let filed = h.store.file_data_request(&owner, by_phone(ana, DataRight::Erasure)).await.expect("filed");
    h.store.step_data_request(&owner, filed.id, RequestStep::Start).await.expect("started");
    h.store.delete_client(&owner, ana).await.expect("deleted");
    let done =
        RequestStep::Answer { response: text("Eliminamos su ficha."), action_taken: Some(text("Ficha eliminada")) };
    let answered = h.store.step_data_request(&owner, filed.id, done).await.expect("answered after the deletion");
    assert_eq!((answered.client, answered.email.as_str()), (None, "ana@m.cl"));
    assert_eq!(answered.status, RequestStatus::Answered);
}
