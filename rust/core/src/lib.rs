//! natabs-core: redundant information under block resampling, without Python.
//!
//! A system of discrete random variables is held by its support (the states of positive
//! probability). Resampling a block `B` of variables moves a state only inside its *fibre*:
//! the support states that agree with it outside `B`. Every engine here is built from that
//! one primitive:
//!
//! - [`support`]: the support, as mixed-radix codes or as rows when codes would overflow;
//! - [`fibres`]: for a block, a representative of each state's fibre;
//! - [`unionfind`]: a lock-free union-find used to join fibres in parallel;
//! - [`components`]: the components of the move graph (THEORY §3), i.e. the exactly
//!   conserved information;
//! - [`kernel`]: the resampling kernel on vectors, finite-time information (THEORY §4);
//! - [`gibbs`]: block-Gibbs chains on local models (factor graphs, DAGs) too big to
//!   enumerate.

pub mod components;
pub mod error;
pub mod fibres;
pub mod gf2;
pub mod gibbs;
pub mod kernel;
pub mod support;
pub mod unionfind;

pub use error::{Error, Result};
