//! Door mode: one input always focused, a large verdict in word, symbol and
//! colour, the guest's order, live matches, and the counts with the data's age.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::attendees::status_lines;
use super::common::{Tone, cell, failed_lines, marker, pane_block, placeholder, spinner, style, thousands};
use crate::guestlist::{GuestList, Verdict};
use crate::text::sanitize;
use crate::tui::app::App;
use crate::tui::door::{Check, DoorResult, guest_by_attendee};
use crate::tui::guests::{GuestLoad, Guests};

/// Draws door mode into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let Some(g) = &app.guests else { return };
    let event = app.open_event.as_ref().map(|e| sanitize(&e.name).into_owned()).unwrap_or_default();
    let header = header_lines(app, g, &event);
    let [header_area, input_area, verdict_area, results_area] = Layout::vertical([
        Constraint::Length(header.len() as u16),
        Constraint::Length(3),
        Constraint::Length(6),
        Constraint::Min(0),
    ])
    .areas(area);
    // One row per line: a long line is cut, never wrapped onto the next (the banner).
    f.render_widget(Paragraph::new(header), header_area);

    let input_block = pane_block(
        app,
        Line::styled(" Name, email, company, order or ticket id — or scan ", style(app, Tone::Title)),
        true,
    );
    let input = Line::from(vec![
        Span::styled("› ", style(app, Tone::Key)),
        Span::styled(format!("{}▏", sanitize(&g.door.input)), style(app, Tone::Title)),
    ]);
    f.render_widget(Paragraph::new(input).block(input_block), input_area);

    let Some(list) = &g.shown else {
        let lines = match &g.load {
            GuestLoad::Failed { why, .. } => failed_lines(app, why),
            _ => vec![Line::from(format!("{} Loading the guest list…", spinner(app)))],
        };
        return placeholder(f, verdict_area, lines);
    };
    verdict(app, f, verdict_area, g, list);
    results(app, f, results_area, g, list);
}

fn header_lines(app: &App, g: &Guests, event: &str) -> Vec<Line<'static>> {
    let mut first = vec![Span::styled(format!(" Door · {event}"), style(app, Tone::Title))];
    if let Some(list) = &g.shown {
        let counts = list.counts();
        let o = counts.overall;
        let pct = (o.checked_in * 100).checked_div(o.total).unwrap_or(0);
        first.push(Span::raw(format!(
            "   {} / {} checked in ({pct}%)",
            thousands(o.checked_in),
            thousands(o.total)
        )));
        let age = if g.offline.is_some() {
            "   OFFLINE".to_string()
        } else {
            match list.freshness().oldest {
                Some(at) if at > app.now + chrono::TimeDelta::minutes(1) => {
                    "   data of unknown age".to_string()
                }
                _ => format!("   data {} old at most", short_age(list.freshness().oldest_age(app.now))),
            }
        };
        first.push(Span::styled(age, style(app, if g.offline.is_some() { Tone::Bad } else { Tone::Dim })));
    }
    if g.door.private {
        first.push(Span::styled("   PRIVATE (no emails or amounts)", style(app, Tone::Warn)));
    }
    let mut lines = vec![Line::from(first)];
    if let Some(list) = &g.shown {
        // Per ticket when there are few, else per ticket group: one line either way.
        let counts = list.counts();
        let parts: Vec<String> = if counts.tickets.len() <= 8 {
            counts
                .tickets
                .iter()
                .map(|t| {
                    let name = match &t.group {
                        Some(g) => format!("{g} / {}", t.ticket),
                        None => t.ticket.clone(),
                    };
                    format!(
                        "{} {}/{}",
                        sanitize(&name),
                        thousands(t.tally.checked_in),
                        thousands(t.tally.total)
                    )
                })
                .collect()
        } else {
            counts
                .groups
                .iter()
                .map(|(group, t)| {
                    let name = group.as_deref().unwrap_or("No group");
                    format!("{} {}/{}", sanitize(name), thousands(t.checked_in), thousands(t.total))
                })
                .collect()
        };
        if !parts.is_empty() {
            lines.push(Line::styled(format!(" {}", parts.join(" · ")), style(app, Tone::Dim)));
        }
    }
    // The header says how old the data is already.
    lines.extend(status_lines(app, g, false));
    lines
}

