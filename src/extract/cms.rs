//! What class names, ids, roles and short texts say about a block, across
//! CMSs (Sitevision, Episerver, Municipio/WordPress, Drupal, Umbraco, old
//! table layouts). Shared by the article and list extractors.
//!
//! Hints match whole words of `class`/`id` (split on `-`, `_`, spaces), by
//! prefix or suffix where CMSs glue words (`sharedaddy`, `vx-listdate`), never
//! by arbitrary substring: `field--label-hidden` on a Drupal body must not
//! read as "hidden".

use std::sync::LazyLock;

use regex::Regex;
use scraper::node::Element;
use scraper::ElementRef;

use super::dom::{Dom, FastMap};

/// Words that start a boilerplate class word (`breadcrumbs`, `cookie-consent`,
/// `share-links`, `sidebar-block` ...). Swedish words included: sites name
/// classes in Swedish (`sidfot`, `kontaktruta`, `bildtext`, `verktyg`).
const NEGATIVE_PREFIXES: &[&str] = &[
    "breadcrumb",
    "brodsmul",
    "cookie",
    "kakor",
    "consent",
    "gdpr",
    "share",
    "sharing",
    "social",
    "comment",
    "kommentar",
    "respond",
    "reply",
    "sidebar",
    "sidopanel",
    "widget",
    "related",
    "relaterad",
    "relaterat",
    "kontakt",
    "contact",
    "footer",
    "sidfot",
    "pagination",
    "pager",
    "paging",
    "navigation",
    "navbar",
    "menu",
    "meny",
    "feedback",
    "sidrespons",
    "readspeaker",
    "lyssna",
    "listen",
    "print",
    "utskrift",
    "byline",
    "author",
    "forfattare",
    "caption",
    "bildtext",
    "photographer",
    "credit",
    "toolbar",
    "verktyg",
    "newsletter",
    "nyhetsbrev",
    "skip",
    "popup",
    "modal",
    "advert",
    "sponsor",
    "lastmodified",
    "pubdate",
    "published",
    "updated",
    "modified",
    "category",
    "categories",
    "kategori",
    "taxonomy",
    "sidinfo",
    "pageinfo",
    "informationsagare",
    "sidansvarig",
    "switcher",
    "webbplatser",
    "toplinks",
    "quicklinks",
    "assistive",
    "visually",
    "screen",
    "tipsa",
    "postnav",
    "rating",
    "banner",
];

/// Boilerplate words that also name wrappers of real content: a skip-link
/// target (`id="skip-content"`), a read-aloud region (`readspeaker`), a
/// widget area of a page builder, a print region, a page banner holding the
/// ingress, a meta box or date line. For the article they mark chrome only
/// when their subtree is link-heavy or has no paragraph of its own (see
/// [`Hint::strong`]); lists read them as before.
const WEAK_NEGATIVE_WORDS: &[&str] = &[
    "skip",
    "widget",
    "widgets",
    "sidebar",
    "sidopanel",
    "readspeaker",
    "lyssna",
    "listen",
    "print",
    "utskrift",
    "banner",
    "meta",
    "date",
    "datum",
    "dates",
    "more",
    "links",
    "puff",
    "tools",
    "verktyg",
    "toolbar",
    "cta",
    "published",
    "updated",
    "modified",
    "pubdate",
    "lastmodified",
    "tags",
    "tag",
    "lang",
    "some",
    "rating",
];

/// Whole boilerplate class words.
const NEGATIVE_WORDS: &[&str] = &[
    "nav",
    "aside",
    "header",
    "meta",
    "date",
    "datum",
    "tags",
    "tag",
    "taglist",
    "tools",
    "some",
    "ad",
    "ads",
    "puff",
    "search",
    "sok",
    "login",
    "sr",
    "prev",
    "next",
    "more",
    "rss",
    "links",
    "lang",
    "languages",
    "cta",
    "alert",
    "dates",
    "signature",
];

