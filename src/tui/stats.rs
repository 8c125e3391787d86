//! The stats screen's model (`s`): the open event's numbers
//! (`guestlist::Stats`), worked out by `update` when the guest list or the
//! door's copy of the ledger's admissions changed — never by the view — and
//! when they were.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};

use crate::guestlist::Stats;
use crate::ledger::Admission;

/// How often the stats screen reads the ledger again, so that a supervisor
/// watching it sees every gate's pace, not only this terminal's.
pub const ADMISSIONS_EVERY: Duration = Duration::from_secs(10);

/// The stats screen of one event.
#[derive(Clone, Debug)]
pub struct StatsView {
    /// The event.
    pub event_id: u64,
    /// The numbers; `None` until the guest list is there.
    pub numbers: Option<Stats>,
    /// When they were worked out.
    pub computed_at: Option<DateTime<Utc>>,
    /// When the ledger last answered with the event's admissions.
    pub admissions_read: Option<DateTime<Utc>>,
    /// The wall clock admissions are put on (the terminal's, where Floktu's
    /// check-in times are read).
    pub offset: FixedOffset,
    /// Tags the timer that reads the ledger again; a new one makes older ones stale.
    pub seq: u64,
    /// What the numbers were worked out from: the guest list's change count
    /// and a fingerprint of the admissions.
    seen: Option<(u64, Fingerprint)>,
}

/// A cheap summary of a set of admissions that changes when one is added,
/// undone or replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fingerprint {
    len: usize,
    ids: u64,
    times: i64,
}

impl Fingerprint {
    fn of(admissions: &HashMap<u64, Admission>) -> Fingerprint {
        let mut f = Fingerprint { len: admissions.len(), ids: 0, times: 0 };
        for a in admissions.values() {
            f.ids = f.ids.wrapping_add(a.attendee_id.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            f.times = f.times.wrapping_add(a.at.timestamp_micros() ^ i64::from(a.undone.is_some()));
        }
        f
    }
}

impl StatsView {
    /// Nothing worked out yet for `event_id`; admissions put on `offset`.
    pub fn new(event_id: u64, offset: FixedOffset, seq: u64) -> StatsView {
        StatsView {
            event_id,
            numbers: None,
            computed_at: None,
            admissions_read: None,
            offset,
            seq,
            seen: None,
        }
    }

    /// Whether the numbers need working out again for this list state.
    pub(super) fn is_due(&self, list_changes: u64, admissions: &HashMap<u64, Admission>) -> bool {
        self.seen != Some((list_changes, Fingerprint::of(admissions)))
    }

    /// Records what the numbers were worked out from.
    pub(super) fn worked_out(
        &mut self,
        stats: Stats,
        list_changes: u64,
        admissions: &HashMap<u64, Admission>,
        now: DateTime<Utc>,
    ) {
        self.numbers = Some(stats);
        self.computed_at = Some(now);
        self.seen = Some((list_changes, Fingerprint::of(admissions)));
    }
}
