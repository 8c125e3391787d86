//! A stand-in for the rate-learning pacer (being written in `limiter.rs`):
//! a fixed concurrency limit, no rate. Replaced as soon as that lands.

use std::time::{Duration, Instant};

/// Whether a new request may start.
pub(crate) enum Go {
    Now,
    #[allow(dead_code)]
    At(Instant),
    Full,
}

pub(crate) struct Pacer {
    max: usize,
}

impl Pacer {
    pub(crate) fn new(max: usize) -> Pacer {
        Pacer { max: max.max(1) }
    }
    pub(crate) fn go(&self, _now: Instant, in_flight: usize) -> Go {
        if in_flight < self.max { Go::Now } else { Go::Full }
    }
    pub(crate) fn started(&mut self, _now: Instant) {}
    pub(crate) fn succeeded(&mut self, _now: Instant, _rtt: Duration) {}
    pub(crate) fn refused(&mut self, _now: Instant, _retry_after: Option<Duration>) {}
    pub(crate) fn failed(&mut self, _now: Instant) {}
    pub(crate) fn rate(&self) -> Option<f64> {
        None
    }
    pub(crate) fn limit(&self) -> usize {
        self.max
    }
}
