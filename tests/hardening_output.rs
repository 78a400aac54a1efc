//! Output hardening (issue 9): every user value escaped for the format it
//! lands in (CSV formula guard, Markdown, terminal), and the report formats
//! agreeing on change percentages, provisional figures, the chain head,
//! empty `--by` values and quiet days; phrases, plurals and the default
//! wording of a type's bullet.

use crate::env::TestEnv;

/// The history chain head as `check` prints it.
fn head(env: &TestEnv) -> String {
    env.ok(&["check"])
        .lines()
        .find_map(|l| l.strip_prefix("chain head: "))
        .expect("check prints the chain head")
        .to_string()
}

fn log(env: &TestEnv, args: &[&str]) {
    let mut all = vec!["log"];
    all.extend_from_slice(args);
    env.ok(&all);
}

#[test]
fn every_report_and_list_csv_guards_formulas() {
    let env = TestEnv::new();
    env.reference_op();
    env.ok(&["type", "add", "evil", "--label", "=HYPERLINK(\"x\")"]);
    log(
        &env,
        &[
            "evil",
            "--date",
            "2017-11-14",
            "--officer",
            "=1+2",
            "--team",
            "+44 151 777",
            "--area",
            "@SUM(A1)",
        ],
    );
    for (by, cell) in [
        ("officer", "'=1+2"),
        ("team", "'+44 151 777"),
        ("area", "'@SUM(A1)"),
    ] {
        let csv = env.ok(&["report", "--by", by, "--format", "csv"]);
        assert_eq!(
            csv,
            format!("{by},type,label,count,value\n{cell},evil,\"'=HYPERLINK(\"\"x\"\")\",1,\n"),
            "--by {by}"
        );
    }
    let list = env.ok(&["list", "--format", "csv"]);
    let rec = csv::Reader::from_reader(list.as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(&rec[8], "'+44 151 777");
    assert_eq!(&rec[9], "'@SUM(A1)");
    assert_eq!(&rec[10], "'=1+2");
}

#[test]
fn markdown_shows_every_value_as_literal_text() {
    let env = TestEnv::new();
    env.ok(&[
        "op",
        "add",
        "md-week",
        "--title",
        "<b>Week</b> *one*",
        "--start",
        "2017-11-13",
    ]);
    for area in [
        "<script>alert(1)</script>",
        "*bold*",
        "a \\| b",
        "`code`",
        "# heading",
        "[link](http://x)",
        "**Team 5**",
    ] {
        log(&env, &["warrant", "--date", "2017-11-14", "--area", area]);
    }
    let md = env.ok(&["report", "--by", "area", "--format", "markdown"]);
    assert!(
        md.starts_with("**&lt;b&gt;Week&lt;/b&gt; \\*one\\* (md-week)** — 13–19 November 2017\n"),
        "{md}"
    );
    for row in [
        "| &lt;script&gt;alert(1)&lt;/script&gt; | Warrants | 1 |\n",
        "| \\*bold\\* | Warrants | 1 |\n",
        "| a \\\\\\| b | Warrants | 1 |\n",
        "| \\`code\\` | Warrants | 1 |\n",
        "| \\# heading | Warrants | 1 |\n",
        "| \\[link\\](http://x) | Warrants | 1 |\n",
        "| \\*\\*Team 5\\*\\* | Warrants | 1 |\n",
        "|  | **Total** | **7** |\n",
    ] {
        assert!(md.contains(row), "{row}\n{md}");
    }
    // Seven rows, a header, a rule and the total: no cell split by a `|`.
    let table: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(table.len(), 10, "{md}");
    assert!(table.iter().all(|l| {
        let unescaped = l.replace("\\\\", "").replace("\\|", "");
        unescaped.matches('|').count() == 4
    }));
}

#[test]
fn terminal_output_shows_control_characters_and_data_keeps_them() {
    let env = TestEnv::new();
    let esc = "\u{1b}[2J\u{1b}]0;owned\u{7}";
    env.ok(&[
        "op",
        "add",
        "esc-week",
        "--title",
        &format!("Week{esc}"),
        "--start",
        "2017-11-13",
        "--force",
        &format!("Force{esc}"),
    ]);
    env.ok(&["type", "add", "esc-type", "--label", &format!("Label{esc}")]);
    log(
        &env,
        &[
            "esc-type",
            "--date",
            "2017-11-14",
            "--officer",
            "4127\u{7f}",
            "--detail",
            &format!("detail{esc}"),
            "--note",
            "tab\there\u{9b}",
        ],
    );
    let id = env.first_id("esc-type");
    let shown = "\\x1b[2J\\x1b]0;owned\\x07";
    for (args, expected) in [
        (vec!["list"], format!("detail{shown}")),
        (vec!["show", id.as_str()], format!("detail{shown}")),
        (vec!["show", id.as_str()], "tab\\there\\x9b".to_string()),
        (vec!["op", "list"], format!("Week{shown}")),
        (vec!["op", "show", "esc-week"], format!("Force{shown}")),
        (vec!["type", "list"], format!("Label{shown}")),
        (vec!["report", "--by", "officer"], "4127\\x7f".to_string()),
        (vec!["report"], format!("Label{shown}")),
        (vec!["report"], format!("Week{shown}")),
        (
            vec!["report", "--format", "briefing"],
            format!("Week{shown}"),
        ),
    ] {
        let out = env.ok(&args);
        assert!(out.contains(&expected), "{args:?}: {expected}\n{out}");
        assert!(
            !out.contains(['\u{1b}', '\u{7}', '\u{7f}', '\u{9b}', '\t']),
            "{args:?} sent a control character: {out:?}"
        );
    }
    // Data formats keep the value as it was typed.
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "--format", "json"])).unwrap();
    assert_eq!(json[0]["detail"], format!("detail{esc}"));
    assert_eq!(json[0]["officer"], "4127\u{7f}");
    let csv = env.ok(&["list", "--format", "csv"]);
    assert!(csv.contains(&format!("detail{esc}")), "{csv:?}");
    let report_csv = env.ok(&["report", "--format", "csv"]);
    assert!(
        report_csv.contains(&format!("Label{esc}")),
        "{report_csv:?}"
    );
}

