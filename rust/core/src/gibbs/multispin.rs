//! Multi-spin coding: 64 chains of a periodic lattice in one word, one bit per chain.
//!
//! Systematic heat-bath sweeps of the periodic `L × L` lattice ([`Lattice`]) for many
//! chains at once. Chains are packed in groups of [`LANES`]: site `i` of group `g` is one
//! `u64` whose bit `k` is the spin of chain `64 g + k`. A site update of all 64 chains is
//!
//! 1. the number of up neighbours of every chain, as three bit planes, by a bitwise adder
//!    of the four neighbour words (so 64 sums cost a dozen instructions);
//! 2. a comparison of a uniform `U` with the chain's heat-bath threshold `T(s)` (the same
//!    63-bit thresholds as the one-chain path: the spin becomes 1 iff `U < T`), done one
//!    bit plane at a time from the most significant bit: plane `k` takes one random word,
//!    bit `k` of `U` for every chain; a chain is decided at the first plane where its bit of
//!    `U` differs from its bit of `T`. Planes are drawn only while some chain of the word
//!    is undecided, so a word costs about `log2(64) + 1.3 ≈ 7` random words instead of 64.
//!
//! `P(U < T) = T / 2^63` exactly, as in the one-chain path, so every chain is an exact
//! heat-bath chain with the same law; the chains of a group are independent given their
//! states, because each uses its own bit of every random word.
//!
//! Stream definition: group `g` (chains `64 g .. 64 g + 63`, the last group possibly
//! partial) draws from stream `(seed, g, MultiSpin)`, sites visited in order `0..n`, and
//! the planes drawn for a site depend on every chain of the group. So results are a
//! function of the seed and the number of chains, never of the thread count (groups are
//! distributed over threads whole), but a chain's trajectory is not the one the one-chain
//! path gives it. Lanes past the last chain are held at 0 and never decide a plane.

use super::pairwise::Lattice;
use super::rng::ChainRng;
use crate::cancel::Cancel;
use crate::error::Result;
use rand_core::Rng;

/// Chains in a word.
pub const LANES: usize = 64;

/// The bit planes of the five heat-bath thresholds: `planes[k][s]` is all ones when bit
/// `62 - k` of `T(s)` is set. `top[s]`: `T(s) = 2^63` (probability 1: no plane needed).
#[derive(Clone, Debug)]
pub struct Planes {
    top: [u64; 5],
    planes: [[u64; 5]; 63],
}

impl Planes {
    pub fn new(thr: [u64; 5]) -> Planes {
        let full = |b: bool| if b { u64::MAX } else { 0 };
        Planes {
            top: std::array::from_fn(|s| full(thr[s] >= 1 << 63)),
            planes: std::array::from_fn(|k| std::array::from_fn(|s| full(thr[s] >> (62 - k) & 1 == 1))),
        }
    }

    /// The new word of a site: bit `j` is 1 iff chain `j`'s uniform is below the threshold
    /// of its neighbour count, the counts given as masks `eq[s]` (chains with `s` up
    /// neighbours). Only lanes in `live` are decided; the others come out 0.
    #[inline(always)]
    fn draw<R: Rng>(&self, eq: [u64; 5], live: u64, rng: &mut R) -> u64 {
        let sel = |p: &[u64; 5]| {
            (eq[0] & p[0]) | (eq[1] & p[1]) | (eq[2] & p[2]) | (eq[3] & p[3]) | (eq[4] & p[4])
        };
        let certain = sel(&self.top) & live;
        let mut out = certain;
        let mut open = live & !certain;
        for p in &self.planes {
            if open == 0 {
                break;
            }
            let r = rng.next_u64();
            let t = sel(p);
            // U's bit 0 and T's bit 1: U < T, the spin is 1. Different bits decide.
            out |= open & t & !r;
            open &= !(t ^ r);
        }
        // Still open after 63 planes: U == T, so U < T is false and the spin is 0.
        out
    }
}

/// Per chain, which of the counts 0..4 its four neighbour bits add up to (as masks).
#[inline(always)]
fn counts(a: u64, b: u64, c: u64, d: u64) -> [u64; 5] {
    let (x, ca) = (a ^ b, a & b);
    let (y, cc) = (c ^ d, c & d);
    let b0 = x ^ y;
    let carry = x & y;
    let b1 = ca ^ cc ^ carry;
    let b2 = (ca & cc) | ((ca ^ cc) & carry);
    // b2 means 4, and then b0 = b1 = 0.
    [!(b0 | b1 | b2), b0 & !b1, !b0 & b1 & !b2, b0 & b1, b2]
}

