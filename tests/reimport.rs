//! Importing the same file twice: a file whose rows carry no ids is
//! refused the second time (its rows would be stored again) unless
//! `--again`; a file with ids stays idempotent. The guard is by the file's
//! content (SHA-256 of its bytes), recorded in the import's history row.

use crate::env::{fixture, TestEnv};

const TEAM_CSV: &str = "operation,type,date,count\n\
                        cl,arrest,2023-10-09,2\n\
                        cl,arrest,2023-10-10,1\n\
                        cl,weapon-seizure,2023-10-11,1\n";

/// When and by whom the last import was recorded, and its changes.
fn last_import(env: &TestEnv) -> (String, String, serde_json::Value) {
    let row = &env.query(
        "SELECT changed_at, changed_by, changes FROM event_history
         WHERE action = 'import' ORDER BY seq DESC LIMIT 1",
    )[0];
    (
        row[0].clone(),
        row[1].clone(),
        serde_json::from_str(&row[2]).unwrap(),
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

fn report_csv(env: &TestEnv) -> String {
    env.ok(&["report", "--format", "csv"])
}

#[test]
fn an_id_less_csv_imported_twice_is_refused_unless_again() {
    let env = TestEnv::county_lines();
    let file = env.write("team.csv", TEAM_CSV);
    let file = file.to_str().unwrap();
    let err = env.ok_stderr(&["import", file]);
    assert!(err.contains("team.csv: imported 3 events"), "{err}");
    let once = "type,label,count,value\n\
                arrest,Arrests,3,\n\
                weapon-seizure,Weapons recovered,1,\n";
    assert_eq!(report_csv(&env), once);
    let (at, by, changes) = last_import(&env);
    assert_eq!(by, "test-analyst");
    assert_eq!(changes["file_sha256"], sha256_hex(TEAM_CSV.as_bytes()));
    assert_eq!(changes["events"], 3);

    let refused = env.rejects(&["import", file]);
    assert_eq!(
        refused,
        format!("error: team.csv was already imported on {at} by test-analyst (3 events); its rows carry no ids, so importing it again would count them twice: to import it again anyway, add --again")
    );
    // The dry run says the same, and writes nothing either.
    assert_eq!(env.rejects(&["import", "--dry-run", file]), refused);

    let err = env.ok_stderr(&["import", "--again", file]);
    assert!(err.contains("team.csv: imported 3 events"), "{err}");
    assert_eq!(
        report_csv(&env),
        "type,label,count,value\n\
         arrest,Arrests,6,\n\
         weapon-seizure,Weapons recovered,2,\n"
    );

    // A third time names both earlier imports.
    let (at2, _, _) = last_import(&env);
    let refused = env.rejects(&["import", file]);
    assert!(
        refused.starts_with(&format!(
            "error: team.csv was already imported 2 times, last on {at2} by test-analyst (3 events);"
        )),
        "{refused}"
    );
    env.ok(&["check"]);
}

/// The team's spreadsheet (no id column) is remembered by the bytes of the
/// .xlsx file itself.
#[test]
fn an_id_less_spreadsheet_imported_twice_is_refused_unless_again() {
    let env = TestEnv::county_lines();
    let file = fixture("team-cash.xlsx");
    let file = file.to_str().unwrap();
    env.ok(&["import", file]);
    let (at, _, changes) = last_import(&env);
    let bytes = std::fs::read(file).unwrap();
    assert_eq!(changes["file_sha256"], sha256_hex(&bytes));
    assert_eq!(changes["events"], 5);
    let once = report_csv(&env);
    assert_eq!(
        once,
        "type,label,count,value\n\
         arrest,Arrests,3,\n\
         drug-seizure,Drug seizures,1,120000.00\n\
         cash-seizure,Cash seizures,2,65115.00\n\
         weapon-seizure,Weapons recovered,2,\n"
    );
    let refused = env.rejects(&["import", file]);
    assert_eq!(
        refused,
        format!("error: team-cash.xlsx was already imported on {at} by test-analyst (5 events); its rows carry no ids, so importing it again would count them twice: to import it again anyway, add --again")
    );
    assert_eq!(env.rejects(&["import", "--dry-run", file]), refused);
    assert_eq!(report_csv(&env), once);

    env.ok(&["import", "--again", file]);
    assert_eq!(
        report_csv(&env),
        "type,label,count,value\n\
         arrest,Arrests,6,\n\
         drug-seizure,Drug seizures,2,240000.00\n\
         cash-seizure,Cash seizures,4,130230.00\n\
         weapon-seizure,Weapons recovered,4,\n"
    );
    env.ok(&["check"]);
}

/// An export carries ids: importing it twice (or more) stays idempotent,
/// never refused by the guard.
#[test]
fn a_file_with_ids_reimported_still_skips() {
    let env = TestEnv::county_lines();
    let team = env.write("team.csv", TEAM_CSV);
    env.ok(&["import", team.to_str().unwrap()]);
    let export = env.path("export.csv");
    env.ok(&["export", "-o", export.to_str().unwrap()]);
    let other = TestEnv::new();
    other.ok(&["type", "pack", "add", "county-lines"]);
    other.ok(&[
        "op",
        "add",
        "cl",
        "--title",
        "County lines week",
        "--start",
        "2023-10-09",
    ]);
    let export = export.to_str().unwrap();
    let err = other.ok_stderr(&["import", export]);
    assert!(
        err.contains("export.csv: imported 3 events, skipped 0 already stored"),
        "{err}"
    );
    for _ in 0..2 {
        let err = other.ok_stderr(&["import", export]);
        assert_eq!(
            err,
            "export.csv: imported 0 events, skipped 3 already stored\n"
        );
        let err = other.ok_stderr(&["import", "--dry-run", export]);
        assert!(
            err.contains("would import 0 events, skip 3 already stored"),
            "{err}"
        );
    }
    // And in the database it came from.
    let err = env.ok_stderr(&["import", export]);
    assert_eq!(
        err,
        "export.csv: imported 0 events, skipped 3 already stored\n"
    );
    assert_eq!(
        report_csv(&other),
        "type,label,count,value\n\
         arrest,Arrests,3,\n\
         weapon-seizure,Weapons recovered,1,\n"
    );
    other.ok(&["check"]);
}

/// The guard is by content: the same rows in another order are another
/// file (and are imported again), and a byte-identical copy under another
/// name is the same file.
#[test]
fn the_guard_is_by_file_content_not_name_or_rows() {
    let env = TestEnv::county_lines();
    let team = env.write("team.csv", TEAM_CSV);
    env.ok(&["import", team.to_str().unwrap()]);
    let copy = env.write("copy-of-team.csv", TEAM_CSV);
    let refused = env.rejects(&["import", copy.to_str().unwrap()]);
    assert!(
        refused.starts_with("error: copy-of-team.csv was already imported on "),
        "{refused}"
    );
    let resorted = env.write(
        "team.csv",
        "operation,type,date,count\n\
         cl,weapon-seizure,2023-10-11,1\n\
         cl,arrest,2023-10-10,1\n\
         cl,arrest,2023-10-09,2\n",
    );
    let err = env.ok_stderr(&["import", resorted.to_str().unwrap()]);
    assert!(err.contains("team.csv: imported 3 events"), "{err}");
    assert_eq!(
        report_csv(&env),
        "type,label,count,value\n\
         arrest,Arrests,6,\n\
         weapon-seizure,Weapons recovered,2,\n"
    );
    env.ok(&["check"]);
}

/// A database written before the guard (tests/fixtures/v1.db) has an
/// import row without the `file_sha256` key: `check` reads it and the new
/// rows alike, and the guard works from the first import that records it.
#[test]
fn check_reads_import_rows_with_and_without_the_file_key() {
    let env = TestEnv::new();
    if env.sqlite_only("migrates the v1.db SQLite fixture") {
        return;
    }
    std::fs::copy(fixture("v1.db"), &env.db).unwrap();
    let team = env.write(
        "team.csv",
        "type,date,count\nwarrant,2017-11-14,2\narrest,2017-11-15,1\n",
    );
    let team = team.to_str().unwrap();
    env.ok(&["import", "--op", "nov17-mersey", team]);
    let refused = env.rejects(&["import", "--op", "nov17-mersey", team]);
    assert!(
        refused.contains("(2 events); its rows carry no ids"),
        "{refused}"
    );
    let out = env.ok(&["check"]);
    assert!(out.contains("history entries: "), "{out}");
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let with_key: Vec<bool> = conn
        .prepare("SELECT json_extract(changes, '$.file_sha256') IS NOT NULL FROM event_history WHERE action = 'import' ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(with_key, [false, true]);
}
