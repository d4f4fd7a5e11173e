//! Scores the extractors against the development corpus in
//! `../shared/corpus` (skipped when it is not there): titles exact, body token
//! F1 >= 0.98, no boilerplate leaks, list links exact, next pages right.

use crate::score::{self, token_f1};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use jiff::Timestamp;
use scraper::Html;
use serde_json::Value;
use url::Url;

use super::article::extract_article;
use super::links::links_from_list;

const HOST: &str = "http://127.0.0.1:8765";

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"));
    dir.exists().then(|| dir.to_path_buf())
}

/// The file served for `path` in a state; `updates/` overrides `sites/`.
fn read_page(dir: &Path, path: &str, updated: bool) -> String {
    let path = path
        .split('?')
        .next()
        .unwrap_or(path)
        .trim_start_matches('/');
    let mut relative = path.to_string();
    if relative.ends_with('/') || relative.is_empty() {
        relative.push_str("index.html");
    }
    let update = dir.join("updates").join(&relative);
    let file = if updated && update.exists() {
        update
    } else {
        dir.join("sites").join(&relative)
    };
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => encoding_rs::WINDOWS_1252
            .decode(e.as_bytes())
            .0
            .into_owned(),
    }
}

fn gold(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("gold.json")).unwrap()).unwrap()
}

