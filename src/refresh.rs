//! One source through fetch -> extract -> store: the only place that knows
//! the order.
//!
//! A source is a feed or a news-list page, told apart by content. A list page
//! yields article links (following next-page links); a feed yields items whose
//! text is used when it is the full article and fetched from the article page
//! when it is only a summary. Every article is keyed by its canonical URLs and
//! offered to the store, which deduplicates.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use url::Url;

use crate::canonical::canonical_url;
use crate::config::Source;
use crate::extract::{
    self, article::extract_article_with, charset, feed::items_from_feed, html::clean_fragment,
    links::links_from_list_with, overrides::Overrides, sniff::page_kind,
};
use crate::fetch::{self, Outcome, Validators};
use crate::metrics::{Metrics, PollResult};
use crate::model::{Article, FeedItem, PageKind};
use crate::schedule;
use crate::store::{self, ArticleId, SourceRow};
use crate::store::{PollRecord, PollResult as StoredResult};

/// Limits for one refresh.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How many pages of a list to read (the first counts).
    pub max_pages: u32,
    /// How many new articles to fetch in one refresh of one source.
    pub max_new_articles: usize,
    /// The schedule of a source without its own interval.
    pub policy: schedule::Policy,
}

/// What one refresh did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub not_modified: bool,
    /// HTTP status of the source page (304 included).
    pub status: Option<u16>,
    /// How long the server says the source stays fresh (Cache-Control,
    /// Expires, or the feed's `<ttl>`, whichever is longest).
    pub freshness: Option<Duration>,
    /// Where the source moved to, when every redirect hop was permanent.
    pub moved_to: Option<Url>,
    pub kind: Option<PageKind>,
    /// Articles stored for the first time.
    pub n_new: usize,
    /// Article links that were already known.
    pub n_seen: usize,
    /// Links that led to no article (a list of non-article pages, robots).
    pub n_skipped: usize,
    /// Articles that failed; the source itself was read.
    pub errors: Vec<String>,
}

/// Why a whole source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Fetch(#[from] fetch::Error),
    #[error(transparent)]
    Extract(#[from] extract::Error),
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error("{url} is not a valid URL: {reason}")]
    BadUrl { url: String, reason: String },
}

impl Error {
    /// A short name of what failed, for metrics labels.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Fetch(err) => err.kind(),
            Error::Extract(_) => "extract",
            Error::Store(_) => "store",
            Error::BadUrl { .. } => "bad_url",
        }
    }

    /// The HTTP status that was the failure, if it was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Fetch(err) => err.status(),
            _ => None,
        }
    }

    /// The server's Retry-After, if it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Fetch(err) => err.retry_after(),
            _ => None,
        }
    }
}

/// Everything a refresh needs, shared by all sources.
#[derive(Clone)]
pub struct Refresher {
    pub client: Arc<fetch::Client>,
    pub store: store::Handle,
    pub settings: Settings,
    pub metrics: Arc<Metrics>,
}

/// Feed text with at least this many words is the whole article; less is a
/// summary and the article page is fetched.
const FULL_TEXT_MIN_WORDS: usize = 60;

