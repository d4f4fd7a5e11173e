//! Which groups of repeated links are the news list.
//!
//! A news item shows a headline (several words, often in a heading), a date
//! and a teaser; a menu entry shows two or three words and nothing else; a
//! calendar entry has a date and a title but lives under an events section.
//! Each item gets a quality in 0..~1.1 from what it shows; a group scores
//! its mean quality squared times its item count (with diminishing returns,
//! so a long menu of poor items cannot outweigh a short list of good ones),
//! times how article-like its URLs are. Class words, side columns, hidden
//! blocks and the page header only nudge that score.

use url::Url;

use super::groups::{group_links, Group, Grouping};
use super::paging::{is_start_page, list_root, url_likeness};
use super::{ListAnalysis, Place};
use crate::extract::cms::has_date;
use crate::extract::dom::{heading_level, is_block_tag, FastSet, NONE};
use scraper::Node;

/// Below this, the best group is no list (a page of scattered links): two
/// headlines under the list's path pass, one bare headline does not.
const MIN_SCORE: f32 = 0.2;
/// Items longer than this (visible characters) are containers, not news
/// items: their facts come from the link's own region.
const MAX_ITEM_TEXT: u32 = 1500;
/// How many items count fully towards a group's score.
const FULL_COUNT: f32 = 8.0;
/// How many nodes of an item are looked through for a date (or of a
/// paragraph for running text).
const MAX_ITEM_NODES: u32 = 400;
/// Running text before a link that makes it a link in prose.
const PROSE_CHARS: u32 = 20;

/// What one item shows.
#[derive(Clone, Copy, Default)]
struct ItemFacts {
    /// How much the item's title reads like a headline, 0..=1.
    headline: f32,
    heading: bool,
    date: bool,
    dated_url: bool,
    teaser: bool,
    /// The link says "Läs mer" or "Visa alla" rather than what it links to.
    generic: bool,
    /// The link sits inside running text.
    prose: bool,
}

impl ItemFacts {
    fn quality(&self) -> f32 {
        let mut quality = 0.35 * self.headline;
        if self.heading {
            quality += 0.15;
        }
        if self.date {
            quality += 0.35;
        } else if self.dated_url {
            quality += 0.15;
        }
        if self.teaser {
            quality += 0.2;
        }
        if self.prose {
            quality *= 0.3;
        }
        quality
    }
}

/// One group's score and what it rests on.
struct Scored {
    score: f32,
    /// Mean item quality.
    quality: f32,
    /// Mean URL article-likeness.
    likeness: f32,
    /// Share of items with a date (shown or in the URL).
    dated: f32,
    /// Share of items whose URL sits under a news section.
    news_urls: f32,
    event: bool,
    place: Place,
}

impl ListAnalysis<'_, '_> {
    /// The links of the page's news list in page order, without repeats;
    /// none when no group of links looks like one.
    pub(super) fn article_links(&self) -> Vec<Url> {
        if self.candidates.is_empty() {
            return Vec::new();
        }
        let root = list_root(self.page);
        let home = is_start_page(self.page);
        let weights: Vec<f32> = (0..self.candidates.len())
            .map(|k| self.link_weight(k))
            .collect();
        let weight = |k: usize| weights[k];
        let grouping = group_links(self.dom, &self.candidates, &weight);
        let scored: Vec<Scored> = grouping
            .groups
            .iter()
            .map(|g| self.score_group(g, &root))
            .collect();
        // A home page's calendar or a lone promoted link is not its news.
        let eligible =
            |g: usize| !home || (!scored[g].event && grouping.groups[g].members.len() >= 2);
        let Some(best) = (0..scored.len())
            .filter(|&g| eligible(g))
            .max_by(|&a, &b| scored[a].score.total_cmp(&scored[b].score).then(b.cmp(&a)))
        else {
            return Vec::new();
        };
        let top = &scored[best];
        if home && top.dated < 0.5 && top.news_urls < 0.5 {
            return Vec::new();
        }
        let mut chosen: Vec<usize> = grouping.groups[best].members.iter().map(|m| m.0).collect();
        for (g, group) in grouping.groups.iter().enumerate() {
            if g != best && self.joins(&scored[g], top, home) {
                chosen.extend(group.members.iter().map(|m| m.0));
            }
        }
        chosen.extend(self.same_list_elsewhere(&grouping, best, &scored));
        chosen.extend(self.same_collection(&grouping, best, &scored));
        chosen.sort_unstable();
        chosen.dedup();
        // The threshold holds for the whole list (a list split under month
        // headings is several small groups), scaled from the best group.
        let best_items = grouping.groups[best].members.len() as f32;
        if top.score * chosen.len() as f32 / best_items < MIN_SCORE {
            return Vec::new();
        }
        let mut seen: FastSet<u32> = FastSet::default();
        chosen
            .into_iter()
            .filter(|&k| seen.insert(self.candidates[k].url_id))
            .map(|k| self.url(k).clone())
            .collect()
    }

