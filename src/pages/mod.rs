//! Pure: the operator's pages as HTML, from what the store and the source
//! list say (`serve` reads them and hands them over). `GET /` is the
//! summary and every source ([`summary`]), `GET /sources/<id>` one source
//! ([`source`]), `GET /articles/<id>` one stored article ([`article`]).
//!
//! The pages are made to be read, not to act: no form, no script, nothing
//! that changes state. Every text from the store or the network goes
//! through [`escape`] (the article body is the sanitised HTML subscribers
//! get), links are relative to the page so the pages work behind a path
//! prefix, and one stylesheet in the page serves phones and desktops,
//! light and dark (`prefers-color-scheme`). The chrome is English; a
//! headline or body carries the `lang` of its text ([`lang`]).

pub mod article;
pub mod chart;
pub mod lang;
pub mod source;
pub mod summary;

use std::fmt::Write;

use jiff::Timestamp;

use crate::model::{rfc3339_stockholm, PageDate, STOCKHOLM};

/// What every page shows around its content.
pub struct Frame<'a> {
    /// The feed's title, the pages' name.
    pub site: &'a str,
    /// The page's own title (the site's name follows it).
    pub title: &'a str,
    /// The way back to `/` from this page (`""` or `"../"`).
    pub root: &'a str,
    pub now: Timestamp,
}

/// The page around `main`.
pub fn page(frame: &Frame<'_>, main: &str) -> String {
    let mut html = String::with_capacity(main.len() + 4096);
    let root = frame.root;
    let title = if frame.title == frame.site {
        escape(frame.site)
    } else {
        format!("{} · {}", escape(frame.title), escape(frame.site))
    };
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header><nav><a class=\"home\" href=\"{root}./\">{site}</a> \
         <a href=\"{root}feed.atom\">Atom feed</a> \
         <a href=\"{root}feed.json\">JSON feed</a> \
         <a href=\"{root}sources.opml\">OPML</a> \
         <a href=\"{root}metrics\">metrics</a></nav></header>\n<main>\n{main}</main>\n\
         <footer>Generated {generated}. Times are Swedish time ({zone}).</footer>\n\
         </body>\n</html>\n",
        site = escape(frame.site),
        generated = when(frame.now),
        zone = frame.now.to_zoned(STOCKHOLM.clone()).strftime("UTC%:z")
    );
    html
}

/// HTML text and attribute escaping: the five characters that can end a
/// text or an attribute value.
pub fn escape(text: &str) -> String {
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

/// A link to a page elsewhere, when `url` is an http(s) URL (anything
/// else, `javascript:` above all, is shown as text).
pub fn outside_link(url: &str, text: &str) -> String {
    if url.starts_with("https://") || url.starts_with("http://") {
        format!(
            "<a href=\"{}\" rel=\"noreferrer\">{}</a>",
            escape(url),
            escape(text)
        )
    } else {
        escape(text)
    }
}

/// A time as `2024-03-05 14:03` in Swedish time, with the exact instant
/// in `datetime`.
pub fn when(t: Timestamp) -> String {
    format!(
        "<time datetime=\"{}\">{}</time>",
        rfc3339_stockholm(t),
        t.to_zoned(STOCKHOLM.clone()).strftime("%Y-%m-%d %H:%M")
    )
}

/// A time as "3m ago", with the time itself as its tooltip.
pub fn ago(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        None => "never".to_string(),
        Some(t) => format!(
            "<time datetime=\"{}\" title=\"{}\">{}</time>",
            rfc3339_stockholm(t),
            t.to_zoned(STOCKHOLM.clone()).strftime("%Y-%m-%d %H:%M"),
            crate::status::ago(Some(t), now)
        ),
    }
}

/// A page's date as stored: a day stays a day (`2024-03-05`), a time is
/// shown to the minute in Swedish time.
pub fn page_date(date: Option<PageDate>) -> String {
    match date {
        None => "<span class=\"none\">none</span>".to_string(),
        Some(PageDate::Day(day)) => format!("<time datetime=\"{day}\">{day}</time>"),
        Some(PageDate::Time(t)) => when(t),
    }
}

/// A duration in milliseconds as `850 ms`, `12.3 s` or `4 min 5 s`.
pub fn duration(ms: i64) -> String {
    match ms {
        ms if ms < 1000 => format!("{ms} ms"),
        ms if ms < 60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        ms => format!("{} min {} s", ms / 60_000, ms % 60_000 / 1000),
    }
}

/// A `<td>` with the column's name for the narrow layout (where each row
/// is a card and each cell says what it is).
pub fn cell(label: &str, content: &str) -> String {
    format!("<td data-label=\"{}\">{content}</td>", escape(label))
}

