//! Importing the same file twice: a file whose rows carry no ids is
//! refused the second time (its rows would be stored again) unless
//! `--again`; a file with ids stays idempotent. The guard is by the file's
//! content (SHA-256 of its bytes), recorded in the import's history row.

use std::path::{Path, PathBuf};

use crate::env::TestEnv;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn county_lines() -> TestEnv {
    let env = TestEnv::new();
    env.ok(&["type", "pack", "add", "county-lines"]);
    env.ok(&[
        "op",
        "add",
        "cl",
        "--title",
        "County lines week",
        "--start",
        "2023-10-09",
    ]);
    env
}

const TEAM_CSV: &str = "operation,type,date,count\n\
                        cl,arrest,2023-10-09,2\n\
                        cl,arrest,2023-10-10,1\n\
                        cl,weapon-seizure,2023-10-11,1\n";

/// When and by whom the last import was recorded, and its changes.
fn last_import(env: &TestEnv) -> (String, String, serde_json::Value) {
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let (at, by, changes): (String, String, String) = conn
        .query_row(
            "SELECT changed_at, changed_by, changes FROM event_history
             WHERE action = 'import' ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    (at, by, serde_json::from_str(&changes).unwrap())
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
    let env = county_lines();
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
