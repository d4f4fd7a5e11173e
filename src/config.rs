//! Raw TOML -> validated [`Config`] and [`SourceList`].
//!
//! Two files: `muniflux.toml` (daemon settings, rarely edited) and the
//! operator-edited source list `sources.toml` it names. Every problem is
//! reported as `file:line: key: message`, and unknown keys are errors, so a
//! typo never turns silently into a default.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use crate::extract::overrides::{Overrides, Rule};
use crate::topic::TopicFilter;

/// Where the daemon looks when no `--config` is given.
pub const DEFAULT_PATH: &str = "/etc/muniflux/muniflux.toml";

/// The validated daemon configuration. Paths are absolute or relative to the
/// working directory, already resolved against the config file's folder.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file this was read from.
    pub path: PathBuf,
    /// The SQLite database file.
    pub database: PathBuf,
    /// The source list file.
    pub sources: PathBuf,
    pub feed: FeedConfig,
    pub server: ServerConfig,
    pub poll: PollConfig,
    pub articles: ArticlesConfig,
}

/// `[articles]`: how long stored articles are watched for corrections and
/// kept at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticlesConfig {
    /// Articles first seen within this long are re-checked (conditional GET
    /// of their page) whenever one of their sources is polled.
    pub revalidate_window: Duration,
    /// At most this many article pages are re-checked per source per poll,
    /// least recently checked first.
    pub revalidate_per_poll: usize,
    /// Articles older than this (both first seen and dated) are purged;
    /// their URLs are remembered so they are not added again.
    pub retention: Duration,
}

/// The `[articles]` defaults.
impl Default for ArticlesConfig {
    fn default() -> ArticlesConfig {
        let cx = FileCx {
            path: Path::new("(defaults)"),
            text: "",
        };
        articles_config(&cx, RawArticles::default()).expect("the [articles] defaults are valid")
    }
}

#[derive(Debug, Clone)]
pub struct FeedConfig {
    pub title: String,
    /// The feed's Atom id (defaults to a tag: URI).
    pub id: String,
    /// The public URL of the feed, for `rel="self"`.
    pub url: Option<String>,
    /// Where `run` writes the feed after each poll round.
    pub output: Option<PathBuf>,
    pub max_entries: usize,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where `run` serves HTTP; `None` disables the server.
    pub listen: Option<SocketAddr>,
    /// When the status page and `muniflux sources` warn about a source.
    pub warnings: crate::status::Thresholds,
}

#[derive(Debug, Clone)]
pub struct PollConfig {
    /// How often each source is polled unless it says otherwise.
    pub interval: Duration,
    /// Minimum gap between two requests to one host.
    pub host_delay: Duration,
    pub user_agent: String,
    /// Total time for one request, body included.
    pub timeout: Duration,
    /// Cap on one decompressed response body.
    pub max_body_bytes: u64,
    /// How many pages of a news list to read (the first page counts).
    pub max_pages: u32,
    /// How many new articles to fetch from one source in one poll.
    pub max_new_articles: usize,
    /// How many requests are in flight at once, across all hosts.
    pub concurrency: usize,
    /// No source is polled more often than this.
    pub min_interval: Duration,
    /// A server's cache hint never delays a poll longer than this.
    pub max_interval: Duration,
    /// The longest wait after errors (Retry-After included).
    pub max_backoff: Duration,
}

impl PollConfig {
    /// The schedule of a source polled every `interval` (the source's own,
    /// else `[poll] interval`).
    pub fn policy(&self, interval: Option<Duration>) -> crate::schedule::Policy {
        crate::schedule::Policy {
            interval: interval.unwrap_or(self.interval),
            min_interval: self.min_interval,
            max_interval: self.max_interval,
            max_backoff: self.max_backoff,
        }
    }

    /// The HTTP client's settings.
    pub fn fetch_settings(&self) -> crate::fetch::Settings {
        crate::fetch::Settings {
            user_agent: self.user_agent.clone(),
            timeout: self.timeout,
            max_body_bytes: self.max_body_bytes,
            host_delay: self.host_delay,
            concurrency: self.concurrency,
        }
    }
}

/// The `[poll]` defaults, for commands that run without a config file.
impl Default for PollConfig {
    fn default() -> PollConfig {
        let cx = FileCx {
            path: Path::new("(defaults)"),
            text: "",
        };
        poll_config(&cx, RawPoll::default()).expect("the [poll] defaults are valid")
    }
}

