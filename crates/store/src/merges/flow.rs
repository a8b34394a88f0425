//! The steps of a merge, its undo and its preview, written once over each
//! backend's `MergeTx` (its SQL). The caller opens the transaction and
//! commits; every early return rolls it back, so a refusal changes
//! nothing.

use async_trait::async_trait;
use ficha_domain::{
    Actor, BusinessId, Change, Client, ClientId, ClientPreferences, CustomField, CustomValue, GeneralField, MergeId,
    MergeRole, Role,
};
use jiff::Timestamp;

use super::plan::{self, Plan};
use super::record::{ClientSnapshot, MergeRecord, MergeRow, StoredValue, ValueChange};
use super::{MergeOutcome, MergePreview, MergeRefusal, MergeRequest, MoveCounts, PreviewRefusal, undo_until};
use crate::custom_fields::FieldValue;
use crate::custom_fields::record::{read_value, value_text};
use crate::error::{StoreError, StoreResult};
use crate::history::{WhoRecord, value_changes};

/// Per table, the keys of the rows a merge moved.
pub type Moved = std::collections::BTreeMap<String, Vec<String>>;

/// One backend's queries for merging, on an open transaction. Every query
/// binds `business`.
#[async_trait]
pub trait MergeTx: Send {
    /// The client, and whether it is blocked; on PostgreSQL its row is
    /// locked `FOR UPDATE` until the transaction ends when `lock`.
    /// `NotFound` for another business's client.
    async fn hold(&mut self, business: BusinessId, client: ClientId, lock: bool) -> StoreResult<(Client, bool)>;

