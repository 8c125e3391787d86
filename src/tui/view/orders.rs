//! The orders pane: purchaser name, email, order id.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::common::{
    Tone, cell, count_title, filter_line, marker, pane_block, placeholder, row_style, state_lines, style,
    visible_rows,
};
use crate::tui::app::App;

/// Draws the orders pane into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect, focused: bool) {
    let pane = &app.orders;
    let block = pane_block(app, count_title(app, "Orders", pane, focused), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let filter = filter_line(app, pane);
    let [list_area, filter_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(u16::from(filter.is_some()))]).areas(inner);
    if let Some(line) = filter {
        f.render_widget(Paragraph::new(line), filter_area);
    }
    let not_asked = "Open an event (Enter) to see its orders.";
    if let Some(lines) = state_lines(app, &pane.items, "orders", not_asked) {
        placeholder(f, list_area, lines);
        return;
    }
    let width = usize::from(list_area.width).saturating_sub(2);
    let query = pane.filter.query.as_str();
    let id_cols = 9.min(width / 4);
    let rest = width.saturating_sub(id_cols + 2);
    let name_cols = rest * 9 / 20;
    let email_cols = rest.saturating_sub(name_cols + 1);
    let rows = visible_rows(pane, usize::from(list_area.height), |order, selected| {
        let base = row_style(app, selected, focused);
        let mut spans = vec![Span::styled(marker(selected), base)];
        spans.extend(cell(app, &order.display_name(), name_cols, query, base));
        spans.push(Span::styled(" ", base));
        spans.extend(cell(app, &order.email, email_cols, query, base.patch(style(app, Tone::Dim))));
        spans.push(Span::styled("  ", base));
        spans.extend(cell(app, &order.id.to_string(), id_cols, query, base.patch(style(app, Tone::Dim))));
        Line::from(spans)
    });
    f.render_widget(Paragraph::new(rows), list_area);
}
