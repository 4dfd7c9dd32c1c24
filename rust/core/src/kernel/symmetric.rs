//! The symmetrised random-scan operator `S = D^{1/2} K D^{-1/2}` on blocks of vectors:
//! what block eigensolvers (LOBPCG) multiply by, many times, on big supports.

use super::disjoint::Disjoint;
use super::operator::Kernel;
use crate::cancel::Cancel;
use crate::error::{Error, Result};
use rayon::prelude::*;

impl Kernel {
    /// `D^{1/2} K D^{-1/2} V` for a block `V` of `m` columns, row-major `N × m` (state `x`'s
    /// `m` values are adjacent, so one fibre lookup serves every column). Column `j` of the
    /// result equals `apply_symmetric` of column `j` exactly: every entry is the same sums
    /// in the same order (blocks in order, fibre members in support order), whatever the
    /// number of threads. Block solvers (LOBPCG) need this to find repeated eigenvalues.
    pub fn apply_symmetric_block(&self, v: &[f64], m: usize) -> Result<Vec<f64>> {
        let mut out = vec![0.0; v.len()];
        self.apply_symmetric_block_into(v, m, &mut out)?;
        Ok(out)
    }

    /// `S^power V` into `out` (`N × m`, row-major, like `v`), with `work` (same size) as
    /// the ping-pong scratch when `power > 1`. Nothing is allocated per call for blocks
    /// with small fibres, which is what keeps iterative solvers on big supports from
    /// spending their time in page faults; every product is the one `apply_symmetric_block`
    /// computes, so the result is that applied `power` times, bit for bit.
    pub fn apply_symmetric_power_into(
        &self,
        v: &[f64],
        m: usize,
        power: usize,
        out: &mut [f64],
        work: &mut [f64],
    ) -> Result<()> {
        if power == 0 {
            return Err(Error::invalid("power must be >= 1"));
        }
        if power > 1 && work.len() != v.len() {
            return Err(Error::invalid(format!(
                "the scratch block has {} values, the block {}",
                work.len(),
                v.len()
            )));
        }
        // Land the last product in `out`: odd powers start there, even ones in `work`.
        let (mut a, mut b) = if power % 2 == 1 {
            (out, work)
        } else {
            (work, out)
        };
        self.apply_symmetric_block_into(v, m, a)?;
        for _ in 1..power {
            self.apply_symmetric_block_into(a, m, b)?;
            std::mem::swap(&mut a, &mut b);
        }
        Ok(())
    }

    /// `apply_symmetric_block` written into `out` (`N × m`, row-major).
    ///
    /// When every block's fibres are small the operator is compiled once, at the first
    /// product, into a sparse matrix by rows (see [`Kernel::compile_symmetric`]), and a
    /// product is one pass over its rows. Otherwise it goes through the fibres: blocks
    /// whose fibres are small (k = 1 on binary variables: pairs) are applied by *gathering*: one pass over the states adds, for a run of consecutive such blocks,
    /// each fibre's sum to its member's row, reading the fibre's rows where they lie. That
    /// touches `v` once per block (mostly in cache, the partners of a state lie at fixed
    /// strides) and `out` once per run, not twice per block. Blocks with big fibres are
    /// scattered: one pass over their fibres, each summed once and added to its members.
    /// Both add the same terms in the same order (blocks in order, members in support
    /// order), so the result does not depend on the mode or on the number of threads.
    pub fn apply_symmetric_block_into(&self, v: &[f64], m: usize, out: &mut [f64]) -> Result<()> {
        let n = self.len();
        if m == 0 || v.len() != n * m {
            return Err(Error::invalid(format!(
                "a block of {} values is not {n} states x {m} columns (m >= 1)",
                v.len()
            )));
        }
        if out.len() != v.len() {
            return Err(Error::invalid(format!(
                "the output block has {} values, the input {}",
                out.len(),
                v.len()
            )));
        }
        if self.blocks.is_empty() {
            out.copy_from_slice(v);
            return Ok(());
        }
        if let Some(c) = self.symmetric_form(Cancel::never())? {
            c.product(v, m, out);
            return Ok(());
        }
        self.block_by_fibres(v, m, out);
        Ok(())
    }

