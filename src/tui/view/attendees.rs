//! The middle pane listing every attendee of the event (`a`): rows appear as
//! orders arrive, with progress, the data's age, and what is missing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::common::{
    Tone, cell, count_title, failed_lines, filter_line, marker, pane_block, placeholder, row_style, spinner,
    style, thousands,
};
use crate::guestlist::GuestList;
use crate::text::sanitize;
use crate::tui::app::App;
use crate::tui::guests::{GuestLoad, Guests};

/// Draws the attendees list into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect, focused: bool) {
    let Some(g) = &app.guests else {
        let block = pane_block(app, Line::from(" Attendees "), focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        return placeholder(f, inner, vec![Line::styled("Open an event first.", style(app, Tone::Dim))]);
    };
    let total = g.shown.as_ref().map_or(0, GuestList::len);
    let block = pane_block(app, count_title(app, "Attendees", &g.list, true, focused), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);

    let status = status_lines(app, g, true);
    let filter = filter_line(app, &g.list, false);
    let [list_area, status_area, filter_area] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(status.len() as u16),
        Constraint::Length(u16::from(filter.is_some())),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(status).wrap(Wrap { trim: true }), status_area);
    if let Some(line) = filter {
        f.render_widget(Paragraph::new(line), filter_area);
    }
    let Some(list) = &g.shown else {
        let lines = match &g.load {
            GuestLoad::Failed { why, .. } => failed_lines(app, why),
            _ => vec![Line::from(format!("{} Loading the order list…", spinner(app)))],
        };
        return placeholder(f, list_area, lines);
    };
    if g.visible_len() == 0 {
        let text = if total == 0 { "No attendees yet." } else { "No attendee matches (Esc clears)." };
        return placeholder(f, list_area, vec![Line::styled(text, style(app, Tone::Dim))]);
    }
    let width = usize::from(list_area.width).saturating_sub(2);
    let check_cols = 18.min(width / 4);
    let order_cols = 8.min(width / 6);
    let rest = width.saturating_sub(check_cols + order_cols + 3);
    let name_cols = rest * 2 / 5;
    let company_cols = rest / 5;
    let ticket_cols = rest.saturating_sub(name_cols + company_cols);
    let height = usize::from(list_area.height);
    let query = g.list.parsed();
    // Only the rows on screen are built, whatever the size of the list.
    let rows: Vec<Line> = g
        .list
        .window(height)
        .filter_map(|row| {
            let guest = list.guests().get(g.guest_at(row)?)?;
            let selected = row == g.list.selected();
            let base = row_style(app, selected, focused);
            let a = &guest.attendee;
            let mut spans = vec![Span::styled(marker(selected), base)];
            spans.extend(cell(app, &guest.name(), name_cols, query, base));
            spans.push(Span::styled(" ", base));
            spans.extend(cell(
                app,
                a.company.as_deref().unwrap_or(""),
                company_cols,
                query,
                base.patch(style(app, Tone::Dim)),
            ));
            spans.push(Span::styled(" ", base));
            spans.extend(cell(app, &guest.ticket_label(), ticket_cols, "", base));
            spans.push(Span::styled(" ", base));
            spans.extend(cell(
                app,
                &guest.order.id.to_string(),
                order_cols,
                query,
                base.patch(style(app, Tone::Dim)),
            ));
            let (text, tone) = match &a.check_in {
                Some(c) => (format!("✓ {}", c.short()), Tone::Good),
                None => ("· not checked in".to_string(), Tone::Dim),
            };
            spans.extend(cell(app, &text, check_cols, "", base.patch(style(app, tone))));
            Some(Line::from(spans))
        })
        .collect();
    f.render_widget(Paragraph::new(rows), list_area);
}

/// Progress, age, offline, stale and missing orders: what the list is worth right now.
pub fn status_lines(app: &App, g: &Guests, with_age: bool) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let freshness = g.shown.as_ref().map(GuestList::freshness);
    if g.is_loading() && g.offline.is_none() {
        let progress = g.shown.as_ref().map(GuestList::progress);
        let text = match progress.and_then(|p| Some((p, p.total?))) {
            Some((p, total)) if g.from_cache => {
                format!(
                    "{} refreshing the cached list of {} orders",
                    spinner(app),
                    thousands(total.max(p.loaded))
                )
            }
            Some((p, total)) => {
                format!("{} {} / {} orders", spinner(app), thousands(p.loaded), thousands(total))
            }
            None => format!("{} Loading the order list…", spinner(app)),
        };
        lines.push(Line::from(text));
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
    }
    if let (Some(list), Some(fresh)) = (&g.shown, freshness) {
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
        let missing = list.missing();
        if !missing.is_empty() && !g.is_loading() {
            let ids: Vec<String> = missing.iter().take(4).map(u64::to_string).collect();
            let more = if missing.len() > 4 { "…" } else { "" };
            lines.push(Line::styled(
                format!(
                    "✖ {} orders missing ({}{more}): counts are incomplete; r retries them",
                    thousands(missing.len()),
                    ids.join(", ")
                ),
                style(app, Tone::Bad),
            ));
        }
    }
    lines
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
