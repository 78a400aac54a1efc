//! The report as a Markdown table, to paste into a briefing document.
//! Every value a user typed (titles, forces, teams, areas, labels, the
//! provisional reason) goes through `escape`, so it renders as the literal
//! text in any CommonMark/GFM renderer: no HTML, emphasis, links, code or
//! table cells it did not have.

use std::io::{self, Write};

use super::{terminal_safe, thousands, NO_VALUE};
use crate::report::{format_range, Report};

/// A user's value as literal Markdown text: every character CommonMark
/// could read as markup is escaped (`\` `` ` `` `*` `_` `[` `]` `|` `#` `!`
/// with a backslash; `<` `>` `&` `~` `$` as character references, which
/// Python-Markdown reads too), a line break becomes a space (a
/// table row is one line), and control characters are shown as
/// `terminal_safe` shows them. `\|` inside a table cell is GFM's escaped
/// pipe, so a literal `\|` becomes `\\\|` and keeps its backslash.
pub fn escape(s: &str) -> String {
    let s = terminal_safe(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            // As character references: Python-Markdown (MkDocs) does not
            // take `\<`, `\&`, `\~` or `\$` as escapes and printed the
            // backslash; every renderer reads the references.
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '~' => out.push_str("&#126;"),
            '$' => out.push_str("&#36;"),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn render(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let marked = if r.provisional.is_some() {
        "PROVISIONAL — "
    } else {
        ""
    };
    writeln!(
        out,
        "**{marked}{}** — {}",
        escape(&r.scope()),
        format_range(&r.period)
    )?;
    writeln!(out)?;
    let mut header = Vec::new();
    if let Some(by) = r.by {
        header.push(super::table::capitalise(by.name()));
    }
    header.extend(["Activity".to_string(), super::count_heading(r).to_string()]);
    let values = super::values::shown(r);
    if values {
        header.push("Value".to_string());
    }
    if let Some(c) = &r.compare {
        header.extend([escape(&c.operation.code), "Change".to_string()]);
        if values {
            header.extend([
                format!("{} value", escape(&c.operation.code)),
                "Value change".to_string(),
            ]);
        }
    }
    writeln!(out, "| {} |", header.join(" | "))?;
    // Text columns left, figures (count, value, compared count, change,
    // compared value, change in value) right.
    let per_side = if values { 2 } else { 1 };
    let figures = if r.compare.is_some() {
        per_side * 3
    } else {
        per_side
    };
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
    for (key, row) in r.listed_rows() {
        let mut cells = Vec::new();
        if r.by.is_some() {
            cells.push(match key {
                Some(k) => escape(&k),
                None => NO_VALUE.to_string(),
            });
        }
        match row {
            Some(row) => {
                cells.push(escape(&row.label));
                cells.extend(super::figure_cells(r, Some(row), values));
            }
            // A quiet day under `--by day`.
            None => {
                cells.push("—".to_string());
                cells.extend(super::figure_cells(r, None, values));
            }
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
    if values {
        total.push(String::new());
    }
    if let Some(c) = &r.compare {
        total.extend([
            format!("**{}**", thousands(c.total)),
            format!("**{}**", super::change_text(&r.total_row())),
        ]);
        if values {
            total.extend([String::new(), String::new()]);
        }
    }
    writeln!(out, "| {} |", total.join(" | "))?;
    // One total per measure, in the value column only.
    let bold = |s: String| if s.is_empty() { s } else { format!("**{s}**") };
    for v in &r.value_totals {
        let row = v.row();
        let mut cells = Vec::new();
        if r.by.is_some() {
            cells.push(String::new());
        }
        cells.extend([
            format!("**{}**", row.label),
            String::new(),
            bold(super::values::text(&row)),
        ]);
        if r.compare.is_some() {
            cells.extend([
                String::new(),
                String::new(),
                bold(super::values::compare_text(&row)),
                bold(super::values::change_text(&row)),
            ]);
        }
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    super::briefing::footer(r, &escape, out)?;
    super::signoff::write(r, &escape, out)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn values_render_as_literal_text() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape("**Team 5**"), "\\*\\*Team 5\\*\\*");
        assert_eq!(escape("a\\|b"), "a\\\\\\|b");
        assert_eq!(
            escape("# `x` [l](u) _i_ ~s~ &amp;"),
            "\\# \\`x\\` \\[l\\](u) \\_i\\_ &#126;s&#126; &amp;amp;"
        );
        assert_eq!(escape("two\nlines\x1b"), "two lines\\\\x1b");
        assert_eq!(
            escape("Week of action (nov17-mersey)"),
            "Week of action (nov17-mersey)"
        );
    }
}
