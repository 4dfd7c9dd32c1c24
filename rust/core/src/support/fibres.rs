//! Fibres of a block: the support states that agree outside the block.
//!
//! Resampling block `B` moves `x` only to states `y` with `y_{-B} = x_{-B}`, so every
//! quantity of THEORY §3–4 aggregates over these fibres. [`FibreFinder::representatives`]
//! names one fixed member of each fibre; two states share a representative exactly when
//! they lie in the same fibre.
//!
//! [`FibreTable`] numbers the fibres and lists their members, the form the kernel sums
//! over.
//!
//! Two strategies, chosen once per support:
//! - *dense*: when the state space is at most a few times the support, a table from code
//!   to support position makes each lookup O(1) and the pass embarrassingly parallel;
//! - *sorted*: otherwise states are sorted by their projection outside the block and runs
//!   of equal projections form the fibres (O(N log N) per block, no big table).

use super::codes::{Radix, Support};
use crate::error::Result;
use rayon::prelude::*;

const ABSENT: u32 = u32::MAX;

/// A dense table is used while the state space is at most this many times the support,
/// or at most `DENSE_ALWAYS` states (a 64 MiB table), whichever is larger.
const DENSE_RATIO: u64 = 4;
const DENSE_ALWAYS: u64 = 1 << 24;
/// Never a table of more than 8 GiB.
const DENSE_MAX: u64 = 1 << 31;

pub struct FibreFinder<'a> {
    support: &'a Support<'a>,
    /// `index[code]` = support position, or `ABSENT`.
    index: Option<Vec<u32>>,
}

impl<'a> FibreFinder<'a> {
    pub fn new(support: &'a Support<'a>) -> Self {
        let index = match support {
            Support::Codes { radix, codes }
                if radix.total() <= (DENSE_RATIO * codes.len() as u64).max(DENSE_ALWAYS)
                    && radix.total() <= DENSE_MAX =>
            {
                let mut index = vec![ABSENT; radix.total() as usize];
                for (i, &c) in codes.iter().enumerate() {
                    index[c as usize] = i as u32;
                }
                Some(index)
            }
            _ => None,
        };
        FibreFinder { support, index }
    }

    /// Whether the dense strategy is in use (exposed for tests and benchmarks).
    pub fn is_dense(&self) -> bool {
        self.index.is_some()
    }

    /// `rep[s]` is one fixed member of the fibre of state `s` for `block`.
    pub fn representatives(&self, block: &[usize]) -> Result<Vec<u32>> {
        self.support.check_block(block)?;
        let n = self.support.len();
        let mut rep = vec![0u32; n];
        match (self.support, &self.index) {
            (Support::Codes { .. }, Some(_)) => {
                let walk = self.dense_walk(block).expect("dense strategy");
                rep.par_iter_mut()
                    .with_min_len(4096)
                    .enumerate()
                    .for_each(|(s, r)| *r = walk.rep(s));
            }
            (Support::Codes { radix, codes }, None) => {
                let mut keyed: Vec<(u64, u32)> = codes
                    .par_iter()
                    .enumerate()
                    .map(|(s, &c)| (radix.clear(c, block), s as u32))
                    .collect();
                keyed.par_sort_unstable();
                fill_runs(&keyed, |a, b| a.0 == b.0, |e| e.1, &mut rep);
            }
            (Support::Rows { cards, rows }, _) => {
                let width = cards.len();
                let mut outside = vec![true; width];
                for &i in block {
                    outside[i] = false;
                }
                let cols: Vec<usize> = (0..width).filter(|&i| outside[i]).collect();
                let key = |s: u32| {
                    let row = &rows[s as usize * width..(s as usize + 1) * width];
                    cols.iter().map(move |&i| row[i])
                };
                let mut order: Vec<u32> = (0..n as u32).collect();
                order.par_sort_unstable_by(|&a, &b| key(a).cmp(key(b)).then(a.cmp(&b)));
                fill_runs(&order, |&a, &b| key(a).eq(key(b)), |&s| s, &mut rep);
            }
        }
        Ok(rep)
    }

    /// The fibres of `block` as a table.
    pub fn table(&self, block: &[usize]) -> Result<FibreTable> {
        Ok(FibreTable::from_representatives(
            &self.representatives(block)?,
        ))
    }

