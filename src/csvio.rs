//! CSV configuration, in one place: every command that reads or writes CSV
//! goes through here, so quoting, headers, the export columns and the
//! spreadsheet formula guard are decided once.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{Read, Write};

use crate::fields::{self, EventInput, Field, FIELDS, HEADER, N};
use crate::model::Event;

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

/// Line numbers as a spreadsheet user counts them (the header is line 1; a
/// record whose quoted cell spans lines is named by its first line), for an
/// input read through `reader`.
///
/// The csv crate's own `Position::line` of a record is where the reader
/// stood when it began looking for that record, which is a line early after
/// a CRLF line end (the LF is consumed with the next record) and after blank
/// lines (skipped with the next record): rust-csv issues #395 and #208.
/// Spreadsheets save CRLF, so the import counts lines itself: `Lines` wraps
/// the input, notes where each CR and LF byte passes, and `line_of` counts
/// the line breaks before a record's first byte. A break is an LF, a CRLF or
/// a lone CR. Breaks before the record asked about are folded into a count
/// and forgotten, so memory is bounded by the reader's read-ahead and the
/// longest record, never by the file.
pub struct Lines<R> {
    inner: R,
    /// Bytes read from `inner` so far.
    offset: u64,
    /// Offsets of the CR and LF bytes not yet folded into `breaks_before`,
    /// with whether each is an LF.
    pending: VecDeque<(u64, bool)>,
    /// Line breaks wholly before the first pending byte.
    breaks_before: u64,
}

impl<R> Lines<R> {
    pub fn new(inner: R) -> Lines<R> {
        Lines {
            inner,
            offset: 0,
            pending: VecDeque::new(),
            breaks_before: 0,
        }
    }

    /// The line on which the record at `pos` starts: after any line breaks
    /// the csv reader skipped on its way to the record's first byte. Records
    /// must be asked about in file order.
    pub fn line_of(&mut self, pos: &csv::Position) -> u64 {
        let start = pos.byte();
        // A CR counts as a break unless an LF follows it (CRLF is one).
        let is_break = |pending: &VecDeque<(u64, bool)>, i: usize| {
            let (at, lf) = pending[i];
            lf || pending.get(i + 1) != Some(&(at + 1, true))
        };
        while self.pending.front().is_some_and(|&(at, _)| at < start) {
            self.breaks_before += u64::from(is_break(&self.pending, 0));
            self.pending.pop_front();
        }
        // The run of CR/LF bytes the reader skipped before the record.
        let run = (0..self.pending.len())
            .take_while(|&i| self.pending[i].0 == start + i as u64)
            .filter(|&i| is_break(&self.pending, i))
            .count();
        1 + self.breaks_before + run as u64
    }
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for i in memchr::memchr2_iter(b'\r', b'\n', &buf[..n]) {
            self.pending
                .push_back((self.offset + i as u64, buf[i] == b'\n'));
        }
        self.offset += n as u64;
        Ok(n)
    }
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
        csv.write_record(HEADER)?;
        Ok(EventWriter { csv })
    }

    pub fn write(&mut self, e: &Event) -> Result<(), csv::Error> {
        let record = fields::record(e);
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
/// column would otherwise lose its data silently). Columns with no name at
/// all are allowed as long as they stay empty: spreadsheets save the blank
/// columns beside a table that someone once formatted ("a,b,c,,").
#[derive(Debug, Clone)]
pub struct EventColumns {
    index: [Option<usize>; N],
    /// Positions of the columns the header leaves unnamed.
    unnamed: Vec<usize>,
}

impl EventColumns {
    pub fn from_header(header: &csv::StringRecord) -> Result<EventColumns, String> {
        let mut index = [None; N];
        let mut unnamed = Vec::new();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}');
            if name.is_empty() {
                unnamed.push(i);
                continue;
            }
            let Some(field) = Field::from_name(name) else {
                // Spreadsheets set to a European locale save "CSV" with
                // semicolons; the whole header then reads as one name.
                let hint = if name.contains(';') || name.contains('\t') {
                    "; the file seems to be separated by semicolons or tabs: save it as comma-separated CSV"
                } else {
                    ""
                };
                return Err(format!(
                    "unknown column {name:?} (expected columns from: {}){hint}",
                    HEADER.join(",")
                ));
            };
            if index[field.index()].is_some() {
                return Err(format!("column {name:?} appears twice"));
            }
            index[field.index()] = Some(i);
        }
        Ok(EventColumns { index, unnamed })
    }

    /// The first column without a name in the header that has text in this
    /// row, as a spreadsheet letters it ("F"): that text would otherwise be
    /// dropped without a word.
    pub fn unnamed_with_text(&self, rec: &csv::StringRecord) -> Option<String> {
        self.unnamed
            .iter()
            .find(|&&i| rec.get(i).is_some_and(|c| !c.trim().is_empty()))
            .map(|&i| column_letters(i))
    }

    /// Whether the header names this export column.
    pub fn has(&self, column: &str) -> bool {
        Field::from_name(column).is_some_and(|f| self.index[f.index()].is_some())
    }

    /// One row as an `EventInput`, formula guards removed; columns the
    /// header lacks are `None`.
    pub fn input(&self, rec: &csv::StringRecord) -> EventInput {
        let mut input = EventInput::new();
        for d in &FIELDS {
            if let Some(cell) = self.index[d.field.index()].and_then(|i| rec.get(i)) {
                input.set(d.field, unguard(cell));
            }
        }
        input
    }
}

