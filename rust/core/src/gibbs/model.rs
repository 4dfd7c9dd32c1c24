//! A factor graph: variables with cards and factors over a few of them.
//!
//! `P(x) ∝ exp(Σ_f L_f(x_{scope f}))`, where each factor holds its log-potential table `L_f`
//! in C order over its scope (the last scope variable varies fastest). A DAG's conditional
//! table `P(x_i | parents)` is the factor with scope `(parents..., i)` and `L = log P`, so
//! DAGs and Markov random fields share one representation. `-inf` marks an impossible
//! combination; `+inf` and NaN are refused.

use crate::error::{Error, Result};

/// Largest cardinality of one variable (states are held as `u16`).
pub const MAX_CARD: u32 = 1 << 16;
/// Largest number of entries of one factor table.
pub const MAX_TABLE: u64 = 1 << 28;

#[derive(Clone, Debug)]
pub struct FactorGraph {
    cards: Vec<u32>,
    /// Factor `f`'s scope is `scope_vars[scope_ptr[f]..scope_ptr[f + 1]]`, with the strides
    /// of those variables in its table at the same positions of `scope_strides`.
    scope_ptr: Vec<usize>,
    scope_vars: Vec<u32>,
    scope_strides: Vec<u64>,
    /// Factor `f`'s table is `logs[table_ptr[f]..table_ptr[f + 1]]`.
    table_ptr: Vec<usize>,
    logs: Vec<f64>,
    /// Variable `i` is touched by `touch[touch_ptr[i]..touch_ptr[i + 1]]`: (factor, stride of
    /// `i` in that factor's table).
    touch_ptr: Vec<usize>,
    touch: Vec<(u32, u64)>,
    /// The same factors laid out per site for the sampler's inner loop, where random-scan
    /// updates are bound by cache misses: site `i`'s touching factors are the headers
    /// `heads[touch_ptr[i]..touch_ptr[i + 1]]`, each (table offset, stride of `i`, start
    /// and length in `others` of the factor's other variables as (variable, stride)), and
    /// those pairs lie contiguously per site. One update reads one or two runs of
    /// adjacent words instead of one record per factor scattered over the model.
    heads: Vec<Head>,
    others: Vec<(u32, u32)>,
    /// `exp(L_f - max L_f)` per factor, in `[0, 1]` (1 at each factor's largest entry):
    /// binary sites multiply these instead of exponentiating a sum of logs.
    potentials: Vec<f64>,
}

/// One factor touching a site, as the site's conditional reads it (see `FactorGraph::heads`).
#[derive(Clone, Copy, Debug)]
pub struct Head {
    /// Position in the tables of the entry with the site and every other variable at 0.
    pub offset: u32,
    /// Stride of the site in the factor's table.
    pub stride: u32,
    start: u32,
    len: u32,
}

/// Largest total number of table entries (offsets are packed as `u32`).
pub const MAX_TOTAL_TABLE: u64 = u32::MAX as u64;

