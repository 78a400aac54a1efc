//! Defects reviewers found in the round's merged work (hardening, sign-off):
//! dry runs that disagree with the real import or create a database, raw
//! terminal escapes in messages, counts above the maximum, several entries
//! matching a written head, day-first dates, `amend` with no field.

use assert_cmd::Command;

use crate::env::TestEnv;

const OP: &str = "nov17-mersey";

/// A one-row import file for operation `op`, named as the commands (run
/// in the test's directory) read it.
fn one_row(env: &TestEnv, name: &str, op: &str) -> String {
    env.write(
        name,
        format!("operation,type,date,count\n{op},warrant,2017-11-14,2\n"),
    );
    name.to_string()
}

/// The binary against any `--db` path (the TestEnv's own is fixed).
fn opweek_at(env: &TestEnv, db: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("opweek")
        .unwrap()
        .current_dir(env.dir())
        .env_remove("OPWEEK_DB")
        .env("OPWEEK_USER", "test-analyst")
        .env("NO_COLOR", "1")
        .arg("--db")
        .arg(db)
        .args(args)
        .write_stdin("")
        .output()
        .unwrap()
}

#[test]
fn a_dry_run_into_a_signed_off_operation_is_refused_as_the_import_is() {
    let env = TestEnv::new();
    env.reference_op();
    env.ok(&["log", "warrant", "--op", OP, "--date", "2017-11-13"]);
    env.ok(&["op", "sign-off", OP]);
    let file = one_row(&env, "late.csv", OP);
    let real = env.rejects(&["import", &file]);
    assert!(
        real.contains("signed-off operations: nov17-mersey (signed off by test-analyst at "),
        "{real}"
    );
    let dry = env.rejects(&["import", &file, "--dry-run"]);
    assert_eq!(dry, real);
}

#[test]
fn a_dry_run_where_no_database_is_creates_nothing_and_reports_as_the_import_would() {
    let env = TestEnv::new();
    let db = env.path("sub/dir/new.db");
    let file = one_row(&env, "week.csv", "nov17");
    let dry = opweek_at(&env, &db, &["import", &file, "--dry-run"]);
    assert_eq!(dry.status.code(), Some(1));
    let dry_err = String::from_utf8(dry.stderr).unwrap();
    assert_eq!(
        dry_err,
        "week.csv: operation 'nov17' is not known (1 row; create it with opweek op add or map it with --map-op nov17=CODE)\n\
         error: 1 invalid row in week.csv; nothing was imported\n"
    );
    assert!(!env.path("sub").exists(), "the dry run created a directory");

    // A valid file (header only) succeeds, and still creates nothing.
    env.write("empty.csv", "operation,type,date,count\n");
    let ok = opweek_at(&env, &db, &["import", "empty.csv", "--dry-run"]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(ok.stderr).unwrap(),
        "empty.csv: dry run: 0 rows valid; would import 0 events, skip 0 already stored; nothing written\n"
    );
    assert!(!env.path("sub").exists(), "the dry run created a directory");

    // At the database's own path: no file, no -wal, no -shm.
    let dry = env.fails(1, &["import", &file, "--dry-run"]);
    assert_eq!(dry, dry_err);
    let names: Vec<String> = std::fs::read_dir(env.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("test.db"))
        .collect();
    assert!(names.is_empty(), "the dry run created {names:?}");
    assert!(!env.db_exists(), "the dry run created the database");

    // The real import says the same (and creates the database).
    assert_eq!(env.fails(1, &["import", &file]), dry_err);
}

#[test]
fn escapes_in_a_cell_or_an_argument_are_shown_not_sent_to_the_terminal() {
    let env = TestEnv::new();
    env.reference_op();
    env.write(
        "esc.csv",
        format!("operation,type,date,count\n{OP},warrant,2017-11-1\x1b[2J,1\n"),
    );
    let before = env.snapshot();
    let err = env.fails(1, &["import", "esc.csv"]);
    assert!(!err.contains('\x1b'), "a raw ESC reached stderr: {err:?}");
    assert_eq!(
        err,
        "esc.csv:2: date: 2017-11-1\\x1b[2J is not a valid date (expected YYYY-MM-DD or DD/MM/YYYY)\n\
         error: 1 invalid row in esc.csv; nothing was imported\n"
    );
    assert_eq!(env.snapshot(), before);

    // An operation code argument that ends up in main's error line.
    let err = env.rejects(&["import", "esc.csv", "--map-op", "\x1b]0;owned\x07NOV17"]);
    assert_eq!(
        err,
        "error: --map-op \\x1b]0;owned\\x07NOV17: expected THEIRS=OURS, such as --map-op NOV17=nov17-mersey"
    );
}

