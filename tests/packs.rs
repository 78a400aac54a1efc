//! Type packs, values through `log` and `import`, the example weeks with
//! money, and `demo county-lines|knife-crime` (issue 11: 4, 6 and the
//! acceptance, down to the exact money in every report format).

use std::path::Path;

use crate::env::TestEnv;

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .to_str()
        .expect("utf-8 path")
        .to_string()
}

fn history_actions(env: &TestEnv) -> Vec<String> {
    env.query("SELECT action || ' ' || coalesce(subject, '') FROM event_history ORDER BY seq")
        .into_iter()
        .map(|r| r[0].clone())
        .collect()
}

fn county_lines_op(env: &TestEnv) {
    env.ok(&[
        "op",
        "add",
        "cl-oct23-mersey",
        "--title",
        "County lines intensification week",
        "--start",
        "2023-10-09",
        "--force",
        "Merseyside Police",
    ]);
}

#[test]
fn pack_list_shows_each_pack_with_its_types_and_measures() {
    let env = TestEnv::new();
    let out = env.ok(&["type", "pack", "list"]);
    assert!(out.starts_with(
        "county-lines: county-lines intensification week: drug lines, cuckooing, drugs and cash\n\
         \x20 arrest              Arrests\n\
         \x20 warrant             Warrants\n\
         \x20 line-closure        Drug lines closed\n\
         \x20 cuckooing-visit     Cuckooing visits\n\
         \x20 person-safeguarded  Vulnerable people safeguarded\n\
         \x20 drug-seizure        Drug seizures                  money (pounds)\n\
         \x20 cash-seizure        Cash seizures                  money (pounds)\n\
         \x20 weapon-seizure      Weapons recovered\n\
         \x20 vehicle-seizure     Vehicles seized\n\
         \x20 phone-seizure       Mobile phones seized\n\
         \x20 engagement-event    Engagement events\n\n\
         knife-crime: "
    ), "{out}");
    for key in [
        "knife-surrendered",
        "stop-search",
        "suspect-interviewed",
        "child-safeguarded",
    ] {
        assert!(out.contains(&format!("  {key} ")), "{key}: {out}");
    }
    assert!(out.contains("\n\nonline-cse: "), "{out}");
    // The packs are the binary's own: listing them creates no database.
    assert!(!env.db_exists());
}

