//! The demo server's fault and hostility catalogue, from the client's side:
//! hostile text in every field, broken and huge bodies, a huge event, jittery
//! answers — and what `floktu` prints from them.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use assert_cmd::Command;
use floktu_tui::api::{
    AccessToken, ApiBase, ClientOptions, Error, FloktuClient, Money, Order, RetryPolicy, Status,
};
use floktu_tui::demo::{
    Dataset, DemoAttendee, DemoOptions, DemoOrder, DemoServer, Fault, Shape, hostile_catalogue,
};
use floktu_tui::text::sanitize;
use futures::{StreamExt, TryStreamExt};
use tempfile::TempDir;

const TOKEN: &str = "demo-token";
/// The bound on anything a test waits for.
const WAIT: Duration = Duration::from_secs(60);
const MIB: usize = 1024 * 1024;

fn small_demo() -> DemoOptions {
    DemoOptions { events: 4, orders: 30, ..DemoOptions::default() }
}

async fn server(opts: DemoOptions) -> DemoServer {
    DemoServer::start(opts).await.expect("demo server starts")
}

/// A small server sending the tolerant shape and hostile text at once.
async fn hostile_tolerant_server() -> DemoServer {
    let s = server(small_demo()).await;
    s.knobs().set_shape(Shape::Tolerant);
    s.knobs().set_hostile(true);
    s
}

/// Quick retries so the tests stay fast; `retries` after the first attempt;
/// the default size limit.
fn options(retries: u32) -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(20),
        retry: RetryPolicy {
            max_retries: retries,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            retry_after_cap: Duration::from_secs(1),
        },
        ..ClientOptions::default()
    }
}

fn client_with(server: &DemoServer, opts: ClientOptions) -> FloktuClient {
    let base = ApiBase::parse(&server.base_url()).unwrap();
    FloktuClient::with_options(base, AccessToken::new(TOKEN), opts).unwrap()
}

fn client(server: &DemoServer) -> FloktuClient {
    client_with(server, options(3))
}

/// Every order's details of every event, fetched a few at a time; each must decode.
async fn all_order_details(c: &FloktuClient, data: &Dataset) -> Vec<Order> {
    let calls: Vec<(u64, u64)> =
        data.events.iter().flat_map(|e| e.orders.iter().map(move |o| (e.id, o.id))).collect();
    futures::stream::iter(calls)
        .map(|(event, order)| async move { c.order(event, order).await })
        .buffered(8)
        .try_collect()
        .await
        .expect("every order decodes")
}

/// Every piece of text the client decoded from the whole dataset: event names,
/// the orders lists, and every order's details.
async fn decoded_text(c: &FloktuClient, data: &Dataset) -> Vec<String> {
    let mut text: Vec<String> = c.events().await.unwrap().items.into_iter().map(|e| e.name).collect();
    for e in &data.events {
        for o in c.orders(e.id).await.unwrap().items {
            text.extend([o.first_name, o.last_name, o.email]);
        }
    }
    for order in all_order_details(c, data).await {
        text.extend(order_text(&order));
    }
    text
}

fn order_text(o: &Order) -> Vec<String> {
    let mut text = vec![o.name.clone(), o.email.clone()];
    text.extend(o.voucher.clone());
    for a in &o.attendees {
        text.extend(a.ticket_group.clone());
        text.extend([a.ticket.clone(), a.first_name.clone(), a.last_name.clone()]);
        text.extend(a.company.clone());
        for ans in &a.answers {
            text.push(ans.question.clone());
            text.extend(ans.answer.clone());
        }
    }
    text
}

/// The classes none of `strings` carries raw.
fn missing_classes(strings: &[String]) -> Vec<&'static str> {
    hostile_catalogue()
        .iter()
        .filter(|(_, sample)| !strings.iter().any(|s| s.contains(sample)))
        .map(|(class, _)| *class)
        .collect()
}

/// What a terminal must never be sent: ESC and every other C0 control, DEL, C1
/// controls, bidi controls and zero-width characters.
fn unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

