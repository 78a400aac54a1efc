//! The sign-off lines under a markdown report or a briefing, and the
//! sign-off fields of the report JSON: who signed the figures off, when, and
//! the chain head to check them against; or that they are provisional. Kept
//! apart from the renderers so each format adds one call.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::report::Report;

/// The lines, plain text; `escape` makes a user's value literal in the
/// output format (identity for the briefing).
pub fn lines(r: &Report, escape: &dyn Fn(&str) -> String) -> Vec<String> {
    lines_with(r, escape, &|c: &str| format!("`{c}`"))
}

/// The lines with `code` marking up the command to verify with (backticks
/// in markdown and the briefing; `<code>` on the page, where a backtick
/// would be printed as one).
pub fn lines_with(
    r: &Report,
    escape: &dyn Fn(&str) -> String,
    code: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let signed_line = |op: Option<&str>, s: &crate::store::SignOff| {
        // The supervisor's note, when one was given, as written.
        let note = s
            .note
            .as_deref()
            .map(|n| format!(" Note: {}", escape(n)))
            .unwrap_or_default();
        format!(
            "Signed off{} by {} at {}: history chain head at sign-off {} (verify with {}).{note}",
            op.map(|c| format!(" ({})", escape(c))).unwrap_or_default(),
            escape(&s.by),
            s.at,
            s.head,
            code(&format!(
                "opweek check --head {}",
                &s.head[..s.head.len().min(12)]
            ))
        )
    };
    match r.sign_offs.as_slice() {
        [] => Vec::new(),
        [one] => vec![match &one.signed_off {
            Some(s) => signed_line(None, s),
            None => format!(
                "Provisional figures: {} is not signed off.",
                escape(&one.operation)
            ),
        }],
        several => {
            let mut out: Vec<String> = several
                .iter()
                .filter_map(|o| {
                    o.signed_off
                        .as_ref()
                        .map(|s| signed_line(Some(&o.operation), s))
                })
                .collect();
            let open: Vec<String> = several
                .iter()
                .filter(|o| o.signed_off.is_none())
                .map(|o| escape(&o.operation))
                .collect();
            if !open.is_empty() {
                out.push(format!(
                    "Provisional figures, not signed off: {}.",
                    open.join(", ")
                ));
            }
            out
        }
    }
}

/// Writes the lines, each its own paragraph, after a blank line.
pub fn write(r: &Report, escape: &dyn Fn(&str) -> String, out: &mut dyn Write) -> io::Result<()> {
    for line in lines(r, escape) {
        writeln!(out)?;
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The report JSON's `signed_off` (the one operation's sign-off, or null)
/// and `sign_offs` (each operation covered, with its sign-off or null).
pub fn json_fields(r: &Report) -> [(&'static str, Value); 2] {
    let one =
        |s: &crate::store::SignOff| json!({"by": s.by, "at": s.at, "head": s.head, "note": s.note});
    [
        ("signed_off", r.signed_off().map(one).unwrap_or(Value::Null)),
        (
            "sign_offs",
            Value::Array(
                r.sign_offs
                    .iter()
                    .map(|o| {
                        json!({
                            "operation": o.operation,
                            "signed_off": o.signed_off.as_ref().map(one),
                        })
                    })
                    .collect(),
            ),
        ),
    ]
}
