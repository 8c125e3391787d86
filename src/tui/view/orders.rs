//! The orders pane: purchaser name, email, order id.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::common::{Tone, cell, list_frame, marker, row_style, style, visible_rows};
use crate::tui::app::App;

/// Draws the orders pane into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect, focused: bool) {
    let pane = &app.orders;
    let Some(list_area) =
        list_frame(app, f, area, ("Orders", pane, focused), "Open an event (Enter) to see its orders.")
    else {
        return;
    };
    let width = usize::from(list_area.width).saturating_sub(2);
    let query = pane.list.parsed();
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
