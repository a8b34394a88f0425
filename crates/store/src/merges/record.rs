//! A merge as stored: one row per merge (`client_merges`), its details in
//! one JSON document both backends write and read alike — the absorbed
//! profile as it was, what the merge changed on the survivor, and the ids
//! of the rows it moved, per table.

use std::collections::BTreeMap;

use ficha_domain::{Client, ClientId, ClientPreferences, GeneralField, MergeId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{MergeSummary, undo_until};
use crate::error::{StoreError, StoreResult};
use crate::history::WhoRecord;
use crate::record::{ClientRecord, micros, timestamp};

/// A client's general data as stored (E.164, canonical RUT, ISO date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSnapshot {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub rut: Option<String>,
    pub birth_date: Option<String>,
    pub last_booking_at: Option<i64>,
    pub registered_at: i64,
    pub version: i64,
}

impl ClientSnapshot {
    pub fn of(client: &Client) -> Self {
        let value = |field: GeneralField| field.value_of(client);
        Self {
            name: client.name.as_str().to_owned(),
            email: client.email.as_str().to_owned(),
            phone: value(GeneralField::Phone),
            rut: value(GeneralField::Rut),
            birth_date: value(GeneralField::BirthDate),
            last_booking_at: client.last_booking_at.map(micros),
            registered_at: micros(client.registered_at),
            version: client.version,
        }
    }

    pub fn into_client(self, id: ClientId) -> StoreResult<Client> {
        ClientRecord {
            id,
            name: self.name,
            email: self.email,
            phone: self.phone,
            rut: self.rut,
            birth_date: self.birth_date,
            last_booking_at: self.last_booking_at,
            registered_at: self.registered_at,
            version: self.version,
        }
        .into_client()
    }
}

/// One custom value as stored (the field's id and its canonical text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredValue {
    pub field: Uuid,
    pub value: String,
}

/// A custom value of the survivor's the merge wrote: before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueChange {
    pub field: Uuid,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Everything an undo needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRecord {
    pub absorbed: ClientSnapshot,
    pub absorbed_values: Vec<StoredValue>,
    pub absorbed_preferences: Option<ClientPreferences>,
    pub absorbed_password: Option<String>,
    pub survivor_before: ClientSnapshot,
    pub survivor_after: ClientSnapshot,
    pub value_changes: Vec<ValueChange>,
    pub preferences_before: Option<ClientPreferences>,
    pub preferences_after: Option<ClientPreferences>,
    /// The email key the merge made an alias of the survivor.
    pub alias: String,
    /// Per table, the keys of the rows moved to the survivor (ids, or an
    /// alias's email key).
    pub moved: BTreeMap<String, Vec<String>>,
}

impl MergeRecord {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> StoreResult<Self> {
        serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("merge record: {e}")))
    }
}

/// A `client_merges` row.
#[derive(Debug, Clone)]
pub struct MergeRow {
    pub id: MergeId,
    pub survivor: ClientId,
    pub absorbed: ClientId,
    pub at: Timestamp,
    pub who: WhoRecord,
    pub undone_at: Option<Timestamp>,
    pub record: MergeRecord,
}

/// The columns of a `client_merges` row, as both backends read them.
pub struct MergeColumns {
    pub id: Uuid,
    pub survivor: Uuid,
    pub absorbed: Uuid,
    pub at: i64,
    pub who: WhoRecord,
    pub undone_at: Option<i64>,
    pub record: String,
}

impl MergeColumns {
    pub fn into_row(self) -> StoreResult<MergeRow> {
        Ok(MergeRow {
            id: MergeId::from_uuid(self.id),
            survivor: ClientId::from_uuid(self.survivor),
            absorbed: ClientId::from_uuid(self.absorbed),
            at: timestamp(self.at)?,
            who: self.who,
            undone_at: self.undone_at.map(timestamp).transpose()?,
            record: MergeRecord::from_json(&self.record)?,
        })
    }
}

impl MergeRow {
    pub fn summary(&self) -> StoreResult<MergeSummary> {
        Ok(MergeSummary {
            id: self.id,
            survivor: self.survivor,
            absorbed: self.absorbed,
            absorbed_name: self.record.absorbed.name.clone(),
            absorbed_email: self.record.absorbed.email.clone(),
            at: self.at,
            who: self.who.clone().into_who()?,
            undone_at: self.undone_at,
            undo_until: undo_until(self.at),
        })
    }
}
