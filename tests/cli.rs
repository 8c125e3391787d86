//! The `floktu` binary: output formats and exit codes, on demo data and against a
//! Floktu-shaped server that sends string ids and wrapped lists.

mod support;

use floktu_tui::demo::{DemoOptions, DemoServer, Shape};
use serde_json::Value;
use support::cli::floktu;
use tempfile::TempDir;

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn demo_events_as_json() {
    let home = TempDir::new().unwrap();
    let out = floktu(&home).args(["--demo", "events", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let events = json_of(&out);
    let list = events.as_array().unwrap();
    assert_eq!(list.len(), DemoOptions::default().events);
    assert!(list.iter().all(|e| e["id"].is_u64() && e["name"].is_string()));
}

#[test]
fn demo_events_as_a_table() {
    let home = TempDir::new().unwrap();
    let out = floktu(&home).args(["--demo", "events"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("ID"), "{text}");
    assert_eq!(text.lines().count(), DemoOptions::default().events + 1);
}

#[test]
fn demo_orders_as_csv_have_a_header_and_every_order() {
    let home = TempDir::new().unwrap();
    let events = json_of(&floktu(&home).args(["--demo", "events", "--json"]).output().unwrap());
    let first = events[0]["id"].as_u64().unwrap().to_string();
    let out = floktu(&home).args(["--demo", "orders", &first, "--csv"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("id,first_name,last_name,email"));
    assert!(lines.count() > 0);
}

#[test]
fn demo_order_as_json_has_exact_amounts_and_attendees() {
    let home = TempDir::new().unwrap();
    let events = json_of(&floktu(&home).args(["--demo", "events", "--json"]).output().unwrap());
    let event = events[0]["id"].as_u64().unwrap().to_string();
    let orders = json_of(&floktu(&home).args(["--demo", "orders", &event, "--json"]).output().unwrap());
    let order = orders[0]["id"].as_u64().unwrap().to_string();
    let out = floktu(&home).args(["--demo", "order", &event, &order, "--json"]).output().unwrap();
    assert!(out.status.success());
    let o = json_of(&out);
    assert_eq!(o["id"].as_u64().unwrap().to_string(), order);
    let amount = o["order_amount"].as_str().unwrap();
    assert!(amount.split_once('.').is_some_and(|(_, cents)| cents.len() == 2), "{amount}");
    assert!(o["attendees"].is_array());
}

#[test]
fn without_a_token_the_exit_code_is_2_and_says_to_log_in() {
    let home = TempDir::new().unwrap();
    let out = floktu(&home).args(["events"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("floktu login"));
}

#[test]
fn a_plain_http_remote_base_is_refused() {
    let home = TempDir::new().unwrap();
    let out = floktu(&home)
        .args(["--api-base", "http://floktu.example/api/v2", "events"])
        .env("FLOKTU_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unencrypted"));
}

#[test]
fn status_names_the_token_source_without_printing_the_token() {
    let home = TempDir::new().unwrap();
    let out = floktu(&home).args(["status"]).env("FLOKTU_TOKEN", "super-secret-value").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("env (FLOKTU_TOKEN)"), "{text}");
    assert!(!text.contains("super-secret-value"));
}

/// A runtime of its own for the server, so the blocking binary runs beside it.
fn tolerant_server() -> (tokio::runtime::Runtime, DemoServer) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(DemoServer::start(DemoOptions { events: 2, orders: 30, ..DemoOptions::default() }))
        .unwrap();
    server.knobs().set_shape(Shape::Tolerant);
    (rt, server)
}

#[test]
fn orders_from_a_server_with_string_ids_and_wrapped_lists_are_all_printed() {
    let (_rt, server) = tolerant_server();
    let home = TempDir::new().unwrap();
    let event = &server.dataset().events[0];
    let out = floktu(&home)
        .args(["--api-base", &server.base_url(), "orders", &event.id.to_string(), "--json"])
        .env("FLOKTU_TOKEN", DemoOptions::default().token)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ids: Vec<u64> = json_of(&out).as_array().unwrap().iter().map(|o| o["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, event.orders.iter().map(|o| o.id).collect::<Vec<_>>());
}

#[test]
fn an_order_with_string_amounts_prints_them_exactly() {
    let (_rt, server) = tolerant_server();
    let home = TempDir::new().unwrap();
    let event = &server.dataset().events[0];
    let want = &event.orders[0];
    let out = floktu(&home)
        .args([
            "--api-base",
            &server.base_url(),
            "order",
            &event.id.to_string(),
            &want.id.to_string(),
            "--json",
        ])
        .env("FLOKTU_TOKEN", DemoOptions::default().token)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let o = json_of(&out);
    let cents = want.order_amount_cents;
    assert_eq!(o["order_amount"], format!("{}.{:02}", cents / 100, cents % 100));
}

#[test]
fn a_revoked_token_exits_2() {
    let (_rt, server) = tolerant_server();
    server.knobs().revoke_token();
    let home = TempDir::new().unwrap();
    let out = floktu(&home)
        .args(["--api-base", &server.base_url(), "events"])
        .env("FLOKTU_TOKEN", DemoOptions::default().token)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("floktu login"));
}

#[test]
fn an_event_can_be_named_instead_of_numbered() {
    let (_rt, server) = tolerant_server();
    let home = TempDir::new().unwrap();
    let event = &server.dataset().events[1];
    let out = floktu(&home)
        .args(["--api-base", &server.base_url(), "orders", &event.name, "--json"])
        .env("FLOKTU_TOKEN", DemoOptions::default().token)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json_of(&out).as_array().unwrap().len(), event.orders.len());
}

#[test]
fn there_is_no_way_to_put_the_token_on_the_command_line() {
    let home = TempDir::new().unwrap();
    for flag in ["--token", "--access-token"] {
        let out = floktu(&home).args([flag, "secret-on-the-command-line", "events"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} must be a usage error");
    }
}
