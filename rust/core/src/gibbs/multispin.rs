//! Multi-spin coding: 64 chains of a periodic lattice in one word, one bit per chain.
//!
//! Systematic heat-bath sweeps of the periodic `L × L` lattice ([`Lattice`]) for many
//! chains at once. Chains are packed in groups of [`LANES`]: site `i` of group `g` is one
//! `u64` whose bit `k` is the spin of chain `64 g + k`. A site update of all 64 chains is
//!
//! 1. the number of up neighbours of every chain, as three bit planes, by a bitwise adder
//!    of the four neighbour words (so 64 sums cost a dozen instructions);
//! 2. a comparison of a uniform `U` with the chain's heat-bath threshold `T(s)` (the same
//!    63-bit thresholds as the one-chain path: the spin becomes 1 iff `U < T`), done one
//!    bit plane at a time from the most significant bit: plane `k` takes one random word,
//!    bit `k` of `U` for every chain; a chain is decided at the first plane where its bit of
//!    `U` differs from its bit of `T`. Planes are drawn only while some chain of the word
//!    is undecided, so a word costs about `log2(64) + 1.3 ≈ 7` random words instead of 64.
//!
//! `P(U < T) = T / 2^63` exactly, as in the one-chain path, so every chain is an exact
//! heat-bath chain with the same law; the chains of a group are independent given their
//! states, because each uses its own bit of every random word.
//!
//! Groups are swept [`BATCH`] at a time (four words a site: one 256-bit vector with AVX2,
//! chosen at run time, two 128-bit ones without), so the random words of four groups are
//! drawn by one vectorised xoshiro256++ step and the latency of one site's comparison
//! overlaps the others'.
//!
//! Stream definition: group `g` (chains `64 g .. 64 g + 63`, the last group possibly
//! partial) has its own xoshiro256++ generator, seeded with the first four words of stream
//! `(seed, g, MultiSpin)`; batch `j` is groups `4 j .. 4 j + 3`. Sites are visited in
//! order `0..n`; at each site, plane `k` takes the next word of every group of the batch
//! while any chain of the batch is undecided. So results are a function of the seed and
//! the number of chains, never of the thread count (batches are distributed over threads
//! whole), but a chain's trajectory is not the one the one-chain path gives it. Lanes past
//! the last chain, and groups past the last, are held at 0 and never keep a plane open.

use super::pairwise::Lattice;
use super::rng::{stream, Purpose};
use crate::cancel::Cancel;
use crate::error::Result;
use rand_core::Rng;

/// Chains in a word.
pub const LANES: usize = 64;
/// Groups (words) swept together.
pub const BATCH: usize = 4;

/// The xoshiro256++ state of a group: the four state words.
pub type GroupRng = [u64; 4];

/// The generator of group `g` for `seed`.
pub fn group_rng(seed: u64, g: u64) -> GroupRng {
    let mut s = stream(seed, g, Purpose::MultiSpin);
    std::array::from_fn(|_| s.next_u64())
}

/// One xoshiro256++ step of `B` generators at once (`s[j][b]`: state word `j` of
/// generator `b`): what `rand_xoshiro::Xoshiro256PlusPlus::next_u64` computes, on arrays
/// the compiler turns into vector instructions.
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

/// The bit planes of the five heat-bath thresholds: `planes[k][s]` is all ones when bit
/// `62 - k` of `T(s)` is set. `top[s]`: `T(s) = 2^63` (probability 1: no plane needed).
#[derive(Clone, Debug)]
pub struct Planes {
    top: [u64; 5],
    planes: [[u64; 5]; 63],
}

impl Planes {
    pub fn new(thr: [u64; 5]) -> Planes {
        let full = |b: bool| if b { u64::MAX } else { 0 };
        Planes {
            top: std::array::from_fn(|s| full(thr[s] >= 1 << 63)),
            planes: std::array::from_fn(|k| {
                std::array::from_fn(|s| full(thr[s] >> (62 - k) & 1 == 1))
            }),
        }
    }

