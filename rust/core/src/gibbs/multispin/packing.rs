//! How a batch's chains fill its 256 lanes ([`Packing`]), and the bit moves between one
//! value per spin and one bit per lane (see the module documentation of `multispin`).

use super::{and, live_masks, or, shl, shr, Vector, BATCH, BATCH_CHAINS, LANES};

/// How a batch of `chains` chains fills its lanes with `strips` column strips of each
/// (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packing {
    pub chains: usize,
    pub strips: usize,
}

impl Packing {
    /// The packing of `chains` (`1..=256`) chains of an `L × L` lattice: the most strips (a
    /// power of two, `strips * chains <= 256`) that divide `L` into strips at least 2
    /// columns wide.
    pub fn new(l: usize, chains: usize) -> Packing {
        assert!((1..=BATCH_CHAINS).contains(&chains));
        let mut strips = 1usize;
        while strips * 2 * chains <= BATCH_CHAINS && l % (strips * 2) == 0 && l / (strips * 2) >= 2
        {
            strips *= 2;
        }
        Packing { chains, strips }
    }

    /// Lanes in use.
    pub fn lanes(&self) -> usize {
        self.strips * self.chains
    }

    /// The live lanes.
    pub fn live(&self) -> Vector {
        live_masks(self.lanes())
    }

    /// Vectors a row: the strip width.
    pub fn width(&self, l: usize) -> usize {
        l / self.strips
    }

    /// Vector `(r, w - 1)` as the left neighbour of `(r, 0)`: strip `j` moves to `j + 1`,
    /// the last to 0 (lane `λ` to `λ + c` modulo the lanes in use).
    #[inline(always)]
    pub(super) fn up(&self, v: Vector) -> Vector {
        if self.strips == 1 {
            return v;
        }
        let (c, n) = (self.chains, self.lanes());
        and(or(shl(v, c), shr(v, n - c)), live_masks(n))
    }

    /// Vector `(r, 0)` as the right neighbour of `(r, w - 1)`: the inverse of [`Packing::up`].
    #[inline(always)]
    pub(super) fn down(&self, v: Vector) -> Vector {
        if self.strips == 1 {
            return v;
        }
        let (c, n) = (self.chains, self.lanes());
        and(or(shr(v, c), shl(v, n - c)), live_masks(n))
    }

    /// Pack the batch's chains (chain-major, `L * L` spins of 0 / 1 each) into `L * w`
    /// vectors, row by row (the row's vectors stay in the first-level cache). Strips of a
    /// multiple of 64 columns go 64 spins at a time: each lane's spins as one mask, then a
    /// 64 × 64 bit transpose; narrower ones spin by spin.
    pub fn pack(&self, l: usize, states: &[u16], out: &mut Vec<Vector>) {
        let (w, n) = (self.width(l), l * l);
        out.clear();
        out.resize(l * w, [0; BATCH]);
        let lanes = self.lanes();
        if w % LANES == 0 {
            let mut m = vec![[0u64; LANES]; w / LANES];
            for r in 0..l {
                for b in 0..lanes.div_ceil(LANES) {
                    for i in 0..LANES.min(lanes - b * LANES) {
                        let lane = b * LANES + i;
                        let (j, k) = (lane / self.chains, lane % self.chains);
                        let src = &states[k * n + r * l + j * w..k * n + r * l + j * w + w];
                        for (mq, seg) in m.iter_mut().zip(src.chunks_exact(LANES)) {
                            mq[i] = to_mask(seg);
                        }
                    }
                    for (q, mq) in m.iter_mut().enumerate() {
                        transpose64(mq);
                        let dst = &mut out[r * w + q * LANES..r * w + q * LANES + LANES];
                        for (v, &mt) in dst.iter_mut().zip(mq.iter()) {
                            v[b] = mt;
                        }
                        *mq = [0; LANES];
                    }
                }
            }
            return;
        }
        for r in 0..l {
            let dst = &mut out[r * w..r * w + w];
            for (k, x) in states.chunks(n).enumerate() {
                for j in 0..self.strips {
                    let lane = j * self.chains + k;
                    let (b, bit) = (lane / LANES, lane % LANES);
                    let src = &x[r * l + j * w..r * l + j * w + w];
                    for (v, &s) in dst.iter_mut().zip(src) {
                        v[b] |= (s as u64 & 1) << bit;
                    }
                }
            }
        }
    }

