//! `opweek report`: tallies for an operation, a campaign, a week or a date
//! range, optionally broken down by one dimension, in one of several formats.

use std::io::Write;

use anyhow::{bail, Result};

use super::Context;
use crate::model::{check_operation_code, Dimension};
use crate::output::{self, ReportFormat};
use crate::report::{self as compute, Period};

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
    /// Mark the figures as provisional (markdown and briefing)
    #[arg(long)]
    pub provisional: bool,
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
        // Signed-off formats carry the history chain head.
        chain_head: matches!(a.format, ReportFormat::Markdown | ReportFormat::Briefing),
    };
    let store = ctx.open()?;
    let report = compute::build(&store, &period, &options)?;
    match a.format {
        ReportFormat::Table => output::table::report(&report, out)?,
        ReportFormat::Csv => output::csv::report(&report, out)?,
        ReportFormat::Json => output::json::report(&report, out)?,
        ReportFormat::Markdown => output::markdown::render(&report, a.provisional, out)?,
        ReportFormat::Briefing => output::briefing::render(&report, a.provisional, out)?,
    }
    Ok(())
}