fn assert_terminal_safe(s: &str, what: &str) {
    if let Some(c) = s.chars().find(|&c| unsafe_char(c)) {
        panic!("{what}: U+{:04X} in {:?}", u32::from(c), s.chars().take(200).collect::<String>());
    }
}

/// Output for a terminal: valid UTF-8 with nothing unsafe but the line breaks.
fn assert_output_safe(stdout: &[u8], what: &str) {
    let text = std::str::from_utf8(stdout).unwrap_or_else(|e| panic!("{what}: not UTF-8 ({e})"));
    for (n, line) in text.lines().enumerate() {
        assert_terminal_safe(line, &format!("{what}, line {}", n + 1));
    }
}

fn assert_order_is(got: &Order, want: &DemoOrder) {
    assert_eq!(got.id, want.id);
    assert_eq!(got.name, want.name(), "order {}", want.id);
    assert_eq!(got.email, want.email, "order {}", want.id);
    assert_eq!(got.voucher, want.voucher, "order {}", want.id);
    assert_eq!(got.status, Status::parse(&want.status));
    assert_eq!(got.order_amount, Some(Money(want.order_amount_cents)));
    assert_eq!(got.amount_paid, Some(Money(want.amount_paid_cents)));
    assert!(got.skipped_attendees.is_empty(), "order {}: {:?}", want.id, got.skipped_attendees);
    let mut attendees: Vec<_> = got.attendees.iter().collect();
    attendees.sort_by_key(|a| a.attendee_id);
    assert_eq!(attendees.len(), want.attendees.len(), "order {}", want.id);
    for (a, w) in attendees.into_iter().zip(&want.attendees) {
        assert_attendee_is(a, w);
    }
}

fn assert_attendee_is(got: &floktu_tui::api::Attendee, want: &DemoAttendee) {
    let id = want.attendee_id;
    assert_eq!(got.attendee_id, id);
    assert_eq!(got.ticket_group, want.ticket_group, "attendee {id}");
    assert_eq!(got.ticket, want.ticket, "attendee {id}");
    assert_eq!(got.first_name, want.first_name, "attendee {id}");
    assert_eq!(got.last_name, want.last_name, "attendee {id}");
    assert_eq!(got.company, want.company, "attendee {id}");
    assert_eq!(got.check_in.as_ref().map(|c| c.at.is_some()), want.check_in_date.as_ref().map(|_| true));
    let answers: Vec<(&str, Option<&str>)> =
        got.answers.iter().map(|a| (a.question.as_str(), a.answer.as_deref())).collect();
    let expected: Vec<(&str, Option<&str>)> =
        want.answers.iter().map(|(q, a)| (q.as_str(), a.as_deref())).collect();
    assert_eq!(answers, expected, "attendee {id}");
}

#[test]
fn the_catalogue_has_every_class_of_trouble() {
    let samples: Vec<&str> = hostile_catalogue().iter().map(|(_, s)| *s).collect();
    let any = |f: &dyn Fn(&str) -> bool| samples.iter().any(|s| f(s));
    assert!(any(&|s| s.contains("\u{1b}]0;PWNED-TITLE\u{7}")), "OSC title, BEL");
    assert!(any(&|s| s.contains("\u{1b}]2;PWNED\u{1b}\\")), "OSC title, ST");
    assert!(any(&|s| s.contains("\u{1b}[2J")), "clear screen");
    assert!(any(&|s| s.contains("\u{1b}[31m") && s.contains("\u{1b}[10;10H")), "colour and cursor");
    assert!(any(&|s| s.contains("\u{1b}]52;c;")), "OSC 52");
    assert!(any(&|s| s.contains('\u{0}') && s.contains('\u{7}') && s.contains('\u{8}')), "C0 with NUL");
    assert!(any(&|s| s.contains("\u{9b}31m")) && any(&|s| s.contains("\u{9d}0;x\u{9c}")), "C1");
    assert!(any(&|s| s.contains('\t') && s.contains('\r') && s.contains('\n')), "tab, CR, LF");
    assert!(any(&|s| s.contains('\u{202e}')) && any(&|s| s.contains('\u{2066}')), "bidi");
    assert!(any(&|s| s.contains('\u{200b}')), "zero width");
    assert!(any(&|s| s.contains("👩\u{200d}👩\u{200d}👧")), "emoji ZWJ sequence");
    assert!(any(&|s| s.contains("e\u{301}\u{301}\u{301}")), "combining marks");
    assert!(any(&|s| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))), "CJK");
    assert!(any(&|s| s.chars().count() >= 10_000), "10,000 characters");
    for lead in ['=', '+', '-', '@'] {
        assert!(any(&|s| s.starts_with(lead)), "formula {lead}");
    }
    let classes: BTreeSet<&str> = hostile_catalogue().iter().map(|(c, _)| *c).collect();
    assert_eq!(classes.len(), hostile_catalogue().len(), "class names are unique");
}

