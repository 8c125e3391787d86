//! The demo server's knobs — latency, injected faults, the rate limit, the JSON
//! shape, hostile text, token revocation — and the responses a fault produces.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::data::Prng;
use super::rate::{RateLimit, TokenBucket};
use super::reset::ResetSwitch;

/// A way for one API request to go wrong.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// 502 with an HTML error page (`text/html`), as a proxy in front of the API sends.
    ServerErrorHtml,
    /// 500 with `{"error":"server_error","error_description":"..."}`.
    ServerErrorJson,
    /// 429, with a `Retry-After` header of this many seconds when `Some`.
    TooManyRequests {
        /// The `Retry-After` value in seconds; no header when `None`.
        retry_after_secs: Option<u64>,
    },
    /// 503 with `{"error":"temporarily_unavailable"}`, and a `Retry-After`
    /// header of this many seconds when `Some`: a server in maintenance or
    /// overloaded.
    ServiceUnavailable {
        /// The `Retry-After` value in seconds; no header when `None`.
        retry_after_secs: Option<u64>,
    },
    /// The connection is closed without any answer.
    DropConnection,
    /// 200 with JSON headers, but the connection closes (FIN) after half of the body.
    TruncatedBody,
    /// 200 with JSON headers, but the connection is reset (RST) after half of
    /// the body: the client reads "connection reset", not an early end.
    ResetMidBody,
    /// 200 with the normal JSON, except that every text value (names, emails,
    /// tickets, answers...) starts with a stray 0xFF byte and ends with a cut
    /// three-byte sequence: invalid UTF-8 inside the strings.
    InvalidUtf8,
    /// 200 with a correct `Content-Length` for a body that is the first half of
    /// the JSON (cut on a character boundary): the server really sent that, and
    /// the connection stays fine.
    CutJson,
    /// 200 `application/json` of exactly this many bytes (at least 4), streamed
    /// without a `Content-Length`: `[`, the same order summary over and over,
    /// `]`. Never held in memory.
    HugeBody {
        /// The size of the body.
        bytes: usize,
    },
    /// No answer at all, until the client gives up or the server stops.
    Hang,
    /// 404 with `{"error":"not_found"}`.
    NotFound,
}

/// How the API's JSON is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Shape {
    /// As documented: bare arrays, integer ids, amounts as JSON numbers,
    /// optional fields left out when absent.
    #[default]
    Documented,
    /// Everything real servers get wrong, at once: ids as numeric strings,
    /// amounts as decimal strings, the events list keyed by id, the orders list
    /// wrapped in `{"orders": [...]}`, attendees as a bare array, a wrapped array
    /// or an object keyed by id (and `null` when there are none), absent optional
    /// fields as `null` or `""`, unknown extra fields everywhere, and
    /// `check_in_date` as "YYYY-MM-DD HH:MM:SS", RFC 3339 or unix seconds in a string.
    Tolerant,
}

impl Shape {
    /// "documented" or "tolerant", as `floktu demo-server --shape` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Documented => "documented",
            Shape::Tolerant => "tolerant",
        }
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Shape {
    type Err = String;

    /// "documented" or "tolerant", in any case.
    fn from_str(s: &str) -> Result<Shape, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "documented" => Ok(Shape::Documented),
            "tolerant" => Ok(Shape::Tolerant),
            _ => Err(format!("no JSON shape {s:?}: use documented or tolerant")),
        }
    }
}

/// Settings of a running demo server; every method is safe to call while it serves.
#[derive(Debug)]
pub struct Knobs {
    latency_ms: AtomicU64,
    jitter_ms: AtomicU64,
    hostile: AtomicBool,
    fail_rate_bits: AtomicU64,
    shape: AtomicU8,
    token_generation: AtomicU64,
    /// `fail_next` requests: each entry is a fault and how many more requests get it.
    next: Mutex<VecDeque<(usize, Fault)>>,
    failing_orders: Mutex<HashMap<u64, Fault>>,
    /// The fault the fail rate produces; `None`: a random one of the mix.
    fail_rate_fault: Mutex<Option<Fault>>,
    /// Whether `bucket` holds a limit: requests need not lock it when not.
    limited: AtomicBool,
    bucket: Mutex<Option<TokenBucket>>,
    rng: Mutex<Prng>,
}

