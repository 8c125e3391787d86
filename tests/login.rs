//! The OAuth handoff against the demo server, with a scripted browser: an HTTP
//! client that follows the authorize URL back to the loopback listener.

use std::time::Duration;

use floktu_tui::api::oauth::{ClientCredentials, OAuthError};
use floktu_tui::api::{ApiBase, FloktuClient};
use floktu_tui::auth::login::{self, Handoff};
use floktu_tui::auth::loopback::{CallbackError, ListenError};
use floktu_tui::demo::{DemoOptions, DemoServer};

const ANY_PORT: &str = "http://127.0.0.1:0/callback";

async fn demo() -> (DemoServer, ApiBase, ClientCredentials) {
    let opts = DemoOptions { events: 2, orders: 5, ..DemoOptions::default() };
    let credentials =
        ClientCredentials { client_id: opts.client_id.clone(), client_secret: opts.client_secret.clone() };
    let server = DemoServer::start(opts).await.unwrap();
    let base = ApiBase::parse(&server.base_url()).unwrap();
    (server, base, credentials)
}

/// A browser that never follows redirects by itself.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The approve step as a script does it: GET the authorize URL, get a 302.
async fn approve_by_get(url: &url::Url) -> String {
    let response = browser().get(url.clone()).send().await.unwrap();
    assert_eq!(response.status(), 302);
    response.headers()["location"].to_str().unwrap().to_string()
}

/// The approve step as a person does it: the page's Approve form, by POST.
async fn approve_by_post(url: &url::Url) -> (String, Vec<(String, String)>) {
    let page =
        browser().get(url.clone()).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
    let form_start = page.find("<form method=\"post\"").expect("an Approve form");
    let form = &page[form_start..];
    let attr = |html: &str, name: &str| -> String {
        let key = format!("{name}=\"");
        let at = html.find(&key).unwrap() + key.len();
        html[at..at + html[at..].find('"').unwrap()].replace("&amp;", "&")
    };
    let action = attr(form, "action");
    let mut fields = Vec::new();
    for name in ["code", "state"] {
        let input = &form[form.find(&format!("name=\"{name}\"")).unwrap()..];
        fields.push((name.to_string(), attr(input, "value")));
    }
    (action, fields)
}

#[tokio::test]
async fn full_flow_with_a_get_callback() {
    let (_server, base, credentials) = demo().await;
    let mut handoff = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    let redirect = approve_by_get(&handoff.authorize_url).await;
    let landed = browser().get(&redirect).send().await.unwrap();
    assert_eq!(landed.status(), 200);
    assert!(landed.text().await.unwrap().contains("You are logged in"));
    let code = handoff.listener.take().unwrap().wait(Duration::from_secs(10)).await.unwrap();
    let token = handoff.exchange(&base, &credentials, &code).await.unwrap();
    let events = FloktuClient::new(base, token).unwrap().events().await.unwrap();
    assert_eq!(events.items.len(), 2);
}

#[tokio::test]
async fn full_flow_with_a_post_callback() {
    let (_server, base, credentials) = demo().await;
    let mut handoff = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    let (action, fields) = approve_by_post(&handoff.authorize_url).await;
    assert_eq!(action, handoff.redirect_uri);
    let landed = browser().post(&action).form(&fields).send().await.unwrap();
    assert_eq!(landed.status(), 200);
    let code = handoff.listener.take().unwrap().wait(Duration::from_secs(10)).await.unwrap();
    let token = handoff.exchange(&base, &credentials, &code).await.unwrap();
    assert!(FloktuClient::new(base, token).unwrap().events().await.is_ok());
}

#[tokio::test]
async fn a_wrong_state_is_rejected_and_the_listener_keeps_waiting() {
    let (_server, base, credentials) = demo().await;
    let handoff = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    let forged = format!("{}?code=stolen&state=not-the-state", handoff.redirect_uri);
    let answer = browser().get(&forged).send().await.unwrap();
    assert_eq!(answer.status(), 400);
    let missing = browser().get(format!("{}?code=stolen", handoff.redirect_uri)).send().await.unwrap();
    assert_eq!(missing.status(), 400);
    // The real redirect still gets through afterwards.
    let redirect = approve_by_get(&handoff.authorize_url).await;
    browser().get(&redirect).send().await.unwrap();
    let code = handoff.listener.unwrap().wait(Duration::from_secs(10)).await.unwrap();
    assert_ne!(code, "stolen");
}

#[tokio::test]
async fn the_listener_stops_after_one_valid_callback() {
    let (_server, base, credentials) = demo().await;
    let handoff = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    let redirect = approve_by_get(&handoff.authorize_url).await;
    browser().get(&redirect).send().await.unwrap();
    handoff.listener.unwrap().wait(Duration::from_secs(10)).await.unwrap();
    let again = browser().get(&redirect).timeout(Duration::from_secs(5)).send().await;
    assert!(again.is_err(), "nothing listens any more: {again:?}");
}