/// Endings of glued boilerplate class words (`vx-listdate`, `postmeta`,
/// `mainmenu`, `topnav`).
const NEGATIVE_SUFFIXES: &[&str] = &["date", "datum", "meta", "menu", "meny", "nav", "links"];

/// Words that mark main content.
const POSITIVE_WORDS: &[&str] = &[
    "article",
    "artikel",
    "content",
    "innehall",
    "main",
    "body",
    "text",
    "story",
    "entry",
    "post",
    "richtext",
    "prose",
    "ingress",
    "preamble",
    "lead",
    "brodtext",
    "pagecontent",
    "news",
    "nyhet",
    "nyheter",
    "editor",
    "epi",
];

/// What an element's attributes say about it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hint {
    /// Some class word or role marks boilerplate.
    pub negative: bool,
    /// The only negative word is `header` (a header may hold the ingress).
    pub header_only: bool,
    /// The boilerplate mark is more than weak class words: a strong word
    /// (`cookie`, `share`, `breadcrumb`, `footer` ...), a boilerplate tag
    /// or role, or `aria-hidden`.
    pub strong: bool,
    /// The boilerplate mark comes from markup that says what the element is
    /// (`nav`, `aside`, `footer`, a landmark role), not from class words.
    pub structural: bool,
    /// Some class word marks content.
    pub positive: bool,
    /// A page column beside the content (sidebar, aside, navigation).
    pub column: bool,
    /// A layout grid column (Bootstrap `col-lg-4`, Sitevision `sv-column-8`,
    /// Municipio `o-grid-4@md`, Foundation `medium-8`): says nothing about
    /// content, but two sibling grid columns are two page columns.
    pub grid: bool,
    /// A search-result list (`search-result`, `search__results`): content,
    /// even though "search" alone marks a search box.
    pub results: bool,
}

impl Hint {
    /// What the markup alone says, class and id words set aside: a `nav`,
    /// `aside` or `footer` and the landmark roles stay boilerplate, a
    /// `header` stays a header; grid columns stay columns. The article
    /// reads a page this way when reading it with its class words finds no
    /// article (a template whose every content box is named like chrome).
    pub fn markup_only(self) -> Hint {
        Hint {
            negative: self.structural || self.header_only,
            header_only: self.header_only,
            strong: self.structural,
            structural: self.structural,
            positive: self.positive,
            column: self.column && self.structural,
            grid: self.grid,
            results: self.results,
        }
    }
}

