//! The loop: poll due sources, render the feeds, write and serve them,
//! reload the source list when it changes, until told to stop. Also the
//! one-shot `poll` and `export` the CLI uses.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use futures_util::stream::{self, FuturesUnordered, StreamExt};
use jiff::Timestamp;

use crate::config::{Config, Source, SourceList};
use crate::export::{self, Entry, EntrySource, FeedMeta};
use crate::fetch;
use crate::metrics::Metrics;
use crate::notify;
use crate::pages;
use crate::refresh::{self, Refresher};
use crate::serve::{
    self, BoxFuture, FeedSlot, Feeds, Format, Observed, RenderedFeed, ServeState, TagFeeds,
};
use crate::store::{self, SourceRow, StoredArticle};

/// How often the source list file is checked for changes.
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// How long a changed source list must stay unchanged before it is read.
const SETTLE: Duration = Duration::from_millis(300);

/// How long open HTTP connections get to finish after a stop.
const SERVER_GRACE: Duration = Duration::from_secs(3);

/// The long-lived parts of a running muniflux.
pub struct App {
    pub config: Config,
    pub store: store::Handle,
    pub refresher: Refresher,
    pub metrics: Arc<Metrics>,
    /// URLs of the sources in the current source list: a source removed by a
    /// reload is skipped even when a running round already had it.
    active: RwLock<HashSet<String>>,
    /// [`active_hosts`] hosts at a time, across all running rounds.
    hosts: tokio::sync::Semaphore,
    /// The source list as loaded now, for the source pages.
    list: serve::ListSlot,
    n_hosts: usize,
}

/// At most this many hosts are polled side by side.
pub const MAX_ACTIVE_HOSTS: usize = 4096;

/// What a request is assumed to take, to size [`active_hosts`].
const TYPICAL_REQUEST: Duration = Duration::from_millis(50);

/// How many hosts are polled side by side. Requests are bounded by `[poll]
/// concurrency` in the fetch client, after each host's politeness delay, so
/// a host sleeping out its delay holds no request slot. A host in progress
/// still costs memory, above all its open connection (tens of KB of
/// buffers), so only as many are started as keep every request slot busy:
/// `concurrency` hosts when there is no delay (each host's requests then go
/// back to back on one connection), about `concurrency × (1 + host_delay /
/// 50 ms)` otherwise, so that a round over a thousand single-source hosts
/// with the default delay takes as long as its slowest host, not the sum
/// of their delays.
pub fn active_hosts(concurrency: usize, host_delay: Duration) -> usize {
    let per_slot = 1 + host_delay.as_millis() / TYPICAL_REQUEST.as_millis();
    let hosts = (concurrency.max(1) as u128).saturating_mul(per_slot);
    usize::try_from(hosts)
        .unwrap_or(usize::MAX)
        .min(MAX_ACTIVE_HOSTS)
}

/// What one poll round did, for logs and exit codes.
#[derive(Debug, Default)]
pub struct RoundSummary {
    pub polled: usize,
    pub failed: usize,
    pub n_new: usize,
}

impl App {
    /// Opens the store and builds the shared HTTP client.
    pub fn open(config: Config) -> anyhow::Result<App> {
        // The store's error names the file and the cause.
        let store = store::Handle::open(&config.database, store::READERS)?;
        let client = fetch::Client::new(config.poll.fetch_settings())
            .context("building the HTTP client")?
            .remembering_robots(Arc::new(store.clone()));
        let metrics = Arc::new(Metrics::default());
        let refresher = Refresher {
            client: Arc::new(client),
            store: store.clone(),
            settings: refresh::Settings {
                max_pages: config.poll.max_pages,
                max_new_articles: config.poll.max_new_articles,
                policy: config.poll.policy(None),
                articles: config.articles.clone(),
            },
            metrics: Arc::clone(&metrics),
            cpu: refresh::CpuPool::per_core(),
        };
        let n_hosts = active_hosts(config.poll.concurrency, config.poll.host_delay);
        Ok(App {
            hosts: tokio::sync::Semaphore::new(n_hosts),
            n_hosts,
            config,
            store,
            refresher,
            metrics,
            active: RwLock::default(),
            list: serve::ListSlot::default(),
        })
    }

