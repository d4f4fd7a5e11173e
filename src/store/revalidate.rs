//! Corrections: the article page each article was read from, with its
//! validators and a hash of the story as last extracted, so a recent article
//! can be re-checked with a conditional GET and updated in place when its
//! headline or body really changed.

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};
use url::Url;

use super::{fingerprints, history, ts, ArticleId, Result, SourceId, Store};

/// Check times are kept to the millisecond: a poll started in the same
/// second as the previous one's checks must still see them as earlier.
fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}
use crate::dedup;
use crate::fetch::Validators;
use crate::model::{Article, PageDate};

/// One article page due for a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCheck {
    pub article: ArticleId,
    pub url: String,
    pub validators: Validators,
    /// [`dedup::story_hash`] of the page as last extracted.
    pub story_hash: u64,
}

/// How long after it was first seen an article is checked on every poll.
const EVERY_POLL_FOR: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// After [`EVERY_POLL_FOR`], an article is checked again once the time
/// since its last check reaches its age divided by this: about 16 × ln(window
/// / 1 day) more checks over the window instead of one per poll.
pub const SPACING_DIVISOR: i64 = 16;

/// See [`Store::record_article_page`].
pub(super) fn insert_article_page(
    conn: &rusqlite::Connection,
    article: ArticleId,
    url: &Url,
    validators: &Validators,
    story_hash: u64,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO article_pages
             (article_id, url, etag, last_modified, story_hash, checked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        article.0,
        url.as_str(),
        validators.etag,
        validators.last_modified,
        story_hash as i64,
        ms(now)
    ])?;
    Ok(())
}

/// The revalidation pick of one source. It starts from that source's range
/// of `article_sources_by_source` (`source_id`, then `first_seen_at` within
/// the window), so its cost follows the source's recent articles, never the
/// whole store: `CROSS JOIN` keeps SQLite from driving it from
/// `article_pages` instead. An article is checked by its first source only
/// (no other source linked it earlier, or at the same second with a lower
/// id), whose link time is the article's first-seen time.
pub(super) const PAGES_TO_REVALIDATE: &str =
    "SELECT p.article_id, p.url, p.etag, p.last_modified, p.story_hash
     FROM article_sources s
     CROSS JOIN articles a ON a.id = s.article_id
     CROSS JOIN article_pages p ON p.article_id = s.article_id
     WHERE s.source_id = ?1 AND s.first_seen_at >= ?2
       AND a.first_seen_at >= ?2 AND p.checked_at < ?3
       AND (a.first_seen_at > ?5 OR p.checked_at <= ?3 - (?6 - a.first_seen_at) * 1000 / ?7)
       AND NOT EXISTS (SELECT 1 FROM article_sources e
                       WHERE e.article_id = s.article_id
                         AND (e.first_seen_at < s.first_seen_at
                              OR (e.first_seen_at = s.first_seen_at AND e.source_id < s.source_id)))
     ORDER BY p.checked_at, a.sort_at DESC, a.id DESC
     LIMIT ?4";

/// A full-text feed item compared with the version seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedItemVersion {
    /// First seen from this source: recorded, nothing to compare.
    New,
    Unchanged,
    /// The item's text changed and its article has no page of its own to
    /// be corrected from: it is corrected from the feed.
    Changed,
    /// The item's text changed, but the article is corrected from its page.
    ChangedButReadFromPage,
}

