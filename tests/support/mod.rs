//! Fixtures shared by the TUI tests: small builders, and an app driven into a
//! state through `update` exactly as the loop would.
#![allow(dead_code)]

pub mod cli;
pub mod pg_proxy;
pub mod pty;

use floktu_tui::api::{Answer, Attendee, Decoded, Event, Order, OrderSummary, Status};
use floktu_tui::tui::app::{App, ReqId};
use floktu_tui::tui::msg::{Action, BrowseAction, Command, Msg};
use floktu_tui::tui::update::{init, update};

pub fn event(id: u64, name: &str) -> Event {
    Event { id, name: name.into() }
}

pub fn order_summary(id: u64, first: &str, email: &str) -> OrderSummary {
    OrderSummary { id, email: email.into(), first_name: first.into(), last_name: "Lee".into() }
}

pub fn attendee(id: u64, first: &str, email: Option<&str>) -> Attendee {
    Attendee {
        attendee_id: id,
        ticket_group: None,
        ticket: "GA".into(),
        check_in: None,
        first_name: first.into(),
        last_name: "Lee".into(),
        company: None,
        answers: email
            .map(|e| vec![Answer { question: "Email".into(), answer: Some(e.into()) }])
            .unwrap_or_default(),
    }
}

pub fn order(id: u64, email: &str, attendees: Vec<Attendee>) -> Order {
    Order {
        id,
        name: "Ann Lee".into(),
        email: email.into(),
        order_amount: None,
        amount_paid: None,
        voucher: None,
        status: Status::Confirmed,
        attendees,
        skipped_attendees: Vec::new(),
    }
}

pub fn decoded<T>(items: Vec<T>) -> Decoded<T> {
    Decoded { items, skipped: Vec::new() }
}

pub fn act(app: &mut App, action: Action) -> Vec<Command> {
    update(app, Msg::Action(action))
}

/// The request id of the only command of the given kind.
pub fn req_of(commands: &[Command], pick: impl Fn(&Command) -> Option<ReqId>) -> ReqId {
    let found: Vec<ReqId> = commands.iter().filter_map(pick).collect();
    assert_eq!(found.len(), 1, "{commands:?}");
    found[0]
}

pub fn events_req(c: &[Command]) -> ReqId {
    req_of(c, |c| match c {
        Command::FetchEvents { req } => Some(*req),
        _ => None,
    })
}

pub fn orders_req(c: &[Command]) -> ReqId {
    req_of(c, |c| match c {
        Command::FetchOrders { req, .. } => Some(*req),
        _ => None,
    })
}

pub fn order_req(c: &[Command]) -> ReqId {
    req_of(c, |c| match c {
        Command::FetchOrder { req, .. } => Some(*req),
        _ => None,
    })
}

/// An app with two events loaded.
pub fn with_events() -> App {
    let mut app = App::new("floktu.com".into(), false);
    let req = events_req(&init(&mut app));
    update(
        &mut app,
        Msg::EventsLoaded { req, result: Ok(decoded(vec![event(12, "Gala"), event(15, "Meetup")])) },
    );
    app
}

/// An app with event 12 open and its three orders loaded; returns the commands
/// that followed the load.
pub fn with_orders() -> (App, Vec<Command>) {
    let mut app = with_events();
    let req = orders_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    let orders = vec![
        order_summary(1, "Ann", "ann@example.com"),
        order_summary(2, "Bo", "bo@example.com"),
        order_summary(3, "Cy", "ANN@example.com"),
    ];
    let after = update(&mut app, Msg::OrdersLoaded { req, event_id: 12, result: Ok(decoded(orders)) });
    (app, after)
}

/// Opens the detail of the selected order and answers it with `o`.
pub fn open_detail(app: &mut App, o: Order) {
    let req = order_req(&act(app, Action::Browse(BrowseAction::Open)));
    update(app, Msg::OrderLoaded { req, event_id: 12, order_id: o.id, result: Ok(o) });
}

/// An app with event 12 open, its orders loaded, order 1's details loaded and
/// the event's guest list loaded from the network (nothing cached); the middle
/// pane back on the orders.
pub fn with_everything_loaded() -> App {
    use floktu_tui::guestlist::LoadEvent;

    let (mut app, _) = with_orders();
    let first = || {
        order(
            1,
            "buyer@example.com",
            vec![attendee(501, "Ann", Some("ann@example.com")), attendee(502, "Bo", None)],
        )
    };
    open_detail(&mut app, first());
    act(&mut app, Action::Browse(BrowseAction::Back));
    let req = req_of(&act(&mut app, Action::Browse(BrowseAction::Attendees)), |c| match c {
        Command::LoadGuests { req, .. } => Some(*req),
        _ => None,
    });
    update(&mut app, Msg::GuestsCached { req, list: None });
    let orders = [
        first(),
        order(2, "bo@example.com", vec![attendee(503, "Cy", None)]),
        order(3, "cy@example.com", vec![]),
    ];
    let listed = LoadEvent::Orders { order_ids: vec![1, 2, 3], skipped: Vec::new() };
    update(&mut app, Msg::GuestEvent { req, event: listed });
    for o in orders {
        update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(o)) });
    }
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Done });
    floktu_tui::tui::update::settle(&mut app);
    act(&mut app, Action::Browse(BrowseAction::Attendees));
    app
}
