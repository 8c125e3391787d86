//! The embedded ledger: one SQLite file, `$XDG_DATA_HOME/floktu/admissions.db`,
//! shared by every floktu process on the machine.
//!
//! Why rusqlite with the bundled library rather than sqlx: the file is used by
//! one process's few admissions at a time, so a blocking connection on a
//! blocking thread costs nothing that an async driver would save; rusqlite
//! exposes what durability needs directly (pragmas, `BEGIN IMMEDIATE`,
//! `RETURNING`), compiles SQLite in (a known version with partial indexes and
//! `RETURNING` on every machine, no system library), and brings no macros
//! that need a database at build time. PostgreSQL goes through tokio-postgres,
//! which is natively async.
//!
//! Durability: WAL with `synchronous=FULL`, so a commit is fsynced before
//! `admit` returns and survives kill -9 and power loss. Several processes share
//! the file: writes take the lock at once (`BEGIN IMMEDIATE`) and wait for it up
//! to [`BUSY_TIMEOUT`]. The file is 0600 in a 0700 directory. The schema's
//! version is `PRAGMA user_version`; [`MIGRATIONS`] bring it up to date.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    Admission, Admitted, Gate, Ledger, LedgerError, NewAdmission, Undo, id_from_sql, id_to_sql,
    micros_to_time,
};

/// How long a write waits for another process holding the file.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema, one step per version: step `i` takes `user_version` from `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: admissions; a ticket counts once among the admissions not undone.
    "CREATE TABLE admissions (
        id INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL,
        attendee_id INTEGER NOT NULL,
        order_id INTEGER NOT NULL,
        gate TEXT NOT NULL,
        at_us INTEGER NOT NULL,
        user TEXT NOT NULL,
        undone_at_us INTEGER,
        undone_gate TEXT
     );
     CREATE UNIQUE INDEX admissions_once ON admissions (event_id, attendee_id) WHERE undone_at_us IS NULL;
     CREATE INDEX admissions_by_gate ON admissions (event_id, gate, id);",
    // 2: admissions waiting for a remote ledger, and how their replay went.
    "CREATE TABLE pending (
        id INTEGER PRIMARY KEY,
        ledger TEXT NOT NULL,
        event_id INTEGER NOT NULL,
        attendee_id INTEGER NOT NULL,
        order_id INTEGER NOT NULL,
        gate TEXT NOT NULL,
        at_us INTEGER NOT NULL,
        user TEXT NOT NULL,
        undone_at_us INTEGER,
        undone_gate TEXT,
        replayed_at_us INTEGER,
        refused INTEGER,
        winner_gate TEXT,
        winner_at_us INTEGER,
        winner_user TEXT,
        reported INTEGER NOT NULL DEFAULT 0
     );
     CREATE UNIQUE INDEX pending_once ON pending (ledger, event_id, attendee_id)
        WHERE undone_at_us IS NULL AND replayed_at_us IS NULL;",
];

const COLUMNS: &str = "event_id, attendee_id, order_id, gate, at_us, user, undone_at_us, undone_gate";

/// The SQLite ledger. Cheap to clone; every clone uses the same connection.
#[derive(Clone)]
pub struct Sqlite {
    conn: Arc<Mutex<Connection>>,
    path: Arc<PathBuf>,
}

impl Sqlite {
    /// Opens (creating if need be) the ledger file at `path`, brought up to the
    /// current schema.
    pub async fn open(path: &Path) -> Result<Sqlite, LedgerError> {
        let path = path.to_path_buf();
        let at = path.display().to_string();
        tokio::task::spawn_blocking(move || open_blocking(&path))
            .await
            .map_err(|e| LedgerError::Failed { at, reason: format!("the opening thread failed: {e}") })?
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the connection on a blocking thread, so the runtime never waits on the disk.
    pub(crate) async fn with<T, F>(&self, f: F) -> Result<T, LedgerError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &str) -> Result<T, LedgerError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let at = self.path.display().to_string();
        let failed_at = at.clone();
        tokio::task::spawn_blocking(move || {
            // A panic in another call poisons the lock; the connection is still usable.
            let mut conn = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut conn, &at)
        })
        .await
        .map_err(|e| LedgerError::Failed {
            at: failed_at,
            reason: format!("the ledger thread failed: {e}"),
        })?
    }
}

