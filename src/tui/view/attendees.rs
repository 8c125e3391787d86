//! The middle pane listing every attendee of the event (`a`): rows appear as
//! orders arrive, with progress, the data's age, and what is missing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::common::{
    Tone, cell, count_title, failed_lines, filter_line, marker, pane_block, placeholder, row_style, spinner,
    style, thousands,
};
use crate::guestlist::{Guest, GuestList};
use crate::text::sanitize;
use crate::tui::app::App;
use crate::tui::guests::{GuestLoad, Guests};

/// Draws the attendees list into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect, focused: bool) {
    let Some(g) = &app.guests else { return no_event(app, f, area, focused) };
    let block = pane_block(app, count_title(app, "Attendees", &g.list, true, focused), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let list_area = status_and_filter(app, f, inner, g);
    let Some(list) = &g.shown else {
        let lines = match &g.load {
            GuestLoad::Failed { why, .. } => failed_lines(app, why),
            _ => vec![Line::from(format!("{} Loading the order list…", spinner(app)))],
        };
        return placeholder(f, list_area, lines);
    };
    if g.visible_len() == 0 {
        let text = if list.is_empty() { "No attendees yet." } else { "No attendee matches (Esc clears)." };
        return placeholder(f, list_area, vec![Line::styled(text, style(app, Tone::Dim))]);
    }
    f.render_widget(Paragraph::new(guest_rows(app, g, list, list_area, focused)), list_area);
}

/// The pane before any event is open: its frame and a hint.
fn no_event(app: &App, f: &mut Frame, area: Rect, focused: bool) {
    let block = pane_block(app, Line::from(" Attendees "), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    placeholder(f, inner, vec![Line::styled("Open an event first.", style(app, Tone::Dim))]);
}

/// The status lines and the filter line at the bottom of `inner`; returns the
/// area left above them for the list.
fn status_and_filter(app: &App, f: &mut Frame, inner: Rect, g: &Guests) -> Rect {
    let status = status_lines(app, g, true);
    let filter = filter_line(app, &g.list, false);
    let [list_area, status_area, filter_area] = split(inner, status.len(), filter.is_some());
    f.render_widget(Paragraph::new(status).wrap(Wrap { trim: true }), status_area);
    if let Some(line) = filter {
        f.render_widget(Paragraph::new(line), filter_area);
    }
    list_area
}

/// The list, the status lines and the filter line, top to bottom.
fn split(inner: Rect, status_rows: usize, filtered: bool) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(status_rows as u16),
        Constraint::Length(u16::from(filtered)),
    ])
    .areas(inner)
}

/// Where the pane drawn in `area` shows its rows, when it shows rows.
pub(crate) fn list_area(app: &App, area: Rect) -> Option<Rect> {
    let g = app.guests.as_ref()?;
    g.shown.as_ref()?;
    if g.visible_len() == 0 {
        return None;
    }
    let inner = pane_block(app, Line::default(), false).inner(area);
    let filtered = filter_line(app, &g.list, false).is_some();
    Some(split(inner, status_lines(app, g, true).len(), filtered)[0])
}

/// The widths of an attendee row's cells.
struct Columns {
    name: usize,
    company: usize,
    ticket: usize,
    order: usize,
    status: usize,
    check: usize,
}

impl Columns {
    /// The cells' widths for a list `area_width` columns wide.
    fn new(area_width: u16) -> Self {
        let width = usize::from(area_width).saturating_sub(2);
        let check = 18.min(width / 4);
        let order = 8.min(width / 6);
        // The order's status, apart from the check-in: "✖ cancelled".
        let status = if width >= 70 { 13 } else { 1 };
        let rest = width.saturating_sub(check + order + status + 4);
        let name = rest * 2 / 5;
        let company = rest / 5;
        let ticket = rest.saturating_sub(name + company);
        Columns { name, company, ticket, order, status, check }
    }
}

/// The rows that fit in `area`: only those on screen are built, whatever the
/// size of the list.
fn guest_rows(app: &App, g: &Guests, list: &GuestList, area: Rect, focused: bool) -> Vec<Line<'static>> {
    let cols = Columns::new(area.width);
    g.list
        .window(usize::from(area.height))
        .filter_map(|row| {
            let guest = list.guests().get(g.guest_at(row)?)?;
            let selected = row == g.list.selected();
            Some(guest_line(app, g, guest, &cols, row_style(app, selected, focused), selected))
        })
        .collect()
}

/// One attendee's row: name, company, ticket, order id and check-in, with what
/// the filter matched highlighted.
fn guest_line(
    app: &App,
    g: &Guests,
    guest: &Guest,
    cols: &Columns,
    base: Style,
    selected: bool,
) -> Line<'static> {
    let query = g.list.parsed();
    let dim = base.patch(style(app, Tone::Dim));
    let a = &guest.attendee;
    let mut spans = vec![Span::styled(marker(selected), base)];
    spans.extend(cell(app, &guest.name(), cols.name, query, base));
    spans.push(Span::styled(" ", base));
    spans.extend(cell(app, a.company.as_deref().unwrap_or(""), cols.company, query, dim));
    spans.push(Span::styled(" ", base));
    spans.extend(cell(app, &guest.ticket_label(), cols.ticket, "", base));
    spans.push(Span::styled(" ", base));
    spans.extend(cell(app, &guest.order.id.to_string(), cols.order, query, dim));
    spans.push(Span::styled(" ", base));
    let (status, status_tone) = super::detail::status_text(guest.order.status);
    // Narrow: the symbol alone (the word is in the detail pane).
    let status = if cols.status < 13 { status.split(' ').next().unwrap_or(status) } else { status };
    spans.extend(cell(app, status, cols.status, "", base.patch(style(app, status_tone))));
    let (text, tone) = match &a.check_in {
        Some(c) => (format!("✓ {}", c.short()), Tone::Good),
        None => ("· not checked in".to_string(), Tone::Dim),
    };
    spans.extend(cell(app, &text, cols.check, "", base.patch(style(app, tone))));
    Line::from(spans)
}

