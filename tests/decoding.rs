//! Tolerant decoding: the documented schemas, and every variant real servers send,
//! each as its own case.

use floktu_tui::api::model::{decode_attendees, decode_events, decode_order, decode_orders};
use floktu_tui::api::{Money, Status};
use serde_json::{Value, json};

/// The documented event shape.
fn event(id: Value, name: &str) -> Value {
    json!({ "id": id, "name": name })
}

/// The documented order-summary shape.
fn order_summary(id: Value) -> Value {
    json!({ "id": id, "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee" })
}

/// The documented order-details shape, with one attendee.
fn order_details() -> Value {
    json!({
        "id": 1001,
        "name": "Ann Lee",
        "email": "ann@example.com",
        "order_amount": 48.50,
        "amount_paid": 48.50,
        "voucher": "EARLY10",
        "status": "confirmed",
        "attendees": [attendee(json!(5001))]
    })
}

/// The documented attendee shape.
fn attendee(id: Value) -> Value {
    json!({
        "attendee_id": id,
        "ticket_group": "VIP",
        "ticket": "Weekend Pass",
        "check_in_date": "2026-11-28 19:42:07",
        "attendee_first_name": "Bo",
        "attendee_last_name": "Chen",
        "attendee_company": "Acme",
        "attendee_data": [
            { "question": "Attendee email", "answer": "bo@example.com" },
            { "question": "Dietary requirements" }
        ]
    })
}

#[test]
fn documented_events_list_decodes() {
    let d = decode_events(&json!([event(json!(12), "Gala"), event(json!(15), "Meetup")]));
    assert_eq!(d.items.len(), 2);
    assert_eq!((d.items[0].id, d.items[0].name.as_str()), (12, "Gala"));
    assert!(d.skipped.is_empty());
}

#[test]
fn documented_orders_list_decodes() {
    let d = decode_orders(&json!([order_summary(json!(1001))]));
    assert_eq!(d.items[0].id, 1001);
    assert_eq!(d.items[0].display_name(), "Ann Lee");
    assert_eq!(d.items[0].email, "ann@example.com");
}

#[test]
fn documented_order_details_decode() {
    let o = decode_order(&order_details()).unwrap();
    assert_eq!(o.id, 1001);
    assert_eq!(o.order_amount, Some(Money(4850)));
    assert_eq!(o.amount_paid, Some(Money(4850)));
    assert_eq!(o.voucher.as_deref(), Some("EARLY10"));
    assert_eq!(o.status, Status::Confirmed);
    assert!(!o.balance_due());
    let a = &o.attendees[0];
    assert_eq!(a.attendee_id, 5001);
    assert_eq!(a.ticket_group.as_deref(), Some("VIP"));
    assert_eq!(a.display_name().as_deref(), Some("Bo Chen"));
    assert_eq!(a.company.as_deref(), Some("Acme"));
    assert!(a.check_in.as_ref().unwrap().at.is_some());
    assert_eq!(a.answers.len(), 2);
    assert_eq!(a.answers[1].answer, None);
    assert_eq!(a.own_email(), Some("bo@example.com"));
}

#[test]
fn ids_as_numeric_strings_decode() {
    let d = decode_events(&json!([event(json!("12"), "Gala"), event(json!(" 15 "), "Meetup")]));
    assert_eq!(d.items.iter().map(|e| e.id).collect::<Vec<_>>(), vec![12, 15]);
}

#[test]
fn ids_as_integral_floats_decode() {
    let d = decode_orders(&json!([order_summary(json!(1001.0))]));
    assert_eq!(d.items[0].id, 1001);
}

#[test]
fn amounts_as_decimal_strings_decode() {
    let mut v = order_details();
    v["order_amount"] = json!("48.50");
    v["amount_paid"] = json!("20");
    let o = decode_order(&v).unwrap();
    assert_eq!(o.order_amount, Some(Money(4850)));
    assert_eq!(o.amount_paid, Some(Money(2000)));
    assert!(o.balance_due());
}

#[test]
fn an_unreadable_amount_becomes_unknown_not_an_error() {
    let mut v = order_details();
    v["order_amount"] = json!("forty");
    let o = decode_order(&v).unwrap();
    assert_eq!(o.order_amount, None);
    assert!(!o.balance_due());
}

#[test]
fn list_wrapped_in_an_object_decodes() {
    let d = decode_orders(&json!({ "orders": [order_summary(json!(1)), order_summary(json!(2))] }));
    assert_eq!(d.items.len(), 2);
}

#[test]
fn list_wrapped_under_an_unexpected_name_with_metadata_decodes() {
    let d = decode_events(&json!({ "count": 1, "list": [event(json!(3), "X")] }));
    assert_eq!(d.items.len(), 1);
}

#[test]
fn list_keyed_by_id_decodes() {
    let d = decode_events(&json!({ "12": event(json!(12), "Gala"), "15": event(json!(15), "Meetup") }));
    let mut ids: Vec<u64> = d.items.iter().map(|e| e.id).collect();
    ids.sort();
    assert_eq!(ids, vec![12, 15]);
}

