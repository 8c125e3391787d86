//! `update` for the guest list: loading it (cache first, then the network),
//! the attendees view and CSV exports. The door is in `door.rs`.

use std::sync::Arc;

use crate::guestlist::{GuestList, LoadEvent, Request};
use crate::output::Export;
use crate::text::thousands;
use crate::tui::app::ReqId;
use crate::tui::app::{App, Focus, Notice, OrdersView};
use crate::tui::guests::{GuestLoad, Guests};
use crate::tui::msg::{Command, Snapshot};

use super::{describe, unauthorized};

/// The guest list of the open event, asked for if it is not there or on its
/// way. Its live load runs until the event is closed.
pub(super) fn ensure_guests(app: &mut App) -> Vec<Command> {
    let Some(event) = app.open_event.clone() else { return Vec::new() };
    let mut commands = Vec::new();
    if let Some(g) = &app.guests {
        if g.event_id == event.id && g.load != GuestLoad::NotAsked {
            return commands;
        }
        commands.extend(g.awaited().map(Command::Cancel));
    }
    let req = app.next_req();
    let mut guests = Guests::new(event.id);
    guests.load = GuestLoad::Loading(req);
    guests.asked_at = Some(app.now);
    app.guests = Some(guests);
    commands.push(Command::LoadGuests { req, event_id: event.id, event_name: event.name, cache_first: true });
    commands
}

/// `r` / `R` on the guest list: the orders whose last fetch failed again, or
/// (`everything`, or when none failed) the order list and every order again.
/// What is shown stays and merges with what arrives.
pub(super) fn reload_guests(app: &mut App, everything: bool) -> Vec<Command> {
    let Some(event) = app.open_event.clone() else { return Vec::new() };
    let Some(g) = app.guests.as_mut().filter(|g| g.event_id == event.id) else {
        return ensure_guests(app);
    };
    let Some(req) = g.awaited() else { return ensure_guests(app) };
    let failed: Vec<u64> =
        g.shown.as_ref().map(|l| l.failed().iter().map(|f| f.order_id).collect()).unwrap_or_default();
    if everything || failed.is_empty() {
        g.throttled = None;
        g.asked_at = Some(app.now);
        g.last_answer = None;
        if let GuestLoad::Live(req) = g.load {
            g.load = GuestLoad::Loading(req);
        }
        return vec![Command::AskGuests { req, request: Request::RefreshAll }];
    }
    failed.into_iter().map(|id| Command::AskGuests { req, request: Request::Recheck(id) }).collect()
}

fn new_list(event_id: u64, name: &str) -> GuestList {
    let mut list = GuestList::new(event_id);
    list.set_event_name(Some(name.to_string()));
    list
}

/// The cache answered: show what it had at once; what arrives merges into it.
pub(super) fn cached(app: &mut App, req: ReqId, list: Option<Box<GuestList>>) -> Vec<Command> {
    let Some(g) = app.guests.as_mut().filter(|g| g.awaited() == Some(req)) else { return Vec::new() };
    if let Some(list) = list
        && g.shown.is_none()
    {
        g.shown = Some(*list);
        g.from_cache = true;
        g.list_changed();
    }
    Vec::new()
}

/// One step of the live load, merged into the shown list.
pub(super) fn guest_event(app: &mut App, req: ReqId, event: LoadEvent) -> Vec<Command> {
    let name = app.open_event.as_ref().map(|e| e.name.clone()).unwrap_or_default();
    let now = app.now;
    let Some(g) = app.guests.as_mut().filter(|g| g.awaited() == Some(req)) else { return Vec::new() };
    match event {
        LoadEvent::ListFailed(e) => list_failed(app, req, &e),
        LoadEvent::Throttled(t) => {
            g.throttled = Some(t);
            Vec::new()
        }
        LoadEvent::Offline(e) => {
            g.offline = Some(describe(&e));
            save(g)
        }
        LoadEvent::Online => {
            g.offline = None;
            g.last_answer = Some(now);
            Vec::new()
        }
        LoadEvent::Done => {
            g.load = GuestLoad::Live(req);
            g.from_cache = false;
            g.throttled = None;
            g.list_changed();
            save(g)
        }
        LoadEvent::LookedForNew { token, result } => {
            super::door::looked_for_new(app, token, result.is_ok());
            Vec::new()
        }
        other => {
            g.last_answer = Some(now);
            merged(app, other, &name);
            Vec::new()
        }
    }
}

