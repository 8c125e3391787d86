//! End to end: the real binary in a pseudo-terminal against the embedded demo
//! server, driven by keys, waiting for what the screen must show (never for time).

mod support;

use base64::Engine;
use floktu_tui::demo::{Dataset, DemoOptions, DemoServer};
use support::pty::Session;

/// The demo data `floktu --demo` serves.
fn demo_data() -> Dataset {
    let o = DemoOptions::default();
    Dataset::generate(o.seed, o.events, o.orders)
}

/// Every OSC 52 clipboard payload in `raw`, decoded.
fn osc52_payloads(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    text.split("\u{1b}]52;c;")
        .skip(1)
        .filter_map(|rest| rest.split('\u{7}').next())
        .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .collect()
}

#[test]
fn browse_to_an_attendee_filter_copy_and_quit() {
    let data = demo_data();
    let event = &data.events[0];
    let target = &event.orders[2];
    let mut s = Session::start(&["--demo"], 160, 40);

    s.wait_for("Events (6)");
    s.press("\r");
    s.wait_for("Orders (1,500)");

    // Down twice: the third order; its details follow after the pause.
    s.press("jj");
    s.wait_for(&format!("#{}", target.id));
    s.press("\r");
    let first = &target.attendees[0];
    s.wait_for_all(&[&format!("Attendees ({}", target.attendees.len()), &first.first_name]);

    // Back to the orders, filter them by the purchaser's email.
    s.press("h/");
    s.press(&target.email);
    s.wait_for(" of 1,500");
    s.press("\r");
    s.press("Y");
    s.wait_for_all(&["Copied", "(OSC 52)"]);
    let copied = osc52_payloads(&s.raw());
    assert!(
        copied.iter().any(|c| c.lines().any(|l| l == target.email)),
        "clipboard got {copied:?}, expected {}",
        target.email
    );

    s.press("q");
    assert!(s.exit_ok());
    let raw = String::from_utf8_lossy(&s.raw()).into_owned();
    let tail = &raw[raw.rfind("\u{1b}[?1049h").unwrap_or(0)..];
    assert!(tail.contains("\u{1b}[?1049l"), "the alternate screen was left");
}

#[test]
fn narrow_terminal_shows_one_pane_with_a_breadcrumb() {
    let data = demo_data();
    let event = &data.events[1];
    let mut s = Session::start(&["--demo"], 80, 24);
    s.wait_for("Events (6)");
    s.press("j\r");
    let screen = s.wait_for(&format!("Events › {}", event.name));
    assert!(!screen.contains("Order "), "only the orders pane: {screen}");
    s.press("\u{3}"); // Ctrl-C
    assert!(s.exit_ok());
}

#[test]
fn help_lists_every_key() {
    let mut s = Session::start(&["--demo"], 100, 40);
    s.wait_for("Events (6)");
    s.press("?");
    // The frame arrives in pieces: wait for all of it rather than read it half-drawn.
    let keys = ["filter (fuzzy", "copy each email shown once", "reload everything", "quit"];
    s.wait_for_all(&keys);
    s.press("q");
    assert!(s.exit_ok());
}

#[test]
fn a_revoked_token_brings_back_the_login_screen() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(DemoServer::start(DemoOptions { events: 2, orders: 10, ..DemoOptions::default() }))
        .unwrap();
    let base = server.base_url();
    let env = [
        ("FLOKTU_API_BASE", base.as_str()),
        ("FLOKTU_TOKEN", "demo-token"),
        ("FLOKTU_CLIENT_ID", "demo-client"),
    ];
    let mut s = Session::start_with(&[], &env, 120, 30);
    s.wait_for("Events (2)");
    server.knobs().revoke_token();
    s.press("r");
    s.wait_for_all(&["Log in to", "revoked", "demo-client"]);
    // No session to go back to: Esc leaves.
    s.press("\u{1b}");
    assert!(s.exit_ok());
}

#[test]
fn demo_logout_shows_the_login_screen_prefilled_for_the_demo_server() {
    let mut s = Session::start(&["--demo"], 120, 30);
    s.wait_for("Events (6)");
    s.press("L");
    s.wait_for("and forget its cached guest lists? y/n");
    s.press("y");
    s.wait_for_all(&["Log in to 127.0.0.1", "demo-client", "•••••••••••"]);
    s.press("\u{3}");
    assert!(s.exit_ok());
}