/// One stylesheet for every page: a table per screen on a desktop, each
/// row a card on a phone; light and dark after the reader's setting.
const STYLE: &str = "
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--muted:#5f6368;--line:#d9dce1;
--head:#f3f4f6;--accent:#0b57d0;--bad:#b3261e;--bad-bg:#fce8e6;--warn:#7a5900;--warn-bg:#fff4ce;
--ok:#146c2e;--ok-bg:#e6f4ea;--bar:#0b57d0;--zero:#c4c7cc;--ins:#e6f4ea;--del:#fce8e6}
@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--bg:#15171a;--muted:#a0a6ad;
--line:#33373d;--head:#1f2226;--accent:#8ab4f8;--bad:#f2b8b5;--bad-bg:#3c1f1d;--warn:#f5d77a;
--warn-bg:#3a3113;--ok:#a8dab5;--ok-bg:#17301f;--bar:#8ab4f8;--zero:#4a4f56;--ins:#17301f;
--del:#3c1f1d}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:90rem;padding:0 1rem 2rem;background:var(--bg);color:var(--fg);
font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
a{color:var(--accent)}
header nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:.75rem 0;
border-bottom:1px solid var(--line);margin-bottom:1rem}
header .home{font-weight:600;margin-right:auto}
h1{font-size:1.5rem;margin:.5rem 0 .75rem;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:1.75rem 0 .5rem}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.75rem;
margin:0 0 1rem;padding:0;list-style:none}
.cards li{border:1px solid var(--line);border-radius:8px;padding:.6rem .9rem}
.cards li.wide{grid-column:span 2}
.cards .n{font-size:1.6rem;font-weight:600;display:block;line-height:1.2}
.cards .fine .n{color:var(--ok)}.cards .warning .n{color:var(--warn)}.cards .failing .n{color:var(--bad)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid var(--line)}
th{background:var(--head);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.failing td:first-child{box-shadow:inset 4px 0 var(--bad)}
tr.warning td:first-child{box-shadow:inset 4px 0 var(--warn)}
tr.removed{color:var(--muted)}
.badge{display:inline-block;border-radius:4px;padding:0 .4em;font-size:.8rem;font-weight:600;
white-space:nowrap}
.badge.failing{background:var(--bad-bg);color:var(--bad)}
.badge.warning{background:var(--warn-bg);color:var(--warn)}
.badge.fine{background:var(--ok-bg);color:var(--ok)}
.badge.removed{border:1px solid var(--line);color:var(--muted)}
.err{color:var(--bad);overflow-wrap:anywhere}
.warn{color:var(--warn)}
.muted,.none{color:var(--muted)}
.url{color:var(--muted);font-size:.8rem;overflow-wrap:break-word;word-break:break-all}
.title{overflow-wrap:break-word}
td.lead{min-width:14rem}
code{font-size:.85rem;overflow-wrap:anywhere}
svg.chart{display:block;color:var(--bar)}
svg.chart .zero{fill:var(--zero)}
dl{display:grid;grid-template-columns:12rem 1fr;gap:.3rem 1rem;margin:0}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
ul.plain{margin:0;padding-left:1.1rem}
.pager{margin:.75rem 0}
article.body{border:1px solid var(--line);border-radius:8px;padding:.25rem 1.25rem;
max-width:46rem;font-size:1rem;line-height:1.6;overflow-wrap:break-word}
article.body img,article.body video,article.body iframe{max-width:100%;height:auto}
article.body table{width:auto}
.change{border-left:3px solid var(--line);padding:.1rem 0 .1rem .75rem;margin:.75rem 0}
del,ins{display:block;text-decoration:none;padding:.15rem .4rem;margin:.2rem 0;border-radius:4px}
del{background:var(--del)}ins{background:var(--ins)}
del::before{content:'− '}ins::before{content:'+ '}
@media (max-width:700px){
body{padding:0 .6rem 2rem}
table.stack thead{display:none}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
table.stack tr{border:1px solid var(--line);border-radius:8px;margin:0 0 .6rem;padding:.3rem .1rem}
table.stack td{border:0;padding:.15rem .6rem;min-width:0}
table.stack td[data-label]:not(.lead)::before{content:attr(data-label) ': ';color:var(--muted)}
table.stack td:empty{display:none}
table.stack td.num{text-align:left}
table.stack svg.chart{display:inline-block;vertical-align:middle}
tr.failing td:first-child,tr.warning td:first-child{box-shadow:none}
tr.failing{border-left:4px solid var(--bad)!important}
tr.warning{border-left:4px solid var(--warn)!important}
dl{grid-template-columns:1fr}dt{margin-top:.4rem}
}
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            escape("<b a=\"1\" c='2'>&amp;</b>"),
            "&lt;b a=&quot;1&quot; c=&#39;2&#39;&gt;&amp;amp;&lt;/b&gt;"
        );
        assert_eq!(outside_link("javascript:alert(1)", "x"), "x");
        assert_eq!(
            outside_link("https://a.se/?a=1&b=\"", "<x>"),
            "<a href=\"https://a.se/?a=1&amp;b=&quot;\" rel=\"noreferrer\">&lt;x&gt;</a>"
        );
    }

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(duration(850), "850 ms");
        assert_eq!(duration(12_345), "12.3 s");
        assert_eq!(duration(245_000), "4 min 5 s");
    }
}
