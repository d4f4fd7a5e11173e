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
        )
}

/// The canonical form of `url`: scheme and host lower-cased and the default
/// port dropped (the `url` crate does both when parsing), no fragment, no
/// tracking parameters, no Sitevision `.printable` suffix. Meaningful query
/// parameters keep their order.
pub fn canonical_url(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    if let Some(stripped) = url.path().strip_suffix(".printable").map(str::to_string) {
        url.set_path(&stripped);
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

/// Parses `text` (absolute, or relative to `base`) and canonicalises it;
/// `None` for anything that is not an http(s) URL.
pub fn canonical_link(text: &str, base: &Url) -> Option<Url> {
    let url = base.join(text.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| canonical_url(&url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: &str) {
        let url = Url::parse(input).unwrap();
        assert_eq!(canonical_url(&url).as_str(), expected);
    }

    #[test]
    fn canonical_forms() {
        check(
            "HTTPS://WWW.Vaxjo.SE:443/a.html",
            "https://www.vaxjo.se/a.html",
        );
        check("http://x.se:80/a", "http://x.se/a");
        check("http://x.se:8080/a", "http://x.se:8080/a");
        check("https://x.se/a.html#main", "https://x.se/a.html");
        check(
            "https://x.se/a.html?utm_source=nyhetsbrev&utm_medium=epost",
            "https://x.se/a.html",
        );
        check(
            "https://x.se/a?id=5&fbclid=abc&page=2",
            "https://x.se/a?id=5&page=2",
        );
        check(
            "https://x.se/a?UTM_Campaign=x&gclid=1&mc_cid=2",
            "https://x.se/a",
        );
        check("https://x.se/n/a.html.printable", "https://x.se/n/a.html");
        check("https://x.se/a?", "https://x.se/a");
        check("https://x.se/a?b=1&a=2", "https://x.se/a?b=1&a=2");
        check(
            "https://x.se/s%C3%B6k?q=%C3%A5",
            "https://x.se/s%C3%B6k?q=%C3%A5",
        );
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
        assert_eq!(link("mailto:a@x.se"), None);
        assert_eq!(link("javascript:void(0)"), None);
    }
}
