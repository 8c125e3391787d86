//! Messages into `update` (input and results) and commands out of it (side effects).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::api::oauth::ClientCredentials;
use crate::api::{self, AccessToken, Decoded, Event, Order, OrderSummary};

use super::app::ReqId;

/// What the user asked for, already mapped from keys (`keymap.rs`). The
/// actions a screen can bind are an enum of their own, so a handler only ever
/// sees its own; they are data (serde, snake_case names) so that a binding can
/// be read from configuration (`quit = "x"`, `door = ["d", "F2"]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave floktu (every screen).
    Quit,
    /// Ctrl-L: draw the whole screen again (every screen).
    Redraw,
    /// Open or close the help overlay.
    Help,
    /// The answer to the question the status bar asks: `y` is yes, any other key no.
    Confirm(bool),
    /// A printable character for whatever takes text now: the filter being
    /// typed, the door's input, the focused login field.
    Type(char),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The lists: events, orders, details, attendees.
    Browse(BrowseAction),
    /// While a filter is typed, or kept.
    Filter(FilterAction),
    /// The login screen.
    Login(LoginAction),
    /// Door mode.
    Door(DoorAction),
    /// The stats screen.
    Stats(StatsAction),
}

/// What a key does in the lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BrowseAction {
    /// One row up.
    Up,
    /// One row down.
    Down,
    /// A page up.
    PageUp,
    /// A page down.
    PageDown,
    /// Half a page up.
    HalfPageUp,
    /// Half a page down.
    HalfPageDown,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// Open / drill in.
    Open,
    /// Back out.
    Back,
    /// Start typing a filter.
    Filter,
    /// Copy the selected email.
    CopyOne,
    /// Copy every distinct email of the list as filtered.
    CopyAll,
    /// Reload the focused pane.
    Refresh,
    /// Reload everything.
    RefreshAll,
    /// Log out (asks first): forget the token, show the login screen.
    Logout,
    /// Orders ↔ every attendee of the event, in the middle pane.
    Attendees,
    /// Door mode for the open (or selected) event.
    Door,
    /// Write the focused list, as filtered, to a CSV file.
    Export,
    /// Sort the focused list by the next key (name, id, amount, due, check-in time, none).
    Sort,
    /// Reverse the focused list's sort.
    SortReverse,
    /// The stats screen of the open (or selected) event.
    Stats,
}

/// What a key does on the stats screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatsAction {
    /// Back to the lists.
    Back,
    /// Fetch the guest list and read the ledger again.
    Refresh,
}

/// What a key does to the focused list's filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterAction {
    /// Delete the last character typed.
    Backspace,
    /// Keep the filter, give the keys back to the list.
    Keep,
    /// Clear the filter.
    Clear,
}

/// What a key does on the login screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginAction {
    /// Delete the last character of the focused field.
    Backspace,
    /// Next field (Tab, ↓).
    NextField,
    /// Previous field (Shift-Tab, ↑).
    PrevField,
    /// Enter: start the login, use the pasted address or token.
    Submit,
    /// Copy the authorize URL.
    CopyUrl,
    /// Back to the session, or quit when there is none.
    Escape,
}

/// What a key does in door mode. Printable keys always type (`Action::Type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DoorAction {
    /// Enter: look up what was typed or scanned.
    Submit,
    /// Delete the last character typed.
    Backspace,
    /// Esc: clear the input. Never leaves the door.
    Clear,
    /// The match above.
    Up,
    /// The match below.
    Down,
    /// Hide or show amounts and emails.
    Privacy,
    /// Refresh the guest list.
    Refresh,
    /// Leave the door for the lists (a deliberate key: F10, Ctrl-Q).
    Leave,
    /// Undo this gate's last admission.
    Undo,
}

/// A guest list handed to the worker to save; compared by identity, shown by size.
#[derive(Clone)]
pub struct Snapshot(pub std::sync::Arc<crate::guestlist::GuestList>);

impl PartialEq for Snapshot {
    fn eq(&self, other: &Snapshot) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Snapshot {}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GuestList(event {}, {} guests)", self.0.event_id(), self.0.len())
    }
}

/// What starting a login handoff produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginStart {
    /// The authorize URL.
    pub url: String,
    /// The state the redirect must bring back.
    pub state: String,
    /// The redirect URI sent.
    pub redirect_uri: String,
    /// Why nothing listens for the redirect (then: paste), if so.
    pub not_listening: Option<String>,
    /// True when a browser was opened.
    pub browser_opened: bool,
}

