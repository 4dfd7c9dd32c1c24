//! GF(2)-linear systems: bit-packed elimination (natabs-core `gf2`).
//!
//! Matrices cross as C-contiguous `(rows, words)` arrays of `uint64`, bit `j` of a row in
//! bit `j % 64` of word `j / 64`.

use crate::errors::IntoPy;
use natabs_core::gf2;
use numpy::{PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

fn to_array<'py>(py: Python<'py>, data: Vec<u64>, n: usize) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let w = gf2::words(n).max(1);
    let rows = data.len() / w;
    let flat = numpy::PyArray1::from_vec(py, data);
    flat.reshape([rows, w])
}

/// Reduced row echelon form of `rows` (`n` bits each): (basis rows, pivot columns).
#[pyfunction]
fn gf2_rref<'py>(
    py: Python<'py>,
    rows: PyReadonlyArray2<'py, u64>,
    n: usize,
) -> PyResult<(Bound<'py, PyArray2<u64>>, Vec<usize>)> {
    let data = rows.as_slice()?;
    let (out, pivots) = py.detach(|| gf2::rref(data, n)).py_err(py)?;
    Ok((to_array(py, out, n)?, pivots))
}

/// Rank of `rows`.
#[pyfunction]
fn gf2_rank(py: Python<'_>, rows: PyReadonlyArray2<'_, u64>, n: usize) -> PyResult<usize> {
    let data = rows.as_slice()?;
    py.detach(|| gf2::rank(data, n)).py_err(py)
}

/// A basis of `{x : rows · x = 0}`.
#[pyfunction]
fn gf2_kernel<'py>(
    py: Python<'py>,
    rows: PyReadonlyArray2<'py, u64>,
    n: usize,
) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let data = rows.as_slice()?;
    let out = py.detach(|| gf2::kernel(data, n)).py_err(py)?;
    to_array(py, out, n)
}

/// The transpose of an `r × n` matrix, as `n` rows of `r` bits.
#[pyfunction]
fn gf2_transpose<'py>(
    py: Python<'py>,
    rows: PyReadonlyArray2<'py, u64>,
    n: usize,
) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let r = rows.shape()[0];
    let data = rows.as_slice()?;
    let out = py.detach(|| gf2::transpose(data, n)).py_err(py)?;
    to_array(py, out, r)
}

/// `dim C_𝓑` block by block, from the parity-check columns `cols` (`n` rows of `m` bits).
#[pyfunction]
fn gf2_local_rank(
    py: Python<'_>,
    cols: PyReadonlyArray2<'_, u64>,
    n: usize,
    m: usize,
    members: PyReadonlyArray1<'_, u32>,
    starts: PyReadonlyArray1<'_, u64>,
    target: usize,
) -> PyResult<usize> {
    let cols = cols.as_slice()?;
    let members = members.as_slice()?;
    let starts: Vec<usize> = starts.as_slice()?.iter().map(|&s| s as usize).collect();
    py.detach(|| gf2::local_rank(cols, n, m, members, &starts, target))
        .py_err(py)
}

/// `dim C_k` for `k <= 3` by hashing syndromes.
#[pyfunction]
fn gf2_low_weight_rank(
    py: Python<'_>,
    cols: PyReadonlyArray2<'_, u64>,
    n: usize,
    m: usize,
    k: usize,
    target: usize,
) -> PyResult<usize> {
    let cols = cols.as_slice()?;
    py.detach(|| gf2::low_weight_rank(cols, n, m, k, target))
        .py_err(py)
}

/// `dim C_k` for every `k = 0..=n`, enumerating the code spanned by `gen`.
#[pyfunction]
fn gf2_weight_profile(
    py: Python<'_>,
    gen: PyReadonlyArray2<'_, u64>,
    n: usize,
) -> PyResult<Vec<usize>> {
    let gen = gen.as_slice()?;
    py.detach(|| gf2::weight_profile(gen, n)).py_err(py)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(gf2_rref, m)?)?;
    m.add_function(wrap_pyfunction!(gf2_rank, m)?)?;
    m.add_function(wrap_pyfunction!(gf2_kernel, m)?)?;
    m.add_function(wrap_pyfunction!(gf2_transpose, m)?)?;
    m.add_function(wrap_pyfunction!(gf2_local_rank, m)?)?;
    m.add_function(wrap_pyfunction!(gf2_low_weight_rank, m)?)?;
    m.add_function(wrap_pyfunction!(gf2_weight_profile, m)?)?;
    Ok(())
}
