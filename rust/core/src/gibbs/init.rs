//! Default initial states, drawn in Rust in the form the engine holds them.
//!
//! A front end that asks for the default start (every variable uniform, independently)
//! should not build a `chains × n` array only to have it copied, checked and packed: on a
//! 512 × 512 lattice with 64 chains that is 16.7 M values, several times the cost of a
//! sweep. These draws write the engine's own form directly: one `u16` per site
//! ([`uniform_states`]) or, on the multi-spin path, packed bits ([`uniform_batch`],
//! [`uniform_strips`]), in parallel over chains.
//!
//! Stream definition: chain `c` of a run whose start seed is `s` draws from stream
//! `(s, c, Init)`. In a binary model (every card 2) word `b` of that stream gives sites
//! `64 b .. 64 b + 63`, site `64 b + k` being bit `k` (the unused bits of the last word
//! are dropped); otherwise site `i` is `below(cards[i])`, sites in order. So a chain's
//! start is a function of `(s, c)` alone, whatever the path, the number of chains or of
//! threads: the packed forms are the same bits rearranged.

use super::multispin::{Strips, LANES};
use super::rng::{below, stream, ChainRng, Purpose};
use rand_core::Rng;
use rayon::prelude::*;

/// The default start of chain `chain`, written to `x` (its `n` sites).
fn fill_chain(cards: &[u32], binary: bool, seed: u64, chain: u64, x: &mut [u16]) {
    let mut rng = stream(seed, chain, Purpose::Init);
    if binary {
        // A byte of the word at a time: eight sites from a table of their values.
        let table = byte_table();
        let mut blocks = x.chunks_exact_mut(LANES);
        for block in &mut blocks {
            let w = rng.next_u64().to_le_bytes();
            for (sites, &byte) in block.chunks_exact_mut(8).zip(&w) {
                sites.copy_from_slice(&table[byte as usize]);
            }
        }
        let rest = blocks.into_remainder();
        if !rest.is_empty() {
            let w = rng.next_u64();
            for (k, v) in rest.iter_mut().enumerate() {
                *v = (w >> k & 1) as u16;
            }
        }
    } else {
        for (v, &c) in x.iter_mut().zip(cards) {
            *v = below(&mut rng, c.max(1) as u64) as u16;
        }
    }
}

/// The eight bits of every byte as eight 0 / 1 values, least significant first.
fn byte_table() -> &'static [[u16; 8]; 256] {
    static TABLE: std::sync::OnceLock<[[u16; 8]; 256]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(|b| std::array::from_fn(|k| (b >> k & 1) as u16)))
}

/// Default starts of chains `first .. first + chains` (chain-major `chains × n`, `n =
/// cards.len()`), drawn in parallel.
pub fn uniform_states(cards: &[u32], chains: usize, seed: u64, first: u64) -> Vec<u16> {
    let mut x = vec![0u16; chains * cards.len()];
    uniform_states_into(cards, chains, seed, first, &mut x);
    x
}

/// [`uniform_states`] written into `x` (any contents; resized to `chains × n`).
pub fn uniform_states_into(cards: &[u32], chains: usize, seed: u64, first: u64, x: &mut Vec<u16>) {
    let n = cards.len();
    x.resize(chains * n, 0);
    if n == 0 {
        return;
    }
    let binary = cards.iter().all(|&c| c == 2);
    // Tasks of at least ~16 k values: small models do not pay a task per chain.
    let per_task = (1 << 14) / n + 1;
    x.par_chunks_mut(n)
        .enumerate()
        .with_min_len(per_task)
        .for_each(|(c, xc)| fill_chain(cards, binary, seed, first + c as u64, xc));
}

/// Transpose a 64 × 64 bit matrix in place: bit `j` of `a[i]` becomes bit `i` of `a[j]`.
pub fn transpose64(a: &mut [u64; 64]) {
    let mut j = 32usize;
    let mut m: u64 = 0x0000_0000_FFFF_FFFF;
    while j != 0 {
        let mut k = 0usize;
        while k < 64 {
            let t = ((a[k] >> j) ^ a[k + j]) & m;
            a[k] ^= t << j;
            a[k + j] ^= t;
            k = (k + j + 1) & !j;
        }
        j >>= 1;
        m ^= m << j;
    }
}

/// Default starts of one multi-spin batch, packed: chains `first .. first + chains`
/// (`1 <= chains <= 64 B`), chain `first + 64 b + k` in bit `k` of `out[i][b]`, for `n`
/// binary sites. Lanes past the last chain are 0.
pub fn uniform_batch<const B: usize>(
    n: usize,
    chains: usize,
    seed: u64,
    first: u64,
) -> Vec<[u64; B]> {
    assert!(chains >= 1 && chains <= B * LANES);
    let mut out = vec![[0u64; B]; n];
    let mut rngs: Vec<ChainRng> = (0..chains)
        .map(|c| stream(seed, first + c as u64, Purpose::Init))
        .collect();
    let mut m = [0u64; 64];
    for sites in out.chunks_mut(LANES) {
        for b in 0..B {
            let lanes = chains.saturating_sub(b * LANES).min(LANES);
            if lanes == 0 {
                break;
            }
            // Row k: the next word of chain 64 b + k (its sites 64 s ..); transposed, row i
            // holds site 64 s + i of every chain of the group.
            for (k, row) in m.iter_mut().enumerate() {
                *row = if k < lanes {
                    rngs[b * LANES + k].next_u64()
                } else {
                    0
                };
            }
            transpose64(&mut m);
            for (w, &row) in sites.iter_mut().zip(&m) {
                w[b] = row;
            }
        }
    }
    out
}

