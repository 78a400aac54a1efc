//! `opweek amend ID --reason TEXT [fields]`: correct a recorded event. The
//! corrected event is validated by the same rules as `log`; the old and new
//! values, who, when and why go into the append-only history.

use std::io::Write;

use anyhow::{bail, Result};

use super::log::FieldArgs;
use super::Context;
use crate::fields::{EventInput, Field};
use crate::model::{parse_event_ref, required_text, Event, EventRef, HistoryEntry, Status};
use crate::store::{Change, Store};
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

/// The event a user named, which must not be voided (`why` says what that
/// would have meant).
pub(super) fn active_event(store: &Store, r: &EventRef, why: &str) -> Result<Event> {
    let event = store.event(store.resolve_event(r)?)?;
    if event.status == Status::Voided {
        bail!("event {} is already voided: {why}", event.id);
    }
    Ok(event)
}

/// The stored event's fields with the given flags laid over them. A flag
/// given as an empty string clears that field.
fn overlay(mut input: EventInput, a: &Args) -> EventInput {
    input.set_opt(Field::Operation, a.op.as_deref());
    input.set_opt(Field::Type, a.type_key.as_deref());
    a.fields.overlay(&mut input);
    input
}

/// Replaces `old` with `new` and writes the history entry saying who, when,
/// why and which fields changed; refuses a change that changes nothing.
pub(super) fn record(
    store: &mut Store,
    old: &Event,
    new: &Event,
    action: &'static str,
    reason: String,
    ctx: &Context,
) -> Result<HistoryEntry> {
    let changes = crate::fields::changes(old, new);
    if changes.is_empty() {
        bail!("nothing to change: the values given are the event's current values");
    }
    let change = Change {
        action,
        changed_by: ctx.user.clone(),
        changed_at: crate::store::now_utc(),
        reason,
        changes: serde_json::Value::Object(changes).to_string(),
    };
    Ok(store.change_event(old, new, &change)?)
}
