//! `opweek show ID`: one event, every field, and its history of
//! amendments and voids.

use std::io::Write;

use anyhow::Result;

use super::Context;
use crate::model::parse_event_ref;
use crate::output::table;
use crate::store::Access;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The event's id as `log` printed it, the short id `list` shows, or 8 or
    /// more characters from the start or end of the id
    pub id: String,
}

pub fn run(a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let event_ref = parse_event_ref(&a.id)?;
    let store = ctx.open_as(Access::Read)?;
    let id = store.resolve_event(&event_ref)?;
    table::event_detail(&store.event(id)?, out)?;
    writeln!(out)?;
    table::history(&store.history(id)?, out)?;
    Ok(())
}
