//! Drawing: a title bar, the panes (side by side when wide, the focused one
//! with a breadcrumb when narrow), a status bar, and overlays. No side effects.

pub mod attendees;
mod common;
pub mod detail;
pub mod door;
pub mod events;
pub mod help;
pub mod login;
pub mod orders;
pub mod stats;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use common::{Tone, spinner, style};

use crate::text::{sanitize, truncate, width};
use crate::tui::app::{App, Focus, OrdersView, Screen};
use crate::tui::keymap;
use crate::tui::msg::{Action, LoginAction};

/// Where the parts of the screen are: what `render` draws into, and what a
/// mouse click is matched against (`update`), from one function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Areas {
    /// The title bar.
    pub title: Rect,
    /// Between the title and the status bar.
    pub body: Rect,
    /// The status bar (notice, hints).
    pub status: Rect,
    /// The breadcrumb above the one pane of a narrow screen.
    pub crumbs: Option<Rect>,
    /// The list panes shown, by the focus each stands for.
    pub panes: Vec<(Focus, Rect)>,
}

/// The screen's parts for `app` in `area`: pure, so `update` can ask it too.
pub fn layout(app: &App, area: Rect) -> Areas {
    let [title, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
    let mut areas = Areas { title, body, status, crumbs: None, panes: Vec::new() };
    if app.screen != Screen::Browse {
        return areas;
    }
    if app.is_wide() {
        // Every attendee needs more room than an order does.
        let widths = match app.orders_view {
            OrdersView::Orders => [26, 34, 40],
            OrdersView::Attendees => [20, 48, 32],
        };
        let [ev, or, de] = Layout::horizontal(widths.map(Constraint::Percentage)).areas(body);
        areas.panes = vec![(Focus::Events, ev), (Focus::Orders, or), (Focus::Detail, de)];
    } else {
        let [crumbs, pane] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
        areas.crumbs = Some(crumbs);
        areas.panes = vec![(app.focus, pane)];
    }
    areas
}

/// The rows of the list in the pane for `focus` drawn in `area`, when it
/// shows rows (the same areas the panes draw them in).
pub fn list_area(app: &App, focus: Focus, area: Rect) -> Option<Rect> {
    match (focus, app.orders_view) {
        (Focus::Events, _) => common::list_rows_area(&app.events, area),
        (Focus::Orders, OrdersView::Orders) => common::list_rows_area(&app.orders, area),
        (Focus::Orders, OrdersView::Attendees) => attendees::list_area(app, area),
        (Focus::Detail, _) => detail::list_area(app, area),
    }
}

/// Draws the whole screen.
pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let areas = layout(app, area);
    title_bar(app, f, areas.title);
    match app.screen {
        Screen::Login => login::render(app, f, areas.body),
        Screen::Door => door::render(app, f, areas.body),
        Screen::Stats => stats::render(app, f, areas.body),
        Screen::Browse => {
            if let Some(crumbs) = areas.crumbs {
                breadcrumb(app, f, crumbs);
            }
            for &(focus, pane) in &areas.panes {
                let focused = app.focus == focus;
                match focus {
                    Focus::Events => events::render(app, f, pane, focused),
                    Focus::Orders => middle(app, f, pane, focused),
                    Focus::Detail => detail::render(app, f, pane, focused),
                }
            }
        }
    }
    status_bar(app, f, areas.status);
    if app.help {
        help::render(app, f, area);
    }
}

/// The middle pane: the open event's orders, or all its attendees (`a`).
fn middle(app: &App, f: &mut Frame, area: Rect, focused: bool) {
    match app.orders_view {
        OrdersView::Orders => orders::render(app, f, area, focused),
        OrdersView::Attendees => attendees::render(app, f, area, focused),
    }
}

fn title_bar(app: &App, f: &mut Frame, area: Rect) {
    let mut spans = vec![
        Span::styled(" floktu ", style(app, Tone::Title)),
        Span::styled(format!(" {} ", sanitize(&app.host)), style(app, Tone::Dim)),
    ];
    if app.demo {
        spans.push(Span::styled(" DEMO ", style(app, Tone::Warn)));
    }
    if app.is_busy() {
        spans.push(Span::raw(format!(" {} loading", spinner(app))));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Events › Event name › Order: where the one visible pane sits.
fn breadcrumb(app: &App, f: &mut Frame, area: Rect) {
    let mut parts = vec!["Events".to_string()];
    if matches!(app.focus, Focus::Orders | Focus::Detail)
        && let Some(e) = &app.open_event
    {
        parts.push(sanitize(&e.name).into_owned());
    }
    if app.focus == Focus::Detail
        && let Some(o) = app.orders.selected_item()
    {
        parts.push(sanitize(&o.display_name()).into_owned());
    }
    let text = format!(" {}", parts.join(" › "));
    let line = truncate(&text, usize::from(area.width)).into_owned();
    f.render_widget(Paragraph::new(Line::styled(line, style(app, Tone::Dim))), area);
}

fn status_bar(app: &App, f: &mut Frame, area: Rect) {
    if app.confirm_logout {
        let ask = format!(" Log out of {} and forget its cached guest lists? y/n", sanitize(&app.host));
        return f.render_widget(Paragraph::new(Line::styled(ask, style(app, Tone::Warn))), area);
    }
    let line = match &app.notice {
        Some(n) => {
            let tone = if n.is_error { Tone::Bad } else { Tone::Good };
            Line::styled(format!(" {}", sanitize(&n.text)), style(app, tone))
        }
        None => key_hints(app, usize::from(area.width)),
    };
    f.render_widget(Paragraph::new(line), area);
}

/// The keys that apply now, from the binding table: the most important (lowest
/// rank) that fit whole in `cols`; the rest are left out, never cut.
fn key_hints(app: &App, cols: usize) -> Line<'static> {
    let hints = app.keys.hints(keymap::layers(app));
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for hint in hints {
        let text = match hint.action {
            Action::Login(LoginAction::Escape) if !app.login.can_go_back => "quit",
            Action::Login(LoginAction::Escape) => "back",
            _ => hint.text,
        };
        let gap = if used > 1 { 2 } else { 0 };
        let need = gap + width(&hint.keys) + 1 + width(text);
        if used + need > cols {
            break;
        }
        used += need;
        if gap > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(hint.keys, style(app, Tone::Key)));
        spans.push(Span::styled(format!(" {text}"), style(app, Tone::Dim)));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn the_hints_fit_whole_and_drop_the_least_important_first() {
        let mut app = App::new("h".into(), false);
        app.screen = Screen::Door;
        let all = text(&key_hints(&app, 500));
        assert!(all.ends_with("F1 help"), "{all}");
        // Exactly as wide as every hint: every hint shows, the last one too.
        assert_eq!(text(&key_hints(&app, width(&all))), all);
        // One column less: the last (least important) hint goes, whole.
        let fewer = text(&key_hints(&app, width(&all) - 1));
        assert!(all.starts_with(&fewer) && fewer.ends_with("refresh"), "{fewer}");
        for cols in 0..width(&all) {
            let shown = text(&key_hints(&app, cols));
            assert!(width(&shown) <= cols.max(1), "{cols}: {shown}");
            assert!(all.starts_with(&shown), "{cols}: {shown}");
            let rest = &all[shown.len()..];
            let whole = shown.trim().is_empty() || rest.is_empty() || rest.starts_with("  ");
            assert!(whole, "a hint was cut at {cols}: {shown}");
        }
    }
}
