//! The database: the only module that holds SQL. `Store` owns one SQLite
//! connection, configured for safe concurrent use; the submodules add its
//! typed queries, one file per kind of record. Nothing here prints: results
//! and errors go back to the caller as values.

mod backup;
mod db;
mod disclosure;
mod events;
mod history;
mod import;
mod migrate;
mod names;
mod operations;
mod packs;
mod pgconn;
mod pgmigrate;
mod rows;
mod server;
mod signoff;
mod static_bind;
mod tally;
mod types;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use thiserror::Error;
use uuid::Uuid;

use db::{Conn, Tx};

pub use backup::BackupFile;
pub use disclosure::Disclosure;
pub use events::EventFilter;
pub use history::Change;
pub use import::{EarlierImport, Importer, Outcome};
pub use migrate::LATEST_VERSION;
pub use operations::{operation_changes, OperationSummary};
pub use packs::{MeasureConflict, PackAdded};
pub use pgconn::{ConnectError, Target, MIN_SERVER_VERSION};
pub use signoff::SignOff;
pub use tally::{SharedRow, TallyQuery, TallyRow};

/// What the store refuses or fails at. The user-facing variants name the
/// value and what to do; `Sqlite` carries the database's own message.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("unknown operation {0:?} (see `opweek op list`)")]
    UnknownOperation(String),
    #[error("operation {0:?} already exists (codes are unique; see `opweek op show {0}`)")]
    DuplicateOperation(String),
    #[error("unknown activity type {0:?} (see `opweek type list`)")]
    UnknownType(String),
    /// A code the user typed that names no operation, with the nearest
    /// stored one (`Store::unknown_operation`).
    #[error("unknown operation {code:?} {}", crate::suggest::hint(.suggestion.as_deref(), "opweek op list"))]
    NoSuchOperation {
        code: String,
        suggestion: Option<String>,
    },
    /// A key the user typed that names no activity type, with the nearest
    /// one (`Store::unknown_type`).
    #[error("unknown activity type {key:?} {}", crate::suggest::hint(.suggestion.as_deref(), "opweek type list"))]
    NoSuchType {
        key: String,
        suggestion: Option<String>,
    },
    #[error("activity type {0:?} already exists (see `opweek type list`)")]
    DuplicateType(String),
    #[error("activity type {key:?} measures {measure} and its events carry values: its measure cannot be changed or removed")]
    MeasureInUse { key: String, measure: String },
    #[error("no event with id {0} (see `opweek list`)")]
    UnknownEvent(Uuid),
    #[error("no event id starts or ends with {0} (see `opweek list`)")]
    UnknownEventPart(String),
    #[error("several event ids start or end with {0}: give more of the id")]
    AmbiguousEvent(String),
    #[error("an event with id {0} is already stored")]
    DuplicateEvent(Uuid),
    #[error("no operations recorded yet (add one with `opweek op add`)")]
    NoOperations,
    #[error("unknown campaign {0:?}: no operation belongs to it (see `opweek op list`)")]
    UnknownCampaign(String),
    #[error(
        "{path} was written by a newer opweek (schema version {found}; this one knows up to {known}): upgrade opweek"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    // The cause (`source`) follows in the printed chain; naming it here too
    // printed it twice ("Is a directory: Is a directory").
    #[error("cannot create {path}")]
    Create {
        path: String,
        source: std::io::Error,
    },
    /// The server connection asked for while an import's rows stream
    /// over it: a statement out of turn in opweek itself.
    #[error("the server connection is busy streaming an import's rows (an opweek bug: please report it)")]
    InUse,
    #[error("cannot remove {path}")]
    Remove {
        path: String,
        source: std::io::Error,
    },
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database error")]
    Postgres(#[from] postgres::Error),
    #[error("{0}")]
    Conflict(String),
    #[error("{0} is not an opweek database")]
    NotOpweek(String),
    #[error("{0} already holds records, and a server database's records are never deleted: use an empty database")]
    NeverEmptied(String),
    /// Sending rows to the server failed (its connection lost): the
    /// transaction they were part of is rolled back by the server.
    #[error("sending rows to the server failed ({0}); nothing was written")]
    Sending(std::io::Error),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Connect(#[from] pgconn::ConnectError),
    #[error(transparent)]
    ServerSchema(#[from] pgmigrate::PgMigrateError),
    // Contract wording: a mistyped `--db` must never look like an empty week.
    #[error("no opweek database at {0}")]
    Missing(String),
    #[error(
        "the database at {path} is read-only ({why}): it can be read (report, list, show, check) \
         but not changed; ask whoever owns it for write access"
    )]
    ReadOnly { path: String, why: String },
    #[error(
        "the database at {path} needs upgrading to schema version {known} (it is at {found}) \
         but is read-only: run any opweek command on it once as a user who may write it"
    )]
    ReadOnlyNeedsUpgrade {
        path: String,
        found: i64,
        known: i64,
    },
    #[error(
        "operation {code} was signed off by {by} at {at}: its figures cannot change \
         (to change them, first `opweek op reopen {code} --reason TEXT`)"
    )]
    SignedOff {
        code: String,
        by: String,
        at: String,
    },
    #[error(
        "the file has rows for signed-off operations: {0}; nothing was imported \
         (to change their figures, first `opweek op reopen CODE --reason TEXT`)"
    )]
    SignedOffImport(String),
    #[error(
        "activity type {key:?} is counted in operation {code}, which was signed off by {by} at {at}: \
         changing its words would change the signed briefing (first `opweek op reopen {code} --reason TEXT`)"
    )]
    SignedOffType {
        key: String,
        code: String,
        by: String,
        at: String,
    },
}

