//! `FloktuClient`: the three read calls, with timeouts, retries and typed errors.

use std::sync::Arc;
use std::time::Duration;

use rand::RngExt;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde_json::Value;
use serde_json::value::RawValue;

use super::model::{self, Decoded, Event, Order, OrderSummary};
use super::{AccessToken, ApiBase, Error};

/// How hard to try before giving up.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = no retry).
    pub max_retries: u32,
    /// The first back-off; each retry doubles it, with ±50% jitter.
    pub base_delay: Duration,
    /// The longest back-off between two attempts.
    pub max_delay: Duration,
    /// The longest `Retry-After` waited; a server asking for more gets this, unless
    /// it asks for more than the request's deadline leaves, which is an error.
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(300),
            max_delay: Duration::from_secs(8),
            retry_after_cap: Duration::from_secs(30),
        }
    }
}

/// Timeouts, retries and limits of a [`FloktuClient`].
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for one attempt at a request, body included.
    pub request_timeout: Duration,
    /// Time allowed for a request in all, every retry and wait included.
    pub deadline: Duration,
    /// What to retry and how long to wait.
    pub retry: RetryPolicy,
    /// Answers larger than this are refused rather than read into memory.
    pub max_body_bytes: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            deadline: DEFAULT_DEADLINE,
            retry: RetryPolicy::default(),
            max_body_bytes: 32 * 1024 * 1024,
        }
    }
}

/// How long a request may take in all, retries included, unless the options say otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(45);

/// A client of one Floktu API base with one access token. Cheap to clone.
#[derive(Clone, Debug)]
pub struct FloktuClient {
    http: reqwest::Client,
    base: ApiBase,
    token: AccessToken,
    opts: Arc<ClientOptions>,
}

impl FloktuClient {
    /// A client with default options.
    pub fn new(base: ApiBase, token: AccessToken) -> Result<Self, Error> {
        Self::with_options(base, token, ClientOptions::default())
    }

    /// A client with the given timeouts, retries and limits.
    pub fn with_options(base: ApiBase, token: AccessToken, opts: ClientOptions) -> Result<Self, Error> {
        let http = http_client(&opts)?;
        Ok(FloktuClient { http, base, token, opts: Arc::new(opts) })
    }

    /// A clone of this client (same connections) that tries each request once:
    /// for a caller that retries and paces requests itself (the guest list loader).
    pub fn without_retries(&self) -> FloktuClient {
        let mut client = self.clone();
        let mut opts = (*self.opts).clone();
        opts.retry.max_retries = 0;
        client.opts = Arc::new(opts);
        client
    }

    /// The API base this client talks to.
    pub fn base(&self) -> &ApiBase {
        &self.base
    }

    /// The access token this client sends (for cache keys; never print it).
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// All events of the account.
    pub async fn events(&self) -> Result<Decoded<Event>, Error> {
        let body = self.get_json("events").await?;
        Ok(model::decode_events_raw(parse_raw(&body)?))
    }

    /// The orders of one event.
    pub async fn orders(&self, event_id: u64) -> Result<Decoded<OrderSummary>, Error> {
        let body = self.get_json(&format!("events/{event_id}/orders")).await?;
        Ok(model::decode_orders_raw(parse_raw(&body)?))
    }

    /// One order's details, with its attendees.
    pub async fn order(&self, event_id: u64, order_id: u64) -> Result<Order, Error> {
        let body = self.get_json(&format!("events/{event_id}/orders/{order_id}")).await?;
        model::decode_order_raw(parse_raw(&body)?)
            .map_err(|message| Error::Decode { message, excerpt: excerpt(body.as_bytes()) })
    }