/// Boilerplate prefixes bucketed by first letter, and the whole-word lists
/// sorted: this runs for every element of every page, so a word costs two
/// binary searches and a handful of prefix compares (no hashing).
struct HintTables {
    prefixes: [Vec<&'static str>; 26],
    negative: Vec<&'static str>,
    positive: Vec<&'static str>,
}

static HINT_TABLES: LazyLock<HintTables> = LazyLock::new(|| {
    let mut prefixes: [Vec<&'static str>; 26] = Default::default();
    for prefix in NEGATIVE_PREFIXES {
        let first = prefix.as_bytes()[0];
        prefixes[(first - b'a') as usize].push(prefix);
    }
    HintTables {
        prefixes,
        negative: sorted(NEGATIVE_WORDS),
        positive: sorted(POSITIVE_WORDS),
    }
});

fn sorted(words: &[&'static str]) -> Vec<&'static str> {
    let mut words = words.to_vec();
    words.sort_unstable();
    words
}

/// Whether a boilerplate class word is one of the weak ones: the word
/// itself, or a glued word that starts with one (`readspeaker-content`,
/// `sidebar1`, `printArea`).
fn is_weak_negative(word: &str) -> bool {
    WEAK_NEGATIVE_WORDS.iter().any(|weak| {
        word.starts_with(weak)
            && (word.len() == weak.len()
                || weak.len() >= 5
                || word[weak.len()..].bytes().all(|b| b.is_ascii_digit()))
    })
}

/// What one lower-case class word says.
fn word_hint(word: &str, tables: &HintTables) -> (bool, bool, bool) {
    let bytes = word.as_bytes();
    let first = bytes[0];
    let prefixed = first.is_ascii_lowercase()
        && tables.prefixes[(first - b'a') as usize]
            .iter()
            .any(|p| starts_with_fast(bytes, p.as_bytes()));
    let negative = prefixed
        || tables.negative.binary_search(&word).is_ok()
        || NEGATIVE_SUFFIXES
            .iter()
            .any(|s| ends_with_fast(bytes, s.as_bytes()));
    let positive = tables.positive.binary_search(&word).is_ok();
    let column = matches!(first, b's' | b'a' | b'c')
        && ["sidebar", "aside", "sidopanel", "complementary"]
            .iter()
            .any(|p| starts_with_fast(bytes, p.as_bytes()));
    (negative, positive, column)
}

/// `starts_with` that rejects on length and the second byte before
/// comparing the rest: most class words share no more than a first letter
/// with a boilerplate prefix, and this runs for every word of every page.
fn starts_with_fast(word: &[u8], prefix: &[u8]) -> bool {
    word.len() >= prefix.len()
        && prefix.len() >= 2
        && word[1] == prefix[1]
        && &word[..prefix.len()] == prefix
}

/// `ends_with` that rejects on the last byte first (see [`starts_with_fast`]).
fn ends_with_fast(word: &[u8], suffix: &[u8]) -> bool {
    word.len() >= suffix.len()
        && word.last() == suffix.last()
        && &word[word.len() - suffix.len()..] == suffix
}

/// What the words of one `class` or `id` value say.
#[derive(Debug, Clone, Copy, Default)]
struct WordFacts {
    /// A boilerplate word other than `header` and `search`.
    negative: bool,
    /// A boilerplate word that is not one of the weak ones.
    strong: bool,
    header: bool,
    search: bool,
    positive: bool,
    column: bool,
    paging: bool,
    results: bool,
    grid: bool,
}

/// What one class or id word says, lower-cased first.
#[derive(Debug, Clone, Copy, Default)]
struct WordHint {
    negative: bool,
    weak: bool,
    positive: bool,
    column: bool,
    header: bool,
    search: bool,
    paging: bool,
    results: bool,
    /// `col`, `column`, `columns`: a grid column by itself.
    grid: bool,
    /// A word after which a number is a grid column (`col-lg-4`).
    grid_word: bool,
    digits: bool,
}

fn word_hint_of(word: &str) -> WordHint {
    let mut lower = [0u8; 40];
    let lower = &mut lower[..word.len()];
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    // Class words are split on ASCII alphanumerics, so this is ASCII.
    let word = std::str::from_utf8(lower).unwrap_or_default();
    let (negative, positive, column) = word_hint(word, &HINT_TABLES);
    WordHint {
        negative,
        weak: negative && is_weak_negative(word),
        positive,
        column,
        header: word == "header",
        search: word == "search",
        paging: word.starts_with("pag"),
        results: word.starts_with("result") || word.starts_with("traff"),
        grid: matches!(word, "col" | "column" | "columns"),
        grid_word: matches!(
            word,
            "grid" | "col" | "column" | "small" | "medium" | "large" | "span"
        ),
        digits: word.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// Memoised per-word hints of one page (the same words recur in many
/// class values: `sv`, `portlet`, `env`, `c`, `card`).
type WordMemo<'a> = FastMap<&'a str, WordHint>;

/// Prefixes of taxonomy and state tokens (`category-naringsliv`,
/// `tag-sidebar`, `has-sidebar`, `is-active`, `no-js`, `type-post`): they
/// describe what a page is filed under or how it is styled, not what the
/// element is, so their words say nothing. A WordPress `<article>` is
/// classed `category-nyheter tag-meny`; reading "meny" there would throw
/// the article away.
const TAXONOMY_PREFIXES: &[&str] = &[
    "category", "cat", "tag", "term", "taxonomy", "has", "is", "no", "not", "type", "status",
    "format", "postid", "pageid", "page-id", "parent", "lang",
];

/// Component names that start like a taxonomy token but name a box of
/// their own (`tag-list`, `category-links`): their words are read.
const COMPONENT_WORDS: &[&str] = &[
    "list",
    "cloud",
    "links",
    "box",
    "label",
    "labels",
    "title",
    "container",
    "wrapper",
    "wrap",
    "items",
    "item",
    "name",
    "badge",
    "nav",
    "menu",
];

/// Whether one class or id token is a taxonomy or state token.
fn is_taxonomy_token(token: &str) -> bool {
    TAXONOMY_PREFIXES.iter().any(|prefix| {
        let bytes = token.as_bytes();
        bytes.len() > prefix.len() + 1
            && bytes[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
            && matches!(bytes[prefix.len()], b'-' | b'_')
            && !COMPONENT_WORDS
                .iter()
                .any(|word| bytes[prefix.len() + 1..].eq_ignore_ascii_case(word.as_bytes()))
    })
}

fn word_facts<'a>(value: &'a str, is_class: bool, memo: &mut WordMemo<'a>) -> WordFacts {
    let mut facts = WordFacts::default();
    for token in value.split_ascii_whitespace() {
        if !is_taxonomy_token(token) {
            token_facts(token, is_class, memo, &mut facts);
        }
    }
    facts
}

fn token_facts<'a>(token: &'a str, is_class: bool, memo: &mut WordMemo<'a>, facts: &mut WordFacts) {
    // Whether the previous word names a grid, for grid columns
    // (`col-lg-4`, `o-grid-4@md`, `sv-column-8`, `medium-8`).
    let mut after_grid_word = false;
    for word in token.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() || word.len() > 40 {
            after_grid_word = false;
            continue;
        }
        let hint = *memo.entry(word).or_insert_with(|| word_hint_of(word));
        if hint.header {
            facts.header = true;
        } else if hint.search {
            facts.search = true;
        } else if hint.negative {
            facts.negative = true;
            facts.strong |= !hint.weak;
        }
        facts.positive |= hint.positive;
        facts.column |= hint.column;
        facts.paging |= hint.paging;
        facts.results |= hint.results;
        if is_class {
            facts.grid |= hint.grid || (hint.digits && after_grid_word);
            after_grid_word = hint.grid_word;
        }
    }
}

/// Classifies one element by tag, role, `class`, `id` and ARIA attributes.
pub fn hint(element: ElementRef<'_>) -> Hint {
    let mut words = WordMemo::default();
    hint_with(element.value(), &mut |value, is_class| {
        word_facts(value, is_class, &mut words)
    })
}

/// The hints of every node of a page (default for non-elements).
pub fn page_hints(dom: &Dom<'_>) -> Vec<Hint> {
    dom.nodes
        .iter()
        .map(|node| match node.element {
            Some(element) => hint_with(element.value(), &mut cached_word_facts),
            None => Hint::default(),
        })
        .collect()
}

/// Class and id values remembered per thread (class values, then ids).
/// Reading the words of a value was the costliest step of extraction after
/// parsing, and the same values recur on every card and portlet of a page
/// and on every page of a site (and of a CMS). A pure function's memo: the
/// answer never depends on what was cached.
type ValueMemo = [FastMap<Box<str>, WordFacts>; 2];

thread_local! {
    static VALUE_FACTS: std::cell::RefCell<ValueMemo> = Default::default();
}

/// Values remembered per thread at most (about 0.5 MB), for each kind.
const MAX_REMEMBERED_VALUES: usize = 10_000;

fn cached_word_facts(value: &str, is_class: bool) -> WordFacts {
    VALUE_FACTS.with(|memo| {
        let mut memo = memo.borrow_mut();
        let map = &mut memo[usize::from(is_class)];
        if let Some(facts) = map.get(value) {
            return *facts;
        }
        if map.len() >= MAX_REMEMBERED_VALUES {
            map.clear();
        }
        let facts = word_facts(value, is_class, &mut WordMemo::default());
        map.insert(value.into(), facts);
        facts
    })
}

fn hint_with<'e>(
    element: &'e Element,
    facts_of: &mut dyn FnMut(&'e str, bool) -> WordFacts,
) -> Hint {
    let tag = element.name();
    // The page's root elements carry page-wide state in their classes
    // (`logged-out`, `section-in-nav`, `no-js`), never a region's role:
    // read as words they would make the whole page chrome.
    if matches!(tag, "html" | "body") {
        return Hint::default();
    }
    let (mut class, mut id, mut role, mut itemprop) = (None, None, "", None);
    let mut aria_hidden = false;
    for (name, value) in element.attrs() {
        match name {
            "class" => class = Some(value),
            "id" => id = Some(value),
            "role" => role = value,
            "itemprop" => itemprop = Some(value),
            "aria-hidden" => aria_hidden |= value == "true",
            "hidden" => aria_hidden = true,
            _ => {}
        }
    }
    let mut hint = Hint::default();
    let mut words = WordFacts::default();
    for (value, is_class) in [(class, true), (id, false)] {
        let Some(value) = value else { continue };
        let facts = facts_of(value, is_class);
        words.negative |= facts.negative;
        words.strong |= facts.strong;
        words.header |= facts.header;
        words.search |= facts.search;
        words.paging |= facts.paging;
        hint.positive |= facts.positive;
        hint.column |= facts.column;
        hint.results |= facts.results;
        hint.grid |= facts.grid;
    }
    // "search" marks a search box or page, but `search-result(s)` holds the
    // results, which are content (Episerver lists render as search results).
    let negative_words = words.negative || (words.search && !hint.results);
    let role_negative = matches!(
        role,
        "navigation" | "complementary" | "banner" | "contentinfo" | "search" | "dialog"
    );
    let tag_negative = matches!(tag, "nav" | "aside" | "footer" | "figcaption");
    let strong_negative = negative_words || role_negative || tag_negative || aria_hidden;
    // A header (tag or class) may hold the ingress; the caller decides.
    let header = words.header || tag == "header";
    hint.negative = strong_negative || header;
    hint.header_only = header && !strong_negative;
    hint.structural = role_negative || tag_negative;
    // `aria-hidden` is weak: collapsed accordion panels and tabs carry it
    // over real content, decorative icons have no text anyway.
    hint.strong = hint.structural || words.strong || (words.search && !hint.results);
    // Pagination sits beside a list's items, not beside the page's content.
    if matches!(tag, "aside" | "nav") || matches!(role, "complementary" | "navigation") {
        hint.column |= !words.paging;
    }
    if matches!(tag, "main" | "article") || role == "main" || itemprop == Some("articleBody") {
        hint.positive = true;
    }
    hint
}

const MONTH: &str = r"(?:jan(?:uari|uary|uar)?|feb(?:ruari|ruary|ruar)?|mar(?:s|ch)?|märz|mrz|apr(?:il)?|maj|may|mai|jun(?:i|e)?|jul(?:i|y)?|aug(?:usti|ust)?|sep(?:t(?:ember)?)?|okt(?:ober)?|oct(?:ober)?|nov(?:ember)?|de[cz](?:ember)?)";
const WEEKDAY: &str = r"(?:mån|tis|ons|tor|tors|fre|lör|sön)(?:dag(?:en)?|d)?\.?";

/// A date anywhere in a line: "29 mars 2021", "29-mars-2021", "2012-01-27",
/// "17 okt. 2024", "5. März 2024", "March 5, 2024".
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:\b\d{{1,2}}[\s\-./]*{MONTH}\.?(?:[\s\-,]*\d{{4}})?\b|\b{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b|\b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b|\b\d{{1,2}}/\d{{1,2}}[\s/]\d{{2,4}}\b)"
    ))
    .expect("valid date regex")
});