#[test]
fn counts_above_the_maximum_are_problems_for_check_and_reports_say_so() {
    let env = TestEnv::new();
    if env.sqlite_only("writes rows past the CLI's limits through rusqlite") {
        return;
    }
    env.reference_op();
    let a = env.ok(&["log", "warrant", "--op", OP, "--date", "2017-11-13"]);
    let b = env.ok(&["log", "warrant", "--op", OP, "--date", "2017-11-14"]);
    // As an older version recorded them, or the sqlite3 shell.
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.execute("UPDATE event SET count = 5000000000000000000", [])
        .unwrap();
    drop(conn);

    let before = env.snapshot();
    let out = env.cmd(&["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    for id in [a.trim(), b.trim()] {
        let line = format!(
            "problem: events: event {id} has a count of 5,000,000,000,000,000,000, above the maximum \
             of 1,000,000 per event: correct it with opweek amend {id} --count N --reason TEXT\n"
        );
        assert!(stdout.contains(&line), "{stdout}");
    }
    assert_eq!(env.snapshot(), before);

    let expected = "error: a total is too large to add up: the database holds event counts above \
                    opweek's maximum of 1,000,000 per event (recorded by an older version or changed \
                    behind opweek's back); run opweek check to find them";
    for args in [
        &["report", "--op", OP][..],
        &["report", "--op", OP, "--format", "briefing"],
        &["report", "--op", OP, "--by", "area", "--format", "json"],
    ] {
        assert_eq!(env.rejects(args), expected, "{args:?}");
    }
}

#[test]
fn a_written_head_matching_several_entries_asks_for_more_of_it() {
    let env = TestEnv::new();
    if env.sqlite_only("edits history hashes through rusqlite") {
        return;
    }
    env.reference_op();
    env.ok(&["log", "warrant", "--op", OP, "--date", "2017-11-13"]);
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let (last, hash): (i64, String) = conn
        .query_row(
            "SELECT seq, hash FROM event_history ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // Two heads sharing 12 characters do not happen by chance: craft one
    // behind the tool's back.
    conn.execute_batch("DROP TRIGGER event_history_no_update")
        .unwrap();
    conn.execute(
        "UPDATE event_history SET hash = substr(?1, 1, 12) || substr(hash, 13) WHERE seq = ?2",
        rusqlite::params![hash, last - 1],
    )
    .unwrap();
    drop(conn);
    let before = env.snapshot();
    let out = env.cmd(&["check", "--head", &hash[..12]]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!(
            "problem: written head: several history entries start with {}: give more of the head\n",
            &hash[..12]
        )),
        "{stdout}"
    );
    assert_eq!(env.snapshot(), before);
    // The whole head names one entry.
    let out = env.cmd(&["check", "--head", &hash]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("several history entries"), "{stdout}");
}

#[test]
fn a_bad_day_first_date_in_a_file_names_both_forms_the_command_line_iso_only() {
    let env = TestEnv::new();
    env.reference_op();
    env.write(
        "dates.csv",
        format!("operation,type,date,count\n{OP},warrant,31/02/2017,1\n{OP},warrant,13/13/2017,1\n{OP},warrant,13/11/2017,1\n"),
    );
    let before = env.snapshot();
    let err = env.fails(1, &["import", "dates.csv"]);
    assert_eq!(
        err,
        "dates.csv:2: date: 31/02/2017 is not a valid date (expected YYYY-MM-DD or DD/MM/YYYY)\n\
         dates.csv:3: date: 13/13/2017 is not a valid date (expected YYYY-MM-DD or DD/MM/YYYY)\n\
         error: 2 invalid rows in dates.csv; nothing was imported\n"
    );
    assert_eq!(env.snapshot(), before);
    assert_eq!(
        env.rejects(&["log", "warrant", "--op", OP, "--date", "13/11/2017"]),
        "error: 13/11/2017 is not a valid date (expected YYYY-MM-DD, today or yesterday)"
    );
}

#[test]
fn amend_with_no_field_says_what_to_give() {
    let env = TestEnv::new();
    env.reference_op();
    let id = env.ok(&["log", "warrant", "--op", OP, "--date", "2017-11-13"]);
    assert_eq!(
        env.rejects(&["amend", id.trim(), "--reason", "x"]),
        "error: nothing to change: give at least one field to change (see opweek amend --help)"
    );
    // A field given with its current value is still "the current values".
    assert_eq!(
        env.rejects(&["amend", id.trim(), "--reason", "x", "--count", "1"]),
        "error: nothing to change: the values given are the event's current values"
    );
}
