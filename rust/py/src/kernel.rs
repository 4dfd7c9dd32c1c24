//! The resampling kernel as a Python object: built once, then applied many times (by
//! `eigsh`, by chunks of start states under a progress bar), always without the GIL.

use crate::convert::{pool, ScanArg};
use crate::enter::{cost, enter};
use natabs_core::{Kernel as CoreKernel, Support};
use numpy::ndarray::Array2;
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyReadwriteArray2,
};
use pyo3::prelude::*;

fn matrix<'py>(
    py: Python<'py>,
    rows: usize,
    cols: usize,
    v: Vec<f64>,
) -> Bound<'py, PyArray2<f64>> {
    Array2::from_shape_vec((rows, cols), v)
        .expect("the core returns rows x cols values")
        .into_pyarray(py)
}

/// The block-resampling kernel of a support, a probability vector and a block family.
#[pyclass(frozen, module = "natabs._native")]
pub struct Kernel {
    inner: CoreKernel,
}

#[pymethods]
impl Kernel {
    /// Kernel of a coded support.
    #[staticmethod]
    fn from_codes(
        py: Python<'_>,
        cards: Vec<u32>,
        codes: PyReadonlyArray1<'_, u64>,
        probs: PyReadonlyArray1<'_, f64>,
        blocks: Vec<Vec<usize>>,
        budget: u128,
    ) -> PyResult<Kernel> {
        let (codes, probs) = (codes.as_slice()?, probs.as_slice()?);
        let work = cost(&[codes.len(), blocks.len(), 32]);
        let inner = enter(py, None, work, |cancel| {
            Support::from_codes(&cards, codes)
                .and_then(|s| CoreKernel::new(&s, probs, &blocks, budget, cancel))
        })?;
        Ok(Kernel { inner })
    }

    /// Kernel of a support given as rows.
    #[staticmethod]
    fn from_rows(
        py: Python<'_>,
        cards: Vec<u32>,
        rows: PyReadonlyArray2<'_, u32>,
        probs: PyReadonlyArray1<'_, f64>,
        blocks: Vec<Vec<usize>>,
        budget: u128,
    ) -> PyResult<Kernel> {
        let (rows, probs) = (rows.as_slice()?, probs.as_slice()?);
        let work = cost(&[rows.len(), blocks.len(), 32]);
        let inner = enter(py, None, work, |cancel| {
            Support::from_rows(&cards, rows)
                .and_then(|s| CoreKernel::new(&s, probs, &blocks, budget, cancel))
        })?;
        Ok(Kernel { inner })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    #[getter]
    fn n_blocks(&self) -> usize {
        self.inner.n_blocks()
    }

    /// Number of fibres of each block.
    fn fibre_counts(&self) -> Vec<usize> {
        self.inner.fibre_counts()
    }

    /// `mu K` for a row vector `mu`.
    fn propagate<'py>(
        &self,
        py: Python<'py>,
        mu: PyReadonlyArray1<'py, f64>,
        scan: ScanArg,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let ScanArg(scan) = scan;
        let mu = mu.as_slice()?;
        let out = enter(py, None, 0, |_| self.inner.propagate(scan, mu))?;
        Ok(out.into_pyarray(py))
    }

