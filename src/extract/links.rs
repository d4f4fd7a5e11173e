//! News-list page -> article links in page order, and the next-page link.
//!
//! Whatever the CMS, a news list is a run of sibling items with the same
//! markup, each holding one article URL (title link, maybe a "Läs mer" link to
//! the same URL), usually a date and a teaser. So:
//!
//! 1. candidate links: same host, not mailto/tel/javascript, not in page
//!    chrome (navigation, sidebars, footers, pagination, widgets), not the list
//!    itself, its parent sections or its other pages;
//! 2. each link's *item* is the highest ancestor (a few levels at most) that
//!    holds no other candidate URL; links group by (item's parent, item markup,
//!    markup from item to link);
//! 3. groups score by their items (long link text, date, teaser text, a
//!    heading) and by how article-like their URLs are (under the list's path,
//!    a dated slug); the best group wins, plus groups just as article-like.

use std::collections::HashMap;

use scraper::{Html, Node};
use url::Url;

use super::cms::{has_date, page_hints, Hint};
use super::dom::{base_url, heading_level, is_invisible_tag, normalize_space, Dom, FastSet, NONE};
use super::guard::bounded_nesting;
use super::overrides::Overrides;
use crate::canonical::same_site;
use crate::model::ListPage;

/// How far above a link its item may be.
const MAX_ITEM_LEVELS: usize = 6;
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

struct Candidate {
    index: u32,
    url: Url,
    url_id: u32,
}

struct ListAnalysis<'d, 'a> {
    dom: &'d Dom<'a>,
    page: &'d Url,
    base: Url,
    hints: Vec<Hint>,
    boiler: Vec<bool>,
    /// Visible characters in each subtree.
    text: Vec<u32>,
    /// Visible characters of the text nodes before each node, in document
    /// order: the text between two nodes is a difference, not a scan.
    text_before: Vec<u32>,
    candidates: Vec<Candidate>,
    /// Per node: the one candidate URL id in its subtree, `NONE` or `MANY`.
    url_in: Vec<u32>,
}

impl<'d, 'a> ListAnalysis<'d, 'a> {
    fn new(dom: &'d Dom<'a>, page: &'d Url, base: &Url) -> ListAnalysis<'d, 'a> {
        let n = dom.len();
        let hints = page_hints(dom);
        let mut text = vec![0u32; n];
        let mut hidden = vec![false; n];
        for i in 0..n {
            let node = &dom.nodes[i];
            let parent_hidden = node.parent != NONE && hidden[node.parent as usize];
            match node.node {
                Node::Element(_) => {
                    hidden[i] = parent_hidden || is_invisible_tag(node.tag);
                }
                Node::Text(t) if !parent_hidden => {
                    text[i] = t.chars().filter(|c| !c.is_whitespace()).count() as u32;
                }
                _ => {}
            }
        }
        let text_before = text_before(dom, &text);
        for i in (1..n).rev() {
            let parent = dom.nodes[i].parent;
            if parent != NONE {
                text[parent as usize] += text[i];
            }
        }
        // Chrome, top-down. A `header` is not chrome here: WordPress puts the
        // teaser's title link in `header.entry-header`.
        let page_text = text[0].max(1) as f32;
        let mut boiler = vec![false; n];
        for i in 0..n {
            let parent = dom.nodes[i].parent;
            let inherited = parent != NONE && boiler[parent as usize];
            let own =
                hints[i].negative && !hints[i].header_only && (text[i] as f32) < 0.5 * page_text;
            boiler[i] = inherited || own || hidden[i];
        }
        let mut analysis = ListAnalysis {
            dom,
            page,
            base: base.clone(),
            hints,
            boiler,
            text,
            text_before,
            candidates: Vec::new(),
            url_in: vec![NONE; n],
        };
        analysis.collect_candidates();
        analysis
    }

