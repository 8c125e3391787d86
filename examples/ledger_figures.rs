//! The ledger's figures for BENCHMARKS.md ("Ledger"):
//!
//! ```sh
//! cargo run --release --example ledger_figures -- screen [postgres://…]
//! GUESTS=100000 KEY_BY_KEY=1 cargo run --release --example ledger_figures -- screen
//! cargo run --release --example ledger_figures -- scan [postgres://…]
//! cargo run --release --example ledger_figures -- gates [SECONDS] [GATES]
//! ```
//!
//! `screen` times a scan to its verdict on screen through the TUI's own path:
//! the door open on a 10,000-guest list as `floktu door EVENT` opens it
//! (`update::open_door_at`, the list fed to `update` as the loader's events),
//! the scanner's digits and Enter as key actions, the `Command::Admit` sent to
//! a ledger task built as the worker builds its own (one task, commands in
//! order, answered with `Msg::Admitted`), the answer applied, and the frame
//! drawn at 160×40 as the loop draws it — the frame after the keys
//! ("admitting…") and the one with the verdict. The frames go through
//! ratatui's crossterm backend into memory, so the escape sequences a terminal
//! would receive are encoded; only the write to the terminal itself is left
//! out. Each verdict frame is checked (VALID, this scan's number) after its
//! time is taken. The ledger is a fresh SQLite file in a temporary directory,
//! or PostgreSQL when a URL is given (with its local queue, as `--ledger` opens
//! it). Median, 95th percentile and max over 1,000 scans of distinct valid
//! tickets. `GUESTS` sets the list's size (default 10,000); with `KEY_BY_KEY`
//! set, every digit is a batch of its own, settled and drawn before the next
//! (a scanner slower than the loop), instead of all the scan's keys arriving
//! in one read. An example rather than a criterion bench: each scan admits a
//! ticket for good, so it cannot be repeated as criterion repeats an
//! iteration, and one fsync-bound sample of 1,000 is the figure asked for.
//!
//! `scan` times the same without the TUI, as `floktu admit` makes it: the id
//! looked up in a 10,000-guest list, the list's verdict, the admission
//! committed (fsynced), the door's verdict. `gates` runs GATES (default two)
//! gate processes on one SQLite file, as several SSH sessions at one machine
//! are, each admitting distinct tickets one after another as fast as it can
//! for SECONDS (default 5), and prints admissions a second, in all and per
//! gate.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use floktu_tui::api::{self, Decoded};
use floktu_tui::demo::{Dataset, DemoEvent, DemoOptions};
use floktu_tui::guestlist::{GuestList, LoadEvent, Verdict};
use floktu_tui::ledger::Ledger;
use floktu_tui::ledger::{Admitted, Gate, LedgerSpec, NewAdmission, Sqlite, judge};
use floktu_tui::tui::app::App;
use floktu_tui::tui::msg::{Action, Command, DoorAction, Msg};
use floktu_tui::tui::update::{open_door_at, settle, update};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = || tokio::runtime::Runtime::new();
    let number = |i: usize, what: &str, default: u64| -> Result<u64> {
        Ok(args.get(i).map(|s| s.parse()).transpose().context(what.to_string())?.unwrap_or(default))
    };
    match args.first().map(String::as_str) {
        Some("screen") => rt()?.block_on(screen(args.get(1).map(String::as_str))),
        Some("scan") => rt()?.block_on(scan(args.get(1).map(String::as_str))),
        Some("gates") => {
            gates(Duration::from_secs(number(1, "SECONDS", 5)?), number(2, "GATES", 2)? as usize)
        }
        Some("gate") if args.len() == 4 => {
            let run = Duration::from_secs(number(3, "SECONDS", 5)?);
            rt()?.block_on(gate(std::path::Path::new(&args[1]), &args[2], run))
        }
        _ => bail!(
            "usage: ledger_figures screen [postgres://…] | scan [postgres://…] | gates [SECONDS] [GATES]"
        ),
    }
}

/// One generated event with about `attendees` guests.
fn event(attendees: usize) -> Result<DemoEvent> {
    let data = Dataset::generate(DemoOptions::default().seed, 1, attendees / 2 + 100);
    data.events.into_iter().next().context("no event generated")
}

fn guest_list(attendees: usize) -> Result<GuestList> {
    list_of(&event(attendees)?)
}

fn list_of(event: &DemoEvent) -> Result<GuestList> {
    let mut list = GuestList::new(event.id);
    list.set_order_list(event.orders.iter().map(|o| o.id).collect());
    for o in &event.orders {
        list.add_order(o.to_order());
    }
    list.mark_done();
    Ok(list)
}

