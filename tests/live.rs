//! The live guest list against the embedded demo server over loopback HTTP:
//! a re-check sees what changed on the server, a look for new orders finds a
//! late buyer, the sweep picks up a check-in by itself, the event goes offline
//! when the server stops and comes back alone, and a rate-limited server is
//! kept pace with. Every wait is for a condition, with a bound.

use std::time::{Duration, Instant};

use floktu_tui::api::{AccessToken, ApiBase, ClientOptions, FloktuClient};
use floktu_tui::demo::{DemoOptions, DemoServer, Fault, OrderStatus};
use floktu_tui::guestlist::{self, GuestList, LiveOptions, LoadEvent, Request, Verdict};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

async fn server(orders: usize) -> DemoServer {
    DemoServer::start(DemoOptions { events: 2, orders, ..DemoOptions::default() })
        .await
        .expect("demo server starts")
}

fn client(server: &DemoServer) -> FloktuClient {
    let base = ApiBase::parse(&server.base_url()).unwrap();
    let opts = ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    };
    FloktuClient::with_options(base, AccessToken::new(DemoOptions::default().token), opts).unwrap()
}

/// A live load of the server's big event, and the list its events build.
struct Live {
    list: GuestList,
    events: UnboundedReceiver<LoadEvent>,
    ask: UnboundedSender<Request>,
    seen: Vec<LoadEvent>,
}

impl Live {
    fn start(server: &DemoServer, orders_every: Duration, max_age: Duration) -> Live {
        let event_id = server.dataset().events[0].id;
        let (tx, events) = unbounded_channel();
        let (ask, requests) = unbounded_channel();
        let c = client(server);
        let options = LiveOptions { concurrency: 8, orders_every, max_age, known: Vec::new() };
        tokio::spawn(async move { guestlist::live(&c, event_id, options, requests, tx).await });
        Live { list: GuestList::new(event_id), events, ask, seen: Vec::new() }
    }

    /// Applies events until `done` holds for the list and the last event, at most `within`.
    async fn until(&mut self, within: Duration, done: impl Fn(&GuestList, &LoadEvent) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let Ok(Some(event)) = tokio::time::timeout_at(deadline, self.events.recv()).await else {
                return false;
            };
            self.list.apply(event.clone());
            let hit = done(&self.list, &event);
            self.seen.push(event);
            if hit {
                return true;
            }
        }
    }

    async fn first_pass(&mut self) {
        assert!(self.until(Duration::from_secs(20), |_, e| *e == LoadEvent::Done).await, "first pass");
    }
}

fn verdict_of(list: &GuestList, attendee_id: u64) -> Verdict {
    let i = list
        .lookup_id(attendee_id)
        .into_iter()
        .find(|&i| list.guests()[i].attendee.attendee_id == attendee_id);
    i.map_or(Verdict::NotFound, |i| list.verdict(i))
}

const LONG: Duration = Duration::from_secs(3600);

#[tokio::test]
async fn a_recheck_sees_a_cancellation_made_on_the_server_after_the_load() {
    let s = server(40).await;
    let mut live = Live::start(&s, LONG, LONG);
    live.first_pass().await;
    let data = s.dataset();
    let order =
        data.events[0].orders.iter().find(|o| o.status == "confirmed" && !o.attendees.is_empty()).unwrap();
    let attendee = order.attendees[0].attendee_id;
    assert_ne!(verdict_of(&live.list, attendee), Verdict::Cancelled);
    s.set_order_status(order.id, OrderStatus::Cancelled).unwrap();
    live.ask.send(Request::Recheck(order.id)).unwrap();
    let seen = live
        .until(Duration::from_secs(10), |_, e| matches!(e, LoadEvent::Order(o) if o.id == order.id))
        .await;
    assert!(seen, "the order was fetched again");
    assert_eq!(verdict_of(&live.list, attendee), Verdict::Cancelled);
}

#[tokio::test]
async fn a_look_for_new_orders_finds_a_buyer_who_came_after_the_load() {
    let s = server(40).await;
    let mut live = Live::start(&s, LONG, LONG);
    live.first_pass().await;
    let added = s.add_order(s.dataset().events[0].id, 2).unwrap();
    let late = added.attendee_ids[0];
    assert_eq!(verdict_of(&live.list, late), Verdict::NotFound);
    live.ask.send(Request::LookForNew(7)).unwrap();
    let answered = live
        .until(Duration::from_secs(10), |_, e| matches!(e, LoadEvent::LookedForNew { token: 7, .. }))
        .await;
    assert!(answered);
    assert!(
        matches!(live.seen.last(), Some(LoadEvent::LookedForNew { result: Ok(1), .. })),
        "{:?}",
        live.seen.last()
    );
    assert_eq!(verdict_of(&live.list, late), Verdict::Valid, "the new order's details came first");
}

