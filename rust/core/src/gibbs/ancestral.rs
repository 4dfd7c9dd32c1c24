//! Exact ancestral sampling of a DAG: every variable drawn after its parents, from its own
//! conditional table. No chain, no burn-in: each draw is exact and independent.

use super::model::FactorGraph;
use super::rng::{categorical, stream, Purpose};
use crate::cancel::Cancel;
use crate::error::{Error, Result};
use rayon::prelude::*;

/// Exact ancestral sampling of a DAG: `chains` states drawn in topological `order`, node
/// `order[k]` from the row of its table `own[k]` (a factor whose scope ends with the node
/// and whose entries are `log P(node | parents)`). Chain `c` uses stream `(seed, c, Init)`.
/// Polls `cancel` before every chain.
pub fn ancestral(
    model: &FactorGraph,
    order: &[u32],
    own: &[u32],
    chains: usize,
    seed: u64,
    cancel: &Cancel,
) -> Result<Vec<u16>> {
    let n = model.n();
    if order.len() != n || own.len() != n {
        return Err(Error::invalid(
            "order and own tables must name every variable once",
        ));
    }
    let mut placed = vec![false; n];
    for (k, (&v, &f)) in order.iter().zip(own).enumerate() {
        let (v, f) = (v as usize, f as usize);
        if v >= n || placed[v] {
            return Err(Error::invalid(format!(
                "order position {k}: variable {v} missing or repeated"
            )));
        }
        if f >= model.n_factors() || model.scope(f).last() != Some(&(v as u32)) {
            return Err(Error::invalid(format!(
                "factor {f} is not the table of variable {v}"
            )));
        }
        if model
            .scope(f)
            .iter()
            .any(|&p| !placed[p as usize] && p as usize != v)
        {
            return Err(Error::invalid(format!(
                "variable {v} comes before one of its parents"
            )));
        }
        placed[v] = true;
    }
    let max_card = model.cards().iter().copied().max().unwrap_or(1) as usize;
    let mut out = vec![0u16; chains * n];
    out.par_chunks_mut(n)
        .enumerate()
        .with_max_len(1)
        .try_for_each(|(c, x)| {
            cancel.check()?;
            let mut rng = stream(seed, c as u64, Purpose::Init);
            let mut w = vec![0.0f64; max_card];
            for (&v, &f) in order.iter().zip(own) {
                let (v, f) = (v as usize, f as usize);
                let card = model.cards()[v] as usize;
                x[v] = 0;
                let base = model.index(f, x);
                for (k, wk) in w[..card].iter_mut().enumerate() {
                    *wk = model.log_at(f, base + k as u64);
                }
                x[v] = categorical(&mut rng, &mut w[..card]).unwrap_or(0) as u16;
            }
            Ok(())
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestral_matches_the_dag() {
        // x0 ~ Bern(0.3); x1 | x0: P(1|0) = 0.2, P(1|1) = 0.9
        let g = FactorGraph::new(
            vec![2, 2],
            &[vec![0], vec![0, 1]],
            [0.7f64, 0.3, 0.8, 0.2, 0.1, 0.9]
                .iter()
                .map(|p| p.ln())
                .collect(),
        )
        .unwrap();
        // Codes x0 + 2 x1.
        let want = [0.7 * 0.8, 0.3 * 0.1, 0.7 * 0.2, 0.3 * 0.9];
        let chains = 20000;
        let x = ancestral(&g, &[0, 1], &[0, 1], chains, 9, Cancel::never()).unwrap();
        let mut f = [0.0; 4];
        for s in x.chunks(2) {
            f[(s[0] + 2 * s[1]) as usize] += 1.0 / chains as f64;
        }
        for (got, w) in f.iter().zip(want) {
            // 5 standard errors of a binomial proportion
            let tol = 5.0 * (w * (1.0 - w) / chains as f64).sqrt();
            assert!((got - w).abs() < tol, "got {f:?} want {want:?}");
        }
        assert!(ancestral(&g, &[1, 0], &[1, 0], 1, 0, Cancel::never()).is_err());
        let cancel = Cancel::new();
        cancel.cancel();
        let stopped = ancestral(&g, &[0, 1], &[0, 1], 10, 9, &cancel);
        assert_eq!(stopped, Err(Error::Cancelled));
    }
}
