//! The core: operations, types, log, list, show, report, export, demo, and
//! bad input that must change nothing.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

use crate::env::TestEnv;

const REFERENCE_CSV: &str = "type,label,count,value\n\
    offender-visit,Offender visits,80,\n\
    warrant,Warrants,9,\n\
    device-seizure,Device seizures,6,\n\
    arrest,Arrests,1,\n\
    safeguarding-visit,Safeguarding visits,3,\n\
    victim-identified,Victims identified,2,\n\
    school-session,School sessions,9,\n";

#[test]
fn reference_week_logged_event_by_event_reports_published_figures() {
    let env = TestEnv::new();
    assert_eq!(env.log_reference_week(), 107);
    let csv = env.ok(&["report", "--op", "nov17-mersey", "--format", "csv"]);
    assert_eq!(csv, REFERENCE_CSV);
    // The same week chosen as an ISO week, or as dates, or by default.
    assert_eq!(
        env.ok(&["report", "--week", "2017-W46", "--format", "csv"]),
        REFERENCE_CSV
    );
    assert_eq!(
        env.ok(&[
            "report",
            "--from",
            "2017-11-13",
            "--to",
            "2017-11-19",
            "--format",
            "csv"
        ]),
        REFERENCE_CSV
    );
    assert_eq!(env.ok(&["report", "--format", "csv"]), REFERENCE_CSV);
    // The week before holds nothing.
    assert_eq!(
        env.ok(&["report", "--week", "2017-W45", "--format", "csv"]),
        "type,label,count,value\n"
    );

    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["report", "--op", "nov17-mersey", "--format", "json"]))
            .unwrap();
    assert_eq!(json["period"]["from"], "2017-11-13");
    assert_eq!(json["period"]["to"], "2017-11-19");
    let rows: Vec<(String, String, i64)> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["type"].as_str().unwrap().to_string(),
                r["label"].as_str().unwrap().to_string(),
                r["count"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, String, i64)> = [
        ("offender-visit", "Offender visits", 80),
        ("warrant", "Warrants", 9),
        ("device-seizure", "Device seizures", 6),
        ("arrest", "Arrests", 1),
        ("safeguarding-visit", "Safeguarding visits", 3),
        ("victim-identified", "Victims identified", 2),
        ("school-session", "School sessions", 9),
    ]
    .iter()
    .map(|(t, l, c)| (t.to_string(), l.to_string(), *c))
    .collect();
    assert_eq!(rows, expected);
    assert_eq!(json["total"], 110);

    // Table: the figures and the total, for a person.
    let table = env.ok(&["report", "--op", "nov17-mersey"]);
    assert!(table.contains("13–19 November 2017"), "{table}");
    for line in ["Offender visits", "Warrants", "School sessions", "Total"] {
        assert!(table.contains(line), "{line} missing:\n{table}");
    }
    assert!(
        table
            .lines()
            .any(|l| l.contains("Offender visits") && l.contains(" 80 ")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.contains("Total") && l.contains(" 110 ")),
        "{table}"
    );

    // Export: the contract's header and one row per event.
    let export = env.ok(&["export"]);
    let mut lines = export.lines();
    assert_eq!(
        lines.next(),
        Some("id,operation,type,date,time,count,value,force,team,area,officer,reference,detail,partner,outcome,notes,recorded_by,recorded_at,status")
    );
    let rows = csv::Reader::from_reader(export.as_bytes())
        .records()
        .count();
    assert_eq!(rows, 107);
}

