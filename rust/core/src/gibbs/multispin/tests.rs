//! Tests of multi-spin coding: the bit-plane draw, packing, the vector generator, and
//! every kernel against the plainest implementation of the same stream.

use super::packing::{from_mask, to_mask};
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

#[test]
fn the_basis_selects_the_threshold_bit() {
    let thr = [0, 1 << 62, 0x5555_0123_4567_89AB, (1 << 63) - 1, 1 << 63];
    let planes = Planes::new(thr);
    for s in 0..5u64 {
        let (b0, b1, b2) = (s & 1, s >> 1 & 1, s >> 2);
        let m = |b: u64| if b == 1 { u64::MAX } else { 0 };
        let (b0, b1, b2) = (m(b0), m(b1), m(b2));
        for k in 0..63 {
            let cf = planes.basis[k];
            let t = cf[0] ^ (b0 & cf[1]) ^ (b1 & cf[2]) ^ (b0 & b1 & cf[3]) ^ (b2 & cf[4]);
            assert_eq!(t, planes.bits[k][s as usize], "s={s} k={k}");
            assert_eq!(t & 1, thr[s as usize] >> (62 - k) & 1);
        }
    }
    assert!(planes.has_top && planes.top == [0, 0, 0, 0, u64::MAX]);
    assert!(!Planes::new([0, 1, 2, 3, 4]).has_top);
}

#[test]
fn masks_and_transposes() {
    let mut rng = stream(9, 0, Purpose::Init);
    for len in [0usize, 1, 3, 4, 5, 17, 63, 64] {
        let x: Vec<u16> = (0..len).map(|_| (rng.next_u64() & 1) as u16).collect();
        let m = to_mask(&x);
        for (i, &s) in x.iter().enumerate() {
            assert_eq!(m >> i & 1, s as u64);
        }
        assert_eq!(m >> len.min(63) >> (len == 64) as u32, 0);
        let mut back = vec![7u16; len];
        from_mask(
            m | (u64::MAX << len.min(63) << (len == 64) as u32),
            &mut back,
        );
        assert_eq!(back, x);
    }
    let a: [u64; 64] = std::array::from_fn(|_| rng.next_u64());
    let mut t = a;
    transpose64(&mut t);
    for i in 0..64 {
        for j in 0..64 {
            assert_eq!(t[j] >> i & 1, a[i] >> j & 1);
        }
    }
}

/// [`Packing::pack`] the plainest way: spin by spin.
fn pack_plain(pk: &Packing, l: usize, states: &[u16]) -> Vec<Vector> {
    let w = pk.width(l);
    let mut out = vec![[0u64; BATCH]; l * w];
    for r in 0..l {
        let dst = &mut out[r * w..r * w + w];
        for (k, x) in states.chunks(l * l).enumerate() {
            for j in 0..pk.strips {
                let lane = j * pk.chains + k;
                let (b, bit) = (lane / LANES, lane % LANES);
                let src = &x[r * l + j * w..r * l + j * w + w];
                for (v, &s) in dst.iter_mut().zip(src) {
                    v[b] |= (s as u64 & 1) << bit;
                }
            }
        }
    }
    out
}

