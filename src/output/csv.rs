//! Reports as CSV: the `--by` dimension first when given, then
//! `type,label,count` (the contract's columns), then with `--compare`
//! `compare,change,change_pct`.

use std::io::Write;

use crate::csvio;
use crate::report::Report;

pub fn report(r: &Report, out: &mut dyn Write) -> Result<(), csv::Error> {
    let mut w = csvio::writer(out);
    let mut header = Vec::with_capacity(4);
    if let Some(by) = r.by {
        header.push(by.name());
    }
    header.extend(["type", "label", "count"]);
    if r.compare.is_some() {
        header.extend(["compare", "change", "change_pct"]);
    }
    w.write_record(&header)?;
    for row in &r.rows {
        let mut rec: Vec<String> = Vec::with_capacity(4);
        if r.by.is_some() {
            rec.push(row.key.clone().unwrap_or_default());
        }
        rec.extend([
            row.type_key.clone(),
            row.label.clone(),
            row.count.to_string(),
        ]);
        if r.compare.is_some() {
            rec.extend([
                row.compare.unwrap_or(0).to_string(),
                row.change().unwrap_or(0).to_string(),
                row.change_pct()
                    .map(|p| format!("{p:.1}"))
                    .unwrap_or_default(),
            ]);
        }
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}
