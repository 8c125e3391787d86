//! The OAuth handoff, the same for the TUI and `floktu login`: a fresh state and
//! PKCE verifier, the redirect listener (a login does not go on without one), the
//! authorize URL, the ways in over SSH, and whether a browser can be opened here.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::api::oauth::{self, ClientCredentials, CodeVerifier, OAuthError};
use crate::api::{AccessToken, ApiBase, ClientOptions, Error};

use super::loopback::{CallbackError, ListenError, Listener, read_pasted};

/// How long the listener waits for the browser's redirect.
pub const CALLBACK_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a login could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The redirect listener could not run (the port is taken, or the URI is not loopback).
    #[error(transparent)]
    Listen(#[from] ListenError),
    /// The authorize URL could not be made from the API base.
    #[error(transparent)]
    Api(#[from] Error),
}

/// One login attempt in progress.
pub struct Handoff {
    /// The `state` sent with the authorize URL; a redirect must bring it back.
    pub state: String,
    /// The URL the user opens to approve access.
    pub authorize_url: url::Url,
    /// The redirect URI sent (with the real port when it was 0).
    pub redirect_uri: String,
    /// The redirect listener, listening; `Some` until taken to wait on it.
    pub listener: Option<Listener>,
    /// Always `None`: a login whose listener cannot start no longer starts
    /// ([`Handoff::start`] fails). Kept while the TUI still reads it.
    pub listen_error: Option<ListenError>,
    /// The PKCE verifier whose challenge the authorize URL carries (`None` with `oauth.pkce = false`).
    pub pkce: Option<CodeVerifier>,
}

impl Handoff {
    /// Starts a login against `base` for `client_id`, listening on `redirect_uri`,
    /// with PKCE (S256).
    pub async fn start(base: &ApiBase, client_id: &str, redirect_uri: &str) -> Result<Handoff, StartError> {
        Handoff::start_with(base, client_id, redirect_uri, true).await
    }

    /// [`Handoff::start`], with PKCE only when `pkce`. Fails when the redirect
    /// listener cannot start: going on would send the browser to a port where
    /// something else (or nothing) answers.
    pub async fn start_with(
        base: &ApiBase,
        client_id: &str,
        redirect_uri: &str,
        pkce: bool,
    ) -> Result<Handoff, StartError> {
        let state = oauth::random_state();
        let listener = Listener::bind(redirect_uri, &state).await?;
        let redirect_uri = listener.redirect_uri().to_string();
        let pkce = pkce.then(CodeVerifier::random);
        let authorize_url = oauth::authorize_url(base, client_id, &redirect_uri, &state, pkce.as_ref())?;
        if let Some(verifier) = &pkce {
            remember_verifier(&redirect_uri, verifier);
        }
        Ok(Handoff { state, authorize_url, redirect_uri, listener: Some(listener), listen_error: None, pkce })
    }

    /// The code in what the user pasted (a redirect URL, its query, or the code).
    pub fn read_pasted(&self, input: &str) -> Result<String, CallbackError> {
        read_pasted(input, &self.state)
    }

    /// Exchanges `code` for a token, with this login's redirect URI and verifier.
    pub async fn exchange(
        &self,
        base: &ApiBase,
        credentials: &ClientCredentials,
        code: &str,
    ) -> Result<AccessToken, OAuthError> {
        let opts = ClientOptions::default();
        oauth::exchange_code(base, credentials, code, &self.redirect_uri, self.pkce.as_ref(), &opts).await
    }
}

/// The verifiers of the last few handoffs, by redirect URI, for [`exchange`]:
/// the TUI carries only the redirect URI from the start of a login to its code
/// exchange. (A handoff's own [`Handoff::exchange`] does not need this.)
static VERIFIERS: Mutex<VecDeque<(String, CodeVerifier)>> = Mutex::new(VecDeque::new());

fn remember_verifier(redirect_uri: &str, verifier: &CodeVerifier) {
    let mut verifiers = VERIFIERS.lock().unwrap_or_else(PoisonError::into_inner);
    verifiers.retain(|(uri, _)| uri != redirect_uri);
    verifiers.push_back((redirect_uri.to_string(), verifier.clone()));
    while verifiers.len() > 8 {
        verifiers.pop_front();
    }
}

fn verifier_for(redirect_uri: &str) -> Option<CodeVerifier> {
    let verifiers = VERIFIERS.lock().unwrap_or_else(PoisonError::into_inner);
    verifiers.iter().rev().find(|(uri, _)| uri == redirect_uri).map(|(_, v)| v.clone())
}

/// Exchanges `code` for a token at `base`'s token endpoint, with the PKCE
/// verifier of the latest handoff that used `redirect_uri` (if it had one).
pub async fn exchange(
    base: &ApiBase,
    credentials: &ClientCredentials,
    code: &str,
    redirect_uri: &str,
) -> Result<AccessToken, OAuthError> {
    let verifier = verifier_for(redirect_uri);
    oauth::exchange_code(base, credentials, code, redirect_uri, verifier.as_ref(), &ClientOptions::default())
        .await
}

/// True when this looks like an SSH session (the browser is on another machine).
pub fn over_ssh(env: &dyn Fn(&str) -> Option<String>) -> bool {
    ["SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT"].iter().any(|k| env(k).is_some_and(|v| !v.is_empty()))
}

/// The three ways in over SSH, side by side, for a login listening on `redirect_uri`.
pub fn ssh_ways(redirect_uri: &str) -> String {
    let port = url::Url::parse(redirect_uri).ok().and_then(|u| u.port_or_known_default()).unwrap_or(8765);
    format!(
        "Over SSH the browser runs on your own machine. Three ways in:\n\
         \x20 1. Forward the port (works whether Floktu sends the code by POST or GET):\n\
         \x20      on your machine: ssh -L {port}:127.0.0.1:{port} THIS-HOST\n\
         \x20      then open the address above there; the browser's redirect reaches floktu here.\n\
         \x20 2. Paste: if the browser ends on an address with ?code=… in it, paste that address\n\
         \x20      (or just the code) here and press Enter. If it has no code, Floktu sent it by\n\
         \x20      POST, which cannot be pasted: use way 1.\n\
         \x20 3. Move a token from a machine where you are logged in (Ctrl-C here first):\n\
         \x20      floktu token | ssh THIS-HOST floktu login --with-token\n"
    )
}

/// True where a browser can show: a desktop session (not over SSH), macOS or Windows.
pub fn browser_available(env: &dyn Fn(&str) -> Option<String>) -> bool {
    let set = |k: &str| env(k).is_some_and(|v| !v.is_empty());
    if over_ssh(env) {
        return false;
    }
    cfg!(any(target_os = "macos", windows)) || set("DISPLAY") || set("WAYLAND_DISPLAY")
}

/// Opens `url` in the default browser without waiting for it.
pub fn open_browser(url: &str) -> Result<(), String> {
    use std::process::Stdio;
    let mut last = String::from("no browser opener found");
    // The platform's openers in turn (xdg-open, gio, …); each without the
    // secrets in its environment, since a browser outlives the login.
    for mut cmd in open::commands(url) {
        crate::child::scrub_secrets(&mut cmd)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match cmd.spawn() {
            Ok(mut child) => {
                // Reaped when it exits; it may outlive floktu.
                std::thread::spawn(move || child.wait());
                return Ok(());
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!("could not open a browser ({last})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_browser_over_ssh_even_with_a_display() {
        let env = |k: &str| matches!(k, "DISPLAY" | "SSH_TTY").then(|| "x".to_string());
        assert!(!browser_available(&env));
    }

    #[test]
    fn a_desktop_session_has_a_browser() {
        let env = |k: &str| (k == "WAYLAND_DISPLAY").then(|| "wayland-0".to_string());
        assert!(browser_available(&env));
    }

    #[tokio::test]
    async fn a_taken_port_stops_the_login_and_says_so() {
        let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = taken.local_addr().unwrap().port();
        let base = ApiBase::parse("https://floktu.com/api/v2").unwrap();
        let result = Handoff::start(&base, "id", &format!("http://127.0.0.1:{port}/callback")).await;
        let Err(StartError::Listen(err @ ListenError::PortInUse { .. })) = result else {
            panic!("the login went on with a taken port");
        };
        let message = err.to_string();
        assert!(message.contains(&format!("port {port}")) && message.contains("in use"), "{message}");
        assert!(message.contains("--redirect-uri"), "{message}");
    }

    #[tokio::test]
    async fn pkce_can_be_turned_off() {
        let base = ApiBase::parse("https://floktu.com/api/v2").unwrap();
        let h = Handoff::start_with(&base, "id", "http://127.0.0.1:0/callback", false).await.unwrap();
        assert!(h.pkce.is_none());
        assert!(!h.authorize_url.as_str().contains("code_challenge"));
        let h = Handoff::start(&base, "id", "http://127.0.0.1:0/callback").await.unwrap();
        assert!(h.authorize_url.as_str().contains("code_challenge_method=S256"));
        assert_eq!(verifier_for(&h.redirect_uri), h.pkce);
    }

    #[test]
    fn the_ssh_ways_name_the_listening_port() {
        let text = ssh_ways("http://127.0.0.1:9999/callback");
        assert!(text.contains("ssh -L 9999:127.0.0.1:9999"), "{text}");
        assert!(text.contains("floktu token | ssh THIS-HOST floktu login --with-token"), "{text}");
    }
}
