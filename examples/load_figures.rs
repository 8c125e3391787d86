//! The guest-list load figures for BENCHMARKS.md, against the demo server
//! in-process, through the public `guestlist::load` (what `floktu attendees`
//! runs). Release build, one process per command:
//!
//! ```sh
//! cargo run --release --example load_figures -- all
//! cargo run --release --example load_figures -- rate  [ORDERS] [LATENCY_MS] [CONCURRENCY] [RATE] [BURST] [RUNS]
//! cargo run --release --example load_figures -- clean [ORDERS] [LATENCY_MS] [CONCURRENCY] [RUNS]
//! ```
//!
//! - `rate` (defaults 1000 20 8 100 10 3): Floktu limits API requests to RATE a
//!   second with bursts of BURST (the demo server's token bucket: 429 with
//!   `Retry-After` past it). Loads the event RUNS times clean, and RUNS times with
//!   10% of requests answered 503 without `Retry-After`, alternating, so both
//!   see the same machine. For each: the wall time against N/R, the requests
//!   the server saw, how many it refused (429) and failed (503), and the rate
//!   the loader reported learning. Targets: clean ≤ 1.15 × N/R with ≤ 5% refused;
//!   with 503s ≤ 1.3 × the clean load (medians).
//! - `clean` (defaults 2000 20 8 3): no limit; the wall time against ⌈N/C⌉·L,
//!   RUNS times, each followed by the simplest loader (the order list, then
//!   `buffer_unordered(C)` over the orders) on the same server, so that the
//!   loader's own overhead shows apart from the machine's.
//! - `all`: both, with the defaults.
//!
//! Every figure includes the order list request (one more request, one more L).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use floktu_tui::api::{AccessToken, ApiBase, FloktuClient};
use floktu_tui::demo::{DemoOptions, DemoServer, Fault};
use floktu_tui::guestlist;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: f64| -> Result<f64> {
        match args.get(i) {
            Some(a) => a.parse().with_context(|| format!("not a number: {a}")),
            None => Ok(default),
        }
    };
    let runtime = tokio::runtime::Runtime::new()?;
    match args.first().map(String::as_str) {
        Some("rate") => {
            let limit = RateCase {
                orders: arg(1, 1000.0)? as usize,
                latency_ms: arg(2, 20.0)? as u64,
                concurrency: arg(3, 8.0)? as usize,
                rate: arg(4, 100.0)?,
                burst: arg(5, 10.0)? as u32,
                runs: arg(6, 3.0)? as usize,
            };
            runtime.block_on(rate_limited(&limit))
        }
        Some("clean") => runtime.block_on(clean(
            arg(1, 2000.0)? as usize,
            arg(2, 20.0)? as u64,
            arg(3, 8.0)? as usize,
            arg(4, 3.0)? as usize,
        )),
        Some("all") => runtime.block_on(async {
            rate_limited(&RateCase::default()).await?;
            println!();
            clean(2000, 20, 8, 3).await
        }),
        _ => bail!("usage: load_figures rate|clean|all [...] (see the file's docs)"),
    }
}

/// (a) and (b): a rate-limited server, clean and with random 503s.
struct RateCase {
    orders: usize,
    latency_ms: u64,
    concurrency: usize,
    rate: f64,
    burst: u32,
    runs: usize,
}

impl Default for RateCase {
    fn default() -> RateCase {
        RateCase { orders: 1000, latency_ms: 20, concurrency: 8, rate: 100.0, burst: 10, runs: 3 }
    }
}

/// One load, as the server and the loader saw it.
struct Run {
    took: Duration,
    requests: u64,
    refused: u64,
    unavailable: u64,
    incomplete: usize,
    learned: Option<u32>,
}

async fn rate_limited(case: &RateCase) -> Result<()> {
    let server = DemoServer::start(DemoOptions {
        events: 1,
        orders: case.orders,
        latency_ms: case.latency_ms,
        ..DemoOptions::default()
    })
    .await?;
    let ideal = case.orders as f64 / case.rate;
    println!(
        "N = {} orders, L = {} ms, C = {}, Floktu's limit R = {}/s with bursts of {}; N/R = {ideal:.2} s",
        case.orders, case.latency_ms, case.concurrency, case.rate, case.burst
    );
    let (mut clean, mut flaky) = (Vec::new(), Vec::new());
    for i in 0..case.runs {
        for fail_rate in [0.0, 0.1] {
            let run = timed_load(&server, case, fail_rate).await?;
            let label = if fail_rate > 0.0 { "10% 503" } else { "clean  " };
            println!(
                "  run {} {label}  {:6.2} s = {:.3} × N/R   requests {:5}   429 {:4} ({:4.1}%)   503 {:4}   learned {:>4}/s{}",
                i + 1,
                run.took.as_secs_f64(),
                run.took.as_secs_f64() / ideal,
                run.requests,
                run.refused,
                percent(run.refused, run.requests),
                run.unavailable,
                run.learned.map_or("-".to_string(), |r| r.to_string()),
                match run.incomplete {
                    0 => String::new(),
                    n => format!("   {n} orders failed"),
                },
            );
            if fail_rate > 0.0 { flaky.push(run) } else { clean.push(run) }
        }
    }
    let clean_took = median(clean.iter().map(|r| r.took.as_secs_f64()));
    let flaky_took = median(flaky.iter().map(|r| r.took.as_secs_f64()));
    let refused = median(clean.iter().map(|r| percent(r.refused, r.requests)));
    println!(
        "  median clean     {clean_took:.2} s = {:.3} × N/R (target ≤ 1.15), {refused:.1}% refused (target ≤ 5%)",
        clean_took / ideal
    );
    println!(
        "  median 10% 503   {flaky_took:.2} s = {:.3} × the clean load (target ≤ 1.3)",
        flaky_took / clean_took
    );
    server.shutdown().await;
    Ok(())
}

