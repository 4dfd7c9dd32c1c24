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
//!
//! - [`operator`]: the kernel (fibres with their masses) and one step of it;
//! - [`symmetric`]: the symmetrised operator on blocks of vectors, for eigensolvers;
//! - [`compiled`]: that operator as a sparse matrix by rows, when fibres are small;
//! - [`dense`]: the kernel and its symmetrisation as dense matrices;
//! - [`propagation`]: KL divergences along the chain, i.e. finite-time information;
//! - [`disjoint`]: the one unsafe piece, parallel writes to positions owned by one fibre.

mod compiled;
mod dense;
mod disjoint;
mod operator;
mod propagation;
mod symmetric;
#[cfg(test)]
mod tests;

pub use operator::Kernel;
pub use propagation::{latent_information, surviving_information};
