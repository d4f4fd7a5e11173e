//! Dates a page states outside its visible text: JSON-LD, `<meta>` elements
//! and the URL path.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html};
use serde_json::{Map, Value};
use url::Url;

use jiff::tz::Offset;

use super::parse::{parse_date_at_start, parse_machine_date, parse_machine_stated};
use super::{local_offset, Kind};
use crate::extract::dom::attr;
use crate::model::{DateSource, FoundDate, PageDate};

/// JSON-LD blocks larger than this are not article metadata.
const MAX_JSON_LD_BYTES: usize = 512 * 1024;

/// The `<meta>`, `<script>`, `<time>` and canonical `<link>` elements of a
/// page, in document order, found in one walk (a name test, not a
/// `Selector`: selector matching per element costs more than the test).
pub(super) struct DatedElements<'d> {
    metas: Vec<ElementRef<'d>>,
    scripts: Vec<ElementRef<'d>>,
    times: Vec<ElementRef<'d>>,
    canonical: Option<&'d str>,
}

impl<'d> DatedElements<'d> {
    pub(super) fn of(doc: &'d Html) -> DatedElements<'d> {
        let mut found = DatedElements {
            metas: Vec::new(),
            scripts: Vec::new(),
            times: Vec::new(),
            canonical: None,
        };
        for element in doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            match element.value().name() {
                "meta" => found.metas.push(element),
                "script" => found.scripts.push(element),
                "time" => found.times.push(element),
                "link" if found.canonical.is_none() => {
                    let canonical = attr(element.value(), "rel")
                        .is_some_and(|rel| rel.trim().eq_ignore_ascii_case("canonical"));
                    if canonical {
                        found.canonical = attr(element.value(), "href");
                    }
                }
                _ => {}
            }
        }
        found
    }

    /// Every machine value of the page, with the visible text of its
    /// element: `<time datetime>` (with text) and `<meta content>`.
    pub(super) fn machine_values(&self) -> impl Iterator<Item = (&'d str, Option<String>)> + '_ {
        let times = self.times.iter().filter_map(|time| {
            let value = attr(time.value(), "datetime")?;
            Some((value, Some(time.text().collect::<String>())))
        });
        let metas = self
            .metas
            .iter()
            .filter_map(|meta| Some((attr(meta.value(), "content")?, None)));
        times.chain(metas)
    }

    /// The page's own idea of its address: `<link rel="canonical">`, else
    /// `og:url`.
    pub(super) fn page_address(&self) -> Option<&'d str> {
        self.canonical.or_else(|| {
            self.metas.iter().find_map(|meta| {
                let property = attr(meta.value(), "property")?;
                property
                    .eq_ignore_ascii_case("og:url")
                    .then(|| attr(meta.value(), "content"))
                    .flatten()
            })
        })
    }

    /// The text of every inline `<script>` (page state, not code to run,
    /// is what holds dates there).
    pub(super) fn script_texts(&self) -> impl Iterator<Item = String> + '_ {
        self.scripts
            .iter()
            .filter(|script| attr(script.value(), "src").is_none())
            .map(|script| script.text().collect())
    }
}

/// `/2022-03-30-foo.html`, `/2019/10/18/foo/`: a full date as a path segment
/// or at the start of one. `/2021/03/foo/` has no day and is no date.
static SLUG_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/(\d{4})[-/](\d{2})[-/](\d{2})(?:[-/._]|$)").expect("slug pattern compiles")
});

/// How much a `<meta>` name is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MetaStrength {
    /// Says "published"/"modified" and is written by the CMS at publication.
    Strong,
    /// A creation date: when the page was made, which may precede publication.
    Weak,
}