impl Refresher {
    /// Polls one source and records the outcome (success, partial failure or
    /// error) and its next check in the store; logs one line and counts it.
    /// A failing source is data, never a panic. The source's `selectors`
    /// (extraction overrides) apply to its list pages and articles.
    pub async fn refresh(&self, row: &SourceRow, source: &Source) -> Result<Report, Error> {
        let started = std::time::Instant::now();
        let result = self
            .refresh_inner(row, source.max_pages, &source.selectors)
            .await;
        let now = Timestamp::now();
        let state = schedule::State {
            policy: schedule::Policy {
                interval: source.interval.unwrap_or(self.settings.policy.interval),
                ..self.settings.policy
            },
            key: &row.url,
            errors: row.error_count,
        };
        let record = poll_record(state, &result, now);
        let next_check = record.next_check_at;
        let id = row.id;
        self.store.call(move |s| s.record_poll(id, &record)).await?;
        let duration_ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok(report) => {
                self.metrics.record_poll(if report.not_modified {
                    PollResult::NotModified
                } else {
                    PollResult::Fetched {
                        n_new: report.n_new,
                    }
                });
                tracing::info!(
                    source = %row.name, url = %row.url,
                    status = %report.status.map_or_else(|| "-".to_string(), |s| s.to_string()),
                    n_new = report.n_new, n_seen = report.n_seen,
                    n_errors = report.errors.len(), duration_ms,
                    next_check = %next_check, error = report.errors.first().map(String::as_str).unwrap_or(""),
                    "polled"
                );
            }
            Err(err) => {
                self.metrics
                    .record_poll(PollResult::Failed { kind: err.kind() });
                tracing::warn!(
                    source = %row.name, url = %row.url,
                    status = %err.status().map_or_else(|| err.kind().to_string(), |s| s.to_string()),
                    n_new = 0, duration_ms,
                    next_check = %next_check, error = %fetch::error_chain(err),
                    "poll failed"
                );
            }
        }
        result
    }

    async fn refresh_inner(
        &self,
        source: &SourceRow,
        max_pages: Option<u32>,
        selectors: &Overrides,
    ) -> Result<Report, Error> {
        let id = source.id;
        let fetch_url = self.store.call(move |s| s.fetch_url(id)).await?;
        let fetch_url = fetch_url.unwrap_or_else(|| source.url.clone());
        let url = Url::parse(&fetch_url).map_err(|e| Error::BadUrl {
            url: fetch_url.clone(),
            reason: e.to_string(),
        })?;
        let key = fetch_url.clone();
        let validators = self.store.call(move |s| s.validators(&key)).await?;
        let page = match self.client.fetch_page(&url, &validators).await? {
            Outcome::NotModified => {
                return Ok(Report {
                    not_modified: true,
                    status: Some(304),
                    ..Report::default()
                })
            }
            Outcome::Fetched(page) => page,
        };
        if let Some(moved) = &page.moved_permanently {
            // Fetched from the new URL from now on; the operator is told
            // once here and on the status page until the list is updated.
            let to = moved.to_string();
            self.store.call(move |s| s.set_moved(id, &to)).await?;
            tracing::warn!(source = %source.name, url = %source.url, new_url = %moved,
                "source moved permanently (every redirect was 301/308): polling the new URL; update the source list");
        }
        let kind = page_kind(page.content_type.as_deref(), &page.body);
        let mut report = match kind {
            PageKind::Feed => self.refresh_feed(source, &page, selectors).await?,
            PageKind::Html => {
                let max_pages = max_pages.unwrap_or(self.settings.max_pages);
                self.refresh_list(source, page.clone(), max_pages, selectors)
                    .await?
            }
        };
        report.kind = Some(kind);
        report.status = Some(page.status);
        report.moved_to = page.moved_permanently.clone();
        let ttl = match kind {
            PageKind::Feed => extract::ttl::feed_ttl(&page.body),
            PageKind::Html => None,
        };
        report.freshness = page.freshness.max(ttl);
        // Validators are kept only when everything was read, so an article
        // that failed is retried next time instead of hidden behind a 304.
        let key = page
            .moved_permanently
            .as_ref()
            .map_or(fetch_url, Url::to_string);
        let validators = page.validators.clone();
        let complete = report.errors.is_empty();
        let now = Timestamp::now();
        self.store
            .call(move |s| {
                if complete {
                    s.save_validators(&key, &validators, now)
                } else {
                    s.clear_validators(&key)
                }
            })
            .await?;
        Ok(report)
    }

    /// A news-list page: its links (and its next pages'), then each new article.
    async fn refresh_list(
        &self,
        source: &SourceRow,
        first: fetch::Page,
        max_pages: u32,
        selectors: &Overrides,
    ) -> Result<Report, Error> {
        let mut report = Report::default();
        let mut links: Vec<Url> = Vec::new();
        let mut seen_links: HashSet<Url> = HashSet::new();
        let mut visited: HashSet<Url> = HashSet::from([canonical_url(&first.url)]);
        let mut page = first;
        let mut pages_read = 1;
        loop {
            let html = charset::decode(&page.body, page.content_type.as_deref());
            let base = page.url.clone();
            let chosen = selectors.clone();
            let list =
                tokio::task::spawn_blocking(move || links_from_list_with(&html, &base, &chosen))
                    .await
                    .unwrap_or_default();
            let mut any_unknown = false;
            for link in list.links {
                let key = canonical_url(&link);
                if !seen_links.insert(key.clone()) {
                    continue;
                }
                any_unknown |= self.known_article(&key).await?.is_none();
                links.push(link);
            }
            let Some(next) = list.next_page else { break };
            // Newest first: once a page holds nothing unknown, older pages don't either.
            if pages_read >= max_pages || !any_unknown || !visited.insert(canonical_url(&next)) {
                break;
            }
            match self.client.fetch_page(&next, &Validators::default()).await {
                Ok(Outcome::Fetched(p)) => page = p,
                Ok(Outcome::NotModified) => break,
                Err(err) => {
                    report.errors.push(err.to_string());
                    break;
                }
            }
            pages_read += 1;
        }
        for link in links {
            self.offer_link(source, &link, None, selectors, &mut report)
                .await?;
        }
        Ok(report)
    }

    /// A feed: each item, with full text from the feed or from its page.
    async fn refresh_feed(
        &self,
        source: &SourceRow,
        page: &fetch::Page,
        selectors: &Overrides,
    ) -> Result<Report, Error> {
        let body = page.body.clone();
        let content_type = page.content_type.clone();
        let url = page.url.clone();
        let items = tokio::task::spawn_blocking(move || {
            items_from_feed(&body, content_type.as_deref(), &url)
        })
        .await
        .map_err(|e| extract::Error::InvalidFeed {
            url: page.url.clone(),
            reason: e.to_string(),
        })??;
        let mut report = Report::default();
        for item in items {
            let Some(link) = item.link.clone() else {
                report.n_skipped += 1;
                tracing::debug!(source = %source.name, title = ?item.title, "feed item without a link skipped");
                continue;
            };
            self.offer_link(source, &link, Some(item), selectors, &mut report)
                .await?;
        }
        Ok(report)
    }

    /// The stored article under this canonical URL, if any.
    async fn known_article(&self, key: &Url) -> Result<Option<ArticleId>, Error> {
        let key = key.clone();
        Ok(self.store.call(move |s| s.article_by_url(&key)).await?)
    }

    /// One article link (from a list or a feed item): known ones are linked to
    /// the source, new ones fetched, extracted and stored.
    async fn offer_link(
        &self,
        source: &SourceRow,
        link: &Url,
        item: Option<FeedItem>,
        selectors: &Overrides,
        report: &mut Report,
    ) -> Result<(), Error> {
        let key = canonical_url(link);
        let known = self.known_article(&key).await?;
        let now = Timestamp::now();
        if let Some(article_id) = known {
            let source_id = source.id;
            self.store
                .call(move |s| s.link_source(article_id, source_id, now))
                .await?;
            report.n_seen += 1;
            return Ok(());
        }
        if report.n_new >= self.settings.max_new_articles {
            return Ok(());
        }
        let article = match item {
            Some(item) => self.article_from_item(link, item, selectors).await,
            None => self.fetch_article(link, selectors).await,
        };
        let article = match article {
            Ok(article) => article,
            Err(ArticleError::Skip(reason)) => {
                report.n_skipped += 1;
                tracing::debug!(source = %source.name, url = %link, reason = %reason, "link skipped");
                return Ok(());
            }
            Err(ArticleError::Failed(err)) => {
                tracing::warn!(source = %source.name, url = %link, error = %err, "article failed");
                report.errors.push(err);
                return Ok(());
            }
        };
        let urls = article_keys(&article, link);
        let date_source = Some(date_source(&article));
        let source_id = source.id;
        let outcome = self
            .store
            .call(move |s| {
                s.upsert_article(source_id, &article, &urls, date_source.as_deref(), now)
            })
            .await?;
        if outcome.is_new() {
            report.n_new += 1;
        } else {
            report.n_seen += 1;
        }
        Ok(())
    }

    /// Fetches and extracts one article page.
    async fn fetch_article(
        &self,
        link: &Url,
        selectors: &Overrides,
    ) -> Result<Article, ArticleError> {
        let page = match self.client.fetch_page(link, &Validators::default()).await {
            Ok(Outcome::Fetched(page)) => page,
            Ok(Outcome::NotModified) => return Err(ArticleError::Skip("not modified".into())),
            Err(err @ fetch::Error::RobotsDisallowed { .. }) => {
                return Err(ArticleError::Skip(err.to_string()))
            }
            Err(err) => return Err(ArticleError::Failed(err.to_string())),
        };
        if page_kind(page.content_type.as_deref(), &page.body) == PageKind::Feed {
            return Err(ArticleError::Skip(format!(
                "{link} is a feed, not an article"
            )));
        }
        let html = charset::decode(&page.body, page.content_type.as_deref());
        let url = page.url.clone();
        let now = Timestamp::now();
        let chosen = selectors.clone();
        let extracted =
            tokio::task::spawn_blocking(move || extract_article_with(&html, &url, now, &chosen))
                .await
                .map_err(|e| ArticleError::Failed(format!("extracting {link}: {e}")))?;
        match extracted {
            Ok(article) => Ok(article),
            Err(err @ extract::Error::NoArticle { .. }) => Err(ArticleError::Skip(err.to_string())),
            Err(err) => Err(ArticleError::Failed(err.to_string())),
        }
    }

    /// A feed item as an article: its own text when it is the full article,
    /// otherwise the article page, with the feed's dates as a fallback.
    async fn article_from_item(
        &self,
        link: &Url,
        item: FeedItem,
        selectors: &Overrides,
    ) -> Result<Article, ArticleError> {
        if let Some(article) = full_text_article(link, &item) {
            return Ok(article);
        }
        let mut article = self.fetch_article(link, selectors).await?;
        if article.published.is_none() {
            article.published = item.published.clone();
        }
        if article.updated.is_none() && article.published.is_some() {
            article.updated = item
                .updated
                .clone()
                .filter(|u| Some(&u.date) != article.published.as_ref().map(|p| &p.date));
        }
        if article.title.trim().is_empty() {
            article.title = item.title.clone().unwrap_or_default();
        }
        Ok(article)
    }
}

