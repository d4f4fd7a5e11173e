//! A flat, pre-order view of a parsed document, shared by the article and
//! list extractors and by the renderer in [`super::html`].
//!
//! Why a flat table: every heuristic here needs per-node aggregates (text
//! length, link text length, hints inherited from ancestors). Computing them
//! once, bottom-up over a `Vec` in reverse pre-order, keeps extraction linear
//! and free of recursion, so a page nested 100 000 levels deep cannot blow the
//! stack or go quadratic.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use scraper::node::Element;
use scraper::{ElementRef, Html, Node};
use url::Url;

/// "No node" in the `u32` links of [`DomNode`].
pub const NONE: u32 = u32::MAX;

/// One node of the document, in pre-order.
#[derive(Clone, Copy)]
pub struct DomNode<'a> {
    pub node: &'a Node,
    /// The element, when this node is one.
    pub element: Option<ElementRef<'a>>,
    /// Lower-case local name for elements, "" otherwise.
    pub tag: &'a str,
    pub parent: u32,
    pub first_child: u32,
    pub next_sibling: u32,
    /// Index of the last node of this node's subtree (itself when a leaf), so
    /// `index..=end` is the subtree.
    pub end: u32,
    pub depth: u32,
}

/// The document as a pre-order table.
pub struct Dom<'a> {
    pub nodes: Vec<DomNode<'a>>,
}

impl<'a> Dom<'a> {
    /// Builds the table for a whole parsed document (or fragment).
    pub fn new(doc: &'a Html) -> Dom<'a> {
        // The tree's arena holds every node (detached ones too), so its size
        // bounds the table's.
        let mut nodes: Vec<DomNode<'a>> = Vec::with_capacity(doc.tree.values().len());
        // Iterative pre-order walk over the tree's own links: a node's
        // subtree ends when the walk leaves it, and its next sibling is the
        // next node pushed at its depth.
        let root = doc.tree.root();
        let mut node_ref = root;
        let mut parent = NONE;
        let mut previous_sibling = NONE;
        loop {
            let index = nodes.len() as u32;
            let element = ElementRef::wrap(node_ref);
            let tag = element.map(|e| e.value().name()).unwrap_or("");
            let depth = if parent == NONE {
                0
            } else {
                nodes[parent as usize].depth + 1
            };
            nodes.push(DomNode {
                node: node_ref.value(),
                element,
                tag,
                parent,
                first_child: NONE,
                next_sibling: NONE,
                end: index,
                depth,
            });
            if previous_sibling != NONE {
                nodes[previous_sibling as usize].next_sibling = index;
            } else if parent != NONE {
                nodes[parent as usize].first_child = index;
            }
            if let Some(child) = node_ref.first_child() {
                node_ref = child;
                parent = index;
                previous_sibling = NONE;
                continue;
            }
            // Leave finished subtrees until one has a next sibling.
            let last = nodes.len() as u32 - 1;
            let mut at = index;
            loop {
                nodes[at as usize].end = last;
                if node_ref == root {
                    return Dom { nodes };
                }
                if let Some(sibling) = node_ref.next_sibling() {
                    node_ref = sibling;
                    previous_sibling = at;
                    parent = nodes[at as usize].parent;
                    break;
                }
                match node_ref.parent() {
                    Some(up) => {
                        node_ref = up;
                        at = nodes[at as usize].parent;
                    }
                    None => return Dom { nodes },
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The children of `index`, in order.
    pub fn children(&self, index: u32) -> impl Iterator<Item = u32> + '_ {
        let mut child = self.nodes[index as usize].first_child;
        std::iter::from_fn(move || {
            if child == NONE {
                return None;
            }
            let current = child;
            child = self.nodes[child as usize].next_sibling;
            Some(current)
        })
    }

    /// The ancestors of `index`, nearest first (not including itself).
    pub fn ancestors(&self, index: u32) -> impl Iterator<Item = u32> + '_ {
        let mut at = self.nodes[index as usize].parent;
        std::iter::from_fn(move || {
            if at == NONE {
                return None;
            }
            let current = at;
            at = self.nodes[at as usize].parent;
            Some(current)
        })
    }

    /// Whether `ancestor` contains `index` (or is it).
    pub fn contains(&self, ancestor: u32, index: u32) -> bool {
        ancestor <= index && index <= self.nodes[ancestor as usize].end
    }

    pub fn attr(&self, index: u32, name: &str) -> Option<&'a str> {
        self.nodes[index as usize]
            .element
            .and_then(|e| attr(e.value(), name))
    }

    pub fn tag(&self, index: u32) -> &'a str {
        self.nodes[index as usize].tag
    }

    /// The text content of a subtree with whitespace runs collapsed to one
    /// space, skipping scripts and styles.
    pub fn text(&self, index: u32) -> String {
        let mut out = String::new();
        let end = self.nodes[index as usize].end;
        let mut at = index;
        while at <= end {
            let node = &self.nodes[at as usize];
            if at != index && is_invisible_tag(node.tag) {
                at = node.end + 1;
                continue;
            }
            if let Node::Text(text) = node.node {
                push_collapsed(&mut out, text);
            }
            at += 1;
        }
        out.trim().to_string()
    }

    /// Pre-order indices of the elements named `tag`.
    pub fn elements_named<'s>(&'s self, tag: &'s str) -> impl Iterator<Item = u32> + 's {
        (0..self.nodes.len() as u32).filter(move |&i| self.nodes[i as usize].tag == tag)
    }
}

/// A hash map for short string keys within one page: FNV-1a instead of
/// SipHash, because these maps memoise per-element work on the hot path and
/// their keys come from one document, not from an attacker choosing
/// collisions across requests (a page can at worst slow its own extraction).
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// A hash set for the same use as [`FastMap`].
pub type FastSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;

/// The FNV-1a hasher behind [`FastMap`].
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// An attribute's value, found by comparing names.
///
/// Why not `Element::attr`: scraper interns the asked-for name as an atom on
/// every call (a hash, and a global lock for names outside the static set),
/// which was a tenth of the extraction time. Elements have few attributes, so
/// a linear scan over the already-interned names is cheaper.
pub fn attr<'e>(element: &'e Element, name: &str) -> Option<&'e str> {
    element
        .attrs()
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// Appends `text` to `out`, collapsing whitespace runs (also across calls) to
/// one space.
pub fn push_collapsed(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

/// Collapses whitespace runs to one space and trims.
pub fn normalize_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_collapsed(&mut out, text);
    out.trim_end().to_string()
}

