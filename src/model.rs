//! The domain: operations, activity types and events, and the rules a value
//! must meet before it is stored. Every entry point that accepts user data
//! (`log`, `amend`, `import`, `op add`, `type add`) validates through these
//! functions, so one rule is written once and worded once.

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use thiserror::Error;
use uuid::Uuid;

use crate::measure::{Amount, Measure};

/// A value the user gave that the domain refuses. The message names the value
/// and what was expected, so it can be shown as it is.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ValidationError {
    #[error("{0:?} is not a valid count (expected a whole number of 1 or more)")]
    Count(String),
    #[error("{0} is too large a count for one event (at most 1,000,000; record a larger seizure as several events)")]
    CountTooLarge(String),
    #[error("{0:?} is not a valid time (expected HH:MM, 24-hour)")]
    Time(String),
    #[error("{0:?} is not a valid {1} (expected lower-case letters, digits and single hyphens, such as {2})")]
    Key(String, &'static str, &'static str),
    #[error("{0:?} is not a valid event id (expected a UUID such as 015fb413-d700-71f2-a652-c83c3459d7ce)")]
    EventId(String),
    #[error("{0:?} is not a valid event id (expected the id `log` printed, the short id `list` shows, or 8 or more characters from the start or end of an id)")]
    EventRef(String),
    #[error("{0:?} is not a valid status (expected active or voided)")]
    Status(String),
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} contains a NUL character (\\0), which opweek does not store: remove it")]
    Nul { field: &'static str },
    #[error("{field} is too long ({len} characters; at most {max})")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("end date {end} is before start date {start}")]
    EndBeforeStart { start: NaiveDate, end: NaiveDate },
    #[error("{date} is outside operation {code} ({start} to {end})")]
    OutsideOperation {
        date: NaiveDate,
        code: String,
        start: NaiveDate,
        end: NaiveDate,
    },
}

/// The longest free-text value accepted, in characters. Generous for notes,
/// but a bound, so a pasted file cannot end up in one field.
pub const MAX_TEXT: usize = 10_000;

/// The largest count one event may carry. A bound keeps every sum far from
/// overflow (a million events at the maximum total 10^12, where `i64` holds
/// 9.2 × 10^18) and catches a slipped key (`--count 10000000`).
pub const MAX_COUNT: i64 = 1_000_000;

/// Which operations a query covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum OpSelection {
    #[default]
    All,
    One(String),
    Campaign(String),
}

/// Exact matches on an event's fields (`--team`, `--area`, `--officer`,
/// `--ref`), one type for `list`, `export` and `report`: values are trimmed
/// as stored values are (`clean_text`), so `--area " Wirral "` finds what
/// `log --area Wirral` stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub officer: Option<String>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl FieldFilter {
    /// The filters as typed; a filter given as only spaces is refused (it
    /// would match nothing, since blank values are stored as none).
    pub fn new(
        team: Option<&str>,
        area: Option<&str>,
        officer: Option<&str>,
        reference: Option<&str>,
    ) -> Result<FieldFilter, ValidationError> {
        let one = |field: &'static str, v: Option<&str>| {
            v.map(|v| clean_text(field, Some(v))?.ok_or(ValidationError::Empty { field }))
                .transpose()
        };
        Ok(FieldFilter {
            team: one("--team", team)?,
            area: one("--area", area)?,
            officer: one("--officer", officer)?,
            reference: one("--ref", reference)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.flags().next().is_none()
    }

    /// The filters given, as (flag, value): `--team "SOU Team 1"`.
    pub fn flags(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("--team", &self.team),
            ("--area", &self.area),
            ("--officer", &self.officer),
            ("--ref", &self.reference),
        ]
        .into_iter()
        .filter_map(|(flag, v)| v.as_deref().map(|v| (flag, v)))
    }
}

/// What a report breaks its tallies down by, besides the activity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    Type,
    Day,
    Force,
    Team,
    Area,
    Officer,
    Detail,
    Outcome,
    Partner,
}

