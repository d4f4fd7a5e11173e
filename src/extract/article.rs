//! Article page -> title, dates, main body.
//!
//! No per-site rules. The page is parsed once and flattened ([`Dom`]); one
//! bottom-up pass gives every node its text and link-text length and its
//! "good text" (paragraph-like blocks that are not link lists and not inside
//! boilerplate such as navigation, sidebars, cookie banners, share and
//! feedback widgets). Then:
//!
//! 1. the best candidate block is picked readability-style (text, commas,
//!    link density, class hints), and
//! 2. it grows to the ancestor that still adds good text, without crossing a
//!    page column (a sibling sidebar, a table cell) or leaving `<main>`: this
//!    gathers the ingress and every Sitevision text portlet of the article
//!    column, but not the sidebar;
//! 3. the chosen element is rendered paragraph by paragraph, skipping
//!    boilerplate subtrees and the headline, and dropping date, byline,
//!    responsibility and widget lines.

use jiff::Timestamp;
use scraper::{Html, Node};
use url::Url;

use super::cms::{is_cookie_text, is_meta_line, is_widget_text, page_hints, Hint};
use super::date::{find_dates, parse_date, parse_machine_date, DateContext};
use super::dom::{
    attr, base_url, heading_level, is_block_tag, is_control_tag, is_hidden_element,
    is_invisible_tag, is_small_form, normalize_space, Dom, NONE,
};
use super::guard::bounded_nesting;
use super::html::{blocks_html, blocks_text, render_blocks, Block, BlockKind};
use super::links::text_before;
use super::overrides::{outermost, Overrides};
use super::Error;
use crate::model::{Article, DateSource, FoundDate, PageDates};

/// Below this much body text a page has no article.
const MIN_BODY_CHARS: usize = 80;
/// A block needs this much text to count as content.
const MIN_BLOCK_CHARS: u32 = 25;
/// A page with less body text than this and headed links to several other
/// pages in its main element is a navigation page ("Bygga, bo och miljö":
/// an ingress, then link cards), not an article.
const MAX_NAVIGATION_BODY_CHARS: usize = 300;
/// Readings of one page before giving up (see `found_body`).
const MAX_READINGS: usize = 3;
/// Prose (paragraph text outside teasers) that makes the main element an
/// article even when it also holds teasers to other pages: a news list's
/// own text is its teasers, an article's is its paragraphs.
const MIN_ARTICLE_PROSE_CHARS: u32 = 400;
/// Prose under a linked heading that makes it a post of a blog's index
/// rather than a teaser.
const MIN_POST_PROSE_CHARS: u32 = 80;
/// What may stand beside a post's linked heading in its header: a date, an
/// author, a category.
const MAX_POST_META_CHARS: u32 = 40;
/// Prose outside teasers that makes an article whatever the teasers below
/// it hold: a long "more from us" grid under a story does not make it a
/// list, and a news list's own text is an intro of a few lines.
const MIN_LONG_ARTICLE_PROSE_CHARS: u32 = 1500;
/// Text of a paragraph that is running text of the article (see
/// `trim_tail`).
const MIN_CLOSING_PARAGRAPH_CHARS: usize = 100;
/// A teaser's block is short: a longer block with a link at its start is a
/// paragraph or an article, not a teaser.
const MAX_TEASER_BLOCK_CHARS: u32 = 600;
/// A page whose title is an error message ("404", "Sidan finns inte") is
/// an error page only if it has no article body, at most a short help text.
const MAX_ERROR_PAGE_CHARS: usize = 600;
/// The words an error page's title is made of ("404", "Error 404 - Page
/// not found", "Sidan du söker kunde inte hittas"): a title segment with a
/// word outside these is not an error message, whatever it contains.
const ERROR_TITLE_WORDS: &[&str] = &[
    "404",
    "410",
    "error",
    "fel",
    "felkod",
    "http",
    "status",
    "oops",
    "hoppsan",
    "tyvärr",
    "the",
    "page",
    "file",
    "could",
    "not",
    "be",
    "was",
    "found",
    "no",
    "longer",
    "exists",
    "gone",
    "sidan",
    "sida",
    "du",
    "vi",
    "söker",
    "som",
    "kunde",
    "inte",
    "ej",
    "hittas",
    "hittades",
    "hittade",
    "finns",
    "längre",
    "saknas",
    "ett",
    "har",
    "uppstått",
];
/// Of those, the words that say what went wrong: "Sidan" or "Fel" alone is
/// no evidence.
const ERROR_TITLE_MARKS: &[&str] = &[
    "404",
    "410",
    "found",
    "gone",
    "hittas",
    "hittades",
    "hittade",
    "finns",
    "saknas",
    "uppstått",
];
/// Growing the main element must add at least this much good text.
const MIN_GROWTH_CHARS: u32 = MIN_BLOCK_CHARS;

/// Extracts the article of one page. `url` is the page's URL (base for links).
pub fn extract_article(html: &str, url: &Url, now: Timestamp) -> Result<Article, Error> {
    extract_article_with(html, url, now, &Overrides::NONE)
}

/// [`extract_article`] with a source's selectors replacing the heuristics
/// they name (see [`super::overrides`]).
pub fn extract_article_with(
    html: &str,
    url: &Url,
    now: Timestamp,
    overrides: &Overrides,
) -> Result<Article, Error> {
    read_page(html, url, now, overrides).article
}

/// Everything one page yields: the article, or why there is none together
/// with the headline and dates that were still found (a page without a
/// usable body still states when it was published).
#[derive(Debug)]
pub struct PageReading {
    pub title: Option<String>,
    pub dates: PageDates,
    pub article: Result<Article, Error>,
}

/// Reads one page: body, headline and dates. Dates are looked for whatever
/// happens to the body.
pub fn read_page(html: &str, url: &Url, now: Timestamp, overrides: &Overrides) -> PageReading {
    let doc = Html::parse_document(&bounded_nesting(html));
    let dom = Dom::new(&doc);
    let page = Page::analyse(&dom, false);
    let cx = PageCx {
        dom: &dom,
        page: &page,
        url,
        base: base_url(&dom, url),
        canonical: canonical(&dom, url),
        chosen_headline: overrides
            .title
            .as_ref()
            .and_then(|rule| rule.matches(&doc, &dom).first().copied()),
        use_model: true,
    };
    let chosen_bodies = overrides
        .body
        .as_ref()
        .map(|rule| outermost(&dom, &rule.matches(&doc, &dom)))
        .filter(|bodies| !bodies.is_empty());
    let body = match chosen_bodies {
        Some(bodies) => cx.chosen_body(&bodies),
        None => match cx.found_body() {
            // A short body on a page with much more prose: the class words
            // may have hidden the article; the markup alone may find it.
            Ok(body) if is_short_beside(&body, &page) => {
                let plain = Page::analyse(&dom, true);
                let plain_cx = PageCx {
                    page: &plain,
                    ..cx.clone()
                };
                match plain_cx.found_body() {
                    Ok(other) if body_chars(&other) >= 2 * body_chars(&body) => Ok(other),
                    _ => Ok(body),
                }
            }
            Ok(body) => Ok(body),
            Err(Refusal::Page(err)) => Err(err),
            Err(Refusal::Final(err) | Refusal::Region(_, err)) => {
                // The page read again as its markup alone describes it.
                let plain = Page::analyse(&dom, true);
                let plain_cx = PageCx {
                    page: &plain,
                    ..cx.clone()
                };
                plain_cx.found_body().map_err(|_| err)
            }
        },
    };
    // Where the dates are looked for: the body's element and headline, else
    // the page's first usable headline.
    let (main, headline) = match &body {
        Ok(body) => (Some(body.main), body.headline),
        Err(_) => (
            None,
            cx.chosen_headline.or_else(|| page.headline(page.body)),
        ),
    };
    // The selector's dates, unless it matched nothing with a date in it.
    let chosen_dates = overrides
        .date
        .as_ref()
        .map(|rule| dates_from_elements(&dom, &rule.matches(&doc, &dom), now))
        .filter(|dates| dates.published.is_some() || dates.updated.is_some());
    let dates = match chosen_dates {
        Some(dates) => dates,
        None => find_dates(&DateContext {
            doc: &doc,
            main: main.and_then(|m| dom.nodes[m as usize].element),
            headline: headline.and_then(|h| dom.nodes[h as usize].element),
            url,
            now,
        }),
    };
    match body {
        Ok(body) => PageReading {
            title: Some(body.title.clone()),
            dates: dates.clone(),
            article: Ok(Article {
                url: url.clone(),
                canonical: cx.canonical,
                title: body.title,
                published: dates.published,
                updated: dates.updated,
                author: author(&dom, body.main),
                body_text: blocks_text(&body.blocks),
                body_html: blocks_html(&body.blocks),
            }),
        },
        Err(err) => PageReading {
            title: title(&dom, headline, page.body),
            dates,
            article: Err(err),
        },
    }
}

