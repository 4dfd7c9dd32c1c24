//! Linear algebra over GF(2) on bit-packed rows, for GF(2)-linear systems (THEORY §10).
//!
//! A vector of `n` bits is `words(n)` little-endian `u64` words: bit `j` is bit `j % 64` of
//! word `j / 64`; bits past `n` are zero. A matrix is its rows, one after the other.
//!
//! The uniform law on an affine code `x_0 + C` conserves `R = dim C − dim C_𝓑`, where
//! `C_𝓑` is spanned by the codewords supported inside some block. A codeword supported in
//! `S` is a set of columns of a parity-check matrix `H` that sums to zero, so the engines
//! here work on the columns of `H` (each column's *syndrome*):
//!
//! - [`Span`]: a basis kept fully reduced, so testing a sparse vector costs one XOR per
//!   pivot it touches;
//! - [`rref`], [`kernel`], [`transpose`]: the dense steps that turn a generator into a
//!   parity-check matrix and back;
//! - [`local_rank`]: `dim C_𝓑` block by block (the dependencies among a block's syndromes);
//! - [`low_weight_rank`]: `dim C_k` for `k <= 3` by hashing syndromes and their pair sums;
//! - [`weight_profile`]: `dim C_k` for every `k` at once for a small code, by enumerating it.

use crate::cancel::Cancel;
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::collections::HashMap;

/// Words holding `n` bits.
pub fn words(n: usize) -> usize {
    n.div_ceil(64)
}

fn bit(row: &[u64], j: usize) -> bool {
    (row[j / 64] >> (j % 64)) & 1 == 1
}

fn flip(row: &mut [u64], j: usize) {
    row[j / 64] ^= 1u64 << (j % 64);
}

fn xor_into(dst: &mut [u64], src: &[u64]) {
    for (a, b) in dst.iter_mut().zip(src) {
        *a ^= *b;
    }
}

fn lowest_bit(row: &[u64]) -> Option<usize> {
    row.iter()
        .position(|&w| w != 0)
        .map(|i| i * 64 + row[i].trailing_zeros() as usize)
}

/// Checks a flat matrix of `n`-bit rows: whole rows, and no bit set past `n`.
pub fn check_rows(data: &[u64], n: usize) -> Result<usize> {
    let w = words(n).max(1);
    if data.len() % w != 0 {
        return Err(Error::invalid(format!(
            "a matrix of {n}-bit rows needs a multiple of {w} words, got {}",
            data.len()
        )));
    }
    if n % 64 != 0 {
        let mask = !0u64 << (n % 64);
        if let Some(r) = data.chunks(w).position(|row| row[w - 1] & mask != 0) {
            return Err(Error::invalid(format!(
                "row {r} has a bit set past column {n}"
            )));
        }
    }
    Ok(data.len() / w)
}

/// A subspace of GF(2)^n held by a basis in echelon form: each basis vector has a pivot
/// (its highest set bit) that no other basis vector has as its pivot. A vector is reduced
/// by XORing in the basis vector of its highest bit while that bit is a pivot; it lies in
/// the span iff nothing is left.
///
/// Pivots are highest bits so that vectors arriving from left to right (blocks along a
/// chain, pairs `(first, j)` with growing `j`) reduce in a few steps and are stored as
/// they come; [`Span::into_rref`] reduces fully once at the end.
#[derive(Debug, Clone)]
pub struct Span {
    n: usize,
    w: usize,
    rows: Vec<u64>,
    pivots: Vec<usize>,
    /// A word at or below the first non-zero word of each basis vector (XORs start there;
    /// they end at the pivot's word).
    lo: Vec<usize>,
    /// Basis vector whose pivot is column `j`, or `u32::MAX`.
    row_of: Vec<u32>,
}

impl Span {
    pub fn new(n: usize) -> Self {
        Span {
            n,
            w: words(n).max(1),
            rows: Vec::new(),
            pivots: Vec::new(),
            lo: Vec::new(),
            row_of: vec![u32::MAX; n],
        }
    }

    pub fn rank(&self) -> usize {
        self.pivots.len()
    }