#[test]
fn a_placeholder_that_may_be_empty_must_stand_in_brackets() {
    let env = TestEnv::new();
    env.reference_op();
    let err = env.rejects(&[
        "type",
        "add",
        "knife-in",
        "--label",
        "Knives taken in",
        "--phrase",
        "took in {count} {noun} from {area} today",
    ]);
    assert!(
        err.contains("\"took in {count} {noun}[ from {area}] today\""),
        "{err}"
    );
    assert!(err.contains("{area}"), "{err}");
    let err = env.rejects(&[
        "type",
        "edit",
        "warrant",
        "--phrase",
        "carried out {count} {noun} for {detail}",
    ]);
    assert!(
        err.contains("\"carried out {count} {noun}[ for {detail}]\""),
        "{err}"
    );
    // The bracketed form is accepted and reads whole either way.
    env.ok(&[
        "type",
        "add",
        "knife-in",
        "--label",
        "Knives taken in",
        "--noun",
        "knife",
        "--phrase",
        "took in {count} {noun}[ from {area}] today",
    ]);
    log(
        &env,
        &["knife-in", "--date", "2017-11-14", "--area", "Wirral"],
    );
    log(
        &env,
        &["knife-in", "--date", "2017-11-15", "--area", "Wirral"],
    );
    let b = env.ok(&["report", "--format", "briefing"]);
    assert!(
        b.contains("- took in two knives from Wirral today\n"),
        "{b}"
    );
    log(
        &env,
        &["knife-in", "--date", "2017-11-15", "--area", "Sefton"],
    );
    let b = env.ok(&["report", "--format", "briefing"]);
    assert!(b.contains("- took in three knives today\n"), "{b}");
}

#[test]
fn plurals_are_english_and_shown_when_a_type_is_added() {
    let env = TestEnv::new();
    env.reference_op();
    for (key, one, many) in [
        ("property-search", "property search", "property searches"),
        ("knife", "knife", "knives"),
        ("party-visit", "party visit", "party visits"),
        (
            "person-safeguarded",
            "person safeguarded",
            "people safeguarded",
        ),
        ("box", "box", "boxes"),
    ] {
        let note = env.ok_stderr(&["type", "add", key, "--label", "L"]);
        assert_eq!(
            note,
            format!(
                "{key}: one {one:?}, several {many:?} (if the plural is wrong: opweek type edit {key} --plural WORDS)\n"
            )
        );
        assert!(env
            .ok(&["type", "list"])
            .contains(&format!("{one} / {many}")));
    }
    log(
        &env,
        &["property-search", "--date", "2017-11-14", "--count", "3"],
    );
    log(&env, &["knife", "--date", "2017-11-14", "--count", "2"]);
    let b = env.ok(&["report", "--format", "briefing"]);
    assert!(b.contains("- recorded three property searches\n"), "{b}");
    assert!(b.contains("- recorded two knives\n"), "{b}");
    // An explicit plural is kept as given.
    env.ok(&[
        "type",
        "add",
        "sheep-rustling",
        "--label",
        "L",
        "--noun",
        "sheep",
        "--plural",
        "sheep",
    ]);
    assert!(env.ok(&["type", "list"]).contains("sheep / sheep"));
}

