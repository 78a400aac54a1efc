//! Schema migrations under `PRAGMA user_version`. Step N brings a database
//! from version N-1 to N. The list is append-only: a step that has shipped is
//! never edited, because databases in the field already ran it.

use rusqlite::{Connection, TransactionBehavior};

use super::{Result, StoreError};

/// The steps, in order. `schema.sql` is step 1; later steps are the files
/// of `migrations/`, numbered as their step.
const MIGRATIONS: &[&str] = &[
    include_str!("../../schema.sql"),
    // The covering index the tallies and `op list` read.
    include_str!("../../migrations/0002_indexes.sql"),
    // Operation and type changes, sign-offs and reopenings in the chain.
    include_str!("../../migrations/0003_chain_everything.sql"),
    // Money and weight on types and events.
    include_str!("../../migrations/0004_measures.sql"),
    // A type pack added is one history entry (`type-pack-add`).
    include_str!("../../migrations/0005_pack_action.sql"),
    // The shell's `events` view gives values as numbers.
    include_str!("../../migrations/0006_events_view_numbers.sql"),
];

pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Refuses, before anything is written, a database this binary must not
/// touch: one from a newer opweek, or another program's (tables but no
/// opweek version: `--db` pointed at the wrong file).
pub fn check(conn: &Connection, path: &str) -> Result<()> {
    // One statement, so one read snapshot: read apart, another process's
    // migration could commit in between, showing tables at version 0.
    let (version, tables): (i64, i64) = conn.query_row(
        "SELECT (SELECT user_version FROM pragma_user_version),
                (SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\')",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if version > LATEST_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_string(),
            found: version,
            known: LATEST_VERSION,
        });
    }
    if version == 0 && tables > 0 {
        return Err(StoreError::NotOpweek(path.to_string()));
    }
    Ok(())
}

/// Brings the database up to `LATEST_VERSION`. All pending steps run in one
/// transaction, so an interrupted upgrade leaves the old schema intact; a
/// database newer than this binary is refused before anything is written.
pub fn migrate(conn: &mut Connection, path: &str) -> Result<()> {
    migrate_with(conn, path, MIGRATIONS)
}

fn migrate_with(conn: &mut Connection, path: &str, migrations: &[&str]) -> Result<()> {
    let latest = migrations.len() as i64;
    let too_new = |found| StoreError::TooNew {
        path: path.to_string(),
        found,
        known: latest,
    };
    let version = user_version(conn)?;
    if version > latest {
        return Err(too_new(version));
    }
    if version == latest {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have migrated while we waited for the lock.
    let version = user_version(&tx)?;
    if version > latest {
        return Err(too_new(version));
    }
    for (i, step) in migrations.iter().enumerate().skip(version as usize) {
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
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
    const SHIPPED: &[&str] = &["29ab4bcaea600a38fd180c9989255cb3ccc46662793e75f8b1c4e4097d9667c7"];

    #[test]
    fn shipped_steps_are_never_edited() {
        use sha2::{Digest, Sha256};
        assert!(
            SHIPPED.len() <= MIGRATIONS.len(),
            "a shipped step was removed"
        );
        for (i, (step, want)) in MIGRATIONS.iter().zip(SHIPPED).enumerate() {
            // Line ends as checked out on Windows must not count as an edit.
            let got = Sha256::digest(step.replace("\r\n", "\n").as_bytes());
            let got: String = got.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(
                &got,
                want,
                "migration step {} was edited after it shipped",
                i + 1
            );
        }
    }

    #[test]
    fn fresh_database_reaches_latest_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, ":memory:").unwrap();
        assert_eq!(user_version(&conn).unwrap(), LATEST_VERSION);
        migrate(&mut conn, ":memory:").unwrap();
        let types: i64 = conn
            .query_row("SELECT count(*) FROM activity_type", [], |r| r.get(0))
            .unwrap();
        assert_eq!(types, 7);
    }

    #[test]
    fn a_failing_step_leaves_the_old_schema_intact() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, ":memory:").unwrap();
        let mut steps = MIGRATIONS.to_vec();
        steps.push("CREATE TABLE extra (x); SELECT no_such_function();");
        assert!(migrate_with(&mut conn, ":memory:", &steps).is_err());
        assert_eq!(user_version(&conn).unwrap(), LATEST_VERSION);
        let extra: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'extra'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(extra, 0);
    }

    #[test]
    fn another_programs_database_is_refused() {
        let conn = Connection::open_in_memory().unwrap();
        check(&conn, "x.db").unwrap();
        conn.execute_batch("CREATE TABLE moz_places (url TEXT)")
            .unwrap();
        let err = check(&conn, "x.db").unwrap_err();
        assert_eq!(err.to_string(), "x.db is not an opweek database");
    }

    #[test]
    fn newer_database_is_refused_untouched() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
            .unwrap();
        let err = migrate(&mut conn, "x.db").unwrap_err();
        assert!(err.to_string().contains("newer opweek"), "{err}");
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 0);
    }
}
