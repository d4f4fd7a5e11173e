//! A body's content fingerprint: a MinHash signature over its word
//! 3-shingles, cut into bands for locality-sensitive lookup.
//!
//! Two bodies share a band with a probability that rises steeply with their
//! shingle similarity J: 1 - (1 - J^ROWS)^BANDS, which is 0.99 at J = 0.6,
//! 0.9998 at the merge threshold 0.7, and 0.003 at J = 0.05 (unrelated
//! news from one site). So the store finds every possible cross-post by
//! asking which stored articles share a band, without comparing against
//! every article, and [`super::same_story`] then decides exactly. (A copy
//! that only contains the other, at J ≥ 0.5, shares a band with probability
//! 0.93 or more; with the same normalised headline it is a candidate anyway.)

use super::{fnv1a, shingles};

/// Bands per signature.
pub const BANDS: usize = 20;
/// Signature slots per band.
pub const ROWS: usize = 3;
const SLOTS: usize = BANDS * ROWS;

/// The MinHash signature of a text: for each of [`SLOTS`] hash functions, the
/// smallest hash of any shingle. `None` when the text has no words.
pub fn minhash(text: &str) -> Option<[u64; SLOTS]> {
    let shingles = shingles(text);
    if shingles.is_empty() {
        return None;
    }
    let mut signature = [u64::MAX; SLOTS];
    for shingle in shingles {
        for (slot, min) in signature.iter_mut().enumerate() {
            *min = (*min).min(mix(shingle ^ SEEDS[slot]));
        }
    }
    Some(signature)
}

/// The band keys of a text (one per band; equal keys mean equal bands).
/// Stable across processes and versions: they are stored.
pub fn bands(text: &str) -> Vec<i64> {
    let Some(signature) = minhash(text) else {
        return Vec::new();
    };
    signature
        .chunks(ROWS)
        .enumerate()
        .map(|(band, rows)| {
            let mut bytes = Vec::with_capacity(8 * (ROWS + 1));
            bytes.extend_from_slice(&(band as u64).to_le_bytes());
            for row in rows {
                bytes.extend_from_slice(&row.to_le_bytes());
            }
            fnv1a(&bytes) as i64
        })
        .collect()
}

/// The estimated Jaccard similarity of two signatures: the share of equal slots.
pub fn estimated_similarity(a: &[u64; SLOTS], b: &[u64; SLOTS]) -> f64 {
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / SLOTS as f64
}

/// splitmix64's finaliser: a well-mixed 64-bit permutation.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// One seed per hash function, fixed forever (they shape stored band keys).
const SEEDS: [u64; SLOTS] = seeds();

const fn seeds() -> [u64; SLOTS] {
    let mut out = [0u64; SLOTS];
    let mut state: u64 = 0x6d75_6e69_666c_7578; // "muniflux"
    let mut i = 0;
    while i < SLOTS {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out[i] = z ^ (z >> 31);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::similarity;

    const TEXT: &str = "Kronobergs kommuner lanserar en gemensam etableringsguide för företag \
        som vill etablera sig i regionen. Guiden samlar information om mark, lokaler, \
        kompetensförsörjning och kontaktvägar till varje kommuns näringslivsenhet. Arbetet \
        har pågått sedan våren och finansieras gemensamt av de åtta kommunerna i länet.";

    #[test]
    fn equal_texts_share_every_band_and_whitespace_does_not_matter() {
        let rewrapped = TEXT.split_whitespace().collect::<Vec<_>>().join("\n");
        assert_eq!(bands(TEXT), bands(&rewrapped));
        assert_eq!(bands(TEXT).len(), BANDS);
        assert!(bands("").is_empty());
    }

    #[test]
    fn a_near_copy_shares_a_band_and_an_unrelated_text_none() {
        let copy = format!("{TEXT} Kontakt: Anna Andersson, näringslivschef.");
        let other = "Kommunfullmäktige har antagit en ny näringslivsstrategi med fyra \
            fokusområden: service, kompetens, mark och infrastruktur. Strategin följs upp \
            varje år tillsammans med företagens egna organisationer i kommunen.";
        let shared = |a: &str, b: &str| bands(a).iter().filter(|k| bands(b).contains(k)).count();
        assert!(shared(TEXT, &copy) > 0);
        assert_eq!(shared(TEXT, other), 0);
    }

    #[test]
    fn the_signature_estimates_the_shingle_similarity() {
        let copy = format!("{TEXT} Kontakt: Anna Andersson, näringslivschef.");
        let exact = similarity(&shingles(TEXT), &shingles(&copy));
        let estimate = estimated_similarity(&minhash(TEXT).unwrap(), &minhash(&copy).unwrap());
        assert!((exact - estimate).abs() < 0.2, "{exact} vs {estimate}");
    }
}
