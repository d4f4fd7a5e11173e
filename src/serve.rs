//! HTTP for `muniflux run`: the merged feed and one feed per source tag,
//! each as Atom and as JSON Feed (ETag / Last-Modified / 304, gzip, HEAD),
//! the XSLT that shows an Atom feed in a browser (`/feed.xsl`), a health
//! check, Prometheus metrics, the operator's pages (`/`, `/sources/<id>`,
//! `/articles/<id>`), and the source list as OPML (`/sources.opml`).
//!
//! The merged feed is rendered once per poll round, in both formats from
//! the same articles, and served from memory,
//! so subscribers never wait on the database and keep getting the last good
//! feed while sources fail. A tag's feed is rendered on its first request
//! after a round and kept until the next one (most of ~300 tags are never
//! asked for, so rendering them all each round would be waste). The pages
//! and `/metrics` read the store at request time, on its reading
//! connections, each page in one turn.

use std::collections::HashMap;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use jiff::Timestamp;

use crate::config;
use crate::fetch::{self, parse_http_date};
use crate::metrics::Metrics;
use crate::opml;
use crate::pages::{self, chart, source::Defaults, summary, Frame};
use crate::status::Thresholds;
use crate::store::{self, ArticleId, SourceId};

/// One rendered feed with its validators, and its gzip and brotli forms.
///
/// The compressed bodies are made once, when the feed is rendered: feed
/// readers poll the same few hundred KB all day, and compressing it anew
/// for each of them cost 85 % of the throughput. Bodies of known length
/// also give HTTP/1.0 clients a Content-Length.
#[derive(Debug, Clone)]
pub struct RenderedFeed {
    pub body: Bytes,
    gzip: Bytes,
    brotli: Bytes,
    /// Quoted strong ETag derived from the body (of the uncompressed form;
    /// the compressed forms add a suffix, see [`Coding::etag`]).
    pub etag: String,
    /// When the content last changed, as an HTTP-date.
    pub last_modified: String,
    last_modified_at: Timestamp,
}

impl RenderedFeed {
    /// `changed` is when the feed's content last changed. Compresses the
    /// body twice (a few ms for a large feed): call it off the executor.
    pub fn new(body: String, changed: Timestamp) -> RenderedFeed {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut hasher);
        let etag = format!("\"{:016x}-{:x}\"", hasher.finish(), body.len());
        // HTTP dates have whole seconds.
        let changed = Timestamp::from_second(changed.as_second()).unwrap_or(changed);
        RenderedFeed {
            gzip: Bytes::from(gzip_body(body.as_bytes())),
            brotli: Bytes::from(brotli_body(body.as_bytes())),
            body: Bytes::from(body),
            etag,
            last_modified: http_date(changed),
            last_modified_at: changed,
        }
    }

    /// The body in `coding`.
    fn body_in(&self, coding: Coding) -> &Bytes {
        match coding {
            Coding::Identity => &self.body,
            Coding::Gzip => &self.gzip,
            Coding::Brotli => &self.brotli,
        }
    }
}

/// gzip at the default level, the usual trade for text.
fn gzip_body(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::default(),
    );
    // Writing to a Vec cannot fail.
    encoder.write_all(body).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// brotli at quality 6: within a few percent of the best for feed XML at a
/// twentieth of quality 11's time.
fn brotli_body(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() / 5);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 6,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &body[..], &mut out, &params).expect("writing to memory");
    out
}

/// A content coding the feed can be served in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Identity,
    Gzip,
    Brotli,
}

