//! HTTP: the merged feed with ETag / Last-Modified / 304, and a health check.
//!
//! The feed is rendered once per poll round into a [`RenderedFeed`] and
//! served from memory, so subscribers never wait on the database and keep
//! getting the last good feed while sources fail.

use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use jiff::Timestamp;

use crate::fetch::parse_http_date;

/// One rendered feed with its validators.
#[derive(Debug, Clone)]
pub struct RenderedFeed {
    pub body: Bytes,
    /// Quoted strong ETag derived from the body.
    pub etag: String,
    /// When the content last changed, as an HTTP-date.
    pub last_modified: String,
    last_modified_at: Timestamp,
}

impl RenderedFeed {
    /// `changed` is when the feed's content last changed.
    pub fn new(body: String, changed: Timestamp) -> RenderedFeed {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut hasher);
        let etag = format!("\"{:016x}-{:x}\"", hasher.finish(), body.len());
        // HTTP dates have whole seconds.
        let changed = Timestamp::from_second(changed.as_second()).unwrap_or(changed);
        RenderedFeed {
            body: Bytes::from(body),
            etag,
            last_modified: http_date(changed),
            last_modified_at: changed,
        }
    }
}

/// Formats an HTTP-date (RFC 9110 IMF-fixdate).
pub fn http_date(t: Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// The feed currently served; replaced after each poll round.
#[derive(Clone, Default)]
pub struct FeedSlot {
    inner: Arc<RwLock<Option<RenderedFeed>>>,
}

impl FeedSlot {
    pub fn set(&self, feed: RenderedFeed) {
        *self.inner.write().unwrap_or_else(|p| p.into_inner()) = Some(feed);
    }

    pub fn get(&self) -> Option<RenderedFeed> {
        self.inner.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The routes of `muniflux run`.
pub fn router(feed: FeedSlot) -> Router {
    Router::new()
        .route("/feed.atom", get(feed_atom))
        .route("/healthz", get(healthz))
        .with_state(feed)
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    feed: FeedSlot,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(feed))
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

async fn feed_atom(State(slot): State<FeedSlot>, headers: HeaderMap) -> Response {
    let Some(feed) = slot.get() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the feed is not rendered yet\n",
        )
            .into_response();
    };
    let validators = [
        (header::ETAG, feed.etag.clone()),
        (header::LAST_MODIFIED, feed.last_modified.clone()),
        (header::CACHE_CONTROL, "public, max-age=300".to_string()),
    ];
    if not_modified(&headers, &feed) {
        return (StatusCode::NOT_MODIFIED, validators).into_response();
    }
    let mut response = (validators, feed.body.clone()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    response
}

/// RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since.
fn not_modified(headers: &HeaderMap, feed: &RenderedFeed) -> bool {
    if let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        return inm
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == feed.etag);
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
