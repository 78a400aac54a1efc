//! Weekly tallies as plain data. `Period` is the validated request (which
//! operations, which dates), built from arguments before the database is
//! touched; `build` asks the store for totals and returns a `Report` that the
//! renderers in `output/` only format. Nothing here prints.

use chrono::NaiveDate;
use serde::Serialize;

use crate::dates::{self, DateError, DateRange};
use crate::measure::Measure;
use crate::model::{
    check_operation_code, ActivityType, Dimension, FieldFilter, OpSelection, Operation,
};
use crate::store::{SignOff, Store, StoreError, TallyQuery, TallyRow};

/// Which operations and dates a report covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Period {
    pub ops: OpSelection,
    /// `None`: the dates of the selected operations.
    pub dates: Option<DateRange>,
    /// Only events with these team, area, officer and reference values.
    pub fields: FieldFilter,
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
        Ok(Period {
            ops,
            dates,
            fields: FieldFilter::default(),
        })
    }
}

/// One tally: an activity type's total within one value of the `by`
/// dimension (or overall), and for a type with a measure the sum of its
/// events' values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ReportRow {
    /// The `by` dimension's value; `None` without `--by`, or when the events
    /// left that field empty.
    pub key: Option<String>,
    pub type_key: String,
    pub label: String,
    pub count: i64,
    /// The compared operation's tally for the same key and type, with
    /// `--compare`.
    pub compare: Option<i64>,
    /// The type's measure; `None` for a count-only type.
    pub measure: Option<Measure>,
    /// The sum of the events' values in pence or grams; `None` for a
    /// count-only type, or when none of the events carries a value.
    pub value: Option<i64>,
    /// The compared operation's summed value, with `--compare`.
    pub compare_value: Option<i64>,
}

impl ReportRow {
    /// This tally minus the compared one.
    pub fn change(&self) -> Option<i64> {
        self.compare.map(|c| self.count.saturating_sub(c))
    }

    /// This value minus the compared one, with `--compare` for a type with
    /// a measure when either side has a value (a side without counts as 0).
    pub fn value_change(&self) -> Option<i64> {
        self.measure?;
        self.compare?;
        if self.value.is_none() && self.compare_value.is_none() {
            return None;
        }
        Some(
            self.value
                .unwrap_or(0)
                .saturating_sub(self.compare_value.unwrap_or(0)),
        )
    }
}

/// The total of one measure's values over the report's rows: pounds are
/// totalled with pounds, kilograms with kilograms, never with each other
/// or with counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ValueTotal {
    pub measure: Measure,
    /// Pence or grams.
    pub value: i64,
    /// The compared operation's total, with `--compare`.
    pub compare: Option<i64>,
}

impl ValueTotal {
    /// The total as a row, for renderers that print totals as rows:
    /// labelled "Total money" or "Total weight", with no count.
    pub fn row(&self) -> ReportRow {
        ReportRow {
            label: format!("Total {}", self.measure.as_str()),
            measure: Some(self.measure),
            value: Some(self.value),
            compare_value: self.compare,
            // Marks the row as compared, so `value_change` says the change.
            compare: self.compare.map(|_| 0),
            ..ReportRow::default()
        }
    }
}

/// The operation a report is compared with, and its figures' span.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub operation: Operation,
    pub total: i64,
}

/// One briefing bullet's facts: the type's words and what its events share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BriefingItem {
    pub type_key: String,
    pub count: i64,
    pub noun: String,
    pub plural: String,
    pub phrase: String,
    /// The type's measure and its events' summed value (`{value}`).
    pub measure: Option<Measure>,
    pub value: Option<i64>,
    pub detail: Option<String>,
    pub partner: Option<String>,
    pub area: Option<String>,
    pub force: Option<String>,
}

/// What a report should include besides the tallies.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub by: Option<Dimension>,
    /// Operation code to compare with.
    pub compare: Option<String>,
    /// Gather the facts for briefing bullets.
    pub briefing: bool,
    /// Include the history chain head (for signed-off reports).
    pub chain_head: bool,
    /// Mark the figures as provisional (`--provisional [REASON]`).
    pub provisional: Option<Provisional>,
}