#[tokio::test]
async fn hostile_tolerant_answers_decode_completely_and_unchanged() {
    let s = hostile_tolerant_server().await;
    let c = client(&s);
    let want = s.dataset().with_hostile_text();
    let events = c.events().await.unwrap();
    assert!(events.skipped.is_empty(), "{:?}", events.skipped);
    let mut got: Vec<(u64, String)> = events.items.into_iter().map(|e| (e.id, e.name)).collect();
    got.sort();
    let expected: Vec<(u64, String)> = want.events.iter().map(|e| (e.id, e.name.clone())).collect();
    assert_eq!(got, expected);
    for e in &want.events {
        let orders = c.orders(e.id).await.unwrap();
        assert!(orders.skipped.is_empty(), "event {}: {:?}", e.id, orders.skipped);
        let got: Vec<(u64, &str, &str, &str)> = orders
            .items
            .iter()
            .map(|o| (o.id, o.email.as_str(), o.first_name.as_str(), o.last_name.as_str()))
            .collect();
        let expected: Vec<(u64, &str, &str, &str)> = e
            .orders
            .iter()
            .map(|o| (o.id, o.email.as_str(), o.first_name.as_str(), o.last_name.as_str()))
            .collect();
        assert_eq!(got, expected, "event {}", e.id);
    }
    let details = all_order_details(&c, &want).await;
    let wanted: Vec<&DemoOrder> = want.events.iter().flat_map(|e| &e.orders).collect();
    assert_eq!(details.len(), wanted.len());
    for (got, want) in details.iter().zip(wanted) {
        assert_order_is(got, want);
    }
}

#[tokio::test]
async fn every_hostile_class_reaches_the_model_raw_in_every_list() {
    let s = hostile_tolerant_server().await;
    let c = client(&s);
    let names: Vec<String> = c.events().await.unwrap().items.into_iter().map(|e| e.name).collect();
    assert_eq!(missing_classes(&names), Vec::<&str>::new(), "events list");
    for e in &s.dataset().events {
        let orders = c.orders(e.id).await.unwrap().items;
        let text: Vec<String> =
            orders.into_iter().flat_map(|o| [o.first_name, o.last_name, o.email]).collect();
        assert_eq!(missing_classes(&text), Vec::<&str>::new(), "orders of event {}", e.id);
        for lead in ['=', '+', '-', '@'] {
            assert!(text.iter().any(|t| t.starts_with(lead)), "no {lead} in front in event {}", e.id);
        }
    }
    let large = &s.dataset().events[0];
    let data = Dataset { events: vec![large.clone()] };
    let details: Vec<String> = all_order_details(&c, &data).await.iter().flat_map(order_text).collect();
    assert_eq!(missing_classes(&details), Vec::<&str>::new(), "order details of event {}", large.id);
}

#[tokio::test]
async fn sanitized_hostile_text_has_no_escapes_controls_or_bidi() {
    for (class, sample) in hostile_catalogue() {
        assert_terminal_safe(&sanitize(sample), class);
        assert_terminal_safe(&sanitize(&format!("Ann{sample}ie")), class);
    }
    let s = hostile_tolerant_server().await;
    let text = decoded_text(&client(&s), &s.dataset()).await;
    assert!(text.len() > 500, "only {} strings", text.len());
    assert!(text.iter().any(|t| t.contains('\u{1b}')), "the model keeps the raw text");
    for t in &text {
        assert_terminal_safe(&sanitize(t), "sanitized server text");
    }
}

