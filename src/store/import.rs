//! Bulk loading for `import`: one transaction, prepared statements, and
//! operation and type ids resolved in memory, so a million-row file costs one
//! insert per row. An id already stored is not overwritten: the stored event
//! comes back so the caller can tell an identical re-import from a conflict.

use std::collections::HashMap;

use rusqlite::types::ValueRef;
use rusqlite::ToSql;
use uuid::Uuid;

use super::db::{Conn, Tx};

use super::history::{Change, Seal};
use super::rows::{row_values, EventReader, Scratch, COLUMNS, INSERT_BY_ID, INSERT_COLUMNS};
use super::static_bind::StaticInsert;
use super::{Result, Store, StoreError};
use crate::chain::EventDigest;
use crate::model::{Event, HistoryEntry};

/// What happened to one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Inserted,
    /// The id was already stored before this import; this is the stored
    /// event.
    Existing(Box<Event>),
    /// The id came earlier in this same import (a row copied within a
    /// spreadsheet, id and all); this is the event that row stored.
    Repeated(Box<Event>),
}

/// An import recorded in the history: when, by whom, how many events it
/// stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierImport {
    pub at: String,
    pub by: String,
    pub events: u64,
}

/// The event table's secondary indexes, exactly as the migrations leave
/// them (schema.sql, migrations/0002_indexes.sql).
/// A load into an empty table drops them and builds them once at the end:
/// one sort instead of a million scattered index inserts.
const SECONDARY_INDEXES: [(&str, &str); 2] = [
    (
        "event_op_tally",
        "CREATE INDEX event_op_tally ON event (op_id, date, type_id, status, count)",
    ),
    ("event_date", "CREATE INDEX event_date ON event (date)"),
];

/// The page cache of a load, in KiB. Ids from other systems are random
/// (UUID v4), so every insert touches a random page of the unique id index;
/// once that index outgrows the cache each insert spills and re-reads a
/// page. The index of a million events is 26 MB: measured at 1M events, a
/// 2 MB cache took 13.6 s of CPU for random ids against 7.7 s for ordered
/// ones, 24 MB took 9.6 s against 8.4 s within 40 MB of peak memory, and
/// 32 MB was no faster and came to 49 MB, too close to the 50 MB budget
/// (BENCHMARKS.md). Measured again on a quiet machine (four alternating
/// runs each, random ids, 1M): 32 MB 6.27 s against 6.49 s for 24 MB, a
/// gain within the noise, at 48 MB of peak memory; 16 MB 7.42 s. The cache
/// only grows as pages are used.
const IMPORT_CACHE_KIB: i64 = 24 * 1024;

/// Worker threads SQLite's sorter may use while a bulk load builds the
/// secondary indexes (`PRAGMA threads`; see `Importer::commit`).
const SORTER_HELPER_THREADS: i64 = 1;

/// An import in progress, inside one write transaction taken at the start.
/// Nothing is visible to others until `commit`; `rollback`, or dropping it,
/// writes nothing.
pub struct Importer<'a> {
    conn: &'a Conn,
    actor: &'a str,
    /// The first event this import stored, and how many it stored.
    first: Option<Uuid>,
    inserted: u64,
    /// Whether every `insert` so far stored its event: only then can a
    /// digest computed ahead of the inserts stand for what was stored.
    all_inserted: bool,
    /// Debug builds also hash inline, to check the caller's digest.
    #[cfg(debug_assertions)]
    check_digest: EventDigest,
    /// How rows go in: one statement a row on SQLite, COPY on a server.
    load: Load<'a>,
    ops: HashMap<String, i64>,
    types: HashMap<String, i64>,
    reader: EventReader,
    rebuild_indexes: bool,
    /// Event rows with a larger id were written by this import.
    last_before: i64,
    /// Declared last, so dropped after the statements above: dropping an
    /// import unfinished rolls it back.
    tx: Tx<'a>,
}

enum Load<'a> {
    Lite {
        insert: StaticInsert<'a>,
        /// The connection's page cache size before the load enlarged it.
        cache_before: i64,
    },
    Pg(super::server::CopyLoad<'a>),
}

