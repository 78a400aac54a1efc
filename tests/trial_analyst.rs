//! An analyst's trial: a county-lines week logged from a terminal and in
//! bulk from the team's own spreadsheet, as LibreOffice saves it
//! (tests/fixtures/team-*.{csv,xlsx,ods}, made by scripts/make-fixtures.sh).

use crate::env::{fixture, TestEnv};

#[test]
fn an_ods_formula_error_is_refused_not_read_as_an_empty_cell() {
    // LibreOffice keeps #DIV/0! only in its own attribute: read as an empty
    // cell, the count became 1 and the value none.
    let env = TestEnv::county_lines();
    let file = fixture("team-errors.ods");
    let err = env.rejects(&["import", file.to_str().unwrap()]);
    assert!(err.contains("2 cells of"), "{err}");
    let stderr = env.fails(1, &["import", file.to_str().unwrap(), "--dry-run"]);
    assert!(
        stderr.contains("team-errors.ods:2: Count: the cell's formula (=1/0) gives no value"),
        "{stderr}"
    );
    assert!(
        stderr.contains("team-errors.ods:3: Value: the cell's formula (=1/0) gives no value"),
        "{stderr}"
    );
    // The same sheet saved as .xlsx says the same rows.
    let file = fixture("team-errors.xlsx");
    let stderr = env.fails(1, &["import", file.to_str().unwrap()]);
    assert!(stderr.contains("team-errors.xlsx:2: Count:"), "{stderr}");
    assert!(stderr.contains("team-errors.xlsx:3: Value:"), "{stderr}");
}

#[test]
fn a_team_sheet_with_currency_and_date_cells_imports_from_xlsx_and_ods() {
    for name in ["team-cash.xlsx", "team-cash.ods"] {
        let env = TestEnv::county_lines();
        let file = fixture(name);
        env.ok(&["import", file.to_str().unwrap()]);
        let csv = env.ok(&["report", "--format", "csv"]);
        assert_eq!(
            csv,
            "type,label,count,value\n\
             arrest,Arrests,3,\n\
             drug-seizure,Drug seizures,1,120000.00\n\
             cash-seizure,Cash seizures,2,65115.00\n\
             weapon-seizure,Weapons recovered,2,\n",
            "{name}"
        );
    }
}

#[test]
fn the_shell_view_compares_and_sorts_values_as_numbers() {
    // As text, `WHERE value > 100000` matched £1,250.50 too.
    let env = TestEnv::county_lines();
    if env.sqlite_only("the events view's typing as the sqlite3 shell sees it") {
        return;
    }
    let file = fixture("team-cash.xlsx");
    env.ok(&["import", file.to_str().unwrap()]);
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let big: Vec<(String, f64)> = conn
        .prepare("SELECT type, value FROM events WHERE value > 100000")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(big, vec![("drug-seizure".to_string(), 120000.0)]);
    let order: Vec<f64> = conn
        .prepare("SELECT value FROM events WHERE value IS NOT NULL ORDER BY value DESC")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(order, vec![120000.0, 63864.5, 1250.5]);
    let total: f64 = conn
        .query_row("SELECT sum(value) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(total, 185115.0);
}

#[test]
fn bash_completion_offers_the_pack_names() {
    let env = TestEnv::new();
    let script = env.ok(&["completions", "bash"]);
    let start = script
        .find("opweek__subcmd__type__subcmd__pack__subcmd__add)")
        .expect("a case for type pack add");
    let case = &script[start..start + script[start..].find(";;").unwrap()];
    assert!(
        case.contains("county-lines knife-crime online-cse"),
        "{case}"
    );
    // An unknown name is still answered with the nearest pack (exit 1).
    let err = env.rejects(&["type", "pack", "add", "county-line"]);
    assert!(err.contains("did you mean county-lines?"), "{err}");
}

/// `list` shows each event's value in its unit when any listed event has
/// one (a count-only listing keeps its columns), and `show` gives the value
/// as people read it beside the figure files carry.
#[test]
fn list_and_show_give_values_in_their_unit() {
    let env = TestEnv::county_lines();
    let id = env.ok(&[
        "log",
        "cash-seizure",
        "--date",
        "2023-10-11",
        "--value",
        "£63,864.50",
    ]);
    let list = env.ok(&["list", "--type", "cash-seizure"]);
    let header = list.lines().next().unwrap();
    assert!(header.contains(" N ") && header.contains("Value"), "{list}");
    assert!(list.contains("£63,864.50"), "{list}");
    env.ok(&["log", "arrest", "--date", "2023-10-11"]);
    let counts = env.ok(&["list", "--type", "arrest"]);
    let header = counts.lines().next().unwrap();
    assert!(
        header.starts_with("Id") && !header.contains("Value"),
        "{counts}"
    );
    let show = env.ok(&["show", id.trim()]);
    assert!(show.contains("£63,864.50 (63864.50)"), "{show}");
}
