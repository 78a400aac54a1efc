//! Turns an event as typed (on the `log` command line, in an `amend`, or as a
//! CSV row for `import`) into a valid `Event`, against the operations and
//! activity types that exist. Pure: the caller loads the lists once, so a
//! million-row import validates without a query per row, and `log` and
//! `import` cannot disagree about a rule.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, NaiveDate};

use crate::dates::{parse_absolute_date, parse_date};
use crate::model::{self, check_operation_code, ActivityType, Event, Operation, Status};

/// An event's fields as text, as the user gave them. `None` (or blank) means
/// not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventInput {
    pub id: Option<String>,
    pub operation: Option<String>,
    pub type_key: Option<String>,
    pub date: Option<String>,
    pub time: Option<String>,
    pub count: Option<String>,
    pub force: Option<String>,
    pub team: Option<String>,
    pub area: Option<String>,
    pub officer: Option<String>,
    pub reference: Option<String>,
    pub detail: Option<String>,
    pub partner: Option<String>,
    pub outcome: Option<String>,
    pub notes: Option<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: Option<String>,
    pub status: Option<String>,
}

impl EventInput {
    /// A stored event as input, every field given: the starting point of an
    /// amendment.
    pub fn from_event(e: &Event) -> EventInput {
        let [id, operation, type_key, date, time, count, force, team, area, officer, reference, detail, partner, outcome, notes, recorded_by, recorded_at, status] =
            e.to_record().map(Some);
        EventInput {
            id,
            operation,
            type_key,
            date,
            time,
            count,
            force,
            team,
            area,
            officer,
            reference,
            detail,
            partner,
            outcome,
            notes,
            recorded_by,
            recorded_at,
            status,
        }
    }
}

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
    /// `import.rs`).
    Accept,
}

/// Why an event of retired type `key` is refused.
pub fn retired_message(key: &str) -> String {
    format!("activity type {key:?} is retired and takes no new events")
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

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.trim().is_empty())
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
        // Free text moves from the input into the event: no copies, which
        // matters at a million rows.
        let text = |field: &'static str, v: Option<String>| {
            model::clean_owned(field, v).map_err(|e| field_err(field, e))
        };

        let id = keep(
            &mut errors,
            match given(&input.id) {
                Some(s) => model::parse_event_id(s).map_err(|e| field_err("id", e)),
                None => Ok(model::new_event_id()),
            },
        );
        let type_key = keep(
            &mut errors,
            self.activity_type(given(&input.type_key), &defaults.retired)
                .map(|t| t.key.clone()),
        );
        let date = keep(
            &mut errors,
            match (given(&input.date), defaults.date) {
                (Some(s), _) if self.absolute_dates => {
                    parse_absolute_date(s).map_err(|e| field_err("date", e))
                }
                (Some(s), _) => parse_date(s, defaults.today).map_err(|e| field_err("date", e)),
                (None, Some(d)) => Ok(d),
                (None, None) => Err(field_err("date", "a date is required (YYYY-MM-DD)")),
            },
        );
        let named_op = given(&input.operation).or(defaults.operation.as_deref());
        let op = match date {
            Some(d) => keep(&mut errors, self.operation_for(named_op, d)),
            None => None,
        };
        let time = keep(
            &mut errors,
            given(&input.time)
                .map(|s| model::parse_time(s).map_err(|e| field_err("time", e)))
                .transpose(),
        );
        let count = keep(
            &mut errors,
            given(&input.count)
                .map(|s| model::parse_count(s).map_err(|e| field_err("count", e)))
                .transpose(),
        );
        let force = keep(&mut errors, text("force", input.force.take()));
        let team = keep(&mut errors, text("team", input.team.take()));
        let area = keep(&mut errors, text("area", input.area.take()));
        let officer = keep(&mut errors, text("officer", input.officer.take()));
        let reference = keep(&mut errors, text("reference", input.reference.take()));
        let detail = keep(&mut errors, text("detail", input.detail.take()));
        let partner = keep(&mut errors, text("partner", input.partner.take()));
        let outcome = keep(&mut errors, text("outcome", input.outcome.take()));
        let notes = keep(&mut errors, text("notes", input.notes.take()));
        let recorded_by = keep(&mut errors, text("recorded_by", input.recorded_by.take()));
        let recorded_at = keep(&mut errors, given(&input.recorded_at)
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
            .transpose());
        let status = keep(
            &mut errors,
            given(&input.status)
                .map(|s| Status::parse(s).map_err(|e| field_err("status", e)))
                .transpose(),
        );

        if !errors.is_empty() {
            return Err(errors);
        }
        // Every `ok` above returned Some when no error was pushed.
        let (Some(id), Some(type_key), Some(date), Some(op)) = (id, type_key, date, op) else {
            return Err(vec![field_err("id", "internal: incomplete event")]);
        };
        let op_force = op.force.clone();
        Ok(Event {
            id,
            operation: op.code.clone(),
            type_key,
            date,
            time: time.flatten(),
            count: count.flatten().unwrap_or(1),
            force: force.flatten().or(op_force),
            team: team.flatten(),
            area: area.flatten(),
            officer: officer.flatten(),
            reference: reference.flatten(),
            detail: detail.flatten(),
            partner: partner.flatten(),
            outcome: outcome.flatten(),
            notes: notes.flatten(),
            recorded_by: recorded_by
                .flatten()
                .unwrap_or_else(|| defaults.recorded_by.clone()),
            recorded_at: recorded_at
                .flatten()
                .unwrap_or_else(|| defaults.recorded_at.clone()),
            status: status.flatten().unwrap_or(Status::Active),
        })
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
        EventInput {
            type_key: Some(type_key.into()),
            ..Default::default()
        }
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
        i.date = Some("2017-11-19".into());
        let err = r.event(i.clone(), &defaults()).unwrap_err();
        assert_eq!(err.field, "operation");
        assert!(err.message.contains("several operations (a, b)"), "{err}");
        i.date = Some("2017-12-01".into());
        assert!(r
            .event(i.clone(), &defaults())
            .unwrap_err()
            .message
            .contains("no operation covers"));
        i.operation = Some("a".into());
        let err = r.event(i.clone(), &defaults()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "2017-12-01 is outside operation a (2017-11-13 to 2017-11-19)"
        );
    }

    #[test]
    fn every_bad_field_is_reported() {
        let mut i = input("old");
        i.count = Some("0".into());
        i.time = Some("25:00".into());
        i.date = Some("2017-02-30".into());
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
        i.area = Some("  Wirral  ".into());
        i.officer = Some(" 4127 ".into());
        i.team = Some("   ".into());
        let e = resolver().event(i.clone(), &defaults()).unwrap();
        assert_eq!(e.type_key, "warrant");
        assert_eq!(e.area.as_deref(), Some("Wirral"));
        assert_eq!(e.officer.as_deref(), Some("4127"));
        assert_eq!(e.team, None);
        i.date = Some("today".into());
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
