//! Control endpoints under `/demo/`, to change a running demo server by hand
//! (`curl -X POST ...`) — the knobs and changes that tests make by calling
//! [`DemoServer`](super::DemoServer) methods.
//!
//! No authentication: the server only listens on 127.0.0.1. These requests
//! are not API requests: they are not counted in `Stats`, get no latency and
//! no faults, and the rate limit does not apply to them.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;

use super::faults::json_error;
use super::mutate::{MutationError, OrderStatus};
use super::{Fault, Shared};

/// The control endpoints, one `(method and path, what it does)` a line, as
/// `floktu demo-server` prints them under the server's address.
pub const CONTROL_ENDPOINTS: &[(&str, &str)] = &[
    (
        "POST /demo/orders/{id}/status?to=cancelled",
        "set an order's status (confirmed, unconfirmed, cancelled)",
    ),
    ("POST /demo/orders/{id}/check-in", "check in every attendee of an order, as of now"),
    ("POST /demo/attendees/{id}/check-in", "check in one attendee, as of now"),
    ("POST /demo/events/{id}/orders?attendees=2", "add an order at the end of an event; answers its ids"),
    ("POST /demo/events/{id}/fail?fraction=0.1&fault=500", "fail these orders' details until healed"),
    ("POST /demo/heal[?order=ID]", "heal one order, or clear every fault and the fail rate"),
    ("POST /demo/fail-rate?rate=0.1[&fault=503]", "fail this fraction of API requests at random"),
    ("POST /demo/rate-limit?rate=5&burst=10", "token-bucket rate limit (rate=off lifts it)"),
    ("POST /demo/stop-for?secs=20", "refuse connections for that long, then serve again"),
];

/// The faults `fault=` names: a status code, or what happens to the connection.
const FAULT_NAMES: &str = "500, 502, 503, 429, 404, drop, hang, truncate";

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/demo/orders/{id}/status", post(set_status))
        .route("/demo/orders/{id}/check-in", post(check_in_order))
        .route("/demo/attendees/{id}/check-in", post(check_in_attendee))
        .route("/demo/events/{id}/orders", post(add_order))
        .route("/demo/events/{id}/fail", post(fail_orders))
        .route("/demo/heal", post(heal))
        .route("/demo/fail-rate", post(fail_rate))
        .route("/demo/rate-limit", post(rate_limit))
        .route("/demo/stop-for", post(stop_for))
}

/// Every query parameter the endpoints take, each as sent, so that a bad value
/// gets a JSON error that says what to send rather than axum's plain text.
#[derive(Deserialize, Default)]
struct Params {
    to: Option<String>,
    attendees: Option<String>,
    fraction: Option<String>,
    fault: Option<String>,
    order: Option<String>,
    rate: Option<String>,
    burst: Option<String>,
    secs: Option<String>,
}

/// Why a control request was not carried out.
enum Refusal {
    Bad(String),
    Missing(MutationError),
}

impl From<MutationError> for Refusal {
    fn from(e: MutationError) -> Refusal {
        Refusal::Missing(e)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Bad(why) => json_error(StatusCode::BAD_REQUEST, "invalid_request", &why),
            Refusal::Missing(e) => json_error(StatusCode::NOT_FOUND, "not_found", &e.to_string()),
        }
    }
}

type Answer = Result<Response, Refusal>;

/// A required parameter, parsed.
fn required<T: std::str::FromStr>(value: Option<&str>, name: &str, what: &str) -> Result<T, Refusal> {
    let value = value.ok_or_else(|| Refusal::Bad(format!("add ?{name}=: {what}")))?;
    value.trim().parse().map_err(|_| Refusal::Bad(format!("{name}={value:?} is not {what}")))
}

/// An optional parameter, parsed, or `default` when absent.
fn optional<T: std::str::FromStr>(
    value: Option<&str>,
    name: &str,
    what: &str,
    default: T,
) -> Result<T, Refusal> {
    match value {
        None => Ok(default),
        some => required(some, name, what),
    }
}

fn id(raw: &str) -> Result<u64, Refusal> {
    raw.parse().map_err(|_| Refusal::Bad(format!("{raw:?} is not an id")))
}

/// The fault a `fault=` name stands for.
fn fault(name: &str) -> Result<Fault, Refusal> {
    Ok(match name.trim().to_ascii_lowercase().as_str() {
        "500" => Fault::ServerErrorJson,
        "502" => Fault::ServerErrorHtml,
        "503" => Fault::ServiceUnavailable { retry_after_secs: None },
        "429" => Fault::TooManyRequests { retry_after_secs: Some(1) },
        "404" => Fault::NotFound,
        "drop" => Fault::DropConnection,
        "hang" => Fault::Hang,
        "truncate" => Fault::TruncatedBody,
        _ => return Err(Refusal::Bad(format!("no fault {name:?}: use one of {FAULT_NAMES}"))),
    })
}

