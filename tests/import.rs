//! `import`: export → import round trips, idempotent merges, every bad row
//! reported with nothing written, and the CSV variations spreadsheets write.

use crate::env::TestEnv;

/// A database holding the reference week, and its export.
fn exported_week() -> (TestEnv, String) {
    let env = TestEnv::new();
    env.ok(&["demo"]);
    let export = env.ok(&["export"]);
    (env, export)
}

/// A fresh database with the reference operation, ready to import into.
fn fresh() -> TestEnv {
    let env = TestEnv::new();
    env.reference_op();
    env
}

#[test]
fn export_then_import_gives_the_identical_report_and_events() {
    let (source, export) = exported_week();
    let target = fresh();
    let file = target.write("week.csv", &export);
    let err = target.ok_stderr(&["import", file.to_str().unwrap()]);
    assert_eq!(
        err,
        "week.csv: imported 107 events, skipped 0 already stored\n"
    );
    for args in [
        &["report", "--format", "csv"][..],
        &["report", "--by", "day", "--format", "csv"],
    ] {
        assert_eq!(target.ok(args), source.ok(args), "{args:?}");
    }
    // The same figures; the history chains (and so their heads) differ.
    let json = |env: &TestEnv| {
        let mut v: serde_json::Value =
            serde_json::from_str(&env.ok(&["report", "--by", "officer", "--format", "json"]))
                .unwrap();
        v["chain_head"].take();
        v
    };
    assert_eq!(json(&target), json(&source));
    assert_eq!(target.ok(&["export"]), export);
}

#[test]
fn importing_the_same_file_again_changes_nothing() {
    let (_, export) = exported_week();
    let target = fresh();
    let file = target.write("week.csv", &export);
    target.ok(&["import", file.to_str().unwrap()]);
    let before = target.snapshot();
    let err = target.ok_stderr(&["import", file.to_str().unwrap()]);
    assert_eq!(
        err,
        "week.csv: imported 0 events, skipped 107 already stored\n"
    );
    assert_eq!(target.snapshot(), before);
}

fn thousand_rows(bad_line: Option<usize>, end: &str) -> String {
    let mut csv = format!("operation,type,date,count,officer{end}");
    for line in 2..=1001 {
        let day = 13 + (line % 7);
        let date = if Some(line) == bad_line {
            "2017-11-31".to_string()
        } else {
            format!("2017-11-{day}")
        };
        csv.push_str(&format!(
            "nov17-mersey,offender-visit,{date},1,{}{end}",
            4000 + line % 9
        ));
    }
    csv
}

#[test]
fn one_bad_date_at_line_500_of_1000_names_it_and_writes_nothing() {
    let env = fresh();
    // LF, and CRLF as spreadsheets save: the same line either way.
    for end in ["\n", "\r\n"] {
        let file = env.write("big.csv", thousand_rows(Some(500), end));
        let before = env.snapshot();
        let err = env.fails(1, &["import", file.to_str().unwrap()]);
        let name = file.display().to_string();
        assert_eq!(
            err,
            format!(
                "{name}:500: date: 2017-11-31 is not a valid date (expected YYYY-MM-DD or DD/MM/YYYY)\n\
                 error: 1 invalid row in {name}; nothing was imported\n"
            ),
            "line end {end:?}"
        );
        assert_eq!(env.snapshot(), before);
    }

    let good = env.write("good.csv", thousand_rows(None, "\n"));
    env.ok(&["import", good.to_str().unwrap()]);
    assert_eq!(
        env.ok(&["report", "--format", "csv"]),
        "type,label,count,value\noffender-visit,Offender visits,1000,\n"
    );
}

