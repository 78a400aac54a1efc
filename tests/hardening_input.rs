//! Hardening of what users type (issue 9): counts bounded, text trimmed,
//! relative dates refused in files, `log` confirming on a terminal,
//! suggestions for mistyped names, field filters, `import --map-op` and
//! import summaries that name their file. Every refusal leaves the database
//! unchanged (`TestEnv::rejects`).

use std::path::Path;

use crate::env::TestEnv;

/// The file's lines, its path replaced by FILE.
fn lines_of(err: &str, file: &Path) -> Vec<String> {
    let name = file.display().to_string();
    err.lines().map(|l| l.replace(&name, "FILE")).collect()
}

/// Rows of `list --format csv` for these extra arguments.
fn listed(env: &TestEnv, args: &[&str]) -> usize {
    let mut all = vec!["list", "--format", "csv"];
    all.extend_from_slice(args);
    csv::Reader::from_reader(env.ok(&all).as_bytes())
        .records()
        .count()
}

#[test]
fn a_count_above_a_million_is_refused_by_log_amend_and_import() {
    let env = TestEnv::new();
    env.reference_op();
    let too_large = "error: 1000001 is too large a count for one event (at most 1,000,000; \
                     record a larger seizure as several events)";
    assert_eq!(
        env.rejects(&[
            "log",
            "warrant",
            "--date",
            "2017-11-14",
            "--count",
            "1000001"
        ]),
        too_large
    );
    let id = env.ok(&[
        "log",
        "device-seizure",
        "--date",
        "2017-11-14",
        "--count",
        "1000000",
    ]);
    let id = id.trim();
    assert_eq!(
        env.rejects(&[
            "amend",
            id,
            "--count",
            "9223372036854775807",
            "--reason",
            "typo"
        ]),
        "error: 9223372036854775807 is too large a count for one event (at most 1,000,000; \
         record a larger seizure as several events)"
    );
    // Beyond what a 64-bit number holds: still "too large", not "invalid".
    assert!(env
        .rejects(&[
            "amend",
            id,
            "--count",
            "99999999999999999999",
            "--reason",
            "x"
        ])
        .contains("too large a count"));
    let file = env.write(
        "big.csv",
        "operation,type,date,count\n\
         nov17-mersey,warrant,2017-11-14,1\n\
         nov17-mersey,warrant,2017-11-15,5000000\n",
    );
    let before = env.snapshot();
    let err = env.fails(1, &["import", file.to_str().unwrap()]);
    assert_eq!(
        lines_of(&err, &file),
        [
            "FILE:3: count: 5000000 is too large a count for one event (at most 1,000,000; \
             record a larger seizure as several events)",
            "error: 1 invalid row in FILE; nothing was imported",
        ]
    );
    assert_eq!(env.snapshot(), before);
    // The maximum itself is a count like any other.
    assert_eq!(
        env.ok(&["report", "--format", "csv"]),
        "type,label,count,value\ndevice-seizure,Device seizures,1000000,\n"
    );
}

/// A database written before counts were bounded may hold a count near
/// i64's limit: the table still renders (a debug build panicked computing
/// its bar).
#[test]
fn a_huge_stored_count_renders_without_panicking() {
    let env = TestEnv::new();
    if env.sqlite_only("writes a count past the CLI's limits through rusqlite") {
        return;
    }
    env.reference_op();
    env.ok(&["log", "warrant", "--date", "2017-11-14"]);
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .execute("UPDATE event SET count = 9223372036854775807", [])
        .unwrap();
    let out = env.ok(&["report"]);
    assert!(out.contains("9,223,372,036,854,775,807"), "{out}");
}