    /// GETs `path` under the base, retrying transient failures within the
    /// deadline, and returns the body: checked to be JSON, not yet decoded.
    async fn get_json(&self, path: &str) -> Result<String, Error> {
        let url = self.base.join(path)?;
        let policy = &self.opts.retry;
        let started = tokio::time::Instant::now();
        let deadline = started + self.opts.deadline;
        let mut attempt = 0;
        loop {
            let tried = tokio::time::Instant::now();
            let result = match tokio::time::timeout_at(deadline, self.get_once(url.clone())).await {
                Ok(result) => result,
                Err(_) => Err(Error::Timeout(started.elapsed())),
            };
            match &result {
                Ok(_) => tracing::debug!(%url, ms = tried.elapsed().as_millis() as u64, "ok"),
                Err(e) => tracing::info!(%url, attempt, error = %e, "request failed"),
            }
            let e = match result {
                Err(e) if e.is_transient() && attempt < policy.max_retries => e,
                // The time given up after is the whole request's, not one attempt's.
                Err(Error::Timeout(_)) => return Err(Error::Timeout(started.elapsed())),
                other => return other,
            };
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let wait = match e.retry_after() {
                Some(asked) if asked > left => return Err(Error::WaitTooLong { asked, left }),
                Some(asked) => asked.min(policy.retry_after_cap),
                None => backoff(policy, attempt),
            };
            if wait >= left {
                // No time for another attempt: give up with what went wrong.
                return Err(match e {
                    Error::Timeout(_) => Error::Timeout(started.elapsed()),
                    other => other,
                });
            }
            tracing::info!(%url, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn get_once(&self, url: url::Url) -> Result<String, Error> {
        let response = self
            .http
            .get(url)
            .bearer_auth(self.token.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| send_error(&e, &self.opts))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_limited(response, self.opts.max_body_bytes, &self.opts).await?;
        if !status.is_success() {
            return Err(status_error(status, &headers, &body));
        }
        let text = match String::from_utf8(body) {
            Ok(text) => text,
            // Invalid UTF-8 is replaced rather than fatal.
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        parse_raw(&text)?;
        Ok(text)
    }
}

/// Builds the HTTP client: timeouts, and no redirect that would carry the token off TLS.
pub(crate) fn http_client(opts: &ClientOptions) -> Result<reqwest::Client, Error> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= 5 {
            attempt.error("too many redirects")
        } else if ApiBase::is_allowed(attempt.url()) {
            attempt.follow()
        } else {
            attempt.error("refusing a redirect to plain http")
        }
    });
    reqwest::Client::builder()
        .connect_timeout(opts.connect_timeout)
        .timeout(opts.request_timeout)
        .redirect(policy)
        .user_agent(concat!("floktu/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Network(format!("could not set up HTTP: {e}")))
}

/// Exponential back-off with ±50% jitter, capped.
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let exp = policy.base_delay.saturating_mul(1u32 << attempt.min(16));
    let capped = exp.min(policy.max_delay);
    let jitter = rand::rng().random_range(0.5..1.5);
    capped.mul_f64(jitter).min(policy.max_delay)
}

pub(crate) fn send_error(e: &reqwest::Error, opts: &ClientOptions) -> Error {
    if e.is_timeout() {
        Error::Timeout(opts.request_timeout)
    } else if e.is_redirect() {
        Error::Refused("refused a redirect (too many, or to plain http)".into())
    } else if let Some(tls) = tls_failure(e) {
        Error::Refused(format!("the secure connection failed ({tls})"))
    } else if e.is_connect() {
        Error::Network(format!("could not connect ({})", root_cause(e)))
    } else {
        Error::Network(root_cause(e))
    }
}

/// A TLS failure in the chain (a bad certificate, a server that does not speak
/// TLS): trying again gets the same answer.
fn tls_failure(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        let text = err.to_string();
        let lower = text.to_ascii_lowercase();
        let tls = ["certificate", "invalidcontenttype", "handshake", "corrupt message", "peer misbehaved"];
        if tls.iter().any(|t| lower.contains(t)) {
            return Some(crate::text::sanitize(&root_cause(err)).into_owned());
        }
        cur = err.source();
    }
    None
}

/// The innermost message of an error chain, sanitized: reqwest's own Display is
/// "error sending request for url (...)", which says little.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    crate::text::sanitize(&cur.to_string()).into_owned()
}

/// Reads the body, refusing more than `limit` bytes.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
    opts: &ClientOptions,
) -> Result<Vec<u8>, Error> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(Error::TooLarge { limit });
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(Error::TooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => return Err(Error::Timeout(opts.request_timeout)),
            Err(e) => {
                return Err(Error::Network(format!(
                    "the connection broke mid-answer after {} bytes ({})",
                    body.len(),
                    root_cause(&e)
                )));
            }
        }
    }
}

/// Parses a 2xx body; invalid UTF-8 is replaced rather than fatal.
pub(crate) fn parse_json(body: &[u8]) -> Result<Value, Error> {
    let text = String::from_utf8_lossy(body);
    serde_json::from_str(&text).map_err(|e| json_error(&text, &e))
}

/// Checks a 2xx body is JSON and gives it as JSON text, parsed no further: the
/// decoders read lists from it item by item.
pub(crate) fn parse_raw(text: &str) -> Result<&RawValue, Error> {
    serde_json::from_str(text).map_err(|e| json_error(text, &e))
}

