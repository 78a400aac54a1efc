//! `opweek void ID --reason TEXT`: take an event out of every tally while
//! keeping it, and the reason, on record. There is no delete.

use std::io::Write;

use anyhow::Result;

use super::correct::{active_event, record};
use super::Context;
use crate::model::{parse_event_ref, required_text, Status};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The event's id, the short id `list` shows, or 8 or more characters
    /// from the start or end of the id
    pub id: String,
    /// Why the event is voided (kept in the history)
    #[arg(long, allow_hyphen_values = true)]
    pub reason: String,
}

pub fn run(a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let reason = required_text("reason", &a.reason)?;
    let event_ref = parse_event_ref(&a.id)?;
    let mut store = ctx.open()?;
    let old = active_event(&store, &event_ref, "it counts in no tally")?;
    let mut new = old.clone();
    new.status = Status::Voided;
    record(&mut store, &old, &new, "void", reason, ctx)?;
    writeln!(out, "{}", new.id)?;
    eprintln!("Voided {}: it no longer counts in any tally.", new.id);
    Ok(())
}
