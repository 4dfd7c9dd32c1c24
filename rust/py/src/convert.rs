//! Arguments converted at the boundary: each enum is parsed from its Python spelling here,
//! once, with an error that lists the valid values.

use crate::errors::to_py;
use natabs_core::Scan;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

/// `scan="random" | "systematic"`.
pub struct ScanArg(pub Scan);

impl<'a, 'py> FromPyObject<'a, 'py> for ScanArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let name: PyBackedStr = obj.extract()?;
        Scan::parse(&name).map(ScanArg).map_err(to_py)
    }
}

/// A rayon pool of `threads` threads, or `None` for the global pool (all cores).
pub fn pool(threads: Option<usize>) -> PyResult<Option<rayon::ThreadPool>> {
    match threads {
        None => Ok(None),
        Some(0) => Err(to_py(natabs_core::Error::invalid(
            "threads must be >= 1 (or None for all cores)",
        ))),
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .map(Some)
            .map_err(|e| {
                to_py(natabs_core::Error::invalid(format!(
                    "cannot start {t} threads: {e}"
                )))
            }),
    }
}
