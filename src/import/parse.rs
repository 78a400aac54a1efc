//! The import's parsing thread: read the CSV record by record, turn each
//! row into a valid `Event` with the same rules as `log` (`--map-op`,
//! `--op`, spreadsheet-saved dates and times respelt, stray unnamed
//! columns refused) or into the problems that refuse it, and hand the rows
//! to the writing thread in bounded batches. It also hashes every valid
//! event for the history's seal, so the writer does not have to. It never
//! touches the store.

use std::io::Read;

use crate::chain::EventDigest;
use crate::csvio::{self, EventColumns};
use crate::fields::Field;
use crate::model::Event;
use crate::validate::{Defaults, Resolver};

use super::Options;

/// How often (in rows) `on_progress` hears the byte position.
const PROGRESS_EVERY: u64 = 4096;

/// Rows per message between the parsing and the writing thread, and how
/// many messages may wait: enough to keep both busy, little memory. The
/// parsing thread is the faster of the two, so the channel is nearly always
/// full and its depth is memory rather than speed: importing 1M events,
/// 16 waiting batches peaked at 41.2 MB, 4 at 39.7 MB, with no change in
/// time (alternating runs; BENCHMARKS.md).
const BATCH_ROWS: usize = 512;
pub(super) const CHANNEL_BATCHES: usize = 4;

/// One row as the parsing thread hands it to the writer.
pub(super) struct Row {
    /// The row's line, or for `Progress` the byte position.
    pub(super) line: u64,
    pub(super) outcome: RowOutcome,
}

/// What the parsing thread learnt of a valid row beyond its event.
#[derive(Clone, Copy)]
pub(super) struct Valid {
    /// The row had an id (else it was given a new one).
    pub(super) id_given: bool,
    /// Its type is retired: welcome only if already stored. Looked up here
    /// to keep the lookup off the writing thread.
    pub(super) retired: bool,
}

// Nearly every row is an `Event`: boxing it would cost an allocation a row
// to save space only on the rare bad ones.
#[allow(clippy::large_enum_variant)]
pub(super) enum RowOutcome {
    Event(Event, Valid),
    Problems(Vec<(&'static str, String)>),
    /// The row names an operation that is not stored: reported once for
    /// all its rows, with their number. Its other problems, if any, beside.
    UnknownOperation(String, Vec<(&'static str, String)>),
    Progress,
}

/// Reads and validates every row, sending them on in batches, and returns
/// the digest of every valid event in file order (the history's seal, hashed
/// here rather than on the writing thread; see `Importer::commit`). Stops
/// early (quietly) if the writer has stopped listening; a read error that is
/// not the file's content (I/O) ends it with that error.
pub(super) fn parse_rows<R: Read>(
    mut reader: csv::Reader<csvio::Lines<R>>,
    columns: &EventColumns,
    resolver: &Resolver,
    defaults: &Defaults,
    options: &Options,
    tx: std::sync::mpsc::SyncSender<Vec<Row>>,
    spent: std::sync::mpsc::Receiver<Vec<Row>>,
) -> Result<EventDigest, csv::Error> {
    let mut digest = EventDigest::new();
    // A spent batch from the writer, emptied here (so its rows are freed on
    // this thread) and reused; a new one when none has come back yet.
    let next_batch = || match spent.try_recv() {
        Ok(mut b) => {
            b.clear();
            b
        }
        Err(_) => Vec::with_capacity(BATCH_ROWS),
    };
    let mut batch = next_batch();
    let mut record = csv::StringRecord::new();
    let mut rows = 0u64;
    loop {
        // Where the reader stands: the next record's position unless the
        // csv error names one.
        let here = reader.position().clone();
        let row = match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                rows += 1;
                let pos = record.position().unwrap_or(&here);
                if rows % PROGRESS_EVERY == 0 {
                    batch.push(Row {
                        line: pos.byte(),
                        outcome: RowOutcome::Progress,
                    });
                }
                let mut outcome = validate_row(columns.input(&record), resolver, defaults, options);
                if let Some(letters) = columns.unnamed_with_text(&record) {
                    let problem = (
                        "row",
                        format!(
                            "column {letters} has text but no name in the header (name the column, or clear it)"
                        ),
                    );
                    match &mut outcome {
                        RowOutcome::Problems(list) | RowOutcome::UnknownOperation(_, list) => {
                            list.push(problem)
                        }
                        _ => outcome = RowOutcome::Problems(vec![problem]),
                    }
                }
                if let RowOutcome::Event(e, _) = &outcome {
                    digest.add_event(e);
                }
                Row {
                    line: reader.get_mut().line_of(pos),
                    outcome,
                }
            }
            // A malformed row is the file's problem: report it, go on.
            Err(e) => {
                let line = reader.get_mut().line_of(e.position().unwrap_or(&here));
                match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        len, expected_len, ..
                    } => Row {
                        line,
                        outcome: RowOutcome::Problems(vec![(
                            "row",
                            format!("has {len} cells; the header has {expected_len}"),
                        )]),
                    },
                    csv::ErrorKind::Utf8 { .. } => Row {
                        line,
                        outcome: RowOutcome::Problems(vec![(
                            "row",
                            "is not valid UTF-8 text (save the file as UTF-8 CSV)".into(),
                        )]),
                    },
                    _ => return Err(e),
                }
            }
        };
        batch.push(row);
        if batch.len() >= BATCH_ROWS {
            let full = std::mem::replace(&mut batch, next_batch());
            if tx.send(full).is_err() {
                return Ok(digest);
            }
        }
    }
    let _ = tx.send(batch);
    Ok(digest)
}

fn validate_row(
    mut input: crate::validate::EventInput,
    resolver: &Resolver,
    defaults: &Defaults,
    options: &Options,
) -> RowOutcome {
    // The file's operation code, as this database knows it (`--map-op`).
    if let Some(ours) = input
        .get(Field::Operation)
        .and_then(|named| options.map_op.get(named.trim()))
    {
        input.set(Field::Operation, ours.clone());
    }
    let named = input.given(Field::Operation).map(str::trim);
    if let (Some(named), Some(given)) = (named, &options.operation) {
        if named != given {
            return RowOutcome::Problems(vec![(
                "operation",
                format!("row names operation {named:?} but --op names {given:?}"),
            )]);
        }
    }
    let unknown = named
        .filter(|code| resolver.operation(code).is_none())
        .map(str::to_string);
    // Dates and times as a spreadsheet re-saves them (13/11/2017, 09:10:00).
    crate::dates::respell(input.cell_mut(Field::Date), crate::dates::import_date);
    crate::dates::respell(input.cell_mut(Field::Time), crate::dates::import_time);
    let id_given = input.given(Field::Id).is_some();
    match resolver.event_errors(input, defaults) {
        Ok(e) => {
            let retired = resolver.is_retired(&e.type_key);
            RowOutcome::Event(e, Valid { id_given, retired })
        }
        Err(errors) => {
            let list = errors.into_iter().map(|e| (e.field, e.message));
            match unknown {
                // Said once for the file, not on each row.
                Some(code) => RowOutcome::UnknownOperation(
                    code,
                    list.filter(|(field, _)| *field != "operation").collect(),
                ),
                None => RowOutcome::Problems(list.collect()),
            }
        }
    }
}
