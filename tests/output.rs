//! The output layer seen from outside: the TUI's exports and the CLI's `--csv`
//! are one schema, the guest record's JSON keys are its CSV columns, and a
//! reader that leaves early (`| head -1`) ends the command quietly.

mod support;

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use floktu_tui::api::{AccessToken, ApiBase, FloktuClient};
use floktu_tui::demo::{DemoOptions, DemoServer};
use floktu_tui::guestlist::LoadEvent;
use floktu_tui::tui::app::App;
use floktu_tui::tui::msg::{Action, BrowseAction, Command, Msg};
use floktu_tui::tui::update::{init, settle, update};
use support::cli::floktu;
use support::{act, events_req, order_req, orders_req, req_of};
use tempfile::TempDir;

/// A runtime of its own for the server, so the blocking binary runs beside it.
fn demo() -> (tokio::runtime::Runtime, DemoServer) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts = DemoOptions { events: 2, orders: 30, ..DemoOptions::default() };
    let server = rt.block_on(DemoServer::start(opts)).unwrap();
    (rt, server)
}

/// `floktu ARGS` against `server`: its stdout.
fn cli(home: &TempDir, server: &DemoServer, args: &[&str]) -> String {
    let out = floktu(home)
        .arg("--api-base")
        .arg(server.base_url())
        .args(args)
        .env("FLOKTU_TOKEN", DemoOptions::default().token)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn client(server: &DemoServer) -> FloktuClient {
    let base = ApiBase::parse(&server.base_url()).unwrap();
    FloktuClient::new(base, AccessToken::new(DemoOptions::default().token)).unwrap()
}

/// The app as the loop would have it after the user opened the first event and
/// pressed `a`, with everything answered from `server`.
fn app_with_the_attendees_view(rt: &tokio::runtime::Runtime, server: &DemoServer) -> App {
    let client = client(server);
    let mut app = App::new("demo".into(), true);
    let req = events_req(&init(&mut app));
    let events = rt.block_on(client.events()).unwrap();
    update(&mut app, Msg::EventsLoaded { req, result: Ok(events) });
    let req = orders_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    let event_id = app.open_event.as_ref().unwrap().id;
    let orders = rt.block_on(client.orders(event_id)).unwrap();
    let order_ids: Vec<u64> = orders.items.iter().map(|o| o.id).collect();
    update(&mut app, Msg::OrdersLoaded { req, event_id, result: Ok(orders) });
    let req = req_of(&act(&mut app, Action::Browse(BrowseAction::Attendees)), |c| match c {
        Command::LoadGuests { req, .. } => Some(*req),
        _ => None,
    });
    update(&mut app, Msg::GuestsCached { req, list: None });
    let listed = LoadEvent::Orders { order_ids: order_ids.clone(), skipped: Vec::new() };
    update(&mut app, Msg::GuestEvent { req, event: listed });
    for id in order_ids {
        let order = rt.block_on(client.order(event_id, id)).unwrap();
        update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(order)) });
    }
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Done });
    settle(&mut app);
    app
}

