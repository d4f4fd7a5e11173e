//! Sanitising and plain-text rendering shared by the extractors.
//!
//! Both article bodies and feed content go through the same two steps:
//! [`render_blocks`] turns a subtree into a list of paragraphs ([`Block`]s),
//! each with its plain text and its minimal HTML, and the caller may drop
//! blocks; then [`blocks_text`] and [`blocks_html`] produce the two forms.
//! Dropping whole blocks keeps the text and the HTML in step: what is missing
//! from one is missing from the other.
//!
//! # Why the HTML is safe without a sanitiser pass
//! The renderer writes HTML itself, from the parsed tree, with a fixed
//! allowlist: block tags p, h2-h6, ul/ol/li, blockquote (from
//! [`blocks_html`]); inline a, img, br, strong, b, em, i, sub, sup, code;
//! attributes `href` (+ `rel="noopener noreferrer"`), `src` and `alt` only;
//! every text and attribute value escaped; URLs resolved to absolute ones
//! with an allowed scheme ([`absolute_url`]). Nothing else from the page is
//! copied, so scripts, event handlers, styles and `javascript:` URLs cannot
//! get through. This replaced a second parse by ammonia (15 % of the
//! extraction time); the tests check that ammonia with the old policy leaves
//! every rendered body unchanged.

use scraper::{Html, Node};
use url::Url;

use super::dom::{
    heading_level, is_block_tag, is_control_tag, is_hidden_element, is_invisible_tag,
    is_small_form, Dom,
};
use super::guard::bounded_nesting;

/// A cleaned HTML fragment: sanitised HTML with absolute URLs, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub html: String,
    /// Plain text, paragraphs separated by a blank line.
    pub text: String,
}

/// Sanitises an HTML fragment (e.g. feed content) and renders it as plain text.
pub fn clean_fragment(html: &str, base: &Url) -> Cleaned {
    let doc = Html::parse_fragment(&bounded_nesting(html));
    let dom = Dom::new(&doc);
    let blocks = render_blocks(&dom, 0, base, &mut |_| false);
    Cleaned {
        html: blocks_html(&blocks),
        text: blocks_text(&blocks),
    }
}

/// What a paragraph is, for the HTML form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    Heading(u8),
    ListItem { ordered: bool },
    Quote,
}

/// One paragraph of rendered content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// Plain text: whitespace collapsed, a `<br>` is "\n", trimmed.
    pub text: String,
    /// Inline HTML of the paragraph (not yet sanitised), absolute URLs.
    pub html: String,
    /// Pre-order index of the element that opened the block: always a node
    /// of the rendered subtree, never `NONE`.
    pub origin: u32,
}

/// Renders the subtree at `root` as paragraphs. `skip(index)` is asked for
/// every element; a `true` drops the element and everything in it.
///
/// Paragraph rules: block-level elements (p, div, li, headings, cells ...)
/// start and end paragraphs; one `<br>` is a line break; two or more in a row
/// end the paragraph (old table layouts have no `<p>`); whitespace runs are one
/// space.
pub fn render_blocks(
    dom: &Dom<'_>,
    root: u32,
    base: &Url,
    skip: &mut dyn FnMut(u32) -> bool,
) -> Vec<Block> {
    let mut renderer = Renderer::new(base);
    if dom.is_empty() {
        return renderer.blocks;
    }
    let root_end = dom.nodes[root as usize].end;
    // Open elements: (index, end) so that an element is closed once the walk
    // passes its subtree.
    let mut open: Vec<(u32, u32)> = Vec::new();
    let mut at = root;
    while at <= root_end {
        while let Some(&(index, end)) = open.last() {
            if end >= at {
                break;
            }
            renderer.leave(dom, index);
            open.pop();
        }
        let node = &dom.nodes[at as usize];
        match node.node {
            Node::Text(text) => renderer.text(text),
            Node::Element(_) => {
                let tag = node.tag;
                let hidden = is_invisible_tag(tag)
                    || is_control_tag(tag)
                    || is_small_form(dom, at)
                    || node.element.is_some_and(|e| is_hidden_element(e.value()));
                if at != root && (hidden || skip(at)) {
                    at = node.end + 1;
                    continue;
                }
                renderer.enter(dom, at);
                open.push((at, node.end));
            }
            _ => {}
        }
        at += 1;
    }
    while let Some((index, _)) = open.pop() {
        renderer.leave(dom, index);
    }
    // Text left over sits in an inline root (a `<span>` chosen as the
    // body), which no block element closed: its origin is the root.
    renderer.flush(root);
    renderer.blocks
}

