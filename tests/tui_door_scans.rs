//! The door's scans end to end: `floktu door EVENT --gate north`, the real
//! binary in a pseudo-terminal against the demo server on loopback, with a
//! SQLite ledger, a cache, a config and a working directory that belong to
//! the test. Each test waits on what the screen shows, never on time.

mod support;

use std::path::PathBuf;

use floktu_tui::demo::{DemoAttendee, DemoOptions, DemoOrder, DemoServer};
use support::pty::Session;

const BEL: u8 = 0x07;

/// The demo server, and the directories one door (or two, in turn) share.
struct Place {
    /// Runs the demo server.
    rt: tokio::runtime::Runtime,
    server: DemoServer,
    dir: tempfile::TempDir,
}

impl Place {
    fn new() -> Place {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let opts = DemoOptions { events: 2, orders: 40, ..DemoOptions::default() };
        let server = rt.block_on(DemoServer::start(opts)).unwrap();
        let dir = tempfile::TempDir::new().unwrap();
        for sub in ["data", "cache", "config/floktu", "cwd", "home"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Place { rt, server, dir }
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// `[door]` settings for the doors started after.
    fn config(&self, toml: &str) {
        std::fs::write(self.path("config/floktu/config.toml"), toml).unwrap();
    }

    fn event(&self, n: usize) -> u64 {
        self.server.dataset().events[n].id
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        let path = |sub: &str| self.path(sub).to_str().unwrap().to_string();
        vec![
            ("FLOKTU_API_BASE", self.server.base_url()),
            ("FLOKTU_TOKEN", "demo-token".to_string()),
            ("XDG_DATA_HOME", path("data")),
            ("XDG_CACHE_HOME", path("cache")),
            ("XDG_CONFIG_HOME", path("config")),
        ]
    }

    /// `floktu ARGS` without a terminal, in the same places as the doors.
    fn floktu(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_floktu"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.path("home"))
            .env("XDG_STATE_HOME", self.path("state"))
            .env("FLOKTU_KEYRING", "none")
            .envs(self.env())
            .current_dir(self.path("cwd"))
            .output()
            .unwrap()
    }

    /// The door for event number `n` at `gate`, its whole list loaded.
    fn door(&self, n: usize, gate: &str) -> Session {
        self.door_with(&[], n, gate)
    }

    /// [`Place::door`] with global options first (`--ledger URL`).
    fn door_with(&self, options: &[&str], n: usize, gate: &str) -> Session {
        let owned = self.env();
        let env: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let event = self.event(n).to_string();
        let mut args = options.to_vec();
        args.extend(["door", &event, "--gate", gate]);
        let s = Session::start_in(&self.path("cwd"), &args, &env, 120, 36);
        s.wait("the whole list in", |o| {
            let screen = o.parser.screen().contents();
            screen.contains(&format!("gate {gate}"))
                && screen.contains("old at most")
                && !screen.contains(" orders in")
                && !screen.contains(" loading")
        });
        s
    }
}

fn plain(text: &str) -> bool {
    !text.trim().is_empty() && text.chars().all(|c| c.is_ascii_graphic() || c == ' ')
}

fn name(a: &DemoAttendee) -> String {
    format!("{} {}", a.first_name, a.last_name)
}

/// Confirmed orders of event `n`, with no balance due (a due balance is not a refusal, but keeps the test simple).
fn confirmed(place: &Place, n: usize) -> Vec<DemoOrder> {
    place.server.dataset().events[n].orders.iter().filter(|o| o.status == "confirmed").cloned().collect()
}

/// A guest who would be let in: confirmed order, not checked in, a plain name.
fn valid_guest(place: &Place, n: usize) -> DemoAttendee {
    confirmed(place, n)
        .iter()
        .flat_map(|o| o.attendees.iter())
        .find(|a| a.check_in_date.is_none() && plain(&name(a)))
        .cloned()
        .expect("a valid guest")
}

fn bells(raw: &[u8]) -> usize {
    raw.iter().filter(|&&b| b == BEL).count()
}

#[test]
fn an_order_scan_admits_its_valid_guests_and_says_so_as_a_group() {
    let place = Place::new();
    let all_ids: Vec<u64> = place
        .server
        .dataset()
        .events
        .iter()
        .flat_map(|e| &e.orders)
        .flat_map(|o| &o.attendees)
        .map(|a| a.attendee_id)
        .collect();
    let order = confirmed(&place, 0)
        .into_iter()
        .find(|o| {
            o.attendees.len() >= 2
                && o.attendees.iter().all(|a| a.check_in_date.is_none())
                && !all_ids.contains(&o.id)
        })
        .expect("a confirmed order of two or more guests, none checked in");
    let valid = order.attendees.len();
    let mut door = place.door(0, "north");
    door.press(&format!("{}\r", order.id));
    let summary = format!("order: {valid} admitted now");
    let screen = door.wait_for_all(&[summary.as_str(), "scan #1"]);
    assert!(!screen.contains("admitting…"), "{screen}");
    // Scanned again: every one of them is refused now.
    door.press(&format!("{}\r", order.id));
    let again = format!("order: 0 admitted now, {valid} already admitted");
    door.wait_for_all(&["ALREADY ADMITTED", again.as_str(), "scan #2"]);
    door.press("\u{3}");
    assert!(door.exit_ok());
}

#[test]
fn ctrl_z_undoes_the_last_admission_says_whose_and_a_rescan_admits_again() {
    let place = Place::new();
    let guest = valid_guest(&place, 0);
    let who = name(&guest);
    let mut door = place.door(0, "north");
    door.press(&format!("{}\r", guest.attendee_id));
    door.wait_for_all(&["admitted now", &who, "scan #1"]);
    door.press("\u{1a}");
    let undone = format!("Undone: {who} (ticket {})", guest.attendee_id);
    door.wait_for_all(&[undone.as_str(), "at north"]);
    door.press(&format!("{}\r", guest.attendee_id));
    door.wait_for_all(&["VALID — let them in — admitted now", &who, "scan #2"]);
    door.press("\u{3}");
    assert!(door.exit_ok());
}

#[test]
fn a_ticket_of_another_cached_event_is_the_wrong_event_and_names_it() {
    let place = Place::new();
    let other = &place.server.dataset().events[1];
    let guest = valid_guest(&place, 1);
    // The other event's list, fetched once: it is in the cache after.
    let listed = place.floktu(&["attendees", &other.id.to_string()]);
    assert!(listed.status.success(), "{listed:?}");
    let mut door = place.door(0, "north");
    door.press(&format!("{}\r", guest.attendee_id));
    door.wait_for_all(&["WRONG EVENT", &other.id.to_string(), "scan #1"]);
    door.press("\u{3}");
    assert!(door.exit_ok());
}

#[test]
fn a_refusal_rings_the_bell_by_default() {
    let place = Place::new();
    let guest = valid_guest(&place, 0);
    let mut door = place.door(0, "north");
    door.press(&format!("{}\r", guest.attendee_id));
    door.wait_for_all(&["admitted now", "scan #1"]);
    let before = bells(&door.raw());
    door.press(&format!("{}\r", guest.attendee_id));
    door.wait_for_all(&["ALREADY ADMITTED", "scan #2"]);
    // ALREADY ADMITTED rings twice, after its frame.
    door.wait("two bells for ALREADY ADMITTED", |o| bells(&o.raw) >= before + 2);
    door.press("\u{3}");
    assert!(door.exit_ok());
}

#[test]
fn valid_does_not_ring_with_bell_refusals() {
    let place = Place::new();
    place.config("[door]\nbell = \"refusals\"\n");
    let guest = valid_guest(&place, 0);
    let mut door = place.door(0, "north");
    door.press(&format!("{}\r", guest.attendee_id));
    door.wait_for_all(&["admitted now", "scan #1"]);
    // A frame drawn after VALID's: its bell, had there been one, came before it.
    door.press("zq");
    door.wait_for("› zq▏");
    assert_eq!(bells(&door.raw()), 0, "VALID rang");
    door.press("\u{3}");
    assert!(door.exit_ok());
}

#[test]
fn the_guests_answers_show_on_the_verdict() {
    let place = Place::new();
    let (guest, question, answer) = confirmed(&place, 0)
        .iter()
        .flat_map(|o| o.attendees.iter())
        .filter(|a| a.check_in_date.is_none() && plain(&name(a)))
        .find_map(|a| {
            a.answers.iter().find_map(|(q, ans)| {
                let ans = ans.as_deref()?;
                (plain(q) && plain(ans) && !ans.contains('@') && q.len() + ans.len() < 60)
                    .then(|| (a.clone(), q.trim().to_string(), ans.trim().to_string()))
            })
        })
        .expect("a valid guest with an answer");
    let mut door = place.door(0, "north");
    door.press(&format!("{}\r", guest.attendee_id));
    let shown = format!("{question}: {answer}");
    door.wait_for_all(&["admitted now", &name(&guest), shown.as_str()]);
    door.press("\u{3}");
    assert!(door.exit_ok());
}

#[test]
fn esc_esc_then_letters_stays_in_the_door_and_writes_no_file() {
    let place = Place::new();
    let mut door = place.door(0, "north");
    door.press("\u{1b}");
    door.press("\u{1b}");
    // On the lists, `e` exports, `l` opens, `y` copies, `q` quits.
    door.press("elyq");
    let screen = door.wait_for("› elyq▏");
    assert!(screen.contains("gate north"), "{screen}");
    door.press("\u{3}");
    assert!(door.exit_ok());
    let files: Vec<_> = std::fs::read_dir(place.path("cwd")).unwrap().collect();
    assert!(files.is_empty(), "files written: {files:?}");
}

#[test]
fn esc_then_f10_in_one_read_leaves_the_door_and_types_nothing() {
    let place = Place::new();
    let mut door = place.door(0, "north");
    door.press("42");
    door.wait_for("› 42▏");
    // What a terminal sends for Esc then F10 pressed quickly.
    door.press("\u{1b}\u{1b}[21~");
    let screen = door.wait("the lists", |o| !o.parser.screen().contents().contains("gate north"));
    assert!(!screen.contains("21~"), "{screen}");
    door.press("\u{3}");
    assert!(door.exit_ok());
}

/// The PostgreSQL server `.ci/run` starts (`FLOKTU_TEST_POSTGRES`); `None` skips
/// the test, except under `CI=true`, where it must be there.
fn postgres_url() -> Option<String> {
    match std::env::var("FLOKTU_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true and FLOKTU_TEST_POSTGRES is not set: .ci/run starts PostgreSQL for these tests")
        }
        _ => {
            eprintln!("FLOKTU_TEST_POSTGRES not set: PostgreSQL door test skipped");
            None
        }
    }
}

