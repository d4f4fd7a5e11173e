//! Pure: what discovery reads off an HTML page. Its links with their
//! texts, the feeds its head advertises, its headline and site name, and
//! for the article links a list page yields, each item's headline and date
//! as the list shows them.

use std::collections::HashMap;
use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::canonical::canonical_url;
use crate::extract::date::{parse_date, parse_machine_date};
use crate::extract::guard::bounded_nesting;
use crate::extract::html::absolute_url;
use crate::model::PageDate;

/// A link on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub url: Url,
    /// Its text (or `aria-label`, `title`, image `alt`), on one line.
    pub text: String,
}

/// A feed the page's head names with `<link rel="alternate">`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advertised {
    pub url: Url,
    pub title: String,
}

/// What discovery needs of a page.
#[derive(Debug, Clone, Default)]
pub struct PageInfo {
    /// The first `<h1>`, else the first part of `<title>`.
    pub headline: Option<String>,
    /// `og:site_name`, else the last part of `<title>` ("Nyheter – Växjö
    /// kommun").
    pub site_name: Option<String>,
    pub feeds: Vec<Advertised>,
    /// Every http(s) link, in page order, once per URL (the first text that
    /// says something wins).
    pub anchors: Vec<Anchor>,
}

/// One item of a news list as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    pub url: Url,
    pub title: String,
    pub published: Option<PageDate>,
}

macro_rules! selector {
    ($name:ident, $css:literal) => {
        static $name: LazyLock<Selector> =
            LazyLock::new(|| Selector::parse($css).expect("a valid selector"));
    };
}

selector!(ANCHORS, "a[href]");
selector!(ALTERNATES, "link[rel][href]");
selector!(H1, "h1");
selector!(TITLE, "title");
selector!(SITE_NAME, "meta[property='og:site_name'][content]");
selector!(HEADINGS, "h1, h2, h3, h4, h5, h6");
selector!(TIMES, "time");
selector!(BASE, "base[href]");

/// Feed media types a `<link rel="alternate">` may name.
const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "text/xml",
    "application/xml",
];

fn parse(html: &str) -> Html {
    Html::parse_document(&bounded_nesting(html))
}

fn base_of(doc: &Html, url: &Url) -> Url {
    doc.select(&BASE)
        .find_map(|b| b.value().attr("href"))
        .and_then(|href| url.join(href.trim()).ok())
        .unwrap_or_else(|| url.clone())
}

