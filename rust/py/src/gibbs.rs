//! Block-Gibbs chains on factor graphs (natabs.sampling drives these).
//!
//! `GibbsChains.advance` works in chunks of a few sweeps: each chunk runs with the GIL
//! released, and between chunks pending signals are checked, so Ctrl-C raises
//! KeyboardInterrupt within about a second however long the call.

use crate::errors::IntoPy;
use natabs_core::gibbs::kernel::Kernel;
use natabs_core::gibbs::{ancestral, Blocks, Chains, FactorGraph, Scan};
use natabs_core::Error;
use numpy::ndarray::Array2;
use numpy::{
    IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyReadwriteArray1, PyReadwriteArray2,
};
use pyo3::prelude::*;

/// Block steps (summed over chains) run between two signal checks: about 0.1 s of work.
const CHUNK_STEPS: u64 = 1 << 24;

pub(crate) fn pool(threads: Option<usize>) -> natabs_core::Result<Option<rayon::ThreadPool>> {
    match threads {
        None => Ok(None),
        Some(0) => Err(Error::invalid(
            "threads must be >= 1 (or None for all cores)",
        )),
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .map(Some)
            .map_err(|e| Error::invalid(format!("cannot start {t} threads: {e}"))),
    }
}

/// Split a flat list of indices into pieces of the given lengths (scopes, blocks).
fn split(flat: &[u32], lens: &[u32], what: &str) -> natabs_core::Result<Vec<Vec<u32>>> {
    let total: u64 = lens.iter().map(|&l| l as u64).sum();
    if total != flat.len() as u64 {
        return Err(Error::invalid(format!(
            "{what}: lengths sum to {total} but {} indices given",
            flat.len()
        )));
    }
    let mut out = Vec::with_capacity(lens.len());
    let mut at = 0usize;
    for &l in lens {
        out.push(flat[at..at + l as usize].to_vec());
        at += l as usize;
    }
    Ok(out)
}

