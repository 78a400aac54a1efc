//! Measures: what an activity type may carry besides its count. Money is
//! pounds sterling, weight is kilograms. A value is held as a whole number of
//! the unit's smallest part (pence, grams), so sums are exact integer sums:
//! 0.10 + 0.20 is 0.30, never 0.30000000000000004. This module parses values
//! as people type them, and writes them back for files (`canonical`) and for
//! people (`display`).

use std::fmt;

use serde::Serialize;
use thiserror::Error;

/// The largest value one event may carry, in the unit's smallest part:
/// £10,000,000,000 or 10,000 tonnes. A bound, so that sums over millions of
/// events stay far inside an `i64`.
pub const MAX_MINOR: i64 = 1_000_000_000_000;

/// What a type measures besides its count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// Pounds sterling, held in pence.
    Money,
    /// Kilograms, held in grams.
    Weight,
}

/// A value refused, with the text given and what was expected.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum MeasureError {
    #[error("{0:?} is not a measure (expected money or weight)")]
    Unknown(String),
    #[error("{given:?} is not a valid {what} (expected {expected})")]
    Invalid {
        given: String,
        what: &'static str,
        expected: &'static str,
    },
    #[error("{given:?} is negative (a {what} is 0 or more)")]
    Negative { given: String, what: &'static str },
    #[error("{given:?} has too many decimal places ({what} takes at most {places})")]
    Places {
        given: String,
        what: &'static str,
        places: u32,
    },
    #[error("{given:?} is too large (at most {max} for one event)")]
    TooLarge { given: String, max: String },
    #[error(
        "{given:?} is in pounds, but this type measures weight (expected kilograms such as 12.5)"
    )]
    PoundsOnWeight { given: String },
}

