//! Reading a team's spreadsheet (`.xlsx`, `.xlsm`, `.xls`, `.ods`) for
//! `import`, with calamine.
//!
//! The first sheet is turned into the export CSV's text, cell by cell, and
//! fed to the one import pipeline (`crate::import`): the header, the
//! validation, the all-or-nothing rule and the messages are the CSV's, not
//! a second copy of them. What is particular to a spreadsheet happens here:
//! typed cells are written as the import reads them (a date cell as
//! `YYYY-MM-DD`, a time cell as `HH:MM:SS`, a whole number stored as a float,
//! `3.0`, as `3`; `3.5` stays `3.5` and the count refuses it), text cells are
//! passed through the CSV formula guard so that the import's un-guarding
//! gives them back exactly, wholly empty rows are skipped, and each CSV line
//! is mapped back to the row number the spreadsheet shows (`row_of`).

use std::path::Path;

use calamine::{Data, Reader};
use thiserror::Error;

use crate::csvio::{column_letters, guard};

#[derive(Debug, Error)]
pub enum SheetError {
    #[error("cannot read {file} as a spreadsheet: {reason}")]
    Open { file: String, reason: String },
    #[error("{file} has no sheet to import")]
    NoSheet { file: String },
    #[error("{count} cell{} of {file} hold{} a spreadsheet error (see above); nothing was imported",
        if *.count == 1 { "" } else { "s" }, if *.count == 1 { "s" } else { "" })]
    Errors { file: String, count: usize },
}

/// One cell the spreadsheet could not compute (`#DIV/0!`, `#REF!`), as the
/// import reports a problem: row as the spreadsheet numbers it, and the
/// column's name from the header (or its letters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub row: u64,
    pub column: String,
    pub message: String,
}

/// The first sheet as CSV text for the import, and where each of its lines
/// came from.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub csv: Vec<u8>,
    /// `(first CSV line of a record, its spreadsheet row)`, in order.
    starts: Vec<(u64, u64)>,
}

impl Sheet {
    /// The spreadsheet row of the record that begins on CSV `line` (the
    /// import names a record by its first line).
    pub fn row_of(&self, line: u64) -> u64 {
        match self.starts.binary_search_by_key(&line, |&(l, _)| l) {
            Ok(i) => self.starts[i].1,
            Err(0) => line,
            Err(i) => {
                let (l, row) = self.starts[i - 1];
                row + (line - l)
            }
        }
    }
}

/// Whether `path` names a spreadsheet `import` reads through this module
/// (by its extension, in any case); anything else is read as CSV.
pub fn is_spreadsheet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .is_some_and(|e| matches!(e.as_str(), "xlsx" | "xlsm" | "xls" | "ods"))
}

/// Reads the first sheet of the spreadsheet at `path`. Cells holding an
/// error are each reported to `on_problem`, and then refuse the file.
pub fn read(path: &Path, on_problem: &mut dyn FnMut(&CellProblem)) -> Result<Sheet, SheetError> {
    let file = path.display().to_string();
    let open_err = |e: &dyn std::fmt::Display| SheetError::Open {
        file: file.clone(),
        reason: e.to_string(),
    };
    let mut workbook = calamine::open_workbook_auto(path).map_err(|e| open_err(&e))?;
    let range = match workbook.worksheet_range_at(0) {
        Some(r) => r.map_err(|e| open_err(&e))?,
        None => return Err(SheetError::NoSheet { file }),
    };
    // LibreOffice saves a cell whose formula failed (`=1/0`) as an empty
    // text with the error only in its own attribute, which calamine does
    // not read: in an OpenDocument sheet, a formula that gives no value is
    // taken for an error, never for an empty cell (which would make the
    // count 1, or the value none).
    let formulas = if is_opendocument(path) {
        let first = workbook.sheet_names().first().cloned();
        first.and_then(|name| workbook.worksheet_formula(&name).ok())
    } else {
        None
    };
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut out = Sheet::default();
    let mut w = crate::csvio::writer(Vec::new());
    let mut line = 1u64;
    let mut header: Vec<String> = Vec::new();
    let mut errors = 0;
    let mut record: Vec<String> = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        let row = u64::from(first_row) + i as u64 + 1;
        if !header.is_empty() && cells.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        record.clear();
        // Columns before the data's first keep their letters.
        record.extend((0..first_col).map(|_| String::new()));
        for (j, cell) in cells.iter().enumerate() {
            let failed_formula = formulas.as_ref().and_then(|f| {
                let at = (first_row + i as u32, first_col + j as u32);
                let empty = match cell {
                    Data::Empty => true,
                    Data::String(s) => s.is_empty(),
                    _ => false,
                };
                f.get_value(at)
                    .filter(|formula| empty && !formula.is_empty())
                    .map(|formula| {
                        let formula = formula.strip_prefix("of:").unwrap_or(formula);
                        format!(
                            "the cell's formula ({formula}) gives no value: \
                             a spreadsheet error such as #DIV/0!; fix it, or clear the cell"
                        )
                    })
            });
            let text = match failed_formula {
                Some(message) => Err(message),
                None => cell_text(cell),
            };
            match text {
                Ok(text) => record.push(text),
                Err(message) => {
                    errors += 1;
                    let col = first_col as usize + j;
                    let column = header
                        .get(col)
                        .filter(|h| !h.trim().is_empty())
                        .cloned()
                        .unwrap_or_else(|| format!("column {}", column_letters(col)));
                    on_problem(&CellProblem {
                        row,
                        column,
                        message,
                    });
                    record.push(String::new());
                }
            }
        }
        if header.is_empty() {
            header = record.clone();
        }
        out.starts.push((line, row));
        let before = w.get_ref().len();
        let written = w
            .write_record(&record)
            .and_then(|()| w.flush().map_err(Into::into));
        if let Err(e) = written {
            return Err(open_err(&e));
        }
        line += breaks(&w.get_ref()[before..]);
    }
    if errors > 0 {
        return Err(SheetError::Errors {
            file,
            count: errors,
        });
    }
    out.csv = w.into_inner().map_err(|e| open_err(&e.error()))?;
    Ok(out)
}

