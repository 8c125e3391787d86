//! The embedded Floktu-compatible demo server.
//!
//! An axum server on 127.0.0.1 that serves the Floktu API v2 (`events`,
//! `events/{id}/orders`, `events/{id}/orders/{id}`) over generated data, plus the
//! OAuth `authorize` and `token` endpoints, with knobs for latency, faults, a
//! rate limit and hostile text, and changes to the data while it serves
//! (statuses, check-ins, new orders), also over HTTP under `/demo/` (see
//! [`CONTROL_ENDPOINTS`]). It can stop and start again on the same port with
//! the same data.
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
mod control;
mod data;
mod faults;
mod hostile;
mod mutate;
mod names;
mod oauth;
mod rate;
mod reset;
mod shape;
mod store;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{Mutex, Notify, watch};
use tokio::task::JoinHandle;

pub use control::CONTROL_ENDPOINTS;
pub use data::{Dataset, DemoAttendee, DemoEvent, DemoOrder, format_cents};
pub use faults::{Fault, Knobs, Shape};
pub use hostile::hostile_catalogue;
pub use mutate::{AddedOrder, MutationError, OrderStatus};

use faults::json_error;
use oauth::OAuth;
use reset::{ResetSwitch, ResettableListener};
use store::Store;

/// How to start a [`DemoServer`].
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Port on 127.0.0.1; 0 picks any free port.
    pub port: u16,
    /// Delay added to every API request, in milliseconds.
    pub latency_ms: u64,
    /// Fraction (0.0..=1.0) of API requests that get a random fault.
    pub fail_rate: f64,
    /// API requests allowed a second on average (a token bucket); `None`: no limit.
    pub rate: Option<f64>,
    /// With `rate`, how many requests may come at once (the bucket's size, at least 1).
    pub burst: u32,
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
            rate: None,
            burst: 10,
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
    /// API requests refused by the rate limit (429), counted in `requests` too.
    pub rate_limited: u64,
    /// Requests to the `token` endpoint.
    pub token_requests: u64,
    /// Bytes of [`Fault::HugeBody`] answers handed to connections so far: how
    /// much of a huge answer a client let the server send before hanging up.
    pub huge_bytes_sent: u64,
}

/// A running demo server. Dropping it stops the server (without waiting);
/// [`DemoServer::shutdown`] stops it and waits. [`DemoServer::stop`] and
/// [`DemoServer::restart`] stop it for a while and bring it back on the same
/// port with the same data, knobs and counters.
#[derive(Debug)]
pub struct DemoServer {
    shared: Arc<Shared>,
}

/// What the handlers share with each other and with [`DemoServer`].
#[derive(Debug)]
struct Shared {
    data: Store,
    /// The seed of the data, also for the orders added and picked later.
    seed: u64,
    knobs: Knobs,
    counters: Counters,
    oauth: OAuth,
    addr: SocketAddr,
    /// True while the server is stopping or stopped; hanging and slow requests
    /// end when it turns true.
    stop: watch::Sender<bool>,
    /// The task serving now, if any; also keeps stops and restarts in turn.
    serving: Mutex<Option<JoinHandle<()>>>,
    /// Shut down or dropped for good: nothing restarts it.
    closed: AtomicBool,
}

impl DemoServer {
    /// Generates the data, binds 127.0.0.1:`port` and serves on the current
    /// tokio runtime. Returns once the socket listens.
    pub async fn start(opts: DemoOptions) -> io::Result<DemoServer> {
        let listener = bind(SocketAddr::from((Ipv4Addr::LOCALHOST, opts.port)))?;
        let addr = listener.local_addr()?;
        let knobs = Knobs::new(opts.latency_ms, opts.fail_rate, opts.seed);
        knobs.set_rate_limit(opts.rate, opts.burst);
        let shared = Arc::new(Shared {
            data: Store::new(Dataset::generate(opts.seed, opts.events, opts.orders)),
            seed: opts.seed,
            knobs,
            counters: Counters::default(),
            oauth: OAuth::new(&opts.client_id, &opts.client_secret, &opts.token),
            addr,
            stop: watch::Sender::new(false),
            serving: Mutex::new(None),
            closed: AtomicBool::new(false),
        });
        *shared.serving.lock().await = Some(serve(&shared, listener));
        Ok(DemoServer { shared })
    }

