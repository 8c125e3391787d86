//! The OAuth redirect listener on 127.0.0.1, and reading a redirect the user pasted.
//!
//! The code comes back by GET (query string) or by POST (form body): the API docs
//! say POST, the official sample reads either. A wrong or missing `state` is
//! answered with an explanation and the listener keeps waiting; the first valid
//! callback is answered, then the listener stops.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use tokio::sync::{mpsc, watch};

/// What a redirect can carry instead of a usable code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// `state` missing or not the one this login sent: an old or forged link.
    #[error("the redirect's state does not match this login (an old or forged link); start the login again")]
    StateMismatch,
    /// The user (or the server) refused access.
    #[error("access was not granted ({0})")]
    Denied(String),
    /// No code in what was given.
    #[error("no authorization code in that; paste the whole address the browser ended on, or the code")]
    MissingCode,
}

/// Why the listener could not run or gave up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ListenError {
    /// The redirect URI is not an http:// address on this machine.
    #[error("the redirect URI {0:?} must be http://127.0.0.1:PORT/PATH (or localhost)")]
    NotLoopback(String),
    /// The port is taken, or binding failed.
    #[error("could not listen on {addr} ({why}); paste the redirect URL instead")]
    Bind {
        /// Where.
        addr: String,
        /// The OS's reason.
        why: String,
    },
    /// Nothing valid arrived in time.
    #[error("no redirect came back within {} s; paste the redirect URL or the code instead", .0.as_secs())]
    TimedOut(Duration),
    /// The redirect said no.
    #[error(transparent)]
    Callback(#[from] CallbackError),
}

/// Reads the parameters of a redirect: `code` when `state` matches.
pub fn read_callback<'a>(
    params: impl IntoIterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    expected_state: &str,
) -> Result<String, CallbackError> {
    let (mut code, mut state, mut error) = (None, None, None);
    for (k, v) in params {
        match k.as_ref() {
            "code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            _ => {}
        }
    }
    if state.as_deref() != Some(expected_state) {
        return Err(CallbackError::StateMismatch);
    }
    if let Some(e) = error {
        return Err(CallbackError::Denied(crate::text::sanitize(&e).into_owned()));
    }
    code.map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).ok_or(CallbackError::MissingCode)
}

/// Reads what the user pasted: the whole redirect URL (its `state` is checked),
/// just its query string, or the bare code.
pub fn read_pasted(input: &str, expected_state: &str) -> Result<String, CallbackError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(CallbackError::MissingCode);
    }
    if let Ok(url) = url::Url::parse(input)
        && url.has_host()
    {
        return read_callback(url.query_pairs(), expected_state);
    }
    let query = input.trim_start_matches('?');
    if query.contains("code=") || query.contains("state=") {
        return read_callback(url::form_urlencoded::parse(query.as_bytes()), expected_state);
    }
    if input.chars().any(|c| c.is_whitespace() || c.is_control()) || input.len() > 2048 {
        return Err(CallbackError::MissingCode);
    }
    Ok(input.to_string())
}

/// A running redirect listener.
pub struct Listener {
    redirect_uri: String,
    codes: mpsc::UnboundedReceiver<Result<String, CallbackError>>,
    stop: watch::Sender<bool>,
}

#[derive(Clone)]
struct Shared {
    path: String,
    state: String,
    codes: mpsc::UnboundedSender<Result<String, CallbackError>>,
    stop: watch::Sender<bool>,
}

