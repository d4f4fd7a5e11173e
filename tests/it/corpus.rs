//! The development corpus (`../shared/corpus`): six municipal sites served
//! from 127.0.0.1, polled with its source list, exported and compared with
//! `gold.json`; then `updates/` is laid over the sites and polled again.

use std::collections::HashMap;

use jiff::Timestamp;
use muniflux::model::STOCKHOLM;
use muniflux::score::leaks;
use serde_json::Value;

use crate::support::{copy_tree, corpus_dir, text_of, token_f1, FileServer, TestConfig};

/// Body token F1 every corpus article must reach.
const MIN_BODY_F1: f64 = 0.95;

struct Got {
    id: String,
    title: String,
    paths: Vec<String>,
    categories: Vec<String>,
    published: Option<String>,
    updated: String,
    body: String,
}

fn path_of(href: &str) -> String {
    let url = url::Url::parse(href).unwrap();
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// Local Stockholm time as `YYYY-MM-DDTHH:MM`.
fn local_minute(unix_seconds: i64) -> String {
    let ts = Timestamp::from_second(unix_seconds).unwrap();
    ts.to_zoned(STOCKHOLM.clone())
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

fn entries(feed: &feed_rs::model::Feed) -> Vec<Got> {
    feed.entries
        .iter()
        .map(|e| Got {
            id: e.id.clone(),
            title: e
                .title
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default(),
            paths: e.links.iter().map(|l| path_of(&l.href)).collect(),
            categories: e.categories.iter().map(|c| c.term.clone()).collect(),
            published: e.published.map(|t| local_minute(t.timestamp())),
            updated: local_minute(e.updated.expect("every entry has updated").timestamp()),
            body: text_of(
                e.content
                    .as_ref()
                    .and_then(|c| c.body.as_deref())
                    .unwrap_or(""),
            ),
        })
        .collect()
}

/// Gold date ("YYYY-MM-DD" or "YYYY-MM-DDTHH:MM") against a local minute.
fn date_matches(gold: &str, got: &str) -> bool {
    if gold.len() == 10 {
        got.starts_with(gold)
    } else {
        got == gold
    }
}

/// Every problem of the exported feed against one gold state.
fn problems(gold: &[Value], got: &[Got]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut matched: HashMap<usize, &str> = HashMap::new();
    for item in gold {
        let id = item["id"].as_str().unwrap();
        let urls: Vec<&str> = item["urls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_str().unwrap())
            .collect();
        let hits: Vec<usize> = (0..got.len())
            .filter(|&i| got[i].paths.iter().any(|p| urls.contains(&p.as_str())))
            .collect();
        let [i] = hits[..] else {
            problems.push(format!("{id}: found {} times, expected once", hits.len()));
            continue;
        };
        if let Some(other) = matched.insert(i, id) {
            problems.push(format!("{id}: shares an entry with {other}"));
        }
        let g = &got[i];
        problems.extend(cross_post_problems(id, &urls, g));
        let title = item["title"].as_str().unwrap();
        if g.title != title {
            problems.push(format!("{id}: title {:?}, expected {title:?}", g.title));
        }
        match (item["published"].as_str(), &g.published) {
            (Some(want), Some(have)) if date_matches(want, have) => {}
            (None, None) => {}
            (want, have) => problems.push(format!("{id}: published {have:?}, expected {want:?}")),
        }
        let want_updated = item["updated"].as_str().or(item["published"].as_str());
        match want_updated {
            Some(want) if !date_matches(want, &g.updated) => {
                problems.push(format!("{id}: updated {}, expected {want}", g.updated))
            }
            None if g.updated.starts_with("2022-05") => {
                problems.push(format!("{id}: updated {} is a trap date", g.updated))
            }
            _ => {}
        }
        let f1 = token_f1(&g.body, item["body_text"].as_str().unwrap());
        if f1 < MIN_BODY_F1 {
            problems.push(format!("{id}: body F1 {f1:.3}\n--- got:\n{}\n", g.body));
        }
        let snippets = item["must_not_contain"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str);
        for s in leaks(&g.body, snippets) {
            problems.push(format!("{id}: body contains boilerplate {s:?}"));
        }
    }
    if got.len() != gold.len() {
        let extra: Vec<_> = (0..got.len())
            .filter(|i| !matched.contains_key(i))
            .map(|i| (&got[i].title, &got[i].paths))
            .collect();
        problems.push(format!(
            "{} entries, expected {}; unmatched: {extra:?}",
            got.len(),
            gold.len()
        ));
    }
    problems
}

/// The corpus sites copied to a temporary folder and served, with the
/// source list pointing at the server.
fn serve_corpus(corpus: &std::path::Path) -> (tempfile::TempDir, FileServer, String) {
    let sites = tempfile::tempdir().unwrap();
    copy_tree(&corpus.join("sites"), sites.path());
    let server = FileServer::start(sites.path());
    let sources = std::fs::read_to_string(corpus.join("sources.toml"))
        .unwrap()
        .replace("{base}", &server.base);
    (sites, server, sources)
}

/// The site of a corpus path: its first segment (`/vaxjo/...`).
fn site_of(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

/// A story posted on several sites lists each: a link to every other
/// site's copy and the site's tag as a category.
fn cross_post_problems(id: &str, urls: &[&str], got: &Got) -> Vec<String> {
    let home = site_of(urls[0]);
    let mut problems = Vec::new();
    for url in urls.iter().filter(|u| site_of(u) != home) {
        if !got.paths.iter().any(|p| p == url) {
            problems.push(format!("{id}: no link to the cross-post {url}"));
        }
        let site = site_of(url).to_string();
        if !got.categories.contains(&site) {
            problems.push(format!("{id}: no category {site} for its cross-post"));
        }
    }
    problems
}

#[test]
fn corpus_polled_twice_matches_gold() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipped: ../shared/corpus is not here");
        return;
    };
    let gold: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus.join("gold.json")).unwrap()).unwrap();
    let (sites, server, sources) = serve_corpus(&corpus);
    let config = TestConfig::new(&sources, "");

    config.poll();
    let (xml, feed) = config.export();
    let initial = problems(gold["initial"].as_array().unwrap(), &entries(&feed));
    let initial_ids: Vec<String> = entries(&feed).into_iter().map(|g| g.id).collect();
    assert!(
        initial.is_empty(),
        "after the first poll:\n{}\n\nfeed:\n{xml}",
        initial.join("\n")
    );
    let written = std::fs::read_to_string(config.dir.path().join("out/feed.atom")).unwrap();
    assert_eq!(
        written, xml,
        "poll writes [feed] output, the same feed export prints"
    );

    for path in gold["never_fetched"].as_array().unwrap() {
        let path = path.as_str().unwrap();
        assert!(
            !server.requests().iter().any(|r| r.starts_with(path)),
            "{path} is disallowed by robots.txt but was requested"
        );
    }

    // A second poll with nothing changed adds nothing and changes no byte of
    // the feed (so its ETag stays the same for subscribers).
    config.poll();
    let (again, _) = config.export();
    assert_eq!(again, xml, "an unchanged poll changed the feed");

    copy_tree(&corpus.join("updates"), sites.path());
    config.poll();
    let (xml, feed) = config.export();
    let got = entries(&feed);
    let after = problems(gold["after_updates"].as_array().unwrap(), &got);
    // Every entry keeps its id; the corrected one is still the same entry.
    let after_ids: Vec<&str> = got.iter().map(|g| g.id.as_str()).collect();
    for id in &initial_ids {
        assert!(
            after_ids.contains(&id.as_str()),
            "{id} is gone after updates"
        );
    }
    assert_eq!(after_ids.len(), initial_ids.len() + 1);
    assert!(
        after.is_empty(),
        "after updates:\n{}\n\nfeed:\n{xml}",
        after.join("\n")
    );
    for path in gold["never_fetched"].as_array().unwrap() {
        let path = path.as_str().unwrap();
        assert!(
            !server.requests().iter().any(|r| r.starts_with(path)),
            "{path} was requested"
        );
    }
}

/// Entry ids come from the story, not from the database: a database rebuilt
/// from scratch gives every article the id it had, URL variants and
/// cross-posts included.
#[test]
fn corpus_entry_ids_survive_a_database_rebuild() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipped: ../shared/corpus is not here");
        return;
    };
    let (_sites, _server, sources) = serve_corpus(&corpus);
    let ids = |config: &TestConfig| {
        let mut ids: Vec<String> = config
            .export()
            .1
            .entries
            .into_iter()
            .map(|e| e.id)
            .collect();
        ids.sort();
        ids
    };
    let first = TestConfig::new(&sources, "");
    first.poll();
    let before = ids(&first);
    assert_eq!(before.len(), 27);
    let rebuilt = TestConfig::new(&sources, "");
    rebuilt.poll();
    assert_eq!(ids(&rebuilt), before);
}
