//! One connection, two backends: a SQLite file or a PostgreSQL server.
//!
//! The store's queries are written once, in the SQL both engines accept,
//! with SQLite's `?N` placeholders (rewritten to `$N` for PostgreSQL).
//! Values go in as rusqlite `ToSql` values and come out through rusqlite's
//! `FromSql`, whichever engine answered: a PostgreSQL column is first turned
//! into the SQLite value it would be (integer, real, text, blob or null), so
//! every reader of a row (`r.get(0)`, `EventReader`) is written once too.
//! The few things that differ (pragmas, the bulk load, backups, query
//! plans) are chosen by `Conn::dialect`.
//!
//! Writers take the write lock first, on both engines (`begin_write`):
//! SQLite's `BEGIN IMMEDIATE`; on PostgreSQL a transaction-scoped advisory
//! lock, so writers queue and the history chain has exactly one order, as
//! on a file. Readers never wait for it.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::error::Error as StdError;

use rusqlite::types::{FromSql, ToSqlOutput, Value, ValueRef};
use rusqlite::ToSql;

use super::{Result, StoreError};

/// Which engine a connection talks to, for the statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// The advisory lock every PostgreSQL write transaction takes first: one
/// number for opweek's writes ("opweek" in ASCII).
pub(crate) const WRITE_LOCK: i64 = 0x6f70_7765_656b;

/// An open database.
pub(crate) enum Conn {
    Lite(rusqlite::Connection),
    /// Boxed: a session's caches are larger than a SQLite handle.
    Pg(Box<PgConn>),
}

/// A PostgreSQL session. The client needs `&mut` for every call while the
/// store's readers take `&self`; a command runs on one thread, so a
/// `RefCell` borrowed for the length of one call is enough. An import lends
/// the client to the thread streaming its rows (`lend`, `give_back`): while
/// it is away, any other use of the connection is an error, never a wait.
pub(crate) struct PgConn {
    client: RefCell<Option<postgres::Client>>,
    /// Prepared statements by their SQLite text, as `prepare_cached`.
    statements: RefCell<HashMap<String, (postgres::Statement, Vec<usize>)>>,
    in_transaction: Cell<bool>,
    cursors: Cell<u64>,
}

impl PgConn {
    pub(crate) fn new(client: postgres::Client) -> PgConn {
        PgConn {
            client: RefCell::new(Some(client)),
            statements: RefCell::new(HashMap::new()),
            in_transaction: Cell::new(false),
            cursors: Cell::new(0),
        }
    }

    /// The client itself, for PostgreSQL-only work (migrations, COPY).
    pub(crate) fn client(&self) -> Result<std::cell::RefMut<'_, postgres::Client>> {
        let in_use = || StoreError::InUse;
        let slot = self.client.try_borrow_mut().map_err(|_| in_use())?;
        std::cell::RefMut::filter_map(slot, Option::as_mut).map_err(|_| in_use())
    }

    /// The client, lent to another thread (an import's COPY stream) until
    /// `give_back`.
    pub(crate) fn lend(&self) -> Result<postgres::Client> {
        let in_use = || StoreError::InUse;
        self.client
            .try_borrow_mut()
            .map_err(|_| in_use())?
            .take()
            .ok_or_else(in_use)
    }

    pub(crate) fn give_back(&self, client: postgres::Client) {
        *self.client.borrow_mut() = Some(client);
    }

    /// The prepared statement for `sql` and, for each of its parameters,
    /// which of the caller's values it takes (see `postgres_sql`).
    fn statement(&self, sql: &str) -> Result<(postgres::Statement, Vec<usize>)> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let (text, order) = postgres_sql(sql);
        let stmt = self.client()?.prepare(&text)?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), (stmt.clone(), order.clone()));
        Ok((stmt, order))
    }

    fn query(&self, sql: &str, args: &[ToSqlOutput<'_>]) -> Result<Vec<postgres::Row>> {
        let (stmt, params) = self.bound(sql, args)?;
        Ok(self.client()?.query(&stmt, &refs(&params))?)
    }

    fn execute(&self, sql: &str, args: &[ToSqlOutput<'_>]) -> Result<u64> {
        let (stmt, params) = self.bound(sql, args)?;
        Ok(self.client()?.execute(&stmt, &refs(&params))?)
    }

    /// The statement for `sql` and the values its placeholders take.
    fn bound(
        &self,
        sql: &str,
        args: &[ToSqlOutput<'_>],
    ) -> Result<(postgres::Statement, Vec<PgParam>)> {
        let (stmt, order) = self.statement(sql)?;
        Ok((stmt, pg_params(args, &order)?))
    }
}

fn refs(params: &[PgParam]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|p| p as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

/// Statement parameters: what rusqlite's `params![]`, an array or a vector
/// of `ToSql` values give.
pub(crate) trait Args {
    fn outputs(&self) -> rusqlite::Result<Vec<ToSqlOutput<'_>>>;
}

impl Args for [&dyn ToSql; 0] {
    fn outputs(&self) -> rusqlite::Result<Vec<ToSqlOutput<'_>>> {
        Ok(Vec::new())
    }
}

impl<T: ToSql> Args for &[T] {
    fn outputs(&self) -> rusqlite::Result<Vec<ToSqlOutput<'_>>> {
        self.iter().map(|v| v.to_sql()).collect()
    }
}

impl<T: ToSql> Args for Vec<T> {
    fn outputs(&self) -> rusqlite::Result<Vec<ToSqlOutput<'_>>> {
        self.iter().map(|v| v.to_sql()).collect()
    }
}

