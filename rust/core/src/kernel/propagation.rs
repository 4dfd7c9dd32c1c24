//! Finite-time information (THEORY §4): laws propagated along the chain and their KL
//! divergence from `P`, several start laws at once (lanes share each fibre lookup).

use super::operator::{Fibres, Kernel};
use crate::cancel::Cancel;
use crate::error::{Error, Result};
use crate::scan::Scan;
use rayon::prelude::*;

/// Start states propagated together; they share every fibre lookup.
pub(super) const LANES: usize = 8;

impl Kernel {
    /// One step for every lane: `μ_j ← μ_j K` (sequential; callers run lanes in parallel).
    pub(super) fn lanes_step(&self, scan: Scan, lanes: &mut Lanes) {
        if self.blocks.is_empty() {
            return;
        }
        match scan {
            Scan::Random => {
                lanes.next.iter_mut().for_each(|v| *v = 0.0);
                let scale = 1.0 / self.blocks.len() as f64;
                for b in &self.blocks {
                    lanes.aggregate(b);
                    for y in 0..self.len() {
                        let f = b.of(y);
                        let w = self.probs[y] * b.inv_mass[f] * scale;
                        let a = &lanes.acc[f * LANES..(f + 1) * LANES];
                        let o = &mut lanes.next[y * LANES..(y + 1) * LANES];
                        for j in 0..LANES {
                            o[j] += w * a[j];
                        }
                    }
                }
                std::mem::swap(&mut lanes.cur, &mut lanes.next);
            }
            Scan::Systematic => {
                for b in &self.blocks {
                    lanes.aggregate(b);
                    for y in 0..self.len() {
                        let f = b.of(y);
                        let w = self.probs[y] * b.inv_mass[f];
                        let a = &lanes.acc[f * LANES..(f + 1) * LANES];
                        let o = &mut lanes.cur[y * LANES..(y + 1) * LANES];
                        for j in 0..LANES {
                            o[j] = w * a[j];
                        }
                    }
                }
            }
        }
    }

    /// `KL(μ_j || P)` in nats for each of the first `used` lanes.
    fn lanes_kl(&self, lanes: &Lanes, used: usize, out: &mut [f64]) {
        let mut kl = [0.0f64; LANES];
        for y in 0..self.len() {
            let mu = &lanes.cur[y * LANES..(y + 1) * LANES];
            for j in 0..used {
                let m = mu[j];
                if m > 0.0 {
                    kl[j] += m * (m.ln() - self.ln_probs[y]);
                }
            }
        }
        // A law equal to P can round to a tiny negative divergence.
        for j in 0..used {
            out[j] = kl[j].max(0.0);
        }
    }

    /// `KL(start_i K^T || P)` in nats for every start and every `T` in `steps` (strictly
    /// increasing), row-major `starts × steps`. Each start is a support position. Polls
    /// `cancel` at every step.
    pub fn kl_from_starts(
        &self,
        scan: Scan,
        starts: &[u32],
        steps: &[u64],
        budget_bytes: u128,
        cancel: &Cancel,
    ) -> Result<Vec<f64>> {
        if let Some(&s) = starts.iter().find(|&&s| s as usize >= self.len()) {
            return Err(Error::invalid(format!(
                "start state {s} is outside the support of {} states",
                self.len()
            )));
        }
        self.kl_lanes(
            scan,
            starts.len(),
            steps,
            budget_bytes,
            cancel,
            |lanes, first, used| {
                lanes.start_at(&starts[first..first + used]);
            },
        )
    }

    /// `KL(μ_i K^T || P)` in nats for start laws `laws` (row-major, one law of length N
    /// per row, each summing to 1) and every `T` in `steps`. Polls `cancel` at every step.
    pub fn kl_from_laws(
        &self,
        scan: Scan,
        laws: &[f64],
        steps: &[u64],
        budget_bytes: u128,
        cancel: &Cancel,
    ) -> Result<Vec<f64>> {
        let n = self.len();
        if laws.len() % n != 0 {
            return Err(Error::invalid(format!(
                "{} values cannot be split into laws over {n} states",
                laws.len()
            )));
        }
        let count = laws.len() / n;
        for i in 0..count {
            let law = &laws[i * n..(i + 1) * n];
            if let Some(y) = law.iter().position(|&m| !(m.is_finite() && m >= 0.0)) {
                return Err(Error::invalid(format!(
                    "law {i} has entry {} at state {y}; entries must be finite and >= 0",
                    law[y]
                )));
            }
            let total: f64 = law.iter().sum();
            if (total - 1.0).abs() > 1e-9 {
                return Err(Error::invalid(format!("law {i} sums to {total}, not 1")));
            }
        }
        self.kl_lanes(
            scan,
            count,
            steps,
            budget_bytes,
            cancel,
            |lanes, first, used| {
                lanes.start_with(&laws[first * n..(first + used) * n], used);
            },
        )
    }

