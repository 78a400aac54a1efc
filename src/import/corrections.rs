//! The import's policy for a row whose id is already stored (or already
//! on an earlier row of the file): the same content is skipped; other
//! content is refused with the differences named, or, with
//! `--accept-changes`, becomes a correction (an amendment, or a void) with
//! its history entry. It decides; the orchestration (`super::import`) does
//! the writing, in the import's one transaction.

use std::collections::HashSet;

use uuid::Uuid;

use crate::csvio::EventColumns;
use crate::fields::{Field, FIELDS};
use crate::model::{Event, Status};
use crate::store::Change;
use crate::validate::{retired_message, Resolver};

use super::{Context, Options};

/// What becomes of a row whose id is already known.
pub(super) enum Verdict {
    /// The same content: nothing to do.
    Same,
    /// Refused, for the `id` column, with this message.
    Refuse(String),
    /// The stored event, corrected to the file's values, and the history's
    /// account of the correction (boxed: corrections are rare, and every
    /// other verdict stays small).
    Correct(Box<Event>, Change),
}

/// The correction policy for one import.
pub(super) struct Corrections<'a> {
    accept_changes: bool,
    /// Why, for the history of each correction.
    reason: String,
    /// Ids this import corrected: a later row with the same id must agree.
    /// Corrections are few, so this stays small however large the file.
    corrected: HashSet<Uuid>,
    columns: &'a EventColumns,
    resolver: &'a Resolver,
    ctx: &'a Context<'a>,
}

impl<'a> Corrections<'a> {
    pub(super) fn new(
        options: &Options,
        columns: &'a EventColumns,
        resolver: &'a Resolver,
        ctx: &'a Context<'a>,
    ) -> Self {
        Corrections {
            accept_changes: options.accept_changes,
            // By default the file's name says why.
            reason: options
                .reason
                .clone()
                .unwrap_or_else(|| format!("correction in {}", ctx.file)),
            corrected: HashSet::new(),
            columns,
            resolver,
            ctx,
        }
    }

    /// A row whose id is stored from before this import as `stored`.
    pub(super) fn existing(&mut self, stored: &Event, row: &Event) -> Verdict {
        let columns = self.columns;
        if differences(stored, row, columns, "").is_empty() {
            return Verdict::Same;
        }
        // Corrected by an earlier row of this file, which this one
        // contradicts.
        if self.corrected.contains(&row.id) {
            return Verdict::Refuse(repeated(stored, row, columns));
        }
        if !self.accept_changes {
            return Verdict::Refuse(format!(
                "{} is already stored with other content: {} \
                 (to apply the file's values as corrections, import with --accept-changes)",
                row.id,
                differences(stored, row, columns, "stored").join("; ")
            ));
        }
        match correction(stored, row, columns, self.resolver) {
            Ok(new) => {
                let change = change(stored, &new, self.ctx, &self.reason);
                self.corrected.insert(row.id);
                Verdict::Correct(Box::new(new), change)
            }
            Err(why) => Verdict::Refuse(format!(
                "{} cannot be corrected from the file: {why}",
                row.id
            )),
        }
    }

    /// A row whose id an earlier row of this file stored as `earlier`.
    pub(super) fn repeated(&self, earlier: &Event, row: &Event) -> Verdict {
        if differences(earlier, row, self.columns, "").is_empty() {
            Verdict::Same
        } else {
            Verdict::Refuse(repeated(earlier, row, self.columns))
        }
    }
}

/// Why a row is refused whose id an earlier row of the file stored (or
/// corrected) with other content.
fn repeated(earlier: &Event, row: &Event, columns: &EventColumns) -> String {
    format!(
        "{} is on an earlier row of this file with other content \
         (a copied row? clear the id to make it a new event): {}",
        row.id,
        differences(earlier, row, columns, "earlier row").join("; ")
    )
}

/// The stored event as the file's row corrects it, or why the row cannot
/// be a correction of it. The file's values win, except that: who recorded
/// the event and when are the record's origin, not something a correction
/// changes (a row that differs there is another record under the same id);
/// a voided event stays as it is (opweek never un-voids or amends one); and
/// a retired type takes no events moved into it. Columns the file lacks
/// keep the stored values (`recorded_*`, `status`).
fn correction(
    stored: &Event,
    row: &Event,
    columns: &EventColumns,
    resolver: &Resolver,
) -> Result<Event, String> {
    if stored.status == Status::Voided {
        return Err("the stored event is voided, and a voided event is not changed".into());
    }
    for (name, was, now) in [
        ("recorded_by", &stored.recorded_by, &row.recorded_by),
        ("recorded_at", &stored.recorded_at, &row.recorded_at),
    ] {
        if columns.has(name) && was != now {
            return Err(format!(
                "{name} differs (stored {was:?}, file {now:?}): not the same record"
            ));
        }
    }
    if row.type_key != stored.type_key && resolver.is_retired(&row.type_key) {
        return Err(retired_message(&row.type_key));
    }
    let mut new = row.clone();
    new.recorded_by = stored.recorded_by.clone();
    new.recorded_at = stored.recorded_at.clone();
    if !columns.has("status") {
        new.status = stored.status;
    }
    Ok(new)
}

/// The history's account of correcting `stored` to `new` from the file: a
/// void when the file voids it, else an amendment, by whoever imports.
fn change(stored: &Event, new: &Event, ctx: &Context, reason: &str) -> Change {
    Change {
        action: if new.status != stored.status {
            "void"
        } else {
            "amend"
        },
        changed_by: ctx.user.to_string(),
        changed_at: ctx.now.to_string(),
        reason: reason.to_string(),
        changes: serde_json::Value::Object(crate::fields::changes(stored, new)).to_string(),
    }
}

/// The fields in which `new` differs from `stored`, as `field: {was} "old",
/// file "new"`. `recorded_by`, `recorded_at` and `status` count only when
/// the file has those columns: otherwise they were filled in by this import.
fn differences(stored: &Event, new: &Event, columns: &EventColumns, was: &str) -> Vec<String> {
    FIELDS
        .iter()
        .map(|d| (d, d.field.text(stored), d.field.text(new)))
        .filter(|(d, a, b)| {
            a != b
                && (!matches!(
                    d.field,
                    Field::RecordedBy | Field::RecordedAt | Field::Status
                ) || columns.has(d.name))
        })
        .map(|(d, a, b)| format!("{}: {was} {a:?}, file {b:?}", d.name))
        .collect()
}
