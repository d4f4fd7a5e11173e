//! Reads for the operator's pages (`serve`'s `/`, `/sources/<id>`,
//! `/articles/<id>`). Each starts from an index and reads about as many
//! rows as the page shows, whatever the size of the store.

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};

use super::{from_ts, opt_ts, ArticleId, Result, SourceId, Store};
use crate::model::PageDate;

/// One article in a list: the summary's latest entries, a source's
/// articles.
#[derive(Debug, Clone)]
pub struct ArticleLine {
    pub id: ArticleId,
    pub title: String,
    pub url: String,
    pub published: Option<PageDate>,
    pub updated: Option<PageDate>,
    /// Where the dates came from (`json-ld:datePublished`, `feed` ...).
    pub date_source: Option<String>,
    /// When muniflux stored it (in a source's list: when that source
    /// first led to it).
    pub first_seen_at: Timestamp,
    /// The feed's order: the published date, else the first-seen time.
    pub sort_at: i64,
    /// The first source that carried it.
    pub source: Option<(SourceId, String)>,
    /// Characters of body text; only in a source's list.
    pub body_chars: Option<u64>,
}

/// One stored article as its page shows it.
#[derive(Debug, Clone)]
pub struct ArticleView {
    pub line: ArticleLine,
    pub entry_id: String,
    pub author: Option<String>,
    pub body_html: String,
    /// Every URL the story is known by, in the order they were added.
    pub urls: Vec<String>,
    /// The sources that carried it, first one first, with when each first
    /// led to it.
    pub sources: Vec<(SourceId, String, Timestamp)>,
    /// The page it is checked for corrections from, and when it was last
    /// checked.
    pub page: Option<(String, Timestamp)>,
    pub changed_at: Timestamp,
}

/// A place in a source's articles, newest first: the feed order's key of
/// the last article shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub sort_at: i64,
    pub id: ArticleId,
}

/// The newest articles of the merged feed with their first source: the
/// `articles_by_sort` index, then one lookup each.
pub(super) const LATEST_ARTICLES: &str =
    "SELECT a.id, a.title, a.url, a.published, a.updated, a.date_source, a.first_seen_at,
            a.sort_at, s.id, s.name
     FROM articles a
     LEFT JOIN sources s ON s.id = (
         SELECT x.source_id FROM article_sources x WHERE x.article_id = a.id
         ORDER BY x.first_seen_at, x.source_id LIMIT 1)
     ORDER BY a.sort_at DESC, a.id DESC LIMIT ?1";

/// Articles stored since a time: a range of `articles_by_first_seen`.
pub(super) const STORED_SINCE: &str = "SELECT COUNT(*) FROM articles WHERE first_seen_at >= ?1";

/// When one source led to its articles since a time: a range of
/// `article_sources_by_source`.
pub(super) const SOURCE_LINKS_SINCE: &str =
    "SELECT first_seen_at FROM article_sources WHERE source_id = ?1 AND first_seen_at >= ?2";

/// One page of a source's articles in feed order: a range of
/// `article_sources_by_sort`, then one lookup each.
pub(super) const SOURCE_ARTICLES: &str =
    "SELECT a.id, a.title, a.url, a.published, a.updated, a.date_source, x.first_seen_at,
            x.sort_at, length(b.body_text)
     FROM article_sources x
     CROSS JOIN articles a ON a.id = x.article_id
     LEFT JOIN article_bodies b ON b.article_id = x.article_id
     WHERE x.source_id = ?1 AND (x.sort_at, x.article_id) < (?2, ?3)
     ORDER BY x.sort_at DESC, x.article_id DESC LIMIT ?4";

fn page_date(text: Option<String>) -> Option<PageDate> {
    text.as_deref().and_then(PageDate::parse_stored)
}

fn line(r: &rusqlite::Row<'_>) -> rusqlite::Result<ArticleLine> {
    Ok(ArticleLine {
        id: ArticleId(r.get(0)?),
        title: r.get(1)?,
        url: r.get(2)?,
        published: page_date(r.get(3)?),
        updated: page_date(r.get(4)?),
        date_source: r.get(5)?,
        first_seen_at: from_ts(r.get(6)?),
        sort_at: r.get(7)?,
        source: None,
        body_chars: None,
    })
}

