//! The Floktu data model, and tolerant decoding of what real servers send.
//!
//! Decoding goes through `serde_json::Value` by hand rather than derived
//! `Deserialize`, because the same field arrives as a number, a numeric string,
//! `null` or `""`, and a list arrives bare, wrapped in an object or keyed by id.
//! One malformed item is skipped and reported; it never throws the list away.
//!
//! The types also derive `Deserialize`, but only to read back what floktu itself
//! wrote with `Serialize` (the on-disk cache), never what a server sends.

use std::fmt;

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An event: the top of the hierarchy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Floktu's event id.
    pub id: u64,
    /// The event's name (untrusted text).
    pub name: String,
}

/// An order as the order list gives it: who bought, not what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    /// Floktu's order id.
    pub id: u64,
    /// The purchaser's email.
    pub email: String,
    /// The purchaser's first name.
    pub first_name: String,
    /// The purchaser's last name.
    pub last_name: String,
}

impl OrderSummary {
    /// "First Last", or the email when both names are empty.
    pub fn display_name(&self) -> String {
        join_name(&self.first_name, &self.last_name).unwrap_or_else(|| self.email.clone())
    }
}

/// An order's details, with its attendees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Floktu's order id.
    pub id: u64,
    /// The purchaser's name.
    pub name: String,
    /// The purchaser's email.
    pub email: String,
    /// What the order costs; `None` when the server sent nothing usable.
    pub order_amount: Option<Money>,
    /// What has been paid.
    pub amount_paid: Option<Money>,
    /// The voucher code used, if any.
    pub voucher: Option<String>,
    /// Unconfirmed, confirmed or cancelled.
    pub status: Status,
    /// The people the order admits.
    pub attendees: Vec<Attendee>,
    /// Attendees that could not be decoded (index or key, and why).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_attendees: Vec<Skipped>,
}

impl Order {
    /// A confirmed order that has been paid less than it costs.
    pub fn balance_due(&self) -> bool {
        balance_due(self.status, self.order_amount, self.amount_paid)
    }
}

/// DESIGN.md §4: a confirmed order paid less than it costs has a balance due.
pub fn balance_due(status: Status, order_amount: Option<Money>, amount_paid: Option<Money>) -> bool {
    match (status, order_amount, amount_paid) {
        (Status::Confirmed, Some(amount), Some(paid)) => paid < amount,
        _ => false,
    }
}

/// One person admitted by an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    /// Floktu's attendee id (what a ticket's barcode carries).
    pub attendee_id: u64,
    /// The ticket group ("VIP"), if any.
    pub ticket_group: Option<String>,
    /// The ticket ("Weekend Pass").
    pub ticket: String,
    /// When the attendee was checked in; `None` when not.
    pub check_in: Option<CheckIn>,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Company, if given.
    pub company: Option<String>,
    /// Answers to the event's custom questions.
    pub answers: Vec<Answer>,
}

impl Attendee {
    /// "First Last", or `None` when both are empty.
    pub fn display_name(&self) -> Option<String> {
        join_name(&self.first_name, &self.last_name)
    }

    /// The attendee's own email: the answer to an e-mail question that looks like
    /// an address (DESIGN.md §4). The caller falls back to the order's email.
    pub fn own_email(&self) -> Option<&str> {
        self.answers.iter().find_map(|a| {
            let answer = a.answer.as_deref()?.trim();
            (is_email_question(&a.question) && looks_like_email(answer)).then_some(answer)
        })
    }

    /// The attendee's email, or the purchaser's when the attendee gave none.
    pub fn email_or<'a>(&'a self, purchaser: &'a str) -> &'a str {
        self.own_email().unwrap_or(purchaser)
    }
}

/// A custom question and its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The question as the organiser wrote it.
    pub question: String,
    /// The answer, if one was given.
    pub answer: Option<String>,
}

/// A check-in time as the server sent it, and as a time where it could be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckIn {
    /// The value exactly as sent (kept for display when it does not parse).
    pub raw: String,
    /// The time, in local wall-clock terms, when the format was understood.
    pub at: Option<NaiveDateTime>,
}

impl CheckIn {
    /// "19:42" style for today-ish display; the raw text when unparsed.
    pub fn short(&self) -> String {
        match self.at {
            Some(at) => at.format("%Y-%m-%d %H:%M").to_string(),
            None => self.raw.clone(),
        }
    }
}

