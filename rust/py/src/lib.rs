//! natabs._native: thin PyO3 bindings over natabs-core.
//!
//! Python validates shapes, dtypes and names; these functions take contiguous numpy
//! arrays and hand the work to the core through one helper, [`enter::enter`], which
//! releases the GIL, notices Ctrl-C and turns every core error into the matching
//! exception of `natabs.errors`.

mod convert;
mod enter;
mod errors;
mod exact;
mod gf2;
mod gibbs;
mod kernel;
mod marginals;
mod support;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    support::register(m)?;
    exact::register(m)?;
    gibbs::register(m)?;
    kernel::register(m)?;
    marginals::register(m)?;
    gf2::register(m)?;
    Ok(())
}
