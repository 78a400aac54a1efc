//! Integrity: corrections with history, the tamper-evident chain, several
//! analysts at once, refusing what would damage the record.

use std::process::{Command, Stdio};

use crate::env::TestEnv;

/// History rows recording corrections (amend and void), as opposed to the
/// `log` and `import` rows that record new events.
fn corrections(env: &TestEnv) -> i64 {
    env.query("SELECT count(*) FROM event_history WHERE action IN ('amend', 'void')")[0][0]
        .parse()
        .unwrap()
}

fn logged(env: &TestEnv) -> String {
    env.reference_op();
    env.ok(&[
        "log",
        "device-seizure",
        "--date",
        "2017-11-14",
        "--count",
        "3",
        "--ref",
        "W/17/4412",
    ])
    .trim()
    .to_string()
}

#[test]
fn amend_changes_the_event_and_keeps_one_history_row() {
    let env = TestEnv::new();
    let id = logged(&env);
    env.ok(&[
        "amend",
        &id[..8],
        "--count",
        "2",
        "--note",
        "exhibit log",
        "--reason",
        "two devices, not three",
    ]);
    assert_eq!(corrections(&env), 1);
    assert_eq!(
        env.ok(&["report", "--format", "csv"]),
        "type,label,count,value\ndevice-seizure,Device seizures,2,\n"
    );
    let row = &env.query(
        "SELECT action, changed_by, changed_at, reason, changes FROM event_history WHERE seq = 3",
    )[0];
    let [action, by, at, reason, changes] = <[String; 5]>::try_from(row.clone()).unwrap();
    assert_eq!(action, "amend");
    assert_eq!(by, "test-analyst");
    assert!(at.ends_with('Z') && at.len() == 20, "{at}");
    assert_eq!(reason, "two devices, not three");
    let changes: serde_json::Value = serde_json::from_str(&changes).unwrap();
    assert_eq!(
        changes,
        serde_json::json!({"count": {"old": "3", "new": "2"}, "notes": {"old": "", "new": "exhibit log"}})
    );
    let shown = env.ok(&["show", &id]);
    assert!(shown.contains("two devices, not three"), "{shown}");
    assert!(shown.contains("count: \"3\" → \"2\""), "{shown}");
}

#[test]
fn failed_amendments_write_nothing() {
    let env = TestEnv::new();
    let id = logged(&env);
    for args in [
        &["amend", &id, "--count", "0", "--reason", "r"][..],
        &["amend", &id, "--date", "2017-12-01", "--reason", "r"],
        &["amend", &id, "--date", "2017-02-30", "--reason", "r"],
        &["amend", &id, "--type", "burglary", "--reason", "r"],
        &["amend", &id, "--count", "3", "--reason", "r"],
        &["amend", &id, "--count", "2", "--reason", " "],
        &["amend", "01a2c3d4", "--count", "2", "--reason", "r"],
        &["void", "01a2c3d4", "--reason", "r"],
    ] {
        env.rejects(args);
    }
    assert_eq!(corrections(&env), 0);
    let err = env.rejects(&["amend", &id, "--count", "3", "--reason", "r"]);
    assert_eq!(
        err,
        "error: nothing to change: the values given are the event's current values"
    );
}

#[test]
fn void_takes_an_event_out_of_every_tally_but_keeps_it() {
    let env = TestEnv::new();
    let id = logged(&env);
    env.ok(&["log", "warrant", "--date", "2017-11-14"]);
    env.ok(&["void", &id, "--reason", "logged twice"]);
    assert_eq!(
        env.ok(&["report", "--format", "csv"]),
        "type,label,count,value\nwarrant,Warrants,1,\n"
    );
    assert_eq!(
        csv::Reader::from_reader(env.ok(&["list", "--format", "csv"]).as_bytes())
            .records()
            .count(),
        1
    );
    let all = env.ok(&["list", "--all", "--format", "csv"]);
    assert!(
        all.contains(&format!("{id},")) && all.contains(",voided\n"),
        "{all}"
    );
    assert_eq!(
        env.ok(&["list", "--include-voided", "--format", "csv"]),
        all
    );
    assert!(env.ok(&["export"]).contains(",voided\n"));
    let err = env.rejects(&["void", &id, "--reason", "again"]);
    assert!(err.contains("already voided"), "{err}");
    env.rejects(&["amend", &id, "--count", "1", "--reason", "r"]);
    assert_eq!(corrections(&env), 1);
}

