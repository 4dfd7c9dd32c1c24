//! The block-resampling kernel on a support, and finite-time information (THEORY §4).
//!
//! `Π_B` redraws the variables of block `B` from `P(X_B | X_{-B})`, so it moves a state
//! only inside its fibre and lands on `y` with probability `P(y) / P(fibre)`. Every use of
//! the kernel is therefore the same aggregation over fibres,
//!
//! ```text
//! out(x) = w_out(x) · Σ_{y in fibre(x)} w_in(y) v(y) / P(fibre(x)),
//! ```
//!
//! with weights chosen by what `v` is: a distribution (`w_in = 1`, `w_out = P`), a function
//! (`w_in = P`, `w_out = 1`) or a vector of the symmetrised operator `D^{1/2} K D^{-1/2}`
//! (`w_in = w_out = √P`). Random scan averages the blocks; systematic scan applies them one
//! after the other in the given order.
//!
//! Surviving information `I_T = Σ_x P(x) KL(K^T(x, .) || P)` propagates `δ_x` through all
//! requested `T` in one pass, several start states at once (lanes share each fibre lookup),
//! in parallel over groups of start states. Every start state's values are computed alone
//! and summed in a fixed order, so results do not depend on the number of threads.

use crate::error::{Error, Result};
use crate::fibres::FibreFinder;
use crate::support::Support;
use rayon::prelude::*;

/// How one step uses the blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// Draw a block uniformly at random: `K = (1/|B|) Σ_B Π_B`.
    Random,
    /// One pass over the blocks in the given order: `K = Π_{B_1} Π_{B_2} ... Π_{B_m}`.
    Systematic,
}

/// Start states propagated together; they share every fibre lookup.
const LANES: usize = 8;

/// The fibres of one block, with their masses.
struct Fibres {
    /// `fibre[s]`: fibre of support state `s`, numbered `0..m` by first appearance.
    fibre: Vec<u32>,
    /// Members of fibre `f` are `members[offsets[f]..offsets[f + 1]]`, in support order.
    offsets: Vec<u32>,
    members: Vec<u32>,
    /// `1 / P(fibre)`.
    inv_mass: Vec<f64>,
    /// Whether the fibres are small enough to be applied by gathering: a state reads its
    /// whole fibre, so the work is `Σ_f |f|²`, kept within `GATHER_MAX` per state.
    gather: bool,
}

/// Largest `Σ_f |f|² / N` (mean fibre size seen from a state) applied by gathering.
const GATHER_MAX: usize = 4;

impl Fibres {
    fn new(rep: &[u32], probs: &[f64]) -> Fibres {
        let n = rep.len();
        let mut id_of_rep = vec![u32::MAX; n];
        let mut fibre = vec![0u32; n];
        let mut m = 0u32;
        for s in 0..n {
            let r = rep[s] as usize;
            if id_of_rep[r] == u32::MAX {
                id_of_rep[r] = m;
                m += 1;
            }
            fibre[s] = id_of_rep[r];
        }
        // Counting sort of the states by fibre, keeping support order inside each fibre.
        let mut offsets = vec![0u32; m as usize + 1];
        for &f in &fibre {
            offsets[f as usize + 1] += 1;
        }
        for f in 0..m as usize {
            offsets[f + 1] += offsets[f];
        }
        let mut fill = offsets.clone();
        let mut members = vec![0u32; n];
        for (s, &f) in fibre.iter().enumerate() {
            members[fill[f as usize] as usize] = s as u32;
            fill[f as usize] += 1;
        }
        let inv_mass = (0..m as usize)
            .map(|f| {
                let mass: f64 = members[offsets[f] as usize..offsets[f + 1] as usize]
                    .iter()
                    .map(|&y| probs[y as usize])
                    .sum();
                1.0 / mass
            })
            .collect();
        let square: usize = offsets
            .windows(2)
            .map(|w| ((w[1] - w[0]) as usize).pow(2))
            .sum();
        let gather = square <= GATHER_MAX * n;
        Fibres {
            fibre,
            offsets,
            members,
            inv_mass,
            gather,
        }
    }

    fn count(&self) -> usize {
        self.inv_mass.len()
    }
}

