//! `update` for the door: opening it, its keys, a lookup's verdict and the
//! check with Floktu that follows.

use crate::guestlist::Request;
use crate::tui::app::{App, Focus, Notice, Screen};
use crate::tui::door::{Check, DoorResult, as_id, is_refusal, scan};
use crate::tui::msg::{Command, DoorAction};

use super::guests::{ensure_guests, reload_guests};

/// `d`: door mode for the open event, or the event selected in the events pane.
pub(super) fn open_door(app: &mut App) -> Vec<Command> {
    let mut commands = Vec::new();
    if app.focus == Focus::Events {
        let Some(event) = app.events.selected_item().cloned() else { return Vec::new() };
        if app.open_event.as_ref().map(|e| e.id) != Some(event.id) {
            commands.extend(super::open_event(app, event));
        }
        app.focus = Focus::Orders;
    }
    if app.open_event.is_none() {
        return commands;
    }
    app.screen = Screen::Door;
    commands.extend(ensure_guests(app));
    commands
}

/// Keys in door mode (the binding table's `DoorAction`s). Printable keys come
/// as `type_char`; Quit, Help and Redraw are handled for every screen.
pub(super) fn act_door(app: &mut App, action: DoorAction) -> Vec<Command> {
    let Some(g) = app.guests.as_mut() else {
        app.screen = Screen::Browse;
        return Vec::new();
    };
    let door = &mut g.door;
    match action {
        DoorAction::Backspace => {
            door.input.pop();
            door.selected = 0;
            g.stale = true;
            app.bell |= g.settle();
        }
        DoorAction::Up => door.selected = door.selected.saturating_sub(1),
        DoorAction::Down => door.selected = (door.selected + 1).min(door.results.len().saturating_sub(1)),
        DoorAction::Privacy => door.private = !door.private,
        DoorAction::Clear => {
            door.input.clear();
            door.results.clear();
            door.selected = 0;
        }
        DoorAction::Submit => return submit(app),
        DoorAction::Refresh => return reload_guests(app, false),
        DoorAction::Leave => return leave(app),
        DoorAction::Undo => return undo(app),
    }
    Vec::new()
}

/// A character typed or scanned at the door.
pub(super) fn type_char(app: &mut App, c: char) -> Vec<Command> {
    let Some(g) = app.guests.as_mut() else {
        app.screen = Screen::Browse;
        return Vec::new();
    };
    g.door.input.push(c);
    g.door.selected = 0;
    g.stale = true;
    app.bell |= g.settle();
    Vec::new()
}

/// F10 / Ctrl-Q: back to the lists.
pub(super) fn leave(app: &mut App) -> Vec<Command> {
    app.screen = Screen::Browse;
    Vec::new()
}

/// Ctrl-Z: undo this gate's last admission. The TUI door records no admission yet.
pub(super) fn undo(app: &mut App) -> Vec<Command> {
    app.notice = Some(Notice { text: "Nothing to undo".into(), is_error: false });
    Vec::new()
}

/// Enter at the door: the verdict at once from what is known, then a check
/// with Floktu — the guest's order fetched again, or, for a scan that matches
/// nobody, the order list and any new orders.
fn submit(app: &mut App) -> Vec<Command> {
    let token = app.next_req().0;
    let Some(g) = app.guests.as_mut() else { return Vec::new() };
    // The list may have changed since the matches were found (a refresh that
    // landed in this batch): find them again, as the frame would.
    g.settle();
    let asked = g.door.input.trim().to_string();
    if asked.is_empty() {
        return Vec::new();
    }
    let req = g.awaited();
    let offline = g.offline.is_some() || req.is_none();
    let loading = g.is_loading();
    let door = &mut g.door;
    let picked = door.results.get(door.selected).copied();
    door.input.clear();
    door.results.clear();
    door.selected = 0;
    door.rechecking = None;
    door.looking = None;
    let Some(list) = g.shown.as_ref() else {
        door.result = Some(DoorResult::NotFound { asked, check: Check::Incomplete });
        return Vec::new();
    };
    // A scan (digits + Enter) is an exact id lookup; typing picks the highlighted match.
    let found = if as_id(&asked).is_some() { scan(list, &asked) } else { picked };
    let mut commands = Vec::new();
    door.result = Some(match found {
        Some(i) => {
            let guest = &list.guests()[i];
            let verdict = list.verdict(i);
            app.bell |= is_refusal(&verdict);
            let check = if offline {
                Check::Offline { data_from: Some(guest.order.fetched_at) }
            } else {
                Check::Checking
            };
            if let Some(req) = req {
                door.rechecking = Some(guest.order.id);
                commands.push(Command::AskGuests { req, request: Request::Recheck(guest.order.id) });
            }
            DoorResult::Guest { attendee_id: guest.attendee.attendee_id, verdict, asked, check }
        }
        None => {
            let listed_order =
                as_id(&asked).filter(|id| list.order_list().is_some_and(|ids| ids.contains(id)));
            let check = match (&req, offline) {
                (Some(_), false) => Check::Checking,
                _ if loading => Check::Incomplete,
                _ => Check::Offline { data_from: list.freshness().oldest },
            };
            if let Some(req) = req {
                if let Some(order_id) = listed_order {
                    // An order listed but not fetched yet: fetch it now.
                    door.rechecking = Some(order_id);
                    commands.push(Command::AskGuests { req, request: Request::Recheck(order_id) });
                } else if as_id(&asked).is_some() {
                    door.looking = Some(token);
                    commands.push(Command::AskGuests { req, request: Request::LookForNew(token) });
                }
            }
            if commands.is_empty() && !loading {
                app.bell = true;
            }
            DoorResult::NotFound { asked, check }
        }
    });
    commands
}

/// Floktu was asked for new orders for the NOT FOUND on screen: judge again.
pub(super) fn looked_for_new(app: &mut App, token: u64, answered: bool) {
    let Some(g) = app.guests.as_mut() else { return };
    let complete = !g.is_loading();
    let Some(list) = g.shown.as_ref() else {
        g.door.looking = None;
        return;
    };
    app.bell |= g.door.looked(list, token, answered, complete);
}
