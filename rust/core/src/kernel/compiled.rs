//! The symmetrised random-scan operator `S = D^{1/2} K D^{-1/2}` compiled into a sparse
//! matrix stored by rows, for the eigensolvers' many products on big supports.
//!
//! Entry by entry, `S[x, y] = (1/|B|) Σ_b [y ∈ f_b(x)] √P(x) √P(y) / P(f_b(x))`. When every
//! block's fibres are small (k = 1 on binary variables: pairs) the matrix has a few
//! entries per row, and a product with it is one pass over the states that reads each
//! neighbour's row of `V` directly: no fibre lookups, no per-block partial sums. A row
//! holds the diagonal (every block's self-term folded into one number) and the other
//! entries by increasing column, each the sum of its blocks' terms in block order; so
//! `S` is symmetric bit for bit, and a product sums the same terms in the same order for
//! every column of a block, for one vector and for any number of threads.

use super::operator::Kernel;
use crate::cancel::Cancel;
use crate::error::{Error, Result};
use rayon::prelude::*;

/// Rows handled by one parallel task while compiling (polls for cancellation between).
const CHUNK: usize = 1 << 13;
/// Bytes per stored off-diagonal entry: a `u32` column and an `f64` value.
const ENTRY_BYTES: u128 = 12;

/// `S` by rows: `out[x] = diag[x] v[x] + Σ_{e in row x} value[e] v[column[e]]`.
pub(super) struct Compiled {
    pub(super) diag: Vec<f64>,
    /// Entries of row `x` are `offsets[x]..offsets[x + 1]`.
    pub(super) offsets: Vec<usize>,
    pub(super) columns: Vec<u32>,
    pub(super) values: Vec<f64>,
}

impl Compiled {
    /// Memory of the compiled form at its largest (no repeated columns merged), or `None`
    /// when it would not pay: no blocks, or some block has fibres too big to gather.
    pub(super) fn bytes_at_most(kernel: &Kernel) -> Option<u128> {
        if kernel.blocks.is_empty() || !kernel.blocks.iter().all(|b| b.gather) {
            return None;
        }
        let n = kernel.len() as u128;
        let entries: u128 = kernel
            .blocks
            .iter()
            .map(|b| b.table.square_sizes() as u128 - n)
            .sum();
        Some(entries * ENTRY_BYTES + n * 16 + 8)
    }

    /// Builds `S` from the fibres in one parallel pass over the states, polling `cancel`
    /// between chunks of rows. Each row gets room for every block's terms; rows where
    /// several blocks give the same column (overlapping blocks) come out shorter, and a
    /// last sequential pass closes the gaps they leave.
    pub(super) fn build(kernel: &Kernel, cancel: &Cancel) -> Result<Compiled> {
        let n = kernel.len();
        let scale = 1.0 / kernel.blocks.len() as f64;
        let mut room = vec![0usize; n];
        room.par_chunks_mut(CHUNK)
            .enumerate()
            .try_for_each(|(c, chunk)| {
                cancel.check()?;
                for (i, r) in chunk.iter_mut().enumerate() {
                    let x = c * CHUNK + i;
                    *r = kernel
                        .blocks
                        .iter()
                        .map(|b| b.members(b.of(x)).len() - 1)
                        .sum();
                }
                Ok::<(), Error>(())
            })?;
        let mut offsets = Vec::with_capacity(n + 1);
        let mut total = 0usize;
        offsets.push(0);
        for r in &room {
            total += r;
            offsets.push(total);
        }
        drop(room);
        let mut diag = vec![0.0; n];
        let mut lens = vec![0u32; n];
        let mut columns = vec![0u32; total];
        let mut values = vec![0.0; total];
        // Split the outputs into the chunks' disjoint pieces, then fill them in parallel.
        let mut pieces = Vec::with_capacity(n.div_ceil(CHUNK));
        let (mut d, mut ls) = (&mut diag[..], &mut lens[..]);
        let (mut cs, mut vs) = (&mut columns[..], &mut values[..]);
        for first in (0..n).step_by(CHUNK) {
            let last = (first + CHUNK).min(n);
            let len = offsets[last] - offsets[first];
            let (d0, d1) = d.split_at_mut(last - first);
            let (l0, l1) = ls.split_at_mut(last - first);
            let (c0, c1) = cs.split_at_mut(len);
            let (v0, v1) = vs.split_at_mut(len);
            pieces.push((first, d0, l0, c0, v0));
            (d, ls, cs, vs) = (d1, l1, c1, v1);
        }
        let offsets_ = &offsets;
        pieces
            .into_par_iter()
            .try_for_each_init(Vec::new, |row, (first, d, ls, cs, vs)| {
                cancel.check()?;
                for (i, (dx, lx)) in d.iter_mut().zip(ls.iter_mut()).enumerate() {
                    let (diagonal, count) = entries_of(kernel, first + i, scale, row);
                    let at = offsets_[first + i] - offsets_[first];
                    *dx = diagonal;
                    *lx = count as u32;
                    for (k, &(y, value)) in row[..count].iter().enumerate() {
                        cs[at + k] = y;
                        vs[at + k] = value;
                    }
                }
                Ok::<(), Error>(())
            })?;
        let kept: usize = lens.iter().map(|&l| l as usize).sum();
        if kept < total {
            let mut at = 0;
            for x in 0..n {
                if x % CHUNK == 0 {
                    cancel.check()?;
                }
                let (from, len) = (offsets[x], lens[x] as usize);
                columns.copy_within(from..from + len, at);
                values.copy_within(from..from + len, at);
                offsets[x] = at;
                at += len;
            }
            offsets[n] = at;
            columns.truncate(at);
            columns.shrink_to_fit();
            values.truncate(at);
            values.shrink_to_fit();
        }
        Ok(Compiled {
            diag,
            offsets,
            columns,
            values,
        })
    }

