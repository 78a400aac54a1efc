//! `TestEnv`: a temporary directory and database per test, the binary run
//! against it, and everything printed when a command surprises the test.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// `op add` of the reference operation (Merseyside SOU, 13–19 Nov 2017).
pub const REFERENCE_OP: &[&str] = &[
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
];

pub struct TestEnv {
    dir: TempDir,
    /// The database the binary gets through `--db`: a file in the test's
    /// directory, or with OPWEEK_TEST_PG a `postgres://` URL (as a path).
    pub db: PathBuf,
    /// The server database made for this test (OPWEEK_TEST_PG), dropped
    /// with the test.
    pg: Option<PgDb>,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().expect("temporary directory");
        match std::env::var("OPWEEK_TEST_PG") {
            Ok(server) if !server.is_empty() => {
                let pg = PgDb::create(&server);
                let db = PathBuf::from(&pg.url);
                TestEnv {
                    dir,
                    db,
                    pg: Some(pg),
                }
            }
            _ => {
                let db = dir.path().join("test.db");
                TestEnv { dir, db, pg: None }
            }
        }
    }

    /// Whether this test runs against PostgreSQL (OPWEEK_TEST_PG), that is
    /// `db` is still the server database (a test may point it at a file).
    pub fn is_pg(&self) -> bool {
        self.server().is_some()
    }

    fn server(&self) -> Option<&PgDb> {
        self.pg
            .as_ref()
            .filter(|pg| self.db.as_os_str() == pg.url.as_str())
    }

    /// Rows of a read-only query on the database, every value as text
    /// (NULL as "NULL"), on either backend: for tests that look at rows
    /// the CLI does not show. Write the query in SQL both accept.
    pub fn query(&self, sql: &str) -> Vec<Vec<String>> {
        if let Some(pg) = self.server() {
            let mut c = pg_connect(&pg.url);
            return c
                .simple_query(sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .iter()
                .filter_map(|m| match m {
                    postgres::SimpleQueryMessage::Row(r) => Some(
                        (0..r.len())
                            .map(|i| r.get(i).unwrap_or("NULL").to_string())
                            .collect(),
                    ),
                    _ => None,
                })
                .collect();
        }
        let conn = rusqlite::Connection::open(&self.db).expect("open test db");
        let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let n = stmt.column_count();
        stmt.query_map([], |r| {
            Ok((0..n)
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => "NULL".to_string(),
                    rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                    rusqlite::types::ValueRef::Real(v) => v.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    rusqlite::types::ValueRef::Blob(b) => {
                        b.iter().map(|x| format!("{x:02x}")).collect()
                    }
                })
                .collect())
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    /// For a test about the SQLite file itself: true (and the reason on
    /// stderr) when the suite runs against PostgreSQL, so the test returns.
    pub fn sqlite_only(&self, why: &str) -> bool {
        if self.is_pg() {
            eprintln!("skipped on PostgreSQL: {why}");
        }
        self.is_pg()
    }

    /// Whether the database holds anything yet: the file exists, or the
    /// server database has opweek's tables.
    pub fn db_exists(&self) -> bool {
        match self.server() {
            Some(pg) => pg_snapshot(&pg.url) != NO_DATABASE,
            None => self.db.exists(),
        }
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
        self.cmd_on(&self.db, args)
    }

    /// `cmd` with another database (a file beside a server database, say).
    pub fn cmd_on(&self, db: &Path, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("opweek").expect("opweek binary");
        c.current_dir(self.dir.path())
            .env_remove("OPWEEK_DB")
            .env("OPWEEK_USER", "test-analyst")
            .env("NO_COLOR", "1")
            .arg("--db")
            .arg(db)
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
        if let Some(pg) = self.server() {
            return pg_snapshot(&pg.url);
        }
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
        self.first_id_on(&self.db, ty)
    }

    /// `first_id` in another database (a file beside a server's).
    pub fn first_id_on(&self, db: &Path, ty: &str) -> String {
        let out = self
            .cmd_on(db, &["list", "--type", ty, "--format", "json"])
            .output()
            .expect("run opweek");
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("list --format json");
        json[0]["id"]
            .as_str()
            .expect("an event of that type")
            .to_string()
    }

    /// Adds the reference operation (Merseyside SOU, 13–19 Nov 2017).
    pub fn reference_op(&self) {
        self.ok(REFERENCE_OP);
    }

    /// A test database on a PostgreSQL server (OPWEEK_TEST_PG), or `None`
    /// (and a note) when the suite runs on SQLite: for tests of what only a
    /// server has.
    pub fn on_server() -> Option<TestEnv> {
        let env = TestEnv::new();
        if env.is_pg() {
            Some(env)
        } else {
            eprintln!("skipped: needs a PostgreSQL server (OPWEEK_TEST_PG)");
            None
        }
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

const NO_DATABASE: &str = "(no database)";

/// A fresh database `opweek_t_<hex>` on the server OPWEEK_TEST_PG names
/// (a URL whose user may create databases), dropped on Drop.
struct PgDb {
    /// The server URL from OPWEEK_TEST_PG (its database: where to run
    /// CREATE/DROP DATABASE).
    admin: String,
    name: String,
    /// The test database's URL: OPWEEK_TEST_PG with its database replaced.
    url: String,
}

impl PgDb {
    fn create(server: &str) -> PgDb {
        let name = format!("opweek_t_{}", uuid::Uuid::new_v4().simple());
        let mut client = pg_connect(server);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name} on OPWEEK_TEST_PG: {e}"));
        PgDb {
            admin: server.to_string(),
            url: with_database(server, &name),
            name,
        }
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        // WITH (FORCE): a binary a test left running (or killed) may still
        // hold a connection.
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        match postgres::Client::connect(&self.admin, postgres::NoTls) {
            Ok(mut c) => {
                if let Err(e) = c.batch_execute(&sql) {
                    eprintln!("warning: {sql}: {e}");
                }
            }
            Err(e) => eprintln!("warning: {sql}: cannot connect: {e}"),
        }
    }
}

fn pg_connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("connect to the test server (OPWEEK_TEST_PG): {e}"))
}

