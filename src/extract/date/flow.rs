//! The article region of a page as plain text, one block element per line,
//! with the positions of the headline and of elements that carry a
//! machine-readable date.
//!
//! Working on text rather than on single text nodes is what lets a label find
//! its date across markup: "Publiceringsdatum" and "29-mars-2021" in adjacent
//! spans, a `<dt>Publicerad:</dt>` and its `<dd>`, a label, a `<br>` and the
//! date, or a date and "kl 9.42" in two `<time>` elements.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use scraper::node::Element;
use scraper::{ElementRef, Node};

use jiff::civil;
use jiff::tz::Offset;

use super::parse::{find_date, parse_machine_stated};
use super::Kind;
use crate::extract::dom::{is_block_tag, is_invisible_tag, FastMap, FastSet};
use crate::model::PageDate;

/// Text nodes longer than this are body prose: they keep their place as a
/// line but their words are not kept, which bounds the work on huge pages.
const LONG_TEXT_NODE: usize = 2000;

/// A dated element's text longer than this is not read for its day.
const MAX_MARK_TEXT_BYTES: usize = 120;

/// Elements whose text is never visible article text: the invisible ones
/// every extractor skips, plus form controls, whose option lists and button
/// labels can hold dates that are not the article's.
fn is_skipped_tag(name: &str) -> bool {
    is_invisible_tag(name) || matches!(name, "select" | "option" | "textarea" | "button")
}

/// Elements that start a new line of text: the renderer's block elements
/// and a `<br>`.
fn starts_line(name: &str) -> bool {
    matches!(name, "br" | "dialog")
        || (is_block_tag(name) && !matches!(name, "body" | "html" | "hgroup"))
}

/// Class or id words that mark page furniture with dates of its own
/// (comments, event calendars, "latest news" lists) wherever they occur in
/// the word: `layout-sidebar-second`, `comments-area`, `sv-archive-portlet`.
const FURNITURE_ANYWHERE: &[&str] = &[
    "sidebar",
    "sidopanel",
    "sidokolumn",
    "comment",
    "kommentar",
    "related",
    "relaterad",
    "evenemang",
    "calendar",
    "kalender",
    "breadcrumb",
    "brodsmul",
    "cookie",
    "archive",
    "more-news",
    "latest-news",
    "fler-nyheter",
    "senaste-nyheter",
    "newslist",
    "news-list",
    "nyhetslista",
    "teaser",
    "puff",
];

/// Furniture words that count at the start of a class word or after `-`/`_`
/// (`event-list__item`, `sol-article-aside`, `site-nav`), not inside other
/// words (`prevent`, `canvas`).
const FURNITURE_SEGMENT: &[&str] = &["aside", "nav", "event", "share", "menu", "meny"];

/// Furniture words that count only at the start of a class word: WordPress
/// widgets are `widget`, `widget_text`, `widget-area`, while Elementor calls
/// every block of the article itself `elementor-widget-*`.
const FURNITURE_PREFIX: &[&str] = &["widget"];

/// Site-wide footer words: furniture outside an `<article>`, but a footer
/// inside one (WordPress `entry-footer`) belongs to the post.
const FOOTER_WORDS: &[&str] = &["footer", "sidfot"];

/// The article region as lines of text.
#[derive(Debug, Default)]
pub(super) struct Flow {
    pub text: String,
    /// Byte ranges of the non-empty lines of `text`, in order.
    pub lines: Vec<Range<usize>>,
    /// Elements with a machine-readable date, in document order.
    pub marks: Vec<Mark>,
    /// Where the headline's text is, when the headline is inside the region.
    pub headline: Option<Range<usize>>,
    /// Where the main element's text starts, when it is inside the region.
    pub main_start: Option<usize>,
    /// The text of side columns (`<aside>`, sidebars), laid out only by the
    /// page-wide search: their labels may describe the page ("Mise en
    /// ligne: 23 mai 2019" in a podcast's sidebar), their bare dates are
    /// other items'.
    pub side: Vec<Range<usize>>,
}

/// An element with a machine-readable date (`<time datetime>`, an
/// `itemprop="datePublished"` element) and the text it covers.
#[derive(Debug, Clone)]
pub(super) struct Mark {
    pub range: Range<usize>,
    pub date: PageDate,
    /// The UTC offset the value was written with, if any.
    pub offset: Option<Offset>,
    /// The day the element's visible text states, if it states one.
    pub text_day: Option<civil::Date>,
    /// What the element's own class or itemprop says it is, if anything.
    pub hint: Option<Kind>,
    /// What to report as the detail: "datetime" or the itemprop name.
    pub detail: &'static str,
}

