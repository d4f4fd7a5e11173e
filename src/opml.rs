//! Pure: the source list as OPML 2.0 (<http://opml.org/spec2.opml>), and
//! the subscriptions of an OPML file read back as would-be sources.
//!
//! OPML is how feed readers exchange subscription lists, so it is the way
//! in for an operator who already follows municipal feeds elsewhere and the
//! way out to any reader. A feed is an outline with `type="rss"` and an
//! `xmlUrl`; a news-list page, which feed readers cannot read themselves, is
//! written as OPML's `type="link"` outline with a `url`, and read back as
//! one, so an export imports into another muniflux unchanged.

use quick_xml::events::{BytesDecl, BytesStart, Event};
use quick_xml::{Reader, Writer};
use url::Url;

use crate::model::PageKind;

/// One source as it goes into the OPML file.
#[derive(Debug, Clone)]
pub struct Outline {
    pub name: String,
    pub url: String,
    pub tags: Vec<String>,
    /// What the source's URL serves: a feed gets `xmlUrl`, a list page a
    /// `url`.
    pub kind: PageKind,
}

impl Outline {
    /// A source as an outline; `kind` is what its URL served when last
    /// read, and a source never read is judged by its URL
    /// ([`kind_by_url`]).
    pub fn new(name: &str, url: &str, tags: &[String], kind: Option<PageKind>) -> Outline {
        Outline {
            name: name.to_string(),
            url: url.to_string(),
            tags: tags.to_vec(),
            kind: kind.unwrap_or_else(|| kind_by_url(url)),
        }
    }
}

/// A guess for a source that was never read: feeds tend to say so in
/// their path (`/rss/nyheter`, `/feed/`, `atom.xml`, `.rss`, `feed.json`);
/// anything else is taken for a page.
pub fn kind_by_url(url: &str) -> PageKind {
    let Ok(url) = Url::parse(url) else {
        return PageKind::Html;
    };
    let path = url.path().to_ascii_lowercase();
    let feedish_segment = path.split('/').any(|segment| {
        let stem = segment.split('.').next().unwrap_or("");
        ["rss", "rss2", "feed", "feeds", "atom", "rssfeed"].contains(&stem)
    });
    let feedish_file = [".xml", ".rss", ".atom", ".json"]
        .iter()
        .any(|ext| path.ends_with(ext));
    if feedish_segment || feedish_file {
        PageKind::Feed
    } else {
        PageKind::Html
    }
}

/// One subscription read from an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The outline's `title`, else its `text`; may be empty.
    pub name: String,
    /// `xmlUrl` of a feed, or `url` of a `type="link"` outline.
    pub url: String,
    /// The outline's `category` tags, then the folders it sits in.
    pub tags: Vec<String>,
}

/// Why an OPML file could not be read. Nothing is taken from a file that
/// fails: half an import is worse than none.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not XML: {reason} (at byte {position})")]
    NotXml { position: u64, reason: String },
    #[error("not an OPML document: the root element is <{root}>, not <opml>")]
    NotOpml { root: String },
    #[error("not an OPML document: it has no elements")]
    Empty,
    #[error("the OPML document has no <body>")]
    NoBody,
}

/// The source list as an OPML 2.0 document.
pub fn render_opml(title: &str, outlines: &[Outline]) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    write_document(&mut writer, title, outlines).expect("writing to a Vec cannot fail");
    let mut xml = String::from_utf8(writer.into_inner()).expect("the writer only writes str");
    xml.push('\n');
    xml
}

