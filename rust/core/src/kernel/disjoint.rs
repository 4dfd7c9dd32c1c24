//! The one unsafe piece of the kernel: a buffer shared by parallel tasks that write
//! disjoint positions.
//!
//! Fibres partition the support, so when each task handles one fibre, every position of
//! the output belongs to exactly one task. Rust cannot see that partition, hence this
//! wrapper; every call site states why its positions are its own.

/// `out` shared by tasks that write disjoint positions (one fibre each).
pub(super) struct Disjoint(*mut f64);

// SAFETY: only used where every position is written by one task (fibres partition the
// support), and the buffer outlives the parallel loop that uses it.
unsafe impl Sync for Disjoint {}
unsafe impl Send for Disjoint {}

impl Disjoint {
    /// Shares `out` for the duration of one parallel loop.
    pub(super) fn new(out: &mut [f64]) -> Disjoint {
        Disjoint(out.as_mut_ptr())
    }

    /// # Safety
    /// `i` is in bounds and no other thread accesses position `i` concurrently.
    #[inline]
    pub(super) unsafe fn write(&self, i: usize, value: f64) {
        *self.0.add(i) = value;
    }

    /// # Safety
    /// As for `write`.
    #[inline]
    pub(super) unsafe fn add(&self, i: usize, value: f64) {
        *self.0.add(i) += value;
    }
}
