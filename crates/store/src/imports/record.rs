//! An import's rows as both backends store them: a batch's columns, and
//! each tagged line's outcome with what undo or the report needs, as JSON
//! text read back by one set of rules.

use ficha_domain::{Client, ClientId, CustomFieldId, FieldError, ImportId, StaffId};
use serde_json::{Value, json};

use super::{CellProblem, Counts, Existing, ImportBatch, Outcome, RowReport, Status, Target};
use crate::error::{StoreError, StoreResult};
use crate::record::{ClientRecord, timestamp};

/// A batch's row.
#[derive(Debug, Clone)]
pub struct BatchRecord {
    pub id: ImportId,
    pub status: String,
    pub existing: String,
    pub file_name: String,
    pub total_rows: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub skipped: i64,
    pub refused: i64,
    pub staff_id: Option<uuid::Uuid>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub undone_at: Option<i64>,
    pub failure: Option<String>,
}

impl BatchRecord {
    pub fn into_batch(self) -> StoreResult<ImportBatch> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("import {} {what}", self.id));
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(ImportBatch {
            id: self.id,
            status: Status::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            existing: Existing::parse(&self.existing).ok_or_else(|| corrupt("existing"))?,
            file_name: self.file_name,
            total_rows: count(self.total_rows),
            counts: Counts {
                created: count(self.created),
                updated: count(self.updated),
                unchanged: count(self.unchanged),
                exists: count(self.skipped),
                refused: count(self.refused),
            },
            by: self.staff_id.map(StaffId::from_uuid),
            started_at: timestamp(self.started_at)?,
            finished_at: self.finished_at.map(timestamp).transpose()?,
            undone_at: self.undone_at.map(timestamp).transpose()?,
            failure: self.failure,
        })
    }
}

/// What a tagged line did: the `outcome` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagKind {
    Created,
    Updated,
    Refused,
    Blocked,
}

impl TagKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Refused => "refused",
            Self::Blocked => "blocked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Created, Self::Updated, Self::Refused, Self::Blocked].into_iter().find(|k| k.as_str() == text)
    }
}

/// One `import_rows` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRecord {
    pub line: u64,
    pub kind: TagKind,
    pub client: Option<ClientId>,
    pub version_after: Option<i64>,
    pub previous: Option<String>,
    pub problems: Option<String>,
}

impl TagRecord {
    /// The line as the report shows it.
    pub fn report(&self) -> StoreResult<RowReport> {
        let outcome = match self.kind {
            TagKind::Created => Outcome::Created,
            TagKind::Updated => Outcome::Updated,
            TagKind::Blocked => Outcome::Blocked,
            TagKind::Refused => Outcome::Refused(read_problems(self.problems.as_deref().unwrap_or("[]"))?),
        };
        Ok(RowReport { line: self.line, client: self.client, outcome })
    }
}

/// What an updated line's profile held before: its general data, and the
/// values the line changed (`None`: it had none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub rut: Option<String>,
    pub birth_date: Option<String>,
    pub values: Vec<(CustomFieldId, Option<String>)>,
}

impl Previous {
    pub fn of(client: &Client, values: Vec<(CustomFieldId, Option<String>)>) -> Self {
        Self {
            name: client.name.as_str().to_owned(),
            email: client.email.as_str().to_owned(),
            phone: client.phone.as_ref().map(|p| p.e164().to_owned()),
            rut: client.rut.map(|r| r.canonical()),
            birth_date: client.birth_date.map(|d| d.date().to_string()),
            values,
        }
    }

    pub fn to_text(&self) -> String {
        let values: Vec<Value> =
            self.values.iter().map(|(field, value)| json!([field.as_uuid().simple().to_string(), value])).collect();
        json!({
            "general": [self.name, self.email, self.phone, self.rut, self.birth_date],
            "values": values,
        })
        .to_string()
    }

    pub fn parse(text: &str) -> StoreResult<Self> {
        let corrupt = || StoreError::Corrupt(format!("import previous values {text:?}"));
        let value: Value = serde_json::from_str(text).map_err(|_| corrupt())?;
        let general = value["general"].as_array().filter(|g| g.len() == 5).ok_or_else(corrupt)?;
        let text_at = |i: usize| general[i].as_str().map(str::to_owned);
        let mut values = Vec::new();
        for item in value["values"].as_array().ok_or_else(corrupt)? {
            let id = item[0].as_str().and_then(|id| id.parse::<uuid::Uuid>().ok()).ok_or_else(corrupt)?;
            values.push((CustomFieldId::from_uuid(id), item[1].as_str().map(str::to_owned)));
        }
        Ok(Self {
            name: text_at(0).ok_or_else(corrupt)?,
            email: text_at(1).ok_or_else(corrupt)?,
            phone: text_at(2),
            rut: text_at(3),
            birth_date: text_at(4),
            values,
        })
    }

