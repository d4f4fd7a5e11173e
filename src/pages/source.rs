//! `GET /sources/<id>`: one source: its entry in the source list, its
//! health and new articles per day, its last polls, and the articles it
//! led to, newest first, with their dates and where each date came from.

use std::fmt::Write;
use std::time::Duration;

use super::summary::tag_links;
use super::{ago, cell, chart, duration, escape, lang, outside_link, page, page_date, when, Frame};
use crate::config;
use crate::model::PageKind;
use crate::status::{warnings, Health, SourceHealth, Thresholds};
use crate::store::{ArticleLine, Cursor, Poll, PollOutcome};

/// Polls the page lists.
pub const POLLS: usize = 20;

/// Articles per page of the list.
pub const ARTICLES: usize = 50;

/// The list-wide settings a source without its own uses.
#[derive(Debug, Clone, Copy)]
pub struct Defaults {
    /// `[poll] interval`.
    pub interval: Duration,
    /// `[poll] max_pages`.
    pub max_pages: u32,
}

/// Everything the page shows.
#[derive(Debug, Clone)]
pub struct SourcePage {
    pub health: SourceHealth,
    /// Its entry in the source list as loaded now; `None` once removed.
    pub entry: Option<config::Source>,
    pub defaults: Defaults,
    pub daily: chart::Daily,
    /// Newest first.
    pub polls: Vec<Poll>,
    /// One page of its articles, newest first.
    pub articles: Vec<ArticleLine>,
    /// Whether this is the first page of its articles.
    pub first_page: bool,
    /// Where the next page starts, when there are more.
    pub more: Option<Cursor>,
}

pub fn render(source: &SourcePage, thresholds: Thresholds, frame: &Frame<'_>) -> String {
    let health = &source.health;
    let verdict = Health::of(health, thresholds, frame.now);
    let mut main = String::new();
    let _ = writeln!(
        main,
        "<h1><span lang=\"{}\">{}</span> <span class=\"badge {verdict}\">{verdict}</span></h1>",
        lang::of_text(&health.name),
        escape(&health.name),
        verdict = verdict.as_str(),
    );
    main.push_str(&list_entry(source, frame));
    main.push_str(&health_facts(source, thresholds, frame));
    main.push_str(&polls(&source.polls));
    main.push_str(&articles(source, frame));
    page(
        &Frame {
            title: &health.name,
            ..*frame
        },
        &main,
    )
}

/// Its entry in the source list: what the operator wrote (or inherited).
fn list_entry(source: &SourcePage, frame: &Frame<'_>) -> String {
    let health = &source.health;
    let mut html = String::from("<h2>In the source list</h2>\n<dl>\n");
    let mut fact = |term: &str, value: &str| {
        let _ = writeln!(html, "<dt>{term}</dt><dd>{value}</dd>");
    };
    fact("URL", &outside_link(&health.url, &health.url));
    if let Some(moved) = &health.moved_to {
        fact(
            "fetched from",
            &format!(
                "{} <span class=\"warn\">(moved permanently; update the source list)</span>",
                outside_link(moved, moved)
            ),
        );
    }
    let tags = tag_links(frame.root, &health.tags);
    fact(
        "tags",
        if tags.is_empty() {
            "<span class=\"none\">none</span>"
        } else {
            &tags
        },
    );
    fact(
        "reads",
        match health.kind {
            Some(PageKind::Feed) => "a feed",
            Some(PageKind::Html) => "a news list page",
            None => "<span class=\"none\">not read yet</span>",
        },
    );
    match &source.entry {
        None => fact(
            "status",
            "<span class=\"warn\">removed from the source list; its articles stay</span>",
        ),
        Some(entry) => {
            fact(
                "interval",
                &inherited(
                    entry.interval.map(interval),
                    interval(source.defaults.interval),
                ),
            );
            fact(
                "max pages",
                &inherited(
                    entry.max_pages.map(|n| n.to_string()),
                    source.defaults.max_pages.to_string(),
                ),
            );
            let selectors = &entry.selectors;
            let rules = [
                ("links", &selectors.links),
                ("title", &selectors.title),
                ("date", &selectors.date),
                ("body", &selectors.body),
            ]
            .iter()
            .filter_map(|(name, rule)| {
                rule.as_ref()
                    .map(|r| format!("{name} = <code>{}</code>", escape(r.as_str())))
            })
            .collect::<Vec<_>>();
            fact(
                "selectors",
                &if rules.is_empty() {
                    "<span class=\"none\">none (the heuristics decide)</span>".to_string()
                } else {
                    rules.join("<br>")
                },
            );
            fact(
                "filters",
                &if entry.topics.is_empty() {
                    "<span class=\"none\">none</span>".to_string()
                } else {
                    format!("<code>{}</code>", escape(&entry.topics.describe()))
                },
            );
        }
    }
    html.push_str("</dl>\n");
    html
}

