//! `update(&mut App, Msg) -> Vec<Command>`: the only place the model changes.
//! Pure: no I/O, no clock; side effects leave as commands.

use std::collections::HashSet;
use std::time::Duration;

use crate::api::{self, Attendee, Decoded, Event, Order, OrderSummary, Status};
use crate::text::sanitize;

mod door;
mod guests;
mod mouse;
mod stats;

pub use door::open_door_at;

use super::app::{App, Focus, LoginField, LoginPhase, Notice, OrdersView, Pane, Remote, ReqId, Screen};
use super::list::{List, Sort, SortKey, order_list};
use super::msg::{
    Action, BrowseAction, Command, Copied, CopyFailed, DoorAction, FilterAction, LoginAction, LoginFailed,
    LoginStart, Msg, Stored,
};
use super::sorting::{EventSorting, OrderAttendees};
use crate::guestlist::{GuestFacts, OrderFacts};
use crate::search::NoFacts;

/// How long the cursor must rest on an order before its details are fetched:
/// holding ↓ through 500 orders must not fire 500 requests.
pub const DETAIL_PAUSE: Duration = Duration::from_millis(150);

/// The commands to run at start: load the events, unless there is no token yet.
pub fn init(app: &mut App) -> Vec<Command> {
    match app.screen {
        Screen::Browse | Screen::Door | Screen::Stats => load_events(app),
        Screen::Login => Vec::new(),
    }
}

/// What the login screen says when the API refuses the token mid-session.
pub const REVOKED: &str = "Your access was revoked or the token is invalid. Log in again.";

/// Applies one message; returns what to do about it.
pub fn update(app: &mut App, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Action(action) => act(app, action),
        Msg::Mouse(event) => mouse::mouse(app, event),
        Msg::Resize { width, height } => resized(app, width, height),
        Msg::Tick => {
            app.spinner = app.spinner.wrapping_add(1);
            Vec::new()
        }
        Msg::EventsLoaded { req, result } => events_loaded(app, req, result),
        Msg::EventsOffline { req, events, error } => events_offline(app, req, events, &error),
        Msg::OrdersLoaded { req, event_id, result } => orders_loaded(app, req, event_id, result),
        Msg::OrderLoaded { req, event_id, order_id, result } => {
            order_loaded(app, req, (event_id, order_id), result)
        }
        Msg::StatsDue { seq } => stats::due(app, seq),
        Msg::DetailDue { seq } => {
            if seq == app.detail_seq {
                fetch_shown_detail(app)
            } else {
                Vec::new()
            }
        }
        Msg::Copied { result } => copied(app, result),
        Msg::LoginStarted { attempt, result } => login_started(app, attempt, result),
        Msg::LoginCode { attempt, result } => login_code(app, attempt, result),
        Msg::LoggedIn { attempt, result } => logged_in(app, attempt, result),
        Msg::GuestsCached { req, list } => guests::cached(app, req, list),
        Msg::GuestEvent { req, event } => {
            let mut commands = guests::guest_event(app, req, event);
            // A guest the door found as the list grew is admitted now.
            commands.extend(door::drain_admissions(app));
            commands
        }
        Msg::DoorAdmissions { event_id, result, health } => {
            stats::admissions_read(app, event_id, result.is_ok());
            door::admissions_loaded(app, event_id, result, health)
        }
        Msg::Admitted { token, event_id, attendee_id, answer, health } => {
            door::admitted(app, token, event_id, attendee_id, answer, health)
        }
        Msg::Undone { event_id, result, health } => door::undone(app, event_id, result, health),
        Msg::FoundElsewhere { event_id, asked, event } => door::found_elsewhere(app, event_id, asked, event),
        Msg::ReplayRefused { refusals } => door::replay_refused(app, refusals),
        Msg::Exported { result } => {
            app.notice = Some(match result {
                Ok(file) => Notice { text: format!("Exported to {}", file.display()), is_error: false },
                Err(e) => error(format!("Could not export: {e}")),
            });
            Vec::new()
        }
        Msg::LoggedOut { result } => {
            app.login.message = Some(match result {
                Ok(text) => Notice { text, is_error: false },
                Err(why) => error(why.to_string()),
            });
            Vec::new()
        }
    }
}

fn resized(app: &mut App, width: u16, height: u16) -> Vec<Command> {
    app.width = width;
    app.height = height;
    // Title, status bar, pane borders and header take about six rows.
    app.page_rows = usize::from(height).saturating_sub(6).max(1);
    Vec::new()
}

fn events_loaded(app: &mut App, req: ReqId, result: Result<Decoded<Event>, api::Error>) -> Vec<Command> {
    if app.events.items.awaited() != Some(req) {
        return Vec::new();
    }
    match result {
        Ok(decoded) => {
            note_skipped(app, decoded.skipped_count(), "events");
            app.events.set_items(decoded.items, event_fields, |a, b| a.id == b.id);
            refilter_events(app);
            resume(app)
        }
        Err(e) => {
            app.events.items = Remote::Failed(describe(&e));
            unauthorized(app, &e)
        }
    }
}