#[test]
fn text_is_trimmed_so_a_value_tallies_in_one_row() {
    let env = TestEnv::new();
    env.reference_op();
    env.ok(&[
        "log",
        "warrant",
        "--date",
        "2017-11-14",
        "--area",
        "  Wirral  ",
        "--officer",
        " 4127 ",
        "--team",
        "   ",
    ]);
    env.ok(&[
        "log",
        "warrant",
        "--date",
        "2017-11-14",
        "--area",
        "Wirral",
        "--officer",
        "4127",
    ]);
    let file = env.write(
        "week.csv",
        "operation,type,date,area,officer\n\
         nov17-mersey , warrant ,2017-11-15,\" Wirral\",4127 \n",
    );
    env.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(
        env.ok(&["report", "--by", "area", "--format", "csv"]),
        "area,type,label,count,value\nWirral,warrant,Warrants,3,\n"
    );
    assert_eq!(
        env.ok(&["report", "--by", "officer", "--format", "csv"]),
        "officer,type,label,count,value\n4127,warrant,Warrants,3,\n"
    );
    // A blank optional value is no value.
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "--format", "json"])).unwrap();
    assert_eq!(json[0]["team"], serde_json::Value::Null);

    // Operation and type fields are trimmed the same way; a value that is
    // only spaces where one is needed is refused.
    env.ok(&[
        "op",
        "add",
        "dec17",
        "--title",
        "  December week  ",
        "--start",
        "2017-12-04",
        "--force",
        " Merseyside Police ",
    ]);
    let shown = env.ok(&["op", "show", "dec17"]);
    assert!(
        shown.contains("December week") && shown.contains("Merseyside Police"),
        "{shown}"
    );
    assert!(
        !shown.contains("  December") && !shown.contains("  Merseyside"),
        "{shown}"
    );
    assert_eq!(
        env.rejects(&[
            "op",
            "add",
            "jan18",
            "--title",
            "  ",
            "--start",
            "2018-01-08"
        ]),
        "error: title must not be empty"
    );
    assert_eq!(
        env.rejects(&["type", "add", "knife-surrender", "--label", "   "]),
        "error: label must not be empty"
    );
    env.ok(&[
        "type",
        "add",
        "knife-surrender",
        "--label",
        " Knife surrenders ",
    ]);
    assert!(env
        .ok(&["type", "list"])
        .lines()
        .any(|l| l.contains("knife-surrender") && l.contains("Knife surrenders")));
}

#[test]
fn import_refuses_relative_dates_and_the_command_line_takes_them() {
    let env = TestEnv::new();
    env.reference_op();
    let file = env.write(
        "relative.csv",
        "operation,type,date\n\
         nov17-mersey,warrant,2017-11-14\n\
         nov17-mersey,warrant,today\n\
         nov17-mersey,warrant, Yesterday\n",
    );
    let before = env.snapshot();
    let err = env.fails(1, &["import", file.to_str().unwrap()]);
    assert_eq!(
        lines_of(&err, &file),
        [
            "FILE:3: date: \"today\" is a relative date: a file's dates must be absolute, \
             so it means the same on any day (expected YYYY-MM-DD)",
            "FILE:4: date: \"Yesterday\" is a relative date: a file's dates must be absolute, \
             so it means the same on any day (expected YYYY-MM-DD)",
            "error: 2 invalid rows in FILE; nothing was imported",
        ]
    );
    assert_eq!(env.snapshot(), before);
    // `log` is typed on the day: there `today` is welcome.
    env.ok(&[
        "op",
        "add",
        "this-week",
        "--title",
        "This week",
        "--start",
        "today",
    ]);
    env.ok(&["log", "warrant", "--date", "today", "--op", "this-week"]);
}

/// Runs `log` with stderr on a pseudo-terminal; returns (stdout, what the
/// terminal showed).
fn log_on_a_terminal(env: &TestEnv, args: &[&str]) -> (String, String) {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two new descriptors into the two integers; no
    // name, settings or size are passed.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // Not inherited by the processes other tests start meanwhile (they
    // would hold the terminal open); the child gets the slave as its fd 2.
    for fd in [master, slave] {
        // SAFETY: fcntl on a descriptor this test owns.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    // SAFETY: both descriptors were just opened and are owned here alone.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("opweek"));
    cmd.env_remove("OPWEEK_DB")
        .env("OPWEEK_USER", "test-analyst")
        .env("NO_COLOR", "1")
        .arg("--db")
        .arg(&env.db)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(slave);
    let child = cmd.spawn().expect("run opweek");
    // `cmd` holds this process's copy of the slave: without it, the master
    // reads to the end once the child has exited. Read while it runs.
    drop(cmd);
    let mut shown = Vec::new();
    let mut master = std::fs::File::from(master);
    let mut buf = [0u8; 4096];
    loop {
        match master.read(&mut buf) {
            Ok(0) | Err(_) => break, // EIO: the terminal's other side closed
            Ok(n) => shown.extend_from_slice(&buf[..n]),
        }
    }
    let out = child.wait_with_output().expect("run opweek");
    assert!(out.status.success(), "{out:?}");
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&shown).replace("\r\n", "\n"),
    )
}

