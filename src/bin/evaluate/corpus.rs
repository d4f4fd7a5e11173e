//! The development corpus (`../shared/corpus`, see its README for
//! `gold.json`). Every gold article URL is read from disk, decoded, parsed
//! and extracted exactly as `refresh` does with a fetched page (no server, no
//! network); every HTML list source (and its gold next page) goes through
//! `links_from_list`. Printed per site and in total:
//!
//! - title exact-match rate;
//! - published and updated date accuracy (gold rules: the day, or the minute
//!   when gold has a time; a null gold date accepts no date);
//! - body token precision, recall and F1 (mean over pages);
//! - boilerplate leaks: gold `must_not_contain` snippets found in a body;
//! - list-link precision and recall against the gold articles each list links;
//! - pages per second for read + decode + parse alone and with extraction,
//!   and their ratio.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use jiff::Timestamp;
use scraper::Html;
use serde_json::Value;
use url::Url;

use muniflux::extract::{article::extract_article, charset, links::links_from_list};
use muniflux::score::{date_matches_gold, leaks, token_scores};

/// The corpus pages are served from here in gold; links resolve against it.
const HOST: &str = "http://127.0.0.1:8765";

/// Scores the corpus in `dir` and times `rounds` passes over its pages.
pub fn evaluate(dir: &Path, rounds: usize) -> Result<()> {
    let gold_path = dir.join("gold.json");
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(&gold_path)
            .with_context(|| format!("reading {}", gold_path.display()))?,
    )
    .with_context(|| format!("parsing {}", gold_path.display()))?;
    let corpus = Corpus {
        dir: dir.to_path_buf(),
        gold,
    };
    let mut sites: BTreeMap<String, SiteScore> = BTreeMap::new();
    score_articles(&corpus, &mut sites)?;
    score_lists(&corpus, &mut sites)?;
    print_scores(&sites);
    let speed = measure_speed(&corpus, rounds)?;
    println!();
    println!(
        "speed, {} pages x {} rounds, one core:",
        speed.pages, rounds
    );
    println!(
        "  with file read + decode: parse {:.0} pages/s, parse+extract {:.0} pages/s, ratio {:.2}",
        speed.with_io.parse_per_second, speed.with_io.full_per_second, speed.with_io.ratio
    );
    println!(
        "  in memory (text decoded): parse {:.0} pages/s, parse+extract {:.0} pages/s, ratio {:.2}",
        speed.in_memory.parse_per_second, speed.in_memory.full_per_second, speed.in_memory.ratio
    );
    Ok(())
}

struct Corpus {
    dir: PathBuf,
    gold: Value,
}

/// One gold article page in one corpus state.
struct GoldPage<'g> {
    item: &'g Value,
    path: &'g str,
    updated_state: bool,
}

impl Corpus {
    fn states(&self) -> [(&'static str, bool); 2] {
        [("initial", false), ("after_updates", true)]
    }

    /// Every URL of every gold item, in both states.
    fn article_pages(&self) -> Vec<GoldPage<'_>> {
        let mut pages = Vec::new();
        for (state, updated_state) in self.states() {
            for item in self.gold[state].as_array().into_iter().flatten() {
                for path in item["urls"].as_array().into_iter().flatten() {
                    if let Some(path) = path.as_str() {
                        pages.push(GoldPage {
                            item,
                            path,
                            updated_state,
                        });
                    }
                }
            }
        }
        pages
    }

    /// The file served for `path`; in the second state `updates/` wins.
    fn file(&self, path: &str, updated_state: bool) -> PathBuf {
        let path = path.split('?').next().unwrap_or(path);
        let mut relative = path.trim_start_matches('/').to_string();
        if relative.is_empty() || relative.ends_with('/') {
            relative.push_str("index.html");
        }
        let update = self.dir.join("updates").join(&relative);
        if updated_state && update.exists() {
            update
        } else {
            self.dir.join("sites").join(relative)
        }
    }

    /// Reads and decodes a page as refresh does (no HTTP charset: the corpus
    /// server sends none).
    fn read(&self, path: &str, updated_state: bool) -> Result<String> {
        let file = self.file(path, updated_state);
        let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        Ok(charset::decode(&bytes, Some("text/html")))
    }

    /// The HTML list sources of `sources.toml` (feeds left out).
    fn list_sources(&self) -> Result<Vec<String>> {
        let path = self.dir.join("sources.toml");
        let raw = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let sources: toml::Value =
            toml::from_str(&raw).with_context(|| format!("parsing {}", path.display()))?;
        Ok(sources["source"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["url"].as_str())
            .map(|url| url.replace("{base}", ""))
            .filter(|url| !url.ends_with(".xml"))
            .collect())
    }