/// The plain text of blocks: paragraphs separated by one blank line.
pub fn blocks_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks.iter().filter(|b| !b.text.is_empty()) {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&block.text);
    }
    out
}

/// The HTML of blocks (unsanitised): `<p>`, `<h2>`..`<h6>`, list items grouped
/// in `<ul>`/`<ol>`, `<blockquote>`.
pub fn blocks_html(blocks: &[Block]) -> String {
    let mut out = String::new();
    let mut open_list: Option<bool> = None;
    for block in blocks {
        let ordered = match block.kind {
            BlockKind::ListItem { ordered } => Some(ordered),
            _ => None,
        };
        if open_list.is_some() && open_list != ordered {
            out.push_str(if open_list == Some(true) {
                "</ol>"
            } else {
                "</ul>"
            });
            open_list = None;
        }
        if let Some(ordered) = ordered {
            if open_list.is_none() {
                out.push_str(if ordered { "<ol>" } else { "<ul>" });
                open_list = Some(ordered);
            }
        }
        let (open, close) = match block.kind {
            BlockKind::Paragraph => ("<p>".to_string(), "</p>".to_string()),
            // The headline is dropped from the body, so h1 in the text is a
            // section heading at most.
            BlockKind::Heading(level) => {
                let level = level.clamp(2, 6);
                (format!("<h{level}>"), format!("</h{level}>"))
            }
            BlockKind::ListItem { .. } => ("<li>".to_string(), "</li>".to_string()),
            BlockKind::Quote => (
                "<blockquote><p>".to_string(),
                "</p></blockquote>".to_string(),
            ),
        };
        out.push_str(&open);
        out.push_str(&block.html);
        out.push_str(&close);
        out.push('\n');
    }
    if let Some(ordered) = open_list {
        out.push_str(if ordered { "</ol>" } else { "</ul>" });
    }
    out
}

/// URL schemes a link may use; anything else (`javascript:`, `vbscript:`,
/// `data:`, `file:`) is dropped with its link. A subset of ammonia's default
/// allowlist, so ammonia leaves our output unchanged (see the tests).
const LINK_SCHEMES: &[&str] = &["http", "https", "mailto", "tel", "ftp", "ftps", "sms"];

/// URL schemes an image may load from.
const IMAGE_SCHEMES: &[&str] = &["http", "https"];

/// Resolves a link or image URL against the page; `None` for scripts and
/// unparseable values and addresses longer than
/// [`MAX_LINK_LEN`](crate::canonical::MAX_LINK_LEN).
pub fn absolute_url(base: &Url, raw: &str) -> Option<Url> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > crate::canonical::MAX_LINK_LEN {
        return None;
    }
    base.join(raw)
        .ok()
        .filter(|url| LINK_SCHEMES.contains(&url.scheme()))
}

/// An image URL: absolute and loaded over HTTP(S) only.
fn absolute_image_url(base: &Url, raw: &str) -> Option<Url> {
    absolute_url(base, raw).filter(|url| IMAGE_SCHEMES.contains(&url.scheme()))
}

