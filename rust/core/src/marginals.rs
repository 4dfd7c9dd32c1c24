//! Marginal laws of sets of variables over a coded support: the group-by behind the
//! natural-latent errors (THEORY §7).
//!
//! Every mediation and redundancy error is a signed sum of joint entropies `H(X_G)` for a
//! few sets `G` of variables. One entropy is a group-by: project each support state onto
//! `G` (a compact mixed-radix key over the variables of `G`), add the probabilities of
//! states with the same key, and sum `-p ln p` over the groups.
//!
//! The support is decoded once into one column per variable that some set uses (the
//! narrowest integer type that holds its values), so a projection costs a multiply-add
//! per variable instead of a division. Keys of a set whose state space is small enough
//! are aggregated in a dense array; others are sorted. Sets are processed in parallel,
//! each in a fixed order, so the results do not depend on the number of threads.

use crate::error::{Error, Result};
use rayon::prelude::*;

/// Largest dense aggregation array (entries) regardless of the support size.
const DENSE_FLOOR: u64 = 1 << 16;
/// Largest dense aggregation array (entries) ever allocated.
const DENSE_CEILING: u64 = 1 << 25;
/// Largest state space a code may address.
const MAX_SET_SPACE: u128 = u64::MAX as u128;

/// One decoded variable: its value in every support state.
enum Column {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl Column {
    fn decode(codes: &[u64], stride: u64, card: u32) -> Column {
        // Binary and other power-of-two variables (the common case) decode with a shift
        // and a mask; others need a division.
        let pow2 = stride.is_power_of_two() && card.is_power_of_two();
        let (shift, mask) = (stride.trailing_zeros(), card as u64 - 1);
        let digit = |c: &u64| {
            if pow2 {
                (c >> shift) & mask
            } else {
                (c / stride) % card as u64
            }
        };
        if card <= 1 << 8 {
            Column::U8(codes.par_iter().map(|c| digit(c) as u8).collect())
        } else if card <= 1 << 16 {
            Column::U16(codes.par_iter().map(|c| digit(c) as u16).collect())
        } else {
            Column::U32(codes.par_iter().map(|c| digit(c) as u32).collect())
        }
    }

    /// `keys[s] += value[start + s] * mult` for a chunk of states starting at `start`.
    fn add_into(&self, keys: &mut [u64], start: usize, mult: u64) {
        fn go<T: Copy + Into<u64>>(col: &[T], keys: &mut [u64], mult: u64) {
            for (k, &v) in keys.iter_mut().zip(col) {
                *k += v.into() * mult;
            }
        }
        let end = start + keys.len();
        match self {
            Column::U8(c) => go(&c[start..end], keys, mult),
            Column::U16(c) => go(&c[start..end], keys, mult),
            Column::U32(c) => go(&c[start..end], keys, mult),
        }
    }

