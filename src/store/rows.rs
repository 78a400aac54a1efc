//! Event rows, both ways, driven by the one field table (`fields.rs`): the
//! columns a statement reads and writes, a row turned into an `Event`
//! (`EventReader`), and an `Event` turned into the values a statement binds
//! (`row_values`, `values_by_code`). Every statement on events — insert,
//! bulk insert, update, select — takes its column lists from here, so a new
//! field is added to the table, not to each statement.

use std::collections::HashMap;
use std::sync::LazyLock;

use rusqlite::types::{ToSqlOutput, ValueRef};

use super::db::{Conn, Row};
use super::{Result, StoreError};
use crate::fields::{Field, Kind, FIELDS, N};
use crate::measure::{Amount, Measure};
use crate::model::{Event, Status};

fn list(f: impl Fn(usize, &crate::fields::Def) -> String, sep: &str) -> String {
    FIELDS
        .iter()
        .enumerate()
        .map(|(i, d)| f(i, d))
        .collect::<Vec<_>>()
        .join(sep)
}

/// `e.uuid, e.op_id, …`: every field's column, in `FIELDS` order, for the
/// event table aliased `e`.
pub(super) static COLUMNS: LazyLock<String> =
    LazyLock::new(|| list(|_, d| format!("e.{}", d.column), ", "));

/// `uuid, op_id, …`: the columns an insert names, in `FIELDS` order.
pub(super) static INSERT_COLUMNS: LazyLock<String> =
    LazyLock::new(|| list(|_, d| d.column.to_string(), ", "));

/// `?1, ?2, …`: an insert's values, the operation and type bound as their
/// integer keys (the bulk loader's map).
pub(super) static INSERT_BY_ID: LazyLock<String> =
    LazyLock::new(|| list(|i, _| format!("?{}", i + 1), ", "));

/// The placeholder for field `i`, the operation and type given by code and
/// key and looked up by the statement.
fn by_code(i: usize, kind: Kind) -> String {
    match kind {
        Kind::Operation => format!("(SELECT id FROM operation WHERE code = ?{})", i + 1),
        Kind::Type => format!("(SELECT id FROM activity_type WHERE key = ?{})", i + 1),
        _ => format!("?{}", i + 1),
    }
}

/// An insert's values with the operation and type given by code and key.
pub(super) static INSERT_BY_CODE: LazyLock<String> =
    LazyLock::new(|| list(|i, d| by_code(i, d.kind), ", "));

/// `op_id = (…?2), type_id = (…?3), date = ?4, …`: what an amendment or a
/// void rewrites, with values bound as for `INSERT_BY_CODE`; the event is
/// named by `?1` (its id). Who recorded it and when are never rewritten.
pub(super) static UPDATE_BY_CODE: LazyLock<String> = LazyLock::new(|| {
    FIELDS
        .iter()
        .enumerate()
        .filter(|(_, d)| !matches!(d.field, Field::Id | Field::RecordedBy | Field::RecordedAt))
        .map(|(i, d)| format!("{} = {}", d.column, by_code(i, d.kind)))
        .collect::<Vec<_>>()
        .join(", ")
});

/// Turns event rows into `Event`s. Operation codes and type keys come from
/// maps loaded once, rather than a join per row: an export of a million
/// events would otherwise do two million extra lookups.
pub(super) struct EventReader {
    ops: HashMap<i64, String>,
    /// Each type's key and measure (the unit its events' values are in).
    types: HashMap<i64, (String, Option<Measure>)>,
}

