//! `opweek completions SHELL`: prints a completion script for bash, zsh,
//! fish, PowerShell or Elvish (clap_complete), generated from the same
//! definitions as the parser, so the two never disagree.

use std::io::Write;

use anyhow::Result;
use clap_complete::Shell;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the script for `command`, the whole command line's definition
/// (given by `cli.rs`, which this module never looks back up to).
pub fn run(a: Args, mut command: clap::Command, out: &mut dyn Write) -> Result<()> {
    clap_complete::generate(a.shell, &mut command, "opweek", out);
    Ok(())
}
