//! Tests of the lattice path: detection of periodic and open `R × C` lattices, and every
//! sweep against the plain site-by-site update of the same stream.

use super::*;
use crate::gibbs::model::FactorGraph;
use crate::gibbs::pairwise::Pairwise;
use crate::gibbs::rng::{stream, ChainRng, Purpose};

/// The edges of the `rows × cols` lattice in row-major order (each once).
pub(crate) fn grid_edges(rows: u32, cols: u32, periodic: bool) -> Vec<Vec<u32>> {
    let mut scopes = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            let v = r * cols + c;
            if periodic || c + 1 < cols {
                scopes.push(vec![v, r * cols + (c + 1) % cols]);
            }
            if periodic || r + 1 < rows {
                scopes.push(vec![v, ((r + 1) % rows) * cols + c]);
            }
        }
    }
    scopes
}

/// The Ising model `beta (Σ s_u s_v + h Σ s_u)` on these edges (some written backwards).
pub(crate) fn ising(n: u32, mut scopes: Vec<Vec<u32>>, beta: f64, h: f64) -> FactorGraph {
    for (k, s) in scopes.iter_mut().enumerate() {
        if k % 3 == 0 {
            s.reverse();
        }
    }
    let mut logs: Vec<f64> = scopes
        .iter()
        .flat_map(|_| [beta, -beta, -beta, beta])
        .collect();
    if h != 0.0 {
        for v in 0..n {
            scopes.push(vec![v]);
            logs.extend_from_slice(&[-beta * h, beta * h]);
        }
    }
    FactorGraph::new(vec![2; n as usize], &scopes, logs).unwrap()
}

pub(crate) fn grid(rows: u32, cols: u32, periodic: bool, beta: f64, h: f64) -> FactorGraph {
    ising(rows * cols, grid_edges(rows, cols, periodic), beta, h)
}

const SHAPES: [(u32, u32, bool); 14] = [
    (3, 3, true),
    (3, 4, true),
    (4, 3, true),
    (4, 7, true),
    (5, 5, true),
    (6, 3, true),
    (16, 16, true),
    (2, 2, false),
    (2, 5, false),
    (5, 2, false),
    (3, 3, false),
    (4, 7, false),
    (7, 3, false),
    (12, 12, false),
];

#[test]
fn lattices_are_detected_with_their_shape() {
    for (rows, cols, periodic) in SHAPES {
        for h in [0.0, 0.3] {
            let p = Pairwise::from_model(&grid(rows, cols, periodic, 0.4, h)).unwrap();
            let lat = p.grid().expect("a lattice");
            assert_eq!(
                (lat.rows(), lat.cols(), lat.periodic()),
                (rows as usize, cols as usize, periodic)
            );
            // Only the square torus is offered to multi-spin coding.
            assert_eq!(p.lattice().is_some(), periodic && rows == cols);
        }
    }
}

#[test]
fn near_lattices_are_not_detected() {
    for (rows, cols, periodic) in SHAPES {
        let n = rows * cols;
        let edges = grid_edges(rows, cols, periodic);
        // one edge missing, one edge added, one edge moved
        let mut missing = edges.clone();
        missing.remove(edges.len() / 2);
        let mut extra = edges.clone();
        extra.push(vec![0, n - 1]);
        let mut moved = edges.clone();
        moved[0] = vec![0, n / 2 + 1];
        for (what, e) in [("missing", missing), ("extra", extra), ("moved", moved)] {
            let taken: std::collections::HashSet<_> =
                e.iter().map(|s| (s[0].min(s[1]), s[0].max(s[1]))).collect();
            if taken.len() != e.len() || e.iter().any(|s| s[0] == s[1]) {
                continue; // a double edge or a loop is a different model
            }
            let p = Pairwise::from_model(&ising(n, e, 0.4, 0.0)).unwrap();
            assert!(p.grid().is_none(), "{rows}x{cols} {periodic} {what}");
        }
        // a field on one site only: the lattice but not one table a degree
        let mut g = grid_edges(rows, cols, periodic);
        g.push(vec![0]);
        let mut logs: Vec<f64> = (0..g.len() - 1)
            .flat_map(|_| [0.4, -0.4, -0.4, 0.4])
            .collect();
        logs.extend_from_slice(&[0.0, 0.5]);
        let p = Pairwise::from_model(&FactorGraph::new(vec![2; n as usize], &g, logs).unwrap());
        assert!(
            p.unwrap().grid().is_none(),
            "{rows}x{cols} {periodic} field"
        );
    }
    // a ring is not a lattice; neither is a lattice with a column order shuffled
    let ring: Vec<Vec<u32>> = (0..12u32).map(|i| vec![i, (i + 1) % 12]).collect();
    assert!(Pairwise::from_model(&ising(12, ring, 0.3, 0.0))
        .unwrap()
        .grid()
        .is_none());
    let swap = |v: u32| match v {
        1 => 2,
        2 => 1,
        v => v,
    };
    let e: Vec<Vec<u32>> = grid_edges(4, 5, false)
        .into_iter()
        .map(|s| s.into_iter().map(swap).collect())
        .collect();
    assert!(Pairwise::from_model(&ising(20, e, 0.3, 0.0))
        .unwrap()
        .grid()
        .is_none());
}

