//! The lattice path: pairwise binary models on a rectangular `R × C` lattice, periodic (a
//! torus) or open, with neighbours computed instead of read.
//!
//! Site `r * C + c` sits at row `r`, column `c`. A periodic lattice has `R, C >= 3` (smaller
//! sides would need double edges) and every site has degree 4; an open lattice has
//! `R, C >= 2`, corners of degree 2 and border sites of degree 3. The heat-bath thresholds
//! are indexed by (degree, number of neighbours equal to 1): uniform coupling and field
//! give one table per degree (an Ising field on `x in {0, 1}` shifts each site's bias by
//! its degree). [`Lattice::detect`] finds the lattice in neighbour lists in row-major order;
//! `natabs` relabels any graph that is such a lattice into that order (systems/_graphs.py).

use super::rng::{bernoulli_word, site_and_word};
use rand_core::Rng;
use std::ops::Add;

/// A rectangular lattice in row-major order with its heat-bath thresholds.
#[derive(Clone, Debug)]
pub struct Lattice {
    rows: usize,
    cols: usize,
    periodic: bool,
    /// `ceil(2^64 / C)`: `i / C == (i * recip) >> 64` for every 32-bit `i` (Lemire's
    /// division by a run-time constant), so a random site costs no division.
    recip: u64,
    /// The thresholds of degree-4 sites (every site of a torus), indexed by the number of
    /// neighbours equal to 1. Entries 5..8 are never used; the array has 8 so an index
    /// masked with 7 needs no bounds check.
    thr: [u64; 8],
    /// `by_degree[d]`: the thresholds of sites of degree `d` (open lattices: 2, 3 and 4).
    by_degree: [[u64; 8]; 5],
}

impl Lattice {
    /// The lattice, if the neighbour lists (`nb[nb_ptr[i]..nb_ptr[i + 1]]` for each of the
    /// `n` sites) are exactly those of a periodic or open `R × C` lattice in row-major
    /// order and every site of degree `d` uses one threshold table (`table[i]`: offset into
    /// `thresholds`, `u32::MAX` when the site has no table).
    pub(super) fn detect(
        nb_ptr: &[usize],
        nb: &[u32],
        table: &[u32],
        thresholds: &[u64],
    ) -> Option<Lattice> {
        let n = table.len();
        if n < 4 || n > u32::MAX as usize || nb_ptr.len() != n + 1 {
            return None;
        }
        let mut off = [u32::MAX; 5];
        for (i, &t) in table.iter().enumerate() {
            let d = nb_ptr[i + 1] - nb_ptr[i];
            if !(2..=4).contains(&d) || t == u32::MAX || (off[d] != u32::MAX && off[d] != t) {
                return None;
            }
            off[d] = t;
        }
        let mut by_degree = [[0u64; 8]; 5];
        for d in 2..=4 {
            if off[d] != u32::MAX {
                let o = off[d] as usize;
                by_degree[d][..=d].copy_from_slice(thresholds.get(o..o + d + 1)?);
            }
        }
        let first = &nb[nb_ptr[0]..nb_ptr[1]];
        let periodic = match first.len() {
            4 => true,
            2 => false,
            _ => return None,
        };
        let least = if periodic { 3 } else { 2 };
        // Site 0's neighbours include site C (the one below it): try each as the width.
        first.iter().find_map(|&c| {
            let c = c as usize;
            if c < least || n % c != 0 || n / c < least {
                return None;
            }
            let lat = Lattice {
                rows: n / c,
                cols: c,
                periodic,
                recip: (u64::MAX / c as u64).wrapping_add(1),
                thr: by_degree[4],
                by_degree,
            };
            (0..n)
                .all(|i| {
                    let (mut want, k) = lat.neighbours(i);
                    let got = &nb[nb_ptr[i]..nb_ptr[i + 1]];
                    let mut have = [0usize; 4];
                    if got.len() != k {
                        return false;
                    }
                    for (h, &g) in have.iter_mut().zip(got) {
                        *h = g as usize;
                    }
                    want[..k].sort_unstable();
                    have[..k].sort_unstable();
                    want[..k] == have[..k]
                })
                .then_some(lat)
        })
    }

