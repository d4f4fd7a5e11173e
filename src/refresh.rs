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

use tokio::sync::Semaphore;

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
use crate::model::{Article, FeedItem, ListPage, PageKind};
use crate::schedule;
use crate::store::{self, ArticleId, FeedItemVersion, KnownUrl, PageCheck, ReadPage, SourceRow};
use crate::store::{PollRecord, PollResult as StoredResult, PollWrites};
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
    /// The poll's small writes, made with its outcome in one transaction.
    writes: PollWrites,
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
    /// Where list pages, feeds and articles are parsed.
    pub cpu: CpuPool,
}

/// A bounded pool for the CPU-heavy work of a poll (decoding, parsing,
/// extraction): at most `size` jobs run at once on the blocking pool. Pages
/// waiting here keep their request slots (see [`fetch::Page`]), so a burst
/// of responses waits in memory bounded by `[poll] concurrency`, not in
/// hundreds of threads.
#[derive(Clone)]
pub struct CpuPool(Arc<Semaphore>);

impl CpuPool {
    /// A pool of `size` jobs at once (at least one).
    pub fn new(size: usize) -> CpuPool {
        CpuPool(Arc::new(Semaphore::new(size.max(1))))
    }

    /// One job per core.
    pub fn per_core() -> CpuPool {
        CpuPool::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Runs `job` on the blocking pool once a place is free; `Err` only
    /// when the job panicked.
    pub async fn run<T, F>(&self, job: F) -> Result<T, tokio::task::JoinError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        // Never fails: the semaphore is never closed.
        let _place = self.0.acquire().await;
        tokio::task::spawn_blocking(job).await
    }
}

