//! Type packs in the database: the types of a pack that are not there yet
//! are added in one transaction, recorded as one history entry
//! (`type-pack-add`, subject `pack:NAME`), so a pack added is one step in
//! the chain and running it again adds nothing.

use super::history::{append, About};
use super::types::{insert_type, type_from_row, COLUMNS};
use super::{now_utc, Result, Store};
use crate::measure::Measure;
use crate::model::ActivityType;

/// What adding a pack did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackAdded {
    /// Keys added, in the pack's order.
    pub added: Vec<String>,
    /// Keys already there with the pack's measure: kept as they are.
    pub present: Vec<String>,
    /// Types already there with another measure: kept as they are, and
    /// reported, since events of the pack's kind would not fit them.
    pub conflicts: Vec<MeasureConflict>,
}

/// A pack type whose key is taken by a type measuring something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureConflict {
    pub key: String,
    pub stored: Option<Measure>,
    pub pack: Option<Measure>,
}

impl Store {
    /// Adds the types in `types` (pack `name`'s) whose keys are not stored
    /// yet, after the existing ones and in the pack's order, with one
    /// history entry for all of them; none added, no entry.
    pub fn add_pack(&mut self, name: &str, types: &[ActivityType]) -> Result<PackAdded> {
        let actor = self.actor.clone();
        let tx = self.write()?;
        let mut result = PackAdded::default();
        let mut fields = serde_json::Map::new();
        for t in types {
            let stored = tx.query_opt(
                &format!("SELECT {COLUMNS} FROM activity_type WHERE key = ?1"),
                [&t.key],
                type_from_row,
            )?;
            match stored {
                Some(s) if s.measure == t.measure => result.present.push(t.key.clone()),
                Some(s) => result.conflicts.push(MeasureConflict {
                    key: t.key.clone(),
                    stored: s.measure,
                    pack: t.measure,
                }),
                None => {
                    let one = insert_type(&tx, t)?;
                    fields.insert(t.key.clone(), one.into());
                    result.added.push(t.key.clone());
                }
            }
        }
        if result.added.is_empty() {
            // Nothing written: the transaction rolls back on drop.
            return Ok(result);
        }
        let n = result.added.len();
        append(
            &tx,
            About::Subject(&format!("pack:{name}")),
            "type-pack-add",
            &actor,
            &now_utc(),
            &format!(
                "{n} activity type{} from pack {name}",
                if n == 1 { "" } else { "s" }
            ),
            &serde_json::json!({ "types": fields }).to_string(),
        )?;
        tx.commit()?;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(key: &str, measure: Option<Measure>) -> ActivityType {
        ActivityType {
            key: key.into(),
            label: key.into(),
            noun: "thing".into(),
            plural: "things".into(),
            phrase: "recorded {count} {noun}".into(),
            retired: false,
            measure,
        }
    }

    #[test]
    fn adds_what_is_missing_once_with_one_entry() {
        let mut s = Store::open_in_memory().unwrap();
        let pack = [
            t("arrest", None),
            t("cash-seizure", Some(Measure::Money)),
            t("warrant", Some(Measure::Weight)),
        ];
        let first = s.add_pack("test", &pack).unwrap();
        assert_eq!(first.added, ["cash-seizure"]);
        assert_eq!(first.present, ["arrest"]);
        assert_eq!(
            first.conflicts,
            [MeasureConflict {
                key: "warrant".into(),
                stored: None,
                pack: Some(Measure::Weight)
            }]
        );
        assert_eq!(
            s.activity_type("cash-seizure").unwrap().measure,
            Some(Measure::Money)
        );
        assert_eq!(s.activity_type("warrant").unwrap().measure, None);
        let head = s.history_head().unwrap();
        let again = s.add_pack("test", &pack).unwrap();
        assert!(again.added.is_empty());
        assert_eq!(again.present, ["arrest", "cash-seizure"]);
        assert_eq!(s.history_head().unwrap(), head);
        assert!(s.verify_history().unwrap().broken.is_none());
    }
}
