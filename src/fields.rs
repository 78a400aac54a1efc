//! An event's fields, defined once. Each entry of `FIELDS` names a field as
//! the export's CSV header and the history spell it, says which column of
//! the `event` table holds it, what kind of value it is, and how it is
//! written as text. The CSV header, the columns a statement reads and
//! binds, the reader of a row, the import's column map, an `EventInput`, the
//! history's account of an amendment and the chain's digest all follow from
//! this table, so a new field is one entry here plus its tests.

use std::borrow::Cow;

use crate::model::{format_time, Event};

/// One of an event's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Id,
    Operation,
    Type,
    Date,
    Time,
    Count,
    Value,
    Force,
    Team,
    Area,
    Officer,
    Reference,
    Detail,
    Partner,
    Outcome,
    Notes,
    RecordedBy,
    RecordedAt,
    Status,
}

/// What kind of value a field holds, which says how it is parsed, stored,
/// read back and written as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The event's UUID (a 16-byte BLOB in the table).
    Id,
    /// The operation's code (its integer key in the table).
    Operation,
    /// The activity type's key (its integer key in the table).
    Type,
    /// `YYYY-MM-DD`.
    Date,
    /// `HH:MM`, optional.
    Time,
    /// A whole number.
    Count,
    /// Money or weight, in the type's measure (`measure.rs`), optional.
    Value,
    /// Free text, optional: an empty value is none.
    Text,
    /// Text that is always there (who recorded it, when).
    Required,
    /// `active` or `voided`.
    Status,
}

/// A field's definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Def {
    pub field: Field,
    /// The export's column header, the history's and the JSON's key.
    pub name: &'static str,
    /// The `event` table's column.
    pub column: &'static str,
    pub kind: Kind,
    /// How the chain's digest takes the field.
    pub hashed: Hashed,
}

/// How an event's digest (`chain.rs`) takes a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hashed {
    /// Always, as its text (empty for none).
    Always,
    /// Only when it has a value, as `name:text`: a field added after
    /// databases were in the field, so that the events they hold, which have
    /// no such value, keep the digest their history recorded.
    WhenGiven,
}

const fn def(field: Field, name: &'static str, column: &'static str, kind: Kind) -> Def {
    Def {
        field,
        name,
        column,
        kind,
        hashed: Hashed::Always,
    }
}

const fn added(field: Field, name: &'static str, column: &'static str, kind: Kind) -> Def {
    Def {
        hashed: Hashed::WhenGiven,
        ..def(field, name, column, kind)
    }
}

/// How many fields an event has.
pub const N: usize = 19;

/// Every field, in the export's column order.
pub const FIELDS: [Def; N] = [
    def(Field::Id, "id", "uuid", Kind::Id),
    def(Field::Operation, "operation", "op_id", Kind::Operation),
    def(Field::Type, "type", "type_id", Kind::Type),
    def(Field::Date, "date", "date", Kind::Date),
    def(Field::Time, "time", "time", Kind::Time),
    def(Field::Count, "count", "count", Kind::Count),
    added(Field::Value, "value", "value", Kind::Value),
    def(Field::Force, "force", "force", Kind::Text),
    def(Field::Team, "team", "team", Kind::Text),
    def(Field::Area, "area", "area", Kind::Text),
    def(Field::Officer, "officer", "officer", Kind::Text),
    def(Field::Reference, "reference", "reference", Kind::Text),
    def(Field::Detail, "detail", "detail", Kind::Text),
    def(Field::Partner, "partner", "partner", Kind::Text),
    def(Field::Outcome, "outcome", "outcome", Kind::Text),
    def(Field::Notes, "notes", "notes", Kind::Text),
    def(
        Field::RecordedBy,
        "recorded_by",
        "recorded_by",
        Kind::Required,
    ),
    def(
        Field::RecordedAt,
        "recorded_at",
        "recorded_at",
        Kind::Required,
    ),
    def(Field::Status, "status", "status", Kind::Status),
];

/// The export's header: every field's name, in order.
pub const HEADER: [&str; N] = {
    let mut names = [""; N];
    let mut i = 0;
    while i < N {
        names[i] = FIELDS[i].name;
        i += 1;
    }
    names
};

impl Field {
    /// The field's position in `FIELDS` (and in a record).
    pub const fn index(self) -> usize {
        self as usize
    }

