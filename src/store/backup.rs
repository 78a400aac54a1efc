//! Backups and restores through SQLite's online backup API: a consistent
//! copy even while other analysts are writing, never a file copy of a live
//! database.

use std::path::Path;

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};

use super::db::Conn;
use super::{create_private_file, migrate, Result, Store, StoreError};

impl Store {
    /// Writes a consistent copy of the database to `dest`, which must not
    /// exist. The copy is made in one step under one read snapshot: in WAL
    /// mode writers carry on meanwhile, and the copy never has to restart
    /// because of them.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        // A new file of our own beside the destination, renamed into place
        // when complete: a failed backup leaves nothing that looks like one.
        let mut partial = dest.as_os_str().to_owned();
        partial.push(format!(".partial-{}", std::process::id()));
        let partial = std::path::PathBuf::from(partial);
        create_private_file(&partial, true)?;
        let result = (|| -> Result<()> {
            let target = match &self.conn {
                Conn::Lite(conn) => {
                    let mut target = Connection::open(&partial)?;
                    Backup::new(conn, &mut target)?.step(-1)?;
                    target
                }
                Conn::Pg(_) => {
                    // A new SQLite database of the latest schema, filled
                    // from one snapshot of the server's.
                    let target = Store::setup(Connection::open(&partial)?, Some(partial.clone()))?;
                    super::server::copy_all(&self.conn, &target.conn)?;
                    match target.conn {
                        Conn::Lite(c) => c,
                        Conn::Pg(_) => unreachable!("setup opens SQLite"),
                    }
                }
            };
            // A backup is a single file: no WAL to carry alongside it.
            let _mode: String =
                target.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
            let ok: String = target.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
            if ok != "ok" {
                return Err(StoreError::Corrupt(format!(
                    "backup failed its check: {ok}"
                )));
            }
            drop(target);
            std::fs::rename(&partial, dest).map_err(|source| StoreError::Create {
                path: dest.display().to_string(),
                source,
            })?;
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        result
    }

    /// Replaces this database's content with a checked backup's, in one
    /// step (the backup API writes the pages under one lock), then brings an
    /// older backup's schema up to date.
    pub fn restore_from(&mut self, source: &BackupFile) -> Result<()> {
        let shown = self.display_path();
        match (&mut self.conn, &source.store.conn) {
            (Conn::Lite(conn), Conn::Lite(from)) => {
                Backup::new(from, conn)?.step(-1)?;
                migrate::migrate(conn, &shown)?;
                Ok(())
            }
            (Conn::Pg(_), _) => super::server::restore_into(&self.conn, &source.store.conn, &shown),
            (Conn::Lite(_), Conn::Pg(_)) => Err(StoreError::Corrupt(
                "a backup is a SQLite file, not a server".into(),
            )),
        }
    }
}

/// A backup opened read-only and checked to be a sound opweek database this
/// binary can read: checked before the database it would replace is opened
/// (or created), so a wrong file changes nothing. A backup from an older
/// schema is copied into memory and brought up to date there (the file is
/// never written), so that `store()` can be checked as `check` checks a
/// database before anything is restored.
pub struct BackupFile {
    store: Store,
}

impl BackupFile {
    pub fn open(src: &Path) -> Result<BackupFile> {
        let not_opweek = || StoreError::NotOpweek(src.display().to_string());
        let conn = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        // A file that is not SQLite at all fails at its first read.
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|_| not_opweek())?;
        let is_opweek: bool = conn.query_row(
            "SELECT count(*) = 4 FROM sqlite_schema WHERE type = 'table'
             AND name IN ('operation', 'activity_type', 'event', 'event_history')",
            [],
            |r| r.get(0),
        )?;
        if version < 1 || !is_opweek {
            return Err(not_opweek());
        }
        if version > migrate::LATEST_VERSION {
            return Err(StoreError::TooNew {
                path: src.display().to_string(),
                found: version,
                known: migrate::LATEST_VERSION,
            });
        }
        let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if ok != "ok" {
            return Err(StoreError::Corrupt(format!(
                "{} fails its integrity check: {ok}",
                src.display()
            )));
        }
        let mut store = if version == migrate::LATEST_VERSION {
            Store {
                conn: Conn::Lite(conn),
                path: None,
                server: None,
                actor: "unknown".to_string(),
                journal: String::new(),
            }
        } else {
            let mut copy = Connection::open_in_memory()?;
            Backup::new(&conn, &mut copy)?.step(-1)?;
            Store::setup(copy, None)?
        };
        store.path = Some(src.to_path_buf());
        Ok(BackupFile { store })
    }

    /// The backup as a store, to check it before restoring it.
    pub fn store(&self) -> &Store {
        &self.store
    }
}
