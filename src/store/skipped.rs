//! Links that led to no article (a PDF, an image, a page that yields no
//! article): remembered with the reason, and not fetched again until a long
//! back-off has passed. A news list that links its PDF attachments or a
//! "Lediga jobb" page would otherwise cost a download of each on every
//! poll of the list.

use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};
use url::Url;

use super::{from_ts, ts, Result, Store};

/// The wait after the first skip; it doubles with each skip after that.
const FIRST_RETRY: Duration = Duration::from_secs(7 * 24 * 3600);
/// The longest wait: a page can become an article (a placeholder filled
/// in), so no link is given up on for good.
const LONGEST_RETRY: Duration = Duration::from_secs(90 * 24 * 3600);

/// A link remembered as no article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLink {
    /// Why it is no article ("a PDF", "no article found at ...").
    pub reason: String,
    /// How many times it was fetched and found to be no article.
    pub attempts: u32,
    /// When it is fetched again.
    pub retry_at: Timestamp,
}

/// How long a link found to be no article `attempts` times in a row waits
/// before it is fetched again: 7 days, doubling, at most 90.
pub fn retry_after(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    FIRST_RETRY
        .saturating_mul(1 << doublings)
        .min(LONGEST_RETRY)
}

impl Store {
    /// What is remembered of a link (by canonical URL) that was no article.
    pub fn skipped_link(&self, canonical: &Url) -> Result<Option<SkippedLink>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT reason, attempts, retry_at FROM skipped_links WHERE url = ?1",
        )?;
        Ok(stmt
            .query_row([canonical.as_str()], |r| {
                Ok(SkippedLink {
                    reason: r.get(0)?,
                    attempts: r.get(1)?,
                    retry_at: from_ts(r.get(2)?),
                })
            })
            .optional()?)
    }

    /// Remembers that `canonical` was no article (again), and when to try it
    /// next.
    pub fn record_skipped_link(
        &mut self,
        canonical: &Url,
        reason: &str,
        now: Timestamp,
    ) -> Result<SkippedLink> {
        let attempts = self
            .skipped_link(canonical)?
            .map_or(1, |known| known.attempts.saturating_add(1));
        let wait = jiff::SignedDuration::try_from(retry_after(attempts))
            .unwrap_or(jiff::SignedDuration::MAX);
        let retry_at = now.saturating_add(wait).unwrap_or(now);
        self.conn.execute(
            "INSERT INTO skipped_links (url, reason, attempts, skipped_at, retry_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (url) DO UPDATE SET reason = ?2, attempts = ?3,
                 skipped_at = ?4, retry_at = ?5",
            params![canonical.as_str(), reason, attempts, ts(now), ts(retry_at)],
        )?;
        Ok(SkippedLink {
            reason: reason.to_string(),
            attempts,
            retry_at: from_ts(ts(retry_at)),
        })
    }

    /// Forgets a link that turned out to be an article after all.
    pub fn forget_skipped_link(&mut self, canonical: &Url) -> Result<()> {
        forget(&self.conn, canonical)
    }
}

/// See [`Store::forget_skipped_link`].
pub(super) fn forget(conn: &rusqlite::Connection, canonical: &Url) -> Result<()> {
    conn.prepare_cached("DELETE FROM skipped_links WHERE url = ?1")?
        .execute([canonical.as_str()])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_a_week_to_at_most_ninety_days() {
        let days = |n: u64| Duration::from_secs(n * 24 * 3600);
        assert_eq!(retry_after(0), days(7));
        assert_eq!(retry_after(1), days(7));
        assert_eq!(retry_after(2), days(14));
        assert_eq!(retry_after(4), days(56));
        assert_eq!(retry_after(5), days(90));
        assert_eq!(retry_after(u32::MAX), days(90));
    }

    #[test]
    fn a_skipped_link_is_remembered_until_forgotten() {
        let mut store = Store::open_in_memory().unwrap();
        let url = Url::parse("https://x.se/bilaga.pdf").unwrap();
        let now: Timestamp = "2024-03-01T00:00:00Z".parse().unwrap();
        assert_eq!(store.skipped_link(&url).unwrap(), None);
        let first = store.record_skipped_link(&url, "a PDF", now).unwrap();
        assert_eq!(first.attempts, 1);
        assert_eq!(first.retry_at, "2024-03-08T00:00:00Z".parse().unwrap());
        assert_eq!(store.skipped_link(&url).unwrap(), Some(first.clone()));
        let later = first.retry_at;
        let second = store
            .record_skipped_link(&url, "no article found", later)
            .unwrap();
        assert_eq!(second.attempts, 2);
        assert_eq!(second.reason, "no article found");
        assert_eq!(second.retry_at, "2024-03-22T00:00:00Z".parse().unwrap());
        store.forget_skipped_link(&url).unwrap();
        assert_eq!(store.skipped_link(&url).unwrap(), None);
    }
}
