//! CSV configuration, in one place: every command that reads or writes CSV
//! goes through here, so quoting, headers, the export columns and the
//! spreadsheet formula guard are decided once.

use std::borrow::Cow;
use std::io::{Read, Write};

use crate::model::{Event, EXPORT_HEADER};

/// A CSV writer with opweek's settings: RFC 4180 quoting (only where
/// needed), `\n` line ends.
pub fn writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(w)
}

/// A CSV reader with opweek's settings: a header row is required, a UTF-8
/// byte-order mark (spreadsheets write one) is skipped, and CRLF or LF line
/// ends are both accepted (the csv crate does both by default).
pub fn reader<R: Read>(r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new().has_headers(true).from_reader(r)
}

/// Guards a cell against spreadsheet formula injection (OWASP "CSV
/// injection"): a cell a spreadsheet would run as a formula gets a leading
/// `'`. A cell that already starts with `'` gets one too, so that `unguard`
/// can always remove exactly one and the text round-trips.
pub fn guard(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\n' | b'\'') => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// The inverse of `guard`, applied to every imported cell.
pub fn unguard(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
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
        let record = e.to_record();
        self.csv
            .write_record(record.iter().map(|c| guard(c).into_owned()))
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

    /// One row as an `EventInput`, formula guards removed; columns the
    /// header lacks are `None`.
    pub fn input(&self, rec: &csv::StringRecord) -> crate::validate::EventInput {
        let get = |p: usize| {
            self.index[p]
                .and_then(|i| rec.get(i))
                .map(|c| unguard(c).to_string())
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_guard_round_trips() {
        for (text, written) in [
            ("=1+1", "'=1+1"),
            ("+44 151", "'+44 151"),
            ("-3", "'-3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\nx", "'\nx"),
            ("\rx", "'\rx"),
            ("'tis", "''tis"),
            ("plain", "plain"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(guard(text), written);
            assert_eq!(unguard(&guard(text)), text);
        }
    }

    #[test]
    fn columns_in_any_order_unknown_refused() {
        let header = csv::StringRecord::from(vec!["date", "type", "operation"]);
        let cols = EventColumns::from_header(&header).unwrap();
        assert!(cols.has("date") && !cols.has("id"));
        let input = cols.input(&csv::StringRecord::from(vec![
            "2017-11-13",
            "warrant",
            "op",
        ]));
        assert_eq!(input.type_key.as_deref(), Some("warrant"));
        assert!(EventColumns::from_header(&csv::StringRecord::from(vec!["dtae"])).is_err());
        assert!(EventColumns::from_header(&csv::StringRecord::from(vec!["date", "date"])).is_err());
    }
}
