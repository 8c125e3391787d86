//! Property tests: what must hold for every input, not just the examples the
//! other tests pick. Untrusted JSON never panics the decoders and loses no ids;
//! money reads back exactly what it prints; sanitized text is safe and as wide
//! as the layout assumed; a pasted redirect gives its code only with the right
//! state; and `update`, driven by random keys and random (often stale) answers,
//! keeps every selection in range and every request accounted for.
//!
//! Runs are deterministic (a fixed seed). To explore beyond it, set
//! `PROPTEST_RNG_SEED` (any number) and/or `PROPTEST_CASES`.

mod support;

use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, RngSeed};

/// `cases` cases from a fixed seed, unless the environment asks for others;
/// failures are kept in `proptest-regressions/` to be committed and replayed.
fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig::with_cases(cases);
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/proptest-regressions/properties.txt"
    ))));
    if std::env::var_os("PROPTEST_CASES").is_some() {
        config.cases = ProptestConfig::default().cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(2);
    }
    config
}

/// Bidi embeddings, overrides, isolates and marks: they reorder what follows.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Unicode's Default_Ignorable_Code_Point: zero-width and invisible characters
/// (joiners, fillers, variation selectors, tags...) that terminals draw in
/// different widths, or not at all, so the layout cannot know their width.
fn is_zero_width(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}'
        | '\u{fff0}'..='\u{fff8}' | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0000}'..='\u{e0fff}'
    )
}

/// C1 controls (0x80–0x9F): some terminals act on them like ESC sequences.
fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

/// What must never reach the terminal, the clipboard or a CSV cell.
fn unsafe_to_show(c: char) -> bool {
    c.is_control() || c == '\u{1b}' || is_c1(c) || is_bidi_control(c) || is_zero_width(c)
}

/// Pieces of terminal escape sequences, invisible and context-dependent
/// characters, and ordinary text to glue them to.
const HOSTILE_PIECES: &[&str] = &[
    "\u{1b}",
    "\u{1b}[",
    "\u{1b}]",
    "\u{1b}P",
    "\u{1b}X",
    "\u{1b}^",
    "\u{1b}_",
    "\u{1b}\\",
    "\u{1b}(",
    "\u{1b}]0;title\u{7}",
    "\u{1b}]52;c;ZXZpbA==\u{1b}\\",
    "\u{1b}[2J",
    "\u{1b}[1;31m",
    "\u{7}",
    "\u{9c}",
    "\u{9b}",
    "\u{90}",
    "\u{9d}",
    "\u{9e}",
    "\u{9f}",
    "[",
    "]",
    ";",
    "0",
    "31",
    "m",
    "\\",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\u{b}",
    "\u{c}",
    "\u{85}",
    "\u{2028}",
    "\u{2029}",
    " ",
    "a",
    "Ann",
    "=",
    "+",
    "-",
    "@",
    "王",
    "é",
    "e\u{301}",
    "\u{301}",
    "🎉",
    "👍",
    "\u{1f3fd}",
    "🇫",
    "🇷",
    "\u{2764}",
    "\u{fe0f}",
    "\u{fe0e}",
    "\u{200d}",
    "\u{644}",
    "\u{627}",
    "\u{5d0}",
    "\u{5dc}",
    "\u{1100}",
    "\u{1161}",
    "…",
    "\u{ad}",
    "\u{2066}",
    "\u{202e}",
    "\u{feff}",
    "\u{034f}",
    "\u{115f}",
    "\u{3164}",
    "\u{ffa0}",
    "\u{180b}",
    "\u{1d173}",
    "\u{1bca0}",
    "\u{e0100}",
    "\u{e0041}",
];

/// Strings made mostly of the pieces above, plus any characters at all.
fn hostile_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => prop::sample::select(HOSTILE_PIECES).prop_map(str::to_string),
        1 => proptest::char::range('\u{80}', '\u{9f}').prop_map(String::from),
        1 => proptest::char::range('\u{2000}', '\u{206f}').prop_map(String::from),
        1 => proptest::char::range('\u{0}', '\u{1f}').prop_map(String::from),
        2 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// Any string, or a hostile one.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), hostile_string()]
}

/// A short string of any characters, for model fields (kept small for speed).
fn short_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z][a-z]{0,8}",
        2 => prop::collection::vec(prop::sample::select(HOSTILE_PIECES), 0..5).prop_map(|p| p.concat()),
        1 => prop::collection::vec(any::<char>(), 0..8).prop_map(String::from_iter),
    ]
}

/// The tolerant decoders (src/api/model.rs).
mod decoders {
    use super::*;
    use floktu_tui::api::model::{
        decode_attendees, decode_events, decode_order, decode_orders, parse_check_in, parse_id,
    };
    use floktu_tui::api::{Decoded, Money};
    use serde_json::{Map, Value, json};

