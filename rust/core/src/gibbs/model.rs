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
    /// The same factors packed for the sampler's inner loop, where random-scan updates
    /// are bound by cache misses: factor records `[table offset, scope length, (variable,
    /// stride)...]` in one array, and per variable (record start, stride of the variable)
    /// at the positions of `touch`. One update then reads a few adjacent words per factor
    /// instead of one word from each of five arrays.
    packed: Vec<u32>,
    touch_packed: Vec<(u32, u32)>,
    /// `exp(L_f - max L_f)` per factor, in `[0, 1]` (1 at each factor's largest entry):
    /// binary sites multiply these instead of exponentiating a sum of logs.
    potentials: Vec<f64>,
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
        let mut packed = Vec::with_capacity(2 * scopes.len() + 2 * scope_vars.len());
        let mut record = Vec::with_capacity(scopes.len());
        for f in 0..scopes.len() {
            record.push(packed.len() as u32);
            packed.push(table_ptr[f] as u32);
            packed.push((scope_ptr[f + 1] - scope_ptr[f]) as u32);
            for k in scope_ptr[f]..scope_ptr[f + 1] {
                packed.push(scope_vars[k]);
                packed.push(scope_strides[k] as u32); // < MAX_TABLE
            }
        }
        if packed.len() as u64 > u32::MAX as u64 {
            return Err(Error::invalid(
                "too many factors (packed scopes exceed 2^32 words)",
            ));
        }
        let touch_packed = touch
            .iter()
            .map(|&(f, s)| (record[f as usize], s as u32))
            .collect();
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
            packed,
            touch_packed,
        })
    }

    /// The factors touching variable `i` as (packed record, stride of `i`), for
    /// [`packed_base`](Self::packed_base) and [`packed_log`](Self::packed_log).
    #[inline]
    pub fn touching_packed(&self, i: usize) -> &[(u32, u32)] {
        &self.touch_packed[self.touch_ptr[i]..self.touch_ptr[i + 1]]
    }

    /// Position in `logs` of `state` in the factor whose packed record starts at `rec`.
    #[inline]
    pub fn packed_base(&self, rec: u32, state: &[u16]) -> usize {
        let r = rec as usize;
        let len = self.packed[r + 1] as usize;
        let mut idx = self.packed[r] as usize;
        for k in 0..len {
            let v = self.packed[r + 2 + 2 * k] as usize;
            idx += state[v] as usize * self.packed[r + 3 + 2 * k] as usize;
        }
        idx
    }

    /// The log-potential at position `pos` of `logs` (see [`packed_base`](Self::packed_base)).
    #[inline]
    pub fn packed_log(&self, pos: usize) -> f64 {
        self.logs[pos]
    }

    /// The scaled potential `exp(L - max L_f)` at position `pos` (see
    /// [`packed_base`](Self::packed_base)).
    #[inline]
    pub fn packed_potential(&self, pos: usize) -> f64 {
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
    fn packed_records_index_like_the_tables() {
        let g = chain3();
        for code in 0..8u16 {
            let x: Vec<u16> = (0..3).map(|k| (code >> k) & 1).collect();
            for i in 0..3 {
                for (&(f, _), &(rec, _)) in g.touching(i).iter().zip(g.touching_packed(i)) {
                    assert_eq!(
                        g.packed_log(g.packed_base(rec, &x)),
                        g.log_factor(f as usize, &x)
                    );
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
