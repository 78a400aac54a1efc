//! Events: insert, fetch one, and stream many. Rows become `Event` values in
//! one place (`EventReader`), so list, show and export agree on every field.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, ToSql, Transaction};
use uuid::Uuid;

use super::{Result, Store, StoreError};
use crate::dates::{iso_date, DateRange};
use crate::model::{hh_mm, Event, EventRef, FieldFilter, OpSelection, Status};

/// Which events to read.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub ops: OpSelection,
    pub type_key: Option<String>,
    pub dates: Option<DateRange>,
    /// Exact matches on team, area, officer and reference.
    pub fields: FieldFilter,
    pub include_voided: bool,
}

/// The SQL condition selecting `fields` (exact matches, values bound as
/// parameters), for the event table aliased `e`. Shared with the tallies.
pub(super) fn fields_condition(fields: &FieldFilter, params: &mut Vec<Value>) -> String {
    let mut conditions = Vec::new();
    for (column, value) in [
        ("team", &fields.team),
        ("area", &fields.area),
        ("officer", &fields.officer),
        ("reference", &fields.reference),
    ] {
        if let Some(v) = value {
            params.push(Value::Text(v.clone()));
            conditions.push(format!("e.{column} = ?{}", params.len()));
        }
    }
    if conditions.is_empty() {
        "1".to_string()
    } else {
        conditions.join(" AND ")
    }
}

/// The SQL condition and parameters selecting `ops`, for the event table
/// aliased `e`. Shared with the tally queries.
pub(super) fn op_condition(ops: &OpSelection, params: &mut Vec<Value>) -> String {
    match ops {
        OpSelection::All => "1".to_string(),
        OpSelection::One(code) => {
            params.push(Value::Text(code.clone()));
            format!(
                "e.op_id = (SELECT id FROM operation WHERE code = ?{})",
                params.len()
            )
        }
        OpSelection::Campaign(c) => {
            params.push(Value::Text(c.clone()));
            format!(
                "e.op_id IN (SELECT id FROM operation WHERE campaign = ?{})",
                params.len()
            )
        }
    }
}

pub(super) fn date_condition(dates: &Option<DateRange>, params: &mut Vec<Value>) -> String {
    match dates {
        None => "1".to_string(),
        Some(r) => {
            params.push(Value::Text(r.from.to_string()));
            params.push(Value::Text(r.to.to_string()));
            format!("e.date BETWEEN ?{} AND ?{}", params.len() - 1, params.len())
        }
    }
}

pub(super) const COLUMNS: &str =
    "e.uuid, e.op_id, e.type_id, e.date, e.time, e.count, e.force, e.team, \
    e.area, e.officer, e.reference, e.detail, e.partner, e.outcome, e.notes, e.recorded_by, \
    e.recorded_at, e.status";

/// Turns event rows into `Event`s. Operation codes and type keys come from
/// maps loaded once, rather than a join per row: an export of a million
/// events would otherwise do two million extra lookups.
pub(super) struct EventReader {
    ops: HashMap<i64, String>,
    types: HashMap<i64, String>,
}

impl EventReader {
    pub(super) fn load(conn: &rusqlite::Connection) -> Result<EventReader> {
        let map = |sql: &str| -> Result<HashMap<i64, String>> {
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        Ok(EventReader {
            ops: map("SELECT id, code FROM operation")?,
            types: map("SELECT id, key FROM activity_type")?,
        })
    }

    pub(super) fn event_from_row(&self, row: &Row) -> Result<Event> {
        let lookup = |map: &HashMap<i64, String>, id: i64, what: &str| {
            map.get(&id)
                .cloned()
                .ok_or_else(|| StoreError::Corrupt(format!("event refers to missing {what} {id}")))
        };
        let time: Option<String> = row.get(4)?;
        let time = time
            .map(|t| crate::model::parse_time(&t))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let status: String = row.get(17)?;
        Ok(Event {
            id: row.get(0)?,
            operation: lookup(&self.ops, row.get(1)?, "operation")?,
            type_key: lookup(&self.types, row.get(2)?, "activity type")?,
            date: row.get(3)?,
            time,
            count: row.get(5)?,
            force: row.get(6)?,
            team: row.get(7)?,
            area: row.get(8)?,
            officer: row.get(9)?,
            reference: row.get(10)?,
            detail: row.get(11)?,
            partner: row.get(12)?,
            outcome: row.get(13)?,
            notes: row.get(14)?,
            recorded_by: row.get(15)?,
            recorded_at: row.get(16)?,
            status: Status::parse(&status).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        })
    }
}

/// The event table's columns in the order `row_values` gives them.
pub(super) const INSERT_COLUMNS: &str =
    "uuid, op_id, type_id, date, time, count, force, team, area, \
    officer, reference, detail, partner, outcome, notes, recorded_by, recorded_at, status";

/// An event's values in `INSERT_COLUMNS` order. `op` and `ty` are the
/// operation and type as the statement takes them: ids for the bulk loader,
/// code and key for `insert_event`'s look-ups. `date` and `time` are the
/// event's, already written as text.
pub(super) fn row_values<'a>(
    e: &'a Event,
    op: &'a dyn ToSql,
    ty: &'a dyn ToSql,
    date: &'a dyn ToSql,
    time: &'a dyn ToSql,
) -> [&'a dyn ToSql; 18] {
    [
        // The id's 16 bytes, borrowed: rusqlite would copy a `Uuid` into a
        // new vector first.
        e.id.as_bytes(),
        op,
        ty,
        date,
        time,
        &e.count,
        &e.force,
        &e.team,
        &e.area,
        &e.officer,
        &e.reference,
        &e.detail,
        &e.partner,
        &e.outcome,
        &e.notes,
        &e.recorded_by,
        &e.recorded_at,
        e.status.str_ref(),
    ]
}

