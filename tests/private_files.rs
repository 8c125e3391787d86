//! Every folder floktu creates or uses under XDG is 0700 and every file 0600, the
//! log included, from a fresh XDG tree; folders an older floktu left open are
//! tightened.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn floktu(xdg: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_floktu"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", xdg.join("home"))
        .env("XDG_CONFIG_HOME", xdg.join("config"))
        .env("XDG_CACHE_HOME", xdg.join("cache"))
        .env("XDG_DATA_HOME", xdg.join("data"))
        .env("XDG_STATE_HOME", xdg.join("state"))
        .env("FLOKTU_KEYRING", "none")
        .output()
        .unwrap()
}

/// Every folder and file under `dir`, with its permission bits.
fn modes(dir: &Path, out: &mut Vec<(PathBuf, u32, bool)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = std::fs::symlink_metadata(entry.path()).unwrap();
        out.push((entry.path(), meta.permissions().mode() & 0o777, meta.is_dir()));
        if meta.is_dir() {
            modes(&entry.path(), out);
        }
    }
}

fn floktu_modes(xdg: &Path) -> Vec<(PathBuf, u32, bool)> {
    let mut all = Vec::new();
    for base in ["config", "cache", "data", "state"] {
        let dir = xdg.join(base).join("floktu");
        if dir.exists() {
            all.push((dir.clone(), std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, true));
            modes(&dir, &mut all);
        }
    }
    all
}

fn assert_private(all: &[(PathBuf, u32, bool)]) {
    let open: Vec<String> = all
        .iter()
        .filter(|(_, mode, dir)| *mode != if *dir { 0o700 } else { 0o600 })
        .map(|(path, mode, _)| format!("{} {mode:o}", path.display()))
        .collect();
    assert!(open.is_empty(), "not private:\n{}", open.join("\n"));
}

#[test]
fn a_fresh_xdg_tree_holds_only_private_folders_and_files() {
    let xdg = tempfile::tempdir().unwrap();
    let events = floktu(xdg.path(), &["--demo", "events"]);
    assert!(events.status.success(), "{}", String::from_utf8_lossy(&events.stderr));
    floktu(xdg.path(), &["status"]);
    let all = floktu_modes(xdg.path());
    let log = xdg.path().join("state/floktu/floktu.log");
    assert!(all.iter().any(|(p, _, _)| *p == log), "no log at {}: {all:?}", log.display());
    assert_private(&all);
}

#[test]
fn folders_and_files_left_open_are_tightened() {
    let xdg = tempfile::tempdir().unwrap();
    let state = xdg.path().join("state/floktu");
    let cache = xdg.path().join("cache/floktu/old");
    for dir in [&state, &cache] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for file in [state.join("floktu.log"), cache.join("snapshot")] {
        std::fs::write(&file, "old\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    floktu(xdg.path(), &["status"]);
    assert_private(&floktu_modes(xdg.path()));
}
