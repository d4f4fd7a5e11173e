//! Hand-written list pages in real CMS shapes (`tests/fixtures/lists/*.html`,
//! gold in the `.json` beside each, and the `"kind": "list"` pages of
//! `tests/fixtures/cms/`): every article link of the news list or news block,
//! nothing else (no menu, footer, "more", calendar or pagination link), in
//! page order, and the next page.
//!
//! Prints precision and recall per page, so a change shows what it costs
//! where; asserts full recall, no wrong link and the right next page.

use std::path::Path;

use serde_json::Value;
use url::Url;

use super::links_from_list;
use crate::extract::charset;

struct Score {
    name: String,
    wanted: usize,
    found: usize,
    correct: usize,
    problems: Vec<String>,
}

fn score_page(name: &str, html: &str, spec: &Value) -> Score {
    let url = Url::parse(spec["url"].as_str().expect("url")).expect("valid url");
    let list = links_from_list(html, &url);
    let got: Vec<&str> = list.links.iter().map(Url::as_str).collect();
    let want: Vec<&str> = spec["links"]
        .as_array()
        .expect("links")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let correct = got.iter().filter(|g| want.contains(g)).count();
    let mut problems = Vec::new();
    let wrong: Vec<&&str> = got.iter().filter(|g| !want.contains(g)).collect();
    let missed: Vec<&&str> = want.iter().filter(|w| !got.contains(w)).collect();
    if !wrong.is_empty() {
        problems.push(format!("not articles of the list: {wrong:#?}"));
    }
    if !missed.is_empty() {
        problems.push(format!("missed: {missed:#?}"));
    }
    if wrong.is_empty() && missed.is_empty() && got != want {
        problems.push(format!("out of page order: {got:#?}"));
    }
    let next = list.next_page.as_ref().map(Url::as_str);
    if next != spec["next"].as_str() {
        problems.push(format!("next page {next:?} (want {})", spec["next"]));
    }
    Score {
        name: name.to_string(),
        wanted: want.len(),
        found: got.len(),
        correct,
        problems,
    }
}

/// Every `NAME.html` with a `NAME.json` of a list in `dir`, decoded as the
/// fetcher would (no charset header: the page's own declaration decides).
fn list_pages(dir: &str) -> Vec<(String, String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixture directory") {
        let path = entry.expect("directory entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let spec: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if spec.get("kind").is_some_and(|k| k != "list") {
            continue;
        }
        let bytes = std::fs::read(path.with_extension("html")).expect("page beside its gold");
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        pages.push((name, charset::decode(&bytes, None), spec));
    }
    pages.sort_by(|a, b| a.0.cmp(&b.0));
    pages
}

#[test]
fn list_fixtures_give_every_article_link_and_nothing_else() {
    let mut pages = list_pages("tests/fixtures/lists");
    assert!(pages.len() >= 8, "list fixtures missing");
    pages.extend(list_pages("tests/fixtures/cms"));
    let scores: Vec<Score> = pages
        .iter()
        .map(|(name, html, spec)| score_page(name, html, spec))
        .collect();
    eprintln!(
        "{:<34} {:>5} {:>5} {:>6} {:>6}",
        "page", "want", "got", "P", "R"
    );
    for s in &scores {
        eprintln!(
            "{:<34} {:>5} {:>5} {:>6.3} {:>6.3}",
            s.name,
            s.wanted,
            s.found,
            s.correct as f64 / s.found.max(1) as f64,
            s.correct as f64 / s.wanted.max(1) as f64
        );
    }
    let failures: Vec<String> = scores
        .iter()
        .flat_map(|s| s.problems.iter().map(move |p| format!("{}: {p}", s.name)))
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
