//! `muniflux discover URL`: from a municipality's address to the news lists
//! and feeds a poll could read, ranked.
//!
//! Candidates come from the start page (feeds its head advertises, links
//! whose text or path says feed, news, press, current affairs or business,
//! the "all news" link of its news block, the block itself), from the
//! business and news section pages it links to (one level further, where
//! kommun sites keep "Nyheter för företagare"), from the list pages found
//! (their own feeds), and from the site's sitemaps (robots.txt `Sitemap:`
//! lines, else `/sitemap.xml`). Each candidate is fetched once, through the
//! one fetch client a poll uses (robots.txt, per-host delay, User-Agent),
//! and read by the code a poll reads it with (`extract::links`,
//! `extract::feed`); what it yields is ranked by [`rank`].
//!
//! Only `fetch` touches the network; everything else here is pure.

mod page;
pub mod rank;
mod sitemap;
pub mod words;

use std::collections::HashMap;

use jiff::Timestamp;
use url::Url;

use crate::canonical::{canonical_url, same_site};
use crate::extract::{charset, feed::items_from_feed, links::links_from_list, sniff::page_kind};
use crate::fetch::{self, Outcome, Validators};
use crate::model::PageKind;

use rank::folder_of;
pub use rank::{Found, Item, Kind, Ranked};

/// Bounds on one discovery, so a big site costs a bounded number of
/// polite requests.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Pages, feeds and sitemaps fetched at most (robots.txt not counted).
    pub max_fetches: usize,
    /// Candidates tried at most.
    pub max_candidates: usize,
    /// Section pages (business, news hubs) read for more links.
    pub max_sections: usize,
    /// Sitemaps of a sitemap index read at most.
    pub max_child_sitemaps: usize,
    /// Sitemap entries looked at per file.
    pub max_sitemap_urls: usize,
    /// Largest unpacked sitemap.
    pub max_sitemap_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_fetches: 40,
            max_candidates: 14,
            max_sections: 4,
            max_child_sitemaps: 3,
            max_sitemap_urls: 50_000,
            max_sitemap_bytes: 50 * 1024 * 1024,
        }
    }
}

/// What discovery found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The address discovery started from.
    pub site: Url,
    /// The site's name as its start page gives it.
    pub site_name: Option<String>,
    /// Ranked, best first.
    pub candidates: Vec<Ranked>,
    /// What went wrong on the way (robots.txt, sitemaps, failed pages).
    pub notes: Vec<String>,
    /// Requests made (robots.txt not counted).
    pub fetches: usize,
}

impl Report {
    /// Whether anything could be polled.
    pub fn found_news(&self) -> bool {
        self.candidates.iter().any(|c| c.usable)
    }
}

/// Why discovery could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {url}: {reason}")]
    Start { url: Url, reason: String },
}

/// A fetched document, or why there is none; each URL is fetched once.
#[derive(Clone)]
enum Fetched {
    Page(Box<fetch::Page>),
    Disallowed,
    Failed(String),
    /// The fetch budget was spent.
    Skipped,
}

struct Fetcher<'c> {
    client: &'c fetch::Client,
    cache: HashMap<Url, Fetched>,
    fetches: usize,
    max_fetches: usize,
}

impl Fetcher<'_> {
    async fn get(&mut self, url: &Url) -> Fetched {
        let key = canonical_url(url);
        if let Some(done) = self.cache.get(&key) {
            return done.clone();
        }
        if self.fetches >= self.max_fetches {
            return Fetched::Skipped;
        }
        let fetched = match self.client.fetch_page(url, &Validators::default()).await {
            Ok(Outcome::Fetched(page)) => {
                self.fetches += 1;
                Fetched::Page(Box::new(page))
            }
            Ok(Outcome::NotModified) => Fetched::Failed("304 Not Modified to a plain GET".into()),
            Err(fetch::Error::RobotsDisallowed { .. }) => Fetched::Disallowed,
            Err(err) => {
                self.fetches += 1;
                Fetched::Failed(fetch::error_chain(&err))
            }
        };
        self.cache.insert(key, fetched.clone());
        fetched
    }
}

