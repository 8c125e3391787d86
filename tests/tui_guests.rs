//! The guest list in the TUI as `update` tests: cache first then the network,
//! offline, the attendees view, door mode lookups and verdicts, exports.

mod support;

use floktu_tui::api::{self, CheckIn, Status};
use floktu_tui::guestlist::{GuestList, LoadEvent, Request, Verdict};
use floktu_tui::tui::app::{App, Focus, OrdersView, ReqId, Screen};
use floktu_tui::tui::door::{Check, DoorResult};
use floktu_tui::tui::guests::GuestLoad;
use floktu_tui::tui::msg::{Action, BrowseAction, Command, DoorAction, FilterAction, Msg};
use floktu_tui::tui::update::{settle, update};
use support::*;

/// Event 12's guests: order 1 (Ann, checked in; Bo), order 2 cancelled (Cy),
/// order 3 unconfirmed (Di).
fn orders() -> Vec<api::Order> {
    let mut ann = attendee(501, "Ann", Some("ann@example.com"));
    ann.check_in = Some(CheckIn { raw: "2026-11-28 19:42:00".into(), at: None });
    let bo = attendee(502, "Bo", None);
    let mut cancelled = order(2, "cy@example.com", vec![attendee(503, "Cy", None)]);
    cancelled.status = Status::Cancelled;
    let mut unconfirmed = order(3, "di@example.com", vec![attendee(504, "Di", None)]);
    unconfirmed.status = Status::Unconfirmed;
    vec![order(1, "buyer@example.com", vec![ann, bo]), cancelled, unconfirmed]
}

fn full_list() -> GuestList {
    let mut list = GuestList::new(12);
    list.set_order_list(vec![1, 2, 3]);
    for o in orders() {
        list.add_order(o);
    }
    list.mark_done();
    list
}

fn load_req(commands: &[Command]) -> ReqId {
    req_of(commands, |c| match c {
        Command::LoadGuests { req, .. } => Some(*req),
        _ => None,
    })
}

/// Event 12 open with its orders; `a` pressed; returns the load's request.
fn attendees_view() -> (App, ReqId) {
    let (mut app, _) = with_orders();
    let commands = act(&mut app, Action::Browse(BrowseAction::Attendees));
    assert!(
        commands.iter().any(|c| matches!(c, Command::LoadGuests { event_id: 12, cache_first: true, .. })),
        "{commands:?}"
    );
    let req = load_req(&commands);
    (app, req)
}

/// The whole list arrives from the network (nothing cached).
fn loaded(app: &mut App, req: ReqId) {
    update(app, Msg::GuestsCached { req, list: None });
    update(
        app,
        Msg::GuestEvent { req, event: LoadEvent::Orders { order_ids: vec![1, 2, 3], skipped: vec![] } },
    );
    for o in orders() {
        update(app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(o)) });
    }
    update(app, Msg::GuestEvent { req, event: LoadEvent::Done });
    settle(app);
}

fn door(app: &mut App) {
    act(app, Action::Browse(BrowseAction::Door));
    assert_eq!(app.screen, Screen::Door);
}

/// Types at the door, then settles as the loop does before its frame (a
/// batch of keys is searched once).
fn type_door(app: &mut App, text: &str) {
    for c in text.chars() {
        act(app, Action::Type(c));
    }
    floktu_tui::tui::update::settle(app);
}

fn shown_len(app: &App) -> usize {
    app.guests.as_ref().and_then(|g| g.shown.as_ref()).map_or(0, GuestList::len)
}

