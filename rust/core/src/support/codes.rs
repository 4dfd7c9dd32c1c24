//! The support of a joint law: which states have positive probability.
//!
//! States are encoded as mixed-radix codes, `code = sum_i x_i * prod_{j<i} c_j` (variable 0
//! least significant), whenever the product of the cardinalities fits in a `u64`. Wider
//! systems (say 100 binary variables with a sparse support) keep their states as rows.

use crate::error::{Error, Result};
use rayon::prelude::*;

/// Cardinalities with their place values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Radix {
    cards: Vec<u32>,
    strides: Vec<u64>,
    total: u64,
    /// `(shift, mask)` for a variable whose place value and cardinality are powers of two,
    /// so its digit is read without a division (all-binary systems, the common case).
    fast: Vec<Option<(u32, u64)>>,
}

impl Radix {
    /// `None` when the state space has more than `u64::MAX` states.
    pub fn new(cards: &[u32]) -> Result<Option<Radix>> {
        validate_cards(cards)?;
        let mut strides = Vec::with_capacity(cards.len());
        let mut total: u64 = 1;
        for &c in cards {
            strides.push(total);
            match total.checked_mul(c as u64) {
                Some(t) => total = t,
                None => return Ok(None),
            }
        }
        let fast = cards
            .iter()
            .zip(&strides)
            .map(|(&c, &st)| {
                (c.is_power_of_two() && st.is_power_of_two())
                    .then(|| (st.trailing_zeros(), c as u64 - 1))
            })
            .collect();
        Ok(Some(Radix {
            cards: cards.to_vec(),
            strides,
            total,
            fast,
        }))
    }

    pub fn cards(&self) -> &[u32] {
        &self.cards
    }
    pub fn strides(&self) -> &[u64] {
        &self.strides
    }
    /// Number of states of the whole state space.
    pub fn total(&self) -> u64 {
        self.total
    }
    /// Value of variable `i` in the state with this code.
    #[inline]
    pub fn digit(&self, code: u64, i: usize) -> u32 {
        match self.fast[i] {
            Some((shift, mask)) => ((code >> shift) & mask) as u32,
            None => ((code / self.strides[i]) % self.cards[i] as u64) as u32,
        }
    }
    /// For a binary variable held in a single bit of the code, that bit's mask.
    pub fn bit(&self, i: usize) -> Option<u64> {
        match self.fast[i] {
            Some((shift, 1)) => Some(1u64 << shift),
            _ => None,
        }
    }
    /// The code with the digits of `block` set to zero.
    #[inline]
    pub fn clear(&self, code: u64, block: &[usize]) -> u64 {
        block.iter().fold(code, |c, &i| {
            c - self.digit(code, i) as u64 * self.strides[i]
        })
    }
}

fn validate_cards(cards: &[u32]) -> Result<()> {
    if cards.is_empty() {
        return Err(Error::invalid("a system needs at least one variable"));
    }
    if let Some(i) = cards.iter().position(|&c| c == 0) {
        return Err(Error::invalid(format!("variable {i} has cardinality 0")));
    }
    Ok(())
}