#[tokio::test]
async fn the_listener_binds_loopback_only() {
    let (_server, base, credentials) = demo().await;
    let handoff = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    let uri = url::Url::parse(&handoff.redirect_uri).unwrap();
    assert_eq!(uri.host_str(), Some("127.0.0.1"));
    assert!(matches!(
        floktu_tui::auth::loopback::Listener::bind("http://0.0.0.0:0/callback", "s").await,
        Err(ListenError::NotLoopback(_))
    ));
}

#[tokio::test]
async fn a_denied_approval_is_reported() {
    let (_server, base, credentials) = demo().await;
    let handoff = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    let denied = format!("{}?error=access_denied&state={}", handoff.redirect_uri, handoff.state);
    browser().get(&denied).send().await.unwrap();
    let result = handoff.listener.unwrap().wait(Duration::from_secs(10)).await;
    assert!(matches!(result, Err(ListenError::Callback(CallbackError::Denied(_)))), "{result:?}");
}

#[tokio::test]
async fn no_callback_times_out_with_a_way_forward() {
    let (_server, base, credentials) = demo().await;
    let handoff = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    let err = handoff.listener.unwrap().wait(Duration::from_millis(100)).await.unwrap_err();
    assert!(matches!(err, ListenError::TimedOut(_)));
    assert!(err.to_string().contains("paste"), "{err}");
}

#[tokio::test]
async fn a_used_code_is_an_invalid_grant() {
    let (_server, base, credentials) = demo().await;
    let handoff = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    let redirect = approve_by_get(&handoff.authorize_url).await;
    let code = handoff.read_pasted(&redirect).unwrap();
    handoff.exchange(&base, &credentials, &code).await.unwrap();
    let again = handoff.exchange(&base, &credentials, &code).await;
    assert!(matches!(again, Err(OAuthError::InvalidGrant(_))), "{again:?}");
}

#[tokio::test]
async fn a_pasted_redirect_url_logs_in() {
    let (_server, base, credentials) = demo().await;
    let handoff = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    // Over SSH the browser lands on the laptop: the user copies the address bar.
    let redirect = approve_by_get(&handoff.authorize_url).await;
    let code = handoff.read_pasted(&redirect).unwrap();
    let token = handoff.exchange(&base, &credentials, &code).await.unwrap();
    assert!(FloktuClient::new(base, token).unwrap().events().await.is_ok());
}

#[tokio::test]
async fn a_pasted_bare_code_logs_in() {
    let (_server, base, credentials) = demo().await;
    let handoff = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    let redirect = approve_by_get(&handoff.authorize_url).await;
    let code =
        url::Url::parse(&redirect).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let pasted = handoff.read_pasted(&format!("  {code}\n")).unwrap();
    let token = handoff.exchange(&base, &credentials, &pasted).await.unwrap();
    assert!(FloktuClient::new(base, token).unwrap().events().await.is_ok());
}

#[tokio::test]
async fn a_pasted_redirect_from_another_login_is_refused() {
    let (_server, base, credentials) = demo().await;
    let old = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    let new = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    let redirect = approve_by_get(&old.authorize_url).await;
    assert_eq!(new.read_pasted(&redirect), Err(CallbackError::StateMismatch));
}

#[tokio::test]
async fn the_exchange_by_redirect_uri_sends_the_handoffs_pkce_verifier() {
    // The TUI keeps only the redirect URI between the start of a login and its exchange.
    let (_server, base, credentials) = demo().await;
    let handoff = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    assert!(handoff.authorize_url.as_str().contains("code_challenge_method=S256"));
    let code = handoff.read_pasted(&approve_by_get(&handoff.authorize_url).await).unwrap();
    let token = login::exchange(&base, &credentials, &code, &handoff.redirect_uri).await.unwrap();
    assert!(FloktuClient::new(base, token).unwrap().events().await.is_ok());
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_header_read_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (_server, base, credentials) = demo().await;
    let handoff = Handoff::start(&base, &credentials.client_id, ANY_PORT).await.unwrap();
    let addr = url::Url::parse(&handoff.redirect_uri).unwrap().socket_addrs(|| None).unwrap()[0];
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    // Half a request line, then nothing: the listener must not wait for the rest forever.
    idle.write_all(b"GET /callback?code=").await.unwrap();
    let started = std::time::Instant::now();
    let bound = floktu_tui::auth::loopback::HEADER_READ_TIMEOUT + Duration::from_secs(10);
    let mut buf = Vec::new();
    let read = tokio::time::timeout(bound, idle.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection was still open after {} s", bound.as_secs());
    assert!(started.elapsed() >= floktu_tui::auth::loopback::HEADER_READ_TIMEOUT - Duration::from_secs(1));
}
