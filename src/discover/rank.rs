//! Pure: which candidates an operator would choose. Each evaluated
//! candidate gets a score from what it yielded (articles, dates) and what
//! it says (news and business words in its link, path, title and item
//! titles); candidates that carry the same articles form one stream, and
//! within a stream a list page ranks before its feed (a poll follows a
//! list's next pages, a feed only ever shows its latest items).

use url::Url;

use super::words::{business_word, is_not_news, news_word, words};

/// How a candidate was found; the strongest signal is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The URL discovery was started with.
    Given,
    /// `<link rel="alternate">` on a page.
    Advertised { on: Url },
    /// A link whose text or path says feed.
    FeedLink { on: Url, text: String },
    /// A link whose text or path says news.
    NewsLink { on: Url, text: String },
    /// The "all news" link of a page's news block.
    AllNewsLink { on: Url, text: String },
    /// The page's own news block (a home page's "latest news").
    NewsBlock,
    /// A sitemap entry under a news path.
    Sitemap { sitemap: Url },
}

impl Found {
    /// The words this signal adds to the candidate's own (its link text).
    fn text(&self) -> &str {
        match self {
            Found::FeedLink { text, .. }
            | Found::NewsLink { text, .. }
            | Found::AllNewsLink { text, .. } => text,
            _ => "",
        }
    }

    fn describe(&self) -> String {
        match self {
            Found::Given => "the address given".into(),
            Found::Advertised { on } => format!("advertised by {on} (rel=alternate)"),
            Found::FeedLink { on, text } => format!("linked as a feed (“{text}”) from {on}"),
            Found::NewsLink { on, text } => format!("linked as “{text}” from {on}"),
            Found::AllNewsLink { on, text } => {
                format!("the “{text}” link of the news block on {on}")
            }
            Found::NewsBlock => "the page's own news block".into(),
            Found::Sitemap { sitemap } => format!("a news path in the sitemap {sitemap}"),
        }
    }
}

/// What a candidate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Feed,
    List,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Feed => "feed",
            Kind::List => "list",
        }
    }
}

/// How trying a candidate ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Read: what a poll would get from it.
    Read {
        kind: Kind,
        /// The page's headline or the feed's title.
        title: Option<String>,
        items: Vec<Item>,
    },
    /// robots.txt disallows it: not fetched.
    Disallowed,
    Failed(String),
}

/// One article a candidate yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub url: Url,
    pub title: String,
    /// As `muniflux extract` writes dates.
    pub published: Option<String>,
}

/// A candidate as evaluated, before ranking.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub url: Url,
    pub found: Vec<Found>,
    pub outcome: Outcome,
}

/// A ranked candidate.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub url: Url,
    pub kind: Kind,
    pub articles: usize,
    /// The newest three (dated items by date, then in list order).
    pub newest: Vec<Item>,
    /// Every item it yields.
    pub items: Vec<Item>,
    pub business: bool,
    pub score: u32,
    pub why: String,
    /// A name for the source list: the link text, headline or feed title.
    pub label: Option<String>,
    /// Candidates with the same number carry the same articles.
    pub stream: usize,
    /// Whether it was read and yielded articles (can be polled).
    pub usable: bool,
    /// Found only as a page's own news block (a home page).
    pub block_only: bool,
}

/// Item titles that must say business for a list of general news to count
/// as business news (a third).
const BUSINESS_ITEM_SHARE: f32 = 0.34;

/// Two candidates are one stream when this share of the smaller one's
/// articles is in the other.
const SAME_STREAM_SHARE: f32 = 0.5;

/// Scores, groups into streams and sorts (best first).
pub fn rank(evaluated: Vec<Evaluated>) -> Vec<Ranked> {
    let keys: Vec<Vec<Url>> = evaluated
        .iter()
        .map(|e| match &e.outcome {
            Outcome::Read { items, .. } => items
                .iter()
                .map(|i| crate::canonical::canonical_url(&i.url))
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    let streams = streams(&keys);
    let mut ranked: Vec<Ranked> = evaluated
        .into_iter()
        .zip(streams)
        .map(|(e, stream)| score(e, stream))
        .collect();
    lists_before_their_feeds(&mut ranked);
    ranked.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.articles.cmp(&a.articles))
            .then_with(|| a.url.as_str().len().cmp(&b.url.as_str().len()))
    });
    ranked
}