    /// The new word of a site: bit `j` is 1 iff chain `j`'s uniform is below the threshold
    /// of its neighbour count, the counts given as masks `eq[s]` (chains with `s` up
    /// neighbours). Only lanes in `live` are decided; the others come out 0.
    #[cfg(test)]
    fn draw<R: Rng>(&self, eq: [u64; 5], live: u64, rng: &mut R) -> u64 {
        let sel = |p: &[u64; 5]| {
            (eq[0] & p[0]) | (eq[1] & p[1]) | (eq[2] & p[2]) | (eq[3] & p[3]) | (eq[4] & p[4])
        };
        let certain = sel(&self.top) & live;
        let mut out = certain;
        let mut open = live & !certain;
        for p in &self.planes {
            if open == 0 {
                break;
            }
            let r = rng.next_u64();
            let t = sel(p);
            // U's bit 0 and T's bit 1: U < T, the spin is 1. Different bits decide.
            out |= open & t & !r;
            open &= !(t ^ r);
        }
        // Still open after 63 planes: U == T, so U < T is false and the spin is 0.
        out
    }
}

/// Per chain, which of the counts 0..4 its four neighbour bits add up to (as masks).
#[inline(always)]
fn counts(a: u64, b: u64, c: u64, d: u64) -> [u64; 5] {
    let (x, ca) = (a ^ b, a & b);
    let (y, cc) = (c ^ d, c & d);
    let b0 = x ^ y;
    let carry = x & y;
    let b1 = ca ^ cc ^ carry;
    let b2 = (ca & cc) | ((ca ^ cc) & carry);
    // b2 means 4, and then b0 = b1 = 0.
    [!(b0 | b1 | b2), b0 & !b1, !b0 & b1 & !b2, b0 & b1, b2]
}

/// `sweeps` systematic sweeps (sites `0..n` in order) of one batch of up to [`BATCH`]
/// groups: `x[i][b]` is site `i` of group `b`, `live[b]` its chains, `rngs` the groups'
/// generators (as many as groups); polls `cancel` before every sweep.
pub fn sweep_batch<const B: usize>(
    lat: &Lattice,
    planes: &Planes,
    sweeps: u64,
    x: &mut [[u64; B]],
    live: [u64; B],
    rngs: &mut [GroupRng],
    cancel: &Cancel,
) -> Result<()> {
    let l = lat.side();
    assert!(x.len() == l * l && !rngs.is_empty() && rngs.len() <= B);
    // Generators of missing groups: any state (their lanes are dead, their words unused).
    let mut st: [[u64; B]; 4] =
        std::array::from_fn(|j| std::array::from_fn(|b| rngs.get(b).map_or(1, |r| r[j])));
    let mut result = Ok(());
    for _ in 0..sweeps {
        if let Err(e) = cancel.check() {
            result = Err(e);
            break;
        }
        sweep_once(l, planes, x, live, &mut st);
    }
    for (b, r) in rngs.iter_mut().enumerate() {
        *r = std::array::from_fn(|j| st[j][b]);
    }
    result
}

/// One sweep; four groups are compiled for AVX2 when the processor has it. (A batch of one
/// group, fewer than 65 chains, runs the scalar loop: the vector one would do four
/// groups' work for it.)
fn sweep_once<const B: usize>(
    l: usize,
    planes: &Planes,
    x: &mut [[u64; B]],
    live: [u64; B],
    st: &mut [[u64; B]; 4],
) {
    #[cfg(target_arch = "x86_64")]
    {
        if B == BATCH && std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: B == BATCH, so these are the same types; the processor has AVX2.
            unsafe {
                let x4 =
                    std::slice::from_raw_parts_mut(x.as_mut_ptr() as *mut [u64; BATCH], x.len());
                let st4 = &mut *(st as *mut [[u64; B]; 4] as *mut [[u64; BATCH]; 4]);
                let live4 = *(&live as *const [u64; B] as *const [u64; BATCH]);
                sweep_avx2(l, planes, x4, live4, st4);
            }
            return;
        }
    }
    sweep_body(l, planes, x, live, st);
}

