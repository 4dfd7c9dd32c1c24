r"""
Centre of mass: a shared drift, forgotten fast
==============================================

Particles on a line share an unknown offset :math:`\theta`: :math:`x_i = \theta + e_i`
with independent noise :math:`e_i`. In these coordinates every particle carries
:math:`\theta`, and single-site resampling forgets it slowly — each resampled particle is
pulled back by the others, about :math:`1 + (N-1)\tau^2/\sigma^2` sweeps for Gaussian
noise (:math:`\tau^2` the variance of :math:`\theta`, :math:`\sigma^2` that of the noise).
In centre-of-mass coordinates (the sum of the positions and the positions relative to
particle 0, :func:`natabs.transforms.center_of_mass`) the relative positions are
independent of :math:`\theta`; all the information sits in the sum, and is gone once the
sum has been resampled, after about one sweep (THEORY §5, failure 4).

The transformation is a bijection, so both descriptions start with the same information
about :math:`\theta`, and neither conserves any of it: only the finite-time numbers
:math:`I(\theta; X^T)`, computed here exactly with ``about="theta"``, tell them apart.
"""

import itertools

import matplotlib.pyplot as plt
import numpy as np

import natabs as na
from natabs import transforms as nt

N = 4  # particles
thetas = [0, 1, 2]  # the shared offset, uniform
noise = {0: 0.25, 1: 0.5, 2: 0.25}  # each particle's own displacement

rows, probs = [], []
for th in thetas:
    for e in itertools.product(noise, repeat=N):
        rows.append([th + ei for ei in e] + [th])
        probs.append(np.prod([noise[ei] for ei in e]) / len(thetas))
cards = [max(thetas) + max(noise) + 1] * N + [len(thetas)]
names = [f"x{i}" for i in range(N)] + ["theta"]
x = na.System(rows, probs, cards, names)

com = nt.center_of_mass([f"x{i}" for i in range(N)])
y = com(x)
print(x)
print(y)

steps = [0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64]
before = na.surviving_information(x, steps=steps, k=1, about="theta")
after = na.surviving_information(y, steps=steps, k=1, about="theta")
for s, a, b in zip(steps, before.bits, after.bits):
    print(f"T={s:>3} steps: I(theta; X^T) = {a:.4f}   in centre-of-mass coordinates: {b:.4f}")

assert abs(before.bits[0] - after.bits[0]) < 1e-9  # a bijection: same information at T=0
assert all(b <= a + 1e-12 for a, b in zip(before.bits[1:], after.bits[1:]))
# THEORY §5, failure 4: in centre-of-mass coordinates the information about theta dies in
# about one sweep (N steps); in the original ones it lasts several. Here the Gaussian
# estimate 1 + (N-1) tau^2 / sigma^2 gives 5 sweeps (tau^2 = 2/3, sigma^2 = 1/2).
one_sweep, four_sweeps = steps.index(N), steps.index(4 * N)
print(
    f"after one sweep:   {after.bits[one_sweep] / after.bits[0]:.1%} left in centre-of-mass "
    f"coordinates, {before.bits[one_sweep] / before.bits[0]:.1%} in the original ones"
)
print(
    f"after four sweeps: {after.bits[four_sweeps]:.1e} bit against {before.bits[four_sweeps]:.3f} bit"
)
assert after.bits[one_sweep] < 0.1 * after.bits[0] and before.bits[one_sweep] > 0.4 * before.bits[0]
assert before.bits[four_sweeps] > 0.1 * before.bits[0] > 100 * after.bits[four_sweeps]

# %%
# Neither description conserves anything about :math:`\theta`. Single-site moves leave the
# original positions one component (:math:`R_1 = 0`). In the new coordinates the sum moves
# freely, but a relative position can only change alone by a multiple of :math:`N` (with
# the sum fixed, particle 0 would otherwise move by a fraction), so the relative positions
# are almost all exactly conserved — an artefact of integer positions. They are
# independent of :math:`\theta`, though: what is conserved is not about the drift.

observed_x = [v for v in x.names if v != "theta"]
observed_y = [v for v in y.names if v != "theta"]
r_x = na.conserved_information(x.marginal(observed_x), k=1)
r_y = na.conserved_information(y.marginal(observed_y), k=1)
relative = observed_y[1:]
h = lambda s, names: s.marginal(names).entropy()  # noqa: E731
theta_vs_relative = h(y, ["theta"]) + h(y, relative) - h(y, ["theta", *relative])
print(
    f"R_1: {r_x:.3f} bit in the original coordinates, {r_y:.3f} bit in centre-of-mass ones "
    f"(H(relative positions) = {h(y, relative):.3f} bit); I(theta; relative) = {theta_vs_relative:.1e}"
)
assert r_x < 1e-12 and 5 < r_y <= h(y, relative) + 1e-9 and abs(theta_vs_relative) < 1e-9

fig, ax = plt.subplots(figsize=(6, 3.5))
sweeps = np.array(steps) / N
ax.plot(sweeps, before.bits, marker="o", label="positions")
ax.plot(sweeps, after.bits, marker="s", label="centre of mass + relative positions")
ax.set_xlabel("sweeps")
ax.set_ylabel(r"$I(\theta; X^T)$ (bits)")
ax.set_title(f"{N} particles with a shared offset")
ax.legend()
fig.tight_layout()