#[test]
fn list_keyed_by_id_without_id_fields_takes_the_key() {
    let d = decode_events(&json!({ "12": { "name": "Gala" } }));
    assert_eq!(d.items[0].id, 12);
}

#[test]
fn wrapped_and_keyed_list_decodes() {
    let d = decode_orders(&json!({ "orders": { "7": order_summary(json!("7")) } }));
    assert_eq!(d.items[0].id, 7);
}

#[test]
fn missing_null_and_empty_optional_fields_are_none() {
    let mut v = order_details();
    v["voucher"] = json!("");
    v.as_object_mut().unwrap().remove("amount_paid");
    v["attendees"][0]["ticket_group"] = Value::Null;
    v["attendees"][0]["attendee_company"] = json!("");
    v["attendees"][0]["check_in_date"] = json!("");
    let o = decode_order(&v).unwrap();
    assert_eq!(o.voucher, None);
    assert_eq!(o.amount_paid, None);
    let a = &o.attendees[0];
    assert_eq!((a.ticket_group.as_ref(), a.company.as_ref(), a.check_in.as_ref()), (None, None, None));
}

#[test]
fn attendees_missing_or_null_mean_none() {
    let mut v = order_details();
    v["attendees"] = Value::Null;
    assert!(decode_order(&v).unwrap().attendees.is_empty());
    v.as_object_mut().unwrap().remove("attendees");
    assert!(decode_order(&v).unwrap().attendees.is_empty());
}

#[test]
fn unknown_extra_fields_are_ignored() {
    let mut v = order_details();
    v["currency"] = json!("AUD");
    v["attendees"][0]["seat"] = json!({ "row": 3 });
    let o = decode_order(&v).unwrap();
    assert_eq!(o.attendees.len(), 1);
}

#[test]
fn check_in_dates_in_several_formats_decode() {
    for raw in ["2026-11-28 19:42:07", "2026-11-28T19:42:07Z", "2026-11-28T19:42:07+11:00", "1795894927"] {
        let d = decode_attendees(&json!([{ "attendee_id": 1, "ticket": "GA", "check_in_date": raw }]));
        let c = d.items[0].check_in.as_ref().unwrap();
        assert!(c.at.is_some(), "{raw} should parse");
    }
}

#[test]
fn an_unparsed_check_in_date_is_kept_raw_and_still_counts_as_checked_in() {
    let d = decode_attendees(
        &json!([{ "attendee_id": 1, "ticket": "GA", "check_in_date": "28 Nov at the door" }]),
    );
    let c = d.items[0].check_in.as_ref().unwrap();
    assert_eq!((c.raw.as_str(), c.at), ("28 Nov at the door", None));
}

#[test]
fn one_malformed_item_is_skipped_and_reported_not_fatal() {
    let d = decode_orders(
        &json!([order_summary(json!(1)), { "email": "no id" }, "garbage", order_summary(json!(4))]),
    );
    assert_eq!(d.items.iter().map(|o| o.id).collect::<Vec<_>>(), vec![1, 4]);
    assert_eq!(d.skipped.len(), 2);
    assert_eq!(d.skipped[0].at, "#1");
    assert_eq!(d.skipped[1].at, "#2");
}

#[test]
fn one_malformed_attendee_is_skipped_and_reported_on_the_order() {
    let mut v = order_details();
    v["attendees"] = json!([attendee(json!(1)), { "attendee_id": "abc" }]);
    let o = decode_order(&v).unwrap();
    assert_eq!(o.attendees.len(), 1);
    assert_eq!(o.skipped_attendees.len(), 1);
}

#[test]
fn an_order_without_an_id_is_an_error() {
    assert!(decode_order(&json!({ "name": "x" })).is_err());
    assert!(decode_order(&json!([1, 2])).is_err());
}

#[test]
fn an_order_wrapped_in_an_object_decodes() {
    let o = decode_order(&json!({ "order": order_details() })).unwrap();
    assert_eq!(o.id, 1001);
}

#[test]
fn answers_as_an_object_map_decode() {
    let d = decode_attendees(&json!([{ "attendee_id": 1, "ticket": "GA",
        "attendee_data": { "E-mail": "x@example.org", "Shirt": "M" } }]));
    assert_eq!(d.items[0].own_email(), Some("x@example.org"));
    assert_eq!(d.items[0].answers.len(), 2);
}

#[test]
fn numbers_and_booleans_in_text_fields_become_text() {
    let d = decode_orders(&json!([{ "id": 1, "email": "a@b.co", "first_name": 42, "last_name": true }]));
    assert_eq!(d.items[0].display_name(), "42 true");
}

#[test]
fn a_status_in_capitals_decodes() {
    let mut v = order_details();
    v["status"] = json!("Cancelled");
    assert_eq!(decode_order(&v).unwrap().status, Status::Cancelled);
}

#[test]
fn a_scalar_where_a_list_should_be_is_reported() {
    let d = decode_events(&json!(42));
    assert!(d.items.is_empty());
    assert_eq!(d.skipped.len(), 1);
}

#[test]
fn an_empty_body_list_is_empty() {
    assert!(decode_events(&json!([])).items.is_empty());
    assert!(decode_events(&json!({})).items.is_empty());
    assert!(decode_events(&Value::Null).items.is_empty());
}
