//! A force-wide database on PostgreSQL (issue 14), beyond the suite that
//! runs on both engines: many workstations writing at once, a unit's file
//! moved to the server and backed up again, a connection lost mid-import,
//! and the connection errors a user meets. These need a server
//! (OPWEEK_TEST_PG); without one each returns at once.

use std::path::{Path, PathBuf};

use crate::env::{TestEnv, REFERENCE_OP};

fn ok(env: &TestEnv, db: &Path, args: &[&str]) -> String {
    let out = env.cmd_on(db, args).output().expect("run opweek");
    assert!(
        out.status.success(),
        "opweek --db {} {}: {}",
        db.display(),
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The chain head `check` prints.
fn head(env: &TestEnv, db: &Path) -> String {
    let out = ok(env, db, &["check"]);
    out.lines()
        .find_map(|l| l.strip_prefix("chain head: "))
        .unwrap_or_else(|| panic!("no head in:\n{out}"))
        .to_string()
}

/// What a supervisor reads of the week, in every format that carries
/// figures, with the database's name taken out.
fn reports(env: &TestEnv, db: &Path) -> Vec<String> {
    [
        vec!["report", "--op", "nov17-mersey"],
        vec!["report", "--op", "nov17-mersey", "--format", "json"],
        vec![
            "report",
            "--op",
            "nov17-mersey",
            "--format",
            "csv",
            "--by",
            "day",
        ],
        vec![
            "report",
            "--op",
            "nov17-mersey",
            "--format",
            "markdown",
            "--by",
            "detail",
        ],
        vec!["report", "--op", "nov17-mersey", "--format", "briefing"],
        vec!["list", "--op", "nov17-mersey", "--format", "json"],
        vec!["op", "list"],
        vec!["type", "list"],
        vec![
            "list",
            "--op",
            "nov17-mersey",
            "--include-voided",
            "--format",
            "json",
        ],
    ]
    .iter()
    .map(|args| ok(env, db, args))
    .collect()
}

/// A unit's week in a SQLite file: the reference week, a correction, a
/// voided event and a sign-off, so the history holds every kind of entry.
fn unit_file(env: &TestEnv) -> PathBuf {
    let file = env.path("unit.db");
    ok(env, &file, REFERENCE_OP);
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nov2017-merseyside.csv");
    ok(env, &file, &["import", csv.to_str().unwrap()]);
    let id = env.first_id_on(&file, "arrest");
    ok(
        env,
        &file,
        &[
            "amend",
            &id,
            "--detail",
            "rape and assault",
            "--reason",
            "typo",
        ],
    );
    let id = env.first_id_on(&file, "warrant");
    ok(env, &file, &["void", &id, "--reason", "entered twice"]);
    ok(
        env,
        &file,
        &["op", "sign-off", "nov17-mersey", "--note", "as briefed"],
    );
    file
}

#[test]
fn a_units_file_moved_to_the_server_and_backed_up_again_keeps_its_figures_and_head() {
    let Some(env) = TestEnv::on_server() else {
        return;
    };
    let file = unit_file(&env);
    let file_head = head(&env, &file);
    let file_reports = reports(&env, &file);

    let out = ok(&env, &env.db, &["restore", file.to_str().unwrap()]);
    assert!(out.starts_with("postgres://"), "{out}");
    assert_eq!(head(&env, &env.db), file_head);
    for (server, file) in reports(&env, &env.db).iter().zip(&file_reports) {
        assert_eq!(server, file);
    }
    assert!(ok(&env, &env.db, &["check", "--head", &file_head[..12]]).contains("chain head"));

    // Still signed off on the server: nothing may change its figures.
    let err = env.rejects(&[
        "log",
        "arrest",
        "--op",
        "nov17-mersey",
        "--date",
        "2017-11-14",
    ]);
    assert!(err.contains("signed off by test-analyst"), "{err}");

    // The server keeps recording after the restored rows.
    ok(
        &env,
        &env.db,
        &["op", "reopen", "nov17-mersey", "--reason", "late arrest"],
    );
    ok(
        &env,
        &env.db,
        &[
            "log",
            "arrest",
            "--op",
            "nov17-mersey",
            "--date",
            "2017-11-14",
            "--detail",
            "burglary",
        ],
    );
    let server_head = head(&env, &env.db);
    assert_ne!(server_head, file_head);

    let week = env.path("week.db");
    ok(&env, &env.db, &["backup", week.to_str().unwrap()]);
    assert_eq!(head(&env, &week), server_head);
    assert_eq!(reports(&env, &week), reports(&env, &env.db));
    let report: serde_json::Value = serde_json::from_str(&ok(
        &env,
        &week,
        &["report", "--op", "nov17-mersey", "--format", "json"],
    ))
    .unwrap();
    // 110, one warrant voided, one arrest logged on the server.
    assert_eq!(report["total"], 110);

    // A server database that holds records is never overwritten.
    let err = env.rejects(&["restore", file.to_str().unwrap(), "--force"]);
    assert!(err.contains("already holds records"), "{err}");
}

#[test]
fn eight_workstations_logging_fifty_events_each_at_once_all_land_on_one_chain() {
    let Some(env) = TestEnv::on_server() else {
        return;
    };
    env.reference_op();
    std::thread::scope(|s| {
        for w in 0..8 {
            let env = &env;
            s.spawn(move || {
                for i in 0..50 {
                    let user = format!("workstation-{w}");
                    let detail = format!("visit {i}");
                    let out = env
                        .cmd(&[
                            "--user",
                            &user,
                            "log",
                            "offender-visit",
                            "--op",
                            "nov17-mersey",
                            "--date",
                            "2017-11-15",
                            "--detail",
                            &detail,
                        ])
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            });
        }
    });
    let report: serde_json::Value =
        serde_json::from_str(&env.ok(&["report", "--op", "nov17-mersey", "--format", "json"]))
            .unwrap();
    assert_eq!(report["total"], 400);
    let check = env.ok(&["check"]);
    assert!(check.contains("history entries: 401"), "{check}");
    assert!(check.contains("history chain: intact"), "{check}");
    // One entry after another: every seq from 1 to 401, none twice.
    assert_eq!(
        env.query("SELECT count(DISTINCT seq), min(seq), max(seq), count(DISTINCT prev_hash) FROM event_history"),
        vec![vec!["401", "1", "401", "401"]]
    );
}

/// A large file for an import that takes long enough to interrupt.
fn big_csv(env: &TestEnv, rows: usize) -> PathBuf {
    let mut text = String::from("operation,type,date,count,detail\n");
    for i in 0..rows {
        text.push_str(&format!(
            "nov17-mersey,offender-visit,2017-11-{:02},1,visit {i}\n",
            13 + i % 7
        ));
    }
    env.write("big.csv", text)
}

/// Starts `opweek import csv` on the test database and returns once its
/// rows are streaming to the server (its COPY seen in pg_stat_activity),
/// with the pid of the server process serving it.
fn import_under_way(env: &TestEnv, csv: &Path) -> (std::process::Child, String) {
    let database = env
        .db
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("opweek"))
        .env("OPWEEK_USER", "test-analyst")
        .arg("--db")
        .arg(&env.db)
        .arg("import")
        .arg(csv)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        let rows = env.query(&format!(
            "SELECT pid FROM pg_stat_activity
             WHERE datname = '{database}' AND query LIKE 'COPY event%' AND pid <> pg_backend_pid()"
        ));
        if let Some(row) = rows.first() {
            return (child, row[0].clone());
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the import's COPY was never seen");
}

/// The failed import's one `error:` line, checked.
fn failed(child: std::process::Child) -> String {
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
    err
}

#[test]
fn a_connection_lost_in_the_middle_of_an_import_leaves_nothing_half_written() {
    let Some(env) = TestEnv::on_server() else {
        return;
    };
    env.reference_op();
    let before = env.snapshot();
    let csv = big_csv(&env, 200_000);
    // Cut the import's connection as soon as its rows are streaming in.
    let (child, pid) = import_under_way(&env, &csv);
    env.query(&format!("SELECT pg_terminate_backend({pid})"));
    failed(child);
    // All or nothing: nothing.
    assert_eq!(env.snapshot(), before);
    assert_eq!(env.query("SELECT count(*) FROM event"), vec![vec!["0"]]);
    // And the same file imports whole afterwards.
    let err = env.ok_stderr(&["import", csv.to_str().unwrap()]);
    assert!(err.contains("imported 200000 events"), "{err}");
    assert!(env.ok(&["check"]).contains("history chain: intact"));
}

/// One `error:` line, exit 1, and no password anywhere in the output.
fn refused(env: &TestEnv, db: &str, envs: &[(&str, &str)], secret: &str) -> String {
    let mut c = env.cmd_on(Path::new(db), &["report"]);
    for (k, v) in envs {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{db}: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(!err.contains(secret), "the password leaked: {err}");
    assert!(out.stdout.is_empty());
    lines[0].to_string()
}

#[test]
fn connection_failures_are_one_clear_line_without_the_password() {
    let Some(env) = TestEnv::on_server() else {
        return;
    };
    let Ok(tcp) = std::env::var("OPWEEK_TEST_PG_TCP") else {
        eprintln!("skipped: needs OPWEEK_TEST_PG_TCP (a URL with a password)");
        return;
    };
    // The test's database, reached over TCP with a password.
    let name = env
        .db
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let url = format!("{}/{name}", tcp.rsplit_once('/').unwrap().0);
    env.reference_op();
    // postgres://USER:PASSWORD@HOST:PORT/DB
    let (scheme_user, rest) = url.split_once(':').unwrap();
    let rest = rest.strip_prefix("//").unwrap();
    let (user_pw, host_db) = rest.split_once('@').unwrap();
    let (user, password) = user_pw.split_once(':').unwrap();
    let (host_port, db) = host_db.split_once('/').unwrap();
    let (host, port) = host_port.split_once(':').unwrap();
    let _ = scheme_user;

    // Wrong password.
    let wrong = format!("postgres://{user}:not-{password}@{host_port}/{db}");
    let e = refused(&env, &wrong, &[], password);
    assert!(e.contains(host) && e.contains(db), "{e}");
    assert!(e.contains("password"), "{e}");
    assert!(!e.contains(&format!("not-{password}")), "{e}");

    // The database missing.
    let missing = format!("postgres://{user}:{password}@{host_port}/no_such_opweek_db");
    let e = refused(&env, &missing, &[], password);
    assert!(
        e.contains("no_such_opweek_db") && e.contains("does not exist"),
        "{e}"
    );

    // Nothing listening there.
    let closed = format!("postgres://{user}:{password}@127.0.0.1:1/{db}");
    let e = refused(&env, &closed, &[], password);
    assert!(e.contains("127.0.0.1") && e.contains(db), "{e}");

    // A host that does not exist.
    let nowhere = format!("postgres://{user}:{password}@no-such-host.invalid:{port}/{db}");
    let e = refused(&env, &nowhere, &[], password);
    assert!(e.contains("no-such-host.invalid") && e.contains(db), "{e}");

    // A server older than opweek supports (the minimum raised past it).
    let e = refused(&env, &url, &[("OPWEEK_PG_MIN_VERSION", "990000")], password);
    assert!(e.contains("opweek needs"), "{e}");

    // The password from PGPASSWORD instead of the URL works the same.
    let bare = format!("postgres://{user}@{host_port}/{db}");
    let out = env
        .cmd_on(Path::new(&bare), &["op", "list"])
        .env("PGPASSWORD", password)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_server_enforces_the_history_and_no_deletes_even_behind_opweeks_back() {
    let Some(env) = TestEnv::on_server() else {
        return;
    };
    env.import_reference_week();
    env.ok(&["export"]); // a disclosure entry
    let url = env.db.to_str().unwrap();
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    for (sql, message) in [
        (
            "UPDATE event_history SET reason = 'x'",
            "event_history is append-only",
        ),
        ("DELETE FROM event_history", "event_history is append-only"),
        ("TRUNCATE event_history CASCADE", "append-only"),
        ("DELETE FROM event", "events are voided, never deleted"),
        (
            "DELETE FROM disclosure",
            "the disclosure log is append-only",
        ),
    ] {
        let e = c.batch_execute(sql).unwrap_err();
        assert!(format!("{:?}", e).contains(message), "{sql}: {e:?}");
    }
    // An edit the server allows (an event's row) is caught by `check`.
    c.batch_execute("UPDATE event SET count = 99 WHERE id = 5")
        .unwrap();
    let out = env.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("behind the tool's back")
            || String::from_utf8_lossy(&out.stdout).contains("digest")
    );
}

/// Runs pg_ctl on the test cluster (as the user that owns it).
fn pg_ctl(args: &[&str]) -> Option<std::process::ExitStatus> {
    let ctl = std::env::var("OPWEEK_TEST_PG_CTL").ok()?;
    let dir = std::env::var("OPWEEK_TEST_PG_DIR").ok()?;
    let runas = std::env::var("OPWEEK_TEST_PG_RUNAS").unwrap_or_default();
    let mut c = if runas.is_empty() {
        std::process::Command::new(&ctl)
    } else {
        let mut c = std::process::Command::new("runuser");
        c.args(["-u", &runas, "--", &ctl]);
        c
    };
    c.arg("-D").arg(&dir).args(args);
    c.stdout(std::process::Stdio::null());
    Some(c.status().expect("run pg_ctl"))
}

/// Stops the whole test server, so it runs alone: `.ci/run` runs it after
/// the suite (`cargo test --test tests -- --ignored server::`).
#[test]
#[ignore = "stops the test server: run alone, as .ci/run does after the suite"]
fn a_server_stopped_in_the_middle_of_an_import_has_all_or_none_of_it_when_it_comes_back() {
    let Some(env) = TestEnv::on_server() else {
        return;
    };
    let Ok(log) = std::env::var("OPWEEK_TEST_PG_LOG") else {
        eprintln!(
            "skipped: needs OPWEEK_TEST_PG_CTL, _DIR, _RUNAS and _LOG (scripts/pg-cluster.sh)"
        );
        return;
    };
    env.reference_op();
    let before = env.snapshot();
    let csv = big_csv(&env, 200_000);
    let (child, _) = import_under_way(&env, &csv);
    // Pulled out from under it: no shutdown checkpoint, as in a crash.
    assert!(pg_ctl(&["-m", "immediate", "stop"]).unwrap().success());
    let stopped = child.wait_with_output();
    let started = pg_ctl(&["-w", "-l", &log, "start"]).unwrap();
    assert!(started.success(), "the test server did not come back");
    let out = stopped.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
    // All or none: the import never committed, so none.
    assert_eq!(env.snapshot(), before);
    assert!(env.ok(&["check"]).contains("history chain: intact"));
    let err = env.ok_stderr(&["import", csv.to_str().unwrap()]);
    assert!(err.contains("imported 200000 events"), "{err}");
}

/// The README's grants for the analysts' role, as printed there, for
/// database `db` and role `role`.
fn readme_grants(db: &str, role: &str) -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let block = readme
        .split("```sql")
        .find(|b| b.contains("GRANT CONNECT"))
        .and_then(|b| b.split("```").next())
        .expect("the README's GRANT block");
    block
        .replace("DATABASE opweek ", &format!("DATABASE {db} "))
        .replace("opweek_user", role)
}

#[test]
fn the_analysts_role_does_everything_with_the_readmes_grants_and_a_reader_only_reads() {
    let Some(env) = TestEnv::on_server() else {
        return;
    };
    // The owner (the test's admin role) creates the schema.
    env.ok(&["type", "pack", "add", "county-lines"]);
    let url = env.db.to_str().unwrap().to_string();
    let db = url.rsplit('/').next().unwrap().to_string();
    let analyst = format!("{db}_analyst");
    let reader = format!("{db}_reader");
    let grants = readme_grants(&db, &analyst);
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "CREATE ROLE {analyst} LOGIN; CREATE ROLE {reader} LOGIN; {grants}
             GRANT CONNECT ON DATABASE {db} TO {reader};
             GRANT USAGE ON SCHEMA public TO {reader};
             GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader};"
        ))
        .unwrap();
    let as_role = |role: &str| {
        let (scheme_user, rest) = url.split_once('@').unwrap();
        let scheme = &scheme_user[..scheme_user.find("://").unwrap() + 3];
        PathBuf::from(format!("{scheme}{role}@{rest}"))
    };
    let a = as_role(&analyst);
    ok(
        &env,
        &a,
        &[
            "op",
            "add",
            "cl-oct23-mersey",
            "--title",
            "County lines",
            "--start",
            "2023-10-09",
        ],
    );
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/county-lines-week.csv");
    ok(&env, &a, &["import", csv.to_str().unwrap()]);
    let id = ok(
        &env,
        &a,
        &[
            "log",
            "arrest",
            "--date",
            "2023-10-10",
            "--detail",
            "possession with intent",
        ],
    );
    let id = id.trim();
    ok(
        &env,
        &a,
        &[
            "amend",
            id,
            "--detail",
            "possession with intent to supply",
            "--reason",
            "wording",
        ],
    );
    ok(&env, &a, &["void", id, "--reason", "entered twice"]);
    ok(
        &env,
        &a,
        &[
            "type",
            "add",
            "test-purchase",
            "--label",
            "Test purchases",
            "--noun",
            "test purchase",
            "--plural",
            "test purchases",
        ],
    );
    ok(&env, &a, &["op", "sign-off", "cl-oct23-mersey"]);
    ok(
        &env,
        &a,
        &["op", "reopen", "cl-oct23-mersey", "--reason", "late result"],
    );
    ok(
        &env,
        &a,
        &["export", "-o", env.path("out.csv").to_str().unwrap()],
    );
    let backup = env.path("week.db");
    ok(&env, &a, &["backup", backup.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_str(&ok(
        &env,
        &a,
        &["report", "--op", "cl-oct23-mersey", "--format", "json"],
    ))
    .unwrap();
    let cash = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "cash-seizure")
        .unwrap();
    assert_eq!(cash["value"], 77115, "{report}"); // £77,115.00
    assert!(ok(&env, &a, &["check"]).contains("history chain: intact"));
    assert_eq!(head(&env, &a), head(&env, &backup));

    // A role that may only read reads, and is refused anything else in
    // one line that says why, changing nothing.
    let r = as_role(&reader);
    assert!(ok(&env, &r, &["report", "--op", "cl-oct23-mersey"]).contains("Cash seizures"));
    ok(&env, &r, &["check"]);
    let before = env.snapshot();
    let out = env
        .cmd_on(&r, &["log", "arrest", "--date", "2023-10-11"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("permission denied") && err.contains("grants"),
        "{err}"
    );
    assert_eq!(env.snapshot(), before);
    admin
        .batch_execute(&format!(
            "DROP OWNED BY {analyst}, {reader}; DROP ROLE {analyst}; DROP ROLE {reader};"
        ))
        .unwrap();
}
