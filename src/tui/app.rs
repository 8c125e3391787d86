//! The model: everything the screen shows, and nothing that does I/O.
//! Only `update` changes it.

use std::cell::Cell;
use std::collections::HashMap;

use crate::api::{Attendee, Event, Order, OrderSummary};

use super::filter::{Matches, SearchIndex, Searcher};

/// Tags a request so that a late answer to a superseded one is recognised and dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReqId(pub u64);

/// The load state of one thing a pane shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remote<T> {
    /// Nothing asked for yet.
    NotAsked,
    /// Asked; the answer to this request is awaited.
    Loading(ReqId),
    /// Here it is.
    Loaded(T),
    /// It failed; the message is for people, already sanitized.
    Failed(String),
}

impl<T> Remote<T> {
    /// The loaded value, if any.
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Remote::Loaded(t) => Some(t),
            _ => None,
        }
    }

    /// True while waiting for an answer.
    pub fn is_loading(&self) -> bool {
        matches!(self, Remote::Loading(_))
    }

    /// The request awaited, if any.
    pub fn awaited(&self) -> Option<ReqId> {
        match self {
            Remote::Loading(r) => Some(*r),
            _ => None,
        }
    }
}

/// Which pane has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The events list.
    Events,
    /// The orders of the open event.
    Orders,
    /// The highlighted order's details and attendees.
    Detail,
}

/// What fills the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// Logging in: no token, a revoked one, or `L`.
    Login,
    /// The three panes.
    Browse,
    /// Door mode: one input, a verdict, counts.
    Door,
}

/// What the middle pane lists for the open event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrdersView {
    /// Its orders (one request).
    Orders,
    /// Every attendee (every order's details).
    Attendees,
}

/// The input fields of the login screen, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginField {
    /// OAuth client id.
    ClientId,
    /// OAuth client secret (masked).
    ClientSecret,
    /// The redirect URL (or code) pasted back from the browser.
    Paste,
    /// An access token the user already has (masked).
    Token,
}

impl LoginField {
    /// The next field (Tab), or the previous (Shift-Tab).
    pub fn step(self, forward: bool) -> LoginField {
        const ORDER: [LoginField; 4] =
            [LoginField::ClientId, LoginField::ClientSecret, LoginField::Paste, LoginField::Token];
        let i = ORDER.iter().position(|f| *f == self).unwrap_or(0);
        let n = ORDER.len();
        ORDER[if forward { (i + 1) % n } else { (i + n - 1) % n }]
    }
}

/// Where the login handoff stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginPhase {
    /// Fields being filled in.
    Idle,
    /// Asked for the authorize URL and the redirect listener.
    Starting,
    /// The URL is out; waiting for the redirect or a paste.
    Waiting {
        /// The authorize URL, shown in full.
        url: String,
        /// The `state` a pasted redirect must carry.
        state: String,
        /// The redirect URI sent (the code exchange repeats it).
        redirect_uri: String,
        /// Why nothing listens for the redirect, if so (then: paste).
        not_listening: Option<String>,
        /// True when a browser was opened.
        browser_opened: bool,
    },
    /// Exchanging the code, or checking and storing the token.
    Finishing,
}

/// The login screen's fields and progress. Kept when leaving the screen, so a
/// revoked token brings the user back to what they typed.
#[derive(Clone, Debug)]
pub struct LoginForm {
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
    /// The pasted redirect URL or code.
    pub paste: String,
    /// A pasted access token.
    pub token: String,
    /// The field with the cursor.
    pub field: LoginField,
    /// The handoff's progress.
    pub phase: LoginPhase,
    /// Tags the handoff's messages; a new attempt makes older answers stale.
    pub attempt: u64,
    /// What went wrong, or what to do next.
    pub message: Option<Notice>,
    /// True when there is a session to go back to with Esc.
    pub can_go_back: bool,
}

