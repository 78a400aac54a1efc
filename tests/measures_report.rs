//! Reports carry the measure everywhere: a county-lines-like week with
//! money and weight, built by one import, reported in every format with
//! exact sums (issue 11, points 2 and 5): values beside counts, totals per
//! measure never mixed with counts or each other, `--compare` with the
//! change in value, `{value}` in briefing phrases, and `--by detail`,
//! `outcome` and `partner`.

use calamine::{Data, Reader};
use serde_json::{json, Value};

use crate::env::TestEnv;

const WEEK: &str = "\
operation,type,date,count,value,detail,partner,outcome
cl-jan24,arrest,2024-01-15,3,,knife crime,,charged
cl-jan24,arrest,2024-01-16,2,,drug supply,NCA,charged
cl-jan24,arrest,2024-01-17,1,,,,
cl-jan24,cash-seizure,2024-01-15,1,12000,,NCA,forfeited
cl-jan24,cash-seizure,2024-01-16,1,\"£1,250.50\",,,forfeited
cl-jan24,cash-seizure,2024-01-18,1,63864.50,,NCA,
cl-jan24,cannabis-seizure,2024-01-16,1,12.2,,,
cl-jan24,cannabis-seizure,2024-01-19,1,0.300,,,
cl-dec23,arrest,2023-12-04,4,,,,
cl-dec23,cash-seizure,2023-12-05,1,0.10,,,
cl-dec23,cash-seizure,2023-12-06,1,0.20,,,
";

/// Two county-lines weeks: January (the one reported) and December (to
/// compare with), types added with their measures, events by one import.
fn week() -> TestEnv {
    let env = TestEnv::new();
    for (code, title, start) in [
        ("cl-jan24", "County lines week", "2024-01-15"),
        ("cl-dec23", "County lines week", "2023-12-04"),
    ] {
        env.ok(&["op", "add", code, "--title", title, "--start", start]);
    }
    // `arrest` is one of the types every database starts with.
    env.ok(&[
        "type",
        "add",
        "cash-seizure",
        "--label",
        "Cash seizures",
        "--noun",
        "cash seizure",
        "--measure",
        "money",
        "--phrase",
        "seized {value} in cash in {count} {noun}",
    ]);
    env.ok(&[
        "type",
        "add",
        "cannabis-seizure",
        "--label",
        "Cannabis seized",
        "--noun",
        "cannabis seizure",
        "--measure",
        "weight",
        "--phrase",
        "seized[ {value} of] cannabis in {count} {noun}",
    ]);
    let file = env.write("week.csv", WEEK);
    let err = env.ok_stderr(&["import", file.to_str().unwrap()]);
    assert!(err.contains("imported 11 events"), "{err}");
    env
}

fn report(env: &TestEnv, extra: &[&str]) -> String {
    let mut args = vec!["report", "--op", "cl-jan24"];
    args.extend_from_slice(extra);
    env.ok(&args)
}

fn json_report(env: &TestEnv, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&report(env, &args)).expect("report JSON")
}

/// The line of `text` that contains `needle`.
fn line<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
}