fn open_blocking(path: &Path) -> Result<Sqlite, LedgerError> {
    let at = path.display().to_string();
    let io = |what: &str, e: std::io::Error| LedgerError::Failed {
        at: at.clone(),
        reason: format!("{what}: {e}"),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(|e| io("creating its directory", e))?;
    }
    create_private_file(path).map_err(|e| io("creating the file", e))?;
    let mut conn = Connection::open(path).map_err(sql(&at))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql(&at))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(sql(&at))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(LedgerError::Failed {
            at,
            reason: format!("the file system refused write-ahead logging (journal mode {mode})"),
        });
    }
    conn.pragma_update(None, "synchronous", "FULL").map_err(sql(&at))?;
    migrate(&mut conn).map_err(sql(&at))?;
    Ok(Sqlite { conn: Arc::new(Mutex::new(conn)), path: Arc::new(path.to_path_buf()) })
}

/// Brings the schema up to date, once even when several processes open the file at once.
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let from = usize::try_from(version).unwrap_or(0);
    for (step, migration) in MIGRATIONS.iter().enumerate().skip(from) {
        tx.execute_batch(migration)?;
        tx.pragma_update(None, "user_version", step as i64 + 1)?;
    }
    tx.commit()
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    // Only a directory made here is made private: `sqlite:/tmp/x.db` must not
    // change who may use /tmp.
    if !dir.exists() {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    // SQLite gives its -wal and -shm files the database file's permissions.
    std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn create_private_file(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// A rusqlite error as a ledger error for the file `at`.
pub(crate) fn sql(at: &str) -> impl Fn(rusqlite::Error) -> LedgerError + '_ {
    move |e| {
        let busy = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked));
        let reason = if busy {
            format!("another floktu held the file for more than {} s; try again", BUSY_TIMEOUT.as_secs())
        } else {
            e.to_string()
        };
        LedgerError::Failed { at: at.to_string(), reason }
    }
}

/// The raw columns of [`COLUMNS`], read as they are; checked by [`RawRow::admission`].
pub(crate) struct RawRow {
    event_id: i64,
    attendee_id: i64,
    order_id: i64,
    gate: String,
    at_us: i64,
    user: String,
    undone_at_us: Option<i64>,
    undone_gate: Option<String>,
}

impl RawRow {
    /// Reads [`COLUMNS`] starting at column `first`.
    pub(crate) fn read(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<RawRow> {
        Ok(RawRow {
            event_id: r.get(first)?,
            attendee_id: r.get(first + 1)?,
            order_id: r.get(first + 2)?,
            gate: r.get(first + 3)?,
            at_us: r.get(first + 4)?,
            user: r.get(first + 5)?,
            undone_at_us: r.get(first + 6)?,
            undone_gate: r.get(first + 7)?,
        })
    }

    pub(crate) fn admission(self, at: &str) -> Result<Admission, LedgerError> {
        let corrupt = |reason: String| LedgerError::Corrupt { at: at.into(), reason };
        let time = |us: i64| micros_to_time(us).ok_or_else(|| corrupt(format!("time {us}")));
        let gate = |g: String| Gate::new(&g).ok_or_else(|| corrupt("a blank gate".into()));
        let undone = match (self.undone_at_us, self.undone_gate) {
            (Some(us), Some(g)) => Some(Undo { at: time(us)?, gate: gate(g)? }),
            (Some(us), None) => Some(Undo { at: time(us)?, gate: Gate("?".into()) }),
            _ => None,
        };
        Ok(Admission {
            event_id: id_from_sql(at, "event id", self.event_id)?,
            attendee_id: id_from_sql(at, "attendee id", self.attendee_id)?,
            order_id: id_from_sql(at, "order id", self.order_id)?,
            gate: gate(self.gate)?,
            at: time(self.at_us)?,
            user: self.user,
            undone,
        })
    }
}

/// The statement's rows as admissions.
pub(crate) fn collect(
    stmt: &mut rusqlite::Statement<'_>,
    params: impl rusqlite::Params,
    at: &str,
) -> Result<Vec<Admission>, LedgerError> {
    let rows = stmt.query_map(params, |r| RawRow::read(r, 0)).map_err(sql(at))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row.map_err(sql(at))?.admission(at)?);
    }
    Ok(out)
}