#[tokio::test]
async fn new_orders_are_looked_for_every_orders_every_without_asking() {
    let s = server(20).await;
    let mut live = Live::start(&s, Duration::from_secs(1), LONG);
    live.first_pass().await;
    let added = s.add_order(s.dataset().events[0].id, 1).unwrap();
    let found =
        live.until(Duration::from_secs(10), |list, _| list.lookup_id(added.attendee_ids[0]).len() == 1).await;
    assert!(found, "the periodic look found the new order");
}

#[tokio::test]
async fn the_sweep_picks_up_a_check_in_made_on_the_server_within_max_age() {
    let s = server(20).await;
    let mut live = Live::start(&s, LONG, Duration::from_secs(2));
    live.first_pass().await;
    let data = s.dataset();
    let attendee = data.events[0]
        .orders
        .iter()
        .filter(|o| o.status == "confirmed")
        .flat_map(|o| &o.attendees)
        .find(|a| a.check_in_date.is_none())
        .map(|a| a.attendee_id)
        .expect("a confirmed attendee not checked in");
    let checked_at = Instant::now();
    s.check_in_attendee(attendee).unwrap();
    let seen = live
        .until(Duration::from_secs(10), |list, _| {
            matches!(verdict_of(list, attendee), Verdict::AlreadyCheckedIn { .. })
        })
        .await;
    assert!(seen, "the sweep re-read the order by itself");
    // max_age is 2 s; a little more for the request itself.
    assert!(checked_at.elapsed() < Duration::from_secs(4), "took {:?}", checked_at.elapsed());
}

#[tokio::test]
async fn a_stopped_server_makes_the_event_offline_and_its_return_brings_it_back() {
    let s = server(20).await;
    // Details re-read often, so that the loader has something to ask for.
    let mut live = Live::start(&s, Duration::from_secs(1), Duration::from_secs(1));
    live.first_pass().await;
    let known = live.list.len();
    s.stop().await;
    let stopped = Instant::now();
    let offline = live.until(Duration::from_secs(15), |_, e| matches!(e, LoadEvent::Offline(_))).await;
    assert!(offline, "offline after the server stopped");
    assert!(stopped.elapsed() < Duration::from_secs(10), "offline after {:?}", stopped.elapsed());
    assert_eq!(live.list.len(), known, "nothing known is lost while offline");
    s.restart().await.unwrap();
    let back = live.until(Duration::from_secs(20), |_, e| *e == LoadEvent::Online).await;
    assert!(back, "online again with nothing asked");
    assert_eq!(live.list.len(), known);
}

#[tokio::test]
async fn a_refresh_with_failing_orders_keeps_every_attendee() {
    let s = server(40).await;
    let c = client(&s);
    let event = s.dataset().events[0].id;
    let list = guestlist::load(&c, event, 8, |_| {}).await.unwrap();
    let before = list.len();
    let failing = s.fail_event_orders(event, 0.2, Fault::ServerErrorJson).unwrap();
    assert!(!failing.is_empty());
    let list = guestlist::refresh(list, &c, 8, |_| {}).await.unwrap();
    assert_eq!(list.len(), before, "every attendee is kept");
    assert_eq!(list.freshness().stale, failing.len());
    let failed: Vec<u64> = list.failed().iter().map(|f| f.order_id).collect();
    let mut expected = failing.clone();
    expected.sort_unstable();
    let mut failed_sorted = failed;
    failed_sorted.sort_unstable();
    assert_eq!(failed_sorted, expected);
}

#[tokio::test]
async fn against_a_rate_limit_the_load_keeps_near_the_limit_with_few_refusals() {
    const RATE: f64 = 100.0;
    let s = DemoServer::start(DemoOptions {
        events: 1,
        orders: 300,
        latency_ms: 20,
        rate: Some(RATE),
        burst: 10,
        ..DemoOptions::default()
    })
    .await
    .unwrap();
    let c = client(&s);
    let event = s.dataset().events[0].id;
    let started = Instant::now();
    let list = guestlist::load(&c, event, 8, |_| {}).await.unwrap();
    let took = started.elapsed();
    assert!(list.is_complete());
    let stats = s.stats();
    let refused = stats.rate_limited as f64 / stats.requests as f64;
    assert!(refused <= 0.05, "{} of {} requests refused", stats.rate_limited, stats.requests);
    // A bound that catches a collapse (the old limiter took 6× as long), not a benchmark.
    let ideal = Duration::from_secs_f64(301.0 / RATE);
    assert!(took < ideal * 2, "took {took:?}, ideal {ideal:?}");
}
