//! The demo server's knobs — latency, injected faults, the JSON shape, token
//! revocation — and the responses a fault produces.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::data::Prng;

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
    /// The connection is closed without any answer.
    DropConnection,
    /// 200 with JSON headers, but the connection breaks after half of the body.
    TruncatedBody,
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

/// Settings of a running demo server; every method is safe to call while it serves.
#[derive(Debug)]
pub struct Knobs {
    latency_ms: AtomicU64,
    fail_rate_bits: AtomicU64,
    shape: AtomicU8,
    token_generation: AtomicU64,
    /// `fail_next` requests: each entry is a fault and how many more requests get it.
    next: Mutex<VecDeque<(usize, Fault)>>,
    failing_orders: Mutex<HashMap<u64, Fault>>,
    rng: Mutex<Prng>,
}

impl Knobs {
    pub(crate) fn new(latency_ms: u64, fail_rate: f64, seed: u64) -> Knobs {
        let knobs = Knobs {
            latency_ms: AtomicU64::new(latency_ms),
            fail_rate_bits: AtomicU64::new(0),
            shape: AtomicU8::new(0),
            token_generation: AtomicU64::new(0),
            next: Mutex::new(VecDeque::new()),
            failing_orders: Mutex::new(HashMap::new()),
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

    /// Makes this fraction (clamped to 0.0..=1.0) of API requests fail with a
    /// random fault: a 502 HTML page, a 429 with `Retry-After: 1`, or a dropped
    /// connection.
    pub fn set_fail_rate(&self, rate: f64) {
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
    /// [`Knobs::clear_faults`].
    pub fn fail_order_always(&self, order_id: u64, fault: Fault) {
        lock(&self.failing_orders).insert(order_id, fault);
    }

    /// Forgets queued `fail_next` faults and always-failing orders, and sets the
    /// fail rate to 0. Latency, shape and revocation stay as they are.
    pub fn clear_faults(&self) {
        lock(&self.next).clear();
        lock(&self.failing_orders).clear();
        self.set_fail_rate(0.0);
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

/// The response for a fault that does not need the normal answer or to wait
/// (everything but `TruncatedBody` and `Hang`, which the caller handles).
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
        Fault::NotFound => json_error(StatusCode::NOT_FOUND, "not_found", "Not found."),
        Fault::DropConnection | Fault::Hang | Fault::TruncatedBody => dropped_connection(),
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
/// of `body` arrives before the connection breaks.
pub(crate) fn truncated(body: Vec<u8>) -> Response {
    let full = body.len();
    let half = Bytes::from(body).slice(..full / 2);
    let stream = futures::stream::unfold(Step::Half(half), |step| async move {
        match step {
            Step::Half(half) => Some((Ok(half), Step::Break)),
            Step::Break => {
                // Let the first half reach the socket before the error closes it.
                tokio::time::sleep(Duration::from_millis(20)).await;
                let cut = io::Error::new(io::ErrorKind::ConnectionAborted, "demo fault: body truncated");
                Some((Err(cut), Step::Done))
            }
            Step::Done => None,
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
