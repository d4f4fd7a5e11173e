//! A cheap pass over the HTML before it is parsed, so hostile or broken pages
//! cannot make the parser hang.
//!
//! Why: html5ever checks element scopes by walking its stack of open
//! elements, so a page nested N levels deep costs O(N²): 100 000 nested
//! `<div>`s took 14 s to parse. Real pages nest a few dozen levels. Pages
//! deeper than [`MAX_DEPTH`] are flattened in the middle (see
//! [`bounded_nesting`]): the outer layout and the structure around the
//! deepest text stay, the tags in between go, all text is kept. The scan
//! looks at tag names only (memchr for `<`), and copies nothing for a
//! normal page.

use std::borrow::Cow;

/// Deepest element nesting passed to the parser. Real municipal and news
/// pages stay under 100; a parse at this depth costs milliseconds.
pub const MAX_DEPTH: usize = 500;

/// Elements that never have content or an end tag.
fn is_void(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"keygen"
            | b"frame"
            | b"basefont"
            | b"bgsound"
    )
}

/// Elements whose end tag may be left out: the parser closes them when a
/// sibling starts, so they do not deepen the tree (`<p>` after `<p>`).
fn closes_itself(name: &[u8]) -> bool {
    matches!(
        name,
        b"p" | b"li"
            | b"dt"
            | b"dd"
            | b"tr"
            | b"td"
            | b"th"
            | b"option"
            | b"optgroup"
            | b"thead"
            | b"tbody"
            | b"tfoot"
            | b"colgroup"
            | b"rb"
            | b"rt"
            | b"rp"
            | b"html"
            | b"head"
            | b"body"
    )
}

/// Elements whose content is raw text: tags inside them are not tags.
fn is_raw_text(name: &[u8]) -> bool {
    matches!(
        name,
        b"script"
            | b"style"
            | b"textarea"
            | b"title"
            | b"xmp"
            | b"iframe"
            | b"noembed"
            | b"noframes"
            | b"plaintext"
    )
}

/// The HTML to parse: `html` itself, or a copy flattened to [`MAX_DEPTH`].
///
/// Flattening keeps the outer half of the allowed depth (the page's layout)
/// and the inner half (the structure around the deepest text, where an
/// article buried in junk nesting sits) and drops the start and end tags in
/// between: a tag is kept when it is at most `MAX_DEPTH / 2` deep or has
/// fewer than `MAX_DEPTH / 2` levels below it. Text is never dropped.
pub fn bounded_nesting(html: &str) -> Cow<'_, str> {
    if max_depth(html) <= MAX_DEPTH {
        return Cow::Borrowed(html);
    }
    let scanner = Tags::new(html.as_bytes());
    let tags: Vec<Tag> = Tags::new(html.as_bytes()).collect();
    let keep = tags_to_keep(&tags);
    let mut out = String::with_capacity(html.len());
    let mut copied = 0usize;
    for (tag, keep) in tags.iter().zip(keep) {
        if !keep && tag.start >= copied {
            out.push_str(&html[copied..tag.start]);
            copied = scanner.tag_end(tag.name_end);
        }
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// Which tags [`bounded_nesting`] keeps; an end tag shares its start tag's
/// fate (tags are paired the naive way, as [`max_depth`] counts them).
fn tags_to_keep(tags: &[Tag]) -> Vec<bool> {
    const HALF: usize = MAX_DEPTH / 2;
    let mut keep = vec![true; tags.len()];
    // Open start tags: (index in `tags`, depth, deepest depth inside).
    let mut open: Vec<(usize, usize, usize)> = Vec::new();
    let close =
        |keep: &mut Vec<bool>, open: &mut Vec<(usize, usize, usize)>, end: Option<usize>| {
            let Some((start, depth, deepest)) = open.pop() else {
                return;
            };
            let kept = depth <= HALF || deepest - depth < HALF;
            keep[start] = kept;
            if let Some(end) = end {
                keep[end] = kept;
            }
            if let Some(parent) = open.last_mut() {
                parent.2 = parent.2.max(deepest);
            }
        };
    for (index, tag) in tags.iter().enumerate() {
        match tag.kind {
            TagKind::Start => {
                let depth = open.len() + 1;
                open.push((index, depth, depth));
            }
            TagKind::End => close(&mut keep, &mut open, Some(index)),
        }
    }
    while !open.is_empty() {
        close(&mut keep, &mut open, None);
    }
    keep
}

/// The deepest nesting of start tags that deepen the tree (see
/// [`closes_itself`], [`is_void`]), counting every end tag as a close.
fn max_depth(html: &str) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for tag in Tags::new(html.as_bytes()) {
        match tag.kind {
            TagKind::Start => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            TagKind::End => depth = depth.saturating_sub(1),
        }
    }
    deepest
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagKind {
    Start,
    End,
}

/// A start or end tag that counts for nesting: where it starts and where
/// its name ends in the input.
struct Tag {
    kind: TagKind,
    start: usize,
    name_end: usize,
}

/// The tags of an HTML text that change nesting, skipping comments,
/// doctypes, void and self-closing elements, elements whose end tag is
/// optional, and the content of raw-text elements.
struct Tags<'h> {
    html: &'h [u8],
    at: usize,
    /// Open `<svg>`/`<math>` elements: inside them `<x/>` closes itself.
    foreign: usize,
}

