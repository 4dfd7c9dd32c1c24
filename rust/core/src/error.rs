//! The one error type of the core. The Python bindings map each variant onto a Python
//! exception; nothing here panics on bad input.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The input breaks a documented precondition; the message says which and where.
    InvalidInput(String),
    /// The request would need more memory than is reasonable; refused before allocating.
    TooLarge { what: String, bytes: u128 },
    /// The work was stopped through its [`crate::Cancel`] flag before it finished.
    Cancelled,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidInput(msg.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput(msg) => f.write_str(msg),
            Error::TooLarge { what, bytes } => write!(
                f,
                "{what} would need about {:.1} GiB; refusing before allocating it",
                *bytes as f64 / (1u64 << 30) as f64
            ),
            Error::Cancelled => f.write_str("interrupted before the work finished"),
        }
    }
}

impl std::error::Error for Error {}