pub(crate) fn in_pool<T: Send>(
    pool: &Option<rayon::ThreadPool>,
    f: impl FnOnce() -> T + Send,
) -> T {
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// Independent chains on one model and block family.
#[pyclass(module = "natabs._native")]
pub struct GibbsChains {
    inner: Chains,
    pool: Option<rayon::ThreadPool>,
}

#[pymethods]
impl GibbsChains {
    #[new]
    #[pyo3(signature = (cards, scope_vars, scope_lens, tables, block_vars, block_lens, scan, init, seed, threads=None, fast=true, first_chain=0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        cards: Vec<u32>,
        scope_vars: PyReadonlyArray1<'_, u32>,
        scope_lens: PyReadonlyArray1<'_, u32>,
        tables: PyReadonlyArray1<'_, f64>,
        block_vars: PyReadonlyArray1<'_, u32>,
        block_lens: PyReadonlyArray1<'_, u32>,
        scan: &str,
        init: PyReadonlyArray2<'_, u16>,
        seed: u64,
        threads: Option<usize>,
        fast: bool,
        first_chain: u64,
    ) -> PyResult<Self> {
        let scan = match scan {
            "random" => Scan::Random,
            "systematic" => Scan::Systematic,
            other => {
                return Err(Error::invalid(format!(
                    "scan must be 'random' or 'systematic', got {other:?}"
                )))
                .py_err(py)
            }
        };
        let logs = tables.as_slice()?.to_vec();
        let chains = init.as_array().nrows();
        let init = init.as_slice()?.to_vec();
        let (sv, sl) = (scope_vars.as_slice()?, scope_lens.as_slice()?);
        let (bv, bl) = (block_vars.as_slice()?, block_lens.as_slice()?);
        let built = py.detach(|| -> natabs_core::Result<_> {
            let scopes = split(sv, sl, "scopes")?;
            let blocks = split(bv, bl, "blocks")?;
            let g = FactorGraph::new(cards, &scopes, logs)?;
            let b = Blocks::new(&g, &blocks)?;
            let kernel = Kernel::new(g, b, fast);
            let inner = Chains::range(kernel, scan, init, chains, seed, first_chain)?;
            Ok((inner, pool(threads)?))
        });
        let (inner, pool) = built.py_err(py)?;
        Ok(GibbsChains { inner, pool })
    }

    /// Advance every chain by `sweeps` sweeps, checking for signals between chunks.
    fn advance(&mut self, py: Python<'_>, sweeps: u64) -> PyResult<()> {
        let per_sweep = self.inner.sweep_cost().max(1);
        let chunk = (CHUNK_STEPS / per_sweep).max(1);
        let mut left = sweeps;
        while left > 0 {
            let now = left.min(chunk);
            let (inner, pool) = (&mut self.inner, &self.pool);
            py.detach(|| in_pool(pool, || inner.advance(now)));
            left -= now;
            py.check_signals()?;
        }
        Ok(())
    }

    fn write_states_u8(&self, py: Python<'_>, mut out: PyReadwriteArray2<'_, u8>) -> PyResult<()> {
        let out = out.as_slice_mut()?;
        py.detach(|| self.inner.write_states(out)).py_err(py)
    }

    fn write_states_u16(
        &self,
        py: Python<'_>,
        mut out: PyReadwriteArray2<'_, u16>,
    ) -> PyResult<()> {
        let out = out.as_slice_mut()?;
        py.detach(|| self.inner.write_states(out)).py_err(py)
    }

    fn magnetization(&self, py: Python<'_>, mut out: PyReadwriteArray1<'_, f64>) -> PyResult<()> {
        let out = out.as_slice_mut()?;
        py.detach(|| self.inner.magnetization(out)).py_err(py)
    }

    fn majority(&self, py: Python<'_>, mut out: PyReadwriteArray1<'_, u8>) -> PyResult<()> {
        let out = out.as_slice_mut()?;
        py.detach(|| self.inner.majority(out)).py_err(py)
    }

    fn joint_code(
        &self,
        py: Python<'_>,
        vars: Vec<u32>,
        mut out: PyReadwriteArray1<'_, u64>,
    ) -> PyResult<()> {
        let out = out.as_slice_mut()?;
        py.detach(|| self.inner.joint_code(&vars, out)).py_err(py)
    }

    #[getter]
    fn fast(&self) -> bool {
        self.inner.fast()
    }

    #[getter]
    fn steps_per_sweep(&self) -> u64 {
        self.inner.steps_per_sweep()
    }

    #[getter]
    fn sweeps_done(&self) -> u64 {
        self.inner.sweeps_done()
    }
}

/// Exact ancestral samples of a DAG: (chains, n) uint16.
#[pyfunction]
#[pyo3(signature = (cards, scope_vars, scope_lens, tables, order, own, chains, seed, threads=None))]
#[allow(clippy::too_many_arguments)]
fn gibbs_ancestral<'py>(
    py: Python<'py>,
    cards: Vec<u32>,
    scope_vars: PyReadonlyArray1<'py, u32>,
    scope_lens: PyReadonlyArray1<'py, u32>,
    tables: PyReadonlyArray1<'py, f64>,
    order: Vec<u32>,
    own: Vec<u32>,
    chains: usize,
    seed: u64,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyArray2<u16>>> {
    let logs = tables.as_slice()?.to_vec();
    let n = cards.len();
    let (sv, sl) = (scope_vars.as_slice()?, scope_lens.as_slice()?);
    let flat = py
        .detach(|| -> natabs_core::Result<Vec<u16>> {
            let scopes = split(sv, sl, "scopes")?;
            let g = FactorGraph::new(cards, &scopes, logs)?;
            let p = pool(threads)?;
            in_pool(&p, || ancestral(&g, &order, &own, chains, seed))
        })
        .py_err(py)?;
    let arr =
        Array2::from_shape_vec((chains, n), flat).expect("ancestral returns chains x n values");
    Ok(arr.into_pyarray(py))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<GibbsChains>()?;
    m.add_function(wrap_pyfunction!(gibbs_ancestral, m)?)?;
    Ok(())
}
