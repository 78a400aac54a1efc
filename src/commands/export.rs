//! `opweek export`: events as CSV in the contract's format, the file that
//! `import` reads and that forces send to the regional coordinator. Voided
//! events are included (with their status) so a merge carries the voids.
//! Every export is entered in the disclosure log (Data Protection Act 2018,
//! s.62): who, when, which filters, how many rows, where to and for whom.

use std::fs::OpenOptions;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use super::Context;
use crate::csvio::EventWriter;
use crate::dates::resolve_range;
use crate::model::{check_operation_code, clean_text, OpSelection};
use crate::store::{Disclosure, EventFilter, Store};

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
    /// Write to this file instead of stdout (created readable by you only)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
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
            anyhow::bail!(
                "an Excel workbook is not for a terminal: write it to a file with -o FILE.xlsx"
            );
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
        dates: resolve_range(None, a.from.as_deref(), a.to.as_deref(), ctx.today)?,
        include_voided: true,
    };
    let format = ExportFormat::resolve(&a)?;
    let recipient = clean_text("recipient", a.recipient.as_deref())?;
    let reason = clean_text("reason", a.reason.as_deref())?;
    let mut store = ctx.open()?;
    if let OpSelection::One(code) = &filter.ops {
        store.operation(code)?;
    }
    let mut rows = 0;
    let (destination, result) = match &a.output {
        None => (
            "stdout".to_string(),
            write_events(&store, &filter, out, &mut rows, format),
        ),
        Some(path) => (
            path.display().to_string(),
            write_file(&store, &filter, path, &mut rows, format),
        ),
    };
    // Logged even when writing failed part-way: what left is disclosed.
    store.log_disclosure(&Disclosure {
        disclosed_at: crate::store::now_utc(),
        disclosed_by: ctx.user.clone(),
        filters: describe_filters(&a),
        rows: rows as i64,
        destination,
        recipient,
        reason,
    })?;
    result?;
    if let Some(path) = &a.output {
        eprintln!("Exported {rows} events to {}.", path.display());
    }
    Ok(())
}

/// Writes the export to an owner-only file, durably; a failed export leaves
/// no partial file behind (only a regular file this export created is
/// removed: `-o /dev/full` must not remove the device).
fn write_file(
    store: &Store,
    filter: &EventFilter,
    path: &Path,
    rows: &mut u64,
    format: ExportFormat,
) -> Result<()> {
    let existed = path.exists();
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::new(file);
    let result = write_events(store, filter, &mut w, rows, format)
        .and_then(|()| w.flush().map_err(anyhow::Error::from))
        .and_then(|()| w.get_ref().sync_all().map_err(anyhow::Error::from))
        .with_context(|| format!("cannot write {}", path.display()));
    if result.is_err() && !existed && path.is_file() {
        let _ = std::fs::remove_file(path);
    }
    result
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
    let mut w = EventWriter::new(out)?;
    store.for_each_event(filter, |e| -> Result<()> {
        w.write(&e)?;
        *rows += 1;
        Ok(())
    })?;
    w.finish()?;
    Ok(())
}

/// The selection as flags, for the disclosure log.
fn describe_filters(a: &Args) -> String {
    let mut parts = Vec::new();
    for (flag, value) in [("--op", &a.op), ("--from", &a.from), ("--to", &a.to)] {
        if let Some(v) = value {
            parts.push(format!("{flag} {v}"));
        }
    }
    if parts.is_empty() {
        "(all events)".to_string()
    } else {
        parts.join(" ")
    }
}
