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
