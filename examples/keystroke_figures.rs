//! What one keystroke costs in a list's filter and at the door over 100,000
//! attendees, as the TUI's loop spends it: the key through `update`, the
//! batch's `settle` (the filter, ranking included), and one frame at 160×40.
//! For BENCHMARKS.md ("Keystrokes").
//!
//! ```sh
//! cargo run --release --example keystroke_figures -- [RUNS [QUERY…]]
//! ```
//!
//! Each query is typed one character at a time, RUNS times (default 20), a
//! frame after every key, then cleared; the figures are per keystroke: the
//! median and the slowest over every key of every run.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use floktu_tui::api::Event;
use floktu_tui::demo::{Dataset, DemoOptions};
use floktu_tui::tui::app::{App, Focus, OrdersView, ReqId, Screen};
use floktu_tui::tui::guests::{GuestLoad, Guests};
use floktu_tui::tui::msg::{Action, BrowseAction, DoorAction, FilterAction, Msg};
use floktu_tui::tui::update::{settle, update};
use floktu_tui::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const ATTENDEES: usize = 100_000;

/// What people type: one letter, a surname, typos, two words, an email part,
/// an id as a scanner types it.
const QUERIES: &[&str] =
    &["m", "martinez", "muler", "jhon", "anna nguyen", "nguyen anna", "example.", "100011"];

fn main() -> Result<()> {
    let runs: usize = match std::env::args().nth(1) {
        Some(a) => a.parse().with_context(|| format!("not a number: {a}"))?,
        None => 20,
    };
    let asked: Vec<String> = std::env::args().skip(2).collect();
    let queries: Vec<&str> =
        if asked.is_empty() { QUERIES.to_vec() } else { asked.iter().map(String::as_str).collect() };
    let mut app = app_with_100k()?;
    let mut terminal = Terminal::new(TestBackend::new(160, 40))?;
    let rows = app.guests.as_ref().and_then(|g| g.shown.as_ref()).map_or(0, |l| l.len());
    println!("{rows} attendees, 160x40, {runs} runs of each query, one frame after every key");
    update(&mut app, Msg::Action(Action::Browse(BrowseAction::Filter)));
    println!("attendees filter:");
    for &query in &queries {
        let times = typed(&mut app, &mut terminal, query, runs, |app| {
            update(app, Msg::Action(Action::Filter(FilterAction::Clear)));
            update(app, Msg::Action(Action::Browse(BrowseAction::Filter)));
        })?;
        report(query, &times);
    }
    update(&mut app, Msg::Action(Action::Filter(FilterAction::Clear)));
    app.screen = Screen::Door;
    println!("door input:");
    for &query in &queries {
        let times = typed(&mut app, &mut terminal, query, runs, |app| {
            update(app, Msg::Action(Action::Door(DoorAction::Clear)));
        })?;
        report(query, &times);
    }
    Ok(())
}

/// Types `query` `runs` times, a frame after each key; `clear` between runs.
fn typed(
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
    query: &str,
    runs: usize,
    clear: impl Fn(&mut App),
) -> Result<Vec<Duration>> {
    let mut times = Vec::new();
    for _ in 0..runs {
        for c in query.chars() {
            let started = Instant::now();
            update(app, Msg::Action(Action::Type(c)));
            settle(app);
            terminal.draw(|f| view::render(app, f))?;
            times.push(started.elapsed());
        }
        clear(app);
        settle(app);
    }
    Ok(times)
}

/// The spread over every key, and the key whose median is the slowest.
fn report(query: &str, times: &[Duration]) {
    let keys = query.chars().count();
    let slowest = (0..keys)
        .map(|k| {
            let mut at: Vec<Duration> = times.iter().skip(k).step_by(keys).copied().collect();
            at.sort();
            (at[at.len() / 2], k)
        })
        .max();
    let mut times = times.to_vec();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = times[times.len() / 2];
    let p95 = times[times.len() * 95 / 100];
    let max = times[times.len() - 1];
    let (slow, k) = slowest.unwrap_or_default();
    println!(
        "  {:<14} per keystroke: median {:.2} ms, p95 {:.2} ms, max {:.2} ms; slowest key {:?} (median {:.2} ms)",
        format!("{query:?}"),
        ms(median),
        ms(p95),
        ms(max),
        query.chars().take(k + 1).collect::<String>(),
        ms(slow)
    );
}

/// An app showing every one of 100,000 attendees in the middle pane.
fn app_with_100k() -> Result<App> {
    let data = Dataset::generate(DemoOptions::default().seed, 1, ATTENDEES / 2 + 100);
    let event = data.events.first().context("no event generated")?;
    let list = data.guest_list(ATTENDEES);
    let mut app = App::new("floktu.com".into(), false);
    update(&mut app, Msg::Resize { width: 160, height: 40 });
    app.open_event = Some(Event { id: event.id, name: event.name.clone() });
    app.focus = Focus::Orders;
    app.orders_view = OrdersView::Attendees;
    let mut guests = Guests::new(event.id);
    guests.shown = Some(list);
    guests.load = GuestLoad::Live(ReqId(1));
    app.guests = Some(guests);
    Ok(app)
}
