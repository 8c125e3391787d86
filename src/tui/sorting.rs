//! The sort values of the lists (`o` cycles the keys, `O` reverses; see
//! `tui::list`), and what the detail pane's attendees of one order answer to
//! the filter's qualifiers (the event-wide lists' are in `guestlist::facts`).

use crate::api::{Event, Money};
use crate::guestlist::{GuestFacts, OrderFacts, Purchase};

use super::list::{SortKey, SortValue, Sorting};

fn money(m: Option<Money>) -> SortValue {
    m.map_or(SortValue::Missing, |m| SortValue::Number(m.0))
}

/// An order's value under an order's keys (amount, due).
fn of_order(order: Option<&Purchase>, key: SortKey) -> SortValue {
    let Some(order) = order else { return SortValue::Missing };
    match key {
        SortKey::Amount => money(order.order_amount),
        SortKey::Due => SortValue::Number(order.amount_due().map_or(0, |m| m.0)),
        _ => SortValue::Missing,
    }
}

impl Sorting for GuestFacts<'_> {
    fn value(&self, item: usize, key: SortKey) -> SortValue {
        let Some(guest) = self.list.guests().get(item) else { return SortValue::Missing };
        match key {
            SortKey::Id => SortValue::Number(guest.attendee.id() as i64),
            SortKey::CheckIn => {
                let (_, _, checked_in) = guest.attendee.counted_as();
                // Only a guest checked in is decoded for the time. Floktu's
                // times are wall-clock, the ledger's UTC: Floktu's first.
                let floktu = checked_in
                    .then(|| guest.attendee.check_in.as_ref().and_then(|c| c.at))
                    .flatten()
                    .map(|at| at.and_utc().timestamp());
                let admitted =
                    self.admitted.and_then(|a| a.get(&guest.attendee.id())).map(|a| a.at.timestamp());
                floktu.or(admitted).map_or(SortValue::Missing, SortValue::Number)
            }
            key => of_order(Some(&guest.order), key),
        }
    }
}

impl Sorting for OrderFacts<'_> {
    fn value(&self, item: usize, key: SortKey) -> SortValue {
        let Some(&order_id) = self.order_ids.get(item) else { return SortValue::Missing };
        if key == SortKey::Id {
            return SortValue::Number(order_id as i64);
        }
        let Some(guests) = self.guests else { return SortValue::Missing };
        match key {
            SortKey::CheckIn => {
                let times = guests.list.order_guests(order_id).filter_map(|i| match guests.value(i, key) {
                    SortValue::Number(t) => Some(t),
                    _ => None,
                });
                times.min().map_or(SortValue::Missing, SortValue::Number)
            }
            key => of_order(guests.list.purchase(order_id).map(|p| &**p), key),
        }
    }
}

/// The events list's sort values: ids.
pub(super) struct EventSorting<'a>(pub &'a [Event]);

impl Sorting for EventSorting<'_> {
    fn value(&self, item: usize, key: SortKey) -> SortValue {
        match (self.0.get(item), key) {
            (Some(e), SortKey::Id) => SortValue::Number(e.id as i64),
            _ => SortValue::Missing,
        }
    }
}

/// The detail pane's attendees (of one order): their facts and sort values.
pub(super) struct OrderAttendees<'a> {
    /// The attendees, in the pane's order.
    pub attendees: &'a [crate::api::Attendee],
    /// Their order's details.
    pub order: Option<&'a crate::api::Order>,
}

impl Sorting for OrderAttendees<'_> {
    fn value(&self, item: usize, key: SortKey) -> SortValue {
        let Some(a) = self.attendees.get(item) else { return SortValue::Missing };
        match key {
            SortKey::Id => SortValue::Number(a.attendee_id as i64),
            SortKey::CheckIn => a
                .check_in
                .as_ref()
                .and_then(|c| c.at)
                .map_or(SortValue::Missing, |at| SortValue::Number(at.and_utc().timestamp())),
            _ => SortValue::Missing,
        }
    }
}

impl crate::search::Facts for OrderAttendees<'_> {
    fn test(&self, item: u32, _row: &str, test: &crate::search::Test) -> Option<bool> {
        use crate::guestlist::fold;
        use crate::search::{State, Test};
        let a = self.attendees.get(item as usize)?;
        let order = self.order?;
        Some(match test {
            Test::Is(State::In) => a.check_in.is_some(),
            Test::Is(State::Out) => a.check_in.is_none(),
            Test::Is(state) => crate::guestlist::order_is(order.status, order.balance_due(), *state),
            Test::Ticket(text) => {
                text.is_in(&fold(&a.ticket))
                    || a.ticket_group.as_deref().is_some_and(|g| text.is_in(&fold(g)))
            }
            Test::Voucher(text) => order.voucher.as_deref().is_some_and(|v| text.is_in(&fold(v))),
            Test::Answer(text) => {
                a.answers.iter().filter_map(|x| x.answer.as_deref()).any(|x| text.is_in(&fold(x)))
            }
        })
    }
}
