//! The stats screen (`s`): the open event's numbers as `update` worked them
//! out (`tui::stats`) — a header with the totals and the data's age, the
//! arrivals per 15 minutes as a chart (with each gate's pace as a sparkline
//! when there are several), and per ticket sold, in (a bar), cancelled and
//! money. Pure drawing: what is drawn depends on the screen's size, not on
//! how many guests there are. Without colour, bars, words and numbers carry
//! the meaning.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph, Sparkline};

use super::common::{Tone, placeholder, spinner, style, thousands};
use crate::guestlist::{Arrivals, Figures, Stats};
use crate::ledger::ago;
use crate::output::stats::arrived_of_sold;
use crate::text::{pad, sanitize, truncate, width};
use crate::tui::app::{App, WIDE};
use crate::tui::guests::Guests;
use crate::tui::stats::StatsView;

/// The theme's tones the gates' lines take in turn (only with colour; the
/// sparklines below say the same in words).
const GATE_TONES: [Tone; 5] = [Tone::Warn, Tone::Good, Tone::Bad, Tone::Key, Tone::Match];

/// Draws the stats screen into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let view = app.stats.as_ref();
    let guests = app.guests.as_ref().filter(|g| view.is_some_and(|v| v.event_id == g.event_id));
    let [head, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
    header(app, f, head, view, guests);
    let Some(stats) = view.and_then(|v| v.numbers.as_ref()) else {
        let text = match guests.and_then(failed) {
            Some(why) => Line::styled(format!("Could not load the guest list: {why}"), style(app, Tone::Bad)),
            None => Line::raw(format!("{} Loading the guest list…", spinner(app))),
        };
        return placeholder(f, body, vec![text]);
    };
    if area.width >= WIDE {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        arrivals(app, f, left, &stats.arrivals);
        let block = section(app, format!(" Tickets ({}) ", stats.tickets.len()));
        let inner = block.inner(right);
        f.render_widget(block, right);
        tickets(app, f, inner, stats, false);
    } else {
        let need = u16::try_from(ticket_rows(stats)).unwrap_or(u16::MAX);
        let tickets_height = need.min(body.height.saturating_sub(7).max(body.height / 2));
        let [top, bottom] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(tickets_height)]).areas(body);
        arrivals(app, f, top, &stats.arrivals);
        tickets(app, f, bottom, stats, true);
    }
}

/// Rows the tickets table takes in full: a header, a row per ticket, the
/// orders without attendees (when they have money), all tickets.
fn ticket_rows(s: &Stats) -> usize {
    s.tickets.len() + 2 + usize::from(s.no_attendees != Default::default())
}

/// The guest list's load failure, if nothing could be shown.
fn failed(g: &Guests) -> Option<String> {
    match &g.load {
        crate::tui::guests::GuestLoad::Failed { why, .. } => Some(sanitize(why).into_owned()),
        _ => None,
    }
}

/// Two lines: the event and its totals; how old the data is.
fn header(app: &App, f: &mut Frame, area: Rect, view: Option<&StatsView>, guests: Option<&Guests>) {
    let cols = usize::from(area.width);
    let event = app.open_event.as_ref().map_or_else(String::new, |e| sanitize(&e.name).into_owned());
    let mut first = vec![Span::styled(format!(" Stats · {event}"), style(app, Tone::Title))];
    if let Some(s) = view.and_then(|v| v.numbers.as_ref()) {
        let t = &s.total;
        first.push(Span::raw(format!(" — {} · {} cancelled", arrived_of_sold(t), thousands(t.cancelled))));
    }
    let first = clip(Line::from(first), cols);
    let second = clip(age_line(app, view, guests), cols);
    f.render_widget(Paragraph::new(vec![first, second]), area);
}