fn json_error(text: &str, e: &serde_json::Error) -> Error {
    let message = if looks_like_html(text) {
        match html_title(text) {
            Some(t) => format!("got a web page instead of JSON (\"{t}\")"),
            None => "got a web page instead of JSON".to_string(),
        }
    } else if e.is_eof() {
        "the answer ended too soon (truncated JSON)".to_string()
    } else {
        format!("not valid JSON ({e})")
    };
    Error::Decode { message, excerpt: excerpt(text.as_bytes()) }
}

/// Turns a non-2xx answer into a typed error with a readable message.
pub(crate) fn status_error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
    let message = error_message(body)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("no explanation given").to_string());
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Error::Unauthorized(message),
        StatusCode::NOT_FOUND => Error::NotFound(message),
        StatusCode::TOO_MANY_REQUESTS => Error::RateLimited { retry_after: retry_after(headers) },
        StatusCode::SERVICE_UNAVAILABLE => match retry_after(headers) {
            Some(retry_after) => Error::Unavailable { retry_after, message },
            None => Error::Server { status: status.as_u16(), message },
        },
        _ => Error::Server { status: status.as_u16(), message },
    }
}

/// What an error body says: JSON `error_description`/`error`/`message`, an HTML
/// page's title, or the start of plain text.
pub(crate) fn error_message(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let found = if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&text) {
        let field = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
        match (field("error"), field("error_description").or_else(|| field("message"))) {
            (Some(code), Some(desc)) => Some(format!("{code}: {desc}")),
            (a, b) => a.or(b),
        }
    } else if looks_like_html(&text) {
        html_title(&text)
    } else {
        let t = text.trim();
        (!t.is_empty()).then(|| t.to_string())
    }?;
    let clean = crate::text::sanitize(&found);
    Some(crate::text::truncate(clean.trim(), 120).into_owned())
}

/// Seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (when.timestamp() - chrono::Utc::now().timestamp()).max(0);
    Some(Duration::from_secs(secs as u64))
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text.trim_start().chars().take(200).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<head")
}

/// The text of `<title>`, or of the first `<h1>`.
fn html_title(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    for tag in ["title", "h1"] {
        let open = format!("<{tag}");
        if let Some(start) = lower.find(&open) {
            let after = start + lower[start..].find('>')? + 1;
            let end = after + lower[after..].find(&format!("</{tag}"))?;
            let inner = text.get(after..end)?.split_whitespace().collect::<Vec<_>>().join(" ");
            if !inner.is_empty() {
                return Some(inner);
            }
        }
    }
    None
}

/// A short, sanitized look at a body, for error messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(400)]);
    let clean = crate::text::sanitize(&text);
    crate::text::truncate(clean.trim(), 80).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_error_page_gives_its_title() {
        let page = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>x</body></html>";
        assert_eq!(error_message(page).as_deref(), Some("502 Bad Gateway"));
    }

    #[test]
    fn json_error_gives_code_and_description() {
        let body = br#"{"error":"invalid_grant","error_description":"code already used"}"#;
        assert_eq!(error_message(body).as_deref(), Some("invalid_grant: code already used"));
    }

    #[test]
    fn error_text_is_sanitized() {
        let body = b"{\"error\":\"bad\\u001b]0;title\\u0007 thing\"}";
        assert_eq!(error_message(body).as_deref(), Some("bad thing"));
    }

    #[test]
    fn html_instead_of_json_is_a_readable_decode_error() {
        let err = parse_json(b"<html><head><title>Maintenance</title></head></html>").unwrap_err();
        assert_eq!(
            err.to_string(),
            "could not read Floktu's answer: got a web page instead of JSON (\"Maintenance\")"
        );
    }

    #[test]
    fn truncated_json_says_so() {
        let err = parse_json(br#"[{"id": 1, "name": "Gal"#).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let v = parse_json(b"[{\"id\":1,\"name\":\"a\xffb\"}]").unwrap();
        assert_eq!(v[0]["name"], "a\u{fffd}b");
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            retry_after_cap: Duration::from_secs(1),
        };
        let d0 = backoff(&p, 0);
        assert!(d0 >= Duration::from_millis(50) && d0 <= Duration::from_millis(150));
        let d3 = backoff(&p, 3);
        assert!(d3 >= Duration::from_millis(400) && d3 <= Duration::from_millis(1000));
        assert!(backoff(&p, 30) <= Duration::from_millis(1000));
    }
}
