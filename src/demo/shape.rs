//! The API's JSON for the demo data, in each [`Shape`].
//!
//! The documented shape is written from structs, so its fields come in the
//! order the API documentation lists them.

use serde::Serialize;
use serde_json::{Map, Number, Value, json};

use super::data::{Dataset, DemoAttendee, DemoEvent, DemoOrder, format_cents};
use super::faults::Shape;

/// The `events` list.
pub(crate) fn events(data: &Dataset, shape: Shape) -> serde_json::Result<Vec<u8>> {
    match shape {
        Shape::Documented => {
            let list: Vec<EventJson> =
                data.events.iter().map(|e| EventJson { id: e.id, name: &e.name }).collect();
            serde_json::to_vec(&list)
        }
        Shape::Tolerant => {
            // What PHP emits for an array with non-sequential keys.
            let mut keyed = Map::new();
            for e in &data.events {
                let sold: usize = e.orders.iter().map(|o| o.attendees.len()).sum();
                keyed.insert(
                    e.id.to_string(),
                    json!({
                        "id": e.id.to_string(),
                        "name": e.name,
                        "currency": "EUR",
                        "tickets_sold": sold.to_string(),
                        "venue": null,
                    }),
                );
            }
            serde_json::to_vec(&keyed)
        }
    }
}

/// The `events/{id}/orders` list.
pub(crate) fn orders(event: &DemoEvent, shape: Shape) -> serde_json::Result<Vec<u8>> {
    match shape {
        Shape::Documented => {
            let list: Vec<OrderSummaryJson> = event
                .orders
                .iter()
                .map(|o| OrderSummaryJson {
                    id: o.id,
                    email: &o.email,
                    first_name: &o.first_name,
                    last_name: &o.last_name,
                })
                .collect();
            serde_json::to_vec(&list)
        }
        Shape::Tolerant => {
            let list: Vec<Value> = event
                .orders
                .iter()
                .map(|o| {
                    json!({
                        "id": o.id.to_string(),
                        "email": o.email,
                        "first_name": o.first_name,
                        "last_name": o.last_name,
                        "event_id": event.id.to_string(),
                        "lang": "en",
                        "newsletter": if o.id % 4 == 0 { "1" } else { "0" },
                    })
                })
                .collect();
            serde_json::to_vec(&json!({ "orders": list }))
        }
    }
}

/// The `events/{id}/orders/{id}` details.
pub(crate) fn order(event: &DemoEvent, order: &DemoOrder, shape: Shape) -> serde_json::Result<Vec<u8>> {
    match shape {
        Shape::Documented => serde_json::to_vec(&documented_order(order)),
        Shape::Tolerant => serde_json::to_vec(&tolerant_order(event, order)),
    }
}

#[derive(Serialize)]
struct EventJson<'a> {
    id: u64,
    name: &'a str,
}

#[derive(Serialize)]
struct OrderSummaryJson<'a> {
    id: u64,
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
}

#[derive(Serialize)]
struct OrderJson<'a> {
    id: u64,
    name: String,
    email: &'a str,
    order_amount: Value,
    amount_paid: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    voucher: Option<&'a str>,
    status: &'a str,
    attendees: Vec<AttendeeJson<'a>>,
}

#[derive(Serialize)]
struct AttendeeJson<'a> {
    attendee_id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket_group: Option<&'a str>,
    ticket: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    check_in_date: Option<&'a str>,
    attendee_first_name: &'a str,
    attendee_last_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    attendee_company: Option<&'a str>,
    attendee_data: Vec<AnswerJson<'a>>,
}

#[derive(Serialize)]
struct AnswerJson<'a> {
    question: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<&'a str>,
}

fn documented_order(o: &DemoOrder) -> OrderJson<'_> {
    OrderJson {
        id: o.id,
        name: o.name(),
        email: &o.email,
        order_amount: amount(o.order_amount_cents),
        amount_paid: amount(o.amount_paid_cents),
        voucher: o.voucher.as_deref(),
        status: &o.status,
        attendees: o.attendees.iter().map(documented_attendee).collect(),
    }
}

