//! Hostile text end to end: the TUI in a pseudo-terminal browses a demo server
//! that puts every class of hostile text (`demo::hostile_catalogue`) into every
//! string field, through events, orders, an order's details, the attendees view
//! and door mode. The raw bytes floktu wrote must carry none of the injected
//! sequences, and nothing may set the window title.

mod support;

use floktu_tui::demo::{DemoOptions, DemoServer, hostile_catalogue};
use support::pty::Session;

/// Byte patterns that only the data could have put there: ratatui never writes
/// them, and floktu writes no OSC unless the user copies (this test does not).
fn forbidden(class: &str, sample: &str) -> Vec<Vec<u8>> {
    match class {
        "osc-window-title-bel" | "osc-window-title-st" => {
            vec![b"\x1b]0;".to_vec(), b"\x1b]1;".to_vec(), b"\x1b]2;".to_vec(), b"PWNED".to_vec()]
        }
        "osc52-clipboard-write" => vec![b"\x1b]52;".to_vec(), b"cHduZWQ=".to_vec()],
        // ratatui's clear is ESC[2J followed by its own cursor move, never ESC[H.
        "csi-clear-screen" => vec![b"\x1b[2J\x1b[H".to_vec()],
        "c0-controls" => [0x07u8, 0x08, 0x00, 0x01, 0x1f, 0x7f].iter().map(|b| vec![*b]).collect(),
        "tab-cr-lf" => vec![b"\t".to_vec()],
        // Every other class: each of its invisible or control characters, as UTF-8.
        _ => sample
            .chars()
            .filter(|c| {
                c.is_control() && *c != '\u{1b}'
                    || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
            })
            .map(|c| c.to_string().into_bytes())
            .collect(),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_injected_sequence_reaches_the_terminal_and_the_title_is_never_set() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(DemoServer::start(DemoOptions { events: 3, orders: 40, ..DemoOptions::default() }))
        .unwrap();
    server.knobs().set_hostile(true);
    let base = server.base_url();
    let work = tempfile::TempDir::new().unwrap();
    // The door rings the terminal bell on a refusal; with it off, any BEL on
    // the terminal came from the server's data.
    let config = work.path().join("config");
    std::fs::create_dir_all(config.join("floktu")).unwrap();
    std::fs::write(config.join("floktu/config.toml"), "[door]\nbell = \"off\"\n").unwrap();
    let config = config.to_str().unwrap();
    let env =
        [("FLOKTU_API_BASE", base.as_str()), ("FLOKTU_TOKEN", "demo-token"), ("XDG_CONFIG_HOME", config)];
    let mut s = Session::start_in(work.path(), &[], &env, 160, 45);

    s.wait_for("Events (3)");
    s.press("\r");
    s.wait_for("Orders (");
    s.press("jj\r");
    s.wait_for("Attendees (");
    s.press("jh");
    s.press("a");
    s.wait_for("oldest data from");
    s.press("jjjj/e");
    s.press("\r\u{1b}");
    s.press("d");
    s.wait_for(" checked in (");
    s.press("e");
    s.wait_for("Matches (");
    s.press("\r");
    s.wait_for("Same order");
    s.press("\u{3}");
    assert!(s.exit_ok());

    let raw = s.raw();
    let mut leaks = Vec::new();
    for (class, sample) in hostile_catalogue() {
        for pattern in forbidden(class, sample) {
            if find(&raw, &pattern) {
                leaks.push(format!("{class}: {:?}", String::from_utf8_lossy(&pattern)));
            }
        }
    }
    assert!(leaks.is_empty(), "injected sequences reached the terminal: {leaks:?}");
    // C1 controls as UTF-8 (0xC2 0x80..0x9F) are never drawn.
    assert!(
        !raw.windows(2).any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1])),
        "a C1 control was written"
    );
}

#[test]
fn every_hostile_class_has_a_check() {
    // A class added to the catalogue must get a pattern here, or the test above
    // would pass without looking at it.
    for (class, sample) in hostile_catalogue() {
        let harmless = matches!(
            *class,
            "formula-equals"
                | "formula-plus"
                | "formula-minus"
                | "formula-at"
                | "emoji-zwj"
                | "combining-marks"
                | "cjk-wide"
                | "very-long"
                | "csi-colour-and-cursor"
        );
        assert!(harmless || !forbidden(class, sample).is_empty(), "{class} has nothing to look for");
    }
}