    /// The address the server listens on (127.0.0.1 and the port).
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The API base, `http://127.0.0.1:PORT/api/v2`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v2", self.shared.addr)
    }

    /// The base of the control endpoints, `http://127.0.0.1:PORT/demo`; see
    /// [`CONTROL_ENDPOINTS`].
    pub fn control_url(&self) -> String {
        format!("http://{}/demo", self.shared.addr)
    }

    /// The knobs to change latency, faults, the rate limit, shape and tokens
    /// while serving.
    pub fn knobs(&self) -> &Knobs {
        &self.shared.knobs
    }

    /// The data being served now, as it is without hostile text (with it on,
    /// the server sends [`Dataset::with_hostile_text`] of this). A snapshot:
    /// changes made after this call do not show in it.
    pub fn dataset(&self) -> Arc<Dataset> {
        self.shared.data.snapshot()
    }

    /// Sets an order's status; the next request for it sees the new one.
    pub fn set_order_status(&self, order_id: u64, status: OrderStatus) -> Result<(), MutationError> {
        self.shared.set_order_status(order_id, status)
    }

    /// Checks in, as of now, every attendee of the order not checked in yet
    /// (`check_in_date` "YYYY-MM-DD HH:MM:SS", UTC); returns their ids.
    pub fn check_in_order(&self, order_id: u64) -> Result<Vec<u64>, MutationError> {
        self.shared.check_in_order(order_id)
    }

    /// Checks one attendee in as of now; false when they were already checked
    /// in (their time stays).
    pub fn check_in_attendee(&self, attendee_id: u64) -> Result<bool, MutationError> {
        self.shared.check_in_attendee(attendee_id)
    }

    /// Adds a confirmed order with `attendees` (at least 1) generated attendees
    /// to the event: it comes last in the event's orders list and its details
    /// are served. Its ids are above every id so far.
    pub fn add_order(&self, event_id: u64, attendees: usize) -> Result<AddedOrder, MutationError> {
        self.shared.add_order(event_id, attendees)
    }

    /// Makes `fraction` (0.0..=1.0, rounded to whole orders) of the event's
    /// orders fail with `fault` on every request for their details, until
    /// [`Knobs::heal_order`] or [`Knobs::clear_faults`]. The orders are picked
    /// from the seed: the same every run. Returns their ids, in order.
    pub fn fail_event_orders(
        &self,
        event_id: u64,
        fraction: f64,
        fault: Fault,
    ) -> Result<Vec<u64>, MutationError> {
        self.shared.fail_event_orders(event_id, fraction, &fault)
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

    /// Stops serving: the port refuses connections once this returns.
    /// Requests in progress finish (hanging and delayed ones are dropped);
    /// waits at most 5 seconds for them. Data, knobs and counters stay, for
    /// [`DemoServer::restart`]. Stopping a stopped server does nothing.
    pub async fn stop(&self) {
        stop(&self.shared).await;
    }

    /// Serves again on the same port, with the data as it is now (changes
    /// made so far included), after [`DemoServer::stop`]; does nothing when
    /// serving. The port is bound with `SO_REUSEADDR`, so connections of the
    /// last run still in `TIME_WAIT` do not keep it busy.
    pub async fn restart(&self) -> io::Result<()> {
        restart(&self.shared).await
    }

    /// Stops, lets requests in progress finish (hanging ones are dropped) and
    /// waits for the server to end, at most 5 seconds. It cannot be restarted.
    pub async fn shutdown(self) {
        self.shared.closed.store(true, Ordering::SeqCst);
        stop(&self.shared).await;
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
        // The serving task ends on its own once it sees the stop; `closed`
        // keeps a pending `/demo/stop-for` from bringing it back.
        self.shared.closed.store(true, Ordering::SeqCst);
        self.shared.stop.send_replace(true);
    }
}

/// The changes, for [`DemoServer`] and the control endpoints alike.
impl Shared {
    fn set_order_status(&self, order_id: u64, status: OrderStatus) -> Result<(), MutationError> {
        self.data.change(|d| d.set_status(order_id, status))
    }

    fn check_in_order(&self, order_id: u64) -> Result<Vec<u64>, MutationError> {
        let now = mutate::check_in_now();
        self.data.change(|d| d.check_in_order(order_id, &now))
    }

    fn check_in_attendee(&self, attendee_id: u64) -> Result<bool, MutationError> {
        let now = mutate::check_in_now();
        self.data.change(|d| d.check_in_attendee(attendee_id, &now))
    }

    fn add_order(&self, event_id: u64, attendees: usize) -> Result<AddedOrder, MutationError> {
        self.data.change(|d| d.add_order(event_id, attendees, self.seed))
    }

    fn fail_event_orders(
        &self,
        event_id: u64,
        fraction: f64,
        fault: &Fault,
    ) -> Result<Vec<u64>, MutationError> {
        let ids = self.data.read(false, |d| d.pick_orders(event_id, fraction, self.seed))?;
        self.knobs.fail_orders_always(&ids, fault);
        Ok(ids)
    }
}

