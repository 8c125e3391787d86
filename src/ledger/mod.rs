//! The admissions ledger: who was let in, at which gate, when, and by whom — the
//! one record floktu keeps that Floktu does not have (its API cannot check anyone
//! in).
//!
//! - [`Ledger`] is the record, as the door and `floktu admit` use it.
//! - [`Sqlite`] (`sqlite.rs`) is the embedded default, one file shared by every
//!   floktu process on the machine (several SSH sessions are several gates).
//! - [`Postgres`] (`postgres.rs`) is for gates on several machines.
//! - [`Queued`] (`queue.rs`) wraps a remote ledger: while it cannot be reached,
//!   admissions wait in the local SQLite file and are replayed when it is back.
//! - [`judge`] (`judge.rs`) puts the ledger into the door's verdict (ARCHITECTURE.md, "Rules of the data").
//!
//! The promises every implementation keeps: an admission is committed (on disk,
//! or acknowledged by the server) before [`Ledger::admit`] returns; a ticket is
//! admitted once however many gates race on it (a unique index over the
//! admissions not undone); an undo is recorded on the admission, never a deletion.

mod judge;
mod postgres;
mod queue;
mod sqlite;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use judge::{DoorVerdict, ago, judge};
pub use postgres::Postgres;
pub use queue::{Queued, Refusal};
pub use sqlite::Sqlite;

/// A door's name ("north"), as recorded with each admission it makes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Gate(String);

impl Gate {
    /// A gate called `name` (trimmed); `None` for a blank name.
    pub fn new(name: &str) -> Option<Gate> {
        let name = name.trim();
        (!name.is_empty()).then(|| Gate(name.to_string()))
    }

    /// The default gate: this machine's host name ("gate" when it has none).
    pub fn this_host() -> Gate {
        let from_file = |p: &str| std::fs::read_to_string(p).ok();
        from_file("/proc/sys/kernel/hostname")
            .or_else(|| from_file("/etc/hostname"))
            .or_else(|| std::env::var("HOSTNAME").ok())
            .and_then(|h| Gate::new(&h))
            .unwrap_or_else(|| Gate("gate".into()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The person at the terminal: `$USER`, else `$LOGNAME`, else the name the
/// system gives this process's user (from `/etc/passwd`), else "uid N"; only
/// "unknown" where none of these can be read.
pub fn terminal_user() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|u| u.trim().to_string())
        .find(|u| !u.is_empty())
        .or_else(system_user)
        .unwrap_or_else(|| "unknown".into())
}

/// This process's user as the system names it, without `unsafe`: the owner of
/// `/proc/self` is the effective uid, and `/etc/passwd` maps it to a name.
fn system_user() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let name = passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid.to_string() && !name.is_empty()).then(|| name.to_string())
    });
    Some(name.unwrap_or_else(|| format!("uid {uid}")))
}

/// The current time as the ledgers store it (whole microseconds, as PostgreSQL
/// keeps them), so that a time read back equals the one written.
pub fn now() -> DateTime<Utc> {
    micros_to_time(Utc::now().timestamp_micros()).unwrap_or_else(Utc::now)
}

pub(crate) fn micros_to_time(us: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_micros(us)
}

/// An undo of an admission: when, and at which gate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Undo {
    /// When it was undone.
    pub at: DateTime<Utc>,
    /// The gate that undid it.
    pub gate: Gate,
}

/// One guest let in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Admission {
    /// Floktu's event id.
    pub event_id: u64,
    /// The attendee (the ticket).
    pub attendee_id: u64,
    /// The attendee's order.
    pub order_id: u64,
    /// Where they came in.
    pub gate: Gate,
    /// When.
    pub at: DateTime<Utc>,
    /// Who was at the terminal (`$USER`).
    pub user: String,
    /// Set when the admission was undone (it then no longer counts).
    pub undone: Option<Undo>,
}

/// An admission to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAdmission {
    /// Floktu's event id.
    pub event_id: u64,
    /// The attendee (the ticket).
    pub attendee_id: u64,
    /// The attendee's order.
    pub order_id: u64,
    /// This gate.
    pub gate: Gate,
    /// When (see [`now`]).
    pub at: DateTime<Utc>,
    /// Who is at the terminal (see [`terminal_user`]).
    pub user: String,
}

