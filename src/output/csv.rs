//! Reports as CSV: the `--by` dimension first when given, then
//! `type,label,count,value` (the contract's columns; `value` is the summed
//! value of a type with a measure as the export writes it, `77115.00` or
//! `12.500`, empty for a count-only type), then with `--compare`
//! `compare,change,change_pct,compare_value,value_change`. Text cells go through the spreadsheet
//! formula guard (`csvio::guard`), as every CSV opweek writes; an event
//! field left empty is an empty `--by` cell; with `--by day` a day without
//! events is a row with empty type and label and a count of 0.

use std::io::Write;

use super::{values, ChangePct};
use crate::csvio;
use crate::report::Report;

pub fn report(r: &Report, out: &mut dyn Write) -> Result<(), csv::Error> {
    let mut w = csvio::writer(out);
    let mut header = Vec::with_capacity(4);
    if let Some(by) = r.by {
        header.push(by.name());
    }
    header.extend(["type", "label", "count", "value"]);
    if r.compare.is_some() {
        header.extend([
            "compare",
            "change",
            "change_pct",
            "compare_value",
            "value_change",
        ]);
    }
    w.write_record(&header)?;
    for (key, row) in r.listed_rows() {
        let mut rec: Vec<String> = Vec::with_capacity(7);
        if r.by.is_some() {
            rec.push(csvio::guard(key.as_deref().unwrap_or_default()).into_owned());
        }
        match row {
            Some(row) => {
                rec.extend([
                    csvio::guard(&row.type_key).into_owned(),
                    csvio::guard(&row.label).into_owned(),
                    row.count.to_string(),
                    values::data(row),
                ]);
                if r.compare.is_some() {
                    rec.extend([
                        row.compare.unwrap_or(0).to_string(),
                        row.change().unwrap_or(0).to_string(),
                        ChangePct::of(row)
                            .map(|p| p.data_text())
                            .unwrap_or_default(),
                        values::compare_data(row),
                        values::change_data(row),
                    ]);
                }
            }
            None => {
                rec.extend([String::new(), String::new(), "0".to_string(), String::new()]);
                if r.compare.is_some() {
                    rec.extend(std::iter::repeat_n(String::new(), 5));
                }
            }
        }
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}