    /// `out = S V` for `V` of `m` columns, row-major `N × m`. Each entry of `out` is
    /// `diag · v` plus the row's terms in column order, whatever `m` and the threads.
    pub(super) fn product(&self, v: &[f64], m: usize, out: &mut [f64]) {
        self.product_step(v, m, out, None);
    }

    /// `out = α S V + β V + γ W` with `step = Some((α, β, W, γ))` (`W` like `V`), in the
    /// same pass as the product: a Chebyshev recurrence step without four more passes
    /// over the block. `None`: the plain product.
    pub(super) fn product_step(
        &self,
        v: &[f64],
        m: usize,
        out: &mut [f64],
        step: Option<(f64, f64, &[f64], f64)>,
    ) {
        out.par_chunks_mut(m)
            .with_min_len((4096 / m).max(64))
            .enumerate()
            .for_each(|(x, row)| {
                let (a, b) = (self.offsets[x], self.offsets[x + 1]);
                let r = Row {
                    diag: self.diag[x],
                    columns: &self.columns[a..b],
                    values: &self.values[a..b],
                    v,
                    m,
                    x,
                    step,
                };
                // Columns in tiles held in registers: one pass over the row per tile.
                let mut j = 0;
                while m - j >= 16 {
                    r.tile::<16>(j, row);
                    j += 16;
                }
                if m - j >= 8 {
                    r.tile::<8>(j, row);
                    j += 8;
                }
                if m - j >= 4 {
                    r.tile::<4>(j, row);
                    j += 4;
                }
                if m - j >= 2 {
                    r.tile::<2>(j, row);
                    j += 2;
                }
                if m - j == 1 {
                    r.tile::<1>(j, row);
                }
            });
    }
}

/// Row `x` of `S` and what it multiplies.
struct Row<'a> {
    diag: f64,
    columns: &'a [u32],
    values: &'a [f64],
    v: &'a [f64],
    m: usize,
    x: usize,
    step: Option<(f64, f64, &'a [f64], f64)>,
}

impl Row<'_> {
    /// Columns `j..j + T` of the product row.
    #[inline(always)]
    fn tile<const T: usize>(&self, j: usize, out: &mut [f64]) {
        let own = &self.v[self.x * self.m + j..][..T];
        let mut acc = [0.0; T];
        for t in 0..T {
            acc[t] = self.diag * own[t];
        }
        for (&y, &c) in self.columns.iter().zip(self.values) {
            let r = &self.v[y as usize * self.m + j..][..T];
            for t in 0..T {
                acc[t] += c * r[t];
            }
        }
        match self.step {
            None => out[j..j + T].copy_from_slice(&acc),
            Some((alpha, beta, w, gamma)) => {
                let w = &w[self.x * self.m + j..][..T];
                for t in 0..T {
                    out[j + t] = alpha * acc[t] + beta * own[t] + gamma * w[t];
                }
            }
        }
    }
}

/// Row `x` of `S`: its diagonal, and its other entries left in `row[..count]` by
/// increasing column, each the sum of its blocks' terms in block order.
fn entries_of(kernel: &Kernel, x: usize, scale: f64, row: &mut Vec<(u32, f64)>) -> (f64, usize) {
    row.clear();
    let (p, w) = (kernel.probs[x], kernel.sqrt_probs[x]);
    let mut diagonal = 0.0;
    for b in &kernel.blocks {
        let f = b.of(x);
        let inv = b.inv_mass[f];
        diagonal += p * inv;
        for &y in b.members(f) {
            if y as usize != x {
                row.push((y, w * kernel.sqrt_probs[y as usize] * inv));
            }
        }
    }
    // Stable: a column's terms stay in block order.
    row.sort_by_key(|e| e.0);
    let mut count = 0;
    for i in 0..row.len() {
        if count > 0 && row[count - 1].0 == row[i].0 {
            row[count - 1].1 += row[i].1;
        } else {
            row[count] = row[i];
            count += 1;
        }
    }
    for e in &mut row[..count] {
        e.1 *= scale;
    }
    (diagonal * scale, count)
}

impl Kernel {
    /// Compiles the symmetrised operator into a sparse matrix by rows, now, if it pays
    /// (every block's fibres small enough to gather) and fits the memory budget beside
    /// the fibre tables; `Ok(true)` if symmetric products use it from now on. Done once:
    /// later calls (and concurrent ones) return the first decision. Polls `cancel`; a
    /// cancelled build leaves nothing decided. The first symmetric product compiles
    /// anyway (without polling): call this first to make that step interruptible.
    pub fn compile_symmetric(&self, cancel: &Cancel) -> Result<bool> {
        Ok(self.symmetric_form(cancel)?.is_some())
    }

    /// Whether the compiled form has been decided on (built, or found not to pay).
    pub fn symmetric_form_ready(&self) -> bool {
        self.compiled.get().is_some()
    }

    /// The compiled operator, building it at the first call if it pays and fits.
    pub(super) fn symmetric_form(&self, cancel: &Cancel) -> Result<Option<&Compiled>> {
        if let Some(c) = self.compiled.get() {
            return Ok(c.as_ref());
        }
        let _guard = self.compiling.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = self.compiled.get() {
            return Ok(c.as_ref());
        }
        let fits = Compiled::bytes_at_most(self)
            .is_some_and(|b| self.fibre_bytes.saturating_add(b) <= self.budget);
        let form = if fits {
            Some(Compiled::build(self, cancel)?)
        } else {
            None
        };
        Ok(self.compiled.get_or_init(|| form).as_ref())
    }
}
