//! Cooperative cancellation of long work.
//!
//! Long loops (propagation over many steps, chains, dense matrices, components of large
//! supports) poll a [`Cancel`] between chunks of work, each well under a second, and stop
//! with [`Error::Cancelled`] once it is set. Polling is one relaxed atomic load, so it
//! may be done per step or per chain. A front end sets the flag from the thread that
//! watches for interrupts (the Python bindings: on Ctrl-C).

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicBool, Ordering};

static NEVER: Cancel = Cancel(AtomicBool::new(false));

/// A flag set from outside to stop work that polls it.
#[derive(Debug, Default)]
pub struct Cancel(AtomicBool);

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// A flag that is never set, for callers that do not cancel.
    pub fn never() -> &'static Cancel {
        &NEVER
    }

    /// Ask every poller to stop (a no-op on [`Cancel::never`], which is shared).
    pub fn cancel(&self) {
        if !std::ptr::eq(self, &NEVER) {
            self.0.store(true, Ordering::Relaxed);
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once the flag is set: `cancel.check()?` between chunks.
    #[inline]
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_fails_once_cancelled() {
        let c = Cancel::new();
        assert!(c.check().is_ok());
        c.cancel();
        assert_eq!(c.check(), Err(Error::Cancelled));
        Cancel::never().cancel();
        assert!(Cancel::never().check().is_ok());
    }
}