impl<T: ToSql, const N: usize> Args for &[T; N] {
    fn outputs(&self) -> rusqlite::Result<Vec<ToSqlOutput<'_>>> {
        self.iter().map(|v| v.to_sql()).collect()
    }
}

macro_rules! array_args {
    ($($n:literal)*) => {$(
        impl<T: ToSql> Args for [T; $n] {
            fn outputs(&self) -> rusqlite::Result<Vec<ToSqlOutput<'_>>> {
                self.iter().map(|v| v.to_sql()).collect()
            }
        }
    )*};
}
array_args!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24);

/// One row of a result, from either engine. `get` reads a column as any
/// type rusqlite reads (`i64`, `String`, `Option<_>`, `Uuid`, `NaiveDate`,
/// `bool`...), with the same conversions on both.
pub(crate) enum Row<'a> {
    Lite(&'a rusqlite::Row<'a>),
    Pg(&'a postgres::Row),
}

/// A column's position, as rusqlite's `RowIndex` for numbers.
pub(crate) trait ColumnIndex: Copy {
    fn position(self) -> usize;
}

impl ColumnIndex for usize {
    fn position(self) -> usize {
        self
    }
}

impl Row<'_> {
    pub(crate) fn get<I: ColumnIndex, T: FromSql>(&self, i: I) -> rusqlite::Result<T> {
        let i = i.position();
        match self {
            Row::Lite(r) => r.get(i),
            Row::Pg(r) => {
                let v = pg_value(r, i)?;
                T::column_result(ValueRef::from(&v)).map_err(|e| match e {
                    rusqlite::types::FromSqlError::InvalidType => {
                        rusqlite::Error::InvalidColumnType(
                            i,
                            r.columns()[i].name().to_string(),
                            ValueRef::from(&v).data_type(),
                        )
                    }
                    other => rusqlite::Error::FromSqlConversionFailure(
                        i,
                        ValueRef::from(&v).data_type(),
                        Box::new(other),
                    ),
                })
            }
        }
    }

    /// The column as the SQLite value it is (or would be), for showing a
    /// row whatever its types.
    pub(crate) fn value(&self, i: usize) -> rusqlite::Result<Value> {
        match self {
            Row::Lite(r) => Ok(r.get_ref(i)?.into()),
            Row::Pg(r) => pg_value(r, i),
        }
    }
}

