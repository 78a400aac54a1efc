//! Events: insert, fetch one, and stream many. Rows become `Event` values in
//! one place (`rows.rs`), so list, show and export agree on every field.

use rusqlite::types::Value;
use uuid::Uuid;

use super::db::Conn;
use super::history::{About, Change};
use super::rows::{values_by_code, EventReader, Scratch, COLUMNS, INSERT_BY_CODE, INSERT_COLUMNS};
use super::{Result, Store, StoreError};
use crate::dates::DateRange;
use crate::model::{Event, EventRef, FieldFilter, HistoryEntry, OpSelection};

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
        "TRUE".to_string()
    } else {
        conditions.join(" AND ")
    }
}

/// The SQL condition and parameters selecting `ops`, for the event table
/// aliased `e`. Shared with the tally queries.
pub(super) fn op_condition(ops: &OpSelection, params: &mut Vec<Value>) -> String {
    match ops {
        OpSelection::All => "TRUE".to_string(),
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
        None => "TRUE".to_string(),
        Some(r) => {
            params.push(Value::Text(r.from.to_string()));
            params.push(Value::Text(r.to.to_string()));
            format!("e.date BETWEEN ?{} AND ?{}", params.len() - 1, params.len())
        }
    }
}

/// Inserts one event inside `tx`. The operation and type must exist (the
/// caller validated them); the database's constraints check again.
pub(super) fn insert_event(tx: &Conn, e: &Event) -> Result<()> {
    let mut stmt = tx.prepare_cached(&format!(
        "INSERT INTO event ({}) VALUES ({})",
        *INSERT_COLUMNS, *INSERT_BY_CODE
    ))?;
    let scratch = Scratch::of(e);
    let values = values_by_code(e, &scratch);
    match stmt.execute(values) {
        Ok(_) => Ok(()),
        Err(err) if super::db::is_unique_violation(&err) => Err(StoreError::DuplicateEvent(e.id)),
        Err(err) => Err(err),
    }
}

/// Replaces `old` with `new` (same id) and appends one history row, inside
/// the caller's write transaction. Refused if the event changed since `old`
/// was read.
pub(super) fn replace_event(
    conn: &Conn,
    old: &Event,
    new: &Event,
    change: &Change,
) -> Result<HistoryEntry> {
    let current = {
        let reader = super::rows::EventReader::load(conn)?;
        conn.query_opt(
            &format!(
                "SELECT {} FROM event e WHERE e.uuid = ?1",
                *super::rows::COLUMNS
            ),
            [old.id],
            |row| Ok(reader.event_from_row(row)),
        )?
        .ok_or(StoreError::UnknownEvent(old.id))??
    };
    if &current != old {
        return Err(StoreError::Conflict(format!(
                "event {} was changed by someone else meanwhile; look again with `opweek show` and retry",
                old.id
            )));
    }
    super::signoff::refuse_change(conn, &old.operation)?;
    if new.operation != old.operation {
        super::signoff::refuse_change(conn, &new.operation)?;
    }
    let scratch = super::rows::Scratch::of(new);
    conn.prepare_cached(&format!(
        "UPDATE event SET {} WHERE uuid = ?1",
        *super::rows::UPDATE_BY_CODE
    ))?
    .execute(super::rows::values_by_code(new, &scratch))?;
    super::history::append(
        conn,
        About::Event(new.id),
        change.action,
        &change.changed_by,
        &change.changed_at,
        &change.reason,
        &change.changes,
    )
}

impl Store {
    /// Replaces `old` with `new` (same id) and appends one history row, in
    /// one transaction. Refused if the event changed since `old` was read.
    pub fn change_event(
        &mut self,
        old: &Event,
        new: &Event,
        change: &Change,
    ) -> Result<HistoryEntry> {
        let tx = self.write()?;
        let entry = replace_event(&tx, old, new, change)?;
        tx.commit()?;
        Ok(entry)
    }

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
            .prepare_cached("SELECT uuid FROM event WHERE substr(uuid, 17 - ?1) = ?2 LIMIT 100")?;
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

    /// Events whose count is above `max` (`model::MAX_COUNT`): opweek never
    /// records one, but an older version did, and the sqlite3 shell can.
    /// The first `limit` of them by row order, as (id, count), and how many
    /// there are in all.
    pub fn counts_above(&self, max: i64, limit: usize) -> Result<(Vec<(Uuid, i64)>, u64)> {
        let total: i64 =
            self.conn
                .query_row("SELECT count(*) FROM event WHERE count > ?1", [max], |r| {
                    r.get(0)
                })?;
        if total == 0 {
            return Ok((Vec::new(), 0));
        }
        let mut stmt = self
            .conn
            .prepare("SELECT uuid, count FROM event WHERE count > ?1 ORDER BY id LIMIT ?2")?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(rusqlite::params![max, limit], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok((
            rows.collect::<rusqlite::Result<_>>()?,
            u64::try_from(total).unwrap_or(0),
        ))
    }

    /// The event with this id.
    pub fn event(&self, id: Uuid) -> Result<Event> {
        let reader = EventReader::load(&self.conn)?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {} FROM event e WHERE e.uuid = ?1",
            *COLUMNS
        ))?;
        let found = stmt.query_opt([id], |row| Ok(reader.event_from_row(row)))?;
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
            "SELECT {} FROM event e WHERE {} ORDER BY e.date, e.time NULLS FIRST, e.id",
            *COLUMNS,
            conditions.join(" AND ")
        );
        let mut n = 0;
        self.conn
            .for_each(&sql, params, |row| -> std::result::Result<(), E> {
                f(reader.event_from_row(row)?)?;
                n += 1;
                Ok(())
            })?;
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
            value: None,
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
            status: crate::model::Status::Active,
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