    fn number() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (0u64..100).prop_map(Value::from),
            any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number)),
            prop::sample::select(vec![
                0.5,
                -0.0,
                -1.0,
                12.0,
                24.17,
                1e300,
                -1e300,
                9.0e15,
                9.1e15,
                1.8e19,
                f64::MAX,
                f64::MIN_POSITIVE,
                1_795_894_927.0,
            ])
            .prop_map(|f| json!(f)),
        ]
    }

    fn string() -> impl Strategy<Value = Value> {
        prop_oneof![
            prop::sample::select(vec![
                "",
                " ",
                "12",
                " 15 ",
                "-1",
                "1e3",
                "24.17",
                "1,000.00",
                "24,17",
                "0000-00-00 00:00:00",
                "2026-11-28 19:42:07",
                "2026-11-28T19:42:07Z",
                "28/11/2026 19:42",
                "Sat, 28 Nov 2026 19:42:07 +0000",
                "1795894927",
                "99999999999999999999999",
                "confirmed",
                "CANCELLED",
                "null",
                "ann@example.com",
            ])
            .prop_map(Value::from),
            any_text().prop_map(Value::from),
        ]
    }

    /// Keys the decoders look for, and others.
    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => prop::sample::select(vec![
                "id",
                "event_id",
                "order_id",
                "attendee_id",
                "name",
                "title",
                "email",
                "first_name",
                "last_name",
                "events",
                "orders",
                "attendees",
                "attendee_data",
                "answers",
                "question",
                "answer",
                "data",
                "items",
                "results",
                "order",
                "status",
                "order_amount",
                "amount_paid",
                "voucher",
                "ticket",
                "ticket_group",
                "check_in_date",
                "12",
                "15",
                "0",
                "-1",
                " 7 ",
                "18446744073709551616",
            ])
            .prop_map(str::to_string),
            1 => any_text(),
        ]
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![Just(Value::Null), any::<bool>().prop_map(Value::Bool), number(), string()]
    }

    /// Any JSON value, nested a few levels, with keys the decoders care about.
    pub fn json_value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key(), inner), 0..6)
                    .prop_map(|fields| Value::Object(fields.into_iter().collect())),
            ]
        })
    }

    /// An id as servers send it: a number, a numeric string (maybe padded), or
    /// an integral float small enough to be exact.
    fn id_as_sent() -> impl Strategy<Value = (u64, Value)> {
        prop_oneof![
            any::<u64>().prop_map(|id| (id, json!(id))),
            (0u64..1000).prop_map(|id| (id, json!(id))),
            any::<u64>().prop_map(|id| (id, json!(id.to_string()))),
            any::<u64>().prop_map(|id| (id, json!(format!(" {id} ")))),
            // Exact as a float, and under the 9e15 the decoder trusts a float id to.
            (0u64..9_000_000_000_000_000).prop_map(|id| (id, json!(id as f64))),
        ]
    }

    /// A documented field's value: a plausible one, an arbitrary one, or missing.
    fn field(plausible: impl Strategy<Value = Value>) -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            3 => plausible.prop_map(Some),
            2 => json_value().prop_map(Some),
            1 => Just(None),
        ]
    }

    fn object(fields: Vec<(&str, Option<Value>)>) -> Value {
        let map: Map<String, Value> =
            fields.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_string(), v))).collect();
        Value::Object(map)
    }

    fn a_name() -> impl Strategy<Value = Value> {
        "[A-Z][a-z]{0,8}".prop_map(Value::from)
    }

    /// `{id, name}` with the given id and any name.
    fn event_with(id: Value) -> impl Strategy<Value = Value> {
        field(a_name()).prop_map(move |name| object(vec![("id", Some(id.clone())), ("name", name)]))
    }

    /// `{id, email, first_name, last_name}` with the given id.
    fn order_summary_with(id: Value) -> impl Strategy<Value = Value> {
        (field("[a-z]{1,6}@example\\.com".prop_map(Value::from)), field(a_name()), field(a_name())).prop_map(
            move |(email, first, last)| {
                object(vec![
                    ("id", Some(id.clone())),
                    ("email", email),
                    ("first_name", first),
                    ("last_name", last),
                ])
            },
        )
    }

    /// The documented attendee shape with the given id; every other field plausible,
    /// arbitrary or missing.
    fn attendee_with(id: Value) -> impl Strategy<Value = Value> {
        let answers = prop::collection::vec(
            (field(a_name()), field(a_name()))
                .prop_map(|(q, a)| object(vec![("question", q), ("answer", a)])),
            0..3,
        )
        .prop_map(Value::Array);
        (
            field(a_name()),
            field(a_name()),
            field(string()),
            (field(a_name()), field(a_name()), field(a_name())),
            field(answers),
        )
            .prop_map(move |(group, ticket, check_in, (first, last, company), data)| {
                object(vec![
                    ("attendee_id", Some(id.clone())),
                    ("ticket_group", group),
                    ("ticket", ticket),
                    ("check_in_date", check_in),
                    ("attendee_first_name", first),
                    ("attendee_last_name", last),
                    ("attendee_company", company),
                    ("attendee_data", data),
                ])
            })
    }

    /// An amount as servers send it, and what it is: a decimal string, or a JSON number.
    fn amount() -> impl Strategy<Value = (Money, Value)> {
        (-10_000_000i64..10_000_000).prop_flat_map(|cents| {
            let m = Money(cents);
            prop_oneof![Just((m, json!(m.to_string()))), Just((m, json!(cents as f64 / 100.0)))]
        })
    }

    /// The documented order-details shape but for id, attendees and amounts:
    /// every field plausible, arbitrary or missing.
    fn order_fields() -> impl Strategy<Value = Vec<(&'static str, Option<Value>)>> {
        let status = prop::sample::select(vec!["confirmed", "unconfirmed", "cancelled", "Refunded"]);
        (
            field(a_name()),
            field("[a-z]{1,6}@example\\.com".prop_map(Value::from)),
            field(a_name()),
            field(status.prop_map(Value::from)),
        )
            .prop_map(|(name, email, voucher, status)| {
                vec![("name", name), ("email", email), ("voucher", voucher), ("status", status)]
            })
    }

    /// A list of items with these ids (already encoded), made by `item`.
    fn items_with_ids<S: Strategy<Value = Value>>(
        ids: Vec<(u64, Value)>,
        item: impl Fn(Value) -> S,
    ) -> Vec<S> {
        ids.into_iter().map(|(_, v)| item(v)).collect()
    }

    /// How a list is sent: bare, wrapped in an object, or keyed by id.
    #[derive(Clone, Debug)]
    enum Shape {
        Bare,
        Wrapped(&'static str),
        KeyedById,
    }

    fn shape(list_name: &'static str) -> impl Strategy<Value = Shape> {
        prop_oneof![
            2 => Just(Shape::Bare),
            1 => prop::sample::select(vec![list_name, "data", "items", "results", "whatever"]).prop_map(Shape::Wrapped),
            1 => Just(Shape::KeyedById),
        ]
    }

    /// `items` (whose ids are `ids`) sent in `shape`; and the ids the decoder must
    /// find, in the order it will find them.
    fn send(shape: &Shape, ids: &[u64], items: Vec<Value>, id_name: &str) -> (Value, Vec<u64>) {
        match shape {
            Shape::Bare => (Value::Array(items), ids.to_vec()),
            Shape::Wrapped(name) => {
                // With scalar metadata beside the list, as paginating servers add.
                let mut map = Map::new();
                map.insert(name.to_string(), Value::Array(items));
                map.insert("count".into(), json!(ids.len()));
                map.insert("page".into(), Value::Null);
                (Value::Object(map), ids.to_vec())
            }
            Shape::KeyedById => {
                // PHP's `{"12": {...}}`: the key is the id; the item may repeat it or not.
                let mut map = Map::new();
                for (i, (id, mut item)) in ids.iter().zip(items).enumerate() {
                    if i % 2 == 0
                        && let Some(obj) = item.as_object_mut()
                    {
                        obj.remove(id_name);
                    }
                    map.insert(id.to_string(), item);
                }
                let keyed: Vec<u64> = map.keys().filter_map(|k| k.parse().ok()).collect();
                (Value::Object(map), keyed)
            }
        }
    }

    fn ids_of<T>(decoded: &Decoded<T>, id: impl Fn(&T) -> u64) -> Vec<u64> {
        decoded.items.iter().map(id).collect()
    }

    /// Uses everything a decoder returns, the way the views and the CLI do.
    fn touch_order(order: &floktu_tui::api::Order) {
        let _ = order.balance_due();
        let _ = order.order_amount.map(|m| m.to_string());
        for a in &order.attendees {
            let _ = (a.display_name(), a.email_or(&order.email), a.check_in.as_ref().map(|c| c.short()));
        }
    }

    proptest! {
        #![proptest_config(config(256))]

        /// No JSON at all makes a decoder panic; a bare array loses no element:
        /// each one is either decoded or reported as skipped.
        #[test]
        fn decoders_never_panic_and_account_for_every_element(v in json_value()) {
            let events = decode_events(&v);
            let orders = decode_orders(&v);
            let attendees = decode_attendees(&v);
            if let Ok(order) = decode_order(&v) {
                touch_order(&order);
            }
            let _ = Money::from_json(Some(&v));
            let _ = parse_check_in(&v).map(|c| c.short());
            let _ = parse_id(&v);
            for e in &orders.items {
                let _ = e.display_name();
            }
            if let Value::Array(items) = &v {
                let n = items.len();
                prop_assert_eq!(events.items.len() + events.skipped.len(), n);
                prop_assert_eq!(orders.items.len() + orders.skipped.len(), n);
                prop_assert_eq!(attendees.items.len() + attendees.skipped.len(), n);
            }
        }

        /// The same inside the documented order shape: any field may be anything.
        #[test]
        fn an_order_with_any_field_replaced_never_panics(
            id in field(id_as_sent().prop_map(|(_, v)| v)),
            attendees in field(prop::collection::vec(json_value(), 0..4).prop_map(Value::Array)),
            rest in prop::collection::vec((key(), json_value()), 0..4),
        ) {
            let mut v = object(vec![("id", id), ("attendees", attendees.clone())]);
            if let Some(obj) = v.as_object_mut() {
                obj.extend(rest);
            }
            if let Ok(order) = decode_order(&v) {
                touch_order(&order);
                if let Some(Value::Array(items)) = v.get("attendees") {
                    prop_assert_eq!(order.attendees.len() + order.skipped_attendees.len(), items.len());
                }
            }
        }

        /// Events keep their ids (numbers or numeric strings), whatever else is in
        /// them and whichever shape the list comes in.
        #[test]
        fn events_keep_their_ids(
            (ids, items, shape) in prop::collection::vec(id_as_sent(), 0..8).prop_flat_map(|ids| {
                let items = items_with_ids(ids.clone(), event_with);
                (Just(ids), items, shape("events"))
            })
        ) {
            let plain: Vec<u64> = ids.iter().map(|(id, _)| *id).collect();
            let (sent, expected) = send(&shape, &plain, items, "id");
            let decoded = decode_events(&sent);
            prop_assert!(decoded.skipped.is_empty(), "{:?}", decoded.skipped);
            prop_assert_eq!(ids_of(&decoded, |e| e.id), expected);
        }

        /// Order summaries keep their ids.
        #[test]
        fn orders_keep_their_ids(
            (ids, items, shape) in prop::collection::vec(id_as_sent(), 0..8).prop_flat_map(|ids| {
                let items = items_with_ids(ids.clone(), order_summary_with);
                (Just(ids), items, shape("orders"))
            })
        ) {
            let plain: Vec<u64> = ids.iter().map(|(id, _)| *id).collect();
            let (sent, expected) = send(&shape, &plain, items, "id");
            let decoded = decode_orders(&sent);
            prop_assert!(decoded.skipped.is_empty(), "{:?}", decoded.skipped);
            prop_assert_eq!(ids_of(&decoded, |o| o.id), expected);
        }

        /// Attendees keep their ids.
        #[test]
        fn attendees_keep_their_ids(
            (ids, items, shape) in prop::collection::vec(id_as_sent(), 0..8).prop_flat_map(|ids| {
                let items = items_with_ids(ids.clone(), attendee_with);
                (Just(ids), items, shape("attendees"))
            })
        ) {
            let plain: Vec<u64> = ids.iter().map(|(id, _)| *id).collect();
            let (sent, expected) = send(&shape, &plain, items, "attendee_id");
            let decoded = decode_attendees(&sent);
            prop_assert!(decoded.skipped.is_empty(), "{:?}", decoded.skipped);
            prop_assert_eq!(ids_of(&decoded, |a| a.attendee_id), expected);
        }

        /// An order decodes whenever its id does, keeping its id, its attendees'
        /// ids and its amounts exactly.
        #[test]
        fn an_order_keeps_its_id_its_attendees_and_its_amounts(
            (id, attendee_ids, attendees) in (id_as_sent(), prop::collection::vec(id_as_sent(), 0..5))
                .prop_flat_map(|(id, attendee_ids)| {
                    let attendees = items_with_ids(attendee_ids.clone(), attendee_with);
                    (Just(id), Just(attendee_ids), attendees)
                }),
            order_amount in proptest::option::of(amount()),
            amount_paid in proptest::option::of(amount()),
            fields in order_fields(),
        ) {
            let mut all = fields;
            all.push(("id", Some(id.1)));
            all.push(("attendees", Some(Value::Array(attendees))));
            all.push(("order_amount", order_amount.as_ref().map(|(_, v)| v.clone())));
            all.push(("amount_paid", amount_paid.as_ref().map(|(_, v)| v.clone())));
            let v = object(all);
            let order = decode_order(&v);
            prop_assert!(order.is_ok(), "{:?}", order);
            let order = order.unwrap_or_else(|_| unreachable!());
            prop_assert_eq!(order.id, id.0);
            prop_assert!(order.skipped_attendees.is_empty(), "{:?}", order.skipped_attendees);
            let expected: Vec<u64> = attendee_ids.iter().map(|(id, _)| *id).collect();
            let got: Vec<u64> = order.attendees.iter().map(|a| a.attendee_id).collect();
            prop_assert_eq!(got, expected);
            prop_assert_eq!(order.order_amount, order_amount.map(|(m, _)| m), "{}", v);
            prop_assert_eq!(order.amount_paid, amount_paid.map(|(m, _)| m), "{}", v);
        }
    }
}

