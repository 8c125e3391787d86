//! Pieces every pane draws with: styles, the visible window of a list, cells
//! with highlighted matches, and the loading / failed / empty states.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

pub use crate::text::thousands;
use crate::text::{sanitize, width};
use crate::tui::app::{App, Pane, Remote};
use crate::tui::filter::matched_chars;

/// Braille spinner frames.
const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner's current frame.
pub fn spinner(app: &App) -> &'static str {
    SPINNER[app.spinner % SPINNER.len()]
}

/// Kinds of text the panes use; colour only where `NO_COLOR` is unset.
#[derive(Clone, Copy)]
pub enum Tone {
    Normal,
    Dim,
    Title,
    Selected,
    Match,
    Good,
    Warn,
    Bad,
    Key,
}

/// The style of `tone`, honouring `NO_COLOR` (bold/reverse still mark things).
pub fn style(app: &App, tone: Tone) -> Style {
    let s = Style::default();
    match (tone, app.color) {
        (Tone::Normal, _) => s,
        (Tone::Dim, true) => s.fg(Color::DarkGray),
        (Tone::Dim, false) => s.add_modifier(Modifier::DIM),
        (Tone::Title, true) => s.fg(Color::Cyan).add_modifier(Modifier::BOLD),
        (Tone::Title, false) => s.add_modifier(Modifier::BOLD),
        (Tone::Selected, true) => s.bg(Color::Blue).fg(Color::White).add_modifier(Modifier::BOLD),
        (Tone::Selected, false) => s.add_modifier(Modifier::REVERSED | Modifier::BOLD),
        (Tone::Match, true) => s.fg(Color::Yellow).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        (Tone::Match, false) => s.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        (Tone::Good, true) => s.fg(Color::Green).add_modifier(Modifier::BOLD),
        (Tone::Warn, true) => s.fg(Color::Yellow).add_modifier(Modifier::BOLD),
        (Tone::Bad, true) => s.fg(Color::Red).add_modifier(Modifier::BOLD),
        (Tone::Good | Tone::Warn | Tone::Bad, false) => s.add_modifier(Modifier::BOLD),
        (Tone::Key, true) => s.fg(Color::Cyan),
        (Tone::Key, false) => s.add_modifier(Modifier::BOLD),
    }
}

/// The style of a list row: the selection stands out most in the focused pane.
pub fn row_style(app: &App, selected: bool, focused: bool) -> Style {
    match (selected, focused) {
        (true, true) => style(app, Tone::Selected),
        (true, false) => style(app, Tone::Title),
        (false, _) => style(app, Tone::Normal),
    }
}

/// The mark before a row: an arrow on the selected one.
pub fn marker(selected: bool) -> &'static str {
    if selected { "▶ " } else { "  " }
}

/// A pane's frame: rounded border, a title, highlighted when focused.
pub fn pane_block<'a>(app: &App, title: Line<'a>, focused: bool) -> Block<'a> {
    let border = if focused { style(app, Tone::Title) } else { style(app, Tone::Dim) };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused { BorderType::Thick } else { BorderType::Rounded })
        .border_style(border)
        .title(title)
}

/// "Orders (1,512)" or "Orders · 37 of 1,512" under a filter.
pub fn count_title<T>(app: &App, name: &str, pane: &Pane<T>, focused: bool) -> Line<'static> {
    let total = pane.all().len();
    let text = match (&pane.items, &pane.filter.matches) {
        (Remote::Loaded(_), Some(m)) => {
            format!(" {name} · {} of {} ", thousands(m.rows.len()), thousands(total))
        }
        (Remote::Loaded(_), None) => format!(" {name} ({}) ", thousands(total)),
        _ => format!(" {name} "),
    };
    Line::from(Span::styled(text, if focused { style(app, Tone::Title) } else { style(app, Tone::Normal) }))
}

/// The first visible row so that `selected` is on screen, moving as little as
/// possible from where the view was last time.
pub fn window_start(selected: usize, len: usize, height: usize, last: usize) -> usize {
    if height == 0 || len == 0 {
        return 0;
    }
    let mut start = last.min(len.saturating_sub(1));
    if selected < start {
        start = selected;
    } else if selected >= start + height {
        start = selected + 1 - height;
    }
    start.min(len.saturating_sub(height))
}

/// The rows of `pane` that fit in `height`, built with `row` (row index, item, is-selected).
/// Only these rows are ever built: render cost follows the screen, not the data.
pub fn visible_rows<'a, T>(
    pane: &'a Pane<T>,
    height: usize,
    mut row: impl FnMut(&'a T, bool) -> Line<'a>,
) -> Vec<Line<'a>> {
    let len = pane.visible_len();
    let start = window_start(pane.selected, len, height, pane.scroll.get());
    pane.scroll.set(start);
    (start..len.min(start + height))
        .filter_map(|r| pane.visible(r).map(|item| row(item, r == pane.selected)))
        .collect()
}

