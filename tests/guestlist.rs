//! The guest list loader against the embedded demo server over loopback HTTP:
//! completeness under faults, bounded concurrency, failures kept by id, and
//! slowing down on 429.

use std::time::Duration;

use floktu_tui::api::{AccessToken, ApiBase, ClientOptions, Error, FloktuClient, RetryPolicy};
use floktu_tui::demo::{DemoOptions, DemoServer, Fault};
use floktu_tui::guestlist::{self, Fetch, GuestList, LoadEvent, Throttle};

async fn server(orders: usize) -> DemoServer {
    DemoServer::start(DemoOptions { events: 2, orders, ..DemoOptions::default() })
        .await
        .expect("demo server starts")
}

/// Quick retries so the tests stay fast; `retries` after the first attempt.
/// `Retry-After` is capped at 20 ms: the demo's random 429s ask for a second.
fn options(retries: u32) -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        deadline: Duration::from_secs(20),
        retry: RetryPolicy {
            max_retries: retries,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            retry_after_cap: Duration::from_millis(20),
        },
        max_body_bytes: 8 * 1024 * 1024,
    }
}

fn client(server: &DemoServer, opts: ClientOptions) -> FloktuClient {
    let base = ApiBase::parse(&server.base_url()).unwrap();
    FloktuClient::with_options(base, AccessToken::new(DemoOptions::default().token), opts).unwrap()
}

/// The attendee ids of the big event as the demo generated them, in list order.
fn expected_attendees(server: &DemoServer) -> Vec<u64> {
    server.dataset().events[0].orders.iter().flat_map(|o| o.attendees.iter().map(|a| a.attendee_id)).collect()
}

fn attendee_ids(list: &GuestList) -> Vec<u64> {
    list.guests().iter().map(|g| g.attendee.attendee_id).collect()
}

async fn load(c: &FloktuClient, event: u64, concurrency: usize) -> GuestList {
    guestlist::load(c, event, concurrency, |_| {}).await.expect("the order list loads")
}

#[tokio::test]
async fn every_attendee_is_loaded_in_list_order() {
    let s = server(60).await;
    let event = s.dataset().events[0].id;
    let list = load(&client(&s, options(2)), event, 8).await;
    assert_eq!(attendee_ids(&list), expected_attendees(&s));
    assert!(list.is_complete());
    assert!(list.failed().is_empty());
    assert_eq!(list.orders().len(), s.dataset().events[0].orders.len());
}

#[tokio::test]
async fn the_list_is_complete_under_injected_faults() {
    let s = server(80).await;
    s.knobs().set_fail_rate(0.1);
    let event = s.dataset().events[0].id;
    // The loader tries an order 4 times: 0.1⁴ per order, 80 orders, about one
    // run in 125 would lose one (at 0.3, about every other run did).
    let list = load(&client(&s, options(10)), event, 8).await;
    assert!(list.failed().is_empty(), "{:?}", list.failed());
    assert_eq!(attendee_ids(&list), expected_attendees(&s));
    assert!(list.is_complete());
    assert!(s.stats().requests > 81, "faults were injected and retried");
}

#[tokio::test]
async fn never_more_than_the_allowed_requests_are_in_flight_and_all_of_them_are_used() {
    let s = server(40).await;
    // Latency makes requests overlap.
    s.knobs().set_latency_ms(30);
    let event = s.dataset().events[0].id;
    let list = load(&client(&s, options(2)), event, 3).await;
    assert!(list.is_complete());
    assert_eq!(s.stats().max_in_flight, 3);
}

#[tokio::test]
async fn one_at_a_time_means_one_at_a_time() {
    let s = server(10).await;
    s.knobs().set_latency_ms(10);
    let event = s.dataset().events[0].id;
    load(&client(&s, options(2)), event, 1).await;
    assert_eq!(s.stats().max_in_flight, 1);
}

#[tokio::test]
async fn a_permanently_failing_order_is_kept_by_id_and_the_rest_complete() {
    let s = server(30).await;
    let data = &s.dataset().events[0];
    let bad = data.orders[7].id;
    s.knobs().fail_order_always(bad, Fault::ServerErrorJson);
    let c = client(&s, options(1));
    let mut list = load(&c, data.id, 8).await;

    assert_eq!(list.failed().len(), 1);
    assert_eq!(list.failed()[0].order_id, bad);
    assert!(list.failed()[0].error.contains("500"), "{}", list.failed()[0].error);
    assert!(!list.is_complete());
    let without_bad: Vec<u64> = data
        .orders
        .iter()
        .filter(|o| o.id != bad)
        .flat_map(|o| o.attendees.iter().map(|a| a.attendee_id))
        .collect();
    assert_eq!(attendee_ids(&list), without_bad);

    // Retried alone once the server has recovered, it lands in its place.
    s.knobs().clear_faults();
    s.reset_stats();
    assert_eq!(list.retry_failed(&c, 8).await, 1);
    assert_eq!(s.stats().requests, 1, "only the failed order is fetched again");
    assert!(list.is_complete());
    assert_eq!(attendee_ids(&list), expected_attendees(&s));
}

