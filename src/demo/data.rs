//! The demo's data: events, orders and attendees generated from a seed so that
//! they look like a real event to a newcomer, and are the same on every run.

use super::catalogue::{Answers, EventTemplate, TEMPLATES, Ticket};
use super::names::{self, Gender, Script, family_form};

/// Everything the demo server serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dataset {
    /// The events; the first one is the large event (the one with the requested
    /// number of orders).
    pub events: Vec<DemoEvent>,
}

/// One event and all of its orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoEvent {
    /// Event id, a small integer (12, 15, 23, ...).
    pub id: u64,
    /// Display name, e.g. "Northern Lights Festival 2026".
    pub name: String,
    /// Orders in id order.
    pub orders: Vec<DemoOrder>,
}

/// One order: who bought, what they paid, and who comes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoOrder {
    /// Order id, unique across the whole dataset (100001 and up).
    pub id: u64,
    /// The purchaser's email.
    pub email: String,
    /// The purchaser's given name.
    pub first_name: String,
    /// The purchaser's family name.
    pub last_name: String,
    /// What the order costs, in cents.
    pub order_amount_cents: i64,
    /// What has been paid, in cents; less than `order_amount_cents` on a
    /// "balance due" order.
    pub amount_paid_cents: i64,
    /// The voucher code used, if any.
    pub voucher: Option<String>,
    /// "confirmed", "unconfirmed" or "cancelled".
    pub status: String,
    /// The people the tickets are for; empty on some cancelled orders.
    pub attendees: Vec<DemoAttendee>,
}

impl DemoOrder {
    /// The purchaser's full name as the API's `name` field has it: "First Last".
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// The order as the client decodes the documented JSON, without HTTP: for
    /// tests and benchmarks that need many orders quickly.
    pub fn to_order(&self) -> crate::api::Order {
        use crate::api::{Answer, Attendee, Money, Order, Status, model};
        Order {
            id: self.id,
            name: self.name(),
            email: self.email.clone(),
            order_amount: Some(Money(self.order_amount_cents)),
            amount_paid: Some(Money(self.amount_paid_cents)),
            voucher: self.voucher.clone(),
            status: Status::parse(&self.status),
            attendees: self
                .attendees
                .iter()
                .map(|a| Attendee {
                    attendee_id: a.attendee_id,
                    ticket_group: a.ticket_group.clone(),
                    ticket: a.ticket.clone(),
                    check_in: a
                        .check_in_date
                        .as_ref()
                        .and_then(|d| model::parse_check_in(&serde_json::Value::String(d.clone()))),
                    first_name: a.first_name.clone(),
                    last_name: a.last_name.clone(),
                    company: a.company.clone(),
                    answers: a
                        .answers
                        .iter()
                        .map(|(question, answer)| Answer {
                            question: question.clone(),
                            answer: answer.clone(),
                        })
                        .collect(),
                })
                .collect(),
            skipped_attendees: Vec::new(),
        }
    }
}

/// One ticket holder of an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoAttendee {
    /// Attendee id, unique across the whole dataset (500001 and up).
    pub attendee_id: u64,
    /// Ticket group, e.g. "VIP"; some events have none.
    pub ticket_group: Option<String>,
    /// Ticket, e.g. "Weekend Pass".
    pub ticket: String,
    /// When the attendee was checked in, "YYYY-MM-DD HH:MM:SS" (UTC).
    pub check_in_date: Option<String>,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Employer, if given.
    pub company: Option<String>,
    /// The event's custom questions in order, each with its answer if there is one.
    pub answers: Vec<(String, Option<String>)>,
}

impl Dataset {
    /// The first event's guest list built without HTTP, order by order until it
    /// holds at least `attendees` (or the event ends): for benchmarks and tests.
    pub fn guest_list(&self, attendees: usize) -> crate::guestlist::GuestList {
        let mut list = crate::guestlist::GuestList::new(self.events.first().map_or(0, |e| e.id));
        if let Some(event) = self.events.first() {
            list.set_order_list(event.orders.iter().map(|o| o.id).collect());
            for order in &event.orders {
                if list.len() >= attendees {
                    break;
                }
                list.add_order(order.to_order());
            }
        }
        list.mark_done();
        list
    }

