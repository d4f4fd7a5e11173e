//! The learned block scorer: which of the paragraphs rendered from the
//! article's element are the story, and which are the page around it
//! (promotions, author boxes, rails, comments, tails).
//!
//! Why learned: the hand rules before it find the article's element and
//! drop what structure and vocabulary clearly mark; what is left is a long
//! tail of page furniture that no short list of words describes. A small
//! ensemble of regression trees over structural features of each paragraph
//! (its length, punctuation, links, place in the body, the markup between
//! it and the article's element) separates the two far better than
//! thresholds chosen by hand. The trees are trained on the development half
//! of the public benchmarks only (`src/bin/train_blocks.rs`, by page-wise
//! cross-validation) and shipped as Rust source in [`trees`].

use super::{Page, MIN_CLOSING_PARAGRAPH_CHARS};
use crate::extract::cms::is_meta_line;
use crate::extract::dom::{heading_level, is_block_tag};
use crate::extract::html::{Block, BlockKind};

mod trees;

/// Number of features per block.
pub const FEATURES: usize = 25;

/// The features of one block, in the order of [`FEATURE_NAMES`].
pub type Features = [f32; FEATURES];

/// What each feature is (for the trainer's report).
pub const FEATURE_NAMES: [&str; FEATURES] = [
    "chars (log)",
    "words (log)",
    "link share of its element",
    "ends a sentence",
    "commas and stops per 100 chars",
    "is a heading",
    "is a list item",
    "is a quote",
    "position in the body (0..1)",
    "blocks after the last long paragraph",
    "after the last long paragraph",
    "outside the last long paragraph's element",
    "weak boilerplate word between it and the body",
    "strong boilerplate word between it and the body",
    "content word between it and the body",
    "upper-case share of letters",
    "digit share",
    "page metadata line",
    "share of the body's characters",
    "depth below the body element",
    "long paragraphs among the 2 blocks before and after",
    "same parent as the block before",
    "blocks in the body (log)",
    "ends with ':' or '?'",
    "between the first and the last long paragraph",
];

/// Below this probability of being the story a block is dropped.
const KEEP: f32 = 0.5;
/// A long paragraph is dropped only below this probability: losing story
/// text costs more than keeping a promotion.
const KEEP_LONG: f32 = 0.2;

/// Which blocks the model keeps, given each block's text and features.
///
/// Structure guards what the model may drop: a block of the element that
/// holds the last long paragraph stays; a long paragraph, a sentence of
/// its own or a block of the running text (between the first and the last
/// long paragraph) goes only when the model is sure; a facts line
/// ("Kontakt: Anna Berg") stays; a heading stays when the block after it
/// stays.
pub fn kept(texts: &[&str], features: &[Features]) -> Vec<bool> {
    let p: Vec<f32> = features.iter().map(probability).collect();
    kept_with_probabilities(texts, features, &p)
}

/// [`kept`] with the model's probabilities given (the trainer's folds).
pub fn kept_with_probabilities(texts: &[&str], features: &[Features], p: &[f32]) -> Vec<bool> {
    let mut keep: Vec<bool> = texts
        .iter()
        .zip(features)
        .zip(p)
        .map(|((text, x), &p)| {
            // A sentence of its own ("Läs mer om hur du startar företag.")
            // weighs like a long paragraph.
            let sentence = text.ends_with(['.', '!']) && text.split_whitespace().nth(3).is_some();
            let long = sentence || text.chars().nth(MIN_CLOSING_PARAGRAPH_CHARS * 2).is_some();
            is_fact_line(text) || keeps_with(long, x, p)
        })
        .collect();
    for k in (0..texts.len()).rev() {
        let heading = features[k][5] > 0.5;
        if heading && k + 1 < texts.len() && keep[k + 1] && features[k + 1][5] < 0.5 {
            keep[k] = true;
        }
    }
    keep
}

/// "Label: value" in a short line: a facts box's or contact box's line.
fn is_fact_line(text: &str) -> bool {
    text.chars().nth(MIN_CLOSING_PARAGRAPH_CHARS).is_none()
        && text.split_once(':').is_some_and(|(label, value)| {
            let label = label.trim();
            !label.is_empty()
                && label.chars().count() <= 30
                && !label.contains(['.', '!', '?'])
                && !value.trim().is_empty()
        })
}

/// Whether a block with this probability is kept: a block of the element
/// that holds the last long paragraph always (as `trim_tail` reads it); a
/// long paragraph or a block of the running text unless the model is sure
/// it is furniture; any other block when it is more likely the story's
/// than not.
pub fn keeps_with(long: bool, features: &Features, p: f32) -> bool {
    let running_text = features[FEATURES - 1] > 0.5;
    let in_text_element = features[11] < 0.5;
    in_text_element
        || p >= if long || running_text {
            KEEP_LONG
        } else {
            KEEP
        }
}

/// The probability that a block is the story's.
pub fn probability(features: &Features) -> f32 {
    let score = trees::BASE + trees::TREES.iter().map(|t| t.eval(features)).sum::<f32>();
    1.0 / (1.0 + (-score).exp())
}

/// One regression tree, flattened: node `i` splits on `feature[i]` at
/// `threshold[i]` (go left when below) into `left[i]`/`right[i]`; a negative
/// feature marks a leaf whose value is `threshold[i]`.
pub struct Tree {
    pub feature: &'static [i8],
    pub threshold: &'static [f32],
    pub left: &'static [u8],
    pub right: &'static [u8],
}

impl Tree {
    fn eval(&self, x: &Features) -> f32 {
        let mut at = 0usize;
        loop {
            let f = self.feature[at];
            if f < 0 {
                return self.threshold[at];
            }
            at = if x[f as usize] < self.threshold[at] {
                self.left[at] as usize
            } else {
                self.right[at] as usize
            };
        }
    }
}

