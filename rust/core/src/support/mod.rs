//! The support of a joint law and the fibres of a block on it.
//!
//! - [`codes`]: states as mixed-radix codes, or as rows when codes would overflow;
//! - [`fibres`]: for a block, a representative of each state's fibre, and the fibres as
//!   a table (numbered fibres with their members) for the kernel;
//! - [`unionfind`]: a lock-free union-find used to join fibres in parallel.

mod codes;
mod fibres;
mod unionfind;

pub use codes::{Radix, Support};
pub use fibres::{FibreFinder, FibreTable};
pub use unionfind::UnionFind;
