//! News-list page -> article links in page order, and the next-page link.
//!
//! Whatever the CMS, a news list (a list page, or the news block of a home
//! page) is a run of sibling items with the same markup, each holding one
//! article link with a headline, usually a date and a teaser. Menus, link
//! boxes, calendars and footers repeat too, so the choice is made by what the
//! items look like, not by what their classes are called:
//!
//! 1. candidate links: same site, not mailto/tel/javascript, not inside
//!    `nav`/`footer`/navigation landmarks, not the list itself, its parent
//!    sections or its other pages;
//! 2. links fall into groups of repeated items by markup ([`groups`]);
//! 3. groups score by their items (headline-like text, heading, date,
//!    teaser), their count, and how article-like their URLs are ([`select`]);
//!    class words, side columns and hidden blocks only nudge the score;
//! 4. the best group wins, plus the rest of the same list (split under
//!    headings, a featured first item of other markup, another news block
//!    just as good).

use std::collections::HashMap;

use scraper::{Html, Node};
use url::Url;

use super::cms::{page_hints, Hint};
use super::dom::{base_url, is_invisible_tag, Dom, FastMap, FastSet, NONE};
use super::guard::bounded_nesting;
use super::overrides::Overrides;
use crate::canonical::same_site;
use crate::model::ListPage;

mod groups;
mod paging;
mod select;

use paging::{is_pagination_url, same_list};

/// Marks a node holding links to more than one URL.
const MANY: u32 = u32::MAX - 1;

/// The article links of the page's main news list and its next-page link.
pub fn links_from_list(html: &str, url: &Url) -> ListPage {
    links_from_list_with(html, url, &Overrides::NONE)
}

/// [`links_from_list`] with a source's `links` selector, when it matches,
/// choosing the article links (the next page is still found by heuristics).
pub fn links_from_list_with(html: &str, url: &Url, overrides: &Overrides) -> ListPage {
    let doc = Html::parse_document(&bounded_nesting(html));
    let dom = Dom::new(&doc);
    if dom.is_empty() {
        return ListPage::default();
    }
    let base = base_url(&dom, url);
    let page = ListAnalysis::new(&dom, url, &base);
    let chosen = overrides
        .links
        .as_ref()
        .map(|rule| page.links_of(&rule.matches(&doc, &dom)))
        .filter(|links| !links.is_empty());
    let links = chosen.unwrap_or_else(|| page.article_links());
    let next_page = page.next_page(&links);
    ListPage { links, next_page }
}

/// For each node, the visible characters of the text nodes before it (in
/// pre-order); `text` holds each text node's own count.
pub(super) fn text_before(dom: &Dom<'_>, text: &[u32]) -> Vec<u32> {
    let mut before = Vec::with_capacity(dom.len());
    let mut sum = 0u32;
    for (i, node) in dom.nodes.iter().enumerate() {
        before.push(sum);
        if matches!(node.node, Node::Text(_)) {
            sum += text[i];
        }
    }
    before
}

/// A link that may lead to an article. Its URL is stored once per
/// distinct URL ([`ListAnalysis::urls`]): the parser clones an unclosed
/// link into every block after it, so one `<a>` can become 200 000.
struct Candidate {
    index: u32,
    url_id: u32,
}

/// What each distinct href of a page leads to, worked out once. Looked up
/// first by where the href's text is: the parser's clones of a link share
/// their attribute's buffer, so 200 000 clones of one 4 KB href cost a
/// pointer lookup each instead of hashing 4 KB each.
struct HrefMemo<'h, T> {
    by_place: FastMap<(usize, usize), T>,
    by_text: FastMap<&'h str, T>,
}

impl<T> Default for HrefMemo<'_, T> {
    fn default() -> Self {
        HrefMemo {
            by_place: FastMap::default(),
            by_text: FastMap::default(),
        }
    }
}

impl<'h, T: Copy> HrefMemo<'h, T> {
    fn get_or_insert_with(&mut self, href: &'h str, make: impl FnOnce() -> T) -> T {
        let place = (href.as_ptr() as usize, href.len());
        if let Some(&known) = self.by_place.get(&place) {
            return known;
        }
        let value = *self.by_text.entry(href).or_insert_with(make);
        self.by_place.insert(place, value);
        value
    }
}

