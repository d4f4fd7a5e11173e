//! Trains the learned block scorer (`src/extract/article/model.rs`) on the
//! development half of the public benchmarks, and reports its page-wise
//! cross-validated accuracy next to keeping every block.
//!
//! ```sh
//! cargo run --release --bin train_blocks -- --evalsets ../shared/evalsets           # report
//! cargo run --release --bin train_blocks -- --evalsets ../shared/evalsets --write   # and ship
//! ```
//!
//! Samples are the blocks of the body the heuristics find on each page,
//! before the scorer: a block is the story's when the news gold holds most
//! of its word 4-grams (or all of a short block's text), or when it holds
//! a must-have segment of the segment gold; page furniture when it holds a
//! must-not segment or too little of the news gold. Blocks the segment gold
//! says nothing about are left out. The model is gradient-boosted
//! regression trees with logistic loss, written by hand: a few hundred
//! lines, no numeric dependency for the crate.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use url::Url;

use muniflux::extract::article::block_samples;
use muniflux::extract::article::model::{
    kept_with_probabilities, Features, FEATURES, FEATURE_NAMES,
};
use muniflux::extract::charset;
use muniflux::score::evalsets::{self, Gold};

#[derive(Parser)]
struct Args {
    /// The benchmarks' folder.
    #[arg(long, default_value = "../shared/evalsets")]
    evalsets: PathBuf,
    /// The development corpus (municipal articles with gold bodies).
    #[arg(long, default_value = "../shared/corpus")]
    corpus: PathBuf,
    /// Write the trained trees to src/extract/article/model/trees.rs.
    #[arg(long)]
    write: bool,
    /// Boosting rounds.
    #[arg(long, default_value_t = 120)]
    rounds: usize,
    /// Tree depth.
    #[arg(long, default_value_t = 3)]
    depth: usize,
    /// Learning rate.
    #[arg(long, default_value_t = 0.15)]
    rate: f32,
}

/// One page's blocks and gold, for the cross-validated body figures.
struct PageBlocks {
    gold: Gold,
    /// `None` when the heuristics give the page no body.
    blocks: Option<Vec<(String, Features)>>,
    benchmark: &'static str,
}

