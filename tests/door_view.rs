//! The door's verdicts as `update` makes them and the view draws them:
//! snapshots of each verdict at 160×40 and 80×24 (times masked: they are
//! local), and the ledger's part of `update` (admitting…, then VALID or
//! ALREADY ADMITTED; Ctrl-Z; the half second after leaving; the bell patterns).

mod support;

use floktu_tui::api::{self, Answer, CheckIn, Money, Status};
use floktu_tui::config::DoorBell;
use floktu_tui::guestlist::LoadEvent;
use floktu_tui::ledger::{Admission, Gate, Health};
use floktu_tui::tui::app::{App, ReqId, Screen};
use floktu_tui::tui::door::{AdmitAnswer, Headline, bells};
use floktu_tui::tui::msg::{Action, BrowseAction, Command, DoorAction, Msg};
use floktu_tui::tui::update::{settle, update};
use support::*;

/// Event 12: order 1 (Ann, checked in through Floktu; Bo, vegan, owes 102.94),
/// order 2 cancelled (Cy), order 3 unconfirmed (Di).
fn orders() -> Vec<api::Order> {
    let mut ann = attendee(501, "Ann", Some("ann@example.com"));
    ann.check_in = Some(CheckIn { raw: "2026-11-28 19:42:00".into(), at: None });
    let mut bo = attendee(502, "Bo", None);
    bo.answers = vec![
        Answer { question: "Dietary needs".into(), answer: Some("vegan".into()) },
        Answer { question: "Access".into(), answer: Some("step-free entrance".into()) },
    ];
    let mut first = order(1, "buyer@example.com", vec![ann, bo]);
    first.status = Status::Confirmed;
    first.order_amount = Some(Money(20294));
    first.amount_paid = Some(Money(10000));
    let mut cancelled = order(2, "cy@example.com", vec![attendee(503, "Cy", None)]);
    cancelled.status = Status::Cancelled;
    let mut unconfirmed = order(3, "di@example.com", vec![attendee(504, "Di", None)]);
    unconfirmed.status = Status::Unconfirmed;
    vec![first, cancelled, unconfirmed]
}

/// The door open on event 12 with its whole list loaded.
fn at_the_door() -> App {
    let (mut app, _) = with_orders();
    app.station.gate = Gate::new("south").unwrap();
    let commands = act(&mut app, Action::Browse(BrowseAction::Door));
    assert_eq!(app.screen, Screen::Door);
    let req = req_of(&commands, |c| match c {
        Command::LoadGuests { req, .. } => Some(*req),
        _ => None,
    });
    loaded(&mut app, req);
    app
}

fn loaded(app: &mut App, req: ReqId) {
    update(app, Msg::GuestsCached { req, list: None });
    let order_ids = vec![1, 2, 3];
    update(app, Msg::GuestEvent { req, event: LoadEvent::Orders { order_ids, skipped: vec![] } });
    for o in orders() {
        update(app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(o)) });
    }
    update(app, Msg::GuestEvent { req, event: LoadEvent::Done });
    settle(app);
}

fn scan(app: &mut App, asked: &str) -> Vec<Command> {
    app.bell = false;
    for c in asked.chars() {
        act(app, Action::Type(c));
    }
    act(app, Action::Door(DoorAction::Submit))
}

/// The admissions a scan sent to the ledger: (token, attendee).
fn admits(commands: &[Command]) -> Vec<(u64, u64)> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::Admit { token, attendee_id, .. } => Some((*token, *attendee_id)),
            _ => None,
        })
        .collect()
}

fn admission(attendee_id: u64, gate: &str) -> Admission {
    Admission {
        event_id: 12,
        attendee_id,
        order_id: 1,
        gate: Gate::new(gate).unwrap(),
        at: chrono::DateTime::<chrono::Utc>::from_timestamp(1_800_000_000, 0).unwrap(),
        user: "sam".into(),
        undone: None,
    }
}