impl Dimension {
    /// Every dimension, in the order `--by` lists them.
    pub const ALL: [Dimension; 9] = [
        Dimension::Type,
        Dimension::Day,
        Dimension::Force,
        Dimension::Team,
        Dimension::Area,
        Dimension::Officer,
        Dimension::Detail,
        Dimension::Outcome,
        Dimension::Partner,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Dimension::Type => "type",
            Dimension::Day => "day",
            Dimension::Force => "force",
            Dimension::Team => "team",
            Dimension::Area => "area",
            Dimension::Officer => "officer",
            Dimension::Detail => "detail",
            Dimension::Outcome => "outcome",
            Dimension::Partner => "partner",
        }
    }
}

/// One week of action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operation {
    pub code: String,
    pub title: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub force: Option<String>,
    pub unit: Option<String>,
    pub campaign: Option<String>,
    pub notes: Option<String>,
}

impl Operation {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// Refuses a date outside the operation's dates.
    pub fn check_date(&self, date: NaiveDate) -> Result<(), ValidationError> {
        if self.contains(date) {
            Ok(())
        } else {
            Err(ValidationError::OutsideOperation {
                date,
                code: self.code.clone(),
                start: self.start,
                end: self.end,
            })
        }
    }
}

/// A kind of activity that is counted, with the words the briefing uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityType {
    pub key: String,
    pub label: String,
    pub noun: String,
    pub plural: String,
    pub phrase: String,
    pub retired: bool,
    /// What the type measures besides its count, if anything.
    pub measure: Option<Measure>,
}

/// Whether an event counts in tallies. Events are voided, never deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Voided,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Voided => "voided",
        }
    }

    pub fn parse(s: &str) -> Result<Status, ValidationError> {
        match s.trim() {
            "active" | "" => Ok(Status::Active),
            "voided" => Ok(Status::Voided),
            other => Err(ValidationError::Status(other.to_string())),
        }
    }
}

/// One recorded activity, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: Uuid,
    pub operation: String,
    #[serde(rename = "type")]
    pub type_key: String,
    pub date: NaiveDate,
    #[serde(serialize_with = "serialize_time")]
    pub time: Option<NaiveTime>,
    pub count: i64,
    /// Money or weight, for a type with a measure.
    pub value: Option<Amount>,
    pub force: Option<String>,
    pub team: Option<String>,
    pub area: Option<String>,
    pub officer: Option<String>,
    pub reference: Option<String>,
    pub detail: Option<String>,
    pub partner: Option<String>,
    pub outcome: Option<String>,
    pub notes: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    pub status: Status,
}

fn serialize_time<S: serde::Serializer>(t: &Option<NaiveTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&format_time(*t)),
        None => s.serialize_none(),
    }
}

/// One entry of the append-only history chain: a write to events (`log`,
/// `import`, `amend`, `void`), or a change to an operation or an activity
/// type (`op-add`, `op-edit`, `sign-off`, `reopen`, `type-add`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub seq: i64,
    /// The event, for an entry about events (nil otherwise).
    pub event_id: Uuid,
    /// `op:CODE` or `type:KEY` for an entry about an operation or a type;
    /// `None` for an entry about events.
    pub subject: Option<String>,
    /// `amend` or `void`.
    pub action: String,
    pub changed_by: String,
    pub changed_at: String,
    pub reason: String,
    /// JSON: {"field": {"old": "..", "new": ".."}}, values as exported.
    pub changes: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Parses a count given as text: a whole number from 1 to `MAX_COUNT`.
pub fn parse_count(s: &str) -> Result<i64, ValidationError> {
    let t = s.trim();
    match t.parse::<i64>() {
        Ok(n) if (1..=MAX_COUNT).contains(&n) => Ok(n),
        Ok(n) if n > MAX_COUNT => Err(ValidationError::CountTooLarge(t.to_string())),
        // Digits beyond i64 are a count too large, not a malformed one.
        Err(_) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
            Err(ValidationError::CountTooLarge(t.to_string()))
        }
        _ => Err(ValidationError::Count(s.to_string())),
    }
}

/// Parses `HH:MM` (24-hour). Seconds are not recorded: activity logs are kept
/// to the minute.
pub fn parse_time(s: &str) -> Result<NaiveTime, ValidationError> {
    let t = s.trim();
    if t.len() != 5 {
        return Err(ValidationError::Time(s.to_string()));
    }
    NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| ValidationError::Time(s.to_string()))
}