    /// `keys[s] -= value[start + s] * mult` (undoes [`Column::add_into`]).
    fn sub_from(&self, keys: &mut [u64], start: usize, mult: u64) {
        fn go<T: Copy + Into<u64>>(col: &[T], keys: &mut [u64], mult: u64) {
            for (k, &v) in keys.iter_mut().zip(col) {
                *k -= v.into() * mult;
            }
        }
        let end = start + keys.len();
        match self {
            Column::U8(c) => go(&c[start..end], keys, mult),
            Column::U16(c) => go(&c[start..end], keys, mult),
            Column::U32(c) => go(&c[start..end], keys, mult),
        }
    }
}

/// Joint entropies (in nats) of the marginal laws of several sets of variables.
///
/// `cards` are the cardinalities, `codes` the support as mixed-radix codes (variable 0 the
/// least significant digit), `probs` their probabilities; `sets[g]` lists the variables of
/// set `g` (an empty set has entropy 0). Refuses a variable index out of range, a
/// repeated variable, mismatched lengths, a code outside the state space and a negative
/// or non-finite probability, and (with `TooLarge`) a support whose decoded columns and
/// one set's keys would not fit in `budget_bytes`; sets run in parallel only as many at a
/// time as the budget allows.
///
/// ```
/// use natabs_core::marginal_entropies;
/// // Two copies of a fair bit: H(X0) = H(X0, X1) = ln 2.
/// let sets = [vec![0], vec![0, 1], vec![]];
/// let h = marginal_entropies(&[2, 2], &[0, 3], &[0.5, 0.5], &sets, 1 << 30).unwrap();
/// assert!((h[0] - 2f64.ln()).abs() < 1e-12 && (h[1] - h[0]).abs() < 1e-12 && h[2] == 0.0);
/// ```
pub fn marginal_entropies(
    cards: &[u32],
    codes: &[u64],
    probs: &[f64],
    sets: &[Vec<usize>],
    budget_bytes: u128,
) -> Result<Vec<f64>> {
    let strides = check(cards, codes, probs, sets)?;
    let mut used = vec![false; cards.len()];
    for &v in sets.iter().flatten() {
        used[v] = true;
    }
    // Decoded columns and the union's key, then per set in flight its keys and either a
    // dense array of at most 2 entries a state or a sort order.
    let n = codes.len() as u128;
    let width: u128 = (0..cards.len())
        .filter(|&v| used[v])
        .map(|v| {
            if cards[v] <= 1 << 8 {
                1
            } else if cards[v] <= 1 << 16 {
                2
            } else {
                4
            }
        })
        .sum();
    let fixed = n * (width + 8);
    let per_set = n * 24 + 8 * DENSE_FLOOR as u128;
    if fixed + per_set > budget_bytes {
        return Err(Error::TooLarge {
            what: format!(
                "the marginal entropies of {} sets on {} states",
                sets.len(),
                n
            ),
            bytes: fixed + per_set,
        });
    }
    let in_flight = ((budget_bytes - fixed) / per_set).max(1) as usize;
    let columns: Vec<Option<Column>> = (0..cards.len())
        .map(|v| used[v].then(|| Column::decode(codes, strides[v], cards[v])))
        .collect();
    // The key of the union of all sets, once: a set with more variables outside it than in
    // it is keyed from this one by subtracting its few missing digits.
    let union: Vec<usize> = (0..cards.len()).filter(|&v| used[v]).collect();
    let (union_keys, union_mults) = keys_of(cards, &columns, probs.len(), &union);
    let ctx = Context {
        cards,
        columns: &columns,
        probs,
        union: &union,
        union_keys: &union_keys,
        union_mults: &union_mults,
    };
    let mut out = Vec::with_capacity(sets.len());
    for batch in sets.chunks(in_flight) {
        out.extend(
            batch
                .par_iter()
                .map(|set| ctx.set_entropy(set))
                .collect::<Vec<_>>(),
        );
    }
    Ok(out)
}

/// `Σ_v value_v · mult_v` per state for the variables `vars` (compact mixed radix over them,
/// in the order given), and the multipliers.
fn keys_of(
    cards: &[u32],
    columns: &[Option<Column>],
    n: usize,
    vars: &[usize],
) -> (Vec<u64>, Vec<u64>) {
    let mut mults = Vec::with_capacity(vars.len());
    let mut space: u64 = 1;
    for &v in vars {
        mults.push(space);
        space = space.saturating_mul(cards[v] as u64);
    }
    let mut keys = vec![0u64; n];
    keys.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(c, chunk)| {
            for (&v, &m) in vars.iter().zip(&mults) {
                columns[v]
                    .as_ref()
                    .expect("decoded")
                    .add_into(chunk, c * CHUNK, m);
            }
        });
    (keys, mults)
}

const CHUNK: usize = 1 << 14;

/// Largest key space aggregated in a dense array for a support of `n` states.
fn dense_limit(n: usize) -> u64 {
    DENSE_CEILING.min(DENSE_FLOOR.max(2 * n as u64))
}

struct Context<'a> {
    cards: &'a [u32],
    columns: &'a [Option<Column>],
    probs: &'a [f64],
    union: &'a [usize],
    union_keys: &'a [u64],
    union_mults: &'a [u64],
}

impl Context<'_> {
    /// `-Σ p ln p` over the groups of support states that agree on `set`.
    fn set_entropy(&self, set: &[usize]) -> f64 {
        if set.is_empty() {
            return 0.0;
        }
        let n = self.probs.len();
        let missing: Vec<usize> = self
            .union
            .iter()
            .enumerate()
            .filter(|(_, v)| !set.contains(v))
            .map(|(j, _)| j)
            .collect();
        let space_of = |vars: &mut dyn Iterator<Item = &usize>| {
            vars.fold(1u64, |s, &v| s.saturating_mul(self.cards[v] as u64))
        };
        let union_space = space_of(&mut self.union.iter());
        let set_space = space_of(&mut set.iter());
        let limit = dense_limit(n);
        let (keys, space) =
            if missing.len() + 1 < set.len() && (union_space <= limit || set_space > limit) {
                // Key of the union with the missing digits cleared: injective on `set`'s values.
                let mut keys = self.union_keys.to_vec();
                keys.par_chunks_mut(CHUNK)
                    .enumerate()
                    .for_each(|(c, chunk)| {
                        for &j in &missing {
                            let col = self.columns[self.union[j]].as_ref().expect("decoded");
                            col.sub_from(chunk, c * CHUNK, self.union_mults[j]);
                        }
                    });
                (keys, union_space)
            } else {
                (keys_of(self.cards, self.columns, n, set).0, set_space)
            };
        entropy_of_keys(&keys, space, self.probs)
    }
}

