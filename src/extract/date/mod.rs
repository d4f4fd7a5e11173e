//! Swedish and ISO dates, and which date on a page is the article's.
//!
//! - [`parse_date`]: one human-written expression ("29 mars 2021",
//!   "28 april 2025, kl. 11.01", "igår 08:02");
//! - [`parse_machine_date`]: ISO 8601 and RFC 2822 from attributes and feeds;
//! - [`find_dates`]: the article's published and updated date.
//!
//! # How `find_dates` decides
//!
//! Municipal pages show many dates: the article's, its comments', a sidebar
//! event calendar, a site footer "Senast uppdaterad" that is the same on every
//! page, dates inside the text. So the search is narrowed first and ranked
//! second:
//!
//! 1. *Region.* The `main`/`article` element around the headline (or the
//!    caller's main element), minus furniture: navigation, asides, site
//!    headers and footers, comments, widgets, calendars, lists of other news
//!    (see `flow`). Without such an element, the whole page minus furniture.
//!    Small boxes beside the headline (an `<aside>` with the date and the
//!    category) are read whatever their tag or class.
//! 2. *Labels decide meaning.* "Publicerad", "Uppdaterad", "Senast ändrad" ...
//!    (and their counterparts in a dozen languages) followed by a date.
//!    "Granskad" (reviewed) claims its date so nothing else takes it, and is
//!    otherwise ignored. A date in a short line beside the headline needs
//!    no known label ("Inlagd: 3 mars 2025" is published).
//! 3. *Published* ranks: label, a dated element whose itemprop, RDFa
//!    property or class says published, a publishing `<meta>`, JSON-LD
//!    `datePublished`, a bare date next to the headline, a creation
//!    `<meta>`, the URL slug. *Updated* ranks: label, JSON-LD
//!    `dateModified`, a `<time>` whose class says updated, a modifying
//!    `<meta>`.
//! 4. *Page-wide search.* With no published date so far, the whole page is
//!    searched the way htmldate does (see `wide`): labels, dated elements
//!    and bare dates nearest the headline, page state in scripts, the
//!    canonical address. Dates after tomorrow are events, never
//!    publication dates.
//! 5. *Precision.* A day-only pick is replaced by a machine value with a time
//!    on the same day (visible "Publicerad 2018-02-05" plus
//!    `article:published_time` 09:12 gives 09:12).
//! 6. *The day the page states.* An instant keeps the UTC offset it was
//!    written with (a page in Tokyo publishing at 07:00 on the 15th was not
//!    published on the 14th, whatever Stockholm's clock said); naive values
//!    are Stockholm time. UTC is how servers write, not a place, so a UTC
//!    value is read in Stockholm time unless the page shows it on its UTC
//!    day or gives the same instant with a local offset elsewhere.

mod flow;
mod parse;
mod sources;
mod wide;
mod words;

use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use jiff::civil;
use jiff::tz::Offset;
use jiff::{Timestamp, ToSpan};
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use self::flow::{element_key, node_key, Flow, Layout, Mark, NodeKey};
use self::parse::{candidate_starts, parse_date_at_start, FoundSpan};
use self::sources::{json_ld_dates, meta_dates, slug_date, DatedElements, MetaDate, MetaStrength};
use crate::extract::dom::{attr, FastSet};
use crate::model::{DateSource, FoundDate, PageDate, PageDates, STOCKHOLM};

pub use self::parse::{parse_date, parse_machine_date};

/// What a date on a page says about the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Published,
    Updated,
    /// "Granskad": someone checked the page; neither published nor updated.
    Reviewed,
}

/// What [`find_dates`] may look at.
pub struct DateContext<'a> {
    pub doc: &'a Html,
    /// The main content element, when the article extractor found one.
    pub main: Option<ElementRef<'a>>,
    /// The headline element, when found (dates near it are the article's).
    pub headline: Option<ElementRef<'a>>,
    pub url: &'a Url,
    pub now: Timestamp,
}

/// Lines longer than this are prose: a label word in them is a word, not a
/// label ("Håll dig uppdaterad ...").
const MAX_LABEL_LINE_CHARS: usize = 200;

/// A bare date counts as the article's only in a short line near the
/// headline, such as `2012-01-27` above it or "mån 29 mar 2021" below it.
const MAX_BARE_DATE_LINE_CHARS: usize = 100;

/// Lines looked at around the headline for a bare date, nearest first
/// (positive: after the headline, negative: before it).
const LINES_NEAR_HEADLINE: &[isize] = &[1, -1, 2, -2, 3, 4];

/// How far after a label its date may start: past ":", "den", a `<br>` or a
/// `<dt>`/`<dd>` break, but not into the next paragraph.
const MAX_LABEL_GAP_CHARS: usize = 40;
const MAX_LABEL_GAP_LINES: usize = 2;

/// Label words. Longer forms come first (leftmost-first alternation). Word
/// boundaries are checked in code because a label may be glued to its date
/// ("Publiceringsdatum29-mars-2021") or to the previous date ("10:50Uppdaterad").
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_case_insensitive(
        r"(?x)
        (?P<published>
            (?:artikeln|nyheten|sidan|anslaget|inlägget|texten)\s+publicerades
          | publiceringsdatum | publicerades | publicerad | publicerat | införd
          | (?:first\s+)?published(?:\s+on)? | posted(?:\s+on)? | publication\s+date
          | veröffentlicht(?:\s+am)? | erschienen(?:\s+am)? | publiziert(?:\s+am)?
          | publiée? (?:\s+le)? | mise?\s+en\s+ligne(?:\s+le)? | date\s+de\s+publication
          | publicad[oa](?:\s+(?:el|em))? | fecha\s+de\s+publicación | data\s+de\s+publicação
          | pubblicat[oa](?:\s+il)? | data\s+di\s+pubblicazione
          | gepubliceerd(?:\s+op)? | geplaatst(?:\s+op)? | publicatiedatum
          | publiceret | udgivet | publisert | julkaistu | opublikowano | data\s+publikacji
          | опубликовано | дата\s+публикации | yayınlanma(?:\s+tarihi)? | yayınlandı
        )
      | (?P<created> skapades | skapad | skapat | datum | erstellt(?:\s+am)? )
      | (?P<as_of> stand(?:\s+des\s+artikels|\s+vom)? )
      | (?P<updated>
            (?:sidan\s+)?senast\s+(?:uppdaterad|uppdaterades|ändrad|ändrades|redigerad)
          | uppdaterades | uppdaterad | uppdaterat | ändrades | ändrad | ändringsdatum
          | last\s+(?:updated|modified)(?:\s+on)? | updated(?:\s+on)?
          | zuletzt\s+(?:aktualisiert|geändert)(?:\s+am)? | aktualisiert(?:\s+am)?
          | geändert(?:\s+am)? | letzte\s+aktualisierung
          | (?:dernière\s+)?mise?\s+à\s+jour(?:\s+le)? | mis\s+à\s+jour(?:\s+le)?
          | actualizad[oa](?:\s+el)? | última\s+actualización | atualizad[oa](?:\s+em)?
          | aggiornat[oa](?:\s+il)? | ultimo\s+aggiornamento
          | (?:laatst\s+)?bijgewerkt(?:\s+op)? | (?:sist\s+)?oppdatert | opdateret
          | päivitetty | zaktualizowano | обновлено | güncellendi | güncelleme(?:\s+tarihi)?
        )
      | (?P<reviewed>
            (?:sidan\s+)?senast\s+granskad | granskades | granskad | granskat | granskningsdatum
        )",
    ))
    .expect("label pattern compiles")
});

/// A pattern written in lowercase, for text whose ASCII letters are
/// lowercased: other letters match in both cases (`ä` → `(?:ä|Ä)`). Without
/// case folding and Unicode classes the automaton stays small and the
/// literals make a fast prefilter.
fn ascii_case_insensitive(pattern: &str) -> String {
    let mut out = String::from("(?-u)");
    for c in pattern.chars() {
        let mut upper = c.to_uppercase();
        match (upper.next(), upper.next()) {
            (Some(u), None) if !c.is_ascii() && u != c => {
                out.push_str("(?:");
                out.push(c);
                out.push('|');
                out.push(u);
                out.push(')');
            }
            _ => out.push(c),
        }
    }
    out
}

static H1: LazyLock<Selector> = LazyLock::new(|| Selector::parse("h1").expect("selector"));

/// Finds the article's own published and updated dates.
pub fn find_dates(cx: &DateContext<'_>) -> PageDates {
    let headline = cx.headline.or_else(|| first_headline(cx));
    let protected = protected_nodes([cx.main, headline]);
    let boxes = boxes_beside(headline);
    let region = article_region(cx, headline);
    let layout = Layout {
        protected: &protected,
        boxes: &boxes,
        headline: headline.map(element_key),
        main: cx.main.map(element_key),
        lenient: false,
    };
    let flow = Flow::build(region, &layout);
    let dated = DatedElements::of(cx.doc);
    let page = PageEvidence::gather(cx, &flow, &dated);
    let latest = latest_plausible_day(cx.now);
    let published = page
        .published(latest)
        .or_else(|| wide::published(cx, &layout, &dated, latest))
        .map(|chosen| page.with_precision(chosen, Kind::Published))
        .map(|chosen| localised(chosen, &dated));
    let updated = page.updated(published.as_ref());
    PageDates { published, updated }
}

