//! Sign-off: a signed-off operation's figures cannot change until it is
//! reopened; reports say who signed off, when, and the head; `check --head`
//! proves a written head later; operation and type changes are in the
//! chain; databases from before migrate with the same head.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::env::TestEnv;

const OP: &str = "nov17-mersey";
/// The first row of examples/nov2017-merseyside.csv: a warrant, count 1.
const WARRANT: &str = "015fb413-d700-71f2-a652-c83c3459d7ce";

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/nov2017-merseyside.csv")
        .display()
        .to_string()
}

/// The reference week, loaded with one import.
fn reference_week() -> TestEnv {
    let env = TestEnv::new();
    env.reference_op();
    env.ok(&["import", &example()]);
    env
}

fn json(env: &TestEnv, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&env.ok(args)).expect("JSON")
}

fn raw(env: &TestEnv, sql: &str) {
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

fn query_i64(env: &TestEnv, sql: &str) -> i64 {
    env.query(sql)[0][0].parse().unwrap()
}

fn assert_names_sign_off(err: &str) {
    assert!(
        err.contains("signed off by test-analyst at ") && err.contains("opweek op reopen"),
        "{err}"
    );
}

#[test]
fn a_signed_off_week_refuses_every_change_to_its_figures_until_reopened() {
    let env = reference_week();
    // Another, open operation to move events to and from.
    env.ok(&[
        "op",
        "add",
        "other",
        "--title",
        "Other week",
        "--start",
        "2017-11-13",
        "--force",
        "Cheshire Police",
    ]);
    let elsewhere = env.ok(&["log", "arrest", "--op", "other", "--date", "2017-11-14"]);
    let elsewhere = elsewhere.trim();

    let first = env.ok(&["op", "sign-off", OP, "--note", "for the press office"]);
    let first = first.trim();
    assert_eq!(first.len(), 64, "{first}");
    let show = env.ok(&["op", "show", OP]);
    assert!(show.contains("signed off by test-analyst at "), "{show}");
    assert!(show.contains(first), "{show}");
    let list = env.ok(&["op", "list"]);
    assert!(list.contains("signed off by test-analyst"), "{list}");
    assert!(list.contains("open"), "{list}");

    // A new row for the operation, and a correction of a stored one.
    let mut lines = std::fs::read_to_string(example()).unwrap();
    let header = lines.lines().next().unwrap().to_string();
    let new_row = format!("{header}\n,{OP},warrant,2017-11-15,,1,,,,,,,,,,,,\n");
    let new_file = env.write("new.csv", new_row);
    let first_row = lines.lines().nth(1).unwrap().to_string();
    let changed = first_row.replacen(",06:00,1,", ",06:00,2,", 1);
    assert_ne!(changed, first_row);
    lines = format!("{header}\n{changed}\n");
    let correction = env.write("correction.csv", lines);

    let forbidden: Vec<Vec<&str>> = vec![
        vec!["log", "warrant", "--op", OP, "--date", "2017-11-14"],
        vec!["amend", WARRANT, "--count", "2", "--reason", "two"],
        vec!["void", WARRANT, "--reason", "logged twice"],
        vec!["amend", WARRANT, "--op", "other", "--reason", "wrong week"],
        vec!["amend", elsewhere, "--op", OP, "--reason", "belongs here"],
        vec!["import", correction.to_str().unwrap(), "--accept-changes"],
        vec!["op", "edit", OP, "--end", "2017-11-20"],
        vec!["op", "edit", OP, "--title", "Renamed week"],
        vec!["type", "edit", "warrant", "--label", "Warrant executions"],
        vec![
            "type",
            "edit",
            "arrest",
            "--phrase",
            "detained {count} {noun}",
        ],
    ];
    for args in &forbidden {
        assert_names_sign_off(&env.rejects(args));
    }
    let err = env.rejects(&["import", new_file.to_str().unwrap()]);
    assert!(
        err.contains("signed-off operations: nov17-mersey (signed off by test-analyst at "),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    // Already signed off: a second sign-off is refused too.
    env.rejects(&["op", "sign-off", OP]);
    // What does not touch its figures still works: the other operation.
    env.ok(&["log", "arrest", "--op", "other", "--date", "2017-11-15"]);

    env.ok(&["op", "reopen", OP, "--reason", "a late warrant"]);
    assert!(env.ok(&["op", "show", OP]).contains("│ state       ┆ open"));
    env.rejects(&["op", "reopen", OP, "--reason", "again"]);
    env.ok(&["amend", WARRANT, "--count", "2", "--reason", "two warrants"]);
    let second = env.ok(&["op", "sign-off", OP]);
    let second = second.trim();
    assert_ne!(first, second);

    let briefing = env.ok(&["report", "--op", OP, "--format", "briefing"]);
    assert!(
        briefing.contains("Signed off by test-analyst at "),
        "{briefing}"
    );
    assert!(
        briefing.contains(&format!("head at sign-off {second}")),
        "{briefing}"
    );
    assert!(!briefing.contains(first), "{briefing}");
    assert!(briefing.contains("carried out 10 warrants"), "{briefing}");
    let md = env.ok(&["report", "--op", OP, "--format", "markdown"]);
    assert!(md.contains(&format!("head at sign-off {second}")), "{md}");

    let report = json(&env, &["report", "--op", OP, "--format", "json"]);
    assert_eq!(report["total"], 111);
    assert_eq!(report["signed_off"]["by"], "test-analyst");
    assert_eq!(report["signed_off"]["head"], second);
    // A report covering both: one signed off, one provisional.
    let week = json(&env, &["report", "--week", "2017-W46", "--format", "json"]);
    assert_eq!(week["signed_off"], serde_json::Value::Null);
    assert_eq!(week["sign_offs"][0]["operation"], OP);
    assert_eq!(week["sign_offs"][0]["signed_off"]["head"], second);
    assert_eq!(week["sign_offs"][1]["operation"], "other");
    assert_eq!(week["sign_offs"][1]["signed_off"], serde_json::Value::Null);
    let week_md = env.ok(&["report", "--week", "2017-W46", "--format", "markdown"]);
    assert!(
        week_md.contains("Signed off (nov17-mersey) by test-analyst"),
        "{week_md}"
    );
    assert!(
        week_md.contains("Provisional figures, not signed off: other."),
        "{week_md}"
    );
    // An open operation's report says its figures are provisional.
    let other = env.ok(&["report", "--op", "other", "--format", "briefing"]);
    assert!(
        other.contains("Provisional figures: other is not signed off."),
        "{other}"
    );
    let other = json(&env, &["report", "--op", "other", "--format", "json"]);
    assert_eq!(other["signed_off"], serde_json::Value::Null);
    env.ok(&["check", "--head", second]);
}

#[test]
fn a_written_head_passes_after_later_writes_and_catches_a_cut_tail() {
    let env = reference_week();
    if env.sqlite_only("edits history behind opweek's back through rusqlite") {
        return;
    }
    let head = env.ok(&["op", "sign-off", OP]);
    let head = head.trim().to_string();
    // Unrelated writes after the head was written down.
    env.ok(&[
        "op",
        "add",
        "dec17",
        "--title",
        "December",
        "--start",
        "2017-12-04",
    ]);
    env.ok(&[
        "type",
        "add",
        "knife-surrender",
        "--label",
        "Knives surrendered",
    ]);
    let out = env.ok(&["check", "--head", &head]);
    assert!(
        out.contains(&format!("written head: {head} is entry 3 of 5")),
        "{out}"
    );
    env.ok(&["check", "--head", &head[..12].to_uppercase()]);
    let err = env.fails(1, &["check", "--head", &head[..11]]);
    assert!(err.contains("needs at least its first 12"), "{err}");
    let err = env.fails(1, &["check", "--head", "not-a-head-at-all"]);
    assert!(err.contains("is not a chain head"), "{err}");

    // The tail cut off behind the tool's back, from the sign-off on: the
    // chain that is left verifies, so `check` alone cannot see it...
    raw(
        &env,
        "DROP TRIGGER event_history_no_delete; DELETE FROM event_history WHERE seq >= 3;",
    );
    env.ok(&["check"]);
    // ...but the head written down can.
    let before = env.snapshot();
    let out = env.run(&["check", "--head", &head]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!(
            "problem: written head: {head} is not in the history"
        )),
        "{stdout}"
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn a_written_head_fails_when_an_entry_before_or_after_it_is_edited() {
    for (seq, want) in [
        (1, "the chain breaks at entry 1, at or before it"),
        (4, "but entry 4 after it does not verify"),
    ] {
        let env = reference_week();
        if env.sqlite_only("edits history behind opweek's back through rusqlite") {
            return;
        }
        let head = env.ok(&["op", "sign-off", OP]);
        let head = head.trim().to_string();
        env.ok(&[
            "op",
            "add",
            "dec17",
            "--title",
            "December",
            "--start",
            "2017-12-04",
        ]);
        raw(
            &env,
            &format!(
                "DROP TRIGGER event_history_no_update;
                 UPDATE event_history SET reason = 'nothing to see' WHERE seq = {seq};"
            ),
        );
        let out = env.run(&["check", "--head", &head]);
        assert_eq!(out.status.code(), Some(1));
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(stdout.contains(want), "{stdout}");
    }
}

/// Eight analysts log while a supervisor signs the week off: each log
/// either committed before the sign-off, and is in the figures it signed,
/// or was refused; none lands after it.
#[test]
fn no_log_lands_after_a_concurrent_sign_off() {
    let bin = assert_cmd::cargo::cargo_bin("opweek");
    for _round in 0..3 {
        let env = TestEnv::new();
        env.reference_op();
        let db = env.db.to_str().unwrap().to_string();
        let spawn = |args: Vec<String>| {
            Command::new(&bin)
                .env("OPWEEK_USER", "test-analyst")
                .arg("--db")
                .arg(&db)
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let logs: Vec<_> = (0..8)
            .map(|i| {
                spawn(
                    [
                        "log",
                        "warrant",
                        "--op",
                        OP,
                        "--date",
                        "2017-11-14",
                        "--ref",
                    ]
                    .iter()
                    .map(|s| s.to_string())
                    .chain([format!("W/{i}")])
                    .collect(),
                )
            })
            .collect();
        let sign_off = spawn(vec!["op".into(), "sign-off".into(), OP.into()]);
        let mut committed = 0;
        for child in logs {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            match out.status.code() {
                Some(0) => committed += 1,
                Some(1) => assert_names_sign_off(&stderr),
                other => panic!("log exited {other:?}: {stderr}"),
            }
        }
        let out = sign_off.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Every committed log is before the sign-off and in its figures.
        let signed_seq = query_i64(
            &env,
            "SELECT seq FROM event_history WHERE action = 'sign-off'",
        );
        let last_log = query_i64(
            &env,
            "SELECT coalesce(max(seq), 0) FROM event_history WHERE action = 'log'",
        );
        assert!(last_log < signed_seq, "a log landed after the sign-off");
        let signed_events = query_i64(
            &env,
            if env.is_pg() {
                "SELECT changes::jsonb ->> 'events' FROM event_history WHERE action = 'sign-off'"
            } else {
                "SELECT json_extract(changes, '$.events') FROM event_history WHERE action = 'sign-off'"
            },
        );
        assert_eq!(signed_events, committed);
        assert_eq!(query_i64(&env, "SELECT count(*) FROM event"), committed);
        env.ok(&["check"]);
    }
}

#[test]
fn operation_and_type_changes_are_in_the_chain() {
    let env = TestEnv::new();
    env.reference_op();
    env.ok(&[
        "op",
        "edit",
        OP,
        "--title",
        "Week of action, SOU",
        "--reason",
        "full title",
    ]);
    env.ok(&[
        "type",
        "add",
        "knife-surrender",
        "--label",
        "Knives surrendered",
    ]);
    env.ok(&[
        "type",
        "edit",
        "knife-surrender",
        "--phrase",
        "took in {count} {noun}",
    ]);
    env.ok(&["type", "retire", "knife-surrender"]);
    env.ok(&["type", "restore", "knife-surrender"]);
    let rows: Vec<(String, String)> = env
        .query("SELECT action, subject FROM event_history ORDER BY seq")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let want = [
        ("op-add", "op:nov17-mersey"),
        ("op-edit", "op:nov17-mersey"),
        ("type-add", "type:knife-surrender"),
        ("type-edit", "type:knife-surrender"),
        ("type-retire", "type:knife-surrender"),
        ("type-restore", "type:knife-surrender"),
    ];
    let got: Vec<(&str, &str)> = rows.iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
    assert_eq!(got, want);
    // A restored type takes new events again.
    env.ok(&["log", "knife-surrender", "--op", OP, "--date", "2017-11-14"]);
    // Restoring a type that is not retired, and an empty edit, are refused.
    env.rejects(&["type", "restore", "knife-surrender"]);
    env.rejects(&["type", "edit", "knife-surrender"]);
    env.rejects(&["op", "edit", OP]);
    // An edit behind the tool's back of an operation entry is caught.
    if env.sqlite_only("the rest edits history through rusqlite") {
        return;
    }
    raw(
        &env,
        "DROP TRIGGER event_history_no_update;
         UPDATE event_history SET changes = replace(changes, 'SOU', 'XYZ') WHERE seq = 2;",
    );
    let out = env.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("history: entry 2"));
}

#[test]
fn op_edit_refuses_dates_that_leave_events_outside_and_warns_of_overlaps() {
    let env = reference_week();
    let err = env.rejects(&["op", "edit", OP, "--start", "2017-11-15"]);
    assert_eq!(
        err,
        "error: 40 events of nov17-mersey would lie outside 2017-11-15 to 2017-11-19 \
         (dated 2017-11-13 to 2017-11-14): amend their dates or operation first, \
         or choose dates that hold them"
    );
    let err = env.ok_stderr(&["op", "edit", OP, "--end", "2017-11-22", "--unit", ""]);
    assert!(
        err.contains("end: \"2017-11-19\" → \"2017-11-22\""),
        "{err}"
    );
    assert!(
        err.contains("unit: \"Sex Offender Unit\" → (none)"),
        "{err}"
    );
    let show = env.ok(&["op", "show", OP]);
    assert!(show.contains("2017-11-22"), "{show}");
    // Another operation of the same force over the same days: warned.
    let err = env.ok_stderr(&[
        "op",
        "add",
        "mersey-2",
        "--title",
        "Second",
        "--start",
        "2017-11-20",
        "--force",
        "Merseyside Police",
    ]);
    assert!(
        err.contains(
            "warning: mersey-2 overlaps nov17-mersey (2017-11-13 to 2017-11-22) of the same force \
             from 2017-11-20 to 2017-11-22: logging an event dated then needs --op"
        ),
        "{err}"
    );
    // Another force's week: no warning.
    let err = env.ok_stderr(&[
        "op",
        "add",
        "cheshire",
        "--title",
        "Cheshire",
        "--start",
        "2017-11-13",
        "--force",
        "Cheshire Police",
    ]);
    assert!(!err.contains("warning"), "{err}");
}

/// A database made by the release before this change (schema version 1,
/// tests/fixtures/make-v1.sh) migrates with its chain verifying and the
/// same head.
#[test]
fn a_database_from_before_migrates_with_the_same_head() {
    let env = TestEnv::new();
    if env.sqlite_only("migrates the v1.db SQLite fixture") {
        return;
    }
    std::fs::copy(crate::env::fixture("v1.db"), &env.db).unwrap();
    let out = env.ok(&["check"]);
    assert!(
        out.contains(
            "chain head: 41b76fa744397fb1869d75e3fc0dad4346db937db710ab0ef040f3e09ee0d5a7"
        ),
        "{out}"
    );
    assert!(out.contains("history entries: 4"), "{out}");
    assert_eq!(
        query_i64(&env, "PRAGMA user_version"),
        opweek::store::LATEST_VERSION
    );
    // And it goes on working: a sign-off follows the old entries.
    let head = env.ok(&["op", "sign-off", OP]);
    env.ok(&["check", "--head", "41b76fa74439"]);
    env.ok(&["check", "--head", head.trim()]);
}
