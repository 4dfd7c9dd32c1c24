//! Tests of the kernel against dense references built entry by entry from the definition.

// Dense references index matrices by position, as the definitions do.
#![allow(clippy::needless_range_loop)]

use super::*;
use crate::cancel::Cancel;
use crate::error::Error;
use crate::scan::Scan;
use crate::support::Support;

const BUDGET: u128 = 1 << 30;

/// Dense reference: K built entry by entry from the definition.
fn dense_reference(
    cards: &[u32],
    codes: &[u64],
    probs: &[f64],
    blocks: &[Vec<usize>],
    scan: Scan,
) -> Vec<Vec<f64>> {
    let n = codes.len();
    let digits = |c: u64| {
        let mut out = vec![];
        let mut c = c;
        for &k in cards {
            out.push(c % k as u64);
            c /= k as u64;
        }
        out
    };
    let pi = |b: &Vec<usize>| {
        let same = |x: usize, y: usize| {
            let (dx, dy) = (digits(codes[x]), digits(codes[y]));
            (0..cards.len()).all(|i| b.contains(&i) || dx[i] == dy[i])
        };
        let mut m = vec![vec![0.0; n]; n];
        for x in 0..n {
            let mass: f64 = (0..n).filter(|&y| same(x, y)).map(|y| probs[y]).sum();
            for y in 0..n {
                if same(x, y) {
                    m[x][y] = probs[y] / mass;
                }
            }
        }
        m
    };
    let mul = |a: &Vec<Vec<f64>>, b: &Vec<Vec<f64>>| {
        (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| (0..n).map(|k| a[i][k] * b[k][j]).sum())
                    .collect()
            })
            .collect::<Vec<Vec<f64>>>()
    };
    let mut k = vec![vec![0.0; n]; n];
    match scan {
        Scan::Random => {
            for b in blocks {
                let p = pi(b);
                for x in 0..n {
                    for y in 0..n {
                        k[x][y] += p[x][y] / blocks.len() as f64;
                    }
                }
            }
        }
        Scan::Systematic => {
            for x in 0..n {
                k[x][x] = 1.0;
            }
            for b in blocks {
                k = mul(&k, &pi(b));
            }
        }
    }
    k
}

fn example() -> (Vec<u32>, Vec<u64>, Vec<f64>, Vec<Vec<usize>>) {
    let cards = vec![2u32, 3, 2];
    let codes: Vec<u64> = vec![0, 1, 3, 4, 6, 7, 9, 10, 11];
    let raw: Vec<f64> = (0..codes.len()).map(|i| 1.0 + (i * 7 % 5) as f64).collect();
    let total: f64 = raw.iter().sum();
    let probs = raw.iter().map(|p| p / total).collect();
    (cards, codes, probs, vec![vec![0], vec![1, 2], vec![0, 2]])
}

#[test]
fn dense_kernel_matches_the_definition() {
    let (cards, codes, probs, blocks) = example();
    let s = Support::from_codes(&cards, &codes).unwrap();
    let k = Kernel::new(&s, &probs, &blocks, BUDGET, Cancel::never()).unwrap();
    for scan in [Scan::Random, Scan::Systematic] {
        let want = dense_reference(&cards, &codes, &probs, &blocks, scan);
        let got = k.dense(scan, BUDGET, Cancel::never()).unwrap();
        let n = codes.len();
        for x in 0..n {
            for y in 0..n {
                assert!(
                    (got[x * n + y] - want[x][y]).abs() < 1e-12,
                    "{scan:?} {x} {y}"
                );
            }
        }
        // Propagating a distribution and applying to a function use the same matrix.
        let mu: Vec<f64> = (0..n).map(|i| (i as f64 + 1.0) / 45.0).collect();
        let f: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        let mk = k.propagate(scan, &mu).unwrap();
        let kf = k.apply(scan, &f).unwrap();
        for y in 0..n {
            let a: f64 = (0..n).map(|x| mu[x] * want[x][y]).sum();
            assert!((mk[y] - a).abs() < 1e-12);
            let b: f64 = (0..n).map(|x| want[y][x] * f[x]).sum();
            assert!((kf[y] - b).abs() < 1e-12);
        }
    }
}

