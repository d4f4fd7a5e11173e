//! Pure: does an article belong to the topics a source is polled for?
//!
//! A municipality's news list mixes road works and school closures with
//! the business news an operator wants. A topic filter keeps what names an
//! `include` keyword (when there are any) and drops what names an
//! `exclude` keyword, looking at the headline, the text, the feed's
//! categories and the URL's path; `url_prefix` keeps one section of a list
//! before anything is fetched.
//!
//! Keywords match whole words, case-insensitively, and a keyword matches
//! the words it begins, so Swedish inflections and derivations come along:
//! "företag" matches "företagen" and "företagare", not "småföretag". A
//! keyword of several words matches them in a row ("lediga jobb"). In the
//! URL path, which drops å, ä and ö, both sides are folded
//! (`/naringsliv/` is "näringsliv").

use url::Url;

/// A source's topic filter, as it applies: the list's `[filter]` with the
/// source's own keys (see [`TopicFilter::combined`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicFilter {
    include: Vec<Keyword>,
    exclude: Vec<Keyword>,
    url_prefix: Option<UrlPrefix>,
}

/// One keyword as written, and its words.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Keyword {
    written: String,
    /// Lowercase words, for text.
    words: Vec<String>,
    /// Folded words, for URL paths.
    folded: Vec<String>,
}

/// Where kept articles live: a whole URL prefix, or a path prefix on any
/// host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlPrefix {
    Url(String),
    Path(String),
}

/// What an article is checked by.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub url: &'a Url,
    pub title: &'a str,
    pub body: &'a str,
    /// A feed item's categories (none for a page).
    pub categories: &'a [String],
}

/// Whether an article passes, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass(String),
    Fail(String),
}

impl Verdict {
    pub fn passes(&self) -> bool {
        matches!(self, Verdict::Pass(_))
    }

    pub fn reason(&self) -> &str {
        match self {
            Verdict::Pass(r) | Verdict::Fail(r) => r,
        }
    }
}

/// Why a keyword or prefix is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("`{0}` is not a keyword (it has no letters or digits)")]
    EmptyKeyword(String),
    #[error("`{0}` is neither an http(s) URL nor a path starting with /")]
    BadPrefix(String),
}

impl TopicFilter {
    /// A filter from configured keywords and prefix.
    pub fn new(
        include: &[String],
        exclude: &[String],
        url_prefix: Option<&str>,
    ) -> Result<TopicFilter, Error> {
        Ok(TopicFilter {
            include: keywords(include)?,
            exclude: keywords(exclude)?,
            url_prefix: url_prefix.map(UrlPrefix::parse).transpose()?,
        })
    }

    /// The list-wide filter with a source's own: the source's `include`
    /// replaces the list's when the source has one (an empty list keeps
    /// everything), `exclude` adds to the list's, `url_prefix` is the
    /// source's.
    pub fn combined(
        list: &TopicFilter,
        source: &TopicFilter,
        source_has_include: bool,
    ) -> TopicFilter {
        let include = if source_has_include {
            source.include.clone()
        } else {
            list.include.clone()
        };
        let mut exclude = list.exclude.clone();
        for k in &source.exclude {
            if !exclude.contains(k) {
                exclude.push(k.clone());
            }
        }
        TopicFilter {
            include,
            exclude,
            url_prefix: source.url_prefix.clone(),
        }
    }

