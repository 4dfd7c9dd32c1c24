//! The kernel itself: one block's fibres with their masses, and one step of the chain on
//! a distribution, a function or a vector of the symmetrised operator.

use super::compiled::Compiled;
use super::disjoint::Disjoint;
use crate::cancel::Cancel;
use crate::error::{Error, Result};
use crate::scan::Scan;
use crate::support::{FibreFinder, FibreTable, Support};
use rayon::prelude::*;
use std::sync::{Mutex, OnceLock};

/// The fibres of one block (from [`FibreFinder`]) with their masses.
pub(super) struct Fibres {
    pub(super) table: FibreTable,
    /// `1 / P(fibre)`.
    pub(super) inv_mass: Vec<f64>,
    /// Whether the fibres are small enough to be applied by gathering: a state reads its
    /// whole fibre, so the work is `Σ_f |f|²`, kept within `GATHER_MAX` per state.
    pub(super) gather: bool,
}

/// Largest `Σ_f |f|² / N` (mean fibre size seen from a state) applied by gathering.
const GATHER_MAX: usize = 4;

impl Fibres {
    fn new(table: FibreTable, probs: &[f64]) -> Fibres {
        let inv_mass = (0..table.count())
            .map(|f| {
                let mass: f64 = table.members_of(f).iter().map(|&y| probs[y as usize]).sum();
                1.0 / mass
            })
            .collect();
        let gather = table.square_sizes() <= GATHER_MAX * probs.len();
        Fibres {
            table,
            inv_mass,
            gather,
        }
    }

    pub(super) fn count(&self) -> usize {
        self.inv_mass.len()
    }

    /// Fibre of support state `x`.
    #[inline]
    pub(super) fn of(&self, x: usize) -> usize {
        self.table.fibre[x] as usize
    }

    #[inline]
    pub(super) fn members(&self, f: usize) -> &[u32] {
        self.table.members_of(f)
    }
}

/// The resampling kernel of a block family on a support with probabilities `probs`.
pub struct Kernel {
    pub(super) probs: Vec<f64>,
    pub(super) sqrt_probs: Vec<f64>,
    pub(super) ln_probs: Vec<f64>,
    pub(super) blocks: Vec<Fibres>,
    /// Memory the kernel may use, and what its fibre tables take of it.
    pub(super) budget: u128,
    pub(super) fibre_bytes: u128,
    /// The symmetrised operator as a sparse matrix, made at the first symmetric product:
    /// `None` when it would not pay or not fit (products then go through the fibres).
    pub(super) compiled: OnceLock<Option<Compiled>>,
    /// Held while compiling, so that concurrent first products build it once.
    pub(super) compiling: Mutex<()>,
}

impl Kernel {
    /// Precomputes every block's fibres. Refuses with `TooLarge` when the fibre tables
    /// would exceed `budget_bytes`; polls `cancel` between blocks.
    pub fn new(
        support: &Support,
        probs: &[f64],
        blocks: &[Vec<usize>],
        budget_bytes: u128,
        cancel: &Cancel,
    ) -> Result<Kernel> {
        let n = support.len();
        if probs.len() != n {
            return Err(Error::invalid(format!(
                "{} probabilities given for a support of {n} states",
                probs.len()
            )));
        }
        if let Some(i) = probs.iter().position(|&p| !(p.is_finite() && p > 0.0)) {
            return Err(Error::invalid(format!(
                "probability {} at position {i} is not a finite number > 0",
                probs[i]
            )));
        }
        for b in blocks {
            support.check_block(b)?;
        }
        // fibre + members + offsets + inv_mass, at most one fibre per state.
        let bytes = (n as u128) * (blocks.len() as u128) * 20 + (n as u128) * 24;
        if bytes > budget_bytes {
            return Err(Error::TooLarge {
                what: format!("the fibres of {} blocks on {n} states", blocks.len()),
                bytes,
            });
        }
        let finder = FibreFinder::new(support);
        let mut fibres = Vec::with_capacity(blocks.len());
        for b in blocks {
            cancel.check()?;
            fibres.push(Fibres::new(finder.table(b)?, probs));
        }
        Ok(Kernel {
            probs: probs.to_vec(),
            sqrt_probs: probs.iter().map(|p| p.sqrt()).collect(),
            ln_probs: probs.iter().map(|p| p.ln()).collect(),
            blocks: fibres,
            budget: budget_bytes,
            fibre_bytes: bytes,
            compiled: OnceLock::new(),
            compiling: Mutex::new(()),
        })
    }

    /// Number of support states.
    pub fn len(&self) -> usize {
        self.probs.len()
    }
    pub fn is_empty(&self) -> bool {
        self.probs.is_empty()
    }
    pub fn n_blocks(&self) -> usize {
        self.blocks.len()
    }
    /// Fibre of each state for block `b` (numbered by first appearance).
    pub fn fibre_ids(&self, b: usize) -> &[u32] {
        &self.blocks[b].table.fibre
    }
    /// Number of fibres of each block.
    pub fn fibre_counts(&self) -> Vec<usize> {
        self.blocks.iter().map(Fibres::count).collect()
    }