/// An order's status. Unknown values are kept, not rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not yet confirmed (e.g. awaiting payment).
    Unconfirmed,
    /// Confirmed.
    Confirmed,
    /// Cancelled.
    Cancelled,
    /// Anything else the server says.
    Other,
}

impl Status {
    /// Reads a status case-insensitively; anything unknown is `Other`.
    pub fn parse(s: &str) -> Status {
        match s.trim().to_ascii_lowercase().as_str() {
            "unconfirmed" => Status::Unconfirmed,
            "confirmed" => Status::Confirmed,
            "cancelled" | "canceled" => Status::Cancelled,
            _ => Status::Other,
        }
    }

    /// The lowercase word for tables and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unconfirmed => "unconfirmed",
            Status::Confirmed => "confirmed",
            Status::Cancelled => "cancelled",
            Status::Other => "other",
        }
    }
}

/// An amount of money in minor units (cents), parsed exactly, never through f64 arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i64);

impl Money {
    /// Parses "24.17", "-3", "0.5", "1,000.00" (commas only as thousands separators
    /// in groups of three). A third decimal is rounded half away from zero
    /// (servers that format floats send 24.170000000001). Rejects "24,17", "1e3", "".
    pub fn parse(s: &str) -> Result<Money, MoneyError> {
        let t = s.trim();
        let (negative, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (int_part, frac_part) = match t.split_once('.') {
            Some((i, f)) => (i, f),
            None => (t, ""),
        };
        let int_digits = strip_thousands(int_part).ok_or_else(|| MoneyError::new(s))?;
        if (int_digits.is_empty() && frac_part.is_empty())
            || !int_digits.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
            || (t.contains('.') && frac_part.is_empty() && int_digits.is_empty())
        {
            return Err(MoneyError::new(s));
        }
        let whole: i64 =
            if int_digits.is_empty() { 0 } else { int_digits.parse().map_err(|_| MoneyError::new(s))? };
        let digit = |i: usize| -> i64 { frac_part.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0')) };
        let mut cents = digit(0) * 10 + digit(1);
        if digit(2) >= 5 {
            cents += 1;
        }
        let total =
            whole.checked_mul(100).and_then(|w| w.checked_add(cents)).ok_or_else(|| MoneyError::new(s))?;
        Ok(Money(if negative { -total } else { total }))
    }

    /// Reads a JSON number or string; `null`, missing and `""` are `Ok(None)`.
    pub fn from_json(v: Option<&Value>) -> Result<Option<Money>, MoneyError> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Money::parse(s).map(Some),
            // serde_json prints an f64 in its shortest round-trip form, so 24.17 reads back as "24.17".
            Some(Value::Number(n)) => Money::parse(&n.to_string()).map(Some),
            Some(other) => Err(MoneyError::new(&other.to_string())),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Money {
    /// As a decimal string ("24.17"): exact, and what spreadsheets and `jq` both read.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    /// From the decimal string [`Serialize`] writes ("24.17"), or a JSON number.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        d.deserialize_any(MoneyVisitor)
    }
}

struct MoneyVisitor;

impl serde::de::Visitor<'_> for MoneyVisitor {
    type Value = Money;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount of money like \"24.17\"")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Money, E> {
        Money::parse(s).map_err(E::custom)
    }

    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Money, E> {
        Money::parse(&n.to_string()).map_err(E::custom)
    }

    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Money, E> {
        Money::parse(&n.to_string()).map_err(E::custom)
    }

    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Money, E> {
        // serde_json prints an f64 in its shortest round-trip form: 24.17 reads back as "24.17".
        Money::parse(&n.to_string()).map_err(E::custom)
    }
}

/// A money value that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an amount of money: {0:?} (expected a decimal like 24.17)")]
pub struct MoneyError(String);

impl MoneyError {
    fn new(s: &str) -> Self {
        MoneyError(s.chars().take(40).collect())
    }
}

/// Removes thousands separators if they are well placed; `None` if a comma is misplaced.
fn strip_thousands(int_part: &str) -> Option<String> {
    if !int_part.contains(',') {
        return Some(int_part.to_string());
    }
    let groups: Vec<&str> = int_part.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    (first_ok && rest_ok).then(|| groups.concat())
}

/// An item of a list that could not be decoded, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Where it was: "#3" for the fourth array element, or the object key.
    pub at: String,
    /// What was wrong with it.
    pub reason: String,
}

/// The usable items of a list, and the ones that were not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded<T> {
    /// What decoded.
    pub items: Vec<T>,
    /// What was skipped.
    pub skipped: Vec<Skipped>,
}

