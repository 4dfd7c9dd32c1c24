r"""
The 2D Ising model across the critical temperature
==================================================

On an :math:`L \times L` torus, below :math:`T_c = 2J/\ln(1 + \sqrt 2) \approx 2.269` the
sign of the magnetisation is (almost) a conserved quantity: it keeps about one bit for a
number of sweeps that grows with :math:`L`. Above :math:`T_c` it is forgotten within a few
sweeps (THEORY §6, item 6 — an expectation shown here by sampling).

Chains start from the model's law; the information kept by the sign after :math:`T`
sweeps is estimated from many independent chains, with a bootstrap interval.
Set ``NATABS_DOCS_FAST=1`` for a smaller run.
"""

import os

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

import natabs as na
from natabs import estimate

FAST = os.environ.get("NATABS_DOCS_FAST", "") not in ("", "0")
sizes = (8, 16) if FAST else (8, 16, 32)
chains = 300 if FAST else 1000
Tc = 2 / np.log(1 + np.sqrt(2))
temps = (0.8 * Tc, 1.2 * Tc)
sweeps = [0, 1, 3, 10, 30, 100]

fig, ax = plt.subplots(figsize=(6, 3.5))
for L in sizes:
    g = nx.grid_2d_graph(L, L, periodic=True)
    for temp, style in zip(temps, ("-", "--")):
        fg = na.FactorGraph.ising(g, beta=1 / temp)
        run = na.sample(fg, sweeps=sweeps, chains=chains, k=1, seed=0)  # API: run.states
        up = run.states.sum(axis=2, dtype=np.int64)
        sign = (2 * up > L * L).astype(np.uint8)           # ties count as "down"
        mi = [estimate.mutual_information(sign[0], sign[t]) for t in range(len(sweeps))]
        bits = [m.bits for m in mi]                         # API: .bits, .low, .high
        print(f"L={L:>2} T/Tc={temp / Tc:.1f}: "
              + " ".join(f"T={s}:{b:.2f}" for s, b in zip(sweeps, bits)))
        ax.plot(np.array(sweeps) + 1, bits, style, marker=".",
                label=f"L={L}, T={temp / Tc:.1f} Tc")

ax.set_xscale("log")
ax.set_xlabel("sweeps + 1")
ax.set_ylabel("I(sign at 0; sign at T) (bits)")
ax.set_title("2D Ising: the sign of the magnetisation")
ax.legend(fontsize="small", ncol=2)
fig.tight_layout()
