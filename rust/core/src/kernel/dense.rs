//! The kernel as a dense matrix, for small supports (full spectra, exact powers).

use super::operator::Kernel;
use super::propagation::{Lanes, LANES};
use crate::cancel::Cancel;
use crate::error::{Error, Result};
use crate::scan::Scan;
use rayon::prelude::*;

impl Kernel {
    /// The dense kernel, row-major: `K[x * N + y] = K(x, y)`. Refused over the budget;
    /// polls `cancel` every `LANES` rows.
    pub fn dense(&self, scan: Scan, budget_bytes: u128, cancel: &Cancel) -> Result<Vec<f64>> {
        let n = self.len();
        check_dense(n, budget_bytes)?;
        let mut out = vec![0.0; n * n];
        out.par_chunks_mut(n * LANES)
            .enumerate()
            .try_for_each(|(g, rows)| {
                cancel.check()?;
                let starts: Vec<u32> = (g * LANES..(g * LANES + rows.len() / n))
                    .map(|x| x as u32)
                    .collect();
                let mut lanes = Lanes::new(n);
                lanes.start_at(&starts);
                self.lanes_step(scan, &mut lanes);
                for (j, row) in rows.chunks_mut(n).enumerate() {
                    for (y, r) in row.iter_mut().enumerate() {
                        *r = lanes.cur[y * LANES + j];
                    }
                }
                Ok(())
            })?;
        Ok(out)
    }

    /// The dense symmetrised random-scan kernel `S = D^{1/2} K D^{-1/2}`, row-major,
    /// written straight from the fibres: `S(x, y) = √(P(x) P(y)) / P(fibre)` averaged over
    /// the blocks whose fibre holds both. Refused over the budget; polls `cancel` per row.
    pub fn dense_symmetric(&self, budget_bytes: u128, cancel: &Cancel) -> Result<Vec<f64>> {
        let n = self.len();
        check_dense(n, budget_bytes)?;
        let mut out = vec![0.0; n * n];
        if self.blocks.is_empty() {
            out.iter_mut().step_by(n + 1).for_each(|d| *d = 1.0);
            return Ok(out);
        }
        let scale = 1.0 / self.blocks.len() as f64;
        out.par_chunks_mut(n).enumerate().try_for_each(|(x, row)| {
            cancel.check()?;
            for b in &self.blocks {
                let f = b.of(x);
                let w = self.sqrt_probs[x] * b.inv_mass[f] * scale;
                for &y in b.members(f) {
                    row[y as usize] += w * self.sqrt_probs[y as usize];
                }
            }
            Ok(())
        })?;
        Ok(out)
    }
}

/// Refuses a dense `n x n` matrix of `f64` over the budget, before it is allocated.
fn check_dense(n: usize, budget_bytes: u128) -> Result<()> {
    let bytes = (n as u128) * (n as u128) * 8;
    if bytes > budget_bytes {
        return Err(Error::TooLarge {
            what: format!("a dense {n} x {n} kernel"),
            bytes,
        });
    }
    Ok(())
}
