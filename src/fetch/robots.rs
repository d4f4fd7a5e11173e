//! robots.txt: what the fetched file means (RFC 9309) and a per-origin cache.
//!
//! The fetching itself is the client's (it goes through the same politeness
//! gate as every other request); this module only turns a fetch result into
//! [`Rules`] and remembers them: in memory, and through a [`RobotsMemory`]
//! (the store) across processes, so a `poll` run or a restarted daemon does
//! not ask every host for robots.txt again.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::BoxFuture;
use jiff::Timestamp;
use texting_robots::Robot;
use tokio::sync::Mutex as AsyncMutex;
use url::Url;

/// The product token matched against `User-agent:` lines.
pub(crate) const USER_AGENT_TOKEN: &str = "muniflux";

/// Cap on a robots.txt body; RFC 9309 asks crawlers to parse at least 500 KiB.
pub(crate) const MAX_ROBOTS_BYTES: u64 = 512 * 1024;

/// How long rules from a successful (or 4xx) fetch are trusted at most:
/// RFC 9309 section 2.4 says a cached robots.txt should not be used for
/// more than 24 hours; a server's max-age or Expires can shorten that.
pub const MAX_RULES_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// However short the server's cache hint (`no-cache`, an Expires in the
/// past, common on CMS pages), rules are kept this long, so the requests of
/// one poll share one robots.txt fetch.
pub const MIN_RULES_TTL: Duration = Duration::from_secs(5 * 60);

/// How long "unreachable, disallow everything" lasts before robots.txt is
/// tried again; short, because it blocks the whole site.
const UNREACHABLE_TTL: Duration = Duration::from_secs(5 * 60);

/// A `Crawl-delay` above this is treated as this (some sites ask for hours).
pub(crate) const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

/// What robots.txt says for one origin.
#[derive(Debug)]
pub(crate) enum Rules {
    /// No usable robots.txt (4xx, HTML instead of robots.txt, unparseable):
    /// everything is allowed.
    AllowAll,
    /// Parsed rules for the "muniflux" token (or `*`).
    Parsed(Box<Robot>),
    /// 5xx, 429 or no connection: everything is disallowed until retried
    /// (RFC 9309 section 2.3.1.4).
    Unreachable { reason: String },
}

/// How fetching robots.txt ended: all that [`Rules`] are made from, and
/// what is remembered across processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RobotsAnswer {
    /// A final response after redirects; the body (cut at
    /// [`MAX_ROBOTS_BYTES`]) only matters for 2xx.
    Response { status: u16, body: Vec<u8> },
    /// Redirect loop or too many redirects: RFC 9309 treats that as
    /// "unavailable", like a 4xx.
    RedirectFailure,
    /// Connection refused, timeout, DNS ...
    Unreachable { reason: String },
}

/// One origin's robots.txt answer with when it was fetched and until when
/// it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RememberedRobots {
    pub answer: RobotsAnswer,
    pub fetched_at: Timestamp,
    pub expires_at: Timestamp,
}

impl RememberedRobots {
    /// The answer fetched at `now`, kept as long as the rules allow: an
    /// unreachable robots.txt a few minutes, otherwise the server's
    /// freshness (max-age, Expires) between [`MIN_RULES_TTL`] and
    /// [`MAX_RULES_TTL`], and the maximum when the server says nothing.
    pub fn new(answer: RobotsAnswer, freshness: Option<Duration>, now: Timestamp) -> Self {
        let ttl = match answer {
            RobotsAnswer::Unreachable { .. } => UNREACHABLE_TTL,
            _ => freshness
                .unwrap_or(MAX_RULES_TTL)
                .clamp(MIN_RULES_TTL, MAX_RULES_TTL),
        };
        let ttl = jiff::SignedDuration::try_from(ttl).unwrap_or(jiff::SignedDuration::ZERO);
        RememberedRobots {
            answer,
            fetched_at: now,
            expires_at: now.checked_add(ttl).unwrap_or(now),
        }
    }
}

/// Where robots.txt answers outlive the process (the store). Failures are
/// the implementation's to log: without a memory, robots.txt is fetched.
pub trait RobotsMemory: Send + Sync {
    /// The answer remembered for `origin` (`scheme://host:port`), if any,
    /// expired or not.
    fn recall<'a>(&'a self, origin: &'a str) -> BoxFuture<'a, Option<RememberedRobots>>;
    /// Remembers `robots` for `origin`, replacing what was there.
    fn remember<'a>(&'a self, origin: &'a str, robots: RememberedRobots) -> BoxFuture<'a, ()>;
}

