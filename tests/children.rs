//! Processes floktu starts never inherit its secrets. One test per
//! binary: it changes this process's environment, which nothing else may read
//! at the same time.

use std::os::unix::fs::PermissionsExt;

use floktu_tui::tui::clipboard;

#[test]
fn tmux_started_for_copying_gets_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("tmux-env");
    let tmux = dir.path().join("tmux");
    let script = format!("#!/bin/sh\nenv > '{}'\ncat > /dev/null\n", record.display());
    std::fs::write(&tmux, script).unwrap();
    std::fs::set_permissions(&tmux, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", dir.path().display(), std::env::var("PATH").unwrap_or_default());
    // SAFETY: this binary has this one test, so no other thread reads the environment.
    unsafe {
        std::env::set_var("PATH", path);
        std::env::set_var("TMUX", "/tmp/tmux-1000/default,1,0");
        std::env::set_var("FLOKTU_TOKEN", "token-SECRET-1");
        std::env::set_var("FLOKTU_CLIENT_SECRET", "client-SECRET-2");
    }

    let mut board = clipboard::detect(&|k| std::env::var(k).ok());
    assert_eq!(board.name(), "tmux buffer");
    board.copy("ann@example.com").unwrap();

    let env = std::fs::read_to_string(&record).unwrap();
    assert!(
        env.contains("TMUX=/tmp/tmux-1000/default"),
        "the fake tmux did not run with floktu's environment:\n{env}"
    );
    assert!(!env.contains("SECRET"), "a secret reached tmux:\n{env}");
}
