//! The real municipal pages of `../shared/realpages`: no gold text, only
//! each page's kind and first `<h1>`, so the checks are the ones a reader
//! would make. A content page should give an article whose title is its
//! headline, with several paragraphs and no page chrome; a home or thin
//! landing page should give "no article".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Deserialize;

use super::batch::{answer, Answer};
use super::LoadError;

/// What a page is, from the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageKind {
    /// A headline and several paragraphs in the main column.
    Content,
    /// A site's start page: not an article.
    Home,
    /// A landing page with little text of its own: not an article.
    Thin,
}

/// One page of the manifest.
#[derive(Debug, Clone, Deserialize)]
pub struct RealPage {
    /// Absolute once loaded.
    pub file: PathBuf,
    pub url: String,
    pub kind: PageKind,
    /// Text of the page's first `<h1>`.
    pub h1: Option<String>,
    pub cms: String,
}

/// Reads `manifest.json` of a realpages folder.
pub fn load(dir: &Path) -> Result<Vec<RealPage>, LoadError> {
    let root = std::fs::canonicalize(dir).map_err(|source| LoadError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let path = root.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Read {
        path: path.clone(),
        source,
    })?;
    let mut pages: Vec<RealPage> =
        serde_json::from_str(&text).map_err(|source| LoadError::Parse { path, source })?;
    for page in &mut pages {
        page.file = root.join(&page.file);
    }
    Ok(pages)
}

/// What one page gave, as read by [`check`].
#[derive(Debug, Clone)]
pub struct Checked {
    pub answer: Answer,
    /// The title equals the page's `<h1>` (whitespace normalised).
    pub title_is_h1: bool,
    /// The same, ignoring case (an `<h1>` written in capitals).
    pub title_is_h1_ignoring_case: bool,
    /// Paragraphs of the body (blank-line separated).
    pub paragraphs: usize,
    /// The boilerplate markers the body contains: (kind, marker).
    pub boilerplate: Vec<(&'static str, &'static str)>,
}

/// Checks one page's answer against its manifest entry.
pub fn check(page: &RealPage, answer: Answer) -> Checked {
    let normal = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let title = answer.title.as_deref().map(normal);
    let h1 = page.h1.as_deref().map(normal);
    let title_is_h1 = title.is_some() && title == h1;
    let title_is_h1_ignoring_case = title.is_some()
        && title.as_ref().map(|t| t.to_lowercase()) == h1.as_ref().map(|h| h.to_lowercase());
    let body = answer.body.as_deref().unwrap_or("");
    Checked {
        title_is_h1,
        title_is_h1_ignoring_case,
        paragraphs: paragraphs(body),
        boilerplate: boilerplate(body),
        answer,
    }
}

/// Non-blank paragraphs of a body text.
pub fn paragraphs(body: &str) -> usize {
    body.split("\n\n").filter(|p| !p.trim().is_empty()).count()
}

