//! The page-wide search for a published date, when the article region and
//! the page's metadata gave none (the way htmldate goes on to an extensive
//! search of the whole document).
//!
//! The whole page is laid out again, skipping only furniture whose dates
//! are never the article's (comments, calendars, lists of other news,
//! navigation), and with elements whose class names a date read as dated
//! boxes. Side columns are laid out too, but only their labels count. Then, nearest to the headline (or to the main element, or to the
//! page's start) and in this order:
//!
//! 1. a published label ("Publicerad", "Veröffentlicht", "Mise en ligne"),
//!    or a published verb after the date ("… wurde am 3. Mai 2011
//!    veröffentlicht");
//! 2. an element whose itemprop, property or class says published;
//! 3. a bare date in a short line near the headline;
//! 4. any other dated element (`<time>`, `<abbr title>`, a date box);
//! 5. a publication date in the page's state (`"publishedDate": …` in an
//!    inline script);
//! 6. the date in the page's canonical address;
//! 7. a bare date in any short line of the page, unless the page shows
//!    several such dates (a list of dated items);
//! 8. a German "Stand" date (read as updated, and as published only here).
//!
//! Dates claimed by a label of another kind ("Uppdaterad", "Granskad") are
//! never taken, and neither are dates after tomorrow.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use jiff::civil;
use regex::Regex;
use url::Url;

use super::flow::{Flow, Layout};
use super::parse::{find_date, parse_date_at_start};
use super::sources::{slug_date, DatedElements};
use super::{
    bare_date_in_line, floor_char_boundary, is_plausible, labelled_dates, mark_found, DateContext,
    Kind, LabelledDate,
};
use crate::model::{DateSource, FoundDate};

/// Lines looked at around the anchor for a bare date in step 3: a few
/// before it, more after it (a teaser, an image and its caption can sit
/// between the headline and its date line).
const LINES_BEFORE: usize = 3;
const LINES_AFTER: usize = 12;

/// A page with bare dates of more than this many days lists dated items.
const MAX_BARE_DAYS: usize = 2;

/// A post's meta sentence ("Dieser Beitrag wurde am … veröffentlicht und
/// unter … abgelegt") is longer than a meta line, but not a paragraph.
const MAX_META_SENTENCE_BYTES: usize = 400;

/// How far after its date the published verb of a meta sentence may be.
const MAX_VERB_DISTANCE: usize = 60;

/// Keys of page-state JSON that hold the publication date.
static STATE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#""(?:datePublished|publishedDate|published_at|publishedAt|publishDate|publish_date|date_published|firstPublished|firstPublishedDate|createdAt|created_at|dateCreated)"\s*:\s*"([^"]{8,40})""#,
    )
    .expect("state date pattern compiles")
});

/// The published date found by the page-wide search.
pub(super) fn published(
    cx: &DateContext<'_>,
    layout: &Layout<'_>,
    dated: &DatedElements<'_>,
    latest: civil::Date,
) -> Option<FoundDate> {
    let flow = Flow::build(
        cx.doc.root_element(),
        &Layout {
            lenient: true,
            ..*layout
        },
    );
    let search = Search::new(cx, &flow);
    let ranked = [
        search.label(),
        search.published_after_date(),
        search.hinted_mark(),
        search.bare_near_anchor(),
        search.any_mark(),
        state_date(dated),
        address_date(dated),
        search.any_bare(),
        search.as_of(),
    ];
    ranked
        .into_iter()
        .flatten()
        .find(|found| is_plausible(found, latest))
}

/// The page-wide flow with what its labels claimed.
struct Search<'f> {
    flow: &'f Flow,
    labels: Vec<LabelledDate>,
    claimed: Vec<Range<usize>>,
    labelled_marks: HashSet<usize>,
    /// Where the article starts in the flow text.
    anchor: usize,
}

