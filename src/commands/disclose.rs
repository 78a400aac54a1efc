//! What `list`, `export` and `report` share about a selection of events
//! and its disclosure: the field filter flags, the description of a
//! selection for the disclosure log, and a disclosure written to stdout.

use std::io::Write;

use anyhow::Result;

use crate::csvio::EventWriter;
use crate::model::{FieldFilter, ValidationError};
use crate::store::{Disclosure, EventFilter, Store};

/// The field filters `list`, `export` and `report` share: exact matches
/// (after trimming) on the values events were recorded with.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only events of this team (exact match)
    #[arg(long, allow_hyphen_values = true)]
    pub team: Option<String>,
    /// Only events in this area (exact match)
    #[arg(long, allow_hyphen_values = true)]
    pub area: Option<String>,
    /// Only events of this officer (collar number, exact match)
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    pub officer: Option<String>,
    /// Only events with this reference (exact match)
    #[arg(long = "ref", value_name = "REF", allow_hyphen_values = true)]
    pub reference: Option<String>,
}

impl FilterArgs {
    /// The validated filter set.
    pub fn to_filter(&self) -> Result<FieldFilter, ValidationError> {
        FieldFilter::new(
            self.team.as_deref(),
            self.area.as_deref(),
            self.officer.as_deref(),
            self.reference.as_deref(),
        )
    }
}

/// A selection as the flags that made it, for the disclosure log: `list`
/// and `export` describe theirs the same way. `none` when no flag was given.
pub fn describe_selection(
    flags: &[(&str, &Option<String>)],
    only: &FilterArgs,
    extra: Option<&str>,
    none: &str,
) -> String {
    let mut parts: Vec<String> = flags
        .iter()
        .filter_map(|(flag, value)| value.as_ref().map(|v| format!("{flag} {v}")))
        .collect();
    if let Ok(fields) = only.to_filter() {
        for (flag, v) in fields.flags() {
            parts.push(format!("{flag} {v:?}"));
        }
    }
    parts.extend(extra.map(str::to_string));
    if parts.is_empty() {
        none.to_string()
    } else {
        parts.join(" ")
    }
}

/// Finishes a disclosure to stdout (`export` without `-o`, `list --format
/// csv|json`): the entry is committed only after every row was written and
/// flushed. A failure to write enters nothing (exit 1), except a broken pipe:
/// the reader (`| head`) closed it after taking some rows, so what was
/// written may have been read; that is entered, with the destination saying
/// the reader closed it early, and the command then ends quietly (exit 0).
pub fn disclose_stdout(
    store: &mut Store,
    written: Result<()>,
    out: &mut dyn Write,
    disclosure: impl FnOnce(String) -> Disclosure,
) -> Result<()> {
    let result = written.and_then(|()| out.flush().map_err(anyhow::Error::from));
    match result {
        Ok(()) => {
            store.log_disclosure(&disclosure("stdout".to_string()))?;
            Ok(())
        }
        Err(e) if super::is_broken_pipe(&e) => {
            store.log_disclosure(&disclosure(
                "stdout (closed early by the reader)".to_string(),
            ))?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// Writes the events `filter` selects as export-format CSV (`export`, `list
/// --format csv`), counting the rows written into `rows` as they go, so a
/// disclosure cut short still says how many left.
pub fn write_event_csv(
    store: &Store,
    filter: &EventFilter,
    out: &mut dyn Write,
    rows: &mut u64,
) -> Result<()> {
    let mut w = EventWriter::new(out)?;
    store.for_each_event(filter, |e| -> Result<()> {
        w.write(&e)?;
        *rows += 1;
        Ok(())
    })?;
    w.finish()?;
    Ok(())
}