    /// Generates `events` events from `seed`; the first has `orders` orders, the
    /// others between 5 and 120. The same arguments always give the same data.
    pub fn generate(seed: u64, events: usize, orders: usize) -> Dataset {
        let mut ids = Ids { next_order: 100_001, next_attendee: 500_001 };
        let mut id_rng = Prng::new(seed);
        let mut event_id = 12;
        let mut list = Vec::with_capacity(events);
        for index in 0..events {
            if index > 0 {
                event_id += id_rng.range(2, 9);
            }
            let mut rng = Prng::new(seed ^ (index as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407));
            let template = &TEMPLATES[index % TEMPLATES.len()];
            let round = index / TEMPLATES.len();
            let name = if round == 0 {
                template.name.to_string()
            } else {
                format!("{} #{}", template.name, round + 1)
            };
            let count = if index == 0 { orders } else { rng.range(5, 120) as usize };
            let orders = EventGen { template, rng: &mut rng, ids: &mut ids }.orders(count);
            list.push(DemoEvent { id: event_id, name, orders });
        }
        Dataset { events: list }
    }

    /// The event with this id.
    pub fn event(&self, id: u64) -> Option<&DemoEvent> {
        self.events.iter().find(|e| e.id == id)
    }
}

impl DemoEvent {
    /// The order of this event with this id.
    pub fn order(&self, id: u64) -> Option<&DemoOrder> {
        self.orders.binary_search_by_key(&id, |o| o.id).ok().and_then(|i| self.orders.get(i))
    }
}

/// A small seeded generator (splitmix64), so the data does not change when a
/// dependency's random number generator does.
#[derive(Clone, Debug)]
pub(crate) struct Prng(u64);

impl Prng {
    pub(crate) fn new(seed: u64) -> Prng {
        Prng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when n is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True `per_mille` times out of a thousand.
    pub(crate) fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One item of a non-empty slice.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One item of a non-empty slice of `(weight, item)`, by weight.
    fn weighted<'a, T>(&mut self, items: &'a [(u32, T)]) -> &'a T {
        let total: u64 = items.iter().map(|(w, _)| u64::from(*w)).sum();
        let mut roll = self.below(total);
        for (w, item) in items {
            if roll < u64::from(*w) {
                return item;
            }
            roll -= u64::from(*w);
        }
        &items[items.len() - 1].1
    }
}

struct Ids {
    next_order: u64,
    next_attendee: u64,
}

/// How many attendees an order has: 1 to 6, a little over 2 on average.
const PARTY_SIZES: &[(u32, usize)] = &[(35, 1), (38, 2), (10, 3), (11, 4), (4, 5), (2, 6)];

const STATUSES: &[(u32, &str)] = &[(850, "confirmed"), (80, "unconfirmed"), (70, "cancelled")];

/// Voucher codes and the percentage they take off.
const VOUCHERS: &[(&str, i64)] = &[
    ("EARLYBIRD10", 10),
    ("FRIENDS15", 15),
    ("STUDENT20", 20),
    ("NEWSLETTER5", 5),
    ("SPONSOR50", 50),
    ("PRESS", 100),
];

const DOMAINS: &[(u32, &str)] = &[
    (40, "example.com"),
    (25, "example.org"),
    (20, "example.net"),
    (8, "mail.example.com"),
    (7, "post.example.org"),
];

/// Answers to an email question that are not an address: the attendee's email
/// must then come from the order.
const NOT_AN_ADDRESS: &[&str] = &["same as above", "-", "n/a", "see booking"];

/// Someone who buys or attends.
#[derive(Clone)]
struct Person {
    first: &'static str,
    last: &'static str,
    email: String,
    script: usize,
    /// The family name in both forms, for relatives.
    family: (&'static str, &'static str),
}

struct EventGen<'a> {
    template: &'static EventTemplate,
    rng: &'a mut Prng,
    ids: &'a mut Ids,
}

