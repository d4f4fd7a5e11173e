//! The three public benchmarks of `../shared/evalsets`, scored as its
//! Python scorers score them (`muniflux::score::evalsets`): bodies with the
//! page's original URL (as a poll knows it) and without, dates without.
//! Printed: muniflux's figures in the table of reference figures of the
//! folder's README, then each run in detail with pages/s and errors.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use jiff::Timestamp;

use muniflux::score::batch::Answer;
use muniflux::score::evalsets::{
    self, day_verdict, segment_hits, shingle_counts, Benchmark, DayVerdict, Figures, Gold, Kind,
    Run,
};

use crate::table::print_table;

/// A page's body F1 below this is listed as a miss.
const LISTED_BELOW_F1: f64 = 0.9;

/// One benchmark run: which benchmark, with URLs or not, its figures.
struct Measured<'b> {
    benchmark: &'b Benchmark,
    with_url: bool,
    figures: Figures,
    pages_per_second: f64,
}

/// Scores every benchmark of `dir`; with `save`, each run's answers go to
/// `save/<benchmark>-<with|without>-url.jsonl` (the scorers' `--save`
/// format, for `--predictions`) and the figures to `save/figures.jsonl`.
pub fn evaluate(dir: &Path, save: Option<&Path>) -> Result<()> {
    let benchmarks = evalsets::load_all(dir)?;
    let now = Timestamp::now();
    let mut measured = Vec::new();
    for benchmark in &benchmarks {
        // Dates are judged without the URL, which often holds the date.
        let modes: &[bool] = match benchmark.kind {
            Kind::PublishedDay => &[false],
            Kind::NewsBody | Kind::Segments => &[true, false],
        };
        for &with_url in modes {
            let run = evalsets::run(benchmark, with_url, now);
            list_misses(benchmark, &run, with_url);
            let figures = evalsets::score(benchmark, &run);
            if let Some(save) = save {
                save_run(save, benchmark, &run, with_url, &figures)?;
            }
            measured.push(Measured {
                benchmark,
                with_url,
                figures,
                pages_per_second: run.pages_per_second(),
            });
        }
    }
    print_comparison(dir, &measured);
    println!();
    print_details(&measured);
    Ok(())
}

fn save_run(
    save: &Path,
    benchmark: &Benchmark,
    run: &Run,
    with_url: bool,
    figures: &Figures,
) -> Result<()> {
    std::fs::create_dir_all(save).with_context(|| format!("creating {}", save.display()))?;
    let mode = if with_url { "with-url" } else { "without-url" };
    let mut lines = String::new();
    for page in &benchmark.pages {
        if let Some(answer) = run.answer(page) {
            let mut line = serde_json::to_value(answer)?;
            line["id"] = page.id.clone().into();
            lines.push_str(&format!("{line}\n"));
        }
    }
    let path = save.join(format!("{}-{mode}.jsonl", benchmark.name));
    std::fs::write(&path, lines).with_context(|| format!("writing {}", path.display()))?;
    let mut row = serde_json::to_value(figures)?;
    row["benchmark"] = benchmark.name.clone().into();
    row["with_url"] = with_url.into();
    let path = save.join("figures.jsonl");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    writeln!(file, "{row}").with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// muniflux's two rows (with URLs, without) above the README's references.
fn print_comparison(dir: &Path, measured: &[Measured]) {
    let cell = |kind: Kind, with_url: bool| {
        measured
            .iter()
            .find(|m| m.benchmark.kind == kind && m.with_url == with_url)
            .map_or("–".to_string(), |m| {
                let f = &m.figures;
                let what = if kind == Kind::PublishedDay {
                    "missing"
                } else {
                    "empty"
                };
                format!("{:.3} ({} of {} {what})", f.main, f.missing, f.pages)
            })
    };
    let kinds = [Kind::NewsBody, Kind::Segments, Kind::PublishedDay];
    let mut rows = vec![vec![
        "tool".to_string(),
        "news body F1".into(),
        "segment F1".into(),
        "date accuracy".into(),
    ]];
    for (label, with_url) in [
        ("muniflux now, with URLs", true),
        ("muniflux now, without URLs", false),
    ] {
        let mut row = vec![label.to_string()];
        row.extend(kinds.iter().map(|&kind| cell(kind, with_url)));
        rows.push(row);
    }
    let readme = dir.join("README.md");
    let references = std::fs::read_to_string(&readme)
        .map(|text| reference_rows(&text))
        .unwrap_or_default();
    if references.is_empty() {
        eprintln!("no reference figures found in {}", readme.display());
    }
    rows.extend(references.into_iter().skip(1));
    println!(
        "muniflux now, then the reference figures of {} (same scorers, same pages):",
        readme.display()
    );
    print_table(&rows, true);
}

/// The rows (header first) of the table under "Reference figures" in the
/// evalsets README.
fn reference_rows(readme: &str) -> Vec<Vec<String>> {
    readme
        .lines()
        .skip_while(|line| !(line.starts_with('#') && line.contains("Reference figures")))
        .skip(1)
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            line.trim()
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|cells| !cells.iter().all(|c| c.chars().all(|ch| "-: ".contains(ch))))
        .collect()
}