    /// Stores the source list; returns each active source with its row.
    pub async fn sync_sources(
        &self,
        list: &SourceList,
    ) -> anyhow::Result<Vec<(SourceRow, Source)>> {
        let sources = list.sources.clone();
        let now = Timestamp::now();
        let rows = self
            .store
            .call(move |s| s.sync_sources(&sources, now))
            .await?;
        *self.active.write().unwrap_or_else(|p| p.into_inner()) =
            list.sources.iter().map(|s| s.url.to_string()).collect();
        self.list.set(list.sources.clone());
        let by_url: HashMap<&str, &Source> =
            list.sources.iter().map(|s| (s.url.as_str(), s)).collect();
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let source = (*by_url.get(row.url.as_str())?).clone();
                Some((row, source))
            })
            .collect())
    }

    /// Polls `sources` once: hosts in parallel (at most [`active_hosts`],
    /// with at most `[poll] concurrency` requests in flight), the sources of
    /// one host one after another in list order, so that the earlier source
    /// of a cross-post wins and a host sees one request at a time.
    pub async fn poll_round(&self, sources: &[(SourceRow, Source)]) -> RoundSummary {
        let started_at = Timestamp::now();
        let mut by_host: Vec<(String, Vec<&(SourceRow, Source)>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for entry in sources {
            let host = host_key(&entry.1.url);
            let i = *index.entry(host.clone()).or_insert_with(|| {
                by_host.push((host, Vec::new()));
                by_host.len() - 1
            });
            by_host[i].1.push(entry);
        }
        // Each outcome: Some(number of new articles) or None for a failed source.
        let results: Vec<Vec<Option<usize>>> = stream::iter(by_host)
            .map(|(_, group)| async move {
                // Never fails: the semaphore is never closed.
                let _host = self.hosts.acquire().await;
                let mut outcomes = Vec::with_capacity(group.len());
                for (row, source) in group {
                    if !self.is_active(source) {
                        continue;
                    }
                    let result = self.refresher.refresh(row, source).await;
                    outcomes.push(result.ok().map(|report| report.n_new));
                }
                outcomes
            })
            .buffer_unordered(self.n_hosts)
            .collect()
            .await;
        let outcomes: Vec<Option<usize>> = results.into_iter().flatten().collect();
        self.purge_expired().await;
        let summary = RoundSummary {
            polled: outcomes.len(),
            failed: outcomes.iter().filter(|o| o.is_none()).count(),
            n_new: outcomes.iter().flatten().sum(),
        };
        self.record_round(&summary, started_at).await;
        summary
    }

    /// Keeps when a round ran and what it did, for the status page. A
    /// failure is logged; the round's work is stored already.
    async fn record_round(&self, summary: &RoundSummary, started_at: Timestamp) {
        let round = store::Round {
            started_at,
            finished_at: Timestamp::now(),
            n_polled: summary.polled as u64,
            n_failed: summary.failed as u64,
            n_new: summary.n_new as u64,
        };
        if let Err(err) = self.store.call(move |s| s.record_round(&round)).await {
            tracing::error!(error = %err, "recording the poll round failed");
        }
    }

    /// Purges articles older than `[articles] retention`, leaving tombstones
    /// (issue 5). A failure is logged; the next round tries again.
    async fn purge_expired(&self) {
        let now = Timestamp::now();
        let retention = jiff::SignedDuration::try_from(self.config.articles.retention)
            .unwrap_or(jiff::SignedDuration::MAX);
        let cutoff = now.checked_sub(retention).unwrap_or(Timestamp::MIN);
        match self
            .store
            .call(move |s| {
                // Links a topic filter turned away are forgotten as old
                // articles are (and read once more if still listed).
                s.forget_filtered_before(cutoff)?;
                s.purge_older_than(cutoff, now)
            })
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(n_purged = n, "old articles purged"),
            Err(err) => tracing::error!(error = %err, "purging old articles failed"),
        }
    }

    fn is_active(&self, source: &Source) -> bool {
        self.active
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains(source.url.as_str())
    }

    /// Renders the merged feed from the store, as Atom and as JSON Feed.
    pub async fn render_feed(&self) -> anyhow::Result<Feeds> {
        let limit = self.config.feed.max_entries;
        let articles = self.store.read(move |s| s.newest_articles(limit)).await?;
        render_off_executor(self.merged_feed_meta(), articles).await
    }

    fn merged_feed_meta(&self) -> FeedMeta {
        FeedMeta {
            id: self.config.feed.id.clone(),
            title: self.config.feed.title.clone(),
            self_url: self.config.feed_self_url(),
            stylesheet: Some(serve::STYLESHEET_FROM_MERGED.to_string()),
        }
    }

    /// The merged feed in Atom only, for `muniflux export`: the JSON Feed
    /// and the compressed copies are the server's, and at thousands of
    /// entries they took most of an export's time and memory.
    pub async fn render_atom(&self) -> anyhow::Result<String> {
        let limit = self.config.feed.max_entries;
        let articles = self.store.read(move |s| s.newest_articles(limit)).await?;
        let meta = self.merged_feed_meta();
        tokio::task::spawn_blocking(move || {
            let entries: Vec<Entry> = articles.iter().map(entry_of).collect();
            export::render_atom(&meta, &entries, Timestamp::now())
        })
        .await
        .map_err(|err| anyhow::anyhow!("rendering the feed failed: {err}"))
    }

    /// Renders the feed of the articles from sources with `tag`; `None`
    /// when no source in the list has that tag.
    pub async fn render_tag_feed(&self, tag: &str) -> anyhow::Result<Option<Feeds>> {
        let rows = self.store.read(|s| s.sources()).await?;
        if !rows
            .iter()
            .any(|r| r.active && r.tags.iter().any(|t| t == tag))
        {
            return Ok(None);
        }
        let limit = self.config.feed.max_entries;
        let key = tag.to_string();
        let articles = self
            .store
            .read(move |s| s.newest_articles_tagged(&key, limit))
            .await?;
        let meta = FeedMeta {
            id: format!("{}/{tag}", self.config.feed.id),
            title: format!("{} – {tag}", self.config.feed.title),
            self_url: tag_feed_url(&self.config.feed_self_url(), tag, Format::Atom),
            stylesheet: Some(serve::STYLESHEET_FROM_TAG_FEED.to_string()),
        };
        Ok(Some(render_off_executor(meta, articles).await?))
    }

    /// Renders the merged feed, writes `[feed] output` when configured (and
    /// changed) and hands it to the server, whose tag feeds are then stale.
    pub async fn publish(&self, slot: Option<&FeedSlot>) -> anyhow::Result<()> {
        let feed = self.render_feed().await?;
        let unchanged = slot
            .and_then(FeedSlot::get)
            .is_some_and(|served| served.atom.etag == feed.atom.etag);
        if let Some(path) = &self.config.feed.output {
            if !unchanged || !path.exists() {
                write_atomically(path, &feed.atom.body)
                    .await
                    .with_context(|| format!("writing the feed to {}", path.display()))?;
            }
        }
        if let Some(slot) = slot {
            slot.set(feed);
        }
        Ok(())
    }

    /// Reads the source list again and stores it. An invalid file is logged
    /// (file:line: key: message) and changes nothing: the old list keeps
    /// running.
    pub async fn reload(&self, why: &str) -> Option<(SourceList, Vec<(SourceRow, Source)>)> {
        let path = self.config.sources.clone();
        let loaded = tokio::task::spawn_blocking(move || SourceList::load(&path)).await;
        let list = match loaded {
            Ok(Ok(list)) => list,
            Ok(Err(err)) => {
                self.metrics.record_reload(false);
                tracing::error!(why, error = %err, "the source list is invalid; still polling the previous list");
                return None;
            }
            Err(err) => {
                tracing::error!(why, error = %err, "reading the source list failed");
                return None;
            }
        };
        match self.sync_sources(&list).await {
            Ok(sources) => {
                self.metrics.record_reload(true);
                tracing::info!(why, path = %list.path.display(), sources = sources.len(), "source list reloaded");
                Some((list, sources))
            }
            Err(err) => {
                self.metrics.record_reload(false);
                tracing::error!(why, error = %crate::cli::error_chain(&err), "storing the reloaded source list failed");
                None
            }
        }
    }
}