/// The operator's list of sources.
#[derive(Debug, Clone)]
pub struct SourceList {
    pub path: PathBuf,
    pub sources: Vec<Source>,
    /// The list-wide `[filter]` (already part of every source's `topics`).
    pub filter: TopicFilter,
}

/// One configured source: a feed or a news-list page.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub name: String,
    pub url: Url,
    pub tags: Vec<String>,
    /// Overrides `[poll] interval` for this source.
    pub interval: Option<Duration>,
    /// Overrides `[poll] max_pages` for this source.
    pub max_pages: Option<u32>,
    /// CSS selectors replacing the extraction heuristics for this source
    /// (`selectors = { links = "...", title = "...", date = "...", body = "..." }`).
    pub selectors: Overrides,
    /// The topics kept: the list's `[filter]` combined with the source's
    /// `include`, `exclude` and `url_prefix`.
    pub topics: TopicFilter,
}

/// A config problem, always naming the file and, when known, line and key.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", .0)]
    Invalid(Problem),
}

/// One located problem in a config file.
#[derive(Debug)]
pub struct Problem {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

// ---------------------------------------------------------------- raw serde

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    database: Option<Spanned<String>>,
    sources: Option<Spanned<String>>,
    #[serde(default)]
    feed: RawFeed,
    #[serde(default)]
    server: RawServer,
    #[serde(default)]
    poll: RawPoll,
    #[serde(default)]
    articles: RawArticles,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawArticles {
    revalidate_window: Option<Spanned<String>>,
    revalidate_per_poll: Option<Spanned<i64>>,
    retention: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    title: Option<String>,
    id: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    output: Option<String>,
    max_entries: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawServer {
    listen: Option<Spanned<String>>,
    warn_empty_polls: Option<Spanned<i64>>,
    warn_quiet_days: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPoll {
    interval: Option<Spanned<String>>,
    host_delay: Option<Spanned<String>>,
    user_agent: Option<String>,
    timeout: Option<Spanned<String>>,
    max_body_size: Option<Spanned<String>>,
    max_pages: Option<Spanned<i64>>,
    max_new_articles: Option<Spanned<i64>>,
    concurrency: Option<Spanned<i64>>,
    min_interval: Option<Spanned<String>>,
    max_interval: Option<Spanned<String>>,
    max_backoff: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSourceList {
    #[serde(default)]
    source: Vec<RawSource>,
    filter: Option<RawFilter>,
}

/// `[filter]`: topic keywords for every source.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFilter {
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: Spanned<String>,
    url: Spanned<String>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    interval: Option<Spanned<String>>,
    max_pages: Option<Spanned<i64>>,
    selectors: Option<RawSelectors>,
    include: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    url_prefix: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelectors {
    links: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    date: Option<Spanned<String>>,
    body: Option<Spanned<String>>,
}

// ---------------------------------------------------------------- loading

/// Locates byte offsets of one file as `line` numbers and builds problems.
struct FileCx<'a> {
    path: &'a Path,
    text: &'a str,
}

impl FileCx<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn problem(&self, span: Option<Range<usize>>, key: &str, message: impl Into<String>) -> Error {
        Error::Invalid(Problem {
            path: self.path.to_path_buf(),
            line: span.map(|s| self.line_of(s.start)),
            key: Some(key.to_string()),
            message: message.into(),
        })
    }

    /// Turns a TOML/serde error into a problem with line and, when the line
    /// reads `key = value`, the key.
    fn toml_problem(&self, err: &toml::de::Error) -> Error {
        let line = err.span().map(|s| self.line_of(s.start));
        let key = line
            .and_then(|n| self.text.lines().nth(n - 1))
            .and_then(key_of_line);
        Error::Invalid(Problem {
            path: self.path.to_path_buf(),
            line,
            key,
            message: err.message().trim().to_string(),
        })
    }

    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        toml::from_str(self.text).map_err(|e| self.toml_problem(&e))
    }
}

/// `key` of a `key = value` line, if the line has that shape.
fn key_of_line(line: &str) -> Option<String> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"'));
    plain.then(|| key.trim_matches('"').to_string())
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Resolves `name` against the folder of the file that names it.
fn resolve(file: &Path, name: &str) -> PathBuf {
    let name = Path::new(name);
    if name.is_absolute() {
        return name.to_path_buf();
    }
    file.parent().unwrap_or(Path::new(".")).join(name)
}

impl Config {
    /// Reads and validates the daemon config (not the source list).
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = read(path)?;
        Config::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, Error> {
        let cx = FileCx { path, text };
        let raw: RawConfig = cx.parse()?;
        let database = match &raw.database {
            Some(s) => resolve(path, non_empty(&cx, s, "database")?),
            None => resolve(path, "muniflux.db"),
        };
        let sources = match &raw.sources {
            Some(s) => resolve(path, non_empty(&cx, s, "sources")?),
            None => resolve(path, "sources.toml"),
        };
        Ok(Config {
            path: path.to_path_buf(),
            database,
            sources,
            feed: feed_config(&cx, raw.feed)?,
            server: server_config(&cx, raw.server)?,
            poll: poll_config(&cx, raw.poll)?,
            articles: articles_config(&cx, raw.articles)?,
        })
    }