    /// `current` with these general values back (version untouched).
    pub fn restored(&self, current: &Client) -> StoreResult<Client> {
        ClientRecord {
            id: current.id,
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            rut: self.rut.clone(),
            birth_date: self.birth_date.clone(),
            last_booking_at: current.last_booking_at.map(crate::record::micros),
            registered_at: crate::record::micros(current.registered_at),
            version: current.version,
        }
        .into_client()
    }
}

/// A refused line's problems as the `problems` column holds them: one
/// `[column, target, error code, a, b]` each (`a`, `b` the error's limits).
pub fn problems_text(problems: &[CellProblem]) -> String {
    let items: Vec<Value> = problems
        .iter()
        .map(|p| {
            let (a, b) = limits(&p.error);
            json!([p.column, p.target.code(), p.error.code(), a, b])
        })
        .collect();
    Value::from(items).to_string()
}

pub fn read_problems(text: &str) -> StoreResult<Vec<CellProblem>> {
    let corrupt = || StoreError::Corrupt(format!("import problems {text:?}"));
    let items: Vec<Value> = serde_json::from_str(text).map_err(|_| corrupt())?;
    items
        .iter()
        .map(|item| {
            let target = item[1].as_str().and_then(Target::parse).ok_or_else(corrupt)?;
            let code = item[2].as_str().ok_or_else(corrupt)?;
            let (a, b) = (item[3].as_i64().unwrap_or(0), item[4].as_i64().unwrap_or(0));
            Ok(CellProblem {
                column: item[0].as_str().map(str::to_owned),
                target,
                error: field_error(code, a, b).ok_or_else(corrupt)?,
            })
        })
        .collect()
}

fn limits(error: &FieldError) -> (i64, i64) {
    let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
    match error {
        FieldError::TooLong { max } | FieldError::TooManyOptions { max } => (n(*max), 0),
        FieldError::OutOfRange { min, max } => (*min, *max),
        _ => (0, 0),
    }
}

/// The error a cell's stored code names: those a cell can have.
fn field_error(code: &str, a: i64, b: i64) -> Option<FieldError> {
    let size = usize::try_from(a).ok();
    Some(match code {
        "required" => FieldError::Required,
        "too_long" => FieldError::TooLong { max: size? },
        "too_many_options" => FieldError::TooManyOptions { max: size? },
        "out_of_range" => FieldError::OutOfRange { min: a, max: b },
        other => [
            FieldError::ControlCharacters,
            FieldError::InvisibleCharacters,
            FieldError::EmailInvalid,
            FieldError::PhoneInvalid,
            FieldError::RutFormat,
            FieldError::RutCheckDigit,
            FieldError::DateFormat,
            FieldError::DateInFuture,
            FieldError::DateBefore1900,
            FieldError::DateOutOfRange,
            FieldError::NotText,
            FieldError::NotANumber,
            FieldError::NotYesNo,
            FieldError::NotAnOption,
            FieldError::FieldArchived,
            FieldError::FieldUnknown,
        ]
        .into_iter()
        .find(|e| e.code() == other)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ficha_domain::FieldKey;

    #[test]
    fn problems_read_back() {
        let problems = vec![
            CellProblem { column: Some("Teléfono".into()), target: Target::Phone, error: FieldError::PhoneInvalid },
            CellProblem { column: None, target: Target::Name, error: FieldError::Required },
            CellProblem {
                column: Some("Notas".into()),
                target: Target::Custom(FieldKey::parse("notas").expect("key")),
                error: FieldError::TooLong { max: 200 },
            },
        ];
        assert_eq!(read_problems(&problems_text(&problems)).expect("read"), problems);
    }

    #[test]
    fn previous_values_read_back() {
        let previous = Previous {
            name: "Ana".into(),
            email: "ana@mail.cl".into(),
            phone: None,
            rut: Some("12345678-5".into()),
            birth_date: Some("1990-04-23".into()),
            values: vec![(CustomFieldId::generate(), None), (CustomFieldId::generate(), Some("3.5".into()))],
        };
        assert_eq!(Previous::parse(&previous.to_text()).expect("read"), previous);
    }
}
