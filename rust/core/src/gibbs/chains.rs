//! Many independent chains, advanced in parallel and read at checkpoints.
//!
//! States are held as one `u16` array of `chains × n` values (chain-major). Chain `c` only
//! ever draws from its own stream `(seed, c)`, and chains are distributed over threads
//! whole, so a chain's trajectory never depends on the thread count. The caller advances
//! the chains a few sweeps at a time (a chunk) and reads states or statistics between
//! chunks; that is where a front end can report progress or stop.

use super::blocks::BlockSampler;
use super::multispin::{self, GroupRng, BATCH, BATCH_CHAINS, LANES};
use super::pairwise::Lattice;
use super::rng::{stream, ChainRng, Purpose};
use crate::cancel::Cancel;
use crate::error::{Error, Result};
use crate::scan::Scan;
use rayon::prelude::*;
use std::sync::Arc;

pub struct Chains {
    sampler: Arc<BlockSampler>,
    scan: Scan,
    n: usize,
    states: Vec<u16>,
    rngs: Vec<ChainRng>,
    sweeps_done: u64,
    /// Multi-spin coding (see [`Chains::path`]): the streams of the groups of 64 chains.
    groups: Vec<GroupRng>,
    /// Index of the first chain in the whole run (see [`Chains::range`]).
    first: u64,
}

impl Chains {
    /// Chains started from `init` (`chains × n` values, chain-major), chain `c` drawing from
    /// stream `(seed, c)`.
    /// The sampler may be shared (`Arc`): compiling a large model costs more than starting
    /// chains on it, so a front end may compile once and start many runs.
    pub fn new(
        sampler: impl Into<Arc<BlockSampler>>,
        scan: Scan,
        init: Vec<u16>,
        chains: usize,
        seed: u64,
    ) -> Result<Chains> {
        Chains::range(sampler, scan, init, chains, seed, 0)
    }

    /// Chains `first..first + chains` of a larger run: chain `c` here draws from stream
    /// `(seed, first + c)`, and on the multi-spin path group `g` of 64 chains from group
    /// stream `first / 64 + g`, so runs over disjoint ranges, put together, are the run
    /// over all chains bit for bit (how a front end splits chains across machines). On
    /// the multi-spin path, where groups are swept in batches of `BATCH` words, `first`
    /// must be a multiple of `BATCH * 64` and every range but the last must hold whole
    /// batches.
    pub fn range(
        sampler: impl Into<Arc<BlockSampler>>,
        scan: Scan,
        init: Vec<u16>,
        chains: usize,
        seed: u64,
        first: u64,
    ) -> Result<Chains> {
        let sampler: Arc<BlockSampler> = sampler.into();
        let n = sampler.model().n();
        if chains == 0 {
            return Err(Error::invalid("chains must be >= 1"));
        }
        if init.len() != chains * n {
            return Err(Error::invalid(format!(
                "initial states hold {} values; {chains} chains of {n} variables need {}",
                init.len(),
                chains * n
            )));
        }
        for (c, x) in init.chunks(n).enumerate() {
            sampler
                .model()
                .check_state(x)
                .map_err(|e| Error::invalid(format!("initial state of chain {c}: {e}")))?;
        }
        Chains::assemble(sampler, scan, init, chains, seed, first)
    }

    /// [`Chains::range`] from states the engine drew itself (`super::init`): valid by
    /// construction, so not checked again (a check is a pass over `chains × n` values).
    pub fn range_drawn(
        sampler: Arc<BlockSampler>,
        scan: Scan,
        init: Vec<u16>,
        chains: usize,
        seed: u64,
        first: u64,
    ) -> Result<Chains> {
        let n = sampler.model().n();
        if chains == 0 || init.len() != chains * n {
            return Err(Error::invalid("drawn states do not match the chains"));
        }
        Chains::assemble(sampler, scan, init, chains, seed, first)
    }

    /// The states, taken out (the chains are left empty: for reusing the memory when
    /// they are dropped).
    pub fn take_states(&mut self) -> Vec<u16> {
        std::mem::take(&mut self.states)
    }

