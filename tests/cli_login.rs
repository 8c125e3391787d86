//! `floktu login`, `status`, `logout` as a user on a headless machine runs them:
//! the URL printed, the browser's redirect pasted back (or caught by the
//! listener), the token stored in a 0600 file, and never printed or logged.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use floktu_tui::demo::{DemoOptions, DemoServer};
use tempfile::TempDir;

mod support;

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
    start_login_with(home, base, |_| {})
}

/// [`start_login`], with the command adjusted first (environment, limits).
fn start_login_with(
    home: &TempDir,
    base: &str,
    adjust: impl FnOnce(&mut Command),
) -> (Child, String, mpsc::Receiver<String>) {
    let opts = DemoOptions::default();
    let mut cmd = floktu(home);
    adjust(&mut cmd);
    let mut child = cmd
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

/// Waits for `child` to exit, at most `bound`; kills it and panics past that.
fn exit_within(child: Child, bound: Duration) -> std::process::Output {
    let (tx, rx) = mpsc::channel();
    let pid = child.id();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(bound) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("floktu was still running after {} s", bound.as_secs());
        }
    }
}

/// A server on 127.0.0.1 running `app` on `rt`; returns `127.0.0.1:PORT`.
fn serve(rt: &tokio::runtime::Runtime, app: axum::Router) -> String {
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    })
}

#[test]
fn a_token_endpoint_redirecting_elsewhere_gets_nothing_and_no_token_is_stored() {
    use std::sync::{Arc, Mutex};
    let rt = tokio::runtime::Runtime::new().unwrap();
    // The second server records whatever reaches it.
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&received);
    let thief = serve(
        &rt,
        axum::Router::new().fallback(move |uri: axum::http::Uri, body: String| {
            let log = Arc::clone(&log);
            async move {
                log.lock().unwrap().push(format!("{uri} {body}"));
                r#"{"access_token":"stolen-and-issued"}"#
            }
        }),
    );
    let location = format!("http://{thief}/api/v2/token");
    let token_host = serve(
        &rt,
        axum::Router::new().route(
            "/api/v2/token",
            axum::routing::post(move || {
                let location = location.clone();
                async move {
                    (axum::http::StatusCode::TEMPORARY_REDIRECT, [(axum::http::header::LOCATION, location)])
                }
            }),
        ),
    );
    let home = TempDir::new().unwrap();
    let (mut child, _url, _rx) = start_login(&home, &format!("http://{token_host}/api/v2"));
    writeln!(child.stdin.as_mut().unwrap(), "a-pasted-code").unwrap();
    let output = exit_within(child, Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("307") && stderr.contains(&thief), "the error names where it pointed: {stderr}");
    assert_eq!(*received.lock().unwrap(), Vec::<String>::new(), "the second server received the POST");
    assert!(!home.path().join("state/floktu/credentials.json").exists(), "a token was stored");
}

#[test]
fn a_taken_redirect_port_stops_the_login_with_a_clear_message() {
    let (_rt, server) = server();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let home = TempDir::new().unwrap();
    let child = floktu(&home)
        .args(["--api-base", &server.base_url(), "login", "--no-browser", "--client-id", "demo-client"])
        .args(["--redirect-uri", &format!("http://127.0.0.1:{port}/callback")])
        .env("FLOKTU_CLIENT_SECRET", DemoOptions::default().client_secret)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = exit_within(child, Duration::from_secs(30));
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(!output.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains(&format!("port {port}")) && stderr.contains("in use"), "{stderr}");
    assert!(
        !stdout.contains("/authorize?"),
        "no address to open when nothing can catch the redirect: {stdout}"
    );
}

#[test]
fn the_login_sends_pkce_unless_the_config_turns_it_off() {
    let (_rt, server) = server();
    let base = server.base_url();
    let home = TempDir::new().unwrap();
    let (mut child, url, rx) = start_login(&home, &base);
    assert!(url.contains("code_challenge=") && url.contains("code_challenge_method=S256"), "{url}");
    // The demo server checks the verifier at the token endpoint.
    writeln!(child.stdin.as_mut().unwrap(), "{}", approve(&url)).unwrap();
    let (ok, stdout, stderr) = finish(child, rx);
    assert!(ok, "{stdout}\n{stderr}");

    let config = home.path().join("config/floktu/config.toml");
    let text = std::fs::read_to_string(&config).unwrap_or_default();
    std::fs::write(&config, format!("{text}\n[oauth]\npkce = false\n")).unwrap();
    let (mut child, url, rx) = start_login(&home, &base);
    assert!(!url.contains("code_challenge"), "{url}");
    writeln!(child.stdin.as_mut().unwrap(), "{}", approve(&url)).unwrap();
    let (ok, stdout, stderr) = finish(child, rx);
    assert!(ok, "{stdout}\n{stderr}");
}

