//! Bytes -> text: BOM, HTTP header charset, XML prolog or `<meta>`, then chardetng.
//!
//! Labels are resolved with encoding_rs, i.e. the WHATWG Encoding Standard:
//! `iso-8859-1` and `latin1` mean windows-1252, which is what browsers (and so
//! the people who wrote the page) actually use.
//!
//! Declarations lie in both directions on old sites: a UTF-8 CMS behind a
//! server that says iso-8859-1, and (worse, because a browser shows it
//! "right" after the user picks an encoding) a Latin-1 site behind a server
//! or template that adds `charset=utf-8`. The bytes decide when they
//! contradict the declaration; see [`choose`].

use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use regex::bytes::Regex;

/// How far into the body `<meta charset>` is looked for (the HTML spec
/// prescans 1024 bytes; CMS templates put a lot of head in front of it).
const META_PRESCAN_BYTES: usize = 4096;

/// How a body is turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoding {
    /// The whole body in one encoding.
    Whole(&'static Encoding),
    /// UTF-8 where the bytes are valid UTF-8, the given legacy encoding for
    /// each run of bytes that is not: a UTF-8 template around text pasted
    /// from a Latin-1 database, or a UTF-8 page with one stray Latin-1 byte.
    Utf8Else(&'static Encoding),
}

impl Decoding {
    /// The encoding that decodes most of the body (for logs and tests).
    pub fn name(self) -> String {
        match self {
            Decoding::Whole(encoding) => encoding.name().to_string(),
            Decoding::Utf8Else(legacy) => format!("UTF-8 else {}", legacy.name()),
        }
    }
}

/// Decodes a fetched body to UTF-8 text. Never fails: bytes that are invalid
/// in the chosen encoding become U+FFFD. A BOM is removed.
pub fn decode(body: &[u8], content_type: Option<&str>) -> String {
    match choose(body, content_type) {
        // `decode` sniffs a BOM itself (and strips it), so the BOM always wins.
        Decoding::Whole(encoding) => encoding.decode(body).0.into_owned(),
        Decoding::Utf8Else(legacy) => decode_utf8_else(body, legacy),
    }
}

/// How [`decode`] decodes `body`. In this order: a BOM; the charset in the
/// Content-Type header, else the XML prolog's `encoding=`, else `<meta>` in
/// the first 4 KiB; a guess by chardetng when nothing is declared. The
/// bytes overrule the declaration when they contradict it:
///
/// - valid UTF-8 with non-ASCII text is UTF-8, whatever is declared: a
///   UTF-8 CMS behind a server (or template) that says iso-8859-1 is
///   common, while real windows-1252 text is virtually never valid UTF-8 by
///   accident (it would need "Ã¥"-like pairs everywhere);
/// - bytes that are not valid UTF-8 (declared UTF-8 or undeclared) are
///   legacy text: with no valid non-ASCII UTF-8 sequence at all, chardetng
///   names the encoding; with some, the body is mixed and only the invalid
///   runs are decoded in the legacy encoding (the declared one if that is
///   legacy, else chardetng's guess from those runs).
pub fn choose(body: &[u8], content_type: Option<&str>) -> Decoding {
    if let Some((encoding, _)) = Encoding::for_bom(body) {
        return Decoding::Whole(encoding);
    }
    let declared = content_type
        .and_then(header_charset)
        // UTF-16 without a BOM and without a NUL byte is a false label (a
        // server set to "utf-16" serving ASCII-compatible pages).
        .filter(|encoding| encoding.is_ascii_compatible() || looks_like_utf16(body))
        // A document cannot name UTF-16 in ASCII-compatible bytes and mean
        // it; `output_encoding` maps that (and "replacement") to UTF-8.
        .or_else(|| xml_prolog_encoding(body).map(Encoding::output_encoding))
        .or_else(|| meta_charset(body).map(Encoding::output_encoding));
    if declared.is_some_and(|encoding| !encoding.is_ascii_compatible()) {
        // UTF-16 named by the server without a BOM: nothing to check it by.
        return Decoding::Whole(declared.unwrap_or(UTF_8));
    }
    // Nearly every page is valid UTF-8: the standard library checks that
    // a word at a time, several times faster than counting its characters.
    if std::str::from_utf8(body).is_ok() {
        return match declared {
            Some(legacy) if body.is_ascii() => Decoding::Whole(legacy),
            _ => Decoding::Whole(UTF_8),
        };
    }
    let mixed = has_valid_non_ascii(body);
    let legacy = match declared {
        Some(legacy) if legacy != UTF_8 => legacy,
        _ if !mixed => guess_legacy(body),
        _ => guess_legacy(&without_valid_non_ascii(body)),
    };
    // Multi-byte legacy text (Shift_JIS, GBK) holds valid UTF-8 sequences
    // by accident, and its runs cannot be decoded one by one.
    if !mixed || !legacy.is_single_byte() {
        Decoding::Whole(legacy)
    } else {
        Decoding::Utf8Else(legacy)
    }
}

/// Whether a body without a BOM can be UTF-16: text in it has NUL bytes
/// (every ASCII character is one byte and a NUL), markup-only ASCII has
/// none.
fn looks_like_utf16(body: &[u8]) -> bool {
    body[..body.len().min(1024)].contains(&0)
}

/// Whether a body that is not valid UTF-8 holds valid UTF-8 sequences of
/// non-ASCII characters too (a mixed body).
fn has_valid_non_ascii(body: &[u8]) -> bool {
    // Lead bytes of multi-byte sequences: one per non-ASCII character.
    body.utf8_chunks()
        .any(|chunk| chunk.valid().bytes().any(|b| b >= 0xc0))
}

/// The body with its valid non-ASCII UTF-8 characters left out, so that
/// chardetng judges the legacy bytes alone.
fn without_valid_non_ascii(body: &[u8]) -> Vec<u8> {
    let mut rest = Vec::with_capacity(body.len());
    for chunk in body.utf8_chunks() {
        rest.extend(chunk.valid().bytes().filter(u8::is_ascii));
        rest.extend_from_slice(chunk.invalid());
    }
    rest
}

/// Valid UTF-8 as UTF-8, every invalid run in `legacy`.
fn decode_utf8_else(body: &[u8], legacy: &'static Encoding) -> String {
    let mut text = String::with_capacity(body.len() + body.len() / 8);
    for chunk in body.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            text.push_str(&legacy.decode_without_bom_handling(chunk.invalid()).0);
        }
    }
    text
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