/// How a flow is laid out.
pub(super) struct Layout<'p> {
    /// Never skipped as furniture, whatever their class says: the
    /// ancestors of the headline and of the main element.
    pub protected: &'p FastSet<NodeKey>,
    /// Small boxes right next to the headline: they and their content are
    /// skipped only as furniture with foreign dates (comments, site
    /// footers; see [`Layout::lenient`]), not for being an `<aside>`.
    pub boxes: &'p FastSet<NodeKey>,
    pub headline: Option<NodeKey>,
    /// The caller's main element, whose start anchors a search without a
    /// headline.
    pub main: Option<NodeKey>,
    /// The page-wide search when the article region had no published
    /// date: only furniture whose dates are never the article's
    /// (comments, calendars, lists of other news, navigation) is skipped,
    /// and elements whose class names a date (`entry-date`, `news-time`,
    /// `itemPostDate`) are read as dated boxes.
    pub lenient: bool,
}

impl Flow {
    /// Lays out the text of `root`, skipping furniture (see [`Layout`]).
    /// Iterative, so deep trees cannot overflow the stack.
    pub fn build(root: ElementRef<'_>, layout: &Layout<'_>) -> Flow {
        let mut builder = Builder {
            lenient: layout.lenient,
            ..Builder::default()
        };
        let (protected, boxes, headline) = (layout.protected, layout.boxes, layout.headline);
        let root = *root;
        let mut node = root;
        loop {
            if layout
                .main
                .is_some_and(|main| main == node_key(node.value()))
            {
                builder.main_start.get_or_insert(builder.text.len());
            }
            let descend = builder.open(node.value(), protected, boxes, headline);
            if let Some(child) = node.first_child().filter(|_| descend) {
                node = child;
                continue;
            }
            loop {
                builder.close(node.value(), boxes, headline);
                if node == root {
                    return builder.finish();
                }
                if let Some(sibling) = node.next_sibling() {
                    node = sibling;
                    break;
                }
                match node.parent() {
                    Some(parent) => node = parent,
                    None => return builder.finish(),
                }
            }
        }
    }

    /// The index of the line that contains byte `offset`.
    pub fn line_of(&self, offset: usize) -> Option<usize> {
        let index = self.lines.partition_point(|line| line.end < offset);
        (index < self.lines.len() && self.lines[index].start <= offset).then_some(index)
    }

    pub fn line_text(&self, index: usize) -> &str {
        &self.text[self.lines[index].clone()]
    }
}

#[derive(Default)]
struct Builder<'a> {
    /// See [`Layout::lenient`].
    lenient: bool,
    /// How many boxes beside the headline are open (see [`Layout::boxes`]).
    box_depth: usize,
    /// The outermost open side column and where its text starts.
    side_open: Option<(NodeKey, usize)>,
    /// The open `<article>`/main elements (see [`holds_page_footer`]).
    footer_holders: Vec<NodeKey>,
    /// Per class or id value: whether it names a side column, the content,
    /// a date box.
    words: FastMap<&'a str, ClassWords>,
    side: Vec<Range<usize>>,
    /// [`names_furniture`] per class or id value and article context.
    furniture: FastMap<(&'a str, bool, Strictness), bool>,
    text: String,
    pending_space: bool,
    /// Set while closing a skipped element, whose subtree was not entered.
    skipped: Option<NodeKey>,
    article_depth: usize,
    open_marks: Vec<(NodeKey, usize, MachineDate)>,
    marks: Vec<Mark>,
    headline_start: Option<usize>,
    headline: Option<Range<usize>>,
    main_start: Option<usize>,
}

/// A node's identity within one parsed document: its address in the tree,
/// which does not move while the document is borrowed. (scraper does not
/// re-export `ego_tree::NodeId`, and this crate does not depend on ego_tree.)
pub(super) type NodeKey = usize;

pub(super) fn node_key(node: &Node) -> NodeKey {
    node as *const Node as usize
}

pub(super) fn element_key(element: ElementRef<'_>) -> NodeKey {
    node_key((*element).value())
}

