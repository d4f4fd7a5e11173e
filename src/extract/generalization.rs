//! Hand-written pages of CMS shapes the development corpus does not cover
//! (`tests/fixtures/cms/*.html`, expectations in the `.json` beside each):
//! Sitevision (new news template, archive portlet, Soleil), Episerver,
//! Municipio, Umbraco, WebSphere, a home page with a "latest news" block and a
//! service page that is no article.
//!
//! Articles: exact title and dates (local, to the minute when expected has a
//! time), body token F1 >= 0.97 and no `must_not_contain` leak. Lists: exact
//! links and next page. `"kind": "none"`: no article.

use crate::score::{leaks, token_f1};
use std::path::Path;

use jiff::Timestamp;
use serde_json::Value;
use url::Url;

use super::article::extract_article;
use super::links::links_from_list;
use crate::model::{FoundDate, PageDate, STOCKHOLM};

const MIN_F1: f64 = 0.97;

/// `YYYY-MM-DD` for a day, `YYYY-MM-DDTHH:MM` (Stockholm) for an instant.
fn local(date: &PageDate) -> String {
    match date {
        PageDate::Day(d) => d.to_string(),
        PageDate::Time(t) => t
            .to_zoned(STOCKHOLM.clone())
            .strftime("%Y-%m-%dT%H:%M")
            .to_string(),
    }
}

/// A date-only expectation compares the local day; one with a time must
/// match to the minute.
fn date_problem(what: &str, got: Option<&FoundDate>, want: &Value) -> Option<String> {
    let got_text = got.map(|f| local(&f.date));
    let ok = match (want.as_str(), &got_text) {
        (None, None) => true,
        (Some(w), Some(g)) if w.len() == 10 => g.get(..10) == Some(w),
        (Some(w), Some(g)) => g == w,
        _ => false,
    };
    (!ok).then(|| {
        format!(
            "{what} {:?} from {:?} (want {want})",
            got_text,
            got.map(FoundDate::describe)
        )
    })
}

fn check_fixture(name: &str, html: &str, spec: &Value) -> Vec<String> {
    let url = Url::parse(spec["url"].as_str().expect("url")).expect("valid url");
    let now = Timestamp::from_second(1_750_000_000).unwrap();
    let mut problems = Vec::new();
    match spec["kind"].as_str().expect("kind") {
        "article" => {
            let article = match extract_article(html, &url, now) {
                Ok(a) => a,
                Err(e) => return vec![format!("{name}: {e}")],
            };
            crate::extract::html::assert_sanitized(&article.body_html);
            let title = spec["title"].as_str().unwrap();
            if article.title != title {
                problems.push(format!("title {:?} (want {title:?})", article.title));
            }
            problems.extend(date_problem(
                "published",
                article.published.as_ref(),
                &spec["published"],
            ));
            problems.extend(date_problem(
                "updated",
                article.updated.as_ref(),
                &spec["updated"],
            ));
            let want: Vec<&str> = spec["body"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let want = want.join("\n\n");
            let f1 = token_f1(&article.body_text, &want);
            let leaks = leaks(
                &article.body_text,
                spec["must_not_contain"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_str),
            );
            if !leaks.is_empty() {
                problems.push(format!("leaks {leaks:?}"));
            }
            if f1 < MIN_F1 {
                problems.push(format!("body F1 {f1:.3}"));
            }
            if !problems.is_empty() {
                problems.push(format!("body:\n{}\n  want:\n{want}", article.body_text));
            }
        }
        "list" => {
            let list = links_from_list(html, &url);
            let got: Vec<&str> = list.links.iter().map(Url::as_str).collect();
            let want: Vec<&str> = spec["links"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            if got != want {
                problems.push(format!("links {got:#?}\n  want {want:#?}"));
            }
            let next = list.next_page.as_ref().map(Url::as_str);
            if next != spec["next"].as_str() {
                problems.push(format!("next {next:?} (want {})", spec["next"]));
            }
            if let Ok(article) = extract_article(html, &url, now) {
                problems.push(format!("list page read as article {:?}", article.title));
            }
        }
        "none" => {
            if let Ok(article) = extract_article(html, &url, now) {
                problems.push(format!(
                    "not an article, got {:?}:\n{}",
                    article.title, article.body_text
                ));
            }
        }
        other => panic!("{name}: unknown kind {other}"),
    }
    problems
        .into_iter()
        .map(|p| format!("{name}: {p}"))
        .collect()
}

#[test]
fn cms_fixtures() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cms"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixture directory")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".html").map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 12, "fixtures missing: {names:?}");
    let mut failures = Vec::new();
    for name in &names {
        let html = std::fs::read_to_string(dir.join(format!("{name}.html"))).unwrap();
        let spec: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap(),
        )
        .unwrap_or_else(|e| panic!("{name}.json: {e}"));
        failures.extend(check_fixture(name, &html, &spec));
    }
    eprintln!(
        "cms fixtures: {} pages, {} problems",
        names.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}
