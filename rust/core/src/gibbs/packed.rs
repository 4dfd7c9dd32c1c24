//! Multi-spin chains held packed between calls, started from the default start.
//!
//! [`Chains`](super::Chains) keeps `u16` states and packs them into words for every call
//! of `advance` on the multi-spin path; started from given states that is the right form.
//! A run from the default start needs no `u16` states at all until someone reads them:
//! [`PackedChains`] draws the packed words directly ([`super::init`]), advances them with
//! the same multi-spin sweeps and the same group streams as `Chains`, and computes
//! statistics from the words. Started from the same states with the same seed, both give
//! the same trajectories bit for bit.

use super::blocks::BlockSampler;
use super::chains::majority_of;
use super::init::uniform_packed;
use super::multispin::{
    self, transpose64, GroupRng, Packing, Planes, Vector, BATCH, BATCH_CHAINS, LANES,
};
use super::pairwise::Lattice;
use crate::cancel::Cancel;
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::sync::Arc;

/// Values up to which a read runs on the calling thread.
const SMALL: usize = 1 << 14;

pub struct PackedChains {
    sampler: Arc<BlockSampler>,
    n: usize,
    chains: usize,
    first: u64,
    sweeps_done: u64,
    /// Batch `j`: chains `256 j .. 256 j + 255` of the range, packed as its `Packing`
    /// (`L * w` vectors).
    batches: Vec<(Packing, Vec<Vector>)>,
    groups: Vec<GroupRng>,
}

impl PackedChains {
    /// Chains `first .. first + chains` of a run on the multi-spin path (systematic scan
    /// of a periodic lattice), started from the default start drawn with `init_seed`
    /// ([`super::init`]), their sweeps drawing from the group streams of `seed`. `None`
    /// when the multi-spin path does not apply (not a square torus, or too few chains to
    /// fill a word, [`multispin::applies`]); `first` must be a multiple of 256, as for
    /// `Chains`.
    pub fn uniform(
        sampler: Arc<BlockSampler>,
        chains: usize,
        seed: u64,
        init_seed: u64,
        first: u64,
    ) -> Result<Option<PackedChains>> {
        if chains == 0 {
            return Err(Error::invalid("chains must be >= 1"));
        }
        let Some(lat) = sampler.lattice() else {
            return Ok(None);
        };
        let l = lat.side();
        let n = sampler.model().n();
        let batch = BATCH_CHAINS as u64;
        if first % batch != 0 {
            return Err(Error::invalid(format!(
                "first chain {first}: on the multi-spin path a range of chains starts at a \
                 multiple of {batch} (a batch of {BATCH} words of {LANES} chains)"
            )));
        }
        // As `Chains`: a range starting at a later batch is part of a run that took the path.
        if !(first > 0 || multispin::applies(l, chains)) {
            return Ok(None);
        }
        let batches = (0..chains)
            .step_by(BATCH_CHAINS)
            .collect::<Vec<_>>()
            .into_par_iter()
            .with_max_len(1)
            .map(|a| {
                let pk = Packing::new(l, (chains - a).min(BATCH_CHAINS));
                (pk, uniform_packed(pk, l, init_seed, first + a as u64))
            })
            .collect();
        let mut p = PackedChains {
            sampler,
            n,
            chains,
            first,
            sweeps_done: 0,
            batches,
            groups: Vec::new(),
        };
        p.reseed(seed);
        Ok(Some(p))
    }

    /// Every group stream restarted from `seed`, the sweep count set to 0 (as
    /// `Chains::reseed`: four groups a batch).
    pub fn reseed(&mut self, seed: u64) {
        let first_group = self.first / LANES as u64;
        self.groups = (0..self.batches.len() * BATCH)
            .map(|g| multispin::group_rng(seed, first_group + g as u64))
            .collect();
        self.sweeps_done = 0;
    }

    fn lattice(&self) -> &Lattice {
        self.sampler.lattice().expect("built on the lattice path")
    }

