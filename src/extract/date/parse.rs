//! One date expression at a time: Swedish human-written dates ("29 mars 2021",
//! "28 april 2025, kl. 11.01", "igår") and machine values (ISO 8601, RFC 2822).
//!
//! Everything here is pure string work; which date on a page means what is
//! decided in the parent module.

use std::ops::{Range, RangeInclusive};
use std::sync::LazyLock;

use jiff::civil;
use jiff::tz::Offset;
use jiff::{Timestamp, ToSpan};
use regex::{Captures, Regex};

use crate::model::{PageDate, STOCKHOLM};

/// Years outside this range are template defaults (`1970-01-01`,
/// `0001-01-01`) or typos, never the date a municipal page was published.
const PLAUSIBLE_YEARS: RangeInclusive<i16> = 1990..=2099;

/// Swedish month names with the CLDR abbreviations (dot optional, added by the
/// pattern) and the few English names feeds and English pages use. Longer
/// forms come first because the regex alternation is leftmost-first.
const MONTH_NAMES: &str = "januari|january|jan|februari|february|feb|mars|march|mar|april|apr|\
    maj|may|juni|june|jun|juli|july|jul|augusti|august|aug|september|sept|sep|\
    oktober|october|okt|oct|november|nov|december|dec";

/// Weekdays are skipped, never checked against the date: full, definite
/// ("måndagen"), old ("Månd") and short forms, plus English.
const WEEKDAY_NAMES: &str = "måndagen|tisdagen|onsdagen|torsdagen|fredagen|lördagen|söndagen|\
    måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag|\
    månd|tisd|onsd|torsd|fred|lörd|sönd|mån|tis|ons|tors|tor|fre|lör|sön|\
    monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun";

/// A date at the very start of the text, after optional "den"/"på" and a
/// weekday. The alternatives are the shapes Swedish pages write:
/// ISO `2021-03-29`; day + month name + year with spaces, dashes, dots or a
/// comma (`29 mars 2021`, `29-mars-2021`, `3 mar. 2025`, `19 december, 2025`);
/// `29/3 2021`; `29.3.2021`; and the relative words.
static DATE_AT_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?ix)^
        (?:(?:den|på)\s+)?
        (?:(?:{WEEKDAY_NAMES})\.?,?\s+)?
        (?:den\s+)?
        (?:
            (?P<iso_y>\d{{4}})-(?P<iso_m>\d{{1,2}})-(?P<iso_d>\d{{1,2}})
          | (?P<day>\d{{1,2}})\.?(?:\s*-\s*|\s+)?(?P<month>{MONTH_NAMES})\.?(?:\s*,\s*|\s*-\s*|\s+)(?P<year>\d{{4}})
          | (?P<slash_d>\d{{1,2}})/(?P<slash_m>\d{{1,2}})(?:\s+|/|-)(?P<slash_y>\d{{4}})
          | (?P<dot_d>\d{{1,2}})\.(?P<dot_m>\d{{1,2}})\.(?P<dot_y>\d{{4}})
          | (?P<relative>i\s?förrgår|i\s?går|i\s?dag)
        )"
    ))
    .expect("date pattern compiles")
});

/// A clock time right after a date: `10:50`, `, kl. 11.01`, ` kl 8.15`,
/// ` klockan 11:50`, `T14:05`. Without a `kl` marker the minutes are required,
/// so a number after the year is not mistaken for an hour.
static TIME_AFTER_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^
        \s*,?\s*
        (?:(?P<marker>kl\.?|klockan)\s*|T)?
        (?P<hour>\d{1,2})
        (?:[.:](?P<minute>\d{2}))?
        (?:[.:](?P<second>\d{2}))?",
    )
    .expect("time pattern compiles")
});

/// ISO 8601 as pages put it in attributes: date, optional time (`T` or a
/// space, `:` or `.` between hours and minutes), optional fraction and offset.
static MACHINE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)^
        (?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})
        (?:
            [Tt\x20]\s*(?P<hour>\d{1,2})[:.](?P<minute>\d{2})
            (?:[:.](?P<second>\d{2})(?:[.,]\d{1,9})?)?
            \s*(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?
        )?$",
    )
    .expect("machine date pattern compiles")
});

