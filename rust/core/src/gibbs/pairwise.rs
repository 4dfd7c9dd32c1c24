//! The fast path for pairwise binary models (Ising heat-bath).
//!
//! Any model whose variables are binary and whose factors touch at most two of them has
//! single-site conditionals of the form `logit P(x_i = 1 | rest) = b_i + Σ_j w_ij x_j`
//! (x in {0, 1}): a factor `L(a, b)` over `(i, j)` adds `L(1,0) - L(0,0)` to `b_i` and
//! `L(1,1) - L(0,1) - L(1,0) + L(0,0)` to `w_ij`. So an update reads the neighbours' bits
//! and compares one random word with a threshold; no table is enumerated. When all of a
//! site's couplings are equal (lattices, uniform J) the logit depends only on how many
//! neighbours are 1, and the thresholds for each count are computed once and shared by all
//! sites with the same (bias, coupling, degree), so no `exp` is evaluated in the loop.

use super::model::FactorGraph;
use super::rng::{bernoulli, bernoulli_word, sigmoid, site_and_word, threshold};
use rand_core::Rng;
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct Pairwise {
    bias: Vec<f64>,
    nb_ptr: Vec<usize>,
    nb: Vec<u32>,
    w: Vec<f64>,
    /// Per site: offset into `thresholds` of its table (indexed by the number of neighbours
    /// equal to 1), or `u32::MAX` when its couplings differ and the logit is computed.
    table: Vec<u32>,
    thresholds: Vec<u64>,
    /// When every degree is at most [`INLINE_DEGREE`]: per site, one 32-byte record
    /// `[table, degree, neighbours...]`, so an update touches one cache line of model data
    /// instead of three arrays (random scan visits sites in random order).
    records: Option<Vec<Record>>,
    /// Lattices: when every site shares one threshold table and one degree `d <= 4`, just
    /// the neighbours, 16 bytes a site (half the records: a 256×256 lattice then fits in L2).
    regular: Option<(u32, usize, Vec<[u32; 4]>)>,
    /// Periodic `L × L` lattices in row-major order (what `FactorGraph.ising_lattice`
    /// builds) with one shared table: neighbours are computed, not read.
    lattice: Option<Lattice>,
}

/// The periodic `L × L` square lattice, site `r * L + c` at row `r`, column `c`, with the
/// heat-bath thresholds indexed by the number of neighbours equal to 1.
#[derive(Clone, Debug)]
pub struct Lattice {
    l: usize,
    /// `ceil(2^64 / L)`: `i / L == (i * recip) >> 64` for every 32-bit `i` (Lemire's
    /// division by a run-time constant), so a random site costs no division.
    recip: u64,
    /// Entries 5..8 are never used (at most 4 neighbours are 1); the array has 8 so an
    /// index masked with 7 needs no bounds check.
    thr: [u64; 8],
}

impl Lattice {
    /// The lattice, if `nb` (neighbour lists of all `n` sites, degree 4) is exactly the
    /// periodic `L × L` lattice in row-major order.
    fn detect(n: usize, nb: &[u32], table: &[u64]) -> Option<Lattice> {
        let l = (n as f64).sqrt().round() as usize;
        if l < 3 || l * l != n || n > u32::MAX as usize || nb.len() != 4 * n || table.len() != 5 {
            return None;
        }
        for i in 0..n {
            let (r, c) = (i / l, i % l);
            let mut want = [
                ((r + l - 1) % l) * l + c,
                ((r + 1) % l) * l + c,
                r * l + (c + l - 1) % l,
                r * l + (c + 1) % l,
            ];
            let mut got: [usize; 4] = std::array::from_fn(|k| nb[4 * i + k] as usize);
            want.sort_unstable();
            got.sort_unstable();
            if want != got {
                return None;
            }
        }
        let mut thr = [0u64; 8];
        thr[..5].copy_from_slice(table);
        Some(Lattice {
            l,
            recip: (u64::MAX / l as u64).wrapping_add(1),
            thr,
        })
    }

    /// The side `L`.
    pub fn side(&self) -> usize {
        self.l
    }

    /// The heat-bath thresholds, indexed by the number of neighbours equal to 1.
    pub fn thresholds(&self) -> [u64; 5] {
        std::array::from_fn(|s| self.thr[s])
    }