/// The order list could not be fetched: offline if a list is shown (and the
/// failure is one that passes), else the load failed.
fn list_failed(app: &mut App, req: ReqId, e: &crate::api::Error) -> Vec<Command> {
    let Some(g) = app.guests.as_mut() else { return Vec::new() };
    let message = describe(e);
    if g.shown.is_some() {
        if e.is_transient() {
            g.offline = Some(message);
        }
    } else {
        g.load = GuestLoad::Failed { req, why: message };
    }
    g.door.looking = None;
    unauthorized(app, e)
}

/// The order list or an order's details arrived (or an order failed): merged
/// into the shown list, and the door told if it waited for that order.
fn merged(app: &mut App, event: LoadEvent, name: &str) {
    let Some(g) = app.guests.as_mut() else { return };
    if matches!(event, LoadEvent::Orders { .. }) {
        g.offline = None;
        if let GuestLoad::Failed { req, .. } = g.load {
            g.load = GuestLoad::Loading(req);
        }
    }
    let answered = match &event {
        LoadEvent::Order(o) => Some((o.id, true)),
        LoadEvent::Failed { order_id, .. } => Some((*order_id, false)),
        _ => None,
    };
    g.list_changed();
    let complete = !g.is_loading();
    let list = g.shown.get_or_insert_with(|| new_list(g.event_id, name));
    list.apply(event);
    if let Some((order_id, ok)) = answered {
        let data_from = list.purchase(order_id).map(|p| p.fetched_at);
        let answer = if ok { Ok(()) } else { Err(data_from) };
        app.bell |= g.door.rechecked(list, order_id, answer, complete);
    }
}

/// Saves the shown list to the cache.
fn save(g: &Guests) -> Vec<Command> {
    match &g.shown {
        Some(list) => vec![Command::SaveGuests(Snapshot(Arc::new(list.clone())))],
        None => Vec::new(),
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

/// `e`: the focused list, as filtered, to a CSV file with the columns the CLI's
/// `--csv` prints for the same list (`crate::output`).
pub(super) fn export(app: &mut App) -> Vec<Command> {
    let (name, what) = match app.focus {
        Focus::Events => ("events".into(), Export::Events(app.events.visible_items().cloned().collect())),
        Focus::Orders if app.orders_view == OrdersView::Attendees => {
            let Some(g) = &app.guests else { return nothing_to_export(app) };
            let Some(list) = &g.shown else { return nothing_to_export(app) };
            let what = Export::Guests { list: Arc::new(list.clone()), rows: g.visible() };
            (format!("attendees-{}", g.event_id), what)
        }
        Focus::Orders => (
            format!("orders-{}", app.open_event.as_ref().map_or(0, |e| e.id)),
            Export::Orders(app.orders.visible_items().cloned().collect()),
        ),
        Focus::Detail => {
            let Some((event_id, order_id)) = app.shown_order() else { return nothing_to_export(app) };
            let Some(order) = app.shown_detail().and_then(|d| d.loaded()) else {
                return nothing_to_export(app);
            };
            // The order as a guest list of its own: the same guest record as the event's.
            let mut list = GuestList::new(event_id);
            list.add_order_fetched(order.clone(), app.now);
            let rows = app
                .attendees
                .visible_items()
                .filter_map(|a| list.guests().iter().position(|g| g.attendee.attendee_id == a.attendee_id))
                .collect();
            (format!("order-{order_id}"), Export::Guests { list: Arc::new(list), rows })
        }
    };
    if what.is_empty() {
        return nothing_to_export(app);
    }
    app.notice =
        Some(Notice { text: format!("Exporting {} rows…", thousands(what.len())), is_error: false });
    vec![Command::Export { name, what }]
}

fn nothing_to_export(app: &mut App) -> Vec<Command> {
    app.notice = Some(Notice { text: "Nothing to export here".into(), is_error: true });
    Vec::new()
}

/// Enter on an attendee: their order's details in the detail pane.
pub(super) fn open_guest(app: &mut App) -> Vec<Command> {
    let Some(order_id) = app.guests.as_ref().and_then(|g| {
        let i = g.list.selected_item()?;
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
    app.orders.list.edit_query(String::clear);
    super::refilter_orders(app);
    app.orders.list.select_item(index);
    app.focus = Focus::Detail;
    let mut commands = super::orders_moved(app);
    commands.retain(|c| !matches!(c, Command::DetailAfter { .. }));
    commands.extend(super::fetch_shown_detail(app));
    commands
}