#[test]
fn by_day_breakdown_matches_the_events() {
    let env = TestEnv::new();
    env.import_reference_week();
    let csv = env.ok(&[
        "report",
        "--op",
        "nov17-mersey",
        "--by",
        "day",
        "--format",
        "csv",
    ]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("day,type,label,count,value"));
    let monday: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("2017-11-13,"))
        .collect();
    assert_eq!(
        monday,
        [
            "2017-11-13,offender-visit,Offender visits,14,",
            "2017-11-13,warrant,Warrants,2,",
            "2017-11-13,device-seizure,Device seizures,3,",
            "2017-11-13,school-session,School sessions,2,",
        ]
    );
    let mut per_day: BTreeMap<String, i64> = BTreeMap::new();
    for l in csv.lines().skip(1) {
        let cells: Vec<&str> = l.split(',').collect();
        *per_day.entry(cells[0].to_string()).or_default() += cells[3].parse::<i64>().unwrap();
    }
    let expected: BTreeMap<String, i64> = [
        ("2017-11-13", 21),
        ("2017-11-14", 22),
        ("2017-11-15", 17),
        ("2017-11-16", 21),
        ("2017-11-17", 16),
        ("2017-11-18", 8),
        ("2017-11-19", 5),
    ]
    .iter()
    .map(|(d, n)| (d.to_string(), *n))
    .collect();
    assert_eq!(per_day, expected);

    let json: serde_json::Value = serde_json::from_str(&env.ok(&[
        "report",
        "--op",
        "nov17-mersey",
        "--by",
        "day",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(json["rows"][0]["day"], "2017-11-13");
    assert_eq!(json["rows"][0]["type"], "offender-visit");
    assert_eq!(json["rows"][0]["count"], 14);
}

#[test]
fn other_breakdowns_sum_to_the_week() {
    let env = TestEnv::new();
    env.import_reference_week();
    for by in ["type", "force", "team", "area", "officer"] {
        let json: serde_json::Value = serde_json::from_str(&env.ok(&[
            "report",
            "--op",
            "nov17-mersey",
            "--by",
            by,
            "--format",
            "json",
        ]))
        .unwrap();
        let sum: i64 = json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["count"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, 110, "--by {by}");
        assert_eq!(json["total"], 110);
    }
    let by_force = env.ok(&["report", "--by", "force", "--format", "csv"]);
    assert!(
        by_force.starts_with(
            "force,type,label,count,value\nMerseyside Police,offender-visit,Offender visits,80,\n"
        ),
        "{by_force}"
    );
}

#[test]
fn operations_and_types_are_listed_and_shown() {
    let env = TestEnv::new();
    env.reference_op();
    let list = env.ok(&["op", "list"]);
    assert!(
        list.lines()
            .any(|l| l.starts_with("nov17-mersey  2017-11-13  2017-11-19")),
        "{list}"
    );
    let show = env.ok(&["op", "show", "nov17-mersey"]);
    assert!(show.contains("Sex Offender Unit"), "{show}");

    let types = env.ok(&["type", "list"]);
    for key in [
        "offender-visit",
        "warrant",
        "device-seizure",
        "arrest",
        "safeguarding-visit",
        "victim-identified",
        "school-session",
    ] {
        assert!(types.contains(key), "{key} missing:\n{types}");
    }
    env.ok(&[
        "type",
        "add",
        "knife-surrender",
        "--label",
        "Knives surrendered",
        "--noun",
        "knife",
        "--plural",
        "knives",
    ]);
    assert!(env.ok(&["type", "list"]).contains("knife-surrender"));
    env.ok(&[
        "log",
        "knife-surrender",
        "--date",
        "2017-11-14",
        "--count",
        "12",
    ]);
    let csv = env.ok(&["report", "--format", "csv"]);
    assert_eq!(
        csv,
        "type,label,count,value\nknife-surrender,Knives surrendered,12,\n"
    );
}

#[test]
fn log_finds_the_operation_from_the_date() {
    let env = TestEnv::new();
    env.reference_op();
    env.ok(&[
        "op",
        "add",
        "nov17-b",
        "--title",
        "Other week",
        "--start",
        "2017-11-19",
    ]);
    // Only nov17-mersey covers the 14th.
    let id = env.ok(&["log", "warrant", "--date", "2017-11-14"]);
    let shown = env.ok(&["show", id.trim()]);
    assert!(shown.contains("nov17-mersey"), "{shown}");
    // The force defaults to the operation's.
    assert!(shown.contains("Merseyside Police"), "{shown}");
    // The 19th is in both: the user must choose.
    let err = env.rejects(&["log", "warrant", "--date", "2017-11-19"]);
    assert_eq!(err, "error: 2017-11-19 falls in several operations (nov17-b, nov17-mersey): choose one with --op");
    env.ok(&["log", "warrant", "--date", "2017-11-19", "--op", "nov17-b"]);
    // No operation covers December.
    let err = env.rejects(&["log", "warrant", "--date", "2017-12-05"]);
    assert!(err.contains("no operation covers 2017-12-05"), "{err}");
}

#[test]
fn log_date_defaults_to_today() {
    let env = TestEnv::new();
    let today = chrono::Local::now().date_naive();
    let start = (today - chrono::Days::new(3)).to_string();
    env.ok(&[
        "op",
        "add",
        "this-week",
        "--title",
        "This week",
        "--start",
        &start,
    ]);
    env.ok(&["log", "arrest"]);
    env.ok(&["log", "arrest", "--date", "yesterday"]);
    let csv = env.ok(&["list", "--format", "csv"]);
    let dates: Vec<String> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap()[3].to_string())
        .collect();
    assert_eq!(
        dates,
        [
            (today - chrono::Days::new(1)).to_string(),
            today.to_string()
        ]
    );
}

#[test]
fn free_text_is_stored_and_exported_exactly() {
    let env = TestEnv::new();
    env.reference_op();
    let note = "Said \"no comment\", then left;\nsecond line — Señor Ó'Brien ✓, 50% done\ttab";
    let id = env.ok(&[
        "log",
        "safeguarding-visit",
        "--date",
        "2017-11-15",
        "--note",
        note,
        "--detail",
        "a,b",
    ]);
    let export = env.ok(&["export"]);
    let mut reader = csv::Reader::from_reader(export.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rec = reader.records().next().unwrap().unwrap();
    let get = |name: &str| rec[header.iter().position(|h| h == name).unwrap()].to_string();
    assert_eq!(get("id"), id.trim());
    assert_eq!(get("notes"), note);
    assert_eq!(get("detail"), "a,b");
    assert_eq!(get("recorded_by"), "test-analyst");
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "--format", "json"])).unwrap();
    assert_eq!(json[0]["notes"], note);
}