/// The attendee ids the list judges VALID: the first 1,000 of them.
fn valid_tickets(list: &GuestList) -> Result<Vec<u64>> {
    let valid: Vec<u64> = (0..list.len())
        .filter(|&i| list.verdict(i) == Verdict::Valid)
        .map(|i| list.guests()[i].attendee.attendee_id)
        .take(1_000)
        .collect();
    if valid.len() < 1_000 {
        bail!("only {} valid guests", valid.len());
    }
    Ok(valid)
}

/// An event id no ledger has seen, so that a PostgreSQL ledger used before
/// has none of these admissions.
fn fresh_event_id() -> u64 {
    u64::from(rand::random::<u32>()) + 1_000_000
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// "median 1.86 ms, p95 8.04 ms, max 12.6 ms" of 1,000 sorted times.
fn spread(times: &mut [Duration]) -> String {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    format!(
        "median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(times[times.len() - 1])
    )
}

/// The ledger's side of the TUI's worker, as `Worker::open_ledger` builds it:
/// one task that runs the door's ledger commands in the order sent and answers
/// each with the `Msg` the worker sends.
fn ledger_task(ledger: Arc<dyn Ledger>) -> (UnboundedSender<Command>, UnboundedReceiver<Msg>) {
    let (jobs, mut queue) = unbounded_channel::<Command>();
    let (tx, answers) = unbounded_channel();
    tokio::spawn(async move {
        while let Some(job) = queue.recv().await {
            let Some(msg) = floktu_tui::tui::worker::ledger_answer(&*ledger, job).await else { continue };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
    (jobs, answers)
}

/// Where the frames go: counted, then dropped, as a terminal would take them.
struct Sink(Rc<Cell<usize>>);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The door as the TUI's loop runs it, drawing into memory at 160×40.
struct Door {
    app: App,
    terminal: Terminal<CrosstermBackend<Sink>>,
    /// Bytes the frames sent since last read.
    sent: Rc<Cell<usize>>,
    /// Ledger commands sent and not answered yet.
    asked: usize,
    ledger: UnboundedSender<Command>,
    answers: UnboundedReceiver<Msg>,
    /// Each digit settled and drawn on its own (`KEY_BY_KEY`).
    key_by_key: bool,
}

impl Door {
    /// `floktu door EVENT` on `event`, its whole list loaded as the loader
    /// would deliver it, this gate's admissions read from the ledger.
    async fn open(event: &DemoEvent, ledger: Arc<dyn Ledger>) -> Result<Door> {
        let mut app = App::new("floktu.com".into(), false);
        app.station.gate = Gate::new("bench").context("gate")?;
        update(&mut app, Msg::Resize { width: 160, height: 40 });
        let (jobs, answers) = ledger_task(ledger);
        let area = Rect::new(0, 0, 160, 40);
        let sent = Rc::new(Cell::new(0));
        let terminal = Terminal::with_options(
            CrosstermBackend::new(Sink(Rc::clone(&sent))),
            TerminalOptions { viewport: Viewport::Fixed(area) },
        )?;
        let key_by_key = std::env::var_os("KEY_BY_KEY").is_some();
        let mut door = Door { app, terminal, sent, asked: 0, ledger: jobs, answers, key_by_key };
        door.app.now = chrono::Utc::now();
        let api_event = api::Event { id: event.id, name: event.name.clone() };
        let commands = open_door_at(&mut door.app, api_event);
        door.run(&commands)?;
        let orders: Vec<api::OrderSummary> = event
            .orders
            .iter()
            .map(|o| api::OrderSummary {
                id: o.id,
                email: o.email.clone(),
                first_name: o.first_name.clone(),
                last_name: o.last_name.clone(),
            })
            .collect();
        for c in &commands {
            match c {
                Command::FetchOrders { req, event_id } => {
                    let (req, event_id) = (*req, *event_id);
                    let result = Ok(Decoded { items: orders.clone(), skipped: Vec::new() });
                    let more = update(&mut door.app, Msg::OrdersLoaded { req, event_id, result });
                    door.run(&more)?;
                }
                Command::LoadGuests { req, .. } => door.load_guests(*req, event)?,
                _ => {}
            }
        }
        // What the door asked the ledger as it opened (the event's admissions).
        while door.asked > 0 {
            door.answer().await?;
        }
        settle(&mut door.app);
        door.frame()?;
        door.sent.set(0);
        Ok(door)
    }

    fn load_guests(&mut self, req: floktu_tui::tui::app::ReqId, event: &DemoEvent) -> Result<()> {
        let feed = |app: &mut App, msg| update(app, msg);
        let mut commands = feed(&mut self.app, Msg::GuestsCached { req, list: None });
        let order_ids = event.orders.iter().map(|o| o.id).collect();
        let loaded = LoadEvent::Orders { order_ids, skipped: vec![] };
        commands.extend(feed(&mut self.app, Msg::GuestEvent { req, event: loaded }));
        for o in &event.orders {
            let order = LoadEvent::Order(Box::new(o.to_order()));
            commands.extend(feed(&mut self.app, Msg::GuestEvent { req, event: order }));
        }
        commands.extend(feed(&mut self.app, Msg::GuestEvent { req, event: LoadEvent::Done }));
        self.run(&commands)
    }

    /// Carries out what `update` asked: the ledger's commands go to the ledger
    /// task; Floktu's (the re-check of the scanned order) are not made, since
    /// no verdict waits for them.
    fn run(&mut self, commands: &[Command]) -> Result<()> {
        for c in commands {
            if matches!(c, Command::LoadAdmissions { .. } | Command::Admit { .. } | Command::UndoLast { .. })
            {
                self.ledger.send(c.clone()).ok().context("the ledger task ended")?;
                self.asked += 1;
            }
        }
        Ok(())
    }

    /// Waits for the ledger's next answer and applies it, as the loop does.
    async fn answer(&mut self) -> Result<()> {
        let msg = self.answers.recv().await.context("the ledger task ended")?;
        self.asked -= 1;
        self.app.now = chrono::Utc::now();
        let more = update(&mut self.app, msg);
        self.run(&more)
    }

    /// A frame, as the loop draws it (into memory).
    fn frame(&mut self) -> Result<()> {
        let app = &self.app;
        self.terminal.draw(|f| floktu_tui::tui::view::render(app, f))?;
        Ok(())
    }

    /// One scan of `ticket`, timed from the scanner's first digit to the
    /// verdict's frame drawn, with the frame's text (read after the time is
    /// taken).
    async fn scan(&mut self, ticket: u64) -> Result<Scan> {
        let started = Instant::now();
        self.app.now = chrono::Utc::now();
        let mut commands = Vec::new();
        for c in ticket.to_string().chars() {
            commands.extend(update(&mut self.app, Msg::Action(Action::Type(c))));
            if self.key_by_key {
                settle(&mut self.app);
                self.frame()?;
            }
        }
        commands.extend(update(&mut self.app, Msg::Action(Action::Door(DoorAction::Submit))));
        self.run(&commands)?;
        settle(&mut self.app);
        let keys = started.elapsed();
        self.frame()?;
        let first_frame = started.elapsed() - keys;
        while self.asked > 0 {
            self.answer().await?;
        }
        settle(&mut self.app);
        let answered = started.elapsed();
        let app = &self.app;
        let frame = self.terminal.draw(|f| floktu_tui::tui::view::render(app, f))?;
        let total = started.elapsed();
        let shown: String = frame.buffer.content().iter().map(|c| c.symbol()).collect();
        Ok(Scan {
            total,
            keys,
            frames: first_frame + (total - answered),
            ledger: answered - keys - first_frame,
            shown,
            sent: self.sent.replace(0),
        })
    }
}

/// One scan at the door, timed.
struct Scan {
    /// From the first digit to the verdict drawn.
    total: Duration,
    /// The digits and Enter through `update` (the door's search as it types,
    /// the judging, the `Command::Admit`).
    keys: Duration,
    /// The two frames: "admitting…", then the verdict.
    frames: Duration,
    /// Waiting for the ledger's answer (the commit), and applying it.
    ledger: Duration,
    /// The verdict's frame, as text.
    shown: String,
    /// Bytes a terminal would have received for both frames.
    sent: usize,
}

async fn screen(postgres: Option<&str>) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let spec = match postgres {
        Some(url) => LedgerSpec::Postgres { url: url.to_string(), queue: dir.path().join("queue.db") },
        None => LedgerSpec::Sqlite(dir.path().join("admissions.db")),
    };
    let ledger = spec.open().await?;
    let describe = ledger.describe();
    let guests = match std::env::var("GUESTS") {
        Ok(n) => n.parse().with_context(|| format!("GUESTS is not a number: {n}"))?,
        Err(_) => 10_000,
    };
    let mut event = event(guests)?;
    event.id = fresh_event_id();
    let list = list_of(&event)?;
    let valid = valid_tickets(&list)?;
    let mut door = Door::open(&event, ledger).await?;
    let mut scans = Vec::with_capacity(valid.len());
    for (n, &ticket) in valid.iter().enumerate() {
        let scan = door.scan(ticket).await?;
        let scan_no = format!("scan #{}", n + 1);
        let shown = &scan.shown;
        if !shown.contains("✔  VALID") || !shown.contains("admitted now") || !shown.contains(&scan_no) {
            bail!("scan {} of {ticket} did not show VALID, admitted now, {scan_no}:\n{shown}", n + 1);
        }
        scans.push(Scan { shown: String::new(), ..scan });
    }
    let part = |f: fn(&Scan) -> Duration| spread(&mut scans.iter().map(f).collect::<Vec<_>>());
    println!(
        "{describe}: scan to verdict on screen (160x40), ledger write included, {} guests, {} scans: {}",
        list.len(),
        scans.len(),
        part(|s| s.total)
    );
    println!("  keys through update: {}", part(|s| s.keys));
    println!("  ledger (commit and answer): {}", part(|s| s.ledger));
    println!(
        "  two frames drawn: {} ({} bytes to the terminal a scan)",
        part(|s| s.frames),
        scans.iter().map(|s| s.sent).sum::<usize>() / scans.len()
    );
    Ok(())
}

async fn scan(postgres: Option<&str>) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let spec = match postgres {
        Some(url) => LedgerSpec::Postgres { url: url.to_string(), queue: dir.path().join("queue.db") },
        None => LedgerSpec::Sqlite(dir.path().join("admissions.db")),
    };
    let ledger = spec.open().await?;
    let list = guest_list(10_000)?;
    let valid = valid_tickets(&list)?;
    let event = fresh_event_id();
    let gate = Gate::new("bench").context("gate")?;
    // Warm up: the connection and the schema.
    ledger.admitted(event, 0).await?;
    let mut times = Vec::with_capacity(valid.len());
    for &ticket in &valid {
        let started = Instant::now();
        let i = *list.lookup_id(ticket).first().context("lookup")?;
        let list_verdict = list.verdict(i);
        let guest = &list.guests()[i];
        let outcome = ledger.admit(NewAdmission::now(event, ticket, guest.order_id(), &gate)).await?;
        let verdict = match &outcome {
            Admitted::Already(w) => judge(&list_verdict, Some(w)),
            _ => judge(&list_verdict, None),
        };
        times.push(started.elapsed());
        if !verdict.admits() {
            bail!("{ticket} was refused: {}", verdict.word());
        }
    }
    println!(
        "{}: scan to verdict, ledger write included, over {} scans: {}",
        ledger.describe(),
        times.len(),
        spread(&mut times)
    );
    Ok(())
}

/// `gates` gate processes (this program again, `gate PATH NAME SECONDS`) on
/// one SQLite file, as several SSH sessions at one machine are, started
/// together; each prints how many it admitted.
fn gates(run: Duration, gates: usize) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("admissions.db");
    // The schema, made once before the gates start.
    tokio::runtime::Runtime::new()?.block_on(Sqlite::open(&path))?;
    let me = std::env::current_exe()?;
    let children = (0..gates)
        .map(|n| {
            std::process::Command::new(&me)
                .args([
                    "gate",
                    &path.display().to_string(),
                    &format!("gate{}", n + 1),
                    &run.as_secs().to_string(),
                ])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .context("starting a gate")
        })
        .collect::<Result<Vec<_>>>()?;
    let mut each = Vec::new();
    for child in children {
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!("a gate failed: {}", out.status);
        }
        let text = String::from_utf8_lossy(&out.stdout);
        each.push(text.trim().parse::<u64>().with_context(|| format!("a gate said {text:?}"))?);
    }
    let total: u64 = each.iter().sum();
    let rate = |n: u64| n as f64 / run.as_secs_f64();
    let per_gate: Vec<String> = each.iter().map(|&n| format!("{:.0}", rate(n))).collect();
    println!(
        "{gates} gate processes on one SQLite file: {total} admissions in {} s = {:.0} admissions/s ({} a gate)",
        run.as_secs(),
        rate(total),
        per_gate.join(" + ")
    );
    Ok(())
}

/// One gate of `gates`: admits distinct tickets one after another, each
/// committed before the next, for `run`; prints how many.
async fn gate(path: &std::path::Path, name: &str, run: Duration) -> Result<()> {
    let ledger = Sqlite::open(path).await?;
    let gate = Gate::new(name).context("gate")?;
    let event = 12;
    // Distinct tickets per gate: gate1 from 10,000,001, gate2 from 20,000,001.
    let first = name.trim_start_matches("gate").parse::<u64>().unwrap_or(9) * 10_000_000;
    let started = Instant::now();
    let mut admitted = 0u64;
    let mut ticket = first;
    while started.elapsed() < run {
        ticket += 1;
        if let Admitted::New(_) = ledger.admit(NewAdmission::now(event, ticket, 1, &gate)).await? {
            admitted += 1;
        }
    }
    println!("{admitted}");
    Ok(())
}
