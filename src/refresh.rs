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
use crate::config::{ArticlesConfig, Source};
use crate::dedup;
use crate::extract::{
    self, article::extract_article_with, charset, feed::items_from_feed, html::clean_fragment,
    links::links_from_list_with, overrides::Overrides, sniff::not_a_page, sniff::page_kind,
};
use crate::fetch::{self, Outcome, Validators};
use crate::metrics::{Metrics, PollResult};
use crate::model::{Article, FeedItem, PageKind};
use crate::schedule;
use crate::store::{self, ArticleId, FeedItemVersion, KnownUrl, PageCheck, SourceRow};
use crate::store::{PollRecord, PollResult as StoredResult};
use crate::topic::{Subject, TopicFilter};

/// Limits for one refresh.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How many pages of a list to read (the first counts).
    pub max_pages: u32,
    /// How many new articles to fetch in one refresh of one source.
    pub max_new_articles: usize,
    /// The schedule of a source without its own interval.
    pub policy: schedule::Policy,
    /// Corrections and retention (`[articles]`).
    pub articles: ArticlesConfig,
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
    /// Links the source's topic filter turned away in this poll.
    pub n_filtered: usize,
    /// Links it had turned away before (remembered, not fetched).
    pub n_filtered_before: usize,
    /// Stored articles whose page was re-checked.
    pub n_revalidated: usize,
    /// Stored articles updated in place because their page was corrected.
    pub n_corrected: usize,
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