/// The last day a publication date may have: tomorrow in Stockholm (a
/// page in a later time zone may already have it). Later dates are events.
fn latest_plausible_day(now: Timestamp) -> civil::Date {
    let today = now.to_zoned(STOCKHOLM.clone()).date();
    today.checked_add(1.day()).unwrap_or(today)
}

/// Whether a date may be a publication date seen on `latest` (see
/// [`latest_plausible_day`]).
fn is_plausible(found: &FoundDate, latest: civil::Date) -> bool {
    found.stated_day() <= latest
}

/// Everything dated on the page that may be the article's, sorted by kind.
struct PageEvidence<'f> {
    flow: &'f Flow,
    labels: Vec<LabelledDate>,
    bare_near_headline: Option<FoundDate>,
    json_ld: sources::JsonLdDates,
    metas: Vec<MetaDate>,
    slug: Option<FoundDate>,
    /// Marks already read as the date of a label.
    labelled_marks: HashSet<usize>,
}

impl<'f> PageEvidence<'f> {
    fn gather(cx: &DateContext<'_>, flow: &'f Flow, dated: &DatedElements<'_>) -> PageEvidence<'f> {
        let labels = labelled_dates(flow, cx.now);
        let labelled_marks = labels.iter().filter_map(|label| label.mark).collect();
        let claimed: Vec<Range<usize>> = labels.iter().map(|label| label.span.clone()).collect();
        let bare_near_headline = bare_date_near_headline(flow, &claimed, &labelled_marks);
        PageEvidence {
            flow,
            labels,
            bare_near_headline,
            json_ld: json_ld_dates(dated),
            metas: meta_dates(dated),
            slug: slug_date(cx.url),
            labelled_marks,
        }
    }

    /// The published date by the region's evidence, ranked.
    fn published(&self, latest: civil::Date) -> Option<FoundDate> {
        let ranked = [
            self.label(Kind::Published),
            self.hinted_mark(Kind::Published),
            self.meta(Kind::Published, MetaStrength::Strong),
            self.json_ld.published.clone(),
            self.bare_near_headline.clone(),
            self.meta(Kind::Published, MetaStrength::Weak),
            self.slug.clone(),
        ];
        ranked
            .into_iter()
            .flatten()
            .find(|found| is_plausible(found, latest))
    }

    fn updated(&self, published: Option<&FoundDate>) -> Option<FoundDate> {
        let ranked = [
            self.label(Kind::Updated),
            self.json_ld.updated.clone(),
            self.hinted_mark(Kind::Updated),
            self.meta(Kind::Updated, MetaStrength::Strong),
        ];
        let chosen = ranked.into_iter().flatten().next()?;
        let chosen = self.with_precision(chosen, Kind::Updated);
        let before_published =
            published.is_some_and(|published| is_before(&chosen.date, &published.date));
        (!before_published).then_some(chosen)
    }

    /// The labelled date of this kind nearest the headline; "Publicerad"
    /// before the vaguer "Datum"/"Skapad".
    fn label(&self, kind: Kind) -> Option<FoundDate> {
        self.labels
            .iter()
            .filter(|label| label.kind == kind)
            .min_by_key(|label| (label.vague, self.distance_to_headline(label.span.start)))
            .map(|label| label.found.clone())
    }

    /// A `<time>` whose class or itemprop names this kind and that no label
    /// has read already (a label decides over a class: Limepark writes
    /// "Senast uppdaterad" on a `lp-pubdate` element).
    fn hinted_mark(&self, kind: Kind) -> Option<FoundDate> {
        self.flow
            .marks
            .iter()
            .enumerate()
            .filter(|(index, mark)| mark.hint == Some(kind) && !self.labelled_marks.contains(index))
            .min_by_key(|(_, mark)| self.distance_to_headline(mark.range.start))
            .map(|(_, mark)| mark_found(mark))
    }

    fn meta(&self, kind: Kind, strength: MetaStrength) -> Option<FoundDate> {
        self.metas
            .iter()
            .find(|meta| meta.kind == kind && meta.strength == strength)
            .map(|meta| meta.found.clone())
    }

    /// Machine values of this kind, to add a time to a day-only pick.
    fn machine_values(&self, kind: Kind) -> Vec<FoundDate> {
        let json_ld = match kind {
            Kind::Published => self.json_ld.published.clone(),
            Kind::Updated => self.json_ld.updated.clone(),
            Kind::Reviewed => None,
        };
        let marks = self
            .flow
            .marks
            .iter()
            .filter(|mark| mark.hint == Some(kind))
            .map(mark_found);
        let metas = self
            .metas
            .iter()
            .filter(|meta| meta.kind == kind)
            .map(|meta| meta.found.clone());
        json_ld.into_iter().chain(marks).chain(metas).collect()
    }

    /// A day-only date becomes the first machine value of the same kind with
    /// a time on the same Stockholm day.
    fn with_precision(&self, chosen: FoundDate, kind: Kind) -> FoundDate {
        let PageDate::Day(day) = chosen.date else {
            return chosen;
        };
        self.machine_values(kind)
            .into_iter()
            .find(|machine| {
                matches!(machine.date, PageDate::Time(_)) && machine.stated_day() == day
            })
            .unwrap_or(chosen)
    }

    fn distance_to_headline(&self, offset: usize) -> usize {
        self.flow
            .headline
            .as_ref()
            .map_or(offset, |headline| headline.start.abs_diff(offset))
    }
}

/// Whether `a` is earlier than `b`, comparing days when either is day-only.
fn is_before(a: &PageDate, b: &PageDate) -> bool {
    match (a, b) {
        (PageDate::Time(a), PageDate::Time(b)) => a < b,
        _ => a.local_day() < b.local_day(),
    }
}

fn mark_found(mark: &Mark) -> FoundDate {
    let offset = match mark.offset {
        // A UTC value whose element shows the UTC day: the site keeps UTC.
        Some(Offset::UTC) => mark
            .text_day
            .filter(|&day| Some(day) == utc_day(mark.date))
            .and(mark.offset),
        offset => local_offset(offset),
    };
    FoundDate::new(mark.date, DateSource::TimeElement, mark.detail).with_offset(offset)
}

/// The offset whose day a machine value states. UTC is how servers write
/// instants, not where the page is: a value in UTC states no local day of
/// its own and is read in Stockholm time, like a naive one.
fn local_offset(offset: Option<Offset>) -> Option<Offset> {
    offset.filter(|&offset| offset != Offset::UTC)
}

/// The UTC day of an instant.
fn utc_day(date: PageDate) -> Option<jiff::civil::Date> {
    match date {
        PageDate::Time(t) => Some(Offset::UTC.to_datetime(t).date()),
        PageDate::Day(_) => None,
    }
}

/// A date read after a label.
#[derive(Debug, Clone)]
struct LabelledDate {
    kind: Kind,
    /// "Datum", "Skapad": published, but less sure than "Publicerad".
    vague: bool,
    /// German "Stand": the date the text is valid as of, read as updated,
    /// and as published only by the page-wide search when nothing else
    /// dates the page.
    as_of: bool,
    found: FoundDate,
    /// From the label's start to the date's end, in the flow text.
    span: Range<usize>,
    /// The `<time>` mark the date was read from, if any.
    mark: Option<usize>,
}

/// Every label in a short line that is followed by a date.
fn labelled_dates(flow: &Flow, now: Timestamp) -> Vec<LabelledDate> {
    let mut found = Vec::new();
    let mut lowered = String::new();
    let mut mark_starts: Vec<usize> = flow.marks.iter().map(|mark| mark.range.start).collect();
    mark_starts.sort_unstable();
    for (index, line) in flow.lines.iter().enumerate() {
        let text = &flow.text[line.clone()];
        if text.len() > 4 * MAX_LABEL_LINE_CHARS || text.chars().count() > MAX_LABEL_LINE_CHARS {
            continue;
        }
        if !may_hold_a_labelled_date(flow, index, &mark_starts) {
            continue;
        }
        // Matched on an ASCII-lowercased copy (same byte offsets), so the
        // pattern is case-sensitive and its literals can be searched fast.
        lowered.clear();
        lowered.push_str(text);
        lowered.make_ascii_lowercase();
        for caps in LABEL.captures_iter(&lowered) {
            let Some(label) = caps.get(0) else {
                continue;
            };
            if !stands_as_label(text, label.range()) {
                continue;
            }
            let (kind, vague) = if caps.name("published").is_some() {
                (Kind::Published, false)
            } else if caps.name("created").is_some() {
                (Kind::Published, true)
            } else if caps.name("updated").is_some() || caps.name("as_of").is_some() {
                (Kind::Updated, false)
            } else {
                (Kind::Reviewed, false)
            };
            let label_end = line.start + label.end();
            let Some(dated) = date_after_label(flow, label_end, now) else {
                continue;
            };
            found.push(LabelledDate {
                kind,
                vague,
                as_of: caps.name("as_of").is_some(),
                found: FoundDate::new(dated.date, DateSource::Label, &text[label.range()])
                    .with_offset(dated.offset),
                span: line.start + label.start()..dated.end,
                mark: dated.mark,
            });
        }
    }
    found
}

/// Whether a line may hold a label and its date, before the label pattern
/// is tried: a date has digits, or is a `<time>` (possibly empty), or is a
/// relative word ("i går"), within the reach of a label (its line and the
/// next two).
fn may_hold_a_labelled_date(flow: &Flow, index: usize, mark_starts: &[usize]) -> bool {
    let line = &flow.lines[index];
    let reach_end = flow
        .lines
        .get(index + MAX_LABEL_GAP_LINES)
        .or(flow.lines.last())
        .map_or(line.end, |last| last.end)
        .min(line.end + 4 * MAX_LABEL_LINE_CHARS)
        .max(line.end);
    let reach = &flow.text.as_bytes()[line.start..reach_end];
    let text = &flow.text[line.clone()];
    reach.iter().any(u8::is_ascii_digit)
        || mark_starts[mark_starts.partition_point(|&start| start < line.start)..]
            .first()
            .is_some_and(|&start| start <= reach_end)
        || text.contains("dag")
        || text.contains("går")
}

/// Whether a label word found in a line is used as a label: a whole word
/// (glued digits allowed), and at the line's start, capitalised, or followed
/// by a colon. "Planen uppdaterades den 4 mars" in a short paragraph is prose.
fn stands_as_label(line: &str, label: Range<usize>) -> bool {
    let before = &line[..label.start];
    let after = &line[label.end..];
    if before.chars().next_back().is_some_and(char::is_alphabetic)
        || after.chars().next().is_some_and(char::is_alphabetic)
    {
        return false;
    }
    let at_line_start = !before.chars().any(char::is_alphanumeric);
    let capitalised = line[label.start..]
        .chars()
        .next()
        .is_some_and(char::is_uppercase);
    let before_colon = after.trim_start().starts_with(':');
    at_line_start || capitalised || before_colon
}

/// A date read at some place in the flow, possibly from a `<time>` mark.
struct DateAt {
    date: PageDate,
    /// The mark's UTC offset when the date is the mark's value.
    offset: Option<Offset>,
    end: usize,
    mark: Option<usize>,
}

/// The date right after a label: past separators, at most two line breaks
/// (a `<br>`, a `<dt>`/`<dd>` pair), in visible text or in a `<time>` element.
fn date_after_label(flow: &Flow, label_end: usize, now: Timestamp) -> Option<DateAt> {
    let text = &flow.text;
    let start = skip_label_gap(text, label_end)?;
    let line_end = text[start..].find('\n').map_or(text.len(), |n| start + n);
    let line_end = floor_char_boundary(text, line_end.min(start + 4 * MAX_LABEL_LINE_CHARS));
    if let Some((date, used)) = parse_date_at_start(&text[start..line_end], Some(now)) {
        let span = FoundSpan {
            date,
            start,
            end: start + used,
        };
        return Some(with_mark(flow, span));
    }
    // An empty or unreadable <time> right after the label still has its datetime.
    let (index, mark) = flow
        .marks
        .iter()
        .enumerate()
        .find(|(_, mark)| mark.range.start >= label_end && mark.range.start <= start)?;
    Some(DateAt {
        date: mark.date,
        offset: mark_found(mark).offset,
        end: mark.range.end.max(start),
        mark: Some(index),
    })
}

/// Where a label's date may start: past whitespace, ":", dashes and bars,
/// within [`MAX_LABEL_GAP_CHARS`] and [`MAX_LABEL_GAP_LINES`].
fn skip_label_gap(text: &str, from: usize) -> Option<usize> {
    let mut line_breaks = 0;
    for (count, (offset, c)) in text[from..].char_indices().enumerate() {
        if count > MAX_LABEL_GAP_CHARS {
            return None;
        }
        match c {
            '\n' => {
                line_breaks += 1;
                if line_breaks > MAX_LABEL_GAP_LINES {
                    return None;
                }
            }
            ':' | '-' | '–' | '|' | ',' | '·' | '•' => {}
            c if c.is_whitespace() => {}
            _ => return Some(from + offset),
        }
    }
    None
}

/// A visible date, sharpened by the `<time>` element it is written in: a
/// day-only text with a same-day `datetime` that has a time takes that time.
fn with_mark(flow: &Flow, span: FoundSpan) -> DateAt {
    let range = span.range();
    let found = flow
        .marks
        .iter()
        .enumerate()
        .find(|(_, mark)| overlaps(&mark.range, &range));
    let Some((index, mark)) = found else {
        return DateAt {
            date: span.date,
            offset: None,
            end: span.end,
            mark: None,
        };
    };
    let marked = mark_found(mark);
    let (date, offset) = match (span.date, mark.date) {
        (PageDate::Day(day), PageDate::Time(_)) if marked.stated_day() == day => {
            (mark.date, marked.offset)
        }
        _ => (span.date, None),
    };
    DateAt {
        date,
        offset,
        end: span.end.max(mark.range.end),
        mark: Some(index),
    }
}

/// Whether an element's text range and a date's text range share text (an
/// empty element counts when it sits at the date's start).
fn overlaps(element: &Range<usize>, date: &Range<usize>) -> bool {
    if element.is_empty() {
        return element.start == date.start;
    }
    element.start < date.end && date.start < element.end
}

/// A date standing alone in a short line just before or after the headline,
/// not read by any label: `2012-01-27` above the `<h1>`, "mån 29 mar 2021"
/// under it, a plain `<time>` there, or a second line inside the headline
/// ("Rubrik<br>2 februari 2022"). Without a headline, the first lines of the
/// caller's main element are the article's head.
fn bare_date_near_headline(
    flow: &Flow,
    claimed: &[Range<usize>],
    labelled_marks: &HashSet<usize>,
) -> Option<FoundDate> {
    let (first, last) = match &flow.headline {
        Some(headline) => {
            let first = flow.line_of(headline.start)?;
            let last = flow
                .line_of(headline.end.saturating_sub(1))
                .unwrap_or(first)
                .max(first);
            (first as isize, last as isize)
        }
        None if flow.main_start == Some(0) => (-1, -1),
        None => return None,
    };
    let inside = first + 1..=last;
    let around = LINES_NEAR_HEADLINE
        .iter()
        .map(|&step| if step > 0 { last + step } else { first + step });
    inside
        .chain(around)
        .filter_map(|index| usize::try_from(index).ok())
        .filter(|&index| index < flow.lines.len())
        .find_map(|index| bare_date_in_line(flow, index, claimed, labelled_marks))
}

fn bare_date_in_line(
    flow: &Flow,
    index: usize,
    claimed: &[Range<usize>],
    labelled_marks: &HashSet<usize>,
) -> Option<FoundDate> {
    let line = flow.lines[index].clone();
    let text = flow.line_text(index);
    if text.len() > 4 * MAX_BARE_DATE_LINE_CHARS
        || text.chars().count() > MAX_BARE_DATE_LINE_CHARS
        || looks_like_sentence(text)
    {
        return None;
    }
    let is_claimed = |offset: usize| claimed.iter().any(|span| span.contains(&offset));
    let visible = candidate_starts(text)
        .filter(|&start| !is_claimed(line.start + start))
        .find_map(|start| {
            let (date, used) = parse_date_at_start(&text[start..], None)?;
            let start = line.start + start;
            Some(FoundSpan {
                date,
                start,
                end: start + used,
            })
        });
    let mark = flow.marks.iter().enumerate().find(|(mark_index, mark)| {
        line.contains(&mark.range.start)
            && !labelled_marks.contains(mark_index)
            && !is_claimed(mark.range.start)
    });
    let visible = visible.filter(|span| {
        let outside = format!(
            "{} {}",
            &flow.text[line.start..span.start],
            &flow.text[span.end..line.end]
        );
        words_in(&outside) <= MAX_WORDS_BESIDE_DATE
    });
    match (visible, mark) {
        (Some(span), Some((_, mark)))
            if mark.range.start < span.start && !overlaps(&mark.range, &span.range()) =>
        {
            Some(mark_found(mark))
        }
        (Some(span), _) => {
            let dated = with_mark(flow, span);
            Some(match dated.mark {
                Some(mark_index) => FoundDate::new(
                    dated.date,
                    DateSource::TimeElement,
                    flow.marks[mark_index].detail,
                )
                .with_offset(dated.offset),
                None => FoundDate::new(dated.date, DateSource::Text, "headline"),
            })
        }
        (None, Some((_, mark))) => Some(mark_found(mark)),
        (None, None) => None,
    }
}

/// A line with a bare date is a meta line ("Von Anna | 31.10.2023",
/// "Posted on March 5, 2024 by Sam") when it has at most this many words
/// beside the date; more, and the date is part of a headline or a sentence
/// ("Oliver N. mit Wirkung zum 1.9.2015 zum Vorstand Finanzen bestellt").
const MAX_WORDS_BESIDE_DATE: usize = 8;

/// Words: runs that hold a letter.
fn words_in(text: &str) -> usize {
    text.split_whitespace()
        .filter(|word| word.chars().any(char::is_alphabetic))
        .count()
}

/// A sentence of prose rather than a meta line: ends like a sentence and has
/// several words.
fn looks_like_sentence(text: &str) -> bool {
    let text = text.trim_end();
    text.ends_with(['.', '!', '?']) && text.split_whitespace().count() >= 6
}

/// Boxes with little text beside the headline: its siblings and its
/// parent's. There the page puts the article's meta ("Publicerad 3 mars",
/// an `<aside>` with the date and category), so they are read whatever
/// their tag or class says; a box with a heading of its own is a section,
/// not meta.
fn boxes_beside(headline: Option<ElementRef<'_>>) -> FastSet<NodeKey> {
    let mut boxes = FastSet::default();
    let mut node = headline.map(|headline| *headline);
    for _ in 0..2 {
        let Some(current) = node else {
            break;
        };
        let Some(parent) = current.parent() else {
            break;
        };
        for sibling in parent.children().filter(|sibling| *sibling != current) {
            if let Some(element) = ElementRef::wrap(sibling) {
                if is_small_box(element) {
                    boxes.insert(element_key(element));
                }
            }
        }
        node = Some(parent);
    }
    boxes
}

/// Boxes beside the headline with more text than this are content.
const MAX_BOX_CHARS: usize = 200;

/// Little text and no heading.
fn is_small_box(element: ElementRef<'_>) -> bool {
    let mut chars = 0;
    for node in element.descendants() {
        match node.value() {
            scraper::Node::Text(text) => {
                chars += text.trim().len();
                if chars > MAX_BOX_CHARS {
                    return false;
                }
            }
            scraper::Node::Element(inner) => {
                if matches!(inner.name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6") {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

/// The chosen instant in the offset the page states its day in: a value
/// written in UTC (or naive) that the page also writes, as the same instant,
/// with a local offset (`article:published_time` in UTC beside a
/// `<time datetime="…-05:00">`) takes that offset; one that a `<time>`
/// shows on its UTC day keeps UTC.
fn localised(chosen: FoundDate, dated: &DatedElements<'_>) -> FoundDate {
    let PageDate::Time(instant) = chosen.date else {
        return chosen;
    };
    if chosen.offset.is_some() {
        return chosen;
    }
    let mut utc_shown = false;
    for (value, text) in dated.machine_values() {
        let Some((PageDate::Time(other), Some(offset))) = parse::parse_machine_stated(value) else {
            continue;
        };
        if other != instant {
            continue;
        }
        if offset != Offset::UTC {
            return chosen.with_offset(Some(offset));
        }
        let shown_day = text.and_then(|text| parse::find_date(&text, None));
        utc_shown |= shown_day
            .is_some_and(|found| Some(found.date.local_day()) == utc_day(PageDate::Time(instant)));
    }
    if utc_shown {
        return chosen.with_offset(Some(Offset::UTC));
    }
    // The page's address names the day before or after: the page lives in
    // another zone than Stockholm, and its scripts may state the instant in
    // local time (`"2020-02-24T21:25:54-05:00"` beside a `…T02:25:54Z`).
    let address_day = wide::address_date(dated).map(|found| found.date.local_day());
    let next_to = |day: civil::Date| {
        day.checked_add(1.day()).ok() == Some(chosen.stated_day())
            || day.checked_sub(1.day()).ok() == Some(chosen.stated_day())
    };
    if let Some(offset) = address_day
        .filter(|&day| next_to(day))
        .and_then(|day| local_offset_in_scripts(instant, day, dated))
    {
        return chosen.with_offset(Some(offset));
    }
    chosen
}

/// The offset with which an inline script writes `instant` on `day`:
/// found by the instant's minutes and seconds (`:25:54`), which no whole-
/// or half-hour offset changes, then read as a full ISO value around them.
fn local_offset_in_scripts(
    instant: Timestamp,
    day: civil::Date,
    dated: &DatedElements<'_>,
) -> Option<Offset> {
    /// "2020-02-24T21" before the minutes, "-05:00" after the seconds.
    const BEFORE: usize = 13;
    const AFTER: usize = 10;
    let utc = Offset::UTC.to_datetime(instant);
    let needle = format!(":{:02}:{:02}", utc.minute(), utc.second());
    dated.script_texts().find_map(|text| {
        memchr::memmem::find_iter(text.as_bytes(), needle.as_bytes()).find_map(|at| {
            let start = at.checked_sub(BEFORE)?;
            let window = text.get(start..(at + needle.len() + AFTER).min(text.len()))?;
            let value: String = window
                .chars()
                .take_while(|c| !matches!(c, '"' | '\'' | ','))
                .collect();
            let value = value.trim_end_matches(|c: char| !c.is_ascii_digit());
            let (PageDate::Time(other), Some(offset)) = parse::parse_machine_stated(value)? else {
                return None;
            };
            (other == instant && offset != Offset::UTC && offset.to_datetime(instant).date() == day)
                .then_some(offset)
        })
    })
}

/// The headline when the caller found none: the first `<h1>` of the main
/// element, else of the page.
fn first_headline<'a>(cx: &DateContext<'a>) -> Option<ElementRef<'a>> {
    cx.main
        .and_then(|main| main.select(&H1).next())
        .or_else(|| cx.doc.select(&H1).next())
}

/// The headline, the main element and all their ancestors: never skipped as
/// furniture, whatever their class says (`has-sidebar`, an ASP.NET `<form>`
/// around the whole page).
fn protected_nodes(elements: [Option<ElementRef<'_>>; 2]) -> FastSet<NodeKey> {
    elements
        .into_iter()
        .flatten()
        .flat_map(|element| std::iter::once(*element).chain(element.ancestors()))
        .map(|node| node_key(node.value()))
        .collect()
}

/// The element to read dates from: the `<main>` (or `role="main"`) element
/// around the headline and the main element, else the nearest `<article>`,
/// else the caller's main element (joined with the headline), else the page.
fn article_region<'a>(cx: &DateContext<'a>, headline: Option<ElementRef<'a>>) -> ElementRef<'a> {
    let page = cx.doc.root_element();
    let anchor = match (cx.main, headline) {
        (Some(main), Some(headline)) => common_ancestor(main, headline).unwrap_or(page),
        (Some(main), None) => main,
        (None, Some(headline)) => headline,
        (None, None) => return page,
    };
    let mut nearest_article = None;
    for element in std::iter::once(*anchor)
        .chain(anchor.ancestors())
        .filter_map(ElementRef::wrap)
    {
        let name = element.value().name();
        let role_main = attr(element.value(), "role")
            .is_some_and(|role| role.trim().eq_ignore_ascii_case("main"));
        if name == "main" || role_main {
            return element;
        }
        if name == "article" && nearest_article.is_none() {
            nearest_article = Some(element);
        }
    }
    nearest_article.unwrap_or(if cx.main.is_some() { anchor } else { page })
}

fn common_ancestor<'a>(a: ElementRef<'a>, b: ElementRef<'a>) -> Option<ElementRef<'a>> {
    let a_chain: HashSet<NodeKey> = std::iter::once(*a)
        .chain(a.ancestors())
        .map(|node| node_key(node.value()))
        .collect();
    std::iter::once(*b)
        .chain(b.ancestors())
        .find(|node| a_chain.contains(&node_key(node.value())))
        .and_then(ElementRef::wrap)
}

/// The largest char boundary at or below `index`.
fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod corpus_check;
#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE_URL: &str = "https://www.kommun.se/nyheter/artikel.html";

    /// Like `check_at` on a URL without a date.
    fn check(html: &str, published: &str, updated: &str) {
        check_at(ARTICLE_URL, html, published, updated);
    }

    /// Runs `find_dates` with the first `<h1>` as headline and no main
    /// element, and compares each date as `<value> <source:detail>` (a day
    /// `YYYY-MM-DD`, an instant in Stockholm time) or `-`.
    fn check_at(url: &str, html: &str, published: &str, updated: &str) {
        let doc = Html::parse_document(html);
        let headline = doc.select(&H1).next();
        let dates = dates_with(&doc, None, headline, url);
        assert_eq!(
            (
                show(&dates.published).as_str(),
                show(&dates.updated).as_str()
            ),
            (published, updated),
            "find_dates on {html}"
        );
    }

    /// Like `check`, with the main element given by a selector.
    fn check_in_main(main: &str, html: &str, published: &str, updated: &str) {
        let doc = Html::parse_document(html);
        let main = doc.select(&Selector::parse(main).unwrap()).next();
        let headline = doc.select(&H1).next();
        let dates = dates_with(&doc, main, headline, ARTICLE_URL);
        assert_eq!(
            (
                show(&dates.published).as_str(),
                show(&dates.updated).as_str()
            ),
            (published, updated),
            "find_dates in {main:?} on {html}"
        );
    }

    fn dates_with<'a>(
        doc: &'a Html,
        main: Option<ElementRef<'a>>,
        headline: Option<ElementRef<'a>>,
        url: &str,
    ) -> PageDates {
        let url = Url::parse(url).unwrap();
        let cx = DateContext {
            doc,
            main,
            headline,
            url: &url,
            now: "2025-06-10T10:00:00Z".parse().unwrap(),
        };
        find_dates(&cx)
    }

    fn show(found: &Option<FoundDate>) -> String {
        let Some(found) = found else {
            return "-".to_string();
        };
        // As `extract` states it, to the minute: the page's own offset.
        let stated = found.stated();
        let value = match found.date {
            PageDate::Day(_) => stated,
            PageDate::Time(_) => format!("{}{}", &stated[..16], &stated[19..]),
        };
        format!("{value} {}", found.describe())
    }

    #[test]
    fn sitevision_label_glued_to_its_date() {
        check(
            r#"<main><div id="Rubrik"><h1>Ny näringslivsutvecklare</h1></div>
            <p class="ingress">Från Umeå till Barcelona och vidare till Småland, berättar hon.</p>
            <p class="small"><span class="pubdate__label">Publiceringsdatum</span><span>29-mars-2021</span></p>
            <p>Vi ses på mässan den 4 oktober och igen 3 mars.</p>
            <p class="small">Uppdaterad: <span>31-maj-2021</span></p></main>"#,
            "2021-03-29 label:Publiceringsdatum",
            "2021-05-31 label:Uppdaterad",
        );
    }

    #[test]
    fn episerver_definition_list_with_naive_time() {
        check(
            r#"<main><h1>Nytt verksamhetsområde</h1>
            <dl class="meta"><dt>Organisation:</dt><dd>Näringslivskontoret</dd>
            <dt>Publicerad:</dt><dd><time datetime="2024-10-02T14:05">2 oktober 2024, kl. 14.05</time></dd></dl>
            <p>Text.</p></main>"#,
            "2024-10-02T14:05+02:00 label:Publicerad",
            "-",
        );
    }

    #[test]
    fn municipio_signature_naive_local_against_utc_meta() {
        check(
            r#"<html><head><meta property="article:published_time" content="2024-09-12T08:50:31+00:00">
            <meta property="article:modified_time" content="2024-09-13T06:05:00+00:00"></head>
            <body><main><article><h1>Rubrik</h1>
            <div class="c-signature__dates"><span class="c-signature__published">Publicerad: <time class="c-date" datetime="2024-09-12T10:50:31">2024-09-12 10:50</time></span><span class="c-signature__updated">Uppdaterad: <time class="c-date" datetime="2024-09-13T08:05:00">2024-09-13 08:05</time></span></div>
            <p>Text.</p></article></main></body></html>"#,
            "2024-09-12T10:50+02:00 label:Publicerad",
            "2024-09-13T08:05+02:00 label:Uppdaterad",
        );
    }

    #[test]
    fn municipio_meta_alone_is_utc() {
        check(
            r#"<html><head><meta name="pubdate" content="2024-09-12">
            <meta property="article:published_time" content="2024-09-12T08:50:31+00:00"></head>
            <body><main><h1>Rubrik</h1><p>Text.</p></main></body></html>"#,
            "2024-09-12T10:50+02:00 meta:article:published_time",
            "-",
        );
    }

    #[test]
    fn sitevision_date_and_clock_in_two_time_elements() {
        check(
            r#"<main><h1>Rubrik</h1><p class="ingress">Ingress.</p>
            <p>Artikeln publicerades <time datetime="2024-11-05T09:42:10+01:00">5 november 2024</time> kl <time datetime="2024-11-05T09:42:10+01:00">9.42</time></p></main>"#,
            "2024-11-05T09:42+01:00 label:Artikeln publicerades",
            "-",
        );
    }

    #[test]
    fn limepark_label_decides_over_the_class() {
        check(
            r#"<main><h1>Rubrik</h1><p>Text.</p>
            <p>Senast uppdaterad <time class="lp-pubdate small" datetime="2024-08-28T10:00:00+02:00">28 augusti 2024</time></p></main>"#,
            "-",
            "2024-08-28T10:00+02:00 label:Senast uppdaterad",
        );
        check(
            r#"<main><h1>Rubrik</h1><span class="lp-pubdate">Publicerad <span>28 augusti 2024</span></span></main>"#,
            "2024-08-28 label:Publicerad",
            "-",
        );
    }

    #[test]
    fn label_then_line_break_then_date() {
        check(
            r#"<div class="content"><h1>Rubrik</h1><p>Text.</p>
            <p><strong>Publicerad:</strong><br>4 mars 2025</p>
            <p><strong>Senast uppdaterad:</strong><br> 4 mars 2025 10:05</p></div>"#,
            "2025-03-04 label:Publicerad",
            "2025-03-04T10:05+01:00 label:Senast uppdaterad",
        );
    }

    #[test]
    fn service_message_padded_date_only_time_element() {
        check(
            r#"<main><h1>Driftstörning</h1><p><time datetime="2024-09-02"> 2 september 2024 </time></p>
            <p>Uppdaterad: 2 september 2024 av Anna Svensson</p></main>"#,
            "2024-09-02 time-element:datetime",
            "2024-09-02 label:Uppdaterad",
        );
    }

    #[test]
    fn site_footer_update_date_is_a_trap() {
        check(
            r#"<body><main><h1>Rubrik</h1><div class="meta">mån 29 mar 2021</div><p>Text.</p></main>
            <footer><p>Senast uppdaterad: 2023-11-08</p></footer></body>"#,
            "2021-03-29 text:headline",
            "-",
        );
        check(
            r#"<body><div class="page"><h1>Rubrik</h1><p>2021-03-29</p><p>Text.</p></div>
            <div id="site-footer"><p>Senast uppdaterad: 2023-11-08</p></div></body>"#,
            "2021-03-29 text:headline",
            "-",
        );
    }

    #[test]
    fn update_date_in_the_text_column_is_the_articles() {
        check(
            r#"<table><tr><td class="meny"><a href="/">Start</a></td>
            <td class="innehall"><span class="datum">2012-01-27</span><br><h1>Rubrik</h1>
            <p class="ingress"><b>Ingress.</b><p>Brödtext.<br><br>Mer text.
            <p class="sidinfo"><font size="1">Sidansvarig: Anna Svensson<br>Senast uppdaterad: 2012-04-16</font></p></td></tr>
            <tr><td class="sidfot">Kommunen, Storgatan 1</td></tr></table>"#,
            "2012-01-27 text:headline",
            "2012-04-16 label:Senast uppdaterad",
        );
    }

    #[test]
    fn sidebar_event_dates_are_not_the_articles() {
        check(
            r#"<main><div class="col-8"><article><h1>Så blir ditt företag leverantör</h1>
            <p>Text utan datum.</p></article></div>
            <aside><h2>Evenemang</h2><ul><li><span>12 maj 2022</span> Frukost</li></ul></aside></main>"#,
            "-",
            "-",
        );
        check(
            r#"<div class="wrapper"><h1>Så blir ditt företag leverantör</h1><p>Text utan datum.</p>
            <div class="event-list"><span>12 maj 2022</span> Frukost</div>
            <div class="sidebar-right"><time datetime="2022-05-24">24 maj 2022</time></div></div>"#,
            "-",
            "-",
        );
    }

    #[test]
    fn comment_dates_are_not_the_posts() {
        check(
            r#"<main id="main"><article class="post"><header class="entry-header"><h1 class="entry-title">Näringsliv</h1>
            <div class="entry-meta"><span class="byline">Publicerat av <a href="/a/">Kommunchefen</a></span>
            <span class="posted-on"><time class="entry-date published" datetime="2019-10-18T16:42:11+02:00">18 oktober 2019</time></span></div></header>
            <div class="entry-content"><p>Text.</p></div></article>
            <div id="comments" class="comments-area"><article class="comment-body"><footer class="comment-meta">
            <time datetime="2019-10-21T08:02:00+02:00">21 oktober 2019 kl. 08:02</time></footer><p>Bra!</p></article></div></main>"#,
            "2019-10-18T16:42+02:00 time-element:datetime",
            "-",
        );
        check(
            r#"<main><article><h1>Utan datum</h1><p>Text.</p></article>
            <ol class="comment-list"><li class="comment"><time datetime="2019-10-21T08:02:00+02:00">21 oktober 2019</time></li></ol></main>"#,
            "-",
            "-",
        );
    }

    #[test]
    fn wordpress_updated_label_and_class() {
        check(
            r#"<main><article><h1>Ett år</h1><div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="2021-03-29T13:50:11+02:00">29 mars 2021</time>
            <span class="updated-on">Uppdaterad <time class="updated" datetime="2021-04-06T08:15:40+02:00">6 april 2021</time></span></span></div></article></main>"#,
            "2021-03-29T13:50+02:00 time-element:datetime",
            "2021-04-06T08:15+02:00 label:Uppdaterad",
        );
    }

    #[test]
    fn reviewed_is_neither_published_nor_updated() {
        check(
            r#"<html><head><meta name="granskad" content="2023-03-10"></head><body><main><h1>Rubrik</h1>
            <div class="publishinginfo">Senast granskad <strong>02 januari 2025</strong></div><p>Text.</p></main></body></html>"#,
            "-",
            "-",
        );
        check(
            r#"<main><h1>Rubrik</h1><p>Publicerad: 3 mars 2025</p><p>Granskad: 5 maj 2025</p></main>"#,
            "2025-03-03 label:Publicerad",
            "-",
        );
    }

    #[test]
    fn no_date_at_all() {
        check(
            r#"<main><h1>Så blir ditt företag leverantör</h1>
            <p>Upphandlingsdagen är den 4 oktober, anmäl dig före 3 mars.</p></main>"#,
            "-",
            "-",
        );
        check("", "-", "-");
        check("<p>Publicerad</p>", "-", "-");
    }

    #[test]
    fn url_slug_only_when_nothing_better() {
        let page = "<main><h1>Rubrik</h1><p>Text.</p></main>";
        check_at(
            "https://kommun.se/nyheter/2022-03-30-foretagsnatverk.html",
            page,
            "2022-03-30 url-slug:2022-03-30-",
            "-",
        );
        check_at(
            "https://kommun.se/blogg/2019/10/18/naringsliv/",
            page,
            "2019-10-18 url-slug:2019/10/18",
            "-",
        );
        check_at(
            "https://kommun.se/nyheter/2021/03/strategi/",
            page,
            "-",
            "-",
        );
        check_at(
            "https://kommun.se/nyheter/2022-03-30-foretagsnatverk.html",
            "<main><h1>Rubrik</h1><p>Publicerad 2 april 2022</p></main>",
            "2022-04-02 label:Publicerad",
            "-",
        );
    }

    #[test]
    fn day_only_label_takes_the_time_of_a_same_day_machine_value() {
        check(
            r#"<html><head><meta property="article:published_time" content="2018-02-05T09:12:00+01:00"></head>
            <body><main><article><h1>Smakstart</h1><p class="article__date">Publicerad 2018-02-05</p></article></main>
            <aside><span>12 maj 2022</span></aside></body></html>"#,
            "2018-02-05T09:12+01:00 meta:article:published_time",
            "-",
        );
        check(
            r#"<html><head><meta property="article:published_time" content="2018-02-06T09:12:00+01:00"></head>
            <body><main><h1>Smakstart</h1><p>Publicerad 2018-02-05</p></main></body></html>"#,
            "2018-02-05 label:Publicerad",
            "-",
        );
    }

    #[test]
    fn json_ld_graph_gives_times_to_drupal_dates() {
        check(
            r#"<html><head><script type="application/ld+json">{"@context":"https://schema.org","@graph":[
            {"@type":"WebSite","name":"Kommunen"},
            {"@type":"NewsArticle","datePublished":"2021-03-29T13:05:00+02:00","dateModified":"2021-03-31T08:20:00+02:00",
             "comment":[{"@type":"Comment","datePublished":"2021-04-01T10:00:00+02:00"}]}]}</script></head>
            <body><main><h1>Ny strategi</h1><article><div class="node__meta"><span>mån 29 mar 2021</span> <span>Uppdaterad ons 31 mar 2021</span></div>
            <p>Text.</p></article></main><footer><p>Senast uppdaterad: 2023-11-08</p></footer></body></html>"#,
            "2021-03-29T13:05+02:00 json-ld:datePublished",
            "2021-03-31T08:20+02:00 json-ld:dateModified",
        );
    }

    #[test]
    fn json_ld_article_before_web_page_and_no_comments() {
        check(
            r#"<script type="application/ld+json">[{"@type":"WebPage","datePublished":"2020-01-01"},
            {"@type":["BlogPosting"],"datePublished":"2021-05-05T10:00:00Z"}]</script>
            <script type="application/ld+json">{"@type":"Comment","datePublished":"2022-01-01"}</script>
            <script type="application/ld+json">not json</script><main><h1>Rubrik</h1></main>"#,
            "2021-05-05T12:00+02:00 json-ld:datePublished",
            "-",
        );
    }