/// Phrases (lower case) that only page chrome says, with their kind: a
/// cookie banner, share and print tools, a feedback widget, a breadcrumb,
/// skip and top links, footer address and copyright lines, page metadata.
const CHROME_PHRASES: &[(&str, &str)] = &[
    ("cookie banner", "vi använder kakor"),
    ("cookie banner", "använder cookies"),
    ("cookie banner", "we use cookies"),
    ("cookie banner", "godkänn alla"),
    ("cookie banner", "acceptera alla"),
    ("cookie banner", "neka alla"),
    ("cookie banner", "accept all"),
    ("cookie banner", "reject all"),
    ("cookie banner", "nödvändiga kakor"),
    ("cookie banner", "nödvändiga cookies"),
    ("cookie banner", "inställningar för kakor"),
    ("cookie banner", "cookieinställningar"),
    ("cookie banner", "cookie settings"),
    ("share", "dela på facebook"),
    ("share", "dela på linkedin"),
    ("share", "dela sidan"),
    ("share", "dela artikeln"),
    ("share", "share on facebook"),
    ("share", "share this"),
    ("share", "skriv ut sidan"),
    ("share", "print this page"),
    ("share", "tipsa en vän"),
    ("share", "lyssna på sidan"),
    ("share", "listen to this page"),
    ("feedback", "hjälpte informationen"),
    ("feedback", "var informationen till hjälp"),
    ("feedback", "var sidan till hjälp"),
    ("feedback", "hittade du det du letade efter"),
    ("feedback", "fick du svar på din fråga"),
    ("feedback", "tyck till om sidan"),
    ("feedback", "was this page helpful"),
    ("feedback", "was this information helpful"),
    ("feedback", "did you find what you were looking for"),
    ("breadcrumb", "du är här"),
    ("breadcrumb", "you are here"),
    ("navigation", "hoppa till innehåll"),
    ("navigation", "hoppa till huvudinnehåll"),
    ("navigation", "gå direkt till innehåll"),
    ("navigation", "till huvudinnehållet"),
    ("navigation", "skip to content"),
    ("navigation", "skip to main content"),
    ("navigation", "tillbaka till toppen"),
    ("navigation", "back to top"),
    ("footer", "organisationsnummer"),
    ("footer", "org.nr"),
    ("footer", "org nr"),
    ("footer", "besöksadress"),
    ("footer", "postadress"),
    ("footer", "följ oss på"),
    ("footer", "follow us on"),
    ("footer", "tillgänglighetsredogörelse"),
    ("footer", "alla rättigheter förbehållna"),
    ("footer", "all rights reserved"),
    ("footer", "©"),
    ("page meta", "senast uppdaterad"),
    ("page meta", "sidan uppdaterades"),
    ("page meta", "senast granskad"),
    ("page meta", "sidansvarig"),
    ("page meta", "last updated"),
];

/// Words (lower case) that are chrome when they make up a whole line: a
/// button or a widget heading, not a sentence.
const CHROME_LINES: &[(&str, &str)] = &[
    ("share", "dela"),
    ("share", "share"),
    ("share", "skriv ut"),
    ("share", "print"),
    ("share", "lyssna"),
    ("share", "listen"),
    ("navigation", "meny"),
    ("navigation", "menu"),
    ("navigation", "sök"),
    ("navigation", "search"),
    ("navigation", "stäng"),
    ("navigation", "close"),
    ("navigation", "till toppen"),
    ("navigation", "logga in"),
    ("contact box", "kontakt"),
    ("contact box", "kontakta oss"),
    ("contact box", "contact"),
    ("contact box", "contact us"),
];

/// First words of a breadcrumb trail ("Startsida / Bygga, bo och miljö").
const BREADCRUMB_ROOTS: &[&str] = &["startsida", "start", "hem", "home"];

/// The chrome markers a body contains, each once, with their kind.
pub fn boilerplate(body: &str) -> Vec<(&'static str, &'static str)> {
    let lower = body.to_lowercase();
    let mut found: Vec<(&'static str, &'static str)> = CHROME_PHRASES
        .iter()
        .filter(|(_, phrase)| lower.contains(phrase))
        .copied()
        .collect();
    for line in lower.lines() {
        let line = line.trim().trim_end_matches(':').trim_end();
        let chrome_line = CHROME_LINES.iter().find(|(_, word)| *word == line);
        if let Some(marker) = chrome_line.filter(|m| !found.contains(m)) {
            found.push(*marker);
        }
        if let Some(root) = breadcrumb_root(line) {
            let marker = ("breadcrumb", root);
            if !found.contains(&marker) {
                found.push(marker);
            }
        }
    }
    found
}

/// The root word when a line is a breadcrumb trail: a root word, then a
/// trail separator and more.
fn breadcrumb_root(line: &str) -> Option<&'static str> {
    BREADCRUMB_ROOTS.iter().copied().find(|root| {
        line.strip_prefix(root)
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix(['/', '>', '›', '»', '|']))
            .is_some_and(|rest| !rest.trim().is_empty())
    })
}

/// Every page answered on this thread, with its URL or without.
pub struct Run {
    pub checked: Vec<Checked>,
    /// Wall time of read + decode + parse + extract over all pages.
    pub seconds: f64,
}

/// Answers and checks every page in manifest order.
pub fn run(pages: &[RealPage], with_url: bool, now: Timestamp) -> Run {
    let mut seconds = 0.0;
    let checked = pages
        .iter()
        .map(|page| {
            let timed = answer(
                &page.file,
                Some(page.url.as_str()).filter(|_| with_url),
                now,
            );
            seconds += timed.seconds;
            check(page, timed.answer)
        })
        .collect();
    Run { checked, seconds }
}

