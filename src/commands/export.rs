//! `opweek export`: events as CSV in the contract's format, the file that
//! `import` reads and that forces send to the regional coordinator. Voided
//! events are included (with their status) so a merge carries the voids.
//! Every export is entered in the disclosure log (Data Protection Act 2018,
//! s.62): who, when, which filters, how many rows, where to and for whom,
//! committed only once the export is complete. `-o FILE` writes a temporary
//! file beside FILE and renames it into place when complete, so a failed
//! export leaves no half file, and never writes over an existing file
//! without `--force`, nor over the database or its journal files at all.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use tempfile::NamedTempFile;

use super::Context;
use crate::csvio::EventWriter;
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
    pub only: super::list::FilterArgs,
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
        return disclose_stdout(&mut store, written, out, |dest| disclosure(rows, dest));
    };
    let (file, rows) = write_temporary(&store, &filter, path, format)?;
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

/// Finishes a disclosure to stdout (`export` without `-o`, `list --format
/// csv|json`): the entry is committed only after every row was written and
/// flushed. A failure to write enters nothing (exit 1), except a broken pipe:
/// the reader (`| head`) closed it after taking some rows, so what was
/// written may have been read; that is entered, with the destination saying
/// the reader closed it early, and the command then ends quietly (exit 0).
pub(crate) fn disclose_stdout(
    store: &mut Store,
    written: Result<()>,
    out: &mut dyn Write,
    disclosure: impl FnOnce(String) -> Disclosure,
) -> Result<()> {
    let result = written.and_then(|()| out.flush().map_err(anyhow::Error::from));
    match result {
        Ok(()) => {
            store.log_disclosure(&disclosure("stdout".to_string()))?;
            Ok(())
        }
        Err(e) if super::is_broken_pipe(&e) => {
            store.log_disclosure(&disclosure(
                "stdout (closed early by the reader)".to_string(),
            ))?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// Refuses, before anything is read or written, an export over the
/// database itself or its `-wal`/`-shm` (even with `--force`; compared by
/// file identity, so a symlink or hard link to them is caught too), over
/// anything that is not a regular file, and over an existing file unless
/// `force`.
fn check_target(path: &Path, db: &Path, force: bool) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let file = crate::store::journal_file(db, suffix);
        if same_file(path, &file) {
            bail!(
                "{} is the opweek database{}: an export never writes over it; choose another file",
                path.display(),
                if suffix.is_empty() {
                    String::new()
                } else {
                    format!("'s {suffix} file")
                }
            );
        }
    }
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if !force {
        bail!(
            "{} already exists: choose a new file, or add --force to replace it",
            path.display()
        );
    }
    // A symlink is replaced, never followed; a device or directory is left
    // alone (`-o /dev/null` must not replace the device).
    if !(meta.is_file() || meta.file_type().is_symlink()) {
        bail!(
            "{} is not a regular file: an export replaces only a file (leave out -o to write to stdout)",
            path.display()
        );
    }
    Ok(())
}

/// Whether `a` and `b` are the same file: the same device and inode when
/// both exist (so hard links and symlinks match), else the same path once
/// the directories' symlinks and `..` are resolved.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        use std::os::unix::fs::MetadataExt;
        return ma.dev() == mb.dev() && ma.ino() == mb.ino();
    }
    match (resolved(a), resolved(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The path with every symlink and `..` resolved; for a file that does not
/// exist, its resolved directory joined with its name.
fn resolved(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = p.canonicalize() {
        return Some(c);
    }
    let dir = parent_dir(p).canonicalize().ok()?;
    Some(dir.join(p.file_name()?))
}

fn parent_dir(p: &Path) -> &Path {
    p.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes the export, durably, to a new owner-only temporary file in the
/// target's directory; dropped on any failure, it leaves nothing behind.
fn write_temporary(
    store: &Store,
    filter: &EventFilter,
    path: &Path,
    format: ExportFormat,
) -> Result<(NamedTempFile, u64)> {
    let dir = parent_dir(path);
    if !dir.is_dir() {
        bail!(
            "cannot create {}: there is no directory {}",
            path.display(),
            dir.display()
        );
    }
    let file = tempfile::Builder::new()
        .prefix(".opweek-export-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut rows = 0;
    let mut w = BufWriter::new(file);
    write_events(store, filter, &mut w, &mut rows, format)
        .and_then(|()| w.flush().map_err(anyhow::Error::from))
        .and_then(|()| {
            w.get_ref()
                .as_file()
                .sync_all()
                .map_err(anyhow::Error::from)
        })
        .with_context(|| format!("cannot write {}", path.display()))?;
    let file = w
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok((file, rows))
}

/// Puts the finished export in place by renaming it over `path`: never
/// over an existing file without `force`, even one that appeared meanwhile.
fn place(file: NamedTempFile, path: &Path, force: bool) -> Result<()> {
    let placed = if force {
        file.persist(path)
    } else {
        file.persist_noclobber(path)
    };
    placed
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
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
    let flags = [
        ("--op", &a.op),
        ("--week", &a.week),
        ("--from", &a.from),
        ("--to", &a.to),
    ];
    super::list::describe_selection(&flags, &a.only, None, "(all events)")
}
