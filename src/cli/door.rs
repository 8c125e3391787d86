//! The door without a screen: `floktu admit EVENT TICKET` judges and admits
//! exactly as the door does (the same ledger, the verdicts in the order of
//! ARCHITECTURE.md, "Rules of the data", a re-check with Floktu when online), and `floktu admissions
//! EVENT` lists what the ledger holds.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use serde::Serialize;

use crate::api::FloktuClient;
use crate::cli::{self, Exit, Format, GuestSource};
use crate::config::Settings;
use crate::guestlist::{self, Fetch, GuestList, LoadEvent, Verdict};
use crate::ledger::{
    Admission, Admitted, DoorVerdict, Gate, Health, Ledger, LedgerSpec, NewAdmission, judge,
};
use crate::output::admission::{AdmissionRecord, write_admissions};
use crate::output::write_json;
use crate::text::sanitize;

/// How long `admit` waits for Floktu's re-check of an order before judging
/// from the cached copy.
pub const RECHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// Which ledger these settings name; demo runs keep theirs apart (the caller
/// points `data_dir` at the demo's own directory).
pub fn ledger_spec(settings: &Settings) -> Result<LedgerSpec> {
    Ok(LedgerSpec::parse(settings.ledger.as_deref(), &settings.paths.data_dir)?)
}

/// The gate named on the command line, else this machine's host name.
pub fn gate(name: Option<&str>) -> Result<Gate> {
    match name {
        None => Ok(Gate::this_host()),
        Some(n) => Gate::new(n).context("--gate needs a name"),
    }
}

/// The event `floktu door EVENT` opens: an id or a unique part of a name. When
/// Floktu cannot be reached an id still opens the door (on the cached list).
pub async fn door_event(client: &FloktuClient, arg: &str) -> Result<crate::api::Event> {
    let id = arg.trim().parse::<u64>().ok();
    match (client.events().await, id) {
        (Ok(events), _) => {
            let id = match id {
                Some(id) => id,
                None => cli::resolve_event(client, arg).await?,
            };
            let name = events.items.iter().find(|e| e.id == id).map(|e| e.name.clone());
            Ok(crate::api::Event { id, name: name.unwrap_or_else(|| format!("Event {id}")) })
        }
        (Err(_), Some(id)) => Ok(crate::api::Event { id, name: format!("Event {id}") }),
        (Err(e), None) => Err(e).context("looking the event up by name"),
    }
}

/// One guest's verdict, as `admit` prints it.
#[derive(Clone, Debug, Serialize)]
pub struct GuestVerdict {
    /// The attendee.
    pub attendee_id: u64,
    /// Their order.
    pub order_id: u64,
    /// Their name.
    pub name: String,
    /// "Group / Ticket".
    pub ticket: String,
    /// The verdict, with its gate and time for ALREADY ADMITTED.
    #[serde(flatten)]
    pub verdict: DoorVerdict,
    /// "VALID", "ALREADY ADMITTED", …
    pub word: &'static str,
    /// "✔", "⟲", …
    pub symbol: &'static str,
    /// What it means or what to do.
    pub detail: String,
    /// Admitted by this scan (recorded, or queued while the ledger is away).
    pub admitted_now: bool,
    /// Queued: the ledger could not be reached.
    pub queued: bool,
    /// The order owes money.
    pub balance_due: bool,
    /// The guest's answers, question and answer.
    pub answers: Vec<(String, String)>,
}

/// What one `admit` did, as `--json` prints it.
#[derive(Clone, Debug, Serialize)]
pub struct AdmitReport {
    /// The event.
    pub event_id: u64,
    /// What was scanned.
    pub ticket: u64,
    /// This gate.
    pub gate: Gate,
    /// The verdict for the scan as a whole: the guest's, or for an order the first
    /// guest's that admits, else the first guest's.
    pub word: &'static str,
    /// Its symbol.
    pub symbol: &'static str,
    /// Guests admitted now.
    pub admitted: usize,
    /// Each guest judged (one for a ticket, the order's guests for an order id).
    pub guests: Vec<GuestVerdict>,
    /// The ledger's state after the scan.
    pub ledger: Health,
    /// Queued admissions the ledger refused on replay since last reported.
    pub refused_on_replay: Vec<String>,
    /// How old the guest list data are, in seconds.
    pub data_age_s: i64,
}

