//! Activity types: the shipped defaults and the ones users add. A type is
//! retired, never deleted, because events refer to it. Every add, edit,
//! retire and restore is an entry in the history chain (`type-add`, ...),
//! so the words a briefing uses are covered by its chain head.

use rusqlite::params;

use super::db::Conn;
use super::db::Row;

use super::history::{append, About};
use super::{now_utc, Result, Store, StoreError};
use crate::measure::Measure;
use crate::model::ActivityType;

/// A type's fields as the history records them.
pub(super) fn type_fields(t: &ActivityType) -> [(&'static str, serde_json::Value); 6] {
    [
        ("label", t.label.clone().into()),
        ("noun", t.noun.clone().into()),
        ("plural", t.plural.clone().into()),
        ("phrase", t.phrase.clone().into()),
        ("retired", t.retired.into()),
        ("measure", t.measure.map(Measure::as_str).into()),
    ]
}

fn type_subject(key: &str) -> String {
    format!("type:{key}")
}

pub(super) const COLUMNS: &str = "key, label, noun, plural, phrase, retired, measure";

/// Stores a new type after the existing ones (the caller checked its key
/// is new) and returns its fields as its history entry records them.
pub(super) fn insert_type(
    conn: &Conn,
    t: &ActivityType,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    conn.execute(
        &format!(
            "INSERT INTO activity_type ({COLUMNS}, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT coalesce(max(position), 0) + 1 FROM activity_type))"
        ),
        params![
            t.key,
            t.label,
            t.noun,
            t.plural,
            t.phrase,
            t.retired,
            t.measure.map(Measure::as_str)
        ],
    )?;
    Ok(type_fields(t)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect())
}

pub(super) fn type_from_row(row: &Row) -> rusqlite::Result<ActivityType> {
    Ok(ActivityType {
        key: row.get(0)?,
        label: row.get(1)?,
        noun: row.get(2)?,
        plural: row.get(3)?,
        phrase: row.get(4)?,
        retired: row.get(5)?,
        measure: row
            .get::<_, Option<String>>(6)?
            .map(|m| Measure::parse(&m))
            .transpose()
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    6,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
    })
}

impl Store {
    /// Every type, retired ones included, in report order.
    pub fn activity_types(&self) -> Result<Vec<ActivityType>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM activity_type ORDER BY position, key"
        ))?;
        let rows = stmt.query_map([], type_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn activity_type(&self, key: &str) -> Result<ActivityType> {
        self.conn
            .query_opt(
                &format!("SELECT {COLUMNS} FROM activity_type WHERE key = ?1"),
                [key],
                type_from_row,
            )?
            .ok_or_else(|| self.unknown_type(key))
    }

    /// Replaces type `old` with `new` (same key: events refer to it), with
    /// a history entry: `type-edit` for its words, `type-retire` or
    /// `type-restore` for its retired flag. Refused when `old` is no longer
    /// what is stored, when nothing changes, and when its words change while
    /// a signed-off operation counts it (the signed briefing would change).
    pub fn update_activity_type(&mut self, old: &ActivityType, new: &ActivityType) -> Result<()> {
        let actor = self.actor.clone();
        let tx = self.write()?;
        let current = tx
            .query_opt(
                &format!("SELECT {COLUMNS} FROM activity_type WHERE key = ?1"),
                [&old.key],
                type_from_row,
            )?
            .ok_or_else(|| StoreError::UnknownType(old.key.clone()))?;
        if &current != old {
            return Err(StoreError::Conflict(format!(
                "activity type {} was changed by someone else meanwhile; look again with `opweek type list` and retry",
                old.key
            )));
        }
        let changes: serde_json::Map<String, serde_json::Value> = type_fields(old)
            .into_iter()
            .zip(type_fields(new))
            .filter(|((_, a), (_, b))| a != b)
            .map(|((k, a), (_, b))| (k.to_string(), serde_json::json!({"old": a, "new": b})))
            .collect();
        if changes.is_empty() {
            return Err(StoreError::Conflict(
                "nothing to change: the values given are the type's current values".into(),
            ));
        }
        let words_change = changes.keys().any(|k| k != "retired");
        if words_change {
            super::signoff::refuse_type_change(&tx, &old.key)?;
        }
        // A measure may be added, but not changed or taken away once events
        // carry values in it: their pence would become grams.
        if old.measure.is_some() && old.measure != new.measure {
            let valued: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM event e JOIN activity_type t ON t.id = e.type_id
                                WHERE t.key = ?1 AND e.value IS NOT NULL)",
                [&old.key],
                |r| r.get(0),
            )?;
            if valued {
                return Err(StoreError::MeasureInUse {
                    key: old.key.clone(),
                    measure: old
                        .measure
                        .map(Measure::as_str)
                        .unwrap_or_default()
                        .to_string(),
                });
            }
        }
        let action = match (words_change, old.retired, new.retired) {
            (true, _, _) => "type-edit",
            (false, false, true) => "type-retire",
            _ => "type-restore",
        };
        tx.execute(
            "UPDATE activity_type SET label = ?2, noun = ?3, plural = ?4, phrase = ?5, retired = ?6,
                    measure = ?7
             WHERE key = ?1",
            params![
                new.key,
                new.label,
                new.noun,
                new.plural,
                new.phrase,
                new.retired,
                new.measure.map(Measure::as_str)
            ],
        )?;
        let reason = match action {
            "type-edit" => "words changed",
            "type-retire" => "retired",
            _ => "restored",
        };
        append(
            &tx,
            About::Subject(&type_subject(&old.key)),
            action,
            &actor,
            &now_utc(),
            reason,
            &serde_json::Value::Object(changes).to_string(),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Adds a type after the existing ones.
    pub fn add_activity_type(&mut self, t: &ActivityType) -> Result<()> {
        let actor = self.actor.clone();
        let tx = self.write()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM activity_type WHERE key = ?1)",
            [&t.key],
            |r| r.get(0),
        )?;
        if exists {
            return Err(StoreError::DuplicateType(t.key.clone()));
        }
        let fields = insert_type(&tx, t)?;
        append(
            &tx,
            About::Subject(&type_subject(&t.key)),
            "type-add",
            &actor,
            &now_utc(),
            "new activity type",
            &serde_json::Value::Object(fields).to_string(),
        )?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_then_added() {
        let mut s = Store::open_in_memory().unwrap();
        let keys: Vec<String> = s
            .activity_types()
            .unwrap()
            .into_iter()
            .map(|t| t.key)
            .collect();
        assert_eq!(
            keys,
            [
                "offender-visit",
                "warrant",
                "device-seizure",
                "arrest",
                "safeguarding-visit",
                "victim-identified",
                "school-session"
            ]
        );
        let knives = ActivityType {
            key: "knife-surrender".into(),
            label: "Knives surrendered".into(),
            noun: "knife".into(),
            plural: "knives".into(),
            phrase: "took in {count} {noun}".into(),
            retired: false,
            measure: None,
        };
        s.add_activity_type(&knives).unwrap();
        assert_eq!(
            s.activity_types().unwrap().last().unwrap().key,
            "knife-surrender"
        );
        assert!(matches!(
            s.add_activity_type(&knives),
            Err(StoreError::DuplicateType(_))
        ));
        assert!(matches!(
            s.activity_type("nope"),
            Err(StoreError::NoSuchType { .. })
        ));
    }
}