/// Whether `path` is an OpenDocument spreadsheet (by its extension).
fn is_opendocument(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("ods"))
}

/// Line breaks as the import counts them: LF, CRLF, or a lone CR.
fn breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'\n' => n += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => n += 1,
            _ => {}
        }
    }
    n
}

/// A cell as the import reads it, or why it cannot be read.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => guard(s).into_owned(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => date_time(dt),
        Data::DateTimeIso(s) => iso_date_time(s),
        Data::DurationIso(s) => iso_duration(s).unwrap_or_else(|| s.clone()),
        Data::Error(e) => {
            return Err(format!(
                "the cell holds a spreadsheet error ({e}): fix or clear it"
            ))
        }
    })
}

/// A number cell: a whole number without a decimal point (`3.0` is `3`),
/// anything else as Rust writes it (`3.5`), for the column to judge.
fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// A date or time cell (an Excel serial number): a time alone (below 1) as
/// `HH:MM:SS`, a date at midnight as `YYYY-MM-DD`, both as
/// `YYYY-MM-DD HH:MM:SS`. Rounded to the second: a serial's fraction comes
/// back as 09:09:59.999.
fn date_time(dt: &calamine::ExcelDateTime) -> String {
    let serial = dt.as_f64();
    let (y, mo, d, h, mi, s, milli) = dt.to_ymd_hms_milli();
    let mut secs = u32::from(h) * 3600 + u32::from(mi) * 60 + u32::from(s);
    if milli >= 500 {
        secs += 1;
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d));
    let (date, secs) = match date {
        Some(date) if secs >= 86_400 => (date.succ_opt(), secs - 86_400),
        other => (other, secs),
    };
    let clock = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if (0.0..1.0).contains(&serial) {
        return clock;
    }
    match date {
        Some(date) if secs == 0 => date.format("%Y-%m-%d").to_string(),
        Some(date) => format!("{} {clock}", date.format("%Y-%m-%d")),
        None => serial.to_string(),
    }
}

/// An OpenDocument date cell, `2017-11-13` or `2017-11-13T09:10:00`: the
/// date alone when the time is midnight.
fn iso_date_time(s: &str) -> String {
    match s.split_once('T') {
        Some((date, "00:00:00")) => date.to_string(),
        Some((date, time)) => format!("{date} {time}"),
        None => s.to_string(),
    }
}

/// An OpenDocument time cell, `PT09H10M00S`, as `09:10:00`.
fn iso_duration(s: &str) -> Option<String> {
    let rest = s.strip_prefix("PT")?;
    let (h, rest) = rest.split_once('H')?;
    let (m, rest) = rest.split_once('M')?;
    let sec = rest.strip_suffix('S')?;
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    let sec: f64 = sec.parse().ok()?;
    Some(format!("{h:02}:{m:02}:{:02}", sec.round() as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_import_expects() {
        assert_eq!(number(3.0), "3");
        assert_eq!(number(3.5), "3.5");
        assert_eq!(number(-2.0), "-2");
        assert_eq!(number(1250.25), "1250.25");
    }

    #[test]
    fn opendocument_dates_and_times() {
        assert_eq!(iso_date_time("2017-11-13"), "2017-11-13");
        assert_eq!(iso_date_time("2017-11-13T00:00:00"), "2017-11-13");
        assert_eq!(iso_date_time("2017-11-13T09:10:00"), "2017-11-13 09:10:00");
        assert_eq!(iso_duration("PT09H10M00S").as_deref(), Some("09:10:00"));
        assert_eq!(iso_duration("PT9H5M30S").as_deref(), Some("09:05:30"));
        assert_eq!(iso_duration("P1D"), None);
    }

    #[test]
    fn excel_serials_round_to_the_second() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let cell = |v| ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false);
        // 2017-11-13 is serial 43052.
        assert_eq!(date_time(&cell(43052.0)), "2017-11-13");
        assert_eq!(date_time(&cell(9.0 / 24.0 + 10.0 / 1440.0)), "09:10:00");
        assert_eq!(date_time(&cell(43052.5)), "2017-11-13 12:00:00");
        assert_eq!(date_time(&cell(0.381_944_444_4)), "09:10:00");
    }

    #[test]
    fn lines_map_back_to_rows() {
        let sheet = Sheet {
            csv: Vec::new(),
            starts: vec![(1, 3), (2, 4), (3, 6), (5, 7)],
        };
        assert_eq!([1, 2, 3, 5].map(|l| sheet.row_of(l)), [3, 4, 6, 7]);
    }

    #[test]
    fn line_breaks() {
        assert_eq!(breaks(b"a,b\n"), 1);
        assert_eq!(breaks(b"\"a\r\nb\",c\n"), 2);
        assert_eq!(breaks(b"\"a\rb\",c\n"), 2);
    }
}
