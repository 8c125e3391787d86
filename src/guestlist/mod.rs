//! Every attendee of an event: loaded with bounded concurrency (see [`fetch`]),
//! indexed for search and barcode lookup, counted, and judged at the door.
//!
//! A [`GuestList`] grows as order details arrive ([`GuestList::apply`]) and
//! always keeps its guests in the order Floktu lists the orders, each order's
//! attendees in their own order, whatever order the answers come back in.
//!
//! The rules (ARCHITECTURE.md, "Rules of the data"):
//! - An attendee's email is their own answer to an e-mail question when it looks
//!   like an address, else the purchaser's.
//! - Door verdict: order cancelled → CANCELLED; order unconfirmed → UNCONFIRMED;
//!   checked in → ALREADY CHECKED IN (with the time); else VALID; no match →
//!   NOT FOUND.
//! - Counts leave the attendees of cancelled orders out.
//!
//! A status Floktu does not document ([`Status::Other`], e.g. "refunded") is not
//! a confirmation: its verdict is UNCONFIRMED, so door staff look before letting
//! anyone in, and, like unconfirmed orders, its attendees are counted (only
//! cancellation takes people out of the counts).

mod fast_hash;
mod fold;
mod lazy;
mod limiter;
mod load;

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use fast_hash::FastMap;
use serde::Serialize;

use crate::api::{Attendee, Money, Order, Skipped, Status};

pub use fold::{fold, fold_into};
pub use lazy::{AttendeeSource, LazyAttendee};
pub use load::{
    Fetch, LiveOptions, LoadEvent, Progress, Request, Throttle, fetch, fetch_orders, fetch_with, live, load,
    refresh,
};

/// Between two fields of a guest in the search text: never in folded text, so
/// a match cannot run from one field into the next.
const FIELD_SEP: char = '\u{1f}';
/// After each guest in the search text.
const GUEST_END: char = '\n';

/// What an attendee's order says, shared by all the attendees of that order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Purchase {
    /// Floktu's order id.
    pub id: u64,
    /// The purchaser's name.
    pub name: String,
    /// The purchaser's email.
    pub email: String,
    /// What the order costs.
    pub order_amount: Option<Money>,
    /// What has been paid.
    pub amount_paid: Option<Money>,
    /// The voucher code used, if any.
    pub voucher: Option<String>,
    /// Unconfirmed, confirmed, cancelled or other.
    pub status: Status,
    /// Attendees of the order that could not be decoded.
    pub skipped_attendees: Vec<Skipped>,
    /// When these details were fetched from Floktu.
    pub fetched_at: DateTime<Utc>,
    /// Where the order sits in the event's order list (sort key).
    #[serde(skip)]
    rank: u64,
}

impl Purchase {
    /// An order's details as its purchase (fetched at `fetched_at`, in place
    /// `rank` of the list) and its attendees.
    fn split(order: Order, fetched_at: DateTime<Utc>, rank: u64) -> (Purchase, Vec<Attendee>) {
        let Order {
            id,
            name,
            email,
            order_amount,
            amount_paid,
            voucher,
            status,
            attendees,
            skipped_attendees,
        } = order;
        let purchase = Purchase {
            id,
            name,
            email,
            order_amount,
            amount_paid,
            voucher,
            status,
            skipped_attendees,
            fetched_at,
            rank,
        };
        (purchase, attendees)
    }

    /// A confirmed order that has been paid less than it costs.
    pub fn balance_due(&self) -> bool {
        crate::api::model::balance_due(self.status, self.order_amount, self.amount_paid)
    }
}

/// One attendee and the order they came with.
#[derive(Debug, PartialEq, Eq)]
pub struct Guest {
    /// The attendee as Floktu sent them; reads as an [`Attendee`] (a list
    /// opened from the cache decodes each one when it is first read).
    pub attendee: LazyAttendee,
    /// Their order (shared with the order's other attendees).
    pub order: Arc<Purchase>,
}

impl Clone for Guest {
    fn clone(&self) -> Guest {
        Guest { attendee: self.attendee.duplicate(), order: Arc::clone(&self.order) }
    }
}

impl Guest {
    /// The attendee's email by the rules of the data (ARCHITECTURE.md): their own answer, else the purchaser's.
    pub fn email(&self) -> &str {
        self.attendee.email_or(&self.order.email)
    }

    /// "First Last"; empty when the attendee has no name.
    pub fn name(&self) -> String {
        self.attendee.display_name().unwrap_or_default()
    }

    /// The order's id.
    pub fn order_id(&self) -> u64 {
        self.order.id
    }

    /// "Group / Ticket", or the ticket alone.
    pub fn ticket_label(&self) -> String {
        match &self.attendee.ticket_group {
            Some(group) => format!("{group} / {}", self.attendee.ticket),
            None => self.attendee.ticket.clone(),
        }
    }
}

/// An order whose details could not be fetched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FailedOrder {
    /// The order.
    pub order_id: u64,
    /// Why, as a person reads it.
    pub error: String,
}

/// How fresh a guest list is (see [`GuestList::freshness`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Freshness {
    /// Orders whose details are in.
    pub orders: usize,
    /// Of those, orders whose last fetch failed: their older details are kept.
    pub stale: usize,
    /// Listed orders whose details are not in at all.
    pub missing: usize,
    /// When the oldest details kept were fetched.
    pub oldest: Option<DateTime<Utc>>,
}

impl Freshness {
    /// How old the oldest details are at `now`; zero for an empty list, never negative.
    pub fn oldest_age(&self, now: DateTime<Utc>) -> chrono::TimeDelta {
        self.oldest.map_or(chrono::TimeDelta::zero(), |at| (now - at).max(chrono::TimeDelta::zero()))
    }
}

/// What the door says about an attendee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Let them in.
    Valid,
    /// Checked in before, at this time (as Floktu gave it).
    AlreadyCheckedIn {
        /// When: "2026-11-28 19:42", or the server's text when it could not be read.
        at: String,
    },
    /// The order was cancelled.
    Cancelled,
    /// The order is not confirmed (unconfirmed, or a status floktu does not know).
    Unconfirmed,
    /// Nobody matches.
    NotFound,
}

impl Verdict {
    /// The word shown at the door, in capitals.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Valid => "VALID",
            Verdict::AlreadyCheckedIn { .. } => "ALREADY CHECKED IN",
            Verdict::Cancelled => "CANCELLED",
            Verdict::Unconfirmed => "UNCONFIRMED",
            Verdict::NotFound => "NOT FOUND",
        }
    }

    /// A symbol that says the same without colour.
    pub fn symbol(&self) -> &'static str {
        match self {
            Verdict::Valid => "✔",
            Verdict::AlreadyCheckedIn { .. } => "⚠",
            Verdict::Cancelled => "✖",
            Verdict::Unconfirmed => "?",
            Verdict::NotFound => "∅",
        }
    }
}

/// Checked in out of how many.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Attendees checked in.
    pub checked_in: usize,
    /// Attendees counted.
    pub total: usize,
}

impl Tally {
    /// Counts one attendee in (`by` = 1) or out again (`by` = -1).
    fn count(&mut self, checked_in: bool, by: isize) {
        self.total = self.total.saturating_add_signed(by);
        if checked_in {
            self.checked_in = self.checked_in.saturating_add_signed(by);
        }
    }
}

/// The tally of one ticket (a ticket name within a group).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TicketTally {
    /// The ticket group, if any.
    pub group: Option<String>,
    /// The ticket.
    pub ticket: String,
    /// Its attendees.
    pub tally: Tally,
}

/// Who is in, overall and per ticket group and ticket. Attendees of cancelled
/// orders are left out of every tally; orders with a status floktu does not
/// know are counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Every counted attendee.
    pub overall: Tally,
    /// Per ticket group, by group name; attendees without a group come first, as `None`.
    pub groups: Vec<(Option<String>, Tally)>,
    /// Per ticket, by group then ticket name.
    pub tickets: Vec<TicketTally>,
    /// Attendees left out because their order was cancelled.
    pub cancelled: usize,
}