    #[test]
    fn label_words_in_prose_are_not_labels() {
        check(
            r#"<main><h1>Rubrik</h1><p>Ingressen är här och den är lite längre än en rad brukar vara på sidan.</p>
            <p>Planen uppdaterades den 4 mars 2024.</p>
            <p>Håll dig uppdaterad 3 mars 2024 om nyheter, eller läs om vad som är ny eller ändrad 5 maj 2024.</p>
            <p>Det här är ett långt stycke som nämner att dokumentet Publicerad: 3 mars 2024 fanns, och fortsätter sedan länge med mycket text om näringslivet, företagen, kommunen, upphandlingar, vägar, skolor, kompetensförsörjning och allt annat som ett långt stycke kan handla om i en kommun.</p></main>"#,
            "-",
            "-",
        );
    }

    #[test]
    fn an_instant_keeps_the_day_of_its_own_offset() {
        check(
            r#"<head><meta property="article:published_time" content="2020-02-15T07:00:00+09:00"></head><main><h1>R</h1></main>"#,
            "2020-02-15T07:00+09:00 meta:article:published_time",
            "-",
        );
        check(
            r#"<main><article><h1>R</h1><time class="entry-date published" datetime="2019-12-26T23:07:45+00:00">26 December 2019</time></article></main>"#,
            "2019-12-26T23:07+00:00 time-element:datetime",
            "-",
        );
        check(
            r#"<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2023-11-08T18:03:23-05:00"}</script><main><h1>R</h1></main>"#,
            "2023-11-08T18:03-05:00 json-ld:datePublished",
            "-",
        );
        // UTC is how a server writes, not where the page is: Stockholm time,
        // unless the element itself shows the UTC day (above).
        check(
            r#"<head><meta property="article:published_time" content="2018-12-31T23:11:59+00:00"></head><main><h1>R</h1></main>"#,
            "2019-01-01T00:11+01:00 meta:article:published_time",
            "-",
        );
        check(
            r#"<main><article><h1>R</h1><time class="entry-date published" datetime="2018-12-31T23:11:59Z">Neujahr</time></article></main>"#,
            "2019-01-01T00:11+01:00 time-element:datetime",
            "-",
        );
        // A page whose address names the day before the instant's: its
        // scripts state the instant in the page's own offset.
        check(
            r#"<head><link rel="canonical" href="https://news.example/2020/02/24/story/">
            <meta property="article:published_time" content="2020-02-25T02:25:54+00:00"></head>
            <script>var page = {"section":"tv","date":"2020-02-24T21:25:54-05:00"};</script><main><h1>R</h1></main>"#,
            "2020-02-24T21:25-05:00 meta:article:published_time",
            "-",
        );
    }

