//! `update` for the door: opening it, its keys, a lookup's verdict and the
//! check with Floktu that follows.

use crate::guestlist::Request;
use crate::tui::app::{App, Focus, Screen};
use crate::tui::door::{Check, DoorResult, as_id, is_refusal, scan};
use crate::tui::msg::{Action, Command};

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

/// Keys in door mode.
pub(super) fn act_door(app: &mut App, action: Action) -> Vec<Command> {
    if app.help && action != Action::Quit {
        app.help = false;
        return Vec::new();
    }
    let Some(g) = app.guests.as_mut() else {
        app.screen = Screen::Browse;
        return Vec::new();
    };
    let door = &mut g.door;
    match action {
        Action::Quit => app.quit = true,
        Action::Help => app.help = true,
        Action::DoorChar(c) => {
            door.input.push(c);
            door.selected = 0;
            g.stale = true;
            app.bell |= g.settle();
        }
        Action::DoorBackspace => {
            door.input.pop();
            door.selected = 0;
            g.stale = true;
            app.bell |= g.settle();
        }
        Action::Up => door.selected = door.selected.saturating_sub(1),
        Action::Down => door.selected = (door.selected + 1).min(door.results.len().saturating_sub(1)),
        Action::DoorPrivacy => door.private = !door.private,
        Action::DoorEscape => {
            if door.input.is_empty() {
                app.screen = Screen::Browse;
            } else {
                door.input.clear();
                door.results.clear();
                door.selected = 0;
            }
        }
        Action::DoorSubmit => return submit(app),
        Action::Refresh => return reload_guests(app, false),
        Action::RefreshAll => return reload_guests(app, true),
        _ => {}
    }
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
