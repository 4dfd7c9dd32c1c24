r"""
The Ising ring: an exact eigenvalue
===================================

On a ring of :math:`N` spins with coupling :math:`J`, single-site heat-bath resampling has
the magnetisation as an exact eigenfunction, with eigenvalue

.. math::

   \lambda = 1 - \frac{1 - \tanh 2\beta J}{N}

(THEORY §6, item 5). Nothing is conserved exactly at finite :math:`\beta` (:math:`R = 0`,
one unit eigenvalue), but as :math:`\beta` grows the magnetisation relaxes more and more
slowly. The spectrum computed by natabs contains the predicted eigenvalue to rounding.
"""

import matplotlib.pyplot as plt
import numpy as np

import natabs as na

N = 8
betas = np.linspace(0.05, 1.5, 9)
found, predicted = [], []
for beta in betas:
    spec = na.spectrum(na.systems.ising_ring(N, beta), k=1)
    ev = np.asarray(spec.eigenvalues)
    lam = 1 - (1 - np.tanh(2 * beta)) / N
    j = int(np.argmin(np.abs(ev - lam)))
    assert abs(ev[j] - lam) < 1e-10
    assert spec.n_unit == 1
    found.append(ev[j])
    predicted.append(lam)
for beta, lam in list(zip(betas, predicted))[::4]:
    print(
        f"beta = {beta:.2f}: lambda = {lam:.10f}, relaxation of the magnetisation "
        f"{1 / (1 - lam):.1f} steps"
    )

# %%
# The eigenfunction is the magnetisation itself: the slowest mode of the ring correlates
# with :math:`\sum_i \sigma_i` perfectly.

ring = na.systems.ising_ring(N, 0.4)
mode = na.slow_modes(ring, k=1, top=1)
magnetisation = 2.0 * ring.states.sum(axis=1) - N
corr = abs(float(mode.correlation(magnetisation)[0]))
print(
    f"beta = 0.4: slowest mode {mode.eigenvalues[0]:.10f}, correlation with the magnetisation "
    f"{corr:.12f}"
)
assert abs(mode.eigenvalues[0] - (1 - (1 - np.tanh(0.8)) / N)) < 1e-10 and corr > 1 - 1e-10

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(betas, predicted, label=r"$1 - (1 - \tanh 2\beta J)/N$")
ax.plot(betas, found, "o", label="eigenvalue found by natabs.spectrum")
ax.set_xlabel(r"$\beta$")
ax.set_ylabel("eigenvalue")
ax.set_title(f"Ising ring, N = {N}, J = 1")
ax.legend()
fig.tight_layout()