/// What `admit` was asked: `floktu admit EVENT TICKET --gate NAME`.
#[derive(Clone, Debug)]
pub struct Scan {
    /// Event id or name.
    pub event: String,
    /// Attendee or order id, as typed.
    pub ticket: String,
    /// This gate.
    pub gate: Gate,
}

/// `floktu admit EVENT TICKET`: judges the ticket (or every guest of an order),
/// admits what is valid, prints the verdict. `Exit::Refused` (4) when nothing was admitted.
pub async fn admit(
    src: &GuestSource<'_>,
    ledger: &dyn Ledger,
    scan: &Scan,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let Ok(ticket) = scan.ticket.trim().parse::<u64>() else {
        bail!("TICKET is an attendee or order id (digits), not {:?}", sanitize(&scan.ticket));
    };
    let gate = &scan.gate;
    let event_id = cli::resolve_event(src.client, &scan.event).await?;
    let (list, found) = find(src, event_id, ticket, err).await?;
    let guests = if found.is_empty() {
        vec![not_found(src, event_id, ticket)]
    } else {
        let mut judged = Vec::with_capacity(found.len());
        for &i in &found {
            judged.push(judge_and_admit(&list, i, ledger, gate).await?);
        }
        judged
    };
    let admitted = guests.iter().filter(|g| g.admitted_now).count();
    let headline = guests.iter().find(|g| g.admitted_now).unwrap_or(&guests[0]);
    let report = AdmitReport {
        event_id,
        ticket,
        gate: gate.clone(),
        word: headline.word,
        symbol: headline.symbol,
        admitted,
        ledger: ledger.health().await,
        refused_on_replay: ledger.take_refusals().await?.iter().map(|r| r.message()).collect(),
        data_age_s: list.freshness().oldest_age(Utc::now()).num_seconds(),
        guests,
    };
    match format {
        Format::Json => write_json(out, &report)?,
        Format::Table | Format::Csv => write_admit(out, &report)?,
    }
    write_ledger_health(err, &report.ledger, &report.refused_on_replay)?;
    out.flush()?;
    Ok(if admitted == 0 { Exit::Refused } else { Exit::Ok })
}

/// The guests the scan finds: the cached list re-checked with Floktu for the
/// orders concerned; for a ticket not in it, Floktu asked for new orders.
async fn find(
    src: &GuestSource<'_>,
    event_id: u64,
    ticket: u64,
    err: &mut dyn Write,
) -> Result<(GuestList, Vec<usize>)> {
    let client = src.client.without_retries();
    let cached = src.cache.as_ref().and_then(|c| c.load(event_id));
    let mut list = match cached {
        Some(list) => list,
        None if src.offline => bail!("no cached guest list of event {event_id}; run without --offline first"),
        None => guestlist::load(src.client, event_id, src.concurrency, |_| {})
            .await
            .with_context(|| format!("fetching the guest list of event {event_id}"))?,
    };
    let mut found = list.lookup_id(ticket);
    let mut changed = false;
    if !src.offline {
        if found.is_empty() {
            changed |= look_for_new(&client, &mut list, ticket, src.concurrency).await;
            found = list.lookup_id(ticket);
        } else {
            let mut orders: Vec<u64> = found.iter().map(|&i| list.guests()[i].order_id()).collect();
            orders.dedup();
            for order_id in orders {
                match recheck(&client, event_id, order_id).await {
                    Ok(order) => {
                        list.add_order(order);
                        changed = true;
                    }
                    Err(e) => {
                        let age =
                            list.purchase(order_id).map(|p| crate::ledger::ago(Utc::now(), p.fetched_at));
                        writeln!(
                            err,
                            "floktu: could not re-check order {order_id} with Floktu ({}); judged from the copy fetched {} ago",
                            sanitize(&format!("{e:#}")),
                            age.unwrap_or_else(|| "?".into())
                        )?;
                    }
                }
            }
            found = list.lookup_id(ticket);
        }
    }
    if changed
        && let Some(cache) = &src.cache
        && let Err(e) = cache.save(&list)
    {
        writeln!(err, "floktu: warning: {}", sanitize(&e.to_string()))?;
    }
    Ok((list, found))
}