impl<'h> Tags<'h> {
    fn new(html: &'h [u8]) -> Tags<'h> {
        Tags {
            html,
            at: 0,
            foreign: 0,
        }
    }

    /// Index of the first `needle` at or after `from`, or the end.
    fn find_bytes(&self, from: usize, needle: &[u8]) -> usize {
        self.html
            .get(from..)
            .and_then(|rest| memchr::memmem::find(rest, needle))
            .map_or(self.html.len(), |i| from + i)
    }

    /// Index just past the `>` that ends a tag starting at `from`, honouring
    /// quoted attribute values (a quote opens one only right after `=`).
    fn tag_end(&self, from: usize) -> usize {
        let html = self.html;
        let mut at = from;
        while let Some(offset) = html
            .get(at..)
            .and_then(|rest| memchr::memchr3(b'>', b'"', b'\'', rest))
        {
            let found = at + offset;
            let quote = html[found];
            if quote == b'>' {
                return found + 1;
            }
            at = found + 1;
            let opens_value = html[from..found]
                .iter()
                .rev()
                .find(|b| !b.is_ascii_whitespace())
                == Some(&b'=');
            if opens_value {
                match memchr::memchr(quote, &html[at..]) {
                    Some(close) => at += close + 1,
                    None => return html.len(),
                }
            }
        }
        html.len()
    }

    /// The lower-case name starting at `from` (up to 16 bytes kept).
    fn name(&self, from: usize) -> ([u8; 16], usize) {
        let mut name = [0u8; 16];
        let mut len = 0;
        for &b in &self.html[from..] {
            if !(b.is_ascii_alphanumeric() || b == b'-' || b == b':') {
                break;
            }
            if len < name.len() {
                name[len] = b.to_ascii_lowercase();
            }
            len += 1;
        }
        (name, len)
    }
}

impl Iterator for Tags<'_> {
    type Item = Tag;