#[test]
fn a_type_without_a_phrase_gets_a_sentence() {
    let env = TestEnv::new();
    env.reference_op();
    env.ok(&[
        "type",
        "add",
        "knife-surrender",
        "--label",
        "Knife surrenders",
    ]);
    log(
        &env,
        &["knife-surrender", "--date", "2017-11-14", "--count", "4"],
    );
    let b = env.ok(&["report", "--format", "briefing"]);
    assert!(
        b.contains("During the week of action, officers:\n- recorded four knife surrenders\n"),
        "{b}"
    );
    assert!(env
        .ok(&["type", "list"])
        .contains("recorded {count} {noun}"));
}

#[test]
fn compared_percentages_never_round_to_all_or_nothing() {
    let env = TestEnv::new();
    env.ok(&[
        "op",
        "add",
        "oct17",
        "--title",
        "October",
        "--start",
        "2017-10-09",
    ]);
    env.ok(&[
        "op",
        "add",
        "nov17",
        "--title",
        "November",
        "--start",
        "2017-11-13",
    ]);
    log(
        &env,
        &["warrant", "--date", "2017-10-10", "--count", "1000"],
    );
    log(&env, &["warrant", "--date", "2017-11-14", "--count", "4"]);
    log(&env, &["arrest", "--date", "2017-10-10", "--count", "1000"]);
    log(&env, &["arrest", "--date", "2017-11-14", "--count", "1001"]);
    let compare = |format: &str| {
        env.ok(&[
            "report",
            "--op",
            "nov17",
            "--compare",
            "oct17",
            "--format",
            format,
        ])
    };
    let table = compare("table");
    assert!(
        table
            .lines()
            .any(|l| l.contains("Warrants") && l.contains("−996 (−99.6%)")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.contains("Arrests") && l.contains("+1 (+0.1%)")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.contains("Total") && l.contains("−995 (−50%)")),
        "{table}"
    );
    let md = compare("markdown");
    assert!(
        md.contains("| Warrants | 4 | 1,000 | −996 (−99.6%) |\n"),
        "{md}"
    );
    assert!(
        md.contains("| Arrests | 1,001 | 1,000 | +1 (+0.1%) |\n"),
        "{md}"
    );
    assert!(
        md.contains("| **Total** | **1,005** | **2,000** | **−995 (−50%)** |\n"),
        "{md}"
    );
    assert_eq!(
        compare("csv"),
        "type,label,count,value,compare,change,change_pct,compare_value,value_change\n\
         warrant,Warrants,4,,1000,-996,-99.6,,\n\
         arrest,Arrests,1001,,1000,1,0.1,,\n"
    );
    let json: serde_json::Value = serde_json::from_str(&compare("json")).unwrap();
    assert_eq!(json["rows"][0]["change_pct"], -99.6);
    assert_eq!(json["rows"][1]["change_pct"], 0.1);
}

