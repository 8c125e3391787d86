//! The Floktu API: HTTP and serde only, nothing of the terminal.

pub mod client;
pub mod model;
pub mod oauth;

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

pub use client::{ClientOptions, FloktuClient, RetryPolicy};
pub use model::{Answer, Attendee, CheckIn, Decoded, Event, Money, Order, OrderSummary, Skipped, Status};

/// Where the real API lives.
pub const DEFAULT_API_BASE: &str = "https://floktu.com/api/v2";

/// A validated API base URL: https, or http only to this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiBase(url::Url);

impl ApiBase {
    /// Parses and checks a base URL. A non-loopback `http://` base is refused,
    /// because the token would cross the network in clear.
    pub fn parse(s: &str) -> Result<ApiBase, Error> {
        let mut url = url::Url::parse(s.trim())
            .map_err(|e| Error::Config(format!("the API base {s:?} is not a URL ({e})")))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(Error::Config(format!("the API base must be an https:// URL, not {s:?}")));
        }
        if !url.username().is_empty() || url.password().is_some() {
            // Said without the password, which must not reach a log or the screen.
            let _ = url.set_password(None);
            let _ = url.set_username("");
            return Err(Error::Config(format!(
                "refusing an API base with a user name or password in it (user:password@ in {url}): \
                 it would be sent to the server as Basic auth. Remove it; floktu signs in with its \
                 OAuth token"
            )));
        }
        if !Self::is_allowed(&url) {
            return Err(Error::Config(format!(
                "refusing the plain-http API base {s:?}: the token would travel unencrypted. \
                 Use https:// (http:// is allowed only for 127.0.0.1/localhost)"
            )));
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        url.set_query(None);
        url.set_fragment(None);
        Ok(ApiBase(url))
    }

    /// https anywhere, or http to a loopback address.
    pub fn is_allowed(url: &url::Url) -> bool {
        match url.scheme() {
            "https" => true,
            "http" => match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
                Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
                None => false,
            },
            _ => false,
        }
    }

    /// `path` (relative, no leading slash) under the base.
    pub fn join(&self, path: &str) -> Result<url::Url, Error> {
        self.0.join(path).map_err(|e| Error::Config(format!("bad API path {path:?} ({e})")))
    }

    /// The base as a URL.
    pub fn url(&self) -> &url::Url {
        &self.0
    }

    /// "floktu.com" or "127.0.0.1:8080": for titles and cache keys.
    pub fn host_label(&self) -> String {
        match (self.0.host_str(), self.0.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => self.0.to_string(),
        }
    }
}

impl fmt::Display for ApiBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}

/// An OAuth access token. Its `Debug` never shows it, and it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token (trimmed of surrounding white space).
    pub fn new(token: impl Into<String>) -> AccessToken {
        AccessToken(token.into().trim().to_string())
    }

    /// The token itself: only for the Authorization header and the token store.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A short one-way fingerprint, to key caches per account without storing the token.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.0.as_bytes());
        hex::encode(&digest[..8])
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(***)")
    }
}

