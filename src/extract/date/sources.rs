//! Dates a page states outside its visible text: JSON-LD, `<meta>` elements
//! and the URL path.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html};
use serde_json::{Map, Value};
use url::Url;

use jiff::tz::Offset;

use super::parse::{parse_date_at_start, parse_machine_date, parse_machine_stated};
use super::Kind;
use crate::extract::dom::attr;
use crate::model::{DateSource, FoundDate, PageDate};

/// JSON-LD blocks larger than this are not article metadata.
const MAX_JSON_LD_BYTES: usize = 512 * 1024;

/// The `<meta>` and `<script>` elements of a page, in document order,
/// found in one walk (a name test, not a `Selector`: selector matching per
/// element costs more than the test).
pub(super) struct DatedElements<'d> {
    metas: Vec<ElementRef<'d>>,
    scripts: Vec<ElementRef<'d>>,
}

impl<'d> DatedElements<'d> {
    pub(super) fn of(doc: &'d Html) -> DatedElements<'d> {
        let mut found = DatedElements {
            metas: Vec::new(),
            scripts: Vec::new(),
        };
        for element in doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            match element.value().name() {
                "meta" => found.metas.push(element),
                "script" => found.scripts.push(element),
                _ => {}
            }
        }
        found
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
        let Some(content) = attr(element, "content") else {
            continue;
        };
        let lowered = name.trim().to_ascii_lowercase();
        let Some(&(_, kind, strength)) = META_NAMES.iter().find(|(known, ..)| *known == lowered)
        else {
            continue;
        };
        let Some((date, offset)) = parse_meta_value(content) else {
            continue;
        };
        dates.push(MetaDate {
            kind,
            strength,
            found: FoundDate::new(date, DateSource::Meta, name.trim()).with_offset(offset),
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
pub(super) fn json_ld_dates(elements: &DatedElements<'_>) -> JsonLdDates {
    let mut best: Option<(u8, JsonLdDates)> = None;
    for script in elements.scripts.iter() {
        let is_json_ld = attr(script.value(), "type")
            .is_some_and(|kind| kind.to_ascii_lowercase().contains("ld+json"));
        if !is_json_ld {
            continue;
        }
        let text: String = script.text().collect();
        if text.len() > MAX_JSON_LD_BYTES {
            continue;
        }
        let Ok(value) = serde_json::from_str::<Value>(strip_comment_markers(&text)) else {
            continue;
        };
        let mut nodes = Vec::new();
        collect_nodes(&value, 0, &mut nodes);
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
    best.map(|(_, dates)| dates).unwrap_or_default()
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
    Some(FoundDate::new(date, DateSource::JsonLd, key).with_offset(offset))
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
