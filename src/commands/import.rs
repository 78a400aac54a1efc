//! `opweek import FILE [--op CODE] [--dry-run] [--accept-changes [--reason
//! TEXT]] [--again]`: load events from the export CSV — a team's spreadsheet or
//! another force's export, first or later (then carrying that force's
//! corrections). All rows valid or nothing is written; each bad row is
//! reported as `FILE:LINE: column: message` on stderr.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest as _, Sha256};

use super::Context;
use crate::import::{self, Options, Problem, Summary};
use crate::model::{check_operation_code, required_text};
use crate::output::terminal_safe;
use crate::spreadsheet;
use crate::store::{Access, Store, StoreError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CSV file (header required; columns in any order), or a
    /// spreadsheet (.xlsx, .xls, .ods: its first sheet, read the same way)
    pub file: PathBuf,
    /// Operation for rows that name none
    #[arg(long, value_name = "CODE")]
    pub op: Option<String>,
    /// Import rows naming the force's operation THEIRS into this database's
    /// operation OURS (repeatable)
    #[arg(long, value_name = "THEIRS=OURS")]
    pub map_op: Vec<String>,
    /// Check every row and report, but write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Apply rows whose id is stored with other content as corrections
    /// (amended, or voided when the file says so), each kept in the history,
    /// instead of refusing them: a force's later export
    #[arg(long)]
    pub accept_changes: bool,
    /// Why, for the history of each correction [default: "correction in
    /// FILE"]
    #[arg(long, value_name = "TEXT", requires = "accept_changes")]
    pub reason: Option<String>,
    /// Import the file even though the same file (the same bytes) was
    /// imported before and its rows carry no ids: they are stored again
    #[arg(long)]
    pub again: bool,
}

pub fn run(a: Args, ctx: &Context, _out: &mut dyn Write) -> Result<()> {
    let operation =
        a.op.as_deref()
            .map(|c| check_operation_code(c.trim()))
            .transpose()?;
    let name = a.file.display().to_string();
    // A spreadsheet's first sheet goes through the same pipeline as CSV
    // text; its problems name the spreadsheet's rows.
    let sheet = if spreadsheet::is_spreadsheet(&a.file) {
        Some(read_sheet(&a.file, &name)?)
    } else {
        None
    };
    // A spreadsheet is remembered by its file's bytes, not by the CSV read
    // out of it (a CSV file is hashed as the import reads it).
    let sheet_sha256 = match &sheet {
        Some(_) => {
            let bytes = std::fs::read(&a.file).with_context(|| format!("cannot read {name}"))?;
            Some(format!("{:x}", Sha256::digest(&bytes)))
        }
        None => None,
    };
    let (input, size): (Box<dyn Read + Send>, u64) = match &sheet {
        Some(s) => (Box::new(s.csv.as_slice()), s.csv.len() as u64),
        None => {
            let file = File::open(&a.file).with_context(|| format!("cannot open {name}"))?;
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            (Box::new(file), size)
        }
    };
    let mut store = open_store(ctx, a.dry_run)?;

    let progress = progress_bar(size);
    let now = crate::store::now_utc();
    let import_ctx = import::Context {
        file: &name,
        today: ctx.today,
        user: &ctx.user,
        now: &now,
        file_sha256: sheet_sha256.as_deref(),
    };
    let reason = a
        .reason
        .as_deref()
        .map(|r| required_text("reason", r))
        .transpose()?;
    let options = Options {
        operation,
        map_op: map_ops(&a.map_op)?,
        dry_run: a.dry_run,
        accept_changes: a.accept_changes,
        reason,
        again: a.again,
    };
    let mut on_problem = |p: &Problem| {
        let line = sheet.as_ref().map_or(p.line, |s| s.row_of(p.line));
        // The file's name and cells are the user's text: control
        // characters are shown, never sent to the terminal.
        let text = match line {
            0 => format!("{name}: {}", p.message),
            line => format!("{name}:{line}: {}: {}", p.column, p.message),
        };
        progress.suspend(|| eprintln!("{}", terminal_safe(&text)));
    };
    let mut on_progress = |byte: u64| progress.set_position(byte);
    let result = import::import(
        &mut store,
        BufReader::with_capacity(1 << 16, input),
        &import_ctx,
        &options,
        &mut on_problem,
        &mut on_progress,
    );
    progress.finish_and_clear();
    let summary = result?;
    // The file's own name: a coordinator loading six files reads which is which.
    let short = a
        .file
        .file_name()
        .map_or_else(|| name.clone(), |f| f.to_string_lossy().into_owned());
    eprintln!(
        "{}",
        terminal_safe(&format!("{short}: {}", describe(&summary)))
    );
    Ok(())
}

