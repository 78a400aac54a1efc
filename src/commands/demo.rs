//! `opweek demo`: builds a database holding the reference week (Merseyside
//! Police Sex Offender Unit, November 2017) from the example CSV shipped in
//! the binary, and shows its report. The first command a newcomer runs.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};

use super::Context;
use crate::import;
use crate::model::Operation;
use crate::output;
use crate::report::{self, Period};
use crate::store::Store;

/// The reference week's events, in the export format: the single source of
/// the demo's data.
pub const EXAMPLE_CSV: &str = include_str!("../../examples/nov2017-merseyside.csv");

pub const DEMO_CODE: &str = "nov17-mersey";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the demo database [default: demo.db in opweek's data
    /// directory]; an existing demo database there is rebuilt
    pub path: Option<PathBuf>,
}

/// The reference operation. Its dates and names are not in the events CSV,
/// which carries only the operation's code.
pub fn reference_operation() -> Operation {
    Operation {
        code: DEMO_CODE.into(),
        title: "Week of action".into(),
        start: chrono::NaiveDate::from_ymd_opt(2017, 11, 13).unwrap_or_default(),
        end: chrono::NaiveDate::from_ymd_opt(2017, 11, 19).unwrap_or_default(),
        force: Some("Merseyside Police".into()),
        unit: Some("Sex Offender Unit".into()),
        campaign: None,
        notes: Some("Reference week: figures published by Merseyside Police, November 2017".into()),
    }
}

pub fn run(a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let path = match a.path {
        Some(p) => p,
        None => super::default_data_dir().join("demo.db"),
    };
    remove_previous_demo(&path)?;
    let mut store =
        Store::open(&path).with_context(|| format!("cannot create {}", path.display()))?;
    store.set_actor(&ctx.user);
    store.add_operation(&reference_operation())?;
    let n = load_example(&mut store, ctx)?;

    let period = Period {
        ops: crate::model::OpSelection::One(DEMO_CODE.into()),
        dates: None,
        ..Period::default()
    };
    let options = report::Options {
        briefing: true,
        ..report::Options::default()
    };
    let weekly = report::build(&store, &period, &options)?;
    output::table::report(&weekly, out)?;
    writeln!(out)?;
    output::briefing::render(&weekly, out)?;
    writeln!(out)?;
    writeln!(
        out,
        "{n} events loaded into the demo database {}",
        path.display()
    )?;
    writeln!(out, "Try:")?;
    let db = shell_quote(&path);
    for cmd in [
        "report --by day",
        "report --format markdown",
        "list --type warrant",
        "export",
    ] {
        writeln!(out, "  opweek --db {db} {cmd}")?;
    }
    Ok(())
}

/// Loads the example CSV through `import`, as a user would.
fn load_example(store: &mut Store, ctx: &Context) -> Result<u64> {
    let now = crate::store::now_utc();
    let import_ctx = import::Context {
        file: "examples/nov2017-merseyside.csv",
        today: ctx.today,
        user: &ctx.user,
        now: &now,
    };
    let mut problems = Vec::new();
    let result = import::import(
        store,
        EXAMPLE_CSV.as_bytes(),
        &import_ctx,
        &import::Options::default(),
        &mut |p| problems.push(format!("line {}: {}: {}", p.line, p.column, p.message)),
        &mut |_| {},
    );
    let summary = result.with_context(|| problems.join("; "))?;
    Ok(summary.imported)
}

/// Rebuilds only a database that holds nothing but the demo: `demo PATH`
/// pointed at a real database by mistake must not destroy it.
fn remove_previous_demo(path: &Path) -> Result<()> {
    if !path.exists() {
        return Ok(());
    }
    let codes: Vec<String> = {
        let store = Store::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        store.operations()?.into_iter().map(|o| o.code).collect()
    };
    if codes.iter().any(|c| c != DEMO_CODE) {
        bail!(
            "{} holds other operations ({}), not a demo database: choose another path",
            path.display(),
            codes.join(", ")
        );
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot remove {}", path.display())),
        }
    }
    Ok(())
}

fn shell_quote(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