fn events_offline(app: &mut App, req: ReqId, events: Vec<Event>, error: &api::Error) -> Vec<Command> {
    if app.events.items.awaited() != Some(req) {
        return Vec::new();
    }
    app.events.set_items(events, event_fields, |a, b| a.id == b.id);
    refilter_events(app);
    app.notice = Some(Notice {
        text: format!(
            "Offline ({}): showing the events with a cached guest list; d opens the door from the cache",
            describe(error)
        ),
        is_error: true,
    });
    Vec::new()
}

fn orders_loaded(
    app: &mut App,
    req: ReqId,
    event_id: u64,
    result: Result<Decoded<OrderSummary>, api::Error>,
) -> Vec<Command> {
    let open = app.open_event.as_ref().map(|e| e.id);
    if app.orders.items.awaited() != Some(req) || open != Some(event_id) {
        return Vec::new();
    }
    match result {
        Ok(decoded) => {
            note_skipped(app, decoded.skipped_count(), "orders");
            app.orders.set_items(decoded.items, order_fields, |a, b| a.id == b.id);
            refilter_orders(app);
            if let Some(id) = app.resume_order.take()
                && let Some(i) = app.orders.all().iter().position(|o| o.id == id)
            {
                app.orders.list.select_item(i);
            }
            orders_moved(app)
        }
        Err(e) => {
            app.orders.items = Remote::Failed(describe(&e));
            unauthorized(app, &e)
        }
    }
}

fn order_loaded(
    app: &mut App,
    req: ReqId,
    key: (u64, u64),
    result: Result<Order, api::Error>,
) -> Vec<Command> {
    if app.details.get(&key).and_then(Remote::awaited) != Some(req) {
        return Vec::new();
    }
    let (state, commands) = match result {
        Ok(order) => (Remote::Loaded(order), Vec::new()),
        Err(e) => {
            let commands = unauthorized(app, &e);
            (Remote::Failed(describe(&e)), commands)
        }
    };
    app.details.insert(key, state);
    sync_attendees(app);
    commands
}

fn copied(app: &mut App, result: Result<Copied, CopyFailed>) -> Vec<Command> {
    let notice = match result {
        Ok(copied) => Notice { text: copied.to_string(), is_error: false },
        Err(why) => error(why.to_string()),
    };
    match app.screen {
        Screen::Browse | Screen::Door | Screen::Stats => app.notice = Some(notice),
        Screen::Login => app.login.message = Some(notice),
    }
    Vec::new()
}

fn login_started(
    app: &mut App,
    attempt: u64,
    result: Result<LoginStart, crate::auth::login::StartError>,
) -> Vec<Command> {
    if attempt != app.login.attempt || app.login.phase != LoginPhase::Starting {
        return Vec::new();
    }
    match result {
        Ok(start) => login_waiting(app, start),
        Err(e) => {
            app.login.phase = LoginPhase::Idle;
            app.login.message = Some(error(e.to_string()));
        }
    }
    Vec::new()
}

fn login_code(
    app: &mut App,
    attempt: u64,
    result: Result<String, crate::auth::loopback::ListenError>,
) -> Vec<Command> {
    let LoginPhase::Waiting { redirect_uri, .. } = &app.login.phase else {
        return Vec::new();
    };
    if attempt != app.login.attempt {
        return Vec::new();
    }
    match result {
        Ok(code) => {
            let redirect_uri = redirect_uri.clone();
            exchange(app, code, redirect_uri)
        }
        Err(e) => {
            app.login.message = Some(error(e.to_string()));
            app.login.field = LoginField::Paste;
            Vec::new()
        }
    }
}

fn logged_in(app: &mut App, attempt: u64, result: Result<Stored, LoginFailed>) -> Vec<Command> {
    if attempt != app.login.attempt || app.login.phase != LoginPhase::Finishing {
        return Vec::new();
    }
    app.login.phase = LoginPhase::Idle;
    match result {
        Ok(stored) => {
            app.login.message = None;
            app.login.paste.clear();
            app.login.token.clear();
            app.screen = Screen::Browse;
            let commands = start_session(app);
            app.notice = Some(Notice { text: format!("Logged in; {stored}"), is_error: false });
            commands
        }
        Err(e) => {
            app.login.message = Some(error(e.to_string()));
            Vec::new()
        }
    }
}

fn error(text: String) -> Notice {
    Notice { text: sanitize(&text).into_owned(), is_error: true }
}

/// A 401 anywhere: back to the login screen, with what was typed kept.
fn unauthorized(app: &mut App, e: &api::Error) -> Vec<Command> {
    if !matches!(e, api::Error::Unauthorized(_)) || app.screen == Screen::Login {
        return Vec::new();
    }
    app.screen = Screen::Login;
    app.login.phase = LoginPhase::Idle;
    app.login.can_go_back = false;
    app.login.message = Some(error(REVOKED.to_string()));
    vec![Command::StopLogin]
}