#[test]
fn packings_fill_the_lanes_and_invert() {
    let p = |l, c| {
        let pk = Packing::new(l, c);
        (pk.strips, pk.lanes())
    };
    assert_eq!(p(256, 8), (32, 256));
    assert_eq!(p(256, 64), (4, 256));
    assert_eq!(p(256, 256), (1, 256));
    assert_eq!(p(256, 1), (128, 128)); // strips at least 2 columns wide
    assert_eq!(p(256, 3), (64, 192));
    assert_eq!(p(256, 100), (2, 200));
    assert_eq!(p(9, 64), (1, 64)); // odd side: no strips
    assert_eq!(p(16, 8), (8, 64));
    assert_eq!(p(12, 20), (4, 80)); // 8 strips would not divide 12
    for (l, chains) in [
        (8usize, 1usize),
        (8, 3),
        (12, 20),
        (16, 8),
        (9, 64),
        (8, 100),
        (6, 256),
        (36, 7),
        (256, 8),
        (130, 64),
        (128, 100), // 64-column strips: by transposes
        (64, 256),
    ] {
        let pk = Packing::new(l, chains);
        let mut init = stream(3, (l * 1000 + chains) as u64, Purpose::Init);
        let states: Vec<u16> = (0..chains * l * l)
            .map(|_| (init.next_u64() & 1) as u16)
            .collect();
        let mut words = Vec::new();
        pk.pack(l, &states, &mut words);
        assert_eq!(words, pack_plain(&pk, l, &states), "l={l} chains={chains}");
        let live = pk.live();
        assert!(words
            .iter()
            .all(|v| (0..BATCH).all(|b| v[b] & !live[b] == 0)));
        let mut back = vec![0u16; states.len()];
        pk.unpack(l, &words, &mut back);
        assert_eq!(back, states, "l={l} chains={chains}");
        // Rotations: lane j c + k moves to strip j + 1 (up) and back (down).
        let bit = |v: &Vector, lane: usize| v[lane / LANES] >> (lane % LANES) & 1;
        for v in words.iter().take(5) {
            let (u, d) = (pk.up(*v), pk.down(*v));
            assert_eq!(pk.down(u), *v);
            let n = pk.lanes();
            for lane in 0..n {
                assert_eq!(bit(&u, (lane + chains) % n), bit(v, lane));
                assert_eq!(bit(&d, lane), bit(v, (lane + chains) % n));
            }
            assert!((0..BATCH).all(|b| u[b] & !live[b] == 0 && d[b] & !live[b] == 0));
        }
    }
    assert_eq!(live_mask(3), 0b111);
    assert_eq!(live_mask(64), u64::MAX);
    assert_eq!(live_masks(70), [u64::MAX, 0b111111, 0, 0]);
    assert!(applies(256, 8) && applies(256, 64) && applies(9, 64) && applies(16, 32));
    assert!(applies(256, 1) && applies(256, 40) && applies(16, 8) && applies(12, 20));
    assert!(!applies(9, 8) && !applies(2, 1) && !applies(6, 3) && !applies(16, 7));
}

/// An `L × L` periodic Ising model with coupling `beta` and field `h`, on the lattice path.
fn torus(l: u32, beta: f64, h: f64) -> crate::gibbs::pairwise::Pairwise {
    use crate::gibbs::model::FactorGraph;
    use crate::gibbs::pairwise::Pairwise;
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
                vec![beta, -beta, -beta, beta]
            } else {
                vec![0.0, h]
            }
        })
        .collect();
    let g = FactorGraph::new(vec![2; (l * l) as usize], &scopes, logs).unwrap();
    Pairwise::from_model(&g).unwrap()
}

