//! `update` driven by random messages: whatever the user presses and whatever
//! comes back, in whatever order, the model stays consistent (src/tui/update).

use std::collections::BTreeSet;
use std::time::Duration;

use super::support;
use super::*;
use floktu_tui::api::{
    self, Answer, Attendee, CheckIn, Decoded, Event, Money, Order, OrderSummary, Skipped, Status,
};
use floktu_tui::auth::login::StartError;
use floktu_tui::auth::loopback::ListenError;
use floktu_tui::guestlist::{GuestList, LoadEvent, Throttle};
use floktu_tui::tui::app::{App, LoginForm, LoginPhase, ReqId, Screen};
use floktu_tui::tui::msg::{
    Action, BrowseAction, Command, Copied, CopyFailed, DoorAction, FilterAction, LoginAction, LoginFailed,
    LoginStart, LogoutFailed, Msg, StatsAction, Stored,
};
use floktu_tui::tui::update::{init, settle, update};
use floktu_tui::tui::view;
use floktu_tui::tui::worker::ExportError;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Which request a result answers, chosen when it is sent: one the model
/// waits for, any one issued so far (mostly stale), or any number at all.
#[derive(Clone, Debug)]
enum Req {
    Awaited(usize),
    Issued(usize),
    Raw(u64),
}

/// A login attempt, a detail pause or an event: the current one, or any.
#[derive(Clone, Debug)]
enum Tag {
    Current,
    Raw(u64),
}

#[derive(Clone, Debug)]
enum Step {
    Action(Action),
    Resize(u16, u16),
    Tick,
    Events(Req, Result<Decoded<Event>, api::Error>),
    EventsOffline(Req, Vec<Event>, api::Error),
    Orders(Req, Tag, Result<Decoded<OrderSummary>, api::Error>),
    /// An order's details; `true`: the body's id is the one asked for.
    Order(Req, bool, Result<Order, api::Error>),
    DetailDue(Tag),
    GuestsCached(Req, Option<Vec<Order>>),
    Guest(Req, LoadEvent),
    LoginStarted(Tag, Result<LoginStart, String>),
    LoginCode(Tag, Result<String, String>),
    LoggedIn(Tag, Result<String, String>),
    LoggedOut(Result<String, String>),
    Exported(Result<String, String>),
    Copied(Result<String, String>),
    /// The user completes a login on the login screen: Enter on the client
    /// fields, then the handoff's answers, each for the current attempt.
    LogIn,
    /// What the loop does after a batch of messages.
    Settle,
    /// Settle, then draw into a terminal of this size.
    Render(u16, u16),
}

fn req() -> impl Strategy<Value = Req> {
    prop_oneof![
        4 => (0usize..8).prop_map(Req::Awaited),
        2 => (0usize..64).prop_map(Req::Issued),
        1 => prop_oneof![0u64..40, Just(u64::MAX)].prop_map(Req::Raw),
    ]
}

fn tag() -> impl Strategy<Value = Tag> {
    prop_oneof![4 => Just(Tag::Current), 1 => (0u64..20).prop_map(Tag::Raw)]
}

fn text_result() -> impl Strategy<Value = Result<String, String>> {
    prop_oneof![short_text().prop_map(Ok), short_text().prop_map(Err)]
}

fn error() -> impl Strategy<Value = api::Error> {
    let dur = (0u64..100).prop_map(Duration::from_secs);
    prop_oneof![
        1 => short_text().prop_map(api::Error::Unauthorized),
        2 => short_text().prop_map(api::Error::NotFound),
        2 => proptest::option::of(dur.clone()).prop_map(|retry_after| api::Error::RateLimited { retry_after }),
        2 => (any::<u16>(), short_text()).prop_map(|(status, message)| api::Error::Server { status, message }),
        2 => (short_text(), short_text()).prop_map(|(message, excerpt)| api::Error::Decode { message, excerpt }),
        2 => dur.prop_map(api::Error::Timeout),
        2 => short_text().prop_map(api::Error::Network),
        1 => any::<usize>().prop_map(|limit| api::Error::TooLarge { limit }),
        1 => short_text().prop_map(api::Error::Config),
    ]
}