impl Rules {
    pub(crate) fn from_answer(answer: &RobotsAnswer) -> Rules {
        match answer {
            RobotsAnswer::Response { status, body } => Rules::from_response(*status, body),
            RobotsAnswer::RedirectFailure => Rules::AllowAll,
            RobotsAnswer::Unreachable { reason } => Rules::Unreachable {
                reason: reason.clone(),
            },
        }
    }

    fn from_response(status: u16, body: &[u8]) -> Rules {
        match status {
            200..=299 if looks_like_html(body) => Rules::AllowAll,
            200..=299 => match Robot::new(USER_AGENT_TOKEN, body) {
                Ok(robot) => Rules::Parsed(Box::new(robot)),
                Err(_) => Rules::AllowAll,
            },
            // Too Many Requests is the server asking us to back off, not
            // "there is no robots.txt".
            429 => Rules::Unreachable {
                reason: "HTTP 429".to_string(),
            },
            400..=499 => Rules::AllowAll,
            // A 3xx that was not followed (no Location) is no robots.txt.
            300..=399 => Rules::AllowAll,
            _ => Rules::Unreachable {
                reason: format!("HTTP {status}"),
            },
        }
    }

    pub(crate) fn allows(&self, url: &Url) -> bool {
        match self {
            Rules::AllowAll => true,
            Rules::Parsed(robot) => robot.allowed(url.as_str()),
            Rules::Unreachable { .. } => false,
        }
    }

    /// `Crawl-delay` for our token, capped at [`MAX_CRAWL_DELAY`].
    pub(crate) fn crawl_delay(&self) -> Duration {
        let Rules::Parsed(robot) = self else {
            return Duration::ZERO;
        };
        match robot.delay {
            Some(seconds) if seconds.is_finite() && seconds > 0.0 => {
                Duration::from_secs_f32(seconds.min(MAX_CRAWL_DELAY.as_secs_f32()))
            }
            _ => Duration::ZERO,
        }
    }

    /// The `Sitemap:` lines, as written (resolved by the caller).
    pub(crate) fn sitemaps(&self) -> &[String] {
        match self {
            Rules::Parsed(robot) => &robot.sitemaps,
            Rules::AllowAll | Rules::Unreachable { .. } => &[],
        }
    }
}