impl Listener {
    /// Listens on the loopback port of `redirect_uri` (port 0: any free port, and
    /// the URI is rewritten to say which).
    pub async fn bind(redirect_uri: &str, expected_state: &str) -> Result<Listener, ListenError> {
        let mut uri =
            url::Url::parse(redirect_uri).map_err(|_| ListenError::NotLoopback(redirect_uri.into()))?;
        let loopback = matches!(uri.host_str(), Some("127.0.0.1" | "localhost"));
        if uri.scheme() != "http" || !loopback {
            return Err(ListenError::NotLoopback(redirect_uri.into()));
        }
        let port = uri.port().unwrap_or(80);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| ListenError::Bind { addr: addr.to_string(), why: e.to_string() })?;
        let bound = listener
            .local_addr()
            .map_err(|e| ListenError::Bind { addr: addr.to_string(), why: e.to_string() })?;
        if port == 0 {
            let _ = uri.set_port(Some(bound.port()));
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let (stop, mut stopped) = watch::channel(false);
        let shared = Shared {
            path: uri.path().to_string(),
            state: expected_state.to_string(),
            codes: tx,
            stop: stop.clone(),
        };
        let app = Router::new().fallback(handle).with_state(shared);
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
                tracing::warn!(error = %e, "redirect listener stopped");
            }
        });
        Ok(Listener { redirect_uri: uri.to_string(), codes: rx, stop })
    }

    /// The redirect URI to send in the authorize URL.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for the first valid callback, at most `timeout`; the listener stops either way.
    pub async fn wait(mut self, timeout: Duration) -> Result<String, ListenError> {
        let result = match tokio::time::timeout(timeout, self.codes.recv()).await {
            Ok(Some(Ok(code))) => Ok(code),
            Ok(Some(Err(e))) => Err(ListenError::Callback(e)),
            Ok(None) | Err(_) => Err(ListenError::TimedOut(timeout)),
        };
        let _ = self.stop.send(true);
        result
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn handle(State(shared): State<Shared>, method: Method, uri: Uri, body: Bytes) -> Response {
    if uri.path() != shared.path {
        return page(StatusCode::NOT_FOUND, "Not here", "This address is not the login redirect.");
    }
    let query = uri.query().unwrap_or("");
    let from_query = url::form_urlencoded::parse(query.as_bytes());
    let result = if method == Method::POST && !body.is_empty() {
        // A form POST; a code in the query string counts too.
        read_callback(url::form_urlencoded::parse(&body).chain(from_query), &shared.state)
    } else {
        read_callback(from_query, &shared.state)
    };
    match result {
        Ok(code) => {
            let _ = shared.codes.send(Ok(code));
            let _ = shared.stop.send(true);
            page(
                StatusCode::OK,
                "You are logged in",
                "floktu has the authorization. You can close this window and go back to the terminal.",
            )
        }
        Err(CallbackError::Denied(why)) => {
            let _ = shared.codes.send(Err(CallbackError::Denied(why)));
            let _ = shared.stop.send(true);
            page(
                StatusCode::OK,
                "Access not granted",
                "floktu was not given access. You can close this window.",
            )
        }
        Err(e) => page(StatusCode::BAD_REQUEST, "This redirect was not accepted", &e.to_string()),
    }
}

/// The page from `assets/`, with the title and message filled in (escaped).
fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let html = include_str!("../../assets/callback.html")
        .replace("{{TITLE}}", &escape_html(title))
        .replace("{{MESSAGE}}", &escape_html(message));
    (status, Html(html)).into_response()
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_redirect_url_gives_its_code_when_the_state_matches() {
        let url = "http://127.0.0.1:8765/callback?code=abc123&state=s1";
        assert_eq!(read_pasted(url, "s1"), Ok("abc123".into()));
        assert_eq!(read_pasted(url, "s2"), Err(CallbackError::StateMismatch));
    }

    #[test]
    fn a_pasted_bare_code_is_taken_as_it_is() {
        assert_eq!(read_pasted("  abc123 \n", "s1"), Ok("abc123".into()));
    }

    #[test]
    fn a_pasted_query_string_works_too() {
        assert_eq!(read_pasted("?state=s1&code=xyz", "s1"), Ok("xyz".into()));
    }

    #[test]
    fn a_redirect_without_state_is_rejected() {
        assert_eq!(read_pasted("http://127.0.0.1:1/cb?code=abc", "s1"), Err(CallbackError::StateMismatch));
    }

    #[test]
    fn a_denial_is_reported() {
        let r = read_pasted("http://127.0.0.1:1/cb?error=access_denied&state=s1", "s1");
        assert_eq!(r, Err(CallbackError::Denied("access_denied".into())));
    }

    #[test]
    fn garbage_is_not_a_code() {
        assert_eq!(read_pasted("", "s"), Err(CallbackError::MissingCode));
        assert_eq!(read_pasted("two words", "s"), Err(CallbackError::MissingCode));
        assert_eq!(read_pasted("http://127.0.0.1:1/cb?state=s", "s"), Err(CallbackError::MissingCode));
    }

    #[tokio::test]
    async fn only_loopback_http_redirects_are_listened_on() {
        for bad in ["https://127.0.0.1:0/cb", "http://example.com:0/cb", "not a url"] {
            assert!(matches!(Listener::bind(bad, "s").await, Err(ListenError::NotLoopback(_))), "{bad}");
        }
    }

    #[tokio::test]
    async fn port_zero_is_rewritten_to_the_bound_port() {
        let l = Listener::bind("http://127.0.0.1:0/callback", "s").await.unwrap();
        let uri = url::Url::parse(l.redirect_uri()).unwrap();
        assert_ne!(uri.port(), Some(0));
        assert_eq!(uri.path(), "/callback");
    }

    #[test]
    fn the_page_escapes_what_it_shows() {
        assert_eq!(escape_html("<b>&\""), "&lt;b&gt;&amp;&quot;");
    }
}