impl TagFeeds for App {
    fn tag_feed<'a>(&'a self, tag: &'a str) -> BoxFuture<'a, anyhow::Result<Option<Feeds>>> {
        Box::pin(self.render_tag_feed(tag))
    }
}

/// The feed of one tag lives beside the merged one: `.../feeds/<tag>.atom`
/// (or `.json`).
fn tag_feed_url(merged: &str, tag: &str, format: Format) -> String {
    let extension = extension(format);
    match url::Url::parse(merged).and_then(|u| u.join(&format!("feeds/{tag}.{extension}"))) {
        Ok(url) => url.to_string(),
        Err(_) => format!("{merged}#{tag}.{extension}"),
    }
}

/// The JSON feed lives beside the Atom feed of the same URL: `feed.atom`
/// becomes `feed.json`; a URL without the extension gets `feed.json` in
/// its folder.
fn json_feed_url(atom: &str) -> String {
    if let Some(stem) = atom.strip_suffix(".atom") {
        return format!("{stem}.json");
    }
    match url::Url::parse(atom).and_then(|u| u.join("feed.json")) {
        Ok(url) => url.to_string(),
        Err(_) => format!("{atom}.json"),
    }
}

fn extension(format: Format) -> &'static str {
    match format {
        Format::Atom => "atom",
        Format::Json => "json",
    }
}

