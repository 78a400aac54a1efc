//! Operations (weeks of action): add, edit, look up, list. Every add and
//! edit is an entry in the history chain (`op-add`, `op-edit`), so the
//! dates and titles a briefing prints are covered by its chain head.

use chrono::NaiveDate;
use rusqlite::params;

use super::db::Row;

use super::history::{append, About};
use super::signoff::{op_subject, SignOff};
use super::{now_utc, Result, Store, StoreError};
use crate::model::Operation;

/// An operation with how much has been recorded under it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OperationSummary {
    #[serde(flatten)]
    pub operation: Operation,
    /// Active events.
    pub events: i64,
    /// Sum of their counts.
    pub total: i64,
    /// Who signed its figures off, when, and the head; `None` while open.
    pub signed_off: Option<SignOff>,
}

/// An operation's fields as the history records them: text, "" for none.
fn op_fields(op: &Operation) -> [(&'static str, String); 7] {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        ("title", op.title.clone()),
        ("start", op.start.to_string()),
        ("end", op.end.to_string()),
        ("force", opt(&op.force)),
        ("unit", opt(&op.unit)),
        ("campaign", opt(&op.campaign)),
        ("notes", opt(&op.notes)),
    ]
}

/// The fields that differ, as {"field": {"old": .., "new": ..}}.
pub fn operation_changes(
    old: &Operation,
    new: &Operation,
) -> serde_json::Map<String, serde_json::Value> {
    op_fields(old)
        .into_iter()
        .zip(op_fields(new))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((k, a), (_, b))| (k.to_string(), serde_json::json!({"old": a, "new": b})))
        .collect()
}

const COLUMNS: &str = "code, title, start_date, end_date, force, unit, campaign, notes";

fn operation_from_row(row: &Row) -> rusqlite::Result<Operation> {
    Ok(Operation {
        code: row.get(0)?,
        title: row.get(1)?,
        start: row.get(2)?,
        end: row.get(3)?,
        force: row.get(4)?,
        unit: row.get(5)?,
        campaign: row.get(6)?,
        notes: row.get(7)?,
    })
}

