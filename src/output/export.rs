//! What the TUI exports: a list as filtered on screen, kept as records (not
//! strings) until it is written, so that an export has the columns the CLI's
//! `--csv` prints for the same thing.

use std::io::{self, Write};
use std::sync::Arc;

use super::{Format, guest, order};
use crate::api::{Event, OrderSummary};
use crate::guestlist::GuestList;

/// A list to write as CSV.
#[derive(Clone)]
pub enum Export {
    /// Events, as `floktu events --csv`.
    Events(Vec<Event>),
    /// An event's orders, as `floktu orders EVENT --csv`.
    Orders(Vec<OrderSummary>),
    /// Guests of a list, as `floktu attendees EVENT --csv`.
    Guests {
        /// The list the guests are in.
        list: Arc<GuestList>,
        /// The guests to write, indices into `list`, in the order shown.
        rows: Vec<usize>,
    },
}

impl Export {
    /// How many rows the export has.
    pub fn len(&self) -> usize {
        match self {
            Export::Events(events) => events.len(),
            Export::Orders(orders) => orders.len(),
            Export::Guests { rows, .. } => rows.len(),
        }
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The CSV: a header row, then the rows, every cell sanitized and formula-safe.
    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        match self {
            Export::Events(events) => order::write_events(out, events, Format::Csv),
            Export::Orders(orders) => order::write_orders(out, orders, Format::Csv),
            Export::Guests { list, rows } => guest::write_guests(out, list, rows, Format::Csv),
        }
    }
}

/// Equal when they hold the same rows of the same list (the list is compared
/// by identity: it can hold 100,000 guests).
impl PartialEq for Export {
    fn eq(&self, other: &Export) -> bool {
        match (self, other) {
            (Export::Events(a), Export::Events(b)) => a == b,
            (Export::Orders(a), Export::Orders(b)) => a == b,
            (Export::Guests { list: a, rows: x }, Export::Guests { list: b, rows: y }) => {
                Arc::ptr_eq(a, b) && x == y
            }
            _ => false,
        }
    }
}

impl Eq for Export {}

impl std::fmt::Debug for Export {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Export::Events(events) => write!(f, "Events({} rows)", events.len()),
            Export::Orders(orders) => write!(f, "Orders({} rows)", orders.len()),
            Export::Guests { list, rows } => {
                write!(f, "Guests(event {}, {} of {} rows)", list.event_id(), rows.len(), list.len())
            }
        }
    }
}
