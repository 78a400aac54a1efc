//! Excel workbooks (rust_xlsxwriter): the events export and the report.
//!
//! Cells are typed, so a spreadsheet sorts and sums them without a
//! conversion: dates are dates, times are times, counts (and any other
//! numeric column) are numbers. Every other cell is written as a string
//! cell, which Excel and LibreOffice never evaluate: text such as
//! `=HYPERLINK(...)` or `-1` stays text, so the CSV formula guard (a
//! leading `'`) is neither needed nor added here. Each sheet has a bold,
//! frozen header with filters and columns wide enough for their content.
//!
//! The workbook is built in memory and handed back as bytes, for the caller
//! to write wherever the export goes (a file, a pipe).

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartType, ExcelDateTime, Format, Workbook, Worksheet, XlsxError,
};

use crate::fields::{self, Kind, FIELDS, HEADER};
use crate::measure::Measure;
use crate::model::Event;
use crate::report::{format_range, Report};

/// Whether a file name asks for a workbook (`.xlsx`, in any case).
pub fn is_xlsx_path(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// Excel's column width unit is about one character of the default font.
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;

fn bold() -> Format {
    Format::new().set_bold()
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

fn excel_time(t: NaiveTime) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_hms(t.hour() as u16, t.minute() as u8, 0)
}

/// Tracks each column's widest cell, for the column widths.
struct Widths(Vec<usize>);

impl Widths {
    fn new(header: &[&str]) -> Widths {
        Widths(header.iter().map(|h| h.chars().count() + 3).collect())
    }

    fn see(&mut self, col: usize, text: &str) {
        let longest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        if let Some(w) = self.0.get_mut(col) {
            *w = (*w).max(longest);
        }
    }

    fn apply(&self, sheet: &mut Worksheet) -> Result<(), XlsxError> {
        for (col, w) in self.0.iter().enumerate() {
            sheet.set_column_width(col as u16, (*w).clamp(MIN_WIDTH, MAX_WIDTH) as f64 + 1.0)?;
        }
        Ok(())
    }
}

fn header_row(sheet: &mut Worksheet, header: &[&str]) -> Result<(), XlsxError> {
    let bold = bold();
    for (col, name) in header.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The events export as a workbook: one sheet, `Events`, with the export's
/// columns in the export's order, so `import` reads it back as it reads the
/// CSV.
pub struct EventWorkbook {
    workbook: Workbook,
    rows: u32,
    widths: Widths,
    date: Format,
    time: Format,
}

impl EventWorkbook {
    pub fn new() -> Result<EventWorkbook, XlsxError> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name("Events")?;
        header_row(sheet, &HEADER)?;
        Ok(EventWorkbook {
            workbook,
            rows: 0,
            widths: Widths::new(&HEADER),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            time: Format::new().set_num_format("hh:mm"),
        })
    }

    pub fn write(&mut self, e: &Event) -> Result<(), XlsxError> {
        let row = self.rows + 1;
        let sheet = self.workbook.worksheet_from_index(0)?;
        for (col, (d, text)) in FIELDS.iter().zip(fields::record(e)).enumerate() {
            let c = col as u16;
            match d.kind {
                Kind::Date => {
                    sheet.write_date_with_format(row, c, excel_date(e.date)?, &self.date)?;
                    self.widths.see(col, "2017-11-13");
                }
                Kind::Time => {
                    if let Some(t) = e.time {
                        sheet.write_time_with_format(row, c, excel_time(t)?, &self.time)?;
                        self.widths.see(col, "00:00");
                    }
                }
                Kind::Count | Kind::Value => match text.parse::<f64>() {
                    Ok(n) => {
                        sheet.write_number(row, c, n)?;
                        self.widths.see(col, &text);
                    }
                    Err(_) if text.is_empty() => {}
                    Err(_) => {
                        sheet.write_string(row, c, &text)?;
                        self.widths.see(col, &text);
                    }
                },
                _ if text.is_empty() => {}
                _ => {
                    sheet.write_string(row, c, &text)?;
                    self.widths.see(col, &text);
                }
            }
        }
        self.rows = row;
        Ok(())
    }

    /// Filters on the header, the widths, and the workbook's bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        let sheet = self.workbook.worksheet_from_index(0)?;
        sheet.autofilter(0, 0, self.rows, (HEADER.len() - 1) as u16)?;
        self.widths.apply(sheet)?;
        self.workbook.save_to_buffer()
    }
}

/// A value cell's number format: pounds with pence and separators
/// (`£77,115.00`), kilograms to the gram (`12.5 kg`).
fn value_format(m: Measure) -> Format {
    match m {
        Measure::Money => Format::new().set_num_format("£#,##0.00"),
        Measure::Weight => Format::new().set_num_format("#,##0.0## \"kg\""),
    }
}

/// A value in pence or grams as the number a cell holds (pounds,
/// kilograms), in the measure's format.
fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    m: Measure,
    minor: i64,
    bold: bool,
) -> Result<(), XlsxError> {
    let scale = if m == Measure::Money { 100.0 } else { 1000.0 };
    let mut format = value_format(m);
    if bold {
        format = format.set_bold();
    }
    sheet.write_number_with_format(row, col, minor as f64 / scale, &format)?;
    Ok(())
}

