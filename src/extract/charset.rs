//! Bytes -> text: BOM, HTTP header charset, XML prolog or `<meta>`, then chardetng.
//!
//! Labels are resolved with encoding_rs, i.e. the WHATWG Encoding Standard:
//! `iso-8859-1` and `latin1` mean windows-1252, which is what browsers (and so
//! the people who wrote the page) actually use.

use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use regex::bytes::Regex;

/// How far into the body `<meta charset>` is looked for (the HTML spec
/// prescans 1024 bytes; CMS templates put a lot of head in front of it).
const META_PRESCAN_BYTES: usize = 4096;

/// Decodes a fetched body to UTF-8 text. Never fails: bytes that are invalid
/// in the chosen encoding become U+FFFD. A BOM is removed.
pub fn decode(body: &[u8], content_type: Option<&str>) -> String {
    let encoding = detect(body, content_type);
    // `decode` sniffs a BOM itself (and strips it), so the BOM always wins.
    let (text, _, _) = encoding.decode(body);
    text.into_owned()
}

/// The encoding [`decode`] uses, in this order: BOM, charset in the
/// Content-Type header, XML prolog `encoding=`, `<meta>` in the first 4 KiB,
/// then a guess by chardetng.
pub fn detect(body: &[u8], content_type: Option<&str>) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(body) {
        return encoding;
    }
    let declared = content_type
        .and_then(header_charset)
        // A document cannot name UTF-16 in ASCII-compatible bytes and mean
        // it; `output_encoding` maps that (and "replacement") to UTF-8.
        .or_else(|| xml_prolog_encoding(body).map(Encoding::output_encoding))
        .or_else(|| meta_charset(body).map(Encoding::output_encoding));
    match declared {
        Some(encoding) => prefer_utf8_when_valid(encoding, body),
        None => guess(body),
    }
}

/// A declared legacy charset loses to bytes that are valid UTF-8 with
/// non-ASCII sequences: a UTF-8 CMS behind a server (or template) that says
/// iso-8859-1 is common, while real windows-1252 text is virtually never
/// valid UTF-8 by accident (it would need "Ã¥"-like pairs everywhere).
fn prefer_utf8_when_valid(declared: &'static Encoding, body: &[u8]) -> &'static Encoding {
    let is_legacy = declared != UTF_8 && declared.is_ascii_compatible();
    if is_legacy && !body.is_ascii() && std::str::from_utf8(body).is_ok() {
        return UTF_8;
    }
    declared
}

/// `charset=` from a Content-Type header value, if it names a known encoding.
fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type
        .split(';')
        .skip(1)
        .filter_map(|param| param.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, value)| value.trim().trim_matches(|c| c == '"' || c == '\''))
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        // "replacement" is WHATWG's answer to dangerous labels; for a feed
        // reader the content is a better judge.
        .filter(|encoding| *encoding != encoding_rs::REPLACEMENT)
}

/// `encoding="..."` of an XML declaration at the start of the body.
fn xml_prolog_encoding(body: &[u8]) -> Option<&'static Encoding> {
    static PROLOG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:-]+)\s*["']"#)
            .expect("valid regex")
    });
    let head = &body[..body.len().min(1024)];
    let label = PROLOG.captures(head)?.get(1)?.as_bytes();
    Encoding::for_label(label)
}

/// `<meta charset="...">` or `<meta http-equiv="Content-Type"
/// content="text/html; charset=...">` in the first few KiB.
fn meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    static META: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9._:-]+)"#)
            .expect("valid regex")
    });
    let head = &body[..body.len().min(META_PRESCAN_BYTES)];
    META.captures_iter(head)
        .filter_map(|captures| Encoding::for_label(captures.get(1)?.as_bytes()))
        .next()
}

