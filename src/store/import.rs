//! Bulk loading for `import`: one transaction, prepared statements, and
//! operation and type ids resolved in memory, so a million-row file costs one
//! insert per row. An id already stored is not overwritten: the stored event
//! comes back so the caller can tell an identical re-import from a conflict.

use std::collections::HashMap;

use rusqlite::{params, Transaction};

use super::events::{EventReader, COLUMNS};
use super::{Result, Store, StoreError};
use crate::model::{format_time, Event};

/// Page cache for a bulk load, in KiB (negative `cache_size` means KiB).
/// Large enough that the id and date indexes of a big import stay in memory,
/// small enough that an import's peak memory stays well under 50 MB.
const BULK_CACHE_KIB: i64 = 32 * 1024;

/// What happened to one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Inserted,
    /// The id was already stored; this is the stored event.
    Existing(Box<Event>),
}

/// An import in progress. Nothing is visible to others until `commit`;
/// dropping it (or `rollback`) writes nothing.
pub struct Importer<'a> {
    tx: Transaction<'a>,
    ops: HashMap<String, i64>,
    types: HashMap<String, i64>,
    reader: EventReader,
}

impl Store {
    pub fn importer(&mut self) -> Result<Importer<'_>> {
        self.conn
            .pragma_update(None, "cache_size", -BULK_CACHE_KIB)?;
        let tx = self.write()?;
        let map = |sql: &str| -> Result<HashMap<String, i64>> {
            let mut stmt = tx.prepare(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(1)?, r.get(0)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let ops = map("SELECT id, code FROM operation")?;
        let types = map("SELECT id, key FROM activity_type")?;
        let reader = EventReader::load(&tx)?;
        Ok(Importer {
            tx,
            ops,
            types,
            reader,
        })
    }
}

impl Importer<'_> {
    /// Inserts `e` unless its id is already stored.
    pub fn insert(&mut self, e: &Event) -> Result<Outcome> {
        let op = *self
            .ops
            .get(&e.operation)
            .ok_or_else(|| StoreError::UnknownOperation(e.operation.clone()))?;
        let ty = *self
            .types
            .get(&e.type_key)
            .ok_or_else(|| StoreError::UnknownType(e.type_key.clone()))?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO event (uuid, op_id, type_id, date, time, count, force, team, area, officer,
                                reference, detail, partner, outcome, notes, recorded_by, recorded_at, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
             ON CONFLICT (uuid) DO NOTHING",
        )?;
        let changed = stmt.execute(params![
            e.id,
            op,
            ty,
            e.date,
            e.time.map(format_time),
            e.count,
            e.force,
            e.team,
            e.area,
            e.officer,
            e.reference,
            e.detail,
            e.partner,
            e.outcome,
            e.notes,
            e.recorded_by,
            e.recorded_at,
            e.status.as_str(),
        ])?;
        if changed == 1 {
            return Ok(Outcome::Inserted);
        }
        let mut stmt = self
            .tx
            .prepare_cached(&format!("SELECT {COLUMNS} FROM event e WHERE e.uuid = ?1"))?;
        let mut rows = stmt.query([e.id])?;
        match rows.next()? {
            Some(row) => Ok(Outcome::Existing(Box::new(
                self.reader.event_from_row(row)?,
            ))),
            None => Err(StoreError::Corrupt(format!(
                "event {} vanished during import",
                e.id
            ))),
        }
    }

    pub fn commit(self) -> Result<()> {
        self.tx.commit()?;
        Ok(())
    }

    pub fn rollback(self) -> Result<()> {
        self.tx.rollback()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::events::tests::{event, store_with_op};

    #[test]
    fn inserts_then_returns_the_stored_event() {
        let mut s = store_with_op();
        let e = event("warrant", "2017-11-14", 1);
        let mut imp = s.importer().unwrap();
        assert_eq!(imp.insert(&e).unwrap(), Outcome::Inserted);
        assert_eq!(
            imp.insert(&e).unwrap(),
            Outcome::Existing(Box::new(e.clone()))
        );
        imp.commit().unwrap();
        assert_eq!(s.event(e.id).unwrap(), e);
    }

    #[test]
    fn rollback_writes_nothing() {
        let mut s = store_with_op();
        let e = event("warrant", "2017-11-14", 1);
        let mut imp = s.importer().unwrap();
        imp.insert(&e).unwrap();
        imp.rollback().unwrap();
        assert!(matches!(s.event(e.id), Err(StoreError::UnknownEvent(_))));
    }
}