/// One labelled block.
struct Sample {
    page: usize,
    x: Features,
    y: f32,
    w: f32,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("train_blocks: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<()> {
    let (samples, pages_blocks) = load_samples(&args.evalsets, &args.corpus)?;
    let pages = samples.iter().map(|s| s.page).max().map_or(0, |p| p + 1);
    let positive = samples.iter().filter(|s| s.y > 0.5).count();
    println!(
        "{} labelled blocks from {pages} pages ({positive} story, {} furniture)",
        samples.len(),
        samples.len() - positive
    );
    let params = Params {
        rounds: args.rounds,
        depth: args.depth,
        rate: args.rate,
        min_leaf: 20.0,
    };
    // Page-wise 5-fold cross-validation: block accuracy, and the bodies
    // the scorer would leave on pages it was not trained on.
    let (mut right, mut right_all, mut total) = (0.0, 0.0, 0.0);
    let mut bodies: Vec<Option<String>> = vec![None; pages_blocks.len()];
    let mut unfiltered: Vec<Option<String>> = vec![None; pages_blocks.len()];
    for fold in 0..5 {
        let train: Vec<&Sample> = samples.iter().filter(|s| s.page % 5 != fold).collect();
        let test: Vec<&Sample> = samples.iter().filter(|s| s.page % 5 == fold).collect();
        let model = train_model(&train, &params);
        for s in &test {
            let p = model.probability(&s.x);
            right += s.w * f32::from((p >= 0.5) == (s.y > 0.5));
            right_all += s.w * s.y;
            total += s.w;
        }
        for (index, page) in pages_blocks
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 5 == fold)
        {
            if let Some(blocks) = &page.blocks {
                let texts: Vec<&str> = blocks.iter().map(|(t, _)| t.as_str()).collect();
                let xs: Vec<Features> = blocks.iter().map(|(_, x)| *x).collect();
                let keep = kept_by(&model, &texts, &xs);
                let kept: Vec<String> = texts
                    .iter()
                    .zip(keep)
                    .filter(|(_, k)| *k)
                    .map(|(t, _)| t.to_string())
                    .collect();
                let all: Vec<String> = blocks.iter().map(|(text, _)| text.clone()).collect();
                let kept = if kept.join("\n\n").chars().count() < 80 {
                    all.clone()
                } else {
                    kept
                };
                bodies[index] = Some(kept.join("\n\n"));
                unfiltered[index] = Some(all.join("\n\n"));
            }
        }
    }
    println!(
        "cross-validated block accuracy {:.4} (keeping every block: {:.4})",
        right / total,
        right_all / total
    );
    for benchmark in ["scrapinghub-aeb", "trafilatura-eval", "corpus"] {
        let with = body_figure(&pages_blocks, &bodies, benchmark);
        let without = body_figure(&pages_blocks, &unfiltered, benchmark);
        println!("{benchmark}: cross-validated F1 {with:.4} (without the scorer {without:.4})");
    }
    let all: Vec<&Sample> = samples.iter().collect();
    let model = train_model(&all, &params);
    let mut gains = model.gains.clone();
    gains.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (feature, gain) in gains.iter().take(12) {
        println!("  {:>8.1}  {}", gain, FEATURE_NAMES[*feature]);
    }
    if args.write {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/extract/article/model/trees.rs");
        std::fs::write(&path, model.to_rust())
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// The shipped keep rule with this fold's model.
fn kept_by(model: &Model, texts: &[&str], features: &[Features]) -> Vec<bool> {
    let p: Vec<f32> = features.iter().map(|x| model.probability(x)).collect();
    kept_with_probabilities(texts, features, &p)
}

/// How much more a municipal page weighs than a benchmark page: the
/// product is judged on them.
const MUNICIPAL_WEIGHT: f32 = 4.0;

fn load_samples(dir: &Path, corpus: &Path) -> Result<(Vec<Sample>, Vec<PageBlocks>)> {
    let mut samples = Vec::new();
    let mut pages = Vec::new();
    let mut add = |gold: Gold, blocks: Option<Vec<(String, Features)>>, benchmark: &'static str| {
        let page = pages.len();
        if let Some(blocks) = &blocks {
            let labelled = label(&gold, blocks);
            // Every page weighs the same whatever its number of blocks.
            let mut weight = 1.0 / (labelled.len().max(1) as f32).sqrt();
            if benchmark == "corpus" {
                weight *= MUNICIPAL_WEIGHT;
            }
            for (x, y) in labelled {
                samples.push(Sample {
                    page,
                    x,
                    y,
                    w: weight,
                });
            }
        }
        pages.push(PageBlocks {
            gold,
            blocks,
            benchmark,
        });
    };
    for name in ["scrapinghub-aeb", "trafilatura-eval"] {
        let benchmark = evalsets::load(&dir.join(name))
            .with_context(|| format!("loading {}", dir.join(name).display()))?;
        for page in &benchmark.pages {
            let bytes = std::fs::read(&page.path)
                .with_context(|| format!("reading {}", page.path.display()))?;
            let html = charset::decode(&bytes, None);
            let url = page
                .url
                .as_deref()
                .and_then(|u| Url::parse(u).ok())
                .or_else(|| Url::from_file_path(&page.path).ok())
                .context("a page URL")?;
            let label_name = if name == "scrapinghub-aeb" {
                "scrapinghub-aeb"
            } else {
                "trafilatura-eval"
            };
            add(page.gold.clone(), block_samples(&html, &url), label_name);
        }
    }
    for (path, body) in corpus_articles(corpus)? {
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let html = charset::decode(&bytes, None);
        let url = Url::from_file_path(&path).ok().context("a page URL")?;
        add(Gold::Body(body), block_samples(&html, &url), "corpus");
    }
    Ok((samples, pages))
}

/// The corpus's gold articles (first state): page file and body text.
fn corpus_articles(corpus: &Path) -> Result<Vec<(PathBuf, String)>> {
    let gold_path = corpus.join("gold.json");
    let text = std::fs::read_to_string(&gold_path)
        .with_context(|| format!("reading {}", gold_path.display()))?;
    let gold: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", gold_path.display()))?;
    let mut out = Vec::new();
    for item in gold["initial"].as_array().into_iter().flatten() {
        let Some(body) = item["body_text"].as_str() else {
            continue;
        };
        for url in item["urls"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u.as_str())
        {
            let path = corpus
                .join("sites")
                .join(url.trim_start_matches('/'))
                .join("index.html");
            if path.is_file() {
                out.push((path, body.to_string()));
            }
        }
    }
    Ok(out)
}

/// The benchmark's figure over its pages for these bodies: mean news body
/// F1 (word 4-grams, precision and recall averaged over pages) or segment F1.
fn body_figure(pages: &[PageBlocks], bodies: &[Option<String>], benchmark: &str) -> f64 {
    let (mut counts, mut tp, mut fp, mut fn_) = (Vec::new(), 0usize, 0usize, 0usize);
    for (page, body) in pages
        .iter()
        .zip(bodies)
        .filter(|(p, _)| p.benchmark == benchmark)
    {
        match &page.gold {
            Gold::Body(gold) => counts.push(evalsets::shingle_counts(
                gold,
                body.as_deref().unwrap_or(""),
            )),
            Gold::Segments { with, without } => {
                let text = body.as_deref().map(normalize);
                let hit = |s: &String| text.as_ref().is_some_and(|t| t.contains(&normalize(s)));
                let found = with.iter().filter(|s| hit(s)).count();
                tp += found;
                fn_ += with.len() - found;
                fp += without.iter().filter(|s| hit(s)).count();
            }
            Gold::Published(_) => {}
        }
    }
    if counts.is_empty() {
        2.0 * tp as f64 / (2 * tp + fp + fn_).max(1) as f64
    } else {
        let (_, _, f1) = evalsets::averaged_prf(&counts);
        f1
    }
}

fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn shingles(text: &str) -> HashSet<Vec<String>> {
    let words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    words.windows(4).map(<[String]>::to_vec).collect()
}

fn label(gold: &Gold, blocks: &[(String, Features)]) -> Vec<(Features, f32)> {
    match gold {
        Gold::Body(body) => {
            let gold_text = normalize(body);
            let gold_shingles = shingles(&gold_text);
            blocks
                .iter()
                .map(|(text, x)| {
                    let text = normalize(text);
                    let block_shingles = shingles(&text);
                    let story = if block_shingles.is_empty() {
                        gold_text.contains(&text)
                    } else {
                        let inside = block_shingles.intersection(&gold_shingles).count();
                        2 * inside >= block_shingles.len()
                    };
                    (*x, f32::from(story))
                })
                .collect()
        }
        Gold::Segments { with, without } => blocks
            .iter()
            .filter_map(|(text, x)| {
                let text = normalize(text);
                if with.iter().any(|s| text.contains(&normalize(s))) {
                    Some((*x, 1.0))
                } else if without.iter().any(|s| text.contains(&normalize(s))) {
                    Some((*x, 0.0))
                } else {
                    None
                }
            })
            .collect(),
        Gold::Published(_) => Vec::new(),
    }
}

struct Params {
    rounds: usize,
    depth: usize,
    rate: f32,
    min_leaf: f32,
}

/// A trained ensemble.
struct Model {
    base: f32,
    trees: Vec<Vec<Node>>,
    /// Loss reduction per feature, summed over splits.
    gains: Vec<(usize, f32)>,
}

#[derive(Clone, Copy)]
enum Node {
    Split {
        feature: usize,
        threshold: f32,
        left: usize,
        right: usize,
    },
    Leaf(f32),
}

impl Model {
    fn score(&self, x: &Features) -> f32 {
        self.base + self.trees.iter().map(|t| eval(t, x)).sum::<f32>()
    }

