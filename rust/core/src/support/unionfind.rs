//! A lock-free union-find over `u32` positions, safe to call from many threads at once.
//!
//! Invariant: `parent[x] <= x`. Roots are linked to the smaller root with a
//! compare-and-swap, and path halving only ever lowers a parent, so no cycle can form and
//! every root is the smallest position of its set.

use std::sync::atomic::{AtomicU32, Ordering::*};

pub struct UnionFind {
    parent: Vec<AtomicU32>,
}

impl UnionFind {
    pub fn new(len: usize) -> Self {
        UnionFind {
            parent: (0..len as u32).map(AtomicU32::new).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// The root of `x`'s set: its smallest member once all unions have finished.
    pub fn find(&self, mut x: u32) -> u32 {
        loop {
            let p = self.parent[x as usize].load(Acquire);
            if p == x {
                return x;
            }
            let g = self.parent[p as usize].load(Acquire);
            if g != p {
                // Path halving; losing the race only means less compression.
                let _ = self.parent[x as usize].compare_exchange_weak(p, g, AcqRel, Relaxed);
            }
            x = g;
        }
    }

    /// Joins the sets of `a` and `b` and returns the joined set's root at that moment.
    ///
    /// Passing the returned root back as `a` for the next union of the same element
    /// saves a walk: a root's `find` is a single load.
    pub fn union(&self, a: u32, b: u32) -> u32 {
        loop {
            let (ra, rb) = (self.find(a), self.find(b));
            if ra == rb {
                return ra;
            }
            let (hi, lo) = if ra > rb { (ra, rb) } else { (rb, ra) };
            if self.parent[hi as usize]
                .compare_exchange(hi, lo, AcqRel, Acquire)
                .is_ok()
            {
                return lo;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn sequential_unions() {
        let uf = UnionFind::new(6);
        uf.union(4, 2);
        uf.union(5, 4);
        uf.union(1, 3);
        assert_eq!(uf.find(5), 2);
        assert_eq!(uf.find(3), 1);
        assert_eq!(uf.find(0), 0);
    }

    #[test]
    fn parallel_chain_joins_everything() {
        let n = 200_000u32;
        let uf = UnionFind::new(n as usize);
        (1..n).into_par_iter().for_each(|i| {
            uf.union(i, i - 1);
        });
        assert!((0..n).into_par_iter().all(|i| uf.find(i) == 0));
    }
}
