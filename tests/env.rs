//! `TestEnv`: a temporary directory and database per test, the binary run
//! against it, and everything printed when a command surprises the test.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

pub struct TestEnv {
    dir: TempDir,
    pub db: PathBuf,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().expect("temporary directory");
        let db = dir.path().join("test.db");
        TestEnv { dir, db }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file in the test directory and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).expect("write test file");
        p
    }

    /// The binary with this test's database and a fixed user, stdin closed.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("opweek").expect("opweek binary");
        c.current_dir(self.dir.path())
            .env_remove("OPWEEK_DB")
            .env("OPWEEK_USER", "test-analyst")
            .env("NO_COLOR", "1")
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .write_stdin("");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run opweek")
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        if !out.status.success() {
            panic!("{}", self.describe("expected success", args, &out));
        }
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs a command that must succeed; returns its stderr (the messages,
    /// such as an import's summary).
    pub fn ok_stderr(&self, args: &[&str]) -> String {
        let out = self.run(args);
        if !out.status.success() {
            panic!("{}", self.describe("expected success", args, &out));
        }
        String::from_utf8(out.stderr).expect("utf-8 stderr")
    }

    /// Runs a command that must fail with `code`; returns its stderr.
    pub fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.run(args);
        if out.status.code() != Some(code) {
            panic!(
                "{}",
                self.describe(&format!("expected exit {code}"), args, &out)
            );
        }
        String::from_utf8(out.stderr).expect("utf-8 stderr")
    }

    /// Runs a command that must fail with exit 1 and one `error:` line,
    /// leaving the database exactly as it was. Returns the error line.
    pub fn rejects(&self, args: &[&str]) -> String {
        let before = self.snapshot();
        let err = self.fails(1, args);
        let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(lines.len(), 1, "expected one error line, got:\n{err}");
        assert_eq!(
            self.snapshot(),
            before,
            "`{}` changed the database",
            args.join(" ")
        );
        lines[0].to_string()
    }

    fn describe(&self, what: &str, args: &[&str], out: &Output) -> String {
        format!(
            "{what}: opweek --db {} {}\ndir: {}\nstatus: {}\n--- stdout\n{}\n--- stderr\n{}",
            self.db.display(),
            args.join(" "),
            self.dir.path().display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    /// Everything in the database as text (schema, user_version and every
    /// row of every table), to prove a failed command changed nothing.
    pub fn snapshot(&self) -> String {
        if !self.db.exists() {
            return "(no database)".into();
        }
        let conn = rusqlite::Connection::open(&self.db).expect("open test db");
        let mut out = String::new();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        out.push_str(&format!("user_version {version}\n"));
        let mut stmt = conn
            .prepare("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name")
            .unwrap();
        let schema: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (kind, name, sql) in &schema {
            out.push_str(&format!("{kind} {name}: {sql}\n"));
            if kind == "table" && !name.starts_with("sqlite_") {
                let mut rows = conn
                    .prepare(&format!("SELECT * FROM \"{name}\" ORDER BY rowid"))
                    .unwrap();
                let n = rows.column_count();
                let all: Vec<String> = rows
                    .query_map([], |r| {
                        let cells: Vec<String> = (0..n)
                            .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                            .collect();
                        Ok(cells.join("|"))
                    })
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                for row in all {
                    out.push_str(&row);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// The full id of the first listed event of type `ty`.
    pub fn first_id(&self, ty: &str) -> String {
        let json: serde_json::Value =
            serde_json::from_str(&self.ok(&["list", "--type", ty, "--format", "json"]))
                .expect("list --format json");
        json[0]["id"]
            .as_str()
            .expect("an event of that type")
            .to_string()
    }

    /// Adds the reference operation (Merseyside SOU, 13–19 Nov 2017).
    pub fn reference_op(&self) {
        self.ok(&[
            "op",
            "add",
            "nov17-mersey",
            "--title",
            "Week of action",
            "--start",
            "2017-11-13",
            "--force",
            "Merseyside Police",
            "--unit",
            "Sex Offender Unit",
        ]);
    }

    /// The reference week through one `import` of the example CSV: the
    /// fast fixture (one process, where logging event by event takes 107).
    pub fn import_reference_week(&self) {
        self.reference_op();
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nov2017-merseyside.csv");
        let err = self.ok_stderr(&["import", example.to_str().expect("utf-8 path")]);
        assert!(
            err.contains("imported 107 events"),
            "reference week import: {err}"
        );
    }

    /// Logs the reference week event by event through `log`, from the
    /// example CSV, and returns how many events were logged. Slow (107
    /// processes): for the tests that are about logging.
    pub fn log_reference_week(&self) -> usize {
        self.reference_op();
        let csv = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nov2017-merseyside.csv"),
        )
        .unwrap();
        let mut n = 0;
        for args in log_args(&csv) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let id = self.ok(&args);
            assert_eq!(id.trim().len(), 36, "log printed {id:?}");
            n += 1;
        }
        n
    }
}

/// A file under tests/fixtures/.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

impl TestEnv {
    /// A database with the county-lines pack and one operation, `cl`, from
    /// 9 October 2023.
    pub fn county_lines() -> TestEnv {
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
}

/// The `log` arguments that record each row of an export-format CSV (the
/// fields a user types; columns the file lacks, such as `value` in an older
/// export, are left out).
pub fn log_args(csv_text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            let get = |name: &str| {
                header
                    .iter()
                    .position(|h| h == name)
                    .and_then(|i| rec.get(i))
                    .unwrap_or("")
            };
            let mut args: Vec<String> = vec![
                "log".into(),
                get("type").into(),
                "--op".into(),
                get("operation").into(),
            ];
            for (column, flag) in [
                ("date", "--date"),
                ("time", "--time"),
                ("count", "--count"),
                ("value", "--value"),
                ("team", "--team"),
                ("area", "--area"),
                ("officer", "--officer"),
                ("reference", "--ref"),
                ("detail", "--detail"),
                ("partner", "--partner"),
                ("outcome", "--outcome"),
                ("notes", "--note"),
            ] {
                let v = get(column);
                if !v.is_empty() {
                    args.push(flag.into());
                    args.push(v.into());
                }
            }
            args
        })
        .collect()
}
