r"""
Searching for a natural latent
==============================

:func:`natabs.find_natural_latent` optimises a stochastic latent :math:`P[\Lambda \mid X]`
with a given number of values for mediation + the sum over views of the leave-one-out
redundancy error (THEORY §7), and reports the baselines it is compared with: the constant
latent, a copy of each view, the component label of the move graph with blocks = views,
and the resampled latent. On 5 noisy copies of a bit the search finds a two-valued latent
better than the majority, a soft majority that hedges on the states where the copies
nearly tie. The resampled latent takes 32 values, so it does not bound a two-valued
search; it is shown for reference.
"""

import matplotlib.pyplot as plt
import numpy as np

import natabs as na

s = na.systems.noisy_copies(5, 0.1)
found = na.find_natural_latent(s, card=2, seed=0)
majority = na.natural_latent_errors(s.with_latent(lambda x: x.sum(axis=1) >= 3, name="M"), "M")
print(found)
rows = [
    (b.name + ("" if b.fits else f" ({b.card} values)"), b.objective)
    for b in found.baselines
    if b.name not in ("view 1", "view 2", "view 3", "view 4")
]
rows.append(("majority", majority.mediation + majority.redundancy.sum()))
rows.append(("found (2 values)", found.objective))
for name, value in rows:
    print(f"{name:>26}: mediation + sum of redundancy = {value:.4f} bits")
assert all(found.objective <= b.objective + 1e-12 for b in found.baselines if b.fits)

fig, ax = plt.subplots(figsize=(6.5, 3.4))
ax.barh([r[0] for r in rows], [r[1] for r in rows], color=["C7"] * (len(rows) - 2) + ["C1", "C2"])
ax.set_xlabel("mediation + Σ_i I(Λ; X_i | X_-i)   (bits)")
ax.set_title("5 noisy copies, p = 0.1 (view 0 stands for every copy)")
fig.tight_layout()

# %%
# The found latent, as :math:`P[\Lambda = 1 \mid x]` against the number of ones in
# :math:`x` (the copies are exchangeable, so the search finds a function of the count):

ones = s.states.sum(axis=1)
for k in range(6):
    print(f"{k} ones: P[latent = 1 | x] = {np.round(found.table[ones == k, 1], 3)}")

# %%
# A sweep over the latent's entropy (:func:`natabs.latent_pareto`): at each target
# :math:`H(\Lambda)` the search minimises the same objective with a penalty on the
# distance to the target. Low-entropy latents leave the copies correlated (high
# mediation); a full bit removes nearly all of it, at a price in redundancy error.

pareto = na.latent_pareto(s, card=2, levels=6, restarts=1, seed=0)
print(pareto)
print("target H  H(latent)  mediation  sum of redundancy")
for row in zip(pareto.target, pareto.latent_entropy, pareto.mediation, pareto.redundancy):
    print("   ".join(f"{v:7.4f}" for v in row))
pareto.plot()