/// [`render`] on the blocking pool: writing and compressing a large feed
/// takes milliseconds that the server's requests should not wait behind.
async fn render_off_executor(
    meta: FeedMeta,
    articles: Vec<StoredArticle>,
) -> anyhow::Result<Feeds> {
    tokio::task::spawn_blocking(move || render(&meta, &articles))
        .await
        .map_err(|err| anyhow::anyhow!("rendering the feed failed: {err}"))
}

/// Both formats from one list of articles (so they hold the same entries),
/// with the same Last-Modified.
fn render(meta: &FeedMeta, articles: &[StoredArticle]) -> Feeds {
    let entries: Vec<Entry> = articles.iter().map(entry_of).collect();
    let now = Timestamp::now();
    let changed = last_change(articles).unwrap_or(now);
    let json_meta = FeedMeta {
        self_url: json_feed_url(&meta.self_url),
        ..meta.clone()
    };
    Feeds {
        atom: RenderedFeed::new(export::render_atom(meta, &entries, now), changed),
        json: RenderedFeed::new(export::render_json_feed(&json_meta, &entries), changed),
    }
}

/// When the feed's content last changed: the latest time an article in it
/// was stored or changed. It moves with every visible change (even a new
/// article with an old date) and stays put across restarts, which makes it
/// a sound `Last-Modified`.
fn last_change(articles: &[StoredArticle]) -> Option<Timestamp> {
    articles
        .iter()
        .map(|a| a.changed_at.max(a.first_seen_at))
        .max()
}

/// Host and port: the unit of politeness.
fn host_key(url: &url::Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// One stored article as a feed entry.
pub fn entry_of(article: &StoredArticle) -> Entry {
    let first = article.sources.first();
    let mut categories: Vec<String> = Vec::new();
    for tag in article.sources.iter().flat_map(|s| s.tags.iter()) {
        if !categories.contains(tag) {
            categories.push(tag.clone());
        }
    }
    let source_url = first
        .map(|s| s.url.clone())
        .unwrap_or_else(|| article.url.clone());
    Entry {
        id: article.entry_id.clone(),
        title: article.title.clone(),
        link: article.url.clone(),
        related: article.related.clone(),
        published: article.published,
        updated: article.updated_for_feed(),
        author: article
            .author
            .clone()
            .filter(|a| !a.trim().is_empty())
            .or_else(|| first.map(|s| s.name.clone()))
            .unwrap_or_else(|| host_of(&article.url)),
        categories,
        source: EntrySource {
            site: site_of(&source_url),
            url: source_url,
            title: first
                .map(|s| s.name.clone())
                .unwrap_or_else(|| host_of(&article.url)),
            // When the entry was taken from the source: stable, so an
            // unchanged store renders a byte-identical feed (and ETag).
            updated: article.first_seen_at,
        },
        content_html: article.body_html.clone(),
    }
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| url.to_string())
}