/// A fresh session after logging in: everything reloads.
fn start_session(app: &mut App) -> Vec<Command> {
    let mut commands = forget_session(app);
    commands.extend(load_events(app));
    commands
}

/// Everything the model knows of the account goes: nothing of one account's
/// events, orders or guests stays in the model or on screen for the next.
fn forget_session(app: &mut App) -> Vec<Command> {
    let mut commands = cancel_downstream(app);
    if let Some(req) = app.events.items.awaited() {
        commands.push(Command::Cancel(req));
    }
    if let Some(req) = app.guests.take().and_then(|g| g.awaited()) {
        commands.push(Command::Cancel(req));
    }
    app.focus = Focus::Events;
    app.orders_view = OrdersView::Orders;
    app.open_event = None;
    app.events = Pane::default();
    app.orders = Pane::default();
    app.details.clear();
    app.attendees = Pane::default();
    app.attendees_of = None;
    app.notice = None;
    commands
}

/// `L`, confirmed with `y`: the token, the client secret and this account's
/// cached guest lists go; the login screen shows.
fn log_out(app: &mut App) -> Vec<Command> {
    app.confirm_logout = false;
    let mut commands = forget_session(app);
    app.screen = Screen::Login;
    app.login.phase = LoginPhase::Idle;
    app.login.can_go_back = false;
    app.login.message = None;
    commands.push(Command::Logout { client_id: app.login.client_id.trim().to_string() });
    commands
}

fn login_waiting(app: &mut App, start: LoginStart) {
    app.login.message = start.not_listening.clone().map(error);
    app.login.field = LoginField::Paste;
    app.login.phase = LoginPhase::Waiting {
        url: start.url,
        state: start.state,
        redirect_uri: start.redirect_uri,
        not_listening: start.not_listening,
        browser_opened: start.browser_opened,
    };
}

fn exchange(app: &mut App, code: String, redirect_uri: String) -> Vec<Command> {
    app.login.phase = LoginPhase::Finishing;
    app.login.message = None;
    let credentials = crate::api::oauth::ClientCredentials {
        client_id: app.login.client_id.trim().to_string(),
        client_secret: app.login.client_secret.trim().to_string(),
    };
    vec![
        Command::StopLogin,
        Command::ExchangeCode { attempt: app.login.attempt, credentials, code, redirect_uri },
    ]
}

/// Keys on the login screen.
fn act_login(app: &mut App, action: LoginAction) -> Vec<Command> {
    let form = &mut app.login;
    match action {
        LoginAction::Backspace => {
            form.focused_text().pop();
        }
        LoginAction::NextField => form.field = form.field.step(true),
        LoginAction::PrevField => form.field = form.field.step(false),
        LoginAction::CopyUrl => {
            return match &form.phase {
                LoginPhase::Waiting { url, .. } => {
                    vec![Command::Copy { text: url.clone(), what: "the login address".into() }]
                }
                _ => {
                    form.message =
                        Some(error("Start the login first (Enter), then copy its address.".into()));
                    Vec::new()
                }
            };
        }
        LoginAction::Escape => {
            if form.can_go_back {
                app.screen = Screen::Browse;
                form.phase = LoginPhase::Idle;
                return vec![Command::StopLogin];
            }
            app.quit = true;
        }
        LoginAction::Submit => return submit_login(app),
    }
    Vec::new()
}

fn submit_login(app: &mut App) -> Vec<Command> {
    let form = &mut app.login;
    if form.phase == LoginPhase::Finishing {
        return Vec::new();
    }
    match form.field {
        LoginField::ClientId | LoginField::ClientSecret => {
            if form.client_id.trim().is_empty() {
                form.field = LoginField::ClientId;
                form.message = Some(error("Type the client id your organisation was issued.".into()));
                return Vec::new();
            }
            if form.client_secret.trim().is_empty() {
                form.field = LoginField::ClientSecret;
                form.message = Some(error("Type the client secret that goes with the client id.".into()));
                return Vec::new();
            }
            form.attempt += 1;
            form.phase = LoginPhase::Starting;
            form.message = None;
            vec![
                Command::StopLogin,
                Command::StartLogin { attempt: form.attempt, client_id: form.client_id.trim().to_string() },
            ]
        }
        LoginField::Paste => submit_paste(app),
        LoginField::Token => {
            let token = form.token.trim().to_string();
            if token.is_empty() || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
                form.message = Some(error("Paste the access token itself (one word, no spaces).".into()));
                return Vec::new();
            }
            form.attempt += 1;
            form.phase = LoginPhase::Finishing;
            form.message = None;
            vec![
                Command::StopLogin,
                Command::UseToken {
                    attempt: form.attempt,
                    token: crate::api::AccessToken::new(token),
                    client_id: form.client_id.trim().to_string(),
                },
            ]
        }
    }
}

