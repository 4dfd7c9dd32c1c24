"""
2D Ising: the sign of the magnetisation is a natural abstraction below T_c
==========================================================================

Resample the spins of an ``L × L`` periodic Ising lattice one at a time (heat bath) and ask
how much the *sign of the magnetisation* at time 0 still says about the sign after ``t``
sweeps: ``I(sign m(X^0); sign m(X^t))``. Exactly, the conserved information is 0 at any
finite temperature (the law has full support, THEORY §3), so only finite-time numbers can
tell the phases apart (THEORY §6 item 6):

- below ``T_c = 2 / ln(1 + √2) ≈ 2.269`` the sign keeps about 1 bit for a time that grows
  with ``L`` (flipping the whole magnetisation needs a domain wall across the lattice);
- above ``T_c`` it is forgotten within a few sweeps, whatever ``L``.

Chains start from stationary states: every chain starts ordered with a random sign and
burns in (below ``T_c`` that is the right mixture of the two phases; near ``T_c`` the
burn-in is the approximation). Set ``NATABS_DOCS_FAST=1`` for a smaller run (CI).
"""

import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import natabs as na

FAST = os.environ.get("NATABS_DOCS_FAST") == "1"
T_C = 2 / math.log(1 + math.sqrt(2))
SIZES = [8, 16] if FAST else [8, 16, 32]
TEMPS = [1.8, T_C, 3.0] if FAST else [1.8, 2.1, T_C, 2.5, 3.0]
SWEEPS = [1, 4, 16, 64] if FAST else [1, 4, 16, 64, 128]
CHAINS = 300 if FAST else 1000
BURN_IN = 100 if FAST else 200


def sign_information(L, T, seed):
    """I(sign m(X^0); sign m(X^t)) in bits, with 95% intervals, for each t in SWEEPS."""
    fg = na.FactorGraph.ising_lattice(L, beta=1 / T)
    up = np.random.default_rng(seed).integers(0, 2, CHAINS)
    init = np.repeat(up[:, None], L * L, axis=1)  # ordered, random sign
    return na.sampled_surviving_information(
        fg, "majority", sweeps=SWEEPS, chains=CHAINS, seed=seed, init=init, burn_in=BURN_IN
    )


results = {}
for L in SIZES:
    for k, T in enumerate(TEMPS):
        results[L, T] = sign_information(L, T, seed=100 * L + k)

print(f"I(sign m(X^0); sign m(X^t)) in bits, {CHAINS} chains, T_c = {T_C:.3f}")
print("   L     T  " + "".join(f"  t={t:<5d}" for t in SWEEPS))
for (L, T), r in results.items():
    print(f"{L:4d} {T:5.2f}  " + "".join(f"  {b:7.3f}" for b in r.bits))

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
t_show = SWEEPS[-1]
for L in SIZES:
    bits = [results[L, T].bits[-1] for T in TEMPS]
    low = [results[L, T].low[-1] for T in TEMPS]
    high = [results[L, T].high[-1] for T in TEMPS]
    left.errorbar(TEMPS, bits, yerr=[np.subtract(bits, low), np.subtract(high, bits)],
                  marker="o", capsize=3, label=f"L = {L}")
    r = results[L, T_C]
    right.errorbar(r.sweeps, r.bits, yerr=[r.bits - r.low, r.high - r.bits], marker="o",
                   capsize=3, label=f"L = {L}")
left.axvline(T_C, color="grey", ls="--", lw=1)
left.set(xlabel="temperature T", ylabel="bits", title=f"information kept after t = {t_show} sweeps")
right.set(xscale="log", xlabel="sweeps t", ylabel="bits", title=f"T = T_c = {T_C:.3f}: kept longer as L grows")
for ax in (left, right):
    ax.set_ylim(-0.05, 1.1)
    ax.legend()
fig.tight_layout()
if os.environ.get("NATABS_DOCS_OUT"):  # sphinx-gallery collects the figure itself
    fig.savefig(os.environ["NATABS_DOCS_OUT"], dpi=100)
