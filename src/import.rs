//! The import pipeline: read the export CSV row by row, validate each row
//! with the same rules as `log`, and load it in one transaction. Every bad row
//! is reported (through a callback, so nothing accumulates); any bad row, or
//! `--dry-run`, rolls the whole import back. Memory does not grow with the
//! file: rows are streamed, never collected. Parsing and validation run on
//! a second thread, overlapping SQLite's writes.

use std::io::Read;

use thiserror::Error;

use crate::chain::EventDigest;
use crate::csvio::{self, EventColumns};
use crate::fields::{Field, FIELDS};
use crate::model::{Event, Status};
use crate::store::{Change, Outcome, Store, StoreError};
use crate::validate::{retired_message, Defaults, Resolver, RetiredTypes};

/// One refused row, as `FILE:LINE: column: message` shows it, or a problem
/// of the whole file (`line` 0, shown as `FILE: message`), such as an
/// unknown operation named by many rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// As a spreadsheet counts: the header is line 1. A row whose quoted
    /// cell spans lines is named by its first line. 0: the whole file.
    pub line: u64,
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Operation for rows that name none.
    pub operation: Option<String>,
    /// A force's operation codes mapped to this database's (`--map-op
    /// THEIRS=OURS`): a row naming THEIRS is imported into OURS.
    pub map_op: std::collections::HashMap<String, String>,
    pub dry_run: bool,
    /// Apply a row whose id is stored with other content as a correction
    /// (an amendment, or a void) instead of refusing it: a force's later
    /// export carrying its own corrections.
    pub accept_changes: bool,
    /// Why, for the history of each correction (default: the file's name).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub rows: u64,
    pub imported: u64,
    /// Rows whose id was already stored with the same content.
    pub skipped: u64,
    /// Stored events changed to the file's values (`accept_changes`),
    /// voided ones included.
    pub corrected: u64,
    /// Of those, the ones the file voids.
    pub voided: u64,
    /// Rows without an id, which were given new ones.
    pub new_ids: u64,
    pub dry_run: bool,
}