/// Money: exact, in cents (src/api/model.rs).
mod money {
    use super::*;
    use floktu_tui::api::Money;
    use serde_json::json;

    /// Digits with a comma between groups of three: 1234567 → "1,234,567".
    fn with_thousands(whole: u64) -> String {
        let digits = whole.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    /// Strings made of what amounts are made of, in any order.
    fn amount_like() -> impl Strategy<Value = String> {
        "[ +-]?[0-9,.]{0,24}[ ]?"
    }

    proptest! {
        #![proptest_config(config(256))]

        /// What Money prints, it reads back (every amount but i64::MIN, whose
        /// magnitude has no positive i64).
        #[test]
        fn money_reads_back_what_it_prints(cents in (i64::MIN + 1)..=i64::MAX) {
            prop_assert_eq!(Money::parse(&Money(cents).to_string()), Ok(Money(cents)));
        }

        /// "W.DD" is W*100 + DD cents, with or without a sign, with or without
        /// thousands separators.
        #[test]
        fn whole_and_two_decimals_are_exact(
            whole in prop_oneof![0u64..1000, 0u64..90_000_000_000_000_000],
            frac in 0u64..100,
            negative: bool,
        ) {
            let cents = whole as i64 * 100 + frac as i64;
            let expected = Money(if negative { -cents } else { cents });
            let sign = if negative { "-" } else { "" };
            prop_assert_eq!(Money::parse(&format!("{sign}{whole}.{frac:02}")), Ok(expected));
            prop_assert_eq!(Money::parse(&format!("{sign}{}.{frac:02}", with_thousands(whole))), Ok(expected));
            if !negative {
                prop_assert_eq!(Money::parse(&format!("+{whole}.{frac:02}")), Ok(expected));
            }
        }

        /// A third decimal rounds half away from zero.
        #[test]
        fn a_third_decimal_rounds_half_away_from_zero(
            whole in 0u64..1_000_000_000,
            frac in 0u64..100,
            third in 0u64..10,
            noise in "[0-9]{0,6}",
            negative: bool,
        ) {
            let cents = whole as i64 * 100 + frac as i64 + i64::from(third >= 5);
            let sign = if negative { "-" } else { "" };
            let parsed = Money::parse(&format!("{sign}{whole}.{frac:02}{third}{noise}"));
            prop_assert_eq!(parsed, Ok(Money(if negative { -cents } else { cents })));
        }

        /// A JSON number with two decimals is read exactly, not through f64 arithmetic.
        #[test]
        fn a_json_number_is_exact(cents in -1_000_000_000_000i64..1_000_000_000_000) {
            let v = json!(cents as f64 / 100.0);
            prop_assert_eq!(Money::from_json(Some(&v)), Ok(Some(Money(cents))), "{}", v);
        }

        /// No string panics the parser, and whatever it accepts prints as an
        /// amount it reads back the same.
        #[test]
        fn any_string_parses_or_is_rejected(s in prop_oneof![amount_like(), any_text()]) {
            if let Ok(m) = Money::parse(&s) {
                prop_assert_eq!(Money::parse(&m.to_string()), Ok(m), "{:?}", s);
            }
        }
    }
}

/// Untrusted text made safe to show (src/text.rs).
mod text {
    use super::*;
    use floktu_tui::text::{csv_cell, pad, sanitize, truncate, width};

