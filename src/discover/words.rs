//! Pure: the words that say "news", "business", "feed", "all news" and
//! "events" in link texts, paths and titles, in Swedish, English and
//! German.
//!
//! Texts and paths are cut into lowercase words with å/ä/ö (and ü, é, ß)
//! folded, because paths drop them (`/naringsliv/`, `/foretagare/`) while
//! link texts keep them. Swedish and German glue words together
//! ("näringslivsnyheter", "Pressemitteilungen"), so a stem matches where it
//! begins a word, and the stems that are heads of compounds (`nyhet`,
//! `nachricht`) also anywhere inside one.

/// Words of a text or a URL path: lowercase, folded, split at anything that
/// is not a letter or digit (a path's `%C3%A4` is decoded first).
pub fn words(text: &str) -> Vec<String> {
    let decoded = percent_decoded(text);
    decoded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
        .collect()
}

/// Lowercase with the letters paths leave out folded to ASCII.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        match c {
            'å' | 'ä' | 'à' | 'á' | 'â' => out.push('a'),
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => out.push('o'),
            'ü' | 'ú' | 'ù' => out.push('u'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'ß' => out.push_str("ss"),
            _ => out.push(c),
        }
    }
    out
}

fn percent_decoded(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map_or_else(|| text.to_string(), |(_, v)| v.into_owned())
}

/// A vocabulary: whole words, stems that begin a word, and stems that may
/// sit anywhere in a compound.
struct Vocabulary {
    exact: &'static [&'static str],
    starts: &'static [&'static str],
    inside: &'static [&'static str],
}

impl Vocabulary {
    /// The first word of `words` that belongs to the vocabulary.
    fn find<'w>(&self, words: &'w [String]) -> Option<&'w str> {
        words
            .iter()
            .find(|w| {
                self.exact.contains(&w.as_str())
                    || self.starts.iter().any(|s| w.starts_with(s))
                    || self.inside.iter().any(|s| w.contains(s))
            })
            .map(String::as_str)
    }
}

/// News, press, current affairs, blogs.
const NEWS: Vocabulary = Vocabulary {
    exact: &[],
    starts: &[
        // Swedish
        "nyhet",
        "nytt",
        "aktuell",
        "press",
        "meddelande",
        "notis",
        "blogg",
        // English
        "news",
        "latest",
        "blog",
        "announcement",
        // German
        "aktuelles",
        "neuigkeit",
        "nachricht",
        "presse",
        "meldung",
    ],
    inside: &[
        "nyhet",
        "pressmeddelande",
        "nachricht",
        "meldung",
        "neuigkeit",
        "news",
        "blogg",
    ],
};

/// Business and the local economy.
const BUSINESS: Vocabulary = Vocabulary {
    exact: &[],
    starts: &[
        // Swedish
        "naringsliv",
        "foretag",
        "entreprenor",
        "etablera",
        "etablering",
        "nyforetag",
        "handel",
        "industri",
        "upphandling",
        "tillvaxt",
        "investera",
        "investering",
        "besoksnaring",
        "arbetsgivare",
        "export",
        // English
        "business",
        "enterprise",
        "entrepreneur",
        "economic",
        "economy",
        "industry",
        "trade",
        "invest",
        "companies",
        "company",
        "employer",
        // German
        "wirtschaft",
        "unternehm",
        "gewerbe",
        "standort",
        "firmen",
        "industrie",
    ],
    inside: &[
        "naringsliv",
        "foretag",
        "foretagar",
        "wirtschaft",
        "unternehm",
        "business",
        "entreprenor",
    ],
};

/// What a feed link says.
const FEED: Vocabulary = Vocabulary {
    exact: &["feed", "feeds", "atom"],
    starts: &["rss", "prenumerera", "flode", "webbflode", "abonnieren"],
    inside: &["rss", "flode"],
};

/// What the "all news" link of a news block says.
const ALL: Vocabulary = Vocabulary {
    exact: &[
        "alla",
        "fler",
        "visa",
        "arkiv",
        "samtliga",
        "all",
        "more",
        "archive",
        "see",
        "alle",
        "mehr",
        "weitere",
        "archiv",
        "nyhetsarkiv",
        "nyhetsarkivet",
        "arkivet",
    ],
    starts: &[],
    inside: &[],
};

/// Events, calendars, jobs and notice boards: dated lists that are not news.
const NOT_NEWS: Vocabulary = Vocabulary {
    exact: &["event", "events", "sok", "search", "jobs"],
    starts: &[
        "evenemang",
        "kalender",
        "jobb",
        "ledigajobb",
        "anslagstavla",
        "kungorelse",
        "calendar",
        "vacanc",
        "veranstaltung",
        "termine",
        "stellen",
        "kommentar",
        "comments",
        "pressbild",
        "presskontakt",
        "pressfoto",
        "kontakt",
        "contact",
    ],
    inside: &["kalender", "evenemang", "kommentar", "kontakt"],
};