impl Conn {
    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Conn::Lite(_) => Dialect::Sqlite,
            Conn::Pg(_) => Dialect::Postgres,
        }
    }

    /// The SQLite connection, for the work only SQLite does (pragmas, the
    /// bulk loader, backups); `None` on a server.
    pub(crate) fn lite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Conn::Lite(c) => Some(c),
            Conn::Pg(_) => None,
        }
    }

    pub(crate) fn pg(&self) -> Option<&PgConn> {
        match self {
            Conn::Lite(_) => None,
            Conn::Pg(p) => Some(p),
        }
    }

    /// A statement to run (see `Stmt`).
    pub(crate) fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        Ok(Stmt {
            conn: self,
            sql: sql.to_string(),
        })
    }

    pub(crate) fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        self.prepare_cached(sql)
    }

    /// Runs one statement; returns how many rows it changed.
    pub(crate) fn execute(&self, sql: &str, args: impl Args) -> Result<usize> {
        let args = args.outputs()?;
        match self {
            Conn::Lite(c) => Ok(c
                .prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(args))?),
            Conn::Pg(p) => Ok(usize::try_from(p.execute(sql, &args)?).unwrap_or(usize::MAX)),
        }
    }

    /// Runs statements without parameters, one after another.
    pub(crate) fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Conn::Lite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(p) => Ok(p.client()?.batch_execute(sql)?),
        }
    }

    /// The first row, through `f`; `QueryReturnedNoRows` when there is none
    /// (see `query_opt`).
    pub(crate) fn query_row<T>(
        &self,
        sql: &str,
        args: impl Args,
        f: impl FnOnce(&Row) -> rusqlite::Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, args, f)?
            .ok_or(StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    /// The first row, through `f`, or `None`.
    pub(crate) fn query_opt<T>(
        &self,
        sql: &str,
        args: impl Args,
        f: impl FnOnce(&Row) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        let args = args.outputs()?;
        match self {
            Conn::Lite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
                match rows.next()? {
                    Some(r) => Ok(Some(f(&Row::Lite(r))?)),
                    None => Ok(None),
                }
            }
            Conn::Pg(p) => match p.query(sql, &args)?.first() {
                Some(r) => Ok(Some(f(&Row::Pg(r))?)),
                None => Ok(None),
            },
        }
    }

    /// Every row, each through `f`.
    pub(crate) fn query_map<T>(
        &self,
        sql: &str,
        args: impl Args,
        mut f: impl FnMut(&Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.for_each(sql, args, |r| {
            out.push(f(r)?);
            Ok::<(), StoreError>(())
        })?;
        Ok(out)
    }

    /// Calls `f` with each row in turn, without holding them all: SQLite
    /// steps its statement; PostgreSQL reads a cursor a batch at a time
    /// (inside a read-only transaction when none is open).
    pub(crate) fn for_each<E: From<StoreError>>(
        &self,
        sql: &str,
        args: impl Args,
        mut f: impl FnMut(&Row) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let args = args.outputs().map_err(StoreError::from)?;
        match self {
            Conn::Lite(c) => {
                let mut stmt = c.prepare_cached(sql).map_err(StoreError::from)?;
                let mut rows = stmt
                    .query(rusqlite::params_from_iter(args))
                    .map_err(StoreError::from)?;
                while let Some(r) = rows.next().map_err(StoreError::from)? {
                    f(&Row::Lite(r))?;
                }
                Ok(())
            }
            Conn::Pg(p) => {
                const BATCH: usize = 5000;
                // A cursor lives in a transaction: a read-only one of its
                // own when none is open (rolled back if dropped on an error).
                let own = match p.in_transaction.get() {
                    true => None,
                    false => Some(self.begin_read()?),
                };
                let result = (|| -> std::result::Result<(), E> {
                    let n = p.cursors.get() + 1;
                    p.cursors.set(n);
                    let cursor = format!("opweek_cursor_{n}");
                    p.execute(
                        &format!("DECLARE {cursor} NO SCROLL CURSOR FOR {sql}"),
                        &args,
                    )
                    .map_err(E::from)?;
                    let fetch = format!("FETCH {BATCH} FROM {cursor}");
                    loop {
                        let rows = p.client()?.query(&fetch, &[]).map_err(StoreError::from)?;
                        for r in &rows {
                            f(&Row::Pg(r))?;
                        }
                        if rows.len() < BATCH {
                            break;
                        }
                    }
                    p.client()?
                        .batch_execute(&format!("CLOSE {cursor}"))
                        .map_err(StoreError::from)?;
                    Ok(())
                })();
                // The cursor statement is not kept: its text differs each time.
                p.statements
                    .borrow_mut()
                    .retain(|k, _| !k.starts_with("DECLARE opweek_cursor_"));
                result?;
                if let Some(tx) = own {
                    tx.commit()?;
                }
                Ok(())
            }
        }
    }

    /// Starts a read-only transaction: one snapshot for every query in it
    /// (a backup's tables agree with one another).
    pub(crate) fn begin_read(&self) -> Result<Tx<'_>> {
        match self {
            Conn::Lite(c) => c.execute_batch("BEGIN")?,
            Conn::Pg(p) => {
                p.client()?
                    .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
                p.in_transaction.set(true);
            }
        }
        Ok(Tx {
            conn: self,
            done: false,
        })
    }

    /// Starts a write transaction holding the write lock (see the module
    /// comment); it rolls back when dropped uncommitted.
    pub(crate) fn begin_write(&self) -> Result<Tx<'_>> {
        match self {
            Conn::Lite(c) => c.execute_batch("BEGIN IMMEDIATE")?,
            Conn::Pg(p) => {
                let mut client = p.client()?;
                client.batch_execute("BEGIN ISOLATION LEVEL READ COMMITTED")?;
                p.in_transaction.set(true);
                client.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
            }
        }
        Ok(Tx {
            conn: self,
            done: false,
        })
    }
}