async fn recheck(client: &FloktuClient, event_id: u64, order_id: u64) -> Result<crate::api::Order> {
    match tokio::time::timeout(RECHECK_TIMEOUT, client.order(event_id, order_id)).await {
        Ok(order) => Ok(order?),
        Err(_) => bail!("no answer in {} s", RECHECK_TIMEOUT.as_secs()),
    }
}

/// A late buyer: the ticket as an order id, else the orders Floktu lists that
/// the copy lacks. True when the list changed.
async fn look_for_new(client: &FloktuClient, list: &mut GuestList, ticket: u64, concurrency: usize) -> bool {
    let event_id = list.event_id();
    if let Ok(order) = recheck(client, event_id, ticket).await {
        list.add_order(order);
        return true;
    }
    let Ok(Ok(orders)) = tokio::time::timeout(RECHECK_TIMEOUT, client.orders(event_id)).await else {
        return false;
    };
    let new: Vec<u64> = orders.items.iter().map(|o| o.id).filter(|id| list.purchase(*id).is_none()).collect();
    list.apply(LoadEvent::Orders {
        order_ids: orders.items.iter().map(|o| o.id).collect(),
        skipped: orders.skipped,
    });
    if !new.is_empty() {
        guestlist::fetch_with(client, event_id, Fetch::Orders(new), concurrency, |ev| list.apply(ev)).await;
    }
    true
}

/// NOT FOUND, or WRONG EVENT when another cached event has the ticket.
fn not_found(src: &GuestSource<'_>, event_id: u64, ticket: u64) -> GuestVerdict {
    let other = src.cache.as_ref().and_then(|cache| {
        cache.events().into_iter().filter(|e| e.event_id != event_id).find_map(|e| {
            let list = cache.load(e.event_id)?;
            let name =
                list.event_name().map_or_else(|| e.event_id.to_string(), |n| format!("{n} ({})", e.event_id));
            (!list.lookup_id(ticket).is_empty()).then_some(name)
        })
    });
    let verdict = match other {
        Some(event) => DoorVerdict::WrongEvent { event: sanitize(&event).into_owned() },
        None => DoorVerdict::NotFound,
    };
    GuestVerdict {
        attendee_id: ticket,
        order_id: 0,
        name: String::new(),
        ticket: String::new(),
        word: verdict.word(),
        symbol: verdict.symbol(),
        detail: verdict.detail(Utc::now()),
        verdict,
        admitted_now: false,
        queued: false,
        balance_due: false,
        answers: Vec::new(),
    }
}

/// The door's verdict for guest `i`, admitting a valid guest: a valid list
/// verdict goes straight to the ledger (whose refusal names the winner), a
/// Floktu check-in asks the ledger first (ALREADY ADMITTED comes before it).
async fn judge_and_admit(
    list: &GuestList,
    i: usize,
    ledger: &dyn Ledger,
    gate: &Gate,
) -> Result<GuestVerdict> {
    let guest = &list.guests()[i];
    let event_id = list.event_id();
    let attendee_id = guest.attendee.attendee_id;
    let list_verdict = list.verdict(i);
    let (verdict, admitted_now, queued) = match &list_verdict {
        Verdict::Valid => {
            let new = NewAdmission::now(event_id, attendee_id, guest.order_id(), gate);
            match ledger.admit(new).await? {
                Admitted::New(_) => (DoorVerdict::Valid, true, false),
                Admitted::Queued { .. } => (DoorVerdict::Valid, true, true),
                Admitted::Already(winner) => (judge(&list_verdict, Some(&winner)), false, false),
            }
        }
        Verdict::AlreadyCheckedIn { .. } => {
            let admission = ledger.admitted(event_id, attendee_id).await?;
            (judge(&list_verdict, admission.as_ref()), false, false)
        }
        _ => (judge(&list_verdict, None), false, false),
    };
    Ok(GuestVerdict {
        attendee_id,
        order_id: guest.order_id(),
        name: guest.name(),
        ticket: guest.ticket_label(),
        word: verdict.word(),
        symbol: verdict.symbol(),
        detail: verdict.detail(Utc::now()),
        verdict,
        admitted_now,
        queued,
        balance_due: guest.order.balance_due(),
        answers: guest
            .attendee
            .answers
            .iter()
            .map(|a| (a.question.clone(), a.answer.clone().unwrap_or_default()))
            .collect(),
    })
}

