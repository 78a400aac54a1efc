//! CSV configuration, in one place: every command that reads or writes CSV
//! goes through here, so quoting, headers and the export columns are decided
//! once.

use std::io::Write;

use crate::model::{Event, EXPORT_HEADER};

/// A CSV writer with opweek's settings: RFC 4180 quoting (only where
/// needed), `\n` line ends.
pub fn writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(w)
}

/// Writes events in the export format: the contract's header, then one row
/// per event.
pub struct EventWriter<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> EventWriter<W> {
    pub fn new(w: W) -> Result<EventWriter<W>, csv::Error> {
        let mut csv = writer(w);
        csv.write_record(EXPORT_HEADER)?;
        Ok(EventWriter { csv })
    }

    pub fn write(&mut self, e: &Event) -> Result<(), csv::Error> {
        self.csv.write_record(e.to_record())
    }

    pub fn finish(mut self) -> Result<(), csv::Error> {
        self.csv.flush()?;
        Ok(())
    }
}

/// Where each export column sits in a CSV being read: the header is
/// required, the order is free, unknown columns are refused (a misspelt
/// column would otherwise lose its data silently).
#[derive(Debug, Clone)]
pub struct EventColumns {
    index: [Option<usize>; 18],
}

impl EventColumns {
    pub fn from_header(header: &csv::StringRecord) -> Result<EventColumns, String> {
        let mut index = [None; 18];
        for (i, name) in header.iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}');
            let Some(pos) = EXPORT_HEADER
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
            else {
                return Err(format!(
                    "unknown column {name:?} (expected columns from: {})",
                    EXPORT_HEADER.join(",")
                ));
            };
            if index[pos].is_some() {
                return Err(format!("column {name:?} appears twice"));
            }
            index[pos] = Some(i);
        }
        Ok(EventColumns { index })
    }

    /// Whether the header names this export column.
    pub fn has(&self, column: &str) -> bool {
        EXPORT_HEADER
            .iter()
            .position(|h| *h == column)
            .is_some_and(|p| self.index[p].is_some())
    }

    /// One row as an `EventInput`; columns the header lacks are `None`.
    pub fn input(&self, rec: &csv::StringRecord) -> crate::validate::EventInput {
        let get = |p: usize| self.index[p].and_then(|i| rec.get(i)).map(str::to_string);
        crate::validate::EventInput {
            id: get(0),
            operation: get(1),
            type_key: get(2),
            date: get(3),
            time: get(4),
            count: get(5),
            force: get(6),
            team: get(7),
            area: get(8),
            officer: get(9),
            reference: get(10),
            detail: get(11),
            partner: get(12),
            outcome: get(13),
            notes: get(14),
            recorded_by: get(15),
            recorded_at: get(16),
            status: get(17),
        }
    }
}