/// A statement to run, in rusqlite's shape (`conn.prepare_cached(sql)?`
/// then `stmt.query_map(..)`), so the store reads alike on both engines.
/// Preparing is left to the connection, which keeps prepared statements
/// by their text on both engines.
pub(crate) struct Stmt<'a> {
    conn: &'a Conn,
    sql: String,
}

impl Stmt<'_> {
    /// As `query_map`, for a result that is small whatever the data (an
    /// aggregate: a tally's groups, one row per operation). On PostgreSQL
    /// it is one plain query rather than `for_each`'s cursor, because the
    /// server never runs a cursor's query in parallel: a tally over a
    /// million events took 0.44 s of wall time through the cursor against
    /// 0.27 s for the same statement in psql with two parallel workers,
    /// the same CPU either way (BENCHMARKS.md). All the rows are held at
    /// once, which the cursor avoids: only for results known to be small.
    pub(crate) fn query_small<T>(
        &mut self,
        args: impl Args,
        mut f: impl FnMut(&Row) -> rusqlite::Result<T>,
    ) -> Result<std::vec::IntoIter<rusqlite::Result<T>>> {
        match self.conn {
            Conn::Lite(_) => self.query_map(args, f),
            Conn::Pg(p) => {
                let args = args.outputs()?;
                let rows = p.query(&self.sql, &args)?;
                let out: Vec<_> = rows.iter().map(|r| f(&Row::Pg(r))).collect();
                Ok(out.into_iter())
            }
        }
    }

    /// Every row through `f`, each result kept (as rusqlite's `query_map`
    /// gives them, for `collect::<rusqlite::Result<_>>()`).
    pub(crate) fn query_map<T>(
        &mut self,
        args: impl Args,
        mut f: impl FnMut(&Row) -> rusqlite::Result<T>,
    ) -> Result<std::vec::IntoIter<rusqlite::Result<T>>> {
        let mut out = Vec::new();
        self.conn.for_each(&self.sql, args, |r| {
            out.push(f(r));
            Ok::<(), StoreError>(())
        })?;
        Ok(out.into_iter())
    }

    pub(crate) fn query_row<T>(
        &mut self,
        args: impl Args,
        f: impl FnOnce(&Row) -> rusqlite::Result<T>,
    ) -> Result<T> {
        self.conn.query_row(&self.sql, args, f)
    }

    pub(crate) fn query_opt<T>(
        &mut self,
        args: impl Args,
        f: impl FnOnce(&Row) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        self.conn.query_opt(&self.sql, args, f)
    }

    pub(crate) fn execute(&mut self, args: impl Args) -> Result<usize> {
        self.conn.execute(&self.sql, args)
    }

    /// Each row through `f`, streamed (`Conn::for_each`).
    pub(crate) fn for_each<E: From<StoreError>>(
        &mut self,
        args: impl Args,
        f: impl FnMut(&Row) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.conn.for_each(&self.sql, args, f)
    }
}

/// A write transaction (`Conn::begin_write`). Queries go through it as
/// through the connection (`Deref`).
pub(crate) struct Tx<'a> {
    conn: &'a Conn,
    done: bool,
}

impl Tx<'_> {
    pub(crate) fn commit(mut self) -> Result<()> {
        self.done = true;
        self.end("COMMIT")
    }

    pub(crate) fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.end("ROLLBACK")
    }

    fn end(&self, sql: &str) -> Result<()> {
        if let Conn::Pg(p) = self.conn {
            p.in_transaction.set(false);
        }
        self.conn.execute_batch(sql)
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Nothing to report: a failed rollback leaves the transaction
            // to die with the connection, which also rolls it back.
            let _ = self.end("ROLLBACK");
        }
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

