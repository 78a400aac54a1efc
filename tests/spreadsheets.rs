//! Spreadsheets: `export -o FILE.xlsx` (typed cells, no formulas),
//! `report --format xlsx` (tallies, chart, briefing sheet), `import` of
//! .xlsx and .ods through the CSV rules, and CSV re-saved by LibreOffice in
//! a UK locale. The files under tests/fixtures/ were made by LibreOffice
//! from the reference week's export (scripts/make-fixtures.sh).

use std::path::Path;

use calamine::{Data, Reader};

use crate::env::{fixture, TestEnv};

fn demo() -> TestEnv {
    let env = TestEnv::new();
    env.ok(&["demo"]);
    env
}

fn fresh() -> TestEnv {
    let env = TestEnv::new();
    env.reference_op();
    env
}

fn first_sheet(path: &Path) -> calamine::Range<Data> {
    let mut book = calamine::open_workbook_auto(path).expect("a workbook");
    book.worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable")
}

fn column(range: &calamine::Range<Data>, name: &str) -> usize {
    range
        .rows()
        .next()
        .unwrap()
        .iter()
        .position(|c| c == &Data::String(name.into()))
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn export_xlsx_has_typed_cells_and_no_formula() {
    let env = demo();
    env.ok(&[
        "log",
        "warrant",
        "--date",
        "2017-11-15",
        "--time",
        "07:45",
        "--count",
        "2",
        "--note",
        "=HYPERLINK(\"http://example.invalid\",\"x\")",
        "--area",
        "+44 area",
        "--team",
        "-team",
        "--ref",
        "@ref",
    ]);
    let path = env.path("week.xlsx");
    let err = env.ok_stderr(&["export", "-o", path.to_str().unwrap()]);
    assert_eq!(err, format!("Exported 108 events to {}.\n", path.display()));
    let sheet = first_sheet(&path);
    assert_eq!(sheet.get_size(), (109, 19));
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header.join(","), "id,operation,type,date,time,count,value,force,team,area,officer,reference,detail,partner,outcome,notes,recorded_by,recorded_at,status");
    let row = sheet
        .rows()
        .find(|r| r[column(&sheet, "reference")] == Data::String("@ref".into()))
        .expect("the logged row");
    assert!(
        matches!(&row[column(&sheet, "date")], Data::DateTime(d) if d.as_f64() == 43054.0),
        "{:?}",
        row[3]
    );
    assert!(
        matches!(&row[column(&sheet, "time")], Data::DateTime(d) if (d.as_f64() - 7.75 / 24.0).abs() < 1e-9),
        "{:?}",
        row[4]
    );
    assert_eq!(row[column(&sheet, "count")], Data::Float(2.0));
    assert_eq!(
        row[column(&sheet, "notes")],
        Data::String("=HYPERLINK(\"http://example.invalid\",\"x\")".into())
    );
    assert_eq!(row[column(&sheet, "area")], Data::String("+44 area".into()));
    assert_eq!(row[column(&sheet, "team")], Data::String("-team".into()));
    // Not one formula in the workbook.
    let mut book = calamine::open_workbook_auto(&path).unwrap();
    let formulas = book.worksheet_formula("Events").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "a formula was written"
    );
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"PK"));
    // Disclosed like a CSV export.
    let audit = env.ok(&["audit"]);
    assert!(
        audit.contains("108") && audit.contains("week.xlsx"),
        "{audit}"
    );
}

#[test]
fn export_format_xlsx_to_a_pipe_writes_a_workbook() {
    let env = demo();
    let out = env.cmd(&["export", "--format", "xlsx"]).output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"PK\x03\x04"), "not a zip");
    let path = env.write("piped.xlsx", &out.stdout);
    assert_eq!(first_sheet(&path).get_size(), (108, 19));
}

