//! Renderers: turn computed data (a `Report`, events, operations, types) into
//! text in one format each. They never query the database and never decide
//! what is counted, only how it looks.

pub mod briefing;
pub mod csv;
pub mod json;
pub mod markdown;
pub mod signoff;
pub mod table;

use crate::report::ReportRow;

/// Formats `report` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
    Markdown,
    Briefing,
}

/// Formats `list` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Csv,
    Json,
}

/// A compared row's change for people: "+3 (+12%)", "−2 (−20%)", "0",
/// "+5 (new)".
pub fn change_text(row: &ReportRow) -> String {
    let Some(change) = row.change() else {
        return String::new();
    };
    let sign = |n: i64| match n {
        n if n > 0 => format!("+{}", thousands(n)),
        n if n < 0 => format!("−{}", thousands(-n)),
        _ => "0".to_string(),
    };
    match row.change_pct() {
        _ if change == 0 => "0".to_string(),
        Some(p) => format!(
            "{} ({}{}%)",
            sign(change),
            if p > 0.0 { "+" } else { "−" },
            thousands(p.abs().round() as i64)
        ),
        None => format!("{} (new)", sign(change)),
    }
}

/// Thousands separators, as the briefing and tables print figures: 2,131.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;
    use crate::report::ReportRow;

    #[test]
    fn changes_read_naturally() {
        let row = |count, compare| ReportRow {
            key: None,
            type_key: "warrant".into(),
            label: "Warrants".into(),
            count,
            compare,
        };
        assert_eq!(super::change_text(&row(9, Some(6))), "+3 (+50%)");
        assert_eq!(super::change_text(&row(4, Some(5))), "−1 (−20%)");
        assert_eq!(super::change_text(&row(5, Some(0))), "+5 (new)");
        assert_eq!(super::change_text(&row(5, Some(5))), "0");
        assert_eq!(super::change_text(&row(5, None)), "");
        assert_eq!(super::change_text(&row(89, Some(8))), "+81 (+1,013%)");
        assert_eq!(super::change_text(&row(2, Some(3))), "−1 (−33%)");
    }

    #[test]
    fn separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(80), "80");
        assert_eq!(thousands(2131), "2,131");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(-1234), "-1,234");
    }
}