/// The ledger answers admission `token` of `attendee_id`.
fn answer(app: &mut App, token: u64, attendee_id: u64, answer: AdmitAnswer) {
    let health = Health::default();
    update(app, Msg::Admitted { token, event_id: 12, attendee_id, answer, health });
}

fn headline(app: &App) -> Headline {
    app.guests.as_ref().unwrap().door.result.as_ref().unwrap().headline()
}

/// `HH:MM:SS` and `HH:MM` (local times) as `hh:mm…`, so snapshots hold in any zone.
fn mask_times(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let digit = |j: usize| chars.get(j).is_some_and(char::is_ascii_digit);
    while i < chars.len() {
        if digit(i) && digit(i + 1) && chars.get(i + 2) == Some(&':') && digit(i + 3) && digit(i + 4) {
            if chars.get(i + 5) == Some(&':') && digit(i + 6) && digit(i + 7) {
                out.push_str("hh:mm:ss");
                i += 8;
            } else {
                out.push_str("hh:mm");
                i += 5;
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn screen(app: &mut App, width: u16, height: u16) -> String {
    update(app, Msg::Resize { width, height });
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| floktu_tui::tui::view::render(app, f)).unwrap();
    mask_times(&terminal.backend().to_string())
}

fn snapshot_both(name: &str, app: &mut App) {
    insta::assert_snapshot!(format!("{name}_160x40"), screen(app, 160, 40));
    insta::assert_snapshot!(format!("{name}_80x24"), screen(app, 80, 24));
}

#[test]
fn valid_shows_only_once_the_ledger_committed_it() {
    let mut app = at_the_door();
    let commands = scan(&mut app, "502");
    let sent = admits(&commands);
    assert_eq!(sent.len(), 1, "{commands:?}");
    assert_eq!(headline(&app), Headline::Admitting);
    let before = screen(&mut app, 160, 40);
    assert!(!before.contains("VALID"), "no VALID before the commit:\n{before}");
    assert!(before.contains("admitting…"));
    answer(&mut app, sent[0].0, 502, AdmitAnswer::In { admission: admission(502, "south"), queued: false });
    assert!(matches!(headline(&app), Headline::Verdict(v) if v.admits()));
    snapshot_both("door_valid", &mut app);
}

#[test]
fn a_ticket_another_gate_admitted_first_is_already_admitted_with_that_gate() {
    let mut app = at_the_door();
    let sent = admits(&scan(&mut app, "502"));
    answer(&mut app, sent[0].0, 502, AdmitAnswer::Already(admission(502, "north")));
    let shown = screen(&mut app, 160, 40);
    assert!(shown.contains("ALREADY ADMITTED") && shown.contains("at north"), "{shown}");
    assert!(app.bell);
    assert_eq!(bells(&app), 2, "ALREADY ADMITTED rings twice");
    snapshot_both("door_already_admitted", &mut app);
    // Scanned again here: the ledger is asked again (what this door knows may
    // be stale), and it says the same.
    let again = admits(&scan(&mut app, "502"));
    assert_eq!(again.len(), 1);
    answer(&mut app, again[0].0, 502, AdmitAnswer::Already(admission(502, "north")));
    assert!(screen(&mut app, 160, 40).contains("ALREADY ADMITTED"));
}

#[test]
fn an_admission_undone_at_another_gate_lets_the_ticket_in_at_the_next_scan() {
    let mut app = at_the_door();
    let sent = admits(&scan(&mut app, "502"));
    answer(&mut app, sent[0].0, 502, AdmitAnswer::Already(admission(502, "north")));
    // North undid it; this door still holds north's admission, the ledger does not.
    let again = admits(&scan(&mut app, "502"));
    assert_eq!(again.len(), 1, "the ledger is asked, not the admissions known here");
    answer(&mut app, again[0].0, 502, AdmitAnswer::In { admission: admission(502, "south"), queued: false });
    assert!(matches!(headline(&app), Headline::Verdict(v) if v.admits()));
}

#[test]
fn already_checked_in_through_floktu() {
    let mut app = at_the_door();
    assert!(admits(&scan(&mut app, "501")).is_empty());
    assert_eq!(bells(&app), 2);
    snapshot_both("door_already_checked_in", &mut app);
}

#[test]
fn cancelled_rings_three_times() {
    let mut app = at_the_door();
    assert!(admits(&scan(&mut app, "503")).is_empty());
    assert!(app.bell);
    assert_eq!(bells(&app), 3);
    app.station.bell = DoorBell::Off;
    assert_eq!(bells(&app), 0);
    app.station.bell = DoorBell::Refusals;
    snapshot_both("door_cancelled", &mut app);
}

#[test]
fn unconfirmed_says_what_to_do() {
    let mut app = at_the_door();
    scan(&mut app, "504");
    assert!(screen(&mut app, 160, 40).contains("box office"));
    snapshot_both("door_unconfirmed", &mut app);
}

#[test]
fn not_found_then_wrong_event_when_another_cached_list_has_it() {
    let mut app = at_the_door();
    let commands = scan(&mut app, "999999");
    assert!(commands.iter().any(|c| matches!(c, Command::FindElsewhere { id: 999999, .. })), "{commands:?}");
    let token = commands
        .iter()
        .find_map(|c| match c {
            Command::AskGuests { request: floktu_tui::guestlist::Request::LookForNew(t), .. } => Some(*t),
            _ => None,
        })
        .expect("a look for new orders");
    let req = app.guests.as_ref().and_then(|g| g.awaited()).unwrap();
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::LookedForNew { token, result: Ok(0) } });
    settle(&mut app);
    assert_eq!(bells(&app), 1);
    snapshot_both("door_not_found", &mut app);
    let event = Some("Winter Ball (13)".to_string());
    update(&mut app, Msg::FoundElsewhere { event_id: 12, asked: "999999".into(), event });
    snapshot_both("door_wrong_event", &mut app);
}

#[test]
fn an_order_scan_admits_its_valid_guests_and_says_so() {
    let mut app = at_the_door();
    let sent = admits(&scan(&mut app, "1"));
    assert_eq!(sent.iter().map(|s| s.1).collect::<Vec<_>>(), vec![502], "only Bo is valid");
    answer(&mut app, sent[0].0, 502, AdmitAnswer::In { admission: admission(502, "south"), queued: false });
    let shown = screen(&mut app, 160, 40);
    assert!(shown.contains("1 admitted now, 1 already checked in"), "{shown}");
    assert!(shown.contains("BALANCE DUE 102.94") && shown.contains("vegan"), "{shown}");
    snapshot_both("door_order_group", &mut app);
}

#[test]
fn ctrl_z_undoes_and_says_whose_admission_it_was() {
    let mut app = at_the_door();
    let sent = admits(&scan(&mut app, "502"));
    let made = admission(502, "south");
    answer(&mut app, sent[0].0, 502, AdmitAnswer::In { admission: made.clone(), queued: false });
    let commands = act(&mut app, Action::Door(DoorAction::Undo));
    assert!(matches!(commands.as_slice(), [Command::UndoLast { event_id: 12, .. }]), "{commands:?}");
    let mut undone = made;
    undone.undone = Some(floktu_tui::ledger::Undo { at: undone.at, gate: undone.gate.clone() });
    update(&mut app, Msg::Undone { event_id: 12, result: Ok(Some(undone)), health: Health::default() });
    assert_eq!(headline(&app), Headline::Undone);
    let notice = app.notice.as_ref().map(|n| n.text.clone()).unwrap_or_default();
    assert!(notice.contains("Bo") && notice.contains("502"), "{notice}");
    assert!(app.guests.as_ref().unwrap().door.admissions.is_empty());
}

#[test]
fn keys_just_after_leaving_the_door_do_nothing_and_esc_never_leaves() {
    let mut app = at_the_door();
    act(&mut app, Action::Door(DoorAction::Clear));
    act(&mut app, Action::Door(DoorAction::Clear));
    assert_eq!(app.screen, Screen::Door);
    act(&mut app, Action::Door(DoorAction::Leave));
    assert_eq!(app.screen, Screen::Browse);
    let commands = act(&mut app, Action::Browse(BrowseAction::Export));
    assert!(commands.is_empty(), "{commands:?}");
    app.now += chrono::TimeDelta::milliseconds(600);
    assert!(!act(&mut app, Action::Browse(BrowseAction::Export)).is_empty());
}

#[test]
fn a_kiosk_cannot_be_left_and_ctrl_c_asks_first() {
    let mut app = at_the_door();
    app.station.kiosk = true;
    act(&mut app, Action::Door(DoorAction::Leave));
    assert_eq!(app.screen, Screen::Door);
    act(&mut app, Action::Quit);
    assert!(!app.quit, "asks first");
    act(&mut app, Action::Type('n'));
    assert!(!app.quit);
    act(&mut app, Action::Quit);
    act(&mut app, Action::Type('y'));
    assert!(app.quit);
}

/// Order 4: two guests nobody has let in yet (Eve and Fay).
fn order_of_two() -> api::Order {
    let mut two = order(4, "eve@example.com", vec![attendee(505, "Eve", None), attendee(506, "Fay", None)]);
    two.status = Status::Confirmed;
    two
}

#[test]
fn an_order_scanned_before_its_details_came_admits_all_its_valid_guests_once_they_do() {
    let (mut app, _) = with_orders();
    let commands = act(&mut app, Action::Browse(BrowseAction::Door));
    let req = req_of(&commands, |c| match c {
        Command::LoadGuests { req, .. } => Some(*req),
        _ => None,
    });
    update(&mut app, Msg::GuestsCached { req, list: None });
    let order_ids = vec![1, 2, 3, 4];
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Orders { order_ids, skipped: vec![] } });
    for o in orders() {
        update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(o)) });
    }
    settle(&mut app);
    // Order 4 is listed, its details not fetched yet: asked for at once.
    assert!(admits(&scan(&mut app, "4")).is_empty());
    let mut commands =
        update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(order_of_two())) });
    commands.extend(update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Done }));
    settle(&mut app);
    let sent = admits(&commands);
    assert_eq!(sent.iter().map(|s| s.1).collect::<Vec<_>>(), vec![505, 506], "{commands:?}");
    for (token, attendee) in sent {
        answer(
            &mut app,
            token,
            attendee,
            AdmitAnswer::In { admission: admission(attendee, "south"), queued: false },
        );
    }
    let shown = screen(&mut app, 160, 40);
    assert!(shown.contains("order: 2 admitted now"), "{shown}");
}

