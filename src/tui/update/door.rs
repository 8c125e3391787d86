//! `update` for the door: opening it, its keys, a lookup's verdict and the
//! check with Floktu that follows.

use std::collections::HashMap;

use crate::guestlist::Request;
use crate::ledger::{Admission, Health, LedgerError, Refusal};
use crate::text::sanitize;
use crate::tui::app::{App, Focus, Notice, Screen};
use crate::tui::door::{AdmitAnswer, Check, DoorResult, ReplayRefused, as_id, guest_by_attendee, scan};
use crate::tui::msg::{Action, Command, DoorAction};

use super::guests::{ensure_guests, reload_guests};

/// `d`: door mode for the open event, or the event selected in the events pane.
pub(super) fn open_door(app: &mut App) -> Vec<Command> {
    let Some(mut commands) = super::open_selected_event(app) else { return Vec::new() };
    if app.open_event.is_none() {
        return commands;
    }
    app.screen = Screen::Door;
    commands.extend(ensure_guests(app));
    if let Some(g) = app.guests.as_mut() {
        // A kiosk never shows emails or amounts.
        g.door.private |= app.station.kiosk;
        // Other gates admitted guests since this door last looked.
        commands.push(Command::LoadAdmissions { event_id: g.event_id });
    }
    commands
}

/// `floktu door EVENT`: the TUI opens straight into the door for `event`.
pub fn open_door_at(app: &mut App, event: crate::api::Event) -> Vec<Command> {
    let mut commands = super::open_event(app, event);
    app.focus = Focus::Orders;
    commands.extend(open_door(app));
    commands
}

