//! The PostgreSQL side of the harness itself (OPWEEK_TEST_PG): each test's
//! own database, dropped after it, and snapshot() seeing every change.
//! Without OPWEEK_TEST_PG these check only that the file path is used.

use crate::env::TestEnv;

fn server() -> Option<String> {
    std::env::var("OPWEEK_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
}

fn databases(server: &str) -> Vec<String> {
    let mut c = postgres::Client::connect(server, postgres::NoTls).unwrap();
    c.query(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'opweek_t_%'",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[test]
fn each_test_has_its_own_server_database_dropped_after_it() {
    let env = TestEnv::new();
    let Some(server) = server() else {
        assert!(!env.is_pg());
        assert!(env.db.ends_with("test.db"));
        assert_eq!(env.snapshot(), "(no database)");
        return;
    };
    assert!(env.is_pg());
    let url = env.db.to_str().unwrap().to_string();
    let name = url.rsplit('/').next().unwrap().to_string();
    assert!(
        name.starts_with("opweek_t_") && name.len() == 9 + 32,
        "{url}"
    );
    assert!(databases(&server).contains(&name));
    // A fresh server database is "no database" until opweek makes tables.
    assert_eq!(env.snapshot(), "(no database)");
    assert!(!env.db_exists());
    let other = TestEnv::new();
    assert_ne!(other.db, env.db);
    drop(env);
    assert!(!databases(&server).contains(&name));
}

#[test]
fn a_server_snapshot_sees_rows_schema_and_triggers() {
    let env = TestEnv::new();
    if !env.is_pg() {
        return;
    }
    let mut c = postgres::Client::connect(env.db.to_str().unwrap(), postgres::NoTls).unwrap();
    c.batch_execute(
        "CREATE TABLE opweek_schema (version integer NOT NULL);
         INSERT INTO opweek_schema VALUES (7);
         CREATE TABLE event (id text PRIMARY KEY, n integer, b bytea);
         INSERT INTO event VALUES ('b', 2, '\\x00ff'), ('a', NULL, NULL);
         CREATE INDEX event_n ON event (n);
         CREATE VIEW big AS SELECT id FROM event WHERE n > 1;
         CREATE FUNCTION no_delete() RETURNS trigger LANGUAGE plpgsql
           AS $$ BEGIN RAISE EXCEPTION 'no'; END $$;
         CREATE TRIGGER event_no_delete BEFORE DELETE ON event
           FOR EACH ROW EXECUTE FUNCTION no_delete();",
    )
    .unwrap();
    let snap = env.snapshot();
    assert!(env.db_exists());
    // The schema version first, then rows in primary-key order.
    assert!(
        snap.contains("table opweek_schema\n(7)\ntable event\n(a,,)\n(b,2,\"\\\\x00ff\")\n"),
        "{snap}"
    );
    for part in [
        "column event | 2 | n | integer | YES | NULL",
        "constraint event | event_pkey | PRIMARY KEY (id)",
        "index event_n | CREATE INDEX event_n ON public.event USING btree (n)",
        "view big |  SELECT event.id",
        "trigger event_no_delete | CREATE TRIGGER event_no_delete BEFORE DELETE ON public.event",
        "function no_delete | CREATE OR REPLACE FUNCTION public.no_delete()",
    ] {
        assert!(snap.contains(part), "{part:?} not in\n{snap}");
    }
    // Each kind of change shows.
    for change in [
        "UPDATE event SET n = 3 WHERE id = 'b'",
        "UPDATE opweek_schema SET version = 8",
        "DROP TRIGGER event_no_delete ON event",
        "CREATE INDEX event_b ON event (b)",
        "ALTER TABLE event ADD COLUMN c text",
    ] {
        let before = env.snapshot();
        c.batch_execute(change).unwrap();
        assert_ne!(env.snapshot(), before, "{change} not seen");
    }
    // A sequence moved by a rolled-back insert is not a change.
    c.batch_execute("CREATE TABLE s (id bigserial PRIMARY KEY)")
        .unwrap();
    let before = env.snapshot();
    c.batch_execute("BEGIN; INSERT INTO s DEFAULT VALUES; ROLLBACK")
        .unwrap();
    assert_eq!(env.snapshot(), before);
}