/// Stream numbers: candidates sharing articles get the same one.
fn streams(keys: &[Vec<Url>]) -> Vec<usize> {
    let mut stream: Vec<usize> = (0..keys.len()).collect();
    for i in 0..keys.len() {
        for j in 0..i {
            if same_stream(&keys[i], &keys[j]) {
                let (from, to) = (stream[i], stream[j]);
                for s in stream.iter_mut() {
                    if *s == from {
                        *s = to;
                    }
                }
            }
        }
    }
    stream
}

fn same_stream(a: &[Url], b: &[Url]) -> bool {
    let smaller = a.len().min(b.len());
    if smaller == 0 {
        return false;
    }
    let shared = a.iter().filter(|u| b.contains(u)).count();
    shared as f32 >= SAME_STREAM_SHARE * smaller as f32
}

/// A feed never ranks above a list of its own stream.
fn lists_before_their_feeds(ranked: &mut [Ranked]) {
    for i in 0..ranked.len() {
        if ranked[i].kind != Kind::Feed || !ranked[i].usable {
            continue;
        }
        let best_list = ranked
            .iter()
            .filter(|r| r.kind == Kind::List && r.usable && r.stream == ranked[i].stream)
            .filter(|r| !r.block_only)
            .map(|r| r.score)
            .max();
        if let Some(list) = best_list {
            if ranked[i].score >= list {
                ranked[i].score = list.saturating_sub(1);
                ranked[i]
                    .why
                    .push_str("; same articles as a list page, which ranks first");
            }
        }
    }
}

fn score(e: Evaluated, stream: usize) -> Ranked {
    let mut why: Vec<String> = e.found.iter().take(2).map(Found::describe).collect();
    let link_text: String = e
        .found
        .iter()
        .map(Found::text)
        .collect::<Vec<_>>()
        .join(" ");
    let (kind, title, items) = match e.outcome {
        Outcome::Read { kind, title, items } => (kind, title, items),
        Outcome::Disallowed => {
            why.push("robots.txt disallows it: not fetched".into());
            return unusable(e.url, Kind::List, why, stream, Some(link_text));
        }
        Outcome::Failed(reason) => {
            why.push(format!("could not be read: {reason}"));
            return unusable(e.url, Kind::List, why, stream, Some(link_text));
        }
    };
    let own_words = words(&format!(
        "{} {} {}",
        e.url.path(),
        link_text,
        title.as_deref().unwrap_or("")
    ));
    let news = news_word(&own_words).map(str::to_string);
    let business_own = business_word(&own_words).map(str::to_string);
    let business_items = items
        .iter()
        .filter(|i| business_word(&words(&i.title)).is_some())
        .count();
    let items_business =
        items.len() >= 2 && business_items as f32 >= BUSINESS_ITEM_SHARE * items.len() as f32;
    let business = business_own.is_some() || items_business;
    let block_only = e.found.iter().all(|f| *f == Found::NewsBlock);
    let not_news = is_not_news(&own_words) && news.is_none();
    let dated = items.iter().filter(|i| i.published.is_some()).count();
    let articles = items.len();
    let folder = folder_of(&e.url);
    let below = items
        .iter()
        .filter(|i| i.url.path().starts_with(&folder) && folder.len() > 1)
        .count();
    let holds_its_items = articles > 0 && below * 2 >= articles;
    let mut score: i32 = 0;
    if articles > 0 {
        score = 30 + articles.min(20) as i32;
        if news.is_some() {
            score += 15;
        } else if kind == Kind::Feed {
            // A feed is a stream of news whatever its path says.
            score += 10;
        }
        if business_own.is_some() {
            score += 25;
        } else if items_business {
            score += 20;
        }
        if dated * 2 >= articles {
            score += 5;
        }
        if holds_its_items && kind == Kind::List {
            score += 8;
        }
        // One or two links are a teaser or a related-pages box, not a list.
        score -= match articles {
            1 => 25,
            2 => 10,
            _ => 0,
        };
        if kind == Kind::List && !block_only {
            score += 4;
        }
        if block_only {
            score -= 15;
        }
        if not_news {
            score -= 45;
        }
        if e.found.iter().any(|f| !matches!(f, Found::Sitemap { .. })) {
            score += 3;
        }
    }
    if let Some(word) = &news {
        why.push(format!("says news (“{word}”)"));
    }
    if let Some(word) = &business_own {
        why.push(format!("says business (“{word}”)"));
    }
    if business_items > 0 {
        why.push(format!(
            "{business_items} of {articles} item titles say business"
        ));
    }
    if not_news {
        why.push("looks like events or notices, not news".into());
    }
    if holds_its_items && kind == Kind::List {
        why.push("its articles sit below it".into());
    }
    let newest = newest_three(&items);
    match (
        articles,
        newest.first().and_then(|i| i.published.as_deref()),
    ) {
        (0, _) => why.push(match kind {
            Kind::Feed => "the feed has no items".into(),
            Kind::List => "no news list found on the page".into(),
        }),
        (n, Some(date)) => why.push(format!("{n} articles, newest {date}")),
        (n, None) => why.push(format!("{n} articles, undated")),
    }
    let label = e
        .found
        .iter()
        .map(Found::text)
        .find(|t| !t.is_empty() && !super::words::is_all_news_text(&words(t)))
        .map(str::to_string)
        .or(title);
    Ranked {
        url: e.url,
        kind,
        articles,
        newest,
        items,
        business,
        score: score.clamp(if articles > 0 { 1 } else { 0 }, 100) as u32,
        why: why.join("; "),
        label,
        stream,
        usable: articles > 0,
        block_only,
    }
}