impl Store {
    /// The newest `limit` articles of the merged feed, with their first
    /// source (the `articles_by_sort` index, then one lookup each).
    pub fn latest_articles(&self, limit: usize) -> Result<Vec<ArticleLine>> {
        let mut stmt = self.conn.prepare_cached(LATEST_ARTICLES)?;
        let lines = stmt
            .query_map([limit as i64], |r| {
                let mut line = line(r)?;
                if let (Some(id), Some(name)) = (r.get::<_, Option<i64>>(8)?, r.get(9)?) {
                    line.source = Some((SourceId(id), name));
                }
                Ok(line)
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(lines)
    }

    /// How many articles were stored at or after `since`.
    pub fn articles_stored_since(&self, since: Timestamp) -> Result<u64> {
        Ok(self
            .conn
            .prepare_cached(STORED_SINCE)?
            .query_row([since.as_second()], |r| r.get::<_, i64>(0))? as u64)
    }

    /// When `source` first led to each of its articles since `since`
    /// (a range of `article_sources_by_source`).
    pub fn source_links_since(&self, source: SourceId, since: Timestamp) -> Result<Vec<Timestamp>> {
        let mut stmt = self.conn.prepare_cached(SOURCE_LINKS_SINCE)?;
        let times = stmt
            .query_map(params![source.0, since.as_second()], |r| {
                r.get(0).map(from_ts)
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(times)
    }

    /// Up to `limit` articles `source` led to, in feed order (newest
    /// first), after `after` (a range of `article_sources_by_sort`).
    pub fn source_articles(
        &self,
        source: SourceId,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<Vec<ArticleLine>> {
        let after = after.unwrap_or(Cursor {
            sort_at: i64::MAX,
            id: ArticleId(i64::MAX),
        });
        let mut stmt = self.conn.prepare_cached(SOURCE_ARTICLES)?;
        let lines = stmt
            .query_map(
                params![source.0, after.sort_at, after.id.0, limit as i64],
                |r| {
                    let mut line = line(r)?;
                    line.body_chars = r.get::<_, Option<i64>>(8)?.map(|n| n as u64);
                    Ok(line)
                },
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(lines)
    }

    /// One article with everything its page shows, `None` when there is
    /// no such article (never stored, or purged).
    pub fn article_view(&self, id: ArticleId) -> Result<Option<ArticleView>> {
        let found = self
            .conn
            .prepare_cached(
                "SELECT a.id, a.title, a.url, a.published, a.updated, a.date_source,
                        a.first_seen_at, a.sort_at, a.entry_id, a.author,
                        b.body_html, length(b.body_text), a.changed_at
                 FROM articles a LEFT JOIN article_bodies b ON b.article_id = a.id
                 WHERE a.id = ?1",
            )?
            .query_row([id.0], |r| {
                let mut line = line(r)?;
                line.body_chars = r.get::<_, Option<i64>>(11)?.map(|n| n as u64);
                Ok(ArticleView {
                    line,
                    entry_id: r.get(8)?,
                    author: r.get(9)?,
                    body_html: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
                    urls: Vec::new(),
                    sources: Vec::new(),
                    page: None,
                    changed_at: from_ts(r.get(12)?),
                })
            })
            .optional()?;
        let Some(mut view) = found else {
            return Ok(None);
        };
        view.urls = self
            .conn
            .prepare_cached("SELECT url FROM article_urls WHERE article_id = ?1 ORDER BY rowid")?
            .query_map([id.0], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?;
        view.sources = self
            .conn
            .prepare_cached(
                "SELECT s.id, s.name, x.first_seen_at FROM article_sources x
                 JOIN sources s ON s.id = x.source_id WHERE x.article_id = ?1
                 ORDER BY x.first_seen_at, s.id",
            )?
            .query_map([id.0], |r| {
                Ok((SourceId(r.get(0)?), r.get(1)?, from_ts(r.get(2)?)))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        view.line.source = view
            .sources
            .first()
            .map(|(id, name, _)| (*id, name.clone()));
        view.page = self
            .conn
            .prepare_cached("SELECT url, checked_at FROM article_pages WHERE article_id = ?1")?
            .query_row([id.0], |r| {
                let checked: i64 = r.get(1)?;
                Ok((
                    r.get(0)?,
                    opt_ts(Some(checked / 1000)).unwrap_or(Timestamp::UNIX_EPOCH),
                ))
            })
            .optional()?;
        Ok(Some(view))
    }
}
