r"""
Copies: redundant information against block size
================================================

``n`` exact copies of one uniform variable carry its value redundantly: any ``k < n``
copies can be resampled together and the others put the value straight back. Once a block
can hold every copy, nothing stops the value from changing, and the conserved information
drops to zero (THEORY §6, item 1):

.. math::

   R_k = \log_2 c \quad (k < n), \qquad R_k = 0 \quad (k \ge n).

Here :math:`R_k` is computed exactly, as the entropy of the component label of the move
graph, for copies of a bit (:math:`c = 2`) and of a trit (:math:`c = 3`).
"""

import math

import matplotlib.pyplot as plt

import natabs as na

rows = {}
for n, card in [(2, 2), (4, 2), (6, 2), (4, 3)]:
    s = na.systems.copies(n, card=card)
    r = [na.conserved_information(s, k=k) for k in range(0, n + 1)]
    expected = [math.log2(card) if k < n else 0.0 for k in range(1, n + 1)]
    assert all(abs(a - b) < 1e-12 for a, b in zip(r[1:], expected))
    rows[f"copies({n}, card={card})"] = r
    print(f"{f'copies({n}, card={card})':<20}", " ".join(f"R_{k}={v:.3f}" for k, v in enumerate(r)))

# %%
# :math:`R_0 = H(X)` (nothing is resampled); :math:`R_k` stays at the entropy of one copy
# until :math:`k = n`, then falls to zero in one step. The component label is the shared
# value itself:

res = na.conserved(na.systems.copies(4), k=3)
print(res, "masses:", res.masses)

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
for label, r in rows.items():
    ax.plot(range(len(r)), r, marker="o", label=label)
ax.set_xlabel("block size k")
ax.set_ylabel("$R_k$ (bits)")
ax.set_title("Conserved information of exact copies")
ax.legend()
fig.tight_layout()