#[test]
fn xlsx_round_trip_gives_the_identical_export() {
    let source = demo();
    let path = source.path("x.xlsx");
    source.ok(&["export", "-o", path.to_str().unwrap()]);
    let target = fresh();
    let err = target.ok_stderr(&["import", path.to_str().unwrap()]);
    assert_eq!(
        err,
        "x.xlsx: imported 107 events, skipped 0 already stored\n"
    );
    assert_eq!(target.ok(&["export"]), source.ok(&["export"]));
    // Importing it again is idempotent, as with CSV.
    let err = target.ok_stderr(&["import", path.to_str().unwrap()]);
    assert_eq!(
        err,
        "x.xlsx: imported 0 events, skipped 107 already stored\n"
    );
}

#[test]
fn files_libreoffice_saved_import_every_row() {
    let reference = demo().ok(&["export"]);
    for name in [
        "libreoffice-uk.csv",
        "libreoffice-ampm.csv",
        "libreoffice.xlsx",
        "libreoffice.ods",
    ] {
        let env = fresh();
        let path = fixture(name);
        let err = env.ok_stderr(&["import", path.to_str().unwrap()]);
        assert_eq!(
            err,
            format!("{name}: imported 107 events, skipped 0 already stored\n"),
            "{name}"
        );
        assert_eq!(env.ok(&["export"]), reference, "{name}");
    }
    // The fixtures are what LibreOffice wrote: times with seconds, and with
    // AM/PM when saved unformatted.
    let uk = std::fs::read_to_string(fixture("libreoffice-uk.csv")).unwrap();
    assert!(uk.contains(",2017-11-13,06:00:00,"), "{}", &uk[..300]);
    let ampm = std::fs::read_to_string(fixture("libreoffice-ampm.csv")).unwrap();
    assert!(ampm.contains(",06:00:00 AM,") && ampm.contains(" PM,"));
}

#[test]
fn uk_dates_and_spreadsheet_times_import_and_month_first_is_refused() {
    let env = fresh();
    let file = env.write(
        "uk.csv",
        "operation,type,date,time,count\n\
         nov17-mersey,warrant,13/11/2017,9:10:00 AM,1\n\
         nov17-mersey,arrest,15/11/2017,18:30:00,1\n\
         nov17-mersey,warrant,2017-11-14,06:00 PM,1\n",
    );
    env.ok_stderr(&["import", file.to_str().unwrap()]);
    let csv = env.ok(&["list", "--format", "csv"]);
    assert!(csv.contains(",2017-11-13,09:10,"), "{csv}");
    assert!(csv.contains(",2017-11-15,18:30,"), "{csv}");
    assert!(csv.contains(",2017-11-14,18:00,"), "{csv}");

    let bad = env.write(
        "us.csv",
        "operation,type,date,time\n\
         nov17-mersey,warrant,11/13/2017,09:10:00\n\
         nov17-mersey,warrant,14/11/2017,09:10:30\n",
    );
    let before = env.snapshot();
    let err = env.fails(1, &["import", bad.to_str().unwrap()]);
    assert!(
        err.contains("us.csv:2: date: 11/13/2017 is not a valid date"),
        "{err}"
    );
    assert!(
        err.contains("us.csv:3: time: \"09:10:30\" is not a valid time"),
        "{err}"
    );
    assert_eq!(env.snapshot(), before);
}