#[tokio::test]
async fn events_stream_the_order_list_first_and_done_last() {
    let s = server(25).await;
    let event = &s.dataset().events[0];
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // On a task of its own, as the TUI runs it (which needs the future to be Send).
    let c = client(&s, options(2));
    let event_id = event.id;
    tokio::spawn(async move { guestlist::fetch(&c, event_id, 4, tx).await });
    let mut events = Vec::new();
    while let Some(ev) = rx.recv().await {
        events.push(ev);
    }
    let Some(LoadEvent::Orders { order_ids, skipped }) = events.first() else {
        panic!("first event: {:?}", events.first())
    };
    assert_eq!(order_ids, &event.orders.iter().map(|o| o.id).collect::<Vec<_>>());
    assert!(skipped.is_empty());
    assert_eq!(events.last(), Some(&LoadEvent::Done));
    let orders = events.iter().filter(|e| matches!(e, LoadEvent::Order(_))).count();
    assert_eq!(orders, event.orders.len());
}

#[tokio::test]
async fn an_unknown_event_fails_the_whole_load() {
    let s = server(5).await;
    let err = guestlist::load(&client(&s, options(0)), 999_999, 8, |_| {}).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn a_rate_limit_is_reported_and_the_refused_request_goes_again() {
    let s = server(20).await;
    s.knobs().set_latency_ms(20);
    // The order list request gets the 429, before any detail is asked for.
    s.knobs().fail_next(1, Fault::TooManyRequests { retry_after_secs: None });
    let mut throttles = Vec::new();
    let mut list = GuestList::new(s.dataset().events[0].id);
    let c = client(&s, options(2));
    guestlist::fetch_with(&c, list.event_id(), Fetch::Everything, 8, |ev| {
        if let LoadEvent::Throttled(t) = &ev {
            throttles.push(*t);
        }
        list.apply(ev);
    })
    .await;
    assert_eq!(throttles.len(), 1, "{throttles:?}");
    assert!(list.is_complete());
}

#[tokio::test]
async fn retry_after_is_reported_with_the_slow_down() {
    let s = server(12).await;
    s.knobs().fail_next(1, Fault::TooManyRequests { retry_after_secs: Some(1) });
    let mut throttles: Vec<Throttle> = Vec::new();
    let c = client(&s, options(2));
    let list =
        guestlist::load(&c, s.dataset().events[0].id, 8, |p| throttles.extend(p.throttle)).await.unwrap();
    assert_eq!(throttles.iter().map(|t| t.wait).collect::<Vec<_>>(), vec![Some(Duration::from_secs(1))]);
    assert!(list.is_complete());
}

#[test]
fn search_agrees_with_a_plain_scan_over_generated_data() {
    use floktu_tui::search::{Matcher, Query, fold_row};
    let data = floktu_tui::demo::Dataset::generate(42, 1, 3000);
    let mut list = GuestList::new(data.events[0].id);
    list.set_order_list(data.events[0].orders.iter().map(|o| o.id).collect());
    // In reverse, so that every order is inserted before the ones already there.
    for o in data.events[0].orders.iter().rev() {
        list.add_order(o.to_order());
    }
    let fold = guestlist::fold;
    // Each guest's row folded afresh: name, email, company, order id, attendee
    // id, ticket, voucher, and the answers, each after a U+001E.
    let rows: Vec<String> = list
        .guests()
        .iter()
        .map(|g| {
            let a = &g.attendee;
            let name = format!("{} {}", a.first_name, a.last_name);
            let (order, attendee) = (g.order.id.to_string(), a.attendee_id.to_string());
            let ticket = match &a.ticket_group {
                Some(group) => format!("{group} {}", a.ticket),
                None => a.ticket.clone(),
            };
            let voucher = g.order.voucher.clone().unwrap_or_default();
            let company = a.company.as_deref().unwrap_or_default();
            let mut row = fold_row([name.as_str(), g.email(), company, &order, &attendee, &ticket, &voucher]);
            row.push(floktu_tui::search::FIELD_SEP);
            for answer in a.answers.iter().filter_map(|x| x.answer.as_deref()) {
                row.push('\u{1e}');
                row.push_str(&fold(answer));
            }
            row
        })
        .collect();
    let mut matcher = Matcher::new();
    for query in
        ["a", "zo", "MÜLLER", "muler", "example.org", "10004", "5001", "ann", "ö", " ", "nobody-here"]
    {
        let ranked =
            matcher.rank(&Query::parse(query), rows.iter().enumerate().map(|(i, r)| (i as u32, r.as_str())));
        let plain: Vec<usize> = ranked.into_iter().map(|i| i as usize).collect();
        assert_eq!(list.search(query), plain, "query {query:?}");
    }
    // Terms too short or too odd for typos match exactly the guests holding them.
    for query in ["a", "zo", "example.org", "10004", "5001", "ö", "nobody-here"] {
        let q = fold(query);
        let mut found = list.search(query);
        found.sort_unstable();
        let holding: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].contains(&q)).collect();
        assert_eq!(found, holding, "query {query:?}");
    }
}