    /// The next counted tag. A start tag's attributes are skipped to its
    /// `>`, honouring quoted values (a `<` in a value is text to the
    /// parser); they are not parsed, which keeps the scan a few percent of
    /// the parse.
    fn next(&mut self) -> Option<Tag> {
        let html = self.html;
        loop {
            let start = self.at + memchr_lt(&html[self.at.min(html.len())..])?;
            let next = html.get(start + 1).copied();
            match next {
                Some(b'!') if html[start..].starts_with(b"<!--") => {
                    self.at = (self.find_bytes(start + 4, b"-->") + 3).min(html.len());
                }
                Some(b'/') if html.get(start + 2).is_some_and(u8::is_ascii_alphabetic) => {
                    let (name, len) = self.name(start + 2);
                    let name_end = start + 2 + len;
                    self.at = name_end;
                    let name = &name[..len.min(16)];
                    if matches!(name, b"svg" | b"math") {
                        self.foreign = self.foreign.saturating_sub(1);
                    }
                    if !is_void(name) && !closes_itself(name) {
                        return Some(Tag {
                            kind: TagKind::End,
                            start,
                            name_end,
                        });
                    }
                }
                Some(b) if b.is_ascii_alphabetic() => {
                    let (name, len) = self.name(start + 1);
                    let name_end = start + 1 + len;
                    // Past the attributes: a `<title>` or `<script>` in a
                    // quoted value is no tag (a fuzzed page had `<title>`
                    // in an href, which hid 14 590 nested `<div>`s after
                    // it as raw text; the parser took 1 s).
                    let tag_end = self.tag_end(name_end);
                    self.at = tag_end;
                    let name = &name[..len.min(16)];
                    if self.foreign > 0 && breaks_out_of_foreign_content(name) {
                        // The parser closes the open `<svg>`/`<math>`.
                        self.foreign = 0;
                    }
                    // In SVG and MathML, `<style>`, `<script>` and `<title>`
                    // are plain elements: tags inside them are tags (a
                    // fuzzed page hid 19 000 `<div>`s in an SVG `<style>`).
                    if self.foreign == 0 && is_raw_text(name) {
                        // Skip to the matching end tag; it is not counted,
                        // like the start tag.
                        self.at = self.raw_text_end(tag_end, name);
                        continue;
                    }
                    if matches!(name, b"svg" | b"math") {
                        self.foreign += 1;
                    } else if self.foreign > 0 {
                        // Only foreign content has self-closing tags.
                        if tag_end >= 2 && html[tag_end - 2] == b'/' {
                            continue;
                        }
                    }
                    if !is_void(name) && !closes_itself(name) {
                        return Some(Tag {
                            kind: TagKind::Start,
                            start,
                            name_end,
                        });
                    }
                }
                _ => self.at = start + 1,
            }
        }
    }
}

impl Tags<'_> {
    /// Index just past `</name ...>` after `from` (case-insensitive), or the
    /// end of the input.
    fn raw_text_end(&self, from: usize, name: &[u8]) -> usize {
        let mut at = from;
        loop {
            let Some(offset) = memchr_lt(&self.html[at.min(self.html.len())..]) else {
                return self.html.len();
            };
            let start = at + offset;
            let candidate = &self.html[start..];
            if candidate.len() >= 2 + name.len()
                && candidate[1] == b'/'
                && candidate[2..2 + name.len()].eq_ignore_ascii_case(name)
            {
                return self.tag_end(start + 2);
            }
            at = start + 1;
        }
    }
}

/// HTML start tags that end foreign content: the parser pops every open
/// SVG and MathML element and goes on in HTML (HTML's "breakout" list).
fn breaks_out_of_foreign_content(name: &[u8]) -> bool {
    matches!(
        name,
        b"b" | b"big"
            | b"blockquote"
            | b"body"
            | b"br"
            | b"center"
            | b"code"
            | b"dd"
            | b"div"
            | b"dl"
            | b"dt"
            | b"em"
            | b"embed"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"head"
            | b"hr"
            | b"i"
            | b"img"
            | b"li"
            | b"listing"
            | b"menu"
            | b"meta"
            | b"nobr"
            | b"ol"
            | b"p"
            | b"pre"
            | b"ruby"
            | b"s"
            | b"small"
            | b"span"
            | b"strong"
            | b"strike"
            | b"sub"
            | b"sup"
            | b"table"
            | b"tt"
            | b"u"
            | b"ul"
            | b"var"
    )
}

