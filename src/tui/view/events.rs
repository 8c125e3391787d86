//! The events pane: name and id.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::common::{Tone, cell, list_frame, marker, row_style, style, visible_rows};
use crate::tui::app::App;

/// Draws the events pane into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect, focused: bool) {
    let pane = &app.events;
    let Some(list_area) = list_frame(app, f, area, ("Events", pane, focused), "", None) else { return };
    let width = usize::from(list_area.width);
    let query = pane.list.parsed();
    let id_cols = 6.min(width / 3);
    let name_cols = width.saturating_sub(id_cols + 3);
    let rows = visible_rows(pane, usize::from(list_area.height), |event, selected| {
        let base = row_style(app, selected, focused);
        let mut spans = vec![Span::styled(marker(selected), base)];
        spans.extend(cell(app, &event.name, name_cols, query, base));
        spans.push(Span::styled(" ", base));
        spans.extend(cell(app, &event.id.to_string(), id_cols, query, base.patch(style(app, Tone::Dim))));
        Line::from(spans)
    });
    f.render_widget(Paragraph::new(rows), list_area);
}
