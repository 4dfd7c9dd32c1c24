//! The one way into the core from Python: [`enter`] runs a piece of core work without the
//! GIL, notices Ctrl-C while it runs, and maps its error onto `natabs.errors`.
//!
//! Signals are handled by Python on the main thread only, and only when that thread calls
//! `PyErr_CheckSignals`. So long work is handed to a rayon worker while the calling thread
//! waits without the GIL, waking every [`POLL`] to check for signals (short work runs on
//! the calling thread: see [`WATCHED_COST`]). On an interrupt it sets the work's
//! [`Cancel`] flag, which the core polls between chunks of well under a second, waits for
//! the work to stop, and raises the `KeyboardInterrupt`. This is the role of polars'
//! `enter_polars`.

use crate::errors::to_py;
use natabs_core::Cancel;
use pyo3::prelude::*;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// How often the waiting thread checks for signals.
const POLL: Duration = Duration::from_millis(50);
/// Work estimated below this many elementary operations (a few milliseconds) runs on the
/// calling thread, unwatched: handing it to a worker and back costs tens of microseconds,
/// which would dominate short calls made in a loop (the products of an eigensolver), and
/// Python checks for signals between such calls anyway.
const WATCHED_COST: u64 = 1 << 22;

/// Runs `work` on `pool` (the global rayon pool if `None`) with the GIL released; Ctrl-C
/// cancels it within about a second and raises `KeyboardInterrupt`; core errors become
/// the exceptions of `natabs.errors`. `cost` estimates the work in elementary operations
/// (saturating; `u64::MAX` when unknown): below [`WATCHED_COST`] the work runs on the
/// calling thread with a flag that is never set. A panic in `work` propagates (pyo3
/// raises it as `PanicException`).
pub fn enter<T, F>(
    py: Python<'_>,
    pool: Option<&rayon::ThreadPool>,
    cost: u64,
    work: F,
) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&Cancel) -> natabs_core::Result<T> + Send,
{
    if cost < WATCHED_COST {
        let run = || work(Cancel::never());
        return py
            .detach(|| match pool {
                Some(p) => p.install(run),
                None => run(),
            })
            .map_err(to_py);
    }
    let cancel = Cancel::new();
    let done = Done::default();
    let mut interrupt: Option<PyErr> = None;
    let result = match pool {
        Some(p) => p.in_place_scope(|s| drive(py, s, work, &cancel, &done, &mut interrupt)),
        None => rayon::in_place_scope(|s| drive(py, s, work, &cancel, &done, &mut interrupt)),
    };
    match (interrupt, result) {
        (Some(e), _) => Err(e),
        (None, Some(r)) => r.map_err(to_py),
        (None, None) => unreachable!("the scope re-raises the panic of its work"),
    }
}

/// Spawns `work` in `scope` and waits for its result without the GIL, checking for signals
/// every [`POLL`]; `None` if the work panicked.
fn drive<'scope, T, F>(
    py: Python<'_>,
    scope: &rayon::Scope<'scope>,
    work: F,
    cancel: &'scope Cancel,
    done: &'scope Done<natabs_core::Result<T>>,
    interrupt: &mut Option<PyErr>,
) -> Option<natabs_core::Result<T>>
where
    T: Send + 'scope,
    F: FnOnce(&Cancel) -> natabs_core::Result<T> + Send + 'scope,
{
    scope.spawn(move |_| {
        let _guard = Abandon(done);
        done.put(work(cancel));
    });
    loop {
        if let Some(result) = py.detach(|| done.wait(POLL)) {
            return Some(result);
        }
        if done.abandoned() {
            // The work panicked; the scope re-raises the panic when it ends.
            return None;
        }
        if interrupt.is_none() {
            if let Err(e) = py.check_signals() {
                cancel.cancel();
                *interrupt = Some(e);
            }
        }
    }
}

/// Marks the work abandoned if it unwinds before handing over a result.
struct Abandon<'a, T>(&'a Done<T>);

impl<T> Drop for Abandon<'_, T> {
    fn drop(&mut self) {
        let mut slot = self.0.lock();
        if matches!(*slot, Slot::Running) {
            *slot = Slot::Abandoned;
            self.0.ready.notify_one();
        }
    }
}

/// The result of the work, handed from the worker to the waiting thread.
struct Done<T> {
    slot: Mutex<Slot<T>>,
    ready: Condvar,
}

enum Slot<T> {
    Running,
    Finished(T),
    Taken,
    Abandoned,
}

impl<T> Default for Done<T> {
    fn default() -> Self {
        Done {
            slot: Mutex::new(Slot::Running),
            ready: Condvar::new(),
        }
    }
}

impl<T> Done<T> {
    fn put(&self, value: T) {
        *self.lock() = Slot::Finished(value);
        self.ready.notify_one();
    }

    /// The result if it arrives within `timeout`.
    fn wait(&self, timeout: Duration) -> Option<T> {
        let mut slot = self.lock();
        if matches!(*slot, Slot::Running) {
            slot = self
                .ready
                .wait_timeout(slot, timeout)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        match std::mem::replace(&mut *slot, Slot::Taken) {
            Slot::Finished(v) => Some(v),
            other => {
                *slot = other;
                None
            }
        }
    }

    /// Whether the worker went away without a result (it panicked).
    fn abandoned(&self) -> bool {
        matches!(*self.lock(), Slot::Abandoned)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slot<T>> {
        // A panic while holding the lock cannot leave the slot half-written.
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The product of the sizes that make up a piece of work, saturating: the `cost` of
/// [`enter`].
pub fn cost(sizes: &[usize]) -> u64 {
    sizes
        .iter()
        .fold(1u64, |a, &b| a.saturating_mul(b.max(1) as u64))
}