/// The server scheme `path` starts with, if it is a database URL rather
/// than a file name.
pub fn server_scheme(path: &Path) -> Option<&'static str> {
    let text = path.to_string_lossy();
    ["postgres", "postgresql"]
        .into_iter()
        .find(|s| text.starts_with(&format!("{s}://")))
}

/// The database named by `--db` as messages show it: a file's path, or a
/// server URL without its password (`postgres://USER@HOST:PORT/DB`).
pub fn display_name(db: &Path) -> String {
    if server_scheme(db).is_some() {
        return match pgconn::Target::parse(&db.to_string_lossy()) {
            Ok(t) => t.shown(),
            Err(_) => format!("{}://…", server_scheme(db).unwrap_or("postgres")),
        };
    }
    db.display().to_string()
}

/// What a command means to do with the database, declared by each command
/// when it opens the store. Only commands that record something may create
/// a database: anything else on a missing path fails with
/// `StoreError::Missing` and creates nothing (no file, no directory), so a
/// mistyped `--db` never looks like an empty week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only reads. Works on a database the user may only read (file mode
    /// 0400, or a read-only directory): then it is opened read-only.
    Read,
    /// Changes an existing database; never creates one. A read-only
    /// database is refused with `StoreError::ReadOnly` before anything is
    /// attempted.
    Write,
    /// Records something (`op add`, `type add`, `log`, `import`, `restore`,
    /// `demo`): creates the database, and its directory, when there is none.
    Create,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How long a command waits for another analyst's write to finish before it
/// gives up. Writes are short, so a few seconds' queue is normal on a shared
/// workstation; a minute means something is stuck.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Store {
    conn: Conn,
    path: Option<PathBuf>,
    /// A server database's name as shown (`postgres://USER@HOST:PORT/DB`,
    /// never a password).
    server: Option<String>,
    /// Who the history names for the events this store records (`log`,
    /// `import`); corrections name theirs in their `Change`.
    actor: String,
    /// The journal mode SQLite actually uses: "wal" unless the filesystem
    /// refused it (then the caller warns; see `journal_mode`).
    journal: String,
}