/// `<meta>` names (lowercased) that carry the article's dates. Not here on
/// purpose: `og:updated_time` (seen stale by years), `granskad` (a review
/// date), `last-modified` style server stamps.
const META_NAMES: &[(&str, Kind, MetaStrength)] = &[
    (
        "article:published_time",
        Kind::Published,
        MetaStrength::Strong,
    ),
    (
        "og:article:published_time",
        Kind::Published,
        MetaStrength::Strong,
    ),
    ("dc.date.published", Kind::Published, MetaStrength::Strong),
    ("dc.date.issued", Kind::Published, MetaStrength::Strong),
    ("dcterms.issued", Kind::Published, MetaStrength::Strong),
    ("dc.issued", Kind::Published, MetaStrength::Strong),
    ("pubdate", Kind::Published, MetaStrength::Strong),
    ("publishdate", Kind::Published, MetaStrength::Strong),
    ("publish-date", Kind::Published, MetaStrength::Strong),
    ("publish_date", Kind::Published, MetaStrength::Strong),
    ("rek:pubdate", Kind::Published, MetaStrength::Strong),
    ("parsely-pub-date", Kind::Published, MetaStrength::Strong),
    ("dc.date.created", Kind::Published, MetaStrength::Weak),
    ("dcterms.created", Kind::Published, MetaStrength::Weak),
    ("dc.created", Kind::Published, MetaStrength::Weak),
    ("article:modified_time", Kind::Updated, MetaStrength::Strong),
    (
        "og:article:modified_time",
        Kind::Updated,
        MetaStrength::Strong,
    ),
    ("dc.date.modified", Kind::Updated, MetaStrength::Strong),
    ("dc.modified", Kind::Updated, MetaStrength::Strong),
    ("dcterms.modified", Kind::Updated, MetaStrength::Strong),
    ("moddate", Kind::Updated, MetaStrength::Strong),
    ("rek:moddate", Kind::Updated, MetaStrength::Strong),
    ("si:lastpublish", Kind::Updated, MetaStrength::Strong),
    // General news sites (the names htmldate and trafilatura read).
    ("og:published_time", Kind::Published, MetaStrength::Strong),
    ("sailthru.date", Kind::Published, MetaStrength::Strong),
    ("article.published", Kind::Published, MetaStrength::Strong),
    (
        "article_date_original",
        Kind::Published,
        MetaStrength::Strong,
    ),
    ("publication_date", Kind::Published, MetaStrength::Strong),
    (
        "originalpublicationdate",
        Kind::Published,
        MetaStrength::Strong,
    ),
    ("datepublished", Kind::Published, MetaStrength::Strong),
    ("date", Kind::Published, MetaStrength::Weak),
    ("dc.date", Kind::Published, MetaStrength::Weak),
    (
        "citation_publication_date",
        Kind::Published,
        MetaStrength::Weak,
    ),
    ("datecreated", Kind::Published, MetaStrength::Weak),
    ("article.updated", Kind::Updated, MetaStrength::Strong),
    ("datemodified", Kind::Updated, MetaStrength::Strong),
    ("last-modified", Kind::Updated, MetaStrength::Strong),
];

/// Words in a `<meta>` name that say it is no date of the article: who
/// published it, when it expires, how long a recipe takes, a video's
/// upload, `og:updated_time` (seen stale by years), a review date.
const NOT_ARTICLE_DATE_WORDS: &[&str] = &[
    "publisher",
    "principles",
    "publicationname",
    "config",
    "premium",
    "expir",
    "totaltime",
    "preptime",
    "cooktime",
    "upload",
    "coverage",
    "render",
    "unix",
    "og:updated_time",
    "granskad",
    "review",
    "valid",
    "dateline",
    "birth",
];

/// What a `<meta>` name says its date is: the names of [`META_NAMES`],
/// else by the words in the name, the way CMSs and SEO plugins coin them
/// (`dtk:publishdate`, `sw-pubdate`, `prism.publicationDate`,
/// `bt:moddate`, `dcterms.date`, `bepress_citation_date`).
fn meta_kind(name: &str) -> Option<(Kind, MetaStrength)> {
    let lowered = name.trim().to_ascii_lowercase();
    if let Some(&(_, kind, strength)) = META_NAMES.iter().find(|(known, ..)| *known == lowered) {
        return Some((kind, strength));
    }
    if NOT_ARTICLE_DATE_WORDS
        .iter()
        .any(|word| lowered.contains(word))
    {
        return None;
    }
    let has = |words: &[&str]| words.iter().any(|word| lowered.contains(word));
    if has(&[
        "modif", "updat", "lastmod", "moddate", "revision", "changed",
    ]) {
        return Some((Kind::Updated, MetaStrength::Strong));
    }
    if has(&[
        "publish",
        "publication",
        "pubdate",
        "pub_date",
        "pub-date",
        "issued",
        "posted",
        "release",
    ]) {
        return Some((Kind::Published, MetaStrength::Strong));
    }
    if has(&["created", "createdate", "create_date"]) {
        return Some((Kind::Published, MetaStrength::Weak));
    }
    // The last segment of the name is just "date": `dc:date`,
    // `dcterms.date`, `citation_date`, `ob:date`.
    let last = lowered
        .rsplit([':', '.', '_', '-'])
        .next()
        .unwrap_or(&lowered);
    (last == "date").then_some((Kind::Published, MetaStrength::Weak))
}

/// A dated `<meta>` element.
#[derive(Debug, Clone)]
pub(super) struct MetaDate {
    pub kind: Kind,
    pub strength: MetaStrength,
    pub found: FoundDate,
}