/// Figures marked as not final, with why when the user said
/// ("exhibits still being counted").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Provisional {
    pub reason: Option<String>,
}

impl Provisional {
    /// The note under a report: "These figures are provisional: REASON."
    pub fn note(&self) -> String {
        match &self.reason {
            Some(r) => format!(
                "These figures are provisional: {}{}",
                r,
                if r.ends_with(['.', '!', '?']) {
                    ""
                } else {
                    "."
                }
            ),
            None => "These figures are provisional.".to_string(),
        }
    }
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
    /// The total count over every row.
    pub total: i64,
    /// One total per measure some row has a value of (money first, then
    /// weight); empty for a count-only report.
    pub value_totals: Vec<ValueTotal>,
    pub compare: Option<Comparison>,
    /// Filled when asked for (`Options::briefing`), in report order.
    pub briefing: Vec<BriefingItem>,
    /// The history chain head, when asked for.
    pub chain_head: Option<String>,
    pub provisional: Option<Provisional>,
    /// The field filters the figures are limited to (none: every event).
    #[serde(skip_serializing_if = "filters_absent")]
    pub filters: FieldFilter,
    /// Each operation whose figures the report covers, with its sign-off
    /// (`None`: open, so its figures are provisional).
    pub sign_offs: Vec<OperationState>,
}

/// An operation a report covers and whether its figures are signed off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationState {
    pub operation: String,
    pub signed_off: Option<SignOff>,
}

fn filters_absent(f: &FieldFilter) -> bool {
    f.is_empty()
}

/// Reads the tallies for `period` from the store and computes the report.
pub fn build(store: &Store, period: &Period, options: &Options) -> Result<Report, StoreError> {
    let operations = match &period.ops {
        OpSelection::All => store.operations()?,
        OpSelection::One(code) => vec![store.operation(code)?],
        OpSelection::Campaign(c) => store.campaign_operations(c)?,
    };
    let dates = match period.dates {
        Some(d) => d,
        None => store
            .operations_span(&period.ops)?
            .ok_or(StoreError::NoOperations)?,
    };
    let by = options.by.filter(|b| *b != Dimension::Type);
    let types = store.activity_types()?;
    // Values are summed only when some type has a measure: a count-only
    // database keeps reading tallies from the covering index alone.
    let values = types.iter().any(|t| t.measure.is_some());
    // Only dates the user gave filter events: every event lies within its
    // operation's dates (log, import and amend enforce it), so an operation
    // needs no date condition, and a date range spanning all the data would
    // only lead SQLite into walking the date index instead of the table.
    let query = TallyQuery {
        ops: period.ops.clone(),
        dates: period.dates,
        by,
        fields: period.fields.clone(),
        values,
    };
    let tallies = store.tally(&query)?;
    let campaign = match &period.ops {
        OpSelection::Campaign(c) => Some(c.clone()),
        _ => None,
    };
    let mut report = compute(operations, campaign, dates, by, &types, tallies);
    report.filters = period.fields.clone();
    if let Some(code) = &options.compare {
        // The other operation over its own dates, broken down and filtered
        // the same way.
        let other = store.operation(code)?;
        let theirs = store.tally(&TallyQuery {
            ops: OpSelection::One(other.code.clone()),
            dates: None,
            by,
            fields: period.fields.clone(),
            values,
        })?;
        report.add_comparison(other, theirs, &types);
    }
    report.value_totals = value_totals(&report.rows, report.compare.is_some());
    if options.briefing {
        report.briefing = store
            .shared_values(&query)?
            .into_iter()
            .filter_map(|s| {
                let t = types.iter().find(|t| t.key == s.type_key)?;
                Some(BriefingItem {
                    type_key: s.type_key,
                    count: s.count,
                    noun: t.noun.clone(),
                    plural: t.plural.clone(),
                    phrase: t.phrase.clone(),
                    measure: t.measure,
                    value: s.value.filter(|_| t.measure.is_some()),
                    detail: s.detail,
                    partner: s.partner,
                    area: s.area,
                    force: s.force,
                })
            })
            .collect();
    }
    if options.chain_head {
        report.chain_head = Some(store.history_head()?);
    }
    report.provisional = options.provisional.clone();
    report.sign_offs = sign_offs(store, &report, period.dates.is_some())?;
    Ok(report)
}