    /// Reduces `v` until its highest bit is no pivot; returns that bit (None: `v` is 0).
    fn reduce(&self, v: &mut [u64]) -> Option<usize> {
        let w = self.w;
        let mut top = v.iter().rposition(|&x| x != 0)?;
        loop {
            let t = top * 64 + 63 - v[top].leading_zeros() as usize;
            let r = self.row_of[t];
            if r == u32::MAX {
                return Some(t);
            }
            let r = r as usize;
            let lo = self.lo[r];
            xor_into(&mut v[lo..=top], &self.rows[r * w + lo..r * w + top + 1]);
            top = v[..=top].iter().rposition(|&x| x != 0)?;
        }
    }

    /// Adds `v` to the span; returns whether the rank grew.
    pub fn insert(&mut self, v: &[u64]) -> bool {
        let mut v = v.to_vec();
        let q = match self.reduce(&mut v) {
            Some(q) => q,
            None => return false,
        };
        let lo = v.iter().position(|&x| x != 0).unwrap_or(0);
        self.row_of[q] = self.pivots.len() as u32;
        self.pivots.push(q);
        self.lo.push(lo);
        self.rows.extend_from_slice(&v);
        true
    }

    /// Whether `v` lies in the span.
    pub fn contains(&self, v: &[u64]) -> bool {
        let mut v = v.to_vec();
        self.reduce(&mut v).is_none()
    }

    /// Adds the vector with ones at `cols` (columns below `n`).
    pub fn insert_sparse(&mut self, cols: &[usize]) -> bool {
        let mut v = vec![0u64; self.w];
        for &c in cols {
            flip(&mut v, c);
        }
        self.insert(&v)
    }

    /// The reduced row echelon form of the span (each row's last one is its pivot, and is
    /// zero in every other row; rows sorted by pivot), canonical for the subspace; and the
    /// pivots.
    pub fn into_rref(mut self) -> (Vec<u64>, Vec<usize>) {
        let w = self.w;
        let mut order: Vec<usize> = (0..self.pivots.len()).collect();
        order.sort_by_key(|&r| self.pivots[r]);
        // Rows in order of pivot: the rows below are fully reduced already, so XORing one
        // in clears its pivot and sets no other pivot bit.
        for &r in &order {
            let p = self.pivots[r];
            let mut row = self.rows[r * w..(r + 1) * w].to_vec();
            for i in 0..=p / 64 {
                let mut word = row[i];
                if i == p / 64 {
                    word &= (1u64 << (p % 64)).wrapping_sub(1);
                }
                while word != 0 {
                    let b = word.trailing_zeros() as usize;
                    word &= word - 1;
                    let s = self.row_of[i * 64 + b];
                    if s != u32::MAX {
                        let s = s as usize;
                        let lo = self.lo[s];
                        let top = self.pivots[s] / 64;
                        xor_into(&mut row[lo..=top], &self.rows[s * w + lo..s * w + top + 1]);
                        self.lo[r] = self.lo[r].min(lo);
                    }
                }
            }
            self.rows[r * w..(r + 1) * w].copy_from_slice(&row);
        }
        let mut out = Vec::with_capacity(self.rows.len());
        for &r in &order {
            out.extend_from_slice(&self.rows[r * w..(r + 1) * w]);
        }
        (out, order.iter().map(|&r| self.pivots[r]).collect())
    }

    pub fn n(&self) -> usize {
        self.n
    }
}

/// The rows of a matrix in order of their last set bit (left to right: cheap for [`Span`]).
fn by_last_bit(data: &[u64], n: usize) -> Vec<&[u64]> {
    let mut rows: Vec<&[u64]> = data.chunks(words(n).max(1)).collect();
    rows.sort_by_key(|r| {
        r.iter()
            .rposition(|&x| x != 0)
            .map(|t| (t, 64 - r[t].leading_zeros()))
    });
    rows
}

/// Reduced row echelon form of the rows of `data` (`n` bits each): the basis of their span
/// with each pivot (a row's last set bit) zero in every other row; and the pivots.
pub fn rref(data: &[u64], n: usize) -> Result<(Vec<u64>, Vec<usize>)> {
    check_rows(data, n)?;
    let mut span = Span::new(n);
    for row in by_last_bit(data, n) {
        span.insert(row);
    }
    Ok(span.into_rref())
}

/// Rank of the rows of `data`.
pub fn rank(data: &[u64], n: usize) -> Result<usize> {
    check_rows(data, n)?;
    let mut span = Span::new(n);
    for row in by_last_bit(data, n) {
        span.insert(row);
    }
    Ok(span.rank())
}

