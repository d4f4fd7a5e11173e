//! Pure: articles -> one Atom 1.0 document (RFC 4287), and the same
//! entries as a JSON Feed 1.1 document (`json_feed`).
//!
//! The output must pass the W3C Feed Validator with neither errors nor
//! warnings, whatever the scraped pages contained: every text is cleaned of
//! characters XML cannot carry, every link and id is an absolute IRI in
//! canonical form, every date is RFC 3339 with the Stockholm offset, and no
//! element is left empty. It must also be byte-identical between renders of
//! the same data, because the HTTP layer derives the ETag from it.

mod iri;
mod json_feed;
#[cfg(test)]
mod tests;
mod text;

use std::collections::HashSet;
use std::io;

use jiff::Timestamp;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesPI, BytesText, Event};
use quick_xml::Writer;

use crate::model::{rfc3339_stockholm, PageDate};

pub use iri::entry_id;
pub use json_feed::{render_json_feed, MEDIA_TYPE as JSON_FEED_MEDIA_TYPE};

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// The generator's home page: the crate's `repository` (or `homepage`) from
/// Cargo.toml, or none while neither is set (an empty `uri` is invalid).
const GENERATOR_URI: &str =
    first_non_empty(env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE"));

/// Feed title and author name used when the configured title is blank.
const FALLBACK_FEED_TITLE: &str = "muniflux";

/// Author name for an article whose page, source and link name nobody.
const FALLBACK_AUTHOR: &str = "okänd";

/// Feed-level metadata.
#[derive(Debug, Clone)]
pub struct FeedMeta {
    pub id: String,
    pub title: String,
    /// The feed's own public URL (`rel="self"`).
    pub self_url: String,
    /// An XSLT stylesheet for browsers (`<?xml-stylesheet?>`), relative
    /// to the feed's URL: a person who opens the feed sees a page, feed
    /// readers ignore it. `None` writes none.
    pub stylesheet: Option<String>,
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

/// Renders the whole feed. `now` is used only when there are no entries.
///
/// Entries keep the given order. An entry whose id (after cleaning) repeats
/// an earlier one is left out: duplicate ids are a validator error and make
/// readers show one of the two at random.
pub fn render_atom(meta: &FeedMeta, entries: &[Entry], now: Timestamp) -> String {
    let entries = unique_entries(entries);
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or(now);
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    write_document(&mut writer, meta, &entries, updated).expect("writing to a Vec cannot fail");
    let mut xml = String::from_utf8(writer.into_inner()).expect("the writer only writes str");
    xml.push('\n');
    xml
}

/// An entry as it will be written: every field already cleaned, validated
/// and given its fallback, so the writing code makes no decisions.
struct Prepared {
    id: String,
    title: String,
    link: Option<String>,
    related: Vec<String>,
    published: Option<Timestamp>,
    updated: Timestamp,
    author: String,
    categories: Vec<String>,
    source: Option<PreparedSource>,
    content_html: String,
}

struct PreparedSource {
    id: String,
    title: String,
    site: Option<String>,
    updated: Timestamp,
}

/// The entries to write, in order, without repeated ids.
fn unique_entries(entries: &[Entry]) -> Vec<Prepared> {
    let mut seen = HashSet::new();
    entries
        .iter()
        .map(prepare)
        .filter(|e| seen.insert(e.id.clone()))
        .collect()
}

fn prepare(entry: &Entry) -> Prepared {
    let id = entry_atom_id(entry);
    let link = iri::web_url(&entry.link);
    let title = non_empty(text::one_line(&entry.title))
        .or_else(|| link.clone())
        .unwrap_or_else(|| id.clone());
    let published = entry.published.map(|p| p.timestamp());
    Prepared {
        id,
        link: link.clone(),
        related: related_links(&entry.related, link.as_deref()),
        published,
        // `updated` earlier than `published` contradicts RFC 4287 §4.2.15
        // ("the most recent instant ... changed"); the page is the better
        // witness for when the article appeared.
        updated: published.map_or(entry.updated, |p| p.max(entry.updated)),
        author: author_name(entry, link.as_deref()),
        categories: categories(&entry.categories),
        source: prepare_source(&entry.source),
        content_html: content_html(&entry.content_html, &title),
        title,
    }
}

/// The entry's id as an absolute IRI; derived from its link if the given id
/// is not one (a broken id must not break the whole feed).
fn entry_atom_id(entry: &Entry) -> String {
    iri::absolute_iri(&entry.id)
        .or_else(|| {
            url::Url::parse(entry.link.trim())
                .ok()
                .map(|u| entry_id(&u))
        })
        .unwrap_or_else(|| iri::tag_from_text(&text::one_line(&entry.title)))
}

/// Absolute web URLs other than the alternate link, each once, in order.
fn related_links(related: &[String], alternate: Option<&str>) -> Vec<String> {
    let mut seen: HashSet<String> = alternate.map(str::to_string).into_iter().collect();
    related
        .iter()
        .filter_map(|r| iri::web_url(r))
        .filter(|r| seen.insert(r.clone()))
        .collect()
}

/// The byline, else the source's name, else the site's host: every entry
/// needs an author (RFC 4287 §4.1.2) and a blank name is a validator error.
fn author_name(entry: &Entry, link: Option<&str>) -> String {
    non_empty(text::one_line(&entry.author))
        .or_else(|| non_empty(text::one_line(&entry.source.title)))
        .or_else(|| {
            link.and_then(|l| url::Url::parse(l).ok())
                .and_then(|u| u.host_str().map(str::to_string))
        })
        .unwrap_or_else(|| FALLBACK_AUTHOR.to_string())
}

/// Category terms: on one line, non-empty, each once (exact match), in order.
fn categories(tags: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    tags.iter()
        .map(|t| text::one_line(t))
        .filter(|t| !t.is_empty() && seen.insert(t.clone()))
        .collect()
}

/// The `source` element's data, or `None` if the source URL is not an
/// absolute IRI (an Atom `source` without an id is invalid).
fn prepare_source(source: &EntrySource) -> Option<PreparedSource> {
    let id = iri::absolute_iri(&source.url)?;
    let site = iri::web_url(&source.site);
    let title = non_empty(text::one_line(&source.title))
        .or_else(|| site.clone())
        .unwrap_or_else(|| id.clone());
    Some(PreparedSource {
        id,
        title,
        site,
        updated: source.updated,
    })
}

/// The body, or the title as a paragraph when the body is blank: an empty
/// `content` is a validator warning and a feed reader would show nothing.
fn content_html(body: &str, title: &str) -> String {
    let body = text::clean(body);
    if body.trim().is_empty() {
        format!("<p>{}</p>", text::html_escape(title))
    } else {
        body
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

const fn first_non_empty(a: &'static str, b: &'static str) -> &'static str {
    if a.is_empty() {
        b
    } else {
        a
    }
}

type W = Writer<Vec<u8>>;

fn write_document(
    w: &mut W,
    meta: &FeedMeta,
    entries: &[Prepared],
    updated: Timestamp,
) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    if let Some(href) = &meta.stylesheet {
        let href = quick_xml::escape::escape(href.as_str());
        w.write_event(Event::PI(BytesPI::new(format!(
            "xml-stylesheet type=\"text/xsl\" href=\"{href}\""
        ))))?;
    }
    w.create_element("feed")
        .with_attribute(("xmlns", ATOM_NS))
        .with_attribute(("xml:lang", "sv"))
        .write_inner_content(|w| {
            write_feed_head(w, meta, updated)?;
            entries.iter().try_for_each(|e| write_entry(w, e))
        })?;
    Ok(())
}

/// The feed's own metadata, all of it before the first entry (RFC 4287
/// allows any order, the validator warns about metadata after entries).
fn write_feed_head(w: &mut W, meta: &FeedMeta, updated: Timestamp) -> io::Result<()> {
    let title =
        non_empty(text::one_line(&meta.title)).unwrap_or_else(|| FALLBACK_FEED_TITLE.to_string());
    let self_url = iri::web_url(&meta.self_url);
    let id = iri::absolute_iri(&meta.id)
        .or_else(|| self_url.clone())
        .unwrap_or_else(|| format!("{}feed", iri::TAG_PREFIX));
    write_text(w, "id", &id)?;
    write_text_construct(w, "title", &title)?;
    write_text(w, "updated", &rfc3339_stockholm(updated))?;
    if let Some(href) = &self_url {
        write_link(w, "self", Some("application/atom+xml"), href)?;
    }
    write_generator(w)?;
    // Every entry has its own author, but an empty feed without a feed-level
    // author is a validator error.
    write_author(w, &title)
}

fn write_generator(w: &mut W) -> io::Result<()> {
    let mut element = w
        .create_element("generator")
        .with_attribute(("version", env!("CARGO_PKG_VERSION")));
    if !GENERATOR_URI.is_empty() {
        element = element.with_attribute(("uri", GENERATOR_URI));
    }
    element.write_text_content(BytesText::new("muniflux"))?;
    Ok(())
}

fn write_entry(w: &mut W, e: &Prepared) -> io::Result<()> {
    w.create_element("entry").write_inner_content(|w| {
        write_text(w, "id", &e.id)?;
        write_text_construct(w, "title", &e.title)?;
        if let Some(href) = &e.link {
            write_link(w, "alternate", Some("text/html"), href)?;
        }
        for href in &e.related {
            write_link(w, "related", None, href)?;
        }
        if let Some(published) = e.published {
            write_text(w, "published", &rfc3339_stockholm(published))?;
        }
        write_text(w, "updated", &rfc3339_stockholm(e.updated))?;
        write_author(w, &e.author)?;
        for term in &e.categories {
            w.create_element("category")
                .with_attribute(("term", term.as_str()))
                .write_empty()?;
        }
        if let Some(source) = &e.source {
            write_source(w, source)?;
        }
        w.create_element("content")
            .with_attribute(("type", "html"))
            .write_text_content(BytesText::from_escaped(partial_escape(&e.content_html)))?;
        Ok(())
    })?;
    Ok(())
}

/// The feed the entry was taken from (RFC 4287 §4.2.11). The source's URL is
/// both its id and its `self` link: the validator wants a `self` link in
/// every `source`, and the configured URL is what muniflux reads as that
/// source's feed.
fn write_source(w: &mut W, s: &PreparedSource) -> io::Result<()> {
    w.create_element("source").write_inner_content(|w| {
        write_text(w, "id", &s.id)?;
        write_text_construct(w, "title", &s.title)?;
        write_link(w, "self", None, &s.id)?;
        if let Some(site) = &s.site {
            write_link(w, "alternate", Some("text/html"), site)?;
        }
        write_text(w, "updated", &rfc3339_stockholm(s.updated))
    })?;
    Ok(())
}

fn write_author(w: &mut W, name: &str) -> io::Result<()> {
    w.create_element("author")
        .write_inner_content(|w| write_text(w, "name", name))?;
    Ok(())
}

fn write_link(w: &mut W, rel: &str, media_type: Option<&str>, href: &str) -> io::Result<()> {
    let mut element = w.create_element("link").with_attribute(("rel", rel));
    if let Some(media_type) = media_type {
        element = element.with_attribute(("type", media_type));
    }
    element.with_attribute(("href", href)).write_empty()?;
    Ok(())
}

/// An Atom text construct with an explicit `type="text"`, so no reader
/// guesses at HTML in a title.
fn write_text_construct(w: &mut W, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .with_attribute(("type", "text"))
        .write_text_content(BytesText::from_escaped(partial_escape(value)))?;
    Ok(())
}

/// A simple element with escaped text content.
fn write_text(w: &mut W, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::from_escaped(partial_escape(value)))?;
    Ok(())
}
