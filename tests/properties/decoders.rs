//! The tolerant decoders (src/api/model.rs).

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
        (field(a_name()), field(a_name())).prop_map(|(q, a)| object(vec![("question", q), ("answer", a)])),
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
fn items_with_ids<S: Strategy<Value = Value>>(ids: Vec<(u64, Value)>, item: impl Fn(Value) -> S) -> Vec<S> {
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
