"""Strategies for (system, latent) pairs and the natural-latent theorems of THEORY §7.

Every check takes a System holding the views and the latent(s) as variables, recomputes the
quantities with :func:`natabs.natural_latent_errors` (and plain entropies of marginals),
and raises an :class:`AssertionError` naming the numbers when a theorem fails.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..measures import natural_latent_errors
from ..measures._latents import group_entropies, resolve_views
from ..systems import System
from ._checks import TOLERANCE
from ._strategies import _int_arg, systems

__all__ = [
    "check_latent_ranges",
    "check_mediator_determines_redund",
    "check_natural_latents_isomorphic",
    "check_redundancy_conventions",
    "check_sum_rule",
    "latent_systems",
    "view_groups",
]


# -- strategies ---------------------------------------------------------------------------


def latent_systems(
    *,
    min_vars: int = 2,
    max_vars: int = 4,
    max_card: int = 3,
    max_support: int = 32,
    max_latent_card: int = 3,
    latents: int = 1,
    stochastic: bool | None = None,
) -> st.SearchStrategy[System]:
    """Small random systems with ``latents`` latent variables added last.

    The latents are named ``"L"`` (then ``"L1"``, ``"L2"``...). Each is either a random
    function of the support state (deterministic) or a random table ``P[L | x]`` with some
    zeros (stochastic); ``stochastic=True`` / ``False`` forces one kind. A later latent may
    depend on an earlier one.

    Examples
    --------
    >>> from hypothesis import find
    >>> from natabs import testing
    >>> s = find(testing.latent_systems(), lambda s: True)
    >>> s.names
    ('x0', 'x1', 'L')
    """
    min_vars = _int_arg(min_vars, "min_vars", 1)
    max_vars = _int_arg(max_vars, "max_vars", min_vars)
    max_latent_card = _int_arg(max_latent_card, "max_latent_card", 1)
    latents = _int_arg(latents, "latents", 1)
    if stochastic is not None and not isinstance(stochastic, bool):
        raise InvalidArgument(f"stochastic={stochastic!r} must be None or a bool")
    base = systems(min_vars=min_vars, max_vars=max_vars, max_card=max_card, max_support=max_support)

    @st.composite
    def draw(draw):
        s = draw(base)
        for j in range(latents):
            name = "L" if j == 0 else f"L{j}"
            card = draw(st.integers(1, max_latent_card))
            kind = draw(st.booleans()) if stochastic is None else stochastic
            if not kind:
                values = draw(st.lists(st.integers(0, card - 1), min_size=s.size, max_size=s.size))
                s = s.with_latent(np.asarray(values, dtype=np.int64), name=name, card=card)
            else:
                w = draw(
                    st.lists(st.integers(0, 4), min_size=s.size * card, max_size=s.size * card)
                )
                table = np.asarray(w, dtype=np.float64).reshape(s.size, card)
                table[table.sum(axis=1) == 0, 0] = 1.0
                s = s.with_latent(table / table.sum(axis=1, keepdims=True), name=name)
        return s

    return draw()


def view_groups(
    variables: Sequence[Any], *, min_views: int = 1
) -> st.SearchStrategy[list[list[Any]]]:
    """Random disjoint groups of ``variables`` (each used at most once, at least ``min_views``).

    Examples
    --------
    >>> from hypothesis import find
    >>> from natabs import testing
    >>> find(testing.view_groups(["a", "b", "c"], min_views=2), lambda v: True)
    [['a', 'b'], ['c']]
    """
    items = list(variables)
    min_views = _int_arg(min_views, "min_views", 1)
    if min_views > len(items):
        raise InvalidArgument(f"min_views={min_views} exceeds the {len(items)} variables")

    @st.composite
    def draw(draw):
        m = draw(st.integers(min_views, len(items)))
        # Label m leaves a variable out; everything shrinks into view 0.
        labels = draw(st.lists(st.integers(0, m), min_size=len(items), max_size=len(items)))
        for j in range(m):  # every view gets at least one variable
            if j not in labels:
                free = [i for i, a in enumerate(labels) if labels.count(a) > 1 or a == m]
                labels[free[-1]] = j
        return [[v for v, a in zip(items, labels) if a == j] for j in range(m)]

    return draw()


# -- checks -------------------------------------------------------------------------------


def _slack(*values: float) -> float:
    return TOLERANCE * max(1.0, *map(abs, values))


def _h(system: System, *groups: Sequence[int]) -> float:
    """Joint entropy in bits of the union of some index groups."""
    s = sorted({v for g in groups for v in g})
    return float(group_entropies(system, [s])[0]) / math.log(2)


def check_latent_ranges(system: System, latent: Any, views: Any = None) -> None:
    """Every error lies in its range: ``0 <= redundancy <= H(Λ | X_{-i}) <= H(Λ)``, etc.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import testing
    >>> testing.check_latent_ranges(na.resampled_latent(na.systems.noisy_copies(3, 0.2)), "resampled")
    """
    e = natural_latent_errors(system, latent, views=views)
    h = e.latent_entropy
    for name in ("redundancy", "strong_redundancy", "deterministic_redundancy", "view_determinism"):
        a = getattr(e, name)
        assert np.all(a >= 0) and np.all(a <= h + _slack(h)), (
            f"{name} = {a} outside [0, H(L) = {h}]"
        )
    assert np.all(e.redundancy <= e.deterministic_redundancy + _slack(h)), e
    assert np.all(e.strong_redundancy <= e.view_determinism + _slack(h)), e
    assert e.mediation >= 0, e


def check_redundancy_conventions(system: System, latent: Any, views: Any = None) -> None:
    """The relations between the four redundancy conventions (THEORY §7).

    ``(1) = (3) - H(Λ | X)``, ``(2) = (4) - H(Λ | X)``, ``(3)_i <= (4)_j`` for ``j != i``;
    with two views, ``(2)`` of one view is ``(1)`` of the other.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import testing
    >>> s = na.systems.noisy_copies(3, 0.1).with_latent(lambda x: x.sum(axis=1) >= 2, name="M")
    >>> testing.check_redundancy_conventions(s, "M")
    """
    e = natural_latent_errors(system, latent, views=views)
    tol = _slack(e.latent_entropy, len(e.views))
    noise = e.latent_noise
    d1 = np.abs(e.redundancy - (e.deterministic_redundancy - noise))
    assert np.all(d1 <= tol), (
        f"(1) != (3) - H(L|X): {e.redundancy} vs {e.deterministic_redundancy} - {noise}"
    )
    d2 = np.abs(e.strong_redundancy - (e.view_determinism - noise))
    assert np.all(d2 <= tol), (
        f"(2) != (4) - H(L|X): {e.strong_redundancy} vs {e.view_determinism} - {noise}"
    )
    m = len(e.views)
    for i, j in itertools.permutations(range(m), 2):
        assert e.deterministic_redundancy[i] <= e.view_determinism[j] + tol, (
            f"H(L | X_-{i}) = {e.deterministic_redundancy[i]} > H(L | X_{j}) = {e.view_determinism[j]}"
        )
    if m == 2:
        for i in range(2):
            assert abs(e.strong_redundancy[i] - e.redundancy[1 - i]) <= tol, (
                f"two views: strong redundancy of view {i} {e.strong_redundancy[i]} != "
                f"redundancy of view {1 - i} {e.redundancy[1 - i]}"
            )


def _conditional_mi(system: System, a: Sequence[int], b: Sequence[int], c: Sequence[int]) -> float:
    """I(A; B | C) in bits."""
    return _h(system, a, c) + _h(system, b, c) - _h(system, a, b, c) - _h(system, c)


def check_mediator_determines_redund(
    system: System, mediator: Any, redund: Any, views: Any = None
) -> None:
    """``H(Λ' | Λ) <= I(X_A; X_B | Λ) + H(Λ' | X_A) + H(Λ' | X_B) <= ε_med(Λ) + 2 max_i H(Λ' | X_i)``.

    For every split of the views into two disjoint non-empty unions ``A`` and ``B``
    (THEORY §7); at least two views (with one, a constant mediates trivially and the
    bound fails). ``views`` must avoid both latents.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import testing
    >>> s = na.systems.noisy_copies(3, 0.1).with_latent(lambda x: x.sum(axis=1) >= 2, name="M")
    >>> s = s.with_latent(lambda x: x[:, 0], name="copy")
    >>> testing.check_mediator_determines_redund(s, "M", "copy", views=["x0", "x1", "x2"])
    """
    lam, lam2 = system.index(mediator), system.index(redund)
    vs = resolve_views(
        system,
        lam,
        views if views is not None else [i for i in range(system.n) if i not in (lam, lam2)],
    )
    if any(lam2 in v for v in vs):
        raise ValueError("views must not contain the redund")
    e_med = natural_latent_errors(system, lam, views=[list(v) for v in vs]).mediation
    e_red = natural_latent_errors(system, lam2, views=[list(v) for v in vs]).max_view_determinism
    lhs = _h(system, [lam, lam2]) - _h(system, [lam])
    outer = e_med + 2 * e_red
    tol = _slack(lhs, outer)
    m = len(vs)
    if m < 2:
        raise ValueError(f"the theorem splits the views in two: it needs at least 2, got {m}")
    for r in range(1, m):
        for a_idx in itertools.combinations(range(m), r):
            a = [v for i in a_idx for v in vs[i]]
            b = [v for i in range(m) if i not in a_idx for v in vs[i]]
            cmi = _conditional_mi(system, a, b, [lam])
            mid = (
                cmi
                + (_h(system, a, [lam2]) - _h(system, a))
                + (_h(system, b, [lam2]) - _h(system, b))
            )
            assert lhs <= mid + tol, f"H(L'|L) = {lhs} > {mid} for A = {a}, B = {b}"
            assert cmi <= e_med + tol, f"I(X_A; X_B | L) = {cmi} > mediation {e_med}"
            assert mid <= outer + tol, f"{mid} > mediation + 2 max H(L'|X_i) = {outer}"


def check_natural_latents_isomorphic(
    system: System, first: Any, second: Any, views: Any = None
) -> None:
    """Two latents determine each other up to their errors, both ways (THEORY §7).

    ``H(Λ' | Λ) <= ε_med(Λ) + 2 max_i H(Λ' | X_i)`` and the same with the roles swapped.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import testing
    >>> s = na.systems.copies(3).with_latent(lambda x: x[:, 0], name="a")
    >>> s = s.with_latent(lambda x: 1 - x[:, 1], name="b")
    >>> testing.check_natural_latents_isomorphic(s, "a", "b", views=["x0", "x1", "x2"])
    """
    check_mediator_determines_redund(system, first, second, views)
    check_mediator_determines_redund(system, second, first, views)


def check_sum_rule(system: System, latent: Any, views: Any = None) -> None:
    """Two views: ``I(X_1; X_2 | Λ) + I(Λ; X_2) = I(X_1; X_2) + I(Λ; X_2 | X_1)``.

    The left's first term is the mediation error, the right's last the redundancy of view 2
    (THEORY §7).

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import testing
    >>> s = na.systems.noisy_copies(2, 0.2).with_latent(lambda x: x[:, 0], name="L")
    >>> testing.check_sum_rule(s, "L")
    """
    e = natural_latent_errors(system, latent, views=views)
    if len(e.views) != 2:
        raise ValueError(f"the sum rule is for two views, got {len(e.views)}")
    lam = system.index(latent)
    x1, x2 = (system.indices(v) for v in e.views)
    i_l2 = _h(system, [lam]) + _h(system, x2) - _h(system, [lam], x2)
    i_12 = _h(system, x1) + _h(system, x2) - _h(system, x1, x2)
    lhs, rhs = e.mediation + i_l2, i_12 + e.redundancy[1]
    assert abs(lhs - rhs) <= _slack(lhs, rhs), f"sum rule: {lhs} != {rhs}"
