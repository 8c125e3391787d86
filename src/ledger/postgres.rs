//! The ledger on a PostgreSQL server, for gates on several machines:
//! `--ledger postgres://USER@HOST/DB` (or `FLOKTU_LEDGER`, or `ledger` in config.toml).
//!
//! The same schema idea as SQLite: one row per admission, a partial unique index
//! over the ones not undone, `INSERT … ON CONFLICT DO NOTHING RETURNING` and, on a
//! conflict, the winner read back. Under READ COMMITTED the loser's insert waits
//! for the winner's commit, so the winner's row is there to read.
//!
//! TLS: `sslmode=require` (or `prefer`, tokio-postgres' default) goes through
//! rustls with the system's trust store; `sslmode=disable` is plain TCP. The
//! schema's version is kept in `floktu_schema`, migrated under an advisory lock.
//! The connection is made on first use and again after it is lost; a connection
//! failure is [`LedgerError::Unreachable`], which [`super::Queued`] queues on.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Mutex;
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config, Row};

use super::{Admission, Admitted, Gate, Ledger, LedgerError, NewAdmission, Undo, id_from_sql, id_to_sql};

/// How long a connection attempt may take when the URL sets no `connect_timeout`.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one statement may take before the server counts as unreachable.
pub(crate) const STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema, one step per version (the row in `floktu_schema` says how many ran).
const MIGRATIONS: &[&str] = &["CREATE TABLE floktu_admissions (
        id BIGSERIAL PRIMARY KEY,
        event_id BIGINT NOT NULL,
        attendee_id BIGINT NOT NULL,
        order_id BIGINT NOT NULL,
        gate TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL,
        username TEXT NOT NULL,
        undone_at TIMESTAMPTZ,
        undone_gate TEXT
     );
     CREATE UNIQUE INDEX floktu_admissions_once ON floktu_admissions (event_id, attendee_id)
        WHERE undone_at IS NULL;
     CREATE INDEX floktu_admissions_by_gate ON floktu_admissions (event_id, gate, id);"];

/// An arbitrary constant: the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x466c_6f6b_7475;

const COLUMNS: &str = "event_id, attendee_id, order_id, gate, at, username, undone_at, undone_gate";

/// The PostgreSQL ledger.
pub struct Postgres {
    config: Config,
    tls: bool,
    label: String,
    client: Mutex<Option<Client>>,
}

