//! Fetching a guest list, once (the command line) or live (the TUI): the order
//! list, then every order's details, paced to what Floktu allows, each result
//! passed on as soon as it arrives.
//!
//! The protocol, in the order it happens:
//! - A load sends `Orders` when the order list arrives, then one `Order` or
//!   `Failed` for every order it asked for (in the order they complete),
//!   `Throttled` whenever the pace changes because Floktu refused requests, and
//!   `Done` when every order asked for has been answered. If the order list
//!   cannot be fetched, `ListFailed`: a one-off load sends nothing after it.
//! - A live load ([`live`]) never ends by itself. After its first pass (`Done`)
//!   it looks for new orders every `orders_every` (another `Orders`, then the new
//!   orders' `Order`s) and re-reads every order's details in a slow sweep so that
//!   none is older than `max_age`. It answers [`Request`]s ahead of that work: a
//!   re-check of one order, a look for new orders (`LookedForNew` when it has
//!   its answer), a full refresh (another pass, another `Done`).
//! - After a few connection failures or timeouts in a row it sends `Offline`,
//!   pauses the background work and probes Floktu with a back-off; the first
//!   answer sends `Online` and the work resumes. A one-off load that goes
//!   offline fails the orders it has not fetched yet and ends.
//!
//! Only 429, and 503 with `Retry-After`, slow the load down (see the pacer in
//! `limiter.rs`); the refused request waits its `Retry-After` and goes again.
//! Other failures (5xx, timeouts, broken connections) are retried with back-off
//! and jitter, a few times, without slowing anything else.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::pin::Pin;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::stream::{FuturesUnordered, StreamExt};
use rand::RngExt;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::time::Instant;

use super::GuestList;
use super::limiter::{Go, Pacer};
use crate::api::{Decoded, Error, FloktuClient, Order, OrderSummary, Skipped};

/// What the loader reports. See the module docs for the order of events.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadEvent {
    /// The order list arrived: orders not known yet follow.
    Orders {
        /// The ids of the event's orders, in the order Floktu lists them.
        order_ids: Vec<u64>,
        /// Items of the order list that could not be read.
        skipped: Vec<Skipped>,
    },
    /// One order's details, fetched just now.
    Order(Box<Order>),
    /// One order's details could not be fetched, retries included.
    Failed {
        /// The order.
        order_id: u64,
        /// Why, as the client reported it.
        error: Error,
    },
    /// Floktu refused requests (429): the loader now goes at this pace.
    Throttled(Throttle),
    /// The order list itself could not be fetched.
    ListFailed(Error),
    /// Every order asked for has been answered (or has failed).
    Done,
    /// Floktu has not answered several times in a row: background work paused.
    Offline(Error),
    /// Floktu answers again after `Offline`.
    Online,
    /// The answer to [`Request::LookForNew`]: how many orders were new (their
    /// details were fetched before this), or why the order list could not be read.
    LookedForNew {
        /// The request's token.
        token: u64,
        /// New orders found.
        result: Result<usize, Error>,
    },
}

/// How the loader slowed down after Floktu refused requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttle {
    /// Order details now fetched at once at most.
    pub limit: usize,
    /// How long Floktu asked to wait (`Retry-After`), if it said.
    pub wait: Option<Duration>,
    /// The pace learned from the refusals, in requests per second.
    pub per_second: Option<u32>,
}

/// Which orders a one-off load fetches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fetch {
    /// The order list, then every listed order.
    Everything,
    /// Only these orders' details (e.g. the ones that failed); no order list.
    Orders(Vec<u64>),
}

/// Where a load stands, for a progress line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Orders the event has, once the order list arrived.
    pub total: Option<usize>,
    /// Orders whose details are in.
    pub loaded: usize,
    /// Orders whose details could not be fetched.
    pub failed: usize,
    /// Set when the event just reported was a slow-down.
    pub throttle: Option<Throttle>,
}

/// What a live load is asked to do, ahead of its background work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// Fetch this order's details now (a scan at the door).
    Recheck(u64),
    /// Fetch the order list now and the details of orders not known yet; answer
    /// with `LookedForNew` carrying this token.
    LookForNew(u64),
    /// Fetch the order list and every order again (Ctrl-R); while offline, probe now.
    RefreshAll,
}

/// How a live load keeps a guest list fresh.
#[derive(Clone, Debug)]
pub struct LiveOptions {
    /// Order details fetched at once at most.
    pub concurrency: usize,
    /// How often to look for new orders.
    pub orders_every: Duration,
    /// No order's details should be older than this.
    pub max_age: Duration,
    /// Orders already known (from the cache), with when their details were
    /// fetched: the first pass fetches the new orders first, then those older
    /// than `max_age`, and leaves the rest to the sweep.
    pub known: Vec<(u64, DateTime<Utc>)>,
}