/// Where a node sits on the page, inherited from its ancestors. Only
/// `chrome` removes links; the others weigh a group's score.
#[derive(Clone, Copy, Default)]
struct Place {
    /// Inside an element that is never rendered (`script`, `template` ...).
    unrendered: bool,
    /// Inside `nav`, `footer`, a navigation/contentinfo/search landmark or an
    /// element that is never rendered.
    chrome: bool,
    /// Inside `aside`, a complementary landmark or a sidebar-classed column.
    side: bool,
    /// Inside an element hidden by attribute or inline style.
    hidden: bool,
    /// Inside `main`, `article` or the main landmark.
    content: bool,
    /// Inside an `article`.
    in_article: bool,
    /// Inside the page header (a `header` or banner outside the content).
    banner: bool,
    /// Some class or id word above (or on) it reads as boilerplate.
    negative: bool,
}

impl Place {
    /// Whether a block here is no more peripheral than one at `other`: not
    /// in a side column, hidden, in the page header or under a boilerplate
    /// class word unless `other` is too.
    fn no_further_out_than(self, other: Place) -> bool {
        (!self.side || other.side)
            && (!self.hidden || other.hidden)
            && (!self.banner || other.banner)
            && (!self.negative || other.negative)
    }
}

struct ListAnalysis<'d, 'a> {
    dom: &'d Dom<'a>,
    page: &'d Url,
    base: Url,
    hints: Vec<Hint>,
    places: Vec<Place>,
    /// Visible characters in each subtree.
    text: Vec<u32>,
    /// Visible characters of the text nodes before each node, in document
    /// order: the text between two nodes is a difference, not a scan.
    text_before: Vec<u32>,
    candidates: Vec<Candidate>,
    /// The distinct candidate URLs, by `url_id`.
    urls: Vec<Url>,
    /// Per node: the one candidate URL id in its subtree, `NONE` or `MANY`.
    url_in: Vec<u32>,
}

impl<'d, 'a> ListAnalysis<'d, 'a> {
    fn new(dom: &'d Dom<'a>, page: &'d Url, base: &Url) -> ListAnalysis<'d, 'a> {
        let n = dom.len();
        let hints = page_hints(dom);
        let mut text = vec![0u32; n];
        let mut places = vec![Place::default(); n];
        for i in 0..n {
            let node = &dom.nodes[i];
            let inherited = if node.parent == NONE {
                Place::default()
            } else {
                places[node.parent as usize]
            };
            match node.node {
                Node::Element(_) => places[i] = place_of(dom, i as u32, &hints[i], inherited),
                Node::Text(t) if !inherited.unrendered => {
                    places[i] = inherited;
                    text[i] = t.chars().filter(|c| !c.is_whitespace()).count() as u32;
                }
                _ => places[i] = inherited,
            }
        }
        let text_before = text_before(dom, &text);
        for i in (1..n).rev() {
            let parent = dom.nodes[i].parent;
            if parent != NONE {
                text[parent as usize] += text[i];
            }
        }
        let mut analysis = ListAnalysis {
            dom,
            page,
            base: base.clone(),
            hints,
            places,
            text,
            text_before,
            candidates: Vec::new(),
            urls: Vec::new(),
            url_in: vec![NONE; n],
        };
        analysis.collect_candidates();
        analysis
    }

    fn collect_candidates(&mut self) {
        let dom = self.dom;
        // Each distinct href is resolved and judged once: a page can repeat
        // one (or the parser clone one) hundreds of thousands of times.
        let mut by_href: HrefMemo<'_, Option<u32>> = HrefMemo::default();
        let mut ids: HashMap<String, u32> = HashMap::new();
        for index in dom.elements_named("a") {
            if self.places[index as usize].chrome {
                continue;
            }
            let Some(href) = dom.attr(index, "href") else {
                continue;
            };
            let url_id = by_href.get_or_insert_with(href, || {
                let url = self.resolve(href).filter(|url| self.may_be_article(url))?;
                let next_id = self.urls.len() as u32;
                let id = *ids.entry(url.to_string()).or_insert(next_id);
                if id == next_id {
                    self.urls.push(url);
                }
                Some(id)
            });
            if let Some(url_id) = url_id {
                self.candidates.push(Candidate { index, url_id });
            }
        }
        for candidate in &self.candidates {
            self.url_in[candidate.index as usize] = candidate.url_id;
        }
        for i in (1..dom.len()).rev() {
            let parent = dom.nodes[i].parent;
            if parent == NONE || self.url_in[i] == NONE {
                continue;
            }
            let merged = match (self.url_in[parent as usize], self.url_in[i]) {
                (NONE, child) => child,
                (a, b) if a == b => a,
                _ => MANY,
            };
            self.url_in[parent as usize] = merged;
        }
    }