/// What `e` writes for the focused list: the file the worker writes.
fn exported(app: &mut App, dir: &TempDir) -> String {
    let commands = act(app, Action::Browse(BrowseAction::Export));
    let Some(Command::Export { name, what }) = commands.first() else { panic!("{commands:?}") };
    let path = floktu_tui::tui::worker::export_in(dir.path(), name, what).unwrap();
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_tui_exports_what_the_cli_prints_as_csv() {
    let (rt, server) = demo();
    let (home, dir) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let mut app = app_with_the_attendees_view(&rt, &server);
    let event = app.open_event.as_ref().unwrap().id.to_string();

    let tui = exported(&mut app, &dir);
    let csv = cli(&home, &server, &["attendees", &event, "--csv"]);
    assert_eq!(tui.lines().next(), csv.lines().next(), "the header rows");
    assert!(tui.lines().count() > 30, "{tui}");
    assert_eq!(tui, csv, "the same guests, the same cells");

    act(&mut app, Action::Browse(BrowseAction::Attendees));
    let tui = exported(&mut app, &dir);
    assert_eq!(tui, cli(&home, &server, &["orders", &event, "--csv"]));
}

fn records(csv: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(csv.as_bytes()).records().map(Result::unwrap).collect()
}

#[test]
fn an_orders_attendees_export_as_the_cli_prints_them() {
    let (rt, server) = demo();
    let (home, dir) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let mut app = app_with_the_attendees_view(&rt, &server);
    let event_id = app.open_event.as_ref().unwrap().id;
    act(&mut app, Action::Browse(BrowseAction::Attendees));
    // The order with the most attendees, so that the export has several rows.
    let dataset = server.dataset();
    let orders = &dataset.events.iter().find(|e| e.id == event_id).unwrap().orders;
    let biggest = orders.iter().max_by_key(|o| o.attendees.len()).unwrap().id;
    while app.orders.selected_item().map(|o| o.id) != Some(biggest) {
        act(&mut app, Action::Browse(BrowseAction::Down));
    }
    let req = order_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    let order = rt.block_on(client(&server).order(event_id, biggest)).unwrap();
    update(&mut app, Msg::OrderLoaded { req, event_id, order_id: biggest, result: Ok(order) });

    let tui = exported(&mut app, &dir);
    let csv = cli(&home, &server, &["attendees", &event_id.to_string(), "--csv"]);
    assert_eq!(tui.lines().next(), csv.lines().next(), "the header rows");
    let of_the_order: Vec<_> = records(&csv).into_iter().filter(|r| r[7] == *biggest.to_string()).collect();
    assert!(of_the_order.len() > 1, "{csv}");
    assert_eq!(records(&tui), of_the_order);
}

#[test]
fn the_guest_records_json_keys_are_its_csv_columns() {
    let (_rt, server) = demo();
    let home = TempDir::new().unwrap();
    let event = server.dataset().events[0].id.to_string();
    let csv = cli(&home, &server, &["attendees", &event, "--csv"]);
    let json = cli(&home, &server, &["attendees", &event, "--json"]);
    // The keys of the first record, in the order written (pretty JSON: four spaces in).
    let keys: Vec<&str> = json
        .lines()
        .skip_while(|l| *l != "  {")
        .skip(1)
        .take_while(|l| *l != "  },")
        .filter_map(|l| l.strip_prefix("    \"")?.split_once("\":").map(|(key, _)| key))
        .collect();
    assert_eq!(keys.last(), Some(&"answers"), "{json}");
    // After the fixed columns, the answers: one column per question.
    let headers: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let fixed = floktu_tui::output::guest::HEADERS;
    assert_eq!(keys[..keys.len() - 1], headers[..fixed.len()]);
    assert_eq!(headers[..fixed.len()], fixed);
    assert!(headers[fixed.len()..].contains(&"Dietary requirements"), "{headers:?}");
}

/// `floktu --demo ARGS | head -1`: the exit status and what was said on stderr.
fn into_a_pipe_closed_after_one_line(home: &TempDir, args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("floktu"))
        .arg("--demo")
        .args(args)
        .env_remove("FLOKTU_TOKEN")
        .env_remove("FLOKTU_API_BASE")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(!first.is_empty(), "{args:?} printed a first line");
    // The reader is gone: the rest of the output (hundreds of kB) meets a closed pipe.
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (child.wait().unwrap(), stderr)
}

#[test]
fn a_closed_pipe_ends_quietly_for_the_table_csv_and_json() {
    let home = TempDir::new().unwrap();
    assert!(DemoOptions::default().orders >= 1000, "the demo's event 12 is large enough to fill a pipe");
    for format in [None, Some("--csv"), Some("--json")] {
        let args: Vec<&str> = ["attendees", "12"].into_iter().chain(format).collect();
        let (status, stderr) = into_a_pipe_closed_after_one_line(&home, &args);
        assert_eq!((status.code(), stderr.as_str()), (Some(0), ""), "{args:?}");
    }
}