impl Page<'_, '_> {
    /// The features of each block rendered from `main`.
    pub(super) fn block_features(&self, main: u32, blocks: &[Block]) -> Vec<Features> {
        let dom = self.dom;
        let n = blocks.len();
        let long = |b: &Block| {
            !matches!(b.kind, BlockKind::Heading(_))
                && b.text.chars().nth(MIN_CLOSING_PARAGRAPH_CHARS).is_some()
        };
        let last_long = blocks.iter().rposition(long);
        let first_long = blocks.iter().position(long);
        let text_element = last_long.and_then(|last| {
            let origin = blocks[last].origin;
            dom.ancestors(origin)
                .find(|&a| a != origin && is_block_tag(dom.tag(a)))
        });
        let total_chars: usize = blocks
            .iter()
            .map(|b| b.text.chars().count())
            .sum::<usize>()
            .max(1);
        let main_depth = dom.nodes[main as usize].depth;
        let mut out = Vec::with_capacity(n);
        for (k, block) in blocks.iter().enumerate() {
            let text = block.text.trim();
            let chars = text.chars().count();
            let words = text.split_whitespace().count();
            let origin = block.origin as usize;
            let link_share = if self.text[origin] == 0 {
                0.0
            } else {
                self.link[origin] as f32 / self.text[origin] as f32
            };
            let stops = text
                .chars()
                .filter(|c| matches!(c, ',' | '.' | ';' | '!' | '?'))
                .count();
            let letters = text.chars().filter(|c| c.is_alphabetic()).count().max(1);
            let upper = text.chars().filter(|c| c.is_uppercase()).count();
            let digits = text.chars().filter(|c| c.is_ascii_digit()).count();
            let (mut weak, mut strong, mut positive) = (false, false, false);
            for a in std::iter::once(block.origin)
                .chain(dom.ancestors(block.origin))
                .take_while(|&a| a != main)
            {
                let hint = self.hints[a as usize];
                weak |= hint.negative && !hint.strong;
                strong |= hint.strong;
                positive |= hint.positive;
            }
            let near_long = (k.saturating_sub(2)..(k + 3).min(n))
                .filter(|&j| j != k && long(&blocks[j]))
                .count();
            let same_parent = k > 0
                && dom.nodes[block.origin as usize].parent
                    == dom.nodes[blocks[k - 1].origin as usize].parent;
            let after = last_long.map_or(0, |last| k.saturating_sub(last));
            out.push([
                (1.0 + chars as f32).ln(),
                (1.0 + words as f32).ln(),
                link_share,
                f32::from(text.ends_with(['.', '!', '?', '…', '"', '”', ')'])),
                100.0 * stops as f32 / chars.max(1) as f32,
                f32::from(matches!(block.kind, BlockKind::Heading(_))),
                f32::from(matches!(block.kind, BlockKind::ListItem { .. })),
                f32::from(matches!(block.kind, BlockKind::Quote)),
                k as f32 / n.max(1) as f32,
                after as f32,
                f32::from(last_long.is_some_and(|last| k > last)),
                f32::from(text_element.is_some_and(|e| !dom.contains(e, block.origin))),
                f32::from(weak),
                f32::from(strong),
                f32::from(positive),
                upper as f32 / letters as f32,
                digits as f32 / chars.max(1) as f32,
                f32::from(text.lines().all(is_meta_line)),
                chars as f32 / total_chars as f32,
                (dom.nodes[origin].depth.saturating_sub(main_depth)) as f32,
                near_long as f32,
                f32::from(same_parent),
                (1.0 + n as f32).ln(),
                f32::from(
                    text.ends_with([':', '?']) && heading_level(dom.tag(block.origin)).is_none(),
                ),
                f32::from(
                    first_long.is_some_and(|first| k >= first)
                        && last_long.is_some_and(|last| k <= last),
                ),
            ]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(outside: bool, heading: bool) -> Features {
        let mut x = [0.0; FEATURES];
        x[5] = f32::from(heading);
        x[11] = f32::from(outside);
        x
    }

    #[test]
    fn a_tree_is_walked_to_its_leaf() {
        let tree = Tree {
            feature: &[2, -1, -1],
            threshold: &[0.5, -1.0, 2.0],
            left: &[1, 0, 0],
            right: &[2, 0, 0],
        };
        let mut x = [0.0; FEATURES];
        assert_eq!(tree.eval(&x), -1.0);
        x[2] = 0.9;
        assert_eq!(tree.eval(&x), 2.0);
    }

    #[test]
    fn structure_guards_what_the_model_may_drop() {
        // Probability zero: the model is sure every block is furniture.
        let texts = [
            "Läs mer om hur du startar företag.",
            "Fakta",
            "Kontakt: Anna Berg, näringslivschef",
            "Dela",
        ];
        let xs = [
            features(false, false),
            features(true, true),
            features(true, false),
            features(true, false),
        ];
        let keep = kept_with_probabilities(&texts, &xs, &[0.0; 4]);
        assert_eq!(keep, [true, true, true, false]);
        // Unsure (0.3): a sentence of its own stays, a bare label goes.
        let texts = [
            "Välkommen till mässan i maj, alla är välkomna.",
            "Dela sidan",
        ];
        let xs = [features(true, false), features(true, false)];
        assert_eq!(
            kept_with_probabilities(&texts, &xs, &[0.3, 0.3]),
            [true, false]
        );
    }

    #[test]
    fn facts_lines_are_short_labelled_values() {
        assert!(is_fact_line("Telefon: 0470-410 00"));
        assert!(!is_fact_line("Kontakt:"));
        assert!(!is_fact_line(
            "Han sa det tydligt. Sedan kom frågan: varför?"
        ));
    }
}