/// A would-be candidate: a URL and how it was found.
struct Seed {
    url: Url,
    found: Vec<Found>,
    /// How promising it looks before it is fetched (orders the tries).
    prior: i32,
}

/// Candidates collected so far, one per canonical URL.
#[derive(Default)]
struct Seeds {
    list: Vec<Seed>,
}

impl Seeds {
    fn add(&mut self, url: Url, found: Found, prior: i32) {
        let key = canonical_url(&url);
        if let Some(seed) = self.list.iter_mut().find(|s| canonical_url(&s.url) == key) {
            if !seed.found.contains(&found) {
                seed.found.push(found);
            }
            seed.prior = seed.prior.max(prior);
            return;
        }
        self.list.push(Seed {
            url,
            found: vec![found],
            prior,
        });
    }
}

/// Discovers the news lists and feeds of the site at `start`.
pub async fn discover(
    client: &fetch::Client,
    start: &Url,
    limits: &Limits,
    now: Timestamp,
) -> Result<Report, Error> {
    let mut fetcher = Fetcher {
        client,
        cache: HashMap::new(),
        fetches: 0,
        max_fetches: limits.max_fetches,
    };
    let mut notes: Vec<String> = Vec::new();
    let page = match fetcher.get(start).await {
        Fetched::Page(page) => page,
        Fetched::Disallowed => {
            return Err(Error::Start {
                url: start.clone(),
                reason: "robots.txt disallows it".into(),
            })
        }
        Fetched::Failed(reason) => {
            return Err(Error::Start {
                url: start.clone(),
                reason,
            })
        }
        Fetched::Skipped => {
            return Err(Error::Start {
                url: start.clone(),
                reason: "no requests allowed".into(),
            })
        }
    };
    let scope = Scope::of(&page.url);
    let mut seeds = Seeds::default();
    let mut site_name = None;
    if page_kind(page.content_type.as_deref(), &page.body) == PageKind::Feed {
        seeds.add(page.url.clone(), Found::Given, 100);
    } else {
        let html = charset::decode(&page.body, page.content_type.as_deref());
        let info = page::read_page(&html, &page.url);
        site_name = info.site_name.clone();
        // Business sections, and their own sub-sections ("Näringsliv" ->
        // "Företagare" -> "Nyheter"), breadth first.
        let mut sections = seeds_of_page(&mut seeds, &html, &page.url, &info, &scope, true);
        let mut read: Vec<Url> = Vec::new();
        while !sections.is_empty() && read.len() < limits.max_sections {
            let section = sections.remove(0);
            if read.contains(&canonical_url(&section)) {
                continue;
            }
            read.push(canonical_url(&section));
            if let Fetched::Page(p) = fetcher.get(&section).await {
                if page_kind(p.content_type.as_deref(), &p.body) == PageKind::Html {
                    let html = charset::decode(&p.body, p.content_type.as_deref());
                    let info = page::read_page(&html, &p.url);
                    let deeper = seeds_of_page(&mut seeds, &html, &p.url, &info, &scope, false);
                    sections.extend(deeper);
                }
            }
        }
    }
    seeds_of_sitemaps(
        &mut fetcher,
        &mut seeds,
        &mut notes,
        &page.url,
        &scope,
        limits,
    )
    .await;
    let evaluated = evaluate(&mut fetcher, seeds, &mut notes, &scope, limits, now).await;
    Ok(Report {
        site: start.clone(),
        site_name,
        candidates: rank::rank(evaluated),
        notes,
        fetches: fetcher.fetches,
    })
}

/// Where the site is: the start page's host, and the folder of its home
/// (`/vaxjo/` when the start page is `/vaxjo/` or `/vaxjo/index.html`; the
/// root for a deeper page), for entries of a sitemap shared by several
/// sites.
#[derive(Debug, Clone)]
struct Scope {
    home: Url,
    prefix: String,
}