/// Decodes the events list.
pub fn decode_events(v: &Value) -> Decoded<Event> {
    decode_list(v, &["events"], |item, key| {
        let obj = item.as_object().ok_or("not an object")?;
        Ok(Event {
            id: id_field(obj, &["id", "event_id"], key)?,
            name: string_field(obj, &["name", "title", "event_name"]).unwrap_or_default(),
        })
    })
}

/// Decodes an event's order list.
pub fn decode_orders(v: &Value) -> Decoded<OrderSummary> {
    decode_list(v, &["orders"], |item, key| {
        let obj = item.as_object().ok_or("not an object")?;
        Ok(OrderSummary {
            id: id_field(obj, &["id", "order_id"], key)?,
            email: string_field(obj, &["email"]).unwrap_or_default(),
            first_name: string_field(obj, &["first_name", "firstname"]).unwrap_or_default(),
            last_name: string_field(obj, &["last_name", "lastname"]).unwrap_or_default(),
        })
    })
}

/// Decodes one order's details. Fails only when there is no order id at all;
/// a bad amount becomes `None`, a bad attendee is skipped and reported.
pub fn decode_order(v: &Value) -> Result<Order, String> {
    let obj = unwrap_single(v).as_object().ok_or("the order is not a JSON object")?;
    let id = id_field(obj, &["id", "order_id"], None)?;
    let name = string_field(obj, &["name"]).or_else(|| {
        join_name(
            &string_field(obj, &["first_name"]).unwrap_or_default(),
            &string_field(obj, &["last_name"]).unwrap_or_default(),
        )
    });
    let attendees = decode_attendees(obj.get("attendees").unwrap_or(&Value::Null));
    Ok(Order {
        id,
        name: name.unwrap_or_default(),
        email: string_field(obj, &["email"]).unwrap_or_default(),
        order_amount: Money::from_json(obj.get("order_amount")).ok().flatten(),
        amount_paid: Money::from_json(obj.get("amount_paid")).ok().flatten(),
        voucher: string_field(obj, &["voucher", "voucher_code"]),
        status: string_field(obj, &["status"]).map_or(Status::Other, |s| Status::parse(&s)),
        attendees: attendees.items,
        skipped_attendees: attendees.skipped,
    })
}

/// Decodes the attendees of an order.
pub fn decode_attendees(v: &Value) -> Decoded<Attendee> {
    decode_list(v, &["attendees"], |item, key| {
        let obj = item.as_object().ok_or("not an object")?;
        Ok(Attendee {
            attendee_id: id_field(obj, &["attendee_id", "id"], key)?,
            ticket_group: string_field(obj, &["ticket_group"]),
            ticket: string_field(obj, &["ticket", "ticket_name"]).unwrap_or_default(),
            check_in: obj.get("check_in_date").and_then(parse_check_in),
            first_name: string_field(obj, &["attendee_first_name", "first_name"]).unwrap_or_default(),
            last_name: string_field(obj, &["attendee_last_name", "last_name"]).unwrap_or_default(),
            company: string_field(obj, &["attendee_company", "company"]),
            answers: decode_answers(obj.get("attendee_data").unwrap_or(&Value::Null)),
        })
    })
}

/// Answers as `[{question, answer}]`, or as an object `{question: answer}`.
fn decode_answers(v: &Value) -> Vec<Answer> {
    match v {
        Value::Object(map) if !map.values().all(Value::is_object) => {
            map.iter().map(|(q, a)| Answer { question: q.clone(), answer: scalar_string(a) }).collect()
        }
        _ => {
            let list = decode_list(v, &["attendee_data", "answers"], |item, _| {
                let obj = item.as_object().ok_or("not an object")?;
                Ok(Answer {
                    question: string_field(obj, &["question"]).unwrap_or_default(),
                    answer: obj.get("answer").and_then(scalar_string),
                })
            });
            list.items
        }
    }
}

/// Reads a check-in date; empty, zero and MySQL's zero date mean "not checked in".
pub fn parse_check_in(v: &Value) -> Option<CheckIn> {
    let raw = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    if raw.is_empty() || raw == "0" || raw.starts_with("0000-00-00") || raw == "false" {
        return None;
    }
    let at = parse_time(&raw);
    Some(CheckIn { raw, at })
}

