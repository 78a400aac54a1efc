//! The append-only, hash-chained history: one row per write to events (a
//! `log`, an `import`, an amendment or a void), and the database checks
//! `opweek check` runs, including that every event still matches what its
//! history says. An event is never deleted and a history row never changed
//! (the schema's triggers refuse both).

use std::collections::HashMap;

use rusqlite::params;
use uuid::Uuid;

use super::db::{Conn, Row};
use super::{Result, Store, StoreError};
use crate::chain::{self, EventDigest};
use crate::model::{Event, HistoryEntry};

/// What a history row is about: an event, or an operation or type named
/// by its `subject` (`op:CODE`, `type:KEY`).
#[derive(Debug, Clone, Copy)]
pub(super) enum About<'a> {
    Event(Uuid),
    Subject(&'a str),
}

/// Appends one row to the history chain, after the current head. The caller
/// holds the write lock (a `BEGIN IMMEDIATE` transaction), so no other
/// writer can append between reading the head and writing the row.
pub(super) fn append(
    conn: &Conn,
    about: About,
    action: &str,
    changed_by: &str,
    changed_at: &str,
    reason: &str,
    changes: &str,
) -> Result<HistoryEntry> {
    let (last_seq, prev_hash): (i64, String) = conn
        .prepare_cached("SELECT seq, hash FROM event_history ORDER BY seq DESC LIMIT 1")?
        .query_opt([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .unwrap_or((0, chain::GENESIS.to_string()));
    let (event_id, subject) = match about {
        About::Event(id) => (id, None),
        About::Subject(s) => (Uuid::nil(), Some(s.to_string())),
    };
    let mut entry = HistoryEntry {
        seq: last_seq + 1,
        event_id,
        subject,
        action: action.to_string(),
        changed_by: changed_by.to_string(),
        changed_at: changed_at.to_string(),
        reason: reason.to_string(),
        changes: changes.to_string(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = chain::hash(&entry.prev_hash, &entry);
    conn.prepare_cached(
        "INSERT INTO event_history (seq, event_id, subject, action, changed_by, changed_at, reason, changes, prev_hash, hash)
         VALUES (?1, CASE WHEN CAST(?3 AS TEXT) IS NULL THEN (SELECT id FROM event WHERE uuid = ?2) END, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        entry.seq,
        entry.event_id,
        entry.subject,
        entry.action,
        entry.changed_by,
        entry.changed_at,
        entry.reason,
        entry.changes,
        entry.prev_hash,
        entry.hash,
    ])?;
    Ok(entry)
}

/// The history row for the events one write stores (`log`: one, `import`:
/// a batch): fed each new event as it is inserted (or, for an import, given
/// the digest hashed while parsing), written in the same transaction before
/// it commits. The digest costs one SHA-256 pass over
/// the rows, not a history row per event.
pub(super) struct Seal {
    action: &'static str,
    actor: String,
    first: Option<Uuid>,
    digest: EventDigest,
    /// For an import: the SHA-256 of the file's bytes, recorded so that
    /// importing the same file again can be noticed (see `import`).
    file_sha256: Option<String>,
}

impl Seal {
    pub(super) fn new(action: &'static str, actor: &str) -> Seal {
        Seal {
            action,
            actor: actor.to_string(),
            first: None,
            digest: EventDigest::new(),
            file_sha256: None,
        }
    }

    /// A seal whose digest was computed elsewhere: `digest` covers the
    /// events stored, `first` among them, in the order of their row ids.
    pub(super) fn with_digest(
        action: &'static str,
        actor: &str,
        first: Option<Uuid>,
        digest: EventDigest,
    ) -> Seal {
        Seal {
            action,
            actor: actor.to_string(),
            first,
            digest,
            file_sha256: None,
        }
    }

    /// Records the imported file's content (SHA-256 of its bytes, lowercase
    /// hex) in the row, as its `file_sha256` key. The chain hashes the row
    /// as text and `check` reads only `events` and `digest`, so rows with
    /// and without it verify alike.
    pub(super) fn file_sha256(mut self, sha: Option<&str>) -> Seal {
        self.file_sha256 = sha.map(str::to_string);
        self
    }

    /// Adds an event just inserted; events must come in the order of their
    /// row ids, which is the order of insertion.
    pub(super) fn add(&mut self, e: &Event) {
        self.first.get_or_insert(e.id);
        self.digest.add_event(e);
    }

    /// Writes the history row, unless no event was stored.
    pub(super) fn write(self, conn: &Conn) -> Result<Option<HistoryEntry>> {
        let Some(first) = self.first else {
            return Ok(None);
        };
        let events = self.digest.events();
        let mut changes = serde_json::json!({"events": events, "digest": self.digest.finish()});
        if let Some(sha) = self.file_sha256 {
            changes["file_sha256"] = sha.into();
        }
        let reason = match (self.action, events) {
            ("log", _) => "new event".to_string(),
            (_, 1) => "1 new event".to_string(),
            (_, n) => format!("{n} new events"),
        };
        append(
            conn,
            About::Event(first),
            self.action,
            &self.actor,
            &super::now_utc(),
            &reason,
            &changes.to_string(),
        )
        .map(Some)
    }
}

/// Who changes an event, when and why.
#[derive(Debug, Clone)]
pub struct Change {
    pub action: &'static str,
    pub changed_by: String,
    pub changed_at: String,
    pub reason: String,
    /// JSON object of the changed fields.
    pub changes: String,
}

const COLUMNS: &str =
    "h.seq, e.uuid, h.action, h.changed_by, h.changed_at, h.reason, h.changes, h.prev_hash, h.hash, h.subject";

/// A history row whose event is gone: every field but the event's id.
fn entry_from_row_without_event(row: &Row) -> rusqlite::Result<HistoryEntry> {
    Ok(HistoryEntry {
        seq: row.get(0)?,
        event_id: Uuid::nil(),
        subject: row.get(9)?,
        action: row.get(2)?,
        changed_by: row.get(3)?,
        changed_at: row.get(4)?,
        reason: row.get(5)?,
        changes: row.get(6)?,
        prev_hash: row.get(7)?,
        hash: row.get(8)?,
    })
}

fn entry_from_row(row: &Row) -> rusqlite::Result<HistoryEntry> {
    Ok(HistoryEntry {
        seq: row.get(0)?,
        event_id: row.get(1)?,
        subject: row.get(9)?,
        action: row.get(2)?,
        changed_by: row.get(3)?,
        changed_at: row.get(4)?,
        reason: row.get(5)?,
        changes: row.get(6)?,
        prev_hash: row.get(7)?,
        hash: row.get(8)?,
    })
}

impl Store {
    /// The history of one event, oldest first: the write that stored it
    /// (which may have stored others with it), then its corrections.
    pub fn history(&self, id: Uuid) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "WITH this AS (SELECT id FROM event WHERE uuid = ?1)
             SELECT {COLUMNS} FROM event_history h JOIN event e ON e.id = h.event_id
             WHERE h.seq = (SELECT seq FROM event_history
                            WHERE action IN ('log', 'import') AND event_id <= (SELECT id FROM this)
                            ORDER BY event_id DESC, seq DESC LIMIT 1)
                OR (h.event_id = (SELECT id FROM this) AND h.action IN ('amend', 'void'))
             ORDER BY h.seq"
        ))?;
        let rows = stmt.query_map([id], entry_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Recomputes the whole history chain.
    pub fn verify_history(&self) -> Result<chain::Verdict> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS}, e.id IS NULL AND h.subject IS NULL FROM event_history h LEFT JOIN event e ON e.id = h.event_id ORDER BY h.seq"
        ))?;
        // A row whose event is gone cannot be hashed as written (its event's
        // id is part of the hash); it is named as the break, for that reason.
        let mut gone = None;
        let rows = stmt.query_map([], |row| {
            if row.get::<_, bool>(10)? {
                gone.get_or_insert(row.get::<_, i64>(0)?);
                return entry_from_row_without_event(row);
            }
            if row.get::<_, Option<String>>(9)?.is_some() {
                return entry_from_row_without_event(row);
            }
            entry_from_row(row)
        })?;
        let entries = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        let mut verdict = chain::verify(entries);
        if let (Some(seq), Some((broken, why))) = (gone, verdict.broken.as_mut()) {
            if seq <= *broken {
                *broken = seq;
                *why = "refers to an event that is gone (removed behind the tool's back)".into();
            }
        }
        Ok(verdict)
    }

    /// The history entries whose hash starts with `prefix` (lowercase hex):
    /// their seq and full hash, at most two (two means the prefix is
    /// ambiguous).
    pub fn entries_with_hash_prefix(&self, prefix: &str) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, hash FROM event_history WHERE substr(hash, 1, length(CAST(?1 AS TEXT))) = ?1
             ORDER BY seq LIMIT 2",
        )?;
        let rows = stmt.query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The last history row's hash: the chain head a supervisor records.
    pub fn history_head(&self) -> Result<String> {
        Ok(self
            .conn
            .query_opt(
                "SELECT hash FROM event_history ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )?
            .unwrap_or_else(|| chain::GENESIS.to_string()))
    }

    /// Checks every event against the history: undoing its recorded
    /// amendments must give back what its `log` or `import` row's digest
    /// says was stored, and every event must be covered by such a row. One
    /// line per problem, at most `limit` (then a count of the rest). Streams
    /// the events; holds only the corrections in memory.
    pub fn event_problems(&self, limit: usize) -> Result<Vec<String>> {
        let mut corrections: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT event_id, seq, changes FROM event_history
                 WHERE action IN ('amend', 'void') ORDER BY seq",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            for row in rows {
                let (event, seq, changes): (i64, i64, String) = row?;
                corrections.entry(event).or_default().push((seq, changes));
            }
        }
        // Each seal with the first event it covers, named by id while that
        // event is still there.
        let mut seals_stmt = self.conn.prepare(
            "SELECT h.seq, h.event_id, h.changes, e.uuid FROM event_history h
             LEFT JOIN event e ON e.id = h.event_id
             WHERE h.action IN ('log', 'import') ORDER BY h.event_id, h.seq",
        )?;
        let mut seals = seals_stmt
            .query_map([], |r| {
                let first = match r.get::<_, Option<Uuid>>(3)? {
                    Some(id) => id.to_string(),
                    None => format!("event row {}", r.get::<_, i64>(1)?),
                };
                Ok((
                    (r.get::<_, i64>(0)?, r.get::<_, String>(2)?, first),
                    r.get::<_, i64>(1)?,
                ))
            })?
            .peekable();
        let reader = super::rows::EventReader::load(&self.conn)?;
        let mut events_stmt = self.conn.prepare(&format!(
            "SELECT {}, e.id FROM event e ORDER BY e.id",
            *super::rows::COLUMNS
        ))?;

        let mut problems = Problems::new(limit);
        // The seal being recomputed and the digest so far.
        let mut open: Option<(SealRow, EventDigest)> = None;
        events_stmt.for_each([], |row| {
            let rowid: i64 = row.get(crate::fields::N)?;
            let event = reader.event_from_row(row)?;
            // Move on to the seal whose range holds this event.
            while let Some(next) = seals.peek() {
                let starts = match next {
                    Ok((_, first)) => *first,
                    Err(_) => i64::MIN,
                };
                if starts > rowid {
                    break;
                }
                let (seal, _) = seals.next().expect("peeked")?;
                if let Some(done) = open.take() {
                    close_seal(done, &mut problems);
                }
                open = Some((seal, EventDigest::new()));
            }
            let Some((_, digest)) = open.as_mut() else {
                problems.push(format!(
                    "event {} is covered by no log or import entry (stored behind the tool's back)",
                    event.id
                ));
                return Ok(());
            };
            match corrections.get(&rowid) {
                None => digest.add_event(&event),
                Some(list) => {
                    let list: Vec<(i64, &str)> =
                        list.iter().map(|(seq, c)| (*seq, c.as_str())).collect();
                    match chain::original_record(crate::fields::record(&event).to_vec(), &list) {
                        Ok(cells) => digest.add_record(&cells),
                        Err(why) => {
                            problems.push(format!(
                                "event {}: {why} (changed behind the tool's back)",
                                event.id
                            ));
                            digest.add_event(&event);
                        }
                    }
                }
            }
            Ok::<(), StoreError>(())
        })?;
        if let Some(done) = open.take() {
            close_seal(done, &mut problems);
        }
        // Seals left over cover no event at all.
        for rest in seals {
            close_seal((rest?.0, EventDigest::new()), &mut problems);
        }
        Ok(problems.finish())
    }

    /// SQLite's own checks: `integrity_check` and `foreign_key_check`. Each
    /// problem is one line; none means the file is sound.
    pub fn database_problems(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        if self.conn.dialect() == super::db::Dialect::Postgres {
            return super::server::database_problems(&self.conn);
        }
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        for line in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let line = line?;
            if line != "ok" {
                problems.push(format!("integrity: {line}"));
            }
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |r| {
            Ok(format!(
                "foreign key: {} row {} refers to a missing {}",
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?
                    .map_or("?".into(), |n| n.to_string()),
                r.get::<_, String>(2)?
            ))
        })?;
        for row in rows {
            problems.push(row?);
        }
        Ok(problems)
    }
}

