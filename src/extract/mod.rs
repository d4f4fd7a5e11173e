//! Pure extraction: bytes and HTML in, domain values out. No I/O, no clock
//! (`now` is a parameter).
//!
//! - [`charset`]: bytes -> text (HTTP header, BOM, XML prolog, `<meta>`, chardetng);
//! - [`sniff`]: feed or HTML, from the content, never from the URL;
//! - [`feed`]: RSS/Atom/JSON feed -> [`FeedItem`](crate::model::FeedItem)s (feed-rs);
//! - [`links`]: news-list page -> article links and the next page;
//! - [`article`]: article page -> title, dates, body;
//! - [`date`]: Swedish and ISO dates, and which date on a page is which;
//! - [`ttl`]: an RSS channel's `<ttl>`, a hint for the schedule;
//! - [`html`]: sanitising and plain-text rendering shared by the above;
//! - [`overrides`]: per-source CSS selectors that replace one heuristic each;
//! - [`guard`]: flattens absurdly deep nesting before any parse, so no page
//!   can make the parser hang.

pub mod article;
pub mod charset;
pub mod cms;
#[cfg(test)]
mod corpus;
pub mod date;
pub mod dom;
pub mod feed;
#[cfg(test)]
mod generalization;
pub mod guard;
pub mod html;
pub mod links;
pub mod overrides;
#[cfg(test)]
mod properties;
pub mod sniff;
pub mod ttl;

use url::Url;

/// Why extraction gave nothing usable.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The page has no article (a list page, an error page, an empty page);
    /// `reason` says which.
    #[error("no article found at {url}: {reason}")]
    NoArticle { url: Url, reason: String },
    /// The document claims to be a feed but cannot be read as one.
    #[error("invalid feed at {url}: {reason}")]
    InvalidFeed { url: Url, reason: String },
}