    /// Another news block as good as the best one (on a list page: one just
    /// as much under the list's path), in the same kind of place.
    fn joins(&self, group: &Scored, best: &Scored, home: bool) -> bool {
        if !group.place.no_further_out_than(best.place)
            || (group.event && !best.event)
            || group.score < 0.5 * best.score
        {
            return false;
        }
        let as_good = group.quality >= 0.8 * best.quality && group.dated >= 0.5;
        let as_article_like = !home && group.likeness >= best.likeness.max(0.5);
        as_good || as_article_like
    }

    /// Links placed like the best group's items (same item markup, parents
    /// alike up to a common ancestor): the same list split under headings
    /// (months, letters), including a heading with a single item. Not a
    /// calendar of the same markup in the next column.
    fn same_list_elsewhere(
        &self,
        grouping: &Grouping,
        best: usize,
        scored: &[Scored],
    ) -> Vec<usize> {
        let group = &grouping.groups[best];
        let top = &scored[best];
        let mut out = Vec::new();
        for (g, other) in grouping.groups.iter().enumerate() {
            if (scored[g].event && !top.event) || !scored[g].place.no_further_out_than(top.place) {
                continue;
            }
            // Only the main link of each item (not its category links).
            out.extend(other.members.iter().map(|m| m.0).filter(|&k| {
                grouping.placement(k, group.level).is_some_and(|p| {
                    p.path == group.path && self.same_split_list(p.parent, group.parent)
                })
            }));
        }
        out
    }

    /// Headline links elsewhere in the content into the same collection of
    /// articles as the best group (same directory, same kind of slug): a
    /// featured first item with markup of its own, a promoted story.
    fn same_collection(&self, grouping: &Grouping, best: usize, scored: &[Scored]) -> Vec<usize> {
        let top = &scored[best];
        let collections: FastSet<Collection> = grouping.groups[best]
            .members
            .iter()
            .filter_map(|m| collection(self.url(m.0)))
            .collect();
        if collections.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (g, group) in grouping.groups.iter().enumerate() {
            let menu_like = group.members.len() >= 3 && scored[g].quality < 0.3;
            if g == best || menu_like || !scored[g].place.no_further_out_than(top.place) {
                continue;
            }
            for &(k, item) in &group.members {
                let candidate = &self.candidates[k];
                if !collection(self.url(k)).is_some_and(|c| collections.contains(&c)) {
                    continue;
                }
                let facts = self.item_facts(k, item);
                let place = self.places[candidate.index as usize];
                // A promoted story shows a heading or a date; a section
                // menu's entry into the same directory shows neither.
                let story = (facts.heading || facts.date) && facts.headline >= 0.3;
                if story && !facts.generic && !facts.prose && place.no_further_out_than(top.place) {
                    out.push(k);
                }
            }
        }
        out
    }

    /// Whether two item parents are parts of one list: they and their
    /// ancestors have the same markup up to a common ancestor, at most three
    /// levels up (`section.month > ul > li` under one archive element).
    fn same_split_list(&self, a: u32, b: u32) -> bool {
        let dom = self.dom;
        let (mut a, mut b) = (a, b);
        for _ in 0..4 {
            if a == b {
                return true;
            }
            if a == NONE
                || b == NONE
                || super::groups::signature(dom, a) != super::groups::signature(dom, b)
            {
                return false;
            }
            a = dom.nodes[a as usize].parent;
            b = dom.nodes[b as usize].parent;
        }
        false
    }

