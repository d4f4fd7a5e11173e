//! Swedish and ISO dates, and which date on a page is the article's.

use jiff::Timestamp;
use scraper::{ElementRef, Html};
use url::Url;

use crate::model::{PageDate, PageDates};

/// Parses one human-written date expression ("29 mars 2021", "2025-05-14 10:50",
/// "28 april 2025, kl. 11.01", "igår" ...). `now` resolves relative words.
pub fn parse_date(text: &str, now: Timestamp) -> Option<PageDate> {
    let _ = (text, now);
    None
}

/// Parses a machine-readable value (`<time datetime>`, JSON-LD, meta): ISO 8601
/// with or without offset; a naive time is Europe/Stockholm.
pub fn parse_machine_date(text: &str) -> Option<PageDate> {
    let _ = text;
    None
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

/// Finds the article's own published and updated dates.
pub fn find_dates(cx: &DateContext<'_>) -> PageDates {
    let _ = cx;
    PageDates::default()
}