/// What a source's configuration asks of the articles it leads to: the
/// extraction overrides, and the topics kept.
#[derive(Clone, Copy)]
struct Rules<'a> {
    selectors: &'a Overrides,
    topics: &'a TopicFilter,
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
            .refresh_and_revalidate(row, source.max_pages, &source.selectors, &source.topics)
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
                self.metrics.record_filtered(report.n_filtered);
                tracing::info!(
                    source = %row.name, url = %row.url,
                    status = %report.status.map_or_else(|| "-".to_string(), |s| s.to_string()),
                    n_new = report.n_new, n_seen = report.n_seen, n_filtered = report.n_filtered,
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
        topics: &TopicFilter,
    ) -> Result<Report, Error> {
        let id = source.id;
        let fetch_url = self.store.call(move |s| s.fetch_url(id)).await?;
        let fetch_url = fetch_url.unwrap_or_else(|| source.url.clone());
        let url = Url::parse(&fetch_url).map_err(|e| Error::BadUrl {
            url: fetch_url.clone(),
            reason: e.to_string(),
        })?;
        let key = fetch_url.clone();
        let filter = topics.fingerprint();
        let validators = self
            .store
            .call(move |s| {
                // A changed topic filter reads the whole page again.
                s.note_filter(id, &key, filter)?;
                s.validators(&key)
            })
            .await?;
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
            PageKind::Feed => self.refresh_feed(source, &page, selectors, topics).await?,
            PageKind::Html => {
                let max_pages = max_pages.unwrap_or(self.settings.max_pages);
                self.refresh_list(source, page.clone(), max_pages, selectors, topics)
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

    /// The source (new articles), then corrections of its recent articles,
    /// which come whether or not the list or feed itself changed.
    async fn refresh_and_revalidate(
        &self,
        source: &SourceRow,
        max_pages: Option<u32>,
        selectors: &Overrides,
        topics: &TopicFilter,
    ) -> Result<Report, Error> {
        let started = Timestamp::now();
        let mut report = self
            .refresh_inner(source, max_pages, selectors, topics)
            .await?;
        self.revalidate_recent(source, started, selectors, &mut report)
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
        topics: &TopicFilter,
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
                any_unknown |= self.known(&key).await?.is_none();
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
            self.offer_link(
                source,
                &link,
                None,
                None,
                Rules { selectors, topics },
                &mut report,
            )
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
        topics: &TopicFilter,
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
        let trusted = self.trusts_guids(source, &items).await?;
        for item in items {
            let Some(link) = item.link.clone() else {
                report.n_skipped += 1;
                tracing::debug!(source = %source.name, title = ?item.title, "feed item without a link skipped");
                continue;
            };
            let guid = item.guid.clone().filter(|_| trusted);
            let alias = match &guid {
                Some(guid) => self.article_url_by_guid(source, guid).await?,
                None => None,
            };
            let stored_under = self
                .offer_link(
                    source,
                    &link,
                    Some(item),
                    alias,
                    Rules { selectors, topics },
                    &mut report,
                )
                .await?;
            if let (Some(guid), Some(stored_under)) = (guid, stored_under) {
                let source_id = source.id;
                let link = canonical_url(&link).to_string();
                let now = Timestamp::now();
                self.store
                    .call(move |s| {
                        s.record_feed_guid(source_id, &guid, &link, stored_under.as_str(), now)
                    })
                    .await?;
            }
        }
        Ok(report)
    }

    /// Whether this feed's GUIDs still identify its items: not once they
    /// have been blank, repeated or changed under a stable link (see
    /// [`dedup::guid`]); the first contradiction is recorded for good.
    async fn trusts_guids(&self, source: &SourceRow, items: &[FeedItem]) -> Result<bool, Error> {
        let source_id = source.id;
        let (distrusted, previous) = self
            .store
            .call(move |s| Ok((s.guid_distrust(source_id)?, s.guids_by_link(source_id)?)))
            .await?;
        if distrusted.is_some() {
            return Ok(false);
        }
        let links: Vec<(Option<&str>, String)> = items
            .iter()
            .filter_map(|i| {
                Some((
                    i.guid.as_deref(),
                    canonical_url(i.link.as_ref()?).to_string(),
                ))
            })
            .collect();
        let seen: Vec<dedup::guid::Item<'_>> = links
            .iter()
            .map(|(guid, link)| dedup::guid::Item { guid: *guid, link })
            .collect();
        let Some(reason) = dedup::guid::distrust(&seen, &previous) else {
            return Ok(true);
        };
        tracing::warn!(source = %source.name, url = %source.url, reason = %reason,
            "feed guids are not stable; keying its items by link");
        let reason = reason.to_string();
        let now = Timestamp::now();
        self.store
            .call(move |s| s.distrust_guids(source_id, &reason, now))
            .await?;
        Ok(false)
    }

    /// The canonical URL of the article a trusted GUID led to before.
    async fn article_url_by_guid(
        &self,
        source: &SourceRow,
        guid: &str,
    ) -> Result<Option<Url>, Error> {
        let (source_id, guid) = (source.id, guid.to_string());
        let found = self
            .store
            .call(move |s| s.article_url_by_guid(source_id, &guid))
            .await?;
        Ok(found.and_then(|u| Url::parse(&u).ok()))
    }

    /// What the store knows under this canonical URL (an article, or a
    /// purged one), if anything.
    async fn known(&self, key: &Url) -> Result<Option<KnownUrl>, Error> {
        let key = key.clone();
        Ok(self.store.call(move |s| s.known_url(&key)).await?)
    }

    /// One article link (from a list or a feed item, with the URL a trusted
    /// feed GUID led to before as `alias`): known ones are linked to the
    /// source, purged ones left alone, new ones fetched, extracted and
    /// stored. Returns the canonical URL the article is stored (or was
    /// purged) under, if it is one.
    async fn offer_link(
        &self,
        source: &SourceRow,
        link: &Url,
        item: Option<FeedItem>,
        alias: Option<Url>,
        rules: Rules<'_>,
        report: &mut Report,
    ) -> Result<Option<Url>, Error> {
        let Rules { selectors, topics } = rules;
        let key = canonical_url(link);
        for candidate in std::iter::once(key).chain(alias) {
            if let Some(known) = self.known(&candidate).await? {
                self.note_known(source, known).await?;
                if let (KnownUrl::Article(id), Some(item)) = (known, &item) {
                    if self.correct_from_feed(source, link, id, item).await? {
                        report.n_corrected += 1;
                    }
                }
                report.n_seen += 1;
                return Ok(Some(candidate));
            }
        }
        if report.n_new >= self.settings.max_new_articles {
            return Ok(None);
        }
        if self.filtered_before(source, link, topics, report).await? {
            return Ok(None);
        }
        let categories = item
            .as_ref()
            .map(|i| i.categories.clone())
            .unwrap_or_default();
        let read = match item {
            Some(item) => self.article_from_item(link, item, selectors).await,
            None => self.fetch_article(link, selectors).await,
        };
        let read = match read {
            Ok(read) => read,
            Err(ArticleError::Skip(reason)) => {
                report.n_skipped += 1;
                tracing::debug!(source = %source.name, url = %link, reason = %reason, "link skipped");
                return Ok(None);
            }
            Err(ArticleError::NotArticle(reason)) => {
                report.n_skipped += 1;
                let key = canonical_url(link);
                let now = Timestamp::now();
                let remembered = self
                    .store
                    .call(move |s| s.record_skipped_link(&key, &reason, now))
                    .await?;
                tracing::info!(source = %source.name, url = %link, reason = %remembered.reason,
                    retry_at = %remembered.retry_at, "not an article; not fetched again before retry_at");
                return Ok(None);
            }
            Err(ArticleError::Failed(err)) => {
                tracing::warn!(source = %source.name, url = %link, error = %err, "article failed");
                report.errors.push(err);
                return Ok(None);
            }
        };
        let verdict = topics.verdict(&Subject {
            url: link,
            title: &read.article.title,
            body: &read.article.body_text,
            categories: &categories,
        });
        if !verdict.passes() {
            self.turn_away(source, link, topics, verdict.reason(), report)
                .await?;
            return Ok(None);
        }
        let urls = article_keys(&read.article, link);
        let main = urls[0].clone();
        let source_id = source.id;
        let now = Timestamp::now();
        let outcome = self
            .store
            .call(move |s| store_read_article(s, source_id, read, &urls, now))
            .await?;
        match outcome {
            Some(upsert) if upsert.is_new() => report.n_new += 1,
            _ => report.n_seen += 1,
        }
        Ok(Some(main))
    }

    /// Whether the source's topic filter keeps `link` out before it is
    /// fetched: it is outside `url_prefix` (remembered now), or the same
    /// filter turned it away before.
    async fn filtered_before(
        &self,
        source: &SourceRow,
        link: &Url,
        topics: &TopicFilter,
        report: &mut Report,
    ) -> Result<bool, Error> {
        if topics.is_empty() {
            return Ok(false);
        }
        if let Some(verdict) = topics.link_verdict(link) {
            self.turn_away(source, link, topics, verdict.reason(), report)
                .await?;
            return Ok(true);
        }
        let (source_id, key, filter) = (source.id, canonical_url(link), topics.fingerprint());
        let reason = self
            .store
            .call(move |s| s.filtered_reason(source_id, &key, filter))
            .await?;
        if let Some(reason) = reason {
            report.n_filtered_before += 1;
            tracing::debug!(source = %source.name, url = %link, reason = %reason, "turned away by the topic filter before");
            return Ok(true);
        }
        Ok(false)
    }

    /// Remembers that the source's topic filter turned `link` away.
    async fn turn_away(
        &self,
        source: &SourceRow,
        link: &Url,
        topics: &TopicFilter,
        reason: &str,
        report: &mut Report,
    ) -> Result<(), Error> {
        report.n_filtered += 1;
        tracing::debug!(source = %source.name, url = %link, reason = %reason, "turned away by the topic filter");
        let (source_id, key, filter) = (source.id, canonical_url(link), topics.fingerprint());
        let (reason, now) = (reason.to_string(), Timestamp::now());
        self.store
            .call(move |s| s.record_filtered(source_id, &key, filter, &reason, now))
            .await?;
        Ok(())
    }

    /// A known article whose whole text this feed item carries: when the
    /// item's headline or text changed since this source last gave it, and
    /// the article has no page of its own to be checked, the item corrects
    /// it in place. True when it did.
    async fn correct_from_feed(
        &self,
        source: &SourceRow,
        link: &Url,
        id: ArticleId,
        item: &FeedItem,
    ) -> Result<bool, Error> {
        let Some(article) = full_text_article(link, item) else {
            return Ok(false);
        };
        let hash = dedup::story_hash(&article.title, &article.body_text);
        let (source_id, key) = (source.id, canonical_url(link).to_string());
        let version = self
            .store
            .call(move |s| s.feed_item_version(source_id, &key, id, hash))
            .await?;
        if version != FeedItemVersion::Changed {
            return Ok(false);
        }
        tracing::info!(source = %source.name, url = %link, "article corrected from its feed item");
        let now = Timestamp::now();
        self.store
            .call(move |s| s.apply_correction(id, &article, &Validators::default(), now))
            .await?;
        Ok(true)
    }

    /// Notes that `source` links to a known article; a purged one stays purged.
    async fn note_known(&self, source: &SourceRow, known: KnownUrl) -> Result<(), Error> {
        let KnownUrl::Article(article_id) = known else {
            return Ok(());
        };
        let source_id = source.id;
        let now = Timestamp::now();
        self.store
            .call(move |s| s.link_source(article_id, source_id, now))
            .await?;
        Ok(())
    }

    /// Fetches and extracts one article page, unless it was found to be no
    /// article and its back-off has not passed.
    async fn fetch_article(&self, link: &Url, selectors: &Overrides) -> Result<Read, ArticleError> {
        let key = canonical_url(link);
        let remembered = self
            .store
            .call(move |s| s.skipped_link(&key))
            .await
            .map_err(|err| ArticleError::Failed(err.to_string()))?;
        if let Some(skipped) = remembered.filter(|s| s.retry_at > Timestamp::now()) {
            return Err(ArticleError::Skip(format!(
                "{} (remembered, next try {})",
                skipped.reason, skipped.retry_at
            )));
        }
        let page = match self.client.fetch_page(link, &Validators::default()).await {
            Ok(Outcome::Fetched(page)) => page,
            Ok(Outcome::NotModified) => return Err(ArticleError::Skip("not modified".into())),
            Err(err @ fetch::Error::RobotsDisallowed { .. }) => {
                return Err(ArticleError::Skip(err.to_string()))
            }
            Err(err) => return Err(ArticleError::Failed(err.to_string())),
        };
        let validators = page.validators.clone();
        let article = extract_page(page, selectors).await?;
        let version = PageVersion {
            url: article.url.clone(),
            validators,
            story_hash: dedup::story_hash(&article.title, &article.body_text),
        };
        Ok(Read {
            article,
            page: Some(version),
        })
    }

    /// A feed item as an article: its own text when it is the full article,
    /// otherwise the article page, with the feed's dates as a fallback.
    async fn article_from_item(
        &self,
        link: &Url,
        item: FeedItem,
        selectors: &Overrides,
    ) -> Result<Read, ArticleError> {
        if let Some(article) = full_text_article(link, &item) {
            return Ok(Read {
                article,
                page: None,
            });
        }
        let mut read = self.fetch_article(link, selectors).await?;
        let article = &mut read.article;
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
        Ok(read)
    }

    /// Re-checks the pages of recent articles first found through `source`
    /// (at most `[articles] revalidate_per_poll`, none read since `started`)
    /// with a conditional GET through the one client, so the per-host gate
    /// and robots.txt apply. A page whose headline or body text changed
    /// updates its article in place; anything else changes nothing.
    async fn revalidate_recent(
        &self,
        source: &SourceRow,
        started: Timestamp,
        selectors: &Overrides,
        report: &mut Report,
    ) -> Result<(), Error> {
        let settings = &self.settings.articles;
        let window = jiff::SignedDuration::try_from(settings.revalidate_window)
            .unwrap_or(jiff::SignedDuration::MAX);
        let seen_since = started.checked_sub(window).unwrap_or(Timestamp::MIN);
        let (source_id, limit) = (source.id, settings.revalidate_per_poll);
        let due = self
            .store
            .call(move |s| s.pages_to_revalidate(source_id, seen_since, started, limit))
            .await?;
        for check in due {
            report.n_revalidated += 1;
            if self.revalidate_page(source, &check, selectors).await? {
                report.n_corrected += 1;
            }
        }
        if report.n_revalidated > 0 {
            tracing::debug!(source = %source.name, n_revalidated = report.n_revalidated,
                n_corrected = report.n_corrected, "recent articles revalidated");
        }
        Ok(())
    }

    /// One page check; true when the article was corrected.
    async fn revalidate_page(
        &self,
        source: &SourceRow,
        check: &PageCheck,
        selectors: &Overrides,
    ) -> Result<bool, Error> {
        let article_id = check.article;
        let now = Timestamp::now();
        let fetched = match Url::parse(&check.url) {
            Ok(url) => self.client.fetch_page(&url, &check.validators).await,
            Err(e) => {
                tracing::debug!(url = %check.url, error = %e, "stored article page is not a URL");
                Ok(Outcome::NotModified)
            }
        };
        let page = match fetched {
            Ok(Outcome::Fetched(page)) => page,
            Ok(Outcome::NotModified) => {
                self.store
                    .call(move |s| s.page_unchanged(article_id, None, now))
                    .await?;
                return Ok(false);
            }
            Err(err) => {
                // A page that is gone or failing is no correction; try again
                // after the others have had their turn.
                tracing::debug!(source = %source.name, url = %check.url, error = %err,
                    "revalidating an article failed");
                self.store
                    .call(move |s| s.page_unchanged(article_id, None, now))
                    .await?;
                return Ok(false);
            }
        };
        let validators = page.validators.clone();
        let article = match extract_page(page, selectors).await {
            Ok(article) => article,
            Err(
                ArticleError::Skip(reason)
                | ArticleError::NotArticle(reason)
                | ArticleError::Failed(reason),
            ) => {
                tracing::debug!(source = %source.name, url = %check.url, reason = %reason,
                    "revalidated page has no article");
                self.store
                    .call(move |s| s.page_unchanged(article_id, Some(&validators), now))
                    .await?;
                return Ok(false);
            }
        };
        if dedup::story_hash(&article.title, &article.body_text) == check.story_hash {
            self.store
                .call(move |s| s.page_unchanged(article_id, Some(&validators), now))
                .await?;
            return Ok(false);
        }
        tracing::info!(source = %source.name, url = %check.url, "article corrected");
        self.store
            .call(move |s| s.apply_correction(article_id, &article, &validators, now))
            .await?;
        Ok(true)
    }
}

/// An article as read, and the page it was read from (none for a feed
/// item that carried the whole text).
struct Read {
    article: Article,
    page: Option<PageVersion>,
}

/// What is kept of an article page to check it for corrections later.
struct PageVersion {
    url: Url,
    validators: Validators,
    story_hash: u64,
}

/// Stores a read article unless one of its URLs was purged, and remembers
/// the page it was read from. `None` when it was purged.
fn store_read_article(
    store: &mut store::Store,
    source: store::SourceId,
    read: Read,
    urls: &[Url],
    now: Timestamp,
) -> store::Result<Option<store::Upsert>> {
    for url in urls {
        if store.is_purged(url)? {
            return Ok(None);
        }
    }
    let date_source = date_source(&read.article);
    let upsert = store.upsert_article(source, &read.article, urls, Some(&date_source), now)?;
    for url in urls {
        // A page that was no article when last tried is one now.
        store.forget_skipped_link(url)?;
    }
    if let Some(page) = read.page {
        store.record_article_page(
            upsert.id(),
            &page.url,
            &page.validators,
            page.story_hash,
            now,
        )?;
    }
    Ok(Some(upsert))
}

/// Extracts the article of a fetched page (off the async executor), with
/// the source's selectors.
async fn extract_page(page: fetch::Page, selectors: &Overrides) -> Result<Article, ArticleError> {
    let link = page.url.clone();
    if let Some(what) = not_a_page(page.content_type.as_deref(), &page.body) {
        return Err(ArticleError::NotArticle(format!(
            "{link} is {what}, not an article page"
        )));
    }
    if page_kind(page.content_type.as_deref(), &page.body) == PageKind::Feed {
        return Err(ArticleError::NotArticle(format!(
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
        Err(err @ extract::Error::NoArticle { .. }) => {
            Err(ArticleError::NotArticle(err.to_string()))
        }
        Err(err) => Err(ArticleError::Failed(err.to_string())),
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
                // A page whose links the topic filter all turned away still
                // yielded articles: it is not the empty page warned about.
                empty: (!report.not_modified).then_some(
                    report.n_new + report.n_seen + report.n_filtered + report.n_filtered_before
                        == 0,
                ),
                kind: report.kind,
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
    /// Not ours to fetch now (robots, or remembered as no article): no
    /// error for the source.
    Skip(String),
    /// Fetched and found to be no article (a PDF, an image, a page without
    /// an article): no error for the source, remembered with a long
    /// back-off ([`store::SkippedLink`]).
    NotArticle(String),
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