#[test]
fn history_and_events_refuse_raw_edits_and_deletes() {
    let env = TestEnv::new();
    if env.sqlite_only("SQLite's triggers, tried through rusqlite") {
        return;
    }
    let id = logged(&env);
    env.ok(&["amend", &id, "--count", "2", "--reason", "r"]);
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    for sql in [
        "UPDATE event_history SET reason = 'nothing to see'",
        "DELETE FROM event_history",
        "DELETE FROM event",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(
            err.contains("append-only") || err.contains("never deleted"),
            "{sql}: {err}"
        );
    }
}

#[test]
fn check_passes_then_catches_a_history_row_edited_behind_the_tools_back() {
    let env = TestEnv::new();
    if env.sqlite_only("edits rows behind opweek's back through rusqlite") {
        return;
    }
    let id = logged(&env);
    env.ok(&["amend", &id, "--count", "2", "--reason", "first"]);
    env.ok(&["amend", &id, "--count", "1", "--reason", "second"]);
    let out = env.ok(&["check"]);
    assert!(
        out.contains("history entries: 4\nhistory chain: intact\nchain head: "),
        "{out}"
    );
    assert!(
        out.ends_with("events: as recorded\nintegrity: ok\n"),
        "{out}"
    );

    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER event_history_no_update;
         UPDATE event_history SET reason = 'a different story' WHERE reason = 'first';",
    )
    .unwrap();
    let out = env.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(
            "problem: history: entry 3 its content does not match its hash (it was edited)"
        ),
        "{stdout}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: 1 problem found"), "{stderr}");
}

/// Runs `check`, which must fail; returns its `problem:` lines.
fn check_problems(env: &TestEnv) -> Vec<String> {
    let out = env.run(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: "), "{stderr}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("problem: "))
        .map(str::to_string)
        .collect()
}

/// Waits for processes run at once; each must succeed (else its stderr is
/// shown). Returns their stderr.
fn all_succeed(children: Vec<std::process::Child>) -> Vec<String> {
    children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(out.status.success(), "{stderr}");
            stderr
        })
        .collect()
}