fn parse_time(raw: &str) -> Option<NaiveDateTime> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(raw) {
        return Some(dt.with_timezone(&Local).naive_local());
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(raw) {
        return Some(dt.with_timezone(&Local).naive_local());
    }
    const FORMATS: [&str; 5] =
        ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"];
    for f in FORMATS {
        if let Ok(t) = NaiveDateTime::parse_from_str(raw, f) {
            return Some(t);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0);
    }
    // Unix seconds, plausibly after 2001 so that small numbers are not read as times.
    match raw.parse::<i64>() {
        Ok(secs) if secs > 1_000_000_000 => Local.timestamp_opt(secs, 0).single().map(|t| t.naive_local()),
        _ => None,
    }
}

/// Walks a list in any of the shapes servers send: a bare array, an object
/// wrapping one array (or one keyed object) under a name, or an object keyed by id.
fn decode_list<T>(
    v: &Value,
    wrapper_names: &[&str],
    mut decode: impl FnMut(&Value, Option<&str>) -> Result<T, String>,
) -> Decoded<T> {
    let mut out = Decoded { items: Vec::new(), skipped: Vec::new() };
    let mut push = |r: Result<T, String>, at: String| match r {
        Ok(item) => out.items.push(item),
        Err(reason) => out.skipped.push(Skipped { at, reason }),
    };
    match unwrap_list(v, wrapper_names) {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                push(decode(item, None), format!("#{i}"));
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                push(decode(item, Some(key)), key.clone());
            }
        }
        Value::Null => {}
        Value::String(s) if s.is_empty() => {}
        other => push(Err(format!("expected a list, got {}", kind(other))), "#0".into()),
    }
    out
}

/// Finds the list inside a wrapper object, if it is wrapped.
fn unwrap_list<'a>(v: &'a Value, wrapper_names: &[&str]) -> &'a Value {
    let Value::Object(map) = v else { return v };
    for name in wrapper_names.iter().chain(&["data", "items", "results"]) {
        if let Some(inner @ (Value::Array(_) | Value::Object(_))) = map.get(*name) {
            return unwrap_list(inner, wrapper_names);
        }
    }
    // Any single array field: {"whatever": [...]} (plus scalar metadata like "count").
    let mut arrays = map.values().filter(|x| x.is_array());
    if let (Some(only), None) = (arrays.next(), arrays.next()) {
        return only;
    }
    v
}

/// `{"order": {...}}` → the inner object, when that is all there is.
fn unwrap_single(v: &Value) -> &Value {
    match v {
        Value::Object(map) if map.len() == 1 && !map.contains_key("id") => match map.values().next() {
            Some(inner @ Value::Object(_)) => inner,
            _ => v,
        },
        _ => v,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The first of `names` that holds an id (number or numeric string), else the
/// object key the item was found under.
fn id_field(obj: &Map<String, Value>, names: &[&str], key: Option<&str>) -> Result<u64, String> {
    for name in names {
        match obj.get(*name) {
            None | Some(Value::Null) => continue,
            Some(v) => return parse_id(v).ok_or_else(|| format!("{name} is not an id: {}", short(v))),
        }
    }
    key.and_then(|k| k.trim().parse().ok()).ok_or_else(|| format!("no {}", names[0]))
}

/// An id from a number or a numeric string.
pub fn parse_id(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9.0e15).map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The first of `names` that holds a non-empty scalar, as a string.
fn string_field(obj: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| obj.get(*n).and_then(scalar_string))
}

/// A string, number or boolean as a string; `null`, `""` and containers are `None`.
fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    crate::text::truncate(&crate::text::sanitize(&s), 30).into_owned()
}