/// "Data: order list 3 min old · oldest details 5 min · 2 stale · ledger read 4 s ago", and
/// whether the list is still loading or Floktu is out of reach.
fn age_line(app: &App, view: Option<&StatsView>, guests: Option<&Guests>) -> Line<'static> {
    let now = app.now;
    let mut parts: Vec<String> = Vec::new();
    let mut tone = Tone::Dim;
    if let Some(g) = guests {
        if let Some(why) = &g.offline {
            parts.push(format!("OFFLINE ({}) — figures as last known", sanitize(why)));
            tone = Tone::Warn;
        } else if g.is_loading() {
            let progress = g.shown.as_ref().map(crate::guestlist::GuestList::progress);
            parts.push(match progress.and_then(|p| Some((p.loaded, p.total?))) {
                Some((loaded, total)) => {
                    format!("{} loading: {} of {} orders", spinner(app), thousands(loaded), thousands(total))
                }
                None => format!("{} loading", spinner(app)),
            });
        }
    }
    if let Some(s) = view.and_then(|v| v.numbers.as_ref()) {
        let d = &s.data;
        parts.push(match d.fetched_at {
            Some(at) => format!("order list {} old", ago(now, at)),
            None => "no order list yet".into(),
        });
        if let Some(oldest) = d.oldest {
            parts.push(format!("oldest details {} old", ago(now, oldest)));
        }
        if d.stale > 0 {
            parts.push(format!("{} orders STALE", thousands(d.stale)));
            tone = Tone::Warn;
        }
        if d.missing > 0 {
            parts.push(format!("{} orders MISSING", thousands(d.missing)));
            tone = Tone::Warn;
        }
    }
    match view.and_then(|v| v.admissions_read) {
        Some(at) => parts.push(format!("ledger read {} ago", ago(now, at))),
        None => parts.push("ledger not read yet".into()),
    }
    if let Some(why) = &app.station.ledger_error {
        parts.push(format!("LEDGER: {}", sanitize(why)));
        tone = Tone::Bad;
    }
    Line::styled(format!(" Data: {}", parts.join(" · ")), style(app, tone))
}

/// A section with a title on its top border only.
fn section<'a>(app: &App, title: String) -> Block<'a> {
    Block::default()
        .borders(Borders::TOP)
        .border_style(style(app, Tone::Dim))
        .title(Span::styled(title, style(app, Tone::Title)))
}

/// The arrivals chart, and each source's sparkline under it when there are several.
fn arrivals(app: &App, f: &mut Frame, area: Rect, a: &Arrivals) {
    let mut title = format!(" Arrivals per {} min", a.bucket_minutes);
    if !a.total.is_empty() {
        title.push_str(&format!(" (peak {}) ", a.peak()));
    } else {
        title.push(' ');
    }
    let block = section(app, title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut notes: Vec<String> = Vec::new();
    if a.earlier > 0 {
        notes.push(format!("{} more than a day before", thousands(a.earlier)));
    }
    if a.untimed > 0 {
        notes.push(format!("{} checked in at an unreadable time", thousands(a.untimed)));
    }
    if a.total.is_empty() {
        let mut lines = vec![Line::raw(" Nobody has come in at a known time yet.")];
        lines.extend(notes.into_iter().map(|n| Line::styled(format!(" {n}"), style(app, Tone::Dim))));
        return f.render_widget(Paragraph::new(lines), inner);
    }
    let rows = u16::try_from(a.series.len()).unwrap_or(u16::MAX).min(inner.height.saturating_sub(4));
    let note_rows = u16::from(!notes.is_empty());
    let [chart_area, series_area, note_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(rows), Constraint::Length(note_rows)])
            .areas(inner);
    chart(app, f, chart_area, a);
    // One scale for every source's sparkline, so their paces compare.
    let series_peak =
        a.series.iter().flat_map(|s| s.counts.iter()).copied().max().map_or(1, |m| u64::from(m.max(1)));
    for (i, s) in a.series.iter().take(usize::from(rows)).enumerate() {
        let row = Rect { y: series_area.y + i as u16, height: 1, ..series_area };
        let last = s.counts.last().copied().unwrap_or(0);
        let at = a.bucket_start(a.total.len().saturating_sub(1)).map(|t| t.format("%H:%M").to_string());
        let label = format!(" {} ", truncate(&sanitize(&s.name), 12));
        let tail = format!(" {} in · {last} at {}", thousands(s.arrived), at.unwrap_or_default());
        let spark = (usize::from(row.width)).saturating_sub(14 + width(&tail));
        let [l, sp, t] = Layout::horizontal([
            Constraint::Length(14),
            Constraint::Length(spark as u16),
            Constraint::Min(0),
        ])
        .areas(row);
        f.render_widget(Paragraph::new(Line::styled(pad(&label, 14), style(app, Tone::Key))), l);
        let from = s.counts.len().saturating_sub(spark);
        let data: Vec<u64> = s.counts[from..].iter().map(|&n| u64::from(n)).collect();
        f.render_widget(Sparkline::default().data(&data).max(series_peak), sp);
        f.render_widget(Paragraph::new(tail), t);
    }
    if note_rows > 0 {
        f.render_widget(
            Paragraph::new(Line::styled(format!(" {}", notes.join(" · ")), style(app, Tone::Dim))),
            note_area,
        );
    }
}

