//! How fast to ask Floktu for order details: a [`Pacer`] that learns the
//! server's rate from its refusals.
//!
//! A rate-limited server (a token bucket: R requests/s, a burst of B, then 429
//! with `Retry-After`) limits requests per second, not requests in flight, so
//! the pacer keeps both apart. Requests in flight stay at the maximum asked for;
//! what it learns is a rate, and it paces starts to that rate with a small
//! token bucket of its own.
//!
//! - **No rate until Floktu refuses us.** Starts are limited only by the number
//!   in flight, so a server without a limit is never slowed.
//! - **A refusal measures the rate granted.** Answers that got past the server's
//!   limit (successes, and failures other than a refusal: they took a token too)
//!   are counted between an earlier refusal, at least [`ANCHOR_SPAN`] back, and
//!   this one. The server's bucket was empty at both, so what it let through in
//!   between is R per second whatever its burst. With no such earlier refusal,
//!   the answers of the last second stand in; early in a load those include the
//!   server's burst and over-estimate R, which the next refusals correct.
//! - **Multiplicative decrease**: the rate becomes the lower of [`BELOW`] × the
//!   rate granted and [`DECREASE`] × itself, at most once per round trip (the
//!   429s of requests that were already in flight say nothing new).
//! - **Additive increase**: each second of successes adds [`INCREASE`] of the rate
//!   set at the last decrease, probing back up slowly, up to what the requests in
//!   flight could reach anyway (max in flight / shortest round trip).
//! - **Pacing** allows [`BURST`] starts at once: enough that a late timer or a slot
//!   freed after a wait loses no time, small enough not to drain the server's
//!   bucket. A refusal empties it.
//! - **`Retry-After` is for the refused request** (the loop re-queues it). New
//!   starts are held for one round trip, so that the server's bucket refills a
//!   little; only refusals that keep coming without a success between lengthen
//!   the hold, doubling up to the `Retry-After` itself. A server that accepts
//!   others is not frozen; one that refuses everything gets its full wait.
//! - Other failures (5xx without `Retry-After`, timeouts, broken connections)
//!   change neither the rate nor the concurrency: the loop retries them with
//!   back-off.
//!
//! Against R = 100/s, B = 10, 20 ms latency and 8 in flight, the simulation in
//! the tests loads 1,000 orders in 0.995 × N/R (the server's burst helps) with
//! 1.2% of requests refused, where halving the requests in flight took 6.7 × N/R.
//! Times are passed in, so the rules are tested without a clock; the pacer has
//! one owner (the loader's loop), so it needs no lock.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The round trip assumed until a success measures one.
const FIRST_RTT: Duration = Duration::from_millis(100);
/// How far back answers and refusals are remembered.
const WINDOW: Duration = Duration::from_secs(1);
/// The shortest span between two refusals that measures the granted rate: over
/// a shorter one, one answer more or less is too much of the count.
const ANCHOR_SPAN: Duration = Duration::from_millis(100);
/// After a refusal, the rate is set this far under the rate granted.
const BELOW: f64 = 0.9;
/// Each further refusal slows down by at least this factor.
const DECREASE: f64 = 0.9;
/// Per second of successes, the rate grows by this fraction of the rate set at
/// the last refusal.
const INCREASE: f64 = 0.05;
/// Starts allowed at once when a rate is in force.
const BURST: f64 = 2.0;
/// The slowest pace: one request every ten seconds.
const SLOWEST: f64 = 0.1;

/// Whether a new request may start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Go {
    /// Start it now.
    Now,
    /// Not before this instant (the learned rate, or a hold after a refusal).
    At(Instant),
    /// The most requests allowed in flight are: wait for one to end.
    Full,
}

/// Paces the loader's requests to the rate the server allows. See the module
/// docs for the rules.
#[derive(Debug)]
pub(crate) struct Pacer {
    max_in_flight: usize,
    /// Requests per second, once the server has refused one.
    rate: Option<f64>,
    /// What a second of successes adds to `rate`.
    step: f64,
    /// When `rate` last grew (or was set).
    grown_at: Option<Instant>,
    /// Starts allowed now by the pacing bucket, as of `tokens_at`; negative when
    /// starts ran ahead of it.
    tokens: f64,
    tokens_at: Option<Instant>,
    /// A smoothed round trip, and the shortest seen.
    srtt: Option<Duration>,
    min_rtt: Option<Duration>,
    /// When answers that got past the server's limit arrived (the last `WINDOW`).
    answers: VecDeque<Instant>,
    /// When refusals arrived (the last `WINDOW`).
    refusals: VecDeque<Instant>,
    /// The first start, and how many started before the first answer.
    first_start: Option<Instant>,
    unanswered_starts: usize,
    /// A refusal before this instant does not slow down again.
    calm_until: Option<Instant>,
    /// No new request starts before this instant.
    hold_until: Option<Instant>,
    /// The next hold after a refusal: one round trip, doubled by each refusal
    /// with no success since the last one.
    hold: Option<Duration>,
    succeeded_since_refusal: bool,
}