fn join_name(first: &str, last: &str) -> Option<String> {
    let name = format!("{} {}", first.trim(), last.trim());
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

fn is_email_question(q: &str) -> bool {
    let q = q.to_ascii_lowercase();
    q.contains("email") || q.contains("e-mail")
}

/// Good enough to tell an address from "n/a": one @, a dot after it, no spaces.
pub fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
                && !domain.contains('@')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn money(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn money_parses_plain_decimals() {
        assert_eq!(money("24.17"), Money(2417));
        assert_eq!(money("0"), Money(0));
        assert_eq!(money("0.5"), Money(50));
        assert_eq!(money(".5"), Money(50));
        assert_eq!(money("7."), Money(700));
        assert_eq!(money("-3.10"), Money(-310));
        assert_eq!(money(" 12 "), Money(1200));
    }

    #[test]
    fn money_accepts_thousands_separators_in_groups_of_three() {
        assert_eq!(money("1,000.00"), Money(100_000));
        assert_eq!(money("12,345,678.9"), Money(1_234_567_890));
    }

    #[test]
    fn money_rejects_a_decimal_comma_as_ambiguous() {
        assert!(Money::parse("24,17").is_err());
        assert!(Money::parse("1,00,000").is_err());
    }

    #[test]
    fn money_rejects_garbage() {
        for bad in ["", ".", "-", "1e3", "abc", "$5", "1.2.3", "NaN", "99999999999999999999"] {
            assert!(Money::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn money_rounds_float_noise_to_the_nearest_cent() {
        assert_eq!(money("24.170000000001"), Money(2417));
        assert_eq!(money("0.30000000000000004"), Money(30));
        assert_eq!(money("24.165"), Money(2417));
    }

    #[test]
    fn money_from_a_json_number_is_exact() {
        let v = json!(24.17);
        assert_eq!(Money::from_json(Some(&v)), Ok(Some(Money(2417))));
        let v = json!(19.99);
        assert_eq!(Money::from_json(Some(&v)), Ok(Some(Money(1999))));
        let v = json!(1000);
        assert_eq!(Money::from_json(Some(&v)), Ok(Some(Money(100_000))));
    }

    #[test]
    fn money_missing_null_and_empty_are_none() {
        assert_eq!(Money::from_json(None), Ok(None));
        assert_eq!(Money::from_json(Some(&Value::Null)), Ok(None));
        assert_eq!(Money::from_json(Some(&json!(""))), Ok(None));
    }

    #[test]
    fn money_reads_back_what_it_writes() {
        for m in [Money(2417), Money(5), Money(-310), Money(0)] {
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m, "{json}");
        }
        assert_eq!(serde_json::from_str::<Money>("24.17").unwrap(), Money(2417));
        assert!(serde_json::from_str::<Money>("\"24,17\"").is_err());
    }

    #[test]
    fn money_displays_two_decimals() {
        assert_eq!(Money(2417).to_string(), "24.17");
        assert_eq!(Money(5).to_string(), "0.05");
        assert_eq!(Money(-310).to_string(), "-3.10");
    }

    #[test]
    fn status_is_case_insensitive_and_keeps_unknowns() {
        assert_eq!(Status::parse("Confirmed"), Status::Confirmed);
        assert_eq!(Status::parse("CANCELLED"), Status::Cancelled);
        assert_eq!(Status::parse("canceled"), Status::Cancelled);
        assert_eq!(Status::parse("unconfirmed"), Status::Unconfirmed);
        assert_eq!(Status::parse("refunded"), Status::Other);
    }

    #[test]
    fn check_in_empty_zero_and_mysql_zero_date_mean_not_checked_in() {
        for v in [json!(""), json!(null), json!("0000-00-00 00:00:00"), json!(0), json!("0")] {
            assert_eq!(parse_check_in(&v), None, "{v}");
        }
    }

    #[test]
    fn check_in_reads_several_formats() {
        let expect = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(19, 42, 7).unwrap();
        for s in ["2026-11-28 19:42:07", "2026-11-28T19:42:07", "28/11/2026 19:42:07"] {
            assert_eq!(parse_check_in(&json!(s)).unwrap().at, Some(expect), "{s}");
        }
        let utc = parse_check_in(&json!("2026-11-28T19:42:07Z")).unwrap();
        assert!(utc.at.is_some());
        let unix = parse_check_in(&json!("1795894927")).unwrap();
        assert!(unix.at.is_some());
    }

    #[test]
    fn check_in_keeps_the_raw_text_when_unparsed() {
        let c = parse_check_in(&json!("yesterday-ish")).unwrap();
        assert_eq!(c.at, None);
        assert_eq!(c.short(), "yesterday-ish");
    }

    #[test]
    fn email_answer_must_look_like_an_address() {
        let mut a = attendee_with_answers(vec![("E-mail address", Some("n/a"))]);
        assert_eq!(a.own_email(), None);
        a = attendee_with_answers(vec![
            ("Dietary", Some("x@y.z")),
            ("Attendee Email", Some(" ann@example.com ")),
        ]);
        assert_eq!(a.own_email(), Some("ann@example.com"));
    }

    fn attendee_with_answers(answers: Vec<(&str, Option<&str>)>) -> Attendee {
        Attendee {
            attendee_id: 1,
            ticket_group: None,
            ticket: "GA".into(),
            check_in: None,
            first_name: "A".into(),
            last_name: "B".into(),
            company: None,
            answers: answers
                .into_iter()
                .map(|(q, a)| Answer { question: q.into(), answer: a.map(Into::into) })
                .collect(),
        }
    }
}
