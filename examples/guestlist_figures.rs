//! Measures the guest list's performance figures for BENCHMARKS.md. Run in release,
//! one measurement per process (memory figures need a fresh process):
//!
//! ```sh
//! cargo run --release --example guestlist_figures -- load [ORDERS] [LATENCY_MS] [CONCURRENCY]
//! cargo run --release --example guestlist_figures -- cache [ORDERS]
//! cargo run --release --example guestlist_figures -- write-cache DIR [ATTENDEES]
//! cargo run --release --example guestlist_figures -- memory-cache DIR EVENT
//! cargo run --release --example guestlist_figures -- memory-http URL
//! cargo run --release --example guestlist_figures -- orders-for ATTENDEES
//! ```
//!
//! Memory is measured in a process that did nothing else: generating the demo
//! data in the same process would leave the generator's freed memory counted in
//! its RSS. So `write-cache` writes a cached list in one process and
//! `memory-cache` opens it in another; `memory-http` loads over HTTP from a demo
//! server running as its own process. `benches/load.sh` runs them all.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use floktu_tui::api::{AccessToken, ApiBase, FloktuClient, Order};
use floktu_tui::cache::Cache;
use floktu_tui::demo::{Dataset, DemoOptions, DemoServer};
use floktu_tui::guestlist::{self, GuestList};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: u64| -> Result<u64> {
        match args.get(i) {
            Some(a) => a.parse().with_context(|| format!("not a number: {a}")),
            None => Ok(default),
        }
    };
    let runtime = tokio::runtime::Runtime::new()?;
    match args.first().map(String::as_str) {
        Some("load") => runtime.block_on(load(arg(1, 2000)? as usize, arg(2, 20)?, arg(3, 8)? as usize)),
        Some("cache") => cache(arg(1, 10_000)? as usize),
        Some("write-cache") => match args.get(1) {
            Some(dir) => write_cache(dir, arg(2, 100_000)? as usize),
            None => bail!("write-cache DIR [ATTENDEES]"),
        },
        Some("memory-cache") => match args.get(1) {
            Some(dir) => memory_cache(dir, arg(2, 0)?),
            None => bail!("memory-cache DIR EVENT"),
        },
        Some("memory-http") => match args.get(1) {
            Some(url) => runtime.block_on(memory_http(url)),
            None => bail!("memory-http URL"),
        },
        Some("orders-for") => {
            let (orders, _) = orders_for(arg(1, 100_000)? as usize);
            println!("{}", orders.len());
            Ok(())
        }
        _ => {
            bail!("usage: guestlist_figures load|cache|write-cache|memory-cache|memory-http|orders-for [...]")
        }
    }
}

/// The demo's first event, cut after the order that brings it to `attendees`.
fn orders_for(attendees: usize) -> (Vec<Order>, u64) {
    // A little over two attendees per order; generate enough, then cut.
    let data = Dataset::generate(DemoOptions::default().seed, 1, attendees / 2 + 100);
    let event = &data.events[0];
    let mut count = 0;
    let mut orders = Vec::new();
    for o in &event.orders {
        if count >= attendees {
            break;
        }
        count += o.attendees.len();
        orders.push(o.to_order());
    }
    (orders, event.id)
}

fn list_of(orders: Vec<Order>, event_id: u64) -> GuestList {
    let mut list = GuestList::new(event_id);
    list.set_order_list(orders.iter().map(|o| o.id).collect());
    for o in orders {
        list.add_order(o);
    }
    list
}

/// Full loads against the demo server at the given latency: C = `concurrency`,
/// then C = 1, in the same run.
async fn load(orders: usize, latency_ms: u64, concurrency: usize) -> Result<()> {
    let server =
        DemoServer::start(DemoOptions { events: 1, orders, latency_ms, ..DemoOptions::default() }).await?;
    let base = ApiBase::parse(&server.base_url())?;
    let client = FloktuClient::new(base, AccessToken::new(DemoOptions::default().token))?;
    let event = server.dataset().events[0].id;
    let latency = Duration::from_millis(latency_ms);
    let ideal = latency * orders.div_ceil(concurrency) as u32;
    println!("N = {orders} orders, L = {latency_ms} ms, C = {concurrency}");
    let (parallel, list) = timed_load(&client, event, concurrency).await?;
    let max_in_flight = server.stats().max_in_flight;
    server.reset_stats();
    let (serial, _) = timed_load(&client, event, 1).await?;
    println!("  attendees loaded             {}", list.len());
    println!("  max requests in flight       {max_in_flight}");
    println!("  ideal ⌈N/C⌉·L                {:.2} s", ideal.as_secs_f64());
    println!("  measured, C = {concurrency:<2}             {:.2} s", parallel.as_secs_f64());
    println!("  measured, C = 1              {:.2} s", serial.as_secs_f64());
    println!(
        "  C = {concurrency} / ideal                {:.3}×  (includes the order list request, one more L)",
        parallel.as_secs_f64() / ideal.as_secs_f64()
    );
    println!("  speed-up over C = 1          {:.2}×", serial.as_secs_f64() / parallel.as_secs_f64());
    server.shutdown().await;
    Ok(())
}

