//! `opweek export`: events as CSV in the contract's format, the file that
//! `import` reads and that forces send to the regional coordinator. Voided
//! events are included (with their status) so a merge carries the voids.
//! Every export is entered in the disclosure log (Data Protection Act 2018,
//! s.62): who, when, which filters, how many rows, where to and for whom,
//! committed only once the export is complete. `-o FILE` writes a temporary
//! file beside FILE and renames it into place when complete, so a failed
//! export leaves no half file, and never writes over an existing file
//! without `--force`, nor over the database or its journal files at all.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{bail, Result};

use super::outfile::{check_target, place, write_temporary};
use super::Context;
use crate::dates::resolve_range;
use crate::model::{check_operation_code, clean_text, OpSelection};
use crate::store::{Access, Disclosure, EventFilter, Store};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this operation
    #[arg(long, value_name = "CODE")]
    pub op: Option<String>,
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
    /// Write to this new file instead of stdout (created readable by you
    /// only; never the database itself)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long, requires = "output")]
    pub force: bool,
    /// Who the export is for (kept in the disclosure log)
    #[arg(long)]
    pub recipient: Option<String>,
    /// Why it is disclosed (kept in the disclosure log)
    #[arg(long)]
    pub reason: Option<String>,
    /// csv, or xlsx (an Excel workbook with typed cells) [default: xlsx when
    /// the -o file ends in .xlsx, else csv]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ExportFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    /// The format asked for, else the one the output file's extension
    /// names. A workbook is binary: not for a terminal.
    fn resolve(a: &Args) -> Result<ExportFormat> {
        let format = a.format.unwrap_or(match &a.output {
            Some(p) if crate::output::xlsx::is_xlsx_path(p) => ExportFormat::Xlsx,
            _ => ExportFormat::Csv,
        });
        if format == ExportFormat::Xlsx && a.output.is_none() && std::io::stdout().is_terminal() {
            bail!("an Excel workbook is not for a terminal: write it to a file with -o FILE.xlsx");
        }
        Ok(format)
    }
}

pub fn run(a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let filter = EventFilter {
        ops: match &a.op {
            Some(code) => OpSelection::One(check_operation_code(code.trim())?),
            None => OpSelection::All,
        },
        type_key: None,
        dates: resolve_range(
            a.week.as_deref(),
            a.from.as_deref(),
            a.to.as_deref(),
            ctx.today,
        )?,
        fields: a.only.to_filter()?,
        include_voided: true,
    };
    let format = ExportFormat::resolve(&a)?;
    let recipient = clean_text("recipient", a.recipient.as_deref())?;
    let reason = clean_text("reason", a.reason.as_deref())?;
    if let Some(path) = &a.output {
        check_target(path, &ctx.db, a.force)?;
    }
    // An export writes its disclosure entry, so a database the user may only
    // read is refused here with the read-only error, not after the file.
    let mut store = ctx.open_as(Access::Write)?;
    if let OpSelection::One(code) = &filter.ops {
        store.operation(code)?;
    }
    let disclosure = |rows: u64, destination: String| Disclosure {
        disclosed_at: crate::store::now_utc(),
        disclosed_by: ctx.user.clone(),
        filters: describe_filters(&a),
        rows: rows as i64,
        destination,
        recipient: recipient.clone(),
        reason: reason.clone(),
    };
    let Some(path) = &a.output else {
        let mut rows = 0;
        let written = write_events(&store, &filter, out, &mut rows, format);
        return super::disclose::disclose_stdout(&mut store, written, out, |dest| {
            disclosure(rows, dest)
        });
    };
    let (file, rows) = write_temporary(path, |w| {
        let mut rows = 0;
        write_events(&store, &filter, w, &mut rows, format).map(|()| rows)
    })?;
    let d = disclosure(rows, path.display().to_string());
    let mut placed = false;
    let result = store.log_disclosure_if(&d, || -> Result<()> {
        place(file, path, a.force)?;
        placed = true;
        Ok(())
    });
    if result.is_err() && placed {
        // The entry did not commit after the file was put in place: take
        // the file back, so nothing left without its entry.
        let _ = std::fs::remove_file(path);
    }
    result?;
    eprintln!("Exported {rows} events to {}.", path.display());
    Ok(())
}

fn write_events(
    store: &Store,
    filter: &EventFilter,
    out: &mut dyn Write,
    rows: &mut u64,
    format: ExportFormat,
) -> Result<()> {
    if format == ExportFormat::Xlsx {
        let mut book = crate::output::xlsx::EventWorkbook::new()?;
        store.for_each_event(filter, |e| -> Result<()> {
            book.write(&e)?;
            *rows += 1;
            Ok(())
        })?;
        out.write_all(&book.finish()?)?;
        return Ok(());
    }
    super::disclose::write_event_csv(store, filter, out, rows)
}

/// The selection as flags, for the disclosure log.
fn describe_filters(a: &Args) -> String {
    let flags = [
        ("--op", &a.op),
        ("--week", &a.week),
        ("--from", &a.from),
        ("--to", &a.to),
    ];
    super::disclose::describe_selection(&flags, &a.only, None, "(all events)")
}