impl<'f> Search<'f> {
    fn new(cx: &DateContext<'_>, flow: &'f Flow) -> Search<'f> {
        let labels = labelled_dates(flow, cx.now);
        let claimed = labels.iter().map(|label| label.span.clone()).collect();
        let labelled_marks = labels.iter().filter_map(|label| label.mark).collect();
        let anchor = flow
            .headline
            .as_ref()
            .map(|headline| headline.start)
            .or(flow.main_start)
            .unwrap_or(0);
        Search {
            flow,
            labels,
            claimed,
            labelled_marks,
            anchor,
        }
    }

    /// How far a place is from the article's start; text before the
    /// anchor counts double (the date follows the headline more often
    /// than it precedes it).
    fn distance(&self, offset: usize) -> usize {
        if offset >= self.anchor {
            offset - self.anchor
        } else {
            2 * (self.anchor - offset)
        }
    }

    fn label(&self) -> Option<FoundDate> {
        self.labels
            .iter()
            .filter(|label| label.kind == Kind::Published)
            .min_by_key(|label| (label.vague, self.distance(label.span.start)))
            .map(|label| label.found.clone())
    }

    /// A date followed by a past participle that says published, the
    /// German word order of a post's meta sentence: "Dieser Beitrag wurde
    /// am 3. Dezember 2011 um 10:15 Uhr veröffentlicht", "… wurde am 19. Mai
    /// 2010 gepostet und unter Literatur abgelegt".
    fn published_after_date(&self) -> Option<FoundDate> {
        const VERBS: &[&str] = &["veröffentlicht", "gepostet", "publiziert", "erschienen"];
        // Like a label, the sentence may sit in a side column ("Über
        // diesen Artikel").
        (0..self.flow.lines.len())
            .filter_map(|index| {
                let line = &self.flow.lines[index];
                let text = self.flow.line_text(index);
                if text.len() > MAX_META_SENTENCE_BYTES {
                    return None;
                }
                let found = find_date(text, None)?;
                if self.is_claimed(line.start + found.start) {
                    return None;
                }
                let after = &text[found.end..];
                let after = &after[..floor_char_boundary(after, MAX_VERB_DISTANCE)];
                let lowered = after.to_lowercase();
                VERBS
                    .iter()
                    .find(|verb| lowered.contains(*verb))
                    .map(|verb| {
                        let date = FoundDate::new(found.date, DateSource::Label, *verb);
                        (self.distance(line.start), date)
                    })
            })
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, date)| date)
    }

    /// A "Stand" date, the page's only date.
    fn as_of(&self) -> Option<FoundDate> {
        self.labels
            .iter()
            .filter(|label| label.as_of)
            .min_by_key(|label| self.distance(label.span.start))
            .map(|label| label.found.clone())
    }

    /// Dated elements outside side columns, not read by a label.
    fn marks(&self) -> impl Iterator<Item = (usize, &super::Mark)> {
        self.flow
            .marks
            .iter()
            .enumerate()
            .filter(|(index, _)| !self.labelled_marks.contains(index))
            .filter(|(_, mark)| !self.is_side(mark.range.start))
    }

    fn is_side(&self, offset: usize) -> bool {
        self.flow.side.iter().any(|side| side.contains(&offset))
    }

    fn hinted_mark(&self) -> Option<FoundDate> {
        self.marks()
            .filter(|(_, mark)| mark.hint == Some(Kind::Published))
            .min_by_key(|(_, mark)| self.distance(mark.range.start))
            .map(|(_, mark)| mark_found(mark))
    }

    fn any_mark(&self) -> Option<FoundDate> {
        self.marks()
            .filter(|(_, mark)| mark.hint.is_none())
            .filter(|(_, mark)| !self.is_claimed(mark.range.start))
            .min_by_key(|(_, mark)| self.distance(mark.range.start))
            .map(|(_, mark)| mark_found(mark))
    }

    fn is_claimed(&self, offset: usize) -> bool {
        self.claimed.iter().any(|span| span.contains(&offset))
    }

    fn anchor_line(&self) -> usize {
        self.flow
            .lines
            .partition_point(|line| line.end <= self.anchor)
    }

    fn bare_near_anchor(&self) -> Option<FoundDate> {
        let anchor = self.anchor_line();
        let after = anchor..(anchor + LINES_AFTER).min(self.flow.lines.len());
        let before = (anchor.saturating_sub(LINES_BEFORE)..anchor).rev();
        after
            .chain(before)
            .find_map(|index| self.bare_in_line(index))
    }

    /// The bare date nearest the anchor anywhere on the page, unless the
    /// page shows bare dates of more than [`MAX_BARE_DAYS`] days: then
    /// they date a list of items (news teasers, a calendar), not the page.
    fn any_bare(&self) -> Option<FoundDate> {
        let all: Vec<(usize, FoundDate)> = (0..self.flow.lines.len())
            .filter_map(|index| {
                let found = self.bare_in_line(index)?;
                Some((self.distance(self.flow.lines[index].start), found))
            })
            .collect();
        let mut days: Vec<civil::Date> = all.iter().map(|(_, found)| found.stated_day()).collect();
        days.sort_unstable();
        days.dedup();
        if days.len() > MAX_BARE_DAYS {
            return None;
        }
        all.into_iter()
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, found)| found)
    }

    fn bare_in_line(&self, index: usize) -> Option<FoundDate> {
        if self.is_side(self.flow.lines[index].start) {
            return None;
        }
        bare_date_in_line(self.flow, index, &self.claimed, &self.labelled_marks)
            .filter(|found| found.source != DateSource::TimeElement || !self.is_updated_mark(found))
            .or_else(|| self.dateline(index))
    }

    /// A date that opens a paragraph as its dateline: "27.1.2022 – Bei der
    /// Erinnerung …", "(18.01.2018) Deutschlands Landwirte …".
    fn dateline(&self, index: usize) -> Option<FoundDate> {
        let line = &self.flow.lines[index];
        if self.is_claimed(line.start) {
            return None;
        }
        let text = self.flow.line_text(index);
        let opened = text.strip_prefix(['(', '[']).unwrap_or(text);
        let (date, used) = parse_date_at_start(opened, None)?;
        let rest = opened[used..].trim_start_matches([')', ']']).trim_start();
        let separated =
            rest.starts_with(['-', '–', '—', ':', '|', '•', '/']) || opened.len() != text.len();
        separated.then(|| FoundDate::new(date, DateSource::Text, "dateline"))
    }

    /// A `<time>` whose class says updated is no published date.
    fn is_updated_mark(&self, found: &FoundDate) -> bool {
        self.flow
            .marks
            .iter()
            .any(|mark| mark.hint == Some(Kind::Updated) && mark.date == found.date)
    }
}

/// The first publication date in the page state of an inline script.
fn state_date(dated: &DatedElements<'_>) -> Option<FoundDate> {
    dated.script_texts().find_map(|text| {
        STATE_DATE.captures_iter(&text).find_map(|caps| {
            let value = caps.get(1)?.as_str();
            let (date, offset) = super::parse::parse_machine_stated(value)?;
            Some(
                FoundDate::new(date, DateSource::JsonLd, "script")
                    .with_offset(super::local_offset(offset)),
            )
        })
    })
}

/// The date in the page's canonical address (`/2020/08/24/…`).
pub(super) fn address_date(dated: &DatedElements<'_>) -> Option<FoundDate> {
    let address = Url::parse(dated.page_address()?).ok()?;
    slug_date(&address)
}
