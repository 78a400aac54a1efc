//! `opweek op add|edit|list|show|sign-off|reopen`: set up weeks of action,
//! correct them, look at them, and lock their figures once a supervisor
//! signs them off. Every change is an entry in the history chain.

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
    /// Change an operation's title, dates, force, unit, campaign or notes
    Edit(EditArgs),
    /// Sign the operation's figures off: nothing may change them until it
    /// is reopened. Prints the history chain head to write on the briefing
    #[command(name = "sign-off")]
    SignOff {
        /// The operation's code
        code: String,
        /// A note kept with the sign-off
        #[arg(long, allow_hyphen_values = true)]
        note: Option<String>,
    },
    /// Lift a sign-off, saying why (kept in the history)
    Reopen {
        /// The operation's code
        code: String,
        #[arg(long, allow_hyphen_values = true)]
        reason: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct EditArgs {
    /// The operation's code (which never changes)
    pub code: String,
    #[arg(long)]
    pub title: Option<String>,
    /// First day (YYYY-MM-DD)
    #[arg(long, allow_hyphen_values = true)]
    pub start: Option<String>,
    /// Last day, inclusive
    #[arg(long, allow_hyphen_values = true)]
    pub end: Option<String>,
    /// Police force ("" clears it)
    #[arg(long)]
    pub force: Option<String>,
    /// Unit or team ("" clears it)
    #[arg(long)]
    pub unit: Option<String>,
    /// Campaign ("" clears it)
    #[arg(long)]
    pub campaign: Option<String>,
    /// Notes ("" clears them)
    #[arg(long)]
    pub notes: Option<String>,
    /// Why it is changed (kept in the history)
    #[arg(long, allow_hyphen_values = true)]
    pub reason: Option<String>,
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
        Command::Edit(a) => edit(a, ctx, out),
        Command::SignOff { code, note } => {
            let note = clean_text("note", note.as_deref())?;
            let mut store = ctx.open()?;
            let signed = store.sign_off(code.trim(), note.as_deref())?;
            writeln!(out, "{}", signed.head)?;
            eprintln!(
                "Signed off {} by {} at {}. Write the chain head above on the briefing: \
                 `opweek check --head HEAD` proves the figures later.",
                code.trim(),
                signed.by,
                signed.at
            );
            Ok(())
        }
        Command::Reopen { code, reason } => {
            let reason = required_text("reason", &reason)?;
            let mut store = ctx.open()?;
            let lifted = store.reopen(code.trim(), &reason)?;
            writeln!(out, "{}", code.trim())?;
            eprintln!(
                "Reopened {} (signed off by {} at {}): its figures may change again.",
                code.trim(),
                lifted.by,
                lifted.at
            );
            Ok(())
        }
    }
}

fn edit(a: EditArgs, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let reason = match &a.reason {
        Some(r) => required_text("reason", r)?,
        None => "operation edited".to_string(),
    };
    let mut store = ctx.open()?;
    let old = store.operation(a.code.trim())?;
    let mut new = old.clone();
    if let Some(t) = &a.title {
        new.title = required_text("title", t)?;
    }
    if let Some(d) = &a.start {
        new.start = parse_date(d, ctx.today)?;
    }
    if let Some(d) = &a.end {
        new.end = parse_date(d, ctx.today)?;
    }
    if new.end < new.start {
        return Err(crate::model::ValidationError::EndBeforeStart {
            start: new.start,
            end: new.end,
        }
        .into());
    }
    // A flag given as "" clears the field.
    for (name, flag, slot) in [
        ("force", &a.force, &mut new.force),
        ("unit", &a.unit, &mut new.unit),
        ("campaign", &a.campaign, &mut new.campaign),
        ("notes", &a.notes, &mut new.notes),
    ] {
        if let Some(v) = flag {
            *slot = clean_text(name, Some(v))?;
        }
    }
    store.edit_operation(&old, &new, &reason)?;
    writeln!(out, "{}", new.code)?;
    for (field, v) in crate::store::operation_changes(&old, &new) {
        let side = |k: &str| match v[k].as_str() {
            Some("") | None => "(none)".to_string(),
            Some(s) => format!("{s:?}"),
        };
        eprintln!("{field}: {} → {}", side("old"), side("new"));
    }
    warn_overlaps(&store, &new)?;
    Ok(())
}

/// Warns (stderr) when another operation of the same force overlaps `op`:
/// `log` without `--op` cannot choose between them on a shared date.
fn warn_overlaps(store: &crate::store::Store, op: &Operation) -> Result<()> {
    for other in store.overlapping_operations(op)? {
        let from = op.start.max(other.start);
        let to = op.end.min(other.end);
        eprintln!(
            "warning: {} overlaps {} ({} to {}) of the same force from {from} to {to}: \
             logging an event dated then needs --op",
            op.code, other.code, other.start, other.end
        );
    }
    Ok(())
}

fn add(a: AddArgs, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let op = operation_from(&a, ctx)?;
    let mut store = ctx.open_as(Access::Create)?;
    store.add_operation(&op)?;
    writeln!(out, "{}", op.code)?;
    eprintln!("Added operation {} ({} to {}).", op.code, op.start, op.end);
    warn_overlaps(&store, &op)?;
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