impl Pacer {
    /// At most `max_in_flight` (at least 1) requests at once; no rate limit known yet.
    pub(crate) fn new(max_in_flight: usize) -> Pacer {
        Pacer {
            max_in_flight: max_in_flight.max(1),
            rate: None,
            step: 0.0,
            grown_at: None,
            tokens: 0.0,
            tokens_at: None,
            srtt: None,
            min_rtt: None,
            answers: VecDeque::new(),
            refusals: VecDeque::new(),
            first_start: None,
            unanswered_starts: 0,
            calm_until: None,
            hold_until: None,
            hold: None,
            succeeded_since_refusal: true,
        }
    }

    /// Whether a new request may start now, with `in_flight` requests running.
    pub(crate) fn go(&self, now: Instant, in_flight: usize) -> Go {
        if in_flight >= self.max_in_flight {
            return Go::Full;
        }
        if let Some(until) = self.hold_until.filter(|until| *until > now) {
            return Go::At(until);
        }
        let Some(rate) = self.rate else { return Go::Now };
        let tokens = self.tokens_at(now);
        // The tolerance keeps a float rounding from asking for a wait of nanoseconds.
        if tokens >= 1.0 - 1e-6 {
            Go::Now
        } else {
            Go::At(now + Duration::from_secs_f64((1.0 - tokens) / rate))
        }
    }

    /// A request starts now (it takes a token when a rate is in force).
    pub(crate) fn started(&mut self, now: Instant) {
        self.first_start.get_or_insert(now);
        if self.answers.is_empty() {
            self.unanswered_starts += 1;
        }
        if self.rate.is_some() {
            self.tokens = self.tokens_at(now) - 1.0;
            self.tokens_at = Some(now);
        }
    }

    /// It succeeded after `rtt`.
    pub(crate) fn succeeded(&mut self, now: Instant, rtt: Duration) {
        self.srtt = Some(self.srtt.map_or(rtt, |s| (s * 7 + rtt) / 8));
        self.min_rtt = Some(self.min_rtt.map_or(rtt, |m| m.min(rtt)));
        self.answered(now);
        self.succeeded_since_refusal = true;
        self.hold = None;
        self.grow(now);
    }

    /// 429, or 503 with `Retry-After`: slow down. `retry_after` as the server said it.
    pub(crate) fn refused(&mut self, now: Instant, retry_after: Option<Duration>) {
        if self.calm_until.is_none_or(|calm| now >= calm) {
            self.slow_down(now, retry_after);
        }
        self.refusals.push_back(now);
        forget_before(&mut self.refusals, now);
    }

    /// A 5xx without `Retry-After`, a timeout or a broken connection: not a
    /// signal to slow down. It still counts as an answer that got past the
    /// server's limit.
    pub(crate) fn failed(&mut self, now: Instant) {
        self.answered(now);
    }

    /// The learned rate in requests/s, if the server has refused us.
    pub(crate) fn rate(&self) -> Option<f64> {
        self.rate
    }

    /// Max in flight now.
    pub(crate) fn limit(&self) -> usize {
        self.max_in_flight
    }

    fn rtt(&self) -> Duration {
        self.srtt.unwrap_or(FIRST_RTT)
    }

    /// The rate beyond which pacing no longer matters: the requests in flight
    /// cannot go faster. Unbounded until a success has measured a round trip.
    fn ceiling(&self) -> f64 {
        match self.min_rtt {
            Some(rtt) => self.max_in_flight as f64 / rtt.as_secs_f64().max(1e-3),
            None => f64::INFINITY,
        }
    }

    fn tokens_at(&self, now: Instant) -> f64 {
        match (self.rate, self.tokens_at) {
            (Some(rate), Some(at)) => {
                (self.tokens + rate * now.saturating_duration_since(at).as_secs_f64()).min(BURST)
            }
            _ => BURST,
        }
    }

