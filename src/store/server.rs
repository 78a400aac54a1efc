//! What only a PostgreSQL database needs: opening one from a `postgres://`
//! URL, and the checks `check` makes of a server in place of SQLite's
//! file checks.

use std::collections::HashSet;
use std::io::Write;

use rusqlite::types::{ToSqlOutput, ValueRef};
use uuid::Uuid;

use super::db::{Conn, PgConn};
use super::{Result, StoreError};

/// The triggers that make the history, the disclosure log and the events
/// append-only on the server. A database owner can drop or disable them;
/// `check` says so, since the chain then guards the rows alone.
const GUARDS: &[(&str, &str)] = &[
    ("event_history", "event_history_no_update"),
    ("event_history", "event_history_no_delete"),
    ("event_history", "event_history_no_truncate"),
    ("event_history", "event_history_follows_head"),
    ("event", "event_no_delete"),
    ("event", "event_no_truncate"),
    ("disclosure", "disclosure_no_update"),
    ("disclosure", "disclosure_no_delete"),
    ("disclosure", "disclosure_no_truncate"),
];

/// The server's own problems with the database: a guard trigger missing or
/// disabled. (Foreign keys and checks are always enforced by PostgreSQL.)
pub(super) fn database_problems(conn: &Conn) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for (table, trigger) in GUARDS {
        let enabled: Option<String> = conn.query_opt(
            "SELECT t.tgenabled::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE c.relname = ?1 AND t.tgname = ?2",
            [table, trigger],
            |r| r.get(0),
        )?;
        match enabled.as_deref() {
            Some("D") => problems.push(format!(
                "guard: trigger {trigger} on {table} is disabled: rows can be changed or removed behind opweek's back"
            )),
            Some(_) => {}
            None => problems.push(format!(
                "guard: trigger {trigger} on {table} is missing: rows can be changed or removed behind opweek's back"
            )),
        }
    }
    Ok(problems)
}

/// The rows of an import on their way to the server: encoded in COPY's
/// binary format as they come and sent in one `COPY event ... FROM STDIN`
/// per batch, inside the import's transaction, so a million rows cost a
/// few round trips rather than a million. The server checks every row
/// against the table's constraints as it lands; the write lock the import
/// holds means no one else stores an event meanwhile, so an id is new
/// exactly when it is neither stored nor earlier in this import.
pub(crate) struct CopyLoad<'a> {
    /// The constraints dropped for a load into the empty table, in the
    /// order they were dropped (table, quoted name, definition); `restore`
    /// adds them back in the reverse order.
    dropped: Vec<(String, String, String)>,
    /// Ids stored before the import, and those this import has sent.
    stored: HashSet<[u8; 16]>,
    sent: HashSet<[u8; 16]>,
    rows: RowStream<'a>,
}

/// Rows for one table, encoded in COPY's binary format and sent through one
/// `COPY ... FROM STDIN (FORMAT binary)` inside the caller's transaction,
/// written by a thread of its own that holds the connection meanwhile: the
/// server stores one chunk while the caller reads and encodes the next,
/// instead of each waiting for the other. `finish` (or dropping it, on an
/// error) ends the COPY and gives the connection back.
struct RowStream<'a> {
    pg: &'a PgConn,
    sql: String,
    /// Encoded rows not yet handed to the writer.
    buffer: Vec<u8>,
    writer: Option<Writer>,
}

/// The thread writing a `RowStream`'s COPY, and the chunks on their way to
/// it.
struct Writer {
    chunks: std::sync::mpsc::SyncSender<Vec<u8>>,
    thread: std::thread::JoinHandle<(postgres::Client, Result<()>)>,
}

