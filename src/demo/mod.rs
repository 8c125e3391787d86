//! The embedded Floktu-compatible demo server.
//!
//! An axum server on 127.0.0.1 that serves the Floktu API v2 (`events`,
//! `events/{id}/orders`, `events/{id}/orders/{id}`) over generated data, plus the
//! OAuth `authorize` and `token` endpoints, with knobs for latency, faults and
//! hostile text.
//! `floktu --demo`, `floktu demo-server`, the integration tests and the
//! benchmarks all run it.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use floktu_tui::demo::{DemoOptions, DemoServer};
//! let server = DemoServer::start(DemoOptions::default()).await?;
//! println!("Floktu demo API at {}", server.base_url());
//! server.run_until_ctrl_c().await
//! # }
//! ```

mod catalogue;
mod data;
mod faults;
mod hostile;
mod names;
mod oauth;
mod reset;
mod shape;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

pub use data::{Dataset, DemoAttendee, DemoEvent, DemoOrder, format_cents};
pub use faults::{Fault, Knobs, Shape};
pub use hostile::hostile_catalogue;

use faults::json_error;
use oauth::OAuth;
use reset::{ResetSwitch, ResettableListener};

/// How to start a [`DemoServer`].
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Port on 127.0.0.1; 0 picks any free port.
    pub port: u16,
    /// Delay added to every API request, in milliseconds.
    pub latency_ms: u64,
    /// Fraction (0.0..=1.0) of API requests that get a random fault.
    pub fail_rate: f64,
    /// Number of events.
    pub events: usize,
    /// Orders of the large event (the first); the others get 5 to 120.
    pub orders: usize,
    /// Seed of the generated data.
    pub seed: u64,
    /// The OAuth client id `authorize` and `token` accept.
    pub client_id: String,
    /// The OAuth client secret `token` accepts.
    pub client_secret: String,
    /// The access token the API accepts from the start.
    pub token: String,
}

impl Default for DemoOptions {
    fn default() -> DemoOptions {
        DemoOptions {
            port: 0,
            latency_ms: 0,
            fail_rate: 0.0,
            events: 6,
            orders: 1500,
            seed: 42,
            client_id: "demo-client".to_string(),
            client_secret: "demo-secret".to_string(),
            token: "demo-token".to_string(),
        }
    }
}

/// A snapshot of what the server has handled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// API requests (events, orders, order details) received, faults included.
    pub requests: u64,
    /// The most API requests that were being handled at once.
    pub max_in_flight: usize,
    /// API requests being handled right now.
    pub in_flight: usize,
    /// Requests to the `token` endpoint.
    pub token_requests: u64,
    /// Bytes of [`Fault::HugeBody`] answers handed to connections so far: how
    /// much of a huge answer a client let the server send before hanging up.
    pub huge_bytes_sent: u64,
}

/// A running demo server. Dropping it stops the server (without waiting);
/// [`DemoServer::shutdown`] stops it and waits.
#[derive(Debug)]
pub struct DemoServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

/// What the handlers share with each other and with [`DemoServer`].
#[derive(Debug)]
struct Shared {
    dataset: Dataset,
    /// `dataset` with hostile text, made on the first request that wants it.
    hostile: OnceLock<Dataset>,
    knobs: Knobs,
    counters: Counters,
    oauth: OAuth,
    stop: watch::Receiver<bool>,
}

