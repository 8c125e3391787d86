//! Hostile text: what a careless or malicious organiser could type into a name,
//! and what the demo server sends in every text field when
//! [`Knobs::set_hostile`](super::Knobs::set_hostile) is on.
//!
//! Each class of trouble has one sample in [`hostile_catalogue`]. The strings of a
//! list response take the classes in turn, so every class appears in every list
//! (a list with fewer strings than classes gives some strings several). A
//! spreadsheet formula goes first, since that is where it works; every other
//! sample goes into the middle of the original text, with text on both sides.

use super::data::{Dataset, DemoAttendee, DemoEvent, DemoOrder};

/// The classes of hostile text, each with a sample, in the order the server
/// hands them out: the four spreadsheet formulas first, the 10,000-character
/// name last.
pub fn hostile_catalogue() -> &'static [(&'static str, &'static str)] {
    &CATALOGUE
}

const CATALOGUE: [(&str, &str); 20] = [
    ("formula-equals", "=HYPERLINK(\"https://evil.example/\",\"Click me\")"),
    ("formula-plus", "+1+cmd|' /C calc'!A0"),
    ("formula-minus", "-2+3+cmd|' /C calc'!A0"),
    ("formula-at", "@SUM(1+9)*cmd|' /C calc'!A0"),
    ("osc-window-title-bel", "\u{1b}]0;PWNED-TITLE\u{7}"),
    ("osc-window-title-st", "\u{1b}]2;PWNED\u{1b}\\"),
    ("csi-clear-screen", "\u{1b}[2J\u{1b}[H"),
    ("csi-colour-and-cursor", "\u{1b}[31m\u{1b}[10;10H"),
    ("osc52-clipboard-write", "\u{1b}]52;c;cHduZWQ=\u{7}"),
    ("c0-controls", "\u{7}\u{8}\u{0}\u{1}\u{1f}\u{7f}"),
    ("c1-csi", "\u{9b}31m"),
    ("c1-osc", "\u{9d}0;x\u{9c}"),
    ("tab-cr-lf", "\t\r\n"),
    ("bidi-override", "\u{202e}gnp.exe\u{202c}"),
    ("bidi-isolate", "\u{2066}\u{2067}\u{2068}x\u{2069}"),
    ("zero-width", "\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}"),
    ("emoji-zwj", "👩\u{200d}👩\u{200d}👧 🏳\u{fe0f}\u{200d}🌈 👍🏽"),
    ("combining-marks", "e\u{301}\u{301}\u{301}"),
    ("cjk-wide", "王小明・東京タワー"),
    ("very-long", VERY_LONG),
];

/// The index of the 10,000-character sample: handed out once per list, not once
/// per round, or a 20,000-order list would weigh 30 MB.
const VERY_LONG_CLASS: usize = CATALOGUE.len() - 1;

const VERY_LONG: &str = match std::str::from_utf8(&very_long_bytes()) {
    Ok(s) => s,
    Err(_) => panic!("the long name is ASCII"),
};

/// 10,000 characters of one unbreakable word.
const fn very_long_bytes() -> [u8; 10_000] {
    let pattern = b"Wolfeschlegelsteinhausenbergerdorff";
    let mut out = [0u8; 10_000];
    let mut i = 0;
    while i < out.len() {
        out[i] = pattern[i % pattern.len()];
        i += 1;
    }
    out
}

impl Dataset {
    /// The same events, orders and attendees (same ids, amounts, statuses and
    /// check-in dates) with hostile text in every text field: what the server
    /// sends while [`Knobs::set_hostile`](super::Knobs::set_hostile) is on.
    /// Deterministic: the same dataset always gives the same text.
    pub fn with_hostile_text(&self) -> Dataset {
        let mut events = Slots::new(self.events.len());
        Dataset { events: self.events.iter().map(|e| hostile_event(e, events.next())).collect() }
    }
}

fn hostile_event(e: &DemoEvent, classes: Vec<usize>) -> DemoEvent {
    // The orders list (three strings an order) and the order details (counted
    // over the whole event) each take the classes in turn.
    let mut list = Slots::new(e.orders.len() * 3);
    let mut details = Slots::new(usize::MAX);
    DemoEvent {
        id: e.id,
        name: apply(&e.name, &classes),
        orders: e.orders.iter().map(|o| hostile_order(o, &mut list, &mut details)).collect(),
    }
}

fn hostile_order(o: &DemoOrder, list: &mut Slots, details: &mut Slots) -> DemoOrder {
    DemoOrder {
        first_name: apply(&o.first_name, &list.next()),
        last_name: apply(&o.last_name, &list.next()),
        email: apply(&o.email, &list.next()),
        voucher: o.voucher.as_deref().map(|v| apply(v, &details.next())),
        attendees: o.attendees.iter().map(|a| hostile_attendee(a, details)).collect(),
        ..o.clone()
    }
}

