//! Pure: articles -> one JSON Feed 1.1 document (<https://jsonfeed.org/version/1.1>).
//!
//! The JSON feed is the Atom feed in another notation: it is written from
//! the same [`Prepared`](super::Prepared) entries, so ids, titles, links,
//! dates, authors, tags and bodies are the same values, cleaned the same way,
//! in the same order, with the same entries left out. A subscriber moving
//! from one format to the other sees no article twice.

use serde::Serialize;

use super::{
    iri, non_empty, text, unique_entries, FeedMeta, Prepared, PreparedSource, FALLBACK_FEED_TITLE,
};
use crate::model::rfc3339_stockholm;

/// The version URL every JSON Feed 1.1 document starts with.
pub const VERSION: &str = "https://jsonfeed.org/version/1.1";

/// The media type of a JSON feed (the spec's registered type).
pub const MEDIA_TYPE: &str = "application/feed+json";

/// Renders the whole feed as JSON Feed 1.1. `meta.self_url` is the JSON
/// feed's own URL (`feed_url`).
///
/// The output is byte-identical between renders of the same data (the
/// server derives the ETag from it).
pub fn render_json_feed(meta: &FeedMeta, entries: &[super::Entry]) -> String {
    let entries = unique_entries(entries);
    let title =
        non_empty(text::one_line(&meta.title)).unwrap_or_else(|| FALLBACK_FEED_TITLE.to_string());
    let document = Document {
        version: VERSION,
        feed_url: iri::web_url(&meta.self_url),
        authors: vec![Author { name: &title }],
        language: "sv",
        items: entries.iter().map(Item::of).collect(),
        title: &title,
    };
    let mut json = serde_json::to_string_pretty(&document).expect("serialising plain data");
    json.push('\n');
    json
}

#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    feed_url: Option<String>,
    authors: Vec<Author<'a>>,
    language: &'static str,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    title: &'a str,
    content_html: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    date_modified: String,
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    /// What Atom says with `rel="related"` links and `<source>`, which JSON
    /// Feed has no field for: an extension object (the spec reserves keys
    /// starting with `_` for that).
    #[serde(rename = "_muniflux")]
    extension: Extension<'a>,
}

#[derive(Serialize)]
struct Extension<'a> {
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    related: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Source<'a>>,
}

#[derive(Serialize)]
struct Source<'a> {
    url: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_page_url: Option<&'a str>,
    date_modified: String,
}

impl<'a> Item<'a> {
    fn of(e: &'a Prepared) -> Item<'a> {
        Item {
            id: &e.id,
            url: e.link.as_deref(),
            title: &e.title,
            content_html: &e.content_html,
            date_published: e.published.map(rfc3339_stockholm),
            date_modified: rfc3339_stockholm(e.updated),
            authors: vec![Author { name: &e.author }],
            tags: &e.categories,
            extension: Extension {
                related: &e.related,
                source: e.source.as_ref().map(Source::of),
            },
        }
    }
}

impl<'a> Source<'a> {
    fn of(s: &'a PreparedSource) -> Source<'a> {
        Source {
            url: &s.id,
            title: &s.title,
            home_page_url: s.site.as_deref(),
            date_modified: rfc3339_stockholm(s.updated),
        }
    }
}