/// A setting as the source has it, or the list's default, marked.
fn inherited(own: Option<String>, default: String) -> String {
    match own {
        Some(value) => escape(&value),
        None => format!(
            "{} <span class=\"muted\">(default)</span>",
            escape(&default)
        ),
    }
}

/// `30m`, `1h 30m`, `45s`, `2d`.
fn interval(d: Duration) -> String {
    let s = d.as_secs();
    let parts = [
        (s / 86_400, "d"),
        (s / 3600 % 24, "h"),
        (s / 60 % 60, "m"),
        (s % 60, "s"),
    ];
    let text: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if text.is_empty() {
        "0s".to_string()
    } else {
        text.join(" ")
    }
}

/// The state of its polling now, and its new articles per day.
fn health_facts(source: &SourcePage, thresholds: Thresholds, frame: &Frame<'_>) -> String {
    let health = &source.health;
    let now = frame.now;
    let mut html = String::from("<h2>Health</h2>\n<dl>\n");
    let mut fact = |term: &str, value: String| {
        let _ = writeln!(html, "<dt>{term}</dt><dd>{value}</dd>");
    };
    fact(
        "last poll",
        format!(
            "{}{}",
            ago(health.last_polled_at, now),
            health
                .last_status
                .map(|s| format!(" (HTTP {s})"))
                .unwrap_or_default()
        ),
    );
    fact("last success", ago(health.last_success_at, now));
    fact("last new article", ago(health.last_new_at, now));
    if health.active {
        fact("next check", ago(health.next_check_at, now));
    }
    if let Some(error) = &health.last_error {
        fact(
            "last error",
            format!(
                "<span class=\"err\">{}</span> ({})",
                escape(error),
                ago(health.last_error_at, now)
            ),
        );
    }
    let warned = warnings(health, thresholds, now);
    if !warned.is_empty() {
        fact(
            "warnings",
            warned
                .iter()
                .map(|w| format!("<span class=\"warn\">{}</span>", escape(w)))
                .collect::<Vec<_>>()
                .join("<br>"),
        );
    }
    fact(
        "articles",
        format!(
            "{} led to, {} links filtered out",
            health.n_articles, health.n_filtered
        ),
    );
    fact(
        &format!("new per day, {} days", chart::DAYS),
        format!(
            "{}<span class=\"muted\">{} in all, first day {}</span>",
            source.daily.svg(300, 48),
            source.daily.total(),
            source.daily.first
        ),
    );
    html.push_str("</dl>\n");
    html
}

fn polls(polls: &[Poll]) -> String {
    let mut html = format!(
        "<h2 id=\"polls\">Last polls ({})</h2>\n<div class=\"scroll\"><table class=\"stack\">\n<thead><tr>\
         <th>time</th><th>outcome</th><th>status</th><th class=\"num\">new</th>\
         <th class=\"num\">seen</th><th class=\"num\">took</th><th>error</th></tr></thead>\n<tbody>\n",
        polls.len()
    );
    for poll in polls {
        let outcome = match poll.outcome {
            PollOutcome::Failed => "<span class=\"badge failing\">failed</span>".to_string(),
            other => escape(other.as_str()),
        };
        let error = poll
            .error
            .as_deref()
            .map(|e| {
                let class = if poll.outcome == PollOutcome::Failed {
                    "err"
                } else {
                    "warn"
                };
                format!("<span class=\"{class}\">{}</span>", escape(e))
            })
            .unwrap_or_default();
        let _ = writeln!(
            html,
            "<tr>{}{}{}{}{}{}{}</tr>",
            cell("time", &when(poll.at)).replacen("<td ", "<td class=\"lead\" ", 1),
            cell("outcome", &outcome),
            cell(
                "status",
                &poll.status.map(|s| s.to_string()).unwrap_or_default()
            ),
            num_cell("new", poll.n_new.to_string()),
            num_cell("seen", poll.n_seen.to_string()),
            num_cell("took", duration(poll.duration_ms as i64)),
            cell("error", &error),
        );
    }
    if polls.is_empty() {
        html.push_str("<tr><td colspan=\"7\" class=\"none\">no polls recorded yet</td></tr>\n");
    }
    html.push_str("</tbody></table></div>\n");
    html
}

