//! What the `is:`, `ticket:`, `answer:` and `voucher:` qualifiers of a filter
//! ask of a guest or an order ([`crate::search::Facts`]), answered from a
//! guest list.
//!
//! Nothing here decodes an attendee: states come from the order and from
//! what the counts already read (`LazyAttendee::counted_as`), and the text
//! qualifiers look at their own field of the guest's folded search text.

use std::collections::HashMap;

use crate::api::Status;
use crate::ledger::Admission;
use crate::search::{Facts, State, Test, field};

use super::GuestList;
use super::index::fields;

/// The facts of the guests of a list, item `i` being guest `i`. `admitted`:
/// the event's admissions in the ledger, by attendee, when known (`is:in`
/// counts them along with Floktu's check-ins).
#[derive(Clone, Copy, Debug)]
pub struct GuestFacts<'a> {
    /// The guests.
    pub list: &'a GuestList,
    /// Admissions that count, by attendee id.
    pub admitted: Option<&'a HashMap<u64, Admission>>,
}

impl Facts for GuestFacts<'_> {
    fn test(&self, item: u32, row: &str, test: &Test) -> Option<bool> {
        let guest = self.list.guests().get(item as usize)?;
        Some(match test {
            Test::Is(State::In) => self.is_in(item),
            Test::Is(State::Out) => !self.is_in(item),
            Test::Is(state) => order_is(guest.order.status, guest.order.balance_due(), *state),
            Test::Ticket(text) => text.is_in(field(row, fields::TICKET)),
            Test::Voucher(text) => text.is_in(field(row, fields::VOUCHER)),
            Test::Answer(text) => text.is_in(field(row, fields::ANSWERS)),
        })
    }
}

impl GuestFacts<'_> {
    /// Checked in through Floktu, or admitted at a gate.
    fn is_in(&self, item: u32) -> bool {
        let Some(guest) = self.list.guests().get(item as usize) else { return false };
        let (_, _, checked_in) = guest.attendee.counted_as();
        checked_in || self.admitted.is_some_and(|a| a.contains_key(&guest.attendee.id()))
    }
}

/// Whether an order of `status`, with a balance due or not, is in `state`
/// (the states of an order; `is:in` and `is:out` are a guest's).
pub fn order_is(status: Status, balance_due: bool, state: State) -> bool {
    match state {
        State::Due => balance_due,
        State::Cancelled => status == Status::Cancelled,
        State::Confirmed => status == Status::Confirmed,
        // A status Floktu does not document is not a confirmation.
        State::Unconfirmed => matches!(status, Status::Unconfirmed | Status::Other),
        State::In | State::Out => false,
    }
}

/// The facts of an order list, item `i` being `order_ids[i]`, from the event's
/// guest list: an order whose details are not in yet has no states and no
/// tickets (it is left out until they arrive). An order is `is:in` when one
/// of its guests is, `is:out` when none is.
#[derive(Clone, Copy, Debug)]
pub struct OrderFacts<'a> {
    /// The orders' ids, in list order.
    pub order_ids: &'a [u64],
    /// The event's guest list, as far as it is known.
    pub guests: Option<GuestFacts<'a>>,
}

impl Facts for OrderFacts<'_> {
    fn test(&self, item: u32, _row: &str, test: &Test) -> Option<bool> {
        let guests = self.guests?;
        let order_id = *self.order_ids.get(item as usize)?;
        let Some(order) = guests.list.purchase(order_id) else { return Some(false) };
        let of_order = guests.list.order_guests(order_id);
        let rows = guests.list.search_text();
        let starts = guests.list.search_starts();
        let any = |test: &Test| {
            of_order.clone().any(|i| {
                let row = crate::search::row(rows, starts, i as u32);
                guests.test(i as u32, row, test) == Some(true)
            })
        };
        Some(match test {
            Test::Is(State::In) => any(test),
            Test::Is(State::Out) => !any(&Test::Is(State::In)),
            Test::Is(state) => order_is(order.status, order.balance_due(), *state),
            Test::Voucher(text) => order.voucher.as_deref().is_some_and(|v| text.is_in(&super::fold(v))),
            Test::Ticket(_) | Test::Answer(_) => any(test),
        })
    }
}
