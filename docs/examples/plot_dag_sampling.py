"""
A hidden cause and its noisy children: sampling a causal DAG
============================================================

A binary hidden cause ``H`` drives four children, each a noisy copy of it (it flips with
probability 0.1 or 0.2). We build the Bayesian network with
:meth:`natabs.FactorGraph.from_dag`, sample it with :func:`natabs.sample`, check the
sampled frequencies against the exact law (:meth:`~natabs.FactorGraph.to_system`), and then
ask how much the children still say about their hidden cause after ``T`` sweeps of
resampling, ``I(H; children at T)``, with :func:`natabs.sampled_surviving_information`
(``about="H"``): the cause never moves, the children are redrawn from their conditionals
given each other (``H`` summed out).

The children alone do not pin the cause down, so resampling them forgets it: the law of
the children has full support, and the conserved information is 0 (THEORY §3). Larger
blocks forget faster.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

import natabs as na

CHAINS = 20000
SWEEPS = [0, 1, 2, 3, 5, 8, 12, 20]

# %%
# The model
# ---------
# Each node carries ``cpd`` of shape ``(parent cards..., own card)``.

flip = {"c1": 0.1, "c2": 0.1, "c3": 0.2, "c4": 0.2}
G = nx.DiGraph([("H", c) for c in flip])
G.nodes["H"]["cpd"] = np.array([0.5, 0.5])
for c, p in flip.items():
    G.nodes[c]["cpd"] = np.array([[1 - p, p], [p, 1 - p]])
fg = na.FactorGraph.from_dag(G)
print(fg)

# %%
# Sampled frequencies against the exact law
# -----------------------------------------
# DAGs start from exact ancestral samples, and block-Gibbs sweeps leave the law unchanged,
# so at every sweep the frequencies of the joint states should match the exact
# probabilities, up to about ``1 / sqrt(chains)``.

exact = fg.to_system()
prob = np.zeros(fg.state_space_size())
prob[exact.codes.astype(np.int64)] = exact.probs
run = na.sample(fg, sweeps=[0, 20], chains=CHAINS, seed=0)
weights = 2 ** np.arange(fg.n)  # joint code, variable 0 least significant (as System codes)
for t, states in zip(run.sweeps, run.states):
    freq = np.bincount(states.astype(np.int64) @ weights, minlength=prob.size) / CHAINS
    print(
        f"sweep {t:2d}: max |frequency - probability| = {np.abs(freq - prob).max():.4f}"
        f"  (1/sqrt(chains) = {CHAINS**-0.5:.4f})"
    )

# %%
# What the children keep about their cause
# ----------------------------------------
# At ``T = 0`` the estimate should agree with the exact ``I(H; children)`` of the model.

children = list(flip)
h_children = exact.marginal(children).entropy(2)
i_exact = exact.marginal(["H"]).entropy(2) + h_children - exact.entropy(2)
print(f"exact I(H; children) = {i_exact:.4f} bits")

curves = {}
for k in (1, 2):
    curves[k] = na.sampled_surviving_information(
        fg, children, sweeps=SWEEPS, chains=CHAINS, k=k, seed=k, about="H"
    )

print("   T   " + "".join(f"   k={k}: bits  [95% interval]" for k in curves))
for i, t in enumerate(SWEEPS):
    print(
        f"{t:4d}   "
        + "".join(
            f"      {r.bits[i]:.3f}  [{r.low[i]:.3f}, {r.high[i]:.3f}]" for r in curves.values()
        )
    )

fig, ax = plt.subplots(figsize=(6, 4))
for k, r in curves.items():
    ax.errorbar(
        r.sweeps,
        r.bits,
        yerr=[r.bits - r.low, r.high - r.bits],
        marker="o",
        capsize=3,
        label=f"blocks of {k} child{'ren' if k > 1 else ''}",
    )
ax.axhline(i_exact, color="grey", ls="--", lw=1, label="exact I(H; children), T = 0")
ax.set(xlabel="sweeps T", ylabel="bits", title="I(H; children after T sweeps), 95% intervals")
ax.legend()
fig.tight_layout()
