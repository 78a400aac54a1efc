//! `opweek check`: is this database sound and its history untouched? Runs
//! SQLite's integrity and foreign-key checks and recomputes the history hash
//! chain; prints the chain head for the signed-off briefing. Exit 1 on any
//! problem.

use std::io::Write;

use anyhow::{bail, Result};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let store = ctx.open()?;
    let mut problems = store.database_problems()?;
    let verdict = store.verify_history()?;
    if let Some((seq, why)) = &verdict.broken {
        problems.push(format!("history: entry {seq} {why}"));
    }
    writeln!(out, "database: {}", store.display_path())?;
    writeln!(out, "history entries: {}", verdict.rows)?;
    if problems.is_empty() {
        writeln!(out, "history chain: intact")?;
        writeln!(out, "chain head: {}", verdict.head)?;
        writeln!(out, "integrity: ok")?;
        return Ok(());
    }
    for p in &problems {
        writeln!(out, "problem: {p}")?;
    }
    out.flush()?;
    bail!(
        "{} problem{} found in {}",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        store.display_path()
    );
}