/// Enter in the paste field: the code from the address the browser ended on
/// (or the code alone), exchanged for a token.
fn submit_paste(app: &mut App) -> Vec<Command> {
    let form = &mut app.login;
    let LoginPhase::Waiting { state, redirect_uri, .. } = &form.phase else {
        form.message = Some(error(
            "Start the login first (Enter on the client fields), then paste the address the browser ended on."
                .into(),
        ));
        return Vec::new();
    };
    match crate::auth::loopback::read_pasted(&form.paste, state) {
        Ok(code) => {
            let redirect_uri = redirect_uri.clone();
            exchange(app, code, redirect_uri)
        }
        Err(e) => {
            form.message = Some(error(format!("{e}.")));
            Vec::new()
        }
    }
}

/// Work that follows a batch of messages, once, before the next frame: the
/// attendees filter over a list that grew while loading.
pub fn settle(app: &mut App) {
    let Some(g) = app.guests.as_mut() else { return };
    app.bell |= g.settle();
    // The orders pane's qualifiers and sort read the guest list.
    if std::mem::take(&mut g.orders_stale) && app.orders.list.reads_facts() {
        app.orders.list.rows_changed(app.orders.all().len());
        refilter_orders(app);
    }
    stats::settle(app);
}

/// Whether `action` pages the help overlay: `Some(true)` on, `Some(false)` back.
fn help_paging(action: &Action) -> Option<bool> {
    match action {
        Action::Browse(BrowseAction::Down | BrowseAction::PageDown)
        | Action::Door(DoorAction::Down)
        | Action::Login(LoginAction::NextField) => Some(true),
        Action::Browse(BrowseAction::Up | BrowseAction::PageUp)
        | Action::Door(DoorAction::Up)
        | Action::Login(LoginAction::PrevField) => Some(false),
        _ => None,
    }
}

fn act(app: &mut App, action: Action) -> Vec<Command> {
    if let Some(commands) = door::intercept(app, &action) {
        // Keys just after leaving the door, and Ctrl-C at a kiosk.
        return commands;
    }
    if app.help && action != Action::Quit && action != Action::Redraw {
        // A help too long for the screen pages with ↓ ↑ (PgDn PgUp); any
        // other key closes it and does nothing else.
        let pages = app.help_pages.get();
        match help_paging(&action) {
            Some(true) if app.help_page + 1 < pages => app.help_page += 1,
            Some(false) if app.help_page > 0 => app.help_page -= 1,
            Some(_) if pages > 1 => {}
            _ => {
                app.help = false;
                app.help_page = 0;
            }
        }
        return Vec::new();
    }
    if app.screen == Screen::Browse
        && !matches!(action, Action::Browse(BrowseAction::CopyOne | BrowseAction::CopyAll))
    {
        app.notice = None;
    }
    match action {
        Action::Quit => app.quit = true,
        Action::Redraw => app.redraw = true,
        Action::Help => app.help = true,
        Action::Confirm(yes) => return confirm(app, yes),
        Action::Type(c) => return type_char(app, c),
        Action::Paste(text) => return paste(app, &text),
        Action::Browse(a) if app.screen == Screen::Browse => return act_browse(app, a),
        Action::Filter(a) if app.screen == Screen::Browse => return act_filter(app, a),
        Action::Login(a) if app.screen == Screen::Login => return act_login(app, a),
        Action::Door(a) if app.screen == Screen::Door => return door::act_door(app, a),
        Action::Stats(a) if app.screen == Screen::Stats => return stats::act_stats(app, a),
        // The keymap sends a screen's actions only while it shows.
        Action::Browse(_) | Action::Filter(_) | Action::Login(_) | Action::Door(_) | Action::Stats(_) => {}
    }
    Vec::new()
}

/// The answer to the status bar's question (only log out asks).
fn confirm(app: &mut App, yes: bool) -> Vec<Command> {
    if yes && app.confirm_logout {
        return log_out(app);
    }
    app.confirm_logout = false;
    Vec::new()
}

/// A printable key where text is entered: the login field, the door's input,
/// the filter being typed.
fn type_char(app: &mut App, c: char) -> Vec<Command> {
    match app.screen {
        Screen::Login => {
            app.login.focused_text().push(c);
            Vec::new()
        }
        Screen::Door => door::type_char(app, c),
        Screen::Browse if app.filter_editing() => edit_filter(app, |q| q.push(c)),
        Screen::Browse | Screen::Stats => Vec::new(),
    }
}

/// Bracketed paste: into the login field or the filter being typed, control
/// characters dropped.
fn paste(app: &mut App, text: &str) -> Vec<Command> {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    match app.screen {
        Screen::Login => {
            app.login.focused_text().push_str(clean.trim());
            Vec::new()
        }
        Screen::Browse if app.filter_editing() => edit_filter(app, |q| q.push_str(&clean)),
        Screen::Browse | Screen::Door | Screen::Stats => Vec::new(),
    }
}