    /// With the dense strategy, the bits of the code that single-site blocks on binary
    /// variables flip (their fibre is `{x, x ^ bit}`), and the remaining blocks.
    pub fn split_bit_flips<'b>(&self, blocks: &'b [Vec<usize>]) -> (u64, Vec<&'b [usize]>) {
        let mut mask = 0u64;
        let mut rest = Vec::new();
        for block in blocks {
            match (self.support, &self.index, &block[..]) {
                (Support::Codes { radix, .. }, Some(_), &[i]) if radix.bit(i).is_some() => {
                    mask |= radix.bit(i).unwrap_or(0)
                }
                _ => rest.push(&block[..]),
            }
        }
        (mask, rest)
    }

    /// With the dense strategy, the support position of a code, if present.
    #[inline]
    pub fn position(&self, code: u64) -> Option<u32> {
        let hit = self.index.as_ref()?[code as usize];
        (hit != ABSENT).then_some(hit)
    }

    /// The support's codes, if it is coded.
    pub fn codes(&self) -> Option<&'a [u64]> {
        match self.support {
            Support::Codes { codes, .. } => Some(codes),
            Support::Rows { .. } => None,
        }
    }

    /// The O(1)-per-state lookup of the dense strategy for one (checked) block, or `None`
    /// when the support uses the sorted strategy.
    pub fn dense_walk(&self, block: &[usize]) -> Option<DenseWalk<'_>> {
        let (Support::Codes { radix, codes }, Some(index)) = (self.support, &self.index) else {
            return None;
        };
        // Variables of cardinality 1 never move a code. The rest number fewer than 32
        // here, since the dense table holds fewer than 2^32 states.
        let moving: Vec<usize> = block
            .iter()
            .copied()
            .filter(|&i| radix.cards()[i] > 1)
            .collect();
        Some(DenseWalk {
            radix,
            codes,
            index,
            cards: moving.iter().map(|&i| radix.cards()[i] as u64).collect(),
            strides: moving.iter().map(|&i| radix.strides()[i]).collect(),
            moving,
        })
    }
}

/// Finds fibre representatives through the dense code table.
pub struct DenseWalk<'a> {
    radix: &'a Radix,
    codes: &'a [u64],
    index: &'a [u32],
    moving: Vec<usize>,
    cards: Vec<u64>,
    strides: Vec<u64>,
}

impl DenseWalk<'_> {
    /// The present member of `s`'s fibre with the smallest code.
    #[inline]
    pub fn rep(&self, s: usize) -> u32 {
        // Walk the block's values in increasing code order from the all-zero digits; the
        // walk stops at the latest at `s` itself, which is present.
        let own = self.codes[s];
        let mut code = self.radix.clear(own, &self.moving);
        if let [2] = self.cards[..] {
            // One binary variable, the commonest block: one lookup and no branch to
            // mispredict (when the bit is clear, `code == own` and the lookup finds `s`).
            let hit = self.index[code as usize];
            return if hit != ABSENT { hit } else { s as u32 };
        }
        if let [stride] = self.strides[..] {
            // One moving variable: no odometer needed.
            while code != own {
                let hit = self.index[code as usize];
                if hit != ABSENT {
                    return hit;
                }
                code += stride;
            }
            return s as u32;
        }
        while code != own {
            let hit = self.index[code as usize];
            if hit != ABSENT {
                return hit;
            }
            // Odometer step over the block's digits, least significant first.
            for (j, &var) in self.moving.iter().enumerate() {
                if (self.radix.digit(code, var) as u64) + 1 < self.cards[j] {
                    code += self.strides[j];
                    break;
                }
                code -= self.strides[j] * (self.cards[j] - 1);
            }
        }
        s as u32
    }
}

/// The fibres of one block: numbered `0..m` by first appearance, with their members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FibreTable {
    /// `fibre[s]`: fibre of support state `s`.
    pub fibre: Vec<u32>,
    /// Members of fibre `f` are `members[offsets[f]..offsets[f + 1]]`, in support order.
    pub offsets: Vec<u32>,
    pub members: Vec<u32>,
}

