"""
2D Ising: the sign of the magnetisation is a natural abstraction below T_c
==========================================================================

Resample the spins of an ``L × L`` periodic Ising lattice one at a time (heat bath) and ask
how much the *sign of the magnetisation* at time 0 still says about the sign after ``t``
sweeps: ``I(sign m(X^0); sign m(X^t))``. Exactly, the conserved information is 0 at any
finite temperature (the law has full support, THEORY §3), so only finite-time numbers can
tell the phases apart (THEORY §6 item 6):

- below ``T_c = 2 / ln(1 + √2) ≈ 2.269`` the sign keeps about 1 bit for a time that grows
  with ``L`` (flipping the whole magnetisation needs a domain wall across the lattice);
- above ``T_c`` it is forgotten within a few sweeps, whatever ``L``.

The estimate needs ``X^0`` drawn from the law. Every chain starts ordered with a random
sign and burns in: below ``T_c`` that is the right mixture of the two phases, above it the
order melts during the burn-in, and near ``T_c`` the burn-in may be too short (the
relaxation time grows like ``L^2``). So each run is checked: the size of the
magnetisation, ``|m|``, recorded every 8 sweeps, must be stationary over the 256 sweeps
shown: no drift of its distribution between the two halves (nested R̂ at most 1.01) and
chains that move (``mixed``, :func:`natabs.sampling.diagnose`), and an autocorrelation
time that the run resolves (``resolved``: the autocorrelation of ``|m|`` falls to noise
within the 256 sweeps; otherwise the printed ``τ`` is only a lower bound, resolved to the
8-sweep spacing). Runs that fail either check are printed with the reason but left out of
the figure. (Lattices up to ``L = 24`` and 128 sweeps of burn-in keep the example fast;
the diagnostics say which runs that leaves short, and near ``T_c`` the largest lattice
is one.) The sign itself is *expected* not to mix below ``T_c``: that is the
information we measure, so the warning that ``sample`` gives for it is silenced here.
"""

import math
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import natabs as na
from natabs.errors import NotMixedWarning
from natabs.estimate import mutual_information
from natabs.sampling import diagnose

T_C = 2 / math.log(1 + math.sqrt(2))
SIZES = [8, 16, 24]
TEMPS = [1.8, 2.1, T_C, 2.5, 3.0]
SWEEPS = [0, 1, 4, 16, 64, 256]  # where the information is shown
RECORD = sorted({1, 4, *range(0, 257, 8)})  # |m| every 8 sweeps, for the diagnostics
EVEN = [RECORD.index(t) for t in range(0, 257, 8)]
CHAINS = 300
BURN_IN = 128


def run(L, T, seed):
    """Sign information at each sweep t > 0 (estimates with 95% intervals), and the
    diagnostics of |m| that say whether the chains were in equilibrium."""
    fg = na.FactorGraph.ising_lattice(L, beta=1 / T)
    up = np.random.default_rng(seed).integers(0, 2, CHAINS)
    init = np.repeat(up[:, None], L * L, axis=1)  # ordered, random sign
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotMixedWarning)  # the sign is meant to stick
        m = na.sample(
            fg, RECORD, chains=CHAINS, seed=seed, init=init, burn_in=BURN_IN, record="magnetization"
        ).values
    sign = np.sign(m).astype(int)  # 0 for an exact tie
    est = [mutual_information(sign[0], sign[RECORD.index(t)], seed=seed + t) for t in SWEEPS[1:]]
    return est, diagnose(np.abs(m[EVEN]), [RECORD[i] for i in EVEN])


results = {}
for L in SIZES:
    for k, T in enumerate(TEMPS):
        results[L, T] = run(L, T, seed=100 * L + k)


def verdict(diag):
    """'' for an equilibrated run (mixed and resolved), else why it is left out."""
    why = []
    if not diag.mixed:
        why.append(f"not mixed (nested R-hat {diag.nrhat:.3f}, frozen {diag.frozen:.0%})")
    if not diag.resolved:
        why.append(f"not resolved (tau >= {diag.tau:.0f} sweeps is a lower bound)")
    return "; ".join(why)


def equilibrated(L, T):
    return not verdict(results[L, T][1])


print(f"I(sign m(X^0); sign m(X^t)) in bits, {CHAINS} chains, T_c = {T_C:.3f}")
print(
    "   L     T  "
    + "".join(f"  t={t:<5d}" for t in SWEEPS[1:])
    + "   R-hat  nR-hat  tau(|m|)  equilibrated"
)
for (L, T), (est, diag) in results.items():
    assert all(0 <= e.low <= e.bits <= e.high <= math.log2(3) for e in est)
    why = verdict(diag)
    print(
        f"{L:4d} {T:5.2f}  "
        + "".join(f"  {e.bits:7.3f}" for e in est)
        + f"  {diag.rhat:6.3f}  {diag.nrhat:6.3f}  {diag.tau:8.1f}  "
        + (f"NO, left out: {why}" if why else "yes")
    )

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
t_show = SWEEPS[-1]
for L in SIZES:
    temps = [T for T in TEMPS if equilibrated(L, T)]
    last = [results[L, T][0][-1] for T in temps]
    bits = np.array([e.bits for e in last])
    left.errorbar(
        temps,
        bits,
        yerr=[bits - [e.low for e in last], [e.high for e in last] - bits],
        marker="o",
        ls="none",
        capsize=3,
        label=f"L = {L}",
    )  # no line across gaps
    for T in (1.8, 3.0):
        est, diag = results[L, T]
        if equilibrated(L, T):
            b = np.array([e.bits for e in est])
            yerr = [b - [e.low for e in est], [e.high for e in est] - b]
            right.errorbar(
                SWEEPS[1:],
                b,
                yerr=yerr,
                marker="o" if T < T_C else "s",
                capsize=3,
                label=f"L = {L}, T = {T}",
            )
left.axvline(T_C, color="grey", ls="--", lw=1)
left.set(
    xlabel="temperature T",
    ylabel="bits",
    title=f"information kept after t = {t_show} sweeps (equilibrated runs)",
)
right.set(
    xscale="log",
    xlabel="sweeps t",
    ylabel="bits",
    title="below T_c the sign is kept; above, forgotten",
)
for ax in (left, right):
    ax.set_ylim(-0.05, 1.1)
    ax.legend(fontsize=8)
fig.tight_layout()
