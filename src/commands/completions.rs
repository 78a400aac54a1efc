//! `opweek completions SHELL`: prints a completion script for bash, zsh,
//! fish, PowerShell or Elvish (clap_complete), generated from the same
//! definitions as the parser, so the two never disagree.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(a: Args, _ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let mut command = crate::cli::Cli::command();
    clap_complete::generate(a.shell, &mut command, "opweek", out);
    Ok(())
}
