//! GF(2)-linear systems: bit-packed elimination (natabs-core `gf2`).
//!
//! Matrices cross as C-contiguous `(rows, words)` arrays of `uint64`, bit `j` of a row in
//! bit `j % 64` of word `j / 64`. Every call goes through [`enter`]: without the GIL,
//! Ctrl-C polled between batches of blocks or codewords.

use crate::enter::{cost, enter};
use natabs_core::{
    gf2_kernel, gf2_local_rank, gf2_low_weight_rank, gf2_rank, gf2_rref, gf2_transpose,
    gf2_weight_profile, gf2_words,
};
use numpy::{
    PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::prelude::*;

fn to_array<'py>(py: Python<'py>, data: Vec<u64>, n: usize) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let w = gf2_words(n).max(1);
    let rows = data.len() / w;
    PyArray1::from_vec(py, data).reshape([rows, w])
}

/// Elimination of `r` rows of `n` bits: about `r * r * words` operations.
fn elimination_cost(data: &[u64], n: usize) -> u64 {
    let w = gf2_words(n).max(1);
    let r = data.len() / w;
    cost(&[r, r, w])
}

/// Reduced row echelon form of `rows` (`n` bits each): (basis rows, pivot columns).
#[pyfunction]
#[pyo3(name = "gf2_rref")]
fn gf2_rref_rows<'py>(
    py: Python<'py>,
    rows: PyReadonlyArray2<'py, u64>,
    n: usize,
) -> PyResult<(Bound<'py, PyArray2<u64>>, Vec<usize>)> {
    let data = rows.as_slice()?;
    let (out, pivots) = enter(py, None, elimination_cost(data, n), |_| gf2_rref(data, n))?;
    Ok((to_array(py, out, n)?, pivots))
}

/// Rank of `rows`.
#[pyfunction]
#[pyo3(name = "gf2_rank")]
fn gf2_rank_rows(py: Python<'_>, rows: PyReadonlyArray2<'_, u64>, n: usize) -> PyResult<usize> {
    let data = rows.as_slice()?;
    enter(py, None, elimination_cost(data, n), |_| gf2_rank(data, n))
}

/// A basis of `{x : rows · x = 0}`.
#[pyfunction]
#[pyo3(name = "gf2_kernel")]
fn gf2_kernel_rows<'py>(
    py: Python<'py>,
    rows: PyReadonlyArray2<'py, u64>,
    n: usize,
) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let data = rows.as_slice()?;
    let out = enter(py, None, elimination_cost(data, n), |_| gf2_kernel(data, n))?;
    to_array(py, out, n)
}

/// The transpose of an `r × n` matrix, as `n` rows of `r` bits.
#[pyfunction]
#[pyo3(name = "gf2_transpose")]
fn gf2_transpose_rows<'py>(
    py: Python<'py>,
    rows: PyReadonlyArray2<'py, u64>,
    n: usize,
) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let r = rows.shape()[0];
    let data = rows.as_slice()?;
    let out = enter(py, None, cost(&[r, n]), |_| gf2_transpose(data, n))?;
    to_array(py, out, r)
}

/// `dim C_𝓑` block by block, from the parity-check columns `cols` (`n` rows of `m` bits).
#[pyfunction]
#[pyo3(name = "gf2_local_rank")]
fn gf2_local_rank_cols(
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
    let work = cost(&[members.len(), 16, gf2_words(m).max(1)]);
    enter(py, None, work, |cancel| {
        gf2_local_rank(cols, n, m, members, &starts, target, cancel)
    })
}

/// `dim C_k` for `k <= 3` by hashing syndromes.
#[pyfunction]
#[pyo3(name = "gf2_low_weight_rank")]
fn gf2_low_weight_rank_cols(
    py: Python<'_>,
    cols: PyReadonlyArray2<'_, u64>,
    n: usize,
    m: usize,
    k: usize,
    target: usize,
) -> PyResult<usize> {
    let cols = cols.as_slice()?;
    let work = cost(&[n, if k >= 3 { n } else { 1 }, gf2_words(m).max(1)]);
    enter(py, None, work, |cancel| {
        gf2_low_weight_rank(cols, n, m, k, target, cancel)
    })
}

/// `dim C_k` for every `k = 0..=n`, enumerating the code spanned by `gen`.
#[pyfunction]
#[pyo3(name = "gf2_weight_profile")]
fn gf2_weight_profile_rows(
    py: Python<'_>,
    gen: PyReadonlyArray2<'_, u64>,
    n: usize,
) -> PyResult<Vec<usize>> {
    let r = gen.shape()[0];
    let gen = gen.as_slice()?;
    let work = if r >= 63 {
        u64::MAX
    } else {
        cost(&[1 << r, gf2_words(n).max(1)])
    };
    enter(py, None, work, |cancel| gf2_weight_profile(gen, n, cancel))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(gf2_rref_rows, m)?)?;
    m.add_function(wrap_pyfunction!(gf2_rank_rows, m)?)?;
    m.add_function(wrap_pyfunction!(gf2_kernel_rows, m)?)?;
    m.add_function(wrap_pyfunction!(gf2_transpose_rows, m)?)?;
    m.add_function(wrap_pyfunction!(gf2_local_rank_cols, m)?)?;
    m.add_function(wrap_pyfunction!(gf2_low_weight_rank_cols, m)?)?;
    m.add_function(wrap_pyfunction!(gf2_weight_profile_rows, m)?)?;
    Ok(())
}
