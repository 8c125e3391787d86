//! Changes to the demo's data while it is served: an order's status, check-ins,
//! new orders, and picking orders to fail. The Floktu API has no write
//! endpoints; these stand for what happens at Floktu while floktu looks
//! (a box office confirms an order, a Floktu app checks a guest in, someone
//! buys a ticket at the last minute).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::data::{Dataset, DemoOrder, Prng, new_order};

/// An order's status, as the API's `status` field says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderStatus {
    /// "confirmed".
    Confirmed,
    /// "unconfirmed", e.g. awaiting payment.
    Unconfirmed,
    /// "cancelled".
    Cancelled,
}

impl OrderStatus {
    /// The API's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Unconfirmed => "unconfirmed",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrderStatus {
    type Err = String;

    /// "confirmed", "unconfirmed" or "cancelled", in any case.
    fn from_str(s: &str) -> Result<OrderStatus, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "confirmed" => Ok(OrderStatus::Confirmed),
            "unconfirmed" => Ok(OrderStatus::Unconfirmed),
            "cancelled" => Ok(OrderStatus::Cancelled),
            _ => Err(format!("no order status {s:?}: use confirmed, unconfirmed or cancelled")),
        }
    }
}

/// Why a change to the demo's data could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MutationError {
    /// No event has this id.
    #[error("no event {0} in the demo data")]
    NoEvent(u64),
    /// No event has an order with this id.
    #[error("no order {0} in the demo data")]
    NoOrder(u64),
    /// No order has an attendee with this id.
    #[error("no attendee {0} in the demo data")]
    NoAttendee(u64),
}

/// An order [`DemoServer::add_order`](super::DemoServer::add_order) made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AddedOrder {
    /// The event it belongs to.
    pub event_id: u64,
    /// Its id, above every order id so far: it comes last in the event's list.
    pub order_id: u64,
    /// Its attendees' ids, in order: the tickets a test can scan.
    pub attendee_ids: Vec<u64>,
}

impl Dataset {
    /// The order with this id, in whichever event.
    fn order_mut(&mut self, id: u64) -> Result<&mut DemoOrder, MutationError> {
        self.events
            .iter_mut()
            .find_map(|e| e.orders.binary_search_by_key(&id, |o| o.id).ok().map(|i| &mut e.orders[i]))
            .ok_or(MutationError::NoOrder(id))
    }

    /// Sets an order's status.
    pub(crate) fn set_status(&mut self, order_id: u64, status: OrderStatus) -> Result<(), MutationError> {
        self.order_mut(order_id)?.status = status.as_str().to_string();
        Ok(())
    }

    /// Checks in every attendee of the order not checked in yet, at `when`;
    /// returns their ids. Those checked in before keep their time, as at Floktu.
    pub(crate) fn check_in_order(&mut self, order_id: u64, when: &str) -> Result<Vec<u64>, MutationError> {
        let order = self.order_mut(order_id)?;
        let mut checked = Vec::new();
        for a in order.attendees.iter_mut().filter(|a| a.check_in_date.is_none()) {
            a.check_in_date = Some(when.to_string());
            checked.push(a.attendee_id);
        }
        Ok(checked)
    }

    /// Checks one attendee in at `when`; false when they were already in (their
    /// time stays).
    pub(crate) fn check_in_attendee(&mut self, attendee_id: u64, when: &str) -> Result<bool, MutationError> {
        let attendee = self
            .events
            .iter_mut()
            .flat_map(|e| &mut e.orders)
            .flat_map(|o| &mut o.attendees)
            .find(|a| a.attendee_id == attendee_id)
            .ok_or(MutationError::NoAttendee(attendee_id))?;
        if attendee.check_in_date.is_some() {
            return Ok(false);
        }
        attendee.check_in_date = Some(when.to_string());
        Ok(true)
    }