/// A database of its own on that server, so that the demo's event ids meet
/// no admission of another run.
async fn fresh_database(url: &str) -> String {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let name = format!("floktu_door_{}", rand::random::<u32>());
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    let mut fresh = url::Url::parse(url).unwrap();
    fresh.set_path(&name);
    fresh.to_string()
}

#[test]
fn an_admission_queued_while_postgres_was_away_and_refused_on_replay_is_shown_in_red() {
    let Some(url) = postgres_url() else { return };
    let place = Place::new();
    let url = place.rt.block_on(fresh_database(&url));
    let proxy = place.rt.block_on(support::pg_proxy::Proxy::start(&url));
    proxy.set_down(true);
    let guest = valid_guest(&place, 0);
    let mut north = place.door_with(&["--ledger", &proxy.url()], 0, "north");
    north.press(&format!("{}\r", guest.attendee_id));
    north.wait_for_all(&["admitted now (queued", "scan #1"]);
    // Meanwhile south, which reaches the server, admits the same ticket.
    let event = place.event(0).to_string();
    let ticket = guest.attendee_id.to_string();
    let south = place.floktu(&["--ledger", &url, "admit", &event, &ticket, "--gate", "south"]);
    assert!(south.status.success(), "{south:?}");
    // The server is back: north's next ledger call replays its queue (tried
    // again at most every 5 s; each scan is a call) and the replay is refused.
    proxy.set_down(false);
    let screen = north.press_until(&format!("{}\r", guest.attendee_id), "replay refused");
    let expected =
        format!("replay refused: {} (ticket {}) was admitted at south", name(&guest), guest.attendee_id);
    assert!(screen.contains(&expected), "{screen}");
    north.press("\u{3}");
    assert!(north.exit_ok());
}