    /// Whether the filter keeps everything.
    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty() && self.url_prefix.is_none()
    }

    /// The verdict on a link before it is fetched: only `url_prefix` can
    /// say no this early.
    pub fn link_verdict(&self, url: &Url) -> Option<Verdict> {
        let prefix = self.url_prefix.as_ref()?;
        if prefix.holds(url) {
            None
        } else {
            Some(Verdict::Fail(format!(
                "outside url_prefix {}",
                prefix.as_str()
            )))
        }
    }

    /// The verdict on an article.
    pub fn verdict(&self, subject: &Subject<'_>) -> Verdict {
        if self.is_empty() {
            return Verdict::Pass("no topic filter".into());
        }
        if let Some(fail) = self.link_verdict(subject.url) {
            return fail;
        }
        let fields = Fields::of(subject);
        if let Some((keyword, field)) = self.exclude.iter().find_map(|k| fields.find(k)) {
            return Verdict::Fail(format!("excluded by “{keyword}” ({field})"));
        }
        if self.include.is_empty() {
            return Verdict::Pass("no exclude keyword".into());
        }
        match self.include.iter().find_map(|k| fields.find(k)) {
            Some((keyword, field)) => Verdict::Pass(format!("included by “{keyword}” ({field})")),
            None => Verdict::Fail(format!(
                "no include keyword ({}) in headline, text, categories or address",
                self.include
                    .iter()
                    .map(|k| k.written.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// A stable number for this filter, stored with each article it turned
    /// away: when the operator changes the filter, those are looked at again.
    pub fn fingerprint(&self) -> i64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |text: &str| {
            for byte in text.bytes().chain([0xff]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for k in &self.include {
            feed("+");
            feed(&k.words.join(" "));
        }
        for k in &self.exclude {
            feed("-");
            feed(&k.words.join(" "));
        }
        if let Some(p) = &self.url_prefix {
            feed("@");
            feed(p.as_str());
        }
        hash as i64
    }

    /// A one-line description, for operators.
    pub fn describe(&self) -> String {
        let list = |ks: &[Keyword]| {
            ks.iter()
                .map(|k| k.written.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !self.include.is_empty() {
            parts.push(format!("include: {}", list(&self.include)));
        }
        if !self.exclude.is_empty() {
            parts.push(format!("exclude: {}", list(&self.exclude)));
        }
        if let Some(p) = &self.url_prefix {
            parts.push(format!("url_prefix: {}", p.as_str()));
        }
        parts.join("; ")
    }
}

fn keywords(written: &[String]) -> Result<Vec<Keyword>, Error> {
    let mut out: Vec<Keyword> = Vec::new();
    for w in written {
        let words = text_words(w);
        if words.is_empty() {
            return Err(Error::EmptyKeyword(w.clone()));
        }
        let keyword = Keyword {
            written: w.split_whitespace().collect::<Vec<_>>().join(" "),
            folded: words.iter().map(|x| fold(x)).collect(),
            words,
        };
        if !out.iter().any(|k| k.words == keyword.words) {
            out.push(keyword);
        }
    }
    Ok(out)
}

impl UrlPrefix {
    fn parse(text: &str) -> Result<UrlPrefix, Error> {
        let text = text.trim();
        if text.starts_with('/') {
            return Ok(UrlPrefix::Path(text.to_string()));
        }
        match Url::parse(text) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {
                Ok(UrlPrefix::Url(url.to_string()))
            }
            _ => Err(Error::BadPrefix(text.to_string())),
        }
    }

    fn holds(&self, url: &Url) -> bool {
        let url = crate::canonical::canonical_url(url);
        match self {
            UrlPrefix::Url(prefix) => url.as_str().starts_with(prefix.as_str()),
            UrlPrefix::Path(prefix) => url.path().starts_with(prefix.as_str()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            UrlPrefix::Url(s) | UrlPrefix::Path(s) => s,
        }
    }
}

/// The words of an article, field by field.
struct Fields {
    title: Vec<String>,
    body: Vec<String>,
    categories: Vec<Vec<String>>,
    path: Vec<String>,
}

impl Fields {
    fn of(subject: &Subject<'_>) -> Fields {
        Fields {
            title: text_words(subject.title),
            body: text_words(subject.body),
            categories: subject.categories.iter().map(|c| text_words(c)).collect(),
            path: text_words(&decoded(subject.url.path()))
                .iter()
                .map(|w| fold(w))
                .collect(),
        }
    }

    /// The keyword (as written) and the field it was found in.
    fn find<'k>(&self, k: &'k Keyword) -> Option<(&'k str, &'static str)> {
        let found = if contains(&self.title, &k.words) {
            "headline"
        } else if self.categories.iter().any(|c| contains(c, &k.words)) {
            "category"
        } else if contains(&self.path, &k.folded) {
            "address"
        } else if contains(&self.body, &k.words) {
            "text"
        } else {
            return None;
        };
        Some((&k.written, found))
    }
}

/// Whether `keyword`'s words begin words of `text` in a row.
fn contains(text: &[String], keyword: &[String]) -> bool {
    if keyword.is_empty() || text.len() < keyword.len() {
        return false;
    }
    text.windows(keyword.len()).any(|window| {
        window
            .iter()
            .zip(keyword)
            .all(|(w, k)| w.starts_with(k.as_str()))
    })
}

/// Lowercase words: runs of letters and digits.
fn text_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn fold(word: &str) -> String {
    crate::discover::words::fold(word)
}

fn decoded(path: &str) -> String {
    url::form_urlencoded::parse(format!("p={}", path.replace('+', "%2B")).as_bytes())
        .next()
        .map_or_else(|| path.to_string(), |(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(include: &[&str], exclude: &[&str], prefix: Option<&str>) -> TopicFilter {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        TopicFilter::new(&s(include), &s(exclude), prefix).unwrap()
    }

    fn check(f: &TopicFilter, url: &str, title: &str, body: &str, categories: &[&str]) -> Verdict {
        let url = Url::parse(url).unwrap();
        let categories: Vec<String> = categories.iter().map(|c| c.to_string()).collect();
        f.verdict(&Subject {
            url: &url,
            title,
            body,
            categories: &categories,
        })
    }

    #[test]
    fn keywords_match_whole_words_by_prefix_case_insensitively() {
        let f = filter(&["företag"], &[], None);
        let pass = |title: &str| check(&f, "https://x.se/a", title, "", &[]).passes();
        assert!(pass("Företagen i Ale växer"));
        assert!(pass("Möt FÖRETAGARE i hamnen"));
        assert!(pass("Nytt företagscentrum"));
        assert!(!pass("Småföretag får stöd"), "not inside a word");
        assert!(!pass("Skolstart i augusti"));
    }

    #[test]
    fn every_field_is_looked_at_and_named() {
        let f = filter(&["näringsliv"], &[], None);
        let reason = |url: &str, title: &str, body: &str, cats: &[&str]| {
            let v = check(&f, url, title, body, cats);
            assert!(v.passes(), "{v:?}");
            v.reason().to_string()
        };
        assert_eq!(
            reason("https://x.se/a", "Näringslivsdag", "", &[]),
            "included by “näringsliv” (headline)"
        );
        assert!(reason("https://x.se/a", "Dag", "Om näringslivet.", &[]).ends_with("(text)"));
        assert!(reason("https://x.se/a", "Dag", "", &["Näringsliv"]).ends_with("(category)"));
        assert!(reason("https://x.se/naringsliv/a.html", "Dag", "", &[]).ends_with("(address)"));
    }

    #[test]
    fn exclude_wins_and_phrases_match_in_a_row() {
        let f = filter(&["företag"], &["lediga jobb"], None);
        let v = check(&f, "https://x.se/a", "Lediga jobb hos företagen", "", &[]);
        assert_eq!(
            v,
            Verdict::Fail("excluded by “lediga jobb” (headline)".into())
        );
        assert!(check(
            &f,
            "https://x.se/a",
            "Jobb som är lediga i företag",
            "",
            &[]
        )
        .passes());
        let v = check(
            &f,
            "https://x.se/a",
            "Skolstart",
            "Barnen börjar skolan.",
            &[],
        );
        assert_eq!(
            v,
            Verdict::Fail(
                "no include keyword (företag) in headline, text, categories or address".into()
            )
        );
        let only_exclude = filter(&[], &["vägarbete"], None);
        assert!(check(&only_exclude, "https://x.se/a", "Ny park", "", &[]).passes());
        assert!(!check(
            &only_exclude,
            "https://x.se/a",
            "Vägarbetet fortsätter",
            "",
            &[]
        )
        .passes());
    }

    #[test]
    fn url_prefix_keeps_one_section_before_anything_is_fetched() {
        let by_path = filter(&[], &[], Some("/nyheter/naringsliv/"));
        let url = |u: &str| Url::parse(u).unwrap();
        assert_eq!(
            by_path.link_verdict(&url("https://x.se/nyheter/naringsliv/a.html")),
            None
        );
        assert!(by_path
            .link_verdict(&url("https://x.se/nyheter/skola/b.html"))
            .is_some());
        let by_url = filter(&[], &[], Some("https://x.se/nyheter/naringsliv/"));
        assert_eq!(
            by_url.link_verdict(&url(
                "https://x.se:443/nyheter/naringsliv/a.html?utm_source=x"
            )),
            None
        );
        assert!(by_url
            .link_verdict(&url("https://y.se/nyheter/naringsliv/a.html"))
            .is_some());
        assert_eq!(
            filter(&[], &[], None).link_verdict(&url("https://x.se/")),
            None
        );
    }

    #[test]
    fn the_list_filter_and_a_sources_combine() {
        let list = filter(&["företag"], &["jobb"], None);
        let own = filter(&[], &["skola"], Some("/nyheter/"));
        let both = TopicFilter::combined(&list, &own, false);
        assert_eq!(
            both.describe(),
            "include: företag; exclude: jobb, skola; url_prefix: /nyheter/"
        );
        let opted_out = TopicFilter::combined(&list, &own, true);
        assert_eq!(
            opted_out.describe(),
            "exclude: jobb, skola; url_prefix: /nyheter/"
        );
        assert_ne!(both.fingerprint(), opted_out.fingerprint());
        assert_eq!(
            both.fingerprint(),
            TopicFilter::combined(&list, &own, false).fingerprint()
        );
        assert!(TopicFilter::default().is_empty());
    }

    #[test]
    fn bad_keywords_and_prefixes_are_errors() {
        assert_eq!(
            TopicFilter::new(&[" - ".into()], &[], None),
            Err(Error::EmptyKeyword(" - ".into()))
        );
        assert_eq!(
            TopicFilter::new(&[], &[], Some("nyheter/")),
            Err(Error::BadPrefix("nyheter/".into()))
        );
    }
}
