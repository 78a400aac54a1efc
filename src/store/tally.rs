//! Tallies: the sum of `count` over active events, grouped by activity type
//! and optionally one more dimension, computed inside SQLite so a report over
//! a million events reads only the index range it needs.

use rusqlite::types::Value;

use super::events::{date_condition, fields_condition, op_condition};
use super::{Result, Store};
use crate::dates::DateRange;
use crate::model::{Dimension, FieldFilter, OpSelection};

#[derive(Debug, Clone, Default)]
pub struct TallyQuery {
    pub ops: OpSelection,
    pub dates: Option<DateRange>,
    pub by: Option<Dimension>,
    /// Exact matches on team, area, officer and reference.
    pub fields: FieldFilter,
}

/// One group's total. `key` is the `by` dimension's value (`None` when the
/// query has no dimension, or the events left that field empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyRow {
    pub key: Option<String>,
    pub type_key: String,
    pub count: i64,
}

/// The tally query for `q` and its parameters.
fn tally_sql(q: &TallyQuery) -> (String, Vec<Value>) {
    let mut params: Vec<Value> = Vec::new();
    let ops = op_condition(&q.ops, &mut params);
    let dates = date_condition(&q.dates, &mut params);
    let fields = fields_condition(&q.fields, &mut params);
    let sql = format!(
        "SELECT g.k, t.key, g.n
         FROM (SELECT {key} AS k, e.type_id AS type_id, sum(e.count) AS n
               FROM event e
               WHERE e.status = 'active' AND {ops} AND {dates} AND {fields}
               GROUP BY k, e.type_id) g
         JOIN activity_type t ON t.id = g.type_id
         ORDER BY g.k IS NULL, g.k, t.position, t.key",
        key = dimension_column(q.by),
    );
    (sql, params)
}

fn dimension_column(by: Option<Dimension>) -> &'static str {
    match by {
        None | Some(Dimension::Type) => "NULL",
        Some(Dimension::Day) => "e.date",
        Some(Dimension::Force) => "e.force",
        Some(Dimension::Team) => "e.team",
        Some(Dimension::Area) => "e.area",
        Some(Dimension::Officer) => "e.officer",
    }
}

/// Per type, the total and the values every one of its events shares (a
/// field is `None` when the events differ or some leave it empty): what a
/// briefing phrase may say about all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedRow {
    pub type_key: String,
    pub count: i64,
    pub detail: Option<String>,
    pub partner: Option<String>,
    pub area: Option<String>,
    pub force: Option<String>,
}

