r"""
The majority of noisy copies as a natural latent
================================================

Take :math:`n` noisy copies :math:`X_i = B \oplus N_i` of a fair bit, with
:math:`N_i \sim \mathrm{Bernoulli}(p)`, and their majority :math:`M` as the latent
(THEORY §7). Given :math:`M` the copies are nearly independent (small mediation error
:math:`TC(X \mid M)`), and :math:`M` can be recovered from all copies but any one except
when those tie, so its leave-one-out redundancy error is exactly

.. math:: H(M \mid X_{-i}) = \binom{n-1}{(n-1)/2} \, (p(1-p))^{(n-1)/2} \text{ bits.}

Both errors fall exponentially with :math:`n`, faster for smaller :math:`p`: the majority
becomes a natural latent. No single copy determines it, though: the per-view conventions
(:math:`H(M \mid X_i)`, :math:`I(M; X_{-i} \mid X_i)`) stay large.
"""

from math import comb

import matplotlib.pyplot as plt

import natabs as na

ns = [3, 5, 7, 9, 11, 13]
ps = [0.05, 0.1, 0.2, 0.3]
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
for p in ps:
    med, red = [], []
    for n in ns:
        s = na.systems.noisy_copies(n, p).with_latent(
            lambda x, n=n: 2 * x.sum(axis=1) > n, name="M"
        )
        e = na.natural_latent_errors(s, "M")
        tie = comb(n - 1, (n - 1) // 2) * (p * (1 - p)) ** ((n - 1) // 2)
        assert abs(e.max_deterministic_redundancy - tie) < 1e-12
        med.append(e.mediation)
        red.append(e.max_redundancy)
    left.semilogy(ns, med, marker="o", label=f"p = {p}")
    right.semilogy(ns, red, marker="o", label=f"p = {p}")
left.set_title(r"mediation $TC(X \mid M)$")
right.set_title(r"redundancy $I(M; X_i \mid X_{-i}) = H(M \mid X_{-i})$")
for ax in (left, right):
    ax.set_xlabel("number of copies n")
left.set_ylabel("bits")
right.legend(fontsize="small")
fig.tight_layout()

# %%
# The numbers at :math:`n = 9`, :math:`p = 0.1` (all four redundancy conventions, per view;
# the copies are exchangeable so every view has the same value):

s = na.systems.noisy_copies(9, 0.1).with_latent(lambda x: x.sum(axis=1) >= 5, name="M")
e = na.natural_latent_errors(s, "M")
print(f"mediation                          {e.mediation:.6f} bits")
print(f"I(M; X_i | X_-i)   (stochastic)    {e.redundancy[0]:.6f} bits")
print(f"I(M; X_-i | X_i)   (strong)        {e.strong_redundancy[0]:.6f} bits")
print(f"H(M | X_-i)        (deterministic) {e.deterministic_redundancy[0]:.6f} bits")
print(f"H(M | X_i)         (per view)      {e.view_determinism[0]:.6f} bits")
print(f"C(8, 4) (p(1-p))^4 = {comb(8, 4) * 0.09**4:.6f}")
