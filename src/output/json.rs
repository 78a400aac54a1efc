//! Reports and events as JSON. The report's shape is the contract's:
//! `{"period":{"from":..,"to":..},"rows":[{"type":..,"label":..,"count":..}]}`,
//! each row carrying the `--by` key (named after the dimension) when given:
//! `null` for events that left the field empty; with `--by day` a day
//! without events is a row with `"type": null` and `"count": 0`. Every row
//! has `"value"` (its type's summed value, a number in pounds or
//! kilograms, or null) and `"measure"` (`"money"`, `"weight"` or null);
//! `"value_totals"` holds one total per measure present
//! (`{"money": 77115}`), never added to the count `"total"`. Also the
//! history chain head and whether the figures are provisional (and why).

use std::io::Write;

use serde_json::{json, Map, Value};

use super::{values, ChangePct};
use crate::report::Report;

pub fn report_value(r: &Report) -> Value {
    let rows: Vec<Value> = r
        .listed_rows()
        .into_iter()
        .map(|(key, row)| {
            let mut m = Map::new();
            if let Some(by) = r.by {
                m.insert(by.name().into(), json!(key));
            }
            match row {
                Some(row) => {
                    m.insert("type".into(), json!(row.type_key));
                    m.insert("label".into(), json!(row.label));
                    m.insert("count".into(), json!(row.count));
                    m.insert("value".into(), values::json_of(row, row.value));
                    m.insert("measure".into(), json!(row.measure));
                    if r.compare.is_some() {
                        m.insert("compare".into(), json!(row.compare));
                        m.insert("change".into(), json!(row.change()));
                        m.insert(
                            "change_pct".into(),
                            json!(ChangePct::of(row).map(|p| p.value)),
                        );
                        m.insert(
                            "compare_value".into(),
                            values::json_of(row, row.compare_value),
                        );
                        m.insert(
                            "value_change".into(),
                            values::json_of(row, row.value_change()),
                        );
                    }
                }
                // A quiet day under `--by day`: no type, nothing counted.
                None => {
                    m.insert("type".into(), Value::Null);
                    m.insert("label".into(), Value::Null);
                    m.insert("count".into(), json!(0));
                    m.insert("value".into(), Value::Null);
                    m.insert("measure".into(), Value::Null);
                }
            }
            Value::Object(m)
        })
        .collect();
    let mut value = json!({
        "period": {"from": r.period.from.to_string(), "to": r.period.to.to_string()},
        "operations": r.operations.iter().map(|o| o.code.as_str()).collect::<Vec<_>>(),
        "campaign": r.campaign,
        "by": r.by.map(|b| b.name()),
        "rows": rows,
        "total": r.total,
        "value_totals": values::json_totals(r, false),
        "compare": r.compare.as_ref().map(|c| json!({
            "operation": c.operation.code,
            "total": c.total,
            "value_totals": values::json_totals(r, true),
        })),
        "chain_head": r.chain_head,
        "provisional": r.provisional.is_some(),
        "provisional_reason": r.provisional.as_ref().and_then(|p| p.reason.clone()),
        "filters": r.filters,
    });
    for (k, v) in super::signoff::json_fields(r) {
        value[k] = v;
    }
    value
}

pub fn report(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report_value(r))?;
    writeln!(out)
}

/// Streams a JSON array one value at a time, so `list --format json` of a
/// large selection never holds it all.
pub struct ArrayWriter<'a> {
    out: &'a mut dyn Write,
    first: bool,
}

impl<'a> ArrayWriter<'a> {
    pub fn new(out: &'a mut dyn Write) -> std::io::Result<ArrayWriter<'a>> {
        out.write_all(b"[")?;
        Ok(ArrayWriter { out, first: true })
    }

    pub fn write<T: serde::Serialize>(&mut self, v: &T) -> std::io::Result<()> {
        self.out
            .write_all(if self.first { b"\n  " } else { b",\n  " })?;
        self.first = false;
        serde_json::to_writer(&mut *self.out, v)?;
        Ok(())
    }

    pub fn finish(self) -> std::io::Result<()> {
        self.out
            .write_all(if self.first { b"]\n" } else { b"\n]\n" })
    }
}