    pub const fn def(self) -> &'static Def {
        &FIELDS[self.index()]
    }

    pub const fn name(self) -> &'static str {
        self.def().name
    }

    /// The field named `name` in a header (any case).
    pub fn from_name(name: &str) -> Option<Field> {
        FIELDS
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
            .map(|d| d.field)
    }

    /// The event's free-text value of a `Kind::Text` or `Kind::Required`
    /// field, as stored.
    pub fn text_of(self, e: &Event) -> Option<&str> {
        match self {
            Field::Force => e.force.as_deref(),
            Field::Team => e.team.as_deref(),
            Field::Area => e.area.as_deref(),
            Field::Officer => e.officer.as_deref(),
            Field::Reference => e.reference.as_deref(),
            Field::Detail => e.detail.as_deref(),
            Field::Partner => e.partner.as_deref(),
            Field::Outcome => e.outcome.as_deref(),
            Field::Notes => e.notes.as_deref(),
            Field::RecordedBy => Some(&e.recorded_by),
            Field::RecordedAt => Some(&e.recorded_at),
            Field::Operation => Some(&e.operation),
            Field::Type => Some(&e.type_key),
            Field::Id | Field::Date | Field::Time | Field::Count | Field::Value | Field::Status => {
                None
            }
        }
    }

    /// Where the event keeps a `Kind::Text` field's value.
    pub fn optional_text_mut(self, e: &mut Event) -> Option<&mut Option<String>> {
        Some(match self {
            Field::Force => &mut e.force,
            Field::Team => &mut e.team,
            Field::Area => &mut e.area,
            Field::Officer => &mut e.officer,
            Field::Reference => &mut e.reference,
            Field::Detail => &mut e.detail,
            Field::Partner => &mut e.partner,
            Field::Outcome => &mut e.outcome,
            Field::Notes => &mut e.notes,
            _ => return None,
        })
    }

    /// The value as export cells carry it (empty for none): the one text
    /// form that export, import, the history's changes and the chain's
    /// digest share.
    pub fn text(self, e: &Event) -> Cow<'_, str> {
        match self {
            Field::Id => Cow::Owned(e.id.to_string()),
            Field::Date => Cow::Owned(e.date.to_string()),
            Field::Time => Cow::Owned(e.time.map(format_time).unwrap_or_default()),
            Field::Count => Cow::Owned(e.count.to_string()),
            Field::Value => Cow::Owned(e.value.map(|v| v.canonical()).unwrap_or_default()),
            Field::Status => Cow::Borrowed(e.status.as_str()),
            _ => Cow::Borrowed(self.text_of(e).unwrap_or("")),
        }
    }

    /// Appends the value's text form (as `text` gives it) to `buf` without
    /// allocating: the chain hashes every imported event this way.
    pub fn write_text(self, e: &Event, buf: &mut Vec<u8>) {
        use std::io::Write as _;
        match self {
            Field::Id => {
                let mut id = [0u8; uuid::fmt::Hyphenated::LENGTH];
                buf.extend_from_slice(e.id.hyphenated().encode_lower(&mut id).as_bytes());
            }
            Field::Date => buf.extend_from_slice(&crate::dates::iso_date(e.date)),
            Field::Time => {
                if let Some(t) = e.time {
                    buf.extend_from_slice(&crate::model::hh_mm(t));
                }
            }
            // Writing into a vector cannot fail.
            Field::Count => {
                let _ = write!(buf, "{}", e.count);
            }
            Field::Value => {
                if let Some(v) = e.value {
                    buf.extend_from_slice(v.canonical().as_bytes());
                }
            }
            Field::Status => buf.extend_from_slice(e.status.as_str().as_bytes()),
            _ => buf.extend_from_slice(self.text_of(e).unwrap_or("").as_bytes()),
        }
    }
}

/// An event as export cells, in `FIELDS` order.
pub fn record(e: &Event) -> [String; N] {
    FIELDS.map(|d| d.field.text(e).into_owned())
}

/// The history's account of a change from `old` to `new`: `{"field":
/// {"old": .., "new": ..}}` for each field that differs, values as exported
/// (empty = none). `check` undoes changes from this form.
pub fn changes(old: &Event, new: &Event) -> serde_json::Map<String, serde_json::Value> {
    FIELDS
        .iter()
        .map(|d| (d.name, d.field.text(old), d.field.text(new)))
        .filter(|(_, a, b)| a != b)
        .map(|(name, a, b)| (name.to_string(), serde_json::json!({"old": a, "new": b})))
        .collect()
}