    /// Heat-bath update of site `(r, c)` with the random word `w`.
    #[inline(always)]
    fn update_at(&self, r: usize, c: usize, x: &mut [u16], w: u64) {
        let l = self.l;
        let x = &mut x[..l * l];
        let up = if r == 0 { l - 1 } else { r - 1 } * l;
        let down = if r + 1 == l { 0 } else { r + 1 } * l;
        let row = r * l;
        let left = if c == 0 { l - 1 } else { c - 1 };
        let right = if c + 1 == l { 0 } else { c + 1 };
        debug_assert!(r < l && c < l);
        // SAFETY: r, c < l (callers: loop bounds, or the exact division of a site below
        // l * l), so every index is below l * l = x.len(). Four bounds checks on the
        // hottest loop of the library cost a third of its instructions.
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

    /// One systematic pass over the sites in order `0..n`, one random word per update.
    ///
    /// Rows are walked with their neighbour rows fixed and the wrap-around handled only at
    /// the two ends, so the inner loop has no branch. (Sharing one word between two
    /// updates saves instructions but not time: an update waits on its left neighbour's
    /// fresh value, and the generator's work fills that wait.)
    pub fn sweep<R: Rng>(&self, x: &mut [u16], rng: &mut R) {
        let l = self.l;
        let x = &mut x[..l * l];
        for r in 0..l {
            let row = r * l;
            let up = if r == 0 { l - 1 } else { r - 1 } * l;
            let down = if r + 1 == l { 0 } else { r + 1 } * l;
            self.update_cell(x, row, up, down, 0, l - 1, 1, rng.next_u64());
            for c in 1..l - 1 {
                self.update_cell(x, row, up, down, c, c - 1, c + 1, rng.next_u64());
            }
            self.update_cell(x, row, up, down, l - 1, l - 2, 0, rng.next_u64());
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
        debug_assert!(row.max(up).max(down) + self.l <= x.len());
        debug_assert!(c < self.l && left < self.l && right < self.l);
        // SAFETY: `sweep` passes positions of rows below l and columns below l, so every
        // index is below l * l = x.len().
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
        let (l, n) = (self.l, self.l * self.l);
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
            for r in 0..l {
                let row = r * l;
                let up = if r == 0 { l - 1 } else { r - 1 } * l;
                let down = if r + 1 == l { 0 } else { r + 1 } * l;
                self.update_lanes(x, row, up, down, 0, l - 1, 1, &mut g);
                for c in 1..l - 1 {
                    self.update_lanes(x, row, up, down, c, c - 1, c + 1, &mut g);
                }
                self.update_lanes(x, row, up, down, l - 1, l - 2, 0, &mut g);
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
        debug_assert!(row.max(up).max(down) + self.l <= x.len());
        debug_assert!(c < self.l && left < self.l && right < self.l);
        let bits = 64 / K;
        // SAFETY: as in `update_cell`: rows and columns below l, so indices below l * l.
        let (s, target) = unsafe {
            (
                *x.get_unchecked(up + c)
                    + *x.get_unchecked(down + c)
                    + *x.get_unchecked(row + left)
                    + *x.get_unchecked(row + right),
                x.get_unchecked_mut(row + c),
            )
        };
        let mut v = 0u64;
        for (k, gk) in g.iter_mut().enumerate() {
            let t = self.thr[((s >> (k * bits)) & 7) as usize];
            v |= (bernoulli_word(gk.next_u64(), t) as u64) << (k * bits);
        }
        *target = v;
    }

    /// `steps` random-scan updates (one word per update while `n <= 2^24`).
    pub fn random<R: Rng>(&self, steps: u64, x: &mut [u16], rng: &mut R) {
        let (l, n) = (self.l as u64, (self.l * self.l) as u64);
        for _ in 0..steps {
            let (i, w) = site_and_word(rng, n);
            let r = ((i as u128 * self.recip as u128) >> 64) as u64;
            // r = i / l exactly, so r < l and i - r * l < l.
            self.update_at(r.min(l - 1) as usize, (i - r * l).min(l - 1) as usize, x, w);
        }
    }
}

/// Largest degree kept inline in a [`Record`].
pub const INLINE_DEGREE: usize = 6;

#[derive(Clone, Copy, Debug)]
#[repr(C, align(32))]
struct Record {
    table: u32,
    degree: u32,
    nb: [u32; INLINE_DEGREE],
}

impl Pairwise {
    /// The pairwise form of `model`, or `None` if it is not pairwise binary (or has hard
    /// zeros, which the generic path handles exactly).
    pub fn from_model(model: &FactorGraph) -> Option<Pairwise> {
        let n = model.n();
        if model.cards().iter().any(|&c| c != 2) {
            return None;
        }
        let mut bias = vec![0.0f64; n];
        let mut edges: HashMap<(u32, u32), f64> = HashMap::new();
        for f in 0..model.n_factors() {
            let scope = model.scope(f);
            let t = model.table(f);
            if t.iter().any(|x| !x.is_finite()) {
                return None;
            }
            match scope.len() {
                0 => {}
                1 => bias[scope[0] as usize] += t[1] - t[0],
                2 => {
                    let (i, j) = (scope[0], scope[1]);
                    // t[a * 2 + b] = L(x_i = a, x_j = b)
                    bias[i as usize] += t[2] - t[0];
                    bias[j as usize] += t[1] - t[0];
                    let g = t[3] - t[1] - t[2] + t[0];
                    *edges.entry((i.min(j), i.max(j))).or_insert(0.0) += g;
                }
                _ => return None,
            }
        }
        let mut adj: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
        let mut keys: Vec<_> = edges.into_iter().filter(|&(_, g)| g != 0.0).collect();
        keys.sort_by_key(|&(e, _)| e); // deterministic neighbour order
        for ((i, j), g) in keys {
            adj[i as usize].push((j, g));
            adj[j as usize].push((i, g));
        }
        let mut nb_ptr = vec![0usize];
        let mut nb = Vec::new();
        let mut w = Vec::new();
        let mut table = vec![u32::MAX; n];
        let mut thresholds = Vec::new();
        let mut shared: HashMap<(u64, u64, usize), u32> = HashMap::new();
        for i in 0..n {
            let a = &adj[i];
            for &(j, g) in a {
                nb.push(j);
                w.push(g);
            }
            nb_ptr.push(nb.len());
            let g0 = a.first().map_or(0.0, |p| p.1);
            if a.iter().all(|p| p.1 == g0) {
                let key = (bias[i].to_bits(), g0.to_bits(), a.len());
                let off = *shared.entry(key).or_insert_with(|| {
                    let off = thresholds.len() as u32;
                    for up in 0..=a.len() {
                        thresholds.push(threshold(sigmoid(bias[i] + g0 * up as f64)));
                    }
                    off
                });
                table[i] = off;
            }
        }
        let records = (0..n)
            .all(|i| nb_ptr[i + 1] - nb_ptr[i] <= INLINE_DEGREE)
            .then(|| {
                (0..n)
                    .map(|i| {
                        let mut r = Record {
                            table: table[i],
                            degree: (nb_ptr[i + 1] - nb_ptr[i]) as u32,
                            nb: [0; INLINE_DEGREE],
                        };
                        r.nb[..r.degree as usize].copy_from_slice(&nb[nb_ptr[i]..nb_ptr[i + 1]]);
                        r
                    })
                    .collect()
            });
        let regular = (n > 0
            && table[0] != u32::MAX
            && (0..n).all(|i| table[i] == table[0] && nb_ptr[i + 1] - nb_ptr[i] == nb_ptr[1])
            && nb_ptr[1] <= 4)
            .then(|| {
                let d = nb_ptr[1];
                let quads = (0..n)
                    .map(|i| {
                        let mut q = [0u32; 4];
                        q[..d].copy_from_slice(&nb[i * d..(i + 1) * d]);
                        q
                    })
                    .collect();
                (table[0], d, quads)
            });
        let lattice = regular.as_ref().and_then(|&(t, d, _)| {
            let t = t as usize;
            (d == 4)
                .then(|| Lattice::detect(n, &nb, &thresholds[t..(t + 5).min(thresholds.len())]))
                .flatten()
        });
        Some(Pairwise {
            bias,
            nb_ptr,
            nb,
            w,
            table,
            thresholds,
            records,
            regular,
            lattice,
        })
    }

    /// The periodic-lattice form, when the model is one (see [`Lattice`]).
    pub fn lattice(&self) -> Option<&Lattice> {
        self.lattice.as_ref()
    }

    /// Heat-bath update of site `i`.
    #[inline]
    pub fn update<R: Rng>(&self, i: usize, x: &mut [u16], rng: &mut R) {
        let thr = self.threshold_at(i, x);
        x[i] = bernoulli(rng, thr) as u16;
    }

    /// Heat-bath update of site `i` with the random word `w` already drawn.
    #[inline]
    pub fn update_word(&self, i: usize, x: &mut [u16], w: u64) {
        let thr = self.threshold_at(i, x);
        x[i] = bernoulli_word(w, thr) as u16;
    }

    /// `threshold(P(x_i = 1 | rest))`.
    #[inline]
    fn threshold_at(&self, i: usize, x: &[u16]) -> u64 {
        if let Some((t, d, quads)) = &self.regular {
            let q = &quads[i];
            let mut up = 0usize;
            for &j in &q[..*d] {
                up += x[j as usize] as usize;
            }
            return self.thresholds[*t as usize + up];
        }
        if let Some(records) = &self.records {
            let r = &records[i];
            if r.table != u32::MAX {
                let mut up = 0usize;
                for &j in &r.nb[..r.degree as usize] {
                    up += x[j as usize] as usize;
                }
                return self.thresholds[r.table as usize + up];
            }
        }
        let (a, b) = (self.nb_ptr[i], self.nb_ptr[i + 1]);
        let t = self.table[i];
        if t != u32::MAX {
            let mut up = 0usize;
            for &j in &self.nb[a..b] {
                up += x[j as usize] as usize;
            }
            self.thresholds[t as usize + up]
        } else {
            let mut l = self.bias[i];
            for k in a..b {
                l += self.w[k] * x[self.nb[k] as usize] as f64;
            }
            threshold(sigmoid(l))
        }
    }

    /// `logit P(x_i = 1 | rest)` (for tests).
    pub fn logit(&self, i: usize, x: &[u16]) -> f64 {
        let mut l = self.bias[i];
        for k in self.nb_ptr[i]..self.nb_ptr[i + 1] {
            l += self.w[k] * x[self.nb[k] as usize] as f64;
        }
        l
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gibbs::model::tests::chain3;

    #[test]
    fn logits_match_the_factor_tables() {
        let g = chain3();
        let p = Pairwise::from_model(&g).unwrap();
        for code in 0..8u16 {
            let x: Vec<u16> = (0..3).map(|k| (code >> k) & 1).collect();
            for i in 0..3 {
                let mut x1 = x.clone();
                x1[i] = 1;
                let mut x0 = x.clone();
                x0[i] = 0;
                let want = g.log_weight(&x1) - g.log_weight(&x0);
                assert!(
                    (p.logit(i, &x) - want).abs() < 1e-12,
                    "site {i} state {x:?}"
                );
            }
        }
    }

    #[test]
    fn declines_non_pairwise_or_hard_zeros() {
        let g = FactorGraph::new(vec![2, 2, 2], &[vec![0, 1, 2]], vec![0.0; 8]).unwrap();
        assert!(Pairwise::from_model(&g).is_none());
        let g = FactorGraph::new(vec![3], &[vec![0]], vec![0.0; 3]).unwrap();
        assert!(Pairwise::from_model(&g).is_none());
        let g = FactorGraph::new(vec![2], &[vec![0]], vec![f64::NEG_INFINITY, 0.0]).unwrap();
        assert!(Pairwise::from_model(&g).is_none());
    }

    #[test]
    fn uniform_couplings_share_one_table() {
        // A ring of 5 with equal couplings: one shared table of 3 thresholds.
        let scopes: Vec<Vec<u32>> = (0..5u32).map(|i| vec![i, (i + 1) % 5]).collect();
        let logs: Vec<f64> = (0..5).flat_map(|_| [0.3, -0.3, -0.3, 0.3]).collect();
        let g = FactorGraph::new(vec![2; 5], &scopes, logs).unwrap();
        let p = Pairwise::from_model(&g).unwrap();
        assert_eq!(p.thresholds.len(), 3);
        assert!(p.table.iter().all(|&t| t == 0));
        assert!(p.regular.is_some());
        assert!(p.lattice.is_none()); // a ring is not a square lattice
    }

    fn torus(l: u32, beta: f64, shuffle: bool) -> FactorGraph {
        let mut scopes = Vec::new();
        for r in 0..l {
            for c in 0..l {
                let v = r * l + c;
                for w in [r * l + (c + 1) % l, ((r + 1) % l) * l + c] {
                    scopes.push(if shuffle && v % 3 == 0 {
                        vec![w, v]
                    } else {
                        vec![v, w]
                    });
                }
            }
        }
        let logs = scopes
            .iter()
            .flat_map(|_| [beta, -beta, -beta, beta])
            .collect();
        FactorGraph::new(vec![2; (l * l) as usize], &scopes, logs).unwrap()
    }

    #[test]
    fn lattice_sweeps_equal_site_by_site_sweeps() {
        // Whatever order the fast sweep works in, it must leave exactly the state that
        // updating sites 0..n in turn, one random word each, leaves.
        for l in [3u32, 4, 5, 6, 7, 16] {
            let p = Pairwise::from_model(&torus(l, 0.4, l % 2 == 1)).unwrap();
            let lat = p.lattice().expect("a torus");
            let n = (l * l) as usize;
            let mut init = crate::gibbs::rng::stream(9, l as u64, crate::gibbs::rng::Purpose::Init);
            let x0: Vec<u16> = (0..n).map(|_| (init.next_u64() & 1) as u16).collect();
            let (mut a, mut b) = (x0.clone(), x0);
            let mut ra = crate::gibbs::rng::stream(5, 0, crate::gibbs::rng::Purpose::Chain);
            let mut rb = ra.clone();
            for _ in 0..6 {
                lat.sweep(&mut a, &mut ra);
                for i in 0..n {
                    p.update(i, &mut b, &mut rb);
                }
                assert_eq!(a, b, "L = {l}");
            }
        }
    }

    #[test]
    fn lockstep_sweeps_equal_sweeping_each_chain_alone() {
        // K chains packed and swept together must each end exactly where sweeping it alone
        // with its own stream ends: same state, stream at the same place.
        use crate::gibbs::rng::{stream, ChainRng, Purpose};
        fn check<const K: usize>(lat: &Lattice, n: usize, l: u32, beta: f64) {
            let mut init = stream(3, l as u64 * 16 + K as u64, Purpose::Init);
            let xs0: Vec<u16> = (0..K * n).map(|_| (init.next_u64() & 1) as u16).collect();
            let rngs0: Vec<ChainRng> = (0..K)
                .map(|k| stream(l as u64, k as u64, Purpose::Chain))
                .collect();
            let mut packed = Vec::new();
            for sweeps in [1u64, 3] {
                let (mut xs, mut rngs) = (xs0.clone(), rngs0.clone());
                lat.sweep_lanes::<_, K>(sweeps, &mut xs, &mut rngs, &mut packed);
                for k in 0..K {
                    let mut x = xs0[k * n..(k + 1) * n].to_vec();
                    let mut r = rngs0[k].clone();
                    for _ in 0..sweeps {
                        lat.sweep(&mut x, &mut r);
                    }
                    assert_eq!(
                        &xs[k * n..(k + 1) * n],
                        &x[..],
                        "L={l} K={K} k={k} b={beta}"
                    );
                    assert_eq!(rngs[k], r, "L={l} K={K} k={k} beta={beta}");
                }
            }
        }
        for l in 3u32..=16 {
            for beta in [0.4, -1.5, 3.0] {
                let p = Pairwise::from_model(&torus(l, beta, l % 2 == 1)).unwrap();
                let lat = p.lattice().expect("a torus");
                let n = (l * l) as usize;
                check::<2>(lat, n, l, beta);
                check::<4>(lat, n, l, beta);
                check::<8>(lat, n, l, beta);
            }
        }
    }

    #[test]
    fn periodic_lattices_are_detected_and_update_like_the_tables() {
        for l in [3u32, 4, 7] {
            let p = Pairwise::from_model(&torus(l, 0.3, l == 7)).unwrap();
            let lat = p.lattice().expect("a torus");
            let n = (l * l) as usize;
            // Every site, many random states: the computed neighbours give the same
            // threshold as the neighbour lists.
            let mut rng = crate::gibbs::rng::stream(1, 0, crate::gibbs::rng::Purpose::Chain);
            for _ in 0..50 {
                let x: Vec<u16> = (0..n).map(|_| (rng.next_u64() & 1) as u16).collect();
                for i in 0..n {
                    for w in [0u64, 1 << 62, u64::MAX / 3, u64::MAX] {
                        let mut a = x.clone();
                        let mut b = x.clone();
                        p.update_word(i, &mut a, w);
                        lat.update_at(i / l as usize, i % l as usize, &mut b, w);
                        assert_eq!(a, b);
                    }
                }
            }
            // The reciprocal divides exactly.
            for i in 0..n as u64 {
                assert_eq!(((i as u128 * lat.recip as u128) >> 64) as u64, i / l as u64);
            }
        }
        // Not a lattice: a torus with one edge moved.
        let mut g = torus(4, 0.3, false);
        let mut scopes: Vec<Vec<u32>> = (0..g.n_factors()).map(|f| g.scope(f).to_vec()).collect();
        scopes[0] = vec![0, 5];
        g = FactorGraph::new(
            vec![2; 16],
            &scopes,
            (0..scopes.len())
                .flat_map(|_| [0.3, -0.3, -0.3, 0.3])
                .collect(),
        )
        .unwrap();
        assert!(Pairwise::from_model(&g).unwrap().lattice().is_none());
    }
}