/// Whether `e` is a unique constraint refusing a duplicate, on either engine.
pub(crate) fn is_unique_violation(e: &StoreError) -> bool {
    match e {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => {
            f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        }
        StoreError::Postgres(p) => p.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
        _ => false,
    }
}

/// SQLite's placeholders as PostgreSQL's, and which value each takes:
/// `?N` and bare `?` (the next number) become `$1`, `$2`... in order of
/// first use, and the list gives, for each, the position of the caller's
/// value (0-based). A value no placeholder uses is not sent: PostgreSQL
/// must know every parameter's type, and an unused one has none (an update
/// that leaves `recorded_by` as it was binds it all the same).
/// Quoted text and identifiers are left alone.
pub(crate) fn postgres_sql(sql: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut order: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                let n = match digits.parse::<usize>() {
                    Ok(n) => n,
                    Err(_) => next + 1,
                };
                next = next.max(n);
                let at = match order.iter().position(|&o| o == n - 1) {
                    Some(i) => i,
                    None => {
                        order.push(n - 1);
                        order.len() - 1
                    }
                };
                out.push('$');
                out.push_str(&(at + 1).to_string());
            }
            None => out.push(c),
        }
    }
    (out, order)
}

/// A value bound on PostgreSQL: whatever type the server expects for the
/// parameter, from the SQLite value given (an integer binds to `int2`,
/// `int4`, `int8`, `bool` or text; text to any text type; a blob to bytea).
#[derive(Debug)]
struct PgParam(Value);

fn pg_params(args: &[ToSqlOutput<'_>], order: &[usize]) -> Result<Vec<PgParam>> {
    order
        .iter()
        .map(|&i| {
            let a = args.get(i).ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "a statement wants value {} of {}",
                    i + 1,
                    args.len()
                ))
            })?;
            let v: Value = match a {
                ToSqlOutput::Borrowed(r) => (*r).into(),
                ToSqlOutput::Owned(v) => v.clone(),
                other => {
                    return Err(StoreError::Corrupt(format!(
                        "a value of a kind PostgreSQL cannot take: {other:?}"
                    )))
                }
            };
            Ok(PgParam(v))
        })
        .collect()
}

type BoxError = Box<dyn StdError + Sync + Send>;