#[test]
fn rows_appear_as_orders_arrive_and_the_done_list_is_cached() {
    let (mut app, req) = attendees_view();
    update(&mut app, Msg::GuestsCached { req, list: None });
    update(
        &mut app,
        Msg::GuestEvent { req, event: LoadEvent::Orders { order_ids: vec![1, 2, 3], skipped: vec![] } },
    );
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(orders().remove(0))) });
    settle(&mut app);
    assert_eq!(shown_len(&app), 2, "the first order's attendees are shown before the rest arrive");
    for o in orders().into_iter().skip(1) {
        update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(o)) });
    }
    let commands = update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Done });
    assert!(matches!(commands.as_slice(), [Command::SaveGuests(_)]), "{commands:?}");
    assert_eq!(shown_len(&app), 4);
    assert_eq!(app.guests.as_ref().map(|g| &g.load), Some(&GuestLoad::Live(req)));
}

#[test]
fn a_cached_list_shows_at_once_and_fresh_details_merge_into_it() {
    let (mut app, req) = attendees_view();
    let mut old = GuestList::new(12);
    old.add_order(orders().remove(0));
    update(&mut app, Msg::GuestsCached { req, list: Some(Box::new(old)) });
    assert_eq!(shown_len(&app), 2);
    assert!(app.guests.as_ref().is_some_and(|g| g.from_cache));
    update(
        &mut app,
        Msg::GuestEvent { req, event: LoadEvent::Orders { order_ids: vec![1, 2, 3], skipped: vec![] } },
    );
    for o in orders() {
        update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(o)) });
    }
    assert_eq!(shown_len(&app), 4, "what arrives is shown at once");
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Done });
    assert!(app.guests.as_ref().is_some_and(|g| !g.from_cache));
}

#[test]
fn a_failed_refresh_keeps_every_guest_it_knew() {
    let (mut app, req) = attendees_view();
    update(&mut app, Msg::GuestsCached { req, list: Some(Box::new(full_list())) });
    update(
        &mut app,
        Msg::GuestEvent { req, event: LoadEvent::Orders { order_ids: vec![1, 2, 3], skipped: vec![] } },
    );
    for order_id in [1, 2, 3] {
        let error = api::Error::Network("could not connect (connection refused)".into());
        update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Failed { order_id, error } });
    }
    let commands = update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Done });
    assert_eq!(shown_len(&app), 4);
    let Some(Command::SaveGuests(saved)) = commands.first() else { panic!("{commands:?}") };
    assert_eq!(saved.0.len(), 4, "the cache keeps them all too");
    assert_eq!(saved.0.freshness().stale, 3);
}

#[test]
fn the_network_down_keeps_the_cached_list_with_an_offline_banner() {
    let (mut app, req) = attendees_view();
    update(&mut app, Msg::GuestsCached { req, list: Some(Box::new(full_list())) });
    let down = api::Error::Network("could not connect (connection refused)".into());
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Offline(down) });
    let g = app.guests.as_ref().unwrap();
    assert_eq!(shown_len(&app), 4);
    assert!(g.offline.as_ref().is_some_and(|o| o.contains("connection refused")));
    assert_eq!(g.awaited(), Some(req), "the live load goes on");
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Online });
    assert!(app.guests.as_ref().unwrap().offline.is_none());
}

#[test]
fn the_network_down_with_nothing_cached_is_a_failure_to_retry() {
    let (mut app, req) = attendees_view();
    update(&mut app, Msg::GuestsCached { req, list: None });
    update(
        &mut app,
        Msg::GuestEvent { req, event: LoadEvent::ListFailed(api::Error::Timeout(Default::default())) },
    );
    assert!(matches!(app.guests.as_ref().unwrap().load, GuestLoad::Failed { .. }));
    let again = act(&mut app, Action::Browse(BrowseAction::Refresh));
    assert!(
        again.iter().any(|c| matches!(c, Command::AskGuests { request: Request::RefreshAll, .. })),
        "{again:?}"
    );
}

