//! The only network user: one shared reqwest client with conditional GET,
//! size and time limits, per-host politeness and robots.txt.
//!
//! Every request, robots.txt included, goes through [`gate::Gate`]: one
//! request at a time per host and port, with `host_delay` (or a larger
//! `Crawl-delay`) between the end of one and the start of the next.
//! Redirects are followed here, hop by hop, so each hop is checked against
//! robots.txt and the gate of its own host.

mod gate;
mod robots;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use jiff::Timestamp;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

use self::gate::Gate;
use self::robots::Rules;
pub use self::robots::{RememberedRobots, RobotsAnswer, RobotsMemory};
use crate::metrics::Histogram;

/// Hops followed before giving up (browsers allow about 20; CMS setups need
/// two or three: http -> https -> www -> trailing slash).
pub const MAX_REDIRECTS: usize = 10;

/// How long an idle connection is kept past `host_delay`: long enough for
/// the same host's next request (which waits out the delay, then a
/// request slot), short enough that the connections of hosts already done
/// do not pile up (at ten thousand requests a second, two seconds of them
/// held some 50 MB of buffers).
const IDLE_AFTER_DELAY: Duration = Duration::from_millis(500);

/// Connect timeout, unless the total timeout is shorter.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What we accept: feeds first, then HTML.
const ACCEPT: &str = "application/atom+xml, application/rss+xml, application/feed+json, \
                      application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5";

/// How the client behaves; built from `[poll]` in the config.
#[derive(Debug, Clone)]
pub struct Settings {
    pub user_agent: String,
    /// Total time for one request, body included (per redirect hop).
    pub timeout: Duration,
    /// Cap on the decompressed body.
    pub max_body_bytes: u64,
    /// Minimum gap between two requests to one host (zero allowed).
    pub host_delay: Duration,
    /// Requests in flight at once across all hosts (`[poll] concurrency`);
    /// a response counts until its [`Page`] is dropped.
    pub concurrency: usize,
}

/// Validators for a conditional GET, stored per URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A fetched document.
#[derive(Debug, Clone)]
pub struct Page {
    /// The final URL after redirects.
    pub url: Url,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Bytes,
    /// Validators to send next time (only trustworthy ones).
    pub validators: Validators,
    /// Set when every redirect hop was permanent (301/308): the new URL.
    pub moved_permanently: Option<Url>,
    /// How long the server says the page stays fresh (Cache-Control
    /// max-age, else Expires minus Date), for the schedule.
    pub freshness: Option<Duration>,
    /// The request slot this page still holds: a body waiting to be parsed
    /// counts as a request in flight, so bodies in memory are bounded by
    /// `concurrency` however far parsing falls behind. Drop the page (parse
    /// it, keep what was parsed) before fetching the next one.
    _slot: Slot,
}

/// A request slot, shared by clones of the page that holds it.
#[derive(Debug, Clone)]
struct Slot(#[allow(dead_code)] Arc<OwnedSemaphorePermit>);

/// One per fetch and consumed at once, so the size difference between the
/// variants costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Outcome {
    /// 304: nothing changed since the validators were stored.
    NotModified,
    Fetched(Page),
}

/// Why a fetch failed; every variant names the URL.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("building the HTTP client: {0}")]
    Client(String),
    /// Only http and https are fetched.
    #[error("not an http(s) URL: {url}")]
    UnsupportedUrl { url: Url },
    /// DNS, refused connection, TLS handshake.
    #[error("connecting to {url}")]
    Connect {
        url: Url,
        #[source]
        source: reqwest::Error,
    },
    /// The request or the body failed after connecting (reset, bad HTTP,
    /// broken compression).
    #[error("requesting {url}")]
    Request {
        url: Url,
        #[source]
        source: reqwest::Error,
    },
    /// No complete response within `Settings::timeout`.
    #[error("timed out after {timeout:?} fetching {url}")]
    Timeout { url: Url, timeout: Duration },
    /// A status other than 2xx and 304. `retry_after` is the server's
    /// Retry-After (seconds or HTTP-date) on 429 and 503.
    #[error("HTTP {status} from {url}")]
    Status {
        url: Url,
        status: u16,
        retry_after: Option<Duration>,
    },
    /// The decompressed body exceeded `Settings::max_body_bytes`.
    #[error("body of {url} exceeds the limit of {limit} bytes")]
    BodyTooLarge { url: Url, limit: u64 },
    /// robots.txt disallows the URL; it was not requested.
    #[error("robots.txt disallows {url}")]
    RobotsDisallowed { url: Url },
    /// robots.txt answered 5xx/429 or could not be reached, which RFC 9309
    /// says means "disallow everything" for now; retried after a few minutes.
    #[error("robots.txt for {url} is unreachable ({reason}); not fetching from that site for now")]
    RobotsUnavailable { url: Url, reason: String },
    /// A redirect pointed back to a URL already visited in this fetch.
    #[error("redirect loop: {url} redirects to {location}, which was already visited")]
    RedirectLoop { url: Url, location: String },
    #[error("more than {limit} redirects starting at {url}")]
    TooManyRedirects { url: Url, limit: usize },
    /// A redirect whose Location is not a usable http(s) URL.
    #[error("invalid redirect from {url} to {location:?}")]
    InvalidRedirect { url: Url, location: String },
}

