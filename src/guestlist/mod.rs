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

mod counts;
mod facts;
mod fast_hash;
mod fold;
mod index;
mod lazy;
mod limiter;
mod load;
mod merge;
mod parts;
mod stats;

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use fast_hash::FastMap;
use serde::Serialize;

use crate::api::{Attendee, Money, Order, Skipped, Status};

pub use counts::{Counts, Tally, TicketTally};
pub use facts::{GuestFacts, OrderFacts, order_is};
pub use fold::{fold, fold_into};
pub use index::SearchText;
pub(crate) use index::check_search_text;
pub use lazy::{AttendeeSource, LazyAttendee};
pub use load::{
    Fetch, LiveOptions, LoadEvent, Progress, Request, Throttle, fetch, fetch_orders, fetch_with, live, load,
    refresh,
};
pub use parts::{DeferredAttendees, ListParts, OrderPart, PartsMismatch};
pub use stats::{
    Arrivals, BUCKET_MINUTES, DataAge, FLOKTU, Figures, MAX_BUCKETS, MoneyFigures, Series, Stats, TicketStats,
};

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

    /// What the order still owes, when it has a balance due.
    pub fn amount_due(&self) -> Option<Money> {
        crate::api::model::amount_due(self.status, self.order_amount, self.amount_paid)
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
    hay: SearchText,
    /// Where each guest's text starts in `hay`.
    hay_start: Vec<u32>,
    by_attendee: FastMap<u64, u32>,
    /// Order id → (first guest, number of guests).
    by_order: FastMap<u64, (u32, u32)>,
    /// Kept up to date as guests come and go, so that `counts` costs nothing:
    /// ticket group → ticket → tally (cancelled orders left out).
    tallies: counts::Tallies,
    /// Attendees of cancelled orders.
    cancelled: usize,
    /// `freshness` and `missing`, worked out once per change of the orders:
    /// views ask for them every frame, and they cost O(orders).
    summary: OnceLock<Summary>,
    /// The list's part of the stats screen's numbers, worked out once per
    /// change of the guests (see `stats.rs`).
    stats_base: OnceLock<stats::StatsBase>,
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
            hay: SearchText::default(),
            hay_start: Vec::new(),
            by_attendee: FastMap::default(),
            by_order: FastMap::default(),
            tallies: FastMap::default(),
            cancelled: 0,
            summary: OnceLock::new(),
            stats_base: OnceLock::new(),
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

    /// The event's order ids in list order, once the order list is known.
    pub fn order_list(&self) -> Option<&[u64]> {
        self.listed.as_deref()
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

    /// The positions of an order's guests (empty when none are known).
    pub fn order_guests(&self, order_id: u64) -> std::ops::Range<usize> {
        match self.by_order.get(&order_id) {
            Some(&(start, len)) => start as usize..(start + len) as usize,
            None => 0..0,
        }
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
        self.stats_base = OnceLock::new();
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
}

#[cfg(test)]
mod tests {
    use super::index::push_search_text;
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
        assert_eq!(&*list.hay, hay);
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