#[test]
fn list_filters_by_operation_type_and_dates() {
    let env = TestEnv::new();
    env.import_reference_week();
    let count = |args: &[&str]| {
        let mut all = vec!["list", "--format", "csv"];
        all.extend_from_slice(args);
        csv::Reader::from_reader(env.ok(&all).as_bytes())
            .records()
            .count()
    };
    assert_eq!(count(&[]), 107);
    assert_eq!(count(&["--type", "warrant"]), 9);
    assert_eq!(count(&["--op", "nov17-mersey", "--from", "2017-11-18"]), 13);
    assert_eq!(count(&["--from", "2017-11-13", "--to", "2017-11-13"]), 19);
    let table = env.ok(&["list", "--type", "arrest"]);
    assert!(
        table.contains("rape") && table.contains("CR/17/0881233"),
        "{table}"
    );
    env.rejects(&["list", "--type", "nothing"]);
    env.rejects(&["list", "--op", "nothing"]);
}

/// Ids are UUID v7: their first characters are the time they were made, so
/// events logged within a minute share them. `list` shows each event's
/// random end, and that is what `show`, `amend` and `void` take.
#[test]
fn events_are_named_by_the_short_id_list_shows() {
    let env = TestEnv::new();
    env.reference_op();
    let ids: Vec<String> = ["CR/1", "CR/2", "CR/3"]
        .iter()
        .map(|r| {
            let id = env.ok(&["log", "arrest", "--date", "2017-11-15", "--ref", r]);
            id.trim().to_string()
        })
        .collect();
    let listed = env.ok(&["list"]);
    for (id, r) in ids.iter().zip(["CR/1", "CR/2", "CR/3"]) {
        let short = &id[id.len() - 12..];
        let line = listed
            .lines()
            .find(|l| l.starts_with(short))
            .unwrap_or_else(|| panic!("{short} not listed:\n{listed}"));
        assert!(line.contains(r), "{line}");
        let hyphenated_end = &id[id.len() - 17..];
        for name in [id.as_str(), short, &short.to_uppercase(), hyphenated_end] {
            let shown = env.ok(&["show", name]);
            assert!(
                shown.contains(id.as_str()) && shown.contains(r),
                "{name}: {shown}"
            );
        }
    }
    if ids.iter().all(|id| id[..8] == ids[0][..8]) {
        assert_eq!(
            env.rejects(&["amend", &ids[0][..8], "--count", "2", "--reason", "x"]),
            format!(
                "error: several event ids start or end with {}: give more of the id",
                &ids[0][..8]
            )
        );
    }
    let short = &ids[1][ids[1].len() - 12..];
    env.ok(&["amend", short, "--count", "2", "--reason", "two arrested"]);
    assert!(env.ok(&["show", short]).contains("two arrested"));
    assert_eq!(
        env.rejects(&["show", "0123456789ab"]),
        "error: no event id starts or ends with 0123456789ab (see `opweek list`)"
    );
}

