//! The model: everything the screen shows, and nothing that does I/O.
//! Only `update` changes it.

use std::collections::HashMap;

use crate::api::{Attendee, Event, Order, OrderSummary};

use super::list::{List, Rows, Sorting, order_list};
use crate::search::Facts;

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
    /// The open event's numbers: per ticket, arrivals over time, money (`s`).
    Stats,
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

/// A list pane: its items as they load, their folded search rows, and the
/// list model (filter, matches, selection, scroll).
#[derive(Debug)]
pub struct Pane<T> {
    /// The items and their load state.
    pub items: Remote<Vec<T>>,
    /// The folded search row of each item.
    pub rows: Rows,
    /// Filter, matches, selection, scroll.
    pub list: List,
    /// New items came ([`Pane::set_items`]): the item to select once they
    /// are filtered (`Some(None)`: the first row).
    reselect: Option<Option<usize>>,
}

impl<T> Default for Pane<T> {
    fn default() -> Self {
        Pane { items: Remote::NotAsked, rows: Rows::default(), list: List::default(), reselect: None }
    }
}

impl<T> Pane<T> {
    /// A pane waiting for `req`.
    pub fn loading(req: ReqId) -> Self {
        Pane { items: Remote::Loading(req), ..Pane::default() }
    }

    /// A pane waiting for `req` that keeps `list`'s filter text.
    pub fn loading_with(req: ReqId, keep: &Pane<T>) -> Self {
        let mut pane = Pane::loading(req);
        pane.list.edit_query(|q| q.push_str(keep.list.query()));
        pane
    }

    /// Replaces the items, keeping the filter text and, where it is still
    /// there, the selected item (found with `same`). `fields` gives an item's
    /// searchable fields, the name first.
    /// The filter runs at the next refilter (which the owner calls with
    /// what the list knows of the new items, [`Pane::refilter_knowing`]).
    pub fn set_items(
        &mut self,
        items: Vec<T>,
        fields: impl Fn(&T) -> Vec<String>,
        same: impl Fn(&T, &T) -> bool,
    ) {
        let previous = self.selected_item().and_then(|s| items.iter().position(|n| same(s, n)));
        let texts: Vec<Vec<String>> = items.iter().map(fields).collect();
        self.rows = Rows::new(texts.iter().map(|f| f.iter().map(String::as_str)));
        self.list.rows_changed(items.len());
        self.items = Remote::Loaded(items);
        self.reselect = Some(previous);
    }

    /// After a refilter that followed [`Pane::set_items`]: the item selected
    /// before, where it still is, else the first row.
    pub fn reselect(&mut self) {
        match self.reselect.take() {
            Some(Some(p)) => self.list.select_item(p),
            Some(None) => self.list.move_to(false),
            None => {}
        }
    }

    /// Runs the filter, and the sort, if the query, the sort or the items changed.
    pub fn refilter_knowing(&mut self, facts: &dyn Facts, sorting: &dyn Sorting) {
        order_list(&mut self.list, self.rows.view(), sorting);
        self.list.refilter(self.rows.view(), facts);
        self.reselect();
    }

    /// The loaded items (empty when not loaded).
    pub fn all(&self) -> &[T] {
        self.items.loaded().map_or(&[], Vec::as_slice)
    }

    /// How many rows are visible under the filter.
    pub fn visible_len(&self) -> usize {
        self.list.visible_len()
    }

    /// The item shown at visible row `row`.
    pub fn visible(&self, row: usize) -> Option<&T> {
        self.list.item_at(row).and_then(|i| self.all().get(i))
    }

    /// The selected item.
    pub fn selected_item(&self) -> Option<&T> {
        self.visible(self.list.selected())
    }

    /// Every visible item, in display order.
    pub fn visible_items(&self) -> impl Iterator<Item = &T> {
        self.list.visible().filter_map(|i| self.all().get(i))
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
    /// The colours of each kind of text (`theme`, `[colors]`; no colours when `color` is false).
    pub theme: super::theme::Theme,
    /// Mouse capture is on (`mouse = true`).
    pub mouse: bool,
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
    /// The stats screen, while it is open or was last (`s`).
    pub stats: Option<super::stats::StatsView>,
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
    /// The page of the help overlay shown, when it takes more than one.
    pub help_page: usize,
    /// Pages the help overlay took in the last frame: the one thing its view
    /// writes, so that paging stops at the last.
    pub help_pages: std::cell::Cell<usize>,
    /// `L` was pressed: the status bar asks whether to log out (y/n).
    pub confirm_logout: bool,
    /// The status-bar message.
    pub notice: Option<Notice>,
    /// Rows a page holds (for PgUp/PgDn), from the terminal size.
    pub page_rows: usize,
    /// Terminal width, to know whether the panes sit side by side.
    pub width: u16,
    /// Terminal height (where a mouse click lands).
    pub height: u16,
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
    /// Opening an event loads its guest list at once, so the orders pane
    /// shows each order's status and money (`eager_details`).
    pub eager_details: bool,
    /// Where the last session was left, to restore once the events arrive.
    pub resume: Option<super::position::Position>,
    /// The order to select once the orders arrive (restoring a position).
    pub resume_order: Option<u64>,
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
            theme: super::theme::Theme::default(),
            mouse: false,
            events: Pane::default(),
            open_event: None,
            orders: Pane::default(),
            orders_view: OrdersView::Orders,
            guests: None,
            stats: None,
            station: super::door::Station::default(),
            now: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            details: HashMap::new(),
            attendees: Pane::default(),
            attendees_of: None,
            detail_seq: 0,
            help: false,
            help_page: 0,
            help_pages: std::cell::Cell::new(1),
            notice: None,
            page_rows: 20,
            width: 160,
            height: 40,
            spinner: 0,
            quit: false,
            bell: false,
            redraw: false,
            confirm_logout: false,
            keys: super::keymap::Keymap::default(),
            // The loop sets it from the settings (default true); a bare model
            // loads a guest list only when asked (`a`, `d`).
            eager_details: false,
            resume: None,
            resume_order: None,
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
            // An offline load waits for Floktu; it does not spin.
            (g.is_loading() && g.offline.is_none())
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

    /// The focused list, if it has one (the attendees view before its guest list exists has none).
    pub fn focused_list(&self) -> Option<&List> {
        match (self.focus, self.orders_view) {
            (Focus::Orders, OrdersView::Attendees) => self.guests.as_ref().map(|g| &g.list),
            (Focus::Events, _) => Some(&self.events.list),
            (Focus::Orders, _) => Some(&self.orders.list),
            (Focus::Detail, _) => Some(&self.attendees.list),
        }
    }

    /// True while a filter of the focused list is being typed.
    pub fn filter_editing(&self) -> bool {
        self.focused_list().is_some_and(|l| l.editing)
    }

    /// The focused list's filter text.
    pub fn filter_query(&self) -> &str {
        self.focused_list().map_or("", List::query)
    }

    /// Requests in flight that no pane waits for any more once the event changes.
    pub fn awaited_details(&self) -> Vec<ReqId> {
        self.details.values().filter_map(Remote::awaited).collect()
    }
}
