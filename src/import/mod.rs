//! The import pipeline's orchestration and public API: check the header
//! and the options, start the parsing thread (`parse`), and on the caller's
//! thread load each row through `store::Importer` in one transaction,
//! asking the correction policy (`corrections`) what to do with a row whose
//! id is already stored. Every bad row is reported (through a callback, so
//! nothing accumulates); any bad row, or `--dry-run`, rolls the whole
//! import back. Memory does not grow with the file: rows are streamed,
//! never collected.

mod corrections;
mod parse;

use std::io::Read;

use sha2::{Digest as _, Sha256};
use thiserror::Error;

use crate::chain::EventDigest;
use crate::csvio::{self, EventColumns};
use crate::store::{EarlierImport, Outcome, Store, StoreError};
use crate::validate::{retired_message, Defaults, Resolver, RetiredTypes};

use corrections::{Corrections, Verdict};
use parse::{parse_rows, Row, RowOutcome, CHANNEL_BATCHES};

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
    /// Import a file whose rows carry no ids even though the same file
    /// (the same bytes) was imported before: its rows are stored again.
    pub again: bool,
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
    #[error("{file} was already imported {when}; its rows carry no ids, so importing it again would count them twice: to import it again anyway, add --again")]
    AlreadyImported { file: String, when: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    // The source is printed after this by the error chain.
    #[error("cannot read {file}")]
    Read { file: String, source: csv::Error },
}

/// What the import needs to know about the caller.
pub struct Context<'a> {
    pub file: &'a str,
    pub today: chrono::NaiveDate,
    pub user: &'a str,
    pub now: &'a str,
    /// The SHA-256 (lowercase hex) of the file's bytes when the input is
    /// not the file itself (a spreadsheet's sheet, read out as CSV); `None`:
    /// the input is the file, hashed as it is read.
    pub file_sha256: Option<&'a str>,
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

    // The file's content, hashed as it is read (on the parsing thread),
    // for the guard against importing the same id-less file twice.
    let mut hasher = Sha256::new();
    let mut reader = csvio::reader(csvio::Lines::new(Hashing {
        inner: input,
        sha: &mut hasher,
    }));
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
    let mut corrections = Corrections::new(options, &columns, &resolver, ctx);
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
                        let (stored, verdict) = match importer.insert(event)? {
                            // A row of a retired type is welcome only if it
                            // is already stored (a re-imported export).
                            Outcome::Inserted if valid.retired => {
                                problems.report(row.line, "type", retired_message(&event.type_key));
                                continue;
                            }
                            Outcome::Inserted => {
                                summary.imported += 1;
                                continue;
                            }
                            Outcome::Existing(stored) => {
                                let verdict = corrections.existing(&stored, event);
                                (stored, verdict)
                            }
                            Outcome::Repeated(stored) => {
                                let verdict = corrections.repeated(&stored, event);
                                (stored, verdict)
                            }
                        };
                        match verdict {
                            Verdict::Same => summary.skipped += 1,
                            Verdict::Refuse(message) => problems.report(row.line, "id", message),
                            Verdict::Correct(new, change) => {
                                importer.correct(&stored, &new, &change)?;
                                summary.corrected += 1;
                                summary.voided += u64::from(change.action == "void");
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
    let file_sha256 = match ctx.file_sha256 {
        Some(sha) => sha.to_string(),
        None => format!("{:x}", hasher.finalize()),
    };
    // Rows with ids are skipped when already stored; rows without are
    // stored again. So the same file (the same bytes: a re-sorted copy is
    // another file) is refused a second time when it has such rows.
    if summary.new_ids > 0 && !options.again {
        let earlier = importer.earlier_imports(&file_sha256)?;
        if let Some(last) = earlier.last() {
            importer.rollback()?;
            return Err(already_imported(ctx, earlier.len(), last));
        }
    }
    if options.dry_run {
        importer.finish_dry_run()?;
    } else {
        importer.commit(Some(ahead), Some(&file_sha256))?;
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

/// Passes a reader's bytes through, hashing them.
struct Hashing<'h, R> {
    inner: R,
    sha: &'h mut Sha256,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }
}

fn already_imported(ctx: &Context, times: usize, last: &EarlierImport) -> ImportError {
    let file = std::path::Path::new(ctx.file).file_name().map_or_else(
        || ctx.file.to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    let what = format!(
        "on {} by {} ({} event{})",
        last.at,
        last.by,
        last.events,
        if last.events == 1 { "" } else { "s" }
    );
    let when = match times {
        1 => what,
        n => format!("{n} times, last {what}"),
    };
    ImportError::AlreadyImported { file, when }
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
            file_sha256: None,
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
            let ctx = Context { file: "f.csv", today: "2017-11-30".parse().unwrap(), user: "u", now: "2017-11-30T10:00:00Z", file_sha256: None };
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
            let ctx = Context { file: "f.csv", today: "2017-11-30".parse().unwrap(), user: "u", now: "2017-11-30T10:00:00Z", file_sha256: None };
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
