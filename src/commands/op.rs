//! `opweek op add|list|show`: set up weeks of action and look at them.

use std::io::Write;

use anyhow::Result;
use chrono::Days;

use super::Context;
use crate::dates::parse_date;
use crate::model::{check_operation_code, clean_text, required_text, Operation};
use crate::output::table;
use crate::store::Access;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add an operation (a week of action)
    Add(AddArgs),
    /// List operations with their totals
    List,
    /// Show one operation
    Show {
        /// The operation's code
        code: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Short unique code, such as nov17-mersey
    pub code: String,
    #[arg(long)]
    pub title: String,
    /// First day (YYYY-MM-DD)
    #[arg(long, allow_hyphen_values = true)]
    pub start: String,
    /// Last day, inclusive [default: start + 6 days]
    #[arg(long, allow_hyphen_values = true)]
    pub end: Option<String>,
    /// Police force, such as "Merseyside Police"; the default force of its events
    #[arg(long)]
    pub force: Option<String>,
    /// Unit or team running the week
    #[arg(long)]
    pub unit: Option<String>,
    /// Campaign that groups the operations of several forces
    #[arg(long)]
    pub campaign: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

pub fn run(command: Command, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    match command {
        Command::Add(a) => add(a, ctx, out),
        Command::List => {
            let store = ctx.open_as(Access::Read)?;
            let ops = store.operation_summaries()?;
            if ops.is_empty() {
                eprintln!(
                    "No operations yet: add one with `opweek op add CODE --title T --start DATE`."
                );
                return Ok(());
            }
            table::operations(&ops, out)?;
            Ok(())
        }
        Command::Show { code } => {
            let store = ctx.open_as(Access::Read)?;
            table::operation_detail(&store.operation_summary(code.trim())?, out)?;
            Ok(())
        }
    }
}

fn add(a: AddArgs, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let op = operation_from(&a, ctx)?;
    let mut store = ctx.open_as(Access::Create)?;
    store.add_operation(&op)?;
    writeln!(out, "{}", op.code)?;
    eprintln!("Added operation {} ({} to {}).", op.code, op.start, op.end);
    Ok(())
}

/// The last date a date can hold (`parse_date` reads four-digit years).
fn last_date() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(chrono::NaiveDate::MAX)
}

/// Validates the flags into an operation, before the database is opened.
fn operation_from(a: &AddArgs, ctx: &Context) -> Result<Operation> {
    let start = parse_date(&a.start, ctx.today)?;
    let end = match &a.end {
        Some(e) => parse_date(e, ctx.today)?,
        None => start
            .checked_add_days(Days::new(6))
            .filter(|end| *end <= last_date())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "an operation starting {start} would end after {} (the last date opweek \
                     stores): give an earlier --start, or --end",
                    last_date()
                )
            })?,
    };
    if end < start {
        return Err(crate::model::ValidationError::EndBeforeStart { start, end }.into());
    }
    Ok(Operation {
        code: check_operation_code(a.code.trim())?,
        title: required_text("title", &a.title)?,
        start,
        end,
        force: clean_text("force", a.force.as_deref())?,
        unit: clean_text("unit", a.unit.as_deref())?,
        campaign: clean_text("campaign", a.campaign.as_deref())?,
        notes: clean_text("notes", a.notes.as_deref())?,
    })
}