fn ok(body: serde_json::Value) -> Answer {
    Ok(axum::Json(body).into_response())
}

async fn set_status(
    State(shared): State<Arc<Shared>>,
    Path(order): Path<String>,
    Query(p): Query<Params>,
) -> Answer {
    let order = id(&order)?;
    let status = p.to.as_deref().unwrap_or_default().parse::<OrderStatus>().map_err(Refusal::Bad)?;
    shared.set_order_status(order, status)?;
    ok(json!({ "order_id": order, "status": status.as_str() }))
}

async fn check_in_order(State(shared): State<Arc<Shared>>, Path(order): Path<String>) -> Answer {
    let order = id(&order)?;
    let checked = shared.check_in_order(order)?;
    ok(json!({ "order_id": order, "checked_in": checked }))
}

async fn check_in_attendee(State(shared): State<Arc<Shared>>, Path(attendee): Path<String>) -> Answer {
    let attendee = id(&attendee)?;
    let newly = shared.check_in_attendee(attendee)?;
    ok(json!({ "attendee_id": attendee, "checked_in": newly }))
}

async fn add_order(
    State(shared): State<Arc<Shared>>,
    Path(event): Path<String>,
    Query(p): Query<Params>,
) -> Answer {
    let event = id(&event)?;
    let attendees: usize = optional(p.attendees.as_deref(), "attendees", "a number of attendees", 1)?;
    if !(1..=50).contains(&attendees) {
        return Err(Refusal::Bad(format!("attendees={attendees}: an order has 1 to 50")));
    }
    let added = shared.add_order(event, attendees)?;
    Ok((StatusCode::CREATED, axum::Json(added)).into_response())
}

async fn fail_orders(
    State(shared): State<Arc<Shared>>,
    Path(event): Path<String>,
    Query(p): Query<Params>,
) -> Answer {
    let event = id(&event)?;
    let fraction: f64 = required(p.fraction.as_deref(), "fraction", "a fraction from 0 to 1")?;
    let fault = fault(p.fault.as_deref().unwrap_or("500"))?;
    let ids = shared.fail_event_orders(event, fraction, &fault)?;
    ok(json!({ "event_id": event, "failing": ids }))
}

async fn heal(State(shared): State<Arc<Shared>>, Query(p): Query<Params>) -> Answer {
    match p.order.as_deref() {
        Some(order) => {
            let order = id(order)?;
            ok(json!({ "order_id": order, "healed": shared.knobs.heal_order(order) }))
        }
        None => {
            shared.knobs.clear_faults();
            ok(json!({ "healed": "all" }))
        }
    }
}

async fn fail_rate(State(shared): State<Arc<Shared>>, Query(p): Query<Params>) -> Answer {
    let rate: f64 = required(p.rate.as_deref(), "rate", "a fraction from 0 to 1")?;
    match p.fault.as_deref() {
        Some(name) => shared.knobs.set_fail_rate_with(rate, fault(name)?),
        None => shared.knobs.set_fail_rate(rate),
    }
    ok(json!({ "fail_rate": shared.knobs.fail_rate(), "fault": p.fault.unwrap_or_else(|| "mix".into()) }))
}

async fn rate_limit(State(shared): State<Arc<Shared>>, Query(p): Query<Params>) -> Answer {
    let rate = match p.rate.as_deref().map(str::trim) {
        Some("off") => None,
        raw => Some(required::<f64>(raw, "rate", "requests a second, or off")?),
    };
    let burst: u32 = optional(p.burst.as_deref(), "burst", "a whole number of requests", 10)?;
    shared.knobs.set_rate_limit(rate, burst);
    let (rate, burst) = shared.knobs.rate_limit().unzip();
    ok(json!({ "rate": rate, "burst": burst }))
}

async fn stop_for(State(shared): State<Arc<Shared>>, Query(p): Query<Params>) -> Answer {
    let secs: u64 = required(p.secs.as_deref(), "secs", "whole seconds from 1 to 3600")?;
    if !(1..=3600).contains(&secs) {
        return Err(Refusal::Bad(format!("secs={secs}: stop for 1 to 3600 seconds")));
    }
    super::stop_for(&shared, Duration::from_secs(secs));
    Ok((StatusCode::ACCEPTED, axum::Json(json!({ "stopped_for_secs": secs }))).into_response())
}
