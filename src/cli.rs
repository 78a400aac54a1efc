//! The command line: global options, the list of subcommands and the
//! dispatch to each. Each subcommand's own flags are defined beside its code
//! in `commands/`, which never looks back up here.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};

use crate::commands::{
    amend, audit, backup, check, demo, export, import, list, log, op, report, show, types, void,
    Context,
};
use crate::commands::{completions, man};

#[derive(Debug, Parser)]
#[command(
    name = "opweek",
    version,
    about = "Record a police week of action, event by event, and report its tallies",
    after_help = "Dates are YYYY-MM-DD, today or yesterday; weeks are ISO weeks such as 2017-W46.\n\
                  Start with `opweek demo` to see a reference week."
)]
pub struct Cli {
    // OPWEEK_DB and OPWEEK_USER are read by `from_env`, not by clap's `env`:
    // clap took an empty OPWEEK_DB= for a missing value ("a value is
    // required for '--db'") and, with either set, printed `--db <PATH>` in
    // every usage line as if it were required.
    /// The database: a SQLite file, or a shared PostgreSQL database as
    /// postgres://USER@HOST[:PORT]/DBNAME [env: OPWEEK_DB] [default:
    /// opweek.db in the platform's data directory]
    #[arg(long, global = true, value_name = "PATH|URL")]
    pub db: Option<PathBuf>,

    /// Who is recording, for recorded_by and the history [env: OPWEEK_USER]
    /// [default: the operating-system user]
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Fills in what the command line left out from the environment
    /// (`lookup` is `std::env::var_os` outside tests): `--db` from
    /// OPWEEK_DB and `--user` from OPWEEK_USER. A flag wins; a variable
    /// set but empty counts as unset.
    pub fn from_env(mut self, lookup: impl Fn(&str) -> Option<OsString>) -> Cli {
        let var = |name: &str| lookup(name).filter(|v| !v.is_empty());
        if self.db.as_ref().is_none_or(|d| d.as_os_str().is_empty()) {
            self.db = var("OPWEEK_DB").map(PathBuf::from);
        }
        if self.user.is_none() {
            self.user = var("OPWEEK_USER").map(|u| u.to_string_lossy().into_owned());
        }
        self
    }
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
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(completions::Args),
    /// Print the man page, or write one per command into a directory
    Man(man::Args),
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
            Command::Completions(a) => completions::run(a, Cli::command(), out),
            Command::Man(a) => man::run(a, Cli::command(), out),
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

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn database_and_user_come_from_the_environment_unless_given() {
        let cli = parse(&["list"])
            .unwrap()
            .from_env(env(&[("OPWEEK_DB", "week.db"), ("OPWEEK_USER", "4127")]));
        assert_eq!(cli.db.as_deref(), Some(std::path::Path::new("week.db")));
        assert_eq!(cli.user.as_deref(), Some("4127"));
        let cli = parse(&["list", "--db", "x.db", "--user", "me"])
            .unwrap()
            .from_env(env(&[("OPWEEK_DB", "week.db"), ("OPWEEK_USER", "4127")]));
        assert_eq!(cli.db.as_deref(), Some(std::path::Path::new("x.db")));
        assert_eq!(cli.user.as_deref(), Some("me"));
    }

    #[test]
    fn an_empty_opweek_db_is_unset() {
        let cli = parse(&["list"])
            .unwrap()
            .from_env(env(&[("OPWEEK_DB", ""), ("OPWEEK_USER", "")]));
        assert_eq!(cli.db, None);
        assert_eq!(cli.user, None);
    }

    #[test]
    fn usage_never_shows_the_global_options_as_required() {
        use clap::CommandFactory;
        let mut cmd = Cli::command();
        let amend = cmd.find_subcommand_mut("amend").unwrap();
        let usage = amend.render_usage().to_string();
        assert!(!usage.contains("--db"), "{usage}");
        let err = parse(&["amend"]).unwrap_err().to_string();
        assert!(!err.contains("--db"), "{err}");
        assert!(!err.contains("--user"), "{err}");
    }

    #[test]
    fn log_defaults_show_in_log_help_only() {
        use clap::CommandFactory;
        let mut cmd = Cli::command();
        let log = cmd
            .find_subcommand_mut("log")
            .unwrap()
            .render_help()
            .to_string();
        assert!(log.contains("today or yesterday [default: today]"), "{log}");
        assert!(log.contains("[default: 1]"), "{log}");
        let mut cmd = Cli::command();
        let amend = cmd
            .find_subcommand_mut("amend")
            .unwrap()
            .render_help()
            .to_string();
        assert!(!amend.contains("default: today"), "{amend}");
        assert!(!amend.contains("default: 1]"), "{amend}");
        assert!(!amend.contains("operation's force"), "{amend}");
    }

    #[test]
    fn db_is_global() {
        let cli = parse(&["list", "--db", "x.db"]).unwrap();
        assert_eq!(cli.db.as_deref(), Some(std::path::Path::new("x.db")));
    }
}