/// The sign-off state of each operation the report's figures come from:
/// those selected, and with dates given, only those overlapping them.
fn sign_offs(store: &Store, r: &Report, dated: bool) -> Result<Vec<OperationState>, StoreError> {
    let mut signed = store.signed_off_operations()?;
    Ok(r.operations
        .iter()
        .filter(|o| !dated || (o.start <= r.period.to && o.end >= r.period.from))
        .map(|o| OperationState {
            operation: o.code.clone(),
            signed_off: signed.remove(&o.code),
        })
        .collect())
}

/// One total per measure present among `rows` (a row of that measure with
/// a value, here or in the compared operation), money first.
fn value_totals(rows: &[ReportRow], comparing: bool) -> Vec<ValueTotal> {
    [Measure::Money, Measure::Weight]
        .into_iter()
        .filter_map(|m| {
            let of: Vec<&ReportRow> = rows.iter().filter(|r| r.measure == Some(m)).collect();
            if !of
                .iter()
                .any(|r| r.value.is_some() || r.compare_value.is_some())
            {
                return None;
            }
            let sum = |f: fn(&ReportRow) -> Option<i64>| {
                of.iter()
                    .fold(0i64, |t, r| t.saturating_add(f(r).unwrap_or(0)))
            };
            Some(ValueTotal {
                measure: m,
                value: sum(|r| r.value),
                compare: comparing.then(|| sum(|r| r.compare_value)),
            })
        })
        .collect()
}

/// Labels the tallies and totals them.
fn compute(
    operations: Vec<Operation>,
    campaign: Option<String>,
    period: DateRange,
    by: Option<Dimension>,
    types: &[ActivityType],
    tallies: Vec<TallyRow>,
) -> Report {
    let label = |key: &str| {
        types
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.label.clone())
            .unwrap_or_else(|| key.to_string())
    };
    let measure = |key: &str| types.iter().find(|t| t.key == key).and_then(|t| t.measure);
    let rows: Vec<ReportRow> = tallies
        .into_iter()
        .map(|t| {
            let measure = measure(&t.type_key);
            ReportRow {
                label: label(&t.type_key),
                measure,
                value: t.value.filter(|_| measure.is_some()),
                key: t.key,
                type_key: t.type_key,
                count: t.count,
                compare: None,
                compare_value: None,
            }
        })
        .collect();
    // Counts are bounded (`model::MAX_COUNT`), so this cannot overflow at
    // any real size; saturating all the same, never wrapping or panicking.
    let total = rows.iter().fold(0i64, |t, r| t.saturating_add(r.count));
    Report {
        operations,
        campaign,
        period,
        by,
        rows,
        total,
        value_totals: Vec::new(),
        compare: None,
        briefing: Vec::new(),
        chain_head: None,
        provisional: None,
        filters: FieldFilter::default(),
        sign_offs: Vec::new(),
    }
}

impl Report {
    /// The sign-off of a report covering one operation, when it is signed
    /// off; `None` for an open operation or a report of several.
    pub fn signed_off(&self) -> Option<&SignOff> {
        match self.sign_offs.as_slice() {
            [one] => one.signed_off.as_ref(),
            _ => None,
        }
    }