    /// Text with nothing to remove: letters, digits, punctuation, symbols, spaces.
    fn printable() -> impl Strategy<Value = String> {
        // Letters include the Hangul fillers, which are invisible.
        let visible = |s: String| s.chars().filter(|&c| !is_zero_width(c)).collect::<String>();
        prop_oneof!["[ -~]{0,40}", "[\\p{L}\\p{N}\\p{P}\\p{S} ]{0,40}".prop_map(visible)]
    }

    proptest! {
        #![proptest_config(config(256))]

        /// Nothing that moves the cursor, rings, reorders or hides text survives.
        #[test]
        fn sanitized_text_is_safe_to_show(s in any_text()) {
            let clean = sanitize(&s);
            let bad: Vec<char> = clean.chars().filter(|&c| unsafe_to_show(c)).collect();
            prop_assert!(bad.is_empty(), "{:?} → {:?} keeps {:?}", s, clean, bad);
        }

        /// Sanitizing twice changes nothing more.
        #[test]
        fn sanitize_is_idempotent(s in any_text()) {
            let once = sanitize(&s).into_owned();
            prop_assert_eq!(sanitize(&once).into_owned(), once);
        }

        /// Plain printable text is left exactly as it is.
        #[test]
        fn printable_text_is_unchanged(s in printable()) {
            prop_assert_eq!(sanitize(&s).into_owned(), s);
        }

        /// A cell padded to n columns takes n columns, and a cut one at most n:
        /// what the layout assumed is what the terminal shows.
        #[test]
        fn padded_and_truncated_text_takes_the_columns_the_layout_assumed(
            s in prop_oneof![any_text(), printable()],
            n in 0usize..200,
        ) {
            let clean = sanitize(&s);
            let padded = pad(&clean, n);
            prop_assert_eq!(width(&padded), n, "pad({:?}, {}) = {:?}", clean, n, padded);
            let cut = truncate(&clean, n);
            prop_assert!(width(&cut) <= n, "truncate({:?}, {}) = {:?}", clean, n, cut);
        }

        /// A CSV cell never starts like a formula, and carries nothing unsafe.
        #[test]
        fn a_csv_cell_is_never_a_formula(s in prop_oneof![any_text(), "[=+@-].{0,10}"]) {
            let cell = csv_cell(&s);
            prop_assert!(!cell.starts_with(['=', '+', '-', '@']), "{:?} → {:?}", s, cell);
            prop_assert!(!cell.chars().any(unsafe_to_show), "{:?} → {:?}", s, cell);
        }
    }
}

/// Reading the OAuth redirect the user pasted (src/auth/loopback.rs).
mod pasted_redirect {
    use super::*;
    use floktu_tui::auth::loopback::{CallbackError, read_pasted};

    /// An authorization code as servers issue them: URL-safe, non-empty.
    fn code() -> impl Strategy<Value = String> {
        "[A-Za-z0-9._~-]{1,64}"
    }

    /// Every byte as %XX.
    fn percent_all(s: &str) -> String {
        s.bytes().map(|b| format!("%{b:02X}")).collect()
    }

    /// Form encoding (what browsers send), or every byte percent-encoded.
    fn encode(s: &str, every_byte: bool) -> String {
        if every_byte { percent_all(s) } else { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() }
    }

    /// Parameters other than code, state and error.
    fn extra_params() -> impl Strategy<Value = Vec<(String, String)>> {
        prop::collection::vec(
            (
                any_text().prop_filter("not a parameter read", |k| {
                    !["code", "state", "error"].contains(&k.as_str())
                }),
                any_text(),
            ),
            0..4,
        )
    }

    /// The state the redirect carries: the expected one, another, or none.
    #[derive(Clone, Debug)]
    enum Sent {
        Expected,
        Other(String),
        Missing,
    }

    proptest! {
        #![proptest_config(config(256))]

        /// Nothing pasted panics the reader.
        #[test]
        fn reading_any_paste_never_panics(
            input in prop_oneof![any_text(), any_text().prop_map(|s| format!("http://127.0.0.1:8765/cb?{s}")), any_text().prop_map(|s| format!("?code={s}"))],
            state in any_text(),
        ) {
            let _ = read_pasted(&input, &state);
        }

        /// A pasted redirect gives its code exactly when its state is the one this
        /// login sent, whatever else it carries, in any order, however encoded.
        #[test]
        fn a_pasted_redirect_gives_its_code_only_with_the_expected_state(
            code in code(),
            expected in any_text(),
            sent in prop_oneof![2 => Just(Sent::Expected), 1 => any_text().prop_map(Sent::Other), 1 => Just(Sent::Missing)],
            params in extra_params(),
            every_byte in any::<bool>(),
            order in prop::collection::vec(any::<u32>(), 8),
            port in 1u16..=65535,
            host in prop::sample::select(vec!["127.0.0.1", "localhost"]),
            padding in "[ \t\n]{0,2}",
        ) {
            let state = match &sent {
                Sent::Expected => Some(expected.clone()),
                Sent::Other(s) => Some(s.clone()),
                Sent::Missing => None,
            };
            let mut pairs: Vec<String> = params
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k, every_byte), encode(v, every_byte)))
                .collect();
            pairs.push(format!("code={}", encode(&code, every_byte)));
            if let Some(s) = &state {
                pairs.push(format!("state={}", encode(s, every_byte)));
            }
            // Parameters come in any order.
            let mut keyed: Vec<(u32, String)> = order.into_iter().zip(pairs).collect();
            keyed.sort();
            let pairs: Vec<String> = keyed.into_iter().map(|(_, p)| p).collect();
            let url = format!("{padding}http://{host}:{port}/callback?{}{padding}", pairs.join("&"));
            let want = if state.as_deref() == Some(expected.as_str()) {
                Ok(code.clone())
            } else {
                Err(CallbackError::StateMismatch)
            };
            prop_assert_eq!(read_pasted(&url, &expected), want.clone(), "{}", url);
            // The query string alone says the same.
            let query = format!("?{}", pairs.join("&"));
            prop_assert_eq!(read_pasted(&query, &expected), want, "{}", query);
        }

        /// A bare code is taken as it is.
        #[test]
        fn a_bare_code_is_taken_as_it_is(code in code(), state in any_text()) {
            prop_assert_eq!(read_pasted(&code, &state), Ok(code.clone()));
        }

        /// So is anything without spaces that cannot be an address or a query
        /// string (no `:`, no `code=`/`state=`).
        #[test]
        fn any_one_word_that_is_not_an_address_is_taken_as_the_code(
            word in "[^\\s\\p{Cc}:]{1,80}".prop_filter("not a query", |w| !w.contains("code=") && !w.contains("state=")),
            state in any_text(),
        ) {
            prop_assert_eq!(read_pasted(&word, &state), Ok(word.clone()));
        }
    }
}

/// `update` driven by random messages: whatever the user presses and whatever
/// comes back, in whatever order, the model stays consistent (src/tui/update).
mod update_model {
    use std::collections::BTreeSet;
    use std::time::Duration;

