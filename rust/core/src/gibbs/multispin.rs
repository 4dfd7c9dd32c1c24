//! Multi-spin coding: 256 lanes of a periodic lattice in four words, one bit per lane.
//!
//! Systematic heat-bath sweeps of the periodic `L × L` lattice ([`Lattice`]) for many
//! chains at once. Chains are packed in batches of up to [`BATCH_CHAINS`] = 256: site `i`
//! of a batch is four `u64` words (one 256-bit vector), 256 lanes, one bit each. A site
//! update of all lanes is
//!
//! 1. the number of up neighbours of every lane, as three bit planes, by a bitwise adder
//!    of the four neighbour vectors (a dozen instructions for 256 sums);
//! 2. the heat-bath draw `U < T(s)` (the same 63-bit thresholds as the one-chain path:
//!    the spin becomes 1 iff `U < T`) decided one bit plane at a time from the most
//!    significant bit. Plane `k` takes one random vector `d_k`, a bit per lane; a lane
//!    still open is decided at the first plane where its bit of `d_k` is 1, and takes the
//!    bit `62 - k` of its threshold `T(s)`. (This is the comparison of `U = T xor D`
//!    with `T`: they first differ where `D` has a 1, and there `U < T` iff that bit of
//!    `T` is 1; `D` uniform makes `U` uniform, so `P(spin = 1) = T / 2^63` exactly.) A lane open
//!    after 63 planes has `U = T`: spin 0. Planes are drawn only while some lane of the
//!    batch is open: about `log2(256) + 1.3 ≈ 9.3` vectors a site instead of 256 words.
//!    Since the planes a site needs depend on the random vectors alone, never on the
//!    state, the processor runs ahead through them.
//!
//! A lane is an exact heat-bath chain; lanes are independent given their states, because
//! each uses its own bit of every random vector.
//!
//! **Packing** ([`Packing`]). A batch of `c` chains fills its 256 lanes with `S` column
//! strips of each chain: `S` the largest power of two with `S c <= 256`, `L` divisible by
//! `S` and strips at least 2 columns wide (`S = 1` for a full batch). With `w = L / S`,
//! site `(r, j w + c')` of chain `k` of the batch is lane `λ = j c + k`, bit `λ mod 64` of
//! word `λ / 64` of vector `(r, c')`. One update of vector `(r, c')` redraws the sites
//! `(r, c' + j w)` of every strip `j`; they are at least 2 columns apart, never
//! neighbours, so redrawing them together is redrawing them one after another: a
//! systematic scan, row by row, column `c'` of all strips at once. The left neighbour of
//! column 0 of strip `j` is column `w - 1` of strip `j - 1`: vector `(r, w - 1)` with its
//! `S c` lanes rotated up by `c` (and down on the right).
//!
//! Batches are swept with AVX-512 (256-bit vectors with three-input logic and 64-bit
//! rotations) or AVX2 when the processor has them, chosen at run time, and otherwise
//! with plain words; every kernel computes the same function of the stream.
//!
//! **Stream definition.** Batch `j` of a run (chains `256 j .. 256 j + 255`) draws from
//! four xoshiro256++ generators, those of groups `4 j .. 4 j + 3`, group `g` seeded with
//! the first four words of stream `(seed, g, MultiSpin)`; word `b` of every random vector
//! of the batch is the next output of generator `b`. Vectors are visited row by row,
//! `c' = 0 .. w` in a row; at each, plane `k = 0, 1, …` takes the next random vector
//! while some lane of the batch is open. So results are a function of the seed and the
//! number of chains, never of the thread count (batches are distributed over threads
//! whole), but a chain's trajectory is not the one the one-chain path gives it. Lanes
//! past the last (`S c .. 256`) are held at 0 and never keep a plane open.

use super::pairwise::Lattice;
use super::rng::{stream, Purpose};
use crate::cancel::Cancel;
use crate::error::Result;
use rand_core::Rng;
use rayon::prelude::*;

/// Chains in a word.
pub const LANES: usize = 64;
/// Words in a batch (one vector a site).
pub const BATCH: usize = 4;
/// Lanes in a batch: the chains of a full batch.
pub const BATCH_CHAINS: usize = BATCH * LANES;

/// The xoshiro256++ state of a group: the four state words.
pub type GroupRng = [u64; 4];

/// The four words of a site of a batch.
pub type Vector = [u64; BATCH];

/// The generator of group `g` for `seed`.
pub fn group_rng(seed: u64, g: u64) -> GroupRng {
    let mut s = stream(seed, g, Purpose::MultiSpin);
    std::array::from_fn(|_| s.next_u64())
}

