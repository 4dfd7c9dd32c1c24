r"""
Relative coordinates make a shared bit synergistic
==================================================

Noisy copies :math:`X_i = B \oplus N_i` of a fair bit :math:`B` carry information about
:math:`B` *redundantly*: every copy alone knows :math:`1 - h(p)` bits, and any set of copies
that leaves one out still knows most of what the whole system does. Re-describe the system
in relative coordinates — the star map :math:`Y_0 = X_0`, :math:`Y_i = X_i \oplus X_0` — and
that changes (THEORY §5, failure 3): :math:`Y_i = N_i \oplus N_0` is independent of
:math:`B`, so each relative coordinate, and even all of them together, carry 0 bits about
the source. Yet together with :math:`Y_0` they add to what :math:`Y_0` knows alone: that
extra information is *synergistic*, held by no coordinate and by no set without the
reference.

All the numbers below are exact mutual informations, from marginal entropies of the joint
law (``System.marginal`` and ``System.entropy``); ``latent=True`` keeps :math:`B` as the
variable ``"source"``.
"""

import math

import matplotlib.pyplot as plt
import numpy as np

import natabs as na
from natabs import transforms as nt

n, p = 4, 0.1
x = na.systems.noisy_copies(n, p, latent=True)
star = nt.star_map(list(range(1, n)), ref=0)
y = star(x)
print(star, "->", y.names)


def info(system, variables):
    """I(source; variables) in bits, from entropies of marginals."""
    h = lambda vs: system.marginal(vs).entropy()  # noqa: E731
    value = h(["source"]) + h(variables) - h(["source", *variables])
    return max(value, 0.0)  # mutual information is >= 0; drop rounding noise like -4e-16


h_p = -p * math.log2(p) - (1 - p) * math.log2(1 - p)
single_x = [info(x, [f"x{i}"]) for i in range(n)]
single_y = [info(y, [f"x{i}"]) for i in range(n)]
rest = [f"x{i}" for i in range(1, n)]
everything = [f"x{i}" for i in range(n)]
rest_x, rest_y = info(x, rest), info(y, rest)
all_x, all_y = info(x, everything), info(y, everything)

print(f"1 - h(p) = {1 - h_p:.6f} bits")
for i in range(n):
    print(f"I(B; X_{i}) = {single_x[i]:.6f}   I(B; Y_{i}) = {single_y[i]:.6f}")
print(
    f"without coordinate 0:  I(B; X_1..X_{n - 1}) = {rest_x:.6f}   "
    f"I(B; Y_1..Y_{n - 1}) = {rest_y:.6f}"
)
print(f"all coordinates:       I(B; X) = {all_x:.6f}   I(B; Y) = {all_y:.6f}")
print(
    f"synergy: I(B; Y) - I(B; Y_0) = {all_y - single_y[0]:.6f} bits, "
    f"though I(B; Y_1..Y_{n - 1}) = 0"
)

# THEORY: each copy carries 1 - h(p); each relative coordinate, and all of them, carry 0;
# a bijection keeps the total.
assert np.allclose(single_x, 1 - h_p, atol=1e-12)
assert abs(single_y[0] - (1 - h_p)) < 1e-12
assert np.allclose(single_y[1:], 0.0, atol=1e-12)
assert abs(rest_y) < 1e-12 and rest_x > 1 - h_p
assert abs(all_x - all_y) < 1e-12 and star.is_bijective(x)
assert all_y - single_y[0] > 0.3

# %%
# Full support means :math:`R_k = 0` on both sides for every :math:`k \ge 1`: conserved
# information cannot tell the two descriptions apart, only the finite-time numbers and the
# mutual informations above can.

print([na.conserved_information(y, k=k) for k in range(1, n + 2)])

labels = ["coordinate 0", "one coordinate\ni ≥ 1", "all but\ncoordinate 0", "all"]
before = [single_x[0], single_x[1], rest_x, all_x]
after = [single_y[0], single_y[1], rest_y, all_y]
pos = np.arange(len(labels))
fig, ax = plt.subplots(figsize=(6.5, 3.8))
ax.bar(pos - 0.2, before, width=0.4, label="copies $X$")
ax.bar(pos + 0.2, after, width=0.4, label="relative coordinates $Y$ (star map)")
ax.axhline(1 - h_p, color="grey", lw=0.8, ls="--")
ax.text(2.2, 1 - h_p, "1 - h(p)", va="bottom", ha="center", fontsize="small")
ax.set_xticks(pos, labels)
ax.set_ylabel("I(B; coordinates)  (bits)")
ax.set_title(f"Noisy copies, n = {n}, p = {p}: information about the shared bit")
ax.legend(fontsize="small", loc="upper left")
fig.tight_layout()
