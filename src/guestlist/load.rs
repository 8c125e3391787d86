//! Fetching a guest list: the order list, then every order's details, a bounded
//! number at a time, each result passed on as soon as it arrives.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::stream::{FuturesUnordered, StreamExt};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::GuestList;
use super::limiter::Limiter;
use crate::api::{Error, FloktuClient, Order, Skipped};

/// What the loader reports, in the order it happens. A full load sends
/// `Orders` first, then one `Order` or `Failed` for every listed order (in the
/// order they complete, not list order), `Throttled` whenever Floktu answers
/// 429, and ends with `Done`; or it sends `ListFailed` and nothing after it.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadEvent {
    /// The order list arrived: these orders' details follow.
    Orders {
        /// The ids of the event's orders, in the order Floktu lists them.
        order_ids: Vec<u64>,
        /// Items of the order list that could not be read.
        skipped: Vec<Skipped>,
    },
    /// One order's details.
    Order(Box<Order>),
    /// One order's details could not be fetched, retries included.
    Failed {
        /// The order.
        order_id: u64,
        /// Why, as the client reported it.
        error: Error,
    },
    /// Floktu answered 429 (too many requests): the loader slowed down.
    Throttled(Throttle),
    /// The order list itself could not be fetched; nothing else follows.
    ListFailed(Error),
    /// Every order asked for has been answered (or has failed).
    Done,
}

/// How the loader slowed down after a 429.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttle {
    /// Order details now fetched at once at most.
    pub limit: usize,
    /// How long Floktu asked to wait (`Retry-After`), if it said.
    pub wait: Option<Duration>,
}

/// Which orders to fetch.
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
    /// Set when the event just reported was a 429 slow-down.
    pub throttle: Option<Throttle>,
}

/// Fetches every attendee of `event_id` and sends each [`LoadEvent`] to `tx`
/// as it happens, with at most `concurrency` order details in flight (fewer
/// while Floktu rate-limits). Stops early when the receiver is gone; to cancel,
/// drop or abort the future. Run it on a task and apply the events to a
/// [`GuestList`] with [`GuestList::apply`].
pub async fn fetch(client: &FloktuClient, event_id: u64, concurrency: usize, tx: UnboundedSender<LoadEvent>) {
    run(client, event_id, Fetch::Everything, concurrency, &mut |ev| tx.send(ev).is_ok()).await;
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
    run(client, event_id, Fetch::Orders(order_ids), concurrency, &mut |ev| tx.send(ev).is_ok()).await;
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
    run(client, event_id, what, concurrency, &mut |ev| {
        on_event(ev);
        true
    })
    .await;
}

/// Fetches the whole guest list, calling `progress` after each event; for the
/// command line. Orders that fail are kept in the list's [`GuestList::failed`];
/// only a failure of the order list itself is an error.
pub async fn load(
    client: &FloktuClient,
    event_id: u64,
    concurrency: usize,
    mut progress: impl FnMut(&Progress),
) -> Result<GuestList, Error> {
    let mut list = GuestList::new(event_id);
    let mut list_error = None;
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

/// A first guess of a round trip, until successes measure it.
const FIRST_RTT: Duration = Duration::from_millis(100);

/// The loader. `emit` returns false when nobody listens any more. Generic, not
/// `dyn`, so that the future is `Send` exactly when `emit` is.
async fn run(
    client: &FloktuClient,
    event_id: u64,
    what: Fetch,
    concurrency: usize,
    emit: &mut impl FnMut(LoadEvent) -> bool,
) {
    let limiter = Arc::new(Limiter::new(concurrency, FIRST_RTT));
    // The client retries a 429 itself; the hook tells the limiter (at once, so
    // no new request starts meanwhile) and the loop (to report it).
    let (throttle_tx, mut throttles) = mpsc::unbounded_channel();
    let hook_limiter = Arc::clone(&limiter);
    let client = client.with_retry_hook(Arc::new(move |e: &Error, wait: Duration| {
        if let Error::RateLimited { retry_after } = e {
            let wait = retry_after.map(|_| wait);
            let limit = hook_limiter.on_rate_limited(Instant::now(), wait);
            let _ = throttle_tx.send(Throttle { limit, wait });
        }
    }));
    let ids = match what {
        Fetch::Orders(ids) => ids,
        Fetch::Everything => match client.orders(event_id).await {
            Ok(list) => {
                while let Ok(t) = throttles.try_recv() {
                    if !emit(LoadEvent::Throttled(t)) {
                        return;
                    }
                }
                let order_ids: Vec<u64> = list.items.iter().map(|o| o.id).collect();
                let event = LoadEvent::Orders { order_ids: order_ids.clone(), skipped: list.skipped };
                if !emit(event) {
                    return;
                }
                order_ids
            }
            Err(e) => {
                emit(LoadEvent::ListFailed(e));
                return;
            }
        },
    };
    details(&client, &limiter, event_id, ids, &mut throttles, emit).await;
}

/// Fetches the details of `ids`, starting them in list order as the limiter allows.
async fn details(
    client: &FloktuClient,
    limiter: &Limiter,
    event_id: u64,
    ids: Vec<u64>,
    throttles: &mut UnboundedReceiver<Throttle>,
    emit: &mut impl FnMut(LoadEvent) -> bool,
) {
    let mut queue = ids.into_iter().peekable();
    let mut running = FuturesUnordered::new();
    loop {
        let (limit, paused_until) = limiter.gate(Instant::now());
        if paused_until.is_none() {
            while running.len() < limit {
                let Some(order_id) = queue.next() else { break };
                let client = client.clone();
                running.push(async move {
                    let started = Instant::now();
                    let result = client.order(event_id, order_id).await;
                    (order_id, started.elapsed(), result)
                });
            }
        }
        if running.is_empty() && queue.peek().is_none() {
            break;
        }
        let pause = async {
            match paused_until {
                Some(until) => tokio::time::sleep_until(until.into()).await,
                None => std::future::pending().await,
            }
        };
        let listening = tokio::select! {
            Some(t) = throttles.recv() => emit(LoadEvent::Throttled(t)),
            Some((order_id, elapsed, result)) = running.next(), if !running.is_empty() => match result {
                Ok(order) => {
                    limiter.on_success(elapsed);
                    emit(LoadEvent::Order(Box::new(order)))
                }
                Err(error) => emit(LoadEvent::Failed { order_id, error }),
            },
            () = pause => true,
        };
        if !listening {
            return;
        }
    }
    while let Ok(t) = throttles.try_recv() {
        if !emit(LoadEvent::Throttled(t)) {
            return;
        }
    }
    emit(LoadEvent::Done);
}