#[test]
fn corpus_articles() {
    let Some(dir) = corpus_dir() else { return };
    let gold = gold(&dir);
    let now = Timestamp::from_second(1_750_000_000).unwrap();
    let (mut pages, mut titles, mut leaks, mut failures) = (0, 0, 0, Vec::new());
    let mut f1s = Vec::new();
    for state in ["initial", "after_updates"] {
        for item in gold[state].as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            for path in item["urls"].as_array().unwrap() {
                let path = path.as_str().unwrap();
                pages += 1;
                let html = read_page(&dir, path, state == "after_updates");
                let url = Url::parse(&format!("{HOST}{path}")).unwrap();
                let article = match extract_article(&html, &url, now) {
                    Ok(a) => a,
                    Err(e) => {
                        failures.push(format!("{state} {id}: {e}"));
                        f1s.push(0.0);
                        continue;
                    }
                };
                super::html::assert_sanitized(&article.body_html);
                let title_ok = article.title == item["title"].as_str().unwrap();
                titles += title_ok as usize;
                let f1 = token_f1(&article.body_text, item["body_text"].as_str().unwrap());
                f1s.push(f1);
                let leaked = score::leaks(
                    &article.body_text,
                    item["must_not_contain"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(Value::as_str),
                );
                leaks += leaked.len();
                if !title_ok || f1 < 0.98 || !leaked.is_empty() {
                    failures.push(format!(
                        "{state} {id} {path}\n  title {:?} (want {:?})\n  f1 {f1:.3}\n  leaks {leaked:?}\n  body: {}\n  want: {}",
                        article.title,
                        item["title"],
                        article.body_text,
                        item["body_text"].as_str().unwrap()
                    ));
                }
            }
        }
    }
    let min = f1s.iter().copied().fold(1.0, f64::min);
    let mean = f1s.iter().sum::<f64>() / f1s.len().max(1) as f64;
    eprintln!(
        "corpus articles: titles {titles}/{pages}, F1 min {min:.3} mean {mean:.4}, leaks {leaks}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The list pages of `sources.toml` (feeds excluded) and their next pages,
/// with the expected next page of each.
fn list_pages(dir: &Path) -> Vec<(String, Option<String>)> {
    let sources: toml::Value =
        toml::from_str(&std::fs::read_to_string(dir.join("sources.toml")).unwrap()).unwrap();
    let next: HashMap<&str, &str> = [
        (
            "/upplandsvasby/naringsliv/nyheter/index.htm",
            "/upplandsvasby/naringsliv/nyheter/index2.htm",
        ),
        (
            "/vimmerby/kommunchefsbloggen/",
            "/vimmerby/kommunchefsbloggen/page/2/",
        ),
        (
            "/skelleftea/naringsliv/nyheter/",
            "/skelleftea/naringsliv/nyheter/sida-2/",
        ),
        ("/ljungby/nyheter/", "/ljungby/nyheter/sida/2/"),
    ]
    .into_iter()
    .collect();
    let mut pages = Vec::new();
    for source in sources["source"].as_array().unwrap() {
        let url = source["url"].as_str().unwrap().replace("{base}", "");
        if url.ends_with(".xml") {
            continue;
        }
        let next_page = next.get(url.as_str()).map(|s| s.to_string());
        pages.push((url.clone(), next_page.clone()));
        if let Some(second) = next_page {
            pages.push((second, None));
        }
    }
    pages
}

/// The gold article paths (with query, as gold writes them) that a page
/// links to outside its sidebar, in page order.
fn expected_links(dir: &Path, html: &str, page: &Url, updated: bool) -> Vec<String> {
    let gold = gold(dir);
    let state = if updated { "after_updates" } else { "initial" };
    let mut known: Vec<String> = gold[state]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|item| item["urls"].as_array().unwrap().iter())
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    known.extend(
        gold["never_fetched"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string),
    );
    let doc = Html::parse_document(html);
    let selector = scraper::Selector::parse("a[href]").unwrap();
    let mut found = Vec::new();
    for a in doc.select(&selector) {
        // Sidebar widgets ("Senaste inläggen") link articles too, but they
        // are not the list.
        let in_sidebar = a
            .ancestors()
            .filter_map(scraper::ElementRef::wrap)
            .any(|e| e.value().name() == "aside");
        if in_sidebar {
            continue;
        }
        let Ok(url) = page.join(a.attr("href").unwrap()) else {
            continue;
        };
        let path = path_and_query(&url);
        if known.contains(&path) && !found.contains(&path) {
            found.push(path);
        }
    }
    found
}

fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

#[test]
fn corpus_lists() {
    let Some(dir) = corpus_dir() else { return };
    let mut failures = Vec::new();
    let mut exact = 0;
    let mut total = 0;
    for updated in [false, true] {
        for (path, next) in list_pages(&dir) {
            total += 1;
            let html = read_page(&dir, &path, updated);
            let url = Url::parse(&format!("{HOST}{path}")).unwrap();
            let list = links_from_list(&html, &url);
            let got: Vec<String> = list.links.iter().map(path_and_query).collect();
            let want = expected_links(&dir, &html, &url, updated);
            let got_next = list.next_page.as_ref().map(path_and_query);
            if got == want && got_next == next {
                exact += 1;
            } else {
                failures.push(format!(
                    "{path} (updated: {updated})\n  got  {got:?}\n  want {want:?}\n  next {got_next:?} want {next:?}"
                ));
            }
        }
    }
    eprintln!("corpus lists: exact {exact}/{total}");
    // A list page is not an article.
    for (path, _) in list_pages(&dir) {
        let html = read_page(&dir, &path, false);
        let url = Url::parse(&format!("{HOST}{path}")).unwrap();
        if let Ok(article) = extract_article(&html, &url, Timestamp::UNIX_EPOCH) {
            failures.push(format!(
                "{path}: list page read as article {:?}",
                article.title
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Release-mode timing: `cargo test --release --lib corpus_speed -- --ignored --nocapture`.
#[test]
#[ignore]
fn corpus_speed() {
    let Some(dir) = corpus_dir() else { return };
    let gold = gold(&dir);
    let mut pages = Vec::new();
    for item in gold["initial"].as_array().unwrap() {
        for path in item["urls"].as_array().unwrap() {
            let path = path.as_str().unwrap();
            pages.push((
                read_page(&dir, path, false),
                Url::parse(&format!("{HOST}{path}")).unwrap(),
            ));
        }
    }
    let rounds = 50;
    let start = Instant::now();
    for _ in 0..rounds {
        for (html, _) in &pages {
            std::hint::black_box(Html::parse_document(html));
        }
    }
    let parse = start.elapsed();
    let start = Instant::now();
    for _ in 0..rounds {
        for (html, url) in &pages {
            let _ = std::hint::black_box(extract_article(html, url, Timestamp::UNIX_EPOCH));
        }
    }
    let extract = start.elapsed();
    let n = (rounds * pages.len()) as f64;
    eprintln!(
        "parse only: {:.0} pages/s; parse+extract: {:.0} pages/s; ratio {:.2}",
        n / parse.as_secs_f64(),
        n / extract.as_secs_f64(),
        extract.as_secs_f64() / parse.as_secs_f64()
    );
}

/// Pathological input in release mode: 100 000 nested elements.
#[test]
#[ignore]
fn deep_nesting_speed() {
    let depth = 100_000;
    let html = format!(
        "{}<p>Text.</p>{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let url = Url::parse(HOST).unwrap();
    let start = Instant::now();
    let _ = Html::parse_document(&html);
    let parse = start.elapsed();
    let start = Instant::now();
    let _ = extract_article(&html, &url, Timestamp::UNIX_EPOCH);
    let _ = links_from_list(&html, &url);
    eprintln!(
        "100k nesting: parse {parse:?}, extract+links {:?}",
        start.elapsed()
    );
}
