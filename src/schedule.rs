//! Pure: when a source is due next. No clock: `now` is a parameter, so the
//! schedule is tested with plain values and every input it needs (error
//! count, the server's hints) comes from the database or the poll just made.
//!
//! The rules, after miniflux's scheduler and RFC 9111:
//! - after a good poll, wait the source's interval; a server hint
//!   (Cache-Control max-age, Expires, a feed's `<ttl>`) may lengthen that,
//!   never shorten it, and never beyond `max_interval`;
//! - after the n-th error in a row, wait the interval doubled n-1 times,
//!   capped at `max_backoff`, and at least the server's Retry-After (also
//!   capped): a failing source is retried forever, never given up on;
//! - every wait gets up to [`JITTER`] more, derived from the source's URL and
//!   its error count, so sources that share a host (or were added together)
//!   drift apart instead of firing together, and the result is reproducible.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

/// The largest share of a wait added as jitter.
pub const JITTER: f64 = 0.1;

/// The schedule's limits, from `[poll]` in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The wait after a good poll (`[poll] interval` or the source's own).
    pub interval: Duration,
    /// No source is polled more often than this, whatever it is configured to.
    pub min_interval: Duration,
    /// A server hint never makes a source wait longer than this.
    pub max_interval: Duration,
    /// The longest wait after errors, Retry-After included.
    pub max_backoff: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            interval: Duration::from_secs(30 * 60),
            min_interval: Duration::from_secs(5 * 60),
            max_interval: Duration::from_secs(24 * 3600),
            max_backoff: Duration::from_secs(24 * 3600),
        }
    }
}

/// What the schedule knows about a source before this poll.
#[derive(Debug, Clone, Copy)]
pub struct State<'a> {
    pub policy: Policy,
    /// The source's URL: the seed of its jitter.
    pub key: &'a str,
    /// Errors in a row before this poll.
    pub errors: u32,
}

/// How the poll ended, as far as the schedule cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Read (or 304). `freshness` is the server's hint of how long the
    /// content stays fresh.
    Success { freshness: Option<Duration> },
    /// The source could not be read; `retry_after` is the server's
    /// Retry-After (429, 503).
    Failure { retry_after: Option<Duration> },
}

/// When `state`'s source is due after a poll that ended with `outcome` at `now`.
pub fn next_check(state: State<'_>, outcome: Outcome, now: Timestamp) -> Timestamp {
    let wait = wait(state, outcome);
    let errors = match outcome {
        Outcome::Success { .. } => 0,
        Outcome::Failure { .. } => state.errors.saturating_add(1),
    };
    let wait = wait.mul_f64(1.0 + JITTER * jitter_fraction(state.key, errors));
    let wait = SignedDuration::try_from(wait).unwrap_or(SignedDuration::from_hours(24 * 30));
    let next = now.checked_add(wait).unwrap_or(now);
    // Up to the whole second, as the store keeps seconds: never early.
    let ceiled = next.as_second() + i64::from(next.subsec_nanosecond() > 0);
    Timestamp::from_second(ceiled).unwrap_or(next)
}

/// The wait before jitter.
fn wait(state: State<'_>, outcome: Outcome) -> Duration {
    let policy = state.policy;
    let interval = policy.interval.max(policy.min_interval);
    match outcome {
        Outcome::Success { freshness } => {
            // Most CMSs send max-age=0 or no-cache: a hint is a reason to
            // wait longer, never to poll more often.
            let hinted = freshness.map_or(Duration::ZERO, |f| f.min(policy.max_interval));
            interval.max(hinted)
        }
        Outcome::Failure { retry_after } => {
            let errors = state.errors.saturating_add(1);
            let factor = 1u32.checked_shl(errors - 1).unwrap_or(u32::MAX);
            let backoff = interval
                .checked_mul(factor)
                .unwrap_or(policy.max_backoff)
                .min(policy.max_backoff.max(interval));
            let asked = retry_after.map_or(Duration::ZERO, |r| r.min(policy.max_backoff));
            backoff.max(asked)
        }
    }
}

