//! `GET /`: how muniflux is doing at a glance (sources fine, warning,
//! failing; new articles this week; the last poll round), then every
//! source with its new articles per day, failing and warning ones first,
//! then the newest entries of the merged feed.

use std::fmt::Write;

use jiff::{SignedDuration, Timestamp};

use super::{ago, cell, chart, duration, escape, lang, outside_link, page, page_date, Frame};
use crate::status::{warnings, Health, SourceHealth, Thresholds};
use crate::store::{ArticleLine, Round};

/// One source as the summary lists it.
#[derive(Debug, Clone)]
pub struct SourceLine {
    pub health: SourceHealth,
    /// Articles it led to per day.
    pub daily: chart::Daily,
}

/// Everything the summary shows.
#[derive(Debug, Clone)]
pub struct Summary {
    /// In list order (active ones first); the page sorts them.
    pub sources: Vec<SourceLine>,
    /// Articles stored in the last [`WEEK`].
    pub new_last_week: u64,
    pub last_round: Option<Round>,
    /// The newest entries of the merged feed.
    pub latest: Vec<ArticleLine>,
}

/// How far back "new articles" reaches.
pub const WEEK: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Entries of the merged feed the summary lists.
pub const LATEST: usize = 30;

pub fn render(summary: &Summary, thresholds: Thresholds, frame: &Frame<'_>) -> String {
    let now = frame.now;
    let mut lines: Vec<(Health, &SourceLine)> = summary
        .sources
        .iter()
        .map(|line| (Health::of(&line.health, thresholds, now), line))
        .collect();
    // Stable: list order within each verdict.
    lines.sort_by_key(|(health, _)| *health);
    let mut main = String::new();
    let _ = writeln!(main, "<h1>{}</h1>", escape(frame.site));
    main.push_str(&cards(&lines, summary, now));
    let _ = writeln!(
        main,
        "<h2 id=\"sources\">Sources</h2>\n<div class=\"scroll\"><table class=\"stack\">\n<thead><tr>\
         <th>source</th><th>health</th><th>tags</th><th>last poll</th><th>status</th>\
         <th>last success</th><th class=\"num\">articles</th><th class=\"num\">filtered out</th>\
         <th>next check</th><th>new per day, {} days</th><th>warnings</th></tr></thead>\n<tbody>",
        chart::DAYS
    );
    for (health, line) in &lines {
        main.push_str(&source_row(*health, line, thresholds, frame));
    }
    main.push_str("</tbody></table></div>\n");
    main.push_str(&latest(&summary.latest));
    page(frame, &main)
}

/// The counts at the top.
fn cards(lines: &[(Health, &SourceLine)], summary: &Summary, now: Timestamp) -> String {
    let count = |wanted: Health| lines.iter().filter(|(h, _)| *h == wanted).count();
    let mut html = String::from("<ul class=\"cards\">\n");
    for health in [Health::Fine, Health::Warning, Health::Failing] {
        let _ = writeln!(
            html,
            "<li class=\"{name}\"><span class=\"n\">{n}</span>{name}</li>",
            name = health.as_str(),
            n = count(health),
        );
    }
    let removed = count(Health::Removed);
    if removed > 0 {
        let _ = writeln!(
            html,
            "<li class=\"removed\"><span class=\"n\">{removed}</span>removed from the list</li>"
        );
    }
    let _ = writeln!(
        html,
        "<li class=\"wide\"><span class=\"n\">{}</span>new articles in the last 7 days</li>",
        summary.new_last_week
    );
    match &summary.last_round {
        Some(round) => {
            let _ = writeln!(
                html,
                "<li class=\"wide\"><span class=\"n\">{took}</span>last round, ended {ended}: \
                 {polled} polled, {failed} failed, {new} new</li>",
                took = duration(round.duration_ms()),
                ended = ago(Some(round.finished_at), now),
                polled = round.n_polled,
                failed = round.n_failed,
                new = round.n_new,
            );
        }
        None => {
            html.push_str("<li class=\"wide\"><span class=\"n\">–</span>no poll round yet</li>\n")
        }
    }
    html.push_str("</ul>\n");
    html
}