/// What one page's body extraction works with.
#[derive(Clone)]
struct PageCx<'p, 'd, 'a> {
    dom: &'p Dom<'a>,
    page: &'p Page<'d, 'a>,
    url: &'p Url,
    base: Url,
    canonical: Option<Url>,
    /// The headline a `title` selector chose.
    chosen_headline: Option<u32>,
    /// Whether the learned block scorer filters the body (not while its
    /// training samples are gathered).
    use_model: bool,
}

/// The article's main element, headline, title and paragraphs.
struct Body {
    main: u32,
    headline: Option<u32>,
    title: String,
    blocks: Vec<Block>,
    /// The features of each block before the learned scorer, when the
    /// heuristics found the body (empty for a selector's body).
    features: Vec<model::Features>,
}

impl PageCx<'_, '_, '_> {
    fn no_article(&self, reason: impl Into<String>) -> Error {
        Error::NoArticle {
            url: self.url.clone(),
            reason: reason.into(),
        }
    }

    /// The body a `body` selector chose: no list or navigation guessing.
    fn chosen_body(&self, bodies: &[u32]) -> Result<Body, Error> {
        let page = self.page;
        let main = bodies[0];
        let headline = self.chosen_headline.or_else(|| page.headline(main));
        let title =
            title(self.dom, headline, main).ok_or_else(|| self.no_article("no headline"))?;
        let blocks: Vec<Block> = bodies
            .iter()
            .flat_map(|&body| page.body_blocks(body, &[], headline, &title, &self.base))
            .collect();
        if blocks_text(&blocks).is_empty() {
            return Err(self.no_article("the selected body holds no text"));
        }
        Ok(Body {
            main,
            headline,
            title,
            blocks,
            features: Vec::new(),
        })
    }

    /// The body the heuristics find, or no article (a list, a navigation or
    /// error page, too little text).
    ///
    /// Never gives up on the first reading: when the best candidate turns
    /// out to be a link rail, a list or too short, the page is read again
    /// without that region, so a news rail that outscores a short article
    /// does not lose the article. A page is reported as having no article
    /// only when no reading finds one, with the first reading's reason.
    fn found_body(&self) -> Result<Body, Refusal> {
        let mut excluded: Vec<u32> = Vec::new();
        let mut first_error = None;
        for _ in 0..MAX_READINGS {
            match self.reading(&excluded) {
                Ok(body) => return Ok(body),
                Err(Refusal::Page(err)) => return Err(Refusal::Page(err)),
                Err(Refusal::Final(err)) => return Err(Refusal::Final(first_error.unwrap_or(err))),
                Err(Refusal::Region(main, err)) => {
                    first_error.get_or_insert(err);
                    excluded.push(main);
                }
            }
        }
        let err = first_error.unwrap_or_else(|| self.no_article("no block of text"));
        Err(Refusal::Final(err))
    }

    /// One reading of the page, with some regions already ruled out.
    fn reading(&self, excluded: &[u32]) -> Result<Body, Refusal> {
        let (page, url) = (self.page, self.url);
        let (main, mut side) = page
            .main_element(excluded)
            .ok_or_else(|| Refusal::Final(self.no_article("no block of text")))?;
        let refuse = |err: Error| {
            // A later reading may only find a smaller region elsewhere.
            if excluded.is_empty() || page.prose[main as usize] >= MIN_ARTICLE_PROSE_CHARS {
                Refusal::Region(main, err)
            } else {
                Refusal::Final(err)
            }
        };
        // A later reading stands only on prose of an article's length: what
        // is left of a list page once its list is ruled out is chrome.
        if !excluded.is_empty() && page.prose[main as usize] < MIN_ARTICLE_PROSE_CHARS {
            return Err(Refusal::Final(self.no_article("no block of text")));
        }
        if let Some(widget) = page.more_news_widget(main, url, self.canonical.as_ref()) {
            side.push(widget);
        }
        if self.chosen_headline.is_none() {
            match page.list_verdict(main, &side, url) {
                ListVerdict::List => {
                    return Err(refuse(self.no_article("a list of links to other pages")))
                }
                ListVerdict::ArticleWithTeasers(teasers) => side.extend(teasers),
                ListVerdict::Article => {}
            }
        }
        let headline = self.chosen_headline.or_else(|| page.headline(main));
        let title = title(self.dom, headline, main)
            .ok_or_else(|| refuse(self.no_article("no headline")))?;
        let blocks = page.body_blocks(main, &side, headline, &title, &self.base);
        let features = page.block_features(main, &blocks);
        let blocks = if self.use_model {
            scored_blocks(blocks, &features)
        } else {
            blocks
        };
        let body_chars = blocks_text(&blocks).chars().count();
        if body_chars < MAX_ERROR_PAGE_CHARS && has_error_title(self.dom, &title) {
            return Err(Refusal::Page(self.no_article("an error page")));
        }
        if body_chars < MIN_BODY_CHARS {
            let reason = format!("too little text ({body_chars} characters)");
            return Err(refuse(self.no_article(reason)));
        }
        if body_chars < MAX_NAVIGATION_BODY_CHARS
            && page.is_navigation(main, &side, url, body_chars)
        {
            return Err(Refusal::Page(
                self.no_article("a navigation page (links to other pages)"),
            ));
        }
        Ok(Body {
            main,
            headline,
            title,
            blocks,
            features: if self.use_model { Vec::new() } else { features },
        })
    }
}

/// Characters of a body's text.
fn body_chars(body: &Body) -> usize {
    body.blocks.iter().map(|b| b.text.chars().count()).sum()
}

/// Whether a found body is short while the page holds several times more
/// prose than it: a teaser or a caption chosen instead of the article.
fn is_short_beside(body: &Body, page: &Page<'_, '_>) -> bool {
    let chars = body_chars(body);
    chars < MIN_ARTICLE_PROSE_CHARS as usize
        && page.prose[page.body as usize] as usize >= 4 * chars.max(MIN_BODY_CHARS)
}

