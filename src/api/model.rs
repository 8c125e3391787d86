//! The Floktu data model, and tolerant decoding of what real servers send.
//!
//! Decoding is by hand rather than derived `Deserialize`, because the same field
//! arrives as a number, a numeric string, `null` or `""`, and a list arrives bare,
//! wrapped in an object or keyed by id. One malformed item is skipped and
//! reported; it never throws the list away.
//!
//! The decoders read the body's JSON text (`RawValue`) one item at a time and
//! never build a `serde_json::Value` of a whole list: a `Value` of 8 million
//! zeros takes a gigabyte, the 32 MB body they came in does not.
//!
//! The types also derive `Deserialize`, but only to read back what floktu itself
//! wrote with `Serialize` (the on-disk cache), never what a server sends.

use std::fmt;

use std::borrow::Cow;

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone};
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

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

    /// What the order still owes, when it has a balance due.
    pub fn amount_due(&self) -> Option<Money> {
        amount_due(self.status, self.order_amount, self.amount_paid)
    }
}

/// ARCHITECTURE.md, "Rules of the data": a confirmed order paid less than it costs has a balance due.
pub fn balance_due(status: Status, order_amount: Option<Money>, amount_paid: Option<Money>) -> bool {
    match (status, order_amount, amount_paid) {
        (Status::Confirmed, Some(amount), Some(paid)) => paid < amount,
        _ => false,
    }
}

/// How much a confirmed order still owes (see [`balance_due`]), exactly.
pub fn amount_due(status: Status, order_amount: Option<Money>, amount_paid: Option<Money>) -> Option<Money> {
    match (balance_due(status, order_amount, amount_paid), order_amount, amount_paid) {
        (true, Some(amount), Some(paid)) => Some(Money(amount.0.saturating_sub(paid.0))),
        _ => None,
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
    /// an address (ARCHITECTURE.md, "Rules of the data"). The caller falls back to the order's email.
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
///
/// A list keeps the first [`NAMED_SKIPS`] of these; the rest are counted in one
/// last entry made by [`Skipped::more`] ("… and 7999995 more"), so that a list of
/// millions of junk items costs a few lines, wherever the list goes (the cache,
/// the guest list, the TUI).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Where it was: "#3" for the fourth array element, or the object key.
    pub at: String,
    /// What was wrong with it.
    pub reason: String,
}

/// How many skipped items a list names; the rest are only counted.
pub const NAMED_SKIPS: usize = 5;

/// The `at` of the entry that stands for the skipped items past the named ones.
const MORE_AT: &str = "…";

impl Skipped {
    /// The entry that stands for `n` skipped items past the named ones.
    pub fn more(n: usize) -> Skipped {
        Skipped { at: MORE_AT.into(), reason: format!("and {n} more") }
    }

    /// How many skipped items this entry stands for: 1, or the N of "… and N more".
    pub fn count(&self) -> usize {
        let more = self.reason.strip_prefix("and ").and_then(|r| r.strip_suffix(" more"));
        match more.and_then(|n| n.parse().ok()) {
            Some(n) if self.at == MORE_AT => n,
            _ => 1,
        }
    }

    /// "#3: not an object", or "… and 7999995 more".
    pub fn describe(&self) -> String {
        if self.at == MORE_AT {
            format!("{} {}", self.at, self.reason)
        } else {
            format!("{}: {}", self.at, self.reason)
        }
    }
}

/// How many items were skipped in all, the counted ones included.
pub fn skipped_count(skipped: &[Skipped]) -> usize {
    skipped.iter().map(Skipped::count).sum()
}

/// The usable items of a list, and the ones that were not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded<T> {
    /// What decoded.
    pub items: Vec<T>,
    /// What was skipped: the first few named, the rest counted (see [`Skipped`]).
    pub skipped: Vec<Skipped>,
}

impl<T> Decoded<T> {
    /// How many items were skipped in all.
    pub fn skipped_count(&self) -> usize {
        skipped_count(&self.skipped)
    }
}

/// Names the first [`NAMED_SKIPS`] skipped items and counts the rest.
#[derive(Default)]
struct SkipLog {
    named: Vec<Skipped>,
    more: usize,
}

impl SkipLog {
    /// `at` is only worked out for an item that will be named.
    fn push(&mut self, at: impl FnOnce() -> String, reason: Why) {
        if self.named.len() < NAMED_SKIPS {
            self.named.push(Skipped { at: at(), reason: reason.into_owned() });
        } else {
            self.more += 1;
        }
    }

    fn finish(mut self) -> Vec<Skipped> {
        if self.more > 0 {
            self.named.push(Skipped::more(self.more));
        }
        self.named
    }
}

