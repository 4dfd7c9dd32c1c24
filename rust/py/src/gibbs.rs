//! Block-Gibbs chains on factor graphs (natabs.sampling drives these).
//!
//! Every call goes through [`enter`]: Ctrl-C raises KeyboardInterrupt within about a
//! second however long the call (chains poll for it every sweep, ancestral draws every
//! chain).

use crate::convert::{pool, ScanArg};
use crate::enter::{cost, enter};
use natabs_core::{
    ancestral, uniform_states_into, BlockSampler, Blocks, Cancel, Chains, Error, FactorGraph,
    PackedChains,
};
use numpy::ndarray::Array2;
use numpy::{
    IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyReadwriteArray1, PyReadwriteArray2,
};
use pyo3::prelude::*;
use std::sync::{Arc, Mutex};

/// Block steps (summed over chains) per call of the core on the lattice path, which polls
/// for interrupts only between calls: about 0.1 s of work.
const CHUNK_STEPS: u64 = 1 << 24;

/// States up to this many values are read on the calling thread (see `small_states`).
const SMALL_STATES: usize = 1 << 14;

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

/// A model and block family compiled for sampling (the pairwise and lattice forms found),
/// shared by every run started from it.
#[pyclass(module = "natabs._native", frozen)]
pub struct GibbsSampler {
    inner: Arc<BlockSampler>,
    /// The states of the last run from a uniform start, kept for the next one: a repeat
    /// call on a large model then writes its start into memory already mapped instead of
    /// faulting in (and later unmapping) fresh pages, most of the cost of a start.
    spare: Arc<Mutex<Vec<u16>>>,
}

/// Largest spare state buffer a compiled sampler keeps, in values (64 MiB).
const SPARE_VALUES: usize = 1 << 25;

impl GibbsSampler {
    /// A buffer of `len` values (contents unspecified): the spare when it fits.
    fn buffer(&self, len: usize) -> Vec<u16> {
        let mut v = std::mem::take(&mut *self.spare.lock().unwrap_or_else(|e| e.into_inner()));
        if v.capacity() < len || v.capacity() > 2 * len {
            v = Vec::new();
        }
        v.resize(len, 0);
        v
    }
}

#[pymethods]
impl GibbsSampler {
    #[new]
    #[pyo3(signature = (cards, scope_vars, scope_lens, tables, block_vars, block_lens, fast=true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        cards: Vec<u32>,
        scope_vars: PyReadonlyArray1<'_, u32>,
        scope_lens: PyReadonlyArray1<'_, u32>,
        tables: PyReadonlyArray1<'_, f64>,
        block_vars: PyReadonlyArray1<'_, u32>,
        block_lens: PyReadonlyArray1<'_, u32>,
        fast: bool,
    ) -> PyResult<Self> {
        let model = (&scope_vars, &scope_lens, &tables, &block_vars, &block_lens);
        let inner = compile(py, cards, model, fast)?;
        Ok(GibbsSampler {
            inner: Arc::new(inner),
            spare: Arc::default(),
        })
    }
}

/// The model's arrays as the constructors take them: scope variables and lengths, the
/// log-tables, block variables and lengths.
type ModelArrays<'a, 'py> = (
    &'a PyReadonlyArray1<'py, u32>,
    &'a PyReadonlyArray1<'py, u32>,
    &'a PyReadonlyArray1<'py, f64>,
    &'a PyReadonlyArray1<'py, u32>,
    &'a PyReadonlyArray1<'py, u32>,
);

/// The one way a model and its block family are compiled into a sampler (one pass over
/// the tables, without the GIL).
fn compile(
    py: Python<'_>,
    cards: Vec<u32>,
    (scope_vars, scope_lens, tables, block_vars, block_lens): ModelArrays<'_, '_>,
    fast: bool,
) -> PyResult<BlockSampler> {
    let logs = tables.as_slice()?.to_vec();
    let (sv, sl) = (scope_vars.as_slice()?, scope_lens.as_slice()?);
    let (bv, bl) = (block_vars.as_slice()?, block_lens.as_slice()?);
    enter(py, None, 0, |_| {
        let scopes = split(sv, sl, "scopes")?;
        let blocks = split(bv, bl, "blocks")?;
        let g = FactorGraph::new(cards, &scopes, logs)?;
        let b = Blocks::new(&g, &blocks)?;
        Ok(BlockSampler::new(g, b, fast))
    })
}