    use super::support;
    use super::*;
    use floktu_tui::api::{
        self, Answer, Attendee, CheckIn, Decoded, Event, Money, Order, OrderSummary, Skipped, Status,
    };
    use floktu_tui::guestlist::{GuestList, LoadEvent, Throttle};
    use floktu_tui::tui::app::{App, LoginForm, LoginPhase, ReqId, Screen};
    use floktu_tui::tui::msg::{Action, Command, LoginStart, Msg};
    use floktu_tui::tui::update::{init, settle, update};
    use floktu_tui::tui::view;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    /// Which request a result answers, chosen when it is sent: one the model
    /// waits for, any one issued so far (mostly stale), or any number at all.
    #[derive(Clone, Debug)]
    enum Req {
        Awaited(usize),
        Issued(usize),
        Raw(u64),
    }

    /// A login attempt, a detail pause or an event: the current one, or any.
    #[derive(Clone, Debug)]
    enum Tag {
        Current,
        Raw(u64),
    }

    #[derive(Clone, Debug)]
    enum Step {
        Action(Action),
        Resize(u16, u16),
        Tick,
        Events(Req, Result<Decoded<Event>, api::Error>),
        EventsOffline(Req, Vec<Event>, api::Error),
        Orders(Req, Tag, Result<Decoded<OrderSummary>, api::Error>),
        /// An order's details; `true`: the body's id is the one asked for.
        Order(Req, bool, Result<Order, api::Error>),
        DetailDue(Tag),
        GuestsCached(Req, Option<Vec<Order>>),
        Guest(Req, LoadEvent),
        LoginStarted(Tag, Result<LoginStart, String>),
        LoginCode(Tag, Result<String, String>),
        LoggedIn(Tag, Result<String, String>),
        LoggedOut(Result<String, String>),
        Exported(Result<String, String>),
        Copied(Result<String, String>),
        /// The user completes a login on the login screen: Enter on the client
        /// fields, then the handoff's answers, each for the current attempt.
        LogIn,
        /// What the loop does after a batch of messages.
        Settle,
        /// Settle, then draw into a terminal of this size.
        Render(u16, u16),
    }

    fn req() -> impl Strategy<Value = Req> {
        prop_oneof![
            4 => (0usize..8).prop_map(Req::Awaited),
            2 => (0usize..64).prop_map(Req::Issued),
            1 => prop_oneof![0u64..40, Just(u64::MAX)].prop_map(Req::Raw),
        ]
    }

    fn tag() -> impl Strategy<Value = Tag> {
        prop_oneof![4 => Just(Tag::Current), 1 => (0u64..20).prop_map(Tag::Raw)]
    }

    fn text_result() -> impl Strategy<Value = Result<String, String>> {
        prop_oneof![short_text().prop_map(Ok), short_text().prop_map(Err)]
    }

    fn error() -> impl Strategy<Value = api::Error> {
        let dur = (0u64..100).prop_map(Duration::from_secs);
        prop_oneof![
            1 => short_text().prop_map(api::Error::Unauthorized),
            2 => short_text().prop_map(api::Error::NotFound),
            2 => proptest::option::of(dur.clone()).prop_map(|retry_after| api::Error::RateLimited { retry_after }),
            2 => (any::<u16>(), short_text()).prop_map(|(status, message)| api::Error::Server { status, message }),
            2 => (short_text(), short_text()).prop_map(|(message, excerpt)| api::Error::Decode { message, excerpt }),
            2 => dur.prop_map(api::Error::Timeout),
            2 => short_text().prop_map(api::Error::Network),
            1 => any::<usize>().prop_map(|limit| api::Error::TooLarge { limit }),
            1 => short_text().prop_map(api::Error::Config),
        ]
    }

    /// Ids from a small range, so that lists share them, and now and then any.
    fn id(small: std::ops::Range<u64>) -> impl Strategy<Value = u64> {
        prop_oneof![8 => small, 1 => any::<u64>()]
    }

    fn event() -> impl Strategy<Value = Event> {
        (id(10..18), short_text()).prop_map(|(id, name)| Event { id, name })
    }

    fn order_summary() -> impl Strategy<Value = OrderSummary> {
        (id(1..9), short_text(), short_text(), short_text())
            .prop_map(|(id, email, first_name, last_name)| OrderSummary { id, email, first_name, last_name })
    }

    fn attendee() -> impl Strategy<Value = Attendee> {
        let answer =
            (prop_oneof![Just("Email".to_string()), short_text()], proptest::option::of(short_text()))
                .prop_map(|(question, answer)| Answer { question, answer });
        (
            id(500..510),
            (short_text(), short_text(), proptest::option::of(short_text())),
            (proptest::option::of(short_text()), short_text()),
            proptest::option::of(short_text().prop_map(|raw| CheckIn { raw, at: None })),
            prop::collection::vec(answer, 0..2),
        )
            .prop_map(
                |(
                    attendee_id,
                    (first_name, last_name, company),
                    (ticket_group, ticket),
                    check_in,
                    answers,
                )| {
                    Attendee {
                        attendee_id,
                        ticket_group,
                        ticket,
                        check_in,
                        first_name,
                        last_name,
                        company,
                        answers,
                    }
                },
            )
    }

    fn order() -> impl Strategy<Value = Order> {
        let status = prop::sample::select(vec![
            Status::Unconfirmed,
            Status::Confirmed,
            Status::Cancelled,
            Status::Other,
        ]);
        let money = proptest::option::of(any::<i64>().prop_map(Money));
        (
            id(1..9),
            (short_text(), short_text(), proptest::option::of(short_text())),
            (money.clone(), money, status),
            prop::collection::vec(attendee(), 0..4),
        )
            .prop_map(
                |(id, (name, email, voucher), (order_amount, amount_paid, status), attendees)| Order {
                    id,
                    name,
                    email,
                    order_amount,
                    amount_paid,
                    voucher,
                    status,
                    attendees,
                    skipped_attendees: Vec::new(),
                },
            )
    }

    fn decoded<T: std::fmt::Debug>(item: impl Strategy<Value = T>) -> impl Strategy<Value = Decoded<T>> {
        let skipped = (short_text(), short_text()).prop_map(|(at, reason)| Skipped { at, reason });
        (prop::collection::vec(item, 0..7), prop::collection::vec(skipped, 0..2))
            .prop_map(|(items, skipped)| Decoded { items, skipped })
    }

    fn load_event() -> impl Strategy<Value = LoadEvent> {
        prop_oneof![
            2 => prop::collection::vec(id(1..9), 0..6)
                .prop_map(|order_ids| LoadEvent::Orders { order_ids, skipped: Vec::new() }),
            4 => order().prop_map(|o| LoadEvent::Order(Box::new(o))),
            1 => (id(1..9), error()).prop_map(|(order_id, error)| LoadEvent::Failed { order_id, error }),
            1 => (0usize..8, proptest::option::of((0u64..30).prop_map(Duration::from_secs)))
                .prop_map(|(limit, wait)| LoadEvent::Throttled(Throttle { limit, wait })),
            1 => error().prop_map(LoadEvent::ListFailed),
            2 => Just(LoadEvent::Done),
        ]
    }