/// A line that is nothing but a date, maybe with weekday and time.
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^(?:{WEEKDAY}\s+)?(?:den\s+)?(?:\d{{1,2}}[\s\-./]*{MONTH}\.?(?:[\s\-,]*\d{{4}})?|{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}/\d{{1,2}}(?:[\s/]\d{{2,4}})?)(?:\s*,?\s*(?:kl\.?|klockan|um|at)?\s*\d{{1,2}}[.:]\d{{2}}(?:\s*(?:uhr|am|pm))?)?(?:\s*[|–-].{{0,40}})?$"
    ))
    .expect("valid date-line regex")
});

/// Labels that make a short line page metadata whatever follows.
static STRONG_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:sidansvarig|sidans ansvarig|informationsägare|informationsansvarig|innehållsansvarig|ansvarig utgivare|publiceringsdatum|senast (?:uppdaterad|ändrad|granskad|redigerad)|sidan (?:senast )?(?:uppdaterad|ändrad|granskad)|(?:artikeln|nyheten|sidan|inlägget|anslaget) (?:publicerades|uppdaterades)|publicerat i|postat i|kategori(?:er)?\s*:|taggar\s*:|etiketter\s*:|ämnen\s*:)",
    )
    .expect("valid label regex")
});

/// Labels that make a line metadata when a colon or a date follows.
static WEAK_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:publicerad|publicerat|publicerades|uppdaterad|uppdaterat|uppdaterades|ändrad|granskad|skapad|foto|bild|fotograf|text|skribent|författare|datum|published|posted|updated|last updated|photo|veröffentlicht|aktualisiert|zuletzt aktualisiert|stand)\b",
    )
    .expect("valid label regex")
});