impl Error {
    /// Whether trying again later may succeed without anyone changing
    /// anything (timeouts, connection failures, 5xx, 429, robots.txt
    /// unreachable). 404, 410, robots disallow and size limits are not.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Connect { .. }
            | Error::Request { .. }
            | Error::Timeout { .. }
            | Error::RobotsUnavailable { .. } => true,
            Error::Status { status, .. } => *status == 408 || *status == 429 || *status >= 500,
            Error::Client(_)
            | Error::UnsupportedUrl { .. }
            | Error::BodyTooLarge { .. }
            | Error::RobotsDisallowed { .. }
            | Error::RedirectLoop { .. }
            | Error::TooManyRedirects { .. }
            | Error::InvalidRedirect { .. } => false,
        }
    }

    /// A short name of what failed, for metrics labels and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Client(_) => "client",
            Error::UnsupportedUrl { .. } => "unsupported_url",
            Error::Connect { .. } => "connect",
            Error::Request { .. } => "request",
            Error::Timeout { .. } => "timeout",
            Error::Status { status: 429, .. } => "http_429",
            Error::Status { status, .. } if *status >= 500 => "http_5xx",
            Error::Status { .. } => "http_4xx",
            Error::BodyTooLarge { .. } => "body_too_large",
            Error::RobotsDisallowed { .. } => "robots_disallowed",
            Error::RobotsUnavailable { .. } => "robots_unavailable",
            Error::RedirectLoop { .. }
            | Error::TooManyRedirects { .. }
            | Error::InvalidRedirect { .. } => "redirect",
        }
    }

    /// The HTTP status the server answered with, when that was the failure.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's Retry-After, when it sent one with a 429 or 503.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// One shared client for every fetch of the process.
pub struct Client {
    http: reqwest::Client,
    settings: Settings,
    gate: Gate,
    /// `concurrency` slots: taken after the per-host gate lets a request
    /// go (so a host sleeping out its delay holds none), kept until the
    /// response is read, or for a page until it is dropped.
    slots: Arc<Semaphore>,
    robots: robots::Cache,
    /// Time to the response headers of every request, for `/metrics`.
    latency: Histogram,
}

/// What a request is for: a page obeys robots.txt and fails on an oversized
/// body; robots.txt itself is not checked against robots.txt, and a long one
/// is cut rather than rejected (RFC 9309 section 2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Page,
    Robots,
}

/// A final (non-redirect) response with its body read.
struct Response {
    url: Url,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    /// Whether every redirect hop (if any) was 301 or 308.
    redirected_permanently: bool,
    slot: OwnedSemaphorePermit,
}