/// The store to import into. A dry run writes nothing, so it creates no
/// database either: on a path with none it checks the rows against an
/// empty database in memory (the one the real import would create there),
/// and reports every row as the real import would (unknown operations).
fn open_store(ctx: &Context, dry_run: bool) -> Result<Store> {
    if !dry_run {
        return ctx.open_as(Access::Create);
    }
    match ctx.open_as(Access::Write) {
        Err(e) if matches!(e.downcast_ref(), Some(StoreError::Missing(_))) => {
            let mut store = Store::open_in_memory()?;
            store.set_actor(&ctx.user);
            Ok(store)
        }
        other => other,
    }
}

/// `--map-op THEIRS=OURS` flags as a map from the file's code to ours.
/// THEIRS is the file's text, whatever its form; OURS must be a valid code
/// (its existence is checked against the database by the import).
fn map_ops(flags: &[String]) -> Result<HashMap<String, String>> {
    let mut map = HashMap::new();
    for flag in flags {
        let Some((theirs, ours)) = flag.split_once('=') else {
            bail!("--map-op {flag}: expected THEIRS=OURS, such as --map-op NOV17=nov17-mersey");
        };
        let theirs = theirs.trim();
        if theirs.is_empty() {
            bail!("--map-op {flag}: the operation code to map (before =) is empty");
        }
        let ours = check_operation_code(ours.trim()).with_context(|| format!("--map-op {flag}"))?;
        if let Some(earlier) = map.insert(theirs.to_string(), ours.clone()) {
            if earlier != ours {
                bail!("--map-op maps {theirs} twice (to {earlier} and to {ours})");
            }
        }
    }
    Ok(map)
}

/// "event" or "events", after a number.
fn events(n: u64) -> String {
    format!("{n} event{}", if n == 1 { "" } else { "s" })
}

/// A progress bar on stderr when it is a terminal; a hidden one otherwise, so
/// logs and pipes stay clean.
fn progress_bar(size: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(size);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {eta} left") {
        bar.set_style(style);
    }
    bar
}

fn describe(s: &Summary) -> String {
    let corrected = match (s.corrected, s.voided) {
        (0, _) => String::new(),
        (n, 0) => format!(", {} {n}", if s.dry_run { "correct" } else { "corrected" }),
        (n, v) => format!(
            ", {} {n} ({v} voided)",
            if s.dry_run { "correct" } else { "corrected" }
        ),
    };
    let mut text = if s.dry_run {
        format!(
            "dry run: {} rows valid; would import {}, skip {} already stored{corrected}; nothing written",
            s.rows,
            events(s.imported),
            s.skipped
        )
    } else {
        format!(
            "imported {}, skipped {} already stored{corrected}",
            events(s.imported),
            s.skipped
        )
    };
    if s.new_ids > 0 {
        text.push_str(&if s.new_ids == 1 {
            "\nnote: 1 row had no id and was given a new one; importing this same file again is refused (--again would count it twice)".to_string()
        } else {
            format!(
                "\nnote: {} rows had no id and were given new ones; importing this same file again is refused (--again would count them twice)",
                s.new_ids
            )
        });
    }
    text
}

/// Reads a spreadsheet's first sheet for the import, reporting each cell it
/// cannot read as `FILE:ROW: column: message`.
fn read_sheet(path: &std::path::Path, name: &str) -> Result<spreadsheet::Sheet> {
    Ok(spreadsheet::read(path, &mut |p| {
        let text = format!("{name}:{}: {}: {}", p.row, p.column, p.message);
        eprintln!("{}", terminal_safe(&text))
    })?)
}
