//! The help overlay: every key.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::common::{Tone, pane_block, style};
use crate::tui::app::App;

/// Every key and what it does, in the order of the README's key table.
pub const KEYS: [(&str, &str); 18] = [
    ("↑ ↓  j k", "move"),
    ("PgUp PgDn  Ctrl-u Ctrl-d", "move by a page / half a page"),
    ("g G  Home End", "first / last"),
    ("Enter  →  l", "open / drill in"),
    ("Esc  ←  h  Backspace", "back"),
    ("/", "filter the focused list (fuzzy, live)"),
    ("  Enter / Esc", "keep the filter / clear it"),
    ("y", "copy the selected email"),
    ("Y", "copy all distinct emails of the list as filtered"),
    ("a", "orders ↔ every attendee of the event"),
    ("d", "door mode: verify tickets (the API cannot check anyone in)"),
    ("e", "export the list as filtered to CSV"),
    ("r", "reload the focused pane"),
    ("R", "reload everything"),
    ("L", "log out and forget cached lists (asks)"),
    ("?", "this help"),
    ("q  Ctrl-C", "quit"),
    ("", "any key closes this help"),
];

/// The keys of door mode, and what it cannot do.
pub const DOOR_KEYS: [(&str, &str); 9] = [
    ("type / scan", "find a guest by name, email, company, order or ticket id"),
    ("Enter", "look up: digits are an exact order or ticket id"),
    ("↑ ↓", "choose among the matches"),
    ("Esc", "clear the input; again: back to the lists"),
    ("Ctrl-P", "privacy: hide emails and amounts"),
    ("Ctrl-R  F5", "refresh the guest list"),
    ("Ctrl-C", "quit"),
    ("", "Floktu's API is read-only: door mode verifies tickets;"),
    ("", "it cannot check anyone in. Check-ins show as Floktu has them."),
];

/// Draws the door mode's help.
pub fn render_door(app: &App, f: &mut Frame, area: Rect) {
    overlay(app, f, area, &DOOR_KEYS);
}

/// Draws the help overlay centred over `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    overlay(app, f, area, &KEYS);
}

fn overlay(app: &App, f: &mut Frame, area: Rect, keys: &[(&str, &str)]) {
    let key_cols = keys.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0) + 2;
    let lines: Vec<Line> = keys
        .iter()
        .map(|(k, what)| {
            Line::from(vec![Span::styled(format!("{k:<key_cols$}"), style(app, Tone::Key)), Span::raw(*what)])
        })
        .collect();
    let width = (key_cols + 62).min(usize::from(area.width)) as u16;
    let height = (lines.len() as u16 + 2).min(area.height);
    let [row] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(row);
    let block = pane_block(app, Line::styled(" Keys ", style(app, Tone::Title)), true);
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(lines).block(block), popup);
}
