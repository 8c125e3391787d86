//! The live guest list end to end: the real binary in a pseudo-terminal at the
//! door, against the demo server changed while it runs — a cancellation seen at
//! the next scan, a late buyer found, a check-in made elsewhere shown with no
//! key pressed, offline within seconds of the server stopping and back alone.

mod support;

use std::time::{Duration, Instant};

use floktu_tui::demo::{DemoOptions, DemoServer, OrderStatus};
use support::pty::Session;

struct Door {
    rt: tokio::runtime::Runtime,
    server: DemoServer,
    session: Session,
    _dirs: tempfile::TempDir,
}

/// `floktu door` on the demo server's big event (60 orders), every order in,
/// with `[refresh]` set to `refresh` in config.toml.
fn door(refresh: &str) -> Door {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts = DemoOptions { events: 2, orders: 60, ..DemoOptions::default() };
    let server = rt.block_on(DemoServer::start(opts)).unwrap();
    let dirs = tempfile::TempDir::new().unwrap();
    let config = dirs.path().join("config");
    std::fs::create_dir_all(config.join("floktu")).unwrap();
    std::fs::write(config.join("floktu/config.toml"), format!("[refresh]\n{refresh}\n")).unwrap();
    let cache = dirs.path().join("cache");
    let base = server.base_url();
    let env = [
        ("FLOKTU_API_BASE", base.as_str()),
        ("FLOKTU_TOKEN", "demo-token"),
        ("XDG_CONFIG_HOME", config.to_str().unwrap()),
        ("XDG_CACHE_HOME", cache.to_str().unwrap()),
    ];
    let mut session = Session::start_with(&[], &env, 120, 32);
    session.wait_for("Events (2)");
    session.press("d");
    // The first pass done: the age is shown and the progress line gone.
    session.wait("every order in", |o| {
        let screen = o.parser.screen().contents();
        screen.contains("old at most") && !screen.contains(" / 60 orders")
    });
    Door { rt, server, session, _dirs: dirs }
}

/// A confirmed attendee nobody has checked in: (attendee id, order id, "First Last").
fn valid_guest(server: &DemoServer, nth: usize) -> (u64, u64, String) {
    let data = server.dataset();
    data.events[0]
        .orders
        .iter()
        .filter(|o| o.status == "confirmed")
        .flat_map(|o| o.attendees.iter().map(move |a| (o.id, a)))
        .filter(|(_, a)| a.check_in_date.is_none() && a.first_name.is_ascii() && a.last_name.is_ascii())
        .nth(nth)
        .map(|(order, a)| (a.attendee_id, order, format!("{} {}", a.first_name, a.last_name)))
        .expect("enough valid guests")
}

fn scan(s: &mut Session, id: u64) {
    s.press(&format!("{id}\r"));
}

#[test]
fn a_cancellation_made_on_the_server_is_seen_at_the_next_scan() {
    let mut d = door("max_age = 3600\norders_every = 3600");
    let (attendee, order, name) = valid_guest(&d.server, 0);
    d.server.set_order_status(order, OrderStatus::Cancelled).unwrap();
    scan(&mut d.session, attendee);
    d.session.wait_for_all(&["CANCELLED", &name, "checked with Floktu just now"]);
    // The bell comes right after the frame that turned the verdict.
    d.session.wait("the bell", |o| o.raw.contains(&0x07));
    d.session.press("\u{3}");
    assert!(d.session.exit_ok());
}

#[test]
fn a_late_buyer_is_found_by_a_scan() {
    let mut d = door("max_age = 3600\norders_every = 3600");
    let added = d.server.add_order(d.server.dataset().events[0].id, 1).unwrap();
    scan(&mut d.session, added.attendee_ids[0]);
    d.session.wait_for_all(&["VALID", &format!("order {}", added.order_id)]);
    d.session.press("\u{3}");
    assert!(d.session.exit_ok());
}

#[test]
fn a_check_in_made_elsewhere_shows_within_max_age_with_no_key_pressed() {
    let mut d = door("max_age = 3\norders_every = 3600");
    let (attendee, _, name) = valid_guest(&d.server, 1);
    // Typed, not scanned: a scan would admit the guest here, and an admission
    // outranks a check-in. The one match shows the guest list's status.
    d.session.press(&attendee.to_string());
    d.session.wait_for_all(&["Matches (1)", &name, "not admitted yet"]);
    d.server.check_in_attendee(attendee).unwrap();
    d.session.wait_for_all(&["ALREADY CHECKED IN", &name]);
    d.session.press("\u{3}");
    assert!(d.session.exit_ok());
}

#[test]
fn offline_within_ten_seconds_of_the_server_stopping_and_back_alone() {
    let mut d = door("max_age = 3600\norders_every = 3600");
    d.rt.block_on(d.server.stop());
    let stopped = Instant::now();
    d.session.wait_for_all(&["OFFLINE", "offline — data from"]);
    assert!(stopped.elapsed() < Duration::from_secs(10), "offline after {:?}", stopped.elapsed());
    d.rt.block_on(d.server.restart()).unwrap();
    d.session.wait("the offline banner to go", |o| {
        let screen = o.parser.screen().contents();
        !screen.contains("OFFLINE") && !screen.contains("offline —")
    });
    // Still a working door.
    let (attendee, _, name) = valid_guest(&d.server, 2);
    scan(&mut d.session, attendee);
    d.session.wait_for_all(&["VALID", &name, "checked with Floktu"]);
    d.session.press("\u{3}");
    assert!(d.session.exit_ok());
}
