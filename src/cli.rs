//! The plain subcommands: aligned tables for people, `--json` and `--csv` for scripts.

use std::io::Write;

use anyhow::{Context, Result, bail};

use crate::api::{Answer, Event, FloktuClient, Money, Order, OrderSummary, Skipped, Status};
use crate::cache::Cache;
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

/// Exit codes (DESIGN.md §2).
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

/// Names each skipped item on stderr; a partial result exits 3.
fn report_skipped(err: &mut dyn Write, what: &str, skipped: &[Skipped]) -> std::io::Result<Exit> {
    if skipped.is_empty() {
        return Ok(Exit::Ok);
    }
    writeln!(err, "floktu: {} {what} could not be read and were left out:", skipped.len())?;
    for s in skipped {
        writeln!(err, "  {}: {}", sanitize(&s.at), sanitize(&s.reason))?;
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

/// `floktu attendees EVENT`: every attendee of the event.
pub async fn attendees(
    src: &GuestSource<'_>,
    event: &str,
    search: Option<&str>,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let list = guest_list(src, event, err).await?;
    let picked = pick_guests(&list, search);
    let records: Vec<GuestRecord<'_>> = picked.iter().map(|&i| GuestRecord::of(&list, i)).collect();
    write_guests(out, &records, format)?;
    Ok(report_partial(err, &list)?)
}

/// `floktu emails EVENT`: distinct emails (ignoring case), one per line, in list order.
pub async fn emails(
    src: &GuestSource<'_>,
    event: &str,
    search: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let list = guest_list(src, event, err).await?;
    let picked = pick_guests(&list, search);
    for email in list.distinct_emails(picked) {
        writeln!(out, "{}", sanitize(email))?;
    }
    Ok(report_partial(err, &list)?)
}

/// The guests matching `search` (all without one), in list order.
fn pick_guests(list: &GuestList, search: Option<&str>) -> Vec<usize> {
    match search {
        Some(q) => list.search(q),
        None => (0..list.len()).collect(),
    }
}

/// The event's guest list: fetched (and then cached), or with `--offline` from the cache.
async fn guest_list(src: &GuestSource<'_>, event: &str, err: &mut dyn Write) -> Result<GuestList> {
    if src.offline {
        return cached_guest_list(src, event, err);
    }
    let (event_id, event_name) = resolve_event_named(src.client, event).await?;
    let mut progress = ProgressLine::new(src.progress);
    let loaded = guestlist::load(src.client, event_id, src.concurrency, |p| progress.show(err, p)).await;
    progress.clear(err);
    let mut list = match loaded {
        Ok(list) => list,
        Err(e) => {
            let hint = src
                .cache
                .as_ref()
                .and_then(|c| c.load(event_id))
                .map(|cached| format!("; `--offline` shows the copy fetched {}", ago(&cached)))
                .unwrap_or_default();
            return Err(
                anyhow::Error::new(e).context(format!("fetching the orders of event {event_id}{hint}"))
            );
        }
    };
    list.set_event_name(event_name);
    if let Some(cache) = &src.cache
        && let Err(e) = cache.save(&list)
    {
        writeln!(err, "floktu: warning: {}", sanitize(&e.to_string()))?;
    }
    Ok(list)
}

/// `--offline`: the cached list, found by event id or by a name saved with it.
fn cached_guest_list(src: &GuestSource<'_>, event: &str, err: &mut dyn Write) -> Result<GuestList> {
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
    let list = cache.read(event_id).map_err(|miss| {
        anyhow::anyhow!(
            "no cached guest list for event {event_id}: {miss}. Run `floktu attendees {event_id}` once online to fetch it"
        )
    })?;
    writeln!(
        err,
        "floktu: offline: the guest list of event {event_id} as fetched {} ({})",
        ago(&list),
        list.fetched_at().format("%Y-%m-%d %H:%M UTC")
    )?;
    Ok(list)
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

/// "12 min ago", for how old a list is.
fn ago(list: &GuestList) -> String {
    let age = list.age(chrono::Utc::now());
    match (age.num_days(), age.num_hours(), age.num_minutes()) {
        (d, _, _) if d >= 2 => format!("{d} days ago"),
        (_, h, _) if h >= 2 => format!("{h} h ago"),
        (_, _, m) if m >= 1 => format!("{m} min ago"),
        _ => "just now".to_string(),
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

/// Names on stderr every order that could not be fetched and every item that
/// could not be read; any of them makes a partial result (exit 3).
fn report_partial(err: &mut dyn Write, list: &GuestList) -> std::io::Result<Exit> {
    let mut exit = Exit::Ok;
    let failed = list.failed();
    if !failed.is_empty() {
        writeln!(
            err,
            "floktu: {} order{} could not be fetched; {} attendees are left out:",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" },
            if failed.len() == 1 { "its" } else { "their" }
        )?;
        for f in failed {
            writeln!(err, "  order {}: {}", f.order_id, sanitize(&f.error))?;
        }
        exit = Exit::Partial;
    }
    if report_skipped(err, "orders", list.skipped_orders())? == Exit::Partial {
        exit = Exit::Partial;
    }
    for (order, _) in list.orders() {
        if !order.skipped_attendees.is_empty() {
            let what = format!("attendees of order {}", order.id);
            report_skipped(err, &what, &order.skipped_attendees)?;
            exit = Exit::Partial;
        }
    }
    Ok(exit)
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
        assert_eq!(report_partial(&mut err, &list).unwrap(), Exit::Partial);
        let text = String::from_utf8(err).unwrap();
        assert!(text.contains("order 100002: Floktu answered 502: Bad Gateway"), "{text}");
        assert_eq!(report_partial(&mut Vec::new(), &hostile_guest_list()).unwrap(), Exit::Ok);
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
