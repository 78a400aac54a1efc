//! The tamper-evident history chain. Each history row's hash is SHA-256 over
//! the previous row's hash and this row's content, in one canonical text
//! form; so editing, inserting or removing a row behind the tool's back
//! breaks every hash after it. `opweek check` recomputes the chain and prints
//! its head, which a supervisor can write on the signed-off briefing.

use sha2::{Digest, Sha256};

use crate::model::HistoryEntry;

/// The `prev_hash` of the first history row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash a history row must carry, given the previous row's hash.
pub fn hash(prev_hash: &str, h: &HistoryEntry) -> String {
    // Length-prefixed fields: no separator inside a reason can make two
    // different rows hash alike.
    let mut hasher = Sha256::new();
    for field in [
        prev_hash,
        &h.seq.to_string(),
        &h.event_id.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, prev: &str, reason: &str) -> HistoryEntry {
        let mut h = HistoryEntry {
            seq,
            event_id: uuid::Uuid::nil(),
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
}
