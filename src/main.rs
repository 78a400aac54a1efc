//! The `opweek` binary: parse the command line, resolve the context (database
//! path, today, who is recording), run the command, and turn the outcome
//! into an exit status. Exit 0 on success, 1 on an error the user can fix,
//! 2 on a usage mistake (clap's own).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

use opweek::cli::Cli;
use opweek::commands::{self, Context};

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // The whole chain on one line: "error: cannot open database x:
            // database error: ...".
            let _ = out.flush();
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            return io.kind() == io::ErrorKind::BrokenPipe;
        }
        if let Some(csv) = cause.downcast_ref::<csv::Error>() {
            if let csv::ErrorKind::Io(io) = csv.kind() {
                return io.kind() == io::ErrorKind::BrokenPipe;
            }
        }
        false
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