impl Coding {
    /// What the client's `Accept-Encoding` asks for: the coding with the
    /// highest q-value (brotli on a tie with gzip: it is smaller, and both
    /// are made already); identity when neither is acceptable.
    fn preferred(accept_encoding: Option<&str>) -> Coding {
        let Some(accept) = accept_encoding else {
            return Coding::Identity;
        };
        let mut gzip = None;
        let mut brotli = None;
        let mut any = None;
        for item in accept.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|param| param.split_once('='))
                .find(|(key, _)| key.trim().eq_ignore_ascii_case("q"))
                .map_or(Some(1.0), |(_, value)| value.trim().parse::<f32>().ok())
                .unwrap_or(0.0);
            match name.as_str() {
                "gzip" | "x-gzip" => gzip = Some(q),
                "br" => brotli = Some(q),
                "*" => any = Some(q),
                _ => {}
            }
        }
        let gzip = gzip.or(any).unwrap_or(0.0);
        let brotli = brotli.or(any).unwrap_or(0.0);
        if brotli > 0.0 && brotli >= gzip {
            Coding::Brotli
        } else if gzip > 0.0 {
            Coding::Gzip
        } else {
            Coding::Identity
        }
    }

    fn content_encoding(self) -> Option<&'static str> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some("gzip"),
            Coding::Brotli => Some("br"),
        }
    }

    /// The ETag of the feed's form in this coding: each form is its own
    /// representation (RFC 9110 §8.8.3), so caches never mix them up.
    fn etag(self, etag: &str) -> String {
        match self.content_encoding() {
            None => etag.to_string(),
            Some(suffix) => format!("{}-{suffix}\"", etag.trim_end_matches('"')),
        }
    }
}

/// The formats every feed is served in, told by the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.atom`: Atom 1.0.
    Atom,
    /// `.json`: JSON Feed 1.1.
    Json,
}

impl Format {
    /// The format of a file name, and the name without its extension.
    fn of_file(file: &str) -> Option<(&str, Format)> {
        if let Some(stem) = file.strip_suffix(".atom") {
            return Some((stem, Format::Atom));
        }
        file.strip_suffix(".json").map(|stem| (stem, Format::Json))
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }
}

/// One feed in both formats, rendered together from the same articles, so
/// the two always hold the same entries; both have the same Last-Modified.
#[derive(Debug, Clone)]
pub struct Feeds {
    pub atom: RenderedFeed,
    pub json: RenderedFeed,
}

impl Feeds {
    fn get(&self, format: Format) -> &RenderedFeed {
        match format {
            Format::Atom => &self.atom,
            Format::Json => &self.json,
        }
    }
}