impl FactorGraph {
    /// Build and validate. `logs` is the concatenation of every factor's table, in order.
    pub fn new(cards: Vec<u32>, scopes: &[Vec<u32>], logs: Vec<f64>) -> Result<Self> {
        let n = cards.len();
        if n == 0 {
            return Err(Error::invalid("a factor graph needs at least one variable"));
        }
        if n > u32::MAX as usize {
            return Err(Error::invalid("too many variables (at most 2^32 - 1)"));
        }
        for (i, &c) in cards.iter().enumerate() {
            if c == 0 || c > MAX_CARD {
                return Err(Error::invalid(format!(
                    "variable {i} has card {c}; cards must lie in 1..={MAX_CARD}"
                )));
            }
        }
        let mut scope_ptr = vec![0usize];
        let mut scope_vars = Vec::new();
        let mut scope_strides = Vec::new();
        let mut table_ptr = vec![0usize];
        for (f, scope) in scopes.iter().enumerate() {
            let mut size: u64 = 1;
            for (a, &v) in scope.iter().enumerate() {
                if v as usize >= n {
                    return Err(Error::invalid(format!(
                        "factor {f} names variable {v}, but there are only {n} variables"
                    )));
                }
                if scope[..a].contains(&v) {
                    return Err(Error::invalid(format!(
                        "factor {f} names variable {v} twice"
                    )));
                }
                size = size.saturating_mul(cards[v as usize] as u64);
            }
            if size > MAX_TABLE {
                return Err(Error::invalid(format!(
                    "factor {f} has {size} table entries; the limit is {MAX_TABLE}"
                )));
            }
            // C order: the last variable has stride 1.
            let mut strides = vec![0u64; scope.len()];
            let mut s = 1u64;
            for a in (0..scope.len()).rev() {
                strides[a] = s;
                s *= cards[scope[a] as usize] as u64;
            }
            scope_vars.extend_from_slice(scope);
            scope_strides.extend(strides);
            scope_ptr.push(scope_vars.len());
            table_ptr.push(table_ptr[f] + size as usize);
        }
        let want = *table_ptr.last().unwrap();
        if want as u64 > MAX_TOTAL_TABLE {
            return Err(Error::invalid(format!(
                "the factor tables hold {want} entries in all; the limit is {MAX_TOTAL_TABLE}"
            )));
        }
        if logs.len() != want {
            return Err(Error::invalid(format!(
                "the factor tables hold {} entries in all, but the scopes need {want}",
                logs.len()
            )));
        }
        for f in 0..scopes.len() {
            let t = &logs[table_ptr[f]..table_ptr[f + 1]];
            if let Some(e) = t.iter().position(|x| x.is_nan() || *x == f64::INFINITY) {
                return Err(Error::invalid(format!(
                    "factor {f} has log-potential {} at entry {e}; it must be finite or -inf",
                    t[e]
                )));
            }
            if t.iter().all(|x| *x == f64::NEG_INFINITY) {
                return Err(Error::invalid(format!(
                    "factor {f} gives every value probability zero"
                )));
            }
        }
        let mut counts = vec![0usize; n + 1];
        for &v in &scope_vars {
            counts[v as usize + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let touch_ptr = counts.clone();
        let mut touch = vec![(0u32, 0u64); scope_vars.len()];
        let mut fill = counts;
        for f in 0..scopes.len() {
            for k in scope_ptr[f]..scope_ptr[f + 1] {
                let v = scope_vars[k] as usize;
                touch[fill[v]] = (f as u32, scope_strides[k]);
                fill[v] += 1;
            }
        }
        let mut heads = Vec::with_capacity(touch.len());
        let mut others = Vec::new();
        for i in 0..n {
            for &(f, stride) in &touch[touch_ptr[i]..touch_ptr[i + 1]] {
                let f = f as usize;
                let start = others.len();
                for k in scope_ptr[f]..scope_ptr[f + 1] {
                    if scope_vars[k] as usize != i {
                        others.push((scope_vars[k], scope_strides[k] as u32)); // < MAX_TABLE
                    }
                }
                if others.len() as u64 > u32::MAX as u64 {
                    return Err(Error::invalid(
                        "too many factor memberships (more than 2^32 in all)",
                    ));
                }
                heads.push(Head {
                    offset: table_ptr[f] as u32, // <= MAX_TOTAL_TABLE
                    stride: stride as u32,
                    start: start as u32,
                    len: (others.len() - start) as u32,
                });
            }
        }
        let mut potentials = Vec::with_capacity(logs.len());
        for f in 0..scopes.len() {
            let t = &logs[table_ptr[f]..table_ptr[f + 1]];
            let max = t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            potentials.extend(t.iter().map(|&l| (l - max).exp()));
        }
        Ok(FactorGraph {
            potentials,
            cards,
            scope_ptr,
            scope_vars,
            scope_strides,
            table_ptr,
            logs,
            touch_ptr,
            touch,
            heads,
            others,
        })
    }

    /// The factors touching variable `i`, laid out for its conditional (see `Head`).
    #[inline]
    pub fn heads(&self, i: usize) -> &[Head] {
        &self.heads[self.touch_ptr[i]..self.touch_ptr[i + 1]]
    }

    /// Position in the tables of factor `h`'s entry at `state` with the site at 0 (add
    /// `v * h.stride` for the site at value `v`).
    #[inline]
    pub fn head_base(&self, h: &Head, state: &[u16]) -> usize {
        let mut idx = h.offset as usize;
        for &(v, s) in &self.others[h.start as usize..(h.start + h.len) as usize] {
            idx += state[v as usize] as usize * s as usize;
        }
        idx
    }

    /// The log-potential at position `pos` of the tables (see [`head_base`](Self::head_base)).
    #[inline]
    pub fn log_at_pos(&self, pos: usize) -> f64 {
        self.logs[pos]
    }

    /// The scaled potential `exp(L - max L_f)` at position `pos` of the tables.
    #[inline]
    pub fn potential_at_pos(&self, pos: usize) -> f64 {
        self.potentials[pos]
    }

    pub fn n(&self) -> usize {
        self.cards.len()
    }

    pub fn cards(&self) -> &[u32] {
        &self.cards
    }

    pub fn n_factors(&self) -> usize {
        self.scope_ptr.len() - 1
    }

    pub fn scope(&self, f: usize) -> &[u32] {
        &self.scope_vars[self.scope_ptr[f]..self.scope_ptr[f + 1]]
    }

    pub fn table(&self, f: usize) -> &[f64] {
        &self.logs[self.table_ptr[f]..self.table_ptr[f + 1]]
    }

    /// The factors touching variable `i`, each with the stride of `i` in its table.
    #[inline]
    pub fn touching(&self, i: usize) -> &[(u32, u64)] {
        &self.touch[self.touch_ptr[i]..self.touch_ptr[i + 1]]
    }

    /// Position of `state` in factor `f`'s table.
    #[inline]
    pub fn index(&self, f: usize, state: &[u16]) -> u64 {
        let (a, b) = (self.scope_ptr[f], self.scope_ptr[f + 1]);
        let mut idx = 0u64;
        for k in a..b {
            idx += state[self.scope_vars[k] as usize] as u64 * self.scope_strides[k];
        }
        idx
    }

    /// `L_f` at `state`.
    #[inline]
    pub fn log_factor(&self, f: usize, state: &[u16]) -> f64 {
        self.logs[self.table_ptr[f] + self.index(f, state) as usize]
    }

    /// `L_f` at table position `idx`.
    #[inline]
    pub fn log_at(&self, f: usize, idx: u64) -> f64 {
        self.logs[self.table_ptr[f] + idx as usize]
    }

    /// Unnormalised `log P(state)`: the sum over all factors (for tests and small checks).
    pub fn log_weight(&self, state: &[u16]) -> f64 {
        (0..self.n_factors())
            .map(|f| self.log_factor(f, state))
            .sum()
    }

    /// Check a state's values against the cards.
    pub fn check_state(&self, state: &[u16]) -> Result<()> {
        if state.len() != self.n() {
            return Err(Error::invalid(format!(
                "a state has {} values but the model has {} variables",
                state.len(),
                self.n()
            )));
        }
        for (i, (&x, &c)) in state.iter().zip(&self.cards).enumerate() {
            if x as u32 >= c {
                return Err(Error::invalid(format!(
                    "variable {i} has value {x}, outside [0, {c})"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A 3-variable chain x0 - x1 - x2 of binary variables with pairwise factors.
    pub fn chain3() -> FactorGraph {
        FactorGraph::new(
            vec![2, 2, 2],
            &[vec![0, 1], vec![1, 2], vec![0]],
            vec![0.5, 0.0, 0.0, 0.5, 1.0, 0.0, 0.0, 1.0, 0.2, 0.0],
        )
        .unwrap()
    }

    #[test]
    fn indexes_in_c_order() {
        let g =
            FactorGraph::new(vec![2, 3], &[vec![0, 1]], (0..6).map(f64::from).collect()).unwrap();
        assert_eq!(g.log_factor(0, &[1, 2]), 5.0);
        assert_eq!(g.log_factor(0, &[0, 1]), 1.0);
        assert_eq!(g.touching(1), &[(0, 1)]);
        assert_eq!(g.touching(0), &[(0, 3)]);
    }

    #[test]
    fn site_heads_index_like_the_tables() {
        let g = chain3();
        for code in 0..8u16 {
            let x: Vec<u16> = (0..3).map(|k| (code >> k) & 1).collect();
            for i in 0..3 {
                assert_eq!(g.heads(i).len(), g.touching(i).len());
                for (&(f, _), h) in g.touching(i).iter().zip(g.heads(i)) {
                    let at = g.head_base(h, &x) + x[i] as usize * h.stride as usize;
                    assert_eq!(g.log_at_pos(at), g.log_factor(f as usize, &x));
                    let max = g.table(f as usize).iter().copied().fold(f64::MIN, f64::max);
                    let want = (g.log_factor(f as usize, &x) - max).exp();
                    assert!((g.potential_at_pos(at) - want).abs() < 1e-15);
                }
            }
        }
    }

    #[test]
    fn log_weight_sums_factors() {
        let g = chain3();
        assert!((g.log_weight(&[0, 0, 0]) - 1.7).abs() < 1e-12);
        assert!((g.log_weight(&[1, 1, 0]) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn refuses_bad_input() {
        assert!(FactorGraph::new(vec![2], &[vec![1]], vec![0.0, 0.0]).is_err());
        assert!(FactorGraph::new(vec![2, 2], &[vec![0, 0]], vec![0.0; 4]).is_err());
        assert!(FactorGraph::new(vec![2], &[vec![0]], vec![0.0]).is_err());
        assert!(FactorGraph::new(vec![2], &[vec![0]], vec![f64::NAN, 0.0]).is_err());
        assert!(FactorGraph::new(vec![2], &[vec![0]], vec![f64::NEG_INFINITY; 2]).is_err());
        assert!(FactorGraph::new(vec![0], &[], vec![]).is_err());
        assert!(FactorGraph::new(vec![2], &[vec![0]], vec![f64::NEG_INFINITY, 0.0]).is_ok());
    }
}
