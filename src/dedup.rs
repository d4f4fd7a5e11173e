//! Pure: when are two articles the same story?
//!
//! The URL key catches URL variants; this catches the same press release
//! posted on two sites (or reached through a feed whose links point at
//! another host): same headline and nearly the same body.

use std::collections::HashSet;

/// A headline reduced for comparison: lower case, letters and digits only,
/// single spaces (typographic quotes and dashes don't matter).
pub fn normalize_title(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for word in title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Word 3-shingles of a body, hashed with a stable hash (FNV-1a) so the set
/// can be compared across processes.
pub fn shingles(text: &str) -> HashSet<u64> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    if words.len() < 3 {
        return words.iter().map(|w| fnv1a(w.as_bytes())).collect();
    }
    words
        .windows(3)
        .map(|w| fnv1a(w.join(" ").as_bytes()))
        .collect()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Jaccard similarity of two shingle sets (0 when either is empty).
pub fn similarity(a: &HashSet<u64>, b: &HashSet<u64>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.intersection(b).count();
    common as f64 / (a.len() + b.len() - common) as f64
}

/// Bodies at least this similar (with equal headlines) are one story. An
/// extra contact line or a different ingress wrapping stays well above it;
/// two different stories under a generic headline stay far below.
pub const SAME_STORY_SIMILARITY: f64 = 0.6;

/// Fewer words than this and a body says too little to call two stories one.
pub const MIN_WORDS_TO_COMPARE: usize = 20;

/// Whether two articles with equal normalised headlines are the same story.
pub fn same_story(body_a: &str, body_b: &str) -> bool {
    let words = |t: &str| t.split_whitespace().count();
    if words(body_a) < MIN_WORDS_TO_COMPARE || words(body_b) < MIN_WORDS_TO_COMPARE {
        return false;
    }
    similarity(&shingles(body_a), &shingles(body_b)) >= SAME_STORY_SIMILARITY
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "Kronobergs kommuner lanserar en gemensam etableringsguide för företag \
        som vill etablera sig i regionen. Guiden samlar information om mark, lokaler, \
        kompetensförsörjning och kontaktvägar till varje kommuns näringslivsenhet. \
        Arbetet har pågått sedan våren och finansieras gemensamt av de åtta kommunerna.";

    #[test]
    fn titles_normalise_quotes_dashes_and_case() {
        assert_eq!(
            normalize_title("”Jag vill vara smörjmedlet” – Växjö"),
            "jag vill vara smörjmedlet växjö"
        );
        assert_eq!(normalize_title("  Nyheter "), "nyheter");
    }

    #[test]
    fn same_story_with_an_extra_contact_line() {
        let with_contact =
            format!("{BODY}\n\nKontakt: Anna Andersson, näringslivschef, 0470-41 00 00.");
        assert!(same_story(BODY, &with_contact));
    }

    #[test]
    fn different_stories_are_not_merged() {
        let other = "Kommunfullmäktige har antagit en ny näringslivsstrategi för perioden \
            2021–2025 med fyra fokusområden: service, kompetens, mark och infrastruktur. \
            Strategin har tagits fram i dialog med företagen och ska följas upp varje år.";
        assert!(!same_story(BODY, other));
    }

    #[test]
    fn short_bodies_are_never_enough() {
        assert!(!same_story(
            "Läs mer på vår webbplats.",
            "Läs mer på vår webbplats."
        ));
    }
}
