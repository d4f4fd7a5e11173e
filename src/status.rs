//! Pure: source health for operators: the warnings, the verdict (failing,
//! warning, fine) and the terminal table of `muniflux sources`. The pages
//! (`GET /` and the others, in `pages`) show the same facts and the same
//! warnings, computed here once.
//!
//! The warnings aim at the commonest silent failure of scrapers: a page that
//! still answers 200 but no longer yields articles (a redesign, a WAF page),
//! and a source that stopped posting or that we stopped understanding.

use std::fmt::Write;

use jiff::Timestamp;

pub use crate::store::SourceHealth;

/// When a source earns a warning; `[server] warn_empty_polls` and
/// `[server] warn_quiet_days` in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Polls in a row that found no article.
    pub empty_polls: u32,
    /// Days without a new article.
    pub quiet_days: u32,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            empty_polls: 3,
            quiet_days: 30,
        }
    }
}

/// The warnings for one source, most urgent first.
pub fn warnings(source: &SourceHealth, thresholds: Thresholds, now: Timestamp) -> Vec<String> {
    let mut warnings = Vec::new();
    if !source.active {
        return warnings;
    }
    if source.error_count > 0 {
        let plural = if source.error_count == 1 { "" } else { "s" };
        warnings.push(format!("{} error{plural} in a row", source.error_count));
    }
    if source.empty_polls >= thresholds.empty_polls {
        warnings.push(format!(
            "no articles found in the last {} polls",
            source.empty_polls
        ));
    }
    // Quiet since the last new article, or since the source was added.
    let since = source.last_new_at.or(source.created_at);
    if let (Some(since), Some(_)) = (since, source.last_success_at) {
        let days = (now.as_second() - since.as_second()) / 86_400;
        if days >= i64::from(thresholds.quiet_days) {
            warnings.push(format!("nothing new for {days} days"));
        }
    }
    if let Some(to) = &source.moved_to {
        warnings.push(format!("moved permanently to {to}: update the source list"));
    }
    warnings
}

/// "3m ago", "5h ago", "12d ago", or "never".
pub fn ago(at: Option<Timestamp>, now: Timestamp) -> String {
    let Some(at) = at else {
        return "never".to_string();
    };
    let seconds = now.as_second() - at.as_second();
    if seconds < 0 {
        return format!("in {}", span(-seconds));
    }
    format!("{} ago", span(seconds))
}

fn span(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s}s"),
        s if s < 2 * 3600 => format!("{}m", s / 60),
        s if s < 2 * 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// How a source is doing, as the summary counts and sorts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Health {
    /// Its last poll failed.
    Failing,
    /// Read, but with a warning ([`warnings`]).
    Warning,
    Fine,
    /// No longer in the source list.
    Removed,
}

impl Health {
    pub fn of(source: &SourceHealth, thresholds: Thresholds, now: Timestamp) -> Health {
        if !source.active {
            Health::Removed
        } else if source.error_count > 0 {
            Health::Failing
        } else if warnings(source, thresholds, now).is_empty() {
            Health::Fine
        } else {
            Health::Warning
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Health::Failing => "failing",
            Health::Warning => "warning",
            Health::Fine => "fine",
            Health::Removed => "removed",
        }
    }
}

/// The terminal table of `muniflux sources`: fixed-width columns, the last
/// error and warnings at the end of the line where they may run long.
pub fn render_table(sources: &[SourceHealth], thresholds: Thresholds, now: Timestamp) -> String {
    let header = [
        "SOURCE",
        "LAST POLL",
        "STATUS",
        "LAST SUCCESS",
        "ERRORS",
        "ARTICLES",
        "FILTERED",
        "NEXT CHECK",
        "LAST ERROR / WARNINGS",
    ];
    let mut rows: Vec<[String; 9]> = vec![header.map(str::to_string)];
    for source in sources {
        let mut notes: Vec<String> = source.last_error.iter().cloned().collect();
        notes.extend(warnings(source, thresholds, now));
        if !source.active {
            notes.push("removed from the source list".to_string());
        }
        rows.push([
            truncate(&source.name, 40),
            ago(source.last_polled_at, now),
            source
                .last_status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "-".into()),
            ago(source.last_success_at, now),
            source.error_count.to_string(),
            source.n_articles.to_string(),
            source.n_filtered.to_string(),
            if source.active {
                ago(source.next_check_at, now)
            } else {
                "-".into()
            },
            notes.join("; "),
        ]);
    }
    let mut widths = [0usize; 9];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                let _ = write!(line, "{cell}{}  ", " ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn at(days: i64) -> Timestamp {
        Timestamp::from_second(1_767_225_600 + days * 86_400).unwrap()
    }

    pub(crate) fn healthy() -> SourceHealth {
        SourceHealth {
            name: "Ale <kommun>".into(),
            url: "https://ale.se/nyheter/".into(),
            active: true,
            created_at: Some(at(0)),
            last_polled_at: Some(at(40)),
            last_success_at: Some(at(40)),
            last_new_at: Some(at(39)),
            last_status: Some(200),
            n_articles: 12,
            ..SourceHealth::default()
        }
    }

    #[track_caller]
    fn check(source: SourceHealth, expected: &[&str]) {
        let got = warnings(&source, Thresholds::default(), at(40));
        assert_eq!(got, expected);
    }

    #[test]
    fn warnings_for_silent_failures() {
        check(healthy(), &[]);
        check(
            SourceHealth {
                empty_polls: 3,
                ..healthy()
            },
            &["no articles found in the last 3 polls"],
        );
        check(
            SourceHealth {
                empty_polls: 2,
                ..healthy()
            },
            &[],
        );
        check(
            SourceHealth {
                last_new_at: Some(at(5)),
                ..healthy()
            },
            &["nothing new for 35 days"],
        );
        // Never anything new: counted from when the source was added.
        check(
            SourceHealth {
                last_new_at: None,
                ..healthy()
            },
            &["nothing new for 40 days"],
        );
        // Never read: the error says it all.
        check(
            SourceHealth {
                last_new_at: None,
                last_success_at: None,
                error_count: 4,
                last_error: Some("HTTP 500".into()),
                ..healthy()
            },
            &["4 errors in a row"],
        );
        check(
            SourceHealth {
                moved_to: Some("https://www.ale.se/".into()),
                ..healthy()
            },
            &["moved permanently to https://www.ale.se/: update the source list"],
        );
        check(
            SourceHealth {
                active: false,
                error_count: 3,
                ..healthy()
            },
            &[],
        );
    }

    #[test]
    fn failing_then_warning_then_fine_then_removed() {
        let now = at(40);
        let verdict = |source: SourceHealth| Health::of(&source, Thresholds::default(), now);
        assert_eq!(verdict(healthy()), Health::Fine);
        let failing = SourceHealth {
            error_count: 1,
            empty_polls: 5,
            ..healthy()
        };
        assert_eq!(verdict(failing.clone()), Health::Failing);
        let empty = SourceHealth {
            empty_polls: 5,
            ..healthy()
        };
        assert_eq!(verdict(empty), Health::Warning);
        let removed = SourceHealth {
            active: false,
            ..failing
        };
        assert_eq!(verdict(removed), Health::Removed);
        assert!(Health::Failing < Health::Warning && Health::Fine < Health::Removed);
    }

    #[test]
    fn ages() {
        assert_eq!(ago(None, at(1)), "never");
        assert_eq!(ago(Some(at(1)), at(1)), "0s ago");
        assert_eq!(ago(Some(at(0)), at(3)), "3d ago");
        assert_eq!(ago(Some(at(2)), at(1)), "in 24h");
    }
}
