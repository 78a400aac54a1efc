//! The shape of the week at a terminal (`report --by day --format table`):
//! under the table, one bar per day of the period for all activities
//! together, quiet days included, and a one-line sparkline of the same
//! totals. Plain block characters, no colour, so it reads the same in a
//! log or a pipe.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::thousands;
use crate::report::Report;

/// Widest bar, in characters.
const BAR: usize = 30;
const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Each day's total across activity types, every day of the period in
/// order (a day without events is 0).
pub fn day_totals(r: &Report) -> Vec<(chrono::NaiveDate, i64)> {
    let mut by_day: BTreeMap<String, i64> = BTreeMap::new();
    for row in &r.rows {
        if let Some(k) = &row.key {
            *by_day.entry(k.clone()).or_default() += row.count;
        }
    }
    r.period
        .days()
        .map(|d| {
            let key = d.format("%Y-%m-%d").to_string();
            (d, by_day.get(&key).copied().unwrap_or(0))
        })
        .collect()
}

/// A bar of `n` scaled to `largest`, in eighths of a character; any
/// non-zero figure shows at least a sliver.
pub fn bar(n: i64, largest: i64) -> String {
    if n <= 0 || largest <= 0 {
        return String::new();
    }
    let eighths = ((n as f64 * (BAR * 8) as f64 / largest as f64).round() as usize).max(1);
    let mut s = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        s.push(EIGHTHS[eighths % 8 - 1]);
    }
    s
}

/// One character a day, scaled to the busiest.
pub fn sparkline(values: &[i64]) -> String {
    let largest = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if v <= 0 || largest <= 0 {
                ' '
            } else {
                SPARKS[((v as f64 * 7.0 / largest as f64).round() as usize).min(7)]
            }
        })
        .collect()
}

pub fn render(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let days = day_totals(r);
    if days.is_empty() {
        return Ok(());
    }
    let largest = days.iter().map(|d| d.1).max().unwrap_or(0);
    let width = thousands(largest).len();
    writeln!(out)?;
    writeln!(out, "Each day, all activities:")?;
    for (day, n) in &days {
        let b = bar(*n, largest);
        writeln!(
            out,
            "{}  {:>width$}  {b}",
            day.format("%a %e %b"),
            thousands(*n)
        )?;
    }
    let values: Vec<i64> = days.iter().map(|d| d.1).collect();
    writeln!(
        out,
        "Week: {}  ({} to {})",
        sparkline(&values),
        days[0].0.format("%a"),
        days[days.len() - 1].0.format("%a")
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_in_eighths() {
        assert_eq!(bar(0, 10), "");
        assert_eq!(bar(10, 10), "█".repeat(30));
        assert_eq!(bar(5, 10), "█".repeat(15));
        assert_eq!(bar(1, 1000), "▏");
    }

    #[test]
    fn sparkline_shows_the_shape() {
        assert_eq!(sparkline(&[21, 22, 17, 21, 16, 9, 0]), "██▆█▆▄ ");
        assert_eq!(sparkline(&[]), "");
    }
}