impl Scope {
    fn of(start: &Url) -> Scope {
        let path = start.path();
        let dir = &path[..=path.rfind('/').unwrap_or(0)];
        let depth = dir.matches('/').count();
        let prefix = if depth <= 2 {
            dir.to_string()
        } else {
            "/".into()
        };
        Scope {
            home: start.clone(),
            prefix,
        }
    }

    fn contains(&self, url: &Url) -> bool {
        same_site(url, &self.home) && url.path().starts_with(&self.prefix)
    }
}

/// Links that go nowhere a poll could read.
fn is_document_or_asset(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    [
        ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".jpg", ".jpeg", ".png", ".gif",
        ".svg", ".zip", ".mp3", ".mp4", ".css", ".js", ".ics",
    ]
    .iter()
    .any(|ext| path.ends_with(ext))
}

/// Adds a page's candidates to `seeds` and returns the section pages worth
/// reading for more (business or news hubs it links to, best first).
fn seeds_of_page(
    seeds: &mut Seeds,
    html: &str,
    url: &Url,
    info: &page::PageInfo,
    scope: &Scope,
    is_start: bool,
) -> Vec<Url> {
    let on = url.clone();
    for feed in &info.feeds {
        let w = words::words(&format!("{} {}", feed.url.path(), feed.title));
        if words::is_not_a_stream(&w) || !same_site(&feed.url, &scope.home) && !is_start {
            continue;
        }
        seeds.add(feed.url.clone(), Found::Advertised { on: on.clone() }, 60);
    }
    let block = news_block(html, url, &info.anchors, scope);
    if let Some(block) = &block {
        for (all, text) in &block.all_links {
            seeds.add(
                all.clone(),
                Found::AllNewsLink {
                    on: on.clone(),
                    text: text.clone(),
                },
                70,
            );
        }
        if is_start {
            seeds.add(url.clone(), Found::NewsBlock, 10);
        }
    }
    let mut sections: Vec<(i32, Url)> = Vec::new();
    let here = canonical_url(url);
    for anchor in &info.anchors {
        let target = &anchor.url;
        if !same_site(target, &scope.home)
            || is_document_or_asset(target)
            || canonical_url(target) == here
        {
            continue;
        }
        let text_words = words::words(&anchor.text);
        let path_words = words::words(last_segments(target));
        // An article of the page's news block is no list, unless its own
        // name says news (a section page's link list is a "block" too).
        let in_block = block
            .as_ref()
            .is_some_and(|b| b.items.contains(&canonical_url(target)));
        if in_block && words::news_word(&words::words(last_segment(target))).is_none() {
            continue;
        }
        if words::is_not_a_stream(&text_words) || words::is_not_a_stream(&path_words) {
            continue;
        }
        let feedish = words::is_feed_text(&text_words) || is_feed_path(target);
        if feedish {
            seeds.add(
                target.clone(),
                Found::FeedLink {
                    on: on.clone(),
                    text: anchor.text.clone(),
                },
                55,
            );
            continue;
        }
        if words::is_about_text(&text_words) {
            continue;
        }
        let news = words::news_word(&text_words).or(words::news_word(&path_words));
        let business = words::business_word(&text_words).or(words::business_word(&path_words));
        let not_news = words::is_not_news(&text_words);
        match (news, business) {
            (Some(_), _) if !(not_news && words::news_word(&text_words).is_none()) => {
                let prior = 40 + if business.is_some() { 25 } else { 0 };
                seeds.add(
                    target.clone(),
                    Found::NewsLink {
                        on: on.clone(),
                        text: anchor.text.clone(),
                    },
                    prior,
                );
            }
            (None, Some(_))
                if !not_news
                    && (is_start
                        || target.path().starts_with(&folder_of(url))
                            && folder_of(url).len() > 1) =>
            {
                // A business section (on the start page, or a sub-section
                // of one): its own page may link the news list.
                let prior = if words::business_word(&text_words).is_some() {
                    2
                } else {
                    1
                };
                sections.push((prior, target.clone()));
            }
            _ => {}
        }
    }
    sections.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut unique: Vec<Url> = Vec::new();
    for (_, section) in sections {
        if !unique
            .iter()
            .any(|u| canonical_url(u) == canonical_url(&section))
        {
            unique.push(section);
        }
    }
    unique
}

