//! The briefing page (`report --format html`): one self-contained HTML file
//! a supervisor forwards or prints. Inline CSS and an inline SVG bar chart;
//! no script, no font, image or style sheet fetched from anywhere, so the
//! page opens the same offline and sends no request. Print CSS fits a
//! week's report on one A4 page.
//!
//! Every value that came from a user (titles, names, labels, keys, the
//! briefing's phrases) goes through `esc` (html-escape's `encode_safe`,
//! which escapes `& < > " ' /`) before it lands in the page, text or
//! attribute alike; nothing else writes user text.

use std::borrow::Cow;
use std::io::{self, Write};

use super::{change_text, thousands};
use crate::report::{format_range, Report, ReportRow};

/// A user's value, safe in HTML text and in a quoted attribute.
pub fn esc(s: &str) -> Cow<'_, str> {
    html_escape::encode_safe(s)
}

const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f3f1; color: #1a1a1a;
  font: 15px/1.45 "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
main { max-width: 52rem; margin: 2rem auto; background: #fff; padding: 2.2rem 2.6rem;
  border-top: 6px solid #1f3a5f; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
.kicker { margin: 0; font-size: .78rem; letter-spacing: .12em; text-transform: uppercase; color: #555; }
h1 { margin: .2rem 0 .1rem; font-size: 1.7rem; line-height: 1.2; color: #1f3a5f; }
.meta { margin: 0; color: #333; }
.meta span + span::before { content: " · "; color: #888; }
.status { margin: 1rem 0 0; padding: .45rem .7rem; border: 1.5px solid #1a1a1a; font-weight: bold; }
.status.signed { border-style: solid; font-weight: normal; }
h2 { margin: 1.5rem 0 .5rem; font-size: .85rem; letter-spacing: .1em; text-transform: uppercase;
  color: #1f3a5f; border-bottom: 1px solid #ccd; padding-bottom: .2rem; }
ul.bullets { margin: .3rem 0 0; padding-left: 1.2rem; }
ul.bullets li { margin: .2rem 0; }
.figures { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.25fr); gap: 1.6rem; align-items: start; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { padding: .28rem .45rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #1a1a1a; font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { border-top: 2px solid #1a1a1a; border-bottom: 0; font-weight: bold; }
svg { width: 100%; height: auto; display: block; }
svg text { font-family: inherit; font-size: 13px; fill: #1a1a1a; }
svg .bar { fill: #1f3a5f; }
svg text.group { font-weight: bold; paint-order: stroke; stroke: #fff; stroke-width: 4px; }
svg .other { fill: #fff; stroke: #1f3a5f; stroke-width: 1.5; }
svg .axis { stroke: #1a1a1a; stroke-width: 1; }
footer { margin-top: 1.6rem; font-size: .78rem; color: #555; border-top: 1px solid #ddd; padding-top: .5rem; }
footer p { margin: .15rem 0; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: .9em; overflow-wrap: anywhere; }
@media (max-width: 40rem) { .figures { grid-template-columns: 1fr; } main { padding: 1.2rem; margin: 0; } }
@page { size: A4; margin: 14mm 15mm; }
@media print {
  body { background: #fff; font-size: 10pt; }
  main { margin: 0; padding: 0; max-width: none; box-shadow: none; border-top-width: 4px; padding-top: 4mm; }
  h2 { margin-top: 4mm; }
  ul.bullets li { margin: .05rem 0; }
  table { font-size: 9pt; }
  th, td { padding: .15rem .35rem; }
  footer { margin-top: 4mm; }
  section, table, svg, li { break-inside: avoid; }
}
"#;

/// Writes the page. A provisional report says so under its title, with the
/// reason given (as the markdown and briefing reports do).
pub fn render(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let (title, who) = match (&r.campaign, r.operations.as_slice()) {
        (None, [op]) => {
            let who: Vec<&str> = [op.force.as_deref(), op.unit.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            (format!("{} ({})", op.title, op.code), who.join(", "))
        }
        _ => (r.scope(), String::new()),
    };
    let period = format_range(&r.period);
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(
        out,
        "<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(out, "<title>{} — {}</title>", esc(&title), esc(&period))?;
    writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>\n<main>")?;
    writeln!(
        out,
        "<header>\n<p class=\"kicker\">Week of action briefing</p>"
    )?;
    writeln!(out, "<h1>{}</h1>", esc(&title))?;
    write!(out, "<p class=\"meta\"><span>{}</span>", esc(&period))?;
    if !who.is_empty() {
        write!(out, "<span>{}</span>", esc(&who))?;
    }
    writeln!(out, "</p>")?;
    if let Some(p) = &r.provisional {
        writeln!(out, "<p class=\"status\">{}</p>", esc(&p.note()))?;
    }
    writeln!(out, "</header>")?;

    writeln!(out, "<section>\n<h2>Headlines</h2>")?;
    let items: Vec<_> = r.briefing.iter().filter(|i| i.count > 0).collect();
    if items.is_empty() {
        writeln!(out, "<p>No activity was recorded in this period.</p>")?;
    } else {
        writeln!(
            out,
            "<p>During the week of action, officers:</p>\n<ul class=\"bullets\">"
        )?;
        for item in items {
            writeln!(out, "<li>{}</li>", esc(&super::briefing::bullet(item)))?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "</section>")?;

    writeln!(out, "<section class=\"figures\">\n<div>\n<h2>Tallies</h2>")?;
    tallies(r, out)?;
    writeln!(out, "</div>\n<div>\n<h2>Chart</h2>")?;
    chart(r, out)?;
    writeln!(out, "</div>\n</section>")?;

    writeln!(out, "<footer>")?;
    match r.chain_head.as_deref() {
        Some(crate::chain::GENESIS) => writeln!(
            out,
            "<p>Record check: no corrections recorded (verify with <code>opweek check</code>).</p>"
        )?,
        Some(head) => writeln!(
            out,
            "<p>Record check: history chain head <code>{}</code> (verify with <code>opweek check</code>).</p>",
            esc(head)
        )?,
        None => {}
    }
    // Who signed the figures off and the head to check them against, or
    // that they are provisional.
    let escape = |s: &str| esc(s).into_owned();
    let code = |c: &str| format!("<code>{}</code>", esc(c));
    for line in super::signoff::lines_with(r, &escape, &code) {
        writeln!(out, "<p class=\"signoff\">{line}</p>")?;
    }
    writeln!(
        out,
        "<p>Tallies count recorded events; voided events are not counted. Made with opweek.</p>"
    )?;
    writeln!(out, "</footer>\n</main>\n</body>\n</html>")?;
    Ok(())
}

/// The row's label in the chart and table: with `--by`, its key first.
fn row_label(r: &Report, row: &ReportRow) -> String {
    match (r.by, &row.key) {
        (Some(_), Some(k)) => format!("{k} — {}", row.label),
        (Some(_), None) => format!("(none) — {}", row.label),
        (None, _) => row.label.clone(),
    }
}

fn tallies(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<table>\n<thead><tr>")?;
    if let Some(by) = r.by {
        writeln!(out, "<th>{}</th>", esc(by.name()))?;
    }
    write!(out, "<th>Activity</th><th class=\"n\">Count</th>")?;
    let values = super::values::shown(r);
    if values {
        write!(out, "<th class=\"n\">Value</th>")?;
    }
    if let Some(c) = &r.compare {
        write!(
            out,
            "<th class=\"n\">{}</th><th class=\"n\">Change</th>",
            esc(&c.operation.code)
        )?;
        if values {
            write!(
                out,
                "<th class=\"n\">{} value</th><th class=\"n\">Value change</th>",
                esc(&c.operation.code)
            )?;
        }
    }
    writeln!(out, "</tr></thead>\n<tbody>")?;
    // `counted`: false for a total per measure, which has no count.
    let cells = |row: &ReportRow, counted: bool, out: &mut dyn Write| -> io::Result<()> {
        let figure = |s: String| if counted { s } else { String::new() };
        write!(
            out,
            "<td>{}</td><td class=\"n\">{}</td>",
            esc(&row.label),
            figure(thousands(row.count))
        )?;
        if values {
            write!(
                out,
                "<td class=\"n\">{}</td>",
                esc(&super::values::text(row))
            )?;
        }
        if r.compare.is_some() {
            write!(
                out,
                "<td class=\"n\">{}</td><td class=\"n\">{}</td>",
                figure(thousands(row.compare.unwrap_or(0))),
                esc(&figure(change_text(row)))
            )?;
            if values {
                write!(
                    out,
                    "<td class=\"n\">{}</td><td class=\"n\">{}</td>",
                    esc(&super::values::compare_text(row)),
                    esc(&super::values::change_text(row))
                )?;
            }
        }
        Ok(())
    };
    for row in &r.rows {
        write!(out, "<tr>")?;
        if r.by.is_some() {
            write!(
                out,
                "<td>{}</td>",
                esc(row.key.as_deref().unwrap_or("(none)"))
            )?;
        }
        cells(row, true, out)?;
        writeln!(out, "</tr>")?;
    }
    write!(out, "<tr class=\"total\">")?;
    if r.by.is_some() {
        write!(out, "<td></td>")?;
    }
    cells(&r.total_row(), true, out)?;
    writeln!(out, "</tr>")?;
    // One total per measure: pounds never added to kilograms or counts.
    for v in &r.value_totals {
        write!(out, "<tr class=\"total\">")?;
        if r.by.is_some() {
            write!(out, "<td></td>")?;
        }
        cells(&v.row(), false, out)?;
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody>\n</table>")?;
    Ok(())
}

/// A horizontal bar per tally, its figure at the bar's end; with
/// `--compare`, the other operation's figure as an outlined bar below it.
/// Dark fill on white and printed figures: readable in greyscale.
fn chart(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    if r.rows.is_empty() {
        return writeln!(out, "<p>Nothing to chart.</p>");
    }
    const WIDTH: u32 = 400;
    // Widths in the viewBox's units, where a character of the 13px labels
    // is about 7.5 wide: the label column fits the longest label (up to
    // MAX_LABEL characters), the figures after the bars fit the longest
    // figure, and the bars get the rest.
    const CHAR: f64 = 7.5;
    const MAX_LABEL: usize = 24;
    let figure_of = |row: &ReportRow| {
        let mut figure = thousands(row.count);
        let value = super::values::text(row);
        if !value.is_empty() {
            figure.push_str(&format!(" · {value}"));
        }
        figure
    };
    // With `--by`, the bars are grouped under a heading per key (a force,
    // a team, a day) and labelled with the activity alone: "Cheshire
    // Constabulary — Arrests" cut to fit left every bar of a force with the
    // same label and no activity.
    let grouped = r.by.is_some();
    let bar_label = |row: &ReportRow| {
        if grouped {
            row.label.clone()
        } else {
            row_label(r, row)
        }
    };
    // A heading spans the chart: cut to what fits its width.
    let heading_of = |row: &ReportRow| {
        let key = row.key.as_deref().unwrap_or("(none)");
        if key.chars().count() > 50 {
            key.chars().take(49).chain(['…']).collect()
        } else {
            key.to_string()
        }
    };
    let longest_label = r
        .rows
        .iter()
        .map(|row| bar_label(row).chars().count().min(MAX_LABEL))
        .max()
        .unwrap_or(0);
    let longest_figure = r
        .rows
        .iter()
        .map(|row| figure_of(row).chars().count())
        .max()
        .unwrap_or(0);
    let label_w = ((longest_label as f64 * CHAR) as u32 + 12).clamp(60, 190);
    let figure_w = ((longest_figure as f64 * CHAR) as u32 + 10).clamp(30, 130);
    let bar_space = WIDTH.saturating_sub(label_w + figure_w).max(60);
    let compare = r.compare.is_some();
    // Tighter rows for a long list, so that a week's page still prints on
    // one A4 sheet.
    let tight = r.rows.len() > 8;
    let row_h: u32 = match (compare, tight) {
        (true, _) => 38,
        (false, false) => 31,
        (false, true) => 25,
    };
    let largest = r
        .rows
        .iter()
        .map(|row| row.count.max(row.compare.unwrap_or(0)))
        .max()
        .unwrap_or(0)
        .max(1);
    const HEADING_H: u32 = 20;
    let headings = if grouped {
        r.rows
            .iter()
            .enumerate()
            .filter(|(i, row)| *i == 0 || r.rows[i - 1].key != row.key)
            .count() as u32
    } else {
        0
    };
    let height = row_h * r.rows.len() as u32 + HEADING_H * headings + 8;
    let scale = |n: i64| (n.max(0) as f64 * f64::from(bar_space) / largest as f64).round();
    let width = label_w + bar_space + figure_w;
    writeln!(
        out,
        "<svg viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Bar chart of the tallies\">"
    )?;
    // The axis first, so that a group heading (white-edged) reads over it.
    writeln!(
        out,
        "<line class=\"axis\" x1=\"{label_w}\" y1=\"0\" x2=\"{label_w}\" y2=\"{height}\"/>"
    )?;
    let mut y = 4 - row_h as i64;
    for (i, row) in r.rows.iter().enumerate() {
        y += i64::from(row_h);
        if grouped && (i == 0 || r.rows[i - 1].key != row.key) {
            writeln!(
                out,
                "<text class=\"group\" x=\"0\" y=\"{}\">{}</text>",
                y + 14,
                esc(&heading_of(row))
            )?;
            y += i64::from(HEADING_H);
        }
        let y = y as u32;
        let label = bar_label(row);
        let full_label = row_label(r, row);
        let short: String = if label.chars().count() > MAX_LABEL {
            label.chars().take(MAX_LABEL - 1).chain(['…']).collect()
        } else {
            label.clone()
        };
        let figure = figure_of(row);
        let bar_h = if tight { 17 } else { 20 };
        writeln!(
            out,
            "<g><title>{}: {}</title>",
            esc(&full_label),
            esc(&figure)
        )?;
        writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 8,
            y + bar_h - 5,
            esc(&short)
        )?;
        let w = scale(row.count);
        writeln!(
            out,
            "<rect class=\"bar\" x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"{bar_h}\"/>"
        )?;
        writeln!(
            out,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            f64::from(label_w) + w + 5.0,
            y + bar_h - 5,
            esc(&figure)
        )?;
        if let Some(c) = row.compare {
            let w = scale(c);
            writeln!(
                out,
                "<rect class=\"other\" x=\"{label_w}\" y=\"{}\" width=\"{w}\" height=\"9\"/>",
                y + 23
            )?;
            writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" style=\"font-size:10px\">{}</text>",
                f64::from(label_w) + w + 5.0,
                y + 31,
                thousands(c)
            )?;
        }
        writeln!(out, "</g>")?;
    }
    writeln!(out, "</svg>")?;
    if let Some(c) = &r.compare {
        writeln!(
            out,
            "<p style=\"font-size:.8rem\">Solid bars: this period. Outlined bars: {}.</p>",
            esc(&c.operation.code)
        )?;
    }
    Ok(())
}
