//! The admissions ledger's promises, one suite run against SQLite and against a
//! real PostgreSQL (`FLOKTU_TEST_POSTGRES`, started by `.ci/run`; with `CI=true` a
//! missing server fails these tests instead of skipping them).
//!
//! Child processes are this test binary run again on one `child_*` test, with
//! `FLOKTU_LEDGER_CHILD` saying what to do: two of them race on the same tickets,
//! one is killed with SIGKILL right after it reported an admission.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use floktu_tui::ledger::{
    Admission, Admitted, Gate, Health, Ledger, LedgerError, LedgerSpec, NewAdmission, Queued, Sqlite,
};
use rand::seq::SliceRandom;
use tempfile::TempDir;

/// One ledger to test: a SQLite file, or the PostgreSQL server (through the
/// queue wrapper, as `--ledger postgres://…` opens it).
struct Backend {
    dir: TempDir,
    spec: LedgerSpec,
}

impl Backend {
    fn sqlite() -> Backend {
        let dir = tempfile::tempdir().unwrap();
        let spec = LedgerSpec::Sqlite(dir.path().join("floktu/admissions.db"));
        Backend { dir, spec }
    }

    fn postgres() -> Option<Backend> {
        let url = postgres_url()?;
        let dir = tempfile::tempdir().unwrap();
        let spec = LedgerSpec::Postgres { url, queue: dir.path().join("queue.db") };
        Some(Backend { dir, spec })
    }

    async fn open(&self) -> Arc<dyn Ledger> {
        self.spec.open().await.unwrap()
    }

    /// A queue file for child `name` (each child queues in a file of its own).
    fn queue(&self, name: &str) -> String {
        self.dir.path().join(format!("queue-{name}.db")).display().to_string()
    }

    /// The spec as the child processes get it.
    fn arg(&self) -> String {
        match &self.spec {
            LedgerSpec::Sqlite(path) => format!("sqlite:{}", path.display()),
            LedgerSpec::Postgres { url, .. } => url.clone(),
        }
    }
}

fn postgres_url() -> Option<String> {
    match std::env::var("FLOKTU_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true and FLOKTU_TEST_POSTGRES is not set: .ci/run starts PostgreSQL for these tests")
        }
        _ => {
            eprintln!("FLOKTU_TEST_POSTGRES not set: PostgreSQL ledger test skipped");
            None
        }
    }
}

/// An event id no other test (nor an earlier run on the same server) uses.
fn fresh_event() -> u64 {
    rand::random::<u32>() as u64 + 1_000_000
}

fn gate(name: &str) -> Gate {
    Gate::new(name).unwrap()
}

fn new(event: u64, attendee: u64, at_gate: &str) -> NewAdmission {
    NewAdmission::now(event, attendee, attendee / 10, &gate(at_gate))
}

/// Runs `$test(&Backend)` as two tests: `$test::sqlite` and `$test::postgres`.
macro_rules! on_both {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$test(&super::Backend::sqlite()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(backend) = super::Backend::postgres() {
                    super::$test(&backend).await;
                }
            }
        }
    )*};
}

on_both!(
    an_admission_is_recorded_with_its_gate_time_and_user,
    a_second_admission_is_refused_with_the_first_gate,
    an_undo_is_recorded_and_the_ticket_can_be_admitted_again,
    undo_takes_this_gates_admissions_last_first,
    two_processes_racing_on_200_tickets_admit_each_once,
    an_admission_reported_survives_sigkill,
);

async fn an_admission_is_recorded_with_its_gate_time_and_user(b: &Backend) {
    let ledger = b.open().await;
    let event = fresh_event();
    let a = new(event, 501, "north");
    let Admitted::New(recorded) = ledger.admit(a.clone()).await.unwrap() else { panic!("not admitted") };
    assert_eq!((recorded.gate.as_str(), recorded.at, &recorded.user), ("north", a.at, &a.user));
    let again = b.open().await.admitted(event, 501).await.unwrap().unwrap();
    assert_eq!(again, recorded);
    assert_eq!(ledger.of_event(event).await.unwrap().keys().copied().collect::<Vec<_>>(), vec![501]);
}

async fn a_second_admission_is_refused_with_the_first_gate(b: &Backend) {
    let ledger = b.open().await;
    let event = fresh_event();
    let first = ledger.admit(new(event, 7, "north")).await.unwrap();
    let second = ledger.admit(new(event, 7, "south")).await.unwrap();
    let Admitted::Already(winner) = second else { panic!("admitted twice: {second:?}") };
    assert_eq!(&winner, first.admission());
    assert_eq!(winner.gate.as_str(), "north");
    assert_eq!(ledger.admissions(event, None).await.unwrap().len(), 1);
}

