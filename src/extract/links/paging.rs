//! Pages of a list: the next-page link, page numbers in URLs, and the path a
//! list's articles live under.

use url::Url;

use super::{HrefMemo, ListAnalysis};
use crate::extract::dom::{normalize_space, FastSet};

/// What the next-page search knows of one link target, worked out once per
/// distinct href (a page can repeat one link, or the parser clone one, a
/// hundred thousand times).
struct Target {
    url: Url,
    /// A page number in the URL, or another page of this list.
    pages_on: bool,
    paginates: bool,
    /// Page current+1 of this very list.
    is_next_number: bool,
}

/// Labels longer than this (in characters) are no "Nästa" or page number;
/// they are not normalised.
const MAX_LABEL_CHARS: usize = 60;

/// The targets of the links seen, by href.
#[derive(Default)]
struct Targets<'h> {
    by_href: HrefMemo<'h, Option<usize>>,
    all: Vec<Target>,
}

impl<'a> ListAnalysis<'_, 'a> {
    /// `<link rel=next>`, `a[rel=next]`, a "Nästa"/"Next"/"»" link, or the link
    /// to page current+1.
    pub(super) fn next_page(&self, articles: &[Url]) -> Option<Url> {
        let dom = self.dom;
        let articles: FastSet<&str> = articles.iter().map(Url::as_str).collect();
        let current = page_number(self.page).unwrap_or(1);
        let mut targets = Targets::default();
        for tag in ["link", "a"] {
            for i in dom.elements_named(tag) {
                let rel = dom.attr(i, "rel").unwrap_or("");
                if !rel
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
                {
                    continue;
                }
                let target = dom
                    .attr(i, "href")
                    .and_then(|href| self.target(href, &articles, current, &mut targets));
                if let Some(target) = target {
                    return Some(targets.all[target].url.clone());
                }
            }
        }
        let wanted = (current + 1).to_string();
        let (mut by_number, mut by_url) = (None, None);
        for i in dom.elements_named("a") {
            let Some(target) = dom
                .attr(i, "href")
                .and_then(|href| self.target(href, &articles, current, &mut targets))
            else {
                continue;
            };
            let target = &targets.all[target];
            // Only a short label can say "next" or name a page: a long one
            // is not normalised (the parser may clone a link with a long
            // title into a hundred thousand blocks).
            let own_text = (self.text[i as usize] as usize <= MAX_LABEL_CHARS)
                .then(|| normalize_space(&dom.text(i)));
            let label = [dom.attr(i, "aria-label"), dom.attr(i, "title")]
                .into_iter()
                .flatten()
                .filter(|label| label.len() <= 4 * MAX_LABEL_CHARS)
                .map(normalize_space)
                .chain(own_text.clone())
                .collect::<Vec<_>>();
            // A bare "»" or "›" also ends teaser and contact links: it pages
            // on only to another page of this list.
            if label
                .iter()
                .any(|l| is_next_label(l) && (target.pages_on || !is_symbol_only(l)))
            {
                return Some(target.url.clone());
            }
            if by_number.is_none()
                && own_text.as_deref().is_some_and(|t| names_page(t, &wanted))
                && (target.paginates || self.hints[i as usize].negative)
            {
                by_number = Some(target.url.clone());
            }
            // "Fler nyheter" to page current+1 of this very list.
            if by_url.is_none() && target.is_next_number {
                by_url = Some(target.url.clone());
            }
        }
        by_number.or(by_url)
    }

    /// The index in `targets` of where `href` leads, worked out on its
    /// first sight; `None` when it leads nowhere a next page can be.
    fn target(
        &self,
        href: &'a str,
        articles: &FastSet<&str>,
        current: u32,
        targets: &mut Targets<'a>,
    ) -> Option<usize> {
        let all = &mut targets.all;
        targets.by_href.get_or_insert_with(href, || {
            let url = self
                .resolve(href)
                .filter(|url| url != self.page && !articles.contains(url.as_str()))?;
            let paginates = is_pagination_url(&url);
            let same_list = same_list(&url, self.page);
            all.push(Target {
                pages_on: paginates || same_list,
                paginates,
                is_next_number: same_list && page_number(&url) == Some(current + 1),
                url,
            });
            Some(all.len() - 1)
        })
    }
}

/// A site's start page (`/`, `/index.html`, `/startsida.html`, `/sv/`):
/// its news block shares the page with menus, puffs and calendars.
pub(super) fn is_start_page(url: &Url) -> bool {
    let segments: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [] => true,
        [only] => {
            let stem = only.split('.').next().unwrap_or("").to_ascii_lowercase();
            matches!(
                stem.as_str(),
                "index" | "default" | "start" | "startsida" | "home" | "hem" | "sv" | "en"
            )
        }
        _ => false,
    }
}