#[test]
fn pack_add_adds_what_is_missing_once_with_one_history_entry() {
    let env = TestEnv::new();
    // Pack add records something, so it may create the database.
    let out = env.run(&["type", "pack", "add", "county-lines"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "line-closure\ncuckooing-visit\nperson-safeguarded\ndrug-seizure\ncash-seizure\n\
         weapon-seizure\nvehicle-seizure\nphone-seizure\nengagement-event\n"
    );
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "Added 9 activity types from pack county-lines; already there, kept as they are: arrest, warrant.\n"
    );
    assert_eq!(
        history_actions(&env),
        ["type-pack-add pack:county-lines"],
        "one history entry for the whole pack"
    );
    let types = env.ok(&["type", "list"]);
    assert!(types.contains("cash-seizure"), "{types}");
    assert!(env.ok(&["check"]).contains("events: as recorded"));

    // Twice: nothing added, and it says so; the database is untouched.
    let before = env.snapshot();
    let out = env.run(&["type", "pack", "add", "county-lines"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "Nothing added: every type of pack county-lines is already in the database.\n"
    );
    assert_eq!(env.snapshot(), before);

    // Another pack adds only its own new types, again as one entry.
    let out = env.ok(&["type", "pack", "add", "knife-crime"]);
    assert_eq!(out.lines().count(), 7, "{out}");
    assert_eq!(history_actions(&env).len(), 2);
    env.ok(&["check"]);
}

#[test]
fn a_pack_type_whose_key_measures_something_else_is_reported_not_overwritten() {
    let env = TestEnv::new();
    env.ok(&[
        "type",
        "add",
        "cash-seizure",
        "--label",
        "Cash (weighed)",
        "--measure",
        "weight",
    ]);
    let out = env.run(&["type", "pack", "add", "county-lines"]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stdout.contains("cash-seizure"), "{stdout}");
    assert_eq!(stdout.lines().count(), 8, "{stdout}");
    assert!(
        stderr.contains(
            "warning: cash-seizure is already a type measuring weight, but pack county-lines \
             has it measuring money: kept as it is, not overwritten"
        ),
        "{stderr}"
    );
    let row = &env.query("SELECT label, measure FROM activity_type WHERE key = 'cash-seizure'")[0];
    let (label, measure) = (row[0].clone(), row[1].clone());
    assert_eq!(
        (label.as_str(), measure.as_str()),
        ("Cash (weighed)", "weight")
    );
}

#[test]
fn an_unknown_pack_is_refused_with_a_suggestion_and_creates_nothing() {
    let env = TestEnv::new();
    let err = env.rejects(&["type", "pack", "add", "county-line"]);
    assert_eq!(
        err,
        "error: unknown type pack \"county-line\" (did you mean county-lines?)"
    );
    assert!(!env.db_exists());
    let err = env.rejects(&["type", "pack", "add", "burglary"]);
    assert_eq!(
        err,
        "error: unknown type pack \"burglary\" (see `opweek type pack list`)"
    );
}

/// Exact sums of the `value` column per type, in pence, from an export.
fn value_sums(export: &str) -> std::collections::BTreeMap<String, i64> {
    let mut reader = csv::Reader::from_reader(export.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let mut sums = std::collections::BTreeMap::new();
    for rec in reader.records() {
        let rec = rec.unwrap();
        let v = &rec[col("value")];
        if v.is_empty() {
            continue;
        }
        let (pounds, pence) = v.split_once('.').expect("value with pence");
        let pence: i64 = pounds.parse::<i64>().unwrap() * 100 + pence.parse::<i64>().unwrap();
        *sums.entry(rec[col("type")].to_string()).or_default() += pence;
    }
    sums
}

// Acceptance: from an empty database, the pack, then the county-lines week
// logged event by event through the CLI (53 processes).
#[test]
fn a_county_lines_week_logged_through_the_cli_keeps_exact_values() {
    let env = TestEnv::new();
    env.ok(&["type", "pack", "add", "county-lines"]);
    county_lines_op(&env);
    let csv_text = std::fs::read_to_string(example("county-lines-week.csv")).unwrap();
    let all = crate::env::log_args(&csv_text);
    assert!((40..=60).contains(&all.len()), "{} events", all.len());
    for args in &all {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let id = env.ok(&args);
        assert_eq!(id.trim().len(), 36, "log printed {id:?}");
    }

    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "--type", "cash-seizure", "--format", "json"]))
            .unwrap();
    let values: Vec<String> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].to_string())
        .collect();
    assert_eq!(values, ["12000", "63864.5", "1250.5"]);

    let export = env.ok(&["export"]);
    assert!(export.starts_with("id,operation,type,date,time,count,value,force,"));
    let sums = value_sums(&export);
    assert_eq!(sums["cash-seizure"], 7_711_500, "£77,115.00 exactly");
    assert_eq!(sums["drug-seizure"], 22_904_500, "£229,045.00 exactly");
    assert_eq!(sums.len(), 2, "only money types carry values");
    // The export's cash lines carry the values as typed, to the penny.
    for v in [",12000.00,", ",63864.50,", ",1250.50,"] {
        assert!(export.contains(v), "{v}: {export}");
    }
    env.ok(&["check"]);
}

#[test]
fn values_round_trip_through_export_and_import() {
    let a = TestEnv::new();
    a.ok(&["type", "pack", "add", "county-lines"]);
    county_lines_op(&a);
    a.ok(&["import", &example("county-lines-week.csv")]);
    let first = a.ok(&["export"]);
    // The shipped example is itself an export.
    assert_eq!(
        first,
        std::fs::read_to_string(example("county-lines-week.csv")).unwrap()
    );

    let b = TestEnv::new();
    b.ok(&["type", "pack", "add", "county-lines"]);
    county_lines_op(&b);
    let file = b.write("week.csv", &first);
    b.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(b.ok(&["export"]), first);
    // Importing it again skips every row.
    let err = b.ok_stderr(&["import", file.to_str().unwrap()]);
    assert!(
        err.contains("imported 0 events, skipped 53 already stored"),
        "{err}"
    );

    // A file without a value column (the reference week) still imports,
    // and round-trips with an empty value column.
    let c = TestEnv::new();
    c.import_reference_week();
    let reference = c.ok(&["export"]);
    assert!(reference.starts_with("id,operation,type,date,time,count,value,force,"));
    let d = TestEnv::new();
    d.reference_op();
    let file = d.write("ref.csv", &reference);
    d.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(d.ok(&["export"]), reference);
}

