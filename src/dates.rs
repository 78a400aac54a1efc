//! Dates, ISO weeks and date ranges as the user types them, turned into
//! validated values. `today` is always passed in, never read here, so every
//! rule can be tested for any day.

use std::borrow::Cow;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DateError {
    #[error("{0} is not a valid date (expected YYYY-MM-DD, today or yesterday)")]
    Date(String),
    #[error("{0} is not a valid week (expected an ISO week such as 2017-W46)")]
    Week(String),
    #[error("{0} does not exist: {1} has {2} ISO weeks")]
    NoSuchWeek(String, i32, u32),
    /// A file's date cell: files also take day-first dates (`import_date`).
    #[error("{0} is not a valid date (expected YYYY-MM-DD or DD/MM/YYYY)")]
    AbsoluteDate(String),
    #[error("{0:?} is a relative date: a file's dates must be absolute, so it means the same on any day (expected YYYY-MM-DD)")]
    Relative(String),
    #[error("--from {from} is after --to {to}")]
    Reversed { from: NaiveDate, to: NaiveDate },
}

/// Parses `YYYY-MM-DD`, `today` or `yesterday`. Impossible dates such as
/// 2017-02-30 are refused, not rolled over.
pub fn parse_date(s: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    let t = s.trim();
    // One spelling only (chrono would also take "2017-1-5" and signed
    // years), read directly: an import parses a million of these.
    let b = t.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if shaped {
        let num =
            |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0'));
        return NaiveDate::from_ymd_opt(num(0..4) as i32, num(5..7), num(8..10))
            .ok_or_else(|| DateError::Date(s.into()));
    }
    match t.to_ascii_lowercase().as_str() {
        "today" => Ok(today),
        "yesterday" => today.pred_opt().ok_or_else(|| DateError::Date(s.into())),
        _ => Err(DateError::Date(s.into())),
    }
}

/// Parses `YYYY-MM-DD` only: `today` and `yesterday` are refused, because a
/// file read on another day would mean other dates (import). The import
/// rewrites a valid `DD/MM/YYYY` cell first (`import_date`), so the error
/// names both forms.
pub fn parse_absolute_date(s: &str) -> Result<NaiveDate, DateError> {
    if is_relative(s) {
        return Err(DateError::Relative(s.trim().to_string()));
    }
    // Any day will do: only a relative word would use it.
    parse_date(s, NaiveDate::MIN).map_err(|_| DateError::AbsoluteDate(s.to_string()))
}

fn is_relative(s: &str) -> bool {
    let t = s.trim();
    t.eq_ignore_ascii_case("today") || t.eq_ignore_ascii_case("yesterday")
}

/// `YYYY-MM-DD` without going through a formatter, for the paths that run
/// once per event, a million times (binding a date to a statement, hashing
/// an imported event); years 0 to 9999, which is all `parse_date` accepts.
pub fn iso_date(d: NaiveDate) -> [u8; 10] {
    let mut out = *b"0000-00-00";
    let mut put = |at: usize, width: usize, mut n: u32| {
        for i in (0..width).rev() {
            out[at + i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, d.year().clamp(0, 9999) as u32);
    put(5, 2, d.month());
    put(8, 2, d.day());
    out
}

/// Parses an ISO 8601 week, `YYYY-Www`, into its Monday and Sunday. The year
/// is the ISO week-year: 2020-W53 ends on 3 January 2021.
pub fn parse_week(s: &str) -> Result<(NaiveDate, NaiveDate), DateError> {
    let t = s.trim();
    let bad = || DateError::Week(s.to_string());
    let (year, week) = t.split_once(['-']).ok_or_else(bad)?;
    let week = week
        .strip_prefix('W')
        .or_else(|| week.strip_prefix('w'))
        .ok_or_else(bad)?;
    if year.len() != 4 || week.len() != 2 {
        return Err(bad());
    }
    let year: i32 = year.parse().map_err(|_| bad())?;
    let week: u32 = week.parse().map_err(|_| bad())?;
    if week == 0 {
        return Err(bad());
    }
    let monday = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(|| {
        let weeks = NaiveDate::from_ymd_opt(year, 12, 28)
            .map(|d| d.iso_week().week())
            .unwrap_or(52);
        DateError::NoSuchWeek(s.to_string(), year, weeks)
    })?;
    let sunday = monday + Days::new(6);
    Ok((monday, sunday))
}

/// An inclusive range of dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<DateRange, DateError> {
        if from > to {
            Err(DateError::Reversed { from, to })
        } else {
            Ok(DateRange { from, to })
        }
    }

    /// Every date in the range, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d <= to)
    }
}