impl Measure {
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Money => "money",
            Measure::Weight => "weight",
        }
    }

    pub fn parse(s: &str) -> Result<Measure, MeasureError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "money" => Ok(Measure::Money),
            "weight" => Ok(Measure::Weight),
            _ => Err(MeasureError::Unknown(s.to_string())),
        }
    }

    /// Decimal places the unit allows: pence, grams.
    pub fn places(self) -> u32 {
        match self {
            Measure::Money => 2,
            Measure::Weight => 3,
        }
    }

    fn scale(self) -> i64 {
        10i64.pow(self.places())
    }

    fn what(self) -> &'static str {
        match self {
            Measure::Money => "sum of money",
            Measure::Weight => "weight",
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Measure::Money => "pounds such as 77115, 1250.50 or £1,250.50",
            Measure::Weight => "kilograms such as 12.5 or 0.250",
        }
    }

    /// Parses a value as typed: `77115`, `1250.50`, `£1,250.50` (money),
    /// `12.5`, `0.250` (weight), returning it in the unit's smallest part.
    /// Thousands separators are accepted only in groups of three.
    pub fn parse_value(self, given: &str) -> Result<i64, MeasureError> {
        let invalid = || MeasureError::Invalid {
            given: given.to_string(),
            what: self.what(),
            expected: self.expected(),
        };
        let mut s = given.trim();
        let negative = s.starts_with('-') || s.starts_with('−');
        if negative {
            s = s.trim_start_matches(['-', '−']).trim_start();
        }
        if let Some(rest) = s.strip_prefix('£') {
            if self == Measure::Weight {
                return Err(MeasureError::PoundsOnWeight {
                    given: given.to_string(),
                });
            }
            s = rest.trim_start();
        }
        if self == Measure::Weight {
            // "12.5 kg" and "12.5kg" as the reports print it.
            if let Some(rest) = s
                .strip_suffix("kg")
                .or_else(|| s.strip_suffix("KG"))
                .or_else(|| s.strip_suffix("Kg"))
            {
                s = rest.trim_end();
            }
        }
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (s, None),
        };
        let whole = strip_separators(whole).ok_or_else(invalid)?;
        if whole.is_empty() && frac.is_none_or(str::is_empty) {
            return Err(invalid());
        }
        if !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let frac = frac.unwrap_or("");
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        if negative {
            return Err(MeasureError::Negative {
                given: given.to_string(),
                what: self.what(),
            });
        }
        // Trailing zeros past the unit's places are harmless ("1.500" kg is
        // 1.5 kg; "2.50" of money is fine): only real digits count.
        let significant = frac.trim_end_matches('0');
        if significant.len() > self.places() as usize {
            return Err(MeasureError::Places {
                given: given.to_string(),
                what: self.what(),
                places: self.places(),
            });
        }
        let too_large = || MeasureError::TooLarge {
            given: given.to_string(),
            max: self.display(MAX_MINOR),
        };
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            // More digits than an i64 holds is too large, not malformed.
            whole.parse().map_err(|_| too_large())?
        };
        let mut frac_minor: i64 = 0;
        for (i, d) in significant.bytes().enumerate() {
            frac_minor += i64::from(d - b'0') * 10i64.pow(self.places() - 1 - i as u32);
        }
        let minor = whole
            .checked_mul(self.scale())
            .and_then(|w| w.checked_add(frac_minor))
            .filter(|&m| m <= MAX_MINOR)
            .ok_or_else(too_large)?;
        Ok(minor)
    }

    /// The value as files carry it (export, import, history): a plain
    /// decimal in the unit, all its places ("1250.50", "77115.00",
    /// "12.500"), so a spreadsheet reads it as a number and it parses back
    /// to the same value.
    pub fn canonical(self, minor: i64) -> String {
        let scale = self.scale();
        let sign = if minor < 0 { "-" } else { "" };
        let m = minor.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            m / scale as u64,
            m % scale as u64,
            width = self.places() as usize
        )
    }

    /// The value for people: `£77,115` (pence only when not whole:
    /// `£1,250.50`), `12.5 kg` (no trailing zeros), with thousands
    /// separators.
    pub fn display(self, minor: i64) -> String {
        let scale = self.scale();
        let sign = if minor < 0 { "−" } else { "" };
        let m = minor.unsigned_abs();
        let whole = crate::numbers::thousands_unsigned(m / scale as u64);
        let frac = m % scale as u64;
        match self {
            Measure::Money if frac == 0 => format!("{sign}£{whole}"),
            Measure::Money => format!("{sign}£{whole}.{frac:02}"),
            Measure::Weight => {
                let frac = format!("{frac:03}");
                let frac = frac.trim_end_matches('0');
                if frac.is_empty() {
                    format!("{sign}{whole} kg")
                } else {
                    format!("{sign}{whole}.{frac} kg")
                }
            }
        }
    }

    /// The value as a JSON number in the unit (pounds, kilograms). An `f64`
    /// prints as the shortest decimal that reads back as itself, so a value
    /// of whole pence or grams (below 2^53 of them) prints exactly:
    /// 1250.5, 77115, 0.3.
    pub fn json_number(self, minor: i64) -> serde_json::Value {
        let v = minor as f64 / self.scale() as f64;
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            serde_json::Value::from(v as i64)
        } else {
            serde_json::Value::from(v)
        }
    }
}

/// A value an event carries: a whole number of its measure's smallest part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub measure: Measure,
    /// Pence or grams.
    pub minor: i64,
}

impl Amount {
    /// The value as files carry it (`Measure::canonical`).
    pub fn canonical(self) -> String {
        self.measure.canonical(self.minor)
    }

    /// The value for people (`Measure::display`).
    pub fn display(self) -> String {
        self.measure.display(self.minor)
    }
}