/// Keys in the lists.
fn act_browse(app: &mut App, action: BrowseAction) -> Vec<Command> {
    match action {
        BrowseAction::Up => move_selection(app, |l, _| l.move_by(-1)),
        BrowseAction::Down => move_selection(app, |l, _| l.move_by(1)),
        BrowseAction::PageUp => move_selection(app, |l, page| l.move_by(-page)),
        BrowseAction::PageDown => move_selection(app, |l, page| l.move_by(page)),
        BrowseAction::HalfPageUp => move_selection(app, |l, page| l.move_by(-(page / 2).max(1))),
        BrowseAction::HalfPageDown => move_selection(app, |l, page| l.move_by((page / 2).max(1))),
        BrowseAction::Top => move_selection(app, |l, _| l.move_to(false)),
        BrowseAction::Bottom => move_selection(app, |l, _| l.move_to(true)),
        BrowseAction::Open => open(app),
        BrowseAction::Back => {
            app.focus = match app.focus {
                Focus::Detail => Focus::Orders,
                Focus::Orders | Focus::Events => Focus::Events,
            };
            Vec::new()
        }
        BrowseAction::Filter => {
            with_focused(app, |list| list.editing = true);
            Vec::new()
        }
        BrowseAction::CopyOne => copy_one(app),
        BrowseAction::CopyAll => copy_all(app),
        BrowseAction::Refresh => refresh(app),
        BrowseAction::RefreshAll => refresh_all(app),
        BrowseAction::Logout => {
            app.confirm_logout = true;
            Vec::new()
        }
        BrowseAction::Attendees => guests::toggle_attendees(app),
        BrowseAction::Door => door::open_door(app),
        BrowseAction::Export => guests::export(app),
        BrowseAction::Sort => sort_focused(app, false),
        BrowseAction::SortReverse => sort_focused(app, true),
        BrowseAction::Stats => stats::open_stats(app),
    }
}

/// Keys for the focused list's filter.
fn act_filter(app: &mut App, action: FilterAction) -> Vec<Command> {
    match action {
        FilterAction::Backspace => edit_filter(app, |q| {
            q.pop();
        }),
        FilterAction::Keep => {
            with_focused(app, |list| list.editing = false);
            Vec::new()
        }
        FilterAction::Clear => {
            with_focused(app, |list| list.editing = false);
            edit_filter(app, String::clear)
        }
    }
}

/// Runs `f` on the focused list, if there is one (the attendees view has none
/// before its guest list exists).
fn with_focused<R>(app: &mut App, f: impl FnOnce(&mut List) -> R) -> Option<R> {
    match (app.focus, app.orders_view) {
        (Focus::Orders, OrdersView::Attendees) => app.guests.as_mut().map(|g| f(&mut g.list)),
        (Focus::Events, _) => Some(f(&mut app.events.list)),
        (Focus::Orders, _) => Some(f(&mut app.orders.list)),
        (Focus::Detail, _) => Some(f(&mut app.attendees.list)),
    }
}

/// Runs the focused list's filter if its query or rows changed.
fn refilter_focused(app: &mut App) {
    match (app.focus, app.orders_view) {
        (Focus::Orders, OrdersView::Attendees) => {
            if let Some(g) = app.guests.as_mut() {
                app.bell |= g.settle();
            }
        }
        (Focus::Events, _) => refilter_events(app),
        (Focus::Orders, _) => refilter_orders(app),
        (Focus::Detail, _) => refilter_attendees(app),
    }
}

/// The events list's filter and sort.
fn refilter_events(app: &mut App) {
    let pane = &mut app.events;
    let items = pane.items.loaded().map_or(&[][..], Vec::as_slice);
    let sorting = EventSorting(items);
    order_list(&mut pane.list, pane.rows.view(), &sorting);
    pane.list.refilter(pane.rows.view(), &NoFacts);
    pane.reselect();
}

/// The orders pane's filter and sort: both read the event's guest list
/// (statuses, money, tickets), as far as it is known.
pub(super) fn refilter_orders(app: &mut App) {
    let ids: Vec<u64> = app.orders.all().iter().map(|o| o.id).collect();
    let open = app.open_event.as_ref().map(|e| e.id);
    let guests = app.guests.as_ref().filter(|g| Some(g.event_id) == open).and_then(|g| {
        let list = g.shown.as_ref()?;
        Some(GuestFacts { list, admitted: Some(&g.door.admissions) })
    });
    let facts = OrderFacts { order_ids: &ids, guests };
    app.orders.refilter_knowing(&facts, &facts);
}

/// The detail pane's attendees: filter and sort.
fn refilter_attendees(app: &mut App) {
    let key = app.shown_order();
    let order = key.and_then(|k| app.details.get(&k)).and_then(Remote::loaded);
    let pane = &mut app.attendees;
    let attendees = pane.items.loaded().map_or(&[][..], Vec::as_slice);
    let known = OrderAttendees { attendees, order };
    order_list(&mut pane.list, pane.rows.view(), &known);
    pane.list.refilter(pane.rows.view(), &known);
    pane.reselect();
}

