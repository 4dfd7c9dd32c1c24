//! Support-level checks that are too slow for numpy on tens of millions of states.

use crate::enter::enter;
use natabs_core::Support;
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

/// Positions of two equal coded states, or None. Also checks codes against `cards`.
#[pyfunction]
fn duplicate_codes(
    py: Python<'_>,
    cards: Vec<u32>,
    codes: PyReadonlyArray1<'_, u64>,
) -> PyResult<Option<(usize, usize)>> {
    let codes = codes.as_slice()?;
    // One sort: it does not poll for interrupts.
    enter(py, None, 0, |_| {
        Support::from_codes(&cards, codes).map(|s| s.find_duplicate())
    })
}

/// Positions of two equal rows, or None. Also checks values against `cards`.
#[pyfunction]
fn duplicate_rows(
    py: Python<'_>,
    cards: Vec<u32>,
    rows: PyReadonlyArray2<'_, u32>,
) -> PyResult<Option<(usize, usize)>> {
    let rows = rows.as_slice()?;
    enter(py, None, 0, |_| {
        Support::from_rows(&cards, rows).map(|s| s.find_duplicate())
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(duplicate_codes, m)?)?;
    m.add_function(wrap_pyfunction!(duplicate_rows, m)?)?;
    Ok(())
}