impl LoginForm {
    /// A form prefilled from settings.
    pub fn new(client_id: Option<String>, client_secret: Option<String>) -> LoginForm {
        let client_id = client_id.unwrap_or_default();
        let field = if client_id.is_empty() { LoginField::ClientId } else { LoginField::ClientSecret };
        LoginForm {
            client_id,
            client_secret: client_secret.unwrap_or_default(),
            paste: String::new(),
            token: String::new(),
            field,
            phase: LoginPhase::Idle,
            attempt: 0,
            message: None,
            can_go_back: false,
        }
    }

    /// The text of the focused field.
    pub fn focused_text(&mut self) -> &mut String {
        match self.field {
            LoginField::ClientId => &mut self.client_id,
            LoginField::ClientSecret => &mut self.client_secret,
            LoginField::Paste => &mut self.paste,
            LoginField::Token => &mut self.token,
        }
    }
}

/// The filter typed into a pane.
#[derive(Debug, Default)]
pub struct Filter {
    /// What was typed.
    pub query: String,
    /// True while the filter line has the keyboard.
    pub editing: bool,
    /// The rows the query keeps; `None` when there is no query.
    pub matches: Option<Matches>,
}

/// A selectable, filterable list of loaded items.
#[derive(Debug)]
pub struct Pane<T> {
    /// The items and their load state.
    pub items: Remote<Vec<T>>,
    /// The prepared search text of each item.
    pub index: SearchIndex,
    /// The filter.
    pub filter: Filter,
    /// Position of the selected row among the visible rows.
    pub selected: usize,
    /// The first row the view showed last time: the one thing a view writes,
    /// so that scrolling keeps its place instead of recentring on every move.
    pub scroll: Cell<usize>,
}

impl<T> Default for Pane<T> {
    fn default() -> Self {
        Pane {
            items: Remote::NotAsked,
            index: SearchIndex::default(),
            filter: Filter::default(),
            selected: 0,
            scroll: Cell::new(0),
        }
    }
}

impl<T> Pane<T> {
    /// A pane waiting for `req`.
    pub fn loading(req: ReqId) -> Self {
        Pane { items: Remote::Loading(req), ..Pane::default() }
    }

    /// Replaces the items, keeping the filter text and, where it is still there,
    /// the selected item (found with `same`).
    pub fn set_items(
        &mut self,
        items: Vec<T>,
        haystack: impl Fn(&T) -> String,
        same: impl Fn(&T, &T) -> bool,
        searcher: &mut Searcher,
    ) {
        let previous = match &self.items {
            Remote::Loaded(old) => {
                self.selected_index().and_then(|i| old.get(i)).map(|s| items.iter().position(|n| same(s, n)))
            }
            _ => None,
        }
        .flatten();
        self.index = SearchIndex::new(items.iter().map(haystack));
        self.items = Remote::Loaded(items);
        self.refilter(searcher, false);
        self.selected = previous.and_then(|p| self.visible_position(p)).unwrap_or(0);
    }

    /// The loaded items (empty when not loaded).
    pub fn all(&self) -> &[T] {
        self.items.loaded().map_or(&[], Vec::as_slice)
    }

    /// How many rows are visible under the filter.
    pub fn visible_len(&self) -> usize {
        match &self.filter.matches {
            Some(m) => m.rows.len(),
            None => self.all().len(),
        }
    }

    /// The item index behind visible row `row`.
    pub fn item_index(&self, row: usize) -> Option<usize> {
        match &self.filter.matches {
            Some(m) => m.rows.get(row).map(|&i| i as usize),
            None => (row < self.all().len()).then_some(row),
        }
    }

    /// The item shown at visible row `row`.
    pub fn visible(&self, row: usize) -> Option<&T> {
        self.item_index(row).and_then(|i| self.all().get(i))
    }

    /// The item index of the selection.
    pub fn selected_index(&self) -> Option<usize> {
        self.item_index(self.selected)
    }