/// The path that a list's articles usually live under: the list path without
/// its page suffix and file extension (`/nyheter/sida/2/` -> `/nyheter/`,
/// `/nyheter-for-foretagare.html` -> `/nyheter-for-foretagare/`).
pub(super) fn list_root(page: &Url) -> String {
    let mut path = strip_pagination(page.path());
    if let Some(slash) = path.rfind('/') {
        let file = &path[slash + 1..];
        if file.starts_with("index") || file.starts_with("default") {
            path.truncate(slash + 1);
        } else if let Some(dot) = file.rfind('.') {
            let cut = slash + 1 + dot;
            path.truncate(cut);
            path.push('/');
        }
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    path
}

fn strip_pagination(path: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    let mut ends_with_slash = path.ends_with('/');
    if ends_with_slash {
        parts.pop();
    }
    if let Some(last) = parts.last() {
        if !last.is_empty() && last.chars().all(|c| c.is_ascii_digit()) {
            let previous = parts
                .get(parts.len().wrapping_sub(2))
                .copied()
                .unwrap_or("");
            if matches!(previous, "page" | "sida" | "p") {
                parts.truncate(parts.len() - 2);
                ends_with_slash = true;
            }
        } else if is_page_segment(last) {
            parts.pop();
            ends_with_slash = true;
        }
    }
    let mut out = parts.join("/");
    if ends_with_slash || out.is_empty() {
        out.push('/');
    }
    out
}

/// `sida-2`, `page-2`, `index2.htm`.
fn is_page_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    for prefix in ["sida-", "page-", "sida", "index"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            let tail = &rest[digits.len()..];
            if !digits.is_empty() && (tail.is_empty() || tail.starts_with('.')) {
                return true;
            }
        }
    }
    false
}

/// Page N of a list: `?page=N`, `?sida=N`, `?paged=N`, `/page/N/`,
/// `/sida/N/`, `/sida-N/`, `indexN.htm`.
pub(super) fn page_number(url: &Url) -> Option<u32> {
    for (key, value) in url.query_pairs() {
        if matches!(
            key.as_ref(),
            "page" | "sida" | "paged" | "p" | "pg" | "pagenumber"
        ) {
            if let Ok(n) = value.parse() {
                return Some(n);
            }
        }
    }
    let segments: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    if let [.., kind, number] = segments.as_slice() {
        if matches!(*kind, "page" | "sida" | "p") {
            if let Ok(n) = number.parse() {
                return Some(n);
            }
        }
    }
    let last = segments.last()?.to_ascii_lowercase();
    if is_page_segment(&last) {
        let digits: String = last
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(|c| c.is_ascii_digit())
            .collect();
        return digits.parse().ok();
    }
    None
}

pub(super) fn is_pagination_url(url: &Url) -> bool {
    page_number(url).is_some()
}

/// Whether two URLs are pages of the same list.
pub(super) fn same_list(a: &Url, b: &Url) -> bool {
    strip_pagination(a.path()) == strip_pagination(b.path()) || list_root(a) == list_root(b)
}

/// How much a URL looks like an article of this list: under the list's root,
/// a dated slug.
pub(super) fn url_likeness(url: &Url, list_root: &str) -> f32 {
    let path = url.path();
    let mut score: f32 = 0.0;
    if path.starts_with(list_root) && path.len() > list_root.len() + 3 {
        score += 0.7;
    }
    let dated = path
        .split('/')
        .any(|s| s.len() >= 4 && s[..4].chars().all(|c| c.is_ascii_digit()) && s.starts_with("20"));
    if dated {
        score += 0.3;
    }
    score.min(1.0)
}

/// A pager label for page `wanted`: "2", "Sida 2", "Page 2".
fn names_page(label: &str, wanted: &str) -> bool {
    let label = label.trim();
    let number = ["sida ", "page ", "Sida ", "Page "]
        .iter()
        .find_map(|p| label.strip_prefix(p))
        .unwrap_or(label);
    number.trim() == wanted
}

/// A label of arrows alone ("»", "› ›").
fn is_symbol_only(label: &str) -> bool {
    label.chars().any(|c| matches!(c, '»' | '›' | '→'))
        && label
            .chars()
            .all(|c| c.is_whitespace() || matches!(c, '»' | '›' | '>' | '→' | '.' | '…'))
}

pub(super) fn is_next_label(label: &str) -> bool {
    let trimmed: String = label
        .chars()
        .filter(|c| !matches!(c, '»' | '›' | '>' | '→' | '.' | '…'))
        .collect::<String>()
        .trim()
        .to_lowercase();
    is_symbol_only(label)
        || matches!(
            trimmed.as_str(),
            "nästa"
                | "nästa sida"
                | "next"
                | "next page"
                | "gå till nästa sida"
                | "visa fler"
                | "äldre nyheter"
                | "äldre inlägg"
                | "older posts"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(
            list_root(&Url::parse("https://k.se/nyheter/sida/2/").unwrap()),
            "/nyheter/"
        );
        assert_eq!(
            list_root(&Url::parse("https://k.se/a/nyheter.html").unwrap()),
            "/a/nyheter/"
        );
        assert_eq!(
            list_root(&Url::parse("https://k.se/a/index2.htm").unwrap()),
            "/a/"
        );
        assert_eq!(
            page_number(&Url::parse("https://k.se/n/sida-3/").unwrap()),
            Some(3)
        );
        assert_eq!(
            page_number(&Url::parse("https://k.se/n/?paged=4").unwrap()),
            Some(4)
        );
        assert_eq!(
            page_number(&Url::parse("https://k.se/n/2024/x/").unwrap()),
            None
        );
        assert!(is_next_label("Nästa sida »"));
        assert!(is_next_label("›"));
        assert!(!is_next_label("Nästa inlägg om något"));
    }
}