/// `-Σ m ln m` over the masses of equal keys (keys lie in `[0, space)`).
fn entropy_of_keys(keys: &[u64], space: u64, probs: &[f64]) -> f64 {
    let n = probs.len();
    if space <= dense_limit(n) {
        let mut mass = vec![0f64; space as usize];
        for (&k, &p) in keys.iter().zip(probs) {
            mass[k as usize] += p;
        }
        entropy_of(mass.iter().copied())
    } else {
        // Sort state indices by key (stable: equal keys keep support order, so the sums
        // are the same for any thread count).
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.par_sort_by_key(|&s| keys[s as usize]);
        let mut h = 0.0;
        let mut i = 0;
        while i < n {
            let k = keys[order[i] as usize];
            let mut m = 0.0;
            while i < n && keys[order[i] as usize] == k {
                m += probs[order[i] as usize];
                i += 1;
            }
            h += term(m);
        }
        h
    }
}

/// The place values of the mixed-radix code, after checking every argument.
fn check(cards: &[u32], codes: &[u64], probs: &[f64], sets: &[Vec<usize>]) -> Result<Vec<u64>> {
    if codes.len() != probs.len() {
        return Err(Error::invalid(format!(
            "{} codes but {} probabilities: one probability per support state",
            codes.len(),
            probs.len()
        )));
    }
    let mut strides = Vec::with_capacity(cards.len());
    let mut total: u128 = 1;
    for (i, &c) in cards.iter().enumerate() {
        if c == 0 {
            return Err(Error::invalid(format!("cardinality of variable {i} is 0")));
        }
        strides.push(total as u64);
        total *= c as u128;
        if total > MAX_SET_SPACE + 1 {
            return Err(Error::invalid(format!(
                "the state space of cards {cards:?} exceeds 2**64 states: it cannot be coded"
            )));
        }
    }
    if let Some(i) = codes.iter().position(|&c| (c as u128) >= total) {
        return Err(Error::invalid(format!(
            "code {} at position {i} lies outside the {total} states of cards {cards:?}",
            codes[i]
        )));
    }
    if let Some(i) = probs.iter().position(|p| !(p.is_finite() && *p >= 0.0)) {
        return Err(Error::invalid(format!(
            "probability {} at position {i} is not a finite number >= 0",
            probs[i]
        )));
    }
    for (g, set) in sets.iter().enumerate() {
        let mut seen = vec![false; cards.len()];
        for &v in set {
            if v >= cards.len() {
                return Err(Error::invalid(format!(
                    "set {g} names variable {v}, but there are {} variables",
                    cards.len()
                )));
            }
            if seen[v] {
                return Err(Error::invalid(format!("set {g} names variable {v} twice")));
            }
            seen[v] = true;
        }
    }
    Ok(strides)
}

fn term(m: f64) -> f64 {
    if m > 0.0 {
        -m * m.ln()
    } else {
        0.0
    }
}