    /// The neighbours of site `i` (the first `k` entries) and their number `k`.
    fn neighbours(&self, i: usize) -> ([usize; 4], usize) {
        let (rows, cols) = (self.rows, self.cols);
        let (r, c) = (i / cols, i % cols);
        if self.periodic {
            let out = [
                ((r + rows - 1) % rows) * cols + c,
                ((r + 1) % rows) * cols + c,
                r * cols + (c + cols - 1) % cols,
                r * cols + (c + 1) % cols,
            ];
            return (out, 4);
        }
        let mut out = [0usize; 4];
        let mut k = 0;
        for (ok, j) in [
            (r > 0, i.wrapping_sub(cols)),
            (r + 1 < rows, i + cols),
            (c > 0, i.wrapping_sub(1)),
            (c + 1 < cols, i + 1),
        ] {
            if ok {
                out[k] = j;
                k += 1;
            }
        }
        (out, k)
    }

    /// Rows `R`.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns `C`.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Whether the lattice wraps around (a torus).
    pub fn periodic(&self) -> bool {
        self.periodic
    }

    /// Whether this is the periodic `L × L` lattice (what multi-spin coding handles).
    pub fn square_torus(&self) -> bool {
        self.periodic && self.rows == self.cols
    }

    /// The side `L` of a square lattice.
    pub fn side(&self) -> usize {
        debug_assert!(self.rows == self.cols);
        self.cols
    }

    /// The heat-bath thresholds of degree-4 sites, indexed by the number of neighbours
    /// equal to 1.
    pub fn thresholds(&self) -> [u64; 5] {
        std::array::from_fn(|s| self.thr[s])
    }

    /// One systematic pass over the sites in order `0..n`, one random word per update.
    pub fn sweep<R: Rng>(&self, x: &mut [u16], rng: &mut R) {
        if self.periodic {
            self.sweep_torus(x, rng);
        } else {
            self.open_pass(x, &mut OneChain(rng));
        }
    }

    /// [`Lattice::sweep`] of a torus.
    ///
    /// Rows are walked with their neighbour rows fixed and the wrap-around handled only at
    /// the two ends, so the inner loop has no branch. (Sharing one word between two
    /// updates saves instructions but not time: an update waits on its left neighbour's
    /// fresh value, and the generator's work fills that wait.)
    fn sweep_torus<R: Rng>(&self, x: &mut [u16], rng: &mut R) {
        let (rows, cols) = (self.rows, self.cols);
        let x = &mut x[..rows * cols];
        for r in 0..rows {
            let row = r * cols;
            let up = if r == 0 { rows - 1 } else { r - 1 } * cols;
            let down = if r + 1 == rows { 0 } else { r + 1 } * cols;
            self.update_cell(x, row, up, down, 0, cols - 1, 1, rng.next_u64());
            for c in 1..cols - 1 {
                self.update_cell(x, row, up, down, c, c - 1, c + 1, rng.next_u64());
            }
            self.update_cell(x, row, up, down, cols - 1, cols - 2, 0, rng.next_u64());
        }
    }