    fn login_start() -> impl Strategy<Value = LoginStart> {
        // The URL is built by floktu itself, so it is encoded; the rest is any text.
        (short_text(), proptest::option::of(short_text()), any::<bool>()).prop_map(
            |(state, not_listening, browser_opened)| LoginStart {
                url: url::Url::parse_with_params("https://floktu.com/api/v2/authorize", [("state", &state)])
                    .map(String::from)
                    .unwrap_or_default(),
                state,
                redirect_uri: "http://127.0.0.1:8765/callback".into(),
                not_listening,
                browser_opened,
            },
        )
    }

    /// A character typed: one of the fixture's names and emails (so that filters
    /// keep matching something), a digit (what scanners type), or any.
    fn typed() -> impl Strategy<Value = char> {
        prop_oneof![
            3 => prop::sample::select("anbolecyxm@.".chars().collect::<Vec<char>>()),
            2 => proptest::char::range('0', '9'),
            1 => any::<char>(),
        ]
    }

    fn action() -> impl Strategy<Value = Action> {
        use Action::*;
        prop_oneof![
            6 => Just(Up),
            6 => Just(Down),
            4 => prop::sample::select(vec![PageUp, PageDown, HalfPageUp, HalfPageDown, Top, Bottom]),
            8 => prop::sample::select(vec![Open, Back]),
            6 => prop::sample::select(vec![FilterStart, FilterBackspace, FilterAccept, FilterClear]),
            6 => typed().prop_map(FilterChar),
            2 => any_text().prop_map(Paste),
            4 => prop::sample::select(vec![CopyOne, CopyAll, Refresh, RefreshAll, Help, Export]),
            1 => prop::sample::select(vec![Quit, Logout]),
            4 => prop::sample::select(vec![ToggleAttendees, Door]),
            6 => typed().prop_map(DoorChar),
            4 => prop::sample::select(vec![DoorBackspace, DoorSubmit, DoorEscape, DoorPrivacy]),
            3 => typed().prop_map(LoginChar),
            3 => prop::sample::select(vec![
                LoginBackspace,
                LoginNextField,
                LoginPrevField,
                LoginSubmit,
                LoginCopyUrl,
                LoginEscape,
            ]),
        ]
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            24 => action().prop_map(Step::Action),
            1 => (any::<u16>(), any::<u16>()).prop_map(|(w, h)| Step::Resize(w, h)),
            2 => (0u16..200, 0u16..60).prop_map(|(w, h)| Step::Resize(w, h)),
            1 => Just(Step::Tick),
            2 => (req(), prop_oneof![3 => decoded(event()).prop_map(Ok), 1 => error().prop_map(Err)])
                .prop_map(|(r, result)| Step::Events(r, result)),
            1 => (req(), prop::collection::vec(event(), 0..4), error())
                .prop_map(|(r, events, e)| Step::EventsOffline(r, events, e)),
            3 => (req(), tag(), prop_oneof![3 => decoded(order_summary()).prop_map(Ok), 1 => error().prop_map(Err)])
                .prop_map(|(r, t, result)| Step::Orders(r, t, result)),
            4 => (req(), prop::bool::weighted(0.9), prop_oneof![3 => order().prop_map(Ok), 1 => error().prop_map(Err)])
                .prop_map(|(r, same, result)| Step::Order(r, same, result)),
            3 => tag().prop_map(Step::DetailDue),
            1 => (req(), proptest::option::of(prop::collection::vec(order(), 0..4)))
                .prop_map(|(r, list)| Step::GuestsCached(r, list)),
            6 => (req(), load_event()).prop_map(|(r, e)| Step::Guest(r, e)),
            1 => (tag(), prop_oneof![3 => login_start().prop_map(Ok), 1 => short_text().prop_map(Err)])
                .prop_map(|(t, result)| Step::LoginStarted(t, result)),
            1 => (tag(), text_result()).prop_map(|(t, result)| Step::LoginCode(t, result)),
            1 => (tag(), text_result()).prop_map(|(t, result)| Step::LoggedIn(t, result)),
            1 => text_result().prop_map(Step::LoggedOut),
            1 => text_result().prop_map(Step::Exported),
            1 => text_result().prop_map(Step::Copied),
            1 => Just(Step::LogIn),
            3 => Just(Step::Settle),
            2 => (0u16..=220, 0u16..=70).prop_map(|(w, h)| Step::Render(w, h)),
        ]
    }

    /// Where the sequence starts.
    #[derive(Clone, Copy, Debug)]
    enum Start {
        /// Just started: the events are loading.
        Fresh,
        /// Event 12 open with its orders, a detail and the guest list loaded.
        Loaded,
        /// The same, in door mode.
        Door,
        /// The login screen, with nothing to go back to.
        Login,
    }

    fn start_app(start: Start) -> App {
        let mut app = match start {
            Start::Fresh => {
                let mut app = App::new("floktu.com".into(), false);
                init(&mut app);
                app
            }
            Start::Loaded | Start::Door => support::with_everything_loaded(),
            Start::Login => {
                let mut app = App::new("floktu.com".into(), false);
                app.screen = Screen::Login;
                app
            }
        };
        let (id, secret) = (app.login.client_id.clone(), app.login.client_secret.clone());
        if id.is_empty() && secret.is_empty() {
            app.login = LoginForm::new(Some("client-1".into()), Some("s3cr3t".into()));
        }
        if let Start::Door = start {
            support::act(&mut app, Action::Door);
        }
        app
    }

    /// What the test knows about the requests `update` asked for.
    struct Ledger {
        /// Every request id any command carried (or that was in flight at the start).
        issued: Vec<ReqId>,
        /// Requests a `Cancel` stopped.
        cancelled: BTreeSet<ReqId>,
        /// Every request id issued so far is below this.
        next_fresh: ReqId,
        /// The highest login attempt a StartLogin or UseToken carried.
        last_attempt: u64,
        /// Login attempts with a command in flight (StartLogin, ExchangeCode, UseToken).
        login_commands: BTreeSet<u64>,
    }

    impl Ledger {
        fn new(app: &mut App) -> Ledger {
            // Every id handed out so far is below the next one.
            let next_fresh = app.next_req();
            Ledger {
                issued: awaited(app),
                cancelled: BTreeSet::new(),
                next_fresh,
                last_attempt: app.login.attempt,
                login_commands: BTreeSet::new(),
            }
        }

        fn pick(&self, r: &Req, awaited: Option<ReqId>) -> ReqId {
            match r {
                Req::Awaited(_) if awaited.is_some() => awaited.unwrap_or(ReqId(0)),
                Req::Awaited(i) | Req::Issued(i) => {
                    self.issued.get(i % self.issued.len().max(1)).copied().unwrap_or(ReqId(*i as u64))
                }
                Req::Raw(n) => ReqId(*n),
            }
        }
    }

    /// Every request the model waits for, in any pane.
    fn awaited(app: &App) -> Vec<ReqId> {
        let mut all: Vec<ReqId> =
            [app.events.items.awaited(), app.orders.items.awaited()].into_iter().flatten().collect();
        all.extend(app.awaited_details());
        all.extend(app.guests.as_ref().and_then(|g| g.awaited()));
        all
    }

    fn tagged(t: &Tag, current: u64) -> u64 {
        match t {
            Tag::Current => current,
            Tag::Raw(n) => *n,
        }
    }

    /// The message a step sends, with its request id resolved against the model now.
    fn message(step: Step, app: &App, ledger: &Ledger) -> Option<Msg> {
        let open = app.open_event.as_ref().map(|e| e.id);
        let guests = app.guests.as_ref().and_then(|g| g.awaited());
        Some(match step {
            Step::Action(a) => Msg::Action(a),
            Step::Resize(width, height) => Msg::Resize { width, height },
            Step::Tick => Msg::Tick,
            Step::Events(r, result) => {
                Msg::EventsLoaded { req: ledger.pick(&r, app.events.items.awaited()), result }
            }
            Step::EventsOffline(r, events, error) => {
                Msg::EventsOffline { req: ledger.pick(&r, app.events.items.awaited()), events, error }
            }
            Step::Orders(r, t, result) => Msg::OrdersLoaded {
                req: ledger.pick(&r, app.orders.items.awaited()),
                event_id: tagged(&t, open.unwrap_or(12)),
                result,
            },
            Step::Order(r, same, result) => {
                let mut waiting: Vec<((u64, u64), ReqId)> =
                    app.details.iter().filter_map(|(k, d)| d.awaited().map(|r| (*k, r))).collect();
                waiting.sort();
                let (key, req) = match (&r, waiting.is_empty()) {
                    (Req::Awaited(i), false) => waiting[i % waiting.len()],
                    _ => {
                        let key = app.shown_order().unwrap_or((12, 1));
                        (key, ledger.pick(&r, None))
                    }
                };
                let result = result.map(|mut o| {
                    if same {
                        o.id = key.1;
                    }
                    o
                });
                Msg::OrderLoaded { req, event_id: key.0, order_id: key.1, result }
            }
            Step::DetailDue(t) => Msg::DetailDue { seq: tagged(&t, app.detail_seq) },
            Step::GuestsCached(r, orders) => {
                let event_id = app.guests.as_ref().map_or(12, |g| g.event_id);
                let list = orders.map(|orders| {
                    let mut list = GuestList::new(event_id);
                    list.set_order_list(orders.iter().map(|o| o.id).collect());
                    for o in orders {
                        list.add_order(o);
                    }
                    list.mark_done();
                    Box::new(list)
                });
                Msg::GuestsCached { req: ledger.pick(&r, guests), list }
            }
            Step::Guest(r, event) => Msg::GuestEvent { req: ledger.pick(&r, guests), event },
            Step::LoginStarted(t, result) => {
                Msg::LoginStarted { attempt: tagged(&t, app.login.attempt), result }
            }
            Step::LoginCode(t, result) => Msg::LoginCode { attempt: tagged(&t, app.login.attempt), result },
            Step::LoggedIn(t, result) => Msg::LoggedIn { attempt: tagged(&t, app.login.attempt), result },
            Step::LoggedOut(result) => Msg::LoggedOut { result },
            Step::Exported(result) => Msg::Exported { result },
            Step::Copied(result) => Msg::Copied { result },
            Step::LogIn | Step::Settle | Step::Render(..) => return None,
        })
    }

    /// "Every command tagged": each request a command starts carries a fresh id
    /// (above every id issued before; never reused), and after the step the pane
    /// it is for awaits exactly that id, so its answer will be taken and a stale
    /// one dropped. A `Cancel` names a request that was issued. Login commands
    /// carry the attempt the form is on, and a new attempt is above every earlier one.
    fn check_commands(app: &App, ledger: &mut Ledger, commands: &[Command]) -> Result<(), TestCaseError> {
        let floor = ledger.next_fresh;
        let mut this_step: Vec<ReqId> = Vec::new();
        let mut fresh = |req: ReqId, ledger: &mut Ledger| -> Result<(), TestCaseError> {
            prop_assert!(req >= floor, "{:?} reuses an id below {:?}: {:?}", req, floor, commands);
            prop_assert!(!this_step.contains(&req), "{:?} twice: {:?}", req, commands);
            this_step.push(req);
            ledger.issued.push(req);
            ledger.next_fresh = ledger.next_fresh.max(ReqId(req.0 + 1));
            Ok(())
        };
        for c in commands {
            match c {
                Command::FetchEvents { req } => {
                    fresh(*req, ledger)?;
                    prop_assert_eq!(app.events.items.awaited(), Some(*req), "{:?}", commands);
                }
                Command::FetchOrders { req, event_id } => {
                    fresh(*req, ledger)?;
                    prop_assert_eq!(app.orders.items.awaited(), Some(*req), "{:?}", commands);
                    prop_assert_eq!(app.open_event.as_ref().map(|e| e.id), Some(*event_id));
                }
                Command::FetchOrder { req, event_id, order_id } => {
                    fresh(*req, ledger)?;
                    let awaits = app.details.get(&(*event_id, *order_id)).and_then(|d| d.awaited());
                    prop_assert_eq!(awaits, Some(*req), "{:?}", commands);
                }
                Command::LoadGuests { req, event_id, .. } | Command::RetryGuests { req, event_id, .. } => {
                    fresh(*req, ledger)?;
                    let g = app.guests.as_ref();
                    prop_assert_eq!(g.and_then(|g| g.awaited()), Some(*req), "{:?}", commands);
                    prop_assert_eq!(g.map(|g| g.event_id), Some(*event_id));
                }
                Command::Cancel(req) => {
                    prop_assert!(ledger.issued.contains(req), "cancels {req:?}, never issued: {commands:?}");
                    ledger.cancelled.insert(*req);
                }
                Command::StartLogin { attempt, .. } | Command::UseToken { attempt, .. } => {
                    prop_assert!(*attempt > ledger.last_attempt, "attempt {attempt} reused: {commands:?}");
                    prop_assert_eq!(*attempt, app.login.attempt);
                    ledger.last_attempt = *attempt;
                    ledger.login_commands.insert(*attempt);
                }
                Command::ExchangeCode { attempt, .. } => {
                    prop_assert_eq!(*attempt, app.login.attempt);
                    prop_assert_eq!(&app.login.phase, &LoginPhase::Finishing);
                    ledger.login_commands.insert(*attempt);
                }
                Command::DetailAfter { seq, .. } => prop_assert_eq!(*seq, app.detail_seq),
                Command::Copy { text, .. } => {
                    prop_assert!(!text.chars().any(|c| c != '\n' && unsafe_to_show(c)), "copies {text:?}");
                }
                Command::Export { headers, rows, .. } => {
                    prop_assert!(!rows.is_empty(), "an empty export");
                    prop_assert!(rows.iter().all(|r| r.len() == headers.len()), "ragged export: {:?}", c);
                }
                Command::StopLogin | Command::Logout { .. } | Command::SaveGuests(_) => {}
            }
        }
        Ok(())
    }

    /// `selected < len`, or both 0.
    fn in_range(what: &str, selected: usize, len: usize) -> Result<(), TestCaseError> {
        prop_assert!(selected < len || (selected == 0 && len == 0), "{what}: selected {selected} of {len}");
        Ok(())
    }

    /// What holds after every step.
    fn check_model(app: &App, ledger: &Ledger) -> Result<(), TestCaseError> {
        in_range("events", app.events.selected, app.events.visible_len())?;
        in_range("orders", app.orders.selected, app.orders.visible_len())?;
        in_range("attendees", app.attendees.selected, app.attendees.visible_len())?;
        if let Some(g) = &app.guests {
            in_range("door", g.door.selected, g.door.results.len())?;
            // The attendees filter and the door's matches are brought up to date by
            // `settle`, which the loop runs before every frame.
            if !g.stale {
                in_range("guests", g.selected, g.visible_len())?;
                let len = g.shown.as_ref().map_or(0, GuestList::len);
                prop_assert!(
                    g.door.results.iter().all(|&i| i < len),
                    "door results {:?} of {len}",
                    g.door.results
                );
                prop_assert!(g.visible().iter().all(|&i| i < len), "guests {:?} of {len}", g.visible());
            }
        }
        // The attendees pane, when built from an order, shows that order: the
        // one highlighted, as loaded.
        if let Some(key) = app.attendees_of {
            prop_assert_eq!(Some(key), app.shown_order(), "attendees of an order not shown");
            let loaded = app.details.get(&key).and_then(|d| d.loaded());
            let ids = |a: &[Attendee]| a.iter().map(|a| a.attendee_id).collect::<Vec<_>>();
            prop_assert_eq!(
                loaded.map(|o| ids(&o.attendees)),
                Some(ids(app.attendees.all())),
                "attendees pane out of step with order {:?}",
                key
            );
        }
        // No pane waits for an answer that will never come.
        let waiting = awaited(app);
        for req in &waiting {
            prop_assert!(ledger.issued.contains(req), "waits for {req:?}, never asked for");
            prop_assert!(!ledger.cancelled.contains(req), "waits for {req:?}, cancelled");
        }
        let distinct: BTreeSet<ReqId> = waiting.iter().copied().collect();
        prop_assert_eq!(distinct.len(), waiting.len(), "two panes wait for one request: {:?}", waiting);
        // The spinner turns exactly while something is on its way.
        match app.screen {
            Screen::Login => {
                prop_assert_eq!(app.is_busy(), app.login.phase != LoginPhase::Idle);
                if matches!(app.login.phase, LoginPhase::Starting | LoginPhase::Finishing) {
                    prop_assert!(
                        ledger.login_commands.contains(&app.login.attempt),
                        "login {:?} for attempt {} that nothing works on",
                        app.login.phase,
                        app.login.attempt
                    );
                }
            }
            Screen::Browse | Screen::Door => {
                if app.is_busy() {
                    prop_assert!(!waiting.is_empty(), "busy with nothing in flight");
                }
                let loading = app.events.items.is_loading()
                    || app.orders.items.is_loading()
                    || app.guests.as_ref().is_some_and(|g| g.is_loading());
                prop_assert!(!loading || app.is_busy(), "loading, yet not busy");
            }
        }
        Ok(())
    }

    /// Draws the app; the screen must hold nothing a terminal would act on.
    fn render(app: &App, width: u16, height: u16) -> Result<(), TestCaseError> {
        let mut terminal = Terminal::new(TestBackend::new(width, height))
            .map_err(|e| TestCaseError::fail(format!("terminal: {e}")))?;
        terminal.draw(|f| view::render(app, f)).map_err(|e| TestCaseError::fail(format!("draw: {e}")))?;
        for cell in terminal.backend().buffer().content() {
            let symbol = cell.symbol();
            prop_assert!(!symbol.chars().any(unsafe_to_show), "the screen shows {symbol:?}");
        }
        Ok(())
    }

    fn run(start: Start, steps: Vec<Step>) -> Result<(), TestCaseError> {
        let mut app = start_app(start);
        let mut ledger = Ledger::new(&mut app);
        check_model(&app, &ledger)?;
        for step in steps {
            match step {
                Step::Settle => settle(&mut app),
                Step::Render(width, height) => {
                    settle(&mut app);
                    render(&app, width, height)?;
                }
                Step::LogIn => {
                    let attempt = app.login.attempt + 1;
                    let start = LoginStart {
                        url: "https://floktu.com/api/v2/authorize?state=s1".into(),
                        state: "s1".into(),
                        redirect_uri: "http://127.0.0.1:8765/callback".into(),
                        not_listening: None,
                        browser_opened: true,
                    };
                    for msg in [
                        Msg::Action(Action::LoginSubmit),
                        Msg::LoginStarted { attempt, result: Ok(start) },
                        Msg::LoginCode { attempt, result: Ok("code".into()) },
                        Msg::LoggedIn { attempt, result: Ok("stored in the keyring".into()) },
                    ] {
                        let commands = update(&mut app, msg);
                        check_commands(&app, &mut ledger, &commands)?;
                        check_model(&app, &ledger)?;
                    }
                }
                step => {
                    let Some(msg) = message(step, &app, &ledger) else { continue };
                    let commands = update(&mut app, msg);
                    check_commands(&app, &mut ledger, &commands)?;
                }
            }
            check_model(&app, &ledger)?;
        }
        settle(&mut app);
        check_model(&app, &ledger)?;
        render(&app, 100, 30)
    }

    fn start() -> impl Strategy<Value = Start> {
        prop_oneof![2 => Just(Start::Fresh), 3 => Just(Start::Loaded), 3 => Just(Start::Door), 1 => Just(Start::Login)]
    }

    proptest! {
        #![proptest_config(config(256))]

        /// Any sequence of keys and answers keeps the model consistent (see
        /// `check_commands` and `check_model`), and it always draws safely.
        #[test]
        fn update_keeps_the_model_consistent(start in start(), steps in prop::collection::vec(step(), 0..200)) {
            run(start, steps)?;
        }
    }
}