fn source_row(
    health: Health,
    line: &SourceLine,
    thresholds: Thresholds,
    frame: &Frame<'_>,
) -> String {
    let source = &line.health;
    let now = frame.now;
    let mut notes: Vec<String> = Vec::new();
    if let Some(error) = &source.last_error {
        notes.push(format!(
            "<span class=\"err\">{}</span> ({})",
            escape(error),
            ago(source.last_error_at, now)
        ));
    }
    notes.extend(
        warnings(source, thresholds, now)
            .iter()
            .map(|w| format!("<span class=\"warn\">{}</span>", escape(w))),
    );
    let tags = tag_links(frame.root, &source.tags);
    let mut row = String::new();
    let _ = writeln!(
        row,
        "<tr class=\"{class}\">{name}{health}{tags}{polled}{status}{success}{n}{filtered}{next}{chart}{notes}</tr>",
        class = health.as_str(),
        name = cell(
            "source",
            &format!(
                "<a class=\"title\" href=\"{root}sources/{id}\" lang=\"{lang}\">{name}</a>{removed}\
                 <br><span class=\"url\">{url}</span>",
                root = frame.root,
                id = source.id.0,
                lang = lang::of_text(&source.name),
                name = escape(&source.name),
                removed = if source.active { "" } else { " (removed)" },
                url = outside_link(&source.url, &source.url),
            )
        )
        .replacen("<td ", "<td class=\"lead\" ", 1),
        health = cell(
            "health",
            &format!("<span class=\"badge {0}\">{0}</span>", health.as_str())
        ),
        tags = cell("tags", &tags),
        polled = cell("last poll", &ago(source.last_polled_at, now)),
        status = cell(
            "status",
            &source.last_status.map(|s| s.to_string()).unwrap_or_default()
        ),
        success = cell("last success", &ago(source.last_success_at, now)),
        n = cell("articles", &source.n_articles.to_string()).replacen("<td ", "<td class=\"num\" ", 1),
        filtered = cell("filtered out", &source.n_filtered.to_string())
            .replacen("<td ", "<td class=\"num\" ", 1),
        next = cell(
            "next check",
            &if source.active {
                ago(source.next_check_at, now)
            } else {
                String::new()
            }
        ),
        chart = cell("new per day", &line.daily.svg(120, 24)),
        notes = cell("warnings", &notes.join("<br>")),
    );
    row
}

/// The newest entries of the merged feed.
fn latest(articles: &[ArticleLine]) -> String {
    let mut html = format!(
        "<h2 id=\"latest\">Latest {} entries of the feed</h2>\n<div class=\"scroll\"><table class=\"stack\">\n\
         <thead><tr><th>title</th><th>source</th><th>published</th><th>updated</th></tr></thead>\n<tbody>\n",
        articles.len()
    );
    for article in articles {
        let source = match &article.source {
            Some((id, name)) => format!(
                "<a href=\"sources/{}\" lang=\"{}\">{}</a>",
                id.0,
                lang::of_text(name),
                escape(name)
            ),
            None => String::new(),
        };
        let _ = writeln!(
            html,
            "<tr>{}{}{}{}</tr>",
            cell(
                "title",
                &format!(
                    "<a class=\"title\" href=\"articles/{}\" lang=\"{}\">{}</a>",
                    article.id.0,
                    lang::of_text(&article.title),
                    escape(&article.title)
                )
            )
            .replacen("<td ", "<td class=\"lead\" ", 1),
            cell("source", &source),
            cell("published", &page_date(article.published)),
            cell("updated", &page_date(article.updated)),
        );
    }
    html.push_str("</tbody></table></div>\n");
    html
}

/// A source's tags as links to their tag feeds, comma-separated.
pub fn tag_links(root: &str, tags: &[String]) -> String {
    tags.iter()
        .map(|t| {
            format!(
                "<a href=\"{root}feeds/{}.atom\">{}</a>",
                escape(&url_segment(t)),
                escape(t)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A tag as one percent-encoded path segment (a tag is free text).
pub fn url_segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::render_table;
    use crate::status::tests::{at, healthy};

    fn summary(sources: &[SourceHealth]) -> Summary {
        Summary {
            sources: sources
                .iter()
                .map(|s| SourceLine {
                    health: s.clone(),
                    daily: chart::daily(&[], at(40)),
                })
                .collect(),
            new_last_week: 3,
            last_round: None,
            latest: Vec::new(),
        }
    }

    fn frame(site: &str) -> Frame<'_> {
        Frame {
            site,
            title: site,
            root: "",
            now: at(40),
        }
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
        let html = render(
            &summary(&sources),
            Thresholds::default(),
            &frame("Test & co"),
        );
        assert!(html.contains("Ale &lt;kommun&gt;"), "{html}");
        assert!(html.contains("href=\"https://bjuv.se/?a=1&amp;b=2\""));
        assert!(html.contains("<title>Test &amp; co</title>"));
        // The failing source comes first.
        assert!(html.find("Bjuv").unwrap() < html.find("Ale &lt;kommun&gt;").unwrap());
        for card in ["1</span>fine", "0</span>warning", "1</span>failing"] {
            assert!(html.contains(card), "no {card}");
        }
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
        assert!(html.contains(">filtered out</th>"));
        assert!(html.contains("<td class=\"num\" data-label=\"filtered out\">37</td>"));
    }
}