#[test]
fn r_fetches_only_the_orders_that_failed() {
    let (mut app, req) = attendees_view();
    update(&mut app, Msg::GuestsCached { req, list: None });
    update(
        &mut app,
        Msg::GuestEvent { req, event: LoadEvent::Orders { order_ids: vec![1, 2], skipped: vec![] } },
    );
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(orders().remove(0))) });
    let err = api::Error::Server { status: 502, message: "Bad Gateway".into() };
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Failed { order_id: 2, error: err } });
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Done });
    let commands = act(&mut app, Action::Browse(BrowseAction::Refresh));
    assert!(
        matches!(commands.as_slice(), [Command::AskGuests { request: Request::Recheck(2), .. }]),
        "{commands:?}"
    );
}

#[test]
fn a_load_for_another_event_is_dropped() {
    let (mut app, req) = attendees_view();
    act(&mut app, Action::Browse(BrowseAction::Back));
    act(&mut app, Action::Browse(BrowseAction::Down));
    act(&mut app, Action::Browse(BrowseAction::Open));
    update(&mut app, Msg::GuestsCached { req, list: Some(Box::new(full_list())) });
    assert!(app.guests.is_none());
    assert_eq!(app.orders_view, OrdersView::Orders);
}

#[test]
fn the_attendees_filter_narrows_by_name_email_and_ids() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    act(&mut app, Action::Browse(BrowseAction::Filter));
    for c in "ann@".chars() {
        act(&mut app, Action::Type(c));
    }
    assert_eq!(app.guests.as_ref().unwrap().visible_len(), 1);
    act(&mut app, Action::Filter(FilterAction::Clear));
    act(&mut app, Action::Browse(BrowseAction::Filter));
    act(&mut app, Action::Type('3'));
    // Order 3 (Di) matches; so does nothing else with a 3 in it.
    let g = app.guests.as_ref().unwrap();
    assert!(g.visible().iter().all(|&i| {
        let guest = &g.shown.as_ref().unwrap().guests()[i];
        guest.order.id == 3 || guest.attendee.attendee_id.to_string().contains('3')
    }));
}

#[test]
fn copy_all_in_the_attendees_view_copies_distinct_attendee_emails_without_cancelled_orders() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    let commands = act(&mut app, Action::Browse(BrowseAction::CopyAll));
    let Some(Command::Copy { text, what }) = commands.first() else { panic!("{commands:?}") };
    // Cy's order 2 is cancelled, as `floktu emails` leaves it out.
    assert_eq!(what, "3 emails (1 guest of a cancelled order left out)");
    assert_eq!(text, "ann@example.com\nbuyer@example.com\ndi@example.com");
}

#[test]
fn copy_all_of_a_list_filtered_to_cancelled_orders_copies_theirs() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    act(&mut app, Action::Browse(BrowseAction::Filter));
    for c in "is:cancelled".chars() {
        act(&mut app, Action::Type(c));
    }
    settle(&mut app);
    let commands = act(&mut app, Action::Browse(BrowseAction::CopyAll));
    assert_eq!(commands, vec![Command::Copy { text: "cy@example.com".into(), what: "1 email".into() }]);
}

#[test]
fn copy_all_in_the_orders_pane_leaves_out_orders_known_cancelled() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    act(&mut app, Action::Browse(BrowseAction::Attendees));
    assert!(!app.attendees_shown());
    let commands = act(&mut app, Action::Browse(BrowseAction::CopyAll));
    // Order 2 (bo@) is cancelled by its details; order 3's ANN@ is ann@ again.
    assert_eq!(
        commands,
        vec![Command::Copy {
            text: "ann@example.com".into(),
            what: "1 email (1 cancelled order left out)".into()
        }]
    );
}

#[test]
fn enter_on_an_attendee_opens_their_order() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    act(&mut app, Action::Browse(BrowseAction::Bottom));
    let commands = act(&mut app, Action::Browse(BrowseAction::Open));
    assert_eq!(app.focus, Focus::Detail);
    assert_eq!(app.orders.selected_item().map(|o| o.id), Some(3));
    assert!(commands.iter().any(|c| matches!(c, Command::FetchOrder { order_id: 3, .. })), "{commands:?}");
}