/// One cell: sanitized, cut or padded to exactly `cols` columns, with the
/// characters the filter matched highlighted.
pub fn cell(app: &App, raw: &str, cols: usize, query: &str, base: Style) -> Vec<Span<'static>> {
    if cols == 0 {
        return Vec::new();
    }
    let clean = sanitize(raw);
    let hits = matched_chars(query, &clean);
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    let mut run = String::new();
    let mut run_hit = false;
    let chars: Vec<char> = clean.chars().collect();
    let too_long = width(&clean) > cols;
    let budget = if too_long { cols - 1 } else { cols };
    for (i, c) in chars.iter().enumerate() {
        let w = unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
        if used + w > budget {
            break;
        }
        let hit = hits.binary_search(&i).is_ok();
        if hit != run_hit && !run.is_empty() {
            spans.push(styled(app, std::mem::take(&mut run), run_hit, base));
        }
        run_hit = hit;
        run.push(*c);
        used += w;
    }
    if !run.is_empty() {
        spans.push(styled(app, run, run_hit, base));
    }
    if too_long {
        spans.push(Span::styled("…", base));
        used += 1;
    }
    if used < cols {
        spans.push(Span::styled(" ".repeat(cols - used), base));
    }
    spans
}

fn styled(app: &App, text: String, hit: bool, base: Style) -> Span<'static> {
    if hit { Span::styled(text, base.patch(style(app, Tone::Match))) } else { Span::styled(text, base) }
}

/// Draws what a pane shows when it has no rows to list: loading, failed, empty.
pub fn placeholder(f: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}

/// Frames a list pane: border and count title, the filter line at the bottom
/// when there is one. Returns the area for the rows, or `None` when the pane's
/// load state (loading, failed, empty) was drawn instead.
pub fn list_frame<T>(
    app: &App,
    f: &mut Frame,
    area: Rect,
    (name, pane, focused): (&str, &Pane<T>, bool),
    not_asked: &str,
) -> Option<Rect> {
    let block = pane_block(app, count_title(app, name, pane, focused), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let filter = filter_line(app, pane);
    let [list_area, filter_area] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Min(0),
        ratatui::layout::Constraint::Length(u16::from(filter.is_some())),
    ])
    .areas(inner);
    if let Some(line) = filter {
        f.render_widget(Paragraph::new(line), filter_area);
    }
    match state_lines(app, &pane.items, &name.to_lowercase(), not_asked) {
        Some(lines) => {
            placeholder(f, list_area, lines);
            None
        }
        None => Some(list_area),
    }
}

/// The placeholder for a remote state that is not a non-empty list; `None` when
/// there are rows to draw.
pub fn state_lines<T>(
    app: &App,
    remote: &Remote<Vec<T>>,
    what: &str,
    not_asked: &str,
) -> Option<Vec<Line<'static>>> {
    match remote {
        Remote::NotAsked => Some(vec![Line::styled(not_asked.to_string(), style(app, Tone::Dim))]),
        Remote::Loading(_) => Some(vec![Line::from(format!("{} Loading {what}…", spinner(app)))]),
        Remote::Failed(msg) => Some(failed_lines(app, msg)),
        Remote::Loaded(items) if items.is_empty() => {
            Some(vec![Line::styled(format!("No {what} here."), style(app, Tone::Dim))])
        }
        Remote::Loaded(_) => None,
    }
}

/// "✖ message" and how to retry.
pub fn failed_lines(app: &App, msg: &str) -> Vec<Line<'static>> {
    vec![
        Line::styled(format!("✖ {}", sanitize(msg)), style(app, Tone::Bad)),
        Line::from(vec![
            Span::raw("Press "),
            Span::styled("r", style(app, Tone::Key)),
            Span::raw(" to retry."),
        ]),
    ]
}

/// The filter line at the bottom of a pane: "/query▏" while typing.
pub fn filter_line<T>(app: &App, pane: &Pane<T>) -> Option<Line<'static>> {
    let f = &pane.filter;
    if !f.editing && f.query.is_empty() {
        return None;
    }
    let cursor = if f.editing { "▏" } else { "" };
    let mut spans =
        vec![Span::styled("/", style(app, Tone::Key)), Span::raw(format!("{}{cursor}", sanitize(&f.query)))];
    if pane.visible_len() == 0 && matches!(pane.items, Remote::Loaded(_)) {
        spans.push(Span::styled("  no match (Esc clears)", style(app, Tone::Warn)));
    }
    Some(Line::from(spans))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_its_place_while_the_selection_is_visible() {
        assert_eq!(window_start(5, 100, 10, 0), 0);
        assert_eq!(window_start(10, 100, 10, 0), 1);
        assert_eq!(window_start(12, 100, 10, 5), 5);
        assert_eq!(window_start(3, 100, 10, 5), 3);
        assert_eq!(window_start(99, 100, 10, 0), 90);
        assert_eq!(window_start(0, 0, 10, 7), 0);
        assert_eq!(window_start(4, 5, 10, 3), 0);
    }
}
