//! The one statement bound without copies: the bulk insert of `import`.
//! This is the only file of opweek with `unsafe` code.
//!
//! rusqlite binds every text as `SQLITE_TRANSIENT`, so SQLite allocates,
//! copies and frees each of a row's dozen texts: 10% of the writing
//! thread's instructions at a million rows (callgrind; BENCHMARKS.md). Here
//! a borrowed text or blob is bound as `SQLITE_STATIC`, which is sound only
//! while SQLite holds no pointer past the borrow. Two invariants make it so,
//! each enforced here and tested below:
//!
//! - **Bindings never outlive `execute`.** A guard made before the first
//!   value is bound resets the statement and clears every binding when it is
//!   dropped: on return, on error, and on a panic anywhere between bind and
//!   step (a `ToSql` implementation, SQLite's own callbacks).
//! - **Every parameter is bound, by exactly one value.** `execute` asserts
//!   that it was given as many values as the statement has parameters
//!   (`sqlite3_bind_parameter_count`), so a stale value from an earlier row
//!   can never be left in place, and no index is out of range.

use std::marker::PhantomData;
use std::os::raw::{c_char, c_int};
use std::ptr::NonNull;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{ffi, Connection, ToSql};

use super::{Result, StoreError};

/// A prepared statement whose `execute` binds borrowed texts and blobs
/// without copying them.
pub(super) struct StaticInsert<'conn> {
    stmt: NonNull<ffi::sqlite3_stmt>,
    db: *mut ffi::sqlite3,
    /// `sqlite3_bind_parameter_count`: how many values `execute` takes.
    params: usize,
    _conn: PhantomData<&'conn Connection>,
}

/// Resets the statement and clears its bindings when dropped, however the
/// scope it guards is left: after that SQLite holds no pointer into the
/// values bound.
struct Cleared(NonNull<ffi::sqlite3_stmt>);

impl Drop for Cleared {
    fn drop(&mut self) {
        // SAFETY: a valid statement (the `StaticInsert` that made this
        // guard outlives it). The step's error, if any, was already taken;
        // reset would only repeat it.
        unsafe {
            ffi::sqlite3_reset(self.0.as_ptr());
            ffi::sqlite3_clear_bindings(self.0.as_ptr());
        }
    }
}

impl<'conn> StaticInsert<'conn> {
    pub(super) fn prepare(conn: &'conn Connection, sql: &str) -> Result<StaticInsert<'conn>> {
        // SAFETY: the handle is the open connection's, which outlives this
        // statement ('conn); it is used on this thread only, like `conn`.
        let db = unsafe { conn.handle() };
        let len = c_int::try_from(sql.len())
            .map_err(|_| StoreError::Corrupt("insert statement too long".into()))?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: `sql` is valid for `len` bytes; SQLite writes the new
        // statement to `stmt`.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                db,
                sql.as_ptr().cast::<c_char>(),
                len,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        check(db, rc)?;
        let stmt = NonNull::new(stmt)
            .ok_or_else(|| StoreError::Corrupt("empty insert statement".into()))?;
        // SAFETY: a valid statement.
        let params = unsafe { ffi::sqlite3_bind_parameter_count(stmt.as_ptr()) };
        Ok(StaticInsert {
            stmt,
            db,
            params: usize::try_from(params).unwrap_or(0),
            _conn: PhantomData,
        })
    }

    /// Binds `values` to ?1, ?2, …, runs the statement once and returns the
    /// number of rows it changed.
    ///
    /// # Panics
    /// When `values` does not hold exactly one value per parameter: a bug
    /// in the caller, never something a user can cause.
    pub(super) fn execute(&mut self, values: &[&dyn ToSql]) -> Result<usize> {
        assert_eq!(
            values.len(),
            self.params,
            "the bulk insert takes one value per parameter"
        );
        let stmt = self.stmt.as_ptr();
        let _cleared = Cleared(self.stmt);
        self.bind_all(values)?;
        // SAFETY: a valid statement whose parameters are all bound (the
        // assertion above) to values that live until this function returns,
        // and `_cleared` unbinds them before that.
        let rc = unsafe { ffi::sqlite3_step(stmt) };
        match rc {
            ffi::SQLITE_DONE => {
                // SAFETY: the open connection.
                Ok(unsafe { ffi::sqlite3_changes64(self.db) } as usize)
            }
            _ => Err(error(self.db, rc)),
        }
    }

    fn bind_all(&mut self, values: &[&dyn ToSql]) -> Result<()> {
        let stmt = self.stmt.as_ptr();
        for (i, value) in values.iter().enumerate() {
            let index = c_int::try_from(i + 1)
                .map_err(|_| StoreError::Corrupt("too many parameters".into()))?;
            let out = value.to_sql()?;
            // A value made by `to_sql` dies at the end of this iteration, so
            // SQLite must copy it; a borrowed one lives as long as `values`.
            let (value, keep) = match &out {
                ToSqlOutput::Borrowed(v) => (*v, ffi::SQLITE_STATIC()),
                ToSqlOutput::Owned(v) => (ValueRef::from(v), ffi::SQLITE_TRANSIENT()),
                _ => {
                    return Err(StoreError::Corrupt(
                        "unsupported value in bulk insert".into(),
                    ))
                }
            };
            // SAFETY: `stmt` is valid and `index` within its parameters
            // (asserted in `execute`); texts and blobs are valid for their
            // length, and a STATIC one outlives the bindings (`Cleared`).
            let rc = unsafe {
                match value {
                    ValueRef::Null => ffi::sqlite3_bind_null(stmt, index),
                    ValueRef::Integer(n) => ffi::sqlite3_bind_int64(stmt, index, n),
                    ValueRef::Real(f) => ffi::sqlite3_bind_double(stmt, index, f),
                    ValueRef::Text(t) => ffi::sqlite3_bind_text64(
                        stmt,
                        index,
                        t.as_ptr().cast::<c_char>(),
                        t.len() as u64,
                        keep,
                        ffi::SQLITE_UTF8 as u8,
                    ),
                    ValueRef::Blob(b) => ffi::sqlite3_bind_blob64(
                        stmt,
                        index,
                        b.as_ptr().cast(),
                        b.len() as u64,
                        keep,
                    ),
                }
            };
            check(self.db, rc)?;
        }
        Ok(())
    }

    /// The statement's SQL with its current bindings written in (`NULL`
    /// for an unbound parameter): lets the tests see what SQLite holds.
    #[cfg(test)]
    fn bound_sql(&self) -> String {
        // SAFETY: a valid statement; SQLite returns a string it allocated,
        // copied here and freed at once.
        unsafe {
            let p = ffi::sqlite3_expanded_sql(self.stmt.as_ptr());
            assert!(!p.is_null());
            let s = std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned();
            ffi::sqlite3_free(p.cast());
            s
        }
    }
}

impl Drop for StaticInsert<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement is valid and finalized once, here.
        unsafe {
            ffi::sqlite3_finalize(self.stmt.as_ptr());
        }
    }
}

