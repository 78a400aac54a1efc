//! Sign-off: a supervisor locks an operation's figures. The state lives in
//! the history chain and nowhere else: an operation is signed off when its
//! latest `sign-off` or `reopen` entry is a sign-off. So the state is as
//! tamper-evident as the figures, and there is no second copy to drift.
//!
//! The guards (`refuse_change`, `refuse_new_events`) run inside the write
//! transaction of the write they guard (`BEGIN IMMEDIATE`): a sign-off
//! committed by another process either came first, and the write is refused,
//! or waits for the write's lock, and then signs its figures off with it.

use std::collections::BTreeMap;

use rusqlite::params;

use super::db::Conn;
use serde::Serialize;

use super::history::{append, About};
use super::{now_utc, Result, Store, StoreError};

/// Who signed an operation off, when, and the chain head that sign-off
/// made (the hash of its own history entry, which covers every figure
/// recorded before it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignOff {
    pub by: String,
    pub at: String,
    pub head: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The history subject of an operation.
pub(super) fn op_subject(code: &str) -> String {
    format!("op:{code}")
}

fn sign_off_from(by: String, at: String, head: String, changes: &str) -> SignOff {
    let changes: serde_json::Value = serde_json::from_str(changes).unwrap_or_default();
    SignOff {
        by,
        at,
        head,
        note: changes["note"].as_str().map(str::to_string),
    }
}

/// The operation's sign-off, or `None` when it is open.
pub(super) fn state(conn: &Conn, code: &str) -> Result<Option<SignOff>> {
    let row: Option<(String, String, String, String, String)> = conn
        .prepare_cached(
            "SELECT action, changed_by, changed_at, hash, changes FROM event_history
             WHERE subject = ?1 AND action IN ('sign-off', 'reopen')
             ORDER BY seq DESC LIMIT 1",
        )?
        .query_opt([op_subject(code)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
    Ok(match row {
        Some((action, by, at, head, changes)) if action == "sign-off" => {
            Some(sign_off_from(by, at, head, &changes))
        }
        _ => None,
    })
}

/// Every signed-off operation, by code.
pub(super) fn all_signed_off(conn: &Conn) -> Result<BTreeMap<String, SignOff>> {
    let mut stmt = conn.prepare_cached(
        "SELECT substr(h.subject, 4), h.action, h.changed_by, h.changed_at, h.hash, h.changes
         FROM event_history h
         WHERE h.subject LIKE 'op:%' AND h.action IN ('sign-off', 'reopen')
           AND h.seq = (SELECT max(g.seq) FROM event_history g
                        WHERE g.subject = h.subject AND g.action IN ('sign-off', 'reopen'))",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (code, action, by, at, head, changes) = row?;
        if action == "sign-off" {
            out.insert(code, sign_off_from(by, at, head, &changes));
        }
    }
    Ok(out)
}

/// Refuses a write that would change the figures of operation `code` while
/// it is signed off. Call inside the write's transaction.
pub(super) fn refuse_change(conn: &Conn, code: &str) -> Result<()> {
    match state(conn, code)? {
        None => Ok(()),
        Some(s) => Err(StoreError::SignedOff {
            code: code.to_string(),
            by: s.by,
            at: s.at,
        }),
    }
}

/// Refuses a bulk load that stored events (row ids above `last_before`) in
/// a signed-off operation, naming every such operation. Call inside the
/// load's transaction, before it commits.
pub(super) fn refuse_new_events(conn: &Conn, last_before: i64) -> Result<()> {
    let signed = all_signed_off(conn)?;
    if signed.is_empty() {
        return Ok(());
    }
    let mut hit = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM event
                        WHERE op_id = (SELECT id FROM operation WHERE code = ?1) AND id > ?2)",
    )?;
    for (code, s) in &signed {
        if stmt.query_row(params![code, last_before], |r| r.get::<_, bool>(0))? {
            hit.push(format!("{code} (signed off by {} at {})", s.by, s.at));
        }
    }
    if hit.is_empty() {
        return Ok(());
    }
    Err(StoreError::SignedOffImport(hit.join(", ")))
}