#[test]
fn a_queued_admission_refused_on_replay_is_shown_in_red_naming_the_guest_and_the_gate() {
    let mut app = at_the_door();
    let queued = admission(502, "south");
    let mut winner = admission(502, "north");
    winner.at -= chrono::TimeDelta::minutes(2);
    let refusal = floktu_tui::ledger::Refusal { queued, winner };
    update(&mut app, Msg::ReplayRefused { refusals: vec![refusal] });
    for (width, height) in [(160, 40), (80, 24)] {
        let shown = screen(&mut app, width, height);
        let line = shown.lines().find(|l| l.contains("replay refused")).unwrap_or_else(|| panic!("{shown}"));
        assert!(line.contains("Bo Lee (ticket 502) was admitted at north hh:mm"), "{line}");
    }
    // In red: the colour of a refusal.
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 40)).unwrap();
    terminal.draw(|f| floktu_tui::tui::view::render(&app, f)).unwrap();
    let buffer = terminal.backend().buffer();
    let row = (0..40)
        .find(|&y| (0..160).map(|x| buffer[(x, y)].symbol()).collect::<String>().contains("replay refused"));
    let fg = buffer[(3, row.unwrap())].fg;
    assert_eq!(fg, ratatui::style::Color::Red, "{fg:?}");
    // The ticket counts as north's admission here now.
    let counted = app.guests.as_ref().unwrap().door.admissions.get(&502).map(|a| a.gate.as_str().to_string());
    assert_eq!(counted.as_deref(), Some("north"));
}
