//! A remote ledger that keeps working while it cannot be reached.
//!
//! [`Queued`] passes every call to the remote ledger. When the remote cannot be
//! reached, an admission is stored durably in the local SQLite file (table
//! `pending`, keyed by the remote's label so that a queue meant for one server is
//! never replayed into another) and [`Admitted::Queued`] says so; the door shows
//! "ledger unreachable — N queued". Reads fall back to what the queue knows, and
//! [`Ledger::health`] says the answer is partial.
//!
//! Replay, before every call once the remote answers again, oldest first, each
//! with its original gate, time and user. A queued ticket that the remote had
//! admitted meanwhile (at another gate) is not admitted twice: the queued row is
//! marked refused with the winner's gate and time, and [`Ledger::take_refusals`]
//! reports it once ("queued admission of X was refused on replay: already admitted
//! at north 19:42"). A replay cut short by a crash is harmless: a queued row
//! whose admission is already in the remote, same gate, time and user, counts as
//! replayed.
//!
//! While unreachable, the remote is tried again at most every [`RETRY_EVERY`], so
//! that a scan does not wait for a connection timeout each time. An undo while
//! unreachable undoes this gate's last queued admission; an admission already in
//! the remote cannot be undone until it is back.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::sqlite::{RawRow, collect, ids, sql};
use super::{Admission, Admitted, Gate, Health, Ledger, LedgerError, NewAdmission, Sqlite, id_to_sql};

/// While the remote is unreachable, how long before it is tried again.
pub(crate) const RETRY_EVERY: Duration = Duration::from_secs(5);

const COLUMNS: &str = "event_id, attendee_id, order_id, gate, at_us, user, undone_at_us, undone_gate";

/// A queued admission that the remote refused on replay: the ticket had been
/// admitted elsewhere while this gate was cut off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The admission this gate queued (and let in).
    pub queued: Admission,
    /// The admission that counts.
    pub winner: Admission,
}

impl Refusal {
    /// "queued admission of 123 was refused on replay: already admitted at north 19:42".
    pub fn message(&self) -> String {
        let local = self.winner.at.with_timezone(&chrono::Local).format("%H:%M");
        format!(
            "queued admission of {} (order {}) was refused on replay: already admitted at {} {local}",
            self.queued.attendee_id, self.queued.order_id, self.winner.gate
        )
    }
}

/// A remote ledger with a local queue for when it cannot be reached.
pub struct Queued {
    remote: Box<dyn Ledger>,
    local: Sqlite,
    /// The remote's name in the queue.
    key: String,
    state: Mutex<Reach>,
}

#[derive(Default)]
struct Reach {
    /// The last connection failure, while it lasts.
    unreachable: Option<String>,
    /// Not before this instant is the remote tried again.
    retry_at: Option<Instant>,
}

impl Queued {
    /// `remote`, with its queue in `local`'s file; whatever was queued before is
    /// replayed as soon as the remote answers.
    pub async fn new(remote: impl Ledger + 'static, local: Sqlite) -> Queued {
        let key = remote.describe();
        Queued { remote: Box::new(remote), local, key, state: Mutex::new(Reach::default()) }
    }