/// [`sweep_body`] for four groups in AVX2 registers, written with intrinsics: the
/// compiler keeps the generators in scalar registers otherwise (AVX2 has no 64-bit
/// rotation), spilling them on every plane.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sweep_avx2(
    l: usize,
    planes: &Planes,
    x: &mut [[u64; BATCH]],
    live: [u64; BATCH],
    st: &mut [[u64; BATCH]; 4],
) {
    use std::arch::x86_64::*;
    #[inline(always)]
    unsafe fn load(w: &[u64; 4]) -> __m256i {
        _mm256_loadu_si256(w.as_ptr() as *const __m256i)
    }
    #[inline(always)]
    unsafe fn store(w: &mut [u64; 4], v: __m256i) {
        _mm256_storeu_si256(w.as_mut_ptr() as *mut __m256i, v)
    }
    #[inline(always)]
    unsafe fn bcast(w: u64) -> __m256i {
        _mm256_set1_epi64x(w as i64)
    }
    let x = &mut x[..l * l];
    let (mut s0, mut s1, mut s2, mut s3) = (load(&st[0]), load(&st[1]), load(&st[2]), load(&st[3]));
    let live = load(&live);
    let ones = _mm256_set1_epi64x(-1);
    for r in 0..l {
        let row = r * l;
        let up = if r == 0 { l - 1 } else { r - 1 } * l;
        let down = if r + 1 == l { 0 } else { r + 1 } * l;
        for c in 0..l {
            let left = if c == 0 { l - 1 } else { c - 1 };
            let right = if c + 1 == l { 0 } else { c + 1 };
            let (a, b) = (load(&x[up + c]), load(&x[down + c]));
            let (cc, d) = (load(&x[row + left]), load(&x[row + right]));
            let (xv, ca) = (_mm256_xor_si256(a, b), _mm256_and_si256(a, b));
            let (yv, cd) = (_mm256_xor_si256(cc, d), _mm256_and_si256(cc, d));
            let b0 = _mm256_xor_si256(xv, yv);
            let carry = _mm256_and_si256(xv, yv);
            let b1 = _mm256_xor_si256(_mm256_xor_si256(ca, cd), carry);
            let b2 = _mm256_or_si256(
                _mm256_and_si256(ca, cd),
                _mm256_and_si256(_mm256_xor_si256(ca, cd), carry),
            );
            let eq = [
                _mm256_andnot_si256(_mm256_or_si256(_mm256_or_si256(b0, b1), b2), ones),
                _mm256_andnot_si256(b1, b0),
                _mm256_andnot_si256(b2, _mm256_andnot_si256(b0, b1)),
                _mm256_and_si256(b0, b1),
                b2,
            ];
            let sel = |p: &[u64; 5]| {
                let m01 = _mm256_or_si256(
                    _mm256_and_si256(eq[0], bcast(p[0])),
                    _mm256_and_si256(eq[1], bcast(p[1])),
                );
                let m23 = _mm256_or_si256(
                    _mm256_and_si256(eq[2], bcast(p[2])),
                    _mm256_and_si256(eq[3], bcast(p[3])),
                );
                _mm256_or_si256(
                    _mm256_or_si256(m01, m23),
                    _mm256_and_si256(eq[4], bcast(p[4])),
                )
            };
            let mut out = _mm256_and_si256(sel(&planes.top), live);
            let mut open = _mm256_andnot_si256(out, live);
            for p in &planes.planes {
                if _mm256_testz_si256(open, open) == 1 {
                    break;
                }
                // xoshiro256++, four generators
                let sum = _mm256_add_epi64(s0, s3);
                let rot =
                    _mm256_or_si256(_mm256_slli_epi64::<23>(sum), _mm256_srli_epi64::<41>(sum));
                let rv = _mm256_add_epi64(rot, s0);
                let t1 = _mm256_slli_epi64::<17>(s1);
                s2 = _mm256_xor_si256(s2, s0);
                s3 = _mm256_xor_si256(s3, s1);
                s1 = _mm256_xor_si256(s1, s2);
                s0 = _mm256_xor_si256(s0, s3);
                s2 = _mm256_xor_si256(s2, t1);
                s3 = _mm256_or_si256(_mm256_slli_epi64::<45>(s3), _mm256_srli_epi64::<19>(s3));
                let t = sel(p);
                out = _mm256_or_si256(out, _mm256_andnot_si256(rv, _mm256_and_si256(open, t)));
                open = _mm256_andnot_si256(_mm256_xor_si256(t, rv), open);
            }
            store(&mut x[row + c], out);
        }
    }
    store(&mut st[0], s0);
    store(&mut st[1], s1);
    store(&mut st[2], s2);
    store(&mut st[3], s3);
}

