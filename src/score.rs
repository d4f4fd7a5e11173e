//! Pure: how close extracted text is to a gold text. Used by the corpus
//! tests and by evaluation tooling, so every score means the same thing.

use std::collections::HashMap;

/// Token F1 of `got` against `want`: whitespace tokens compared as
/// multisets (the ScrapingHub article-extraction-benchmark measure).
/// Two empty texts score 1.
pub fn token_f1(got: &str, want: &str) -> f64 {
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for token in want.split_whitespace() {
        *counts.entry(token).or_default() += 1;
    }
    let mut common = 0i64;
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
    if g == 0 && w == 0 {
        return 1.0;
    }
    if common == 0 {
        return 0.0;
    }
    let precision = common as f64 / g as f64;
    let recall = common as f64 / w as f64;
    2.0 * precision * recall / (precision + recall)
}

/// The boilerplate snippets that `body` contains.
pub fn leaks<'s>(body: &str, snippets: impl IntoIterator<Item = &'s str>) -> Vec<&'s str> {
    snippets.into_iter().filter(|s| body.contains(s)).collect()
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
    fn leaked_snippets() {
        let body = "Nyheten. Dela på Facebook";
        assert_eq!(
            leaks(body, ["Dela på Facebook", "Kakor"]),
            ["Dela på Facebook"]
        );
        assert!(leaks(body, []).is_empty());
    }
}