/// The chains of a run: `u16` states, or multi-spin words kept packed (a run from the
/// default start on the multi-spin path, which never builds `chains × n` states unless
/// they are read).
enum Engine {
    Plain(Chains),
    Packed(PackedChains),
}

impl Engine {
    fn advance(&mut self, sweeps: u64, cancel: &Cancel) -> natabs_core::Result<()> {
        match self {
            Engine::Plain(c) => c.advance(sweeps, cancel),
            Engine::Packed(c) => c.advance(sweeps, cancel),
        }
    }

    fn sweep_cost(&self) -> u64 {
        match self {
            Engine::Plain(c) => c.sweep_cost(),
            Engine::Packed(c) => c.sweep_cost(),
        }
    }

    /// The `u16` states when they are few enough to read on the calling thread: handing
    /// a few thousand values to the thread pool and back costs more than reading them
    /// (tens of microseconds, more on a busy machine).
    fn small_states(&self) -> Option<&[u16]> {
        match self {
            Engine::Plain(c) if c.states().len() <= SMALL_STATES => Some(c.states()),
            _ => None,
        }
    }

    fn write_states<T: TryFrom<u16> + From<u8> + Copy + Send>(
        &self,
        out: &mut [T],
    ) -> natabs_core::Result<()> {
        if let Some(x) = self.small_states() {
            if out.len() == x.len() {
                for (o, &v) in out.iter_mut().zip(x) {
                    *o = T::try_from(v).map_err(|_| {
                        Error::invalid("the output dtype is too small for the variables' cards")
                    })?;
                }
                return Ok(());
            }
        }
        match self {
            Engine::Plain(c) => c.write_states(out),
            Engine::Packed(c) => c.write_states(out),
        }
    }

    /// Per chain, the number of variables at 1 (binary models), from small states.
    fn small_ones(&self, chains: usize) -> Option<impl Iterator<Item = u64> + '_> {
        let x = self.small_states()?;
        let Engine::Plain(c) = self else { return None };
        if chains != c.chains() || c.n() == 0 {
            return None;
        }
        Some(
            x.chunks(c.n())
                .map(|x| x.iter().map(|&v| v as u64).sum::<u64>()),
        )
    }

    /// Whether every variable is known binary without asking the model (the pairwise
    /// binary fast path); otherwise the core checks.
    fn binary(&self) -> bool {
        match self {
            Engine::Plain(c) => c.fast(),
            Engine::Packed(_) => true,
        }
    }

    fn magnetization(&self, out: &mut [f64]) -> natabs_core::Result<()> {
        if self.binary() {
            if let (Some(ones), Engine::Plain(c)) = (self.small_ones(out.len()), self) {
                let n = c.n() as f64;
                for (o, k) in out.iter_mut().zip(ones) {
                    *o = (2.0 * k as f64 - n) / n;
                }
                return Ok(());
            }
        }
        match self {
            Engine::Plain(c) => c.magnetization(out),
            Engine::Packed(c) => c.magnetization(out),
        }
    }

    fn majority(&self, out: &mut [u8]) -> natabs_core::Result<()> {
        match self {
            Engine::Plain(c) => c.majority(out),
            Engine::Packed(c) => c.majority(out),
        }
    }

    fn joint_code(&self, vars: &[u32], out: &mut [u64]) -> natabs_core::Result<()> {
        match self {
            Engine::Plain(c) => c.joint_code(vars, out),
            Engine::Packed(c) => c.joint_code(vars, out),
        }
    }

    fn reseed(&mut self, seed: u64) {
        match self {
            Engine::Plain(c) => c.reseed(seed),
            Engine::Packed(c) => c.reseed(seed),
        }
    }

    fn path(&self) -> &'static str {
        match self {
            Engine::Plain(c) => c.path(),
            Engine::Packed(_) => "multispin",
        }
    }

    fn fast(&self) -> bool {
        match self {
            Engine::Plain(c) => c.fast(),
            Engine::Packed(_) => true,
        }
    }

    fn steps_per_sweep(&self) -> u64 {
        match self {
            Engine::Plain(c) => c.steps_per_sweep(),
            Engine::Packed(c) => c.steps_per_sweep(),
        }
    }

    fn sweeps_done(&self) -> u64 {
        match self {
            Engine::Plain(c) => c.sweeps_done(),
            Engine::Packed(c) => c.sweeps_done(),
        }
    }
}

