//! The plain subcommands: aligned tables for people, `--json` and `--csv` for scripts.

pub mod account;
pub mod door;

use std::io::Write;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};

use crate::api::model::skipped_count;
use crate::api::{Answer, Event, FloktuClient, Money, Order, OrderSummary, Skipped, Status};
use crate::cache::{Cache, Gaps, Miss};
use crate::config::Settings;
use crate::guestlist::{self, GuestList, Progress};
use crate::text::{csv_cell, pad, sanitize, truncate, width};

/// How a command's answer is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// An aligned table for people.
    Table,
    /// JSON, stable for scripts.
    Json,
    /// CSV with a header row, cells safe for spreadsheets.
    Csv,
}

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
    match format {
        Format::Json => write_json(out, &events.items)?,
        Format::Csv => write_csv(
            out,
            &["id", "name"],
            events.items.iter().map(|e| vec![e.id.to_string(), e.name.clone()]),
        )?,
        Format::Table => write_table(
            out,
            &["ID", "EVENT"],
            &[12, 80],
            events.items.iter().map(|e| vec![e.id.to_string(), e.name.clone()]),
        )?,
    }
    Ok(report_skipped(err, "events", &events.skipped)?)
}

/// `floktu orders EVENT`.
pub async fn orders(
    client: &FloktuClient,
    event: &str,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let event_id = resolve_event(client, event).await?;
    let orders = client.orders(event_id).await?;
    let row =
        |o: &OrderSummary| vec![o.id.to_string(), o.first_name.clone(), o.last_name.clone(), o.email.clone()];
    match format {
        Format::Json => write_json(out, &orders.items)?,
        Format::Csv => {
            write_csv(out, &["id", "first_name", "last_name", "email"], orders.items.iter().map(row))?
        }
        Format::Table => write_table(
            out,
            &["ID", "NAME", "EMAIL"],
            &[12, 40, 50],
            orders.items.iter().map(|o| vec![o.id.to_string(), o.display_name(), o.email.clone()]),
        )?,
    }
    Ok(report_skipped(err, "orders", &orders.skipped)?)
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
        Format::Table => write_order(out, &order)?,
    }
    Ok(report_skipped(err, "attendees", &order.skipped_attendees)?)
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

/// Pretty JSON in which every character a terminal could obey is escaped.
fn write_json<T: serde::Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> Result<()> {
    let mut json = serde_json::Serializer::with_formatter(&mut *out, TerminalSafeJson::default());
    value.serialize(&mut json)?;
    writeln!(out)?;
    Ok(())
}