impl<'a> Builder<'a> {
    /// Handles an element's start or a text node; returns whether to enter
    /// the node's children.
    fn open(
        &mut self,
        node: &'a Node,
        protected: &FastSet<NodeKey>,
        boxes: &FastSet<NodeKey>,
        headline: Option<NodeKey>,
    ) -> bool {
        match node {
            Node::Text(text) => {
                self.push_text(text);
                false
            }
            Node::Element(element) => {
                let key = node_key(node);
                let name = element.name();
                if is_skipped_tag(name) {
                    if starts_line(name) {
                        self.newline();
                    }
                    self.skipped = Some(key);
                    return false;
                }
                let attrs = DateAttrs::of(element);
                let inside_article = self.article_depth > 0;
                let is_box = boxes.contains(&key);
                if is_box {
                    self.box_depth += 1;
                }
                // The column that holds the headline or the main element is
                // the article's, whatever its name (`sidebar_content`).
                let is_protected = protected.contains(&key);
                let side = self.lenient && !is_protected && self.is_side(name, &attrs);
                if !is_protected && !side && self.is_furniture(name, &attrs, inside_article) {
                    if starts_line(name) {
                        self.newline();
                    }
                    if is_box {
                        self.box_depth -= 1;
                    }
                    self.skipped = Some(key);
                    return false;
                }
                if holds_page_footer(name, &attrs) {
                    self.article_depth += 1;
                    self.footer_holders.push(key);
                }
                if starts_line(name) {
                    self.newline();
                }
                if side && self.side_open.is_none() {
                    self.side_open = Some((key, self.text.len()));
                }
                if Some(key) == headline {
                    self.headline_start = Some(self.text.len());
                }
                if let Some(machine) = self.machine_date_of(name, &attrs) {
                    self.open_marks.push((key, self.text.len(), machine));
                }
                true
            }
            // The document and fragment roots: enter; comments, doctypes,
            // processing instructions: nothing visible.
            Node::Document | Node::Fragment => true,
            _ => false,
        }
    }

    fn close(&mut self, node: &Node, boxes: &FastSet<NodeKey>, headline: Option<NodeKey>) {
        let key = node_key(node);
        if self.skipped == Some(key) {
            self.skipped = None;
            return;
        }
        if boxes.contains(&key) {
            self.box_depth = self.box_depth.saturating_sub(1);
        }
        let Node::Element(element) = node else {
            return;
        };
        if self.open_marks.last().is_some_and(|open| open.0 == key) {
            if let Some((_, start, machine)) = self.open_marks.pop() {
                let text = &self.text[start..];
                let text_date = (text.len() <= MAX_MARK_TEXT_BYTES)
                    .then(|| find_date(text, None))
                    .flatten()
                    .map(|found| found.date);
                // A dated box without a machine value is dated by its text.
                if let Some(date) = machine.date.or(text_date) {
                    self.marks.push(Mark {
                        range: start..self.text.len(),
                        date,
                        offset: machine.offset,
                        text_day: text_date.map(|date| date.local_day()),
                        hint: machine.hint,
                        detail: machine.detail,
                    });
                }
            }
        }
        if Some(key) == headline {
            if let Some(start) = self.headline_start.take() {
                self.headline = Some(start..self.text.len());
            }
        }
        let name = element.name();
        if self.footer_holders.last() == Some(&key) {
            self.footer_holders.pop();
            self.article_depth = self.article_depth.saturating_sub(1);
        }
        if starts_line(name) {
            self.newline();
        }
        if let Some((open, start)) = self.side_open {
            if open == key {
                self.side.push(start..self.text.len());
                self.side_open = None;
            }
        }
    }

    /// Whether an element is page furniture whose dates are never the
    /// article's: navigation, sidebars, site headers and footers, comments,
    /// calendars and lists of other news.
    fn is_furniture(&mut self, name: &str, attrs: &DateAttrs<'a>, inside_article: bool) -> bool {
        let in_box = self.box_depth > 0;
        let by_tag = match name {
            "nav" | "dialog" | "menu" => true,
            "aside" => !in_box,
            "footer" => !inside_article,
            "header" => !inside_article && !self.lenient && !in_box,
            _ => false,
        };
        if by_tag {
            return true;
        }
        if in_box && !self.lenient && self.names_sidebar(attrs) {
            return true;
        }
        const FURNITURE_ROLES: &[&str] = &[
            "complementary",
            "navigation",
            "contentinfo",
            "dialog",
            "alertdialog",
            "search",
        ];
        let by_role = attrs.role.is_some_and(|role| {
            let role = role.trim();
            FURNITURE_ROLES
                .iter()
                .any(|known| role.eq_ignore_ascii_case(known))
                || (!inside_article && role.eq_ignore_ascii_case("banner"))
        });
        if by_role {
            return true;
        }
        let mode = match (self.lenient, in_box) {
            (true, _) => Strictness::PageWide,
            (false, true) => Strictness::Box,
            (false, false) => Strictness::Region,
        };
        [attrs.class, attrs.id].into_iter().flatten().any(|value| {
            *self
                .furniture
                .entry((value, inside_article, mode))
                .or_insert_with(|| names_furniture(value, inside_article, mode))
        })
    }

