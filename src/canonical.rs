//! Canonical URLs: the dedup key of an article, whatever URL variant it
//! arrives by.

use url::Url;

/// Query parameters that only track a click and never select content.
fn is_tracking_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_")
        || matches!(
            name.as_str(),
            "fbclid"
                | "gclid"
                | "dclid"
                | "gbraid"
                | "wbraid"
                | "msclkid"
                | "yclid"
                | "twclid"
                | "igshid"
                | "mc_cid"
                | "mc_eid"
                | "_ga"
                | "_gl"
                | "_hsenc"
                | "_hsmi"
                | "mkt_tok"
                | "phpsessid"
                | "jsessionid"
        )
}

/// The longest link address read from a page. Servers refuse request lines
/// much over 8 KB and no article address comes near this; a longer one is
/// junk, and a hostile page can make the parser clone an unclosed link for
/// every block after it (a 180 KB address became 185 MB of URLs in the
/// fuzz bench).
pub const MAX_LINK_LEN: usize = 4096;

/// The canonical form of `url`: scheme and host lower-cased and the default
/// port dropped (the `url` crate does both when parsing, and resolves `.`
/// and `..` segments), no trailing dot on the host, no fragment, no tracking
/// or session parameters (`;jsessionid=` path parameters of Java CMSs such
/// as Sitevision included), no Sitevision `.printable` suffix, and
/// percent-escapes in upper case. Meaningful query parameters keep their
/// order.
///
/// Deliberately not merged: `/a/` and `/a/index.html`, `/a` and `/a/`, and
/// `http` and `https`; they are usually the same page, but not always, and
/// the content fingerprint merges them when they are.
pub fn canonical_url(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    if let Some(host) = url
        .host_str()
        .filter(|h| h.ends_with('.'))
        // Every trailing dot ("a.." too), so that a second pass finds none.
        .map(|h| h.trim_end_matches('.').to_string())
        .filter(|h| !h.is_empty())
    {
        // Only fails for hosts that cannot be changed; then keep it.
        let _ = url.set_host(Some(&host));
    }
    let path = canonical_path(url.path());
    if path != url.path() {
        url.set_path(&path);
    }
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !is_tracking_param(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else if kept.len() != url.query_pairs().count() {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    url
}

/// A path without `.printable`, without `;jsessionid=...` and with
/// upper-case percent-escapes.
fn canonical_path(path: &str) -> String {
    let path = match path.to_ascii_lowercase().find(";jsessionid=") {
        Some(i) => &path[..i],
        None => path,
    };
    // Every suffix, so that a second pass finds none to strip.
    let path = path.trim_end_matches(".printable");
    upper_case_escapes(path)
}

/// `%c3%b6` and `%C3%B6` are the same bytes; RFC 3986 prefers upper case.
fn upper_case_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let escape = rest
            .get(i..i + 3)
            .filter(|e| e.as_bytes()[1..].iter().all(u8::is_ascii_hexdigit));
        match escape {
            Some(e) => {
                out.push_str(&e.to_ascii_uppercase());
                rest = &rest[i + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses `text` (absolute, or relative to `base`) and canonicalises it;
/// `None` for anything that is not an http(s) URL.
pub fn canonical_link(text: &str, base: &Url) -> Option<Url> {
    let url = base.join(text.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| canonical_url(&url))
}

/// Whether two URLs belong to one site: the same host, give or take `www.`
/// and subdomains of the same registered domain (`foretagare.helsingborg.se`
/// and `helsingborg.se`). IP addresses must match exactly. Swedish municipal
/// sites are all `<name>.se`, so "registered domain" is taken as the last two
/// labels.
pub fn same_site(a: &Url, b: &Url) -> bool {
    match (a.host(), b.host()) {
        (Some(url::Host::Domain(x)), Some(url::Host::Domain(y))) => {
            registered_domain(x).eq_ignore_ascii_case(registered_domain(y))
        }
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn registered_domain(host: &str) -> &str {
    let host = host.trim_end_matches('.');
    match host.rmatch_indices('.').nth(1) {
        Some((i, _)) => &host[i + 1..],
        None => host,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// URL text with the parts canonicalisation touches: odd hosts and
    /// ports, dot segments, escapes, tracking and session parameters,
    /// fragments, `.printable`.
    fn url_text() -> impl Strategy<Value = String> {
        let part = prop_oneof![
            Just("/".to_string()),
            Just("/../".to_string()),
            Just("/./".to_string()),
            Just(";jsessionid=AB12".to_string()),
            Just(";JSESSIONID=x;a=b".to_string()),
            Just("?utm_source=x&id=1".to_string()),
            Just("&fbclid=1&_ga=2".to_string()),
            Just("#top".to_string()),
            Just(".printable".to_string()),
            "%[0-9a-fA-F]{2}",
            "%[0-9a-fA-F]?",
            "[a-zåäö0-9._~!$&'()*+,;=:@?#/%-]{0,12}",
            any::<String>(),
        ];
        (
            prop_oneof![
                Just("http"),
                Just("https"),
                Just("HTTP"),
                Just("ftp"),
                Just("mailto")
            ],
            prop_oneof![
                Just("x.se".to_string()),
                Just("WWW.Kommun.SE.".to_string()),
                Just("xn--hr-via.se".to_string()),
                Just("höör.se".to_string()),
                Just("127.0.0.1:80".to_string()),
                Just("[::1]:443".to_string()),
                Just("x.se:8080".to_string()),
                "[a-z0-9.-]{1,20}",
            ],
            proptest::collection::vec(part, 0..8),
        )
            .prop_map(|(scheme, host, parts)| format!("{scheme}://{host}{}", parts.concat()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Canonicalising twice changes nothing, for any URL the `url`
        /// crate accepts, and never panics.
        #[test]
        fn canonical_url_is_idempotent(text in url_text()) {
            if let Ok(url) = Url::parse(&text) {
                let once = canonical_url(&url);
                prop_assert_eq!(canonical_url(&once), once.clone(), "{}", text);
                // The key is stored as text and parsed back.
                let stored = Url::parse(once.as_str()).unwrap();
                prop_assert_eq!(canonical_url(&stored), once);
            }
        }

        #[test]
        fn links_of_any_text_never_panic(base in url_text(), raw in any::<String>()) {
            if let Ok(base) = Url::parse(&base) {
                if let Ok(joined) = base.join(&raw) {
                    let once = canonical_url(&joined);
                    prop_assert_eq!(canonical_url(&once), once);
                }
            }
        }
    }

    use super::*;

    #[track_caller]
    fn check(input: &str, expected: &str) {
        let url = Url::parse(input).unwrap();
        assert_eq!(canonical_url(&url).as_str(), expected);
    }

    /// Every rule, one line each: (input, canonical form).
    const TABLE: &[(&str, &str)] = &[
        // Scheme and host case, default ports, trailing dot on the host.
        (
            "HTTPS://WWW.Vaxjo.SE:443/a.html",
            "https://www.vaxjo.se/a.html",
        ),
        ("http://x.se:80/a", "http://x.se/a"),
        ("http://x.se:8080/a", "http://x.se:8080/a"),
        ("https://www.vaxjo.se./a", "https://www.vaxjo.se/a"),
        // Fragments.
        ("https://x.se/a.html#main", "https://x.se/a.html"),
        ("https://x.se/a.html#", "https://x.se/a.html"),
        // Tracking and session parameters, in any case, wherever they are.
        (
            "https://x.se/a.html?utm_source=nyhetsbrev&utm_medium=epost",
            "https://x.se/a.html",
        ),
        (
            "https://x.se/a?id=5&fbclid=abc&page=2",
            "https://x.se/a?id=5&page=2",
        ),
        (
            "https://x.se/a?UTM_Campaign=x&gclid=1&mc_cid=2&mc_eid=3",
            "https://x.se/a",
        ),
        ("https://x.se/a?msclkid=1&_ga=2&_gl=3", "https://x.se/a"),
        (
            "https://x.se/a.php?PHPSESSID=abc&id=7",
            "https://x.se/a.php?id=7",
        ),
        (
            "https://x.se/4.1a2b.html;jsessionid=0A1B2C",
            "https://x.se/4.1a2b.html",
        ),
        (
            "https://x.se/a.html;JSESSIONID=0A1B2C?b=1",
            "https://x.se/a.html?b=1",
        ),
        // Sitevision's print view is the article.
        ("https://x.se/n/a.html.printable", "https://x.se/n/a.html"),
        (
            "https://x.se/n/a.html.printable?utm_source=x",
            "https://x.se/n/a.html",
        ),
        // An empty query is no query.
        ("https://x.se/a?", "https://x.se/a"),
        // Meaningful parameters stay, in their order, with their values.
        ("https://x.se/a?b=1&a=2", "https://x.se/a?b=1&a=2"),
        (
            "https://x.se/nyheter?id=12&lang=sv",
            "https://x.se/nyheter?id=12&lang=sv",
        ),
        ("https://x.se/?p=845", "https://x.se/?p=845"),
        // Percent-escapes: upper case; what the url crate escapes stays escaped.
        (
            "https://x.se/s%C3%B6k?q=%C3%A5",
            "https://x.se/s%C3%B6k?q=%C3%A5",
        ),
        ("https://x.se/s%c3%b6k", "https://x.se/s%C3%B6k"),
        ("https://x.se/sök", "https://x.se/s%C3%B6k"),
        ("https://x.se/100%-fiber", "https://x.se/100%-fiber"),
        // Dot segments.
        ("https://x.se/a/./b/../c.html", "https://x.se/a/c.html"),
        // Not merged: possibly different pages.
        ("https://x.se/a/index.html", "https://x.se/a/index.html"),
        ("https://x.se/a/", "https://x.se/a/"),
        ("https://x.se/a", "https://x.se/a"),
        ("http://x.se/a", "http://x.se/a"),
    ];

    #[test]
    fn canonical_forms() {
        for (input, expected) in TABLE {
            check(input, expected);
        }
    }

    #[test]
    fn canonical_form_is_a_fixed_point() {
        for (_, expected) in TABLE {
            check(expected, expected);
        }
    }

    #[test]
    fn relative_links() {
        let base = Url::parse("https://x.se/naringsliv/nyheter/index.htm").unwrap();
        let link = |t| canonical_link(t, &base).map(|u| u.to_string());
        assert_eq!(
            link("2012/a.htm").as_deref(),
            Some("https://x.se/naringsliv/nyheter/2012/a.htm")
        );
        assert_eq!(link("/b/").as_deref(), Some("https://x.se/b/"));
        assert_eq!(
            link("../index2.htm#top").as_deref(),
            Some("https://x.se/naringsliv/index2.htm")
        );
        assert_eq!(
            link(" ?utm_source=x ").as_deref(),
            Some("https://x.se/naringsliv/nyheter/index.htm")
        );
        assert_eq!(
            link("HTTP://Other.SE:80/a.html.printable").as_deref(),
            Some("http://other.se/a.html")
        );
        assert_eq!(link("//cdn.x.se/a").as_deref(), Some("https://cdn.x.se/a"));
        // Found by the property test below: two trailing dots.
        assert_eq!(link("http://x.se../a").as_deref(), Some("http://x.se/a"));
        assert_eq!(
            link("/a.printable.printable;jsessionid=1").as_deref(),
            Some("https://x.se/a")
        );
        assert_eq!(link("mailto:a@x.se"), None);
        assert_eq!(link("javascript:void(0)"), None);
        assert_eq!(link("tel:+46470410000"), None);
    }

    #[test]
    fn sites() {
        let site = |a: &str, b: &str| same_site(&Url::parse(a).unwrap(), &Url::parse(b).unwrap());
        assert!(site("https://www.vaxjo.se/a", "https://vaxjo.se/b"));
        assert!(site(
            "https://foretagare.helsingborg.se/",
            "https://helsingborg.se/x"
        ));
        assert!(site("https://www.vaxjo.se/a", "http://WWW.VAXJO.SE:8080/b"));
        assert!(!site("https://www.vaxjo.se/", "https://www.ljungby.se/"));
        assert!(!site(
            "https://www.vaxjo.se/",
            "https://www.mynewsdesk.com/se/vaxjo"
        ));
        assert!(site("http://127.0.0.1:8765/a", "http://127.0.0.1:9/b"));
        assert!(!site("http://127.0.0.1/", "http://10.0.0.1/"));
        assert!(!site("http://127.0.0.1/", "http://localhost/"));
    }
}