    /// Adds a confirmed order with `attendees` (at least 1) generated attendees
    /// at the end of the event's orders. Ids follow the largest in the whole
    /// dataset, so they stay unique and the event's orders stay in id order.
    /// The same seed and the same calls give the same orders.
    pub(crate) fn add_order(
        &mut self,
        event_id: u64,
        attendees: usize,
        seed: u64,
    ) -> Result<AddedOrder, MutationError> {
        let index =
            self.events.iter().position(|e| e.id == event_id).ok_or(MutationError::NoEvent(event_id))?;
        let orders = self.events.iter().flat_map(|e| &e.orders);
        let order_id = orders.clone().map(|o| o.id).max().unwrap_or(100_000) + 1;
        let attendee_id =
            orders.flat_map(|o| &o.attendees).map(|a| a.attendee_id).max().unwrap_or(500_000) + 1;
        let mut rng = Prng::new(seed ^ order_id.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let order = new_order(index, order_id, attendee_id, attendees, &mut rng);
        let added = AddedOrder {
            event_id,
            order_id,
            attendee_ids: order.attendees.iter().map(|a| a.attendee_id).collect(),
        };
        self.events[index].orders.push(order);
        Ok(added)
    }

    /// `fraction` (clamped to 0..=1, rounded to whole orders) of the event's
    /// orders, picked from `seed`: the same seed, event and fraction always pick
    /// the same orders, and a larger fraction picks those and more. In id order.
    pub(crate) fn pick_orders(
        &self,
        event_id: u64,
        fraction: f64,
        seed: u64,
    ) -> Result<Vec<u64>, MutationError> {
        let event = self.event(event_id).ok_or(MutationError::NoEvent(event_id))?;
        let fraction = if fraction.is_nan() { 0.0 } else { fraction.clamp(0.0, 1.0) };
        let count = ((event.orders.len() as f64) * fraction).round() as usize;
        let mut ids: Vec<u64> = event.orders.iter().map(|o| o.id).collect();
        // A seeded Fisher-Yates shuffle; its first `count` are the pick.
        let mut rng = Prng::new(seed ^ event_id.wrapping_mul(0x9FB2_1C65_1E98_DF25));
        for i in (1..ids.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            ids.swap(i, j);
        }
        ids.truncate(count);
        ids.sort_unstable();
        Ok(ids)
    }
}

/// Now as the demo writes `check_in_date`: "YYYY-MM-DD HH:MM:SS" in UTC.
pub(crate) fn check_in_now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Dataset {
        Dataset::generate(42, 3, 50)
    }

    #[test]
    fn a_status_change_changes_only_that_order() {
        let mut d = data();
        let before = d.clone();
        let id = d.events[1].orders[2].id;
        d.set_status(id, OrderStatus::Cancelled).unwrap();
        assert_eq!(d.events[1].orders[2].status, "cancelled");
        d.events[1].orders[2].status.clone_from(&before.events[1].orders[2].status);
        assert_eq!(d, before);
        assert_eq!(d.set_status(1, OrderStatus::Confirmed), Err(MutationError::NoOrder(1)));
    }

    #[test]
    fn checking_an_order_in_keeps_earlier_check_in_times() {
        let mut d = data();
        let order = d.events[0].orders.iter().find(|o| o.attendees.len() > 1).unwrap().clone();
        let first = order.attendees[0].attendee_id;
        assert!(d.check_in_attendee(first, "2026-11-28 18:00:00").unwrap());
        assert!(!d.check_in_attendee(first, "2026-11-28 18:05:00").unwrap());
        let checked = d.check_in_order(order.id, "2026-11-28 19:00:00").unwrap();
        assert!(!checked.contains(&first));
        let now = d.event(d.events[0].id).unwrap().order(order.id).unwrap();
        assert_eq!(now.attendees[0].check_in_date.as_deref(), Some("2026-11-28 18:00:00"));
        assert!(now.attendees.iter().all(|a| a.check_in_date.is_some()));
    }

    #[test]
    fn an_added_order_comes_last_with_new_unique_ids() {
        let mut d = data();
        let event = d.events[2].id;
        let added = d.add_order(event, 3, 42).unwrap();
        assert_eq!(added.attendee_ids.len(), 3);
        let all_orders: Vec<u64> = d.events.iter().flat_map(|e| &e.orders).map(|o| o.id).collect();
        assert_eq!(all_orders.iter().filter(|&&id| id == added.order_id).count(), 1);
        let e = d.event(event).unwrap();
        assert_eq!(e.orders.last().map(|o| o.id), Some(added.order_id));
        let order = e.order(added.order_id).unwrap();
        assert_eq!(order.status, "confirmed");
        assert!(order.attendees.iter().all(|a| a.check_in_date.is_none()));
        let mut again = data();
        assert_eq!(again.add_order(event, 3, 42).unwrap(), added);
        assert_eq!(d.add_order(9999, 1, 42), Err(MutationError::NoEvent(9999)));
    }

    #[test]
    fn picked_orders_are_the_same_for_a_seed_and_grow_with_the_fraction() {
        let d = data();
        let event = d.events[0].id;
        let tenth = d.pick_orders(event, 0.1, 7).unwrap();
        assert_eq!(tenth.len(), 5);
        assert_eq!(d.pick_orders(event, 0.1, 7).unwrap(), tenth);
        let half = d.pick_orders(event, 0.5, 7).unwrap();
        assert!(tenth.iter().all(|id| half.contains(id)));
        assert_eq!(d.pick_orders(event, 1.0, 7).unwrap().len(), 50);
        assert!(d.pick_orders(event, 0.0, 7).unwrap().is_empty());
    }

    #[test]
    fn the_check_in_time_has_the_demos_format() {
        let now = check_in_now();
        assert_eq!(now.len(), 19);
        assert_eq!(&now[10..11], " ");
        assert!(chrono::NaiveDateTime::parse_from_str(&now, "%Y-%m-%d %H:%M:%S").is_ok());
    }
}