/// A support, borrowed from the caller's arrays.
#[derive(Debug, Clone)]
pub enum Support<'a> {
    /// One code per state.
    Codes { radix: Radix, codes: &'a [u64] },
    /// Row-major `len x n` values, for state spaces too wide for codes.
    Rows { cards: Vec<u32>, rows: &'a [u32] },
}

impl<'a> Support<'a> {
    /// A coded support; checks every code lies in the state space.
    pub fn from_codes(cards: &[u32], codes: &'a [u64]) -> Result<Self> {
        let radix = Radix::new(cards)?.ok_or_else(|| {
            Error::invalid("the product of the cardinalities does not fit in 64 bits; use rows")
        })?;
        check_len(codes.len())?;
        let total = radix.total();
        if let Some(i) = codes.par_iter().position_first(|&c| c >= total) {
            return Err(Error::invalid(format!(
                "code {} at position {i} is outside the state space of {total} states",
                codes[i]
            )));
        }
        Ok(Support::Codes { radix, codes })
    }

    /// A support given as rows; checks the shape and every value against its cardinality.
    pub fn from_rows(cards: &[u32], rows: &'a [u32]) -> Result<Self> {
        validate_cards(cards)?;
        let n = cards.len();
        if rows.len() % n != 0 {
            return Err(Error::invalid(format!(
                "{} values cannot be split into rows of {n} variables",
                rows.len()
            )));
        }
        check_len(rows.len() / n)?;
        if let Some(p) = rows
            .par_iter()
            .enumerate()
            .position_first(|(p, &v)| v >= cards[p % n])
        {
            return Err(Error::invalid(format!(
                "state {} has value {} for variable {}, outside [0, {})",
                p / n,
                rows[p],
                p % n,
                cards[p % n]
            )));
        }
        Ok(Support::Rows {
            cards: cards.to_vec(),
            rows,
        })
    }

    pub fn len(&self) -> usize {
        match self {
            Support::Codes { codes, .. } => codes.len(),
            Support::Rows { cards, rows } => rows.len() / cards.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn n_vars(&self) -> usize {
        self.cards().len()
    }
    pub fn cards(&self) -> &[u32] {
        match self {
            Support::Codes { radix, .. } => radix.cards(),
            Support::Rows { cards, .. } => cards,
        }
    }

    /// Checks a block: non-empty, indices in range, strictly increasing.
    pub fn check_block(&self, block: &[usize]) -> Result<()> {
        let n = self.n_vars();
        if block.is_empty() {
            return Err(Error::invalid("a block must contain at least one variable"));
        }
        if let Some(&i) = block.iter().find(|&&i| i >= n) {
            return Err(Error::invalid(format!(
                "block {block:?} names variable {i}, but the system has {n} variables"
            )));
        }
        if block.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::invalid(format!(
                "block {block:?} must list distinct variables in increasing order"
            )));
        }
        Ok(())
    }

    /// The position of some pair of equal states, if any.
    pub fn find_duplicate(&self) -> Option<(usize, usize)> {
        match self {
            Support::Codes { codes, .. } => {
                if codes.par_windows(2).all(|w| w[0] < w[1]) {
                    return None;
                }
                let mut order: Vec<u32> = (0..codes.len() as u32).collect();
                order.par_sort_unstable_by_key(|&i| (codes[i as usize], i));
                order
                    .windows(2)
                    .find(|w| codes[w[0] as usize] == codes[w[1] as usize])
                    .map(|w| (w[0] as usize, w[1] as usize))
            }
            Support::Rows { cards, rows } => {
                let n = cards.len();
                let row = |i: u32| &rows[i as usize * n..(i as usize + 1) * n];
                let mut order: Vec<u32> = (0..self.len() as u32).collect();
                order.par_sort_unstable_by(|&a, &b| row(a).cmp(row(b)).then(a.cmp(&b)));
                order
                    .windows(2)
                    .find(|w| row(w[0]) == row(w[1]))
                    .map(|w| (w[0] as usize, w[1] as usize))
            }
        }
    }
}

/// Support positions are `u32` throughout the engines.
fn check_len(len: usize) -> Result<()> {
    if len as u64 >= u32::MAX as u64 {
        return Err(Error::TooLarge {
            what: format!("a support of {len} states (the limit is 2^32 - 1)"),
            bytes: len as u128 * 16,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_codes_are_little_endian() {
        let r = Radix::new(&[2, 3, 4]).unwrap().unwrap();
        assert_eq!(r.strides(), &[1, 2, 6]);
        assert_eq!(r.total(), 24);
        let code = 1 + 2 * 2 + 3 * 6;
        assert_eq!(
            (r.digit(code, 0), r.digit(code, 1), r.digit(code, 2)),
            (1, 2, 3)
        );
        assert_eq!(r.clear(code, &[1]), 1 + 3 * 6);
    }

    #[test]
    fn radix_overflow_is_none() {
        assert!(Radix::new(&[2; 64]).unwrap().is_none());
        assert!(Radix::new(&[2; 63]).unwrap().is_some());
        assert!(Radix::new(&[]).is_err());
        assert!(Radix::new(&[2, 0]).is_err());
    }

    #[test]
    fn out_of_range_codes_and_rows_are_refused() {
        assert!(Support::from_codes(&[2, 2], &[0, 4]).is_err());
        assert!(Support::from_rows(&[2, 2], &[0, 1, 2, 0]).is_err());
        assert!(Support::from_rows(&[2, 2], &[0, 1, 1]).is_err());
    }

    #[test]
    fn duplicates_are_found() {
        let s = Support::from_codes(&[2, 2], &[3, 1, 3]).unwrap();
        assert_eq!(s.find_duplicate(), Some((0, 2)));
        let s = Support::from_codes(&[2, 2], &[0, 1, 3]).unwrap();
        assert_eq!(s.find_duplicate(), None);
        let s = Support::from_rows(&[2, 2], &[1, 0, 0, 1, 1, 0]).unwrap();
        assert_eq!(s.find_duplicate(), Some((0, 2)));
    }

    #[test]
    fn blocks_are_checked() {
        let s = Support::from_codes(&[2, 2, 2], &[0]).unwrap();
        assert!(s.check_block(&[0, 2]).is_ok());
        assert!(s.check_block(&[]).is_err());
        assert!(s.check_block(&[3]).is_err());
        assert!(s.check_block(&[1, 1]).is_err());
        assert!(s.check_block(&[2, 1]).is_err());
    }
}
