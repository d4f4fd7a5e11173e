//! The public extraction benchmarks of `../shared/evalsets`, scored exactly
//! as its Python scorers (`tools/body_eval.py`, `tools/date_eval.py`) score
//! them, so a figure printed by `evaluate` or checked by the quality test is
//! the figure those scorers give for the same build:
//!
//! - news body F1 (scrapinghub article-extraction-benchmark): `\w+` tokens,
//!   multisets of word 4-grams per page, each page's TP/FP/FN normalised to
//!   sum to 1, precision averaged over pages with output, recall over pages
//!   with gold, F1 of the two averages;
//! - segment F1 (trafilatura's evaluation): each "with" segment found in the
//!   whitespace-normalised body is a hit, each "without" segment found a
//!   false positive, counted over all pages;
//! - published-day accuracy (htmldate's evaluation): the first ten
//!   characters of `published` equal the gold day.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;
use serde::Deserialize;

use super::batch::{answer, is_python_space, Answer};
use super::LoadError;

/// Word 4-grams, the scrapinghub benchmark's shingle size.
const SHINGLE: usize = 4;

/// What a benchmark's gold says about each page, and so how it is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Full article text: news body F1 on word 4-grams.
    NewsBody,
    /// Text segments that must and must not be in the body: segment F1.
    Segments,
    /// The publication day: exact-day accuracy.
    PublishedDay,
}

/// One page's gold.
#[derive(Debug, Clone)]
pub enum Gold {
    Body(String),
    Segments {
        with: Vec<String>,
        without: Vec<String>,
    },
    /// The day, `YYYY-MM-DD`; `None` where the gold file says `NaN`.
    Published(Option<String>),
}

/// One benchmark page: its id (as the scorers key answers), file, original
/// URL and gold.
#[derive(Debug, Clone)]
pub struct Page {
    pub id: String,
    pub path: PathBuf,
    pub url: Option<String>,
    pub gold: Gold,
}

/// A benchmark folder: its name, kind and pages in the scorers' order.
#[derive(Debug, Clone)]
pub struct Benchmark {
    pub name: String,
    /// The folder, absolute.
    pub dir: PathBuf,
    pub kind: Kind,
    pub pages: Vec<Page>,
}

#[derive(Deserialize)]
struct NewsGold {
    #[serde(rename = "articleBody")]
    article_body: String,
    url: Option<String>,
}

#[derive(Deserialize)]
struct SegmentGold {
    file: String,
    with: Vec<String>,
    without: Vec<String>,
}

#[derive(Deserialize)]
struct DateGold {
    file: String,
    /// `NaN` in the gold file (a page whose day is unknown): no day can
    /// match, as in the scorer.
    date: Option<String>,
}

/// The three benchmarks of an evalsets folder, in the README's order.
pub fn load_all(dir: &Path) -> Result<Vec<Benchmark>, LoadError> {
    ["scrapinghub-aeb", "trafilatura-eval", "htmldate-eval"]
        .into_iter()
        .map(|name| load(&dir.join(name)))
        .collect()
}