/// Everything `update` reacts to.
#[derive(Debug)]
pub enum Msg {
    /// A user action.
    Action(Action),
    /// The mouse (only with `mouse = true`): wheel, clicks.
    Mouse(crossterm::event::MouseEvent),
    /// The terminal changed size.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// The spinner advances (sent only while something loads).
    Tick,
    /// The events list answered.
    EventsLoaded {
        /// Which request.
        req: ReqId,
        /// What came back.
        result: Result<Decoded<Event>, api::Error>,
    },
    /// The events list failed to load, but some events have a cached guest list:
    /// these, so that the door works offline.
    EventsOffline {
        /// Which request.
        req: ReqId,
        /// The cached events.
        events: Vec<Event>,
        /// Why the network answer failed.
        error: api::Error,
    },
    /// An event's orders answered.
    OrdersLoaded {
        /// Which request.
        req: ReqId,
        /// For which event.
        event_id: u64,
        /// What came back.
        result: Result<Decoded<OrderSummary>, api::Error>,
    },
    /// An order's details answered.
    OrderLoaded {
        /// Which request.
        req: ReqId,
        /// The event.
        event_id: u64,
        /// The order.
        order_id: u64,
        /// What came back.
        result: Result<Order, api::Error>,
    },
    /// Time for the stats screen to read the ledger again (`Command::StatsAfter`).
    StatsDue {
        /// The timer it belongs to (see `StatsView::seq`).
        seq: u64,
    },
    /// The pause after a move in the orders list has passed.
    DetailDue {
        /// The move it belongs to (see `App::detail_seq`).
        seq: u64,
    },
    /// The login handoff started (URL out, listener up), or could not.
    LoginStarted {
        /// Which attempt.
        attempt: u64,
        /// The handoff, or why not.
        result: Result<LoginStart, crate::auth::login::StartError>,
    },
    /// The redirect listener got a code, or gave up.
    LoginCode {
        /// Which attempt.
        attempt: u64,
        /// The code, or why none came.
        result: Result<String, crate::auth::loopback::ListenError>,
    },
    /// Logged in: the worker now uses the new token. `Ok` says where it was stored.
    LoggedIn {
        /// Which attempt.
        attempt: u64,
        /// Where the token went, or why the login failed.
        result: Result<Stored, LoginFailed>,
    },
    /// The token was forgotten (or could not be).
    LoggedOut {
        /// What was removed, as the account service words it, or why not.
        result: Result<String, LogoutFailed>,
    },
    /// The cached guest list of an event (`None`: nothing usable cached).
    GuestsCached {
        /// Which load.
        req: ReqId,
        /// The list.
        list: Option<Box<crate::guestlist::GuestList>>,
    },
    /// One step of a guest-list load.
    GuestEvent {
        /// Which load.
        req: ReqId,
        /// What happened.
        event: crate::guestlist::LoadEvent,
    },
    /// A CSV export was written (the file), or not.
    Exported {
        /// The file, or why not.
        result: Result<std::path::PathBuf, super::worker::ExportError>,
    },
    /// The clipboard took the text, or could not.
    Copied {
        /// What was copied and how, or why not.
        result: Result<Copied, CopyFailed>,
    },
    /// The ledger's admissions of an event that count, by attendee (the door opened).
    DoorAdmissions {
        /// The event.
        event_id: u64,
        /// The admissions, or why the ledger could not say.
        result: Result<std::collections::HashMap<u64, crate::ledger::Admission>, crate::ledger::LedgerError>,
        /// The ledger's state after.
        health: crate::ledger::Health,
    },
    /// The ledger answered an admission of the door.
    Admitted {
        /// Tags the admission (`Door::next_token`).
        token: u64,
        /// The event.
        event_id: u64,
        /// The attendee.
        attendee_id: u64,
        /// Let in, admitted before, or not recorded.
        answer: super::door::AdmitAnswer,
        /// The ledger's state after.
        health: crate::ledger::Health,
    },
    /// Ctrl-Z at the door: the admission undone (`None`: nothing to undo), or why not.
    Undone {
        /// The event.
        event_id: u64,
        /// The admission undone.
        result: Result<Option<crate::ledger::Admission>, crate::ledger::LedgerError>,
        /// The ledger's state after.
        health: crate::ledger::Health,
    },
    /// Admissions queued while the ledger was away that it refused on replay
    /// (another gate had admitted the ticket meanwhile), each reported once.
    ReplayRefused {
        /// The queued admission and the one that counts, for each.
        refusals: Vec<crate::ledger::Refusal>,
    },
    /// Another cached event's guest list has the ticket a NOT FOUND asked for.
    FoundElsewhere {
        /// The event the door is open for.
        event_id: u64,
        /// What was scanned.
        asked: String,
        /// That other event's name, if one has it.
        event: Option<String>,
    },
}