impl Postgres {
    /// A ledger at `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…]`).
    /// Nothing is connected yet: the first call connects.
    pub fn new(url: &str) -> Result<Postgres, LedgerError> {
        let bad = |reason: String| LedgerError::Failed { at: "--ledger".into(), reason };
        let mut config = Config::from_str(url).map_err(|e| bad(format!("not a PostgreSQL URL: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("floktu");
        let tls = config.get_ssl_mode() != SslMode::Disable;
        let label = label(&config);
        Ok(Postgres { config, tls, label, client: Mutex::new(None) })
    }

    /// Host, port and database, without user or password: a name for the
    /// ledger in messages and in the local queue.
    pub fn label(&self) -> &str {
        &self.label
    }

    fn unreachable(&self, reason: impl std::fmt::Display) -> LedgerError {
        LedgerError::Unreachable { at: self.label.clone(), reason: reason.to_string() }
    }

    /// A PostgreSQL error: a connection problem (no SQL state) is unreachable; the rest failed.
    fn error(&self, e: tokio_postgres::Error) -> LedgerError {
        match e.as_db_error() {
            Some(db) => LedgerError::Failed { at: self.label.clone(), reason: db.message().to_string() },
            None if e.code().is_some() => {
                LedgerError::Failed { at: self.label.clone(), reason: e.to_string() }
            }
            None => self.unreachable(error_chain(&e)),
        }
    }

    async fn connect(&self) -> Result<Client, LedgerError> {
        let client = if self.tls {
            let tls = rustls_config().map_err(|e| LedgerError::Failed {
                at: self.label.clone(),
                reason: format!("setting up TLS: {e}"),
            })?;
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls);
            let (client, connection) = self.config.connect(tls).await.map_err(|e| self.error(e))?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::warn!("ledger connection ended: {e}");
                }
            });
            client
        } else {
            let (client, connection) =
                self.config.connect(tokio_postgres::NoTls).await.map_err(|e| self.error(e))?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::warn!("ledger connection ended: {e}");
                }
            });
            client
        };
        self.migrate(&client).await?;
        Ok(client)
    }

    async fn migrate(&self, client: &Client) -> Result<(), LedgerError> {
        let e = |e| self.error(e);
        client
            .batch_execute(&format!(
                "SET statement_timeout = {ms};
                 BEGIN;
                 SELECT pg_advisory_xact_lock({MIGRATION_LOCK});
                 CREATE TABLE IF NOT EXISTS floktu_schema (version INTEGER NOT NULL);
                 INSERT INTO floktu_schema (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM floktu_schema);",
                ms = STATEMENT_TIMEOUT.as_millis()
            ))
            .await
            .map_err(e)?;
        let version: i32 =
            client.query_one("SELECT version FROM floktu_schema", &[]).await.map_err(e)?.get(0);
        for (step, migration) in MIGRATIONS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
            client.batch_execute(migration).await.map_err(e)?;
            let next = i32::try_from(step + 1).unwrap_or(i32::MAX);
            client.execute("UPDATE floktu_schema SET version = $1", &[&next]).await.map_err(e)?;
        }
        client.batch_execute("COMMIT").await.map_err(e)
    }

    /// Runs `f` with a connected client (connecting if need be); a lost
    /// connection is dropped so that the next call connects again.
    async fn with<T>(
        &self,
        f: impl AsyncFnOnce(&Client) -> Result<T, tokio_postgres::Error>,
    ) -> Result<T, LedgerError> {
        let mut slot = self.client.lock().await;
        if slot.as_ref().is_some_and(Client::is_closed) {
            *slot = None;
        }
        let client = match slot.take() {
            Some(c) => c,
            None => self.connect().await?,
        };
        // A server that stops answering without closing the connection is unreachable too.
        let deadline = STATEMENT_TIMEOUT + Duration::from_secs(1);
        let result = match tokio::time::timeout(deadline, f(&client)).await {
            Ok(result) => result,
            Err(_) => return Err(self.unreachable(format!("no answer in {} s", deadline.as_secs()))),
        };
        if !client.is_closed() {
            *slot = Some(client);
        }
        result.map_err(|e| self.error(e))
    }

    fn admission(&self, row: &Row) -> Result<Admission, LedgerError> {
        let at = self.label.as_str();
        let corrupt = |reason: &str| LedgerError::Corrupt { at: at.into(), reason: reason.into() };
        let gate = |g: String| Gate::new(&g).ok_or_else(|| corrupt("a blank gate"));
        let get = |e: tokio_postgres::Error| LedgerError::Corrupt { at: at.into(), reason: e.to_string() };
        let undone_at: Option<DateTime<Utc>> = row.try_get(6).map_err(get)?;
        let undone_gate: Option<String> = row.try_get(7).map_err(get)?;
        Ok(Admission {
            event_id: id_from_sql(at, "event id", row.try_get(0).map_err(get)?)?,
            attendee_id: id_from_sql(at, "attendee id", row.try_get(1).map_err(get)?)?,
            order_id: id_from_sql(at, "order id", row.try_get(2).map_err(get)?)?,
            gate: gate(row.try_get(3).map_err(get)?)?,
            at: row.try_get(4).map_err(get)?,
            user: row.try_get(5).map_err(get)?,
            undone: match undone_at {
                Some(t) => Some(Undo { at: t, gate: gate(undone_gate.unwrap_or_else(|| "?".into()))? }),
                None => None,
            },
        })
    }
}

fn rustls_config() -> Result<rustls::ClientConfig, rustls::Error> {
    use rustls_platform_verifier::ConfigVerifierExt;
    rustls::ClientConfig::with_platform_verifier()
}

/// "host:port/db" from the connection settings.
fn label(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().or(config.get_user()).unwrap_or("postgres");
    format!("postgres://{host}:{port}/{db}")
}

/// The error and its causes on one line ("error connecting to server: Connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

