r"""
The CNOT counterexample and the sandwich bound
==============================================

Is redundant information at block size :math:`k` safe from maps that touch fewer than
:math:`k` variables? No. Four copies of a bit have :math:`R_3 = 1`; a CNOT on two of them
(control 0, target 1) turns :math:`\{0000, 1111\}` into :math:`\{0000, 1011\}` — three
copies — and :math:`R_3` drops to 0 (THEORY §5, failure 1).

What *is* true is the sandwich bound for a bijection on :math:`b` variables,
:math:`R_{k+b-1}(X) \le R_k(Y) \le R_{k-b+1}(X)`, here with :math:`b = 2`. The CNOT moves
:math:`R_3` exactly where :math:`R_j(X)` is not flat on :math:`[2, 4]`.
"""

import matplotlib.pyplot as plt

import natabs as na
from natabs import transforms as nt

x = na.systems.copies(4)
t = nt.cnot(0, 1)
y = t(x)
print(y.states)

ks = range(1, 5)
reports = [na.survives(x, t, k=k) for k in ks]
for k, r in zip(ks, reports):
    print(
        f"k={k}: R_k(X) = {r.before:g}, R_k(Y) = {r.after:g}, "
        f"bounds [{r.lower:g}, {r.upper:g}], preserved: {r.preserved}"
    )
    assert r.lower - 1e-12 <= r.after <= r.upper + 1e-12

assert [r.before for r in reports] == [1.0, 1.0, 1.0, 0.0]
assert [r.after for r in reports] == [1.0, 1.0, 0.0, 0.0]
assert [r.preserved for r in reports] == [True, True, False, True]

# %%
# The inverse of a CNOT is the same CNOT, so applied to :math:`Y` it *creates* a bit of
# redundancy at :math:`k = 3`:

print(
    "R_3 of Y and of its image:",
    na.conserved_information(y, k=3),
    na.conserved_information(t(y), k=3),
)

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.fill_between(
    list(ks),
    [r.lower for r in reports],
    [r.upper for r in reports],
    step="mid",
    alpha=0.25,
    label="sandwich bounds on $R_k(Y)$",
)
ax.step(list(ks), [r.before for r in reports], where="mid", marker="o", label="$R_k(X)$")
ax.step(
    list(ks),
    [r.after for r in reports],
    where="mid",
    marker="s",
    ls="--",
    label="$R_k(Y)$, after cnot(0, 1)",
)
ax.set_xticks(list(ks))
ax.set_xlabel("block size k")
ax.set_ylabel("bits")
ax.set_title("Four copies and one CNOT")
ax.legend(fontsize="small")
fig.tight_layout()