/// A number in [0, 1) fixed by the source and its error count (FNV-1a, so it
/// is the same on every build and every run).
fn jitter_fraction(key: &str, errors: u32) -> f64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes().chain(errors.to_le_bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60;
    const HOUR: u64 = 3600;

    fn now() -> Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    fn policy(interval_s: u64) -> Policy {
        Policy {
            interval: Duration::from_secs(interval_s),
            ..Policy::default()
        }
    }

    /// The wait in seconds for a source that had `errors` errors in a row
    /// before a poll ending in `outcome`: between `expected_s` and
    /// `expected_s` plus the jitter.
    #[track_caller]
    fn check(interval_s: u64, errors: u32, outcome: Outcome, expected_s: u64) {
        let state = State {
            policy: policy(interval_s),
            key: "https://www.exempelby.se/nyheter/",
            errors,
        };
        let next = next_check(state, outcome, now());
        let waited = (next.as_second() - now().as_second()) as u64;
        let most = expected_s + (expected_s as f64 * JITTER) as u64;
        assert!(
            (expected_s..=most).contains(&waited),
            "waited {waited}s, expected {expected_s}s..={most}s"
        );
    }

    fn ok() -> Outcome {
        Outcome::Success { freshness: None }
    }

    fn fresh(s: u64) -> Outcome {
        Outcome::Success {
            freshness: Some(Duration::from_secs(s)),
        }
    }

    fn failed() -> Outcome {
        Outcome::Failure { retry_after: None }
    }

    fn retry_after(s: u64) -> Outcome {
        Outcome::Failure {
            retry_after: Some(Duration::from_secs(s)),
        }
    }

    #[test]
    fn success_waits_the_interval_whatever_came_before() {
        check(30 * MIN, 0, ok(), 30 * MIN);
        check(30 * MIN, 7, ok(), 30 * MIN);
        check(2 * HOUR, 0, ok(), 2 * HOUR);
    }

    #[test]
    fn interval_is_never_below_the_minimum() {
        check(10, 0, ok(), 5 * MIN);
        check(10, 0, failed(), 5 * MIN);
    }

    #[test]
    fn freshness_hints_lengthen_within_the_maximum() {
        check(30 * MIN, 0, fresh(2 * HOUR), 2 * HOUR);
        check(30 * MIN, 0, fresh(0), 30 * MIN);
        check(30 * MIN, 0, fresh(60), 30 * MIN);
        check(30 * MIN, 0, fresh(30 * 24 * HOUR), 24 * HOUR);
    }

    #[test]
    fn errors_back_off_exponentially_capped_and_never_give_up() {
        check(30 * MIN, 0, failed(), 30 * MIN);
        check(30 * MIN, 1, failed(), HOUR);
        check(30 * MIN, 2, failed(), 2 * HOUR);
        check(30 * MIN, 5, failed(), 16 * HOUR);
        check(30 * MIN, 6, failed(), 24 * HOUR);
        check(30 * MIN, 40, failed(), 24 * HOUR);
        check(30 * MIN, u32::MAX, failed(), 24 * HOUR);
        // An interval above the cap is kept: errors never make a source
        // polled more often than when it works.
        check(48 * HOUR, 3, failed(), 48 * HOUR);
    }

    #[test]
    fn retry_after_is_a_lower_bound_capped_like_backoff() {
        check(30 * MIN, 0, retry_after(3 * HOUR), 3 * HOUR);
        check(30 * MIN, 0, retry_after(10), 30 * MIN);
        check(30 * MIN, 4, retry_after(HOUR), 8 * HOUR);
        check(30 * MIN, 0, retry_after(365 * 24 * HOUR), 24 * HOUR);
    }

    #[test]
    fn next_check_is_a_whole_second_never_early() {
        let now: Timestamp = "2026-01-01T00:00:00.5Z".parse().unwrap();
        let state = State {
            policy: policy(30 * MIN),
            key: "k",
            errors: 0,
        };
        let next = next_check(state, ok(), now);
        assert_eq!(next.subsec_nanosecond(), 0);
        assert!(next.as_second() - now.as_second() > 30 * MIN as i64);
    }

    #[test]
    fn jitter_is_reproducible_and_spreads_sources_of_one_host() {
        let at = |key: &str, errors: u32| {
            let state = State {
                policy: policy(30 * MIN),
                key,
                errors,
            };
            next_check(state, ok(), now())
        };
        let a = "https://www.exempelby.se/nyheter/";
        assert_eq!(at(a, 0), at(a, 0));
        let times: std::collections::HashSet<Timestamp> = (0..20)
            .map(|i| at(&format!("https://www.exempelby.se/lista{i}/"), 0))
            .collect();
        assert!(times.len() >= 15, "{} distinct times", times.len());
        let fraction = |k: &str| jitter_fraction(k, 0);
        assert!((0.0..1.0).contains(&fraction(a)));
        assert_ne!(jitter_fraction(a, 1), jitter_fraction(a, 2));
    }
}
