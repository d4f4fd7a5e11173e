//! Pure: new articles per day as a small inline SVG bar chart, one bar a
//! day, today last. Days are Swedish calendar days.

use std::fmt::Write;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use crate::model::STOCKHOLM;

/// Days a chart covers, today included.
pub const DAYS: usize = 30;

/// Articles per day over the last [`DAYS`] days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Daily {
    /// The first day shown.
    pub first: Date,
    /// One count per day, `first` first, today last.
    pub counts: Vec<u32>,
}

/// The first instant of the first day a chart made at `now` shows: what
/// to read from the store.
pub fn since(now: Timestamp) -> Timestamp {
    let today = now.to_zoned(STOCKHOLM.clone()).date();
    let first = today.checked_sub((DAYS as i64 - 1).days()).unwrap_or(today);
    first
        .to_zoned(STOCKHOLM.clone())
        .map(|z| z.timestamp())
        .unwrap_or(now)
}

/// Counts `times` per day; times before the first day or after today are
/// left out.
pub fn daily(times: &[Timestamp], now: Timestamp) -> Daily {
    let today = now.to_zoned(STOCKHOLM.clone()).date();
    let first = today.checked_sub((DAYS as i64 - 1).days()).unwrap_or(today);
    let mut counts = vec![0u32; DAYS];
    for t in times {
        let day = t.to_zoned(STOCKHOLM.clone()).date();
        let Ok(offset) = first.until(day).map(|span| span.get_days()) else {
            continue;
        };
        if let Some(count) = usize::try_from(offset).ok().and_then(|i| counts.get_mut(i)) {
            *count += 1;
        }
    }
    Daily { first, counts }
}

impl Daily {
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// The chart, `width` × `height` CSS pixels. Each bar says its day and
    /// count in a tooltip; the whole chart has a text equivalent, and its
    /// counts in `data-counts` (oldest first) for scripts and tests. Days
    /// without articles are the baseline.
    pub fn svg(&self, width: u32, height: u32) -> String {
        let n = self.counts.len().max(1) as u32;
        let max = self.counts.iter().copied().max().unwrap_or(0).max(1);
        // Bars in viewBox units: 4 wide with a gap of 1, 20 high.
        let (bar, step, top) = (4u32, 5u32, 20u32);
        let mut svg = String::new();
        let _ = write!(
            svg,
            "<svg class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {w} {top}\" \
             preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{label}\" data-counts=\"{counts}\">",
            w = n * step - 1,
            label = self.label(),
            counts = self
                .counts
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(","),
        );
        // One baseline for the days without articles, a bar with its
        // tooltip for each day with some: a summary of 300 sources stays
        // small.
        let _ = write!(
            svg,
            "<rect class=\"zero\" x=\"0\" y=\"{}\" width=\"{}\" height=\"1\"/>",
            top - 1,
            n * step - 1
        );
        for (i, &count) in self.counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let day = self
                .first
                .checked_add((i as i64).days())
                .unwrap_or(self.first);
            let h = (count * top).div_ceil(max).max(2);
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{h}\" fill=\"currentColor\">\
                 <title>{day}: {count}</title></rect>",
                x = i as u32 * step,
                y = top - h,
            );
        }
        svg.push_str("</svg>");
        svg
    }

    /// What the chart shows, in words.
    fn label(&self) -> String {
        let max = self.counts.iter().copied().max().unwrap_or(0);
        format!(
            "{} new in the last {} days, at most {max} a day",
            self.total(),
            self.counts.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn articles_are_counted_on_their_swedish_day() {
        let now = at("2026-03-30T10:00:00Z");
        let times = [
            at("2026-03-30T09:00:00Z"),
            // 23:30 UTC on the 29th is the 30th in Sweden (summer time).
            at("2026-03-29T22:30:00Z"),
            at("2026-03-29T12:00:00Z"),
            // The first day shown, and the day before it.
            at("2026-03-01T00:30:00Z"),
            at("2026-02-28T12:00:00Z"),
        ];
        let chart = daily(&times, now);
        assert_eq!(chart.first.to_string(), "2026-03-01");
        assert_eq!(chart.counts.len(), DAYS);
        assert_eq!(chart.counts[DAYS - 1], 2);
        assert_eq!(chart.counts[DAYS - 2], 1);
        assert_eq!(chart.counts[0], 1);
        assert_eq!(chart.total(), 4);
        assert!(since(now) <= at("2026-03-01T00:30:00Z") && since(now) > times[4]);
        let svg = chart.svg(120, 24);
        // The baseline and one bar for each of the three days with articles.
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.contains("<title>2026-03-30: 2</title>"), "{svg}");
        assert!(svg.contains("data-counts=\"1,0,"));
    }
}