/// Text of an element on one line.
fn text_of(element: ElementRef<'_>) -> String {
    let text: String = element.text().collect::<Vec<_>>().join(" ");
    one_line(&text)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a link says: its text, else its label, title or image alt.
fn anchor_text(a: ElementRef<'_>) -> String {
    let text = text_of(a);
    if !text.is_empty() {
        return text;
    }
    let labelled = ["aria-label", "title"]
        .iter()
        .find_map(|k| a.value().attr(k))
        .map(one_line)
        .filter(|t| !t.is_empty());
    labelled
        .or_else(|| {
            a.descendants()
                .filter_map(ElementRef::wrap)
                .find_map(|e| e.value().attr("alt"))
                .map(one_line)
        })
        .unwrap_or_default()
}

/// Reads a page for discovery.
pub fn read_page(html: &str, url: &Url) -> PageInfo {
    let doc = parse(html);
    let base = base_of(&doc, url);
    let title = doc.select(&TITLE).next().map(text_of).unwrap_or_default();
    let (first, last) = title_parts(&title);
    let headline = doc
        .select(&H1)
        .map(text_of)
        .find(|t| !t.is_empty())
        .or(first);
    let site_name = doc
        .select(&SITE_NAME)
        .find_map(|m| m.value().attr("content"))
        .map(one_line)
        .filter(|t| !t.is_empty())
        .or(last);
    PageInfo {
        headline,
        site_name,
        feeds: advertised_feeds(&doc, &base),
        anchors: anchors(&doc, &base),
    }
}

/// "Nyheter - Växjö kommun" -> ("Nyheter", "Växjö kommun").
fn title_parts(title: &str) -> (Option<String>, Option<String>) {
    let title = one_line(title);
    let parts: Vec<&str> = title
        .split(" | ")
        .flat_map(|p| p.split(" - "))
        .flat_map(|p| p.split(" – "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [] => (None, None),
        [only] => (Some(only.to_string()), None),
        [first, .., last] => (Some(first.to_string()), Some(last.to_string())),
    }
}

fn advertised_feeds(doc: &Html, base: &Url) -> Vec<Advertised> {
    let mut found: Vec<Advertised> = Vec::new();
    for link in doc.select(&ALTERNATES) {
        let e = link.value();
        let rel = e.attr("rel").unwrap_or("").to_ascii_lowercase();
        if !rel.split_whitespace().any(|r| r == "alternate") {
            continue;
        }
        let kind = e.attr("type").unwrap_or("").trim().to_ascii_lowercase();
        if !FEED_TYPES.iter().any(|t| kind.starts_with(t)) {
            continue;
        }
        let Some(url) = e.attr("href").and_then(|h| absolute_url(base, h)) else {
            continue;
        };
        if !found.iter().any(|f| f.url == url) {
            found.push(Advertised {
                url,
                title: one_line(e.attr("title").unwrap_or("")),
            });
        }
    }
    found
}

fn anchors(doc: &Html, base: &Url) -> Vec<Anchor> {
    let mut found: Vec<Anchor> = Vec::new();
    let mut index: HashMap<Url, usize> = HashMap::new();
    for a in doc.select(&ANCHORS) {
        let Some(url) = a.value().attr("href").and_then(|h| absolute_url(base, h)) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        let text = anchor_text(a);
        let key = canonical_url(&url);
        match index.get(&key) {
            Some(&i) if found[i].text.is_empty() => found[i].text = text,
            Some(_) => {}
            None => {
                index.insert(key, found.len());
                found.push(Anchor { url, text });
            }
        }
    }
    found
}

/// The headline and date each of `links` (the article links a list page
/// yielded) shows in the list. A link whose own text is a "read more" takes
/// the heading of its item; the date is the item's `<time>`, a date in its
/// text, or a date in its URL.
pub fn list_items(html: &str, url: &Url, links: &[Url], now: Timestamp) -> Vec<ListItem> {
    let doc = parse(html);
    let base = base_of(&doc, url);
    let keys: Vec<Url> = links.iter().map(canonical_url).collect();
    let mut first_anchor: HashMap<Url, ElementRef<'_>> = HashMap::new();
    for a in doc.select(&ANCHORS) {
        let Some(target) = a.value().attr("href").and_then(|h| absolute_url(&base, h)) else {
            continue;
        };
        let key = canonical_url(&target);
        if keys.contains(&key) {
            first_anchor.entry(key).or_insert(a);
        }
    }
    links
        .iter()
        .zip(&keys)
        .map(|(link, key)| match first_anchor.get(key) {
            Some(a) => item_of(*a, link, &keys, &base, now),
            None => ListItem {
                url: link.clone(),
                title: String::new(),
                published: slug_date(link),
            },
        })
        .collect()
}

fn item_of(a: ElementRef<'_>, link: &Url, keys: &[Url], base: &Url, now: Timestamp) -> ListItem {
    let container = item_container(a, link, keys, base);
    // A card whose link wraps heading, date and teaser: the heading.
    if let Some(heading) = a.select(&HEADINGS).map(text_of).find(|t| !t.is_empty()) {
        let published = date_in(container, now).or_else(|| slug_date(link));
        return ListItem {
            url: link.clone(),
            title: heading,
            published,
        };
    }
    let own = anchor_text(a);
    let title = if own.split_whitespace().count() >= 2 && !is_read_more(&own) {
        own
    } else {
        container
            .select(&HEADINGS)
            .map(text_of)
            .find(|t| !t.is_empty())
            .unwrap_or(own)
    };
    let published = date_in(container, now).or_else(|| slug_date(link));

    ListItem {
        url: link.clone(),
        title,
        published,
    }
}

/// "Läs mer", "Read more", "Weiterlesen": a link text that is no headline.
fn is_read_more(text: &str) -> bool {
    const FILLER: &[&str] = &[
        "las",
        "mer",
        "mera",
        "har",
        "klicka",
        "read",
        "more",
        "here",
        "weiter",
        "weiterlesen",
        "mehr",
        "lesen",
        "hier",
    ];
    let words = super::words::words(text);
    !words.is_empty() && words.iter().all(|w| FILLER.contains(&w.as_str()))
}

/// The largest ancestor (up to a few levels) that holds this item's link
/// and no other item's.
fn item_container<'a>(a: ElementRef<'a>, link: &Url, keys: &[Url], base: &Url) -> ElementRef<'a> {
    let own = canonical_url(link);
    let mut best = a;
    for ancestor in a.ancestors().filter_map(ElementRef::wrap).take(5) {
        let other = ancestor.select(&ANCHORS).any(|x| {
            x.value()
                .attr("href")
                .and_then(|h| absolute_url(base, h))
                .map(|u| canonical_url(&u))
                .is_some_and(|k| k != own && keys.contains(&k))
        });
        if other || matches!(ancestor.value().name(), "body" | "html") {
            break;
        }
        best = ancestor;
    }
    best
}

