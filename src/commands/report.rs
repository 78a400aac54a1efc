//! `opweek report`: tallies for an operation, a campaign, a week or a date
//! range, optionally broken down by one dimension, in one of several formats.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use super::outfile::{check_target, place, write_temporary};
use super::Context;
use crate::model::{check_operation_code, clean_text, Dimension};
use crate::output;
use crate::report::{self as compute, Period, Provisional};
use crate::store::Access;

/// Formats `report` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
    Markdown,
    Briefing,
    // An Excel workbook: the tallies, a bar chart, the briefing text.
    Xlsx,
    // A self-contained briefing page (HTML with an SVG chart).
    Html,
}

/// `--by`'s values are the dimensions' names; the domain type stays free
/// of clap.
impl clap::ValueEnum for Dimension {
    fn value_variants<'a>() -> &'a [Self] {
        &Dimension::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// One operation
    #[arg(long, value_name = "CODE", conflicts_with = "campaign")]
    pub op: Option<String>,
    /// Every operation of a campaign
    #[arg(long, value_name = "C")]
    pub campaign: Option<String>,
    /// An ISO week, such as 2017-W46
    #[arg(long, value_name = "YYYY-Www", conflicts_with_all = ["from", "to"])]
    pub week: Option<String>,
    /// From this date (inclusive)
    #[arg(long, allow_hyphen_values = true, value_name = "DATE")]
    pub from: Option<String>,
    /// To this date (inclusive)
    #[arg(long, allow_hyphen_values = true, value_name = "DATE")]
    pub to: Option<String>,
    #[command(flatten)]
    pub only: super::disclose::FilterArgs,
    /// Break the tallies down by
    #[arg(long, value_enum)]
    pub by: Option<Dimension>,
    /// Compare with another operation ("this week against the last")
    #[arg(long, value_name = "OP_CODE")]
    pub compare: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Mark the title and figures as provisional, optionally saying why
    /// (--provisional "exhibits still being counted"); CSV has no place for
    /// it (JSON carries "provisional" and "provisional_reason")
    #[arg(long, value_name = "REASON", num_args = 0..=1)]
    pub provisional: Option<Option<String>>,
    /// Write to this file instead of stdout; a name ending in .xlsx or .html
    /// picks that format when --format is not given
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long, requires = "output")]
    pub force: bool,
}

pub fn run(mut a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    a.format = file_format(a.format, a.output.as_deref());
    if a.format == ReportFormat::Xlsx && a.output.is_none() && std::io::stdout().is_terminal() {
        bail!("an Excel workbook is not for a terminal: write it to a file with -o FILE.xlsx");
    }
    let mut period = Period::from_args(
        a.op.as_deref(),
        a.campaign.as_deref(),
        a.week.as_deref(),
        a.from.as_deref(),
        a.to.as_deref(),
        ctx.today,
    )?;
    period.fields = a.only.to_filter()?;
    let compare = a
        .compare
        .as_deref()
        .map(|c| check_operation_code(c.trim()))
        .transpose()?;
    if compare.is_some() && a.by == Some(Dimension::Day) {
        bail!("--compare cannot go with --by day: two weeks' days do not line up (use --by type, force, team, area or officer)");
    }
    let options = compute::Options {
        by: a.by,
        compare,
        briefing: matches!(
            a.format,
            ReportFormat::Briefing | ReportFormat::Xlsx | ReportFormat::Html
        ),
        // Formats that can be signed off carry the history chain head.
        chain_head: matches!(
            a.format,
            ReportFormat::Markdown
                | ReportFormat::Briefing
                | ReportFormat::Json
                | ReportFormat::Xlsx
                | ReportFormat::Html
        ),
        provisional: a
            .provisional
            .as_ref()
            .map(|reason| -> Result<Provisional> {
                Ok(Provisional {
                    reason: clean_text("provisional reason", reason.as_deref())?
                        .map(|r| r.trim().to_string())
                        .filter(|r| !r.is_empty()),
                })
            })
            .transpose()?,
    };
    if let Some(path) = &a.output {
        check_target(path, &ctx.db, a.force)?;
    }
    let store = ctx.open_as(Access::Read)?;
    let report = compute::build(&store, &period, &options)?;
    if options.provisional.is_some() {
        refuse_provisional_when_signed(&report)?;
    }
    if options.provisional.is_some() && a.format == ReportFormat::Csv {
        eprintln!(
            "note: CSV has no place to mark figures as provisional; --provisional is not in this output (use --format json, markdown, briefing or table)"
        );
    }
    let mut file = Vec::new();
    let out: &mut dyn Write = if a.output.is_some() { &mut file } else { out };
    match a.format {
        ReportFormat::Table => {
            output::table::report(&report, out)?;
            if report.by == Some(Dimension::Day) {
                output::daychart::render(&report, out)?;
            }
        }
        ReportFormat::Xlsx => {
            let mut text = Vec::new();
            output::briefing::render(&report, &mut text)?;
            let text = String::from_utf8_lossy(&text);
            out.write_all(&output::xlsx::report(&report, &text)?)?;
        }
        ReportFormat::Html => output::html::render(&report, out)?,
        ReportFormat::Csv => output::csv::report(&report, out)?,
        ReportFormat::Json => output::json::report(&report, out)?,
        ReportFormat::Markdown => output::markdown::render(&report, out)?,
        ReportFormat::Briefing => output::briefing::render(&report, out)?,
    }
    if let Some(path) = &a.output {
        let (written, _) = write_temporary(path, |w| {
            w.write_all(&file)?;
            Ok(1)
        })?;
        place(written, path, a.force)?;
        eprintln!("Wrote the report to {}.", path.display());
    }
    Ok(())
}

/// `--provisional` on figures that are all signed off would print both
/// "provisional" and "signed off" on one briefing: refused, naming who
/// signed them off and how to reopen. A report where some operations are
/// still open may be marked provisional (the open ones are).
fn refuse_provisional_when_signed(report: &crate::report::Report) -> Result<()> {
    let states = &report.sign_offs;
    if states.is_empty() || states.iter().any(|s| s.signed_off.is_none()) {
        return Ok(());
    }
    match states.as_slice() {
        [one] => {
            let s = one.signed_off.as_ref().expect("checked above");
            bail!(
                "{} was signed off by {} at {}: its figures are final, not provisional (drop --provisional, or reopen it first: opweek op reopen {} --reason TEXT)",
                one.operation,
                s.by,
                s.at,
                one.operation
            )
        }
        several => {
            let codes: Vec<&str> = several.iter().map(|s| s.operation.as_str()).collect();
            bail!(
                "every operation this report covers is signed off ({}): its figures are final, not provisional (drop --provisional, or reopen one with opweek op reopen CODE --reason TEXT)",
                codes.join(", ")
            )
        }
    }
}

/// The format a file's extension asks for when `--format` was left at its
/// default (a table is never wanted in a file named .xlsx or .html).
fn file_format(format: ReportFormat, output: Option<&Path>) -> ReportFormat {
    let ext = output
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match (format, ext.as_deref()) {
        (ReportFormat::Table, Some("xlsx")) => ReportFormat::Xlsx,
        (ReportFormat::Table, Some("html" | "htm")) => ReportFormat::Html,
        (f, _) => f,
    }
}