#[test]
fn provisional_marks_title_and_figures_and_says_why() {
    let env = TestEnv::new();
    env.reference_op();
    log(&env, &["warrant", "--date", "2017-11-14"]);
    let md = env.ok(&[
        "report",
        "--format",
        "markdown",
        "--provisional",
        "exhibits still being counted",
    ]);
    assert_eq!(
        md,
        format!(
            "**PROVISIONAL — Week of action (nov17-mersey), Merseyside Police Sex Offender Unit** — 13–19 November 2017\n\
             \n\
             | Activity | Count (provisional) |\n\
             |---|---:|\n\
             | Warrants | 1 |\n\
             | **Total** | **1** |\n\
             \n\
             These figures are provisional: exhibits still being counted.\n\
             \n\
             Record check: history chain head {} (verify with `opweek check`).\n\
             \n\
             Provisional figures: nov17-mersey is not signed off.\n",
            head(&env)
        )
    );
    // Bare, before another flag.
    let b = env.ok(&["report", "--provisional", "--format", "briefing"]);
    assert!(b.starts_with("PROVISIONAL — Week of action"), "{b}");
    assert!(
        b.contains("officers (provisional figures):\n- carried out one warrant\n"),
        "{b}"
    );
    assert!(
        b.contains("\nThese figures are provisional.\n\nRecord check:"),
        "{b}"
    );
    let table = env.ok(&["report", "--provisional", "<b>why</b>"]);
    assert!(table.starts_with("PROVISIONAL — "), "{table}");
    assert!(table.contains("Count (provisional)"), "{table}");
    assert!(
        table.ends_with("These figures are provisional: <b>why</b>.\n"),
        "{table}"
    );
    let md = env.ok(&[
        "report",
        "--format",
        "markdown",
        "--provisional",
        "<b>why</b>",
    ]);
    assert!(
        md.contains("\nThese figures are provisional: &lt;b&gt;why&lt;/b&gt;.\n"),
        "{md}"
    );
    let json: serde_json::Value = serde_json::from_str(&env.ok(&[
        "report",
        "--format",
        "json",
        "--provisional",
        "still counting",
    ]))
    .unwrap();
    assert_eq!(json["provisional"], true);
    assert_eq!(json["provisional_reason"], "still counting");
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["report", "--format", "json"])).unwrap();
    assert_eq!(json["provisional"], false);
    assert_eq!(json["provisional_reason"], serde_json::Value::Null);
    // CSV cannot carry it: the user is told, the data stays the contract's.
    let out = env.run(&["report", "--format", "csv", "--provisional"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "type,label,count,value\nwarrant,Warrants,1,\n"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("note: CSV has no place to mark figures as provisional"),
        "{err}"
    );
    assert!(env.ok_stderr(&["report", "--format", "csv"]).is_empty());
}

#[test]
fn json_carries_the_chain_head_and_empty_by_values_have_one_spelling_per_format() {
    let env = TestEnv::new();
    env.reference_op();
    log(
        &env,
        &["warrant", "--date", "2017-11-14", "--team", "Alpha"],
    );
    log(&env, &["warrant", "--date", "2017-11-15"]);
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["report", "--by", "team", "--format", "json"])).unwrap();
    assert_eq!(json["chain_head"], head(&env));
    assert_eq!(json["rows"][0]["team"], "Alpha");
    assert_eq!(json["rows"][1]["team"], serde_json::Value::Null);
    assert_eq!(
        env.ok(&["report", "--by", "team", "--format", "csv"]),
        "team,type,label,count,value\nAlpha,warrant,Warrants,1,\n,warrant,Warrants,1,\n"
    );
    let md = env.ok(&["report", "--by", "team", "--format", "markdown"]);
    assert!(md.contains("| (none) | Warrants | 1 |\n"), "{md}");
    let table = env.ok(&["report", "--by", "team"]);
    assert!(
        table
            .lines()
            .any(|l| l.contains("(none)") && l.contains("Warrants")),
        "{table}"
    );
}

#[test]
fn by_day_lists_every_day_in_every_format() {
    let env = TestEnv::new();
    env.reference_op();
    log(&env, &["warrant", "--date", "2017-11-16", "--count", "4"]);
    log(&env, &["arrest", "--date", "2017-11-13"]);
    assert_eq!(
        env.ok(&["report", "--by", "day", "--format", "csv"]),
        "day,type,label,count,value\n\
         2017-11-13,arrest,Arrests,1,\n\
         2017-11-14,,,0,\n\
         2017-11-15,,,0,\n\
         2017-11-16,warrant,Warrants,4,\n\
         2017-11-17,,,0,\n\
         2017-11-18,,,0,\n\
         2017-11-19,,,0,\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["report", "--by", "day", "--format", "json"])).unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 7);
    assert_eq!(
        rows[1],
        serde_json::json!({"day": "2017-11-14", "type": null, "label": null, "count": 0, "value": null, "measure": null})
    );
    assert_eq!(rows[3]["count"], 4);
    assert_eq!(json["total"], 5);
    let md = env.ok(&["report", "--by", "day", "--format", "markdown"]);
    assert!(
        md.contains(
            "| 2017-11-13 | Arrests | 1 |\n\
             | 2017-11-14 | — | 0 |\n\
             | 2017-11-15 | — | 0 |\n\
             | 2017-11-16 | Warrants | 4 |\n\
             | 2017-11-17 | — | 0 |\n\
             | 2017-11-18 | — | 0 |\n\
             | 2017-11-19 | — | 0 |\n\
             |  | **Total** | **5** |\n"
        ),
        "{md}"
    );
}