impl EventGen<'_> {
    fn orders(&mut self, count: usize) -> Vec<DemoOrder> {
        let mut purchasers: Vec<Person> = Vec::new();
        let mut orders = Vec::with_capacity(count);
        for _ in 0..count {
            // Returning customers: a few people buy twice for the same event.
            let purchaser = if !purchasers.is_empty() && self.rng.chance(30) {
                self.rng.pick(&purchasers).clone()
            } else {
                let script = self.script();
                let p = self.person(script);
                purchasers.push(p.clone());
                p
            };
            orders.push(self.order(&purchaser));
        }
        orders
    }

    fn order(&mut self, purchaser: &Person) -> DemoOrder {
        let id = self.ids.next_order;
        // Gaps, as deleted and abandoned orders leave them.
        self.ids.next_order += if self.rng.chance(120) { self.rng.range(2, 4) } else { 1 };
        let status = *self.rng.weighted(STATUSES);
        let size = *self.rng.weighted(PARTY_SIZES);
        self.order_of(id, purchaser, status, size)
    }

    /// Order `id` of `purchaser` with `size` attendees (ids from `self.ids`).
    // Long on purpose: every random draw of an order in one sequence, so a
    // seed gives the same data whatever else changes around it.
    fn order_of(&mut self, id: u64, purchaser: &Person, status: &str, size: usize) -> DemoOrder {
        let same_ticket = self.rng.chance(750);
        let first_ticket = self.ticket();
        let mut attendees = Vec::with_capacity(size);
        let mut total = 0;
        let mut company: Option<String> = None;
        for k in 0..size {
            let ticket = if k == 0 || same_ticket { first_ticket } else { self.ticket() };
            total += with_fee(ticket.cents);
            let person = if k == 0 && self.rng.chance(700) {
                purchaser.clone()
            } else if self.rng.chance(300) {
                // Families come together.
                self.relative(purchaser)
            } else if self.rng.chance(600) {
                self.person(purchaser.script)
            } else {
                let script = self.script();
                self.person(script)
            };
            // Colleagues often come together.
            company = if company.is_some() && self.rng.chance(500) {
                company
            } else if self.rng.chance(400) {
                Some(self.rng.pick(names::companies()).to_string())
            } else {
                None
            };
            let checked_in = status == "confirmed" && self.rng.chance(self.template.check_in_per_mille);
            let check_in_date = checked_in.then(|| self.check_in_time());
            let answers = self.answers(&person, purchaser);
            attendees.push(DemoAttendee {
                attendee_id: self.ids.next_attendee,
                ticket_group: ticket.group.map(str::to_string),
                ticket: ticket.name.to_string(),
                check_in_date,
                first_name: person.first.to_string(),
                last_name: person.last.to_string(),
                company: company.clone(),
                answers,
            });
            self.ids.next_attendee += 1;
        }
        let voucher = (total > 0 && self.rng.chance(100)).then(|| *self.rng.pick(VOUCHERS));
        let order_amount = match voucher {
            Some((_, percent)) => total - (total * percent + 50) / 100,
            None => total,
        };
        let amount_paid = match status {
            "confirmed" if order_amount >= 200 && self.rng.chance(70) => {
                // A deposit: half, in whole units.
                order_amount / 2 / 100 * 100
            }
            "confirmed" => order_amount,
            "cancelled" if self.rng.chance(300) => order_amount,
            _ => 0,
        };
        // Cancelled orders sometimes lose their attendees.
        if status == "cancelled" && self.rng.chance(400) {
            attendees.clear();
        }
        DemoOrder {
            id,
            email: purchaser.email.clone(),
            first_name: purchaser.first.to_string(),
            last_name: purchaser.last.to_string(),
            order_amount_cents: order_amount,
            amount_paid_cents: amount_paid,
            voucher: voucher.map(|(code, _)| code.to_string()),
            status: status.to_string(),
            attendees,
        }
    }

    fn ticket(&mut self) -> &'static Ticket {
        let tickets = self.template.tickets;
        let total: u64 = tickets.iter().map(|t| u64::from(t.weight)).sum();
        let mut roll = self.rng.below(total);
        for ticket in tickets {
            if roll < u64::from(ticket.weight) {
                return ticket;
            }
            roll -= u64::from(ticket.weight);
        }
        &tickets[tickets.len() - 1]
    }

    fn script(&mut self) -> usize {
        let scripts = names::scripts();
        let total: u64 = scripts.iter().map(|s| u64::from(s.weight)).sum();
        let mut roll = self.rng.below(total);
        for (i, s) in scripts.iter().enumerate() {
            if roll < u64::from(s.weight) {
                return i;
            }
            roll -= u64::from(s.weight);
        }
        0
    }

    fn person(&mut self, script: usize) -> Person {
        let s: &'static Script = &names::scripts()[script];
        let (first, gender) = *self.rng.pick(&s.given);
        let family = *self.rng.pick(&s.family);
        self.named(s, script, first, gender, family)
    }

    /// Someone with the same family name as `of`.
    fn relative(&mut self, of: &Person) -> Person {
        let s: &'static Script = &names::scripts()[of.script];
        let (first, gender) = *self.rng.pick(&s.given);
        self.named(s, of.script, first, gender, of.family)
    }

    fn named(
        &mut self,
        s: &'static Script,
        script: usize,
        first: &'static str,
        gender: Gender,
        family: (&'static str, &'static str),
    ) -> Person {
        let last = family_form(family, gender);
        let email = self.email(s, first, last);
        Person { first, last, email, script, family }
    }

    fn email(&mut self, script: &Script, first: &str, last: &str) -> String {
        let domain = *self.rng.weighted(DOMAINS);
        let (f, l) = (names::ascii_fold(first), names::ascii_fold(last));
        if !script.is_latin() || f.is_empty() || l.is_empty() {
            let prefix = *self.rng.pick(&["user", "guest", "info.", "me"]);
            return format!("{prefix}{}@{domain}", self.rng.range(1000, 9999));
        }
        let n = self.rng.range(1, 99);
        let local = match self.rng.below(6) {
            0 | 1 => format!("{f}.{l}"),
            2 => format!("{f}{l}"),
            3 => format!("{}.{l}", &f[..1]),
            4 => format!("{f}_{l}{n}"),
            _ => format!("{f}{n}"),
        };
        if local.contains('.') && self.rng.chance(60) {
            // Some people type their address with capitals.
            let capitalised: Vec<String> = local.split('.').map(capitalise).collect();
            return format!("{}@{domain}", capitalised.join("."));
        }
        format!("{local}@{domain}")
    }

    fn answers(&mut self, person: &Person, purchaser: &Person) -> Vec<(String, Option<String>)> {
        let mut out = Vec::with_capacity(self.template.questions.len());
        for (question, kind) in self.template.questions {
            let answer = match kind {
                Answers::Email => {
                    let roll = self.rng.below(100);
                    match roll {
                        0..86 => Some(person.email.clone()),
                        86..90 => Some(purchaser.email.clone()),
                        90..97 => None,
                        _ => Some(self.rng.pick(NOT_AN_ADDRESS).to_string()),
                    }
                }
                Answers::Phone => {
                    (!self.rng.chance(100)).then(|| format!("+44 7700 900{:03}", self.rng.below(1000)))
                }
                Answers::Pick(choices) => (*self.rng.weighted(choices)).map(str::to_string),
            };
            out.push((question.to_string(), answer));
        }
        out
    }

    /// A time on the event day between doors and the end of the check-in window.
    fn check_in_time(&mut self) -> String {
        let (hour, minute) = self.template.doors;
        let start = hour * 3600 + minute * 60;
        let secs = (start + self.rng.below(self.template.window_minutes * 60)).min(86_399);
        format!("{} {:02}:{:02}:{:02}", self.template.date, secs / 3600, secs / 60 % 60, secs % 60)
    }
}

