//! The OAuth handoff with a real browser: headless Chromium, driven over
//! WebDriver (chromedriver), opens the demo server's authorize page and clicks
//! Approve — a form POST to floktu's redirect listener — and `floktu login`
//! stores the token.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them).
//! Without them the test says so and passes, except under `CI=true`, where a
//! missing browser is a failure: CI must not pass by skipping it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use floktu_tui::demo::{DemoOptions, DemoServer};
use tempfile::TempDir;

const WAIT: Duration = Duration::from_secs(60);

/// `name` on PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// Chromium and chromedriver, or `None` (and why) when this machine lacks them.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let chromium = ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|n| on_path(n));
    let driver = on_path("chromedriver");
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        (c, d) => {
            let missing: Vec<&str> = [(c.is_none(), "chromium"), (d.is_none(), "chromedriver")]
                .iter()
                .filter(|m| m.0)
                .map(|m| m.1)
                .collect();
            let why =
                format!("{} not found (apt-get install chromium chromium-driver)", missing.join(" and "));
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true and the real-browser login test cannot run: {why}");
            }
            eprintln!("skipping the real-browser login test: {why}");
            None
        }
    }
}

/// Lines a child writes to stdout, as they come.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// A child process that is killed when the test ends, however it ends.
struct Running(Child);

impl Running {
    /// Waits for a successful exit, at most `bound` (then it is killed on drop).
    fn exits_within(self, bound: Duration) -> bool {
        let pid = self.0.id();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut running = self;
            let _ = tx.send(running.0.wait().is_ok_and(|s| s.success()));
        });
        let exited = rx.recv_timeout(bound);
        if exited.is_err() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        exited.unwrap_or(false)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// chromedriver on a free loopback port; returns it with its URL once it is ready.
fn start_chromedriver(driver: &PathBuf) -> (Running, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    let running = Running(child);
    loop {
        let line = lines.recv_timeout(WAIT).expect("chromedriver says it started");
        if line.contains("started successfully") {
            break;
        }
    }
    (running, format!("http://127.0.0.1:{port}"))
}

/// The floktu binary with a private HOME and XDG dirs, no keyring, none of the user's variables.
fn floktu(home: &TempDir) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_floktu"));
    for var in ["FLOKTU_TOKEN", "FLOKTU_API_BASE", "FLOKTU_CLIENT_ID", "FLOKTU_CLIENT_SECRET", "DISPLAY"] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("FLOKTU_KEYRING", "none");
    cmd
}

#[test]
fn approving_in_headless_chromium_logs_in_and_stores_the_token() {
    let Some((chromium, driver)) = browser() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts = DemoOptions { events: 2, orders: 5, ..DemoOptions::default() };
    let server = rt.block_on(DemoServer::start(opts.clone())).unwrap();
    let base = server.base_url();
    let home = TempDir::new().unwrap();

    let mut login = floktu(&home)
        .args(["--api-base", &base, "login", "--no-browser", "--insecure-storage"])
        .args(["--client-id", &opts.client_id, "--redirect-uri", "http://127.0.0.1:0/callback"])
        .env("FLOKTU_CLIENT_SECRET", &opts.client_secret)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut login);
    let login = Running(login);
    let url = loop {
        let line = lines.recv_timeout(WAIT).expect("floktu login prints the authorize URL");
        if line.contains("/authorize?") {
            break line.trim().to_string();
        }
    };

    let (_driver, driver_url) = start_chromedriver(&driver);
    let profile = TempDir::new().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--disable-dev-shm-usage",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let page = rt.block_on(async {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let browser = ClientBuilder::new(connector).capabilities(caps).connect(&driver_url).await.unwrap();
        browser.goto(&url).await.unwrap();
        let approve = browser.wait().at_most(WAIT).for_element(Locator::XPath("//button[.='Approve']")).await;
        approve.unwrap().click().await.unwrap();
        // The Approve form POSTs to floktu's listener, whose page says so.
        let said =
            browser.wait().at_most(WAIT).for_element(Locator::XPath("//h1[.='You are logged in']")).await;
        let page = browser.source().await.unwrap_or_default();
        let landed = browser.current_url().await.map(|u| u.to_string()).unwrap_or_default();
        let _ = browser.close().await;
        assert!(said.is_ok(), "the browser did not land on the listener's page ({landed}):\n{page}");
        (landed, page)
    });
    assert!(!page.0.contains("code="), "the code came by POST, not in the address: {}", page.0);

    // floktu exchanges the code (with its PKCE verifier) and stores the token.
    assert!(login.exits_within(WAIT), "floktu login failed");
    let stdout: Vec<String> = lines.iter().collect();
    assert!(stdout.iter().any(|l| l.contains("Token stored in")), "{stdout:?}");
    let credentials = std::fs::read_to_string(home.path().join("state/floktu/credentials.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&credentials).unwrap();
    assert!(json["tokens"].as_object().is_some_and(|t| t.len() == 1), "{credentials}");
    let events = floktu(&home).args(["--api-base", &base, "events", "--json"]).output().unwrap();
    assert!(events.status.success(), "the stored token works: {}", String::from_utf8_lossy(&events.stderr));
}
