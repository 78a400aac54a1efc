//! `opweek demo [WEEK]`: builds a database holding an example week from
//! the CSV shipped in the binary, and shows its report and briefing. The
//! first command a newcomer runs. Without WEEK it is the reference week
//! (Merseyside Police Sex Offender Unit, November 2017); `county-lines` is
//! one force's county-lines week with cash and drugs in pounds, and
//! `knife-crime` six forces' knife-crime week under one campaign.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};

use super::Context;
use crate::import;
use crate::model::{OpSelection, Operation};
use crate::output;
use crate::report::{self, Period};
use crate::store::Store;

/// The reference week's events, in the export format: the single source of
/// the demo's data.
pub const EXAMPLE_CSV: &str = include_str!("../../examples/nov2017-merseyside.csv");

pub const DEMO_CODE: &str = "nov17-mersey";

/// The county-lines week (examples/county-lines-week.csv).
pub const COUNTY_LINES_CSV: &str = include_str!("../../examples/county-lines-week.csv");

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The week to build: reference (the default), county-lines or
    /// knife-crime. Anything else is taken as where to write the demo
    /// database (as `--db` says it otherwise) [default: demo.db in opweek's
    /// data directory]; an existing demo database there is rebuilt
    #[arg(value_name = "WEEK|PATH")]
    pub target: Option<PathBuf>,
    /// Where to write the database: `--db` (or OPWEEK_DB), set by `main`.
    #[arg(skip)]
    pub path: Option<PathBuf>,
}

/// One example week the demo can build.
struct Week {
    name: &'static str,
    /// The type pack its events need, added first.
    pack: Option<&'static str>,
    operations: fn() -> Vec<Operation>,
    /// Its events: (file name as shipped, CSV text).
    files: &'static [(&'static str, &'static str)],
    /// What its report covers.
    selection: fn() -> OpSelection,
    /// Commands worth trying next (after `opweek --db PATH`).
    next: &'static [&'static str],
}

const KNIFE_CRIME_FILES: &[(&str, &str)] = &[
    (
        "examples/knife-crime/mersey-sceptre.csv",
        include_str!("../../examples/knife-crime/mersey-sceptre.csv"),
    ),
    (
        "examples/knife-crime/cheshire-sceptre.csv",
        include_str!("../../examples/knife-crime/cheshire-sceptre.csv"),
    ),
    (
        "examples/knife-crime/gmp-sceptre.csv",
        include_str!("../../examples/knife-crime/gmp-sceptre.csv"),
    ),
    (
        "examples/knife-crime/lancs-sceptre.csv",
        include_str!("../../examples/knife-crime/lancs-sceptre.csv"),
    ),
    (
        "examples/knife-crime/cumbria-sceptre.csv",
        include_str!("../../examples/knife-crime/cumbria-sceptre.csv"),
    ),
    (
        "examples/knife-crime/nwales-sceptre.csv",
        include_str!("../../examples/knife-crime/nwales-sceptre.csv"),
    ),
];

const WEEKS: &[Week] = &[
    Week {
        name: "reference",
        pack: None,
        operations: || vec![reference_operation()],
        files: &[("examples/nov2017-merseyside.csv", EXAMPLE_CSV)],
        selection: || OpSelection::One(DEMO_CODE.into()),
        next: &[
            "report --by day",
            "report --format markdown",
            "list --type warrant",
            "export",
        ],
    },
    Week {
        name: "county-lines",
        pack: Some("county-lines"),
        operations: || vec![county_lines_operation()],
        files: &[("examples/county-lines-week.csv", COUNTY_LINES_CSV)],
        selection: || OpSelection::One(COUNTY_LINES_CODE.into()),
        next: &[
            "report --format csv",
            "report --by area",
            "list --type cash-seizure",
            "type list",
        ],
    },
    Week {
        name: "knife-crime",
        pack: Some("knife-crime"),
        operations: knife_crime_operations,
        files: KNIFE_CRIME_FILES,
        selection: || OpSelection::Campaign(KNIFE_CRIME_CAMPAIGN.into()),
        next: &[
            "report --campaign sceptre-may24 --by force",
            "report --campaign sceptre-may24 --by detail",
            "op list",
        ],
    },
];

pub const COUNTY_LINES_CODE: &str = "cl-oct23-mersey";
pub const KNIFE_CRIME_CAMPAIGN: &str = "sceptre-may24";

