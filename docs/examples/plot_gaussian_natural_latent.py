r"""
The shared drift as a natural latent of its positions
=====================================================

:math:`N` particles share a drift: :math:`x_i = \theta + \varepsilon_i`, with
:math:`\theta \sim N(0, \tau^2)` and :math:`\varepsilon_i \sim N(0, \sigma^2)`
(``na.systems.shared_drift``, THEORY §8). Given :math:`\theta` the positions are
independent, so the mediation error :math:`TC(X \mid \theta)` is exactly 0. With
:math:`\mathrm{Var}(\theta \mid k \text{ positions}) = 1 / (1/\tau^2 + k/\sigma^2)`, the
leave-one-out redundancy error is

.. math:: I(\theta; x_i \mid x_{-i}) = \tfrac12 \log_2 \frac{\sigma^2 + N\tau^2}{\sigma^2 + (N-1)\tau^2}
   \approx \frac{\log_2 e}{2N} \quad (\tau = \sigma),

so the drift becomes a natural latent as :math:`N` grows. The strong convention
:math:`I(\theta; x_{-i} \mid x_i)` asks one position to stand for all and grows instead.
Every number is an exact log-determinant (``natural_latent_errors`` on a
:class:`~natabs.GaussianSystem`); the deterministic conventions do not apply to a
continuous latent and are ``nan``.
"""

import math

import matplotlib.pyplot as plt
import numpy as np

import natabs as na

Ns = [2, 4, 8, 16, 32, 64, 128]
ratios = [0.25, 1.0, 4.0]  # tau^2 / sigma^2
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
for r in ratios:
    red, strong = [], []
    for N in Ns:
        e = na.natural_latent_errors(na.systems.shared_drift(N, tau=math.sqrt(r)), "theta")
        assert e.mediation == 0.0
        assert abs(e.max_redundancy - 0.5 * math.log2((1 + N * r) / (1 + (N - 1) * r))) < 1e-12
        red.append(e.max_redundancy)
        strong.append(e.max_strong_redundancy)
    left.loglog(Ns, red, marker="o", label=rf"$\tau^2/\sigma^2$ = {r}")
    right.semilogx(Ns, strong, marker="o", label=rf"$\tau^2/\sigma^2$ = {r}")
left.loglog(Ns, [0.5 * math.log2(math.e) / N for N in Ns], "k--", lw=1, label=r"$\log_2 e / 2N$")
left.set_title(r"redundancy $I(\theta; x_i \mid x_{-i})$")
right.set_title(r"strong $I(\theta; x_{-i} \mid x_i)$")
for ax in (left, right):
    ax.set_xlabel("number of positions N")
left.set_ylabel("bits")
left.legend(fontsize="small")
fig.tight_layout()

# %%
# The numbers for :math:`N = 8`, :math:`\tau = \sigma = 1`, and after re-describing the
# positions by their centre of mass (the mean then carries all of
# :math:`I(\theta; X) = \tfrac12 \log_2 9` bits and the drift is no longer redundant):

from natabs import transforms as nt

g = na.systems.shared_drift(8)
e = na.natural_latent_errors(g, "theta")
print(f"mediation               {e.mediation:.6f} bits")
print(
    f"I(theta; x_i | x_-i)    {e.redundancy[0]:.6f} bits  (1/2 log2(9/8) = {0.5 * math.log2(9 / 8):.6f})"
)
print(
    f"I(theta; x_-i | x_i)    {e.strong_redundancy[0]:.6f} bits  (1/2 log2(9/2) = {0.5 * math.log2(9 / 2):.6f})"
)
print(
    f"H(theta | x_-i)         {e.deterministic_redundancy[0]}  (not defined for a continuous latent)"
)
y = nt.center_of_mass([f"x{i}" for i in range(8)])(g)
c = na.natural_latent_errors(y, "theta")
print(
    f"centre of mass: redundancy per view {np.round(c.redundancy, 4).tolist()}, mediation {c.mediation:.4f}"
)