/// `o` (`reverse`: `O`): the focused list sorted by its next key, or the sort reversed.
fn sort_focused(app: &mut App, reverse: bool) -> Vec<Command> {
    use SortKey::*;
    let keys: &[SortKey] = match (app.focus, app.orders_view) {
        (Focus::Events, _) => &[Name, Id],
        (Focus::Orders, _) => &[Name, Id, Amount, Due, CheckIn],
        (Focus::Detail, _) => &[Name, Id, CheckIn],
    };
    let sorted = with_focused(app, |list| {
        let next = match (list.sort(), reverse) {
            (Some(s), true) => Some(Sort { reverse: !s.reverse, ..s }),
            (None, true) => Some(Sort { key: keys[0], reverse: true }),
            (None, false) => Some(Sort { key: keys[0], reverse: false }),
            (Some(s), false) => {
                let at = keys.iter().position(|k| *k == s.key).map_or(0, |i| i + 1);
                keys.get(at).map(|&key| Sort { key, reverse: false })
            }
        };
        list.set_sort(next);
        next
    });
    let Some(sorted) = sorted else { return Vec::new() };
    refilter_focused(app);
    app.notice = Some(Notice {
        text: match sorted {
            Some(s) => format!("Sorted by {} {}", s.key.label(), if s.reverse { "↓" } else { "↑" }),
            None => "In Floktu's order (best matches first under a filter)".into(),
        },
        is_error: false,
    });
    if app.focus == Focus::Orders && app.orders_view == OrdersView::Orders {
        orders_moved(app)
    } else {
        Vec::new()
    }
}

fn move_selection(app: &mut App, f: impl FnOnce(&mut List, isize)) -> Vec<Command> {
    let page = app.page_rows as isize;
    with_focused(app, |list| f(list, page));
    if app.focus == Focus::Orders && app.orders_view == OrdersView::Orders {
        orders_moved(app)
    } else {
        Vec::new()
    }
}

/// Changes the focused list's filter text and runs the filter: once per
/// keystroke, over the last matches when the query narrows them.
fn edit_filter(app: &mut App, edit: impl FnOnce(&mut String)) -> Vec<Command> {
    with_focused(app, |list| list.edit_query(edit));
    refilter_focused(app);
    if app.focus == Focus::Orders && app.orders_view == OrdersView::Orders {
        orders_moved(app)
    } else {
        Vec::new()
    }
}

/// Enter: drill into the selection.
fn open(app: &mut App) -> Vec<Command> {
    match app.focus {
        Focus::Events => {
            let Some(event) = app.events.selected_item().cloned() else {
                return Vec::new();
            };
            app.focus = Focus::Orders;
            let same = app.open_event.as_ref().is_some_and(|e| e.id == event.id);
            if same && !matches!(app.orders.items, Remote::Failed(_)) {
                return Vec::new();
            }
            open_event(app, event)
        }
        Focus::Orders if app.orders_view == OrdersView::Attendees => guests::open_guest(app),
        Focus::Orders => {
            if app.orders.selected_item().is_none() {
                return Vec::new();
            }
            app.focus = Focus::Detail;
            fetch_shown_detail(app)
        }
        Focus::Detail => Vec::new(),
    }
}

/// Back where the last session was left (`tui::position`), once the events
/// are in: the event opened, its view, the selected order, the filter.
fn resume(app: &mut App) -> Vec<Command> {
    use super::position::View;
    let Some(p) = app.resume.take() else { return Vec::new() };
    let Some(index) = app.events.all().iter().position(|e| e.id == p.event_id) else { return Vec::new() };
    app.events.list.select_item(index);
    let Some(event) = app.events.all().get(index).cloned() else { return Vec::new() };
    let mut commands = open_event(app, event);
    app.resume_order = p.order_id;
    app.focus = p.focus.into();
    match p.view {
        View::Attendees => {
            app.focus = Focus::Orders;
            app.orders_view = OrdersView::Attendees;
            commands.extend(guests::ensure_guests(app));
        }
        View::Door => {
            app.focus = Focus::Orders;
            commands.extend(door::open_door(app));
        }
        View::Stats => {
            app.focus = Focus::Orders;
            commands.extend(stats::open_stats(app));
        }
        View::Orders => {}
    }
    if matches!(p.view, View::Orders | View::Attendees) {
        with_focused(app, |list| list.edit_query(|q| q.push_str(&p.filter)));
        refilter_focused(app);
    }
    commands
}

/// What `d` and `s` act on: from the events pane, the selected event, opened
/// unless it already is, with the middle pane focused; elsewhere the open
/// event as it is. `None` when the events pane has nothing selected.
fn open_selected_event(app: &mut App) -> Option<Vec<Command>> {
    let mut commands = Vec::new();
    if app.focus == Focus::Events {
        let event = app.events.selected_item().cloned()?;
        if app.open_event.as_ref().map(|e| e.id) != Some(event.id) {
            commands.extend(open_event(app, event));
        }
        app.focus = Focus::Orders;
    }
    Some(commands)
}