fn unusable(
    url: Url,
    kind: Kind,
    why: Vec<String>,
    stream: usize,
    label: Option<String>,
) -> Ranked {
    Ranked {
        url,
        kind,
        articles: 0,
        newest: Vec::new(),
        items: Vec::new(),
        business: false,
        score: 0,
        why: why.join("; "),
        label: label.filter(|l| !l.is_empty()),
        stream,
        usable: false,
        block_only: false,
    }
}

/// The folder a list page's articles would sit in: `/nyheter/` for
/// `/nyheter/`, `/nyheter.html` and `/nyheter/index.html`.
pub fn folder_of(url: &Url) -> String {
    let path = url.path();
    if path.ends_with('/') {
        return path.to_string();
    }
    let last = path.rsplit('/').next().unwrap_or("");
    let stem = last.split('.').next().unwrap_or("");
    let parent = &path[..path.len() - last.len()];
    if matches!(stem, "index" | "default" | "") {
        parent.to_string()
    } else {
        format!("{parent}{stem}/")
    }
}

/// Dated items newest first, then undated ones in list order; three.
fn newest_three(items: &[Item]) -> Vec<Item> {
    let mut dated: Vec<&Item> = items.iter().filter(|i| i.published.is_some()).collect();
    // `extract` dates sort as text: YYYY-MM-DD[THH:MM:SS+hh:mm].
    dated.sort_by(|a, b| b.published.cmp(&a.published));
    dated
        .into_iter()
        .chain(items.iter().filter(|i| i.published.is_none()))
        .take(3)
        .cloned()
        .collect()
}

