//! Schema migrations on PostgreSQL, recorded in the one-row table
//! `opweek_schema`. Step N brings a database from version N-1 to N; the
//! steps are the files of `pg/`, append-only like SQLite's (`migrate.rs`):
//! a step that has shipped is never edited. PostgreSQL only: this file talks
//! to `postgres::Client` directly.
//!
//! The schema lives in the session's current schema (the first existing one
//! on its `search_path`, `public` by default); everything here looks there.

use postgres::error::SqlState;
use postgres::{Client, IsolationLevel, Transaction};
use thiserror::Error;

/// The steps, in order: `pg/0001_schema.sql` is the SQLite schema at its
/// version 6, built at once.
pub(crate) const PG_STEPS: &[&str] = &[include_str!("../../pg/0001_schema.sql")];

/// The newest schema version this binary knows.
pub(crate) const PG_LATEST_VERSION: i64 = PG_STEPS.len() as i64;

/// The advisory lock a migration holds for its transaction: "opweek" in
/// ASCII, then 0. Two workstations opening a fresh database at once queue
/// on it, so only one creates the schema; the other then finds it there.
/// Advisory locks are per database, so opweek databases on one server do
/// not wait for each other.
pub(crate) const MIGRATION_LOCK: i64 = 0x6F70_7765_656B_0000;

#[derive(Debug, Error)]
pub enum PgMigrateError {
    #[error("{0} is not an opweek database")]
    NotOpweek(String),
    #[error(
        "{shown} was written by a newer opweek (schema version {found}; this one knows up to {known}): upgrade opweek"
    )]
    TooNew {
        shown: String,
        found: i64,
        known: i64,
    },
    #[error(
        "the database at {shown} needs upgrading to schema version {known} (it is at {found}) \
         but this role may not change its schema: run opweek on it once as the role that owns it"
    )]
    NeedsOwner {
        shown: String,
        found: i64,
        known: i64,
    },
    #[error(
        "the database at {0} has no schema to hold opweek's tables (no schema on the search_path exists)"
    )]
    NoSchema(String),
    #[error("database error")]
    Postgres(#[from] postgres::Error),
}

/// What the current schema holds.
enum State {
    /// Nothing at all: a database opweek may create its schema in.
    Empty,
    /// An opweek schema at this version.
    Version(i64),
}

/// `name` as a quoted SQL identifier.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Reads what the current schema holds, or refuses content that is not
/// opweek's. Both facts come from one statement, so from one snapshot.
fn state(tx: &mut Transaction, shown: &str) -> Result<State, PgMigrateError> {
    // Objects of an extension (installed into `public` by a DBA, say) are
    // not content of the database's own.
    let row = tx.query_opt(
        "SELECT n.nspname::text,
                EXISTS (SELECT 1 FROM pg_class c
                        WHERE c.relnamespace = n.oid AND c.relname = 'opweek_schema'
                          AND c.relkind IN ('r', 'p')),
                (SELECT count(*) FROM pg_class c
                 WHERE c.relnamespace = n.oid
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                     AND d.deptype = 'e'))
              + (SELECT count(*) FROM pg_proc p
                 WHERE p.pronamespace = n.oid
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                   WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                     AND d.deptype = 'e'))
              + (SELECT count(*) FROM pg_type t
                 WHERE t.typnamespace = n.oid AND t.typtype IN ('d', 'e', 'r')
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                   WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                                     AND d.deptype = 'e'))
         FROM pg_namespace n WHERE n.nspname = current_schema()",
        &[],
    )?;
    let Some(row) = row else {
        return Err(PgMigrateError::NoSchema(shown.to_string()));
    };
    let (schema, versioned, objects): (String, bool, i64) = (row.get(0), row.get(1), row.get(2));
    if !versioned {
        return if objects == 0 {
            Ok(State::Empty)
        } else {
            Err(PgMigrateError::NotOpweek(shown.to_string()))
        };
    }
    let rows = tx.query(
        &format!(
            "SELECT version::bigint FROM {}.opweek_schema",
            quote_ident(&schema)
        ),
        &[],
    )?;
    match rows.as_slice() {
        [row] => Ok(State::Version(row.get(0))),
        // The step that creates the table writes its row in the same
        // transaction: an empty table is not opweek's doing.
        _ => Err(PgMigrateError::NotOpweek(shown.to_string())),
    }
}