    fn collect_candidates(&mut self) {
        let dom = self.dom;
        let mut ids: HashMap<String, u32> = HashMap::new();
        for index in dom.elements_named("a") {
            if self.boiler[index as usize] {
                continue;
            }
            let Some(url) = dom.attr(index, "href").and_then(|h| self.resolve(h)) else {
                continue;
            };
            if !self.may_be_article(&url) {
                continue;
            }
            let next_id = ids.len() as u32;
            let url_id = *ids.entry(url.to_string()).or_insert(next_id);
            self.candidates.push(Candidate { index, url, url_id });
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

    /// An absolute http(s) URL on the page's site, without fragment.
    fn resolve(&self, href: &str) -> Option<Url> {
        let href = href.trim();
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
        if path == page_path || path == "/" {
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

    /// The highest ancestor of a link (within a few levels) that holds no
    /// other candidate URL: the list item.
    fn item_of(&self, candidate: &Candidate) -> u32 {
        let mut item = candidate.index;
        for ancestor in self.dom.ancestors(candidate.index).take(MAX_ITEM_LEVELS) {
            if self.url_in[ancestor as usize] != candidate.url_id
                || matches!(self.dom.tag(ancestor), "body" | "html" | "main")
            {
                break;
            }
            item = ancestor;
        }
        item
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

    fn article_links(&self) -> Vec<Url> {
        let dom = self.dom;
        // Group key -> (candidate indices, score).
        let mut groups: HashMap<(u32, String), Vec<usize>> = HashMap::new();
        let mut items = Vec::with_capacity(self.candidates.len());
        for (k, candidate) in self.candidates.iter().enumerate() {
            let item = self.item_of(candidate);
            items.push(item);
            let parent = dom.nodes[item as usize].parent;
            groups
                .entry((parent, item_key(dom, item, candidate.index)))
                .or_default()
                .push(k);
        }
        let list_root = list_root(self.page);
        let mut scored: Vec<(f32, f32, u32, String, Vec<usize>)> = groups
            .into_iter()
            .map(|((parent, key), members)| {
                let (score, url_likeness) = self.group_score(&members, &items, &list_root);
                (score, url_likeness, parent, key, members)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let Some((best_score, best_likeness, best_parent, best_key, best_link)) =
            scored.first().map(|g| {
                let link = self.candidates[g.4[0]].index;
                (g.0, g.1, g.2, g.3.clone(), link)
            })
        else {
            return Vec::new();
        };
        let item_depth =
            dom.nodes[best_link as usize].depth - dom.nodes[items[scored[0].4[0]] as usize].depth;
        if best_score < 2.0 {
            return Vec::new();
        }
        let mut chosen: Vec<usize> = Vec::new();
        for (score, likeness, parent, key, members) in &scored {
            let first = *score == best_score;
            let alike = *likeness >= best_likeness.max(0.5) && *score >= 0.5 * best_score;
            // The same list split under headings (months, letters): same
            // item markup, parents alike up to a common ancestor. A lone
            // item's wrappers count as its item, so compare at the best
            // group's item depth.
            let split = if *key == best_key {
                self.same_split_list(*parent, best_parent)
            } else {
                let link = self.candidates[members[0]].index;
                let item = match item_depth {
                    0 => link,
                    d => dom.ancestors(link).nth(d as usize - 1).unwrap_or(link),
                };
                item_key(dom, item, link) == best_key
                    && self.same_split_list(dom.nodes[item as usize].parent, best_parent)
            };
            if first || alike || split {
                chosen.extend(members);
            }
        }
        chosen.sort_by_key(|&k| self.candidates[k].index);
        let mut seen: FastSet<u32> = FastSet::default();
        let mut links: Vec<Url> = Vec::new();
        for k in chosen {
            let candidate = &self.candidates[k];
            if seen.insert(candidate.url_id) {
                links.push(candidate.url.clone());
            }
        }
        links
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
            if a == NONE || b == NONE || signature(dom, a) != signature(dom, b) {
                return false;
            }
            a = dom.nodes[a as usize].parent;
            b = dom.nodes[b as usize].parent;
        }
        false
    }

    /// (score, URL article-likeness in 0..=1) of one group of links.
    fn group_score(&self, members: &[usize], items: &[u32], list_root: &str) -> (f32, f32) {
        let dom = self.dom;
        let mut total = 0.0;
        let mut likeness = 0.0;
        let mut distinct: FastSet<u32> = FastSet::default();
        for &k in members {
            let candidate = &self.candidates[k];
            let url_like = url_likeness(&candidate.url, list_root);
            likeness += url_like;
            if !distinct.insert(candidate.url_id) {
                continue;
            }
            let item = items[k];
            let link_text = self.text[candidate.index as usize];
            let item_text = self.text[item as usize];
            let mut item_score = 1.0;
            if link_text >= 15 {
                item_score += 1.0;
            }
            if link_text < 5 {
                item_score -= 0.5;
            }
            if item_text >= link_text + 40 {
                item_score += 1.0;
            }
            let heading = std::iter::once(candidate.index)
                .chain(dom.ancestors(candidate.index).take(3))
                .any(|a| heading_level(dom.tag(a)).is_some())
                || (candidate.index..=dom.nodes[candidate.index as usize].end)
                    .any(|d| heading_level(dom.tag(d)).is_some());
            if heading {
                item_score += 1.0;
            }
            if item_text < 400 && has_date(&dom.text(item)) {
                item_score += 1.0;
            }
            if self.in_prose(candidate.index) {
                item_score *= 0.3;
            }
            total += item_score * (0.5 + url_like);
        }
        let likeness = likeness / members.len().max(1) as f32;
        let main_boost = if self.in_main(members.first().map(|&k| self.candidates[k].index)) {
            1.5
        } else {
            1.0
        };
        (total * main_boost, likeness)
    }

    /// A link inside running text: its paragraph has much more text before it.
    fn in_prose(&self, link: u32) -> bool {
        let dom = self.dom;
        let Some(block) = dom
            .ancestors(link)
            .find(|&a| matches!(dom.tag(a), "p" | "td" | "li" | "div"))
        else {
            return false;
        };
        let before = self.text_before[link as usize] - self.text_before[block as usize];
        before >= 20
    }

    fn in_main(&self, index: Option<u32>) -> bool {
        let Some(index) = index else { return false };
        self.dom
            .ancestors(index)
            .any(|a| self.dom.tag(a) == "main" || self.dom.attr(a, "role") == Some("main"))
    }

    /// `<link rel=next>`, `a[rel=next]`, a "Nästa"/"Next"/"»" link, or the link
    /// to page current+1.
    fn next_page(&self, articles: &[Url]) -> Option<Url> {
        let dom = self.dom;
        let articles: FastSet<&str> = articles.iter().map(Url::as_str).collect();
        let acceptable = |url: &Url| url != self.page && !articles.contains(url.as_str());
        for tag in ["link", "a"] {
            for i in dom.elements_named(tag) {
                let rel = dom.attr(i, "rel").unwrap_or("");
                if !rel
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
                {
                    continue;
                }
                if let Some(url) = dom.attr(i, "href").and_then(|h| self.resolve(h)) {
                    if acceptable(&url) {
                        return Some(url);
                    }
                }
            }
        }
        let current = page_number(self.page).unwrap_or(1);
        let mut by_number = None;
        for i in dom.elements_named("a") {
            let Some(url) = dom.attr(i, "href").and_then(|h| self.resolve(h)) else {
                continue;
            };
            if !acceptable(&url) {
                continue;
            }
            let label = [dom.attr(i, "aria-label"), dom.attr(i, "title")]
                .into_iter()
                .flatten()
                .map(normalize_space)
                .chain(std::iter::once(normalize_space(&dom.text(i))))
                .collect::<Vec<_>>();
            if label.iter().any(|l| is_next_label(l)) {
                return Some(url);
            }
            if by_number.is_none()
                && label
                    .last()
                    .is_some_and(|t| t.trim() == (current + 1).to_string())
                && (is_pagination_url(&url) || self.hints[i as usize].negative)
            {
                by_number = Some(url);
            }
        }
        by_number
    }
}

/// The markup of an item and of the path down to its link: what makes items
/// of one list alike.
fn item_key(dom: &Dom<'_>, item: u32, link: u32) -> String {
    let mut key = signature(dom, item);
    for a in dom.ancestors(link).take_while(|&a| a != item) {
        key.push('<');
        key.push_str(&signature(dom, a));
    }
    key
}

/// `tag.class1.class2` with digits dropped from classes (`post-845`).
fn signature(dom: &Dom<'_>, index: u32) -> String {
    let mut out = dom.tag(index).to_string();
    if let Some(class) = dom.attr(index, "class") {
        let mut classes: Vec<&str> = class
            .split_ascii_whitespace()
            .filter(|c| !c.chars().any(|ch| ch.is_ascii_digit()))
            .collect();
        classes.sort_unstable();
        for c in classes {
            out.push('.');
            out.push_str(c);
        }
    }
    out
}

/// The path that a list's articles usually live under: the list path without
/// its page suffix and file extension (`/nyheter/sida/2/` -> `/nyheter/`,
/// `/nyheter-for-foretagare.html` -> `/nyheter-for-foretagare/`).
fn list_root(page: &Url) -> String {
    let mut path = strip_pagination(page.path());
    if let Some(slash) = path.rfind('/') {
        let file = &path[slash + 1..];
        if file.starts_with("index") || file.starts_with("default") {
            path.truncate(slash + 1);
        } else if let Some(dot) = file.rfind('.') {
            let cut = slash + 1 + dot;
            path.truncate(cut);
            path.push('/');
        }
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    path
}

fn strip_pagination(path: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    let mut ends_with_slash = path.ends_with('/');
    if ends_with_slash {
        parts.pop();
    }
    if let Some(last) = parts.last() {
        if !last.is_empty() && last.chars().all(|c| c.is_ascii_digit()) {
            let previous = parts
                .get(parts.len().wrapping_sub(2))
                .copied()
                .unwrap_or("");
            if matches!(previous, "page" | "sida" | "p") {
                parts.truncate(parts.len() - 2);
                ends_with_slash = true;
            }
        } else if is_page_segment(last) {
            parts.pop();
            ends_with_slash = true;
        }
    }
    let mut out = parts.join("/");
    if ends_with_slash || out.is_empty() {
        out.push('/');
    }
    out
}

/// `sida-2`, `page-2`, `index2.htm`.
fn is_page_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    for prefix in ["sida-", "page-", "sida", "index"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            let tail = &rest[digits.len()..];
            if !digits.is_empty() && (tail.is_empty() || tail.starts_with('.')) {
                return true;
            }
        }
    }
    false
}

/// Page N of a list: `?page=N`, `?sida=N`, `?paged=N`, `/page/N/`,
/// `/sida/N/`, `/sida-N/`, `indexN.htm`.
fn page_number(url: &Url) -> Option<u32> {
    for (key, value) in url.query_pairs() {
        if matches!(
            key.as_ref(),
            "page" | "sida" | "paged" | "p" | "pg" | "pagenumber"
        ) {
            if let Ok(n) = value.parse() {
                return Some(n);
            }
        }
    }
    let segments: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    if let [.., kind, number] = segments.as_slice() {
        if matches!(*kind, "page" | "sida" | "p") {
            if let Ok(n) = number.parse() {
                return Some(n);
            }
        }
    }
    let last = segments.last()?.to_ascii_lowercase();
    if is_page_segment(&last) {
        let digits: String = last
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(|c| c.is_ascii_digit())
            .collect();
        return digits.parse().ok();
    }
    None
}

fn is_pagination_url(url: &Url) -> bool {
    page_number(url).is_some()
}

/// Whether two URLs are pages of the same list.
fn same_list(a: &Url, b: &Url) -> bool {
    strip_pagination(a.path()) == strip_pagination(b.path()) || list_root(a) == list_root(b)
}

/// How much a URL looks like an article of this list: under the list's root,
/// a dated slug.
fn url_likeness(url: &Url, list_root: &str) -> f32 {
    let path = url.path();
    let mut score: f32 = 0.0;
    if path.starts_with(list_root) && path.len() > list_root.len() + 3 {
        score += 0.7;
    }
    let dated = path
        .split('/')
        .any(|s| s.len() >= 4 && s[..4].chars().all(|c| c.is_ascii_digit()) && s.starts_with("20"));
    if dated {
        score += 0.3;
    }
    score.min(1.0)
}

fn is_next_label(label: &str) -> bool {
    let trimmed: String = label
        .chars()
        .filter(|c| !matches!(c, '»' | '›' | '>' | '→' | '.' | '…'))
        .collect::<String>()
        .trim()
        .to_lowercase();
    let symbol_only = trimmed.is_empty() && label.chars().any(|c| matches!(c, '»' | '›' | '→'));
    symbol_only
        || matches!(
            trimmed.as_str(),
            "nästa"
                | "nästa sida"
                | "next"
                | "next page"
                | "gå till nästa sida"
                | "visa fler"
                | "äldre nyheter"
                | "äldre inlägg"
                | "older posts"
        )
}

#[cfg(test)]
mod tests;