/// The last two path segments, where a list page's name is
/// (`/naringsliv-och-arbete/nyheter-for-foretagare.html`); words higher up
/// name the section, which every page below it shares.
fn last_segments(url: &Url) -> &str {
    let path = url.path().trim_end_matches('/');
    let mut cut = path.len();
    for _ in 0..2 {
        match path[..cut].rfind('/') {
            Some(i) => cut = i,
            None => return path,
        }
    }
    &path[cut..]
}

/// The last path segment (`nyheter-for-foretagare.html`).
fn last_segment(url: &Url) -> &str {
    url.path()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
}

/// A path that names a feed (`/rss/…`, `/feed/`, `….rss`, `atom.xml`).
fn is_feed_path(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let named = segments.iter().any(|s| {
        let stem = s.split('.').next().unwrap_or("");
        matches!(stem, "rss" | "rss2" | "feed" | "feeds" | "atom" | "rssfeed")
    });
    named || path.ends_with(".rss") || path.ends_with(".atom")
}

/// A page's news block: the article links its news list yields, and the
/// links that lead to all of them.
struct NewsBlock {
    items: Vec<Url>,
    all_links: Vec<(Url, String)>,
}

/// The news block of a page (a home page's "latest news"), when its list
/// has at least two items, with its "all news" links: a link to the folder
/// most of its items sit in, or a link whose text says "all"/"more"/
/// "archive" (in Swedish, English or German).
fn news_block(html: &str, url: &Url, anchors: &[page::Anchor], scope: &Scope) -> Option<NewsBlock> {
    let list = links_from_list(html, url);
    if list.links.len() < 2 {
        return None;
    }
    let items: Vec<Url> = list.links.iter().map(canonical_url).collect();
    let here = canonical_url(url);
    let mut all_links = Vec::new();
    for anchor in anchors {
        let key = canonical_url(&anchor.url);
        if key == here || items.contains(&key) || !same_site(&anchor.url, &scope.home) {
            continue;
        }
        let folder = folder_of(&anchor.url);
        let holds = folder.len() > scope.prefix.len()
            && items
                .iter()
                .filter(|i| same_site(i, &anchor.url) && i.path().starts_with(&folder))
                .count()
                * 2
                >= items.len();
        let says_all = words::is_all_news_text(&words::words(&anchor.text));
        if holds || says_all && is_near_items(&anchor.url, &items) {
            all_links.push((anchor.url.clone(), anchor.text.clone()));
        }
    }
    Some(NewsBlock { items, all_links })
}

/// An "all" link shares the first folder of the block's items.
fn is_near_items(url: &Url, items: &[Url]) -> bool {
    let first = |u: &Url| u.path().split('/').nth(1).unwrap_or("").to_string();
    let folder = first(url);
    !folder.is_empty() && items.iter().any(|i| first(i) == folder)
}

/// robots.txt may name many sitemaps; the first few are read.
const MAX_NAMED_SITEMAPS: usize = 3;

