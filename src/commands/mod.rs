//! One module per subcommand, each the same shape: an `Args` (or `Command`)
//! struct of its flags, a `run` function from those arguments to store calls
//! and rendered output, and small helpers. Commands write results to the
//! `out` they are given and return errors; `main` decides what reaches the
//! terminal and with which exit status.

pub mod amend;
pub mod audit;
pub mod backup;
pub mod check;
pub mod completions;
pub mod correct;
pub mod demo;
pub mod disclose;
pub mod export;
pub mod import;
pub mod list;
pub mod log;
pub mod man;
pub mod op;
pub mod outfile;
pub mod packs;
pub mod report;
pub mod show;
pub mod types;
pub mod void;

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use chrono::NaiveDate;

use crate::store::{Access, Store, StoreError};

/// What every command may need besides its own arguments, resolved once in
/// `main`: nothing here is read from the environment by a command itself.
#[derive(Debug, Clone)]
pub struct Context {
    pub db: PathBuf,
    pub today: NaiveDate,
    pub user: String,
}

impl Context {
    /// Opens the database to change it: `open_as(Access::Write)`. It never
    /// creates one; a command that records something new (and so may
    /// create the database) or only reads says so with `open_as`.
    pub fn open(&self) -> Result<Store> {
        self.open_as(Access::Write)
    }

    /// Opens the database for what the command declares it does (see
    /// `store::Access`): only `Access::Create` creates a missing database;
    /// `Access::Read` works on one the user may only read.
    pub fn open_as(&self, access: Access) -> Result<Store> {
        if let Some(fs) = crate::store::network_filesystem(&self.db) {
            eprintln!(
                "warning: {} is on a network filesystem ({fs}); SQLite's locking is not safe there, \
                 so several people writing at once can corrupt it: keep the database on a local disk",
                self.db.display()
            );
        }
        let mut store = match Store::open_with(&self.db, access) {
            Ok(store) => store,
            // These name the path and say what to do already.
            Err(
                e @ (StoreError::Missing(_)
                | StoreError::ReadOnly { .. }
                | StoreError::ReadOnlyNeedsUpgrade { .. }),
            ) => return Err(e.into()),
            Err(e) => {
                return Err(anyhow::Error::from(e)).with_context(|| {
                    format!(
                        "cannot open database {}",
                        crate::store::display_name(&self.db)
                    )
                })
            }
        };
        // A database opened read-only keeps whatever journal its owner set.
        let warning = (!store.is_read_only())
            .then(|| journal_warning(&self.db, store.journal_mode()))
            .flatten();
        if let Some(warning) = warning {
            eprintln!("{warning}");
        }
        store.set_actor(&self.user);
        Ok(store)
    }
}

/// A warning when SQLite would not put the database at `db` in WAL mode: it
/// still works, durably, but readers wait for writers, and the usual cause
/// is a filesystem that cannot share memory between processes.
fn journal_warning(db: &std::path::Path, mode: &str) -> Option<String> {
    (!mode.eq_ignore_ascii_case("wal")).then(|| {
        format!(
            "warning: SQLite could not switch {} to WAL journaling (it kept {mode:?}), \
             so reports wait while someone writes; the filesystem may not support it: \
             keep the database on a local disk",
            db.display()
        )
    })
}

/// Whether `e` is a broken pipe (`opweek export | head` closed early): the
/// reader's choice, not a failure.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    // A pipe broken under the database (a server connection lost) is a
    // failure: only causes outside the store's errors are the reader's.
    e.chain()
        .take_while(|cause| {
            !(cause.is::<StoreError>()
                || cause.is::<crate::import::ImportError>()
                || cause.is::<postgres::Error>())
        })
        .any(|cause| {
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                return io.kind() == std::io::ErrorKind::BrokenPipe;
            }
            if let Some(csv) = cause.downcast_ref::<csv::Error>() {
                if let csv::ErrorKind::Io(io) = csv.kind() {
                    return io.kind() == std::io::ErrorKind::BrokenPipe;
                }
            }
            false
        })
}

/// opweek's folder in the platform's data directory (e.g.
/// ~/.local/share/opweek), or the current directory where there is none.
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .map(|d| d.join("opweek"))
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_not_in_wal_mode_is_warned_about() {
        let db = std::path::Path::new("/mnt/share/week.db");
        assert_eq!(journal_warning(db, "wal"), None);
        assert_eq!(
            journal_warning(db, "delete").as_deref(),
            Some(
                "warning: SQLite could not switch /mnt/share/week.db to WAL journaling \
                 (it kept \"delete\"), so reports wait while someone writes; the filesystem \
                 may not support it: keep the database on a local disk"
            )
        );
    }
}