/// Bars of every source together, one per bucket; with colour, each gate's line over them.
fn chart(app: &App, f: &mut Frame, area: Rect, a: &Arrivals) {
    let n = a.total.len();
    let bars: Vec<(f64, f64)> =
        a.total.iter().enumerate().map(|(i, &c)| (i as f64 + 0.5, f64::from(c))).collect();
    let lines: Vec<Vec<(f64, f64)>> = if app.color && app.theme.has_color() {
        a.series
            .iter()
            .map(|s| s.counts.iter().enumerate().map(|(i, &c)| (i as f64 + 0.5, f64::from(c))).collect())
            .collect()
    } else {
        Vec::new()
    };
    let mut datasets = vec![
        Dataset::default()
            .name("all")
            .graph_type(GraphType::Bar)
            .marker(Marker::HalfBlock)
            .style(style(app, Tone::Title))
            .data(&bars),
    ];
    for (i, (s, points)) in a.series.iter().zip(&lines).enumerate() {
        datasets.push(
            Dataset::default()
                .name(sanitize(&s.name).into_owned())
                .graph_type(GraphType::Line)
                .marker(Marker::Braille)
                .style(style(app, GATE_TONES[i % GATE_TONES.len()]))
                .data(points),
        );
    }
    let time = |i: usize| a.bucket_start(i).map(|t| t.format("%H:%M").to_string()).unwrap_or_default();
    let x_labels = vec![time(0), time(n / 2), time(n)];
    let peak = f64::from(a.peak().max(1));
    let chart = Chart::new(datasets)
        .x_axis(Axis::default().bounds([0.0, n as f64]).labels(x_labels).style(style(app, Tone::Dim)))
        .y_axis(
            Axis::default()
                .bounds([0.0, peak])
                .labels(vec!["0".to_string(), a.peak().to_string()])
                .style(style(app, Tone::Dim)),
        )
        .legend_position(if lines.is_empty() {
            None
        } else {
            Some(ratatui::widgets::LegendPosition::TopLeft)
        });
    f.render_widget(chart, area);
}