/// serde_json's pretty printer, except that strings also get `\uXXXX` for DEL, C1
/// controls, bidi controls and zero-width characters (serde_json escapes only C0):
/// the JSON means the same, but `floktu orders 12 --json` in a terminal cannot
/// start an escape sequence or reorder the text around it.
#[derive(Default)]
struct TerminalSafeJson(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for TerminalSafeJson {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> std::io::Result<()> {
        let mut plain_from = 0;
        for (i, c) in fragment.char_indices().filter(|&(_, c)| !crate::text::is_plain(c)) {
            w.write_all(&fragment.as_bytes()[plain_from..i])?;
            for unit in c.encode_utf16(&mut [0; 2]) {
                write!(w, "\\u{unit:04x}")?;
            }
            plain_from = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[plain_from..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// CSV with every cell sanitized and formula-neutralised.
pub fn write_csv(
    out: &mut dyn Write,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(headers)?;
    for row in rows {
        w.write_record(row.iter().map(|c| csv_cell(c)))?;
    }
    w.flush()?;
    Ok(())
}

/// An aligned table; cells are sanitized and cut to the column's maximum width.
pub fn write_table(
    out: &mut dyn Write,
    headers: &[&str],
    max_widths: &[usize],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<()> {
    let rows: Vec<Vec<String>> = rows
        .map(|r| r.iter().zip(max_widths).map(|(c, &max)| truncate(&sanitize(c), max).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: &[String]| -> String {
        let last = cells.len().saturating_sub(1);
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| if i == last { c.clone() } else { pad(c, widths[i]) })
            .collect();
        parts.join("  ").trim_end().to_string()
    };
    let head: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    writeln!(out, "{}", line(&head))?;
    for row in &rows {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}

fn write_order(out: &mut dyn Write, o: &Order) -> Result<()> {
    let money = |m: Option<crate::api::Money>| m.map_or_else(|| "—".to_string(), |m| m.to_string());
    writeln!(out, "Order    {} · {}", o.id, o.status.as_str())?;
    writeln!(out, "Name     {}", sanitize(&o.name))?;
    writeln!(out, "Email    {}", sanitize(&o.email))?;
    let due = if o.balance_due() { "  BALANCE DUE" } else { "" };
    writeln!(out, "Amount   {}  paid {}{due}", money(o.order_amount), money(o.amount_paid))?;
    if let Some(v) = &o.voucher {
        writeln!(out, "Voucher  {}", sanitize(v))?;
    }
    writeln!(out)?;
    if o.attendees.is_empty() {
        writeln!(out, "No attendees on this order.")?;
        return Ok(());
    }
    write_table(
        out,
        &["ATTENDEE", "NAME", "COMPANY", "TICKET", "CHECKED IN"],
        &[12, 36, 30, 40, 20],
        o.attendees.iter().map(|a| {
            let ticket = match &a.ticket_group {
                Some(g) => format!("{g} / {}", a.ticket),
                None => a.ticket.clone(),
            };
            vec![
                a.attendee_id.to_string(),
                a.display_name().unwrap_or_default(),
                a.company.clone().unwrap_or_default(),
                ticket,
                a.check_in.as_ref().map_or_else(|| "not checked in".to_string(), |c| c.short()),
            ]
        }),
    )?;
    for a in o.attendees.iter().filter(|a| !a.answers.is_empty()) {
        writeln!(out, "\n{} {}:", a.attendee_id, sanitize(&a.display_name().unwrap_or_default()))?;
        for ans in &a.answers {
            let answer = ans.answer.as_deref().unwrap_or("—");
            writeln!(out, "  {}: {}", sanitize(&ans.question), sanitize(answer))?;
        }
    }
    Ok(())
}

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
    let records: Vec<GuestRecord<'_>> =
        shown.picked.iter().map(|&i| GuestRecord::of(&shown.list, i)).collect();
    // One write per buffer, not per line: a search can print 100,000 rows.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    write_guests(&mut out, &records, format)?;
    out.flush()?;
    Ok(shown.report.write(err, chrono::Utc::now())?)
}

/// `floktu emails EVENT`: distinct emails (ignoring case), one per line, in list order.
pub async fn emails(
    src: &GuestSource<'_>,
    event: &str,
    search: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let shown = guests(src, event, search, err).await?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    for email in shown.list.distinct_emails(shown.picked.iter().copied()) {
        writeln!(out, "{}", sanitize(email))?;
    }
    out.flush()?;
    Ok(shown.report.write(err, chrono::Utc::now())?)
}

/// The guests a command prints, and what it says on stderr about the rest.
struct Shown {
    /// The list the guests are in (with `--offline --search`, only the matches).
    list: GuestList,
    /// The guests to print, indices into `list`, in list order.
    picked: Vec<usize>,
    report: Report,
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
async fn guests(
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
async fn guest_list(src: &GuestSource<'_>, event: &str, err: &mut dyn Write) -> Result<GuestList> {
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
    let (list, picked, gaps) = match search {
        Some(q) => {
            let found = cache.search(event_id, q).map_err(no_copy)?;
            let picked = (0..found.list.len()).collect();
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
struct Report {
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
    fn write(&self, err: &mut dyn Write, now: DateTime<Utc>) -> std::io::Result<Exit> {
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

/// One attendee as `attendees --json` and `--csv` print it: stable field names.
#[derive(serde::Serialize)]
struct GuestRecord<'a> {
    attendee_id: u64,
    first_name: &'a str,
    last_name: &'a str,
    email: &'a str,
    company: Option<&'a str>,
    ticket_group: Option<&'a str>,
    ticket: &'a str,
    order_id: u64,
    order_status: Status,
    purchaser_name: &'a str,
    purchaser_email: &'a str,
    order_amount: Option<Money>,
    amount_paid: Option<Money>,
    /// "2026-11-28 19:42:07" as Floktu's time, or its text when unreadable.
    checked_in_at: Option<String>,
    /// The door verdict's word.
    verdict: &'static str,
    answers: &'a [Answer],
}

impl<'a> GuestRecord<'a> {
    fn of(list: &'a GuestList, i: usize) -> GuestRecord<'a> {
        let g = &list.guests()[i];
        let a = &g.attendee;
        GuestRecord {
            attendee_id: a.attendee_id,
            first_name: &a.first_name,
            last_name: &a.last_name,
            email: g.email(),
            company: a.company.as_deref(),
            ticket_group: a.ticket_group.as_deref(),
            ticket: &a.ticket,
            order_id: g.order.id,
            order_status: g.order.status,
            purchaser_name: &g.order.name,
            purchaser_email: &g.order.email,
            order_amount: g.order.order_amount,
            amount_paid: g.order.amount_paid,
            checked_in_at: a.check_in.as_ref().map(|c| match c.at {
                Some(at) => at.format("%Y-%m-%d %H:%M:%S").to_string(),
                None => c.raw.clone(),
            }),
            verdict: list.verdict(i).word(),
            answers: &a.answers,
        }
    }
}

/// The columns of `attendees --csv`, in order (the record's fields but the answers).
const GUEST_CSV_HEADERS: [&str; 15] = [
    "attendee_id",
    "first_name",
    "last_name",
    "email",
    "company",
    "ticket_group",
    "ticket",
    "order_id",
    "order_status",
    "purchaser_name",
    "purchaser_email",
    "order_amount",
    "amount_paid",
    "checked_in_at",
    "verdict",
];

fn write_guests(out: &mut dyn Write, records: &[GuestRecord<'_>], format: Format) -> Result<()> {
    let opt = |s: Option<&str>| s.unwrap_or_default().to_string();
    let money = |m: Option<Money>| m.map(|m| m.to_string()).unwrap_or_default();
    match format {
        Format::Json => write_json(out, records),
        Format::Csv => write_csv(
            out,
            &GUEST_CSV_HEADERS,
            records.iter().map(|r| {
                vec![
                    r.attendee_id.to_string(),
                    r.first_name.to_string(),
                    r.last_name.to_string(),
                    r.email.to_string(),
                    opt(r.company),
                    opt(r.ticket_group),
                    r.ticket.to_string(),
                    r.order_id.to_string(),
                    r.order_status.as_str().to_string(),
                    r.purchaser_name.to_string(),
                    r.purchaser_email.to_string(),
                    money(r.order_amount),
                    money(r.amount_paid),
                    r.checked_in_at.clone().unwrap_or_default(),
                    r.verdict.to_string(),
                ]
            }),
        ),
        Format::Table => write_table(
            out,
            &["ATTENDEE", "NAME", "COMPANY", "TICKET", "ORDER", "STATUS", "CHECKED IN"],
            &[12, 32, 24, 36, 12, 11, 16],
            records.iter().map(|r| {
                let name = format!("{} {}", r.first_name.trim(), r.last_name.trim());
                let ticket = match r.ticket_group {
                    Some(g) => format!("{g} / {}", r.ticket),
                    None => r.ticket.to_string(),
                };
                vec![
                    r.attendee_id.to_string(),
                    name.trim().to_string(),
                    opt(r.company),
                    ticket,
                    r.order_id.to_string(),
                    r.order_status.as_str().to_string(),
                    r.checked_in_at
                        .as_deref()
                        .map_or_else(|| "—".to_string(), |t| t.chars().take(16).collect()),
                ]
            }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: u64, name: &str) -> Event {
        Event { id, name: name.into() }
    }

    #[test]
    fn table_columns_align_with_wide_characters() {
        let mut out = Vec::new();
        let rows = vec![
            vec!["1".to_string(), "王王".to_string(), "x".to_string()],
            vec!["22".into(), "ab".into(), "y".into()],
        ];
        write_table(&mut out, &["ID", "NAME", "E"], &[10, 10, 10], rows.into_iter()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let cols: Vec<usize> = text.lines().map(|l| width(&l[..l.rfind(' ').unwrap()])).collect();
        assert!(cols.windows(2).all(|w| w[0] == w[1]), "{text}");
    }

    #[test]
    fn table_cells_never_carry_escape_sequences() {
        let mut out = Vec::new();
        let rows = vec![vec!["1".to_string(), "\u{1b}]0;owned\u{7}Eve\u{1b}[2J".to_string()]];
        write_table(&mut out, &["ID", "NAME"], &[10, 10], rows.into_iter()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{1b}'));
        assert!(text.contains("Eve"));
    }

    #[test]
    fn csv_neutralises_formulas() {
        let mut out = Vec::new();
        write_csv(&mut out, &["name"], vec![vec!["=cmd|' /C calc'!A0".to_string()]].into_iter()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "name\n'=cmd|' /C calc'!A0\n");
    }

    #[test]
    fn csv_neutralises_formulas_behind_white_space() {
        let cells = ["\t=HYPERLINK(A1)", " =1+1", "\r=1+1", "\n@SUM(A1)", "-12.50", "12.50"];
        let mut out = Vec::new();
        write_csv(&mut out, &["cell"], cells.iter().map(|c| vec![c.to_string()])).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().skip(1).collect();
        // A negative amount is neutralised like any other leading '-' (text "-12.50"
        // in a spreadsheet); a positive one is left alone.
        assert_eq!(lines, ["' =HYPERLINK(A1)", "' =1+1", "' =1+1", "' @SUM(A1)", "'-12.50", "12.50"]);
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

    fn hostile_guest_list() -> GuestList {
        let mut list = GuestList::new(12);
        list.add_order(Order {
            id: 100_001,
            name: "@SUM(A1:A9)".into(),
            email: "+buyer@example.com".into(),
            order_amount: Some(Money(2417)),
            amount_paid: Some(Money(2417)),
            voucher: None,
            status: Status::Confirmed,
            attendees: vec![crate::api::Attendee {
                attendee_id: 500_001,
                ticket_group: Some("-VIP".into()),
                ticket: "Pass".into(),
                check_in: None,
                first_name: "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
                last_name: "\u{1b}]0;owned\u{7}Lee".into(),
                company: None,
                answers: Vec::new(),
            }],
            skipped_attendees: Vec::new(),
        });
        list
    }

    #[test]
    fn attendees_csv_neutralises_formulas_in_every_cell() {
        let list = hostile_guest_list();
        let mut out = Vec::new();
        write_guests(&mut out, &[GuestRecord::of(&list, 0)], Format::Csv).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let row = rows.records().next().unwrap().unwrap();
        assert_eq!(&row[1], "'=HYPERLINK(\"http://evil.example\",\"x\")");
        assert_eq!(&row[2], "Lee");
        assert_eq!(&row[5], "'-VIP");
        assert_eq!(&row[9], "'@SUM(A1:A9)");
        assert_eq!(&row[10], "'+buyer@example.com");
        assert!(!text.contains('\u{1b}'));
    }

    #[test]
    fn attendees_table_carries_no_escape_sequences() {
        let list = hostile_guest_list();
        let mut out = Vec::new();
        write_guests(&mut out, &[GuestRecord::of(&list, 0)], Format::Table).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("-VIP / Pass"), "{text}");
    }

    #[test]
    fn json_output_escapes_what_a_terminal_would_obey_without_changing_it() {
        let events = vec![event(1, "a\u{9b}31m\u{202e}b\u{7f}\u{1b}]0;t\u{7}\u{200d}王👩\u{e0041}")];
        let mut out = Vec::new();
        write_json(&mut out, &events).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(r"a\u009b31m\u202eb\u007f\u001b]0;t\u0007\u200d王👩\udb40\udc41"), "{text}");
        assert!(text.starts_with("[\n  {\n    \"id\": 1,"), "still pretty: {text}");
        assert_eq!(serde_json::from_str::<Vec<Event>>(&text).unwrap(), events);
    }

    #[test]
    fn attendees_csv_header_is_stable() {
        let mut out = Vec::new();
        write_guests(&mut out, &[], Format::Csv).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap().trim_end(),
            "attendee_id,first_name,last_name,email,company,ticket_group,ticket,order_id,order_status,\
             purchaser_name,purchaser_email,order_amount,amount_paid,checked_in_at,verdict"
        );
    }

    #[test]
    fn failed_orders_are_named_and_make_a_partial_result() {
        let mut list = hostile_guest_list();
        list.add_failure(100_002, "Floktu answered 502: Bad Gateway");
        let mut err = Vec::new();
        assert_eq!(Report::online(&list).write(&mut err, Utc::now()).unwrap(), Exit::Partial);
        let text = String::from_utf8(err).unwrap();
        assert!(text.contains("order 100002: Floktu answered 502: Bad Gateway"), "{text}");
        assert!(text.contains("left out"), "{text}");
        let fine = Report::online(&hostile_guest_list());
        assert_eq!(fine.write(&mut Vec::new(), Utc::now()).unwrap(), Exit::Ok);
    }

    #[test]
    fn an_order_shown_with_older_data_is_named_with_its_age_and_why() {
        let mut list = GuestList::new(12);
        let now = Utc::now();
        let then = now - chrono::TimeDelta::hours(3);
        let order = hostile_guest_list().orders()[0].0.id;
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
        o.attendees = hostile_guest_list().guests().iter().map(|g| g.attendee.clone()).collect();
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

    #[test]
    fn skipped_items_make_a_partial_result() {
        let mut err = Vec::new();
        let skipped = [Skipped { at: "#2".into(), reason: "no id".into() }];
        assert_eq!(report_skipped(&mut err, "orders", &skipped).unwrap(), Exit::Partial);
        assert!(String::from_utf8(err).unwrap().contains("#2: no id"));
        assert_eq!(report_skipped(&mut Vec::new(), "orders", &[]).unwrap(), Exit::Ok);
    }
}
