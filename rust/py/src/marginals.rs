//! Marginal entropies of sets of variables over a coded support (natural-latent errors).

use crate::enter::{cost, enter};
use natabs_core::marginal_entropies as core_marginal_entropies;
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
    let work = cost(&[codes.len(), sets.len().max(1)]);
    enter(py, None, work, |_cancel| {
        core_marginal_entropies(&cards, codes, probs, &sets, budget_bytes)
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(marginal_entropies, m)?)?;
    Ok(())
}
