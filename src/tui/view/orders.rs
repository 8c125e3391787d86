//! The orders pane: purchaser name, email, order id, and — as the event's
//! guest list brings each order's details — status, attendees, amount, paid
//! and balance due. Columns that do not fit the width are left out, the
//! least needed first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::common::{Tone, cell, list_frame, marker, row_style, style, thousands, visible_rows};
use super::detail::{money, status_text};
use crate::guestlist::GuestList;
use crate::tui::app::App;

/// The width of each column (0: left out).
struct Columns {
    name: usize,
    email: usize,
    id: usize,
    status: usize,
    guests: usize,
    amount: usize,
    paid: usize,
    due: usize,
}

impl Columns {
    /// The columns that fit in `width` beside a name of at least 14: due
    /// and status first (when the details are `known`), then the order id,
    /// the email, the amount, the attendees and what was paid; what is left
    /// widens the name and the email.
    fn fitting(width: usize, known: bool) -> Columns {
        let mut c = Columns { name: 14, email: 0, id: 0, status: 0, guests: 0, amount: 0, paid: 0, due: 0 };
        let mut room = width.saturating_sub(c.name);
        let mut wants: Vec<(&mut usize, usize)> = Vec::new();
        let Columns { email, id, status, guests, amount, paid, due, .. } = &mut c;
        if known {
            wants.extend([(due, 9), (status, 13)]);
        }
        wants.extend([(id, 8), (email, 16)]);
        if known {
            wants.extend([(amount, 9), (guests, 3), (paid, 9)]);
        }
        for (slot, cols) in wants {
            if room > cols {
                *slot = cols;
                room -= cols + 1;
            }
        }
        if c.email > 0 {
            let more_name = room * 9 / 20;
            c.name += more_name;
            c.email += room - more_name;
        } else {
            c.name += room;
        }
        c
    }
}

/// Draws the orders pane into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect, focused: bool) {
    let pane = &app.orders;
    let open = app.guests.as_ref().filter(|g| app.open_event.as_ref().is_some_and(|e| e.id == g.event_id));
    let guests: Option<&GuestList> = open.and_then(|g| g.shown.as_ref());
    // A filter or sort that reads the details, while they are still coming.
    let note = match (open, guests) {
        (Some(g), Some(list)) if g.is_loading() && pane.list.reads_facts() => {
            let known = list.freshness().orders;
            let so_far = format!("details of {} of {} orders", thousands(known), thousands(pane.all().len()));
            Some(match g.offline {
                Some(_) => format!("offline: {so_far}; reconnecting by itself"),
                None => format!("so far: {so_far}"),
            })
        }
        (Some(g), None) if g.is_loading() && pane.list.reads_facts() => Some("details loading…".to_string()),
        _ => None,
    };
    let Some(list_area) =
        list_frame(app, f, area, ("Orders", pane, focused), "Open an event (Enter) to see its orders.", note)
    else {
        return;
    };
    let width = usize::from(list_area.width).saturating_sub(2);
    let query = pane.list.parsed();
    let c = Columns::fitting(width, guests.is_some());
    let dim = style(app, Tone::Dim);
    let rows = visible_rows(pane, usize::from(list_area.height), |order, selected| {
        let base = row_style(app, selected, focused);
        let mut spans = vec![Span::styled(marker(selected), base)];
        spans.extend(cell(app, &order.display_name(), c.name, query, base));
        if c.email > 0 {
            spans.push(Span::styled(" ", base));
            spans.extend(cell(app, &order.email, c.email, query, base.patch(dim)));
        }
        if c.id > 0 {
            spans.push(Span::styled(" ", base));
            spans.extend(cell(app, &order.id.to_string(), c.id, query, base.patch(dim)));
        }
        if let Some(list) = guests {
            spans.extend(detail_cells(app, list, order.id, &c, base));
        }
        Line::from(spans)
    });
    f.render_widget(Paragraph::new(rows), list_area);
}

/// Status, attendees, amount, paid and due of one order, as far as known.
fn detail_cells(
    app: &App,
    list: &GuestList,
    order_id: u64,
    c: &Columns,
    base: ratatui::style::Style,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut push = |text: String, cols: usize, tone: Tone, right: bool| {
        if cols == 0 {
            return;
        }
        // Too narrow for the word: the symbol alone ("✖ cancelled" → "✖").
        let text = if crate::text::width(&text) > cols {
            text.split(' ').next().unwrap_or("").to_string()
        } else {
            text
        };
        let text: String = text.chars().take(cols).collect();
        let pad = cols.saturating_sub(crate::text::width(&text));
        let cell =
            if right { format!(" {}{text}", " ".repeat(pad)) } else { format!(" {text}{}", " ".repeat(pad)) };
        spans.push(Span::styled(cell, base.patch(style(app, tone))));
    };
    let Some(order) = list.purchase(order_id) else {
        push("… loading".into(), c.status, Tone::Dim, false);
        for cols in [c.guests, c.amount, c.paid, c.due] {
            push(String::new(), cols, Tone::Dim, true);
        }
        return spans;
    };
    let (status, tone) = status_text(order.status);
    push(status.to_string(), c.status, tone, false);
    push(list.order_guests(order_id).len().to_string(), c.guests, Tone::Dim, true);
    push(money(order.order_amount), c.amount, Tone::Normal, true);
    push(money(order.amount_paid), c.paid, Tone::Dim, true);
    match order.amount_due() {
        Some(due) => push(format!("⚠{due}"), c.due, Tone::Warn, true),
        None => push(String::new(), c.due, Tone::Dim, true),
    }
    spans
}