/// `PRAGMA journal_mode = WAL`, retried while another process holds the
/// lock it needs. SQLite answers SQLITE_BUSY here at once, without waiting
/// in its busy handler, when several processes open a new database together
/// (one in eight first opens failed so, in a test run); any other error,
/// or still busy after `BUSY_TIMEOUT`, is returned.
fn switch_to_wal(conn: &Connection) -> Result<String> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return Ok(other?),
        }
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its
    /// schema up to date: `open_with(path, Access::Create)`.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, Access::Create)
    }

    /// Opens the database at `path` for what the command means to do (see
    /// `Access`) and brings its schema up to date when it may be written.
    pub fn open_with(path: &Path, access: Access) -> Result<Store> {
        // A server URL is not a file name: refused before anything is made
        // of it (`op add` would otherwise create a directory `postgres:`).
        // Only the scheme is named, never the rest, which may hold a
        // password.
        if server_scheme(path).is_some() {
            return Store::open_server(&path.to_string_lossy(), access);
        }
        let shown = || path.display().to_string();
        if std::fs::symlink_metadata(path).is_err() {
            if access != Access::Create {
                return Err(StoreError::Missing(shown()));
            }
            create_private_file(path, false)?;
        }
        match (read_only_reason(path), access) {
            (None, _) => {}
            (Some(_), Access::Read) => return Store::open_read_only(path),
            (Some(why), _) => {
                return Err(StoreError::ReadOnly {
                    path: shown(),
                    why: why.to_string(),
                })
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Store::setup(conn, Some(path.to_path_buf()))
    }

    /// A database this user may only read, opened read-only: nothing is
    /// switched or migrated, and nothing is created beside it. In WAL mode
    /// SQLite needs the shared-memory file (`-shm`); a reader that created
    /// it (and an empty `-wal`) would leave files the owner may not be able
    /// to write, breaking the owner's next change. So the files are used
    /// when the owner's connections left them; otherwise the database is
    /// read as immutable, which is exact since no write-ahead log holds
    /// changes not yet in the main file (a log without its `-shm` is
    /// refused, plainly, rather than read without it).
    fn open_read_only(path: &Path) -> Result<Store> {
        let shown = path.display().to_string();
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let wal = journal_file(path, "-wal").metadata().ok();
        let conn = if wal.is_some() && journal_file(path, "-shm").exists() {
            Connection::open_with_flags(path, flags)?
        } else if wal.is_some_and(|m| m.len() > 0) {
            return Err(StoreError::ReadOnly {
                path: shown,
                why: "and its write-ahead log cannot be read without creating its -shm file: \
                      ask its owner to run any opweek command on it, which folds the log in"
                    .into(),
            });
        } else {
            let uri = format!("file:{}?immutable=1", uri_path(path));
            Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)?
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        migrate::check(&conn, &shown)?;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found < migrate::LATEST_VERSION {
            return Err(StoreError::ReadOnlyNeedsUpgrade {
                path: shown,
                found,
                known: migrate::LATEST_VERSION,
            });
        }
        let journal = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        Ok(Store {
            conn: Conn::Lite(conn),
            path: Some(path.to_path_buf()),
            server: None,
            actor: "unknown".to_string(),
            journal,
        })
    }

    /// The database on a PostgreSQL server at `url`: connected as libpq
    /// would (passwords from the URL, PGPASSWORD or ~/.pgpass; TLS by
    /// `sslmode`), its schema created or brought up to date in one
    /// transaction. Only a command that records something creates the
    /// schema: any other finds no opweek database in a server database
    /// opweek has never written, as on a missing file.
    fn open_server(url: &str, access: Access) -> Result<Store> {
        let target = pgconn::Target::parse(url)?;
        let shown = target.shown();
        let mut client = target.connect()?;
        // A writer waits for another's write as long as on a file
        // (`BUSY_TIMEOUT`), then gives up rather than hang.
        client.batch_execute(&format!("SET lock_timeout = '{}s'", BUSY_TIMEOUT.as_secs()))?;
        // One read of the version; the migration (under its lock, where it
        // looks again) only when there is something to do.
        match pgmigrate::version(&mut client, &shown)? {
            None if access != Access::Create => return Err(StoreError::Missing(shown)),
            Some(v) if v == pgmigrate::PG_LATEST_VERSION => {}
            _ => pgmigrate::migrate(&mut client, &shown)?,
        }
        Ok(Store {
            conn: Conn::Pg(Box::new(db::PgConn::new(client))),
            path: None,
            server: Some(shown),
            actor: "unknown".to_string(),
            // The server keeps its own write-ahead log: readers never wait.
            journal: "wal".to_string(),
        })
    }

    /// A private database in memory, for tests.
    pub fn open_in_memory() -> Result<Store> {
        Store::setup(Connection::open_in_memory()?, None)
    }

    fn setup(mut conn: Connection, path: Option<PathBuf>) -> Result<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let shown = match &path {
            Some(p) => p.display().to_string(),
            None => ":memory:".to_string(),
        };
        // Look before changing anything: a database from a newer opweek, or
        // another program's, is refused with its file byte for byte as it
        // was (switching it to WAL would already rewrite its header).
        migrate::check(&conn, &shown)?;
        // journal_mode cannot change inside a transaction, so it is set
        // before the migration's. WAL lets readers go on while one analyst
        // writes; FULL makes a commit durable before the command reports
        // success.
        // SQLite answers with the mode it kept when it cannot switch (a
        // filesystem without the shared memory WAL needs); that is kept
        // for the caller to report rather than failing every command.
        let journal = switch_to_wal(&conn)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate::migrate(&mut conn, &shown)?;
        Ok(Store {
            conn: Conn::Lite(conn),
            path,
            server: None,
            actor: "unknown".to_string(),
            journal,
        })
    }

    /// The same database with nothing in it: a file is removed (with its
    /// journal files) and made again. A server database's records are never
    /// deleted (its triggers refuse it): refused.
    pub fn emptied(self) -> Result<Store> {
        let path = match (&self.conn, &self.path) {
            (Conn::Lite(_), Some(path)) => path.clone(),
            _ => return Err(StoreError::NeverEmptied(self.display_path())),
        };
        drop(self);
        for suffix in ["", "-wal", "-shm"] {
            let file = journal_file(&path, suffix);
            match std::fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(StoreError::Remove {
                        path: file.display().to_string(),
                        source: e,
                    })
                }
                _ => {}
            }
        }
        Store::open(&path)
    }

    /// The journal mode in use, in SQLite's words ("wal", or the mode it
    /// kept: "delete", "memory", ...). Anything but "wal" on a file means
    /// readers wait while someone writes.
    pub fn journal_mode(&self) -> &str {
        &self.journal
    }

    /// Whether the database was opened read-only (`Access::Read` on a
    /// database this user may not write).
    pub fn is_read_only(&self) -> bool {
        self.conn
            .lite()
            .is_some_and(|c| c.is_readonly(rusqlite::MAIN_DB).unwrap_or(false))
    }

    /// Names who is recording, for the history rows of new events.
    pub fn set_actor(&mut self, who: &str) {
        self.actor = who.to_string();
    }

    pub fn display_path(&self) -> String {
        if let Some(server) = &self.server {
            return server.clone();
        }
        match &self.path {
            Some(p) => p.display().to_string(),
            None => ":memory:".to_string(),
        }
    }

    /// A write transaction that takes the write lock at the start, so two
    /// writers queue on the busy timeout instead of failing with SQLITE_BUSY
    /// when a read lock would have to be upgraded.
    fn write(&mut self) -> Result<Tx<'_>> {
        self.conn.begin_write()
    }
}

