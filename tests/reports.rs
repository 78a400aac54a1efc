//! Reports beyond the tallies: the press briefing, markdown, comparison with
//! another week, campaigns rolled up by force, and the table's shape.

use std::collections::BTreeMap;

use crate::env::TestEnv;

fn demo() -> TestEnv {
    let env = TestEnv::new();
    env.ok(&["demo"]);
    env
}

/// The footer of signed-off reports: the chain head as `check` prints it
/// (every write is in the chain, so it depends on when the demo was built).
fn record_check(env: &TestEnv) -> String {
    let check = env.ok(&["check"]);
    let head = check
        .lines()
        .find_map(|l| l.strip_prefix("chain head: "))
        .unwrap();
    format!("Record check: history chain head {head} (verify with `opweek check`).\n")
}

#[test]
fn the_reference_week_briefing_reads_like_the_published_bullets() {
    let env = demo();
    let briefing = env.ok(&["report", "--op", "nov17-mersey", "--format", "briefing"]);
    assert_eq!(
        briefing,
        "Week of action (nov17-mersey), Merseyside Police Sex Offender Unit — 13–19 November 2017\n\
         \n\
         During the week of action, officers:\n\
         - visited 80 registered sex offenders to ensure they were abiding by their sexual harm prevention orders\n\
         - carried out nine warrants in relation to making indecent images of children\n\
         - seized six electronic devices for further examination\n\
         - arrested one person on suspicion of rape\n\
         - made three safeguarding visits to children in relation to internet offences\n\
         - identified two victims of these crimes during forensic examinations\n\
         - delivered nine training sessions to schools across Merseyside to teach children about child sexual and criminal exploitation, in conjunction with Catch 22 Pan Merseyside Child Exploitation Service\n\
         \n"
            .to_string()
            + &record_check(&env)
            + "\nProvisional figures: nov17-mersey is not signed off.\n"
    );
    for published in [
        "visited 80 registered sex offenders",
        "carried out nine warrants in relation to making indecent images of children",
        "arrested one",
        "made three safeguarding visits to children in relation to internet offences",
        "identified two victims of these crimes during forensic examinations",
        "delivered nine training sessions to schools across Merseyside",
        "in conjunction with Catch 22 Pan Merseyside Child Exploitation Service",
    ] {
        assert!(briefing.contains(published), "{published}");
    }
}

#[test]
fn briefing_words_follow_the_events_and_the_types_phrase() {
    let env = TestEnv::new();
    env.reference_op();
    // Details that differ are left out rather than guessed.
    env.ok(&[
        "log",
        "warrant",
        "--date",
        "2017-11-14",
        "--detail",
        "fraud",
    ]);
    env.ok(&[
        "log",
        "warrant",
        "--date",
        "2017-11-15",
        "--detail",
        "theft",
    ]);
    env.ok(&["log", "arrest", "--date", "2017-11-15", "--count", "2131"]);
    let b = env.ok(&["report", "--format", "briefing", "--provisional"]);
    assert!(b.contains("- carried out two warrants\n"), "{b}");
    assert!(b.contains("- arrested 2,131 people\n"), "{b}");
    assert!(b.contains("\nThese figures are provisional.\n"), "{b}");

    env.ok(&[
        "type",
        "edit",
        "arrest",
        "--noun",
        "male offender",
        "--plural",
        "male offenders",
    ]);
    env.ok(&[
        "type",
        "edit",
        "warrant",
        "--phrase",
        "executed {count} {noun}[ ({detail})]",
    ]);
    let b = env.ok(&["report", "--format", "briefing"]);
    assert!(b.contains("- executed two warrants\n"), "{b}");
    assert!(b.contains("- arrested 2,131 male offenders\n"), "{b}");

    let before = env.snapshot();
    for phrase in ["did {count} {colour}", "did {count} [a", "did things"] {
        env.rejects(&["type", "edit", "warrant", "--phrase", phrase]);
    }
    env.rejects(&["type", "edit", "burglary", "--label", "B"]);
    assert_eq!(env.snapshot(), before);

    // A retired type keeps its events but takes no new ones.
    env.ok(&["type", "retire", "warrant"]);
    let err = env.rejects(&["log", "warrant", "--date", "2017-11-15"]);
    assert!(err.contains("retired"), "{err}");
    assert!(env
        .ok(&["report", "--format", "csv"])
        .contains("warrant,Warrants,2,\n"));
}