/// The site's home: scheme, host and port of a URL.
fn site_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!("{}/", u.origin().ascii_serialization()),
        Err(_) => url.to_string(),
    }
}

/// Writes `body` to `path` so that readers see the old or the new file, never
/// half of one: a temp file in the same folder, fsync, rename, fsync folder.
pub async fn write_atomically(path: &Path, body: &[u8]) -> std::io::Result<()> {
    let path = path.to_path_buf();
    let body = body.to_vec();
    tokio::task::spawn_blocking(move || write_atomically_sync(&path, &body))
        .await
        .map_err(std::io::Error::other)?
}

pub(crate) fn write_atomically_sync(path: &Path, body: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(body)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The daemon: serves HTTP, polls due sources, publishes after each round,
/// reloads the source list on `hangups` (SIGHUP) and when its file changes,
/// and returns when `shutdown` resolves. In-flight polls are then dropped
/// (cancelling their requests); every store write is a transaction, so the
/// database stays consistent and the next start resumes the schedule.
pub async fn run(
    app: App,
    list: SourceList,
    shutdown: impl Future<Output = ()> + Send + 'static,
    mut hangups: tokio::sync::mpsc::Receiver<()>,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let user_agent = &app.config.poll.user_agent;
    if !(user_agent.contains('@') || user_agent.contains("http")) {
        tracing::warn!(user_agent = %user_agent,
            "[poll] user_agent names no contact (a URL or an e-mail address); site owners who are bothered can only block it");
    }
    let app = Arc::new(app);
    let slot = FeedSlot::default();
    app.publish(Some(&slot)).await?;
    let server = start_server(&app, &slot, stop_rx.clone()).await?;
    let mut sources = app.sync_sources(&list).await?;
    let (reload_tx, mut reloads) = tokio::sync::mpsc::channel::<&'static str>(4);
    let signal_tx = reload_tx.clone();
    let forward = tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            let _ = signal_tx.send("SIGHUP").await;
        }
    });
    let watcher = tokio::spawn(watch_file(app.config.sources.clone(), reload_tx));
    // Due now: new sources and those whose stored next check has passed; a
    // restart resumes the schedule rather than polling everything again.
    let now = Timestamp::now();
    let due = sources.iter().filter(|(row, _)| is_due(row, now)).count();
    tracing::info!(sources = sources.len(), due, "muniflux running");
    notify::ready();
    notify::status(&format!("polling {} sources", sources.len()));
    // After READY=1: the first ping goes out at once, and a ping before
    // READY broke the order systemd (and the service test) expects.
    let watchdog = notify::watchdog_interval().map(|interval| {
        let store = app.store.clone();
        tokio::spawn(notify::watchdog(interval, move || {
            let store = store.clone();
            async move { store.call(|_| Ok(())).await.is_ok() }
        }))
    });
    let mut stop = stop_rx.clone();
    // Rounds run side by side: a source that comes due (or is added) while
    // a slow host holds up a round starts at once; the per-host gate and
    // the host semaphore keep it polite.
    let mut rounds = FuturesUnordered::new();
    let mut in_flight: HashSet<String> = HashSet::new();
    loop {
        let now = Timestamp::now();
        let due: Vec<(SourceRow, Source)> = sources
            .iter()
            .filter(|(row, _)| is_due(row, now) && !in_flight.contains(&row.url))
            .cloned()
            .collect();
        if !due.is_empty() {
            let urls: Vec<String> = due.iter().map(|(row, _)| row.url.clone()).collect();
            in_flight.extend(urls.iter().cloned());
            let app = Arc::clone(&app);
            rounds.push(async move { (app.poll_round(&due).await, urls) });
        }
        let waiting: Vec<(SourceRow, Source)> = sources
            .iter()
            .filter(|(row, _)| !in_flight.contains(&row.url))
            .cloned()
            .collect();
        let wait = time_to_next(&waiting, Timestamp::now());
        tokio::select! {
            Some((summary, urls)) = rounds.next() => {
                for url in &urls {
                    in_flight.remove(url);
                }
                if let Err(err) = app.publish(Some(&slot)).await {
                    tracing::error!(error = %crate::cli::error_chain(&err), "publishing the feed failed");
                }
                // Logged once the round's articles are served.
                tracing::info!(polled = summary.polled, failed = summary.failed, n_new = summary.n_new, "poll round done");
                notify::status(&format!(
                    "{} sources; last round: {} polled, {} failed, {} new",
                    sources.len(), summary.polled, summary.failed, summary.n_new
                ));
            }
            _ = tokio::time::sleep(wait) => {}
            Some(why) = reloads.recv() => {
                if let Some((_, reloaded)) = app.reload(why).await {
                    sources = reloaded;
                    // Removed sources' tag feeds go at once.
                    if let Err(err) = app.publish(Some(&slot)).await {
                        tracing::error!(error = %crate::cli::error_chain(&err), "publishing the feed failed");
                    }
                }
            }
            _ = stop.wait_for(|s| *s) => break,
        }
        refresh_rows(&app, &mut sources).await;
    }
    // Dropping the rounds cancels their requests.
    drop(rounds);
    tracing::info!("stopping");
    notify::stopping();
    forward.abort();
    watcher.abort();
    if let Some(watchdog) = watchdog {
        watchdog.abort();
    }
    if let Some(server) = server {
        let _ = tokio::time::timeout(SERVER_GRACE, server).await;
    }
    Ok(())
}

