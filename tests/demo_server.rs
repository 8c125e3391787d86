//! The embedded demo server, from the outside: what a client of the Floktu API sees.

use std::time::Duration;

use floktu_tui::demo::{
    Dataset, DemoAttendee, DemoOptions, DemoOrder, DemoServer, Fault, MutationError, OrderStatus, Shape,
    Stats,
};
use reqwest::{Client, StatusCode, header};
use serde_json::Value;

const TOKEN: &str = "demo-token";
const WAIT: Duration = Duration::from_secs(5);

async fn start(opts: DemoOptions) -> DemoServer {
    DemoServer::start(opts).await.expect("demo server starts")
}

/// A server with a smaller large event, so tests stay quick.
async fn server() -> DemoServer {
    start(DemoOptions { orders: 200, ..DemoOptions::default() }).await
}

fn client() -> Client {
    client_with_timeout(Duration::from_secs(10))
}

fn client_with_timeout(timeout: Duration) -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
        .expect("client builds")
}

async fn get(server: &DemoServer, path: &str) -> reqwest::Response {
    get_with(&client(), server, path, Some(TOKEN)).await
}

async fn get_with(
    client: &Client,
    server: &DemoServer,
    path: &str,
    token: Option<&str>,
) -> reqwest::Response {
    let mut req = client.get(format!("{}/{path}", server.base_url()));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("request answered")
}

async fn json(server: &DemoServer, path: &str) -> Value {
    let resp = get(server, path).await;
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.json().await.expect("json body")
}

/// Exact cents from a JSON number or a decimal string: 24.17, "24.17", 49.0, 5.
fn cents(v: &Value) -> i64 {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let (units, frac) = text.split_once('.').unwrap_or((&text, ""));
    let frac = format!("{frac:0<2}");
    assert_eq!(frac.len(), 2, "more than two decimals in {text}");
    let sign = if units.starts_with('-') { -1 } else { 1 };
    let units: i64 = units.trim_start_matches('-').parse().expect("units");
    let frac: i64 = frac.parse().expect("cents");
    sign * (units * 100 + frac)
}

fn large_event(server: &DemoServer) -> floktu_tui::demo::DemoEvent {
    server.dataset().events[0].clone()
}

fn assert_attendee_matches(json: &Value, a: &DemoAttendee) {
    assert_eq!(json["attendee_id"], a.attendee_id);
    assert_eq!(json["ticket"], a.ticket.as_str());
    assert_eq!(json["attendee_first_name"], a.first_name.as_str());
    assert_eq!(json["attendee_last_name"], a.last_name.as_str());
    // Absent optional fields are left out, not null.
    assert_eq!(json.get("ticket_group").and_then(Value::as_str), a.ticket_group.as_deref());
    assert_eq!(json.get("check_in_date").and_then(Value::as_str), a.check_in_date.as_deref());
    assert_eq!(json.get("attendee_company").and_then(Value::as_str), a.company.as_deref());
    for key in ["ticket_group", "check_in_date", "attendee_company"] {
        assert!(!json.get(key).is_some_and(Value::is_null), "{key} is null");
    }
    let data = json["attendee_data"].as_array().expect("attendee_data array");
    assert_eq!(data.len(), a.answers.len());
    for (d, (question, answer)) in data.iter().zip(&a.answers) {
        assert_eq!(d["question"], question.as_str());
        assert_eq!(d.get("answer").and_then(Value::as_str), answer.as_deref());
    }
}

fn assert_order_matches(json: &Value, o: &DemoOrder) {
    assert_eq!(json["id"], o.id);
    assert_eq!(json["name"], o.name().as_str());
    assert_eq!(json["email"], o.email.as_str());
    assert!(json["order_amount"].is_number());
    assert_eq!(cents(&json["order_amount"]), o.order_amount_cents);
    assert_eq!(cents(&json["amount_paid"]), o.amount_paid_cents);
    assert_eq!(json.get("voucher").and_then(Value::as_str), o.voucher.as_deref());
    assert_eq!(json["status"], o.status.as_str());
    let attendees = json["attendees"].as_array().expect("attendees array");
    assert_eq!(attendees.len(), o.attendees.len());
    for (j, a) in attendees.iter().zip(&o.attendees) {
        assert_attendee_matches(j, a);
    }
}

#[tokio::test]
async fn events_list_is_the_generated_events() {
    let server = server().await;
    let events = json(&server, "events").await;
    let events = events.as_array().expect("a bare array");
    assert_eq!(events.len(), 6);
    for (json, event) in events.iter().zip(&server.dataset().events) {
        assert_eq!(json["id"], event.id);
        assert_eq!(json["name"], event.name.as_str());
    }
    assert_eq!(events[0]["name"], "Northern Lights Festival 2026");
}

#[tokio::test]
async fn orders_list_is_the_events_orders() {
    let server = server().await;
    let event = large_event(&server);
    let orders = json(&server, &format!("events/{}/orders", event.id)).await;
    let orders = orders.as_array().expect("a bare array");
    assert_eq!(orders.len(), 200);
    for (json, order) in orders.iter().zip(&event.orders) {
        assert_eq!(json["id"], order.id);
        assert_eq!(json["email"], order.email.as_str());
        assert_eq!(json["first_name"], order.first_name.as_str());
        assert_eq!(json["last_name"], order.last_name.as_str());
    }
}

