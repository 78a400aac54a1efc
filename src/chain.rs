//! The tamper-evident history chain. Each history row's hash is SHA-256 over
//! the previous row's hash and this row's content, in one canonical text
//! form; so editing, inserting or removing a row behind the tool's back
//! breaks every hash after it. `opweek check` recomputes the chain and prints
//! its head, which a supervisor can write on the signed-off briefing.
//!
//! The chain also pins the events themselves: each `log` or `import` row
//! carries an `EventDigest` of the events that write stored, as first
//! stored. `check` undoes the recorded amendments (`original_record`) and
//! recomputes the digests, so an event edited, added or removed behind the
//! tool's back is caught too, at the cost of one hash per event on import
//! rather than one history row per event.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::fields::{Field, Hashed, FIELDS};
use crate::model::{Event, HistoryEntry};

/// The `prev_hash` of the first history row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash a history row must carry, given the previous row's hash.
pub fn hash(prev_hash: &str, h: &HistoryEntry) -> String {
    // Length-prefixed fields: no separator inside a reason can make two
    // different rows hash alike.
    // An entry about an operation or a type hashes its subject where an
    // event's id would be: `op:` and `type:` never spell a UUID, so the two
    // kinds cannot hash alike, and entries about events hash as they always
    // have (databases from before subjects keep their heads).
    let subject = match &h.subject {
        Some(s) => s.clone(),
        None => h.event_id.to_string(),
    };
    let mut hasher = Sha256::new();
    for field in [
        prev_hash,
        &h.seq.to_string(),
        &subject,
        &h.action,
        &h.changed_by,
        &h.changed_at,
        &h.reason,
        &h.changes,
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub rows: u64,
    /// The last row's hash (GENESIS when there are no rows).
    pub head: String,
    /// The first row that does not verify, and why.
    pub broken: Option<(i64, String)>,
}

/// Verifies rows given in `seq` order.
pub fn verify(rows: impl IntoIterator<Item = HistoryEntry>) -> Verdict {
    let mut prev = GENESIS.to_string();
    let mut n = 0;
    for h in rows {
        n += 1;
        if h.prev_hash != prev {
            return Verdict {
                rows: n,
                head: prev,
                broken: Some((
                    h.seq,
                    "does not follow the entry before it (an entry was removed or inserted)".into(),
                )),
            };
        }
        let expected = hash(&prev, &h);
        if h.hash != expected {
            return Verdict {
                rows: n,
                head: prev,
                broken: Some((
                    h.seq,
                    "its content does not match its hash (it was edited)".into(),
                )),
            };
        }
        prev = h.hash;
    }
    Verdict {
        rows: n,
        head: prev,
        broken: None,
    }
}

/// SHA-256 over events' content, in the export's columns and text form, in
/// the order they were stored. `add_event` (on import, per row) writes the
/// fields without allocating; `add_record` takes them as text (for `check`,
/// after undoing amendments). Both give the same digest for the same event.
#[derive(Clone, Default)]
pub struct EventDigest {
    hasher: Sha256,
    /// One event's canonical bytes, hashed in one call: 36 small `update`s
    /// per event cost more than the hashing itself (measured on import).
    buf: Vec<u8>,
    events: u64,
}

impl EventDigest {
    pub fn new() -> EventDigest {
        EventDigest::default()
    }

    fn field(&mut self, bytes: &[u8]) {
        // A 4-byte length is plenty for a field and hashes less than 8 (a
        // million events hash about 70 MB fewer on import).
        let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(bytes);
    }

    fn end_event(&mut self) {
        self.hasher.update(&self.buf);
        self.buf.clear();
        self.events += 1;
    }

    /// Adds an event: each field's text form (`Field::write_text`, the
    /// export's cell), length-prefixed, written without allocating.
    pub fn add_event(&mut self, e: &Event) {
        for d in &FIELDS {
            // Room for the length, then the text written after it.
            let at = self.buf.len();
            self.buf.extend_from_slice(&[0; 4]);
            if d.hashed == Hashed::WhenGiven {
                let text_at = self.buf.len();
                d.field.write_text(e, &mut self.buf);
                if self.buf.len() == text_at {
                    // No value: the field leaves no trace.
                    self.buf.truncate(at);
                    continue;
                }
                self.buf
                    .splice(text_at..text_at, [d.name.as_bytes(), b":"].concat());
            } else {
                d.field.write_text(e, &mut self.buf);
            }
            let len = u32::try_from(self.buf.len() - at - 4).unwrap_or(u32::MAX);
            self.buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
        }
        self.end_event();
    }

    /// Adds an event given as its export cells, in `fields::FIELDS` order.
    pub fn add_record<S: AsRef<str>>(&mut self, cells: &[S]) {
        for (d, c) in FIELDS.iter().zip(cells) {
            let c = c.as_ref();
            match d.hashed {
                Hashed::Always => self.field(c.as_bytes()),
                Hashed::WhenGiven if c.is_empty() => {}
                Hashed::WhenGiven => self.field(format!("{}:{c}", d.name).as_bytes()),
            }
        }
        self.end_event();
    }

    pub fn events(&self) -> u64 {
        self.events
    }

    pub fn finish(self) -> String {
        hex(&self.hasher.finalize())
    }
}

/// An event's cells as first stored, from its current cells and the
/// `changes` of its amendments and voids, oldest first: each is undone,
/// newest first, after checking that it is what the event now shows. `Err`
/// names the first field that differs from what the history left it: the
/// event was changed behind the tool's back.
pub fn original_record(
    mut cells: Vec<String>,
    changes: &[(i64, &str)],
) -> Result<Vec<String>, String> {
    for (seq, json) in changes.iter().rev() {
        let map: Map<String, Value> = serde_json::from_str(json)
            .map_err(|_| format!("history entry {seq} has unreadable changes"))?;
        for (field, v) in &map {
            let at = Field::from_name(field)
                .filter(|f| f.name() == field)
                .ok_or_else(|| format!("history entry {seq} changes an unknown field {field:?}"))?
                .index();
            let (Some(old), Some(new)) = (v["old"].as_str(), v["new"].as_str()) else {
                return Err(format!("history entry {seq} has unreadable changes"));
            };
            if cells[at] != new {
                return Err(format!(
                    "{field} is {:?}, but history entry {seq} left it {new:?}",
                    cells[at]
                ));
            }
            cells[at] = old.to_string();
        }
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, prev: &str, reason: &str) -> HistoryEntry {
        let mut h = HistoryEntry {
            seq,
            event_id: uuid::Uuid::nil(),
            subject: None,
            action: "amend".into(),
            changed_by: "a".into(),
            changed_at: "2017-11-14T10:00:00Z".into(),
            reason: reason.into(),
            changes: "{}".into(),
            prev_hash: prev.into(),
            hash: String::new(),
        };
        h.hash = hash(prev, &h);
        h
    }

    #[test]
    fn a_chain_verifies_and_an_edit_breaks_it() {
        let a = entry(1, GENESIS, "typo");
        let b = entry(2, &a.hash, "wrong day");
        let v = verify([a.clone(), b.clone()]);
        assert_eq!(v.broken, None);
        assert_eq!(v.head, b.hash);
        let mut edited = a.clone();
        edited.reason = "something else".into();
        assert_eq!(verify([edited, b.clone()]).broken.unwrap().0, 1);
        assert_eq!(verify([b]).broken.unwrap().0, 2);
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
            reference: Some("W/17/4412".into()),
            detail: Some("making indecent images of children".into()),
            partner: None,
            outcome: None,
            notes: Some("x'); DROP TABLE event; --".into()),
            recorded_by: "analyst".into(),
            recorded_at: "2017-11-14T10:00:00Z".into(),
            status: crate::model::Status::Active,
        }
    }

    #[test]
    fn both_ways_of_digesting_an_event_agree() {
        let mut e = sample();
        let cash = crate::measure::Amount {
            measure: crate::measure::Measure::Money,
            minor: 125_050,
        };
        for (time, count, value) in [
            (e.time, 12, None),
            (None, 1, Some(cash)),
            (chrono::NaiveTime::from_hms_opt(23, 59, 0), i64::MAX, None),
        ] {
            e.time = time;
            e.count = count;
            e.value = value;
            let mut a = EventDigest::new();
            a.add_event(&e);
            let mut b = EventDigest::new();
            b.add_record(&crate::fields::record(&e));
            assert_eq!(a.events(), 1);
            assert_eq!(a.finish(), b.finish());
        }
    }

    /// The digest of events is what databases in the field hold in their
    /// history: pinned to the value computed by the release before the field
    /// table (`fields.rs`) drove it, so it can never drift.
    #[test]
    fn the_digest_is_the_one_databases_in_the_field_hold() {
        let mut e = sample();
        let mut d = EventDigest::new();
        d.add_event(&e);
        e.time = None;
        e.status = crate::model::Status::Voided;
        e.force = None;
        d.add_event(&e);
        assert_eq!(
            d.finish(),
            "e4b39a5f9edca6c129471d3205a60919617956ce1366a69963cbe9d0cb11cc46"
        );
    }

    /// A value is hashed when there is one, so the same event with and
    /// without it digest differently; without one, as before values existed.
    #[test]
    fn a_value_changes_the_digest_only_when_given() {
        let mut e = sample();
        let digest = |e: &Event| {
            let mut d = EventDigest::new();
            d.add_event(e);
            d.finish()
        };
        let without = digest(&e);
        e.value = Some(crate::measure::Amount {
            measure: crate::measure::Measure::Money,
            minor: 10,
        });
        let with = digest(&e);
        e.value.as_mut().unwrap().minor = 20;
        assert_ne!(without, with);
        assert_ne!(with, digest(&e));
    }

    #[test]
    fn amendments_are_undone_and_an_edit_behind_them_is_named() {
        let e = sample();
        let first = crate::fields::record(&e).to_vec();
        let mut now = first.clone();
        now[5] = "2".into();
        now[crate::fields::Field::Status.index()] = "voided".into();
        let changes = [
            (4, r#"{"count": {"old": "12", "new": "3"}}"#),
            (9, r#"{"count": {"old": "3", "new": "2"}}"#),
            (11, r#"{"status": {"old": "active", "new": "voided"}}"#),
        ];
        assert_eq!(original_record(now.clone(), &changes), Ok(first));
        now[5] = "80".into();
        assert_eq!(
            original_record(now, &changes),
            Err(r#"count is "80", but history entry 9 left it "2""#.into())
        );
    }
}