async fn an_undo_is_recorded_and_the_ticket_can_be_admitted_again(b: &Backend) {
    let ledger = b.open().await;
    let event = fresh_event();
    ledger.admit(new(event, 9, "north")).await.unwrap();
    let undone = ledger.undo_last(event, &gate("north")).await.unwrap().unwrap();
    assert_eq!(undone.undone.as_ref().map(|u| u.gate.as_str()), Some("north"));
    assert_eq!(ledger.admitted(event, 9).await.unwrap(), None);
    assert!(matches!(ledger.admit(new(event, 9, "south")).await.unwrap(), Admitted::New(_)));
    let all = ledger.admissions(event, None).await.unwrap();
    assert_eq!(all.len(), 2, "the undone admission stays in the record");
    assert!(all[0].undone.is_some() && all[1].undone.is_none());
    assert_eq!(ledger.admitted(event, 9).await.unwrap().unwrap().gate.as_str(), "south");
}

async fn undo_takes_this_gates_admissions_last_first(b: &Backend) {
    let ledger = b.open().await;
    let event = fresh_event();
    for (attendee, at) in [(1, "north"), (2, "north"), (3, "south")] {
        ledger.admit(new(event, attendee, at)).await.unwrap();
    }
    let north = gate("north");
    assert_eq!(ledger.undo_last(event, &north).await.unwrap().unwrap().attendee_id, 2);
    assert_eq!(ledger.undo_last(event, &north).await.unwrap().unwrap().attendee_id, 1);
    assert_eq!(ledger.undo_last(event, &north).await.unwrap(), None);
    assert_eq!(ledger.admissions(event, Some(&gate("south"))).await.unwrap().len(), 1);
    assert_eq!(ledger.of_event(event).await.unwrap().len(), 1);
}

async fn two_processes_racing_on_200_tickets_admit_each_once(b: &Backend) {
    let event = fresh_event();
    // Both children open the ledger before the race, so the race is on admissions.
    b.open().await;
    let mut children: Vec<_> = ["north", "south"]
        .iter()
        .map(|g| {
            let mut tickets: Vec<u64> = (1..=200).collect();
            tickets.shuffle(&mut rand::rng());
            let list = tickets.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
            child(
                "child_writes_tickets",
                &[
                    ("LEDGER", b.arg()),
                    ("QUEUE", b.queue(g)),
                    ("EVENT", event.to_string()),
                    ("GATE", g.to_string()),
                    ("TICKETS", list),
                ],
            )
        })
        .collect();
    let mut new_by_gate = HashMap::new();
    for (child, g) in children.iter_mut().zip(["north", "south"]) {
        let out = BufReader::new(child.stdout.take().unwrap());
        let lines: Vec<String> = out.lines().filter_map(|l| reported(&l.unwrap())).collect();
        assert!(child.wait().unwrap().success(), "{g} failed");
        assert_eq!(lines.len(), 200, "{g} answered every ticket");
        new_by_gate.insert(g, lines.iter().filter(|l| l.starts_with("LEDGER new")).count());
    }
    let ledger = b.open().await;
    let all = ledger.admissions(event, None).await.unwrap();
    assert_eq!(all.len(), 200, "200 admissions, none twice");
    assert_eq!(new_by_gate["north"] + new_by_gate["south"], 200);
    assert_eq!(ledger.of_event(event).await.unwrap().len(), 200);
}

async fn an_admission_reported_survives_sigkill(b: &Backend) {
    let event = fresh_event();
    let mut child = child(
        "child_admits_then_waits",
        &[
            ("LEDGER", b.arg()),
            ("QUEUE", b.queue("killed")),
            ("EVENT", event.to_string()),
            ("GATE", "north".into()),
        ],
    );
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let report = loop {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "the child ended before admitting");
        if let Some(report) = reported(&line) {
            break report;
        }
    };
    assert_eq!(report, "LEDGER new 4242");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let found = b.open().await.admitted(event, 4242).await.unwrap();
    assert_eq!(found.map(|a| a.gate), Some(gate("north")));
}

/// What a child reported on a line ("LEDGER new 17"); the test harness may
/// have printed the test's name before it on the same line.
fn reported(line: &str) -> Option<String> {
    line.find("LEDGER ").map(|i| line[i..].trim().to_string())
}

