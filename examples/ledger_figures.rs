//! The ledger's figures for BENCHMARKS.md ("Ledger"):
//!
//! ```sh
//! cargo run --release --example ledger_figures -- scan [postgres://…]
//! cargo run --release --example ledger_figures -- gates [SECONDS]
//! ```
//!
//! `scan` times a scan to its verdict as `floktu admit` and the door make it,
//! the ledger write included: the id looked up in a 10,000-guest list, the list's
//! verdict, the admission committed (fsynced), the door's verdict; the median and
//! 95th percentile over 1,000 scans of valid tickets, on a fresh SQLite file in a
//! temporary directory, or on PostgreSQL when a URL is given. Drawing the screen
//! is not in it (see "Rendering"). `gates` runs two gates, each with its own
//! connection to one SQLite file and its own thread, admitting distinct tickets
//! as fast as they can for SECONDS (default 5), and prints admissions a second.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use floktu_tui::demo::{Dataset, DemoOptions};
use floktu_tui::guestlist::{GuestList, Verdict};
use floktu_tui::ledger::Ledger;
use floktu_tui::ledger::{Admitted, Gate, LedgerSpec, NewAdmission, Sqlite, judge};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = tokio::runtime::Runtime::new()?;
    match args.first().map(String::as_str) {
        Some("scan") => rt.block_on(scan(args.get(1).map(String::as_str))),
        Some("gates") => {
            let secs = args.get(1).map(|s| s.parse()).transpose().context("SECONDS")?.unwrap_or(5);
            rt.block_on(gates(Duration::from_secs(secs)))
        }
        _ => bail!("usage: ledger_figures scan [postgres://…] | gates [SECONDS]"),
    }
}

fn guest_list(attendees: usize) -> Result<GuestList> {
    let data = Dataset::generate(DemoOptions::default().seed, 1, attendees / 2 + 100);
    let event = data.events.first().context("no event generated")?;
    let mut list = GuestList::new(event.id);
    list.set_order_list(event.orders.iter().map(|o| o.id).collect());
    for o in &event.orders {
        list.add_order(o.to_order());
    }
    list.mark_done();
    Ok(list)
}

async fn scan(postgres: Option<&str>) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let spec = match postgres {
        Some(url) => LedgerSpec::Postgres { url: url.to_string(), queue: dir.path().join("queue.db") },
        None => LedgerSpec::Sqlite(dir.path().join("admissions.db")),
    };
    let ledger = spec.open().await?;
    let list = guest_list(10_000)?;
    let valid: Vec<u64> = (0..list.len())
        .filter(|&i| list.verdict(i) == Verdict::Valid)
        .map(|i| list.guests()[i].attendee.attendee_id)
        .collect();
    if valid.len() < 1_000 {
        bail!("only {} valid guests", valid.len());
    }
    // A fresh event id, so that a PostgreSQL ledger used before has none of these.
    let event = u64::from(rand::random::<u32>()) + 1_000_000;
    let gate = Gate::new("bench").context("gate")?;
    // Warm up: the connection and the schema.
    ledger.admitted(event, 0).await?;
    let mut times = Vec::with_capacity(1_000);
    for &ticket in &valid[..1_000] {
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
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{}: scan to verdict, ledger write included, over 1,000 scans: median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        ledger.describe(),
        ms(times[499]),
        ms(times[949]),
        ms(times[999])
    );
    Ok(())
}

async fn gates(run: Duration) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("admissions.db");
    Sqlite::open(&path).await?;
    let event = 12;
    let mut handles = Vec::new();
    for (n, name) in ["north", "south"].iter().enumerate() {
        let ledger = Arc::new(Sqlite::open(&path).await?);
        let gate = Gate::new(name).context("gate")?;
        handles.push(tokio::spawn(async move {
            let started = Instant::now();
            let mut ticket = n as u64 * 10_000_000;
            let mut admitted = 0u64;
            while started.elapsed() < run {
                ticket += 1;
                if let Admitted::New(_) = ledger.admit(NewAdmission::now(event, ticket, 1, &gate)).await? {
                    admitted += 1;
                }
            }
            anyhow::Ok(admitted)
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await??;
    }
    println!(
        "two gates on one SQLite file: {total} admissions in {} s = {:.0} admissions/s",
        run.as_secs(),
        total as f64 / run.as_secs_f64()
    );
    Ok(())
}