/// Keys in door mode (the binding table's `DoorAction`s). Printable keys come
/// as `type_char`; Quit, Help and Redraw are handled for every screen.
pub(super) fn act_door(app: &mut App, action: DoorAction) -> Vec<Command> {
    let Some(g) = app.guests.as_mut() else {
        app.screen = Screen::Browse;
        return Vec::new();
    };
    if matches!(action, DoorAction::Up | DoorAction::Down) {
        // Keys typed in this batch: the matches they chose from.
        app.bell |= g.settle();
    }
    let door = &mut g.door;
    match action {
        DoorAction::Backspace => {
            // Searched once for the whole batch of keys, before the frame.
            door.input.pop();
            door.selected = 0;
            g.stale = true;
        }
        DoorAction::Up => door.selected = door.selected.saturating_sub(1),
        DoorAction::Down => door.selected = (door.selected + 1).min(door.results.len().saturating_sub(1)),
        DoorAction::Privacy => door.private = !door.private || app.station.kiosk,
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
    drain_admissions(app)
}

/// A character typed or scanned at the door.
pub(super) fn type_char(app: &mut App, c: char) -> Vec<Command> {
    let Some(g) = app.guests.as_mut() else {
        app.screen = Screen::Browse;
        return Vec::new();
    };
    // Searched once for the whole batch of keys (a scanner's digits come in
    // one read), before the frame: see `update::settle`.
    g.door.input.push(c);
    g.door.selected = 0;
    g.stale = true;
    drain_admissions(app)
}

/// F10 / Ctrl-Q: back to the lists — except at a kiosk, which cannot be left.
/// Keys typed in the next half second are not acted on (see [`intercept`]).
pub(super) fn leave(app: &mut App) -> Vec<Command> {
    if app.station.kiosk {
        app.notice = Some(Notice { text: "This door is a kiosk: it cannot be left".into(), is_error: true });
        return Vec::new();
    }
    app.screen = Screen::Browse;
    app.station.left_at = Some(app.now);
    Vec::new()
}

/// Ctrl-Z: undo this gate's last admission at the event (a second Ctrl-Z, the
/// one before); the ledger's answer says whose it was.
pub(super) fn undo(app: &mut App) -> Vec<Command> {
    let Some(g) = app.guests.as_ref() else { return Vec::new() };
    vec![Command::UndoLast { event_id: g.event_id, gate: app.station.gate.clone() }]
}

/// Actions the door takes before any screen sees them: keys in the half second
/// after leaving the door are dropped (a scan or a name typed just as it closed
/// must not act on the lists), and at a kiosk Ctrl-C asks before quitting
/// (`y` quits, any other key stays). `None`: not the door's business.
pub(super) fn intercept(app: &mut App, action: &Action) -> Option<Vec<Command>> {
    if app.screen == Screen::Browse
        && app.station.just_left(app.now)
        && !matches!(action, Action::Quit | Action::Redraw)
    {
        return Some(Vec::new());
    }
    if !(app.station.kiosk && app.screen == Screen::Door) {
        return None;
    }
    if std::mem::take(&mut app.station.confirm_quit) {
        app.quit = matches!(action, Action::Type('y' | 'Y') | Action::Confirm(true));
        app.notice = None;
        return Some(Vec::new());
    }
    if *action == Action::Quit {
        app.station.confirm_quit = true;
        app.notice =
            Some(Notice { text: "Quit the door? y = quit, any other key = stay".into(), is_error: true });
        return Some(Vec::new());
    }
    None
}

/// Enter at the door: the verdict from what is known — the guest list, and
/// the ledger's record of admissions — then a check with Floktu: the guest's
/// order fetched again, or, for a scan that matches nobody, the order list and
/// any new orders. A guest judged VALID is sent to the ledger, and the verdict
/// says "admitting…" until the admission is committed. An order's id admits
/// every valid guest of the order.
fn submit(app: &mut App) -> Vec<Command> {
    let token = app.next_req().0;
    let now = app.now;
    let Some(g) = app.guests.as_mut() else { return Vec::new() };
    // The list may have changed since the matches were found (a refresh that
    // landed in this batch): find them again, as the frame would. A scan
    // looks its id up instead, and needs no search.
    if as_id(&g.door.input).is_none() {
        g.settle();
    }
    let asked = g.door.input.trim().to_string();
    if asked.is_empty() {
        return Vec::new();
    }
    let event_id = g.event_id;
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
    door.scans += 1;
    door.scanned_at = Some(now);
    let Some(list) = g.shown.as_ref() else {
        door.result = Some(DoorResult::NotFound { asked, check: Check::Incomplete, elsewhere: None });
        return Vec::new();
    };
    // A scan (digits + Enter) is an exact id lookup; typing picks the highlighted match.
    let id = as_id(&asked);
    let found = if id.is_some() { scan(list, &asked) } else { picked };
    let Some(i) = found else {
        let how = Lookup { event_id, req, offline, loading, token };
        let (commands, ring) = not_found(door, list, asked, id, &how);
        app.bell |= ring;
        return commands;
    };
    let mut commands = Vec::new();
    let order = &list.guests()[i].order;
    let (order_id, fetched_at) = (order.id, order.fetched_at);
    let check = if offline { Check::Offline { data_from: Some(fetched_at) } } else { Check::Checking };
    let result = door.judge_scan(list, i, asked, check);
    commands.extend(drain_admissions(app));
    let Some(g) = app.guests.as_mut() else { return commands };
    let door = &mut g.door;
    if let Some(req) = req {
        door.rechecking = Some(order_id);
        commands.push(Command::AskGuests { req, request: Request::Recheck(order_id) });
    }
    // A refusal rings now; an admission when the ledger has answered.
    app.bell |= result.headline().is_refusal();
    door.result = Some(result);
    commands
}

/// How a lookup at the door stands with Floktu, for [`not_found`].
struct Lookup {
    event_id: u64,
    /// The live load to ask (none: nothing to ask).
    req: Option<crate::tui::app::ReqId>,
    offline: bool,
    /// The first pass is still running.
    loading: bool,
    /// Tags a look for new orders.
    token: u64,
}

/// A lookup that matches nobody in the list: NOT FOUND, provisional while
/// Floktu is asked — the order fetched if the order list has it, else the
/// order list again for new orders — and other cached events looked at for
/// the id. Returns the commands, and whether the door rings now (nothing left
/// to ask and the list complete).
fn not_found(
    door: &mut crate::tui::door::Door,
    list: &crate::guestlist::GuestList,
    asked: String,
    id: Option<u64>,
    how: &Lookup,
) -> (Vec<Command>, bool) {
    let mut commands = Vec::new();
    let listed_order = id.filter(|id| list.order_list().is_some_and(|ids| ids.contains(id)));
    let check = match (&how.req, how.offline) {
        (Some(_), false) => Check::Checking,
        _ if how.loading => Check::Incomplete,
        _ => Check::Offline { data_from: list.freshness().oldest },
    };
    if let Some(req) = how.req {
        if let Some(order_id) = listed_order {
            // An order listed but not fetched yet: fetch it now.
            door.rechecking = Some(order_id);
            commands.push(Command::AskGuests { req, request: Request::Recheck(order_id) });
        } else if id.is_some() {
            door.looking = Some(how.token);
            commands.push(Command::AskGuests { req, request: Request::LookForNew(how.token) });
        }
    }
    if let Some(id) = id {
        commands.push(Command::FindElsewhere { event_id: how.event_id, asked: asked.clone(), id });
    }
    let ring = commands.iter().all(|c| matches!(c, Command::FindElsewhere { .. })) && !how.loading;
    door.result = Some(DoorResult::NotFound { asked, check, elsewhere: None });
    (commands, ring)
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

/// Admissions the door found to make outside a scan (a guest found once the
/// list loaded): sent to the ledger. Called after every message.
pub(super) fn drain_admissions(app: &mut App) -> Vec<Command> {
    let gate = app.station.gate.clone();
    let Some(g) = app.guests.as_mut() else { return Vec::new() };
    let event_id = g.event_id;
    g.door
        .to_admit
        .drain(..)
        .map(|a| Command::Admit {
            token: a.token,
            event_id,
            attendee_id: a.attendee_id,
            order_id: a.order_id,
            gate: gate.clone(),
        })
        .collect()
}

/// The ledger's admissions of the event, as the door opened.
pub(super) fn admissions_loaded(
    app: &mut App,
    event_id: u64,
    result: Result<HashMap<u64, Admission>, LedgerError>,
    health: Health,
) -> Vec<Command> {
    app.station.ledger = health;
    let Some(g) = app.guests.as_mut().filter(|g| g.event_id == event_id) else { return Vec::new() };
    match result {
        Ok(admissions) => {
            app.station.ledger_error = None;
            g.door.admissions = admissions;
            // The verdict on screen may have been judged without them.
            g.stale = true;
        }
        Err(why) => app.station.ledger_error = Some(why.to_string()),
    }
    Vec::new()
}

/// The ledger answered an admission: only now does the verdict say VALID
/// (admitted now) or ALREADY ADMITTED (another gate, or this one, was first).
pub(super) fn admitted(
    app: &mut App,
    token: u64,
    event_id: u64,
    attendee_id: u64,
    answer: AdmitAnswer,
    health: Health,
) -> Vec<Command> {
    app.station.ledger = health;
    app.station.ledger_error = match &answer {
        AdmitAnswer::Failed(why) => Some(why.to_string()),
        _ => None,
    };
    let Some(g) = app.guests.as_mut().filter(|g| g.event_id == event_id) else { return Vec::new() };
    let head = g.door.result.as_ref().map(|r| r.guests().first().map(|(a, _, _)| *a));
    if g.door.take_admission(token, attendee_id, &answer).is_some() && head == Some(Some(attendee_id)) {
        // The headline's verdict is settled: it rings as its pattern says.
        app.bell = true;
    }
    Vec::new()
}

/// The ledger undid this gate's last admission (or had none to undo): the
/// door says whose it was.
pub(super) fn undone(
    app: &mut App,
    event_id: u64,
    result: Result<Option<Admission>, LedgerError>,
    health: Health,
) -> Vec<Command> {
    app.station.ledger = health;
    let gate = app.station.gate.clone();
    let text = match result {
        Err(why) => {
            app.notice = Some(Notice {
                text: format!("Could not undo: {}", sanitize(&why.to_string())),
                is_error: true,
            });
            return Vec::new();
        }
        Ok(None) => format!("Nothing to undo at gate {}", sanitize(gate.as_str())),
        Ok(Some(a)) => {
            let at = a.at.with_timezone(&chrono::Local).format("%H:%M:%S");
            let who = who(app, event_id, a.attendee_id);
            if let Some(g) = app.guests.as_mut().filter(|g| g.event_id == event_id) {
                g.door.undone(&a);
            }
            format!("Undone: {who}, admitted {at} at {}", sanitize(a.gate.as_str()))
        }
    };
    app.notice = Some(Notice { text, is_error: false });
    Vec::new()
}

/// Another cached event has the ticket a NOT FOUND asked for: WRONG EVENT.
pub(super) fn found_elsewhere(
    app: &mut App,
    event_id: u64,
    asked: String,
    event: Option<String>,
) -> Vec<Command> {
    let Some(event) = event else { return Vec::new() };
    let Some(g) = app.guests.as_mut().filter(|g| g.event_id == event_id) else { return Vec::new() };
    if let Some(DoorResult::NotFound { asked: shown, elsewhere, check }) = &mut g.door.result
        && *shown == asked
    {
        *elsewhere = Some(sanitize(&event).into_owned());
        // A final NOT FOUND has rung already; WRONG EVENT says which event.
        app.bell |= !matches!(check, Check::Checking | Check::Incomplete);
    }
    Vec::new()
}

/// "Ann Lee (ticket 502)" when the event's list is open and has a name for
/// them, else "ticket 502".
fn who(app: &App, event_id: u64, attendee_id: u64) -> String {
    app.guests
        .as_ref()
        .filter(|g| g.event_id == event_id)
        .and_then(|g| {
            let list = g.shown.as_ref()?;
            guest_by_attendee(list, attendee_id).map(|i| list.guests()[i].name())
        })
        .filter(|n| !n.trim().is_empty())
        .map_or_else(
            || format!("ticket {attendee_id}"),
            |n| format!("{} (ticket {attendee_id})", sanitize(&n)),
        )
}

/// Admissions queued here while the ledger was away were refused when they
/// were replayed (another gate had let the ticket in meanwhile): the door says
/// so in red, naming the guest and that gate, and counts the winner's admission.
pub(super) fn replay_refused(app: &mut App, refusals: Vec<Refusal>) -> Vec<Command> {
    for refusal in refusals {
        let (event_id, attendee_id) = (refusal.queued.event_id, refusal.queued.attendee_id);
        let guest = who(app, event_id, attendee_id);
        if let Some(g) = app.guests.as_mut().filter(|g| g.event_id == event_id) {
            g.door.admissions.insert(attendee_id, refusal.winner.clone());
            g.stale = true;
        }
        app.station.refused_on_replay.push(ReplayRefused { guest, refusal });
    }
    Vec::new()
}