/// Loads one benchmark folder, recognised by its gold file as the scorers
/// do. Page paths are absolute and canonical (the scorers send resolved
/// paths, and a page without a URL is read against its `file:` URL).
pub fn load(dir: &Path) -> Result<Benchmark, LoadError> {
    let root = std::fs::canonicalize(dir).map_err(|source| LoadError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (kind, pages) = if root.join("ground-truth.json").exists() {
        let gold: BTreeMap<String, NewsGold> = read_json(&root.join("ground-truth.json"))?;
        let pages = gold
            .into_iter()
            .map(|(id, gold)| Page {
                path: root.join("html").join(format!("{id}.html")),
                id,
                url: gold.url,
                gold: Gold::Body(gold.article_body),
            })
            .collect();
        (Kind::NewsBody, pages)
    } else if root.join("evaldata.json").exists() {
        let gold: BTreeMap<String, SegmentGold> = read_json(&root.join("evaldata.json"))?;
        let pages = gold
            .into_iter()
            .map(|(url, gold)| {
                Ok(Page {
                    path: find_page(&root, &gold.file, &["cache", "eval"])?,
                    id: gold.file,
                    url: Some(url),
                    gold: Gold::Segments {
                        with: gold.with,
                        without: gold.without,
                    },
                })
            })
            .collect::<Result<_, LoadError>>()?;
        (Kind::Segments, pages)
    } else if root.join("eval_default.json").exists() {
        // The later file wins for a URL in both, as in the scorer.
        let mut gold: BTreeMap<String, DateGold> =
            read_json(&root.join("eval_mediacloud_2020.json"))?;
        gold.extend(read_json::<BTreeMap<String, DateGold>>(
            &root.join("eval_default.json"),
        )?);
        let pages = gold
            .into_iter()
            .map(|(url, gold)| {
                Ok(Page {
                    path: find_page(&root, &gold.file, &["test_set", "cache", "eval"])?,
                    id: gold.file,
                    url: Some(url),
                    gold: Gold::Published(gold.date),
                })
            })
            .collect::<Result<_, LoadError>>()?;
        (Kind::PublishedDay, pages)
    } else {
        return Err(LoadError::Unknown {
            dir: dir.to_path_buf(),
        });
    };
    Ok(Benchmark {
        name,
        dir: root,
        kind,
        pages,
    })
}

/// Reads a gold file. Python's `json` accepts a bare `NaN` value (the
/// htmldate gold has some); it is read as `null` here.
fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, LoadError> {
    static NAN_VALUE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r":\s*NaN\b").expect("valid regex"));
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&NAN_VALUE.replace_all(&text, ": null")).map_err(|source| {
        LoadError::Parse {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// The first of `subdirs` holding `file` (the upstream scripts' order).
fn find_page(root: &Path, file: &str, subdirs: &[&str]) -> Result<PathBuf, LoadError> {
    subdirs
        .iter()
        .map(|sub| root.join(sub).join(file))
        .find(|path| path.is_file())
        .ok_or_else(|| LoadError::MissingPage {
            dir: root.to_path_buf(),
            file: file.to_string(),
        })
}

/// Every page of a benchmark answered on this thread, in the scorers' order.
pub struct Run {
    /// Answers by page id (a later page with the same id replaces the
    /// earlier answer, as in the scorers' dictionary).
    pub answers: HashMap<String, Answer>,
    /// Wall time of all pages (the warm-up page not counted).
    pub seconds: f64,
}

impl Run {
    pub fn answer(&self, page: &Page) -> Option<&Answer> {
        self.answers.get(&page.id)
    }

    /// Pages per second of read + decode + parse + extract.
    pub fn pages_per_second(&self) -> f64 {
        self.answers.len() as f64 / self.seconds
    }
}

/// Answers every page, with its original URL (as a poll has it) or not.
/// The first page is answered once untimed first, as the scorers warm up.
pub fn run(benchmark: &Benchmark, with_url: bool, now: Timestamp) -> Run {
    if let Some(first) = benchmark.pages.first() {
        answer(&first.path, None, now);
    }
    let mut answers = HashMap::new();
    let mut seconds = 0.0;
    for page in &benchmark.pages {
        let url = page.url.as_deref().filter(|_| with_url);
        let timed = answer(&page.path, url, now);
        seconds += timed.seconds;
        answers.insert(page.id.clone(), timed.answer);
    }
    Run { answers, seconds }
}

/// A benchmark's figures for one run.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Figures {
    pub kind: Kind,
    pub pages: usize,
    /// The headline figure: body F1, segment F1 or published-day accuracy.
    pub main: f64,
    pub precision: f64,
    pub recall: f64,
    /// Pages without a body, or (dates) without a published date.
    pub missing: usize,
    /// Dates only: pages with a published day that is not the gold day.
    pub wrong: usize,
    /// Pages whose answer carries an error.
    pub errors: usize,
}

/// Scores a run the way the benchmark's Python scorer does.
pub fn score(benchmark: &Benchmark, run: &Run) -> Figures {
    let answers: Vec<Option<&Answer>> = benchmark.pages.iter().map(|p| run.answer(p)).collect();
    let golds = benchmark.pages.iter().map(|p| &p.gold);
    let mut figures = Figures {
        kind: benchmark.kind,
        pages: benchmark.pages.len(),
        main: 0.0,
        precision: 0.0,
        recall: 0.0,
        missing: answers
            .iter()
            .filter(|a| a.is_none_or(|a| a.is_empty()))
            .count(),
        wrong: 0,
        errors: answers
            .iter()
            .filter(|a| a.is_some_and(|a| a.error.is_some()))
            .count(),
    };
    match benchmark.kind {
        Kind::NewsBody => {
            let counts: Vec<ShingleCounts> = golds
                .zip(&answers)
                .map(|(gold, a)| match gold {
                    Gold::Body(gold) => shingle_counts(gold, body(a).unwrap_or("")),
                    _ => ShingleCounts::default(),
                })
                .collect();
            let (precision, recall, f1) = averaged_prf(&counts);
            (figures.precision, figures.recall, figures.main) = (precision, recall, f1);
        }
        Kind::Segments => {
            let mut total = SegmentHits::default();
            for (gold, a) in golds.zip(&answers) {
                if let Gold::Segments { with, without } = gold {
                    total.add(segment_hits(with, without, body(a)));
                }
            }
            (figures.precision, figures.recall, figures.main) = total.prf();
        }
        Kind::PublishedDay => {
            let mut days = DayCounts::default();
            for (gold, a) in golds.zip(&answers) {
                if let Gold::Published(gold) = gold {
                    days.add(day_verdict(
                        a.and_then(|a| a.published.as_deref()),
                        gold.as_deref(),
                    ));
                }
            }
            figures.missing = days.missing;
            figures.wrong = days.wrong;
            figures.main = days.correct as f64 / figures.pages as f64;
            figures.precision = ratio(days.correct, days.correct + days.wrong);
            figures.recall = ratio(days.correct, days.correct + days.missing);
        }
    }
    figures
}

fn body<'a>(answer: &Option<&'a Answer>) -> Option<&'a str> {
    answer.and_then(|a| a.body.as_deref())
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Python's `re` `\w+` on a `str`: runs of letters, numbers (every Unicode
/// L* and N* category) and `_`; unlike the regex crate's `\w`, without
/// combining marks.
fn words(text: &str) -> Vec<&str> {
    static WORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[\p{L}\p{N}_]+").expect("valid regex"));
    WORD.find_iter(text).map(|m| m.as_str()).collect()
}

/// Word n-gram multiset of a text; a text of at most n words is one shingle.
fn shingles<'t>(words: &'t [&'t str]) -> HashMap<&'t [&'t str], i64> {
    let mut counts = HashMap::new();
    if words.len() <= SHINGLE {
        if !words.is_empty() {
            counts.insert(words, 1);
        }
        return counts;
    }
    for window in words.windows(SHINGLE) {
        *counts.entry(window).or_insert(0) += 1;
    }
    counts
}

/// One page's shingle true/false positives and false negatives, normalised
/// to sum to 1 (all zero when both texts are empty).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ShingleCounts {
    pub tp: f64,
    pub fp: f64,
    pub fn_: f64,
}

impl ShingleCounts {
    /// The page's own F1 (for listing misses; the figure averages P and R).
    pub fn f1(&self) -> f64 {
        let d = 2.0 * self.tp + self.fp + self.fn_;
        if d == 0.0 {
            0.0
        } else {
            2.0 * self.tp / d
        }
    }
}

/// Shingle counts of a body against the gold text.
pub fn shingle_counts(gold: &str, body: &str) -> ShingleCounts {
    let (gold_words, body_words) = (words(gold), words(body));
    let (g, p) = (shingles(&gold_words), shingles(&body_words));
    let mut tp = 0i64;
    let mut fp = 0i64;
    for (shingle, &n) in &p {
        let common = g.get(shingle).copied().unwrap_or(0).min(n);
        tp += common;
        fp += n - common;
    }
    let fn_: i64 = g
        .iter()
        .map(|(shingle, &n)| (n - p.get(shingle).copied().unwrap_or(0)).max(0))
        .sum();
    let total = (tp + fp + fn_) as f64;
    if total == 0.0 {
        return ShingleCounts::default();
    }
    ShingleCounts {
        tp: tp as f64 / total,
        fp: fp as f64 / total,
        fn_: fn_ as f64 / total,
    }
}

/// Precision averaged over pages with output, recall over pages with gold,
/// and the F1 of the two averages.
pub fn averaged_prf(counts: &[ShingleCounts]) -> (f64, f64, f64) {
    let mean = |values: Vec<f64>| {
        if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    };
    let precision = mean(
        counts
            .iter()
            .filter(|c| c.tp + c.fp > 0.0)
            .map(|c| c.tp / (c.tp + c.fp))
            .collect(),
    );
    let recall = mean(
        counts
            .iter()
            .filter(|c| c.tp + c.fn_ > 0.0)
            .map(|c| c.tp / (c.tp + c.fn_))
            .collect(),
    );
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    (precision, recall, f1)
}

/// Segment verdicts of one page or of a whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SegmentHits {
    /// "with" segments found.
    pub found: usize,
    /// "with" segments missing.
    pub missed: usize,
    /// "without" segments found (boilerplate kept).
    pub kept: usize,
    /// "without" segments left out.
    pub dropped: usize,
}