#[test]
fn each_refused_value_is_refused_by_log_and_import_changing_nothing() {
    let env = TestEnv::new();
    env.ok(&["type", "pack", "add", "county-lines"]);
    env.ok(&[
        "type",
        "add",
        "cannabis-weight",
        "--label",
        "Cannabis seized (weight)",
        "--measure",
        "weight",
    ]);
    county_lines_op(&env);
    let cases = [
        (
            "arrest",
            "5",
            "\"5\" is a value, but activity type \"arrest\" measures no money or weight",
        ),
        ("cash-seizure", "-5", "\"-5\" is negative"),
        (
            "cash-seizure",
            "1.234",
            "\"1.234\" has too many decimal places",
        ),
        (
            "cannabis-weight",
            "1.2345",
            "\"1.2345\" has too many decimal places",
        ),
        ("cannabis-weight", "£5", "£5"),
        ("cash-seizure", "lots", "\"lots\" is not a valid"),
    ];
    for (ty, value, why) in cases {
        let err = env.rejects(&[
            "log",
            ty,
            "--op",
            "cl-oct23-mersey",
            "--date",
            "2023-10-10",
            "--value",
            value,
        ]);
        assert!(err.contains(why), "log {ty} --value {value}: {err}");

        let file = env.write(
            "bad.csv",
            format!("operation,type,date,count,value\ncl-oct23-mersey,{ty},2023-10-10,1,{value}\n"),
        );
        let before = env.snapshot();
        let err = env.fails(1, &["import", file.to_str().unwrap()]);
        assert_eq!(
            env.snapshot(),
            before,
            "import {ty} {value} changed the database"
        );
        let line = err
            .lines()
            .find(|l| l.contains("bad.csv:2: value: "))
            .unwrap_or_else(|| panic!("no FILE:LINE: value: for {ty} {value}: {err}"));
        assert!(line.contains(why), "import {ty} {value}: {line}");
    }
    // The same values are accepted where they fit.
    env.ok(&[
        "log",
        "cash-seizure",
        "--date",
        "2023-10-10",
        "--value",
        "£1,250.50",
    ]);
    env.ok(&[
        "log",
        "cannabis-weight",
        "--date",
        "2023-10-10",
        "--value",
        "1.234",
    ]);
    let id = env.first_id("cash-seizure");
    env.ok(&["amend", &id, "--reason", "recounted", "--value", "1250.55"]);
    assert!(env.ok(&["export"]).contains(",1250.55,"));
    let err = env.rejects(&["amend", &id, "--reason", "typo", "--value", "-1"]);
    assert!(err.contains("negative"), "{err}");
}