fn date_in(container: ElementRef<'_>, now: Timestamp) -> Option<PageDate> {
    for time in container.select(&TIMES) {
        if is_inside_headline(time, container) && time.value().attr("datetime").is_none() {
            continue;
        }
        let parsed = time
            .value()
            .attr("datetime")
            .and_then(parse_machine_date)
            .or_else(|| parse_date(&text_of(time), now));
        if parsed.is_some() {
            return parsed;
        }
    }
    // A short line of its own ("2022-09-06", "Publicerad 6 maj 2024"), not
    // the headline or the teaser, which may name other days ("välkommen den
    // 4 oktober").
    let own_text: String = container
        .children()
        .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
        .collect::<Vec<_>>()
        .join(" ");
    let lines = container
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| !is_inside_headline(*e, container))
        .map(text_of)
        .chain(std::iter::once(one_line(&own_text)));
    for line in lines {
        if line.is_empty() || line.chars().count() > MAX_DATE_LINE {
            continue;
        }
        if let Some(date) = parse_date(&line, now) {
            return Some(date);
        }
    }
    None
}

/// Longest line read as a date line.
const MAX_DATE_LINE: usize = 80;

/// Headings and links hold the headline, whose words may be a date.
fn is_inside_headline(e: ElementRef<'_>, container: ElementRef<'_>) -> bool {
    std::iter::once(e)
        .chain(e.ancestors().filter_map(ElementRef::wrap))
        .take_while(|x| x.id() != container.id())
        .any(|x| {
            matches!(
                x.value().name(),
                "a" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            )
        })
}

/// A date written in the article's URL (`/2023/09/20/`, `2022-03-30-…`).
fn slug_date(url: &Url) -> Option<PageDate> {
    static SLUG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[/_-])(20\d{2}|19\d{2})[/-](\d{2})[/-](\d{2})(?:[/_.-]|$)")
            .expect("slug date pattern compiles")
    });
    let caps = SLUG.captures(url.path())?;
    let number = |i: usize| caps[i].parse::<i16>().ok();
    let date = jiff::civil::Date::new(number(1)?, number(2)? as i8, number(3)? as i8).ok()?;
    Some(PageDate::Day(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn links_feeds_and_names() {
        let html = r#"<html><head><title>Startsida - Exempelby kommun</title>
            <link rel="alternate" type="application/rss+xml" title="Nyheter" href="/rss/nyheter">
            <link rel="alternate" type="application/rss+xml" href="/rss/nyheter">
            <link rel="alternate" hreflang="en" href="/en/">
            <link rel="stylesheet" href="/a.css"></head>
            <body><a href="/nyheter/"><img alt="Nyheter"></a>
            <a href="/nyheter/">Alla nyheter</a>
            <a href="mailto:x@y.se">Mejla</a><a href="/om" title="Om oss"></a></body></html>"#;
        let page = read_page(html, &url("https://exempelby.se/"));
        assert_eq!(page.headline.as_deref(), Some("Startsida"));
        assert_eq!(page.site_name.as_deref(), Some("Exempelby kommun"));
        assert_eq!(page.feeds.len(), 1);
        assert_eq!(
            page.feeds[0].url.as_str(),
            "https://exempelby.se/rss/nyheter"
        );
        assert_eq!(page.feeds[0].title, "Nyheter");
        let texts: Vec<(&str, &str)> = page
            .anchors
            .iter()
            .map(|a| (a.url.path(), a.text.as_str()))
            .collect();
        assert_eq!(texts, [("/nyheter/", "Nyheter"), ("/om", "Om oss")]);
    }

    #[test]
    fn list_items_take_headlines_and_dates_from_their_item() {
        let html = r#"<ul>
            <li><time datetime="2024-05-14">14 maj</time><h3><a href="/n/a.html">Ny industripark vid hamnen</a></h3></li>
            <li><h3>Bredband till landsbygden</h3><p>Publicerad 6 maj 2024</p><a href="/n/b.html">Läs mer</a></li>
            <li><a href="/n/2023/09/20/c/">Klättrar i mätningen</a></li>
            <li><a href="/n/d.html">Utan datum här</a></li>
        </ul>"#;
        let base = url("https://x.se/n/");
        let links: Vec<Url> = ["a.html", "b.html", "2023/09/20/c/", "d.html"]
            .iter()
            .map(|p| base.join(p).unwrap())
            .collect();
        let now: Timestamp = "2024-06-01T00:00:00Z".parse().unwrap();
        let items = list_items(html, &base, &links, now);
        let got: Vec<(&str, Option<String>)> = items
            .iter()
            .map(|i| (i.title.as_str(), i.published.map(|d| d.to_string())))
            .collect();
        assert_eq!(
            got,
            [
                ("Ny industripark vid hamnen", Some("2024-05-14".to_string())),
                ("Bredband till landsbygden", Some("2024-05-06".to_string())),
                ("Klättrar i mätningen", Some("2023-09-20".to_string())),
                ("Utan datum här", None),
            ]
        );
    }
}