    #[test]
    fn json_ld_as_people_write_it() {
        // Comments, a trailing comma, a raw line break in a string.
        check(
            "<script type=\"application/ld+json\">{\"@type\": \"NewsArticle\", // the post\n\"headline\": \"Two\nlines\",\n/* dates */ \"datePublished\": \"2021-03-29T13:05:00+02:00\",}</script><main><h1>R</h1></main>",
            "2021-03-29T13:05+02:00 json-ld:datePublished",
            "-",
        );
        // A stray closing brace after the object.
        check(
            r#"<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2020-10-26T18:10:00+01:00"}}</script><main><h1>R</h1></main>"#,
            "2020-10-26T18:10+01:00 json-ld:datePublished",
            "-",
        );
        // A bare <script> holding schema.org JSON.
        check(
            r#"<script>{"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": "2022-01-28T06:00:00+01:00"}</script><main><h1>R</h1></main>"#,
            "2022-01-28T06:00+01:00 json-ld:datePublished",
            "-",
        );
        // Beyond repair: the first datePublished string still counts.
        check(
            r#"<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2019-05-02", headline: broken}</script><main><h1>R</h1></main>"#,
            "2019-05-02 json-ld:datePublished",
            "-",
        );
        // A plain script that mentions a date is not JSON-LD: it is page
        // state, read only when nothing else dates the page.
        check(
            r#"<script>var x = {"datePublished": "2019-05-02"};</script><main><h1>R</h1></main>"#,
            "2019-05-02 json-ld:script",
            "-",
        );
        check(
            r#"<script>var x = {"datePublished": "2019-05-02"};</script><main><h1>R</h1><p>2020-01-03</p></main>"#,
            "2020-01-03 text:headline",
            "-",
        );
    }

