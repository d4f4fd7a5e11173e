//! Pure: when a source is due next. No clock: `now` is a parameter.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

/// The longest a failing source waits before it is tried again: it is never
/// given up on.
pub const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);

/// The next check after a poll: `interval` after a success; after the
/// `errors`-th error in a row, `interval` doubled per earlier error, capped
/// at [`MAX_BACKOFF`] (but never sooner than `interval`).
pub fn next_check(interval: Duration, errors: u32, now: Timestamp) -> Timestamp {
    let wait = if errors <= 1 {
        interval
    } else {
        let factor = 1u32.checked_shl(errors - 1).unwrap_or(u32::MAX);
        interval
            .checked_mul(factor)
            .unwrap_or(MAX_BACKOFF)
            .min(MAX_BACKOFF)
            .max(interval)
    };
    let wait = SignedDuration::try_from(wait).unwrap_or(SignedDuration::from_hours(24));
    now.checked_add(wait).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(interval_s: u64, errors: u32, expected_s: i64) {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let next = next_check(Duration::from_secs(interval_s), errors, now);
        assert_eq!(next.as_second() - now.as_second(), expected_s);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        check(1800, 0, 1800);
        check(1800, 1, 1800);
        check(1800, 2, 3600);
        check(1800, 3, 7200);
        check(1800, 10, 86400);
        check(1800, 200, 86400);
        check(200_000, 3, 200_000);
    }
}
