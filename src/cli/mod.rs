//! The plain subcommands: each parses what it was given, calls the API, the
//! guest list or the ledger, and writes the answer through `crate::output`
//! (an aligned table for people, `--json` and `--csv` for scripts).
//!
//! - `mod.rs`: `events`, `orders`, `order`, `attendees`, `emails`; exit codes.
//! - `source.rs`: where a command's guest list comes from, and its report on stderr.
//! - `account.rs`: `login`, `token`, `logout`, `status`.
//! - `door.rs`: `admit` and `admissions`, the door without a screen.
//! - `stats.rs`: `stats`, the numbers of the TUI's stats screen.

pub mod account;
pub mod config;
pub mod door;
mod source;
mod stats;

use std::io::Write;

use anyhow::{Context, Result, bail};

use crate::api::model::skipped_count;
use crate::api::{Event, FloktuClient, Skipped};
pub use crate::output::Format;
use crate::output::{guest, order as order_out, write_json};
use crate::text::{sanitize, truncate};
pub use source::GuestSource;
use source::guests;
pub use stats::stats;

/// Exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything went well.
    Ok = 0,
    /// Something failed.
    Error = 1,
    /// Usage error, or not logged in.
    Usage = 2,
    /// A partial result: some items could not be read (each named on stderr).
    Partial = 3,
    /// `admit` refused the ticket (the verdict says why).
    Refused = 4,
}

/// `floktu events`.
pub async fn events(
    client: &FloktuClient,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let events = client.events().await?;
    order_out::write_events(out, &events.items, format)?;
    Ok(report_skipped(err, "events", &events.skipped)?)
}

/// `floktu orders EVENT`.
/// A search with qualifiers (`is:due`) reads the guest list for the orders'
/// details, as `attendees` does.
pub async fn orders(
    src: &GuestSource<'_>,
    event: &str,
    search: Option<&str>,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let client = src.client;
    let event_id = resolve_event(client, event).await?;
    let orders = client.orders(event_id).await?;
    let Some(query) = search else {
        order_out::write_orders(out, &orders.items, format)?;
        return Ok(report_skipped(err, "orders", &orders.skipped)?);
    };
    if crate::search::Query::parse(query).qualifiers().is_empty() {
        let found: Vec<_> =
            order_out::search(&orders.items, query, &crate::search::NoFacts).into_iter().cloned().collect();
        order_out::write_orders(out, &found, format)?;
        return Ok(report_skipped(err, "orders", &orders.skipped)?);
    }
    let shown = guests(src, &event_id.to_string(), None, err).await?;
    let ids: Vec<u64> = orders.items.iter().map(|o| o.id).collect();
    let guests = crate::guestlist::GuestFacts { list: &shown.list, admitted: None };
    let facts = crate::guestlist::OrderFacts { order_ids: &ids, guests: Some(guests) };
    let found: Vec<_> = order_out::search(&orders.items, query, &facts).into_iter().cloned().collect();
    order_out::write_orders(out, &found, format)?;
    let skipped = report_skipped(err, "orders", &orders.skipped)?;
    let stale = shown.report.write(err, chrono::Utc::now())?;
    Ok(if skipped == Exit::Ok { stale } else { skipped })
}

/// `floktu order EVENT ORDER`.
pub async fn order(
    client: &FloktuClient,
    event: &str,
    order_id: u64,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let event_id = resolve_event(client, event).await?;
    let order = client.order(event_id, order_id).await?;
    match format {
        Format::Json => write_json(out, &order)?,
        Format::Csv => {
            bail!("`order` prints a table or --json; use `attendees EVENT --csv` for a spreadsheet")
        }
        Format::Table => order_out::write_order(out, &order)?,
    }
    Ok(report_skipped(err, "attendees", &order.skipped_attendees)?)
}

/// `floktu attendees EVENT`: every attendee of the event that is known.
pub async fn attendees(
    src: &GuestSource<'_>,
    event: &str,
    search: Option<&str>,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let shown = guests(src, event, search, err).await?;
    // One write per buffer, not per line: a search can print 100,000 rows.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    guest::write_guests(&mut out, &shown.list, &shown.picked, format)?;
    out.flush()?;
    Ok(shown.report.write(err, chrono::Utc::now())?)
}