/// Ids from a small range, so that lists share them, and now and then any.
fn id(small: std::ops::Range<u64>) -> impl Strategy<Value = u64> {
    prop_oneof![8 => small, 1 => any::<u64>()]
}

fn event() -> impl Strategy<Value = Event> {
    (id(10..18), short_text()).prop_map(|(id, name)| Event { id, name })
}

fn order_summary() -> impl Strategy<Value = OrderSummary> {
    (id(1..9), short_text(), short_text(), short_text())
        .prop_map(|(id, email, first_name, last_name)| OrderSummary { id, email, first_name, last_name })
}

fn attendee() -> impl Strategy<Value = Attendee> {
    let answer = (prop_oneof![Just("Email".to_string()), short_text()], proptest::option::of(short_text()))
        .prop_map(|(question, answer)| Answer { question, answer });
    (
        id(500..510),
        (short_text(), short_text(), proptest::option::of(short_text())),
        (proptest::option::of(short_text()), short_text()),
        proptest::option::of(short_text().prop_map(|raw| CheckIn { raw, at: None })),
        prop::collection::vec(answer, 0..2),
    )
        .prop_map(
            |(attendee_id, (first_name, last_name, company), (ticket_group, ticket), check_in, answers)| {
                Attendee {
                    attendee_id,
                    ticket_group,
                    ticket,
                    check_in,
                    first_name,
                    last_name,
                    company,
                    answers,
                }
            },
        )
}

fn order() -> impl Strategy<Value = Order> {
    let status =
        prop::sample::select(vec![Status::Unconfirmed, Status::Confirmed, Status::Cancelled, Status::Other]);
    let money = proptest::option::of(any::<i64>().prop_map(Money));
    (
        id(1..9),
        (short_text(), short_text(), proptest::option::of(short_text())),
        (money.clone(), money, status),
        prop::collection::vec(attendee(), 0..4),
    )
        .prop_map(|(id, (name, email, voucher), (order_amount, amount_paid, status), attendees)| Order {
            id,
            name,
            email,
            order_amount,
            amount_paid,
            voucher,
            status,
            attendees,
            skipped_attendees: Vec::new(),
        })
}

fn decoded<T: std::fmt::Debug>(item: impl Strategy<Value = T>) -> impl Strategy<Value = Decoded<T>> {
    let skipped = (short_text(), short_text()).prop_map(|(at, reason)| Skipped { at, reason });
    (prop::collection::vec(item, 0..7), prop::collection::vec(skipped, 0..2))
        .prop_map(|(items, skipped)| Decoded { items, skipped })
}

fn load_event() -> impl Strategy<Value = LoadEvent> {
    prop_oneof![
        2 => prop::collection::vec(id(1..9), 0..6)
            .prop_map(|order_ids| LoadEvent::Orders { order_ids, skipped: Vec::new() }),
        4 => order().prop_map(|o| LoadEvent::Order(Box::new(o))),
        1 => (id(1..9), error()).prop_map(|(order_id, error)| LoadEvent::Failed { order_id, error }),
        1 => (0usize..8, proptest::option::of((0u64..30).prop_map(Duration::from_secs)))
            .prop_map(|(limit, wait)| LoadEvent::Throttled(Throttle { limit, wait, per_second: None })),
        1 => error().prop_map(LoadEvent::ListFailed),
        2 => Just(LoadEvent::Done),
    ]
}

fn login_start() -> impl Strategy<Value = LoginStart> {
    // The URL is built by floktu itself, so it is encoded; the rest is any text.
    (short_text(), proptest::option::of(short_text()), any::<bool>()).prop_map(
        |(state, not_listening, browser_opened)| LoginStart {
            url: url::Url::parse_with_params("https://floktu.com/api/v2/authorize", [("state", &state)])
                .map(String::from)
                .unwrap_or_default(),
            state,
            redirect_uri: "http://127.0.0.1:8765/callback".into(),
            not_listening,
            browser_opened,
        },
    )
}

