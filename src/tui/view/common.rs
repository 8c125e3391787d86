//! Pieces every pane draws with: styles, the visible window of a list, cells
//! with highlighted matches, and the loading / failed / empty states.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use crate::search::{Query, highlight};
pub(crate) use crate::text::thousands;
use crate::text::{sanitize, width};
use crate::tui::app::{App, Pane, Remote};
use crate::tui::list::List;

/// Braille spinner frames.
const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner's current frame.
pub(crate) fn spinner(app: &App) -> &'static str {
    SPINNER[app.spinner % SPINNER.len()]
}

pub(crate) use crate::tui::theme::Tone;

/// The style of `tone` in the app's theme (bold/reverse still mark things
/// without colours: the `none` theme, `NO_COLOR`).
pub(crate) fn style(app: &App, tone: Tone) -> Style {
    if app.color { app.theme.style(tone) } else { crate::tui::theme::mono(tone) }
}

/// The style of a list row: the selection stands out most in the focused pane.
pub(crate) fn row_style(app: &App, selected: bool, focused: bool) -> Style {
    match (selected, focused) {
        (true, true) => style(app, Tone::Selected),
        (true, false) => style(app, Tone::Title),
        (false, _) => style(app, Tone::Normal),
    }
}

/// The mark before a row: an arrow on the selected one.
pub(crate) fn marker(selected: bool) -> &'static str {
    if selected { "▶ " } else { "  " }
}

/// A pane's frame: rounded border, a title, highlighted when focused.
pub(crate) fn pane_block<'a>(app: &App, title: Line<'a>, focused: bool) -> Block<'a> {
    let border = if focused { style(app, Tone::Title) } else { style(app, Tone::Dim) };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused { BorderType::Thick } else { BorderType::Rounded })
        .border_style(border)
        .title(title)
}

/// "Orders (1,512)" or "Orders · 37 of 1,512" under a filter; just "Orders"
/// while the list is not there.
pub(crate) fn count_title(app: &App, name: &str, list: &List, loaded: bool, focused: bool) -> Line<'static> {
    let total = list.total();
    let sorted = match list.sort() {
        Some(s) => format!("· by {} {} ", s.key.label(), if s.reverse { "↓" } else { "↑" }),
        None => String::new(),
    };
    let text = match (loaded, list.is_filtered()) {
        (true, true) => {
            format!(" {name} · {} of {} {sorted}", thousands(list.visible_len()), thousands(total))
        }
        (true, false) => format!(" {name} ({}) {sorted}", thousands(total)),
        (false, _) => format!(" {name} "),
    };
    Line::from(Span::styled(text, if focused { style(app, Tone::Title) } else { style(app, Tone::Normal) }))
}

/// The rows of `pane` that fit in `height`, built with `row` (item, is-selected).
/// Only these rows are ever built: render cost follows the screen, not the data.
pub(crate) fn visible_rows<'a, T>(
    pane: &'a Pane<T>,
    height: usize,
    mut row: impl FnMut(&'a T, bool) -> Line<'a>,
) -> Vec<Line<'a>> {
    let selected = pane.list.selected();
    pane.list.window(height).filter_map(|r| pane.visible(r).map(|item| row(item, r == selected))).collect()
}

/// One cell: sanitized, cut or padded to exactly `cols` columns, with the
/// characters the filter matched highlighted.
pub(crate) fn cell<Q: Highlights + ?Sized>(
    app: &App,
    raw: &str,
    cols: usize,
    query: &Q,
    base: Style,
) -> Vec<Span<'static>> {
    if cols == 0 {
        return Vec::new();
    }
    let clean = sanitize(raw);
    let query = query.as_query();
    let hits = if query.is_empty() { Vec::new() } else { highlight(&query, &clean) };
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

/// What a cell highlights: a parsed query (a list's), or text typed (parsed here).
pub(crate) trait Highlights {
    /// The query to highlight.
    fn as_query(&self) -> Cow<'_, Query>;
}

