//! `floktu admit` and `floktu admissions` against the demo server: the verdicts
//! in the order of ARCHITECTURE.md, "Rules of the data", exit 0 when admitted and 4 when refused, and a
//! formula-safe CSV of the ledger.

mod support;

use floktu_tui::demo::{DemoOptions, DemoServer};
use serde_json::Value;
use support::cli::floktu;
use tempfile::TempDir;

/// The binary on a private home whose ledger is in it too.
fn door(home: &TempDir) -> assert_cmd::Command {
    let mut cmd = floktu(home);
    cmd.env("XDG_DATA_HOME", home.path().join("data")).env_remove("FLOKTU_LEDGER").env("USER", "sam");
    cmd
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// The demo's event 12 guests as (attendee id, order id, verdict) from `attendees --csv`.
fn demo_guests(home: &TempDir) -> Vec<(String, String, String)> {
    let out = door(home).args(["--demo", "attendees", "12", "--csv"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut rows = csv::Reader::from_reader(&out.stdout[..]);
    let headers = rows.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (a, o, v) = (col("attendee_id"), col("order_id"), col("verdict"));
    rows.records()
        .map(|r| r.unwrap())
        .map(|r| (r[a].to_string(), r[o].to_string(), r[v].to_string()))
        .collect()
}

fn first_with(guests: &[(String, String, String)], verdict: &str) -> String {
    guests
        .iter()
        .find(|g| g.2 == verdict)
        .map(|g| g.0.clone())
        .unwrap_or_else(|| panic!("no {verdict} guest"))
}

#[test]
fn a_valid_ticket_is_admitted_with_exit_0_and_refused_next_time_with_the_first_gate() {
    let home = TempDir::new().unwrap();
    let ticket = first_with(&demo_guests(&home), "VALID");
    let first = door(&home).args(["--demo", "admit", "12", &ticket, "--gate", "north"]).output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(text(&first.stdout).starts_with("✔ VALID"), "{}", text(&first.stdout));
    let again =
        door(&home).args(["--demo", "admit", "12", &ticket, "--gate", "south", "--json"]).output().unwrap();
    assert_eq!(again.status.code(), Some(4));
    let v: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v["word"], "ALREADY ADMITTED");
    assert_eq!(v["guests"][0]["gate"], "north");
    assert!(v["guests"][0]["detail"].as_str().unwrap().contains("ago"));
}

#[test]
fn cancelled_unconfirmed_and_checked_in_tickets_are_refused_with_exit_4() {
    let home = TempDir::new().unwrap();
    let guests = demo_guests(&home);
    for (verdict, says) in [
        ("CANCELLED", "✖ CANCELLED"),
        ("UNCONFIRMED", "box office"),
        ("ALREADY CHECKED IN", "checked in through Floktu"),
    ] {
        let ticket = first_with(&guests, verdict);
        let out = door(&home).args(["--demo", "admit", "12", &ticket, "--gate", "north"]).output().unwrap();
        assert_eq!(out.status.code(), Some(4), "{verdict}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains(says), "{verdict}: {}", text(&out.stdout));
    }
    let unknown = door(&home).args(["--demo", "admit", "12", "987654321"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(4));
    assert!(text(&unknown.stdout).contains("NOT FOUND"));
}

#[test]
fn an_order_id_admits_every_valid_guest_of_the_order_and_says_how_many() {
    let home = TempDir::new().unwrap();
    let guests = demo_guests(&home);
    let order = guests.iter().find(|g| g.2 == "VALID").map(|g| g.1.clone()).unwrap();
    let valid = guests.iter().filter(|g| g.1 == order && g.2 == "VALID").count();
    let out =
        door(&home).args(["--demo", "admit", "12", &order, "--gate", "north", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["admitted"].as_u64(), Some(valid as u64));
    let listed = door(&home).args(["--demo", "admissions", "12", "--json"]).output().unwrap();
    let rows: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), valid);
    assert!(rows.as_array().unwrap().iter().all(|r| r["gate"] == "north" && r["user"] == "sam"));
}

#[test]
fn admissions_name_the_guests_without_a_cached_list_and_the_user_without_user_set() {
    let home = TempDir::new().unwrap();
    let ticket = first_with(&demo_guests(&home), "VALID");
    let admit = door(&home)
        .args(["--demo", "--no-cache", "admit", "12", &ticket, "--gate", "north"])
        .env_remove("USER")
        .env_remove("LOGNAME")
        .output()
        .unwrap();
    assert_eq!(admit.status.code(), Some(0), "{}", text(&admit.stderr));
    let listed = door(&home).args(["--demo", "--no-cache", "admissions", "12", "--json"]).output().unwrap();
    assert_eq!(listed.status.code(), Some(0), "{}", text(&listed.stderr));
    let rows: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let row = &rows.as_array().unwrap()[0];
    assert!(!row["name"].as_str().unwrap().is_empty(), "{row}");
    let user = row["user"].as_str().unwrap();
    assert!(!user.is_empty() && user != "unknown", "{row}");
}

#[test]
fn admissions_as_csv_neutralise_formulas_in_names() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(DemoServer::start(DemoOptions { events: 2, orders: 20, ..DemoOptions::default() }))
        .unwrap();
    server.knobs().set_hostile(true);
    let home = TempDir::new().unwrap();
    let event = server.dataset().events[0].clone();
    let with_server = |args: &[&str]| {
        door(&home)
            .args(["--api-base", &server.base_url()])
            .args(args)
            .env("FLOKTU_TOKEN", DemoOptions::default().token)
            .output()
            .unwrap()
    };
    let event_id = event.id.to_string();
    let mut admitted = 0;
    for order in event.orders.iter().take(10) {
        let out = with_server(&["admit", &event_id, &order.id.to_string(), "--gate", "=cmd|' /C calc'!A0"]);
        admitted += usize::from(out.status.code() == Some(0));
    }
    assert!(admitted > 0, "some order of the hostile event admits");
    let out = with_server(&["admissions", &event_id, "--csv"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut rows = csv::Reader::from_reader(&out.stdout[..]);
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
    assert!(records.len() >= admitted);
    for r in &records {
        for cell in r.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "a formula in the CSV: {cell:?}");
        }
    }
    assert!(records.iter().any(|r| r[3].contains("cmd")), "the gate is still there, made harmless");
}

#[test]
fn status_names_the_ledger_without_its_password() {
    let home = TempDir::new().unwrap();
    let out = door(&home)
        .env("FLOKTU_LEDGER", "postgres://bob:hunter2@db.example:5433/gates")
        .arg("status")
        .output()
        .unwrap();
    let shown = text(&out.stdout);
    assert!(shown.contains("ledger       PostgreSQL db.example:5433/gates"), "{shown}");
    assert!(!shown.contains("hunter2") && !shown.contains("bob"), "{shown}");
    let out = door(&home).arg("status").output().unwrap();
    assert!(text(&out.stdout).contains("ledger       SQLite "), "{}", text(&out.stdout));
}
