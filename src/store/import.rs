//! Bulk loading for `import`: one transaction, prepared statements, and
//! operation and type ids resolved in memory, so a million-row file costs one
//! insert per row. An id already stored is not overwritten: the stored event
//! comes back so the caller can tell an identical re-import from a conflict.

use std::collections::HashMap;
use std::os::raw::{c_char, c_int};
use std::ptr::NonNull;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{ffi, Connection, Statement, ToSql};
use uuid::Uuid;

use super::history::{Change, Seal};
use super::rows::{row_values, EventReader, Scratch, COLUMNS, INSERT_BY_ID, INSERT_COLUMNS};
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

/// The event table's secondary indexes, exactly as schema.sql creates them.
/// A load into an empty table drops them and builds them once at the end:
/// one sort instead of a million scattered index inserts.
const SECONDARY_INDEXES: [(&str, &str); 2] = [
    (
        "event_op_date",
        "CREATE INDEX event_op_date ON event (op_id, date)",
    ),
    ("event_date", "CREATE INDEX event_date ON event (date)"),
];

/// An import in progress, inside one write transaction taken at the start.
/// Nothing is visible to others until `commit`; `rollback`, or dropping it,
/// writes nothing.
pub struct Importer<'a> {
    conn: &'a Connection,
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
    insert: BorrowingInsert<'a>,
    existing: Statement<'a>,
    ops: HashMap<String, i64>,
    types: HashMap<String, i64>,
    reader: EventReader,
    rebuild_indexes: bool,
    /// Event rows with a larger id were written by this import.
    last_before: i64,
    open: bool,
}

impl Store {
    pub fn importer(&mut self) -> Result<Importer<'_>> {
        let conn = &self.conn;
        let actor = &self.actor;
        // No larger page cache for the load: measured at a million rows,
        // SQLite's default 2 MB was faster than 8 or 32 MB (ids are
        // time-ordered, so index inserts stay local) and keeps peak memory
        // near 11 MB instead of 74 (BENCHMARKS.md).
        // BEGIN IMMEDIATE, as `Store::write` does: the write lock from the
        // start. Managed by hand because the importer keeps its prepared
        // statements for the whole load, which a `Transaction` value would
        // not allow.
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let begun = (|| -> Result<Importer<'_>> {
            let map = |sql: &str| -> Result<HashMap<String, i64>> {
                let mut stmt = conn.prepare(sql)?;
                let rows = stmt.query_map([], |r| Ok((r.get(1)?, r.get(0)?)))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            };
            let empty: bool =
                conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM event)", [], |r| r.get(0))?;
            if empty {
                for (name, _) in SECONDARY_INDEXES {
                    conn.execute_batch(&format!("DROP INDEX {name}"))?;
                }
            }
            Ok(Importer {
                conn,
                actor,
                first: None,
                inserted: 0,
                all_inserted: true,
                #[cfg(debug_assertions)]
                check_digest: EventDigest::new(),
                insert: BorrowingInsert::prepare(
                    conn,
                    &format!(
                        "INSERT INTO event ({}) VALUES ({}) ON CONFLICT (uuid) DO NOTHING",
                        *INSERT_COLUMNS, *INSERT_BY_ID
                    ),
                )?,
                existing: conn.prepare(&format!(
                    "SELECT {}, e.id AS row_id FROM event e WHERE e.uuid = ?1",
                    *COLUMNS
                ))?,
                last_before: conn
                    .query_row("SELECT coalesce(max(id), 0) FROM event", [], |r| r.get(0))?,
                ops: map("SELECT id, code FROM operation")?,
                types: map("SELECT id, key FROM activity_type")?,
                reader: EventReader::load(conn)?,
                rebuild_indexes: empty,
                open: true,
            })
        })();
        if begun.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        begun
    }
}

/// The bulk insert statement, bound without copying the values. rusqlite
/// binds every text as `SQLITE_TRANSIENT`, so SQLite allocates, copies and
/// frees each one: with the id copied into a vector and the time formatted,
/// 10% of the writing thread's instructions (callgrind, 100k rows;
/// BENCHMARKS.md). Here a borrowed text or blob is bound as
/// `SQLITE_STATIC` and the bindings are cleared before `execute` returns,
/// so SQLite never holds a pointer past the borrow.
struct BorrowingInsert<'conn> {
    stmt: NonNull<ffi::sqlite3_stmt>,
    db: *mut ffi::sqlite3,
    _conn: std::marker::PhantomData<&'conn Connection>,
}