/// What the store keeps of one poll, with the next check from the schedule.
fn poll_record(
    state: schedule::State<'_>,
    result: &Result<Report, Error>,
    now: Timestamp,
) -> PollRecord {
    match result {
        Ok(report) => PollRecord {
            at: now,
            status: report.status,
            next_check_at: schedule::next_check(
                state,
                schedule::Outcome::Success {
                    freshness: report.freshness,
                },
                now,
            ),
            result: StoredResult::Success {
                warning: summarize_errors(&report.errors),
                n_new: report.n_new,
                empty: (!report.not_modified).then_some(report.n_new + report.n_seen == 0),
            },
        },
        Err(err) => PollRecord {
            at: now,
            status: err.status(),
            next_check_at: schedule::next_check(
                state,
                schedule::Outcome::Failure {
                    retry_after: err.retry_after(),
                },
                now,
            ),
            result: StoredResult::Failure {
                error: fetch::error_chain(err),
            },
        },
    }
}

enum ArticleError {
    /// Not an article or not ours to fetch (robots): no error for the source.
    Skip(String),
    /// The article should be there but could not be read.
    Failed(String),
}

/// Builds the article from the feed item alone when the item carries the
/// whole text.
fn full_text_article(link: &Url, item: &FeedItem) -> Option<Article> {
    let title = item
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())?;
    let html = [item.content_html.as_deref(), item.summary_html.as_deref()]
        .into_iter()
        .flatten()
        .find(|h| !h.trim().is_empty())?;
    let cleaned = clean_fragment(html, link);
    if cleaned.text.split_whitespace().count() < FULL_TEXT_MIN_WORDS {
        return None;
    }
    let published = item.published.clone().or_else(|| item.updated.clone());
    let updated = item
        .updated
        .clone()
        .filter(|u| published.as_ref().is_some_and(|p| p.date != u.date));
    Some(Article {
        url: link.clone(),
        canonical: None,
        title: title.to_string(),
        published,
        updated,
        author: item.author.clone(),
        body_html: cleaned.html,
        body_text: cleaned.text,
    })
}

