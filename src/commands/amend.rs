//! `opweek amend ID --reason TEXT [fields]`: correct a recorded event. The
//! corrected event is validated by the same rules as `log`; the old and new
//! values, who, when and why go into the append-only history.

use std::io::Write;

use anyhow::Result;

use super::correct::{active_event, record};
use super::log::FieldArgs;
use super::Context;
use crate::fields::{EventInput, Field};
use crate::model::{parse_event_ref, required_text};
use crate::validate::{Defaults, Resolver, RetiredTypes};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The event's id, the short id `list` shows, or 8 or more characters
    /// from the start or end of the id
    pub id: String,
    /// Why the record is corrected (kept in the history)
    #[arg(long, allow_hyphen_values = true)]
    pub reason: String,
    /// Move the event to another operation
    #[arg(long, value_name = "CODE")]
    pub op: Option<String>,
    /// Change the activity type
    #[arg(long = "type", value_name = "TYPE")]
    pub type_key: Option<String>,
    #[command(flatten)]
    pub fields: FieldArgs,
}

pub fn run(a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let reason = required_text("reason", &a.reason)?;
    // As `type edit` and `op edit`: no field flags at all is a mistake in
    // the command, not a change that happens to change nothing.
    if a.op.is_none() && a.type_key.is_none() && a.fields.given().iter().all(|(_, v)| v.is_none()) {
        anyhow::bail!(
            "nothing to change: give at least one field to change (see opweek amend --help)"
        );
    }
    let event_ref = parse_event_ref(&a.id)?;
    let mut store = ctx.open()?;
    let old = active_event(&store, &event_ref, "a voided event is not amended")?;
    let input = overlay(EventInput::from_event(&old), &a);
    let resolver = Resolver::new(store.operations()?, store.activity_types()?);
    let defaults = Defaults {
        retired: RetiredTypes::Keep(old.type_key.clone()),
        today: ctx.today,
        date: None,
        operation: None,
        recorded_by: old.recorded_by.clone(),
        recorded_at: old.recorded_at.clone(),
    };
    let mut new = resolver.event(input, &defaults)?;
    // A blank --force clears it rather than falling back to the operation's.
    if a.fields
        .force
        .as_deref()
        .is_some_and(|f| f.trim().is_empty())
    {
        new.force = None;
    }
    let entry = record(&mut store, &old, &new, "amend", reason, ctx)?;
    writeln!(out, "{}", new.id)?;
    eprintln!("Amended {} (history entry {}).", new.id, entry.seq);
    Ok(())
}

/// The stored event's fields with the given flags laid over them. A flag
/// given as an empty string clears that field.
fn overlay(mut input: EventInput, a: &Args) -> EventInput {
    input.set_opt(Field::Operation, a.op.as_deref());
    input.set_opt(Field::Type, a.type_key.as_deref());
    a.fields.overlay(&mut input);
    input
}