/// Elements whose content is never visible text.
pub fn is_invisible_tag(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "title"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "video"
            | "audio"
            | "map"
    )
}

/// An element the page hides from every reader: the `hidden` attribute or an
/// inline `display:none` / `visibility:hidden` (collapsed share menus,
/// duplicate mobile headlines, tracking pixels). Stylesheets are not read.
pub fn is_hidden_element(element: &Element) -> bool {
    element.attrs().any(|(name, value)| match name {
        "hidden" => true,
        "style" => is_hiding_style(value),
        _ => false,
    })
}

/// Whether an inline style hides its element.
fn is_hiding_style(style: &str) -> bool {
    style.split(';').any(|declaration| {
        let Some((property, value)) = declaration.split_once(':') else {
            return false;
        };
        let property = property.trim();
        let value = value.trim().trim_end_matches("!important").trim();
        (property.eq_ignore_ascii_case("display") && value.eq_ignore_ascii_case("none"))
            || (property.eq_ignore_ascii_case("visibility") && value.eq_ignore_ascii_case("hidden"))
    })
}

/// A form or fieldset with little text: a search box, a feedback or
/// newsletter form. A form that wraps the page (ASP.NET: Episerver, old
/// SiteVision) is layout, and its content is read.
pub fn is_small_form(dom: &Dom<'_>, index: u32) -> bool {
    /// More visible characters than a form's own labels and help text.
    const MAX_FORM_CHARS: usize = 200;
    matches!(dom.tag(index), "form" | "fieldset")
        && dom
            .text(index)
            .chars()
            .filter(|c| !c.is_whitespace())
            .nth(MAX_FORM_CHARS)
            .is_none()
}

/// Interactive elements: never body text.
///
/// Not `form` or `fieldset`: see [`is_small_form`].
pub fn is_control_tag(tag: &str) -> bool {
    matches!(
        tag,
        "button"
            | "input"
            | "select"
            | "textarea"
            | "label"
            | "option"
            | "legend"
            | "dialog"
            | "menu"
    )
}

/// Elements that start a new paragraph (or line of layout).
pub fn is_block_tag(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "header"
            | "footer"
            | "aside"
            | "nav"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "figure"
            | "figcaption"
            | "form"
            | "fieldset"
            | "address"
            | "hr"
            | "center"
            | "details"
            | "summary"
            | "body"
            | "html"
            | "hgroup"
            | "legend"
    )
}

pub fn heading_level(tag: &str) -> Option<u8> {
    match tag {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// The words of an element's `class` and `id`, lower-cased and split on
/// anything that is not a letter or digit (`vx-breadcrumbs__item` gives
/// `vx`, `breadcrumbs`, `item`), so hints match whole words and not
/// accidental substrings.
pub fn hint_words(element: ElementRef<'_>) -> Vec<String> {
    let mut words = Vec::new();
    for value in [attr(element.value(), "class"), attr(element.value(), "id")]
        .into_iter()
        .flatten()
    {
        for word in value.split(|c: char| !c.is_alphanumeric()) {
            if !word.is_empty() && word.len() < 40 {
                words.push(word.to_lowercase());
            }
        }
    }
    words
}

/// `<base href>` when present (resolved against the page), else the page URL.
pub fn base_url(dom: &Dom<'_>, url: &Url) -> Url {
    dom.elements_named("base")
        .find_map(|i| dom.attr(i, "href"))
        .and_then(|href| url.join(href.trim()).ok())
        .unwrap_or_else(|| url.clone())
}
