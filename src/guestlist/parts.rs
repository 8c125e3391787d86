//! A list taken apart and put back together: what the cache stores
//! (`src/cache.rs`). The search text is stored as the list built it, so opening
//! a cached list folds nothing again.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{
    AttendeeSource, FailedOrder, Guest, GuestList, LazyAttendee, Purchase, SearchText, check_search_text,
    counts, index,
};
use crate::api::{Attendee, Order, Skipped};

/// Lists of fewer guests are put together on one thread.
const PARALLEL_FROM: usize = 10_000;

/// One order of [`ListParts`]: its details as its guests will share them,
/// and its decoded attendees in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderPart {
    /// The order's details (its place in the list is set by
    /// [`GuestList::from_parts`]).
    pub purchase: Arc<Purchase>,
    /// Its attendees, decoded.
    pub attendees: Vec<Attendee>,
}

impl OrderPart {
    /// `order`, whose details were fetched from Floktu at `fetched_at`.
    pub fn new(order: Order, fetched_at: DateTime<Utc>) -> OrderPart {
        let (purchase, attendees) = Purchase::split(order, fetched_at, 0);
        OrderPart { purchase: Arc::new(purchase), attendees }
    }
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
    pub search_text: SearchText,
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
    // Long on purpose: one pass over the orders building every index at once
    // (this is the cache's open, measured in BENCHMARKS.md); split, it would
    // walk them once per index.
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
        let guest_count = orders.iter().map(|o| o.attendees.len()).sum::<usize>() + deferred_count;
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
        list.guests.reserve_exact(guest_count);
        let mut last_rank = None;
        let mut next_key = 0usize;
        for (order_no, OrderPart { mut purchase, attendees }) in orders.into_iter().enumerate() {
            let id = purchase.id;
            if list.purchases.contains_key(&id) {
                return Err(PartsMismatch("an order comes twice"));
            }
            let rank = list.rank_of(id);
            if last_rank.is_some_and(|last| last > rank) {
                return Err(PartsMismatch("the orders are not in list order"));
            }
            last_rank = Some(rank);
            // Not shared yet, so set in place.
            Arc::make_mut(&mut purchase).rank = rank;
            let first = list.guests.len();
            for attendee in attendees {
                list.guests.push(Guest { attendee: attendee.into(), order: Arc::clone(&purchase) });
            }
            if let Some(d) = &deferred {
                let count = d.per_order[order_no] as usize;
                for (key, &attendee_id) in d.ids[next_key..next_key + count].iter().enumerate() {
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
        // The id index and the tallies both only read the guests: each on a
        // core (for 100,000 guests, 4 and 16 ms of a first open, one after the other).
        let guests = &list.guests;
        let ((tallies, cancelled), by_attendee) = if guests.len() < PARALLEL_FROM {
            (counts::tallied(guests), index::attendee_index(guests))
        } else {
            std::thread::scope(|s| {
                let by_attendee = s.spawn(|| index::attendee_index(guests));
                let counted = counts::tallied(guests);
                (counted, by_attendee.join().unwrap_or_else(|_| index::attendee_index(guests)))
            })
        };
        (list.tallies, list.cancelled, list.by_attendee) = (tallies, cancelled, by_attendee);
        list.failed = failed;
        let ranks = &list.ranks;
        list.failed.sort_by_key(|f| ranks.get(&f.order_id).copied().unwrap_or(u64::MAX));
        list.orders_changed();
        list.hay = search_text;
        list.hay_start = search_starts;
        Ok(list)
    }
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
        let back = crate::cache::decode(bytes.clone().into(), "host", "account", list.event_id).unwrap();
        assert_same(&back, &list);
        assert_eq!(back.freshness(), list.freshness());
        assert_eq!(back.search("a"), list.search("a"));
    }

    #[test]
    fn parts_whose_search_text_does_not_fit_are_refused() {
        let list = varied_list();
        let bytes = crate::cache::encode(&list, "host", "account").unwrap();
        let good = crate::cache::decode(bytes.clone().into(), "host", "account", list.event_id).unwrap();
        let parts = |text: String, starts: Vec<u32>| ListParts {
            event_id: 1,
            event_name: None,
            fetched_at: Utc::now(),
            order_list: None,
            orders: good
                .orders()
                .into_iter()
                .map(|(p, guests)| {
                    let order = Order {
                        id: p.id,
                        name: p.name.clone(),
                        email: p.email.clone(),
                        order_amount: p.order_amount,
                        amount_paid: p.amount_paid,
                        voucher: p.voucher.clone(),
                        status: p.status,
                        attendees: guests.iter().map(|g| g.attendee.clone()).collect(),
                        skipped_attendees: Vec::new(),
                    };
                    OrderPart::new(order, p.fetched_at)
                })
                .collect(),
            failed: Vec::new(),
            skipped_orders: Vec::new(),
            done: true,
            search_text: text.into(),
            search_starts: starts,
            deferred: None,
        };
        let (text, starts) = (good.hay.to_string(), good.hay_start.clone());
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
