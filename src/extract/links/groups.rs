//! Repeated items: which links of a page are the same kind of item of one
//! list, found by markup alone.
//!
//! A list is a parent element whose children (the items) have the same
//! markup down to one link each: `ul > li > a`, `div.grid > article.card >
//! h3 > a`, `tbody > tr > td > a`. For each link and each level above it
//! (the link itself, its parent, ...), the link's *key* at that level is the
//! item's parent and the markup path from the item down to the link. Links
//! sharing a key are items of one candidate list; a link takes the level
//! where its list has the most items, each item having one main link (a
//! category or author link beside the headline weighs less than half of
//! it; two headlines make the "item" a block of items). That copes with
//! items holding other links (category links, a "Läs mer" to the same URL,
//! an image link) and with items whose own classes vary (`featured`,
//! `hidden`, `post-845`), without a class vocabulary.

use scraper::Node;

use super::Candidate;
use crate::extract::dom::{Dom, FastMap, NONE};

/// How far above a link its item may be.
pub(super) const MAX_LEVELS: usize = 7;

/// The links of one candidate list, in page order.
pub(super) struct Group {
    /// The element whose children are the items.
    pub parent: u32,
    /// The markup from the item down to the link.
    pub path: u64,
    /// Levels from the link up to its item.
    pub level: u8,
    /// (candidate index, item element) in page order, one per item (its
    /// main link when an item holds several URLs).
    pub members: Vec<(usize, u32)>,
}

/// One link seen at one level: where it would sit as an item.
#[derive(Clone, Copy)]
pub(super) struct Placement {
    pub parent: u32,
    pub path: u64,
    pub item: u32,
}

const NO_PLACEMENT: Placement = Placement {
    parent: NONE,
    path: 0,
    item: NONE,
};

/// Every link's placement at every level, and the groups the links fall into.
pub(super) struct Grouping {
    /// `placements[k * (MAX_LEVELS + 1) + level]`.
    placements: Vec<Placement>,
    pub groups: Vec<Group>,
}

impl Grouping {
    pub fn placement(&self, candidate: usize, level: u8) -> Option<Placement> {
        let p = self.placements[candidate * (MAX_LEVELS + 1) + level as usize];
        (p.item != NONE).then_some(p)
    }
}

/// What a candidate list at one key looks like.
#[derive(Clone, Copy, Default)]
struct KeyStats {
    items: u32,
    /// The most distinct URLs any one item holds.
    urls_per_item: u32,
    /// The most URLs of one item whose links weigh at least half of the
    /// item's heaviest: more than one means the "item" holds several items.
    comparable_per_item: u32,
}

/// Groups the candidate links of a page into lists (see the module docs).
/// `weight` ranks links of one item: the item's main link is the heaviest.
pub(super) fn group_links(
    dom: &Dom<'_>,
    candidates: &[Candidate],
    weight: &dyn Fn(usize) -> f32,
) -> Grouping {
    let per = MAX_LEVELS + 1;
    let mut signatures = Signatures::new(dom);
    let mut placements = vec![NO_PLACEMENT; candidates.len() * per];
    for (k, candidate) in candidates.iter().enumerate() {
        let mut inner = FNV_SEED;
        let mut node = candidate.index;
        for level in 0..per {
            let parent = dom.nodes[node as usize].parent;
            if parent == NONE || matches!(dom.tag(node), "body" | "html") {
                break;
            }
            placements[k * per + level] = Placement {
                parent,
                path: mix(inner, tag_hash(dom.tag(node))),
                item: node,
            };
            inner = mix(inner, u64::from(signatures.of(node)));
            node = parent;
        }
    }
    // Key statistics from the placements sorted by (parent, path, item,
    // url), written back to each placement.
    let mut sorted: Vec<(u32, u64, u32, u32, u32)> = placements
        .iter()
        .enumerate()
        .filter(|(_, p)| p.item != NONE)
        .map(|(i, p)| {
            let url = candidates[i / per].url_id;
            (p.parent, p.path, p.item, url, i as u32)
        })
        .collect();
    sorted.sort_unstable();
    let mut stats = vec![KeyStats::default(); placements.len()];
    let mut weights: Vec<f32> = Vec::new();
    for list in sorted.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let mut entry = KeyStats::default();
        for item in list.chunk_by(|a, b| a.2 == b.2) {
            // The item's URLs, each with its heaviest link.
            weights.clear();
            weights.extend(item.chunk_by(|a, b| a.3 == b.3).map(|links| {
                links
                    .iter()
                    .map(|l| weight(l.4 as usize / per))
                    .fold(0.0, f32::max)
            }));
            let heaviest = weights.iter().copied().fold(0.0, f32::max);
            let comparable = weights.iter().filter(|&&w| w >= 0.5 * heaviest).count() as u32;
            entry.items += 1;
            entry.urls_per_item = entry.urls_per_item.max(weights.len() as u32);
            entry.comparable_per_item = entry.comparable_per_item.max(comparable);
        }
        for placement in list {
            stats[placement.4 as usize] = entry;
        }
    }
    // Each link's level: the most items, each with one main link (other
    // URLs in an item, such as category links, weigh less than half of it);
    // on a tie the higher level, whose items hold more of themselves; else
    // the highest level where the link is alone.
    let mut chosen: FastMap<(u32, u64, u8), Vec<(usize, u32)>> = FastMap::default();
    for k in 0..candidates.len() {
        let mut best: Option<(u32, u8)> = None;
        let mut alone = 0u8;
        for level in 0..per {
            if placements[k * per + level].item == NONE {
                break;
            }
            let s = stats[k * per + level];
            if s.urls_per_item == 1 {
                alone = level as u8;
            }
            if s.items >= 2 && s.comparable_per_item == 1 && best.is_none_or(|(n, _)| s.items >= n)
            {
                best = Some((s.items, level as u8));
            }
        }
        let level = best.map_or(alone, |(_, level)| level);
        let p = placements[k * per + level as usize];
        chosen
            .entry((p.parent, p.path, level))
            .or_default()
            .push((k, p.item));
    }
    let mut groups: Vec<Group> = chosen
        .into_iter()
        .map(|((parent, path, level), mut members)| {
            members.sort_unstable_by_key(|&(k, _)| k);
            Group {
                parent,
                path,
                level,
                members: main_links(members, candidates, weight),
            }
        })
        .collect();
    groups.sort_unstable_by_key(|g| g.members[0].0);
    Grouping { placements, groups }
}