impl SegmentHits {
    fn add(&mut self, other: SegmentHits) {
        self.found += other.found;
        self.missed += other.missed;
        self.kept += other.kept;
        self.dropped += other.dropped;
    }

    /// Precision, recall and F1 over the counted segments.
    pub fn prf(&self) -> (f64, f64, f64) {
        let (tp, fp, fn_) = (self.found, self.kept, self.missed);
        (
            ratio(tp, tp + fp),
            ratio(tp, tp + fn_),
            ratio(2 * tp, 2 * tp + fp + fn_),
        )
    }
}

/// Which segments a body contains (no body: none, even an empty segment).
pub fn segment_hits(with: &[String], without: &[String], body: Option<&str>) -> SegmentHits {
    let text = body.map(normalize_space);
    let found_in = |segments: &[String]| {
        segments
            .iter()
            .filter(|s| {
                text.as_deref()
                    .is_some_and(|t| t.contains(&normalize_space(s)))
            })
            .count()
    };
    let (found, kept) = (found_in(with), found_in(without));
    SegmentHits {
        found,
        missed: with.len() - found,
        kept,
        dropped: without.len() - kept,
    }
}

/// Python's `re.sub(r"\s+", " ", text).strip()`.
fn normalize_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(is_python_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// How a published value compares with the gold day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayVerdict {
    Correct,
    Wrong,
    Missing,
}

