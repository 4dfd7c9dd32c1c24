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

pub use super::lattice::Lattice;
use super::model::FactorGraph;
use super::rng::{bernoulli, bernoulli_word, sigmoid, threshold};
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
    /// Periodic or open `R × C` lattices in row-major order (what `natabs` relabels a
    /// lattice graph into) with one table a degree: neighbours are computed, not read.
    lattice: Option<Lattice>,
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
        let lattice = Lattice::detect(&nb_ptr, &nb, &table, &thresholds);
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

    /// The periodic square lattice form, when the model is one (the lattices multi-spin
    /// coding handles; see [`Lattice`]).
    pub fn lattice(&self) -> Option<&Lattice> {
        self.lattice.as_ref().filter(|lat| lat.square_torus())
    }

    /// The lattice form of any periodic or open `R × C` lattice (see [`Lattice`]).
    pub fn grid(&self) -> Option<&Lattice> {
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
}