/// The table's cells on the line holding `needle`, trimmed, borders gone.
fn cells(text: &str, needle: &str) -> Vec<String> {
    line(text, needle)
        .split(['│', '┆', '|'])
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn table_shows_values_and_totals_per_measure() {
    let env = week();
    let t = report(&env, &[]);
    assert_eq!(cells(&t, "Activity")[..3], ["Activity", "Count", "Value"]);
    assert_eq!(cells(&t, "Arrests")[..2], ["Arrests", "6"]);
    assert_eq!(cells(&t, "Arrests").len(), 3, "no value for arrests:\n{t}");
    assert_eq!(
        cells(&t, "Cash seizures")[..3],
        ["Cash seizures", "3", "£77,115"]
    );
    assert_eq!(
        cells(&t, "Cannabis seized")[..3],
        ["Cannabis seized", "2", "12.5 kg"]
    );
    // The count total is counts only; one total per measure.
    assert_eq!(cells(&t, "Total  "), ["Total", "11"]);
    assert_eq!(cells(&t, "Total money"), ["Total money", "£77,115"]);
    assert_eq!(cells(&t, "Total weight"), ["Total weight", "12.5 kg"]);
}

#[test]
fn markdown_and_briefing_say_the_exact_sums() {
    let env = week();
    let md = report(&env, &["--format", "markdown"]);
    assert!(md.contains("| Activity | Count | Value |"), "{md}");
    assert!(md.contains("|---|---:|---:|"), "{md}");
    assert!(md.contains("| Arrests | 6 |  |"), "{md}");
    assert!(md.contains("| Cash seizures | 3 | £77,115 |"), "{md}");
    assert!(md.contains("| Cannabis seized | 2 | 12.5 kg |"), "{md}");
    assert!(md.contains("| **Total** | **11** |  |"), "{md}");
    assert!(md.contains("| **Total money** |  | **£77,115** |"), "{md}");
    assert!(md.contains("| **Total weight** |  | **12.5 kg** |"), "{md}");

    let b = report(&env, &["--format", "briefing"]);
    assert!(b.contains("- arrested six people\n"), "{b}");
    assert!(
        b.contains("- seized £77,115 in cash in three cash seizures\n"),
        "{b}"
    );
    assert!(
        b.contains("- seized 12.5 kg of cannabis in two cannabis seizures\n"),
        "{b}"
    );
}

#[test]
fn csv_and_json_carry_values_as_numbers() {
    let env = week();
    let csv = report(&env, &["--format", "csv"]);
    assert_eq!(
        csv,
        "type,label,count,value\n\
         arrest,Arrests,6,\n\
         cash-seizure,Cash seizures,3,77115.00\n\
         cannabis-seizure,Cannabis seized,2,12.500\n"
    );
    let j = json_report(&env, &[]);
    assert_eq!(
        j["rows"],
        json!([
            {"type": "arrest", "label": "Arrests", "count": 6, "value": null, "measure": null},
            {"type": "cash-seizure", "label": "Cash seizures", "count": 3, "value": 77115, "measure": "money"},
            {"type": "cannabis-seizure", "label": "Cannabis seized", "count": 2, "value": 12.5, "measure": "weight"},
        ])
    );
    assert_eq!(j["total"], json!(11));
    assert_eq!(j["value_totals"], json!({"money": 77115, "weight": 12.5}));
}

#[test]
fn pennies_add_up_exactly() {
    let env = week();
    let dec = |fmt: &str| env.ok(&["report", "--op", "cl-dec23", "--format", fmt]);
    assert!(dec("csv").contains("cash-seizure,Cash seizures,2,0.30\n"));
    let j: Value = serde_json::from_str(&dec("json")).unwrap();
    assert_eq!(j["rows"][1]["value"], json!(0.3));
    assert_eq!(j["value_totals"], json!({"money": 0.3}));
    assert!(dec("markdown").contains("| Cash seizures | 2 | £0.30 |"));
    assert!(dec("briefing").contains("- seized £0.30 in cash in two cash seizures\n"));
}

#[test]
fn compare_shows_the_change_in_value() {
    let env = week();
    let csv = report(&env, &["--compare", "cl-dec23", "--format", "csv"]);
    assert_eq!(
        csv,
        "type,label,count,value,compare,change,change_pct,compare_value,value_change\n\
         arrest,Arrests,6,,4,2,50.0,,\n\
         cash-seizure,Cash seizures,3,77115.00,2,1,50.0,0.30,77114.70\n\
         cannabis-seizure,Cannabis seized,2,12.500,0,2,,,12.500\n"
    );
    let j = json_report(&env, &["--compare", "cl-dec23"]);
    assert_eq!(j["rows"][1]["compare_value"], json!(0.3));
    assert_eq!(j["rows"][1]["value_change"], json!(77114.7));
    assert_eq!(j["rows"][0]["compare_value"], Value::Null);
    assert_eq!(
        j["compare"],
        json!({"operation": "cl-dec23", "total": 6, "value_totals": {"money": 0.3, "weight": 0}})
    );
    let t = report(&env, &["--compare", "cl-dec23"]);
    assert_eq!(
        cells(&t, "Cash seizures")[..7],
        [
            "Cash seizures",
            "3",
            "£77,115",
            "2",
            "+1 (+50%)",
            "£0.30",
            "+£77,114.70 (+25,704,900%)"
        ]
    );
    assert_eq!(
        cells(&t, "Total money"),
        [
            "Total money",
            "£77,115",
            "£0.30",
            "+£77,114.70 (+25,704,900%)"
        ]
    );
    let md = report(&env, &["--compare", "cl-dec23", "--format", "markdown"]);
    assert!(
        md.contains(
            "| Cash seizures | 3 | £77,115 | 2 | +1 (+50%) | £0.30 | +£77,114.70 (+25,704,900%) |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| Cannabis seized | 2 | 12.5 kg | 0 | +2 (new) |  | +12.5 kg (new) |"),
        "{md}"
    );
}

#[test]
fn sub_tallies_by_detail_outcome_and_partner() {
    let env = week();
    // "6 arrests, of which 3 related to knife crime".
    let csv = report(&env, &["--by", "detail", "--format", "csv"]);
    assert_eq!(
        csv,
        "detail,type,label,count,value\n\
         drug supply,arrest,Arrests,2,\n\
         knife crime,arrest,Arrests,3,\n\
         ,arrest,Arrests,1,\n\
         ,cash-seizure,Cash seizures,3,77115.00\n\
         ,cannabis-seizure,Cannabis seized,2,12.500\n"
    );
    let csv = report(&env, &["--by", "outcome", "--format", "csv"]);
    assert_eq!(
        csv,
        "outcome,type,label,count,value\n\
         charged,arrest,Arrests,5,\n\
         forfeited,cash-seizure,Cash seizures,2,13250.50\n\
         ,arrest,Arrests,1,\n\
         ,cash-seizure,Cash seizures,1,63864.50\n\
         ,cannabis-seizure,Cannabis seized,2,12.500\n"
    );
    let j = json_report(&env, &["--by", "partner"]);
    assert_eq!(j["by"], json!("partner"));
    assert_eq!(
        j["rows"][0],
        json!({"partner": "NCA", "type": "arrest", "label": "Arrests", "count": 2, "value": null, "measure": null})
    );
    assert_eq!(
        j["rows"][1],
        json!({"partner": "NCA", "type": "cash-seizure", "label": "Cash seizures", "count": 2, "value": 75864.5, "measure": "money"})
    );
    assert_eq!(j["value_totals"], json!({"money": 77115, "weight": 12.5}));

    let t = report(&env, &["--by", "detail"]);
    assert_eq!(
        cells(&t, "knife crime")[..3],
        ["knife crime", "Arrests", "3"]
    );
    assert_eq!(cells(&t, "Total money"), ["Total money", "£77,115"]);
    let md = report(&env, &["--by", "partner", "--format", "markdown"]);
    assert!(
        md.contains("| Partner | Activity | Count | Value |"),
        "{md}"
    );
    assert!(
        md.contains("| NCA | Cash seizures | 2 | £75,864.50 |"),
        "{md}"
    );
    assert!(
        md.contains("| (none) | Cash seizures | 1 | £1,250.50 |"),
        "{md}"
    );
    let b = report(&env, &["--by", "outcome", "--format", "briefing"]);
    assert!(
        b.contains("- seized £77,115 in cash in three cash seizures\n"),
        "{b}"
    );
    let html = report(&env, &["--by", "detail", "--format", "html"]);
    assert!(
        html.contains("<td>knife crime</td><td>Arrests</td><td class=\"n\">3</td>"),
        "{html}"
    );
    assert!(html.contains("knife crime — Arrests"), "{html}");
    let xlsx = env.path("by.xlsx");
    report(
        &env,
        &[
            "--by",
            "outcome",
            "--format",
            "xlsx",
            "-o",
            xlsx.to_str().unwrap(),
        ],
    );
    let sheet = first_sheet(&xlsx);
    let row: Vec<String> = sheet
        .rows()
        .nth(2)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        row[..5],
        ["forfeited", "Cash seizures", "cash-seizure", "2", "13250.5"]
    );
}

