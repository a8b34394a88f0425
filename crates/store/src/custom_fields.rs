//! "Otros datos": the business's own fields and each client's values.

pub mod record;

use async_trait::async_trait;
use ficha_domain::{
    Actor, Client, ClientId, CustomField, CustomFieldChanges, CustomFieldId, CustomValue, FieldError, FieldKey,
    NewCustomField,
};

use crate::error::StoreResult;

#[async_trait]
pub trait CustomFieldStore: Send + Sync {
    /// Defines a field; without a position it goes after the others. A key
    /// the business already uses (archived fields included) gives
    /// `FieldKeyTaken`.
    async fn create_field(&self, actor: &Actor, new: NewCustomField) -> StoreResult<CustomField>;

    async fn get_field(&self, actor: &Actor, id: CustomFieldId) -> StoreResult<CustomField>;

    /// The business's fields by position (then by creation), archived ones
    /// only when asked for.
    async fn list_fields(&self, actor: &Actor, include_archived: bool) -> StoreResult<Vec<CustomField>>;

    /// Applies `changes`. Taking away an option that a client's value holds
    /// gives `OptionsInUse` and changes nothing.
    async fn update_field(
        &self,
        actor: &Actor,
        id: CustomFieldId,
        changes: CustomFieldChanges,
    ) -> StoreResult<CustomField>;

    /// Deletes a field nobody has a value of; archives one that has values,
    /// which keep coming back with their clients.
    async fn remove_field(&self, actor: &Actor, id: CustomFieldId) -> StoreResult<Removed>;

    /// The client's values, in the order of their fields; values of archived
    /// fields included (their field says it is archived).
    async fn custom_values(&self, actor: &Actor, client: ClientId) -> StoreResult<Vec<FieldValue>>;

    /// The values of many clients in one query (an export reads a page of
    /// clients at a time): `(client, value)` grouped by client in the order
    /// `clients` lists them, each client's in the order of their fields;
    /// archived fields' values included. Ids of other businesses' clients,
    /// unknown ids and, for a professional, blocked profiles give nothing.
    async fn custom_values_of(&self, actor: &Actor, clients: &[ClientId]) -> StoreResult<Vec<(ClientId, FieldValue)>>;

    /// Sets (`Some`) or clears (`None`) the client's values of the fields
    /// named, in one transaction, if the client's stored version is
    /// `expected_version` (else `Stale`); bumps the version like
    /// `update_client`. Every value is checked against its field as stored
    /// now: unknown and archived fields, emptied required fields and options
    /// that no longer exist give `ValuesRefused`, and nothing is written.
    async fn set_custom_values(
        &self,
        actor: &Actor,
        client: ClientId,
        expected_version: i64,
        values: Vec<(FieldKey, Option<CustomValue>)>,
    ) -> StoreResult<SavedValues>;
}

/// A client's value with the field it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldValue {
    pub field: CustomField,
    pub value: CustomValue,
}

/// Whether any of a client's values is of a sensitive field: what the
/// access log records about a read of the profile.
pub fn has_sensitive(values: &[FieldValue]) -> bool {
    values.iter().any(|v| v.field.sensitive)
}

/// The values an export holds: sensitive ones only when the exporter
/// ticked them explicitly (Ley 21.719; the one-client data file and any
/// later export call this).
pub fn exportable(values: &[FieldValue], include_sensitive: bool) -> impl Iterator<Item = &FieldValue> {
    values.iter().filter(move |v| include_sensitive || !v.field.sensitive)
}

/// A client's values once `accepted` (from `check_values`) is written over
/// `before`, in the order the profile shows them (position, then id): what a
/// save returns, and indexes, without reading its rows back.
pub fn values_after(before: Vec<FieldValue>, accepted: &[(CustomField, Option<CustomValue>)]) -> Vec<FieldValue> {
    let rewritten = |v: &FieldValue| accepted.iter().any(|(field, _)| field.id == v.field.id);
    let mut after: Vec<FieldValue> = before.into_iter().filter(|v| !rewritten(v)).collect();
    after.extend(
        accepted.iter().filter_map(|(field, value)| Some(FieldValue { field: field.clone(), value: value.clone()? })),
    );
    after.sort_by_key(|v| (v.field.position, v.field.id.as_uuid()));
    after
}

/// What a client's values add to its search entry.
pub fn search_texts(values: &[FieldValue]) -> Vec<String> {
    values.iter().map(|v| v.value.search_text(&v.field)).collect()
}