impl EventReader {
    pub(super) fn load(conn: &Conn) -> Result<EventReader> {
        let map = |sql: &str| -> Result<HashMap<i64, String>> {
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let mut stmt = conn.prepare_cached("SELECT id, key, measure FROM activity_type")?;
        let types = stmt
            .query_map([], |r| {
                let measure: Option<String> = r.get(2)?;
                Ok((r.get(0)?, (r.get(1)?, measure)))
            })?
            .map(|row| {
                let (id, (key, measure)) = row?;
                let measure = measure
                    .map(|m| Measure::parse(&m))
                    .transpose()
                    .map_err(|e| StoreError::Corrupt(format!("activity type {key}: {e}")))?;
                Ok((id, (key, measure)))
            })
            .collect::<Result<_>>()?;
        Ok(EventReader {
            ops: map("SELECT id, code FROM operation")?,
            types,
        })
    }

    /// The event in a row whose first columns are `COLUMNS`.
    pub(super) fn event_from_row(&self, row: &Row) -> Result<Event> {
        let corrupt = |what: &str, d: &crate::fields::Def| {
            StoreError::Corrupt(format!("event column {} holds {what}", d.column))
        };
        let missing = |what: &str, id: i64| {
            StoreError::Corrupt(format!("event refers to missing {what} {id}"))
        };
        let mut measure = None;
        let mut e = Event {
            id: uuid::Uuid::nil(),
            operation: String::new(),
            type_key: String::new(),
            date: chrono::NaiveDate::default(),
            time: None,
            count: 0,
            value: None,
            force: None,
            team: None,
            area: None,
            officer: None,
            reference: None,
            detail: None,
            partner: None,
            outcome: None,
            notes: None,
            recorded_by: String::new(),
            recorded_at: String::new(),
            status: Status::Active,
        };
        for (i, d) in FIELDS.iter().enumerate() {
            match d.kind {
                Kind::Id => e.id = row.get(i)?,
                Kind::Operation => {
                    let id = row.get(i)?;
                    e.operation = self
                        .ops
                        .get(&id)
                        .ok_or_else(|| missing("operation", id))?
                        .clone();
                }
                Kind::Type => {
                    let id = row.get(i)?;
                    let (key, m) = self
                        .types
                        .get(&id)
                        .ok_or_else(|| missing("activity type", id))?;
                    e.type_key = key.clone();
                    measure = *m;
                }
                Kind::Date => e.date = row.get(i)?,
                Kind::Time => {
                    let t: Option<String> = row.get(i)?;
                    e.time = t
                        .map(|t| crate::model::parse_time(&t))
                        .transpose()
                        .map_err(|_| corrupt("a time that is not HH:MM", d))?;
                }
                Kind::Count => e.count = row.get(i)?,
                Kind::Value => {
                    // The type comes before the value in `FIELDS`.
                    let minor: Option<i64> = row.get(i)?;
                    e.value = match (minor, measure) {
                        (None, _) => None,
                        (Some(minor), Some(measure)) => Some(Amount { measure, minor }),
                        (Some(_), None) => {
                            return Err(corrupt("a value, but its type has no measure", d))
                        }
                    };
                }
                Kind::Text => {
                    if let Some(slot) = d.field.optional_text_mut(&mut e) {
                        *slot = row.get(i)?;
                    }
                }
                Kind::Required => {
                    let v: String = row.get(i)?;
                    match d.field {
                        Field::RecordedBy => e.recorded_by = v,
                        Field::RecordedAt => e.recorded_at = v,
                        _ => return Err(corrupt("an unexpected value", d)),
                    }
                }
                Kind::Status => {
                    let v: String = row.get(i)?;
                    e.status =
                        Status::parse(&v).map_err(|err| StoreError::Corrupt(err.to_string()))?;
                }
            }
        }
        Ok(e)
    }
}

/// The text forms of an event's date and time, held while its values are
/// bound (the values borrow them).
pub(super) struct Scratch {
    date: [u8; 10],
    time: Option<[u8; 5]>,
}

impl Scratch {
    pub(super) fn of(e: &Event) -> Scratch {
        Scratch {
            date: crate::dates::iso_date(e.date),
            time: e.time.map(crate::model::hh_mm),
        }
    }
}

/// Digits and punctuation written by `iso_date` and `hh_mm`, as text.
fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

/// An event's values in `FIELDS` order, borrowed from the event (and the
/// scratch holding its date and time as text), so a statement can bind them
/// without a copy. `op` and `ty` are the operation and type as the
/// statement takes them: integer keys for the bulk loader (`INSERT_BY_ID`),
/// code and key for the statements that look them up (`INSERT_BY_CODE`,
/// `UPDATE_BY_CODE`).
pub(super) fn row_values<'a>(
    e: &'a Event,
    scratch: &'a Scratch,
    op: ValueRef<'a>,
    ty: ValueRef<'a>,
) -> [ToSqlOutput<'a>; N] {
    let text = |v: Option<&'a str>| v.map_or(ValueRef::Null, |s| ValueRef::Text(s.as_bytes()));
    FIELDS.map(|d| {
        ToSqlOutput::Borrowed(match d.kind {
            // The id's 16 bytes, borrowed: rusqlite would copy a `Uuid` into a
            // new vector first.
            Kind::Id => ValueRef::Blob(e.id.as_bytes()),
            Kind::Operation => op,
            Kind::Type => ty,
            Kind::Date => ValueRef::Text(ascii(&scratch.date).as_bytes()),
            Kind::Time => text(scratch.time.as_ref().map(|t| ascii(t))),
            Kind::Count => ValueRef::Integer(e.count),
            Kind::Value => e
                .value
                .map_or(ValueRef::Null, |v| ValueRef::Integer(v.minor)),
            Kind::Text | Kind::Required => text(d.field.text_of(e)),
            Kind::Status => ValueRef::Text(e.status.as_str().as_bytes()),
        })
    })
}

/// `row_values` with the operation and type by code and key.
pub(super) fn values_by_code<'a>(e: &'a Event, scratch: &'a Scratch) -> [ToSqlOutput<'a>; N] {
    row_values(
        e,
        scratch,
        ValueRef::Text(e.operation.as_bytes()),
        ValueRef::Text(e.type_key.as_bytes()),
    )
}
