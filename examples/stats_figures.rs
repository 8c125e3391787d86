//! Measures the stats screen's figures for BENCHMARKS.md: working the numbers
//! out over 100,000 attendees (`GuestList::stats`, as `update` calls it), for a
//! list built from orders and for one opened from the cache (whose attendees
//! are decoded when first read), and drawing one frame of the screen at 160×40
//! and 80×24. Run in release:
//!
//! ```sh
//! cargo run --release --example stats_figures -- [ATTENDEES] [RUNS]
//! ```

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{FixedOffset, TimeDelta, Utc};
use floktu_tui::api::{Event, Status};
use floktu_tui::cache::Cache;
use floktu_tui::demo::{Dataset, DemoOptions};
use floktu_tui::guestlist::GuestList;
use floktu_tui::ledger::{Admission, Gate};
use floktu_tui::tui::app::{App, Screen};
use floktu_tui::tui::guests::Guests;
use floktu_tui::tui::stats::StatsView;
use floktu_tui::tui::update::{settle, update};
use floktu_tui::tui::{msg::Msg, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn main() -> Result<()> {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse()).collect::<Result<_, _>>()?;
    let attendees = args.first().copied().unwrap_or(100_000);
    let runs = args.get(1).copied().unwrap_or(50);
    let list = Dataset::generate(DemoOptions::default().seed, 1, attendees / 2 + 1000).guest_list(attendees);
    let admissions = admitted(&list);
    let utc = FixedOffset::east_opt(0).context("UTC")?;
    let checked_in = list.guests().iter().filter(|g| g.attendee.check_in.is_some()).count();
    println!(
        "{} attendees in {} orders, {} checked in through Floktu, {} admitted at 4 gates",
        list.len(),
        list.orders().len(),
        checked_in,
        admissions.len()
    );

    // The list's part is worked out once per change of the list: a fresh
    // copy of the list each run has it to do; the same list again has only
    // the admissions to add (a live door's case: other gates admit, the list
    // stays as it was).
    let mut changed = Vec::new();
    for _ in 0..runs.min(20) {
        let fresh = list.clone();
        let started = Instant::now();
        std::hint::black_box(fresh.stats(&admissions, utc).total.sold);
        changed.push(started.elapsed());
    }
    changed.sort();
    report("stats, list built from orders, just changed (the list's part again)", &changed);
    let times = time(runs, || std::hint::black_box(list.stats(&admissions, utc)).total.sold);
    report("stats, the same list, the admissions added again", &times);

    let dir = tempfile::TempDir::new()?;
    let cache = Cache::demo(dir.path());
    cache.save(&list)?;
    let cached = cache.load(list.event_id()).context("the cache reads back")?;
    let first = time(1, || cached.stats(&admissions, utc).total.sold);
    let again = time(runs, || cached.stats(&admissions, utc).total.sold);
    report("stats, list opened from the cache: first (decodes the checked-in)", &first);
    report("stats, list opened from the cache: after", &again);

    let mut app = stats_app(list, admissions);
    let settles = time(runs, || {
        if let Some(g) = app.guests.as_mut() {
            g.changes += 1;
        }
        settle(&mut app);
        0
    });
    report("update's settle on the stats screen (the admissions changed each time, the list not)", &settles);
    for (w, h) in [(160, 40), (80, 24)] {
        update(&mut app, Msg::Resize { width: w, height: h });
        let mut terminal = Terminal::new(TestBackend::new(w, h))?;
        let frames = time(runs * 4, || terminal.draw(|f| view::render(&app, f)).map(|_| 0).unwrap_or(1));
        report(&format!("frame of the stats screen, {w}x{h}"), &frames);
    }
    Ok(())
}

/// A fifth of the confirmed guests not checked in, admitted at four gates
/// through the evening.
fn admitted(list: &GuestList) -> HashMap<u64, Admission> {
    let start = Utc::now() - TimeDelta::hours(5);
    let gates = ["north", "south", "east", "west"].map(|g| Gate::new(g).unwrap_or_else(Gate::this_host));
    list.guests()
        .iter()
        .filter(|g| g.order.status == Status::Confirmed && g.attendee.check_in.is_none())
        .step_by(5)
        .enumerate()
        .map(|(k, g)| {
            let a = Admission {
                event_id: list.event_id(),
                attendee_id: g.attendee.attendee_id,
                order_id: g.order.id,
                gate: gates[k % 4].clone(),
                at: start + TimeDelta::seconds(k as i64 % 18_000),
                user: "door".into(),
                undone: None,
            };
            (a.attendee_id, a)
        })
        .collect()
}

/// An app on the stats screen of `list`'s event, its numbers worked out.
fn stats_app(list: GuestList, admissions: HashMap<u64, Admission>) -> App {
    let mut app = App::new("floktu.com".into(), false);
    app.now = Utc::now();
    let event_id = list.event_id();
    app.open_event = Some(Event { id: event_id, name: "Northern Lights Festival 2026".into() });
    let mut guests = Guests::new(event_id);
    guests.shown = Some(list);
    guests.door.admissions = admissions;
    guests.list_changed();
    app.guests = Some(guests);
    let offset = FixedOffset::east_opt(0).unwrap_or_else(|| Utc.fix());
    app.stats = Some(StatsView::new(event_id, offset, 1));
    app.screen = Screen::Stats;
    settle(&mut app);
    app
}

use chrono::Offset;

/// `f` run `runs` times, each timed.
fn time(runs: usize, mut f: impl FnMut() -> usize) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(f());
            started.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn report(what: &str, times: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = times[times.len() / 2];
    let slowest = times[times.len() - 1];
    println!(
        "{what:<68} median {:>7.3} ms   slowest {:>7.3} ms   ({} runs)",
        ms(median),
        ms(slowest),
        times.len()
    );
}
