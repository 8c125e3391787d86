//! A soak test: the real binary in a pseudo-terminal takes 2,000 random key
//! presses against a slow, failing demo server, and must neither panic nor stop
//! answering keys; then it quits cleanly and leaves the terminal as it found it.

mod support;

use floktu_tui::demo::{DemoOptions, DemoServer};
use support::pty::Session;

/// The keys a curious user presses (not `q`, Ctrl-C or `L`, which end or log out).
const KEYS: [&str; 40] = [
    "j",
    "k",
    "j",
    "j",
    "\r",
    "\r",
    "l",
    "h",
    "\u{1b}",
    "\u{7f}",
    "/",
    "a",
    "n",
    "e",
    "\r",
    "\u{1b}[21~", // F10: leave the door
    "a",
    "d",
    "1",
    "0",
    "0",
    "\r",
    "y",
    "Y",
    "e",
    "r",
    "R",
    "?",
    "g",
    "G",
    "\u{1b}[6~",
    "\u{1b}[5~",
    "\u{1b}[B",
    "\u{1b}[A",
    "\u{4}",
    "\u{15}",
    "\u{10}",
    "\u{12}",
    "\t",
    "x",
];

/// A small deterministic generator: the same run every time.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[test]
fn two_thousand_random_keys_against_a_faulty_server() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts =
        DemoOptions { events: 4, orders: 300, latency_ms: 5, fail_rate: 0.2, ..DemoOptions::default() };
    let server = rt.block_on(DemoServer::start(opts)).unwrap();
    let base = server.base_url();
    let work = tempfile::TempDir::new().unwrap();
    let env = [("FLOKTU_API_BASE", base.as_str()), ("FLOKTU_TOKEN", "demo-token")];
    let mut s = Session::start_in(work.path(), &[], &env, 120, 35);
    s.wait_for("Events");
    // One export on a known screen, so the mode check below never passes on no files.
    s.press_until("e", "Exported to");
    let mut rng = SplitMix(7);
    for i in 0..2_000 {
        let key = KEYS[(rng.next() % KEYS.len() as u64) as usize];
        s.press(key);
        // Every 250 keys, resize-free check that it still answers: a frame follows.
        if i % 250 == 249 {
            let before = s.raw().len();
            s.press("\u{c}"); // Ctrl-L: no action, but the loop reads it
            s.press("?");
            s.wait("a frame after the keys so far", |o| o.raw.len() > before);
        }
    }
    // Still answering: help opens whatever the screen (F1 in door mode, ? elsewhere).
    s.press("\u{1b}\u{1b}\u{1b}");
    s.press("\u{3}"); // Ctrl-C
    assert!(s.exit_ok(), "floktu exited with a failure");
    let raw = String::from_utf8_lossy(&s.raw()).into_owned();
    assert!(!raw.contains("panicked"), "a panic was printed");
    let tail = &raw[raw.rfind("\u{1b}[?1049h").unwrap_or(0)..];
    assert!(tail.contains("\u{1b}[?1049l"), "the alternate screen was left");
    // The `e` presses exported lists: names and emails, so readable only by the user.
    // (Whether a random `e` landed on a list screen depends on timing; the first did.)
    let exports: Vec<_> = std::fs::read_dir(work.path()).unwrap().collect();
    assert!(!exports.is_empty(), "the first `e` exported the events list");
    #[cfg(unix)]
    for entry in exports {
        use std::os::unix::fs::PermissionsExt;
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", entry.path().display());
    }
    drop(server);
}