impl NewAdmission {
    /// `attendee_id` of `order_id` at `gate`, now, by the terminal's user.
    pub fn now(event_id: u64, attendee_id: u64, order_id: u64, gate: &Gate) -> NewAdmission {
        NewAdmission { event_id, attendee_id, order_id, gate: gate.clone(), at: now(), user: terminal_user() }
    }

    pub(crate) fn recorded(self) -> Admission {
        Admission {
            event_id: self.event_id,
            attendee_id: self.attendee_id,
            order_id: self.order_id,
            gate: self.gate,
            at: self.at,
            user: self.user,
            undone: None,
        }
    }
}

/// What [`Ledger::admit`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Admitted {
    /// Recorded now: let them in.
    New(Admission),
    /// The ticket had been admitted already (by this gate or another): the
    /// admission that counts, with its gate and time. Nothing was recorded.
    Already(Admission),
    /// The ledger cannot be reached: the admission waits, durably, in the local
    /// queue and is replayed when the ledger is back. Let them in.
    Queued {
        /// The admission as queued.
        admission: Admission,
        /// Admissions waiting in the queue, this one included.
        queued: usize,
    },
}

impl Admitted {
    /// The admission concerned (recorded, queued, or the earlier one that counts).
    pub fn admission(&self) -> &Admission {
        match self {
            Admitted::New(a) | Admitted::Already(a) => a,
            Admitted::Queued { admission, .. } => admission,
        }
    }
}

/// Whether the ledger is reachable, and what waits for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Health {
    /// Why the ledger could not be reached on the last try; `None` when it answered.
    pub unreachable: Option<String>,
    /// Admissions waiting in the local queue.
    pub queued: usize,
}

/// What went wrong with the ledger.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The ledger's server cannot be reached (down, network, connection lost).
    /// [`Queued`] queues admissions on this error.
    #[error("the admissions ledger at {at} cannot be reached: {reason}")]
    Unreachable {
        /// Where the ledger is (host and database, no password).
        at: String,
        /// What the connection said.
        reason: String,
    },
    /// The ledger answered with an error, or its file could not be used.
    #[error("admissions ledger {at}: {reason}")]
    Failed {
        /// The file or server.
        at: String,
        /// What failed, and what to do where that is known.
        reason: String,
    },
    /// A stored value floktu cannot read (an id out of range, a bad time).
    #[error("admissions ledger {at}: unreadable row: {reason}")]
    Corrupt {
        /// The file or server.
        at: String,
        /// Which value.
        reason: String,
    },
}

impl LedgerError {
    /// True for [`LedgerError::Unreachable`].
    pub fn is_unreachable(&self) -> bool {
        matches!(self, LedgerError::Unreachable { .. })
    }
}

/// The admissions record. Every method is committed before it returns.
#[async_trait::async_trait]
pub trait Ledger: Send + Sync {
    /// Records `a` unless the ticket is admitted already (and not undone); two
    /// gates racing on one ticket admit it once, and the loser gets the winner's
    /// admission in [`Admitted::Already`].
    async fn admit(&self, a: NewAdmission) -> Result<Admitted, LedgerError>;

    /// Undoes `gate`'s last admission at `event_id` that is not undone yet, and
    /// returns it (with its undo); `None` when the gate has nothing to undo.
    /// The undo is recorded on the admission, which stays in the record.
    async fn undo_last(&self, event_id: u64, gate: &Gate) -> Result<Option<Admission>, LedgerError>;

    /// The event's admissions (at `gate` only, when given), oldest first, undone
    /// ones included and marked.
    async fn admissions(&self, event_id: u64, gate: Option<&Gate>) -> Result<Vec<Admission>, LedgerError>;

    /// The admission of `attendee_id` that counts (not undone), if any.
    async fn admitted(&self, event_id: u64, attendee_id: u64) -> Result<Option<Admission>, LedgerError>;

    /// Every admission of the event that counts, by attendee: one query, for a
    /// door to load as it opens.
    async fn of_event(&self, event_id: u64) -> Result<HashMap<u64, Admission>, LedgerError>;

