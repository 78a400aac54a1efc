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
    /// Sum the events' values too (some type has a measure). Off, a tally
    /// of an operation reads only the covering index event_op_tally, which
    /// holds no value; on, it also reads the events' table rows (at 200k
    /// events: an operation 5.8 → 6.5 ms, all operations 102 → 132 ms; see
    /// ARCHITECTURE.md), so a count-only database pays nothing.
    pub values: bool,
}

/// One group's total. `key` is the `by` dimension's value (`None` when the
/// query has no dimension, or the events left that field empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyRow {
    pub key: Option<String>,
    pub type_key: String,
    pub count: i64,
    /// The sum of the events' values in pence or grams (`None` when none
    /// of them carries one, or the query did not ask for values).
    pub value: Option<i64>,
}

/// Above this share of the events' dates, a date range is read faster by
/// scanning the whole event table than through the event_date index, which
/// costs a look-up of the table row per event. Measured at a million events
/// (CPU, BENCHMARKS.md): a whole year 1.6 s through the index against 1.1 s
/// scanning, a month (8% of the year) 0.12 s against 0.23 s; the two cross
/// near 30%.
const SCAN_SHARE: f64 = 0.25;

/// Whether a tally of every operation's events over `dates` should scan
/// the table rather than walk the date index, given the first and last
/// dates of all stored events (`span`). Events are assumed spread evenly
/// over their span: a week of action a week, as the data are.
fn scan_wins(dates: &DateRange, span: Option<&DateRange>) -> bool {
    let Some(span) = span else {
        return false;
    };
    let days = |from: chrono::NaiveDate, to: chrono::NaiveDate| (to - from).num_days() + 1;
    let from = dates.from.max(span.from);
    let to = dates.to.min(span.to);
    let covered = if to < from { 0 } else { days(from, to) };
    covered as f64 > SCAN_SHARE * days(span.from, span.to) as f64
}

/// How a tally reads the events: nothing (the planner's choice, through
/// an index) for an operation, a campaign or a short range; for all
/// operations over no range or a range `scan_wins` for, a full scan of
/// event_op_tally when it holds every column the tally reads (it is a sixth
/// of the table's size), else of the table. Left to itself, the planner,
/// which has no statistics, walks event_op_tally with a look-up of the
/// table row per event there (1.6 s of CPU at a million events for the
/// whole range by force, against 0.9 s for a plain scan).
/// `covered`: whether the query reads only columns event_op_tally holds.
fn access_path(store: &Store, q: &TallyQuery, covered: bool) -> Result<&'static str> {
    // The server has statistics and its own planner: no hints there.
    if q.ops != OpSelection::All || store.conn.dialect() == super::db::Dialect::Postgres {
        return Ok("");
    }
    if let Some(dates) = &q.dates {
        let span: (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>) = store
            .conn
            // Two sub-queries, each answered by one end of the date
            // index: `SELECT min(date), max(date)` together is not
            // optimised so and reads the whole index (0.09 s at a
            // million events, three times the week's tally itself).
            .query_row(
                "SELECT (SELECT min(date) FROM event), (SELECT max(date) FROM event)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
        let span = match span {
            (Some(from), Some(to)) => Some(DateRange { from, to }),
            _ => None,
        };
        if !scan_wins(dates, span.as_ref()) {
            // Named: without statistics the planner would rather read all
            // of event_op_tally (it holds every column a tally by type
            // reads) than a week of event_date: 0.10 s against 0.03 s for
            // a week at 1M events.
            return Ok("INDEXED BY event_date");
        }
    }
    Ok(if covered {
        "INDEXED BY event_op_tally"
    } else {
        "NOT INDEXED"
    })
}

/// Whether a tally reads only columns event_op_tally holds: grouped by
/// type or day, filtered on no other field, and summing no value.
fn covered(q: &TallyQuery) -> bool {
    matches!(q.by, None | Some(Dimension::Type) | Some(Dimension::Day))
        && q.fields.is_empty()
        && !q.values
}

/// The tally query for `q` and its parameters; `access` is `access_path`'s.
fn tally_sql(q: &TallyQuery, access: &str) -> (String, Vec<Value>) {
    let mut params: Vec<Value> = Vec::new();
    let ops = op_condition(&q.ops, &mut params);
    let dates = date_condition(&q.dates, &mut params);
    let fields = fields_condition(&q.fields, &mut params);
    let sql = format!(
        "SELECT g.k, t.key, g.n, g.v
         FROM (SELECT {key} AS k, e.type_id AS type_id, sum(e.count) AS n, {value} AS v
               FROM event e {access}
               WHERE e.status = 'active' AND {ops} AND {dates} AND {fields}
               GROUP BY k, e.type_id) g
         JOIN activity_type t ON t.id = g.type_id
         ORDER BY g.k IS NULL, g.k, t.position, t.key",
        key = dimension_column(q.by),
        value = if q.values { "sum(e.value)" } else { "NULL" },
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
        Some(Dimension::Detail) => "e.detail",
        Some(Dimension::Outcome) => "e.outcome",
        Some(Dimension::Partner) => "e.partner",
    }
}

