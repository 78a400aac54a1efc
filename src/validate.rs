//! Turns an event as typed (on the `log` command line, in an `amend`, or as a
//! CSV row for `import`) into a valid `Event`, against the operations and
//! activity types that exist. Pure: the caller loads the lists once, so a
//! million-row import validates without a query per row, and `log` and
//! `import` cannot disagree about a rule.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, NaiveDate};

use crate::dates::{parse_absolute_date, parse_date};
use crate::fields::{Field, Kind, FIELDS};
use crate::measure::Amount;
use crate::model::{self, check_operation_code, ActivityType, Event, Operation, Status};

pub use crate::fields::EventInput;

/// A refused value and the column (export header name) it was given in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FieldError {}

fn field_err(field: &'static str, message: impl ToString) -> FieldError {
    FieldError {
        field,
        message: message.to_string(),
    }
}

/// What a new event takes when the input leaves a field out.
#[derive(Debug, Clone)]
pub struct Defaults {
    /// Which retired types an event may have.
    pub retired: RetiredTypes,
    pub today: NaiveDate,
    /// Used when the input has no date (`log` without `--date`).
    pub date: Option<NaiveDate>,
    /// Used when the input names no operation (`import --op`).
    pub operation: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// A retired type keeps its events but takes no new ones: which events
/// count as new depends on the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetiredTypes {
    /// `log`: every event is new.
    Refuse,
    /// `amend`: the event may keep the type it has (a correction to an
    /// existing record), but not move to another retired one.
    Keep(String),
    /// `import`: accepted here, because only the store knows whether the
    /// row is already stored (then skipped) or new (then refused; see
    /// `import/mod.rs`).
    Accept,
}

/// Why an event of retired type `key` is refused.
pub fn retired_message(key: &str) -> String {
    format!("activity type {key:?} is retired and takes no new events")
}

/// A value given for an event of type `t`, in the type's measure.
fn parse_value(t: &ActivityType, v: &str) -> Result<Option<Amount>, FieldError> {
    let Some(measure) = t.measure else {
        return Err(field_err(
            "value",
            format!(
                "{v:?} is a value, but activity type {:?} measures no money or weight \
                 (give it a measure with `opweek type edit {} --measure money|weight`)",
                t.key, t.key
            ),
        ));
    };
    let minor = measure.parse_value(v).map_err(|e| field_err("value", e))?;
    Ok(Some(Amount { measure, minor }))
}

/// Known operations and types, by code and key.
pub struct Resolver {
    operations: HashMap<String, Operation>,
    types: HashMap<String, ActivityType>,
    /// Refuse `today` and `yesterday` (a file's dates must be absolute).
    absolute_dates: bool,
}

/// The value of `r`, or `None` with its error collected.
fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

impl Resolver {
    pub fn new(operations: Vec<Operation>, types: Vec<ActivityType>) -> Resolver {
        Resolver {
            operations: operations
                .into_iter()
                .map(|o| (o.code.clone(), o))
                .collect(),
            types: types.into_iter().map(|t| (t.key.clone(), t)).collect(),
            absolute_dates: false,
        }
    }

    /// This resolver refuses relative dates (`today`, `yesterday`): for
    /// files, whose dates must mean the same on any day.
    pub fn absolute_dates(mut self) -> Resolver {
        self.absolute_dates = true;
        self
    }

    pub fn operation(&self, code: &str) -> Option<&Operation> {
        self.operations.get(code)
    }

    pub fn activity_type_of(&self, key: &str) -> Option<&ActivityType> {
        self.types.get(key)
    }

    /// Why `code` is refused as an operation: it is not stored (with the
    /// nearest code that is, if one is near).
    pub fn unknown_operation(&self, code: &str) -> String {
        let mut codes: Vec<&str> = self.operations.keys().map(String::as_str).collect();
        codes.sort_unstable();
        format!(
            "unknown operation {code:?} {}",
            crate::suggest::hint(crate::suggest::nearest(code, codes), "opweek op list")
        )
    }

