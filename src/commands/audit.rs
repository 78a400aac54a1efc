//! `opweek audit`: the disclosure log, every export of events: who, when,
//! which filters, how many rows, where to, for whom and why.

use std::io::Write;

use anyhow::Result;

use super::Context;
use crate::output::{json::ArrayWriter, table};
use crate::store::Access;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print as JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let store = ctx.open_as(Access::Read)?;
    let entries = store.disclosures()?;
    if a.json {
        let mut w = ArrayWriter::new(out)?;
        for e in &entries {
            w.write(e)?;
        }
        w.finish()?;
    } else if entries.is_empty() {
        eprintln!("No exports recorded.");
    } else {
        table::disclosures(&entries, out)?;
    }
    Ok(())
}
