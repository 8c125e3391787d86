//! The help overlay: every key of the screen, read from the binding table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::common::{Tone, pane_block, style};
use crate::text::{truncate, width};
use crate::tui::app::{App, Screen};
use crate::tui::keymap::{Keymap, Mode};

/// One line of the help overlay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HelpRow {
    /// Where the keys below apply.
    Heading(&'static str),
    /// A binding: its keys, and what they do.
    Keys(String, &'static str),
    /// A remark.
    Note(&'static str),
}

/// What the door's help adds under its keys.
const DOOR_NOTES: [&str; 2] = [
    "Floktu's API is read-only: door mode verifies tickets;",
    "it cannot check anyone in. Check-ins show as Floktu has them.",
];

/// The help of `screen`: every binding of its modes, in table order, under
/// the mode's heading.
pub fn rows(keys: &Keymap, screen: Screen) -> Vec<HelpRow> {
    let mut rows = Vec::new();
    for &mode in Mode::of_screen(screen) {
        let bindings: Vec<_> = keys.bindings().iter().filter(|b| b.mode == mode).collect();
        if bindings.is_empty() {
            continue;
        }
        rows.push(HelpRow::Heading(mode.title()));
        for b in bindings {
            let label: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
            rows.push(HelpRow::Keys(label.join(" "), b.help));
        }
    }
    if screen == Screen::Door {
        rows.extend(DOOR_NOTES.iter().map(|n| HelpRow::Note(n)));
    }
    rows.push(HelpRow::Note("Any key closes this help."));
    rows
}

/// Draws the help overlay of the screen shown, centred over `area`: in one
/// column when it fits the height, else in two when they fit the width, else
/// in pages of one column (↓ ↑ turn them; the title says which).
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let mut rows = rows(&app.keys, app.screen);
    let key_cols = rows
        .iter()
        .map(|r| match r {
            HelpRow::Keys(k, _) => width(k),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
        + 4;
    let text_cols = rows
        .iter()
        .map(|r| match r {
            HelpRow::Keys(_, t) => key_cols + width(t),
            HelpRow::Heading(t) | HelpRow::Note(t) => width(t),
        })
        .max()
        .unwrap_or(0);
    let inner_height = usize::from(area.height.saturating_sub(2)).max(1);
    let two_fit = 2 * (text_cols + 2) + 2 <= usize::from(area.width);
    let (columns, pages) = match rows.len() {
        n if n <= inner_height => (1, 1),
        n if two_fit && n <= 2 * inner_height => (2, 1),
        _ => {
            // The last line of a page says how to turn it.
            rows.pop();
            (1, rows.len().div_ceil(inner_height.saturating_sub(1).max(1)))
        }
    };
    app.help_pages.set(pages);
    let page = app.help_page.min(pages - 1);
    let per_column = if pages > 1 { inner_height - 1 } else { rows.len().div_ceil(columns) };
    let mut shown: Vec<HelpRow> =
        rows.iter().skip(page * per_column).take(per_column * columns).cloned().collect();
    if pages > 1 {
        shown.push(HelpRow::Note(if page + 1 < pages {
            "↓ next page, ↑ back, any other key closes this help."
        } else {
            "↑ back, any other key closes this help."
        }));
    }
    let popup_rows = if pages > 1 { inner_height } else { per_column };
    let width = (columns * (text_cols + 2) + 2).min(usize::from(area.width)) as u16;
    let height = (popup_rows as u16 + 2).min(area.height);
    let [row] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(row);
    let title = if pages > 1 { format!(" Keys {}/{pages} ", page + 1) } else { " Keys ".to_string() };
    let block = pane_block(app, Line::styled(title, style(app, Tone::Title)), true);
    let inner = block.inner(popup);
    f.render_widget(Clear, popup);
    f.render_widget(block, popup);
    let areas = Layout::horizontal(vec![Constraint::Ratio(1, columns as u32); columns]).split(inner);
    let per_area = if pages > 1 { shown.len() } else { per_column.max(1) };
    for (chunk, column) in shown.chunks(per_area.max(1)).zip(areas.iter()) {
        let cols = usize::from(column.width);
        let lines: Vec<Line> = chunk.iter().map(|r| line(app, r, key_cols, cols)).collect();
        f.render_widget(Paragraph::new(lines), *column);
    }
}

fn line(app: &App, row: &HelpRow, key_cols: usize, cols: usize) -> Line<'static> {
    match row {
        HelpRow::Heading(t) => Line::styled(truncate(t, cols).into_owned(), style(app, Tone::Title)),
        HelpRow::Note(t) => Line::styled(truncate(t, cols).into_owned(), style(app, Tone::Dim)),
        HelpRow::Keys(keys, what) => Line::from(vec![
            Span::styled(format!("  {keys:<0$}", key_cols.saturating_sub(2)), style(app, Tone::Key)),
            Span::raw(truncate(what, cols.saturating_sub(key_cols + 1)).into_owned()),
        ]),
    }
}