#[test]
fn symmetrised_operator_is_symmetric_and_fixes_root_p() {
    let (cards, codes, probs, blocks) = example();
    let s = Support::from_codes(&cards, &codes).unwrap();
    let k = Kernel::new(&s, &probs, &blocks, BUDGET, Cancel::never()).unwrap();
    let n = codes.len();
    let cols: Vec<Vec<f64>> = (0..n)
        .map(|j| {
            k.apply_symmetric(&(0..n).map(|i| (i == j) as u8 as f64).collect::<Vec<_>>())
                .unwrap()
        })
        .collect();
    for i in 0..n {
        for j in 0..n {
            assert!((cols[j][i] - cols[i][j]).abs() < 1e-14);
        }
    }
    let dense = k.dense_symmetric(BUDGET, Cancel::never()).unwrap();
    for i in 0..n {
        for j in 0..n {
            assert!((dense[i * n + j] - cols[j][i]).abs() < 1e-15);
        }
    }
    let root: Vec<f64> = probs.iter().map(|p| p.sqrt()).collect();
    let image = k.apply_symmetric(&root).unwrap();
    for i in 0..n {
        assert!((image[i] - root[i]).abs() < 1e-14);
    }
}

#[test]
fn block_apply_equals_column_by_column() {
    let (cards, codes, probs, blocks) = example();
    let s = Support::from_codes(&cards, &codes).unwrap();
    let k = Kernel::new(&s, &probs, &blocks, BUDGET, Cancel::never()).unwrap();
    let n = codes.len();
    let m = 3;
    let v: Vec<f64> = (0..n * m).map(|i| ((i * 7 + 3) as f64).sin()).collect();
    let got = k.apply_symmetric_block(&v, m).unwrap();
    for j in 0..m {
        let col: Vec<f64> = (0..n).map(|x| v[x * m + j]).collect();
        let want = k.apply_symmetric(&col).unwrap();
        for x in 0..n {
            assert_eq!(got[x * m + j], want[x], "state {x} column {j}");
        }
    }
    assert!(k.apply_symmetric_block(&v, 2).is_err());
    assert!(k.apply_symmetric_block(&[], 0).is_err());
    // The example mixes both modes: gathered, scattered, gathered.
    let modes: Vec<bool> = k.blocks.iter().map(|b| b.gather).collect();
    assert_eq!(modes, vec![true, false, true]);
}

#[test]
fn fused_powers_equal_repeated_products() {
    let (cards, codes, probs, blocks) = example();
    let s = Support::from_codes(&cards, &codes).unwrap();
    let n = codes.len();
    let m = 2;
    let v: Vec<f64> = (0..n * m).map(|i| ((i * 5 + 1) as f64).cos()).collect();
    // Every block alone too: a run that starts or ends with either mode.
    let families = [
        blocks.clone(),
        vec![blocks[1].clone()],
        vec![blocks[1].clone(), blocks[0].clone()],
    ];
    for family in families {
        let k = Kernel::new(&s, &probs, &family, BUDGET, Cancel::never()).unwrap();
        for power in 1..=4 {
            let mut want = v.clone();
            for _ in 0..power {
                want = k.apply_symmetric_block(&want, m).unwrap();
            }
            // Rubbish in the buffers must not matter.
            let (mut out, mut work) = (vec![7.0; n * m], vec![-3.0; n * m]);
            k.apply_symmetric_power_into(&v, m, power, &mut out, &mut work)
                .unwrap();
            assert_eq!(out, want, "power {power}");
            for j in 0..m {
                let mut col: Vec<f64> = (0..n).map(|x| v[x * m + j]).collect();
                for _ in 0..power {
                    col = k.apply_symmetric(&col).unwrap();
                }
                assert!((0..n).all(|x| out[x * m + j] == col[x]));
            }
        }
        let mut out = vec![0.0; n * m];
        assert!(k
            .apply_symmetric_power_into(&v, m, 0, &mut out, &mut [])
            .is_err());
        assert!(k
            .apply_symmetric_power_into(&v, m, 2, &mut out, &mut [0.0; 3])
            .is_err());
        assert!(k.apply_symmetric_block_into(&v, m, &mut [0.0; 3]).is_err());
    }
}

