//! Per-source CSS selectors for the rare site the heuristics get wrong
//! (`selectors = { links = "...", title = "...", date = "...", body = "..." }`
//! on a `[[source]]`). Each one replaces one decision of the extractors and
//! leaves the others alone:
//!
//! - `links`: the article links of a list page, in page order: each match
//!   that is a link, or else the first link inside the match (a card);
//! - `title`: the headline element (its text is the title, and it is kept out
//!   of the body);
//! - `date`: the element(s) holding the article's dates; a `datetime` or
//!   `content` attribute wins over the text, and a match whose text says
//!   "uppdaterad"/"updated"/"ändrad" gives the updated date, any other the
//!   published date;
//! - `body`: the element(s) holding the article text, rendered with the usual
//!   boilerplate skipping inside them.
//!
//! A selector that matches nothing on a page (for `date`: nothing with a
//! date in it) falls back to the heuristics, so a redesign of the site
//! degrades to the normal extraction, not to none.

use std::collections::HashSet;
use std::fmt;

use scraper::{Html, Selector};

use super::dom::Dom;

/// One compiled selector and the text it was written as.
#[derive(Clone)]
pub struct Rule {
    text: String,
    selector: Selector,
}

impl Rule {
    /// Compiles a selector; the error is the parser's message.
    pub fn parse(text: &str) -> Result<Rule, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("empty selector".to_string());
        }
        let selector =
            Selector::parse(trimmed).map_err(|e| format!("invalid CSS selector: {e}"))?;
        Ok(Rule {
            text: trimmed.to_string(),
            selector,
        })
    }

    /// The selector as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Pre-order indices in `dom` of the elements of `doc` this rule matches
    /// (`dom` is built from `doc`).
    pub fn matches(&self, doc: &Html, dom: &Dom<'_>) -> Vec<u32> {
        let wanted: HashSet<usize> = doc
            .select(&self.selector)
            .map(|element| element.value() as *const _ as usize)
            .collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        (0..dom.len() as u32)
            .filter(|&i| {
                dom.nodes[i as usize]
                    .element
                    .is_some_and(|e| wanted.contains(&(e.value() as *const _ as usize)))
            })
            .collect()
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rule({:?})", self.text)
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.text == other.text
    }
}

/// The selectors of one source; all optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    pub links: Option<Rule>,
    pub title: Option<Rule>,
    pub date: Option<Rule>,
    pub body: Option<Rule>,
}

impl Overrides {
    /// No selectors: pure heuristics.
    pub const NONE: Overrides = Overrides {
        links: None,
        title: None,
        date: None,
        body: None,
    };

    pub fn is_empty(&self) -> bool {
        self == &Overrides::NONE
    }
}