#[test]
fn export_writes_the_attendees_as_filtered() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    act(&mut app, Action::Browse(BrowseAction::Filter));
    act(&mut app, Action::Type('b'));
    act(&mut app, Action::Type('o'));
    let commands = act(&mut app, Action::Browse(BrowseAction::Export));
    let Some(Command::Export { name, what }) = commands.first() else { panic!("{commands:?}") };
    assert_eq!(name, "attendees-12");
    let floktu_tui::output::Export::Guests { list, rows } = what else { panic!("{what:?}") };
    assert_eq!(rows.len(), 1);
    assert_eq!(list.guests()[rows[0]].attendee.attendee_id, 502);
}

#[test]
fn typing_a_name_at_the_door_shows_live_matches() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    type_door(&mut app, "bo");
    let g = app.guests.as_ref().unwrap();
    assert_eq!(g.door.results.len(), 1);
    let list = g.shown.as_ref().unwrap();
    assert_eq!(list.guests()[g.door.results[0]].attendee.attendee_id, 502);
}

#[test]
fn enter_confirms_the_highlighted_guest_and_clears_the_input() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    type_door(&mut app, "ann");
    act(&mut app, Action::Door(DoorAction::Submit));
    let door = &app.guests.as_ref().unwrap().door;
    assert!(door.input.is_empty());
    assert!(matches!(
        &door.result,
        Some(DoorResult::Guest { attendee_id: 501, verdict: Verdict::AlreadyCheckedIn { .. }, .. })
    ));
}

#[test]
fn a_scanned_order_id_is_looked_up_exactly() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    type_door(&mut app, "2");
    act(&mut app, Action::Door(DoorAction::Submit));
    let door = &app.guests.as_ref().unwrap().door;
    assert!(matches!(
        &door.result,
        Some(DoorResult::Guest { attendee_id: 503, verdict: Verdict::Cancelled, .. })
    ));
}

#[test]
fn a_scanned_attendee_id_is_looked_up_exactly() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    type_door(&mut app, "504");
    act(&mut app, Action::Door(DoorAction::Submit));
    let door = &app.guests.as_ref().unwrap().door;
    assert!(matches!(
        &door.result,
        Some(DoorResult::Guest { attendee_id: 504, verdict: Verdict::Unconfirmed, .. })
    ));
}

#[test]
fn an_unknown_id_is_not_found() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    type_door(&mut app, "999999");
    act(&mut app, Action::Door(DoorAction::Submit));
    let door = &app.guests.as_ref().unwrap().door;
    assert!(matches!(&door.result, Some(DoorResult::NotFound { asked, .. }) if asked == "999999"));
}

#[test]
fn a_valid_guest_is_valid() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    type_door(&mut app, "502");
    act(&mut app, Action::Door(DoorAction::Submit));
    let door = &app.guests.as_ref().unwrap().door;
    assert!(matches!(&door.result, Some(DoorResult::Guest { verdict: Verdict::Valid, .. })));
}

#[test]
fn esc_clears_the_input_and_never_leaves_the_door() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    type_door(&mut app, "x");
    act(&mut app, Action::Door(DoorAction::Clear));
    assert_eq!(app.screen, Screen::Door);
    assert!(app.guests.as_ref().unwrap().door.input.is_empty());
    act(&mut app, Action::Door(DoorAction::Clear));
    assert_eq!(app.screen, Screen::Door, "Esc on an empty input stays in the door");
}

#[test]
fn leaving_the_door_takes_its_own_key() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    act(&mut app, Action::Door(DoorAction::Leave));
    assert_eq!(app.screen, Screen::Browse);
}

#[test]
fn letters_that_are_keys_elsewhere_are_typed_at_the_door() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    for c in ['q', 'd', 'a', 'L'] {
        act(&mut app, Action::Type(c));
    }
    assert!(!app.quit);
    assert_eq!(app.guests.as_ref().unwrap().door.input, "qdaL");
}