/// Every bad input: exit 1, one `error:` line naming the value and what was
/// expected, and the database exactly as before.
#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let env = TestEnv::new();
    env.reference_op();
    env.ok(&["log", "warrant", "--date", "2017-11-14"]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["log", "warrant", "--date", "2017-02-30"],
            "error: 2017-02-30 is not a valid date (expected YYYY-MM-DD, today or yesterday)",
        ),
        (
            &["log", "warrant", "--date", "2017-11-31"],
            "2017-11-31 is not a valid date",
        ),
        (
            &[
                "log",
                "warrant",
                "--op",
                "nov17-mersey",
                "--date",
                "2017-11-20",
            ],
            "error: 2017-11-20 is outside operation nov17-mersey (2017-11-13 to 2017-11-19)",
        ),
        (
            &["log", "warrant", "--date", "2017-11-14", "--count", "0"],
            "error: \"0\" is not a valid count (expected a whole number of 1 or more)",
        ),
        (
            &["log", "warrant", "--date", "2017-11-14", "--count", "-2"],
            "\"-2\" is not a valid count",
        ),
        (
            &["log", "warrant", "--date", "2017-11-14", "--count", "two"],
            "\"two\" is not a valid count",
        ),
        (
            &["log", "warrant", "--date", "2017-11-14", "--count", "1.5"],
            "\"1.5\" is not a valid count",
        ),
        (
            &["log", "warrant", "--date", "2017-11-14", "--time", "25:00"],
            "\"25:00\" is not a valid time (expected HH:MM",
        ),
        (
            &["log", "burglary", "--date", "2017-11-14"],
            "error: unknown activity type \"burglary\" (see `opweek type list`)",
        ),
        (
            &["log", "warrant", "--op", "dec17", "--date", "2017-11-14"],
            "error: unknown operation \"dec17\" (see `opweek op list`)",
        ),
        (
            &[
                "op",
                "add",
                "nov17-mersey",
                "--title",
                "Again",
                "--start",
                "2017-12-01",
            ],
            "operation \"nov17-mersey\" already exists",
        ),
        (
            &[
                "op",
                "add",
                "dec17",
                "--title",
                "T",
                "--start",
                "2017-12-08",
                "--end",
                "2017-12-01",
            ],
            "error: end date 2017-12-01 is before start date 2017-12-08",
        ),
        (
            &[
                "op",
                "add",
                "Dec 17",
                "--title",
                "T",
                "--start",
                "2017-12-08",
            ],
            "\"Dec 17\" is not a valid operation code",
        ),
        (
            &[
                "op",
                "add",
                "dec17",
                "--title",
                "T",
                "--start",
                "2017-02-30",
            ],
            "2017-02-30 is not a valid date",
        ),
        (&["op", "show", "dec17"], "unknown operation \"dec17\""),
        (
            &["type", "add", "warrant", "--label", "Warrants"],
            "activity type \"warrant\" already exists",
        ),
        (
            &["type", "add", "Knife Crime", "--label", "K"],
            "is not a valid activity type key",
        ),
        (&["report", "--week", "2017-W54"], "2017-W54"),
        (
            &["report", "--week", "2017-W53"],
            "error: 2017-W53 does not exist: 2017 has 52 ISO weeks",
        ),
        (
            &["report", "--week", "2017-46"],
            "error: 2017-46 is not a valid week (expected an ISO week such as 2017-W46)",
        ),
        (
            &["report", "--from", "2017-11-19", "--to", "2017-11-13"],
            "error: --from 2017-11-19 is after --to 2017-11-13",
        ),
        (&["report", "--op", "dec17"], "unknown operation \"dec17\""),
        (
            &["report", "--campaign", "nowhere"],
            "unknown campaign \"nowhere\"",
        ),
        (
            &["show", "0190c1a2-7b3e-7cde-8f00-1234567890ab"],
            "error: no event with id 0190c1a2-7b3e-7cde-8f00-1234567890ab",
        ),
        (
            &["show", "not-an-id"],
            "\"not-an-id\" is not a valid event id",
        ),
        (&["export", "--op", "dec17"], "unknown operation \"dec17\""),
    ];
    for (args, expected) in cases {
        let err = env.rejects(args);
        assert!(
            err.contains(expected),
            "`{}`: expected {expected:?}, got {err:?}",
            args.join(" ")
        );
        assert!(err.starts_with("error: "), "{err}");
    }
}

