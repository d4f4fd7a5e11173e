//! The real municipal pages of `../shared/realpages`
//! (`muniflux::score::realpages`): content pages should give their headline
//! and text without chrome, home and thin pages "no article". Each page is
//! read with its URL (as a poll has it) and without.

use std::path::Path;

use anyhow::Result;
use jiff::Timestamp;

use muniflux::score::realpages::{self, Checked, PageKind, RealPage, Summary, FEW_PARAGRAPHS};

use crate::table::print_table;

pub fn evaluate(dir: &Path) -> Result<()> {
    let pages = realpages::load(dir)?;
    let now = Timestamp::now();
    let mut summaries = Vec::new();
    for with_url in [true, false] {
        let run = realpages::run(&pages, with_url, now);
        list_misses(&pages, &run.checked, with_url);
        summaries.push(realpages::summarize(&pages, &run));
    }
    print_summaries(pages.len(), &summaries);
    Ok(())
}

fn print_summaries(pages: usize, summaries: &[Summary]) {
    let row = |label: &str, cell: &dyn Fn(&Summary) -> String| {
        let mut row = vec![label.to_string()];
        row.extend(summaries.iter().map(cell));
        row
    };
    let mut kinds: Vec<&str> = summaries
        .iter()
        .flat_map(|s| s.boilerplate_kinds.keys().copied())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut rows = vec![
        vec![
            format!("{pages} pages"),
            "with URL".to_string(),
            "without".to_string(),
        ],
        row("content pages", &|s| s.content_pages.to_string()),
        row("  no article (error)", &|s| s.content_errors.to_string()),
        row("  title = first <h1>", &|s| s.titles.to_string()),
        row("  title = first <h1>, ignoring case", &|s| {
            s.titles_ignoring_case.to_string()
        }),
        row("  paragraphs per body, median", &|s| {
            s.median_paragraphs.to_string()
        }),
        row(
            &format!("  bodies of under {FEW_PARAGRAPHS} paragraphs"),
            &|s| s.few_paragraphs.to_string(),
        ),
        row("  bodies with boilerplate", &|s| {
            s.with_boilerplate.to_string()
        }),
    ];
    for kind in kinds {
        rows.push(row(&format!("    {kind}"), &|s| {
            s.boilerplate_kinds
                .get(kind)
                .copied()
                .unwrap_or(0)
                .to_string()
        }));
    }
    rows.push(row("home and thin pages", &|s| s.other_pages.to_string()));
    rows.push(row("  no article (as they should)", &|s| {
        s.other_without_article.to_string()
    }));
    rows.push(row("pages/s", &|s| format!("{:.0}", s.pages_per_second)));
    print_table(&rows, false);
}

/// One stderr line per page that misses, for reading the failures.
fn list_misses(pages: &[RealPage], checked: &[Checked], with_url: bool) {
    let mode = if with_url { "with URL" } else { "without URL" };
    for (page, checked) in pages.iter().zip(checked) {
        let misses = misses(page, checked);
        if !misses.is_empty() {
            let file = page.file.file_name().unwrap_or_default().to_string_lossy();
            eprintln!(
                "realpages {mode}: {file} ({}): {}",
                page.cms,
                misses.join("; ")
            );
        }
    }
}

fn misses(page: &RealPage, checked: &Checked) -> Vec<String> {
    let answer = &checked.answer;
    if page.kind != PageKind::Content {
        return match answer.body {
            Some(_) => vec![format!(
                "{:?} page gave an article of {} paragraphs",
                page.kind, checked.paragraphs
            )],
            None => Vec::new(),
        };
    }
    let mut misses = Vec::new();
    if let Some(error) = &answer.error {
        misses.push(error.clone());
    }
    if !checked.title_is_h1 {
        misses.push(format!(
            "title {:?} (h1 {:?})",
            answer.title.as_deref().unwrap_or(""),
            page.h1.as_deref().unwrap_or("")
        ));
    }
    if answer.body.is_some() && checked.paragraphs < FEW_PARAGRAPHS {
        misses.push(format!("{} paragraphs", checked.paragraphs));
    }
    if !checked.boilerplate.is_empty() {
        let markers: Vec<String> = checked
            .boilerplate
            .iter()
            .map(|(kind, marker)| format!("{kind} {marker:?}"))
            .collect();
        misses.push(format!("boilerplate: {}", markers.join(", ")));
    }
    misses
}
