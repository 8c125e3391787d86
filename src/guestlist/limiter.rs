//! How many order details to ask for at once: additive increase, multiplicative
//! decrease (AIMD), as TCP does. A 429 halves the number allowed (at most once
//! per round trip, so a burst of 429s from requests already in flight counts
//! once) and, with `Retry-After`, holds back new requests for that long; each run
//! of successes as long as the current limit adds one back, up to the maximum.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The shared state behind the loader's concurrency limit. Times are passed in,
/// so the rules are tested without a clock.
#[derive(Debug)]
pub(crate) struct Limiter {
    max: usize,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    limit: usize,
    /// Successes since the limit last changed.
    successes: usize,
    /// A 429 before this instant does not halve again.
    calm_until: Option<Instant>,
    /// No new request starts before this instant (`Retry-After`).
    paused_until: Option<Instant>,
    /// A smoothed round-trip time.
    rtt: Duration,
}

impl Limiter {
    /// At most `max` (at least 1) requests at once; `rtt` is a first guess of a round trip.
    pub(crate) fn new(max: usize, rtt: Duration) -> Limiter {
        let max = max.max(1);
        Limiter {
            max,
            state: Mutex::new(State { limit: max, successes: 0, calm_until: None, paused_until: None, rtt }),
        }
    }

    /// How many requests may be in flight now, and until when new ones must wait
    /// (`None`: they need not).
    pub(crate) fn gate(&self, now: Instant) -> (usize, Option<Instant>) {
        let s = self.lock();
        (s.limit, s.paused_until.filter(|until| *until > now))
    }

    /// A request succeeded after `elapsed`.
    pub(crate) fn on_success(&self, elapsed: Duration) {
        let mut s = self.lock();
        s.rtt = (s.rtt * 7 + elapsed) / 8;
        s.successes += 1;
        if s.successes >= s.limit && s.limit < self.max {
            s.limit += 1;
            s.successes = 0;
        }
    }

    /// Floktu answered 429; `wait` is how long it asked for (`Retry-After`, as the
    /// client capped it), if it did. Returns the limit now in force.
    pub(crate) fn on_rate_limited(&self, now: Instant, wait: Option<Duration>) -> usize {
        let mut s = self.lock();
        if let Some(wait) = wait {
            let until = now + wait;
            s.paused_until = Some(s.paused_until.map_or(until, |p| p.max(until)));
        }
        if s.calm_until.is_none_or(|calm| now >= calm) {
            s.limit = (s.limit / 2).max(1);
            s.successes = 0;
            s.calm_until = Some(now + s.rtt.max(wait.unwrap_or_default()));
        }
        s.limit
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a few numbers, each update complete: a panic elsewhere left it usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RTT: Duration = Duration::from_millis(100);

    #[test]
    fn starts_at_the_maximum() {
        let l = Limiter::new(8, RTT);
        assert_eq!(l.gate(Instant::now()), (8, None));
    }

    #[test]
    fn a_rate_limit_halves_the_requests_in_flight() {
        let l = Limiter::new(8, RTT);
        let now = Instant::now();
        assert_eq!(l.on_rate_limited(now, None), 4);
        assert_eq!(l.gate(now).0, 4);
    }

    #[test]
    fn a_burst_of_rate_limits_within_a_round_trip_halves_once() {
        let l = Limiter::new(8, RTT);
        let now = Instant::now();
        for i in 0..8 {
            assert_eq!(l.on_rate_limited(now + Duration::from_millis(i), None), 4);
        }
        assert_eq!(l.on_rate_limited(now + RTT * 2, None), 2);
    }

    #[test]
    fn the_limit_never_drops_below_one() {
        let l = Limiter::new(3, RTT);
        let mut now = Instant::now();
        for _ in 0..10 {
            now += RTT * 2;
            l.on_rate_limited(now, None);
        }
        assert_eq!(l.gate(now).0, 1);
    }

    #[test]
    fn successes_creep_back_up_to_the_maximum_and_no_further() {
        let l = Limiter::new(8, RTT);
        l.on_rate_limited(Instant::now(), None);
        // One more after `limit` successes: 4 → 5 after 4, → 6 after 5 more.
        for _ in 0..4 {
            l.on_success(RTT);
        }
        assert_eq!(l.gate(Instant::now()).0, 5);
        for _ in 0..5 {
            l.on_success(RTT);
        }
        assert_eq!(l.gate(Instant::now()).0, 6);
        for _ in 0..1000 {
            l.on_success(RTT);
        }
        assert_eq!(l.gate(Instant::now()).0, 8);
    }

    #[test]
    fn retry_after_holds_new_requests_back_until_it_has_passed() {
        let l = Limiter::new(8, RTT);
        let now = Instant::now();
        l.on_rate_limited(now, Some(Duration::from_secs(2)));
        assert_eq!(l.gate(now).1, Some(now + Duration::from_secs(2)));
        assert_eq!(l.gate(now + Duration::from_secs(1)).1, Some(now + Duration::from_secs(2)));
        assert_eq!(l.gate(now + Duration::from_secs(2)).1, None);
    }

    #[test]
    fn a_shorter_retry_after_does_not_cut_a_longer_pause() {
        let l = Limiter::new(8, RTT);
        let now = Instant::now();
        l.on_rate_limited(now, Some(Duration::from_secs(5)));
        l.on_rate_limited(now, Some(Duration::from_secs(1)));
        assert_eq!(l.gate(now).1, Some(now + Duration::from_secs(5)));
    }
}