/// Parses one human-written date expression; finds it inside a longer text
/// when needed ("Publiceringsdatum29-mars-2021"). `now` resolves "idag"/"igår".
pub fn parse_date(text: &str, now: Timestamp) -> Option<PageDate> {
    let text = text.trim();
    if let Some(date) = parse_machine_date(text) {
        return Some(date);
    }
    find_date(text, Some(now)).map(|found| found.date)
}

/// Parses a machine-readable value: ISO 8601 (a naive time is Stockholm time,
/// a bare date is a day) or RFC 2822 as in RSS.
pub fn parse_machine_date(text: &str) -> Option<PageDate> {
    let text = text.trim();
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    if let Some(caps) = MACHINE_DATE.captures(text) {
        return machine_date_from(&caps);
    }
    let timestamp = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(text)
        .ok()?;
    plausible(PageDate::Time(timestamp))
}

fn machine_date_from(caps: &Captures<'_>) -> Option<PageDate> {
    let date = civil_date(
        number(caps, "year")?,
        number(caps, "month")?,
        number(caps, "day")?,
    )?;
    let Some(hour) = number(caps, "hour") else {
        return Some(PageDate::Day(date));
    };
    let clock = ClockTime {
        hour,
        minute: number(caps, "minute")?,
        second: number(caps, "second").unwrap_or(0),
    };
    let datetime = clock.on(date)?;
    let timestamp = match caps.name("offset") {
        None => stockholm_timestamp(datetime)?,
        Some(offset) => offset_from(offset.as_str())?.to_timestamp(datetime).ok()?,
    };
    Some(PageDate::Time(timestamp))
}

/// `Z`, `+01:00`, `+0100` or `+01` as an offset.
fn offset_from(text: &str) -> Option<Offset> {
    if text.eq_ignore_ascii_case("z") {
        return Some(Offset::UTC);
    }
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let digits: String = text[1..].chars().filter(|c| c.is_ascii_digit()).collect();
    let hours: i32 = digits.get(..2)?.parse().ok()?;
    let minutes: i32 = digits.get(2..).filter(|m| !m.is_empty()).map_or(Some(0), |m| m.parse().ok())?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// A date found in a text, with where it is, so a caller can tell which
/// label or element it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FoundSpan {
    pub date: PageDate,
    pub start: usize,
    pub end: usize,
}

impl FoundSpan {
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// The first date anywhere in `text`. Relative words count only when `now` is
/// given. Candidates start at a digit run or at a word that may be "idag"/"igår".
pub(super) fn find_date(text: &str, now: Option<Timestamp>) -> Option<FoundSpan> {
    candidate_starts(text).find_map(|start| {
        let (date, len) = parse_date_at_start(&text[start..], now)?;
        Some(FoundSpan {
            date,
            start,
            end: start + len,
        })
    })
}

/// Byte offsets where a date may begin: the text start, the start of every
/// digit run, and word starts that may begin "i dag"/"igår".
pub(super) fn candidate_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut previous: Option<char> = None;
    text.char_indices().filter_map(move |(index, c)| {
        let before = previous.replace(c);
        let starts_digits = c.is_ascii_digit() && !before.is_some_and(|b| b.is_ascii_digit());
        let starts_word = (c == 'i' || c == 'I') && !before.is_some_and(char::is_alphanumeric);
        (index == 0 || starts_digits || starts_word).then_some(index)
    })
}

/// Parses a date that starts at the beginning of `text` (after optional
/// "den" and a weekday), with an optional clock time after it. Returns the
/// date and how many bytes it used.
pub(super) fn parse_date_at_start(text: &str, now: Option<Timestamp>) -> Option<(PageDate, usize)> {
    let caps = DATE_AT_START.captures(text)?;
    let whole = caps.get(0)?;
    let rest = &text[whole.end()..];
    let day = if caps.name("relative").is_some() {
        if rest.starts_with(char::is_alphanumeric) {
            return None;
        }
        relative_day(caps.name("relative")?.as_str(), now?)?
    } else {
        if rest.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        absolute_day(&caps)?
    };
    match parse_time_at_start(rest) {
        Some((clock, len)) => {
            let timestamp = stockholm_timestamp(clock.on(day)?)?;
            Some((PageDate::Time(timestamp), whole.end() + len))
        }
        None => Some((PageDate::Day(day), whole.end())),
    }
}