/// The county-lines week's operation.
pub fn county_lines_operation() -> Operation {
    Operation {
        code: COUNTY_LINES_CODE.into(),
        title: "County lines intensification week".into(),
        start: chrono::NaiveDate::from_ymd_opt(2023, 10, 9).unwrap_or_default(),
        end: chrono::NaiveDate::from_ymd_opt(2023, 10, 15).unwrap_or_default(),
        force: Some("Merseyside Police".into()),
        unit: Some("Serious and Organised Crime".into()),
        campaign: None,
        notes: Some("Example week: a force's county-lines week with cash and drugs seized".into()),
    }
}

/// The six forces' operations of the knife-crime week, one campaign.
pub fn knife_crime_operations() -> Vec<Operation> {
    [
        ("mersey-sceptre", "Merseyside Police"),
        ("cheshire-sceptre", "Cheshire Constabulary"),
        ("gmp-sceptre", "Greater Manchester Police"),
        ("lancs-sceptre", "Lancashire Constabulary"),
        ("cumbria-sceptre", "Cumbria Constabulary"),
        ("nwales-sceptre", "North Wales Police"),
    ]
    .into_iter()
    .map(|(code, force)| Operation {
        code: code.into(),
        title: "Knife crime week of action".into(),
        start: chrono::NaiveDate::from_ymd_opt(2024, 5, 13).unwrap_or_default(),
        end: chrono::NaiveDate::from_ymd_opt(2024, 5, 19).unwrap_or_default(),
        force: Some(force.into()),
        unit: None,
        campaign: Some(KNIFE_CRIME_CAMPAIGN.into()),
        notes: None,
    })
    .collect()
}

/// The week named, if `target` names one (else it is a path).
fn week_named(target: &Path) -> Option<&'static Week> {
    let name = target.to_str()?;
    WEEKS.iter().find(|w| w.name == name)
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
    // `demo county-lines` names a week; `demo PATH` (the older form) a path.
    let (week, path) = match a.target {
        Some(t) => match week_named(&t) {
            Some(w) => (w, a.path),
            None => (&WEEKS[0], Some(t)),
        },
        None => (&WEEKS[0], a.path),
    };
    let path = path.unwrap_or_else(|| super::default_data_dir().join("demo.db"));
    let mut store = Store::open(&path)
        .with_context(|| format!("cannot create {}", crate::store::display_name(&path)))?;
    let shown = store.display_path();
    // Rebuilt only where nothing but demo weeks are: `demo PATH` pointed at
    // a real database by mistake must not destroy it.
    let codes: Vec<String> = store.operations()?.into_iter().map(|o| o.code).collect();
    refuse_non_demo(&shown, &codes)?;
    if !codes.is_empty() {
        store = store.emptied()?;
    }
    store.set_actor(&ctx.user);
    if let Some(name) = week.pack {
        let pack = crate::packs::find(name)
            .with_context(|| format!("the demo's type pack {name} is missing"))?;
        let types: Vec<_> = pack.types.iter().map(|t| t.activity_type()).collect();
        store.add_pack(pack.name, &types)?;
    }
    for op in (week.operations)() {
        store.add_operation(&op)?;
    }
    let mut n = 0;
    for (file, csv) in week.files {
        n += load_example(&mut store, ctx, file, csv)?;
    }

    let period = Period {
        ops: (week.selection)(),
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
    writeln!(out, "{n} events loaded into the demo database {shown}")?;
    writeln!(out, "Try:")?;
    let db = shell_quote(Path::new(&shown));
    for cmd in week.next {
        writeln!(out, "  opweek --db {db} {cmd}")?;
    }
    Ok(())
}

/// Loads an example CSV through `import`, as a user would.
fn load_example(store: &mut Store, ctx: &Context, file: &str, csv: &str) -> Result<u64> {
    let now = crate::store::now_utc();
    let import_ctx = import::Context {
        file,
        today: ctx.today,
        user: &ctx.user,
        now: &now,
        file_sha256: None,
    };
    let mut problems = Vec::new();
    let result = import::import(
        store,
        csv.as_bytes(),
        &import_ctx,
        &import::Options::default(),
        &mut |p| problems.push(format!("line {}: {}: {}", p.line, p.column, p.message)),
        &mut |_| {},
    );
    let summary = result.with_context(|| problems.join("; "))?;
    Ok(summary.imported)
}

/// Refuses a database holding any operation that is not a demo week's.
fn refuse_non_demo(shown: &str, codes: &[String]) -> Result<()> {
    let demo_codes: Vec<String> = WEEKS
        .iter()
        .flat_map(|w| (w.operations)())
        .map(|o| o.code)
        .collect();
    if codes.iter().any(|c| !demo_codes.contains(c)) {
        bail!(
            "{shown} holds other operations ({}), not a demo database: choose another path",
            codes.join(", ")
        );
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