    /// Chains from states already checked: the streams of `seed`, a multi-spin range at a
    /// whole batch.
    fn assemble(
        sampler: Arc<BlockSampler>,
        scan: Scan,
        init: Vec<u16>,
        chains: usize,
        seed: u64,
        first: u64,
    ) -> Result<Chains> {
        let n = sampler.model().n();
        let mut ch = Chains {
            sampler,
            scan,
            n,
            states: init,
            rngs: Vec::new(),
            sweeps_done: 0,
            groups: Vec::new(),
            first,
        };
        let batch = BATCH_CHAINS as u64;
        if ch.multispin() && first % batch != 0 {
            return Err(Error::invalid(format!(
                "first chain {first}: on the multi-spin path a range of chains starts at a \
                 multiple of {batch} (a batch of {BATCH} words of {LANES} chains)"
            )));
        }
        ch.restart(seed, chains);
        Ok(ch)
    }

    /// Every stream restarted from `seed` and the sweep count set to 0, keeping the
    /// states: a burn-in on the same engine then a run with another seed.
    pub fn reseed(&mut self, seed: u64) {
        self.restart(seed, self.chains());
    }

    fn restart(&mut self, seed: u64, chains: usize) {
        self.rngs = (0..chains)
            .map(|c| stream(seed, self.first + c as u64, Purpose::Chain))
            .collect();
        let first_group = self.first / LANES as u64;
        self.groups = if self.multispin() {
            (0..chains.div_ceil(BATCH_CHAINS) * BATCH)
                .map(|g| multispin::group_rng(seed, first_group + g as u64))
                .collect()
        } else {
            Vec::new()
        };
        self.sweeps_done = 0;
    }

    /// Whether systematic sweeps use multi-spin coding: a periodic square lattice (only
    /// those: `BlockSampler::lattice`; rectangular and open lattices stay on the lattice
    /// path), systematic scan, and enough chains to fill a word, whole or in column strips
    /// ([`multispin::applies`]); a range starting at a later batch is part of a run that
    /// did.
    fn multispin(&self) -> bool {
        self.scan == Scan::Systematic
            && self.sampler.lattice().is_some_and(|lat| {
                let chains = self.states.len() / self.n.max(1);
                let later_batch = self.first > 0 && self.first % BATCH_CHAINS as u64 == 0;
                later_batch || multispin::applies(lat.side(), chains)
            })
    }

