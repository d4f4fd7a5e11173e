//! `muniflux discover URL [--json] [--add [--pick N,M]]`: the ranked table
//! (or the fixed JSON), and the chosen candidates appended to the source
//! list.

use std::io::Write;
use std::path::Path;

use anyhow::{anyhow, Context};
use serde::Serialize;
use url::Url;

use super::{append_to_list, print_edit, Failure};
use crate::config::{self, Config, SourceList};
use crate::discover::{self, words, Ranked, Report};
use crate::fetch;
use crate::source_file::{self, NewSource};

/// What the command line asked for.
pub struct Request {
    pub url: Url,
    pub json: bool,
    pub add: bool,
    /// 1-based ranks to add; empty for the best per stream.
    pub pick: Vec<usize>,
}

/// The JSON `discover --json` prints. The fields are fixed: tests outside
/// the repository read them.
#[derive(Serialize)]
struct Json<'a> {
    site: &'a str,
    candidates: Vec<CandidateJson<'a>>,
}

#[derive(Serialize)]
struct CandidateJson<'a> {
    url: &'a str,
    kind: &'static str,
    articles: usize,
    newest: Vec<NewestJson<'a>>,
    business: bool,
    score: u32,
    why: &'a str,
}

#[derive(Serialize)]
struct NewestJson<'a> {
    title: &'a str,
    published: Option<&'a str>,
    url: &'a str,
}

pub async fn run(config_path: &Path, request: Request) -> Result<(), Failure> {
    let config = if request.add || config_path.exists() {
        Some(Config::load(config_path).map_err(|e| Failure::Config(e.into()))?)
    } else {
        None
    };
    if let Some(config) = config.as_ref().filter(|_| request.add) {
        refuse_unreadable_list(config)?;
    }
    let poll = config
        .as_ref()
        .map_or_else(config::PollConfig::default, |c| c.poll.clone());
    let client = fetch::Client::new(poll.fetch_settings()).map_err(anyhow::Error::from)?;
    let report = discover::discover(
        &client,
        &request.url,
        &discover::Limits::default(),
        jiff::Timestamp::now(),
    )
    .await
    .map_err(anyhow::Error::from)?;
    let mut report = report;
    if let Some(list) = config
        .as_ref()
        .and_then(|c| SourceList::load(&c.sources).ok())
    {
        show_topic_filters(&mut report, &list);
    }
    if request.json {
        print_json(&report)?;
        for note in &report.notes {
            eprintln!("note: {note}");
        }
    } else {
        print_table(&report)?;
    }
    if !report.found_news() {
        return Err(Failure::Runtime(anyhow!(
            "no news list or feed found at {} ({} pages read){}",
            report.site,
            report.fetches,
            if request.add { "; nothing added" } else { "" }
        )));
    }
    let Some(config) = config.filter(|_| request.add) else {
        return Ok(());
    };
    let chosen = chosen(&report, &request.pick)?;
    let new: Vec<NewSource> = chosen
        .iter()
        .map(|&i| new_source(&report, &report.candidates[i]))
        .collect();
    let edit = append_to_list(&config, &new)?;
    if request.json {
        // Stdout holds the JSON.
        let mut text = Vec::new();
        super::write_edit(&mut text, &config.sources, &edit)?;
        std::io::stderr()
            .write_all(&text)
            .context("writing to stderr")?;
    } else {
        print_edit(&config.sources, &edit)?;
    }
    Ok(())
}

/// Says in each candidate's `why` how many of its items pass the topic
/// filter that would apply to it (its source's, when it is one, else the
/// list's `[filter]`), judged by headline and address: the text is not
/// fetched.
fn show_topic_filters(report: &mut Report, list: &SourceList) {
    for candidate in &mut report.candidates {
        let key = crate::canonical::canonical_url(&candidate.url);
        let filter = list
            .sources
            .iter()
            .find(|s| crate::canonical::canonical_url(&s.url) == key)
            .map_or(&list.filter, |s| &s.topics);
        if filter.is_empty() || candidate.items.is_empty() {
            continue;
        }
        let passing = candidate
            .items
            .iter()
            .filter(|item| {
                filter
                    .verdict(&crate::topic::Subject {
                        url: &item.url,
                        title: &item.title,
                        body: "",
                        categories: &[],
                    })
                    .passes()
            })
            .count();
        candidate.why.push_str(&format!(
            "; {passing} of {} items pass the topic filter ({}) by headline and address",
            candidate.items.len(),
            filter.describe()
        ));
    }
}

/// An unreadable source list is refused before the site is bothered.
fn refuse_unreadable_list(config: &Config) -> Result<(), Failure> {
    let text = match std::fs::read_to_string(&config.sources) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            let err = config::Error::Read {
                path: config.sources.clone(),
                source,
            };
            return Err(Failure::Config(source_file::Error::Unreadable(err).into()));
        }
    };
    SourceList::parse(&config.sources, &text)
        .map(drop)
        .map_err(|err| Failure::Config(source_file::Error::Unreadable(err).into()))
}

