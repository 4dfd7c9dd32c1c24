//! Block-Gibbs sampling on local models (THEORY §1–2): many independent chains at once.
//!
//! Exact enumeration stops at tens of millions of states; local models do not. Resampling a
//! block `B` needs `P(X_B | X_rest)`, which only the factors touching `B` decide, so a step
//! costs the block's joint values times the size of its Markov blanket, whatever `n` is.
//!
//! - [`model`]: the factor graph (variables with cards, factors holding log-potentials);
//! - [`pairwise`]: the fast path for pairwise binary models (Ising heat-bath);
//! - [`kernel`]: block families and one resampling step;
//! - [`chains`]: many chains advanced in parallel, recorded as states or statistics;
//! - [`rng`]: one random stream per (seed, chain), so results never depend on threads.

pub mod chains;
pub mod kernel;
pub mod model;
pub mod pairwise;
pub mod rng;

pub use chains::{ancestral, Chains, Scan};
pub use kernel::{Blocks, Kernel};
pub use model::FactorGraph;
pub use pairwise::Pairwise;