/// A character typed: one of the fixture's names and emails (so that filters
/// keep matching something), a digit (what scanners type), or any.
fn typed() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select("anbolecyxm@.".chars().collect::<Vec<char>>()),
        2 => proptest::char::range('0', '9'),
        1 => any::<char>(),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    use BrowseAction as B;
    let browse = |v: Vec<BrowseAction>| prop::sample::select(v).prop_map(Action::Browse);
    prop_oneof![
        6 => Just(Action::Browse(B::Up)),
        6 => Just(Action::Browse(B::Down)),
        4 => browse(vec![B::PageUp, B::PageDown, B::HalfPageUp, B::HalfPageDown, B::Top, B::Bottom]),
        8 => browse(vec![B::Open, B::Back]),
        2 => Just(Action::Browse(B::Filter)),
        4 => prop::sample::select(vec![FilterAction::Backspace, FilterAction::Keep, FilterAction::Clear])
            .prop_map(Action::Filter),
        15 => typed().prop_map(Action::Type),
        2 => any_text().prop_map(Action::Paste),
        3 => browse(vec![B::CopyOne, B::CopyAll, B::Refresh, B::RefreshAll, B::Export]),
        1 => Just(Action::Help),
        1 => prop::sample::select(vec![Action::Quit, Action::Browse(B::Logout), Action::Confirm(true)]),
        4 => browse(vec![B::Attendees, B::Door, B::Stats]),
        2 => prop::sample::select(vec![StatsAction::Back, StatsAction::Refresh]).prop_map(Action::Stats),
        5 => prop::sample::select(vec![
            DoorAction::Backspace,
            DoorAction::Submit,
            DoorAction::Clear,
            DoorAction::Privacy,
            DoorAction::Up,
            DoorAction::Down,
            DoorAction::Refresh,
            DoorAction::Leave,
            DoorAction::Undo,
        ])
        .prop_map(Action::Door),
        3 => prop::sample::select(vec![
            LoginAction::Backspace,
            LoginAction::NextField,
            LoginAction::PrevField,
            LoginAction::Submit,
            LoginAction::CopyUrl,
            LoginAction::Escape,
        ])
        .prop_map(Action::Login),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        24 => action().prop_map(Step::Action),
        1 => (any::<u16>(), any::<u16>()).prop_map(|(w, h)| Step::Resize(w, h)),
        2 => (0u16..200, 0u16..60).prop_map(|(w, h)| Step::Resize(w, h)),
        1 => Just(Step::Tick),
        2 => (req(), prop_oneof![3 => decoded(event()).prop_map(Ok), 1 => error().prop_map(Err)])
            .prop_map(|(r, result)| Step::Events(r, result)),
        1 => (req(), prop::collection::vec(event(), 0..4), error())
            .prop_map(|(r, events, e)| Step::EventsOffline(r, events, e)),
        3 => (req(), tag(), prop_oneof![3 => decoded(order_summary()).prop_map(Ok), 1 => error().prop_map(Err)])
            .prop_map(|(r, t, result)| Step::Orders(r, t, result)),
        4 => (req(), prop::bool::weighted(0.9), prop_oneof![3 => order().prop_map(Ok), 1 => error().prop_map(Err)])
            .prop_map(|(r, same, result)| Step::Order(r, same, result)),
        3 => tag().prop_map(Step::DetailDue),
        1 => (req(), proptest::option::of(prop::collection::vec(order(), 0..4)))
            .prop_map(|(r, list)| Step::GuestsCached(r, list)),
        6 => (req(), load_event()).prop_map(|(r, e)| Step::Guest(r, e)),
        1 => (tag(), prop_oneof![3 => login_start().prop_map(Ok), 1 => short_text().prop_map(Err)])
            .prop_map(|(t, result)| Step::LoginStarted(t, result)),
        1 => (tag(), text_result()).prop_map(|(t, result)| Step::LoginCode(t, result)),
        1 => (tag(), text_result()).prop_map(|(t, result)| Step::LoggedIn(t, result)),
        1 => text_result().prop_map(Step::LoggedOut),
        1 => text_result().prop_map(Step::Exported),
        1 => text_result().prop_map(Step::Copied),
        1 => Just(Step::LogIn),
        3 => Just(Step::Settle),
        2 => (0u16..=220, 0u16..=70).prop_map(|(w, h)| Step::Render(w, h)),
    ]
}

