//! Door mode: one input always focused; the verdict as a full-width block of
//! its colour, a third of the screen tall, its word in large letters with its
//! symbol; under it the guest (name, ticket, answers, balance due) and for an
//! order scan the group; the counts, the scan counter and the data's age at
//! every size. The verdicts come judged from `update` (`DoorResult::headline`):
//! this file only draws them.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use tui_big_text::{BigText, PixelSize};

use super::attendees::status_lines;
use super::common::{Tone, cell, failed_lines, marker, pane_block, placeholder, spinner, style, thousands};
use crate::guestlist::{Guest, GuestList};
use crate::ledger::{DoorVerdict, judge};
use crate::text::sanitize;
use crate::tui::app::App;
use crate::tui::door::{Check, Door, DoorResult, Entry, Headline, guest_by_attendee};
use crate::tui::guests::{GuestLoad, Guests};

/// Draws door mode into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let Some(g) = &app.guests else { return };
    let event = app.open_event.as_ref().map(|e| sanitize(&e.name).into_owned()).unwrap_or_default();
    let header = header_lines(app, g, &event);
    // A third of the screen (the title and status bars included), never less than 6 rows.
    let block_rows = area.height.div_ceil(3).max(6);
    let [header_area, input_area, verdict_area, rest] = Layout::vertical([
        Constraint::Length(header.len() as u16),
        Constraint::Length(3),
        Constraint::Length(block_rows),
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
    let Some(result) = &g.door.result else {
        let hint = Line::styled("Type a name or scan a ticket, then Enter.", style(app, Tone::Dim));
        placeholder(f, verdict_area, vec![Line::from(""), hint]);
        return results(app, f, rest, g, list);
    };
    verdict_block(app, f, verdict_area, result);
    let details = detail_lines(app, g, list, result);
    let typing = !g.door.input.trim().is_empty();
    // While typing, the matches come first; else the guest's details.
    let shown = if typing { details.len().min(2) } else { details.len() };
    let [details_area, results_area] =
        Layout::vertical([Constraint::Length(shown as u16), Constraint::Min(0)]).areas(rest);
    f.render_widget(Paragraph::new(details), details_area);
    results(app, f, results_area, g, list);
}

/// The event, the gate, the data's age first (it must show at every width),
/// the scan counter and the counts; the ledger's state in red when it fails.
fn header_lines(app: &App, g: &Guests, event: &str) -> Vec<Line<'static>> {
    let st = &app.station;
    let mut lines = vec![title_line(app, g, event)];
    if let Some(list) = &g.shown {
        lines.push(data_line(app, g, list));
    }
    if let Some(text) = ledger_text(st) {
        lines.push(Line::styled(text, style(app, Tone::Bad)));
    }
    if let Some(line) = refused_on_replay(st) {
        lines.push(Line::styled(line, style(app, Tone::Bad)));
    }
    // The header says how old the data is already.
    lines.extend(status_lines(app, g, false));
    lines
}

/// The header's first line: the event, the gate, and KIOSK / PRIVATE when they apply.
fn title_line(app: &App, g: &Guests, event: &str) -> Line<'static> {
    let st = &app.station;
    let mut first = vec![
        Span::styled(format!(" Door · {event}"), style(app, Tone::Title)),
        Span::raw(format!(" · gate {}", sanitize(st.gate.as_str()))),
    ];
    if st.kiosk {
        first.push(Span::styled("   KIOSK", style(app, Tone::Warn)));
    }
    if g.door.private {
        first.push(Span::styled("   PRIVATE (no emails or amounts)", style(app, Tone::Warn)));
    }
    Line::from(first)
}

/// The header's second line: the data's age, the scan counter and the counts.
fn data_line(app: &App, g: &Guests, list: &GuestList) -> Line<'static> {
    let mut second = vec![Span::styled(
        data_age(app, g, list),
        style(app, if g.offline.is_some() { Tone::Bad } else { Tone::Dim }),
    )];
    let scan = match g.door.scanned_at {
        Some(at) => format!(" · scan #{} at {}", g.door.scans, local_hms(at)),
        None => " · no scan yet".to_string(),
    };
    second.push(Span::styled(scan, style(app, Tone::Title)));
    let o = list.counts().overall;
    let pct = (o.checked_in * 100).checked_div(o.total).unwrap_or(0);
    let here = g.door.admissions.values().filter(|a| a.gate == app.station.gate).count();
    second.push(Span::raw(format!(
        " · {} admitted ({} here) · {} / {} checked in ({pct}%) through Floktu",
        thousands(g.door.admissions.len()),
        thousands(here),
        thousands(o.checked_in),
        thousands(o.total)
    )));
    Line::from(second)
}

