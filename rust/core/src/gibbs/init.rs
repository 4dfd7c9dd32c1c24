//! Default initial states, drawn in Rust in the form the engine holds them.
//!
//! A front end that asks for the default start (every variable uniform, independently)
//! should not build a `chains × n` array only to have it copied, checked and packed: on a
//! 512 × 512 lattice with 64 chains that is 16.7 M values, several times the cost of a
//! sweep. These draws write the engine's own form directly: one `u16` per site
//! ([`uniform_states`]) or, on the multi-spin path, packed bits ([`uniform_packed`]), in
//! parallel.
//!
//! Stream definition: chain `c` of a run whose start seed is `s` draws from stream
//! `(s, c, Init)`. In a binary model (every card 2) word `b` of that stream gives sites
//! `64 b .. 64 b + 63`, site `64 b + k` being bit `k` (the unused bits of the last word
//! are dropped); otherwise site `i` is `below(cards[i])`, sites in order. So a chain's
//! start is a function of `(s, c)` alone, whatever the path, the number of chains or of
//! threads: the packed forms are the same bits rearranged.

use super::multispin::{transpose64, Packing, Vector, BATCH, LANES};
use super::rng::{below, stream, Purpose};
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

/// Default starts of one multi-spin batch of an `L × L` lattice packed as `pk` (see
/// [`Packing`]): chains `first .. first + pk.chains`, `L * w` vectors. Lane `j c + k` of
/// vector `(r, c')` is site `(r, j w + c')` of chain `k`; lanes past the last are 0.
pub fn uniform_packed(pk: Packing, l: usize, seed: u64, first: u64) -> Vec<Vector> {
    let n = l * l;
    let words_per_chain = n.div_ceil(LANES);
    // Every chain's bits in site order, as its stream gives them.
    let bits: Vec<Vec<u64>> = (0..pk.chains)
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
    let (w, lanes) = (pk.width(l), pk.lanes());
    let mut out = vec![[0u64; BATCH]; l * w];
    // For 64 columns `c'` at a time and each word `b` of the vector, row `i` of a bit matrix
    // is the chain of lane `64 b + i` from its site `(r, j w + c')` on; its transpose is
    // word `b` of the 64 vectors.
    out.par_chunks_mut(w).enumerate().for_each(|(r, row)| {
        for (q, vectors) in row.chunks_mut(LANES).enumerate() {
            let c0 = q * LANES;
            for b in 0..lanes.div_ceil(LANES) {
                let mut m = [0u64; LANES];
                for (i, mi) in m.iter_mut().enumerate().take(lanes - b * LANES) {
                    let lane = b * LANES + i;
                    let (j, k) = (lane / pk.chains, lane % pk.chains);
                    *mi = at(&bits[k], r * l + j * w + c0);
                }
                transpose64(&mut m);
                for (v, &word) in vectors.iter_mut().zip(&m) {
                    v[b] = word;
                }
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let pk = Packing::new(l, chains);
            let mut want = Vec::new();
            pk.pack(l, &x, &mut want);
            assert_eq!(uniform_packed(pk, l, 9, 256), want, "{l} {chains}");
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
