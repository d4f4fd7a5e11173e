//! Per-source selectors in `sources.toml` reach extraction: in a poll, and
//! in `muniflux extract`/`links` for a page of a configured source.

use crate::support::{FileServer, TestConfig};

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/overrides")
}

/// The list's only link is a short "Läs" in a card, and the article page
/// leads with an "about us" block that the heuristics take for the article
/// (`extract` without selectors reads "Om kommunen").
fn sources(base: &str, selectors: bool) -> String {
    let selectors = if selectors {
        r#"selectors = { links = ".kort", title = "h2.rubrik", date = ".datum", body = ".nyhet-text" }"#
    } else {
        ""
    };
    format!("[[source]]\nname = \"Norrby nyheter\"\nurl = \"{base}/nyheter/\"\n{selectors}\n")
}

#[test]
fn a_poll_uses_the_sources_selectors() {
    let server = FileServer::start(&fixtures());
    let config = TestConfig::new(&sources(&server.base, true), "");
    config.poll();
    let (_, feed) = config.export();
    assert_eq!(feed.entries.len(), 1, "{:?}", server.requests());
    let entry = &feed.entries[0];
    assert_eq!(
        entry.title.as_ref().unwrap().content,
        "Ny förskola i Norrby"
    );
    let body = entry.content.as_ref().and_then(|c| c.body.clone()).unwrap();
    assert!(body.contains("Bygget startar i augusti."), "{body}");
    assert!(!body.contains("tjugo tusen invånare"), "{body}");
    // "3/5 2024" is a day: local midnight, 22:00 UTC the day before.
    let published = entry.published.unwrap();
    assert_eq!(published.format("%Y-%m-%d").to_string(), "2024-05-02");
}

#[test]
fn extract_and_links_use_the_configured_sources_selectors() {
    let server = FileServer::start(&fixtures());
    let article = format!("{}/nyheter/forskola.html", server.base);
    let list = format!("{}/nyheter/", server.base);

    let plain = TestConfig::new(&sources(&server.base, false), "");
    let out = plain.muniflux(&["extract", &article]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["title"], "Om kommunen");

    let config = TestConfig::new(&sources(&server.base, true), "");
    let out = config.muniflux(&["extract", &article]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["title"], "Ny förskola i Norrby");
    assert_eq!(json["published"], "2024-05-03");
    assert_eq!(json["date_source"], "label:selector");

    let out = config.muniflux(&["links", &list]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["links"][0], article);

    // A flag replaces the configured selector.
    let out = config.muniflux(&["extract", "--title-selector", "h1", &article]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["title"], "Om kommunen");
}

#[test]
fn an_invalid_selector_is_a_config_error() {
    let config = TestConfig::new(
        "[[source]]\nname = \"Norrby\"\nurl = \"https://norrby.se/\"\nselectors = { body = \"div[\" }\n",
        "",
    );
    let out = config.muniflux(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sources.toml:4"), "{err}");
    assert!(err.contains("source.selectors.body"), "{err}");
    assert!(err.contains("source `Norrby`"), "{err}");
}