/// Whether a run of `chains` chains on an `L × L` lattice takes multi-spin coding: when
/// its first batch fills at least a word's worth of lanes (64 chains, or fewer in column
/// strips, [`Packing`]); fewer lanes run faster one chain at a time.
pub fn applies(l: usize, chains: usize) -> bool {
    chains >= LANES || (chains >= 1 && Packing::new(l, chains).lanes() >= LANES)
}

/// One xoshiro256++ step of `B` generators at once (`s[j][b]`: state word `j` of
/// generator `b`): what `rand_xoshiro::Xoshiro256PlusPlus::next_u64` computes.
#[inline(always)]
fn next<const B: usize>(s: &mut [[u64; B]; 4]) -> [u64; B] {
    let mut out = [0u64; B];
    for b in 0..B {
        out[b] = s[0][b]
            .wrapping_add(s[3][b])
            .rotate_left(23)
            .wrapping_add(s[0][b]);
        let t = s[1][b] << 17;
        s[2][b] ^= s[0][b];
        s[3][b] ^= s[1][b];
        s[1][b] ^= s[2][b];
        s[0][b] ^= s[3][b];
        s[2][b] ^= t;
        s[3][b] = s[3][b].rotate_left(45);
    }
    out
}

/// The bit planes of the five heat-bath thresholds.
///
/// `bits[k][s]` is all ones when bit `62 - k` of `T(s)` is set; `top[s]`: `T(s) = 2^63`
/// (probability 1: no plane needed). The kernels select a lane's plane bit from its
/// count bits `b0, b1, b2` (`s = b0 + 2 b1 + 4 b2`, `b2` only for `s = 4`) as
/// `c0 ^ b0 c1 ^ b1 c2 ^ b0 b1 c3 ^ b2 c4` with `basis[k] = [c0, .., c4]`.
#[derive(Clone, Debug)]
pub struct Planes {
    top: [u64; 5],
    has_top: bool,
    #[cfg_attr(not(test), allow(dead_code))] // the plainest draw reads them (tests)
    bits: [[u64; 5]; 63],
    basis: [[u64; 5]; 63],
}

impl Planes {
    pub fn new(thr: [u64; 5]) -> Planes {
        let full = |b: bool| if b { u64::MAX } else { 0 };
        let bits: [[u64; 5]; 63] =
            std::array::from_fn(|k| std::array::from_fn(|s| full(thr[s] >> (62 - k) & 1 == 1)));
        let basis = std::array::from_fn(|k| {
            let p = bits[k];
            let (c0, c1, c2) = (p[0], p[0] ^ p[1], p[0] ^ p[2]);
            [c0, c1, c2, p[3] ^ c0 ^ c1 ^ c2, p[0] ^ p[4]]
        });
        let top = std::array::from_fn(|s| full(thr[s] >= 1 << 63));
        Planes {
            top,
            has_top: top.iter().any(|&t| t != 0),
            bits,
            basis,
        }
    }

    /// The new word of a site, the plainest way: bit `j` is 1 iff lane `j`'s uniform is
    /// below the threshold of its neighbour count, the counts given as masks `eq[s]` (lanes
    /// with `s` up neighbours); one random word a plane while a lane of `live` is open.
    #[cfg(test)]
    fn draw<R: Rng>(&self, eq: [u64; 5], live: u64, rng: &mut R) -> u64 {
        let sel = |p: &[u64; 5]| {
            (eq[0] & p[0]) | (eq[1] & p[1]) | (eq[2] & p[2]) | (eq[3] & p[3]) | (eq[4] & p[4])
        };
        let certain = sel(&self.top) & live;
        let mut out = certain;
        let mut open = live & !certain;
        for p in &self.bits {
            if open == 0 {
                break;
            }
            let d = rng.next_u64();
            out |= open & d & sel(p);
            open &= !d;
        }
        out
    }
}

/// The three bit planes of the number of ones among four words: `(b0, b1, b2)` with
/// `count = b0 + 2 b1 + 4 b2`.
#[inline(always)]
fn count_bits(a: u64, b: u64, c: u64, d: u64) -> (u64, u64, u64) {
    let (x, ca) = (a ^ b, a & b);
    let (y, cc) = (c ^ d, c & d);
    let b0 = x ^ y;
    let carry = x & y;
    let b1 = ca ^ cc ^ carry;
    let b2 = (ca & cc) | ((ca ^ cc) & carry);
    (b0, b1, b2)
}

