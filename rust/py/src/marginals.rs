//! Marginal entropies of sets of variables over a coded support (natural-latent errors).

use crate::errors::IntoPy;
use natabs_core::marginals::marginal_entropies as core_marginal_entropies;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

/// Joint entropy in nats of the marginal law of each set of variables, `H(X_G)`, within
/// a memory budget in bytes.
#[pyfunction]
fn marginal_entropies<'py>(
    py: Python<'py>,
    cards: Vec<u32>,
    codes: PyReadonlyArray1<'py, u64>,
    probs: PyReadonlyArray1<'py, f64>,
    sets: Vec<Vec<usize>>,
    budget_bytes: u128,
) -> PyResult<Vec<f64>> {
    let codes = codes.as_slice()?;
    let probs = probs.as_slice()?;
    py.detach(|| core_marginal_entropies(&cards, codes, probs, &sets, budget_bytes))
        .py_err(py)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(marginal_entropies, m)?)?;
    Ok(())
}
