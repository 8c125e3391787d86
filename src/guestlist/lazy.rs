//! A guest's attendee, decoded already or decoded the first time it is read.
//!
//! A list opened from the cache holds 100,000 attendees, each a dozen small
//! strings; building them all is most of the time it takes to open the list
//! (about 1.3 million allocations), and a person looks at a screenful. So a
//! cached list leaves each attendee in the file's bytes (an [`AttendeeSource`],
//! see `cache.rs`) with only what the list needs at once — the attendee id, for
//! the barcode map, and what the counts count — and decodes an attendee when
//! something first reads it. [`LazyAttendee`] reads as the [`Attendee`] it
//! holds (`Deref`), so code that reads `guest.attendee.first_name` does not
//! know the difference.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use crate::api::Attendee;

/// Where attendees not decoded yet are kept: a cached list's file.
///
/// The source checked every attendee when the list was opened, so decoding one
/// later does not fail; a source that meets damage anyway returns an attendee
/// with its id and nothing else (and counts it under an empty ticket) rather
/// than panic.
pub trait AttendeeSource: fmt::Debug + Send + Sync {
    /// Attendee `key` (the source's own numbering), in full.
    fn attendee(&self, key: u32) -> Attendee;

    /// What attendee `key` is counted under: ticket group, ticket, and whether
    /// they are checked in; read without decoding the rest.
    fn counted_as(&self, key: u32) -> (Option<&str>, &str, bool);
}

/// An attendee as a [`Guest`](super::Guest) holds it; reads as an [`Attendee`].
pub struct LazyAttendee(Slot);

enum Slot {
    /// Decoded (from Floktu's answer, or from the cache on first read).
    Ready(Box<Attendee>),
    /// Still in `source`, under `key`; decoded into `cell` when first read.
    Deferred { id: u64, source: Arc<dyn AttendeeSource>, key: u32, cell: OnceLock<Box<Attendee>> },
}

impl LazyAttendee {
    /// An attendee not decoded yet: `id`, and where the rest is.
    pub fn deferred(id: u64, source: Arc<dyn AttendeeSource>, key: u32) -> LazyAttendee {
        LazyAttendee(Slot::Deferred { id, source, key, cell: OnceLock::new() })
    }

    /// The attendee id, without decoding anything.
    pub fn id(&self) -> u64 {
        match &self.0 {
            Slot::Ready(a) => a.attendee_id,
            Slot::Deferred { id, .. } => *id,
        }
    }

    /// Whether the attendee has been decoded (read, or never deferred).
    pub fn is_decoded(&self) -> bool {
        match &self.0 {
            Slot::Ready(_) => true,
            Slot::Deferred { cell, .. } => cell.get().is_some(),
        }
    }

    /// What the attendee is counted under (ticket group, ticket, checked in),
    /// without decoding them.
    pub fn counted_as(&self) -> (Option<&str>, &str, bool) {
        fn of(a: &Attendee) -> (Option<&str>, &str, bool) {
            (a.ticket_group.as_deref(), a.ticket.as_str(), a.check_in.is_some())
        }
        match &self.0 {
            Slot::Ready(a) => of(a),
            Slot::Deferred { source, key, cell, .. } => match cell.get() {
                Some(a) => of(a),
                None => source.counted_as(*key),
            },
        }
    }

    /// The same attendee; one still deferred stays deferred (cheap), whether
    /// or not it was read here.
    pub(super) fn duplicate(&self) -> LazyAttendee {
        match &self.0 {
            Slot::Ready(a) => LazyAttendee(Slot::Ready(a.clone())),
            Slot::Deferred { id, source, key, .. } => LazyAttendee::deferred(*id, Arc::clone(source), *key),
        }
    }
}

impl From<Attendee> for LazyAttendee {
    fn from(attendee: Attendee) -> LazyAttendee {
        LazyAttendee(Slot::Ready(Box::new(attendee)))
    }
}

impl Deref for LazyAttendee {
    type Target = Attendee;

    fn deref(&self) -> &Attendee {
        match &self.0 {
            Slot::Ready(a) => a,
            Slot::Deferred { source, key, cell, .. } => cell.get_or_init(|| Box::new(source.attendee(*key))),
        }
    }
}

impl PartialEq for LazyAttendee {
    fn eq(&self, other: &LazyAttendee) -> bool {
        **self == **other
    }
}

impl Eq for LazyAttendee {}

impl PartialEq<Attendee> for LazyAttendee {
    fn eq(&self, other: &Attendee) -> bool {
        **self == *other
    }
}

impl fmt::Debug for LazyAttendee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Attendees named by their key, counting how many were decoded.
    #[derive(Debug, Default)]
    struct Counting(AtomicUsize);

    impl AttendeeSource for Counting {
        fn attendee(&self, key: u32) -> Attendee {
            self.0.fetch_add(1, Ordering::SeqCst);
            Attendee {
                attendee_id: u64::from(key) + 100,
                ticket_group: None,
                ticket: "Day".into(),
                check_in: None,
                first_name: format!("N{key}"),
                last_name: String::new(),
                company: None,
                answers: Vec::new(),
            }
        }

        fn counted_as(&self, _key: u32) -> (Option<&str>, &str, bool) {
            (None, "Day", false)
        }
    }

    #[test]
    fn a_deferred_attendee_is_decoded_once_and_only_when_read() {
        let source = Arc::new(Counting::default());
        let a = LazyAttendee::deferred(107, Arc::clone(&source) as Arc<dyn AttendeeSource>, 7);
        assert_eq!((a.id(), a.counted_as()), (107, (None, "Day", false)));
        assert!(!a.is_decoded());
        assert_eq!(source.0.load(Ordering::SeqCst), 0, "id and counts decode nothing");
        assert_eq!(a.first_name, "N7");
        assert_eq!(a.attendee_id, 107);
        assert!(a.is_decoded());
        assert_eq!(source.0.load(Ordering::SeqCst), 1, "decoded once");
        let copy = a.duplicate();
        assert!(!copy.is_decoded(), "a copy stays cheap");
        assert_eq!(copy, a);
    }
}