/// Per lane, which of the counts 0..4 its four neighbour bits add up to (as masks).
#[cfg(test)]
fn counts(a: u64, b: u64, c: u64, d: u64) -> [u64; 5] {
    let (b0, b1, b2) = count_bits(a, b, c, d);
    // b2 means 4, and then b0 = b1 = 0.
    [!(b0 | b1 | b2), b0 & !b1, !b0 & b1 & !b2, b0 & b1, b2]
}

#[inline(always)]
fn and(a: Vector, b: Vector) -> Vector {
    std::array::from_fn(|i| a[i] & b[i])
}

#[inline(always)]
fn or(a: Vector, b: Vector) -> Vector {
    std::array::from_fn(|i| a[i] | b[i])
}

/// `v << s` as a 256-bit number (`s < 256`; bits past the top are lost).
#[inline(always)]
fn shl(v: Vector, s: usize) -> Vector {
    let (q, r) = (s / LANES, s % LANES);
    std::array::from_fn(|i| {
        if i < q {
            0
        } else {
            let hi = v[i - q] << r;
            let lo = if r > 0 && i > q {
                v[i - q - 1] >> (LANES - r)
            } else {
                0
            };
            hi | lo
        }
    })
}

/// `v >> s` as a 256-bit number (`s < 256`).
#[inline(always)]
fn shr(v: Vector, s: usize) -> Vector {
    let (q, r) = (s / LANES, s % LANES);
    std::array::from_fn(|i| {
        if i + q >= BATCH {
            0
        } else {
            let lo = v[i + q] >> r;
            let hi = if r > 0 && i + q + 1 < BATCH {
                v[i + q + 1] << (LANES - r)
            } else {
                0
            };
            hi | lo
        }
    })
}

/// `sweeps` systematic sweeps of one batch packed as `pk` (`x`: the `L * w` vectors),
/// drawing from the batch's four generators `rngs`; polls `cancel` before every sweep.
pub fn sweep_batch(
    lat: &Lattice,
    planes: &Planes,
    pk: Packing,
    sweeps: u64,
    x: &mut [Vector],
    rngs: &mut [GroupRng],
    cancel: &Cancel,
) -> Result<()> {
    let l = lat.side();
    assert!(x.len() == l * pk.width(l) && rngs.len() == BATCH);
    let mut st: [Vector; 4] = std::array::from_fn(|j| std::array::from_fn(|b| rngs[b][j]));
    let mut result = Ok(());
    for _ in 0..sweeps {
        if let Err(e) = cancel.check() {
            result = Err(e);
            break;
        }
        sweep_once(l, planes, pk, x, &mut st);
    }
    for (b, r) in rngs.iter_mut().enumerate() {
        *r = std::array::from_fn(|j| st[j][b]);
    }
    result
}

/// Which kernel [`sweep_once`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kernel {
    Plain,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

fn kernel() -> Kernel {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
        {
            return Kernel::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return Kernel::Avx2;
        }
    }
    Kernel::Plain
}

/// One sweep with the best kernel the processor has.
fn sweep_once(l: usize, planes: &Planes, pk: Packing, x: &mut [Vector], st: &mut [Vector; 4]) {
    sweep_with(kernel(), l, planes, pk, x, st)
}

fn sweep_with(
    k: Kernel,
    l: usize,
    planes: &Planes,
    pk: Packing,
    x: &mut [Vector],
    st: &mut [Vector; 4],
) {
    match k {
        Kernel::Plain => sweep_plain(l, planes, pk, x, st),
        // SAFETY: the kernel was chosen by run-time detection of its features.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => unsafe { sweep_avx2(l, planes, pk, x, st) },
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => unsafe { sweep_avx512(l, planes, pk, x, st) },
    }
}

