//! The detail pane: the highlighted order, its attendees, and the answers of
//! the highlighted attendee.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::common::{
    Tone, cell, failed_lines, filter_line, marker, pane_block, placeholder, row_style, spinner, style,
    thousands, visible_rows,
};
use crate::api::{Attendee, Money, Order, Status};
use crate::text::sanitize;
use crate::tui::app::{App, Remote};

/// Draws the detail pane into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect, focused: bool) {
    let block = pane_block(app, pane_title(app, focused), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    match app.shown_detail() {
        Some(Remote::Loaded(order)) => order_details(app, f, inner, order, focused),
        Some(Remote::Failed(msg)) => placeholder(f, inner, failed_lines(app, msg)),
        // Until the details come, show what the order list already said.
        _ => placeholder(f, inner, loading_lines(app)),
    }
}

/// The pane's title: " Order 100011 ", or " Order " when none is highlighted.
fn pane_title(app: &App, focused: bool) -> Line<'static> {
    let title_style = if focused { style(app, Tone::Title) } else { style(app, Tone::Normal) };
    let title = match app.orders.selected_item() {
        Some(o) => format!(" Order {} ", o.id),
        None => " Order ".to_string(),
    };
    Line::styled(title, title_style)
}

/// While the details load: the highlighted order's name, id and email from the
/// order list, and a spinner; or a hint when no order is highlighted.
fn loading_lines(app: &App) -> Vec<Line<'static>> {
    match app.orders.selected_item() {
        Some(o) => vec![
            Line::from(vec![
                Span::styled(sanitize(&o.display_name()).into_owned(), style(app, Tone::Title)),
                Span::styled(format!("  #{}", o.id), style(app, Tone::Dim)),
            ]),
            Line::from(sanitize(&o.email).into_owned()),
            Line::from(""),
            Line::from(format!("{} Loading details…", spinner(app))),
        ],
        None => vec![Line::styled("Select an order to see its details.", style(app, Tone::Dim))],
    }
}

/// The loaded order: its header, the attendees' title and list, the answers of
/// the highlighted attendee right below it, and the filter line at the bottom.
fn order_details(app: &App, f: &mut Frame, inner: Rect, order: &Order, focused: bool) {
    let header = header_lines(app, order);
    let answers = answer_lines(app);
    let filter = filter_line(
        app,
        &app.attendees.list,
        matches!(app.attendees.items, crate::tui::app::Remote::Loaded(_)),
    );
    let [header_area, list_title_area, list_area, answers_area, filter_area] =
        order_areas(app, inner, header.len() as u16, answers.len() as u16, filter.is_some());
    f.render_widget(Paragraph::new(header), header_area);
    f.render_widget(Paragraph::new(attendees_title(app, order)), list_title_area);
    f.render_widget(Paragraph::new(answers).wrap(Wrap { trim: true }), answers_area);
    if let Some(line) = filter {
        f.render_widget(Paragraph::new(line), filter_area);
    }
    if order.attendees.is_empty() {
        let none = Line::styled("No attendees on this order.", style(app, Tone::Dim));
        return placeholder(f, list_area, vec![none]);
    }
    f.render_widget(Paragraph::new(attendee_rows(app, list_area, focused)), list_area);
}

/// Where the pane drawn in `area` shows the order's attendees, when it does.
pub(crate) fn list_area(app: &App, area: Rect) -> Option<Rect> {
    let Some(Remote::Loaded(order)) = app.shown_detail() else { return None };
    if order.attendees.is_empty() {
        return None;
    }
    let inner = pane_block(app, Line::default(), false).inner(area);
    let loaded = matches!(app.attendees.items, Remote::Loaded(_));
    let filtered = filter_line(app, &app.attendees.list, loaded).is_some();
    let (header, answers) = (header_lines(app, order).len() as u16, answer_lines(app).len() as u16);
    Some(order_areas(app, inner, header, answers, filtered)[2])
}

/// The areas of a loaded order (header, attendees' title, attendees, answers,
/// filter): the attendees list takes what it needs; the answers follow right below it.
fn order_areas(app: &App, inner: Rect, header_rows: u16, answer_rows: u16, filtered: bool) -> [Rect; 5] {
    let answers_height = answer_rows.min(inner.height / 3);
    let fixed = header_rows + 2 + answers_height + 1 + u16::from(filtered);
    let list_rows =
        (app.attendees.visible_len().max(1) as u16).min(inner.height.saturating_sub(fixed).max(1));
    let [header_area, _, list_title_area, list_area, _, answers_area, _, filter_area] = Layout::vertical([
        Constraint::Length(header_rows),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(list_rows),
        Constraint::Length(1),
        Constraint::Length(answers_height),
        Constraint::Min(0),
        Constraint::Length(u16::from(filtered)),
    ])
    .areas(inner);
    [header_area, list_title_area, list_area, answers_area, filter_area]
}