/// Dates as the user gave them on the command line (`--week`, `--from`,
/// `--to`), resolved into at most one range. `None` means "no limit".
pub fn resolve_range(
    week: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<Option<DateRange>, DateError> {
    if let Some(w) = week {
        let (from, to) = parse_week(w)?;
        return Ok(Some(DateRange { from, to }));
    }
    let from = from.map(|s| parse_date(s, today)).transpose()?;
    let to = to.map(|s| parse_date(s, today)).transpose()?;
    match (from, to) {
        (None, None) => Ok(None),
        (Some(f), None) => DateRange::new(f, today.max(f)).map(Some),
        // The earliest date a record can carry, spelled so that stored
        // YYYY-MM-DD text still compares in date order.
        (None, Some(t)) => {
            DateRange::new(NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(t), t).map(Some)
        }
        (Some(f), Some(t)) => DateRange::new(f, t).map(Some),
    }
}

/// Replaces an import cell by `respelt(cell)` when that differs: how the
/// import applies `import_date` and `import_time` to a row.
pub fn respell(cell: &mut Option<String>, respelt: fn(&str) -> Cow<'_, str>) {
    if let Some(text) = cell {
        if let Cow::Owned(new) = respelt(text) {
            *text = new;
        }
    }
}

/// A date cell as a spreadsheet in a UK locale saves it, `DD/MM/YYYY`
/// (`13/11/2017`, also `3/1/2018`), rewritten as `YYYY-MM-DD` for the import's
/// validation; anything else is returned as it is, to be judged there. Day
/// first is the UK order and the only one read: `11/13/2017` (month first)
/// is never guessed, it is an impossible date. For imports only: the command
/// line takes ISO dates.
pub fn import_date(s: &str) -> Cow<'_, str> {
    let t = s.trim();
    let mut parts = t.split('/');
    let (Some(d), Some(m), Some(y), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Cow::Borrowed(s);
    };
    let digits = |p: &str, min: usize, max: usize| {
        (min..=max).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit())
    };
    if !(digits(d, 1, 2) && digits(m, 1, 2) && digits(y, 4, 4)) {
        return Cow::Borrowed(s);
    }
    match (y.parse(), m.parse(), d.parse()) {
        (Ok(y), Ok(m), Ok(d)) => match NaiveDate::from_ymd_opt(y, m, d) {
            Some(date) => Cow::Owned(date.format("%Y-%m-%d").to_string()),
            None => Cow::Borrowed(s),
        },
        _ => Cow::Borrowed(s),
    }
}

