//! `opweek check`: is this database sound and its record untouched? Runs
//! SQLite's integrity and foreign-key checks, recomputes the history hash
//! chain, and checks every event against the history (its `log` or `import`
//! digest, after undoing its recorded corrections); prints the chain head
//! for the signed-off briefing. Exit 1 on any problem.
//!
//! `--head HASH` also checks a head written down earlier (on a signed-off
//! briefing): it must still be an entry of the chain, and the chain must
//! verify through it to the end. No chain can see by itself that its last
//! entries were cut off; a head written down before the cut can.

use std::io::Write;

use anyhow::{bail, Result};

use super::Context;
use crate::chain::Verdict;
use crate::model::MAX_COUNT;
use crate::numbers::thousands;
use crate::store::{Access, Store};

/// Enough to find where the damage is; a million events added behind the
/// tool's back need not print a million lines.
const MAX_EVENT_PROBLEMS: usize = 20;

/// The shortest prefix of a head `--head` takes: 48 bits, so a prefix that
/// names the wrong entry by chance is out of reach.
const MIN_HEAD_PREFIX: usize = 12;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A chain head written down earlier (printed by `op sign-off` and on
    /// signed-off reports), or its first 12 or more characters: check that
    /// it is still in the history and that nothing after it was altered
    #[arg(long, value_name = "HASH")]
    pub head: Option<String>,
}

/// A written head as typed: 12 to 64 hex digits, any case.
fn parse_head(h: &str) -> Result<String> {
    let h = h.trim().to_ascii_lowercase();
    if !h.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("{h:?} is not a chain head (expected 12 to 64 hexadecimal characters, as printed by `opweek op sign-off`)");
    }
    if h.len() < MIN_HEAD_PREFIX || h.len() > 64 {
        bail!(
            "a chain head has 64 characters and --head needs at least its first {MIN_HEAD_PREFIX}; {h:?} has {}",
            h.len()
        );
    }
    Ok(h)
}

pub fn run(a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let written = a.head.as_deref().map(parse_head).transpose()?;
    let store = ctx.open_as(Access::Read)?;
    let (mut problems, verdict) = problems(&store)?;
    let mut head_line = None;
    if let Some(h) = &written {
        match store.entries_with_hash_prefix(h)?.as_slice() {
            [] => problems.push(format!(
                "written head: {h} is not in the history: the entries it sealed were removed \
                 or rewritten after it was written down (the history was cut back or replaced)"
            )),
            [_, _, ..] => problems.push(format!(
                "written head: several history entries start with {h}: give more of the head"
            )),
            [(seq, full)] => match &verdict.broken {
                Some((broken, _)) if broken > seq => problems.push(format!(
                    "written head: {full} is entry {seq}, but entry {broken} after it does not verify: \
                     the history was altered after the head was written down"
                )),
                Some((broken, _)) => problems.push(format!(
                    "written head: {full} is entry {seq}, but the chain breaks at entry {broken}, \
                     at or before it: the history it seals was altered"
                )),
                None => {
                    head_line = Some(format!(
                        "written head: {full} is entry {seq} of {}; the chain verifies from it to the end",
                        verdict.rows
                    ))
                }
            },
        }
    }
    writeln!(out, "database: {}", store.display_path())?;
    writeln!(out, "history entries: {}", verdict.rows)?;
    if problems.is_empty() {
        writeln!(out, "history chain: intact")?;
        writeln!(out, "chain head: {}", verdict.head)?;
        if let Some(line) = head_line {
            writeln!(out, "{line}")?;
        }
        writeln!(out, "events: as recorded")?;
        writeln!(out, "integrity: ok")?;
        return Ok(());
    }
    for p in &problems {
        writeln!(out, "problem: {}", crate::output::terminal_safe(p))?;
    }
    out.flush()?;
    bail!(
        "{} problem{} found in {}",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        store.display_path()
    );
}

/// Everything `check` finds wrong with `store` (integrity, foreign keys,
/// the history chain, events against their history), one line each, and
/// the chain's verdict; also run on a backup before `restore` uses it.
pub fn problems(store: &Store) -> Result<(Vec<String>, Verdict)> {
    let mut problems = store.database_problems()?;
    let verdict = store.verify_history()?;
    if let Some((seq, why)) = &verdict.broken {
        problems.push(format!("history: entry {seq} {why}"));
    }
    let event_problems = store.event_problems(MAX_EVENT_PROBLEMS)?;
    problems.extend(event_problems.iter().map(|p| format!("events: {p}")));
    problems.extend(count_problems(store)?);
    Ok((problems, verdict))
}

/// One line for each event whose count is above `MAX_COUNT` (up to
/// `MAX_EVENT_PROBLEMS`, then how many more): older versions recorded
/// such counts, and a few of them make every total overflow.
fn count_problems(store: &Store) -> Result<Vec<String>> {
    let (found, total) = store.counts_above(MAX_COUNT, MAX_EVENT_PROBLEMS)?;
    let mut lines: Vec<String> = found
        .iter()
        .map(|(id, count)| {
            format!(
                "events: event {id} has a count of {}, above the maximum of {} per event: \
                 correct it with opweek amend {id} --count N --reason TEXT",
                thousands(*count),
                thousands(MAX_COUNT)
            )
        })
        .collect();
    let more = total.saturating_sub(found.len() as u64);
    if more > 0 {
        lines.push(format!(
            "events: ... and {more} more counts above the maximum"
        ));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_head_is_12_to_64_hex_characters() {
        assert_eq!(parse_head(" ABCDEF012345 ").unwrap(), "abcdef012345");
        assert!(parse_head("abcdef01234")
            .unwrap_err()
            .to_string()
            .contains("at least its first 12"));
        assert!(parse_head("abcdefg12345").is_err());
        assert!(parse_head(&"a".repeat(65)).is_err());
    }
}