impl Store {
    pub fn add_operation(&mut self, op: &Operation) -> Result<()> {
        let actor = self.actor.clone();
        let tx = self.write()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM operation WHERE code = ?1)",
            [&op.code],
            |r| r.get(0),
        )?;
        if exists {
            return Err(StoreError::DuplicateOperation(op.code.clone()));
        }
        tx.execute(
            &format!("INSERT INTO operation ({COLUMNS}, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
            params![
                op.code, op.title, op.start, op.end, op.force, op.unit, op.campaign, op.notes,
                now_utc()
            ],
        )?;
        let fields: serde_json::Map<String, serde_json::Value> = op_fields(op)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into()))
            .collect();
        append(
            &tx,
            About::Subject(&op_subject(&op.code)),
            "op-add",
            &actor,
            &now_utc(),
            "new operation",
            &serde_json::Value::Object(fields).to_string(),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces operation `old` with `new` (same code), with an `op-edit`
    /// entry in the history. Refused when `old` is no longer what is stored,
    /// when nothing changes, when the operation is signed off and anything
    /// but its notes changes, and when new dates would leave events outside
    /// (every event lies inside its operation's dates).
    pub fn edit_operation(&mut self, old: &Operation, new: &Operation, reason: &str) -> Result<()> {
        let actor = self.actor.clone();
        let tx = self.write()?;
        let current = tx
            .query_opt(
                &format!("SELECT {COLUMNS} FROM operation WHERE code = ?1"),
                [&old.code],
                operation_from_row,
            )?
            .ok_or_else(|| StoreError::UnknownOperation(old.code.clone()))?;
        if &current != old {
            return Err(StoreError::Conflict(format!(
                "operation {} was changed by someone else meanwhile; look again with `opweek op show {}` and retry",
                old.code, old.code
            )));
        }
        let changes = operation_changes(old, new);
        if changes.is_empty() {
            return Err(StoreError::Conflict(
                "nothing to change: the values given are the operation's current values".into(),
            ));
        }
        if changes.keys().any(|k| k != "notes") {
            super::signoff::refuse_change(&tx, &old.code)?;
        }
        if new.start != old.start || new.end != old.end {
            let (n, first, last): (i64, Option<String>, Option<String>) = tx.query_row(
                "SELECT count(*), min(date), max(date) FROM event
                 WHERE op_id = (SELECT id FROM operation WHERE code = ?1)
                   AND (date < ?2 OR date > ?3)",
                params![old.code, new.start, new.end],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            if n > 0 {
                let range = match (first, last) {
                    (Some(a), Some(b)) if a != b => format!("dated {a} to {b}"),
                    (Some(a), _) => format!("dated {a}"),
                    _ => String::new(),
                };
                return Err(StoreError::Conflict(format!(
                    "{n} event{} of {} would lie outside {} to {} ({range}): \
                     amend their dates or operation first, or choose dates that hold them",
                    if n == 1 { "" } else { "s" },
                    old.code,
                    new.start,
                    new.end
                )));
            }
        }
        tx.execute(
            "UPDATE operation SET title = ?2, start_date = ?3, end_date = ?4, force = ?5, unit = ?6,
                    campaign = ?7, notes = ?8
             WHERE code = ?1",
            params![
                old.code, new.title, new.start, new.end, new.force, new.unit, new.campaign, new.notes
            ],
        )?;
        append(
            &tx,
            About::Subject(&op_subject(&old.code)),
            "op-edit",
            &actor,
            &now_utc(),
            reason,
            &serde_json::Value::Object(changes).to_string(),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Other operations of the same force (both without one counts as the
    /// same) whose dates overlap `op`'s, by start date.
    pub fn overlapping_operations(&self, op: &Operation) -> Result<Vec<Operation>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM operation
             WHERE code <> ?1 AND force IS NOT DISTINCT FROM ?2 AND start_date <= ?4 AND end_date >= ?3
             ORDER BY start_date, code"
        ))?;
        let rows = stmt.query_map(
            params![op.code, op.force, op.start, op.end],
            operation_from_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn operation(&self, code: &str) -> Result<Operation> {
        self.conn
            .query_opt(
                &format!("SELECT {COLUMNS} FROM operation WHERE code = ?1"),
                [code],
                operation_from_row,
            )?
            .ok_or_else(|| self.unknown_operation(code))
    }

    /// Every operation, by start date then code.
    pub fn operations(&self) -> Result<Vec<Operation>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM operation ORDER BY start_date, code"
        ))?;
        let rows = stmt.query_map([], operation_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Operations whose dates contain `date`, by code.
    pub fn operations_containing(&self, date: NaiveDate) -> Result<Vec<Operation>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM operation WHERE start_date <= ?1 AND end_date >= ?1 ORDER BY code"
        ))?;
        let rows = stmt.query_map([date], operation_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Operations of a campaign, by start date then code.
    pub fn campaign_operations(&self, campaign: &str) -> Result<Vec<Operation>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM operation WHERE campaign = ?1 ORDER BY start_date, code"
        ))?;
        let rows = stmt.query_map([campaign], operation_from_row)?;
        let ops: Vec<Operation> = rows.collect::<rusqlite::Result<_>>()?;
        if ops.is_empty() {
            return Err(StoreError::UnknownCampaign(campaign.to_string()));
        }
        Ok(ops)
    }

    /// Every operation with its totals, by start date then code.
    pub fn operation_summaries(&self) -> Result<Vec<OperationSummary>> {
        self.summaries("TRUE", None)
    }

    pub fn operation_summary(&self, code: &str) -> Result<OperationSummary> {
        self.summaries("o.code = ?1", Some(code))?
            .pop()
            .ok_or_else(|| self.unknown_operation(code))
    }

    /// The operations `condition` selects, with their totals. One walk of
    /// the events grouped by operation, answered from the event_op_tally
    /// index alone (migrations/0002_indexes.sql): a count and a sum per
    /// operation as correlated sub-queries walked the events twice per
    /// operation, 2.1 s of CPU for `op list` at a million events against
    /// 0.2 s now (BENCHMARKS.md).
    fn summaries(&self, condition: &str, code: Option<&str>) -> Result<Vec<OperationSummary>> {
        let mut stmt = self.conn.prepare_cached(&summaries_sql(condition))?;
        let rows = stmt.query_small(Vec::from_iter(code), |row| {
            Ok(OperationSummary {
                operation: operation_from_row(row)?,
                events: row.get(8)?,
                total: row.get(9)?,
                signed_off: None,
            })
        })?;
        let mut list: Vec<OperationSummary> = rows.collect::<rusqlite::Result<_>>()?;
        let mut signed = super::signoff::all_signed_off(&self.conn)?;
        for s in &mut list {
            s.signed_off = signed.remove(&s.operation.code);
        }
        Ok(list)
    }

    /// SQLite's query plan for `op list`, one step a line: lets a test
    /// make sure it keeps reading the index alone.
    pub fn operation_summaries_plan(&self) -> Result<String> {
        let sql = format!("EXPLAIN QUERY PLAN {}", summaries_sql("TRUE"));
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(3))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join("\n"))
    }
}

fn summaries_sql(condition: &str) -> String {
    format!(
        "SELECT {COLUMNS}, coalesce(g.n, 0), coalesce(g.total, 0)
         FROM operation o
         LEFT JOIN (SELECT e.op_id AS op_id, count(*) AS n, sum(e.count) AS total
                    FROM event e
                    WHERE e.status = 'active'
                      AND e.op_id IN (SELECT o.id FROM operation o WHERE {condition})
                    GROUP BY e.op_id) g ON g.op_id = o.id
         WHERE {condition}
         ORDER BY start_date, code"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn op(code: &str, start: &str, end: &str) -> Operation {
        Operation {
            code: code.into(),
            title: "Week of action".into(),
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
            force: Some("Merseyside Police".into()),
            unit: None,
            campaign: Some("nw-nov17".into()),
            notes: None,
        }
    }

    #[test]
    fn add_and_find() {
        let mut s = Store::open_in_memory().unwrap();
        s.add_operation(&op("a", "2017-11-13", "2017-11-19"))
            .unwrap();
        assert_eq!(s.operation("a").unwrap().end.to_string(), "2017-11-19");
        assert!(matches!(
            s.add_operation(&op("a", "2017-11-13", "2017-11-19")),
            Err(StoreError::DuplicateOperation(_))
        ));
        assert!(matches!(
            s.operation("b"),
            Err(StoreError::NoSuchOperation { .. })
        ));
        let d = "2017-11-19".parse().unwrap();
        assert_eq!(s.operations_containing(d).unwrap().len(), 1);
        assert_eq!(s.campaign_operations("nw-nov17").unwrap().len(), 1);
        assert_eq!(s.operation_summary("a").unwrap().events, 0);
    }
}
