//! The bulk load into a server database (issue 14, "fast bulk paths"): an
//! import into an empty event table drops the table's foreign keys and
//! secondary indexes for the load when the role owns the table, and puts
//! them back, checked, before it commits; a role that does not own it (the
//! day-to-day role of least privileges, pg/0001_schema.sql) loads through
//! them as they are. These need a server (OPWEEK_TEST_PG); without one each
//! returns at once.

use std::path::Path;

use assert_cmd::Command;

use crate::env::TestEnv;

/// The event table's foreign keys and indexes, as the server describes them.
fn keys_and_indexes(env: &TestEnv) -> Vec<Vec<String>> {
    let mut rows = env.query(
        "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint
         WHERE conrelid = 'event'::regclass AND contype = 'f' ORDER BY conname",
    );
    rows.extend(env.query(
        "SELECT indexname::text, indexdef FROM pg_indexes
         WHERE tablename = 'event' ORDER BY indexname",
    ));
    rows
}

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/nov2017-merseyside.csv")
        .to_str()
        .expect("utf-8 path")
        .to_string()
}

#[test]
fn a_bulk_load_into_an_empty_server_table_puts_its_keys_and_indexes_back() {
    let Some(env) = TestEnv::on_server() else {
        return;
    };
    env.reference_op();
    let before = keys_and_indexes(&env);
    assert_eq!(
        before
            .iter()
            .filter(|r| r[1].starts_with("FOREIGN KEY"))
            .count(),
        2,
        "{before:?}"
    );
    let err = env.ok_stderr(&["import", &example()]);
    assert!(err.contains("imported 107 events"), "{err}");
    assert_eq!(keys_and_indexes(&env), before);
    // The keys are enforced again, not merely listed.
    let url = env.db.to_str().expect("utf-8 url");
    let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    let refused = c
        .execute(
            "INSERT INTO event (uuid, op_id, type_id, date, recorded_by, recorded_at)
             SELECT '\\x000102030405060708090a0b0c0d0e0f'::bytea, max(id) + 1, 1,
                    '2017-11-13', 'x', 'x' FROM operation",
            &[],
        )
        .expect_err("an event of an operation that does not exist");
    assert_eq!(
        refused.as_db_error().and_then(|e| e.constraint()),
        Some("event_op_id_fkey"),
        "{refused:?}"
    );
    assert!(env.ok(&["check"]).contains("integrity: ok"));
    assert_eq!(env.query("SELECT count(*) FROM event"), [["107"]]);
}

#[test]
fn a_refused_bulk_load_leaves_the_keys_and_indexes_as_they_were() {
    let Some(env) = TestEnv::on_server() else {
        return;
    };
    env.reference_op();
    // Refused at the end of the load, after the rows went in with the keys
    // dropped: events in a signed-off operation.
    env.ok(&["op", "sign-off", "nov17-mersey"]);
    let before = keys_and_indexes(&env);
    let snapshot = env.snapshot();
    let err = env.fails(1, &["import", &example()]);
    assert!(err.contains("signed off"), "{err}");
    assert_eq!(keys_and_indexes(&env), before);
    assert_eq!(env.snapshot(), snapshot);
}

/// The role the schema's comment describes for everyone's opweek: it owns
/// nothing, so it cannot drop an index or a key, and its import into an
/// empty database must still work (it failed with "must be owner of index
/// event_op_tally" before the load asked who owns the table).
#[test]
fn the_day_to_day_role_imports_into_an_empty_server_database() {
    let Some(env) = TestEnv::on_server() else {
        return;
    };
    env.reference_op();
    let url = env.db.to_str().expect("utf-8 url").to_string();
    let dbname = url.rsplit('/').next().expect("a database name").to_string();
    let role = format!("{dbname}_user");
    let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    c.batch_execute(&format!(
        "CREATE ROLE {role} LOGIN;
         GRANT CONNECT ON DATABASE {dbname} TO {role};
         GRANT USAGE ON SCHEMA public TO {role};
         GRANT SELECT ON opweek_schema, events TO {role};
         GRANT SELECT, INSERT ON event_history, disclosure TO {role};
         GRANT SELECT, INSERT, UPDATE ON operation, activity_type, event TO {role};"
    ))
    .expect("the day-to-day role");
    let user = url.split_once("://").expect("a URL").1;
    let as_role = format!(
        "postgres://{role}@{}",
        user.split_once('@').expect("user@host").1
    );
    let before = keys_and_indexes(&env);
    let out = Command::cargo_bin("opweek")
        .expect("opweek binary")
        .current_dir(env.dir())
        .env_remove("OPWEEK_DB")
        .env("OPWEEK_USER", "test-analyst")
        .env("NO_COLOR", "1")
        .args(["--db", &as_role, "import", &example()])
        .write_stdin("")
        .output()
        .expect("run opweek");
    let _ = c.batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role};"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("imported 107 events"), "{err}");
    assert_eq!(keys_and_indexes(&env), before);
    assert!(env.ok(&["check"]).contains("integrity: ok"));
}
