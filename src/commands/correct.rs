//! The correction both `amend` and `void` make: find the event a user
//! named (refusing a voided one), and replace it with its corrected form
//! together with the history entry saying who, when, why and which fields
//! changed. Each command decides only what the corrected event is.

use anyhow::{bail, Result};

use super::Context;
use crate::model::{Event, EventRef, HistoryEntry, Status};
use crate::store::{Change, Store};

/// The event a user named, which must not be voided (`why` says what that
/// would have meant).
pub fn active_event(store: &Store, r: &EventRef, why: &str) -> Result<Event> {
    let event = store.event(store.resolve_event(r)?)?;
    if event.status == Status::Voided {
        bail!("event {} is already voided: {why}", event.id);
    }
    Ok(event)
}

/// Replaces `old` with `new` and writes the history entry saying who, when,
/// why and which fields changed; refuses a change that changes nothing.
pub fn record(
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
