//! What a poll does to the sites and to the schedule: conditional requests
//! and 304, Retry-After and backoff stored as the next check, host_delay
//! between requests, permanent redirects, and `muniflux sources`.

use std::time::Duration;

use muniflux::store::{SourceHealth, Store};

use crate::support::{FileServer, TestConfig};

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site")
}

fn source(name: &str, url: &str) -> String {
    format!("[[source]]\nname = \"{name}\"\nurl = \"{url}\"\ntags = [\"test\"]\n\n")
}

fn health(config: &TestConfig, name: &str) -> SourceHealth {
    let store = Store::open(&config.dir.path().join("state/muniflux.db")).unwrap();
    let rows = store.source_health().unwrap();
    rows.into_iter().find(|h| h.name == name).unwrap()
}

/// Seconds from the last poll to the next check.
fn wait_s(h: &SourceHealth) -> i64 {
    h.next_check_at.unwrap().as_second() - h.last_polled_at.unwrap().as_second()
}

#[test]
fn second_poll_is_conditional_and_a_304_reads_nothing_more() {
    // The checked-in fixtures are older than a second, so their
    // Last-Modified is a trustworthy validator.
    let server = FileServer::start(&fixtures());
    let config = TestConfig::new(&source("RSS", &format!("{}/feed.xml", server.base)), "");
    config.poll();
    let first = server.log();
    let feed_hits: Vec<_> = first.iter().filter(|r| r.path == "/feed.xml").collect();
    assert_eq!(feed_hits.len(), 1);
    assert_eq!(feed_hits[0].if_modified_since, None);
    assert!(
        first
            .iter()
            .any(|r| r.path == "/nyheter/ny-industripark.html"),
        "the summary-only item's page is read: {first:?}"
    );
    assert_eq!(
        first[0].user_agent.as_deref(),
        Some("muniflux-test/1.0"),
        "the configured User-Agent is sent"
    );

    let log = config.poll();
    // A new process remembers robots.txt from the database (it holds for
    // a day); it reads the feed, conditionally, and the pages of its
    // recent articles, conditionally too (checked for corrections, issue
    // 5): every request is answered from validators.
    let second: Vec<_> = server.log()[first.len()..].to_vec();
    let paths: Vec<&str> = second.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        ["/feed.xml", "/nyheter/ny-industripark.html"],
        "{log}"
    );
    assert!(
        second.iter().all(|r| r.if_modified_since.is_some()),
        "{second:?}"
    );
    let h = health(&config, "RSS");
    assert_eq!(h.last_status, Some(304));
    assert_eq!(h.error_count, 0);
    assert_eq!(h.empty_polls, 0, "a 304 is not an empty poll");
}

#[test]
fn retry_after_and_backoff_decide_the_next_check() {
    let server = FileServer::start(&fixtures());
    let sources = [
        source(
            "Överbelastad",
            &format!("{}/status/429?retry-after=7200", server.base),
        ),
        source("Trasig", &format!("{}/status/500", server.base)),
    ]
    .concat();
    let config = TestConfig::new(&sources, "");
    config.poll();
    let busy = health(&config, "Överbelastad");
    assert_eq!((busy.last_status, busy.error_count), (Some(429), 1));
    // At least the server's Retry-After, at most that plus the jitter.
    assert!((7200..=7920).contains(&wait_s(&busy)), "{busy:?}");
    let broken = health(&config, "Trasig");
    assert!((1800..=1980).contains(&wait_s(&broken)), "{broken:?}");

    config.poll();
    config.poll();
    let broken = health(&config, "Trasig");
    assert_eq!(broken.error_count, 3);
    // 30m doubled twice.
    assert!((7200..=7920).contains(&wait_s(&broken)), "{broken:?}");
    assert!(broken.last_error.unwrap().contains("500"));
}

#[test]
fn host_delay_separates_every_request_to_a_host() {
    let server = FileServer::start(&fixtures());
    let delay = Duration::from_millis(300);
    let sources = [
        source("Lista", &format!("{}/nyheter/", server.base)),
        source("RSS", &format!("{}/feed.xml", server.base)),
    ]
    .concat();
    let config = TestConfig::new(&sources, "");
    let toml = std::fs::read_to_string(config.path()).unwrap();
    std::fs::write(
        config.path(),
        toml.replace("host_delay = \"0s\"", "host_delay = \"300ms\""),
    )
    .unwrap();
    config.poll();
    let log = server.log();
    assert!(log.len() >= 4, "robots.txt, two sources, articles: {log:?}");
    for pair in log.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= delay,
            "{} came {gap:?} after {}",
            pair[1].path,
            pair[0].path
        );
    }
    assert_eq!(server.hits("/robots.txt"), 1, "robots.txt is cached");
    assert!(!log.iter().any(|r| r.path.starts_with("/intern/")));
}

#[test]
fn a_permanent_redirect_moves_the_source_and_tells_the_operator() {
    let server = FileServer::start(&fixtures());
    // The server answers /nyheter with 301 to /nyheter/.
    let config = TestConfig::new(&source("Flyttad", &format!("{}/nyheter", server.base)), "");
    let log = config.poll();
    assert!(log.contains("moved permanently"), "{log}");
    let h = health(&config, "Flyttad");
    let new_url = format!("{}/nyheter/", server.base);
    assert_eq!(h.moved_to.as_deref(), Some(new_url.as_str()));

    let before = server.log().len();
    config.poll();
    let second: Vec<String> = server.requests()[before..]
        .iter()
        .filter(|p| *p != "/robots.txt")
        .cloned()
        .collect();
    assert!(
        second.first().is_some_and(|p| p == "/nyheter/"),
        "the new URL is polled directly: {second:?}"
    );

    let out = config.muniflux(&["sources"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with("SOURCE"), "{table}");
    assert!(table.contains("Flyttad"), "{table}");
    assert!(
        table.contains(&format!("moved permanently to {new_url}")),
        "{table}"
    );
}

#[test]
fn sources_lists_health_and_never_polled_sources() {
    let server = FileServer::start(&fixtures());
    let sources = [
        source("Lista", &format!("{}/nyheter/", server.base)),
        source("Trasig", &format!("{}/status/503", server.base)),
    ]
    .concat();
    let config = TestConfig::new(&sources, "");
    config.poll();
    let more = format!(
        "{sources}{}",
        source("Ny", &format!("{}/feed.xml", server.base))
    );
    std::fs::write(config.dir.path().join("sources.toml"), more).unwrap();
    let out = config.muniflux(&["sources"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let line = |name: &str| {
        table
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no line for {name} in\n{table}"))
            .to_string()
    };
    assert!(line("Trasig").contains("HTTP 503"), "{table}");
    assert!(line("Trasig").contains("1 error in a row"), "{table}");
    assert!(line("Lista").contains("200"), "{table}");
    assert!(line("Ny").contains("never"), "{table}");

    // A broken list: the stored sources are still shown, then exit 2.
    std::fs::write(
        config.dir.path().join("sources.toml"),
        "[[source]]\nnamn = 1\n",
    )
    .unwrap();
    let out = config.muniflux(&["sources"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Trasig"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sources.toml:2"));
}
