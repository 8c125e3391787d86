//! `floktu attendees` and `floktu emails`: output, the cache, `--offline`, and
//! exit code 3 when some orders could not be fetched.

mod support;

use std::collections::HashSet;

use floktu_tui::demo::{DemoOptions, DemoServer, Fault};
use serde_json::Value;
use support::cli::{demo, floktu};
use tempfile::TempDir;

/// `floktu ARGS` against `server`, logged in with the demo token.
fn against(home: &TempDir, server: &DemoServer, args: &[&str]) -> std::process::Output {
    floktu(home)
        .arg("--api-base")
        .arg(server.base_url())
        .args(args)
        .env("FLOKTU_TOKEN", DemoOptions::default().token)
        .output()
        .unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_of(out: &std::process::Output) -> Vec<Value> {
    match serde_json::from_slice(&out.stdout) {
        Ok(Value::Array(items)) => items,
        other => panic!("stdout is not a JSON array ({other:?}): {}", stdout(out)),
    }
}

fn attendee_ids(records: &[Value]) -> Vec<u64> {
    records.iter().map(|r| r["attendee_id"].as_u64().unwrap()).collect()
}

#[test]
fn attendees_json_lists_every_attendee_in_order() {
    let (_rt, server) = demo(30);
    let home = TempDir::new().unwrap();
    let event = &server.dataset().events[0];
    let out = against(&home, &server, &["attendees", &event.id.to_string(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let records = json_of(&out);
    let expected: Vec<u64> =
        event.orders.iter().flat_map(|o| o.attendees.iter().map(|a| a.attendee_id)).collect();
    assert_eq!(attendee_ids(&records), expected);
    let first = &records[0];
    for field in ["first_name", "email", "ticket", "order_status", "purchaser_email", "verdict"] {
        assert!(first[field].is_string(), "{field}: {first}");
    }
    assert!(first["order_amount"].as_str().is_some_and(|a| a.contains('.')));
}

#[test]
fn attendees_by_event_name_as_a_table() {
    let (_rt, server) = demo(10);
    let home = TempDir::new().unwrap();
    let event = &server.dataset().events[1];
    let out = against(&home, &server, &["attendees", &event.name]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("ATTENDEE"), "{text}");
    let count: usize = event.orders.iter().map(|o| o.attendees.len()).sum();
    assert_eq!(text.lines().count(), count + 1);
}

#[test]
fn attendees_csv_has_a_header_and_a_row_per_attendee() {
    let (_rt, server) = demo(15);
    let home = TempDir::new().unwrap();
    let event = &server.dataset().events[0];
    let out = against(&home, &server, &["attendees", &event.id.to_string(), "--csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "attendee_id");
    assert_eq!(&headers[7], "order_id");
    let count: usize = event.orders.iter().map(|o| o.attendees.len()).sum();
    assert_eq!(reader.records().count(), count);
}

#[test]
fn search_narrows_the_attendees() {
    let (_rt, server) = demo(40);
    let home = TempDir::new().unwrap();
    let event = &server.dataset().events[0];
    let target = &event.orders[5].attendees[0];
    let id = target.attendee_id.to_string();
    let out = against(&home, &server, &["attendees", &event.id.to_string(), "--search", &id, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(attendee_ids(&json_of(&out)), vec![target.attendee_id]);
}

#[test]
fn a_failing_order_exits_3_and_is_named_on_stderr() {
    let (_rt, server) = demo(20);
    let home = TempDir::new().unwrap();
    let event = &server.dataset().events[0];
    let bad = event.orders[4].id;
    server.knobs().fail_order_always(bad, Fault::NotFound);
    let out = against(&home, &server, &["attendees", &event.id.to_string(), "--json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("order {bad}: not found on Floktu")), "{err}");
    // The rest is printed.
    let printed = attendee_ids(&json_of(&out));
    let expected: Vec<u64> = event
        .orders
        .iter()
        .filter(|o| o.id != bad)
        .flat_map(|o| o.attendees.iter().map(|a| a.attendee_id))
        .collect();
    assert_eq!(printed, expected);
}

#[test]
fn offline_lists_the_cached_copy_when_the_server_is_gone() {
    let (rt, server) = demo(25);
    let home = TempDir::new().unwrap();
    let event = server.dataset().events[0].clone();
    let base = server.base_url();
    let online = against(&home, &server, &["attendees", &event.id.to_string(), "--json"]);
    assert!(online.status.success(), "{}", stderr(&online));
    rt.block_on(server.shutdown());

    let offline = floktu(&home)
        .args(["--api-base", &base, "attendees", &event.id.to_string(), "--offline", "--json"])
        .env("FLOKTU_TOKEN", DemoOptions::default().token)
        .output()
        .unwrap();
    assert!(offline.status.success(), "{}", stderr(&offline));
    assert_eq!(json_of(&offline), json_of(&online));
    assert!(stderr(&offline).contains("as fetched"), "{}", stderr(&offline));

    // By name too: the name was saved with the list.
    let by_name = floktu(&home)
        .args(["--api-base", &base, "emails", &event.name, "--offline"])
        .env("FLOKTU_TOKEN", DemoOptions::default().token)
        .output()
        .unwrap();
    assert!(by_name.status.success(), "{}", stderr(&by_name));
    assert!(!stdout(&by_name).is_empty());
}

#[test]
fn offline_without_a_cached_copy_says_so_and_exits_1() {
    let home = TempDir::new().unwrap();
    let out = floktu(&home)
        .args(["--api-base", "http://127.0.0.1:9/api/v2", "attendees", "12", "--offline"])
        .env("FLOKTU_TOKEN", "some-token")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("no cached guest list for event 12"), "{err}");
    assert!(err.contains("once online"), "{err}");
}

#[test]
fn another_token_does_not_see_the_cached_copy() {
    let (_rt, server) = demo(10);
    let home = TempDir::new().unwrap();
    let event = server.dataset().events[0].id.to_string();
    assert!(against(&home, &server, &["attendees", &event]).status.success());
    let out = floktu(&home)
        .args(["--api-base", &server.base_url(), "attendees", &event, "--offline"])
        .env("FLOKTU_TOKEN", "another-account")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn no_cache_writes_nothing() {
    let (_rt, server) = demo(10);
    let home = TempDir::new().unwrap();
    let event = server.dataset().events[0].id.to_string();
    let out = against(&home, &server, &["--no-cache", "attendees", &event]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!home.path().join("cache").join("floktu").exists());
}

#[test]
fn emails_are_distinct_ignoring_case_and_in_list_order() {
    let (_rt, server) = demo(60);
    let home = TempDir::new().unwrap();
    let event = server.dataset().events[0].id.to_string();
    let records = json_of(&against(&home, &server, &["attendees", &event, "--json"]));
    let out = against(&home, &server, &["emails", &event, "--all"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let emails: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(emails, distinct_emails(&records, |_| true));
    let lower: HashSet<String> = emails.iter().map(|e| e.to_lowercase()).collect();
    assert_eq!(lower.len(), emails.len(), "no duplicates, whatever the case");
    // The demo's returning customers make duplicates to remove.
    assert!(emails.len() < records.len());
}

/// The distinct emails (ignoring case) of the `records` that `keep` keeps, in order.
fn distinct_emails(records: &[Value], keep: impl Fn(&Value) -> bool) -> Vec<String> {
    let mut seen = HashSet::new();
    records
        .iter()
        .filter(|r| keep(r))
        .map(|r| r["email"].as_str().unwrap().trim().to_string())
        .filter(|e| seen.insert(e.to_lowercase()))
        .collect()
}

#[test]
fn emails_leave_out_cancelled_orders_unless_all_and_print_json_when_asked() {
    let (_rt, server) = demo(60);
    let home = TempDir::new().unwrap();
    let event = server.dataset().events[0].id.to_string();
    let records = json_of(&against(&home, &server, &["attendees", &event, "--json"]));
    assert!(records.iter().any(|r| r["order_status"] == "cancelled"), "the demo event has cancelled orders");
    let out = against(&home, &server, &["emails", &event]);
    assert!(out.status.success(), "{}", stderr(&out));
    let emails: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(emails, distinct_emails(&records, |r| r["order_status"] != "cancelled"));
    let all = against(&home, &server, &["emails", &event, "--all"]);
    assert!(stdout(&all).lines().count() > emails.len(), "--all brings the cancelled orders' guests back");
    let json = against(&home, &server, &["emails", &event, "--json"]);
    let listed: Vec<String> = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(listed, emails);
}

#[test]
fn orders_search_forgives_a_typo_as_the_orders_pane_does() {
    let (_rt, server) = demo(60);
    let home = TempDir::new().unwrap();
    let event = server.dataset().events[0].clone();
    let someone = &event.orders[3];
    // A typo in the surname, as the pane's filter forgives it.
    let last = &someone.last_name;
    let typo: String = last.chars().take(1).chain(last.chars().skip(2)).collect();
    let query = format!("{} {typo}", someone.first_name);
    let out = against(&home, &server, &["orders", &event.id.to_string(), "--search", &query, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let found = json_of(&out);
    assert!(
        found.iter().any(|o| o["id"] == someone.id),
        "{query:?} did not find order {}: {found:?}",
        someone.id
    );
    assert!(found.len() < event.orders.len(), "the search narrows the orders");
    let none = against(&home, &server, &["orders", &event.id.to_string(), "--search", "'zzqqxx", "--json"]);
    assert!(json_of(&none).is_empty());
}

#[test]
fn demo_runs_cache_under_the_demo_key() {
    let home = TempDir::new().unwrap();
    let out = floktu(&home).args(["--demo", "emails", "19"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(home.path().join("cache/floktu/demo/event-19.guests").is_file());
    // A second demo run (another random port) reads it offline.
    let offline = floktu(&home).args(["--demo", "emails", "19", "--offline"]).output().unwrap();
    assert!(offline.status.success(), "{}", stderr(&offline));
    assert_eq!(stdout(&offline), stdout(&out));
}

#[test]
fn orders_that_fail_on_a_second_run_keep_their_cached_attendees_and_are_named_stale() {
    let (_rt, server) = demo(30);
    let home = TempDir::new().unwrap();
    let event = server.dataset().events[0].clone();
    let id = event.id.to_string();
    let first = against(&home, &server, &["attendees", &id, "--json"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let everyone = attendee_ids(&json_of(&first));
    let failing = [event.orders[3].id, event.orders[11].id];
    for order in failing {
        server.knobs().fail_order_always(order, Fault::ServerErrorJson);
    }

    let second = against(&home, &server, &["attendees", &id, "--json"]);
    assert_eq!(second.status.code(), Some(3), "{}", stderr(&second));
    assert_eq!(attendee_ids(&json_of(&second)), everyone, "every attendee still printed, in order");
    let err = stderr(&second);
    assert!(err.contains("2 orders could not be fetched again"), "{err}");
    for order in failing {
        let line =
            err.lines().find(|l| l.contains(&format!("order {order}: data from "))).unwrap_or_default();
        assert!(line.contains(" old — "), "order {order} named with its age and why: {err}");
    }
    assert!(!err.contains("left out"), "nothing is left out: {err}");

    // The cache still has them all, and says which are stale.
    let offline = against(&home, &server, &["attendees", &id, "--offline", "--json"]);
    assert_eq!(offline.status.code(), Some(3), "{}", stderr(&offline));
    assert_eq!(attendee_ids(&json_of(&offline)), everyone);
    let err = stderr(&offline);
    for order in failing {
        assert!(err.contains(&format!("order {order}: data from ")), "{err}");
    }

    // The fast search path reads the same file.
    let target = event.orders[3].attendees[0].attendee_id.to_string();
    let found = against(&home, &server, &["attendees", &id, "--offline", "--search", &target, "--json"]);
    assert_eq!(found.status.code(), Some(3), "{}", stderr(&found));
    assert_eq!(attendee_ids(&json_of(&found)), vec![event.orders[3].attendees[0].attendee_id]);
    assert!(stderr(&found).contains(&format!("order {}: data from ", failing[0])), "{}", stderr(&found));
}

#[test]
fn offline_search_prints_what_the_online_search_printed() {
    let (_rt, server) = demo(60);
    let home = TempDir::new().unwrap();
    let id = server.dataset().events[0].id.to_string();
    assert!(against(&home, &server, &["attendees", &id]).status.success());
    for query in ["mar", "example.org", "ö"] {
        let online = against(&home, &server, &["attendees", &id, "--search", query]);
        let offline = against(&home, &server, &["attendees", &id, "--offline", "--search", query]);
        assert!(offline.status.success(), "{}", stderr(&offline));
        assert_eq!(stdout(&offline), stdout(&online), "{query:?}");
        let emails_online = against(&home, &server, &["emails", &id, "--search", query]);
        let emails_offline = against(&home, &server, &["emails", &id, "--offline", "--search", query]);
        assert_eq!(stdout(&emails_offline), stdout(&emails_online), "{query:?}");
    }
}

#[test]
fn orders_search_is_due_lists_exactly_the_confirmed_orders_that_owe() {
    let (_rt, server) = demo(120);
    let home = TempDir::new().unwrap();
    let event = server.dataset().events[0].id.to_string();
    let records = json_of(&against(&home, &server, &["attendees", &event, "--json"]));
    let mut owing: Vec<u64> = records
        .iter()
        .filter(|r| {
            let cents = |k: &str| r[k].as_str().and_then(|s| s.replace('.', "").parse::<i64>().ok());
            r["order_status"] == "confirmed" && cents("amount_paid") < cents("order_amount")
        })
        .map(|r| r["order_id"].as_u64().unwrap())
        .collect();
    owing.dedup();
    assert!(!owing.is_empty(), "the demo event has orders that owe");
    let out = against(&home, &server, &["orders", &event, "--search", "is:due", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let found: Vec<u64> = json_of(&out).iter().map(|o| o["id"].as_u64().unwrap()).collect();
    assert_eq!(found, owing);
}

#[test]
fn attendees_csv_has_the_answers_as_columns() {
    let (_rt, server) = demo(30);
    let home = TempDir::new().unwrap();
    let event = server.dataset().events[0].id.to_string();
    let records = json_of(&against(&home, &server, &["attendees", &event, "--json"]));
    let out = against(&home, &server, &["attendees", &event, "--csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut csv = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = csv.headers().unwrap().iter().map(str::to_string).collect();
    let column =
        headers.iter().position(|h| h == "Dietary requirements").expect("a Dietary requirements column");
    let cells: Vec<String> = csv.records().map(|r| r.unwrap()[column].to_string()).collect();
    let answers: Vec<String> = records
        .iter()
        .map(|r| {
            let answers = r["answers"].as_array().cloned().unwrap_or_default();
            let given = answers.iter().find(|a| a["question"] == "Dietary requirements");
            given.and_then(|a| a["answer"].as_str()).unwrap_or("").to_string()
        })
        .collect();
    assert_eq!(cells, answers);
    let vegetarians =
        against(&home, &server, &["attendees", &event, "--search", "answer:vegetarian", "--json"]);
    let found = json_of(&vegetarians);
    assert_eq!(found.len(), answers.iter().filter(|a| a.to_lowercase().contains("vegetarian")).count());
}