/// A guest of the big demo event with the given status and check-in state.
fn demo_guest(data: &Dataset, status: &str, checked_in: bool) -> (u64, String, u64) {
    data.events[0]
        .orders
        .iter()
        .filter(|o| o.status == status)
        .flat_map(|o| o.attendees.iter().map(move |a| (o, a)))
        .find(|(_, a)| {
            a.check_in_date.is_some() == checked_in && a.first_name.is_ascii() && a.last_name.is_ascii()
        })
        .map(|(o, a)| (a.attendee_id, format!("{} {}", a.first_name, a.last_name), o.id))
        .expect("the demo data has such a guest")
}

#[test]
fn door_mode_finds_a_guest_by_name_and_by_a_scanned_id() {
    let data = demo_data();
    let (valid_id, valid_name, _) = demo_guest(&data, "confirmed", false);
    let (_, _, cancelled_order) = demo_guest(&data, "cancelled", false);
    let counted: usize =
        data.events[0].orders.iter().filter(|o| o.status != "cancelled").map(|o| o.attendees.len()).sum();
    let mut s = Session::start(&["--demo"], 140, 40);
    s.wait_for("Events (6)");
    s.press("d");
    // The whole list in: a scan before that may rightly find nobody yet.
    s.wait_for(&format!("/ {} checked in", floktu_tui::text::thousands(counted)));
    // Typing a name: the matches follow the keystrokes (VALID shows only once
    // the ledger has the admission, after Enter).
    s.press(&valid_name);
    s.wait_for_all(&["Matches (", &valid_name]);
    // Enter admits the highlighted guest, in the ledger, before VALID shows.
    s.press("\r");
    s.wait_for_all(&["✔  VALID", "admitted now", &valid_name]);
    // A scanner types digits and Enter.
    s.press(&format!("{cancelled_order}\r"));
    // An order's id judges every guest of the order.
    s.wait_for_all(&["CANCELLED", "This order"]);
    // Scanned again: this gate admitted them already.
    s.press(&format!("{valid_id}\r"));
    s.wait_for_all(&["ALREADY ADMITTED", &valid_name]);
    s.press("99999999\r");
    s.wait_for("NOT FOUND");
    s.press("\u{3}");
    assert!(s.exit_ok());
}

#[test]
fn the_door_keeps_working_from_memory_and_cache_when_the_server_stops() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts = DemoOptions { events: 2, orders: 60, ..DemoOptions::default() };
    let data = Dataset::generate(opts.seed, opts.events, opts.orders);
    let server = rt.block_on(DemoServer::start(opts)).unwrap();
    let base = server.base_url();
    let home = tempfile::TempDir::new().unwrap();
    let cache = home.path().join("cache");
    let env = [
        ("FLOKTU_API_BASE", base.as_str()),
        ("FLOKTU_TOKEN", "demo-token"),
        ("XDG_CACHE_HOME", cache.to_str().unwrap()),
    ];
    let guest =
        data.events[0].orders.iter().flat_map(|o| &o.attendees).find(|a| a.first_name.is_ascii()).unwrap();
    let name = format!("{} {}", guest.first_name, guest.last_name);

    let counted: usize =
        data.events[0].orders.iter().filter(|o| o.status != "cancelled").map(|o| o.attendees.len()).sum();
    let mut s = Session::start_with(&[], &env, 140, 40);
    s.wait_for("Events (2)");
    s.press("d");
    // Every order in (and so the list cached) before the network goes.
    s.wait_for(&format!("/ {} checked in", floktu_tui::text::thousands(counted)));
    rt.block_on(server.shutdown());
    // Refreshing fails: the list in memory stays, with an offline banner.
    s.press("\u{12}"); // Ctrl-R
    s.wait_for("offline — data from");
    s.press(&name);
    s.wait_for_all(&[&name, "order"]);
    s.press("\u{3}");
    assert!(s.exit_ok());

    // A new start with the network still down: the cached events and guest list.
    let mut s = Session::start_with(&[], &env, 140, 40);
    s.wait_for("Offline");
    s.press("d");
    s.wait_for("offline — data from");
    s.press(&name);
    s.wait_for(&name);
    s.press("\u{3}");
    assert!(s.exit_ok());
}