fn hostile_attendee(a: &DemoAttendee, slots: &mut Slots) -> DemoAttendee {
    let mut text = |s: &str| apply(s, &slots.next());
    DemoAttendee {
        attendee_id: a.attendee_id,
        ticket_group: a.ticket_group.as_deref().map(&mut text),
        ticket: text(&a.ticket),
        check_in_date: a.check_in_date.clone(),
        first_name: text(&a.first_name),
        last_name: text(&a.last_name),
        company: a.company.as_deref().map(&mut text),
        answers: a.answers.iter().map(|(q, ans)| (text(q), ans.as_deref().map(&mut text))).collect(),
    }
}

/// Hands out classes to the strings of one response, in order.
struct Slots {
    /// How many strings the response has (`usize::MAX`: too many to count).
    total: usize,
    next: usize,
}

impl Slots {
    fn new(total: usize) -> Slots {
        Slots { total, next: 0 }
    }

    /// The classes of the next string. With at least as many strings as classes,
    /// one class each: every class once, then every class but the very long one,
    /// round after round. With fewer strings, string `n` gets every class `k`
    /// with `k % total == n`, so that nothing is left out.
    fn next(&mut self) -> Vec<usize> {
        let n = self.next;
        self.next += 1;
        let count = CATALOGUE.len();
        if self.total >= count {
            if n < count {
                vec![n]
            } else {
                // The very long class is the last one: counting modulo its index skips it.
                vec![(n - count) % VERY_LONG_CLASS]
            }
        } else {
            (0..count).filter(|k| k % self.total.max(1) == n % self.total.max(1)).collect()
        }
    }
}

/// `s` with the samples of `classes`: the first formula in front, everything
/// else in the middle.
fn apply(s: &str, classes: &[usize]) -> String {
    let mut front = "";
    let mut middle = String::new();
    for &k in classes {
        let sample = CATALOGUE[k].1;
        if front.is_empty() && is_formula(sample) {
            front = sample;
        } else {
            middle.push_str(sample);
        }
    }
    let half = s.char_indices().nth(s.chars().count() / 2).map_or(s.len(), |(i, _)| i);
    format!("{front}{}{middle}{}", &s[..half], &s[half..])
}

fn is_formula(sample: &str) -> bool {
    sample.starts_with(['=', '+', '-', '@'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_long_sample_is_ten_thousand_characters() {
        assert_eq!(VERY_LONG.chars().count(), 10_000);
        assert_eq!(hostile_catalogue()[VERY_LONG_CLASS].0, "very-long");
    }

    #[test]
    fn a_formula_goes_first_and_the_rest_in_the_middle() {
        assert_eq!(apply("Anna", &[1]), "+1+cmd|' /C calc'!A0Anna");
        assert_eq!(apply("Anna", &[6]), "An\u{1b}[2J\u{1b}[Hna");
        assert_eq!(apply("Anna", &[6, 2]), "-2+3+cmd|' /C calc'!A0An\u{1b}[2J\u{1b}[Hna");
    }

    #[test]
    fn a_short_list_still_gets_every_class() {
        let mut slots = Slots::new(3);
        let mut seen: Vec<usize> = (0..3).flat_map(|_| slots.next()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..CATALOGUE.len()).collect::<Vec<_>>());
    }

    #[test]
    fn a_long_list_gets_the_very_long_name_once() {
        let mut slots = Slots::new(1000);
        let all: Vec<usize> = (0..1000).flat_map(|_| slots.next()).collect();
        assert_eq!(all.iter().filter(|&&k| k == VERY_LONG_CLASS).count(), 1);
        for k in 0..VERY_LONG_CLASS {
            assert!(all.iter().filter(|&&c| c == k).count() > 40, "class {k}");
        }
    }

    #[test]
    fn ids_amounts_and_dates_stay_as_they_were() {
        let plain = Dataset::generate(5, 3, 60);
        let hostile = plain.with_hostile_text();
        assert_eq!(hostile, plain.with_hostile_text(), "deterministic");
        for (p, h) in plain.events.iter().zip(&hostile.events) {
            assert_eq!(p.id, h.id);
            assert_ne!(p.name, h.name);
            assert_eq!(p.orders.len(), h.orders.len());
            for (po, ho) in p.orders.iter().zip(&h.orders) {
                assert_eq!(
                    (po.id, po.order_amount_cents, po.amount_paid_cents),
                    (ho.id, ho.order_amount_cents, ho.amount_paid_cents)
                );
                assert_eq!(po.status, ho.status);
                assert_eq!(po.voucher.is_some(), ho.voucher.is_some());
                assert_eq!(po.attendees.len(), ho.attendees.len());
                for (pa, ha) in po.attendees.iter().zip(&ho.attendees) {
                    assert_eq!(pa.attendee_id, ha.attendee_id);
                    assert_eq!(pa.check_in_date, ha.check_in_date);
                    assert_eq!(pa.company.is_some(), ha.company.is_some());
                    assert_eq!(pa.answers.len(), ha.answers.len());
                }
            }
        }
    }
}