fn raw(env: &TestEnv, sql: &str) {
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

#[test]
fn check_catches_an_event_edited_behind_the_tools_back() {
    let env = TestEnv::new();
    if env.sqlite_only("edits rows behind opweek's back through rusqlite") {
        return;
    }
    let id = logged(&env);
    raw(&env, "UPDATE event SET count = 80");
    assert_eq!(
        check_problems(&env),
        [format!(
            "events: event {id} no longer matches history entry 2 (edited behind the tool's back)"
        )]
    );
}

#[test]
fn check_catches_an_edit_behind_an_amendment_and_an_unvoided_event() {
    let env = TestEnv::new();
    if env.sqlite_only("edits rows behind opweek's back through rusqlite") {
        return;
    }
    let id = logged(&env);
    env.ok(&["amend", &id, "--count", "2", "--reason", "two, not three"]);
    // Setting the field back to its first value does not hide the edit.
    raw(&env, "UPDATE event SET count = 3");
    assert_eq!(
        check_problems(&env),
        [format!(
            "events: event {id}: count is \"3\", but history entry 3 left it \"2\" (changed behind the tool's back)"
        )]
    );

    let env = TestEnv::new();
    let id = logged(&env);
    env.ok(&["void", &id, "--reason", "logged twice"]);
    raw(&env, "UPDATE event SET status = 'active'");
    assert_eq!(
        check_problems(&env),
        [format!(
            "events: event {id}: status is \"active\", but history entry 3 left it \"voided\" (changed behind the tool's back)"
        )]
    );
}

#[test]
fn check_catches_events_added_or_removed_behind_the_tools_back() {
    let env = TestEnv::new();
    if env.sqlite_only("edits rows behind opweek's back through rusqlite") {
        return;
    }
    let id = logged(&env);
    // A copy of the event under a new id, as a raw INSERT would add it.
    raw(
        &env,
        "INSERT INTO event (uuid, op_id, type_id, date, count, recorded_by, recorded_at)
         SELECT randomblob(16), op_id, type_id, date, 5, recorded_by, recorded_at FROM event",
    );
    assert_eq!(
        check_problems(&env),
        [format!(
            "events: history entry 2 recorded 1 event from {id} on, but 2 are now stored there (added or removed behind the tool's back)"
        )]
    );

    let env = TestEnv::new();
    logged(&env);
    let second = env.ok(&["log", "arrest", "--date", "2017-11-15"]);
    let second = second.trim();
    raw(
        &env,
        "DROP TRIGGER event_no_delete;
         PRAGMA foreign_keys = OFF;
         DELETE FROM event WHERE id = 1;",
    );
    let problems = check_problems(&env);
    assert_eq!(
        problems,
        [
            "foreign key: event_history row 2 refers to a missing event".to_string(),
            "history: entry 2 refers to an event that is gone (removed behind the tool's back)".to_string(),
            "events: history entry 2 recorded 1 event from event row 1 on, but 0 are now stored there (added or removed behind the tool's back)".to_string(),
        ],
        "second event {second} is intact"
    );
}

#[test]
fn check_catches_an_imported_event_edited_and_a_history_row_removed() {
    let env = TestEnv::new();
    if env.sqlite_only("edits rows behind opweek's back through rusqlite") {
        return;
    }
    env.reference_op();
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nov2017-merseyside.csv");
    env.ok(&["import", example.to_str().unwrap()]);
    let first: String = rusqlite::Connection::open(&env.db)
        .unwrap()
        .query_row("SELECT id FROM events LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert!(env.ok(&["check"]).contains("events: as recorded\n"));
    raw(&env, "UPDATE event SET officer = 'nobody' WHERE id = 50");
    assert_eq!(
        check_problems(&env),
        [format!(
            "events: the 107 events history entry 2 recorded, from {first} on, no longer match it (at least one was edited behind the tool's back)"
        )]
    );

    let env = TestEnv::new();
    let id = logged(&env);
    env.ok(&["amend", &id, "--count", "2", "--reason", "first"]);
    env.ok(&["amend", &id, "--count", "1", "--reason", "second"]);
    raw(
        &env,
        "DROP TRIGGER event_history_no_delete; DELETE FROM event_history WHERE seq = 3;",
    );
    let problems = check_problems(&env);
    assert_eq!(
        problems[0],
        "history: entry 4 does not follow the entry before it (an entry was removed or inserted)"
    );
}

#[test]
fn every_write_is_in_the_chain_and_show_names_the_one_that_stored_an_event() {
    let env = TestEnv::new();
    env.reference_op();
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nov2017-merseyside.csv");
    env.ok(&["import", example.to_str().unwrap()]);
    let imported = env.query("SELECT id FROM events WHERE type = 'arrest'")[0][0].clone();
    // Importing the same file again stores nothing, so adds no history row.
    env.ok(&["import", example.to_str().unwrap()]);
    let logged = env.ok(&["log", "warrant", "--date", "2017-11-16"]);
    let logged = logged.trim();
    env.ok(&[
        "amend",
        &imported,
        "--outcome",
        "charged",
        "--reason",
        "outcome known",
    ]);
    env.ok(&["void", logged, "--reason", "logged twice"]);

    let rows: Vec<(i64, String, String, String)> = env
        .query("SELECT seq, action, changed_by, reason FROM event_history ORDER BY seq")
        .into_iter()
        .map(|r| {
            (
                r[0].parse().unwrap(),
                r[1].clone(),
                r[2].clone(),
                r[3].clone(),
            )
        })
        .collect();
    let who = "test-analyst".to_string();
    assert_eq!(
        rows,
        [
            (1, "op-add".into(), who.clone(), "new operation".into()),
            (2, "import".into(), who.clone(), "107 new events".into()),
            (3, "log".into(), who.clone(), "new event".into()),
            (4, "amend".into(), who.clone(), "outcome known".into()),
            (5, "void".into(), who.clone(), "logged twice".into()),
        ]
    );
    let out = env.ok(&["check"]);
    assert!(
        out.contains("history entries: 5\nhistory chain: intact\n"),
        "{out}"
    );
    assert!(
        out.ends_with("events: as recorded\nintegrity: ok\n"),
        "{out}"
    );

    let shown = env.ok(&["show", &imported]);
    let history = &shown[shown.find("History:").unwrap()..];
    assert!(
        history.contains("import") && history.contains("107 new events"),
        "{shown}"
    );
    assert!(history.contains("outcome known"), "{shown}");
    assert!(!history.contains("logged twice"), "{shown}");
}

#[test]
fn amend_can_move_an_event_to_another_operation_within_its_dates() {
    let env = TestEnv::new();
    let id = logged(&env);
    env.ok(&[
        "op",
        "add",
        "dec17-mersey",
        "--title",
        "December week",
        "--start",
        "2017-12-04",
    ]);
    // The date must fit the operation the event ends up in.
    let err = env.rejects(&[
        "amend",
        &id,
        "--op",
        "dec17-mersey",
        "--reason",
        "wrong week",
    ]);
    assert!(err.contains("2017-11-14"), "{err}");
    env.ok(&[
        "amend",
        &id,
        "--op",
        "dec17-mersey",
        "--date",
        "2017-12-05",
        "--reason",
        "wrong week",
    ]);
    assert_eq!(
        env.ok(&["report", "--op", "dec17-mersey", "--format", "csv"]),
        "type,label,count,value\ndevice-seizure,Device seizures,3,\n"
    );
    assert_eq!(
        env.ok(&["report", "--op", "nov17-mersey", "--format", "csv"]),
        "type,label,count,value\n"
    );
    let changes =
        env.query("SELECT changes FROM event_history WHERE action = 'amend'")[0][0].clone();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&changes).unwrap(),
        serde_json::json!({
            "operation": {"old": "nov17-mersey", "new": "dec17-mersey"},
            "date": {"old": "2017-11-14", "new": "2017-12-05"}
        })
    );
    assert!(env.ok(&["check"]).contains("events: as recorded\n"));
}