/// Every attendee of one event, with a search index. See the module docs.
#[derive(Clone, Debug)]
pub struct GuestList {
    event_id: u64,
    event_name: Option<String>,
    fetched_at: DateTime<Utc>,
    /// The order list, once known: ids in list order.
    listed: Option<Vec<u64>>,
    /// Order id → rank (position in the list; unlisted orders after, as they came).
    ranks: FastMap<u64, u64>,
    next_unlisted: u64,
    /// Every order whose details are in, with or without attendees.
    purchases: FastMap<u64, Arc<Purchase>>,
    failed: Vec<FailedOrder>,
    skipped_orders: Vec<Skipped>,
    done: bool,
    guests: Vec<Guest>,
    /// The folded search text of every guest, in guest order, each ending in `GUEST_END`.
    hay: String,
    /// Where each guest's text starts in `hay`.
    hay_start: Vec<u32>,
    by_attendee: FastMap<u64, u32>,
    /// Order id → (first guest, number of guests).
    by_order: FastMap<u64, (u32, u32)>,
    /// Kept up to date as guests come and go, so that `counts` costs nothing:
    /// ticket group → ticket → tally (cancelled orders left out).
    tallies: FastMap<Option<String>, FastMap<String, Tally>>,
    /// Attendees of cancelled orders.
    cancelled: usize,
    /// `freshness` and `missing`, worked out once per change of the orders:
    /// views ask for them every frame, and they cost O(orders).
    summary: OnceLock<Summary>,
}

/// What [`GuestList::freshness`] and [`GuestList::missing`] answer, kept until
/// the orders change.
#[derive(Clone, Debug, Default)]
struct Summary {
    freshness: Freshness,
    missing: Vec<u64>,
}

impl GuestList {
    /// An empty list for `event_id`, fetched now.
    pub fn new(event_id: u64) -> GuestList {
        GuestList {
            event_id,
            event_name: None,
            fetched_at: Utc::now(),
            listed: None,
            ranks: FastMap::default(),
            next_unlisted: 0,
            purchases: FastMap::default(),
            failed: Vec::new(),
            skipped_orders: Vec::new(),
            done: false,
            guests: Vec::new(),
            hay: String::new(),
            hay_start: Vec::new(),
            by_attendee: FastMap::default(),
            by_order: FastMap::default(),
            tallies: FastMap::default(),
            cancelled: 0,
            summary: OnceLock::new(),
        }
    }

    /// The event.
    pub fn event_id(&self) -> u64 {
        self.event_id
    }

    /// The event's name, when the caller knew it (kept in the cache, for offline use).
    pub fn event_name(&self) -> Option<&str> {
        self.event_name.as_deref()
    }

    /// Records the event's name.
    pub fn set_event_name(&mut self, name: Option<String>) {
        self.event_name = name;
    }

    /// When the data was fetched: when the order list arrived (or the list was
    /// made, before that); restored from the cache for a cached list.
    pub fn fetched_at(&self) -> DateTime<Utc> {
        self.fetched_at
    }

    /// Sets when the data was fetched (the cache restores it).
    pub fn set_fetched_at(&mut self, at: DateTime<Utc>) {
        self.fetched_at = at;
    }

    /// How old the data is at `now` ("as of 12 min ago"); never negative.
    pub fn age(&self, now: DateTime<Utc>) -> chrono::TimeDelta {
        (now - self.fetched_at).max(chrono::TimeDelta::zero())
    }

    /// Applies one loader event: the order list, an order, a failure, or the end.
    pub fn apply(&mut self, event: LoadEvent) {
        match event {
            LoadEvent::Orders { order_ids, skipped } => {
                self.fetched_at = Utc::now();
                self.skipped_orders = skipped;
                self.set_order_list(order_ids);
            }
            LoadEvent::Order(order) => self.add_order(*order),
            LoadEvent::Failed { order_id, error } => self.add_failure(order_id, error.to_string()),
            LoadEvent::Done => self.done = true,
            LoadEvent::Throttled(_)
            | LoadEvent::ListFailed(_)
            | LoadEvent::Offline(_)
            | LoadEvent::Online
            | LoadEvent::LookedForNew { .. } => {}
        }
    }

    /// Sets the event's order list (ids in list order), as a *successful* order
    /// list gave it: guests are kept in this order, and an order the list no
    /// longer has leaves with its guests (the only way an order leaves).
    pub fn set_order_list(&mut self, order_ids: Vec<u64>) {
        self.orders_changed();
        let listed: HashSet<u64> = order_ids.iter().copied().collect();
        let gone: Vec<u64> = self.purchases.keys().copied().filter(|id| !listed.contains(id)).collect();
        for id in gone {
            self.remove_order(id);
        }
        self.failed.retain(|f| listed.contains(&f.order_id));
        self.ranks.clear();
        for (i, id) in order_ids.iter().enumerate() {
            self.ranks.entry(*id).or_insert(i as u64);
        }
        self.next_unlisted = order_ids.len() as u64;
        self.listed = Some(order_ids);
        // Mostly the list is the one the guests are sorted by already (a
        // refresh with no new orders, or new ones at the end): nothing moves,
        // and a list opened from the cache stays undecoded.
        let unmoved = self.purchases.values().all(|p| self.ranks.get(&p.id) == Some(&p.rank));
        if !unmoved {
            self.resort();
        }
    }

    /// The event's order ids in list order, once the order list is known.
    pub fn order_list(&self) -> Option<&[u64]> {
        self.listed.as_deref()
    }

    /// Adds an order's attendees, fetched just now (replacing the order if it
    /// was there already) in its place in the list; a failure recorded for it
    /// is forgotten.
    pub fn add_order(&mut self, order: Order) {
        self.add_order_fetched(order, Utc::now());
    }

    /// Like [`GuestList::add_order`], for details fetched at `fetched_at` (the
    /// cache restores them with their time).
    pub fn add_order_fetched(&mut self, order: Order, fetched_at: DateTime<Utc>) {
        self.orders_changed();
        let order_id = order.id;
        self.remove_order(order_id);
        self.failed.retain(|f| f.order_id != order_id);
        let rank = self.rank_of(order_id);
        let (purchase, attendees) = Purchase::split(order, fetched_at, rank);
        let purchase = Arc::new(purchase);
        self.purchases.insert(order_id, Arc::clone(&purchase));
        let at = match self.guests.last() {
            None => 0,
            Some(last) if last.order.rank < rank => self.guests.len(),
            Some(_) => self.guests.partition_point(|g| g.order.rank < rank),
        };
        let new: Vec<Guest> = attendees
            .into_iter()
            .map(|mut attendee| {
                // Deserialized lists grow by doubling; kept for the session, they
                // should not keep the slack (a no-op for what the client decoded).
                attendee.answers.shrink_to_fit();
                Guest { attendee: attendee.into(), order: Arc::clone(&purchase) }
            })
            .collect();
        self.insert_guests(at, new);
    }

    /// Records that an order's details could not be fetched. Whatever was known
    /// of the order stays, now stale (see [`GuestList::freshness`]).
    pub fn add_failure(&mut self, order_id: u64, error: impl Into<String>) {
        self.orders_changed();
        let failure = FailedOrder { order_id, error: error.into() };
        match self.failed.iter_mut().find(|f| f.order_id == order_id) {
            Some(f) => *f = failure,
            None => self.failed.push(failure),
        }
        let ranks = &self.ranks;
        self.failed.sort_by_key(|f| ranks.get(&f.order_id).copied().unwrap_or(u64::MAX));
    }

    /// Records items of the order list that could not be read.
    pub fn set_skipped_orders(&mut self, skipped: Vec<Skipped>) {
        self.skipped_orders = skipped;
    }

    /// Marks the load finished (the loader's `Done`).
    pub fn mark_done(&mut self) {
        self.done = true;
    }

    /// Every guest, in list order.
    pub fn guests(&self) -> &[Guest] {
        &self.guests
    }