/// A legacy encoding for bytes that are not UTF-8, by chardetng (no TLD
/// hint). chardetng never returns UTF-16; if it ever returns something that
/// is not ASCII-compatible, the web's default legacy encoding is used.
fn guess_legacy(body: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(body, true);
    let guessed = detector.guess(None, false);
    if guessed.is_ascii_compatible() && guessed != UTF_8 {
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
        assert_eq!(choose(body, content_type).name(), encoding, "encoding");
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
        assert_eq!(choose(&body, None), Decoding::Whole(UTF_8));
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
    fn bytes_invalid_in_the_chosen_encoding_become_replacement_characters() {
        check(b"\xff\xfea\x00b", None, "UTF-16LE", "a\u{fffd}");
        check(b"", None, "UTF-8", "");
    }

    /// The headline the old Latin-1 sites lose today, with the dash that
    /// windows-1252 has and ISO-8859-1 has not.
    const HEADLINE: &str = "Företagsträff på Åkersberg – öppet för alla";
    /// UTF-8 text of a template around the headline.
    const TEMPLATE: &str = "Nyheter från Höörs kommun";

    /// What the body really is.
    #[derive(Debug, Clone, Copy)]
    enum Actual {
        Utf8,
        Windows1252,
        /// A UTF-8 template with the headline pasted in windows-1252.
        Mixed,
        Ascii,
    }

    impl Actual {
        const ALL: [Actual; 4] = [
            Actual::Utf8,
            Actual::Windows1252,
            Actual::Mixed,
            Actual::Ascii,
        ];

        /// (bytes, the text they stand for)
        fn text(self) -> (Vec<u8>, String) {
            let latin = |text: &str| WINDOWS_1252.encode(text).0.into_owned();
            match self {
                Actual::Utf8 => (HEADLINE.as_bytes().to_vec(), HEADLINE.to_string()),
                Actual::Windows1252 => (latin(HEADLINE), HEADLINE.to_string()),
                Actual::Mixed => {
                    let mut bytes = TEMPLATE.as_bytes().to_vec();
                    bytes.extend_from_slice(b": ");
                    bytes.extend(latin(HEADLINE));
                    (bytes, format!("{TEMPLATE}: {HEADLINE}"))
                }
                Actual::Ascii => {
                    let text = "Foretagstraff pa Akersberg";
                    (text.as_bytes().to_vec(), text.to_string())
                }
            }
        }
    }

    /// Where the (possibly false) charset is declared.
    #[derive(Debug, Clone, Copy)]
    enum Place {
        Header,
        Meta,
        XmlProlog,
        /// The header says one thing and `<meta>` says windows-1252.
        HeaderOverMeta,
    }

    /// Every declared/actual pair decodes to the text the bytes stand for,
    /// whatever the label (or none) and wherever it is declared.
    #[test]
    fn every_declared_and_actual_pair_keeps_its_letters() {
        let labels = [
            None,
            Some("utf-8"),
            Some("UTF8"),
            Some("iso-8859-1"),
            Some("windows-1252"),
            Some("us-ascii"),
            Some("utf-16"),
        ];
        let places = [
            Place::Header,
            Place::Meta,
            Place::XmlProlog,
            Place::HeaderOverMeta,
        ];
        let mut failures = Vec::new();
        for actual in Actual::ALL {
            let (text_bytes, expected_text) = actual.text();
            for label in labels {
                for place in places {
                    let (body, content_type, expected) =
                        document(place, label, &text_bytes, &expected_text);
                    let decoded = decode(&body, content_type.as_deref());
                    if decoded != expected {
                        failures.push(format!(
                            "{actual:?} declared {label:?} in {place:?}: {decoded:?}"
                        ));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// A document declaring `label` at `place` around `text_bytes`: (body,
    /// Content-Type, the expected decoded body).
    fn document(
        place: Place,
        label: Option<&str>,
        text_bytes: &[u8],
        text: &str,
    ) -> (Vec<u8>, Option<String>, String) {
        let header = |label: Option<&str>| match label {
            Some(label) => format!("text/html; charset={label}"),
            None => "text/html".to_string(),
        };
        let (prefix, suffix, content_type) = match place {
            Place::Header => ("<p>".to_string(), "</p>", Some(header(label))),
            Place::Meta => (
                label.map_or("<p>".into(), |label| {
                    format!("<meta charset=\"{label}\"><p>")
                }),
                "</p>",
                Some(header(None)),
            ),
            Place::XmlProlog => (
                label.map_or("<rss><title>".into(), |label| {
                    format!("<?xml version=\"1.0\" encoding=\"{label}\"?><rss><title>")
                }),
                "</title></rss>",
                Some("application/rss+xml".to_string()),
            ),
            Place::HeaderOverMeta => (
                "<meta charset=\"windows-1252\"><p>".to_string(),
                "</p>",
                Some(header(label)),
            ),
        };
        let mut body = prefix.as_bytes().to_vec();
        body.extend_from_slice(text_bytes);
        body.extend_from_slice(suffix.as_bytes());
        (body, content_type, format!("{prefix}{text}{suffix}"))
    }

    #[test]
    fn utf16_declared_by_the_server_is_believed_only_with_nul_bytes() {
        check(
            b"a\x00\xe5\x00",
            Some("text/html; charset=utf-16le"),
            "UTF-16LE",
            "aå",
        );
        check(
            "<p>Växjö</p>".as_bytes(),
            Some("text/html; charset=utf-16"),
            "UTF-8",
            "<p>Växjö</p>",
        );
    }

    #[test]
    fn declared_utf8_latin1_bytes_are_detected() {
        let body = WINDOWS_1252.encode("<p>Företagsträff på Åkersberg</p>").0;
        check(
            &body,
            Some("text/html; charset=utf-8"),
            "windows-1252",
            "<p>Företagsträff på Åkersberg</p>",
        );
    }

    #[test]
    fn a_mixed_body_decodes_each_part_in_its_own_encoding() {
        let mut body = "<h1>Välkommen</h1><p>".as_bytes().to_vec();
        body.extend_from_slice(b"\xc5rets f\xf6rsta m\xf6te</p>");
        check(
            &body,
            Some("text/html; charset=utf-8"),
            "UTF-8 else windows-1252",
            "<h1>Välkommen</h1><p>Årets första möte</p>",
        );
        // Declared legacy: the invalid runs are read in the declared encoding.
        check(
            &body,
            Some("text/html; charset=iso-8859-15"),
            "UTF-8 else ISO-8859-15",
            "<h1>Välkommen</h1><p>Årets första möte</p>",
        );
    }

    #[test]
    fn declared_utf8_cyrillic_bytes_are_detected() {
        let text = "<p>Новости городского совета: заседание перенесено на вторник</p>";
        let body = encoding_rs::WINDOWS_1251.encode(text).0;
        check(
            &body,
            Some("text/html; charset=utf-8"),
            "windows-1251",
            text,
        );
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
