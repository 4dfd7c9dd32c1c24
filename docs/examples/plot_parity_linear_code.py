r"""
Parity and linear codes
=======================

A uniform law over the words of a binary linear code :math:`C` is a system whose support is
the code. Resampling a block :math:`B` can move between two codewords only if they differ
inside :math:`B`, so the component of the zero word is the subcode spanned by codewords of
weight at most :math:`k`, and

.. math::

   R_k = \dim C - \dim \operatorname{span}\{c \in C : |c| \le k\}.

In particular :math:`R_k = \dim C` below the minimum distance. Parity
(the even-weight code, distance 2) gives :math:`R_1 = n - 1`, :math:`R_k = 0` for
:math:`k \ge 2` (THEORY §6, item 4). The :math:`[7, 4]` Hamming code (distance 3) keeps
all 4 bits for :math:`k \le 2`; its dual, the :math:`[7, 3]` simplex code (every nonzero
word has weight 4), keeps 3 bits up to :math:`k = 3`.
"""

import itertools

import matplotlib.pyplot as plt
import numpy as np

import natabs as na


def code_system(generator):
    """Uniform law over the code spanned by the rows of ``generator`` (over GF(2))."""
    g = np.asarray(generator, dtype=np.uint64)
    dim, n = g.shape
    words = np.array(
        [
            np.bitwise_xor.reduce(g[list(m)], axis=0) if m else np.zeros(n, np.uint64)
            for r in range(dim + 1)
            for m in itertools.combinations(range(dim), r)
        ]
    )
    codes = (words << np.arange(n, dtype=np.uint64)).sum(axis=1)  # variable 0 least significant
    codes = np.unique(codes)
    return na.System.from_codes(codes, np.full(codes.size, 1.0 / codes.size), [2] * n), words


def gf2_rank(rows):
    """Rank over GF(2) of a 0/1 matrix."""
    m = np.array(rows, dtype=np.uint8) % 2
    rank = 0
    for col in range(m.shape[1] if m.size else 0):
        pivot = next((r for r in range(rank, len(m)) if m[r, col]), None)
        if pivot is None:
            continue
        m[[rank, pivot]] = m[[pivot, rank]]
        for r in range(len(m)):
            if r != rank and m[r, col]:
                m[r] ^= m[rank]
        rank += 1
    return rank


def predicted(words, k):
    dim = gf2_rank(words)
    low = [w for w in words if 0 < w.sum() <= k]
    return float(dim - (gf2_rank(low) if low else 0))


hamming = [
    [1, 0, 0, 0, 1, 1, 0],
    [0, 1, 0, 0, 1, 0, 1],
    [0, 0, 1, 0, 0, 1, 1],
    [0, 0, 0, 1, 1, 1, 1],
]
simplex = [
    [1, 1, 0, 1, 1, 0, 0],  # parity-check matrix of the Hamming code above
    [1, 0, 1, 1, 0, 1, 0],
    [0, 1, 1, 1, 0, 0, 1],
]

systems = {
    "parity(7)": (na.systems.parity(7), None),
    "Hamming [7,4]": code_system(hamming),
    "simplex [7,3]": code_system(simplex),
}
ks = range(1, 8)
curves = {}
for label, (s, words) in systems.items():
    r = [na.conserved_information(s, k=k) for k in ks]
    if words is not None:
        assert np.allclose(r, [predicted(words, k) for k in ks], rtol=0, atol=1e-12), label
    curves[label] = r
    print(f"{label:<14} support={s.size:<3}", " ".join(f"R_{k}={v:g}" for k, v in zip(ks, r)))

assert np.allclose(curves["parity(7)"], [6.0] + [0.0] * 6, rtol=0, atol=1e-12)

# %%
# The support sizes are :math:`2^{\dim C}`, so :math:`R_0 = H(X) = \dim C`. Below the
# minimum distance no move leaves a codeword, and all of :math:`H(X)` is conserved; at the
# minimum distance the low-weight codewords already span the whole code here, and
# everything is lost at once.

fig, ax = plt.subplots(figsize=(6, 3.5))
for (label, r), marker in zip(curves.items(), "osd"):
    ax.step(list(ks), r, where="mid", marker=marker, label=label)
ax.set_xlabel("block size k")
ax.set_ylabel("$R_k$ (bits)")
ax.set_title("Linear codes: redundancy up to the minimum distance")
ax.legend()
fig.tight_layout()
