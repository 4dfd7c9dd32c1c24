//! Tests of the chains: streams, thread counts, ranges, paths.
use super::*;
use crate::gibbs::blocks::Blocks;
use crate::gibbs::lattice::tests::grid;
use crate::gibbs::model::tests::chain3;
use crate::gibbs::model::FactorGraph;

/// Exact law of a small model by enumeration (codes: variable 0 least significant).
fn exact(g: &FactorGraph) -> Vec<f64> {
    let n = g.n();
    let size: usize = g.cards().iter().map(|&c| c as usize).product();
    let mut w: Vec<f64> = (0..size)
        .map(|mut code| {
            let x: Vec<u16> = g
                .cards()
                .iter()
                .map(|&c| {
                    let v = code % c as usize;
                    code /= c as usize;
                    v as u16
                })
                .collect();
            assert_eq!(x.len(), n);
            g.log_weight(&x).exp()
        })
        .collect();
    let z: f64 = w.iter().sum();
    w.iter_mut().for_each(|p| *p /= z);
    w
}

fn frequencies(ch: &Chains) -> Vec<f64> {
    let cards = ch.sampler.model().cards().to_vec();
    let size: usize = cards.iter().map(|&c| c as usize).product();
    let mut f = vec![0.0; size];
    for x in ch.states().chunks(ch.n()) {
        let (mut code, mut s) = (0usize, 1usize);
        for (&v, &c) in x.iter().zip(&cards) {
            code += v as usize * s;
            s *= c as usize;
        }
        f[code] += 1.0 / ch.chains() as f64;
    }
    f
}

fn run(g: FactorGraph, blocks: &[Vec<u32>], scan: Scan, fast: bool) -> (Vec<f64>, Vec<f64>) {
    let want = exact(&g);
    let b = Blocks::new(&g, blocks).unwrap();
    let k = BlockSampler::new(g, b, fast);
    let chains = 20000;
    let mut ch = Chains::new(k, scan, vec![0; chains * 3], chains, 11).unwrap();
    ch.advance(30, Cancel::never()).unwrap();
    (frequencies(&ch), want)
}

fn close(got: &[f64], want: &[f64], chains: f64) {
    for (g, w) in got.iter().zip(want) {
        // 5 standard errors of a binomial proportion
        let tol = 5.0 * (w * (1.0 - w) / chains).sqrt() + 1e-9;
        assert!((g - w).abs() < tol, "got {got:?} want {want:?}");
    }
}

#[test]
fn stationary_law_for_every_path() {
    let sites = [vec![0], vec![1], vec![2]];
    for (blocks, fast) in [
        (&sites[..], true),
        (&sites[..], false),
        (&[vec![0, 1], vec![1, 2]][..], false),
    ] {
        for scan in [Scan::Random, Scan::Systematic] {
            let (got, want) = run(chain3(), blocks, scan, fast);
            close(&got, &want, 20000.0);
        }
    }
}

#[test]
fn periodic_lattice_path_has_the_exact_law() {
    // A 3x3 torus with a field: the computed-neighbour path must sample the model's law.
    let l = 3u32;
    let mut scopes = Vec::new();
    let mut logs = Vec::new();
    for r in 0..l {
        for c in 0..l {
            let v = r * l + c;
            for w in [r * l + (c + 1) % l, ((r + 1) % l) * l + c] {
                scopes.push(vec![v, w]);
                logs.extend_from_slice(&[0.15, -0.15, -0.15, 0.15]);
            }
            scopes.push(vec![v]);
            logs.extend_from_slice(&[0.0, 0.2]);
        }
    }
    let g = FactorGraph::new(vec![2; 9], &scopes, logs).unwrap();
    let want = exact(&g);
    let sites: Vec<Vec<u32>> = (0..9).map(|i| vec![i]).collect();
    for scan in [Scan::Random, Scan::Systematic] {
        let b = Blocks::new(&g, &sites).unwrap();
        let k = BlockSampler::new(g.clone(), b, true);
        let chains = 40000;
        let mut ch = Chains::new(k, scan, vec![0; chains * 9], chains, 13).unwrap();
        assert!(ch.sampler.pairwise().unwrap().lattice().is_some());
        ch.advance(25, Cancel::never()).unwrap();
        let got = frequencies(&ch);
        close(&got, &want, chains as f64);
    }
}

#[test]
fn open_and_rectangular_lattices_have_the_exact_law() {
    // The lattice path (thresholds by degree on open lattices, R ≠ C tori) samples the
    // model's law, with a field so that border sites have their own biases; it is never
    // the multi-spin path, however many chains.
    for (rows, cols, periodic) in [(2u32, 3u32, false), (3, 3, false), (3, 4, true)] {
        let g = grid(rows, cols, periodic, 0.25, 0.2);
        let n = (rows * cols) as usize;
        let want = exact(&g);
        let sites: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
        for scan in [Scan::Random, Scan::Systematic] {
            let b = Blocks::new(&g, &sites).unwrap();
            let k = BlockSampler::new(g.clone(), b, true);
            let chains = 40000;
            let mut ch = Chains::new(k, scan, vec![0; chains * n], chains, 17).unwrap();
            assert_eq!(ch.path(), "lattice", "{rows}x{cols}");
            assert!(ch.sampler.lattice().is_none() && ch.sampler.grid().is_some());
            ch.advance(40, Cancel::never()).unwrap();
            if n <= 9 {
                close(&frequencies(&ch), &want, chains as f64);
            } else {
                // 4096 states: compare the law of the number of ones instead.
                let (mut got, mut law) = (vec![0.0; n + 1], vec![0.0; n + 1]);
                for x in ch.states().chunks(n) {
                    got[x.iter().map(|&v| v as usize).sum::<usize>()] += 1.0 / chains as f64;
                }
                for (code, p) in want.iter().enumerate() {
                    law[(code as u32).count_ones() as usize] += p;
                }
                close(&got, &law, chains as f64);
            }
        }
    }
}