/// `url` naming database `name` instead of its own (query string kept).
fn with_database(url: &str, name: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let authority_end = rest.find(['/', '?']).map_or(url.len(), |i| start + i);
    let query = url[authority_end..]
        .find('?')
        .map_or("", |i| &url[authority_end + i..]);
    format!("{}/{name}{query}", &url[..authority_end])
}

/// Everything in a server database as text: the objects of schema public
/// with their definitions (tables with their columns and constraints,
/// views, indexes, triggers, functions, sequences by name: their values
/// move even in a rolled-back transaction) and every row of every table in
/// primary-key order, opweek_schema (the schema version) first.
/// "(no database)" when the database does not exist or holds no table.
fn pg_snapshot(url: &str) -> String {
    let mut c = match postgres::Client::connect(url, postgres::NoTls) {
        Ok(c) => c,
        Err(e)
            if e.as_db_error().map(|d| d.code())
                == Some(&postgres::error::SqlState::INVALID_CATALOG_NAME) =>
        {
            return NO_DATABASE.into()
        }
        Err(e) => panic!("connect to the test database: {e}"),
    };
    let text = |c: &mut postgres::Client, sql: &str| -> Vec<Vec<String>> {
        c.query(sql, &[])
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        r.get::<_, Option<String>>(i)
                            .unwrap_or_else(|| "NULL".into())
                    })
                    .collect()
            })
            .collect()
    };
    let tables: Vec<String> = text(
        &mut c,
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') \
         ORDER BY c.relname <> 'opweek_schema', c.relname",
    )
    .into_iter()
    .map(|r| r[0].clone())
    .collect();
    if tables.is_empty() {
        return NO_DATABASE.into();
    }
    let mut out = String::new();
    let section = |out: &mut String, title: &str, rows: Vec<Vec<String>>| {
        for r in rows {
            out.push_str(title);
            out.push(' ');
            out.push_str(&r.join(" | "));
            out.push('\n');
        }
    };
    section(
        &mut out,
        "column",
        text(
            &mut c,
            "SELECT table_name::text, ordinal_position::text, column_name::text, data_type::text, \
             is_nullable::text, column_default::text \
             FROM information_schema.columns WHERE table_schema = 'public' \
             ORDER BY table_name, ordinal_position",
        ),
    );
    section(
        &mut out,
        "constraint",
        text(
            &mut c,
            "SELECT cl.relname::text, co.conname::text, pg_get_constraintdef(co.oid) \
             FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid \
             JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE n.nspname = 'public' \
             ORDER BY cl.relname, co.conname",
        ),
    );
    section(
        &mut out,
        "view",
        text(
            &mut c,
            "SELECT c.relname::text, pg_get_viewdef(c.oid) FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm') ORDER BY c.relname",
        ),
    );
    section(
        &mut out,
        "index",
        text(
            &mut c,
            "SELECT indexname::text, pg_get_indexdef(format('%I.%I', schemaname, indexname)::regclass) \
             FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
        ),
    );
    section(
        &mut out,
        "trigger",
        text(
            &mut c,
            "SELECT t.tgname::text, pg_get_triggerdef(t.oid) FROM pg_trigger t \
             JOIN pg_class cl ON cl.oid = t.tgrelid JOIN pg_namespace n ON n.oid = cl.relnamespace \
             WHERE n.nspname = 'public' AND NOT t.tgisinternal ORDER BY cl.relname, t.tgname",
        ),
    );
    section(
        &mut out,
        "function",
        text(
            &mut c,
            "SELECT p.proname::text, pg_get_functiondef(p.oid) FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p') ORDER BY p.proname, p.oid",
        ),
    );
    section(
        &mut out,
        "sequence",
        text(
            &mut c,
            "SELECT sequencename::text FROM pg_sequences WHERE schemaname = 'public' \
             ORDER BY sequencename",
        ),
    );
    for table in tables {
        // Primary-key order; a table without one sorts by its whole row.
        let key: Vec<String> = text(
            &mut c,
            &format!(
                "SELECT quote_ident(a.attname::text) FROM pg_index i \
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                 WHERE i.indrelid = 'public.{}'::regclass AND i.indisprimary \
                 ORDER BY array_position(i.indkey::int2[], a.attnum)",
                quote_ident(&table).replace('\'', "''")
            ),
        )
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
        let order = if key.is_empty() {
            "t::text".to_string()
        } else {
            key.join(", ")
        };
        out.push_str(&format!("table {table}\n"));
        let rows = text(
            &mut c,
            &format!(
                "SELECT t::text FROM public.{} t ORDER BY {order}",
                quote_ident(&table)
            ),
        );
        for r in rows {
            out.push_str(&r[0]);
            out.push('\n');
        }
    }
    out
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
