//! Pure: the language of a headline or body, for its `lang` attribute, so
//! a screen reader reads a Swedish headline in Swedish and an English one
//! in English, and the browser hyphenates and translates it right.
//!
//! muniflux reads Swedish municipalities: their pages are Swedish unless
//! the text plainly says otherwise. A text says otherwise when most of its
//! common short words (the words every sentence has) are English or
//! Finnish, the other languages those sites publish in most.

/// Common short words of each language. Words two languages share
/// ("i", "on", "ja" ...) are in neither list.
const SWEDISH: &[&str] = &[
    "och", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till", "den", "har", "de",
    "inte", "om", "ett", "var", "kan", "vi", "från", "du", "kommer", "eller", "nu", "vid", "under",
    "efter", "mot", "alla", "här", "hur", "nya", "ny", "kommun", "kommunen",
];
const ENGLISH: &[&str] = &[
    "the",
    "and",
    "of",
    "to",
    "is",
    "for",
    "that",
    "with",
    "are",
    "be",
    "this",
    "will",
    "by",
    "from",
    "as",
    "at",
    "have",
    "has",
    "was",
    "you",
    "we",
    "our",
    "new",
    "an",
    "it",
    "not",
    "or",
    "can",
    "about",
    "council",
    "municipality",
];
const FINNISH: &[&str] = &[
    "ja", "on", "että", "ei", "se", "myös", "tai", "kun", "jos", "sekä", "ovat", "oli", "mutta",
    "kanssa", "tämä", "kunta", "kunnan", "voi", "vuoden", "uusi",
];

/// The BCP 47 tag of `text`'s language: `sv` unless at least three of its
/// common words are English (or Finnish) and they outnumber the Swedish
/// ones two to one. Reads at most the first 400 words.
pub fn of_text(text: &str) -> &'static str {
    let mut counts = [0usize; 3];
    for word in text.split(|c: char| !c.is_alphabetic()).take(400) {
        if word.is_empty() {
            continue;
        }
        let word = word.to_lowercase();
        for (count, words) in counts.iter_mut().zip([SWEDISH, ENGLISH, FINNISH]) {
            if words.contains(&word.as_str()) {
                *count += 1;
            }
        }
    }
    let [swedish, english, finnish] = counts;
    let plainly = |other: usize| other >= 3 && other >= 2 * swedish.max(1);
    if plainly(english) && english >= finnish {
        "en"
    } else if plainly(finnish) {
        "fi"
    } else {
        "sv"
    }
}

#[cfg(test)]
mod tests {
    use super::of_text;

    #[test]
    fn swedish_unless_the_text_plainly_says_otherwise() {
        let cases = [
            ("Ny förskola öppnar i Teleborg", "sv"),
            (
                "Kommunen bygger ut fibernätet så att alla företag kan få bredband",
                "sv",
            ),
            ("", "sv"),
            ("Ale", "sv"),
            (
                "The council has decided to build a new school for the children of the town",
                "en",
            ),
            ("Kunta ja kaupunki ovat myös mukana, että se on hyvä", "fi"),
            // Swedish with an English name in it stays Swedish.
            (
                "The Tivoli-festivalen är tillbaka och det blir fest för alla på torget",
                "sv",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(of_text(text), expected, "{text}");
        }
    }
}
