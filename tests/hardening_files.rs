//! Issue 9, files and the database: which commands create a database,
//! export's target rules, the disclosure log's completeness, restore's
//! check, read-only databases, the demo's path, help and usage, and
//! refusals in the tool's own words.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::env::TestEnv;

/// Two warrants and an arrest in the reference operation.
fn small_week(env: &TestEnv) {
    env.reference_op();
    for (ty, date) in [
        ("warrant", "2017-11-13"),
        ("warrant", "2017-11-14"),
        ("arrest", "2017-11-15"),
    ] {
        env.ok(&["log", ty, "--date", date, "--officer", "4127"]);
    }
}

/// The disclosure log as (filters, rows, destination), oldest first.
fn disclosures(env: &TestEnv) -> Vec<(String, i64, String)> {
    env.query("SELECT filters, rows, destination FROM disclosure ORDER BY id")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].parse().unwrap(), r[2].clone()))
        .collect()
}

/// The names in the test directory, sorted.
fn listing(env: &TestEnv) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(env.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// 4. export -o never writes over the database or its journal files.
#[test]
fn export_never_writes_over_the_database_or_its_journal_files() {
    let env = TestEnv::new();
    if env.sqlite_only("links to the SQLite file and its -wal/-shm") {
        return;
    }
    small_week(&env);
    std::os::unix::fs::symlink("test.db", env.path("link.db")).unwrap();
    std::fs::hard_link(&env.db, env.path("hard.db")).unwrap();
    std::fs::create_dir(env.path("sub")).unwrap();
    let db = env.db.display().to_string();
    let before = listing(&env);
    for target in [
        "test.db",
        db.as_str(),
        "./sub/../test.db",
        "link.db",
        "hard.db",
        "test.db-wal",
        "test.db-shm",
    ] {
        // A report written to a file follows the same rule as an export.
        for (command, force) in [
            ("export", false),
            ("export", true),
            ("report", false),
            ("report", true),
        ] {
            let mut args = vec![command, "-o", target];
            if force {
                args.push("--force");
            }
            let err = env.rejects(&args);
            assert!(
                err.starts_with(&format!("error: {target} is the opweek database")),
                "{target}: {err}"
            );
        }
    }
    assert_eq!(
        env.rejects(&["export", "-o", "test.db"]),
        "error: test.db is the opweek database: opweek never writes over it; choose another file"
    );
    assert_eq!(
        env.rejects(&["export", "-o", "test.db-wal", "--force"]),
        "error: test.db-wal is the opweek database's -wal file: opweek never writes over it; \
         choose another file"
    );
    assert_eq!(listing(&env), before);
    // Still the database, with its three events.
    assert_eq!(env.ok(&["report", "--format", "csv"]).lines().count(), 3);
}

// 4. An existing file is replaced only with --force; never a device.
#[test]
fn export_replaces_an_existing_file_only_with_force() {
    let env = TestEnv::new();
    small_week(&env);
    let keep = env.write("keep.csv", "precious\n");
    assert_eq!(
        env.rejects(&["export", "-o", "keep.csv"]),
        "error: keep.csv already exists: choose a new file, or add --force to replace it"
    );
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "precious\n");
    assert_eq!(
        env.rejects(&["export", "-o", "/dev/null", "--force"]),
        "error: /dev/null is not a regular file: opweek replaces only a file \
         (leave out -o to write to stdout)"
    );
    assert_eq!(disclosures(&env), vec![]);

    assert_eq!(
        env.ok_stderr(&["export", "-o", "keep.csv", "--force"]),
        "Exported 3 events to keep.csv.\n"
    );
    let written = std::fs::read_to_string(&keep).unwrap();
    assert_eq!(written.lines().count(), 4);
    assert!(written.starts_with("id,operation,type,date,"), "{written}");
    // Owner-only, like every file opweek writes; no temporary file left.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&keep).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(listing(&env).iter().all(|n| !n.starts_with(".opweek")));
    assert_eq!(
        disclosures(&env),
        vec![("(all events)".to_string(), 3, "keep.csv".to_string())]
    );
    // A new file needs no --force.
    env.ok(&["export", "-o", "new.csv", "--op", "nov17-mersey"]);
    assert_eq!(
        std::fs::read_to_string(env.path("new.csv")).unwrap(),
        written
    );
}