/// In JSON an amount is a number in its unit (pounds, kilograms).
impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.measure.json_number(self.minor).serialize(s)
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `1,250` → `1250`; `None` when the commas are not in groups of three
/// (`1,25` is a typing slip, not a number).
fn strip_separators(s: &str) -> Option<String> {
    if !s.contains(',') {
        return Some(s.to_string());
    }
    let mut groups = s.split(',');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    let mut out = first.to_string();
    for g in groups {
        if g.len() != 3 {
            return None;
        }
        out.push_str(g);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Measure::{Money, Weight};

    #[test]
    fn money_as_people_type_it() {
        assert_eq!(Money.parse_value("77115"), Ok(7_711_500));
        assert_eq!(Money.parse_value("1250.50"), Ok(125_050));
        assert_eq!(Money.parse_value("£1,250.50"), Ok(125_050));
        assert_eq!(Money.parse_value(" £63,864.5 "), Ok(6_386_450));
        assert_eq!(Money.parse_value("0.10"), Ok(10));
        assert_eq!(Money.parse_value(".5"), Ok(50));
        assert_eq!(Money.parse_value("12."), Ok(1200));
        assert_eq!(Money.parse_value("0"), Ok(0));
        assert_eq!(Money.parse_value("2.500"), Ok(250));
    }

    #[test]
    fn weight_as_people_type_it() {
        assert_eq!(Weight.parse_value("12.5"), Ok(12_500));
        assert_eq!(Weight.parse_value("0.250"), Ok(250));
        assert_eq!(Weight.parse_value("1,000"), Ok(1_000_000));
        assert_eq!(Weight.parse_value("12.5 kg"), Ok(12_500));
    }

    #[test]
    fn refusals_name_the_value_and_the_rule() {
        assert!(matches!(
            Money.parse_value("-5"),
            Err(MeasureError::Negative { .. })
        ));
        assert!(matches!(
            Money.parse_value("−5"),
            Err(MeasureError::Negative { .. })
        ));
        assert!(matches!(
            Money.parse_value("1.234"),
            Err(MeasureError::Places { places: 2, .. })
        ));
        assert!(matches!(
            Weight.parse_value("1.2345"),
            Err(MeasureError::Places { places: 3, .. })
        ));
        assert!(matches!(
            Weight.parse_value("£5"),
            Err(MeasureError::PoundsOnWeight { .. })
        ));
        for bad in [
            "", "abc", "1,25", "1.2.3", "£", "12e3", "1 000", ",100", "NaN", "0x10",
        ] {
            assert!(
                matches!(Money.parse_value(bad), Err(MeasureError::Invalid { .. })),
                "{bad:?}"
            );
        }
        assert!(matches!(
            Money.parse_value("99999999999999999999999"),
            Err(MeasureError::TooLarge { .. })
        ));
        assert!(matches!(
            Money.parse_value("10000000001"),
            Err(MeasureError::TooLarge { .. })
        ));
        assert_eq!(Money.parse_value("10000000000"), Ok(MAX_MINOR));
        assert_eq!(
            Money.parse_value("1.234").unwrap_err().to_string(),
            "\"1.234\" has too many decimal places (sum of money takes at most 2)"
        );
    }

    #[test]
    fn sums_are_exact() {
        let a = Money.parse_value("0.10").unwrap();
        let b = Money.parse_value("0.20").unwrap();
        assert_eq!(Money.display(a + b), "£0.30");
        assert_eq!(Money.canonical(a + b), "0.30");
        let cash: i64 = ["12000", "1250.50", "63864.50"]
            .iter()
            .map(|v| Money.parse_value(v).unwrap())
            .sum();
        assert_eq!(Money.display(cash), "£77,115");
    }

    #[test]
    fn written_for_files_and_for_people() {
        assert_eq!(Money.canonical(7_711_500), "77115.00");
        assert_eq!(Money.canonical(125_050), "1250.50");
        assert_eq!(Weight.canonical(12_500), "12.500");
        assert_eq!(Money.display(7_711_500), "£77,115");
        assert_eq!(Money.display(125_050), "£1,250.50");
        assert_eq!(Money.display(61_889_500), "£618,895");
        assert_eq!(Weight.display(12_500), "12.5 kg");
        assert_eq!(Weight.display(250), "0.25 kg");
        assert_eq!(Weight.display(3_000_000), "3,000 kg");
        for m in [0, 1, 10, 99, 100, 125_050, MAX_MINOR] {
            assert_eq!(Money.parse_value(&Money.canonical(m)), Ok(m));
            assert_eq!(Weight.parse_value(&Weight.canonical(m)), Ok(m));
        }
    }

    #[test]
    fn json_numbers_are_the_decimal() {
        assert_eq!(Money.json_number(125_050).to_string(), "1250.5");
        assert_eq!(Money.json_number(7_711_500).to_string(), "77115");
        assert_eq!(Money.json_number(30).to_string(), "0.3");
        assert_eq!(Weight.json_number(12_500).to_string(), "12.5");
    }

    #[test]
    fn measure_names() {
        assert_eq!(Measure::parse("money"), Ok(Money));
        assert_eq!(Measure::parse(" Weight "), Ok(Weight));
        assert!(Measure::parse("volume").is_err());
    }
}