/// The blocks the learned scorer keeps; all of them when it would leave
/// less than an article's worth of text (the scorer refines a body, it
/// never empties one).
fn scored_blocks(blocks: Vec<Block>, features: &[model::Features]) -> Vec<Block> {
    let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
    let keep = model::kept(&texts, features);
    let kept_chars: usize = blocks
        .iter()
        .zip(&keep)
        .filter(|(_, keep)| **keep)
        .map(|(block, _)| block.text.chars().count())
        .sum();
    if kept_chars < MIN_BODY_CHARS {
        return blocks;
    }
    blocks
        .into_iter()
        .zip(keep)
        .filter_map(|(block, keep)| keep.then_some(block))
        .collect()
}

/// Training samples for the learned block scorer: the text and features of
/// each block of the body the heuristics find on a page, before the scorer
/// filters them (see `src/bin/train_blocks.rs`). `None` when the page gives
/// no article.
pub fn block_samples(html: &str, url: &Url) -> Option<Vec<(String, model::Features)>> {
    let doc = Html::parse_document(&bounded_nesting(html));
    let dom = Dom::new(&doc);
    let page = Page::analyse(&dom, false);
    let cx = PageCx {
        dom: &dom,
        page: &page,
        url,
        base: base_url(&dom, url),
        canonical: canonical(&dom, url),
        chosen_headline: None,
        use_model: false,
    };
    let body = cx.found_body().ok().or_else(|| {
        let plain = Page::analyse(&dom, true);
        PageCx {
            page: &plain,
            ..cx.clone()
        }
        .found_body()
        .ok()
    })?;
    Some(
        body.blocks
            .into_iter()
            .map(|b| b.text)
            .zip(body.features)
            .collect(),
    )
}

/// Why one reading of a page found no article.
enum Refusal {
    /// What the page is (an error or navigation page): no way of reading
    /// it finds an article.
    Page(Error),
    /// This way of reading the page finds none.
    Final(Error),
    /// The region read has none; another region may.
    Region(u32, Error),
}

/// What the main element is.
enum ListVerdict {
    Article,
    /// An article with teaser blocks inside ("related", "more news"), which
    /// are left out of its body.
    ArticleWithTeasers(Vec<u32>),
    List,
}

/// The dates of the elements a `date` selector chose, in page order: the
/// first whose text says updated gives `updated`, the first other one
/// `published`; "granskad" (reviewed) gives neither.
fn dates_from_elements(dom: &Dom<'_>, elements: &[u32], now: Timestamp) -> PageDates {
    let mut dates = PageDates::default();
    for &i in elements {
        let text = dom.text(i);
        let lower = text.to_lowercase();
        if lower.contains("granska") {
            continue;
        }
        let is_updated = [
            "uppdater",
            "ändrad",
            "updated",
            "modified",
            "aktualisiert",
            "geändert",
        ]
        .iter()
        .any(|word| lower.contains(word));
        let machine = ["datetime", "content"]
            .iter()
            .find_map(|name| dom.attr(i, name))
            .and_then(parse_machine_date);
        let found = match machine {
            Some(date) => FoundDate::new(date, DateSource::TimeElement, "selector"),
            None => match parse_date(&text, now) {
                Some(date) => FoundDate::new(date, DateSource::Label, "selector"),
                None => continue,
            },
        };
        let slot = if is_updated {
            &mut dates.updated
        } else {
            &mut dates.published
        };
        slot.get_or_insert(found);
    }
    dates
}

/// Per-node facts of one page, computed in linear passes.
struct Page<'d, 'a> {
    dom: &'d Dom<'a>,
    hints: Vec<Hint>,
    /// Visible characters (non-whitespace) in the subtree.
    text: Vec<u32>,
    /// Visible characters inside links.
    link: Vec<u32>,
    /// Links (`<a href>`) in the subtree.
    anchors: Vec<u32>,
    /// Sub-headings (h2-h6) in the subtree.
    headings: Vec<u32>,
    /// Visible characters of the text nodes before each node (pre-order).
    text_before: Vec<u32>,
    /// Characters of good blocks in the subtree (boilerplate excluded).
    good: Vec<u32>,
    /// Characters of prose blocks in the subtree, boilerplate or not.
    prose: Vec<u32>,
    /// Readability-style candidate score.
    score: Vec<f32>,
    /// Whether the node sits in (or is) a boilerplate subtree.
    boiler: Vec<bool>,
    body: u32,
}

impl<'d, 'a> Page<'d, 'a> {
    /// `markup_only`: read the page as its markup alone describes it (see
    /// [`Hint::markup_only`]).
    fn analyse(dom: &'d Dom<'a>, markup_only: bool) -> Page<'d, 'a> {
        let n = dom.len();
        let mut hints = page_hints(dom);
        if markup_only {
            hints.iter_mut().for_each(|hint| *hint = hint.markup_only());
        }
        let mut text = vec![0u32; n];
        let mut link = vec![0u32; n];
        let mut anchors = vec![0u32; n];
        let mut headings = vec![0u32; n];
        // Own (direct, through inline elements) text of each block, and its
        // punctuation.
        let mut own = vec![0u32; n];
        let mut own_link = vec![0u32; n];
        let mut own_commas = vec![0u32; n];
        let mut block_of = vec![NONE; n];
        let mut in_link = vec![false; n];
        let mut hidden = vec![false; n];
        let mut body = 0u32;
        for i in 0..n {
            let node = &dom.nodes[i];
            let parent = node.parent;
            let parent_hidden = parent != NONE && hidden[parent as usize];
            let parent_block = if parent == NONE {
                NONE
            } else {
                block_of[parent as usize]
            };
            let parent_link = parent != NONE && in_link[parent as usize];
            match node.node {
                Node::Element(_) => {
                    let tag = node.tag;
                    if tag == "body" {
                        body = i as u32;
                    }
                    hidden[i] = parent_hidden
                        || is_invisible_tag(tag)
                        || is_control_tag(tag)
                        || is_small_form(dom, i as u32)
                        || node.element.is_some_and(|e| is_hidden_element(e.value()));
                    block_of[i] = if is_block_tag(tag) {
                        i as u32
                    } else {
                        parent_block
                    };
                    in_link[i] = parent_link || tag == "a";
                    if tag == "a" && !parent_hidden {
                        anchors[i] = 1;
                    }
                    if matches!(heading_level(tag), Some(2..=6)) && !parent_hidden {
                        headings[i] = 1;
                    }
                }
                Node::Text(t) if !parent_hidden => {
                    let (chars, commas) = count_text(t);
                    text[i] = chars;
                    if parent_link {
                        link[i] = chars;
                    }
                    if parent_block != NONE {
                        own[parent_block as usize] += chars;
                        own_commas[parent_block as usize] += commas;
                        if parent_link {
                            own_link[parent_block as usize] += chars;
                        }
                    }
                }
                _ => {}
            }
        }
        let text_before = text_before(dom, &text);
        // Bottom-up sums.
        for i in (1..n).rev() {
            let parent = dom.nodes[i].parent;
            if parent != NONE {
                text[parent as usize] += text[i];
                link[parent as usize] += link[i];
                anchors[parent as usize] += anchors[i];
                headings[parent as usize] += headings[i];
            }
        }
        let prose = prose_chars(dom, &own, &own_link, &hidden);
        let boiler = boilerplate(dom, &hints, &prose, &text, &link, body);
        // Good blocks and candidate scores.
        let mut good = vec![0u32; n];
        let mut score = vec![0f32; n];
        for i in 0..n {
            let chars = own[i];
            if chars < MIN_BLOCK_CHARS || boiler[i] || hidden[i] {
                continue;
            }
            if own_link[i] as f32 > 0.5 * chars as f32 {
                continue;
            }
            good[i] = chars;
            let block_score = 1.0 + own_commas[i] as f32 + (chars as f32 / 100.0).min(3.0);
            for (level, ancestor) in std::iter::once(i as u32)
                .chain(dom.ancestors(i as u32))
                .take(5)
                .enumerate()
            {
                let share = match level {
                    0 | 1 => 1.0,
                    2 => 0.5,
                    _ => 1.0 / (3.0 * level as f32),
                };
                score[ancestor as usize] += block_score * share;
            }
        }
        for i in (1..n).rev() {
            let parent = dom.nodes[i].parent;
            if parent != NONE {
                good[parent as usize] += good[i];
            }
        }
        Page {
            dom,
            hints,
            text,
            link,
            anchors,
            headings,
            text_before,
            good,
            prose,
            score,
            boiler,
            body,
        }
    }