    /// Why `key` is refused as an activity type: it is not known (with the
    /// nearest key of a type that takes events, if one is near).
    pub fn unknown_type(&self, key: &str) -> String {
        let mut keys: Vec<&str> = self
            .types
            .values()
            .filter(|t| !t.retired)
            .map(|t| t.key.as_str())
            .collect();
        keys.sort_unstable();
        format!(
            "unknown activity type {key:?} {}",
            crate::suggest::hint(crate::suggest::nearest(key, keys), "opweek type list")
        )
    }

    /// The operation an event on `date` belongs to: the one named, or else
    /// the only one whose dates contain it.
    fn operation_for(
        &self,
        named: Option<&str>,
        date: NaiveDate,
    ) -> Result<&Operation, FieldError> {
        if let Some(code) = named {
            let code = code.trim();
            check_operation_code(code).map_err(|e| field_err("operation", e))?;
            let op = self
                .operations
                .get(code)
                .ok_or_else(|| field_err("operation", self.unknown_operation(code)))?;
            op.check_date(date).map_err(|e| field_err("date", e))?;
            return Ok(op);
        }
        let mut containing: Vec<&Operation> = self
            .operations
            .values()
            .filter(|o| o.contains(date))
            .collect();
        containing.sort_by(|a, b| a.code.cmp(&b.code));
        match containing.as_slice() {
            [op] => Ok(op),
            [] => Err(field_err(
                "operation",
                format!("no operation covers {date}: name one with --op (see `opweek op list`)"),
            )),
            many => Err(field_err(
                "operation",
                format!(
                    "{date} falls in several operations ({}): choose one with --op",
                    many.iter()
                        .map(|o| o.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    /// Whether `key` names a retired type.
    pub fn is_retired(&self, key: &str) -> bool {
        self.types.get(key).is_some_and(|t| t.retired)
    }

    fn activity_type(
        &self,
        key: Option<&str>,
        retired: &RetiredTypes,
    ) -> Result<&ActivityType, FieldError> {
        let key = key.map(str::trim).ok_or_else(|| {
            field_err(
                "type",
                "an activity type is required (see `opweek type list`)",
            )
        })?;
        let t = self
            .types
            .get(key)
            .ok_or_else(|| field_err("type", self.unknown_type(key)))?;
        let allowed = match retired {
            RetiredTypes::Refuse => false,
            RetiredTypes::Keep(kept) => *kept == t.key,
            RetiredTypes::Accept => true,
        };
        if t.retired && !allowed {
            return Err(field_err("type", retired_message(key)));
        }
        Ok(t)
    }

    /// Validates `input` into an event. The first refused field is reported.
    pub fn event(&self, input: EventInput, defaults: &Defaults) -> Result<Event, FieldError> {
        self.event_errors(input, defaults)
            .map_err(|mut all| all.swap_remove(0))
    }

    /// Validates `input` into an event, reporting every refused field.
    pub fn event_errors(
        &self,
        mut input: EventInput,
        defaults: &Defaults,
    ) -> Result<Event, Vec<FieldError>> {
        let mut errors = Vec::new();
        let id = keep(
            &mut errors,
            match input.given(Field::Id) {
                Some(s) => model::parse_event_id(s).map_err(|e| field_err("id", e)),
                None => Ok(model::new_event_id()),
            },
        );
        let activity_type = keep(
            &mut errors,
            self.activity_type(input.given(Field::Type), &defaults.retired),
        );
        let type_key = activity_type.map(|t| t.key.clone());
        let date = keep(
            &mut errors,
            match (input.given(Field::Date), defaults.date) {
                (Some(s), _) if self.absolute_dates => {
                    parse_absolute_date(s).map_err(|e| field_err("date", e))
                }
                (Some(s), _) => parse_date(s, defaults.today).map_err(|e| field_err("date", e)),
                (None, Some(d)) => Ok(d),
                (None, None) => Err(field_err("date", "a date is required (YYYY-MM-DD)")),
            },
        );
        let named_op = input
            .given(Field::Operation)
            .or(defaults.operation.as_deref());
        let op = match date {
            Some(d) => keep(&mut errors, self.operation_for(named_op, d)),
            None => None,
        };
        let time = keep(
            &mut errors,
            input
                .given(Field::Time)
                .map(|s| model::parse_time(s).map_err(|e| field_err("time", e)))
                .transpose(),
        );
        let count = keep(
            &mut errors,
            input
                .given(Field::Count)
                .map(|s| model::parse_count(s).map_err(|e| field_err("count", e)))
                .transpose(),
        );
        let value = match (activity_type, input.given(Field::Value)) {
            (Some(t), Some(v)) => keep(&mut errors, parse_value(t, v)),
            _ => None,
        };
        // Free text moves from the input into the event: no copies, which
        // matters at a million rows.
        let mut texts = Vec::with_capacity(FIELDS.len());
        for d in FIELDS.iter().filter(|d| d.kind == Kind::Text) {
            let value =
                model::clean_owned(d.name, input.take(d.field)).map_err(|e| field_err(d.name, e));
            if let Some(value) = keep(&mut errors, value) {
                texts.push((d.field, value));
            }
        }
        let recorded_by = keep(
            &mut errors,
            model::clean_owned("recorded_by", input.take(Field::RecordedBy))
                .map_err(|e| field_err("recorded_by", e)),
        );

        let recorded_at = keep(
            &mut errors,
            input.given(Field::RecordedAt)
                .map(|s| {
                    DateTime::parse_from_rfc3339(s.trim())
                        .map(|_| s.trim().to_string())
                        .map_err(|_| {
                            field_err(
                                "recorded_at",
                                format!("{s:?} is not a valid time stamp (expected RFC 3339, such as 2017-11-13T09:30:00Z)"),
                            )
                        })
                })
                .transpose(),
        );
        let status = keep(
            &mut errors,
            input
                .given(Field::Status)
                .map(|s| Status::parse(s).map_err(|e| field_err("status", e)))
                .transpose(),
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        // Every `keep` above returned Some when no error was pushed.
        let (Some(id), Some(type_key), Some(date), Some(op)) = (id, type_key, date, op) else {
            return Err(vec![field_err("id", "internal: incomplete event")]);
        };
        let mut event = Event {
            id,
            operation: op.code.clone(),
            type_key,
            date,
            time: time.flatten(),
            count: count.flatten().unwrap_or(1),
            value: value.flatten(),
            force: None,
            team: None,
            area: None,
            officer: None,
            reference: None,
            detail: None,
            partner: None,
            outcome: None,
            notes: None,
            recorded_by: recorded_by
                .flatten()
                .unwrap_or_else(|| defaults.recorded_by.clone()),
            recorded_at: recorded_at
                .flatten()
                .unwrap_or_else(|| defaults.recorded_at.clone()),
            status: status.flatten().unwrap_or(Status::Active),
        };
        for (field, value) in texts {
            if let Some(slot) = field.optional_text_mut(&mut event) {
                *slot = value;
            }
        }
        if event.force.is_none() {
            event.force = op.force.clone();
        }
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn resolver() -> Resolver {
        let op = |code: &str, start: &str, end: &str| Operation {
            code: code.into(),
            title: "T".into(),
            start: d(start),
            end: d(end),
            force: Some("Merseyside Police".into()),
            unit: None,
            campaign: None,
            notes: None,
        };
        let t = |key: &str, retired| ActivityType {
            key: key.into(),
            label: key.into(),
            noun: key.into(),
            plural: key.into(),
            phrase: "{count} {noun}".into(),
            retired,
            measure: None,
        };
        Resolver::new(
            vec![
                op("a", "2017-11-13", "2017-11-19"),
                op("b", "2017-11-19", "2017-11-25"),
            ],
            vec![t("warrant", false), t("old", true)],
        )
    }

    fn defaults() -> Defaults {
        Defaults {
            retired: RetiredTypes::Refuse,
            today: d("2017-11-15"),
            date: Some(d("2017-11-15")),
            operation: None,
            recorded_by: "analyst".into(),
            recorded_at: "2017-11-15T10:00:00Z".into(),
        }
    }

    fn input(type_key: &str) -> EventInput {
        EventInput::new().with(Field::Type, type_key)
    }

    #[test]
    fn defaults_fill_an_event() {
        let e = resolver().event(input("warrant"), &defaults()).unwrap();
        assert_eq!(e.operation, "a");
        assert_eq!(e.count, 1);
        assert_eq!(e.force.as_deref(), Some("Merseyside Police"));
        assert_eq!(e.recorded_by, "analyst");
        assert_eq!(e.status, Status::Active);
    }

    #[test]
    fn operation_is_found_or_asked_for() {
        let r = resolver();
        let mut i = input("warrant");
        i.set(Field::Date, "2017-11-19");
        let err = r.event(i.clone(), &defaults()).unwrap_err();
        assert_eq!(err.field, "operation");
        assert!(err.message.contains("several operations (a, b)"), "{err}");
        i.set(Field::Date, "2017-12-01");
        assert!(r
            .event(i.clone(), &defaults())
            .unwrap_err()
            .message
            .contains("no operation covers"));
        i.set(Field::Operation, "a");
        let err = r.event(i.clone(), &defaults()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "2017-12-01 is outside operation a (2017-11-13 to 2017-11-19)"
        );
    }

    #[test]
    fn every_bad_field_is_reported() {
        let mut i = input("old");
        i.set(Field::Count, "0");
        i.set(Field::Time, "25:00");
        i.set(Field::Date, "2017-02-30");
        let errors = resolver().event_errors(i, &defaults()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["type", "date", "time", "count"]);
    }

    /// A retired type takes no new events: `log` refuses it, `amend` lets
    /// an event keep it but not move to it, `import` leaves it to the store.
    #[test]
    fn retired_types_refused_only_for_new_events() {
        let r = resolver();
        let with = |retired: RetiredTypes| Defaults {
            retired,
            ..defaults()
        };
        let err = r
            .event(input("old"), &with(RetiredTypes::Refuse))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "activity type \"old\" is retired and takes no new events"
        );
        let kept = r.event(input("old"), &with(RetiredTypes::Keep("old".into())));
        assert_eq!(kept.unwrap().type_key, "old");
        assert!(r
            .event(input("old"), &with(RetiredTypes::Keep("warrant".into())))
            .is_err());
        assert!(r.event(input("old"), &with(RetiredTypes::Accept)).is_ok());
        assert!(r.is_retired("old") && !r.is_retired("warrant"));
    }

    #[test]
    fn text_is_trimmed_and_files_take_absolute_dates() {
        let mut i = input(" warrant ");
        i.set(Field::Area, "  Wirral  ");
        i.set(Field::Officer, " 4127 ");
        i.set(Field::Team, "   ");
        let e = resolver().event(i.clone(), &defaults()).unwrap();
        assert_eq!(e.type_key, "warrant");
        assert_eq!(e.area.as_deref(), Some("Wirral"));
        assert_eq!(e.officer.as_deref(), Some("4127"));
        assert_eq!(e.team, None);
        i.set(Field::Date, "today");
        assert!(resolver().event(i.clone(), &defaults()).is_ok());
        let err = resolver()
            .absolute_dates()
            .event(i, &defaults())
            .unwrap_err();
        assert_eq!(err.field, "date");
    }

    #[test]
    fn a_near_miss_is_suggested() {
        let err = resolver().event(input("warant"), &defaults()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown activity type \"warant\" (did you mean warrant?)"
        );
        // Retired types take no new events: never suggested.
        let err = resolver().event(input("olf"), &defaults()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown activity type \"olf\" (see `opweek type list`)"
        );
    }
}
