//! The only SQLite user: migrations, sources and their poll state, per-URL
//! fetch validators, and articles with their dedup keys.
//!
//! [`Store`] is synchronous; async code goes through [`Handle`], which runs
//! every call on the blocking pool so SQLite never blocks the executor.

mod feed_guids;
mod filtered;
mod fingerprints;
mod health;
mod history;
mod migrations;
mod poll_writes;
mod retention;
mod revalidate;
mod robots;
mod skipped;
mod views;

pub use retention::KnownUrl;
pub use revalidate::{FeedItemVersion, PageCheck};
pub use skipped::SkippedLink;

pub use health::{PollRecord, PollResult, SourceHealth};
pub use history::{Correction, Poll, PollOutcome, Round, POLLS_KEPT};
pub use poll_writes::PollWrites;
pub use views::{ArticleLine, ArticleView, Cursor};

use std::path::Path;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::Semaphore;
use url::Url;

use crate::config;
use crate::dedup;
use crate::export::entry_id;
use crate::fetch::Validators;
use crate::model::{Article, PageDate};

/// A storage failure, naming what was being done.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("opening database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    /// SQLite says "disk I/O error" for this; the operator needs the cause.
    #[error("opening database {path}: it is a directory, not a database file")]
    Directory { path: String },
    #[error("migrating database {path}: {source}")]
    Migrate {
        path: String,
        source: rusqlite_migration::Error,
    },
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("database task failed: {0}")]
    Task(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A source row id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub i64);

/// An article row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArticleId(pub i64);

/// A source with its poll state, as stored.
#[derive(Debug, Clone)]
pub struct SourceRow {
    pub id: SourceId,
    pub url: String,
    pub name: String,
    pub tags: Vec<String>,
    /// False once the source was removed from the source list; its articles stay.
    pub active: bool,
    pub last_polled_at: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub error_count: u32,
    pub next_check_at: Option<Timestamp>,
    pub n_articles: u64,
}

/// The page an article was read from: where it is checked for corrections,
/// with its validators and [`dedup::story_hash`] as read.
#[derive(Debug, Clone)]
pub struct ReadPage {
    pub url: Url,
    pub validators: Validators,
    pub story_hash: u64,
}

/// What happened to one article offered to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// A new story: a new row.
    Inserted(ArticleId),
    /// A story already stored under another URL (cross-post, feed link to
    /// another host): the URL was added to it.
    Merged(ArticleId),
    /// One of the article's URLs was already known.
    Known(ArticleId),
}

impl Upsert {
    pub fn is_new(&self) -> bool {
        matches!(self, Upsert::Inserted(_))
    }

    /// The article row, whatever happened.
    pub fn id(&self) -> ArticleId {
        match *self {
            Upsert::Inserted(id) | Upsert::Merged(id) | Upsert::Known(id) => id,
        }
    }
}

/// One source an article appeared on, for the feed's categories and `source`.
#[derive(Debug, Clone)]
pub struct ArticleSource {
    pub name: String,
    pub url: String,
    pub tags: Vec<String>,
    pub last_success_at: Option<Timestamp>,
}

/// An article as the export needs it.
#[derive(Debug, Clone)]
pub struct StoredArticle {
    pub id: ArticleId,
    pub entry_id: String,
    pub url: String,
    /// The story's other URLs (cross-posts, other hosts), not the main one.
    pub related: Vec<String>,
    pub title: String,
    pub published: Option<PageDate>,
    pub updated: Option<PageDate>,
    pub date_source: Option<String>,
    pub author: Option<String>,
    pub body_html: String,
    pub body_text: String,
    pub first_seen_at: Timestamp,
    pub changed_at: Timestamp,
    /// In order of first appearance.
    pub sources: Vec<ArticleSource>,
}

impl StoredArticle {
    /// Atom's `updated`: the page's updated date, else its published date,
    /// else when muniflux first saw it.
    pub fn updated_for_feed(&self) -> Timestamp {
        self.updated
            .or(self.published)
            .map(|d| d.timestamp())
            .unwrap_or(self.first_seen_at)
    }
}

pub struct Store {
    conn: Connection,
}

fn ts(t: Timestamp) -> i64 {
    t.as_second()
}