#[test]
fn demo_builds_the_county_lines_and_knife_crime_weeks() {
    let env = TestEnv::new();
    let out = env.ok(&["demo", "county-lines"]);
    assert!(
        out.contains("53 events loaded into the demo database"),
        "{out}"
    );
    assert!(out.contains("Cash seizures"), "{out}");
    assert!(out.contains("During the week of action"), "{out}");
    assert_eq!(value_sums(&env.ok(&["export"]))["cash-seizure"], 7_711_500);

    // Rebuilt in place as another week: the demo database holds only demos.
    // A server's records are never deleted: there the demo is refused,
    // changing nothing, and built in an empty database instead.
    let env = if env.is_pg() {
        let err = env.rejects(&["demo", "knife-crime"]);
        assert!(err.contains("already holds records"), "{err}");
        TestEnv::new()
    } else {
        env
    };
    let out = env.ok(&["demo", "knife-crime"]);
    assert!(
        out.contains("275 events loaded into the demo database"),
        "{out}"
    );
    assert!(
        out.contains("Campaign sceptre-may24 (6 operations)"),
        "{out}"
    );
    let by_force = env.ok(&[
        "report",
        "--campaign",
        "sceptre-may24",
        "--by",
        "force",
        "--format",
        "csv",
    ]);
    for force in [
        "Merseyside Police",
        "Cheshire Constabulary",
        "Greater Manchester Police",
        "Lancashire Constabulary",
        "Cumbria Constabulary",
        "North Wales Police",
    ] {
        assert!(
            by_force.contains(&format!("\n{force},knife-seized,Knives seized,")),
            "{force}: {by_force}"
        );
    }
    // A bare `demo` stays the reference week, and `demo PATH` still works.
    let env = if env.is_pg() { TestEnv::new() } else { env };
    env.ok(&["demo"]);
    assert!(env.ok(&["op", "list"]).contains("nov17-mersey"));
    let path = env.path("elsewhere.db");
    env.ok(&["demo", path.to_str().unwrap()]);
    assert!(path.is_file());
    // A real database is never taken for a demo.
    let real = TestEnv::new();
    county_lines_op(&real);
    real.ok(&[
        "op",
        "add",
        "mine",
        "--title",
        "Mine",
        "--start",
        "2024-01-01",
    ]);
    let err = real.fails(1, &["demo", "county-lines"]);
    assert!(err.contains("not a demo database"), "{err}");
}

#[test]
fn the_knife_crime_exports_import_after_the_pack() {
    let env = TestEnv::new();
    env.ok(&["type", "pack", "add", "knife-crime"]);
    for op in ["mersey", "cheshire", "gmp", "lancs", "cumbria", "nwales"] {
        env.ok(&[
            "op",
            "add",
            &format!("{op}-sceptre"),
            "--title",
            "Knife crime week of action",
            "--start",
            "2024-05-13",
            "--campaign",
            "sceptre-may24",
        ]);
        env.ok(&["import", &example(&format!("knife-crime/{op}-sceptre.csv"))]);
    }
    let csv = env.ok(&["report", "--campaign", "sceptre-may24", "--format", "csv"]);
    assert!(csv.contains("\nknife-seized,Knives seized,85,\n"), "{csv}");
    assert!(csv.contains("\narrest,Arrests,271,\n"), "{csv}");
}

// ---- Report-level money (issue 11 point 2, helper H's report work). These
// need `report` to carry values; run them after merging round2-h. ----------

#[test]
fn county_lines_report_shows_exact_money_in_every_format() {
    let env = TestEnv::new();
    env.ok(&["type", "pack", "add", "county-lines"]);
    county_lines_op(&env);
    env.ok(&["import", &example("county-lines-week.csv")]);
    let csv = env.ok(&["report", "--format", "csv"]);
    // `value` right after `count`, exact to the penny (77115 or 77115.00).
    let value_of = |ty: &str| -> String {
        let line = csv
            .lines()
            .find(|l| l.starts_with(&format!("{ty},")))
            .unwrap_or_else(|| panic!("{ty}: {csv}"));
        line.split(',').nth(3).unwrap().to_string()
    };
    assert!(csv.starts_with("type,label,count,value"), "{csv}");
    assert!(
        ["77115", "77115.00"].contains(&value_of("cash-seizure").as_str()),
        "{csv}"
    );
    assert!(
        ["229045", "229045.00"].contains(&value_of("drug-seizure").as_str()),
        "{csv}"
    );
    let table = env.ok(&["report"]);
    assert!(table.contains("£77,115"), "{table}");
    let markdown = env.ok(&["report", "--format", "markdown"]);
    assert!(markdown.contains("£77,115"), "{markdown}");
    let briefing = env.ok(&["report", "--format", "briefing"]);
    assert!(
        briefing.contains("- seized £77,115 in cash in three seizures\n"),
        "{briefing}"
    );
    assert!(
        briefing.contains(
            "- seized illegal drugs with an estimated street value of £229,045 in seven drugs seizures"
        ),
        "{briefing}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["report", "--format", "json"])).unwrap();
    let cash = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "cash-seizure")
        .unwrap();
    assert_eq!(cash["value"], serde_json::json!(77115));
    assert_eq!(cash["measure"], "money");
}
