//! Core errors as exceptions of `natabs.errors`, whose classes are imported once (on first
//! use) and cached.

use natabs_core::Error;
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;

pyo3::import_exception!(natabs.errors, InvalidInputError);
pyo3::import_exception!(natabs.errors, TooLargeError);

/// The exception of `natabs.errors` for a core error. `Cancelled` only reaches here when
/// the work was stopped by an interrupt that [`crate::enter::enter`] already raises; it
/// maps to `KeyboardInterrupt` as a safety net.
pub fn to_py(err: Error) -> PyErr {
    match err {
        Error::InvalidInput(msg) => InvalidInputError::new_err(msg),
        e @ Error::TooLarge { .. } => TooLargeError::new_err(e.to_string()),
        e @ Error::Cancelled => PyKeyboardInterrupt::new_err(e.to_string()),
    }
}