struct Renderer<'u> {
    base: &'u Url,
    blocks: Vec<Block>,
    text: String,
    html: String,
    pending_space: bool,
    /// `<br>`s in a row (whitespace between them does not count).
    breaks: u32,
    /// Whether the current paragraph holds an image.
    media: bool,
    /// The innermost block context: kind and opening element.
    context: Vec<(BlockKind, u32)>,
    /// Whether each open list is ordered.
    lists: Vec<bool>,
    /// Open inline tags written to `html`, with the element that opened them.
    inline: Vec<(u32, &'static str)>,
}

impl<'u> Renderer<'u> {
    fn new(base: &'u Url) -> Renderer<'u> {
        Renderer {
            base,
            blocks: Vec::new(),
            text: String::new(),
            html: String::new(),
            pending_space: false,
            breaks: 0,
            media: false,
            context: Vec::new(),
            lists: Vec::new(),
            inline: Vec::new(),
        }
    }

    /// Appends a text node word by word: whitespace runs become one
    /// pending space.
    fn text(&mut self, text: &str) {
        let mut rest = text;
        loop {
            let trimmed = rest.trim_start();
            if trimmed.len() != rest.len() && !self.text.is_empty() && !self.text.ends_with('\n') {
                self.pending_space = true;
            }
            if trimmed.is_empty() {
                return;
            }
            let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
            let word = &trimmed[..end];
            self.space();
            self.breaks = 0;
            self.text.push_str(word);
            if word.bytes().any(|b| matches!(b, b'&' | b'<' | b'>')) {
                word.chars().for_each(|c| push_escaped(&mut self.html, c));
            } else {
                self.html.push_str(word);
            }
            rest = &trimmed[end..];
        }
    }

    fn space(&mut self) {
        if self.pending_space {
            self.text.push(' ');
            self.html.push(' ');
            self.pending_space = false;
        }
    }

    fn enter(&mut self, dom: &Dom<'_>, index: u32) {
        let tag = dom.tag(index);
        if is_block_tag(tag) {
            self.flush(index);
            match tag {
                "ul" => self.lists.push(false),
                "ol" => self.lists.push(true),
                _ => {}
            }
            let kind = if let Some(level) = heading_level(tag) {
                Some(BlockKind::Heading(level))
            } else {
                match tag {
                    "li" => Some(BlockKind::ListItem {
                        ordered: self.lists.last().copied().unwrap_or(false),
                    }),
                    "blockquote" => Some(BlockKind::Quote),
                    "p" | "td" | "th" | "dd" | "dt" | "div" | "section" | "article" => {
                        Some(BlockKind::Paragraph)
                    }
                    _ => None,
                }
            };
            // Inside a list item or quote, a nested div or p stays that kind.
            let inherited = matches!(
                self.context.last(),
                Some((BlockKind::ListItem { .. } | BlockKind::Quote, _))
            ) && kind == Some(BlockKind::Paragraph);
            if let Some(kind) = kind {
                if !inherited {
                    self.context.push((kind, index));
                }
            }
            return;
        }
        match tag {
            "br" => self.line_break(index),
            "img" => self.image(dom, index),
            "a" => {
                let href = dom
                    .attr(index, "href")
                    .and_then(|h| absolute_url(self.base, h));
                if let Some(href) = href {
                    self.space();
                    self.html.push_str("<a href=\"");
                    push_attr_escaped(&mut self.html, href.as_str());
                    self.html.push_str("\" rel=\"noopener noreferrer\">");
                    self.inline.push((index, "a"));
                }
            }
            "strong" | "b" | "em" | "i" | "sub" | "sup" | "code" => {
                let name: &'static str = match tag {
                    "strong" => "strong",
                    "b" => "b",
                    "em" => "em",
                    "i" => "i",
                    "sub" => "sub",
                    "sup" => "sup",
                    _ => "code",
                };
                self.space();
                self.html.push('<');
                self.html.push_str(name);
                self.html.push('>');
                self.inline.push((index, name));
            }
            _ => {}
        }
    }

