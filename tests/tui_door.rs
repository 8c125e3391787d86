//! The door end to end: `floktu door EVENT --gate NAME`, the real binary in a
//! pseudo-terminal against the demo server on loopback, with a private
//! XDG_DATA_HOME so the SQLite ledger belongs to the test. Two doors on one
//! ledger: a ticket admitted at one is refused at the other with its gate.

mod support;

use floktu_tui::demo::{DemoOptions, DemoServer};
use support::pty::Session;

/// A confirmed attendee nobody has checked in: (attendee id, "First Last").
fn valid_guest(server: &DemoServer) -> (u64, String) {
    let data = server.dataset();
    data.events[0]
        .orders
        .iter()
        .filter(|o| o.status == "confirmed")
        .flat_map(|o| o.attendees.iter())
        .filter(|a| a.check_in_date.is_none() && a.first_name.is_ascii() && a.last_name.is_ascii())
        .map(|a| (a.attendee_id, format!("{} {}", a.first_name, a.last_name)))
        .next()
        .expect("a valid guest")
}

fn door_at(server: &DemoServer, data: &std::path::Path, gate: &str) -> Session {
    let base = server.base_url();
    let event = server.dataset().events[0].id.to_string();
    let env = [
        ("FLOKTU_API_BASE", base.as_str()),
        ("FLOKTU_TOKEN", "demo-token"),
        ("XDG_DATA_HOME", data.to_str().unwrap()),
    ];
    let s = Session::start_with(&["door", &event, "--gate", gate], &env, 120, 36);
    s.wait("the whole list in", |o| {
        let screen = o.parser.screen().contents();
        screen.contains(&format!("gate {gate}"))
            && screen.contains("old at most")
            && !screen.contains(" orders in")
    });
    s
}

#[test]
fn a_ticket_admitted_at_one_door_is_refused_at_the_other_with_its_gate() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts = DemoOptions { events: 2, orders: 30, ..DemoOptions::default() };
    let server = rt.block_on(DemoServer::start(opts)).unwrap();
    let data = tempfile::TempDir::new().unwrap();
    let (attendee, name) = valid_guest(&server);
    let mut north = door_at(&server, data.path(), "north");
    north.press(&format!("{attendee}\r"));
    north.wait_for_all(&["admitted now", &name, "scan #1"]);
    // Scanned again at the same door: refused, and the bell rings (VALID did
    // not: the default is to ring on refusals).
    north.press(&format!("{attendee}\r"));
    north.wait_for_all(&["ALREADY ADMITTED", "at north", "scan #2"]);
    north.wait("the bell", |o| o.raw.contains(&0x07));
    // Another door on the same ledger.
    let mut south = door_at(&server, data.path(), "south");
    south.press(&format!("{attendee}\r"));
    south.wait_for_all(&["ALREADY ADMITTED", "at north", &name]);
    // Esc twice then letters: still at the door, typing.
    south.press("\u{1b}");
    south.press("\u{1b}");
    south.press("le");
    south.wait_for("Matches (");
    north.press("\u{3}");
    south.press("\u{3}");
    assert!(north.exit_ok());
    assert!(south.exit_ok());
}