/// Where the sequence starts.
#[derive(Clone, Copy, Debug)]
enum Start {
    /// Just started: the events are loading.
    Fresh,
    /// Event 12 open with its orders, a detail and the guest list loaded.
    Loaded,
    /// The same, in door mode.
    Door,
    /// The login screen, with nothing to go back to.
    Login,
}

fn start_app(start: Start) -> App {
    let mut app = match start {
        Start::Fresh => {
            let mut app = App::new("floktu.com".into(), false);
            init(&mut app);
            app
        }
        Start::Loaded | Start::Door => support::with_everything_loaded(),
        Start::Login => {
            let mut app = App::new("floktu.com".into(), false);
            app.screen = Screen::Login;
            app
        }
    };
    let (id, secret) = (app.login.client_id.clone(), app.login.client_secret.clone());
    if id.is_empty() && secret.is_empty() {
        app.login = LoginForm::new(Some("client-1".into()), Some("s3cr3t".into()));
    }
    if let Start::Door = start {
        support::act(&mut app, Action::Browse(BrowseAction::Door));
    }
    app
}

/// What the test knows about the requests `update` asked for.
struct Ledger {
    /// Every request id any command carried (or that was in flight at the start).
    issued: Vec<ReqId>,
    /// Requests a `Cancel` stopped.
    cancelled: BTreeSet<ReqId>,
    /// Every request id issued so far is below this.
    next_fresh: ReqId,
    /// The highest login attempt a StartLogin or UseToken carried.
    last_attempt: u64,
    /// Login attempts a command was sent for (StartLogin, ExchangeCode, UseToken).
    login_commands: BTreeSet<u64>,
}

impl Ledger {
    fn new(app: &mut App) -> Ledger {
        // Every id handed out so far is below the next one.
        let next_fresh = app.next_req();
        Ledger {
            issued: awaited(app),
            cancelled: BTreeSet::new(),
            next_fresh,
            last_attempt: app.login.attempt,
            login_commands: BTreeSet::new(),
        }
    }

    fn pick(&self, r: &Req, awaited: Option<ReqId>) -> ReqId {
        match (r, awaited) {
            (Req::Awaited(_), Some(req)) => req,
            (Req::Awaited(i) | Req::Issued(i), _) => {
                self.issued.get(i % self.issued.len().max(1)).copied().unwrap_or(ReqId(*i as u64))
            }
            (Req::Raw(n), _) => ReqId(*n),
        }
    }
}

/// Every request the model waits for, in any pane.
fn awaited(app: &App) -> Vec<ReqId> {
    let mut all: Vec<ReqId> =
        [app.events.items.awaited(), app.orders.items.awaited()].into_iter().flatten().collect();
    all.extend(app.awaited_details());
    all.extend(app.guests.as_ref().and_then(|g| g.awaited()));
    all
}

fn tagged(t: &Tag, current: u64) -> u64 {
    match t {
        Tag::Current => current,
        Tag::Raw(n) => *n,
    }
}