impl Knobs {
    pub(crate) fn new(latency_ms: u64, fail_rate: f64, seed: u64) -> Knobs {
        let knobs = Knobs {
            latency_ms: AtomicU64::new(latency_ms),
            jitter_ms: AtomicU64::new(0),
            hostile: AtomicBool::new(false),
            fail_rate_bits: AtomicU64::new(0),
            shape: AtomicU8::new(0),
            token_generation: AtomicU64::new(0),
            next: Mutex::new(VecDeque::new()),
            failing_orders: Mutex::new(HashMap::new()),
            fail_rate_fault: Mutex::new(None),
            limited: AtomicBool::new(false),
            bucket: Mutex::new(None),
            rng: Mutex::new(Prng::new(seed ^ 0x5EED_FA17)),
        };
        knobs.set_fail_rate(fail_rate);
        knobs
    }

    /// Adds this delay to every API request from now on.
    pub fn set_latency_ms(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::Relaxed);
    }

    /// The delay added to every API request.
    pub fn latency_ms(&self) -> u64 {
        self.latency_ms.load(Ordering::Relaxed)
    }

    /// Adds a random delay of 0 to `ms` milliseconds (both included) to every
    /// API request from now on, on top of the latency, so that answers to
    /// concurrent requests come back in a different order than asked.
    pub fn set_jitter_ms(&self, ms: u64) {
        self.jitter_ms.store(ms, Ordering::Relaxed);
    }

    /// The most random delay added to an API request.
    pub fn jitter_ms(&self) -> u64 {
        self.jitter_ms.load(Ordering::Relaxed)
    }

    /// The delay for the API request being handled: the latency plus a random
    /// part of the jitter.
    pub(crate) fn delay(&self) -> Duration {
        let jitter = match self.jitter_ms() {
            0 => 0,
            max => lock(&self.rng).range(0, max),
        };
        Duration::from_millis(self.latency_ms().saturating_add(jitter))
    }

    /// Sends hostile text (see [`hostile_catalogue`](super::hostile_catalogue))
    /// in every text field from now on: event names, purchaser names and emails,
    /// vouchers, ticket groups, tickets, attendee names, companies, questions
    /// and answers. Ids, amounts, statuses and check-in dates stay as they are,
    /// and so do the orders and attendees: only their text changes.
    pub fn set_hostile(&self, on: bool) {
        self.hostile.store(on, Ordering::Relaxed);
    }

    /// Whether text fields carry hostile text.
    pub fn hostile(&self) -> bool {
        self.hostile.load(Ordering::Relaxed)
    }

    /// Makes this fraction (clamped to 0.0..=1.0) of API requests fail with a
    /// random fault: a 502 HTML page, a 429 with `Retry-After: 1`, or a dropped
    /// connection. Forgets a fault chosen by [`Knobs::set_fail_rate_with`].
    pub fn set_fail_rate(&self, rate: f64) {
        *lock(&self.fail_rate_fault) = None;
        self.store_fail_rate(rate);
    }

    /// Makes this fraction (clamped to 0.0..=1.0) of API requests, picked at
    /// random, fail with exactly this fault, e.g.
    /// `Fault::ServiceUnavailable { retry_after_secs: None }`.
    pub fn set_fail_rate_with(&self, rate: f64, fault: Fault) {
        *lock(&self.fail_rate_fault) = Some(fault);
        self.store_fail_rate(rate);
    }

    fn store_fail_rate(&self, rate: f64) {
        let rate = if rate.is_nan() { 0.0 } else { rate.clamp(0.0, 1.0) };
        self.fail_rate_bits.store(rate.to_bits(), Ordering::Relaxed);
    }

    /// The fraction of API requests that fail at random.
    pub fn fail_rate(&self) -> f64 {
        f64::from_bits(self.fail_rate_bits.load(Ordering::Relaxed))
    }

    /// The next `n` API requests (of any kind) get exactly this fault; then
    /// normal service resumes. Calls queue up: `fail_next(1, a); fail_next(2, b)`
    /// fails one request with `a`, then two with `b`.
    pub fn fail_next(&self, n: usize, fault: Fault) {
        if n > 0 {
            lock(&self.next).push_back((n, fault));
        }
    }

    /// Every request for this order's details fails with this fault, until
    /// [`Knobs::heal_order`] or [`Knobs::clear_faults`].
    pub fn fail_order_always(&self, order_id: u64, fault: Fault) {
        lock(&self.failing_orders).insert(order_id, fault);
    }

    /// Every request for these orders' details fails with this fault, until healed.
    pub(crate) fn fail_orders_always(&self, order_ids: &[u64], fault: &Fault) {
        let mut failing = lock(&self.failing_orders);
        failing.extend(order_ids.iter().map(|&id| (id, fault.clone())));
    }

    /// Serves this order's details again after [`Knobs::fail_order_always`];
    /// false when it was not failing.
    pub fn heal_order(&self, order_id: u64) -> bool {
        lock(&self.failing_orders).remove(&order_id).is_some()
    }

    /// The orders failing until healed, in id order.
    pub fn failing_orders(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = lock(&self.failing_orders).keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// Forgets queued `fail_next` faults and always-failing orders (heals them
    /// all), and sets the fail rate to 0 with the random mix. Latency, jitter,
    /// the rate limit, shape, hostile text and revocation stay as they are.
    pub fn clear_faults(&self) {
        lock(&self.next).clear();
        lock(&self.failing_orders).clear();
        self.set_fail_rate(0.0);
    }

    /// Limits API requests to `rate` a second on average with bursts of up to
    /// `burst` (at least 1), from now on, starting with a full bucket; `None`
    /// (or a rate that is not positive) lifts the limit. A request past the
    /// limit is answered 429 with `Retry-After` (whole seconds until a token
    /// is back, rounded up, at least 1) and a JSON error, and takes no token.
    pub fn set_rate_limit(&self, rate: Option<f64>, burst: u32) {
        let limit = rate.and_then(|rate| RateLimit::new(rate, burst));
        let mut bucket = lock(&self.bucket);
        *bucket = limit.map(|limit| TokenBucket::new(limit, Instant::now()));
        self.limited.store(bucket.is_some(), Ordering::SeqCst);
    }

    /// The rate limit in force, as `(rate, burst)`.
    pub fn rate_limit(&self) -> Option<(f64, u32)> {
        lock(&self.bucket).as_ref().map(|b| (b.limit().rate, b.limit().burst))
    }

    /// Takes a token for an API request arriving now, or says how long until
    /// there is one.
    pub(crate) fn admit(&self, now: Instant) -> Result<(), Duration> {
        if !self.limited.load(Ordering::SeqCst) {
            return Ok(());
        }
        match lock(&self.bucket).as_mut() {
            Some(bucket) => bucket.take(now),
            None => Ok(()),
        }
    }

    /// Serves the JSON in this shape from now on.
    pub fn set_shape(&self, shape: Shape) {
        let code = match shape {
            Shape::Documented => 0,
            Shape::Tolerant => 1,
        };
        self.shape.store(code, Ordering::Relaxed);
    }

    /// The shape the JSON is served in.
    pub fn shape(&self) -> Shape {
        match self.shape.load(Ordering::Relaxed) {
            1 => Shape::Tolerant,
            _ => Shape::Documented,
        }
    }

    /// Revokes every access token accepted so far (the start token and all that
    /// `/token` issued): from now on API requests carrying them answer 401.
    /// Tokens issued by `/token` after this call work, as after a new login.
    pub fn revoke_token(&self) {
        self.token_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Tokens issued in an older generation than this one are revoked.
    pub(crate) fn token_generation(&self) -> u64 {
        self.token_generation.load(Ordering::SeqCst)
    }

    /// The fault for the API request being handled, if any: the `fail_next`
    /// queue first, then always-failing orders (for order details), then the
    /// fail rate.
    pub(crate) fn pick_fault(&self, order_id: Option<u64>) -> Option<Fault> {
        {
            let mut next = lock(&self.next);
            if let Some((left, fault)) = next.front_mut() {
                let fault = fault.clone();
                *left -= 1;
                if *left == 0 {
                    next.pop_front();
                }
                return Some(fault);
            }
        }
        if let Some(id) = order_id
            && let Some(fault) = lock(&self.failing_orders).get(&id)
        {
            return Some(fault.clone());
        }
        let rate = self.fail_rate();
        if rate <= 0.0 {
            return None;
        }
        let mut rng = lock(&self.rng);
        // 53 random bits give a uniform f64 in 0..1.
        let roll = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        if roll >= rate {
            return None;
        }
        if let Some(fault) = lock(&self.fail_rate_fault).as_ref() {
            return Some(fault.clone());
        }
        Some(match rng.below(3) {
            0 => Fault::ServerErrorHtml,
            1 => Fault::TooManyRequests { retry_after_secs: Some(1) },
            _ => Fault::DropConnection,
        })
    }
}

/// Locks a knob; a handler that panicked while holding it left nothing half-done.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

const BAD_GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// The response for a fault that does not need the normal answer, to wait or
/// to stream (the caller handles those: see [`Fault::needs_answer`], `Hang` and
/// `HugeBody`).
pub(crate) fn response(fault: &Fault) -> Response {
    match fault {
        Fault::ServerErrorHtml => {
            (StatusCode::BAD_GATEWAY, [(header::CONTENT_TYPE, "text/html")], BAD_GATEWAY_PAGE).into_response()
        }
        Fault::ServerErrorJson => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The server encountered an unexpected condition.",
        ),
        Fault::TooManyRequests { retry_after_secs } => {
            let mut r = json_error(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Rate limit exceeded; slow down.",
            );
            if let Some(secs) = retry_after_secs {
                r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*secs));
            }
            r
        }
        Fault::ServiceUnavailable { retry_after_secs } => {
            let mut r = json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "The service is temporarily unavailable; try again later.",
            );
            if let Some(secs) = retry_after_secs {
                r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*secs));
            }
            r
        }
        Fault::NotFound => json_error(StatusCode::NOT_FOUND, "not_found", "Not found."),
        Fault::DropConnection
        | Fault::Hang
        | Fault::TruncatedBody
        | Fault::ResetMidBody
        | Fault::InvalidUtf8
        | Fault::CutJson
        | Fault::HugeBody { .. } => dropped_connection(),
    }
}

