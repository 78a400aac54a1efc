//! The errors for an operation code or type key that is not stored, with
//! the nearest stored one suggested (`suggest.rs`). Looked up only on the
//! failing path, so a successful look-up costs nothing more.

use super::{Store, StoreError};

impl Store {
    /// `code` names no operation: the error, suggesting a near code.
    pub fn unknown_operation(&self, code: &str) -> StoreError {
        let codes = self.names("SELECT code FROM operation ORDER BY code");
        StoreError::NoSuchOperation {
            code: code.to_string(),
            suggestion: crate::suggest::nearest(code, codes.iter().map(String::as_str))
                .map(str::to_string),
        }
    }

    /// `key` names no activity type: the error, suggesting a near key
    /// among the types that take events.
    pub fn unknown_type(&self, key: &str) -> StoreError {
        let keys =
            self.names("SELECT key FROM activity_type WHERE retired = 0 ORDER BY position, key");
        StoreError::NoSuchType {
            key: key.to_string(),
            suggestion: crate::suggest::nearest(key, keys.iter().map(String::as_str))
                .map(str::to_string),
        }
    }

    /// The names a query lists; none if it fails (a suggestion is a
    /// courtesy, never a reason for another error).
    fn names(&self, sql: &str) -> Vec<String> {
        self.conn
            .prepare(sql)
            .and_then(|mut stmt| {
                Ok(stmt
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()?)
            })
            .unwrap_or_default()
    }
}