    fn answered(&mut self, now: Instant) {
        self.answers.push_back(now);
        forget_before(&mut self.answers, now);
    }

    /// Additive increase, for the time since the last one (a second at most,
    /// so that a long quiet spell does not count as probing).
    fn grow(&mut self, now: Instant) {
        let Some(rate) = self.rate else { return };
        let since = self.grown_at.map_or(Duration::ZERO, |at| now.saturating_duration_since(at)).min(WINDOW);
        // The bucket fills at the old rate up to now.
        self.tokens = self.tokens_at(now);
        self.tokens_at = Some(now);
        self.grown_at = Some(now);
        self.rate = Some((rate + self.step * since.as_secs_f64()).min(self.ceiling()));
    }

    fn slow_down(&mut self, now: Instant, retry_after: Option<Duration>) {
        let granted = self.granted(now);
        let rate = match self.rate {
            None => BELOW * granted,
            Some(rate) => (DECREASE * rate).min(BELOW * granted),
        }
        .clamp(SLOWEST, self.ceiling().max(SLOWEST));
        self.rate = Some(rate);
        self.step = INCREASE * rate;
        self.grown_at = Some(now);
        // The server's bucket is empty: so is ours.
        self.tokens = self.tokens_at(now).min(0.0);
        self.tokens_at = Some(now);
        self.calm_until = Some(now + self.rtt());
        if let Some(wait) = retry_after {
            let hold = match self.hold {
                Some(hold) if !self.succeeded_since_refusal => hold * 2,
                _ => self.rtt(),
            }
            .min(wait);
            self.hold = Some(hold);
            let until = now + hold;
            self.hold_until = Some(self.hold_until.map_or(until, |h| h.max(until)));
        }
        self.succeeded_since_refusal = false;
    }

    /// The rate the server let requests through at, just before a refusal at `now`.
    fn granted(&self, now: Instant) -> f64 {
        let anchor = self.refusals.iter().copied().find(|at| {
            let age = now.saturating_duration_since(*at);
            age >= ANCHOR_SPAN.max(self.rtt() * 2) && age <= WINDOW
        });
        if let Some(anchor) = anchor {
            // Counting one answer more than seen keeps a short span from under-estimating.
            let answers = self.answers.iter().filter(|at| **at > anchor).count() as f64 + 1.0;
            return answers / now.saturating_duration_since(anchor).as_secs_f64();
        }
        let since = match (self.first_start, now.checked_sub(WINDOW)) {
            (Some(first), Some(window)) => first.max(window),
            (Some(first), None) => first,
            (None, window) => window.unwrap_or(now),
        };
        let span = now.saturating_duration_since(since).as_secs_f64().max(1e-3);
        match self.answers.len() {
            // Refused before anything got through: half the pace we went at.
            0 => self.unanswered_starts.max(1) as f64 / span / 2.0,
            n => n as f64 / span,
        }
    }
}

/// Drops the instants older than [`WINDOW`] before `now`.
fn forget_before(times: &mut VecDeque<Instant>, now: Instant) {
    while times.front().is_some_and(|at| now.saturating_duration_since(*at) > WINDOW) {
        times.pop_front();
    }
}

#[cfg(test)]
mod pacer_tests {
    use super::*;

    const RTT: Duration = Duration::from_millis(20);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Requests started and answered at `per_second` for `span`, from `from`;
    /// returns when the last one was answered.
    fn granted_at(p: &mut Pacer, from: Instant, per_second: f64, span: Duration) -> Instant {
        let every = Duration::from_secs_f64(1.0 / per_second);
        let mut now = from;
        while now < from + span {
            // The time of the answer; its request started a round trip before.
            p.started(now);
            p.succeeded(now, RTT);
            now += every;
        }
        now - every
    }

    /// A pacer whose server let 100 requests/s through for a second, then refused one.
    fn refused_after_a_second_at_100() -> (Pacer, Instant) {
        let mut p = Pacer::new(8);
        let now = granted_at(&mut p, Instant::now(), 100.0, Duration::from_secs(1));
        p.refused(now, None);
        (p, now)
    }

    fn rate(p: &Pacer) -> f64 {
        p.rate().unwrap_or(f64::NAN)
    }