/// The schema version, for read-only checks: `None` for an empty database
/// (no opweek schema yet, and nothing else), refusing one that holds
/// something else. Writes nothing and takes no lock.
pub(crate) fn version(client: &mut Client, shown: &str) -> Result<Option<i64>, PgMigrateError> {
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let found = match state(&mut tx, shown)? {
        State::Empty => None,
        State::Version(v) => Some(v),
    };
    tx.commit()?;
    Ok(found)
}

/// Brings the database up to `PG_LATEST_VERSION`, in one transaction: an
/// interrupted upgrade leaves the old schema intact, and a database newer
/// than this binary, or one holding something else, is refused before
/// anything is written.
pub(crate) fn migrate(client: &mut Client, shown: &str) -> Result<(), PgMigrateError> {
    migrate_with(client, shown, PG_STEPS)
}

fn migrate_with(client: &mut Client, shown: &str, steps: &[&str]) -> Result<(), PgMigrateError> {
    let latest = steps.len() as i64;
    // READ COMMITTED whatever the server's default: each statement after
    // the lock must see what a migration that held it before us committed.
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::ReadCommitted)
        .start()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    let found = match state(&mut tx, shown)? {
        State::Empty => 0,
        State::Version(v) => v,
    };
    if found > latest {
        return Err(PgMigrateError::TooNew {
            shown: shown.to_string(),
            found,
            known: latest,
        });
    }
    if found == latest {
        tx.commit()?;
        return Ok(());
    }
    let needs_owner = |e: postgres::Error| {
        if e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) {
            PgMigrateError::NeedsOwner {
                shown: shown.to_string(),
                found,
                known: latest,
            }
        } else {
            PgMigrateError::Postgres(e)
        }
    };
    for step in &steps[found as usize..] {
        tx.batch_execute(step).map_err(needs_owner)?;
    }
    let version = i32::try_from(latest).expect("a few steps");
    if tx.execute("UPDATE opweek_schema SET version = $1", &[&version])? == 0 {
        tx.execute(
            "INSERT INTO opweek_schema (version) VALUES ($1)",
            &[&version],
        )?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SHA-256 of each step that has shipped, in order. A step already run
    /// by databases in the field must never change: edit it and this test
    /// fails; add a new step instead (and its hash here once it ships).
    const SHIPPED: &[&str] = &["40cf2ce281ef50a3d02146c84a89de73320d11b8a324f959707756fe543a3b75"];

    #[test]
    fn shipped_pg_steps_are_never_edited() {
        use sha2::{Digest, Sha256};
        assert!(
            SHIPPED.len() <= PG_STEPS.len(),
            "a shipped step was removed"
        );
        for (i, (step, want)) in PG_STEPS.iter().zip(SHIPPED).enumerate() {
            // Line ends as checked out on Windows must not count as an edit.
            let got = Sha256::digest(step.replace("\r\n", "\n").as_bytes());
            let got: String = got.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(
                &got,
                want,
                "PostgreSQL migration step {} was edited after it shipped",
                i + 1
            );
        }
    }

    /// Tests against a real server, run when `OPWEEK_TEST_PG` names one
    /// (an admin connection string, e.g.
    /// `postgres://nobody@127.0.0.1:55432/postgres`); skipped otherwise.
    /// Each test creates its own database and drops it after.
    mod server {
        use std::str::FromStr;

        use postgres::{Client, Config, NoTls};

        use super::super::*;

        /// A throwaway database, dropped when the test ends (pass or fail).
        struct TempDb {
            admin: Client,
            config: Config,
            name: String,
        }

        impl TempDb {
            /// `None` when `OPWEEK_TEST_PG` is unset: the test is skipped.
            fn new() -> Option<TempDb> {
                let Ok(url) = std::env::var("OPWEEK_TEST_PG") else {
                    eprintln!("OPWEEK_TEST_PG unset: skipping a PostgreSQL test");
                    return None;
                };
                let mut config = Config::from_str(&url).expect("OPWEEK_TEST_PG parses");
                let mut admin = config.connect(NoTls).expect("connect to OPWEEK_TEST_PG");
                let name = format!("opweek_pgs_{}", uuid::Uuid::new_v4().simple());
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
                config.dbname(&name);
                Some(TempDb {
                    admin,
                    config,
                    name,
                })
            }

            fn connect(&self) -> Client {
                self.config.connect(NoTls).unwrap()
            }
        }

        impl Drop for TempDb {
            fn drop(&mut self) {
                let _ = self.admin.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        }

        fn count(client: &mut Client, sql: &str) -> i64 {
            client.query_one(sql, &[]).unwrap().get(0)
        }

        /// The database's message for an error (the server's, not the
        /// driver's "db error" wrapper).
        fn message(err: postgres::Error) -> String {
            err.as_db_error()
                .map(|e| e.message().to_string())
                .unwrap_or_else(|| err.to_string())
        }

        /// A fresh opweek database with an operation, an event and one
        /// history row (`log`, after GENESIS, hash "h1").
        fn with_history(db: &TempDb) -> Client {
            let mut c = db.connect();
            migrate(&mut c, "db").unwrap();
            c.batch_execute(
                "INSERT INTO operation (code, title, start_date, end_date, created_at)
                     VALUES ('OP1', 'Op', '2024-01-01', '2024-01-07', 'now');
                 INSERT INTO event (uuid, op_id, type_id, date, recorded_by, recorded_at)
                     VALUES (decode('0123456789abcdef0123456789abcdef', 'hex'), 1, 1, '2024-01-02', 'me', 'now');
                 INSERT INTO event_history (seq, event_id, action, changed_by, changed_at, reason, changes, prev_hash, hash)
                     VALUES (1, 1, 'log', 'me', 'now', 'new event', '{}', repeat('0', 64), 'h1');",
            )
            .unwrap();
            c
        }

        const HISTORY: &str = "INSERT INTO event_history (seq, event_id, action, changed_by, changed_at, reason, changes, prev_hash, hash)
                               VALUES ($1, 1, 'amend', 'me', 'now', 'typo', '{}', $2, $3)";

        #[test]
        fn a_fresh_database_is_migrated_once() {
            let Some(db) = TempDb::new() else { return };
            let mut c = db.connect();
            assert_eq!(version(&mut c, "db").unwrap(), None);
            migrate(&mut c, "db").unwrap();
            assert_eq!(version(&mut c, "db").unwrap(), Some(PG_LATEST_VERSION));
            assert_eq!(count(&mut c, "SELECT count(*) FROM activity_type"), 7);
            let keys: Vec<String> = c
                .query("SELECT key FROM activity_type ORDER BY position", &[])
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            assert_eq!(
                keys,
                [
                    "offender-visit",
                    "warrant",
                    "device-seizure",
                    "arrest",
                    "safeguarding-visit",
                    "victim-identified",
                    "school-session"
                ]
            );
            // Twice is a no-op: no second set of types, one version row.
            migrate(&mut c, "db").unwrap();
            assert_eq!(count(&mut c, "SELECT count(*) FROM activity_type"), 7);
            assert_eq!(count(&mut c, "SELECT count(*) FROM opweek_schema"), 1);
            assert_eq!(
                count(&mut c, "SELECT version::bigint FROM opweek_schema"),
                PG_LATEST_VERSION
            );
        }

        /// Each table's and the view's columns, in order, with whether
        /// each may be NULL, and the seeded types, as SQLite's schema at its
        /// latest version has them.
        #[test]
        fn the_schema_is_sqlites() {
            let Some(db) = TempDb::new() else { return };
            let mut c = db.connect();
            migrate(&mut c, "db").unwrap();
            let mut lite = rusqlite::Connection::open_in_memory().unwrap();
            super::super::super::migrate::migrate(&mut lite, ":memory:").unwrap();
            for table in [
                "operation",
                "activity_type",
                "event",
                "event_history",
                "disclosure",
                "events",
            ] {
                let want: Vec<(String, bool)> = lite
                    .prepare(&format!("PRAGMA table_info({table})"))
                    .unwrap()
                    .query_map([], |r| {
                        let notnull: bool = r.get(3)?;
                        let pk: i64 = r.get(5)?;
                        Ok((r.get(1)?, notnull || pk > 0))
                    })
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
                let got: Vec<(String, bool)> = c
                    .query(
                        "SELECT column_name::text, is_nullable = 'NO'
                         FROM information_schema.columns
                         WHERE table_schema = current_schema() AND table_name = $1
                         ORDER BY ordinal_position",
                        &[&table],
                    )
                    .unwrap()
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect();
                if table == "events" {
                    // A view's columns carry no NOT NULL on either side
                    // that matters; the names and order do.
                    let names = |v: &[(String, bool)]| -> Vec<String> {
                        v.iter().map(|(n, _)| n.clone()).collect()
                    };
                    assert_eq!(names(&got), names(&want), "{table}");
                } else {
                    assert_eq!(got, want, "{table}");
                }
            }
            type Seed = (i64, String, String, String, String, String, i64, i64);
            let want: Vec<Seed> = lite
                .prepare("SELECT id, key, label, noun, plural, phrase, position, retired FROM activity_type ORDER BY id")
                .unwrap()
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let got: Vec<Seed> = c
                .query(
                    "SELECT id, key, label, noun, plural, phrase, position, retired FROM activity_type ORDER BY id",
                    &[],
                )
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r.get(0),
                        r.get(1),
                        r.get(2),
                        r.get(3),
                        r.get(4),
                        r.get(5),
                        r.get(6),
                        r.get(7),
                    )
                })
                .collect();
            assert_eq!(got, want);
        }

        #[test]
        fn the_events_view_reads_as_sqlites() {
            let Some(db) = TempDb::new() else { return };
            let mut c = with_history(&db);
            c.batch_execute(
                "INSERT INTO activity_type (key, label, noun, plural, phrase, position, measure)
                     VALUES ('cash', 'Cash seized', 'pound', 'pounds', 'seized £{count}', 8, 'money'),
                            ('drugs', 'Drugs seized', 'kilogram', 'kilograms', 'seized {count}', 9, 'weight');
                 INSERT INTO event (uuid, op_id, type_id, date, recorded_by, recorded_at, value)
                     VALUES (decode('ffffffff0000111122223333444455ab', 'hex'), 1, 8, '2024-01-03', 'me', 'now', 1200005),
                            (decode('00000000000000000000000000000001', 'hex'), 1, 9, '2024-01-04', 'me', 'now', 1500);",
            )
            .unwrap();
            let rows: Vec<(String, String, Option<String>)> = c
                .query(
                    "SELECT id, type, value::text FROM events ORDER BY date",
                    &[],
                )
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect();
            assert_eq!(
                rows,
                [
                    (
                        "01234567-89ab-cdef-0123-456789abcdef".to_string(),
                        "offender-visit".to_string(),
                        None
                    ),
                    (
                        "ffffffff-0000-1111-2222-3333444455ab".to_string(),
                        "cash".to_string(),
                        Some("12000.05".to_string())
                    ),
                    (
                        "00000000-0000-0000-0000-000000000001".to_string(),
                        "drugs".to_string(),
                        Some("1.500".to_string())
                    ),
                ]
            );
            // A number, not text: it compares as one.
            assert_eq!(
                count(&mut c, "SELECT count(*) FROM events WHERE value > 100"),
                1
            );
        }

        #[test]
        fn a_newer_schema_is_refused_untouched() {
            let Some(db) = TempDb::new() else { return };
            let mut c = db.connect();
            migrate(&mut c, "db").unwrap();
            c.batch_execute("UPDATE opweek_schema SET version = 99")
                .unwrap();
            let err = migrate(&mut c, "postgres://h/db").unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "postgres://h/db was written by a newer opweek (schema version 99; \
                     this one knows up to {PG_LATEST_VERSION}): upgrade opweek"
                )
            );
            assert_eq!(
                count(&mut c, "SELECT version::bigint FROM opweek_schema"),
                99
            );
            // The read-only check reports it as it is.
            assert_eq!(version(&mut c, "db").unwrap(), Some(99));
        }

        #[test]
        fn another_programs_database_is_refused() {
            let Some(db) = TempDb::new() else { return };
            let mut c = db.connect();
            c.batch_execute("CREATE TABLE moz_places (url TEXT)")
                .unwrap();
            let err = migrate(&mut c, "postgres://h/other").unwrap_err();
            assert_eq!(
                err.to_string(),
                "postgres://h/other is not an opweek database"
            );
            assert!(matches!(
                version(&mut c, "x"),
                Err(PgMigrateError::NotOpweek(_))
            ));
            // Nothing of ours was created beside it.
            assert_eq!(
                count(
                    &mut c,
                    "SELECT count(*) FROM pg_class WHERE relname IN ('opweek_schema', 'event')"
                ),
                0
            );
        }

        #[test]
        fn opweek_tables_without_a_version_are_refused() {
            let Some(db) = TempDb::new() else { return };
            let mut c = db.connect();
            c.batch_execute("CREATE TABLE event (id BIGINT)").unwrap();
            assert!(matches!(
                migrate(&mut c, "x"),
                Err(PgMigrateError::NotOpweek(_))
            ));
        }

        #[test]
        fn a_failing_step_leaves_the_old_schema_intact() {
            let Some(db) = TempDb::new() else { return };
            let mut c = db.connect();
            migrate(&mut c, "db").unwrap();
            let mut steps = PG_STEPS.to_vec();
            steps.push("CREATE TABLE extra (x INT); SELECT no_such_function();");
            assert!(migrate_with(&mut c, "db", &steps).is_err());
            assert_eq!(version(&mut c, "db").unwrap(), Some(PG_LATEST_VERSION));
            assert_eq!(
                count(
                    &mut c,
                    "SELECT count(*) FROM pg_class WHERE relname = 'extra'"
                ),
                0
            );
        }

        #[test]
        fn history_is_append_only() {
            let Some(db) = TempDb::new() else { return };
            let mut c = with_history(&db);
            for sql in [
                "UPDATE event_history SET reason = 'edited'",
                "DELETE FROM event_history",
                "TRUNCATE event_history",
                "TRUNCATE event_history CASCADE",
            ] {
                let err = c.batch_execute(sql).unwrap_err();
                assert_eq!(message(err), "event_history is append-only", "{sql}");
            }
            assert_eq!(count(&mut c, "SELECT count(*) FROM event_history"), 1);
            let reason: String = c
                .query_one("SELECT reason FROM event_history", &[])
                .unwrap()
                .get(0);
            assert_eq!(reason, "new event");
        }

        #[test]
        fn events_are_never_deleted() {
            let Some(db) = TempDb::new() else { return };
            let mut c = with_history(&db);
            for sql in ["DELETE FROM event", "TRUNCATE event CASCADE"] {
                let err = c.batch_execute(sql).unwrap_err();
                assert_eq!(message(err), "events are voided, never deleted", "{sql}");
            }
            assert_eq!(count(&mut c, "SELECT count(*) FROM event"), 1);
        }

        #[test]
        fn the_disclosure_log_is_append_only() {
            let Some(db) = TempDb::new() else { return };
            let mut c = with_history(&db);
            c.batch_execute(
                "INSERT INTO disclosure (disclosed_at, disclosed_by, filters, rows, destination)
                 VALUES ('now', 'me', '--op OP1', 1, 'stdout')",
            )
            .unwrap();
            for sql in [
                "UPDATE disclosure SET rows = 0",
                "DELETE FROM disclosure",
                "TRUNCATE disclosure",
            ] {
                let err = c.batch_execute(sql).unwrap_err();
                assert_eq!(message(err), "the disclosure log is append-only", "{sql}");
            }
            assert_eq!(count(&mut c, "SELECT count(*) FROM disclosure"), 1);
        }

        #[test]
        fn the_chain_cannot_fork() {
            let Some(db) = TempDb::new() else { return };
            let mut c = with_history(&db);
            let fork = "the history chain cannot fork: a new entry must follow the latest one";
            // Not after the head's hash.
            let err = c
                .execute(HISTORY, &[&2i64, &"0".repeat(64), &"h2"])
                .unwrap_err();
            assert_eq!(message(err), fork);
            let err = c
                .execute(HISTORY, &[&2i64, &"elsewhere", &"h2"])
                .unwrap_err();
            assert_eq!(message(err), fork);
            // After the head, but not at a greater seq.
            let err = c.execute(HISTORY, &[&1i64, &"h1", &"h2"]).unwrap_err();
            assert_eq!(message(err), fork);
            let err = c.execute(HISTORY, &[&0i64, &"h1", &"h2"]).unwrap_err();
            assert_eq!(message(err), fork);
            // A temporary table of the same name does not fool the guard.
            c.batch_execute(
                "CREATE TEMP TABLE event_history (seq BIGINT, hash TEXT);
                 INSERT INTO event_history VALUES (7, 'fake')",
            )
            .unwrap();
            let err = c
                .execute(
                    &HISTORY.replace("INTO event_history", "INTO public.event_history"),
                    &[&8i64, &"fake", &"h2"],
                )
                .unwrap_err();
            assert_eq!(message(err), fork);
            c.batch_execute("DROP TABLE pg_temp.event_history").unwrap();
            // The right successor lands, and then the chain moves on.
            c.execute(HISTORY, &[&2i64, &"h1", &"h2"]).unwrap();
            let err = c.execute(HISTORY, &[&3i64, &"h1", &"h3"]).unwrap_err();
            assert_eq!(message(err), fork);
            c.execute(HISTORY, &[&3i64, &"h2", &"h3"]).unwrap();
            assert_eq!(count(&mut c, "SELECT count(*) FROM event_history"), 3);
        }

        #[test]
        fn two_writers_that_read_one_head_cannot_both_land() {
            // Without the write lock, both read head h1 and append after
            // it: the second waits for the first, then fails.
            let Some(db) = TempDb::new() else { return };
            let _ = with_history(&db);
            let mut a = db.connect();
            let mut b = db.connect();
            let mut ta = a.transaction().unwrap();
            ta.execute(HISTORY, &[&2i64, &"h1", &"a2"]).unwrap();
            let second = std::thread::spawn(move || {
                let mut tb = b.transaction().unwrap();
                tb.execute(HISTORY, &[&3i64, &"h1", &"b2"])
                    .map(|_| ())
                    .map_err(message)
            });
            std::thread::sleep(std::time::Duration::from_millis(300));
            ta.commit().unwrap();
            // Caught by the unique prev_hash if B read the head before A
            // committed, by the guard if after: never both rows.
            let err = second.join().unwrap().unwrap_err();
            assert!(
                err.contains("event_history_one_successor")
                    || err
                        == "the history chain cannot fork: a new entry must follow the latest one",
                "{err}"
            );
            let mut c = db.connect();
            assert_eq!(count(&mut c, "SELECT count(*) FROM event_history"), 2);
        }

        #[test]
        fn two_workstations_opening_a_fresh_database_create_one_schema() {
            let Some(db) = TempDb::new() else { return };
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    let mut c = db.connect();
                    let barrier = barrier.clone();
                    std::thread::spawn(move || {
                        barrier.wait();
                        migrate(&mut c, "db").map_err(|e| format!("{e:?}"))
                    })
                })
                .collect();
            for w in workers {
                w.join().unwrap().unwrap();
            }
            let mut c = db.connect();
            assert_eq!(version(&mut c, "db").unwrap(), Some(PG_LATEST_VERSION));
            assert_eq!(count(&mut c, "SELECT count(*) FROM opweek_schema"), 1);
            assert_eq!(count(&mut c, "SELECT count(*) FROM activity_type"), 7);
        }

        #[test]
        fn a_role_that_may_not_create_is_told_to_ask_the_owner() {
            let Some(db) = TempDb::new() else { return };
            let role = format!("{}_user", db.name);
            let mut c = db.connect();
            c.batch_execute(&format!(
                "CREATE ROLE {role} LOGIN; REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
            ))
            .unwrap();
            let mut config = db.config.clone();
            config.user(&role);
            // A server that wants a password for the new role: skip.
            let result = config
                .connect(NoTls)
                .map(|mut user| migrate(&mut user, "db"));
            drop(db);
            let mut admin = Config::from_str(&std::env::var("OPWEEK_TEST_PG").unwrap())
                .unwrap()
                .connect(NoTls)
                .unwrap();
            admin.batch_execute(&format!("DROP ROLE {role}")).unwrap();
            let Ok(result) = result else { return };
            let err = result.unwrap_err();
            assert!(
                matches!(err, PgMigrateError::NeedsOwner { found: 0, .. }),
                "{err:?}"
            );
        }
    }
}