/// What `remove_field` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    /// No client had a value: the field is gone, its key free again.
    Deleted,
    /// Clients have values: the field is kept, archived.
    Archived(CustomField),
}

/// The client and all its values right after `set_custom_values` saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedValues {
    pub client: Client,
    pub values: Vec<FieldValue>,
}

/// One value `set_custom_values` refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedValue {
    pub key: FieldKey,
    /// The field's label; the key itself when there is no such field.
    pub label: String,
    pub error: FieldError,
}

/// Checks `values` against the business's `fields` as stored now, the rule
/// both backends apply inside their writing transaction. Returns, for each
/// value, its field and what to store (`None`: delete), or every refusal.
pub fn check_values(
    fields: &[CustomField],
    values: Vec<(FieldKey, Option<CustomValue>)>,
) -> Result<Vec<(CustomField, Option<CustomValue>)>, Vec<RefusedValue>> {
    let mut accepted = Vec::with_capacity(values.len());
    let mut refused = Vec::new();
    for (key, value) in values {
        let Some(field) = fields.iter().find(|f| f.key == key) else {
            refused.push(RefusedValue { label: key.to_string(), key, error: FieldError::FieldUnknown });
            continue;
        };
        let checked = match value {
            Some(value) => value.conform(field).map(Some),
            None => field.check_empty().map(|()| None),
        };
        match checked {
            // A field named twice keeps its last value, as if written in turn.
            Ok(value) => match accepted.iter_mut().find(|(f, _): &&mut (CustomField, _)| f.id == field.id) {
                Some(slot) => slot.1 = value,
                None => accepted.push((field.clone(), value)),
            },
            Err(error) => refused.push(RefusedValue { key, label: field.label.to_string(), error }),
        }
    }
    if refused.is_empty() { Ok(accepted) } else { Err(refused) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ficha_domain::{ChoiceOptions, FieldKind, FieldLabel, RawValue};

    fn field(key: &str, kind: FieldKind, options: &[&str]) -> CustomField {
        CustomField {
            id: CustomFieldId::generate(),
            key: FieldKey::parse(key).expect("valid"),
            label: FieldLabel::parse(&key.to_uppercase()).expect("valid"),
            kind,
            options: ChoiceOptions::parse(kind, options).expect("valid"),
            required: false,
            in_booking_form: false,
            visible_to_client: false,
            sensitive: false,
            identifying: false,
            position: 0,
            archived_at: None,
        }
    }

    fn key(text: &str) -> FieldKey {
        FieldKey::parse(text).expect("valid")
    }

    #[test]
    fn values_are_checked_against_the_fields_as_they_are_now() {
        let old_comuna = field("comuna", FieldKind::SingleChoice, &["Ñuñoa", "Maipú"]);
        let maipu = CustomValue::read(&old_comuna, RawValue::Text("maipu")).expect("an option then");
        let nunoa = CustomValue::read(&old_comuna, RawValue::Text("ñuñoa")).expect("an option then");
        let mut comuna = field("comuna", FieldKind::SingleChoice, &["ÑUÑOA"]);
        comuna.required = true;
        let mut archived = field("antiguo", FieldKind::Text, &[]);
        archived.archived_at = Some(jiff::Timestamp::UNIX_EPOCH);
        let fields = [comuna.clone(), archived.clone()];

        let ok = check_values(&fields, vec![(key("comuna"), Some(nunoa)), (key("antiguo"), None)]);
        let ok = ok.expect("accepted");
        assert_eq!(ok[0], (comuna.clone(), Some(CustomValue::SingleChoice("ÑUÑOA".into()))));
        assert_eq!(ok[1], (archived, None), "an archived field can be emptied");

        let text = CustomValue::Text("x".into());
        let refused = check_values(
            &fields,
            vec![
                (key("comuna"), Some(maipu)),
                (key("antiguo"), Some(text.clone())),
                (key("nada"), Some(text)),
                (key("comuna"), None),
            ],
        );
        let errors: Vec<(String, String, FieldError)> =
            refused.expect_err("refused").into_iter().map(|r| (r.key.to_string(), r.label, r.error)).collect();
        assert_eq!(
            errors,
            [
                ("comuna".into(), "COMUNA".into(), FieldError::NotAnOption),
                ("antiguo".into(), "ANTIGUO".into(), FieldError::FieldArchived),
                ("nada".into(), "nada".into(), FieldError::FieldUnknown),
                ("comuna".into(), "COMUNA".into(), FieldError::Required),
            ]
        );
    }
}