/// This test binary, run again on one child test with `vars` as `FLOKTU_LEDGER_CHILD_*`.
fn child(test: &str, vars: &[(&str, String)]) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("FLOKTU_LEDGER_CHILD", test)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    for (k, v) in vars {
        cmd.env(format!("FLOKTU_LEDGER_CHILD_{k}"), v);
    }
    cmd.spawn().unwrap()
}

fn child_var(k: &str) -> String {
    std::env::var(format!("FLOKTU_LEDGER_CHILD_{k}")).unwrap()
}

/// Opens the child's ledger; `None` when this is not that child.
fn child_ledger(test: &str) -> Option<(tokio::runtime::Runtime, Arc<dyn Ledger>)> {
    if std::env::var("FLOKTU_LEDGER_CHILD").ok().as_deref() != Some(test) {
        return None;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let spec =
        LedgerSpec::parse(Some(&child_var("LEDGER")), &std::env::temp_dir().join("floktu-ledger-child"))
            .unwrap();
    let spec = match spec {
        // Each child queues in a file of its own.
        LedgerSpec::Postgres { url, .. } => {
            let queue = std::path::PathBuf::from(child_var("QUEUE"));
            LedgerSpec::Postgres { url, queue }
        }
        s => s,
    };
    let ledger = rt.block_on(spec.open()).unwrap();
    Some((rt, ledger))
}

#[test]
fn child_writes_tickets() {
    let Some((rt, ledger)) = child_ledger("child_writes_tickets") else { return };
    let event: u64 = child_var("EVENT").parse().unwrap();
    let g = gate(&child_var("GATE"));
    let stdout = std::io::stdout();
    for t in child_var("TICKETS").split(',').map(|t| t.parse::<u64>().unwrap()) {
        let outcome = rt.block_on(ledger.admit(NewAdmission::now(event, t, 1, &g))).unwrap();
        let word = match outcome {
            Admitted::New(_) => "new",
            Admitted::Already(_) => "already",
            Admitted::Queued { .. } => "queued",
        };
        writeln!(stdout.lock(), "LEDGER {word} {t}").unwrap();
    }
}

#[test]
fn child_admits_then_waits() {
    let Some((rt, ledger)) = child_ledger("child_admits_then_waits") else { return };
    let event: u64 = child_var("EVENT").parse().unwrap();
    let outcome =
        rt.block_on(ledger.admit(NewAdmission::now(event, 4242, 1, &gate(&child_var("GATE"))))).unwrap();
    assert!(matches!(outcome, Admitted::New(_)));
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "LEDGER new 4242").unwrap();
    stdout.flush().unwrap();
    // Wait to be killed (the parent holds stdin open until then).
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

// ---- The queue: a remote ledger that goes away and comes back.

/// A remote ledger that can be switched off: a SQLite ledger that answers
/// "unreachable" while `down` is set.
struct Switchable {
    inner: Sqlite,
    down: Arc<AtomicBool>,
}

impl Switchable {
    fn check(&self) -> Result<(), LedgerError> {
        match self.down.load(Ordering::SeqCst) {
            true => Err(LedgerError::Unreachable { at: "test".into(), reason: "switched off".into() }),
            false => Ok(()),
        }
    }
}

#[async_trait::async_trait]
impl Ledger for Switchable {
    async fn admit(&self, a: NewAdmission) -> Result<Admitted, LedgerError> {
        self.check()?;
        self.inner.admit(a).await
    }
    async fn undo_last(&self, event_id: u64, gate: &Gate) -> Result<Option<Admission>, LedgerError> {
        self.check()?;
        self.inner.undo_last(event_id, gate).await
    }
    async fn admissions(&self, event_id: u64, gate: Option<&Gate>) -> Result<Vec<Admission>, LedgerError> {
        self.check()?;
        self.inner.admissions(event_id, gate).await
    }
    async fn admitted(&self, event_id: u64, attendee_id: u64) -> Result<Option<Admission>, LedgerError> {
        self.check()?;
        self.inner.admitted(event_id, attendee_id).await
    }
    async fn of_event(&self, event_id: u64) -> Result<HashMap<u64, Admission>, LedgerError> {
        self.check()?;
        self.inner.of_event(event_id).await
    }
    fn describe(&self) -> String {
        "switchable test ledger".into()
    }
}

/// Gate `north` behind a queue, with its remote switched off, and `south` on the
/// same remote directly.
async fn cut_off_gate(dir: &TempDir) -> (Queued, Sqlite, Arc<AtomicBool>) {
    let remote = Sqlite::open(&dir.path().join("remote.db")).await.unwrap();
    let down = Arc::new(AtomicBool::new(true));
    let local = Sqlite::open(&dir.path().join("local.db")).await.unwrap();
    let north = Queued::new(Switchable { inner: remote.clone(), down: Arc::clone(&down) }, local).await;
    (north, remote, down)
}

#[tokio::test]
async fn admissions_made_while_the_ledger_is_away_are_queued_then_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let (north, remote, down) = cut_off_gate(&dir).await;
    let event = fresh_event();
    for t in [1, 2, 3] {
        assert!(
            matches!(north.admit(new(event, t, "north")).await.unwrap(), Admitted::Queued { queued, .. } if queued == t as usize)
        );
    }
    // The queue alone says a queued ticket is admitted already.
    assert!(matches!(north.admit(new(event, 2, "north")).await.unwrap(), Admitted::Already(_)));
    let health = north.health().await;
    assert_eq!(health.queued, 3);
    assert!(health.unreachable.is_some());
    assert!(remote.of_event(event).await.unwrap().is_empty());

    down.store(false, Ordering::SeqCst);
    assert_eq!(north.replay().await.unwrap(), 3);
    assert_eq!(north.health().await, Health { unreachable: None, queued: 0 });
    let replayed = remote.admissions(event, None).await.unwrap();
    assert_eq!(replayed.iter().map(|a| a.attendee_id).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert!(replayed.iter().all(|a| a.gate.as_str() == "north"));
    // Replayed once: a second replay has nothing to do.
    assert_eq!(north.replay().await.unwrap(), 0);
}

#[tokio::test]
async fn a_queued_ticket_admitted_elsewhere_meanwhile_is_refused_on_replay_and_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let (north, remote, down) = cut_off_gate(&dir).await;
    let event = fresh_event();
    north.admit(new(event, 5, "north")).await.unwrap();
    let south = remote.admit(new(event, 5, "south")).await.unwrap();
    down.store(false, Ordering::SeqCst);
    north.replay().await.unwrap();
    let all = remote.admissions(event, None).await.unwrap();
    assert_eq!(all.len(), 1, "never admitted twice");
    assert_eq!(all[0].gate.as_str(), "south");
    let refusals = north.take_refusals().await.unwrap();
    assert_eq!(refusals.len(), 1);
    assert_eq!(&refusals[0].winner.gate, &south.admission().gate);
    assert!(refusals[0].message().contains("refused on replay: already admitted at south"));
    assert!(north.take_refusals().await.unwrap().is_empty(), "reported once");
}