    /// The class-word facts of one class or id value, computed once.
    fn words_of(&mut self, value: &'a str) -> ClassWords {
        *self
            .words
            .entry(value)
            .or_insert_with(|| ClassWords::of(value))
    }

    /// A side column: an `<aside>`, `role="complementary"`, or a class or
    /// id with a sidebar word on an element that does not also name the
    /// content (`class="site-content content-area" id="sidebar"` is a
    /// layout's name for the column with the article).
    fn is_side(&mut self, name: &str, attrs: &DateAttrs<'a>) -> bool {
        name == "aside"
            || attrs
                .role
                .is_some_and(|role| role.trim().eq_ignore_ascii_case("complementary"))
            || self.names_sidebar(attrs)
    }

    fn names_sidebar(&mut self, attrs: &DateAttrs<'a>) -> bool {
        let class = attrs
            .class
            .map(|value| self.words_of(value))
            .unwrap_or_default();
        let id = attrs
            .id
            .map(|value| self.words_of(value))
            .unwrap_or_default();
        (class.sidebar || id.sidebar)
            && ![attrs.class, attrs.id]
                .into_iter()
                .flatten()
                .any(|value| names_content(&lowercase_ascii(value)))
    }

    /// The date an element carries (see [`machine_date_of`]); date boxes
    /// only in the page-wide search.
    fn machine_date_of(&mut self, name: &str, attrs: &DateAttrs<'a>) -> Option<MachineDate> {
        let is_box = self.lenient
            && [attrs.class, attrs.id]
                .into_iter()
                .flatten()
                .any(|value| self.words_of(value).date_box);
        machine_date_of(name, attrs, is_box)
    }

    /// Appends text with runs of whitespace collapsed to one space.
    fn push_text(&mut self, text: &str) {
        if text.len() > LONG_TEXT_NODE {
            self.newline();
            self.text.push('…');
            self.newline();
            return;
        }
        // Words are the runs between whitespace (`char::is_whitespace`),
        // found byte-wise: only a possible lead byte of non-ASCII whitespace
        // is decoded.
        let mut at = 0;
        while at < text.len() {
            let start = at;
            while let Some(len) = whitespace_at(text, at) {
                at += len;
            }
            if at > start {
                self.pending_space = true;
            }
            if at == text.len() {
                return;
            }
            let word_start = at;
            while at < text.len() && whitespace_at(text, at).is_none() {
                at += 1;
            }
            self.push_word(&text[word_start..at]);
        }
    }

    /// Appends one word without its invisible characters (zero-width
    /// space, soft hyphen, BOM), after the pending space.
    fn push_word(&mut self, word: &str) {
        // The invisible characters start with these UTF-8 lead bytes.
        let maybe_invisible = word.bytes().any(|b| matches!(b, 0xC2 | 0xE2 | 0xEF));
        let is_invisible = |c: char| matches!(c, '\u{200b}' | '\u{00ad}' | '\u{feff}');
        if maybe_invisible && word.chars().all(is_invisible) {
            return;
        }
        if self.pending_space && !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push(' ');
        }
        self.pending_space = false;
        if maybe_invisible {
            self.text.extend(word.chars().filter(|&c| !is_invisible(c)));
        } else {
            self.text.push_str(word);
        }
    }

    fn newline(&mut self) {
        self.pending_space = false;
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    fn finish(self) -> Flow {
        let mut lines = Vec::new();
        let mut start = 0;
        for index in memchr::memchr_iter(b'\n', self.text.as_bytes()) {
            if index > start {
                lines.push(start..index);
            }
            start = index + 1;
        }
        if self.text.len() > start {
            lines.push(start..self.text.len());
        }
        Flow {
            text: self.text,
            lines,
            marks: self.marks,
            headline: self.headline,
            main_start: self.main_start,
            side: self.side,
        }
    }
}