    /// The inverse of [`Packing::pack`].
    pub fn unpack(&self, l: usize, words: &[Vector], states: &mut [u16]) {
        let (w, n) = (self.width(l), l * l);
        let lanes = self.lanes();
        if w % LANES == 0 {
            let mut m = vec![[0u64; LANES]; w / LANES];
            for r in 0..l {
                for b in 0..lanes.div_ceil(LANES) {
                    for (q, mq) in m.iter_mut().enumerate() {
                        let src = &words[r * w + q * LANES..r * w + q * LANES + LANES];
                        for (mt, v) in mq.iter_mut().zip(src) {
                            *mt = v[b];
                        }
                        transpose64(mq);
                    }
                    for i in 0..LANES.min(lanes - b * LANES) {
                        let lane = b * LANES + i;
                        let (j, k) = (lane / self.chains, lane % self.chains);
                        let dst = &mut states[k * n + r * l + j * w..k * n + r * l + j * w + w];
                        for (mq, seg) in m.iter().zip(dst.chunks_exact_mut(LANES)) {
                            from_mask(mq[i], seg);
                        }
                    }
                }
            }
            return;
        }
        for r in 0..l {
            let src = &words[r * w..r * w + w];
            for (k, x) in states.chunks_mut(n).enumerate() {
                for j in 0..self.strips {
                    let lane = j * self.chains + k;
                    let (b, bit) = (lane / LANES, lane % LANES);
                    let dst = &mut x[r * l + j * w..r * l + j * w + w];
                    for (s, v) in dst.iter_mut().zip(src) {
                        *s = (v[b] >> bit & 1) as u16;
                    }
                }
            }
        }
    }
}

/// Bit `i` of the result: spin `i` of `x` (at most 64 spins of 0 / 1).
#[inline(always)]
pub(super) fn to_mask(x: &[u16]) -> u64 {
    // Four spins at bits 0, 16, 32, 48 of a word; the product moves them to bits 48..51
    // (the other partial products land on distinct bits below 48 or past 63).
    const MUL: u64 = 1 << 48 | 1 << 33 | 1 << 18 | 1 << 3;
    let mut m = 0u64;
    let mut quads = x.chunks_exact(4);
    let mut i = 0;
    for q in &mut quads {
        let v = (q[0] as u64 | (q[1] as u64) << 16 | (q[2] as u64) << 32 | (q[3] as u64) << 48)
            & 0x0001_0001_0001_0001;
        m |= (v.wrapping_mul(MUL) >> 48) << i;
        i += 4;
    }
    for &s in quads.remainder() {
        m |= (s as u64 & 1) << i;
        i += 1;
    }
    m
}

/// The inverse of [`to_mask`]: spin `i` of `x` is bit `i` of `m`.
#[inline(always)]
pub(super) fn from_mask(m: u64, x: &mut [u16]) {
    // Four bits to bits 0, 16, 32, 48 (partial products on distinct bits, never those).
    const MUL: u64 = 1 | 1 << 15 | 1 << 30 | 1 << 45;
    let mut quads = x.chunks_exact_mut(4);
    let mut i = 0;
    for q in &mut quads {
        let v = ((m >> i) & 0xF).wrapping_mul(MUL) & 0x0001_0001_0001_0001;
        q[0] = v as u16;
        q[1] = (v >> 16) as u16;
        q[2] = (v >> 32) as u16;
        q[3] = (v >> 48) as u16;
        i += 4;
    }
    for s in quads.into_remainder() {
        *s = (m >> i & 1) as u16;
        i += 1;
    }
}

/// Transpose a 64 × 64 bit matrix in place: afterwards bit `i` of `a[t]` is what bit `t`
/// of `a[i]` was (swapping off-diagonal blocks of 32, 16, .., 1).
#[inline(always)]
pub fn transpose64(a: &mut [u64; LANES]) {
    let mut j = 32;
    let mut m: u64 = 0x0000_0000_FFFF_FFFF;
    while j != 0 {
        let mut k = 0;
        while k < LANES {
            let t = ((a[k] >> j) ^ a[k + j]) & m;
            a[k] ^= t << j;
            a[k + j] ^= t;
            k = (k + j + 1) & !j;
        }
        j >>= 1;
        m ^= m << j;
    }
}
