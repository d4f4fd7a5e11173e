//! Feed or HTML, decided from the content (root element, content type).
//!
//! Never from the URL: Uppsala serves Atom at `/Feeds/RssFeed/...`, Malmö
//! serves RSS at `/rss/nyheter` without an extension, and some servers send
//! feeds as `text/html`. The content type only breaks ties, when the content
//! says nothing recognisable.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::PageKind;

/// How much of the body is looked at; a prolog, comments and a doctype fit.
const SNIFF_BYTES: usize = 8 * 1024;

/// Decides whether a fetched document is a feed or an HTML page.
pub fn page_kind(content_type: Option<&str>, body: &[u8]) -> PageKind {
    match kind_from_content(body) {
        Some(kind) => kind,
        None if is_feed_content_type(content_type) => PageKind::Feed,
        None => PageKind::Html,
    }
}

/// The kind as the content states it: the root element of XML/HTML, or a
/// JSON Feed `version`. `None` when the content is not conclusive.
fn kind_from_content(body: &[u8]) -> Option<PageKind> {
    let head = sniff_text(body);
    let rest = skip_prolog(&head)?;
    if rest.starts_with('{') {
        return is_json_feed(rest).then_some(PageKind::Feed);
    }
    match root_element_name(rest)?.as_str() {
        "rss" | "rdf:rdf" | "rdf" | "feed" | "atom:feed" => Some(PageKind::Feed),
        "html" => Some(PageKind::Html),
        _ => None,
    }
}

/// The start of the body as text (UTF-16 with a BOM is decoded; every other
/// encoding is ASCII-compatible where markup is concerned).
fn sniff_text(body: &[u8]) -> String {
    let head = &body[..body.len().min(SNIFF_BYTES)];
    match encoding_rs::Encoding::for_bom(head) {
        Some((encoding, _)) => encoding.decode_with_bom_removal(head).0.into_owned(),
        None => String::from_utf8_lossy(head).into_owned(),
    }
}

/// Skips whitespace, XML declarations and processing instructions, comments
/// and a doctype; returns the text from the first element (or `{`) on.
fn skip_prolog(mut text: &str) -> Option<&str> {
    loop {
        text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        let end = if text.starts_with("<?") {
            text.find("?>")? + 2
        } else if text.starts_with("<!--") {
            text.find("-->")? + 3
        } else if text.starts_with("<!") {
            text.find('>')? + 1
        } else {
            return Some(text);
        };
        text = &text[end..];
    }
}

/// The lowercased qualified name of the element `text` starts with.
fn root_element_name(text: &str) -> Option<String> {
    let name: String = text
        .strip_prefix('<')?
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
        .collect();
    (!name.is_empty()).then(|| name.to_ascii_lowercase())
}

/// JSON Feed names its version URL near the top (`"version":
/// "https://jsonfeed.org/version/1.1"`); other JSON is not a feed.
fn is_json_feed(text: &str) -> bool {
    static VERSION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#""version"\s*:\s*"https?://jsonfeed\.org/version/"#).expect("valid regex")
    });
    VERSION.is_match(text)
}

/// What a fetched document is when it is no page at all (a PDF, an image,
/// an office file, an archive, audio or video), named for a person: by its
/// leading bytes first (servers send PDFs as `text/html` and pages as
/// `application/octet-stream`), then by a Content-Type that no page has.
/// `None` for anything that may be HTML, XML or text.
pub fn not_a_page(content_type: Option<&str>, body: &[u8]) -> Option<String> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"%PDF-", "a PDF"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"PK\x03\x04", "a ZIP archive or office document"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "an old office document",
        ),
        (b"{\\rtf", "an RTF document"),
        (b"ID3", "an MP3 file"),
        (b"\x1f\x8b", "a gzip file"),
        (b"OggS", "an Ogg file"),
    ];
    let start = body.trim_ascii_start();
    if let Some((_, what)) = SIGNATURES
        .iter()
        .find(|(magic, _)| start.starts_with(magic))
    {
        return Some(what.to_string());
    }
    if body.len() >= 12
        && (&body[4..8] == b"ftyp" || (&body[..4] == b"RIFF" && &body[8..12] == b"WEBP"))
    {
        return Some("a video or image file".to_string());
    }
    let essence = content_type?.split(';').next()?.trim().to_ascii_lowercase();
    let media = essence.split('/').next().unwrap_or("");
    let is_page = matches!(media, "text")
        || essence.contains("html")
        || essence.contains("xml")
        || essence.contains("json")
        || essence.is_empty()
        // Servers label anything they do not know this way, pages too; the
        // bytes above catch the binary files.
        || essence == "application/octet-stream";
    (!is_page).then(|| format!("a file of type {essence}"))
}