#[inline(always)]
fn sweep_body<const B: usize>(
    l: usize,
    planes: &Planes,
    x: &mut [[u64; B]],
    live: [u64; B],
    st: &mut [[u64; B]; 4],
) {
    let x = &mut x[..l * l];
    for r in 0..l {
        let row = r * l;
        let up = if r == 0 { l - 1 } else { r - 1 } * l;
        let down = if r + 1 == l { 0 } else { r + 1 } * l;
        for c in 0..l {
            let left = if c == 0 { l - 1 } else { c - 1 };
            let right = if c + 1 == l { 0 } else { c + 1 };
            let (a, b, cc, d) = (x[up + c], x[down + c], x[row + left], x[row + right]);
            x[row + c] = update(planes, [a, b, cc, d], live, st);
        }
    }
}

/// The new words of one site for `B` groups, from their four neighbour words.
#[inline(always)]
fn update<const B: usize>(
    planes: &Planes,
    nb: [[u64; B]; 4],
    live: [u64; B],
    st: &mut [[u64; B]; 4],
) -> [u64; B] {
    let mut eq = [[0u64; B]; 5];
    for b in 0..B {
        let e = counts(nb[0][b], nb[1][b], nb[2][b], nb[3][b]);
        for s in 0..5 {
            eq[s][b] = e[s];
        }
    }
    update_from(planes, eq, live, st)
}

/// [`update`] from the count masks `eq[s][b]` (lanes of group `b` with `s` up neighbours).
#[inline(always)]
fn update_from<const B: usize>(
    planes: &Planes,
    eq: [[u64; B]; 5],
    live: [u64; B],
    st: &mut [[u64; B]; 4],
) -> [u64; B] {
    let sel = |p: &[u64; 5], b: usize| {
        (eq[0][b] & p[0])
            | (eq[1][b] & p[1])
            | (eq[2][b] & p[2])
            | (eq[3][b] & p[3])
            | (eq[4][b] & p[4])
    };
    let mut out = [0u64; B];
    let mut open = [0u64; B];
    for b in 0..B {
        out[b] = sel(&planes.top, b) & live[b];
        open[b] = live[b] & !out[b];
    }
    for p in &planes.planes {
        if open.iter().fold(0, |acc, &o| acc | o) == 0 {
            break;
        }
        let r = next(st);
        for b in 0..B {
            let t = sel(p, b);
            out[b] |= open[b] & t & !r[b];
            open[b] &= !(t ^ r[b]);
        }
    }
    out
}

/// Fewer than 64 chains: each word holds `strips` column strips of every chain, so the
/// word is still full. Site `(r, c)` with `c = j w + c'` (`w = L / strips`) of chain `k`
/// is bit `j chains + k` of word `(r, c')`; one update of word `(r, c')` redraws the
/// sites `(r, c' + j w)` of every strip `j` at once. They are at least `w >= 2` columns
/// apart, so never neighbours, and redrawing them together is redrawing them one after
/// another: a systematic scan whose order is row by row, column `c'` of all strips at
/// once. The left neighbour of column 0 of strip `j` is column `w - 1` of strip `j - 1`:
/// the word at `c' = w - 1` rotated by `chains` bits (and the other way on the right).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Strips {
    pub chains: usize,
    pub strips: usize,
}

impl Strips {
    /// The most strips (a power of two, at most `64 / chains`) that divide `L` into
    /// strips of width at least 2; `None` when that is fewer than 2 strips.
    pub fn new(l: usize, chains: usize) -> Option<Strips> {
        if chains == 0 || chains >= LANES {
            return None;
        }
        let mut strips = 1usize;
        while strips * 2 * chains <= LANES && l % (strips * 2) == 0 && l / (strips * 2) >= 2 {
            strips *= 2;
        }
        (strips >= 2).then_some(Strips { chains, strips })
    }

    fn lanes(&self) -> u32 {
        (self.strips * self.chains) as u32
    }

    /// Word `(r, c')` rotated up by one strip (strip `j` moves to `j + 1`, the last to 0).
    #[inline(always)]
    fn up(&self, w: u64) -> u64 {
        let (c, n) = (self.chains as u32, self.lanes());
        ((w << c) | (w >> (n - c))) & live_mask(n as usize)
    }