#[async_trait::async_trait]
impl Ledger for Postgres {
    async fn admit(&self, a: NewAdmission) -> Result<Admitted, LedgerError> {
        let at = self.label.as_str();
        let (event, attendee, order) = super::sqlite::ids(at, &a)?;
        // A conflict with an admission undone between the insert and the read: try again.
        for _ in 0..3 {
            let (inserted, winner) = self
                .with(async |c| {
                    let inserted = c
                        .query_opt(
                            "INSERT INTO floktu_admissions (event_id, attendee_id, order_id, gate, at, username)
                             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
                            &[&event, &attendee, &order, &a.gate.as_str(), &a.at, &a.user],
                        )
                        .await?;
                    if inserted.is_some() {
                        return Ok((true, None));
                    }
                    let winner = c
                        .query_opt(
                            &format!(
                                "SELECT {COLUMNS} FROM floktu_admissions
                                 WHERE event_id = $1 AND attendee_id = $2 AND undone_at IS NULL"
                            ),
                            &[&event, &attendee],
                        )
                        .await?;
                    Ok((false, winner))
                })
                .await?;
            if inserted {
                return Ok(Admitted::New(a.recorded()));
            }
            if let Some(row) = winner {
                return Ok(Admitted::Already(self.admission(&row)?));
            }
        }
        Err(LedgerError::Failed {
            at: self.label.clone(),
            reason: format!("admitting {attendee} kept conflicting with admissions being undone"),
        })
    }

    async fn undo_last(&self, event_id: u64, gate: &Gate) -> Result<Option<Admission>, LedgerError> {
        let event = id_to_sql(&self.label, "event id", event_id)?;
        let undo_at = super::now();
        let row = self
            .with(async |c| {
                c.query_opt(
                    &format!(
                        "UPDATE floktu_admissions SET undone_at = $1, undone_gate = $2
                         WHERE id = (SELECT id FROM floktu_admissions
                                     WHERE event_id = $3 AND gate = $2 AND undone_at IS NULL
                                     ORDER BY id DESC LIMIT 1 FOR UPDATE)
                           AND undone_at IS NULL
                         RETURNING {COLUMNS}"
                    ),
                    &[&undo_at, &gate.as_str(), &event],
                )
                .await
            })
            .await?;
        row.map(|r| self.admission(&r)).transpose()
    }

    async fn admissions(&self, event_id: u64, gate: Option<&Gate>) -> Result<Vec<Admission>, LedgerError> {
        let event = id_to_sql(&self.label, "event id", event_id)?;
        let gate = gate.map(Gate::as_str);
        let rows = self
            .with(async |c| {
                c.query(
                    &format!(
                        "SELECT {COLUMNS} FROM floktu_admissions
                         WHERE event_id = $1 AND ($2::TEXT IS NULL OR gate = $2) ORDER BY id"
                    ),
                    &[&event, &gate],
                )
                .await
            })
            .await?;
        rows.iter().map(|r| self.admission(r)).collect()
    }

    async fn admitted(&self, event_id: u64, attendee_id: u64) -> Result<Option<Admission>, LedgerError> {
        let event = id_to_sql(&self.label, "event id", event_id)?;
        let attendee = id_to_sql(&self.label, "attendee id", attendee_id)?;
        let row = self
            .with(async |c| {
                c.query_opt(
                    &format!(
                        "SELECT {COLUMNS} FROM floktu_admissions
                         WHERE event_id = $1 AND attendee_id = $2 AND undone_at IS NULL"
                    ),
                    &[&event, &attendee],
                )
                .await
            })
            .await?;
        row.map(|r| self.admission(&r)).transpose()
    }

    async fn of_event(&self, event_id: u64) -> Result<HashMap<u64, Admission>, LedgerError> {
        let event = id_to_sql(&self.label, "event id", event_id)?;
        let rows = self
            .with(async |c| {
                c.query(
                    &format!(
                        "SELECT {COLUMNS} FROM floktu_admissions WHERE event_id = $1 AND undone_at IS NULL"
                    ),
                    &[&event],
                )
                .await
            })
            .await?;
        let mut out = HashMap::with_capacity(rows.len());
        for r in &rows {
            let a = self.admission(r)?;
            out.insert(a.attendee_id, a);
        }
        Ok(out)
    }

    fn describe(&self) -> String {
        format!("PostgreSQL {}", self.label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_leaves_out_user_and_password() {
        let p = Postgres::new("postgres://alice:secret@db.example:6543/door?sslmode=require").unwrap();
        assert_eq!(p.label(), "postgres://db.example:6543/door");
        assert!(p.tls);
        assert!(!Postgres::new("postgres://u@127.0.0.1/x?sslmode=disable").unwrap().tls);
    }
}