fn from_ts(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn opt_ts(s: Option<i64>) -> Option<Timestamp> {
    s.map(from_ts)
}

impl Store {
    /// Opens (creating if needed) the database at `path`, in WAL mode, and
    /// brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let shown = path.display().to_string();
        if path.is_dir() {
            return Err(Error::Directory { path: shown });
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            // A missing folder shows up as the open error below.
            let _ = std::fs::create_dir_all(parent);
        }
        let conn = Connection::open(path).map_err(|source| Error::Open {
            path: shown.clone(),
            source,
        })?;
        Store::init(conn, &shown)
    }

    /// A second connection to the database at `path` (already opened and
    /// migrated by [`Store::open`]) that refuses writes, for a
    /// [`Handle`]'s readers.
    fn open_reader(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|source| Error::Open {
            path: path.display().to_string(),
            source,
        })?;
        conn.pragma_update(None, "query_only", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(Store { conn })
    }

    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().map_err(|source| Error::Open {
            path: ":memory:".into(),
            source,
        })?;
        Store::init(conn, ":memory:")
    }

    fn init(mut conn: Connection, shown: &str) -> Result<Store> {
        // The first statements are where a file that is no database (or
        // cannot be written) fails: name the file.
        let opened = |source| Error::Open {
            path: shown.to_string(),
            source,
        };
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(opened)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(opened)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(opened)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        migrations::migrations()
            .to_latest(&mut conn)
            .map_err(|source| Error::Migrate {
                path: shown.to_string(),
                source,
            })?;
        Ok(Store { conn })
    }

    // ------------------------------------------------------------ sources

    /// Makes the stored sources match the source list: new ones are added,
    /// changed names and tags updated, missing ones marked inactive (their
    /// articles stay). Returns the active sources in list order.
    pub fn sync_sources(
        &mut self,
        sources: &[config::Source],
        now: Timestamp,
    ) -> Result<Vec<SourceRow>> {
        let tx = self.conn.transaction()?;
        tx.execute("UPDATE sources SET active = 0", [])?;
        for source in sources {
            let tags = serde_json::to_string(&source.tags).unwrap_or_else(|_| "[]".into());
            tx.prepare_cached(
                "INSERT INTO sources (url, name, tags, active, created_at) VALUES (?1, ?2, ?3, 1, ?4)
                 ON CONFLICT(url) DO UPDATE SET name = excluded.name, tags = excluded.tags, active = 1",
            )?
            .execute(params![source.url.as_str(), source.name, tags, ts(now)])?;
        }
        tx.commit()?;
        let mut rows = Vec::with_capacity(sources.len());
        for source in sources {
            if let Some(row) = self.source_by_url(source.url.as_str())? {
                rows.push(row);
            }
        }
        Ok(rows)
    }

    pub fn source_by_url(&self, url: &str) -> Result<Option<SourceRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SOURCE_SELECT} WHERE s.url = ?1"))?;
        Ok(stmt.query_row([url], source_row).optional()?)
    }

    /// Every stored source, active ones first, in insertion order.
    pub fn sources(&self) -> Result<Vec<SourceRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SOURCE_SELECT} ORDER BY s.active DESC, s.id"))?;
        let rows = stmt
            .query_map([], source_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    // ------------------------------------------------------------ fetch state

    /// The validators stored for `url` (empty when never fetched).
    pub fn validators(&self, url: &str) -> Result<Validators> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT etag, last_modified FROM fetch_state WHERE url = ?1")?;
        let found = stmt
            .query_row([url], |r| {
                Ok(Validators {
                    etag: r.get(0)?,
                    last_modified: r.get(1)?,
                })
            })
            .optional()?;
        Ok(found.unwrap_or_default())
    }

    pub fn save_validators(
        &mut self,
        url: &str,
        validators: &Validators,
        now: Timestamp,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO fetch_state (url, etag, last_modified, fetched_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,
                 last_modified = excluded.last_modified, fetched_at = excluded.fetched_at",
            params![url, validators.etag, validators.last_modified, ts(now)],
        )?;
        Ok(())
    }

    /// Forgets the validators of `url`, so the next fetch is a full one.
    pub fn clear_validators(&mut self, url: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM fetch_state WHERE url = ?1", [url])?;
        Ok(())
    }

    // ------------------------------------------------------------ articles

    /// The article stored under any of these canonical URLs.
    pub fn article_by_url(&self, canonical: &Url) -> Result<Option<ArticleId>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT article_id FROM article_urls WHERE url = ?1")?;
        Ok(stmt
            .query_row([canonical.as_str()], |r| r.get(0).map(ArticleId))
            .optional()?)
    }

    /// Notes that `source` links to a known article (so its tags apply).
    pub fn link_source(
        &mut self,
        article: ArticleId,
        source: SourceId,
        now: Timestamp,
    ) -> Result<()> {
        insert_article_source(&self.conn, article, source, now)
    }

    /// Stores one extracted article seen on `source`, deduplicating by every
    /// canonical URL in `urls` (the first is the main one) and by content.
    pub fn upsert_article(
        &mut self,
        source: SourceId,
        article: &Article,
        urls: &[Url],
        date_source: Option<&str>,
        now: Timestamp,
    ) -> Result<Upsert> {
        let tx = self.conn.transaction()?;
        let outcome = upsert_in(&tx, source, article, urls, date_source, now)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Stores one article read on `source` ([`Store::upsert_article`])
    /// with the page it was read from ([`Store::record_article_page`]), in
    /// one transaction; `None`, storing nothing, when one of its URLs was
    /// purged.
    pub fn store_read_article(
        &mut self,
        source: SourceId,
        article: &Article,
        urls: &[Url],
        date_source: Option<&str>,
        page: Option<&ReadPage>,
        now: Timestamp,
    ) -> Result<Option<Upsert>> {
        let tx = self.conn.transaction()?;
        for url in urls {
            if retention::is_tombstone(&tx, url)? {
                return Ok(None);
            }
        }
        let outcome = upsert_in(&tx, source, article, urls, date_source, now)?;
        for url in urls {
            // A page that was no article when last tried is one now.
            skipped::forget(&tx, url)?;
        }
        if let Some(page) = page {
            revalidate::insert_article_page(
                &tx,
                outcome.id(),
                &page.url,
                &page.validators,
                page.story_hash,
                now,
            )?;
        }
        tx.commit()?;
        Ok(Some(outcome))
    }

    /// The newest `limit` articles, newest first (by published date, else
    /// first-seen time).
    pub fn newest_articles(&self, limit: usize) -> Result<Vec<StoredArticle>> {
        self.articles_where("1", params![limit as i64])
    }

    /// The newest `limit` articles that came from a source with `tag`.
    pub fn newest_articles_tagged(&self, tag: &str, limit: usize) -> Result<Vec<StoredArticle>> {
        self.articles_where(
            "id IN (SELECT a.article_id FROM article_sources a
                    JOIN sources s ON s.id = a.source_id, json_each(s.tags) t
                    WHERE t.value = ?2)",
            params![limit as i64, tag],
        )
    }

    /// Articles matching the SQL `filter` (`?1` is the limit), newest first.
    fn articles_where(
        &self,
        filter: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<StoredArticle>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT a.id, a.entry_id, a.url, a.title, a.published, a.updated, a.date_source,
                    a.author, b.body_html, b.body_text, a.first_seen_at, a.changed_at
             FROM (SELECT id FROM articles WHERE {filter} ORDER BY sort_at DESC, id DESC LIMIT ?1) n
             JOIN articles a ON a.id = n.id
             JOIN article_bodies b ON b.article_id = n.id
             ORDER BY a.sort_at DESC, a.id DESC"
        ))?;
        let mut articles = stmt
            .query_map(params, |r| {
                Ok(StoredArticle {
                    id: ArticleId(r.get(0)?),
                    entry_id: r.get(1)?,
                    url: r.get(2)?,
                    related: Vec::new(),
                    title: r.get(3)?,
                    published: r
                        .get::<_, Option<String>>(4)?
                        .as_deref()
                        .and_then(PageDate::parse_stored),
                    updated: r
                        .get::<_, Option<String>>(5)?
                        .as_deref()
                        .and_then(PageDate::parse_stored),
                    date_source: r.get(6)?,
                    author: r.get(7)?,
                    body_html: r.get(8)?,
                    body_text: r.get(9)?,
                    first_seen_at: from_ts(r.get(10)?),
                    changed_at: from_ts(r.get(11)?),
                    sources: Vec::new(),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        for article in &mut articles {
            article.related = self.related_urls(article.id, &article.url)?;
            article.sources = self.article_sources(article.id)?;
        }
        Ok(articles)
    }

    pub fn article_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM articles", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    fn related_urls(&self, id: ArticleId, main: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT url FROM article_urls WHERE article_id = ?1 AND url <> ?2 ORDER BY rowid",
        )?;
        let urls = stmt
            .query_map(params![id.0, main], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(urls)
    }

    fn article_sources(&self, id: ArticleId) -> Result<Vec<ArticleSource>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.name, s.url, s.tags, s.last_success_at FROM article_sources a
             JOIN sources s ON s.id = a.source_id WHERE a.article_id = ?1
             ORDER BY a.first_seen_at, s.id",
        )?;
        let sources = stmt
            .query_map([id.0], |r| {
                Ok(ArticleSource {
                    name: r.get(0)?,
                    url: r.get(1)?,
                    tags: parse_tags(&r.get::<_, String>(2)?),
                    last_success_at: opt_ts(r.get(3)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(sources)
    }
}

fn parse_tags(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

const SOURCE_SELECT: &str = "SELECT s.id, s.url, s.name, s.tags, s.active, s.last_polled_at,
        s.last_success_at, s.last_error, s.error_count, s.next_check_at, s.n_articles
    FROM sources s";

fn source_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SourceRow> {
    Ok(SourceRow {
        id: SourceId(r.get(0)?),
        url: r.get(1)?,
        name: r.get(2)?,
        tags: parse_tags(&r.get::<_, String>(3)?),
        active: r.get(4)?,
        last_polled_at: opt_ts(r.get(5)?),
        last_success_at: opt_ts(r.get(6)?),
        last_error: r.get(7)?,
        error_count: r.get(8)?,
        next_check_at: opt_ts(r.get(9)?),
        n_articles: r.get::<_, i64>(10)? as u64,
    })
}

/// Finds the stored story for `article`: `Known` under one of its URLs,
/// else `Merged` when another URL holds the same story (cross-post).
fn find_existing(
    tx: &rusqlite::Transaction<'_>,
    article: &Article,
    urls: &[Url],
) -> Result<Option<Upsert>> {
    for url in urls {
        let found: Option<i64> = tx
            .query_row(
                "SELECT article_id FROM article_urls WHERE url = ?1",
                [url.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = found {
            return Ok(Some(Upsert::Known(ArticleId(id))));
        }
    }
    let new = dedup::Story {
        title: &article.title,
        body: &article.body_text,
    };
    let main = urls.first().unwrap_or(&article.url);
    let same = |c: &fingerprints::Candidate| {
        let stored = dedup::Story {
            title: &c.title,
            body: &c.body_text,
        };
        dedup::same_story(stored, new)
            || (dedup::same_page(stored, new)
                && Url::parse(&c.url).is_ok_and(|u| crate::canonical::same_site(&u, main)))
    };
    Ok(
        fingerprints::candidates(tx, &article.title, &article.body_text)?
            .into_iter()
            .find(same)
            .map(|c| Upsert::Merged(c.id)),
    )
}

fn upsert_in(
    tx: &rusqlite::Transaction<'_>,
    source: SourceId,
    article: &Article,
    urls: &[Url],
    date_source: Option<&str>,
    now: Timestamp,
) -> Result<Upsert> {
    let outcome = match find_existing(tx, article, urls)? {
        Some(Upsert::Merged(id)) => {
            keep_coarser_published(tx, id, article)?;
            Upsert::Merged(id)
        }
        Some(found) => found,
        None => Upsert::Inserted(insert_article(tx, article, urls, date_source, now)?),
    };
    let id = outcome.id();
    for url in urls {
        tx.execute(
            "INSERT OR IGNORE INTO article_urls (url, article_id) VALUES (?1, ?2)",
            params![url.as_str(), id.0],
        )?;
    }
    insert_article_source(tx, id, source, now)?;
    Ok(outcome)
}

/// Records that `source` led to `article` (once per pair).
fn insert_article_source(
    conn: &Connection,
    article: ArticleId,
    source: SourceId,
    now: Timestamp,
) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO article_sources (article_id, source_id, first_seen_at, sort_at)
         VALUES (?1, ?2, ?3, COALESCE((SELECT sort_at FROM articles WHERE id = ?1), 0))",
        params![article.0, source.0, ts(now)],
    )?;
    Ok(())
}

fn insert_article(
    tx: &rusqlite::Transaction<'_>,
    article: &Article,
    urls: &[Url],
    date_source: Option<&str>,
    now: Timestamp,
) -> Result<ArticleId> {
    let main = urls.first().unwrap_or(&article.url);
    let published = article.published.as_ref().map(|d| d.date);
    let updated = article.updated.as_ref().map(|d| d.date);
    let sort_at = published.map(|d| d.timestamp()).unwrap_or(now);
    tx.execute(
        "INSERT INTO articles (key, entry_id, url, title, title_norm, published, updated, date_source,
             author, first_seen_at, changed_at, sort_at)
         VALUES (?1, ?2, ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
        params![
            main.as_str(),
            entry_id(main),
            article.title,
            dedup::normalize_title(&article.title),
            published.map(|d| d.to_string()),
            updated.map(|d| d.to_string()),
            date_source,
            article.author,
            ts(now),
            ts(sort_at),
        ],
    )?;
    let id = ArticleId(tx.last_insert_rowid());
    tx.execute(
        "INSERT INTO article_bodies (article_id, body_html, body_text) VALUES (?1, ?2, ?3)",
        params![id.0, article.body_html, article.body_text],
    )?;
    fingerprints::write_bands(tx, id, &article.body_text)?;
    Ok(id)
}

/// A cross-post that states the same day with less precision wins: the
/// story's published date is the one every copy agrees on.
fn keep_coarser_published(
    tx: &rusqlite::Transaction<'_>,
    id: ArticleId,
    article: &Article,
) -> Result<()> {
    let Some(new) = article.published.as_ref().map(|d| d.date) else {
        return Ok(());
    };
    let stored: Option<String> = tx.query_row(
        "SELECT published FROM articles WHERE id = ?1",
        [id.0],
        |r| r.get(0),
    )?;
    let Some(old) = stored.as_deref().and_then(PageDate::parse_stored) else {
        return Ok(());
    };
    if new.is_day_only() && !old.is_day_only() && new.local_day() == old.local_day() {
        tx.execute(
            "UPDATE articles SET published = ?2 WHERE id = ?1",
            params![id.0, new.to_string()],
        )?;
    }
    Ok(())
}

/// How many read-only connections a [`Handle`] opened on a file keeps:
/// reads (validators, known URLs, revalidation picks, the feed, the status
/// page) run on these beside the one writer, which WAL allows, instead of
/// queueing behind it.
pub const READERS: usize = 4;

/// The async face of the store. Each call runs on the blocking pool, but
/// only once it has its turn: one write at a time on the one writing
/// connection, and as many reads as there are reading connections. Waiting
/// for a turn is an async wait, so a burst of calls never parks a blocking
/// thread per call.
#[derive(Clone)]
pub struct Handle {
    writer: Arc<Mutex<Store>>,
    write_turn: Arc<Semaphore>,
    readers: Option<Arc<Readers>>,
}

/// The reading connections not in use, and a turn for each.
struct Readers {
    idle: Mutex<Vec<Store>>,
    turn: Semaphore,
}

impl Handle {
    /// A handle whose reads share the one connection with the writes (an
    /// in-memory store has no other).
    pub fn new(store: Store) -> Handle {
        Handle {
            writer: Arc::new(Mutex::new(store)),
            write_turn: Arc::new(Semaphore::new(1)),
            readers: None,
        }
    }

    /// Opens the database at `path` ([`Store::open`], migrating it) with
    /// `readers` more connections that only read.
    pub fn open(path: &Path, readers: usize) -> Result<Handle> {
        let mut handle = Handle::new(Store::open(path)?);
        if readers > 0 {
            let idle = (0..readers)
                .map(|_| Store::open_reader(path))
                .collect::<Result<Vec<_>>>()?;
            handle.readers = Some(Arc::new(Readers {
                idle: Mutex::new(idle),
                turn: Semaphore::new(readers),
            }));
        }
        Ok(handle)
    }

    /// Runs `f` with the writing connection on a blocking thread, after the
    /// writes queued before it.
    pub async fn call<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut Store) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        // Never fails: the semaphore is never closed.
        let _turn = self.write_turn.acquire().await;
        let store = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || f(&mut lock(&store)))
            .await
            .map_err(|e| Error::Task(e.to_string()))?
    }

    /// Runs `f`, which only reads, on a reading connection (or the writing
    /// one when there are none), without waiting for writes.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Store) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let Some(readers) = &self.readers else {
            return self.call(move |s| f(s)).await;
        };
        let _turn = readers.turn.acquire().await;
        let readers = Arc::clone(readers);
        tokio::task::spawn_blocking(move || {
            // A turn guarantees an idle connection.
            let store = lock(&readers.idle).pop().expect("a reader per turn");
            let result = f(&store);
            lock(&readers.idle).push(store);
            result
        })
        .await
        .map_err(|e| Error::Task(e.to_string()))?
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests;
