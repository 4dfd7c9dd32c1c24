//! Block-Gibbs sampling on local models (THEORY §1–2): many independent chains at once.
//!
//! Exact enumeration stops at tens of millions of states; local models do not. Resampling a
//! block `B` needs `P(X_B | X_rest)`, which only the factors touching `B` decide, so a step
//! costs the block's joint values times the size of its Markov blanket, whatever `n` is.
//!
//! - [`model`]: the factor graph (variables with cards, factors holding log-potentials);
//! - [`blocks`]: block families and one resampling step ([`BlockSampler`]);
//! - [`pairwise`]: the fast path for pairwise binary models (Ising heat-bath);
//! - [`lattice`]: periodic and open `R × C` lattices, neighbours computed (the lattice path);
//! - [`multispin`]: 64 lattice chains in a word, one bit each (systematic scan);
//! - [`chains`]: many chains advanced in parallel, recorded as states or statistics;
//! - [`ancestral`]: exact draws of a DAG, parents first;
//! - [`rng`]: one random stream per (seed, chain), so results never depend on threads.

mod ancestral;
mod blocks;
mod chains;
mod lattice;
mod model;
mod multispin;
mod pairwise;
mod rng;

pub use ancestral::ancestral;
pub use blocks::{BlockSampler, Blocks, MAX_BLOCK_VALUES};
pub use chains::Chains;
pub use model::FactorGraph;