/// A `log` or `import` history row: its seq, its changes and the first
/// event it covers.
type SealRow = (i64, String, String);

/// Compares a recomputed seal with what its history row recorded.
fn close_seal(((seq, changes, first), digest): (SealRow, EventDigest), problems: &mut Problems) {
    let recorded: serde_json::Value = serde_json::from_str(&changes).unwrap_or_default();
    let (Some(events), Some(expected)) = (recorded["events"].as_u64(), recorded["digest"].as_str())
    else {
        problems.push(format!("history entry {seq} has unreadable changes"));
        return;
    };
    let found = digest.events();
    if found != events {
        problems.push(format!(
            "history entry {seq} recorded {events} event{} from {first} on, but {found} {} now stored there (added or removed behind the tool's back)",
            if events == 1 { "" } else { "s" },
            if found == 1 { "is" } else { "are" },
        ));
    } else if digest.finish() != expected {
        problems.push(if events == 1 {
            format!("event {first} no longer matches history entry {seq} (edited behind the tool's back)")
        } else {
            format!(
                "the {events} events history entry {seq} recorded, from {first} on, no longer match it (at least one was edited behind the tool's back)"
            )
        });
    }
}

/// Problem lines, at most `limit`, then how many more.
struct Problems {
    lines: Vec<String>,
    limit: usize,
    more: usize,
}

impl Problems {
    fn new(limit: usize) -> Problems {
        Problems {
            lines: Vec::new(),
            limit,
            more: 0,
        }
    }

    fn push(&mut self, line: String) {
        if self.lines.len() < self.limit {
            self.lines.push(line);
        } else {
            self.more += 1;
        }
    }

    fn finish(mut self) -> Vec<String> {
        if self.more > 0 {
            self.lines.push(format!("... and {} more", self.more));
        }
        self.lines
    }
}
