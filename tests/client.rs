//! FloktuClient against the embedded demo server over real loopback HTTP.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use floktu_tui::api::{AccessToken, ApiBase, ClientOptions, Error, FloktuClient, Money, RetryPolicy, Status};
use floktu_tui::demo::{DemoOptions, DemoServer, Fault, Shape};

fn small_demo() -> DemoOptions {
    DemoOptions { events: 3, orders: 40, ..DemoOptions::default() }
}

async fn server() -> DemoServer {
    DemoServer::start(small_demo()).await.expect("demo server starts")
}

/// Quick retries so the tests stay fast; `retries` after the first attempt.
fn options(retries: u32) -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        deadline: Duration::from_secs(20),
        retry: RetryPolicy {
            max_retries: retries,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            retry_after_cap: Duration::from_secs(5),
        },
        max_body_bytes: 8 * 1024 * 1024,
    }
}

fn client_with(server: &DemoServer, token: &str, opts: ClientOptions) -> FloktuClient {
    let base = ApiBase::parse(&server.base_url()).unwrap();
    FloktuClient::with_options(base, AccessToken::new(token), opts).unwrap()
}

fn client(server: &DemoServer) -> FloktuClient {
    client_with(server, &small_demo().token, options(3))
}

#[tokio::test]
async fn events_match_the_generated_data() {
    let s = server().await;
    let events = client(&s).events().await.unwrap();
    assert!(events.skipped.is_empty());
    let expected: Vec<(u64, String)> = s.dataset().events.iter().map(|e| (e.id, e.name.clone())).collect();
    let got: Vec<(u64, String)> = events.items.into_iter().map(|e| (e.id, e.name)).collect();
    assert_eq!(got, expected);
}

#[tokio::test]
async fn orders_match_the_generated_data() {
    let s = server().await;
    let event = &s.dataset().events[0];
    let orders = client(&s).orders(event.id).await.unwrap();
    let got: Vec<(u64, String)> = orders.items.iter().map(|o| (o.id, o.email.clone())).collect();
    let expected: Vec<(u64, String)> = event.orders.iter().map(|o| (o.id, o.email.clone())).collect();
    assert_eq!(got, expected);
}