fn entropy_of(masses: impl Iterator<Item = f64>) -> f64 {
    masses.map(term).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: u128 = 1 << 30;

    fn ln2() -> f64 {
        2f64.ln()
    }

    #[test]
    fn copies_and_independent_bits() {
        // x0 = x1, x2 independent fair bit: support 00 0, 11 0, 00 1, 11 1.
        let codes = [0u64, 3, 4, 7];
        let probs = [0.25; 4];
        let sets = vec![vec![0], vec![0, 1], vec![0, 2], vec![2, 1, 0], vec![]];
        let h = marginal_entropies(&[2, 2, 2], &codes, &probs, &sets, BUDGET).unwrap();
        let want = [ln2(), ln2(), 2.0 * ln2(), 2.0 * ln2(), 0.0];
        for (a, b) in h.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{h:?}");
        }
    }

    #[test]
    fn sorted_path_agrees_with_dense_path() {
        // 20 variables of card 4: a set of all of them has 2**40 states (sorted path).
        let cards = vec![4u32; 20];
        let n = 1000u64;
        let codes: Vec<u64> = (0..n)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 24)
            .collect();
        let mut uniq = codes.clone();
        uniq.sort();
        uniq.dedup();
        let probs = vec![1.0 / uniq.len() as f64; uniq.len()];
        let all: Vec<usize> = (0..20).collect();
        let h = marginal_entropies(&cards, &uniq, &probs, &[all, vec![0]], BUDGET).unwrap();
        assert!((h[0] - (uniq.len() as f64).ln()).abs() < 1e-9);
        assert!(h[1] <= 4f64.ln() + 1e-12);
    }

    #[test]
    fn same_numbers_for_any_thread_count() {
        let cards = vec![3u32; 12];
        let codes: Vec<u64> = (0..50_000u64).map(|i| i * 7).collect();
        let w: Vec<f64> = (0..50_000).map(|i| 1.0 + (i % 13) as f64).collect();
        let total: f64 = w.iter().sum();
        let probs: Vec<f64> = w.iter().map(|x| x / total).collect();
        let sets = vec![(0..12).collect::<Vec<_>>(), vec![1, 5, 7], vec![11]];
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let a = one.install(|| marginal_entropies(&cards, &codes, &probs, &sets, BUDGET).unwrap());
        let b = marginal_entropies(&cards, &codes, &probs, &sets, BUDGET).unwrap();
        // A budget for one set at a time gives the same numbers.
        let tight = 50_000 * (12 + 8 + 24) + 8 * DENSE_FLOOR as u128;
        let c = marginal_entropies(&cards, &codes, &probs, &sets, tight).unwrap();
        assert_eq!(b, c);
        assert_eq!(a, b);
    }

    /// Brute force: a map from the set's values to their mass.
    fn naive(cards: &[u32], codes: &[u64], probs: &[f64], set: &[usize]) -> f64 {
        let mut strides = vec![1u64; cards.len()];
        for i in 1..cards.len() {
            strides[i] = strides[i - 1] * cards[i - 1] as u64;
        }
        let mut mass = std::collections::BTreeMap::<Vec<u64>, f64>::new();
        for (&c, &p) in codes.iter().zip(probs) {
            let key: Vec<u64> = set
                .iter()
                .map(|&v| (c / strides[v]) % cards[v] as u64)
                .collect();
            *mass.entry(key).or_default() += p;
        }
        mass.values().map(|&m| term(m)).sum()
    }

    #[test]
    fn every_path_agrees_with_brute_force() {
        // Mixed cardinalities (shift and division decoding); sets small and large (compact
        // keys and keys cleared from the union); 2 states per 3 codes (dense and sorted).
        let cards = vec![2u32, 3, 4, 5, 2, 3, 2];
        let total: u64 = cards.iter().map(|&c| c as u64).product();
        let codes: Vec<u64> = (0..total).filter(|c| c % 3 != 1).collect();
        let w: Vec<f64> = codes.iter().map(|c| 1.0 + (c * 7 % 11) as f64).collect();
        let z: f64 = w.iter().sum();
        let probs: Vec<f64> = w.iter().map(|x| x / z).collect();
        let sets = vec![
            vec![0],
            vec![3, 1],
            vec![0, 1, 2, 3, 4, 5],
            vec![6, 5, 4, 3, 2, 1, 0],
            vec![0, 2, 3, 4, 5, 6],
            vec![],
        ];
        let h = marginal_entropies(&cards, &codes, &probs, &sets, BUDGET).unwrap();
        for (set, got) in sets.iter().zip(&h) {
            let want = naive(&cards, &codes, &probs, set);
            assert!((got - want).abs() < 1e-12, "{set:?}: {got} vs {want}");
        }
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let b = BUDGET;
        assert!(marginal_entropies(&[2], &[0, 1], &[1.0], &[], b).is_err());
        assert!(marginal_entropies(&[2], &[2], &[1.0], &[], b).is_err());
        assert!(marginal_entropies(&[2], &[0], &[f64::NAN], &[], b).is_err());
        assert!(marginal_entropies(&[2], &[0], &[1.0], &[vec![1]], b).is_err());
        assert!(marginal_entropies(&[2, 2], &[0], &[1.0], &[vec![1, 1]], b).is_err());
        assert!(marginal_entropies(&[0], &[0], &[1.0], &[], b).is_err());
        assert!(matches!(
            marginal_entropies(&[2], &[0, 1], &[0.5, 0.5], &[vec![0]], 100),
            Err(Error::TooLarge { .. })
        ));
    }
}