#[test]
fn privacy_toggles() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    act(&mut app, Action::Door(DoorAction::Privacy));
    assert!(app.guests.as_ref().unwrap().door.private);
}

#[test]
fn d_on_an_event_opens_it_and_its_door() {
    let mut app = with_events();
    let commands = act(&mut app, Action::Browse(BrowseAction::Door));
    assert_eq!(app.screen, Screen::Door);
    assert!(commands.iter().any(|c| matches!(c, Command::FetchOrders { event_id: 12, .. })));
    assert!(commands.iter().any(|c| matches!(c, Command::LoadGuests { event_id: 12, .. })));
}

#[test]
fn offline_at_start_the_cached_events_are_listed() {
    let mut app = App::new("floktu.com".into(), false);
    let req = events_req(&floktu_tui::tui::update::init(&mut app));
    let error = api::Error::Network("could not connect".into());
    update(&mut app, Msg::EventsOffline { req, events: vec![event(12, "Gala")], error });
    assert_eq!(app.events.all().len(), 1);
    assert!(app.notice.as_ref().is_some_and(|n| n.text.starts_with("Offline")));
}

fn screen(app: &mut App) -> String {
    update(app, Msg::Resize { width: 120, height: 30 });
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
    terminal.draw(|f| floktu_tui::tui::view::render(app, f)).unwrap();
    terminal.backend().to_string()
}

/// The door's result after the commands of a scan of `asked`.
fn scan(app: &mut App, asked: &str) -> Vec<Command> {
    type_door(app, asked);
    act(app, Action::Door(DoorAction::Submit))
}

fn door_result(app: &App) -> &DoorResult {
    app.guests.as_ref().unwrap().door.result.as_ref().unwrap()
}

fn look_token(commands: &[Command]) -> u64 {
    commands
        .iter()
        .find_map(|c| match c {
            Command::AskGuests { request: Request::LookForNew(token), .. } => Some(*token),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no look for new orders in {commands:?}"))
}

#[test]
fn not_found_in_a_list_still_loading_is_provisional_until_the_guest_arrives() {
    let (mut app, req) = attendees_view();
    update(&mut app, Msg::GuestsCached { req, list: None });
    update(
        &mut app,
        Msg::GuestEvent { req, event: LoadEvent::Orders { order_ids: vec![1, 2, 3], skipped: vec![] } },
    );
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(orders().remove(0))) });
    settle(&mut app);
    door(&mut app);
    let commands = scan(&mut app, "504");
    let token = look_token(&commands);
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::LookedForNew { token, result: Ok(0) } });
    settle(&mut app);
    let shown = screen(&mut app);
    assert!(shown.contains("NOT FOUND (so far)"), "{shown}");
    assert!(shown.contains("still loading (1 of 3 orders in)"), "{shown}");
    assert!(!app.bell, "a provisional NOT FOUND does not ring");
    for o in orders().into_iter().skip(1) {
        update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(o)) });
    }
    settle(&mut app);
    assert!(matches!(
        door_result(&app),
        DoorResult::Guest { attendee_id: 504, verdict: Verdict::Unconfirmed, .. }
    ));
    assert!(!screen(&mut app).contains("NOT FOUND"));
}

#[test]
fn a_scan_shows_the_verdict_at_once_and_asks_floktu_about_that_order() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    let commands = scan(&mut app, "502");
    assert!(
        matches!(
            commands.as_slice(),
            [
                Command::Admit { attendee_id: 502, .. },
                Command::AskGuests { request: Request::Recheck(1), .. }
            ]
        ),
        "{commands:?}"
    );
    assert!(matches!(
        door_result(&app),
        DoorResult::Guest { verdict: Verdict::Valid, check: Check::Checking, .. }
    ));
    assert!(screen(&mut app).contains("checking with Floktu"));
}