/// The verdict on screen: the highlighted match while typing, else the last
/// lookup as `update` judged it, with how it stands with Floktu.
fn verdict(app: &App, f: &mut Frame, area: Rect, g: &Guests, list: &GuestList) {
    let door = &g.door;
    let typing = !door.input.trim().is_empty();
    let (verdict, guest, result) = if typing {
        match door.results.get(door.selected) {
            Some(&i) => (list.verdict(i), Some(i), None),
            None => (Verdict::NotFound, None, None),
        }
    } else {
        match &door.result {
            Some(r @ DoorResult::Guest { attendee_id, verdict, .. }) => {
                (verdict.clone(), guest_by_attendee(list, *attendee_id), Some(r))
            }
            Some(r @ DoorResult::NotFound { .. }) => (Verdict::NotFound, None, Some(r)),
            None => {
                let hint = Line::styled("Type a name or scan a ticket, then Enter.", style(app, Tone::Dim));
                return placeholder(f, area, vec![Line::from(""), hint]);
            }
        }
    };
    let (fg, bg) = match verdict {
        Verdict::Valid => (Color::Black, Color::Green),
        Verdict::AlreadyCheckedIn { .. } => (Color::Black, Color::Yellow),
        Verdict::Cancelled => (Color::White, Color::Red),
        Verdict::Unconfirmed => (Color::Black, Color::Magenta),
        Verdict::NotFound => (Color::White, Color::DarkGray),
    };
    let banner = if app.color {
        Style::default().fg(fg).bg(bg).add_modifier(Modifier::BOLD)
    } else {
        Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED)
    };
    let when = match &verdict {
        Verdict::AlreadyCheckedIn { at } => format!(" at {}", sanitize(at)),
        _ => String::new(),
    };
    let provisional = result.is_some_and(|r| {
        matches!(r, DoorResult::NotFound { check: Check::Checking | Check::Incomplete, .. })
    });
    let so_far = if provisional { " (so far)" } else { "" };
    let mut lines = vec![
        Line::styled("", banner),
        Line::styled(format!("   {}  {}{so_far}{when}", verdict.symbol(), verdict.word()), banner),
    ];
    match guest.and_then(|i| list.guests().get(i)) {
        Some(guest) => {
            let mut who = format!(
                "   {} · {} · order {}",
                sanitize(&guest.name()),
                sanitize(&guest.ticket_label()),
                guest.order.id
            );
            if !g.door.private {
                who.push_str(&format!(" · {}", sanitize(guest.email())));
            }
            lines.push(Line::styled(who, banner));
        }
        None => {
            let asked = result.map_or(g.door.input.as_str(), DoorResult::asked);
            lines.push(Line::styled(format!("   nobody matches “{}”", sanitize(asked)), banner));
        }
    }
    if let Some(r) = result {
        lines.push(Line::styled(format!("   {}", check_text(app, g, list, r)), banner));
    }
    lines.push(Line::styled("", banner));
    f.render_widget(Paragraph::new(lines).block(Block::default().borders(Borders::NONE)), area);
}

/// How the verdict stands with Floktu, in words.
fn check_text(app: &App, g: &Guests, list: &GuestList, r: &DoorResult) -> String {
    let local =
        |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&chrono::Local).format("%H:%M").to_string();
    match r.check() {
        Check::Checking => "⟳ checking with Floktu…".to_string(),
        Check::Checked { at } => {
            let secs = (app.now - *at).num_seconds();
            if secs < 60 {
                "✔ checked with Floktu just now".to_string()
            } else {
                format!("✔ checked with Floktu at {}", local(*at))
            }
        }
        Check::Offline { data_from } => match data_from {
            Some(at) => format!("⚠ offline — data from {}", local(*at)),
            None => "⚠ offline — could not check with Floktu".to_string(),
        },
        Check::Incomplete => {
            let p = list.progress();
            let of = p.total.map_or_else(|| "?".to_string(), thousands);
            let _ = g;
            format!(
                "⚠ the guest list is still loading ({} of {of} orders in): judged again as they arrive",
                thousands(p.loaded)
            )
        }
    }
}

/// While typing: the matches. After a lookup: the other attendees of the same order.
fn results(app: &App, f: &mut Frame, area: Rect, g: &Guests, list: &GuestList) {
    let door = &g.door;
    let (title, rows): (String, Vec<usize>) = if !door.input.trim().is_empty() {
        (
            format!(" Matches ({}) — ↑↓ choose, Enter confirms ", thousands(door.results.len())),
            door.results.clone(),
        )
    } else if let Some(DoorResult::Guest { attendee_id, .. }) = &door.result {
        let order = list.lookup_id(*attendee_id).into_iter().find_map(|i| {
            let guest = list.guests().get(i)?;
            (guest.attendee.attendee_id == *attendee_id).then_some(guest.order.id)
        });
        let same: Vec<usize> = order.map(|o| list.lookup_id(o)).unwrap_or_default();
        (" Same order ".to_string(), same)
    } else {
        return;
    };
    let block = pane_block(app, Line::styled(title, style(app, Tone::Title)), false);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let width = usize::from(inner.width).saturating_sub(2);
    let verdict_cols = 26.min(width / 3);
    let rest = width.saturating_sub(verdict_cols + 2);
    let name_cols = rest * 2 / 5;
    let ticket_cols = rest.saturating_sub(name_cols + 10);
    let height = usize::from(inner.height);
    let start = if door.selected >= height { door.selected + 1 - height } else { 0 };
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .filter_map(|(row, &i)| {
            let guest = list.guests().get(i)?;
            let selected = !door.input.trim().is_empty() && row == door.selected;
            let base = if selected { style(app, Tone::Selected) } else { style(app, Tone::Normal) };
            let v = list.verdict(i);
            let tone = match v {
                Verdict::Valid => Tone::Good,
                Verdict::AlreadyCheckedIn { .. } | Verdict::Unconfirmed => Tone::Warn,
                Verdict::Cancelled | Verdict::NotFound => Tone::Bad,
            };
            let mut spans = vec![Span::styled(marker(selected), base)];
            spans.extend(cell(app, &guest.name(), name_cols, &door.input, base));
            spans.push(Span::styled(" ", base));
            spans.extend(cell(
                app,
                &guest.ticket_label(),
                ticket_cols,
                "",
                base.patch(style(app, Tone::Dim)),
            ));
            spans.push(Span::styled(" ", base));
            spans.extend(cell(
                app,
                &format!("#{}", guest.order.id),
                9,
                &door.input,
                base.patch(style(app, Tone::Dim)),
            ));
            spans.extend(cell(
                app,
                &format!("{} {}", v.symbol(), v.word()),
                verdict_cols,
                "",
                base.patch(style(app, tone)),
            ));
            Some(Line::from(spans))
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// "12 s", "4 min", "3 h".
fn short_age(age: chrono::TimeDelta) -> String {
    match age.num_seconds() {
        s if s < 60 => format!("{} s", s.max(0)),
        s if s < 3600 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}