/// Progress, age, offline, stale and missing orders: what the list is worth right now.
pub fn status_lines(app: &App, g: &Guests, with_age: bool) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if g.is_loading() && g.offline.is_none() {
        lines.extend(loading_lines(app, g));
    }
    if let Some(list) = &g.shown {
        lines.extend(data_lines(app, g, list, with_age));
    }
    lines
}

/// While the list loads: its progress, how long Floktu has been quiet, and
/// the pace Floktu allows.
fn loading_lines(app: &App, g: &Guests) -> Vec<Line<'static>> {
    let progress = g.shown.as_ref().map(GuestList::progress);
    let text = match progress.and_then(|p| Some((p, p.total?))) {
        Some((p, total)) if g.from_cache => {
            format!(
                "{} refreshing the cached list of {} orders",
                spinner(app),
                thousands(total.max(p.loaded))
            )
        }
        Some((p, total)) => format!("{} {} / {} orders", spinner(app), thousands(p.loaded), thousands(total)),
        None => format!("{} Loading the order list…", spinner(app)),
    };
    let mut lines = vec![Line::from(text)];
    if let Some(quiet) = g.quiet_for(app.now) {
        lines.push(Line::styled(
            format!("⚠ no answer from Floktu for {} s; still trying", quiet.num_seconds()),
            style(app, Tone::Warn),
        ));
    }
    if let Some(t) = g.throttled {
        let pace = match t.per_second {
            Some(r) => format!("Floktu limits the pace: about {r} requests/s"),
            None => format!("Floktu asked to slow down: {} at a time", t.limit),
        };
        lines.push(Line::styled(pace, style(app, Tone::Warn)));
    }
    lines
}

/// What the data shown is worth: offline or its age, the orders that could
/// not be refreshed, and those missing.
fn data_lines(app: &App, g: &Guests, list: &GuestList, with_age: bool) -> Vec<Line<'static>> {
    let fresh = list.freshness();
    let mut lines = Vec::new();
    let oldest = fresh.oldest.unwrap_or_else(|| list.fetched_at());
    let local = oldest.with_timezone(&chrono::Local).format("%H:%M");
    if let Some(why) = &g.offline {
        lines.push(Line::styled(
            format!("⚠ offline — data from {local} ({}); reconnecting by itself", sanitize(why)),
            style(app, Tone::Warn),
        ));
    } else if !g.is_loading() && with_age {
        let live = if g.awaited().is_some() { "live · " } else { "" };
        lines.push(Line::styled(
            format!("{live}oldest data from {local} ({})", age_of(app, fresh.oldest)),
            style(app, Tone::Dim),
        ));
    }
    if fresh.stale > 0 && !g.is_loading() {
        lines.push(Line::styled(
            format!(
                "⚠ {} orders could not be refreshed: shown as last known; r tries them again",
                thousands(fresh.stale)
            ),
            style(app, Tone::Warn),
        ));
    }
    lines.extend(missing_line(app, g, list));
    lines
}

/// "✖ 3 orders missing (1001, 1002, 1003): …" once the list has loaded without them.
fn missing_line(app: &App, g: &Guests, list: &GuestList) -> Option<Line<'static>> {
    let missing = list.missing();
    if missing.is_empty() || g.is_loading() {
        return None;
    }
    let ids: Vec<String> = missing.iter().take(4).map(u64::to_string).collect();
    let more = if missing.len() > 4 { "…" } else { "" };
    Some(Line::styled(
        format!(
            "✖ {} orders missing ({}{more}): counts are incomplete; r retries them",
            thousands(missing.len()),
            ids.join(", ")
        ),
        style(app, Tone::Bad),
    ))
}

/// A progress bar of `width` cells: "██████░░░░".
pub fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done.min(total) * width).checked_div(total).unwrap_or(0);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// "2 min ago" for data fetched at `at`; "age unknown" for data from the future
/// (a clock that was wrong when it was saved, or is now).
pub fn age_of(app: &App, at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    match at {
        Some(at) if at > app.now + chrono::TimeDelta::minutes(1) => "age unknown".to_string(),
        Some(at) => ago(app, (app.now - at).max(chrono::TimeDelta::zero())),
        None => "age unknown".to_string(),
    }
}

/// "2 min ago", for data of this age.
pub fn ago(_app: &App, age: chrono::TimeDelta) -> String {
    match age.num_minutes() {
        m if m < 1 => "just now".to_string(),
        m if m < 60 => format!("{m} min ago"),
        m if m < 60 * 48 => format!("{} h ago", m / 60),
        m => format!("{} days ago", m / (60 * 24)),
    }
}
