//! robots.txt: what the fetched file means (RFC 9309) and a per-origin cache.
//!
//! The fetching itself is the client's (it goes through the same politeness
//! gate as every other request); this module only turns a fetch result into
//! [`Rules`] and remembers them.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use texting_robots::Robot;
use tokio::sync::Mutex as AsyncMutex;
use tokio::time::Instant;
use url::Url;

/// The product token matched against `User-agent:` lines.
pub(crate) const USER_AGENT_TOKEN: &str = "muniflux";

/// Cap on a robots.txt body; RFC 9309 asks crawlers to parse at least 500 KiB.
pub(crate) const MAX_ROBOTS_BYTES: u64 = 512 * 1024;

/// How long rules from a successful (or 4xx) fetch are trusted.
const RULES_TTL: Duration = Duration::from_secs(60 * 60);

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

/// How fetching robots.txt ended, as far as [`Rules::from_fetch`] cares.
#[derive(Debug)]
pub(crate) enum Fetched<'a> {
    /// A final response after redirects; the body only matters for 2xx.
    Response { status: u16, body: &'a [u8] },
    /// Redirect loop or too many redirects: RFC 9309 treats that as
    /// "unavailable", like a 4xx.
    RedirectFailure,
    /// Connection refused, timeout, DNS ...
    Unreachable { reason: String },
}

impl Rules {
    pub(crate) fn from_fetch(fetched: Fetched<'_>) -> Rules {
        match fetched {
            Fetched::Response { status, body } => Rules::from_response(status, body),
            Fetched::RedirectFailure => Rules::AllowAll,
            Fetched::Unreachable { reason } => Rules::Unreachable { reason },
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

    fn ttl(&self) -> Duration {
        match self {
            Rules::Unreachable { .. } => UNREACHABLE_TTL,
            Rules::AllowAll | Rules::Parsed(_) => RULES_TTL,
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
    expires: Instant,
}

/// Rules per origin, fetched at most once at a time per origin.
#[derive(Default)]
pub(crate) struct Cache {
    origins: Mutex<HashMap<String, Arc<AsyncMutex<Option<Cached>>>>>,
}

impl Cache {
    /// The rules for `url`'s origin: cached, or from `fetch` when missing or
    /// expired. Concurrent callers for one origin wait for a single fetch.
    pub(crate) async fn rules<F, Fut>(&self, url: &Url, fetch: F) -> Arc<Rules>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Rules>,
    {
        let slot = {
            let mut origins = self.origins.lock().unwrap_or_else(PoisonError::into_inner);
            let origin = url.origin().ascii_serialization();
            Arc::clone(origins.entry(origin).or_default())
        };
        let mut cached = slot.lock().await;
        if let Some(entry) = cached.as_ref().filter(|c| c.expires > Instant::now()) {
            return Arc::clone(&entry.rules);
        }
        let rules = Arc::new(fetch().await);
        *cached = Some(Cached {
            expires: Instant::now() + rules.ttl(),
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
        assert!(
            Rules::from_fetch(Fetched::RedirectFailure).allows(&Url::parse("http://a/x").unwrap())
        );
        let unreachable = Rules::from_fetch(Fetched::Unreachable {
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

    #[tokio::test]
    async fn cache_fetches_once_per_origin() {
        let cache = Cache::default();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let fetch = || async {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Rules::AllowAll
        };
        let a = Url::parse("http://a.example/x").unwrap();
        let b = Url::parse("http://b.example/x").unwrap();
        cache.rules(&a, fetch).await;
        cache.rules(&a.join("/y").unwrap(), fetch).await;
        cache.rules(&b, fetch).await;
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