    pub fn n(&self) -> usize {
        self.n
    }

    pub fn chains(&self) -> usize {
        self.chains
    }

    pub fn sweeps_done(&self) -> u64 {
        self.sweeps_done
    }

    /// Block steps in one (systematic) sweep.
    pub fn steps_per_sweep(&self) -> u64 {
        self.sampler.blocks().len() as u64
    }

    /// Rough cost of one sweep of every chain in single-site updates (as `Chains`).
    pub fn sweep_cost(&self) -> u64 {
        (self.chains as u64).saturating_mul(self.steps_per_sweep()) / 64
    }

    /// Advance every chain by `sweeps` systematic sweeps, batches in parallel.
    pub fn advance(&mut self, sweeps: u64, cancel: &Cancel) -> Result<()> {
        cancel.check()?;
        let sampler = Arc::clone(&self.sampler);
        let lat = sampler.lattice().expect("built on the lattice path");
        let planes = Planes::new(lat.thresholds());
        self.batches
            .par_iter_mut()
            .zip(self.groups.par_chunks_mut(BATCH))
            .with_max_len(1)
            .try_for_each(|((pk, words), rngs)| {
                multispin::sweep_batch(lat, &planes, *pk, sweeps, words, rngs, cancel)
            })?;
        self.sweeps_done += sweeps;
        Ok(())
    }

    /// Chain `c`'s batch, and the word and bit of its lane in strip `j`.
    #[inline]
    fn lane(&self, c: usize, j: usize) -> (&(Packing, Vec<Vector>), usize, usize) {
        let batch = &self.batches[c / BATCH_CHAINS];
        let lane = j * batch.0.chains + c % BATCH_CHAINS;
        (batch, lane / LANES, lane % LANES)
    }

    /// Site `i` of chain `c`.
    #[inline]
    fn bit(&self, c: usize, i: usize) -> u16 {
        let l = self.lattice().side();
        let w = self.batches[c / BATCH_CHAINS].0.width(l);
        let (r, col) = (i / l, i % l);
        let ((_, words), b, bit) = self.lane(c, col / w);
        (words[r * w + col % w][b] >> bit & 1) as u16
    }

    /// Copy the states into `out` (`chains × n`, chain-major).
    pub fn write_states<T: From<u8> + Send>(&self, out: &mut [T]) -> Result<()> {
        if out.len() != self.chains * self.n {
            return Err(Error::invalid(format!(
                "the output holds {} values; the states need {}",
                out.len(),
                self.chains * self.n
            )));
        }
        let l = self.lattice().side();
        let write = |(c, x): (usize, &mut [T])| {
            let w = self.batches[c / BATCH_CHAINS].0.width(l);
            for (r, row) in x.chunks_mut(l).enumerate() {
                for (j, strip) in row.chunks_mut(w).enumerate() {
                    let ((_, words), b, bit) = self.lane(c, j);
                    let line = &words[r * w..(r + 1) * w];
                    for (v, word) in strip.iter_mut().zip(line) {
                        *v = T::from((word[b] >> bit & 1) as u8);
                    }
                }
            }
        };
        // Small runs on the calling thread: the pool's round trip would cost more.
        if out.len() <= SMALL {
            out.chunks_mut(self.n).enumerate().for_each(write);
        } else {
            out.par_chunks_mut(self.n).enumerate().for_each(write);
        }
        Ok(())
    }

    /// Per chain, the number of sites at 1: per lane, then the strips of a chain added.
    fn ones(&self) -> Vec<u64> {
        let mut out = Vec::with_capacity(self.chains);
        for (pk, words) in &self.batches {
            let lanes: Vec<u64> = (0..pk.lanes().div_ceil(LANES))
                .flat_map(|b| lane_counts(words.len(), |i| words[i][b]))
                .collect();
            out.extend((0..pk.chains).map(|k| {
                (0..pk.strips)
                    .map(|j| lanes[j * pk.chains + k])
                    .sum::<u64>()
            }));
        }
        out
    }