/// The attendees' rows that fit in `area`: name, company, ticket and check-in.
fn attendee_rows(app: &App, area: Rect, focused: bool) -> Vec<Line<'_>> {
    let width = usize::from(area.width).saturating_sub(2);
    let check_cols = 19.min(width / 3);
    let rest = width.saturating_sub(check_cols + 3);
    let name_cols = rest * 7 / 20;
    let company_cols = rest / 5;
    let ticket_cols = rest.saturating_sub(name_cols + company_cols);
    let cols = [name_cols, company_cols, ticket_cols, check_cols];
    visible_rows(&app.attendees, usize::from(area.height), |a, selected| {
        attendee_line(app, a, cols, row_style(app, selected, focused), selected)
    })
}

/// One attendee's row, its cells `cols` wide (name, company, ticket, check-in),
/// with what the filter matched highlighted.
fn attendee_line(app: &App, a: &Attendee, cols: [usize; 4], base: Style, selected: bool) -> Line<'static> {
    let [name_cols, company_cols, ticket_cols, check_cols] = cols;
    let query = app.attendees.list.parsed();
    let mut spans = vec![Span::styled(marker(selected), base)];
    spans.extend(cell(app, &a.display_name().unwrap_or_else(|| "(no name)".into()), name_cols, query, base));
    spans.push(Span::styled(" ", base));
    let company = a.company.as_deref().unwrap_or("");
    spans.extend(cell(app, company, company_cols, query, base.patch(style(app, Tone::Dim))));
    spans.push(Span::styled(" ", base));
    spans.extend(cell(app, &ticket_label(a), ticket_cols, query, base));
    spans.push(Span::styled(" ", base));
    let (text, tone) = match &a.check_in {
        Some(c) => (format!("✓ {}", c.short()), Tone::Good),
        None => ("· not checked in".to_string(), Tone::Dim),
    };
    spans.extend(cell(app, &text, check_cols, "", base.patch(style(app, tone))));
    Line::from(spans)
}

/// "VIP / Weekend Pass", or the ticket alone.
pub fn ticket_label(a: &Attendee) -> String {
    match &a.ticket_group {
        Some(g) => format!("{g} / {}", a.ticket),
        None => a.ticket.clone(),
    }
}

/// The status as a symbol, a word and a colour.
pub fn status_span(app: &App, status: Status) -> Span<'static> {
    let (text, tone) = status_text(status);
    Span::styled(text, style(app, tone))
}

/// The status as a symbol and a word, and its tone.
pub(crate) fn status_text(status: Status) -> (&'static str, Tone) {
    match status {
        Status::Confirmed => ("● confirmed", Tone::Good),
        Status::Unconfirmed => ("◌ unconfirmed", Tone::Warn),
        Status::Cancelled => ("✖ cancelled", Tone::Bad),
        Status::Other => ("? unknown status", Tone::Warn),
    }
}

pub(crate) fn money(m: Option<Money>) -> String {
    m.map_or_else(|| "—".to_string(), |m| m.to_string())
}

fn header_lines(app: &App, order: &Order) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::from(vec![
            Span::styled(sanitize(&order.name).into_owned(), style(app, Tone::Title)),
            Span::styled(format!("  #{}", order.id), style(app, Tone::Dim)),
        ]),
        Line::from(sanitize(&order.email).into_owned()),
    ];
    let mut amounts = vec![
        status_span(app, order.status),
        Span::raw(format!("   {}", money(order.order_amount))),
        Span::styled(format!("  paid {}", money(order.amount_paid)), style(app, Tone::Dim)),
    ];
    if let Some(due) = order.amount_due() {
        amounts.push(Span::styled(format!("  ⚠ BALANCE DUE {due}"), style(app, Tone::Warn)));
    }
    lines.push(Line::from(amounts));
    if let Some(v) = &order.voucher {
        lines.push(Line::from(vec![
            Span::styled("Voucher ", style(app, Tone::Dim)),
            Span::raw(sanitize(v).into_owned()),
        ]));
    }
    lines
}

fn attendees_title(app: &App, order: &Order) -> Line<'static> {
    let shown = app.attendees.visible_len();
    let total = order.attendees.len();
    let checked = order.attendees.iter().filter(|a| a.check_in.is_some()).count();
    let count = if shown == total {
        thousands(total)
    } else {
        format!("{} of {}", thousands(shown), thousands(total))
    };
    Line::from(vec![
        Span::styled(format!("Attendees ({count})"), style(app, Tone::Title)),
        Span::styled(format!("  {checked} checked in"), style(app, Tone::Dim)),
    ])
}

/// The custom answers of the highlighted attendee.
fn answer_lines(app: &App) -> Vec<Line<'static>> {
    let Some(a) = app.attendees.selected_item() else {
        return Vec::new();
    };
    if a.answers.is_empty() {
        return Vec::new();
    }
    let name = a.display_name().unwrap_or_else(|| format!("attendee {}", a.attendee_id));
    let mut lines = vec![Line::styled(format!("Answers · {}", sanitize(&name)), style(app, Tone::Title))];
    for answer in &a.answers {
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", sanitize(&answer.question)), style(app, Tone::Dim)),
            Span::raw(sanitize(answer.answer.as_deref().unwrap_or("—")).into_owned()),
        ]));
    }
    lines
}
