//! Where `attendees`, `emails` and the door commands get an event's guest list
//! from: fetched into the cached copy (then cached again), or with `--offline`
//! from the cache alone; and what they say on stderr about the guests they
//! could not print fresh.

use std::io::Write;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};

use super::{Exit, pick_event, report_skipped};
use crate::api::{Event, FloktuClient, Skipped};
use crate::cache::{Cache, Gaps, Miss};
use crate::config::Settings;
use crate::guestlist::{self, GuestList, Progress};
use crate::text::sanitize;

/// Where `attendees` and `emails` get their guest list from.
pub struct GuestSource<'a> {
    /// The API client (unused with `--offline`).
    pub client: &'a FloktuClient,
    /// The account's cache; `None` with `--no-cache`.
    pub cache: Option<Cache>,
    /// Order details fetched at once.
    pub concurrency: usize,
    /// Show progress on stderr (only when stderr is a terminal).
    pub progress: bool,
    /// Read only the cache, never the network.
    pub offline: bool,
}

impl<'a> GuestSource<'a> {
    /// The source for `client` with these settings; `demo` runs use the fixed demo cache.
    pub fn new(client: &'a FloktuClient, settings: &Settings, demo: bool, offline: bool) -> GuestSource<'a> {
        use std::io::IsTerminal;
        let cache_dir = &settings.paths.cache_dir;
        let cache = (!settings.no_cache).then(|| {
            if demo {
                Cache::demo(cache_dir)
            } else {
                Cache::for_account(cache_dir, client.base(), client.token())
            }
        });
        GuestSource {
            client,
            cache,
            concurrency: settings.concurrency,
            progress: std::io::stderr().is_terminal(),
            offline,
        }
    }
}

/// The guests a command prints, and what it says on stderr about the rest.
pub(super) struct Shown {
    /// The list the guests are in (with `--offline --search`, only the matches).
    pub(super) list: GuestList,
    /// The guests to print, indices into `list`, in list order.
    pub(super) picked: Vec<usize>,
    /// What to say on stderr about the rest.
    pub(super) report: Report,
}

/// The guests matching `search` (all without one), in list order.
fn pick_guests(list: &GuestList, search: Option<&str>) -> Vec<usize> {
    match search {
        Some(q) => list.search(q),
        None => (0..list.len()).collect(),
    }
}

/// The event's guests: fetched into the cached copy (then cached again), or
/// with `--offline` from the cache alone.
pub(super) async fn guests(
    src: &GuestSource<'_>,
    event: &str,
    search: Option<&str>,
    err: &mut dyn Write,
) -> Result<Shown> {
    if src.offline {
        return cached_guests(src, event, search, err);
    }
    let list = guest_list(src, event, err).await?;
    let picked = pick_guests(&list, search);
    Ok(Shown { picked, report: Report::online(&list), list })
}

/// Fetches the event's guest list into the cached copy, if there is one, so
/// that an order whose details cannot be fetched now keeps what was known of
/// it; then caches the merged list.
pub(super) async fn guest_list(src: &GuestSource<'_>, event: &str, err: &mut dyn Write) -> Result<GuestList> {
    let (event_id, event_name) = resolve_event_named(src.client, event).await?;
    let cached = src.cache.as_ref().and_then(|c| c.load(event_id));
    let cached_name = cached.as_ref().and_then(|l| l.event_name().map(str::to_string));
    let start = cached.unwrap_or_else(|| GuestList::new(event_id));
    let mut progress = ProgressLine::new(src.progress);
    let loaded = guestlist::refresh(start, src.client, src.concurrency, |p| progress.show(err, p)).await;
    progress.clear(err);
    let mut list = match loaded {
        Ok(list) => list,
        Err(e) => {
            // The cached copy went into the refresh; read it again for the hint.
            let hint = src
                .cache
                .as_ref()
                .and_then(|c| c.load(event_id))
                .map(|cached| {
                    format!("; `--offline` shows the copy fetched {} ago", age(cached.age(Utc::now())))
                })
                .unwrap_or_default();
            return Err(
                anyhow::Error::new(e).context(format!("fetching the orders of event {event_id}{hint}"))
            );
        }
    };
    list.set_event_name(event_name.or(cached_name));
    if let Some(cache) = &src.cache
        && let Err(e) = cache.save(&list)
    {
        writeln!(err, "floktu: warning: {}", sanitize(&e.to_string()))?;
    }
    Ok(list)
}

/// `--offline`: the cached list, found by event id or by a name saved with it;
/// with a search, only the matching guests are read from the file.
fn cached_guests(
    src: &GuestSource<'_>,
    event: &str,
    search: Option<&str>,
    err: &mut dyn Write,
) -> Result<Shown> {
    let Some(cache) = &src.cache else {
        bail!("--offline reads the cache, and --no-cache turns it off; use one or the other")
    };
    let event_id = match event.trim().parse::<u64>() {
        Ok(id) => id,
        Err(_) => {
            let known: Vec<Event> = cache
                .events()
                .into_iter()
                .filter_map(|e| e.event_name.map(|name| Event { id: e.event_id, name }))
                .collect();
            pick_event(&known, event).context("looking the event up by name in the cache")?
        }
    };
    let no_copy = |miss: Miss| {
        anyhow::anyhow!(
            "no cached guest list for event {event_id}: {miss}. Run `floktu attendees {event_id}` once online to fetch it"
        )
    };
    // Qualifiers ask about the orders, which the file's search text alone
    // cannot answer: the whole list is opened for them.
    let plain_text = search.is_some_and(|q| crate::search::Query::parse(q).qualifiers().is_empty());
    let (list, picked, gaps) = match search {
        Some(q) if !plain_text => {
            let list = cache.read(event_id).map_err(no_copy)?;
            let gaps = Gaps::of(&list);
            let picked = list.search(q);
            (list, picked, gaps)
        }
        Some(q) => {
            let found = cache.search(event_id, q).map_err(no_copy)?;
            let picked = found.ranked;
            (found.list, picked, found.gaps)
        }
        None => {
            let list = cache.read(event_id).map_err(no_copy)?;
            let gaps = Gaps::of(&list);
            let picked = (0..list.len()).collect();
            (list, picked, gaps)
        }
    };
    writeln!(
        err,
        "floktu: offline: the guest list of event {event_id} as fetched {} ago ({})",
        age(list.age(Utc::now())),
        list.fetched_at().format("%Y-%m-%d %H:%M UTC")
    )?;
    Ok(Shown { list, picked, report: Report::offline(gaps) })
}

/// An event by id or name, with its name when the events list could be read.
async fn resolve_event_named(client: &FloktuClient, arg: &str) -> Result<(u64, Option<String>)> {
    match arg.trim().parse::<u64>() {
        // The name only goes into the cache (for `--offline` by name): not worth failing for.
        Ok(id) => {
            let name = match client.events().await {
                Ok(events) => events.items.into_iter().find(|e| e.id == id).map(|e| e.name),
                Err(_) => None,
            };
            Ok((id, name))
        }
        Err(_) => {
            let events = client.events().await.context("looking the event up by name")?;
            let id = pick_event(&events.items, arg)?;
            let name = events.items.into_iter().find(|e| e.id == id).map(|e| e.name);
            Ok((id, name))
        }
    }
}

/// "12 min", "3 h", for how old data is.
fn age(age: chrono::TimeDelta) -> String {
    match (age.num_days(), age.num_hours(), age.num_minutes()) {
        (d, _, _) if d >= 2 => format!("{d} days"),
        (_, h, _) if h >= 2 => format!("{h} h"),
        (_, _, m) if m >= 1 => format!("{m} min"),
        _ => format!("{} s", age.num_seconds().max(0)),
    }
}

/// "19:42" for a time of today (local time), else "2026-11-28 19:42".
fn clock(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let (at, now) = (at.with_timezone(&chrono::Local), now.with_timezone(&chrono::Local));
    if at.date_naive() == now.date_naive() {
        at.format("%H:%M").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// A progress line on stderr, rewritten in place; nothing when stderr is not a terminal.
struct ProgressLine {
    on: bool,
    shown: bool,
    last: Option<std::time::Instant>,
}

impl ProgressLine {
    fn new(on: bool) -> ProgressLine {
        ProgressLine { on, shown: false, last: None }
    }

    fn show(&mut self, err: &mut dyn Write, p: &Progress) {
        if !self.on {
            return;
        }
        if let Some(t) = p.throttle {
            let wait = t.wait.map(|w| format!(", waiting {} s", w.as_secs().max(1))).unwrap_or_default();
            let _ = writeln!(
                err,
                "\r\x1b[Kfloktu: Floktu answered 429 (too many requests); now {} at a time{wait}",
                t.limit
            );
        }
        // At most ~20 redraws a second: a terminal is slower than loopback.
        let now = std::time::Instant::now();
        if self.last.is_some_and(|l| now - l < std::time::Duration::from_millis(50)) {
            return;
        }
        self.last = Some(now);
        let total = p.total.map_or_else(|| "?".to_string(), |t| t.to_string());
        let failed = if p.failed > 0 { format!(", {} failed", p.failed) } else { String::new() };
        let _ = write!(err, "\r\x1b[Kloading order details {}/{total}{failed}", p.loaded);
        let _ = err.flush();
        self.shown = true;
    }

    fn clear(&mut self, err: &mut dyn Write) {
        if self.shown {
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}

/// What `attendees` and `emails` say on stderr about the guests they could not
/// print fresh: each order shown with older data (with when and why), each
/// order left out, each item that could not be read. Any of them makes a
/// partial result (exit 3).
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Report {
    /// Orders printed with details older than this run (offline: whose last
    /// fetch failed), oldest first: id, when fetched, why not fetched again.
    stale: Vec<(u64, DateTime<Utc>, Option<String>)>,
    /// Orders whose attendees are left out, with why when known.
    missing: Vec<(u64, Option<String>)>,
    skipped_orders: Vec<Skipped>,
    skipped_attendees: Vec<(u64, Vec<Skipped>)>,
}

impl Report {
    /// For a list just fetched into the cached copy: stale is every order
    /// whose details were fetched before this fetch started.
    fn online(list: &GuestList) -> Report {
        let gaps = Gaps::of(list);
        let why = |id: u64| gaps.failed.iter().find(|(f, _)| f.order_id == id).map(|(f, _)| f.error.clone());
        let stale =
            list.fetched_before(list.fetched_at()).into_iter().map(|(id, at)| (id, at, why(id))).collect();
        Report::with_stale(stale, gaps)
    }

    /// For a cached list: stale is every order whose last fetch failed.
    fn offline(gaps: Gaps) -> Report {
        let mut stale: Vec<(u64, DateTime<Utc>, Option<String>)> = gaps
            .failed
            .iter()
            .filter_map(|(f, kept)| kept.map(|at| (f.order_id, at, Some(f.error.clone()))))
            .collect();
        stale.sort_by_key(|&(id, at, _)| (at, id));
        Report::with_stale(stale, gaps)
    }

    fn with_stale(stale: Vec<(u64, DateTime<Utc>, Option<String>)>, gaps: Gaps) -> Report {
        let missing = gaps
            .failed
            .into_iter()
            .filter(|(_, kept)| kept.is_none())
            .map(|(f, _)| (f.order_id, Some(f.error)))
            .chain(gaps.unfetched.into_iter().map(|id| (id, None)))
            .collect();
        Report {
            stale,
            missing,
            skipped_orders: gaps.skipped_orders,
            skipped_attendees: gaps.skipped_attendees,
        }
    }

    /// Writes the report to `err`; partial when there is anything to say.
    pub(super) fn write(&self, err: &mut dyn Write, now: DateTime<Utc>) -> std::io::Result<Exit> {
        let mut exit = Exit::Ok;
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        if !self.stale.is_empty() {
            let n = self.stale.len();
            writeln!(
                err,
                "floktu: {n} order{} could not be fetched again; {} attendees are shown as last known:",
                plural(n),
                if n == 1 { "its" } else { "their" }
            )?;
            for (id, at, why) in &self.stale {
                let why = why.as_deref().map_or("not fetched again".into(), sanitize);
                let old = age((now - *at).max(chrono::TimeDelta::zero()));
                writeln!(err, "  order {id}: data from {}, {old} old — {why}", clock(*at, now))?;
            }
            exit = Exit::Partial;
        }
        if !self.missing.is_empty() {
            let n = self.missing.len();
            writeln!(
                err,
                "floktu: {n} order{} could not be fetched; {} attendees are left out:",
                plural(n),
                if n == 1 { "its" } else { "their" }
            )?;
            for (id, why) in &self.missing {
                let why = why.as_deref().map_or("never fetched".into(), sanitize);
                writeln!(err, "  order {id}: {why}")?;
            }
            exit = Exit::Partial;
        }
        if report_skipped(err, "orders", &self.skipped_orders)? == Exit::Partial {
            exit = Exit::Partial;
        }
        for (order_id, skipped) in &self.skipped_attendees {
            report_skipped(err, &format!("attendees of order {order_id}"), skipped)?;
            exit = Exit::Partial;
        }
        Ok(exit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Attendee, Money, Order, Status};

    fn guest_list() -> GuestList {
        let mut list = GuestList::new(12);
        list.add_order(Order {
            id: 100_001,
            name: "Pat".into(),
            email: "pat@example.com".into(),
            order_amount: Some(Money(2417)),
            amount_paid: Some(Money(2417)),
            voucher: None,
            status: Status::Confirmed,
            attendees: vec![Attendee {
                attendee_id: 500_001,
                ticket_group: None,
                ticket: "Pass".into(),
                check_in: None,
                first_name: "Lee".into(),
                last_name: "Ng".into(),
                company: None,
                answers: Vec::new(),
            }],
            skipped_attendees: Vec::new(),
        });
        list
    }

    #[test]
    fn failed_orders_are_named_and_make_a_partial_result() {
        let mut list = guest_list();
        list.add_failure(100_002, "Floktu answered 502: Bad Gateway");
        let mut err = Vec::new();
        assert_eq!(Report::online(&list).write(&mut err, Utc::now()).unwrap(), Exit::Partial);
        let text = String::from_utf8(err).unwrap();
        assert!(text.contains("order 100002: Floktu answered 502: Bad Gateway"), "{text}");
        assert!(text.contains("left out"), "{text}");
        let fine = Report::online(&guest_list());
        assert_eq!(fine.write(&mut Vec::new(), Utc::now()).unwrap(), Exit::Ok);
    }

    #[test]
    fn an_order_shown_with_older_data_is_named_with_its_age_and_why() {
        let mut list = GuestList::new(12);
        let now = Utc::now();
        let then = now - chrono::TimeDelta::hours(3);
        let order = guest_list().orders()[0].0.id;
        let mut o = Order {
            id: order,
            name: "Pat".into(),
            email: "pat@example.com".into(),
            order_amount: None,
            amount_paid: None,
            voucher: None,
            status: Status::Confirmed,
            attendees: Vec::new(),
            skipped_attendees: Vec::new(),
        };
        o.attendees = guest_list().guests().iter().map(|g| g.attendee.clone()).collect();
        list.add_order_fetched(o, then);
        list.set_fetched_at(now - chrono::TimeDelta::seconds(5));
        list.add_failure(order, "Floktu answered 500: server_error");
        let mut err = Vec::new();
        assert_eq!(Report::online(&list).write(&mut err, now).unwrap(), Exit::Partial);
        let text = String::from_utf8(err).unwrap();
        let expected =
            format!("order {order}: data from {}, 3 h old — Floktu answered 500", clock(then, now));
        assert!(text.contains(&expected), "{text}");
        assert!(text.contains("shown as last known"), "{text}");
        let offline = Report::offline(Gaps::of(&list));
        assert_eq!(offline.stale.len(), 1);
        assert!(offline.missing.is_empty());
    }
}