    /// Per chain, the magnetisation `mean_i (2 x_i - 1)`, in [-1, 1].
    pub fn magnetization(&self, out: &mut [f64]) -> Result<()> {
        self.check_out(out.len())?;
        let n = self.n as f64;
        for (o, k) in out.iter_mut().zip(self.ones()) {
            *o = (2.0 * k as f64 - n) / n;
        }
        Ok(())
    }

    /// Per chain, 1 if more than half the sites are 1, 0 if fewer, 2 on a tie.
    pub fn majority(&self, out: &mut [u8]) -> Result<()> {
        self.check_out(out.len())?;
        let n = self.n as u64;
        for (o, k) in out.iter_mut().zip(self.ones()) {
            *o = majority_of(k, n);
        }
        Ok(())
    }

    /// Per chain, the joint value of `vars` (first variable least significant; every
    /// variable is binary).
    pub fn joint_code(&self, vars: &[u32], out: &mut [u64]) -> Result<()> {
        self.check_out(out.len())?;
        if let Some(&v) = vars.iter().find(|&&v| v as usize >= self.n) {
            return Err(Error::invalid(format!(
                "variable {v} does not exist (n = {})",
                self.n
            )));
        }
        if vars.len() > 64 {
            return Err(Error::invalid(
                "the joint values of these variables do not fit 64 bits",
            ));
        }
        out.par_iter_mut().enumerate().for_each(|(c, o)| {
            *o = vars
                .iter()
                .enumerate()
                .map(|(j, &v)| (self.bit(c, v as usize) as u64) << j)
                .sum();
        });
        Ok(())
    }

    fn check_out(&self, len: usize) -> Result<()> {
        if len != self.chains {
            return Err(Error::invalid(format!(
                "the output holds {len} values; there are {} chains",
                self.chains
            )));
        }
        Ok(())
    }
}