    /// Every gold article path (and the robots-disallowed one, which a list
    /// does link) in a state.
    fn known_articles(&self, updated_state: bool) -> Vec<String> {
        let state = if updated_state {
            "after_updates"
        } else {
            "initial"
        };
        let mut known: Vec<String> = self.gold[state]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|item| item["urls"].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        known.extend(
            self.gold["never_fetched"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string),
        );
        known
    }
}

#[derive(Default)]
struct SiteScore {
    pages: usize,
    titles: usize,
    published: usize,
    updated: usize,
    precision: f64,
    recall: f64,
    f1: f64,
    leaks: usize,
    failures: usize,
    list_found: usize,
    list_expected: usize,
    list_correct: usize,
}

fn site_of(path: &str) -> String {
    path.trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
        .to_string()
}

fn score_articles(corpus: &Corpus, sites: &mut BTreeMap<String, SiteScore>) -> Result<()> {
    let now = Timestamp::from_second(1_750_000_000)?;
    for page in corpus.article_pages() {
        let site = sites.entry(site_of(page.path)).or_default();
        site.pages += 1;
        let html = corpus.read(page.path, page.updated_state)?;
        let url = Url::parse(&format!("{HOST}{}", page.path))?;
        let article = match extract_article(&html, &url, now) {
            Ok(article) => article,
            Err(err) => {
                site.failures += 1;
                eprintln!("  {}: {err}", page.path);
                continue;
            }
        };
        let item = page.item;
        let title_ok = item["title"].as_str() == Some(article.title.as_str());
        site.titles += usize::from(title_ok);
        let published_ok =
            date_matches_gold(article.published.as_ref(), item["published"].as_str(), None);
        let updated_ok = date_matches_gold(
            article.updated.as_ref(),
            item["updated"].as_str(),
            article.published.as_ref(),
        );
        site.published += usize::from(published_ok);
        site.updated += usize::from(updated_ok);
        let scores = token_scores(&article.body_text, item["body_text"].as_str().unwrap_or(""));
        site.precision += scores.precision;
        site.recall += scores.recall;
        site.f1 += scores.f1;
        let snippets = item["must_not_contain"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        let leaked = leaks(&article.body_text, snippets);
        site.leaks += leaked.len();
        // Misses go to stderr, one line each, so the table stays readable.
        let mut misses = Vec::new();
        if !title_ok {
            misses.push(format!(
                "title {:?} (gold {})",
                article.title, item["title"]
            ));
        }
        if !published_ok {
            misses.push(format!(
                "published {:?} (gold {})",
                article.published.as_ref().map(|d| d.date.to_string()),
                item["published"]
            ));
        }
        if !updated_ok {
            misses.push(format!(
                "updated {:?} (gold {})",
                article.updated.as_ref().map(|d| d.date.to_string()),
                item["updated"]
            ));
        }
        if scores.f1 < 0.98 {
            misses.push(format!("body F1 {:.3}", scores.f1));
        }
        if !leaked.is_empty() {
            misses.push(format!("leaks {leaked:?}"));
        }
        if !misses.is_empty() {
            eprintln!("  {}: {}", page.path, misses.join("; "));
        }
    }
    Ok(())
}

/// List links against the gold articles a list page links outside its
/// `<aside>` widgets, first page and gold next page, in both states.
fn score_lists(corpus: &Corpus, sites: &mut BTreeMap<String, SiteScore>) -> Result<()> {
    for (_, updated_state) in corpus.states() {
        let known = corpus.known_articles(updated_state);
        for source in corpus.list_sources()? {
            let mut path = Some(source.clone());
            let mut seen_pages = 0;
            while let Some(current) = path.take() {
                seen_pages += 1;
                let html = corpus.read(&current, updated_state)?;
                let url = Url::parse(&format!("{HOST}{current}"))?;
                let list = links_from_list(&html, &url);
                let found: Vec<String> = list.links.iter().map(path_and_query).collect();
                let expected = linked_articles(&html, &url, &known);
                let site = sites.entry(site_of(&source)).or_default();
                site.list_found += found.len();
                site.list_expected += expected.len();
                site.list_correct += found.iter().filter(|f| expected.contains(f)).count();
                // Follow the list's own next page once, as refresh does.
                if seen_pages < 2 {
                    path = list.next_page.as_ref().map(path_and_query);
                }
            }
        }
    }
    Ok(())
}

/// The known article paths a page links outside `<aside>`, deduplicated.
fn linked_articles(html: &str, page: &Url, known: &[String]) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut found: Vec<String> = Vec::new();
    for node in doc.root_element().descendants() {
        let Some(a) = scraper::ElementRef::wrap(node) else {
            continue;
        };
        if a.value().name() != "a" {
            continue;
        }
        let in_aside = a
            .ancestors()
            .filter_map(scraper::ElementRef::wrap)
            .any(|e| e.value().name() == "aside");
        let Some(href) = a.value().attr("href") else {
            continue;
        };
        let Ok(url) = page.join(href) else { continue };
        let path = path_and_query(&url);
        if !in_aside && known.contains(&path) && !found.contains(&path) {
            found.push(path);
        }
    }
    found
}

fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    }
}

fn print_scores(sites: &BTreeMap<String, SiteScore>) {
    println!(
        "{:<14} {:>5} {:>7} {:>9} {:>8} {:>6} {:>6} {:>6} {:>5} {:>7} {:>7}",
        "site",
        "pages",
        "titles",
        "published",
        "updated",
        "P",
        "R",
        "F1",
        "leaks",
        "links P",
        "links R"
    );
    let mut total = SiteScore::default();
    for (name, site) in sites {
        print_row(name, site);
        total.pages += site.pages;
        total.titles += site.titles;
        total.published += site.published;
        total.updated += site.updated;
        total.precision += site.precision;
        total.recall += site.recall;
        total.f1 += site.f1;
        total.leaks += site.leaks;
        total.failures += site.failures;
        total.list_found += site.list_found;
        total.list_expected += site.list_expected;
        total.list_correct += site.list_correct;
    }
    print_row("TOTAL", &total);
    if total.failures > 0 {
        println!("{} pages gave no article (scored as empty)", total.failures);
    }
}

fn print_row(name: &str, site: &SiteScore) {
    let rate = |part: usize, whole: usize| {
        if whole == 0 {
            "-".to_string()
        } else {
            format!("{:.1}%", 100.0 * part as f64 / whole as f64)
        }
    };
    let mean = |sum: f64| {
        if site.pages == 0 {
            "-".to_string()
        } else {
            format!("{:.3}", sum / site.pages as f64)
        }
    };
    println!(
        "{:<14} {:>5} {:>7} {:>9} {:>8} {:>6} {:>6} {:>6} {:>5} {:>7} {:>7}",
        name,
        site.pages,
        rate(site.titles, site.pages),
        rate(site.published, site.pages),
        rate(site.updated, site.pages),
        mean(site.precision),
        mean(site.recall),
        mean(site.f1),
        site.leaks,
        rate(site.list_correct, site.list_found),
        rate(site.list_correct, site.list_expected),
    );
}

/// Pages per second of parsing alone and of parsing plus extraction.
struct Rates {
    parse_per_second: f64,
    full_per_second: f64,
    /// Time of parse+extract over time of parse alone.
    ratio: f64,
}

struct Speed {
    pages: usize,
    with_io: Rates,
    in_memory: Rates,
}

/// Times the article pages of the first state, `rounds` times each, on this
/// thread: parsing alone and parsing plus extraction, once with the file
/// read and decoded inside the timed loop and once from decoded text.
fn measure_speed(corpus: &Corpus, rounds: usize) -> Result<Speed> {
    let files: Vec<(PathBuf, Url)> = corpus
        .article_pages()
        .into_iter()
        .filter(|page| !page.updated_state)
        .map(|page| {
            let url = Url::parse(&format!("{HOST}{}", page.path))?;
            Ok((corpus.file(page.path, false), url))
        })
        .collect::<Result<_>>()?;
    let rounds = rounds.max(1);
    let read = |file: &Path| -> Result<String> {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        Ok(charset::decode(&bytes, Some("text/html")))
    };
    let now = Timestamp::UNIX_EPOCH;
    let with_io = rates(
        files.len() * rounds,
        || {
            for _ in 0..rounds {
                for (file, _) in &files {
                    std::hint::black_box(Html::parse_document(&read(file)?));
                }
            }
            Ok(())
        },
        || {
            for _ in 0..rounds {
                for (file, url) in &files {
                    let _ = std::hint::black_box(extract_article(&read(file)?, url, now));
                }
            }
            Ok(())
        },
    )?;
    let texts: Vec<(String, &Url)> = files
        .iter()
        .map(|(file, url)| Ok((read(file)?, url)))
        .collect::<Result<_>>()?;
    let in_memory = rates(
        files.len() * rounds,
        || {
            for _ in 0..rounds {
                for (text, _) in &texts {
                    std::hint::black_box(Html::parse_document(text));
                }
            }
            Ok(())
        },
        || {
            for _ in 0..rounds {
                for (text, url) in &texts {
                    let _ = std::hint::black_box(extract_article(text, url, now));
                }
            }
            Ok(())
        },
    )?;
    Ok(Speed {
        pages: files.len(),
        with_io,
        in_memory,
    })
}

fn rates(
    pages: usize,
    parse: impl Fn() -> Result<()>,
    full: impl Fn() -> Result<()>,
) -> Result<Rates> {
    let start = Instant::now();
    parse()?;
    let parse = start.elapsed().as_secs_f64();
    let start = Instant::now();
    full()?;
    let full = start.elapsed().as_secs_f64();
    Ok(Rates {
        parse_per_second: pages as f64 / parse,
        full_per_second: pages as f64 / full,
        ratio: full / parse,
    })
}
