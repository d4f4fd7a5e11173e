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

/// Navigation as many sites write it: no `nav` element, no menu class, long
/// labels, nested lists (a mega menu), and link columns at the bottom.
fn unmarked_menus() -> (String, String) {
    let areas = [
        ("omsorg-och-stod", "Omsorg och stöd"),
        ("skola-och-forskola", "Skola och förskola"),
        ("bygga-bo-och-miljo", "Bygga, bo och miljö"),
        ("kultur-och-fritid", "Kultur och fritid"),
    ];
    let topics = [
        "Ansök om plats och se köer",
        "Avgifter, taxor och regler för dig",
        "Kontakta handläggare och mottagning",
        "Blanketter och e-tjänster inom området",
        "Öppettider under sommaren och helger",
        "Lediga tjänster och praktikplatser",
        "Planer, mål och uppföljning av kvalitet",
        "Så överklagar du ett beslut",
    ];
    let mut top = String::from(r#"<div class="site-top"><ul class="level-1">"#);
    for (slug, name) in areas {
        top.push_str(&format!(
            r#"<li><a href="/{slug}/">{name}</a><ul class="level-2">"#
        ));
        for (i, topic) in topics.iter().enumerate() {
            top.push_str(&format!(
                r#"<li><a href="/{slug}/amne-{i}/">{topic}</a></li>"#
            ));
        }
        top.push_str("</ul></li>");
    }
    top.push_str("</ul></div>");
    let mut bottom = String::from(r#"<div class="site-bottom">"#);
    for (slug, name) in areas {
        bottom.push_str(&format!(r#"<div class="col"><h2>{name}</h2><ul>"#));
        for (i, topic) in topics.iter().take(4).enumerate() {
            bottom.push_str(&format!(
                r#"<li><a href="/{slug}/genvag-{i}/">{topic}</a></li>"#
            ));
        }
        bottom.push_str("</ul></div>");
    }
    bottom.push_str("</div>");
    (top, bottom)
}

/// `html` with `before` right after `<body ...>` and `after` right before
/// `</body>`.
fn wrap_body(html: &str, before: &str, after: &str) -> String {
    let open = html.find("<body").expect("a body");
    let open_end = open + html[open..].find('>').expect("body tag end") + 1;
    let close = html.rfind("</body>").expect("body end");
    format!(
        "{}{before}{}{after}{}",
        &html[..open_end],
        &html[open_end..close],
        &html[close..]
    )
}

#[test]
fn list_fixtures_hold_with_unmarked_menus_and_boilerplate_wrappers() {
    let (top, bottom) = unmarked_menus();
    let variants = [
        ("unmarked menus", top.clone(), bottom.clone()),
        (
            "boilerplate-classed wrapper",
            r#"<div class="sv-skip-spacer page-wrapper has-sidebar"><div id="nav-target" class="more-content date-sorted">"#.to_string(),
            "</div></div>".to_string(),
        ),
        (
            "one form around it all",
            format!(r#"<form id="aspnetForm" class="search-form" method="post">{top}"#),
            format!("{bottom}</form>"),
        ),
    ];
    let mut failures = Vec::new();
    for (name, html, spec) in list_pages("tests/fixtures/lists") {
        for (variant, before, after) in &variants {
            let changed = wrap_body(&html, before, after);
            for problem in score_page(&name, &changed, &spec).problems {
                failures.push(format!("{name} ({variant}): {problem}"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