    fn kl_lanes(
        &self,
        scan: Scan,
        count: usize,
        steps: &[u64],
        budget_bytes: u128,
        cancel: &Cancel,
        init: impl Fn(&mut Lanes, usize, usize) + Sync,
    ) -> Result<Vec<f64>> {
        if steps.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::invalid("steps must be strictly increasing"));
        }
        let n = self.len();
        let workers = rayon::current_num_threads() as u128;
        // Each worker holds three N × LANES scratch arrays; the result is count × steps.
        let bytes = workers * 3 * (n as u128) * (LANES as u128) * 8
            + (count as u128) * (steps.len() as u128) * 8;
        if bytes > budget_bytes {
            return Err(Error::TooLarge {
                what: format!(
                    "propagating {count} start laws over {n} states at {} times",
                    steps.len()
                ),
                bytes,
            });
        }
        let width = steps.len();
        let mut out = vec![0.0; count * width];
        if width == 0 || count == 0 {
            return Ok(out);
        }
        out.par_chunks_mut(LANES * width)
            .enumerate()
            .try_for_each_init(
                || Lanes::new(n),
                |lanes, (g, rows)| -> Result<()> {
                    let first = g * LANES;
                    let used = rows.len() / width;
                    init(lanes, first, used);
                    let mut kl = [0.0f64; LANES];
                    let mut t = 0u64;
                    for (i, &target) in steps.iter().enumerate() {
                        while t < target {
                            // One step is O(N · blocks): polling per step is free next to it.
                            cancel.check()?;
                            self.lanes_step(scan, lanes);
                            t += 1;
                        }
                        self.lanes_kl(lanes, used, &mut kl);
                        for j in 0..used {
                            rows[j * width + i] = kl[j];
                        }
                    }
                    Ok(())
                },
            )?;
        Ok(out)
    }
}

/// Scratch for `LANES` vectors over the support, interleaved state-major
/// (`cur[y * LANES + j]`) so one fibre lookup serves every lane.
pub(super) struct Lanes {
    pub(super) cur: Vec<f64>,
    next: Vec<f64>,
    acc: Vec<f64>,
}

impl Lanes {
    pub(super) fn new(n: usize) -> Lanes {
        Lanes {
            cur: vec![0.0; n * LANES],
            next: vec![0.0; n * LANES],
            acc: vec![0.0; n * LANES],
        }
    }

    pub(super) fn start_at(&mut self, starts: &[u32]) {
        self.cur.iter_mut().for_each(|v| *v = 0.0);
        for (j, &s) in starts.iter().enumerate() {
            self.cur[s as usize * LANES + j] = 1.0;
        }
    }

    fn start_with(&mut self, laws: &[f64], used: usize) {
        let n = self.cur.len() / LANES;
        self.cur.iter_mut().for_each(|v| *v = 0.0);
        for j in 0..used {
            for y in 0..n {
                self.cur[y * LANES + j] = laws[j * n + y];
            }
        }
    }

    /// `acc[f] = Σ_{y in f} cur[y]` for every lane.
    fn aggregate(&mut self, b: &Fibres) {
        let acc = &mut self.acc[..b.count() * LANES];
        acc.iter_mut().for_each(|v| *v = 0.0);
        for (y, &f) in b.table.fibre.iter().enumerate() {
            let src = &self.cur[y * LANES..(y + 1) * LANES];
            let dst = &mut acc[f as usize * LANES..(f as usize + 1) * LANES];
            for j in 0..LANES {
                dst[j] += src[j];
            }
        }
    }
}

/// `I_T = Σ_x P(x) KL(K^T(x, .) || P)` in nats for every `T` in `steps`, exactly: every
/// support state is a start.
pub fn surviving_information(
    kernel: &Kernel,
    scan: Scan,
    steps: &[u64],
    budget_bytes: u128,
    cancel: &Cancel,
) -> Result<Vec<f64>> {
    let starts: Vec<u32> = (0..kernel.len() as u32).collect();
    let kl = kernel.kl_from_starts(scan, &starts, steps, budget_bytes, cancel)?;
    Ok(weighted_sum(&kl, &kernel.probs, steps.len()))
}

/// `I(Λ; X^T) = Σ_λ P(λ) KL(P(.|λ) K^T || P)` in nats, for start laws `P(. | λ)` (rows of
/// `laws`) with weights `P(λ)`.
pub fn latent_information(
    kernel: &Kernel,
    scan: Scan,
    laws: &[f64],
    weights: &[f64],
    steps: &[u64],
    budget_bytes: u128,
    cancel: &Cancel,
) -> Result<Vec<f64>> {
    if weights.len() * kernel.len() != laws.len() {
        return Err(Error::invalid(format!(
            "{} weights given for {} laws",
            weights.len(),
            laws.len() / kernel.len().max(1)
        )));
    }
    let kl = kernel.kl_from_laws(scan, laws, steps, budget_bytes, cancel)?;
    Ok(weighted_sum(&kl, weights, steps.len()))
}

/// `Σ_i w_i kl[i, t]` in row order (independent of the number of threads).
fn weighted_sum(kl: &[f64], weights: &[f64], width: usize) -> Vec<f64> {
    let mut total = vec![0.0; width];
    for (row, &w) in kl.chunks(width.max(1)).zip(weights) {
        for (t, &v) in total.iter_mut().zip(row) {
            *t += w * v;
        }
    }
    total
}