/// One link per item: the heaviest, and among links to the same URL the
/// first (members are in page order).
fn main_links(
    members: Vec<(usize, u32)>,
    candidates: &[Candidate],
    weight: &dyn Fn(usize) -> f32,
) -> Vec<(usize, u32)> {
    let mut out: Vec<(usize, u32)> = Vec::with_capacity(members.len());
    for (k, item) in members {
        match out.last_mut() {
            Some(last) if last.1 == item => {
                let same_url = candidates[last.0].url_id == candidates[k].url_id;
                if !same_url && weight(k) > weight(last.0) {
                    *last = (k, item);
                }
            }
            _ => out.push((k, item)),
        }
    }
    out
}

/// Interned markup signatures of elements, computed on demand.
struct Signatures<'d, 'a> {
    dom: &'d Dom<'a>,
    ids: Vec<u32>,
    interned: FastMap<String, u32>,
}

impl<'d, 'a> Signatures<'d, 'a> {
    fn new(dom: &'d Dom<'a>) -> Signatures<'d, 'a> {
        Signatures {
            dom,
            ids: vec![NONE; dom.len()],
            interned: FastMap::default(),
        }
    }

    fn of(&mut self, index: u32) -> u32 {
        let cached = self.ids[index as usize];
        if cached != NONE {
            return cached;
        }
        let signature = signature(self.dom, index);
        let next = self.interned.len() as u32;
        let id = *self.interned.entry(signature).or_insert(next);
        self.ids[index as usize] = id;
        id
    }
}

/// `tag.class1.class2`, with the classes that vary between items of one
/// list left out: numbered ones (`post-845`, `c1909`), BEM modifiers
/// (`card--featured`), taxonomy and state tokens (`category-skola`,
/// `is-active`). A table cell also carries its column: the title cell and
/// the "Läs mer" cell of a row are different parts of the item.
pub(super) fn signature(dom: &Dom<'_>, index: u32) -> String {
    let tag = dom.tag(index);
    let mut out = tag.to_string();
    if let Some(class) = dom.attr(index, "class") {
        let mut classes: Vec<&str> = class
            .split_ascii_whitespace()
            .filter(|c| is_kind_class(c))
            .collect();
        classes.sort_unstable();
        classes.dedup();
        for c in classes {
            out.push('.');
            out.push_str(c);
        }
    }
    if matches!(tag, "td" | "th") {
        let column = dom
            .children(dom.nodes[index as usize].parent)
            .take_while(|&c| c != index)
            .filter(|&c| matches!(dom.nodes[c as usize].node, Node::Element(_)))
            .count();
        out.push('#');
        out.push_str(&column.to_string());
    }
    out
}

/// Whether a class token says what kind of element this is (rather than
/// which one, or in which state).
fn is_kind_class(class: &str) -> bool {
    const VARYING_PREFIXES: &[&str] = &[
        "category-",
        "cat-",
        "tag-",
        "term-",
        "has-",
        "is-",
        "no-",
        "not-",
        "type-",
        "status-",
        "format-",
        "post-",
        "page-",
        "js-",
    ];
    const STATES: &[&str] = &[
        "active", "current", "selected", "open", "first", "last", "odd", "even", "hidden",
        "visible", "show", "featured", "sticky", "new", "read",
    ];
    !class.bytes().any(|b| b.is_ascii_digit())
        && !class.contains("--")
        && !VARYING_PREFIXES.iter().any(|p| class.starts_with(p))
        && !STATES.contains(&class)
}

const FNV_SEED: u64 = 0xcbf2_9ce4_8422_2325;

/// Order-sensitive combination of path parts (FNV-1a over the part's bytes).
fn mix(hash: u64, part: u64) -> u64 {
    let mut h = hash;
    for byte in part.to_le_bytes() {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A tag name as a path part, distinct from every signature id.
fn tag_hash(tag: &str) -> u64 {
    let mut h = FNV_SEED;
    for byte in tag.bytes() {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h | (1 << 63)
}