/// Decodes the events list.
pub fn decode_events(v: &Value) -> Decoded<Event> {
    with_raw(v, decode_events_raw)
}

/// Decodes the events list from the body's JSON.
pub fn decode_events_raw(raw: &RawValue) -> Decoded<Event> {
    const FIELDS: &[&str] = &["id", "event_id", "name", "title", "event_name"];
    decode_list(raw, &["events"], &mut |item, key| {
        let obj = Fields::of(item, FIELDS).ok_or("not an object")?;
        Ok(Event {
            id: id_field(&obj, &["id", "event_id"], key)?,
            name: string_field(&obj, &["name", "title", "event_name"]).unwrap_or_default(),
        })
    })
}

/// Decodes an event's order list.
pub fn decode_orders(v: &Value) -> Decoded<OrderSummary> {
    with_raw(v, decode_orders_raw)
}

/// Decodes an event's order list from the body's JSON.
pub fn decode_orders_raw(raw: &RawValue) -> Decoded<OrderSummary> {
    const FIELDS: &[&str] = &["id", "order_id", "email", "first_name", "firstname", "last_name", "lastname"];
    decode_list(raw, &["orders"], &mut |item, key| {
        let obj = Fields::of(item, FIELDS).ok_or("not an object")?;
        Ok(OrderSummary {
            id: id_field(&obj, &["id", "order_id"], key)?,
            email: string_field(&obj, &["email"]).unwrap_or_default(),
            first_name: string_field(&obj, &["first_name", "firstname"]).unwrap_or_default(),
            last_name: string_field(&obj, &["last_name", "lastname"]).unwrap_or_default(),
        })
    })
}

/// Decodes one order's details. Fails only when there is no order id at all;
/// a bad amount becomes `None`, a bad attendee is skipped and reported.
pub fn decode_order(v: &Value) -> Result<Order, String> {
    with_raw(v, decode_order_raw)
}

/// Decodes one order's details from the body's JSON.
pub fn decode_order_raw(raw: &RawValue) -> Result<Order, String> {
    const FIELDS: &[&str] = &[
        "id",
        "order_id",
        "name",
        "first_name",
        "last_name",
        "email",
        "order_amount",
        "amount_paid",
        "voucher",
        "voucher_code",
        "status",
        "attendees",
    ];
    let obj = Fields::of(unwrap_single(raw), FIELDS).ok_or("the order is not a JSON object")?;
    let id = id_field(&obj, &["id", "order_id"], None).map_err(Cow::into_owned)?;
    let name = string_field(&obj, &["name"]).or_else(|| {
        join_name(
            &string_field(&obj, &["first_name"]).unwrap_or_default(),
            &string_field(&obj, &["last_name"]).unwrap_or_default(),
        )
    });
    let attendees = match obj.get("attendees") {
        Some(list) => decode_attendees_raw(list),
        None => Decoded { items: Vec::new(), skipped: Vec::new() },
    };
    Ok(Order {
        id,
        name: name.unwrap_or_default(),
        email: string_field(&obj, &["email"]).unwrap_or_default(),
        order_amount: money_field(&obj, "order_amount"),
        amount_paid: money_field(&obj, "amount_paid"),
        voucher: string_field(&obj, &["voucher", "voucher_code"]),
        status: string_field(&obj, &["status"]).map_or(Status::Other, |s| Status::parse(&s)),
        attendees: attendees.items,
        skipped_attendees: attendees.skipped,
    })
}

/// Decodes the attendees of an order.
pub fn decode_attendees(v: &Value) -> Decoded<Attendee> {
    with_raw(v, decode_attendees_raw)
}

/// Decodes the attendees of an order from the body's JSON.
pub fn decode_attendees_raw(raw: &RawValue) -> Decoded<Attendee> {
    const FIELDS: &[&str] = &[
        "attendee_id",
        "id",
        "ticket_group",
        "ticket",
        "ticket_name",
        "check_in_date",
        "attendee_first_name",
        "first_name",
        "attendee_last_name",
        "last_name",
        "attendee_company",
        "company",
        "attendee_data",
    ];
    decode_list(raw, &["attendees"], &mut |item, key| {
        let obj = Fields::of(item, FIELDS).ok_or("not an object")?;
        Ok(Attendee {
            attendee_id: id_field(&obj, &["attendee_id", "id"], key)?,
            ticket_group: string_field(&obj, &["ticket_group"]),
            ticket: string_field(&obj, &["ticket", "ticket_name"]).unwrap_or_default(),
            check_in: obj.get("check_in_date").and_then(scalar).and_then(|v| parse_check_in(&v)),
            first_name: string_field(&obj, &["attendee_first_name", "first_name"]).unwrap_or_default(),
            last_name: string_field(&obj, &["attendee_last_name", "last_name"]).unwrap_or_default(),
            company: string_field(&obj, &["attendee_company", "company"]),
            answers: obj.get("attendee_data").map(decode_answers).unwrap_or_default(),
        })
    })
}