impl<'conn> BorrowingInsert<'conn> {
    fn prepare(conn: &'conn Connection, sql: &str) -> Result<BorrowingInsert<'conn>> {
        // SAFETY: the handle is the open connection's, which outlives this
        // statement ('conn); it is used on this thread only, like `conn`.
        let db = unsafe { conn.handle() };
        let len = c_int::try_from(sql.len())
            .map_err(|_| StoreError::Corrupt("insert statement too long".into()))?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: `sql` is valid for `len` bytes; SQLite writes the new
        // statement to `stmt`.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                db,
                sql.as_ptr().cast::<c_char>(),
                len,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        check(db, rc)?;
        let stmt = NonNull::new(stmt)
            .ok_or_else(|| StoreError::Corrupt("empty insert statement".into()))?;
        Ok(BorrowingInsert {
            stmt,
            db,
            _conn: std::marker::PhantomData,
        })
    }

    /// Binds `values` to ?1, ?2, …, runs the statement once and returns the
    /// number of rows it changed.
    fn execute(&mut self, values: &[&dyn ToSql]) -> Result<usize> {
        let stmt = self.stmt.as_ptr();
        let bound = self.bind_all(values).and_then(|()| {
            // SAFETY: a valid statement whose parameters are all bound to
            // values that live until this function returns.
            let rc = unsafe { ffi::sqlite3_step(stmt) };
            match rc {
                ffi::SQLITE_DONE => {
                    // SAFETY: the open connection.
                    Ok(unsafe { ffi::sqlite3_changes64(self.db) } as usize)
                }
                _ => Err(error(self.db, rc)),
            }
        });
        // Reset and forget the borrowed values, whatever happened: after
        // this SQLite holds no pointer into `values`. (The step's error, if
        // any, is already taken; reset would only repeat it.)
        // SAFETY: a valid statement.
        unsafe {
            ffi::sqlite3_reset(stmt);
            ffi::sqlite3_clear_bindings(stmt);
        }
        bound
    }

    fn bind_all(&mut self, values: &[&dyn ToSql]) -> Result<()> {
        let stmt = self.stmt.as_ptr();
        for (i, value) in values.iter().enumerate() {
            let index = c_int::try_from(i + 1)
                .map_err(|_| StoreError::Corrupt("too many parameters".into()))?;
            let out = value.to_sql()?;
            // A value made by `to_sql` dies at the end of this iteration, so
            // SQLite must copy it; a borrowed one lives as long as `values`.
            let (value, keep) = match &out {
                ToSqlOutput::Borrowed(v) => (*v, ffi::SQLITE_STATIC()),
                ToSqlOutput::Owned(v) => (ValueRef::from(v), ffi::SQLITE_TRANSIENT()),
                _ => {
                    return Err(StoreError::Corrupt(
                        "unsupported value in bulk insert".into(),
                    ))
                }
            };
            // SAFETY: `stmt` is valid and `index` within its parameters (the
            // SQL has one per value); texts and blobs are valid for their
            // length, and a STATIC one outlives the step (see `execute`).
            let rc = unsafe {
                match value {
                    ValueRef::Null => ffi::sqlite3_bind_null(stmt, index),
                    ValueRef::Integer(n) => ffi::sqlite3_bind_int64(stmt, index, n),
                    ValueRef::Real(f) => ffi::sqlite3_bind_double(stmt, index, f),
                    ValueRef::Text(t) => ffi::sqlite3_bind_text64(
                        stmt,
                        index,
                        t.as_ptr().cast::<c_char>(),
                        t.len() as u64,
                        keep,
                        ffi::SQLITE_UTF8 as u8,
                    ),
                    ValueRef::Blob(b) => ffi::sqlite3_bind_blob64(
                        stmt,
                        index,
                        b.as_ptr().cast(),
                        b.len() as u64,
                        keep,
                    ),
                }
            };
            check(self.db, rc)?;
        }
        Ok(())
    }
}

impl Drop for BorrowingInsert<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement is valid and finalized once, here.
        unsafe {
            ffi::sqlite3_finalize(self.stmt.as_ptr());
        }
    }
}

