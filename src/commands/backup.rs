//! `opweek backup DEST` and `opweek restore SRC [--force]`: consistent copies
//! through SQLite's online backup API, safe while others are writing.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};

use super::Context;
use crate::store::Access;
use crate::store::BackupFile;

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Where to write the copy (a new file, readable by you only)
    pub dest: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup to restore from
    pub src: PathBuf,
    /// Replace the existing database's content
    #[arg(long)]
    pub force: bool,
}

pub fn backup(a: BackupArgs, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    if a.dest.exists() {
        bail!(
            "{} already exists: choose a new file for the backup",
            a.dest.display()
        );
    }
    let store = ctx.open_as(Access::Read)?;
    store.backup_to(&a.dest)?;
    writeln!(out, "{}", a.dest.display())?;
    eprintln!(
        "Backed up {} to {}.",
        store.display_path(),
        a.dest.display()
    );
    Ok(())
}

pub fn restore(a: RestoreArgs, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    if !a.src.is_file() {
        bail!("{} not found: name a backup file", a.src.display());
    }
    if ctx.db.exists() && !a.force {
        bail!(
            "{} already exists: restoring would replace its content; add --force to do so",
            ctx.db.display()
        );
    }
    // (A server database is checked by the store: it must be empty.)
    let source = BackupFile::open(&a.src)
        .with_context(|| format!("cannot restore from {}", a.src.display()))?;
    // The full `check`, not only SQLite's: a backup whose events or history
    // were edited behind the tool's back must not become the record.
    let (problems, _) = super::check::problems(source.store())
        .with_context(|| format!("cannot restore from {}", a.src.display()))?;
    if !problems.is_empty() {
        bail!(
            "cannot restore from {}: it fails `opweek check` ({}): {}",
            a.src.display(),
            if problems.len() == 1 {
                "1 problem".to_string()
            } else {
                format!("{} problems", problems.len())
            },
            problems.join("; ")
        );
    }
    let mut store = ctx.open_as(Access::Create)?;
    store.restore_from(&source)?;
    writeln!(out, "{}", store.display_path())?;
    eprintln!(
        "Restored {} from {}.",
        store.display_path(),
        a.src.display()
    );
    Ok(())
}