/// Reloads the stored rows, so the next due times are the stored ones. A
/// store that fails now (disk full, locked) is retried in a minute, not
/// fatal: the feed keeps being served meanwhile.
async fn refresh_rows(app: &App, sources: &mut Vec<(SourceRow, Source)>) {
    match app.store.read(|s| s.sources()).await {
        Ok(rows) => {
            let mut by_url: HashMap<String, SourceRow> =
                rows.into_iter().map(|r| (r.url.clone(), r)).collect();
            *sources = std::mem::take(sources)
                .into_iter()
                .filter_map(|(_, src)| Some((by_url.remove(src.url.as_str())?, src)))
                .collect();
        }
        Err(err) => {
            tracing::error!(error = %err, "reading the schedule failed; retrying in a minute");
            let later = Timestamp::now() + jiff::SignedDuration::from_secs(60);
            for (row, _) in sources.iter_mut() {
                row.next_check_at = Some(later);
            }
        }
    }
}

/// Binds `[server] listen` and serves until `stop`.
async fn start_server(
    app: &Arc<App>,
    slot: &FeedSlot,
    stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<Option<tokio::task::JoinHandle<std::io::Result<()>>>> {
    let Some(addr) = app.config.server.listen else {
        return Ok(None);
    };
    let listener = serve::bind(addr).await?;
    tracing::info!(listen = %listener.local_addr()?, "serving /feed.atom, /feeds/<tag>.atom, /metrics and the status page at /");
    let state = ServeState {
        feeds: slot.clone(),
        tags: Arc::clone(app) as Arc<dyn TagFeeds>,
        observed: Arc::new(Observed {
            store: app.store.clone(),
            metrics: Arc::clone(&app.metrics),
            client: Arc::clone(&app.refresher.client),
            thresholds: app.config.server.warnings,
            title: app.config.feed.title.clone(),
            list: app.list.clone(),
            defaults: pages::source::Defaults {
                interval: app.config.poll.interval,
                max_pages: app.config.poll.max_pages,
            },
        }),
    };
    let mut stop = stop;
    Ok(Some(tokio::spawn(async move {
        serve::serve(listener, state, async move {
            let _ = stop.wait_for(|stop| *stop).await;
        })
        .await
    })))
}

/// Sends a reload request whenever the file at `path` changes (size,
/// modification time or content). Polling every few seconds works on every
/// file system and through editors that replace the file.
async fn watch_file(path: PathBuf, reload: tokio::sync::mpsc::Sender<&'static str>) {
    let mut last = fingerprint(&path).await;
    loop {
        tokio::time::sleep(WATCH_EVERY).await;
        let now = fingerprint(&path).await;
        if now == last {
            continue;
        }
        // A file being written (truncated, then filled) is read again once
        // it has stopped changing, so a half-written list is never loaded.
        tokio::time::sleep(SETTLE).await;
        if fingerprint(&path).await != now {
            continue;
        }
        last = now;
        if reload.send("file changed").await.is_err() {
            return;
        }
    }
}

/// A cheap identity of a file's content; `None` when it cannot be read.
async fn fingerprint(path: &Path) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let bytes = tokio::fs::read(path).await.ok()?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    Some(hasher.finish())
}