/// Fetches every attendee of `event_id` and sends each [`LoadEvent`] to `tx`
/// as it happens, with at most `concurrency` order details in flight. Stops
/// early when the receiver is gone; to cancel, drop or abort the future.
pub async fn fetch(client: &FloktuClient, event_id: u64, concurrency: usize, tx: UnboundedSender<LoadEvent>) {
    let mut emit = |ev| tx.send(ev).is_ok();
    Loader::once(client, event_id, Fetch::Everything, concurrency).run(None, &mut emit).await;
}

/// Like [`fetch`], for only these orders' details (retrying the failed ones):
/// no `Orders` event, and `Done` at the end.
pub async fn fetch_orders(
    client: &FloktuClient,
    event_id: u64,
    order_ids: Vec<u64>,
    concurrency: usize,
    tx: UnboundedSender<LoadEvent>,
) {
    let mut emit = |ev| tx.send(ev).is_ok();
    Loader::once(client, event_id, Fetch::Orders(order_ids), concurrency).run(None, &mut emit).await;
}

/// Like [`fetch`], calling `on_event` for each event instead of sending it.
/// The future is `Send` (it can be spawned) when `on_event` is.
pub async fn fetch_with(
    client: &FloktuClient,
    event_id: u64,
    what: Fetch,
    concurrency: usize,
    mut on_event: impl FnMut(LoadEvent),
) {
    let mut emit = |ev| {
        on_event(ev);
        true
    };
    Loader::once(client, event_id, what, concurrency).run(None, &mut emit).await;
}

/// Keeps `event_id`'s guest list fresh until the receiver of `tx` is gone or
/// the future is dropped: see the module docs. `requests` carries what the
/// user asks for.
pub async fn live(
    client: &FloktuClient,
    event_id: u64,
    options: LiveOptions,
    requests: UnboundedReceiver<Request>,
    tx: UnboundedSender<LoadEvent>,
) {
    let mut emit = |ev| tx.send(ev).is_ok();
    Loader::live(client, event_id, options).run(Some(requests), &mut emit).await;
}

/// Fetches the whole guest list, calling `progress` after each event; for the
/// command line. Orders that fail are kept in the list's [`GuestList::failed`];
/// only a failure of the order list itself is an error.
pub async fn load(
    client: &FloktuClient,
    event_id: u64,
    concurrency: usize,
    progress: impl FnMut(&Progress),
) -> Result<GuestList, Error> {
    refresh(GuestList::new(event_id), client, concurrency, progress).await
}

/// Fetches the guest list again into `list` (e.g. a cached copy) and merges:
/// an order whose details fail keeps what `list` knew of it; an order leaves
/// only because the order list no longer has it. Only a failure of the order
/// list itself is an error.
pub async fn refresh(
    mut list: GuestList,
    client: &FloktuClient,
    concurrency: usize,
    mut progress: impl FnMut(&Progress),
) -> Result<GuestList, Error> {
    let mut list_error = None;
    let event_id = list.event_id();
    fetch_with(client, event_id, Fetch::Everything, concurrency, |ev| {
        let throttle = match &ev {
            LoadEvent::Throttled(t) => Some(*t),
            LoadEvent::ListFailed(e) => {
                list_error = Some(e.clone());
                None
            }
            _ => None,
        };
        list.apply(ev);
        progress(&Progress { throttle, ..list.progress() });
    })
    .await;
    match list_error {
        Some(e) => Err(e),
        None => Ok(list),
    }
}

impl GuestList {
    /// Fetches again the orders that failed, and merges what arrives. Returns
    /// how many of them are now in.
    pub async fn retry_failed(&mut self, client: &FloktuClient, concurrency: usize) -> usize {
        let ids: Vec<u64> = self.failed().iter().map(|f| f.order_id).collect();
        let before = ids.len();
        let event_id = self.event_id();
        fetch_with(client, event_id, Fetch::Orders(ids), concurrency, |ev| self.apply(ev)).await;
        before.saturating_sub(self.failed().len())
    }
}

