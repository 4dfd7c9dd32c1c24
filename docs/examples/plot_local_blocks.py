r"""
Local blocks: redundancy at a distance
======================================

Which information counts as redundant depends on which blocks may be resampled together.
Put a value :math:`A`, uniform on 4 values, at *both ends* of a path of 6 variables, with
independent fair bits in between. Against arbitrary pairs of variables the two copies are
one block away from being forgotten: :math:`R_2 = 0`. Against *local* blocks — connected
sets of the path, ``blocks.connected(graph, k)`` — no block reaches both ends until it
holds the whole path, and :math:`\log_2 4 = 2` bits survive for every :math:`k < 6`.
"""

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

import natabs as na

n = 6
pair = na.systems.coupled_pair(4, n)  # X_0 = X_1 = A, then n - 2 free bits
order = [0] + list(range(2, n)) + [1]  # move the second copy to the far end
s = na.System(np.asarray(pair.states)[:, order], pair.probs, [pair.cards[i] for i in order])
path = nx.path_graph(n)

ks = list(range(0, n + 1))
local = [
    na.conserved_information(s, blocks=na.blocks.connected(path, k)) if k else s.entropy()
    for k in ks
]
anywhere = [na.conserved_information(s, k=k) for k in ks]
print("k              ", ks)
print("R, local blocks", local)
print("R, all subsets ", anywhere)
assert np.allclose(local, [6.0, 2.0, 2.0, 2.0, 2.0, 2.0, 0.0], rtol=0, atol=1e-12)
assert np.allclose(anywhere, [6.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0], rtol=0, atol=1e-12)

# %%
# Local blocks of size 2 on the path are its 5 edges:

print(na.blocks.connected(path, 2))

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.step(ks, local, where="mid", marker="o", label="connected blocks of the path")
ax.step(ks, anywhere, where="mid", marker="s", ls="--", label="all k-subsets")
ax.set_xlabel("block size k")
ax.set_ylabel("conserved information (bits)")
ax.set_title("A value copied to both ends of a path")
ax.legend()
fig.tight_layout()