/// A basis of `{x : M x = 0}` for the matrix `M` with rows `data` (`n` columns): one
/// vector per free column of the echelon form. The kernel of a generator matrix is a
/// parity-check matrix of its code, and the other way round.
pub fn kernel(data: &[u64], n: usize) -> Result<Vec<u64>> {
    let (rows, pivots) = rref(data, n)?;
    let w = words(n).max(1);
    let mut is_pivot = vec![false; n];
    for &p in &pivots {
        is_pivot[p] = true;
    }
    let free: Vec<usize> = (0..n).filter(|&j| !is_pivot[j]).collect();
    let mut out = vec![0u64; free.len() * w];
    out.par_chunks_mut(w)
        .zip(free.par_iter())
        .for_each(|(x, &f)| {
            flip(x, f);
            for (i, &p) in pivots.iter().enumerate() {
                if bit(&rows[i * w..(i + 1) * w], f) {
                    flip(x, p);
                }
            }
        });
    Ok(out)
}

/// The transpose of an `r × n` matrix: `n` rows of `r` bits.
pub fn transpose(data: &[u64], n: usize) -> Result<Vec<u64>> {
    let r = check_rows(data, n)?;
    let w = words(n).max(1);
    let wt = words(r).max(1);
    let mut out = vec![0u64; n * wt];
    out.par_chunks_mut(wt).enumerate().for_each(|(j, col)| {
        for i in 0..r {
            if bit(&data[i * w..(i + 1) * w], j) {
                flip(col, i);
            }
        }
    });
    Ok(out)
}

/// Bases of the codewords supported inside `block`: the dependencies among the block's
/// syndromes (`cols` holds one `m`-bit syndrome per column of `H`), each as the list of
/// the block's columns it sums.
pub fn block_codewords(cols: &[u64], m: usize, block: &[usize]) -> Vec<Vec<usize>> {
    let hw = words(m).max(1);
    let b = block.len();
    let cw = words(b).max(1);
    let mut basis: Vec<(usize, Vec<u64>, Vec<u64>)> = Vec::new();
    let mut found = Vec::new();
    for (i, &c) in block.iter().enumerate() {
        let mut s = cols[c * hw..(c + 1) * hw].to_vec();
        let mut comb = vec![0u64; cw];
        flip(&mut comb, i);
        for (p, bs, bc) in &basis {
            if bit(&s, *p) {
                xor_into(&mut s, bs);
                xor_into(&mut comb, bc);
            }
        }
        match lowest_bit(&s) {
            Some(p) => basis.push((p, s, comb)),
            None => found.push(
                (0..b)
                    .filter(|&t| bit(&comb, t))
                    .map(|t| block[t])
                    .collect(),
            ),
        }
    }
    found
}

fn check_cols(cols: &[u64], n: usize, m: usize) -> Result<()> {
    let hw = words(m).max(1);
    if cols.len() != n * hw {
        return Err(Error::invalid(format!(
            "the syndromes of {n} columns with {m} checks need {} words, got {}",
            n * hw,
            cols.len()
        )));
    }
    Ok(())
}

/// `dim C_𝓑`: the dimension of the span of the codewords supported inside some block,
/// for the code with parity-check columns `cols` (`n` columns, `m` checks). Blocks are
/// `members[starts[b]..starts[b + 1]]`. Stops early once the span reaches `target`
/// (the code's dimension).
pub fn local_rank(
    cols: &[u64],
    n: usize,
    m: usize,
    members: &[u32],
    starts: &[usize],
    target: usize,
    cancel: &Cancel,
) -> Result<usize> {
    check_cols(cols, n, m)?;
    if let Some(&j) = members.iter().find(|&&j| j as usize >= n) {
        return Err(Error::invalid(format!(
            "block member {j} out of range for {n} variables"
        )));
    }
    if starts.windows(2).any(|s| s[0] > s[1]) || starts.last().is_some_and(|&e| e > members.len()) {
        return Err(Error::invalid(
            "block starts must be non-decreasing offsets into members",
        ));
    }
    let mut span = Span::new(n);
    let blocks = starts.len().saturating_sub(1);
    // Blocks are searched in parallel in batches; the span grows serially.
    let batch = 4096;
    let mut b0 = 0;
    while b0 < blocks && span.rank() < target {
        cancel.check()?;
        let b1 = (b0 + batch).min(blocks);
        let found: Vec<Vec<Vec<usize>>> = (b0..b1)
            .into_par_iter()
            .map(|b| {
                let block: Vec<usize> = members[starts[b]..starts[b + 1]]
                    .iter()
                    .map(|&j| j as usize)
                    .collect();
                block_codewords(cols, m, &block)
            })
            .collect();
        for cw in found.iter().flatten() {
            span.insert_sparse(cw);
            if span.rank() >= target {
                break;
            }
        }
        b0 = b1;
    }
    Ok(span.rank())
}