fn is_due(row: &SourceRow, now: Timestamp) -> bool {
    row.next_check_at.is_none_or(|t| t <= now)
}

/// How long to sleep until the next source is due (at least 1 s, at most 60 s
/// so a changed clock or database is noticed).
fn time_to_next(sources: &[(SourceRow, Source)], now: Timestamp) -> Duration {
    let next = sources.iter().filter_map(|(r, _)| r.next_check_at).min();
    let secs = next.map(|t| t.as_second() - now.as_second()).unwrap_or(60);
    Duration::from_secs(secs.clamp(1, 60) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_in_progress_follow_the_slots_and_the_delay() {
        let ms = Duration::from_millis;
        assert_eq!(active_hosts(32, Duration::ZERO), 32);
        assert_eq!(active_hosts(32, ms(2000)), 32 * 41);
        assert!(
            active_hosts(32, ms(2000)) >= 1000,
            "a round over 1 000 hosts is one wave"
        );
        assert_eq!(active_hosts(256, Duration::from_secs(60)), MAX_ACTIVE_HOSTS);
        assert_eq!(active_hosts(0, Duration::ZERO), 1);
    }

    #[test]
    fn tag_feeds_live_beside_the_merged_feed() {
        assert_eq!(
            tag_feed_url(
                "https://news.example.org/feed.atom",
                "näringsliv",
                Format::Atom
            ),
            "https://news.example.org/feeds/n%C3%A4ringsliv.atom"
        );
        assert_eq!(
            tag_feed_url("http://127.0.0.1:8080/feed.atom", "ale", Format::Atom),
            "http://127.0.0.1:8080/feeds/ale.atom"
        );
        assert_eq!(
            json_feed_url(&tag_feed_url(
                "http://127.0.0.1:8080/feed.atom",
                "ale",
                Format::Atom
            )),
            tag_feed_url("http://127.0.0.1:8080/feed.atom", "ale", Format::Json)
        );
        assert_eq!(
            json_feed_url("https://news.example.org/kommuner/"),
            "https://news.example.org/kommuner/feed.json"
        );
    }

    #[tokio::test]
    async fn a_changed_source_list_is_reported_once_it_has_settled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sources.toml");
        std::fs::write(&path, "# empty\n").unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::channel(4);
        let watcher = tokio::spawn(watch_file(path.clone(), tx));
        // Unchanged: nothing within two checks.
        let quiet = tokio::time::timeout(WATCH_EVERY * 2, rx.recv()).await;
        assert!(quiet.is_err(), "reported an unchanged file");
        std::fs::write(&path, "[[source]]\n").unwrap();
        let changed = tokio::time::timeout(WATCH_EVERY * 3, rx.recv()).await;
        assert_eq!(changed.unwrap(), Some("file changed"));
        watcher.abort();
    }
}
