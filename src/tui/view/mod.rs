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

/// Draws the whole screen.
pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let [title, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
    title_bar(app, f, title);
    if app.screen == Screen::Login {
        login::render(app, f, body);
        status_bar(app, f, status);
        if app.help {
            help::render(app, f, area);
        }
        return;
    }
    if app.screen == Screen::Stats {
        stats::render(app, f, body);
        status_bar(app, f, status);
        if app.help {
            help::render(app, f, area);
        }
        return;
    }
    if app.screen == Screen::Door {
        door::render(app, f, body);
        status_bar(app, f, status);
        if app.help {
            help::render(app, f, area);
        }
        return;
    }
    if app.is_wide() {
        // Every attendee needs more room than an order does.
        let widths = match app.orders_view {
            OrdersView::Orders => [26, 34, 40],
            OrdersView::Attendees => [20, 48, 32],
        };
        let [ev, or, de] = Layout::horizontal(widths.map(Constraint::Percentage)).areas(body);
        events::render(app, f, ev, app.focus == Focus::Events);
        middle(app, f, or, app.focus == Focus::Orders);
        detail::render(app, f, de, app.focus == Focus::Detail);
    } else {
        let [crumbs, pane] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
        breadcrumb(app, f, crumbs);
        match app.focus {
            Focus::Events => events::render(app, f, pane, true),
            Focus::Orders => middle(app, f, pane, true),
            Focus::Detail => detail::render(app, f, pane, true),
        }
    }
    status_bar(app, f, status);
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

/// The keys that apply now, from the binding table, as many as fit.
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
        let need = width(&hint.keys) + width(text) + 3;
        if used + need > cols {
            break;
        }
        used += need;
        spans.push(Span::styled(hint.keys, style(app, Tone::Key)));
        spans.push(Span::styled(format!(" {text}  "), style(app, Tone::Dim)));
    }
    Line::from(spans)
}