/// Retiring a type must not lock its events: they can still be corrected,
/// and an export holding them can still be re-imported (skipped, not
/// refused). What it refuses is new events: logged, moved into it by an
/// amendment, or imported.
#[test]
fn a_retired_type_keeps_its_events_correctable_and_re_importable() {
    let env = demo();
    let export = env.path("export.csv");
    env.ok(&["export", "-o", export.to_str().unwrap()]);
    env.ok(&["type", "retire", "school-session"]);

    let err = env.ok_stderr(&["import", export.to_str().unwrap()]);
    assert_eq!(
        err,
        "export.csv: imported 0 events, skipped 107 already stored\n"
    );

    let session = env.first_id("school-session");
    env.ok(&["amend", &session, "--count", "2", "--reason", "two classes"]);
    assert!(env
        .ok(&["report", "--format", "csv"])
        .contains("school-session,School sessions,10,\n"));

    let warrant = env.first_id("warrant");
    assert_eq!(
        env.rejects(&[
            "amend",
            &warrant,
            "--type",
            "school-session",
            "--reason",
            "x"
        ]),
        "error: activity type \"school-session\" is retired and takes no new events"
    );
    let new = env.write(
        "new.csv",
        "operation,type,date\n\
         nov17-mersey,warrant,2017-11-14\n\
         nov17-mersey,school-session,2017-11-15\n",
    );
    let before = env.snapshot();
    let err = env.fails(1, &["import", new.to_str().unwrap()]);
    let name = new.display();
    assert_eq!(
        err,
        format!(
            "{name}:3: type: activity type \"school-session\" is retired and takes no new events\n\
             error: 1 invalid row in {name}; nothing was imported\n"
        )
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn markdown_is_a_table_to_paste() {
    let env = demo();
    let md = env.ok(&["report", "--op", "nov17-mersey", "--format", "markdown"]);
    assert_eq!(
        md,
        "**Week of action (nov17-mersey), Merseyside Police Sex Offender Unit** — 13–19 November 2017\n\
         \n\
         | Activity | Count |\n\
         |---|---:|\n\
         | Offender visits | 80 |\n\
         | Warrants | 9 |\n\
         | Device seizures | 6 |\n\
         | Arrests | 1 |\n\
         | Safeguarding visits | 3 |\n\
         | Victims identified | 2 |\n\
         | School sessions | 9 |\n\
         | **Total** | **110** |\n\
         \n"
            .to_string()
            + &record_check(&env)
            + "\nProvisional figures: nov17-mersey is not signed off.\n"
    );
}

#[test]
fn signed_off_reports_carry_the_history_chain_head() {
    let env = demo();
    env.ok(&[
        "amend",
        "015fb413",
        "--count",
        "2",
        "--reason",
        "two warrants on one address",
    ]);
    let check = env.ok(&["check"]);
    let head = check
        .lines()
        .find_map(|l| l.strip_prefix("chain head: "))
        .unwrap()
        .to_string();
    assert_eq!(head.len(), 64);
    for format in ["markdown", "briefing"] {
        let out = env.ok(&["report", "--format", format]);
        assert!(out.contains(&format!("history chain head {head}")), "{out}");
    }
}

#[test]
fn compare_shows_this_week_against_the_last() {
    let env = TestEnv::new();
    env.ok(&[
        "op",
        "add",
        "oct17",
        "--title",
        "October week",
        "--start",
        "2017-10-09",
    ]);
    env.ok(&[
        "op",
        "add",
        "nov17",
        "--title",
        "November week",
        "--start",
        "2017-11-13",
    ]);
    for (date, t, n) in [
        ("2017-10-10", "warrant", "6"),
        ("2017-10-10", "arrest", "2"),
        ("2017-10-11", "school-session", "4"),
        ("2017-11-14", "warrant", "9"),
        ("2017-11-14", "arrest", "1"),
        ("2017-11-15", "offender-visit", "80"),
    ] {
        env.ok(&["log", t, "--date", date, "--count", n]);
    }
    let csv = env.ok(&[
        "report",
        "--op",
        "nov17",
        "--compare",
        "oct17",
        "--format",
        "csv",
    ]);
    assert_eq!(
        csv,
        "type,label,count,value,compare,change,change_pct,compare_value,value_change\n\
         offender-visit,Offender visits,80,,0,80,,,\n\
         warrant,Warrants,9,,6,3,50.0,,\n\
         arrest,Arrests,1,,2,-1,-50.0,,\n\
         school-session,School sessions,0,,4,-4,-100.0,,\n"
    );
    let json: serde_json::Value = serde_json::from_str(&env.ok(&[
        "report",
        "--op",
        "nov17",
        "--compare",
        "oct17",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(json["compare"]["operation"], "oct17");
    assert_eq!(json["compare"]["total"], 12);
    assert_eq!(json["rows"][1]["change"], 3);
    assert_eq!(json["rows"][1]["change_pct"], 50.0);
    let table = env.ok(&["report", "--op", "nov17", "--compare", "oct17"]);
    assert!(
        table
            .lines()
            .any(|l| l.contains("Warrants") && l.contains("+3 (+50%)")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.contains("Arrests") && l.contains("−1 (−50%)")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.contains("Offender visits") && l.contains("+80 (new)")),
        "{table}"
    );
    // The headline: this week's total against the last one's.
    assert!(
        table
            .lines()
            .any(|l| l.contains("Total") && l.contains("90") && l.contains("+78 (+650%)")),
        "{table}"
    );
    let md = env.ok(&[
        "report",
        "--op",
        "nov17",
        "--compare",
        "oct17",
        "--format",
        "markdown",
    ]);
    assert!(
        md.contains(
            "| Activity | Count | oct17 | Change |\n\
             |---|---:|---:|---:|\n\
             | Offender visits | 80 | 0 | +80 (new) |\n\
             | Warrants | 9 | 6 | +3 (+50%) |\n\
             | Arrests | 1 | 2 | −1 (−50%) |\n\
             | School sessions | 0 | 4 | −4 (−100%) |\n\
             | **Total** | **90** | **12** | **+78 (+650%)** |\n"
        ),
        "{md}"
    );

    env.rejects(&["report", "--op", "nov17", "--compare", "sep17"]);
    let err = env.rejects(&[
        "report",
        "--op",
        "nov17",
        "--compare",
        "oct17",
        "--by",
        "day",
    ]);
    assert!(err.contains("--compare cannot go with --by day"), "{err}");
}

#[test]
fn by_day_table_shows_every_day_in_order_with_zeros_and_bars() {
    let env = TestEnv::new();
    env.reference_op();
    env.ok(&["log", "warrant", "--date", "2017-11-16", "--count", "4"]);
    env.ok(&["log", "arrest", "--date", "2017-11-13"]);
    let table = env.ok(&["report", "--by", "day"]);
    let days: Vec<&str> = table
        .lines()
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("2017-11-1")))
        .collect();
    assert_eq!(
        days,
        [
            "2017-11-13",
            "2017-11-14",
            "2017-11-15",
            "2017-11-16",
            "2017-11-17",
            "2017-11-18",
            "2017-11-19"
        ]
    );
    let quiet = table.lines().find(|l| l.contains("2017-11-14")).unwrap();
    assert!(quiet.contains(" 0 "), "{quiet}");
    let busy = table.lines().find(|l| l.contains("2017-11-16")).unwrap();
    assert!(busy.contains(&"█".repeat(20)), "{busy}");
    let small = table.lines().find(|l| l.contains("2017-11-13")).unwrap();
    assert!(small.contains("█████"), "{small}");
}

#[test]
fn the_six_force_regional_report_adds_up() {
    let env = TestEnv::new();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/regional/load.sh");
    for _ in 0..2 {
        // Loading twice must not double count.
        let out = std::process::Command::new("sh")
            .arg(&script)
            .arg(&env.db)
            .env("OPWEEK", assert_cmd::cargo::cargo_bin("opweek"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let csv = env.ok(&[
        "report",
        "--campaign",
        "nw-nov17",
        "--by",
        "force",
        "--format",
        "csv",
    ]);
    let mut by_force: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_type: BTreeMap<String, i64> = BTreeMap::new();
    for rec in csv::Reader::from_reader(csv.as_bytes()).records() {
        let rec = rec.unwrap();
        let n: i64 = rec[3].parse().unwrap();
        *by_force.entry(rec[0].to_string()).or_default() += n;
        *by_type.entry(rec[1].to_string()).or_default() += n;
    }
    let expected: BTreeMap<String, i64> = [
        ("Cheshire Constabulary", 67),
        ("Cumbria Constabulary", 36),
        ("Greater Manchester Police", 261),
        ("Lancashire Constabulary", 135),
        ("Merseyside Police", 110),
        ("North Wales Police", 46),
    ]
    .iter()
    .map(|(f, n)| (f.to_string(), *n))
    .collect();
    assert_eq!(by_force, expected);
    // The roll-up by type is the same total, and matches the campaign report.
    let campaign = env.ok(&["report", "--campaign", "nw-nov17", "--format", "csv"]);
    let mut campaign_by_type: BTreeMap<String, i64> = BTreeMap::new();
    for rec in csv::Reader::from_reader(campaign.as_bytes()).records() {
        let rec = rec.unwrap();
        campaign_by_type.insert(rec[0].to_string(), rec[2].parse().unwrap());
    }
    assert_eq!(campaign_by_type, by_type);
    assert_eq!(by_type.values().sum::<i64>(), 655);
    assert_eq!(by_force["Merseyside Police"], 110);
}