    /// Reachable, and how many admissions wait to be replayed. Only [`Queued`]
    /// ever has a queue; the others are reachable or fail.
    async fn health(&self) -> Health {
        Health::default()
    }

    /// Queued admissions that the ledger refused when they were replayed (the
    /// ticket had been admitted elsewhere meanwhile), not reported before; each is
    /// reported once. Only [`Queued`] has any.
    async fn take_refusals(&self) -> Result<Vec<Refusal>, LedgerError> {
        Ok(Vec::new())
    }

    /// Where the record is, for `floktu status` and messages (no password).
    fn describe(&self) -> String;
}

/// Which ledger to use: `--ledger`, `FLOKTU_LEDGER` or config `ledger`, else the
/// SQLite file in the data directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerSpec {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL server (`postgres://…`), with the local SQLite file that
    /// queues admissions while it cannot be reached.
    Postgres {
        /// The connection URL, as given.
        url: String,
        /// The local file for the queue.
        queue: PathBuf,
    },
}

/// The ledger file in a data directory.
pub fn default_file(data_dir: &Path) -> PathBuf {
    data_dir.join("admissions.db")
}

impl LedgerSpec {
    /// `setting` (`postgres://…`, `postgresql://…`, `sqlite:PATH`), or the
    /// default file in `data_dir` when there is none.
    pub fn parse(setting: Option<&str>, data_dir: &Path) -> Result<LedgerSpec, LedgerError> {
        let local = default_file(data_dir);
        let Some(s) = setting.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(LedgerSpec::Sqlite(local));
        };
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(LedgerSpec::Postgres { url: s.to_string(), queue: local });
        }
        if let Some(path) = s.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if !path.is_empty() {
                return Ok(LedgerSpec::Sqlite(PathBuf::from(path)));
            }
        }
        Err(LedgerError::Failed {
            at: "--ledger".into(),
            reason: format!(
                "{:?} is not a ledger: give postgres://USER@HOST/DB or sqlite:PATH (without, the file in {})",
                crate::text::sanitize(s),
                data_dir.display()
            ),
        })
    }

    /// Opens the ledger (creating the file, or the tables, on first use). A
    /// PostgreSQL ledger that cannot be reached now still opens: it queues.
    pub async fn open(&self) -> Result<Arc<dyn Ledger>, LedgerError> {
        match self {
            LedgerSpec::Sqlite(path) => Ok(Arc::new(Sqlite::open(path).await?)),
            LedgerSpec::Postgres { url, queue } => {
                let remote = Postgres::new(url)?;
                let local = Sqlite::open(queue).await?;
                Ok(Arc::new(Queued::new(remote, local).await))
            }
        }
    }
}

pub(crate) fn id_to_sql(at: &str, what: &str, id: u64) -> Result<i64, LedgerError> {
    i64::try_from(id).map_err(|_| LedgerError::Failed {
        at: at.into(),
        reason: format!("{what} {id} is too large to store"),
    })
}

pub(crate) fn id_from_sql(at: &str, what: &str, v: i64) -> Result<u64, LedgerError> {
    u64::try_from(v).map_err(|_| LedgerError::Corrupt { at: at.into(), reason: format!("{what} {v}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ledger_setting_names_postgres_or_a_sqlite_file() {
        let data = Path::new("/d");
        assert_eq!(LedgerSpec::parse(None, data).unwrap(), LedgerSpec::Sqlite("/d/admissions.db".into()));
        assert_eq!(
            LedgerSpec::parse(Some("sqlite:/x/l.db"), data).unwrap(),
            LedgerSpec::Sqlite("/x/l.db".into())
        );
        assert!(matches!(
            LedgerSpec::parse(Some("postgres://u@h/db"), data).unwrap(),
            LedgerSpec::Postgres { queue, .. } if queue == Path::new("/d/admissions.db")
        ));
        assert!(LedgerSpec::parse(Some("mysql://h"), data).is_err());
    }

    #[test]
    fn a_blank_gate_name_is_no_gate() {
        assert_eq!(Gate::new("  "), None);
        assert_eq!(Gate::new(" north ").unwrap().as_str(), "north");
    }
}