/// The length of the whitespace character at byte `at` of `text` (a char
/// boundary or a UTF-8 continuation byte), or `None` when there is none.
/// Non-ASCII whitespace starts with 0xC2, 0xE1, 0xE2 or 0xE3; only those
/// lead bytes are decoded, so stepping one byte at a time through a word
/// is safe.
fn whitespace_at(text: &str, at: usize) -> Option<usize> {
    let b = *text.as_bytes().get(at)?;
    match b {
        b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' => Some(1),
        0xC2 | 0xE1 | 0xE2 | 0xE3 => text[at..]
            .chars()
            .next()
            .filter(|c| c.is_whitespace())
            .map(char::len_utf8),
        _ => None,
    }
}

/// An `<article>` or the main landmark (`<main>`, `role="main"`): a footer
/// or header inside it is the page's own ("Senast uppdaterad: ..." under the
/// text on Episerver and WebSphere pages), not the site's.
fn holds_page_footer(name: &str, attrs: &DateAttrs<'_>) -> bool {
    matches!(name, "article" | "main")
        || attrs
            .role
            .is_some_and(|role| role.trim().eq_ignore_ascii_case("main"))
}

/// A dated element as it opens, before its text is known.
struct MachineDate {
    /// The machine value, when the element has one; else the element is
    /// dated by its text.
    date: Option<PageDate>,
    offset: Option<Offset>,
    hint: Option<Kind>,
    detail: &'static str,
}

/// The date an element carries, with what its class, itemprop or RDFa
/// property says it is: `<time datetime>`, `<abbr title>` (old
/// microformats), `itemprop="datePublished"` or
/// `property="schema:datePublished"` with `content` or `datetime`, or with
/// the date as its text. With `is_box`, also an element whose class or id
/// names a date (`entry-date`, `news-time`, `itemPostDate`), dated by its
/// text.
fn machine_date_of(name: &str, attrs: &DateAttrs<'_>, is_box: bool) -> Option<MachineDate> {
    let named = attrs
        .itemprop
        .and_then(itemprop_kind)
        .or_else(|| attrs.property.and_then(property_kind));
    if !matches!(name, "time" | "abbr") && named.is_none() && !is_box {
        return None;
    }
    let (value, detail) = match (name, named) {
        ("time", _) => (attrs.datetime, "datetime"),
        ("abbr", _) => (attrs.title, "title"),
        (_, Some((_, name))) => (attrs.content.or(attrs.datetime), name),
        _ => (None, "class"),
    };
    let hint = named.map(|(kind, _)| kind).or_else(|| attrs.class_kind());
    let detail = named.map_or(detail, |(_, name)| name);
    match value.map(parse_machine_stated) {
        Some(Some((date, offset))) => Some(MachineDate {
            date: Some(date),
            offset,
            hint,
            detail,
        }),
        // A `<time>` or `<abbr>` whose value is no date says nothing more.
        Some(None) if matches!(name, "time" | "abbr") => None,
        // Without a value, only a named element or a date box is dated by
        // its text.
        None if named.is_none() && !is_box => None,
        _ => Some(MachineDate {
            date: None,
            offset: None,
            hint,
            detail,
        }),
    }
}

/// The attributes a dated element may have, read in one pass (each
/// [`attr`] call scans all of an element's attributes).
#[derive(Default)]
struct DateAttrs<'e> {
    itemprop: Option<&'e str>,
    property: Option<&'e str>,
    datetime: Option<&'e str>,
    title: Option<&'e str>,
    content: Option<&'e str>,
    class: Option<&'e str>,
    id: Option<&'e str>,
    role: Option<&'e str>,
    pubdate: bool,
}

