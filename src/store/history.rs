//! Corrections: amending and voiding events, each with one row in the
//! append-only, hash-chained history; and the database checks `opweek check`
//! runs. An event is never deleted and a history row never changed (the
//! schema's triggers refuse both).

use rusqlite::{params, OptionalExtension, Row};
use uuid::Uuid;

use super::{Result, Store, StoreError};
use crate::chain;
use crate::model::{format_time, Event, HistoryEntry};

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
    "h.seq, e.uuid, h.action, h.changed_by, h.changed_at, h.reason, h.changes, h.prev_hash, h.hash";

fn entry_from_row(row: &Row) -> rusqlite::Result<HistoryEntry> {
    Ok(HistoryEntry {
        seq: row.get(0)?,
        event_id: row.get(1)?,
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
    /// Replaces `old` with `new` (same id) and appends one history row, in
    /// one transaction. Refused if the event changed since `old` was read.
    pub fn change_event(
        &mut self,
        old: &Event,
        new: &Event,
        change: &Change,
    ) -> Result<HistoryEntry> {
        let tx = self.write()?;
        let current = {
            let reader = super::events::EventReader::load(&tx)?;
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {} FROM event e WHERE e.uuid = ?1",
                super::events::COLUMNS
            ))?;
            let mut rows = stmt.query([old.id])?;
            match rows.next()? {
                Some(row) => reader.event_from_row(row)?,
                None => return Err(StoreError::UnknownEvent(old.id)),
            }
        };
        if &current != old {
            return Err(StoreError::Conflict(format!(
                "event {} was changed by someone else meanwhile; look again with `opweek show` and retry",
                old.id
            )));
        }
        tx.execute(
            "UPDATE event SET
                op_id = (SELECT id FROM operation WHERE code = ?2),
                type_id = (SELECT id FROM activity_type WHERE key = ?3),
                date = ?4, time = ?5, count = ?6, force = ?7, team = ?8, area = ?9, officer = ?10,
                reference = ?11, detail = ?12, partner = ?13, outcome = ?14, notes = ?15, status = ?16
             WHERE uuid = ?1",
            params![
                new.id,
                new.operation,
                new.type_key,
                new.date,
                new.time.map(format_time),
                new.count,
                new.force,
                new.team,
                new.area,
                new.officer,
                new.reference,
                new.detail,
                new.partner,
                new.outcome,
                new.notes,
                new.status.as_str(),
            ],
        )?;
        let (last_seq, prev_hash): (i64, String) = tx
            .query_row(
                "SELECT seq, hash FROM event_history ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((0, chain::GENESIS.to_string()));
        let mut entry = HistoryEntry {
            seq: last_seq + 1,
            event_id: new.id,
            action: change.action.to_string(),
            changed_by: change.changed_by.clone(),
            changed_at: change.changed_at.clone(),
            reason: change.reason.clone(),
            changes: change.changes.clone(),
            prev_hash,
            hash: String::new(),
        };
        entry.hash = chain::hash(&entry.prev_hash, &entry);
        tx.execute(
            "INSERT INTO event_history (seq, event_id, action, changed_by, changed_at, reason, changes, prev_hash, hash)
             VALUES (?1, (SELECT id FROM event WHERE uuid = ?2), ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                entry.seq,
                entry.event_id,
                entry.action,
                entry.changed_by,
                entry.changed_at,
                entry.reason,
                entry.changes,
                entry.prev_hash,
                entry.hash,
            ],
        )?;
        tx.commit()?;
        Ok(entry)
    }

    /// The history of one event, oldest first.
    pub fn history(&self, id: Uuid) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM event_history h JOIN event e ON e.id = h.event_id
             WHERE e.uuid = ?1 ORDER BY h.seq"
        ))?;
        let rows = stmt.query_map([id], entry_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Recomputes the whole history chain.
    pub fn verify_history(&self) -> Result<chain::Verdict> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM event_history h LEFT JOIN event e ON e.id = h.event_id ORDER BY h.seq"
        ))?;
        let rows = stmt.query_map([], entry_from_row)?;
        let entries = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(chain::verify(entries))
    }

    /// The last history row's hash: the chain head a supervisor records.
    pub fn history_head(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row(
                "SELECT hash FROM event_history ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| chain::GENESIS.to_string()))
    }

    /// SQLite's own checks: `integrity_check` and `foreign_key_check`. Each
    /// problem is one line; none means the file is sound.
    pub fn database_problems(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
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
