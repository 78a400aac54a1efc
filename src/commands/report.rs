//! `opweek report`: tallies for an operation, a campaign, a week or a date
//! range, optionally broken down by one dimension, in one of several formats.

use std::io::Write;

use anyhow::{bail, Result};

use super::Context;
use crate::model::{check_operation_code, clean_text, Dimension};
use crate::output::{self, ReportFormat};
use crate::report::{self as compute, Period, Provisional};
use crate::store::Access;

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
    pub only: super::list::FilterArgs,
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
}

pub fn run(a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
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
        briefing: a.format == ReportFormat::Briefing,
        // Formats that can be signed off carry the history chain head.
        chain_head: matches!(
            a.format,
            ReportFormat::Markdown | ReportFormat::Briefing | ReportFormat::Json
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
    if options.provisional.is_some() && a.format == ReportFormat::Csv {
        eprintln!(
            "note: CSV has no place to mark figures as provisional; --provisional is not in this output (use --format json, markdown, briefing or table)"
        );
    }
    let store = ctx.open_as(Access::Read)?;
    let report = compute::build(&store, &period, &options)?;
    match a.format {
        ReportFormat::Table => output::table::report(&report, out)?,
        ReportFormat::Csv => output::csv::report(&report, out)?,
        ReportFormat::Json => output::json::report(&report, out)?,
        ReportFormat::Markdown => output::markdown::render(&report, out)?,
        ReportFormat::Briefing => output::briefing::render(&report, out)?,
    }
    Ok(())
}
