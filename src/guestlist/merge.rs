//! How what arrives is merged into what is known: an order's new details
//! replace its old ones in place, a failure keeps the last good data, and an
//! order leaves only when a successful order list no longer has it.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::fast_hash::FastMap;
use super::index::push_search_text;
use super::{FailedOrder, Guest, GuestList, Purchase, SearchText};
use crate::api::Order;

impl GuestList {
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

    pub(super) fn rank_of(&mut self, order_id: u64) -> u64 {
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
        self.hay.to_mut().insert_str(text_at, &text);
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
        self.hay.to_mut().replace_range(text_from..text_to, "");
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
        // Built again below: a text shared with a cache file is dropped, not copied first.
        self.hay = SearchText::default();
        self.hay_start.clear();
        self.by_attendee.clear();
        self.by_order.clear();
        self.tallies.clear();
        self.cancelled = 0;
        for (i, g) in guests.iter().enumerate() {
            self.count(g, 1);
            self.hay_start.push(self.hay.len() as u32);
            push_search_text(g, self.hay.to_mut());
            self.by_attendee.entry(g.attendee.id()).or_insert(i as u32);
            let range = self.by_order.entry(g.order.id).or_insert((i as u32, 0));
            range.1 += 1;
        }
        self.guests = guests;
    }
}