    fn probability(&self, x: &Features) -> f32 {
        1.0 / (1.0 + (-self.score(x)).exp())
    }

    fn to_rust(&self) -> String {
        let mut out = String::from(
            "//! Generated by `cargo run --release --bin train_blocks -- --write`; do not edit.\n\
             use super::Tree;\n\n",
        );
        out.push_str(&format!("pub const BASE: f32 = {:?};\n\n", self.base));
        out.push_str("#[rustfmt::skip]\npub static TREES: &[Tree] = &[\n");
        for tree in &self.trees {
            let (mut feature, mut threshold, mut left, mut right) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for node in tree {
                match *node {
                    Node::Split {
                        feature: f,
                        threshold: t,
                        left: l,
                        right: r,
                    } => {
                        feature.push(f as i64);
                        threshold.push(t);
                        left.push(l);
                        right.push(r);
                    }
                    Node::Leaf(v) => {
                        feature.push(-1);
                        threshold.push(v);
                        left.push(0);
                        right.push(0);
                    }
                }
            }
            out.push_str(&format!(
                "    Tree {{ feature: &{feature:?}, threshold: &{threshold:?}, left: &{left:?}, right: &{right:?} }},\n"
            ));
        }
        out.push_str("];\n");
        out
    }
}

fn eval(tree: &[Node], x: &Features) -> f32 {
    let mut at = 0;
    loop {
        match tree[at] {
            Node::Leaf(v) => return v,
            Node::Split {
                feature,
                threshold,
                left,
                right,
            } => at = if x[feature] < threshold { left } else { right },
        }
    }
}

/// Candidate thresholds per feature: up to 32 quantiles of its values.
fn thresholds(samples: &[&Sample]) -> Vec<Vec<f32>> {
    (0..FEATURES)
        .map(|f| {
            let mut values: Vec<f32> = samples.iter().map(|s| s.x[f]).collect();
            values.sort_by(f32::total_cmp);
            values.dedup();
            if values.len() <= 33 {
                // Midpoints between distinct values.
                values.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect()
            } else {
                (1..32).map(|q| values[q * values.len() / 32]).collect()
            }
        })
        .collect()
}

fn train_model(samples: &[&Sample], params: &Params) -> Model {
    let weight: f32 = samples.iter().map(|s| s.w).sum();
    let mean = samples.iter().map(|s| s.w * s.y).sum::<f32>() / weight;
    let base = (mean / (1.0 - mean)).ln();
    let cuts = thresholds(samples);
    let mut score: Vec<f32> = vec![base; samples.len()];
    let mut trees = Vec::new();
    let mut gains = vec![0f32; FEATURES];
    for _ in 0..params.rounds {
        // Gradient and hessian of the logistic loss.
        let grad: Vec<(f32, f32)> = samples
            .iter()
            .zip(&score)
            .map(|(s, &f)| {
                let p = 1.0 / (1.0 + (-f).exp());
                (s.w * (s.y - p), s.w * (p * (1.0 - p)).max(1e-6))
            })
            .collect();
        let all: Vec<usize> = (0..samples.len()).collect();
        let mut tree = Vec::new();
        grow(
            samples, &grad, &all, &cuts, params, 0, &mut tree, &mut gains,
        );
        for (i, s) in samples.iter().enumerate() {
            score[i] += eval(&tree, &s.x);
        }
        trees.push(tree);
    }
    Model {
        base,
        trees,
        gains: gains.into_iter().enumerate().collect(),
    }
}

/// Grows one node (and its subtree) over `rows`; returns its index.
#[allow(clippy::too_many_arguments)]
fn grow(
    samples: &[&Sample],
    grad: &[(f32, f32)],
    rows: &[usize],
    cuts: &[Vec<f32>],
    params: &Params,
    depth: usize,
    tree: &mut Vec<Node>,
    gains: &mut [f32],
) -> usize {
    let (g, h) = rows
        .iter()
        .fold((0.0, 0.0), |(g, h), &r| (g + grad[r].0, h + grad[r].1));
    let leaf = Node::Leaf(params.rate * g / (h + 1.0));
    let index = tree.len();
    tree.push(leaf);
    if depth >= params.depth {
        return index;
    }
    let parent_gain = g * g / (h + 1.0);
    let mut best: Option<(f32, usize, f32)> = None;
    for (f, thresholds) in cuts.iter().enumerate() {
        for &t in thresholds {
            let (mut gl, mut hl, mut wl) = (0.0, 0.0, 0.0);
            for &r in rows {
                if samples[r].x[f] < t {
                    gl += grad[r].0;
                    hl += grad[r].1;
                    wl += samples[r].w;
                }
            }
            let wr: f32 = rows.iter().map(|&r| samples[r].w).sum::<f32>() - wl;
            if wl < params.min_leaf * 0.1 || wr < params.min_leaf * 0.1 {
                continue;
            }
            let (gr, hr) = (g - gl, h - hl);
            let gain = gl * gl / (hl + 1.0) + gr * gr / (hr + 1.0) - parent_gain;
            if best.is_none_or(|(b, _, _)| gain > b) {
                best = Some((gain, f, t));
            }
        }
    }
    let Some((gain, feature, threshold)) = best.filter(|(gain, _, _)| *gain > 1e-4) else {
        return index;
    };
    gains[feature] += gain;
    let (left_rows, right_rows): (Vec<usize>, Vec<usize>) = rows
        .iter()
        .partition(|&&r| samples[r].x[feature] < threshold);
    let left = grow(
        samples,
        grad,
        &left_rows,
        cuts,
        params,
        depth + 1,
        tree,
        gains,
    );
    let right = grow(
        samples,
        grad,
        &right_rows,
        cuts,
        params,
        depth + 1,
        tree,
        gains,
    );
    tree[index] = Node::Split {
        feature,
        threshold,
        left,
        right,
    };
    index
}