    /// The client's custom values (archived fields' included).
    async fn values(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Vec<FieldValue>>;

    /// The business's custom fields, archived ones included.
    async fn fields(&mut self, business: BusinessId) -> StoreResult<Vec<CustomField>>;

    /// Whether the client has a data-subject request not yet closed.
    async fn open_request(&mut self, business: BusinessId, client: ClientId) -> StoreResult<bool>;

    /// How many of each kind of row a merge would move from `client`.
    async fn counts(&mut self, business: BusinessId, client: ClientId) -> StoreResult<MoveCounts>;

    async fn preferences(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Option<ClientPreferences>>;

    /// Writes (or, with `None`, removes) the client's choices.
    async fn set_preferences(
        &mut self,
        business: BusinessId,
        client: ClientId,
        preferences: Option<ClientPreferences>,
        now: Timestamp,
    ) -> StoreResult<()>;

    async fn password(&mut self, business: BusinessId, client: ClientId) -> StoreResult<Option<String>>;

    async fn set_password(
        &mut self,
        business: BusinessId,
        client: ClientId,
        hash: &str,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Moves every row keyed by `from` to `to` (bookings, notes, attention
    /// notes, messages, history, access log, consents, closed data
    /// requests; aliases and merges that name `from` as their client or
    /// survivor) and returns their keys per table.
    async fn move_rows(&mut self, business: BusinessId, from: ClientId, to: ClientId) -> StoreResult<Moved>;

    /// Moves the rows `moved` names that are still `from`'s back to `to`.
    async fn move_back(&mut self, business: BusinessId, moved: &Moved, from: ClientId, to: ClientId)
    -> StoreResult<()>;

    /// Deletes the client's row (and, by cascade, what is left keyed by
    /// it: values, choices, password, sessions, match keys, its search
    /// entry).
    async fn delete_client(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()>;

    /// Inserts `client` as it is (id, registration and all).
    async fn insert_client(&mut self, business: BusinessId, client: &Client) -> StoreResult<()>;

    /// Writes every column of `client` (general data, registration, last
    /// booking, version).
    async fn write_client(&mut self, business: BusinessId, client: &Client) -> StoreResult<()>;

    /// Writes (or, with `None`, clears) one custom value.
    async fn set_value(
        &mut self,
        business: BusinessId,
        client: ClientId,
        field: &CustomField,
        value: Option<&CustomValue>,
    ) -> StoreResult<()>;

    /// Rebuilds the client's search entry from its rows.
    async fn refresh_search(&mut self, business: BusinessId, client: ClientId) -> StoreResult<()>;

    /// Who holds `email_key`: a client's own email, else an alias (the
    /// one lookup every path shares).
    async fn email_holder(&mut self, business: BusinessId, email_key: &str) -> StoreResult<Option<ClientId>>;

    /// Makes `email_key` an alias of `client`; an alias the key already
    /// is (of the survivor, moved with its rows) stays.
    async fn insert_alias(
        &mut self,
        business: BusinessId,
        email_key: &str,
        client: ClientId,
        merge: MergeId,
    ) -> StoreResult<()>;

    async fn delete_aliases(&mut self, business: BusinessId, merge: MergeId) -> StoreResult<()>;

    async fn insert_merge(&mut self, business: BusinessId, actor: &Actor, row: &MergeRow) -> StoreResult<()>;

    /// The merge, locked against a second undo; `NotFound` outside the
    /// business.
    async fn hold_merge(&mut self, business: BusinessId, merge: MergeId) -> StoreResult<MergeRow>;

    async fn mark_undone(&mut self, business: BusinessId, merge: MergeId, at: Timestamp) -> StoreResult<()>;

    async fn record(&mut self, actor: &Actor, client: ClientId, at: Timestamp, changes: &[Change]) -> StoreResult<()>;

    /// The business's "professionals may merge" setting (false without a
    /// row).
    async fn professionals_may_merge(&mut self, business: BusinessId) -> StoreResult<bool>;
}

/// `super::may_merge` with the setting read on this transaction (only
/// when the actor is a professional: owners never pay the read).
pub async fn merger(tx: &mut dyn MergeTx, actor: &Actor) -> StoreResult<()> {
    let allowed = !actor.is_client() && !actor.is_owner() && tx.professionals_may_merge(actor.business()).await?;
    super::may_merge(actor, allowed)
}

/// Undoing a merge, and listing the merges that offer it, are the owners'
/// (and the system's) whatever the setting; a client is told nothing
/// exists.
pub fn owners_only(actor: &Actor) -> StoreResult<()> {
    if actor.is_client() {
        return Err(StoreError::NotFound);
    }
    if !actor.is_owner() {
        return Err(StoreError::OwnerOnly);
    }
    Ok(())
}

/// `MergeStore::merge_preview` on a read transaction.
pub async fn preview(
    tx: &mut dyn MergeTx,
    actor: &Actor,
    survivor: ClientId,
    absorbed: ClientId,
) -> StoreResult<MergePreview> {
    merger(tx, actor).await?;
    let business = actor.business();
    let (s, s_blocked) = tx.hold(business, survivor, false).await?;
    let (a, a_blocked) = tx.hold(business, absorbed, false).await?;
    let survivor_values = tx.values(business, survivor).await?;
    let absorbed_values = tx.values(business, absorbed).await?;
    let refusal = if survivor == absorbed {
        Some(PreviewRefusal::Refused(MergeRefusal::SameClient))
    } else if s_blocked {
        Some(PreviewRefusal::Blocked { client: survivor })
    } else if a_blocked {
        Some(PreviewRefusal::Blocked { client: absorbed })
    } else {
        open_requests(tx, business, [survivor, absorbed]).await?.map(PreviewRefusal::Refused)
    };
    let moves = tx.counts(business, absorbed).await?;
    Ok(MergePreview {
        differing_fields: plan::differing_fields(&s, &a),
        differing_custom: plan::differing_custom(&survivor_values, &absorbed_values),
        survivor: s,
        absorbed: a,
        survivor_values,
        absorbed_values,
        moves,
        refusal,
    })
}

async fn open_requests(
    tx: &mut dyn MergeTx,
    business: BusinessId,
    clients: [ClientId; 2],
) -> StoreResult<Option<MergeRefusal>> {
    for client in clients {
        if tx.open_request(business, client).await? {
            return Ok(Some(MergeRefusal::OpenDataRequest { client }));
        }
    }
    Ok(None)
}

/// A choice the opt-outs of both profiles make: a "no" said on either
/// profile stays said.
fn merged_preferences(s: Option<ClientPreferences>, a: Option<ClientPreferences>) -> Option<ClientPreferences> {
    match (s, a) {
        (Some(s), Some(a)) => Some(ClientPreferences {
            no_whatsapp: s.no_whatsapp || a.no_whatsapp,
            no_reminders: s.no_reminders || a.no_reminders,
        }),
        (s, a) => s.or(a),
    }
}

/// `MergeStore::merge_clients` inside the backend's writing transaction.
pub async fn merge(
    tx: &mut dyn MergeTx,
    actor: &Actor,
    request: &MergeRequest,
    now: Timestamp,
) -> StoreResult<MergeOutcome> {
    merger(tx, actor).await?;
    let business = actor.business();
    let (survivor, absorbed) = (request.survivor, request.absorbed);
    if survivor == absorbed {
        // Still tells an unknown id apart from a refusal.
        tx.hold(business, survivor, false).await?;
        return Err(StoreError::MergeRefused(MergeRefusal::SameClient));
    }
    // Both rows locked, always in id order, so two merges of one pair (or
    // crossed) queue instead of deadlocking.
    let (first, second) = if survivor < absorbed { (survivor, absorbed) } else { (absorbed, survivor) };
    let held_first = tx.hold(business, first, true).await?;
    let held_second = tx.hold(business, second, true).await?;
    let ((s, s_blocked), (a, a_blocked)) =
        if first == survivor { (held_first, held_second) } else { (held_second, held_first) };
    if s_blocked || a_blocked {
        return Err(StoreError::ClientBlocked);
    }
    for (client, expected) in [(&s, request.survivor_version), (&a, request.absorbed_version)] {
        if expected.is_some_and(|v| v != client.version) {
            return Err(StoreError::Stale { current: Box::new(client.clone()) });
        }
    }
    if let Some(refusal) = open_requests(tx, business, [survivor, absorbed]).await? {
        return Err(StoreError::MergeRefused(refusal));
    }
    let survivor_values = tx.values(business, survivor).await?;
    let absorbed_values = tx.values(business, absorbed).await?;
    let fields = tx.fields(business).await?;
    let Plan { client: merged, values, alias } =
        plan::plan(&s, &a, &survivor_values, &absorbed_values, &fields, &request.choices)
            .map_err(StoreError::MergeRefused)?;
    let preferences_before = tx.preferences(business, survivor).await?;
    let absorbed_preferences = tx.preferences(business, absorbed).await?;
    let preferences_after = merged_preferences(preferences_before, absorbed_preferences);
    let absorbed_password = tx.password(business, absorbed).await?;
    let counts = tx.counts(business, absorbed).await?;

    let merge = MergeId::generate();
    let moved = tx.move_rows(business, absorbed, survivor).await?;
    tx.delete_client(business, absorbed).await?;
    tx.write_client(business, &merged).await?;
    let mut value_changes_made = Vec::new();
    for (field, value) in &values {
        tx.set_value(business, survivor, field, value.as_ref()).await?;
        let before = survivor_values.iter().find(|v| v.field.id == field.id).map(|v| value_text(&v.value));
        value_changes_made.push(ValueChange {
            field: field.id.as_uuid(),
            before,
            after: value.as_ref().map(value_text),
        });
    }
    if preferences_after != preferences_before {
        tx.set_preferences(business, survivor, preferences_after, now).await?;
    }
    tx.refresh_search(business, survivor).await?;

    let record = MergeRecord {
        absorbed: ClientSnapshot::of(&a),
        absorbed_values: absorbed_values
            .iter()
            .map(|v| StoredValue { field: v.field.id.as_uuid(), value: value_text(&v.value) })
            .collect(),
        absorbed_preferences,
        absorbed_password,
        survivor_before: ClientSnapshot::of(&s),
        survivor_after: ClientSnapshot::of(&merged),
        value_changes: value_changes_made,
        preferences_before,
        preferences_after,
        alias: alias.key(),
        moved,
    };
    let row = MergeRow { id: merge, survivor, absorbed, at: now, who: who_of(actor), undone_at: None, record };
    tx.insert_merge(business, actor, &row).await?;
    tx.insert_alias(business, &alias.key(), survivor, merge).await?;

    let values_after = crate::custom_fields::values_after(survivor_values.clone(), &values);
    let mut changes = vec![Change::ClientMerged {
        merge,
        role: MergeRole::Survivor,
        other: absorbed,
        other_name: a.name.as_str().to_owned(),
        other_email: a.email.as_str().to_owned(),
    }];
    changes.extend(Change::between(&s, &merged));
    changes.extend(value_changes(&survivor_values, &values_after));
    tx.record(actor, survivor, now, &changes).await?;
    Ok(MergeOutcome { merge, survivor: merged, moved: counts })
}

fn who_of(actor: &Actor) -> WhoRecord {
    let (kind, staff) = WhoRecord::columns(actor);
    WhoRecord { kind: kind.to_owned(), staff, staff_name: None }
}

/// The actor a merge was made by, to write its entry on the absorbed
/// profile when it comes back (the role does not go into the history).
fn actor_of(business: BusinessId, who: &WhoRecord) -> Actor {
    match (who.kind.as_str(), who.staff) {
        ("staff", Some(staff)) => {
            Actor::Staff { business, staff: Some(ficha_domain::StaffId::from_uuid(staff)), role: Role::Owner }
        }
        ("integration", _) => Actor::Staff { business, staff: None, role: Role::Owner },
        _ => Actor::System { business },
    }
}

/// `MergeStore::undo_merge` inside the backend's writing transaction.
pub async fn undo(tx: &mut dyn MergeTx, actor: &Actor, merge: MergeId, now: Timestamp) -> StoreResult<Client> {
    owners_only(actor)?;
    let business = actor.business();
    let row = tx.hold_merge(business, merge).await?;
    if row.undone_at.is_some() {
        return Err(StoreError::MergeRefused(MergeRefusal::AlreadyUndone));
    }
    if now > undo_until(row.at) {
        return Err(StoreError::MergeRefused(MergeRefusal::UndoExpired));
    }
    let record = &row.record;
    let (current, blocked) = tx.hold(business, row.survivor, true).await?;
    if blocked {
        return Err(StoreError::ClientBlocked);
    }

    // The survivor's values the merge changed go back, each only if it was
    // not changed again since.
    let before = record.survivor_before.clone().into_client(row.survivor)?;
    let after = record.survivor_after.clone().into_client(row.survivor)?;
    let mut reverted = current.clone();
    for field in GeneralField::ALL {
        if field.value_of(&current) == field.value_of(&after) {
            set_field(&mut reverted, &before, field);
        }
    }
    if current.registered_at == after.registered_at {
        reverted.registered_at = before.registered_at;
    }
    if current.last_booking_at == after.last_booking_at {
        reverted.last_booking_at = before.last_booking_at;
    }
    let absorbed = record.absorbed.clone().into_client(row.absorbed)?;
    if reverted.email.key() == absorbed.email.key() {
        return Err(StoreError::MergeRefused(MergeRefusal::EmailReused { by: row.survivor }));
    }
    tx.delete_aliases(business, merge).await?;
    if reverted != current {
        reverted.version += 1;
        tx.write_client(business, &reverted).await?;
    }
    if let Some(holder) = tx.email_holder(business, &absorbed.email.key()).await? {
        return Err(StoreError::MergeRefused(MergeRefusal::EmailReused { by: holder }));
    }

    let fields = tx.fields(business).await?;
    let field_of = |id: uuid::Uuid| fields.iter().find(|f| f.id.as_uuid() == id);
    let survivor_values = tx.values(business, row.survivor).await?;
    let mut rewritten = Vec::new();
    for change in &record.value_changes {
        let Some(field) = field_of(change.field) else { continue };
        let now_text = survivor_values.iter().find(|v| v.field.id == field.id).map(|v| value_text(&v.value));
        if now_text == change.after {
            let value = change.before.as_deref().map(|text| read_value(field, text)).transpose()?;
            tx.set_value(business, row.survivor, field, value.as_ref()).await?;
            rewritten.push((field.clone(), value));
        }
    }
    if tx.preferences(business, row.survivor).await? == record.preferences_after
        && record.preferences_after != record.preferences_before
    {
        tx.set_preferences(business, row.survivor, record.preferences_before, now).await?;
    }

    let mut restored = absorbed.clone();
    restored.version += 1;
    tx.insert_client(business, &restored).await?;
    for stored in &record.absorbed_values {
        let Some(field) = field_of(stored.field) else { continue };
        let value = read_value(field, &stored.value)?;
        tx.set_value(business, row.absorbed, field, Some(&value)).await?;
    }
    if record.absorbed_preferences.is_some() {
        tx.set_preferences(business, row.absorbed, record.absorbed_preferences, now).await?;
    }
    if let Some(hash) = &record.absorbed_password {
        tx.set_password(business, row.absorbed, hash, now).await?;
    }
    tx.move_back(business, &record.moved, row.survivor, row.absorbed).await?;
    tx.refresh_search(business, row.survivor).await?;
    tx.refresh_search(business, row.absorbed).await?;
    tx.mark_undone(business, merge, now).await?;

    let undone = |role, other: &Client| Change::MergeUndone {
        merge,
        role,
        other: other.id,
        other_name: other.name.as_str().to_owned(),
        other_email: other.email.as_str().to_owned(),
    };
    let values_after = crate::custom_fields::values_after(survivor_values.clone(), &rewritten);
    let mut changes = vec![undone(MergeRole::Survivor, &restored)];
    changes.extend(Change::between(&current, &reverted));
    changes.extend(value_changes(&survivor_values, &values_after));
    tx.record(actor, row.survivor, now, &changes).await?;
    // The absorbed profile's own history came back with its rows; the
    // merge goes in it as made (who, when), then its undo.
    let merged = Change::ClientMerged {
        merge,
        role: MergeRole::Absorbed,
        other: row.survivor,
        other_name: before.name.as_str().to_owned(),
        other_email: before.email.as_str().to_owned(),
    };
    tx.record(&actor_of(business, &row.who), row.absorbed, row.at, &[merged]).await?;
    tx.record(actor, row.absorbed, now, &[undone(MergeRole::Absorbed, &before)]).await?;
    Ok(restored)
}

fn set_field(client: &mut Client, from: &Client, field: GeneralField) {
    match field {
        GeneralField::Name => client.name = from.name.clone(),
        GeneralField::Email => client.email = from.email.clone(),
        GeneralField::Phone => client.phone = from.phone.clone(),
        GeneralField::Rut => client.rut = from.rut,
        GeneralField::BirthDate => client.birth_date = from.birth_date,
    }
}