/// " OFFLINE — data from 19:38", " data 12 s old at most", or " data of unknown age".
fn data_age(app: &App, g: &Guests, list: &GuestList) -> String {
    if g.offline.is_some() {
        match list.freshness().oldest {
            Some(at) => format!(" OFFLINE — data from {}", local_hm(at)),
            None => " OFFLINE".to_string(),
        }
    } else {
        match list.freshness().oldest {
            Some(at) if at > app.now + chrono::TimeDelta::minutes(1) => " data of unknown age".to_string(),
            _ => format!(" data {} old at most", short_age(list.freshness().oldest_age(app.now))),
        }
    }
}

/// The ledger's state when it fails: unreachable (with what is queued) or in error.
fn ledger_text(st: &crate::tui::door::Station) -> Option<String> {
    match (&st.ledger_error, &st.ledger.unreachable) {
        (_, Some(why)) if st.ledger.queued > 0 => Some(format!(
            " ledger unreachable — {} queued, replayed when it is back ({})",
            thousands(st.ledger.queued),
            sanitize(why)
        )),
        (_, Some(why)) => Some(format!(" ledger unreachable — nothing recorded ({})", sanitize(why))),
        (Some(why), None) => Some(format!(" ledger error — {}", sanitize(why))),
        (None, None) => None,
    }
}

/// The latest queued admission the ledger refused on replay, who had let
/// the guest in first, and how many more, in one line that keeps its point at
/// 80 columns: "✖ replay refused: Ann Lee (ticket 502) was admitted at north
/// 19:38; queued here 19:40 (+1 more)".
fn refused_on_replay(st: &crate::tui::door::Station) -> Option<String> {
    let last = st.refused_on_replay.last()?;
    let (queued, winner) = (&last.refusal.queued, &last.refusal.winner);
    let more = match st.refused_on_replay.len() - 1 {
        0 => String::new(),
        n => format!(" (+{} more)", thousands(n)),
    };
    Some(format!(
        " ✖ replay refused: {} was admitted at {} {}; queued here {}{more}",
        last.guest,
        sanitize(winner.gate.as_str()),
        local_hm(winner.at),
        local_hm(queued.at),
    ))
}

/// The colours of a verdict's block.
fn colours(headline: &Headline) -> (Color, Color) {
    match headline {
        Headline::Admitting | Headline::Undone => (Color::White, Color::DarkGray),
        Headline::NotRecorded(_) => (Color::White, Color::Red),
        Headline::Verdict(v) => match v {
            DoorVerdict::Valid => (Color::Black, Color::Green),
            DoorVerdict::AlreadyAdmitted { .. } | DoorVerdict::AlreadyCheckedIn { .. } => {
                (Color::Black, Color::Yellow)
            }
            DoorVerdict::Cancelled => (Color::White, Color::Red),
            DoorVerdict::Unconfirmed => (Color::Black, Color::Magenta),
            DoorVerdict::WrongEvent { .. } => (Color::White, Color::Blue),
            DoorVerdict::NotFound => (Color::White, Color::DarkGray),
        },
    }
}

/// The word, its symbol, and what it means, for the block.
fn words(app: &App, result: &DoorResult, headline: &Headline) -> (&'static str, &'static str, String) {
    match headline {
        Headline::Admitting => ("ADMITTING", "⟳", "admitting… (writing to the ledger)".to_string()),
        Headline::Undone => ("UNDONE", "↶", "this admission was undone (Ctrl-Z): not admitted".to_string()),
        Headline::NotRecorded(why) => {
            ("NOT RECORDED", "✖", format!("the ledger failed, do not let them in yet: {}", sanitize(why)))
        }
        Headline::Verdict(v) => {
            let mut detail = v.detail(app.now);
            if let DoorResult::Guest { entry: Entry::Admitted { queued, .. }, .. } = result {
                detail = if *queued {
                    "let them in — admitted now (queued: the ledger is unreachable)".to_string()
                } else {
                    "let them in — admitted now".to_string()
                };
            }
            if provisional(result) {
                detail.push_str(" (so far)");
            }
            (v.word(), v.symbol(), sanitize(&detail).into_owned())
        }
    }
}