#[tokio::test]
async fn order_details_match_the_generated_data() {
    let s = server().await;
    let event = &s.dataset().events[0];
    let want = &event.orders[0];
    let got = client(&s).order(event.id, want.id).await.unwrap();
    assert_eq!(got.id, want.id);
    assert_eq!(got.order_amount, Some(Money(want.order_amount_cents)));
    assert_eq!(got.amount_paid, Some(Money(want.amount_paid_cents)));
    assert_eq!(got.status, Status::parse(&want.status));
    assert_eq!(
        got.attendees.iter().map(|a| a.attendee_id).collect::<Vec<_>>(),
        want.attendees.iter().map(|a| a.attendee_id).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn the_tolerant_shape_decodes_to_the_same_data() {
    let s = server().await;
    let c = client(&s);
    let event = s.dataset().events[0].id;
    let order = s.dataset().events[0].orders[1].id;
    let plain =
        (c.events().await.unwrap(), c.orders(event).await.unwrap(), c.order(event, order).await.unwrap());
    s.knobs().set_shape(Shape::Tolerant);
    let mut tolerant =
        (c.events().await.unwrap(), c.orders(event).await.unwrap(), c.order(event, order).await.unwrap());
    // A keyed object has no order of its own: compare as sets.
    tolerant.0.items.sort_by_key(|e| e.id);
    let mut plain_events = plain.0.items.clone();
    plain_events.sort_by_key(|e| e.id);
    assert_eq!(tolerant.0.items, plain_events);
    assert_eq!(tolerant.1.items, plain.1.items);
    assert_eq!(tolerant.2.id, plain.2.id);
    assert_eq!(tolerant.2.order_amount, plain.2.order_amount);
    assert_eq!(tolerant.2.attendees.len(), plain.2.attendees.len());
    assert!(tolerant.0.skipped.is_empty() && tolerant.1.skipped.is_empty());
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let s = server().await;
    let err = client_with(&s, "not-the-token", options(3)).events().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert_eq!(s.stats().requests, 1, "401 is not retried");
}

#[tokio::test]
async fn an_unknown_event_and_order_are_not_found() {
    let s = server().await;
    let c = client(&s);
    assert!(matches!(c.orders(999_999).await.unwrap_err(), Error::NotFound(_)));
    let event = s.dataset().events[0].id;
    assert!(matches!(c.order(event, 1).await.unwrap_err(), Error::NotFound(_)));
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let s = server().await;
    s.knobs().fail_next(2, Fault::ServerErrorJson);
    let events = client(&s).events().await.unwrap();
    assert!(!events.items.is_empty());
    assert_eq!(s.stats().requests, 3);
}

#[tokio::test]
async fn rate_limits_are_retried_until_success() {
    let s = server().await;
    s.knobs().fail_next(2, Fault::TooManyRequests { retry_after_secs: None });
    client(&s).events().await.unwrap();
    assert_eq!(s.stats().requests, 3);
}

#[tokio::test]
async fn retries_give_up_after_the_limit() {
    let s = server().await;
    s.knobs().fail_next(10, Fault::ServerErrorJson);
    let err = client_with(&s, &small_demo().token, options(2)).events().await.unwrap_err();
    assert!(matches!(err, Error::Server { status: 500, .. }), "{err:?}");
    assert_eq!(s.stats().requests, 3);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let s = server().await;
    s.knobs().fail_next(1, Fault::TooManyRequests { retry_after_secs: Some(1) });
    let started = Instant::now();
    client(&s).events().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
    assert_eq!(s.stats().requests, 2);
}

#[tokio::test]
async fn retry_after_is_capped() {
    let s = server().await;
    s.knobs().fail_next(1, Fault::TooManyRequests { retry_after_secs: Some(3) });
    let mut opts = options(1);
    opts.retry.retry_after_cap = Duration::from_millis(100);
    let started = Instant::now();
    client_with(&s, &small_demo().token, opts).events().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(3), "waited {:?}", started.elapsed());
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_is_an_error_that_says_so() {
    let s = server().await;
    s.knobs().fail_next(1, Fault::TooManyRequests { retry_after_secs: Some(999_999) });
    let started = Instant::now();
    let err = client(&s).events().await.unwrap_err();
    assert!(matches!(err, Error::WaitTooLong { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("wait 999999 s") && message.contains("left for this request"), "{message}");
    assert_eq!(s.stats().requests, 1);
    assert!(started.elapsed() < Duration::from_secs(5), "waited {:?}", started.elapsed());
}

#[tokio::test]
async fn a_server_that_never_answers_is_given_up_on_at_the_deadline() {
    let s = server().await;
    s.knobs().fail_next(100, Fault::Hang);
    let mut opts = options(10);
    opts.deadline = Duration::from_secs(1);
    let started = Instant::now();
    let err = client_with(&s, &small_demo().token, opts).events().await.unwrap_err();
    let waited = started.elapsed();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(waited >= Duration::from_secs(1) && waited < Duration::from_secs(3), "waited {waited:?}");
    assert_eq!(err.to_string(), "no answer from Floktu in 1 s; gave up");
}

#[tokio::test]
async fn the_timeout_message_states_the_whole_time_waited_not_one_attempt() {
    let s = server().await;
    s.knobs().fail_next(100, Fault::Hang);
    let mut opts = options(10);
    opts.request_timeout = Duration::from_millis(300);
    opts.deadline = Duration::from_millis(1500);
    let err = client_with(&s, &small_demo().token, opts).events().await.unwrap_err();
    let Error::Timeout(waited) = err else { panic!("{err:?}") };
    assert!(waited >= Duration::from_millis(1500), "the error says {waited:?}");
    assert!(s.stats().requests >= 2, "timed-out attempts are retried within the deadline");
    assert_eq!(err.to_string(), "no answer from Floktu in 1.5 s; gave up");
}

#[test]
fn the_default_deadline_is_45_seconds() {
    assert_eq!(ClientOptions::default().deadline, Duration::from_secs(45));
}

/// A server on loopback that answers every request by `answer` and counts the
/// connections it accepts.
async fn counting_server(answer: &'static [u8]) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf).await;
                let _ = conn.write_all(answer).await;
                let _ = conn.shutdown().await;
            });
        }
    });
    (addr.to_string(), hits)
}

