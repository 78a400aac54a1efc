//! Weekly tallies as plain data. `Period` is the validated request (which
//! operations, which dates), built from arguments before the database is
//! touched; `build` asks the store for totals and returns a `Report` that the
//! renderers in `output/` only format. Nothing here prints.

use chrono::NaiveDate;
use serde::Serialize;

use crate::dates::{self, DateError, DateRange};
use crate::model::{check_operation_code, ActivityType, Dimension, OpSelection, Operation};
use crate::store::{Store, StoreError, TallyQuery};

/// Which operations and dates a report covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Period {
    pub ops: OpSelection,
    /// `None`: the dates of the selected operations.
    pub dates: Option<DateRange>,
}

#[derive(Debug, thiserror::Error)]
pub enum PeriodError {
    #[error(transparent)]
    Date(#[from] DateError),
    #[error(transparent)]
    Code(#[from] crate::model::ValidationError),
}

impl Period {
    /// Resolves the report's selection flags. `--op` and `--campaign` pick
    /// operations; `--week` or `--from/--to` pick dates; both may be given,
    /// and then both apply.
    pub fn from_args(
        op: Option<&str>,
        campaign: Option<&str>,
        week: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<Period, PeriodError> {
        let ops = match (op, campaign) {
            (Some(code), _) => OpSelection::One(check_operation_code(code.trim())?),
            (None, Some(c)) => OpSelection::Campaign(c.trim().to_string()),
            (None, None) => OpSelection::All,
        };
        let dates = dates::resolve_range(week, from, to, today)?;
        Ok(Period { ops, dates })
    }
}

/// One tally: an activity type's total within one value of the `by`
/// dimension (or overall).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    /// The `by` dimension's value; `None` without `--by`, or when the events
    /// left that field empty.
    pub key: Option<String>,
    pub type_key: String,
    pub label: String,
    pub count: i64,
}

/// A computed report: what a renderer needs and nothing it must look up.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The operations selected (all of them when none was named).
    pub operations: Vec<Operation>,
    /// The campaign, when the report covers one.
    pub campaign: Option<String>,
    /// The dates covered.
    pub period: DateRange,
    pub by: Option<Dimension>,
    pub rows: Vec<ReportRow>,
    pub total: i64,
}

/// Reads the tallies for `period` from the store and computes the report.
pub fn build(store: &Store, period: &Period, by: Option<Dimension>) -> Result<Report, StoreError> {
    let operations = match &period.ops {
        OpSelection::All => store
            .operation_summaries()?
            .into_iter()
            .map(|s| s.operation)
            .collect(),
        OpSelection::One(code) => vec![store.operation(code)?],
        OpSelection::Campaign(c) => store.campaign_operations(c)?,
    };
    let dates = match period.dates {
        Some(d) => d,
        None => store
            .operations_span(&period.ops)?
            .ok_or(StoreError::NoOperations)?,
    };
    let by = by.filter(|b| *b != Dimension::Type);
    let tallies = store.tally(&TallyQuery {
        ops: period.ops.clone(),
        dates: Some(dates),
        by,
    })?;
    let types = store.activity_types()?;
    let campaign = match &period.ops {
        OpSelection::Campaign(c) => Some(c.clone()),
        _ => None,
    };
    Ok(compute(operations, campaign, dates, by, &types, tallies))
}

/// Labels the tallies and totals them.
fn compute(
    operations: Vec<Operation>,
    campaign: Option<String>,
    period: DateRange,
    by: Option<Dimension>,
    types: &[ActivityType],
    tallies: Vec<crate::store::TallyRow>,
) -> Report {
    let label = |key: &str| {
        types
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.label.clone())
            .unwrap_or_else(|| key.to_string())
    };
    let rows: Vec<ReportRow> = tallies
        .into_iter()
        .map(|t| ReportRow {
            label: label(&t.type_key),
            key: t.key,
            type_key: t.type_key,
            count: t.count,
        })
        .collect();
    let total = rows.iter().map(|r| r.count).sum();
    Report {
        operations,
        campaign,
        period,
        by,
        rows,
        total,
    }
}

impl Report {
    /// A one-line description of what the report covers, for headings.
    pub fn scope(&self) -> String {
        match (&self.campaign, self.operations.as_slice()) {
            (Some(c), ops) => format!("Campaign {c} ({} operations)", ops.len()),
            (None, [op]) => {
                let who: Vec<&str> = [op.force.as_deref(), op.unit.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                if who.is_empty() {
                    format!("{} ({})", op.title, op.code)
                } else {
                    format!("{} ({}), {}", op.title, op.code, who.join(" "))
                }
            }
            (None, ops) => format!("All operations ({})", ops.len()),
        }
    }
}

/// "13–19 November 2017", "27 November – 3 December 2017", and so on.
pub fn format_range(r: &DateRange) -> String {
    use chrono::Datelike;
    let (f, t) = (r.from, r.to);
    if f == t {
        t.format("%-d %B %Y").to_string()
    } else if f.year() == t.year() && f.month() == t.month() {
        format!("{}–{}", f.format("%-d"), t.format("%-d %B %Y"))
    } else if f.year() == t.year() {
        format!("{} – {}", f.format("%-d %B"), t.format("%-d %B %Y"))
    } else {
        format!("{} – {}", f.format("%-d %B %Y"), t.format("%-d %B %Y"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn period_from_args() {
        let today = d("2017-11-30");
        let p =
            Period::from_args(Some("nov17"), None, Some("2017-W46"), None, None, today).unwrap();
        assert_eq!(p.ops, OpSelection::One("nov17".into()));
        assert_eq!(p.dates.unwrap().from, d("2017-11-13"));
        assert!(Period::from_args(None, None, Some("2017-W54"), None, None, today).is_err());
        assert!(Period::from_args(Some("Bad Code"), None, None, None, None, today).is_err());
        assert_eq!(
            Period::from_args(None, None, None, None, None, today).unwrap(),
            Period::default()
        );
    }

    #[test]
    fn ranges_read_naturally() {
        let r = |a, b| {
            format_range(&DateRange {
                from: d(a),
                to: d(b),
            })
        };
        assert_eq!(r("2017-11-13", "2017-11-19"), "13–19 November 2017");
        assert_eq!(
            r("2017-11-27", "2017-12-03"),
            "27 November – 3 December 2017"
        );
        assert_eq!(
            r("2020-12-28", "2021-01-03"),
            "28 December 2020 – 3 January 2021"
        );
    }

    #[test]
    fn compute_labels_and_totals() {
        let types = vec![ActivityType {
            key: "warrant".into(),
            label: "Warrants".into(),
            noun: "warrant".into(),
            plural: "warrants".into(),
            phrase: String::new(),
            retired: false,
        }];
        let tallies = vec![crate::store::TallyRow {
            key: None,
            type_key: "warrant".into(),
            count: 9,
        }];
        let period = DateRange {
            from: d("2017-11-13"),
            to: d("2017-11-19"),
        };
        let r = compute(vec![], None, period, None, &types, tallies);
        assert_eq!(r.rows[0].label, "Warrants");
        assert_eq!(r.total, 9);
    }
}