/// A NOT FOUND that waits for Floktu or for the list to load.
fn provisional(result: &DoorResult) -> bool {
    matches!(result, DoorResult::NotFound { check: Check::Checking | Check::Incomplete, elsewhere: None, .. })
}

/// The verdict: a full-width block of its colour, the word in large letters
/// (as large as fits), then its symbol, word and meaning in a line.
fn verdict_block(app: &App, f: &mut Frame, area: Rect, result: &DoorResult) {
    let headline = result.headline();
    let (fg, bg) = colours(&headline);
    let banner = if app.color {
        Style::default().fg(fg).bg(bg).add_modifier(Modifier::BOLD)
    } else {
        Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED)
    };
    f.render_widget(Block::default().style(banner), area);
    let (word, symbol, detail) = words(app, result, &headline);
    let so_far = if provisional(result) { " (so far)" } else { "" };
    let line = Line::styled(format!("{symbol}  {word}{so_far} — {detail}"), banner);
    let inner = Rect { x: area.x + 1, width: area.width.saturating_sub(2), ..area };
    let size = big_size(word, inner.width, area.height.saturating_sub(2));
    let big_rows = size.map_or(0, |(_, rows)| rows);
    // Centred in the block: the large word, then the line.
    let top = area.y + area.height.saturating_sub(big_rows + 1) / 2;
    if let Some((pixels, rows)) = size {
        let big = BigText::builder()
            .pixel_size(pixels)
            .style(banner)
            .lines(vec![Line::from(word)])
            .alignment(Alignment::Center)
            .build();
        f.render_widget(big, Rect { y: top, height: rows, ..inner });
    }
    let line_area = Rect { y: (top + big_rows).min(area.bottom().saturating_sub(1)), height: 1, ..inner };
    f.render_widget(Paragraph::new(line).alignment(Alignment::Center), line_area);
}

/// The largest letters `word` fits in `width` × `rows` with (terminal cells per
/// letter: Full 8×8, HalfHeight 8×4, HalfWidth 4×8, Quadrant 4×4).
fn big_size(word: &str, width: u16, rows: u16) -> Option<(PixelSize, u16)> {
    let letters = word.chars().count() as u16;
    [
        (PixelSize::Full, 8, 8),
        (PixelSize::HalfWidth, 4, 8),
        (PixelSize::HalfHeight, 8, 4),
        (PixelSize::Quadrant, 4, 4),
    ]
    .into_iter()
    .find(|&(_, w, h)| letters * w <= width && h <= rows)
    .map(|(size, _, h)| (size, h))
}

/// Under the block: the guest (name, ticket, order, email), the balance due,
/// their answers, the group of an order scan, and how the verdict stands with Floktu.
fn detail_lines(app: &App, g: &Guests, list: &GuestList, result: &DoorResult) -> Vec<Line<'static>> {
    let private = g.door.private;
    let mut lines = Vec::new();
    let guest = match result {
        DoorResult::Guest { attendee_id, .. } => {
            guest_by_attendee(list, *attendee_id).map(|i| &list.guests()[i])
        }
        DoorResult::NotFound { .. } => None,
    };
    match guest {
        Some(guest) => {
            let mut who = format!(
                " {} · {} · order {}",
                sanitize(&guest.name()),
                sanitize(&guest.ticket_label()),
                guest.order.id
            );
            if !private {
                who.push_str(&format!(" · {}", sanitize(guest.email())));
            }
            lines.push(Line::styled(who, style(app, Tone::Title)));
            if let Some(due) = balance_due(guest, private) {
                lines.push(Line::styled(due, style(app, Tone::Bad)));
            }
            lines.extend(answer_lines(app, guest));
        }
        None => {
            let asked = sanitize(result.asked()).into_owned();
            lines.push(Line::styled(format!(" nobody here matches “{asked}”"), style(app, Tone::Title)));
        }
    }
    if let Some(summary) = result.group_summary() {
        lines.push(Line::styled(format!(" order: {summary}"), style(app, Tone::Title)));
    }
    lines.push(Line::styled(format!(" {}", check_text(app, list, result)), style(app, Tone::Dim)));
    lines
}