    fn score_group(&self, group: &Group, root: &str) -> Scored {
        let mut urls: FastSet<u32> = FastSet::default();
        let (mut quality, mut likeness, mut dated, mut news, mut events) =
            (0.0, 0.0, 0.0, 0.0, 0.0);
        for &(k, item) in &group.members {
            let candidate = &self.candidates[k];
            if !urls.insert(candidate.url_id) {
                continue;
            }
            let facts = self.item_facts(k, item);
            quality += facts.quality();
            let url = self.url(k);
            likeness += url_likeness(url, root);
            if facts.date || facts.dated_url {
                dated += 1.0;
            }
            if in_section(url, NEWS_SECTIONS) {
                news += 1.0;
            }
            if in_section(url, EVENT_SECTIONS) && !in_section(url, NEWS_SECTIONS) {
                events += 1.0;
            }
        }
        let n = urls.len().max(1) as f32;
        let (quality, likeness, dated, news_urls) =
            (quality / n, likeness / n, dated / n, news / n);
        let first = self.candidates[group.members[0].0].index;
        let place = self.places[first as usize];
        let event = events / n > 0.5 || self.classed_as_events(group.parent);
        let count = if n <= FULL_COUNT {
            n
        } else {
            FULL_COUNT + 0.25 * (n - FULL_COUNT)
        };
        let mut score = quality * quality * count * (0.5 + likeness);
        for (applies, factor) in [
            (place.side, 0.5),
            (place.hidden, 0.5),
            (place.banner, 0.5),
            (place.negative, 0.8),
            (event, 0.7),
            (place.content, 1.3),
        ] {
            if applies {
                score *= factor;
            }
        }
        Scored {
            score,
            quality,
            likeness,
            dated,
            news_urls,
            event,
            place,
        }
    }

    /// What the item of link `k` shows.
    fn item_facts(&self, k: usize, item: u32) -> ItemFacts {
        let dom = self.dom;
        let link = self.candidates[k].index;
        let region = if self.text[item as usize] > MAX_ITEM_TEXT {
            self.own_region(k)
        } else {
            item
        };
        let link_text = dom.text(link);
        let generic = is_generic_link_text(&link_text);
        let heading_in_item = || self.first_heading(region);
        let in_heading = std::iter::once(link)
            .chain(dom.ancestors(link).take(3))
            .any(|a| heading_level(dom.tag(a)).is_some())
            || self.first_heading(link).is_some();
        let (title, heading) = if generic || link_text.chars().count() < 3 {
            match heading_in_item() {
                Some(h) => (dom.text(h), true),
                None if generic => (String::new(), false),
                None => (self.link_label(link), false),
            }
        } else {
            (link_text, in_heading)
        };
        let region_text = self.text[region as usize];
        let date = self.shows_date(region);
        let title_chars = title.chars().filter(|c| !c.is_whitespace()).count() as u32;
        let date_chars = if date { 12 } else { 0 };
        ItemFacts {
            headline: headline(&title),
            heading,
            date,
            dated_url: has_dated_segment(self.url(k)),
            teaser: region_text >= title_chars + date_chars + 30,
            generic,
            // "Läs mer" at the end of a teaser is the item's link, not a
            // link in running text.
            prose: !generic && self.in_prose(link),
        }
    }

    /// What a link without text says: its `aria-label` or `title`, or the
    /// `alt` of its image.
    fn link_label(&self, link: u32) -> String {
        let dom = self.dom;
        let end = dom.nodes[link as usize].end.min(link + MAX_ITEM_NODES);
        [dom.attr(link, "aria-label"), dom.attr(link, "title")]
            .into_iter()
            .chain(
                (link..=end)
                    .filter(|&d| dom.tag(d) == "img")
                    .map(|d| dom.attr(d, "alt")),
            )
            .flatten()
            .map(str::trim)
            .find(|label| !label.is_empty())
            .unwrap_or("")
            .to_string()
    }

    /// The first heading element in a subtree (within its first nodes).
    fn first_heading(&self, root: u32) -> Option<u32> {
        let dom = self.dom;
        let end = dom.nodes[root as usize].end.min(root + MAX_ITEM_NODES);
        (root..=end).find(|&d| heading_level(dom.tag(d)).is_some())
    }

    /// A `<time>` element, or a short line that holds a date ("22 maj
    /// 2025", "Publicerad 2018-02-05"), in the item. A date inside the
    /// teaser's sentences says nothing about the item.
    fn shows_date(&self, region: u32) -> bool {
        let dom = self.dom;
        let end = dom.nodes[region as usize].end.min(region + MAX_ITEM_NODES);
        (region..=end).any(|d| match dom.nodes[d as usize].node {
            Node::Element(_) => dom.tag(d) == "time",
            Node::Text(text) => {
                let line = text.trim();
                (6..=50).contains(&line.chars().count()) && has_date(line)
            }
            _ => false,
        })
    }

