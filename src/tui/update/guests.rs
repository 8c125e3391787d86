//! `update` for the guest list: loading it (cache first, then the network),
//! the attendees view, door mode and CSV exports.

use std::sync::Arc;

use crate::guestlist::{GuestList, LoadEvent};
use crate::text::thousands;
use crate::tui::app::{App, Focus, Notice, OrdersView, Screen};
use crate::tui::guests::{DoorResult, GuestLoad, Guests, as_id};
use crate::tui::msg::{Action, Command, Snapshot};

use super::{describe, unauthorized};

/// The guest list of the open event, asked for if it is not there or on its way.
pub(super) fn ensure_guests(app: &mut App) -> Vec<Command> {
    let Some(event) = app.open_event.clone() else { return Vec::new() };
    if let Some(g) = &app.guests
        && g.event_id == event.id
        && !matches!(g.load, GuestLoad::NotAsked | GuestLoad::Failed(_))
    {
        return Vec::new();
    }
    let req = app.next_req();
    let mut guests = Guests::new(event.id);
    guests.load = GuestLoad::Loading(req);
    app.guests = Some(guests);
    vec![Command::LoadGuests { req, event_id: event.id, event_name: event.name, cache_first: true }]
}

/// Reloads the guest list from the network, keeping what is shown until the
/// fresh list is complete; or fetches again only the orders that failed.
pub(super) fn reload_guests(app: &mut App, only_failed: bool) -> Vec<Command> {
    let Some(event) = app.open_event.clone() else { return Vec::new() };
    let req = app.next_req();
    let Some(g) = app.guests.as_mut().filter(|g| g.event_id == event.id) else {
        return ensure_guests(app);
    };
    let mut commands: Vec<Command> = g.awaited().map(Command::Cancel).into_iter().collect();
    g.load = GuestLoad::Loading(req);
    g.offline = None;
    g.throttled = None;
    let failed: Vec<u64> =
        g.shown.as_ref().map(|l| l.failed().iter().map(|f| f.order_id).collect()).unwrap_or_default();
    if only_failed && !failed.is_empty() {
        g.incoming = None;
        commands.push(Command::RetryGuests { req, event_id: event.id, order_ids: failed });
    } else {
        g.incoming = g.shown.is_some().then(|| new_list(event.id, &event.name));
        commands.push(Command::LoadGuests {
            req,
            event_id: event.id,
            event_name: event.name,
            cache_first: false,
        });
    }
    commands
}

fn new_list(event_id: u64, name: &str) -> GuestList {
    let mut list = GuestList::new(event_id);
    list.set_event_name(Some(name.to_string()));
    list
}

/// The cache answered: show what it had at once.
pub(super) fn cached(
    app: &mut App,
    req: crate::tui::app::ReqId,
    list: Option<Box<GuestList>>,
) -> Vec<Command> {
    let name = app.open_event.as_ref().map(|e| e.name.clone()).unwrap_or_default();
    let Some(g) = app.guests.as_mut().filter(|g| g.awaited() == Some(req)) else { return Vec::new() };
    if let Some(list) = list {
        g.shown = Some(*list);
        g.from_cache = true;
        g.incoming = Some(new_list(g.event_id, &name));
        g.stale = true;
    }
    Vec::new()
}

/// One step of a load: applied to the fresh list being built (behind a cached
/// one), or to the shown list when there was nothing cached.
pub(super) fn guest_event(app: &mut App, req: crate::tui::app::ReqId, event: LoadEvent) -> Vec<Command> {
    let name = app.open_event.as_ref().map(|e| e.name.clone()).unwrap_or_default();
    let Some(g) = app.guests.as_mut().filter(|g| g.awaited() == Some(req)) else { return Vec::new() };
    match event {
        LoadEvent::ListFailed(e) => {
            let message = describe(&e);
            g.incoming = None;
            if g.shown.is_some() {
                g.offline = Some(message);
                g.load = GuestLoad::Done;
            } else {
                g.load = GuestLoad::Failed(message);
            }
            unauthorized(app, &e)
        }
        LoadEvent::Throttled(t) => {
            g.throttled = Some(t);
            Vec::new()
        }
        LoadEvent::Done => {
            if let Some(fresh) = g.incoming.take() {
                g.shown = Some(fresh);
                g.from_cache = false;
            }
            let Some(shown) = g.shown.as_mut() else {
                g.load = GuestLoad::Done;
                return Vec::new();
            };
            shown.apply(LoadEvent::Done);
            g.load = GuestLoad::Done;
            g.offline = None;
            g.throttled = None;
            g.stale = true;
            vec![Command::SaveGuests(Snapshot(Arc::new(shown.clone())))]
        }
        other => {
            let target = match g.incoming.as_mut() {
                Some(incoming) => incoming,
                None => {
                    g.stale = true;
                    g.shown.get_or_insert_with(|| new_list(g.event_id, &name))
                }
            };
            target.apply(other);
            Vec::new()
        }
    }
}