/// Independent chains on one model and block family.
#[pyclass(module = "natabs._native")]
pub struct GibbsChains {
    inner: Engine,
    pool: Option<rayon::ThreadPool>,
    /// Where the states go back when the chains are dropped (see `GibbsSampler::spare`).
    spare: Option<Arc<Mutex<Vec<u16>>>>,
}

impl Drop for GibbsChains {
    fn drop(&mut self) {
        if let (Engine::Plain(c), Some(spare)) = (&mut self.inner, &self.spare) {
            let states = c.take_states();
            if states.len() <= SPARE_VALUES {
                if let Ok(mut s) = spare.lock() {
                    *s = states;
                }
            }
        }
    }
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
        scan: ScanArg,
        init: PyReadonlyArray2<'_, u16>,
        seed: u64,
        threads: Option<usize>,
        fast: bool,
        first_chain: u64,
    ) -> PyResult<Self> {
        let chains = init.as_array().nrows();
        let init = init.as_slice()?.to_vec();
        let pool = pool(threads)?;
        let model = (&scope_vars, &scope_lens, &tables, &block_vars, &block_lens);
        let sampler = compile(py, cards, model, fast)?;
        let inner = enter(py, None, 0, |_| {
            Chains::range(sampler, scan.0, init, chains, seed, first_chain)
        })?;
        Ok(GibbsChains {
            inner: Engine::Plain(inner),
            pool,
            spare: None,
        })
    }

    /// Chains on a compiled sampler (no model is rebuilt); `first_chain` as for the
    /// constructor (chains `first_chain..` of a larger run).
    #[staticmethod]
    #[pyo3(signature = (sampler, scan, init, seed, threads=None, first_chain=0))]
    fn start(
        py: Python<'_>,
        sampler: &GibbsSampler,
        scan: ScanArg,
        init: PyReadonlyArray2<'_, u16>,
        seed: u64,
        threads: Option<usize>,
        first_chain: u64,
    ) -> PyResult<Self> {
        let chains = init.as_array().nrows();
        let given = init.as_slice()?;
        let mut init = sampler.buffer(given.len());
        init.copy_from_slice(given);
        let pool = pool(threads)?;
        let s = Arc::clone(&sampler.inner);
        let inner = enter(py, None, 0, |_| {
            Chains::range(s, scan.0, init, chains, seed, first_chain)
        })?;
        Ok(GibbsChains {
            inner: Engine::Plain(inner),
            pool,
            spare: Some(Arc::clone(&sampler.spare)),
        })
    }

    /// Chains `first_chain .. first_chain + chains` on a compiled sampler, from the
    /// default start drawn in the engine with `init_seed` (every variable uniform; chain
    /// `c` from stream `(init_seed, c)`, see `natabs_core::uniform_states`), in the form
    /// the engine holds: packed words on the multi-spin path, `u16` states otherwise.
    #[staticmethod]
    #[pyo3(signature = (sampler, scan, chains, seed, init_seed, threads=None, first_chain=0))]
    fn start_uniform(
        py: Python<'_>,
        sampler: &GibbsSampler,
        scan: ScanArg,
        chains: usize,
        seed: u64,
        init_seed: u64,
        threads: Option<usize>,
        first_chain: u64,
    ) -> PyResult<Self> {
        let pool = pool(threads)?;
        let s = Arc::clone(&sampler.inner);
        // At most a few hundred million draws (the front end refuses larger starts), no
        // interrupt point: run on the calling thread's side of `enter`.
        let inner = enter(py, pool.as_ref(), 0, |_| {
            let systematic = matches!(scan.0, natabs_core::Scan::Systematic);
            if systematic {
                if let Some(p) =
                    PackedChains::uniform(Arc::clone(&s), chains, seed, init_seed, first_chain)?
                {
                    return Ok(Engine::Packed(p));
                }
            }
            let mut x = sampler.buffer(chains.saturating_mul(s.model().n()));
            uniform_states_into(s.model().cards(), chains, init_seed, first_chain, &mut x);
            Chains::range_drawn(s, scan.0, x, chains, seed, first_chain).map(Engine::Plain)
        })?;
        Ok(GibbsChains {
            inner,
            pool,
            spare: Some(Arc::clone(&sampler.spare)),
        })
    }

    /// Advance every chain by `sweeps` sweeps; Ctrl-C stops it within about a second
    /// (the chains are then left part-way).
    fn advance(&mut self, py: Python<'_>, sweeps: u64) -> PyResult<()> {
        let per_sweep = self.inner.sweep_cost().max(1);
        let chunk = (CHUNK_STEPS / per_sweep).max(1);
        let work = per_sweep.saturating_mul(sweeps);
        let inner = &mut self.inner;
        enter(py, self.pool.as_ref(), work, |cancel| {
            let mut left = sweeps;
            while left > 0 {
                let now = left.min(chunk);
                inner.advance(now, cancel)?;
                left -= now;
            }
            Ok(())
        })
    }

    fn write_states_u8(&self, py: Python<'_>, mut out: PyReadwriteArray2<'_, u8>) -> PyResult<()> {
        let out = out.as_slice_mut()?;
        enter(py, None, 0, |_| self.inner.write_states(out))
    }

    fn write_states_u16(
        &self,
        py: Python<'_>,
        mut out: PyReadwriteArray2<'_, u16>,
    ) -> PyResult<()> {
        let out = out.as_slice_mut()?;
        enter(py, None, 0, |_| self.inner.write_states(out))
    }

    fn magnetization(&self, py: Python<'_>, mut out: PyReadwriteArray1<'_, f64>) -> PyResult<()> {
        let out = out.as_slice_mut()?;
        enter(py, None, 0, |_| self.inner.magnetization(out))
    }

    fn majority(&self, py: Python<'_>, mut out: PyReadwriteArray1<'_, u8>) -> PyResult<()> {
        let out = out.as_slice_mut()?;
        enter(py, None, 0, |_| self.inner.majority(out))
    }

    fn joint_code(
        &self,
        py: Python<'_>,
        vars: Vec<u32>,
        mut out: PyReadwriteArray1<'_, u64>,
    ) -> PyResult<()> {
        let out = out.as_slice_mut()?;
        enter(py, None, 0, |_| self.inner.joint_code(&vars, out))
    }

    /// Restart every stream from `seed` and the sweep count at 0, keeping the states (the
    /// run after a burn-in, on the same engine).
    fn reseed(&mut self, seed: u64) {
        self.inner.reseed(seed);
    }

    /// Which loop advances the chains (see `Chains::path`).
    #[getter]
    fn path(&self) -> &'static str {
        self.inner.path()
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
    let pool = pool(threads)?;
    let work = cost(&[chains, n, 8]);
    let flat = enter(py, pool.as_ref(), work, |cancel| {
        let scopes = split(sv, sl, "scopes")?;
        let g = FactorGraph::new(cards, &scopes, logs)?;
        ancestral(&g, &order, &own, chains, seed, cancel)
    })?;
    let arr =
        Array2::from_shape_vec((chains, n), flat).expect("ancestral returns chains x n values");
    Ok(arr.into_pyarray(py))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<GibbsChains>()?;
    m.add_class::<GibbsSampler>()?;
    m.add_function(wrap_pyfunction!(gibbs_ancestral, m)?)?;
    Ok(())
}
