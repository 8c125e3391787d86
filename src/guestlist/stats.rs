//! The shape of the night: per ticket, how many were sold, how many came in
//! and how many were cancelled, the money in, due and refunded; and the
//! arrivals over time, in 15-minute buckets, per gate when there are several.
//! For the TUI's stats screen (`s`) and `floktu stats`, which print the same
//! [`Stats`].
//!
//! The rules (ARCHITECTURE.md, "Rules of the data"):
//! - **Sold** leaves the attendees of cancelled orders out; they are counted
//!   as **cancelled** instead. An order whose status floktu does not know is
//!   sold, as in the counts.
//! - **In** (checked in or admitted): `check_in_date` set through Floktu, or an
//!   admission in the ledger that was not undone; a guest with both is counted
//!   once. Only sold guests come in.
//! - **Money** is Floktu's per order; it is put on the order's attendees'
//!   tickets split exactly in minor units: each attendee gets the amount
//!   divided by the number of attendees, and the first attendees (in the
//!   order's own order) one minor unit more each until the remainder is used
//!   up, so a ticket's figures add up to the orders' to the cent. An order with
//!   no attendees has its own row ([`Stats::no_attendees`]).
//!   - *in*: `amount_paid` of every order not cancelled;
//!   - *due*: `order_amount − amount_paid` of a confirmed order paid less
//!     than it costs (the balance due);
//!   - *refunded*: `amount_paid` of a cancelled order (what cancelling it
//!     gives back).
//! - **Arrivals**: each guest who came in, once, at the earlier of their
//!   Floktu check-in time and their admission time, under that source: the
//!   admission's gate, or "Floktu". Floktu's check-in times carry no zone and
//!   are read as the wall clock the door shows them in; admissions are UTC and
//!   are put on the same wall clock with the offset given. The buckets run from
//!   the first arrival's to the last's, at most [`MAX_BUCKETS`] (a day) ending
//!   at the last; arrivals before are counted in [`Arrivals::earlier`], check-ins
//!   whose time could not be read in [`Arrivals::untimed`]. The arrivals are
//!   split into [`Arrivals::series`] when they came through two sources or more
//!   (gates, and Floktu).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeDelta, Utc};
use serde::Serialize;

use super::fast_hash::FastMap;
use super::{GuestList, Purchase};
use crate::api::{Money, Status};
use crate::ledger::Admission;

/// Minutes per bucket of [`Arrivals`].
pub const BUCKET_MINUTES: i64 = 15;

/// Buckets [`Arrivals`] keeps at most: 24 hours.
pub const MAX_BUCKETS: usize = 96;

/// Tickets looked up by a look along them before a hash map is asked.
const FEW_TICKETS: usize = 16;

/// The series name of check-ins made through Floktu.
pub const FLOKTU: &str = "Floktu";

/// Money of one ticket (or all), in the event's currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MoneyFigures {
    /// Paid on orders not cancelled.
    pub paid: Money,
    /// Balances due on confirmed orders paid less than they cost.
    pub due: Money,
    /// Paid on cancelled orders: refunded as they were cancelled.
    pub refunded: Money,
}

impl MoneyFigures {
    /// These and `more` together (saturating: a server can send any amount).
    pub fn plus(self, more: MoneyFigures) -> MoneyFigures {
        MoneyFigures {
            paid: Money(self.paid.0.saturating_add(more.paid.0)),
            due: Money(self.due.0.saturating_add(more.due.0)),
            refunded: Money(self.refunded.0.saturating_add(more.refunded.0)),
        }
    }

    fn add(&mut self, more: MoneyFigures) {
        *self = self.plus(more);
    }
}

/// The figures of one ticket, or of all of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Attendees of orders not cancelled.
    pub sold: usize,
    /// Of those, checked in through Floktu or admitted (not undone), each once.
    pub arrived: usize,
    /// Attendees of cancelled orders.
    pub cancelled: usize,
    /// The money put on these tickets.
    pub money: MoneyFigures,
}