impl<'e> DateAttrs<'e> {
    fn of(element: &'e Element) -> DateAttrs<'e> {
        let mut attrs = DateAttrs::default();
        for (name, value) in element.attrs() {
            match name {
                "itemprop" => attrs.itemprop = Some(value),
                "property" => attrs.property = Some(value),
                "datetime" => attrs.datetime = Some(value),
                "title" => attrs.title = Some(value),
                "content" => attrs.content = Some(value),
                "class" => attrs.class = Some(value),
                "id" => attrs.id = Some(value),
                "role" => attrs.role = Some(value),
                "pubdate" => attrs.pubdate = true,
                _ => {}
            }
        }
        attrs
    }

    /// What the class (or the old `pubdate` attribute) says a dated
    /// element is: WordPress `entry-date published` / `updated`, Limepark
    /// `lp-pubdate`, Municipio `c-signature__published`.
    fn class_kind(&self) -> Option<Kind> {
        if self.pubdate {
            return Some(Kind::Published);
        }
        let class = lowercase_ascii(self.class?);
        const PUBLISHED: &[&str] = &["publish", "pubdate", "entry-date", "created", "post-date"];
        const UPDATED: &[&str] = &["updated", "modified", "changed", "lastmod"];
        if PUBLISHED.iter().any(|word| class.contains(word)) {
            Some(Kind::Published)
        } else if UPDATED.iter().any(|word| class.contains(word)) {
            Some(Kind::Updated)
        } else {
            None
        }
    }
}

/// What the words of one class or id value say.
#[derive(Debug, Clone, Copy, Default)]
struct ClassWords {
    /// A sidebar word: `sidebar`, `sidopanel`.
    sidebar: bool,
    /// A word of an element that shows a date: `entry-date`,
    /// `news-time`, `itemPostDate`, `datum`, `post-meta`, `byline`.
    date_box: bool,
}

impl ClassWords {
    fn of(value: &str) -> ClassWords {
        let value = lowercase_ascii(value);
        ClassWords {
            sidebar: value.contains("sid") && SIDEBAR_WORDS.iter().any(|word| value.contains(word)),
            date_box: DATE_BOX_WORDS.is_match(&value),
        }
    }
}

/// Words of an element that shows a date (see [`ClassWords::date_box`]),
/// as one pattern: a literal alternation is searched in one pass.
static DATE_BOX_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new("date|datum|time|publi|posted|fecha|byline|meta").expect("date box pattern compiles")
});

fn itemprop_kind(itemprop: &str) -> Option<(Kind, &'static str)> {
    itemprop.split_whitespace().find_map(|word| match word {
        "datePublished" => Some((Kind::Published, "datePublished")),
        "dateCreated" => Some((Kind::Published, "dateCreated")),
        "dateModified" => Some((Kind::Updated, "dateModified")),
        _ => None,
    })
}

/// RDFa `property` names of the article's dates (`schema:datePublished`,
/// `dc:date`, `dcterms:modified`), whatever their prefix.
fn property_kind(property: &str) -> Option<(Kind, &'static str)> {
    property.split_whitespace().find_map(|word| {
        let name = word.rsplit(':').next().unwrap_or(word);
        match name {
            "datePublished" | "published_time" | "issued" => {
                Some((Kind::Published, "datePublished"))
            }
            "dateCreated" | "created" | "date" => Some((Kind::Published, "dateCreated")),
            "dateModified" | "modified_time" | "modified" => Some((Kind::Updated, "dateModified")),
            _ => None,
        }
    })
}

/// Furniture words of the page-wide search ([`Layout::lenient`]): what
/// holds dates that are never the article's, wherever it is.
const HARD_FURNITURE_ANYWHERE: &[&str] = &[
    "comment",
    "kommentar",
    "related",
    "relaterad",
    "evenemang",
    "calendar",
    "kalender",
    "breadcrumb",
    "brodsmul",
    "cookie",
    "more-news",
    "latest-news",
    "fler-nyheter",
    "senaste-nyheter",
];
const HARD_FURNITURE_SEGMENT: &[&str] = &["nav", "menu", "meny", "event"];

/// The furniture word lists as four patterns (inside an article, outside
/// one, where footers count too, the page-wide search, and boxes beside
/// the headline, where site footers still count): one automaton
/// pass over a class value instead of a substring search per word and
/// needle.
static FURNITURE: LazyLock<[Regex; 4]> = LazyLock::new(|| {
    let escaped = |words: &[&str]| {
        words
            .iter()
            .map(|w| regex::escape(w))
            .collect::<Vec<_>>()
            .join("|")
    };
    let inside = format!(
        r"{}|(?:^|[\s_-])(?:{})|(?:^|\s)(?:{})",
        escaped(FURNITURE_ANYWHERE),
        escaped(FURNITURE_SEGMENT),
        escaped(FURNITURE_PREFIX)
    );
    let outside = format!("{inside}|{}", escaped(FOOTER_WORDS));
    let lenient = format!(
        r"{}|(?:^|[\s_-])(?:{})(?:$|[\s_-])",
        escaped(HARD_FURNITURE_ANYWHERE),
        escaped(HARD_FURNITURE_SEGMENT),
    );
    let in_box = format!("{lenient}|{}", escaped(FOOTER_WORDS));
    [inside, outside, lenient, in_box]
        .map(|pattern| Regex::new(&pattern).expect("furniture pattern compiles"))
});

