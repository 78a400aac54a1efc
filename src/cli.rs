//! The command line: global options, the list of subcommands and the
//! dispatch to each. Each subcommand's own flags are defined beside its code
//! in `commands/`, which never looks back up here.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::commands::{
    amend, audit, backup, check, demo, export, import, list, log, op, report, show, types, void,
    Context,
};

#[derive(Debug, Parser)]
#[command(
    name = "opweek",
    version,
    about = "Record a police week of action, event by event, and report its tallies",
    after_help = "Dates are YYYY-MM-DD, today or yesterday; weeks are ISO weeks such as 2017-W46.\n\
                  Start with `opweek demo` to see a reference week."
)]
pub struct Cli {
    /// The database file [default: opweek.db in the platform's data directory]
    #[arg(long, global = true, env = "OPWEEK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Who is recording, for recorded_by and the history [default: the
    /// operating-system user]
    #[arg(long, global = true, env = "OPWEEK_USER", value_name = "NAME")]
    pub user: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up and look at operations (weeks of action)
    #[command(subcommand)]
    Op(op::Command),
    /// List and add activity types
    #[command(subcommand, name = "type")]
    Type(types::Command),
    /// Record one activity; prints the new event's id
    Log(log::Args),
    /// List recorded events
    List(list::Args),
    /// Show one event and its history
    Show(show::Args),
    /// Correct an event; the old values and the reason are kept
    Amend(amend::Args),
    /// Take an event out of every tally, keeping it and the reason
    Void(void::Args),
    /// Tallies for an operation, campaign, week or date range
    Report(report::Args),
    /// Write events as CSV (the import format)
    Export(export::Args),
    /// Load events from CSV (the export format): all rows or none
    Import(import::Args),
    /// Check the database and its history chain; print the chain head
    Check(check::Args),
    /// The disclosure log: every export, who, when and for whom
    Audit(audit::Args),
    /// Write a consistent copy of the database (safe while others write)
    Backup(backup::BackupArgs),
    /// Replace the database's content with a backup's
    Restore(backup::RestoreArgs),
    /// Build a demo database from the reference week and show its report
    Demo(demo::Args),
}

impl Command {
    /// Runs the command: the one dispatch from a parsed command line to the
    /// command's own `run`.
    pub fn run(self, ctx: &Context, out: &mut dyn Write) -> anyhow::Result<()> {
        match self {
            Command::Op(c) => op::run(c, ctx, out),
            Command::Type(c) => types::run(c, ctx, out),
            Command::Log(a) => log::run(a, ctx, out),
            Command::List(a) => list::run(a, ctx, out),
            Command::Show(a) => show::run(a, ctx, out),
            Command::Report(a) => report::run(a, ctx, out),
            Command::Export(a) => export::run(a, ctx, out),
            Command::Import(a) => import::run(a, ctx, out),
            Command::Amend(a) => amend::run(a, ctx, out),
            Command::Void(a) => void::run(a, ctx, out),
            Command::Check(a) => check::run(a, ctx, out),
            Command::Audit(a) => audit::run(a, ctx, out),
            Command::Backup(a) => backup::backup(a, ctx, out),
            Command::Restore(a) => backup::restore(a, ctx, out),
            Command::Demo(a) => demo::run(a, ctx, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("opweek").chain(args.iter().copied()))
    }

    #[test]
    fn definitions_are_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn log_takes_a_type_and_fields() {
        let cli = parse(&["log", "warrant", "--date", "2017-11-13", "--count", "-3"]).unwrap();
        let Command::Log(a) = cli.command else {
            panic!()
        };
        assert_eq!(a.type_key, "warrant");
        // A negative count reaches validation (exit 1 with a clear message)
        // instead of being taken for a flag.
        assert_eq!(a.fields.count.as_deref(), Some("-3"));
        assert!(parse(&["log"]).is_err());
    }

    #[test]
    fn report_selectors() {
        assert!(parse(&["report", "--op", "a", "--campaign", "b"]).is_err());
        assert!(parse(&["report", "--week", "2017-W46", "--from", "2017-11-13"]).is_err());
        assert!(parse(&["report", "--op", "a", "--week", "2017-W46", "--by", "day"]).is_ok());
        assert!(parse(&["report", "--by", "colour"]).is_err());
        assert!(parse(&["report", "--format", "csv"]).is_ok());
    }

    #[test]
    fn db_is_global() {
        let cli = parse(&["list", "--db", "x.db"]).unwrap();
        assert_eq!(cli.db.as_deref(), Some(std::path::Path::new("x.db")));
    }
}