impl Figures {
    fn add(&mut self, more: &Figures) {
        self.sold += more.sold;
        self.arrived += more.arrived;
        self.cancelled += more.cancelled;
        self.money.add(more.money);
    }
}

/// One ticket (a ticket name within its group) and its figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TicketStats {
    /// The ticket group, if any.
    pub group: Option<String>,
    /// The ticket.
    pub ticket: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: Figures,
}

impl TicketStats {
    /// "Group / Ticket", or the ticket alone.
    pub fn label(&self) -> String {
        match &self.group {
            Some(group) => format!("{group} / {}", self.ticket),
            None => self.ticket.clone(),
        }
    }
}

/// Arrivals through one source: a gate, or Floktu.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Series {
    /// The gate's name, or [`FLOKTU`].
    pub name: String,
    /// True for Floktu's own check-ins.
    pub floktu: bool,
    /// Arrivals per bucket, as [`Arrivals::total`].
    pub counts: Vec<u32>,
    /// Every arrival through this source (in the buckets or earlier).
    pub arrived: usize,
}

/// Arrivals over time in 15-minute buckets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Arrivals {
    /// When the first bucket starts (wall clock); `None` when nobody arrived at a known time.
    pub start: Option<NaiveDateTime>,
    /// Minutes per bucket.
    pub bucket_minutes: i64,
    /// Arrivals per bucket, every source together.
    pub total: Vec<u32>,
    /// Per source, when there are two or more; empty otherwise.
    pub series: Vec<Series>,
    /// Arrivals before the first bucket (more than a day before the last).
    pub earlier: usize,
    /// Check-ins whose time Floktu gave in a form that could not be read.
    pub untimed: usize,
}

impl Arrivals {
    /// When bucket `i` starts.
    pub fn bucket_start(&self, i: usize) -> Option<NaiveDateTime> {
        Some(self.start? + TimeDelta::minutes(self.bucket_minutes * i as i64))
    }

    /// The most arrivals in one bucket.
    pub fn peak(&self) -> u32 {
        self.total.iter().copied().max().unwrap_or(0)
    }
}

/// How old the numbers' data is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DataAge {
    /// When the order list was fetched.
    pub fetched_at: Option<DateTime<Utc>>,
    /// When the oldest order details kept were fetched.
    pub oldest: Option<DateTime<Utc>>,
    /// Orders whose last fetch failed (their older details are counted).
    pub stale: usize,
    /// Listed orders whose details are not in at all (not counted).
    pub missing: usize,
    /// Admissions in the ledger for tickets the list does not have (not counted).
    pub unlisted_admissions: usize,
}

/// The stats of one event. See the module docs for what each number means.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// The event.
    pub event_id: u64,
    /// Its name, when the list knows it.
    pub event_name: Option<String>,
    /// Every ticket together.
    pub total: Figures,
    /// Per ticket, by group then ticket name (no group first).
    pub tickets: Vec<TicketStats>,
    /// The money of orders without attendees, which no ticket can carry.
    pub no_attendees: MoneyFigures,
    /// Arrivals over time.
    pub arrivals: Arrivals,
    /// How old the data is.
    pub data: DataAge,
}

/// Where a guest came in, for the arrivals.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Floktu,
    Gate(u32),
}

/// How a guest stands in the [`StatsBase`]: what Floktu says, before the ledger.
#[derive(Clone, Copy, Debug)]
enum Checked {
    /// Their order is cancelled: counted as cancelled, never as in.
    Cancelled,
    /// Not checked in through Floktu.
    Out,
    /// Checked in through Floktu at this time (its wall clock).
    At(NaiveDateTime),
    /// Checked in through Floktu at a time that does not read.
    Untimed,
}