    #[test]
    fn meta_names_read_by_their_words() {
        check(
            r#"<head><meta name="dtk:publishdate" content="2021-04-01"><meta name="bt:moddate" content="2021-04-03"></head><main><h1>R</h1></main>"#,
            "2021-04-01 meta:dtk:publishdate",
            "2021-04-03 meta:bt:moddate",
        );
        check(
            r#"<head><meta name="dcterms.date" content="2021-04-02"><meta name="article:published" content="2021-04-01"></head><main><h1>R</h1></main>"#,
            "2021-04-01 meta:article:published",
            "-",
        );
        check(
            r#"<head><meta name="bepress_citation_date" content="2009-09-15"></head><main><h1>R</h1></main>"#,
            "2009-09-15 meta:bepress_citation_date",
            "-",
        );
        check(
            r#"<head><meta name="article:expiration_time" content="2030-01-01"><meta property="article:publisher" content="2021-01-01">
            <meta name="uploadDate" content="2021-01-02"><meta name="granskad" content="2021-01-03"></head><main><h1>R</h1></main>"#,
            "-",
            "-",
        );
    }

    #[test]
    fn aside_meta_box_beside_the_headline_is_read() {
        check(
            r#"<main><article><header><div class="pre"><a href="/wohnen">Wohnen</a>
            <aside class="c-meta"><time itemprop="datePublished" datetime="2022-02-04T15:29:27+01:00">04. Februar 2022</time></aside></div>
            <h1>Titel</h1></header><p>Text.</p></article>
            <aside class="sidebar"><time datetime="2022-05-24">24 maj 2022</time></aside></main>"#,
            "2022-02-04T15:29+01:00 time-element:datePublished",
            "-",
        );
        // A box beside the headline with a label the vocabulary lacks.
        check(
            r#"<main><div class="head"><h1>Rubrik</h1><aside class="info">Inlagd: 3 mars 2025</aside></div><p>Text.</p></main>"#,
            "2025-03-03 text:headline",
            "-",
        );
        check(
            r#"<main><h1>Rubrik</h1><p class="meta">Skrivet den 4 mars 2025 av Anna</p><p>Text.</p></main>"#,
            "2025-03-04 text:headline",
            "-",
        );
        // A box with a heading of its own is a section, not meta.
        check(
            r#"<main><div class="head"><h1>Rubrik</h1><aside><h2>Evenemang</h2><p>12 maj 2022</p></aside></div><p>Text.</p></main>"#,
            "-",
            "-",
        );
    }