/// The figures of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub content_pages: usize,
    /// Content pages answered with an error (no article).
    pub content_errors: usize,
    pub titles: usize,
    pub titles_ignoring_case: usize,
    /// Median paragraphs of the content pages' bodies (0 for none).
    pub median_paragraphs: usize,
    /// Content pages with a body, but of fewer than [`FEW_PARAGRAPHS`].
    pub few_paragraphs: usize,
    /// Content bodies holding any boilerplate marker.
    pub with_boilerplate: usize,
    /// Content bodies holding a marker of each kind.
    pub boilerplate_kinds: BTreeMap<&'static str, usize>,
    /// Home and thin pages, and those answered "no article".
    pub other_pages: usize,
    pub other_without_article: usize,
    pub pages_per_second: f64,
}

/// "Several paragraphs": a content page's body should have at least this many.
pub const FEW_PARAGRAPHS: usize = 3;

/// Sums a run up.
pub fn summarize(pages: &[RealPage], run: &Run) -> Summary {
    let mut summary = Summary {
        pages_per_second: pages.len() as f64 / run.seconds,
        ..Summary::default()
    };
    let mut paragraphs = Vec::new();
    for (page, checked) in pages.iter().zip(&run.checked) {
        if page.kind != PageKind::Content {
            summary.other_pages += 1;
            summary.other_without_article += usize::from(checked.answer.body.is_none());
            continue;
        }
        summary.content_pages += 1;
        summary.content_errors += usize::from(checked.answer.error.is_some());
        summary.titles += usize::from(checked.title_is_h1);
        summary.titles_ignoring_case += usize::from(checked.title_is_h1_ignoring_case);
        if checked.answer.body.is_some() {
            summary.few_paragraphs += usize::from(checked.paragraphs < FEW_PARAGRAPHS);
            paragraphs.push(checked.paragraphs);
        }
        summary.with_boilerplate += usize::from(!checked.boilerplate.is_empty());
        let mut kinds: Vec<&str> = checked.boilerplate.iter().map(|(kind, _)| *kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        for kind in kinds {
            *summary.boilerplate_kinds.entry(kind).or_default() += 1;
        }
    }
    paragraphs.sort_unstable();
    summary.median_paragraphs = paragraphs.get(paragraphs.len() / 2).copied().unwrap_or(0);
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_phrases_lines_and_breadcrumbs_are_found() {
        let body = "Startsida / Bygga / Bygglov\n\nSå söker du bygglov.\n\nDela:\n\n\
                    Vi använder kakor för att webbplatsen ska fungera.\n\n© 2024 Kommunen";
        let found = boilerplate(body);
        assert_eq!(
            found,
            [
                ("cookie banner", "vi använder kakor"),
                ("footer", "©"),
                ("breadcrumb", "startsida"),
                ("share", "dela"),
            ]
        );
    }

    #[test]
    fn ordinary_sentences_are_not_chrome() {
        let body = "Du kan dela upp betalningen.\n\nHem och skola samarbetar.\n\n\
                    Kontakta oss om du har frågor om bygglov.";
        assert_eq!(boilerplate(body), []);
    }

    #[test]
    fn titles_compare_with_normalised_whitespace() {
        let page = RealPage {
            file: PathBuf::new(),
            url: "https://kommun.example/".into(),
            kind: PageKind::Content,
            h1: Some(" FLYTTA  TILL\nKOMMUNEN ".into()),
            cms: String::new(),
        };
        let with_title = |title: &str| Answer {
            title: Some(title.into()),
            body: Some("Ett.\n\nTvå.\n\n\nTre.".into()),
            ..Answer::default()
        };
        let exact = check(&page, with_title("FLYTTA TILL KOMMUNEN"));
        assert!(exact.title_is_h1 && exact.title_is_h1_ignoring_case);
        assert_eq!(exact.paragraphs, 3);
        let cased = check(&page, with_title("Flytta till kommunen"));
        assert!(!cased.title_is_h1 && cased.title_is_h1_ignoring_case);
        let none = check(&page, Answer::default());
        assert!(!none.title_is_h1 && !none.title_is_h1_ignoring_case);
        assert_eq!(none.paragraphs, 0);
    }
}