    /// The URL of candidate `k`.
    fn url(&self, k: usize) -> &Url {
        &self.urls[self.candidates[k].url_id as usize]
    }

    /// An absolute http(s) URL on the page's site, without fragment.
    fn resolve(&self, href: &str) -> Option<Url> {
        let href = href.trim();
        if href.len() > crate::canonical::MAX_LINK_LEN {
            return None;
        }
        let lower = href.get(..11).unwrap_or(href).to_ascii_lowercase();
        if href.is_empty()
            || href.starts_with('#')
            || ["mailto:", "tel:", "javascript:", "data:", "sms:"]
                .iter()
                .any(|s| lower.starts_with(s))
        {
            return None;
        }
        let mut url = self.base.join(href).ok()?;
        if !matches!(url.scheme(), "http" | "https") || !same_site(&url, self.page) {
            return None;
        }
        url.set_fragment(None);
        Some(url)
    }

    /// Not the list itself, one of its sections or one of its other pages.
    fn may_be_article(&self, url: &Url) -> bool {
        let path = url.path();
        let page_path = self.page.path();
        let same_page = url.path() == self.page.path() && url.query() == self.page.query();
        if path == "/" || same_page || (path == page_path && !names_an_item(url)) {
            return false;
        }
        // A parent section ("/naringsliv/" above "/naringsliv/nyheter/").
        if page_path.starts_with(path) && path.ends_with('/') {
            return false;
        }
        if is_pagination_url(url) && same_list(url, self.page) {
            return false;
        }
        true
    }

    /// The links of selected elements: each element that is a link, or the
    /// first link inside it; resolved, on this site, without duplicates.
    fn links_of(&self, elements: &[u32]) -> Vec<Url> {
        let dom = self.dom;
        let mut seen: FastSet<String> = FastSet::default();
        let mut links: Vec<Url> = Vec::new();
        for &element in elements {
            let end = dom.nodes[element as usize].end;
            let url = (element..=end)
                .filter(|&i| dom.tag(i) == "a")
                .find_map(|i| dom.attr(i, "href").and_then(|h| self.resolve(h)));
            if let Some(url) = url.filter(|u| seen.insert(u.as_str().to_string())) {
                links.push(url);
            }
        }
        links
    }
}

/// An element's place, from its parent's and its own tag, role, attributes
/// and class words.
fn place_of(dom: &Dom<'_>, index: u32, hint: &Hint, parent: Place) -> Place {
    let tag = dom.tag(index);
    let (mut role, mut hidden) = ("", false);
    if let Some(element) = dom.nodes[index as usize].element {
        for (name, value) in element.value().attrs() {
            match name {
                "role" => role = value,
                "hidden" => hidden = true,
                "aria-hidden" => hidden |= value == "true",
                "style" => hidden |= hides(value),
                _ => {}
            }
        }
    }
    let mut place = parent;
    place.unrendered |= is_invisible_tag(tag);
    // An article's own footer holds its "Läs mer" link; the page's holds
    // contact and site links.
    place.chrome |= place.unrendered
        || tag == "nav"
        || (tag == "footer" && !parent.in_article)
        || matches!(
            role,
            "navigation" | "contentinfo" | "search" | "menubar" | "menu" | "dialog"
        );
    place.side |= tag == "aside" || role == "complementary" || hint.column;
    place.hidden |= hidden;
    let content = matches!(tag, "main" | "article") || role == "main";
    place.banner |= !parent.content && (tag == "header" || role == "banner");
    place.content |= content;
    place.in_article |= tag == "article";
    place.negative |= hint.negative && !hint.header_only;
    place
}

/// Whether a URL's query picks one item (`nyheter.asp?id=1187`,
/// `?NewsId=12`, `?artikel=...`) rather than a page, order or filter of a
/// list: an old site's articles can share the list's path.
fn names_an_item(url: &Url) -> bool {
    url.query_pairs().any(|(key, value)| {
        let key = key.to_ascii_lowercase();
        !value.is_empty()
            && (key == "id"
                || key.ends_with("id")
                || matches!(
                    key.as_str(),
                    "artikel" | "article" | "nyhet" | "news" | "item" | "post"
                ))
    })
}

/// Whether an inline style hides the element.
fn hides(style: &str) -> bool {
    let compact: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    compact.contains("display:none") || compact.contains("visibility:hidden")
}

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;
