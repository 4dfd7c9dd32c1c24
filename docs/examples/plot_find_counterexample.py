r"""
Finding a counterexample automatically
======================================

A natural conjecture: *a bijection acting on fewer than* :math:`k` *variables preserves*
:math:`R_k`. :func:`natabs.testing.find_counterexample` searches for a system and a
transformation that break a claim, with hypothesis, and shrinks what it finds. Here it
finds a counterexample with at most four binary variables — the CNOT on copies of a bit
from THEORY §5, failure 1, or one like it.
"""

import matplotlib.pyplot as plt

import natabs as na
from natabs import testing


def claim(system, transform, k):
    """R_k is preserved by every bijection on fewer than k variables (false)."""
    if transform.size >= k:
        return True
    return na.survives(system, transform, k=k).preserved


found = testing.find_counterexample(claim, seed=0)
print(found)
x, t, k = found.system, found.transform, found.k
assert x.n <= 4 and max(x.cards) == 2
r = na.survives(x, t, k=k)
print(r)
assert not r.preserved and t.size < k

ks = range(0, x.n + 1)
y = t(x)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.step(
    list(ks),
    [na.conserved_information(x, k=j) for j in ks],
    where="mid",
    marker="o",
    label="the system found",
)
ax.step(
    list(ks),
    [na.conserved_information(y, k=j) for j in ks],
    where="mid",
    marker="s",
    ls="--",
    label=f"after {t!r}",
)
ax.axvline(k, color="grey", lw=0.8)
ax.set_xlabel("block size k")
ax.set_ylabel("$R_k$ (bits)")
ax.set_title("A shrunk counterexample")
ax.legend(fontsize="small")
fig.tight_layout()