    #[test]
    fn date_on_a_second_line_of_the_headline() {
        check(
            r#"<main><h1>Zuschauer kehren zurück<br><small>02.02.2022 •</small></h1><p>Text.</p></main>"#,
            "2022-02-02 text:headline",
            "-",
        );
    }

    #[test]
    fn without_headline_the_main_elements_first_lines() {
        check_in_main(
            "div.post",
            r#"<div class="post"><p class="kicker">Nachricht</p><p>26. Januar 2022</p><p>Text.</p></div>"#,
            "2022-01-26 text:headline",
            "-",
        );
    }

    #[test]
    fn page_wide_search_when_the_region_has_no_date() {
        // Microformats: a date in <abbr title>, in a post footer.
        check_in_main(
            "div.post-body",
            r#"<div class="post"><h3>Rezi</h3><div class="post-body"><p>Text.</p></div>
            <div class="post-footer"><abbr class="published" title="2017-09-09T10:52:00+02:00">10:52</abbr></div></div>"#,
            "2017-09-09T10:52+02:00 time-element:title",
            "-",
        );
        // RDFa property with content, in the article's own footer.
        check(
            r#"<article><h1>Titel</h1><p>Text.</p><footer><h6>Anna | <span property="schema:dateCreated" content="2020-04-21T14:40:07+02:00"></span></h6></footer></article>"#,
            "2020-04-21T14:40+02:00 time-element:dateCreated",
            "-",
        );
        // A date box by its class, far below the headline.
        check(
            r#"<main><h1>Titel</h1><p>Ein Absatz.</p><p>Noch einer.</p><p>Und noch einer.</p><p>Vier.</p><p>Fünf.</p>
            <div class="asset-footer"><div class="asset-meta">Von Christian am 03.05.2013, 11:51 | 0 Meinungen</div></div></main>"#,
            "2013-05-03T11:51+02:00 time-element:class",
            "-",
        );
        // Comments and sidebars keep their dates.
        check(
            r#"<main><h1>Titel</h1><p>Text.</p></main><div class="sidebar"><span class="date">1. Mai 2020</span></div>
            <ol class="commentlist"><li><span class="comment-date">2. Mai 2020</span></li></ol>"#,
            "-",
            "-",
        );
        // An updated label's date is not the published one.
        check(
            r#"<main><h1>Titel</h1><p>Text.</p></main><div class="info">Zuletzt aktualisiert am 6. März 2024</div>"#,
            "-",
            "-",
        );
    }