/// One sweep on plain words: the definition the vector kernels reproduce.
fn sweep_plain(l: usize, planes: &Planes, pk: Packing, x: &mut [Vector], st: &mut [Vector; 4]) {
    let w = pk.width(l);
    let live = pk.live();
    let x = &mut x[..l * w];
    for r in 0..l {
        let row = r * w;
        let up = if r == 0 { l - 1 } else { r - 1 } * w;
        let down = if r + 1 == l { 0 } else { r + 1 } * w;
        let mut left = pk.up(x[row + w - 1]);
        for c in 0..w {
            let right = if c + 1 == w {
                pk.down(x[row])
            } else {
                x[row + c + 1]
            };
            let (a, b) = (x[up + c], x[down + c]);
            let mut out = [0u64; BATCH];
            let mut open = [0u64; BATCH];
            let mut bits = [(0u64, 0u64, 0u64); BATCH];
            for i in 0..BATCH {
                bits[i] = count_bits(a[i], b[i], left[i], right[i]);
                let (b0, b1, b2) = bits[i];
                if planes.has_top {
                    let p = &planes.top;
                    let eq = [!(b0 | b1 | b2), b0 & !b1, !b0 & b1 & !b2, b0 & b1, b2];
                    out[i] = ((eq[0] & p[0])
                        | (eq[1] & p[1])
                        | (eq[2] & p[2])
                        | (eq[3] & p[3])
                        | (eq[4] & p[4]))
                        & live[i];
                }
                open[i] = live[i] & !out[i];
            }
            for cf in &planes.basis {
                if open.iter().fold(0, |acc, &o| acc | o) == 0 {
                    break;
                }
                let d = next(st);
                for i in 0..BATCH {
                    let (b0, b1, b2) = bits[i];
                    let t = cf[0] ^ (b0 & cf[1]) ^ (b1 & cf[2]) ^ (b0 & b1 & cf[3]) ^ (b2 & cf[4]);
                    out[i] |= open[i] & d[i] & t;
                    open[i] &= !d[i];
                }
            }
            x[row + c] = out;
            left = out;
        }
    }
}

/// The vector kernel, as the body of a function with the target features enabled (the
/// same intrinsics become three-input logic and rotations where AVX-512 is enabled).
#[cfg(target_arch = "x86_64")]
macro_rules! vector_sweep {
    ($l:expr, $planes:expr, $pk:expr, $x:expr, $st:expr) => {{
        use std::arch::x86_64::*;
        let (l, planes, pk, x, st): (usize, &Planes, Packing, &mut [Vector], &mut [Vector; 4]) =
            ($l, $planes, $pk, $x, $st);
        #[inline(always)]
        unsafe fn load(w: &Vector) -> __m256i {
            _mm256_loadu_si256(w.as_ptr() as *const __m256i)
        }
        #[inline(always)]
        unsafe fn store(w: &mut Vector, v: __m256i) {
            _mm256_storeu_si256(w.as_mut_ptr() as *mut __m256i, v)
        }
        #[inline(always)]
        unsafe fn bcast(w: u64) -> __m256i {
            _mm256_set1_epi64x(w as i64)
        }
        let w = pk.width(l);
        let x = &mut x[..l * w];
        let (mut s0, mut s1, mut s2, mut s3) =
            (load(&st[0]), load(&st[1]), load(&st[2]), load(&st[3]));
        let live = load(&pk.live());
        let zero = _mm256_setzero_si256();
        let ones = _mm256_set1_epi64x(-1);
        for r in 0..l {
            let row = r * w;
            let up = if r == 0 { l - 1 } else { r - 1 } * w;
            let down = if r + 1 == l { 0 } else { r + 1 } * w;
            let mut left = load(&pk.up(x[row + w - 1]));
            for c in 0..w {
                let right = if c + 1 == w {
                    load(&pk.down(x[row]))
                } else {
                    load(&x[row + c + 1])
                };
                let (a, b) = (load(&x[up + c]), load(&x[down + c]));
                let (xv, ca) = (_mm256_xor_si256(a, b), _mm256_and_si256(a, b));
                let (yv, cd) = (_mm256_xor_si256(left, right), _mm256_and_si256(left, right));
                let b0 = _mm256_xor_si256(xv, yv);
                let carry = _mm256_and_si256(xv, yv);
                let b1 = _mm256_xor_si256(_mm256_xor_si256(ca, cd), carry);
                let b2 = _mm256_or_si256(
                    _mm256_and_si256(ca, cd),
                    _mm256_and_si256(_mm256_xor_si256(ca, cd), carry),
                );
                let b01 = _mm256_and_si256(b0, b1);
                let mut out = zero;
                if planes.has_top {
                    let p = &planes.top;
                    let eq = [
                        _mm256_andnot_si256(_mm256_or_si256(_mm256_or_si256(b0, b1), b2), ones),
                        _mm256_andnot_si256(b1, b0),
                        _mm256_andnot_si256(b2, _mm256_andnot_si256(b0, b1)),
                        b01,
                        b2,
                    ];
                    let m01 = _mm256_or_si256(
                        _mm256_and_si256(eq[0], bcast(p[0])),
                        _mm256_and_si256(eq[1], bcast(p[1])),
                    );
                    let m23 = _mm256_or_si256(
                        _mm256_and_si256(eq[2], bcast(p[2])),
                        _mm256_and_si256(eq[3], bcast(p[3])),
                    );
                    let sel = _mm256_or_si256(
                        _mm256_or_si256(m01, m23),
                        _mm256_and_si256(eq[4], bcast(p[4])),
                    );
                    out = _mm256_and_si256(sel, live);
                }
                let mut open = _mm256_andnot_si256(out, live);
                for cf in &planes.basis {
                    if _mm256_testz_si256(open, open) == 1 {
                        break;
                    }
                    // xoshiro256++, four generators
                    let sum = _mm256_add_epi64(s0, s3);
                    let rot =
                        _mm256_or_si256(_mm256_slli_epi64::<23>(sum), _mm256_srli_epi64::<41>(sum));
                    let d = _mm256_add_epi64(rot, s0);
                    let t1 = _mm256_slli_epi64::<17>(s1);
                    s2 = _mm256_xor_si256(s2, s0);
                    s3 = _mm256_xor_si256(s3, s1);
                    s1 = _mm256_xor_si256(s1, s2);
                    s0 = _mm256_xor_si256(s0, s3);
                    s2 = _mm256_xor_si256(s2, t1);
                    s3 = _mm256_or_si256(_mm256_slli_epi64::<45>(s3), _mm256_srli_epi64::<19>(s3));
                    // the plane's threshold bit of every lane
                    let t = _mm256_xor_si256(
                        _mm256_xor_si256(
                            _mm256_xor_si256(bcast(cf[0]), _mm256_and_si256(b0, bcast(cf[1]))),
                            _mm256_and_si256(b1, bcast(cf[2])),
                        ),
                        _mm256_xor_si256(
                            _mm256_and_si256(b01, bcast(cf[3])),
                            _mm256_and_si256(b2, bcast(cf[4])),
                        ),
                    );
                    let now = _mm256_and_si256(open, d);
                    out = _mm256_or_si256(out, _mm256_and_si256(now, t));
                    open = _mm256_andnot_si256(d, open);
                }
                store(&mut x[row + c], out);
                left = out;
            }
        }
        store(&mut st[0], s0);
        store(&mut st[1], s1);
        store(&mut st[2], s2);
        store(&mut st[3], s3);
    }};
}

