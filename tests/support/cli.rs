//! The `floktu` binary for CLI tests.

use assert_cmd::Command;
use floktu_tui::demo::{DemoOptions, DemoServer};
use tempfile::TempDir;

/// The binary with a private HOME and XDG dirs, and none of the user's floktu variables.
pub fn floktu(home: &TempDir) -> Command {
    let mut cmd = Command::cargo_bin("floktu").expect("the floktu binary is built");
    for var in ["FLOKTU_TOKEN", "FLOKTU_API_BASE", "FLOKTU_CLIENT_ID", "FLOKTU_CLIENT_SECRET"] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_STATE_HOME", home.path().join("state"));
    cmd
}

/// A demo server of two events with `orders` orders each, on a runtime of its
/// own, so that the blocking binary runs beside it.
pub fn demo(orders: usize) -> (tokio::runtime::Runtime, DemoServer) {
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let options = DemoOptions { events: 2, orders, ..DemoOptions::default() };
    let server = rt.block_on(DemoServer::start(options)).expect("the demo server starts");
    (rt, server)
}