impl FibreTable {
    /// The table of the partition given by representatives (`rep[s]` names `s`'s fibre).
    pub fn from_representatives(rep: &[u32]) -> FibreTable {
        let n = rep.len();
        let mut id_of_rep = vec![u32::MAX; n];
        let mut fibre = vec![0u32; n];
        let mut m = 0u32;
        for s in 0..n {
            let r = rep[s] as usize;
            if id_of_rep[r] == u32::MAX {
                id_of_rep[r] = m;
                m += 1;
            }
            fibre[s] = id_of_rep[r];
        }
        // Counting sort of the states by fibre, keeping support order inside each fibre.
        let mut offsets = vec![0u32; m as usize + 1];
        for &f in &fibre {
            offsets[f as usize + 1] += 1;
        }
        for f in 0..m as usize {
            offsets[f + 1] += offsets[f];
        }
        let mut fill = offsets.clone();
        let mut members = vec![0u32; n];
        for (s, &f) in fibre.iter().enumerate() {
            members[fill[f as usize] as usize] = s as u32;
            fill[f as usize] += 1;
        }
        FibreTable {
            fibre,
            offsets,
            members,
        }
    }

    /// Number of fibres.
    pub fn count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The members of fibre `f`, in support order.
    #[inline]
    pub fn members_of(&self, f: usize) -> &[u32] {
        &self.members[self.offsets[f] as usize..self.offsets[f + 1] as usize]
    }

    /// `Σ_f |f|²`: the work of applying the block by gathering.
    pub fn square_sizes(&self) -> usize {
        self.offsets
            .windows(2)
            .map(|w| ((w[1] - w[0]) as usize).pow(2))
            .sum()
    }
}

/// Over a sequence sorted so that fibres are contiguous runs, give every member of a run
/// the run's first element as representative.
fn fill_runs<T>(
    sorted: &[T],
    same: impl Fn(&T, &T) -> bool,
    pos: impl Fn(&T) -> u32,
    rep: &mut [u32],
) {
    let mut start = 0;
    for i in 0..sorted.len() {
        if !same(&sorted[start], &sorted[i]) {
            start = i;
        }
        rep[pos(&sorted[i]) as usize] = pos(&sorted[start]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_partition(a: &[u32], b: &[u32]) -> bool {
        (0..a.len()).all(|i| (0..a.len()).all(|j| (a[i] == a[j]) == (b[i] == b[j])))
    }

    #[test]
    fn dense_sorted_and_rows_agree() {
        // Three ternary variables, a scattered support.
        let cards = [3u32, 3, 3];
        let codes: Vec<u64> = vec![0, 1, 4, 5, 9, 13, 22, 26, 18, 2];
        let rows: Vec<u32> = codes
            .iter()
            .flat_map(|&c| [(c % 3) as u32, (c / 3 % 3) as u32, (c / 9) as u32])
            .collect();
        let coded = Support::from_codes(&cards, &codes).unwrap();
        let rowed = Support::from_rows(&cards, &rows).unwrap();
        let dense = FibreFinder::new(&coded);
        assert!(dense.is_dense());
        let sorted = FibreFinder {
            support: &coded,
            index: None,
        };
        let by_rows = FibreFinder::new(&rowed);
        for block in [vec![0], vec![1], vec![2], vec![0, 2], vec![0, 1, 2]] {
            let a = dense.representatives(&block).unwrap();
            let b = sorted.representatives(&block).unwrap();
            let c = by_rows.representatives(&block).unwrap();
            assert!(same_partition(&a, &b), "block {block:?}");
            assert!(same_partition(&a, &c), "block {block:?}");
            // A representative is a member of the fibre.
            for (s, &r) in a.iter().enumerate() {
                assert_eq!(a[r as usize], r, "block {block:?}, state {s}");
            }
        }
    }

    #[test]
    fn tables_number_fibres_by_first_appearance() {
        let t = FibreTable::from_representatives(&[2, 1, 2, 1, 4]);
        assert_eq!(t.fibre, vec![0, 1, 0, 1, 2]);
        assert_eq!(t.count(), 3);
        assert_eq!(t.members_of(0), &[0, 2]);
        assert_eq!(t.members_of(1), &[1, 3]);
        assert_eq!(t.members_of(2), &[4]);
        assert_eq!(t.square_sizes(), 9);
    }

    #[test]
    fn fibres_of_a_single_bit_flip() {
        let codes = [0u64, 1, 2];
        let s = Support::from_codes(&[2, 2], &codes).unwrap();
        let rep = FibreFinder::new(&s).representatives(&[0]).unwrap();
        assert_eq!(rep, vec![0, 0, 2]);
        let rep = FibreFinder::new(&s).representatives(&[1]).unwrap();
        assert_eq!(rep, vec![0, 1, 0]);
    }
}