fn print_details(measured: &[Measured]) {
    let mut rows = vec![[
        "benchmark",
        "URL",
        "pages",
        "figure",
        "P",
        "R",
        "empty",
        "wrong",
        "errors",
        "pages/s",
    ]
    .map(String::from)
    .to_vec()];
    for m in measured {
        let f = &m.figures;
        let figure = match f.kind {
            Kind::NewsBody => "body F1",
            Kind::Segments => "segment F1",
            Kind::PublishedDay => "day accuracy",
        };
        rows.push(vec![
            m.benchmark.name.clone(),
            if m.with_url { "with" } else { "without" }.into(),
            f.pages.to_string(),
            format!("{figure} {:.3}", f.main),
            format!("{:.3}", f.precision),
            format!("{:.3}", f.recall),
            f.missing.to_string(),
            if f.kind == Kind::PublishedDay {
                f.wrong.to_string()
            } else {
                "-".into()
            },
            f.errors.to_string(),
            format!("{:.0}", m.pages_per_second),
        ]);
    }
    println!("in detail (empty: pages without a body, or without a date; wrong: another day;");
    println!("errors: pages answered with an error; pages/s: read + decode + parse + extract):");
    print_table(&rows, false);
}

/// One stderr line per page that misses, for reading the failures.
fn list_misses(benchmark: &Benchmark, run: &Run, with_url: bool) {
    let mode = if with_url { "with URL" } else { "without URL" };
    for page in &benchmark.pages {
        let answer = run.answer(page).cloned().unwrap_or_default();
        let Some(miss) = miss(&page.gold, &answer) else {
            continue;
        };
        let path = page.path.strip_prefix(&benchmark.dir).unwrap_or(&page.path);
        eprintln!("{} {mode}: {}: {miss}", benchmark.name, path.display());
    }
}

fn miss(gold: &Gold, answer: &Answer) -> Option<String> {
    let no_body = || {
        format!(
            "no body ({})",
            answer.error.as_deref().unwrap_or("empty body")
        )
    };
    match gold {
        Gold::Body(gold) => {
            if answer.is_empty() {
                return Some(no_body());
            }
            let counts = shingle_counts(gold, answer.body.as_deref().unwrap_or(""));
            (counts.f1() < LISTED_BELOW_F1).then(|| {
                format!(
                    "F1 {:.3} (P {:.3} R {:.3})",
                    counts.f1(),
                    counts.tp / (counts.tp + counts.fp),
                    counts.tp / (counts.tp + counts.fn_)
                )
            })
        }
        Gold::Segments { with, without } => {
            if answer.body.is_none() {
                return Some(no_body());
            }
            let hits = segment_hits(with, without, answer.body.as_deref());
            (hits.missed > 0 || hits.kept > 0).then(|| {
                format!(
                    "{} of {} segments missing, {} of {} boilerplate segments kept",
                    hits.missed,
                    with.len(),
                    hits.kept,
                    without.len()
                )
            })
        }
        Gold::Published(gold) => match day_verdict(answer.published.as_deref(), gold.as_deref()) {
            DayVerdict::Correct => None,
            DayVerdict::Wrong => Some(format!(
                "published {} (gold {})",
                answer.published.as_deref().unwrap_or(""),
                gold.as_deref().unwrap_or("unknown")
            )),
            DayVerdict::Missing => Some(format!(
                "no published date (gold {}){}",
                gold.as_deref().unwrap_or("unknown"),
                answer
                    .error
                    .as_deref()
                    .map(|e| format!("; {e}"))
                    .unwrap_or_default()
            )),
        },
    }
}