fn absolute_day(caps: &Captures<'_>) -> Option<civil::Date> {
    if let Some(year) = number(caps, "iso_y") {
        return civil_date(year, number(caps, "iso_m")?, number(caps, "iso_d")?);
    }
    if let Some(year) = number(caps, "year") {
        let month = month_number(caps.name("month")?.as_str())?;
        return civil_date(year, month, number(caps, "day")?);
    }
    if let Some(year) = number(caps, "slash_y") {
        return civil_date(year, number(caps, "slash_m")?, number(caps, "slash_d")?);
    }
    civil_date(number(caps, "dot_y")?, number(caps, "dot_m")?, number(caps, "dot_d")?)
}

/// "idag", "igår", "i förrgår" as the Stockholm day relative to `now`.
fn relative_day(word: &str, now: Timestamp) -> Option<civil::Date> {
    let today = now.to_zoned(STOCKHOLM.clone()).date();
    let compact: String = word.chars().filter(|c| !c.is_whitespace()).collect();
    let days_back = match compact.to_lowercase().as_str() {
        "idag" => 0,
        "igår" => 1,
        "iförrgår" => 2,
        _ => return None,
    };
    today.checked_sub(days_back.days()).ok()
}

/// Hours, minutes and seconds of a clock time on a page.
#[derive(Debug, Clone, Copy)]
struct ClockTime {
    hour: i8,
    minute: i8,
    second: i8,
}

impl ClockTime {
    fn on(self, date: civil::Date) -> Option<civil::DateTime> {
        let time = civil::Time::new(self.hour, self.minute, self.second, 0).ok()?;
        Some(date.to_datetime(time))
    }
}

/// A clock time at the start of `text` (right after a date).
fn parse_time_at_start(text: &str) -> Option<(ClockTime, usize)> {
    let caps = TIME_AFTER_DATE.captures(text)?;
    let whole = caps.get(0)?;
    let has_marker = caps.name("marker").is_some();
    if caps.name("minute").is_none() && !has_marker {
        return None;
    }
    if text[whole.end()..].starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let clock = ClockTime {
        hour: number(&caps, "hour")?,
        minute: number(&caps, "minute").unwrap_or(0),
        second: number(&caps, "second").unwrap_or(0),
    };
    let valid = (0..=23).contains(&clock.hour)
        && (0..=59).contains(&clock.minute)
        && (0..=59).contains(&clock.second);
    valid.then_some((clock, whole.end()))
}

/// Month number from a (possibly abbreviated, any case) Swedish or English name.
fn month_number(name: &str) -> Option<i8> {
    let prefix = name.get(..3)?.to_ascii_lowercase();
    let month = match prefix.as_str() {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "maj" | "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "okt" | "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(month)
}

/// A valid calendar day in a plausible year (so "31 februari" is no date).
fn civil_date(year: i16, month: i8, day: i8) -> Option<civil::Date> {
    if !PLAUSIBLE_YEARS.contains(&year) {
        return None;
    }
    civil::Date::new(year, month, day).ok()
}

/// Local Stockholm wall-clock time as an instant. In the autumn fold the
/// earlier instant is taken, in the spring gap the later (jiff's "compatible").
fn stockholm_timestamp(datetime: civil::DateTime) -> Option<Timestamp> {
    datetime
        .to_zoned(STOCKHOLM.clone())
        .ok()
        .map(|zoned| zoned.timestamp())
}

fn plausible(date: PageDate) -> Option<PageDate> {
    PLAUSIBLE_YEARS
        .contains(&date.local_day().year())
        .then_some(date)
}

/// A captured decimal number that fits the target type.
fn number<T: std::str::FromStr>(caps: &Captures<'_>, name: &str) -> Option<T> {
    caps.name(name)?.as_str().parse().ok()
}