/// What the stats take from the guest list alone, worked out once per change
/// of the list ([`GuestList::stats`] adds the ledger's admissions to it): the
/// per-guest pass over 100,000 attendees costs some 25 ms, mostly memory
/// reads, while the admissions of a live door change every few seconds.
#[derive(Clone, Debug, Default)]
pub(super) struct StatsBase {
    /// Per ticket, with Floktu's check-ins only as "in".
    tickets: Vec<TicketStats>,
    /// Each guest's place in `tickets`.
    ticket_of: Vec<u32>,
    /// Each guest, as Floktu has them.
    checked: Vec<Checked>,
    /// The guests checked in through Floktu at a readable time, with it.
    floktu: Vec<(u32, NaiveDateTime)>,
    /// Guests checked in through Floktu at a time that does not read.
    untimed: usize,
    /// Orders without attendees: their money.
    no_attendees: MoneyFigures,
}

impl GuestList {
    /// The stats of the list, with the event's `admissions` that count (by
    /// attendee, as [`crate::ledger::Ledger::of_event`] gives them; undone ones
    /// are left out anyway), admission times put on the wall clock with
    /// `offset`. The list's part is worked out once per change of the list;
    /// each call then costs a pass over the admissions and the arrivals.
    pub fn stats(&self, admissions: &HashMap<u64, Admission>, offset: FixedOffset) -> Stats {
        let base = self.stats_base.get_or_init(|| self.stats_base());
        let mut unlisted = 0;
        let admitted: Vec<(u32, &Admission)> = admissions
            .values()
            .filter(|a| a.undone.is_none())
            .filter_map(|a| {
                let at = self.by_attendee.get(&a.attendee_id).copied();
                if at.is_none() {
                    unlisted += 1;
                }
                at.map(|i| (i, a))
            })
            .collect();
        let gates: BTreeMap<&str, u32> = {
            let mut names: Vec<&str> = admitted.iter().map(|(_, a)| a.gate.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            names.into_iter().zip(0..).collect()
        };
        let mut tickets = base.tickets.clone();
        let mut untimed = base.untimed;
        let mut arrivals: Vec<(NaiveDateTime, Source)> =
            Vec::with_capacity(base.floktu.len() + admitted.len());
        // Guests both checked in through Floktu and admitted: the earlier.
        let mut both: FastMap<u32, (NaiveDateTime, Source)> = FastMap::default();
        for &(i, a) in &admitted {
            let gate = gates.get(a.gate.as_str()).copied().unwrap_or(0);
            let came = (a.at.with_timezone(&offset).naive_local(), Source::Gate(gate));
            match base.checked.get(i as usize) {
                None | Some(Checked::Cancelled) => {}
                Some(Checked::Out) => {
                    if let Some(t) = base.ticket_of.get(i as usize).and_then(|&t| tickets.get_mut(t as usize))
                    {
                        t.figures.arrived += 1;
                    }
                    arrivals.push(came);
                }
                Some(Checked::Untimed) => {
                    untimed = untimed.saturating_sub(1);
                    arrivals.push(came);
                }
                Some(Checked::At(at)) => {
                    both.insert(i, came.min((*at, Source::Floktu)));
                }
            }
        }
        for &(i, at) in &base.floktu {
            arrivals.push(both.get(&i).copied().unwrap_or((at, Source::Floktu)));
        }
        let mut total = Figures::default();
        for t in &tickets {
            total.add(&t.figures);
        }
        tickets.sort_by(|a, b| (&a.group, &a.ticket).cmp(&(&b.group, &b.ticket)));
        let sources = gates.len() + usize::from(arrivals.iter().any(|(_, s)| *s == Source::Floktu));
        let series_names: Vec<(String, bool)> = if sources >= 2 {
            let mut names: Vec<(String, bool)> = gates.keys().map(|g| (g.to_string(), false)).collect();
            names.push((FLOKTU.to_string(), true));
            names
        } else {
            Vec::new()
        };
        let freshness = self.freshness();
        Stats {
            event_id: self.event_id,
            event_name: self.event_name.clone(),
            total,
            tickets,
            no_attendees: base.no_attendees,
            arrivals: bucket(&arrivals, untimed, series_names, gates.len()),
            data: DataAge {
                fetched_at: self.listed.is_some().then_some(self.fetched_at),
                oldest: freshness.oldest,
                stale: freshness.stale,
                missing: freshness.missing,
                unlisted_admissions: unlisted,
            },
        }
    }

    /// The list's part of the stats (see [`StatsBase`]): one pass over the guests.
    fn stats_base(&self) -> StatsBase {
        let guests = &self.guests;
        // What each guest is counted under, read first in a loop of its own:
        // every guest's attendee is elsewhere in memory, and a loop that does
        // nothing else keeps many of those reads in flight at once.
        // Per guest: ticket group, ticket, and when checked in (`Some(None)`:
        // at a time that does not read); the time is decoded only for those
        // checked in.
        type Counted<'a> = (Option<&'a str>, &'a str, Option<Option<NaiveDateTime>>);
        let counted: Vec<Counted<'_>> = guests
            .iter()
            .map(|g| {
                let (group, ticket, checked_in) = g.attendee.counted_as();
                let at = checked_in.then(|| g.attendee.check_in.as_ref().and_then(|c| c.at));
                (group, ticket, at)
            })
            .collect();
        let mut tickets: Vec<TicketStats> = Vec::new();
        let mut index: FastMap<(Option<&str>, &str), usize> = FastMap::default();
        let mut last: Option<((Option<&str>, &str), usize)> = None;
        let ticket_of: Vec<u32> = counted
            .iter()
            .map(|&(group, ticket, _)| {
                let key = (group, ticket);
                match last {
                    Some((k, at)) if k == key => at as u32,
                    // Events have a few tickets: a look along them beats hashing the names.
                    _ if let Some(at) = tickets.iter().take(FEW_TICKETS).position(|t| {
                        t.ticket.len() == ticket.len() && t.ticket == ticket && t.group.as_deref() == group
                    }) =>
                    {
                        last = Some((key, at));
                        at as u32
                    }
                    _ => {
                        let at = *index.entry(key).or_insert_with(|| {
                            tickets.push(TicketStats {
                                group: group.map(str::to_string),
                                ticket: ticket.to_string(),
                                figures: Figures::default(),
                            });
                            tickets.len() - 1
                        });
                        last = Some((key, at));
                        at as u32
                    }
                }
            })
            .collect();
        let mut checked = Vec::with_capacity(guests.len());
        let mut floktu = Vec::new();
        let mut untimed = 0;
        let mut runs = 0;
        let mut start = 0;
        while start < guests.len() {
            let order = &guests[start].order;
            let end = guests[start..]
                .iter()
                .position(|g| !Arc::ptr_eq(&g.order, order))
                .map_or(guests.len(), |n| start + n);
            runs += 1;
            let shares = Shares::of(order, end - start);
            for k in 0..end - start {
                let figures = &mut tickets[ticket_of[start + k] as usize].figures;
                figures.money.add(shares.share(k));
                if order.status == Status::Cancelled {
                    figures.cancelled += 1;
                    checked.push(Checked::Cancelled);
                    continue;
                }
                figures.sold += 1;
                checked.push(match counted[start + k].2 {
                    None => Checked::Out,
                    Some(Some(at)) => {
                        figures.arrived += 1;
                        floktu.push(((start + k) as u32, at));
                        Checked::At(at)
                    }
                    Some(None) => {
                        figures.arrived += 1;
                        untimed += 1;
                        Checked::Untimed
                    }
                });
            }
            start = end;
        }
        let mut no_attendees = MoneyFigures::default();
        if runs < self.purchases.len() {
            for p in self.purchases.values().filter(|p| !self.by_order.contains_key(&p.id)) {
                no_attendees.add(Shares::of(p, 1).share(0));
            }
        }
        StatsBase { tickets, ticket_of, checked, floktu, untimed, no_attendees }
    }
}

/// An order's money split over `n` attendees exactly (see the module docs).
struct Shares {
    each: MoneyFigures,
    /// The first `extra.0` attendees get one minor unit more of `paid`, …
    extra: (i64, i64, i64),
}

impl Shares {
    fn of(p: &Purchase, n: usize) -> Shares {
        let n = n.max(1) as i64;
        let paid = p.amount_paid.map_or(0, |m| m.0);
        let (paid, due, refunded) = match p.status {
            Status::Cancelled => (0, 0, paid),
            _ => {
                let due =
                    if p.balance_due() { p.order_amount.map_or(0, |m| m.0).saturating_sub(paid) } else { 0 };
                (paid, due, 0)
            }
        };
        let split = |m: i64| (m.div_euclid(n), m.rem_euclid(n));
        let ((paid, paid_extra), (due, due_extra), (refunded, refunded_extra)) =
            (split(paid), split(due), split(refunded));
        Shares {
            each: MoneyFigures { paid: Money(paid), due: Money(due), refunded: Money(refunded) },
            extra: (paid_extra, due_extra, refunded_extra),
        }
    }

