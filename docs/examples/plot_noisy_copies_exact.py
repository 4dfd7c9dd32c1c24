r"""
Noisy copies: exact redundancy is brittle
=========================================

Conserved information depends only on the support of the law (THEORY §3): as soon as noise
gives every state positive probability, every single-site move is allowed and
:math:`R_k = 0` for every :math:`k \ge 1`, however small the noise. Take
:math:`X_i = B \oplus N_i` with :math:`N_i \sim \mathrm{Bernoulli}(p)`: at :math:`p = 0`
these are exact copies and :math:`R_1 = 1` bit; at any :math:`p > 0`, :math:`R_1 = 0`.

Yet the copies still *know* the bit: the information that the others carry about the
source, :math:`I(B; X_{-0})`, tends smoothly to 1 as :math:`p \to 0`. Exact conservation
misses this; it is what the finite-time and spectral measures are for (THEORY §4): the
majority of the copies is a slow mode, forgotten only after a time that grows like
:math:`(4p(1-p))^{-n/2}`.
"""

import matplotlib.pyplot as plt
import numpy as np

import natabs as na

n = 5


def information_about_source(s):
    """I(source; X_1..X_{n-1}) from the joint law with the source kept as a variable."""
    rest = [f"x{i}" for i in range(1, n)]
    h = lambda names: s.marginal(names).entropy()  # noqa: E731
    return h(["source"]) + h(rest) - h(["source", *rest])


ps = np.geomspace(1e-4, 0.45, 25)
r1, info = [], []
for p in ps:
    r1.append(na.conserved_information(na.systems.noisy_copies(n, p), k=1))
    info.append(information_about_source(na.systems.noisy_copies(n, p, latent=True)))
r1_exact = na.conserved_information(na.systems.copies(n), k=1)

print(f"p = 0 (exact copies): R_1 = {r1_exact:.3f} bit")
for p, r, i in list(zip(ps, r1, info))[::6]:
    print(f"p = {p:.4f}: R_1 = {r:.3f} bit, I(B; X_-0) = {i:.4f} bit")
assert r1_exact == 1.0 and max(r1) < 1e-12  # one component at every p > 0

# %%
# The support of the noisy system is all :math:`2^n` states at every :math:`p > 0`, so
# the move graph under single-site blocks is the connected hypercube:

s = na.systems.noisy_copies(n, 1e-4)
print(s, na.conserved(s, k=1))

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogx(ps, info, marker=".", label="$I(B; X_{-0})$, what the other copies know")
ax.semilogx(ps, r1, marker="o", label="$R_1$, exactly conserved")
ax.scatter(
    [ps[0] / 3],
    [r1_exact],
    marker="*",
    s=150,
    color="C1",
    zorder=3,
    label="$R_1$ at $p = 0$ (exact copies)",
)
ax.set_xlabel("noise p")
ax.set_ylabel("bits")
ax.set_ylim(-0.05, 1.1)
ax.set_title(f"{n} noisy copies of a bit")
ax.legend(fontsize="small")
fig.tight_layout()
