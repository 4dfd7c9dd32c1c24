//! Components of the move graph (THEORY §3, Proposition 1): the exactly conserved part.
//!
//! `x ~ y` when they differ only inside some block; the component label is the Gács–Körner
//! common part of the views `X_{-B}`. For each block every state is joined to its fibre's
//! representative, in parallel, then labels are numbered by first appearance.

use crate::cancel::Cancel;
use crate::error::Result;
use crate::support::{FibreFinder, Support, UnionFind};
use rayon::prelude::*;

/// Component labels `0..m`, numbered in order of each component's first support state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Components {
    pub labels: Vec<u32>,
    pub count: usize,
}

/// The components of the move graph of `blocks` on `support`. Polls `cancel` every few
/// thousand states (dense strategy) or between blocks (sorted strategy).
pub fn components(support: &Support, blocks: &[Vec<usize>], cancel: &Cancel) -> Result<Components> {
    for b in blocks {
        support.check_block(b)?;
    }
    let finder = FibreFinder::new(support);
    let uf = UnionFind::new(support.len());
    let (flips, rest) = finder.split_bit_flips(blocks);
    let walks: Option<Vec<_>> = rest.iter().map(|b| finder.dense_walk(b)).collect();
    match (walks, finder.codes()) {
        // Dense: one pass over the states handles every block, no per-block arrays.
        (Some(walks), Some(codes)) => {
            (0..support.len())
                .into_par_iter()
                .with_min_len(4096)
                .try_for_each(|s| {
                    // One relaxed load per state: cheap next to the lookups below.
                    cancel.check()?;
                    let mut root = s as u32;
                    // Single-site binary blocks: only a set bit can have a partner below it
                    // (a clear bit's partner, if present, finds `s` from its own side).
                    let mut bits = codes[s] & flips;
                    while bits != 0 {
                        let bit = bits & bits.wrapping_neg();
                        bits ^= bit;
                        if let Some(partner) = finder.position(codes[s] ^ bit) {
                            root = uf.union(root, partner);
                        }
                    }
                    for walk in &walks {
                        root = uf.union(root, walk.rep(s));
                    }
                    Ok(())
                })?
        }
        _ => {
            for block in blocks {
                cancel.check()?;
                let rep = finder.representatives(block)?;
                rep.par_iter()
                    .with_min_len(4096)
                    .enumerate()
                    .for_each(|(s, &r)| {
                        if r != s as u32 {
                            uf.union(s as u32, r);
                        }
                    });
            }
        }
    }
    Ok(label(&uf))
}

/// Every root is the smallest member of its set, so it is met before the rest of its set.
fn label(uf: &UnionFind) -> Components {
    let roots: Vec<u32> = (0..uf.len() as u32)
        .into_par_iter()
        .with_min_len(4096)
        .map(|s| uf.find(s))
        .collect();
    let mut labels = roots;
    let mut count = 0u32;
    for s in 0..labels.len() {
        let r = labels[s] as usize;
        labels[s] = if r == s {
            count += 1;
            count - 1
        } else {
            labels[r]
        };
    }
    Components {
        labels,
        count: count as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coded(cards: &[u32], codes: &[u64], blocks: &[Vec<usize>]) -> Components {
        components(
            &Support::from_codes(cards, codes).unwrap(),
            blocks,
            Cancel::never(),
        )
        .unwrap()
    }

    #[test]
    fn copies_keep_one_bit_until_the_block_holds_them_all() {
        // Three copies of a bit: states 000 and 111.
        let single: Vec<Vec<usize>> = (0..3).map(|i| vec![i]).collect();
        assert_eq!(coded(&[2; 3], &[0, 7], &single).count, 2);
        let pairs = vec![vec![0, 1], vec![0, 2], vec![1, 2]];
        assert_eq!(coded(&[2; 3], &[0, 7], &pairs).count, 2);
        assert_eq!(coded(&[2; 3], &[0, 7], &[vec![0, 1, 2]]).count, 1);
    }

    #[test]
    fn parity_splits_into_singletons_under_single_flips() {
        let even: Vec<u64> = (0..8u64).filter(|c| c.count_ones() % 2 == 0).collect();
        let single: Vec<Vec<usize>> = (0..3).map(|i| vec![i]).collect();
        let c = coded(&[2; 3], &even, &single);
        assert_eq!(c.count, 4);
        assert_eq!(c.labels, vec![0, 1, 2, 3]);
        let pairs = vec![vec![0, 1], vec![0, 2], vec![1, 2]];
        assert_eq!(coded(&[2; 3], &even, &pairs).count, 1);
    }

    #[test]
    fn labels_follow_first_appearance() {
        // Codes 3 and 0 are joined through 1 and 2 under single flips of two bits.
        let c = coded(&[2, 2], &[3, 0, 1], &[vec![0], vec![1]]);
        assert_eq!(c.labels, vec![0, 0, 0]);
        let c = coded(&[2, 2], &[3, 0], &[vec![0], vec![1]]);
        assert_eq!(c.labels, vec![0, 1]);
    }

    #[test]
    fn rows_and_codes_agree() {
        let codes = [0u64, 3, 5, 6, 7];
        let rows: Vec<u32> = codes
            .iter()
            .flat_map(|&c| (0..3).map(move |i| ((c >> i) & 1) as u32))
            .collect();
        let blocks = vec![vec![0], vec![2]];
        let a = coded(&[2; 3], &codes, &blocks);
        let rowed = Support::from_rows(&[2; 3], &rows).unwrap();
        let b = components(&rowed, &blocks, Cancel::never()).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn bad_blocks_are_errors_not_panics() {
        let s = Support::from_codes(&[2, 2], &[0]).unwrap();
        assert!(components(&s, &[vec![2]], Cancel::never()).is_err());
        assert!(components(&s, &[vec![]], Cancel::never()).is_err());
    }

    #[test]
    fn a_cancelled_flag_stops_the_work() {
        let s = Support::from_codes(&[2, 2], &[0, 1, 3]).unwrap();
        let cancel = Cancel::new();
        cancel.cancel();
        let got = components(&s, &[vec![0], vec![1]], &cancel);
        assert_eq!(got, Err(crate::Error::Cancelled));
    }
}