/// `floktu emails EVENT`: distinct emails (ignoring case), one per line or as
/// a JSON array, in list order; guests of cancelled orders left out unless
/// `all`.
pub async fn emails(
    src: &GuestSource<'_>,
    event: &str,
    search: Option<&str>,
    all: bool,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let shown = guests(src, event, search, err).await?;
    let guests = shown.list.guests();
    let picked =
        shown.picked.iter().copied().filter(|&i| {
            all || guests.get(i).is_some_and(|g| g.order.status != crate::api::Status::Cancelled)
        });
    let emails: Vec<String> =
        shown.list.distinct_emails(picked).into_iter().map(|e| sanitize(e).into_owned()).collect();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    if format == Format::Json {
        write_json(&mut out, &emails)?;
    } else {
        for email in &emails {
            writeln!(out, "{email}")?;
        }
    }
    out.flush()?;
    Ok(shown.report.write(err, chrono::Utc::now())?)
}

/// An event given by id, or by a name (case-insensitive; exact, else a unique part).
pub async fn resolve_event(client: &FloktuClient, arg: &str) -> Result<u64> {
    if let Ok(id) = arg.trim().parse::<u64>() {
        return Ok(id);
    }
    let events = client.events().await.context("looking the event up by name")?;
    pick_event(&events.items, arg)
}

fn pick_event(events: &[Event], arg: &str) -> Result<u64> {
    let needle = arg.trim().to_lowercase();
    if let Some(e) = events.iter().find(|e| e.name.to_lowercase() == needle) {
        return Ok(e.id);
    }
    let matches: Vec<&Event> = events.iter().filter(|e| e.name.to_lowercase().contains(&needle)).collect();
    match matches.as_slice() {
        [one] => Ok(one.id),
        [] => bail!("no event is called {:?}; `floktu events` lists them", sanitize(arg)),
        many => {
            let names: Vec<String> =
                many.iter().take(5).map(|e| format!("{} ({})", sanitize(&e.name), e.id)).collect();
            bail!("{:?} matches {} events: {}; give the id", sanitize(arg), many.len(), names.join(", "))
        }
    }
}

/// Counts the skipped items on stderr and names the first few (the decoders keep
/// only those: see [`Skipped`]); a partial result exits 3.
fn report_skipped(err: &mut dyn Write, what: &str, skipped: &[Skipped]) -> std::io::Result<Exit> {
    if skipped.is_empty() {
        return Ok(Exit::Ok);
    }
    let count = skipped_count(skipped);
    writeln!(err, "floktu: {count} {what} could not be read and were left out:")?;
    for s in skipped {
        writeln!(err, "  {}", truncate(&sanitize(&s.describe()), 200))?;
    }
    Ok(Exit::Partial)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: u64, name: &str) -> Event {
        Event { id, name: name.into() }
    }

    #[test]
    fn event_by_exact_name_beats_partial_matches() {
        let events = [event(1, "Gala"), event(2, "Gala Dinner")];
        assert_eq!(pick_event(&events, "gala").unwrap(), 1);
        assert_eq!(pick_event(&events, "dinner").unwrap(), 2);
    }

    #[test]
    fn ambiguous_event_name_is_an_error() {
        let events = [event(1, "Rust Meetup May"), event(2, "Rust Meetup June")];
        let err = pick_event(&events, "rust").unwrap_err().to_string();
        assert!(err.contains("matches 2 events"), "{err}");
        assert!(pick_event(&events, "python").is_err());
    }

    #[test]
    fn skipped_items_make_a_partial_result() {
        let mut err = Vec::new();
        let skipped = [Skipped { at: "#2".into(), reason: "no id".into() }];
        assert_eq!(report_skipped(&mut err, "orders", &skipped).unwrap(), Exit::Partial);
        assert!(String::from_utf8(err).unwrap().contains("#2: no id"));
        assert_eq!(report_skipped(&mut Vec::new(), "orders", &[]).unwrap(), Exit::Ok);
    }
}