    fn link_density(&self, i: u32) -> f32 {
        let text = self.text[i as usize];
        if text == 0 {
            return 0.0;
        }
        self.link[i as usize] as f32 / text as f32
    }

    /// The best candidate, grown to the whole article column, and the side
    /// columns beside the article's column (inside the result or around it).
    /// Regions an earlier reading ruled out are neither candidates nor
    /// grown into.
    fn main_element(&self, excluded: &[u32]) -> Option<(u32, Vec<u32>)> {
        let candidate = self.best_candidate(excluded)?;
        Some(self.grow(candidate, excluded))
    }

    fn best_candidate(&self, excluded: &[u32]) -> Option<u32> {
        let dom = self.dom;
        let mut best: Option<(u32, f32)> = None;
        let mut at = 0u32;
        while (at as usize) < dom.len() {
            let index = at as usize;
            if excluded.contains(&at) {
                at = dom.nodes[index].end + 1;
                continue;
            }
            let i = at;
            at += 1;
            if self.score[index] <= 0.0
                || self.boiler[index]
                || dom.nodes[index].element.is_none()
                || excluded.iter().any(|&e| dom.contains(i, e))
            {
                continue;
            }
            let hint = self.hints[index];
            let mut weight = 1.0 - self.link_density(i);
            if hint.positive {
                weight *= 1.25;
            }
            if hint.negative {
                weight *= 0.5;
            }
            let value = self.score[index] * weight;
            if best.is_none_or(|(_, v)| value > v) {
                best = Some((i, value));
            }
        }
        best.map(|(i, _)| i)
    }

    /// Climbs from the candidate to the highest ancestor that adds good text,
    /// stopping at a page column boundary, at `<body>`, or above `<main>`.
    ///
    /// A layout grid column beside the article's own grid column (Bootstrap
    /// `col-lg-4` next to `col-lg-8`, Sitevision `sv-column-4` next to
    /// `sv-column-8`) with less good text is a side column ("Fler nyheter",
    /// contacts): growing passes it, but it is left out of the article.
    fn grow(&self, candidate: u32, excluded: &[u32]) -> (u32, Vec<u32>) {
        let dom = self.dom;
        let mut best = candidate;
        let mut best_good = self.good[candidate as usize];
        let mut child = candidate;
        let mut side: Vec<u32> = Vec::new();
        let mut side_good = 0u32;
        let inside_main = dom
            .ancestors(candidate)
            .chain(std::iter::once(candidate))
            .any(|a| is_main_landmark(dom, a));
        for ancestor in dom.ancestors(candidate) {
            if ancestor == self.body || matches!(dom.tag(ancestor), "html" | "body") {
                break;
            }
            if matches!(
                dom.tag(child),
                "td" | "th" | "tr" | "tbody" | "table" | "main"
            ) || is_main_landmark(dom, child)
            {
                break;
            }
            if self.boiler[ancestor as usize] || excluded.iter().any(|&e| dom.contains(ancestor, e))
            {
                break;
            }
            // A side column beside the way up (a sidebar, an inline aside
            // or ad slot between two chunks of the article) is left out, and
            // growing goes on: the article's chunks on both sides of it are
            // joined.
            for column in dom.children(ancestor) {
                if column != child && self.hints[column as usize].column && !side.contains(&column)
                {
                    side.push(column);
                    side_good += self.good[column as usize];
                }
            }
            if self.hints[child as usize].grid {
                let own = self.good[child as usize].saturating_sub(side_good);
                for sibling in dom.children(ancestor) {
                    if sibling != child
                        && self.hints[sibling as usize].grid
                        && self.good[sibling as usize] < own
                    {
                        side.push(sibling);
                        side_good += self.good[sibling as usize];
                    }
                }
            }
            let good = self.good[ancestor as usize].saturating_sub(side_good);
            if good >= best_good + MIN_GROWTH_CHARS {
                best = ancestor;
                best_good = good;
            }
            child = ancestor;
            if inside_main && is_main_landmark(dom, ancestor) {
                break;
            }
        }
        // Side columns above the article stay listed: teasers in them are
        // not the article's (see `is_list`).
        (best, side)
    }

    /// Whether the main element is an article or a page of teasers.
    ///
    /// Prose first: the main element's paragraph text outside teaser blocks
    /// (and outside side columns) of at least [`MIN_ARTICLE_PROSE_CHARS`]
    /// makes it an article, whatever rails of teasers it also holds ("more
    /// news", "related"); those are then left out of the body. Otherwise it
    /// is a list when it holds two or more teasers (or one that is most of
    /// its text), when it is itself the text of a teaser whose title link
    /// sits just outside it, or when it is mostly links.
    fn list_verdict(&self, main: u32, side: &[u32], page_url: &Url) -> ListVerdict {
        let dom = self.dom;
        let inside = || side.iter().filter(|&&c| dom.contains(main, c));
        let side_text: u32 = inside().map(|&c| self.text[c as usize]).sum();
        let side_link: u32 = inside().map(|&c| self.link[c as usize]).sum();
        let side_prose: u32 = inside().map(|&c| self.prose[c as usize]).sum();
        let main_text = self.text[main as usize].saturating_sub(side_text);
        let main_link = self.link[main as usize].saturating_sub(side_link);
        let teasers = self.teasers(main, side, page_url);
        let teaser_text: u32 = teasers.iter().map(|&b| self.text[b as usize]).sum();
        let teaser_prose: u32 = teasers.iter().map(|&b| self.prose[b as usize]).sum();
        let own_prose = self.prose[main as usize]
            .saturating_sub(side_prose)
            .saturating_sub(teaser_prose);
        if own_prose >= MIN_ARTICLE_PROSE_CHARS
            && (own_prose >= teaser_prose || own_prose >= MIN_LONG_ARTICLE_PROSE_CHARS)
        {
            if teasers.is_empty() {
                return ListVerdict::Article;
            }
            let rails = self.teaser_rails(main, &teasers);
            if !self.is_index_of_posts(main, &rails) {
                return ListVerdict::ArticleWithTeasers(rails);
            }
        }
        if main_text > 0 && main_link as f32 > 0.5 * main_text as f32 {
            return ListVerdict::List;
        }
        let count = teasers.len();
        if count >= 2 || (count == 1 && teaser_text * 10 >= main_text * 4) {
            return ListVerdict::List;
        }
        let mut except = side.to_vec();
        except.push(main);
        for ancestor in dom.ancestors(main).take(3) {
            if self.text[ancestor as usize] > 2 * main_text + 300 {
                break;
            }
            if !self.teasers(ancestor, &except, page_url).is_empty() {
                return ListVerdict::List;
            }
        }
        if teasers.is_empty() {
            ListVerdict::Article
        } else {
            ListVerdict::ArticleWithTeasers(teasers)
        }
    }

