//! The demo server's rate limit: a token bucket, with the time passed in so
//! that its rules are tested without a clock.
//!
//! What a refused request gets, and why: real APIs in front of nginx
//! (`limit_req`), Cloudflare or an API gateway answer 429 with `Retry-After`
//! in whole seconds (HTTP allows only delta-seconds or a date), rounded up,
//! so a client that waits that long is sure to get through. A refused request
//! takes no token: hammering does not push the next success further away.

use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::faults::json_error;

/// Requests per second and the most that may come at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RateLimit {
    /// Tokens added per second; positive and finite.
    pub rate: f64,
    /// The bucket's size: how many requests may come at once; at least 1.
    pub burst: u32,
}

impl RateLimit {
    /// A limit, or none when `rate` is not a positive finite number.
    pub(crate) fn new(rate: f64, burst: u32) -> Option<RateLimit> {
        (rate.is_finite() && rate > 0.0).then_some(RateLimit { rate, burst: burst.max(1) })
    }
}

/// A token bucket that starts full.
#[derive(Debug)]
pub(crate) struct TokenBucket {
    limit: RateLimit,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub(crate) fn new(limit: RateLimit, now: Instant) -> TokenBucket {
        TokenBucket { limit, tokens: f64::from(limit.burst), last: now }
    }

    pub(crate) fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Takes a token for a request arriving at `now`, or says how long until
    /// there is one.
    pub(crate) fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed * self.limit.rate).min(f64::from(self.limit.burst));
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        Err(Duration::from_secs_f64((1.0 - self.tokens) / self.limit.rate))
    }
}

/// `Retry-After` for a wait: whole seconds, rounded up, at least 1.
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// The answer to a request past the limit: 429, `Retry-After`, a JSON error.
pub(crate) fn refused(wait: Duration) -> Response {
    let secs = retry_after_secs(wait);
    let mut r = json_error(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        &format!("Too many requests; try again in {secs} s."),
    );
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(rate: f64, burst: u32) -> (TokenBucket, Instant) {
        let t0 = Instant::now();
        (TokenBucket::new(RateLimit::new(rate, burst).unwrap(), t0), t0)
    }

    #[test]
    fn a_full_bucket_lets_the_burst_through_then_refuses() {
        let (mut b, t0) = bucket(2.0, 3);
        assert!((0..3).all(|_| b.take(t0).is_ok()));
        assert_eq!(b.take(t0), Err(Duration::from_millis(500)));
    }

    #[test]
    fn tokens_come_back_at_the_rate() {
        let (mut b, t0) = bucket(4.0, 1);
        assert!(b.take(t0).is_ok());
        assert!(b.take(t0 + Duration::from_millis(100)).is_err());
        assert!(b.take(t0 + Duration::from_millis(250)).is_ok());
    }

    #[test]
    fn the_bucket_never_holds_more_than_the_burst() {
        let (mut b, t0) = bucket(10.0, 2);
        let later = t0 + Duration::from_secs(60);
        assert!(b.take(later).is_ok() && b.take(later).is_ok());
        assert!(b.take(later).is_err());
    }

    #[test]
    fn a_refused_request_takes_no_token() {
        let (mut b, t0) = bucket(1.0, 1);
        assert!(b.take(t0).is_ok());
        for ms in [100, 200, 300] {
            assert!(b.take(t0 + Duration::from_millis(ms)).is_err());
        }
        assert!(b.take(t0 + Duration::from_millis(1000)).is_ok());
    }

    #[test]
    fn retry_after_is_whole_seconds_rounded_up_and_at_least_one() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(200)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(2001)), 3);
    }

    #[test]
    fn no_limit_without_a_positive_rate_and_burst_is_at_least_one() {
        assert_eq!(RateLimit::new(0.0, 5), None);
        assert_eq!(RateLimit::new(f64::NAN, 5), None);
        assert_eq!(RateLimit::new(-1.0, 5), None);
        assert_eq!(RateLimit::new(3.0, 0).map(|l| l.burst), Some(1));
    }
}