/// "BALANCE DUE 102.94 on order 100011" (no amount when amounts are hidden).
fn balance_due(guest: &Guest, private: bool) -> Option<String> {
    let order = &guest.order;
    if !order.balance_due() {
        return None;
    }
    let amount = match (order.order_amount, order.amount_paid, private) {
        (Some(total), Some(paid), false) => format!(" {}", crate::api::Money(total.0 - paid.0)),
        _ => String::new(),
    };
    Some(format!(" BALANCE DUE{amount} on order {}", order.id))
}

/// The guest's answers: all of them, or those `[door] show_answers` names.
fn answer_lines(app: &App, guest: &Guest) -> Vec<Line<'static>> {
    let wanted = app.station.show_answers.as_ref();
    guest
        .attendee
        .answers
        .iter()
        .filter(|a| wanted.is_none_or(|w| w.iter().any(|q| q.trim().eq_ignore_ascii_case(a.question.trim()))))
        .filter_map(|a| {
            let answer = a.answer.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
            Some(Line::from(vec![
                Span::styled(format!(" {}: ", sanitize(a.question.trim())), style(app, Tone::Dim)),
                Span::styled(sanitize(answer).into_owned(), style(app, Tone::Warn)),
            ]))
        })
        .collect()
}

fn local_hm(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono::Local).format("%H:%M").to_string()
}

fn local_hms(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono::Local).format("%H:%M:%S").to_string()
}

/// How the verdict stands with Floktu, in words.
fn check_text(app: &App, list: &GuestList, r: &DoorResult) -> String {
    match r.check() {
        Check::Checking => "⟳ checking with Floktu…".to_string(),
        Check::Checked { at } => {
            let secs = (app.now - *at).num_seconds();
            if secs < 60 {
                "✔ checked with Floktu just now".to_string()
            } else {
                format!("✔ checked with Floktu at {}", local_hm(*at))
            }
        }
        Check::Offline { data_from } => match data_from {
            Some(at) => format!("⚠ offline — data from {}", local_hm(*at)),
            None => "⚠ offline — could not check with Floktu".to_string(),
        },
        Check::Incomplete => {
            let p = list.progress();
            let of = p.total.map_or_else(|| "?".to_string(), thousands);
            format!(
                "⚠ the guest list is still loading ({} of {of} orders in): judged again as they arrive",
                thousands(p.loaded)
            )
        }
    }
}

/// One row under the verdict: a guest and a verdict word in its tone.
struct Row {
    guest: usize,
    symbol: &'static str,
    word: String,
    tone: Tone,
}

/// The widths of a result row's cells: name, ticket and verdict.
struct Columns {
    name: usize,
    ticket: usize,
    verdict: usize,
}

impl Columns {
    /// The cells' widths for a pane `inner_width` columns wide.
    fn new(inner_width: u16) -> Self {
        let width = usize::from(inner_width).saturating_sub(2);
        let verdict = 22.min(width / 3);
        let rest = width.saturating_sub(verdict + 2);
        let name = rest * 2 / 5;
        let ticket = rest.saturating_sub(name + 10);
        Columns { name, ticket, verdict }
    }
}

