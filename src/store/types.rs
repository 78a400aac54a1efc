//! Activity types: the shipped defaults and the ones users add. A type is
//! retired, never deleted, because events refer to it.

use rusqlite::{params, OptionalExtension, Row};

use super::{Result, Store, StoreError};
use crate::measure::Measure;
use crate::model::ActivityType;

const COLUMNS: &str = "key, label, noun, plural, phrase, retired, measure";

fn type_from_row(row: &Row) -> rusqlite::Result<ActivityType> {
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
            .query_row(
                &format!("SELECT {COLUMNS} FROM activity_type WHERE key = ?1"),
                [key],
                type_from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownType(key.to_string()))
    }

    /// Replaces a type's words (label, nouns, phrase) and retired flag. The
    /// key never changes: events refer to it.
    pub fn update_activity_type(&mut self, t: &ActivityType) -> Result<()> {
        let tx = self.write()?;
        // A measure may be added, but not changed or taken away once events
        // carry values in it: their pence would become grams.
        let (old, valued): (Option<String>, bool) = tx
            .query_row(
                "SELECT measure, EXISTS (SELECT 1 FROM event e WHERE e.type_id = t.id AND e.value IS NOT NULL)
                 FROM activity_type t WHERE key = ?1",
                [&t.key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownType(t.key.clone()))?;
        let new = t.measure.map(Measure::as_str);
        if valued && old.as_deref() != new {
            return Err(StoreError::MeasureInUse {
                key: t.key.clone(),
                measure: old.unwrap_or_default(),
            });
        }
        tx.execute(
            "UPDATE activity_type SET label = ?2, noun = ?3, plural = ?4, phrase = ?5, retired = ?6,
                    measure = ?7
             WHERE key = ?1",
            params![t.key, t.label, t.noun, t.plural, t.phrase, t.retired, new],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Adds a type after the existing ones.
    pub fn add_activity_type(&mut self, t: &ActivityType) -> Result<()> {
        let tx = self.write()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM activity_type WHERE key = ?1)",
            [&t.key],
            |r| r.get(0),
        )?;
        if exists {
            return Err(StoreError::DuplicateType(t.key.clone()));
        }
        tx.execute(
            &format!(
                "INSERT INTO activity_type ({COLUMNS}, position)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT coalesce(max(position), 0) + 1 FROM activity_type))"
            ),
            params![t.key, t.label, t.noun, t.plural, t.phrase, t.retired, t.measure.map(Measure::as_str)],
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
            Err(StoreError::UnknownType(_))
        ));
    }
}
