//! The report as a Markdown table, to paste into a briefing document.

use std::io::{self, Write};

use super::thousands;
use crate::report::{format_range, Report};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(r: &Report, provisional: bool, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "**{}** — {}",
        cell(&r.scope()),
        format_range(&r.period)
    )?;
    writeln!(out)?;
    let mut header = Vec::new();
    if let Some(by) = r.by {
        header.push(super::table::capitalise(by.name()));
    }
    header.extend(["Activity".to_string(), "Count".to_string()]);
    if let Some(c) = &r.compare {
        header.extend([cell(&c.operation.code), "Change".to_string()]);
    }
    writeln!(out, "| {} |", header.join(" | "))?;
    // Text columns left, figures (count, compared count, change) right.
    let figures = if r.compare.is_some() { 3 } else { 1 };
    let align: Vec<&str> = (0..header.len())
        .map(|i| {
            if i + figures < header.len() {
                "---"
            } else {
                "---:"
            }
        })
        .collect();
    writeln!(out, "|{}|", align.join("|"))?;
    for row in &r.rows {
        let mut cells = Vec::new();
        if r.by.is_some() {
            cells.push(cell(row.key.as_deref().unwrap_or("(none)")));
        }
        cells.extend([cell(&row.label), thousands(row.count)]);
        if r.compare.is_some() {
            cells.extend([thousands(row.compare.unwrap_or(0)), super::change_text(row)]);
        }
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    let mut total = Vec::new();
    if r.by.is_some() {
        total.push(String::new());
    }
    total.extend([
        "**Total**".to_string(),
        format!("**{}**", thousands(r.total)),
    ]);
    if let Some(c) = &r.compare {
        total.extend([
            format!("**{}**", thousands(c.total)),
            format!("**{}**", super::change_text(&r.total_row())),
        ]);
    }
    writeln!(out, "| {} |", total.join(" | "))?;
    super::briefing::footer(r, provisional, out)?;
    super::signoff::write(r, &cell, out)
}