/// `sweeps` systematic sweeps (sites `0..n` in order) of one group of chains packed in
/// `x` (`n` words), lanes in `live`; polls `cancel` before every sweep.
pub fn sweep_group(
    lat: &Lattice,
    planes: &Planes,
    sweeps: u64,
    x: &mut [u64],
    live: u64,
    rng: &mut ChainRng,
    cancel: &Cancel,
) -> Result<()> {
    let l = lat.side();
    assert_eq!(x.len(), l * l);
    let mut g = rng.clone();
    for _ in 0..sweeps {
        if let Err(e) = cancel.check() {
            *rng = g;
            return Err(e);
        }
        for r in 0..l {
            let row = r * l;
            let up = if r == 0 { l - 1 } else { r - 1 } * l;
            let down = if r + 1 == l { 0 } else { r + 1 } * l;
            for c in 0..l {
                let left = if c == 0 { l - 1 } else { c - 1 };
                let right = if c + 1 == l { 0 } else { c + 1 };
                let eq = counts(x[up + c], x[down + c], x[row + left], x[row + right]);
                x[row + c] = planes.draw(eq, live, &mut g);
            }
        }
    }
    *rng = g;
    Ok(())
}

/// Pack chains `chains` (each `n` spins of 0 / 1, chain-major) into `out` (`n` words),
/// chain `k` of the slice in bit `k`.
pub fn pack(states: &[u16], n: usize, out: &mut Vec<u64>) {
    out.clear();
    out.resize(n, 0);
    for (k, x) in states.chunks(n).enumerate() {
        for (w, &v) in out.iter_mut().zip(x) {
            *w |= (v as u64 & 1) << k;
        }
    }
}

/// The inverse of [`pack`].
pub fn unpack(words: &[u64], n: usize, states: &mut [u16]) {
    for (k, x) in states.chunks_mut(n).enumerate() {
        for (v, &w) in x.iter_mut().zip(words) {
            *v = (w >> k & 1) as u16;
        }
    }
}

/// The mask of the first `chains` lanes (`1 <= chains <= 64`).
pub fn live_mask(chains: usize) -> u64 {
    if chains >= LANES {
        u64::MAX
    } else {
        (1u64 << chains) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gibbs::rng::{stream, Purpose};

    #[test]
    fn counts_are_the_number_of_ones() {
        for v in 0..16u64 {
            let bits: [u64; 4] = std::array::from_fn(|k| if v >> k & 1 == 1 { u64::MAX } else { 0 });
            let eq = counts(bits[0], bits[1], bits[2], bits[3]);
            let s = v.count_ones() as usize;
            for (t, &m) in eq.iter().enumerate() {
                assert_eq!(m, if t == s { u64::MAX } else { 0 }, "v={v:04b} t={t}");
            }
        }
    }

    #[test]
    fn bitwise_comparison_has_the_threshold_probability() {
        // Every lane, thresholds from 0 to 1 including the extremes: the frequency of 1
        // is T / 2^63 within 5 standard errors, and the extremes are exact.
        let ps = [0.0, 0.03, 0.5, 0.8531, 1.0];
        let thr: [u64; 5] = std::array::from_fn(|s| crate::gibbs::rng::threshold(ps[s]));
        let planes = Planes::new(thr);
        let mut rng = stream(8, 0, Purpose::Chain);
        let draws = 4000;
        for s in 0..5 {
            let mut eq = [0u64; 5];
            eq[s] = u64::MAX;
            let mut ones = [0u32; 64];
            for _ in 0..draws {
                let w = planes.draw(eq, u64::MAX, &mut rng);
                for (k, o) in ones.iter_mut().enumerate() {
                    *o += (w >> k & 1) as u32;
                }
            }
            let p = ps[s];
            let sd = (draws as f64 * p * (1.0 - p)).sqrt();
            let total: u32 = ones.iter().sum();
            let n = draws as f64 * 64.0;
            assert!((total as f64 - n * p).abs() <= 5.0 * (n * p * (1.0 - p)).sqrt() + 1e-9);
            for &o in &ones {
                assert!((o as f64 - draws as f64 * p).abs() <= 5.0 * sd + 1e-9, "{s} {ones:?}");
            }
        }
        // Dead lanes stay 0.
        let w = planes.draw([0, 0, 0, 0, u64::MAX], 0xFF, &mut rng);
        assert_eq!(w & !0xFF, 0);
    }

    #[test]
    fn pack_and_unpack_are_inverse() {
        let n = 10;
        let states: Vec<u16> = (0..37 * n).map(|i| ((i * 7 + i / 3) % 2) as u16).collect();
        let mut words = Vec::new();
        pack(&states, n, &mut words);
        let mut back = vec![0u16; states.len()];
        unpack(&words, n, &mut back);
        assert_eq!(back, states);
        assert_eq!(live_mask(3), 0b111);
        assert_eq!(live_mask(64), u64::MAX);
    }
}
