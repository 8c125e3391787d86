//! The stats screen (`s`): how `update` opens it, keeps its numbers and reads
//! the ledger again while it shows; and snapshots of it at 160×40 and 80×24
//! over a night of the demo's data with admissions at two gates, with and
//! without colour.

mod support;

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use floktu_tui::demo::Dataset;
use floktu_tui::guestlist::{GuestList, LoadEvent};
use floktu_tui::ledger::{Admission, Gate, Health};
use floktu_tui::tui::app::{App, Screen};
use floktu_tui::tui::msg::{Action, BrowseAction, Command, Msg, StatsAction};
use floktu_tui::tui::update::{settle, update};
use floktu_tui::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::*;

/// 22:00 UTC on the night of the demo's festival (doors at 16:00).
fn night() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T22:00:00Z").unwrap().with_timezone(&Utc)
}

/// The festival's first 200 orders, fetched at 21:55 (the order list) and 21:50 (the details).
fn festival() -> GuestList {
    let data = Dataset::generate(42, 1, 200);
    let event = &data.events[0];
    let mut list = GuestList::new(12);
    list.set_order_list(event.orders.iter().map(|o| o.id).collect());
    for o in &event.orders {
        list.add_order_fetched(o.to_order(), night() - TimeDelta::minutes(10));
    }
    list.set_fetched_at(night() - TimeDelta::minutes(5));
    list.mark_done();
    list
}

/// 40 confirmed guests not checked in through Floktu, admitted from 19:00
/// every 3 minutes, by turns at north and south.
fn admissions(list: &GuestList) -> HashMap<u64, Admission> {
    let start = night() - TimeDelta::hours(3);
    list.guests()
        .iter()
        .filter(|g| g.order.status == floktu_tui::api::Status::Confirmed && g.attendee.check_in.is_none())
        .take(40)
        .enumerate()
        .map(|(k, g)| {
            let a = Admission {
                event_id: 12,
                attendee_id: g.attendee.attendee_id,
                order_id: g.order.id,
                gate: Gate::new(if k % 2 == 0 { "north" } else { "south" }).unwrap(),
                at: start + TimeDelta::minutes(3 * k as i64),
                user: "door".into(),
                undone: None,
            };
            (a.attendee_id, a)
        })
        .collect()
}

/// Event 12 open, `s` pressed, the list from the cache and the ledger's
/// admissions in, the first pass done; the wall clock UTC.
fn stats_screen() -> (App, Vec<Command>) {
    let (mut app, _) = with_orders();
    app.now = night();
    let commands = act(&mut app, Action::Browse(BrowseAction::Stats));
    assert_eq!(app.screen, Screen::Stats);
    let req = req_of(&commands, |c| match c {
        Command::LoadGuests { req, .. } => Some(*req),
        _ => None,
    });
    app.stats.as_mut().unwrap().offset = FixedOffset::east_opt(0).unwrap();
    let list = festival();
    let admitted = admissions(&list);
    update(&mut app, Msg::GuestsCached { req, list: Some(Box::new(list)) });
    update(&mut app, Msg::DoorAdmissions { event_id: 12, result: Ok(admitted), health: Health::default() });
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Done });
    app.now = night() + TimeDelta::seconds(4);
    settle(&mut app);
    (app, commands)
}

fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| view::render(app, f)).unwrap();
    terminal.backend().to_string()
}

fn snapshot_all_sizes(name: &str, mut app: App) {
    for (w, h) in [(160, 40), (80, 24)] {
        update(&mut app, Msg::Resize { width: w, height: h });
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&app, w, h));
    }
}

#[test]
fn s_opens_the_stats_of_the_event_and_asks_for_its_list_and_admissions() {
    let (app, commands) = stats_screen();
    assert!(commands.contains(&Command::LoadAdmissions { event_id: 12 }), "{commands:?}");
    assert!(commands.iter().any(|c| matches!(c, Command::StatsAfter { .. })), "{commands:?}");
    let stats = app.stats.as_ref().and_then(|s| s.numbers.as_ref()).expect("worked out before the frame");
    let sold: usize = stats.tickets.iter().map(|t| t.figures.sold).sum();
    assert_eq!(stats.total.sold, sold);
    assert_eq!(
        stats.arrivals.series.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["north", "south", "Floktu"]
    );
}

#[test]
fn the_numbers_follow_new_admissions_and_the_ledger_is_read_again_while_the_screen_shows() {
    let (mut app, commands) = stats_screen();
    let seq = commands
        .iter()
        .find_map(|c| match c {
            Command::StatsAfter { seq, .. } => Some(*seq),
            _ => None,
        })
        .unwrap();
    let before = app.stats.as_ref().unwrap().numbers.as_ref().unwrap().total.arrived;
    let again = update(&mut app, Msg::StatsDue { seq });
    assert!(again.contains(&Command::LoadAdmissions { event_id: 12 }), "{again:?}");
    update(
        &mut app,
        Msg::DoorAdmissions { event_id: 12, result: Ok(HashMap::new()), health: Health::default() },
    );
    settle(&mut app);
    let after = app.stats.as_ref().unwrap().numbers.as_ref().unwrap().total.arrived;
    assert_eq!(before - after, 40, "the 40 admissions are gone from the ledger's answer");
    act(&mut app, Action::Stats(StatsAction::Back));
    assert_eq!(app.screen, Screen::Browse);
    assert!(update(&mut app, Msg::StatsDue { seq }).is_empty(), "the timer stops once the screen is left");
}

#[test]
fn stats_of_a_night() {
    let (mut app, _) = stats_screen();
    app.color = false;
    snapshot_all_sizes("stats_no_color", app);
}

#[test]
fn stats_of_a_night_in_colour() {
    let (app, _) = stats_screen();
    snapshot_all_sizes("stats_colour", app);
}

#[test]
fn stats_while_the_list_loads() {
    let (mut app, _) = with_orders();
    app.now = night();
    act(&mut app, Action::Browse(BrowseAction::Stats));
    settle(&mut app);
    snapshot_all_sizes("stats_loading", app);
}