/// A new confirmed order for the event made from template `template_index`,
/// as if bought just now: with `size` attendees (at least 1) numbered from
/// `first_attendee_id`, nobody checked in yet.
pub(super) fn new_order(
    template_index: usize,
    order_id: u64,
    first_attendee_id: u64,
    size: usize,
    rng: &mut Prng,
) -> DemoOrder {
    let template = &TEMPLATES[template_index % TEMPLATES.len()];
    let mut ids = Ids { next_order: order_id, next_attendee: first_attendee_id };
    let mut event = EventGen { template, rng, ids: &mut ids };
    let script = event.script();
    let purchaser = event.person(script);
    let mut order = event.order_of(order_id, &purchaser, "confirmed", size.max(1));
    for a in &mut order.attendees {
        a.check_in_date = None;
    }
    order
}

/// A ticket's price with the 3.5 % booking fee, rounded to the cent; free stays free.
fn with_fee(cents: i64) -> i64 {
    cents + (cents * 35 + 500) / 1000
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Formats cents as a decimal with two places: 2417 → "24.17", -5 → "-0.05".
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_rounds_to_the_cent() {
        assert_eq!(with_fee(5900), 6107);
        assert_eq!(with_fee(0), 0);
    }

    #[test]
    fn cents_format_with_two_places() {
        assert_eq!(format_cents(2417), "24.17");
        assert_eq!(format_cents(4900), "49.00");
        assert_eq!(format_cents(5), "0.05");
        assert_eq!(format_cents(-5), "-0.05");
    }

    #[test]
    fn ids_are_unique_across_events() {
        let data = Dataset::generate(7, 14, 300);
        let mut orders = std::collections::HashSet::new();
        let mut attendees = std::collections::HashSet::new();
        for o in data.events.iter().flat_map(|e| &e.orders) {
            assert!(orders.insert(o.id));
            for a in &o.attendees {
                assert!(attendees.insert(a.attendee_id));
            }
        }
        let events: Vec<u64> = data.events.iter().map(|e| e.id).collect();
        assert_eq!(events.len(), 14);
        assert!(events.windows(2).all(|w| w[0] < w[1]), "{events:?}");
    }

    #[test]
    fn statuses_and_payments_look_real() {
        let data = Dataset::generate(42, 1, 4000);
        let orders = &data.events[0].orders;
        let share = |status: &str| orders.iter().filter(|o| o.status == status).count() * 1000 / orders.len();
        assert!((800..900).contains(&share("confirmed")));
        assert!((50..110).contains(&share("unconfirmed")));
        assert!((40..100).contains(&share("cancelled")));
        assert!(orders.iter().any(|o| o.status == "confirmed" && o.amount_paid_cents < o.order_amount_cents));
        let vouchers = orders.iter().filter(|o| o.voucher.is_some()).count() * 100 / orders.len();
        assert!((6..14).contains(&vouchers), "{vouchers}%");
        for o in orders {
            assert!(o.amount_paid_cents <= o.order_amount_cents);
            if o.status == "unconfirmed" {
                assert!(o.attendees.iter().all(|a| a.check_in_date.is_none()));
            }
        }
    }

    #[test]
    fn about_a_third_of_confirmed_attendees_are_checked_in() {
        let data = Dataset::generate(42, 1, 3000);
        let confirmed: Vec<&DemoAttendee> = data.events[0]
            .orders
            .iter()
            .filter(|o| o.status == "confirmed")
            .flat_map(|o| &o.attendees)
            .collect();
        let checked = confirmed.iter().filter(|a| a.check_in_date.is_some()).count();
        let share = checked * 100 / confirmed.len();
        assert!((25..36).contains(&share), "{share}%");
        let date = confirmed.iter().find_map(|a| a.check_in_date.clone()).unwrap_or_default();
        assert!(date.starts_with("2026-11-28 "), "{date}");
        assert_eq!(date.len(), 19);
    }

    #[test]
    fn emails_use_reserved_domains_only() {
        let data = Dataset::generate(3, 12, 500);
        for o in data.events.iter().flat_map(|e| &e.orders) {
            let domain = o.email.rsplit('@').next().unwrap_or_default();
            assert!(
                ["example.com", "example.org", "example.net"]
                    .iter()
                    .any(|d| domain == *d || domain.ends_with(&format!(".{d}"))),
                "{}",
                o.email
            );
            assert!(o.email.is_ascii());
        }
    }

    #[test]
    fn no_generated_string_has_control_characters() {
        let data = Dataset::generate(42, 12, 800);
        let bad = |s: &str| s.chars().any(char::is_control);
        for e in &data.events {
            assert!(!bad(&e.name));
            for o in &e.orders {
                assert!(!bad(&o.email) && !bad(&o.first_name) && !bad(&o.last_name));
                for a in &o.attendees {
                    assert!(!bad(&a.first_name) && !bad(&a.last_name) && !bad(&a.ticket));
                    for (q, ans) in &a.answers {
                        assert!(!bad(q) && !ans.as_deref().is_some_and(bad));
                    }
                }
            }
        }
    }
}