    /// Heat-bath update of the site in column `c` of the row starting at `row`; `up` and
    /// `down` start the rows above and below, `left` and `right` are neighbour columns.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn update_cell(
        &self,
        x: &mut [u16],
        row: usize,
        up: usize,
        down: usize,
        c: usize,
        left: usize,
        right: usize,
        w: u64,
    ) {
        debug_assert!(row.max(up).max(down) + self.cols <= x.len());
        debug_assert!(c < self.cols && left < self.cols && right < self.cols);
        // SAFETY: `sweep_torus` passes starts of rows below R and columns below C, so
        // every index is below R * C = x.len(). Four bounds checks on the hottest loop of
        // the library cost a third of its instructions.
        let (s, target) = unsafe {
            (
                *x.get_unchecked(up + c)
                    + *x.get_unchecked(down + c)
                    + *x.get_unchecked(row + left)
                    + *x.get_unchecked(row + right),
                x.get_unchecked_mut(row + c),
            )
        };
        *target = bernoulli_word(w, self.thr[(s & 7) as usize]) as u16;
    }

    /// One systematic pass over an open lattice: for each site `i` in order,
    /// `f.visit(&mut x[i], s, table)` with `s` the sum of its neighbours' values and
    /// `table` the thresholds of its degree. Rows and columns at the border are separate
    /// loops whose neighbours are known at compile time, so the inner loop has no branch.
    #[inline(always)]
    fn open_pass<T, F>(&self, x: &mut [T], f: &mut F)
    where
        T: Copy + Default + Add<Output = T>,
        F: Visit<T>,
    {
        let (rows, cols) = (self.rows, self.cols);
        let x = &mut x[..rows * cols];
        self.open_row::<T, F, false, true>(x, 0, f);
        for r in 1..rows - 1 {
            self.open_row::<T, F, true, true>(x, r * cols, f);
        }
        self.open_row::<T, F, true, false>(x, (rows - 1) * cols, f);
    }

    #[inline(always)]
    fn open_row<T, F, const U: bool, const D: bool>(&self, x: &mut [T], row: usize, f: &mut F)
    where
        T: Copy + Default + Add<Output = T>,
        F: Visit<T>,
    {
        let cols = self.cols;
        self.open_cell::<T, F, U, D, false, true>(x, row, 0, f);
        for c in 1..cols - 1 {
            self.open_cell::<T, F, U, D, true, true>(x, row, c, f);
        }
        self.open_cell::<T, F, U, D, true, false>(x, row, cols - 1, f);
    }

    #[inline(always)]
    fn open_cell<T, F, const U: bool, const D: bool, const L: bool, const R: bool>(
        &self,
        x: &mut [T],
        row: usize,
        c: usize,
        f: &mut F,
    ) where
        T: Copy + Default + Add<Output = T>,
        F: Visit<T>,
    {
        let (cols, i) = (self.cols, row + c);
        debug_assert!(x.len() == self.rows * cols && i < x.len() && c < cols);
        debug_assert!((!U || row >= cols) && (!D || row + cols < x.len()));
        debug_assert!((!L || c >= 1) && (!R || c + 1 < cols));
        let mut s = T::default();
        let d = U as usize + D as usize + L as usize + R as usize;
        // SAFETY: `open_pass` passes U only for rows after the first, D only for rows
        // before the last, L only for columns after the first and R only before the last,
        // and i < R * C, so every index is inside the lattice (x.len() = R * C).
        unsafe {
            if U {
                s = s + *x.get_unchecked(i - cols);
            }
            if D {
                s = s + *x.get_unchecked(i + cols);
            }
            if L {
                s = s + *x.get_unchecked(i - 1);
            }
            if R {
                s = s + *x.get_unchecked(i + 1);
            }
            f.visit(x.get_unchecked_mut(i), s, &self.by_degree[d]);
        }
    }

    /// `sweeps` systematic passes of `K` chains at once (`K` = 2, 4 or 8): `xs` holds the
    /// chains' states one after the other, `rngs` their streams.
    ///
    /// The chains are packed into one word a site, chain `k` in bits `k * 64 / K ..`, so
    /// one add sums the four neighbours of all `K` chains (each sum is at most 4 and fits
    /// its lane). Each update of the single-chain sweep waits on its left neighbour's
    /// fresh value; here that wait is shared by `K` independent updates. Chain `k` draws
    /// one word of `rngs[k]` per site in site order, exactly as [`Lattice::sweep`] does,
    /// so every chain ends in the same state, with its stream in the same place, as if it
    /// had been swept alone.
    pub fn sweep_lanes<R: Rng + Clone, const K: usize>(
        &self,
        sweeps: u64,
        xs: &mut [u16],
        rngs: &mut [R],
        packed: &mut Vec<u64>,
    ) {
        let (rows, cols, n) = (self.rows, self.cols, self.rows * self.cols);
        let bits = 64 / K;
        assert!(K.is_power_of_two() && (2..=8).contains(&K));
        assert!(xs.len() == K * n && rngs.len() == K);
        packed.clear();
        packed.extend(
            (0..n).map(|i| (0..K).fold(0u64, |v, k| v | (xs[k * n + i] as u64 & 1) << (k * bits))),
        );
        let x = &mut packed[..n];
        let mut g: [R; K] = std::array::from_fn(|k| rngs[k].clone());
        for _ in 0..sweeps {
            if !self.periodic {
                self.open_pass(x, &mut Lanes(&mut g));
                continue;
            }
            for r in 0..rows {
                let row = r * cols;
                let up = if r == 0 { rows - 1 } else { r - 1 } * cols;
                let down = if r + 1 == rows { 0 } else { r + 1 } * cols;
                self.update_lanes(x, row, up, down, 0, cols - 1, 1, &mut g);
                for c in 1..cols - 1 {
                    self.update_lanes(x, row, up, down, c, c - 1, c + 1, &mut g);
                }
                self.update_lanes(x, row, up, down, cols - 1, cols - 2, 0, &mut g);
            }
        }
        for (k, gk) in g.into_iter().enumerate() {
            rngs[k] = gk;
            for (i, &v) in x.iter().enumerate() {
                xs[k * n + i] = ((v >> (k * bits)) & 1) as u16;
            }
        }
    }

    /// [`Lattice::update_cell`] of `K` packed chains, each with its own stream.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn update_lanes<R: Rng, const K: usize>(
        &self,
        x: &mut [u64],
        row: usize,
        up: usize,
        down: usize,
        c: usize,
        left: usize,
        right: usize,
        g: &mut [R; K],
    ) {
        debug_assert!(row.max(up).max(down) + self.cols <= x.len());
        debug_assert!(c < self.cols && left < self.cols && right < self.cols);
        // SAFETY: as in `update_cell`: rows below R and columns below C, so indices below
        // R * C = x.len().
        let (s, target) = unsafe {
            (
                *x.get_unchecked(up + c)
                    + *x.get_unchecked(down + c)
                    + *x.get_unchecked(row + left)
                    + *x.get_unchecked(row + right),
                x.get_unchecked_mut(row + c),
            )
        };
        *target = draw_lanes(g, s, &self.thr);
    }

    /// `steps` random-scan updates (one word per update while `n <= 2^24`).
    pub fn random<R: Rng>(&self, steps: u64, x: &mut [u16], rng: &mut R) {
        let (rows, cols) = (self.rows as u64, self.cols as u64);
        let n = rows * cols;
        let x = &mut x[..n as usize];
        for _ in 0..steps {
            let (i, w) = site_and_word(rng, n);
            let r = ((i as u128 * self.recip as u128) >> 64) as u64;
            // r = i / C exactly, so r < R and i - r * C < C.
            let (r, c) = (
                r.min(rows - 1) as usize,
                (i - r * cols).min(cols - 1) as usize,
            );
            if self.periodic {
                self.update_at(r, c, x, w);
            } else {
                self.update_open_at(r, c, x, w);
            }
        }
    }

    /// Heat-bath update of site `(r, c)` of a torus with the random word `w`.
    #[inline(always)]
    fn update_at(&self, r: usize, c: usize, x: &mut [u16], w: u64) {
        let (rows, cols) = (self.rows, self.cols);
        let up = if r == 0 { rows - 1 } else { r - 1 } * cols;
        let down = if r + 1 == rows { 0 } else { r + 1 } * cols;
        let left = if c == 0 { cols - 1 } else { c - 1 };
        let right = if c + 1 == cols { 0 } else { c + 1 };
        self.update_cell(x, r * cols, up, down, c, left, right, w);
    }

    /// Heat-bath update of site `(r, c)` of an open lattice with the random word `w`.
    #[inline(always)]
    fn update_open_at(&self, r: usize, c: usize, x: &mut [u16], w: u64) {
        let (rows, cols, i) = (self.rows, self.cols, r * self.cols + c);
        let (mut s, mut d) = (0u16, 0usize);
        for (ok, j) in [
            (r > 0, i.wrapping_sub(cols)),
            (r + 1 < rows, i + cols),
            (c > 0, i.wrapping_sub(1)),
            (c + 1 < cols, i + 1),
        ] {
            if ok {
                s += x[j];
                d += 1;
            }
        }
        x[i] = bernoulli_word(w, self.by_degree[d][(s & 7) as usize]) as u16;
    }
}

