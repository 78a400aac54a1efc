//! `opweek check`: is this database sound and its record untouched? Runs
//! SQLite's integrity and foreign-key checks, recomputes the history hash
//! chain, and checks every event against the history (its `log` or `import`
//! digest, after undoing its recorded corrections); prints the chain head
//! for the signed-off briefing. Exit 1 on any problem.

use std::io::Write;

use anyhow::{bail, Result};

use super::Context;
use crate::chain::Verdict;
use crate::store::Access;
use crate::store::Store;

/// Enough to find where the damage is; a million events added behind the
/// tool's back need not print a million lines.
const MAX_EVENT_PROBLEMS: usize = 20;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let store = ctx.open_as(Access::Read)?;
    let (problems, verdict) = problems(&store)?;
    writeln!(out, "database: {}", store.display_path())?;
    writeln!(out, "history entries: {}", verdict.rows)?;
    if problems.is_empty() {
        writeln!(out, "history chain: intact")?;
        writeln!(out, "chain head: {}", verdict.head)?;
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
    Ok((problems, verdict))
}
