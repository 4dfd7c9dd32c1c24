//! Block families and one resampling step: redraw `X_B ~ P(X_B | X_rest)`.
//!
//! The conditional of a block is computed from the factors that touch it alone (its
//! Markov blanket, THEORY §1): for a single site the factors touching it, each read at
//! the site's `card` values; for a larger block the block's joint values are enumerated,
//! so blocks with more than [`MAX_BLOCK_VALUES`] joint values are refused.

use super::model::FactorGraph;
use super::pairwise::{Lattice, Pairwise};
use super::rng::{below, bernoulli_word, categorical, sigmoid, site_and_word, threshold};
use crate::error::{Error, Result};
use rand_core::Rng;

/// Below this sum of the two products of scaled potentials, a binary site's conditional is
/// computed from the log-potentials instead: the products are then near underflow (or
/// zero), where their ratio would lose digits. Above it both products are normal doubles,
/// so `q1 / (q0 + q1)` is as accurate as the sigmoid of the log-odds.
const MIN_PRODUCT: f64 = 1e-250;

/// Largest number of joint values of one block.
pub const MAX_BLOCK_VALUES: u64 = 1 << 16;

/// A validated block family with, per block, the factors its conditional needs.
#[derive(Clone, Debug)]
pub struct Blocks {
    ptr: Vec<usize>,
    vars: Vec<u32>,
    fptr: Vec<usize>,
    factors: Vec<u32>,
    max_values: usize,
    covered: usize,
    total_size: usize,
    identity: bool,
}

impl Blocks {
    pub fn new(model: &FactorGraph, blocks: &[Vec<u32>]) -> Result<Blocks> {
        let n = model.n();
        if blocks.is_empty() {
            return Err(Error::invalid(
                "the block family is empty: nothing would move",
            ));
        }
        let mut ptr = vec![0usize];
        let mut vars = Vec::new();
        let mut fptr = vec![0usize];
        let mut factors: Vec<u32> = Vec::new();
        let mut max_values = 1usize;
        let mut covered = vec![false; n];
        for (b, block) in blocks.iter().enumerate() {
            if block.is_empty() {
                return Err(Error::invalid(format!("block {b} is empty")));
            }
            let mut values: u64 = 1;
            for (a, &v) in block.iter().enumerate() {
                if v as usize >= n {
                    return Err(Error::invalid(format!(
                        "block {b} names variable {v}, but there are only {n} variables"
                    )));
                }
                if block[..a].contains(&v) {
                    return Err(Error::invalid(format!(
                        "block {b} names variable {v} twice"
                    )));
                }
                covered[v as usize] = true;
                values = values.saturating_mul(model.cards()[v as usize] as u64);
            }
            if values > MAX_BLOCK_VALUES {
                return Err(Error::invalid(format!(
                    "block {b} has {values} joint values; a block may have at most \
                     {MAX_BLOCK_VALUES} (use smaller blocks)"
                )));
            }
            max_values = max_values.max(values as usize);
            vars.extend_from_slice(block);
            ptr.push(vars.len());
            let start = factors.len();
            for &v in block {
                for &(f, _) in model.touching(v as usize) {
                    if !factors[start..].contains(&f) {
                        factors.push(f);
                    }
                }
            }
            fptr.push(factors.len());
        }
        let covered = covered.iter().filter(|&&c| c).count();
        let total_size = vars.len();
        let identity = total_size == blocks.len()
            && total_size == n
            && vars.iter().enumerate().all(|(b, &v)| b == v as usize);
        Ok(Blocks {
            ptr,
            vars,
            fptr,
            factors,
            max_values,
            covered,
            total_size,
            identity,
        })
    }