    fn leave(&mut self, dom: &Dom<'_>, index: u32) {
        let tag = dom.tag(index);
        if is_block_tag(tag) {
            self.flush(index);
            if matches!(self.context.last(), Some(&(_, opener)) if opener == index) {
                self.context.pop();
            }
            if matches!(tag, "ul" | "ol") {
                self.lists.pop();
            }
            return;
        }
        if let Some(&(opener, name)) = self.inline.last() {
            if opener == index {
                self.inline.pop();
                self.html.push_str("</");
                self.html.push_str(name);
                self.html.push('>');
            }
        }
    }

    fn line_break(&mut self, index: u32) {
        if self.text.is_empty() {
            return;
        }
        self.breaks += 1;
        self.pending_space = false;
        if self.breaks == 1 {
            self.text.push('\n');
            self.html.push_str("<br>");
        } else if self.breaks == 2 {
            // `<br><br>`: the paragraph ends here.
            self.flush(index);
        }
    }

    fn image(&mut self, dom: &Dom<'_>, index: u32) {
        if is_tracking_pixel(|name| dom.attr(index, name)) {
            return;
        }
        let Some(src) = dom
            .attr(index, "src")
            .and_then(|s| absolute_image_url(self.base, s))
        else {
            return;
        };
        self.html.push_str("<img src=\"");
        push_attr_escaped(&mut self.html, src.as_str());
        self.html.push_str("\" alt=\"");
        push_attr_escaped(&mut self.html, dom.attr(index, "alt").unwrap_or(""));
        self.html.push_str("\">");
        self.media = true;
    }

    /// Ends the current paragraph; `origin` is the element whose start or
    /// end caused it (used when the paragraph has no block context).
    fn flush(&mut self, origin: u32) {
        // Close inline tags that are still open in the HTML; they reopen in
        // no later paragraph (the sanitiser balances what is left).
        for &(_, name) in self.inline.iter().rev() {
            self.html.push_str("</");
            self.html.push_str(name);
            self.html.push('>');
        }
        self.inline.clear();
        let text = tidy_lines(&self.text);
        let html = trim_breaks(&self.html);
        if !text.is_empty() || self.media {
            let (kind, opener) = self
                .context
                .last()
                .copied()
                .unwrap_or((BlockKind::Paragraph, origin));
            self.blocks.push(Block {
                kind,
                text,
                html,
                origin: opener,
            });
        }
        self.text.clear();
        self.html.clear();
        self.pending_space = false;
        self.breaks = 0;
        self.media = false;
    }
}

/// Whether an image is a tracking pixel or a spacer: 1 or 0 pixels wide or
/// high by its `width`/`height` attributes or inline style.
fn is_tracking_pixel<'a>(attr: impl Fn(&str) -> Option<&'a str>) -> bool {
    let tiny = |value: &str| {
        let number = value.trim().trim_end_matches("px").trim_end();
        number.parse::<f32>().is_ok_and(|pixels| pixels <= 1.0)
    };
    if attr("width").is_some_and(tiny) || attr("height").is_some_and(tiny) {
        return true;
    }
    attr("style").is_some_and(|style| {
        style_declarations(style).any(|(property, value)| {
            matches!(
                property.as_str(),
                "width" | "height" | "max-width" | "max-height"
            ) && tiny(&value)
        })
    })
}

/// The `property: value` pairs of an inline style, lowercased, whitespace
/// and `!important` removed.
fn style_declarations(style: &str) -> impl Iterator<Item = (String, String)> + '_ {
    style.split(';').filter_map(|declaration| {
        let (property, value) = declaration.split_once(':')?;
        let value = value.trim().to_ascii_lowercase();
        let value = value.trim_end_matches("!important").trim_end().to_string();
        Some((property.trim().to_ascii_lowercase(), value))
    })
}

/// Trims every line and drops empty ones.
fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