/// Candidates from the site's sitemaps: entries whose own name says news
/// (`/nyheter/`, `/aktuellt.html`, `/press/`) and that have articles below
/// them in the sitemap, most articles first.
async fn seeds_of_sitemaps(
    fetcher: &mut Fetcher<'_>,
    seeds: &mut Seeds,
    notes: &mut Vec<String>,
    start: &Url,
    scope: &Scope,
    limits: &Limits,
) {
    let mut queue = fetcher.client.robots_sitemaps(start).await;
    if queue.is_empty() {
        if let Ok(default) = start.join("/sitemap.xml") {
            queue.push(default);
        }
    }
    let named_in_robots = !queue.is_empty();
    let children_taken = &mut 0usize;
    // Named sitemaps first (a few), then the children of indexes.
    queue.truncate(MAX_NAMED_SITEMAPS);
    let mut entries: Vec<(Url, Url)> = Vec::new();
    while let Some(sitemap_url) = queue.first().cloned() {
        queue.remove(0);
        let page = match fetcher.get(&sitemap_url).await {
            Fetched::Page(page) => page,
            Fetched::Disallowed => {
                notes.push(format!(
                    "sitemap {sitemap_url}: robots.txt disallows it; not fetched"
                ));
                continue;
            }
            Fetched::Failed(reason) => {
                // No /sitemap.xml is common; only a named one failing is news.
                if named_in_robots && !reason.contains("HTTP 404") {
                    notes.push(format!("sitemap {sitemap_url}: {reason}"));
                }
                continue;
            }
            Fetched::Skipped => break,
        };
        match sitemap::read_sitemap(
            &page.body,
            limits.max_sitemap_urls,
            limits.max_sitemap_bytes,
        ) {
            Ok(sitemap::Sitemap::Index { locs, total }) => {
                let mut children: Vec<Url> = locs
                    .iter()
                    .filter_map(|l| sitemap_url.join(l).ok())
                    .filter(|u| same_site(u, start))
                    .collect();
                // Page sitemaps before image and video ones; news first.
                children.sort_by_key(|u| {
                    let w = words::words(u.path());
                    let media = w
                        .iter()
                        .any(|x| x.starts_with("image") || x.starts_with("video"));
                    (media, words::news_word(&w).is_none())
                });
                children.truncate(limits.max_child_sitemaps.saturating_sub(*children_taken));
                *children_taken += children.len();
                if total > children.len() {
                    notes.push(format!(
                        "sitemap index {sitemap_url} lists {total} sitemaps; read {}",
                        children.len()
                    ));
                }
                queue.extend(children);
            }
            Ok(sitemap::Sitemap::Urls { locs, total }) => {
                if total > locs.len() {
                    notes.push(format!(
                        "sitemap {sitemap_url} lists {total} pages; looked at the first {}",
                        locs.len()
                    ));
                }
                entries.extend(
                    locs.iter()
                        .filter_map(|l| sitemap_url.join(l).ok())
                        .filter(|u| scope.contains(u))
                        .map(|u| (u, sitemap_url.clone())),
                );
            }
            Err(err) => notes.push(format!("sitemap {sitemap_url}: {err}; skipped")),
        }
    }
    for (url, sitemap) in news_pages_of(&entries).into_iter().take(3) {
        seeds.add(url, Found::Sitemap { sitemap }, 30);
    }
}

