//! Operations (weeks of action): add, look up, list.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Row};

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
        tx.commit()?;
        Ok(())
    }

    pub fn operation(&self, code: &str) -> Result<Operation> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM operation WHERE code = ?1"),
                [code],
                operation_from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownOperation(code.to_string()))
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
        self.summaries("1", None)
    }

    pub fn operation_summary(&self, code: &str) -> Result<OperationSummary> {
        self.summaries("o.code = ?1", Some(code))?
            .pop()
            .ok_or_else(|| StoreError::UnknownOperation(code.to_string()))
    }

    /// The operations `condition` selects, with their totals. One walk of
    /// the events grouped by operation, answered from the event_op_tally
    /// index alone (migrations/0002_indexes.sql): a count and a sum per
    /// operation as correlated sub-queries walked the events twice per
    /// operation, 2.1 s of CPU for `op list` at a million events against
    /// 0.2 s now (BENCHMARKS.md).
    fn summaries(&self, condition: &str, code: Option<&str>) -> Result<Vec<OperationSummary>> {
        let mut stmt = self.conn.prepare_cached(&summaries_sql(condition))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(code), |row| {
            Ok(OperationSummary {
                operation: operation_from_row(row)?,
                events: row.get(8)?,
                total: row.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// SQLite's query plan for `op list`, one step a line: lets a test
    /// make sure it keeps reading the index alone.
    pub fn operation_summaries_plan(&self) -> Result<String> {
        let sql = format!("EXPLAIN QUERY PLAN {}", summaries_sql("1"));
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
            Err(StoreError::UnknownOperation(_))
        ));
        let d = "2017-11-19".parse().unwrap();
        assert_eq!(s.operations_containing(d).unwrap().len(), 1);
        assert_eq!(s.campaign_operations("nw-nov17").unwrap().len(), 1);
        assert_eq!(s.operation_summary("a").unwrap().events, 0);
    }
}