/// Per type, the total and the values every one of its events shares (a
/// field is `None` when the events differ or some leave it empty): what a
/// briefing phrase may say about all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedRow {
    pub type_key: String,
    pub count: i64,
    /// The sum of the events' values (`None` when none carries one).
    pub value: Option<i64>,
    pub detail: Option<String>,
    pub partner: Option<String>,
    pub area: Option<String>,
    pub force: Option<String>,
}

impl Store {
    /// Totals and shared values per type, in report order.
    pub fn shared_values(&self, q: &TallyQuery) -> Result<Vec<SharedRow>> {
        let access = access_path(self, q, false)?;
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
            "SELECT t.key, g.n, g.v, g.detail, g.partner, g.area, g.force
             FROM (SELECT e.type_id AS type_id, sum(e.count) AS n, sum(e.value) AS v,
                          {detail} AS detail,
                          {partner} AS partner, {area} AS area, {force} AS force
                   FROM event e {access}
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
        let rows = stmt.query_small(Vec::from_iter(params), |r| {
            Ok(SharedRow {
                type_key: r.get(0)?,
                count: r.get(1)?,
                value: r.get(2)?,
                detail: r.get(3)?,
                partner: r.get(4)?,
                area: r.get(5)?,
                force: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Totals per (dimension value, type), ordered by dimension value and
    /// then by the types' report order.
    pub fn tally(&self, q: &TallyQuery) -> Result<Vec<TallyRow>> {
        let (sql, params) = tally_sql(q, access_path(self, q, covered(q))?);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_small(Vec::from_iter(params), |r| {
            Ok(TallyRow {
                key: r.get(0)?,
                type_key: r.get(1)?,
                count: r.get(2)?,
                value: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// SQLite's query plan for a tally, one step a line: lets a test make
    /// sure the report queries keep using their indexes.
    pub fn tally_plan(&self, q: &TallyQuery) -> Result<String> {
        let (sql, params) = tally_sql(q, access_path(self, q, covered(q))?);
        let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let rows = stmt.query_map(Vec::from_iter(params), |r| r.get::<_, String>(3))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join("\n"))
    }

    /// The first and last dates of the operations selected, if any exist.
    pub fn operations_span(&self, ops: &OpSelection) -> Result<Option<DateRange>> {
        let (condition, param) = match ops {
            OpSelection::All => ("TRUE", None),
            OpSelection::One(code) => ("code = ?1", Some(code.clone())),
            OpSelection::Campaign(c) => ("campaign = ?1", Some(c.clone())),
        };
        let sql = format!("SELECT min(start_date), max(end_date) FROM operation WHERE {condition}");
        let (from, to) = self
            .conn
            .query_row(&sql, Vec::from_iter(param), |r| Ok((r.get(0)?, r.get(1)?)))?;
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

    #[test]
    fn values_are_summed_exactly_only_when_asked() {
        let mut s = store_with_op();
        for v in [Some(10), Some(20), None] {
            let mut e = event("device-seizure", "2017-11-14", 1);
            e.value = v.map(|minor| crate::measure::Amount {
                measure: crate::measure::Measure::Money,
                minor,
            });
            s.insert_event(&e).unwrap();
        }
        s.insert_event(&event("warrant", "2017-11-15", 1)).unwrap();
        let q = TallyQuery {
            values: true,
            ..Default::default()
        };
        let got: Vec<(String, i64, Option<i64>)> = s
            .tally(&q)
            .unwrap()
            .into_iter()
            .map(|r| (r.type_key, r.count, r.value))
            .collect();
        assert_eq!(
            got,
            [
                ("warrant".to_string(), 1, None),
                ("device-seizure".to_string(), 3, Some(30))
            ]
        );
        let shared = s.shared_values(&q).unwrap();
        assert_eq!(shared[1].value, Some(30));
        // Without values, an operation's tally stays on the covering index;
        // with them it reads the table rows through the same index.
        let op = |values| TallyQuery {
            ops: OpSelection::One("nov17".into()),
            values,
            ..Default::default()
        };
        assert!(s
            .tally_plan(&op(false))
            .unwrap()
            .contains("USING COVERING INDEX event_op_tally"));
        let plan = s.tally_plan(&op(true)).unwrap();
        assert!(plan.contains("USING INDEX event_op_tally"), "{plan}");
        assert!(s
            .tally(&op(false))
            .unwrap()
            .iter()
            .all(|r| r.value.is_none()));
    }

    /// A year of a region stays interactive only while reports read the
    /// events the fastest way: an operation or campaign through
    /// event_op_tally, a short range of all operations through
    /// event_date, and a range covering much of the events' dates by a
    /// plain scan (a look-up per event through the index was four times
    /// slower there). This fails if a change to the queries or the schema
    /// loses the right plan for any of them.
    #[test]
    fn each_report_reads_the_events_the_fastest_way() {
        let mut s = store_with_op();
        // Events over the operation's whole week, so that a week is all of
        // their span and one day a seventh of it.
        s.insert_event(&event("warrant", "2017-11-13", 1)).unwrap();
        s.insert_event(&event("warrant", "2017-11-19", 1)).unwrap();
        let range = |from: &str, to: &str| {
            Some(DateRange {
                from: from.parse().unwrap(),
                to: to.parse().unwrap(),
            })
        };
        let day = range("2017-11-14", "2017-11-14");
        let week = range("2017-11-13", "2017-11-19");
        let year = range("2017-01-02", "2017-12-31");
        let cases = [
            (OpSelection::One("nov17".into()), None, "event_op_tally"),
            (OpSelection::One("nov17".into()), week, "event_op_tally"),
            (OpSelection::One("nov17".into()), year, "event_op_tally"),
            (OpSelection::Campaign("c".into()), None, "event_op_tally"),
            (OpSelection::Campaign("c".into()), year, "event_op_tally"),
            (OpSelection::All, day, "event_date"),
            (OpSelection::All, week, "SCAN"),
            (OpSelection::All, year, "SCAN"),
            (OpSelection::All, None, "SCAN"),
        ];
        for (ops, dates, way) in cases {
            for by in [None, Some(Dimension::Force), Some(Dimension::Day)] {
                let q = TallyQuery {
                    ops: ops.clone(),
                    dates,
                    by,
                    ..Default::default()
                };
                let plan = s.tally_plan(&q).unwrap();
                let ok = if way == "SCAN" {
                    // The table, or an index holding every column read
                    // (smaller than the table), in full: no search.
                    plan.lines().any(|l| {
                        l.trim() == "SCAN e"
                            || l.trim() == "SCAN e USING COVERING INDEX event_op_tally"
                    }) && !plan.contains("SEARCH e")
                } else {
                    plan.contains(&format!("USING INDEX {way}"))
                        || plan.contains(&format!("USING COVERING INDEX {way}"))
                };
                assert!(ok, "{q:?} does not read by {way}:\n{plan}");
            }
        }
        // An operation's totals come from the index alone.
        let plan = s
            .tally_plan(&TallyQuery {
                ops: OpSelection::One("nov17".into()),
                ..Default::default()
            })
            .unwrap();
        assert!(
            plan.contains("USING COVERING INDEX event_op_tally"),
            "{plan}"
        );
        assert!(!plan.contains("SCAN e"), "{plan}");
        // And so do `op list`'s.
        let plan = s.operation_summaries_plan().unwrap();
        assert!(
            plan.contains("USING COVERING INDEX event_op_tally"),
            "{plan}"
        );
    }

    #[test]
    fn a_range_over_much_of_the_events_is_scanned() {
        let r = |from: &str, to: &str| DateRange {
            from: from.parse().unwrap(),
            to: to.parse().unwrap(),
        };
        let year = r("2017-01-02", "2017-12-31");
        assert!(scan_wins(&year, Some(&year)));
        assert!(scan_wins(&r("2016-01-01", "2018-12-31"), Some(&year)));
        // A week and a month of a year: the index.
        assert!(!scan_wins(&r("2017-06-26", "2017-07-02"), Some(&year)));
        assert!(!scan_wins(&r("2017-06-01", "2017-06-30"), Some(&year)));
        // A quarter (25% of the year) still the index, four months a scan.
        assert!(!scan_wins(&r("2017-01-02", "2017-04-02"), Some(&year)));
        assert!(scan_wins(&r("2017-01-02", "2017-05-02"), Some(&year)));
        // A range outside the events, or no events at all: the index.
        assert!(!scan_wins(&r("2019-01-01", "2019-12-31"), Some(&year)));
        assert!(!scan_wins(&year, None));
    }
}