impl Client {
    pub fn new(settings: Settings) -> Result<Client, Error> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(&settings.user_agent)
            .timeout(settings.timeout)
            .connect_timeout(CONNECT_TIMEOUT.min(settings.timeout))
            .gzip(true)
            .brotli(true)
            // Followed by hand, so that each hop meets robots.txt and the gate.
            .redirect(reqwest::redirect::Policy::none())
            // One request at a time per host needs one connection per host;
            // it is kept past the host delay for the next request of the
            // same poll, then closed: thousands of hosts are not thousands
            // of idle sockets and buffers.
            .pool_max_idle_per_host(1)
            .pool_idle_timeout(settings.host_delay + IDLE_AFTER_DELAY)
            .build()
            .map_err(|err| Error::Client(err.to_string()))?;
        Ok(Client {
            http,
            slots: Arc::new(Semaphore::new(settings.concurrency.max(1))),
            settings,
            gate: Gate::default(),
            robots: robots::Cache::default(),
            latency: Histogram::default(),
        })
    }

    /// The same client, also remembering robots.txt answers in `memory`
    /// (the store), so other processes and later runs reuse them until
    /// they expire.
    pub fn remembering_robots(mut self, memory: Arc<dyn RobotsMemory>) -> Client {
        self.robots = robots::Cache::remembering(memory);
        self
    }

    /// The latency of every request made so far.
    pub fn latency(&self) -> &Histogram {
        &self.latency
    }

    /// GETs `url` politely (robots.txt, one request at a time per host,
    /// `host_delay` between requests), conditionally when `validators` has any.
    pub async fn fetch_page(&self, url: &Url, validators: &Validators) -> Result<Outcome, Error> {
        let response = self.follow(url, validators, Purpose::Page).await?;
        if response.status == StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified);
        }
        if !response.status.is_success() {
            return Err(status_error(&response));
        }
        let hopped = response.url != *url;
        let page = Page {
            moved_permanently: (hopped && response.redirected_permanently)
                .then(|| response.url.clone()),
            status: response.status.as_u16(),
            content_type: header_str(&response.headers, header::CONTENT_TYPE).map(str::to_string),
            validators: response_validators(&response.headers, Timestamp::now()),
            freshness: freshness(&response.headers, Timestamp::now()),
            url: response.url,
            body: response.body,
            _slot: Slot(Arc::new(response.slot)),
        };
        Ok(Outcome::Fetched(page))
    }

    /// The sitemaps named by the `Sitemap:` lines of the robots.txt of
    /// `url`'s origin (fetched and cached as for any page), resolved
    /// against it; unusable lines are left out.
    pub async fn robots_sitemaps(&self, url: &Url) -> Vec<Url> {
        let rules = self.robots.rules(url, || self.fetch_robots(url)).await;
        let robots_url = robots::robots_url(url);
        rules
            .sitemaps()
            .iter()
            .filter_map(|line| robots_url.join(line.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .collect()
    }

    /// Sends GETs from `start` along redirects until a non-redirect answer.
    async fn follow(
        &self,
        start: &Url,
        validators: &Validators,
        purpose: Purpose,
    ) -> Result<Response, Error> {
        let mut url = start.clone();
        let mut visited = HashSet::from([start.clone()]);
        let mut redirected_permanently = true;
        for _ in 0..=MAX_REDIRECTS {
            check_scheme(&url)?;
            let delay = match purpose {
                Purpose::Page => self.robots_delay(&url).await?,
                Purpose::Robots => self.settings.host_delay,
            };
            let _permit = self.gate.enter(&gate::host_key(&url), delay).await;
            let slot = self.slot().await;
            let response = self.send(&url, validators).await?;
            let Some(location) = redirect_location(&url, &response)? else {
                let status = response.status();
                let headers = response.headers().clone();
                let body = if status.is_success() {
                    read_body(
                        &url,
                        response,
                        self.body_limit(purpose),
                        self.settings.timeout,
                    )
                    .await?
                } else {
                    Bytes::new()
                };
                return Ok(Response {
                    url,
                    status,
                    headers,
                    body,
                    redirected_permanently,
                    slot,
                });
            };
            redirected_permanently &= matches!(response.status().as_u16(), 301 | 308);
            if !visited.insert(location.clone()) {
                return Err(Error::RedirectLoop {
                    url,
                    location: location.to_string(),
                });
            }
            url = location;
        }
        Err(Error::TooManyRedirects {
            url: start.clone(),
            limit: MAX_REDIRECTS,
        })
    }

    /// A request slot; waits while `concurrency` requests are in flight.
    async fn slot(&self) -> OwnedSemaphorePermit {
        Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .expect("the slots are never closed")
    }

    /// One GET, with the conditional headers, timed and logged.
    async fn send(&self, url: &Url, validators: &Validators) -> Result<reqwest::Response, Error> {
        let mut request = self
            .http
            .get(url.clone())
            .header(header::ACCEPT, HeaderValue::from_static(ACCEPT));
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(last_modified) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, last_modified);
        }
        let started = std::time::Instant::now();
        let result = request.send().await;
        self.latency.observe(started.elapsed());
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match result {
            Ok(response) => {
                let status = response.status().as_u16();
                tracing::debug!(url = %url, status, elapsed_ms, "fetched");
                Ok(response)
            }
            Err(err) => {
                let error = self.transport_error(url, err);
                tracing::debug!(url = %url, elapsed_ms, error = %error, "fetch failed");
                Err(error)
            }
        }
    }

    /// Checks `url` against its origin's robots.txt (fetching it if needed)
    /// and returns the delay to keep before requesting it.
    async fn robots_delay(&self, url: &Url) -> Result<Duration, Error> {
        let rules = self.robots.rules(url, || self.fetch_robots(url)).await;
        match &*rules {
            Rules::Unreachable { reason } => Err(Error::RobotsUnavailable {
                url: url.clone(),
                reason: reason.clone(),
            }),
            rules if !rules.allows(url) => Err(Error::RobotsDisallowed { url: url.clone() }),
            rules => Ok(self.settings.host_delay.max(rules.crawl_delay())),
        }
    }

    async fn fetch_robots(&self, url: &Url) -> RememberedRobots {
        let robots_url = robots::robots_url(url);
        // Boxed: `follow` -> `robots_delay` -> `fetch_robots` -> `follow` is
        // recursive in type (never at run time: robots.txt skips the check).
        let result =
            Box::pin(self.follow(&robots_url, &Validators::default(), Purpose::Robots)).await;
        let now = Timestamp::now();
        let (answer, freshness) = match result {
            Ok(response) => (
                RobotsAnswer::Response {
                    status: response.status.as_u16(),
                    body: response.body.to_vec(),
                },
                freshness(&response.headers, now),
            ),
            Err(
                Error::RedirectLoop { .. }
                | Error::TooManyRedirects { .. }
                | Error::InvalidRedirect { .. },
            ) => (RobotsAnswer::RedirectFailure, None),
            Err(err) => (
                RobotsAnswer::Unreachable {
                    reason: error_chain(&err),
                },
                None,
            ),
        };
        let robots = RememberedRobots::new(answer, freshness, now);
        tracing::debug!(url = %robots_url, rules = ?Rules::from_answer(&robots.answer),
            expires_at = %robots.expires_at, "robots.txt");
        robots
    }

    fn body_limit(&self, purpose: Purpose) -> BodyLimit {
        match purpose {
            Purpose::Page => BodyLimit::Fail(self.settings.max_body_bytes),
            Purpose::Robots => BodyLimit::Truncate(robots::MAX_ROBOTS_BYTES),
        }
    }

    fn transport_error(&self, url: &Url, err: reqwest::Error) -> Error {
        transport_error(url, err, self.settings.timeout)
    }
}