impl<'a> RowStream<'a> {
    fn new(conn: &'a Conn, table: &str, columns: &str) -> Result<RowStream<'a>> {
        let pg = conn
            .pg()
            .ok_or_else(|| StoreError::Corrupt("COPY needs a server".into()))?;
        Ok(RowStream {
            pg,
            sql: format!("COPY {table} ({columns}) FROM STDIN (FORMAT binary)"),
            buffer: Vec::with_capacity(COPY_BATCH_BYTES + 4096),
            writer: None,
        })
    }

    /// Queues one row (its values in the COPY's column order).
    fn push(&mut self, values: &[ToSqlOutput<'_>]) -> Result<()> {
        encode_row(&mut self.buffer, values)?;
        if self.buffer.len() >= COPY_BATCH_BYTES {
            self.send()?;
        }
        Ok(())
    }

    /// Hands the encoded rows to the writer, starting it if need be.
    fn send(&mut self) -> Result<()> {
        let writer = match &mut self.writer {
            Some(writer) => writer,
            None => self.writer.insert(Writer::start(self.pg, &self.sql)?),
        };
        let chunk = std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(COPY_BATCH_BYTES + 4096),
        );
        if writer.chunks.send(chunk).is_err() {
            // The writer stopped early: its error says why.
            self.end()?;
            return Err(StoreError::Corrupt(
                "the rows' stream to the server stopped".into(),
            ));
        }
        Ok(())
    }

    /// Sends every row queued and ends the COPY, so the connection can run
    /// other statements (a look-up, the history entry, a commit).
    fn finish(&mut self) -> Result<()> {
        if !self.buffer.is_empty() {
            self.send()?;
        }
        self.end()
    }

    /// Ends the writer: the rest of its chunks sent, the COPY finished, the
    /// connection back.
    fn end(&mut self) -> Result<()> {
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        drop(writer.chunks);
        match writer.thread.join() {
            Ok((client, result)) => {
                self.pg.give_back(client);
                result
            }
            Err(_) => Err(StoreError::Corrupt(
                "the thread sending rows to the server failed".into(),
            )),
        }
    }
}

/// A stream dropped unfinished (an error, a dry run) still gives the
/// connection back, for the rollback.
impl Drop for RowStream<'_> {
    fn drop(&mut self) {
        let _ = self.end();
    }
}

impl Writer {
    fn start(pg: &PgConn, sql: &str) -> Result<Writer> {
        let mut client = pg.lend()?;
        // A few chunks in flight: enough to keep both sides busy, little
        // memory.
        let (chunks, received) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let sql = sql.to_string();
        let thread = std::thread::Builder::new()
            .name("copy".into())
            .spawn(move || {
                let result = (|| -> Result<()> {
                    let mut w = client.copy_in(&sql)?;
                    w.write_all(COPY_HEADER).map_err(StoreError::Sending)?;
                    for chunk in received {
                        w.write_all(&chunk).map_err(StoreError::Sending)?;
                    }
                    w.write_all(&(-1i16).to_be_bytes())
                        .map_err(StoreError::Sending)?;
                    w.finish()?;
                    Ok(())
                })();
                (client, result)
            })
            .map_err(StoreError::Sending)?;
        Ok(Writer { chunks, thread })
    }
}

/// COPY's binary signature, flags and header extension length.
const COPY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// A chunk handed to a `RowStream`'s writer when its encoded rows reach
/// this size.
const COPY_BATCH_BYTES: usize = 1 << 20;