    pub fn len(&self) -> usize {
        self.ptr.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn block(&self, b: usize) -> &[u32] {
        &self.vars[self.ptr[b]..self.ptr[b + 1]]
    }

    /// Largest joint value count of a block (scratch space a step needs).
    pub fn max_values(&self) -> usize {
        self.max_values
    }

    /// Every block is a single variable.
    pub fn all_single(&self) -> bool {
        self.total_size == self.len()
    }

    /// Block `b` is the single variable `b`, for every `b` (the usual single-site family):
    /// the block table need not be read at all.
    pub fn is_identity(&self) -> bool {
        self.identity
    }

    /// Steps in one random-scan sweep: `m / (mean block size)` rounded, at least 1, where
    /// `m` is the number of variables the family covers (THEORY §2: a sweep is n/|B| steps).
    pub fn random_sweep_steps(&self) -> u64 {
        let s = (self.covered as f64 * self.len() as f64 / self.total_size as f64).round();
        (s as u64).max(1)
    }
}

/// A model, a block family and, when it applies, the pairwise fast path.
#[derive(Clone, Debug)]
pub struct BlockSampler {
    model: FactorGraph,
    blocks: Blocks,
    pairwise: Option<Pairwise>,
}

impl BlockSampler {
    /// The fast path is used when every block is a single site and the model is pairwise
    /// binary; `allow_fast = false` forces the generic path (to compare the two).
    pub fn new(model: FactorGraph, blocks: Blocks, allow_fast: bool) -> BlockSampler {
        let pairwise = if allow_fast && blocks.all_single() {
            Pairwise::from_model(&model)
        } else {
            None
        };
        BlockSampler {
            model,
            blocks,
            pairwise,
        }
    }

    pub fn model(&self) -> &FactorGraph {
        &self.model
    }

    pub fn blocks(&self) -> &Blocks {
        &self.blocks
    }

    /// The pairwise fast path, when in use.
    pub fn pairwise(&self) -> Option<&Pairwise> {
        self.pairwise.as_ref()
    }

    pub fn fast(&self) -> bool {
        self.pairwise.is_some()
    }

    /// Run `steps` random-scan steps on state `x` (a block drawn uniformly each step).
    pub fn random_steps<R: Rng>(
        &self,
        steps: u64,
        x: &mut [u16],
        rng: &mut R,
        scratch: &mut [f64],
    ) {
        let nb = self.blocks.len() as u64;
        // The hot loops users spend their compute in: no block table, no dispatch, and one
        // random word for both the site and its Bernoulli draw (see `site_and_word`).
        match &self.pairwise {
            Some(p) if self.blocks.is_identity() => match p.grid() {
                Some(lat) => lat.random(steps, x, rng),
                None => {
                    for _ in 0..steps {
                        let (i, w) = site_and_word(rng, nb);
                        p.update_word(i as usize, x, w);
                    }
                }
            },
            None if self.blocks.is_identity() => {
                for _ in 0..steps {
                    let (i, w) = site_and_word(rng, nb);
                    self.site(i as usize, x, rng, scratch, w);
                }
            }
            _ => {
                for _ in 0..steps {
                    self.step(below(rng, nb) as usize, x, rng, scratch);
                }
            }
        }
    }

    /// One systematic pass over the family, in order.
    pub fn systematic_pass<R: Rng>(&self, x: &mut [u16], rng: &mut R, scratch: &mut [f64]) {
        match &self.pairwise {
            Some(p) if self.blocks.is_identity() => match p.grid() {
                Some(lat) => lat.sweep(x, rng),
                None => {
                    for i in 0..x.len() {
                        p.update(i, x, rng);
                    }
                }
            },
            None if self.blocks.is_identity() => {
                for i in 0..x.len() {
                    let w = rng.next_u64();
                    self.site(i, x, rng, scratch, w);
                }
            }
            _ => {
                for b in 0..self.blocks.len() {
                    self.step(b, x, rng, scratch);
                }
            }
        }
    }

    /// The periodic square lattice form of a single-site family, when it applies (the
    /// lattices multi-spin coding handles).
    pub fn lattice(&self) -> Option<&Lattice> {
        self.grid().filter(|lat| lat.square_torus())
    }

    /// The lattice path of a single-site family on any periodic or open `R × C` lattice,
    /// when it applies (systematic scan can then sweep several chains in lockstep, see
    /// `Lattice::sweep_lanes`).
    pub fn grid(&self) -> Option<&Lattice> {
        match &self.pairwise {
            Some(p) if self.blocks.is_identity() => p.grid(),
            _ => None,
        }
    }

    /// Resample block `b` of state `x`. `scratch` holds at least `max_values` floats.
    #[inline]
    pub fn step<R: Rng>(&self, b: usize, x: &mut [u16], rng: &mut R, scratch: &mut [f64]) {
        let block = self.blocks.block(b);
        if let Some(p) = &self.pairwise {
            p.update(block[0] as usize, x, rng);
        } else if block.len() == 1 {
            let w = rng.next_u64();
            self.site(block[0] as usize, x, rng, scratch, w);
        } else {
            let fs = &self.blocks.factors[self.blocks.fptr[b]..self.blocks.fptr[b + 1]];
            self.block(block, fs, x, rng, scratch);
        }
    }