/// What to do with a body longer than the limit.
#[derive(Debug, Clone, Copy)]
enum BodyLimit {
    Fail(u64),
    Truncate(u64),
}

/// Streams the (already decompressed) body, never holding more than the
/// limit plus one chunk: a compression bomb or an endless response ends
/// with `BodyTooLarge` (or the timeout), not with memory exhaustion.
async fn read_body(
    url: &Url,
    mut response: reqwest::Response,
    limit: BodyLimit,
    timeout: Duration,
) -> Result<Bytes, Error> {
    let (cap, truncate) = match limit {
        BodyLimit::Fail(cap) => (cap, false),
        BodyLimit::Truncate(cap) => (cap, true),
    };
    let too_large = || Error::BodyTooLarge {
        url: url.clone(),
        limit: cap,
    };
    // Content-Length is only known here for uncompressed bodies.
    if !truncate && response.content_length().is_some_and(|length| length > cap) {
        return Err(too_large());
    }
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    let mut body = BytesMut::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| transport_error(url, err, timeout))?
    {
        let room = cap - body.len();
        if chunk.len() > room {
            if !truncate {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk[..room]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Classifies a reqwest error. `timeout` is only for the message.
fn transport_error(url: &Url, err: reqwest::Error, timeout: Duration) -> Error {
    let url = url.clone();
    if err.is_timeout() {
        Error::Timeout { url, timeout }
    } else if err.is_connect() {
        Error::Connect { url, source: err }
    } else {
        Error::Request { url, source: err }
    }
}

fn check_scheme(url: &Url) -> Result<(), Error> {
    match url.scheme() {
        "http" | "https" => Ok(()),
        _ => Err(Error::UnsupportedUrl { url: url.clone() }),
    }
}

/// The next URL when `response` is a redirect with a Location; `None` for
/// any other response (a 3xx without Location is left to the caller as a
/// status error).
fn redirect_location(url: &Url, response: &reqwest::Response) -> Result<Option<Url>, Error> {
    if !matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = response.headers().get(header::LOCATION) else {
        return Ok(None);
    };
    let invalid = || Error::InvalidRedirect {
        url: url.clone(),
        location: String::from_utf8_lossy(location.as_bytes()).into_owned(),
    };
    let location = location.to_str().map_err(|_| invalid())?;
    let next = url.join(location).map_err(|_| invalid())?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(invalid());
    }
    Ok(Some(next))
}

fn status_error(response: &Response) -> Error {
    let status = response.status.as_u16();
    let retry_after = match status {
        429 | 503 => header_str(&response.headers, header::RETRY_AFTER)
            .and_then(|value| parse_retry_after(value, Timestamp::now())),
        _ => None,
    };
    Error::Status {
        url: response.url.clone(),
        status,
        retry_after,
    }
}

/// Retry-After as delay-seconds or an HTTP-date (RFC 9110 section 10.2.3);
/// a date in the past means "now".
fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    let seconds = at.as_second().saturating_sub(now.as_second()).max(0);
    Some(Duration::from_secs(seconds.unsigned_abs()))
}

/// The validators to store: the ETag as sent, and Last-Modified only when it
/// is at least a second older than the response (its Date header, else
/// `now`). A file modified within the same second as it was served may
/// change again within that second, and a later If-Modified-Since with that
/// date would wrongly get 304 (the "weak validator" rule of RFC 9110
/// section 8.8.2.2).
fn response_validators(headers: &HeaderMap, now: Timestamp) -> Validators {
    let etag = header_str(headers, header::ETAG).map(str::to_string);
    let served_at = header_str(headers, header::DATE)
        .and_then(parse_http_date)
        .unwrap_or(now);
    let last_modified = header_str(headers, header::LAST_MODIFIED).filter(|value| {
        parse_http_date(value)
            .is_some_and(|modified| modified.as_second() < served_at.as_second() - 1)
    });
    Validators {
        etag,
        last_modified: last_modified.map(str::to_string),
    }
}

/// How long a response stays fresh (RFC 9111 section 4.2.1): `max-age`
/// (zero for `no-store`/`no-cache`), else `Expires` minus `Date` (or `now`).
fn freshness(headers: &HeaderMap, now: Timestamp) -> Option<Duration> {
    if let Some(cache_control) = header_str(headers, header::CACHE_CONTROL) {
        for directive in cache_control.split(',').map(str::trim) {
            let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
            match name.trim().to_ascii_lowercase().as_str() {
                "no-store" | "no-cache" => return Some(Duration::ZERO),
                "max-age" => {
                    if let Ok(seconds) = value.trim().trim_matches('"').parse::<u64>() {
                        return Some(Duration::from_secs(seconds));
                    }
                }
                _ => {}
            }
        }
    }
    let expires = header_str(headers, header::EXPIRES)?;
    // An invalid Expires ("0", "-1") means already expired.
    let Some(expires) = parse_http_date(expires) else {
        return Some(Duration::ZERO);
    };
    let served_at = header_str(headers, header::DATE)
        .and_then(parse_http_date)
        .unwrap_or(now);
    let seconds = (expires.as_second() - served_at.as_second()).max(0);
    Some(Duration::from_secs(seconds.unsigned_abs()))
}

/// An HTTP-date in the preferred IMF-fixdate form ("Sun, 06 Nov 1994
/// 08:49:37 GMT"). The obsolete RFC 850 and asctime forms are not accepted;
/// a validator we cannot read is simply not stored.
pub fn parse_http_date(value: &str) -> Option<Timestamp> {
    jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value.trim())
        .ok()
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers
        .get(name)?
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

/// An error with its sources, for a one-line reason: "what: why: why",
/// each cause once. Many errors name their cause in their own message (so
/// that the error alone is complete) and also return it as `source()`;
/// a cause already in the line, or one that restates the cause before it,
/// is not repeated.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut previous = text.clone();
    let mut source = err.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        // Already said, or said but for a prefix (SQLite's "Error code 14:
        // unable to open database file"), or the previous cause again in
        // more words.
        let core = message
            .split_once(": ")
            .map_or(message.as_str(), |(_, rest)| rest);
        let repeated = text.contains(message.as_str())
            || text.contains(core)
            || message.contains(previous.as_str());
        if !repeated {
            text.push_str(": ");
            text.push_str(&message);
        }
        previous = message;
        source = cause.source();
    }
    text
}
