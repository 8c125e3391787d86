//! Who is in: the tallies a [`GuestList`] keeps up to date as guests come and
//! go, overall, per ticket group and per ticket. Attendees of cancelled orders
//! are left out of every tally.

use serde::Serialize;

use super::fast_hash::FastMap;
use super::{Guest, GuestList};
use crate::api::Status;

/// Checked in out of how many.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Attendees checked in.
    pub checked_in: usize,
    /// Attendees counted.
    pub total: usize,
}

impl Tally {
    /// Counts one attendee in (`by` = 1) or out again (`by` = -1).
    fn count(&mut self, checked_in: bool, by: isize) {
        self.total = self.total.saturating_add_signed(by);
        if checked_in {
            self.checked_in = self.checked_in.saturating_add_signed(by);
        }
    }
}

/// The tally of one ticket (a ticket name within a group).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TicketTally {
    /// The ticket group, if any.
    pub group: Option<String>,
    /// The ticket.
    pub ticket: String,
    /// Its attendees.
    pub tally: Tally,
}

/// Who is in, overall and per ticket group and ticket. Attendees of cancelled
/// orders are left out of every tally; orders with a status floktu does not
/// know are counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Every counted attendee.
    pub overall: Tally,
    /// Per ticket group, by group name; attendees without a group come first, as `None`.
    pub groups: Vec<(Option<String>, Tally)>,
    /// Per ticket, by group then ticket name.
    pub tickets: Vec<TicketTally>,
    /// Attendees left out because their order was cancelled.
    pub cancelled: usize,
}

impl GuestList {
    /// Checked in / total, overall, per ticket group and per ticket. Kept up to
    /// date as orders arrive, so it costs next to nothing to ask on every frame.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts { cancelled: self.cancelled, ..Counts::default() };
        for (group, tickets) in &self.tallies {
            let mut group_tally = Tally::default();
            for (ticket, tally) in tickets.iter().filter(|(_, t)| t.total > 0) {
                group_tally.total += tally.total;
                group_tally.checked_in += tally.checked_in;
                counts.tickets.push(TicketTally {
                    group: group.clone(),
                    ticket: ticket.clone(),
                    tally: *tally,
                });
            }
            if group_tally.total > 0 {
                counts.overall.total += group_tally.total;
                counts.overall.checked_in += group_tally.checked_in;
                counts.groups.push((group.clone(), group_tally));
            }
        }
        counts.groups.sort_by(|a, b| a.0.cmp(&b.0));
        counts.tickets.sort_by(|a, b| (&a.group, &a.ticket).cmp(&(&b.group, &b.ticket)));
        counts
    }

    /// Counts `g` in (`by` = 1) or out (`by` = -1).
    pub(super) fn count(&mut self, g: &Guest, by: isize) {
        if g.order.status == Status::Cancelled {
            self.cancelled = self.cancelled.saturating_add_signed(by);
            return;
        }
        let a = &g.attendee;
        // Look up by reference first: a key is only allocated the first time it is seen.
        let tickets = match self.tallies.get_mut(&a.ticket_group) {
            Some(tickets) => tickets,
            None => self.tallies.entry(a.ticket_group.clone()).or_default(),
        };
        let tally = match tickets.get_mut(a.ticket.as_str()) {
            Some(tally) => tally,
            None => tickets.entry(a.ticket.clone()).or_default(),
        };
        tally.count(a.check_in.is_some(), by);
    }
}

/// A list's tallies: ticket group → ticket → tally.
pub(super) type Tallies = FastMap<Option<String>, FastMap<String, Tally>>;

/// The tallies of `guests`, counted from nothing, and how many attendees of
/// cancelled orders were left out of them: what [`GuestList::count`]
/// does for each, with one lookup per run of guests of the same ticket rather
/// than two per guest (a tenth of putting 100,000 guests together).
pub(super) fn tallied(guests: &[Guest]) -> (Tallies, usize) {
    let mut cancelled = 0;
    let mut tallies: FastMap<(Option<&str>, &str), Tally> = FastMap::default();
    let mut run: Option<((Option<&str>, &str), Tally)> = None;
    for g in guests {
        if g.order.status == Status::Cancelled {
            cancelled += 1;
            continue;
        }
        // Read without decoding an attendee still in the cache's bytes.
        let (group, ticket, checked_in) = g.attendee.counted_as();
        let key = (group, ticket);
        match &mut run {
            Some((run_key, tally)) if *run_key == key => tally.count(checked_in, 1),
            _ => {
                if let Some((run_key, tally)) = run.take() {
                    add_tally(tallies.entry(run_key).or_default(), tally);
                }
                let mut tally = Tally::default();
                tally.count(checked_in, 1);
                run = Some((key, tally));
            }
        }
    }
    if let Some((run_key, tally)) = run {
        add_tally(tallies.entry(run_key).or_default(), tally);
    }
    let mut owned = Tallies::default();
    for ((group, ticket), tally) in tallies {
        let tickets = owned.entry(group.map(str::to_string)).or_default();
        add_tally(tickets.entry(ticket.to_string()).or_default(), tally);
    }
    (owned, cancelled)
}

/// Adds `more` to `tally`.
fn add_tally(tally: &mut Tally, more: Tally) {
    tally.total += more.total;
    tally.checked_in += more.checked_in;
}