#[tokio::test]
async fn an_undo_while_the_ledger_is_away_undoes_the_queued_admission() {
    let dir = tempfile::tempdir().unwrap();
    let (north, remote, down) = cut_off_gate(&dir).await;
    let event = fresh_event();
    north.admit(new(event, 8, "north")).await.unwrap();
    let undone = north.undo_last(event, &gate("north")).await.unwrap().unwrap();
    assert_eq!(undone.attendee_id, 8);
    assert!(undone.undone.is_some());
    assert_eq!(north.health().await.queued, 0);
    down.store(false, Ordering::SeqCst);
    north.replay().await.unwrap();
    assert!(
        remote.admissions(event, None).await.unwrap().is_empty(),
        "an undone queued admission is not replayed"
    );
}

#[tokio::test]
async fn the_queue_survives_a_restart_and_replays_into_postgres() {
    let Some(url) = postgres_url() else { return };
    let dir = tempfile::tempdir().unwrap();
    let queue = dir.path().join("queue.db");
    let event = fresh_event();
    // The server "away": the same URL through a proxy that refuses connections.
    let proxy = pg_proxy::Proxy::start(&url).await;
    let through_proxy = proxy.url();
    proxy.set_down(true);
    {
        let away =
            LedgerSpec::Postgres { url: through_proxy.clone(), queue: queue.clone() }.open().await.unwrap();
        let outcome = away.admit(new(event, 31, "north")).await.unwrap();
        assert!(matches!(outcome, Admitted::Queued { queued: 1, .. }), "{outcome:?}");
        assert!(away.health().await.unreachable.is_some());
    }
    proxy.set_down(false);
    // A new process (a new ledger on the same queue file) replays on its first call.
    let back = LedgerSpec::Postgres { url: through_proxy, queue }.open().await.unwrap();
    assert_eq!(back.admitted(event, 31).await.unwrap().map(|a| a.gate), Some(gate("north")));
    assert_eq!(back.health().await, Health { unreachable: None, queued: 0 });
    let direct = LedgerSpec::Postgres { url, queue: dir.path().join("other.db") }.open().await.unwrap();
    assert_eq!(direct.admissions(event, None).await.unwrap().len(), 1);
}

#[path = "support/pg_proxy.rs"]
mod pg_proxy;
