//! `opweek list`: the recorded events, filtered, as a table, CSV (the export
//! format) or JSON. CSV and JSON are data leaving the tool just as an
//! export does, so they are entered in the disclosure log (destination
//! stdout) once written; the table, for reading on screen, is not.

use std::io::Write;

use anyhow::Result;

use super::Context;
use crate::dates::resolve_range;
use crate::model::{check_operation_code, check_type_key, OpSelection};
use crate::output::{json::ArrayWriter, table};
use crate::store::Access;
use crate::store::{Disclosure, EventFilter, Store, StoreError};

/// Formats `list` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this operation
    #[arg(long, value_name = "CODE")]
    pub op: Option<String>,
    /// Only this activity type
    #[arg(long = "type", value_name = "TYPE")]
    pub type_key: Option<String>,
    /// An ISO week, such as 2017-W46
    #[arg(long, value_name = "YYYY-Www", conflicts_with_all = ["from", "to"])]
    pub week: Option<String>,
    /// From this date (inclusive)
    #[arg(long, allow_hyphen_values = true, value_name = "DATE")]
    pub from: Option<String>,
    /// To this date (inclusive)
    #[arg(long, allow_hyphen_values = true, value_name = "DATE")]
    pub to: Option<String>,
    #[command(flatten)]
    pub only: super::disclose::FilterArgs,
    /// Include voided events (also --include-voided)
    #[arg(long, visible_alias = "include-voided")]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

pub fn run(a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let filter = filter_from(&a, ctx)?;
    // A disclosure is written, so CSV and JSON need a writable database.
    let mut store = ctx.open_as(match a.format {
        ListFormat::Table => Access::Read,
        ListFormat::Csv | ListFormat::Json => Access::Write,
    })?;
    if let OpSelection::One(code) = &filter.ops {
        store.operation(code)?;
    }
    if let Some(key) = &filter.type_key {
        store.activity_type(key)?;
    }
    match a.format {
        ListFormat::Table => {
            let mut events = Vec::new();
            store.for_each_event(&filter, |e| -> Result<(), StoreError> {
                events.push(e);
                Ok(())
            })?;
            if events.is_empty() {
                eprintln!("No events match.");
            } else {
                table::events(&events, out)?;
                out.flush()?;
                let n = events.len();
                eprintln!("{n} event{}", if n == 1 { "" } else { "s" });
            }
        }
        ListFormat::Csv | ListFormat::Json => {
            let mut rows = 0;
            let written = write_data(&store, &filter, a.format, out, &mut rows);
            let filters = describe_filters(&a);
            let format = if a.format == ListFormat::Csv {
                "csv"
            } else {
                "json"
            };
            super::disclose::disclose_stdout(&mut store, written, out, |destination| Disclosure {
                disclosed_at: crate::store::now_utc(),
                disclosed_by: ctx.user.clone(),
                filters: format!("list --format {format} {filters}"),
                rows: rows as i64,
                destination,
                recipient: None,
                reason: None,
            })?;
        }
    }
    Ok(())
}

fn write_data(
    store: &Store,
    filter: &EventFilter,
    format: ListFormat,
    out: &mut dyn Write,
    rows: &mut u64,
) -> Result<()> {
    if format == ListFormat::Csv {
        super::disclose::write_event_csv(store, filter, out, rows)?;
    } else {
        let mut w = ArrayWriter::new(out)?;
        store.for_each_event(filter, |e| -> Result<()> {
            w.write(&e)?;
            *rows += 1;
            Ok(())
        })?;
        w.finish()?;
    }
    Ok(())
}

/// The selection as flags, for the disclosure log.
fn describe_filters(a: &Args) -> String {
    let flags = [
        ("--op", &a.op),
        ("--type", &a.type_key),
        ("--week", &a.week),
        ("--from", &a.from),
        ("--to", &a.to),
    ];
    let all = a.all.then_some("--all");
    super::disclose::describe_selection(&flags, &a.only, all, "(all active events)")
}

fn filter_from(a: &Args, ctx: &Context) -> Result<EventFilter> {
    Ok(EventFilter {
        ops: match &a.op {
            Some(code) => OpSelection::One(check_operation_code(code.trim())?),
            None => OpSelection::All,
        },
        type_key: a
            .type_key
            .as_deref()
            .map(|t| check_type_key(t.trim()))
            .transpose()?,
        dates: resolve_range(
            a.week.as_deref(),
            a.from.as_deref(),
            a.to.as_deref(),
            ctx.today,
        )?,
        fields: a.only.to_filter()?,
        include_voided: a.all,
    })
}