/// The first ten characters of `published` (the page's own day in RFC 3339)
/// against the gold `YYYY-MM-DD` (no gold day: never correct).
pub fn day_verdict(published: Option<&str>, gold: Option<&str>) -> DayVerdict {
    match published.filter(|p| !p.is_empty()) {
        None => DayVerdict::Missing,
        Some(p) if gold.is_some_and(|g| p.chars().take(10).eq(g.chars())) => DayVerdict::Correct,
        Some(_) => DayVerdict::Wrong,
    }
}

#[derive(Default)]
struct DayCounts {
    correct: usize,
    wrong: usize,
    missing: usize,
}

impl DayCounts {
    fn add(&mut self, verdict: DayVerdict) {
        match verdict {
            DayVerdict::Correct => self.correct += 1,
            DayVerdict::Wrong => self.wrong += 1,
            DayVerdict::Missing => self.missing += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_python_word_runs() {
        assert_eq!(words("Hej, världen! x_1 ²"), ["Hej", "världen", "x_1", "²"]);
        // A combining accent ends a word in Python's `\w`.
        assert_eq!(words("cafe\u{301} 12.5"), ["cafe", "12", "5"]);
    }

    #[test]
    fn shingle_counts_are_normalised_multisets() {
        let same = shingle_counts("a b c d e", "a b c d e");
        assert_eq!((same.tp, same.fp, same.fn_), (1.0, 0.0, 0.0));
        // gold: abcd, bcde; body: abcd, bcdx -> tp 1, fp 1, fn 1
        let half = shingle_counts("a b c d e", "a b c d x");
        assert!((half.tp - 1.0 / 3.0).abs() < 1e-12 && (half.fp - half.fn_).abs() < 1e-12);
        // Short texts are one shingle each.
        assert_eq!(shingle_counts("a b", "a b").tp, 1.0);
        assert_eq!(shingle_counts("a b", "a").tp, 0.0);
        assert_eq!(shingle_counts("", ""), ShingleCounts::default());
        // A repeated shingle counts as many times as it occurs.
        let repeated = shingle_counts("a b c d", "a b c d a b c d");
        assert!(repeated.tp > 0.0 && repeated.fp > 0.0 && repeated.fn_ == 0.0);
    }

    #[test]
    fn precision_is_averaged_over_pages_with_output_only() {
        let perfect = shingle_counts("a b c d e", "a b c d e");
        let empty = shingle_counts("a b c d e", "");
        let (p, r, f1) = averaged_prf(&[perfect, empty]);
        assert_eq!((p, r), (1.0, 0.5));
        assert!((f1 - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn segments_are_found_in_normalised_text() {
        let with = ["eins  zwei".to_string(), "drei".to_string()];
        let without = ["Cookies".to_string()];
        let hits = segment_hits(&with, &without, Some("eins\nzwei vier Cookies"));
        assert_eq!(
            hits,
            SegmentHits {
                found: 1,
                missed: 1,
                kept: 1,
                dropped: 0
            }
        );
        assert_eq!(segment_hits(&with, &without, None).found, 0);
        let (p, r, f1) = hits.prf();
        assert_eq!((p, r, f1), (0.5, 0.5, 0.5));
    }

    #[test]
    fn the_day_is_the_first_ten_characters() {
        let verdict = |p| day_verdict(p, Some("2021-03-29"));
        assert_eq!(
            verdict(Some("2021-03-29T23:30:00+02:00")),
            DayVerdict::Correct
        );
        assert_eq!(verdict(Some("2021-03-29")), DayVerdict::Correct);
        assert_eq!(verdict(Some("2021-03-30")), DayVerdict::Wrong);
        assert_eq!(verdict(Some("")), DayVerdict::Missing);
        assert_eq!(verdict(None), DayVerdict::Missing);
        assert_eq!(day_verdict(Some("2021-03-29"), None), DayVerdict::Wrong);
    }

    #[test]
    fn python_whitespace_normalisation() {
        assert_eq!(normalize_space("  a\u{1c}b \u{a0}\n c  "), "a b c");
        assert_eq!(normalize_space(" \t "), "");
    }
}