/// Digits and punctuation written by `iso_date` and `hh_mm`, as text.
pub(super) fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

/// Inserts one event inside `tx`. The operation and type must exist (the
/// caller validated them); the database's constraints check again.
pub(super) fn insert_event(tx: &Transaction, e: &Event) -> Result<()> {
    let mut stmt = tx.prepare_cached(&format!(
        "INSERT INTO event ({INSERT_COLUMNS})
         VALUES (?1, (SELECT id FROM operation WHERE code = ?2), (SELECT id FROM activity_type WHERE key = ?3),
                 ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
    ))?;
    let date = iso_date(e.date);
    let time = e.time.map(hh_mm);
    let (date, time) = (ascii(&date), time.as_ref().map(|t| ascii(t)));
    let values = row_values(e, &e.operation, &e.type_key, &date, &time);
    match stmt.execute(&values[..]) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            Err(StoreError::DuplicateEvent(e.id))
        }
        Err(err) => Err(err.into()),
    }
}

impl Store {
    /// Stores one new event, with its `log` row in the history.
    pub fn insert_event(&mut self, e: &Event) -> Result<()> {
        let mut seal = super::history::Seal::new("log", &self.actor);
        let tx = self.write()?;
        // Inside the write lock: a sign-off cannot slip in between.
        super::signoff::refuse_change(&tx, &e.operation)?;
        insert_event(&tx, e)?;
        seal.add(e);
        seal.write(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// The full id of the event a user named: by id, or by 8 or more hex
    /// digits from the start of an id (a range over the id index) or from
    /// its end (the short id `list` shows: a scan of the id index comparing
    /// the last bytes, a few tens of milliseconds a million events). It must match one
    /// event, at either end.
    pub fn resolve_event(&self, r: &EventRef) -> Result<Uuid> {
        let part = match r {
            EventRef::Id(id) => return Ok(*id),
            EventRef::Partial(p) => p,
        };
        let unknown = || StoreError::UnknownEventPart(part.clone());
        let bound = |pad: char| {
            let mut hex = part.clone();
            while hex.len() < 32 {
                hex.push(pad);
            }
            Uuid::try_parse(&hex).map_err(|_| unknown())
        };
        let (low, high) = (bound('0')?, bound('f')?);
        let mut found: Vec<Uuid> = self
            .conn
            .prepare_cached("SELECT uuid FROM event WHERE uuid BETWEEN ?1 AND ?2 LIMIT 2")?
            .query_map([low, high], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        // The whole bytes at the end, compared in SQL; an odd leading digit
        // is checked here.
        let tail: Vec<u8> = (0..part.len() / 2)
            .map(|i| {
                let at = part.len() - 2 * (i + 1);
                u8::from_str_radix(&part[at..at + 2], 16).map_err(|_| unknown())
            })
            .rev()
            .collect::<Result<_>>()?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT uuid FROM event WHERE substr(uuid, -?1) = ?2 LIMIT 100")?;
        let ending = stmt.query_map(rusqlite::params![tail.len(), tail], |r| r.get(0))?;
        for id in ending {
            let id: Uuid = id?;
            if id.simple().to_string().ends_with(part.as_str()) && !found.contains(&id) {
                found.push(id);
            }
        }
        match found.as_slice() {
            [id] => Ok(*id),
            [] => Err(unknown()),
            _ => Err(StoreError::AmbiguousEvent(part.clone())),
        }
    }

    /// The event with this id.
    pub fn event(&self, id: Uuid) -> Result<Event> {
        let reader = EventReader::load(&self.conn)?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM event e WHERE e.uuid = ?1"))?;
        let found = stmt
            .query_row([id], |row| Ok(reader.event_from_row(row)))
            .optional()?;
        found.ok_or(StoreError::UnknownEvent(id))?
    }

    /// Calls `f` with each matching event, by date, time and order of
    /// recording, without holding them all in memory.
    pub fn for_each_event<E>(
        &self,
        filter: &EventFilter,
        mut f: impl FnMut(Event) -> std::result::Result<(), E>,
    ) -> std::result::Result<u64, E>
    where
        E: From<StoreError>,
    {
        let reader = EventReader::load(&self.conn)?;
        let mut params = Vec::new();
        let mut conditions = vec![
            op_condition(&filter.ops, &mut params),
            date_condition(&filter.dates, &mut params),
            fields_condition(&filter.fields, &mut params),
        ];
        if let Some(key) = &filter.type_key {
            params.push(Value::Text(key.clone()));
            conditions.push(format!(
                "e.type_id = (SELECT id FROM activity_type WHERE key = ?{})",
                params.len()
            ));
        }
        if !filter.include_voided {
            conditions.push("e.status = 'active'".to_string());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM event e WHERE {} ORDER BY e.date, e.time, e.id",
            conditions.join(" AND ")
        );
        let mut stmt = self.conn.prepare(&sql).map_err(StoreError::from)?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params))
            .map_err(StoreError::from)?;
        let mut n = 0;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            f(reader.event_from_row(row)?)?;
            n += 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Operation;

    pub(crate) fn store_with_op() -> Store {
        let mut s = Store::open_in_memory().unwrap();
        s.add_operation(&Operation {
            code: "nov17".into(),
            title: "Week of action".into(),
            start: "2017-11-13".parse().unwrap(),
            end: "2017-11-19".parse().unwrap(),
            force: Some("Merseyside Police".into()),
            unit: None,
            campaign: None,
            notes: None,
        })
        .unwrap();
        s
    }

    pub(crate) fn event(type_key: &str, date: &str, count: i64) -> Event {
        Event {
            id: crate::model::new_event_id(),
            operation: "nov17".into(),
            type_key: type_key.into(),
            date: date.parse().unwrap(),
            time: None,
            count,
            force: Some("Merseyside Police".into()),
            team: None,
            area: None,
            officer: Some("4127".into()),
            reference: None,
            detail: None,
            partner: None,
            outcome: None,
            notes: Some("said \"no\", then\nleft — ok".into()),
            recorded_by: "analyst".into(),
            recorded_at: "2017-11-13T09:00:00Z".into(),
            status: Status::Active,
        }
    }

    #[test]
    fn insert_read_back_exactly() {
        let mut s = store_with_op();
        let e = event("warrant", "2017-11-14", 1);
        s.insert_event(&e).unwrap();
        assert_eq!(s.event(e.id).unwrap(), e);
        assert!(matches!(
            s.insert_event(&e),
            Err(StoreError::DuplicateEvent(_))
        ));
        let prefix = EventRef::Partial(e.id.simple().to_string()[..10].to_string());
        assert_eq!(s.resolve_event(&prefix).unwrap(), e.id);
        assert!(matches!(
            s.event(crate::model::new_event_id()),
            Err(StoreError::UnknownEvent(_))
        ));
    }

    /// An event is named by 8+ digits from either end of its id; a part
    /// that matches two events, at whichever ends, is refused as ambiguous.
    #[test]
    fn events_are_named_by_either_end_of_their_id() {
        let mut s = store_with_op();
        let with_id = |hex: &str| {
            let mut e = event("warrant", "2017-11-14", 1);
            e.id = Uuid::try_parse(hex).unwrap();
            e
        };
        let a = with_id("deadbeef-0000-7000-8000-00000000a1b2");
        let b = with_id("01a00000-0000-7000-8000-0000deadbeef");
        let c = with_id("01a00000-0000-7000-8000-00000123abcd");
        for e in [&a, &b, &c] {
            s.insert_event(e).unwrap();
        }
        let part = |p: &str| s.resolve_event(&EventRef::Partial(p.into()));
        // The short id `list` shows, and an odd number of digits from the end.
        assert_eq!(part(&crate::model::short_id(&c.id)).unwrap(), c.id);
        assert_eq!(part("00123abcd").unwrap(), c.id);
        assert_eq!(part("0000a1b2").unwrap(), a.id);
        // From the start: unique for `a`, shared by `b` and `c`.
        assert_eq!(part("deadbeef0").unwrap(), a.id);
        assert!(matches!(
            part("01a00000"),
            Err(StoreError::AmbiguousEvent(_))
        ));
        // The start of `a` is the end of `b`.
        assert!(matches!(
            part("deadbeef"),
            Err(StoreError::AmbiguousEvent(_))
        ));
        assert!(matches!(
            part("12345678"),
            Err(StoreError::UnknownEventPart(_))
        ));
    }

    #[test]
    fn filtered_stream_in_date_order() {
        let mut s = store_with_op();
        for (t, d) in [
            ("warrant", "2017-11-15"),
            ("arrest", "2017-11-13"),
            ("warrant", "2017-11-19"),
        ] {
            s.insert_event(&event(t, d, 1)).unwrap();
        }
        let mut seen = Vec::new();
        let filter = EventFilter {
            type_key: Some("warrant".into()),
            ..Default::default()
        };
        let n = s
            .for_each_event(&filter, |e| -> Result<()> {
                seen.push(e.date.to_string());
                Ok(())
            })
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(seen, ["2017-11-15", "2017-11-19"]);
    }
}