/// Connection failures or timeouts in a row that make an event offline.
const OFFLINE_AFTER: u32 = 3;
/// Tries of one request that fails for a reason other than a refusal.
const MAX_ATTEMPTS: u32 = 4;
/// Refusals (429) of one request before it counts as failed.
const MAX_REFUSALS: u32 = 30;
/// The first back-off after a failure; each further one doubles, with jitter.
/// Short: a random 5xx among successes is best retried soon (three retries
/// take under a second), and a Floktu that is gone is noticed by the offline
/// probe, not by these.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// The longest back-off, and the longest pause between two offline probes.
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// How long a refused request waits when Floktu did not say (no `Retry-After`).
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);
/// The longest `Retry-After` honoured for one request; a server asking for
/// more is asked again after this.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(30);
/// A live load that has asked Floktu nothing for this long probes it, so that
/// the door learns it is offline within seconds, not at the next look for
/// new orders.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// After a connection failure, the next probe comes this soon.
const HEARTBEAT_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// What one request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Job {
    /// The order list.
    List,
    /// One order's details.
    Order(u64),
    /// A cheap call to see whether Floktu answers again (while offline).
    Probe,
}

/// How urgent an order's fetch is: what the user asked for first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Urgent,
    Pass,
}

/// Where the next job comes from, so that it can be taken off its queue.
#[derive(Clone, Copy, Debug)]
enum From {
    List,
    Urgent,
    Waiting,
    Pass,
    Sweep,
    Probe,
}

/// An order waiting to be fetched again, at `due`.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Waiting {
    due: Reverse<Instant>,
    class: Reverse<Class>,
    id: u64,
}

type Answer = (Job, Instant, Result<Fetched, Error>);
type Running = FuturesUnordered<Pin<Box<dyn Future<Output = Answer> + Send>>>;

enum Fetched {
    List(Decoded<OrderSummary>),
    Order(Box<Order>),
    Probe,
}

/// Where the loader is with one order.
#[derive(Debug, Default)]
struct OrderState {
    /// When its details were last fetched (by the cache or this load).
    fetched: Option<DateTime<Utc>>,
    /// When it last failed for good: the sweep puts it at the back of the
    /// line from then, so that orders that keep failing do not starve the rest.
    gave_up: Option<DateTime<Utc>>,
    /// Failed attempts since the last success.
    attempts: u32,
    /// Refusals since the last success.
    refusals: u32,
    /// Queued (urgent, in the pass, or waiting to go again), and how urgently.
    class: Option<Class>,
    /// Asked for while in flight: queued again, this urgently, once it answers.
    again: Option<Class>,
    /// In flight, for this queue (`None` for the sweep).
    running: Option<Class>,
}

/// A look for new orders waiting for its answer.
#[derive(Debug)]
struct Lookup {
    token: u64,
    /// The new orders still being fetched, once the order list answered.
    pending: Option<HashSet<u64>>,
    /// How many orders were new.
    found: usize,
}

/// An offline event: when to probe next, how many probes failed, and why.
#[derive(Debug)]
struct Offline {
    probe_due: Instant,
    probes: u32,
    error: Error,
}

/// The scheduler behind every load: one task that owns the queues, the pacer
/// and the requests in flight.
struct Loader {
    client: FloktuClient,
    event_id: u64,
    pacer: Pacer,
    /// A one-off load (the command line), or live.
    once: bool,
    orders_every: Duration,
    max_age: Duration,
    orders: HashMap<u64, OrderState>,
    listed: Vec<u64>,
    urgent: VecDeque<u64>,
    pass: VecDeque<u64>,
    waiting: BinaryHeap<Waiting>,
    in_flight: HashSet<Job>,
    /// The order list is wanted; `true` when its answer should queue every
    /// order again (a full pass).
    list_wanted: Option<bool>,
    /// A failed order list goes again no sooner than this.
    list_not_before: Option<Instant>,
    list_attempts: u32,
    /// When a live load looks for new orders next.
    list_poll_at: Option<Instant>,
    list_ok_once: bool,
    /// A pass is under way: `Done` is sent when it drains.
    pass_open: bool,
    sweep_next: Instant,
    lookups: Vec<Lookup>,
    connection_failures: u32,
    offline: Option<Offline>,
    last_throttle: Option<Throttle>,
    /// When the last request started.
    last_start: Instant,
}

impl Loader {
    fn new(client: &FloktuClient, event_id: u64, concurrency: usize, once: bool) -> Loader {
        Loader {
            // Retries are the loader's: it sees every failure, paces refusals and
            // knows when the event is offline.
            client: client.without_retries(),
            event_id,
            pacer: Pacer::new(concurrency.max(1)),
            once,
            orders_every: Duration::from_secs(30),
            max_age: Duration::from_secs(300),
            orders: HashMap::new(),
            listed: Vec::new(),
            urgent: VecDeque::new(),
            pass: VecDeque::new(),
            waiting: BinaryHeap::new(),
            in_flight: HashSet::new(),
            list_wanted: None,
            list_not_before: None,
            list_attempts: 0,
            list_poll_at: None,
            list_ok_once: false,
            pass_open: true,
            sweep_next: Instant::now(),
            lookups: Vec::new(),
            connection_failures: 0,
            offline: None,
            last_throttle: None,
            last_start: Instant::now(),
        }
    }

