//! The domain nouns, defined once and used the same way in types, SQL columns,
//! log fields and config keys.
//!
//! - *source*: one URL in the operator's source list (a feed or a news-list page);
//! - *page*: one fetched document;
//! - *article*: one story extracted from a page or a feed item;
//! - *key*: an article's dedup identity (its canonical URL).

use std::fmt;
use std::sync::LazyLock;

use jiff::civil;
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;
use url::Url;

/// Europe/Stockholm: every naive time on a Swedish municipal page is local time.
pub static STOCKHOLM: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZone::get("Europe/Stockholm").expect("the bundled tz database has Europe/Stockholm")
});

/// A date as a page states it: a whole day, or an instant given to the minute.
///
/// Keeping the precision matters: a page that says "29 mars 2021" must not be
/// reported as published at midnight, and a feed may later add a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageDate {
    /// Only the day is known (in Stockholm local time).
    Day(civil::Date),
    /// A point in time (the page gave at least hours and minutes).
    Time(Timestamp),
}

impl PageDate {
    /// The local (Stockholm) calendar day of this date.
    pub fn local_day(&self) -> civil::Date {
        match self {
            PageDate::Day(d) => *d,
            PageDate::Time(t) => t.to_zoned(STOCKHOLM.clone()).date(),
        }
    }

    /// An instant for ordering and for Atom: a day counts as its local midnight.
    pub fn timestamp(&self) -> Timestamp {
        match self {
            PageDate::Day(d) => d
                .to_zoned(STOCKHOLM.clone())
                .map(|z| z.timestamp())
                .unwrap_or(Timestamp::UNIX_EPOCH),
            PageDate::Time(t) => *t,
        }
    }

    /// RFC 3339 with the Stockholm offset, for Atom (a day becomes local midnight).
    pub fn to_rfc3339(&self) -> String {
        rfc3339_stockholm(self.timestamp())
    }

    /// Parses the form written by `Display`: `YYYY-MM-DD` or RFC 3339.
    pub fn parse_stored(text: &str) -> Option<PageDate> {
        if text.len() == 10 {
            return text.parse::<civil::Date>().ok().map(PageDate::Day);
        }
        text.parse::<Timestamp>().ok().map(PageDate::Time)
    }

    pub fn is_day_only(&self) -> bool {
        matches!(self, PageDate::Day(_))
    }
}

/// `YYYY-MM-DD` for a day, RFC 3339 in Stockholm local time for an instant
/// (e.g. `2021-03-29T13:05:00+02:00`): the form of the database
/// (`muniflux extract` shows [`FoundDate::stated`]).
impl fmt::Display for PageDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageDate::Day(d) => write!(f, "{d}"),
            PageDate::Time(t) => f.write_str(&rfc3339_stockholm(*t)),
        }
    }
}

/// Formats an instant as RFC 3339 with the Stockholm offset, seconds precision.
pub fn rfc3339_stockholm(t: Timestamp) -> String {
    t.to_zoned(STOCKHOLM.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Where a date was found. The order is not a ranking; ranking is the
/// extractor's business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateSource {
    /// JSON-LD `datePublished` / `dateModified`.
    JsonLd,
    /// A `<time datetime>` element in the article.
    TimeElement,
    /// Visible text with a label such as "Publicerad" or "Uppdaterad".
    Label,
    /// Visible text without a label, next to the headline.
    Text,
    /// A `<meta>` element (article:published_time, DC.*, pubdate ...).
    Meta,
    /// The feed item (RSS pubDate, Atom published/updated).
    Feed,
    /// A date in the URL path, the last resort.
    UrlSlug,
}

impl DateSource {
    pub fn as_str(&self) -> &'static str {
        match self {
            DateSource::JsonLd => "json-ld",
            DateSource::TimeElement => "time-element",
            DateSource::Label => "label",
            DateSource::Text => "text",
            DateSource::Meta => "meta",
            DateSource::Feed => "feed",
            DateSource::UrlSlug => "url-slug",
        }
    }
}

/// A date with its provenance, so operators can see why a date was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDate {
    pub date: PageDate,
    pub source: DateSource,
    /// What exactly: the label ("Publiceringsdatum"), meta name
    /// ("article:published_time"), JSON-LD key ("datePublished") ...
    pub detail: String,
    /// The UTC offset the page wrote with an instant (`…T07:00:00+09:00`).
    /// `None` for a day and for a naive time, which is Stockholm time.
    /// Only [`FoundDate::stated`] uses it: the day a page states is the day
    /// in its own offset, while storage and Atom keep Stockholm time.
    pub offset: Option<Offset>,
}

impl FoundDate {
    pub fn new(date: PageDate, source: DateSource, detail: impl Into<String>) -> FoundDate {
        FoundDate {
            date,
            source,
            detail: detail.into(),
            offset: None,
        }
    }

    /// The same date as written with this UTC offset (ignored for a day).
    pub fn with_offset(mut self, offset: Option<Offset>) -> FoundDate {
        self.offset = offset.filter(|_| !self.date.is_day_only());
        self
    }