impl<'a> CopyLoad<'a> {
    /// Reads the ids already stored (none to read into an empty table).
    /// `bulk`: the table is empty and this role owns it (`owns_event`), so
    /// the event table's keys are dropped for the load and added back by
    /// `restore`, in the same transaction, each built or checked once over
    /// all the rows (a sort, a join) instead of row by row:
    /// - its foreign keys: at 200k events the row-by-row checks took about
    ///   60% of the server's time for the import (two look-ups a row);
    /// - its unique id: a random id's index insert touches a random page;
    ///   built afterwards it is one sort. (The primary key stays: its ids
    ///   come in order, so keeping it costs next to nothing, and the
    ///   history's key on events rests on it.)
    ///
    /// Nothing is lost: the keys are back, and were checked, before the
    /// import writes its history entry and commits, and an import that
    /// fails rolls the drops back too. A repeated id (looked up in the
    /// table) brings them back early (`Importer::insert`).
    pub(crate) fn start(conn: &'a Conn, empty: bool, bulk: bool) -> Result<CopyLoad<'a>> {
        let rows = RowStream::new(conn, "event", &super::rows::INSERT_COLUMNS)?;
        let mut dropped: Vec<(String, String, String)> = Vec::new();
        if bulk {
            dropped = conn.query_map(
                "SELECT 'event', quote_ident(conname), pg_get_constraintdef(oid)
                 FROM pg_constraint
                 WHERE conrelid = 'event'::regclass AND contype IN ('f', 'u')
                 ORDER BY contype, conname",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            for (table, name, _) in &dropped {
                conn.execute_batch(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))?;
            }
        }
        let mut stored = HashSet::new();
        if !empty {
            conn.for_each("SELECT uuid FROM event", [], |r| {
                let id: Vec<u8> = r.get(0)?;
                if let Ok(id) = <[u8; 16]>::try_from(id.as_slice()) {
                    stored.insert(id);
                }
                Ok::<(), StoreError>(())
            })?;
        }
        Ok(CopyLoad {
            dropped,
            stored,
            sent: HashSet::new(),
            rows,
        })
    }