/// The message a step sends, with its request id resolved against the model now.
fn message(step: Step, app: &App, ledger: &Ledger) -> Option<Msg> {
    let open = app.open_event.as_ref().map(|e| e.id);
    let guests = app.guests.as_ref().and_then(|g| g.awaited());
    Some(match step {
        Step::Action(a) => Msg::Action(a),
        Step::Resize(width, height) => Msg::Resize { width, height },
        Step::Tick => Msg::Tick,
        Step::Events(r, result) => {
            Msg::EventsLoaded { req: ledger.pick(&r, app.events.items.awaited()), result }
        }
        Step::EventsOffline(r, events, error) => {
            Msg::EventsOffline { req: ledger.pick(&r, app.events.items.awaited()), events, error }
        }
        Step::Orders(r, t, result) => Msg::OrdersLoaded {
            req: ledger.pick(&r, app.orders.items.awaited()),
            event_id: tagged(&t, open.unwrap_or(12)),
            result,
        },
        Step::Order(r, same, result) => {
            let mut waiting: Vec<((u64, u64), ReqId)> =
                app.details.iter().filter_map(|(k, d)| d.awaited().map(|r| (*k, r))).collect();
            waiting.sort();
            let (key, req) = match (&r, waiting.is_empty()) {
                (Req::Awaited(i), false) => waiting[i % waiting.len()],
                _ => {
                    let key = app.shown_order().unwrap_or((12, 1));
                    (key, ledger.pick(&r, None))
                }
            };
            let result = result.map(|mut o| {
                if same {
                    o.id = key.1;
                }
                o
            });
            Msg::OrderLoaded { req, event_id: key.0, order_id: key.1, result }
        }
        Step::DetailDue(t) => Msg::DetailDue { seq: tagged(&t, app.detail_seq) },
        Step::GuestsCached(r, orders) => {
            let event_id = app.guests.as_ref().map_or(12, |g| g.event_id);
            let list = orders.map(|orders| {
                let mut list = GuestList::new(event_id);
                list.set_order_list(orders.iter().map(|o| o.id).collect());
                for o in orders {
                    list.add_order(o);
                }
                list.mark_done();
                Box::new(list)
            });
            Msg::GuestsCached { req: ledger.pick(&r, guests), list }
        }
        Step::Guest(r, event) => Msg::GuestEvent { req: ledger.pick(&r, guests), event },
        Step::LoginStarted(t, result) => Msg::LoginStarted {
            attempt: tagged(&t, app.login.attempt),
            result: result.map_err(|why| StartError::Listen(ListenError::NotLoopback(why))),
        },
        Step::LoginCode(t, result) => Msg::LoginCode {
            attempt: tagged(&t, app.login.attempt),
            result: result.map_err(ListenError::NotLoopback),
        },
        Step::LoggedIn(t, result) => Msg::LoggedIn {
            attempt: tagged(&t, app.login.attempt),
            result: result.map(|_| Stored::Demo).map_err(LoginFailed::NotStored),
        },
        Step::LoggedOut(result) => Msg::LoggedOut { result: result.map_err(LogoutFailed) },
        Step::Exported(result) => Msg::Exported {
            result: result
                .map(std::path::PathBuf::from)
                .map_err(|name| ExportError::NoName { dir: std::path::PathBuf::new(), name }),
        },
        Step::Copied(result) => Msg::Copied {
            result: result.map(|what| Copied { what, via: "OSC 52" }).map_err(CopyFailed::Refused),
        },
        Step::LogIn | Step::Settle | Step::Render(..) => return None,
    })
}