impl Store {
    /// Totals and shared values per type, in report order.
    pub fn shared_values(&self, q: &TallyQuery) -> Result<Vec<SharedRow>> {
        let mut params: Vec<Value> = Vec::new();
        let ops = op_condition(&q.ops, &mut params);
        let dates = date_condition(&q.dates, &mut params);
        let fields = fields_condition(&q.fields, &mut params);
        // A value is shared when there is one distinct value and no event
        // lacks it.
        let shared = |c: &str| {
            format!("CASE WHEN count(DISTINCT e.{c}) = 1 AND count(e.{c}) = count(*) THEN max(e.{c}) END")
        };
        let sql = format!(
            "SELECT t.key, g.n, g.detail, g.partner, g.area, g.force
             FROM (SELECT e.type_id AS type_id, sum(e.count) AS n, {detail} AS detail,
                          {partner} AS partner, {area} AS area, {force} AS force
                   FROM event e
                   WHERE e.status = 'active' AND {ops} AND {dates} AND {fields}
                   GROUP BY e.type_id) g
             JOIN activity_type t ON t.id = g.type_id
             ORDER BY t.position, t.key",
            detail = shared("detail"),
            partner = shared("partner"),
            area = shared("area"),
            force = shared("force"),
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            Ok(SharedRow {
                type_key: r.get(0)?,
                count: r.get(1)?,
                detail: r.get(2)?,
                partner: r.get(3)?,
                area: r.get(4)?,
                force: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Totals per (dimension value, type), ordered by dimension value and
    /// then by the types' report order.
    pub fn tally(&self, q: &TallyQuery) -> Result<Vec<TallyRow>> {
        let (sql, params) = tally_sql(q);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            Ok(TallyRow {
                key: r.get(0)?,
                type_key: r.get(1)?,
                count: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// SQLite's query plan for a tally, one step a line: lets a test make
    /// sure the report queries keep using their indexes.
    pub fn tally_plan(&self, q: &TallyQuery) -> Result<String> {
        let (sql, params) = tally_sql(q);
        let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            r.get::<_, String>(3)
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join("\n"))
    }

    /// The first and last dates of the operations selected, if any exist.
    pub fn operations_span(&self, ops: &OpSelection) -> Result<Option<DateRange>> {
        let (condition, param) = match ops {
            OpSelection::All => ("1", None),
            OpSelection::One(code) => ("code = ?1", Some(code.clone())),
            OpSelection::Campaign(c) => ("campaign = ?1", Some(c.clone())),
        };
        let sql = format!("SELECT min(start_date), max(end_date) FROM operation WHERE {condition}");
        let (from, to) = self
            .conn
            .query_row(&sql, rusqlite::params_from_iter(param), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        Ok(match (from, to) {
            (Some(from), Some(to)) => Some(DateRange { from, to }),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::events::tests::{event, store_with_op};

    #[test]
    fn sums_counts_of_active_events() {
        let mut s = store_with_op();
        s.insert_event(&event("device-seizure", "2017-11-14", 3))
            .unwrap();
        s.insert_event(&event("device-seizure", "2017-11-15", 2))
            .unwrap();
        s.insert_event(&event("warrant", "2017-11-15", 1)).unwrap();
        let mut voided = event("warrant", "2017-11-15", 1);
        voided.status = crate::model::Status::Voided;
        s.insert_event(&voided).unwrap();

        let rows = s.tally(&TallyQuery::default()).unwrap();
        let got: Vec<(&str, i64)> = rows
            .iter()
            .map(|r| (r.type_key.as_str(), r.count))
            .collect();
        assert_eq!(got, [("warrant", 1), ("device-seizure", 5)]);

        let by_day = s
            .tally(&TallyQuery {
                by: Some(Dimension::Day),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(by_day.len(), 3);
        assert_eq!(by_day[0].key.as_deref(), Some("2017-11-14"));

        let span = s.operations_span(&OpSelection::All).unwrap().unwrap();
        assert_eq!(span.from.to_string(), "2017-11-13");
    }

    /// A year of a region stays interactive only while reports use the
    /// indexes: this fails if a change to the queries or the schema loses
    /// them.
    #[test]
    fn report_queries_use_the_indexes() {
        let s = store_with_op();
        let week = Some(DateRange {
            from: "2017-11-13".parse().unwrap(),
            to: "2017-11-19".parse().unwrap(),
        });
        let cases = [
            (OpSelection::One("nov17".into()), None, "event_op_date"),
            (OpSelection::One("nov17".into()), week, "event_op_date"),
            (OpSelection::Campaign("c".into()), None, "event_op_date"),
            (OpSelection::All, week, "event_date"),
        ];
        for (ops, dates, index) in cases {
            for by in [None, Some(Dimension::Force), Some(Dimension::Day)] {
                let q = TallyQuery {
                    ops: ops.clone(),
                    dates,
                    by,
                    ..Default::default()
                };
                let plan = s.tally_plan(&q).unwrap();
                assert!(
                    plan.contains(&format!("USING INDEX {index}"))
                        || plan.contains(&format!("USING COVERING INDEX {index}")),
                    "{q:?} does not use {index}:\n{plan}"
                );
            }
        }
        // The operation's own lookups stay on their unique keys.
        let plan = s
            .tally_plan(&TallyQuery {
                ops: OpSelection::One("nov17".into()),
                ..Default::default()
            })
            .unwrap();
        assert!(!plan.contains("SCAN e"), "{plan}");
    }
}