impl Fault {
    /// A fault that spoils the normal answer (so a request that gets no answer,
    /// e.g. a 401, gets its refusal instead).
    pub(crate) fn needs_answer(&self) -> bool {
        matches!(self, Fault::TruncatedBody | Fault::ResetMidBody | Fault::InvalidUtf8 | Fault::CutJson)
    }
}

/// The normal answer `body`, spoiled by a fault that [`Fault::needs_answer`].
pub(crate) fn spoiled(fault: &Fault, body: Vec<u8>, connection: &ResetSwitch) -> Response {
    match fault {
        Fault::ResetMidBody => half_then_break(body, Some(connection.clone())),
        Fault::InvalidUtf8 => json_body(invalid_utf8(&body)),
        Fault::CutJson => json_body(cut_json(body)),
        _ => half_then_break(body, None),
    }
}

/// A JSON error body as OAuth-style APIs send them.
pub(crate) fn json_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = serde_json::json!({ "error": error, "error_description": description });
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// A response whose body fails before its first byte: the server closes the
/// connection without having sent anything, not even a status line.
pub(crate) fn dropped_connection() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, io::Error>(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "demo fault: connection dropped",
        ))
    });
    Body::from_stream(stream).into_response()
}

/// 200 with JSON headers and the full length announced, but only the first half
/// of `body` arrives before the connection breaks: closed, or reset when a
/// switch is given.
fn half_then_break(body: Vec<u8>, reset: Option<ResetSwitch>) -> Response {
    let full = body.len();
    let half = Bytes::from(body).slice(..full / 2);
    let stream = futures::stream::unfold(Step::Half(half), move |step| {
        let reset = reset.clone();
        async move {
            match step {
                Step::Half(half) => Some((Ok(half), Step::Break)),
                Step::Break => {
                    // Let the first half reach the socket before the error closes it.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    if let Some(reset) = reset {
                        reset.trip();
                    }
                    let cut = io::Error::new(io::ErrorKind::ConnectionAborted, "demo fault: body truncated");
                    Some((Err(cut), Step::Done))
                }
                Step::Done => None,
            }
        }
    });
    let mut r = Body::from_stream(stream).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(full));
    r
}