    /// The highest ancestor of a link (a few levels at most) holding no
    /// other candidate URL.
    fn own_region(&self, k: usize) -> u32 {
        let candidate = &self.candidates[k];
        let mut region = candidate.index;
        for ancestor in self.dom.ancestors(candidate.index).take(6) {
            if self.url_in[ancestor as usize] != candidate.url_id
                || self.text[ancestor as usize] > MAX_ITEM_TEXT
            {
                break;
            }
            region = ancestor;
        }
        region
    }

    /// How strongly a link stands for its item: headline text, in a heading.
    fn link_weight(&self, k: usize) -> f32 {
        let link = self.candidates[k].index;
        let dom = self.dom;
        let mut weight = self.text[link as usize] as f32;
        if std::iter::once(link)
            .chain(dom.ancestors(link).take(3))
            .any(|a| heading_level(dom.tag(a)).is_some())
        {
            weight += 1000.0;
        }
        weight
    }

    /// A link inside running text: the text before it in its paragraph
    /// (its nearest block, not counting text inside nested blocks or
    /// `<time>`, so a date and a category line above a heading do not count)
    /// is a sentence or more.
    fn in_prose(&self, link: u32) -> bool {
        let dom = self.dom;
        let Some(block) = dom.ancestors(link).find(|&a| is_block_tag(dom.tag(a))) else {
            return false;
        };
        let before = self.text_before[link as usize] - self.text_before[block as usize];
        if before < PROSE_CHARS {
            return false;
        }
        // Walk back from the link: a text node counts when no block or
        // `<time>` lies between it and the paragraph.
        let mut running = 0;
        for at in (block + 1..link).rev().take(MAX_ITEM_NODES as usize) {
            if !matches!(dom.nodes[at as usize].node, Node::Text(_)) || self.text[at as usize] == 0
            {
                continue;
            }
            let inline = dom
                .ancestors(at)
                .take_while(|&a| a != block)
                .all(|a| !is_block_tag(dom.tag(a)) && dom.tag(a) != "time");
            if inline {
                running += self.text[at as usize];
                if running >= PROSE_CHARS {
                    return true;
                }
            }
        }
        false
    }

    /// Whether the list element or its parent is classed as a calendar
    /// (`event-list`, `sv-eventcalendar-portlet`, `kalender`), and not as
    /// news and events together.
    fn classed_as_events(&self, parent: u32) -> bool {
        let dom = self.dom;
        let starts = |word: &str, stems: &[&str]| stems.iter().any(|s| word.starts_with(s));
        std::iter::once(parent)
            .chain(dom.ancestors(parent))
            .take(2)
            .filter_map(|a| dom.attr(a, "class"))
            .any(|class| {
                let class = class.to_ascii_lowercase();
                let words = || class.split(|c: char| !c.is_ascii_alphanumeric());
                words().any(|w| starts(w, EVENT_SECTIONS))
                    && !words().any(|w| starts(w, NEWS_SECTIONS))
            })
    }
}

/// Directory words of news sections.
const NEWS_SECTIONS: &[&str] = &["nyhet", "news", "aktuellt", "press", "nytt"];
/// Directory and class words of calendars.
const EVENT_SECTIONS: &[&str] = &["evenemang", "event", "kalender", "calendar"];

/// Whether a directory of the URL's path (not its last segment) holds one
/// of `words`.
fn in_section(url: &Url, words: &[&str]) -> bool {
    let path = url.path().to_ascii_lowercase();
    let dirs = path.trim_end_matches('/');
    let dirs = dirs.rsplit_once('/').map_or("", |(d, _)| d);
    words.iter().any(|w| dirs.contains(w))
}

/// 0..=1: several words or a long line reads as a headline; one or two
/// short words as a menu entry.
fn headline(title: &str) -> f32 {
    let words = title.split_whitespace().count();
    let chars = title.chars().filter(|c| !c.is_whitespace()).count();
    if words >= 4 || chars >= 25 {
        1.0
    } else if words >= 2 && chars >= 12 {
        0.6
    } else if chars >= 6 {
        0.3
    } else {
        0.1
    }
}