    fn once(client: &FloktuClient, event_id: u64, what: Fetch, concurrency: usize) -> Loader {
        let mut loader = Loader::new(client, event_id, concurrency, true);
        match what {
            Fetch::Everything => loader.list_wanted = Some(true),
            Fetch::Orders(ids) => {
                // No order list: these are all there is.
                loader.list_ok_once = true;
                for id in ids {
                    loader.queue(id, Class::Pass);
                }
            }
        }
        loader
    }

    fn live(client: &FloktuClient, event_id: u64, options: LiveOptions) -> Loader {
        let mut loader = Loader::new(client, event_id, options.concurrency, false);
        loader.orders_every = options.orders_every.max(Duration::from_secs(1));
        loader.max_age = options.max_age.max(Duration::from_secs(1));
        for (id, at) in options.known {
            loader.orders.entry(id).or_default().fetched = Some(at);
        }
        loader.list_wanted = Some(false);
        loader
    }

    /// Runs until a one-off load is done, or until nobody listens.
    async fn run(
        mut self,
        mut requests: Option<UnboundedReceiver<Request>>,
        emit: &mut impl FnMut(LoadEvent) -> bool,
    ) {
        let mut running = FuturesUnordered::new();
        loop {
            let now = Instant::now();
            let wake = self.start_what_we_can(now, &mut running);
            if self.once && running.is_empty() && self.nothing_left() {
                if self.pass_open {
                    emit(LoadEvent::Done);
                }
                return;
            }
            let sleep = async {
                match wake {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            let listening = tokio::select! {
                Some(answer) = running.next(), if !running.is_empty() => self.on_answer(answer, emit),
                request = next_request(&mut requests) => match request {
                    Some(request) => self.on_request(request).into_iter().all(&mut *emit),
                    // The other end was dropped: the event was closed.
                    None => return,
                },
                () = sleep => true,
            };
            if !listening {
                return;
            }
            if self.pass_drained() {
                self.pass_open = false;
                if !emit(LoadEvent::Done) {
                    return;
                }
            }
        }
    }

    /// Nothing queued, waiting or wanted (a one-off load is then done).
    fn nothing_left(&self) -> bool {
        self.urgent.is_empty()
            && self.pass.is_empty()
            && self.waiting.is_empty()
            && self.list_wanted.is_none()
    }

    /// A live pass has just drained: every order it queued is answered.
    fn pass_drained(&self) -> bool {
        !self.once
            && self.pass_open
            && self.list_ok_once
            && self.nothing_left()
            && !self.in_flight.iter().any(|j| matches!(j, Job::Order(_) | Job::List))
    }

    /// Queues order `id` unless it is queued already at least as urgently.
    fn queue(&mut self, id: u64, class: Class) {
        let in_flight = self.in_flight.contains(&Job::Order(id));
        let state = self.orders.entry(id).or_default();
        if in_flight {
            // The answer on its way may predate the ask: fetch once more after it.
            state.again = Some(state.again.map_or(class, |c| c.min(class)));
            return;
        }
        if state.class.is_some_and(|c| c <= class) {
            return;
        }
        state.class = Some(class);
        match class {
            Class::Urgent => self.urgent.push_back(id),
            Class::Pass => self.pass.push_back(id),
        }
    }

    /// Starts what the pacer allows, most urgent first; returns when to look
    /// again (`None`: when something answers or is asked for).
    fn start_what_we_can(&mut self, now: Instant, running: &mut Running) -> Option<Instant> {
        let mut wake = WakeAt(None);
        while let Some((job, from)) = self.next_job(now, &mut wake) {
            match self.pacer.go(now.into_std(), self.in_flight.len()) {
                Go::Now => {}
                Go::At(t) => {
                    wake.at(Instant::from_std(t));
                    break;
                }
                Go::Full => break,
            }
            self.take(job, from);
            self.last_start = now;
            self.pacer.started(now.into_std());
            self.in_flight.insert(job);
            let client = self.client.clone();
            let event_id = self.event_id;
            running.push(Box::pin(async move { request(&client, event_id, job).await }));
        }
        wake.0
    }

    /// The most urgent job that may start now; what may start later goes into `wake`.
    fn next_job(&mut self, now: Instant, wake: &mut WakeAt) -> Option<(Job, From)> {
        if let Some(probe_due) = self.offline.as_ref().map(|off| off.probe_due) {
            // Offline: only what the user asked for, and the probe.
            if let Some(id) = self.front(Class::Urgent) {
                return Some((Job::Order(id), From::Urgent));
            }
            if self.once || self.in_flight.contains(&Job::Probe) {
                return None;
            }
            if probe_due <= now {
                return Some((Job::Probe, From::Probe));
            }
            wake.at(probe_due);
            return None;
        }
        if let Some(at) = self.list_poll_at {
            if at <= now {
                self.list_poll_at = None;
                self.list_wanted.get_or_insert(false);
            } else {
                wake.at(at);
            }
        }
        if self.list_wanted.is_some() && !self.in_flight.contains(&Job::List) {
            match self.list_not_before {
                Some(at) if at > now => wake.at(at),
                _ => return Some((Job::List, From::List)),
            }
        }
        if let Some(id) = self.front(Class::Urgent) {
            return Some((Job::Order(id), From::Urgent));
        }
        while let Some(w) = self.waiting.peek() {
            let live = self.orders.get(&w.id).is_some_and(|s| s.class.is_some())
                && !self.in_flight.contains(&Job::Order(w.id));
            if !live {
                self.waiting.pop();
            } else if w.due.0 <= now {
                return Some((Job::Order(w.id), From::Waiting));
            } else {
                wake.at(w.due.0);
                break;
            }
        }
        if let Some(id) = self.front(Class::Pass) {
            return Some((Job::Order(id), From::Pass));
        }
        if self.once || self.pass_open {
            return None;
        }
        if let Some(id) = self.sweep_pick(now, wake) {
            return Some((Job::Order(id), From::Sweep));
        }
        self.heartbeat(now, wake)
    }

    /// A probe when a live load has been quiet for a while (sooner after a
    /// connection failure).
    fn heartbeat(&self, now: Instant, wake: &mut WakeAt) -> Option<(Job, From)> {
        if !self.in_flight.is_empty() {
            return None;
        }
        let quiet = if self.connection_failures > 0 { HEARTBEAT_AFTER_FAILURE } else { HEARTBEAT };
        let due = self.last_start + quiet;
        if due <= now {
            return Some((Job::Probe, From::Probe));
        }
        wake.at(due);
        None
    }

    /// The first order of a queue still queued there and not in flight
    /// (entries that were taken another way are dropped).
    fn front(&mut self, class: Class) -> Option<u64> {
        let queue = match class {
            Class::Urgent => &mut self.urgent,
            Class::Pass => &mut self.pass,
        };
        while let Some(&id) = queue.front() {
            let live = self.orders.get(&id).is_some_and(|s| s.class == Some(class))
                && !self.in_flight.contains(&Job::Order(id));
            if live {
                return Some(id);
            }
            queue.pop_front();
        }
        None
    }

    /// The order the sweep re-reads next, if its turn has come: the one with
    /// the oldest details, at a pace of N orders per `max_age`.
    fn sweep_pick(&mut self, now: Instant, wake: &mut WakeAt) -> Option<u64> {
        if self.listed.is_empty() {
            return None;
        }
        if self.sweep_next > now {
            wake.at(self.sweep_next);
            return None;
        }
        // A little faster than N / max_age, so that retries and refusals still
        // leave every order younger than max_age.
        let interval = self.max_age.mul_f64(0.8) / (self.listed.len().min(u32::MAX as usize) as u32).max(1);
        self.sweep_next = (self.sweep_next + interval).max(now.checked_sub(interval * 2).unwrap_or(now));
        wake.at(self.sweep_next);
        let oldest = self
            .listed
            .iter()
            .filter(|id| !self.in_flight.contains(&Job::Order(**id)))
            .filter_map(|id| {
                let s = self.orders.get(id).filter(|s| s.class.is_none())?;
                Some((s.fetched.max(s.gave_up), *id))
            })
            .min()?;
        // Nothing is half as old as max_age yet: no need to spend a request.
        let young = oldest.0.is_some_and(|at| age(at) < self.max_age / 2);
        (!young).then_some(oldest.1)
    }

    /// Takes a job off where it came from as it starts.
    fn take(&mut self, job: Job, from: From) {
        match from {
            From::Urgent => {
                self.urgent.pop_front();
            }
            From::Pass => {
                self.pass.pop_front();
            }
            From::Waiting => {
                self.waiting.pop();
            }
            From::List => self.list_not_before = None,
            From::Sweep | From::Probe => {}
        }
        if let Job::Order(id) = job
            && let Some(s) = self.orders.get_mut(&id)
        {
            s.running = s.class.take();
        }
    }

    fn on_request(&mut self, request: Request) -> Vec<LoadEvent> {
        match request {
            Request::Recheck(id) => self.queue(id, Class::Urgent),
            Request::LookForNew(token) => {
                if let Some(off) = &self.offline {
                    // The order list waits for Floktu to come back; the door cannot.
                    return vec![LoadEvent::LookedForNew { token, result: Err(off.error.clone()) }];
                }
                self.lookups.push(Lookup { token, pending: None, found: 0 });
                self.list_wanted.get_or_insert(false);
                self.list_not_before = None;
            }
            Request::RefreshAll => {
                self.list_wanted = Some(true);
                self.list_not_before = None;
                if let Some(off) = &mut self.offline {
                    off.probe_due = Instant::now();
                }
            }
        }
        Vec::new()
    }

    /// Handles one answer; false when nobody listens any more.
    fn on_answer(
        &mut self,
        (job, started, result): Answer,
        emit: &mut impl FnMut(LoadEvent) -> bool,
    ) -> bool {
        let now = Instant::now();
        self.in_flight.remove(&job);
        let mut events = Vec::new();
        match result {
            Ok(fetched) => {
                self.pacer.succeeded(now.into_std(), now.saturating_duration_since(started));
                self.connection_failures = 0;
                if self.offline.take().is_some() {
                    events.push(LoadEvent::Online);
                    // Back: look for what changed while away, and retry at once.
                    self.list_wanted.get_or_insert(false);
                    self.list_not_before = None;
                    self.retry_waiting_now(now);
                }
                match fetched {
                    Fetched::List(list) => self.on_list(list, now, &mut events),
                    Fetched::Order(order) => self.on_order(order, &mut events),
                    Fetched::Probe => {}
                }
            }
            Err(error) => self.on_error(job, error, now, &mut events),
        }
        events.into_iter().all(emit)
    }

    fn on_list(&mut self, list: Decoded<OrderSummary>, now: Instant, events: &mut Vec<LoadEvent>) {
        let explicit = self.list_wanted.take().unwrap_or(false);
        let first = !self.list_ok_once;
        self.list_attempts = 0;
        self.list_ok_once = true;
        if !self.once {
            self.list_poll_at = Some(now + self.orders_every);
        }
        let order_ids: Vec<u64> = list.items.iter().map(|o| o.id).collect();
        let listed: HashSet<u64> = order_ids.iter().copied().collect();
        self.orders.retain(|id, _| listed.contains(id));
        let new: Vec<u64> = order_ids.iter().copied().filter(|id| self.is_new(*id)).collect();
        let looking = self.lookups.iter().any(|l| l.pending.is_none());
        for &id in &new {
            self.queue(id, if looking { Class::Urgent } else { Class::Pass });
        }
        for lookup in self.lookups.iter_mut().filter(|l| l.pending.is_none()) {
            lookup.pending = Some(new.iter().copied().collect());
            lookup.found = new.len();
        }
        if explicit || first {
            self.queue_known(&order_ids, &new, !self.once && !explicit);
        } else if !new.is_empty() {
            // New orders found by a look: a short pass, so `Done` says when they are in.
            self.pass_open = true;
        }
        self.listed = order_ids.clone();
        events.push(LoadEvent::Orders { order_ids, skipped: list.skipped });
        self.finish_lookups(events);
    }

    /// A full pass: after the new orders, the known ones, oldest first;
    /// `skip_fresh` leaves those younger than `max_age` to the sweep.
    fn queue_known(&mut self, order_ids: &[u64], new: &[u64], skip_fresh: bool) {
        let new: HashSet<u64> = new.iter().copied().collect();
        let mut known: Vec<(Option<DateTime<Utc>>, u64)> = order_ids
            .iter()
            .filter(|id| !new.contains(id))
            .filter_map(|id| self.orders.get(id).map(|s| (s.fetched, *id)))
            .filter(|(at, _)| !(skip_fresh && at.is_some_and(|at| age(at) < self.max_age)))
            .collect();
        known.sort();
        for (_, id) in known {
            self.queue(id, Class::Pass);
        }
        self.pass_open = true;
    }

    /// Not fetched yet, by the cache or this load, and not on its way.
    fn is_new(&self, id: u64) -> bool {
        self.orders.get(&id).is_none_or(|s| s.fetched.is_none() && s.class.is_none())
            && !self.in_flight.contains(&Job::Order(id))
    }

    fn on_order(&mut self, order: Box<Order>, events: &mut Vec<LoadEvent>) {
        let id = order.id;
        let state = self.orders.entry(id).or_default();
        state.fetched = Some(Utc::now());
        state.attempts = 0;
        state.refusals = 0;
        events.push(LoadEvent::Order(order));
        self.settle_lookups(id, events);
    }

    /// An order a lookup waits for is in, or failed for good.
    fn settle_lookups(&mut self, id: u64, events: &mut Vec<LoadEvent>) {
        for lookup in &mut self.lookups {
            if let Some(pending) = &mut lookup.pending {
                pending.remove(&id);
            }
        }
        self.finish_lookups(events);
    }

    fn finish_lookups(&mut self, events: &mut Vec<LoadEvent>) {
        let (done, waiting): (Vec<Lookup>, Vec<Lookup>) = std::mem::take(&mut self.lookups)
            .into_iter()
            .partition(|l| l.pending.as_ref().is_some_and(HashSet::is_empty));
        self.lookups = waiting;
        for lookup in done {
            events.push(LoadEvent::LookedForNew { token: lookup.token, result: Ok(lookup.found) });
        }
    }

    fn on_error(&mut self, job: Job, error: Error, now: Instant, events: &mut Vec<LoadEvent>) {
        if let Error::Unauthorized(_) = error {
            // Nothing will work until the user logs in again.
            self.fail_lookups(&error, events);
            events.push(LoadEvent::ListFailed(error));
            self.give_up();
            return;
        }
        let refused = error.asks_to_slow_down();
        if refused {
            self.pacer.refused(now.into_std(), error.retry_after());
            let throttle = self.throttle(error.retry_after());
            if self.last_throttle.map(|t| (t.limit, t.per_second))
                != Some((throttle.limit, throttle.per_second))
            {
                self.last_throttle = Some(throttle);
                events.push(LoadEvent::Throttled(throttle));
            }
        } else {
            self.pacer.failed(now.into_std());
        }
        if matches!(error, Error::Network(_) | Error::Timeout(_)) {
            self.connection_failures += 1;
        } else {
            // Floktu answered, if not well: it is there.
            self.connection_failures = 0;
        }
        match job {
            Job::List => self.list_failed(&error, refused, now, events),
            Job::Order(id) => self.order_failed(id, &error, refused, now, events),
            Job::Probe => {
                if let Some(off) = &mut self.offline {
                    off.probes += 1;
                    off.probe_due = now + backoff(off.probes);
                }
            }
        }
        if self.offline.is_none() && self.connection_failures >= OFFLINE_AFTER {
            self.go_offline(error, now, events);
        }
    }

    fn list_failed(&mut self, error: &Error, refused: bool, now: Instant, events: &mut Vec<LoadEvent>) {
        if !refused {
            self.list_attempts += 1;
        }
        let once_offline = self.once && self.offline.is_some();
        if error.is_transient() && (refused || self.list_attempts < MAX_ATTEMPTS) && !once_offline {
            let wait = if refused { retry_wait(error) } else { backoff(self.list_attempts) };
            self.list_not_before = Some(now + wait);
            return;
        }
        self.list_attempts = 0;
        self.list_wanted = None;
        self.fail_lookups(error, events);
        events.push(LoadEvent::ListFailed(error.clone()));
        if self.once {
            self.give_up();
        } else {
            // Look again later; if Floktu is gone, the offline probe takes over.
            self.list_poll_at = Some(now + self.orders_every.min(MAX_BACKOFF * 2));
        }
    }

    fn fail_lookups(&mut self, error: &Error, events: &mut Vec<LoadEvent>) {
        let (failed, waiting): (Vec<Lookup>, Vec<Lookup>) =
            std::mem::take(&mut self.lookups).into_iter().partition(|l| l.pending.is_none());
        self.lookups = waiting;
        for lookup in failed {
            events.push(LoadEvent::LookedForNew { token: lookup.token, result: Err(error.clone()) });
        }
    }

    fn order_failed(
        &mut self,
        id: u64,
        error: &Error,
        refused: bool,
        now: Instant,
        events: &mut Vec<LoadEvent>,
    ) {
        let awaited = self.lookups.iter().any(|l| l.pending.as_ref().is_some_and(|p| p.contains(&id)));
        let asked = self.orders.get(&id).and_then(|s| s.running) == Some(Class::Urgent);
        let class = if awaited || asked { Class::Urgent } else { Class::Pass };
        // Offline, nothing waits for a retry that only the probe's success
        // brings: a one-off load ends, and the door says what it knew.
        let no_wait = self.offline.is_some() && (self.once || class == Class::Urgent);
        let Some(state) = self.orders.get_mut(&id) else { return };
        if refused {
            state.refusals += 1;
        } else {
            state.attempts += 1;
        }
        let retry = error.is_transient()
            && state.refusals < MAX_REFUSALS
            && state.attempts < MAX_ATTEMPTS
            && !no_wait;
        if retry {
            let wait = if refused { retry_wait(error) } else { backoff(state.attempts) };
            if state.class.is_none() {
                state.class = Some(class);
                self.waiting.push(Waiting { due: Reverse(now + wait), class: Reverse(class), id });
            }
            return;
        }
        state.attempts = 0;
        state.refusals = 0;
        state.gave_up = Some(Utc::now());
        events.push(LoadEvent::Failed { order_id: id, error: error.clone() });
        self.settle_lookups(id, events);
    }

    fn go_offline(&mut self, error: Error, now: Instant, events: &mut Vec<LoadEvent>) {
        self.offline = Some(Offline { probe_due: now + backoff(1), probes: 1, error: error.clone() });
        events.push(LoadEvent::Offline(error.clone()));
        if !self.once {
            return;
        }
        // A one-off load does not wait for Floktu to come back: what it has not
        // fetched yet fails now, and the caller keeps what it knew.
        let left: Vec<u64> = self
            .urgent
            .drain(..)
            .chain(self.pass.drain(..))
            .chain(self.waiting.drain().map(|w| w.id))
            .collect();
        for id in left {
            if let Some(s) = self.orders.get_mut(&id)
                && s.class.take().is_some()
            {
                s.attempts = 0;
                events.push(LoadEvent::Failed { order_id: id, error: error.clone() });
            }
        }
        if self.list_wanted.take().is_some() {
            self.fail_lookups(&error, events);
            events.push(LoadEvent::ListFailed(error));
            self.pass_open = false;
        }
    }

    /// After coming back: what was waiting for a retry goes now.
    fn retry_waiting_now(&mut self, now: Instant) {
        self.waiting = self.waiting.drain().map(|w| Waiting { due: Reverse(now), ..w }).collect();
    }

    /// Stops for good: nothing more will be asked for (a one-off load then ends).
    fn give_up(&mut self) {
        self.urgent.clear();
        self.pass.clear();
        self.waiting.clear();
        self.list_wanted = None;
        self.list_poll_at = None;
        for s in self.orders.values_mut() {
            s.class = None;
        }
        if self.once && !self.list_ok_once {
            self.pass_open = false;
        }
        // A live load stays, answering nothing until the user logs in again
        // (the TUI then starts a new one).
    }

    fn throttle(&self, wait: Option<Duration>) -> Throttle {
        Throttle {
            limit: self.pacer.limit(),
            wait,
            per_second: self.pacer.rate().map(|r| r.round().clamp(0.0, f64::from(u32::MAX)) as u32),
        }
    }
}

/// The earliest of the times something can happen next.
struct WakeAt(Option<Instant>);

impl WakeAt {
    fn at(&mut self, t: Instant) {
        self.0 = Some(self.0.map_or(t, |w| w.min(t)));
    }
}

/// The next request from the user, or never when there is no channel.
async fn next_request(requests: &mut Option<UnboundedReceiver<Request>>) -> Option<Request> {
    match requests {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// One request to Floktu.
async fn request(client: &FloktuClient, event_id: u64, job: Job) -> Answer {
    let started = Instant::now();
    let result = match job {
        Job::List => client.orders(event_id).await.map(Fetched::List),
        Job::Order(id) => client.order(event_id, id).await.map(|o| Fetched::Order(Box::new(o))),
        Job::Probe => client.events().await.map(|_| Fetched::Probe),
    };
    (job, started, result)
}

/// How old details fetched at `at` are now.
fn age(at: DateTime<Utc>) -> Duration {
    (Utc::now() - at).to_std().unwrap_or_default()
}

/// How long a refused request waits: what Floktu asked, within reason.
fn retry_wait(error: &Error) -> Duration {
    error.retry_after().unwrap_or(DEFAULT_RETRY_AFTER).min(RETRY_AFTER_CAP)
}

/// Exponential back-off for the `attempt`th failure (1, 2, …), ±50% jitter, capped.
fn backoff(attempt: u32) -> Duration {
    let exp = FIRST_BACKOFF.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let jitter = rand::rng().random_range(0.5..1.5);
    exp.min(MAX_BACKOFF).mul_f64(jitter).min(MAX_BACKOFF)
}