/// The candidates to add: `--pick` ranks (each must be pollable), else the
/// best of each stream.
fn chosen(report: &Report, pick: &[usize]) -> Result<Vec<usize>, Failure> {
    if pick.is_empty() {
        let best = discover::rank::best_per_stream(&report.candidates);
        if best.is_empty() {
            return Err(Failure::Runtime(anyhow!(
                "no candidate at {} reads as a news stream; nothing added (choose with --pick N)",
                report.site
            )));
        }
        return Ok(best);
    }
    let mut chosen = Vec::new();
    for &n in pick {
        let Some(candidate) = n.checked_sub(1).and_then(|i| report.candidates.get(i)) else {
            return Err(Failure::Runtime(anyhow!(
                "--pick {n}: there are {} candidates; nothing added",
                report.candidates.len()
            )));
        };
        if !candidate.usable {
            return Err(Failure::Runtime(anyhow!(
                "--pick {n}: {} cannot be polled ({}); nothing added",
                candidate.url,
                candidate.why
            )));
        }
        if !chosen.contains(&(n - 1)) {
            chosen.push(n - 1);
        }
    }
    Ok(chosen)
}

/// A `[[source]]` for a candidate: named "<site> – <link text>", tagged
/// with the site and, for business news, `naringsliv`, under a comment
/// saying what discovery saw.
fn new_source(report: &Report, candidate: &Ranked) -> NewSource {
    let site = report
        .site_name
        .clone()
        .or_else(|| report.site.host_str().map(str::to_string))
        .unwrap_or_else(|| report.site.to_string());
    let label = candidate
        .label
        .clone()
        .unwrap_or_else(|| candidate.url.path().to_string());
    let name = if label.contains(&site) {
        label
    } else {
        format!("{site} – {label}")
    };
    let mut tags = vec![site_tag(report)];
    if candidate.business && !tags.iter().any(|t| t == "naringsliv") {
        tags.push("naringsliv".into());
    }
    let newest = candidate
        .newest
        .first()
        .and_then(|n| n.published.as_deref())
        .map(|d| format!(", newest {d}"))
        .unwrap_or_default();
    let comment = vec![
        format!(
            "Found by `muniflux discover {}` on {}: {}, {} articles{newest}{}",
            report.site,
            jiff::Zoned::now().date(),
            candidate.kind.as_str(),
            candidate.articles,
            if candidate.business {
                ", business news"
            } else {
                ""
            }
        ),
        format!("Why: {}", candidate.why),
    ];
    NewSource {
        name,
        url: candidate.url.clone(),
        tags,
        comment,
    }
}

/// One word for the site: its name without "kommun"/"stad" (folded,
/// "upplands-vasby"), else its host's first label, else the folder of its
/// home page.
fn site_tag(report: &Report) -> String {
    const GENERIC: &[&str] = &[
        "kommun",
        "kommuns",
        "stad",
        "stads",
        "region",
        "municipality",
        "city",
        "council",
        "gemeinde",
        "stadt",
        "startsida",
        "start",
        "home",
    ];
    let tag = |words: Vec<String>| -> String {
        words
            .into_iter()
            .filter(|w| !GENERIC.contains(&w.as_str()))
            .collect::<Vec<_>>()
            .join("-")
    };
    if let Some(name) = report.site_name.as_deref() {
        let t = tag(words::words(name));
        if !t.is_empty() {
            return t;
        }
    }
    if let Some(url::Host::Domain(host)) = report.site.host() {
        if let Some(label) = host.split('.').find(|l| *l != "www") {
            let t = tag(words::words(label));
            if !t.is_empty() {
                return t;
            }
        }
    }
    let folder = report
        .site
        .path()
        .split('/')
        .find(|s| !s.is_empty())
        .unwrap_or("site");
    let t = tag(words::words(folder));
    if t.is_empty() {
        "site".into()
    } else {
        t
    }
}

fn print_json(report: &Report) -> anyhow::Result<()> {
    let site = report.site.as_str();
    let json = Json {
        site,
        candidates: report
            .candidates
            .iter()
            .map(|c| CandidateJson {
                url: c.url.as_str(),
                kind: c.kind.as_str(),
                articles: c.articles,
                newest: c
                    .newest
                    .iter()
                    .map(|n| NewestJson {
                        title: &n.title,
                        published: n.published.as_deref(),
                        url: n.url.as_str(),
                    })
                    .collect(),
                business: c.business,
                score: c.score,
                why: &c.why,
            })
            .collect(),
    };
    super::print_json(&json)
}

/// The ranked table for people: one line per candidate, its newest items
/// and why it ranks where it does below it.
fn print_table(report: &Report) -> anyhow::Result<()> {
    let mut out = String::new();
    out.push_str(&format!(
        "{} candidates at {} ({} requests)\n",
        report.candidates.len(),
        report.site,
        report.fetches
    ));
    if !report.candidates.is_empty() {
        out.push_str("  #  score  kind  articles  business  url\n");
    }
    for (i, c) in report.candidates.iter().enumerate() {
        out.push_str(&format!(
            "{:>3}  {:>5}  {:<4}  {:>8}  {:<8}  {}\n",
            i + 1,
            c.score,
            c.kind.as_str(),
            c.articles,
            if c.business { "yes" } else { "no" },
            c.url
        ));
        for n in &c.newest {
            out.push_str(&format!(
                "       {:<25}  {}\n",
                n.published.as_deref().unwrap_or("(undated)"),
                n.title
            ));
        }
        out.push_str(&format!("       why: {}\n", c.why));
    }
    if !report.notes.is_empty() {
        out.push_str("notes:\n");
        for note in &report.notes {
            out.push_str(&format!("  {note}\n"));
        }
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .context("writing to stdout")?;
    Ok(())
}