impl DemoServer {
    /// Generates the data, binds 127.0.0.1:`port` and serves on the current
    /// tokio runtime. Returns once the socket listens.
    pub async fn start(opts: DemoOptions) -> io::Result<DemoServer> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, opts.port))).await?;
        let addr = listener.local_addr()?;
        let dataset = Dataset::generate(opts.seed, opts.events, opts.orders);
        let (stop, stop_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            dataset,
            hostile: OnceLock::new(),
            knobs: Knobs::new(opts.latency_ms, opts.fail_rate, opts.seed),
            counters: Counters::default(),
            oauth: OAuth::new(&opts.client_id, &opts.client_secret, &opts.token),
            stop: stop_rx.clone(),
        });
        let app = router(Arc::clone(&shared));
        let mut stopped = stop_rx;
        let task = tokio::spawn(async move {
            let graceful = async move {
                // Also ends when the sender is gone, i.e. the DemoServer was dropped.
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            let app = app.into_make_service_with_connect_info::<ResetSwitch>();
            let listener = ResettableListener(listener);
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(graceful).await {
                tracing::warn!("demo server stopped: {e}");
            }
        });
        Ok(DemoServer { addr, shared, stop, task: Some(task) })
    }

    /// The address the server listens on (127.0.0.1 and the port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API base, `http://127.0.0.1:PORT/api/v2`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v2", self.addr)
    }

    /// The knobs to change latency, faults, shape and tokens while serving.
    pub fn knobs(&self) -> &Knobs {
        &self.shared.knobs
    }

    /// The data being served, as it is without hostile text (with it on, the
    /// server sends [`Dataset::with_hostile_text`] of this).
    pub fn dataset(&self) -> &Dataset {
        &self.shared.dataset
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.shared.counters.snapshot()
    }

    /// Zeroes the request counts; `max_in_flight` restarts from the requests
    /// in flight now.
    pub fn reset_stats(&self) {
        self.shared.counters.reset();
    }

    /// Waits until `done` holds for the stats, at most `within`. Returns whether
    /// it held. For tests: wait for a condition, not for time.
    pub async fn wait_for_stats(&self, within: Duration, done: impl Fn(&Stats) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        let changed = &self.shared.counters.changed;
        loop {
            let notified = changed.notified();
            tokio::pin!(notified);
            // Register before checking, so a change in between is not missed.
            notified.as_mut().enable();
            if done(&self.stats()) {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return done(&self.stats());
            }
        }
    }

    /// Stops accepting connections, lets requests in progress finish (hanging
    /// ones are dropped) and waits for the server to end, at most 5 seconds.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task).await.is_err()
        {
            task.abort();
        }
    }

    /// Serves until Ctrl-C, then shuts down: the foreground mode of
    /// `floktu demo-server`. Prints nothing; the caller prints
    /// [`DemoServer::base_url`] and the credentials before calling this.
    pub async fn run_until_ctrl_c(self) -> io::Result<()> {
        let result = tokio::signal::ctrl_c().await;
        self.shutdown().await;
        result
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/v2/events", get(events).post(events))
        .route("/api/v2/events/{eventid}/orders", get(orders).post(orders))
        .route("/api/v2/events/{eventid}/orders/{orderid}", get(order).post(order))
        .route("/api/v2/authorize", get(oauth::authorize))
        .route("/api/v2/token", post(oauth::token))
        .fallback(|| async { json_error(StatusCode::NOT_FOUND, "not_found", "No such API endpoint.") })
        .with_state(shared)
}

/// Counters behind [`Stats`], and a signal for whoever waits on them.
#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    token_requests: AtomicU64,
    huge_bytes_sent: AtomicU64,
    changed: Notify,
}

impl Counters {
    /// Counts an API request as received and in flight until the guard drops
    /// (which also happens when a hanging request's connection goes away).
    fn enter(&self) -> InFlight<'_> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        self.changed.notify_waiters();
        InFlight(self)
    }

    fn count_token_request(&self) {
        self.token_requests.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    fn count_huge_bytes(&self, n: usize) {
        self.huge_bytes_sent.fetch_add(n as u64, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    fn snapshot(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::SeqCst),
            max_in_flight: self.max_in_flight.load(Ordering::SeqCst),
            in_flight: self.in_flight.load(Ordering::SeqCst),
            token_requests: self.token_requests.load(Ordering::SeqCst),
            huge_bytes_sent: self.huge_bytes_sent.load(Ordering::SeqCst),
        }
    }

    fn reset(&self) {
        self.requests.store(0, Ordering::SeqCst);
        self.token_requests.store(0, Ordering::SeqCst);
        self.huge_bytes_sent.store(0, Ordering::SeqCst);
        self.max_in_flight.store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
        self.changed.notify_waiters();
    }
}

struct InFlight<'a>(&'a Counters);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

/// One API request, with the path parameters as sent.
enum Call {
    Events,
    Orders(String),
    Order(String, String),
}

