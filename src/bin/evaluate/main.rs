//! Measures extraction: on the development corpus (the default), on the
//! public benchmarks of `../shared/evalsets` and on the real municipal
//! pages of `../shared/realpages`.
//!
//! ```sh
//! cargo run --release --bin evaluate                      # the corpus
//! cargo run --release --bin evaluate -- --all             # everything
//! cargo run --release --bin evaluate -- --evalsets --realpages
//! ```
//!
//! Results go to stdout; the pages that miss, one line each, to stderr.
//! Everything runs on one thread, page after page, as `extract --batch`
//! does, so the figures and pages/s compare with the benchmark scorers'.

mod corpus;
mod evalsets;
mod realpages;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

const CORPUS: &str = "../shared/corpus";
const EVALSETS: &str = "../shared/evalsets";
const REALPAGES: &str = "../shared/realpages";

/// Measures extraction. Without --corpus, --evalsets, --realpages or --all
/// it scores the development corpus.
#[derive(Parser)]
#[command(name = "evaluate")]
struct Args {
    /// The development corpus folder (the same as --corpus DIR).
    #[arg(value_name = "CORPUS_DIR", conflicts_with = "corpus")]
    corpus_dir: Option<PathBuf>,
    /// Score the development corpus [DIR: ../shared/corpus].
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = CORPUS)]
    corpus: Option<PathBuf>,
    /// Score the three benchmarks, with page URLs and without
    /// [DIR: ../shared/evalsets].
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = EVALSETS)]
    evalsets: Option<PathBuf>,
    /// Check the real municipal pages, with page URLs and without
    /// [DIR: ../shared/realpages].
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = REALPAGES)]
    realpages: Option<PathBuf>,
    /// Corpus, evalsets and realpages (in the default folders unless given).
    #[arg(long)]
    all: bool,
    /// Write each benchmark run's answers (JSON lines, as the scorers'
    /// --save) and figures into this folder.
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
    /// Passes over the corpus pages for its speed figures.
    #[arg(long, value_name = "N", default_value_t = 20)]
    rounds: usize,
}

/// The folders to measure, resolved from the flags.
struct Plan {
    corpus: Option<PathBuf>,
    rounds: usize,
    evalsets: Option<PathBuf>,
    realpages: Option<PathBuf>,
    save: Option<PathBuf>,
}

impl Args {
    fn plan(self) -> Plan {
        let default = |chosen: Option<PathBuf>, all: bool, dir: &str| {
            chosen.or_else(|| all.then(|| PathBuf::from(dir)))
        };
        let mut plan = Plan {
            corpus: default(self.corpus.or(self.corpus_dir), self.all, CORPUS),
            rounds: self.rounds,
            evalsets: default(self.evalsets, self.all, EVALSETS),
            realpages: default(self.realpages, self.all, REALPAGES),
            save: self.save,
        };
        if plan.corpus.is_none() && plan.evalsets.is_none() && plan.realpages.is_none() {
            plan.corpus = Some(PathBuf::from(CORPUS));
        }
        plan
    }
}

fn main() -> ExitCode {
    let plan = Args::parse().plan();
    match run(&plan) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("evaluate: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(plan: &Plan) -> Result<()> {
    // A heading for each part, when there are several.
    let parts = [
        plan.corpus.is_some(),
        plan.evalsets.is_some(),
        plan.realpages.is_some(),
    ];
    let headed = parts.iter().filter(|&&p| p).count() > 1;
    let mut first = true;
    let mut section = |title: String| {
        if !first {
            println!();
        }
        first = false;
        if headed {
            println!("== {title}");
            println!();
        }
    };
    if let Some(dir) = &plan.corpus {
        section(format!("development corpus: {}", dir.display()));
        corpus::evaluate(dir, plan.rounds)?;
    }
    if let Some(dir) = &plan.evalsets {
        section(format!("benchmarks: {}", dir.display()));
        evalsets::evaluate(dir, plan.save.as_deref())?;
    }
    if let Some(dir) = &plan.realpages {
        section(format!("real municipal pages: {}", dir.display()));
        realpages::evaluate(dir)?;
    }
    Ok(())
}