enum Step {
    Half(Bytes),
    Break,
    Done,
}

fn json_body(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The fields whose string values [`invalid_utf8`] spoils: text, never ids,
/// amounts, statuses or dates.
const TEXT_KEYS: &[&[u8]] = &[
    b"name",
    b"email",
    b"first_name",
    b"last_name",
    b"voucher",
    b"ticket_group",
    b"ticket",
    b"attendee_first_name",
    b"attendee_last_name",
    b"attendee_company",
    b"question",
    b"answer",
];

/// `body` (compact JSON) with a lone 0xFF after the opening quote and a cut
/// three-byte sequence (0xE2 0x82) before the closing quote of every non-empty
/// string under one of [`TEXT_KEYS`].
fn invalid_utf8(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 8);
    let mut key: &[u8] = b"";
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'"' {
            out.push(body[i]);
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < body.len() && body[end] != b'"' {
            end += if body[end] == b'\\' { 2 } else { 1 };
        }
        let end = end.min(body.len());
        let text = &body[start..end];
        let is_key =
            body[(end + 1).min(body.len())..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b':');
        out.push(b'"');
        if is_key {
            key = text;
            out.extend_from_slice(text);
        } else if !text.is_empty() && TEXT_KEYS.contains(&key) {
            out.push(0xFF);
            out.extend_from_slice(text);
            out.extend_from_slice(&[0xE2, 0x82]);
        } else {
            out.extend_from_slice(text);
        }
        out.push(b'"');
        i = end + 1;
    }
    out
}

