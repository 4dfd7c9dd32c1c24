r"""
Noisy copies: finite-time decay and the majority as slow mode
=============================================================

Noisy copies :math:`X_i = B \oplus N_i`, :math:`N_i \sim \mathrm{Bernoulli}(p)`, have full
support, so nothing is conserved exactly (:math:`R_1 = 0`). But single-site resampling
forgets the shared bit only slowly: the majority of the copies is a slow mode, and the
relaxation time grows roughly like :math:`(4p(1-p))^{-n/2}` (THEORY §6, item 2). Here
:math:`I_T = I(X^0; X^T)` is computed exactly, together with :math:`I(B; X^T)`, the
information the copies keep about the source itself.
"""

import matplotlib.pyplot as plt
import numpy as np

import natabs as na

p = 0.1
steps = np.unique(np.geomspace(1, 3000, 30).astype(int)).tolist()
steps = [0] + steps

fig, ax = plt.subplots(figsize=(6, 3.5))
for n in (3, 5, 7):
    s = na.systems.noisy_copies(n, p)
    curve = na.surviving_information(s, steps=steps, k=1)
    about = na.surviving_information(
        na.systems.noisy_copies(n, p, latent=True), steps=steps, k=1, about="source"
    )
    spec = na.spectrum(s, k=1)
    bits = np.asarray(curve.bits)
    assert abs(bits[0] - s.entropy()) < 1e-9  # I_0 = H(X)
    assert np.all(np.diff(bits) <= 1e-12)  # non-increasing in T
    assert np.all(np.asarray(about.bits) <= bits + 1e-9)  # I(B; X^T) <= I(X^0; X^T)
    assert spec.n_unit == 1  # one component: R = 0
    guess = (4 * p * (1 - p)) ** (-n / 2)
    # THEORY §6 item 2: the relaxation grows roughly like (4p(1-p))^(-n/2) sweeps
    assert 0.5 < (spec.relaxation_time / n) / guess < 2
    print(
        f"n={n}: t_rel = {spec.relaxation_time:8.1f} steps "
        f"({spec.relaxation_time / n:6.1f} sweeps), (4p(1-p))^(-n/2) = {guess:6.1f}; "
        f"I(B; X^T) at T = {steps[-1]}: {about.bits[-1]:.3f} bit"
    )
    ax.semilogx(np.array(steps[1:]) / n, about.bits[1:], marker=".", label=f"n = {n}")

# %%
# The slowest mode is the majority: the leading non-constant eigenfunction is almost
# perfectly correlated with it.

s = na.systems.noisy_copies(7, p)
modes = na.slow_modes(s, k=1, top=3)
majority = (s.states.sum(axis=1) > 3).astype(float)
corr = np.abs(modes.correlation(majority))
print(modes)
print("correlation of the three slowest modes with the majority:", np.round(corr, 4))
assert corr[0] > 0.99 and np.all(corr[1:] < 1e-9)
# the slowest mode's eigenvalue is the spectrum's second one: it sets the relaxation time
assert abs(1 / (1 - modes.eigenvalues[0]) - na.spectrum(s, k=1).relaxation_time) < 1e-6

ax.set_xlabel("sweeps")
ax.set_ylabel("$I(B; X^T)$ (bits)")
ax.set_title(f"Noisy copies (p = {p}): information about the source")
ax.legend()
fig.tight_layout()
