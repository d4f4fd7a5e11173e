//! `GET /articles/<id>`: one stored article as subscribers get it (the
//! sanitised body), with what identifies it (Atom id, canonical and other
//! URLs), the sources that carried it, and its corrections.

use std::fmt::Write;

use super::{escape, lang, outside_link, page, page_date, when, Frame};
use crate::store::{ArticleView, Correction};

pub fn render(view: &ArticleView, corrections: &[Correction], frame: &Frame<'_>) -> String {
    let line = &view.line;
    let root = frame.root;
    let content_lang = lang::of_text(&format!("{} {}", line.title, view.body_html));
    let mut main = String::new();
    let _ = writeln!(
        main,
        "<h1 lang=\"{content_lang}\">{}</h1>",
        escape(&line.title)
    );
    main.push_str("<dl>\n");
    let mut fact = |term: &str, value: String| {
        let _ = writeln!(main, "<dt>{term}</dt><dd>{value}</dd>");
    };
    fact(
        "Atom id",
        format!("<code>{}</code>", escape(&view.entry_id)),
    );
    fact("canonical URL", outside_link(&line.url, &line.url));
    let others: Vec<String> = view
        .urls
        .iter()
        .filter(|u| **u != line.url)
        .map(|u| format!("<li>{}</li>", outside_link(u, u)))
        .collect();
    if !others.is_empty() {
        fact(
            "other URLs",
            format!("<ul class=\"plain\">{}</ul>", others.join("")),
        );
    }
    fact("published", page_date(line.published));
    fact("updated", page_date(line.updated));
    fact(
        "dates from",
        line.date_source
            .as_deref()
            .map(|d| format!("<code>{}</code>", escape(d)))
            .unwrap_or_else(|| {
                "<span class=\"none\">no date found: the feed uses when it was stored</span>".into()
            }),
    );
    if let Some(author) = view.author.as_deref().filter(|a| !a.trim().is_empty()) {
        fact(
            "author",
            format!(
                "<span lang=\"{}\">{}</span>",
                lang::of_text(author),
                escape(author)
            ),
        );
    }
    fact("stored", when(line.first_seen_at));
    fact("last changed", when(view.changed_at));
    if let Some((url, checked)) = &view.page {
        fact(
            "checked for corrections at",
            format!("{}, last {}", outside_link(url, url), when(*checked)),
        );
    }
    fact(
        "body",
        format!("{} characters of text", line.body_chars.unwrap_or(0)),
    );
    let sources: Vec<String> = view
        .sources
        .iter()
        .map(|(id, name, at)| {
            format!(
                "<li><a href=\"{root}sources/{}\" lang=\"{}\">{}</a>, from {}</li>",
                id.0,
                lang::of_text(name),
                escape(name),
                when(*at)
            )
        })
        .collect();
    fact(
        if sources.len() > 1 {
            "carried by (cross-posts)"
        } else {
            "carried by"
        },
        format!("<ul class=\"plain\">{}</ul>", sources.join("")),
    );
    main.push_str("</dl>\n");
    main.push_str(&corrections_list(corrections, content_lang));
    let _ = writeln!(
        main,
        "<h2>As subscribers get it</h2>\n<article class=\"body\" lang=\"{content_lang}\">\n{}\n</article>",
        view.body_html
    );
    page(
        &Frame {
            title: &line.title,
            ..*frame
        },
        &main,
    )
}

fn corrections_list(corrections: &[Correction], content_lang: &str) -> String {
    let mut html = format!(
        "<h2 id=\"corrections\">Corrections ({})</h2>\n",
        corrections.len()
    );
    if corrections.is_empty() {
        html.push_str("<p class=\"none\">None: the article is as first stored.</p>\n");
        return html;
    }
    for c in corrections {
        let _ = writeln!(
            html,
            "<div class=\"change\"><p><strong>{}</strong>: ",
            when(c.at)
        );
        let mut what = Vec::new();
        if c.title_before != c.title_after {
            what.push("headline".to_string());
        }
        if !c.removed.is_empty() || !c.added.is_empty() || c.chars_before != c.chars_after {
            what.push(format!(
                "body ({} → {} characters)",
                c.chars_before, c.chars_after
            ));
        }
        if c.updated_before != c.updated_after {
            what.push(format!(
                "updated date {} → {}",
                escape(c.updated_before.as_deref().unwrap_or("none")),
                escape(c.updated_after.as_deref().unwrap_or("none"))
            ));
        }
        let _ = writeln!(html, "{}</p>", what.join("; "));
        let _ = write!(html, "<div lang=\"{content_lang}\">");
        if c.title_before != c.title_after {
            let _ = write!(
                html,
                "<del>{}</del><ins>{}</ins>",
                escape(&c.title_before),
                escape(&c.title_after)
            );
        }
        for p in &c.removed {
            let _ = write!(html, "<del>{}</del>", escape(p));
        }
        for p in &c.added {
            let _ = write!(html, "<ins>{}</ins>", escape(p));
        }
        html.push_str("</div></div>\n");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ArticleId, ArticleLine, SourceId};
    use jiff::Timestamp;

    #[test]
    fn corrections_and_identity_are_shown_escaped() {
        let at: Timestamp = "2026-05-04T08:00:00Z".parse().unwrap();
        let view = ArticleView {
            line: ArticleLine {
                id: ArticleId(7),
                title: "Vägarbete <på> Storgatan".into(),
                url: "https://ale.se/n/1?a=1&b=2".into(),
                published: None,
                updated: None,
                date_source: None,
                first_seen_at: at,
                sort_at: at.as_second(),
                source: None,
                body_chars: Some(42),
            },
            entry_id: "tag:muniflux,2026:ale.se/n/1".into(),
            author: None,
            body_html: "<p>Storgatan stängs av för vägarbete.</p>".into(),
            urls: vec![
                "https://ale.se/n/1?a=1&b=2".into(),
                "javascript:alert(1)".into(),
            ],
            sources: vec![(SourceId(3), "Ale & co".into(), at)],
            page: None,
            changed_at: at,
        };
        let correction = Correction {
            at,
            title_before: "Vägarbete".into(),
            title_after: "Vägarbete <på> Storgatan".into(),
            updated_before: None,
            updated_after: Some("2026-05-04".into()),
            chars_before: 30,
            chars_after: 42,
            removed: vec!["Gatan stängs <i>måndag</i>.".into()],
            added: vec![],
        };
        let frame = Frame {
            site: "Test",
            title: "Test",
            root: "../",
            now: at,
        };
        let html = render(&view, &[correction], &frame);
        assert!(html.contains("<h1 lang=\"sv\">Vägarbete &lt;på&gt; Storgatan</h1>"));
        assert!(html.contains("<code>tag:muniflux,2026:ale.se/n/1</code>"));
        assert!(html.contains("href=\"https://ale.se/n/1?a=1&amp;b=2\""));
        // A URL that is no web address is shown, not linked.
        assert!(!html.contains("href=\"javascript:"));
        assert!(html.contains("<li>javascript:alert(1)</li>"));
        assert!(html.contains("<a href=\"../sources/3\" lang=\"sv\">Ale &amp; co</a>"));
        assert!(html.contains("Corrections (1)"));
        assert!(
            html.contains("headline; body (30 → 42 characters); updated date none → 2026-05-04")
        );
        assert!(html.contains("<del>Vägarbete</del><ins>Vägarbete &lt;på&gt; Storgatan</ins>"));
        assert!(html.contains("<del>Gatan stängs &lt;i&gt;måndag&lt;/i&gt;.</del>"));
        assert!(html.contains("<p>Storgatan stängs av för vägarbete.</p>"));
    }
}