fn first_sheet(path: &std::path::Path) -> calamine::Range<Data> {
    let mut book = calamine::open_workbook_auto(path).expect("a workbook");
    book.worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable")
}

#[test]
fn page_and_workbook_carry_values() {
    let env = week();
    let html = report(&env, &["--format", "html"]);
    assert!(html.contains("<th class=\"n\">Value</th>"), "{html}");
    assert!(
        html.contains("<td>Cash seizures</td><td class=\"n\">3</td><td class=\"n\">£77,115</td>"),
        "{html}"
    );
    assert!(
        html.contains("<td>Total money</td><td class=\"n\"></td><td class=\"n\">£77,115</td>"),
        "{html}"
    );
    assert!(
        html.contains("<li>seized £77,115 in cash in three cash seizures</li>"),
        "{html}"
    );
    // The chart says the value at the bar's end.
    assert!(html.contains(">3 · £77,115</text>"), "{html}");

    let path = env.path("week.xlsx");
    report(&env, &["--format", "xlsx", "-o", path.to_str().unwrap()]);
    let sheet = first_sheet(&path);
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, ["Activity", "Type", "Count", "Value"]);
    let cash = sheet.rows().nth(2).unwrap();
    assert_eq!(cash[2], Data::Float(3.0));
    assert_eq!(cash[3], Data::Float(77115.0));
    let weight = sheet.rows().nth(3).unwrap();
    assert_eq!(weight[3], Data::Float(12.5));
    // Below the count total, one total per measure in the value column.
    let totals: Vec<Vec<String>> = sheet
        .rows()
        .skip(5)
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(totals[0][..3], ["Total", "", "11"]);
    assert_eq!(totals[1][..4], ["Total money", "", "", "77115"]);
    assert_eq!(totals[2][..4], ["Total weight", "", "", "12.5"]);
}