    /// The feed's own URL for `rel="self"`: `[feed] url`, else the served path.
    pub fn feed_self_url(&self) -> String {
        if let Some(url) = &self.feed.url {
            return url.clone();
        }
        match self.server.listen {
            Some(addr) => format!("http://{addr}/feed.atom"),
            None => "http://localhost/feed.atom".to_string(),
        }
    }
}

fn non_empty<'s>(cx: &FileCx<'_>, s: &'s Spanned<String>, key: &str) -> Result<&'s str, Error> {
    if s.get_ref().trim().is_empty() {
        return Err(cx.problem(Some(s.span()), key, "must not be empty"));
    }
    Ok(s.get_ref())
}

fn feed_config(cx: &FileCx<'_>, raw: RawFeed) -> Result<FeedConfig, Error> {
    let max_entries = match raw.max_entries {
        Some(n) => positive(cx, &n, "feed.max_entries", 100_000)? as usize,
        None => 200,
    };
    let url = match raw.url {
        Some(u) => Some(http_url(cx, &u, "feed.url")?.to_string()),
        None => None,
    };
    let id = match raw.id {
        Some(id) => {
            let parsed = Url::parse(id.get_ref()).map_err(|e| {
                cx.problem(
                    Some(id.span()),
                    "feed.id",
                    format!("not an absolute IRI: {e}"),
                )
            })?;
            parsed.to_string()
        }
        None => "tag:muniflux,2026:feed".to_string(),
    };
    Ok(FeedConfig {
        title: raw
            .title
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| "Kommunernas näringslivsnyheter".to_string()),
        id,
        url,
        output: raw
            .output
            .filter(|o| !o.trim().is_empty())
            .map(|o| resolve(cx.path, &o)),
        max_entries,
    })
}

fn server_config(cx: &FileCx<'_>, raw: RawServer) -> Result<ServerConfig, Error> {
    let listen = match raw.listen {
        None => Some(SocketAddr::from(([127, 0, 0, 1], 8080))),
        Some(s) if s.get_ref().trim().is_empty() => None,
        Some(s) => Some(s.get_ref().trim().parse().map_err(|e| {
            cx.problem(
                Some(s.span()),
                "server.listen",
                format!(
                    "`{}` is not an address like 127.0.0.1:8080: {e}",
                    s.get_ref()
                ),
            )
        })?),
    };
    let defaults = crate::status::Thresholds::default();
    let count = |v: &Option<Spanned<i64>>, key: &str, default: u32| match v {
        Some(n) => positive(cx, n, key, 100_000).map(|n| n as u32),
        None => Ok(default),
    };
    let warnings = crate::status::Thresholds {
        empty_polls: count(
            &raw.warn_empty_polls,
            "server.warn_empty_polls",
            defaults.empty_polls,
        )?,
        quiet_days: count(
            &raw.warn_quiet_days,
            "server.warn_quiet_days",
            defaults.quiet_days,
        )?,
    };
    Ok(ServerConfig { listen, warnings })
}