/// Why this user cannot write the database at `path` (which exists), or
/// `None` when they can: its file is not writable, or its directory is not
/// and the journal files SQLite needs beside it are missing.
fn read_only_reason(path: &Path) -> Option<&'static str> {
    use rustix::fs::{accessat, Access as Mode, AtFlags, CWD};
    let writable = |p: &Path| accessat(CWD, p, Mode::WRITE_OK, AtFlags::EACCESS).is_ok();
    if !writable(path) {
        return Some("you cannot write its file");
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let journals = ["-wal", "-shm"]
        .iter()
        .all(|s| writable(&journal_file(path, s)));
    if !writable(dir) && !journals {
        return Some("you cannot create files in its directory, where SQLite keeps its journal");
    }
    None
}

/// The database's journal file with this suffix (`-wal`, `-shm`).
pub(crate) fn journal_file(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// A path as the path part of an SQLite `file:` URI: every byte outside
/// the unreserved set and `/` percent-encoded (SQLite decodes them all).
fn uri_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Creates the database file readable by its owner only before SQLite opens
/// it: SQLite would create it 0644, and its WAL and shared-memory files copy
/// the main file's mode. With `new`, the file must not exist yet.
pub(crate) fn create_private_file(path: &Path, new: bool) -> Result<()> {
    let err = |source| StoreError::Create {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if new {
        options.create_new(true);
    } else {
        options.create(true).truncate(false);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(err)?;
    Ok(())
}

/// Why a database at `path` is at risk on its filesystem: SQLite's locking
/// is not reliable on network filesystems, so several analysts writing
/// through NFS or SMB can corrupt it. `None` when the filesystem is local
/// (or cannot be told).
pub fn network_filesystem(path: &Path) -> Option<&'static str> {
    filesystem_magic(path).and_then(filesystem_name)
}

/// The statfs `f_type` of the filesystem that holds, or will hold, the
/// database at `path`. Its directory may not exist yet (`open` creates
/// it): a new directory lies on its nearest existing ancestor's
/// filesystem, so that is the one asked.
fn filesystem_magic(path: &Path) -> Option<i64> {
    #[cfg(target_os = "linux")]
    {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let st = dir
            .ancestors()
            .filter(|d| !d.as_os_str().is_empty())
            .find_map(|d| rustix::fs::statfs(d).ok())
            .or_else(|| rustix::fs::statfs(".").ok())?;
        // f_type's width differs between targets.
        #[allow(clippy::unnecessary_cast)]
        Some(st.f_type as i64)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        None
    }
}

/// Names the network filesystems among statfs `f_type` magic numbers.
pub fn filesystem_name(magic: i64) -> Option<&'static str> {
    match magic {
        0x6969 => Some("NFS"),
        0x517B => Some("SMB"),
        0xFF53_4D42 => Some("CIFS"),
        0xFE53_4D42 => Some("SMB2"),
        0x0102_1997 => Some("9P"),
        _ => None,
    }
}

/// Current time in UTC, as stored in `recorded_at` and history rows.
pub fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_sets_wal_full_sync_foreign_keys_and_a_busy_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("x.db")).unwrap();
        let pragma = |name: &str| -> String {
            store
                .conn
                .lite()
                .unwrap()
                .query_row(&format!("PRAGMA {name}"), [], |r| {
                    r.get::<_, rusqlite::types::Value>(0)
                })
                .map(|v| format!("{v:?}"))
                .unwrap()
        };
        assert_eq!(pragma("journal_mode"), r#"Text("wal")"#);
        assert_eq!(store.journal_mode(), "wal");
        // Where SQLite keeps another mode, the store says which.
        assert_eq!(Store::open_in_memory().unwrap().journal_mode(), "memory");
        assert_eq!(pragma("synchronous"), "Integer(2)"); // FULL
        assert_eq!(pragma("foreign_keys"), "Integer(1)");
        assert_eq!(pragma("busy_timeout"), "Integer(60000)");
    }

    #[test]
    fn network_filesystems_are_named() {
        assert_eq!(filesystem_name(0x6969), Some("NFS"));
        assert_eq!(filesystem_name(0xFF53_4D42), Some("CIFS"));
        assert_eq!(filesystem_name(0xEF53), None); // ext4
                                                   // The test's own temporary directory is local.
        assert_eq!(network_filesystem(&std::env::temp_dir().join("x.db")), None);
    }

    /// `open` creates a missing directory, so the check, made before it,
    /// must still find the filesystem the database is going to live on.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_database_in_a_new_directory_is_checked_too() {
        let dir = tempfile::tempdir().unwrap();
        let existing = filesystem_magic(&dir.path().join("x.db"));
        assert!(existing.is_some());
        let new = dir.path().join("not/yet/made/x.db");
        assert_eq!(filesystem_magic(&new), existing);
        assert_eq!(
            filesystem_magic(Path::new("x.db")),
            filesystem_magic(Path::new("./y.db"))
        );
    }
}