    /// The number of guests.
    pub fn len(&self) -> usize {
        self.guests.len()
    }

    /// No guests (yet).
    pub fn is_empty(&self) -> bool {
        self.guests.is_empty()
    }

    /// An order whose details are in, with or without attendees.
    pub fn purchase(&self, order_id: u64) -> Option<&Arc<Purchase>> {
        self.purchases.get(&order_id)
    }

    /// Every order whose details are in, in list order, with its guests.
    pub fn orders(&self) -> Vec<(&Arc<Purchase>, &[Guest])> {
        let mut all: Vec<&Arc<Purchase>> = self.purchases.values().collect();
        all.sort_by_key(|p| p.rank);
        all.into_iter()
            .map(|p| {
                let guests = match self.by_order.get(&p.id) {
                    Some(&(start, len)) => {
                        self.guests.get(start as usize..(start + len) as usize).unwrap_or_default()
                    }
                    None => &[],
                };
                (p, guests)
            })
            .collect()
    }

    /// Orders whose details could not be fetched, in list order, with why.
    pub fn failed(&self) -> &[FailedOrder] {
        &self.failed
    }

    /// How fresh the list is: orders whose last fetch failed while older
    /// details are kept (stale), listed orders with no details at all
    /// (missing), and when the oldest details kept were fetched.
    pub fn freshness(&self) -> Freshness {
        self.summary().freshness
    }

    fn summary(&self) -> &Summary {
        self.summary.get_or_init(|| {
            let stale = self.failed.iter().filter(|f| self.purchases.contains_key(&f.order_id)).count();
            let missing: Vec<u64> = match &self.listed {
                Some(ids) => ids.iter().copied().filter(|id| !self.purchases.contains_key(id)).collect(),
                None => Vec::new(),
            };
            let oldest = self.purchases.values().map(|p| p.fetched_at).min();
            let freshness = Freshness { orders: self.purchases.len(), stale, missing: missing.len(), oldest };
            Summary { freshness, missing }
        })
    }

    /// Forgets the summary: the orders changed.
    fn orders_changed(&mut self) {
        self.summary = OnceLock::new();
    }

    /// Orders whose details were fetched before `at` (e.g. before this run
    /// started), oldest first, with when.
    pub fn fetched_before(&self, at: DateTime<Utc>) -> Vec<(u64, DateTime<Utc>)> {
        let mut old: Vec<(u64, DateTime<Utc>)> =
            self.purchases.values().filter(|p| p.fetched_at < at).map(|p| (p.id, p.fetched_at)).collect();
        old.sort_by_key(|&(id, when)| (when, id));
        old
    }

    /// Listed orders whose details are not in (yet), in list order.
    pub fn missing(&self) -> &[u64] {
        &self.summary().missing
    }

    /// Items of the order list that could not be read.
    pub fn skipped_orders(&self) -> &[Skipped] {
        &self.skipped_orders
    }

    /// The order list is known, and every listed order's details are in.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.listed.is_some() && self.summary().missing.is_empty()
    }

    /// The loader said it was done (complete or not).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Where loading stands.
    pub fn progress(&self) -> Progress {
        Progress {
            total: self.listed.as_ref().map(Vec::len),
            loaded: self.purchases.len(),
            failed: self.failed.len(),
            throttle: None,
        }
    }

    /// Guests that `query` finds by name, email, company, order id or
    /// attendee id, with the one matcher of every list ([`crate::search`]:
    /// fzf syntax, fuzzy and typo-tolerant, case and accents ignored);
    /// indices into [`GuestList::guests`], best first. A blank query matches
    /// everyone, in list order.
    pub fn search(&self, query: &str) -> Vec<usize> {
        GuestList::rank_in(&self.hay, &self.hay_start, query)
    }

    /// [`GuestList::search`] over a search text and its starts as
    /// [`GuestList::search_text`] and [`GuestList::search_starts`] give them:
    /// the rows are the matcher's (name first, fields between `FIELD_SEP`).
    pub fn rank_in(text: &str, starts: &[u32], query: &str) -> Vec<usize> {
        use crate::search::{FIELD_SEP as SEP, Matcher, Query, ROW_END, rows};
        const { assert!(FIELD_SEP == SEP && GUEST_END == ROW_END) };
        Matcher::new()
            .rank(&Query::parse(query), rows(text, starts))
            .into_iter()
            .map(|i| i as usize)
            .collect()
    }

    /// Guests whose attendee id or order id is exactly `id` (a barcode scan), in
    /// list order.
    pub fn lookup_id(&self, id: u64) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        if let Some(&(start, len)) = self.by_order.get(&id) {
            out.extend(start as usize..(start + len) as usize);
        }
        if let Some(&i) = self.by_attendee.get(&id)
            && !out.contains(&(i as usize))
        {
            out.push(i as usize);
            out.sort_unstable();
        }
        out
    }

    /// The door's verdict for the guest at `guest` (an index from
    /// [`GuestList::search`] or [`GuestList::lookup_id`]); `NotFound` when there is none.
    pub fn verdict(&self, guest: usize) -> Verdict {
        match self.guests.get(guest) {
            None => Verdict::NotFound,
            Some(g) => match g.order.status {
                Status::Cancelled => Verdict::Cancelled,
                Status::Unconfirmed | Status::Other => Verdict::Unconfirmed,
                Status::Confirmed => match &g.attendee.check_in {
                    Some(check_in) => Verdict::AlreadyCheckedIn { at: check_in.short() },
                    None => Verdict::Valid,
                },
            },
        }
    }

    /// Checked in / total, overall, per ticket group and per ticket. Kept up to
    /// date as orders arrive, so it costs next to nothing to ask on every frame.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts { cancelled: self.cancelled, ..Counts::default() };
        for (group, tickets) in &self.tallies {
            let mut group_tally = Tally::default();
            for (ticket, tally) in tickets.iter().filter(|(_, t)| t.total > 0) {
                group_tally.total += tally.total;
                group_tally.checked_in += tally.checked_in;
                counts.tickets.push(TicketTally {
                    group: group.clone(),
                    ticket: ticket.clone(),
                    tally: *tally,
                });
            }
            if group_tally.total > 0 {
                counts.overall.total += group_tally.total;
                counts.overall.checked_in += group_tally.checked_in;
                counts.groups.push((group.clone(), group_tally));
            }
        }
        counts.groups.sort_by(|a, b| a.0.cmp(&b.0));
        counts.tickets.sort_by(|a, b| (&a.group, &a.ticket).cmp(&(&b.group, &b.ticket)));
        counts
    }

    /// Counts `g` in (`by` = 1) or out (`by` = -1).
    fn count(&mut self, g: &Guest, by: isize) {
        if g.order.status == Status::Cancelled {
            self.cancelled = self.cancelled.saturating_add_signed(by);
            return;
        }
        let a = &g.attendee;
        // Look up by reference first: a key is only allocated the first time it is seen.
        let tickets = match self.tallies.get_mut(&a.ticket_group) {
            Some(tickets) => tickets,
            None => self.tallies.entry(a.ticket_group.clone()).or_default(),
        };
        let tally = match tickets.get_mut(a.ticket.as_str()) {
            Some(tally) => tally,
            None => tickets.entry(a.ticket.clone()).or_default(),
        };
        tally.count(a.check_in.is_some(), by);
    }

    /// The emails of these guests, each once (ignoring case), in the order given;
    /// blank ones left out. For "copy emails" and `floktu emails`.
    pub fn distinct_emails(&self, guests: impl IntoIterator<Item = usize>) -> Vec<&str> {
        let mut seen = HashSet::new();
        guests
            .into_iter()
            .filter_map(|i| self.guests.get(i))
            .map(|g| g.email().trim())
            .filter(|e| !e.is_empty() && seen.insert(e.to_lowercase()))
            .collect()
    }

    fn rank_of(&mut self, order_id: u64) -> u64 {
        if let Some(rank) = self.ranks.get(&order_id) {
            return *rank;
        }
        let rank = self.next_unlisted;
        self.next_unlisted += 1;
        self.ranks.insert(order_id, rank);
        rank
    }

    /// Inserts `new` (one order's guests) at `at`, keeping the search text and
    /// the id maps in step. Orders mostly arrive in list order, so `at` is
    /// mostly the end and little moves.
    fn insert_guests(&mut self, at: usize, new: Vec<Guest>) {
        let Some(first) = new.first() else { return };
        let order_id = first.order.id;
        let count = new.len();
        let text_at = self.text_start(at);
        let mut text = String::new();
        let mut starts = Vec::with_capacity(count);
        for g in &new {
            starts.push((text_at + text.len()) as u32);
            push_search_text(g, &mut text);
            self.count(g, 1);
        }
        self.hay.insert_str(text_at, &text);
        self.hay_start.splice(at..at, starts);
        for start in &mut self.hay_start[at + count..] {
            *start += text.len() as u32;
        }
        self.guests.splice(at..at, new);
        // Everything after the insertion moved up by `count`.
        self.reindex_moved(at + count, |i| i - count);
        for (i, g) in self.guests[at..at + count].iter().enumerate() {
            self.by_attendee.entry(g.attendee.id()).or_insert((at + i) as u32);
        }
        self.by_order.insert(order_id, (at as u32, count as u32));
    }

    /// Takes an order and its guests out.
    fn remove_order(&mut self, order_id: u64) {
        self.orders_changed();
        self.purchases.remove(&order_id);
        let Some((start, len)) = self.by_order.remove(&order_id) else {
            return;
        };
        let (start, len) = (start as usize, len as usize);
        let (text_from, text_to) = (self.text_start(start), self.text_start(start + len));
        self.hay.replace_range(text_from..text_to, "");
        self.hay_start.drain(start..start + len);
        for s in &mut self.hay_start[start..] {
            *s -= (text_to - text_from) as u32;
        }
        let gone: Vec<Guest> = self.guests.drain(start..start + len).collect();
        for g in &gone {
            self.count(g, -1);
            let id = g.attendee.id();
            if self.by_attendee.get(&id).is_some_and(|&i| (start..start + len).contains(&(i as usize))) {
                self.by_attendee.remove(&id);
            }
        }
        // Everything after the removal moved down by `len`.
        self.reindex_moved(start, |i| i + len);
    }

    /// Points the id maps at the new places of guests `from..`, which were at
    /// `old(i)` before. An entry only moves if it pointed at that guest's old
    /// place (an attendee id seen twice keeps pointing at its first guest).
    fn reindex_moved(&mut self, from: usize, old: impl Fn(usize) -> usize) {
        for i in from..self.guests.len() {
            let (moved, was) = (i as u32, old(i) as u32);
            let g = &self.guests[i];
            if let Some(slot) = self.by_attendee.get_mut(&g.attendee.id())
                && *slot == was
            {
                *slot = moved;
            }
            let first_of_order = i == from || self.guests[i - 1].order.id != g.order.id;
            if first_of_order
                && let Some(range) = self.by_order.get_mut(&g.order.id)
                && range.0 == was
            {
                range.0 = moved;
            }
        }
    }

    /// Where guest `i`'s search text starts (the end of the text for `i == len`).
    fn text_start(&self, i: usize) -> usize {
        self.hay_start.get(i).map_or(self.hay.len(), |&s| s as usize)
    }

    /// Puts every guest back in list order after the list changed, and rebuilds
    /// the index.
    fn resort(&mut self) {
        let mut purchases: Vec<Arc<Purchase>> = self.purchases.values().cloned().collect();
        for p in &mut purchases {
            let rank = self.ranks.get(&p.id).copied();
            let rank = match rank {
                Some(rank) => rank,
                None => self.rank_of(p.id),
            };
            Arc::make_mut(p).rank = rank;
        }
        let mut guests = std::mem::take(&mut self.guests);
        let fresh: FastMap<u64, Arc<Purchase>> = purchases.into_iter().map(|p| (p.id, p)).collect();
        for g in &mut guests {
            if let Some(p) = fresh.get(&g.order.id) {
                g.order = Arc::clone(p);
            }
        }
        guests.sort_by_key(|g| g.order.rank);
        self.purchases = fresh;
        self.hay.clear();
        self.hay_start.clear();
        self.by_attendee.clear();
        self.by_order.clear();
        self.tallies.clear();
        self.cancelled = 0;
        for (i, g) in guests.iter().enumerate() {
            self.count(g, 1);
            self.hay_start.push(self.hay.len() as u32);
            push_search_text(g, &mut self.hay);
            self.by_attendee.entry(g.attendee.id()).or_insert(i as u32);
            let range = self.by_order.entry(g.order.id).or_insert((i as u32, 0));
            range.1 += 1;
        }
        self.guests = guests;
    }
}