/// For each of the 64 lanes, how many of the `len` words `word(i)` have that bit set:
/// 64 words at a time, transposed so that a popcount counts one lane; sites split into
/// parallel tasks.
fn lane_counts<F: Fn(usize) -> u64 + Sync>(len: usize, word: F) -> [u64; 64] {
    const TASK: usize = 1 << 14;
    let tasks = len.div_ceil(TASK);
    let count = |t: usize| {
        let mut counts = [0u64; 64];
        let end = ((t + 1) * TASK).min(len);
        let mut i = t * TASK;
        while i < end {
            let mut m = [0u64; 64];
            for (j, row) in m.iter_mut().enumerate() {
                if i + j < end {
                    *row = word(i + j);
                }
            }
            transpose64(&mut m);
            for (c, row) in counts.iter_mut().zip(&m) {
                *c += row.count_ones() as u64;
            }
            i += 64;
        }
        counts
    };
    let add = |mut a: [u64; 64], b: [u64; 64]| {
        for (x, y) in a.iter_mut().zip(b) {
            *x += y;
        }
        a
    };
    if tasks <= 1 {
        (0..tasks).map(count).fold([0u64; 64], add)
    } else {
        (0..tasks)
            .into_par_iter()
            .map(count)
            .reduce(|| [0u64; 64], add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gibbs::blocks::Blocks;
    use crate::gibbs::chains::Chains;
    use crate::gibbs::init::uniform_states;
    use crate::gibbs::model::FactorGraph;
    use crate::scan::Scan;

    /// The periodic `L × L` Ising model at `beta` with field `h`, row-major.
    fn torus(l: usize, beta: f64, h: f64) -> Arc<BlockSampler> {
        let n = l * l;
        let mut scopes = Vec::new();
        let mut logs = Vec::new();
        for r in 0..l {
            for c in 0..l {
                let i = (r * l + c) as u32;
                for j in [(r * l + (c + 1) % l) as u32, (((r + 1) % l) * l + c) as u32] {
                    scopes.push(vec![i, j]);
                    logs.extend([beta, -beta, -beta, beta]);
                }
                scopes.push(vec![i]);
                logs.extend([-h, h]);
            }
        }
        let g = FactorGraph::new(vec![2; n], &scopes, logs).unwrap();
        let blocks: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
        let b = Blocks::new(&g, &blocks).unwrap();
        Arc::new(BlockSampler::new(g, b, true))
    }

    fn statistics(ch: &Chains) -> (Vec<f64>, Vec<u8>) {
        let mut m = vec![0.0; ch.chains()];
        let mut maj = vec![0u8; ch.chains()];
        ch.magnetization(&mut m).unwrap();
        ch.majority(&mut maj).unwrap();
        (m, maj)
    }

    #[test]
    fn packed_runs_are_the_chains_runs() {
        let s = torus(8, 0.4, 0.1);
        assert!(s.lattice().is_some());
        for chains in [16usize, 20, 32, 64, 65, 300, 600] {
            let x = uniform_states(s.model().cards(), chains, 3, 0);
            let mut plain = Chains::new(Arc::clone(&s), Scan::Systematic, x, chains, 7).unwrap();
            assert_eq!(plain.path(), "multispin");
            let mut packed = PackedChains::uniform(Arc::clone(&s), chains, 7, 3, 0)
                .unwrap()
                .unwrap();
            for sweeps in [0u64, 1, 3] {
                plain.advance(sweeps, Cancel::never()).unwrap();
                packed.advance(sweeps, Cancel::never()).unwrap();
                let mut got = vec![0u16; chains * 64];
                packed.write_states(&mut got).unwrap();
                assert_eq!(got, plain.states(), "{chains} chains, {sweeps} sweeps");
                let (m, maj) = statistics(&plain);
                let (mut m2, mut maj2) = (vec![0.0; chains], vec![0u8; chains]);
                packed.magnetization(&mut m2).unwrap();
                packed.majority(&mut maj2).unwrap();
                assert_eq!((m, maj), (m2, maj2));
                let vars = [0u32, 5, 17, 63];
                let (mut a, mut b) = (vec![0u64; chains], vec![0u64; chains]);
                plain.joint_code(&vars, &mut a).unwrap();
                packed.joint_code(&vars, &mut b).unwrap();
                assert_eq!(a, b);
            }
            plain.reseed(11);
            packed.reseed(11);
            plain.advance(2, Cancel::never()).unwrap();
            packed.advance(2, Cancel::never()).unwrap();
            let mut got = vec![0u16; chains * 64];
            packed.write_states(&mut got).unwrap();
            assert_eq!(got, plain.states());
        }
    }

    #[test]
    fn packed_results_do_not_depend_on_threads() {
        let s = torus(8, 0.44, 0.0);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut p = PackedChains::uniform(Arc::clone(&s), 700, 2, 5, 0)
                    .unwrap()
                    .unwrap();
                p.advance(3, Cancel::never()).unwrap();
                let mut x = vec![0u8; 700 * 64];
                p.write_states(&mut x).unwrap();
                x
            })
        };
        assert_eq!(run(1), run(3));
    }

    #[test]
    fn packed_refuses_what_is_not_multispin() {
        let s = torus(8, 0.4, 0.0);
        // 3 chains on a 5 x 5 torus: no strips, so 3 lanes, fewer than a word's worth.
        assert!(PackedChains::uniform(torus(5, 0.4, 0.0), 3, 1, 1, 0)
            .unwrap()
            .is_none());
        // 3 chains on 8 x 8: 4 strips of 2 columns, 12 lanes: the one-chain loop.
        assert!(PackedChains::uniform(Arc::clone(&s), 3, 1, 1, 0)
            .unwrap()
            .is_none());
        assert!(PackedChains::uniform(Arc::clone(&s), 300, 1, 1, 64).is_err());
        assert!(PackedChains::uniform(s, 0, 1, 1, 0).is_err());
    }
}