#[test]
fn surviving_information_matches_dense_powers() {
    let (cards, codes, probs, blocks) = example();
    let s = Support::from_codes(&cards, &codes).unwrap();
    let k = Kernel::new(&s, &probs, &blocks, BUDGET, Cancel::never()).unwrap();
    let n = codes.len();
    let steps = [0u64, 1, 2, 5];
    for scan in [Scan::Random, Scan::Systematic] {
        let kk = dense_reference(&cards, &codes, &probs, &blocks, scan);
        let got = surviving_information(&k, scan, &steps, BUDGET, Cancel::never()).unwrap();
        let mut power: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..n).map(|j| (i == j) as u8 as f64).collect())
            .collect();
        let mut t = 0;
        for (i, &target) in steps.iter().enumerate() {
            while t < target {
                power = (0..n)
                    .map(|a| {
                        (0..n)
                            .map(|b| (0..n).map(|c| power[a][c] * kk[c][b]).sum())
                            .collect()
                    })
                    .collect();
                t += 1;
            }
            let want: f64 = (0..n)
                .map(|x| {
                    probs[x]
                        * (0..n)
                            .filter(|&y| power[x][y] > 0.0)
                            .map(|y| power[x][y] * (power[x][y] / probs[y]).ln())
                            .sum::<f64>()
                })
                .sum();
            assert!(
                (got[i] - want).abs() < 1e-12,
                "{scan:?} T={target}: {} vs {want}",
                got[i]
            );
        }
        // I_0 = H(X).
        let h: f64 = -probs.iter().map(|p| p * p.ln()).sum::<f64>();
        assert!((got[0] - h).abs() < 1e-12);
    }
}

#[test]
fn start_laws_of_point_masses_match_start_states() {
    let (cards, codes, probs, blocks) = example();
    let s = Support::from_codes(&cards, &codes).unwrap();
    let k = Kernel::new(&s, &probs, &blocks, BUDGET, Cancel::never()).unwrap();
    let n = codes.len();
    let starts = [3u32, 0, 8];
    let mut laws = vec![0.0; 3 * n];
    for (i, &x) in starts.iter().enumerate() {
        laws[i * n + x as usize] = 1.0;
    }
    let steps = [1u64, 4];
    let a = k
        .kl_from_starts(Scan::Random, &starts, &steps, BUDGET, Cancel::never())
        .unwrap();
    let b = k
        .kl_from_laws(Scan::Random, &laws, &steps, BUDGET, Cancel::never())
        .unwrap();
    assert_eq!(a, b);
    // Starting from P itself there is nothing to learn.
    let none = latent_information(
        &k,
        Scan::Systematic,
        &probs,
        &[1.0],
        &steps,
        BUDGET,
        Cancel::never(),
    )
    .unwrap();
    assert!(none.iter().all(|v| v.abs() < 1e-12));
}

#[test]
fn bad_input_and_budgets_are_refused() {
    let (cards, codes, probs, blocks) = example();
    let s = Support::from_codes(&cards, &codes).unwrap();
    assert!(Kernel::new(&s, &probs[1..], &blocks, BUDGET, Cancel::never()).is_err());
    let mut bad = probs.clone();
    bad[2] = 0.0;
    assert!(Kernel::new(&s, &bad, &blocks, BUDGET, Cancel::never()).is_err());
    assert!(matches!(
        Kernel::new(&s, &probs, &blocks, 10, Cancel::never()),
        Err(Error::TooLarge { .. })
    ));
    let k = Kernel::new(&s, &probs, &blocks, BUDGET, Cancel::never()).unwrap();
    assert!(k
        .kl_from_starts(Scan::Random, &[99], &[1], BUDGET, Cancel::never())
        .is_err());
    assert!(k
        .kl_from_starts(Scan::Random, &[0], &[2, 1], BUDGET, Cancel::never())
        .is_err());
    assert!(matches!(
        k.kl_from_starts(Scan::Random, &[0], &[1], 100, Cancel::never()),
        Err(Error::TooLarge { .. })
    ));
    assert!(matches!(
        k.dense(Scan::Random, 100, Cancel::never()),
        Err(Error::TooLarge { .. })
    ));
    assert!(k
        .kl_from_laws(Scan::Random, &[0.5; 9], &[1], BUDGET, Cancel::never())
        .is_err());
    assert!(k.propagate(Scan::Random, &[1.0]).is_err());
}