impl Store {
    /// An import, in one write transaction taken now (the write lock from
    /// the start, as `Store::write`). On SQLite rows go in one by one
    /// through a copy-free prepared insert; on a server they are streamed
    /// with COPY (`server::CopyLoad`). Into an empty table the secondary
    /// indexes are dropped and built once at the end.
    pub fn importer(&mut self) -> Result<Importer<'_>> {
        let conn = &self.conn;
        let tx = conn.begin_write()?;
        // A page cache sized for the unique id index (see
        // `IMPORT_CACHE_KIB`), back to its size before the indexes are
        // built at the end, so that their sorter stays small too.
        let cache_before = match conn.lite() {
            Some(lite) => {
                let before: i64 = lite.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
                lite.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
                before
            }
            None => 0,
        };
        let map = |sql: &str| -> Result<HashMap<String, i64>> {
            conn.query_map(sql, [], |r| Ok((r.get(1)?, r.get(0)?)))
                .map(|v| v.into_iter().collect())
        };
        let empty: bool =
            conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM event)", [], |r| r.get(0))?;
        // On a server only the table's owner may drop its indexes and keys;
        // an analyst's role loads into them as they are.
        let bulk = empty
            && (conn.dialect() == super::db::Dialect::Sqlite || super::server::owns_event(conn)?);
        if bulk {
            for (name, _) in SECONDARY_INDEXES {
                conn.execute_batch(&format!("DROP INDEX {name}"))?;
            }
        }
        let load = match conn.lite() {
            Some(lite) => Load::Lite {
                insert: StaticInsert::prepare(
                    lite,
                    &format!(
                        "INSERT INTO event ({}) VALUES ({}) ON CONFLICT (uuid) DO NOTHING",
                        *INSERT_COLUMNS, *INSERT_BY_ID
                    ),
                )?,
                cache_before,
            },
            None => Load::Pg(super::server::CopyLoad::start(conn, empty, bulk)?),
        };
        Ok(Importer {
            conn,
            actor: &self.actor,
            first: None,
            inserted: 0,
            all_inserted: true,
            #[cfg(debug_assertions)]
            check_digest: EventDigest::new(),
            load,
            last_before: conn
                .query_row("SELECT coalesce(max(id), 0) FROM event", [], |r| r.get(0))?,
            ops: map("SELECT id, code FROM operation")?,
            types: map("SELECT id, key FROM activity_type")?,
            reader: EventReader::load(conn)?,
            rebuild_indexes: bulk,
            tx,
        })
    }
}