/// A byline: "By Jane Doe", "Von Maria Keller", "Av Anna Svensson", maybe
/// with a role after a comma ("By Jane Doe, Local Affairs Reporter"). Names
/// are capitalised words, so "Av de 120 platserna ..." is no byline.
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?i:by|von|av|text(?: och foto)?:?|foto:?)\s+\p{Lu}[\p{L}.'-]*(?:\s+(?:\p{Lu}[\p{L}.'-]*|(?i:van|von|de|af|der)))*(?:\s*(?:,|\||/|·|–|-|(?i:and|und|och))\s*.{0,60})?$",
    )
    .expect("valid byline regex")
});

/// Short widget texts: share, print, listen, page feedback, site switchers.
static WIDGET_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:dela(?: sidan| artikeln| nyheten| inlägget| detta)?:?|dela (?:på|via) .{1,20}|skriv ut(?: sidan)?|lyssna(?: på sidan)?|läs upp(?: sidan)?|tipsa(?: en vän)?|till toppen|tillbaka till toppen|skicka (?:som|via) e-post|e-post|print|share|hittade du det du sökte\??|fick du svar på din fråga\??|var informationen på sidan till hjälp\??|hjälpte informationen på sidan dig\??|var (?:sidan|informationen) (?:till )?(?:hjälp|användbar)\??|vad tycker du om sidan\??|kommunens webbplatser|våra webbplatser|fler webbplatser|relaterade sidor|relaterad information|kontakta oss|ja|nej|annons|advertisement|anzeige|werbung|sponsored|share this(?: article| story| page)?|print this(?: article| page)?|listen(?: to this article)?|back to top|skip to(?: main)? content|teilen|artikel (?:teilen|drucken|vorlesen)|drucken|vorlesen|nach oben|zum seitenanfang)$",
    )
    .expect("valid widget regex")
});