/// A time cell as spreadsheets save it, rewritten as `HH:MM` for the
/// import's validation: `09:10:00` (LibreOffice, Excel), `9:10:00 AM` and
/// `06:00:00 PM` (LibreOffice in an English locale), `9:10 AM`. The seconds
/// must be zero (opweek keeps minutes); anything else is returned as it is,
/// to be refused there with the expected form.
pub fn import_time(s: &str) -> Cow<'_, str> {
    let t = s.trim();
    let upper = t.to_ascii_uppercase();
    let (clock, half) = if let Some(c) = upper.strip_suffix("AM") {
        (c.trim_end(), Some(false))
    } else if let Some(c) = upper.strip_suffix("PM") {
        (c.trim_end(), Some(true))
    } else {
        (upper.as_str(), None)
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let number = |p: &str| -> Option<u32> {
        ((1..=2).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (h, m) = match parts.as_slice() {
        // Plain HH:MM is the import's own form: left to its rules.
        [_, _] if half.is_none() => return Cow::Borrowed(s),
        [h, m] => (number(h), number(m)),
        [h, m, sec] if sec.len() == 2 && number(sec) == Some(0) => (number(h), number(m)),
        _ => return Cow::Borrowed(s),
    };
    let (Some(mut h), Some(m)) = (h, m) else {
        return Cow::Borrowed(s);
    };
    if m > 59 {
        return Cow::Borrowed(s);
    }
    match half {
        Some(pm) if (1..=12).contains(&h) => h = h % 12 + if pm { 12 } else { 0 },
        Some(_) => return Cow::Borrowed(s),
        None if h > 23 => return Cow::Borrowed(s),
        None => {}
    }
    Cow::Owned(format!("{h:02}:{m:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn dates() {
        let today = d("2017-11-15");
        assert_eq!(parse_date("2017-11-13", today), Ok(d("2017-11-13")));
        assert_eq!(parse_date("today", today), Ok(today));
        assert_eq!(parse_date("yesterday", today), Ok(d("2017-11-14")));
        assert_eq!(parse_date("2016-02-29", today), Ok(d("2016-02-29")));
        for bad in [
            "2017-02-30",
            "2017-02-29",
            "2017-13-01",
            "17-11-13",
            "2017-1-5",
            "13/11/2017",
            "",
        ] {
            assert!(parse_date(bad, today).is_err(), "{bad} accepted");
        }
        assert_eq!(
            parse_date("2017-02-30", today).unwrap_err().to_string(),
            "2017-02-30 is not a valid date (expected YYYY-MM-DD, today or yesterday)"
        );
    }

    #[test]
    fn files_take_absolute_dates_only() {
        assert_eq!(parse_absolute_date("2017-11-13"), Ok(d("2017-11-13")));
        for relative in ["today", " Yesterday "] {
            assert_eq!(
                parse_absolute_date(relative),
                Err(DateError::Relative(relative.trim().into()))
            );
        }
        assert_eq!(
            parse_absolute_date("2017-02-30"),
            Err(DateError::AbsoluteDate("2017-02-30".into()))
        );
    }

    #[test]
    fn dates_are_written_as_iso() {
        for s in ["2017-11-13", "0001-01-01", "9999-12-31", "2020-02-29"] {
            assert_eq!(std::str::from_utf8(&iso_date(d(s))).unwrap(), s);
        }
    }

    #[test]
    fn iso_week_edges() {
        assert_eq!(
            parse_week("2017-W46"),
            Ok((d("2017-11-13"), d("2017-11-19")))
        );
        assert_eq!(
            parse_week("2020-W53"),
            Ok((d("2020-12-28"), d("2021-01-03")))
        );
        assert_eq!(
            parse_week("2021-W01"),
            Ok((d("2021-01-04"), d("2021-01-10")))
        );
        assert_eq!(
            parse_week("2015-W01"),
            Ok((d("2014-12-29"), d("2015-01-04")))
        );
        assert_eq!(
            parse_week("2017-W53").unwrap_err().to_string(),
            "2017-W53 does not exist: 2017 has 52 ISO weeks"
        );
        for bad in [
            "2017-W54", "2017-W00", "2017-46", "2017W46", "2017-W4", "W46",
        ] {
            assert!(parse_week(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn ranges() {
        let today = d("2017-11-30");
        assert_eq!(resolve_range(None, None, None, today), Ok(None));
        let r = resolve_range(None, Some("2017-11-13"), Some("2017-11-19"), today)
            .unwrap()
            .unwrap();
        assert_eq!(r.days().count(), 7);
        assert!(resolve_range(None, Some("2017-11-19"), Some("2017-11-13"), today).is_err());
        let open = resolve_range(None, Some("2017-11-13"), None, today)
            .unwrap()
            .unwrap();
        assert_eq!(open.to, today);
        let w = resolve_range(Some("2017-W46"), None, None, today)
            .unwrap()
            .unwrap();
        assert_eq!((w.from, w.to), (d("2017-11-13"), d("2017-11-19")));
    }

    #[test]
    fn spreadsheet_dates_are_day_first() {
        assert_eq!(import_date("13/11/2017"), "2017-11-13");
        assert_eq!(import_date("3/1/2018"), "2018-01-03");
        assert_eq!(import_date("2017-11-13"), "2017-11-13");
        // Month first is never guessed: these stay as they are, and the
        // import refuses them.
        for kept in [
            "11/13/2017",
            "31/02/2017",
            "13/11/17",
            "13-11-2017",
            "1/2/3/2017",
            "x",
        ] {
            assert_eq!(import_date(kept), kept);
        }
    }

    #[test]
    fn spreadsheet_times_lose_zero_seconds() {
        for (given, read) in [
            ("09:10:00", "09:10"),
            ("9:10:00", "09:10"),
            ("6:00:00 AM", "06:00"),
            ("06:00:00 PM", "18:00"),
            ("12:00:00 AM", "00:00"),
            ("12:30:00 PM", "12:30"),
            ("9:10 pm", "21:10"),
            ("23:59:00", "23:59"),
        ] {
            assert_eq!(import_time(given), read, "{given}");
        }
        for kept in [
            "09:10",
            "09:10:30",
            "13:00:00 PM",
            "0:10 AM",
            "24:00:00",
            "9:61:00",
            "noon",
        ] {
            assert_eq!(import_time(kept), kept);
        }
    }
}