/// A team's own workbook, with a title row above the table, a blank row
/// and a count stored as 3.0 and one as 3.5.
fn team_workbook(path: &Path, bad_count: f64) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let time = Format::new().set_num_format("hh:mm");
    for (c, h) in ["operation", "type", "date", "time", "count", "notes"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    let rows: [(&str, u8, f64, &str); 2] = [
        ("warrant", 13, 3.0, "=not a formula"),
        ("arrest", 15, bad_count, "x"),
    ];
    for (i, (ty, day, count, note)) in rows.iter().enumerate() {
        // Rows 3 and 5 as the spreadsheet numbers them: row 4 is blank.
        let r = 2 + 2 * i as u32;
        sheet.write_string(r, 0, "nov17-mersey").unwrap();
        sheet.write_string(r, 1, *ty).unwrap();
        sheet
            .write_date_with_format(
                r,
                2,
                ExcelDateTime::from_ymd(2017, 11, *day).unwrap(),
                &date,
            )
            .unwrap();
        sheet
            .write_time_with_format(r, 3, ExcelDateTime::from_hms(9, 10, 0).unwrap(), &time)
            .unwrap();
        sheet.write_number(r, 4, *count).unwrap();
        sheet.write_string(r, 5, *note).unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn a_team_workbook_imports_by_the_csv_rules_and_a_bad_row_is_named_by_its_row() {
    let env = fresh();
    let bad = env.path("team.xlsx");
    team_workbook(&bad, 3.5);
    let before = env.snapshot();
    let err = env.fails(1, &["import", bad.to_str().unwrap()]);
    let expected = format!("{}:5: count: \"3.5\" is not a valid count", bad.display());
    assert!(err.starts_with(&expected), "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("error: 1 invalid row in")),
        "{err}"
    );
    assert_eq!(env.snapshot(), before, "a refused workbook wrote something");

    let good = env.path("team-good.xlsx");
    team_workbook(&good, 1.0);
    env.ok_stderr(&["import", good.to_str().unwrap()]);
    let csv = env.ok(&["list", "--format", "csv"]);
    assert!(csv.contains(",warrant,2017-11-13,09:10,3,"), "{csv}");
    assert!(
        csv.contains("'=not a formula"),
        "guarded in CSV, text in the sheet: {csv}"
    );
    assert_eq!(env.first_id("warrant").len(), 36);
}

#[test]
fn report_xlsx_holds_the_tallies_a_chart_and_the_briefing() {
    let env = demo();
    let path = env.path("report.xlsx");
    env.ok(&[
        "report",
        "--op",
        "nov17-mersey",
        "--by",
        "day",
        "-o",
        path.to_str().unwrap(),
    ]);
    let mut book = calamine::open_workbook_auto(&path).unwrap();
    assert_eq!(book.sheet_names(), ["Tallies", "Briefing"]);
    let tallies = book.worksheet_range("Tallies").unwrap();
    assert_eq!(
        tallies
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
        ["Day", "Activity", "Type", "Count"]
    );
    assert_eq!(
        tallies.get_value((1, 0)),
        Some(&Data::String("2017-11-13".into()))
    );
    assert_eq!(
        tallies.get_value((1, 1)),
        Some(&Data::String("Offender visits".into()))
    );
    assert_eq!(tallies.get_value((1, 3)), Some(&Data::Float(14.0)));
    let total = tallies
        .rows()
        .find(|r| r.get(1) == Some(&Data::String("Total".into())))
        .expect("a total row");
    assert_eq!(total[3], Data::Float(110.0));
    let briefing = book.worksheet_range("Briefing").unwrap();
    let text: Vec<String> = briefing.rows().map(|r| r[0].to_string()).collect();
    assert!(
        text.iter().any(|l| l
            == "- carried out nine warrants in relation to making indecent images of children"),
        "{text:?}"
    );
    // A native chart part is in the package.
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.windows(20).any(|w| w == b"xl/charts/chart1.xml"),
        "no chart"
    );
}

#[test]
fn report_xlsx_needs_a_file_at_a_terminal_only() {
    let env = demo();
    // Through a pseudo-terminal (util-linux `script`) when it is there.
    if Path::new("/usr/bin/script").exists() {
        let bin = assert_cmd::cargo::cargo_bin("opweek");
        let out = std::process::Command::new("script")
            .args(["-qec"])
            .arg(format!(
                "{} --db {} report --format xlsx",
                bin.display(),
                env.db.display()
            ))
            .arg("/dev/null")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("error: an Excel workbook is not for a terminal"),
            "{text}"
        );
        assert!(!out.status.success());
    }
    let out = env.cmd(&["report", "--format", "xlsx"]).output().unwrap();
    assert!(out.status.success() && out.stdout.starts_with(b"PK"));
}
