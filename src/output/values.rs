//! A report row's value (the summed money or weight of a type with a
//! measure) as each format writes it: for people `£77,115`, `£1,250.50`,
//! `12.5 kg` (`Measure::display`), for data the plain decimal the export
//! writes (`77115.00`, `12.500`: `Measure::canonical`), for JSON a number in
//! pounds or kilograms. A count-only type has no value: an empty cell,
//! `null`. Counts and values are never added together; totals are one per
//! measure (`Report::value_totals`).

use serde_json::{json, Value};

use super::ChangePct;
use crate::report::{Report, ReportRow};

/// Whether the report shows a value column (table, markdown, page): when
/// some row's type has a measure. A count-only report looks as it did.
pub fn shown(r: &Report) -> bool {
    r.rows.iter().any(|row| row.measure.is_some())
}

/// The row's value for people, or "" when it has none.
pub fn text(row: &ReportRow) -> String {
    match (row.measure, row.value) {
        (Some(m), Some(v)) => m.display(v),
        _ => String::new(),
    }
}

/// The compared operation's value for people, or "" when it has none.
pub fn compare_text(row: &ReportRow) -> String {
    match (row.measure, row.compare_value) {
        (Some(m), Some(v)) => m.display(v),
        _ => String::new(),
    }
}

/// The change in value for people: "+£5,000 (+12%)", "−£1,250.50 (−50%)",
/// "0", "+£500 (new)"; "" when there is no value to compare.
pub fn change_text(row: &ReportRow) -> String {
    let (Some(m), Some(change)) = (row.measure, row.value_change()) else {
        return String::new();
    };
    if change == 0 {
        return "0".to_string();
    }
    let amount = if change > 0 {
        format!("+{}", m.display(change))
    } else {
        format!("−{}", m.display(change.saturating_neg()))
    };
    match pct(row) {
        Some(p) => format!("{amount} ({})", p.human_text()),
        None => format!("{amount} (new)"),
    }
}

/// The change in value as a percentage of the compared value, rounded as
/// counts' changes are (`ChangePct`); `None` when the compared value is 0.
pub fn pct(row: &ReportRow) -> Option<ChangePct> {
    row.value_change()?;
    ChangePct::of(&ReportRow {
        count: row.value.unwrap_or(0),
        compare: Some(row.compare_value.unwrap_or(0)),
        ..ReportRow::default()
    })
}

/// The row's value for CSV: the export's plain decimal ("77115.00"), or ""
/// when it has none.
pub fn data(row: &ReportRow) -> String {
    match (row.measure, row.value) {
        (Some(m), Some(v)) => m.canonical(v),
        _ => String::new(),
    }
}

/// The compared value for CSV.
pub fn compare_data(row: &ReportRow) -> String {
    match (row.measure, row.compare_value) {
        (Some(m), Some(v)) => m.canonical(v),
        _ => String::new(),
    }
}

/// The change in value for CSV (a plain decimal, ASCII minus).
pub fn change_data(row: &ReportRow) -> String {
    match (row.measure, row.value_change()) {
        (Some(m), Some(c)) => m.canonical(c),
        _ => String::new(),
    }
}

/// A value for JSON: a number in pounds or kilograms, or `null`.
pub fn json_of(row: &ReportRow, value: Option<i64>) -> Value {
    match (row.measure, value) {
        (Some(m), Some(v)) => m.json_number(v),
        _ => Value::Null,
    }
}

/// The report's totals per measure for JSON:
/// `{"money": 77115, "weight": 12.5}`, only the measures present.
pub fn json_totals(r: &Report, compared: bool) -> Value {
    let mut m = serde_json::Map::new();
    for t in &r.value_totals {
        let v = if compared { t.compare } else { Some(t.value) };
        if let Some(v) = v {
            m.insert(t.measure.as_str().into(), t.measure.json_number(v));
        }
    }
    json!(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::Measure;

    #[test]
    fn values_read_for_people_and_for_data() {
        let row = |v: Option<i64>, cv: Option<i64>| ReportRow {
            measure: Some(Measure::Money),
            value: v,
            compare: cv.map(|_| 1),
            compare_value: cv,
            ..ReportRow::default()
        };
        let r = row(Some(7_711_500), None);
        assert_eq!(text(&r), "£77,115");
        assert_eq!(data(&r), "77115.00");
        assert_eq!(json_of(&r, r.value), json!(77115));
        assert_eq!(change_text(&r), "");
        let r = row(Some(150_000), Some(100_000));
        assert_eq!(change_text(&r), "+£500 (+50%)");
        assert_eq!(change_data(&r), "500.00");
        let r = row(Some(50_025), Some(100_050));
        assert_eq!(change_text(&r), "−£500.25 (−50%)");
        assert_eq!(change_data(&r), "-500.25");
        assert_eq!(change_text(&row(Some(500), Some(0))), "+£5 (new)");
        assert_eq!(change_text(&row(Some(500), Some(500))), "0");
        let none = ReportRow::default();
        assert_eq!((text(&none), data(&none)), (String::new(), String::new()));
        assert_eq!(json_of(&none, Some(5)), Value::Null);
    }
}