/// One load of the server's event with a fresh client and a full bucket.
async fn timed_load(server: &DemoServer, case: &RateCase, fail_rate: f64) -> Result<Run> {
    let knobs = server.knobs();
    knobs.set_rate_limit(Some(case.rate), case.burst);
    knobs.set_fail_rate_with(fail_rate, Fault::ServiceUnavailable { retry_after_secs: None });
    server.reset_stats();
    let client = client(server)?;
    let event = server.dataset().events[0].id;
    let mut learned = None;
    let started = Instant::now();
    let list = guestlist::load(&client, event, case.concurrency, |p| {
        if let Some(per_second) = p.throttle.and_then(|t| t.per_second) {
            learned = Some(per_second);
        }
    })
    .await?;
    let took = started.elapsed();
    let stats = server.stats();
    knobs.clear_faults();
    let refused = stats.rate_limited;
    // The demo server counts the requests it refused, not the faults it picked:
    // the rest of what it saw, less the answers that carried an order or the list.
    let answered = list.progress().loaded as u64 + 1;
    Ok(Run {
        took,
        requests: stats.requests,
        refused,
        unavailable: stats.requests.saturating_sub(refused + answered),
        incomplete: list.failed().len(),
        learned,
    })
}

/// (c): no limit, no faults; against ⌈N/C⌉·L, and against the simplest
/// loader there is (the order list, then the orders through
/// `buffer_unordered(C)`: no pacing, no retries, no queues) in the same run,
/// alternating, so that both see the same machine.
async fn clean(orders: usize, latency_ms: u64, concurrency: usize, runs: usize) -> Result<()> {
    let server =
        DemoServer::start(DemoOptions { events: 1, orders, latency_ms, ..DemoOptions::default() }).await?;
    let event = server.dataset().events[0].id;
    let ideal = Duration::from_millis(latency_ms) * orders.div_ceil(concurrency) as u32;
    println!(
        "N = {orders} orders, L = {latency_ms} ms, C = {concurrency}, no rate limit; ⌈N/C⌉·L = {:.2} s",
        ideal.as_secs_f64()
    );
    let (mut loader, mut bare) = (Vec::new(), Vec::new());
    for i in 0..runs.max(1) {
        server.reset_stats();
        let client = client(&server)?;
        let started = Instant::now();
        let list = guestlist::load(&client, event, concurrency, |_| {}).await?;
        let took = started.elapsed();
        if !list.is_complete() {
            bail!("the load was not complete: {} orders failed", list.failed().len());
        }
        let stats = server.stats();
        let client = client_of(&server)?;
        let started = Instant::now();
        let fetched = bare_load(&client, event, concurrency).await?;
        let bare_took = started.elapsed();
        if fetched != orders {
            bail!("the bare load fetched {fetched} of {orders} orders");
        }
        println!(
            "  run {}  guestlist::load {:.2} s = {:.3} × ⌈N/C⌉·L (requests {}, max in flight {})   bare loop {:.2} s = {:.3} ×   load / bare = {:.3}",
            i + 1,
            took.as_secs_f64(),
            took.as_secs_f64() / ideal.as_secs_f64(),
            stats.requests,
            stats.max_in_flight,
            bare_took.as_secs_f64(),
            bare_took.as_secs_f64() / ideal.as_secs_f64(),
            took.as_secs_f64() / bare_took.as_secs_f64(),
        );
        loader.push(took.as_secs_f64());
        bare.push(bare_took.as_secs_f64());
    }
    let (l, b) = (median(loader.into_iter()), median(bare.into_iter()));
    println!(
        "  median guestlist::load {l:.2} s = {:.3} × ⌈N/C⌉·L (target ≤ 1.10)   bare loop {b:.2} s = {:.3} ×   load / bare = {:.3}",
        l / ideal.as_secs_f64(),
        b / ideal.as_secs_f64(),
        l / b
    );
    server.shutdown().await;
    Ok(())
}

/// The simplest load: the order list, then every order with `concurrency` in
/// flight; the number of orders fetched.
async fn bare_load(client: &FloktuClient, event: u64, concurrency: usize) -> Result<usize> {
    use futures::stream::{self, StreamExt};
    let ids: Vec<u64> = client.orders(event).await?.items.iter().map(|o| o.id).collect();
    let answers: Vec<_> =
        stream::iter(ids).map(|id| client.order(event, id)).buffer_unordered(concurrency).collect().await;
    Ok(answers.into_iter().filter(Result::is_ok).count())
}

/// A client as the loader uses it: no retries of its own.
fn client_of(server: &DemoServer) -> Result<FloktuClient> {
    Ok(client(server)?.without_retries())
}

fn client(server: &DemoServer) -> Result<FloktuClient> {
    let base = ApiBase::parse(&server.base_url())?;
    Ok(FloktuClient::new(base, AccessToken::new(DemoOptions::default().token))?)
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 }
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}