    /// The selected item.
    pub fn selected_item(&self) -> Option<&T> {
        self.visible(self.selected)
    }

    /// Every visible item, in display order.
    pub fn visible_items(&self) -> impl Iterator<Item = &T> {
        (0..self.visible_len()).filter_map(|r| self.visible(r))
    }

    /// The visible row that shows item `index`.
    fn visible_position(&self, index: usize) -> Option<usize> {
        match &self.filter.matches {
            Some(m) => m.rows.iter().position(|&r| r as usize == index),
            None => (index < self.all().len()).then_some(index),
        }
    }

    /// Moves the selection by `delta` rows, clamped to the list.
    pub fn move_by(&mut self, delta: isize) {
        let len = self.visible_len();
        if len == 0 {
            self.selected = 0;
            return;
        }
        let target = self.selected as isize + delta;
        self.selected = target.clamp(0, len as isize - 1) as usize;
    }

    /// Selects the first or last row.
    pub fn move_to(&mut self, last: bool) {
        self.selected = if last { self.visible_len().saturating_sub(1) } else { 0 };
    }

    /// Re-runs the filter after the query changed; keeps the selected item if it
    /// is still visible, else selects the best match.
    pub fn refilter(&mut self, searcher: &mut Searcher, narrowing: bool) {
        let keep = self.selected_index();
        self.filter.matches = if self.filter.query.trim().is_empty() {
            None
        } else {
            let previous = if narrowing { self.filter.matches.as_ref() } else { None };
            Some(searcher.search(&self.index, &self.filter.query, previous))
        };
        self.selected = keep.and_then(|i| self.visible_position(i)).unwrap_or(0);
        self.scroll.set(0);
    }
}

/// A short message in the status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// What happened.
    pub text: String,
    /// True for failures.
    pub is_error: bool,
}

/// The whole state of the TUI.
#[derive(Debug)]
pub struct App {
    /// What fills the screen.
    pub screen: Screen,
    /// Which pane has the keyboard.
    pub focus: Focus,
    /// "floktu.com" or "127.0.0.1:8080": shown in the title.
    pub host: String,
    /// True when running on the demo server.
    pub demo: bool,
    /// Colours allowed (`NO_COLOR` unset). Words and symbols carry the meaning either way.
    pub color: bool,
    /// The events.
    pub events: Pane<Event>,
    /// The event whose orders are shown.
    pub open_event: Option<Event>,
    /// The open event's orders.
    pub orders: Pane<OrderSummary>,
    /// Order details fetched this session, by (event id, order id).
    pub details: HashMap<(u64, u64), Remote<Order>>,
    /// Orders or attendees in the middle pane.
    pub orders_view: OrdersView,
    /// The open event's guest list, once asked for (`a`, `d`).
    pub guests: Option<super::guests::Guests>,
    /// This door's gate and settings, and the ledger's state (the same for every event).
    pub station: super::door::Station,
    /// The time, as of the last message (set by the loop; the views read it).
    pub now: chrono::DateTime<chrono::Utc>,
    /// The attendees of the order in the detail pane.
    pub attendees: Pane<Attendee>,
    /// The (event, order) the attendees pane was built from.
    pub attendees_of: Option<(u64, u64)>,
    /// Bumped on every move in the orders list; a detail fetch fires only when
    /// the pause after a move is not interrupted by another move.
    pub detail_seq: u64,
    /// The help overlay is open.
    pub help: bool,
    /// `L` was pressed: the status bar asks whether to log out (y/n).
    pub confirm_logout: bool,
    /// The status-bar message.
    pub notice: Option<Notice>,
    /// Rows a page holds (for PgUp/PgDn), from the terminal size.
    pub page_rows: usize,
    /// Terminal width, to know whether the panes sit side by side.
    pub width: u16,
    /// Spinner frame, advanced while something loads.
    pub spinner: usize,
    /// Set when the user asked to quit.
    pub quit: bool,
    /// The terminal bell should ring after the next frame (a door refusal).
    pub bell: bool,
    /// The next frame redraws every cell (Ctrl-L).
    pub redraw: bool,
    /// The login screen's state.
    pub login: LoginForm,
    /// The binding table: keys, help and hints.
    pub keys: super::keymap::Keymap,
    /// The fuzzy matcher, kept for its scratch memory.
    pub searcher: Searcher,
    next_req: u64,
}