/// [`sweep_plain`] in AVX2 registers, written with intrinsics: the compiler keeps the
/// generators in scalar registers otherwise (AVX2 has no 64-bit rotation).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sweep_avx2(
    l: usize,
    planes: &Planes,
    pk: Packing,
    x: &mut [Vector],
    st: &mut [Vector; 4],
) {
    vector_sweep!(l, planes, pk, x, st)
}

/// [`sweep_avx2`] compiled for AVX-512 (on 256-bit vectors): the compiler turns the
/// shift pairs into rotations and chains of logic into three-input instructions.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avx512f,avx512vl")]
unsafe fn sweep_avx512(
    l: usize,
    planes: &Planes,
    pk: Packing,
    x: &mut [Vector],
    st: &mut [Vector; 4],
) {
    vector_sweep!(l, planes, pk, x, st)
}

/// `sweeps` multi-spin sweeps of every chain (`states`: `chains × n`, chain-major) of a
/// run whose batches draw from `groups` (four a batch), in parallel on the current rayon
/// pool, a batch a task.
pub fn advance(
    lat: &Lattice,
    sweeps: u64,
    states: &mut [u16],
    groups: &mut [GroupRng],
    cancel: &Cancel,
) -> Result<()> {
    let l = lat.side();
    let n = l * l;
    let planes = Planes::new(lat.thresholds());
    assert!(
        states.len() % n == 0 && groups.len() == states.len().div_ceil(BATCH_CHAINS * n) * BATCH
    );
    states
        .par_chunks_mut(BATCH_CHAINS * n)
        .zip(groups.par_chunks_mut(BATCH))
        .with_max_len(1)
        .try_for_each(|(xs, rngs)| {
            let pk = Packing::new(l, xs.len() / n);
            let mut words = Vec::new();
            pk.pack(l, xs, &mut words);
            let done = sweep_batch(lat, &planes, pk, sweeps, &mut words, rngs, cancel);
            pk.unpack(l, &words, xs);
            done
        })
}

/// The live lanes of a batch holding `lanes` lanes (`0 <= lanes <= 256`).
pub fn live_masks(lanes: usize) -> Vector {
    std::array::from_fn(|b| live_mask(lanes.saturating_sub(b * LANES).min(LANES)))
}

/// The mask of the first `chains` lanes (`0 <= chains <= 64`).
pub fn live_mask(chains: usize) -> u64 {
    if chains == 0 {
        0
    } else if chains >= LANES {
        u64::MAX
    } else {
        (1u64 << chains) - 1
    }
}

mod packing;
pub use packing::{transpose64, Packing};

#[cfg(test)]
mod tests;