pub fn format_time(t: NaiveTime) -> String {
    use chrono::Timelike;
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `HH:MM` without going through a formatter, for the paths that run once
/// per event, a million times (binding a time to a statement, hashing an
/// imported event); the same text as `format_time`.
pub fn hh_mm(t: NaiveTime) -> [u8; 5] {
    use chrono::Timelike;
    let (h, m) = (t.hour() as u8, t.minute() as u8);
    [
        b'0' + h / 10,
        b'0' + h % 10,
        b':',
        b'0' + m / 10,
        b'0' + m % 10,
    ]
}

/// Parses an event id (a UUID, hyphenated or not).
pub fn parse_event_id(s: &str) -> Result<Uuid, ValidationError> {
    Uuid::try_parse(s.trim()).map_err(|_| ValidationError::EventId(s.to_string()))
}

/// How a user names an event on the command line: its full id, or 8 or more
/// hex digits from its start or its end. `list` shows the end (`short_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventRef {
    Id(Uuid),
    /// Lower-case hex digits, hyphens removed, 8 to 31 of them: the start
    /// or the end of an id.
    Partial(String),
}

/// The short id `list` shows: an id's last 12 hex digits. Ids are UUID v7,
/// whose first digits are the time they were made, so the events logged in
/// the same minute share their first 8; the last 12 are random (48 bits: a
/// clash is unlikely even among a million events, and then the user is
/// asked for more).
pub fn short_id(id: &Uuid) -> String {
    let hex = id.simple().to_string();
    hex[hex.len() - 12..].to_string()
}

pub fn parse_event_ref(s: &str) -> Result<EventRef, ValidationError> {
    if let Ok(id) = parse_event_id(s) {
        return Ok(EventRef::Id(id));
    }
    let hex: String = s.trim().chars().filter(|c| *c != '-').collect();
    if (8..32).contains(&hex.len()) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(EventRef::Partial(hex.to_ascii_lowercase()))
    } else {
        Err(ValidationError::EventRef(s.to_string()))
    }
}

/// Checks a kebab-case key: an operation code or an activity type key.
fn check_key(
    s: &str,
    what: &'static str,
    example: &'static str,
) -> Result<String, ValidationError> {
    let ok = !s.is_empty()
        && s.len() <= 40
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if ok {
        Ok(s.to_string())
    } else {
        Err(ValidationError::Key(s.to_string(), what, example))
    }
}

pub fn check_operation_code(s: &str) -> Result<String, ValidationError> {
    check_key(s, "operation code", "nov17-mersey")
}

pub fn check_type_key(s: &str) -> Result<String, ValidationError> {
    check_key(s, "activity type key", "knife-surrender")
}

/// A free-text value as given, without the spaces around it (so `--area
/// "  Wirral  "` tallies with `Wirral`): kept verbatim inside (quotes,
/// newlines and all, because evidential text must survive exactly), except
/// that a blank value means "none" and a huge one is refused. Every text
/// field of every command passes through here, or `required_text`.
pub fn clean_text(field: &'static str, v: Option<&str>) -> Result<Option<String>, ValidationError> {
    clean_owned(field, v.map(str::to_string))
}

/// `clean_text` for a value already owned: the same rules, no copy.
pub fn clean_owned(
    field: &'static str,
    v: Option<String>,
) -> Result<Option<String>, ValidationError> {
    match v {
        Some(s) if !s.trim().is_empty() => {
            // Copied only when there are spaces to drop: most values have none.
            let s = if s.trim().len() == s.len() {
                s
            } else {
                s.trim().to_string()
            };
            // A NUL ends a string in C and is refused by PostgreSQL's text:
            // stored on one engine, it could not be moved to the other.
            if s.contains('\0') {
                return Err(ValidationError::Nul { field });
            }
            // Bytes bound characters from above: count only long values.
            let len = if s.len() <= MAX_TEXT {
                0
            } else {
                s.chars().count()
            };
            if len > MAX_TEXT {
                Err(ValidationError::TooLong {
                    field,
                    len,
                    max: MAX_TEXT,
                })
            } else {
                Ok(Some(s))
            }
        }
        _ => Ok(None),
    }
}

/// Like `clean_text`, for a field that must have a value; surrounding
/// spaces of a short label or title are dropped.
pub fn required_text(field: &'static str, v: &str) -> Result<String, ValidationError> {
    clean_text(field, Some(v.trim()))?.ok_or(ValidationError::Empty { field })
}