/// `dim C_k` for `k <= 3`: the span of the codewords of weight at most `k`, found by
/// hashing syndromes. Weight 1: zero columns. Weight 2: equal columns (each class is
/// joined to its first member). Weight 3: modulo those, three distinct classes whose
/// syndromes sum to zero; the pair sums are looked up in the table of classes.
pub fn low_weight_rank(
    cols: &[u64],
    n: usize,
    m: usize,
    k: usize,
    target: usize,
    cancel: &Cancel,
) -> Result<usize> {
    check_cols(cols, n, m)?;
    if k > 3 {
        return Err(Error::invalid(format!(
            "low_weight_rank serves k <= 3, got {k}"
        )));
    }
    let hw = words(m).max(1);
    let col = |j: usize| &cols[j * hw..(j + 1) * hw];
    let mut span = Span::new(n);
    if k == 0 {
        return Ok(0);
    }
    let mut classes: HashMap<&[u64], usize> = HashMap::new();
    let mut reps: Vec<usize> = Vec::new();
    for j in 0..n {
        let s = col(j);
        if s.iter().all(|&x| x == 0) {
            span.insert_sparse(&[j]);
            continue;
        }
        match classes.get(s) {
            Some(&c) if k >= 2 => {
                span.insert_sparse(&[reps[c], j]);
            }
            Some(_) => {}
            None => {
                classes.insert(s, reps.len());
                reps.push(j);
            }
        }
        if span.rank() >= target {
            return Ok(span.rank());
        }
    }
    if k == 3 {
        cancel.check()?;
        let found: Vec<Vec<(usize, usize, usize)>> = (0..reps.len())
            .into_par_iter()
            .with_min_len(16)
            .map(|a| {
                let mut sum = vec![0u64; hw];
                let mut out = Vec::new();
                for b in a + 1..reps.len() {
                    for (t, (x, y)) in sum.iter_mut().zip(col(reps[a]).iter().zip(col(reps[b]))) {
                        *t = x ^ y;
                    }
                    if let Some(&c) = classes.get(sum.as_slice()) {
                        if c > b {
                            out.push((reps[a], reps[b], reps[c]));
                        }
                    }
                }
                out
            })
            .collect();
        for (t, (a, b, c)) in found.into_iter().flatten().enumerate() {
            if t % 65536 == 0 {
                cancel.check()?;
            }
            span.insert_sparse(&[a, b, c]);
            if span.rank() >= target {
                break;
            }
        }
    }
    Ok(span.rank())
}

/// Largest code dimension [`weight_profile`] enumerates.
pub const MAX_PROFILE_DIM: usize = 26;