fn is_feed_content_type(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or("").trim();
    [
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/rdf+xml",
    ]
    .iter()
    .any(|feed_type| essence.eq_ignore_ascii_case(feed_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_are_no_page_are_named() {
        let cases: &[(Option<&str>, &[u8], Option<&str>)] = &[
            (
                Some("application/pdf"),
                b"%PDF-1.7\n%\xe2\xe3",
                Some("a PDF"),
            ),
            // A PDF sent as HTML is still a PDF.
            (Some("text/html"), b"%PDF-1.4", Some("a PDF")),
            (None, b"\x89PNG\r\n\x1a\n\0\0", Some("a PNG image")),
            (
                Some("image/jpeg"),
                b"\xff\xd8\xff\xe0",
                Some("a JPEG image"),
            ),
            (Some("image/svg+xml"), b"<svg/>", None),
            (
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                b"PK\x03\x04",
                Some("a ZIP archive or office document"),
            ),
            (
                Some("video/mp4"),
                b"\0\0\0\x18ftypmp42",
                Some("a video or image file"),
            ),
            (
                Some("audio/mpeg"),
                b"\xff\xfb\x90",
                Some("a file of type audio/mpeg"),
            ),
            (
                Some("application/msword"),
                b"plain?",
                Some("a file of type application/msword"),
            ),
            (
                Some("text/html; charset=utf-8"),
                b"<!doctype html><p>Hej",
                None,
            ),
            (Some("application/octet-stream"), b"<html><p>Hej", None),
            (Some("application/xhtml+xml"), b"<html/>", None),
            (Some("application/rss+xml"), b"<rss/>", None),
            (None, b"", None),
            (Some(""), b"Hej", None),
        ];
        for (content_type, body, expected) in cases {
            assert_eq!(
                not_a_page(*content_type, body).as_deref(),
                *expected,
                "{content_type:?} {body:?}"
            );
        }
    }

    #[track_caller]
    fn check(content_type: Option<&str>, body: &str, expected: PageKind) {
        assert_eq!(
            page_kind(content_type, body.as_bytes()),
            expected,
            "{body:?}"
        );
    }

    use PageKind::{Feed, Html};

    #[test]
    fn root_element_decides() {
        check(None, "<rss version=\"2.0\"><channel/></rss>", Feed);
        check(None, "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>", Feed);
        check(
            None,
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">",
            Feed,
        );
        check(None, "<html lang=\"sv\"><head>", Html);
        check(None, "<HTML><BODY>", Html);
    }

    #[test]
    fn prolog_comments_doctype_and_whitespace_are_skipped() {
        check(
            None,
            "\u{feff}<?xml version=\"1.0\"?>\n<!-- generated -->\n<rss>",
            Feed,
        );
        check(
            None,
            "<?xml version=\"1.0\"?><?xml-stylesheet href=\"a.xsl\"?><feed>",
            Feed,
        );
        check(None, "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\">\n<rss version=\"0.91\">", Feed);
        check(None, "\n\n  <!DOCTYPE html>\n<!-- sv -->\n<html>", Html);
        check(None, "<?xml version=\"1.0\"?>\n<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">", Html);
    }

    #[test]
    fn content_beats_content_type() {
        // Uppsala: Atom at an RSS-looking path; servers that say text/html.
        check(
            Some("application/rss+xml"),
            "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
            Feed,
        );
        check(
            Some("text/html; charset=utf-8"),
            "<?xml version=\"1.0\"?><rss version=\"2.0\">",
            Feed,
        );
        check(
            Some("application/rss+xml"),
            "<!DOCTYPE html><html><body>Not found</body></html>",
            Html,
        );
    }

    #[test]
    fn content_type_breaks_ties() {
        check(Some("application/atom+xml"), "", Feed);
        check(Some("Application/RSS+XML; charset=utf-8"), "garbage", Feed);
        check(Some("text/html"), "", Html);
        check(None, "<div>fragment</div>", Html);
        check(Some("application/rss+xml"), "<div>fragment</div>", Feed);
    }

    #[test]
    fn json_feed() {
        check(
            None,
            "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"x\"}",
            Feed,
        );
        check(
            Some("application/json"),
            "  {\"title\":\"x\",\"version\":\"https://jsonfeed.org/version/1\"}",
            Feed,
        );
        check(Some("application/json"), "{\"version\": 2}", Html);
        check(Some("application/feed+json"), "{\"items\": []}", Feed);
    }

    #[test]
    fn utf16_with_bom() {
        let body: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("<rss>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(page_kind(None, &body), Feed);
    }
}
