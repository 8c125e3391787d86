//! The browser opener never inherits floktu's secrets: a browser outlives the
//! login. One test per binary: it changes this process's environment, which
//! nothing else may read at the same time.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

#[test]
fn the_browser_opener_gets_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("opener-env");
    let opener = dir.path().join("xdg-open");
    let script = format!("#!/bin/sh\nenv > '{0}.tmp' && mv '{0}.tmp' '{0}'\n", record.display());
    std::fs::write(&opener, script).unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", dir.path().display(), std::env::var("PATH").unwrap_or_default());
    // SAFETY: this binary has this one test, so no other thread reads the environment.
    unsafe {
        std::env::set_var("PATH", path);
        std::env::set_var("FLOKTU_TOKEN", "token-SECRET-1");
        std::env::set_var("FLOKTU_CLIENT_SECRET", "client-SECRET-2");
        std::env::set_var("FLOKTU_MARK", "seen");
    }
    floktu_tui::auth::login::open_browser("http://127.0.0.1:9/authorize").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !record.exists() {
        assert!(Instant::now() < deadline, "the fake opener never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    let env = std::fs::read_to_string(&record).unwrap();
    assert!(
        env.contains("FLOKTU_MARK=seen"),
        "the fake opener did not run with floktu's environment:\n{env}"
    );
    assert!(!env.contains("SECRET"), "a secret reached the browser opener:\n{env}");
}