/// No declaration: let chardetng decide (no TLD hint, UTF-8 allowed).
fn guess(body: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(body).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(body, true);
    let guessed = detector.guess(None, true);
    // chardetng never returns UTF-16; if it ever returns something that is not
    // ASCII-compatible, fall back to the web's default legacy encoding.
    if guessed.is_ascii_compatible() {
        guessed
    } else {
        WINDOWS_1252
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `body` decoded with `content_type` gives `expected`, via `encoding`.
    #[track_caller]
    fn check(body: &[u8], content_type: Option<&str>, encoding: &str, expected: &str) {
        assert_eq!(detect(body, content_type).name(), encoding, "encoding");
        assert_eq!(decode(body, content_type), expected, "text");
    }

    #[test]
    fn charset_in_header() {
        check(
            b"f\xf6r",
            Some("text/html; charset=ISO-8859-1"),
            "windows-1252",
            "för",
        );
        check(
            b"f\xf6r",
            Some("text/html;charset=\"latin1\""),
            "windows-1252",
            "för",
        );
        check(
            "för".as_bytes(),
            Some("text/xml; charset=utf-8"),
            "UTF-8",
            "för",
        );
    }

    #[test]
    fn header_wins_over_document_declarations() {
        let body = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>f\xf6r</a>";
        check(
            body,
            Some("text/xml; charset=windows-1252"),
            "windows-1252",
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>för</a>",
        );
    }

    #[test]
    fn bom_wins_over_everything() {
        check(
            b"\xef\xbb\xbff\xc3\xb6r",
            Some("text/html; charset=iso-8859-1"),
            "UTF-8",
            "för",
        );
        check(b"\xff\xfef\x00\xf6\x00r\x00", None, "UTF-16LE", "för");
    }

    #[test]
    fn xml_prolog() {
        let body = b"<?xml version='1.0' encoding='ISO-8859-1'?><rss>f\xf6r</rss>";
        check(
            body,
            Some("application/rss+xml"),
            "windows-1252",
            "<?xml version='1.0' encoding='ISO-8859-1'?><rss>för</rss>",
        );
    }

    #[test]
    fn html_meta() {
        let body = b"<html><head><meta charset=\"iso-8859-1\"><title>F\xf6retag</title>";
        check(
            body,
            Some("text/html"),
            "windows-1252",
            "<html><head><meta charset=\"iso-8859-1\"><title>Företag</title>",
        );
        let body =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">\xe5";
        check(
            body,
            None,
            "windows-1252",
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">å",
        );
    }

    #[test]
    fn meta_after_the_prescan_window_is_ignored() {
        let mut body = vec![b' '; META_PRESCAN_BYTES];
        body.extend_from_slice(b"<meta charset=\"koi8-r\">");
        assert_eq!(detect(&body, None), UTF_8);
    }

    #[test]
    fn utf16_named_in_a_document_means_utf8() {
        check(
            b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>",
            None,
            "UTF-8",
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>",
        );
    }

    #[test]
    fn valid_utf8_claiming_latin1_is_utf8() {
        let body = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss>Växjö</rss>";
        check(body.as_bytes(), None, "UTF-8", body);
        check(
            "Växjö".as_bytes(),
            Some("text/html; charset=iso-8859-1"),
            "UTF-8",
            "Växjö",
        );
        // Pure ASCII stays with the declaration (it makes no difference).
        check(
            b"Vaxjo",
            Some("text/html; charset=iso-8859-1"),
            "windows-1252",
            "Vaxjo",
        );
    }

    #[test]
    fn undeclared_windows_1252_is_guessed() {
        let body = b"<rss><item><title>N\xe4ringslivet i V\xe4xj\xf6 v\xe4xer \xe5 \xf6ver f\xf6rv\xe4ntan \x96 nu fler f\xf6retag</title></item></rss>";
        let text = decode(body, Some("text/xml"));
        assert!(
            text.contains("Näringslivet i Växjö växer å över förväntan – nu fler företag"),
            "{text}"
        );
    }

    #[test]
    fn undeclared_utf8_is_utf8() {
        check("<p>Växjö</p>".as_bytes(), None, "UTF-8", "<p>Växjö</p>");
    }

    #[test]
    fn invalid_bytes_become_replacement_characters() {
        check(
            b"a\xffb",
            Some("text/plain; charset=utf-8"),
            "UTF-8",
            "a\u{fffd}b",
        );
        check(b"", None, "UTF-8", "");
    }

    #[test]
    fn unknown_labels_are_ignored() {
        check(
            "Växjö".as_bytes(),
            Some("text/html; charset=bogus"),
            "UTF-8",
            "Växjö",
        );
        check(
            "Växjö".as_bytes(),
            Some("text/html; charset=iso-2022-kr"),
            "UTF-8",
            "Växjö",
        );
    }
}