#[tokio::test]
async fn order_details_are_the_generated_order() {
    let server = server().await;
    let event = large_event(&server);
    // One of each interesting kind: a voucher, a check-in, no attendees, a balance due.
    let picks: Vec<&DemoOrder> = [
        event.orders.iter().find(|o| o.voucher.is_some()),
        event.orders.iter().find(|o| o.voucher.is_none()),
        event.orders.iter().find(|o| o.attendees.iter().any(|a| a.check_in_date.is_some())),
        event.orders.iter().find(|o| o.attendees.is_empty()),
        event.orders.iter().find(|o| o.status == "confirmed" && o.amount_paid_cents < o.order_amount_cents),
    ]
    .into_iter()
    .map(|o| o.expect("the data has every kind of order"))
    .collect();
    for order in picks {
        let json = json(&server, &format!("events/{}/orders/{}", event.id, order.id)).await;
        assert_order_matches(&json, order);
    }
}

#[tokio::test]
async fn post_is_answered_like_get() {
    let server = server().await;
    let resp = client()
        .post(format!("{}/events", server.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("answered");
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body.as_array().map(Vec::len), Some(6));
}

#[tokio::test]
async fn a_request_without_token_is_401_invalid_token() {
    let server = server().await;
    let resp = get_with(&client(), &server, "events", None).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.expect("json error");
    assert_eq!(body["error"], "invalid_token");
    assert!(body["error_description"].is_string());
}

#[tokio::test]
async fn a_request_with_a_wrong_token_is_401() {
    let server = server().await;
    let resp = get_with(&client(), &server, "events", Some("not-the-token")).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unknown_event_is_404() {
    let server = server().await;
    let resp = get(&server, "events/99999/orders").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let body: Value = resp.json().await.expect("json error");
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn an_unknown_order_is_404() {
    let server = server().await;
    let event = large_event(&server).id;
    for order in ["1", "abc", "99999999"] {
        let resp = get(&server, &format!("events/{event}/orders/{order}")).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "order {order}");
    }
}

#[tokio::test]
async fn an_order_asked_under_another_event_is_404() {
    let server = server().await;
    let events = &server.dataset().events;
    let order = events[1].orders[0].id;
    let resp = get(&server, &format!("events/{}/orders/{order}", events[0].id)).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn fail_next_fails_exactly_that_many_requests_then_serves() {
    let server = server().await;
    server.knobs().fail_next(2, Fault::ServerErrorJson);
    for _ in 0..2 {
        let resp = get(&server, "events").await;
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body: Value = resp.json().await.expect("json error");
        assert_eq!(body["error"], "server_error");
    }
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
    assert_eq!(server.stats().requests, 3);
}

#[tokio::test]
async fn reset_stats_starts_the_count_again() {
    let server = server().await;
    get(&server, "events").await;
    server.reset_stats();
    assert_eq!(server.stats(), Stats::default());
    get(&server, "events").await;
    assert_eq!(server.stats().requests, 1);
}

#[tokio::test]
async fn too_many_requests_carries_retry_after_when_asked() {
    let server = server().await;
    let knobs = server.knobs();
    knobs.fail_next(1, Fault::TooManyRequests { retry_after_secs: Some(7) });
    knobs.fail_next(1, Fault::TooManyRequests { retry_after_secs: None });
    let with = get(&server, "events").await;
    assert_eq!(with.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(with.headers()[header::RETRY_AFTER], "7");
    let without = get(&server, "events").await;
    assert_eq!(without.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(without.headers().get(header::RETRY_AFTER).is_none());
}

#[tokio::test]
async fn server_error_html_is_a_502_html_page() {
    let server = server().await;
    server.knobs().fail_next(1, Fault::ServerErrorHtml);
    let resp = get(&server, "events").await;
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    let ctype = resp.headers()[header::CONTENT_TYPE].to_str().unwrap_or_default().to_string();
    assert!(ctype.starts_with("text/html"), "{ctype}");
    let body = resp.text().await.expect("body");
    assert!(body.contains("<html>"));
}

#[tokio::test]
async fn not_found_fault_is_a_404_on_a_real_event() {
    let server = server().await;
    server.knobs().fail_next(1, Fault::NotFound);
    let resp = get(&server, "events").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_hanging_request_never_answers() {
    let server = server().await;
    server.knobs().fail_next(1, Fault::Hang);
    let client = client_with_timeout(Duration::from_millis(300));
    let err = client
        .get(format!("{}/events", server.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect_err("no answer");
    assert!(err.is_timeout(), "{err:?}");
    // The client gave up and closed the connection: the server lets go too.
    assert!(server.wait_for_stats(WAIT, |s| s.in_flight == 0).await);
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn shutdown_ends_even_with_a_request_hanging() {
    let server = server().await;
    server.knobs().fail_next(1, Fault::Hang);
    let url = format!("{}/events", server.base_url());
    let hanging = tokio::spawn(async move { client().get(url).bearer_auth(TOKEN).send().await });
    assert!(server.wait_for_stats(WAIT, |s| s.in_flight == 1).await);
    tokio::time::timeout(WAIT, server.shutdown()).await.expect("shutdown in time");
    let answer = hanging.await.expect("task");
    assert!(answer.is_err(), "the hanging request got no answer");
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let server = server().await;
    server.knobs().set_latency_ms(2_000);
    let err = client_with_timeout(Duration::from_millis(200))
        .get(format!("{}/events", server.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect_err("slower than the timeout");
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn a_dropped_connection_gets_no_status_at_all() {
    let server = server().await;
    server.knobs().fail_next(1, Fault::DropConnection);
    let err = client()
        .get(format!("{}/events", server.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect_err("no response");
    assert!(!err.is_timeout(), "{err:?}");
    assert_eq!(err.status(), None);
    assert_eq!(server.stats().requests, 1, "not retried behind our back");
}

#[tokio::test]
async fn a_truncated_body_breaks_in_the_middle_of_the_json() {
    let server = server().await;
    server.knobs().fail_next(1, Fault::TruncatedBody);
    let resp = get(&server, "events").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/json");
    assert!(resp.bytes().await.is_err(), "the body must not arrive whole");
}

#[tokio::test]
async fn a_permanently_failing_order_fails_every_time_and_only_it() {
    let server = server().await;
    let event = large_event(&server);
    let (bad, good) = (event.orders[3].id, event.orders[4].id);
    server.knobs().fail_order_always(bad, Fault::ServerErrorJson);
    for _ in 0..3 {
        let resp = get(&server, &format!("events/{}/orders/{bad}", event.id)).await;
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
    let resp = get(&server, &format!("events/{}/orders/{good}", event.id)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    server.knobs().clear_faults();
    let resp = get(&server, &format!("events/{}/orders/{bad}", event.id)).await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_fail_rate_of_one_fails_every_request() {
    let server = start(DemoOptions { orders: 20, fail_rate: 1.0, ..DemoOptions::default() }).await;
    for _ in 0..8 {
        let answer = client().get(format!("{}/events", server.base_url())).bearer_auth(TOKEN).send().await;
        if let Ok(resp) = answer {
            let status = resp.status();
            assert!(status == StatusCode::BAD_GATEWAY || status == StatusCode::TOO_MANY_REQUESTS, "{status}");
        }
    }
    server.knobs().set_fail_rate(0.0);
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_revoked_token_is_refused_from_then_on() {
    let server = server().await;
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
    server.knobs().revoke_token();
    assert_eq!(get(&server, "events").await.status(), StatusCode::UNAUTHORIZED);
    let event = large_event(&server).id;
    let resp = get(&server, &format!("events/{event}/orders")).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_tolerant_shape_has_string_ids_and_a_keyed_events_object() {
    let server = server().await;
    server.knobs().set_shape(Shape::Tolerant);
    let data = server.dataset();
    let event = &data.events[0];

    let events = json(&server, "events").await;
    let keyed = events.as_object().expect("events keyed by id");
    assert_eq!(keyed.len(), data.events.len());
    let first = &keyed[&event.id.to_string()];
    assert_eq!(first["id"], event.id.to_string());
    assert_eq!(first["name"], event.name.as_str());

    let orders = json(&server, &format!("events/{}/orders", event.id)).await;
    let orders = orders["orders"].as_array().expect("wrapped orders");
    assert_eq!(orders.len(), event.orders.len());
    assert_eq!(orders[0]["id"], event.orders[0].id.to_string());
}

#[tokio::test]
async fn the_tolerant_shape_says_the_same_order_differently() {
    let server = server().await;
    server.knobs().set_shape(Shape::Tolerant);
    let event = large_event(&server);
    let mut containers = std::collections::HashSet::new();
    let mut date_kinds = std::collections::HashSet::new();
    for order in event.orders.iter().take(40) {
        let json = json(&server, &format!("events/{}/orders/{}", event.id, order.id)).await;
        assert_eq!(json["id"], order.id.to_string());
        assert!(json["order_amount"].is_string());
        assert_eq!(cents(&json["order_amount"]), order.order_amount_cents);
        assert_eq!(cents(&json["amount_paid"]), order.amount_paid_cents);
        if order.voucher.is_none() {
            assert!(json["voucher"].is_null() || json["voucher"] == "");
        }
        let attendees: Vec<&Value> = match &json["attendees"] {
            Value::Null => Vec::new(),
            Value::Array(list) => {
                containers.insert("array");
                list.iter().collect()
            }
            Value::Object(m) if m.contains_key("attendees") => {
                containers.insert("wrapped");
                m["attendees"].as_array().expect("wrapped array").iter().collect()
            }
            Value::Object(m) => {
                containers.insert("keyed");
                m.values().collect()
            }
            other => panic!("attendees as {other}"),
        };
        assert_eq!(attendees.len(), order.attendees.len());
        for a in &order.attendees {
            let id = a.attendee_id.to_string();
            let j =
                attendees.iter().find(|j| j["attendee_id"] == id.as_str()).expect("attendee by string id");
            match (&a.check_in_date, j["check_in_date"].as_str()) {
                (Some(_), Some(d)) if d.contains('T') => date_kinds.insert("rfc3339"),
                (Some(_), Some(d)) if d.contains(' ') => date_kinds.insert("plain"),
                (Some(_), Some(d)) => date_kinds.insert(if d.parse::<i64>().is_ok() { "unix" } else { "?" }),
                (None, None | Some("")) => false,
                (want, got) => panic!("check_in_date {want:?} as {got:?}"),
            };
        }
    }
    assert_eq!(containers.len(), 3, "{containers:?}");
    assert_eq!(date_kinds.len(), 3, "{date_kinds:?}");
}

// --- OAuth -----------------------------------------------------------------

const REDIRECT: &str = "http://127.0.0.1:9/callback";

async fn authorize(server: &DemoServer, accept: &str, client_id: &str, state: &str) -> reqwest::Response {
    client()
        .get(format!("{}/authorize", server.base_url()))
        .header(header::ACCEPT, accept)
        .query(&[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", REDIRECT),
            ("state", state),
        ])
        .send()
        .await
        .expect("answered")
}

/// The `code` and `state` of the redirect a script-friendly authorize answers with.
async fn code_for(server: &DemoServer, state: &str) -> (String, String) {
    let resp = authorize(server, "*/*", "demo-client", state).await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    let location = resp.headers()[header::LOCATION].to_str().expect("ascii").to_string();
    let url = url::Url::parse(&location).expect("a URL");
    assert!(location.starts_with(REDIRECT), "{location}");
    let param = |name: &str| {
        url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap_or_default()
    };
    (param("code"), param("state"))
}

async fn exchange(server: &DemoServer, code: &str, secret: &str, redirect: &str) -> reqwest::Response {
    client()
        .post(format!("{}/token", server.base_url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "demo-client"),
            ("client_secret", secret),
            ("code", code),
            ("redirect_uri", redirect),
        ])
        .send()
        .await
        .expect("answered")
}

#[tokio::test]
async fn authorize_redirects_a_script_with_code_and_state() {
    let server = server().await;
    let state = "a b&c=d/é";
    let (code, back) = code_for(&server, state).await;
    assert!(code.len() >= 16, "{code}");
    assert_eq!(back, state);
    let (other, _) = code_for(&server, state).await;
    assert_ne!(code, other, "a fresh code every time");
}

#[tokio::test]
async fn authorize_keeps_the_redirect_uris_own_query() {
    let server = server().await;
    let resp = client()
        .get(format!("{}/authorize", server.base_url()))
        .query(&[
            ("response_type", "code"),
            ("client_id", "demo-client"),
            ("redirect_uri", "http://127.0.0.1:9/cb?session=1"),
            ("state", "s"),
        ])
        .send()
        .await
        .expect("answered");
    let location = resp.headers()[header::LOCATION].to_str().expect("ascii").to_string();
    assert!(location.starts_with("http://127.0.0.1:9/cb?session=1&code="), "{location}");
    assert!(location.ends_with("&state=s"), "{location}");
}

#[tokio::test]
async fn authorize_shows_a_browser_an_approval_form_that_posts() {
    let server = server().await;
    let resp = authorize(&server, "text/html,application/xhtml+xml,*/*;q=0.8", "demo-client", "st<8>").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page = resp.text().await.expect("page");
    assert!(page.contains("Allow floktu to read your events?"));
    assert!(page.contains("demo-client"));
    assert!(page.contains(&format!("<form method=\"post\" action=\"{REDIRECT}\">")));
    assert!(page.contains("name=\"code\""));
    assert!(page.contains("value=\"st&lt;8&gt;\""), "state escaped: {page}");
    assert!(page.contains("Approve"));
}

#[tokio::test]
async fn authorize_refuses_an_unknown_client() {
    let server = server().await;
    let resp = authorize(&server, "*/*", "someone-else", "s").await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let page = resp.text().await.expect("page");
    assert!(page.contains("someone-else"));
}

#[tokio::test]
async fn a_code_becomes_a_token_that_opens_the_api() {
    let server = server().await;
    let (code, _) = code_for(&server, "s").await;
    let resp = exchange(&server, &code, "demo-secret", REDIRECT).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["expires_in"], 0);
    assert!(body["scope"].is_null());
    let token = body["access_token"].as_str().expect("a token").to_string();
    assert_ne!(token, TOKEN);
    let resp = get_with(&client(), &server, "events", Some(&token)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(server.stats().token_requests, 1);
}

#[tokio::test]
async fn a_code_works_only_once() {
    let server = server().await;
    let (code, _) = code_for(&server, "s").await;
    assert_eq!(exchange(&server, &code, "demo-secret", REDIRECT).await.status(), StatusCode::OK);
    let again = exchange(&server, &code, "demo-secret", REDIRECT).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let body: Value = again.json().await.expect("json");
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client() {
    let server = server().await;
    let (code, _) = code_for(&server, "s").await;
    let resp = exchange(&server, &code, "guess", REDIRECT).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "invalid_client");
}

#[tokio::test]
async fn a_different_redirect_uri_is_invalid_grant() {
    let server = server().await;
    let (code, _) = code_for(&server, "s").await;
    let resp = exchange(&server, &code, "demo-secret", "http://127.0.0.1:9/elsewhere").await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn a_new_login_after_revocation_works() {
    let server = server().await;
    server.knobs().revoke_token();
    let (code, _) = code_for(&server, "s").await;
    let body: Value = exchange(&server, &code, "demo-secret", REDIRECT).await.json().await.expect("json");
    let token = body["access_token"].as_str().expect("token");
    let resp = get_with(&client(), &server, "events", Some(token)).await;
    assert_eq!(resp.status(), StatusCode::OK);
}

// --- Concurrency and data ----------------------------------------------------

#[tokio::test]
async fn max_in_flight_counts_concurrent_requests() {
    let server = start(DemoOptions { orders: 20, latency_ms: 200, ..DemoOptions::default() }).await;
    let client = client();
    let event = server.dataset().events[0].id;
    let requests = (0..6).map(|_| {
        client.get(format!("{}/events/{event}/orders", server.base_url())).bearer_auth(TOKEN).send()
    });
    for resp in futures::future::join_all(requests).await {
        assert_eq!(resp.expect("answered").status(), StatusCode::OK);
    }
    let stats = server.stats();
    assert_eq!(stats.requests, 6);
    assert_eq!(stats.max_in_flight, 6);
    assert_eq!(stats.in_flight, 0);
}

#[tokio::test]
async fn base_url_is_loopback_api_v2_without_trailing_slash() {
    let server = server().await;
    assert!(server.addr().ip().is_loopback());
    assert_eq!(server.base_url(), format!("http://127.0.0.1:{}/api/v2", server.addr().port()));
}

#[test]
fn the_same_seed_gives_the_same_data_and_another_seed_does_not() {
    assert_eq!(Dataset::generate(42, 6, 300), Dataset::generate(42, 6, 300));
    assert_ne!(Dataset::generate(42, 6, 300), Dataset::generate(43, 6, 300));
}

#[test]
fn the_large_event_has_the_orders_asked_for_and_about_two_attendees_each() {
    let data = Dataset::generate(42, 6, 1500);
    let large = &data.events[0];
    assert_eq!(large.orders.len(), 1500);
    let attendees: usize = large.orders.iter().map(|o| o.attendees.len()).sum();
    assert!(attendees >= 3000, "{attendees}");
    for event in &data.events[1..] {
        assert!((5..=120).contains(&event.orders.len()), "{}", event.orders.len());
    }
}

#[test]
fn names_come_in_many_scripts() {
    let data = Dataset::generate(42, 6, 1500);
    let names: Vec<&str> =
        data.events[0].orders.iter().flat_map(|o| &o.attendees).map(|a| a.last_name.as_str()).collect();
    let has =
        |range: std::ops::RangeInclusive<char>| names.iter().any(|n| n.chars().any(|c| range.contains(&c)));
    assert!(has('\u{0400}'..='\u{04FF}'), "Cyrillic");
    assert!(has('\u{0370}'..='\u{03FF}'), "Greek");
    assert!(has('\u{0600}'..='\u{06FF}'), "Arabic");
    assert!(has('\u{4E00}'..='\u{9FFF}'), "CJK");
    assert!(has('\u{AC00}'..='\u{D7AF}'), "Hangul");
    assert!(has('\u{0900}'..='\u{097F}'), "Devanagari");
    assert!(has('\u{00C0}'..='\u{017F}'), "accented Latin");
}

#[test]
fn most_attendees_answer_an_email_question_with_an_address() {
    let data = Dataset::generate(42, 1, 1500);
    let answers: Vec<Option<&str>> = data.events[0]
        .orders
        .iter()
        .flat_map(|o| &o.attendees)
        .map(|a| {
            a.answers
                .iter()
                .find(|(q, _)| q.to_lowercase().contains("email"))
                .and_then(|(_, answer)| answer.as_deref())
        })
        .collect();
    let addresses = answers.iter().filter(|a| a.is_some_and(|a| a.contains('@'))).count();
    let missing = answers.iter().filter(|a| a.is_none()).count();
    assert!(addresses * 100 / answers.len() >= 80, "{addresses} of {}", answers.len());
    assert!(missing > 0, "some attendees leave it blank");
}

// --- Changes while serving ---------------------------------------------------

async fn details(server: &DemoServer, event: u64, order: u64) -> Value {
    json(server, &format!("events/{event}/orders/{order}")).await
}

/// An order of the large event with this status and at least one attendee.
fn order_with(server: &DemoServer, status: &str) -> (u64, DemoOrder) {
    let event = large_event(server);
    let order = event.orders.iter().find(|o| o.status == status && !o.attendees.is_empty()).cloned();
    (event.id, order.expect("the data has such an order"))
}

#[tokio::test]
async fn a_status_change_is_seen_by_the_next_request() {
    let server = server().await;
    let (event, order) = order_with(&server, "confirmed");
    server.set_order_status(order.id, OrderStatus::Cancelled).expect("the order exists");
    assert_eq!(details(&server, event, order.id).await["status"], "cancelled");
    server.set_order_status(order.id, OrderStatus::Unconfirmed).expect("the order exists");
    assert_eq!(details(&server, event, order.id).await["status"], "unconfirmed");
}

#[tokio::test]
async fn a_change_to_an_unknown_order_says_so() {
    let server = server().await;
    assert_eq!(server.set_order_status(7, OrderStatus::Confirmed), Err(MutationError::NoOrder(7)));
    assert_eq!(server.check_in_attendee(7), Err(MutationError::NoAttendee(7)));
    assert_eq!(server.add_order(7, 1), Err(MutationError::NoEvent(7)));
}

/// "YYYY-MM-DD HH:MM:SS", the demo's check-in format.
fn assert_check_in_format(date: &Value) {
    let date = date.as_str().expect("check_in_date is a string");
    assert!(chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M:%S").is_ok(), "{date}");
}

#[tokio::test]
async fn checking_an_order_in_gives_every_attendee_a_check_in_date() {
    let server = server().await;
    let event = large_event(&server);
    let order = event
        .orders
        .iter()
        .find(|o| {
            o.status == "confirmed"
                && o.attendees.len() > 1
                && o.attendees.iter().all(|a| a.check_in_date.is_none())
        })
        .expect("an order nobody of which is checked in");
    let checked = server.check_in_order(order.id).expect("the order exists");
    assert_eq!(checked, order.attendees.iter().map(|a| a.attendee_id).collect::<Vec<_>>());
    let json = details(&server, event.id, order.id).await;
    for attendee in json["attendees"].as_array().expect("attendees") {
        assert_check_in_format(&attendee["check_in_date"]);
    }
    assert_eq!(server.check_in_order(order.id), Ok(vec![]), "nobody is checked in twice");
}

#[tokio::test]
async fn checking_one_attendee_in_leaves_the_others_of_the_order() {
    let server = server().await;
    let event = large_event(&server);
    let order = event
        .orders
        .iter()
        .find(|o| o.attendees.len() > 1 && o.attendees.iter().all(|a| a.check_in_date.is_none()))
        .expect("an order of several, nobody checked in");
    assert_eq!(server.check_in_attendee(order.attendees[1].attendee_id), Ok(true));
    assert_eq!(server.check_in_attendee(order.attendees[1].attendee_id), Ok(false));
    let json = details(&server, event.id, order.id).await;
    assert!(json["attendees"][0].get("check_in_date").is_none());
    assert_check_in_format(&json["attendees"][1]["check_in_date"]);
}

#[tokio::test]
async fn an_added_order_comes_last_in_the_list_and_its_details_are_served() {
    let server = server().await;
    let event = large_event(&server).id;
    let added = server.add_order(event, 3).expect("the event exists");
    assert_eq!(added.attendee_ids.len(), 3);
    let list = json(&server, &format!("events/{event}/orders")).await;
    let list = list.as_array().expect("a bare array");
    assert_eq!(list.len(), 201);
    assert_eq!(list[200]["id"], added.order_id);
    let json = details(&server, event, added.order_id).await;
    assert_eq!(json["status"], "confirmed");
    let ids: Vec<u64> = json["attendees"]
        .as_array()
        .expect("attendees")
        .iter()
        .map(|a| a["attendee_id"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(ids, added.attendee_ids);
    let snapshot = server.dataset();
    let order = snapshot.event(event).and_then(|e| e.order(added.order_id)).expect("in the dataset too");
    assert_order_matches(&json, order);
}

#[tokio::test]
async fn a_snapshot_of_the_dataset_keeps_what_it_saw() {
    let server = server().await;
    let (_, order) = order_with(&server, "confirmed");
    let before = server.dataset();
    server.set_order_status(order.id, OrderStatus::Cancelled).expect("the order exists");
    let status = |d: &Dataset| d.events[0].order(order.id).map(|o| o.status.clone());
    assert_eq!(status(&before).as_deref(), Some("confirmed"));
    assert_eq!(status(&server.dataset()).as_deref(), Some("cancelled"));
}

#[tokio::test]
async fn hostile_text_follows_the_changes() {
    let server = server().await;
    server.knobs().set_hostile(true);
    let (event, order) = order_with(&server, "confirmed");
    assert_eq!(details(&server, event, order.id).await["status"], "confirmed");
    server.set_order_status(order.id, OrderStatus::Cancelled).expect("the order exists");
    server.check_in_order(order.id).expect("the order exists");
    let changed = details(&server, event, order.id).await;
    assert_eq!(changed["status"], "cancelled");
    assert_check_in_format(&changed["attendees"][0]["check_in_date"]);
    let added = server.add_order(event, 1).expect("the event exists");
    let list = json(&server, &format!("events/{event}/orders")).await;
    assert_eq!(list.as_array().and_then(|l| l.last()).map(|o| o["id"].clone()), Some(added.order_id.into()));
    let expected = server.dataset().with_hostile_text();
    let hostile = expected.event(event).and_then(|e| e.order(added.order_id)).expect("added");
    assert_order_matches(&details(&server, event, added.order_id).await, hostile);
}

#[tokio::test]
async fn a_fraction_of_an_events_orders_fails_until_healed() {
    let server = server().await;
    let event = large_event(&server);
    let failing = server.fail_event_orders(event.id, 0.1, Fault::ServerErrorJson).expect("the event exists");
    assert_eq!(failing.len(), 20);
    assert_eq!(server.knobs().failing_orders(), failing);
    let healthy =
        event.orders.iter().map(|o| o.id).find(|id| !failing.contains(id)).expect("a healthy order");
    for _ in 0..2 {
        let resp = get(&server, &format!("events/{}/orders/{}", event.id, failing[0])).await;
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
    assert_eq!(get(&server, &format!("events/{}/orders/{healthy}", event.id)).await.status(), StatusCode::OK);
    assert!(server.knobs().heal_order(failing[0]));
    assert!(!server.knobs().heal_order(failing[0]));
    assert_eq!(
        get(&server, &format!("events/{}/orders/{}", event.id, failing[0])).await.status(),
        StatusCode::OK
    );
    let resp = get(&server, &format!("events/{}/orders/{}", event.id, failing[1])).await;
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR, "the others still fail");
    server.knobs().clear_faults();
    assert!(server.knobs().failing_orders().is_empty());
    assert_eq!(
        get(&server, &format!("events/{}/orders/{}", event.id, failing[1])).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_same_seed_fails_the_same_orders() {
    let (a, b) = (server().await, server().await);
    let event = large_event(&a).id;
    let pick = |s: &DemoServer| s.fail_event_orders(event, 0.25, Fault::NotFound).expect("the event exists");
    assert_eq!(pick(&a), pick(&b));
}

#[tokio::test]
async fn the_rate_limit_refuses_past_the_burst_with_retry_after() {
    // So slow that no token comes back while the test runs.
    let server =
        start(DemoOptions { orders: 20, rate: Some(0.01), burst: 3, ..DemoOptions::default() }).await;
    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..5 {
        let resp = get(&server, "events").await;
        statuses.push(resp.status());
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(resp);
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 3, "{statuses:?}");
    let refused = refused.expect("some are refused");
    let retry: u64 = refused.headers()[header::RETRY_AFTER]
        .to_str()
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("whole seconds");
    assert!((1..=100).contains(&retry), "{retry}");
    let body: Value = refused.json().await.expect("a JSON error");
    assert_eq!(body["error"], "rate_limited");
    let stats = server.stats();
    assert_eq!((stats.requests, stats.rate_limited), (5, 2));
    server.knobs().set_rate_limit(None, 0);
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_changed_rate_limit_starts_with_a_full_bucket() {
    let server = server().await;
    assert_eq!(server.knobs().rate_limit(), None);
    server.knobs().set_rate_limit(Some(0.01), 1);
    assert_eq!(server.knobs().rate_limit(), Some((0.01, 1)));
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
    assert_eq!(get(&server, "events").await.status(), StatusCode::TOO_MANY_REQUESTS);
    server.knobs().set_rate_limit(Some(0.01), 2);
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
    assert_eq!(get(&server, "events").await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_fail_rate_can_answer_503_without_retry_after() {
    let server = server().await;
    server.knobs().set_fail_rate_with(1.0, Fault::ServiceUnavailable { retry_after_secs: None });
    for _ in 0..5 {
        let resp = get(&server, "events").await;
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(resp.headers().get(header::RETRY_AFTER).is_none());
    }
    server.knobs().set_fail_rate(0.0);
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
}

/// Whether a connection to the server is refused now.
async fn refused(server: &DemoServer) -> bool {
    tokio::net::TcpStream::connect(server.addr()).await.is_err()
}

/// Polls `condition` until it holds, at most `WAIT`.
async fn eventually<F: std::future::Future<Output = bool>>(mut condition: impl FnMut() -> F) -> bool {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        if condition().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn a_restart_serves_the_same_port_with_the_changes_made() {
    let server = server().await;
    let (event, order) = order_with(&server, "confirmed");
    let port = server.addr().port();
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
    server.set_order_status(order.id, OrderStatus::Cancelled).expect("the order exists");
    let added = server.add_order(event, 2).expect("the event exists");
    server.stop().await;
    assert!(refused(&server).await, "a stopped server refuses connections");
    server.stop().await;
    server.restart().await.expect("the port is free again");
    assert_eq!(server.addr().port(), port);
    assert_eq!(details(&server, event, order.id).await["status"], "cancelled");
    assert_eq!(details(&server, event, added.order_id).await["id"], added.order_id);
    server.restart().await.expect("restarting a running server does nothing");
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn stop_drops_a_hanging_request() {
    let server = server().await;
    server.knobs().fail_next(1, Fault::Hang);
    let url = format!("{}/events", server.base_url());
    let hanging = tokio::spawn(async move { client().get(url).bearer_auth(TOKEN).send().await });
    assert!(server.wait_for_stats(WAIT, |s| s.in_flight == 1).await);
    tokio::time::timeout(WAIT, server.stop()).await.expect("stop does not wait for a hanging request");
    assert!(hanging.await.expect("joined").is_err());
    server.restart().await.expect("restarts");
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
}

// --- Control endpoints -------------------------------------------------------

async fn control(server: &DemoServer, path: &str) -> reqwest::Response {
    client().post(format!("{}/{path}", server.control_url())).send().await.expect("control answered")
}

async fn control_json(server: &DemoServer, path: &str, status: StatusCode) -> Value {
    let resp = control(server, path).await;
    assert_eq!(resp.status(), status, "{path}");
    resp.json().await.expect("json body")
}

#[tokio::test]
async fn control_endpoints_change_status_check_in_and_add_orders() {
    let server = server().await;
    let (event, order) = order_with(&server, "confirmed");
    control_json(&server, &format!("orders/{}/status?to=cancelled", order.id), StatusCode::OK).await;
    assert_eq!(details(&server, event, order.id).await["status"], "cancelled");

    let checked = control_json(&server, &format!("orders/{}/check-in", order.id), StatusCode::OK).await;
    assert!(checked["checked_in"].is_array());
    assert_check_in_format(&details(&server, event, order.id).await["attendees"][0]["check_in_date"]);

    let added =
        control_json(&server, &format!("events/{event}/orders?attendees=2"), StatusCode::CREATED).await;
    let id = added["order_id"].as_u64().expect("an order id");
    assert_eq!(added["attendee_ids"].as_array().map(Vec::len), Some(2));
    let attendee = added["attendee_ids"][0].as_u64().expect("an attendee id");
    let one = control_json(&server, &format!("attendees/{attendee}/check-in"), StatusCode::OK).await;
    assert_eq!(one["checked_in"], true);
    let json = details(&server, event, id).await;
    assert_check_in_format(&json["attendees"][0]["check_in_date"]);
    assert!(json["attendees"][1].get("check_in_date").is_none());
}

#[tokio::test]
async fn control_endpoints_fail_and_heal_orders() {
    let server = server().await;
    let event = large_event(&server).id;
    let failing =
        control_json(&server, &format!("events/{event}/fail?fraction=0.05&fault=503"), StatusCode::OK).await;
    let ids: Vec<u64> =
        failing["failing"].as_array().expect("ids").iter().filter_map(Value::as_u64).collect();
    assert_eq!(ids.len(), 10);
    let path = format!("events/{event}/orders/{}", ids[0]);
    assert_eq!(get(&server, &path).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    control_json(&server, &format!("heal?order={}", ids[0]), StatusCode::OK).await;
    assert_eq!(get(&server, &path).await.status(), StatusCode::OK);
    let other = format!("events/{event}/orders/{}", ids[1]);
    assert_eq!(get(&server, &other).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    control_json(&server, "heal", StatusCode::OK).await;
    assert_eq!(get(&server, &other).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn control_endpoints_set_the_fail_rate_and_rate_limit() {
    let server = server().await;
    control_json(&server, "fail-rate?rate=1&fault=503", StatusCode::OK).await;
    assert_eq!(get(&server, "events").await.status(), StatusCode::SERVICE_UNAVAILABLE);
    control_json(&server, "fail-rate?rate=0", StatusCode::OK).await;
    control_json(&server, "rate-limit?rate=0.01&burst=1", StatusCode::OK).await;
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
    assert_eq!(get(&server, "events").await.status(), StatusCode::TOO_MANY_REQUESTS);
    control_json(&server, "rate-limit?rate=off", StatusCode::OK).await;
    assert_eq!(get(&server, "events").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn control_requests_are_not_api_requests() {
    let server =
        start(DemoOptions { orders: 20, rate: Some(0.01), burst: 1, ..DemoOptions::default() }).await;
    server.knobs().set_fail_rate(1.0);
    server.knobs().set_latency_ms(60_000);
    let event = large_event(&server).id;
    for _ in 0..3 {
        control_json(&server, &format!("events/{event}/orders"), StatusCode::CREATED).await;
    }
    assert_eq!(server.stats(), Stats::default());
}

#[tokio::test]
async fn control_endpoints_say_what_is_wrong() {
    let server = server().await;
    let bad = control_json(&server, "orders/100001/status?to=lost", StatusCode::BAD_REQUEST).await;
    assert!(bad["error_description"].as_str().is_some_and(|d| d.contains("confirmed")), "{bad}");
    control_json(&server, "orders/7/status?to=confirmed", StatusCode::NOT_FOUND).await;
    control_json(&server, "events/7/orders", StatusCode::NOT_FOUND).await;
    control_json(&server, "events/12/fail", StatusCode::BAD_REQUEST).await;
    control_json(&server, "events/12/fail?fraction=0.1&fault=teapot", StatusCode::BAD_REQUEST).await;
    control_json(&server, "stop-for?secs=0", StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn stop_for_refuses_connections_then_serves_again() {
    let server = server().await;
    let (event, order) = order_with(&server, "confirmed");
    server.set_order_status(order.id, OrderStatus::Cancelled).expect("the order exists");
    let stopped = control_json(&server, "stop-for?secs=1", StatusCode::ACCEPTED).await;
    assert_eq!(stopped["stopped_for_secs"], 1);
    assert!(eventually(|| refused(&server)).await, "the port refuses connections");
    assert!(eventually(|| async { !refused(&server).await }).await, "and then serves again");
    assert_eq!(details(&server, event, order.id).await["status"], "cancelled");
}

#[tokio::test]
async fn changes_while_clients_read_leave_every_answer_whole() {
    let server = server().await;
    let event = large_event(&server);
    let client = client();
    let reads = event.orders.iter().map(|o| {
        let url = format!("{}/events/{}/orders/{}", server.base_url(), event.id, o.id);
        let client = client.clone();
        async move {
            let resp = client.get(url).bearer_auth(TOKEN).send().await.expect("answered");
            assert_eq!(resp.status(), StatusCode::OK);
            resp.json::<Value>().await.expect("whole JSON")
        }
    });
    let writes = async {
        for o in &event.orders {
            server.check_in_order(o.id).expect("the order exists");
            tokio::task::yield_now().await;
        }
    };
    let (answers, ()) = tokio::join!(futures::future::join_all(reads), writes);
    assert_eq!(answers.len(), event.orders.len());
    let after = server.dataset();
    assert!(after.events[0].orders.iter().flat_map(|o| &o.attendees).all(|a| a.check_in_date.is_some()));
}