    #[inline(always)]
    fn down(&self, w: u64) -> u64 {
        let (c, n) = (self.chains as u32, self.lanes());
        ((w >> c) | (w << (n - c))) & live_mask(n as usize)
    }

    /// Pack `chains` chains (chain-major, `L * L` spins each) into `L * w` words.
    pub fn pack(&self, l: usize, states: &[u16], out: &mut Vec<u64>) {
        let w = l / self.strips;
        out.clear();
        out.resize(l * w, 0);
        for (k, x) in states.chunks(l * l).enumerate() {
            for r in 0..l {
                for c in 0..l {
                    let (j, cc) = (c / w, c % w);
                    out[r * w + cc] |= (x[r * l + c] as u64 & 1) << (j * self.chains + k);
                }
            }
        }
    }

    /// The inverse of [`Strips::pack`].
    pub fn unpack(&self, l: usize, words: &[u64], states: &mut [u16]) {
        let w = l / self.strips;
        for (k, x) in states.chunks_mut(l * l).enumerate() {
            for r in 0..l {
                for c in 0..l {
                    let (j, cc) = (c / w, c % w);
                    x[r * l + c] = (words[r * w + cc] >> (j * self.chains + k) & 1) as u16;
                }
            }
        }
    }

    /// `sweeps` sweeps of the packed words `x` (`L * w`), drawing from `rng`.
    pub fn sweep(
        &self,
        lat: &Lattice,
        planes: &Planes,
        sweeps: u64,
        x: &mut [u64],
        rng: &mut GroupRng,
        cancel: &Cancel,
    ) -> Result<()> {
        let l = lat.side();
        let w = l / self.strips;
        assert!(w >= 2 && x.len() == l * w);
        let live = [live_mask(self.lanes() as usize)];
        let mut st: [[u64; 1]; 4] = std::array::from_fn(|j| [rng[j]]);
        let mut result = Ok(());
        for _ in 0..sweeps {
            if let Err(e) = cancel.check() {
                result = Err(e);
                break;
            }
            for r in 0..l {
                let row = r * w;
                let up = if r == 0 { l - 1 } else { r - 1 } * w;
                let down = if r + 1 == l { 0 } else { r + 1 } * w;
                for c in 0..w {
                    let left = if c == 0 {
                        self.up(x[row + w - 1])
                    } else {
                        x[row + c - 1]
                    };
                    let right = if c + 1 == w {
                        self.down(x[row])
                    } else {
                        x[row + c + 1]
                    };
                    let nb = [[x[up + c]], [x[down + c]], [left], [right]];
                    x[row + c] = update(planes, nb, live, &mut st)[0];
                }
            }
        }
        *rng = std::array::from_fn(|j| st[j][0]);
        result
    }
}

/// Pack up to `BATCH * 64` chains (each `n` spins of 0 / 1, chain-major) into `out`
/// (`n` entries): chain `64 b + k` of the slice in bit `k` of `out[i][b]`.
pub fn pack<const B: usize>(states: &[u16], n: usize, out: &mut Vec<[u64; B]>) {
    out.clear();
    out.resize(n, [0; B]);
    for (c, x) in states.chunks(n).enumerate() {
        let (b, k) = (c / LANES, c % LANES);
        for (w, &v) in out.iter_mut().zip(x) {
            w[b] |= (v as u64 & 1) << k;
        }
    }
}

/// The inverse of [`pack`].
pub fn unpack<const B: usize>(words: &[[u64; B]], n: usize, states: &mut [u16]) {
    for (c, x) in states.chunks_mut(n).enumerate() {
        let (b, k) = (c / LANES, c % LANES);
        for (v, w) in x.iter_mut().zip(words) {
            *v = (w[b] >> k & 1) as u16;
        }
    }
}

/// The live lanes of a batch holding `chains` chains (`1 <= chains <= BATCH * 64`).
pub fn live_masks<const B: usize>(chains: usize) -> [u64; B] {
    std::array::from_fn(|b| live_mask(chains.saturating_sub(b * LANES).min(LANES)))
}

/// The mask of the first `chains` lanes (`1 <= chains <= 64`).
pub fn live_mask(chains: usize) -> u64 {
    if chains == 0 {
        0
    } else if chains >= LANES {
        u64::MAX
    } else {
        (1u64 << chains) - 1
    }
}

#[cfg(test)]
mod tests;