#[test]
fn over_ssh_the_login_prints_the_three_ways_in() {
    let (_rt, server) = server();
    let home = TempDir::new().unwrap();
    let (child, _url, rx) = start_login_with(&home, &server.base_url(), |c| {
        c.env("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22");
    });
    let mut seen = Vec::new();
    while !seen.iter().any(|l: &String| l.contains("login --with-token")) {
        seen.push(rx.recv_timeout(Duration::from_secs(20)).expect("the ways in over SSH"));
    }
    let text = seen.join("\n");
    let port = text.split("127.0.0.1:").nth(1).and_then(|s| s.split('/').next()).unwrap().to_string();
    assert!(text.contains(&format!("ssh -L {port}:127.0.0.1:{port}")), "{text}");
    assert!(text.contains("paste that address"), "{text}");
    assert!(text.contains("by POST"), "{text}");
    assert!(text.contains("floktu token | ssh THIS-HOST floktu login --with-token"), "{text}");
    let mut child = child;
    let _ = child.kill();
    let _ = child.wait();
}

/// `floktu ARGS` with `input` on stdin.
fn run_with_stdin(home: &TempDir, args: &[&str], input: &str) -> std::process::Output {
    let mut child = floktu(home)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    exit_within(child, Duration::from_secs(30))
}

#[test]
fn a_token_piped_to_login_with_token_is_stored_and_token_pipes_it_back_out() {
    let (_rt, server) = server();
    let base = server.base_url();
    let token = DemoOptions::default().token;
    let home = TempDir::new().unwrap();
    let login = run_with_stdin(
        &home,
        &["--api-base", &base, "login", "--with-token", "--insecure-storage"],
        &format!("{token}\n"),
    );
    let (stdout, stderr) = (String::from_utf8_lossy(&login.stdout), String::from_utf8_lossy(&login.stderr));
    assert!(login.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("Token stored in"), "{stdout}");
    assert_eq!(stored_token(&home), token);
    assert!(!stdout.contains(&token) && !stderr.contains(&token), "the token was printed");

    // Into a pipe, `token` prints it: what `floktu token | ssh box floktu login --with-token` sends.
    let out = floktu(&home).args(["--api-base", &base, "token"]).stdin(Stdio::null()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{token}\n"));
}

#[test]
fn a_bad_token_piped_to_login_with_token_is_refused_and_nothing_stored() {
    let (_rt, server) = server();
    let home = TempDir::new().unwrap();
    let args = ["--api-base", &server.base_url(), "login", "--with-token", "--insecure-storage"];
    let login = run_with_stdin(&home, &args, "not-a-token-floktu-issued\n");
    let stderr = String::from_utf8_lossy(&login.stderr);
    assert_eq!(login.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("does not accept this token") && stderr.contains("nothing stored"), "{stderr}");
    assert!(!home.path().join("state/floktu/credentials.json").exists());
}

#[test]
fn token_onto_a_terminal_refuses() {
    let token = "a-token-that-must-not-show-on-screen";
    let mut session = support::pty::Session::start_with(&["token"], &[("FLOKTU_TOKEN", token)], 100, 24);
    let screen = session.wait_for("refusing to print the token onto a terminal");
    assert!(!session.exit_ok(), "floktu token succeeded on a terminal");
    assert!(!screen.contains(token));
    assert!(!String::from_utf8_lossy(&session.raw()).contains(token), "the token reached the terminal");
}

/// Raises this process's open-file limit to its hard limit; returns the limit now in force.
fn raise_open_file_limit() -> u64 {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed in.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
    }
    #[allow(clippy::unnecessary_cast)] // rlim_t is u64 on Linux, not everywhere
    let current = limit.rlim_cur as u64;
    current
}

#[test]
fn a_real_callback_gets_through_while_1100_idle_connections_are_held() {
    use std::os::unix::process::CommandExt;
    const IDLE: u64 = 1_100;
    let available = raise_open_file_limit();
    let held = IDLE.min(available.saturating_sub(200));
    if held < IDLE {
        eprintln!("the open-file hard limit is {available}: holding {held} idle connections, not {IDLE}");
    }
    let (_rt, server) = server();
    let home = TempDir::new().unwrap();
    // floktu under the usual default limit of 1024 open files, as in the finding.
    let (child, url, rx) = start_login_with(&home, &server.base_url(), |c| unsafe {
        c.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: 1024, rlim_max: 1024 };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    });
    let authorize = url::Url::parse(&url).unwrap();
    let redirect = authorize.query_pairs().find(|(k, _)| k == "redirect_uri").unwrap().1.into_owned();
    let addr = url::Url::parse(&redirect).unwrap().socket_addrs(|| None).unwrap()[0];
    let idle: Vec<std::net::TcpStream> =
        (0..held).map(|_| std::net::TcpStream::connect(addr).unwrap()).collect();
    // The browser's redirect, while every one of them is still open.
    let landed = approve(&url);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let page = rt.block_on(async {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().unwrap();
        http.get(&landed).send().await.map_err(|e| e.to_string())?.text().await.map_err(|e| e.to_string())
    });
    let page =
        page.unwrap_or_else(|e| panic!("the callback did not get through {held} idle connections: {e}"));
    assert!(page.contains("You are logged in"), "{page}");
    let (ok, stdout, stderr) = finish(child, rx);
    assert!(ok, "{stdout}\n{stderr}");
    assert_eq!(idle.len() as u64, held);
}

#[test]
fn there_is_no_flag_for_the_client_secret() {
    let home = TempDir::new().unwrap();
    let out = floktu(&home)
        .args(["login", "--client-id", "x", "--client-secret", "shown-in-ps"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--client-secret must be a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--client-secret"));
}