/// The SQL values of a new admission: event, attendee, order.
pub(crate) fn ids(at: &str, a: &NewAdmission) -> Result<(i64, i64, i64), LedgerError> {
    Ok((
        id_to_sql(at, "event id", a.event_id)?,
        id_to_sql(at, "attendee id", a.attendee_id)?,
        id_to_sql(at, "order id", a.order_id)?,
    ))
}

fn counting(
    conn: &Connection,
    at: &str,
    event: i64,
    attendee: i64,
) -> Result<Option<Admission>, LedgerError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM admissions WHERE event_id = ?1 AND attendee_id = ?2 AND undone_at_us IS NULL"),
        params![event, attendee],
        |r| RawRow::read(r, 0),
    )
    .optional()
    .map_err(sql(at))?
    .map(|raw| raw.admission(at))
    .transpose()
}

#[async_trait::async_trait]
impl Ledger for Sqlite {
    async fn admit(&self, a: NewAdmission) -> Result<Admitted, LedgerError> {
        self.with(move |conn, at| {
            let (event, attendee, order) = ids(at, &a)?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql(at))?;
            let inserted: Option<i64> = tx
                .query_row(
                    "INSERT INTO admissions (event_id, attendee_id, order_id, gate, at_us, user)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING RETURNING id",
                    params![event, attendee, order, a.gate.as_str(), a.at.timestamp_micros(), a.user],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sql(at))?;
            let outcome = match inserted {
                Some(_) => Admitted::New(a.recorded()),
                None => match counting(&tx, at, event, attendee)? {
                    Some(winner) => Admitted::Already(winner),
                    None => {
                        return Err(LedgerError::Corrupt {
                            at: at.into(),
                            reason: format!("admitting {attendee} conflicted with no admission"),
                        });
                    }
                },
            };
            tx.commit().map_err(sql(at))?;
            Ok(outcome)
        })
        .await
    }

    async fn undo_last(&self, event_id: u64, gate: &Gate) -> Result<Option<Admission>, LedgerError> {
        let gate = gate.clone();
        self.with(move |conn, at| {
            let event = id_to_sql(at, "event id", event_id)?;
            let undo_at = super::now().timestamp_micros();
            conn.query_row(
                &format!(
                    "UPDATE admissions SET undone_at_us = ?1, undone_gate = ?2
                     WHERE id = (SELECT id FROM admissions
                                 WHERE event_id = ?3 AND gate = ?2 AND undone_at_us IS NULL
                                 ORDER BY id DESC LIMIT 1)
                     RETURNING {COLUMNS}"
                ),
                params![undo_at, gate.as_str(), event],
                |r| RawRow::read(r, 0),
            )
            .optional()
            .map_err(sql(at))?
            .map(|raw| raw.admission(at))
            .transpose()
        })
        .await
    }

    async fn admissions(&self, event_id: u64, gate: Option<&Gate>) -> Result<Vec<Admission>, LedgerError> {
        let gate = gate.cloned();
        self.with(move |conn, at| {
            let event = id_to_sql(at, "event id", event_id)?;
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM admissions WHERE event_id = ?1 AND (?2 IS NULL OR gate = ?2) ORDER BY id"
                ))
                .map_err(sql(at))?;
            collect(&mut stmt, params![event, gate.as_ref().map(Gate::as_str)], at)
        })
        .await
    }

    async fn admitted(&self, event_id: u64, attendee_id: u64) -> Result<Option<Admission>, LedgerError> {
        self.with(move |conn, at| {
            counting(
                conn,
                at,
                id_to_sql(at, "event id", event_id)?,
                id_to_sql(at, "attendee id", attendee_id)?,
            )
        })
        .await
    }

    async fn of_event(&self, event_id: u64) -> Result<HashMap<u64, Admission>, LedgerError> {
        self.with(move |conn, at| {
            let event = id_to_sql(at, "event id", event_id)?;
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM admissions WHERE event_id = ?1 AND undone_at_us IS NULL"
                ))
                .map_err(sql(at))?;
            Ok(collect(&mut stmt, params![event], at)?.into_iter().map(|a| (a.attendee_id, a)).collect())
        })
        .await
    }

    fn describe(&self) -> String {
        format!("SQLite {}", self.path.display())
    }
}