#[tokio::test]
async fn a_refused_redirect_is_not_retried() {
    let (addr, hits) = counting_server(
        b"HTTP/1.1 302 Found\r\nLocation: http://192.0.2.1/api/v2/events\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await;
    let base = ApiBase::parse(&format!("http://{addr}/api/v2")).unwrap();
    let c = FloktuClient::with_options(base, AccessToken::new("t"), options(3)).unwrap();
    let err = c.events().await.unwrap_err();
    assert!(matches!(err, Error::Refused(_)), "{err:?}");
    assert!(!err.is_transient());
    assert_eq!(hits.load(Ordering::SeqCst), 1, "asked again after a refused redirect");
}

#[tokio::test]
async fn a_failed_secure_connection_is_not_retried() {
    // A server that does not speak TLS at an https:// base: the handshake fails
    // the same way each time, like a bad certificate does.
    let (addr, hits) =
        counting_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
    let base = ApiBase::parse(&format!("https://{addr}/api/v2")).unwrap();
    let c = FloktuClient::with_options(base, AccessToken::new("t"), options(3)).unwrap();
    let err = c.events().await.unwrap_err();
    assert!(matches!(err, Error::Refused(_)), "{err:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 1, "asked again after a failed handshake");
}

#[tokio::test]
async fn an_html_error_page_gives_a_readable_error() {
    let s = server().await;
    s.knobs().fail_next(1, Fault::ServerErrorHtml);
    let err = client_with(&s, &small_demo().token, options(0)).events().await.unwrap_err();
    let Error::Server { status, message } = &err else { panic!("{err:?}") };
    assert_eq!(*status, 502);
    assert!(!message.contains('<'), "no markup in {message:?}");
    assert!(err.to_string().starts_with("Floktu answered 502: "), "{err}");
}

#[tokio::test]
async fn a_truncated_body_is_a_network_error_not_data() {
    let s = server().await;
    s.knobs().fail_next(1, Fault::TruncatedBody);
    let err = client_with(&s, &small_demo().token, options(0)).events().await.unwrap_err();
    assert!(matches!(err, Error::Network(ref m) if m.contains("mid-answer")), "{err:?}");
}

#[tokio::test]
async fn a_truncated_body_is_retried() {
    let s = server().await;
    s.knobs().fail_next(1, Fault::TruncatedBody);
    let events = client(&s).events().await.unwrap();
    assert_eq!(events.items.len(), s.dataset().events.len());
    assert_eq!(s.stats().requests, 2);
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let s = server().await;
    s.knobs().fail_next(1, Fault::DropConnection);
    client(&s).events().await.unwrap();
    assert_eq!(s.stats().requests, 2);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let s = server().await;
    s.knobs().fail_next(1, Fault::Hang);
    let mut opts = options(0);
    opts.request_timeout = Duration::from_millis(300);
    let err = client_with(&s, &small_demo().token, opts).events().await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
}

#[tokio::test]
async fn an_answer_over_the_size_limit_is_refused() {
    let s = server().await;
    let mut opts = options(0);
    opts.max_body_bytes = 64;
    let err = client_with(&s, &small_demo().token, opts).orders(s.dataset().events[0].id).await.unwrap_err();
    assert!(matches!(err, Error::TooLarge { limit: 64 }), "{err:?}");
}