#[test]
fn every_bad_row_is_reported() {
    let env = fresh();
    let file = env.write(
        "bad.csv",
        "operation,type,date,count,notes\n\
         nov17-mersey,warrant,2017-11-14,1,fine\n\
         nov17-mersey,burglary,2017-11-14,0,\"two\nlines\"\n\
         nov17-mersey,warrant,2017-11-25,1,outside\n\
         dec17,warrant,2017-11-14,1,unknown op\n\
         nov17-mersey,warrant,2017-11-14\n",
    );
    let before = env.snapshot();
    let err = env.fails(1, &["import", file.to_str().unwrap()]);
    let name = file.display().to_string();
    let lines: Vec<String> = err.lines().map(|l| l.replace(&name, "FILE")).collect();
    assert_eq!(
        lines,
        [
            "FILE:3: type: unknown activity type \"burglary\" (see `opweek type list`)",
            "FILE:3: count: \"0\" is not a valid count (expected a whole number of 1 or more)",
            "FILE:5: date: 2017-11-25 is outside operation nov17-mersey (2017-11-13 to 2017-11-19)",
            "FILE:7: row: has 3 cells; the header has 5",
            "FILE: operation 'dec17' is not known (1 row; create it with opweek op add or map it with --map-op dec17=CODE)",
            "error: 5 invalid rows in FILE; nothing was imported",
        ]
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn lines_are_named_as_a_spreadsheet_counts_them() {
    // What a spreadsheet saves: a byte-order mark, CRLF line ends, a blank
    // line left in, and a cell over two lines (the row is named by its
    // first line).
    let env = fresh();
    let file = env.write(
        "sheet.csv",
        "\u{feff}operation,type,date,notes\r\n\
         nov17-mersey,warrant,2017-11-14,\"two\r\nlines\"\r\n\
         nov17-mersey,warrant,2017-11-44,line 4\r\n\
         \r\n\
         nov17-mersey,warrant,2017-11-14,\"after a blank line, \r\nover two\"\r\n\
         nov17-mersey,warrant\r\n\
         nov17-mersey,arrest,2017-11-20,line 9\r\n",
    );
    let err = env.rejects(&["import", file.to_str().unwrap()]);
    let name = file.display().to_string();
    assert_eq!(
        err,
        format!("error: 3 invalid rows in {name}; nothing was imported")
    );
    let all = env.fails(1, &["import", file.to_str().unwrap()]);
    let lines: Vec<String> = all.lines().map(|l| l.replace(&name, "FILE")).collect();
    assert_eq!(
        lines,
        [
            "FILE:4: date: 2017-11-44 is not a valid date (expected YYYY-MM-DD or DD/MM/YYYY)",
            "FILE:8: row: has 2 cells; the header has 4",
            "FILE:9: date: 2017-11-20 is outside operation nov17-mersey (2017-11-13 to 2017-11-19)",
            "error: 3 invalid rows in FILE; nothing was imported",
        ]
    );
}

#[test]
fn blank_columns_a_spreadsheet_adds_are_ignored_unless_they_hold_text() {
    let env = fresh();
    // Two unnamed columns after the table, as a spreadsheet saves them.
    let sheet = "operation,type,date,,\r\n\
                 nov17-mersey,warrant,2017-11-14,,\r\n\
                 nov17-mersey,arrest,2017-11-15,,\r\n";
    let file = env.write("sheet.csv", sheet);
    env.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(
        env.ok(&["report", "--format", "csv"]),
        "type,label,count,value\nwarrant,Warrants,1,\narrest,Arrests,1,\n"
    );

    // Text under a column without a name would be lost: refused.
    let file = env.write(
        "notes.csv",
        "operation,type,date,,\n\
         nov17-mersey,warrant,2017-11-14,,\n\
         nov17-mersey,warrant,2017-11-15,,seized from the loft\n",
    );
    let err = env.fails(1, &["import", file.to_str().unwrap()]);
    let name = file.display().to_string();
    assert_eq!(
        err,
        format!(
            "{name}:3: row: column E has text but no name in the header (name the column, or clear it)\n\
             error: 1 invalid row in {name}; nothing was imported\n"
        )
    );
    env.rejects(&["import", file.to_str().unwrap()]);
}

#[test]
fn a_file_that_cannot_be_read_is_one_error() {
    let env = fresh();
    let err = env.rejects(&["import", env.dir().to_str().unwrap()]);
    assert_eq!(
        err.matches("Is a directory").count(),
        1,
        "the cause once, not twice: {err}"
    );
}

#[test]
fn dry_run_writes_nothing() {
    let (_, export) = exported_week();
    let env = fresh();
    let file = env.write("week.csv", &export);
    let before = env.snapshot();
    let err = env.ok_stderr(&["import", file.to_str().unwrap(), "--dry-run"]);
    assert!(
        err.starts_with("week.csv: dry run: 107 rows valid; would import 107 events"),
        "{err}"
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn a_conflicting_id_fails_naming_the_differences() {
    let (_, export) = exported_week();
    let env = fresh();
    let file = env.write("week.csv", &export);
    env.ok(&["import", file.to_str().unwrap()]);
    // The first warrant (line 2), now said to be on another day.
    let mut lines: Vec<String> = export.lines().map(String::from).collect();
    lines[1] = lines[1].replacen(",2017-11-13,06:00,", ",2017-11-14,06:00,", 1);
    let changed = env.write("changed.csv", lines.join("\n") + "\n");
    let before = env.snapshot();
    let err = env.fails(1, &["import", changed.to_str().unwrap()]);
    assert!(err.contains(":2: id: 015fb413-d700-71f2-a652-c83c3459d7ce is already stored with other content: date: stored \"2017-11-13\", file \"2017-11-14\""), "{err}");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn a_row_copied_within_the_file_is_named_as_such() {
    let env = fresh();
    let id = "015fb413-d700-71f2-a652-c83c3459d7ce";
    // The same row twice (an export pasted twice) is one event; a copy
    // edited but keeping its id is an error that says what happened.
    let file = env.write(
        "copied.csv",
        format!(
            "id,operation,type,date,count\n\
             {id},nov17-mersey,warrant,2017-11-14,1\n\
             {id},nov17-mersey,warrant,2017-11-14,1\n\
             {id},nov17-mersey,warrant,2017-11-15,2\n"
        ),
    );
    let err = env.fails(1, &["import", file.to_str().unwrap()]);
    let name = file.display().to_string();
    assert_eq!(
        err,
        format!(
            "{name}:4: id: {id} is on an earlier row of this file with other content \
             (a copied row? clear the id to make it a new event): \
             date: earlier row \"2017-11-14\", file \"2017-11-15\"; count: earlier row \"1\", file \"2\"\n\
             error: 1 invalid row in {name}; nothing was imported\n"
        )
    );
    let file = env.write(
        "twice.csv",
        format!(
            "id,operation,type,date,count\n\
             {id},nov17-mersey,warrant,2017-11-14,1\n\
             {id},nov17-mersey,warrant,2017-11-14,1\n"
        ),
    );
    let err = env.ok_stderr(&["import", file.to_str().unwrap()]);
    assert_eq!(
        err,
        "twice.csv: imported 1 event, skipped 1 already stored\n"
    );
}

#[test]
fn shuffled_columns_bom_and_crlf_are_accepted() {
    let env = fresh();
    let csv = "\u{feff}count,date,type,operation,notes\r\n\
               2,2017-11-14,device-seizure,nov17-mersey,\"from W/17/1, \"\"loft\"\"\"\r\n\
               1,2017-11-15,arrest,nov17-mersey,\r\n";
    let file = env.write("excel.csv", csv);
    env.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(
        env.ok(&["report", "--format", "csv"]),
        "type,label,count,value\ndevice-seizure,Device seizures,2,\narrest,Arrests,1,\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "--format", "json"])).unwrap();
    assert_eq!(json[0]["notes"], "from W/17/1, \"loft\"");
}

#[test]
fn operation_can_come_from_the_command_line() {
    let env = fresh();
    let file = env.write(
        "team.csv",
        "type,date\nwarrant,2017-11-14\nwarrant,2017-11-15\n",
    );
    let err = env.fails(1, &["import", file.to_str().unwrap()]);
    let name = file.display().to_string();
    assert_eq!(
        err,
        format!(
            "{name}:1: header: no operation column: add one, or name the operation with --op\n\
             error: the header of {name} needs fixing (see above); nothing was imported\n"
        )
    );
    let err = env.ok_stderr(&["import", file.to_str().unwrap(), "--op", "nov17-mersey"]);
    assert!(err.contains("imported 2"), "{err}");
    assert!(err.contains("2 rows had no id"), "{err}");
    env.rejects(&["import", file.to_str().unwrap(), "--op", "dec17"]);
    env.rejects(&["import", "no-such-file.csv"]);
}

#[test]
fn spreadsheet_formulas_are_guarded_on_export_and_restored_on_import() {
    let env = fresh();
    let nasty = [
        "=HYPERLINK(\"http://x\",\"y\")",
        "+44 151 777",
        "-3 seized",
        "@SUM(A1)",
        "\tx",
        "'tis",
        "plain",
    ];
    for n in nasty {
        env.ok(&["log", "warrant", "--date", "2017-11-14", "--note", n]);
    }
    let export = env.ok(&["export"]);
    let mut reader = csv::Reader::from_reader(export.as_bytes());
    let notes: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[15].to_string())
        .collect();
    let mut expected: Vec<String> = nasty
        .iter()
        .map(|n| {
            if *n == "plain" {
                n.to_string()
            } else if *n == "\tx" {
                // Surrounding white space is trimmed when stored.
                "x".to_string()
            } else {
                format!("'{n}")
            }
        })
        .collect();
    expected.sort();
    let mut got = notes.clone();
    got.sort();
    assert_eq!(got, expected);
    // Stored data and JSON keep the original text.
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "--format", "json"])).unwrap();
    let mut stored: Vec<String> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["notes"].as_str().unwrap().to_string())
        .collect();
    stored.sort();
    // (as typed, apart from the surrounding white space trimmed when stored)
    let mut original: Vec<String> = nasty.iter().map(|s| s.trim().to_string()).collect();
    original.sort();
    assert_eq!(stored, original);
    // Import restores it exactly.
    let other = fresh();
    let file = other.write("x.csv", &export);
    other.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(other.ok(&["export"]), export);
}

/// The regional merge over a week: a force corrects its records after its
/// first export (an amendment and a void) and sends a new export. Imported
/// plainly, the corrections are conflicts and nothing is written; with
/// `--accept-changes` they are applied, each with its history, and the
/// coordinator's figures match the force's again.
#[test]
fn a_forces_later_export_carries_its_corrections_with_accept_changes() {
    let (force, week1) = exported_week();
    let coordinator = fresh();
    let first = coordinator.write("week1.csv", &week1);
    coordinator.ok(&["import", first.to_str().unwrap()]);

    let (seizure, arrest) = (force.first_id("device-seizure"), force.first_id("arrest"));
    force.ok(&["amend", &seizure, "--count", "1", "--reason", "exhibit log"]);
    force.ok(&["void", &arrest, "--reason", "logged twice"]);
    let second = coordinator.write("week2.csv", force.ok(&["export"]));
    let second = second.to_str().unwrap();
    let tallies = |env: &TestEnv| env.ok(&["report", "--format", "csv"]);
    assert_ne!(tallies(&coordinator), tallies(&force));

    let before = coordinator.snapshot();
    let err = coordinator.fails(1, &["import", second]);
    assert!(
        err.contains(&format!(
            "{seizure} is already stored with other content: count: stored "
        )) && err.contains("import with --accept-changes")
            && err.ends_with(&format!(
                "error: 2 invalid rows in {second}; nothing was imported\n"
            )),
        "{err}"
    );
    // --reason belongs to --accept-changes: a usage error alone.
    coordinator.fails(2, &["import", second, "--reason", "x"]);
    let dry = coordinator.ok_stderr(&["import", second, "--accept-changes", "--dry-run"]);
    assert_eq!(
        dry,
        "week2.csv: dry run: 107 rows valid; would import 0 events, skip 105 already stored, correct 2 (1 voided); nothing written\n"
    );
    assert_eq!(coordinator.snapshot(), before);

    let done = coordinator.ok_stderr(&["import", second, "--accept-changes"]);
    assert_eq!(
        done,
        "week2.csv: imported 0 events, skipped 105 already stored, corrected 2 (1 voided)\n"
    );
    assert_eq!(tallies(&coordinator), tallies(&force));
    let shown = coordinator.ok(&["show", &seizure]);
    assert!(
        shown.contains("amend") && shown.contains(&format!("correction in {second}")),
        "{shown}"
    );
    assert!(coordinator.ok(&["check"]).contains("events: as recorded\n"));

    // The same export again changes nothing, with or without the option.
    for extra in [&[][..], &["--accept-changes"][..]] {
        let mut args = vec!["import", second];
        args.extend_from_slice(extra);
        assert_eq!(
            coordinator.ok_stderr(&args),
            "week2.csv: imported 0 events, skipped 107 already stored\n"
        );
    }
}