fn trim_breaks(html: &str) -> String {
    let mut s = html.trim();
    loop {
        let before = s.len();
        s = s.trim_start_matches("<br>").trim_end_matches("<br>").trim();
        if s.len() == before {
            break;
        }
    }
    s.to_string()
}

/// Escapes one character of text the way html5ever serialises it.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '\u{a0}' => out.push_str("&nbsp;"),
        _ => out.push(c),
    }
}

/// Escapes a double-quoted attribute value the way html5ever serialises it.
fn push_attr_escaped(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            _ => out.push(c),
        }
    }
}

/// The sanitising policy the renderer's output must already satisfy: the
/// old ammonia pass. A test oracle only (see the module doc).
#[cfg(test)]
pub(crate) fn assert_sanitized(html: &str) {
    use std::collections::{HashMap, HashSet};
    let tags: HashSet<&str> = [
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "strong",
        "em",
        "b",
        "i",
        "a",
        "img",
        "sub",
        "sup",
        "code",
    ]
    .into_iter()
    .collect();
    let mut tag_attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    tag_attributes.insert("a", ["href"].into_iter().collect());
    tag_attributes.insert("img", ["src", "alt"].into_iter().collect());
    let mut builder = ammonia::Builder::default();
    builder
        .tags(tags)
        .tag_attributes(tag_attributes)
        .generic_attributes(HashSet::new())
        .url_relative(ammonia::UrlRelative::Deny)
        .url_schemes(LINK_SCHEMES.iter().copied().collect())
        .strip_comments(true);
    assert_eq!(
        builder.clean(html).to_string(),
        html,
        "ammonia would change this"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://www.example.se/nyheter/a.html").unwrap()
    }

    fn check_text(html: &str, expected: &str) {
        let cleaned = clean_fragment(html, &base());
        assert_eq!(cleaned.text, expected, "html: {}", cleaned.html);
    }

    fn check_html(html: &str, expected: &str) {
        let cleaned = clean_fragment(html, &base());
        assert_sanitized(&cleaned.html);
        assert_eq!(cleaned.html.trim(), expected);
    }

    /// Found by the fuzz bench: text after the last block of an inline
    /// root (a `<span>` chosen as the article's body) had no origin, and
    /// the article's tail trimming indexed its facts with it.
    #[test]
    fn every_block_comes_from_the_rendered_subtree() {
        let doc = Html::parse_document(
            "<body><span><p>Första stycket.</p>Sista raden <b>fet</b></span></body>",
        );
        let dom = Dom::new(&doc);
        let span = (0..dom.len() as u32)
            .find(|&i| dom.tag(i) == "span")
            .unwrap();
        let blocks = render_blocks(&dom, span, &base(), &mut |_| false);
        let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, ["Första stycket.", "Sista raden fet"]);
        assert_eq!(blocks[1].origin, span);

        let paragraph = "<p>Kommunen bygger en ny skola i Norrby som ska stå klar till hösten nästa år, berättar rektorn för tidningen. Det blir plats för fyrahundra elever och en idrottshall.</p>";
        let page = format!(
            "<html><head><title>Ny skola i Norrby</title></head><body><span><h1>Ny skola i Norrby</h1>{}<p><a href='/a'>Tillbaka</a></p>Kort rad</span></body></html>",
            paragraph.repeat(4)
        );
        let now = "2024-06-01T12:00:00Z".parse().unwrap();
        let article = crate::extract::article::extract_article(&page, &base(), now).unwrap();
        assert!(
            article.body_text.contains("fyrahundra elever"),
            "{article:?}"
        );
    }

    #[test]
    fn paragraphs_are_separated_by_one_blank_line() {
        check_text("<p>Ett  \n två</p><p>Tre</p>", "Ett två\n\nTre");
        check_text("<div><p>A</p>\n\n<div><p>B</p></div></div>", "A\n\nB");
    }

    #[test]
    fn single_br_is_a_line_break_double_br_a_paragraph() {
        check_text("<p>Rad ett<br>rad två</p>", "Rad ett\nrad två");
        check_text("<p>Ett<br><br>Två<br> <br><br>Tre</p>", "Ett\n\nTvå\n\nTre");
        check_text("<td>Ett<br>\n<br>Två</td>", "Ett\n\nTvå");
        check_text("<p><br>Ett<br></p>", "Ett");
    }

    #[test]
    fn list_items_and_headings_are_paragraphs() {
        check_text(
            "<h2>Rubrik</h2><ul><li>Ett</li><li><p>Två</p></li></ul>",
            "Rubrik\n\nEtt\n\nTvå",
        );
    }

    #[test]
    fn inline_elements_do_not_split() {
        check_text(
            "<p><strong>Namn:</strong> Mikael <a href='/x'>länk</a>.</p>",
            "Namn: Mikael länk.",
        );
        check_text("<p><span>Glued</span><span>Text</span></p>", "GluedText");
    }

    #[test]
    fn bare_text_between_blocks_is_a_paragraph() {
        check_text(
            "<div>Före<table><tr><td>Cell</td></tr></table>Efter</div>",
            "Före\n\nCell\n\nEfter",
        );
    }

    #[test]
    fn scripts_and_controls_are_dropped() {
        check_text(
            "<p>A<script>x()</script></p><form><p>Skicka</p></form><style>p{}</style><button>Ok</button>",
            "A",
        );
        // A form around the whole page (ASP.NET) is layout.
        check_text(
            "<form id='aspnetForm'><input type='hidden'><p>Företagen i kommunen anställde fler i år än någonsin förut, visar den nya rapporten som kom i går. Det gäller både handel och tillverkning i hela regionen, och fler nya företag startade.</p><p>Näringslivschefen räknar med att trenden håller i sig under nästa år, när den nya industrizonen vid hamnen står klar för de första etableringarna.</p></form>",
            "Företagen i kommunen anställde fler i år än någonsin förut, visar den nya rapporten som kom i går. Det gäller både handel och tillverkning i hela regionen, och fler nya företag startade.\n\nNäringslivschefen räknar med att trenden håller i sig under nästa år, när den nya industrizonen vid hamnen står klar för de första etableringarna.",
        );
    }

    #[test]
    fn html_is_sanitised_with_absolute_urls() {
        check_html(
            "<p class='x' style='color:red'>Se <a href='../om.html' onclick='x()'>här</a></p>",
            "<p>Se <a href=\"https://www.example.se/om.html\" rel=\"noopener noreferrer\">här</a></p>",
        );
        check_html(
            "<p><img src='/bild.jpg' alt='Bild' width='3'></p>",
            "<p><img src=\"https://www.example.se/bild.jpg\" alt=\"Bild\"></p>",
        );
        check_html("<p><a href='javascript:evil()'>x</a></p>", "<p>x</p>");
        check_html("<p><a href=' JavaScript:evil()'>x</a></p>", "<p>x</p>");
        check_html("<p><a href='vbscript:evil()'>x</a></p>", "<p>x</p>");
        check_html(
            "<p><img src='data:image/png;base64,AAAA' alt='x'>Text</p>",
            "<p>Text</p>",
        );
        check_html(
            "<p><a href='mailto:a@b.se'>Mejla</a></p>",
            "<p><a href=\"mailto:a@b.se\" rel=\"noopener noreferrer\">Mejla</a></p>",
        );
        check_html(
            "<ol><li>Ett</li></ol><h1>R</h1><blockquote>Citat</blockquote>",
            "<ol><li>Ett</li>\n</ol><h2>R</h2>\n<blockquote><p>Citat</p></blockquote>",
        );
    }

    #[test]
    fn tracking_pixels_and_hidden_images_are_dropped() {
        let pixels = [
            r#"<img src="/t.gif" width="1" height="1">"#,
            r#"<img src="/t.gif" width="0" height="0" alt="">"#,
            r#"<img src="/t.gif" height="1px">"#,
            r#"<img src="/t.gif" style="width:1px;height:1px">"#,
            r#"<img src="/t.gif" style="max-height: 0 !important">"#,
            r#"<img src="https://www.facebook.com/tr?id=1" height="1" width="1" style="display:none">"#,
            r#"<img src="/t.gif" style="DISPLAY : None">"#,
            r#"<img src="/t.gif" style="visibility:hidden">"#,
            r#"<img src="/t.gif" hidden>"#,
            r#"<span style="display:none"><span><img src="/t.gif"></span></span>"#,
            r#"<div hidden><img src="/t.gif"></div>"#,
            r#"<noscript><img src="/t.gif"></noscript>"#,
        ];
        for pixel in pixels {
            check_html(&format!("<p>Text{pixel}</p>"), "<p>Text</p>");
        }
        // Real images stay, also after a hidden element has closed.
        check_html(
            r#"<p>A<span hidden><img src="/t.gif"></span><img src="/b.jpg" width="300" style="height:auto"></p>"#,
            "<p>A<img src=\"https://www.example.se/b.jpg\" alt=\"\"></p>",
        );
    }

    #[test]
    fn addresses_longer_than_the_limit_are_dropped() {
        let long = format!("/{}", "x".repeat(crate::canonical::MAX_LINK_LEN));
        check_html(
            &format!(r#"<p><a href="{long}">Text</a><img src="{long}"></p>"#),
            "<p>Text</p>",
        );
    }

    #[test]
    fn protocol_relative_urls_take_the_pages_scheme() {
        let http = Url::parse("http://www.example.se/a/b.html").unwrap();
        let cleaned = clean_fragment(
            r#"<p><a href="//x.se/s">s</a><img src="//cdn.x.se/i.jpg"></p>"#,
            &http,
        );
        assert_eq!(
            cleaned.html.trim(),
            r#"<p><a href="http://x.se/s" rel="noopener noreferrer">s</a><img src="http://cdn.x.se/i.jpg" alt=""></p>"#
        );
        let https = Url::parse("https://www.example.se/").unwrap();
        let cleaned = clean_fragment(r#"<p><img src="//cdn.x.se/i.jpg"></p>"#, &https);
        assert_eq!(
            cleaned.html.trim(),
            r#"<p><img src="https://cdn.x.se/i.jpg" alt=""></p>"#
        );
    }

    #[test]
    fn hostile_markup_yields_only_allowlisted_html() {
        let hostile = r#"<div onclick="x()"><p style="x">A <b onmouseover="y()">fet</b>
            <script>alert(1)</script><iframe src="https://evil"></iframe>
            <a href="https://ok.se/?a=1&b=&quot;2" title="t" onclick="z()">länk</a>
            <img src="/b.png" alt='"><script>alert(2)</script>' onerror="w()">
            <svg><a xlink:href="javascript:alert(3)">svg</a></svg>
            <em><strong>nästlad</em> fel</strong></p>
            <table><tr><td>Cell &lt;script&gt;</td></tr></table>
            <!-- kommentar --><style>p{}</style><p>&nbsp;Slut &amp; klart</p></div>"#;
        let cleaned = clean_fragment(hostile, &base());
        assert_sanitized(&cleaned.html);
        for banned in [
            "script>",
            "onclick",
            "onerror",
            "style",
            "iframe",
            "javascript",
            "svg",
        ] {
            assert!(
                !cleaned.html.contains(banned),
                "{banned} in {}",
                cleaned.html
            );
        }
        assert!(cleaned.html.contains("&lt;script&gt;"));
    }

    #[test]
    fn entities_and_plain_text() {
        check_text("Bara text &amp; mer", "Bara text & mer");
        check_html("a &lt;b&gt;", "<p>a &lt;b&gt;</p>");
        check_text("", "");
    }
}
