//! Tests of multi-spin coding: the bit-plane draw, packing, the vector generator, and
//! every sweep against the plainest implementation of the same stream.

use super::*;
use crate::gibbs::rng::{stream, Purpose};

#[test]
fn counts_are_the_number_of_ones() {
    for v in 0..16u64 {
        let bits: [u64; 4] = std::array::from_fn(|k| if v >> k & 1 == 1 { u64::MAX } else { 0 });
        let eq = counts(bits[0], bits[1], bits[2], bits[3]);
        let s = v.count_ones() as usize;
        for (t, &m) in eq.iter().enumerate() {
            assert_eq!(m, if t == s { u64::MAX } else { 0 }, "v={v:04b} t={t}");
        }
    }
}

#[test]
fn bitwise_comparison_has_the_threshold_probability() {
    // Every lane, thresholds from 0 to 1 including the extremes: the frequency of 1
    // is T / 2^63 within 5 standard errors, and the extremes are exact.
    let ps = [0.0, 0.03, 0.5, 0.8531, 1.0];
    let thr: [u64; 5] = std::array::from_fn(|s| crate::gibbs::rng::threshold(ps[s]));
    let planes = Planes::new(thr);
    let mut rng = stream(8, 0, Purpose::Chain);
    let draws = 4000;
    for s in 0..5 {
        let mut eq = [0u64; 5];
        eq[s] = u64::MAX;
        let mut ones = [0u32; 64];
        for _ in 0..draws {
            let w = planes.draw(eq, u64::MAX, &mut rng);
            for (k, o) in ones.iter_mut().enumerate() {
                *o += (w >> k & 1) as u32;
            }
        }
        let p = ps[s];
        let sd = (draws as f64 * p * (1.0 - p)).sqrt();
        let total: u32 = ones.iter().sum();
        let n = draws as f64 * 64.0;
        assert!((total as f64 - n * p).abs() <= 5.0 * (n * p * (1.0 - p)).sqrt() + 1e-9);
        for &o in &ones {
            assert!(
                (o as f64 - draws as f64 * p).abs() <= 5.0 * sd + 1e-9,
                "{s} {ones:?}"
            );
        }
    }
    // Dead lanes stay 0.
    let w = planes.draw([0, 0, 0, 0, u64::MAX], 0xFF, &mut rng);
    assert_eq!(w & !0xFF, 0);
}

#[test]
fn pack_and_unpack_are_inverse() {
    let n = 10;
    for chains in [37, 64, 200, 256] {
        let states: Vec<u16> = (0..chains * n)
            .map(|i| ((i * 7 + i / 3) % 2) as u16)
            .collect();
        let mut words = Vec::<[u64; BATCH]>::new();
        pack(&states, n, &mut words);
        let mut back = vec![0u16; states.len()];
        unpack(&words, n, &mut back);
        assert_eq!(back, states);
    }
    assert_eq!(live_mask(3), 0b111);
    assert_eq!(live_mask(64), u64::MAX);
    assert_eq!(live_masks::<4>(70), [u64::MAX, 0b111111, 0, 0]);
}

#[test]
fn vector_generator_is_xoshiro256plusplus() {
    let seeds: [GroupRng; 3] = [group_rng(1, 0), group_rng(1, 1), group_rng(2, 0)];
    let mut st: [[u64; 3]; 4] = std::array::from_fn(|j| std::array::from_fn(|b| seeds[b][j]));
    let mut refs: Vec<crate::gibbs::rng::ChainRng> = seeds
        .iter()
        .map(|s| {
            let mut bytes = [0u8; 32];
            for (j, w) in s.iter().enumerate() {
                bytes[8 * j..8 * j + 8].copy_from_slice(&w.to_le_bytes());
            }
            rand_core::SeedableRng::from_seed(bytes)
        })
        .collect();
    for _ in 0..100 {
        let got = next(&mut st);
        for b in 0..3 {
            assert_eq!(got[b], refs[b].next_u64());
        }
    }
}

