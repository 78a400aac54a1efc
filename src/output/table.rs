//! Tables for people at a terminal (comfy-table). At a terminal, tables fit
//! its width (80 columns included): long columns wrap rather than overflow,
//! and long free text is shortened in listings (the full text is in `show`
//! and the exports). Redirected to a file, rows are not wrapped, so each
//! stays one line for grep.

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Table};

use super::{terminal_safe, thousands};
use crate::model::{ActivityType, Event};
use crate::report::{format_range, Report};

use crate::store::OperationSummary;

/// A header rule and nothing else, for listings.
const LISTING: &str = "     ──            ";

fn new_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    t
}

/// Turns a table into a borderless listing, for tables with many columns:
/// `fixed` columns keep their content's width and the others wrap.
fn as_listing(t: &mut Table, fixed: &[usize]) {
    t.load_preset(LISTING);
    for (i, c) in t.column_iter_mut().enumerate() {
        c.set_padding((0, 1));
        if fixed.contains(&i) {
            c.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
}

/// Adds a row with every cell made `terminal_safe`: whatever a user typed
/// reaches the terminal as visible text, never as control sequences.
fn add_row(t: &mut Table, cells: Vec<String>) {
    t.add_row(
        cells
            .iter()
            .map(|c| super::terminal_safe(c).into_owned())
            .collect::<Vec<_>>(),
    );
}

fn align_right(t: &mut Table, columns: &[usize]) {
    for &i in columns {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// Shortens free text for a listing cell, on a character boundary.
fn short(s: &Option<String>, max: usize) -> String {
    let s = s.as_deref().unwrap_or("");
    let one_line = s.replace(['\n', '\r'], " ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut cut: String = one_line.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

/// The report as a table with a bar per tally, scaled to the largest, so
/// the shape of the week shows at a glance. With `--by day` every day of the
/// period is shown, in order, a quiet day as a zero.
pub fn report(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let marked = if r.provisional.is_some() {
        "PROVISIONAL — "
    } else {
        ""
    };
    writeln!(out, "{marked}{}", terminal_safe(&r.scope()))?;
    writeln!(out, "{}", format_range(&r.period))?;
    if let Some(c) = &r.compare {
        writeln!(
            out,
            "compared with {} ({}, {})",
            c.operation.code,
            terminal_safe(&c.operation.title),
            format_range(&crate::dates::DateRange {
                from: c.operation.start,
                to: c.operation.end
            })
        )?;
    }
    writeln!(out)?;
    let mut header = Vec::new();
    if let Some(by) = r.by {
        header.push(capitalise(by.name()));
    }
    header.extend(["Activity".to_string(), super::count_heading(r).to_string()]);
    let values = super::values::shown(r);
    if values {
        header.push("Value".to_string());
    }
    if let Some(c) = &r.compare {
        header.extend([c.operation.code.clone(), "Change".to_string()]);
        if values {
            header.extend([
                format!("{} value", c.operation.code),
                "Value change".to_string(),
            ]);
        }
    }
    header.push(String::new());
    let mut t = new_table(&header.iter().map(String::as_str).collect::<Vec<_>>());
    let largest = r.rows.iter().map(|row| row.count).max().unwrap_or(0);
    let mut last_key: Option<Option<String>> = None;
    for (key, row) in r.listed_rows() {
        let mut cells = Vec::new();
        if r.by.is_some() {
            // Show each group's key once, on its first row.
            let shown = if last_key.as_ref() == Some(&key) {
                String::new()
            } else {
                key.clone().unwrap_or_else(|| super::NO_VALUE.into())
            };
            last_key = Some(key);
            cells.push(shown);
        }
        match row {
            Some(row) => {
                cells.push(row.label.clone());
                cells.extend(super::figure_cells(r, Some(row), values));
                cells.push(bar(row.count, largest));
            }
            None => {
                cells.push("—".to_string());
                cells.extend(super::figure_cells(r, None, values));
                cells.push(String::new());
            }
        }
        add_row(&mut t, cells);
    }
    let mut total = Vec::new();
    if r.by.is_some() {
        total.push(String::new());
    }
    total.extend(["Total".to_string(), thousands(r.total)]);
    if values {
        total.push(String::new());
    }
    if let Some(c) = &r.compare {
        total.extend([thousands(c.total), super::change_text(&r.total_row())]);
        if values {
            total.extend([String::new(), String::new()]);
        }
    }
    total.push(String::new());
    add_row(&mut t, total);
    // One total per measure, in the value columns: pounds are never added
    // to kilograms or to counts.
    for v in &r.value_totals {
        let row = v.row();
        let mut cells = Vec::new();
        if r.by.is_some() {
            cells.push(String::new());
        }
        cells.extend([row.label.clone(), String::new(), super::values::text(&row)]);
        if r.compare.is_some() {
            cells.extend([
                String::new(),
                String::new(),
                super::values::compare_text(&row),
                super::values::change_text(&row),
            ]);
        }
        cells.push(String::new());
        add_row(&mut t, cells);
    }
    let first_figure = usize::from(r.by.is_some()) + 1;
    let figures: Vec<usize> = (first_figure..header.len() - 1).collect();
    align_right(&mut t, &figures);
    writeln!(out, "{t}")?;
    if let Some(p) = &r.provisional {
        writeln!(out, "{}", terminal_safe(&p.note()))?;
    }
    Ok(())
}

/// A bar of unicode blocks, `n` scaled so `largest` fills BAR_WIDTH cells.
fn bar(n: i64, largest: i64) -> String {
    const BAR_WIDTH: i64 = 20;
    const PARTS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    if n <= 0 || largest <= 0 {
        return String::new();
    }
    // In i128: a count near i64's limit (a database written before counts
    // were bounded) must not overflow, here or anywhere.
    let eighths =
        (i128::from(n) * i128::from(BAR_WIDTH * 8) + i128::from(largest / 2)) / i128::from(largest);
    let eighths = eighths.clamp(1, i128::from(BAR_WIDTH * 8)) as i64;
    let mut s = "█".repeat((eighths / 8) as usize);
    if eighths % 8 != 0 {
        s.push(PARTS[(eighths % 8 - 1) as usize]);
    }
    s
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Events, one line each where the terminal allows. The id is shown short
/// (`model::short_id`, its random end), which `show`, `amend` and `void`
/// accept.
pub fn events(events: &[Event], out: &mut dyn Write) -> io::Result<()> {
    // A value column only where some event carries money or weight.
    let values = events.iter().any(|e| e.value.is_some());
    let mut header = vec!["Id", "Date", "Time", "Type", "N"];
    if values {
        header.push("Value");
    }
    header.extend(["Officer", "Ref", "Detail"]);
    let mut t = new_table(&header);
    // No cell borders: a listing needs every column it can get.
    t.load_preset(LISTING);
    for e in events {
        let mut type_key = e.type_key.clone();
        if e.status == crate::model::Status::Voided {
            type_key.push_str(" (voided)");
        }
        let mut row = vec![
            crate::model::short_id(&e.id),
            e.date.to_string(),
            e.time.map(crate::model::format_time).unwrap_or_default(),
            type_key,
            e.count.to_string(),
        ];
        if values {
            row.push(e.value.map(|v| v.display()).unwrap_or_default());
        }
        row.extend([
            short(&e.officer, 10),
            short(&e.reference, 16),
            short(&e.detail, 40),
        ]);
        add_row(&mut t, row);
    }
    let numbers: &[usize] = if values { &[4, 5] } else { &[4] };
    align_right(&mut t, numbers);
    let fixed: &[usize] = if values {
        &[0, 1, 2, 3, 4, 5, 6]
    } else {
        &[0, 1, 2, 3, 4, 5]
    };
    as_listing(&mut t, fixed);
    writeln!(out, "{t}")
}

/// One event, every field, for `show`.
pub fn event_detail(e: &Event, out: &mut dyn Write) -> io::Result<()> {
    let mut t = new_table(&["Field", "Value"]);
    for (name, value) in crate::fields::HEADER.iter().zip(crate::fields::record(e)) {
        // The value as people read it, in its unit (£1,250.50, 12.5 kg),
        // with the figure the files carry beside it.
        let value = match (*name, e.value) {
            ("value", Some(v)) => format!("{} ({value})", v.display()),
            _ => value,
        };
        add_row(&mut t, vec![name.to_string(), value]);
    }
    writeln!(out, "{t}")
}

pub fn operations(ops: &[OperationSummary], out: &mut dyn Write) -> io::Result<()> {
    // The campaign column only where campaigns are used: 80 columns are few.
    let campaigns = ops.iter().any(|s| s.operation.campaign.is_some());
    let mut header = vec!["Code", "Start", "End", "Events", "Title", "Force"];
    if campaigns {
        header.push("Campaign");
    }
    header.push("State");
    let mut t = new_table(&header);
    for s in ops {
        let o = &s.operation;
        let mut row = vec![
            o.code.clone(),
            o.start.to_string(),
            o.end.to_string(),
            thousands(s.events),
            o.title.clone(),
            o.force.clone().unwrap_or_default(),
        ];
        if campaigns {
            row.push(o.campaign.clone().unwrap_or_default());
        }
        row.push(sign_off_state(&s.signed_off));
        add_row(&mut t, row);
    }
    align_right(&mut t, &[3]);
    as_listing(&mut t, &[0, 1, 2, 3]);
    writeln!(out, "{t}")
}

pub fn operation_detail(s: &OperationSummary, out: &mut dyn Write) -> io::Result<()> {
    let o = &s.operation;
    let mut t = new_table(&["Field", "Value"]);
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    for (k, v) in [
        ("code", o.code.clone()),
        ("title", o.title.clone()),
        ("start", o.start.to_string()),
        ("end", o.end.to_string()),
        ("force", opt(&o.force)),
        ("unit", opt(&o.unit)),
        ("campaign", opt(&o.campaign)),
        ("state", sign_off_state(&s.signed_off)),
        ("notes", opt(&o.notes)),
        ("events", thousands(s.events)),
        ("total count", thousands(s.total)),
    ] {
        add_row(&mut t, vec![k.to_string(), v]);
    }
    if let Some(signed) = &s.signed_off {
        add_row(
            &mut t,
            vec!["signed-off head".to_string(), signed.head.clone()],
        );
        if let Some(note) = &signed.note {
            add_row(&mut t, vec!["sign-off note".to_string(), note.clone()]);
        }
    }
    writeln!(out, "{t}")
}

/// An operation's state in a listing: "open" or "signed off by X at T".
fn sign_off_state(s: &Option<crate::store::SignOff>) -> String {
    match s {
        None => "open".to_string(),
        Some(s) => format!("signed off by {} at {}", s.by, s.at),
    }
}

pub fn types(types: &[ActivityType], out: &mut dyn Write) -> io::Result<()> {
    let mut t = new_table(&["Key", "Label", "Noun (one / many)", "Briefing phrase"]);
    for a in types {
        let key = if a.retired {
            format!("{} (retired)", a.key)
        } else {
            a.key.clone()
        };
        add_row(
            &mut t,
            vec![
                key,
                a.label.clone(),
                format!("{} / {}", a.noun, a.plural),
                a.phrase.clone(),
            ],
        );
    }
    as_listing(&mut t, &[0]);
    writeln!(out, "{t}")
}

/// An event's history, oldest first, each change as `field: old → new`.
pub fn history(entries: &[crate::model::HistoryEntry], out: &mut dyn Write) -> io::Result<()> {
    if entries.is_empty() {
        return writeln!(out, "History: none");
    }
    writeln!(out, "History:")?;
    let mut t = new_table(&["#", "When (UTC)", "Who", "Action", "Reason", "Changes"]);
    for h in entries {
        let changes: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&h.changes).unwrap_or_default();
        let shown: Vec<String> = changes
            .iter()
            .map(|(field, v)| {
                let side = |k: &str| match v[k].as_str() {
                    Some("") | None => "(none)".to_string(),
                    Some(s) => format!("{s:?}"),
                };
                match v {
                    serde_json::Value::Object(_) => {
                        format!("{field}: {} → {}", side("old"), side("new"))
                    }
                    // A `log` or `import` row: how many events, and the
                    // start of their digest (`check` compares the whole).
                    serde_json::Value::String(s) if s.len() > 16 => {
                        format!("{field}: {}…", &s[..16])
                    }
                    other => format!("{field}: {other}"),
                }
            })
            .collect();
        add_row(
            &mut t,
            vec![
                h.seq.to_string(),
                h.changed_at.clone(),
                h.changed_by.clone(),
                h.action.clone(),
                h.reason.clone(),
                shown.join("\n"),
            ],
        );
    }
    as_listing(&mut t, &[0, 1, 3]);
    writeln!(out, "{t}")
}

/// The disclosure log, oldest first.
pub fn disclosures(entries: &[crate::store::Disclosure], out: &mut dyn Write) -> io::Result<()> {
    let mut t = new_table(&[
        "When (UTC)",
        "Who",
        "Rows",
        "Filters",
        "Destination",
        "Recipient",
        "Reason",
    ]);
    for d in entries {
        add_row(
            &mut t,
            vec![
                d.disclosed_at.clone(),
                d.disclosed_by.clone(),
                thousands(d.rows),
                d.filters.clone(),
                d.destination.clone(),
                d.recipient.clone().unwrap_or_default(),
                d.reason.clone().unwrap_or_default(),
            ],
        );
    }
    align_right(&mut t, &[2]);
    as_listing(&mut t, &[0, 2]);
    writeln!(out, "{t}")
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_scale_to_the_largest() {
        assert_eq!(bar(80, 80).chars().count(), 20);
        assert_eq!(bar(i64::MAX, i64::MAX).chars().count(), 20);
        assert_eq!(bar(40, 80), "█".repeat(10));
        assert_eq!(bar(1, 80), "▎");
        assert_eq!(bar(0, 80), "");
    }
}
