//! Pure: articles -> one Atom 1.0 document (RFC 4287).

use jiff::Timestamp;
use url::Url;

use crate::model::PageDate;

/// Feed-level metadata.
#[derive(Debug, Clone)]
pub struct FeedMeta {
    pub id: String,
    pub title: String,
    /// The feed's own public URL (`rel="self"`).
    pub self_url: String,
}

/// Where an entry came from (Atom `source`).
#[derive(Debug, Clone)]
pub struct EntrySource {
    /// The source's configured URL.
    pub url: String,
    /// The source's name from the source list.
    pub title: String,
    /// The site's home (scheme + host), the `source`'s alternate link.
    pub site: String,
    pub updated: Timestamp,
}

/// One article as it goes into the feed.
#[derive(Debug, Clone)]
pub struct Entry {
    /// From [`entry_id`]; stable for the article's life.
    pub id: String,
    pub title: String,
    /// The article's URL (`rel="alternate"`).
    pub link: String,
    /// Other URLs the same story appeared at (`rel="related"`).
    pub related: Vec<String>,
    pub published: Option<PageDate>,
    pub updated: Timestamp,
    pub author: String,
    /// One per source tag.
    pub categories: Vec<String>,
    pub source: EntrySource,
    /// Sanitised HTML body.
    pub content_html: String,
}

/// The stable Atom id of an article: a tag: URI built from its canonical URL.
pub fn entry_id(canonical: &Url) -> String {
    let rest = &canonical.as_str()[canonical.scheme().len() + 3..];
    format!("tag:muniflux,2026:{rest}")
}

/// Renders the whole feed. `now` is used only when there are no entries.
pub fn render_atom(meta: &FeedMeta, entries: &[Entry], now: Timestamp) -> String {
    let _ = (meta, entries, now);
    todo!()
}
