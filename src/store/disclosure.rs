//! The disclosure log: one append-only row per disclosure of events (`export`,
//! and `list` in the export's CSV or JSON). An entry is committed only once
//! what it records is complete: a failed export leaves no entry.

use rusqlite::params;
use serde::Serialize;

use super::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disclosure {
    pub disclosed_at: String,
    pub disclosed_by: String,
    pub filters: String,
    pub rows: i64,
    pub destination: String,
    pub recipient: Option<String>,
    pub reason: Option<String>,
}

impl Store {
    pub fn log_disclosure(&mut self, d: &Disclosure) -> Result<()> {
        self.log_disclosure_if(d, || Ok::<(), StoreError>(()))
    }

    /// Enters `d` in the disclosure log only if `complete` (run inside the
    /// entry's transaction, after its row is written) succeeds: an export
    /// puts its finished file in place there, so the file and its entry
    /// appear together or not at all. `complete` runs under the write lock,
    /// so it should be short (a rename, not the export itself).
    pub fn log_disclosure_if<E: From<StoreError>>(
        &mut self,
        d: &Disclosure,
        complete: impl FnOnce() -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO disclosure (disclosed_at, disclosed_by, filters, rows, destination, recipient, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![d.disclosed_at, d.disclosed_by, d.filters, d.rows, d.destination, d.recipient, d.reason],
        )?;
        complete()?;
        tx.commit()?;
        Ok(())
    }

    /// Every disclosure, oldest first.
    pub fn disclosures(&self) -> Result<Vec<Disclosure>> {
        let mut stmt = self.conn.prepare(
            "SELECT disclosed_at, disclosed_by, filters, rows, destination, recipient, reason
             FROM disclosure ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Disclosure {
                disclosed_at: r.get(0)?,
                disclosed_by: r.get(1)?,
                filters: r.get(2)?,
                rows: r.get(3)?,
                destination: r.get(4)?,
                recipient: r.get(5)?,
                reason: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
