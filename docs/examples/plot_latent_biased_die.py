r"""
The biased die
==============

The running example of the natural-latents paper: a die is drawn from a few candidates
(here fair, loaded towards six, loaded towards one), then rolled :math:`n` times. The rolls
are independent given the die, so the die's identity :math:`\Theta` mediates them exactly;
it is redundant only approximately, since a few rolls cannot always tell the dice apart.
As :math:`n` grows, :math:`H(\Theta \mid X_{-i})` and :math:`I(\Theta; X_i \mid X_{-i})` fall
towards 0 — the die becomes a natural latent — while a single roll never determines it
(:math:`H(\Theta \mid X_i)` stays at the same value).

The maximum-a-posteriori estimate of the die from all the rolls, a deterministic latent,
sits elsewhere on the trade-off: it is recovered from the other rolls better than the die
itself (smaller :math:`H(\cdot \mid X_{-i})`), and pays for it with a mediation error,
since the rolls are not independent given an estimate.
"""

import matplotlib.pyplot as plt
import numpy as np

import natabs as na

dice = np.array(
    [
        [1, 1, 1, 1, 1, 1],  # fair
        [1, 1, 1, 1, 1, 10],  # loaded towards six
        [10, 1, 1, 1, 1, 1],  # loaded towards one
    ],
    dtype=float,
)
dice /= dice.sum(axis=1, keepdims=True)
prior = np.full(len(dice), 1 / len(dice))


def die_system(n):
    """Rolls x0..x{n-1} and the die "theta" as a System (6**n * 3 states)."""
    codes = np.arange(6**n, dtype=np.uint64)
    rolls = (codes[:, None] // (6 ** np.arange(n, dtype=np.uint64))) % 6
    logp = np.log(dice)[:, rolls.astype(np.intp)].sum(axis=2)  # (dice, states)
    probs = (prior[:, None] * np.exp(logp)).ravel()
    all_codes = (codes[None, :] + np.arange(len(dice), dtype=np.uint64)[:, None] * 6**n).ravel()
    names = [f"x{i}" for i in range(n)] + ["theta"]
    return na.System.from_codes(all_codes, probs, [6] * n + [len(dice)], names, normalize=True)


ns = [1, 2, 3, 4, 5, 6, 7]
rows = []
for n in ns:
    s = die_system(n)
    views = [f"x{i}" for i in range(n)]
    e = na.natural_latent_errors(s, "theta", views=views)
    rolls = s.states[:, :n].astype(np.intp)
    post = np.log(dice)[:, rolls].sum(axis=2)  # log P(rolls | die)
    m = s.with_latent(post.argmax(axis=0), name="map", card=len(dice))
    f = na.natural_latent_errors(m, "map", views=views)
    rows.append(
        (
            e.mediation,
            e.max_redundancy,
            e.max_deterministic_redundancy,
            e.max_view_determinism,
            f.mediation,
            f.max_deterministic_redundancy,
        )
    )
    print(
        f"n = {n}: theta: mediation {e.mediation:.3g}, I(theta; X_i | X_-i) "
        f"{e.max_redundancy:.4f}, H(theta | X_-i) {e.max_deterministic_redundancy:.4f}, "
        f"H(theta | X_i) {e.max_view_determinism:.4f}; MAP: mediation {f.mediation:.4f}, "
        f"H(MAP | X_-i) {f.max_deterministic_redundancy:.4f}"
    )
rows = np.array(rows)
assert np.all(rows[:, 0] < 1e-12)  # the die mediates the rolls exactly

fig, ax = plt.subplots(figsize=(6.5, 3.8))
ax.plot(ns, rows[:, 2], "o-", label=r"$H(\Theta \mid X_{-i})$")
ax.plot(ns, rows[:, 1], "s-", label=r"$I(\Theta; X_i \mid X_{-i})$")
ax.plot(ns, rows[:, 3], "^-", label=r"$H(\Theta \mid X_i)$")
ax.plot(ns, rows[:, 4], "d--", label="mediation of the MAP estimate")
ax.plot(ns, rows[:, 5], "x--", label=r"$H(\mathrm{MAP} \mid X_{-i})$")
ax.set_xlabel("number of rolls n")
ax.set_ylabel("bits")
ax.set_title("Which die? Errors of the die and of its estimate")
ax.legend(fontsize="small")
fig.tight_layout()
