//! Topic filters in a poll: kept topics reach the feed, the rest is
//! remembered (not fetched again), counted in `sources`, read again when
//! the filter changes; `url_prefix` keeps one section without fetching the
//! rest; `extract` and `discover` say whether a page passes.

use std::path::Path;

use serde_json::Value;

use crate::support::{FileServer, TestConfig};

fn site() -> FileServer {
    FileServer::start(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/discover/sitevision"),
    )
}

fn titles(config: &TestConfig) -> Vec<String> {
    let (_, feed) = config.export();
    let mut titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    titles.sort();
    titles
}

/// The FILTERED column of `muniflux sources` for a source.
fn filtered(config: &TestConfig, name: &str) -> String {
    let out = config.muniflux(&["sources"]);
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    let header = table.lines().next().unwrap();
    let column = header.find("FILTERED").unwrap();
    let line = table.lines().find(|l| l.starts_with(name)).unwrap();
    line[column..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn kept_topics_reach_the_feed_and_the_rest_is_remembered() {
    let server = site();
    let list = |general_include: &str| {
        format!(
            "[filter]\ninclude = [\"företag\", \"näringsliv\"]\n\n\
             [[source]]\nname = \"Allmänt\"\nurl = \"{0}/nyheter.html\"\n{general_include}\n\
             [[source]]\nname = \"Företagare\"\nurl = \"{0}/naringsliv-och-arbete/nyheter-for-foretagare.html\"\nexclude = [\"upphandling\"]\n",
            server.base
        )
    };
    let config = TestConfig::new(&list(""), "");
    config.poll();
    assert_eq!(
        titles(&config),
        [
            "Företagsfrukost om kompetensförsörjning",
            "Ny industripark öppnar vid hamnen",
            "Rekordmånga nyföretagare i Älvnäs",
        ]
    );
    assert_eq!(filtered(&config, "Allmänt"), "5");
    assert_eq!(filtered(&config, "Företagare"), "1");
    let fetched_once = "/nyheter/2024-05-23-asfaltering-vecka-22.html";
    assert_eq!(server.hits(fetched_once), 1);

    // The next poll does not fetch what was turned away.
    config.poll();
    assert_eq!(server.hits(fetched_once), 1);
    assert_eq!(filtered(&config, "Allmänt"), "5");

    // A changed filter reads them again: the general source opts out of
    // the list's include.
    std::fs::write(
        config.dir.path().join("sources.toml"),
        list("include = []\n"),
    )
    .unwrap();
    config.poll();
    assert_eq!(server.hits(fetched_once), 2);
    assert_eq!(titles(&config).len(), 8, "{:?}", titles(&config));
}

#[test]
fn url_prefix_keeps_one_section_without_fetching_the_rest() {
    let server = site();
    let sources = format!(
        "[[source]]\nname = \"Maj\"\nurl = \"{}/nyheter.html\"\nurl_prefix = \"/nyheter/2024-05\"\n",
        server.base
    );
    let config = TestConfig::new(&sources, "");
    config.poll();
    assert_eq!(titles(&config).len(), 4);
    assert_eq!(
        server.hits("/nyheter/2024-04-30-valborg-stadsparken.html"),
        0
    );
    assert_eq!(filtered(&config, "Maj"), "1");
}

#[test]
fn extract_and_discover_say_whether_a_page_passes() {
    let server = site();
    let sources = format!(
        "[filter]\nexclude = [\"asfaltering\"]\n\n[[source]]\nname = \"Företagare\"\nurl = \"{}/naringsliv-och-arbete/nyheter-for-foretagare.html\"\ninclude = [\"företag\"]\n",
        server.base
    );
    let config = TestConfig::new(&sources, "");
    let extract = |path: &str| -> Value {
        let out = config.muniflux(&["extract", &format!("{}{path}", server.base)]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // A page of the source: its filter.
    let kept = extract(
        "/naringsliv-och-arbete/nyheter-for-foretagare/2024-05-14-ny-industripark-vid-hamnen.html",
    );
    assert_eq!(kept["filter"]["source"], "Företagare", "{kept:#}");
    assert_eq!(
        kept["filter"]["filter"],
        "include: företag; exclude: asfaltering"
    );
    assert_eq!(kept["filter"]["passes"], true);
    assert_eq!(kept["filter"]["reason"], "included by “företag” (address)");
    // A page of no source: the list's filter.
    let dropped = extract("/nyheter/2024-05-23-asfaltering-vecka-22.html");
    assert_eq!(dropped["filter"]["source"], Value::Null);
    assert_eq!(dropped["filter"]["passes"], false);
    assert_eq!(
        dropped["filter"]["reason"],
        "excluded by “asfaltering” (headline)"
    );
    let passes = extract("/nyheter/2024-05-21-sommarlovsaktiviteter.html");
    assert_eq!(passes["filter"]["passes"], true);
    // Without a filter the field is null.
    let plain = TestConfig::new("", "");
    let out = plain.muniflux(&[
        "extract",
        &format!(
            "{}/nyheter/2024-05-21-sommarlovsaktiviteter.html",
            server.base
        ),
    ]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["filter"].is_null() && json["title"].is_string(),
        "{json:#}"
    );

    let out = config.muniflux(&["discover", "--json", &format!("{}/", server.base)]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let why_of = |suffix: &str| -> String {
        json["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["url"].as_str().unwrap().ends_with(suffix))
            .unwrap()["why"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let general = why_of("/nyheter.html");
    assert!(
        general.contains(
            "4 of 5 items pass the topic filter (exclude: asfaltering) by headline and address"
        ),
        "{general}"
    );
    let business = why_of("/nyheter-for-foretagare.html");
    assert!(
        business
            .contains("of 4 items pass the topic filter (include: företag; exclude: asfaltering)"),
        "{business}"
    );
}