impl Highlights for Query {
    fn as_query(&self) -> Cow<'_, Query> {
        Cow::Borrowed(self)
    }
}

impl Highlights for str {
    fn as_query(&self) -> Cow<'_, Query> {
        Cow::Owned(Query::parse(self))
    }
}

impl Highlights for String {
    fn as_query(&self) -> Cow<'_, Query> {
        Cow::Owned(Query::parse(self))
    }
}

fn styled(app: &App, text: String, hit: bool, base: Style) -> Span<'static> {
    if hit { Span::styled(text, base.patch(style(app, Tone::Match))) } else { Span::styled(text, base) }
}

/// Draws what a pane shows when it has no rows to list: loading, failed, empty.
pub(crate) fn placeholder(f: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}

/// Frames a list pane: border and count title, the filter line at the bottom
/// when there is one (with `note` after it: what the filter cannot know yet). Returns the area for the rows, or `None` when the pane's
/// load state (loading, failed, empty) was drawn instead.
pub(crate) fn list_frame<T>(
    app: &App,
    f: &mut Frame,
    area: Rect,
    (name, pane, focused): (&str, &Pane<T>, bool),
    not_asked: &str,
    note: Option<String>,
) -> Option<Rect> {
    let loaded = matches!(pane.items, Remote::Loaded(_));
    let block = pane_block(app, count_title(app, name, &pane.list, loaded, focused), focused);
    f.render_widget(block, area);
    let mut filter = filter_line(app, &pane.list, loaded);
    if let (Some(line), Some(note)) = (filter.as_mut(), note) {
        line.spans.push(Span::styled(format!("  {note}"), style(app, Tone::Warn)));
    }
    let [list_area, filter_area] = list_split(&pane.list, area);
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

/// The rows' area and the filter line's area of a list pane drawn in `area`
/// (inside its border; the filter line while there is a filter).
fn list_split(list: &List, area: Rect) -> [Rect; 2] {
    let inner = Block::default().borders(Borders::ALL).inner(area);
    let filtered = list.editing || !list.query().is_empty();
    ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Min(0),
        ratatui::layout::Constraint::Length(u16::from(filtered)),
    ])
    .areas(inner)
}

/// Where a list pane drawn in `area` shows its rows, when it shows rows.
pub(crate) fn list_rows_area<T>(pane: &Pane<T>, area: Rect) -> Option<Rect> {
    matches!(&pane.items, Remote::Loaded(items) if !items.is_empty()).then(|| list_split(&pane.list, area)[0])
}

/// The placeholder for a remote state that is not a non-empty list; `None` when
/// there are rows to draw.
pub(crate) fn state_lines<T>(
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
pub(crate) fn failed_lines(app: &App, msg: &str) -> Vec<Line<'static>> {
    vec![
        Line::styled(format!("✖ {}", sanitize(msg)), style(app, Tone::Bad)),
        Line::from(vec![
            Span::raw("Press "),
            Span::styled("r", style(app, Tone::Key)),
            Span::raw(" to retry."),
        ]),
    ]
}

/// The filter line at the bottom of a list: "/query▏" while typing, and
/// "no match" when a loaded list shows nothing.
pub(crate) fn filter_line(app: &App, list: &List, loaded: bool) -> Option<Line<'static>> {
    if !list.editing && list.query().is_empty() {
        return None;
    }
    let cursor = if list.editing { "▏" } else { "" };
    let mut spans = vec![
        Span::styled("/", style(app, Tone::Key)),
        Span::raw(format!("{}{cursor}", sanitize(list.query()))),
    ];
    if let Some(unknown) = list.parsed().unknown().first() {
        spans.push(Span::styled(
            format!("  unknown filter {} — try {}", sanitize(unknown), crate::search::QUALIFIERS),
            style(app, Tone::Warn),
        ));
    } else if loaded && list.visible_len() == 0 && list.total() > 0 {
        spans.push(Span::styled("  no match (Esc clears)", style(app, Tone::Warn)));
    }
    Some(Line::from(spans))
}
