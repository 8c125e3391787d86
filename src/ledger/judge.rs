//! The door's verdict with the ledger in it (ARCHITECTURE.md, "Rules of the data"): the guest list's
//! verdict says cancelled, unconfirmed or checked in through Floktu; the ledger
//! says admitted here. Shared by `floktu admit` and the TUI door, so both judge
//! alike.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Admission, Gate};
use crate::guestlist::Verdict;

/// What the door says, ledger included, in the order of ARCHITECTURE.md, "Rules of the data".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum DoorVerdict {
    /// Let them in (the scan admits).
    Valid,
    /// The order was cancelled.
    Cancelled,
    /// The order is not confirmed: send them to the box office.
    Unconfirmed,
    /// Admitted before, through floktu's ledger.
    AlreadyAdmitted {
        /// At which gate.
        gate: Gate,
        /// When.
        at: DateTime<Utc>,
    },
    /// Checked in through Floktu (not by floktu's door).
    AlreadyCheckedIn {
        /// When, as Floktu gave it.
        at: String,
    },
    /// The ticket belongs to another event whose list is cached.
    WrongEvent {
        /// That event's name (or id).
        event: String,
    },
    /// Nobody matches, even after asking Floktu for new orders.
    NotFound,
}

/// The verdict for a guest whose list verdict is `list` and whose admission that
/// counts, if any, is `admitted`: cancelled and unconfirmed first, then the
/// ledger, then Floktu's own check-in, else valid.
pub fn judge(list: &Verdict, admitted: Option<&Admission>) -> DoorVerdict {
    match (list, admitted) {
        (Verdict::Cancelled, _) => DoorVerdict::Cancelled,
        (Verdict::Unconfirmed, _) => DoorVerdict::Unconfirmed,
        (Verdict::NotFound, _) => DoorVerdict::NotFound,
        (_, Some(a)) => DoorVerdict::AlreadyAdmitted { gate: a.gate.clone(), at: a.at },
        (Verdict::AlreadyCheckedIn { at }, None) => DoorVerdict::AlreadyCheckedIn { at: at.clone() },
        (Verdict::Valid, None) => DoorVerdict::Valid,
    }
}

impl DoorVerdict {
    /// The word shown at the door, in capitals.
    pub fn word(&self) -> &'static str {
        match self {
            DoorVerdict::Valid => "VALID",
            DoorVerdict::Cancelled => "CANCELLED",
            DoorVerdict::Unconfirmed => "UNCONFIRMED",
            DoorVerdict::AlreadyAdmitted { .. } => "ALREADY ADMITTED",
            DoorVerdict::AlreadyCheckedIn { .. } => "ALREADY CHECKED IN",
            DoorVerdict::WrongEvent { .. } => "WRONG EVENT",
            DoorVerdict::NotFound => "NOT FOUND",
        }
    }

    /// A symbol that says the same without colour.
    pub fn symbol(&self) -> &'static str {
        match self {
            DoorVerdict::Valid => "✔",
            DoorVerdict::Cancelled => "✖",
            DoorVerdict::Unconfirmed => "?",
            DoorVerdict::AlreadyAdmitted { .. } => "⟲",
            DoorVerdict::AlreadyCheckedIn { .. } => "⚠",
            DoorVerdict::WrongEvent { .. } => "⇄",
            DoorVerdict::NotFound => "∅",
        }
    }

    /// True for a verdict that lets the guest in.
    pub fn admits(&self) -> bool {
        matches!(self, DoorVerdict::Valid)
    }

    /// What it means and what to do, in a line: "at north, 19:42:07 (12 s ago)".
    pub fn detail(&self, now: DateTime<Utc>) -> String {
        match self {
            DoorVerdict::Valid => "let them in".into(),
            DoorVerdict::Cancelled => "the order was cancelled: do not let them in".into(),
            DoorVerdict::Unconfirmed => "the order is not confirmed: send them to the box office".into(),
            DoorVerdict::AlreadyAdmitted { gate, at } => {
                let local = at.with_timezone(&chrono::Local).format("%H:%M:%S");
                format!("at {gate}, {local} ({} ago)", ago(now, *at))
            }
            DoorVerdict::AlreadyCheckedIn { at } => format!("checked in through Floktu, {at}"),
            DoorVerdict::WrongEvent { event } => format!("this ticket is for {event}"),
            DoorVerdict::NotFound => "no such ticket or order, even after asking Floktu".into(),
        }
    }
}

/// "12 s", "4 min", "3 h", "2 days": how long before `now` `at` was.
pub fn ago(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let s = (now - at).num_seconds().max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h", s / 3600),
        _ => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission(gate: &str) -> Admission {
        Admission {
            event_id: 1,
            attendee_id: 2,
            order_id: 3,
            gate: Gate::new(gate).unwrap(),
            at: DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap(),
            user: "sam".into(),
            undone: None,
        }
    }

    #[test]
    fn cancelled_and_unconfirmed_come_before_the_ledger() {
        let a = admission("north");
        assert_eq!(judge(&Verdict::Cancelled, Some(&a)), DoorVerdict::Cancelled);
        assert_eq!(judge(&Verdict::Unconfirmed, Some(&a)), DoorVerdict::Unconfirmed);
    }

    #[test]
    fn the_ledger_comes_before_floktus_check_in() {
        let a = admission("north");
        let checked_in = Verdict::AlreadyCheckedIn { at: "2026-11-28 19:42".into() };
        assert_eq!(
            judge(&checked_in, Some(&a)),
            DoorVerdict::AlreadyAdmitted { gate: a.gate.clone(), at: a.at }
        );
        assert_eq!(judge(&checked_in, None), DoorVerdict::AlreadyCheckedIn { at: "2026-11-28 19:42".into() });
        assert_eq!(judge(&Verdict::Valid, None), DoorVerdict::Valid);
    }

    #[test]
    fn already_admitted_says_where_and_how_long_ago() {
        let a = admission("north");
        let v = judge(&Verdict::Valid, Some(&a));
        assert!(v.detail(a.at + chrono::TimeDelta::seconds(12)).contains("north"));
        assert!(v.detail(a.at + chrono::TimeDelta::seconds(12)).ends_with("(12 s ago)"));
    }
}