#[test]
fn usage_mistakes_exit_2() {
    let env = TestEnv::new();
    env.reference_op();
    let before = env.snapshot();
    for args in [
        &["log"][..],
        &["log", "warrant", "--colour", "red"],
        &["report", "--by", "colour"],
        &["report", "--format", "pdf"],
        &["report", "--op", "a", "--campaign", "b"],
        &["op", "add", "x"],
        &["frobnicate"],
    ] {
        env.fails(2, args);
    }
    assert_eq!(env.snapshot(), before);
}

#[test]
fn iso_week_edges_become_report_periods() {
    let env = TestEnv::new();
    env.ok(&[
        "op",
        "add",
        "newyear",
        "--title",
        "New year",
        "--start",
        "2020-12-28",
        "--end",
        "2021-01-10",
    ]);
    let period = |week: &str| {
        let json: serde_json::Value =
            serde_json::from_str(&env.ok(&["report", "--week", week, "--format", "json"])).unwrap();
        (
            json["period"]["from"].as_str().unwrap().to_string(),
            json["period"]["to"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(
        period("2017-W46"),
        ("2017-11-13".into(), "2017-11-19".into())
    );
    assert_eq!(
        period("2020-W53"),
        ("2020-12-28".into(), "2021-01-03".into())
    );
    assert_eq!(
        period("2021-W01"),
        ("2021-01-04".into(), "2021-01-10".into())
    );
    env.ok(&["log", "arrest", "--date", "2021-01-03"]);
    env.ok(&["log", "arrest", "--date", "2021-01-04"]);
    let w53 = env.ok(&["report", "--week", "2020-W53", "--format", "csv"]);
    assert_eq!(w53, "type,label,count,value\narrest,Arrests,1,\n");
}

#[test]
fn database_path_comes_from_the_environment() {
    let env = TestEnv::new();
    let db = env.path("from-env.db");
    let mut cmd = assert_cmd::Command::cargo_bin("opweek").unwrap();
    cmd.env("OPWEEK_DB", &db)
        .args(["op", "add", "x1", "--title", "T", "--start", "2017-11-13"])
        .assert()
        .success();
    assert!(db.exists());
}

#[test]
fn demo_builds_the_reference_week_and_rebuilds_only_a_demo() {
    let env = TestEnv::new();
    let demo = env.path("demo.db");
    let demo_arg = demo.to_str().unwrap();
    for _ in 0..2 {
        let out = env.ok(&["demo", demo_arg]);
        assert!(
            out.lines()
                .any(|l| l.contains("Offender visits") && l.contains(" 80 ")),
            "{out}"
        );
        assert!(
            out.lines()
                .any(|l| l.contains("Warrants") && l.contains(" 9 ")),
            "{out}"
        );
        assert!(out.contains(demo_arg), "{out}");
    }
    let report = assert_cmd::Command::cargo_bin("opweek")
        .unwrap()
        .args(["--db", demo_arg, "report", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(report.stdout).unwrap(), REFERENCE_CSV);

    // A real database is never taken for a demo.
    env.reference_op();
    env.ok(&[
        "op",
        "add",
        "real",
        "--title",
        "Real",
        "--start",
        "2018-01-01",
    ]);
    let before = env.snapshot();
    let err = env.fails(1, &["demo"]);
    assert!(err.contains("not a demo database"), "{err}");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let env = TestEnv::new();
    env.reference_op();
    // 4,000 events, some 600 KiB of export: ten times a pipe's buffer, so
    // the export is still writing when the reader goes away.
    let mut csv = String::from("operation,type,date,officer,notes\n");
    for i in 0..4000 {
        csv.push_str(&format!(
            "nov17-mersey,offender-visit,2017-11-{},{i},visit {i} of the week and a note long enough to fill the pipe quickly\n",
            13 + i % 7
        ));
    }
    let file = env.write("many.csv", csv);
    env.ok(&["import", file.to_str().unwrap()]);
    let export_size = env.ok(&["export"]).len();
    assert!(export_size > 256 * 1024, "{export_size}");

    // `opweek export | head -c 10`: read ten bytes, then close the pipe.
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("opweek"))
        .args(["--db", env.db.to_str().unwrap(), "export"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 10];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    assert_eq!(&first, b"id,operati");
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_database_error_names_its_cause_once() {
    let env = TestEnv::new();
    if env.sqlite_only("writes a text file where the SQLite database goes") {
        return;
    }
    env.write("test.db", "not a database, just text ".repeat(200));
    let err = env.fails(1, &["op", "list"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(err.matches("file is not a database").count(), 1, "{err}");
}

/// `recorded_by` without `--user` or OPWEEK_USER: the login's USER, else the
/// account the process runs as (cron and services may set no USER), never
/// "unknown" on a normal system.
#[test]
fn recorded_by_falls_back_to_the_login_then_the_account() {
    let env = TestEnv::new();
    env.reference_op();
    let account = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let account = String::from_utf8(account.stdout)
        .unwrap()
        .trim()
        .to_string();
    for (user, expected) in [(Some("jsmith"), "jsmith"), (None, account.as_str())] {
        let mut cmd = env.cmd(&["log", "warrant", "--date", "2017-11-14"]);
        cmd.env_remove("OPWEEK_USER")
            .env_remove("USER")
            .env_remove("USERNAME")
            .env_remove("LOGNAME");
        if let Some(u) = user {
            cmd.env("USER", u);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        let id = String::from_utf8(out.stdout).unwrap();
        let shown = env.ok(&["show", id.trim()]);
        let line = shown.lines().find(|l| l.contains("recorded_by")).unwrap();
        assert!(line.contains(expected), "{line}");
    }
}
