//! Identifiers and links in the form the W3C Feed Validator accepts without a
//! warning: absolute, only RFC 3986 characters, and in the canonical form its
//! `NonCanonicalURI` check expects (uppercase percent-escapes, unreserved
//! characters never escaped).

use url::{Position, Url};

/// The tagging entity and date of every entry id (RFC 4151).
///
/// Never change this: readers recognise entries they have already shown by
/// their id, so a new prefix would re-announce every article to every
/// subscriber.
pub(crate) const TAG_PREFIX: &str = "tag:muniflux,2026:";

/// The stable Atom id of an article: a tag: URI built from its canonical URL.
///
/// The scheme is left out so that a site moving from http to https keeps its
/// ids; the fragment is left out because it names a part of the page, not the
/// article. Nothing but the URL goes in (no hashing, no counters), so the id
/// survives restarts and database rebuilds.
pub fn entry_id(canonical: &Url) -> String {
    let mut specific = String::new();
    match canonical.host_str() {
        Some(host) => {
            specific.push_str(host);
            if let Some(port) = canonical.port() {
                specific.push(':');
                specific.push_str(&port.to_string());
            }
        }
        // Without a host there is nothing to tell `urn:x` from `mailto:x`
        // but the scheme, so keep it.
        None => {
            specific.push_str(canonical.scheme());
            specific.push(':');
        }
    }
    specific.push_str(&canonical[Position::BeforePath..Position::AfterQuery]);
    format!("{TAG_PREFIX}{}", normalize(&specific, is_pchar_slash_query))
}

/// A last-resort tag URI for an article that has neither a valid id nor a
/// valid link, so that the feed stays valid (`invalid/` marks it in logs).
pub(crate) fn tag_from_text(text: &str) -> String {
    format!(
        "{TAG_PREFIX}invalid/{}",
        normalize(text, is_pchar_slash_query)
    )
}

/// `raw` as an absolute http(s) URL for an `href`, or `None` if it is not one.
///
/// Relative or non-web links would be reported by the validator and are
/// useless to a reader, so they are dropped rather than emitted.
pub(crate) fn web_url(raw: &str) -> Option<String> {
    let url = Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return None;
    }
    Some(serialize(&url))
}

/// `raw` as an absolute IRI for an Atom `id` (any scheme, e.g. `tag:`,
/// `urn:`, `https:`), or `None` if it is not absolute.
pub(crate) fn absolute_iri(raw: &str) -> Option<String> {
    Url::parse(raw.trim()).ok().map(|url| serialize(&url))
}

/// The URL's serialization with the part after the authority normalised.
///
/// The `url` crate already lowercases scheme and host, drops default ports
/// and resolves dot segments, but it leaves characters such as `|`, `^`,
/// `{` or `[` unescaped in paths and queries and keeps percent-escapes as
/// the page wrote them; RFC 3986 and the validator want neither.
fn serialize(url: &Url) -> String {
    let head = &url[..Position::BeforePath];
    let tail = &url[Position::BeforePath..];
    let (before_fragment, fragment) = match tail.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (tail, None),
    };
    let mut out = String::from(head);
    out.push_str(&normalize(before_fragment, is_pchar_slash_query));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(&normalize(fragment, is_pchar_slash_query));
    }
    out
}

/// RFC 3986 `unreserved`.
fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

/// RFC 3986 `pchar` (less `pct-encoded`) plus `/` and `?`: what may appear
/// unescaped in a path, a query, a fragment and a tag URI's specific part.
fn is_pchar_slash_query(c: char) -> bool {
    is_unreserved(c)
        || matches!(
            c,
            '!' | '$'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | ','
                | ';'
                | '='
                | ':'
                | '@'
                | '/'
                | '?'
        )
}

/// Percent-encodes every character `allowed` rejects (as UTF-8, uppercase
/// hex), uppercases existing escapes, decodes escaped unreserved characters
/// and escapes a `%` that starts no escape. Idempotent.
fn normalize(s: &str, allowed: fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '%' {
            match decode_escape(rest) {
                Some(byte) if is_unreserved(char::from(byte)) => out.push(char::from(byte)),
                Some(byte) => push_escaped(&mut out, byte),
                None => {
                    out.push_str("%25");
                    rest = &rest[1..];
                    continue;
                }
            }
            rest = &rest[3..];
            continue;
        }
        if allowed(c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for &byte in c.encode_utf8(&mut buf).as_bytes() {
                push_escaped(&mut out, byte);
            }
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The byte of the `%HH` escape `s` starts with, if it starts with one.
fn decode_escape(s: &str) -> Option<u8> {
    let hex = s.as_bytes().get(1..3)?;
    if !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

fn push_escaped(out: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(byte >> 4)]));
    out.push(char::from(HEX[usize::from(byte & 0xf)]));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(url: &str) -> String {
        entry_id(&Url::parse(url).unwrap())
    }

    #[test]
    fn entry_id_drops_scheme_and_fragment() {
        assert_eq!(
            id("https://www.example.se/nyheter/a?id=1#top"),
            "tag:muniflux,2026:www.example.se/nyheter/a?id=1"
        );
        assert_eq!(
            id("http://www.example.se/a"),
            id("https://www.example.se/a")
        );
    }

    #[test]
    fn entry_id_keeps_port_and_escapes_what_tag_uris_forbid() {
        assert_eq!(
            id("https://example.se:8443/a|b/[c]?q={x}^%7e%c3%a5%zz"),
            "tag:muniflux,2026:example.se:8443/a%7Cb/%5Bc%5D?q=%7Bx%7D%5E~%C3%A5%25zz"
        );
    }

    #[test]
    fn entry_id_of_non_ascii_and_ipv6() {
        assert_eq!(
            id("https://växjö.se/nyheter/åäö"),
            "tag:muniflux,2026:xn--vxj-qla6g.se/nyheter/%C3%A5%C3%A4%C3%B6"
        );
        assert_eq!(id("http://[::1]/a"), "tag:muniflux,2026:%5B::1%5D/a");
    }

    #[test]
    fn entry_id_is_a_fixed_point_of_id_cleaning() {
        let tag = id("https://example.se/a b/%7e?x=|");
        assert_eq!(absolute_iri(&tag).as_deref(), Some(tag.as_str()));
    }

    #[test]
    fn web_url_accepts_only_absolute_http() {
        assert_eq!(web_url("/relative"), None);
        assert_eq!(web_url("mailto:a@example.se"), None);
        assert_eq!(web_url("javascript:alert(1)"), None);
        assert_eq!(
            web_url(" HTTPS://Example.SE:443/a/../b|c#x#y ").as_deref(),
            Some("https://example.se/b%7Cc#x%23y")
        );
    }
}