/// Runs a decoder of JSON text on a `Value` (tests and callers that have one).
fn with_raw<R>(v: &Value, decode: impl FnOnce(&RawValue) -> R) -> R {
    let text = v.to_string();
    match serde_json::from_str::<&RawValue>(&text) {
        Ok(raw) => decode(raw),
        // A `Value` always prints as valid JSON; `null` stands in all the same.
        Err(_) => decode(null_raw()),
    }
}

fn null_raw() -> &'static RawValue {
    static NULL: std::sync::OnceLock<Box<RawValue>> = std::sync::OnceLock::new();
    NULL.get_or_init(|| RawValue::NULL.to_owned())
}

/// Answers as `[{question, answer}]`, or as an object `{question: answer}`.
fn decode_answers(raw: &RawValue) -> Vec<Answer> {
    if kind(raw) == Kind::Object {
        let mut all_objects = true;
        for_each_entry(raw, |_, v| all_objects &= kind(v) == Kind::Object);
        if !all_objects {
            let mut answers = Vec::new();
            for_each_entry(raw, |q, a| {
                answers.push(Answer {
                    question: q.into_owned(),
                    answer: scalar(a).and_then(|v| scalar_string(&v)),
                })
            });
            return answers;
        }
    }
    let list = decode_list(raw, &["attendee_data", "answers"], &mut |item, _| {
        let obj = Fields::of(item, &["question", "answer"]).ok_or("not an object")?;
        Ok(Answer {
            question: string_field(&obj, &["question"]).unwrap_or_default(),
            answer: obj.get("answer").and_then(scalar).and_then(|v| scalar_string(&v)),
        })
    });
    list.items
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

/// What a decoder makes of one item: the item, or why it was skipped.
/// (A borrowed reason costs nothing: a million junk items make no million strings.)
type ItemDecoder<'f, T> = dyn FnMut(&RawValue, Option<&str>) -> Result<T, Why> + 'f;

/// Why an item was skipped.
type Why = Cow<'static, str>;

/// Walks a list in any of the shapes servers send: a bare array, an object
/// wrapping one array (or one keyed object) under a name, or an object keyed by id.
/// Items are decoded one at a time from the body's text: no item outlives its
/// turn, and a skipped one costs a count.
fn decode_list<T>(raw: &RawValue, wrapper_names: &[&str], decode: &mut ItemDecoder<'_, T>) -> Decoded<T> {
    let mut items = Vec::new();
    let mut skipped = SkipLog::default();
    let list = unwrap_list(raw, wrapper_names);
    match kind(list) {
        Kind::List => for_each_element(list, |i, item| match decode(item, None) {
            Ok(item) => items.push(item),
            Err(reason) => skipped.push(|| format!("#{i}"), reason),
        }),
        Kind::Object => for_each_entry(list, |key, item| match decode(item, Some(&key)) {
            Ok(item) => items.push(item),
            Err(reason) => skipped.push(|| key.into_owned(), reason),
        }),
        Kind::Null => {}
        Kind::String if list.get() == "\"\"" => {}
        other => skipped.push(|| "#0".into(), format!("expected a list, got {}", other.describe()).into()),
    }
    Decoded { items, skipped: skipped.finish() }
}

/// Finds the list inside a wrapper object, if it is wrapped.
fn unwrap_list<'a>(raw: &'a RawValue, wrapper_names: &[&str]) -> &'a RawValue {
    if kind(raw) != Kind::Object {
        return raw;
    }
    let names: Vec<&str> = wrapper_names.iter().chain(&["data", "items", "results"]).copied().collect();
    // One pass over the keys: the wrappers it has, and its array fields (two are enough to know).
    let mut wrappers: Vec<Option<&'a RawValue>> = vec![None; names.len()];
    let mut arrays: Vec<&'a RawValue> = Vec::new();
    for_each_entry(raw, |key, v| {
        let k = kind(v);
        if let Some(i) = names.iter().position(|n| *n == key)
            && matches!(k, Kind::List | Kind::Object)
        {
            wrappers[i] = Some(v);
        }
        if k == Kind::List && arrays.len() < 2 {
            arrays.push(v);
        }
    });
    if let Some(inner) = wrappers.into_iter().flatten().next() {
        return unwrap_list(inner, wrapper_names);
    }
    // Any single array field: {"whatever": [...]} (plus scalar metadata like "count").
    match arrays.as_slice() {
        [only] => only,
        _ => raw,
    }
}