/// SQLite's result code `rc` as a store error carrying the connection's
/// message, as rusqlite reports it.
fn check(db: *mut ffi::sqlite3, rc: c_int) -> Result<()> {
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(error(db, rc))
    }
}

#[cold]
fn error(db: *mut ffi::sqlite3, rc: c_int) -> StoreError {
    // SAFETY: `db` is an open connection; its message is a NUL-terminated
    // string valid until the next call on it, copied here at once.
    let message = unsafe {
        let m = ffi::sqlite3_errmsg(db);
        (!m.is_null()).then(|| std::ffi::CStr::from_ptr(m).to_string_lossy().into_owned())
    };
    // SAFETY: as above.
    let code = unsafe { ffi::sqlite3_extended_errcode(db) };
    let code = if code & 0xff == rc & 0xff { code } else { rc };
    StoreError::Sqlite(rusqlite::Error::SqliteFailure(
        ffi::Error::new(code),
        message,
    ))
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
        let scratch = Scratch::of(e);
        let values = row_values(e, &scratch, ValueRef::Integer(op), ValueRef::Integer(ty));
        let values: [&dyn ToSql; crate::fields::N] =
            std::array::from_fn(|i| &values[i] as &dyn ToSql);
        let changed = self.insert.execute(&values[..]).inspect_err(|_| {
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
        let mut rows = self.existing.query([e.id])?;
        match rows.next()? {
            Some(row) => {
                let stored = Box::new(self.reader.event_from_row(row)?);
                if row.get::<_, i64>("row_id")? > self.last_before {
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
    pub fn commit(mut self, ahead: Option<EventDigest>) -> Result<()> {
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
        Seal::with_digest("import", self.actor, self.first, digest).write(self.conn)?;
        if self.rebuild_indexes {
            for (_, create) in SECONDARY_INDEXES {
                self.conn.execute_batch(create)?;
            }
        }
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        Ok(())
    }

    /// The digest of the events this import stored, read back in row order.
    fn digest_stored(&self) -> Result<EventDigest> {
        let mut digest = EventDigest::new();
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {} FROM event e WHERE e.id > ?1 ORDER BY e.id",
            *COLUMNS
        ))?;
        let mut rows = stmt.query([self.last_before])?;
        while let Some(row) = rows.next()? {
            digest.add_event(&self.reader.event_from_row(row)?);
        }
        Ok(digest)
    }

    pub fn rollback(mut self) -> Result<()> {
        self.open = false;
        self.conn.execute_batch("ROLLBACK")?;
        Ok(())
    }
}

impl Drop for Importer<'_> {
    fn drop(&mut self) {
        // An import abandoned by an error writes nothing.
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
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
        imp.commit(None).unwrap();
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
                "{create} differs from schema.sql"
            );
        }
        let mut imp = s.importer().unwrap();
        imp.insert(&event("warrant", "2017-11-14", 1)).unwrap();
        imp.commit(None).unwrap();
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
                if f.extended_code == ffi::SQLITE_CONSTRAINT_CHECK && m.contains("count >= 1")),
            "{err:?}"
        );
        let mut e = event("arrest", "2017-11-15", 2);
        e.time = Some("07:05".parse().unwrap());
        assert_eq!(imp.insert(&e).unwrap(), Outcome::Inserted);
        imp.commit(None).unwrap();
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
        imp.commit(Some(ahead(&[&a, &b]))).unwrap();
        assert_eq!(sealed(&s, &a), ahead(&[&a, &b]).finish());
        assert!(s.event_problems(10).unwrap().is_empty());

        // A re-import in which `a` is already stored: the digest ahead
        // covers `a` too, so the stored rows are hashed instead.
        let mut imp = s.importer().unwrap();
        for (e, stored) in [(&a, false), (&c, true)] {
            assert_eq!(imp.insert(e).unwrap() == Outcome::Inserted, stored);
        }
        imp.commit(Some(ahead(&[&a, &c]))).unwrap();
        assert_eq!(sealed(&s, &c), ahead(&[&c]).finish());
        assert!(s.event_problems(10).unwrap().is_empty());

        // No digest given: hashed from the stored rows.
        let mut s = store_with_op();
        let mut imp = s.importer().unwrap();
        imp.insert(&b).unwrap();
        imp.commit(None).unwrap();
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
        let _ = imp.commit(Some(wrong));
    }
}