fn poll_config(cx: &FileCx<'_>, raw: RawPoll) -> Result<PollConfig, Error> {
    let dur = |v: &Option<Spanned<String>>, key: &str, default: Duration| match v {
        Some(s) => duration(cx, s, key),
        None => Ok(default),
    };
    let interval = dur(&raw.interval, "poll.interval", Duration::from_secs(30 * 60))?;
    if interval < Duration::from_secs(1) {
        let span = raw.interval.as_ref().map(|s| s.span());
        return Err(cx.problem(span, "poll.interval", "must be at least 1s"));
    }
    let timeout = dur(&raw.timeout, "poll.timeout", Duration::from_secs(30))?;
    if timeout < Duration::from_secs(1) {
        // Below a second every request to a real server fails, and "0s"
        // would mean no request ever completes: a typo, not a wish.
        let span = raw.timeout.as_ref().map(|s| s.span());
        return Err(cx.problem(span, "poll.timeout", "must be at least 1s"));
    }
    let schedule = crate::schedule::Policy::default();
    let min_interval = dur(
        &raw.min_interval,
        "poll.min_interval",
        schedule.min_interval,
    )?;
    let max_interval = dur(
        &raw.max_interval,
        "poll.max_interval",
        schedule.max_interval,
    )?;
    let max_backoff = dur(&raw.max_backoff, "poll.max_backoff", schedule.max_backoff)?;
    if max_interval < min_interval {
        let span = raw.max_interval.as_ref().map(|s| s.span());
        return Err(cx.problem(
            span,
            "poll.max_interval",
            "must not be below poll.min_interval",
        ));
    }
    let max_body_bytes = match &raw.max_body_size {
        Some(s) => byte_size(s.get_ref()).ok_or_else(|| {
            cx.problem(
                Some(s.span()),
                "poll.max_body_size",
                format!("`{}` is not a size like \"5 MiB\"", s.get_ref()),
            )
        })?,
        None => 10 * 1024 * 1024,
    };
    let count = |v: &Option<Spanned<i64>>, key: &str, default: i64, max: i64| match v {
        Some(n) => positive(cx, n, key, max),
        None => Ok(default),
    };
    Ok(PollConfig {
        interval,
        host_delay: dur(&raw.host_delay, "poll.host_delay", Duration::from_secs(2))?,
        user_agent: raw
            .user_agent
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(default_user_agent),
        timeout,
        max_body_bytes,
        max_pages: count(&raw.max_pages, "poll.max_pages", 3, 100)? as u32,
        max_new_articles: count(&raw.max_new_articles, "poll.max_new_articles", 50, 10_000)?
            as usize,
        concurrency: count(&raw.concurrency, "poll.concurrency", 32, 256)? as usize,
        min_interval,
        max_interval,
        max_backoff,
    })
}

fn articles_config(cx: &FileCx<'_>, raw: RawArticles) -> Result<ArticlesConfig, Error> {
    const DAY: u64 = 24 * 60 * 60;
    let revalidate_window = match &raw.revalidate_window {
        Some(s) => duration(cx, s, "articles.revalidate_window")?,
        None => Duration::from_secs(14 * DAY),
    };
    let retention = match &raw.retention {
        Some(s) => duration(cx, s, "articles.retention")?,
        None => Duration::from_secs(365 * DAY),
    };
    let revalidate_per_poll = match &raw.revalidate_per_poll {
        Some(n) => positive(cx, n, "articles.revalidate_per_poll", 1000)? as usize,
        None => 20,
    };
    Ok(ArticlesConfig {
        revalidate_window,
        revalidate_per_poll,
        retention,
    })
}

/// The User-Agent when the config names none: identifies the software and
/// where to read about it.
pub fn default_user_agent() -> String {
    format!(
        "muniflux/{} (+https://github.com/muniflux/muniflux)",
        env!("CARGO_PKG_VERSION")
    )
}

fn positive(cx: &FileCx<'_>, n: &Spanned<i64>, key: &str, max: i64) -> Result<i64, Error> {
    let v = *n.get_ref();
    if v < 1 || v > max {
        return Err(cx.problem(
            Some(n.span()),
            key,
            format!("must be between 1 and {max}, not {v}"),
        ));
    }
    Ok(v)
}

fn duration(cx: &FileCx<'_>, s: &Spanned<String>, key: &str) -> Result<Duration, Error> {
    let parsed = parse_duration(s.get_ref()).ok_or_else(|| {
        cx.problem(
            Some(s.span()),
            key,
            format!(
                "`{}` is not a duration like \"30m\", \"2s\" or \"1h 30m\"",
                s.get_ref()
            ),
        )
    })?;
    Ok(parsed)
}

/// Parses a friendly duration ("15m", "1h 30m", "0s", "PT15M", "14d",
/// "2w"); a day is 24 hours and a week 7 days.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(signed) = text.parse::<jiff::SignedDuration>() {
        return Duration::try_from(signed).ok();
    }
    let span: jiff::Span = text.parse().ok()?;
    let signed = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .ok()?;
    Duration::try_from(signed).ok()
}

/// Parses a byte size: "5 MiB", "500 KB", "1048576".
fn byte_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        _ => return None,
    };
    number.checked_mul(factor).filter(|&n| n > 0)
}