/// While typing: the matches (with the guest list's status). After an order
/// scan: each guest of the order with their verdict. After a ticket scan: the
/// other attendees of the same order.
fn results(app: &App, f: &mut Frame, area: Rect, g: &Guests, list: &GuestList) {
    if area.height < 3 {
        return;
    }
    let door = &g.door;
    let typing = !door.input.trim().is_empty();
    let Some((title, rows)) = result_rows(door, list, typing) else { return };
    if rows.is_empty() {
        return;
    }
    let block = pane_block(app, Line::styled(title, style(app, Tone::Title)), false);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let cols = Columns::new(inner.width);
    let height = usize::from(inner.height);
    let start = if typing && door.selected >= height { door.selected + 1 - height } else { 0 };
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .filter_map(|(row, r)| result_line(app, door, list, &cols, r, typing && row == door.selected))
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// The results pane's title and rows for what the door shows now; none when
/// there is nothing to list.
fn result_rows(door: &Door, list: &GuestList, typing: bool) -> Option<(String, Vec<Row>)> {
    Some(match &door.result {
        _ if typing => (
            format!(" Matches ({}) — ↑↓ choose, Enter admits ", thousands(door.results.len())),
            door.results.iter().map(|&i| list_row(door, list, i)).collect(),
        ),
        Some(r @ DoorResult::Guest { group, .. }) if !group.is_empty() => {
            (" This order ".to_string(), order_rows(list, r))
        }
        Some(DoorResult::Guest { attendee_id, .. }) => {
            (" Same order ".to_string(), same_order_rows(door, list, *attendee_id))
        }
        _ => return None,
    })
}

/// A guest of the list judged as the door judges (ledger::judge): the list's
/// verdict, then the admissions this door knows of.
fn list_row(door: &Door, list: &GuestList, i: usize) -> Row {
    let admitted = list.guests().get(i).and_then(|guest| door.admissions.get(&guest.attendee.id()));
    let v = judge(&list.verdict(i), admitted);
    let tone = match v {
        DoorVerdict::Valid => Tone::Good,
        DoorVerdict::AlreadyAdmitted { .. }
        | DoorVerdict::AlreadyCheckedIn { .. }
        | DoorVerdict::Unconfirmed => Tone::Warn,
        DoorVerdict::Cancelled | DoorVerdict::WrongEvent { .. } | DoorVerdict::NotFound => Tone::Bad,
    };
    let word = if v.admits() { "not admitted yet" } else { v.word() };
    Row { guest: i, symbol: v.symbol(), word: word.to_string(), tone }
}

/// After an order scan: each guest of the order with how their entry stands.
fn order_rows(list: &GuestList, r: &DoorResult) -> Vec<Row> {
    r.guests()
        .into_iter()
        .filter_map(|(attendee, verdict, entry)| {
            let i = guest_by_attendee(list, attendee)?;
            let (word, tone) = match entry {
                Entry::Admitted { .. } => ("admitted now".to_string(), Tone::Good),
                Entry::Admitting { .. } => ("admitting…".to_string(), Tone::Dim),
                Entry::Failed(_) => ("NOT RECORDED".to_string(), Tone::Bad),
                Entry::Undone => ("undone".to_string(), Tone::Dim),
                Entry::None => (verdict.word().to_string(), Tone::Warn),
            };
            Some(Row { guest: i, symbol: verdict.symbol(), word, tone })
        })
        .collect()
}

/// After a ticket scan: every attendee of the scanned guest's order, each judged.
fn same_order_rows(door: &Door, list: &GuestList, attendee_id: u64) -> Vec<Row> {
    let order = guest_by_attendee(list, attendee_id).map(|i| list.guests()[i].order.id);
    order
        .map(|o| {
            list.lookup_id(o)
                .into_iter()
                .filter(|&i| list.guests()[i].order.id == o)
                .map(|i| list_row(door, list, i))
                .collect()
        })
        .unwrap_or_default()
}

/// One result row: the marker, name, ticket, order id and the verdict word in its tone.
fn result_line(
    app: &App,
    door: &Door,
    list: &GuestList,
    cols: &Columns,
    r: &Row,
    selected: bool,
) -> Option<Line<'static>> {
    let guest = list.guests().get(r.guest)?;
    let base = if selected { style(app, Tone::Selected) } else { style(app, Tone::Normal) };
    let dim = base.patch(style(app, Tone::Dim));
    let mut spans = vec![Span::styled(marker(selected), base)];
    spans.extend(cell(app, &guest.name(), cols.name, &door.input, base));
    spans.push(Span::styled(" ", base));
    spans.extend(cell(app, &guest.ticket_label(), cols.ticket, "", dim));
    spans.push(Span::styled(" ", base));
    spans.extend(cell(app, &format!("#{}", guest.order.id), 9, &door.input, dim));
    let verdict = format!("{} {}", r.symbol, r.word);
    spans.extend(cell(app, &verdict, cols.verdict, "", base.patch(style(app, r.tone))));
    Some(Line::from(spans))
}

/// "12 s", "4 min", "3 h".
fn short_age(age: chrono::TimeDelta) -> String {
    match age.num_seconds() {
        s if s < 60 => format!("{} s", s.max(0)),
        s if s < 3600 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}