#[tokio::test]
async fn invalid_utf8_in_strings_decodes_as_replacement_characters() {
    let s = server(small_demo()).await;
    let c = client(&s);
    s.knobs().fail_next(1, Fault::InvalidUtf8);
    let events = c.events().await.unwrap();
    let got: Vec<(u64, String)> = events.items.into_iter().map(|e| (e.id, e.name)).collect();
    let expected: Vec<(u64, String)> =
        s.dataset().events.iter().map(|e| (e.id, format!("\u{fffd}{}\u{fffd}", e.name))).collect();
    assert_eq!(got, expected);

    let event = &s.dataset().events[0];
    let want = event.orders.iter().find(|o| !o.attendees.is_empty()).unwrap();
    s.knobs().fail_next(1, Fault::InvalidUtf8);
    let order = c.order(event.id, want.id).await.unwrap();
    assert_eq!(s.stats().requests, 2, "nothing was retried");
    assert_eq!(order.email, format!("\u{fffd}{}\u{fffd}", want.email));
    assert_eq!(order.status, Status::parse(&want.status));
    assert_eq!(order.order_amount, Some(Money(want.order_amount_cents)));
    let first = &order.attendees[0];
    assert_eq!(first.attendee_id, want.attendees[0].attendee_id);
    assert_eq!(first.first_name, format!("\u{fffd}{}\u{fffd}", want.attendees[0].first_name));
}

#[tokio::test]
async fn json_cut_in_the_middle_is_a_truncation_error_not_retried_beyond_the_policy() {
    let s = server(small_demo()).await;
    s.knobs().fail_next(100, Fault::CutJson);
    let err = client_with(&s, options(2)).orders(s.dataset().events[0].id).await.unwrap_err();
    let Error::Decode { message, .. } = &err else { panic!("{err:?}") };
    assert!(message.contains("truncated"), "{message}");
    let requests = s.stats().requests;
    assert!((1..=3).contains(&requests), "{requests} requests for 2 retries");
}

#[tokio::test]
async fn a_connection_reset_mid_body_is_a_network_error() {
    let s = server(small_demo()).await;
    s.knobs().fail_next(1, Fault::ResetMidBody);
    let err = client_with(&s, options(0)).orders(s.dataset().events[0].id).await.unwrap_err();
    let Error::Network(message) = &err else { panic!("{err:?}") };
    assert!(message.to_lowercase().contains("reset"), "a reset, not a close: {message}");
}

#[tokio::test]
async fn a_connection_reset_mid_body_is_retried() {
    let s = server(small_demo()).await;
    s.knobs().fail_next(1, Fault::ResetMidBody);
    let event = &s.dataset().events[0];
    let orders = client(&s).orders(event.id).await.unwrap();
    assert_eq!(orders.items.len(), event.orders.len());
    assert_eq!(s.stats().requests, 2);
}

