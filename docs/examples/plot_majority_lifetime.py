r"""
The majority's lifetime grows exponentially with the number of copies
=====================================================================

Noisy copies :math:`X_i = B \oplus N_i` of a bit, :math:`N_i \sim \mathrm{Bernoulli}(p)`,
conserve nothing exactly (:math:`R_k = 0`), yet the majority vote is a slow mode of
single-site resampling: to forget it the chain must cross the types near a tie, whose
probability falls like :math:`(4p(1-p))^{n/2}`. So the relaxation time should grow like
:math:`(4p(1-p))^{-n/2}`, a straight line on a log scale with slope
:math:`-\tfrac12 \ln(4p(1-p))` per copy (THEORY §6, item 2).

A :class:`~natabs.SymmetricSystem` holds the law by its :math:`n + 1` types, and the type
is a birth–death chain (THEORY §9), so the relaxation time is exact up to
:math:`n = 1001` and beyond — although at :math:`p = 0.1` and :math:`n = 1001` the gap
:math:`1 - \lambda` is about :math:`10^{-224}`, far below what :math:`1 - \lambda` from a
double-precision eigensolver could resolve. The gap is computed from the rates by a
bisection that is accurate relative to the gap itself.
"""

import math
import time

import matplotlib.pyplot as plt
import natabs as na
import numpy as np

ns = np.r_[np.arange(11, 100, 22), np.arange(101, 1002, 100)]
start = time.perf_counter()
fits = {}
fig, ax = plt.subplots(figsize=(6, 4))
for p, colour in [(0.1, "C0"), (0.25, "C1"), (0.4, "C2")]:
    t_rel = np.array(
        [
            na.spectrum(
                na.systems.noisy_copies(int(n), p, symmetric=True), k=1, top=2
            ).relaxation_time
            for n in ns
        ]
    )
    slope = np.polyfit(ns[ns > 200], np.log10(t_rel[ns > 200]), 1)[0]
    predicted = -0.5 * math.log10(4 * p * (1 - p))
    fits[p] = (slope, predicted)
    ax.semilogy(ns, t_rel, "o", color=colour, label=f"p = {p}: exact")
    # The predicted slope, through the last point.
    ax.semilogy(
        ns,
        t_rel[-1] * 10 ** (predicted * (ns - ns[-1])),
        "--",
        color=colour,
        lw=1,
        label=f"slope $-\\frac{{1}}{{2}}\\log_{{10}} 4p(1-p)$ = {predicted:.3f}",
    )
elapsed = time.perf_counter() - start

for p, (slope, predicted) in fits.items():
    print(f"p = {p}: fitted slope {slope:.4f} decades per copy, predicted {predicted:.4f}")
    assert abs(slope / predicted - 1) < 0.05
big = na.spectrum(na.systems.noisy_copies(1001, 0.1, symmetric=True), k=1, top=2)
print(
    f"n = 1001, p = 0.1: relaxation time {big.relaxation_time:.6e} steps, "
    f"gap 1 - lambda = {big.gaps[1]:.6e}"
)
print(f"{len(ns) * len(fits)} spectra in {elapsed:.1f} s")

ax.set_xlabel("number of noisy copies n")
ax.set_ylabel("relaxation time (single-site steps)")
ax.set_title("The majority of n noisy copies: lifetime vs n")
ax.legend(fontsize=7)
fig.tight_layout()

# %%
# The fitted slopes match the prediction to a few per cent, slightly above it: the
# lifetime also carries a polynomial prefactor in :math:`n` (a single-site step moves
# the type by one unit, and the walk must climb to the tie and back), whose logarithm
# adds a little to the slope over a finite range of :math:`n`, most visibly where the
# exponential rate is weakest (:math:`p = 0.4`). What the exponential means in practice: at :math:`p = 0.1` a thousand
# copies keep their majority for :math:`10^{223}` resampling steps — while
# :math:`R_1 = 0` says that, exactly, nothing at all is conserved.