    #[test]
    fn it_starts_unlimited_at_max_in_flight() {
        let mut p = Pacer::new(8);
        let now = Instant::now();
        for in_flight in 0..8 {
            assert_eq!(p.go(now, in_flight), Go::Now);
            p.started(now);
        }
        assert_eq!(p.go(now, 8), Go::Full);
        assert_eq!((p.rate(), p.limit()), (None, 8));
    }

    #[test]
    fn a_refusal_sets_the_rate_a_little_under_the_rate_granted() {
        let (p, _) = refused_after_a_second_at_100();
        assert!((85.0..=95.0).contains(&rate(&p)), "{:?}", p.rate());
        assert_eq!(p.limit(), 8);
    }

    #[test]
    fn refusals_measure_the_rate_past_the_servers_burst() {
        let mut p = Pacer::new(8);
        let t0 = Instant::now();
        // The server's burst: 40 answers in 40 ms, then a refusal.
        let mut now = granted_at(&mut p, t0, 1000.0, ms(40));
        p.refused(now, None);
        assert!(rate(&p) > 300.0, "{:?}", p.rate());
        // Then 100/s gets through, the rest is refused.
        for _ in 0..10 {
            now = granted_at(&mut p, now, 100.0, ms(30));
            p.refused(now, None);
        }
        assert!((80.0..=100.0).contains(&rate(&p)), "{:?}", p.rate());
    }

    #[test]
    fn a_refusal_before_any_answer_halves_the_pace_so_far() {
        let mut p = Pacer::new(8);
        let now = Instant::now();
        for _ in 0..8 {
            p.started(now);
        }
        p.refused(now + RTT, None);
        // 8 in 20 ms is 400/s: half of it, a little under.
        assert_eq!(p.rate().map(f64::round), Some(180.0));
    }

    #[test]
    fn a_burst_of_refusals_within_a_round_trip_slows_down_once() {
        let (mut p, now) = refused_after_a_second_at_100();
        let once = rate(&p);
        for i in 0..8 {
            p.refused(now + ms(i), None);
        }
        assert_eq!(rate(&p), once);
        p.refused(now + RTT * 2, None);
        assert!(rate(&p) <= once * DECREASE + 1e-9, "{:?}", p.rate());
    }

    #[test]
    fn the_rate_creeps_back_up_and_is_capped() {
        let (mut p, now) = refused_after_a_second_at_100();
        let set = rate(&p);
        // Two seconds of successes add two steps of 5% of the rate set.
        let now = granted_at(&mut p, now, set, Duration::from_secs(2));
        let grown = rate(&p);
        assert!((grown - set * 1.1).abs() < 1.0, "{set} → {grown}");
        // No further than 8 in flight at 20 ms can go: 400/s.
        granted_at(&mut p, now, 100.0, Duration::from_secs(120));
        assert_eq!(p.rate().map(f64::round), Some(400.0));
    }

    #[test]
    fn failures_change_neither_the_rate_nor_the_concurrency() {
        let (mut p, now) = refused_after_a_second_at_100();
        let before = (p.rate(), p.limit(), p.go(now, 0));
        for _ in 0..50 {
            p.failed(now);
        }
        assert_eq!((p.rate(), p.limit(), p.go(now, 0)), before);

        let mut fresh = Pacer::new(8);
        let now = Instant::now();
        for _ in 0..50 {
            fresh.failed(now);
        }
        assert_eq!((fresh.rate(), fresh.limit(), fresh.go(now, 7)), (None, 8, Go::Now));
    }

    #[test]
    fn go_spaces_starts_at_the_learned_rate() {
        let (mut p, t0) = refused_after_a_second_at_100();
        let r = rate(&p);
        let mut now = t0;
        let mut starts = Vec::new();
        // Bounded, so that a pacer that never waits fails rather than loops.
        for _ in 0..10_000 {
            if now >= t0 + Duration::from_secs(2) {
                break;
            }
            match p.go(now, 0) {
                Go::Now => {
                    p.started(now);
                    starts.push(now);
                }
                Go::At(at) => now = at,
                Go::Full => unreachable!("nothing is in flight"),
            }
        }
        // Nothing succeeds meanwhile, so the rate stays; two seconds of it.
        assert!((starts.len() as f64 - 2.0 * r).abs() <= 1.0, "{} starts at {r}/s", starts.len());
        let gap = Duration::from_secs_f64(1.0 / r);
        for pair in starts.windows(2) {
            let d = pair[1] - pair[0];
            assert!(d.abs_diff(gap) < Duration::from_micros(10), "{d:?} apart, not {gap:?}");
        }
    }