/// A new event: its orders load; the old event's requests are cancelled.
fn open_event(app: &mut App, event: Event) -> Vec<Command> {
    let mut commands = cancel_downstream(app);
    if let Some(req) = app.guests.take().and_then(|g| g.awaited()) {
        commands.push(Command::Cancel(req));
    }
    app.orders_view = OrdersView::Orders;
    let req = app.next_req();
    app.orders = Pane::loading(req);
    app.attendees = Pane::default();
    app.attendees_of = None;
    commands.push(Command::FetchOrders { req, event_id: event.id });
    app.open_event = Some(event);
    if app.eager_details {
        // The orders pane shows each order's status and money as its details arrive.
        commands.extend(guests::ensure_guests(app));
    }
    commands
}

/// Cancels the orders request and any detail requests in flight, forgetting
/// their `Loading` marks so the details are asked for again when needed.
fn cancel_downstream(app: &mut App) -> Vec<Command> {
    let mut commands: Vec<Command> = app.orders.items.awaited().into_iter().map(Command::Cancel).collect();
    for req in app.awaited_details() {
        commands.push(Command::Cancel(req));
    }
    app.details.retain(|_, d| !d.is_loading());
    commands
}

/// The selected order changed: show what is known now, fetch the rest after a pause.
fn orders_moved(app: &mut App) -> Vec<Command> {
    app.detail_seq += 1;
    sync_attendees(app);
    match app.shown_order() {
        Some(key) if !app.details.contains_key(&key) => {
            vec![Command::DetailAfter { seq: app.detail_seq, after: DETAIL_PAUSE }]
        }
        _ => Vec::new(),
    }
}

/// Fetches the shown order's details unless they are known or on their way.
fn fetch_shown_detail(app: &mut App) -> Vec<Command> {
    let Some(key) = app.shown_order() else {
        return Vec::new();
    };
    if app.details.contains_key(&key) {
        return Vec::new();
    }
    let req = app.next_req();
    app.details.insert(key, Remote::Loading(req));
    vec![Command::FetchOrder { req, event_id: key.0, order_id: key.1 }]
}

/// Rebuilds the attendees list when the shown order, or what is known of it, changed.
fn sync_attendees(app: &mut App) {
    let shown = app.shown_order();
    let loaded = shown.and_then(|k| app.details.get(&k)).and_then(Remote::loaded);
    match (shown, loaded) {
        (Some(key), Some(order)) if app.attendees_of != Some(key) => {
            let attendees = order.attendees.clone();
            let email = order.email.clone();
            app.attendees = Pane::loading_with(ReqId(0), &app.attendees);
            app.attendees.set_items(
                attendees,
                |a| attendee_fields(a, &email),
                |a, b| a.attendee_id == b.attendee_id,
            );
            app.attendees_of = Some(key);
            refilter_attendees(app);
        }
        (_, None) if app.attendees_of.is_some() => {
            app.attendees = Pane::loading_with(ReqId(0), &app.attendees);
            app.attendees.items = Remote::NotAsked;
            app.attendees_of = None;
        }
        _ => {}
    }
}

fn refresh(app: &mut App) -> Vec<Command> {
    if app.attendees_shown() {
        return guests::reload_guests(app, false);
    }
    match app.focus {
        Focus::Events => load_events(app),
        Focus::Orders => match app.open_event.clone() {
            Some(event) => reload_orders(app, event),
            None => Vec::new(),
        },
        Focus::Detail => {
            let Some(key) = app.shown_order() else {
                return Vec::new();
            };
            let mut commands: Vec<Command> =
                app.details.remove(&key).and_then(|d| d.awaited()).map(Command::Cancel).into_iter().collect();
            app.attendees_of = None;
            commands.extend(fetch_shown_detail(app));
            commands
        }
    }
}

fn refresh_all(app: &mut App) -> Vec<Command> {
    let mut commands = cancel_downstream(app);
    app.details.clear();
    app.attendees_of = None;
    if let Some(req) = app.events.items.awaited() {
        commands.push(Command::Cancel(req));
    }
    commands.extend(load_events(app));
    if let Some(event) = app.open_event.clone() {
        // The guest list stays and merges what the refresh brings.
        let guests = app.guests.take().filter(|g| g.event_id == event.id);
        let view = app.orders_view;
        commands.extend(reload_orders(app, event));
        if guests.is_some() {
            app.guests = guests;
            app.orders_view = view;
            commands.extend(guests::reload_guests(app, true));
        }
    }
    commands
}

fn load_events(app: &mut App) -> Vec<Command> {
    let req = app.next_req();
    app.events = Pane::loading_with(req, &app.events);
    vec![Command::FetchEvents { req }]
}

/// Reloads the open event's orders, keeping the filter text.
fn reload_orders(app: &mut App, event: Event) -> Vec<Command> {
    let query = app.orders.list.query().to_string();
    let commands = open_event(app, event);
    app.orders.list.edit_query(|q| *q = query);
    commands
}