    #[test]
    fn a_side_columns_label_describes_the_page_its_bare_dates_do_not() {
        check(
            r#"<main><h1>Épisode 13</h1><p>Texte.</p><div class="podcast__sidebar"><ul><li><p>Durée</p><p>12 min</p></li>
            <li><p>Mise en ligne</p><p>23 mai 2019</p></li></ul><p>Aussi: 12 mai 2019</p></div></main>"#,
            "2019-05-23 label:Mise en ligne",
            "-",
        );
        check(
            r#"<main><h1>Épisode 13</h1><p>Texte.</p><div class="podcast__sidebar"><p>12 mai 2019</p><time datetime="2019-05-12">hier</time></div></main>"#,
            "-",
            "-",
        );
    }

    #[test]
    fn a_post_meta_sentence_with_the_verb_after_the_date() {
        check_in_main(
            "div.entry",
            r#"<div class="post"><h2>Kein Cyberterrorismus</h2><div class="entry"><p>Text.</p></div>
            <p class="postmetadata">Dieser Beitrag wurde am Samstag, 3. Dezember 2011 um 10:15 Uhr veröffentlicht und unter Cybercrime, Sicherheit, Netzpolitik, Überwachung gespeichert. Du kannst die Kommentare zu diesem Beitrag über den RSS 2.0 Feed verfolgen.</p></div>"#,
            "2011-12-03T10:15+01:00 label:veröffentlicht",
            "-",
        );
    }

    #[test]
    fn dates_of_a_list_of_items_do_not_date_the_page() {
        let page = |items: &str| {
            format!(
                r#"<main><h1>Gymnasiet</h1><p>Ditt gymnasieval</p><p>Våra program</p><p>Vår skola</p><p>Praktisk information</p>
                <p>Matsedel</p><p>Schema</p><p>Kalendariet</p><p>Läsårstider</p><p>Aktuellt</p><p>Mattestuga</p><p>Datorservice</p><p>Studiestuga</p><h2>Nyheter</h2>{items}</main>"#
            )
        };
        let item = |date: &str, title: &str| {
            format!(
                r#"<div class="item"><time datetime="{date}">{date}</time><h3>{title}</h3><p>Om {title}.</p></div>"#
            )
        };
        let three = [
            item("6 maj 2025", "Studenten"),
            item("18 oktober 2024", "Öppet hus"),
            item("22 augusti 2024", "Skolstart"),
        ]
        .concat();
        check(&page(&three), "-", "-");
        check(
            &page(&item("6 maj 2025", "Studenten")),
            "2025-05-06 text:headline",
            "-",
        );
    }

    /// The wordings of real municipal templates, each in a meta line
    /// beside the headline.
    #[test]
    fn municipal_date_wording() {
        let cases = [
            (
                "<p><strong>Publicerad:</strong><br>4 mars 2025</p><p><strong>Senast uppdaterad:</strong><br>4 mars 2025 10:05</p>",
                "2025-03-04 label:Publicerad",
                "2025-03-04T10:05+01:00 label:Senast uppdaterad",
            ),
            (
                "<p>Uppdaterades: 6 november 2024<br/>Informationsägare: Kultur och fritid</p>",
                "-",
                "2024-11-06 label:Uppdaterades",
            ),
            (
                r#"<p class="last-updated">Uppdaterad <time datetime="2019-12-20T14:06"></time></p>"#,
                "-",
                "2019-12-20T14:06+01:00 label:Uppdaterad",
            ),
            (
                "<p>Senast ändrad: <time>19 december, 2024</time></p>",
                "-",
                "2024-12-19 label:Senast ändrad",
            ),
            (
                r#"<p class="meta">17 okt. 2024 | Näringsliv</p>"#,
                "2024-10-17 text:headline",
                "-",
            ),
            (
                "<p>Publicerad 2 oktober 2024, kl. 8.15</p>",
                "2024-10-02T08:15+02:00 label:Publicerad",
                "-",
            ),
            (
                "<p>Anslaget publicerades: 3 mars 2025</p>",
                "2025-03-03 label:Anslaget publicerades",
                "-",
            ),
            (
                r#"<div class="sol-publish-info">Senast uppdaterad: 02 januari 2024</div>"#,
                "-",
                "2024-01-02 label:Senast uppdaterad",
            ),
            (
                "<p>Sidan senast ändrad: 13 maj 2025</p>",
                "-",
                "2025-05-13 label:Sidan senast ändrad",
            ),
            (
                "<aside class=\"article-meta\">Publicerad 4 mars 2025 av Anna Berg</aside>",
                "2025-03-04 label:Publicerad",
                "-",
            ),
            ("<p>Senast granskad <strong>02 januari 2025</strong></p>", "-", "-"),
            ("<p>Inlagd: 3 mars 2025</p>", "2025-03-03 text:headline", "-"),
            ("<p>Skrivet torsdagen den 21 november 2024</p>", "2024-11-21 text:headline", "-"),
        ];
        for (meta, published, updated) in cases {
            check(
                &format!("<main><article><div class=\"head\"><h1>Rubrik</h1>{meta}</div><p>Text om kommunen.</p></article></main>"),
                published,
                updated,
            );
        }
    }

    #[test]
    fn date_in_the_canonical_address() {
        check(
            r#"<head><link rel="canonical" href="https://news.example/2020/08/24/story.aspx"></head><main><h1>R</h1><p>16:45 Text.</p></main>"#,
            "2020-08-24 url-slug:2020/08/24",
            "-",
        );
        check(
            r#"<head><meta property="og:url" content="https://news.example/2020-08-24-story"></head><main><h1>R</h1></main>"#,
            "2020-08-24 url-slug:2020-08-24-",
            "-",
        );
    }

