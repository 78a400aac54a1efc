//! Renderers: turn computed data (a `Report`, events, operations, types) into
//! text in one format each. They never query the database and never decide
//! what is counted, only how it looks.

pub mod briefing;
pub mod csv;
pub mod daychart;
pub mod html;
pub mod json;
pub mod markdown;
pub mod signoff;
pub mod table;
pub mod values;
pub mod xlsx;

use crate::report::{Report, ReportRow};

/// How a report shows a `--by` value the events left empty, in the table
/// and markdown (CSV writes an empty cell, JSON `null`).
pub const NO_VALUE: &str = "(none)";

/// The heading of the count column: marked when the figures are
/// provisional.
pub fn count_heading(r: &Report) -> &'static str {
    if r.provisional.is_some() {
        "Count (provisional)"
    } else {
        "Count"
    }
}

/// A compared row's change as a percentage of the compared tally, rounded
/// for people but never so that it misleads: with as few decimals as show
/// it honestly (none for +50%, one for 4 against 1,000: −99.6%), and never
/// 0% or ±100% unless the change is exactly that. `None` when the compared
/// tally was zero (a rise from nothing has no percentage). Every format
/// (table, markdown, CSV, JSON) prints this one value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangePct {
    /// The percentage, rounded to `decimals` places.
    pub value: f64,
    pub decimals: usize,
}

impl ChangePct {
    pub fn of(row: &ReportRow) -> Option<ChangePct> {
        let compare = row.compare.filter(|c| *c != 0)?;
        let change = i128::from(row.count) - i128::from(compare);
        let exact = (change * 100) % i128::from(compare) == 0;
        let pct = change as f64 * 100.0 / compare as f64;
        let mut decimals = 0;
        loop {
            let scale = 10f64.powi(decimals as i32);
            let shown = (pct.abs() * scale).round() / scale;
            // Rounding to 0 or 100 would say "no change" or "all gone";
            // more places until it does not (a handful always suffice).
            if exact || (shown != 0.0 && shown != 100.0) || decimals >= 9 {
                return Some(ChangePct {
                    value: (pct * scale).round() / scale,
                    decimals,
                });
            }
            decimals += 1;
        }
    }

    /// For data (CSV): at least one decimal, ASCII minus: "50.0", "-99.6".
    pub fn data_text(&self) -> String {
        format!("{:.*}", self.decimals.max(1), self.value)
    }

    /// For people: a sign always, a typographic minus: "+50%", "−99.6%".
    pub fn human_text(&self) -> String {
        let sign = if self.value > 0.0 { "+" } else { "−" };
        let magnitude = self.value.abs();
        let digits = if self.decimals == 0 {
            thousands(magnitude as i64)
        } else {
            let whole = magnitude.trunc() as i64;
            let text = format!("{:.*}", self.decimals, magnitude);
            let fraction = text.split_once('.').map_or("", |(_, f)| f);
            format!("{}.{fraction}", thousands(whole))
        };
        format!("{sign}{digits}%")
    }
}

/// A row's figures as the table and markdown show them, after its label:
/// the count, the value when the report has values, and with `--compare`
/// the other operation's count and the change (and their values). A quiet
/// day under `--by day` (`row` none) counts 0 and leaves the rest empty.
pub fn figure_cells(r: &Report, row: Option<&ReportRow>, values: bool) -> Vec<String> {
    let compare = r.compare.is_some();
    let Some(row) = row else {
        let blanks = usize::from(values)
            + if compare {
                2 + 2 * usize::from(values)
            } else {
                0
            };
        return std::iter::once("0".to_string())
            .chain(std::iter::repeat_n(String::new(), blanks))
            .collect();
    };
    let mut cells = vec![thousands(row.count)];
    if values {
        cells.push(values::text(row));
    }
    if compare {
        cells.extend([thousands(row.compare.unwrap_or(0)), change_text(row)]);
        if values {
            cells.extend([values::compare_text(row), values::change_text(row)]);
        }
    }
    cells
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
    match ChangePct::of(row) {
        _ if change == 0 => "0".to_string(),
        Some(p) => format!("{} ({})", sign(change), p.human_text()),
        None => format!("{} (new)", sign(change)),
    }
}

/// Text as it may reach a terminal: control characters (C0 except the line
/// break, DEL, C1) and the bidirectional overrides that reorder what is
/// shown are written out visibly (`\x1b`, `\t`, `\u{202e}`), so a value
/// can never move the cursor, recolour the screen or disguise itself.
/// Every table and terminal renderer passes user values through here; CSV
/// and JSON keep them verbatim, as data.
pub fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if unsafe_char(c) && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

// Where the renderers have always found it.
pub use crate::numbers::thousands;

#[cfg(test)]
mod tests {
    use crate::report::ReportRow;

    #[test]
    fn changes_read_naturally() {
        let row = |count, compare| ReportRow {
            key: None,
            type_key: "warrant".into(),
            label: "Warrants".into(),
            count,
            compare,
            ..ReportRow::default()
        };
        assert_eq!(super::change_text(&row(9, Some(6))), "+3 (+50%)");
        assert_eq!(super::change_text(&row(4, Some(5))), "−1 (−20%)");
        assert_eq!(super::change_text(&row(5, Some(0))), "+5 (new)");
        assert_eq!(super::change_text(&row(5, Some(5))), "0");
        assert_eq!(super::change_text(&row(5, None)), "");
        assert_eq!(super::change_text(&row(89, Some(8))), "+81 (+1,013%)");
        assert_eq!(super::change_text(&row(2, Some(3))), "−1 (−33%)");
        // Rounding that would mislead gets the places it needs.
        assert_eq!(super::change_text(&row(4, Some(1000))), "−996 (−99.6%)");
        assert_eq!(
            super::change_text(&row(1, Some(100_000))),
            "−99,999 (−99.999%)"
        );
        assert_eq!(super::change_text(&row(1001, Some(1000))), "+1 (+0.1%)");
        assert_eq!(
            super::change_text(&row(10_001, Some(10_000))),
            "+1 (+0.01%)"
        );
        assert_eq!(super::change_text(&row(0, Some(4))), "−4 (−100%)");
        assert_eq!(
            super::change_text(&row(2001, Some(1))),
            "+2,000 (+200,000%)"
        );
        assert_eq!(super::change_text(&row(3, Some(1000))), "−997 (−99.7%)");
        assert_eq!(
            super::change_text(&row(12_346, Some(10_000))),
            "+2,346 (+23%)"
        );
    }

    #[test]
    fn terminal_text_shows_controls() {
        use super::terminal_safe;
        assert_eq!(terminal_safe("plain £ text"), "plain £ text");
        assert_eq!(terminal_safe("a\x1b[31mred"), "a\\x1b[31mred");
        assert_eq!(
            terminal_safe("a\tb\rc\x07\x7f\u{9b}"),
            "a\\tb\\rc\\x07\\x7f\\x9b"
        );
        assert_eq!(terminal_safe("line\nnext"), "line\nnext");
        assert_eq!(terminal_safe("\u{202e}abc"), "\\u{202e}abc");
    }
}