/// The candidates `--add` takes without `--pick`: the best usable
/// candidate of each stream that reads as news (news or business words, a
/// feed, or dated items), in rank order.
pub fn best_per_stream(ranked: &[Ranked]) -> Vec<usize> {
    let mut taken_streams = Vec::new();
    let mut chosen = Vec::new();
    for (i, r) in ranked.iter().enumerate() {
        if !r.usable || r.articles < 2 || r.score < 45 || taken_streams.contains(&r.stream) {
            continue;
        }
        taken_streams.push(r.stream);
        chosen.push(i);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &str) -> Url {
        Url::parse("https://x.se/").unwrap().join(path).unwrap()
    }

    fn items(prefix: &str, titles: &[&str], dated: bool) -> Vec<Item> {
        titles
            .iter()
            .enumerate()
            .map(|(i, t)| Item {
                url: url(&format!("{prefix}{i}.html")),
                title: t.to_string(),
                published: dated.then(|| format!("2024-05-{:02}", 20 - i)),
            })
            .collect()
    }

    fn list(path: &str, text: &str, items: Vec<Item>) -> Evaluated {
        Evaluated {
            url: url(path),
            found: vec![Found::NewsLink {
                on: url("/"),
                text: text.into(),
            }],
            outcome: Outcome::Read {
                kind: Kind::List,
                title: None,
                items,
            },
        }
    }

    #[test]
    fn the_business_list_ranks_first_and_its_feed_after_it() {
        let general = list(
            "/nyheter/",
            "Nyheter",
            items(
                "/nyheter/a",
                &["Skolstart", "Vägarbete", "Ny park", "Bibliotek"],
                true,
            ),
        );
        let business = list(
            "/naringsliv/nyheter/",
            "Nyheter för företagare",
            items(
                "/naringsliv/nyheter/a",
                &["Företagsfrukost", "Ny industripark"],
                true,
            ),
        );
        let feed = Evaluated {
            url: url("/rss/naringsliv"),
            found: vec![Found::Advertised {
                on: url("/naringsliv/nyheter/"),
            }],
            outcome: Outcome::Read {
                kind: Kind::Feed,
                title: Some("Näringsliv".into()),
                items: items(
                    "/naringsliv/nyheter/a",
                    &["Företagsfrukost", "Ny industripark", "Tredje"],
                    true,
                ),
            },
        };
        let blocked = Evaluated {
            url: url("/press/"),
            found: vec![Found::NewsLink {
                on: url("/"),
                text: "Press".into(),
            }],
            outcome: Outcome::Disallowed,
        };
        let ranked = rank(vec![general, feed, blocked, business]);
        let order: Vec<&str> = ranked.iter().map(|r| r.url.path()).collect();
        assert_eq!(
            order,
            [
                "/naringsliv/nyheter/",
                "/rss/naringsliv",
                "/nyheter/",
                "/press/"
            ]
        );
        assert!(ranked[0].business && ranked[1].business && !ranked[2].business);
        assert_eq!(ranked[0].stream, ranked[1].stream);
        assert!(
            ranked[3].why.contains("robots.txt disallows it"),
            "{}",
            ranked[3].why
        );
        assert_eq!(ranked[0].newest[0].published.as_deref(), Some("2024-05-20"));
        assert_eq!(
            best_per_stream(&ranked),
            [0, 2],
            "one per stream, none disallowed"
        );
        assert_eq!(ranked[0].label.as_deref(), Some("Nyheter för företagare"));
    }

    #[test]
    fn item_titles_make_a_general_list_business_news() {
        let mixed = list(
            "/aktuellt/",
            "Aktuellt",
            items(
                "/aktuellt/a",
                &["Företagarna prisar", "Näringslivsdag i maj", "Skolstart"],
                false,
            ),
        );
        let ranked = rank(vec![mixed]);
        assert!(ranked[0].business);
        assert!(
            ranked[0].why.contains("2 of 3 item titles say business"),
            "{}",
            ranked[0].why
        );
        assert!(ranked[0].why.contains("3 articles, undated"));
    }

    #[test]
    fn events_and_home_blocks_rank_below_news() {
        let events = list(
            "/evenemang/",
            "Evenemang",
            items("/evenemang/e", &["Konsert", "Marknad", "Teater"], true),
        );
        let block = Evaluated {
            url: url("/"),
            found: vec![Found::NewsBlock],
            outcome: Outcome::Read {
                kind: Kind::List,
                title: None,
                items: items("/arkiv/a", &["Ett", "Två"], true),
            },
        };
        let archive = Evaluated {
            url: url("/arkiv/"),
            found: vec![Found::AllNewsLink {
                on: url("/"),
                text: "Visa alla".into(),
            }],
            outcome: Outcome::Read {
                kind: Kind::List,
                title: Some("Arkiv".into()),
                items: items("/arkiv/a", &["Ett", "Två", "Tre"], true),
            },
        };
        let ranked = rank(vec![events, block, archive]);
        assert_eq!(ranked[0].url.path(), "/arkiv/");
        assert_eq!(ranked[0].label.as_deref(), Some("Arkiv"), "not “Visa alla”");
        assert_eq!(ranked[2].url.path(), "/evenemang/");
        assert_eq!(ranked[0].stream, ranked[1].stream);
    }
}