/// Sitemap entries that are news lists: their last segment says news, and
/// other entries sit below them; the most populated first.
fn news_pages_of(entries: &[(Url, Url)]) -> Vec<(Url, Url)> {
    let mut found: Vec<(usize, Url, Url)> = Vec::new();
    for (url, sitemap) in entries {
        let last = url
            .path()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("");
        let w = words::words(last);
        if words::news_word(&w).is_none() || words::is_not_news(&w) {
            continue;
        }
        let folder = folder_of(url);
        let below = entries
            .iter()
            .filter(|(u, _)| u.path().starts_with(&folder) && u.path() != url.path())
            .count();
        if below > 0 {
            found.push((below, url.clone(), sitemap.clone()));
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().map(|(_, u, s)| (u, s)).collect()
}

/// Tries the most promising seeds (and the feeds their pages advertise).
async fn evaluate(
    fetcher: &mut Fetcher<'_>,
    mut seeds: Seeds,
    notes: &mut Vec<String>,
    scope: &Scope,
    limits: &Limits,
    now: Timestamp,
) -> Vec<rank::Evaluated> {
    let mut evaluated: Vec<rank::Evaluated> = Vec::new();
    let mut tried: Vec<Url> = Vec::new();
    loop {
        let next = seeds
            .list
            .iter()
            .enumerate()
            .filter(|(_, s)| !tried.contains(&canonical_url(&s.url)))
            .max_by_key(|(i, s)| (s.prior, std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        let Some(i) = next else { break };
        if evaluated.len() >= limits.max_candidates {
            break;
        }
        let url = seeds.list[i].url.clone();
        tried.push(canonical_url(&url));
        let fetched = fetcher.get(&url).await;
        let outcome = match fetched {
            Fetched::Page(page) => {
                let read = read_candidate(&page, scope, now);
                for (feed, on) in read.feeds {
                    seeds.add(feed, Found::Advertised { on }, 58);
                }
                // A hub ("Pressrum") with no list of its own: its news links.
                for (link, text) in read.news_links {
                    let on = page.url.clone();
                    seeds.add(link, Found::NewsLink { on, text }, 35);
                }
                read.outcome
            }
            Fetched::Disallowed => {
                notes.push(format!("robots.txt disallows {url}: not fetched"));
                rank::Outcome::Disallowed
            }
            Fetched::Failed(reason) => rank::Outcome::Failed(reason),
            Fetched::Skipped => {
                notes.push(format!(
                    "stopped after {} requests; {url} and others not tried",
                    fetcher.fetches
                ));
                break;
            }
        };
        evaluated.push(rank::Evaluated {
            url,
            found: seeds.list[i].found.clone(),
            outcome,
        });
    }
    // The found-by of seeds merged after they were tried.
    for e in &mut evaluated {
        if let Some(seed) = seeds
            .list
            .iter()
            .find(|s| canonical_url(&s.url) == canonical_url(&e.url))
        {
            e.found = seed.found.clone();
        }
    }
    evaluated
}

/// What trying a candidate gave: what a poll would read from it, the
/// feeds a page advertises (or links as feeds), and, for a page without a
/// list of its own, the links on it that say news.
struct Read {
    outcome: rank::Outcome,
    feeds: Vec<(Url, Url)>,
    news_links: Vec<(Url, String)>,
}

fn read_candidate(page: &fetch::Page, scope: &Scope, now: Timestamp) -> Read {
    match page_kind(page.content_type.as_deref(), &page.body) {
        PageKind::Feed => Read {
            outcome: read_feed(page),
            feeds: Vec::new(),
            news_links: Vec::new(),
        },
        PageKind::Html => {
            let html = charset::decode(&page.body, page.content_type.as_deref());
            let list = links_from_list(&html, &page.url);
            let items: Vec<Item> = page::list_items(&html, &page.url, &list.links, now)
                .into_iter()
                .map(|i| Item {
                    url: i.url,
                    title: i.title,
                    published: i.published.map(|d| d.to_string()),
                })
                .collect();
            let info = page::read_page(&html, &page.url);
            let mut feeds: Vec<(Url, Url)> = info
                .feeds
                .iter()
                .filter(|f| same_site(&f.url, &scope.home))
                .filter(|f| {
                    !words::is_not_a_stream(&words::words(&format!("{} {}", f.url.path(), f.title)))
                })
                .map(|f| (f.url.clone(), page.url.clone()))
                .collect();
            feeds.extend(
                info.anchors
                    .iter()
                    .filter(|a| same_site(&a.url, &scope.home))
                    .filter(|a| words::is_feed_text(&words::words(&a.text)) || is_feed_path(&a.url))
                    .filter(|a| !words::is_not_a_stream(&words::words(a.url.path())))
                    .map(|a| (a.url.clone(), page.url.clone())),
            );
            let news_links = if items.len() < 2 {
                hub_news_links(&info, &page.url, scope)
            } else {
                Vec::new()
            };
            Read {
                outcome: rank::Outcome::Read {
                    kind: Kind::List,
                    title: info.headline,
                    items,
                },
                feeds,
                news_links,
            }
        }
    }
}

/// The links of a hub page whose text says news, below the hub's folder.
fn hub_news_links(info: &page::PageInfo, url: &Url, scope: &Scope) -> Vec<(Url, String)> {
    let folder = folder_of(url);
    info.anchors
        .iter()
        .filter(|a| same_site(&a.url, &scope.home) && a.url.path().starts_with(&folder))
        .filter(|a| canonical_url(&a.url) != canonical_url(url))
        .filter(|a| {
            let w = words::words(&a.text);
            words::news_word(&w).is_some() && !words::is_not_news(&w)
        })
        .map(|a| (a.url.clone(), a.text.clone()))
        .collect()
}

fn read_feed(page: &fetch::Page) -> rank::Outcome {
    match items_from_feed(&page.body, page.content_type.as_deref(), &page.url) {
        Ok(feed_items) => {
            let items = feed_items
                .into_iter()
                .filter_map(|i| {
                    Some(Item {
                        url: i.link?,
                        title: i.title.unwrap_or_default(),
                        published: i.published.or(i.updated).map(|d| d.stated()),
                    })
                })
                .collect();
            rank::Outcome::Read {
                kind: Kind::Feed,
                title: feed_title(&page.body),
                items,
            }
        }
        Err(err) => rank::Outcome::Failed(err.to_string()),
    }
}

/// The feed's own title (the channel's), for naming the source.
fn feed_title(body: &[u8]) -> Option<String> {
    let feed = feed_rs::parser::parse(body).ok()?;
    let title = feed.title?.content;
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn scope_is_the_home_folder() {
        let s = Scope::of(&url("http://127.0.0.1:8765/vaxjo/"));
        assert_eq!(s.prefix, "/vaxjo/");
        assert!(s.contains(&url("http://127.0.0.1:8765/vaxjo/nyheter/")));
        assert!(!s.contains(&url("http://127.0.0.1:8765/ljungby/nyheter/")));
        assert_eq!(
            Scope::of(&url("https://x.se/upplandsvasby/index.htm")).prefix,
            "/upplandsvasby/"
        );
        assert_eq!(Scope::of(&url("https://x.se/a/b/c/sida.html")).prefix, "/");
        assert_eq!(Scope::of(&url("https://x.se")).prefix, "/");
    }

    #[test]
    fn folders_and_segments() {
        assert_eq!(folder_of(&url("https://x.se/arkiv/")), "/arkiv/");
        assert_eq!(folder_of(&url("https://x.se/arkiv.html")), "/arkiv/");
        assert_eq!(folder_of(&url("https://x.se/a/index.htm")), "/a/");
        assert_eq!(
            last_segments(&url(
                "https://x.se/naringsliv-och-arbete/nyheter-for-foretagare.html"
            )),
            "/naringsliv-och-arbete/nyheter-for-foretagare.html"
        );
        assert_eq!(last_segments(&url("https://x.se/a/b/c/")), "/b/c");
        assert!(is_feed_path(&url("https://x.se/rss/nyheter")));
        assert!(is_feed_path(&url("https://x.se/nyheter/feed/")));
        assert!(!is_feed_path(&url("https://x.se/feedback/")));
    }

    #[test]
    fn news_pages_in_a_sitemap_have_articles_below_them() {
        let sm = url("https://x.se/sitemap.xml");
        let entries: Vec<(Url, Url)> = [
            "https://x.se/",
            "https://x.se/nyheter/",
            "https://x.se/nyheter/2024/a/",
            "https://x.se/nyheter/2024/b/",
            "https://x.se/press.html",
            "https://x.se/press/c.html",
            "https://x.se/om/nyheter-i-korthet/",
            "https://x.se/evenemang/nyheter/",
        ]
        .iter()
        .map(|u| (url(u), sm.clone()))
        .collect();
        let found: Vec<String> = news_pages_of(&entries)
            .into_iter()
            .map(|(u, _)| u.path().to_string())
            .collect();
        assert_eq!(found, ["/nyheter/", "/press.html"]);
    }
}