/// Default starts of `strips.chains` chains (`first ..`) packed in column strips of an
/// `L × L` lattice (see [`Strips`]): `L * (L / strips)` words.
pub fn uniform_strips(strips: Strips, l: usize, seed: u64, first: u64) -> Vec<u64> {
    let n = l * l;
    let words_per_chain = n.div_ceil(LANES);
    // Every chain's bits in site order, as its stream gives them.
    let bits: Vec<Vec<u64>> = (0..strips.chains)
        .into_par_iter()
        .map(|c| {
            let mut rng = stream(seed, first + c as u64, Purpose::Init);
            (0..words_per_chain).map(|_| rng.next_u64()).collect()
        })
        .collect();
    // The 64 bits of a chain from site `o` on (0 past the last site).
    let at = |chain: &[u64], o: usize| {
        let (i, s) = (o / LANES, o % LANES);
        let lo = chain.get(i).map_or(0, |&w| w >> s);
        let hi = if s == 0 {
            0
        } else {
            chain.get(i + 1).map_or(0, |&w| w << (LANES - s))
        };
        lo | hi
    };
    let w = l / strips.strips;
    let mut out = vec![0u64; l * w];
    // Word `(r, c')` holds, in lane `j chains + k`, site `(r, j w + c')` of chain `k`: for
    // 64 columns `c'` at a time, row `j chains + k` of a bit matrix is chain `k` from site
    // `(r, j w + c')` on, and its transpose is the 64 words.
    out.par_chunks_mut(w).enumerate().for_each(|(r, row)| {
        for (b, words) in row.chunks_mut(LANES).enumerate() {
            let c0 = b * LANES;
            let mut m = [0u64; 64];
            for j in 0..strips.strips {
                for (k, chain) in bits.iter().enumerate() {
                    m[j * strips.chains + k] = at(chain, r * l + j * w + c0);
                }
            }
            transpose64(&mut m);
            words.copy_from_slice(&m[..words.len()]);
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_matches_the_definition() {
        let mut rng = stream(5, 0, Purpose::Chain);
        let a: [u64; 64] = std::array::from_fn(|_| rng.next_u64());
        let mut t = a;
        transpose64(&mut t);
        for i in 0..64 {
            for j in 0..64 {
                assert_eq!(t[j] >> i & 1, a[i] >> j & 1, "({i}, {j})");
            }
        }
    }

    #[test]
    fn packed_forms_are_the_same_bits() {
        for (l, chains) in [
            (16, 1usize),
            (16, 3),
            (16, 64),
            (16, 70),
            (16, 256),
            (256, 5),
            (256, 16),
            (256, 32),
            (12, 2),
        ] {
            let n = l * l;
            let cards = vec![2u32; n];
            let x = uniform_states(&cards, chains, 9, 256);
            if chains <= LANES {
                let words = uniform_batch::<1>(n, chains, 9, 256);
                for c in 0..chains {
                    for i in 0..n {
                        assert_eq!(x[c * n + i] as u64, words[i][0] >> c & 1);
                    }
                }
            }
            let words = uniform_batch::<4>(n, chains, 9, 256);
            for c in 0..chains {
                for i in 0..n {
                    let (b, k) = (c / LANES, c % LANES);
                    assert_eq!(
                        x[c * n + i] as u64,
                        words[i][b] >> k & 1,
                        "{chains} {c} {i}"
                    );
                }
            }
            if let Some(s) = Strips::new(l, chains) {
                let words = uniform_strips(s, l, 9, 256);
                let w = l / s.strips;
                for c in 0..chains {
                    for r in 0..l {
                        for col in 0..l {
                            let bit = words[r * w + col % w] >> ((col / w) * chains + c) & 1;
                            assert_eq!(x[c * n + r * l + col] as u64, bit);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_chain_start_depends_on_its_index_only() {
        let cards = vec![3u32, 2, 5, 2, 7];
        let all = uniform_states(&cards, 10, 4, 0);
        let tail = uniform_states(&cards, 4, 4, 6);
        assert_eq!(&all[6 * 5..], &tail[..]);
        assert!(all
            .chunks(5)
            .all(|x| x.iter().zip(&cards).all(|(&v, &c)| (v as u32) < c)));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let one = pool.install(|| uniform_states(&cards, 10, 4, 0));
        assert_eq!(all, one);
    }

    #[test]
    fn binary_starts_are_the_stream_bits() {
        for n in [1usize, 63, 64, 65, 200] {
            let x = uniform_states(&vec![2u32; n], 3, 8, 5);
            for c in 0..3 {
                let mut rng = stream(8, 5 + c as u64, Purpose::Init);
                let words: Vec<u64> = (0..n.div_ceil(64)).map(|_| rng.next_u64()).collect();
                for i in 0..n {
                    assert_eq!(x[c * n + i] as u64, words[i / 64] >> (i % 64) & 1);
                }
            }
        }
    }

    #[test]
    fn binary_starts_are_uniform() {
        let n = 100;
        let x = uniform_states(&vec![2u32; n], 400, 1, 0);
        let ones: usize = x.iter().map(|&v| v as usize).sum();
        let total = x.len() as f64;
        // 5 standard deviations of a fair binomial
        assert!(
            (ones as f64 - total / 2.0).abs() < 5.0 * (total / 4.0).sqrt(),
            "{ones}"
        );
    }
}
