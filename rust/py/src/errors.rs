//! Mapping of core errors onto the exception classes defined in `natabs.errors`.

use natabs_core::Error;
use pyo3::exceptions::{PyMemoryError, PyValueError};
use pyo3::prelude::*;

/// Raise the Python class named `class` from `natabs.errors`, falling back to `fallback`
/// if that module cannot be imported (which only happens when `_native` is used alone).
fn raise(py: Python<'_>, class: &str, msg: String, fallback: fn(String) -> PyErr) -> PyErr {
    match py.import("natabs.errors").and_then(|m| m.getattr(class)) {
        Ok(cls) => PyErr::from_value(match cls.call1((msg.clone(),)) {
            Ok(exc) => exc,
            Err(e) => return e,
        }),
        Err(_) => fallback(msg),
    }
}

pub fn to_py(py: Python<'_>, err: Error) -> PyErr {
    match err {
        Error::InvalidInput(msg) => raise(py, "InvalidInputError", msg, PyValueError::new_err),
        e @ Error::TooLarge { .. } => {
            raise(py, "TooLargeError", e.to_string(), PyMemoryError::new_err)
        }
    }
}

/// `?` for core results inside a binding.
pub trait IntoPy<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for natabs_core::Result<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}