/// The resampling kernel of a block family on a support with probabilities `probs`.
pub struct Kernel {
    probs: Vec<f64>,
    sqrt_probs: Vec<f64>,
    ln_probs: Vec<f64>,
    blocks: Vec<Fibres>,
}

impl Kernel {
    /// Precomputes every block's fibres. Refuses with `TooLarge` when the fibre tables
    /// would exceed `budget_bytes`.
    pub fn new(
        support: &Support,
        probs: &[f64],
        blocks: &[Vec<usize>],
        budget_bytes: u128,
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
            let rep = finder.representatives(b)?;
            fibres.push(Fibres::new(&rep, probs));
        }
        Ok(Kernel {
            probs: probs.to_vec(),
            sqrt_probs: probs.iter().map(|p| p.sqrt()).collect(),
            ln_probs: probs.iter().map(|p| p.ln()).collect(),
            blocks: fibres,
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
        &self.blocks[b].fibre
    }
    /// Number of fibres of each block.
    pub fn fibre_counts(&self) -> Vec<usize> {
        self.blocks.iter().map(Fibres::count).collect()
    }

    fn check_vector(&self, v: &[f64], what: &str) -> Result<()> {
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
        let target = Disjoint(out.as_mut_ptr());
        (0..b.count())
            .into_par_iter()
            .with_min_len(1024)
            .for_each(|f| {
                let m = &b.members[b.offsets[f] as usize..b.offsets[f + 1] as usize];
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
                                let m =
                                    &b.members[b.offsets[f] as usize..b.offsets[f + 1] as usize];
                                m.iter().map(|&y| u[y as usize]).sum::<f64>() * b.inv_mass[f]
                            })
                            .collect()
                    })
                    .collect();
                let scale = 1.0 / self.blocks.len() as f64;
                (0..v.len())
                    .into_par_iter()
                    .with_min_len(4096)
                    .map(|x| {
                        let total: f64 = self
                            .blocks
                            .iter()
                            .zip(&sums)
                            .map(|(b, a)| a[b.fibre[x] as usize])
                            .sum();
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
    /// `u / √P` of `K`.
    pub fn apply_symmetric(&self, v: &[f64]) -> Result<Vec<f64>> {
        self.check_vector(v, "the vector")?;
        let w = Some(self.sqrt_probs.as_slice());
        Ok(self.step(Scan::Random, v, w, w, true))
    }

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
    /// Blocks whose fibres are small (k = 1 on binary variables: pairs) are applied by
    /// *gathering*: one pass over the states adds, for a run of consecutive such blocks,
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
                                let f = b.fibre[x] as usize;
                                s.fill(0.0);
                                for &y in
                                    &b.members[b.offsets[f] as usize..b.offsets[f + 1] as usize]
                                {
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
                let target = Disjoint(out.as_mut_ptr());
                (0..b.count())
                    .into_par_iter()
                    .with_min_len(64)
                    .for_each_init(
                        || vec![0.0; m],
                        |s, f| {
                            let members =
                                &b.members[b.offsets[f] as usize..b.offsets[f + 1] as usize];
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
        Ok(())
    }

    /// The dense kernel, row-major: `K[x * N + y] = K(x, y)`. Refused over the budget.
    pub fn dense(&self, scan: Scan, budget_bytes: u128) -> Result<Vec<f64>> {
        let n = self.len();
        check_dense(n, budget_bytes)?;
        let mut out = vec![0.0; n * n];
        out.par_chunks_mut(n * LANES)
            .enumerate()
            .for_each(|(g, rows)| {
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
            });
        Ok(out)
    }

    /// The dense symmetrised random-scan kernel `S = D^{1/2} K D^{-1/2}`, row-major,
    /// written straight from the fibres: `S(x, y) = √(P(x) P(y)) / P(fibre)` averaged over
    /// the blocks whose fibre holds both. Refused over the budget.
    pub fn dense_symmetric(&self, budget_bytes: u128) -> Result<Vec<f64>> {
        let n = self.len();
        check_dense(n, budget_bytes)?;
        let mut out = vec![0.0; n * n];
        if self.blocks.is_empty() {
            out.iter_mut().step_by(n + 1).for_each(|d| *d = 1.0);
            return Ok(out);
        }
        let scale = 1.0 / self.blocks.len() as f64;
        out.par_chunks_mut(n).enumerate().for_each(|(x, row)| {
            for b in &self.blocks {
                let f = b.fibre[x] as usize;
                let w = self.sqrt_probs[x] * b.inv_mass[f] * scale;
                for &y in &b.members[b.offsets[f] as usize..b.offsets[f + 1] as usize] {
                    row[y as usize] += w * self.sqrt_probs[y as usize];
                }
            }
        });
        Ok(out)
    }

    /// One step for every lane: `μ_j ← μ_j K` (sequential; callers run lanes in parallel).
    fn lanes_step(&self, scan: Scan, lanes: &mut Lanes) {
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
                        let f = b.fibre[y] as usize;
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
                        let f = b.fibre[y] as usize;
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
    /// increasing), row-major `starts × steps`. Each start is a support position.
    pub fn kl_from_starts(
        &self,
        scan: Scan,
        starts: &[u32],
        steps: &[u64],
        budget_bytes: u128,
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
            |lanes, first, used| {
                lanes.start_at(&starts[first..first + used]);
            },
        )
    }

    /// `KL(μ_i K^T || P)` in nats for start laws `laws` (row-major, one law of length N
    /// per row, each summing to 1) and every `T` in `steps`.
    pub fn kl_from_laws(
        &self,
        scan: Scan,
        laws: &[f64],
        steps: &[u64],
        budget_bytes: u128,
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
        self.kl_lanes(scan, count, steps, budget_bytes, |lanes, first, used| {
            lanes.start_with(&laws[first * n..(first + used) * n], used);
        })
    }

    fn kl_lanes(
        &self,
        scan: Scan,
        count: usize,
        steps: &[u64],
        budget_bytes: u128,
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
        out.par_chunks_mut(LANES * width).enumerate().for_each_init(
            || Lanes::new(n),
            |lanes, (g, rows)| {
                let first = g * LANES;
                let used = rows.len() / width;
                init(lanes, first, used);
                let mut kl = [0.0f64; LANES];
                let mut t = 0u64;
                for (i, &target) in steps.iter().enumerate() {
                    while t < target {
                        self.lanes_step(scan, lanes);
                        t += 1;
                    }
                    self.lanes_kl(lanes, used, &mut kl);
                    for j in 0..used {
                        rows[j * width + i] = kl[j];
                    }
                }
            },
        );
        Ok(out)
    }
}

/// `out` shared by tasks that write disjoint positions (one fibre each).
struct Disjoint(*mut f64);
// SAFETY: only used where every position is written by one task (fibres partition the
// support).
unsafe impl Sync for Disjoint {}
unsafe impl Send for Disjoint {}

impl Disjoint {
    /// # Safety
    /// `i` is in bounds and no other thread accesses position `i` concurrently.
    unsafe fn write(&self, i: usize, value: f64) {
        *self.0.add(i) = value;
    }

    /// # Safety
    /// As for `write`.
    unsafe fn add(&self, i: usize, value: f64) {
        *self.0.add(i) += value;
    }
}

/// Scratch for `LANES` vectors over the support, interleaved state-major
/// (`cur[y * LANES + j]`) so one fibre lookup serves every lane.
struct Lanes {
    cur: Vec<f64>,
    next: Vec<f64>,
    acc: Vec<f64>,
}

impl Lanes {
    fn new(n: usize) -> Lanes {
        Lanes {
            cur: vec![0.0; n * LANES],
            next: vec![0.0; n * LANES],
            acc: vec![0.0; n * LANES],
        }
    }

    fn start_at(&mut self, starts: &[u32]) {
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
        for (y, &f) in b.fibre.iter().enumerate() {
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
) -> Result<Vec<f64>> {
    let starts: Vec<u32> = (0..kernel.len() as u32).collect();
    let kl = kernel.kl_from_starts(scan, &starts, steps, budget_bytes)?;
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
) -> Result<Vec<f64>> {
    if weights.len() * kernel.len() != laws.len() {
        return Err(Error::invalid(format!(
            "{} weights given for {} laws",
            weights.len(),
            laws.len() / kernel.len().max(1)
        )));
    }
    let kl = kernel.kl_from_laws(scan, laws, steps, budget_bytes)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: u128 = 1 << 30;

    /// Dense reference: K built entry by entry from the definition.
    fn dense_reference(
        cards: &[u32],
        codes: &[u64],
        probs: &[f64],
        blocks: &[Vec<usize>],
        scan: Scan,
    ) -> Vec<Vec<f64>> {
        let n = codes.len();
        let digits = |c: u64| {
            let mut out = vec![];
            let mut c = c;
            for &k in cards {
                out.push(c % k as u64);
                c /= k as u64;
            }
            out
        };
        let pi = |b: &Vec<usize>| {
            let same = |x: usize, y: usize| {
                let (dx, dy) = (digits(codes[x]), digits(codes[y]));
                (0..cards.len()).all(|i| b.contains(&i) || dx[i] == dy[i])
            };
            let mut m = vec![vec![0.0; n]; n];
            for x in 0..n {
                let mass: f64 = (0..n).filter(|&y| same(x, y)).map(|y| probs[y]).sum();
                for y in 0..n {
                    if same(x, y) {
                        m[x][y] = probs[y] / mass;
                    }
                }
            }
            m
        };
        let mul = |a: &Vec<Vec<f64>>, b: &Vec<Vec<f64>>| {
            (0..n)
                .map(|i| {
                    (0..n)
                        .map(|j| (0..n).map(|k| a[i][k] * b[k][j]).sum())
                        .collect()
                })
                .collect::<Vec<Vec<f64>>>()
        };
        let mut k = vec![vec![0.0; n]; n];
        match scan {
            Scan::Random => {
                for b in blocks {
                    let p = pi(b);
                    for x in 0..n {
                        for y in 0..n {
                            k[x][y] += p[x][y] / blocks.len() as f64;
                        }
                    }
                }
            }
            Scan::Systematic => {
                for x in 0..n {
                    k[x][x] = 1.0;
                }
                for b in blocks {
                    k = mul(&k, &pi(b));
                }
            }
        }
        k
    }

    fn example() -> (Vec<u32>, Vec<u64>, Vec<f64>, Vec<Vec<usize>>) {
        let cards = vec![2u32, 3, 2];
        let codes: Vec<u64> = vec![0, 1, 3, 4, 6, 7, 9, 10, 11];
        let raw: Vec<f64> = (0..codes.len()).map(|i| 1.0 + (i * 7 % 5) as f64).collect();
        let total: f64 = raw.iter().sum();
        let probs = raw.iter().map(|p| p / total).collect();
        (cards, codes, probs, vec![vec![0], vec![1, 2], vec![0, 2]])
    }

    #[test]
    fn dense_kernel_matches_the_definition() {
        let (cards, codes, probs, blocks) = example();
        let s = Support::from_codes(&cards, &codes).unwrap();
        let k = Kernel::new(&s, &probs, &blocks, BUDGET).unwrap();
        for scan in [Scan::Random, Scan::Systematic] {
            let want = dense_reference(&cards, &codes, &probs, &blocks, scan);
            let got = k.dense(scan, BUDGET).unwrap();
            let n = codes.len();
            for x in 0..n {
                for y in 0..n {
                    assert!(
                        (got[x * n + y] - want[x][y]).abs() < 1e-12,
                        "{scan:?} {x} {y}"
                    );
                }
            }
            // Propagating a distribution and applying to a function use the same matrix.
            let mu: Vec<f64> = (0..n).map(|i| (i as f64 + 1.0) / 45.0).collect();
            let f: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
            let mk = k.propagate(scan, &mu).unwrap();
            let kf = k.apply(scan, &f).unwrap();
            for y in 0..n {
                let a: f64 = (0..n).map(|x| mu[x] * want[x][y]).sum();
                assert!((mk[y] - a).abs() < 1e-12);
                let b: f64 = (0..n).map(|x| want[y][x] * f[x]).sum();
                assert!((kf[y] - b).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn symmetrised_operator_is_symmetric_and_fixes_root_p() {
        let (cards, codes, probs, blocks) = example();
        let s = Support::from_codes(&cards, &codes).unwrap();
        let k = Kernel::new(&s, &probs, &blocks, BUDGET).unwrap();
        let n = codes.len();
        let cols: Vec<Vec<f64>> = (0..n)
            .map(|j| {
                k.apply_symmetric(&(0..n).map(|i| (i == j) as u8 as f64).collect::<Vec<_>>())
                    .unwrap()
            })
            .collect();
        for i in 0..n {
            for j in 0..n {
                assert!((cols[j][i] - cols[i][j]).abs() < 1e-14);
            }
        }
        let dense = k.dense_symmetric(BUDGET).unwrap();
        for i in 0..n {
            for j in 0..n {
                assert!((dense[i * n + j] - cols[j][i]).abs() < 1e-15);
            }
        }
        let root: Vec<f64> = probs.iter().map(|p| p.sqrt()).collect();
        let image = k.apply_symmetric(&root).unwrap();
        for i in 0..n {
            assert!((image[i] - root[i]).abs() < 1e-14);
        }
    }

    #[test]
    fn block_apply_equals_column_by_column() {
        let (cards, codes, probs, blocks) = example();
        let s = Support::from_codes(&cards, &codes).unwrap();
        let k = Kernel::new(&s, &probs, &blocks, BUDGET).unwrap();
        let n = codes.len();
        let m = 3;
        let v: Vec<f64> = (0..n * m).map(|i| ((i * 7 + 3) as f64).sin()).collect();
        let got = k.apply_symmetric_block(&v, m).unwrap();
        for j in 0..m {
            let col: Vec<f64> = (0..n).map(|x| v[x * m + j]).collect();
            let want = k.apply_symmetric(&col).unwrap();
            for x in 0..n {
                assert_eq!(got[x * m + j], want[x], "state {x} column {j}");
            }
        }
        assert!(k.apply_symmetric_block(&v, 2).is_err());
        assert!(k.apply_symmetric_block(&[], 0).is_err());
        // The example mixes both modes: gathered, scattered, gathered.
        let modes: Vec<bool> = k.blocks.iter().map(|b| b.gather).collect();
        assert_eq!(modes, vec![true, false, true]);
    }

    #[test]
    fn fused_powers_equal_repeated_products() {
        let (cards, codes, probs, blocks) = example();
        let s = Support::from_codes(&cards, &codes).unwrap();
        let n = codes.len();
        let m = 2;
        let v: Vec<f64> = (0..n * m).map(|i| ((i * 5 + 1) as f64).cos()).collect();
        // Every block alone too: a run that starts or ends with either mode.
        let families = [
            blocks.clone(),
            vec![blocks[1].clone()],
            vec![blocks[1].clone(), blocks[0].clone()],
        ];
        for family in families {
            let k = Kernel::new(&s, &probs, &family, BUDGET).unwrap();
            for power in 1..=4 {
                let mut want = v.clone();
                for _ in 0..power {
                    want = k.apply_symmetric_block(&want, m).unwrap();
                }
                // Rubbish in the buffers must not matter.
                let (mut out, mut work) = (vec![7.0; n * m], vec![-3.0; n * m]);
                k.apply_symmetric_power_into(&v, m, power, &mut out, &mut work)
                    .unwrap();
                assert_eq!(out, want, "power {power}");
                for j in 0..m {
                    let mut col: Vec<f64> = (0..n).map(|x| v[x * m + j]).collect();
                    for _ in 0..power {
                        col = k.apply_symmetric(&col).unwrap();
                    }
                    assert!((0..n).all(|x| out[x * m + j] == col[x]));
                }
            }
            let mut out = vec![0.0; n * m];
            assert!(k
                .apply_symmetric_power_into(&v, m, 0, &mut out, &mut [])
                .is_err());
            assert!(k
                .apply_symmetric_power_into(&v, m, 2, &mut out, &mut [0.0; 3])
                .is_err());
            assert!(k.apply_symmetric_block_into(&v, m, &mut [0.0; 3]).is_err());
        }
    }

    #[test]
    fn surviving_information_matches_dense_powers() {
        let (cards, codes, probs, blocks) = example();
        let s = Support::from_codes(&cards, &codes).unwrap();
        let k = Kernel::new(&s, &probs, &blocks, BUDGET).unwrap();
        let n = codes.len();
        let steps = [0u64, 1, 2, 5];
        for scan in [Scan::Random, Scan::Systematic] {
            let kk = dense_reference(&cards, &codes, &probs, &blocks, scan);
            let got = surviving_information(&k, scan, &steps, BUDGET).unwrap();
            let mut power: Vec<Vec<f64>> = (0..n)
                .map(|i| (0..n).map(|j| (i == j) as u8 as f64).collect())
                .collect();
            let mut t = 0;
            for (i, &target) in steps.iter().enumerate() {
                while t < target {
                    power = (0..n)
                        .map(|a| {
                            (0..n)
                                .map(|b| (0..n).map(|c| power[a][c] * kk[c][b]).sum())
                                .collect()
                        })
                        .collect();
                    t += 1;
                }
                let want: f64 = (0..n)
                    .map(|x| {
                        probs[x]
                            * (0..n)
                                .filter(|&y| power[x][y] > 0.0)
                                .map(|y| power[x][y] * (power[x][y] / probs[y]).ln())
                                .sum::<f64>()
                    })
                    .sum();
                assert!(
                    (got[i] - want).abs() < 1e-12,
                    "{scan:?} T={target}: {} vs {want}",
                    got[i]
                );
            }
            // I_0 = H(X).
            let h: f64 = -probs.iter().map(|p| p * p.ln()).sum::<f64>();
            assert!((got[0] - h).abs() < 1e-12);
        }
    }

    #[test]
    fn start_laws_of_point_masses_match_start_states() {
        let (cards, codes, probs, blocks) = example();
        let s = Support::from_codes(&cards, &codes).unwrap();
        let k = Kernel::new(&s, &probs, &blocks, BUDGET).unwrap();
        let n = codes.len();
        let starts = [3u32, 0, 8];
        let mut laws = vec![0.0; 3 * n];
        for (i, &x) in starts.iter().enumerate() {
            laws[i * n + x as usize] = 1.0;
        }
        let steps = [1u64, 4];
        let a = k
            .kl_from_starts(Scan::Random, &starts, &steps, BUDGET)
            .unwrap();
        let b = k.kl_from_laws(Scan::Random, &laws, &steps, BUDGET).unwrap();
        assert_eq!(a, b);
        // Starting from P itself there is nothing to learn.
        let none =
            latent_information(&k, Scan::Systematic, &probs, &[1.0], &steps, BUDGET).unwrap();
        assert!(none.iter().all(|v| v.abs() < 1e-12));
    }

    #[test]
    fn bad_input_and_budgets_are_refused() {
        let (cards, codes, probs, blocks) = example();
        let s = Support::from_codes(&cards, &codes).unwrap();
        assert!(Kernel::new(&s, &probs[1..], &blocks, BUDGET).is_err());
        let mut bad = probs.clone();
        bad[2] = 0.0;
        assert!(Kernel::new(&s, &bad, &blocks, BUDGET).is_err());
        assert!(matches!(
            Kernel::new(&s, &probs, &blocks, 10),
            Err(Error::TooLarge { .. })
        ));
        let k = Kernel::new(&s, &probs, &blocks, BUDGET).unwrap();
        assert!(k.kl_from_starts(Scan::Random, &[99], &[1], BUDGET).is_err());
        assert!(k
            .kl_from_starts(Scan::Random, &[0], &[2, 1], BUDGET)
            .is_err());
        assert!(matches!(
            k.kl_from_starts(Scan::Random, &[0], &[1], 100),
            Err(Error::TooLarge { .. })
        ));
        assert!(matches!(
            k.dense(Scan::Random, 100),
            Err(Error::TooLarge { .. })
        ));
        assert!(k
            .kl_from_laws(Scan::Random, &[0.5; 9], &[1], BUDGET)
            .is_err());
        assert!(k.propagate(Scan::Random, &[1.0]).is_err());
    }

    #[test]
    fn no_blocks_means_no_move() {
        let (cards, codes, probs, _) = example();
        let s = Support::from_codes(&cards, &codes).unwrap();
        let k = Kernel::new(&s, &probs, &[], BUDGET).unwrap();
        let got = surviving_information(&k, Scan::Random, &[0, 3], BUDGET).unwrap();
        assert!((got[0] - got[1]).abs() < 1e-15);
    }
}