fn documented_attendee(a: &DemoAttendee) -> AttendeeJson<'_> {
    AttendeeJson {
        attendee_id: a.attendee_id,
        ticket_group: a.ticket_group.as_deref(),
        ticket: &a.ticket,
        check_in_date: a.check_in_date.as_deref(),
        attendee_first_name: &a.first_name,
        attendee_last_name: &a.last_name,
        attendee_company: a.company.as_deref(),
        attendee_data: a
            .answers
            .iter()
            .map(|(question, answer)| AnswerJson { question, answer: answer.as_deref() })
            .collect(),
    }
}

/// Cents as a JSON number: 2417 → `24.17`, parsed from the decimal text so that
/// no float arithmetic can add digits.
fn amount(cents: i64) -> Value {
    let text = format_cents(cents);
    match text.parse::<Number>() {
        Ok(n) => Value::Number(n),
        Err(_) => Value::String(text),
    }
}

fn tolerant_order(event: &DemoEvent, o: &DemoOrder) -> Value {
    let attendees: Vec<Value> = o.attendees.iter().map(|a| tolerant_attendee(o, a)).collect();
    // Real servers disagree on how to send a list; use every way, by order id.
    let attendees = if attendees.is_empty() {
        Value::Null
    } else {
        match o.id % 3 {
            0 => Value::Array(attendees),
            1 => json!({ "attendees": attendees }),
            _ => {
                Value::Object(o.attendees.iter().map(|a| a.attendee_id.to_string()).zip(attendees).collect())
            }
        }
    };
    json!({
        "id": o.id.to_string(),
        "event_id": event.id.to_string(),
        "name": o.name(),
        "email": o.email,
        "order_amount": format_cents(o.order_amount_cents),
        "amount_paid": format_cents(o.amount_paid_cents),
        "currency": "EUR",
        "voucher": optional(o.voucher.as_deref(), o.id),
        "status": o.status,
        "payment_method": if o.amount_paid_cents > 0 { Value::from("card") } else { Value::Null },
        "attendees": attendees,
        "_links": { "self": format!("/api/v2/events/{}/orders/{}", event.id, o.id) },
    })
}

fn tolerant_attendee(o: &DemoOrder, a: &DemoAttendee) -> Value {
    let id = a.attendee_id;
    let data: Vec<Value> = a
        .answers
        .iter()
        .enumerate()
        .map(|(i, (question, answer))| {
            json!({
                "question_id": (i + 1).to_string(),
                "question": question,
                "answer": optional(answer.as_deref(), id + i as u64),
            })
        })
        .collect();
    json!({
        "attendee_id": id.to_string(),
        "order_id": o.id.to_string(),
        "ticket_group": optional(a.ticket_group.as_deref(), id),
        "ticket": a.ticket,
        "check_in_date": match &a.check_in_date {
            Some(date) => Value::String(mixed_date(date, id)),
            None => optional(None, id),
        },
        "attendee_first_name": a.first_name,
        "attendee_last_name": a.last_name,
        "attendee_company": optional(a.company.as_deref(), id),
        "attendee_data": data,
        "barcode": format!("FLK{id}{}", id % 7),
        "seat": null,
    })
}

/// A present value as itself; an absent one as `null` or `""`, by `key`.
fn optional(value: Option<&str>, key: u64) -> Value {
    match value {
        Some(v) => Value::String(v.to_string()),
        None if key.is_multiple_of(2) => Value::Null,
        None => Value::String(String::new()),
    }
}

/// "YYYY-MM-DD HH:MM:SS" (UTC) as itself, as RFC 3339, or as unix seconds, by `key`.
fn mixed_date(date: &str, key: u64) -> String {
    let Ok(t) = chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M:%S") else {
        return date.to_string();
    };
    match key % 3 {
        0 => date.to_string(),
        1 => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        _ => t.and_utc().timestamp().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_json_numbers() {
        assert_eq!(amount(2417).to_string(), "24.17");
        assert_eq!(amount(1).to_string(), "0.01");
        assert_eq!(amount(-2417).to_string(), "-24.17");
        assert_eq!(amount(6107).as_f64(), Some(61.07));
    }

    #[test]
    fn dates_come_in_three_formats_for_the_same_moment() {
        let d = "2026-11-28 19:42:07";
        assert_eq!(mixed_date(d, 0), d);
        assert_eq!(mixed_date(d, 1), "2026-11-28T19:42:07Z");
        assert_eq!(mixed_date(d, 2), "1795894927");
    }
}