#[test]
fn log_out_in_the_tui_asks_first_and_removes_the_accounts_cached_guest_lists() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(DemoServer::start(DemoOptions { events: 2, orders: 20, ..DemoOptions::default() }))
        .unwrap();
    let base = server.base_url();
    let home = tempfile::TempDir::new().unwrap();
    let cache = home.path().join("cache");
    let state = home.path().join("state");
    let env = [
        ("FLOKTU_API_BASE", base.as_str()),
        ("FLOKTU_TOKEN", "demo-token"),
        ("FLOKTU_KEYRING", "none"),
        ("XDG_CACHE_HOME", cache.to_str().unwrap()),
        ("XDG_STATE_HOME", state.to_str().unwrap()),
    ];
    let cached_files = || -> usize {
        walk(&cache.join("floktu"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "guests"))
            .count()
    };
    let mut s = Session::start_with(&[], &env, 120, 30);
    s.wait_for("Events (2)");
    s.press("d");
    s.wait("every order in", |o| {
        let screen = o.parser.screen().contents();
        screen.contains("old at most") && !screen.contains(" / 20 orders")
    });
    // Saving runs after the frame; wait for the file, bounded.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while cached_files() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(cached_files(), 1, "the guest list was cached");
    s.press("\u{1b}[21~"); // F10 leaves the door (Esc only clears its input)
    s.wait_for("Events (2)");
    // Keys in the half second after leaving the door are dropped on purpose.
    s.press_until("L", "forget its cached guest lists? y/n");
    s.press("n");
    assert_eq!(cached_files(), 1, "n keeps everything");
    s.press("L");
    s.wait_for("forget its cached guest lists? y/n");
    s.press("y");
    s.wait_for("cached guest lists in");
    assert_eq!(cached_files(), 0);
    s.press("\u{3}");
    assert!(s.exit_ok());
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] })
        .collect()
}

#[test]
fn quitting_and_starting_again_lands_where_it_was_left_and_fresh_starts_clean() {
    let data = demo_data();
    let event = &data.events[1];
    let target = &event.orders[3];
    let state = tempfile::TempDir::new().unwrap();
    let env = [("XDG_STATE_HOME", state.path().to_str().unwrap())];
    let mut s = Session::start_with(&["--demo"], &env, 160, 40);
    s.wait_for("Events (6)");
    s.press("j\r");
    s.wait_for(&format!("Orders ({}", event.orders.len()));
    s.press("jjj");
    s.wait_for(&format!("#{}", target.id));
    s.press("/");
    s.press(&target.last_name);
    s.press("\r");
    s.wait_for(" of ");
    s.press("q");
    assert!(s.exit_ok());

    let mut again = Session::start_with(&["--demo"], &env, 160, 40);
    again.wait_for_all(&[&format!("/{}", target.last_name), &format!("#{}", target.id), " of "]);
    again.press("q");
    assert!(again.exit_ok());

    // Left on the stats screen (Ctrl-C quits from anywhere): back on it.
    let mut on_stats = Session::start_with(&["--demo"], &env, 160, 40);
    on_stats.wait_for(&format!("/{}", target.last_name));
    on_stats.press("s");
    on_stats.wait_for("Arrivals per 15 min");
    on_stats.press("\u{3}");
    assert!(on_stats.exit_ok());
    let mut back = Session::start_with(&["--demo"], &env, 160, 40);
    back.wait_for_all(&[&format!("Stats · {}", event.name), "Arrivals per 15 min"]);
    back.press("\u{3}");
    assert!(back.exit_ok());

    let mut fresh = Session::start_with(&["--demo", "--fresh"], &env, 160, 40);
    let screen = fresh.wait_for("Open an event (Enter) to see its orders.");
    assert!(!screen.contains(&format!("/{}", target.last_name)), "{screen}");
    fresh.press("q");
    assert!(fresh.exit_ok());
}
