//! Failing sources are reported and stored as the source's last error; other
//! sources go on and nothing stored before is lost.

use muniflux::store::Store;

use crate::support::{copy_tree, FileServer, TestConfig};

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site")
}

fn sources(base: &str) -> String {
    format!(
        r#"
[[source]]
name = "Exempelby nyheter"
url = "{base}/nyheter/"
tags = ["exempelby", "naringsliv"]

[[source]]
name = "Exempelby RSS"
url = "{base}/feed.xml"
tags = ["exempelby"]

[[source]]
name = "Trasig server"
url = "{base}/status/500"
tags = ["trasig"]

[[source]]
name = "Trasigt flöde"
url = "{base}/bad-feed.xml"
tags = ["trasig"]

[[source]]
name = "Stängd port"
url = "http://127.0.0.1:9/nyheter/"
tags = ["trasig"]
"#
    )
}

fn titles(config: &TestConfig) -> Vec<String> {
    let (_, feed) = config.export();
    let mut titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.clone().unwrap().content)
        .collect();
    titles.sort();
    titles
}

#[test]
fn failing_sources_are_stored_errors_and_lose_nothing() {
    let site = tempfile::tempdir().unwrap();
    copy_tree(&fixtures(), site.path());
    let server = FileServer::start(site.path());
    let config = TestConfig::new(&sources(&server.base), "");

    let log = config.poll();
    let expected = [
        "Bredband till alla företag på landsbygden",
        "Ny industripark öppnar vid hamnen",
        "Välkommen på företagsfrukost i april",
    ];
    assert_eq!(titles(&config), expected, "{log}");
    assert!(
        log.contains("Trasig server") && log.contains("500"),
        "the log names the source: {log}"
    );
    assert!(
        !server.requests().iter().any(|r| r.starts_with("/intern/")),
        "robots.txt disallows /intern/"
    );

    let store = Store::open(&config.dir.path().join("state/muniflux.db")).unwrap();
    let rows = store.sources().unwrap();
    let error_of = |name: &str| {
        rows.iter()
            .find(|r| r.name == name)
            .unwrap()
            .last_error
            .clone()
            .unwrap_or_default()
    };
    assert!(error_of("Trasig server").contains("500"), "{rows:?}");
    assert!(
        error_of("Trasigt flöde").contains("bad-feed.xml"),
        "{rows:?}"
    );
    assert!(error_of("Stängd port").contains("127.0.0.1:9"), "{rows:?}");
    assert_eq!(error_of("Exempelby nyheter"), "");
    let good = rows.iter().find(|r| r.name == "Exempelby nyheter").unwrap();
    assert!(good.last_success_at.is_some());
    // The list page and the feed both lead to the industrial park: one article, two sources.
    let (_, feed) = config.export();
    let park = feed
        .entries
        .iter()
        .find(|e| {
            e.title
                .as_ref()
                .unwrap()
                .content
                .starts_with("Ny industripark")
        })
        .unwrap();
    let terms: Vec<&str> = park.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(terms, ["exempelby", "naringsliv"]);
    drop(store);

    // Now the good site breaks too: the stored articles stay in the feed.
    std::fs::write(
        site.path().join("nyheter/index.html"),
        "<html><body><p>Tillfälligt fel</p>",
    )
    .unwrap();
    std::fs::remove_file(site.path().join("feed.xml")).unwrap();
    config.poll();
    assert_eq!(titles(&config), expected);
}
