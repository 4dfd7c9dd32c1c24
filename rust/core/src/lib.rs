//! natabs-core: redundant information under block resampling, without Python.
//!
//! A system of discrete random variables is held by its support (the states of positive
//! probability). Resampling a block `B` of variables moves a state only inside its *fibre*:
//! the support states that agree with it outside `B`. Every engine here is built from that
//! one primitive. The modules, one job each (private; their public names are re-exported
//! below):
//!
//! - `support`: the support as mixed-radix codes or rows, the fibres of a block, and a
//!   lock-free union-find;
//! - `components`: the components of the move graph (THEORY §3), i.e. the exactly
//!   conserved information;
//! - `kernel`: the resampling kernel on vectors, as a dense matrix, and finite-time
//!   information (THEORY §4);
//! - `gibbs`: block-Gibbs chains and ancestral draws on local models (factor graphs,
//!   DAGs) too big to enumerate;
//! - `marginals`: joint entropies of sets of variables over a coded support (the
//!   natural-latent errors, THEORY §7);
//! - `gf2`: linear algebra over GF(2) on bit-packed rows, for the uniform law on an affine
//!   code (THEORY §10): ranks of the codewords inside blocks;
//! - `scan`: the order in which a step visits the blocks, for the kernel and the chains;
//! - `cancel` and `error`: how long work is stopped, and the one error type.

mod cancel;
mod components;
mod error;
mod gf2;
mod gibbs;
mod kernel;
mod marginals;
mod scan;
mod support;

pub use cancel::Cancel;
pub use components::{components, Components};
pub use error::{Error, Result};
pub use gf2::{
    kernel as gf2_kernel, local_rank as gf2_local_rank, low_weight_rank as gf2_low_weight_rank,
    rank as gf2_rank, rref as gf2_rref, transpose as gf2_transpose,
    weight_profile as gf2_weight_profile, words as gf2_words, Span,
};
pub use gibbs::{ancestral, BlockSampler, Blocks, Chains, FactorGraph, MAX_BLOCK_VALUES};
pub use gibbs::{uniform_states, uniform_states_into, PackedChains};
pub use kernel::{latent_information, surviving_information, Kernel};
pub use marginals::marginal_entropies;
pub use scan::Scan;
pub use support::{FibreFinder, Radix, Support};