fn write_admit(out: &mut dyn Write, r: &AdmitReport) -> Result<()> {
    for g in &r.guests {
        let who = match g.name.is_empty() {
            true => g.attendee_id.to_string(),
            false => format!("{} · {}", sanitize(&g.name), g.attendee_id),
        };
        let order = if g.order_id == 0 { String::new() } else { format!(" (order {})", g.order_id) };
        let queued = if g.queued { " — QUEUED: ledger unreachable" } else { "" };
        writeln!(out, "{} {}  {who}{order} — {}{queued}", g.symbol, g.word, sanitize(&g.detail))?;
        if !g.ticket.is_empty() {
            writeln!(out, "    ticket: {}", sanitize(&g.ticket))?;
        }
        if g.balance_due {
            writeln!(out, "    BALANCE DUE on order {}", g.order_id)?;
        }
        for (q, a) in &g.answers {
            writeln!(out, "    {}: {}", sanitize(q), sanitize(a))?;
        }
    }
    if r.guests.len() > 1 {
        writeln!(out, "{}", group_summary(&r.guests))?;
    }
    Ok(())
}

/// "3 admitted now, 1 already checked in".
pub fn group_summary(guests: &[GuestVerdict]) -> String {
    let mut parts = vec![format!("{} admitted now", guests.iter().filter(|g| g.admitted_now).count())];
    let mut words: Vec<&'static str> = Vec::new();
    for g in guests.iter().filter(|g| !g.admitted_now) {
        if !words.contains(&g.word) {
            words.push(g.word);
        }
    }
    for w in words {
        let n = guests.iter().filter(|g| !g.admitted_now && g.word == w).count();
        parts.push(format!("{n} {}", w.to_lowercase()));
    }
    parts.join(", ")
}

pub(super) fn write_ledger_health(err: &mut dyn Write, health: &Health, refusals: &[String]) -> Result<()> {
    if let Some(why) = &health.unreachable {
        writeln!(
            err,
            "floktu: ledger unreachable — {} queued (replayed when it is back): {}",
            health.queued,
            sanitize(why)
        )?;
    }
    for r in refusals {
        writeln!(err, "floktu: {}", sanitize(r))?;
    }
    Ok(())
}

/// `floktu admissions EVENT`: who was admitted, where and when, undone ones
/// marked. Exit 3 when the ledger could not be reached (only the queue was read).
pub async fn admissions(
    src: &GuestSource<'_>,
    ledger: &dyn Ledger,
    event: &str,
    gate: Option<&Gate>,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let event_id = cli::resolve_event(src.client, event).await?;
    let all = ledger.admissions(event_id, gate).await?;
    // Names come from the guest list: the cached copy, else fetched (and
    // cached) as `attendees` fetches it. Without either, they stay empty.
    let mut list = src.cache.as_ref().and_then(|c| c.load(event_id));
    let mut names_missing = false;
    if list.is_none() && !all.is_empty() {
        match super::source::guest_list(src, &event_id.to_string(), err).await {
            Ok(fetched) => list = Some(fetched),
            Err(e) => {
                names_missing = true;
                writeln!(err, "floktu: names left empty: the guest list could not be fetched: {e:#}")?;
            }
        }
    }
    let name = |a: &Admission| {
        list.as_ref()
            .and_then(|l| {
                l.lookup_id(a.attendee_id)
                    .into_iter()
                    .find(|&i| l.guests()[i].attendee.attendee_id == a.attendee_id)
                    .map(|i| l.guests()[i].name())
            })
            .unwrap_or_default()
    };
    let records: Vec<AdmissionRecord> = all
        .iter()
        .map(|a| AdmissionRecord {
            attendee_id: a.attendee_id,
            order_id: a.order_id,
            name: name(a),
            gate: a.gate.clone(),
            at: a.at,
            user: a.user.clone(),
            undone_at: a.undone.as_ref().map(|u| u.at),
            undone_gate: a.undone.as_ref().map(|u| u.gate.clone()),
        })
        .collect();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    write_admissions(&mut out, &records, format)?;
    out.flush()?;
    let health = ledger.health().await;
    let refusals: Vec<String> = ledger.take_refusals().await?.iter().map(|r| r.message()).collect();
    write_ledger_health(err, &health, &refusals)?;
    Ok(if health.unreachable.is_some() || names_missing { Exit::Partial } else { Exit::Ok })
}