/// SQLite's result code `rc` as a store error carrying the connection's
/// message, as rusqlite reports it.
fn check(db: *mut ffi::sqlite3, rc: c_int) -> Result<()> {
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(error(db, rc))
    }
}

#[cold]
fn error(db: *mut ffi::sqlite3, rc: c_int) -> StoreError {
    // SAFETY: `db` is an open connection; its message is a NUL-terminated
    // string valid until the next call on it, copied here at once.
    let message = unsafe {
        let m = ffi::sqlite3_errmsg(db);
        (!m.is_null()).then(|| std::ffi::CStr::from_ptr(m).to_string_lossy().into_owned())
    };
    // SAFETY: as above.
    let code = unsafe { ffi::sqlite3_extended_errcode(db) };
    let code = if code & 0xff == rc & 0xff { code } else { rc };
    StoreError::Sqlite(rusqlite::Error::SqliteFailure(
        ffi::Error::new(code),
        message,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::types::ToSqlOutput;

    fn table() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a TEXT, b BLOB, c INTEGER UNIQUE)")
            .unwrap();
        conn
    }

    /// A value whose conversion panics, as a buggy `ToSql` might.
    struct Explodes;

    impl ToSql for Explodes {
        fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
            panic!("to_sql failed");
        }
    }

    #[test]
    fn binds_borrowed_values_and_clears_them_after_each_row() {
        let conn = table();
        let mut insert = StaticInsert::prepare(&conn, "INSERT INTO t VALUES (?1, ?2, ?3)").unwrap();
        let text = String::from("borrowed text");
        let blob = vec![1u8, 2, 3];
        assert_eq!(insert.execute(&[&text, &blob, &1]).unwrap(), 1);
        // Nothing of the row stays bound once `execute` returns.
        assert_eq!(
            insert.bound_sql(),
            "INSERT INTO t VALUES (NULL, NULL, NULL)"
        );
        drop((text, blob));
        let row: (String, Vec<u8>, i64) = conn
            .query_row("SELECT a, b, c FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(row, ("borrowed text".into(), vec![1, 2, 3], 1));
    }

    #[test]
    fn bindings_are_cleared_when_the_step_fails() {
        let conn = table();
        let mut insert = StaticInsert::prepare(&conn, "INSERT INTO t VALUES (?1, ?2, ?3)").unwrap();
        insert.execute(&[&"x", &"y", &1]).unwrap();
        let err = insert.execute(&[&"kept?", &"no", &1]).unwrap_err();
        assert!(err.to_string().contains("database error"), "{err}");
        assert_eq!(
            insert.bound_sql(),
            "INSERT INTO t VALUES (NULL, NULL, NULL)"
        );
    }

    #[test]
    fn bindings_are_cleared_when_binding_panics() {
        let conn = table();
        let mut insert = StaticInsert::prepare(&conn, "INSERT INTO t VALUES (?1, ?2, ?3)").unwrap();
        let text = String::from("bound before the panic");
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = insert.execute(&[&text, &Explodes, &1]);
        }));
        assert!(panicked.is_err());
        // ?1 was bound STATIC to `text` before ?2 panicked: the guard let go
        // of it on the way out.
        assert_eq!(
            insert.bound_sql(),
            "INSERT INTO t VALUES (NULL, NULL, NULL)"
        );
        // And the statement is reset, ready for the next row.
        assert_eq!(insert.execute(&[&"a", &"b", &2]).unwrap(), 1);
    }

    #[test]
    #[should_panic(expected = "one value per parameter")]
    fn too_few_values_are_refused() {
        let conn = table();
        let mut insert = StaticInsert::prepare(&conn, "INSERT INTO t VALUES (?1, ?2, ?3)").unwrap();
        let _ = insert.execute(&[&"a", &"b"]);
    }

    #[test]
    #[should_panic(expected = "one value per parameter")]
    fn too_many_values_are_refused() {
        let conn = table();
        let mut insert = StaticInsert::prepare(&conn, "INSERT INTO t VALUES (?1, ?2, ?3)").unwrap();
        let _ = insert.execute(&[&"a", &"b", &1, &2]);
    }
}