/// E-mail newsletters: "prenumerera på nyhetsbrevet" is no feed.
const NEWSLETTER: Vocabulary = Vocabulary {
    exact: &["mail", "email", "epost"],
    starts: &["nyhetsbrev", "newsletter"],
    inside: &["nyhetsbrev", "newsletter"],
};

/// A link to a page about something ("Om bloggen", "About us").
const ABOUT: &[&str] = &["om", "about", "uber"];

/// Feeds of comments and searches are no news stream.
const NOT_A_STREAM: Vocabulary = Vocabulary {
    exact: &["search", "sok"],
    starts: &["comments", "kommentar"],
    inside: &["kommentar", "comments"],
};

/// The first news word of a text or path, if any.
pub fn news_word(words: &[String]) -> Option<&str> {
    NEWS.find(words)
}

/// The first business word, if any.
pub fn business_word(words: &[String]) -> Option<&str> {
    BUSINESS.find(words)
}

pub fn is_feed_text(words: &[String]) -> bool {
    FEED.find(words).is_some() && NEWSLETTER.find(words).is_none()
}

/// A link text that starts "Om …" / "About …": an about page.
pub fn is_about_text(words: &[String]) -> bool {
    words.first().is_some_and(|w| ABOUT.contains(&w.as_str()))
}

pub fn is_all_news_text(words: &[String]) -> bool {
    ALL.find(words).is_some()
}

pub fn is_not_news(words: &[String]) -> bool {
    NOT_NEWS.find(words).is_some()
}

/// A comments feed, a search feed.
pub fn is_not_a_stream(words: &[String]) -> bool {
    NOT_A_STREAM.find(words).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str) -> Vec<String> {
        words(text)
    }

    #[test]
    fn words_are_folded_and_split() {
        assert_eq!(
            w("/naringsliv-och-arbete/Nyheter%20f%C3%B6r%20f%C3%B6retagare.html"),
            [
                "naringsliv",
                "och",
                "arbete",
                "nyheter",
                "for",
                "foretagare",
                "html"
            ]
        );
        assert_eq!(
            w("Aktuellt för företagare"),
            ["aktuellt", "for", "foretagare"]
        );
        assert_eq!(w("Straße"), ["strasse"]);
    }

    #[test]
    fn news_in_three_languages_and_compounds() {
        for text in [
            "Nyheter",
            "Nyheter från näringslivet",
            "Näringslivsnyheter",
            "Aktuellt",
            "Senaste nytt",
            "Pressmeddelanden",
            "Kommunchefsbloggen",
            "News",
            "Press releases",
            "Aktuelles",
            "Pressemitteilungen",
            "Kurznachrichten",
            "/sv/nyhetsarkiv/",
        ] {
            assert!(news_word(&w(text)).is_some(), "{text}");
        }
        for text in [
            "Kontakta oss",
            "Om webbplatsen",
            "Bygga och bo",
            "Evenemang",
        ] {
            assert!(news_word(&w(text)).is_none(), "{text}");
        }
    }

    #[test]
    fn business_in_three_languages_and_compounds() {
        for text in [
            "Näringsliv och arbete",
            "/foretagare/aktuellt.html",
            "Nyheter för företagare",
            "Småföretagare",
            "Business news",
            "Wirtschaftsförderung",
            "Unternehmen",
        ] {
            assert!(business_word(&w(text)).is_some(), "{text}");
        }
        for text in ["Förskola och skola", "Nyheter", "Kultur och fritid"] {
            assert!(business_word(&w(text)).is_none(), "{text}");
        }
    }

    #[test]
    fn feeds_all_links_and_non_news() {
        assert!(is_feed_text(&w("Prenumerera på RSS")));
        assert!(is_feed_text(&w("Webbflöde")));
        assert!(!is_feed_text(&w("Feedback på webbplatsen")));
        assert!(is_feed_text(&w("/nyheter/feed/")));
        assert!(!is_feed_text(&w("prenumerera på vårt nyhetsbrev")));
        assert!(is_about_text(&w("Om bloggen")));
        assert!(!is_about_text(&w("Nyheter om företag")));
        assert!(is_all_news_text(&w("Visa alla nyheter")));
        assert!(is_all_news_text(&w("Fler nyheter")));
        assert!(is_all_news_text(&w("Alle Meldungen")));
        assert!(is_not_news(&w("Evenemangskalender")));
        assert!(is_not_news(&w("/kalender/")));
        assert!(is_not_a_stream(&w("/comments/feed/")));
        assert!(is_not_a_stream(&w("Kommentarsflöde")));
    }
}