    /// Queues the row `values` (in `FIELDS` order) unless `id` is stored
    /// already or was sent earlier; returns how many rows it queued (0 or
    /// 1), as an `INSERT ... ON CONFLICT DO NOTHING` would.
    pub(crate) fn insert(&mut self, id: Uuid, values: &[ToSqlOutput<'_>]) -> Result<usize> {
        let key = *id.as_bytes();
        if self.stored.contains(&key) || !self.sent.insert(key) {
            return Ok(0);
        }
        self.rows.push(values)?;
        Ok(1)
    }

    /// Adds back the keys `start` dropped, checking every row; nothing
    /// the second time.
    pub(crate) fn restore(&mut self, conn: &Conn) -> Result<()> {
        while let Some((table, name, definition)) = self.dropped.pop() {
            conn.execute_batch(&format!(
                "ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
            ))?;
        }
        Ok(())
    }

    /// Sends every row queued and ends the COPY (`RowStream::finish`).
    pub(crate) fn flush(&mut self) -> Result<()> {
        self.rows.finish()
    }
}

/// Whether the connected role owns the event table, as dropping and
/// building its indexes and keys for a bulk load needs: the day-to-day role
/// of least privileges (pg/0001_schema.sql) does not, and loads through
/// the indexes and keys as they are.
pub(crate) fn owns_event(conn: &Conn) -> Result<bool> {
    conn.query_row(
        "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class
         WHERE oid = 'event'::regclass",
        [],
        |r| r.get(0),
    )
}

/// The tables of an opweek database and their columns, in the order rows
/// are copied (a row's references are copied before it). Both engines
/// hold the same columns under the same names.
fn tables() -> [(&'static str, String); 5] {
    [
        (
            "operation",
            "id, code, title, start_date, end_date, force, unit, campaign, notes, created_at".into(),
        ),
        (
            "activity_type",
            "id, key, label, noun, plural, phrase, position, retired, measure".into(),
        ),
        ("event", format!("id, {}", *super::rows::INSERT_COLUMNS)),
        (
            "event_history",
            "seq, event_id, subject, action, changed_by, changed_at, reason, changes, prev_hash, hash"
                .into(),
        ),
        (
            "disclosure",
            "id, disclosed_at, disclosed_by, filters, rows, destination, recipient, reason".into(),
        ),
    ]
}

/// Copies every opweek row of `from` into `to`, which holds nothing but
/// the default activity types (replaced by `from`'s), keeping every id and
/// history seq: they are part of the chain's hashes. `from` is read in one
/// snapshot, `to` written in one transaction.
pub(super) fn copy_all(from: &Conn, to: &Conn) -> Result<()> {
    let read = from.begin_read()?;
    let write = to.begin_write()?;
    for (table, columns) in tables() {
        let select = format!("SELECT {columns} FROM {table} ORDER BY 1");
        let n = columns.split(',').count();
        let row = |r: &super::db::Row| {
            (0..n)
                .map(|i| r.value(i))
                .collect::<rusqlite::Result<Vec<_>>>()
        };
        if to.dialect() == super::db::Dialect::Postgres && table != "activity_type" {
            let mut copy = RowStream::new(to, table, &columns)?;
            from.for_each(&select, [], |r| {
                let values = row(r)?;
                let refs: Vec<ToSqlOutput<'_>> = values
                    .iter()
                    .map(|v| ToSqlOutput::Borrowed(ValueRef::from(v)))
                    .collect();
                copy.push(&refs)
            })?;
            copy.finish()?;
            continue;
        }
        let marks = (1..=n)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut insert = format!("INSERT INTO {table} ({columns}) VALUES ({marks})");
        if table == "activity_type" {
            // The default types are there already, under the same ids as
            // in every opweek database (types are never deleted): each is
            // overwritten by the source's (an opweek role may not delete).
            let set = columns
                .split(',')
                .map(str::trim)
                .filter(|c| *c != "id")
                .map(|c| format!("{c} = excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            insert.push_str(&format!(" ON CONFLICT (id) DO UPDATE SET {set}"));
        }
        from.for_each(&select, [], |r| {
            to.execute(&insert, row(r)?)?;
            Ok::<(), StoreError>(())
        })?;
    }
    if to.dialect() == super::db::Dialect::Postgres {
        // The next id of each table follows the copied ones.
        for (table, column) in [
            ("operation", "id"),
            ("activity_type", "id"),
            ("event", "id"),
            ("disclosure", "id"),
        ] {
            to.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                            coalesce(max({column}), 0) + 1, false) FROM {table}"
                ),
                [],
            )?;
        }
    }
    write.commit()?;
    read.commit()?;
    Ok(())
}

/// `restore` into a server database: allowed only while it holds no
/// records of its own, since its history and events cannot be replaced
/// (the server refuses to delete them; see pg/0001_schema.sql).
pub(super) fn restore_into(to: &Conn, from: &Conn, shown: &str) -> Result<()> {
    let (ops, events, history): (i64, i64, i64) = to.query_row(
        "SELECT (SELECT count(*) FROM operation), (SELECT count(*) FROM event),
                (SELECT count(*) FROM event_history)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if ops + events + history > 0 {
        return Err(StoreError::Conflict(format!(
            "{shown} already holds records ({ops} operations, {events} events, {history} history entries): \
             a server database's history is never replaced, so restore into a new, empty database"
        )));
    }
    copy_all(from, to)
}

/// One row in COPY's binary format: its field count, then each field's
/// length and bytes (-1 for null). Integers are sent as `bigint`, the type
/// of every integer column.
fn encode_row(buffer: &mut Vec<u8>, values: &[ToSqlOutput<'_>]) -> Result<()> {
    let fields =
        i16::try_from(values.len()).map_err(|_| StoreError::Corrupt("too many columns".into()))?;
    buffer.extend_from_slice(&fields.to_be_bytes());
    for v in values {
        let v = match v {
            ToSqlOutput::Borrowed(r) => *r,
            ToSqlOutput::Owned(o) => ValueRef::from(o),
            _ => return Err(StoreError::Corrupt("a value of an unknown kind".into())),
        };
        // Numbers as their eight bytes, held on the stack: no allocation
        // a field on the import's hot path.
        let (int, real);
        let bytes: &[u8] = match v {
            ValueRef::Null => {
                buffer.extend_from_slice(&(-1i32).to_be_bytes());
                continue;
            }
            ValueRef::Integer(i) => {
                int = i.to_be_bytes();
                &int
            }
            ValueRef::Real(f) => {
                real = f.to_be_bytes();
                &real
            }
            ValueRef::Text(t) | ValueRef::Blob(t) => t,
        };
        let len = i32::try_from(bytes.len())
            .map_err(|_| StoreError::Corrupt("a value too long to send".into()))?;
        buffer.extend_from_slice(&len.to_be_bytes());
        buffer.extend_from_slice(bytes);
    }
    Ok(())
}