/// The stream definition, the plainest way: chains as arrays of spins; per vector
/// `(r, c')`, each lane's count from its chain's neighbours, then planes of four words
/// (one from each generator) while a lane is open, decided with the plane bits of the
/// thresholds ([`Planes::draw`]'s rule).
fn reference(
    l: usize,
    planes: &Planes,
    chains: usize,
    sweeps: u64,
    states: &mut [u16],
    rngs: &mut [GroupRng],
) {
    let pk = Packing::new(l, chains);
    let (w, n) = (pk.width(l), l * l);
    let live = pk.live();
    let mut st: [Vector; 4] = std::array::from_fn(|j| std::array::from_fn(|b| rngs[b][j]));
    let sel = |p: &[u64; 5], eq: &[u64; 5]| (0..5).fold(0, |acc, s| acc | (eq[s] & p[s]));
    for _ in 0..sweeps {
        for r in 0..l {
            for cc in 0..w {
                let mut eq = [[0u64; 5]; BATCH];
                for j in 0..pk.strips {
                    for k in 0..chains {
                        let x = &states[k * n..(k + 1) * n];
                        let c = j * w + cc;
                        let s = x[((r + l - 1) % l) * l + c]
                            + x[((r + 1) % l) * l + c]
                            + x[r * l + (c + l - 1) % l]
                            + x[r * l + (c + 1) % l];
                        let lane = j * chains + k;
                        eq[lane / LANES][s as usize] |= 1 << (lane % LANES);
                    }
                }
                let mut out: Vector = std::array::from_fn(|b| sel(&planes.top, &eq[b]) & live[b]);
                let mut open: Vector = std::array::from_fn(|b| live[b] & !out[b]);
                for p in &planes.bits {
                    if open == [0; BATCH] {
                        break;
                    }
                    let d = next(&mut st);
                    for b in 0..BATCH {
                        out[b] |= open[b] & d[b] & sel(p, &eq[b]);
                        open[b] &= !d[b];
                    }
                }
                for j in 0..pk.strips {
                    for k in 0..chains {
                        let lane = j * chains + k;
                        states[k * n + r * l + j * w + cc] =
                            (out[lane / LANES] >> (lane % LANES) & 1) as u16;
                    }
                }
            }
        }
    }
    for (b, r) in rngs.iter_mut().enumerate() {
        *r = std::array::from_fn(|j| st[j][b]);
    }
}

#[test]
fn every_kernel_is_the_stream_definition() {
    let mut kernels = vec![Kernel::Plain];
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            kernels.push(Kernel::Avx2);
        }
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
        {
            kernels.push(Kernel::Avx512);
        }
    }
    let cases = [
        (8u32, 0.44, 0.0, 1usize),
        (8, 0.44, 0.0, 3),
        (8, -1.0, 0.2, 20),
        (12, 0.3, -0.5, 20),
        (6, 0.5, 0.3, 256),
        (5, 0.44, 0.0, 70),
        (16, 0.44, 0.1, 64),
        (8, 50.0, 0.0, 8),  // thresholds 0 and 2^63: certain lanes
        (8, 0.3, 0.1, 100), // 200 lanes: strips across word boundaries
        (4, 0.4, 0.0, 128),
    ];
    for (l, beta, h, chains) in cases {
        let p = torus(l, beta, h);
        let lat = p.lattice().unwrap();
        let planes = Planes::new(lat.thresholds());
        let l = l as usize;
        let pk = Packing::new(l, chains);
        let mut init = stream(1, chains as u64, Purpose::Init);
        let x0: Vec<u16> = (0..chains * l * l)
            .map(|_| (init.next_u64() & 1) as u16)
            .collect();
        let rng0: Vec<GroupRng> = (0..BATCH as u64).map(|g| group_rng(4, 8 + g)).collect();
        let mut want = x0.clone();
        let mut rng_want = rng0.clone();
        reference(l, &planes, chains, 3, &mut want, &mut rng_want);
        assert_ne!(want, x0);
        for &k in &kernels {
            let mut words = Vec::new();
            pk.pack(l, &x0, &mut words);
            let mut st: [Vector; 4] = std::array::from_fn(|j| std::array::from_fn(|b| rng0[b][j]));
            for _ in 0..3 {
                sweep_with(k, l, &planes, pk, &mut words, &mut st);
            }
            let mut got = vec![0u16; x0.len()];
            pk.unpack(l, &words, &mut got);
            assert_eq!(got, want, "{k:?} l={l} beta={beta} chains={chains}");
            let rng_got: Vec<GroupRng> = (0..BATCH)
                .map(|b| std::array::from_fn(|j| st[j][b]))
                .collect();
            assert_eq!(rng_got, rng_want, "{k:?} l={l} chains={chains}");
        }
        // and through `advance`, batch by batch
        let mut xs = x0.clone();
        let mut groups = rng0.clone();
        advance(lat, 3, &mut xs, &mut groups, Cancel::never()).unwrap();
        assert_eq!(xs, want);
    }
}