/// A listening socket on `addr` with `SO_REUSEADDR`: a restart re-binds the
/// port while the last run's connections are in `TIME_WAIT`. (On Linux this
/// does not let two servers listen on one port; that needs `SO_REUSEPORT`.)
fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// Serves `listener` on a new task until `shared.stop` turns true.
fn serve(shared: &Arc<Shared>, listener: TcpListener) -> JoinHandle<()> {
    shared.stop.send_replace(false);
    let mut stopped = shared.stop.subscribe();
    let app = router(Arc::clone(shared)).into_make_service_with_connect_info::<ResetSwitch>();
    tokio::spawn(async move {
        let graceful = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        // On the stop, axum drops the listener at once (new connections are
        // refused), then waits for the connections it has.
        if let Err(e) = axum::serve(ResettableListener(listener), app).with_graceful_shutdown(graceful).await
        {
            tracing::warn!("demo server stopped: {e}");
        }
    })
}

async fn stop(shared: &Shared) {
    let mut serving = shared.serving.lock().await;
    shared.stop.send_replace(true);
    if let Some(mut task) = serving.take()
        && tokio::time::timeout(Duration::from_secs(5), &mut task).await.is_err()
    {
        task.abort();
    }
}

async fn restart(shared: &Arc<Shared>) -> io::Result<()> {
    let mut serving = shared.serving.lock().await;
    if shared.closed.load(Ordering::SeqCst) {
        return Err(io::Error::other("the demo server was shut down; start a new one"));
    }
    if serving.is_none() {
        *serving = Some(serve(shared, bind(shared.addr)?));
    }
    Ok(())
}

/// Stops the server, and starts it again after `pause`: `/demo/stop-for`.
/// Answers before the stop begins, so the caller hears that it worked.
fn stop_for(shared: &Arc<Shared>, pause: Duration) {
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        stop(&shared).await;
        tokio::time::sleep(pause).await;
        if let Err(e) = restart(&shared).await {
            tracing::warn!("demo server did not come back after /demo/stop-for: {e}");
        }
    });
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/v2/events", get(events).post(events))
        .route("/api/v2/events/{eventid}/orders", get(orders).post(orders))
        .route("/api/v2/events/{eventid}/orders/{orderid}", get(order).post(order))
        .route("/api/v2/authorize", get(oauth::authorize))
        .route("/api/v2/token", post(oauth::token))
        .merge(control::routes())
        .fallback(|| async { json_error(StatusCode::NOT_FOUND, "not_found", "No such API endpoint.") })
        .with_state(shared)
}

/// Counters behind [`Stats`], and a signal for whoever waits on them.
#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    rate_limited: AtomicU64,
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

    fn count_rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_waiters();
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
            rate_limited: self.rate_limited.load(Ordering::SeqCst),
            max_in_flight: self.max_in_flight.load(Ordering::SeqCst),
            in_flight: self.in_flight.load(Ordering::SeqCst),
            token_requests: self.token_requests.load(Ordering::SeqCst),
            huge_bytes_sent: self.huge_bytes_sent.load(Ordering::SeqCst),
        }
    }

    fn reset(&self) {
        self.requests.store(0, Ordering::SeqCst);
        self.rate_limited.store(0, Ordering::SeqCst);
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

/// Every API request: count it, refuse it past the rate limit, wait the
/// latency and jitter, maybe fail, then answer.
async fn api(shared: &Arc<Shared>, connection: &ResetSwitch, headers: &HeaderMap, call: Call) -> Response {
    let _in_flight = shared.counters.enter();
    let arrived = Instant::now();
    // First, and at once, as a limiter in front of a real API answers.
    if let Err(wait) = shared.knobs.admit(arrived) {
        shared.counters.count_rate_limited();
        return rate::refused(wait);
    }
    let mut stop = shared.stop.subscribe();
    let delay = shared.knobs.delay();
    if !delay.is_zero() {
        tokio::select! {
            () = answer_at(arrived + delay) => {}
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

/// Waits until `deadline`, to within a fraction of a millisecond: the latency
/// knob means "answers that long after the request arrived". Tokio's timer
/// wakes on a millisecond tick at or after the deadline (20 ms became 21–22),
/// so the last stretch is slept on a blocking thread, whose sleep is precise.
async fn answer_at(deadline: Instant) {
    const TICK: Duration = Duration::from_millis(2);
    if let Some(coarse) = deadline.checked_sub(TICK) {
        tokio::time::sleep_until(coarse.into()).await;
    }
    let rest = move || std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
    // A blocking pool that cannot take the task (runtime shutting down) answers now.
    let _ = tokio::task::spawn_blocking(rest).await;
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
    shared.data.read(shared.knobs.hostile(), |data| body(data, call, shape))
}

/// The JSON text of the answer to `call` from `data`.
fn body(data: &Dataset, call: &Call, shape: Shape) -> Result<Vec<u8>, Refusal> {
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
