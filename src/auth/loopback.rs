//! The OAuth redirect listener on 127.0.0.1, and reading a redirect the user pasted.
//!
//! The code comes back by GET (query string) or by POST (form body): the API docs
//! say POST, the official sample reads either. A wrong or missing `state` is
//! answered with an explanation and the listener keeps waiting; the first valid
//! callback is answered, then the listener stops.

use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{mpsc, watch};
use tokio::task::AbortHandle;

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
    /// A pasted address with no code in it: the server sent the code by POST.
    #[error(
        "that address has no code in it: Floktu sent the code by POST, which cannot be pasted. \
         Forward the port instead: on your machine run ssh -L PORT:127.0.0.1:PORT THIS-HOST (PORT as \
         in the redirect address), then open the login address again there (or start the login \
         again if it has timed out)"
    )]
    CodeSentByPost,
}

/// Why the listener could not run or gave up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ListenError {
    /// The redirect URI is not an http:// address on this machine.
    #[error("the redirect URI {0:?} must be http://127.0.0.1:PORT/PATH (or localhost)")]
    NotLoopback(String),
    /// Something else listens on the redirect port: the browser's redirect
    /// would go there, so the login stops.
    #[error(
        "port {port} on 127.0.0.1 is in use (another floktu login, or another program), so the \
         browser's redirect cannot reach floktu. Close what uses it, or choose a free port with \
         --redirect-uri http://127.0.0.1:PORT/callback (Floktu must accept that redirect URI for \
         your client id)"
    )]
    PortInUse {
        /// The port.
        port: u16,
    },
    /// Binding failed for another reason.
    #[error("could not listen on {addr} for the browser's redirect ({why})")]
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
        if !url.query_pairs().any(|(k, _)| k == "code" || k == "error") {
            return Err(CallbackError::CodeSentByPost);
        }
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

/// How long a connection may take to send its request's headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may stay open at all (headers, body and the answer).
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections that have not sent a request yet, at most. Past it the oldest is
/// closed: a pile of idle connections must not keep the real callback out.
pub const MAX_IDLE_CONNECTIONS: usize = 64;

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

/// Connections that have sent nothing complete yet, oldest first.
type Idle = Arc<Mutex<VecDeque<(u64, AbortHandle)>>>;

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
        let bind_error = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::AddrInUse => ListenError::PortInUse { port },
            _ => ListenError::Bind { addr: addr.to_string(), why: e.to_string() },
        };
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(bind_error)?;
        let bound = listener.local_addr().map_err(bind_error)?;
        if port == 0 {
            let _ = uri.set_port(Some(bound.port()));
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let (stop, stopped) = watch::channel(false);
        let shared = Shared {
            path: uri.path().to_string(),
            state: expected_state.to_string(),
            codes: tx,
            stop: stop.clone(),
        };
        let app = Router::new().fallback(handle).with_state(shared);
        tokio::spawn(serve(listener, app, stopped));
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

/// Accepts connections until told to stop, one HTTP/1.1 request each. Idle
/// connections are capped ([`MAX_IDLE_CONNECTIONS`]) and must send their headers
/// within [`HEADER_READ_TIMEOUT`]. On stop the socket closes at once; a
/// connection being answered (the browser's "You are logged in") is finished.
async fn serve(listener: tokio::net::TcpListener, app: Router, mut stopped: watch::Receiver<bool>) {
    let idle: Idle = Arc::default();
    let mut next_id = 0u64;
    loop {
        let stream = tokio::select! {
            _ = async { stopped.wait_for(|s| *s).await.map(|_| ()) } => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, most likely: let idle ones time out
                    // instead of spinning on accept.
                    tracing::debug!(error = %e, "redirect listener: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        next_id += 1;
        // Held while spawning, so the connection cannot leave the idle list before it is on it.
        let mut waiting = lock(&idle);
        let task = tokio::spawn(serve_connection(stream, app.clone(), next_id, Arc::clone(&idle)));
        waiting.push_back((next_id, task.abort_handle()));
        while waiting.len() > MAX_IDLE_CONNECTIONS {
            if let Some((_, oldest)) = waiting.pop_front() {
                oldest.abort();
            }
        }
        drop(waiting);
    }
    for (_, task) in lock(&idle).drain(..) {
        task.abort();
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, app: Router, id: u64, idle: Idle) {
    let app = TowerToHyperService::new(app);
    let requests = Arc::clone(&idle);
    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
        // Headers are in: this connection is no longer idle.
        lock(&requests).retain(|(i, _)| *i != id);
        hyper::service::Service::call(&app, request)
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT).keep_alive(false);
    let connection = http.serve_connection(TokioIo::new(stream), service);
    if let Ok(Err(e)) = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await {
        tracing::debug!(error = %e, "redirect listener: connection ended");
    }
    lock(&idle).retain(|(i, _)| *i != id);
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
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
    }

    #[test]
    fn a_pasted_address_without_a_code_points_to_the_port_forward() {
        for address in ["http://127.0.0.1:8765/callback", "http://127.0.0.1:8765/callback?state=s"] {
            let err = read_pasted(address, "s").unwrap_err();
            assert_eq!(err, CallbackError::CodeSentByPost, "{address}");
            assert!(err.to_string().contains("by POST") && err.to_string().contains("ssh -L"), "{err}");
        }
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