impl postgres::types::ToSql for PgParam {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, BoxError> {
        use postgres::types::{IsNull, Type};
        match (&self.0, ty) {
            (Value::Null, _) => return Ok(IsNull::Yes),
            (Value::Integer(i), &Type::INT8) => return postgres::types::ToSql::to_sql(i, ty, out),
            (Value::Integer(i), &Type::INT4) => {
                return postgres::types::ToSql::to_sql(&i32::try_from(*i)?, ty, out)
            }
            (Value::Integer(i), &Type::INT2) => {
                return postgres::types::ToSql::to_sql(&i16::try_from(*i)?, ty, out)
            }
            (Value::Integer(i), &Type::BOOL) => {
                return postgres::types::ToSql::to_sql(&(*i != 0), ty, out)
            }
            (Value::Integer(i), &Type::FLOAT8) => {
                return postgres::types::ToSql::to_sql(&(*i as f64), ty, out)
            }
            (Value::Integer(i), t) if is_text(t) => out.extend_from_slice(i.to_string().as_bytes()),
            (Value::Real(f), &Type::FLOAT8) => return postgres::types::ToSql::to_sql(&f, ty, out),
            (Value::Real(f), &Type::FLOAT4) => {
                return postgres::types::ToSql::to_sql(&(*f as f32), ty, out)
            }
            (Value::Text(s), t) if is_text(t) => out.extend_from_slice(s.as_bytes()),
            (Value::Blob(b), &Type::BYTEA) => out.extend_from_slice(b),
            (v, t) => {
                return Err(format!("cannot bind {v:?} as a PostgreSQL {t}").into());
            }
        };
        Ok(IsNull::No)
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn is_text(t: &postgres::types::Type) -> bool {
    use postgres::types::Type;
    [
        Type::TEXT,
        Type::VARCHAR,
        Type::BPCHAR,
        Type::NAME,
        Type::UNKNOWN,
    ]
    .contains(t)
}

/// A PostgreSQL column as the SQLite value it would be.
struct PgValue(Value);

impl<'a> postgres::types::FromSql<'a> for PgValue {
    fn from_sql(
        ty: &postgres::types::Type,
        raw: &'a [u8],
    ) -> std::result::Result<PgValue, BoxError> {
        use postgres::types::Type;
        let v = match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Integer(i16::from_sql(ty, raw)?.into()),
            Type::OID => Value::Integer(u32::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Integer(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => Value::Blob(raw.to_vec()),
            ref t if is_text(t) => Value::Text(String::from_sql(ty, raw)?),
            ref t => return Err(format!("opweek cannot read a PostgreSQL {t}").into()),
        };
        Ok(PgValue(v))
    }

    fn from_sql_null(_: &postgres::types::Type) -> std::result::Result<PgValue, BoxError> {
        Ok(PgValue(Value::Null))
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }
}

/// PostgreSQL's binary `numeric` (what `sum` of integers gives): an integer
/// when it has no fraction and fits, else a real.
fn numeric(raw: &[u8]) -> std::result::Result<Value, BoxError> {
    let word = |i: usize| -> std::result::Result<u16, BoxError> {
        let b = raw.get(2 * i..2 * i + 2).ok_or("a numeric too short")?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    };
    let ndigits = usize::from(word(0)?);
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    let dscale = word(3)?;
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let negative = sign == 0x4000;
    let mut whole: i128 = 0;
    let mut fraction = 0f64;
    for i in 0..ndigits {
        let d = i32::from(word(4 + i)?);
        let power = weight - i as i32;
        if power >= 0 {
            whole = whole
                .checked_mul(10000)
                .and_then(|w| w.checked_add(i128::from(d)))
                .ok_or("a numeric too large")?;
        } else {
            fraction += f64::from(d) * 10000f64.powi(power);
        }
    }
    // Trailing whole groups not written out (weight beyond the digits).
    let written = ndigits as i32;
    for _ in written..=weight {
        whole = whole.checked_mul(10000).ok_or("a numeric too large")?;
    }
    if ndigits == 0 {
        whole = 0;
    }
    let whole = if negative { -whole } else { whole };
    if dscale == 0 || fraction == 0.0 {
        if let Ok(i) = i64::try_from(whole) {
            return Ok(Value::Integer(i));
        }
    }
    let f = whole as f64 + if negative { -fraction } else { fraction };
    Ok(Value::Real(f))
}

fn pg_value(r: &postgres::Row, i: usize) -> rusqlite::Result<Value> {
    r.try_get::<_, PgValue>(i).map(|v| v.0).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Null, Box::new(e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered() {
        assert_eq!(
            postgres_sql("SELECT a FROM t WHERE b = ?1 AND c = ?2 OR d = ?1"),
            (
                "SELECT a FROM t WHERE b = $1 AND c = $2 OR d = $1".into(),
                vec![0, 1]
            )
        );
        assert_eq!(
            postgres_sql("VALUES (?, ?, ?)"),
            ("VALUES ($1, $2, $3)".into(), vec![0, 1, 2])
        );
        assert_eq!(
            postgres_sql("SELECT '?' || \"a?\" FROM t WHERE x = ?"),
            ("SELECT '?' || \"a?\" FROM t WHERE x = $1".into(), vec![0])
        );
        // Values no placeholder uses are not sent; the rest keep their order.
        assert_eq!(
            postgres_sql("UPDATE t SET a = ?2, b = ?4 WHERE id = ?1"),
            (
                "UPDATE t SET a = $1, b = $2 WHERE id = $3".into(),
                vec![1, 3, 0]
            )
        );
    }

    #[test]
    fn numerics_read_as_integers_when_whole() {
        // 77115 = 7 * 10000 + 7115: two digits, weight 1.
        let raw = [0u8, 2, 0, 1, 0, 0, 0, 0, 0, 7, 0x1b, 0xcb];
        assert!(matches!(numeric(&raw).unwrap(), Value::Integer(77115)));
        // 20000 = 2 * 10000^1, one digit written.
        let raw = [0u8, 1, 0, 1, 0, 0, 0, 0, 0, 2];
        assert!(matches!(numeric(&raw).unwrap(), Value::Integer(20000)));
        // zero
        let raw = [0u8, 0, 0, 0, 0, 0, 0, 0];
        assert!(matches!(numeric(&raw).unwrap(), Value::Integer(0)));
        // -5
        let raw = [0u8, 1, 0, 0, 0x40, 0, 0, 0, 0, 5];
        assert!(matches!(numeric(&raw).unwrap(), Value::Integer(-5)));
    }
}