    /// The rails around teaser blocks inside an article: each teaser block
    /// widened to the largest element below `main` that holds no prose
    /// besides its teasers, so a rail's own heading ("Schon gelesen?",
    /// "Related stories") and its "all news" link go with it.
    fn teaser_rails(&self, main: u32, teasers: &[u32]) -> Vec<u32> {
        let dom = self.dom;
        let mut rails: Vec<u32> = Vec::new();
        for &block in teasers {
            if rails.iter().any(|&r| dom.contains(r, block)) {
                continue;
            }
            let mut rail = block;
            for ancestor in dom.ancestors(block) {
                if ancestor == main || dom.contains(ancestor, main) {
                    break;
                }
                let teaser_prose: u32 = teasers
                    .iter()
                    .filter(|&&t| dom.contains(ancestor, t))
                    .map(|&t| self.prose[t as usize])
                    .sum();
                if self.prose[ancestor as usize].saturating_sub(teaser_prose) >= MIN_BLOCK_CHARS {
                    break;
                }
                rail = ancestor;
            }
            rails.retain(|&r| !dom.contains(rail, r));
            rails.push(rail);
        }
        rails
    }

    /// Whether `main` is a blog's index of whole posts: two or more posts,
    /// each an element of its own (an `article`, a `div.post`) that opens
    /// with one teaser rail, a linked heading with little else (a date),
    /// and holds prose after it; together the posts hold more prose than
    /// the rest of `main`, and no one of them two thirds of it. An
    /// article's "related" rails sit beside its paragraphs in one
    /// container, not one rail per element with its own prose.
    fn is_index_of_posts(&self, main: u32, rails: &[u32]) -> bool {
        let dom = self.dom;
        let mut items: Vec<u32> = Vec::new();
        let (mut post_prose, mut largest) = (0, 0);
        for &rail in rails {
            if !self.opens_post(rail) {
                continue;
            }
            let Some(item) = dom.ancestors(rail).next().filter(|&p| p != main) else {
                continue;
            };
            let alone = rails
                .iter()
                .all(|&other| other == rail || !dom.contains(item, other));
            let prose = self.prose[item as usize].saturating_sub(self.prose[rail as usize]);
            if alone && prose >= MIN_POST_PROSE_CHARS && !items.contains(&item) {
                items.push(item);
                post_prose += prose;
                largest = largest.max(prose);
            }
        }
        let rest = self.prose[main as usize].saturating_sub(post_prose);
        items.len() >= 2 && post_prose > rest && 3 * largest < 2 * (rest + post_prose)
    }

    /// A rail that is a post's header: a linked heading and at most a short
    /// meta line; a teaser box holds its own teaser text.
    fn opens_post(&self, rail: u32) -> bool {
        let dom = self.dom;
        let rail_text = self.text[rail as usize];
        let end = dom.nodes[rail as usize].end;
        (rail..=end).any(|d| {
            let heading = matches!(heading_level(dom.tag(d)), Some(2..=6))
                && (d..=dom.nodes[d as usize].end).any(|l| dom.tag(l) == "a");
            let link = dom.tag(d) == "a" && self.is_headed_link(d);
            (heading || link) && rail_text <= self.text[d as usize] + MAX_POST_META_CHARS
        })
    }

    /// Teaser blocks under `root` (outside `except`): the blocks of title
    /// links to other pages that are or sit in a sub-heading, or that open
    /// their block (15+ characters) with teaser text after it. A block
    /// longer than a teaser is not one.
    fn teasers(&self, root: u32, except: &[u32], page_url: &Url) -> Vec<u32> {
        let dom = self.dom;
        let end = dom.nodes[root as usize].end;
        let mut blocks: Vec<u32> = Vec::new();
        let mut at = root;
        while at <= end {
            let node = &dom.nodes[at as usize];
            let skip = self.boiler[at as usize] || except.contains(&at);
            if skip {
                at = node.end + 1;
                continue;
            }
            if node.tag == "a" && self.text[at as usize] >= 3 {
                if let Some(block) = self.teaser_block(at, page_url) {
                    let short = self.text[block as usize] <= MAX_TEASER_BLOCK_CHARS;
                    let known = blocks.last().is_some_and(|&b| dom.contains(b, block));
                    if short && !known {
                        blocks.push(block);
                    }
                }
                at = node.end + 1;
                continue;
            }
            at += 1;
        }
        blocks
    }

    /// Whether the main element holds three or more headed links to other
    /// pages (link cards of a navigation page), boilerplate-looking or not
    /// (`nav-card`), with more link text than the body has.
    fn is_navigation(&self, main: u32, side: &[u32], page_url: &Url, body_chars: usize) -> bool {
        let dom = self.dom;
        let end = dom.nodes[main as usize].end;
        let mut headed = 0;
        let mut at = main;
        while at <= end {
            let node = &dom.nodes[at as usize];
            if side.contains(&at) {
                at = node.end + 1;
                continue;
            }
            if node.tag == "a" {
                let other_page = dom
                    .attr(at, "href")
                    .and_then(|href| page_url.join(href.trim()).ok())
                    .is_some_and(|target| target.path() != page_url.path());
                if other_page && self.is_headed_link(at) {
                    headed += 1;
                }
                at = node.end + 1;
                continue;
            }
            at += 1;
        }
        headed >= 3 && self.link[main as usize] as usize > body_chars
    }

    /// A "more news" block inside the article column: the smallest element
    /// (below `main`) around a headed link to this very page (the article's
    /// own title repeated, as Sitevision news templates do) that also holds
    /// two headed links to other pages. A news list never links to itself as
    /// one of its items, so such a block is a widget, not a list page.
    fn more_news_widget(&self, main: u32, page_url: &Url, canonical: Option<&Url>) -> Option<u32> {
        let dom = self.dom;
        let end = dom.nodes[main as usize].end;
        let is_self = |target: &Url| {
            target.path() == page_url.path() || canonical.is_some_and(|c| c.path() == target.path())
        };
        let self_link = (main..=end).find(|&i| {
            dom.tag(i) == "a"
                && self.is_headed_link(i)
                && dom
                    .attr(i, "href")
                    .and_then(|href| page_url.join(href.trim()).ok())
                    .is_some_and(|target| is_self(&target))
        })?;
        for ancestor in dom.ancestors(self_link).take(6) {
            if ancestor == main {
                break;
            }
            let others = (ancestor..=dom.nodes[ancestor as usize].end)
                .filter(|&i| {
                    dom.tag(i) == "a"
                        && self.is_headed_link(i)
                        && dom
                            .attr(i, "href")
                            .and_then(|href| page_url.join(href.trim()).ok())
                            .is_some_and(|target| !is_self(&target))
                })
                .count();
            if others >= 2 {
                // Take in the block's own heading ("Fler nyheter") and "all
                // news" link: parents that add no good text and little text.
                let mut widget = ancestor;
                while let Some(parent) = dom.ancestors(widget).next().filter(|&p| p != main) {
                    let (p, w) = (parent as usize, widget as usize);
                    if self.good[p] > self.good[w] || self.text[p] > self.text[w] + 60 {
                        break;
                    }
                    widget = parent;
                }
                // The article must still be there without the widget.
                let rest = self.good[main as usize].saturating_sub(self.good[widget as usize]);
                return (rest as usize >= MIN_BODY_CHARS).then_some(widget);
            }
        }
        None
    }

    /// A link in a sub-heading, or holding one.
    fn is_headed_link(&self, link: u32) -> bool {
        let dom = self.dom;
        std::iter::once(link)
            .chain(dom.ancestors(link).take(2))
            .any(|a| matches!(heading_level(dom.tag(a)), Some(2..=6)))
            || (link..=dom.nodes[link as usize].end)
                .any(|d| matches!(heading_level(dom.tag(d)), Some(2..=6)))
    }