    pub(super) fn check_vector(&self, v: &[f64], what: &str) -> Result<()> {
        if v.len() != self.len() {
            return Err(Error::invalid(format!(
                "{what} has {} entries for a support of {} states",
                v.len(),
                self.len()
            )));
        }
        Ok(())
    }

    /// `out(x) = w_out(x) Σ_{y ~ x} w_in(y) v(y) / P(fibre)` for one block: one parallel
    /// pass over the fibres, each summing its members in a fixed order, then writing them.
    fn block_apply(
        &self,
        b: &Fibres,
        v: &[f64],
        w_in: Option<&[f64]>,
        w_out: Option<&[f64]>,
        out: &mut [f64],
    ) {
        let target = Disjoint::new(out);
        (0..b.count())
            .into_par_iter()
            .with_min_len(1024)
            .for_each(|f| {
                let m = b.members(f);
                let s: f64 = match w_in {
                    Some(w) => m.iter().map(|&y| w[y as usize] * v[y as usize]).sum(),
                    None => m.iter().map(|&y| v[y as usize]).sum(),
                };
                let a = s * b.inv_mass[f];
                for &y in m {
                    let value = a * w_out.map_or(1.0, |w| w[y as usize]);
                    // SAFETY: fibres partition the support, so `y` belongs to this fibre
                    // only and no other task touches `out[y]`; `y < out.len()` because
                    // `out` has one entry per support state.
                    unsafe { target.write(y as usize, value) };
                }
            });
    }

    /// One step of the chain with the given weights. A systematic pass runs the blocks
    /// forward for distributions and backward for functions (`Kf = Π_1 (Π_2 (... f))`).
    fn step(
        &self,
        scan: Scan,
        v: &[f64],
        w_in: Option<&[f64]>,
        w_out: Option<&[f64]>,
        forward: bool,
    ) -> Vec<f64> {
        if self.blocks.is_empty() {
            return v.to_vec();
        }
        match scan {
            Scan::Random => {
                // Every block's fibre sums first, then one pass that writes each state
                // once: about half the memory traffic of adding block by block.
                let u: Vec<f64> = match w_in {
                    Some(w) => v.par_iter().zip(w).map(|(a, b)| a * b).collect(),
                    None => v.to_vec(),
                };
                let sums: Vec<Vec<f64>> = self
                    .blocks
                    .iter()
                    .map(|b| {
                        (0..b.count())
                            .into_par_iter()
                            .with_min_len(4096)
                            .map(|f| {
                                b.members(f).iter().map(|&y| u[y as usize]).sum::<f64>()
                                    * b.inv_mass[f]
                            })
                            .collect()
                    })
                    .collect();
                let scale = 1.0 / self.blocks.len() as f64;
                (0..v.len())
                    .into_par_iter()
                    .with_min_len(4096)
                    .map(|x| {
                        let total: f64 =
                            self.blocks.iter().zip(&sums).map(|(b, a)| a[b.of(x)]).sum();
                        total * scale * w_out.map_or(1.0, |w| w[x])
                    })
                    .collect()
            }
            Scan::Systematic => {
                let mut cur = v.to_vec();
                let mut next = vec![0.0; v.len()];
                let mut apply = |b: &Fibres| {
                    self.block_apply(b, &cur, w_in, w_out, &mut next);
                    std::mem::swap(&mut cur, &mut next);
                };
                if forward {
                    self.blocks.iter().for_each(&mut apply);
                } else {
                    self.blocks.iter().rev().for_each(&mut apply);
                }
                cur
            }
        }
    }

    /// `μK` for a row vector `μ` (a distribution, or any signed measure).
    pub fn propagate(&self, scan: Scan, mu: &[f64]) -> Result<Vec<f64>> {
        self.check_vector(mu, "the distribution")?;
        Ok(self.step(scan, mu, None, Some(&self.probs), true))
    }

    /// `Kf` for a function `f` on the support: `(Kf)(x) = E[f(X^1) | X^0 = x]`.
    pub fn apply(&self, scan: Scan, f: &[f64]) -> Result<Vec<f64>> {
        self.check_vector(f, "the function")?;
        Ok(self.step(scan, f, Some(&self.probs), None, false))
    }

    /// `D^{1/2} K D^{-1/2} v` for the random-scan kernel: a symmetric operator with the
    /// spectrum of `K` (reversibility), whose eigenvector `u` gives the eigenfunction
    /// `u / √P` of `K`. Computed like one column of `apply_symmetric_block`, bit for bit
    /// (by the compiled matrix when there is one, see [`Kernel::compile_symmetric`]).
    pub fn apply_symmetric(&self, v: &[f64]) -> Result<Vec<f64>> {
        self.check_vector(v, "the vector")?;
        if let Some(c) = self.symmetric_form(Cancel::never())? {
            let mut out = vec![0.0; v.len()];
            c.product(v, 1, &mut out);
            return Ok(out);
        }
        let w = Some(self.sqrt_probs.as_slice());
        Ok(self.step(Scan::Random, v, w, w, true))
    }
}