    fn reach(&self) -> std::sync::MutexGuard<'_, Reach> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn waiting(&self) -> bool {
        self.reach().retry_at.is_some_and(|at| Instant::now() < at)
    }

    fn went_away(&self, e: &LedgerError) {
        let mut reach = self.reach();
        reach.unreachable = Some(e.to_string());
        reach.retry_at = Some(Instant::now() + RETRY_EVERY);
    }

    fn came_back(&self) {
        *self.reach() = Reach::default();
    }

    /// Replays the queue now (even while waiting to retry). Returns how many
    /// queued admissions the remote took, or the connection error that stopped
    /// it (the rest stay queued); refusals are kept for [`Ledger::take_refusals`].
    pub async fn replay(&self) -> Result<usize, LedgerError> {
        let pending = self.local.queued(self.key.clone()).await?;
        let mut done = 0;
        for (id, queued) in pending {
            let new = NewAdmission {
                event_id: queued.event_id,
                attendee_id: queued.attendee_id,
                order_id: queued.order_id,
                gate: queued.gate.clone(),
                at: queued.at,
                user: queued.user.clone(),
            };
            match self.remote.admit(new).await {
                Ok(Admitted::Already(winner)) if !same(&winner, &queued) => {
                    tracing::warn!("queued admission of {} refused on replay", queued.attendee_id);
                    self.local.replayed(id, Some(winner)).await?;
                }
                Ok(_) => self.local.replayed(id, None).await?,
                Err(e) => {
                    if e.is_unreachable() {
                        self.went_away(&e);
                    }
                    return Err(e);
                }
            }
            done += 1;
        }
        self.came_back();
        Ok(done)
    }

    /// Replays what is queued unless the remote is known to be away; true when
    /// the remote can be used now (reachable, queue empty).
    async fn catch_up(&self) -> Result<bool, LedgerError> {
        if self.waiting() {
            return Ok(false);
        }
        match self.replay().await {
            Ok(_) => Ok(true),
            Err(e) if e.is_unreachable() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `call` on the remote when it can be reached; `fallback` on the queue when not.
    async fn either<T>(
        &self,
        call: impl Future<Output = Result<T, LedgerError>>,
        fallback: impl Future<Output = Result<T, LedgerError>>,
    ) -> Result<T, LedgerError> {
        if self.catch_up().await? {
            match call.await {
                Err(e) if e.is_unreachable() => self.went_away(&e),
                other => return other,
            }
        }
        fallback.await
    }
}

/// The remote's admission is the queued one itself (a replay cut short after the remote took it).
fn same(remote: &Admission, queued: &Admission) -> bool {
    remote.gate == queued.gate && remote.at == queued.at && remote.user == queued.user
}

#[async_trait::async_trait]
impl Ledger for Queued {
    async fn admit(&self, a: NewAdmission) -> Result<Admitted, LedgerError> {
        let key = self.key.clone();
        self.either(self.remote.admit(a.clone()), self.local.enqueue(key, a)).await
    }

    async fn undo_last(&self, event_id: u64, gate: &Gate) -> Result<Option<Admission>, LedgerError> {
        let queued = self.local.undo_queued(self.key.clone(), event_id, gate.clone());
        if self.catch_up().await? {
            match self.remote.undo_last(event_id, gate).await {
                Err(e) if e.is_unreachable() => self.went_away(&e),
                other => return other,
            }
        }
        match queued.await? {
            Some(a) => Ok(Some(a)),
            None => Err(LedgerError::Unreachable {
                at: self.key.clone(),
                reason: format!(
                    "{}; only admissions queued here can be undone until it is back",
                    self.reach().unreachable.clone().unwrap_or_else(|| "no answer".into())
                ),
            }),
        }
    }

    async fn admissions(&self, event_id: u64, gate: Option<&Gate>) -> Result<Vec<Admission>, LedgerError> {
        let queued = self.local.queued_of(self.key.clone(), event_id);
        let gate_owned = gate.cloned();
        self.either(self.remote.admissions(event_id, gate), async move {
            let all = queued.await?;
            Ok(all.into_iter().filter(|a| gate_owned.as_ref().is_none_or(|g| &a.gate == g)).collect())
        })
        .await
    }

    async fn admitted(&self, event_id: u64, attendee_id: u64) -> Result<Option<Admission>, LedgerError> {
        let queued = self.local.queued_of(self.key.clone(), event_id);
        self.either(self.remote.admitted(event_id, attendee_id), async move {
            Ok(queued.await?.into_iter().find(|a| a.attendee_id == attendee_id && a.undone.is_none()))
        })
        .await
    }

    async fn of_event(&self, event_id: u64) -> Result<HashMap<u64, Admission>, LedgerError> {
        let queued = self.local.queued_of(self.key.clone(), event_id);
        self.either(self.remote.of_event(event_id), async move {
            Ok(queued.await?.into_iter().filter(|a| a.undone.is_none()).map(|a| (a.attendee_id, a)).collect())
        })
        .await
    }

    async fn health(&self) -> Health {
        let queued = self.local.queue_len(self.key.clone()).await.unwrap_or(0);
        Health { unreachable: self.reach().unreachable.clone(), queued }
    }

    async fn take_refusals(&self) -> Result<Vec<Refusal>, LedgerError> {
        self.local.refusals(self.key.clone()).await
    }

    fn describe(&self) -> String {
        format!("{} (queue in {})", self.key, self.local.path().display())
    }
}

/// The queue's rows, in the local file.
impl Sqlite {
    /// Queues `a` for the ledger `key`, unless this ticket is queued already.
    async fn enqueue(&self, key: String, a: NewAdmission) -> Result<Admitted, LedgerError> {
        self.with(move |conn, at| {
            let (event, attendee, order) = ids(at, &a)?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql(at))?;
            let inserted = tx
                .execute(
                    "INSERT INTO pending (ledger, event_id, attendee_id, order_id, gate, at_us, user)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                    params![key, event, attendee, order, a.gate.as_str(), a.at.timestamp_micros(), a.user],
                )
                .map_err(sql(at))?;
            let outcome = if inserted == 1 {
                let queued = count(&tx, at, &key)?;
                Admitted::Queued { admission: a.recorded(), queued }
            } else {
                let earlier = tx
                    .query_row(
                        &format!(
                            "SELECT {COLUMNS} FROM pending WHERE ledger = ?1 AND event_id = ?2 AND attendee_id = ?3
                             AND undone_at_us IS NULL AND replayed_at_us IS NULL"
                        ),
                        params![key, event, attendee],
                        |r| RawRow::read(r, 0),
                    )
                    .map_err(sql(at))?;
                Admitted::Already(earlier.admission(at)?)
            };
            tx.commit().map_err(sql(at))?;
            Ok(outcome)
        })
        .await
    }

    /// Queued admissions not replayed nor undone, oldest first, with their row ids.
    async fn queued(&self, key: String) -> Result<Vec<(i64, Admission)>, LedgerError> {
        self.with(move |conn, at| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT id, {COLUMNS} FROM pending
                     WHERE ledger = ?1 AND replayed_at_us IS NULL AND undone_at_us IS NULL ORDER BY id"
                ))
                .map_err(sql(at))?;
            let rows = stmt
                .query_map(params![key], |r| Ok((r.get::<_, i64>(0)?, RawRow::read(r, 1)?)))
                .map_err(sql(at))?;
            let mut out = Vec::new();
            for row in rows {
                let (id, raw) = row.map_err(sql(at))?;
                out.push((id, raw.admission(at)?));
            }
            Ok(out)
        })
        .await
    }

    /// Every queued admission of the event not replayed yet (undone ones marked).
    async fn queued_of(&self, key: String, event_id: u64) -> Result<Vec<Admission>, LedgerError> {
        self.with(move |conn, at| {
            let event = id_to_sql(at, "event id", event_id)?;
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM pending WHERE ledger = ?1 AND event_id = ?2 AND replayed_at_us IS NULL
                     ORDER BY id"
                ))
                .map_err(sql(at))?;
            collect(&mut stmt, params![key, event], at)
        })
        .await
    }

    /// Marks a queued row replayed; `refused_by` is the admission that counts
    /// when the remote refused it.
    async fn replayed(&self, id: i64, refused_by: Option<Admission>) -> Result<(), LedgerError> {
        self.with(move |conn, at| {
            let now = super::now().timestamp_micros();
            let (refused, gate, winner_at, user) = match &refused_by {
                Some(w) => (1, Some(w.gate.as_str()), Some(w.at.timestamp_micros()), Some(w.user.as_str())),
                None => (0, None, None, None),
            };
            conn.execute(
                "UPDATE pending SET replayed_at_us = ?1, refused = ?2, winner_gate = ?3, winner_at_us = ?4,
                 winner_user = ?5 WHERE id = ?6",
                params![now, refused, gate, winner_at, user, id],
            )
            .map_err(sql(at))?;
            Ok(())
        })
        .await
    }

    /// Undoes `gate`'s last queued admission of the event (recorded, not deleted).
    async fn undo_queued(
        &self,
        key: String,
        event_id: u64,
        gate: Gate,
    ) -> Result<Option<Admission>, LedgerError> {
        self.with(move |conn, at| {
            let event = id_to_sql(at, "event id", event_id)?;
            let now = super::now().timestamp_micros();
            conn.query_row(
                &format!(
                    "UPDATE pending SET undone_at_us = ?1, undone_gate = ?2
                     WHERE id = (SELECT id FROM pending WHERE ledger = ?3 AND event_id = ?4 AND gate = ?2
                                 AND undone_at_us IS NULL AND replayed_at_us IS NULL ORDER BY id DESC LIMIT 1)
                     RETURNING {COLUMNS}"
                ),
                params![now, gate.as_str(), key, event],
                |r| RawRow::read(r, 0),
            )
            .optional()
            .map_err(sql(at))?
            .map(|raw| raw.admission(at))
            .transpose()
        })
        .await
    }

    /// Admissions waiting for the ledger `key`.
    async fn queue_len(&self, key: String) -> Result<usize, LedgerError> {
        self.with(move |conn, at| count(conn, at, &key)).await
    }

    /// Refusals not reported yet, marked reported.
    async fn refusals(&self, key: String) -> Result<Vec<Refusal>, LedgerError> {
        self.with(move |conn, at| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql(at))?;
            let mut found = Vec::new();
            {
                let mut stmt = tx
                    .prepare(&format!(
                        "SELECT id, {COLUMNS}, winner_gate, winner_at_us, winner_user FROM pending
                         WHERE ledger = ?1 AND refused = 1 AND reported = 0 ORDER BY id"
                    ))
                    .map_err(sql(at))?;
                let rows = stmt
                    .query_map(params![key], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            RawRow::read(r, 1)?,
                            r.get::<_, Option<String>>(9)?,
                            r.get::<_, Option<i64>>(10)?,
                            r.get::<_, Option<String>>(11)?,
                        ))
                    })
                    .map_err(sql(at))?;
                for row in rows {
                    let (id, raw, gate, winner_at, user) = row.map_err(sql(at))?;
                    let queued = raw.admission(at)?;
                    let winner = Admission {
                        gate: gate.and_then(|g| Gate::new(&g)).unwrap_or_else(|| Gate("?".into())),
                        at: winner_at.and_then(super::micros_to_time).unwrap_or(DateTime::<Utc>::MIN_UTC),
                        user: user.unwrap_or_default(),
                        undone: None,
                        ..queued.clone()
                    };
                    found.push((id, Refusal { queued, winner }));
                }
            }
            for (id, _) in &found {
                tx.execute("UPDATE pending SET reported = 1 WHERE id = ?1", params![id]).map_err(sql(at))?;
            }
            tx.commit().map_err(sql(at))?;
            Ok(found.into_iter().map(|(_, r)| r).collect())
        })
        .await
    }
}

fn count(conn: &rusqlite::Connection, at: &str, key: &str) -> Result<usize, LedgerError> {
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM pending WHERE ledger = ?1 AND replayed_at_us IS NULL AND undone_at_us IS NULL",
            params![key],
            |r| r.get(0),
        )
        .map_err(sql(at))?;
    Ok(usize::try_from(n).unwrap_or(0))
}
