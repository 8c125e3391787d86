//! The OAuth handoff, the same for the TUI and `floktu login`: a fresh state,
//! a redirect listener when the port can be had, the authorize URL, and whether
//! a browser can be opened here.

use std::time::Duration;

use crate::api::oauth::{self, ClientCredentials, OAuthError};
use crate::api::{AccessToken, ApiBase, ClientOptions, Error};

use super::loopback::{CallbackError, ListenError, Listener, read_pasted};

/// How long the listener waits for the browser's redirect.
pub const CALLBACK_TIMEOUT: Duration = Duration::from_secs(60);

/// One login attempt in progress.
pub struct Handoff {
    /// The `state` sent with the authorize URL; a redirect must bring it back.
    pub state: String,
    /// The URL the user opens to approve access.
    pub authorize_url: url::Url,
    /// The redirect URI sent (with the real port when it was 0).
    pub redirect_uri: String,
    /// The redirect listener; `None` when it could not start (then: paste).
    pub listener: Option<Listener>,
    /// Why there is no listener.
    pub listen_error: Option<ListenError>,
}

impl Handoff {
    /// Starts a login against `base` for `client_id`, listening on `redirect_uri`.
    pub async fn start(base: &ApiBase, client_id: &str, redirect_uri: &str) -> Result<Handoff, Error> {
        let state = oauth::random_state();
        let (listener, listen_error, redirect_uri) = match Listener::bind(redirect_uri, &state).await {
            Ok(l) => {
                let uri = l.redirect_uri().to_string();
                (Some(l), None, uri)
            }
            Err(e) => (None, Some(e), redirect_uri.to_string()),
        };
        let authorize_url = oauth::authorize_url(base, client_id, &redirect_uri, &state)?;
        Ok(Handoff { state, authorize_url, redirect_uri, listener, listen_error })
    }

    /// The code in what the user pasted (a redirect URL, its query, or the code).
    pub fn read_pasted(&self, input: &str) -> Result<String, CallbackError> {
        read_pasted(input, &self.state)
    }
}

/// Exchanges `code` for a token at `base`'s token endpoint.
pub async fn exchange(
    base: &ApiBase,
    credentials: &ClientCredentials,
    code: &str,
    redirect_uri: &str,
) -> Result<AccessToken, OAuthError> {
    oauth::exchange_code(base, credentials, code, redirect_uri, &ClientOptions::default()).await
}

/// True where a browser can show: a desktop session (not over SSH), macOS or Windows.
pub fn browser_available(env: &dyn Fn(&str) -> Option<String>) -> bool {
    let set = |k: &str| env(k).is_some_and(|v| !v.is_empty());
    if set("SSH_CONNECTION") || set("SSH_TTY") || set("SSH_CLIENT") {
        return false;
    }
    cfg!(any(target_os = "macos", windows)) || set("DISPLAY") || set("WAYLAND_DISPLAY")
}

/// Opens `url` in the default browser without waiting for it.
pub fn open_browser(url: &str) -> Result<(), String> {
    open::that_detached(url).map_err(|e| format!("could not open a browser ({e})"))
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
    async fn a_taken_port_still_gives_a_url_to_paste_from() {
        let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = taken.local_addr().unwrap().port();
        let base = ApiBase::parse("https://floktu.com/api/v2").unwrap();
        let h = Handoff::start(&base, "id", &format!("http://127.0.0.1:{port}/callback")).await.unwrap();
        assert!(h.listener.is_none());
        assert!(matches!(h.listen_error, Some(ListenError::Bind { .. })));
        assert!(h.authorize_url.as_str().contains(&format!("127.0.0.1%3A{port}")));
    }
}