#[derive(Debug, Error)]
pub enum ImportError {
    #[error("{count} invalid row{} in {file}; nothing was imported", if *.count == 1 { "" } else { "s" })]
    Invalid { file: String, count: u64 },
    #[error("the header of {file} needs fixing (see above); nothing was imported")]
    Header { file: String },
    #[error("{0}")]
    Option(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    // The source is printed after this by the error chain.
    #[error("cannot read {file}")]
    Read { file: String, source: csv::Error },
}

/// How often (in rows) `on_progress` hears the byte position.
const PROGRESS_EVERY: u64 = 4096;

/// Rows per message between the parsing and the writing thread, and how
/// many messages may wait: enough to keep both busy, little memory.
const BATCH_ROWS: usize = 512;
const CHANNEL_BATCHES: usize = 16;

/// One row as the parsing thread hands it to the writer.
struct Row {
    /// The row's line, or for `Progress` the byte position.
    line: u64,
    outcome: RowOutcome,
}

/// What the parsing thread learnt of a valid row beyond its event.
#[derive(Clone, Copy)]
struct Valid {
    /// The row had an id (else it was given a new one).
    id_given: bool,
    /// Its type is retired: welcome only if already stored. Looked up here
    /// to keep the lookup off the writing thread.
    retired: bool,
}

// Nearly every row is an `Event`: boxing it would cost an allocation a row
// to save space only on the rare bad ones.
#[allow(clippy::large_enum_variant)]
enum RowOutcome {
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
fn parse_rows<R: Read>(
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

/// What the import needs to know about the caller.
pub struct Context<'a> {
    pub file: &'a str,
    pub today: chrono::NaiveDate,
    pub user: &'a str,
    pub now: &'a str,
}

/// Imports the CSV from `input` into `store`. `on_problem` hears each bad
/// row as it is found; `on_progress` the byte position now and then.
pub fn import<R: Read + Send>(
    store: &mut Store,
    input: R,
    ctx: &Context,
    options: &Options,
    on_problem: &mut dyn FnMut(&Problem),
    on_progress: &mut dyn FnMut(u64),
) -> Result<Summary, ImportError> {
    let read_err = |source| ImportError::Read {
        file: ctx.file.to_string(),
        source,
    };
    let mut problems = Reporter {
        count: 0,
        sink: on_problem,
    };

    let mut reader = csvio::reader(csvio::Lines::new(input));
    let header = reader.headers().map_err(read_err)?.clone();
    if header.is_empty() {
        problems.report(
            1,
            "header",
            format!(
                "the file is empty (expected a header row, such as {})",
                crate::fields::HEADER.join(",")
            ),
        );
        return Err(bad_header(ctx));
    }
    let columns = match EventColumns::from_header(&header) {
        Ok(c) => c,
        Err(message) => {
            problems.report(1, "header", message);
            return Err(bad_header(ctx));
        }
    };
    for required in ["type", "date"] {
        if !columns.has(required) {
            problems.report(
                1,
                "header",
                format!("no {required} column (the header must name it)"),
            );
        }
    }
    if !columns.has("operation") && options.operation.is_none() {
        problems.report(
            1,
            "header",
            "no operation column: add one, or name the operation with --op".into(),
        );
    }
    // A file's dates must mean the same whichever day it is imported.
    let resolver = Resolver::new(store.operations()?, store.activity_types()?).absolute_dates();
    if let Some(code) = &options.operation {
        if resolver.operation(code).is_none() {
            return Err(ImportError::Option(resolver.unknown_operation(code)));
        }
    }
    let mut mapped: Vec<(&String, &String)> = options.map_op.iter().collect();
    mapped.sort();
    for (theirs, ours) in mapped {
        if resolver.operation(ours).is_none() {
            return Err(ImportError::Option(format!(
                "--map-op {theirs}={ours}: {}",
                resolver.unknown_operation(ours)
            )));
        }
    }
    if problems.count > 0 {
        return Err(bad_header(ctx));
    }
    let defaults = Defaults {
        retired: RetiredTypes::Accept,
        today: ctx.today,
        date: None,
        operation: options.operation.clone(),
        recorded_by: ctx.user.to_string(),
        recorded_at: ctx.now.to_string(),
    };

    let mut summary = Summary {
        dry_run: options.dry_run,
        ..Summary::default()
    };
    let reason = options
        .reason
        .clone()
        .unwrap_or_else(|| format!("correction in {}", ctx.file));
    // Ids this import corrected: a later row with the same id must agree.
    // Corrections are few, so this stays small however large the file.
    let mut corrected = std::collections::HashSet::new();
    // Rows per unknown operation code, reported once each at the end.
    let mut unknown_ops = std::collections::BTreeMap::<String, u64>::new();
    let mut importer = store.importer()?;
    // Two stages on two threads: this one reads and validates rows, the
    // caller's thread writes them. SQLite's b-tree work is most of an
    // import; parsing and validation overlap it instead of adding to it.
    // The channel is bounded, so memory stays flat however large the file.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Row>>(CHANNEL_BATCHES);
    // Spent batches go back to the parsing thread to be freed there: the
    // system allocator frees cheaply on the thread that allocated, and
    // expensively on another (BENCHMARKS.md).
    let (spent_tx, spent_rx) = std::sync::mpsc::channel::<Vec<Row>>();
    let ahead = std::thread::scope(|scope| -> Result<EventDigest, ImportError> {
        let parser = scope.spawn(|| {
            parse_rows(
                reader, &columns, &resolver, &defaults, options, tx, spent_rx,
            )
        });
        for batch in rx {
            for row in &batch {
                match &row.outcome {
                    RowOutcome::Progress => on_progress(row.line),
                    RowOutcome::Problems(list) => {
                        summary.rows += 1;
                        for (column, message) in list {
                            problems.report(row.line, column, message.clone());
                        }
                    }
                    RowOutcome::UnknownOperation(code, list) => {
                        summary.rows += 1;
                        *unknown_ops.entry(code.clone()).or_default() += 1;
                        for (column, message) in list {
                            problems.report(row.line, column, message.clone());
                        }
                    }
                    RowOutcome::Event(event, valid) => {
                        summary.rows += 1;
                        if !valid.id_given {
                            summary.new_ids += 1;
                        }
                        match importer.insert(event)? {
                            // A row of a retired type is welcome only if it
                            // is already stored (a re-imported export).
                            Outcome::Inserted if valid.retired => {
                                problems.report(row.line, "type", retired_message(&event.type_key))
                            }
                            Outcome::Inserted => summary.imported += 1,
                            Outcome::Existing(stored) | Outcome::Repeated(stored)
                                if differences(&stored, event, &columns, "").is_empty() =>
                            {
                                summary.skipped += 1;
                            }
                            // Corrected by an earlier row of this file, which
                            // this one contradicts.
                            Outcome::Existing(stored) if corrected.contains(&event.id) => {
                                problems.report(row.line, "id", repeated(&stored, event, &columns))
                            }
                            Outcome::Existing(stored) if options.accept_changes => {
                                match correction(&stored, event, &columns, &resolver) {
                                    Ok(new) => {
                                        let change = change(&stored, &new, ctx, &reason);
                                        importer.correct(&stored, &new, &change)?;
                                        corrected.insert(event.id);
                                        summary.corrected += 1;
                                        summary.voided += u64::from(change.action == "void");
                                    }
                                    Err(why) => problems.report(
                                        row.line,
                                        "id",
                                        format!(
                                            "{} cannot be corrected from the file: {why}",
                                            event.id
                                        ),
                                    ),
                                }
                            }
                            Outcome::Existing(stored) => problems.report(
                                row.line,
                                "id",
                                format!(
                                    "{} is already stored with other content: {} \
                                     (to apply the file's values as corrections, import with --accept-changes)",
                                    event.id,
                                    differences(&stored, event, &columns, "stored").join("; ")
                                ),
                            ),
                            Outcome::Repeated(stored) => {
                                problems.report(row.line, "id", repeated(&stored, event, &columns))
                            }
                        }
                    }
                }
            }
            // The parser may have finished already; then this one is freed here.
            let _ = spent_tx.send(batch);
        }
        match parser.join() {
            Ok(result) => result.map_err(read_err),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })?;
    for (code, rows) in unknown_ops {
        problems.report(
            0,
            "operation",
            format!(
                "operation '{code}' is not known ({rows} row{}; create it with opweek op add or map it with --map-op {code}=CODE)",
                if rows == 1 { "" } else { "s" }
            ),
        );
        // Every such row is invalid.
        problems.count += rows - 1;
    }
    if problems.count > 0 {
        importer.rollback()?;
        return Err(invalid(ctx, problems.count));
    }
    if options.dry_run {
        importer.rollback()?;
    } else {
        importer.commit(Some(ahead))?;
    }
    Ok(summary)
}

/// Counts the problems it passes on.
struct Reporter<'a> {
    count: u64,
    sink: &'a mut dyn FnMut(&Problem),
}

impl Reporter<'_> {
    fn report(&mut self, line: u64, column: &str, message: String) {
        self.count += 1;
        (self.sink)(&Problem {
            line,
            column: column.to_string(),
            message,
        });
    }
}

fn bad_header(ctx: &Context) -> ImportError {
    ImportError::Header {
        file: ctx.file.to_string(),
    }
}

fn invalid(ctx: &Context, count: u64) -> ImportError {
    ImportError::Invalid {
        file: ctx.file.to_string(),
        count,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Operation;

    fn store() -> Store {
        let mut s = Store::open_in_memory().unwrap();
        s.add_operation(&Operation {
            code: "nov17".into(),
            title: "T".into(),
            start: "2017-11-13".parse().unwrap(),
            end: "2017-11-19".parse().unwrap(),
            force: None,
            unit: None,
            campaign: None,
            notes: None,
        })
        .unwrap();
        s
    }

    fn run(
        s: &mut Store,
        csv: &str,
        options: &Options,
    ) -> (Result<Summary, ImportError>, Vec<Problem>) {
        let mut problems = Vec::new();
        let ctx = Context {
            file: "f.csv",
            today: "2017-11-30".parse().unwrap(),
            user: "u",
            now: "2017-11-30T10:00:00Z",
        };
        let r = import(
            s,
            csv.as_bytes(),
            &ctx,
            options,
            &mut |p| problems.push(p.clone()),
            &mut |_| {},
        );
        (r, problems)
    }

    #[test]
    fn imports_then_skips_identical_rows() {
        let mut s = store();
        let csv = "id,operation,type,date,count\n\
                   015fb413-d700-71f2-a652-c83c3459d7ce,nov17,warrant,2017-11-13,1\n";
        let (r, p) = run(&mut s, csv, &Options::default());
        assert_eq!(p, []);
        assert_eq!(r.unwrap().imported, 1);
        let (r, _) = run(&mut s, csv, &Options::default());
        let summary = r.unwrap();
        assert_eq!((summary.imported, summary.skipped), (0, 1));
    }

    #[test]
    fn a_conflicting_id_names_the_difference() {
        let mut s = store();
        let id = "015fb413-d700-71f2-a652-c83c3459d7ce";
        run(
            &mut s,
            &format!("id,operation,type,date,count\n{id},nov17,warrant,2017-11-13,1\n"),
            &Options::default(),
        )
        .0
        .unwrap();
        let (r, p) = run(
            &mut s,
            &format!("id,operation,type,date,count\n{id},nov17,warrant,2017-11-13,2\n"),
            &Options::default(),
        );
        assert!(matches!(r, Err(ImportError::Invalid { count: 1, .. })));
        assert_eq!(p[0].line, 2);
        assert_eq!(p[0].column, "id");
        assert!(
            p[0].message.contains("count: stored \"1\", file \"2\""),
            "{}",
            p[0].message
        );
    }

    /// `--accept-changes`: a stored event the file changes is amended, or
    /// voided; what cannot be a correction is still refused, with the whole
    /// file.
    #[test]
    fn accepted_changes_amend_or_void_and_the_rest_is_refused() {
        let accept = Options {
            accept_changes: true,
            ..Options::default()
        };
        let (a, b) = (
            "015fb413-d700-71f2-a652-c83c3459d7ce",
            "015fb413-d700-71f2-a652-c83c3459d7cf",
        );
        let header = "id,operation,type,date,count,recorded_by,recorded_at,status";
        let row = |id: &str, count: u32, by: &str, status: &str| {
            format!("{id},nov17,warrant,2017-11-13,{count},{by},2017-11-13T09:00:00Z,{status}")
        };
        let mut s = store();
        let first = format!(
            "{header}\n{}\n{}\n",
            row(a, 1, "x", "active"),
            row(b, 1, "x", "active")
        );
        run(&mut s, &first, &Options::default()).0.unwrap();

        // Recorded by someone else: another record under the same id.
        let (r, p) = run(
            &mut s,
            &format!("{header}\n{}\n", row(a, 2, "y", "active")),
            &accept,
        );
        assert!(r.is_err());
        assert_eq!(
            p[0].message,
            format!("{a} cannot be corrected from the file: recorded_by differs (stored \"x\", file \"y\"): not the same record")
        );
        // Corrected, then contradicted by a later row of the same file.
        let (r, p) = run(
            &mut s,
            &format!(
                "{header}\n{}\n{}\n",
                row(a, 2, "x", "active"),
                row(a, 3, "x", "active")
            ),
            &accept,
        );
        assert!(r.is_err());
        assert_eq!((p.len(), p[0].line), (1, 3));
        assert!(
            p[0].message.contains("earlier row of this file"),
            "{}",
            p[0].message
        );
        assert_eq!(s.event(a.parse().unwrap()).unwrap().count, 1, "rolled back");

        // Both applied: one amended, one voided, each with its history row.
        let later = format!(
            "{header}\n{}\n{}\n",
            row(a, 2, "x", "active"),
            row(b, 1, "x", "voided")
        );
        let summary = run(&mut s, &later, &accept).0.unwrap();
        assert_eq!(
            (
                summary.imported,
                summary.skipped,
                summary.corrected,
                summary.voided
            ),
            (0, 0, 2, 1)
        );
        assert_eq!(s.event(a.parse().unwrap()).unwrap().count, 2);
        let history = s.history(b.parse().unwrap()).unwrap();
        let last = history.last().unwrap();
        assert_eq!(
            (
                last.action.as_str(),
                last.reason.as_str(),
                last.changed_by.as_str()
            ),
            ("void", "correction in f.csv", "u")
        );
        assert_eq!(
            last.changes,
            r#"{"status":{"old":"active","new":"voided"}}"#
        );
        assert!(s.event_problems(10).unwrap().is_empty());

        // A voided event is not changed again, not even back to active; the
        // older file's count for `a` would be applied, but the file fails.
        let (r, p) = run(&mut s, &first, &accept);
        assert!(r.is_err());
        let messages: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [format!(
                "{b} cannot be corrected from the file: the stored event is voided, and a voided event is not changed"
            )]
        );
        assert_eq!(s.event(a.parse().unwrap()).unwrap().count, 2, "rolled back");
    }

    #[test]
    fn every_bad_row_is_reported_and_nothing_written() {
        let mut s = store();
        let csv =
            "type,date,count\nwarrant,2017-11-13,1\nwarrant,2017-02-30,0\nwarrant,2017-11-14\n";
        let (r, p) = run(
            &mut s,
            csv,
            &Options {
                operation: Some("nov17".into()),
                ..Options::default()
            },
        );
        assert!(matches!(r, Err(ImportError::Invalid { count: 3, .. })));
        let lines: Vec<(u64, &str)> = p.iter().map(|p| (p.line, p.column.as_str())).collect();
        assert_eq!(lines, [(3, "date"), (3, "count"), (4, "row")]);
        assert_eq!(s.tally(&Default::default()).unwrap(), []);
    }

    fn event_count(s: &Store) -> u64 {
        let mut n = 0;
        s.for_each_event(
            &crate::store::EventFilter {
                include_voided: true,
                ..Default::default()
            },
            |_| -> Result<(), StoreError> {
                n += 1;
                Ok(())
            },
        )
        .unwrap();
        n
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Arbitrary bytes never panic the import and never leave part of
        /// one behind.
        #[test]
        fn arbitrary_bytes_never_panic_or_write_partially(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let mut s = store();
            let mut csv = b"operation,type,date,count,notes\nnov17,warrant,2017-11-13,1,ok\n".to_vec();
            csv.extend_from_slice(&bytes);
            let ctx = Context { file: "f.csv", today: "2017-11-30".parse().unwrap(), user: "u", now: "2017-11-30T10:00:00Z" };
            let result = import(&mut s, csv.as_slice(), &ctx, &Options::default(), &mut |_| {}, &mut |_| {});
            match result {
                Ok(summary) => proptest::prop_assert_eq!(event_count(&s), summary.imported),
                Err(_) => proptest::prop_assert_eq!(event_count(&s), 0),
            }
        }

        /// Rows built from plausible and implausible cells: all imported or
        /// none.
        #[test]
        fn mixed_rows_are_all_or_nothing(rows in proptest::collection::vec(
            (
                proptest::sample::select(vec!["nov17", "dec17", ""]),
                proptest::sample::select(vec!["warrant", "arrest", "nope", ""]),
                proptest::sample::select(vec!["2017-11-13", "2017-11-19", "2017-02-30", "2017-11-20", "x"]),
                proptest::sample::select(vec!["1", "5", "0", "-1", "", "many"]),
                "[ -~\n\"',=]{0,12}",
            ),
            1..20,
        )) {
            let mut s = store();
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["operation", "type", "date", "count", "notes"]).unwrap();
            for (op, t, d, c, n) in &rows {
                w.write_record([*op, *t, *d, *c, n.as_str()]).unwrap();
            }
            let data = w.into_inner().unwrap();
            let ctx = Context { file: "f.csv", today: "2017-11-30".parse().unwrap(), user: "u", now: "2017-11-30T10:00:00Z" };
            let result = import(&mut s, data.as_slice(), &ctx, &Options::default(), &mut |_| {}, &mut |_| {});
            match result {
                Ok(summary) => proptest::prop_assert_eq!(event_count(&s), rows.len() as u64 - summary.skipped),
                Err(_) => proptest::prop_assert_eq!(event_count(&s), 0),
            }
        }
    }

    #[test]
    fn an_empty_file_is_one_header_problem() {
        let mut s = store();
        let (r, p) = run(&mut s, "", &Options::default());
        assert!(matches!(r, Err(ImportError::Header { .. })));
        assert_eq!(p.len(), 1);
        assert!(p[0].message.starts_with("the file is empty"), "{:?}", p);
    }

    #[test]
    fn dry_run_writes_nothing() {
        let mut s = store();
        let (r, _) = run(
            &mut s,
            "operation,type,date\nnov17,arrest,2017-11-15\n",
            &Options {
                dry_run: true,
                ..Options::default()
            },
        );
        assert_eq!(r.unwrap().imported, 1);
        assert_eq!(s.tally(&Default::default()).unwrap(), []);
    }
}
