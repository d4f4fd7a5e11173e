//! Retention: old articles are purged, but every URL they were known by is
//! kept as a tombstone, so a list page that still links them does not bring
//! them back as new.

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};
use url::Url;

use super::{ts, ArticleId, Result, Store};

/// What the store knows about a canonical URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownUrl {
    /// A stored article.
    Article(ArticleId),
    /// An article that was purged; it must not be fetched or stored again.
    Purged,
}

/// See [`Store::is_purged`].
pub(super) fn is_tombstone(conn: &rusqlite::Connection, canonical: &Url) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM tombstones WHERE url = ?1")?;
    Ok(stmt
        .query_row([canonical.as_str()], |_| Ok(()))
        .optional()?
        .is_some())
}

impl Store {
    /// The stored or purged article under this canonical URL, if any.
    pub fn known_url(&self, canonical: &Url) -> Result<Option<KnownUrl>> {
        if let Some(id) = self.article_by_url(canonical)? {
            return Ok(Some(KnownUrl::Article(id)));
        }
        Ok(self.is_purged(canonical)?.then_some(KnownUrl::Purged))
    }

    /// Whether an article under this canonical URL was purged.
    pub fn is_purged(&self, canonical: &Url) -> Result<bool> {
        is_tombstone(&self.conn, canonical)
    }

    /// Purges every article first seen no later than `cutoff` whose own
    /// date (or first-seen time, when it has none) is no later either, leaving a
    /// tombstone for each of its URLs. Returns how many were purged.
    ///
    /// Both conditions matter: an archive read for the first time today is
    /// kept for the whole retention period however old its dates, and an
    /// article announced ahead of its date is kept until that date is old.
    pub fn purge_older_than(&mut self, cutoff: Timestamp, now: Timestamp) -> Result<usize> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO tombstones (url, entry_id, purged_at)
             SELECT u.url, a.entry_id, ?2 FROM articles a JOIN article_urls u ON u.article_id = a.id
             WHERE a.first_seen_at <= ?1 AND a.sort_at <= ?1",
            params![ts(cutoff), ts(now)],
        )?;
        let purged = tx.execute(
            "DELETE FROM articles WHERE first_seen_at <= ?1 AND sort_at <= ?1",
            [ts(cutoff)],
        )?;
        tx.commit()?;
        Ok(purged)
    }
}
