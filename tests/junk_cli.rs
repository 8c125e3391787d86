//! Junk costs little in the CLI: a list of millions of unusable items, just
//! under the body limit, is counted and the first few named, in bounded memory
//! and a few lines of stderr. Memory is the child's peak RSS.
#![cfg(target_os = "linux")]

#[path = "support/junk.rs"]
mod junk;

use std::process::Command;

/// The most a junk answer may cost the process.
const MAX_RSS: i64 = 200 * 1024 * 1024;
/// The most it may write on stderr.
const MAX_STDERR: usize = 64 * 1024;

#[repr(C)]
struct Rusage {
    utime: [i64; 2],
    stime: [i64; 2],
    maxrss: i64,
    rest: [i64; 13],
}

unsafe extern "C" {
    fn getrusage(who: i32, usage: *mut Rusage) -> i32;
}

/// The peak resident size of the largest child waited for so far, in bytes.
fn children_peak_rss() -> i64 {
    const RUSAGE_CHILDREN: i32 = -1;
    let mut usage = Rusage { utime: [0; 2], stime: [0; 2], maxrss: 0, rest: [0; 13] };
    // SAFETY: `usage` is a valid, writable `struct rusage` (Linux, 64-bit layout).
    assert_eq!(unsafe { getrusage(RUSAGE_CHILDREN, &mut usage) }, 0);
    usage.maxrss * 1024
}

#[test]
fn millions_of_junk_items_cost_little_memory_and_a_few_lines() {
    let junk = junk::start();
    let home = tempfile::tempdir().unwrap();
    // A list (events; orders decode the same way) and an order's attendees. Each
    // takes seconds in a debug build: millions of items, one at a time.
    let cases: [(&[&str], &str, usize); 2] =
        [(&["events"], "events", junk.list_items), (&["order", "1", "2"], "attendees", junk.order_items)];
    for (args, what, items) in cases {
        let started = std::time::Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_floktu"))
            .arg("--api-base")
            .arg(&junk.base)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_STATE_HOME", home.path().join("state"))
            .env("FLOKTU_KEYRING", "none")
            .env("FLOKTU_TOKEN", "junk-token")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let peak = children_peak_rss();
        eprintln!("{args:?}: {:?}, peak RSS so far {} MB", started.elapsed(), peak / (1024 * 1024));
        assert!(peak <= MAX_RSS, "{args:?}: peak RSS {} MB", peak / (1024 * 1024));
        assert!(out.stderr.len() <= MAX_STDERR, "{args:?}: {} bytes of stderr", out.stderr.len());
        assert_eq!(out.status.code(), Some(3), "{args:?}: a partial result\n{stderr}");
        assert!(
            stderr.contains(&format!("floktu: {items} {what} could not be read")),
            "{args:?}: the count is on stderr:\n{stderr}"
        );
        assert!(stderr.contains("#0: not an object"), "{args:?}: the first are named:\n{stderr}");
        assert!(
            stderr.contains(&format!("… and {} more", items - 5)),
            "{args:?}: the rest are counted:\n{stderr}"
        );
    }
}