/// The topmost of `indices` (none inside another), for rendering bodies.
pub fn outermost(dom: &Dom<'_>, indices: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    for &i in indices {
        if out.last().is_none_or(|&last| !dom.contains(last, i)) {
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::article::{extract_article, extract_article_with};
    use crate::extract::links::{links_from_list, links_from_list_with};
    use jiff::Timestamp;
    use url::Url;

    const TEXT: &str = "Kommunen bygger en ny förskola i Norrby med plats för 120 barn, \
        och bygget börjar i augusti efter att detaljplanen vunnit laga kraft.";

    fn url() -> Url {
        Url::parse("https://www.kommun.se/nyheter/forskola.html").unwrap()
    }

    fn overrides(links: &str, title: &str, date: &str, body: &str) -> Overrides {
        let rule = |text: &str| (!text.is_empty()).then(|| Rule::parse(text).unwrap());
        Overrides {
            links: rule(links),
            title: rule(title),
            date: rule(date),
            body: rule(body),
        }
    }

    /// A page whose own markup misleads the heuristics: the real text sits in
    /// a `.nyhet-text` box after a longer "about us" block, the headline is
    /// an `h2`, and the date only appears as "Datum 3/5 2024" in a box.
    fn misleading_page() -> String {
        format!(
            r#"<html><head><title>Förskola | Kommun</title></head><body><main>
            <div class="om-oss"><h1>Om kommunen</h1><p>{TEXT} {TEXT}</p><p>{TEXT}</p></div>
            <div class="nyhet"><h2 class="rubrik">Ny förskola i Norrby</h2>
              <span class="datum">Datum 3/5 2024</span><span class="datum">Ändrad 7/5 2024</span>
              <div class="nyhet-text"><p>Nyheten i korthet.</p><p>Bygget startar i augusti.</p></div></div>
            </main></body></html>"#
        )
    }

    #[test]
    fn selectors_replace_the_title_body_and_date_heuristics() {
        let now = Timestamp::from_second(1_750_000_000).unwrap();
        let page = misleading_page();
        let plain = extract_article(&page, &url(), now).unwrap();
        assert_eq!(plain.title, "Om kommunen");
        let chosen = overrides("", "h2.rubrik", ".datum", ".nyhet-text");
        let article = extract_article_with(&page, &url(), now, &chosen).unwrap();
        assert_eq!(article.title, "Ny förskola i Norrby");
        assert_eq!(
            article.body_text,
            "Nyheten i korthet.\n\nBygget startar i augusti."
        );
        let published = article.published.unwrap();
        assert_eq!(published.date.to_string(), "2024-05-03");
        assert_eq!(published.describe(), "label:selector");
        assert_eq!(article.updated.unwrap().date.to_string(), "2024-05-07");
    }

    #[test]
    fn selectors_that_match_nothing_fall_back_to_the_heuristics() {
        let now = Timestamp::from_second(1_750_000_000).unwrap();
        let page = misleading_page();
        let plain = extract_article(&page, &url(), now).unwrap();
        let missing = overrides(".x", ".x", ".x", ".x");
        assert_eq!(
            extract_article_with(&page, &url(), now, &missing).unwrap(),
            plain
        );
        assert_eq!(
            links_from_list_with(&page, &url(), &missing),
            links_from_list(&page, &url())
        );
    }

    #[test]
    fn links_selector_takes_the_first_link_of_each_match() {
        let page = r#"<html><body>
            <nav><a href="/kontakt">Kontakt</a></nav>
            <div class="lista">
              <div class="kort"><a href="/nyheter/a.html"><img src="a.jpg"></a><a href="/nyheter/a.html">A</a></div>
              <div class="kort"><a href="/nyheter/b.html">B</a></div>
              <div class="kort"><a href="https://annan.se/c">C</a></div>
            </div><a rel="next" href="/nyheter?sida=2">Nästa</a></body></html>"#;
        let chosen = overrides(".kort", "", "", "");
        let list = links_from_list_with(page, &url(), &chosen);
        let links: Vec<&str> = list.links.iter().map(Url::as_str).collect();
        assert_eq!(
            links,
            [
                "https://www.kommun.se/nyheter/a.html",
                "https://www.kommun.se/nyheter/b.html"
            ]
        );
        assert_eq!(
            list.next_page.unwrap().as_str(),
            "https://www.kommun.se/nyheter?sida=2"
        );
    }

    #[test]
    fn rules_compile_or_say_why() {
        assert_eq!(Rule::parse(" div.x > a ").unwrap().as_str(), "div.x > a");
        assert!(Rule::parse("div[")
            .unwrap_err()
            .contains("invalid CSS selector"));
        assert_eq!(Rule::parse("  ").unwrap_err(), "empty selector");
        assert!(Overrides::default().is_empty());
    }

    #[test]
    fn matches_are_dom_indices_in_order_and_outermost_drops_nested() {
        let doc = Html::parse_document(
            "<div class='t'><p class='t'>a</p></div><p class='t'>b</p><p>c</p>",
        );
        let dom = Dom::new(&doc);
        let rule = Rule::parse(".t").unwrap();
        let found = rule.matches(&doc, &dom);
        assert_eq!(found.len(), 3);
        assert!(found.windows(2).all(|w| w[0] < w[1]));
        let top = outermost(&dom, &found);
        assert_eq!(top.len(), 2);
        assert_eq!(dom.text(top[1]), "b");
    }
}