#[test]
fn batches_are_independent_of_each_other() {
    // 300 chains: a full batch and one of 44 chains (in strips); the second batch alone,
    // with its own generators, gives the same chains.
    let p = torus(8, 0.4, 0.0);
    let lat = p.lattice().unwrap();
    let n = 64;
    let mut init = stream(2, 0, Purpose::Init);
    let x0: Vec<u16> = (0..300 * n).map(|_| (init.next_u64() & 1) as u16).collect();
    let groups0: Vec<GroupRng> = (0..8).map(|g| group_rng(6, g)).collect();
    let (mut all, mut groups) = (x0.clone(), groups0.clone());
    advance(lat, 4, &mut all, &mut groups, Cancel::never()).unwrap();
    let (mut tail, mut g2) = (x0[256 * n..].to_vec(), groups0[4..].to_vec());
    advance(lat, 4, &mut tail, &mut g2, Cancel::never()).unwrap();
    assert_eq!(&all[256 * n..], &tail[..]);
    assert_eq!(&groups[4..], &g2[..]);
    assert_eq!(Packing::new(8, 44).strips, 4);
}

/// Spin updates per ns of this thread's CPU time of one batch sweeping a 256 × 256
/// lattice, by each kernel the processor has
/// (`cargo test --release -p natabs-core multispin::tests::rate -- --ignored --nocapture`).
#[test]
#[ignore]
fn rate() {
    let cpu = || {
        let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
        s.split_whitespace().next().unwrap().parse::<f64>().unwrap()
    };
    let p = torus(256, 0.44, 0.0);
    let lat = p.lattice().unwrap();
    let planes = Planes::new(lat.thresholds());
    let n = 256 * 256;
    let mut kernels = vec![Kernel::Plain];
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            kernels.push(Kernel::Avx2);
        }
        if kernel() == Kernel::Avx512 {
            kernels.push(Kernel::Avx512);
        }
    }
    for k in kernels {
        for chains in [8usize, 64, 256] {
            let mut init = stream(2, 0, Purpose::Init);
            let xs: Vec<u16> = (0..chains * n)
                .map(|_| (init.next_u64() & 1) as u16)
                .collect();
            let pk = Packing::new(256, chains);
            let mut words = Vec::new();
            let mut back = xs.clone();
            pk.pack(256, &xs, &mut words);
            // CPU time of many calls (it may be counted in ticks)
            let reps = (3e8 / (chains * n) as f64).ceil() as usize;
            let per = |f: &mut dyn FnMut()| {
                let t = cpu();
                for _ in 0..reps {
                    f();
                }
                (cpu() - t) / (reps * chains * n) as f64
            };
            let t_pack = per(&mut || pk.pack(256, &xs, &mut words));
            let t_unpack = per(&mut || pk.unpack(256, &words, &mut back));
            let t_plain = per(&mut || {
                pack_plain(&pk, 256, &xs);
            });
            let mut st: [Vector; 4] =
                std::array::from_fn(|j| std::array::from_fn(|b| group_rng(6, b as u64)[j]));
            let sweeps = (2e8 / (chains * n) as f64).max(4.0) as u64;
            let mut rates = Vec::new();
            for _ in 0..5 {
                let t = cpu();
                for _ in 0..sweeps {
                    sweep_with(k, 256, &planes, pk, &mut words, &mut st);
                }
                rates.push((chains * n) as f64 * sweeps as f64 / (cpu() - t));
            }
            rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
            println!(
                "{k:?}, {chains} chains: {:.2} spin updates per ns of CPU time (pack \
                 {t_pack:.2}, unpack {t_unpack:.2}, spin by spin {t_plain:.2} ns a spin)",
                rates[2]
            );
        }
    }
}