    /// The block of a teaser title link, if `link` is one.
    fn teaser_block(&self, link: u32, page_url: &Url) -> Option<u32> {
        let dom = self.dom;
        let href = dom.attr(link, "href")?;
        let target = page_url.join(href.trim()).ok()?;
        if target.path() == page_url.path() || target.scheme() != page_url.scheme() {
            return None;
        }
        let in_heading = std::iter::once(link)
            .chain(dom.ancestors(link).take(3))
            .any(|a| matches!(heading_level(dom.tag(a)), Some(2..=6)));
        let holds_heading = (link..=dom.nodes[link as usize].end)
            .any(|d| matches!(heading_level(dom.tag(d)), Some(2..=6)));
        let block = dom
            .ancestors(link)
            .find(|&a| is_block_tag(dom.tag(a)) && heading_level(dom.tag(a)).is_none())?;
        if in_heading || holds_heading {
            return Some(block);
        }
        if self.text[link as usize] < 15 {
            return None;
        }
        let before = self.text_before[link as usize] - self.text_before[block as usize];
        let after = self.text[block as usize].saturating_sub(before + self.text[link as usize]);
        (before == 0 && after >= 40).then_some(block)
    }

    /// The headline: the first `h1` in the main element, else the nearest
    /// `h1` before it that is not in page chrome; but when the page names
    /// its title (`og:title`, `<title>`) and another `h1` agrees with that
    /// better, that one. A first `h1` that holds the site's logo or a
    /// section name agrees with neither.
    fn headline(&self, main: u32) -> Option<u32> {
        let dom = self.dom;
        let usable = |i: u32| !self.boiler[i as usize] || self.hints[i as usize].header_only;
        let end = dom.nodes[main as usize].end;
        let in_main =
            (main..=end).find(|&i| dom.tag(i) == "h1" && self.text[i as usize] > 0 && usable(i));
        let first = in_main.or_else(|| {
            (0..main).rev().find(|&i| {
                dom.tag(i) == "h1" && self.text[i as usize] > 0 && !self.in_boiler_chrome(i)
            })
        });
        let claims = title_claims(dom);
        let agreement = |i: u32| title_agreement(&normalize_space(&dom.text(i)), &claims);
        let first_agreement = first.map_or(0, agreement);
        if claims.is_empty() || first_agreement == FULL_AGREEMENT {
            return first;
        }
        let mut best = (first_agreement, first);
        for i in dom.elements_named("h1") {
            if Some(i) == first || self.text[i as usize] == 0 || self.in_boiler_chrome(i) {
                continue;
            }
            let score = agreement(i);
            if score > best.0 {
                best = (score, Some(i));
            }
        }
        best.1
    }

    /// Boilerplate other than a `header` (an article header holds the h1).
    fn in_boiler_chrome(&self, i: u32) -> bool {
        std::iter::once(i)
            .chain(self.dom.ancestors(i))
            .any(|a| self.hints[a as usize].negative && !self.hints[a as usize].header_only)
    }

    /// Renders the main element without chrome, headline and metadata lines.
    fn body_blocks(
        &self,
        main: u32,
        side: &[u32],
        headline: Option<u32>,
        title: &str,
        base: &Url,
    ) -> Vec<Block> {
        let dom = self.dom;
        let main_text = self.text[main as usize] as f32;
        let mut skip = |i: u32| {
            if Some(i) == headline || side.contains(&i) {
                return true;
            }
            let hint = self.hints[i as usize];
            if self.boiler[i as usize] {
                return true;
            }
            // A header wholly before the headline is the site's, whatever
            // it holds (menus, a corporate blurb).
            if hint.header_only && headline.is_some_and(|h| dom.nodes[i as usize].end < h) {
                return true;
            }
            if hint.header_only && (self.text[i as usize] as f32) < 0.5 * main_text {
                // A header is chrome unless it holds real paragraphs.
                return self.good[i as usize] < 100;
            }
            if heading_level(dom.tag(i)).is_some() && normalize_space(&dom.text(i)) == title {
                return true;
            }
            (self.is_link_box(i) && (self.text[i as usize] as f32) < 0.5 * main_text)
                || self.is_link_card(i)
                || headline.is_some_and(|h| i < h && self.is_kicker(i))
        };
        let blocks = render_blocks(dom, main, base, &mut skip);
        let mut blocks: Vec<Block> = blocks.into_iter().filter(keep_block).collect();
        self.trim_tail(&mut blocks);
        blocks
    }

    /// Drops the page's tail: short lines after the article's last real
    /// paragraph, outside the element that holds it, that are links
    /// ("Kommentare schreiben", "Zurück zur Übersicht"), neither sentences
    /// nor facts ("Schon gelesen?", "Kontakt:", "Be Sociable, Share") or
    /// headings over nothing that stays. Inside that element a closing list
    /// or link belongs to the text; a short closing sentence ("Bis
    /// morgen.") and a facts box ("Fakta", "Namn: ...") stay.
    fn trim_tail(&self, blocks: &mut Vec<Block>) {
        let dom = self.dom;
        let last_paragraph = blocks.iter().rposition(|block| {
            !matches!(block.kind, BlockKind::Heading(_))
                && block
                    .text
                    .chars()
                    .nth(MIN_CLOSING_PARAGRAPH_CHARS)
                    .is_some()
        });
        let Some(last) = last_paragraph else {
            return;
        };
        let origin = blocks[last].origin;
        let Some(text_element) = dom
            .ancestors(origin)
            .find(|&a| a != origin && is_block_tag(dom.tag(a)))
        else {
            return;
        };
        // Outside the text's element: links, prompts ("Kontakt:", "Schon
        // gelesen?") and headings over nothing that stays are the tail.
        let mut keep = vec![true; blocks.len()];
        let mut kept_after = false;
        for at in (last + 1..blocks.len()).rev() {
            let block = &blocks[at];
            let text = block.text.trim_end();
            let origin = block.origin as usize;
            let heading = matches!(block.kind, BlockKind::Heading(_));
            let sentence = text.ends_with(['.', '!', '…', '"', '”', ')']);
            let fact = text
                .split_once(':')
                .is_some_and(|(label, value)| !label.is_empty() && !value.trim().is_empty());
            let link_line = 2 * self.link[origin] >= self.text[origin].max(1);
            let tail = !dom.contains(text_element, block.origin)
                && text.chars().nth(MIN_CLOSING_PARAGRAPH_CHARS).is_none()
                && if heading {
                    !kept_after
                } else {
                    link_line || !(sentence || fact)
                };
            keep[at] = !tail;
            kept_after |= !tail && !heading;
        }
        let mut index = 0;
        blocks.retain(|_| {
            index += 1;
            keep[index - 1]
        });
    }
}

impl Page<'_, '_> {
    /// A box of links inside the article ("Mehr zum Thema", "Läs också",
    /// "Related stories" under a class the hints do not know): a container
    /// with its own heading and two or more links, whose text is mostly
    /// link text. A bare list of links in the text ("Läs mer:" and a list)
    /// has no heading of its own and stays.
    fn is_link_box(&self, i: u32) -> bool {
        let index = i as usize;
        matches!(self.dom.tag(i), "div" | "section" | "aside" | "nav")
            && self.anchors[index] >= 2
            && self.headings[index] >= 1
            && self.link[index] as f32 >= 0.6 * self.text[index] as f32
    }

