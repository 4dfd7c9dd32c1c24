//! Random streams and the two draws every update needs.
//!
//! Chain `c` of a run with seed `s` draws from its own Xoshiro256++ stream seeded from
//! `(s, c, purpose)` through SplitMix64, so a chain's trajectory is a function of those
//! numbers alone: the same seed gives the same result for any number of threads.

use rand_core::{Rng, SeedableRng};
pub use rand_xoshiro::Xoshiro256PlusPlus as ChainRng;

/// What a stream is used for; distinct purposes never share a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The Markov chain itself.
    Chain = 0,
    /// Drawing the initial state (ancestral sampling).
    Init = 1,
    /// A group of 64 chains packed one bit each (multi-spin coding).
    MultiSpin = 2,
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream of chain `chain` for `seed`.
pub fn stream(seed: u64, chain: u64, purpose: Purpose) -> ChainRng {
    // Four words, each a different mix of all three inputs: distinct (seed, chain, purpose)
    // give unrelated 256-bit states.
    let a = splitmix(seed);
    let b = splitmix(a ^ chain);
    let c = splitmix(b ^ (purpose as u64));
    let d = splitmix(c ^ 0xD1B5_4A32_D192_ED03);
    let mut bytes = [0u8; 32];
    for (k, w) in [a, b, c, d].into_iter().enumerate() {
        bytes[8 * k..8 * k + 8].copy_from_slice(&w.to_le_bytes());
    }
    ChainRng::from_seed(bytes)
}

/// Threshold for [`bernoulli`]: `P(r >> 1 < t) = t / 2^63` for a uniform 64-bit `r`.
/// `p = 1` gives `2^63`, which every draw is below; `p = 0` gives 0.
#[inline]
pub fn threshold(p: f64) -> u64 {
    (p.clamp(0.0, 1.0) * 9_223_372_036_854_775_808.0) as u64
}

/// True with probability `thr / 2^63` (see [`threshold`]).
#[inline]
pub fn bernoulli<R: Rng>(rng: &mut R, thr: u64) -> bool {
    (rng.next_u64() >> 1) < thr
}

/// A uniform integer in `0..n` (`n >= 1`), unbiased (Lemire's method with rejection).
#[inline]
pub fn below<R: Rng>(rng: &mut R, n: u64) -> u64 {
    let mut m = (rng.next_u64() as u128) * (n as u128);
    if (m as u64) < n {
        let t = n.wrapping_neg() % n;
        while (m as u64) < t {
            m = (rng.next_u64() as u128) * (n as u128);
        }
    }
    (m >> 64) as u64
}

/// Largest `n` for which [`site_and_word`] takes both draws from one random word.
pub const ONE_WORD_SITES: u64 = 1 << 24;

/// A uniform site in `0..n` and a word for [`bernoulli_word`], from one random word when
/// `n <= ONE_WORD_SITES` (random scan draws both every step; the stream is the cost).
///
/// Lemire's product `r * n` gives the site as its high half; given the site, the accepted
/// low half is uniform on an arithmetic progression of step `n` with exactly
/// `floor(2^64 / n)` members, so comparing it with a threshold gives `P(true)` within
/// `n / 2^64 <= 2^-40` of the exact value (and exactly 0 or 1 at the extremes). That is
/// the resolution of a 40-bit uniform: far below any sampling noise a chain can reach
/// (detecting it needs about 2^80 updates). Larger `n` takes a second word.
#[inline]
pub fn site_and_word<R: Rng>(rng: &mut R, n: u64) -> (u64, u64) {
    if n > ONE_WORD_SITES {
        let i = below(rng, n);
        return (i, rng.next_u64());
    }
    let mut m = (rng.next_u64() as u128) * (n as u128);
    if (m as u64) < n {
        let t = n.wrapping_neg() % n;
        while (m as u64) < t {
            m = (rng.next_u64() as u128) * (n as u128);
        }
    }
    ((m >> 64) as u64, m as u64)
}

/// [`bernoulli`] on a word already drawn: true with probability `thr / 2^63`.
#[inline(always)]
pub fn bernoulli_word(word: u64, thr: u64) -> bool {
    (word >> 1) < thr
}