static COOKIE_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\banvänder (?:sig av )?(?:kakor|cookies)\b").expect("valid cookie regex")
});

/// Whether a rendered line is a date, a "Publicerad/Uppdaterad" line, a
/// responsibility line ("Sidansvarig: ...") or similar page metadata.
pub fn is_meta_line(line: &str) -> bool {
    let line = line.trim();
    if line.is_empty() {
        return true;
    }
    if line.chars().count() > 160 {
        return false;
    }
    if DATE_LINE.is_match(line) || STRONG_LABEL.is_match(line) {
        return true;
    }
    if line.chars().count() <= 100 && BYLINE.is_match(line) {
        return true;
    }
    if let Some(found) = WEAK_LABEL.find(line) {
        let rest = line[found.end()..].trim_start();
        return rest.starts_with(':') || DATE.is_match(rest) || rest.is_empty();
    }
    false
}

/// Whether a short paragraph is widget chrome (share, print, feedback ...):
/// the whole text, or every `|`-separated part of it, is a widget text.
pub fn is_widget_text(text: &str) -> bool {
    let text = text.trim();
    if text.chars().count() > 160 {
        return false;
    }
    let parts: Vec<&str> = text
        .split(['|', '·', '•', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    !parts.is_empty() && parts.iter().all(|p| WIDGET_TEXT.is_match(p))
}

/// Whether a paragraph is a cookie notice.
pub fn is_cookie_text(text: &str) -> bool {
    if text.chars().nth(500).is_some() {
        return false;
    }
    let head_end = text.char_indices().nth(120).map_or(text.len(), |(i, _)| i);
    COOKIE_TEXT.is_match(&text[..head_end])
}

/// Whether text holds a date (for teasers in lists).
pub fn has_date(text: &str) -> bool {
    DATE.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn check_hint(html: &str, negative: bool, positive: bool) {
        let doc = Html::parse_fragment(html);
        let element = doc
            .root_element()
            .child_elements()
            .next()
            .expect("an element");
        let h = hint(element);
        assert_eq!((h.negative, h.positive), (negative, positive), "{html}");
    }

    #[test]
    fn hints_match_words_not_substrings() {
        check_hint(r#"<div class="vx-breadcrumbs__item"></div>"#, true, false);
        check_hint(
            r#"<div class="sharedaddy sd-sharing-enabled"></div>"#,
            true,
            false,
        );
        check_hint(
            r#"<div class="field field--name-body field--label-hidden"></div>"#,
            false,
            true,
        );
        check_hint(r#"<p class="vx-listdate"></p>"#, true, false);
        check_hint(
            r#"<div class="sv-text-portlet-content"></div>"#,
            false,
            true,
        );
        check_hint(r#"<p class="bildtext"></p>"#, true, false);
        check_hint(r#"<div class="headline"></div>"#, false, false);
        check_hint(r#"<aside></aside>"#, true, false);
        check_hint(r#"<div role="navigation"></div>"#, true, false);
    }

    fn first_hint(html: &str) -> Hint {
        let doc = Html::parse_fragment(html);
        let element = doc
            .root_element()
            .child_elements()
            .next()
            .expect("an element");
        hint(element)
    }

    #[test]
    fn remembered_hints_equal_fresh_ones() {
        let doc = Html::parse_document(
            r#"<div class="sv-layout sv-column-8"><nav class="Sidebar"></nav><div class="sv-layout sv-column-8" id="x"></div><aside class="col-4"></aside><div role="main" class="content"></div></div>"#,
        );
        let dom = Dom::new(&doc);
        for _ in 0..2 {
            for (i, hint_of_page) in page_hints(&dom).into_iter().enumerate() {
                if let Some(element) = dom.nodes[i].element {
                    assert_eq!(hint_of_page, hint(element), "{:?}", element.value());
                }
            }
        }
    }

    #[test]
    fn grid_columns_and_search_results() {
        for column in [
            r#"<div class="col-lg-4"></div>"#,
            r#"<div class="col"></div>"#,
            r#"<div class="sv-layout sv-column-8"></div>"#,
            r#"<div class="o-grid-4@md"></div>"#,
            r#"<div class="medium-8 cell"></div>"#,
        ] {
            assert!(first_hint(column).grid, "{column}");
        }
        for other in [
            r#"<div class="o-grid"></div>"#,
            r#"<div class="row"></div>"#,
            r#"<div class="collection"></div>"#,
            r#"<div id="col-4"></div>"#,
        ] {
            assert!(!first_hint(other).grid, "{other}");
        }
        assert!(!first_hint(r#"<div class="search-result" id="results"></div>"#).negative);
        assert!(first_hint(r#"<div class="search"></div>"#).negative);
        assert!(first_hint(r#"<form class="site-search"></form>"#).negative);
    }

    fn check_meta(line: &str, expected: bool) {
        assert_eq!(is_meta_line(line), expected, "{line}");
    }

    #[test]
    fn meta_lines() {
        check_meta("Publicerad 2018-02-05", true);
        check_meta("Publicerad: 14 september 2022 kl. 10.15", true);
        check_meta("Publiceringsdatum29-mars-2021", true);
        check_meta("Uppdaterad: 31-maj-2021", true);
        check_meta("tis 18 okt 2022", true);
        check_meta("Uppdaterad ons 31 mar 2021", true);
        check_meta("2012-01-27", true);
        check_meta("Sidansvarig: Gunilla Rydström", true);
        check_meta("Senast uppdaterad: 2012-04-16", true);
        check_meta("Artikeln publicerades 5 november 2024 kl 9.42", true);
        check_meta("Foto: Anna Svensson", true);
        check_meta("Uppdaterad information om bygglov finns på sidan.", false);
        check_meta(
            "Den 4 oktober bjuder kommunen in till en upphandlingsdag.",
            false,
        );
        check_meta("3 mars var det nätverksträff i Växjö kommunhus.", false);
    }

    #[test]
    fn english_and_german_meta_lines() {
        check_meta("March 5, 2024", true);
        check_meta("5. März 2024, 10:15 Uhr", true);
        check_meta("Published: March 5, 2024", true);
        check_meta("Updated 6 March 2024", true);
        check_meta("Photo: Tom Lee", true);
        check_meta("Veröffentlicht am 5. März 2024", true);
        check_meta("Stand: 12.02.2024", true);
        check_meta("Published reports show that the harbour lost money.", false);
        check_meta("March 5 was the day the council finally voted.", false);
        check_meta("By Jane Doe, Local Affairs Reporter", true);
        check_meta("Von Maria Keller", true);
        check_meta("Av Anna Svensson och Per Holm", true);
        check_meta("Text och foto: Lena Ek", true);
        check_meta("By car it takes twenty minutes.", false);
        check_meta("Av de 120 platserna är 30 nya.", false);
        check_meta("Av Sveriges kommuner har 40 svarat.", false);
    }

    #[test]
    fn widget_texts() {
        assert!(is_widget_text("Skriv ut | Tipsa en vän | Dela på Facebook"));
        assert!(is_widget_text("Hittade du det du sökte?"));
        assert!(is_widget_text("Dela sidan"));
        assert!(is_widget_text("Annons"));
        assert!(is_widget_text("Share this article | Print"));
        assert!(is_widget_text("Artikel teilen"));
        assert!(is_widget_text("Advertisement"));
        assert!(!is_widget_text("Share prices fell sharply on Monday."));
        assert!(!is_widget_text(
            "Dela gärna med dig av dina erfarenheter till oss."
        ));
        assert!(is_cookie_text(
            "Vi använder kakor (cookies) för att webbplatsen ska fungera."
        ));
    }
}