/// "Every command tagged": each request a command starts carries a fresh id
/// (above every id issued before; never reused), and after the step the pane
/// it is for awaits exactly that id, so its answer will be taken and a stale
/// one dropped. A `Cancel` names a request that was issued. Login commands
/// carry the attempt the form is on, and a new attempt is above every earlier one.
fn check_commands(app: &App, ledger: &mut Ledger, commands: &[Command]) -> Result<(), TestCaseError> {
    let floor = ledger.next_fresh;
    let mut this_step: Vec<ReqId> = Vec::new();
    let mut fresh = |req: ReqId, ledger: &mut Ledger| -> Result<(), TestCaseError> {
        prop_assert!(req >= floor, "{:?} reuses an id below {:?}: {:?}", req, floor, commands);
        prop_assert!(!this_step.contains(&req), "{:?} twice: {:?}", req, commands);
        this_step.push(req);
        ledger.issued.push(req);
        ledger.next_fresh = ledger.next_fresh.max(ReqId(req.0 + 1));
        Ok(())
    };
    for c in commands {
        match c {
            Command::FetchEvents { req } => {
                fresh(*req, ledger)?;
                prop_assert_eq!(app.events.items.awaited(), Some(*req), "{:?}", commands);
            }
            Command::FetchOrders { req, event_id } => {
                fresh(*req, ledger)?;
                prop_assert_eq!(app.orders.items.awaited(), Some(*req), "{:?}", commands);
                prop_assert_eq!(app.open_event.as_ref().map(|e| e.id), Some(*event_id));
            }
            Command::FetchOrder { req, event_id, order_id } => {
                fresh(*req, ledger)?;
                let awaits = app.details.get(&(*event_id, *order_id)).and_then(|d| d.awaited());
                prop_assert_eq!(awaits, Some(*req), "{:?}", commands);
            }
            Command::LoadGuests { req, event_id, .. } => {
                fresh(*req, ledger)?;
                let g = app.guests.as_ref();
                prop_assert_eq!(g.and_then(|g| g.awaited()), Some(*req), "{:?}", commands);
                prop_assert_eq!(g.map(|g| g.event_id), Some(*event_id));
            }
            Command::AskGuests { req, .. } => {
                prop_assert_eq!(app.guests.as_ref().and_then(|g| g.awaited()), Some(*req), "{:?}", commands);
            }
            Command::Cancel(req) => {
                prop_assert!(ledger.issued.contains(req), "cancels {req:?}, never issued: {commands:?}");
                ledger.cancelled.insert(*req);
            }
            Command::StartLogin { attempt, .. } | Command::UseToken { attempt, .. } => {
                prop_assert!(*attempt > ledger.last_attempt, "attempt {attempt} reused: {commands:?}");
                prop_assert_eq!(*attempt, app.login.attempt);
                ledger.last_attempt = *attempt;
                ledger.login_commands.insert(*attempt);
            }
            Command::ExchangeCode { attempt, .. } => {
                prop_assert_eq!(*attempt, app.login.attempt);
                prop_assert_eq!(&app.login.phase, &LoginPhase::Finishing);
                ledger.login_commands.insert(*attempt);
            }
            Command::DetailAfter { seq, .. } => prop_assert_eq!(*seq, app.detail_seq),
            Command::StatsAfter { seq, .. } => prop_assert_eq!(Some(*seq), app.stats.as_ref().map(|s| s.seq)),
            Command::Copy { text, .. } => {
                prop_assert!(!text.chars().any(|c| c != '\n' && unsafe_to_show(c)), "copies {text:?}");
            }
            Command::Export { what, .. } => {
                prop_assert!(!what.is_empty(), "an empty export");
                if let floktu_tui::output::Export::Guests { list, rows } = what {
                    prop_assert!(rows.iter().all(|&i| i < list.len()), "rows beyond the list: {:?}", c);
                }
            }
            Command::StopLogin | Command::Logout { .. } | Command::SaveGuests(_) => {}
            // The door's ledger and cache look-ups: about the open event only.
            Command::LoadAdmissions { event_id }
            | Command::Admit { event_id, .. }
            | Command::UndoLast { event_id, .. }
            | Command::FindElsewhere { event_id, .. } => {
                prop_assert_eq!(app.guests.as_ref().map(|g| g.event_id), Some(*event_id), "{:?}", commands);
            }
        }
    }
    Ok(())
}

/// `selected < len`, or both 0.
fn in_range(what: &str, selected: usize, len: usize) -> Result<(), TestCaseError> {
    prop_assert!(selected < len || (selected == 0 && len == 0), "{what}: selected {selected} of {len}");
    Ok(())
}

/// What holds after every step.
fn check_model(app: &App, ledger: &Ledger) -> Result<(), TestCaseError> {
    in_range("events", app.events.list.selected(), app.events.visible_len())?;
    in_range("orders", app.orders.list.selected(), app.orders.visible_len())?;
    in_range("attendees", app.attendees.list.selected(), app.attendees.visible_len())?;
    if let Some(g) = &app.guests {
        in_range("door", g.door.selected, g.door.results.len())?;
        // The attendees filter and the door's matches are brought up to date by
        // `settle`, which the loop runs before every frame.
        if !g.stale {
            in_range("guests", g.list.selected(), g.visible_len())?;
            let len = g.shown.as_ref().map_or(0, GuestList::len);
            prop_assert!(
                g.door.results.iter().all(|&i| i < len),
                "door results {:?} of {len}",
                g.door.results
            );
            prop_assert!(g.visible().iter().all(|&i| i < len), "guests {:?} of {len}", g.visible());
        }
    }
    // The attendees pane, when built from an order, shows that order: the
    // one highlighted, as loaded.
    if let Some(key) = app.attendees_of {
        prop_assert_eq!(Some(key), app.shown_order(), "attendees of an order not shown");
        let loaded = app.details.get(&key).and_then(|d| d.loaded());
        let ids = |a: &[Attendee]| a.iter().map(|a| a.attendee_id).collect::<Vec<_>>();
        prop_assert_eq!(
            loaded.map(|o| ids(&o.attendees)),
            Some(ids(app.attendees.all())),
            "attendees pane out of step with order {:?}",
            key
        );
    }
    // No pane waits for an answer that will never come.
    let waiting = awaited(app);
    for req in &waiting {
        prop_assert!(ledger.issued.contains(req), "waits for {req:?}, never asked for");
        prop_assert!(!ledger.cancelled.contains(req), "waits for {req:?}, cancelled");
    }
    let distinct: BTreeSet<ReqId> = waiting.iter().copied().collect();
    prop_assert_eq!(distinct.len(), waiting.len(), "two panes wait for one request: {:?}", waiting);
    // The spinner turns exactly while something is on its way.
    match app.screen {
        Screen::Login => {
            prop_assert_eq!(app.is_busy(), app.login.phase != LoginPhase::Idle);
            if matches!(app.login.phase, LoginPhase::Starting | LoginPhase::Finishing) {
                prop_assert!(
                    ledger.login_commands.contains(&app.login.attempt),
                    "login {:?} for attempt {} that nothing works on",
                    app.login.phase,
                    app.login.attempt
                );
            }
        }
        Screen::Browse | Screen::Door | Screen::Stats => {
            if app.is_busy() {
                prop_assert!(!waiting.is_empty(), "busy with nothing in flight");
            }
            let loading = app.events.items.is_loading()
                || app.orders.items.is_loading()
                // An offline load waits for Floktu: it does not spin.
                || app.guests.as_ref().is_some_and(|g| g.is_loading() && g.offline.is_none());
            prop_assert!(!loading || app.is_busy(), "loading, yet not busy");
        }
    }
    Ok(())
}

