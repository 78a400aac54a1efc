//! `opweek man [DIR]`: man pages (clap_mangen), generated from the parser's
//! definitions. With DIR, one page per command and subcommand is written
//! there: `opweek.1`, `opweek-log.1`, `opweek-op-add.1`, and so on. Without
//! DIR, the main page is printed, for `opweek man | man -l -`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write every page into this directory (created if missing) instead of
    /// printing the main page
    pub dir: Option<PathBuf>,
}

/// Writes the pages of `command`, the whole command line's definition
/// (given by `cli.rs`, which this module never looks back up to).
pub fn run(a: Args, mut command: clap::Command, out: &mut dyn Write) -> Result<()> {
    command.build();
    match a.dir {
        None => clap_mangen::Man::new(command).render(out)?,
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let mut written = 0;
            write_pages(&command, &dir, &mut written)?;
            eprintln!("Wrote {written} man pages to {}.", dir.display());
        }
    }
    Ok(())
}

/// Writes a page for `command` and then for each of its subcommands, depth
/// first. After `build`, clap names a subcommand's page `opweek-op-add`;
/// `help` is clap's own and gets none.
fn write_pages(command: &clap::Command, dir: &Path, written: &mut usize) -> Result<()> {
    let name = command
        .get_display_name()
        .unwrap_or_else(|| command.get_name());
    let path = dir.join(format!("{name}.1"));
    let mut text = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut text)?;
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    *written += 1;
    for sub in command.get_subcommands() {
        if sub.get_name() != "help" {
            write_pages(sub, dir, written)?;
        }
    }
    Ok(())
}