/// What can go wrong talking to Floktu. Messages are for people: they say what
/// happened and, where there is one, what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// 401/403: the token is missing, revoked or invalid.
    #[error("Floktu refused the access token ({0}). Run `floktu login`.")]
    Unauthorized(String),
    /// 404.
    #[error("not found on Floktu ({0})")]
    NotFound(String),
    /// 429, with how long the server asked us to wait.
    #[error("Floktu answered 429 (too many requests){}", retry_hint(.retry_after))]
    RateLimited {
        /// From the `Retry-After` header.
        retry_after: Option<Duration>,
    },
    /// 503 with a `Retry-After`: Floktu is busy and said when to come back.
    #[error("Floktu is busy (503: {message}){}", retry_hint(&Some(*.retry_after)))]
    Unavailable {
        /// From the `Retry-After` header.
        retry_after: Duration,
        /// What the body said, sanitized.
        message: String,
    },
    /// Any other non-2xx answer.
    #[error("Floktu answered {status}: {message}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// What the body said, sanitized.
        message: String,
    },
    /// A 2xx answer that is not what the API should send.
    #[error("could not read Floktu's answer: {message}")]
    Decode {
        /// What was wrong.
        message: String,
        /// The start of the body, sanitized.
        excerpt: String,
    },
    /// No answer in time: the time waited, every attempt included.
    #[error("no answer from Floktu in {} s; gave up", seconds(.0))]
    Timeout(Duration),
    /// Floktu asked to wait longer than the request's deadline leaves.
    #[error(
        "Floktu asked to wait {} s before trying again, more than the {} s left for this request; \
         gave up (try again later)",
        seconds(.asked),
        seconds(.left)
    )]
    WaitTooLong {
        /// What its `Retry-After` asked for.
        asked: Duration,
        /// What was left of the deadline.
        left: Duration,
    },
    /// Could not connect, or the connection broke.
    #[error("could not reach Floktu: {0}")]
    Network(String),
    /// A failure that trying again cannot change: a bad certificate, a refused redirect.
    #[error("could not reach Floktu: {0}")]
    Refused(String),
    /// The answer was larger than the limit.
    #[error("Floktu's answer is larger than {} MB; refusing to read it", limit / (1024 * 1024))]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A bad base URL or similar setting.
    #[error("{0}")]
    Config(String),
}

/// "45", or "0.3" under ten seconds: the figure a person would say.
fn seconds(d: &Duration) -> String {
    if *d < Duration::from_secs(10) && d.subsec_millis() >= 50 {
        format!("{:.1}", d.as_secs_f64())
    } else {
        d.as_secs().to_string()
    }
}

fn retry_hint(after: &Option<Duration>) -> String {
    match after {
        Some(d) => format!("; asked to wait {} s", d.as_secs()),
        None => String::new(),
    }
}

impl Error {
    /// Worth retrying: the same request may well succeed in a moment.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Timeout(_) | Error::Network(_) | Error::RateLimited { .. } | Error::Unavailable { .. } => {
                true
            }
            Error::Server { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// How long the server asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after } => *retry_after,
            Error::Unavailable { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// Floktu asked us to slow down: a 429, or a 503 that says when to come
    /// back. Other failures are not about our pace.
    pub fn asks_to_slow_down(&self) -> bool {
        matches!(self, Error::RateLimited { .. } | Error::Unavailable { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_to_another_host_is_refused() {
        let err = ApiBase::parse("http://floktu.com/api/v2").unwrap_err();
        assert!(err.to_string().contains("unencrypted"), "{err}");
    }

    #[test]
    fn plain_http_to_loopback_is_allowed() {
        for ok in ["http://127.0.0.1:8080/api/v2", "http://localhost/api/v2", "http://[::1]:9/api/v2"] {
            assert!(ApiBase::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn a_base_with_user_info_is_refused_without_repeating_the_password() {
        for bad in [
            "https://user:pa55word@floktu.com/api/v2",
            "https://user@floktu.com/api/v2",
            "https://:pa55word@floktu.com/",
        ] {
            let err = ApiBase::parse(bad).unwrap_err().to_string();
            assert!(err.contains("user name or password"), "{err}");
            assert!(!err.contains("pa55word"), "{err}");
        }
    }

    #[test]
    fn base_joins_paths_under_itself() {
        let base = ApiBase::parse("https://floktu.com/api/v2").unwrap();
        assert_eq!(base.join("events").unwrap().as_str(), "https://floktu.com/api/v2/events");
        assert_eq!(base.to_string(), "https://floktu.com/api/v2");
        assert_eq!(base.host_label(), "floktu.com");
    }

    #[test]
    fn token_debug_hides_it() {
        let t = AccessToken::new("s3cret-token");
        assert!(!format!("{t:?}").contains("s3cret"));
        assert_eq!(t.fingerprint().len(), 16);
    }
}