#[tokio::test]
async fn a_huge_body_is_valid_json_of_exactly_its_size_without_a_length() {
    let s = server(small_demo()).await;
    s.knobs().fail_next(1, Fault::HugeBody { bytes: 300_001 });
    let response = reqwest::Client::new()
        .get(format!("{}/events", s.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.content_length().is_none());
    let body = response.bytes().await.unwrap();
    assert_eq!(body.len(), 300_001);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap();
    assert!(list.len() > 3000);
    assert_eq!(s.stats().huge_bytes_sent, 300_001);
}

#[tokio::test]
async fn a_50_mb_body_is_refused_without_reading_it_all() {
    let s = server(small_demo()).await;
    let huge = 50 * MIB;
    s.knobs().fail_next(1, Fault::HugeBody { bytes: huge });
    let c = client_with(&s, ClientOptions::default());
    let result = tokio::time::timeout(WAIT, c.events()).await.expect("the client gives up and returns");
    assert!(matches!(result, Err(Error::TooLarge { limit }) if limit == 32 * MIB), "{result:?}");
    assert_eq!(s.stats().requests, 1, "a refused answer is not asked again");
    let sent = s.stats().huge_bytes_sent;
    assert!(sent < huge as u64, "the client read all {sent} bytes");
}

#[tokio::test]
async fn a_20000_order_event_lists_every_order() {
    let s = server(DemoOptions { events: 1, orders: 20_000, ..DemoOptions::default() }).await;
    let event = &s.dataset().events[0];
    let orders = client_with(&s, ClientOptions::default()).orders(event.id).await.unwrap();
    assert!(orders.skipped.is_empty());
    let ids: Vec<u64> = orders.items.iter().map(|o| o.id).collect();
    assert_eq!(ids.len(), 20_000);
    assert_eq!(ids, event.orders.iter().map(|o| o.id).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_20000_order_event_with_hostile_text_stays_under_the_size_limit() {
    let s = server(DemoOptions { events: 1, orders: 20_000, ..DemoOptions::default() }).await;
    s.knobs().set_hostile(true);
    s.knobs().set_shape(Shape::Tolerant);
    let event = &s.dataset().events[0];
    let orders = client_with(&s, ClientOptions::default()).orders(event.id).await.unwrap();
    assert!(orders.skipped.is_empty());
    assert_eq!(orders.items.len(), 20_000);
    let text: Vec<String> = orders.items.into_iter().flat_map(|o| [o.first_name, o.email]).collect();
    assert!(text.iter().filter(|t| t.chars().count() > 10_000).count() <= 1);
}

#[tokio::test]
async fn jitter_keeps_every_answer_correct() {
    let s = server(small_demo()).await;
    s.knobs().set_jitter_ms(25);
    assert_eq!(s.knobs().jitter_ms(), 25);
    let c = client(&s);
    let event = &s.dataset().events[0];
    let ids: Vec<u64> = c.orders(event.id).await.unwrap().items.iter().map(|o| o.id).collect();
    assert_eq!(ids, event.orders.iter().map(|o| o.id).collect::<Vec<_>>());
    let details = all_order_details(&c, &Dataset { events: vec![event.clone()] }).await;
    for (got, want) in details.iter().zip(&event.orders) {
        assert_order_is(got, want);
    }
    assert_eq!(s.stats().requests, 1 + event.orders.len() as u64, "no request failed");
}

/// The binary with a private HOME and XDG dirs, no keyring, and the demo token.
fn floktu(home: &TempDir, base: &str) -> Command {
    let mut cmd = Command::cargo_bin("floktu").unwrap();
    for var in ["FLOKTU_API_BASE", "FLOKTU_CLIENT_ID", "FLOKTU_CLIENT_SECRET"] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("FLOKTU_KEYRING", "none")
        .env("FLOKTU_TOKEN", TOKEN)
        .args(["--api-base", base]);
    cmd
}

/// A hostile server on a runtime of its own, so the blocking binary runs beside it.
fn hostile_server_for_the_cli() -> (tokio::runtime::Runtime, DemoServer) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(server(small_demo()));
    server.knobs().set_hostile(true);
    (rt, server)
}

/// Runs `floktu ARGS` and returns its stdout; it must succeed.
fn run(home: &TempDir, base: &str, args: &[&str]) -> Vec<u8> {
    let out = floktu(home, base).args(args).output().unwrap();
    assert!(out.status.success(), "floktu {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn hostile_events_and_orders_tables_print_nothing_a_terminal_would_obey() {
    let (_rt, s) = hostile_server_for_the_cli();
    let home = TempDir::new().unwrap();
    let base = s.base_url();
    let events = run(&home, &base, &["events"]);
    assert_output_safe(&events, "events");
    assert_eq!(events.iter().filter(|&&b| b == b'\n').count(), s.dataset().events.len() + 1);
    for e in &s.dataset().events {
        let orders = run(&home, &base, &["orders", &e.id.to_string()]);
        assert_output_safe(&orders, &format!("orders {}", e.id));
        assert_eq!(orders.iter().filter(|&&b| b == b'\n').count(), e.orders.len() + 1);
    }
}

#[test]
fn hostile_order_tables_print_nothing_a_terminal_would_obey() {
    let (_rt, s) = hostile_server_for_the_cli();
    let home = TempDir::new().unwrap();
    let event = &s.dataset().events[0];
    for o in event.orders.iter().take(8) {
        let args = ["order", &event.id.to_string(), &o.id.to_string()];
        let out = run(&home, &s.base_url(), &args);
        assert_output_safe(&out, &format!("order {}", o.id));
        assert!(String::from_utf8_lossy(&out).contains(&o.id.to_string()));
    }
}

#[test]
fn hostile_json_output_escapes_what_a_terminal_would_obey() {
    let (_rt, s) = hostile_server_for_the_cli();
    let home = TempDir::new().unwrap();
    let event = &s.dataset().events[0];
    let want = s.dataset().with_hostile_text();
    let out = run(&home, &s.base_url(), &["orders", &event.id.to_string(), "--json"]);
    assert_output_safe(&out, "orders --json");
    let orders: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
    let emails: Vec<&str> = orders.iter().map(|o| o["email"].as_str().unwrap()).collect();
    let expected: Vec<&str> = want.events[0].orders.iter().map(|o| o.email.as_str()).collect();
    assert_eq!(emails, expected, "escaped, not changed");
}

#[test]
fn hostile_csv_cells_never_start_a_formula() {
    let (_rt, s) = hostile_server_for_the_cli();
    let home = TempDir::new().unwrap();
    let event = s.dataset().events[0].id.to_string();
    let mut neutralised = BTreeSet::new();
    for args in [vec!["events", "--csv"], vec!["orders", &event, "--csv"], vec!["attendees", &event, "--csv"]]
    {
        let out = run(&home, &s.base_url(), &args);
        assert_output_safe(&out, &format!("{args:?}"));
        let mut csv = csv::ReaderBuilder::new().has_headers(true).from_reader(out.as_slice());
        let mut rows = 0;
        for record in csv.records() {
            let record = record.unwrap();
            rows += 1;
            for cell in &record {
                assert!(!cell.starts_with(['=', '+', '-', '@']), "{args:?}: a formula cell {cell:?}");
                if let Some(rest) = cell.strip_prefix('\'') {
                    neutralised.extend(rest.chars().next());
                }
            }
        }
        assert!(rows > 0, "{args:?} printed no rows");
    }
    assert_eq!(neutralised, BTreeSet::from(['+', '-', '=', '@']), "every formula lead was seen and defused");
}

#[test]
fn demo_server_flags_turn_on_the_shape_hostile_text_and_jitter() {
    let home = TempDir::new().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_floktu"))
        .args(["demo-server", "--port", "0", "--events", "2", "--orders", "10"])
        .args(["--shape", "tolerant", "--hostile", "--jitter-ms", "5"])
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed = Vec::new();
    while !printed.last().is_some_and(|l: &String| l.contains("Ctrl-C")) {
        match rx.recv_timeout(WAIT) {
            Ok(line) => printed.push(line),
            Err(e) => {
                let _ = child.kill();
                panic!("demo-server printed {printed:?}, then {e}");
            }
        }
    }
    let on = printed.iter().find(|l| l.trim_start().starts_with("on:")).cloned().unwrap_or_default();
    let base = printed.iter().find_map(|l| l.strip_prefix("Floktu demo server on ")).map(str::to_string);
    let answer = base.as_ref().map(|base| {
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let response =
                reqwest::Client::new().get(format!("{base}/events")).bearer_auth(TOKEN).send().await;
            response.unwrap().json::<serde_json::Value>().await.unwrap()
        })
    });
    let _ = child.kill();
    let _ = child.wait();
    for what in ["tolerant", "hostile", "jitter 0-5 ms"] {
        assert!(on.contains(what), "{what} not in {on:?}");
    }
    let answer = answer.expect("the base URL is printed");
    let events = answer.as_object().expect("the tolerant shape keys events by id");
    assert!(events.values().all(|e| e["name"].as_str().is_some_and(|n| n.chars().any(unsafe_char))));
}