/// The first half of `body`, cut where a character starts.
fn cut_json(mut body: Vec<u8>) -> Vec<u8> {
    let mut cut = body.len() / 2;
    // UTF-8 continuation bytes are 0b10xx_xxxx.
    while cut > 0 && body[cut] & 0xC0 == 0x80 {
        cut -= 1;
    }
    body.truncate(cut);
    body
}

/// The same order summary over and over, in blocks of about 64 KiB.
const HUGE_ITEM: &[u8] =
    br#"{"id":100001,"email":"huge@example.com","first_name":"Huge","last_name":"Body"},"#;
const HUGE_ITEMS_A_BLOCK: usize = 64 * 1024 / HUGE_ITEM.len();

/// 200 `application/json` of exactly `bytes` bytes (at least 4): `[`, whole
/// items, spaces to fill, `{}]`. Streamed block by block; `sent` hears of each.
pub(crate) fn huge_body(bytes: usize, sent: impl Fn(usize) + Send + Sync + 'static) -> Response {
    let middle = bytes.max(4) - 4;
    let items = middle / HUGE_ITEM.len();
    let spaces = middle % HUGE_ITEM.len();
    let block = Bytes::from(HUGE_ITEM.repeat(HUGE_ITEMS_A_BLOCK));
    let pieces = std::iter::once(Bytes::from_static(b"["))
        .chain((0..items.div_ceil(HUGE_ITEMS_A_BLOCK)).map(move |b| {
            let n = (items - b * HUGE_ITEMS_A_BLOCK).min(HUGE_ITEMS_A_BLOCK);
            block.slice(..n * HUGE_ITEM.len())
        }))
        .chain(std::iter::once(Bytes::from(" ".repeat(spaces) + "{}]")));
    let stream = futures::stream::iter(pieces.map(move |piece| {
        sent(piece.len());
        Ok::<Bytes, io::Error>(piece)
    }));
    let mut r = Body::from_stream(stream).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_spoils_text_values_only() {
        let body = br#"[{"id":"12","name":"Gala \"X\"","check_in_date":"2026-11-28 19:42:07","voucher":""}]"#;
        let spoiled = invalid_utf8(body);
        assert!(std::str::from_utf8(&spoiled).is_err());
        let text = String::from_utf8_lossy(&spoiled);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v[0]["name"], "\u{fffd}Gala \"X\"\u{fffd}");
        assert_eq!(v[0]["id"], "12");
        assert_eq!(v[0]["check_in_date"], "2026-11-28 19:42:07");
        assert_eq!(v[0]["voucher"], "");
    }

    #[test]
    fn cut_json_ends_on_a_character_boundary_in_the_middle() {
        let body = "[\"王王王王\"]".as_bytes().to_vec();
        let cut = cut_json(body.clone());
        assert!(cut.len() < body.len() && cut.len() >= body.len() / 2 - 2);
        assert!(std::str::from_utf8(&cut).is_ok());
        assert!(serde_json::from_slice::<serde_json::Value>(&cut).unwrap_err().is_eof());
    }

    #[test]
    fn jitter_adds_up_to_its_maximum_to_the_latency() {
        let knobs = Knobs::new(5, 0.0, 1);
        assert_eq!(knobs.delay(), Duration::from_millis(5));
        knobs.set_jitter_ms(3);
        let delays: std::collections::BTreeSet<Duration> = (0..200).map(|_| knobs.delay()).collect();
        let expected: std::collections::BTreeSet<Duration> = (5..=8).map(Duration::from_millis).collect();
        assert_eq!(delays, expected);
    }

    #[test]
    fn shapes_parse_from_their_names() {
        assert_eq!("Tolerant".parse::<Shape>(), Ok(Shape::Tolerant));
        assert_eq!(Shape::Documented.to_string().parse::<Shape>(), Ok(Shape::Documented));
        assert!("loose".parse::<Shape>().is_err());
    }
}