fn http_url(cx: &FileCx<'_>, s: &Spanned<String>, key: &str) -> Result<Url, Error> {
    let text = s.get_ref().trim();
    let url = Url::parse(text)
        .map_err(|e| cx.problem(Some(s.span()), key, format!("`{text}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(cx.problem(
            Some(s.span()),
            key,
            format!("`{text}` is not an http(s) URL"),
        ));
    }
    Ok(url)
}

impl SourceList {
    pub fn load(path: &Path) -> Result<SourceList, Error> {
        let text = read(path)?;
        SourceList::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<SourceList, Error> {
        let cx = FileCx { path, text };
        let raw: RawSourceList = cx.parse()?;
        let filter = match &raw.filter {
            Some(f) => topic_filter(&cx, "filter", &f.include, &f.exclude, None)?,
            None => TopicFilter::default(),
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut sources = Vec::with_capacity(raw.source.len());
        for raw_source in raw.source {
            let source = validate_source(&cx, &raw_source, &filter)?;
            let key = crate::canonical::canonical_url(&source.url).to_string();
            let line = cx.line_of(raw_source.url.span().start);
            if let Some(first) = seen.insert(key, line) {
                return Err(cx.problem(
                    Some(raw_source.url.span()),
                    "source.url",
                    format!("`{}` is listed twice (first at line {first})", source.url),
                ));
            }
            sources.push(source);
        }
        Ok(SourceList {
            path: path.to_path_buf(),
            sources,
            filter,
        })
    }
}

/// Keywords (and a prefix) as a filter; a bad one names its line and key.
fn topic_filter(
    cx: &FileCx<'_>,
    table: &str,
    include: &[Spanned<String>],
    exclude: &[Spanned<String>],
    url_prefix: Option<&Spanned<String>>,
) -> Result<TopicFilter, Error> {
    let check = |values: &[Spanned<String>], key: &str| -> Result<Vec<String>, Error> {
        values
            .iter()
            .map(|v| {
                TopicFilter::new(std::slice::from_ref(v.get_ref()), &[], None)
                    .map(|_| v.get_ref().clone())
                    .map_err(|e| {
                        cx.problem(Some(v.span()), &format!("{table}.{key}"), e.to_string())
                    })
            })
            .collect()
    };
    let include = check(include, "include")?;
    let exclude = check(exclude, "exclude")?;
    TopicFilter::new(&include, &exclude, url_prefix.map(|p| p.get_ref().as_str())).map_err(|e| {
        cx.problem(
            url_prefix.map(|p| p.span()),
            &format!("{table}.url_prefix"),
            e.to_string(),
        )
    })
}

fn validate_source(
    cx: &FileCx<'_>,
    raw: &RawSource,
    list_filter: &TopicFilter,
) -> Result<Source, Error> {
    let name = non_empty(cx, &raw.name, "source.name")?.trim().to_string();
    let url = http_url(cx, &raw.url, "source.url")?;
    let mut tags: Vec<String> = Vec::new();
    for tag in &raw.tags {
        let t = tag.get_ref().trim();
        if t.is_empty() || t.chars().any(char::is_whitespace) {
            return Err(cx.problem(
                Some(tag.span()),
                "source.tags",
                format!("`{t}` is not a tag (one word, not empty)"),
            ));
        }
        if !tags.iter().any(|x| x == t) {
            tags.push(t.to_string());
        }
    }
    let interval = match &raw.interval {
        Some(s) => Some(duration(cx, s, "source.interval")?),
        None => None,
    };
    let max_pages = match &raw.max_pages {
        Some(n) => Some(positive(cx, n, "source.max_pages", 100)? as u32),
        None => None,
    };
    let selectors = match &raw.selectors {
        Some(raw_selectors) => selectors(cx, &name, raw_selectors)?,
        None => Overrides::NONE,
    };
    let own = topic_filter(
        cx,
        "source",
        raw.include.as_deref().unwrap_or(&[]),
        &raw.exclude,
        raw.url_prefix.as_ref(),
    )?;
    let topics = TopicFilter::combined(list_filter, &own, raw.include.is_some());
    Ok(Source {
        name,
        url,
        tags,
        interval,
        max_pages,
        selectors,
        topics,
    })
}

/// Compiles a source's selectors; a bad one names the file, line, key and
/// source.
fn selectors(cx: &FileCx<'_>, source: &str, raw: &RawSelectors) -> Result<Overrides, Error> {
    let rule = |value: &Option<Spanned<String>>, key: &str| -> Result<Option<Rule>, Error> {
        let Some(value) = value else { return Ok(None) };
        Rule::parse(value.get_ref()).map(Some).map_err(|message| {
            cx.problem(
                Some(value.span()),
                key,
                format!("source `{source}`: `{}`: {message}", value.get_ref()),
            )
        })
    };
    Ok(Overrides {
        links: rule(&raw.links, "source.selectors.links")?,
        title: rule(&raw.title, "source.selectors.title")?,
        date: rule(&raw.date, "source.selectors.date")?,
        body: rule(&raw.body, "source.selectors.body")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Result<Config, String> {
        Config::parse(Path::new("/etc/m/muniflux.toml"), text).map_err(|e| e.to_string())
    }

    fn sources(text: &str) -> Result<SourceList, String> {
        SourceList::parse(Path::new("/etc/m/sources.toml"), text).map_err(|e| e.to_string())
    }

    #[track_caller]
    fn check_error(result: Result<impl fmt::Debug, String>, expected: &[&str]) {
        let err = result.expect_err("expected an error");
        for part in expected {
            assert!(err.contains(part), "`{err}` does not contain `{part}`");
        }
    }

    #[test]
    fn defaults_and_relative_paths() {
        let c = config("").unwrap();
        assert_eq!(c.database, Path::new("/etc/m/muniflux.db"));
        assert_eq!(c.sources, Path::new("/etc/m/sources.toml"));
        assert_eq!(c.poll.interval, Duration::from_secs(1800));
        assert_eq!(c.feed.max_entries, 200);
        let c = config("database = \"../var/db.sqlite\"\nsources = \"/abs/s.toml\"\n[feed]\noutput = \"out/feed.atom\"").unwrap();
        assert_eq!(c.database, Path::new("/etc/m/../var/db.sqlite"));
        assert_eq!(c.sources, Path::new("/abs/s.toml"));
        assert_eq!(
            c.feed.output.as_deref(),
            Some(Path::new("/etc/m/out/feed.atom"))
        );
    }

    #[test]
    fn durations_and_zero_host_delay() {
        let c = config("[poll]\ninterval = \"15m\"\nhost_delay = \"0s\"\ntimeout = \"1m 30s\"")
            .unwrap();
        assert_eq!(c.poll.interval, Duration::from_secs(900));
        assert_eq!(c.poll.host_delay, Duration::ZERO);
        assert_eq!(c.poll.timeout, Duration::from_secs(90));
    }

    #[test]
    fn config_errors_name_file_line_and_key() {
        check_error(
            config("[poll]\nintervall = \"15m\""),
            &["/etc/m/muniflux.toml:2", "intervall", "unknown field"],
        );
        check_error(
            config("[poll]\n\ninterval = \"soon\""),
            &["muniflux.toml:3", "poll.interval", "soon"],
        );
        check_error(
            config("[server]\nlisten = \"localhost\""),
            &["muniflux.toml:2", "server.listen"],
        );
        check_error(
            config("[feed]\nmax_entries = 0"),
            &["muniflux.toml:2", "feed.max_entries"],
        );
        check_error(
            config("[feed]\nmax_entries = \"ten\""),
            &["muniflux.toml:2", "max_entries"],
        );
        check_error(
            config("[poll]\nmax_body_size = \"lots\""),
            &["poll.max_body_size"],
        );
        check_error(config("database = "), &["muniflux.toml:1"]);
    }

    #[test]
    fn interval_and_timeout_below_a_second_are_errors() {
        for key in ["interval", "timeout"] {
            for value in ["0s", "500ms", "PT0.9S"] {
                check_error(
                    config(&format!("[poll]\n\n{key} = \"{value}\"")),
                    &[
                        "muniflux.toml:3",
                        &format!("poll.{key}"),
                        "must be at least 1s",
                    ],
                );
            }
            let c = config(&format!("[poll]\n{key} = \"1s\"")).unwrap();
            let accepted = match key {
                "interval" => c.poll.interval,
                _ => c.poll.timeout,
            };
            assert_eq!(accepted, Duration::from_secs(1));
        }
    }

    #[test]
    fn source_list_is_validated() {
        let list = sources(
            "[[source]]\nname = \"Växjö\"\nurl = \"https://www.vaxjo.se/nyheter.html\"\ntags = [\"vaxjo\", \"naringsliv\", \"vaxjo\"]\n",
        )
        .unwrap();
        assert_eq!(list.sources.len(), 1);
        assert_eq!(list.sources[0].tags, ["vaxjo", "naringsliv"]);
        assert!(sources("").unwrap().sources.is_empty());
    }

    #[test]
    fn source_list_errors_name_file_line_and_key() {
        let dup = "[[source]]\nname = \"a\"\nurl = \"https://x.se/n\"\n\n[[source]]\nname = \"b\"\nurl = \"https://x.se/n#top\"\n";
        check_error(
            sources(dup),
            &[
                "sources.toml:7",
                "source.url",
                "listed twice (first at line 3)",
            ],
        );
        check_error(
            sources("[[source]]\nname = \"a\"\nurl = \"/relative\""),
            &["sources.toml:3", "source.url", "not a URL"],
        );
        check_error(
            sources("[[source]]\nname = \"a\"\nurl = \"ftp://x.se/\""),
            &["sources.toml:3", "http(s)"],
        );
        check_error(
            sources("[[source]]\nname = \"a\"\nurl = \"https://x.se/\"\ntagz = []"),
            &["sources.toml:4", "tagz", "unknown field"],
        );
        check_error(
            sources("[[source]]\nurl = \"https://x.se/\""),
            &["sources.toml", "missing field `name`"],
        );
        check_error(
            sources("[[source]]\nname = \"a\"\nurl = \"https://x.se/\"\ninterval = \"often\""),
            &["sources.toml:4", "source.interval"],
        );
        check_error(
            sources("[[source]]\nname = \" \"\nurl = \"https://x.se/\""),
            &["sources.toml:2", "source.name"],
        );
    }

    #[test]
    fn source_selectors_are_compiled_at_load() {
        let list = sources(
            "[[source]]\nname = \"Växjö\"\nurl = \"https://www.vaxjo.se/nyheter.html\"\nselectors = { links = \".sv-channel-item a\", body = \"#Ingress, #Brodtext\" }\n",
        )
        .unwrap();
        let selectors = &list.sources[0].selectors;
        assert_eq!(
            selectors.links.as_ref().unwrap().as_str(),
            ".sv-channel-item a"
        );
        assert_eq!(
            selectors.body.as_ref().unwrap().as_str(),
            "#Ingress, #Brodtext"
        );
        assert!(selectors.title.is_none() && selectors.date.is_none());
        let plain = sources("[[source]]\nname = \"a\"\nurl = \"https://x.se/\"\n").unwrap();
        assert!(plain.sources[0].selectors.is_empty());
    }

    #[test]
    fn bad_selectors_name_file_line_key_and_source() {
        check_error(
            sources("[[source]]\nname = \"Ljungby\"\nurl = \"https://x.se/\"\n\nselectors = { title = \"h1[\" }\n"),
            &[
                "sources.toml:5",
                "source.selectors.title",
                "source `Ljungby`",
                "invalid CSS selector",
            ],
        );
        check_error(
            sources("[[source]]\nname = \"a\"\nurl = \"https://x.se/\"\nselectors = { titel = \"h1\" }\n"),
            &["sources.toml:4", "unknown field `titel`"],
        );
    }

    #[test]
    fn topic_filters_combine_and_bad_keywords_name_their_line() {
        let list = sources(
            "[filter]\ninclude = [\"företag\", \"näringsliv\"]\nexclude = [\"lediga jobb\"]\n\n\
             [[source]]\nname = \"a\"\nurl = \"https://a.se/\"\n\n\
             [[source]]\nname = \"b\"\nurl = \"https://b.se/nyheter/\"\ninclude = []\nexclude = [\"skola\"]\nurl_prefix = \"/nyheter/naringsliv/\"\n",
        )
        .unwrap();
        assert_eq!(
            list.sources[0].topics.describe(),
            "include: företag, näringsliv; exclude: lediga jobb"
        );
        assert_eq!(
            list.sources[1].topics.describe(),
            "exclude: lediga jobb, skola; url_prefix: /nyheter/naringsliv/"
        );
        assert_eq!(
            list.filter.describe(),
            "include: företag, näringsliv; exclude: lediga jobb"
        );
        check_error(
            sources(
                "[[source]]\nname = \"a\"\nurl = \"https://a.se/\"\nexclude = [\"ok\", \" / \"]\n",
            ),
            &["sources.toml:4", "source.exclude", "not a keyword"],
        );
        check_error(
            sources(
                "[[source]]\nname = \"a\"\nurl = \"https://a.se/\"\nurl_prefix = \"nyheter\"\n",
            ),
            &["sources.toml:4", "source.url_prefix"],
        );
        check_error(
            sources("[filter]\ninclude = [\"\"]\n"),
            &["sources.toml:2", "filter.include"],
        );
        check_error(
            sources("[filter]\nurl_prefix = \"/x/\"\n"),
            &["unknown field"],
        );
    }

    #[test]
    fn poll_defaults_without_a_file_match_an_empty_config() {
        let from_file = config("").unwrap().poll;
        let default = PollConfig::default();
        assert_eq!(default.fetch_settings().timeout, from_file.timeout);
        assert_eq!(default.max_body_bytes, from_file.max_body_bytes);
        assert_eq!(default.user_agent, default_user_agent());
    }

    #[test]
    fn articles_section_takes_days_and_checks_its_bounds() {
        const DAY: u64 = 24 * 60 * 60;
        let defaults = config("").unwrap().articles;
        assert_eq!(defaults, ArticlesConfig::default());
        assert_eq!(defaults.revalidate_window, Duration::from_secs(14 * DAY));
        assert_eq!(defaults.retention, Duration::from_secs(365 * DAY));
        assert_eq!(defaults.revalidate_per_poll, 20);
        let c = config(
            "[articles]\nrevalidate_window = \"2w\"\nrevalidate_per_poll = 5\nretention = \"90d\"",
        )
        .unwrap()
        .articles;
        assert_eq!(c.revalidate_window, Duration::from_secs(14 * DAY));
        assert_eq!(c.retention, Duration::from_secs(90 * DAY));
        assert_eq!(c.revalidate_per_poll, 5);
        // A retention shorter than the window is allowed: purged articles
        // are simply not revalidated any more.
        let short = config("[articles]\nretention = \"0s\"").unwrap().articles;
        assert_eq!(short.retention, Duration::ZERO);
        check_error(
            config("[articles]\nretention = \"a while\""),
            &["muniflux.toml:2", "articles.retention"],
        );
        check_error(
            config("[articles]\nrevalidate_per_poll = 0"),
            &["muniflux.toml:2", "articles.revalidate_per_poll"],
        );
        check_error(config("[articles]\nretain = \"1d\""), &["unknown field"]);
        // Months have no fixed length.
        assert_eq!(parse_duration("1mo"), None);
        assert_eq!(
            parse_duration("1d 2h"),
            Some(Duration::from_secs(DAY + 7200))
        );
    }

    #[test]
    fn schedule_and_warning_keys() {
        let c = config(
            "[poll]\ninterval = \"1h\"\nmin_interval = \"10m\"\nmax_interval = \"12h\"\nmax_backoff = \"6h\"\n\
             [server]\nwarn_empty_polls = 5\nwarn_quiet_days = 14\n",
        )
        .unwrap();
        let policy = c.poll.policy(Some(Duration::from_secs(120)));
        assert_eq!(policy.interval, Duration::from_secs(120));
        assert_eq!(policy.min_interval, Duration::from_secs(600));
        assert_eq!(policy.max_interval, Duration::from_secs(12 * 3600));
        assert_eq!(policy.max_backoff, Duration::from_secs(6 * 3600));
        assert_eq!(c.poll.policy(None).interval, Duration::from_secs(3600));
        assert_eq!(c.server.warnings.empty_polls, 5);
        assert_eq!(c.server.warnings.quiet_days, 14);
        let defaults = config("").unwrap();
        assert_eq!(
            defaults.poll.policy(None),
            crate::schedule::Policy::default()
        );
        assert_eq!(
            defaults.server.warnings,
            crate::status::Thresholds::default()
        );
        check_error(
            config("[poll]\nmin_interval = \"1h\"\nmax_interval = \"30m\"\n"),
            &["muniflux.toml:3", "poll.max_interval"],
        );
        check_error(
            config("[server]\nwarn_empty_polls = 0\n"),
            &["muniflux.toml:2", "server.warn_empty_polls"],
        );
        check_error(
            config("[poll]\nmax_backoff = \"forever\"\n"),
            &["muniflux.toml:2", "poll.max_backoff"],
        );
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(byte_size("5 MiB"), Some(5 * 1024 * 1024));
        assert_eq!(byte_size("500kb"), Some(500 * 1024));
        assert_eq!(byte_size("1048576"), Some(1048576));
        assert_eq!(byte_size("0"), None);
        assert_eq!(byte_size("5 parsecs"), None);
    }
}