    #[test]
    fn stale_og_updated_time_is_ignored() {
        check(
            r#"<head><meta property="og:updated_time" content="1692358379">
            <meta property="og:updated_time" content="2023-08-18T11:32:59+00:00">
            <meta property="article:published_time" content="2025-01-10T09:00:00+01:00"></head><main><h1>R</h1></main>"#,
            "2025-01-10T09:00+01:00 meta:article:published_time",
            "-",
        );
    }

    #[test]
    fn dublin_core_and_rek_metas() {
        check(
            r#"<head><meta name="DC.Date.Published" content="2025-03-04 10.05">
            <meta name="DC.Date.Modified" content="2025-03-05 08:00"></head><main><h1>R</h1></main>"#,
            "2025-03-04T10:05+01:00 meta:DC.Date.Published",
            "2025-03-05T08:00+01:00 meta:DC.Date.Modified",
        );
        check(
            r#"<head><meta name="rek:pubdate" content="2025-03-04T09:05:00.000Z">
            <meta name="rek:moddate" content="2025-03-06T13:16:52.000Z"></head><main><h1>R</h1></main>"#,
            "2025-03-04T10:05+01:00 meta:rek:pubdate",
            "2025-03-06T14:16+01:00 meta:rek:moddate",
        );
    }

    #[test]
    fn general_news_metas() {
        check(
            r#"<head><meta itemprop="datePublished" content="2024-03-05T14:30:00Z">
            <meta itemprop="dateModified" content="2024-03-06T09:00:00Z"></head><main><h1>T</h1></main>"#,
            "2024-03-05T15:30+01:00 meta:datePublished",
            "2024-03-06T10:00+01:00 meta:dateModified",
        );
        check(
            r#"<head><meta name="sailthru.date" content="2024-03-05 09:00">
            <meta name="date" content="2024-01-01"></head><main><h1>T</h1></main>"#,
            "2024-03-05T09:00+01:00 meta:sailthru.date",
            "-",
        );
        check(
            r#"<head><meta name="date" content="2024-01-02"></head><main><h1>T</h1></main>"#,
            "2024-01-02 meta:date",
            "-",
        );
    }

    #[test]
    fn commented_out_markup_is_not_text() {
        check(
            r#"<main><h1>Rubrik</h1><div class="sol-publish-info"><!-- Sidan publicerad av: 1 januari 2020 -->
            Senast uppdaterad: 23 december 2024</div></main>"#,
            "-",
            "2024-12-23 label:Senast uppdaterad",
        );
    }

    #[test]
    fn first_time_element_on_the_page_is_not_taken_blindly() {
        check(
            r#"<header class="site-header"><time datetime="2025-06-10">Idag: 10 juni 2025</time></header>
            <div class="latest-news"><time datetime="2025-06-01">1 juni 2025</time></div>
            <main><h1>Rubrik</h1><p>Publicerad: 12 maj 2025</p></main>"#,
            "2025-05-12 label:Publicerad",
            "-",
        );
    }

    #[test]
    fn main_element_from_the_caller() {
        let page = r#"<div class="page"><div class="top"><h1>Rubrik</h1><p>Publicerad 3 mars 2025</p></div>
            <div class="body"><p>Text.</p></div><div class="puff-area"><p>Publicerad 1 juni 2025</p></div></div>
            <div class="bottom"><p>Senast uppdaterad: 2023-11-08</p></div>"#;
        check_in_main("div.body", page, "2025-03-03 label:Publicerad", "-");
        // With no date in the article region, the page-wide search reads
        // the label after it.
        check_in_main(
            "div.body",
            r#"<div class="body"><h1>Rubrik</h1><p>Text.</p></div><p>Publicerad 1 juni 2025</p>"#,
            "2025-06-01 label:Publicerad",
            "-",
        );
    }

    #[test]
    fn vague_labels_rank_after_publicerad() {
        check(
            r#"<main><h1>Rubrik</h1><p>Datum: 12 maj 2025</p><p>Text.</p><p>Publicerad: 2 maj 2025</p></main>"#,
            "2025-05-02 label:Publicerad",
            "-",
        );
        check(
            r#"<main><h1>Rubrik</h1><p>Skapad: 2 maj 2025</p></main>"#,
            "2025-05-02 label:Skapad",
            "-",
        );
    }

    #[test]
    fn german_labels_and_dates() {
        check(
            r#"<main><h1>Titel</h1><p>Veröffentlicht am 5. März 2024, 10:15 Uhr</p><p>Zuletzt aktualisiert am 6. März 2024</p></main>"#,
            "2024-03-05T10:15+01:00 label:Veröffentlicht am",
            "2024-03-06 label:Zuletzt aktualisiert am",
        );
        // "Stand" (as of) is an update, and the published date only when
        // nothing else dates the page.
        check(
            r#"<main><h1>Titel</h1><p>Stand: 12.02.2024</p><p>Der Stand der Dinge ist unklar.</p></main>"#,
            "2024-02-12 label:Stand",
            "2024-02-12 label:Stand",
        );
        check(
            r#"<main><h1>Titel</h1><p>Veröffentlicht: 10.02.2024</p><p>Stand: 12.02.2024</p></main>"#,
            "2024-02-10 label:Veröffentlicht",
            "2024-02-12 label:Stand",
        );
    }

    #[test]
    fn posted_on_is_published() {
        check(
            r#"<main><h1>Title</h1><p class="meta">Posted on March 5, 2024 by Sam</p></main>"#,
            "2024-03-05 label:Posted on",
            "-",
        );
    }

    #[test]
    fn labels_of_other_languages_in_any_case() {
        check(
            r#"<main><h1>R</h1><p>SENAST ÄNDRAD: 3 mars 2025</p><p>PUBLICERAD: 1 mars 2025</p></main>"#,
            "2025-03-01 label:PUBLICERAD",
            "2025-03-03 label:SENAST ÄNDRAD",
        );
        check(
            r#"<main><h1>R</h1><p>Опубликовано: 15 августа 2016</p><p>Обновлено: 16 августа 2016</p></main>"#,
            "2016-08-15 label:Опубликовано",
            "2016-08-16 label:Обновлено",
        );
        check(
            r#"<main><h1>R</h1><p>Publié le 13 juin 2019</p><p>Mis à jour le 14 juin 2019</p></main>"#,
            "2019-06-13 label:Publié le",
            "2019-06-14 label:Mis à jour le",
        );
        check(
            r#"<main><h1>R</h1><p>Publicado el 13 de junio de 2019</p></main>"#,
            "2019-06-13 label:Publicado el",
            "-",
        );
    }

    #[test]
    fn english_labels() {
        check(
            r#"<main><h1>Title</h1><p>Published: March 3, 2025</p><p>Last updated on 5 March 2025</p></main>"#,
            "2025-03-03 label:Published",
            "2025-03-05 label:Last updated on",
        );
    }

    #[test]
    fn relative_published_label() {
        check(
            r#"<main><h1>Rubrik</h1><p>Publicerad: idag 10:15</p><p>Uppdaterad i går</p></main>"#,
            "2025-06-10T10:15+02:00 label:Publicerad",
            "-",
        );
    }

    #[test]
    fn updated_before_published_is_dropped() {
        check(
            r#"<main><h1>Rubrik</h1><p>Publicerad: 3 mars 2025</p><p>Senast ändrad den 1 mars 2025</p></main>"#,
            "2025-03-03 label:Publicerad",
            "-",
        );
        check(
            r#"<main><h1>Rubrik</h1><p>Publicerad: 3 mars 2025</p><p>Senast ändrad den 19 december, 2025</p></main>"#,
            "2025-03-03 label:Publicerad",
            "2025-12-19 label:Senast ändrad",
        );
    }

    #[test]
    fn future_bare_date_is_an_event_not_a_publication() {
        check(
            r#"<main><h1>Företagarkväll</h1><p>12 september 2025 kl 18.00</p><p>Text.</p></main>"#,
            "-",
            "-",
        );
    }

    #[test]
    fn gothenburg_klockan_and_sidan_senast_uppdaterad() {
        check(
            r#"<main><h1>Rubrik</h1><p>Text.</p><p>Senast uppdaterad: 9 juni 2023 klockan 11:50</p></main>"#,
            "-",
            "2023-06-09T11:50+02:00 label:Senast uppdaterad",
        );
        check(
            r#"<main><h1>Rubrik</h1><p>Sidan senast uppdaterad: <time>2025-05-15 13:28</time></p></main>"#,
            "-",
            "2025-05-15T13:28+02:00 label:Sidan senast uppdaterad",
        );
    }

    #[test]
    fn deep_and_large_pages_do_not_break() {
        let deep = format!(
            "{}<h1>R</h1><p>Publicerad 3 mars 2025</p>{}",
            "<div>".repeat(5000),
            "</div>".repeat(5000)
        );
        check(&deep, "2025-03-03 label:Publicerad", "-");
        let long_text = "ord ".repeat(50_000);
        let big = format!("<main><h1>R</h1><p>{long_text}</p><p>Publicerad 3 mars 2025</p></main>");
        check(&big, "2025-03-03 label:Publicerad", "-");
    }
}