/// Every `<meta name|property|itemprop=… content=…>` with a date we trust,
/// in document order.
pub(super) fn meta_dates(elements: &DatedElements<'_>) -> Vec<MetaDate> {
    let mut dates = Vec::new();
    for meta in elements.metas.iter() {
        let element = meta.value();
        let name = attr(element, "name")
            .or_else(|| attr(element, "property"))
            .or_else(|| attr(element, "itemprop"));
        let Some(name) = name else {
            continue;
        };
        // Every date has digits; most metas (descriptions, titles,
        // viewport) are dismissed here.
        let Some(content) =
            attr(element, "content").filter(|content| content.bytes().any(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Some((kind, strength)) = meta_kind(name) else {
            continue;
        };
        let Some((date, offset)) = parse_meta_value(content) else {
            continue;
        };
        dates.push(MetaDate {
            kind,
            strength,
            found: FoundDate::new(date, DateSource::Meta, name.trim())
                .with_offset(local_offset(offset)),
        });
    }
    dates
}

/// Meta values are ISO nearly always; a few CMSs write "4 mars 2025".
fn parse_meta_value(content: &str) -> Option<(PageDate, Option<Offset>)> {
    parse_machine_stated(content).or_else(|| {
        let content = content.trim();
        let (date, used) = parse_date_at_start(content, None)?;
        content[used..].trim().is_empty().then_some((date, None))
    })
}

/// The article's `datePublished` and `dateModified` from JSON-LD.
#[derive(Debug, Default)]
pub(super) struct JsonLdDates {
    pub published: Option<FoundDate>,
    pub updated: Option<FoundDate>,
}

/// Reads the JSON-LD node that describes the page's article: an `Article`
/// type (NewsArticle, BlogPosting ...) before any other dated node such as a
/// `WebPage`. Nodes are taken from the top level, from `@graph` and from
/// `mainEntity`, never from deeper properties, where comments and events
/// keep their own `datePublished`.
///
/// Hand-written JSON-LD is often not quite JSON, so a block is read
/// tolerantly (see [`json_ld_values`]); a block that still cannot be read
/// gives its first `datePublished`/`dateModified` strings, as a last resort.
pub(super) fn json_ld_dates(elements: &DatedElements<'_>) -> JsonLdDates {
    let mut best: Option<(u8, JsonLdDates)> = None;
    let mut unreadable = JsonLdDates::default();
    for script in elements.scripts.iter() {
        if attr(script.value(), "src").is_some() {
            continue;
        }
        let declared = attr(script.value(), "type")
            .is_some_and(|kind| kind.to_ascii_lowercase().contains("ld+json"));
        // Code (most scripts) is dismissed by its first character before
        // its text is copied.
        let opens_json = script
            .text()
            .find_map(|text| text.trim_start().chars().next())
            .is_some_and(|c| c == '{' || c == '[');
        if !declared && !opens_json {
            continue;
        }
        let text: String = script.text().collect();
        if text.len() > MAX_JSON_LD_BYTES || !(declared || looks_like_json_ld(&text)) {
            continue;
        }
        let values = json_ld_values(strip_comment_markers(&text));
        if values.is_empty() {
            if unreadable.published.is_none() && unreadable.updated.is_none() {
                unreadable = json_ld_dates_by_key(&text);
            }
            continue;
        }
        for value in &values {
            let mut nodes = Vec::new();
            collect_nodes(value, 0, &mut nodes);
            for node in nodes {
                let Some(rank) = type_rank(node) else {
                    continue;
                };
                let dates = JsonLdDates {
                    published: json_ld_date(node, "datePublished"),
                    updated: json_ld_date(node, "dateModified"),
                };
                if dates.published.is_none() && dates.updated.is_none() {
                    continue;
                }
                if best.as_ref().is_none_or(|(best_rank, _)| rank < *best_rank) {
                    best = Some((rank, dates));
                }
            }
        }
    }
    best.map_or(unreadable, |(_, dates)| dates)
}

/// A script without `type="application/ld+json"` that holds schema.org
/// JSON anyway (some CMSs write a bare `<script>`).
fn looks_like_json_ld(text: &str) -> bool {
    text.trim_start().starts_with(['{', '[']) && text.contains("\"@context\"")
}

/// The JSON values of a block: as written when it parses; else with
/// JavaScript comments and trailing commas removed; and when a value is
/// followed by junk (a stray `}`), the values before it.
fn json_ld_values(text: &str) -> Vec<Value> {
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return vec![value];
    }
    let repaired = without_comments_and_trailing_commas(text);
    let mut values = Vec::new();
    for value in serde_json::Deserializer::from_str(&repaired).into_iter::<Value>() {
        match value {
            Ok(value) => values.push(value),
            Err(_) => break,
        }
    }
    values
}

/// `text` without `//` and `/* */` comments, without commas right before
/// a closing `}` or `]`, and with raw control characters inside strings
/// turned into spaces.
fn without_comments_and_trailing_commas(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut copied = 0;
    let mut in_string = false;
    while at < bytes.len() {
        let b = bytes[at];
        if in_string {
            match b {
                b'\\' => at += 1,
                b'"' => in_string = false,
                // A raw line break or tab inside a string: JSON wants it escaped.
                0..0x20 => {
                    out.push_str(&text[copied..at]);
                    out.push(' ');
                    copied = at + 1;
                }
                _ => {}
            }
            at += 1;
            continue;
        }
        let skip_to = match b {
            b'"' => {
                in_string = true;
                None
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                Some(memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n))
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => Some(
                memchr::memmem::find(&bytes[at + 2..], b"*/").map_or(bytes.len(), |n| at + n + 4),
            ),
            b',' => {
                let next = bytes[at + 1..].iter().find(|c| !c.is_ascii_whitespace());
                matches!(next, Some(b'}' | b']')).then_some(at + 1)
            }
            _ => None,
        };
        match skip_to {
            Some(end) => {
                out.push_str(&text[copied..at]);
                at = end;
                copied = end;
            }
            None => at += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The first `"datePublished": "…"` and `"dateModified": "…"` of a block
/// that is no JSON at all.
fn json_ld_dates_by_key(text: &str) -> JsonLdDates {
    let value_of = |key: &'static str| {
        let pattern = format!("\"{key}\"");
        let start = text.find(&pattern)? + pattern.len();
        let rest = text[start..].trim_start().strip_prefix(':')?.trim_start();
        let rest = rest.strip_prefix('"')?;
        let value = &rest[..rest.find('"')?];
        let (date, offset) = parse_meta_value(value)?;
        Some(FoundDate::new(date, DateSource::JsonLd, key).with_offset(local_offset(offset)))
    };
    JsonLdDates {
        published: value_of("datePublished"),
        updated: value_of("dateModified"),
    }
}

/// Old templates wrap scripts in `<!-- -->` or CDATA markers.
fn strip_comment_markers(text: &str) -> &str {
    let mut text = text.trim();
    for prefix in ["<!--", "//<![CDATA[", "<![CDATA["] {
        text = text.strip_prefix(prefix).unwrap_or(text).trim_start();
    }
    for suffix in ["-->", "//]]>", "]]>"] {
        text = text.strip_suffix(suffix).unwrap_or(text).trim_end();
    }
    text
}

fn collect_nodes<'v>(value: &'v Value, depth: usize, nodes: &mut Vec<&'v Map<String, Value>>) {
    if depth > 4 {
        return;
    }
    match value {
        Value::Array(items) => {
            for item in items {
                collect_nodes(item, depth + 1, nodes);
            }
        }
        Value::Object(object) => {
            nodes.push(object);
            for key in ["@graph", "mainEntity"] {
                if let Some(inner) = object.get(key) {
                    collect_nodes(inner, depth + 1, nodes);
                }
            }
        }
        _ => {}
    }
}

/// 0 for article types, 1 for other page-level types, `None` for types whose
/// dates are not the page's (comments, events, people ...).
fn type_rank(node: &Map<String, Value>) -> Option<u8> {
    let types: Vec<&str> = match node.get("@type") {
        Some(Value::String(kind)) => vec![kind.as_str()],
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    const NOT_THE_PAGE: &[&str] = &[
        "Comment",
        "Event",
        "Person",
        "Organization",
        "WebSite",
        "BreadcrumbList",
        "ImageObject",
        "VideoObject",
        "Offer",
        "Place",
        "ListItem",
        "ItemList",
        "Review",
        "Answer",
        "Question",
    ];
    if types
        .iter()
        .any(|kind| kind.contains("Article") || kind.contains("Posting"))
    {
        return Some(0);
    }
    if types.iter().any(|kind| NOT_THE_PAGE.contains(kind)) {
        return None;
    }
    Some(1)
}

fn json_ld_date(node: &Map<String, Value>, key: &'static str) -> Option<FoundDate> {
    let value = match node.get(key)? {
        Value::String(text) => text.as_str(),
        Value::Array(items) => items.first()?.as_str()?,
        _ => return None,
    };
    let (date, offset) = parse_meta_value(value)?;
    Some(FoundDate::new(date, DateSource::JsonLd, key).with_offset(local_offset(offset)))
}

/// The date in the URL path, a last resort: a slug keeps the day the page
/// was created, which may precede publication.
pub(super) fn slug_date(url: &Url) -> Option<FoundDate> {
    let path = url.path();
    SLUG_DATE.captures_iter(path).find_map(|caps| {
        let text = format!("{}-{}-{}", &caps[1], &caps[2], &caps[3]);
        let date = parse_machine_date(&text)?;
        Some(FoundDate::new(
            date,
            DateSource::UrlSlug,
            caps.get(0)?.as_str().trim_matches('/'),
        ))
    })
}