/// A heat-bath update given a site's neighbour sum and the thresholds of its degree.
trait Visit<T> {
    fn visit(&mut self, target: &mut T, sum: T, thr: &[u64; 8]);
}

/// One chain drawing from its stream.
struct OneChain<'a, R>(&'a mut R);

impl<R: Rng> Visit<u16> for OneChain<'_, R> {
    #[inline(always)]
    fn visit(&mut self, target: &mut u16, s: u16, thr: &[u64; 8]) {
        *target = bernoulli_word(self.0.next_u64(), thr[(s & 7) as usize]) as u16;
    }
}

/// `K` chains packed in a word, each drawing from its own stream ([`draw_lanes`]).
struct Lanes<'a, R, const K: usize>(&'a mut [R; K]);

impl<R: Rng, const K: usize> Visit<u64> for Lanes<'_, R, K> {
    #[inline(always)]
    fn visit(&mut self, target: &mut u64, s: u64, thr: &[u64; 8]) {
        *target = draw_lanes(self.0, s, thr);
    }
}

/// The packed values of `K` chains at one site: chain `k` (bits `k * 64 / K ..`) draws one
/// word of its stream and compares it with the threshold of its own neighbour sum.
#[inline(always)]
fn draw_lanes<R: Rng, const K: usize>(g: &mut [R; K], s: u64, thr: &[u64; 8]) -> u64 {
    let bits = 64 / K;
    let mut v = 0u64;
    for (k, gk) in g.iter_mut().enumerate() {
        let t = thr[((s >> (k * bits)) & 7) as usize];
        v |= (bernoulli_word(gk.next_u64(), t) as u64) << (k * bits);
    }
    v
}

#[cfg(test)]
pub(crate) mod tests;