/// A column's letters as a spreadsheet shows them: 0 → A, 25 → Z, 26 → AA.
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
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

    /// The line each record of `data` starts on, as `Lines` counts it.
    fn record_lines(data: &[u8]) -> Vec<u64> {
        let mut rdr = reader(Lines::new(data));
        let mut lines = vec![];
        let mut record = csv::StringRecord::new();
        let header = rdr.position().clone();
        lines.push(rdr.get_mut().line_of(&header));
        while rdr.read_record(&mut record).unwrap() {
            let pos = record.position().unwrap().clone();
            lines.push(rdr.get_mut().line_of(&pos));
        }
        lines
    }

    #[test]
    fn lines_are_counted_as_a_spreadsheet_does() {
        // LF, CRLF (what spreadsheets save), lone CR, with a BOM.
        for end in ["\n", "\r\n", "\r"] {
            let data = format!("\u{feff}a,b{end}1,2{end}3,4{end}5,6{end}");
            assert_eq!(record_lines(data.as_bytes()), [1, 2, 3, 4], "{end:?}");
            let no_final = format!("a,b{end}1,2{end}3,4");
            assert_eq!(record_lines(no_final.as_bytes()), [1, 2, 3], "{end:?}");
        }
        // Blank lines are skipped, but still counted.
        assert_eq!(
            record_lines(b"a,b\r\n\r\n1,2\r\n\r\n\r\n3,4\r\n"),
            [1, 3, 6]
        );
        assert_eq!(record_lines(b"a,b\n\n1,2\n\n\n3,4\n"), [1, 3, 6]);
        // A quoted cell over several lines: the record is named by its first.
        assert_eq!(
            record_lines(b"a,b\r\n1,\"x\r\ny\r\nz\"\r\n3,4\r\n"),
            [1, 2, 5]
        );
        assert_eq!(record_lines(b"a,b\n\"x\ny\",2\n\n3,4"), [1, 2, 5]);
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
        assert_eq!(input.get(Field::Type), Some("warrant"));
        assert!(EventColumns::from_header(&csv::StringRecord::from(vec!["dtae"])).is_err());
        assert!(EventColumns::from_header(&csv::StringRecord::from(vec!["date", "date"])).is_err());
        let semicolons = csv::StringRecord::from(vec!["operation;type;date"]);
        let err = EventColumns::from_header(&semicolons).unwrap_err();
        assert!(err.ends_with("save it as comma-separated CSV"), "{err}");
    }

    #[test]
    fn unnamed_columns_are_allowed_while_empty() {
        let header = csv::StringRecord::from(vec!["date", "", "type", " "]);
        let cols = EventColumns::from_header(&header).unwrap();
        let row = |cells: Vec<&str>| csv::StringRecord::from(cells);
        assert_eq!(cols.unnamed_with_text(&row(vec!["d", "", "t", ""])), None);
        assert_eq!(cols.unnamed_with_text(&row(vec!["d", " ", "t", ""])), None);
        assert_eq!(
            cols.unnamed_with_text(&row(vec!["d", "", "t", "x"]))
                .as_deref(),
            Some("D")
        );
        let input = cols.input(&row(vec!["d", "", "t", "x"]));
        assert_eq!(input.get(Field::Type), Some("t"));
    }

    #[test]
    fn columns_are_lettered_as_a_spreadsheet_does() {
        for (i, letters) in [
            (0, "A"),
            (3, "D"),
            (25, "Z"),
            (26, "AA"),
            (27, "AB"),
            (701, "ZZ"),
            (702, "AAA"),
        ] {
            assert_eq!(column_letters(i), letters);
        }
    }
}
