//! Speed by structure: the index that answers per-operation totals (migration
//! 2), `op list` and reports reading the events the fastest way, and the same
//! figures whichever way they are read.

use crate::env::TestEnv;

const TALLY_INDEX: &str =
    "CREATE INDEX event_op_tally ON event (op_id, date, type_id, status, count)";

fn event_indexes(env: &TestEnv) -> Vec<String> {
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let mut stmt = conn
        .prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'event' AND sql IS NOT NULL ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn active_totals(env: &TestEnv) -> (i64, i64) {
    let row = &env.query("SELECT count(*), sum(count) FROM event WHERE status = 'active'")[0];
    (row[0].parse().unwrap(), row[1].parse().unwrap())
}

#[test]
fn a_new_database_has_the_operation_tally_index() {
    let env = TestEnv::new();
    if env.sqlite_only("reads SQLite's index list") {
        return;
    }
    env.ok(&["type", "add", "extra", "--label", "Extra"]);
    assert_eq!(
        event_indexes(&env),
        ["CREATE INDEX event_date ON event (date)", TALLY_INDEX]
    );
}

#[test]
fn a_database_of_the_first_schema_gains_the_index_and_still_verifies() {
    // A database as the release before this one left it (schema 1, its
    // indexes; tests/fixtures/make-v1.sh).
    let env = TestEnv::new();
    if env.sqlite_only("migrates the v1.db SQLite fixture") {
        return;
    }
    std::fs::copy(crate::env::fixture("v1.db"), &env.db).unwrap();
    let events = |sql: &str| -> i64 {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    };
    let before = events("SELECT count(*) FROM event");
    env.ok(&["check"]);
    assert_eq!(
        event_indexes(&env),
        ["CREATE INDEX event_date ON event (date)", TALLY_INDEX]
    );
    assert_eq!(events("SELECT count(*) FROM event"), before);
    assert!(before > 0);
}

#[test]
fn op_list_and_op_show_total_each_operations_active_events() {
    let env = TestEnv::new();
    env.ok(&["demo"]);
    // One event voided: out of the totals.
    let id = env.first_id("warrant");
    env.ok(&["void", &id, "--reason", "logged twice"]);
    let (events, total) = active_totals(&env);
    assert_eq!((events, total), (106, 109));
    let list = env.ok(&["op", "list"]);
    let row = list.lines().nth(2).unwrap();
    assert!(
        row.starts_with("nov17-mersey  2017-11-13  2017-11-19     106  "),
        "{list}"
    );
    let show = env.ok(&["op", "show", "nov17-mersey"]);
    let field = |name: &str| -> String {
        let line = show
            .lines()
            .find(|l| l.starts_with(&format!("│ {name} ")))
            .unwrap_or_else(|| panic!("no {name} in\n{show}"));
        line.split('┆')
            .nth(1)
            .unwrap()
            .trim_matches(|c| c == ' ' || c == '│')
            .to_string()
    };
    assert_eq!(field("events"), "106");
    assert_eq!(field("total"), "109");
}

#[test]
fn a_range_scanned_gives_the_figures_of_the_same_events_read_by_operation() {
    let env = TestEnv::new();
    env.ok(&["demo"]);
    // The whole year holds every event: read by a scan. The operation's
    // own report reads its index; the figures must agree.
    for by in ["force", "day", "type", "officer"] {
        let year = env.ok(&[
            "report",
            "--from",
            "2017-01-02",
            "--to",
            "2017-12-31",
            "--by",
            by,
            "--format",
            "json",
        ]);
        let op = env.ok(&[
            "report",
            "--op",
            "nov17-mersey",
            "--by",
            by,
            "--format",
            "json",
        ]);
        // The tallies and the total; `--by day` also lists the quiet days
        // of each period, which differ (a year against a week).
        let figures = |s: &str| {
            let v: serde_json::Value = serde_json::from_str(s).unwrap();
            let rows: Vec<serde_json::Value> = v["rows"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["count"].as_i64() != Some(0))
                .cloned()
                .collect();
            (rows, v["total"].clone())
        };
        let (rows, total) = figures(&year);
        assert_eq!(
            (&rows, &total),
            (&figures(&op).0, &figures(&op).1),
            "--by {by}:\n{year}\n{op}"
        );
        assert!(!rows.is_empty() && total == 110, "{year}");
    }
}