/// A new event id. Version 7 UUIDs are time-ordered, so events logged in
/// sequence land next to each other in the id index (fast bulk loads), and
/// they stay globally unique so exports from several forces merge.
pub fn new_event_id() -> Uuid {
    Uuid::now_v7()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hh_mm_writes_what_format_time_writes() {
        for (h, m) in [(0, 0), (7, 5), (9, 59), (10, 0), (23, 59)] {
            let t = NaiveTime::from_hms_opt(h, m, 0).unwrap();
            assert_eq!(std::str::from_utf8(&hh_mm(t)).unwrap(), format_time(t));
        }
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("1"), Ok(1));
        assert_eq!(parse_count(" 80 "), Ok(80));
        assert_eq!(parse_count("1000000"), Ok(MAX_COUNT));
        for big in ["1000001", "9223372036854775807", "99999999999999999999"] {
            assert!(
                matches!(parse_count(big), Err(ValidationError::CountTooLarge(_))),
                "{big}"
            );
        }
        for bad in ["0", "-3", "two", "1.5", ""] {
            assert!(parse_count(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(
            parse_count("0").unwrap_err().to_string(),
            "\"0\" is not a valid count (expected a whole number of 1 or more)"
        );
    }

    #[test]
    fn times() {
        assert_eq!(format_time(parse_time("09:05").unwrap()), "09:05");
        for bad in ["9:05", "24:00", "12:60", "noon", "12:00:00"] {
            assert!(parse_time(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn event_refs() {
        let full = "015fb413-d700-71f2-a652-c83c3459d7ce";
        assert!(matches!(parse_event_ref(full), Ok(EventRef::Id(_))));
        assert_eq!(
            parse_event_ref("015FB413"),
            Ok(EventRef::Partial("015fb413".into()))
        );
        assert_eq!(
            parse_event_ref("015fb413-d7"),
            Ok(EventRef::Partial("015fb413d7".into()))
        );
        for bad in ["015fb41", "xyz12345", ""] {
            assert!(parse_event_ref(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn keys() {
        assert!(check_type_key("knife-surrender").is_ok());
        assert!(check_operation_code("nov17-mersey").is_ok());
        for bad in ["Knife", "a--b", "-a", "a-", "a b", "", "a_b"] {
            assert!(check_type_key(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn text_is_kept_verbatim_and_bounded() {
        assert_eq!(clean_text("notes", Some("  ")), Ok(None));
        assert_eq!(clean_text("notes", Some(" a\n")), Ok(Some("a".into())));
        assert_eq!(
            clean_text("notes", Some(" a \"b\"\n c ")),
            Ok(Some("a \"b\"\n c".into()))
        );
        assert_eq!(required_text("title", " A "), Ok("A".into()));
        let long = "x".repeat(MAX_TEXT + 1);
        assert!(clean_text("notes", Some(&long)).is_err());
        assert!(required_text("title", " ").is_err());
    }

    #[test]
    fn field_filters_are_trimmed_and_never_blank() {
        let f = FieldFilter::new(Some(" SOU Team 1 "), None, Some("4127"), None).unwrap();
        assert_eq!(f.team.as_deref(), Some("SOU Team 1"));
        let flags: Vec<_> = f.flags().collect();
        assert_eq!(flags, [("--team", "SOU Team 1"), ("--officer", "4127")]);
        assert!(FieldFilter::default().is_empty());
        assert_eq!(
            FieldFilter::new(None, Some("  "), None, None)
                .unwrap_err()
                .to_string(),
            "--area must not be empty"
        );
    }

    #[test]
    fn operation_dates() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let op = Operation {
            code: "x".into(),
            title: "X".into(),
            start: d("2017-11-13"),
            end: d("2017-11-19"),
            force: None,
            unit: None,
            campaign: None,
            notes: None,
        };
        assert!(op.check_date(d("2017-11-13")).is_ok());
        assert!(op.check_date(d("2017-11-19")).is_ok());
        assert_eq!(
            op.check_date(d("2017-11-20")).unwrap_err().to_string(),
            "2017-11-20 is outside operation x (2017-11-13 to 2017-11-19)"
        );
    }
}