/// `a`: orders ↔ every attendee of the event.
pub(super) fn toggle_attendees(app: &mut App) -> Vec<Command> {
    if app.open_event.is_none() {
        app.notice = Some(Notice { text: "Open an event first (Enter)".into(), is_error: true });
        return Vec::new();
    }
    app.focus = Focus::Orders;
    app.orders_view = match app.orders_view {
        OrdersView::Orders => OrdersView::Attendees,
        OrdersView::Attendees => OrdersView::Orders,
    };
    if app.orders_view == OrdersView::Attendees { ensure_guests(app) } else { Vec::new() }
}

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
            door.refresh(g.shown.as_ref());
        }
        Action::DoorBackspace => {
            door.input.pop();
            door.selected = 0;
            door.refresh(g.shown.as_ref());
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
        Action::DoorSubmit => {
            // The list may have changed since the matches were found (a refresh
            // that landed in this batch): find them again, as the frame would.
            g.settle();
            let door = &mut g.door;
            let asked = door.input.trim().to_string();
            if asked.is_empty() {
                return Vec::new();
            }
            let list = g.shown.as_ref();
            // A scan (digits + Enter) is an exact id lookup; typing picks the highlighted match.
            let found = match (as_id(&asked), list) {
                (Some(id), Some(list)) => list.lookup_id(id).first().copied(),
                (None, Some(_)) => door.results.get(door.selected).copied(),
                (_, None) => None,
            };
            door.result = Some(match (found, list) {
                (Some(i), Some(list)) => DoorResult::Guest {
                    attendee_id: list.guests()[i].attendee.attendee_id,
                    verdict: list.verdict(i),
                    asked,
                },
                _ => DoorResult::NotFound { asked },
            });
            door.input.clear();
            door.results.clear();
            door.selected = 0;
        }
        Action::Refresh | Action::RefreshAll => return reload_guests(app, false),
        _ => {}
    }
    Vec::new()
}

/// `e`: the focused list, as filtered, to a CSV file.
pub(super) fn export(app: &mut App) -> Vec<Command> {
    let (name, headers, rows): (String, Vec<&str>, Vec<Vec<String>>) = match app.focus {
        Focus::Events => (
            "events".into(),
            vec!["id", "name"],
            app.events.visible_items().map(|e| vec![e.id.to_string(), e.name.clone()]).collect(),
        ),
        Focus::Orders if app.orders_view == OrdersView::Attendees => {
            let Some(g) = &app.guests else { return nothing_to_export(app) };
            let Some(list) = &g.shown else { return nothing_to_export(app) };
            let rows = g
                .visible()
                .into_iter()
                .filter_map(|i| list.guests().get(i))
                .map(|guest| {
                    let order = [guest.order.id.to_string(), guest.order.status.as_str().to_string()];
                    attendee_row(&guest.attendee, guest.email(), &order)
                })
                .collect();
            let headers = [&ATTENDEE_HEADERS[..6], &["order_id", "status"], &ATTENDEE_HEADERS[6..]].concat();
            (format!("attendees-{}", g.event_id), headers, rows)
        }
        Focus::Orders => (
            format!("orders-{}", app.open_event.as_ref().map_or(0, |e| e.id)),
            vec!["id", "first_name", "last_name", "email"],
            app.orders
                .visible_items()
                .map(|o| vec![o.id.to_string(), o.first_name.clone(), o.last_name.clone(), o.email.clone()])
                .collect(),
        ),
        Focus::Detail => {
            let Some((_, order_id)) = app.shown_order() else { return nothing_to_export(app) };
            let purchaser = app.shown_detail().and_then(|d| d.loaded()).map_or("", |o| o.email.as_str());
            let rows =
                app.attendees.visible_items().map(|a| attendee_row(a, a.email_or(purchaser), &[])).collect();
            (format!("order-{order_id}"), ATTENDEE_HEADERS.to_vec(), rows)
        }
    };
    if rows.is_empty() {
        return nothing_to_export(app);
    }
    app.notice =
        Some(Notice { text: format!("Exporting {} rows…", thousands(rows.len())), is_error: false });
    vec![Command::Export { name, headers: headers.into_iter().map(String::from).collect(), rows }]
}

/// The columns of an exported attendee; an attendees-view export puts the order's
/// id and status after `ticket`.
const ATTENDEE_HEADERS: [&str; 8] =
    ["attendee_id", "first_name", "last_name", "company", "ticket_group", "ticket", "email", "checked_in"];

/// One exported attendee, with `order` columns (if any) after the ticket.
fn attendee_row(a: &crate::api::Attendee, email: &str, order: &[String]) -> Vec<String> {
    let mut row = vec![
        a.attendee_id.to_string(),
        a.first_name.clone(),
        a.last_name.clone(),
        a.company.clone().unwrap_or_default(),
        a.ticket_group.clone().unwrap_or_default(),
        a.ticket.clone(),
    ];
    row.extend(order.iter().cloned());
    row.push(email.to_string());
    row.push(a.check_in.as_ref().map(|c| c.raw.clone()).unwrap_or_default());
    row
}

fn nothing_to_export(app: &mut App) -> Vec<Command> {
    app.notice = Some(Notice { text: "Nothing to export here".into(), is_error: true });
    Vec::new()
}

/// Enter on an attendee: their order's details in the detail pane.
pub(super) fn open_guest(app: &mut App) -> Vec<Command> {
    let Some(order_id) = app.guests.as_ref().and_then(|g| {
        let i = g.guest_at(g.selected)?;
        g.shown.as_ref()?.guests().get(i).map(|guest| guest.order.id)
    }) else {
        return Vec::new();
    };
    let Some(index) = app.orders.all().iter().position(|o| o.id == order_id) else {
        app.notice = Some(Notice {
            text: "That order is not in the order list (yet); press r".into(),
            is_error: true,
        });
        return Vec::new();
    };
    if !app.orders.filter.query.is_empty() {
        app.orders.filter.query.clear();
        app.orders.refilter(&mut app.searcher, false);
    }
    app.orders.selected = index;
    app.focus = Focus::Detail;
    let mut commands = super::orders_moved(app);
    commands.retain(|c| !matches!(c, Command::DetailAfter { .. }));
    commands.extend(super::fetch_shown_detail(app));
    commands
}