/// A side effect for the worker to carry out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// GET events.
    FetchEvents {
        /// Tag for the answer.
        req: ReqId,
    },
    /// GET an event's orders.
    FetchOrders {
        /// Tag for the answer.
        req: ReqId,
        /// The event.
        event_id: u64,
    },
    /// GET an order's details.
    FetchOrder {
        /// Tag for the answer.
        req: ReqId,
        /// The event.
        event_id: u64,
        /// The order.
        order_id: u64,
    },
    /// Stop a request nobody waits for any more.
    Cancel(ReqId),
    /// Send `DetailDue { seq }` after `after`.
    DetailAfter {
        /// The move it belongs to.
        seq: u64,
        /// The pause.
        after: Duration,
    },
    /// Send `StatsDue { seq }` after `after`.
    StatsAfter {
        /// The timer it belongs to.
        seq: u64,
        /// The pause.
        after: Duration,
    },
    /// Start a login: state, listener, authorize URL, maybe a browser.
    StartLogin {
        /// Tag for the answers.
        attempt: u64,
        /// The client id to log in with.
        client_id: String,
    },
    /// Exchange an authorization code for a token, store it, use it.
    ExchangeCode {
        /// Tag for the answer.
        attempt: u64,
        /// Client id and secret.
        credentials: ClientCredentials,
        /// The code.
        code: String,
        /// The redirect URI the code was issued for.
        redirect_uri: String,
    },
    /// Use (and store) an access token the user pasted.
    UseToken {
        /// Tag for the answer.
        attempt: u64,
        /// The token.
        token: AccessToken,
        /// The client id, for the account name under which it is stored.
        client_id: String,
    },
    /// Stop listening for a redirect (the user pasted instead, or left).
    StopLogin,
    /// Forget the stored token and stop using it.
    Logout {
        /// The client id: with the api host, the account whose token goes.
        client_id: String,
    },
    /// Load an event's guest list — the cache first (when asked), then the
    /// network — and keep it fresh (`guestlist::live`) until cancelled.
    LoadGuests {
        /// Tag for the answers.
        req: ReqId,
        /// The event.
        event_id: u64,
        /// Its name, kept in the cache for offline use.
        event_name: String,
        /// Read the cache before fetching.
        cache_first: bool,
    },
    /// Ask the live load `req` for something ahead of its background work.
    AskGuests {
        /// The live load.
        req: ReqId,
        /// What to do.
        request: crate::guestlist::Request,
    },
    /// Save a guest list to the cache.
    SaveGuests(Snapshot),
    /// Write a list to a CSV file in the current directory, with the columns the
    /// CLI's `--csv` has for it.
    Export {
        /// Names the file: "attendees-12".
        name: String,
        /// The list as filtered (sanitized and formula-neutralised when written).
        what: crate::output::Export,
    },
    /// Put text on the clipboard.
    Copy {
        /// What to copy (sanitized).
        text: String,
        /// How to describe it: "37 emails".
        what: String,
    },
    /// Read the event's admissions that count from the ledger (`Msg::DoorAdmissions`).
    LoadAdmissions {
        /// The event.
        event_id: u64,
    },
    /// Admit a guest at this gate: committed to the ledger before `Msg::Admitted`.
    Admit {
        /// Tags the answer.
        token: u64,
        /// The event.
        event_id: u64,
        /// The attendee.
        attendee_id: u64,
        /// Their order.
        order_id: u64,
        /// This gate.
        gate: crate::ledger::Gate,
    },
    /// Undo `gate`'s last admission at the event (`Msg::Undone`).
    UndoLast {
        /// The event.
        event_id: u64,
        /// This gate.
        gate: crate::ledger::Gate,
    },
    /// Look for ticket `id` in the other cached events' lists (`Msg::FoundElsewhere`).
    FindElsewhere {
        /// The event the door is open for.
        event_id: u64,
        /// What was scanned.
        asked: String,
        /// The ticket or order id.
        id: u64,
    },
}

/// Where a new token went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stored {
    /// A demo run: nothing is stored.
    Demo,
    /// The token store.
    In(crate::auth::store::Saved),
}

impl std::fmt::Display for Stored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stored::Demo => f.write_str("demo runs store no token"),
            Stored::In(saved) => write!(f, "token stored {}", saved.describe()),
        }
    }
}

/// Why a login did not finish.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoginFailed {
    /// Floktu answered 401 to the pasted token.
    #[error("Floktu does not accept that token.")]
    TokenRefused,
    /// The code could not be exchanged for a token.
    #[error("{0}")]
    Exchange(#[from] crate::api::oauth::OAuthError),
    /// Floktu could not be asked (the pasted token's check).
    #[error("{0}")]
    Floktu(String),
    /// The token is good but could not be stored.
    #[error("the token could not be stored: {0}")]
    NotStored(String),
}

/// Why logging out failed (what the token store said).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("could not log out: {0}")]
pub struct LogoutFailed(pub String);

/// What went to the clipboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copied {
    /// "37 emails", "anna@example.com".
    pub what: String,
    /// How: "OSC 52", "tmux", "xclip"….
    pub via: &'static str,
}

impl std::fmt::Display for Copied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Copied {} ({})", self.what, self.via)
    }
}

/// Why the clipboard did not take the text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CopyFailed {
    /// Another copy held the clipboard and panicked.
    #[error("Could not copy: the clipboard is unavailable")]
    Unavailable,
    /// The clipboard refused (the tool's own words).
    #[error("Could not copy: {0}")]
    Refused(String),
}