/// The smallest cases the properties above found, kept as plain tests.
mod found {
    use super::support::{act, with_everything_loaded};
    use floktu_tui::text::sanitize;
    use floktu_tui::tui::msg::{Action, Command, Msg};
    use floktu_tui::tui::update::update;

    /// Door mode on event 12, "l" typed (every guest is a Lee), the second match highlighted.
    fn door_with_the_second_match_highlighted() -> floktu_tui::tui::app::App {
        let mut app = with_everything_loaded();
        act(&mut app, Action::Door);
        act(&mut app, Action::DoorChar('l'));
        act(&mut app, Action::Down);
        let door = &app.guests.as_ref().expect("guests").door;
        assert_eq!((door.selected, door.results.len()), (1, 3));
        app
    }

    #[test]
    fn clearing_the_door_input_also_clears_the_highlighted_match() {
        let mut app = door_with_the_second_match_highlighted();
        act(&mut app, Action::DoorEscape);
        let door = &app.guests.as_ref().expect("guests").door;
        assert!(door.results.is_empty());
        assert_eq!(door.selected, 0);
    }

    #[test]
    fn enter_at_the_door_right_after_the_list_shrank_does_not_panic() {
        let mut app = door_with_the_second_match_highlighted();
        let commands = act(&mut app, Action::Refresh);
        let req = commands
            .iter()
            .find_map(|c| match c {
                Command::LoadGuests { req, .. } => Some(*req),
                _ => None,
            })
            .expect("a reload");
        // The cache answers with an empty list, and Enter comes in the same batch
        // (no frame, so no `settle`, in between).
        let empty = floktu_tui::guestlist::GuestList::new(12);
        update(&mut app, Msg::GuestsCached { req, list: Some(Box::new(empty)) });
        act(&mut app, Action::DoorSubmit);
        let door = &app.guests.as_ref().expect("guests").door;
        assert!(
            matches!(door.result, Some(floktu_tui::tui::guests::DoorResult::NotFound { .. })),
            "{:?}",
            door.result
        );
    }

    #[test]
    fn invisible_fillers_and_other_default_ignorables_are_dropped() {
        for c in
            ['\u{3164}', '\u{ffa0}', '\u{115f}', '\u{34f}', '\u{180b}', '\u{1d173}', '\u{1bca0}', '\u{e0100}']
        {
            assert_eq!(sanitize(&format!("Ann{c}ie")), "Annie", "U+{:04X}", c as u32);
        }
    }
}