/// Draws the app; the screen must hold nothing a terminal would act on.
fn render(app: &App, width: u16, height: u16) -> Result<(), TestCaseError> {
    let mut terminal = Terminal::new(TestBackend::new(width, height))
        .map_err(|e| TestCaseError::fail(format!("terminal: {e}")))?;
    terminal.draw(|f| view::render(app, f)).map_err(|e| TestCaseError::fail(format!("draw: {e}")))?;
    for cell in terminal.backend().buffer().content() {
        let symbol = cell.symbol();
        prop_assert!(!symbol.chars().any(unsafe_to_show), "the screen shows {symbol:?}");
    }
    Ok(())
}

fn run(start: Start, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let mut app = start_app(start);
    let mut ledger = Ledger::new(&mut app);
    check_model(&app, &ledger)?;
    for step in steps {
        match step {
            Step::Settle => settle(&mut app),
            Step::Render(width, height) => {
                settle(&mut app);
                render(&app, width, height)?;
            }
            Step::LogIn => {
                let attempt = app.login.attempt + 1;
                let start = LoginStart {
                    url: "https://floktu.com/api/v2/authorize?state=s1".into(),
                    state: "s1".into(),
                    redirect_uri: "http://127.0.0.1:8765/callback".into(),
                    not_listening: None,
                    browser_opened: true,
                };
                for msg in [
                    Msg::Action(Action::Login(LoginAction::Submit)),
                    Msg::LoginStarted { attempt, result: Ok(start) },
                    Msg::LoginCode { attempt, result: Ok("code".into()) },
                    Msg::LoggedIn { attempt, result: Ok(Stored::Demo) },
                ] {
                    let commands = update(&mut app, msg);
                    check_commands(&app, &mut ledger, &commands)?;
                    check_model(&app, &ledger)?;
                }
            }
            step => {
                let Some(msg) = message(step, &app, &ledger) else { continue };
                let commands = update(&mut app, msg);
                check_commands(&app, &mut ledger, &commands)?;
            }
        }
        check_model(&app, &ledger)?;
    }
    settle(&mut app);
    check_model(&app, &ledger)?;
    render(&app, 100, 30)
}

fn start() -> impl Strategy<Value = Start> {
    prop_oneof![2 => Just(Start::Fresh), 3 => Just(Start::Loaded), 3 => Just(Start::Door), 1 => Just(Start::Login)]
}

proptest! {
    #![proptest_config(config(256))]

    /// Any sequence of keys and answers keeps the model consistent (see
    /// `check_commands` and `check_model`), and it always draws safely.
    #[test]
    fn update_keeps_the_model_consistent(start in start(), steps in prop::collection::vec(step(), 0..200)) {
        run(start, steps)?;
    }
}