#[test]
fn a_cancellation_seen_at_the_recheck_turns_the_verdict_and_rings() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    scan(&mut app, "502");
    assert!(!app.bell);
    let mut cancelled = orders().remove(0);
    cancelled.status = Status::Cancelled;
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(cancelled)) });
    settle(&mut app);
    assert!(matches!(
        door_result(&app),
        DoorResult::Guest { verdict: Verdict::Cancelled, check: Check::Checked { .. }, .. }
    ));
    assert!(app.bell);
    assert!(screen(&mut app).contains("checked with Floktu just now"));
}

#[test]
fn a_recheck_that_fails_says_offline_with_the_age_of_the_data() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    scan(&mut app, "502");
    let error = api::Error::Network("could not connect".into());
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Failed { order_id: 1, error } });
    settle(&mut app);
    assert!(matches!(
        door_result(&app),
        DoorResult::Guest { verdict: Verdict::Valid, check: Check::Offline { data_from: Some(_) }, .. }
    ));
    assert!(screen(&mut app).contains("offline — data from"));
}

#[test]
fn a_scan_that_matches_nobody_asks_floktu_for_new_orders_and_finds_the_late_buyer() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    let commands = scan(&mut app, "777");
    let token = look_token(&commands);
    assert!(matches!(door_result(&app), DoorResult::NotFound { check: Check::Checking, .. }));
    assert!(!app.bell, "not yet: Floktu has not answered");
    update(
        &mut app,
        Msg::GuestEvent { req, event: LoadEvent::Orders { order_ids: vec![1, 2, 3, 4], skipped: vec![] } },
    );
    let late = order(4, "late@example.com", vec![attendee(777, "Eve", None)]);
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(late)) });
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::LookedForNew { token, result: Ok(1) } });
    settle(&mut app);
    assert!(matches!(door_result(&app), DoorResult::Guest { attendee_id: 777, verdict: Verdict::Valid, .. }));
}

#[test]
fn a_scan_that_matches_nobody_after_asking_floktu_is_final_and_rings() {
    let (mut app, req) = attendees_view();
    loaded(&mut app, req);
    door(&mut app);
    let token = look_token(&scan(&mut app, "777"));
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::LookedForNew { token, result: Ok(0) } });
    settle(&mut app);
    assert!(matches!(door_result(&app), DoorResult::NotFound { check: Check::Checked { .. }, .. }));
    assert!(app.bell);
    let shown = screen(&mut app);
    assert!(shown.contains("NOT FOUND") && !shown.contains("so far"), "{shown}");
    assert!(shown.contains("checked with Floktu just now"), "{shown}");
}

#[test]
fn two_exports_in_the_same_second_get_distinct_names() {
    let dir = tempfile::TempDir::new().unwrap();
    let (a, _) =
        floktu_tui::tui::worker::new_export_file(dir.path(), "attendees-12", "20261201-210000").unwrap();
    let (b, _) =
        floktu_tui::tui::worker::new_export_file(dir.path(), "attendees-12", "20261201-210000").unwrap();
    assert_ne!(a, b);
    assert!(a.exists() && b.exists());
}

#[test]
fn a_cached_list_from_the_future_shows_its_age_as_unknown_not_just_now() {
    let (mut app, req) = attendees_view();
    let mut future = GuestList::new(12);
    let later = chrono::Utc::now() + chrono::TimeDelta::days(2);
    future.set_order_list(vec![1]);
    future.add_order_fetched(orders().remove(0), later);
    update(&mut app, Msg::GuestsCached { req, list: Some(Box::new(future)) });
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Done });
    settle(&mut app);
    app.now = chrono::Utc::now();
    let shown = screen(&mut app);
    assert!(shown.contains("age unknown"), "{shown}");
    assert!(!shown.contains("just now"), "{shown}");
}