/// "Läs mer", "Visa alla", "Fler nyheter", "Read more": what a link does,
/// not what it links to.
///
/// ```text
/// "Läs mer »", "Läs mer om budgeten", "Mer", "Nyhetsarkiv 2023"  generic
/// "Mer pengar till skolan", "Merparten av eleverna"             headlines
/// ```
fn is_generic_link_text(text: &str) -> bool {
    const GENERIC: &[&str] = &[
        "läs mer",
        "läs hela",
        "läs artikeln",
        "läs nyheten",
        "visa alla",
        "visa fler",
        "visa mer",
        "se alla",
        "se fler",
        "alla nyheter",
        "fler nyheter",
        "till nyhetsarkivet",
        "nyhetsarkiv",
        "mer",
        "more",
        "read more",
        "more news",
        "all news",
        "view all",
        "weiterlesen",
    ];
    let lower = text.trim().to_lowercase();
    let words = lower.split_whitespace().count();
    words <= 8
        && GENERIC.iter().any(|g| {
            // A phrase may go on ("Läs mer om budgeten"); a single word
            // may only be followed by arrows or numbers ("Mer »", not "Mer
            // pengar till skolan").
            lower.strip_prefix(g).is_some_and(|rest| {
                !rest.starts_with(char::is_alphanumeric)
                    && (g.contains(' ') || !rest.chars().any(char::is_alphabetic))
            })
        })
}

/// A path segment that starts with a year (`2024`, `2024-05-21-slug`).
fn has_dated_segment(url: &Url) -> bool {
    url.path().split('/').any(|s| {
        s.len() >= 4
            && s.as_bytes()[..4].iter().all(u8::is_ascii_digit)
            && (s.starts_with("19") || s.starts_with("20"))
    })
}

/// Where an article lives: its directory (years and months as `#`), the
/// kind of its last segment and its extension; or its path and query keys.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Collection {
    directory: String,
    kind: SlugKind,
    extension: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum SlugKind {
    Dated,
    Plain,
    Numbered,
    Query,
}

fn collection(url: &Url) -> Option<Collection> {
    if let Some(query) = url.query().filter(|q| !q.is_empty()) {
        let mut keys: Vec<&str> = query
            .split('&')
            .map(|pair| pair.split('=').next().unwrap_or(""))
            .collect();
        keys.sort_unstable();
        return Some(Collection {
            directory: format!("{}?{}", url.path(), keys.join("&")),
            kind: SlugKind::Query,
            extension: String::new(),
        });
    }
    let segments: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    let (slug, dirs) = segments.split_last()?;
    let is_number = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    if is_number(slug) {
        return None;
    }
    let directory: Vec<&str> = dirs
        .iter()
        .map(|&d| if is_number(d) { "#" } else { d })
        .collect();
    let kind = if slug.len() >= 5 && is_number(&slug[..4]) {
        SlugKind::Dated
    } else if slug.bytes().any(|b| b.is_ascii_digit()) {
        SlugKind::Numbered
    } else {
        SlugKind::Plain
    };
    let extension = slug.rsplit_once('.').map_or("", |(_, e)| e);
    Some(Collection {
        directory: directory.join("/"),
        kind,
        extension: extension.to_ascii_lowercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_link_texts_and_headlines() {
        for text in [
            "Läs mer »",
            "Läs mer om budgeten",
            "Mer",
            "Nyhetsarkiv 2023",
            "Visa alla nyheter",
            "Read more",
        ] {
            assert!(is_generic_link_text(text), "{text}");
        }
        for text in [
            "Mer pengar till skolan",
            "Merparten av eleverna klarade provet",
            "Morerna i parken",
            "Budget",
        ] {
            assert!(!is_generic_link_text(text), "{text}");
        }
    }

    #[test]
    fn headline_and_collection_helpers() {
        assert_eq!(headline("Budget"), 0.3);
        assert_eq!(headline("Nya taxor för vatten och avlopp"), 1.0);
        assert_eq!(headline("Lediga tjänster"), 0.6);
        let url = |u: &str| Url::parse(u).unwrap();
        let a = collection(&url("https://k.se/nyheter/2025/05/ny-skola/")).unwrap();
        let b = collection(&url("https://k.se/nyheter/2024/11/val/")).unwrap();
        let menu = collection(&url("https://k.se/nyheter/pressrum/")).unwrap();
        assert!(a == b && a != menu);
        assert!(collection(&url("https://k.se/nyheter/2024/")).is_none());
        assert!(has_dated_segment(&url(
            "https://k.se/n/2025-05-21-slug.html"
        )));
        assert!(!has_dated_segment(&url("https://k.se/n/1234-slug.html")));
    }
}