#[test]
fn no_blocks_means_no_move() {
    let (cards, codes, probs, _) = example();
    let s = Support::from_codes(&cards, &codes).unwrap();
    let k = Kernel::new(&s, &probs, &[], BUDGET, Cancel::never()).unwrap();
    let got = surviving_information(&k, Scan::Random, &[0, 3], BUDGET, Cancel::never()).unwrap();
    assert!((got[0] - got[1]).abs() < 1e-15);
}

#[test]
fn a_cancelled_flag_stops_long_work() {
    let (cards, codes, probs, blocks) = example();
    let s = Support::from_codes(&cards, &codes).unwrap();
    let cancel = Cancel::new();
    cancel.cancel();
    assert_eq!(
        Kernel::new(&s, &probs, &blocks, BUDGET, &cancel).err(),
        Some(Error::Cancelled)
    );
    let k = Kernel::new(&s, &probs, &blocks, BUDGET, Cancel::never()).unwrap();
    let got = surviving_information(&k, Scan::Random, &[0, 1000], BUDGET, &cancel);
    assert_eq!(got, Err(Error::Cancelled));
    assert_eq!(
        k.dense(Scan::Random, BUDGET, &cancel),
        Err(Error::Cancelled)
    );
    assert_eq!(k.dense_symmetric(BUDGET, &cancel), Err(Error::Cancelled));
    // Zero steps need no step, so nothing polls.
    assert!(surviving_information(&k, Scan::Random, &[0], BUDGET, &cancel).is_ok());
}

/// A binary support on `n` variables with about one state in seven missing, and
/// probabilities spread over a factor of about 3.
fn binary_example(n: usize) -> (Vec<u32>, Vec<u64>, Vec<f64>) {
    let codes: Vec<u64> = (0..1u64 << n)
        .filter(|c| (c.wrapping_mul(2654435761) >> 7) % 7 != 3)
        .collect();
    let raw: Vec<f64> = (0..codes.len())
        .map(|i| 2.0 + (i as f64 * 1.3).sin())
        .collect();
    let total: f64 = raw.iter().sum();
    (vec![2; n], codes, raw.iter().map(|p| p / total).collect())
}

fn singletons(n: usize) -> Vec<Vec<usize>> {
    (0..n).map(|i| vec![i]).collect()
}

/// Pairs of variables overlapping, so one neighbour comes from several blocks.
fn pairs(n: usize) -> Vec<Vec<usize>> {
    (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| vec![i, j]))
        .collect()
}

#[test]
fn compiled_operator_is_the_definition_by_rows() {
    for (n, blocks) in [
        (4, singletons(4)),
        (4, pairs(4)),
        (5, vec![vec![3], vec![0, 1]]),
    ] {
        let (cards, codes, probs) = binary_example(n);
        let s = Support::from_codes(&cards, &codes).unwrap();
        let k = Kernel::new(&s, &probs, &blocks, BUDGET, Cancel::never()).unwrap();
        assert!(!k.symmetric_form_ready());
        assert!(k.compile_symmetric(Cancel::never()).unwrap());
        assert!(k.symmetric_form_ready());
        let c = k.compiled.get().unwrap().as_ref().unwrap();
        let want = dense_reference(&cards, &codes, &probs, &blocks, Scan::Random);
        let size = codes.len();
        let mut dense = vec![vec![0.0; size]; size];
        for x in 0..size {
            dense[x][x] = c.diag[x];
            let row = c.offsets[x]..c.offsets[x + 1];
            let cols = &c.columns[row.clone()];
            // Columns strictly increasing (each once), the diagonal kept apart.
            assert!(cols.windows(2).all(|w| w[0] < w[1]), "row {x}: {cols:?}");
            assert!(cols.iter().all(|&y| y as usize != x));
            for (&y, &value) in cols.iter().zip(&c.values[row]) {
                dense[x][y as usize] = value;
            }
        }
        for x in 0..size {
            assert!((c.diag[x] - want[x][x]).abs() < 1e-15, "diagonal {x}");
            for y in 0..size {
                let s_xy = want[x][y] * (probs[x] / probs[y]).sqrt();
                assert!((dense[x][y] - s_xy).abs() < 1e-15, "{x} {y}");
                // Symmetric bit for bit: the same terms in the same order.
                assert_eq!(dense[x][y], dense[y][x]);
            }
        }
        // The dense symmetrised operator agrees.
        let ds = k.dense_symmetric(BUDGET, Cancel::never()).unwrap();
        for x in 0..size {
            for y in 0..size {
                assert!((ds[x * size + y] - dense[x][y]).abs() < 1e-15);
            }
        }
    }
}

