//! The only network user: one shared reqwest client with conditional GET,
//! size and time limits, per-host politeness and robots.txt.

use std::time::Duration;

use bytes::Bytes;
use url::Url;

/// How the client behaves; built from `[poll]` in the config.
#[derive(Debug, Clone)]
pub struct Settings {
    pub user_agent: String,
    /// Total time for one request, body included.
    pub timeout: Duration,
    /// Cap on the decompressed body.
    pub max_body_bytes: u64,
    /// Minimum gap between two requests to one host.
    pub host_delay: Duration,
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
}

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
}

impl Error {
    /// Whether robots.txt forbids the URL (an expected skip, not a failure).
    pub fn is_robots_disallowed(&self) -> bool {
        false
    }
}

/// One shared client for every fetch of the process.
pub struct Client {}

impl Client {
    pub fn new(settings: Settings) -> Result<Client, Error> {
        let _ = settings;
        todo!()
    }

    /// GETs `url` politely (robots.txt, one request at a time per host,
    /// `host_delay` between requests), conditionally when `validators` has any.
    pub async fn fetch_page(&self, url: &Url, validators: &Validators) -> Result<Outcome, Error> {
        let _ = (url, validators);
        todo!()
    }
}
