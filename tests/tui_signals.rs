//! A signal from outside (`kill -INT`, a closed SSH session, a service manager)
//! ends the TUI with the terminal restored: the alternate screen left and
//! bracketed paste off, after the last time they were turned on.

mod support;

use support::pty::Session;

/// Where the last `on` sequence is followed by an `off` one.
fn turned_off_at_the_end(raw: &[u8], on: &[u8], off: &[u8]) -> bool {
    let find_last = |needle: &[u8]| raw.windows(needle.len()).rposition(|w| w == needle);
    matches!((find_last(on), find_last(off)), (Some(on), Some(off)) if off > on)
}

fn signal_restores_the_terminal(signal: &str) {
    let mut s = Session::start(&["--demo"], 100, 30);
    s.wait_for("Events (6)");
    let sent = std::process::Command::new("kill").args([signal, &s.pid().to_string()]).status().unwrap();
    assert!(sent.success());
    assert!(s.exit_ok(), "floktu exits 0 after {signal}");
    let raw = s.raw();
    assert!(
        turned_off_at_the_end(&raw, b"\x1b[?1049h", b"\x1b[?1049l"),
        "{signal}: still on the alternate screen"
    );
    assert!(
        turned_off_at_the_end(&raw, b"\x1b[?2004h", b"\x1b[?2004l"),
        "{signal}: bracketed paste still on"
    );
}

#[test]
fn sigint_from_outside_restores_the_terminal() {
    signal_restores_the_terminal("-INT");
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_restores_the_terminal("-TERM");
}

#[test]
fn sighup_restores_the_terminal() {
    signal_restores_the_terminal("-HUP");
}

#[test]
fn sigquit_restores_the_terminal() {
    signal_restores_the_terminal("-QUIT");
}