#[test]
fn a_count_only_report_has_no_value_column_but_csv_and_json_do() {
    let env = TestEnv::new();
    env.import_reference_week();
    let t = env.ok(&["report", "--op", "nov17-mersey"]);
    assert!(!t.contains("Value"), "{t}");
    assert!(!t.contains("Total money"), "{t}");
    let csv = env.ok(&["report", "--op", "nov17-mersey", "--format", "csv"]);
    assert!(csv.starts_with("type,label,count,value\n"), "{csv}");
    assert!(csv.contains("\nwarrant,Warrants,9,\n"), "{csv}");
    let j: Value =
        serde_json::from_str(&env.ok(&["report", "--op", "nov17-mersey", "--format", "json"]))
            .unwrap();
    assert_eq!(j["rows"][0]["value"], Value::Null);
    assert_eq!(j["rows"][0]["measure"], Value::Null);
    assert_eq!(j["value_totals"], json!({}));
}

#[test]
fn a_money_type_without_values_still_reads_as_a_sentence() {
    let env = TestEnv::new();
    env.ok(&[
        "op",
        "add",
        "cl-jan24",
        "--title",
        "Week",
        "--start",
        "2024-01-15",
    ]);
    for (key, phrase) in [
        ("cash-seizure", "seized[ {value} in] cash in {count} {noun}"),
        ("drug-seizure", "seized {value} of drugs in {count} {noun}"),
    ] {
        env.ok(&[
            "type",
            "add",
            key,
            "--label",
            key,
            "--measure",
            "money",
            "--phrase",
            phrase,
        ]);
        env.ok(&[
            "log",
            key,
            "--op",
            "cl-jan24",
            "--date",
            "2024-01-15",
            "--count",
            "2",
        ]);
    }
    let b = env.ok(&["report", "--op", "cl-jan24", "--format", "briefing"]);
    assert!(b.contains("- seized cash in two cash seizures\n"), "{b}");
    assert!(b.contains("- recorded two drug seizures\n"), "{b}");
    let csv = env.ok(&["report", "--op", "cl-jan24", "--format", "csv"]);
    assert!(csv.contains("cash-seizure,cash-seizure,2,\n"), "{csv}");
    let t = env.ok(&["report", "--op", "cl-jan24"]);
    assert!(!t.contains("Total money"), "{t}");
}

#[test]
fn value_in_the_phrase_of_a_type_without_a_measure_is_refused() {
    let env = TestEnv::new();
    env.ok(&[
        "op",
        "add",
        "cl-jan24",
        "--title",
        "Week",
        "--start",
        "2024-01-15",
    ]);
    let err = env.rejects(&[
        "type",
        "add",
        "visit",
        "--label",
        "Visits",
        "--phrase",
        "made {count} {noun} worth {value}",
    ]);
    assert!(
        err.contains("{value}") && err.contains("--measure"),
        "{err}"
    );
    let err = env.rejects(&[
        "type",
        "edit",
        "warrant",
        "--phrase",
        "made {count} {noun}[ worth {value}]",
    ]);
    assert!(err.contains("no measure"), "{err}");
    // With a measure given in the same edit, it is accepted.
    env.ok(&[
        "type",
        "edit",
        "warrant",
        "--measure",
        "money",
        "--phrase",
        "made {count} {noun}[ worth {value}]",
    ]);
}