/// Formats an HTTP-date (RFC 9110 IMF-fixdate).
pub fn http_date(t: Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Tag feeds kept in memory between rounds; a feed is up to a megabyte, and
/// a crawler walking every tag should not make that hundreds.
const MAX_CACHED_TAG_FEEDS: usize = 64;

/// The feeds currently served: the merged one, replaced after each poll
/// round, and the tag feeds rendered since.
#[derive(Clone, Default)]
pub struct FeedSlot {
    inner: Arc<RwLock<Slot>>,
}

#[derive(Default)]
struct Slot {
    merged: Option<Feeds>,
    /// Counts rounds, so a tag feed rendered during one is not kept after it.
    generation: u64,
    by_tag: HashMap<String, Feeds>,
}

impl FeedSlot {
    /// A new round's merged feed; the tag feeds rendered so far are stale.
    pub fn set(&self, merged: Feeds) {
        let mut slot = self.inner.write().unwrap_or_else(|p| p.into_inner());
        slot.merged = Some(merged);
        slot.generation += 1;
        slot.by_tag.clear();
    }

    pub fn get(&self) -> Option<Feeds> {
        self.read().merged.clone()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Slot> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps a tag feed rendered during `generation`, unless a round ended
    /// since or [`MAX_CACHED_TAG_FEEDS`] are kept already.
    fn keep(&self, generation: u64, tag: &str, feed: Feeds) {
        let mut slot = self.inner.write().unwrap_or_else(|p| p.into_inner());
        if slot.generation == generation && slot.by_tag.len() < MAX_CACHED_TAG_FEEDS {
            slot.by_tag.insert(tag.to_string(), feed);
        }
    }
}

/// A future as the trait below returns it.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Renders the feed of one tag from the store (the daemon's `App`).
pub trait TagFeeds: Send + Sync {
    /// The feed of the sources with `tag`; `None` when no active source has it.
    fn tag_feed<'a>(&'a self, tag: &'a str) -> BoxFuture<'a, anyhow::Result<Option<Feeds>>>;
}

/// What the pages and `/metrics` read.
pub struct Observed {
    pub store: store::Handle,
    pub metrics: Arc<Metrics>,
    /// For its fetch latency histogram.
    pub client: Arc<fetch::Client>,
    pub thresholds: Thresholds,
    /// The feed's title, as the pages' name.
    pub title: String,
    /// The source list as loaded now, for each source's list entry.
    pub list: ListSlot,
    /// What a source without its own interval and page limit gets.
    pub defaults: Defaults,
}

/// The source list as last loaded (the daemon replaces it on a reload).
#[derive(Clone, Default)]
pub struct ListSlot(Arc<RwLock<Arc<Vec<config::Source>>>>);

impl ListSlot {
    pub fn set(&self, sources: Vec<config::Source>) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(sources);
    }

    /// The list's entry with this URL.
    fn entry(&self, url: &str) -> Option<config::Source> {
        let list = Arc::clone(&self.0.read().unwrap_or_else(|p| p.into_inner()));
        list.iter().find(|s| s.url.as_str() == url).cloned()
    }
}

/// Everything the routes share.
#[derive(Clone)]
pub struct ServeState {
    pub feeds: FeedSlot,
    pub tags: Arc<dyn TagFeeds>,
    pub observed: Arc<Observed>,
}

/// The routes of `muniflux run`. Feeds are served in the coding the
/// client asks for from bodies compressed at render time; the status page
/// and metrics are gzip-compressed per request when the client accepts it.
/// HEAD is answered by every GET route (axum drops the body).
pub fn router(state: ServeState) -> Router {
    let pages = Router::new()
        .route("/", get(summary_page))
        .route("/sources/{id}", get(source_page))
        .route("/articles/{id}", get(article_page))
        .route("/metrics", get(metrics))
        .route("/sources.opml", get(sources_opml))
        .route("/feed.xsl", get(feed_stylesheet))
        .layer(tower_http::compression::CompressionLayer::new());
    Router::new()
        .route("/feed.atom", get(feed_atom))
        .route("/feed.json", get(feed_json))
        .route("/feeds/{file}", get(tag_feed))
        .route("/healthz", get(healthz))
        .merge(pages)
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: ServeState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Binds the listen address, naming it on failure.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    use anyhow::Context;
    tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// The XSLT that shows a feed opened in a browser as a page (entries and
/// how to subscribe); each Atom feed names it in an `xml-stylesheet`
/// instruction, relative to the feed, so it works behind a path prefix.
const FEED_STYLESHEET: &str = include_str!("pages/feed.xsl");

/// The stylesheet's address as the merged feed (`/feed.atom`) names it.
pub const STYLESHEET_FROM_MERGED: &str = "feed.xsl";

/// The stylesheet's address as a tag feed (`/feeds/<tag>.atom`) names it.
pub const STYLESHEET_FROM_TAG_FEED: &str = "../feed.xsl";

/// `/feed.xsl`. An XML media type: browsers apply only stylesheets served
/// as XML.
async fn feed_stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/xslt+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        FEED_STYLESHEET,
    )
        .into_response()
}

async fn feed_atom(State(state): State<ServeState>, headers: HeaderMap) -> Response {
    merged_feed(&state, &headers, Format::Atom)
}

async fn feed_json(State(state): State<ServeState>, headers: HeaderMap) -> Response {
    merged_feed(&state, &headers, Format::Json)
}

fn merged_feed(state: &ServeState, headers: &HeaderMap, format: Format) -> Response {
    let Some(feeds) = state.feeds.get() else {
        return not_rendered();
    };
    feed_response(feeds.get(format), headers, format)
}

/// `/feeds/<tag>.atom` and `/feeds/<tag>.json`: the articles of the sources
/// with that tag.
async fn tag_feed(
    State(state): State<ServeState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            format!("no source has the tag of {file}\n"),
        )
            .into_response()
    };
    let Some((tag, format)) = Format::of_file(&file) else {
        return not_found();
    };
    let generation = {
        let slot = state.feeds.read();
        if slot.merged.is_none() {
            return not_rendered();
        }
        if let Some(feeds) = slot.by_tag.get(tag) {
            return feed_response(feeds.get(format), &headers, format);
        }
        slot.generation
    };
    match state.tags.tag_feed(tag).await {
        Ok(Some(feeds)) => {
            let response = feed_response(feeds.get(format), &headers, format);
            state.feeds.keep(generation, tag, feeds);
            response
        }
        Ok(None) => not_found(),
        Err(err) => {
            tracing::error!(tag, error = %crate::cli::error_chain(&err), "rendering a tag feed failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the feed could not be rendered\n",
            )
                .into_response()
        }
    }
}