    /// One step of a Chebyshev recurrence on a block: `out = α S V + β V + γ W` (`V`, `W`,
    /// `out`: `N × m`, row-major). On the compiled operator the combination is made in the
    /// product's own pass; otherwise after it. Deterministic whatever the threads.
    pub fn chebyshev_step_into(
        &self,
        v: &[f64],
        w: &[f64],
        m: usize,
        (alpha, beta, gamma): (f64, f64, f64),
        out: &mut [f64],
    ) -> Result<()> {
        if w.len() != v.len() {
            return Err(Error::invalid(format!(
                "the previous block has {} values, the block {}",
                w.len(),
                v.len()
            )));
        }
        if let (false, Some(c)) = (
            self.blocks.is_empty(),
            self.symmetric_form(Cancel::never())?,
        ) {
            if m == 0 || v.len() != self.len() * m || out.len() != v.len() {
                return self.apply_symmetric_block_into(v, m, out); // names what is wrong
            }
            c.product_step(v, m, out, Some((alpha, beta, w, gamma)));
            return Ok(());
        }
        self.apply_symmetric_block_into(v, m, out)?;
        out.par_iter_mut()
            .zip(v.par_iter().zip(w.par_iter()))
            .with_min_len(4096)
            .for_each(|(o, (a, b))| *o = alpha * *o + beta * a + gamma * b);
        Ok(())
    }

    /// `apply_symmetric_block_into` through the fibres, gathering or scattering.
    pub(super) fn block_by_fibres(&self, v: &[f64], m: usize, out: &mut [f64]) {
        let root = &self.sqrt_probs;
        let scale = 1.0 / self.blocks.len() as f64;
        let nb = self.blocks.len();
        let mut first = 0;
        while first < nb {
            let gather = self.blocks[first].gather;
            let mut last = first + 1;
            while gather && last < nb && self.blocks[last].gather {
                last += 1;
            }
            let (start, finish) = (first == 0, last == nb);
            if gather {
                let run = &self.blocks[first..last];
                out.par_chunks_mut(m)
                    .with_min_len(512)
                    .enumerate()
                    .for_each_init(
                        || vec![0.0; 2 * m],
                        |buf, (x, row)| {
                            let (acc, s) = buf.split_at_mut(m);
                            if start {
                                acc.fill(0.0);
                            } else {
                                acc.copy_from_slice(row);
                            }
                            for b in run {
                                let f = b.of(x);
                                s.fill(0.0);
                                for &y in b.members(f) {
                                    let (y, w) = (y as usize, root[y as usize]);
                                    s.iter_mut()
                                        .zip(&v[y * m..(y + 1) * m])
                                        .for_each(|(a, r)| *a += r * w);
                                }
                                let inv = b.inv_mass[f];
                                acc.iter_mut()
                                    .zip(s.iter())
                                    .for_each(|(a, t)| *a += *t * inv);
                            }
                            if finish {
                                let w = root[x];
                                row.iter_mut()
                                    .zip(acc.iter())
                                    .for_each(|(o, a)| *o = *a * scale * w);
                            } else {
                                row.copy_from_slice(acc);
                            }
                        },
                    );
            } else {
                let b = &self.blocks[first];
                if start {
                    out.par_iter_mut().with_min_len(4096).for_each(|o| *o = 0.0);
                }
                let target = Disjoint::new(out);
                (0..b.count())
                    .into_par_iter()
                    .with_min_len(64)
                    .for_each_init(
                        || vec![0.0; m],
                        |s, f| {
                            let members = b.members(f);
                            s.fill(0.0);
                            for &y in members {
                                let (y, w) = (y as usize, root[y as usize]);
                                s.iter_mut()
                                    .zip(&v[y * m..(y + 1) * m])
                                    .for_each(|(a, r)| *a += r * w);
                            }
                            let inv = b.inv_mass[f];
                            s.iter_mut().for_each(|a| *a *= inv);
                            for &y in members {
                                for (j, a) in s.iter().enumerate() {
                                    let i = y as usize * m + j;
                                    // SAFETY: fibres partition the support, so row `y` belongs
                                    // to this fibre only and no other task touches it; `i` is
                                    // in bounds since `out` has `N × m` entries.
                                    unsafe { target.add(i, *a) };
                                }
                            }
                        },
                    );
                if finish {
                    out.par_chunks_mut(m)
                        .with_min_len(1024)
                        .enumerate()
                        .for_each(|(x, row)| {
                            let w = root[x];
                            row.iter_mut().for_each(|o| *o = *o * scale * w);
                        });
                }
            }
            first = last;
        }
    }
}