/// The canonical URLs an article is known by, the main one first: the page's
/// own `rel=canonical` (same host, not the site root), the URL it was
/// fetched from, and the link that led there.
fn article_keys(article: &Article, link: &Url) -> Vec<Url> {
    let mut keys: Vec<Url> = Vec::with_capacity(3);
    let trusted_canonical = article
        .canonical
        .as_ref()
        .filter(|c| c.host_str() == article.url.host_str() && c.path().len() > 1);
    for url in trusted_canonical.into_iter().chain([&article.url, link]) {
        let key = canonical_url(url);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// `date_source` as stored and shown: where the published date came from
/// (or the updated date when there is no published one), or `none`.
pub fn date_source(article: &Article) -> String {
    article
        .published
        .as_ref()
        .or(article.updated.as_ref())
        .map(|d| d.describe())
        .unwrap_or_else(|| "none".to_string())
}

fn summarize_errors(errors: &[String]) -> Option<String> {
    match errors {
        [] => None,
        [one] => Some(one.clone()),
        [first, rest @ ..] => Some(format!("{first} (and {} more)", rest.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DateSource, FoundDate, PageDate};

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn keys_put_the_trusted_canonical_first_and_drop_variants() {
        let mut article = Article {
            url: url("https://x.se/a.html?utm_source=x"),
            canonical: Some(url("https://x.se/a.html")),
            title: "A".into(),
            published: None,
            updated: None,
            author: None,
            body_html: String::new(),
            body_text: String::new(),
        };
        let keys = article_keys(&article, &url("https://x.se/a.html?utm_source=x#top"));
        assert_eq!(keys, [url("https://x.se/a.html")]);
        // A canonical pointing at the site root or another host is not trusted.
        article.canonical = Some(url("https://x.se/"));
        assert_eq!(
            article_keys(&article, &url("https://x.se/b")),
            [url("https://x.se/a.html"), url("https://x.se/b")]
        );
        article.canonical = Some(url("https://other.se/a.html"));
        assert_eq!(
            article_keys(&article, &article.url.clone())[0],
            url("https://x.se/a.html")
        );
    }

    #[test]
    fn feed_items_with_a_summary_only_are_not_full_text() {
        let item = FeedItem {
            title: Some("Rubrik".into()),
            summary_html: Some("<p>En mening om nyheten.</p>".into()),
            ..FeedItem::default()
        };
        assert!(full_text_article(&url("https://x.se/a"), &item).is_none());
    }

    #[test]
    fn feed_items_with_full_content_become_articles() {
        let words = "ord ".repeat(80);
        let published = FoundDate::new(
            PageDate::Time("2019-10-18T14:42:11Z".parse().unwrap()),
            DateSource::Feed,
            "published",
        );
        let item = FeedItem {
            title: Some(" Näringsliv ".into()),
            content_html: Some(format!("<p>{words}</p>")),
            published: Some(published.clone()),
            updated: Some(published.clone()),
            ..FeedItem::default()
        };
        let article = full_text_article(&url("https://x.se/a"), &item).unwrap();
        assert_eq!(article.title, "Näringsliv");
        assert_eq!(article.published, Some(published));
        assert_eq!(
            article.updated, None,
            "an updated equal to published is no update"
        );
        assert_eq!(date_source(&article), "feed:published");
    }

    #[test]
    fn error_summary() {
        assert_eq!(summarize_errors(&[]), None);
        assert_eq!(
            summarize_errors(&["a".into(), "b".into(), "c".into()]).as_deref(),
            Some("a (and 2 more)")
        );
    }
}