fn not_rendered() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "the feed is not rendered yet\n",
    )
        .into_response()
}

/// `GET /`: the summary, every source, the latest entries.
async fn summary_page(State(state): State<ServeState>) -> Response {
    let observed = &state.observed;
    let now = Timestamp::now();
    let read = observed
        .store
        .read(move |s| {
            let since = chart::since(now);
            let sources = s
                .source_health()?
                .into_iter()
                .map(|health| {
                    let times = s.source_links_since(health.id, since)?;
                    Ok(summary::SourceLine {
                        daily: chart::daily(&times, now),
                        health,
                    })
                })
                .collect::<store::Result<Vec<_>>>()?;
            Ok(summary::Summary {
                sources,
                new_last_week: s.articles_stored_since(
                    now.checked_sub(summary::WEEK).unwrap_or(Timestamp::MIN),
                )?,
                last_round: s.last_round()?,
                latest: s.latest_articles(summary::LATEST)?,
            })
        })
        .await;
    match read {
        Ok(summary) => html_page(summary::render(
            &summary,
            observed.thresholds,
            &observed.frame("", now),
        )),
        Err(err) => internal_error(&err),
    }
}

/// Which page of a source's articles.
#[derive(Debug, serde::Deserialize)]
struct ArticlesAfter {
    after: Option<String>,
}

/// `GET /sources/<id>`: one source, its polls and its articles.
async fn source_page(
    State(state): State<ServeState>,
    Path(id): Path<String>,
    Query(query): Query<ArticlesAfter>,
) -> Response {
    let observed = &state.observed;
    let Ok(id) = id.parse::<i64>().map(SourceId) else {
        return not_found(observed, "There is no such source.");
    };
    let now = Timestamp::now();
    let after = query.after.as_deref().and_then(pages::source::parse_cursor);
    let defaults = observed.defaults;
    let read = observed
        .store
        .read(move |s| {
            let Some(health) = s.source_health_of(id)? else {
                return Ok(None);
            };
            let polls = s.recent_polls(id, pages::source::POLLS)?;
            let mut articles = s.source_articles(id, after, pages::source::ARTICLES + 1)?;
            let more = (articles.len() > pages::source::ARTICLES).then(|| {
                articles.truncate(pages::source::ARTICLES);
                let last = &articles[pages::source::ARTICLES - 1];
                store::Cursor {
                    sort_at: last.sort_at,
                    id: last.id,
                }
            });
            let times = s.source_links_since(id, chart::since(now))?;
            Ok(Some(pages::source::SourcePage {
                entry: None,
                defaults,
                daily: chart::daily(&times, now),
                polls,
                articles,
                first_page: after.is_none(),
                more,
                health,
            }))
        })
        .await;
    match read {
        Ok(Some(mut page)) => {
            page.entry = observed
                .list
                .entry(&page.health.url)
                .filter(|_| page.health.active);
            html_page(pages::source::render(
                &page,
                observed.thresholds,
                &observed.frame("../", now),
            ))
        }
        Ok(None) => not_found(observed, "There is no such source."),
        Err(err) => internal_error(&err),
    }
}

/// `GET /articles/<id>`: one stored article.
async fn article_page(State(state): State<ServeState>, Path(id): Path<String>) -> Response {
    let observed = &state.observed;
    let gone = "There is no such article: never stored, or purged after [articles] retention.";
    let Ok(id) = id.parse::<i64>().map(ArticleId) else {
        return not_found(observed, gone);
    };
    let read = observed
        .store
        .read(move |s| {
            let Some(view) = s.article_view(id)? else {
                return Ok(None);
            };
            Ok(Some((view, s.corrections(id)?)))
        })
        .await;
    match read {
        Ok(Some((view, corrections))) => html_page(pages::article::render(
            &view,
            &corrections,
            &observed.frame("../", Timestamp::now()),
        )),
        Ok(None) => not_found(observed, gone),
        Err(err) => internal_error(&err),
    }
}