/// A guest's folded search text: name, email, company, order id, attendee id.
fn push_search_text(g: &Guest, out: &mut String) {
    let a = &g.attendee;
    fold_into(&a.first_name, out);
    out.push(' ');
    fold_into(&a.last_name, out);
    out.push(FIELD_SEP);
    fold_into(g.email(), out);
    out.push(FIELD_SEP);
    if let Some(company) = &a.company {
        fold_into(company, out);
    }
    out.push(FIELD_SEP);
    out.push_str(&g.order.id.to_string());
    out.push(FIELD_SEP);
    out.push_str(&a.attendee_id.to_string());
    out.push(GUEST_END);
}

// ---------------------------------------------------------------------------
// A list taken apart and put back together: what the cache stores
// (src/cache.rs). The search text is stored as the list built it, so opening a
// cached list folds nothing again.

/// One order of [`ListParts`]: its details, its attendees in order, and when
/// the details were fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderPart {
    /// The order, with its attendees.
    pub order: Order,
    /// When its details were fetched from Floktu.
    pub fetched_at: DateTime<Utc>,
}

/// A guest list taken apart, for [`GuestList::from_parts`].
#[derive(Clone, Debug)]
pub struct ListParts {
    /// The event.
    pub event_id: u64,
    /// Its name, if known.
    pub event_name: Option<String>,
    /// When the order list was fetched ([`GuestList::fetched_at`]).
    pub fetched_at: DateTime<Utc>,
    /// The order list, once known ([`GuestList::order_list`]).
    pub order_list: Option<Vec<u64>>,
    /// Every order whose details are in, in list order ([`GuestList::orders`]).
    pub orders: Vec<OrderPart>,
    /// Orders whose last fetch failed ([`GuestList::failed`]).
    pub failed: Vec<FailedOrder>,
    /// Items of the order list that could not be read.
    pub skipped_orders: Vec<Skipped>,
    /// Whether the load had finished ([`GuestList::is_done`]).
    pub done: bool,
    /// The folded search text of every guest, in guest order, exactly as
    /// [`GuestList::search_text`] gives it.
    pub search_text: String,
    /// Where each guest's text starts in it ([`GuestList::search_starts`]).
    pub search_starts: Vec<u32>,
    /// Attendees left in their source until first read (a list opened from
    /// the cache): each order's come after its decoded ones, if any.
    pub deferred: Option<DeferredAttendees>,
}

/// The attendees of [`ListParts`] that stay in their source until first read.
#[derive(Clone, Debug)]
pub struct DeferredAttendees {
    /// Where they are; attendee `i` (in guest order) is its key `i`.
    pub source: Arc<dyn AttendeeSource>,
    /// How many each order of [`ListParts::orders`] has.
    pub per_order: Vec<u32>,
    /// Their attendee ids, in guest order.
    pub ids: Vec<u64>,
}

