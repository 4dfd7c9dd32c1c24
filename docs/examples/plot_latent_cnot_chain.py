r"""
Does a natural latent survive a chain of CNOTs?
===============================================

Natural latents are meant to be stable across ontologies: re-describing the views should
not change which latent is natural. :func:`natabs.latent_survival` tests that on a given
map. Take the majority :math:`M` of 7 noisy copies (p = 0.1) and re-describe the copies
with maps of growing reach (THEORY §5):

- *local* maps, each acting inside one view (relabelling copies), leave every error
  unchanged;
- merging neighbouring copies into pairs (coarser views) keeps :math:`M` nearly natural
  (leaving out a pair hides two copies, so the redundancy error grows a little);
- a chain of :math:`k` neighbouring CNOTs, :math:`Y_i = X_i \oplus X_{i-1}` for
  :math:`i \le k` (the difference map on the first :math:`k + 1` copies), turns copies into
  differences that carry nothing about the source. Each CNOT is a map on two variables,
  yet the chain destroys the redundancy of :math:`M` step by step.
"""

import matplotlib.pyplot as plt

import natabs as na
from natabs import transforms as nt

n, p = 7, 0.1
s = na.systems.noisy_copies(n, p).with_latent(lambda x: 2 * x.sum(axis=1) > n, name="M")
names = [f"x{i}" for i in range(n)]

local = nt.Relabel("x0", [1, 0]) >> nt.Relabel("x3", [1, 0])
pairs = nt.Merge(["x0", "x1"]) >> nt.Merge(["x2", "x3"]) >> nt.Merge(["x4", "x5"])
for label, t in (("relabel two copies", local), ("merge into pairs", pairs)):
    r = na.latent_survival(s, "M", t)
    print(f"{label:>20}: {r}")

ks = list(range(n))
med, red, det = [], [], []
for k in ks:
    if k == 0:
        e = na.natural_latent_errors(s, "M")
    else:
        e = na.latent_survival(s, "M", nt.difference_map(names[: k + 1])).after
    med.append(e.mediation)
    red.append(e.max_redundancy)
    det.append(e.max_deterministic_redundancy)
    print(
        f"CNOT chain of length {k}: mediation {e.mediation:.4f}, "
        f"max I(M; Y_i | Y_-i) {e.max_redundancy:.4f}, max H(M | Y_-i) "
        f"{e.max_deterministic_redundancy:.4f}"
    )

fig, ax = plt.subplots(figsize=(6.5, 3.8))
ax.plot(ks, med, "o-", label=r"mediation $TC(Y \mid M)$")
ax.plot(ks, red, "s-", label=r"max$_i$ $I(M; Y_i \mid Y_{-i})$")
ax.plot(ks, det, "^--", label=r"max$_i$ $H(M \mid Y_{-i})$")
ax.set_xlabel("length k of the CNOT chain (difference map on k + 1 copies)")
ax.set_ylabel("bits")
ax.set_title(f"Majority of {n} noisy copies (p = {p}) after re-description")
ax.legend(fontsize="small")
fig.tight_layout()
