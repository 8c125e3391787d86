//! The mouse (`mouse = true`): the wheel scrolls the list under the pointer, a
//! click on a row selects it, a click on a pane focuses it. Where panes and
//! rows are comes from the view's own `layout` and `list_area`, for the size
//! the terminal last said, and the first row the list showed last frame.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use crate::tui::app::{App, Focus, Screen};
use crate::tui::msg::{Action, BrowseAction, Command, DoorAction};
use crate::tui::view;

/// Rows a notch of the wheel moves.
const WHEEL_ROWS: isize = 3;

pub(super) fn mouse(app: &mut App, event: MouseEvent) -> Vec<Command> {
    let at = Position { x: event.column, y: event.row };
    match event.kind {
        MouseEventKind::ScrollDown => wheel(app, at, true),
        MouseEventKind::ScrollUp => wheel(app, at, false),
        MouseEventKind::Down(MouseButton::Left) => click(app, at),
        _ => Vec::new(),
    }
}

/// The pane under `at`, and where it is drawn.
fn pane_at(app: &App, at: Position) -> Option<(Focus, Rect)> {
    let screen = Rect::new(0, 0, app.width, app.height);
    view::layout(app, screen).panes.into_iter().find(|(_, area)| area.contains(at))
}

/// The wheel: the list under the pointer moves, the focus stays. Over the
/// help, or in the door (its matches), it does what ↓ ↑ do there.
fn wheel(app: &mut App, at: Position, down: bool) -> Vec<Command> {
    let arrow = match (app.screen, down) {
        (Screen::Door, true) => Action::Door(DoorAction::Down),
        (Screen::Door, false) => Action::Door(DoorAction::Up),
        (_, true) => Action::Browse(BrowseAction::Down),
        (_, false) => Action::Browse(BrowseAction::Up),
    };
    if app.help || app.screen == Screen::Door {
        return super::act(app, arrow);
    }
    let Some((pane, _)) = pane_at(app, at).filter(|_| app.screen == Screen::Browse) else {
        return Vec::new();
    };
    let rows = if down { WHEEL_ROWS } else { -WHEEL_ROWS };
    let focused = std::mem::replace(&mut app.focus, pane);
    let commands = super::move_selection(app, |list, _| list.move_by(rows));
    app.focus = focused;
    commands
}

/// A click: closes the help; on a pane, focuses it; on a row, selects it.
fn click(app: &mut App, at: Position) -> Vec<Command> {
    if app.help {
        return super::act(app, Action::Help);
    }
    if app.screen != Screen::Browse {
        return Vec::new();
    }
    let Some((pane, area)) = pane_at(app, at).filter(|(pane, _)| can_focus(app, *pane)) else {
        return Vec::new();
    };
    app.notice = None;
    app.focus = pane;
    let Some(rows) = view::list_area(app, pane, area).filter(|rows| rows.contains(at)) else {
        return Vec::new();
    };
    let Some(first) = super::with_focused(app, |list| list.first_shown()) else {
        return Vec::new();
    };
    let row = first + usize::from(at.y - rows.y);
    super::move_selection(app, |list, _| {
        if row < list.visible_len() {
            list.move_by(row as isize - list.selected() as isize);
        }
    })
}

/// A pane can have the keyboard once it has something to show: the orders
/// once an event is open, the detail once an order is highlighted.
fn can_focus(app: &App, pane: Focus) -> bool {
    match pane {
        Focus::Events => true,
        Focus::Orders => app.open_event.is_some(),
        Focus::Detail => app.shown_order().is_some(),
    }
}