    /// Which loop advances the chains: `"multispin"`, `"lattice"` (periodic or open
    /// `R × C` lattice, one chain or a few in lockstep), `"pairwise"` (binary pairwise heat
    /// bath on neighbour lists) or `"generic"` (block tables).
    pub fn path(&self) -> &'static str {
        if self.multispin() {
            "multispin"
        } else if self.sampler.grid().is_some() {
            "lattice"
        } else if self.sampler.fast() {
            "pairwise"
        } else {
            "generic"
        }
    }

    pub fn n(&self) -> usize {
        self.n
    }

    pub fn chains(&self) -> usize {
        self.rngs.len()
    }

    pub fn sweeps_done(&self) -> u64 {
        self.sweeps_done
    }

    /// Whether the pairwise binary fast path is in use.
    pub fn fast(&self) -> bool {
        self.sampler.fast()
    }

    /// Block steps in one sweep.
    pub fn steps_per_sweep(&self) -> u64 {
        match self.scan {
            Scan::Random => self.sampler.blocks().random_sweep_steps(),
            Scan::Systematic => self.sampler.blocks().len() as u64,
        }
    }

    /// Rough cost of one sweep of every chain, in units of a single-site update: steps
    /// times the joint values a step enumerates (for sizing chunks of work).
    pub fn sweep_cost(&self) -> u64 {
        let per_step = if self.sampler.blocks().all_single() {
            1
        } else {
            self.sampler.blocks().max_values() as u64
        };
        let cost = (self.chains() as u64)
            .saturating_mul(self.steps_per_sweep())
            .saturating_mul(per_step);
        // Multi-spin coding updates 256 chains in about as many instructions as 4 updates.
        if self.multispin() {
            cost / 64
        } else {
            cost
        }
    }

    /// The states, chain-major (`chains × n`).
    pub fn states(&self) -> &[u16] {
        &self.states
    }

    /// Advance every chain by `sweeps` sweeps, in parallel on the current rayon pool.
    ///
    /// Each chain polls `cancel` before every sweep (the lattice path, whose sweeps are a
    /// few microseconds, only before the call: callers bound its work by `sweep_cost`).
    /// After `Err(Cancelled)` the chains are left part-way and should be dropped.
    pub fn advance(&mut self, sweeps: u64, cancel: &Cancel) -> Result<()> {
        cancel.check()?;
        let sampler = &*self.sampler;
        let scan = self.scan;
        let steps = self.steps_per_sweep();
        let scratch_len = sampler.blocks().max_values().max(1);
        // Tasks of whole chains, at least ~4096 values each so small models do not pay a
        // task (and a shared cache line with the neighbouring chain) per chain; large
        // models get one chain a task. Which thread runs a chain never changes its stream.
        let group = (4096 / self.n.max(1)).max(1);
        if let (true, Some(lat)) = (self.multispin(), sampler.lattice()) {
            multispin::advance(lat, sweeps, &mut self.states, &mut self.groups, cancel)?;
            self.sweeps_done += sweeps;
            return Ok(());
        }
        if let (Scan::Systematic, Some(lat)) = (scan, sampler.grid()) {
            // Lattices, systematic scan: chains swept K at a time in lockstep
            // (bit-identical to sweeping each alone, so K may follow the thread count): the
            // largest K that still leaves every thread a task.
            let per_thread = self.chains() / rayon::current_num_threads().max(1);
            let (n, states, rngs) = (self.n, &mut self.states, &mut self.rngs);
            match per_thread {
                8.. => lockstep::<8>(lat, sweeps, n, group, states, rngs),
                4.. => lockstep::<4>(lat, sweeps, n, group, states, rngs),
                2.. => lockstep::<2>(lat, sweeps, n, group, states, rngs),
                _ => lockstep::<1>(lat, sweeps, n, group, states, rngs),
            }
            self.sweeps_done += sweeps;
            return Ok(());
        }
        self.states
            .par_chunks_mut(self.n)
            .zip(self.rngs.par_iter_mut())
            .with_min_len(group)
            .with_max_len(group)
            .try_for_each(|(x, rng)| {
                let mut scratch = vec![0.0f64; scratch_len];
                // Work on a local copy of the stream: neighbouring chains' generators share
                // cache lines in `rngs`, and writing them on every draw from two threads
                // would bounce those lines between cores.
                let mut local = rng.clone();
                for _ in 0..sweeps {
                    cancel.check()?;
                    match scan {
                        Scan::Random => sampler.random_steps(steps, x, &mut local, &mut scratch),
                        Scan::Systematic => sampler.systematic_pass(x, &mut local, &mut scratch),
                    }
                }
                *rng = local;
                Ok(())
            })?;
        self.sweeps_done += sweeps;
        Ok(())
    }

    /// Copy the states into `out` (`chains × n`); every card must fit `T`.
    pub fn write_states<T: TryFrom<u16> + Copy + Send>(&self, out: &mut [T]) -> Result<()> {
        if out.len() != self.states.len() {
            return Err(Error::invalid(format!(
                "the output holds {} values; the states need {}",
                out.len(),
                self.states.len()
            )));
        }
        if self
            .sampler
            .model()
            .cards()
            .iter()
            .any(|&c| T::try_from((c - 1) as u16).is_err())
        {
            return Err(Error::invalid(
                "the output dtype is too small for the variables' cards",
            ));
        }
        out.par_iter_mut()
            .zip(self.states.par_iter())
            .for_each(|(o, &s)| {
                *o = T::try_from(s).ok().expect("cards checked above");
            });
        Ok(())
    }

    fn check_binary(&self, what: &str) -> Result<()> {
        if self.sampler.model().cards().iter().any(|&c| c != 2) {
            return Err(Error::invalid(format!(
                "{what} needs every variable to be binary"
            )));
        }
        Ok(())
    }

    fn check_out(&self, len: usize) -> Result<()> {
        if len != self.chains() {
            return Err(Error::invalid(format!(
                "the output holds {len} values; there are {} chains",
                self.chains()
            )));
        }
        Ok(())
    }

    /// Per chain, the magnetisation `mean_i (2 x_i - 1)` of a binary model, in [-1, 1].
    pub fn magnetization(&self, out: &mut [f64]) -> Result<()> {
        self.check_binary("the magnetisation")?;
        self.check_out(out.len())?;
        let n = self.n;
        out.par_iter_mut()
            .zip(self.states.par_chunks(n))
            .for_each(|(o, x)| {
                let ones: u64 = x.iter().map(|&v| v as u64).sum();
                *o = (2.0 * ones as f64 - n as f64) / n as f64;
            });
        Ok(())
    }

    /// Per chain, the majority value of a binary model: 1 if more than half the variables
    /// are 1, 0 if fewer, 2 on a tie (even `n` only).
    pub fn majority(&self, out: &mut [u8]) -> Result<()> {
        self.check_binary("the majority")?;
        self.check_out(out.len())?;
        let n = self.n as u64;
        out.par_iter_mut()
            .zip(self.states.par_chunks(self.n))
            .for_each(|(o, x)| {
                *o = majority_of(x.iter().map(|&v| v as u64).sum(), n);
            });
        Ok(())
    }

    /// Per chain, the joint value of `vars` as a mixed-radix code (first variable least
    /// significant, as in `natabs.System` codes).
    pub fn joint_code(&self, vars: &[u32], out: &mut [u64]) -> Result<()> {
        self.check_out(out.len())?;
        let cards = self.sampler.model().cards();
        let mut size: u128 = 1;
        for &v in vars {
            if v as usize >= self.n {
                return Err(Error::invalid(format!(
                    "variable {v} does not exist (n = {})",
                    self.n
                )));
            }
            size *= cards[v as usize] as u128;
            if size > u64::MAX as u128 {
                return Err(Error::invalid(
                    "the joint values of these variables do not fit 64 bits",
                ));
            }
        }
        out.par_iter_mut()
            .zip(self.states.par_chunks(self.n))
            .for_each(|(o, x)| {
                let mut code = 0u64;
                let mut stride = 1u64;
                for &v in vars {
                    code += x[v as usize] as u64 * stride;
                    stride = stride.wrapping_mul(cards[v as usize] as u64);
                }
                *o = code;
            });
        Ok(())
    }
}