    #[test]
    fn pacing_allows_a_small_burst_after_a_pause() {
        let (mut p, now) = refused_after_a_second_at_100();
        let later = now + Duration::from_secs(1);
        let mut at_once = 0;
        while p.go(later, 0) == Go::Now {
            p.started(later);
            at_once += 1;
        }
        assert_eq!(at_once, BURST as usize);
    }

    #[test]
    fn retry_after_holds_new_starts_for_a_round_trip_not_the_whole_wait() {
        let mut p = Pacer::new(8);
        let now = granted_at(&mut p, Instant::now(), 100.0, Duration::from_secs(1));
        p.refused(now, Some(Duration::from_secs(1)));
        assert_eq!(p.go(now, 0), Go::At(now + RTT));
        assert_eq!(p.go(now + RTT, 0), Go::Now);
    }

    #[test]
    fn refusals_with_no_success_between_hold_longer_up_to_retry_after() {
        let mut p = Pacer::new(8);
        let mut now = granted_at(&mut p, Instant::now(), 100.0, Duration::from_secs(1));
        let wait = Duration::from_secs(1);
        let mut holds = Vec::new();
        for _ in 0..8 {
            p.refused(now, Some(wait));
            let Go::At(until) = p.go(now, 0) else { panic!("no hold") };
            holds.push(until - now);
            now = until;
        }
        assert_eq!(holds[..4], [RTT, RTT * 2, RTT * 4, RTT * 8]);
        assert_eq!(holds[7], wait);
        // A success in between: back to one round trip.
        p.succeeded(now, RTT);
        p.refused(now + wait, Some(wait));
        assert_eq!(p.go(now + wait, 0), Go::At(now + wait + RTT));
    }
}

/// The pacer driving a simulated token-bucket server, with a simulated clock:
/// the figures of issue 9 (1,000 orders, 20 ms, 100 requests/s with a burst of
/// 10, 8 in flight).
#[cfg(test)]
mod simulation {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    use super::*;

    const N: usize = 1000;
    const RATE: f64 = 100.0;
    const SERVER_BURST: f64 = 10.0;
    const LATENCY: Duration = Duration::from_millis(20);
    const IN_FLIGHT: usize = 8;
    /// Like the loader: a failure other than a refusal is tried this many times
    /// in all, after a back-off from 250 ms, doubling, ±50%.
    const ATTEMPTS: u32 = 4;
    const FIRST_BACKOFF: Duration = Duration::from_millis(250);

    /// splitmix64: a few lines, the same numbers on every machine.
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum Answer {
        Ok,
        /// 429 with `Retry-After` in whole seconds, as HTTP has it.
        Refused {
            retry_after_secs: u64,
        },
        /// 503 without `Retry-After`.
        Unavailable,
    }

    impl Answer {
        /// How long after its request it arrives: like the demo server, the
        /// limiter in front refuses at once; the rest takes the latency.
        fn after(self) -> Duration {
            match self {
                Answer::Refused { .. } => Duration::from_micros(500),
                Answer::Ok | Answer::Unavailable => LATENCY,
            }
        }
    }

    /// A token bucket: `RATE` per second, `SERVER_BURST` at once; a request past its
    /// limit takes a token and then fails at random with `fail_rate`.
    struct Server {
        tokens: f64,
        at: Duration,
        fail_rate: f64,
        random: Random,
    }

    impl Server {
        fn answer(&mut self, at: Duration) -> Answer {
            self.tokens = (self.tokens + RATE * at.saturating_sub(self.at).as_secs_f64()).min(SERVER_BURST);
            self.at = self.at.max(at);
            if self.tokens < 1.0 {
                let retry_after_secs = ((1.0 - self.tokens) / RATE).ceil().max(1.0) as u64;
                return Answer::Refused { retry_after_secs };
            }
            self.tokens -= 1.0;
            if self.random.next() < self.fail_rate { Answer::Unavailable } else { Answer::Ok }
        }
    }

    #[derive(Debug)]
    struct Figures {
        took: Duration,
        requests: usize,
        refused: usize,
        unavailable: usize,
        given_up: usize,
        rate: Option<f64>,
    }