#[test]
fn sql_in_every_field_is_stored_verbatim_and_the_schema_is_unchanged() {
    let env = TestEnv::new();
    if env.sqlite_only("reads sqlite_schema and journal_mode") {
        return;
    }
    env.reference_op();
    let schema = |env: &TestEnv| -> Vec<String> {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        let mut stmt = conn
            .prepare("SELECT coalesce(sql, name) FROM sqlite_schema ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let before = schema(&env);
    let evil = "x'); DROP TABLE event; --";
    let mut args = vec!["log", "warrant", "--date", "2017-11-14"];
    for flag in [
        "--team",
        "--area",
        "--officer",
        "--ref",
        "--detail",
        "--partner",
        "--outcome",
        "--note",
        "--force",
    ] {
        args.push(flag);
        args.push(evil);
    }
    env.ok(&args);
    assert_eq!(schema(&env), before);
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "--format", "json"])).unwrap();
    for field in [
        "team",
        "area",
        "officer",
        "reference",
        "detail",
        "partner",
        "outcome",
        "notes",
        "force",
    ] {
        assert_eq!(json[0][field], evil, "{field}");
    }

    // And every other text a user gives: operation, type, who, why, for whom.
    env.ok(&[
        "op",
        "add",
        "evil-op",
        "--title",
        evil,
        "--start",
        "2017-12-04",
        "--force",
        evil,
        "--unit",
        evil,
        "--campaign",
        evil,
        "--notes",
        evil,
    ]);
    let phrase = format!("{{count}} {{noun}} {evil}");
    env.ok(&[
        "type",
        "add",
        "evil-type",
        "--label",
        evil,
        "--noun",
        evil,
        "--plural",
        evil,
        "--phrase",
        &phrase,
    ]);
    let id = env.ok(&[
        "--user",
        evil,
        "log",
        "evil-type",
        "--op",
        "evil-op",
        "--date",
        "2017-12-05",
    ]);
    env.ok(&[
        "--user",
        evil,
        "amend",
        id.trim(),
        "--count",
        "2",
        "--reason",
        evil,
    ]);
    env.ok(&[
        "--user",
        evil,
        "export",
        "--recipient",
        evil,
        "--reason",
        evil,
    ]);
    assert_eq!(schema(&env), before);
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let texts = |sql: &str| -> Vec<String> {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        stmt.query_row([], |r| (0..n).map(|i| r.get(i)).collect())
            .unwrap()
    };
    let all_evil = |sql: &str| {
        let got = texts(sql);
        assert!(got.iter().all(|t| t == evil), "{sql}: {got:?}");
    };
    all_evil("SELECT title, force, unit, campaign, notes FROM operation WHERE code = 'evil-op'");
    all_evil("SELECT label, noun, plural FROM activity_type WHERE key = 'evil-type'");
    assert_eq!(
        texts("SELECT phrase FROM activity_type WHERE key = 'evil-type'"),
        [phrase]
    );
    all_evil("SELECT recorded_by FROM events WHERE type = 'evil-type'");
    all_evil("SELECT changed_by, reason FROM event_history WHERE action = 'amend'");
    // The export's entry (`list --format json` is entered too, without a
    // recipient).
    all_evil("SELECT disclosed_by, recipient, reason FROM disclosure WHERE recipient IS NOT NULL");
    assert!(env.ok(&["check"]).contains("events: as recorded\n"));
}