/// What the pages may do in a browser: show themselves, their styles and
/// the images of article bodies; run nothing, send nothing, be framed by
/// nothing.
const PAGE_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src http: https: data:; \
     media-src http: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn html_page(html: String) -> Response {
    html_response(StatusCode::OK, html)
}

fn html_response(status: StatusCode, html: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, PAGE_POLICY),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        html,
    )
        .into_response()
}

/// A 404 page that says what is missing and leads back to `/`.
fn not_found(observed: &Observed, what: &str) -> Response {
    let frame = Frame {
        title: "Not found",
        ..observed.frame("../", Timestamp::now())
    };
    let main = format!(
        "<h1>Not found</h1>\n<p>{}</p>\n<p><a href=\"../\">All sources</a></p>\n",
        pages::escape(what)
    );
    html_response(StatusCode::NOT_FOUND, pages::page(&frame, &main))
}

/// Prometheus text exposition.
async fn metrics(State(state): State<ServeState>) -> Response {
    let observed = &state.observed;
    let sources = match observed.sources().await {
        Ok(sources) => sources,
        Err(response) => return response,
    };
    let text = observed
        .metrics
        .render(observed.client.latency(), &sources, Timestamp::now());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// The active sources as OPML 2.0, for feed readers and other muniflux
/// instances (`muniflux import`).
async fn sources_opml(State(state): State<ServeState>) -> Response {
    let observed = &state.observed;
    let sources = match observed.sources().await {
        Ok(sources) => sources,
        Err(response) => return response,
    };
    let outlines: Vec<opml::Outline> = sources
        .iter()
        .filter(|s| s.active)
        .map(|s| opml::Outline::new(&s.name, &s.url, &s.tags, s.kind))
        .collect();
    (
        [(header::CONTENT_TYPE, "text/x-opml; charset=utf-8")],
        opml::render_opml(&observed.title, &outlines),
    )
        .into_response()
}

impl Observed {
    /// The frame of a page `root` away from `/`.
    fn frame<'a>(&'a self, root: &'a str, now: Timestamp) -> Frame<'a> {
        Frame {
            site: &self.title,
            title: &self.title,
            root,
            now,
        }
    }

    /// Every source's health from the store, or a 500 naming the failure.
    async fn sources(&self) -> Result<Vec<store::SourceHealth>, Response> {
        self.store
            .read(|s| s.source_health())
            .await
            .map_err(|err| internal_error(&err))
    }
}

fn internal_error(err: &store::Error) -> Response {
    tracing::error!(error = %err, "reading the store for a page failed");
    (StatusCode::INTERNAL_SERVER_ERROR, format!("{err}\n")).into_response()
}

/// A feed in the coding the client prefers, with its validators and
/// length, or 304 when the client has it.
fn feed_response(feed: &RenderedFeed, headers: &HeaderMap, format: Format) -> Response {
    let coding = Coding::preferred(
        headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    let for_browser = format == Format::Atom && asks_for_a_page(headers);
    let vary = if for_browser {
        "accept-encoding, accept"
    } else {
        "accept-encoding"
    };
    let validators = [
        (header::ETAG, coding.etag(&feed.etag)),
        (header::LAST_MODIFIED, feed.last_modified.clone()),
        (header::CACHE_CONTROL, "public, max-age=300".to_string()),
        (header::VARY, vary.to_string()),
    ];
    if not_modified(headers, feed) {
        return (StatusCode::NOT_MODIFIED, validators).into_response();
    }
    let body = feed.body_in(coding).clone();
    let length = body.len();
    let mut response = (validators, body).into_response();
    let response_headers = response.headers_mut();
    let content_type = if for_browser {
        BROWSER_FEED_TYPE
    } else {
        format.content_type()
    };
    response_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response_headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Some(encoding) = coding.content_encoding() {
        response_headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// The Atom feed's type for a browser that opens it. Chromium shows a
/// document served as `application/atom+xml` as plain text and never
/// applies its stylesheet; as `application/xml` it applies the XSLT. The
/// bytes are the same feed, so anything that parses it still can.
const BROWSER_FEED_TYPE: &str = "application/xml; charset=utf-8";

/// Whether the client asks for a page rather than a feed: browsers put
/// `text/html` in `Accept` when they open an address; feed readers and
/// validators ask for feeds (or anything).
fn asks_for_a_page(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept.split(',').any(|item| {
                let mut parts = item.split(';');
                let media = parts.next().unwrap_or("").trim();
                let refused = parts.any(|p| {
                    p.split_once('=').is_some_and(|(k, v)| {
                        k.trim().eq_ignore_ascii_case("q") && v.trim().parse::<f32>() == Ok(0.0)
                    })
                });
                media.eq_ignore_ascii_case("text/html") && !refused
            })
        })
}

/// RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since. An ETag of
/// any coding of the feed matches (weak comparison: same content).
fn not_modified(headers: &HeaderMap, feed: &RenderedFeed) -> bool {
    if let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        let forms = [Coding::Identity, Coding::Gzip, Coding::Brotli].map(|c| c.etag(&feed.etag));
        return inm
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || forms.iter().any(|form| form == t));
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_http_date)
        .is_some_and(|since| feed.last_modified_at <= since)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_round_trip() {
        let t: Timestamp = "2024-03-05T07:08:09Z".parse().unwrap();
        assert_eq!(http_date(t), "Tue, 05 Mar 2024 07:08:09 GMT");
        assert_eq!(parse_http_date("Tue, 05 Mar 2024 07:08:09 GMT"), Some(t));
        assert_eq!(parse_http_date("yesterday"), None);
    }

    fn feeds(text: &str, t: Timestamp) -> Feeds {
        Feeds {
            atom: RenderedFeed::new(format!("<feed>{text}</feed>"), t),
            json: RenderedFeed::new(format!("{{\"title\": \"{text}\"}}"), t),
        }
    }

    #[test]
    fn a_tag_feed_rendered_before_a_new_round_is_not_kept() {
        let t: Timestamp = "2024-03-05T07:08:09Z".parse().unwrap();
        let slot = FeedSlot::default();
        slot.set(feeds("1", t));
        let generation = slot.read().generation;
        slot.keep(generation, "ale", feeds("ale", t));
        assert!(slot.read().by_tag.contains_key("ale"));
        // A round ends while another tag is being rendered.
        let generation = slot.read().generation;
        slot.set(feeds("2", t));
        slot.keep(generation, "bjuv", feeds("bjuv", t));
        let kept = slot.read();
        assert!(kept.by_tag.is_empty(), "stale tag feeds were kept");
    }

    #[test]
    fn the_coding_follows_accept_encoding() {
        let cases = [
            (None, Coding::Identity),
            (Some(""), Coding::Identity),
            (Some("gzip"), Coding::Gzip),
            (Some("x-gzip"), Coding::Gzip),
            (Some("gzip, deflate, br"), Coding::Brotli),
            (Some("br;q=0.5, gzip"), Coding::Gzip),
            (Some("gzip;q=0.8, br;q=0.9"), Coding::Brotli),
            (Some("br;q=0, gzip;q=0.1"), Coding::Gzip),
            (Some("gzip;q=0"), Coding::Identity),
            (Some("deflate, identity"), Coding::Identity),
            (Some("*"), Coding::Brotli),
            (Some("gzip, *;q=0"), Coding::Gzip),
            (Some("GZIP ; Q=1.0"), Coding::Gzip),
            (Some("gzip;q=nonsense, br"), Coding::Brotli),
        ];
        for (accept, expected) in cases {
            assert_eq!(Coding::preferred(accept), expected, "{accept:?}");
        }
    }

    #[test]
    fn compressed_forms_hold_the_same_feed_with_their_own_etags() {
        use std::io::Read;
        let t: Timestamp = "2024-03-05T07:08:09Z".parse().unwrap();
        let body = "<feed>Växjö</feed>".repeat(500);
        let feed = RenderedFeed::new(body.clone(), t);
        let mut gunzipped = String::new();
        flate2::read::GzDecoder::new(&feed.body_in(Coding::Gzip)[..])
            .read_to_string(&mut gunzipped)
            .unwrap();
        assert_eq!(gunzipped, body);
        let mut unbrotlied = String::new();
        brotli::Decompressor::new(&feed.body_in(Coding::Brotli)[..], 4096)
            .read_to_string(&mut unbrotlied)
            .unwrap();
        assert_eq!(unbrotlied, body);
        assert!(feed.body_in(Coding::Brotli).len() < body.len() / 10);
        let tags = [Coding::Identity, Coding::Gzip, Coding::Brotli].map(|c| c.etag(&feed.etag));
        assert_eq!(tags[0], feed.etag);
        assert!(
            tags[1].ends_with("-gzip\"") && tags[2].ends_with("-br\""),
            "{tags:?}"
        );
        // A client holding any form gets a 304.
        for tag in &tags {
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(tag).unwrap());
            assert!(not_modified(&h, &feed), "{tag}");
        }
    }

    #[test]
    fn file_names_choose_the_format() {
        assert_eq!(Format::of_file("ale.atom"), Some(("ale", Format::Atom)));
        assert_eq!(Format::of_file("ale.json"), Some(("ale", Format::Json)));
        assert_eq!(Format::of_file("ale.xml"), None);
        assert_eq!(Format::of_file("ale"), None);
        let t: Timestamp = "2024-03-05T07:08:09Z".parse().unwrap();
        let both = feeds("x", t);
        let json = feed_response(both.get(Format::Json), &HeaderMap::new(), Format::Json);
        assert_eq!(
            json.headers()[header::CONTENT_TYPE],
            "application/feed+json; charset=utf-8"
        );
        assert_eq!(json.headers()[header::ETAG], both.json.etag.as_str());
        assert_ne!(
            both.json.etag, both.atom.etag,
            "one ETag per representation"
        );
        assert_eq!(both.json.last_modified, both.atom.last_modified);
    }

    #[test]
    fn a_browser_gets_the_atom_feed_as_xml_so_it_applies_the_stylesheet() {
        let t: Timestamp = "2024-03-05T07:08:09Z".parse().unwrap();
        let both = feeds("x", t);
        let ask = |accept: Option<&str>, format: Format| {
            let mut h = HeaderMap::new();
            if let Some(accept) = accept {
                h.insert(header::ACCEPT, HeaderValue::from_str(accept).unwrap());
            }
            let response = feed_response(both.get(format), &h, format);
            let header = |name| response.headers()[name].to_str().unwrap().to_string();
            (header(header::CONTENT_TYPE), header(header::VARY))
        };
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(
            ask(Some(browser), Format::Atom),
            (
                BROWSER_FEED_TYPE.to_string(),
                "accept-encoding, accept".to_string()
            )
        );
        let atom = (
            "application/atom+xml; charset=utf-8".to_string(),
            "accept-encoding".to_string(),
        );
        for reader in [
            None,
            Some("*/*"),
            Some("application/atom+xml,application/rss+xml;q=0.9,*/*;q=0.1"),
            Some("text/html;q=0, application/atom+xml"),
        ] {
            assert_eq!(ask(reader, Format::Atom), atom, "{reader:?}");
        }
        assert_eq!(
            ask(Some(browser), Format::Json).0,
            "application/feed+json; charset=utf-8"
        );
    }

    #[test]
    fn conditional_requests() {
        let t: Timestamp = "2024-03-05T07:08:09Z".parse().unwrap();
        let feed = RenderedFeed::new("<feed/>".into(), t);
        let check = |name: header::HeaderName, value: &str| {
            let mut h = HeaderMap::new();
            h.insert(name, HeaderValue::from_str(value).unwrap());
            not_modified(&h, &feed)
        };
        assert!(check(header::IF_NONE_MATCH, &feed.etag));
        assert!(check(
            header::IF_NONE_MATCH,
            &format!("\"x\", W/{}", feed.etag)
        ));
        assert!(!check(header::IF_NONE_MATCH, "\"other\""));
        assert!(check(
            header::IF_MODIFIED_SINCE,
            "Tue, 05 Mar 2024 07:08:09 GMT"
        ));
        assert!(!check(
            header::IF_MODIFIED_SINCE,
            "Tue, 05 Mar 2024 07:08:08 GMT"
        ));
        assert!(!not_modified(&HeaderMap::new(), &feed));
    }
}