#[test]
fn lattice_sweeps_equal_site_by_site_sweeps() {
    // Whatever order the fast sweep works in, it must leave exactly the state that
    // updating sites 0..n in turn, one random word each, leaves.
    for (rows, cols, periodic) in SHAPES {
        for (beta, h) in [(0.4, 0.0), (-1.1, 0.35)] {
            let p = Pairwise::from_model(&grid(rows, cols, periodic, beta, h)).unwrap();
            let lat = p.grid().expect("a lattice");
            let n = (rows * cols) as usize;
            let mut init = stream(9, n as u64, Purpose::Init);
            let x0: Vec<u16> = (0..n).map(|_| (init.next_u64() & 1) as u16).collect();
            let (mut a, mut b) = (x0.clone(), x0);
            let mut ra = stream(5, 0, Purpose::Chain);
            let mut rb = ra.clone();
            for _ in 0..6 {
                lat.sweep(&mut a, &mut ra);
                for i in 0..n {
                    p.update(i, &mut b, &mut rb);
                }
                assert_eq!(a, b, "{rows}x{cols} periodic {periodic}");
            }
        }
    }
}

#[test]
fn random_scan_updates_like_the_tables() {
    for (rows, cols, periodic) in SHAPES {
        let p = Pairwise::from_model(&grid(rows, cols, periodic, 0.3, -0.2)).unwrap();
        let lat = p.grid().expect("a lattice");
        let n = (rows * cols) as usize;
        // The reciprocal divides exactly.
        for i in 0..n as u64 {
            assert_eq!(
                ((i as u128 * lat.recip as u128) >> 64) as u64,
                i / cols as u64
            );
        }
        // Random scan: the same sites and words as the neighbour-list update.
        let mut init = stream(2, n as u64, Purpose::Init);
        let x0: Vec<u16> = (0..n).map(|_| (init.next_u64() & 1) as u16).collect();
        let (mut a, mut b) = (x0.clone(), x0);
        let mut ra = stream(7, 1, Purpose::Chain);
        let mut rb = ra.clone();
        lat.random(50 * n as u64, &mut a, &mut ra);
        for _ in 0..50 * n {
            let (i, w) = site_and_word(&mut rb, n as u64);
            p.update_word(i as usize, &mut b, w);
        }
        assert_eq!(a, b, "{rows}x{cols} periodic {periodic}");
        assert_eq!(ra, rb);
    }
}

#[test]
fn lockstep_sweeps_equal_sweeping_each_chain_alone() {
    // K chains packed and swept together must each end exactly where sweeping it alone
    // with its own stream ends: same state, stream at the same place.
    fn check<const K: usize>(lat: &Lattice, n: usize, tag: u64) {
        let mut init = stream(3, tag * 16 + K as u64, Purpose::Init);
        let xs0: Vec<u16> = (0..K * n).map(|_| (init.next_u64() & 1) as u16).collect();
        let rngs0: Vec<ChainRng> = (0..K)
            .map(|k| stream(tag, k as u64, Purpose::Chain))
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
                assert_eq!(&xs[k * n..(k + 1) * n], &x[..], "{tag} K={K} k={k}");
                assert_eq!(rngs[k], r, "{tag} K={K} k={k}");
            }
        }
    }
    let mut shapes: Vec<(u32, u32, bool)> = SHAPES.to_vec();
    shapes.extend((3..=12).map(|l| (l, l, true)));
    for (tag, (rows, cols, periodic)) in shapes.into_iter().enumerate() {
        for (beta, h) in [(0.4, 0.0), (-1.5, 0.2), (3.0, -1.0)] {
            let p = Pairwise::from_model(&grid(rows, cols, periodic, beta, h)).unwrap();
            let lat = p.grid().expect("a lattice");
            let n = (rows * cols) as usize;
            check::<2>(lat, n, tag as u64);
            check::<4>(lat, n, tag as u64);
            check::<8>(lat, n, tag as u64);
        }
    }
}

#[test]
#[ignore]
fn timing_of_the_sweeps() {
    // cargo test --release -p natabs-core timing_of_the_sweeps -- --ignored --nocapture
    for (rows, cols, periodic) in [(256u32, 256u32, true), (256, 256, false), (128, 512, true)] {
        let p = Pairwise::from_model(&grid(rows, cols, periodic, 0.44, 0.0)).unwrap();
        let lat = p.grid().unwrap();
        let n = (rows * cols) as usize;
        let mut xs = vec![0u16; 8 * n];
        let mut rngs: Vec<ChainRng> = (0..8).map(|k| stream(1, k, Purpose::Chain)).collect();
        let mut packed = Vec::new();
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            let t = std::time::Instant::now();
            lat.sweep_lanes::<_, 8>(4, &mut xs, &mut rngs, &mut packed);
            best = best.min(t.elapsed().as_secs_f64());
        }
        let mut best1 = f64::INFINITY;
        for _ in 0..5 {
            let t = std::time::Instant::now();
            for _ in 0..4 {
                lat.sweep(&mut xs[..n], &mut rngs[0]);
            }
            best1 = best1.min(t.elapsed().as_secs_f64());
        }
        let mut best_r = f64::INFINITY;
        for _ in 0..5 {
            let t = std::time::Instant::now();
            lat.random(4 * n as u64, &mut xs[..n], &mut rngs[0]);
            best_r = best_r.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{rows}x{cols} periodic {periodic}: lanes8 {:.0} M/s, one chain {:.0} M/s, \
             random {:.0} M/s",
            32.0 * n as f64 / best / 1e6,
            4.0 * n as f64 / best1 / 1e6,
            4.0 * n as f64 / best_r / 1e6
        );
    }
}