/// `{"order": {...}}` → the inner object, when that is all there is.
fn unwrap_single(raw: &RawValue) -> &RawValue {
    if kind(raw) != Kind::Object {
        return raw;
    }
    let mut entries = 0;
    let mut only = None;
    for_each_entry(raw, |key, v| {
        entries += 1;
        only = (entries == 1 && key != "id" && kind(v) == Kind::Object).then_some(v);
    });
    match only {
        Some(inner) if entries == 1 => inner,
        _ => raw,
    }
}

/// What a JSON value is, from its first character: no need to parse it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Null,
    Bool,
    Number,
    String,
    List,
    Object,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::List => "a list",
            Kind::Object => "an object",
        }
    }
}

fn kind(raw: &RawValue) -> Kind {
    match raw.get().trim_start().as_bytes().first() {
        Some(b'n') => Kind::Null,
        Some(b't' | b'f') => Kind::Bool,
        Some(b'"') => Kind::String,
        Some(b'[') => Kind::List,
        Some(b'{') => Kind::Object,
        _ => Kind::Number,
    }
}

/// A scalar as a `Value` (cheap); `None` for a list or object, which are never parsed whole.
fn scalar(raw: &RawValue) -> Option<Value> {
    if matches!(kind(raw), Kind::List | Kind::Object) {
        return None;
    }
    serde_json::from_str(raw.get()).ok()
}

/// The fields of one JSON object that a decoder reads, as slices of the body.
/// Fields it does not read are skipped over, so an item of a million junk keys
/// costs no more than one of three.
struct Fields<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Fields<'a> {
    /// `None` when `raw` is not an object.
    fn of(raw: &'a RawValue, wanted: &[&str]) -> Option<Fields<'a>> {
        if kind(raw) != Kind::Object {
            return None;
        }
        let mut fields = Vec::new();
        for_each_entry(raw, |key, v| {
            if wanted.contains(&key.as_ref()) {
                fields.push((key, v));
            }
        });
        Some(Fields(fields))
    }

    /// The field's value; the last one when a key repeats (as `serde_json::Map` does).
    fn get(&self, name: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| *v)
    }
}

/// Calls `f` with each element of a JSON array, in order, without keeping any.
fn for_each_element<'a>(raw: &'a RawValue, f: impl FnMut(usize, &'a RawValue)) {
    struct Elements<F>(F);
    impl<'de, F: FnMut(usize, &'de RawValue)> Visitor<'de> for Elements<F> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0;
            while let Some(item) = seq.next_element::<&'de RawValue>()? {
                (self.0)(i, item);
                i += 1;
            }
            Ok(())
        }
    }
    // The text was checked as JSON when the body was read, so this cannot fail.
    let _ = serde_json::Deserializer::from_str(raw.get()).deserialize_seq(Elements(f));
}

/// Calls `f` with each key and value of a JSON object, in the order sent, without keeping any.
fn for_each_entry<'a>(raw: &'a RawValue, f: impl FnMut(Cow<'a, str>, &'a RawValue)) {
    struct Entries<F>(F);
    impl<'de, F: FnMut(Cow<'de, str>, &'de RawValue)> Visitor<'de> for Entries<F> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
            while let Some(Key(key)) = map.next_key()? {
                let value: &'de RawValue = map.next_value()?;
                (self.0)(key, value);
            }
            Ok(())
        }
    }
    let _ = serde_json::Deserializer::from_str(raw.get()).deserialize_map(Entries(f));
}

/// An object key, borrowed from the body unless it had escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// The first of `names` that holds an id (number or numeric string), else the
/// object key the item was found under.
fn id_field(obj: &Fields<'_>, names: &[&str], key: Option<&str>) -> Result<u64, Why> {
    for name in names {
        match obj.get(name) {
            None => continue,
            Some(v) if kind(v) == Kind::Null => continue,
            Some(v) => {
                return scalar(v)
                    .and_then(|v| parse_id(&v))
                    .ok_or_else(|| format!("{name} is not an id: {}", short(v)).into());
            }
        }
    }
    key.and_then(|k| k.trim().parse().ok()).ok_or_else(|| format!("no {}", names[0]).into())
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
fn string_field(obj: &Fields<'_>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| obj.get(n).and_then(scalar).and_then(|v| scalar_string(&v)))
}

/// An amount, or `None` when missing or unreadable.
fn money_field(obj: &Fields<'_>, name: &str) -> Option<Money> {
    let raw = obj.get(name)?;
    Money::from_json(Some(&scalar(raw)?)).ok().flatten()
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

/// The start of a value as sent, for a reason: cut before it is cleaned, so a
/// huge value costs no more than a short one.
fn short(raw: &RawValue) -> String {
    let text = raw.get();
    let mut end = text.len().min(120);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    crate::text::truncate(&crate::text::sanitize(&text[..end]), 30).into_owned()
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