// 5. A failed export enters nothing in the disclosure log.
#[test]
fn a_failed_export_leaves_no_file_and_no_disclosure() {
    let env = TestEnv::new();
    small_week(&env);
    let before = listing(&env);
    assert_eq!(
        env.rejects(&["export", "-o", "nodir/x.csv"]),
        "error: cannot create nodir/x.csv: there is no directory nodir"
    );
    assert_eq!(listing(&env), before);

    // stdout that cannot be written: exit 1, no entry.
    let snapshot = env.snapshot();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("opweek"))
        .current_dir(env.dir())
        .env("OPWEEK_USER", "test-analyst")
        .arg("--db")
        .arg(&env.db)
        .arg("export")
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    assert_eq!(env.snapshot(), snapshot);
    assert_eq!(disclosures(&env), vec![]);
}

// 6. list --format csv|json is a disclosure; the table is not.
#[test]
fn list_as_csv_or_json_is_entered_in_the_disclosure_log() {
    let env = TestEnv::new();
    small_week(&env);
    let id = env.first_id("arrest");
    env.ok(&["void", &id, "--reason", "duplicate"]);
    // first_id's own `list --format json` is the first entry.
    assert_eq!(
        disclosures(&env),
        vec![(
            "list --format json --type arrest".to_string(),
            1,
            "stdout".to_string()
        )]
    );
    env.ok(&["list"]);
    let csv = env.ok(&["list", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 3);
    env.ok(&["list", "--format", "json", "--type", "warrant", "--all"]);
    env.ok(&["list", "--format", "csv", "--all", "--from", "2017-11-15"]);
    assert_eq!(
        disclosures(&env)[1..],
        [
            (
                "list --format csv (all active events)".to_string(),
                2,
                "stdout".to_string()
            ),
            (
                "list --format json --type warrant --all".to_string(),
                2,
                "stdout".to_string()
            ),
            (
                "list --format csv --from 2017-11-15 --all".to_string(),
                1,
                "stdout".to_string()
            ),
        ]
    );
}

// 8. Only commands that record something create a database.
#[test]
fn commands_that_do_not_record_never_create_a_database() {
    let mut env = TestEnv::new();
    env.db = env.path("typo/week.db");
    let expected = format!("error: no opweek database at {}", env.db.display());
    let id = "0190a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b";
    let commands: &[&[&str]] = &[
        &["report"],
        &["report", "--week", "2017-W46", "--format", "briefing"],
        &["list"],
        &["list", "--format", "csv"],
        &["op", "list"],
        &["op", "show", "nov17-mersey"],
        &["type", "list"],
        &["type", "edit", "warrant", "--label", "Warrants"],
        &["type", "retire", "warrant"],
        &["show", id],
        &["amend", id, "--reason", "typo", "--count", "2"],
        &["void", id, "--reason", "typo"],
        &["check"],
        &["audit"],
        &["export"],
        &["export", "-o", "out.csv"],
        &["backup", "copy.db"],
    ];
    for args in commands {
        assert_eq!(env.rejects(args), expected, "{args:?}");
        assert_eq!(listing(&env), Vec::<String>::new(), "{args:?}");
    }
    // The same through OPWEEK_DB.
    let out = Command::new(assert_cmd::cargo::cargo_bin("opweek"))
        .current_dir(env.dir())
        .env("OPWEEK_DB", &env.db)
        .args(["report", "--week", "2017-W46"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), format!("{expected}\n"));
    assert_eq!(listing(&env), Vec::<String>::new());

    // Recording creates it, directory included.
    env.ok(&[
        "type",
        "add",
        "knife-surrender",
        "--label",
        "Knives surrendered",
    ]);
    assert!(env.db.is_file());
}

// 9. restore runs the full check on its source.
#[test]
fn restore_refuses_a_backup_edited_behind_the_tools_back() {
    let env = TestEnv::new();
    small_week(&env);
    env.ok(&["backup", "copy.db"]);
    {
        let conn = rusqlite::Connection::open(env.path("copy.db")).unwrap();
        let n = conn
            .execute(
                "UPDATE event SET count = 5 WHERE rowid = (SELECT min(rowid) FROM event)",
                [],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    let copy = std::fs::read(env.path("copy.db")).unwrap();
    let err = env.rejects(&["restore", "copy.db", "--force"]);
    assert!(
        err.starts_with(
            "error: cannot restore from copy.db: it fails `opweek check` (1 problem): events: "
        ),
        "{err}"
    );
    assert_eq!(std::fs::read(env.path("copy.db")).unwrap(), copy);
    // Into a new database too: nothing is created.
    let mut fresh = TestEnv::new();
    fresh.db = env.path("fresh.db");
    assert_eq!(
        fresh.rejects(&["restore", env.path("copy.db").to_str().unwrap()]),
        err.replace("copy.db", &env.path("copy.db").display().to_string())
    );
    assert!(!fresh.db.exists());
}

/// Runs the binary as a user who may only read the test's database: as
/// root, through `setpriv` as uid/gid 65534 (nobody), with the directory
/// made searchable and the database readable; as anyone else, as that user
/// after taking write permission away. `None` (with the reason printed)
/// when no such user can be had.
struct Reader<'a> {
    env: &'a TestEnv,
    root: bool,
}

impl<'a> Reader<'a> {
    fn new(env: &'a TestEnv, dir_mode: u32) -> Option<Reader<'a>> {
        use std::os::unix::fs::PermissionsExt;
        let root = rustix::process::geteuid().is_root();
        if root && Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("skipped: running as root and setpriv is not installed to drop privileges");
            return None;
        }
        let set = |p: &Path, mode| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        set(&env.db, 0o444);
        // Not root, the directory is this user's own: take its write away.
        set(
            env.dir(),
            if !root && dir_mode == 0o755 {
                0o555
            } else {
                dir_mode
            },
        );
        Some(Reader { env, root })
    }

    fn run(&self, args: &[&str]) -> Output {
        let bin = assert_cmd::cargo::cargo_bin("opweek");
        let mut c = if self.root {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(bin);
            c
        } else {
            Command::new(bin)
        };
        c.current_dir(self.env.dir())
            .env_remove("OPWEEK_DB")
            .env("OPWEEK_USER", "reader")
            .env("NO_COLOR", "1")
            .arg("--db")
            .arg(&self.env.db)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(self.env.dir(), std::fs::Permissions::from_mode(0o700));
        let _ = std::fs::set_permissions(&self.env.db, std::fs::Permissions::from_mode(0o600));
    }
}

fn read_only_database(dir_mode: u32) {
    let env = TestEnv::new();
    if env.sqlite_only("file permissions of the SQLite database") {
        return;
    }
    small_week(&env);
    let report = env.ok(&["report", "--op", "nov17-mersey", "--format", "csv"]);
    let list = env.ok(&["list"]);
    let snapshot = env.snapshot();
    let files = listing(&env);
    let Some(reader) = Reader::new(&env, dir_mode) else {
        return;
    };
    let ok = |args: &[&str]| {
        let out = reader.run(args);
        assert!(
            out.status.success(),
            "{args:?} as a reader: {}",
            stderr(&out)
        );
        assert_eq!(
            stderr(&out)
                .lines()
                .filter(|l| l.contains("warning"))
                .count(),
            0
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        ok(&["report", "--op", "nov17-mersey", "--format", "csv"]),
        report
    );
    assert_eq!(ok(&["list"]), list);
    assert!(ok(&["op", "list"]).contains("nov17-mersey"));
    ok(&["type", "list"]);
    ok(&["audit"]);
    assert!(ok(&["check"]).contains("history chain: intact"));

    let read_only = format!(
        "error: the database at {} is read-only (you cannot write its file): it can be read \
         (report, list, show, check) but not changed; ask whoever owns it for write access\n",
        env.db.display()
    );
    for args in [
        &["log", "warrant", "--date", "2017-11-16"][..],
        &[
            "op",
            "add",
            "dec17",
            "--title",
            "T",
            "--start",
            "2017-12-04",
        ],
        &["type", "retire", "arrest"],
        &["export"],
        &["list", "--format", "csv"],
    ] {
        let out = reader.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), read_only, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    drop(reader);
    // Nothing changed, nothing created beside it (no -wal, no -shm).
    assert_eq!(listing(&env), files);
    assert_eq!(env.snapshot(), snapshot);
}

// 10. A database the user may only read, in a directory they cannot write.
#[test]
fn a_read_only_database_in_a_read_only_directory_can_be_read() {
    read_only_database(0o755);
}

// 10. A read-only file in a directory anyone may write (SQLite would create
// -wal and -shm there that its owner could not then write).
#[test]
fn a_read_only_database_in_a_shared_directory_can_be_read() {
    read_only_database(0o1777);
}

// 21. --db (or OPWEEK_DB) is where the demo goes.
#[test]
fn demo_is_built_at_the_database_named() {
    let mut env = TestEnv::new();
    env.db = env.path("mine.db");
    let data = env.path("data");
    let out = env
        .cmd(&["demo"])
        .env("XDG_DATA_HOME", &data)
        .env("HOME", env.path("home"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!data.exists());
    assert!(env.ok(&["op", "list"]).contains("nov17-mersey"));
    assert_eq!(
        env.ok(&["report", "--format", "csv"]),
        "type,label,count,value\noffender-visit,Offender visits,80,\nwarrant,Warrants,9,\n\
         device-seizure,Device seizures,6,\narrest,Arrests,1,\nsafeguarding-visit,Safeguarding visits,3,\n\
         victim-identified,Victims identified,2,\nschool-session,School sessions,9,\n"
    );

    let out = Command::new(assert_cmd::cargo::cargo_bin("opweek"))
        .current_dir(env.dir())
        .env("OPWEEK_DB", env.path("from-env.db"))
        .env("XDG_DATA_HOME", &data)
        .env("HOME", env.path("home"))
        .arg("demo")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(env.path("from-env.db").is_file());
    assert!(!data.exists());
}

// 23. Help and usage are right for each command.
#[test]
fn help_and_usage_are_right_for_each_command() {
    let env = TestEnv::new();
    let amend = env.ok(&["amend", "--help"]);
    assert!(!amend.contains("default: today"), "{amend}");
    assert!(!amend.contains("default: 1]"), "{amend}");
    let log = env.ok(&["log", "--help"]);
    assert!(log.contains("today or yesterday [default: today]"), "{log}");

    // With OPWEEK_DB set, usage does not show --db as if it were required.
    let out = Command::new(assert_cmd::cargo::cargo_bin("opweek"))
        .current_dir(env.dir())
        .env("OPWEEK_DB", env.path("x.db"))
        .env("OPWEEK_USER", "someone")
        .arg("amend")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Usage: opweek amend --reason <REASON> <ID>"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("--db"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("--user"), "{}", stderr(&out));

    // An empty OPWEEK_DB is unset: the default path, which does not exist.
    let data = env.path("data");
    let out = Command::new(assert_cmd::cargo::cargo_bin("opweek"))
        .current_dir(env.dir())
        .env("OPWEEK_DB", "")
        .env("XDG_DATA_HOME", &data)
        .env("HOME", env.path("home"))
        .args(["op", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "error: no opweek database at {}\n",
            data.join("opweek/opweek.db").display()
        )
    );
    assert!(!data.exists());
}

// 30. Refusals in the tool's own words; type edit and amend agree.
#[test]
fn refusals_are_in_the_tools_own_words() {
    let env = TestEnv::new();
    small_week(&env);
    assert_eq!(
        env.rejects(&[
            "op",
            "add",
            "far",
            "--title",
            "Far",
            "--start",
            "9999-12-30"
        ]),
        "error: an operation starting 9999-12-30 would end after 9999-12-31 (the last date \
         opweek stores): give an earlier --start, or --end"
    );
    env.ok(&[
        "op",
        "add",
        "last",
        "--title",
        "Last",
        "--start",
        "9999-12-25",
    ]);
    assert_eq!(
        env.rejects(&["type", "edit", "warrant"]),
        "error: nothing to change: give at least one of --label, --noun, --plural, --phrase or --measure"
    );
    let label = env
        .ok(&["type", "list"])
        .lines()
        .find(|l| l.contains("warrant"))
        .map(|_| "Warrants")
        .unwrap();
    assert_eq!(
        env.rejects(&["type", "edit", "warrant", "--label", label]),
        "error: nothing to change: the values given are the type's current values"
    );
    let id = env.first_id("warrant");
    assert!(env
        .rejects(&["amend", &id, "--reason", "none"])
        .starts_with("error: nothing to change"));
}

/// A server URL in `--db` or OPWEEK_DB that cannot be reached fails with
/// one line naming the host and the database (never the password the URL
/// may hold), and nothing is made of it on disk: no directory `postgres:`.
#[test]
fn an_unreachable_server_is_one_line_without_its_password_and_creates_nothing() {
    let env = TestEnv::new();
    let run = |db: (&str, &str), args: &[&str]| {
        let mut c = assert_cmd::Command::cargo_bin("opweek").unwrap();
        c.current_dir(env.dir()).env_remove("OPWEEK_DB");
        match db {
            ("--db", url) => {
                c.args(["--db", url]);
            }
            (_, url) => {
                c.env("OPWEEK_DB", url);
            }
        }
        let out = c.args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let url = "postgres://ann:s3cret@db.force.local:5433/opweek";
    for args in [
        &["op", "add", "x", "--title", "T", "--start", "2017-11-13"][..],
        &["report"],
        &["backup", "copy.db"],
        &["demo"],
    ] {
        for how in ["--db", "OPWEEK_DB"] {
            let (code, err) = run((how, url), args);
            assert_eq!(code, Some(1), "{how} {args:?}: {err}");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.starts_with("error: "), "{err}");
            assert!(
                err.contains("db.force.local") && err.contains("opweek"),
                "{how} {args:?}: {err}"
            );
            assert!(!err.contains("s3cret"), "{err}");
        }
    }
    let (code, err) = run(("--db", "postgresql://h.invalid/db"), &["op", "list"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("h.invalid") && err.contains("db"), "{err}");
    let names: Vec<_> = std::fs::read_dir(env.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(names.is_empty(), "{names:?}");
}
