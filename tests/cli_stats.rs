//! `floktu stats EVENT` against the demo server: the numbers agree with the
//! demo's own data and the ledger's admissions, per gate; exit 3 when an order
//! could not be fetched.

mod support;

use floktu_tui::demo::{DemoOptions, DemoServer, Fault};
use serde_json::Value;
use support::cli::{demo, floktu};
use tempfile::TempDir;

/// `floktu ARGS` against `server`, logged in with the demo token, with a ledger in `home`.
fn against(home: &TempDir, server: &DemoServer, args: &[&str]) -> std::process::Output {
    floktu(home)
        .arg("--api-base")
        .arg(server.base_url())
        .args(args)
        .env("FLOKTU_TOKEN", DemoOptions::default().token)
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env_remove("FLOKTU_LEDGER")
        .output()
        .unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stats_json(home: &TempDir, server: &DemoServer, event: &str) -> Value {
    let out = against(home, server, &["stats", event, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn cents(v: &Value) -> i64 {
    let s = v.as_str().unwrap();
    let (whole, frac) = s.split_once('.').unwrap();
    whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap()
}

#[test]
fn stats_count_the_demo_data_and_each_gates_admissions() {
    let (_rt, server) = demo(60);
    let home = TempDir::new().unwrap();
    let event = &server.dataset().events[0];
    let id = event.id.to_string();
    let live = |o: &&floktu_tui::demo::DemoOrder| o.status != "cancelled";
    let sold: usize = event.orders.iter().filter(live).map(|o| o.attendees.len()).sum();
    let cancelled: usize = event.orders.iter().filter(|o| !live(o)).map(|o| o.attendees.len()).sum();
    let checked_in: usize = event
        .orders
        .iter()
        .filter(live)
        .flat_map(|o| &o.attendees)
        .filter(|a| a.check_in_date.is_some())
        .count();
    let paid: i64 = event.orders.iter().filter(live).map(|o| o.amount_paid_cents).sum();
    assert!(checked_in > 0 && cancelled > 0, "the demo event has check-ins and cancellations");

    let before = stats_json(&home, &server, &id);
    assert_eq!(before["total"]["sold"].as_u64(), Some(sold as u64));
    assert_eq!(before["total"]["cancelled"].as_u64(), Some(cancelled as u64));
    assert_eq!(before["total"]["arrived"].as_u64(), Some(checked_in as u64));
    let ticket_paid: i64 =
        before["tickets"].as_array().unwrap().iter().map(|t| cents(&t["money"]["paid"])).sum();
    assert_eq!(ticket_paid + cents(&before["no_attendees"]["paid"]), paid, "every cent on some ticket");
    let in_buckets: u64 =
        before["arrivals"]["total"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(in_buckets, checked_in as u64);
    assert_eq!(before["arrivals"]["series"].as_array().map(Vec::len), Some(0), "Floktu alone: no series");

    // Two guests not yet in, admitted at two gates.
    let valid: Vec<String> = event
        .orders
        .iter()
        .filter(|o| o.status == "confirmed")
        .flat_map(|o| &o.attendees)
        .filter(|a| a.check_in_date.is_none())
        .take(2)
        .map(|a| a.attendee_id.to_string())
        .collect();
    for (ticket, gate) in valid.iter().zip(["north", "south"]) {
        let out = against(&home, &server, &["admit", &id, ticket, "--gate", gate]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let after = stats_json(&home, &server, &id);
    assert_eq!(after["total"]["arrived"].as_u64(), Some(checked_in as u64 + 2));
    let series: Vec<(&str, u64)> = after["arrivals"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["arrived"].as_u64().unwrap()))
        .collect();
    assert_eq!(series, vec![("north", 1), ("south", 1), ("Floktu", checked_in as u64)]);

    let table = against(&home, &server, &["stats", &id]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("ARRIVALS PER 15 MIN  TOTAL") && text.contains("north"), "{text}");
    assert!(text.contains("All tickets") && text.contains("Data: order list fetched"), "{text}");
}

#[test]
fn stats_exit_3_when_an_order_could_not_be_fetched() {
    let (_rt, server) = demo(20);
    let home = TempDir::new().unwrap();
    let event = &server.dataset().events[0];
    server.knobs().fail_order_always(event.orders[3].id, Fault::NotFound);
    let out = against(&home, &server, &["stats", &event.id.to_string()]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("order {}", event.orders[3].id)), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("missing (not counted)"));
}