    /// `K f` for a function `f` on the support.
    fn apply<'py>(
        &self,
        py: Python<'py>,
        f: PyReadonlyArray1<'py, f64>,
        scan: ScanArg,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let ScanArg(scan) = scan;
        let f = f.as_slice()?;
        let out = enter(py, None, 0, |_| self.inner.apply(scan, f))?;
        Ok(out.into_pyarray(py))
    }

    /// Compiles the symmetrised operator into a sparse matrix by rows now, if it pays and
    /// fits the budget (otherwise the first symmetric product decides); whether products
    /// use it. Interruptible.
    fn compile_symmetric(&self, py: Python<'_>) -> PyResult<bool> {
        let work = self.compile_cost();
        enter(py, None, work, |cancel| {
            self.inner.compile_symmetric(cancel)
        })
    }

    /// `D^{1/2} K D^{-1/2} v` for the random-scan kernel.
    fn apply_symmetric<'py>(
        &self,
        py: Python<'py>,
        v: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let v = v.as_slice()?;
        let work = self.compile_cost();
        let out = enter(py, None, work, |cancel| {
            self.inner.compile_symmetric(cancel)?;
            self.inner.apply_symmetric(v)
        })?;
        Ok(out.into_pyarray(py))
    }

    /// The dense N x N kernel.
    fn dense<'py>(
        &self,
        py: Python<'py>,
        scan: ScanArg,
        budget: u128,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let ScanArg(scan) = scan;
        let n = self.inner.len();
        let work = cost(&[n, n, self.inner.n_blocks()]);
        let out = enter(py, None, work, |cancel| {
            self.inner.dense(scan, budget, cancel)
        })?;
        Ok(matrix(py, n, n, out))
    }

    /// The dense symmetrised random-scan kernel `D^{1/2} K D^{-1/2}`.
    fn dense_symmetric<'py>(
        &self,
        py: Python<'py>,
        budget: u128,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let n = self.inner.len();
        let work = cost(&[n, n, self.inner.n_blocks()]);
        let out = enter(py, None, work, |cancel| {
            self.inner.dense_symmetric(budget, cancel)
        })?;
        Ok(matrix(py, n, n, out))
    }

    /// `D^{1/2} K D^{-1/2} V` for an N x m block `V` (C-contiguous), all columns in one
    /// pass; `threads` (default: all cores) does not change the result.
    #[pyo3(signature = (v, threads=None))]
    fn apply_symmetric_block<'py>(
        &self,
        py: Python<'py>,
        v: PyReadonlyArray2<'py, f64>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let (rows, cols) = v.as_array().dim();
        let v = v.as_slice()?;
        let pool = pool(threads)?;
        // One product: it does not poll for interrupts (compiling the operator does).
        let work = self.compile_cost();
        let out = enter(py, pool.as_ref(), work, |cancel| {
            self.inner.compile_symmetric(cancel)?;
            self.inner.apply_symmetric_block(v, cols)
        })?;
        Ok(matrix(py, rows, cols, out))
    }

    /// `(D^{1/2} K D^{-1/2})^power V` written into `out`, with `work` as scratch when
    /// `power > 1`: all C-contiguous N x m, `out` and `work` distinct from `v` and each
    /// other. Allocates nothing per call; same values as `apply_symmetric_block` applied
    /// `power` times, whatever `threads`.
    #[pyo3(signature = (v, out, work=None, power=1, threads=None))]
    fn apply_symmetric_into<'py>(
        &self,
        py: Python<'py>,
        v: PyReadonlyArray2<'py, f64>,
        mut out: PyReadwriteArray2<'py, f64>,
        work: Option<PyReadwriteArray2<'py, f64>>,
        power: usize,
        threads: Option<usize>,
    ) -> PyResult<()> {
        let cols = v.as_array().ncols();
        let v = v.as_slice()?;
        let out = out.as_slice_mut()?;
        let mut work = work;
        let mut none: [f64; 0] = [];
        let work: &mut [f64] = match work.as_mut() {
            Some(w) => w.as_slice_mut()?,
            None => &mut none,
        };
        let pool = pool(threads)?;
        let cost = self.compile_cost();
        enter(py, pool.as_ref(), cost, |cancel| {
            self.inner.compile_symmetric(cancel)?;
            self.inner
                .apply_symmetric_power_into(v, cols, power, out, work)
        })
    }

    /// One Chebyshev recurrence step `out = alpha S V + beta V + gamma W` for N x m
    /// C-contiguous blocks (`out` distinct from `v` and `w`), in one pass where the
    /// operator is compiled; `threads` does not change the result.
    #[pyo3(signature = (v, w, out, alpha, beta, gamma, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn chebyshev_step_into<'py>(
        &self,
        py: Python<'py>,
        v: PyReadonlyArray2<'py, f64>,
        w: PyReadonlyArray2<'py, f64>,
        mut out: PyReadwriteArray2<'py, f64>,
        alpha: f64,
        beta: f64,
        gamma: f64,
        threads: Option<usize>,
    ) -> PyResult<()> {
        let cols = v.as_array().ncols();
        let v = v.as_slice()?;
        let w = w.as_slice()?;
        let out = out.as_slice_mut()?;
        let pool = pool(threads)?;
        let cost = self.compile_cost();
        enter(py, pool.as_ref(), cost, |cancel| {
            self.inner.compile_symmetric(cancel)?;
            self.inner
                .chebyshev_step_into(v, w, cols, (alpha, beta, gamma), out)
        })
    }

    /// `KL(delta_s K^T || P)` in nats, shape (len(starts), len(steps)); `threads`
    /// (default: all cores) does not change the result.
    #[pyo3(signature = (starts, steps, scan, budget, threads=None))]
    fn kl_from_starts<'py>(
        &self,
        py: Python<'py>,
        starts: PyReadonlyArray1<'py, u32>,
        steps: PyReadonlyArray1<'py, u64>,
        scan: ScanArg,
        budget: u128,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let ScanArg(scan) = scan;
        let (starts, steps) = (starts.as_slice()?, steps.as_slice()?);
        let pool = pool(threads)?;
        let last = steps
            .last()
            .map_or(0, |&t| t.min(usize::MAX as u64) as usize);
        let work = cost(&[starts.len(), last, self.inner.len(), self.inner.n_blocks()]);
        let out = enter(py, pool.as_ref(), work, |cancel| {
            self.inner
                .kl_from_starts(scan, starts, steps, budget, cancel)
        })?;
        Ok(matrix(py, starts.len(), steps.len(), out))
    }

    /// `KL(mu_i K^T || P)` in nats for the rows `mu_i` of `laws`, shape (rows, len(steps)).
    fn kl_from_laws<'py>(
        &self,
        py: Python<'py>,
        laws: PyReadonlyArray2<'py, f64>,
        steps: PyReadonlyArray1<'py, u64>,
        scan: ScanArg,
        budget: u128,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let ScanArg(scan) = scan;
        let rows = laws.as_array().nrows();
        let (laws, steps) = (laws.as_slice()?, steps.as_slice()?);
        let last = steps
            .last()
            .map_or(0, |&t| t.min(usize::MAX as u64) as usize);
        let work = cost(&[rows, last, self.inner.len(), self.inner.n_blocks()]);
        let out = enter(py, None, work, |cancel| {
            self.inner.kl_from_laws(scan, laws, steps, budget, cancel)
        })?;
        Ok(matrix(py, rows, steps.len(), out))
    }
}

impl Kernel {
    /// The `cost` of a symmetric product: nothing once the operator's compiled form is
    /// decided, else that of compiling it (watched, so Ctrl-C stops it).
    fn compile_cost(&self) -> u64 {
        if self.inner.symmetric_form_ready() {
            0
        } else {
            cost(&[self.inner.len(), self.inner.n_blocks(), 32])
        }
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Kernel>()?;
    Ok(())
}