    /// Sets each row's compared tally; a key and type only the other
    /// operation has gets a row with a count of 0.
    fn add_comparison(&mut self, other: Operation, theirs: Vec<TallyRow>, types: &[ActivityType]) {
        let position = |key: &str| {
            types
                .iter()
                .position(|t| t.key == key)
                .unwrap_or(usize::MAX)
        };
        let measure = |key: &str| types.iter().find(|t| t.key == key).and_then(|t| t.measure);
        for row in &mut self.rows {
            row.compare = Some(0);
        }
        for t in &theirs {
            match self
                .rows
                .iter_mut()
                .find(|r| r.key == t.key && r.type_key == t.type_key)
            {
                Some(row) => {
                    row.compare = Some(t.count);
                    row.compare_value = t.value.filter(|_| row.measure.is_some());
                }
                None => {
                    let m = measure(&t.type_key);
                    self.rows.push(ReportRow {
                        key: t.key.clone(),
                        label: types
                            .iter()
                            .find(|ty| ty.key == t.type_key)
                            .map_or_else(|| t.type_key.clone(), |ty| ty.label.clone()),
                        type_key: t.type_key.clone(),
                        count: 0,
                        compare: Some(t.count),
                        measure: m,
                        value: None,
                        compare_value: t.value.filter(|_| m.is_some()),
                    })
                }
            }
        }
        self.rows.sort_by(|a, b| {
            (a.key.is_none(), &a.key, position(&a.type_key)).cmp(&(
                b.key.is_none(),
                &b.key,
                position(&b.type_key),
            ))
        });
        self.compare = Some(Comparison {
            total: theirs.iter().fold(0i64, |t, r| t.saturating_add(r.count)),
            operation: other,
        });
    }

    /// The report's total as a row, with the compared operation's total
    /// beside it under `--compare`: the headline "89 against 8".
    pub fn total_row(&self) -> ReportRow {
        ReportRow {
            key: None,
            type_key: String::new(),
            label: "Total".to_string(),
            count: self.total,
            compare: self.compare.as_ref().map(|c| c.total),
            ..ReportRow::default()
        }
    }

    /// The rows as every format lists them, each with its `--by` key. With
    /// `--by day`, every day of the period in order, and a day without
    /// events as one row with no tally (`None`), printed as a zero: a quiet
    /// day is a fact of the week, not a gap.
    pub fn listed_rows(&self) -> Vec<(Option<String>, Option<&ReportRow>)> {
        if self.by != Some(Dimension::Day) {
            return self
                .rows
                .iter()
                .map(|row| (row.key.clone(), Some(row)))
                .collect();
        }
        let mut out = Vec::new();
        for day in self.period.days() {
            let key = Some(day.to_string());
            let start = out.len();
            for row in self.rows.iter().filter(|r| r.key == key) {
                out.push((key.clone(), Some(row)));
            }
            if out.len() == start {
                out.push((key, None));
            }
        }
        out
    }

    /// A one-line description of what the report covers, for headings;
    /// field filters, if any, are named after it ("; only team SOU Team 1").
    pub fn scope(&self) -> String {
        let mut scope = self.operations_scope();
        if !self.filters.is_empty() {
            let only: Vec<String> = self
                .filters
                .flags()
                .map(|(flag, v)| format!("{} {v}", flag.trim_start_matches("--")))
                .collect();
            scope.push_str(&format!("; only {}", only.join(", ")));
        }
        scope
    }

    fn operations_scope(&self) -> String {
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
            measure: None,
        }];
        let tallies = vec![crate::store::TallyRow {
            key: None,
            type_key: "warrant".into(),
            count: 9,
            value: None,
        }];
        let period = DateRange {
            from: d("2017-11-13"),
            to: d("2017-11-19"),
        };
        let r = compute(vec![], None, period, None, &types, tallies);
        assert_eq!(r.rows[0].label, "Warrants");
        assert_eq!(r.total, 9);
    }

    #[test]
    fn values_are_totalled_per_measure() {
        let row = |m, v, cv| ReportRow {
            measure: m,
            value: v,
            compare_value: cv,
            compare: Some(1),
            ..ReportRow::default()
        };
        let rows = [
            row(Some(Measure::Money), Some(10), Some(4)),
            row(Some(Measure::Money), Some(20), None),
            row(Some(Measure::Weight), None, None),
            row(None, None, None),
        ];
        let totals = value_totals(&rows, true);
        assert_eq!(
            totals,
            [ValueTotal {
                measure: Measure::Money,
                value: 30,
                compare: Some(4)
            }]
        );
        assert_eq!(rows[0].value_change(), Some(6));
        assert_eq!(rows[2].value_change(), None);
        assert_eq!(rows[3].value_change(), None);
    }
}