/// `sweeps` systematic lattice sweeps of every chain, in tasks of a multiple of `K` chains
/// (at least `group`), `K` chains at a time in lockstep ([`Lattice::sweep_lanes`]); chains
/// left over in a task, and every chain when `K = 1`, are swept alone.
fn lockstep<const K: usize>(
    lat: &Lattice,
    sweeps: u64,
    n: usize,
    group: usize,
    states: &mut [u16],
    rngs: &mut [ChainRng],
) {
    let group = group.div_ceil(K) * K;
    states
        .par_chunks_mut(group * n)
        .zip(rngs.par_chunks_mut(group))
        .with_max_len(1)
        .for_each(|(xs, rngs)| {
            let mut packed = Vec::new();
            let full = if K > 1 { rngs.len() / K * K } else { 0 };
            for (x, r) in xs[..full * n]
                .chunks_mut(K * n)
                .zip(rngs[..full].chunks_mut(K))
            {
                lat.sweep_lanes::<_, K>(sweeps, x, r, &mut packed);
            }
            for (x, rng) in xs[full * n..].chunks_mut(n).zip(&mut rngs[full..]) {
                let mut local = rng.clone();
                for _ in 0..sweeps {
                    lat.sweep(x, &mut local);
                }
                *rng = local;
            }
        });
}

/// 1 if more than half of `n` sites are 1 (`ones` of them), 0 if fewer, 2 on a tie.
pub(super) fn majority_of(ones: u64, n: u64) -> u8 {
    match (2 * ones).cmp(&n) {
        std::cmp::Ordering::Greater => 1,
        std::cmp::Ordering::Less => 0,
        std::cmp::Ordering::Equal => 2,
    }
}

#[cfg(test)]
mod tests;