/// A uniform float in `[0, 1)` with 53 random bits.
#[inline]
pub fn unit<R: Rng>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `P(x = 1)` when `log P(x=1) - log P(x=0) = l`, stable for any sign; `l` may be infinite.
#[inline]
pub fn sigmoid(l: f64) -> f64 {
    if l >= 0.0 {
        1.0 / (1.0 + (-l).exp())
    } else {
        let e = l.exp();
        e / (1.0 + e)
    }
}

/// Draw an index with probability proportional to `exp(logw[i])`. Entries of `-inf` are
/// never drawn. Returns `None` when every entry is `-inf` (no value is possible).
#[inline]
pub fn categorical<R: Rng>(rng: &mut R, logw: &mut [f64]) -> Option<usize> {
    let max = logw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return None;
    }
    let mut total = 0.0;
    for w in logw.iter_mut() {
        *w = (*w - max).exp();
        total += *w;
    }
    let u = unit(rng) * total;
    let mut acc = 0.0;
    let mut last = 0;
    for (i, &w) in logw.iter().enumerate() {
        if w > 0.0 {
            acc += w;
            last = i;
            if u < acc {
                return Some(i);
            }
        }
    }
    Some(last) // rounding left u at the very top: the last possible value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_by_chain_seed_and_purpose() {
        let x = |s, c, p| stream(s, c, p).next_u64();
        assert_ne!(x(0, 0, Purpose::Chain), x(0, 1, Purpose::Chain));
        assert_ne!(x(0, 0, Purpose::Chain), x(1, 0, Purpose::Chain));
        assert_ne!(x(0, 0, Purpose::Chain), x(0, 0, Purpose::Init));
        assert_eq!(x(7, 3, Purpose::Chain), x(7, 3, Purpose::Chain));
    }

    #[test]
    fn below_is_in_range_and_covers_it() {
        let mut rng = stream(1, 0, Purpose::Chain);
        let mut seen = [0u32; 5];
        for _ in 0..5000 {
            seen[below(&mut rng, 5) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 850 && c < 1150), "{seen:?}");
    }

    #[test]
    fn one_word_site_and_bernoulli_are_uniform_and_independent() {
        // 6 sites x 2 outcomes at p = 0.3: every cell near 1/6 * (0.3 | 0.7).
        let mut rng = stream(4, 0, Purpose::Chain);
        let thr = threshold(0.3);
        let mut seen = [[0u32; 2]; 6];
        let draws = 60000;
        for _ in 0..draws {
            let (i, w) = site_and_word(&mut rng, 6);
            seen[i as usize][bernoulli_word(w, thr) as usize] += 1;
        }
        for row in seen {
            for (b, &c) in row.iter().enumerate() {
                let p = if b == 1 { 0.3 / 6.0 } else { 0.7 / 6.0 };
                let sd = (draws as f64 * p * (1.0 - p)).sqrt();
                assert!((c as f64 - draws as f64 * p).abs() < 5.0 * sd, "{seen:?}");
            }
        }
        for _ in 0..1000 {
            let (_, w) = site_and_word(&mut rng, 1 << 20);
            assert!(bernoulli_word(w, threshold(1.0)) && !bernoulli_word(w, threshold(0.0)));
        }
        let (i, _) = site_and_word(&mut rng, ONE_WORD_SITES + 1);
        assert!(i <= ONE_WORD_SITES);
    }

    #[test]
    fn bernoulli_extremes_are_exact() {
        let mut rng = stream(2, 0, Purpose::Chain);
        for _ in 0..1000 {
            assert!(bernoulli(&mut rng, threshold(1.0)));
            assert!(!bernoulli(&mut rng, threshold(0.0)));
        }
    }

    #[test]
    fn categorical_skips_impossible_values() {
        let mut rng = stream(3, 0, Purpose::Chain);
        for _ in 0..1000 {
            let mut w = [f64::NEG_INFINITY, 0.0, f64::NEG_INFINITY, 1.0];
            let i = categorical(&mut rng, &mut w).unwrap();
            assert!(i == 1 || i == 3);
        }
        assert_eq!(categorical(&mut rng, &mut [f64::NEG_INFINITY; 3]), None);
    }

    #[test]
    fn sigmoid_is_stable() {
        assert_eq!(sigmoid(f64::INFINITY), 1.0);
        assert_eq!(sigmoid(f64::NEG_INFINITY), 0.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-15);
        assert!((sigmoid(-800.0)).is_finite());
    }
}