/// An event's fields as text, as a user gave them (on the command line, in
/// a CSV row, in a spreadsheet cell): one optional value per field. `None`,
/// or blank, means not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventInput {
    cells: [Option<String>; N],
}

impl EventInput {
    pub fn new() -> EventInput {
        EventInput::default()
    }

    /// A stored event as input, every field given: the starting point of an
    /// amendment.
    pub fn from_event(e: &Event) -> EventInput {
        EventInput {
            cells: record(e).map(Some),
        }
    }

    pub fn get(&self, f: Field) -> Option<&str> {
        self.cells[f.index()].as_deref()
    }

    /// The value given, if it is not blank.
    pub fn given(&self, f: Field) -> Option<&str> {
        self.get(f).filter(|s| !s.trim().is_empty())
    }

    pub fn set(&mut self, f: Field, v: impl Into<String>) {
        self.cells[f.index()] = Some(v.into());
    }

    /// Sets the field when `v` is given; leaves it as it is otherwise.
    pub fn set_opt(&mut self, f: Field, v: Option<impl Into<String>>) {
        if let Some(v) = v {
            self.set(f, v);
        }
    }

    /// The field's cell, to rewrite in place.
    pub fn cell_mut(&mut self, f: Field) -> &mut Option<String> {
        &mut self.cells[f.index()]
    }

    pub fn take(&mut self, f: Field) -> Option<String> {
        self.cells[f.index()].take()
    }

    pub fn with(mut self, f: Field, v: impl Into<String>) -> EventInput {
        self.set(f, v);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_field_order() {
        for (i, d) in FIELDS.iter().enumerate() {
            assert_eq!(d.field.index(), i, "{}", d.name);
            assert_eq!(Field::from_name(d.name), Some(d.field));
            assert_eq!(Field::from_name(&d.name.to_uppercase()), Some(d.field));
        }
        assert_eq!(
            HEADER.join(","),
            "id,operation,type,date,time,count,value,force,team,area,officer,reference,detail,partner,outcome,notes,recorded_by,recorded_at,status"
        );
        assert_eq!(Field::from_name("colour"), None);
    }

    fn sample() -> Event {
        Event {
            id: uuid::Uuid::parse_str("0190a3c4-1d2e-7f00-8abc-0123456789ab").unwrap(),
            operation: "nov17-mersey".into(),
            type_key: "warrant".into(),
            date: chrono::NaiveDate::from_ymd_opt(2017, 11, 14).unwrap(),
            time: chrono::NaiveTime::from_hms_opt(7, 5, 0),
            count: 12,
            value: None,
            force: Some("Merseyside Police".into()),
            team: None,
            area: Some("Wirral".into()),
            officer: Some("4471".into()),
            reference: None,
            detail: Some("making indecent images of children".into()),
            partner: None,
            outcome: None,
            notes: Some("said \"no\"".into()),
            recorded_by: "analyst".into(),
            recorded_at: "2017-11-14T10:00:00Z".into(),
            status: crate::model::Status::Voided,
        }
    }

    #[test]
    fn text_and_written_text_agree() {
        let mut e = sample();
        for time in [e.time, None] {
            e.time = time;
            for d in FIELDS {
                let mut buf = Vec::new();
                d.field.write_text(&e, &mut buf);
                assert_eq!(
                    String::from_utf8(buf).unwrap(),
                    d.field.text(&e),
                    "{}",
                    d.name
                );
            }
        }
        assert_eq!(
            record(&sample())[..7],
            [
                "0190a3c4-1d2e-7f00-8abc-0123456789ab",
                "nov17-mersey",
                "warrant",
                "2017-11-14",
                "07:05",
                "12",
                ""
            ]
        );
    }

    #[test]
    fn input_round_trips_an_event() {
        let input = EventInput::from_event(&sample());
        assert_eq!(input.get(Field::Area), Some("Wirral"));
        assert_eq!(input.get(Field::Team), Some(""));
        assert_eq!(input.given(Field::Team), None);
        assert_eq!(input.get(Field::Status), Some("voided"));
    }
}