    /// Loads `N` orders as the loader does: refused requests wait their
    /// `Retry-After` and go again, failed ones their back-off.
    fn load(fail_rate: f64, seed: u64) -> Figures {
        let t0 = Instant::now();
        let mut pacer = Pacer::new(IN_FLIGHT);
        let mut server = Server { tokens: SERVER_BURST, at: Duration::ZERO, fail_rate, random: Random(seed) };
        let mut jitter = Random(!seed);
        let mut fresh = 0..N;
        // (not before, attempts so far) of requests to try again.
        let mut again: Vec<(Duration, u32)> = Vec::new();
        let mut in_flight: BinaryHeap<Reverse<(Duration, Answer, u32)>> = BinaryHeap::new();
        let mut f = Figures {
            took: Duration::ZERO,
            requests: 0,
            refused: 0,
            unavailable: 0,
            given_up: 0,
            rate: None,
        };
        let mut answered = 0;
        let mut now = Duration::ZERO;
        while answered < N {
            while let Some(Reverse((at, answer, attempts))) = in_flight.peek().copied() {
                if at > now {
                    break;
                }
                in_flight.pop();
                match answer {
                    Answer::Ok => {
                        pacer.succeeded(t0 + at, LATENCY);
                        answered += 1;
                    }
                    Answer::Refused { retry_after_secs } => {
                        f.refused += 1;
                        let wait = Duration::from_secs(retry_after_secs);
                        pacer.refused(t0 + at, Some(wait));
                        again.push((at + wait, attempts));
                    }
                    Answer::Unavailable => {
                        f.unavailable += 1;
                        pacer.failed(t0 + at);
                        if attempts + 1 >= ATTEMPTS {
                            f.given_up += 1;
                            answered += 1;
                        } else {
                            let backoff = FIRST_BACKOFF * (1u32 << attempts);
                            again.push((at + backoff.mul_f64(0.5 + jitter.next()), attempts + 1));
                        }
                    }
                }
            }
            let mut wake = None;
            loop {
                let ready = again.iter().position(|(not_before, _)| *not_before <= now);
                if ready.is_none() && fresh.is_empty() {
                    break;
                }
                match pacer.go(t0 + now, in_flight.len()) {
                    Go::Now => {}
                    Go::At(at) => {
                        wake = Some(at - t0);
                        break;
                    }
                    Go::Full => break,
                }
                let attempts = match ready {
                    Some(i) => again.swap_remove(i).1,
                    None => {
                        fresh.next();
                        0
                    }
                };
                pacer.started(t0 + now);
                f.requests += 1;
                let answer = server.answer(now);
                in_flight.push(Reverse((now + answer.after(), answer, attempts)));
            }
            let next_again = again.iter().map(|(not_before, _)| *not_before).filter(|nb| *nb > now).min();
            let next_answer = in_flight.peek().map(|Reverse((at, _, _))| *at);
            match [next_answer, wake, next_again].into_iter().flatten().min() {
                Some(next) => now = next.max(now + Duration::from_micros(1)),
                None if answered < N => panic!("the load is stuck at {now:?}"),
                None => {}
            }
        }
        f.took = now;
        f.rate = pacer.rate();
        f
    }

    #[test]
    fn against_a_token_bucket_it_keeps_close_to_the_rate_with_few_refusals() {
        let f = load(0.0, 1);
        let ideal = N as f64 / RATE;
        println!("clean: {f:?}, {:.3} × N/R", f.took.as_secs_f64() / ideal);
        assert!(f.took.as_secs_f64() <= 1.15 * ideal, "{f:?}");
        assert!(f.refused as f64 <= 0.05 * f.requests as f64, "{f:?}");
    }

    #[test]
    fn random_503s_cost_little_more_than_the_tokens_they_take() {
        let clean = load(0.0, 1).took.as_secs_f64();
        // A request that fails three times running waits out every back-off
        // (up to 1.5 × (250 + 500 + 1000) ms) and the load ends only after it:
        // near the end, that is the loader's retry policy, not the pace.
        let longest_retry_chain = (FIRST_BACKOFF * 7).mul_f64(1.5).as_secs_f64();
        let mut ratios: Vec<f64> = (1..=20)
            .map(|seed| {
                let f = load(0.1, seed);
                let ratio = f.took.as_secs_f64() / clean;
                println!("10% 503, seed {seed}: {f:?}, {ratio:.3} × clean");
                assert!(f.took.as_secs_f64() <= 1.3 * clean + longest_retry_chain, "seed {seed}: {f:?}");
                ratio
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        let median = ratios[ratios.len() / 2];
        assert!(median <= 1.3, "median {median:.3} × clean");
    }
}
