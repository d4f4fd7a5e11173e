//! How close extraction is to gold. Used by the corpus tests, the quality
//! test and the `evaluate` binary, so every score means the same thing.
//!
//! The functions here are pure; `batch` answers a page file as
//! `extract --batch` does, `evalsets` loads and scores the public
//! benchmarks exactly as their Python scorers do, and `realpages` checks
//! real municipal pages that have no gold text.

pub mod batch;
pub mod evalsets;
pub mod realpages;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::model::{FoundDate, PageDate, STOCKHOLM};

/// Why a benchmark or page folder could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("parsing {path}: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "{dir}: not a benchmark folder (no ground-truth.json, evaldata.json or eval_default.json)"
    )]
    Unknown { dir: PathBuf },
    #[error("{dir}: page {file} is missing")]
    MissingPage { dir: PathBuf, file: String },
}

/// Token precision, recall and F1 of an extracted text against gold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Token precision/recall/F1 of `got` against `want` (see [`token_f1`]).
/// An empty side has precision (or recall) 1 when the other is empty too.
pub fn token_scores(got: &str, want: &str) -> TokenScores {
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for token in want.split_whitespace() {
        *counts.entry(token).or_default() += 1;
    }
    let mut common = 0usize;
    for token in got.split_whitespace() {
        if let Some(c) = counts.get_mut(token).filter(|c| **c > 0) {
            *c -= 1;
            common += 1;
        }
    }
    let (g, w) = (
        got.split_whitespace().count(),
        want.split_whitespace().count(),
    );
    let ratio = |part: usize, whole: usize| {
        if whole == 0 {
            if g == w {
                1.0
            } else {
                0.0
            }
        } else {
            part as f64 / whole as f64
        }
    };
    let (precision, recall) = (ratio(common, g), ratio(common, w));
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    TokenScores {
        precision,
        recall,
        f1,
    }
}

/// Token F1 of `got` against `want`: whitespace tokens compared as
/// multisets (the ScrapingHub article-extraction-benchmark measure).
/// Two empty texts score 1.
pub fn token_f1(got: &str, want: &str) -> f64 {
    token_scores(got, want).f1
}

/// The boilerplate snippets that `body` contains.
pub fn leaks<'s>(body: &str, snippets: impl IntoIterator<Item = &'s str>) -> Vec<&'s str> {
    snippets.into_iter().filter(|s| body.contains(s)).collect()
}

/// Whether a found date matches a gold date of the development corpus:
/// gold `YYYY-MM-DD` compares the Stockholm day, `YYYY-MM-DDTHH:MM` the
/// local time to the minute. No gold date accepts no date, or (for
/// `updated`) the published date repeated.
pub fn date_matches_gold(
    found: Option<&FoundDate>,
    gold: Option<&str>,
    published: Option<&FoundDate>,
) -> bool {
    match (found, gold) {
        (None, None) => true,
        (Some(found), None) => published.is_some_and(|published| published.date == found.date),
        (None, Some(_)) => false,
        (Some(found), Some(gold)) => match (found.date, gold.len() > 10) {
            (PageDate::Time(t), true) => {
                t.to_zoned(STOCKHOLM.clone())
                    .strftime("%Y-%m-%dT%H:%M")
                    .to_string()
                    == gold
            }
            (PageDate::Day(_), true) => false,
            (date, false) => date.local_day().to_string() == gold,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(got: &str, want: &str, expected: f64) {
        let f1 = token_f1(got, want);
        assert!((f1 - expected).abs() < 1e-9, "{got:?} vs {want:?}: {f1}");
    }

    #[test]
    fn scores() {
        check("a b c", "a b c", 1.0);
        check("a b\n\nc", "a  b c", 1.0);
        check("", "", 1.0);
        check("a", "", 0.0);
        check("x y", "a b", 0.0);
        // precision 2/4, recall 2/2
        check("a b c d", "a b", 2.0 * 0.5 / 1.5);
        // repeated tokens count once each
        check("a a a", "a", 0.5);
    }

    #[test]
    fn precision_and_recall() {
        let s = token_scores("a b c d", "a b");
        assert_eq!((s.precision, s.recall), (0.5, 1.0));
        let s = token_scores("", "a");
        assert_eq!((s.precision, s.recall, s.f1), (0.0, 0.0, 0.0));
    }

    #[test]
    fn gold_dates() {
        use crate::model::DateSource;
        let day =
            |d: &str| FoundDate::new(PageDate::Day(d.parse().unwrap()), DateSource::Label, "");
        let time =
            |t: &str| FoundDate::new(PageDate::Time(t.parse().unwrap()), DateSource::Label, "");
        assert!(date_matches_gold(
            Some(&day("2021-03-29")),
            Some("2021-03-29"),
            None
        ));
        assert!(!date_matches_gold(
            Some(&day("2021-03-29")),
            Some("2021-03-29T10:00"),
            None
        ));
        // Summer time: 08:50 UTC is 10:50 in Stockholm.
        let summer = time("2024-09-12T08:50:00Z");
        assert!(date_matches_gold(
            Some(&summer),
            Some("2024-09-12T10:50"),
            None
        ));
        assert!(date_matches_gold(Some(&summer), Some("2024-09-12"), None));
        assert!(!date_matches_gold(Some(&summer), None, None));
        assert!(date_matches_gold(Some(&summer), None, Some(&summer)));
        assert!(!date_matches_gold(None, Some("2024-09-12"), None));
        assert!(date_matches_gold(None, None, None));
    }

    #[test]
    fn leaked_snippets() {
        let body = "Nyheten. Dela på Facebook";
        assert_eq!(
            leaks(body, ["Dela på Facebook", "Kakor"]),
            ["Dela på Facebook"]
        );
        assert!(leaks(body, []).is_empty());
    }
}
