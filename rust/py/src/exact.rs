//! Exact engines on a support: components of the move graph.

use crate::enter::{cost, enter};
use natabs_core::{components as core_components, Support};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

/// Component labels of the move graph for a coded support: (labels uint32, count).
#[pyfunction]
fn components_codes<'py>(
    py: Python<'py>,
    cards: Vec<u32>,
    codes: PyReadonlyArray1<'py, u64>,
    blocks: Vec<Vec<usize>>,
) -> PyResult<(Bound<'py, PyArray1<u32>>, usize)> {
    let codes = codes.as_slice()?;
    let work = cost(&[codes.len(), blocks.len()]);
    let c = enter(py, None, work, |cancel| {
        Support::from_codes(&cards, codes).and_then(|s| core_components(&s, &blocks, cancel))
    })?;
    Ok((c.labels.into_pyarray(py), c.count))
}

/// Component labels of the move graph for a support given as rows.
#[pyfunction]
fn components_rows<'py>(
    py: Python<'py>,
    cards: Vec<u32>,
    rows: PyReadonlyArray2<'py, u32>,
    blocks: Vec<Vec<usize>>,
) -> PyResult<(Bound<'py, PyArray1<u32>>, usize)> {
    let rows = rows.as_slice()?;
    let work = cost(&[rows.len(), blocks.len()]);
    let c = enter(py, None, work, |cancel| {
        Support::from_rows(&cards, rows).and_then(|s| core_components(&s, &blocks, cancel))
    })?;
    Ok((c.labels.into_pyarray(py), c.count))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(components_codes, m)?)?;
    m.add_function(wrap_pyfunction!(components_rows, m)?)?;
    Ok(())
}