/// One group alone, the plainest way: per site, [`Planes::draw`] with the group's
/// generator.
fn reference(
    lat: &Lattice,
    planes: &Planes,
    sweeps: u64,
    x: &mut [u64],
    live: u64,
    rng: &mut GroupRng,
) {
    struct One<'a>(&'a mut GroupRng);
    impl rand_core::TryRng for One<'_> {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> std::result::Result<u32, Self::Error> {
            Ok((self.try_next_u64()? >> 32) as u32)
        }
        fn try_next_u64(&mut self) -> std::result::Result<u64, Self::Error> {
            let mut st: [[u64; 1]; 4] = std::array::from_fn(|j| [self.0[j]]);
            let r = next(&mut st)[0];
            *self.0 = std::array::from_fn(|j| st[j][0]);
            Ok(r)
        }
        fn try_fill_bytes(&mut self, _: &mut [u8]) -> std::result::Result<(), Self::Error> {
            unimplemented!()
        }
    }
    let l = lat.side();
    for _ in 0..sweeps {
        for i in 0..l * l {
            let (r, c) = (i / l, i % l);
            let eq = counts(
                x[((r + l - 1) % l) * l + c],
                x[((r + 1) % l) * l + c],
                x[r * l + (c + l - 1) % l],
                x[r * l + (c + 1) % l],
            );
            x[i] = planes.draw(eq, live, &mut One(rng));
        }
    }
}

#[test]
fn strips_are_the_sites_redrawn_together() {
    // A strip sweep must equal redrawing, row by row and for c' = 0..w, the sites
    // (r, c' + j w) one after another, each with its bit of the same random planes.
    use crate::gibbs::model::FactorGraph;
    use crate::gibbs::pairwise::Pairwise;
    let l = 8usize;
    let mut scopes = Vec::new();
    for r in 0..l as u32 {
        for c in 0..l as u32 {
            let lu = l as u32;
            scopes.push(vec![r * lu + c, r * lu + (c + 1) % lu]);
            scopes.push(vec![r * lu + c, ((r + 1) % lu) * lu + c]);
        }
    }
    let logs = scopes.iter().flat_map(|_| [0.4, -0.4, -0.4, 0.4]).collect();
    let g = FactorGraph::new(vec![2; l * l], &scopes, logs).unwrap();
    let p = Pairwise::from_model(&g).unwrap();
    let lat = p.lattice().unwrap();
    let planes = Planes::new(lat.thresholds());
    assert_eq!(Strips::new(8, 64), None);
    assert_eq!(Strips::new(8, 40), None); // 2 strips would need 80 lanes
    assert_eq!(
        Strips::new(256, 8),
        Some(Strips {
            chains: 8,
            strips: 8
        })
    );
    for chains in [1usize, 3, 8, 20] {
        let st = Strips::new(l, chains).unwrap();
        let mut init = stream(2, chains as u64, Purpose::Init);
        let x0: Vec<u16> = (0..chains * l * l)
            .map(|_| (init.next_u64() & 1) as u16)
            .collect();
        let mut words = Vec::new();
        st.pack(l, &x0, &mut words);
        let mut back = vec![0u16; x0.len()];
        st.unpack(l, &words, &mut back);
        assert_eq!(back, x0);
        let mut rng = group_rng(5, 0);
        st.sweep(lat, &planes, 2, &mut words, &mut rng, Cancel::never())
            .unwrap();
        let mut got = vec![0u16; x0.len()];
        st.unpack(l, &words, &mut got);
        // reference: per chain and site, the heat-bath rule with the same uniform
        let mut want = x0.clone();
        let mut st1: [[u64; 1]; 4] = std::array::from_fn(|j| [group_rng(5, 0)[j]]);
        let w = l / st.strips;
        let n = l * l;
        for _ in 0..2 {
            for r in 0..l {
                for cc in 0..w {
                    let nbs = |x: &[u16], i: usize| {
                        let (r, c) = (i / l, i % l);
                        x[((r + l - 1) % l) * l + c]
                            + x[((r + 1) % l) * l + c]
                            + x[r * l + (c + l - 1) % l]
                            + x[r * l + (c + 1) % l]
                    };
                    let mut eq = [0u64; 5];
                    for j in 0..st.strips {
                        for k in 0..chains {
                            let s = nbs(&want[k * n..(k + 1) * n], r * l + j * w + cc);
                            eq[s as usize] |= 1 << (j * chains + k);
                        }
                    }
                    let live = [live_mask(st.strips * chains)];
                    let e = [[eq[0]], [eq[1]], [eq[2]], [eq[3]], [eq[4]]];
                    // the same update as `update`, from the counts
                    let word = update_from(&planes, e, live, &mut st1)[0];
                    for j in 0..st.strips {
                        for k in 0..chains {
                            want[k * n + r * l + j * w + cc] =
                                (word >> (j * chains + k) & 1) as u16;
                        }
                    }
                }
            }
        }
        assert_eq!(got, want, "chains {chains}");
    }
}