/// [`GuestList::from_parts`] refused parts that do not fit together (what does not).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the guest list's parts do not fit together: {0}")]
pub struct PartsMismatch(pub &'static str);

impl GuestList {
    /// Puts a list back together from its parts, with the search text given
    /// rather than folded again; the id maps and counts are rebuilt. The
    /// result is what adding the orders one by one would give. Refused when
    /// the text does not hold one line per guest, or the orders are not in
    /// list order or come twice.
    pub fn from_parts(parts: ListParts) -> Result<GuestList, PartsMismatch> {
        let ListParts {
            event_id,
            event_name,
            fetched_at,
            order_list,
            orders,
            failed,
            skipped_orders,
            done,
            search_text,
            search_starts,
            deferred,
        } = parts;
        if let Some(d) = &deferred
            && (d.per_order.len() != orders.len()
                || d.per_order.iter().map(|&n| n as usize).sum::<usize>() != d.ids.len()
                || u32::try_from(d.ids.len()).is_err())
        {
            return Err(PartsMismatch("the deferred attendees do not fit the orders"));
        }
        let deferred_count = deferred.as_ref().map_or(0, |d| d.ids.len());
        let guest_count = orders.iter().map(|o| o.order.attendees.len()).sum::<usize>() + deferred_count;
        check_search_text(&search_text, &search_starts, guest_count)?;
        let mut list = GuestList::new(event_id);
        list.event_name = event_name;
        list.fetched_at = fetched_at;
        list.done = done;
        list.skipped_orders = skipped_orders;
        if let Some(ids) = &order_list {
            list.ranks.reserve(ids.len());
            for (i, id) in ids.iter().enumerate() {
                list.ranks.entry(*id).or_insert(i as u64);
            }
            list.next_unlisted = ids.len() as u64;
        }
        list.listed = order_list;
        list.purchases.reserve(orders.len());
        list.by_order.reserve(orders.len());
        list.by_attendee.reserve(guest_count);
        list.guests.reserve_exact(guest_count);
        let mut last_rank = None;
        let mut next_key = 0usize;
        for (order_no, OrderPart { order, fetched_at }) in orders.into_iter().enumerate() {
            let id = order.id;
            if list.purchases.contains_key(&id) {
                return Err(PartsMismatch("an order comes twice"));
            }
            let rank = list.rank_of(id);
            if last_rank.is_some_and(|last| last > rank) {
                return Err(PartsMismatch("the orders are not in list order"));
            }
            last_rank = Some(rank);
            let (purchase, attendees) = Purchase::split(order, fetched_at, rank);
            let purchase = Arc::new(purchase);
            let first = list.guests.len();
            for attendee in attendees {
                list.by_attendee.entry(attendee.attendee_id).or_insert(list.guests.len() as u32);
                list.guests.push(Guest { attendee: attendee.into(), order: Arc::clone(&purchase) });
            }
            if let Some(d) = &deferred {
                let count = d.per_order[order_no] as usize;
                for (key, &attendee_id) in d.ids[next_key..next_key + count].iter().enumerate() {
                    list.by_attendee.entry(attendee_id).or_insert(list.guests.len() as u32);
                    // `key` fits in u32: `ids.len()` was checked to.
                    let key = (next_key + key) as u32;
                    let attendee = LazyAttendee::deferred(attendee_id, Arc::clone(&d.source), key);
                    list.guests.push(Guest { attendee, order: Arc::clone(&purchase) });
                }
                next_key += count;
            }
            if list.guests.len() > first {
                list.by_order.insert(id, (first as u32, (list.guests.len() - first) as u32));
            }
            // Moved in last: an Arc clone is an atomic increment (and a drop a
            // decrement), and on a busy machine those were a third of this loop.
            list.purchases.insert(id, purchase);
        }
        list.count_all();
        list.failed = failed;
        let ranks = &list.ranks;
        list.failed.sort_by_key(|f| ranks.get(&f.order_id).copied().unwrap_or(u64::MAX));
        list.orders_changed();
        list.hay = search_text;
        list.hay_start = search_starts;
        Ok(list)
    }

    /// Counts every guest into tallies that hold none yet: what [`GuestList::count`]
    /// does for each, with one lookup per run of guests of the same ticket
    /// rather than two per guest (a tenth of putting 100,000 guests together).
    fn count_all(&mut self) {
        let mut tallies: FastMap<(Option<&str>, &str), Tally> = FastMap::default();
        let mut run: Option<((Option<&str>, &str), Tally)> = None;
        for g in &self.guests {
            if g.order.status == Status::Cancelled {
                self.cancelled += 1;
                continue;
            }
            // Read without decoding an attendee still in the cache's bytes.
            let (group, ticket, checked_in) = g.attendee.counted_as();
            let key = (group, ticket);
            match &mut run {
                Some((run_key, tally)) if *run_key == key => tally.count(checked_in, 1),
                _ => {
                    if let Some((run_key, tally)) = run.take() {
                        add_tally(tallies.entry(run_key).or_default(), tally);
                    }
                    let mut tally = Tally::default();
                    tally.count(checked_in, 1);
                    run = Some((key, tally));
                }
            }
        }
        if let Some((run_key, tally)) = run {
            add_tally(tallies.entry(run_key).or_default(), tally);
        }
        for ((group, ticket), tally) in tallies {
            let tickets = self.tallies.entry(group.map(str::to_string)).or_default();
            add_tally(tickets.entry(ticket.to_string()).or_default(), tally);
        }
    }

    /// The folded search text of every guest, in guest order, each ending in a
    /// newline (for the cache; see [`GuestList::from_parts`]).
    pub fn search_text(&self) -> &str {
        &self.hay
    }

    /// Where each guest's text starts in [`GuestList::search_text`].
    pub fn search_starts(&self) -> &[u32] {
        &self.hay_start
    }
}

/// Adds `more` to `tally`.
fn add_tally(tally: &mut Tally, more: Tally) {
    tally.total += more.total;
    tally.checked_in += more.checked_in;
}

/// Checks that `starts` cuts `text` into exactly `guests` lines, one per guest:
/// the first at 0, each after a `GUEST_END`, the text ending in one and
/// holding no other.
pub(crate) fn check_search_text(text: &str, starts: &[u32], guests: usize) -> Result<(), PartsMismatch> {
    let bytes = text.as_bytes();
    let end = GUEST_END as u8;
    if starts.len() != guests {
        return Err(PartsMismatch("not one search text start per guest"));
    }
    if guests == 0 {
        return if text.is_empty() { Ok(()) } else { Err(PartsMismatch("search text without guests")) };
    }
    if starts[0] != 0 || bytes.last() != Some(&end) || memchr::memchr_iter(end, bytes).count() != guests {
        return Err(PartsMismatch("the search text does not hold one line per guest"));
    }
    let lined_up = starts
        .windows(2)
        .all(|w| w[0] < w[1] && (w[1] as usize) < bytes.len() && bytes[w[1] as usize - 1] == end);
    if !lined_up {
        return Err(PartsMismatch("a search text start is not at the start of a line"));
    }
    Ok(())
}

#[cfg(test)]
mod parts_tests {
    use super::*;

    /// A generated event with a stale order, a missing one, an order the list
    /// does not have, skipped items, and details fetched at different times.
    fn varied_list() -> GuestList {
        let data = crate::demo::Dataset::generate(11, 1, 120);
        let event = &data.events[0];
        let mut list = GuestList::new(event.id);
        list.set_event_name(Some(event.name.clone()));
        list.set_order_list(event.orders.iter().map(|o| o.id).collect());
        let then = Utc::now() - chrono::TimeDelta::hours(3);
        for (i, o) in event.orders.iter().enumerate().skip(1) {
            list.add_order_fetched(o.to_order(), then + chrono::TimeDelta::seconds(i as i64));
        }
        list.add_failure(event.orders[0].id, "timed out");
        list.add_failure(event.orders[5].id, "Floktu answered 500");
        list.set_skipped_orders(vec![Skipped { at: "#9".into(), reason: "no id".into() }]);
        let mut unlisted = event.orders[7].to_order();
        unlisted.id = 999_999;
        unlisted.skipped_attendees = vec![Skipped { at: "#0".into(), reason: "no ticket".into() }];
        for a in &mut unlisted.attendees {
            a.attendee_id += 1_000_000;
        }
        list.add_order(unlisted);
        list.mark_done();
        list
    }

    /// Every field of the two lists, the index and counts included.
    fn assert_same(back: &GuestList, list: &GuestList) {
        assert_eq!(back.event_id, list.event_id);
        assert_eq!(back.event_name, list.event_name);
        assert_eq!(back.fetched_at, list.fetched_at);
        assert_eq!(back.listed, list.listed);
        assert_eq!(back.ranks, list.ranks);
        assert_eq!(back.next_unlisted, list.next_unlisted);
        assert_eq!(back.purchases, list.purchases);
        assert_eq!(back.failed, list.failed);
        assert_eq!(back.skipped_orders, list.skipped_orders);
        assert_eq!(back.done, list.done);
        assert_eq!(back.guests, list.guests);
        assert_eq!(back.hay, list.hay);
        assert_eq!(back.hay_start, list.hay_start);
        assert_eq!(back.by_attendee, list.by_attendee);
        assert_eq!(back.by_order, list.by_order);
        assert_eq!(back.tallies, list.tallies);
        assert_eq!(back.cancelled, list.cancelled);
        for g in &back.guests {
            assert!(Arc::ptr_eq(&back.purchases[&g.order.id], &g.order), "guests share their order");
        }
    }

    #[test]
    fn a_list_read_back_from_the_cache_equals_the_one_saved_index_included() {
        let list = varied_list();
        let bytes = crate::cache::encode(&list, "host", "account").unwrap();
        let back = crate::cache::decode(bytes.clone(), "host", "account", list.event_id).unwrap();
        assert_same(&back, &list);
        assert_eq!(back.freshness(), list.freshness());
        assert_eq!(back.search("a"), list.search("a"));
    }

    #[test]
    fn parts_whose_search_text_does_not_fit_are_refused() {
        let list = varied_list();
        let bytes = crate::cache::encode(&list, "host", "account").unwrap();
        let good = crate::cache::decode(bytes.clone(), "host", "account", list.event_id).unwrap();
        let parts = |text: String, starts: Vec<u32>| ListParts {
            event_id: 1,
            event_name: None,
            fetched_at: Utc::now(),
            order_list: None,
            orders: good
                .orders()
                .into_iter()
                .map(|(p, guests)| OrderPart {
                    order: Order {
                        id: p.id,
                        name: p.name.clone(),
                        email: p.email.clone(),
                        order_amount: p.order_amount,
                        amount_paid: p.amount_paid,
                        voucher: p.voucher.clone(),
                        status: p.status,
                        attendees: guests.iter().map(|g| g.attendee.clone()).collect(),
                        skipped_attendees: Vec::new(),
                    },
                    fetched_at: p.fetched_at,
                })
                .collect(),
            failed: Vec::new(),
            skipped_orders: Vec::new(),
            done: true,
            search_text: text,
            search_starts: starts,
            deferred: None,
        };
        let (text, starts) = (good.hay.clone(), good.hay_start.clone());
        assert!(GuestList::from_parts(parts(text.clone(), starts.clone())).is_ok());
        assert!(GuestList::from_parts(parts(text.clone(), starts[1..].to_vec())).is_err());
        let mut shifted = starts.clone();
        shifted[3] += 1;
        assert!(GuestList::from_parts(parts(text.clone(), shifted)).is_err());
        assert!(GuestList::from_parts(parts(text.replacen('\n', " ", 1), starts)).is_err());
    }

    #[test]
    fn a_search_over_starts_that_do_not_fit_never_panics() {
        assert_eq!(GuestList::rank_in("ann\nbo\n", &[0, 4], "bo"), vec![1]);
        assert!(GuestList::rank_in("ann\nbo\n", &[0, 400], "bo").len() <= 1);
        assert_eq!(GuestList::rank_in("ann\nbo\n", &[], "bo"), Vec::<usize>::new());
        assert!(GuestList::rank_in("ann\nbo\n", &[5, 0, 2], "n").len() <= 3);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Answer, CheckIn};

    fn attendee(id: u64, first: &str, last: &str) -> Attendee {
        Attendee {
            attendee_id: id,
            ticket_group: Some("Weekend".into()),
            ticket: "Full Pass".into(),
            check_in: None,
            first_name: first.into(),
            last_name: last.into(),
            company: None,
            answers: Vec::new(),
        }
    }

    fn order(id: u64, status: Status, attendees: Vec<Attendee>) -> Order {
        Order {
            id,
            name: "Pat Buyer".into(),
            email: format!("buyer{id}@example.com"),
            order_amount: Some(Money(5000)),
            amount_paid: Some(Money(5000)),
            voucher: None,
            status,
            attendees,
            skipped_attendees: Vec::new(),
        }
    }

    fn checked_in(mut a: Attendee) -> Attendee {
        a.check_in = Some(CheckIn {
            raw: "2026-11-28 19:42:07".into(),
            at: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).and_then(|d| d.and_hms_opt(19, 42, 7)),
        });
        a
    }

    fn ids(list: &GuestList) -> Vec<u64> {
        list.guests().iter().map(|g| g.attendee.attendee_id).collect()
    }

    fn list_of(orders: Vec<Order>) -> GuestList {
        let mut list = GuestList::new(12);
        list.set_order_list(orders.iter().map(|o| o.id).collect());
        for o in orders {
            list.add_order(o);
        }
        list
    }

    /// The index agrees with the guests: what a rebuild from scratch would give.
    fn assert_consistent(list: &GuestList) {
        let ranks: Vec<u64> = list.guests.iter().map(|g| g.order.rank).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "list order: {ranks:?}");
        let mut hay = String::new();
        for (i, g) in list.guests.iter().enumerate() {
            assert_eq!(list.hay_start[i] as usize, hay.len(), "text start of guest {i}");
            push_search_text(g, &mut hay);
            assert_eq!(list.by_attendee.get(&g.attendee.attendee_id), Some(&(i as u32)));
            let (start, len) = list.by_order[&g.order.id];
            assert!((start as usize..(start + len) as usize).contains(&i), "order range of guest {i}");
            assert!(Arc::ptr_eq(&list.purchases[&g.order.id], &g.order));
        }
        assert_eq!(list.hay, hay);
        let mut fresh = GuestList::new(list.event_id);
        for (p, guests) in list.orders() {
            fresh.add_order(Order {
                id: p.id,
                name: p.name.clone(),
                email: p.email.clone(),
                order_amount: p.order_amount,
                amount_paid: p.amount_paid,
                voucher: p.voucher.clone(),
                status: p.status,
                attendees: guests.iter().map(|g| g.attendee.clone()).collect(),
                skipped_attendees: p.skipped_attendees.clone(),
            });
        }
        assert_eq!(list.counts(), fresh.counts(), "counts kept up to date");
        assert_eq!(list.hay_start.len(), list.guests.len());
        assert_eq!(list.by_attendee.len(), list.guests.len());
        let with_guests: HashSet<u64> = list.guests.iter().map(|g| g.order.id).collect();
        assert_eq!(list.by_order.len(), with_guests.len());
    }

    proptest::proptest! {
        #[test]
        fn the_index_stays_consistent_whatever_order_orders_arrive_in(
            sizes in proptest::collection::vec(0usize..4, 1..25),
            arrival in proptest::collection::vec(0usize..100, 1..60),
            listed in proptest::bool::ANY,
        ) {
            let mut list = GuestList::new(12);
            if listed {
                list.set_order_list((0..sizes.len() as u64).collect());
            }
            for (step, pick) in arrival.iter().enumerate() {
                let o = (pick % sizes.len()) as u64;
                // Attendee ids stay unique per order; a replaced order keeps its ids.
                let people = (0..sizes[o as usize] as u64)
                    .map(|k| attendee(1000 + o * 10 + k, "N", &format!("s{step}")))
                    .map(|a| if (step + *pick) % 2 == 0 { checked_in(a) } else { a })
                    .collect();
                let status = [Status::Confirmed, Status::Cancelled, Status::Unconfirmed][step % 3];
                list.add_order(order(o, status, people));
                assert_consistent(&list);
            }
        }
    }

    #[test]
    fn a_single_guest_inserted_before_a_larger_order_moves_it_intact() {
        let mut list = GuestList::new(12);
        list.set_order_list(vec![1, 2]);
        list.add_order(order(2, Status::Confirmed, vec![attendee(20, "B", "b"), attendee(21, "C", "c")]));
        list.add_order(order(1, Status::Confirmed, vec![attendee(10, "A", "a")]));
        assert_consistent(&list);
        assert_eq!(list.lookup_id(2), vec![1, 2]);
    }

    #[test]
    fn guests_keep_list_order_whatever_order_the_details_arrive_in() {
        let mut list = GuestList::new(12);
        list.set_order_list(vec![1, 2, 3]);
        list.add_order(order(3, Status::Confirmed, vec![attendee(30, "C", "c")]));
        list.add_order(order(1, Status::Confirmed, vec![attendee(10, "A", "a"), attendee(11, "A", "b")]));
        list.add_order(order(2, Status::Confirmed, vec![attendee(20, "B", "b")]));
        assert_eq!(ids(&list), vec![10, 11, 20, 30]);
        assert_eq!(list.lookup_id(30), vec![3]);
        assert_eq!(list.lookup_id(1), vec![0, 1]);
        // The search text moved with the guests ("^c$": the whole word "c").
        assert_eq!(list.search("^c$"), vec![3]);
    }

    #[test]
    fn an_order_added_again_replaces_its_attendees() {
        let mut list = list_of(vec![
            order(1, Status::Confirmed, vec![attendee(10, "Ann", "Lee")]),
            order(2, Status::Confirmed, vec![attendee(20, "Bo", "Ng")]),
        ]);
        list.add_order(order(
            1,
            Status::Cancelled,
            vec![attendee(10, "Ann", "Lee"), attendee(12, "Cy", "Li")],
        ));
        assert_eq!(ids(&list), vec![10, 12, 20]);
        assert_eq!(list.verdict(0), Verdict::Cancelled);
        assert_eq!(list.lookup_id(20), vec![2]);
        assert_eq!(list.search("bo ng"), vec![2]);
        assert_eq!(list.search("cy"), vec![1]);
    }

    #[test]
    fn a_late_order_is_loaded_and_its_failure_forgotten() {
        let mut list = GuestList::new(12);
        list.set_order_list(vec![1, 2]);
        list.add_order(order(2, Status::Confirmed, vec![attendee(20, "Bo", "Ng")]));
        list.add_failure(1, "Floktu answered 502: Bad Gateway");
        assert!(!list.is_complete());
        assert_eq!(list.failed()[0].order_id, 1);
        list.add_order(order(1, Status::Confirmed, vec![attendee(10, "Ann", "Lee")]));
        assert!(list.failed().is_empty());
        assert!(list.is_complete());
        assert_eq!(ids(&list), vec![10, 20]);
    }

    #[test]
    fn search_ignores_case_and_accents() {
        let list = list_of(vec![order(
            1,
            Status::Confirmed,
            vec![attendee(10, "Zoë", "MÜLLER"), attendee(11, "Zoe", "Smith")],
        )]);
        assert_eq!(list.search("zoe"), vec![0, 1]);
        assert_eq!(list.search("ZOË MULLER"), vec![0]);
        assert_eq!(list.search("müller"), vec![0]);
    }

    #[test]
    fn search_covers_email_company_and_both_ids() {
        let mut a = attendee(500_123, "Ann", "Lee");
        a.company = Some("Acme Ltd".into());
        a.answers = vec![Answer { question: "Email".into(), answer: Some("ann@corp.example".into()) }];
        let list = list_of(vec![
            order(100_007, Status::Confirmed, vec![a]),
            order(100_008, Status::Confirmed, vec![attendee(500_124, "Bo", "Ng")]),
        ]);
        assert_eq!(list.search("ACME"), vec![0]);
        assert_eq!(list.search("corp.example"), vec![0]);
        assert_eq!(list.search("buyer100008@"), vec![1], "falls back to the purchaser's email");
        assert_eq!(list.search("100007"), vec![0]);
        assert_eq!(list.search("500124"), vec![1]);
        assert!(list.search("nobody").is_empty());
    }

    #[test]
    fn a_match_never_runs_from_one_field_into_the_next() {
        let list = list_of(vec![order(1, Status::Confirmed, vec![attendee(10, "Ann", "Lee")])]);
        // "lee" ends the name and "buyer1" starts the email.
        assert!(list.search("leebuyer").is_empty());
        // Separate terms may match separate fields, in any order.
        assert_eq!(list.search("buyer lee"), vec![0]);
    }

    #[test]
    fn a_blank_query_matches_everyone() {
        let list =
            list_of(vec![order(1, Status::Confirmed, vec![attendee(10, "A", "a"), attendee(11, "B", "b")])]);
        assert_eq!(list.search(""), vec![0, 1]);
        assert_eq!(list.search("  "), vec![0, 1]);
    }

    #[test]
    fn a_one_letter_query_lists_each_guest_once() {
        let list = list_of(vec![order(
            1,
            Status::Confirmed,
            vec![attendee(10, "Zaza", "Zoltz"), attendee(11, "Bo", "Ng")],
        )]);
        assert_eq!(list.search("z"), vec![0]);
    }

    #[test]
    fn lookup_by_attendee_id_finds_one_guest_and_by_order_id_all_of_the_order() {
        let list = list_of(vec![
            order(1, Status::Confirmed, vec![attendee(10, "A", "a")]),
            order(2, Status::Confirmed, vec![attendee(20, "B", "b"), attendee(21, "C", "c")]),
        ]);
        assert_eq!(list.lookup_id(21), vec![2]);
        assert_eq!(list.lookup_id(2), vec![1, 2]);
        assert!(list.lookup_id(99).is_empty());
    }

    #[test]
    fn verdict_of_a_cancelled_order_is_cancelled_even_when_checked_in() {
        let list = list_of(vec![order(1, Status::Cancelled, vec![checked_in(attendee(10, "A", "a"))])]);
        assert_eq!(list.verdict(0), Verdict::Cancelled);
    }

    #[test]
    fn verdict_of_an_unconfirmed_order_is_unconfirmed() {
        let list = list_of(vec![order(1, Status::Unconfirmed, vec![attendee(10, "A", "a")])]);
        assert_eq!(list.verdict(0), Verdict::Unconfirmed);
    }

    #[test]
    fn verdict_of_an_unknown_status_is_unconfirmed_not_valid() {
        let list = list_of(vec![order(1, Status::Other, vec![attendee(10, "A", "a")])]);
        assert_eq!(list.verdict(0), Verdict::Unconfirmed);
    }

    #[test]
    fn verdict_of_a_checked_in_attendee_gives_the_time() {
        let list = list_of(vec![order(1, Status::Confirmed, vec![checked_in(attendee(10, "A", "a"))])]);
        assert_eq!(list.verdict(0), Verdict::AlreadyCheckedIn { at: "2026-11-28 19:42".into() });
    }

    #[test]
    fn verdict_of_a_confirmed_attendee_not_yet_in_is_valid() {
        let list = list_of(vec![order(1, Status::Confirmed, vec![attendee(10, "A", "a")])]);
        assert_eq!(list.verdict(0), Verdict::Valid);
    }

    #[test]
    fn verdict_of_no_guest_is_not_found() {
        let list = list_of(vec![order(1, Status::Confirmed, vec![attendee(10, "A", "a")])]);
        assert_eq!(list.verdict(5), Verdict::NotFound);
    }

    #[test]
    fn every_verdict_has_a_word_and_a_symbol() {
        let all = [
            Verdict::Valid,
            Verdict::AlreadyCheckedIn { at: "19:42".into() },
            Verdict::Cancelled,
            Verdict::Unconfirmed,
            Verdict::NotFound,
        ];
        let words: HashSet<&str> = all.iter().map(Verdict::word).collect();
        let symbols: HashSet<&str> = all.iter().map(Verdict::symbol).collect();
        assert_eq!((words.len(), symbols.len()), (5, 5));
        assert_eq!(Verdict::AlreadyCheckedIn { at: String::new() }.word(), "ALREADY CHECKED IN");
        assert_eq!(Verdict::NotFound.word(), "NOT FOUND");
    }

    #[test]
    fn cancelled_orders_are_not_counted() {
        let list = list_of(vec![
            order(1, Status::Confirmed, vec![checked_in(attendee(10, "A", "a")), attendee(11, "B", "b")]),
            order(2, Status::Cancelled, vec![checked_in(attendee(20, "C", "c"))]),
        ]);
        let c = list.counts();
        assert_eq!(c.overall, Tally { checked_in: 1, total: 2 });
        assert_eq!(c.cancelled, 1);
    }

    #[test]
    fn unconfirmed_and_unknown_status_orders_are_counted() {
        let list = list_of(vec![
            order(1, Status::Unconfirmed, vec![attendee(10, "A", "a")]),
            order(2, Status::Other, vec![attendee(20, "B", "b")]),
        ]);
        assert_eq!(list.counts().overall, Tally { checked_in: 0, total: 2 });
    }

    #[test]
    fn counts_are_split_by_group_and_by_ticket_within_its_group() {
        let mut vip = checked_in(attendee(11, "B", "b"));
        vip.ticket_group = Some("VIP".into());
        let mut no_group = attendee(12, "C", "c");
        no_group.ticket_group = None;
        no_group.ticket = "Full Pass".into();
        let list = list_of(vec![order(1, Status::Confirmed, vec![attendee(10, "A", "a"), vip, no_group])]);
        let c = list.counts();
        assert_eq!(
            c.groups,
            vec![
                (None, Tally { checked_in: 0, total: 1 }),
                (Some("VIP".into()), Tally { checked_in: 1, total: 1 }),
                (Some("Weekend".into()), Tally { checked_in: 0, total: 1 }),
            ]
        );
        // The same ticket name in two groups is two tickets.
        assert_eq!(c.tickets.len(), 3);
        assert!(c.tickets.iter().all(|t| t.ticket == "Full Pass" && t.tally.total == 1));
    }

    #[test]
    fn distinct_emails_ignore_case_and_keep_the_first_in_order() {
        let with_email = |id, email: &str| {
            let mut a = attendee(id, "X", "y");
            a.answers = vec![Answer { question: "E-mail".into(), answer: Some(email.into()) }];
            a
        };
        let list = list_of(vec![order(
            1,
            Status::Confirmed,
            vec![
                with_email(10, "b@example.com"),
                with_email(11, "A@example.com"),
                with_email(12, "B@EXAMPLE.com"),
                attendee(13, "Z", "z"),
            ],
        )]);
        assert_eq!(
            list.distinct_emails(0..list.len()),
            vec!["b@example.com", "A@example.com", "buyer1@example.com"]
        );
    }

    #[test]
    fn an_order_without_attendees_is_still_known() {
        let list = list_of(vec![order(1, Status::Cancelled, vec![])]);
        assert!(list.is_empty());
        assert!(list.is_complete());
        assert_eq!(list.purchase(1).map(|p| p.status), Some(Status::Cancelled));
        assert_eq!(list.orders().len(), 1);
    }

    #[test]
    fn a_new_order_list_resorts_what_is_already_there() {
        let mut list = GuestList::new(12);
        list.add_order(order(2, Status::Confirmed, vec![attendee(20, "B", "b")]));
        list.add_order(order(1, Status::Confirmed, vec![attendee(10, "A", "a")]));
        assert_eq!(ids(&list), vec![20, 10]);
        list.set_order_list(vec![1, 2]);
        assert_eq!(ids(&list), vec![10, 20]);
        assert_eq!(list.lookup_id(20), vec![1]);
        assert_eq!(list.search("^b$"), vec![1]);
    }

    #[test]
    fn completeness_needs_the_order_list_and_every_listed_order() {
        let mut list = GuestList::new(12);
        assert!(!list.is_complete());
        list.set_order_list(vec![1, 2]);
        list.add_order(order(1, Status::Confirmed, vec![]));
        assert!(!list.is_complete());
        list.add_order(order(2, Status::Confirmed, vec![]));
        assert!(list.is_complete());
    }

    #[test]
    fn age_is_measured_from_the_fetch() {
        let mut list = GuestList::new(12);
        let now = Utc::now();
        list.set_fetched_at(now - chrono::TimeDelta::minutes(12));
        assert_eq!(list.age(now), chrono::TimeDelta::minutes(12));
        list.set_fetched_at(now + chrono::TimeDelta::minutes(1));
        assert_eq!(list.age(now), chrono::TimeDelta::zero());
    }

    #[test]
    fn a_failed_refresh_keeps_the_last_good_order() {
        let mut list = list_of(vec![order(1, Status::Confirmed, vec![attendee(10, "Ann", "Lee")])]);
        list.add_failure(1, "Floktu answered 503");
        assert_eq!(ids(&list), vec![10]);
        assert_eq!(list.lookup_id(10), vec![0]);
        assert_eq!(list.counts().overall.total, 1);
        assert_eq!(list.freshness().stale, 1);
    }

    #[test]
    fn an_order_leaves_only_when_a_successful_list_no_longer_has_it() {
        let mut list = list_of(vec![
            order(1, Status::Confirmed, vec![attendee(10, "Ann", "Lee")]),
            order(2, Status::Confirmed, vec![attendee(20, "Bo", "Ng")]),
        ]);
        list.add_failure(2, "timed out");
        list.set_order_list(vec![2, 3]);
        assert_eq!(ids(&list), vec![20]);
        assert!(list.purchase(1).is_none());
        assert_eq!(list.lookup_id(10), Vec::<usize>::new());
        assert_eq!(list.missing(), [3]);
        assert_eq!(list.failed().len(), 1, "the failure of an order still listed stays");
        assert_consistent(&list);
    }

    #[test]
    fn a_failure_of_an_order_that_left_the_list_is_forgotten() {
        let mut list =
            list_of(vec![order(1, Status::Confirmed, vec![]), order(2, Status::Confirmed, vec![])]);
        list.add_failure(1, "timed out");
        list.set_order_list(vec![2]);
        assert!(list.failed().is_empty());
    }

    #[test]
    fn freshness_counts_stale_and_missing_orders_and_the_oldest_details() {
        let now = Utc::now();
        let mut list = GuestList::new(12);
        list.set_order_list(vec![1, 2, 3, 4]);
        list.add_order_fetched(order(1, Status::Confirmed, vec![]), now - chrono::TimeDelta::minutes(7));
        list.add_order_fetched(order(2, Status::Confirmed, vec![]), now - chrono::TimeDelta::minutes(2));
        list.add_order_fetched(order(3, Status::Confirmed, vec![]), now);
        list.add_failure(1, "timed out");
        list.add_failure(4, "timed out");
        let f = list.freshness();
        assert_eq!((f.orders, f.stale, f.missing), (3, 1, 1));
        assert_eq!(f.oldest_age(now), chrono::TimeDelta::minutes(7));
        let before: Vec<u64> = list.fetched_before(now).into_iter().map(|(id, _)| id).collect();
        assert_eq!(before, vec![1, 2], "oldest first");
    }

    #[test]
    fn new_details_make_a_stale_order_fresh() {
        let mut list = list_of(vec![order(1, Status::Confirmed, vec![attendee(10, "Ann", "Lee")])]);
        list.add_failure(1, "timed out");
        list.add_order(order(1, Status::Cancelled, vec![attendee(10, "Ann", "Lee")]));
        assert_eq!(list.freshness().stale, 0);
        assert_eq!(list.verdict(0), Verdict::Cancelled);
    }
}
