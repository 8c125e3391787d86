//! What floktu writes for people and for scripts: one record schema per thing,
//! each written as an aligned table, CSV or JSON, for the CLI and for the
//! TUI's exports alike. Every piece of the server's text is made safe on the
//! way out (`crate::text`): a table or a JSON string cannot move a terminal's
//! cursor, a CSV cell cannot run as a spreadsheet formula.
//!
//! - `write.rs`: the three writers (table, CSV, JSON).
//! - `guest.rs`: the guest record (`attendees`, the TUI's attendee exports).
//! - `order.rs`: events, orders and one order's details.
//! - `admission.rs`: the admissions record (`admissions`).
//! - `stats.rs`: an event's stats (`stats`).
//! - `export.rs`: what the TUI exports, written as the CLI's `--csv`.
//!
//! A failed write comes back as the writer's `std::io::Error`, so that a
//! reader that left (`floktu attendees 12 --csv | head -1`) is recognised by
//! [`closed_pipe`] and ends the command quietly.

pub mod admission;
mod export;
pub mod guest;
pub mod order;
pub mod stats;
mod write;

pub use export::Export;
pub use write::{write_csv, write_json, write_table};

/// How a command's answer is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// An aligned table for people.
    Table,
    /// JSON, stable for scripts.
    Json,
    /// CSV with a header row, cells safe for spreadsheets.
    Csv,
}

/// The error, or one it was caused by, is a write into a pipe whose reader
/// has gone (Rust ignores SIGPIPE, so the write fails with `BrokenPipe`).
pub fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let io = c
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| c.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind))
            .or_else(|| match c.downcast_ref::<csv::Error>().map(csv::Error::kind) {
                Some(csv::ErrorKind::Io(io)) => Some(io.kind()),
                _ => None,
            });
        io == Some(std::io::ErrorKind::BrokenPipe)
    })
}