    /// The date as the page states it, the form of `muniflux extract`:
    /// `YYYY-MM-DD` for a day, RFC 3339 for an instant. An instant is
    /// written in Stockholm time unless that changes the day the page
    /// states in its own offset: a page in Tokyo that says
    /// `2020-02-15T07:00:00+09:00` was published on the 15th although
    /// Stockholm still had the 14th, so it keeps `+09:00`.
    pub fn stated(&self) -> String {
        match (self.date, self.offset) {
            (PageDate::Time(t), Some(offset)) if self.stated_day() != self.date.local_day() => t
                .to_zoned(TimeZone::fixed(offset))
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
            (date, _) => date.to_string(),
        }
    }

    /// The calendar day the page states (see [`FoundDate::stated`]).
    pub fn stated_day(&self) -> civil::Date {
        match (self.date, self.offset) {
            (PageDate::Time(t), Some(offset)) => offset.to_datetime(t).date(),
            (date, _) => date.local_day(),
        }
    }

    /// `source` or `source:detail`, e.g. `label:Publicerad`.
    pub fn describe(&self) -> String {
        if self.detail.is_empty() {
            self.source.as_str().to_string()
        } else {
            format!("{}:{}", self.source.as_str(), self.detail)
        }
    }
}

/// The published and updated dates of one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageDates {
    pub published: Option<FoundDate>,
    pub updated: Option<FoundDate>,
}

/// One story as extracted from an article page (or a full-text feed item).
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// The page's URL (after redirects), or the feed item's link.
    pub url: Url,
    /// `<link rel="canonical">` when the page names one on the same site.
    pub canonical: Option<Url>,
    /// The headline, never the site name.
    pub title: String,
    pub published: Option<FoundDate>,
    pub updated: Option<FoundDate>,
    pub author: Option<String>,
    /// The main body as sanitised HTML with absolute URLs.
    pub body_html: String,
    /// The main body as plain text, paragraphs separated by a blank line.
    pub body_text: String,
}

/// What a news-list page yields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPage {
    /// Absolute article URLs of the main list, in page order, without duplicates.
    pub links: Vec<Url>,
    /// The next page of the same list, when there is one.
    pub next_page: Option<Url>,
}

/// One item of an RSS, Atom or JSON feed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedItem {
    /// The item's own id (RSS guid, Atom id) when the feed gave one; never an
    /// id invented by the parser.
    pub guid: Option<String>,
    /// The item's link (alternate link for Atom), made absolute.
    pub link: Option<Url>,
    pub title: Option<String>,
    pub published: Option<FoundDate>,
    pub updated: Option<FoundDate>,
    pub author: Option<String>,
    /// Full content (Atom `content`, RSS `content:encoded`) as raw HTML.
    pub content_html: Option<String>,
    /// Summary (Atom `summary`, RSS `description`) as raw HTML.
    pub summary_html: Option<String>,
    /// The item's categories (RSS `category`, Atom `category` label or
    /// term, JSON Feed `tags`), for topic filters.
    pub categories: Vec<String>,
}

/// What kind of document a fetched page is, decided from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// RSS, Atom or JSON Feed.
    Feed,
    /// An HTML page (a news list, or an article).
    Html,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stated(value: &str, offset_hours: Option<i8>) -> (String, String) {
        let date = PageDate::Time(value.parse().unwrap());
        let offset = offset_hours.map(Offset::constant);
        let found = FoundDate::new(date, DateSource::Meta, "").with_offset(offset);
        (found.stated(), found.stated_day().to_string())
    }

    #[test]
    fn an_instant_is_stated_in_stockholm_unless_that_moves_the_day() {
        // Tokyo morning: still the 14th in Stockholm.
        assert_eq!(
            stated("2020-02-14T22:00:00Z", Some(9)),
            ("2020-02-15T07:00:00+09:00".into(), "2020-02-15".into())
        );
        // A UTC evening is the next day in Stockholm.
        assert_eq!(
            stated("2019-12-26T23:07:45Z", Some(0)),
            ("2019-12-26T23:07:45+00:00".into(), "2019-12-26".into())
        );
        // Same day either way: Stockholm time, as stored.
        assert_eq!(
            stated("2024-09-12T08:50:31Z", Some(0)),
            ("2024-09-12T10:50:31+02:00".into(), "2024-09-12".into())
        );
        // Naive values are Stockholm time.
        assert_eq!(
            stated("2024-09-12T22:30:00Z", None),
            ("2024-09-13T00:30:00+02:00".into(), "2024-09-13".into())
        );
    }

    #[test]
    fn a_day_has_no_offset() {
        let day = PageDate::Day("2021-03-29".parse().unwrap());
        let found = FoundDate::new(day, DateSource::Label, "").with_offset(Some(Offset::UTC));
        assert_eq!(found.offset, None);
        assert_eq!(found.stated(), "2021-03-29");
    }
}