/// Per ticket: in of sold as a bar and numbers, cancelled, money; then all
/// tickets. `titled`: the header row says how many tickets (no section title above).
fn tickets(app: &App, f: &mut Frame, inner: Rect, s: &Stats, titled: bool) {
    let cols = usize::from(inner.width);
    let t = &s.total;
    let money =
        |f: &Figures| [f.money.paid.to_string(), f.money.due.to_string(), f.money.refunded.to_string()];
    let in_sold = |f: &Figures| format!("{}/{}", thousands(f.arrived), thousands(f.sold));
    // Column widths from the totals, which are the widest figures.
    let [paid_w, due_w, refunded_w] = {
        let [p, d, r] = money(t);
        [width(&p).max(4), width(&d).max(3), width(&r).max(8)]
    };
    let in_w = width(&in_sold(t)).max(7);
    let cancelled_w = width(&thousands(t.cancelled)).max(4);
    let bar_w = if cols >= 90 { 16 } else { 8 };
    let fixed = 1 + bar_w + 1 + in_w + 1 + cancelled_w + 1 + paid_w + 1 + due_w + 1 + refunded_w;
    let label_w = cols.saturating_sub(fixed + 1).max(6);
    let right = |text: &str, w: usize| format!("{}{text}", " ".repeat(w.saturating_sub(width(text))));
    let row = |label: &str, f: &Figures| -> Line<'static> {
        let [p, d, r] = money(f);
        let filled = if f.sold == 0 { 0 } else { (f.arrived * bar_w).div_ceil(f.sold).min(bar_w) };
        let filled = if f.arrived > 0 { filled.max(1) } else { 0 };
        Line::from(vec![
            Span::raw(format!(" {}", pad(&truncate(&sanitize(label), label_w), label_w))),
            Span::raw(" "),
            Span::styled("█".repeat(filled), style(app, Tone::Good)),
            Span::styled("░".repeat(bar_w - filled), style(app, Tone::Dim)),
            Span::raw(format!(
                " {} {} {} {} {}",
                right(&in_sold(f), in_w),
                right(&thousands(f.cancelled), cancelled_w),
                right(&p, paid_w),
                right(&d, due_w),
                right(&r, refunded_w)
            )),
        ])
    };
    let head = format!(
        " {} {} {} {} {} {} {}",
        pad(&if titled { format!("TICKETS ({})", s.tickets.len()) } else { "TICKET".into() }, label_w),
        pad("", bar_w),
        right("IN/SOLD", in_w),
        right("CANC", cancelled_w),
        right("PAID", paid_w),
        right("DUE", due_w),
        right("REFUNDED", refunded_w)
    );
    let height = usize::from(inner.height);
    let mut lines = vec![clip(Line::styled(head, style(app, Tone::Dim)), cols)];
    let lone = s.no_attendees != Default::default();
    let room = height.saturating_sub(2 + usize::from(lone));
    let shown = if s.tickets.len() > room { room.saturating_sub(1) } else { s.tickets.len() };
    lines.extend(s.tickets.iter().take(shown).map(|tk| clip(row(&tk.label(), &tk.figures), cols)));
    if shown < s.tickets.len() {
        let more = format!(" … {} more tickets (floktu stats lists all)", s.tickets.len() - shown);
        lines.push(Line::styled(more, style(app, Tone::Dim)));
    }
    let all = Figures { money: t.money.plus(s.no_attendees), ..*t };
    if lone {
        // No people to count: only the money.
        let [p, d, r] = money(&Figures { money: s.no_attendees, ..Figures::default() });
        let text = format!(
            " {} {} {} {} {} {} {}",
            pad("Orders without attendees", label_w),
            pad("", bar_w),
            pad("", in_w),
            pad("", cancelled_w),
            right(&p, paid_w),
            right(&d, due_w),
            right(&r, refunded_w)
        );
        lines.push(clip(Line::raw(text), cols));
    }
    let mut total = row("All tickets", &all);
    total.style = style(app, Tone::Title);
    lines.push(clip(total, cols));
    f.render_widget(Paragraph::new(lines), inner);
}

/// `line` cut to `cols` columns.
fn clip(line: Line<'static>, cols: usize) -> Line<'static> {
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = width(&span.content);
        if used + w <= cols {
            used += w;
            spans.push(span);
        } else {
            let cut = truncate(&span.content, cols - used).into_owned();
            spans.push(Span::styled(cut, span.style));
            break;
        }
    }
    Line { spans, ..line }
}