/// Whether a class or id value names furniture (see the word lists): a
/// word holds an "anywhere" word, starts with a prefix word, or has a
/// segment word at its start or after `-`/`_`.
fn names_furniture(value: &str, inside_article: bool, mode: Strictness) -> bool {
    let value = lowercase_ascii(value);
    let pattern = match (mode, inside_article) {
        (Strictness::PageWide, _) | (Strictness::Box, true) => 2,
        (Strictness::Box, false) => 3,
        (Strictness::Region, true) => 0,
        (Strictness::Region, false) => 1,
    };
    FURNITURE[pattern].is_match(&value)
}

const SIDEBAR_WORDS: &[&str] = &["sidebar", "sidopanel", "sidokolumn"];

/// Whether a class or id value names the page's content (a token with a
/// content word and no sidebar word: `site-content`, not `main-sidebar`).
fn names_content(value: &str) -> bool {
    const CONTENT_WORDS: &[&str] = &["content", "main", "article", "entry", "post"];
    value.split_whitespace().any(|token| {
        CONTENT_WORDS.iter().any(|word| token.contains(word))
            && !SIDEBAR_WORDS.iter().any(|word| token.contains(word))
    })
}

/// Which furniture a layout skips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Strictness {
    /// The article region: all furniture.
    Region,
    /// A box beside the headline: furniture with foreign dates, and
    /// footers outside an article.
    Box,
    /// The page-wide search: furniture with foreign dates.
    PageWide,
}

/// Lowercases ASCII letters, borrowing when there is nothing to change
/// (class names are nearly always lowercase already).
fn lowercase_ascii(word: &str) -> Cow<'_, str> {
    if word.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(word.to_ascii_lowercase())
    } else {
        Cow::Borrowed(word)
    }
}

#[cfg(test)]
mod tests {
    use super::{names_content, names_furniture, Strictness};

    #[track_caller]
    fn check(value: &str, inside_article: bool, expected: bool) {
        assert_eq!(
            names_furniture(value, inside_article, Strictness::Region),
            expected,
            "{value:?} inside article: {inside_article}"
        );
    }

    #[test]
    fn furniture_words_anywhere_at_segments_or_prefixes() {
        check("layout-sidebar-second", false, true);
        check("comments-area", true, true);
        check("sv-archive-portlet", true, true);
        check("Sidebar", true, true);
        check("event-list__item", true, true);
        check("sol-article-aside", true, true);
        check("site-nav", true, true);
        check("widget widget_text", true, true);
        check("main-content", true, false);
        check("prevent", true, false);
        check("canvas", true, false);
        check("elementor-widget-text-editor", true, false);
        check("sv-text-portlet", true, false);
    }

    #[test]
    fn the_page_wide_search_skips_only_furniture_with_foreign_dates() {
        for (value, expected) in [
            ("comments-area", true),
            ("site-nav", true),
            ("event-list__item", true),
            ("sidebar", false),
            ("widget Blog", false),
            ("news-list-date", false),
            ("social-share", false),
            ("navbar", false),
            ("post-footer-line", false),
            ("footer", false),
        ] {
            assert_eq!(
                names_furniture(value, false, Strictness::PageWide),
                expected,
                "{value}"
            );
        }
    }

    #[test]
    fn side_columns_and_the_content_column() {
        assert!(names_content("site-content content-area"));
        assert!(!names_content("main-sidebar widget-area"));
        assert!(names_furniture("sidebar", false, Strictness::Region));
    }

    #[test]
    fn boxes_beside_the_headline_skip_site_footers() {
        assert!(names_furniture("site-footer", false, Strictness::Box));
        assert!(!names_furniture("article__footer", true, Strictness::Box));
        assert!(names_furniture("comments", true, Strictness::Box));
        assert!(!names_furniture("c-meta aside", true, Strictness::Box));
        assert!(!names_furniture("share-date", true, Strictness::Box));
    }

    #[test]
    fn footers_are_furniture_only_outside_an_article() {
        check("entry-footer", true, false);
        check("entry-footer", false, true);
        check("sidfot", false, true);
    }
}
