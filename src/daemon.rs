//! The loop: poll due sources, render the feed, write and serve it, until
//! told to stop. Also the one-shot `poll` and `export` the CLI uses.

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use futures_util::stream::{self, StreamExt};
use jiff::Timestamp;

use crate::config::{Config, Source, SourceList};
use crate::export::{self, Entry, EntrySource, FeedMeta};
use crate::fetch;
use crate::refresh::{self, Refresher};
use crate::serve::{self, FeedSlot, RenderedFeed};
use crate::store::{self, SourceRow, StoredArticle};

/// The long-lived parts of a running muniflux.
pub struct App {
    pub config: Config,
    pub store: store::Handle,
    pub refresher: Refresher,
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
        let store = store::Store::open(&config.database)
            .with_context(|| format!("opening the database {}", config.database.display()))?;
        let client =
            fetch::Client::new(config.poll.fetch_settings()).context("building the HTTP client")?;
        let store = store::Handle::new(store);
        let refresher = Refresher {
            client: Arc::new(client),
            store: store.clone(),
            settings: refresh::Settings {
                max_pages: config.poll.max_pages,
                max_new_articles: config.poll.max_new_articles,
                interval: config.poll.interval,
                articles: config.articles.clone(),
            },
        };
        Ok(App {
            config,
            store,
            refresher,
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
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let source = list
                    .sources
                    .iter()
                    .find(|s| s.url.as_str() == row.url)?
                    .clone();
                Some((row, source))
            })
            .collect())
    }

    /// Polls `sources` once: hosts in parallel (at most `[poll] concurrency`),
    /// the sources of one host one after another in list order, so that the
    /// earlier source of a cross-post wins and a host sees one request at a time.
    pub async fn poll_round(&self, sources: &[(SourceRow, Source)]) -> RoundSummary {
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
                let mut outcomes = Vec::with_capacity(group.len());
                for (row, source) in group {
                    let result = self.refresher.refresh(row, source.max_pages).await;
                    outcomes.push(result.ok().map(|report| report.n_new));
                }
                outcomes
            })
            .buffer_unordered(self.config.poll.concurrency.max(1))
            .collect()
            .await;
        let outcomes: Vec<Option<usize>> = results.into_iter().flatten().collect();
        self.purge_expired().await;
        RoundSummary {
            polled: outcomes.len(),
            failed: outcomes.iter().filter(|o| o.is_none()).count(),
            n_new: outcomes.iter().flatten().sum(),
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
            .call(move |s| s.purge_older_than(cutoff, now))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(n_purged = n, "old articles purged"),
            Err(err) => tracing::error!(error = %err, "purging old articles failed"),
        }
    }

    /// Renders the merged feed from the store.
    pub async fn render_feed(&self) -> anyhow::Result<RenderedFeed> {
        let limit = self.config.feed.max_entries;
        let articles = self.store.call(move |s| s.newest_articles(limit)).await?;
        let meta = FeedMeta {
            id: self.config.feed.id.clone(),
            title: self.config.feed.title.clone(),
            self_url: self.config.feed_self_url(),
        };
        let entries: Vec<Entry> = articles.iter().map(entry_of).collect();
        let now = Timestamp::now();
        let body = export::render_atom(&meta, &entries, now);
        Ok(RenderedFeed::new(
            body,
            last_change(&articles).unwrap_or(now),
        ))
    }

    /// Renders the feed and writes `[feed] output` when configured.
    pub async fn publish(&self, slot: Option<&FeedSlot>) -> anyhow::Result<()> {
        let feed = self.render_feed().await?;
        if let Some(path) = &self.config.feed.output {
            write_atomically(path, &feed.body)
                .await
                .with_context(|| format!("writing the feed to {}", path.display()))?;
        }
        if let Some(slot) = slot {
            slot.set(feed);
        }
        Ok(())
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

fn write_atomically_sync(path: &Path, body: &[u8]) -> std::io::Result<()> {
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

/// The daemon: serves the feed, polls due sources, publishes after each
/// round, and returns when `shutdown` resolves (in-flight polls are
/// cancelled; every store write is a transaction, so the database stays
/// consistent).
pub async fn run(
    app: App,
    list: SourceList,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let slot = FeedSlot::default();
    app.publish(Some(&slot)).await?;
    let server = match app.config.server.listen {
        Some(addr) => {
            let listener = serve::bind(addr).await?;
            tracing::info!(listen = %listener.local_addr()?, "serving /feed.atom");
            let mut rx = stop_rx.clone();
            let feed = slot.clone();
            Some(tokio::spawn(async move {
                serve::serve(listener, feed, async move {
                    let _ = rx.wait_for(|stop| *stop).await;
                })
                .await
            }))
        }
        None => None,
    };
    let mut sources = app.sync_sources(&list).await?;
    tracing::info!(sources = sources.len(), "muniflux running");
    let mut stop = stop_rx.clone();
    loop {
        let now = Timestamp::now();
        let due: Vec<(SourceRow, Source)> = sources
            .iter()
            .filter(|(row, _)| is_due(row, now))
            .cloned()
            .collect();
        if !due.is_empty() {
            tokio::select! {
                summary = app.poll_round(&due) => {
                    tracing::info!(polled = summary.polled, failed = summary.failed, n_new = summary.n_new, "poll round done");
                    if let Err(err) = app.publish(Some(&slot)).await {
                        tracing::error!(error = %format!("{err:#}"), "publishing the feed failed");
                    }
                }
                _ = stop.wait_for(|s| *s) => break,
            }
        }
        // Refresh the rows so the next due times are the stored ones.
        let rows = app.store.call(|s| s.sources()).await?;
        sources = sources
            .into_iter()
            .filter_map(|(_, src)| {
                rows.iter()
                    .find(|r| r.url == src.url.as_str())
                    .map(|r| (r.clone(), src))
            })
            .collect();
        let wait = time_to_next(&sources, Timestamp::now());
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|s| *s) => break,
        }
    }
    tracing::info!("stopping");
    if let Some(server) = server {
        let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
    }
    Ok(())
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