fn copy_one(app: &mut App) -> Vec<Command> {
    if app.attendees_shown() {
        let email = app.guests.as_ref().and_then(|g| {
            let i = g.list.selected_item()?;
            g.shown.as_ref()?.guests().get(i).map(|guest| guest.email().to_string())
        });
        return match email.map(|e: String| sanitize(&e).trim().to_string()).filter(|e| !e.is_empty()) {
            Some(email) => vec![Command::Copy { what: email.clone(), text: email }],
            None => no_email(app),
        };
    }
    let email = match app.focus {
        Focus::Events => None,
        Focus::Orders => app.orders.selected_item().map(|o| o.email.clone()),
        Focus::Detail => {
            let purchaser = app.shown_detail().and_then(Remote::loaded).map_or("", |o| o.email.as_str());
            app.attendees.selected_item().map(|a| a.email_or(purchaser).to_string())
        }
    };
    match email.map(|e| sanitize(&e).trim().to_string()).filter(|e| !e.is_empty()) {
        Some(email) => vec![Command::Copy { what: email.clone(), text: email }],
        None => no_email(app),
    }
}

/// `Y`: the distinct emails of the list as filtered. Those of cancelled
/// orders are left out, as `floktu emails` does, unless the list shows nothing
/// else (filtered by `is:cancelled`, they are what is wanted).
fn copy_all(app: &mut App) -> Vec<Command> {
    let (distinct, left_out) = {
        let emails = emails_shown(app);
        let only_cancelled = emails.iter().all(|&(_, c)| c);
        let left_out = if only_cancelled { 0 } else { emails.iter().filter(|&&(_, c)| c).count() };
        let kept = emails.iter().filter(|&&(_, c)| only_cancelled || !c).map(|&(e, _)| e);
        (distinct_emails(kept), left_out)
    };
    if distinct.is_empty() {
        return no_email(app);
    }
    let mut what = if distinct.len() == 1 {
        "1 email".to_string()
    } else {
        format!("{} emails", crate::text::thousands(distinct.len()))
    };
    let n = crate::text::thousands(left_out);
    match (left_out, app.attendees_shown()) {
        (0, _) => {}
        (1, true) => what.push_str(" (1 guest of a cancelled order left out)"),
        (_, true) => what.push_str(&format!(" ({n} guests of cancelled orders left out)")),
        (1, false) => what.push_str(" (1 cancelled order left out)"),
        (_, false) => what.push_str(&format!(" ({n} cancelled orders left out)")),
    }
    vec![Command::Copy { text: distinct.join("\n"), what }]
}

/// Each email of the focused list as filtered, and whether it is of an order
/// known to be cancelled.
fn emails_shown(app: &App) -> Vec<(&str, bool)> {
    let list = app.guests.as_ref().and_then(|g| g.shown.as_ref());
    if app.attendees_shown() {
        let (Some(g), Some(list)) = (&app.guests, list) else { return Vec::new() };
        return g
            .visible()
            .into_iter()
            .filter_map(|i| list.guests().get(i))
            .map(|guest| (guest.email(), guest.order.status == Status::Cancelled))
            .collect();
    }
    let cancelled = |order_id: u64| {
        list.and_then(|l| l.purchase(order_id)).is_some_and(|p| p.status == Status::Cancelled)
    };
    match app.focus {
        Focus::Events => Vec::new(),
        Focus::Orders => app.orders.visible_items().map(|o| (o.email.as_str(), cancelled(o.id))).collect(),
        Focus::Detail => {
            let purchaser = app.shown_detail().and_then(Remote::loaded).map_or("", |o| o.email.as_str());
            app.attendees.visible_items().map(|a| (a.email_or(purchaser), false)).collect()
        }
    }
}

/// Distinct emails in list order, sanitized; case-insensitive duplicates dropped.
pub fn distinct_emails<'a>(emails: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = HashSet::new();
    emails
        .into_iter()
        .map(|e| sanitize(e).trim().to_string())
        .filter(|e| !e.is_empty() && seen.insert(e.to_lowercase()))
        .collect()
}

fn no_email(app: &mut App) -> Vec<Command> {
    let text = match app.focus {
        Focus::Events => "Events have no emails: open one (Enter) and copy from its orders",
        _ => "Nothing to copy here",
    };
    app.notice = Some(Notice { text: text.to_string(), is_error: true });
    Vec::new()
}

fn note_skipped(app: &mut App, count: usize, what: &str) {
    if count > 0 {
        app.notice = Some(Notice {
            text: format!("{count} {what} could not be read and are not shown"),
            is_error: true,
        });
    }
}

/// An error as a pane shows it.
fn describe(e: &api::Error) -> String {
    sanitize(&e.to_string()).into_owned()
}

/// An event's searchable fields: its name, then its id.
fn event_fields(e: &Event) -> Vec<String> {
    vec![e.name.clone(), e.id.to_string()]
}

/// An order's searchable fields: the purchaser's name, email, order id.
fn order_fields(o: &OrderSummary) -> Vec<String> {
    crate::output::order::search_fields(o)
}

/// An attendee's searchable fields: name, company, ticket, email, id.
fn attendee_fields(a: &Attendee, purchaser: &str) -> Vec<String> {
    vec![
        format!("{} {}", a.first_name, a.last_name),
        a.company.clone().unwrap_or_default(),
        a.ticket.clone(),
        a.email_or(purchaser).to_string(),
        a.attendee_id.to_string(),
    ]
}