#[test]
fn compiled_products_match_the_fibres_and_columns_bit_for_bit() {
    let (cards, codes, probs) = binary_example(9);
    let s = Support::from_codes(&cards, &codes).unwrap();
    for blocks in [singletons(9), pairs(9)] {
        let k = Kernel::new(&s, &probs, &blocks, BUDGET, Cancel::never()).unwrap();
        let size = codes.len();
        // Every tile width (16, 8, 4, 2, 1) and their sums.
        for m in [1, 2, 3, 4, 7, 8, 9, 15, 16, 19, 31] {
            let v: Vec<f64> = (0..size * m).map(|i| ((i * 7 + 3) as f64).sin()).collect();
            let mut old = vec![0.0; size * m];
            k.block_by_fibres(&v, m, &mut old);
            let got = k.apply_symmetric_block(&v, m).unwrap();
            assert!(k.compiled.get().unwrap().is_some());
            for (a, b) in got.iter().zip(&old) {
                assert!((a - b).abs() < 1e-15, "m = {m}: {a} vs {b}");
            }
            for j in 0..m {
                let col: Vec<f64> = (0..size).map(|x| v[x * m + j]).collect();
                let one = k.apply_symmetric(&col).unwrap();
                assert!(
                    (0..size).all(|x| got[x * m + j] == one[x]),
                    "column {j} of {m}"
                );
            }
        }
    }
}

#[test]
fn compiled_products_do_not_depend_on_the_threads() {
    let (cards, codes, probs) = binary_example(14);
    let s = Support::from_codes(&cards, &codes).unwrap();
    let k = Kernel::new(&s, &probs, &singletons(14), BUDGET, Cancel::never()).unwrap();
    let size = codes.len();
    for m in [1, 5, 18] {
        let v: Vec<f64> = (0..size * m).map(|i| ((i * 5 + 1) as f64).cos()).collect();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let (mut out, mut work) = (vec![0.0; size * m], vec![0.0; size * m]);
                k.apply_symmetric_power_into(&v, m, 3, &mut out, &mut work)
                    .unwrap();
                out
            })
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(3));
    }
}

#[test]
fn big_fibres_or_a_small_budget_keep_the_fibre_route() {
    // The mixed example has a block with big fibres: nothing compiled.
    let (cards, codes, probs, blocks) = example();
    let s = Support::from_codes(&cards, &codes).unwrap();
    let k = Kernel::new(&s, &probs, &blocks, BUDGET, Cancel::never()).unwrap();
    assert!(!k.compile_symmetric(Cancel::never()).unwrap());
    assert!(k.compiled.get().unwrap().is_none());
    // Fibres fit, the compiled form beside them does not: the same numbers, by fibres.
    let (cards, codes, probs) = binary_example(6);
    let s = Support::from_codes(&cards, &codes).unwrap();
    let fibres_only = Kernel::new(&s, &probs, &singletons(6), BUDGET, Cancel::never())
        .unwrap()
        .fibre_bytes;
    let tight = Kernel::new(&s, &probs, &singletons(6), fibres_only, Cancel::never()).unwrap();
    let roomy = Kernel::new(&s, &probs, &singletons(6), BUDGET, Cancel::never()).unwrap();
    let v: Vec<f64> = (0..codes.len()).map(|i| (i as f64).sin()).collect();
    let (a, b) = (
        tight.apply_symmetric(&v).unwrap(),
        roomy.apply_symmetric(&v).unwrap(),
    );
    assert!(tight.compiled.get().unwrap().is_none());
    assert!(roomy.compiled.get().unwrap().is_some());
    assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-15));
}

#[test]
fn a_cancelled_compilation_decides_nothing() {
    let (cards, codes, probs) = binary_example(6);
    let s = Support::from_codes(&cards, &codes).unwrap();
    let k = Kernel::new(&s, &probs, &singletons(6), BUDGET, Cancel::never()).unwrap();
    let cancel = Cancel::new();
    cancel.cancel();
    assert_eq!(k.compile_symmetric(&cancel), Err(Error::Cancelled));
    assert!(!k.symmetric_form_ready());
    assert!(k.compile_symmetric(Cancel::never()).unwrap());
}