async fn timed_load(client: &FloktuClient, event: u64, concurrency: usize) -> Result<(Duration, GuestList)> {
    let started = Instant::now();
    let list = guestlist::load(client, event, concurrency, |_| {}).await?;
    let took = started.elapsed();
    if !list.is_complete() {
        bail!("the load was not complete: {:?}", list.failed());
    }
    Ok((took, list))
}

/// Opening a cached event: from the file to a searchable guest list.
fn cache(orders: usize) -> Result<()> {
    let dir = tempfile::TempDir::new()?;
    let cache = Cache::demo(dir.path());
    let data = Dataset::generate(DemoOptions::default().seed, 1, orders);
    let event = &data.events[0];
    let list = list_of(event.orders.iter().map(|o| o.to_order()).collect(), event.id);
    let path = cache.save(&list)?;
    let size = std::fs::metadata(&path)?.len();
    let mut times = Vec::new();
    for _ in 0..15 {
        let started = Instant::now();
        let back = cache.load(event.id).context("the cache reads back")?;
        // Usable: the first search a person would type.
        let hits = back.search("mar").len();
        times.push(started.elapsed());
        std::hint::black_box(hits);
    }
    let first = times[0];
    times.sort();
    println!("cached event: {orders} orders, {} attendees, file {:.1} MB", list.len(), size as f64 / 1e6);
    println!("  open (read + parse + index + first search), first run  {:.1} ms", ms(first));
    println!("  median of 15 runs                                      {:.1} ms", ms(times[7]));
    println!("  slowest of 15 runs                                     {:.1} ms", ms(times[14]));
    Ok(())
}

/// Saves a list of `attendees` generated attendees in the demo cache under
/// `dir`, and prints the event id.
fn write_cache(dir: &str, attendees: usize) -> Result<()> {
    let (orders, event) = orders_for(attendees);
    let list = list_of(orders, event);
    let path = Cache::demo(std::path::Path::new(dir)).save(&list)?;
    eprintln!(
        "wrote {} attendees to {} ({:.1} MB)",
        list.len(),
        path.display(),
        std::fs::metadata(&path)?.len() as f64 / 1e6
    );
    println!("{event}");
    Ok(())
}

/// Resident memory after opening a cached list (written by `write-cache`).
fn memory_cache(dir: &str, event: u64) -> Result<()> {
    let before = rss_kib()?;
    let started = Instant::now();
    let list = Cache::demo(std::path::Path::new(dir))
        .load(event)
        .context("no cached list there; run write-cache first")?;
    let took = started.elapsed();
    let (after, peak) = (rss_kib()?, peak_kib()?);
    println!("opened from the cache in {:.0} ms", ms(took));
    report_memory(&list, before, after, peak);
    Ok(())
}

/// Resident memory after loading a whole event over HTTP from a demo server in
/// another process (so its data is not counted here).
async fn memory_http(url: &str) -> Result<()> {
    let before = rss_kib()?;
    let client = FloktuClient::new(ApiBase::parse(url)?, AccessToken::new(DemoOptions::default().token))?;
    let events = client.events().await?;
    let event = events.items.first().context("the server has no events")?.id;
    let started = Instant::now();
    let list = guestlist::load(&client, event, 8, |_| {}).await?;
    let took = started.elapsed();
    let (after, peak) = (rss_kib()?, peak_kib()?);
    println!("loaded over HTTP in {:.1} s (complete: {})", took.as_secs_f64(), list.is_complete());
    report_memory(&list, before, after, peak);
    Ok(())
}

fn report_memory(list: &GuestList, before: u64, after: u64, peak: u64) {
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!("{} attendees in {} orders", list.len(), list.orders().len());
    println!("  RSS before         {:.1} MiB", mib(before));
    println!("  RSS with the list  {:.1} MiB", mib(after));
    println!("  list's share       {:.1} MiB", mib(after.saturating_sub(before)));
    println!("  peak RSS (VmHWM)   {:.1} MiB", mib(peak));
    // Keep the list alive until measured.
    std::hint::black_box(list);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn rss_kib() -> Result<u64> {
    status_field("VmRSS:")
}

fn peak_kib() -> Result<u64> {
    status_field("VmHWM:")
}

/// A "kB" field of /proc/self/status.
fn status_field(name: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {name} in /proc/self/status"))
}
