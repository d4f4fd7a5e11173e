//! Dev check: `find_dates` against the development corpus's gold dates.
//! Skipped when the corpus is not next to the crate.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use scraper::{Html, Selector};
use serde_json::Value;
use url::Url;

use super::{find_dates, DateContext};
use crate::score::date_matches_gold as matches_gold;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// One page to check and the gold it must match.
struct Case {
    id: String,
    file: PathBuf,
    path: String,
    published: Option<String>,
    updated: Option<String>,
}

#[test]
fn corpus_dates_match_gold() {
    let corpus = Path::new(CORPUS);
    if !corpus.exists() {
        return;
    }
    let gold: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus.join("gold.json")).unwrap()).unwrap();
    let mut cases = cases_from(&gold["initial"], &corpus.join("sites"));
    let updates = corpus.join("updates");
    cases.extend(
        cases_from(&gold["after_updates"], &updates)
            .into_iter()
            .filter(|case| case.file.exists()),
    );
    let (mut published_ok, mut updated_ok, mut failures) = (0, 0, Vec::new());
    for case in &cases {
        let dates = dates_of(case);
        if std::env::var_os("MUNIFLUX_DATE_VERBOSE").is_some() {
            eprintln!(
                "{}: {:?} / {:?}",
                case.id,
                dates
                    .published
                    .as_ref()
                    .map(|d| format!("{} {}", d.date, d.describe())),
                dates
                    .updated
                    .as_ref()
                    .map(|d| format!("{} {}", d.date, d.describe())),
            );
        }
        let published_matches =
            matches_gold(dates.published.as_ref(), case.published.as_deref(), None);
        let updated_matches = matches_gold(
            dates.updated.as_ref(),
            case.updated.as_deref(),
            dates.published.as_ref(),
        );
        published_ok += usize::from(published_matches);
        updated_ok += usize::from(updated_matches);
        if !published_matches || !updated_matches {
            failures.push(format!(
                "{}: published {:?} (gold {:?}), updated {:?} (gold {:?})",
                case.id,
                dates
                    .published
                    .as_ref()
                    .map(|d| (d.date.to_string(), d.describe())),
                case.published,
                dates
                    .updated
                    .as_ref()
                    .map(|d| (d.date.to_string(), d.describe())),
                case.updated,
            ));
        }
    }
    eprintln!(
        "corpus: {published_ok}/{n} published, {updated_ok}/{n} updated",
        n = cases.len()
    );
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
}

/// Every item's first URL under `root`.
fn cases_from(items: &Value, root: &Path) -> Vec<Case> {
    let items = items.as_array().map(Vec::as_slice).unwrap_or_default();
    items
        .iter()
        .map(|item| {
            let path = item["urls"][0].as_str().unwrap().to_string();
            let mut file = root.join(path.trim_start_matches('/'));
            if path.ends_with('/') {
                file.push("index.html");
            }
            Case {
                id: item["id"].as_str().unwrap().to_string(),
                file,
                path,
                published: item["published"].as_str().map(str::to_string),
                updated: item["updated"].as_str().map(str::to_string),
            }
        })
        .collect()
}

fn dates_of(case: &Case) -> crate::model::PageDates {
    let bytes = std::fs::read(&case.file).unwrap();
    let text = if case.path.starts_with("/upplandsvasby/") {
        encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned()
    } else {
        String::from_utf8(bytes).unwrap()
    };
    let doc = Html::parse_document(&text);
    let h1 = Selector::parse("h1").unwrap();
    let url = Url::parse("http://127.0.0.1:8765")
        .unwrap()
        .join(&case.path)
        .unwrap();
    let cx = DateContext {
        doc: &doc,
        main: None,
        headline: doc.select(&h1).next(),
        url: &url,
        now: Timestamp::now(),
    };
    find_dates(&cx)
}

/// The other URLs of an item (a cross-posted copy) must give the same day:
/// gold keeps the coarser precision of the two.
#[test]
fn corpus_copies_have_the_same_day() {
    let corpus = Path::new(CORPUS);
    if !corpus.exists() {
        return;
    }
    let gold: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus.join("gold.json")).unwrap()).unwrap();
    for item in gold["initial"].as_array().unwrap() {
        for path in item["urls"].as_array().unwrap().iter().skip(1) {
            let path = path
                .as_str()
                .unwrap()
                .split('?')
                .next()
                .unwrap()
                .to_string();
            let mut file = corpus.join("sites").join(path.trim_start_matches('/'));
            if path.ends_with('/') {
                file.push("index.html");
            }
            let case = Case {
                id: item["id"].as_str().unwrap().to_string(),
                file,
                path,
                published: item["published"].as_str().map(|d| d[..10].to_string()),
                updated: None,
            };
            let dates = dates_of(&case);
            assert!(
                matches_gold(dates.published.as_ref(), case.published.as_deref(), None),
                "{} at {}: {:?}",
                case.id,
                case.path,
                dates.published
            );
        }
    }
}

/// Every page of the corpus, lists and calendars included, goes through
/// `find_dates` without a panic, and calendar pages (no article) give no
/// date from their event lists.
#[test]
fn corpus_pages_never_panic() {
    let corpus = Path::new(CORPUS);
    if !corpus.exists() {
        return;
    }
    let mut stack = vec![corpus.join("sites"), corpus.join("updates")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if !path.extension().is_some_and(|e| e == "html" || e == "htm") {
                continue;
            }
            let relative = path
                .strip_prefix(corpus)
                .unwrap()
                .to_string_lossy()
                .to_string();
            let case = Case {
                id: relative.clone(),
                file: path.clone(),
                path: format!("/{}", relative.split_once('/').unwrap().1),
                published: None,
                updated: None,
            };
            let _ = dates_of(&case);
        }
    }
}
