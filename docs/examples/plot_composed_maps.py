r"""
Composed local maps: the difference map and prefix XOR
======================================================

On :math:`N` copies of a bit, the difference map :math:`Y_0 = X_0`,
:math:`Y_i = X_i \oplus X_{i-1}` is a chain of :math:`N - 1` neighbouring CNOTs — each
touches only two variables — yet it moves the whole bit into :math:`Y_0`:
:math:`Y = (B, 0, \dots, 0)` and :math:`R_k(Y) = 0` for every :math:`k \ge 1`
(THEORY §5, failure 2). The sandwich window of a composition widens by
:math:`\sum_j (b_j - 1) = N - 1`, so the bounds allow it.

Its inverse, the prefix XOR :math:`X_i = Y_0 \oplus \dots \oplus Y_i`, is *not* local:
changing :math:`Y_0` changes every :math:`X_i`. Its light cone is global, which is why
locality must be checked in both directions.
"""

import matplotlib.pyplot as plt

import natabs as na
from natabs import transforms as nt

N = 6
x = na.systems.copies(N)
v = list(range(N))
d = nt.difference_map(v)
y = d(x)
print(y.states)

ks = list(range(0, N + 1))
rx = [na.conserved_information(x, k=k) for k in ks]
ry = [na.conserved_information(y, k=k) for k in ks]
print("R_k(X):", rx)
print("R_k(Y):", ry)
assert rx == [1.0] * N + [0.0]
assert ry[0] == 1.0 and max(ry[1:]) < 1e-12

back = nt.prefix_xor(v)(y)
assert [na.conserved_information(back, k=k) for k in ks] == rx  # the round trip

# %%
# Light cones, on a full support (noisy copies) so that every nearby pair of states is
# present. ``inverse`` counts the Y-coordinates moved by flipping one X-coordinate;
# ``forward`` the X-coordinates moved by flipping one Y-coordinate.

noisy = na.systems.noisy_copies(N, 0.1)
cone_d = na.light_cone(noisy, d, k=1)
cone_p = na.light_cone(noisy, nt.prefix_xor(v), k=1)
print("difference map:", cone_d)
print("prefix XOR:    ", cone_p)
assert cone_d.inverse == 2 and cone_p.inverse == N  # local one way, global the other

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.step(ks, rx, where="mid", marker="o", label=f"{N} copies")
ax.step(ks, ry, where="mid", marker="s", ls="--", label="after the difference map")
ax.set_xlabel("block size k")
ax.set_ylabel("$R_k$ (bits)")
ax.set_title("A chain of local CNOTs removes all redundancy")
ax.legend()
fig.tight_layout()