/// Refuses a change to the words of activity type `key` while an operation
/// with active events of that type is signed off: the signed briefing would
/// read differently afterwards.
pub(super) fn refuse_type_change(conn: &Conn, key: &str) -> Result<()> {
    let signed = all_signed_off(conn)?;
    if signed.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM event
                        WHERE op_id = (SELECT id FROM operation WHERE code = ?1)
                          AND type_id = (SELECT id FROM activity_type WHERE key = ?2)
                          AND status = 'active')",
    )?;
    for (code, s) in signed {
        if stmt.query_row(params![code, key], |r| r.get::<_, bool>(0))? {
            return Err(StoreError::SignedOffType {
                key: key.to_string(),
                code,
                by: s.by,
                at: s.at,
            });
        }
    }
    Ok(())
}

impl Store {
    /// Signs operation `code` off: one `sign-off` entry in the history chain
    /// naming the store's actor, now, the note, and the figures signed
    /// (active events and their total). Returns the sign-off, whose `head`
    /// is that entry's hash.
    pub fn sign_off(&mut self, code: &str, note: Option<&str>) -> Result<SignOff> {
        let actor = self.actor.clone();
        let tx = self.write()?;
        let (events, total): (i64, i64) = tx
            .query_opt(
                "SELECT count(e.id), coalesce(sum(e.count), 0) FROM operation o
                 LEFT JOIN event e ON e.op_id = o.id AND e.status = 'active'
                 WHERE o.code = ?1 GROUP BY o.id",
                [code],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .ok_or_else(|| StoreError::UnknownOperation(code.to_string()))?;
        if let Some(s) = state(&tx, code)? {
            return Err(StoreError::Conflict(format!(
                "operation {code} is already signed off (by {} at {}, head {})",
                s.by, s.at, s.head
            )));
        }
        let changes = serde_json::json!({"events": events, "total": total, "note": note});
        let entry = append(
            &tx,
            About::Subject(&op_subject(code)),
            "sign-off",
            &actor,
            &now_utc(),
            note.unwrap_or("signed off"),
            &changes.to_string(),
        )?;
        tx.commit()?;
        Ok(SignOff {
            by: entry.changed_by,
            at: entry.changed_at,
            head: entry.hash,
            note: note.map(str::to_string),
        })
    }

    /// Lifts the sign-off of operation `code`, with the reason, as a
    /// `reopen` entry in the history chain. Returns the sign-off lifted.
    pub fn reopen(&mut self, code: &str, reason: &str) -> Result<SignOff> {
        let actor = self.actor.clone();
        let tx = self.write()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM operation WHERE code = ?1)",
            [code],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(StoreError::UnknownOperation(code.to_string()));
        }
        let Some(lifted) = state(&tx, code)? else {
            return Err(StoreError::Conflict(format!(
                "operation {code} is not signed off: there is nothing to reopen"
            )));
        };
        let changes = serde_json::json!({"signed_off": {"by": lifted.by, "at": lifted.at, "head": lifted.head}});
        append(
            &tx,
            About::Subject(&op_subject(code)),
            "reopen",
            &actor,
            &now_utc(),
            reason,
            &changes.to_string(),
        )?;
        tx.commit()?;
        Ok(lifted)
    }

    /// The operation's sign-off, or `None` when it is open.
    pub fn sign_off_state(&self, code: &str) -> Result<Option<SignOff>> {
        state(&self.conn, code)
    }

    /// Every signed-off operation, by code.
    pub fn signed_off_operations(&self) -> Result<BTreeMap<String, SignOff>> {
        all_signed_off(&self.conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::events::tests::{event, store_with_op};

    #[test]
    fn sign_off_locks_and_reopen_lifts() {
        let mut s = store_with_op();
        s.set_actor("sup");
        s.insert_event(&event("warrant", "2017-11-14", 2)).unwrap();
        let signed = s.sign_off("nov17", Some("for the press")).unwrap();
        assert_eq!(signed.by, "sup");
        assert_eq!(signed.head, s.history_head().unwrap());
        assert_eq!(s.sign_off_state("nov17").unwrap(), Some(signed.clone()));
        assert!(matches!(
            s.insert_event(&event("warrant", "2017-11-14", 1)),
            Err(StoreError::SignedOff { .. })
        ));
        assert!(matches!(
            s.sign_off("nov17", None),
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(s.reopen("nov17", "late warrant").unwrap(), signed);
        assert_eq!(s.sign_off_state("nov17").unwrap(), None);
        s.insert_event(&event("warrant", "2017-11-14", 1)).unwrap();
        assert!(matches!(
            s.reopen("nov17", "again"),
            Err(StoreError::Conflict(_))
        ));
        assert!(s.verify_history().unwrap().broken.is_none());
    }
}