#[test]
fn eight_analysts_logging_at_once_lose_nothing() {
    let env = TestEnv::new();
    env.reference_op();
    let bin = assert_cmd::cargo::cargo_bin("opweek");
    let db = env.db.to_str().unwrap().to_string();
    // Each process runs 20 `log` commands one after another; the 8 run at once.
    let children: Vec<_> = (0..8)
        .map(|i| {
            let script = format!(
                "for n in $(seq 1 20); do \"$0\" --db \"$1\" log offender-visit --date 2017-11-14 --officer {i} >/dev/null || exit 1; done"
            );
            Command::new("sh")
                .args(["-c", &script, bin.to_str().unwrap(), &db])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    all_succeed(children);
    assert_eq!(
        env.ok(&["report", "--format", "csv"]),
        "type,label,count,value\noffender-visit,Offender visits,160,\n"
    );
    let by_officer = env.ok(&["report", "--by", "officer", "--format", "csv"]);
    assert_eq!(by_officer.lines().count(), 9, "{by_officer}");
    assert!(env.ok(&["check"]).contains("integrity: ok"));
}

#[test]
fn a_database_from_a_newer_opweek_is_refused_untouched() {
    let env = TestEnv::new();
    if env.sqlite_only("sets SQLite's user_version in the file") {
        return;
    }
    env.reference_op();
    {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let bytes = std::fs::read(&env.db).unwrap();
    let err = env.fails(1, &["op", "list"]);
    assert!(
        err.contains("written by a newer opweek (schema version 99"),
        "{err}"
    );
    env.fails(1, &["log", "warrant", "--date", "2017-11-14"]);
    assert!(std::fs::read(&env.db).unwrap() == bytes, "the file changed");
}

#[test]
fn another_programs_database_is_refused_byte_for_byte() {
    let env = TestEnv::new();
    if env.sqlite_only("another program's SQLite file") {
        return;
    }
    {
        // A rollback-journal database, as most programs keep them: opening
        // it in WAL mode would rewrite its header.
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.execute_batch(
            "CREATE TABLE moz_places (url TEXT); INSERT INTO moz_places VALUES ('x');",
        )
        .unwrap();
    }
    let bytes = std::fs::read(&env.db).unwrap();
    let err = env.rejects(&["op", "list"]);
    assert!(err.ends_with("is not an opweek database"), "{err}");
    env.rejects(&["log", "warrant", "--date", "2017-11-14"]);
    assert!(std::fs::read(&env.db).unwrap() == bytes, "the file changed");
}

/// Eight processes opening a new database at once: each succeeds, and the
/// schema is made once. SQLite refuses the switch to WAL without waiting
/// when another process holds the lock, which failed about one round in
/// twenty to sixty before opweek retried it; so, many rounds.
#[test]
fn eight_first_opens_at_once_create_the_schema_once() {
    let bin = assert_cmd::cargo::cargo_bin("opweek");
    for _round in 0..25 {
        let env = TestEnv::new();
        if env.sqlite_only("reads SQLite's user_version") {
            return;
        }
        // `type add` (a command that records, so may create the database).
        let children: Vec<_> = (0..8)
            .map(|i| {
                Command::new(&bin)
                    .args(["--db", env.db.to_str().unwrap(), "type", "add"])
                    .args([format!("extra-{i}"), "--label".into(), format!("Extra {i}")])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (i, stderr) in all_succeed(children).into_iter().enumerate() {
            // Only `type add`'s note of the words it will use: no warning.
            assert!(
                stderr.starts_with("extra-") && stderr.lines().count() == 1,
                "no warning either (process {i}): {stderr}"
            );
        }
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        let (version, types): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT user_version FROM pragma_user_version), count(*) FROM activity_type",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((version, types), (opweek::store::LATEST_VERSION, 15));
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}

#[test]
fn a_full_disk_is_an_error_not_success() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let env = TestEnv::new();
    logged(&env);
    let err = env.fails(1, &["export", "-o", "/dev/full"]);
    assert!(err.starts_with("error: "), "{err}");
    let out = Command::new(assert_cmd::cargo::cargo_bin("opweek"))
        .args(["--db", env.db.to_str().unwrap(), "export"])
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_export_is_in_the_disclosure_log() {
    let env = TestEnv::new();
    if env.sqlite_only("tries SQLite's no-delete trigger through rusqlite") {
        return;
    }
    logged(&env);
    let file = env.path("for-cps.csv");
    env.ok(&[
        "export",
        "--op",
        "nov17-mersey",
        "-o",
        file.to_str().unwrap(),
        "--recipient",
        "CPS Mersey-Cheshire",
        "--reason",
        "case file W/17/4412",
    ]);
    env.ok(&["export", "--from", "2017-11-14", "--to", "2017-11-14"]);
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["audit", "--json"])).unwrap();
    let entries = json.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["disclosed_by"], "test-analyst");
    assert_eq!(entries[0]["filters"], "--op nov17-mersey");
    assert_eq!(entries[0]["rows"], 1);
    assert_eq!(entries[0]["destination"], file.to_str().unwrap());
    assert_eq!(entries[0]["recipient"], "CPS Mersey-Cheshire");
    assert_eq!(entries[0]["reason"], "case file W/17/4412");
    assert_eq!(entries[1]["filters"], "--from 2017-11-14 --to 2017-11-14");
    assert_eq!(entries[1]["destination"], "stdout");
    assert!(env.ok(&["audit"]).contains("CPS Mersey-Cheshire"));
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    assert!(conn.execute("DELETE FROM disclosure", []).is_err());
}

/// A number from the test's database, by query (either backend).
fn env_count(env: &TestEnv, sql: &str) -> i64 {
    env.query(sql)[0][0].parse().unwrap()
}

/// A number from a database file, by query.
fn count(db: &std::path::Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// Eight analysts log warrants without pause (each numbering its own in
/// the note) until told to stop; a backup is taken once some of their
/// writes have committed, and they go on committing after it. The backup
/// must be a consistent prefix of what they wrote: the reference week,
/// plus for each analyst exactly their first k notes, every event matched
/// by its `log` history row, and `check` intact once restored.
#[test]
fn a_backup_taken_while_eight_analysts_write_is_sound() {
    let env = TestEnv::new();
    env.import_reference_week();
    let bin = assert_cmd::cargo::cargo_bin("opweek");
    let db = env.db.to_str().unwrap().to_string();
    let stop = env.path("stop");
    let logged = "SELECT count(*) FROM event WHERE officer LIKE 'writer-%'";
    let writers: Vec<_> = (0..8)
        .map(|i| {
            let script = format!(
                "n=0; while [ ! -e \"$2\" ]; do n=$((n+1)); \
                 \"$0\" --db \"$1\" log warrant --date 2017-11-15 --officer writer-{i} --note $n >/dev/null || exit 1; done"
            );
            Command::new("sh")
                .args(["-c", &script, bin.to_str().unwrap(), &db, stop.to_str().unwrap()])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let wait_for = |n: i64| {
        let start = std::time::Instant::now();
        while env_count(&env, logged) < n {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(120),
                "the writers did not get to {n} events"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    wait_for(8);
    let dest = env.path("backup.db");
    env.ok(&["backup", dest.to_str().unwrap()]);
    let in_backup = count(&dest, logged);
    // The writers were still writing: more commits came after the backup.
    wait_for(in_backup + 8);
    std::fs::write(&stop, "").unwrap();
    all_succeed(writers);

    assert!(in_backup >= 8, "{in_backup}");
    let final_count = env_count(&env, logged);
    assert!(in_backup < final_count, "{in_backup} of {final_count}");
    let conn = rusqlite::Connection::open(&dest).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    // Each event with its own `log` entry, and nothing half-written.
    assert_eq!(
        count(
            &dest,
            "SELECT count(*) FROM event_history WHERE action = 'log'"
        ),
        in_backup
    );
    assert_eq!(count(&dest, "SELECT count(*) FROM event"), 107 + in_backup);
    // A prefix of each writer's sequence: notes 1..=k, none missing.
    let mut stmt = conn
        .prepare(
            "SELECT officer, count(*), min(CAST(notes AS INTEGER)), max(CAST(notes AS INTEGER)),
                    count(DISTINCT notes)
             FROM event WHERE officer LIKE 'writer-%' GROUP BY officer",
        )
        .unwrap();
    let per_writer: Vec<(String, i64, i64, i64, i64)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (officer, n, min, max, distinct) in &per_writer {
        assert_eq!((*min, *max, *distinct), (1, *n, *n), "{officer}");
    }
    assert_eq!(per_writer.iter().map(|w| w.1).sum::<i64>(), in_backup);

    let restored = TestEnv::new();
    restored.ok(&["restore", dest.to_str().unwrap()]);
    let check = restored.ok(&["check"]);
    assert!(
        check.contains("integrity: ok") && check.contains("history chain: intact"),
        "{check}"
    );
    assert!(check.contains("events: as recorded"), "{check}");
    // The live database has every write, once.
    assert!(env
        .ok(&["report", "--format", "csv"])
        .contains(&format!("warrant,Warrants,{},\n", 9 + final_count)));
}

#[test]
fn restore_refuses_to_overwrite_without_force_and_refuses_strangers() {
    let env = TestEnv::new();
    logged(&env);
    let backup = env.path("b.db");
    env.ok(&["backup", backup.to_str().unwrap()]);
    let err = env.rejects(&["backup", backup.to_str().unwrap()]);
    assert!(err.contains("already exists"), "{err}");
    env.ok(&["log", "arrest", "--date", "2017-11-15"]);
    let err = env.rejects(&["restore", backup.to_str().unwrap()]);
    if env.is_pg() {
        // A server database's history is never replaced, even with --force.
        assert!(err.contains("already holds records"), "{err}");
        let err = env.rejects(&["restore", backup.to_str().unwrap(), "--force"]);
        assert!(err.contains("already holds records"), "{err}");
    } else {
        assert!(err.contains("add --force"), "{err}");
    }
    let stranger = env.write("notes.db", "just some text, not a database at all........................................................................");
    env.rejects(&["restore", stranger.to_str().unwrap(), "--force"]);
    env.rejects(&[
        "restore",
        env.path("missing.db").to_str().unwrap(),
        "--force",
    ]);
    // A SQLite file that is not an opweek database is refused too.
    let other = env.path("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE event (x); PRAGMA user_version = 1;")
        .unwrap();
    let err = env.rejects(&["restore", other.to_str().unwrap(), "--force"]);
    assert!(err.contains("is not an opweek database"), "{err}");
    if !env.is_pg() {
        env.ok(&["restore", backup.to_str().unwrap(), "--force"]);
        assert_eq!(
            env.ok(&["report", "--format", "csv"]),
            "type,label,count,value\ndevice-seizure,Device seizures,3,\n"
        );
        assert!(env.ok(&["check"]).contains("events: as recorded\n"));
    }

    // The source is checked before the database it would replace is
    // opened: a wrong file creates nothing either.
    let fresh = TestEnv::new();
    fresh.rejects(&["restore", other.to_str().unwrap()]);
    assert!(!fresh.db_exists());
    fresh.ok(&["restore", backup.to_str().unwrap()]);
    assert!(fresh.ok(&["check"]).contains("events: as recorded\n"));
}

#[cfg(unix)]
#[test]
fn files_are_readable_by_their_owner_only_even_under_umask_022() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    if env.sqlite_only("modes of the SQLite file and its -wal/-shm") {
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("opweek");
    let db = env.db.to_str().unwrap();
    let run = |args: &str| {
        let out = Command::new("sh")
            .args([
                "-c",
                &format!("umask 022; \"$0\" --db \"$1\" {args}"),
                bin.to_str().unwrap(),
                db,
            ])
            .current_dir(env.dir())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run("op add nov17-mersey --title T --start 2017-11-13");
    run("log warrant --date 2017-11-14");
    run("backup backup.db");
    run("export -o export.csv");
    // The WAL and shared-memory files go when the last connection closes,
    // so keep opweek itself holding the database: an import from a pipe the
    // test leaves open blocks reading after opening it. Those two files are
    // then opweek's own, created under umask 022.
    let mut holder = Command::new("sh")
        .args([
            "-c",
            "umask 022; exec \"$0\" --db \"$1\" import /dev/stdin",
            bin.to_str().unwrap(),
            db,
        ])
        .current_dir(env.dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !(env.path("test.db-wal").exists() && env.path("test.db-shm").exists()) {
        assert!(
            std::time::Instant::now() < deadline,
            "opweek never opened the database"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mode = |name: &str| {
        std::fs::metadata(env.path(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    for name in [
        "test.db",
        "test.db-wal",
        "test.db-shm",
        "backup.db",
        "export.csv",
    ] {
        assert_eq!(mode(name), 0o600, "{name} is {:o}", mode(name));
    }
    drop(holder.stdin.take()); // end of input: the import ends
    holder.wait().unwrap();
}

#[cfg(unix)]
#[test]
fn an_import_killed_midway_leaves_all_or_nothing() {
    use std::io::Write as _;
    let env = TestEnv::new();
    if env.sqlite_only("SQLite's integrity_check after a kill (the server case is its own test)") {
        return;
    }
    env.reference_op();
    // Enough rows that inserts are under way when it is killed (the pipe,
    // held open, is what keeps the import from finishing, not the size).
    let rows = 20_000;
    let mut csv = String::with_capacity(rows * 60);
    csv.push_str("operation,type,date,count,notes\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "nov17-mersey,offender-visit,2017-11-{},1,visit {i}\n",
            13 + i % 7
        ));
    }
    let file = env.write("big.csv", &csv);
    // The file comes through a pipe held open, so the import is certainly
    // still reading (it cannot have committed) when it is killed: killed
    // at a fixed time instead, a fast run could already be past its commit.
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("opweek"))
        .args(["--db", env.db.to_str().unwrap(), "import", "/dev/stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(csv.as_bytes()).unwrap();
    // Every row is in; rows are being inserted, uncommitted.
    std::thread::sleep(std::time::Duration::from_millis(400));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    drop(stdin);
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM event", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0, "killed before it finished, yet rows were committed");
    // The import's history entry went with its rows.
    let entries: i64 = conn
        .query_row(
            "SELECT count(*) FROM event_history WHERE action = 'import'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(entries, 0);
    drop(conn);
    assert!(env.ok(&["check"]).contains("events: as recorded\n"));
    // The database is usable afterwards, and the import can be run again.
    env.ok(&["import", file.to_str().unwrap()]);
    assert!(env
        .ok(&["report", "--format", "csv"])
        .contains(&format!("offender-visit,Offender visits,{rows},\n")));
}

/// A force's later export overlaps what is stored: the rows already there
/// are skipped, and the import's history entry seals the new rows alone
/// (its digest cannot be the one hashed over the whole file while reading).
#[test]
fn an_import_that_skips_stored_rows_seals_only_the_new_ones() {
    let env = TestEnv::new();
    env.reference_op();
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nov2017-merseyside.csv");
    let text = std::fs::read_to_string(&example).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let first_half: Vec<&str> = lines.clone().take(50).collect();
    let part = env.write("part.csv", format!("{header}\n{}\n", first_half.join("\n")));
    env.ok(&["import", part.to_str().unwrap()]);
    let err = env.ok_stderr(&["import", example.to_str().unwrap()]);
    assert_eq!(
        err,
        "nov2017-merseyside.csv: imported 57 events, skipped 50 already stored\n"
    );
    let out = env.ok(&["check"]);
    assert!(out.contains("events: as recorded\n"), "{out}");
    let reasons: Vec<String> = env
        .query("SELECT reason FROM event_history ORDER BY seq")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(reasons, ["new operation", "50 new events", "57 new events"]);
}