impl Importer<'_> {
    /// On a server, sends the rows queued and ends the COPY, so the
    /// connection can run other statements; with `restore_keys`, also puts
    /// back the keys a bulk load dropped (`server::CopyLoad::restore`).
    fn end_copy(&mut self, restore_keys: bool) -> Result<()> {
        if let Load::Pg(copy) = &mut self.load {
            copy.flush()?;
            if restore_keys {
                copy.restore(self.conn)?;
            }
        }
        Ok(())
    }

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
        let scratch = Scratch::of(e);
        let values = row_values(e, &scratch, ValueRef::Integer(op), ValueRef::Integer(ty));
        let changed = match &mut self.load {
            Load::Lite { insert, .. } => {
                let values: [&dyn ToSql; crate::fields::N] =
                    std::array::from_fn(|i| &values[i] as &dyn ToSql);
                insert.execute(&values[..])
            }
            Load::Pg(copy) => copy.insert(e.id, &values),
        }
        .inspect_err(|_| {
            self.all_inserted = false;
        })?;
        if changed == 1 {
            self.first.get_or_insert(e.id);
            self.inserted += 1;
            #[cfg(debug_assertions)]
            self.check_digest.add_event(e);
            return Ok(Outcome::Inserted);
        }
        self.all_inserted = false;
        // An id seen twice in a bulk load: the id index back before the
        // look-up (and for the rest of the load), not a scan per repeat.
        self.end_copy(true)?;
        let reader = &self.reader;
        let found = self.conn.query_opt(
            &format!(
                "SELECT {}, e.id AS row_id FROM event e WHERE e.uuid = ?1",
                *COLUMNS
            ),
            [e.id],
            |row| {
                Ok((
                    reader.event_from_row(row),
                    row.get::<_, i64>(crate::fields::N)?,
                ))
            },
        )?;
        match found {
            Some((stored, row_id)) => {
                let stored = Box::new(stored?);
                if row_id > self.last_before {
                    Ok(Outcome::Repeated(stored))
                } else {
                    Ok(Outcome::Existing(stored))
                }
            }
            None => Err(StoreError::Corrupt(format!(
                "event {} vanished during import",
                e.id
            ))),
        }
    }

    /// Replaces the stored event `old` with `new` (a correction the file
    /// carries: `import --accept-changes`) and appends its history row, in
    /// this import's transaction: committed with the import or not at all.
    pub fn correct(&mut self, old: &Event, new: &Event, change: &Change) -> Result<HistoryEntry> {
        self.end_copy(false)?;
        super::events::replace_event(self.conn, old, new, change)
    }

    /// Writes the history row sealing the events stored, builds the indexes
    /// a bulk load dropped, and commits.
    ///
    /// `ahead` is a digest the caller computed while parsing (on another
    /// thread, off the writer's critical path: hashing a million events is
    /// about 7% of the writing thread's time) over every event it passed to
    /// `insert`, in order. It stands for the stored events only if each of
    /// those inserts stored its event; otherwise (ids already stored, a
    /// failed insert, no digest) the digest is computed here from the rows
    /// this import wrote, which costs one read of those rows.
    /// `file_sha256`, the SHA-256 of the imported file's bytes, is recorded
    /// in the history row (see `earlier_imports`).
    pub fn commit(mut self, ahead: Option<EventDigest>, file_sha256: Option<&str>) -> Result<()> {
        // The keys back (and checked) before anything looks an event up.
        self.end_copy(true)?;
        let digest = match ahead {
            Some(d) if self.all_inserted && d.events() == self.inserted => d,
            _ => self.digest_stored()?,
        };
        #[cfg(debug_assertions)]
        assert!(
            digest.clone().finish() == self.check_digest.clone().finish(),
            "the digest given to Importer::commit is not that of the events stored"
        );
        super::signoff::refuse_new_events(self.conn, self.last_before)?;
        Seal::with_digest("import", self.actor, self.first, digest)
            .file_sha256(file_sha256)
            .write(self.conn)?;
        let lite = match (&self.load, self.conn.lite()) {
            (Load::Lite { cache_before, .. }, Some(lite)) => {
                lite.pragma_update(None, "cache_size", cache_before)?;
                Some(lite)
            }
            _ => None,
        };
        if let (true, Some(lite)) = (self.rebuild_indexes, lite) {
            // One helper thread for SQLite's sorter while the indexes are
            // built: the parsing thread has finished by then, so its core
            // is free. Measured at 1M events (alternating runs, 2 cores):
            // building both indexes took 1.4-1.6 s of wall time with the
            // sort on this thread alone and 1.1 s with one helper, for the
            // same CPU time; two helpers were no faster and used more.
            lite.pragma_update(None, "threads", SORTER_HELPER_THREADS)?;
            let built = SECONDARY_INDEXES
                .iter()
                .try_for_each(|(_, create)| lite.execute_batch(create));
            lite.pragma_update(None, "threads", 0)?;
            built?;
        } else if self.rebuild_indexes {
            for (_, create) in SECONDARY_INDEXES {
                self.conn.execute_batch(create)?;
            }
        }
        self.tx.commit()?;
        Ok(())
    }

    /// The digest of the events this import stored, read back in row order.
    fn digest_stored(&self) -> Result<EventDigest> {
        let mut digest = EventDigest::new();
        self.conn.for_each(
            &format!(
                "SELECT {} FROM event e WHERE e.id > ?1 ORDER BY e.id",
                *COLUMNS
            ),
            [self.last_before],
            |row| {
                digest.add_event(&self.reader.event_from_row(row)?);
                Ok::<(), StoreError>(())
            },
        )?;
        Ok(digest)
    }

    /// The earlier imports of a file with these contents (the SHA-256 of
    /// its bytes, as `commit` records it), oldest first. Read inside this
    /// import's transaction, which holds the write lock: no other import
    /// of the same file can commit in between.
    pub fn earlier_imports(&mut self, file_sha256: &str) -> Result<Vec<EarlierImport>> {
        self.end_copy(false)?;
        let mut stmt = self.conn.prepare(match self.conn.dialect() {
            super::db::Dialect::Sqlite => {
                "SELECT changed_at, changed_by, coalesce(json_extract(changes, '$.events'), 0)
                     FROM event_history
                     WHERE action = 'import' AND json_valid(changes)
                       AND json_extract(changes, '$.file_sha256') = ?1
                     ORDER BY seq"
            }
            super::db::Dialect::Postgres => {
                "SELECT changed_at, changed_by, coalesce((changes::jsonb ->> 'events')::bigint, 0)
                     FROM event_history
                     WHERE action = 'import' AND changes::jsonb ->> 'file_sha256' = ?1
                     ORDER BY seq"
            }
        })?;
        let rows = stmt.query_map([file_sha256], |r| {
            Ok(EarlierImport {
                at: r.get(0)?,
                by: r.get(1)?,
                events: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn rollback(self) -> Result<()> {
        // A server's row stream ends first (`CopyLoad`'s drop), giving the
        // connection back for the rollback.
        let Importer { load, tx, .. } = self;
        drop(load);
        tx.rollback()?;
        Ok(())
    }

    /// Ends a dry run: refuses what `commit` would refuse (events stored in
    /// a signed-off operation), with the same error, then rolls back, so a
    /// dry run says exactly what the real import would say.
    pub fn finish_dry_run(mut self) -> Result<()> {
        self.end_copy(false)?;
        super::signoff::refuse_new_events(self.conn, self.last_before)?;
        self.rollback()
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
            Outcome::Repeated(Box::new(e.clone()))
        );
        imp.commit(None, None).unwrap();
        assert_eq!(s.event(e.id).unwrap(), e);
        let mut imp = s.importer().unwrap();
        assert_eq!(
            imp.insert(&e).unwrap(),
            Outcome::Existing(Box::new(e.clone()))
        );
    }

    #[test]
    fn indexes_dropped_for_a_bulk_load_come_back_as_the_schema_made_them() {
        let mut s = store_with_op();
        let schema = |s: &Store| -> Vec<String> {
            let mut stmt = s
                .conn
                .prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'event' AND sql IS NOT NULL ORDER BY name")
                .unwrap();
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect()
        };
        let before = schema(&s);
        assert_eq!(before.len(), 2);
        for (_, create) in SECONDARY_INDEXES {
            assert!(
                before.iter().any(|sql| sql == create),
                "{create} differs from the migrations"
            );
        }
        let mut imp = s.importer().unwrap();
        imp.insert(&event("warrant", "2017-11-14", 1)).unwrap();
        imp.commit(None, None).unwrap();
        assert_eq!(schema(&s), before);
        // And a rolled-back load leaves them too.
        let mut s = store_with_op();
        let imp = s.importer().unwrap();
        drop(imp);
        assert_eq!(schema(&s), before);
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

    /// The borrowing insert reports SQLite's refusal with its message and
    /// stays usable: the statement is reset and its bindings cleared on the
    /// error path too.
    #[test]
    fn a_refused_row_is_reported_and_the_next_one_goes_in() {
        let mut s = store_with_op();
        let mut imp = s.importer().unwrap();
        // A count of 0 never passes validation; the schema refuses it too.
        let err = imp.insert(&event("warrant", "2017-11-14", 0)).unwrap_err();
        assert!(
            matches!(&err, StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, Some(m)))
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_CHECK && m.contains("count >= 1")),
            "{err:?}"
        );
        let mut e = event("arrest", "2017-11-15", 2);
        e.time = Some("07:05".parse().unwrap());
        assert_eq!(imp.insert(&e).unwrap(), Outcome::Inserted);
        imp.commit(None, None).unwrap();
        assert_eq!(s.event(e.id).unwrap(), e);
    }

    /// The import's history row carries the digest of exactly the events it
    /// stored, whichever way it was computed; `check` agrees.
    #[test]
    fn the_seal_covers_the_events_stored_with_or_without_a_digest_ahead() {
        let a = event("warrant", "2017-11-14", 1);
        let b = event("arrest", "2017-11-15", 2);
        let c = event("arrest", "2017-11-16", 3);
        let ahead = |events: &[&Event]| {
            let mut d = EventDigest::new();
            events.iter().for_each(|e| d.add_event(e));
            d
        };
        let sealed = |s: &Store, first: &Event| -> String {
            let h = s.history(first.id).unwrap();
            let changes: serde_json::Value = serde_json::from_str(&h[0].changes).unwrap();
            changes["digest"].as_str().unwrap().to_string()
        };

        // Every event inserted: the digest computed ahead is used.
        let mut s = store_with_op();
        let mut imp = s.importer().unwrap();
        for e in [&a, &b] {
            assert_eq!(imp.insert(e).unwrap(), Outcome::Inserted);
        }
        imp.commit(Some(ahead(&[&a, &b])), None).unwrap();
        assert_eq!(sealed(&s, &a), ahead(&[&a, &b]).finish());
        assert!(s.event_problems(10).unwrap().is_empty());

        // A re-import in which `a` is already stored: the digest ahead
        // covers `a` too, so the stored rows are hashed instead.
        let mut imp = s.importer().unwrap();
        for (e, stored) in [(&a, false), (&c, true)] {
            assert_eq!(imp.insert(e).unwrap() == Outcome::Inserted, stored);
        }
        imp.commit(Some(ahead(&[&a, &c])), None).unwrap();
        assert_eq!(sealed(&s, &c), ahead(&[&c]).finish());
        assert!(s.event_problems(10).unwrap().is_empty());

        // No digest given: hashed from the stored rows.
        let mut s = store_with_op();
        let mut imp = s.importer().unwrap();
        imp.insert(&b).unwrap();
        imp.commit(None, None).unwrap();
        assert_eq!(sealed(&s, &b), ahead(&[&b]).finish());
    }

    /// A caller's digest that is not of the events it inserted is caught in
    /// debug builds (the tests), not sealed.
    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "not that of the events stored")]
    fn a_wrong_digest_ahead_is_caught_in_debug_builds() {
        let mut s = store_with_op();
        let mut imp = s.importer().unwrap();
        imp.insert(&event("warrant", "2017-11-14", 1)).unwrap();
        let mut wrong = EventDigest::new();
        wrong.add_event(&event("arrest", "2017-11-14", 1));
        let _ = imp.commit(Some(wrong), None);
    }
}