async fn events(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(connection): ConnectInfo<ResetSwitch>,
    headers: HeaderMap,
) -> Response {
    api(&shared, &connection, &headers, Call::Events).await
}

async fn orders(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(connection): ConnectInfo<ResetSwitch>,
    Path(event): Path<String>,
    headers: HeaderMap,
) -> Response {
    api(&shared, &connection, &headers, Call::Orders(event)).await
}

async fn order(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(connection): ConnectInfo<ResetSwitch>,
    Path((event, order)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    api(&shared, &connection, &headers, Call::Order(event, order)).await
}

/// Every API request: count it, wait the latency and jitter, maybe fail, then answer.
async fn api(shared: &Arc<Shared>, connection: &ResetSwitch, headers: &HeaderMap, call: Call) -> Response {
    let _in_flight = shared.counters.enter();
    let mut stop = shared.stop.clone();
    let delay = shared.knobs.delay();
    if !delay.is_zero() {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = stop.wait_for(|stop| *stop) => return faults::dropped_connection(),
        }
    }
    let order_id = match &call {
        Call::Order(_, order) => order.parse().ok(),
        _ => None,
    };
    match shared.knobs.pick_fault(order_id) {
        None => match answer(shared, headers, &call) {
            Ok(body) => json_response(body),
            Err(refusal) => refusal.into_response(),
        },
        Some(Fault::Hang) => {
            let _ = stop.wait_for(|stop| *stop).await;
            faults::dropped_connection()
        }
        Some(fault) if fault.needs_answer() => match answer(shared, headers, &call) {
            Ok(body) => faults::spoiled(&fault, body, connection),
            Err(refusal) => refusal.into_response(),
        },
        Some(Fault::HugeBody { bytes }) => {
            let shared = Arc::clone(shared);
            faults::huge_body(bytes, move |n| shared.counters.count_huge_bytes(n))
        }
        Some(fault) => faults::response(&fault),
    }
}

/// Why an API request gets no data.
enum Refusal {
    Unauthorized,
    NoEvent(String),
    NoOrder { event: u64, order: String },
    Encoding,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Unauthorized => {
                let mut r = json_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "The access token is missing, unknown or revoked.",
                );
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
                r
            }
            Refusal::NoEvent(event) => {
                json_error(StatusCode::NOT_FOUND, "not_found", &format!("No event {event}."))
            }
            Refusal::NoOrder { event, order } => {
                json_error(StatusCode::NOT_FOUND, "not_found", &format!("No order {order} in event {event}."))
            }
            Refusal::Encoding => {
                json_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "Could not encode the answer.")
            }
        }
    }
}

/// The normal answer to an API request: its JSON text, or why not.
fn answer(shared: &Shared, headers: &HeaderMap, call: &Call) -> Result<Vec<u8>, Refusal> {
    if !authorized(shared, headers) {
        return Err(Refusal::Unauthorized);
    }
    let shape = shared.knobs.shape();
    let data = if shared.knobs.hostile() {
        shared.hostile.get_or_init(|| shared.dataset.with_hostile_text())
    } else {
        &shared.dataset
    };
    let body = match call {
        Call::Events => shape::events(data, shape),
        Call::Orders(event) => shape::orders(find_event(data, event)?, shape),
        Call::Order(event, order) => {
            let event = find_event(data, event)?;
            // Only this event's orders: another event's order id is not found here.
            let Some(found) = order.parse().ok().and_then(|id| event.order(id)) else {
                return Err(Refusal::NoOrder { event: event.id, order: order.clone() });
            };
            shape::order(event, found, shape)
        }
    };
    body.map_err(|_| Refusal::Encoding)
}

fn find_event<'a>(data: &'a Dataset, id: &str) -> Result<&'a DemoEvent, Refusal> {
    id.parse().ok().and_then(|id| data.event(id)).ok_or_else(|| Refusal::NoEvent(id.to_string()))
}

fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some((scheme, token)) = value.trim().split_once(' ') else {
        return false;
    };
    scheme.eq_ignore_ascii_case("bearer")
        && shared.oauth.accepts(token.trim(), shared.knobs.token_generation())
}

fn json_response(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