impl Store {
    /// Compares a full-text feed item of `source` with the version recorded
    /// for its link, and records this one (a correction is applied by the
    /// caller).
    pub fn feed_item_version(
        &mut self,
        source: SourceId,
        link: &str,
        article: ArticleId,
        story_hash: u64,
    ) -> Result<FeedItemVersion> {
        let tx = self.conn.transaction()?;
        let before: Option<i64> = tx
            .query_row(
                "SELECT story_hash FROM feed_item_versions WHERE source_id = ?1 AND link = ?2",
                params![source.0, link],
                |r| r.get(0),
            )
            .optional()?;
        tx.execute(
            "INSERT INTO feed_item_versions (source_id, link, article_id, story_hash)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(source_id, link) DO UPDATE SET story_hash = excluded.story_hash",
            params![source.0, link, article.0, story_hash as i64],
        )?;
        let has_page = tx
            .query_row(
                "SELECT 1 FROM article_pages WHERE article_id = ?1",
                [article.0],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        tx.commit()?;
        Ok(match before {
            None => FeedItemVersion::New,
            Some(h) if h as u64 == story_hash => FeedItemVersion::Unchanged,
            Some(_) if has_page => FeedItemVersion::ChangedButReadFromPage,
            Some(_) => FeedItemVersion::Changed,
        })
    }

    /// Remembers the page `article` was read from, unless it already has one
    /// (the first page read stays the one that is checked).
    pub fn record_article_page(
        &mut self,
        article: ArticleId,
        url: &Url,
        validators: &Validators,
        story_hash: u64,
        now: Timestamp,
    ) -> Result<()> {
        insert_article_page(&self.conn, article, url, validators, story_hash, now)
    }

    /// Up to `limit` pages due for a check when `source` is polled at `now`
    /// (the poll's start): those of articles first found through `source`
    /// (so an article listed by two sources is checked once a round), first
    /// seen at or after `seen_since`, not checked since `now` (not the ones
    /// read in this very poll), and spaced out with age: an article first
    /// seen within the last day is checked on every poll, an older one once
    /// its last check is a [`SPACING_DIVISOR`]th of its age ago (every 1.5 h
    /// at one day, every 21 h at two weeks). Least recently checked first,
    /// then newest first: fresh news is what gets corrected.
    pub fn pages_to_revalidate(
        &self,
        source: SourceId,
        seen_since: Timestamp,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<PageCheck>> {
        let mut stmt = self.conn.prepare_cached(PAGES_TO_REVALIDATE)?;
        let every_poll_since = now.checked_sub(EVERY_POLL_FOR).unwrap_or(Timestamp::MIN);
        let pages = stmt
            .query_map(
                params![
                    source.0,
                    ts(seen_since),
                    ms(now),
                    limit as i64,
                    ts(every_poll_since),
                    ts(now),
                    SPACING_DIVISOR
                ],
                |r| {
                    Ok(PageCheck {
                        article: ArticleId(r.get(0)?),
                        url: r.get(1)?,
                        validators: Validators {
                            etag: r.get(2)?,
                            last_modified: r.get(3)?,
                        },
                        story_hash: r.get::<_, i64>(4)? as u64,
                    })
                },
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(pages)
    }

    /// Records a check that found no change: the page's new validators (when
    /// it was fetched) and the time.
    pub fn page_unchanged(
        &mut self,
        article: ArticleId,
        validators: Option<&Validators>,
        now: Timestamp,
    ) -> Result<()> {
        match validators {
            Some(v) => self.conn.execute(
                "UPDATE article_pages SET etag = ?2, last_modified = ?3, checked_at = ?4
                 WHERE article_id = ?1",
                params![article.0, v.etag, v.last_modified, ms(now)],
            )?,
            None => self.conn.execute(
                "UPDATE article_pages SET checked_at = ?2 WHERE article_id = ?1",
                params![article.0, ms(now)],
            )?,
        };
        Ok(())
    }

    /// Updates an article in place from a corrected extraction of its page:
    /// new headline (unless the page lost it) and body, `updated` set to the page's update date when it
    /// is newer than what was stored, else to `now`; same row, id and URLs.
    /// What changed is kept ([`Store::corrections`]).
    pub fn apply_correction(
        &mut self,
        id: ArticleId,
        corrected: &Article,
        validators: &Validators,
        now: Timestamp,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        type Stored = (Option<String>, Option<String>, String, String);
        let stored: Option<Stored> = tx
            .query_row(
                "SELECT a.published, a.updated, a.title, b.body_text
                 FROM articles a JOIN article_bodies b ON b.article_id = a.id WHERE a.id = ?1",
                [id.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((published, updated, title_before, body_before)) = stored else {
            return Ok(());
        };
        let latest_known = [updated.clone(), published]
            .iter()
            .flatten()
            .filter_map(|d| PageDate::parse_stored(d))
            .map(|d| d.timestamp())
            .max();
        let new_updated = corrected
            .updated
            .as_ref()
            .map(|d| d.date)
            .filter(|d| latest_known.is_none_or(|known| d.timestamp() > known))
            .unwrap_or(PageDate::Time(now));
        let title_after = match corrected.title.trim() {
            "" => title_before.as_str(),
            title => title,
        };
        history::insert_correction(
            &tx,
            id,
            &history::Versions {
                title_before: &title_before,
                title_after,
                updated_before: updated.as_deref(),
                updated_after: &new_updated.to_string(),
                body_before: &body_before,
                body_after: &corrected.body_text,
            },
            now,
        )?;
        tx.execute(
            "UPDATE articles SET title = CASE WHEN ?2 = '' THEN title ELSE ?2 END,
                 title_norm = CASE WHEN ?2 = '' THEN title_norm ELSE ?3 END,
                 updated = ?4, changed_at = ?5
             WHERE id = ?1",
            params![
                id.0,
                corrected.title.trim(),
                dedup::normalize_title(&corrected.title),
                new_updated.to_string(),
                ts(now)
            ],
        )?;
        tx.execute(
            "UPDATE article_bodies SET body_html = ?2, body_text = ?3 WHERE article_id = ?1",
            params![id.0, corrected.body_html, corrected.body_text],
        )?;
        fingerprints::write_bands(&tx, id, &corrected.body_text)?;
        tx.execute(
            "UPDATE article_pages SET etag = ?2, last_modified = ?3, story_hash = ?4, checked_at = ?5
             WHERE article_id = ?1",
            params![
                id.0,
                validators.etag,
                validators.last_modified,
                dedup::story_hash(&corrected.title, &corrected.body_text) as i64,
                ms(now)
            ],
        )?;
        tx.commit()?;
        Ok(())
    }
}