    /// A link wrapped around blocks (an image, a heading, a teaser
    /// paragraph): a card pointing to another page. Running text links
    /// words inside its paragraphs; it never puts paragraphs inside a link.
    fn is_link_card(&self, i: u32) -> bool {
        let dom = self.dom;
        dom.tag(i) == "a"
            && self.text[i as usize] > 0
            && (i + 1..=dom.nodes[i as usize].end).any(|d| is_block_tag(dom.tag(d)))
    }

    /// A short link-only line before the headline: a section or category
    /// label ("Local news", "Nyheter") above the title.
    fn is_kicker(&self, i: u32) -> bool {
        let index = i as usize;
        is_block_tag(self.dom.tag(i))
            && self.text[index] > 0
            && self.text[index] <= 40
            && self.link[index] == self.text[index]
    }
}

fn is_main_landmark(dom: &Dom<'_>, i: u32) -> bool {
    dom.tag(i) == "main" || dom.attr(i, "role") == Some("main")
}

/// Drops paragraphs that are page metadata or widget text, whatever element
/// they came in.
fn keep_block(block: &Block) -> bool {
    let text = block.text.trim();
    if text.is_empty() {
        return !block.html.is_empty();
    }
    if text.lines().all(is_meta_line) {
        return false;
    }
    !(is_widget_text(text) || is_cookie_text(text))
}

/// Characters of prose in each subtree: the own text of blocks with enough
/// text that is mostly not link text, boilerplate or not. What a page's
/// prose is does not depend on what its class words say.
fn prose_chars(dom: &Dom<'_>, own: &[u32], own_link: &[u32], hidden: &[bool]) -> Vec<u32> {
    let n = dom.len();
    let mut prose = vec![0u32; n];
    for i in 0..n {
        let chars = own[i];
        if chars >= MIN_BLOCK_CHARS && !hidden[i] && own_link[i] as f32 <= 0.5 * chars as f32 {
            prose[i] = chars;
        }
    }
    for i in (1..n).rev() {
        let parent = dom.nodes[i].parent;
        if parent != NONE {
            prose[parent as usize] += prose[i];
        }
    }
    prose
}

/// Which subtrees are boilerplate, top-down.
///
/// Class and id words nudge; they never alone delete the block that holds
/// the page's prose. A boilerplate-looking element holding half of the
/// page's prose is a wrapper (an ASP.NET form, a `skip-content` target, a
/// page builder's widget area); markup that says what the element is (a
/// `nav`, an `aside`, a landmark role) gives way only at nine tenths. Weak
/// class words (`widget`, `meta`, `more`, `print` ...) mark chrome only
/// where the subtree is mostly links or has no paragraph of its own.
fn boilerplate(
    dom: &Dom<'_>,
    hints: &[Hint],
    prose: &[u32],
    text: &[u32],
    link: &[u32],
    body: u32,
) -> Vec<bool> {
    let n = dom.len();
    let page_prose = prose[body as usize].max(1) as f32;
    let mut boiler = vec![false; n];
    for i in 0..n {
        let parent = dom.nodes[i].parent;
        if parent != NONE && boiler[parent as usize] {
            boiler[i] = true;
            continue;
        }
        let hint = hints[i];
        if !hint.negative || hint.header_only {
            continue;
        }
        let share = prose[i] as f32 / page_prose;
        let limit = if hint.structural { 0.9 } else { 0.5 };
        if share >= limit {
            continue;
        }
        let link_heavy = link[i] as f32 > 0.5 * text[i] as f32;
        boiler[i] = hint.strong || link_heavy || prose[i] < 2 * MIN_BLOCK_CHARS;
    }
    boiler
}

/// Counts non-whitespace characters and commas/sentence ends.
///
/// Branch-free over the bytes, in chunks short enough for byte counters (the
/// loop runs in vector registers): every byte that starts a character and is
/// not ASCII whitespace counts. This runs over every text node of every
/// page, where branching on each byte mispredicts. Non-ASCII whitespace
/// (no-break space, U+1680, U+2000..U+205F, U+3000) starts with one of four
/// lead bytes; only a text holding one of those is decoded to take such
/// characters back out.
fn count_text(text: &str) -> (u32, u32) {
    let mut chars = 0u32;
    let mut commas = 0u32;
    let mut wide_lead = 0u8;
    for chunk in text.as_bytes().chunks(255) {
        let (mut chunk_chars, mut chunk_commas) = (0u8, 0u8);
        for &b in chunk {
            // UTF-8 continuation bytes (0x80..=0xBF) belong to the character
            // before.
            let starts_char = (b as i8) >= -64;
            let ascii_space = (b == b' ') | (b.wrapping_sub(b'\t') < 5);
            chunk_chars += u8::from(starts_char & !ascii_space);
            chunk_commas +=
                u8::from((b == b',') | (b == b'.') | (b == b';') | (b == b'?') | (b == b'!'));
            wide_lead |= u8::from((b == 0xC2) | (b.wrapping_sub(0xE1) < 3));
        }
        chars += u32::from(chunk_chars);
        commas += u32::from(chunk_commas);
    }
    if wide_lead != 0 {
        let wide_spaces = text
            .chars()
            .filter(|c| !c.is_ascii() && c.is_whitespace())
            .count();
        chars -= wide_spaces as u32;
    }
    (chars, commas)
}

/// The headline element's text, else og:title, else `<title>` without the
/// site-name suffix.
///
/// A headline outside the main element that reads like the end of the
/// `<title>` ("Rubrik - Norrby kommun") is the site's name in the page
/// header, not the article's.
fn title(dom: &Dom<'_>, headline: Option<u32>, main: u32) -> Option<String> {
    let site_name = meta_content(dom, "og:site_name");
    let page_title = page_title(dom);
    let outside_main = headline.is_some_and(|h| !dom.contains(main, h));
    let title_suffix = page_title
        .as_deref()
        .and_then(site_suffix)
        .filter(|_| outside_main);
    let usable = |t: &str| {
        !t.is_empty()
            && [site_name.as_deref(), title_suffix]
                .into_iter()
                .flatten()
                .all(|s| !s.eq_ignore_ascii_case(t))
    };
    if let Some(h) = headline {
        let text = normalize_space(&dom.text(h));
        if usable(&text) {
            return Some(text);
        }
    }
    if let Some(og) = meta_content(dom, "og:title") {
        let text = strip_site_suffix(&normalize_space(&og));
        if usable(&text) && !is_host_name(&text) {
            return Some(text);
        }
    }
    let text = strip_site_suffix(page_title.as_deref()?);
    usable(&text).then_some(text)
}

/// The text of the page's `<title>`, spaces normalised.
fn page_title(dom: &Dom<'_>) -> Option<String> {
    dom.elements_named("title")
        .next()
        .map(|t| normalize_space(&dom.text(t)))
}

/// How well a headline's text agrees with what the page says its title is:
/// 0 not at all, 1 the headline holds a title's head (a kicker before it),
/// 2 a title holds the headline ("Opinion | Headline", "Headline - Site"),
/// 3 a title's head is the headline.
type TitleAgreement = u8;
const FULL_AGREEMENT: TitleAgreement = 3;

/// The page's own statements of its title, lower-cased: `og:title` and
/// `<title>`.
fn title_claims(dom: &Dom<'_>) -> Vec<String> {
    let page_title = page_title(dom);
    [
        meta_content(dom, "og:title").map(|t| normalize_space(&t)),
        page_title,
    ]
    .into_iter()
    .flatten()
    .map(|t| t.to_lowercase())
    .filter(|t| !t.is_empty())
    .collect()
}