/// A source page as parsed: the list's links (and next page) or the feed's
/// items; its body is gone.
enum Parsed {
    List(ListPage),
    Feed {
        items: Vec<FeedItem>,
        ttl: Option<Duration>,
    },
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
        let mut record = poll_record(state, &result, now);
        record.duration_ms = started.elapsed().as_millis() as u64;
        let next_check = record.next_check_at;
        let id = row.id;
        let mut result = result;
        let writes = match &mut result {
            Ok(report) => std::mem::take(&mut report.writes),
            Err(_) => PollWrites::default(),
        };
        self.store
            .call(move |s| s.finish_poll(id, &record, &writes))
            .await?;
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
        let configured = source.url.clone();
        let (fetch_url, validators, noted_filter) = self
            .store
            .read(move |s| {
                let url = s.fetch_url(id)?.unwrap_or(configured);
                let validators = s.validators(&url)?;
                Ok((url, validators, s.noted_filter(id)?))
            })
            .await?;
        let url = Url::parse(&fetch_url).map_err(|e| Error::BadUrl {
            url: fetch_url.clone(),
            reason: e.to_string(),
        })?;
        // A changed topic filter reads the whole page again, so every link
        // is judged by the new filter.
        let filter = topics.fingerprint();
        let validators = if noted_filter == Some(filter) {
            validators
        } else {
            let key = fetch_url.clone();
            self.store
                .call(move |s| s.note_filter(id, &key, filter))
                .await?;
            Validators::default()
        };
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
        let mut report = Report {
            status: Some(page.status),
            moved_to: page.moved_permanently.clone(),
            ..Report::default()
        };
        if let Some(moved) = &page.moved_permanently {
            // Fetched from the new URL from now on; the operator is told
            // once here and on the status page until the list is updated.
            report.writes.set_moved(id, moved.as_str());
            tracing::warn!(source = %source.name, url = %source.url, new_url = %moved,
                "source moved permanently (every redirect was 301/308): polling the new URL; update the source list");
        }
        // Validators are kept only when everything was read, so an article
        // that failed is retried next time instead of hidden behind a 304.
        let key = page
            .moved_permanently
            .as_ref()
            .map_or(fetch_url, Url::to_string);
        let (page_url, validators, freshness) =
            (page.url.clone(), page.validators.clone(), page.freshness);
        // The page's body goes (and its request slot with it) once parsed.
        let parsed = self.parse_source(page, selectors).await?;
        match parsed {
            Parsed::Feed { items, ttl } => {
                report.kind = Some(PageKind::Feed);
                report.freshness = freshness.max(ttl);
                self.refresh_feed(source, items, Rules { selectors, topics }, &mut report)
                    .await?;
            }
            Parsed::List(list) => {
                report.kind = Some(PageKind::Html);
                report.freshness = freshness;
                let max_pages = max_pages.unwrap_or(self.settings.max_pages);
                let rules = Rules { selectors, topics };
                self.refresh_list(source, page_url, list, max_pages, rules, &mut report)
                    .await?;
            }
        }
        let now = Timestamp::now();
        if report.errors.is_empty() {
            report.writes.save_validators(&key, &validators, now);
        } else {
            report.writes.clear_validators(&key, now);
        }
        Ok(report)
    }

    /// A source page on the CPU pool: a feed's items (with its `<ttl>`) or
    /// a list page's links.
    async fn parse_source(
        &self,
        page: fetch::Page,
        selectors: &Overrides,
    ) -> Result<Parsed, Error> {
        let url = page.url.clone();
        let chosen = selectors.clone();
        let parsed: Result<Parsed, extract::Error> = self
            .cpu
            .run(
                move || match page_kind(page.content_type.as_deref(), &page.body) {
                    PageKind::Feed => {
                        let items =
                            items_from_feed(&page.body, page.content_type.as_deref(), &page.url)?;
                        let ttl = extract::ttl::feed_ttl(&page.body);
                        Ok(Parsed::Feed { items, ttl })
                    }
                    PageKind::Html => Ok(Parsed::List(parse_list(&page, &chosen))),
                },
            )
            .await
            .map_err(|e| extract::Error::InvalidFeed {
                url,
                reason: e.to_string(),
            })?;
        Ok(parsed?)
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
        first_url: Url,
        first: ListPage,
        max_pages: u32,
        rules: Rules<'_>,
        report: &mut Report,
    ) -> Result<(), Error> {
        let selectors = rules.selectors;
        let mut links: Vec<Url> = Vec::new();
        let mut seen_links: HashSet<Url> = HashSet::new();
        let mut visited: HashSet<Url> = HashSet::from([canonical_url(&first_url)]);
        let mut list = first;
        let mut pages_read = 1;
        loop {
            let fresh: Vec<Url> = list
                .links
                .into_iter()
                .filter(|link| seen_links.insert(canonical_url(link)))
                .collect();
            let keys: Vec<Url> = fresh.iter().map(canonical_url).collect();
            let known: Vec<Option<KnownUrl>> = self
                .store
                .read(move |s| keys.iter().map(|k| s.known_url(k)).collect())
                .await?;
            let any_unknown = known.iter().any(Option::is_none);
            links.extend(fresh);
            let Some(next) = list.next_page else { break };
            // Newest first: once a page holds nothing unknown, older pages don't either.
            if pages_read >= max_pages || !any_unknown || !visited.insert(canonical_url(&next)) {
                break;
            }
            list = match self.client.fetch_page(&next, &Validators::default()).await {
                Ok(Outcome::Fetched(page)) => {
                    let chosen = selectors.clone();
                    self.cpu
                        .run(move || parse_list(&page, &chosen))
                        .await
                        .unwrap_or_default()
                }
                Ok(Outcome::NotModified) => break,
                Err(err) => {
                    report.errors.push(err.to_string());
                    break;
                }
            };
            pages_read += 1;
        }
        for link in links {
            self.offer_link(source, &link, None, None, rules, report)
                .await?;
        }
        Ok(())
    }

    /// A feed: each item, with full text from the feed or from its page.
    async fn refresh_feed(
        &self,
        source: &SourceRow,
        items: Vec<FeedItem>,
        rules: Rules<'_>,
        report: &mut Report,
    ) -> Result<(), Error> {
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
                .offer_link(source, &link, Some(item), alias, rules, report)
                .await?;
            if let (Some(guid), Some(stored_under)) = (guid, stored_under) {
                let link = canonical_url(&link).to_string();
                report.writes.record_feed_guid(
                    source.id,
                    &guid,
                    &link,
                    stored_under.as_str(),
                    Timestamp::now(),
                );
            }
        }
        Ok(())
    }

    /// Whether this feed's GUIDs still identify its items: not once they
    /// have been blank, repeated or changed under a stable link (see
    /// [`dedup::guid`]); the first contradiction is recorded for good.
    async fn trusts_guids(&self, source: &SourceRow, items: &[FeedItem]) -> Result<bool, Error> {
        let source_id = source.id;
        let (distrusted, previous) = self
            .store
            .read(move |s| Ok((s.guid_distrust(source_id)?, s.guids_by_link(source_id)?)))
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
            .read(move |s| s.article_url_by_guid(source_id, &guid))
            .await?;
        Ok(found.and_then(|u| Url::parse(&u).ok()))
    }

    /// What the store knows under this canonical URL (an article, or a
    /// purged one), if anything.
    async fn known(&self, key: &Url) -> Result<Option<KnownUrl>, Error> {
        let key = key.clone();
        Ok(self.store.read(move |s| s.known_url(&key)).await?)
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
                Self::note_known(source, known, report);
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
            .call(move |s| {
                let date_source = date_source(&read.article);
                s.store_read_article(
                    source_id,
                    &read.article,
                    &urls,
                    Some(&date_source),
                    read.page.as_ref(),
                    now,
                )
            })
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
            .read(move |s| s.filtered_reason(source_id, &key, filter))
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
        report.writes.record_filtered(
            source.id,
            &canonical_url(link),
            topics.fingerprint(),
            reason,
            Timestamp::now(),
        );
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
    fn note_known(source: &SourceRow, known: KnownUrl, report: &mut Report) {
        if let KnownUrl::Article(article_id) = known {
            report
                .writes
                .link_source(article_id, source.id, Timestamp::now());
        }
    }

    /// Fetches and extracts one article page, unless it was found to be no
    /// article and its back-off has not passed.
    async fn fetch_article(&self, link: &Url, selectors: &Overrides) -> Result<Read, ArticleError> {
        let key = canonical_url(link);
        let remembered = self
            .store
            .read(move |s| s.skipped_link(&key))
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
        let article = self.extract_page(page, selectors).await?;
        let version = ReadPage {
            url: article.url.clone(),
            validators,
            story_hash: dedup::story_hash(&article.title, &article.body_text),
        };
        Ok(Read {
            article,
            page: Some(version),
        })
    }

    /// Extracts the article of a fetched page on the CPU pool, with the
    /// source's selectors; the page (and its request slot) goes with it.
    async fn extract_page(
        &self,
        page: fetch::Page,
        selectors: &Overrides,
    ) -> Result<Article, ArticleError> {
        let link = page.url.clone();
        let chosen = selectors.clone();
        let now = Timestamp::now();
        let extracted = self
            .cpu
            .run(move || {
                if let Some(what) = not_a_page(page.content_type.as_deref(), &page.body) {
                    return Err(ArticleError::NotArticle(format!(
                        "{} is {what}, not an article page",
                        page.url
                    )));
                }
                if page_kind(page.content_type.as_deref(), &page.body) == PageKind::Feed {
                    return Err(ArticleError::NotArticle(format!(
                        "{} is a feed, not an article",
                        page.url
                    )));
                }
                let html = charset::decode(&page.body, page.content_type.as_deref());
                drop(page.body);
                match extract_article_with(&html, &page.url, now, &chosen) {
                    Ok(article) => Ok(article),
                    Err(err @ extract::Error::NoArticle { .. }) => {
                        Err(ArticleError::NotArticle(err.to_string()))
                    }
                    Err(err) => Err(ArticleError::Failed(err.to_string())),
                }
            })
            .await
            .map_err(|e| ArticleError::Failed(format!("extracting {link}: {e}")))?;
        extracted
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
            .read(move |s| s.pages_to_revalidate(source_id, seen_since, started, limit))
            .await?;
        for check in due {
            report.n_revalidated += 1;
            if self
                .revalidate_page(source, &check, selectors, report)
                .await?
            {
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
        report: &mut Report,
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
                report.writes.page_unchanged(article_id, None, now);
                return Ok(false);
            }
            Err(err) => {
                // A page that is gone or failing is no correction; try again
                // after the others have had their turn.
                tracing::debug!(source = %source.name, url = %check.url, error = %err,
                    "revalidating an article failed");
                report.writes.page_unchanged(article_id, None, now);
                return Ok(false);
            }
        };
        let validators = page.validators.clone();
        let article = match self.extract_page(page, selectors).await {
            Ok(article) => article,
            Err(
                ArticleError::Skip(reason)
                | ArticleError::NotArticle(reason)
                | ArticleError::Failed(reason),
            ) => {
                tracing::debug!(source = %source.name, url = %check.url, reason = %reason,
                    "revalidated page has no article");
                report
                    .writes
                    .page_unchanged(article_id, Some(&validators), now);
                return Ok(false);
            }
        };
        if dedup::story_hash(&article.title, &article.body_text) == check.story_hash {
            report
                .writes
                .page_unchanged(article_id, Some(&validators), now);
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
    page: Option<ReadPage>,
}

/// A list page's links (and next page), read with the source's selectors.
fn parse_list(page: &fetch::Page, selectors: &Overrides) -> ListPage {
    let html = charset::decode(&page.body, page.content_type.as_deref());
    links_from_list_with(&html, &page.url, selectors)
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
                n_seen: report.n_seen,
                // A page whose links the topic filter all turned away still
                // yielded articles: it is not the empty page warned about.
                empty: (!report.not_modified).then_some(
                    report.n_new + report.n_seen + report.n_filtered + report.n_filtered_before
                        == 0,
                ),
                kind: report.kind,
            },
            duration_ms: 0,
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
            duration_ms: 0,
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