    /// Single site: each touching factor is read at the site's values only. A binary site
    /// uses the random word `w` (drawn by the caller); larger cards draw from `rng`.
    #[inline]
    fn site<R: Rng>(&self, i: usize, x: &mut [u16], rng: &mut R, scratch: &mut [f64], w: u64) {
        let m = &self.model;
        let c = m.cards()[i] as usize;
        if c == 2 {
            // Products of the factors' scaled potentials (each <= 1) give the two
            // conditional weights without an `exp`; only when both are tiny or zero (an
            // underflow, or no value possible) do the log-potentials decide.
            let (mut q0, mut q1) = (1.0f64, 1.0f64);
            for h in m.heads(i) {
                let base = m.head_base(h, x);
                q0 *= m.potential_at_pos(base);
                q1 *= m.potential_at_pos(base + h.stride as usize);
            }
            let z = q0 + q1;
            let p = if z >= MIN_PRODUCT {
                q1 / z
            } else {
                let (mut l0, mut l1) = (0.0f64, 0.0f64);
                for h in m.heads(i) {
                    let base = m.head_base(h, x);
                    l0 += m.log_at_pos(base);
                    l1 += m.log_at_pos(base + h.stride as usize);
                }
                match (l0 == f64::NEG_INFINITY, l1 == f64::NEG_INFINITY) {
                    (true, true) => return, // no value possible: only off the support; stay
                    (true, false) => 1.0,
                    (false, true) => 0.0,
                    (false, false) => sigmoid(l1 - l0),
                }
            };
            x[i] = bernoulli_word(w, threshold(p)) as u16;
            return;
        }
        let wts = &mut scratch[..c];
        wts.fill(0.0);
        for h in m.heads(i) {
            let base = m.head_base(h, x);
            for (v, wv) in wts.iter_mut().enumerate() {
                *wv += m.log_at_pos(base + v * h.stride as usize);
            }
        }
        if let Some(v) = categorical(rng, wts) {
            x[i] = v as u16;
        }
    }

    /// A block: enumerate its joint values (first block variable fastest).
    fn block<R: Rng>(
        &self,
        block: &[u32],
        fs: &[u32],
        x: &mut [u16],
        rng: &mut R,
        scratch: &mut [f64],
    ) {
        let m = &self.model;
        let cards = m.cards();
        let orig: Vec<u16> = block.iter().map(|&v| x[v as usize]).collect();
        for &v in block {
            x[v as usize] = 0;
        }
        let mut count = 0usize;
        loop {
            scratch[count] = fs.iter().map(|&f| m.log_factor(f as usize, x)).sum();
            count += 1;
            // increment the mixed-radix counter over the block's values
            let mut k = 0;
            while k < block.len() {
                let v = block[k] as usize;
                x[v] += 1;
                if (x[v] as u32) < cards[v] {
                    break;
                }
                x[v] = 0;
                k += 1;
            }
            if k == block.len() {
                break;
            }
        }
        match categorical(rng, &mut scratch[..count]) {
            Some(mut j) => {
                for &v in block {
                    let c = cards[v as usize] as usize;
                    x[v as usize] = (j % c) as u16;
                    j /= c;
                }
            }
            None => {
                for (&v, &o) in block.iter().zip(&orig) {
                    x[v as usize] = o;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gibbs::model::tests::chain3;

    #[test]
    fn family_checks_and_sweep_length() {
        let g = chain3();
        let b = Blocks::new(&g, &[vec![0], vec![1], vec![2]]).unwrap();
        assert!(b.all_single());
        assert_eq!(b.random_sweep_steps(), 3);
        let b = Blocks::new(&g, &[vec![0, 1], vec![1, 2]]).unwrap();
        assert_eq!(b.random_sweep_steps(), 2); // 3 variables / mean size 2 = 1.5 -> 2
        assert_eq!(b.max_values(), 4);
        assert!(Blocks::new(&g, &[]).is_err());
        assert!(Blocks::new(&g, &[vec![3]]).is_err());
        assert!(Blocks::new(&g, &[vec![1, 1]]).is_err());
        let big = FactorGraph::new(vec![2; 20], &[], vec![]).unwrap();
        assert!(Blocks::new(&big, &[(0..17).collect()]).is_err());
    }

    #[test]
    fn block_touching_factors_are_the_union() {
        let g = chain3();
        let b = Blocks::new(&g, &[vec![0, 2]]).unwrap();
        let mut fs = b.factors.clone();
        fs.sort();
        assert_eq!(fs, vec![0, 1, 2]);
    }
}