fn write_document(
    w: &mut Writer<Vec<u8>>,
    title: &str,
    outlines: &[Outline],
) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    w.create_element("opml")
        .with_attribute(("version", "2.0"))
        .write_inner_content(|w| {
            w.create_element("head").write_inner_content(|w| {
                w.create_element("title")
                    .write_text_content(quick_xml::events::BytesText::new(&one_line(title)))?;
                Ok(())
            })?;
            w.create_element("body").write_inner_content(|w| {
                for outline in outlines {
                    w.write_event(Event::Empty(outline_element(outline)))?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
}

/// `text` is required by OPML 2.0; `title` is what feed readers show.
fn outline_element(outline: &Outline) -> BytesStart<'static> {
    let name = one_line(&outline.name);
    let mut element = BytesStart::new("outline");
    element.push_attribute(("text", name.as_str()));
    element.push_attribute(("title", name.as_str()));
    match outline.kind {
        PageKind::Feed => {
            element.push_attribute(("type", "rss"));
            element.push_attribute(("xmlUrl", outline.url.as_str()));
            if let Some(home) = site_home(&outline.url) {
                element.push_attribute(("htmlUrl", home.as_str()));
            }
        }
        PageKind::Html => {
            element.push_attribute(("type", "link"));
            element.push_attribute(("url", outline.url.as_str()));
            element.push_attribute(("htmlUrl", outline.url.as_str()));
        }
    }
    if !outline.tags.is_empty() {
        // OPML 2.0: comma-separated; a category without slashes is a tag.
        element.push_attribute(("category", outline.tags.join(",").as_str()));
    }
    element
}

/// The site's home page, scheme and host of a URL.
fn site_home(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    url.host_str()?;
    Some(format!("{}/", url.origin().ascii_serialization()))
}

/// Text on one line without characters XML 1.0 cannot carry.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The subscriptions of an OPML document, in document order: outlines with
/// an `xmlUrl` (feeds) and `type="link"` outlines with a `url` (list pages,
/// as [`render_opml`] writes them). Folders (outlines holding outlines) add
/// their names as tags to what they hold.
pub fn subscriptions(xml: &str) -> Result<Vec<Subscription>, Error> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut found = Vec::new();
    let mut root: Option<String> = None;
    let mut in_body = false;
    let mut saw_body = false;
    // The open outlines' folder tags (None for an outline that is no folder).
    let mut folders: Vec<Option<String>> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| Error::NotXml {
            position: reader.error_position(),
            reason: e.to_string(),
        })?;
        match event {
            Event::Start(e) | Event::Empty(e)
                if root.is_none() && !matches!(e.name().as_ref(), b"opml") =>
            {
                return Err(Error::NotOpml {
                    root: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                });
            }
            Event::Start(e) => {
                let name = e.name().as_ref().to_vec();
                root.get_or_insert_with(|| "opml".to_string());
                match name.as_slice() {
                    b"body" => {
                        in_body = true;
                        saw_body = true;
                    }
                    b"outline" if in_body => {
                        let attrs = attributes(&e)?;
                        let folder = match subscription_of(&attrs, &folders) {
                            Some(subscription) => {
                                found.push(subscription);
                                None
                            }
                            None => folder_tag(&attrs),
                        };
                        folders.push(folder);
                    }
                    _ => {}
                }
            }
            Event::Empty(e) => {
                root.get_or_insert_with(|| "opml".to_string());
                if in_body && e.name().as_ref() == b"outline" {
                    let attrs = attributes(&e)?;
                    found.extend(subscription_of(&attrs, &folders));
                }
                if e.name().as_ref() == b"body" {
                    saw_body = true;
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"body" => in_body = false,
                b"outline" if in_body => {
                    folders.pop();
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if root.is_none() {
        return Err(Error::Empty);
    }
    if !saw_body {
        return Err(Error::NoBody);
    }
    Ok(found)
}

/// An outline's attributes, unescaped, by name.
fn attributes(e: &BytesStart<'_>) -> Result<Vec<(String, String)>, Error> {
    e.attributes()
        .map(|a| {
            let a = a.map_err(|err| Error::NotXml {
                position: 0,
                reason: err.to_string(),
            })?;
            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            let value = a
                .unescape_value()
                .map_err(|err| Error::NotXml {
                    position: 0,
                    reason: err.to_string(),
                })?
                .into_owned();
            Ok((key, value))
        })
        .collect()
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// A feed (`xmlUrl`) or a list page (`type="link"` with `url`).
fn subscription_of(attrs: &[(String, String)], folders: &[Option<String>]) -> Option<Subscription> {
    let is_link = attr(attrs, "type").is_some_and(|t| t.eq_ignore_ascii_case("link"));
    let url = attr(attrs, "xmlUrl").or_else(|| is_link.then(|| attr(attrs, "url")).flatten())?;
    let name = attr(attrs, "title").or_else(|| attr(attrs, "text"));
    let mut tags: Vec<String> = Vec::new();
    let categories = attr(attrs, "category").unwrap_or("");
    let from_categories = categories.split([',', '/']).map(tag_of);
    let from_folders = folders.iter().flatten().cloned();
    for tag in from_categories.chain(from_folders) {
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Some(Subscription {
        name: one_line(name.unwrap_or("")),
        url: url.to_string(),
        tags,
    })
}

/// A folder outline's name as a tag.
fn folder_tag(attrs: &[(String, String)]) -> Option<String> {
    let name = attr(attrs, "title").or_else(|| attr(attrs, "text"))?;
    Some(tag_of(name)).filter(|t| !t.is_empty())
}

/// A tag is one word: inner whitespace becomes `-`.
fn tag_of(text: &str) -> String {
    one_line(text).replace(' ', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline(name: &str, url: &str, tags: &[&str], kind: PageKind) -> Outline {
        Outline {
            name: name.into(),
            url: url.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            kind,
        }
    }

    #[test]
    fn an_export_reads_back_as_the_same_sources() {
        let outlines = [
            outline(
                "Malmö stad – Företagare & näringsliv",
                "https://malmo.se/rss/naringsliv?a=1&b=2",
                &["malmo", "naringsliv"],
                PageKind::Feed,
            ),
            outline(
                "Växjö \"nyheter\" <företag>",
                "https://vaxjo.se/nyheter.html",
                &[],
                PageKind::Html,
            ),
        ];
        let xml = render_opml("Källor\u{1}", &outlines);
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<opml version=\"2.0\">")
        );
        assert!(xml.contains("htmlUrl=\"https://malmo.se/\""), "{xml}");
        assert!(xml.contains("<title>Källor</title>"), "{xml}");
        let read = subscriptions(&xml).unwrap();
        assert_eq!(
            read,
            [
                Subscription {
                    name: "Malmö stad – Företagare & näringsliv".into(),
                    url: "https://malmo.se/rss/naringsliv?a=1&b=2".into(),
                    tags: vec!["malmo".into(), "naringsliv".into()],
                },
                Subscription {
                    name: "Växjö \"nyheter\" <företag>".into(),
                    url: "https://vaxjo.se/nyheter.html".into(),
                    tags: vec![],
                },
            ]
        );
    }

    #[test]
    fn feed_reader_exports_with_folders_and_categories() {
        let xml = r#"<?xml version="1.0"?>
<opml version="1.0"><head><title>Prenumerationer</title></head><body>
  <outline text="Kronoberg">
    <outline text="Alvesta" type="rss" xmlUrl="https://www.alvesta.se/feed/" category="/Kommun/Nyheter,näringsliv"/>
    <outline text="Blogg om annat" type="link" url="https://example.org/"/>
  </outline>
  <outline text="Utan flöde" htmlUrl="https://x.se/"/>
  <outline title="Uppsala" text="uppsala" xmlUrl="https://www.uppsala.se/Feeds/RssFeed/News/?documentTypeId=98"></outline>
</body></opml>"#;
        let read = subscriptions(xml).unwrap();
        assert_eq!(read.len(), 3, "{read:?}");
        assert_eq!(read[0].name, "Alvesta");
        assert_eq!(
            read[0].tags,
            ["Kommun", "Nyheter", "näringsliv", "Kronoberg"]
        );
        assert_eq!(read[1].url, "https://example.org/");
        assert_eq!(read[2].name, "Uppsala");
        assert!(read[2].tags.is_empty());
    }

    #[test]
    fn sources_never_read_are_judged_by_their_path() {
        for feed in [
            "https://malmo.se/rss/naringsliv",
            "https://www.alvesta.se/feed/",
            "https://x.se/vimmerby/kommunchefsbloggen/feed/atom.xml",
            "https://x.se/Feeds/RssFeed/News/?documentTypeId=98",
            "https://x.se/nyheter.rss",
        ] {
            assert_eq!(kind_by_url(feed), PageKind::Feed, "{feed}");
        }
        for page in [
            "https://skelleftea.se/naringsliv/nyheter",
            "https://x.se/sidor/nyheter-for-foretagare.html",
            "https://x.se/feedback.html",
        ] {
            assert_eq!(kind_by_url(page), PageKind::Html, "{page}");
        }
        let read = Outline::new("a", "https://x.se/feed/", &[], Some(PageKind::Html));
        assert_eq!(read.kind, PageKind::Html, "what was read wins");
    }

    #[test]
    fn what_is_not_opml_says_why() {
        let err = |xml: &str| subscriptions(xml).unwrap_err().to_string();
        assert!(err("").contains("no elements"));
        assert!(err("bara text, ingen XML").contains("no elements"));
        assert!(err("<opml><body><outline xmlUrl=\"a\"></body></opml>").starts_with("not XML"));
        assert!(err("<html><body>hej</body></html>").contains("root element is <html>"));
        assert!(err("<opml version=\"2.0\"><head/></opml>").contains("no <body>"));
        assert!(
            err("<opml><body><outline xmlUrl=\"&nope;\"/></body></opml>").starts_with("not XML")
        );
    }
}