/// `dim C_k` for every `k = 0..=n`, for the code spanned by the rows of `gen` (a basis):
/// every codeword is enumerated (Gray code), and the codewords are added to a span in
/// order of weight.
pub fn weight_profile(gen: &[u64], n: usize, cancel: &Cancel) -> Result<Vec<usize>> {
    let d = check_rows(gen, n)?;
    if d > MAX_PROFILE_DIM {
        return Err(Error::TooLarge {
            what: format!("enumerating the 2^{d} codewords of a code of dimension {d}"),
            bytes: (1u128 << d) * 8,
        });
    }
    let w = words(n).max(1);
    let total = 1usize << d;
    // Weight of the codeword with Gray index g (codeword = XOR of the rows of its bits).
    let mut weights = vec![0u32; total];
    let mut cur = vec![0u64; w];
    for (g, weight) in weights.iter_mut().enumerate().skip(1) {
        if g % (1 << 20) == 0 {
            cancel.check()?;
        }
        let r = g.trailing_zeros() as usize;
        xor_into(&mut cur, &gen[r * w..(r + 1) * w]);
        *weight = cur.iter().map(|x| x.count_ones()).sum();
    }
    let mut order: Vec<usize> = (1..total).collect();
    order.sort_by_key(|&g| weights[g]);
    let mut span = Span::new(n);
    let mut profile = vec![0usize; n + 1];
    let mut idx = 0;
    for (k, slot) in profile.iter_mut().enumerate() {
        while idx < order.len() && weights[order[idx]] as usize <= k && span.rank() < d {
            let g = order[idx];
            // The codeword of Gray index g is the sum of the rows of the bits of g ^ (g >> 1).
            let u = g ^ (g >> 1);
            let mut v = vec![0u64; w];
            for r in 0..d {
                if (u >> r) & 1 == 1 {
                    xor_into(&mut v, &gen[r * w..(r + 1) * w]);
                }
            }
            span.insert(&v);
            idx += 1;
        }
        *slot = span.rank();
    }
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vec_of(n: usize, bits: &[usize]) -> Vec<u64> {
        let mut v = vec![0u64; words(n).max(1)];
        for &b in bits {
            flip(&mut v, b);
        }
        v
    }

    #[test]
    fn span_rank_and_membership() {
        let mut s = Span::new(130);
        assert!(s.insert(&vec_of(130, &[0, 1])));
        assert!(s.insert(&vec_of(130, &[1, 129])));
        assert!(!s.insert(&vec_of(130, &[0, 129])));
        assert!(s.contains(&vec_of(130, &[0, 1])));
        assert!(!s.contains(&vec_of(130, &[2])));
        assert_eq!(s.rank(), 2);
    }

    #[test]
    fn kernel_of_repetition_is_even_weight() {
        let n = 70;
        let ones = vec_of(n, &(0..n).collect::<Vec<_>>());
        let h = kernel(&ones, n).unwrap();
        assert_eq!(h.len() / words(n), n - 1);
        // Every kernel vector has even weight; the kernel of the kernel is the ones vector.
        for row in h.chunks(words(n)) {
            assert_eq!(row.iter().map(|x| x.count_ones()).sum::<u32>() % 2, 0);
        }
        let g = kernel(&h, n).unwrap();
        assert_eq!(g, ones);
    }

    #[test]
    fn hamming_7_4_values() {
        // Parity-check columns 1..7 in binary; R_1 = R_2 = 4, R_3 = 0.
        let (n, m) = (7, 3);
        let cols: Vec<u64> = (1..=7u64).collect();
        assert_eq!(
            low_weight_rank(&cols, n, m, 2, 4, Cancel::never()).unwrap(),
            0
        );
        assert_eq!(
            low_weight_rank(&cols, n, m, 3, 4, Cancel::never()).unwrap(),
            4
        );
        let all: Vec<u32> = (0..7).collect();
        assert_eq!(
            local_rank(&cols, n, m, &all, &[0, 7], 4, Cancel::never()).unwrap(),
            4
        );
    }

    #[test]
    fn even_weight_chain_blocks() {
        // One check on every bit: every pair is a codeword; chain blocks of size 2 span it.
        let n = 200;
        let cols = vec![1u64; n];
        let members: Vec<u32> = (0..n as u32 - 1).flat_map(|i| [i, i + 1]).collect();
        let starts: Vec<usize> = (0..n).map(|b| 2 * b).collect();
        assert_eq!(
            local_rank(&cols, n, 1, &members, &starts, n - 1, Cancel::never()).unwrap(),
            n - 1
        );
        assert_eq!(
            low_weight_rank(&cols, n, 1, 1, n - 1, Cancel::never()).unwrap(),
            0
        );
        assert_eq!(
            low_weight_rank(&cols, n, 1, 2, n - 1, Cancel::never()).unwrap(),
            n - 1
        );
    }

    #[test]
    fn profile_of_repetition() {
        let n = 5;
        let ones = vec_of(n, &[0, 1, 2, 3, 4]);
        assert_eq!(
            weight_profile(&ones, n, Cancel::never()).unwrap(),
            vec![0, 0, 0, 0, 0, 1]
        );
    }

    #[test]
    fn bad_rows_refused() {
        assert!(check_rows(&[1u64 << 10], 5).is_err());
        assert!(rref(&[0u64; 4], 130).is_err());
    }
}