#[test]
fn log_says_what_it_recorded_on_a_terminal_and_scripts_get_the_bare_id() {
    let env = TestEnv::new();
    env.reference_op();
    let (id, shown) = log_on_a_terminal(&env, &["log", "warrant", "--date", "2017-11-14"]);
    assert_eq!(id.trim().len(), 36, "{id:?}");
    assert_eq!(id.lines().count(), 1);
    assert_eq!(shown, "logged 1 warrant on 2017-11-14 in nov17-mersey\n");
    let (_, shown) = log_on_a_terminal(
        &env,
        &[
            "log",
            "device-seizure",
            "--date",
            "2017-11-15",
            "--count",
            "3",
        ],
    );
    assert_eq!(
        shown,
        "logged 3 electronic devices on 2017-11-15 in nov17-mersey\n"
    );
    // Not a terminal (a script): stdout the id alone, stderr silent.
    let out = env.run(&["log", "warrant", "--date", "2017-11-14"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim().len(), 36);
    assert!(out.stderr.is_empty(), "{:?}", out.stderr);
}

#[test]
fn a_mistyped_type_or_operation_gets_a_suggestion_everywhere() {
    let env = TestEnv::new();
    env.import_reference_week();
    let id = env.first_id("warrant");
    let type_hint = "unknown activity type \"offender-vist\" (did you mean offender-visit?)";
    let op_hint = "unknown operation \"nov17-mersy\" (did you mean nov17-mersey?)";
    for (args, expected) in [
        (
            vec!["log", "offender-vist", "--date", "2017-11-14"],
            type_hint,
        ),
        (
            vec![
                "log",
                "warrant",
                "--date",
                "2017-11-14",
                "--op",
                "nov17-mersy",
            ],
            op_hint,
        ),
        (vec!["list", "--type", "offender-vist"], type_hint),
        (vec!["list", "--op", "nov17-mersy"], op_hint),
        (vec!["report", "--op", "nov17-mersy"], op_hint),
        (
            vec!["report", "--op", "nov17-mersey", "--compare", "nov17-mersy"],
            op_hint,
        ),
        (vec!["export", "--op", "nov17-mersy"], op_hint),
        (
            vec!["amend", &id, "--type", "offender-vist", "--reason", "x"],
            type_hint,
        ),
        (
            vec!["type", "edit", "offender-vist", "--label", "Visits"],
            type_hint,
        ),
        (vec!["op", "show", "nov17-mersy"], op_hint),
    ] {
        assert_eq!(
            env.rejects(&args),
            format!("error: {expected}"),
            "{}",
            args.join(" ")
        );
    }
    let file = env.write("week.csv", "type,date\nwarrant,2017-11-14\n");
    assert_eq!(
        env.rejects(&["import", file.to_str().unwrap(), "--op", "nov17-mersy"]),
        format!("error: {op_hint}")
    );
    // Nothing near: where to look instead.
    assert_eq!(
        env.rejects(&["log", "burglary"]),
        "error: unknown activity type \"burglary\" (see `opweek type list`)"
    );
}

#[test]
fn list_export_and_report_filter_by_week_team_area_officer_and_ref() {
    let env = TestEnv::new();
    env.import_reference_week();
    assert_eq!(listed(&env, &["--week", "2017-W46"]), 107);
    assert_eq!(listed(&env, &["--week", "2017-W47"]), 0);
    assert_eq!(listed(&env, &["--team", "SOU Team 1"]), 36);
    assert_eq!(listed(&env, &["--team", " SOU Team 1 "]), 36);
    assert_eq!(listed(&env, &["--area", "Wirral"]), 11);
    assert_eq!(listed(&env, &["--officer", "4127"]), 15);
    assert_eq!(listed(&env, &["--ref", "W/17/4410"]), 2);
    assert_eq!(
        listed(&env, &["--team", "SOU Team 1", "--area", "Liverpool North"]),
        15
    );
    // Exact matches only: no prefix, no pattern.
    assert_eq!(listed(&env, &["--team", "SOU Team"]), 0);
    assert_eq!(listed(&env, &["--area", "%"]), 0);

    let exported = env.ok(&["export", "--officer", "4127", "--week", "2017-W46"]);
    assert_eq!(
        csv::Reader::from_reader(exported.as_bytes())
            .records()
            .count(),
        15
    );
    let audit = env.ok(&["audit"]);
    assert!(
        audit.contains("--week 2017-W46 --officer \"4127\""),
        "{audit}"
    );

    assert_eq!(
        env.ok(&["report", "--officer", "4127", "--format", "csv"]),
        "type,label,count,value\n\
         offender-visit,Offender visits,11,\n\
         warrant,Warrants,2,\n\
         arrest,Arrests,1,\n\
         safeguarding-visit,Safeguarding visits,1,\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["report", "--team", "SOU Team 1", "--format", "json"]))
            .unwrap();
    assert_eq!(json["total"], 37);
    assert_eq!(json["filters"]["team"], "SOU Team 1");
    assert!(env
        .ok(&["report", "--team", "SOU Team 1", "--format", "markdown"])
        .contains("only team SOU Team 1"));

    for flag in ["--team", "--area", "--officer", "--ref"] {
        let err = env.rejects(&["list", flag, "  "]);
        assert_eq!(err, format!("error: {flag} must not be empty"));
        env.rejects(&["report", flag, ""]);
        env.rejects(&["export", flag, " "]);
    }
}

#[test]
fn map_op_maps_a_forces_codes_and_an_unknown_operation_is_reported_once() {
    let env = TestEnv::new();
    env.reference_op();
    let mut csv = String::from("operation,type,date\n");
    for day in 0..12 {
        csv.push_str(&format!("NOV17 Mersey,warrant,2017-11-{}\n", 13 + day % 7));
    }
    csv.push_str("nov17-mersey,warrant,2017-11-14\n");
    csv.push_str("dec17,arrest,2017-11-14\n");
    let file = env.write("force.csv", csv);
    let path = file.to_str().unwrap();
    let before = env.snapshot();
    let err = env.fails(1, &["import", path]);
    assert_eq!(
        lines_of(&err, &file),
        [
            "FILE: operation 'NOV17 Mersey' is not known (12 rows; create it with opweek op add \
             or map it with --map-op NOV17 Mersey=CODE)",
            "FILE: operation 'dec17' is not known (1 row; create it with opweek op add \
             or map it with --map-op dec17=CODE)",
            "error: 13 invalid rows in FILE; nothing was imported",
        ]
    );
    assert_eq!(env.snapshot(), before);

    assert_eq!(
        env.rejects(&["import", path, "--map-op", "NOV17 Mersey=nov17-mersy"]),
        "error: --map-op NOV17 Mersey=nov17-mersy: unknown operation \"nov17-mersy\" \
         (did you mean nov17-mersey?)"
    );
    assert!(env
        .rejects(&["import", path, "--map-op", "NOV17 Mersey"])
        .contains("expected THEIRS=OURS"));
    let err = env.ok_stderr(&[
        "import",
        path,
        "--map-op",
        " NOV17 Mersey = nov17-mersey",
        "--map-op",
        "dec17=nov17-mersey",
    ]);
    assert!(
        err.starts_with("force.csv: imported 14 events, skipped 0 already stored\n"),
        "{err}"
    );
    assert_eq!(
        env.ok(&["report", "--format", "csv"]),
        "type,label,count,value\nwarrant,Warrants,13,\narrest,Arrests,1,\n"
    );
}

#[test]
fn the_regional_load_script_says_which_file_each_summary_is_for() {
    let env = TestEnv::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("sh")
        .arg(root.join("examples/regional/load.sh"))
        .arg(&env.db)
        .env("OPWEEK", assert_cmd::cargo::cargo_bin("opweek"))
        .env("OPWEEK_USER", "coordinator")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    let files: Vec<&str> = err
        .lines()
        .filter_map(|l| l.split_once(": imported ").map(|(file, _)| file))
        .collect();
    assert_eq!(
        files,
        [
            "nov2017-merseyside.csv",
            "cheshire-nov17.csv",
            "gmp-nov17.csv",
            "lancs-nov17.csv",
            "cumbria-nov17.csv",
            "nwales-nov17.csv",
        ],
        "{err}"
    );
}

/// A NUL in a text cell is refused, naming the row and the field, on both
/// engines (PostgreSQL's text cannot hold one, so SQLite must not either:
/// a unit's file must always move to the server).
#[test]
fn a_nul_in_a_text_cell_is_refused_on_every_engine() {
    let env = TestEnv::new();
    env.reference_op();
    let file = env.write(
        "nul.csv",
        b"operation,type,date,count,notes\nnov17-mersey,arrest,2017-11-14,1,a\0b\n",
    );
    let out = env.run(&["import", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nul.csv:2: notes") && err.contains("NUL character"),
        "{err}"
    );
    let line = env.rejects(&["import", file.to_str().unwrap()]);
    assert!(line.ends_with("nul.csv; nothing was imported"), "{line}");
}
