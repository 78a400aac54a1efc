//! `opweek export`: events as CSV in the contract's format, the file that
//! `import` reads and that forces send to the regional coordinator. Voided
//! events are included (with their status) so a merge carries the voids.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};

use super::Context;
use crate::csvio::EventWriter;
use crate::dates::resolve_range;
use crate::model::{check_operation_code, OpSelection};
use crate::store::EventFilter;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this operation
    #[arg(long, value_name = "CODE")]
    pub op: Option<String>,
    /// From this date (inclusive)
    #[arg(long, allow_hyphen_values = true, value_name = "DATE")]
    pub from: Option<String>,
    /// To this date (inclusive)
    #[arg(long, allow_hyphen_values = true, value_name = "DATE")]
    pub to: Option<String>,
    /// Write to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let filter = EventFilter {
        ops: match &a.op {
            Some(code) => OpSelection::One(check_operation_code(code.trim())?),
            None => OpSelection::All,
        },
        type_key: None,
        dates: resolve_range(None, a.from.as_deref(), a.to.as_deref(), ctx.today)?,
        include_voided: true,
    };
    let store = ctx.open()?;
    if let OpSelection::One(code) = &filter.ops {
        store.operation(code)?;
    }
    match &a.output {
        None => {
            write_events(&store, &filter, out)?;
        }
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            let mut w = BufWriter::new(file);
            let n = write_events(&store, &filter, &mut w)?;
            w.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
            w.get_ref()
                .sync_all()
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("Exported {n} events to {}.", path.display());
        }
    }
    Ok(())
}

fn write_events(
    store: &crate::store::Store,
    filter: &EventFilter,
    out: &mut dyn Write,
) -> Result<u64> {
    let mut w = EventWriter::new(out)?;
    let n = store.for_each_event(filter, |e| -> Result<()> { Ok(w.write(&e)?) })?;
    w.finish()?;
    Ok(n)
}