/// The report as a workbook: a `Tallies` sheet (the `--by` key when given,
/// the activity, its type key, the count, the value (a number in the
/// measure's format) when some type has a measure, and the compared
/// operation's figures with `--compare`), a native bar chart of those tallies beside
/// it, and a `Briefing` sheet holding `briefing` (the briefing text, one
/// line a row).
pub fn report(r: &Report, briefing: &str) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Tallies")?;
    let mut header: Vec<String> = Vec::new();
    if let Some(by) = r.by {
        header.push(capitalise(by.name()));
    }
    header.extend(["Activity".into(), "Type".into(), "Count".into()]);
    let values = super::values::shown(r);
    if values {
        header.push("Value".into());
    }
    if let Some(c) = &r.compare {
        header.extend([c.operation.code.clone(), "Change".into()]);
        if values {
            header.extend([format!("{} value", c.operation.code), "Value change".into()]);
        }
    }
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    header_row(sheet, &names)?;
    let mut widths = Widths::new(&names);
    let first = usize::from(r.by.is_some());
    let count_col = (first + 2) as u16;
    let value_col = count_col + 1;
    // The compared operation's count, its change, then (with values) the
    // compared value and the change in value.
    let compare_col = count_col + 1 + u16::from(values);
    let mut row = 0u32;
    for tally in &r.rows {
        row += 1;
        if r.by.is_some() {
            let key = tally.key.as_deref().unwrap_or("(none)");
            sheet.write_string(row, 0, key)?;
            widths.see(0, key);
        }
        sheet.write_string(row, first as u16, &tally.label)?;
        widths.see(first, &tally.label);
        sheet.write_string(row, first as u16 + 1, &tally.type_key)?;
        widths.see(first + 1, &tally.type_key);
        sheet.write_number(row, count_col, tally.count as f64)?;
        if let Some(m) = tally.measure {
            if let Some(v) = tally.value {
                write_value(sheet, row, value_col, m, v, false)?;
                widths.see(value_col.into(), &m.display(v));
            }
        }
        if r.compare.is_some() {
            sheet.write_number(row, compare_col, tally.compare.unwrap_or(0) as f64)?;
            if let Some(change) = tally.change() {
                sheet.write_number(row, compare_col + 1, change as f64)?;
            }
            if let Some(m) = tally.measure {
                if let Some(v) = tally.compare_value {
                    write_value(sheet, row, compare_col + 2, m, v, false)?;
                }
                if let Some(v) = tally.value_change() {
                    write_value(sheet, row, compare_col + 3, m, v, false)?;
                }
            }
        }
    }
    let last = row;
    sheet.autofilter(0, 0, last, (names.len() - 1) as u16)?;
    // The total sits below the filtered range, so sorting leaves it last.
    let total = last + 2;
    let bold = bold();
    sheet.write_string_with_format(total, first as u16, "Total", &bold)?;
    sheet.write_number_with_format(total, count_col, r.total as f64, &bold)?;
    if let Some(c) = &r.compare {
        sheet.write_number_with_format(total, compare_col, c.total as f64, &bold)?;
        sheet.write_number_with_format(
            total,
            compare_col + 1,
            (r.total - c.total) as f64,
            &bold,
        )?;
    }
    // One total per measure, in the value columns, below the count's.
    for (i, v) in r.value_totals.iter().enumerate() {
        let at = total + 1 + i as u32;
        let row = v.row();
        sheet.write_string_with_format(at, first as u16, &row.label, &bold)?;
        write_value(sheet, at, value_col, v.measure, v.value, true)?;
        if let Some(c) = v.compare {
            write_value(sheet, at, compare_col + 2, v.measure, c, true)?;
            write_value(
                sheet,
                at,
                compare_col + 3,
                v.measure,
                v.value.saturating_sub(c),
                true,
            )?;
        }
    }
    widths.apply(sheet)?;

    if last > 0 {
        let mut chart = Chart::new(ChartType::Bar);
        let series = chart.add_series();
        // With --by, two category levels: the key, then the activity.
        series
            .set_categories(("Tallies", 1, 0, last, first as u16))
            .set_values(("Tallies", 1, count_col, last, count_col))
            .set_name("Count")
            .set_data_label(ChartDataLabel::new().show_value());
        if let Some(c) = &r.compare {
            chart
                .add_series()
                .set_categories(("Tallies", 1, 0, last, first as u16))
                .set_values(("Tallies", 1, compare_col, last, compare_col))
                .set_name(c.operation.code.as_str());
        } else {
            chart.legend().set_hidden();
        }
        let title = format!("{} — {}", r.scope(), format_range(&r.period));
        chart.title().set_name(&title);
        // Bars read top to bottom in the table's order.
        chart.x_axis().set_reverse();
        chart.set_width(640).set_height(40 * last.clamp(8, 40) + 80);
        sheet.insert_chart(1, names.len() as u16 + 1, &chart)?;
    }

    let text = workbook.add_worksheet();
    text.set_name("Briefing")?;
    let mut widest = 20;
    for (i, line) in briefing.lines().enumerate() {
        if i == 0 {
            text.write_string_with_format(0, 0, line, &bold)?;
        } else if !line.is_empty() {
            text.write_string(i as u32, 0, line)?;
        }
        widest = widest.max(line.chars().count());
    }
    text.set_column_width(0, widest.min(120) as f64 + 2.0)?;
    workbook.save_to_buffer()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