#[test]
fn the_avx2_sweep_is_the_generic_sweep() {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        use crate::gibbs::model::FactorGraph;
        use crate::gibbs::pairwise::Pairwise;
        let l = 6u32;
        let mut scopes = Vec::new();
        for r in 0..l {
            for c in 0..l {
                scopes.push(vec![r * l + c, r * l + (c + 1) % l]);
                scopes.push(vec![r * l + c, ((r + 1) % l) * l + c]);
                scopes.push(vec![r * l + c]);
            }
        }
        let logs = scopes
            .iter()
            .flat_map(|s| {
                if s.len() == 2 {
                    vec![0.5, -0.5, -0.5, 0.5]
                } else {
                    vec![0.0, 0.3]
                }
            })
            .collect();
        let g = FactorGraph::new(vec![2; (l * l) as usize], &scopes, logs).unwrap();
        let p = Pairwise::from_model(&g).unwrap();
        let lat = p.lattice().unwrap();
        let planes = Planes::new(lat.thresholds());
        let mut init = stream(1, 1, Purpose::Init);
        let live = [u64::MAX, u64::MAX >> 3, 1, 0];
        let x0: Vec<[u64; 4]> = (0..l * l)
            .map(|_| std::array::from_fn(|b| init.next_u64() & live[b]))
            .collect();
        let st0: [[u64; 4]; 4] =
            std::array::from_fn(|j| std::array::from_fn(|b| group_rng(4, b as u64)[j]));
        let (mut xa, mut sa) = (x0.clone(), st0);
        let (mut xb, mut sb) = (x0, st0);
        for _ in 0..3 {
            // SAFETY: AVX2 checked above.
            unsafe { sweep_avx2(l as usize, &planes, &mut xa, live, &mut sa) };
            sweep_body(l as usize, &planes, &mut xb, live, &mut sb);
        }
        assert_eq!(xa, xb);
        assert_eq!(sa, sb);
    }
}

#[test]
fn a_batch_of_one_group_is_the_plain_sweep() {
    use crate::gibbs::model::FactorGraph;
    use crate::gibbs::pairwise::Pairwise;
    for (l, beta) in [(3u32, 0.4), (5, -1.0), (8, 0.44)] {
        let mut scopes = Vec::new();
        for r in 0..l {
            for c in 0..l {
                scopes.push(vec![r * l + c, r * l + (c + 1) % l]);
                scopes.push(vec![r * l + c, ((r + 1) % l) * l + c]);
            }
        }
        let logs = scopes
            .iter()
            .flat_map(|_| [beta, -beta, -beta, beta])
            .collect();
        let g = FactorGraph::new(vec![2; (l * l) as usize], &scopes, logs).unwrap();
        let p = Pairwise::from_model(&g).unwrap();
        let lat = p.lattice().unwrap();
        let planes = Planes::new(lat.thresholds());
        let n = (l * l) as usize;
        for chains in [1usize, 40, 64] {
            let live = live_mask(chains);
            let mut init = stream(7, chains as u64, Purpose::Init);
            let x0: Vec<u64> = (0..n).map(|_| init.next_u64() & live).collect();
            let mut want = x0.clone();
            let mut rng_want = group_rng(3, 0);
            reference(lat, &planes, 4, &mut want, live, &mut rng_want);
            let mut batch: Vec<[u64; BATCH]> = x0.iter().map(|&w| [w, 0, 0, 0]).collect();
            let mut rngs = [group_rng(3, 0)];
            let lives = [live, 0, 0, 0];
            sweep_batch(
                lat,
                &planes,
                4,
                &mut batch,
                lives,
                &mut rngs,
                Cancel::never(),
            )
            .unwrap();
            let got: Vec<u64> = batch.iter().map(|w| w[0]).collect();
            assert_eq!(got, want, "L={l} chains={chains}");
            assert_eq!(rngs[0], rng_want);
            assert!(batch.iter().all(|w| w[1] == 0 && w[2] == 0 && w[3] == 0));
            let mut one: Vec<[u64; 1]> = x0.iter().map(|&w| [w]).collect();
            let mut rngs = [group_rng(3, 0)];
            sweep_batch(
                lat,
                &planes,
                4,
                &mut one,
                [live],
                &mut rngs,
                Cancel::never(),
            )
            .unwrap();
            assert_eq!(one.iter().map(|w| w[0]).collect::<Vec<_>>(), want);
        }
    }
}
