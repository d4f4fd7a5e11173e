//! Pure: source health for operators, as the HTML status page (`GET /`) and
//! the terminal table of `muniflux sources`. Both show the same facts and
//! the same warnings, computed here once.
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

/// The status page: one row per source (active ones; removed ones are
/// listed after them, greyed).
pub fn render_html(
    sources: &[SourceHealth],
    thresholds: Thresholds,
    now: Timestamp,
    title: &str,
) -> String {
    let n_active = sources.iter().filter(|s| s.active).count();
    let n_warned = sources
        .iter()
        .filter(|s| !warnings(s, thresholds, now).is_empty())
        .count();
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>muniflux: {title}</title>\n<style>\
         body{{font-family:sans-serif;margin:1em}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ccc;padding:.2em .4em;text-align:left;vertical-align:top}}\
         tr.warn{{background:#fff3cd}}tr.inactive{{color:#888}}.err{{color:#a00}}\
         </style></head><body>\n<h1>{title}</h1>\n\
         <p>{n_active} sources, {n_warned} with warnings. \
         <a href=\"/feed.atom\">feed.atom</a> · <a href=\"/metrics\">metrics</a> · generated {now}</p>\n\
         <table>\n<tr><th>source</th><th>tags</th><th>last poll</th><th>status</th>\
         <th>last success</th><th>last error</th><th>articles</th><th>filtered out</th><th>next check</th>\
         <th>warnings</th></tr>\n",
        title = escape(title),
        now = now.strftime("%Y-%m-%d %H:%M:%S UTC"),
    );
    for source in sources {
        let warnings = warnings(source, thresholds, now);
        let class = if !source.active {
            "inactive"
        } else if warnings.is_empty() {
            "ok"
        } else {
            "warn"
        };
        let error = match (&source.last_error, source.last_error_at) {
            (Some(e), at) => format!(
                "<span class=\"err\">{}</span> ({})",
                escape(e),
                ago(at, now)
            ),
            (None, _) => String::new(),
        };
        let _ =
            writeln!(
            html,
            "<tr class=\"{class}\"><td><a href=\"{url}\">{name}</a>{removed}</td><td>{tags}</td>\
             <td>{polled}</td><td>{status}</td><td>{success}</td><td>{error}</td><td>{n}</td><td>{filtered}</td>\
             <td>{next}</td><td>{warnings}</td></tr>",
            url = escape(&source.url),
            name = escape(&source.name),
            removed = if source.active { "" } else { " (removed)" },
            tags = source
                .tags
                .iter()
                .map(|t| format!("<a href=\"/feeds/{0}.atom\">{0}</a>", escape(t)))
                .collect::<Vec<_>>()
                .join(", "),
            polled = ago(source.last_polled_at, now),
            status = source.last_status.map(|s| s.to_string()).unwrap_or_default(),
            success = ago(source.last_success_at, now),
            n = source.n_articles,
            filtered = source.n_filtered,
            next = if source.active {
                ago(source.next_check_at, now)
            } else {
                String::new()
            },
            warnings = escape(&warnings.join("; ")),
        );
    }
    html.push_str("</table>\n</body></html>\n");
    html
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

/// HTML text and attribute escaping.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days: i64) -> Timestamp {
        Timestamp::from_second(1_767_225_600 + days * 86_400).unwrap()
    }

    fn healthy() -> SourceHealth {
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
    fn page_and_table_show_the_same_facts() {
        let broken = SourceHealth {
            name: "Bjuv".into(),
            url: "https://bjuv.se/?a=1&b=2".into(),
            error_count: 2,
            last_error: Some("HTTP 503 from https://bjuv.se/".into()),
            last_error_at: Some(at(40)),
            last_status: Some(503),
            empty_polls: 4,
            n_filtered: 37,
            ..healthy()
        };
        let sources = [healthy(), broken];
        let html = render_html(&sources, Thresholds::default(), at(40), "Test & co");
        assert!(html.contains("Ale &lt;kommun&gt;"), "{html}");
        assert!(html.contains("href=\"https://bjuv.se/?a=1&amp;b=2\""));
        assert!(html.contains("<title>muniflux: Test &amp; co</title>"));
        assert!(html.contains("2 sources, 1 with warnings"));
        let table = render_table(&sources, Thresholds::default(), at(40));
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3, "{table}");
        assert!(lines[0].starts_with("SOURCE"));
        for needle in [
            "503",
            "HTTP 503 from https://bjuv.se/",
            "2 errors in a row",
            "no articles found in the last 4 polls",
        ] {
            assert!(html.contains(needle), "page lacks {needle}");
            assert!(lines[2].contains(needle), "table lacks {needle}: {table}");
        }
        assert!(lines[1].contains("Ale <kommun>") && lines[1].contains("12"));
        // Links the topic filter turned away, in their own column.
        let column = lines[0].find("FILTERED").unwrap();
        assert!(lines[2][column..].starts_with("37 "), "{table}");
        assert!(html.contains("<th>filtered out</th>") && html.contains("<td>37</td>"));
    }

    #[test]
    fn ages() {
        assert_eq!(ago(None, at(1)), "never");
        assert_eq!(ago(Some(at(1)), at(1)), "0s ago");
        assert_eq!(ago(Some(at(0)), at(3)), "3d ago");
        assert_eq!(ago(Some(at(2)), at(1)), "in 24h");
    }
}