/// Terminals at least this wide show the three panes side by side.
pub const WIDE: u16 = 120;

impl App {
    /// A fresh model for `host`.
    pub fn new(host: String, demo: bool) -> App {
        App {
            login: LoginForm::new(None, None),
            screen: Screen::Browse,
            focus: Focus::Events,
            host,
            demo,
            color: true,
            events: Pane::default(),
            open_event: None,
            orders: Pane::default(),
            orders_view: OrdersView::Orders,
            guests: None,
            station: super::door::Station::default(),
            now: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            details: HashMap::new(),
            attendees: Pane::default(),
            attendees_of: None,
            detail_seq: 0,
            help: false,
            notice: None,
            page_rows: 20,
            width: 160,
            spinner: 0,
            quit: false,
            bell: false,
            redraw: false,
            confirm_logout: false,
            keys: super::keymap::Keymap::default(),
            searcher: Searcher::default(),
            next_req: 0,
        }
    }

    /// A fresh request id.
    pub fn next_req(&mut self) -> ReqId {
        self.next_req += 1;
        ReqId(self.next_req)
    }

    /// True when the panes sit side by side.
    pub fn is_wide(&self) -> bool {
        self.width >= WIDE
    }

    /// The (event, order) whose details the detail pane shows.
    pub fn shown_order(&self) -> Option<(u64, u64)> {
        Some((self.open_event.as_ref()?.id, self.orders.selected_item()?.id))
    }

    /// The details of the shown order, as far as they are known.
    pub fn shown_detail(&self) -> Option<&Remote<Order>> {
        self.details.get(&self.shown_order()?)
    }

    /// True while anything is loading (the spinner turns).
    pub fn is_busy(&self) -> bool {
        if self.screen == Screen::Login {
            return self.login.phase != LoginPhase::Idle;
        }
        if self.guests.as_ref().is_some_and(|g| {
            g.is_loading()
                || g.door.result.as_ref().is_some_and(|r| *r.check() == super::door::Check::Checking)
        }) {
            return true;
        }
        self.events.items.is_loading()
            || self.orders.items.is_loading()
            || self.shown_detail().is_some_and(Remote::is_loading)
    }

    /// True when the middle pane has the keyboard and lists attendees.
    pub fn attendees_shown(&self) -> bool {
        self.focus == Focus::Orders && self.orders_view == OrdersView::Attendees
    }

    /// True while a filter of the focused list is being typed.
    pub fn filter_editing(&self) -> bool {
        match (&self.guests, self.attendees_shown()) {
            (Some(g), true) => g.editing,
            (None, true) => false,
            _ => self.focused_filter().editing,
        }
    }

    /// The focused list's filter text.
    pub fn filter_query(&self) -> &str {
        match (&self.guests, self.attendees_shown()) {
            (Some(g), true) => &g.query,
            (None, true) => "",
            _ => &self.focused_filter().query,
        }
    }

    /// The filter of the focused pane.
    pub fn focused_filter(&self) -> &Filter {
        match self.focus {
            Focus::Events => &self.events.filter,
            Focus::Orders => &self.orders.filter,
            Focus::Detail => &self.attendees.filter,
        }
    }

    /// Requests in flight that no pane waits for any more once the event changes.
    pub fn awaited_details(&self) -> Vec<ReqId> {
        self.details.values().filter_map(Remote::awaited).collect()
    }
}