#[test]
fn ternary_sites_and_hard_zeros() {
    // x0 in {0,1,2}, x1 binary, x1 = 1 forbidden when x0 = 2.
    let g = FactorGraph::new(
        vec![3, 2, 2],
        &[vec![0, 1], vec![1, 2]],
        vec![
            0.1,
            0.4,
            -0.3,
            0.2,
            0.0,
            f64::NEG_INFINITY,
            0.0,
            -1.0,
            0.5,
            0.0,
        ],
    )
    .unwrap();
    let want = exact(&g);
    let b = Blocks::new(&g, &[vec![0], vec![1], vec![2]]).unwrap();
    let mut ch = Chains::new(
        BlockSampler::new(g, b, true),
        Scan::Random,
        vec![0; 3 * 20000],
        20000,
        5,
    )
    .unwrap();
    ch.advance(30, Cancel::never()).unwrap();
    close(&frequencies(&ch), &want, 20000.0);
}

#[test]
fn same_result_for_any_thread_count() {
    let make = || {
        let g = chain3();
        let b = Blocks::new(&g, &[vec![0], vec![1, 2]]).unwrap();
        Chains::new(
            BlockSampler::new(g, b, true),
            Scan::Random,
            vec![0; 3 * 64],
            64,
            3,
        )
        .unwrap()
    };
    let pool = |t| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap()
    };
    let mut a = make();
    pool(1).install(|| a.advance(7, Cancel::never())).unwrap();
    let mut b = make();
    pool(3).install(|| b.advance(7, Cancel::never())).unwrap();
    assert_eq!(a.states(), b.states());
    let mut c = make();
    pool(2).install(|| {
        c.advance(3, Cancel::never()).unwrap();
        c.advance(4, Cancel::never()).unwrap()
    });
    assert_eq!(a.states(), c.states());
}

#[test]
fn ranges_of_chains_put_together_are_the_whole_run() {
    let g = chain3();
    let b = Blocks::new(&g, &[vec![0], vec![1, 2]]).unwrap();
    let sampler = BlockSampler::new(g, b, true);
    let run = |first: usize, chains: usize| {
        let init = vec![0; 3 * chains];
        let mut ch =
            Chains::range(sampler.clone(), Scan::Random, init, chains, 5, first as u64).unwrap();
        ch.advance(9, Cancel::never()).unwrap();
        ch.states().to_vec()
    };
    let whole = run(0, 40);
    let mut parts = run(0, 13);
    parts.extend(run(13, 1));
    parts.extend(run(14, 26));
    assert_eq!(whole, parts);
}

#[test]
fn lattice_lockstep_is_each_chain_alone_for_any_thread_count() {
    // Systematic lattice sweeps run chains in lockstep groups whose size follows the
    // thread count; every chain must still end exactly as if swept alone with its stream.
    // Square and rectangular tori and open lattices alike.
    for (rows, cols, periodic) in [(5u32, 5u32, true), (3, 7, true), (4, 6, false)] {
        lockstep_case(rows, cols, periodic);
    }
}

fn lockstep_case(rows: u32, cols: u32, periodic: bool) {
    let n = (rows * cols) as usize;
    let g = grid(rows, cols, periodic, 0.4, 0.1);
    let sites: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    for chains in [1usize, 3, 5, 9, 13, 17, 40] {
        let init: Vec<u16> = (0..chains * n).map(|i| ((i * 7) % 3 == 0) as u16).collect();
        let sampler = BlockSampler::new(g.clone(), Blocks::new(&g, &sites).unwrap(), true);
        let lat = sampler.grid().expect("a lattice").clone();
        let mut want = init.clone();
        for (c, x) in want.chunks_mut(n).enumerate() {
            let mut rng = stream(4, c as u64, Purpose::Chain);
            for _ in 0..7 {
                lat.sweep(x, &mut rng);
            }
        }
        for threads in [1, 2, 3] {
            let mut ch =
                Chains::new(sampler.clone(), Scan::Systematic, init.clone(), chains, 4).unwrap();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                ch.advance(3, Cancel::never()).unwrap();
                ch.advance(4, Cancel::never()).unwrap()
            });
            assert_eq!(ch.states(), &want[..], "chains {chains} threads {threads}");
        }
    }
}

#[test]
fn statistics() {
    let g = chain3();
    let b = Blocks::new(&g, &[vec![0]]).unwrap();
    let ch = Chains::new(
        BlockSampler::new(g, b, true),
        Scan::Random,
        vec![1, 1, 0, 0, 0, 0],
        2,
        0,
    )
    .unwrap();
    let mut m = [0.0; 2];
    ch.magnetization(&mut m).unwrap();
    assert_eq!(m, [1.0 / 3.0, -1.0]);
    let mut maj = [9u8; 2];
    ch.majority(&mut maj).unwrap();
    assert_eq!(maj, [1, 0]);
    let mut code = [0u64; 2];
    ch.joint_code(&[1, 0], &mut code).unwrap();
    assert_eq!(code, [3, 0]);
    let mut out = [0u8; 6];
    ch.write_states(&mut out).unwrap();
    assert_eq!(out, [1, 1, 0, 0, 0, 0]);
    assert!(ch.write_states(&mut [0u8; 5]).is_err());
}
