//! The cache's figures for BENCHMARKS.md ("Cache"); `benches/cache.sh` runs them:
//!
//! ```sh
//! cargo run --release --example cache_figures -- write CACHE_DIR [ATTENDEES]
//! cargo run --release --example cache_figures -- open CACHE_DIR EVENT [RUNS]
//! cargo run --release --example cache_figures -- tui CACHE_DIR EVENT
//! ```
//!
//! `write` saves a generated event of ATTENDEES attendees (the demo data) in the
//! cache of the account that `FLOKTU_API_BASE` and `FLOKTU_TOKEN` name, under
//! CACHE_DIR (`$XDG_CACHE_HOME/floktu`), so that `floktu attendees EVENT
//! --offline` reads it; it prints the event id. `open` times `Cache::load` (to a
//! usable list: indexed, counted, its first screen read, a first search done
//! and its first screen read), RUNS times. `tui` times, once (run it in a
//! fresh process each time), what the TUI does from Enter on the event to the
//! attendees view drawn: `Cache::load`, the list handed to `update`
//! (`Msg::GuestsCached`), `settle`, one frame at 160×40.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use floktu_tui::api::{AccessToken, ApiBase};
use floktu_tui::cache::Cache;
use floktu_tui::demo::{Dataset, DemoOptions};
use floktu_tui::guestlist::GuestList;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: u64| -> Result<u64> {
        match args.get(i) {
            Some(a) => a.parse().with_context(|| format!("not a number: {a}")),
            None => Ok(default),
        }
    };
    match (args.first().map(String::as_str), args.get(1)) {
        (Some("write"), Some(dir)) => write(&account(dir)?, number(2, 100_000)? as usize),
        (Some("open"), Some(dir)) => open(&account(dir)?, number(2, 0)?, number(3, 15)? as usize),
        (Some("tui"), Some(dir)) => tui(&account(dir)?, number(2, 0)?),
        _ => bail!("usage: cache_figures write CACHE_DIR [ATTENDEES] | open|tui CACHE_DIR EVENT [RUNS]"),
    }
}

/// The cache `floktu` uses for `FLOKTU_API_BASE` and `FLOKTU_TOKEN`.
fn account(dir: &str) -> Result<Cache> {
    let base = std::env::var("FLOKTU_API_BASE").context("set FLOKTU_API_BASE")?;
    let token = std::env::var("FLOKTU_TOKEN").context("set FLOKTU_TOKEN")?;
    Ok(Cache::for_account(Path::new(dir), &ApiBase::parse(&base)?, &AccessToken::new(token)))
}

fn write(cache: &Cache, attendees: usize) -> Result<()> {
    // A little over two attendees per order: generate enough, then cut.
    let data = Dataset::generate(DemoOptions::default().seed, 1, attendees / 2 + 100);
    let event = data.events.first().context("no event generated")?;
    let mut orders = Vec::new();
    let mut count = 0;
    for o in &event.orders {
        if count >= attendees {
            break;
        }
        count += o.attendees.len();
        orders.push(o.to_order());
    }
    // A complete list of those orders: the event as if it had no more.
    let mut list = GuestList::new(event.id);
    list.set_event_name(Some(event.name.clone()));
    list.set_order_list(orders.iter().map(|o| o.id).collect());
    for o in orders {
        list.add_order(o);
    }
    list.mark_done();
    let started = Instant::now();
    let path = cache.save(&list)?;
    let took = started.elapsed();
    eprintln!(
        "wrote {} attendees in {} orders to {} ({:.1} MB) in {:.0} ms",
        list.len(),
        list.orders().len(),
        path.display(),
        std::fs::metadata(&path)?.len() as f64 / 1e6,
        ms(took)
    );
    println!("{}", list.event_id());
    Ok(())
}

fn open(cache: &Cache, event: u64, runs: usize) -> Result<()> {
    let mut times = Vec::new();
    let mut loads = Vec::new();
    let mut guests = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let list = cache.load(event).context("nothing cached there; run `write` first")?;
        loads.push(started.elapsed());
        // Usable: the first screen drawn, the counts shown, and the first
        // search a person would type, with its first screen.
        let mut shown = first_screen(&list, 0..list.len());
        shown += list.counts().overall.total;
        let hits = list.search("mar");
        shown += first_screen(&list, hits.iter().copied());
        times.push(started.elapsed());
        guests = list.len();
        std::hint::black_box((hits.len(), shown));
    }
    let first = times[0];
    times.sort();
    loads.sort();
    println!("Cache::load + first search, {guests} attendees, {} runs", times.len());
    println!("  first run  {:.1} ms", ms(first));
    println!("  median     {:.1} ms", ms(times[times.len() / 2]));
    println!("  slowest    {:.1} ms", ms(times[times.len() - 1]));
    println!("  of which Cache::load alone: median {:.1} ms", ms(loads[loads.len() / 2]));
    Ok(())
}

fn tui(cache: &Cache, event: u64) -> Result<()> {
    use floktu_tui::api::Event;
    use floktu_tui::tui::app::{App, Focus, OrdersView, ReqId};
    use floktu_tui::tui::guests::{GuestLoad, Guests};
    use floktu_tui::tui::msg::Msg;
    use floktu_tui::tui::update::{settle, update};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    // The TUI just before the cached list arrives: the event open on its
    // attendees, its guest list asked for.
    let mut app = App::new("floktu.com".into(), false);
    update(&mut app, Msg::Resize { width: 160, height: 40 });
    app.open_event = Some(Event { id: event, name: "cached".into() });
    app.focus = Focus::Orders;
    app.orders_view = OrdersView::Attendees;
    let mut guests = Guests::new(event);
    guests.load = GuestLoad::Loading(ReqId(1));
    app.guests = Some(guests);
    let mut terminal = Terminal::new(TestBackend::new(160, 40))?;
    let started = Instant::now();
    let list = cache.load(event).context("nothing cached there; run `write` first")?;
    let loaded = started.elapsed();
    update(&mut app, Msg::GuestsCached { req: ReqId(1), list: Some(Box::new(list)) });
    settle(&mut app);
    terminal.draw(|f| floktu_tui::tui::view::render(&app, f))?;
    let took = started.elapsed();
    let shown = app.guests.as_ref().and_then(|g| g.shown.as_ref()).map_or(0, |l| l.len());
    println!(
        "TUI open of a cached event, {shown} attendees: {:.1} ms to the attendees view drawn (Cache::load {:.1} ms)",
        ms(took),
        ms(loaded)
    );
    Ok(())
}

/// What the attendees view reads of the rows on a 40-line screen (name,
/// company, ticket, order, check-in, and the email for copying).
fn first_screen(list: &GuestList, rows: impl Iterator<Item = usize>) -> usize {
    rows.take(40)
        .filter_map(|i| list.guests().get(i))
        .map(|g| {
            let a = &g.attendee;
            g.name().len()
                + a.company.as_deref().map_or(0, str::len)
                + g.ticket_label().len()
                + g.email().len()
                + a.check_in.as_ref().map_or(0, |c| c.short().len())
        })
        .sum()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
