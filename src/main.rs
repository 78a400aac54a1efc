//! The `opweek` binary: parse the command line, resolve the context (database
//! path, today, who is recording), run the command, and turn the outcome
//! into an exit status. Exit 0 on success, 1 on an error the user can fix,
//! 2 on a usage mistake (clap's own).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

use opweek::cli::Cli;
use opweek::commands::{self, Context};
use opweek::output::terminal_safe;

fn main() -> ExitCode {
    let mut cli = Cli::parse().from_env(|name| std::env::var_os(name));
    // `opweek --db X demo` (or OPWEEK_DB=X) builds the demo at X.
    if let opweek::cli::Command::Demo(a) = &mut cli.command {
        if a.path.is_none() {
            a.path = cli.db.clone();
        }
    }
    let ctx = Context {
        db: cli
            .db
            .clone()
            .unwrap_or_else(|| commands::default_data_dir().join("opweek.db")),
        today: chrono::Local::now().date_naive(),
        user: cli
            .user
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(os_user),
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = cli
        .command
        .run(&ctx, &mut out)
        .and_then(|()| out.flush().map_err(anyhow::Error::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `opweek export | head` closing the pipe early is the reader's
        // choice, not a failure: stop quietly.
        Err(e) if commands::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // The whole chain on one line: "error: cannot open database x:
            // database error: ...".
            let _ = out.flush();
            if sum_overflowed(&e) {
                eprintln!(
                    "error: a total is too large to add up: the database holds event counts above \
                     opweek's maximum of {} per event (recorded by an older version or changed \
                     behind opweek's back); run opweek check to find them",
                    opweek::numbers::thousands(opweek::model::MAX_COUNT)
                );
                return ExitCode::from(1);
            }
            if server_error(&e, &postgres::error::SqlState::LOCK_NOT_AVAILABLE).is_some() {
                eprintln!(
                    "error: another workstation's write has held the database for over a minute \
                     (a large import?): nothing was changed; try again when it is done"
                );
                return ExitCode::from(1);
            }
            if let Some(denied) = permission_denied(&e) {
                eprintln!(
                    "error: the server refused: {}: your database role may not do this \
                     (nothing was changed; ask the database's administrator for opweek's grants, \
                     README: 'Setting up a shared server')",
                    terminal_safe(&denied)
                );
                return ExitCode::from(1);
            }
            match broken_rule(&e) {
                Some(rule) => eprintln!(
                    "error: the database refused the change: it breaks its rule {rule:?} \
                     (nothing was changed); this is a gap in opweek's own checks, please report it"
                ),
                // Arguments and stored text reach error messages: control
                // characters are shown (`\x1b`), never sent to the terminal.
                None => eprintln!("error: {}", terminal_safe(&format!("{e:#}"))),
            }
            ExitCode::from(1)
        }
    }
}

/// What a server refused this role (`permission denied for table event`).
fn permission_denied(e: &anyhow::Error) -> Option<String> {
    server_error(e, &postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
}

/// The server's message, when it refused with `code`.
fn server_error(e: &anyhow::Error, code: &postgres::error::SqlState) -> Option<String> {
    e.chain().find_map(|cause| {
        let db = cause.downcast_ref::<postgres::Error>()?.as_db_error()?;
        (db.code() == code).then(|| db.message().to_string())
    })
}

/// The rule named by a constraint SQLite refused (`CHECK constraint failed:
/// end_date >= start_date`), so that a value opweek's own validation missed
/// is still refused in words rather than in SQLite's error codes.
fn broken_rule(e: &anyhow::Error) -> Option<String> {
    // The server names the constraint it enforced (or the guard's message).
    let server = e.chain().find_map(|cause| {
        let db = cause.downcast_ref::<postgres::Error>()?.as_db_error()?;
        db.code().code().starts_with("23").then(|| {
            db.constraint()
                .map_or_else(|| db.message().to_string(), str::to_string)
        })
    });
    if server.is_some() {
        return server;
    }
    e.chain()
        .find_map(|cause| match cause.downcast_ref::<rusqlite::Error>()? {
            rusqlite::Error::SqliteFailure(f, msg)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                let msg = msg.as_deref().unwrap_or("a constraint");
                Some(
                    msg.split_once("constraint failed: ")
                        .map_or(msg, |(_, rule)| rule)
                        .to_string(),
                )
            }
            _ => None,
        })
}

/// Whether SQLite stopped a `sum()` that overflowed 64 bits ("integer
/// overflow"). opweek bounds every count (`model::MAX_COUNT`), so no
/// total it recorded can; counts above the bound written by an older
/// version, or behind its back, can, and `check` names them. Mapped here,
/// once, rather than in every report's tally.
fn sum_overflowed(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(_, Some(msg))) if msg == "integer overflow"
        )
    })
}

/// The operating-system user, for `recorded_by` when neither `--user` nor
/// OPWEEK_USER is given: the login's name, else the account the process runs
/// as (cron, services and `su` may set no USER), "unknown" only if neither
/// can be found.
fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .or_else(|| whoami::username().ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constraint_sqlite_refused_is_named_as_a_rule() {
        let e = anyhow::Error::from(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(275),
            Some("CHECK constraint failed: end_date >= start_date".into()),
        ))
        .context("cannot add operation");
        assert_eq!(broken_rule(&e).as_deref(), Some("end_date >= start_date"));
        assert_eq!(broken_rule(&anyhow::anyhow!("other")), None);
    }
}