fn title_agreement(headline: &str, claims: &[String]) -> TitleAgreement {
    let headline = headline.to_lowercase();
    if headline.chars().count() < 4 {
        return 0;
    }
    claims
        .iter()
        .map(|claim| {
            let head = strip_site_suffix(claim);
            if head == headline || *claim == headline {
                FULL_AGREEMENT
            } else if claim.contains(&headline) {
                2
            } else if 2 * head.chars().count() >= headline.chars().count()
                && headline.contains(&head)
            {
                1
            } else {
                0
            }
        })
        .max()
        .unwrap_or(0)
}

/// A title that is a site's host name ("visitkoping.se", "www.kommun.se"):
/// templates put it in `og:title` on pages without their own.
fn is_host_name(title: &str) -> bool {
    !title.contains(char::is_whitespace)
        && title.contains('.')
        && title
            .rsplit('.')
            .next()
            .is_some_and(|tld| (2..=6).contains(&tld.len()) && tld.chars().all(char::is_alphabetic))
}

/// The last segment of a `<title>` after its last separator, when there is
/// something before it too.
fn site_suffix(title: &str) -> Option<&str> {
    let (pos, len) = [" | ", " - ", " – ", " — ", " :: ", " · "]
        .iter()
        .filter_map(|separator| title.rfind(separator).map(|pos| (pos, separator.len())))
        .max_by_key(|&(pos, _)| pos)?;
    let head = title[..pos].trim();
    let suffix = title[pos + len..].trim();
    (!head.is_empty() && !suffix.is_empty()).then_some(suffix)
}

/// "Rubrik - Växjö kommun" -> "Rubrik": drops the last segment after a
/// separator when something is left.
fn strip_site_suffix(title: &str) -> String {
    for separator in [" | ", " - ", " – ", " — ", " :: ", " · "] {
        if let Some(pos) = title.rfind(separator) {
            let head = title[..pos].trim();
            if !head.is_empty() {
                return head.to_string();
            }
        }
    }
    title.to_string()
}

/// Strong evidence that a page served with status 200 is an error page:
/// a segment of its own `<title>`, or its headline, is an error message
/// and nothing else ("404", "Error 404 | Kommun", "Sidan kunde inte
/// hittas"). A headline that merely holds the number or the words
/// ("Logistikföretaget anställer 404 personer", "Ett fel har uppstått i
/// telefonväxeln") is news.
fn has_error_title(dom: &Dom<'_>, title: &str) -> bool {
    let page_title = dom.elements_named("title").next().map(|t| dom.text(t));
    let is_error_title = |t: &str| {
        t.split(['|', '–', '—', '·', ':'])
            .flat_map(|t| t.split(" - "))
            .any(is_error_message)
    };
    page_title.as_deref().is_some_and(is_error_title) || is_error_title(title)
}

/// Only error words, at least one of them saying what went wrong.
fn is_error_message(segment: &str) -> bool {
    let lower = segment.to_lowercase();
    let mut words = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .peekable();
    let mut marked = false;
    words.peek().is_some()
        && words.all(|w| {
            marked |= ERROR_TITLE_MARKS.contains(&w);
            ERROR_TITLE_WORDS.contains(&w)
        })
        && marked
}

fn meta_content(dom: &Dom<'_>, key: &str) -> Option<String> {
    dom.elements_named("meta").find_map(|i| {
        let name = dom.attr(i, "property").or_else(|| dom.attr(i, "name"))?;
        if !name.eq_ignore_ascii_case(key) {
            return None;
        }
        let content = dom.attr(i, "content")?.trim();
        (!content.is_empty()).then(|| content.to_string())
    })
}

/// `<link rel="canonical">`, only on the page's own host.
fn canonical(dom: &Dom<'_>, url: &Url) -> Option<Url> {
    let href = dom.elements_named("link").find_map(|i| {
        let rel = dom.attr(i, "rel")?;
        rel.split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case("canonical"))
            .then(|| dom.attr(i, "href"))
            .flatten()
    })?;
    let canonical = url.join(href.trim()).ok()?;
    (canonical.host_str() == url.host_str()).then_some(canonical)
}

/// A clear byline: meta author, JSON-LD author, or an author element near
/// the article.
fn author(dom: &Dom<'_>, main: u32) -> Option<String> {
    if let Some(name) = meta_content(dom, "author") {
        return Some(name);
    }
    if let Some(name) = json_ld_author(dom) {
        return Some(name);
    }
    author_element(dom, main)
}

fn json_ld_author(dom: &Dom<'_>) -> Option<String> {
    for i in dom.elements_named("script") {
        if dom.attr(i, "type").map(str::trim) != Some("application/ld+json") {
            continue;
        }
        let raw: String = dom
            .children(i)
            .filter_map(|c| dom.nodes[c as usize].node.as_text().map(|t| t.to_string()))
            .collect();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&raw) else {
            continue;
        };
        // Iterative search for an "author" key.
        let mut stack = vec![&value];
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::Object(map) => {
                    if let Some(author) = map.get("author") {
                        if let Some(name) = author_name(author) {
                            return Some(name);
                        }
                    }
                    stack.extend(map.values());
                }
                serde_json::Value::Array(items) => stack.extend(items.iter()),
                _ => {}
            }
        }
    }
    None
}

fn author_name(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Object(map) => map
            .get("name")
            .and_then(|n| n.as_str())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        serde_json::Value::Array(items) => items.iter().find_map(author_name),
        _ => None,
    }
}

/// An element classed `author`/`byline` in the article's region (the nearest
/// `article` or `main` around the main element); a `*author*name` element
/// wins over its wrapper.
fn author_element(dom: &Dom<'_>, main: u32) -> Option<String> {
    let region = std::iter::once(main)
        .chain(dom.ancestors(main))
        .find(|&a| matches!(dom.tag(a), "article" | "main"))
        .unwrap_or(main);
    let end = dom.nodes[region as usize].end;
    let mut fallback = None;
    for i in region..=end {
        let Some(element) = dom.nodes[i as usize].element else {
            continue;
        };
        // Cheap test first: most elements say nothing about authors.
        let mentions = |v: Option<&str>| {
            v.is_some_and(|v| {
                let v = v.to_ascii_lowercase();
                v.contains("author") || v.contains("byline")
            })
        };
        if !mentions(attr(element.value(), "class"))
            && !mentions(attr(element.value(), "id"))
            && attr(element.value(), "rel") != Some("author")
        {
            continue;
        }
        let words: Vec<String> = [attr(element.value(), "class"), attr(element.value(), "id")]
            .into_iter()
            .flatten()
            .flat_map(|v| v.split(|c: char| !c.is_alphanumeric()))
            .map(str::to_lowercase)
            .collect();
        let authorish = words
            .iter()
            .any(|w| w.starts_with("author") || w == "byline")
            || attr(element.value(), "rel") == Some("author");
        if !authorish {
            continue;
        }
        let text = normalize_space(&dom.text(i));
        let text = strip_byline_label(&text);
        if text.is_empty() || text.chars().count() > 60 {
            continue;
        }
        if words.iter().any(|w| w == "name" || w == "fn") {
            return Some(text);
        }
        fallback.get_or_insert(text);
    }
    fallback
}

fn strip_byline_label(text: &str) -> String {
    let lower = text.to_lowercase();
    for label in [
        "publicerat av",
        "publicerad av",
        "skriven av",
        "skrivet av",
        "av:",
        "av ",
        "text:",
    ] {
        if lower.starts_with(label) {
            if let Some(rest) = text.get(label.len()..) {
                return rest.trim().to_string();
            }
        }
    }
    text.trim().to_string()
}

pub mod model;
#[cfg(test)]
mod tests;