/// Sites with a catch-all route answer /robots.txt with their 200 HTML page;
/// read as robots.txt that is noise, so it means "no rules". Judged by the
/// content, not the Content-Type: a real robots.txt served as text/html is
/// still obeyed.
fn looks_like_html(body: &[u8]) -> bool {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// The robots.txt URL for `url`'s origin.
pub(crate) fn robots_url(url: &Url) -> Url {
    let mut robots = url.clone();
    robots.set_path("/robots.txt");
    robots.set_query(None);
    robots.set_fragment(None);
    // Credentials never go to robots.txt; both setters only fail on URLs
    // that cannot be a base, which http(s) URLs never are.
    let _ = robots.set_username("");
    let _ = robots.set_password(None);
    robots
}

struct Cached {
    rules: Arc<Rules>,
    expires: Timestamp,
}

/// Rules per origin, fetched at most once at a time per origin.
#[derive(Default)]
pub(crate) struct Cache {
    origins: Mutex<HashMap<String, Arc<AsyncMutex<Option<Cached>>>>>,
    memory: Option<Arc<dyn RobotsMemory>>,
}

impl Cache {
    /// A cache that also recalls and remembers answers through `memory`.
    pub(crate) fn remembering(memory: Arc<dyn RobotsMemory>) -> Cache {
        Cache {
            origins: Mutex::default(),
            memory: Some(memory),
        }
    }

    /// The rules for `url`'s origin: cached here, else remembered and not
    /// expired, else from `fetch` (and then remembered). Concurrent callers
    /// for one origin wait for a single fetch.
    pub(crate) async fn rules<F, Fut>(&self, url: &Url, fetch: F) -> Arc<Rules>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = RememberedRobots>,
    {
        let origin = url.origin().ascii_serialization();
        let slot = {
            let mut origins = self.origins.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(origins.entry(origin.clone()).or_default())
        };
        let mut cached = slot.lock().await;
        let now = Timestamp::now();
        if let Some(entry) = cached.as_ref().filter(|c| c.expires > now) {
            return Arc::clone(&entry.rules);
        }
        let recalled = match &self.memory {
            Some(memory) => memory.recall(&origin).await,
            None => None,
        };
        let robots = match recalled.filter(|r| r.expires_at > now) {
            Some(robots) => robots,
            None => {
                let robots = fetch().await;
                if let Some(memory) = &self.memory {
                    memory.remember(&origin, robots.clone()).await;
                }
                robots
            }
        };
        let rules = Arc::new(Rules::from_answer(&robots.answer));
        *cached = Some(Cached {
            expires: robots.expires_at,
            rules: Arc::clone(&rules),
        });
        rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `robots` (served with `status`) allows exactly the `allowed` paths
    /// among `paths`.
    #[track_caller]
    fn check(status: u16, robots: &str, paths: &[(&str, bool)]) {
        let rules = Rules::from_response(status, robots.as_bytes());
        for (path, allowed) in paths {
            let url = Url::parse("https://www.example.se")
                .unwrap()
                .join(path)
                .unwrap();
            assert_eq!(rules.allows(&url), *allowed, "{path} with {rules:?}");
        }
    }

    const CORPUS: &str = "User-agent: *\nDisallow: /skelleftea/intern/\nDisallow: /vimmerby/kommunchefsbloggen/wp-admin/\n";

    #[test]
    fn parsed_rules() {
        check(
            200,
            CORPUS,
            &[
                ("/skelleftea/intern/nyheter/x/", false),
                ("/skelleftea/naringsliv/nyheter/", true),
                ("/robots.txt", true),
            ],
        );
    }

    #[test]
    fn sitemap_lines_are_kept() {
        let robots = "User-agent: *\nDisallow: /imagedescription.action2\nSitemap: https://www.example.se/sitemapindex.xml\n";
        let rules = Rules::from_response(200, robots.as_bytes());
        assert_eq!(
            rules.sitemaps(),
            ["https://www.example.se/sitemapindex.xml"]
        );
        assert!(Rules::from_response(404, b"").sitemaps().is_empty());
    }

    #[test]
    fn our_token_wins_over_star() {
        let robots = "User-agent: *\nDisallow: /\n\nUser-agent: muniflux\nDisallow: /intern/\n";
        check(200, robots, &[("/nyheter/", true), ("/intern/a", false)]);
    }

    #[test]
    fn client_errors_allow_everything() {
        check(404, "Disallow: /", &[("/", true), ("/intern/", true)]);
        check(403, "", &[("/a", true)]);
    }

    #[test]
    fn server_errors_and_429_disallow_everything() {
        check(500, "", &[("/", false), ("/a", false)]);
        check(503, "", &[("/a", false)]);
        check(429, "", &[("/a", false)]);
    }

    #[test]
    fn html_instead_of_robots_allows_everything() {
        let html = "<!DOCTYPE html><html><body>User-agent: *\nDisallow: /</body></html>";
        check(200, html, &[("/a", true)]);
        check(
            200,
            "\u{feff}\n  <html><body>Sidan finns inte</body></html>",
            &[("/a", true)],
        );
        // A real robots.txt served with the wrong Content-Type is obeyed.
        check(200, "User-agent: *\nDisallow: /\n", &[("/a", false)]);
    }

    #[test]
    fn redirect_failures_allow_and_transport_failures_disallow() {
        assert!(Rules::from_answer(&RobotsAnswer::RedirectFailure)
            .allows(&Url::parse("http://a/x").unwrap()));
        let unreachable = Rules::from_answer(&RobotsAnswer::Unreachable {
            reason: "connection refused".into(),
        });
        assert!(!unreachable.allows(&Url::parse("http://a/x").unwrap()));
    }

    #[test]
    fn crawl_delay_is_capped() {
        let delay = |robots: &str| Rules::from_response(200, robots.as_bytes()).crawl_delay();
        assert_eq!(
            delay("User-agent: *\nCrawl-delay: 2\n"),
            Duration::from_secs(2)
        );
        assert_eq!(
            delay("User-agent: *\nCrawl-delay: 0.5\n"),
            Duration::from_millis(500)
        );
        assert_eq!(
            delay("User-agent: *\nCrawl-delay: 86400\n"),
            MAX_CRAWL_DELAY
        );
        assert_eq!(delay("User-agent: *\nDisallow:\n"), Duration::ZERO);
        assert_eq!(
            delay("User-agent: googlebot\nCrawl-delay: 9\n"),
            Duration::ZERO
        );
    }

    #[test]
    fn robots_url_is_per_origin() {
        let robots = |url: &str| robots_url(&Url::parse(url).unwrap()).to_string();
        assert_eq!(
            robots("https://user:pw@www.vaxjo.se:8443/a/b?c=d#e"),
            "https://www.vaxjo.se:8443/robots.txt"
        );
        assert_eq!(
            robots("http://127.0.0.1:8765/vaxjo/"),
            "http://127.0.0.1:8765/robots.txt"
        );
    }

    fn allow_all(now: Timestamp) -> RememberedRobots {
        let answer = RobotsAnswer::Response {
            status: 404,
            body: Vec::new(),
        };
        RememberedRobots::new(answer, None, now)
    }

    #[tokio::test]
    async fn cache_fetches_once_per_origin() {
        let cache = Cache::default();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let fetch = || async {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            allow_all(Timestamp::now())
        };
        let a = Url::parse("http://a.example/x").unwrap();
        let b = Url::parse("http://b.example/x").unwrap();
        cache.rules(&a, fetch).await;
        cache.rules(&a.join("/y").unwrap(), fetch).await;
        cache.rules(&b, fetch).await;
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[test]
    fn rules_are_kept_at_most_a_day_and_as_the_server_says_within_that() {
        let now: Timestamp = "2026-11-20T10:00:00Z".parse().unwrap();
        let ok = RobotsAnswer::Response {
            status: 200,
            body: b"User-agent: *\nDisallow: /intern/\n".to_vec(),
        };
        let kept = |answer: &RobotsAnswer, freshness: Option<Duration>| {
            let r = RememberedRobots::new(answer.clone(), freshness, now);
            r.expires_at.as_second() - r.fetched_at.as_second()
        };
        assert_eq!(kept(&ok, None), 24 * 3600, "no hint: the RFC's maximum");
        assert_eq!(kept(&ok, Some(Duration::from_secs(3600))), 3600);
        assert_eq!(
            kept(&ok, Some(Duration::from_secs(7 * 24 * 3600))),
            24 * 3600,
            "a week's max-age is still one day"
        );
        assert_eq!(kept(&ok, Some(Duration::ZERO)), 300, "no-cache: one poll");
        let down = RobotsAnswer::Unreachable {
            reason: "HTTP 503".into(),
        };
        assert_eq!(kept(&down, Some(Duration::from_secs(86400))), 300);
    }

    /// A memory shared by two caches, as the store is by two processes.
    #[derive(Default)]
    struct Shared(Mutex<HashMap<String, RememberedRobots>>);

    impl RobotsMemory for Shared {
        fn recall<'a>(&'a self, origin: &'a str) -> BoxFuture<'a, Option<RememberedRobots>> {
            let found = self.0.lock().unwrap().get(origin).cloned();
            Box::pin(async move { found })
        }

        fn remember<'a>(&'a self, origin: &'a str, robots: RememberedRobots) -> BoxFuture<'a, ()> {
            self.0.lock().unwrap().insert(origin.to_string(), robots);
            Box::pin(async {})
        }
    }

    #[tokio::test]
    async fn a_remembered_answer_is_used_until_it_expires() {
        let memory = Arc::new(Shared::default());
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let disallow = |now: Timestamp| {
            let answer = RobotsAnswer::Response {
                status: 200,
                body: b"User-agent: *\nDisallow: /\n".to_vec(),
            };
            RememberedRobots::new(answer, None, now)
        };
        let fetch = || async {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            disallow(Timestamp::now())
        };
        let url = Url::parse("http://a.example/x").unwrap();
        let first = Cache::remembering(Arc::clone(&memory) as Arc<dyn RobotsMemory>);
        assert!(!first.rules(&url, fetch).await.allows(&url));
        // Another process: the remembered rules, no fetch.
        let second = Cache::remembering(Arc::clone(&memory) as Arc<dyn RobotsMemory>);
        assert!(!second.rules(&url, fetch).await.allows(&url));
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
        // A day later the remembered answer has expired: fetched again.
        let day_ago = Timestamp::now() - jiff::SignedDuration::from_hours(25);
        memory.remember("http://a.example", disallow(day_ago)).await;
        let third = Cache::remembering(Arc::clone(&memory) as Arc<dyn RobotsMemory>);
        third.rules(&url, fetch).await;
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
        let renewed = memory.recall("http://a.example").await.unwrap();
        assert!(renewed.expires_at > Timestamp::now());
    }
}