/// Offset of the first `<`.
fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'<', bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_pages_are_not_copied() {
        let html = "<html><body><div><p>Ett<p>Två<br><img src=x></div></body></html>";
        assert!(matches!(bounded_nesting(html), Cow::Borrowed(_)));
        assert_eq!(max_depth(html), 1);
    }

    #[test]
    fn depth_ignores_comments_scripts_and_quoted_brackets() {
        assert_eq!(max_depth("<!-- <div><div> --><div a='>'>x</div>"), 1);
        assert_eq!(
            max_depth("<script>if (a<b) { '<div><div>' }</script><span></span>"),
            1
        );
        // `<div/>` opens a div in HTML (only void elements close themselves).
        assert_eq!(max_depth("<div/><section><b>x</b></section>"), 3);
        assert_eq!(
            max_depth("<svg><path/><path d='x'/><g><path/></g></svg>"),
            2
        );
        assert_eq!(max_depth("a < b and c<3"), 0);
        assert_eq!(max_depth("<a title=it's>x</a><div>y</div>"), 1);
    }

    #[test]
    fn deep_nesting_is_flattened_and_text_kept() {
        let depth = 100_000;
        let html = format!(
            "{}<p>Djupt inne.</p>{}",
            "<div class='x'>".repeat(depth),
            "</div>".repeat(depth)
        );
        let flat = bounded_nesting(&html);
        assert!(max_depth(&flat) <= MAX_DEPTH);
        assert!(flat.contains("<div class='x'><p>Djupt inne.</p></div>"));
        assert_eq!(flat.matches("<div").count(), flat.matches("</div>").count());
        assert!(flat.matches("<div").count() <= MAX_DEPTH);
    }

    #[test]
    fn flattening_keeps_the_outer_layout_and_the_inner_structure() {
        let html = format!(
            "<body><header>Sidhuvud</header><main>{}<article><h1>Rubrik</h1></article>{}</main></body>",
            "<span>".repeat(10_000),
            "</span>".repeat(10_000)
        );
        let flat = bounded_nesting(&html);
        assert!(flat.starts_with("<body><header>Sidhuvud</header><main><span>"));
        assert!(flat.contains("<span><article><h1>Rubrik</h1></article></span>"));
        assert!(flat.ends_with("</span></main></body>"));
        assert!(max_depth(&flat) <= MAX_DEPTH);
    }

    #[test]
    fn deep_svg_is_flattened_too() {
        let html = format!(
            "<p>Text</p><svg>{}<text>Djupt</text>{}</svg>",
            "<g>".repeat(100_000),
            "</g>".repeat(100_000)
        );
        let flat = bounded_nesting(&html);
        assert!(max_depth(&flat) <= MAX_DEPTH);
        assert!(flat.contains("<text>Djupt</text>"));
    }

    /// How deep the parser really nests `html`.
    fn parsed_depth(html: &str) -> usize {
        let doc = scraper::Html::parse_document(html);
        doc.tree
            .nodes()
            .map(|node| node.ancestors().count())
            .max()
            .unwrap_or(0)
    }

    /// Found by the fuzz bench: `<div>`s in an SVG `<style>` are tags to
    /// the parser, which nested them 19 000 deep (1.4 s of parsing).
    #[test]
    fn raw_text_elements_of_svg_hold_tags() {
        let html = format!(
            "<p>Logga</p><svg><defs><style>.cls-1{{fill:red}}{}.cls-3{{}}</style></defs></svg><p>Text</p>",
            "<div>".repeat(20_000)
        );
        assert!(max_depth(&html) > 20_000);
        let flat = bounded_nesting(&html);
        assert!(max_depth(&flat) <= MAX_DEPTH);
        assert!(
            parsed_depth(&flat) <= MAX_DEPTH + 10,
            "{}",
            parsed_depth(&flat)
        );
        assert!(flat.contains("<p>Text</p>"));
        // Still raw text in HTML, also after a breakout tag ended the SVG.
        assert_eq!(
            max_depth("<svg><style>x</style></svg><style><div><div></style>"),
            2
        );
        assert_eq!(max_depth("<svg><g><p>ut</p><style><div><div></style>"), 2);
    }

    /// Found by the fuzz bench: `<title>` inside a quoted href made the
    /// scan skip the rest of the page as raw text, so 14 590 nested
    /// `<div>`s after it reached the parser unflattened.
    #[test]
    fn tags_inside_attribute_values_are_text() {
        let html = format!(
            "<ul><li><a href='index.php?id=12&amp<item><title>;sid=76'>LV</a></li></ul>{}<p>Text</p>",
            "<div>".repeat(20_000)
        );
        assert_eq!(max_depth(&html), 20_000);
        let flat = bounded_nesting(&html);
        assert!(
            parsed_depth(&flat) <= MAX_DEPTH + 10,
            "{}",
            parsed_depth(&flat)
        );
        assert!(flat.contains("<title>;sid=76'>LV</a>"));
        assert!(flat.contains("<p>Text</p>"));
        assert_eq!(
            max_depth(r#"<p title="<div><div>">x</p><div title='<script>'></div>"#),
            1
        );
    }

    #[test]
    fn unterminated_constructs_end_the_scan() {
        for html in ["<div", "<!-- x", "<script>x", "<a href='x", "<", "</", "<!"] {
            let _ = bounded_nesting(html);
            assert!(max_depth(html) <= 1, "{html}");
        }
    }
}