fn num_cell(label: &str, value: String) -> String {
    cell(label, &value).replacen("<td ", "<td class=\"num\" ", 1)
}

/// Its articles in feed order, newest first, with where their dates came
/// from; a link to the next page when there are more.
fn articles(source: &SourcePage, frame: &Frame<'_>) -> String {
    let root = frame.root;
    let mut html = String::from(
        "<h2 id=\"articles\">Articles, newest first</h2>\n<div class=\"scroll\"><table class=\"stack\">\n\
         <thead><tr><th>title</th><th>published</th><th>updated</th><th>date from</th>\
         <th class=\"num\">body</th><th>found</th></tr></thead>\n<tbody>\n",
    );
    for article in &source.articles {
        let title = format!(
            "<a class=\"title\" href=\"{root}articles/{id}\" lang=\"{lang}\">{title}</a> \
             <span class=\"url\">{original}</span>",
            id = article.id.0,
            lang = lang::of_text(&article.title),
            title = escape(&article.title),
            original = outside_link(&article.url, "original ↗"),
        );
        let _ = writeln!(
            html,
            "<tr>{}{}{}{}{}{}</tr>",
            cell("title", &title).replacen("<td ", "<td class=\"lead\" ", 1),
            cell("published", &page_date(article.published)),
            cell("updated", &page_date(article.updated)),
            cell(
                "date from",
                &article
                    .date_source
                    .as_deref()
                    .map(|d| format!("<code>{}</code>", escape(d)))
                    .unwrap_or_else(|| "<span class=\"none\">no date found</span>".into())
            ),
            num_cell(
                "body",
                article
                    .body_chars
                    .map(|n| format!("{n} chars"))
                    .unwrap_or_default()
            ),
            cell("found", &when(article.first_seen_at)),
        );
    }
    if source.articles.is_empty() {
        html.push_str("<tr><td colspan=\"6\" class=\"none\">no articles</td></tr>\n");
    }
    html.push_str("</tbody></table></div>\n<p class=\"pager\">");
    if !source.first_page {
        let _ = write!(
            html,
            "<a href=\"{root}sources/{}#articles\">← newest</a> ",
            source.health.id.0
        );
    }
    if let Some(cursor) = source.more {
        let _ = write!(
            html,
            "<a href=\"{root}sources/{}?after={}.{}#articles\">older articles →</a>",
            source.health.id.0, cursor.sort_at, cursor.id.0
        );
    }
    html.push_str("</p>\n");
    html
}

/// The `after` query parameter of the next page link.
pub fn parse_cursor(text: &str) -> Option<Cursor> {
    let (sort_at, id) = text.split_once('.')?;
    Some(Cursor {
        sort_at: sort_at.parse().ok()?,
        id: crate::store::ArticleId(id.parse().ok()?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_and_cursors() {
        assert_eq!(interval(Duration::from_secs(1800)), "30m");
        assert_eq!(interval(Duration::from_secs(5400)), "1h 30m");
        assert_eq!(interval(Duration::from_secs(86_400)), "1d");
        let cursor = parse_cursor("1717000000.42").unwrap();
        assert_eq!((cursor.sort_at, cursor.id.0), (1_717_000_000, 42));
        assert_eq!(parse_cursor("-5.1").map(|c| c.sort_at), Some(-5));
        assert_eq!(parse_cursor("x.1"), None);
        assert_eq!(parse_cursor("12"), None);
    }
}
