//! Messages into `update` (input and results) and commands out of it (side effects).

use std::time::Duration;

use crate::api::{self, Decoded, Event, Order, OrderSummary};

use super::app::ReqId;

/// What the user asked for, already mapped from keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// One row up.
    Up,
    /// One row down.
    Down,
    /// A page up.
    PageUp,
    /// A page down.
    PageDown,
    /// Half a page up.
    HalfPageUp,
    /// Half a page down.
    HalfPageDown,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// Open / drill in.
    Open,
    /// Back out.
    Back,
    /// Start typing a filter.
    FilterStart,
    /// A character typed into the filter.
    FilterChar(char),
    /// Backspace in the filter.
    FilterBackspace,
    /// Enter in the filter: keep it, give the keys back to the list.
    FilterAccept,
    /// Esc: clear the filter.
    FilterClear,
    /// Copy the selected email.
    CopyOne,
    /// Copy every distinct email of the list as filtered.
    CopyAll,
    /// Reload the focused pane.
    Refresh,
    /// Reload everything.
    RefreshAll,
    /// Toggle the help overlay.
    Help,
    /// Leave.
    Quit,
}

/// Everything `update` reacts to.
#[derive(Clone, Debug)]
pub enum Msg {
    /// A user action.
    Action(Action),
    /// The terminal changed size.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// The spinner advances (sent only while something loads).
    Tick,
    /// The events list answered.
    EventsLoaded {
        /// Which request.
        req: ReqId,
        /// What came back.
        result: Result<Decoded<Event>, api::Error>,
    },
    /// An event's orders answered.
    OrdersLoaded {
        /// Which request.
        req: ReqId,
        /// For which event.
        event_id: u64,
        /// What came back.
        result: Result<Decoded<OrderSummary>, api::Error>,
    },
    /// An order's details answered.
    OrderLoaded {
        /// Which request.
        req: ReqId,
        /// The event.
        event_id: u64,
        /// The order.
        order_id: u64,
        /// What came back.
        result: Result<Order, api::Error>,
    },
    /// The pause after a move in the orders list has passed.
    DetailDue {
        /// The move it belongs to (see `App::detail_seq`).
        seq: u64,
    },
    /// The clipboard took the text, or could not.
    Copied {
        /// "Copied 37 emails (OSC 52)" or why not.
        result: Result<String, String>,
    },
}

/// A side effect for the worker to carry out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// GET events.
    FetchEvents {
        /// Tag for the answer.
        req: ReqId,
    },
    /// GET an event's orders.
    FetchOrders {
        /// Tag for the answer.
        req: ReqId,
        /// The event.
        event_id: u64,
    },
    /// GET an order's details.
    FetchOrder {
        /// Tag for the answer.
        req: ReqId,
        /// The event.
        event_id: u64,
        /// The order.
        order_id: u64,
    },
    /// Stop a request nobody waits for any more.
    Cancel(ReqId),
    /// Send `DetailDue { seq }` after `after`.
    DetailAfter {
        /// The move it belongs to.
        seq: u64,
        /// The pause.
        after: Duration,
    },
    /// Put text on the clipboard.
    Copy {
        /// What to copy (sanitized).
        text: String,
        /// How to describe it: "37 emails".
        what: String,
    },
}