    /// The share of the `k`th attendee of the order.
    fn share(&self, k: usize) -> MoneyFigures {
        let k = k as i64;
        let more = |extra: i64| i64::from(k < extra);
        MoneyFigures {
            paid: Money(self.each.paid.0 + more(self.extra.0)),
            due: Money(self.each.due.0 + more(self.extra.1)),
            refunded: Money(self.each.refunded.0 + more(self.extra.2)),
        }
    }
}

/// The arrivals into 15-minute buckets, per source when `names` lists them
/// (the gates in order, then Floktu).
fn bucket(
    arrivals: &[(NaiveDateTime, Source)],
    untimed: usize,
    names: Vec<(String, bool)>,
    gates: usize,
) -> Arrivals {
    let mut out = Arrivals { bucket_minutes: BUCKET_MINUTES, untimed, ..Arrivals::default() };
    let (Some(first), Some(last)) =
        (arrivals.iter().map(|(t, _)| *t).min(), arrivals.iter().map(|(t, _)| *t).max())
    else {
        return out;
    };
    let slot = |t: NaiveDateTime| t.and_utc().timestamp().div_euclid(BUCKET_MINUTES * 60);
    let (first, last) = (slot(first), slot(last));
    let start = first.max(last - MAX_BUCKETS as i64 + 1);
    let len = (last - start + 1) as usize;
    out.start = DateTime::from_timestamp(start * BUCKET_MINUTES * 60, 0).map(|t| t.naive_utc());
    out.total = vec![0; len];
    out.series = names
        .into_iter()
        .map(|(name, floktu)| Series { name, floktu, counts: vec![0; len], arrived: 0 })
        .collect();
    for (t, source) in arrivals {
        let series = match source {
            Source::Gate(g) => *g as usize,
            Source::Floktu => gates,
        };
        let series = out.series.get_mut(series);
        if let Some(s) = series {
            s.arrived += 1;
            if slot(*t) >= start {
                s.counts[(slot(*t) - start) as usize] += 1;
            }
        }
        match slot(*t) - start {
            i if i >= 0 => out.total[i as usize] += 1,
            _ => out.earlier += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Attendee, CheckIn, Order};
    use crate::ledger::{Gate, Undo};

    fn at(hm: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("2026-11-28 {hm}:00"), "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn guest(id: u64, group: Option<&str>, ticket: &str, checked_in: Option<&str>) -> Attendee {
        Attendee {
            attendee_id: id,
            ticket_group: group.map(str::to_string),
            ticket: ticket.into(),
            check_in: checked_in.map(|hm| CheckIn {
                raw: hm.into(),
                at: NaiveDateTime::parse_from_str(&format!("2026-11-28 {hm}:00"), "%Y-%m-%d %H:%M:%S").ok(),
            }),
            first_name: format!("G{id}"),
            last_name: String::new(),
            company: None,
            answers: Vec::new(),
        }
    }

    fn order(id: u64, status: Status, amount: i64, paid: i64, attendees: Vec<Attendee>) -> Order {
        Order {
            id,
            name: "Pat Buyer".into(),
            email: format!("buyer{id}@example.com"),
            order_amount: Some(Money(amount)),
            amount_paid: Some(Money(paid)),
            voucher: None,
            status,
            attendees,
            skipped_attendees: Vec::new(),
        }
    }

    fn admission(attendee_id: u64, gate: &str, hm: &str) -> (u64, Admission) {
        let a = Admission {
            event_id: 12,
            attendee_id,
            order_id: 0,
            gate: Gate::new(gate).unwrap(),
            at: at(hm).and_utc(),
            user: "door".into(),
            undone: None,
        };
        (attendee_id, a)
    }

    fn list_of(orders: Vec<Order>) -> GuestList {
        let mut list = GuestList::new(12);
        list.set_order_list(orders.iter().map(|o| o.id).collect());
        for o in orders {
            list.add_order(o);
        }
        list
    }

    const VIP: Option<&str> = Some("VIP");
    const GA: Option<&str> = Some("GA");

    /// The fixture the numbers below are worked out from by hand:
    /// 1. confirmed, 100.01 paid: A (VIP Weekend, checked in 19:02), B (VIP
    ///    Weekend, admitted at north 19:20), C (GA Day, admitted at 19:50, undone);
    /// 2. confirmed, 50.00 of which 20.00 paid: D (GA Day, checked in 19:14 and
    ///    admitted at south 19:40: once, at 19:14 through Floktu), E (GA Day,
    ///    admitted at south 19:31);
    /// 3. cancelled, 40.00 paid: F (VIP Weekend, checked in 19:05, admitted at north 19:06);
    /// 4. unconfirmed, 30.00 unpaid: G (Crew, no group, checked in at a time that does not read);
    /// 5. confirmed, 15.00 paid, no attendees;
    ///
    /// and an admission of ticket 999, which the list does not have.
    fn night() -> Stats {
        let mut g = guest(7, None, "Crew", None);
        g.check_in = Some(CheckIn { raw: "soon".into(), at: None });
        let list = list_of(vec![
            order(
                1,
                Status::Confirmed,
                10001,
                10001,
                vec![
                    guest(1, VIP, "Weekend", Some("19:02")),
                    guest(2, VIP, "Weekend", None),
                    guest(3, GA, "Day", None),
                ],
            ),
            order(
                2,
                Status::Confirmed,
                5000,
                2000,
                vec![guest(4, GA, "Day", Some("19:14")), guest(5, GA, "Day", None)],
            ),
            order(3, Status::Cancelled, 4000, 4000, vec![guest(6, VIP, "Weekend", Some("19:05"))]),
            order(4, Status::Unconfirmed, 3000, 0, vec![g]),
            order(5, Status::Confirmed, 1500, 1500, vec![]),
        ]);
        let mut undone = admission(3, "north", "19:50");
        undone.1.undone = Some(Undo { at: at("19:51").and_utc(), gate: Gate::new("north").unwrap() });
        let admissions: HashMap<u64, Admission> = [
            admission(2, "north", "19:20"),
            undone,
            admission(4, "south", "19:40"),
            admission(5, "south", "19:31"),
            admission(6, "north", "19:06"),
            admission(999, "north", "19:07"),
        ]
        .into_iter()
        .collect();
        list.stats(&admissions, FixedOffset::east_opt(0).unwrap())
    }

    fn figures(sold: usize, arrived: usize, cancelled: usize, money: [i64; 3]) -> Figures {
        let [paid, due, refunded] = money;
        Figures {
            sold,
            arrived,
            cancelled,
            money: MoneyFigures { paid: Money(paid), due: Money(due), refunded: Money(refunded) },
        }
    }

    #[test]
    fn per_ticket_sold_in_cancelled_and_money_match_the_hand_count() {
        let s = night();
        let rows: Vec<(String, Figures)> = s.tickets.iter().map(|t| (t.label(), t.figures)).collect();
        assert_eq!(
            rows,
            vec![
                ("Crew".to_string(), figures(1, 1, 0, [0, 0, 0])),
                // C 33.33 of order 1; D and E 10.00 each paid, 15.00 each due.
                ("GA / Day".to_string(), figures(3, 2, 0, [3333 + 2000, 3000, 0])),
                // A and B 33.34 each (the odd cent goes to the first attendees); F refunded.
                ("VIP / Weekend".to_string(), figures(2, 2, 1, [6668, 0, 4000])),
            ]
        );
        assert_eq!(s.total, figures(6, 5, 1, [12001, 3000, 4000]));
        assert_eq!(s.no_attendees, MoneyFigures { paid: Money(1500), ..MoneyFigures::default() });
        assert_eq!(s.data.unlisted_admissions, 1);
    }

    #[test]
    fn arrivals_fall_in_15_minute_buckets_per_gate_and_floktu() {
        let a = night().arrivals;
        assert_eq!(a.start, Some(at("19:00")));
        assert_eq!(a.total, vec![2, 1, 1], "A and D at 19:00, B at 19:15, E at 19:30");
        let series: Vec<(&str, &[u32], usize)> =
            a.series.iter().map(|s| (s.name.as_str(), s.counts.as_slice(), s.arrived)).collect();
        assert_eq!(
            series,
            vec![("north", &[0, 1, 0][..], 1), ("south", &[0, 0, 1][..], 1), ("Floktu", &[2, 0, 0][..], 2)]
        );
        assert_eq!((a.earlier, a.untimed, a.peak()), (0, 1, 2));
    }

    #[test]
    fn admissions_are_put_on_the_wall_clock_of_the_offset() {
        let list = list_of(vec![order(
            1,
            Status::Confirmed,
            0,
            0,
            vec![guest(1, GA, "Day", Some("19:02")), guest(2, GA, "Day", None)],
        )]);
        let admissions: HashMap<u64, Admission> = [admission(2, "north", "19:20")].into_iter().collect();
        let a = list.stats(&admissions, FixedOffset::east_opt(3600).unwrap()).arrivals;
        assert_eq!(a.start, Some(at("19:00")));
        assert_eq!(a.total, vec![1, 0, 0, 0, 0, 1], "19:20 UTC is 20:20 an hour east");
        let names: Vec<&str> = a.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["north", "Floktu"], "one gate and Floktu are two sources");
    }

    #[test]
    fn one_source_has_no_series_and_a_day_of_buckets_at_most() {
        let mut early = guest(1, GA, "Day", None);
        early.check_in = Some(CheckIn { raw: String::new(), at: Some(at("19:02") - TimeDelta::days(2)) });
        let list =
            list_of(vec![order(1, Status::Confirmed, 0, 0, vec![early, guest(2, GA, "Day", Some("19:03"))])]);
        let a = list.stats(&HashMap::new(), FixedOffset::east_opt(0).unwrap()).arrivals;
        assert!(a.series.is_empty());
        assert_eq!(a.total.len(), MAX_BUCKETS, "a day of buckets, ending at the last arrival");
        assert_eq!((a.total[MAX_BUCKETS - 1], a.earlier), (1, 1), "two days back is before them");
        assert_eq!(a.start, Some(at("19:00") - TimeDelta::minutes(15 * 95)));
    }

    #[test]
    fn an_order_split_over_its_attendees_adds_up_to_the_cent() {
        let three = || (0..3).map(|k| guest(k, GA, "Day", None)).collect();
        let list = list_of(vec![order(1, Status::Confirmed, 10000, 10000, three())]);
        let shares = Shares::of(&list.guests()[0].order, 3);
        let paid: Vec<i64> = (0..3).map(|k| shares.share(k).paid.0).collect();
        assert_eq!(paid, [3334, 3333, 3333]);
        let list = list_of(vec![order(1, Status::Confirmed, -100, -100, three())]);
        let shares = Shares::of(&list.guests()[0].order, 3);
        let refunds: i64 = (0..3).map(|k| shares.share(k).paid.0).sum();
        assert_eq!(refunds, -100, "a negative amount splits exactly too");
    }
}
