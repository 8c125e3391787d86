//! `floktu login`, `status`, `logout` as a user on a headless machine runs them:
//! the URL printed, the browser's redirect pasted back (or caught by the
//! listener), the token stored in a 0600 file, and never printed or logged.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use floktu_tui::demo::{DemoOptions, DemoServer};
use tempfile::TempDir;

/// The binary with a private HOME and XDG dirs, no keyring, none of the user's variables.
fn floktu(home: &TempDir) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_floktu"));
    for var in [
        "FLOKTU_TOKEN",
        "FLOKTU_API_BASE",
        "FLOKTU_CLIENT_ID",
        "FLOKTU_CLIENT_SECRET",
        "DISPLAY",
        "WAYLAND_DISPLAY",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("FLOKTU_KEYRING", "none")
        .env("FLOKTU_LOG", "debug");
    cmd
}

fn server() -> (tokio::runtime::Runtime, DemoServer) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(DemoServer::start(DemoOptions { events: 2, orders: 5, ..DemoOptions::default() }))
        .unwrap();
    (rt, server)
}

/// Starts `floktu login` and returns it with the authorize URL it printed.
fn start_login(home: &TempDir, base: &str) -> (Child, String, mpsc::Receiver<String>) {
    let opts = DemoOptions::default();
    let mut child = floktu(home)
        .args(["--api-base", base, "login", "--no-browser", "--insecure-storage"])
        .args(["--client-id", &opts.client_id])
        .env("FLOKTU_CLIENT_SECRET", &opts.client_secret)
        .args(["--redirect-uri", "http://127.0.0.1:0/callback"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let url = loop {
        let line = rx.recv_timeout(Duration::from_secs(20)).expect("floktu login prints the authorize URL");
        if let Some(url) = line.trim().strip_prefix("http").filter(|_| line.contains("/authorize?")) {
            break format!("http{url}");
        }
    };
    (child, url, rx)
}

/// A script following the authorize URL: the demo server answers 302 to the redirect URI.
fn approve(url: &str) -> String {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let response = http.get(url).send().await.unwrap();
        assert_eq!(response.status(), 302);
        response.headers()["location"].to_str().unwrap().to_string()
    })
}

fn finish(mut child: Child, rx: mpsc::Receiver<String>) -> (bool, String, String) {
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    // The reader thread ends at EOF, which the exit brings: this does not block for long.
    let stdout: Vec<String> = rx.iter().collect();
    (status.success(), stdout.join("\n"), stderr)
}

fn stored_token(home: &TempDir) -> String {
    let file = home.path().join("state/floktu/credentials.json");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    json["tokens"].as_object().unwrap().values().next().unwrap().as_str().unwrap().to_string()
}

#[test]
fn headless_login_by_pasting_the_redirect_then_status_and_events() {
    let (_rt, server) = server();
    let home = TempDir::new().unwrap();
    let base = server.base_url();
    let (mut child, url, rx) = start_login(&home, &base);
    let redirect = approve(&url);
    // Over SSH the browser is on the laptop: the user pastes where it landed.
    writeln!(child.stdin.as_mut().unwrap(), "{redirect}").unwrap();
    let (ok, stdout, stderr) = finish(child, rx);
    assert!(ok, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("Token stored in"), "{stdout}");

    let token = stored_token(&home);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(home.path().join("state/floktu/credentials.json")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }

    let status = floktu(&home).args(["--api-base", &base, "status"]).output().unwrap();
    let status_text = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success(), "{status_text}");
    assert!(status_text.contains("token        file ("), "{status_text}");
    assert!(status_text.contains("client id    demo-client"), "{status_text}");

    let events = floktu(&home).args(["--api-base", &base, "events", "--json"]).output().unwrap();
    assert!(events.status.success(), "{}", String::from_utf8_lossy(&events.stderr));

    // The token appears nowhere it should not: output, errors, logs.
    for text in
        [&stdout, &stderr, &status_text.to_string(), &String::from_utf8_lossy(&events.stderr).to_string()]
    {
        assert!(!text.contains(&token), "the token leaked into output");
    }
    let log = std::fs::read_to_string(home.path().join("state/floktu/floktu.log")).unwrap();
    assert!(!log.is_empty(), "the log was written");
    assert!(!log.contains(&token), "the token leaked into the log");
}

#[test]
fn login_through_the_redirect_listener() {
    let (_rt, server) = server();
    let home = TempDir::new().unwrap();
    let (child, url, rx) = start_login(&home, &server.base_url());
    let redirect = approve(&url);
    // The browser follows the redirect to the listener floktu opened.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let page = rt.block_on(async { reqwest::get(&redirect).await.unwrap().text().await.unwrap() });
    assert!(page.contains("You are logged in"), "{page}");
    let (ok, stdout, stderr) = finish(child, rx);
    assert!(ok, "stdout: {stdout}\nstderr: {stderr}");
}

#[test]
fn a_pasted_redirect_with_the_wrong_state_is_refused_and_another_paste_accepted() {
    let (_rt, server) = server();
    let home = TempDir::new().unwrap();
    let (mut child, url, rx) = start_login(&home, &server.base_url());
    let redirect = approve(&url);
    let stdin = child.stdin.as_mut().unwrap();
    writeln!(stdin, "http://127.0.0.1:1/callback?code=forged&state=wrong").unwrap();
    writeln!(stdin, "{redirect}").unwrap();
    let (ok, stdout, stderr) = finish(child, rx);
    assert!(ok, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stderr.contains("state does not match"), "{stderr}");
}

#[test]
fn logout_forgets_the_token() {
    let (_rt, server) = server();
    let home = TempDir::new().unwrap();
    let base = server.base_url();
    let (mut child, url, rx) = start_login(&home, &base);
    writeln!(child.stdin.as_mut().unwrap(), "{}", approve(&url)).unwrap();
    assert!(finish(child, rx).0);
    // A guest list fetched while logged in is cached for this account...
    let event = server.dataset().events[0].id.to_string();
    let listed = floktu(&home).args(["--api-base", &base, "attendees", &event, "--json"]).output().unwrap();
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let cache = home.path().join("cache/floktu");
    let cached_files = || walk(&cache).len();
    assert!(cached_files() > 0, "the guest list was cached");
    let out = floktu(&home).args(["--api-base", &base, "logout"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Logged out"));
    // ...and logging out removes it with the token.
    assert_eq!(cached_files(), 0, "the account's cache is gone");
    let status = floktu(&home).args(["--api-base", &base, "status"]).output().unwrap();
    assert_eq!(status.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&status.stdout).contains("none"));
}

#[test]
fn demo_login_completes_with_any_http_client_and_stores_nothing() {
    let home = TempDir::new().unwrap();
    let mut child = floktu(&home)
        .args(["--demo", "login", "--no-browser"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let url = loop {
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap();
        if line.contains("/authorize?") {
            break line.trim().to_string();
        }
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Any HTTP client: follow the redirects all the way to the listener.
    let page = rt.block_on(async { reqwest::get(&url).await.unwrap().text().await.unwrap() });
    assert!(page.contains("You are logged in"));
    let (ok, out, err) = finish(child, rx);
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("demo server"), "{out}");
    assert!(!home.path().join("state/floktu/credentials.json").exists());
}

/// Every file below `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] })
        .collect()
}
