"""Figures for natabs results (matplotlib, optional: ``pip install "natabs[plot]"``).

matplotlib is imported inside each function, so ``import natabs.plot`` never needs it.
Every function draws on ``ax`` (a new figure's Axes when omitted) and returns the Axes.
Inputs are duck-typed on the attributes they read, so any result with the same fields
plots.

Examples
--------
>>> import matplotlib; matplotlib.use("Agg")
>>> import natabs as na
>>> ax = na.plot.redundancy_vs_k({"copies(4)": na.systems.copies(4),
...                               "parity(4)": na.systems.parity(4)})
>>> ax.get_xlabel()
'k (block size)'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["redundancy_vs_k", "curve", "spectrum", "survival"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            'natabs.plot needs matplotlib; install it with: pip install "natabs[plot]"'
        ) from None
    return plt


def _axes(ax: Any) -> Any:
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _labelled(
    items: Any, labels: Sequence[str] | None, single: tuple[str, ...]
) -> list[tuple[str, Any]]:
    """``[(label, item)]`` from one item, a sequence or a mapping label -> item."""
    if isinstance(items, Mapping):
        pairs = [(str(k), v) for k, v in items.items()]
    elif all(hasattr(items, a) for a in single):
        pairs = [("", items)]
    else:
        pairs = [("", v) for v in items]
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(pairs):
            raise ValueError(f"{len(labels)} labels given for {len(pairs)} items")
        pairs = [(lab, v) for lab, (_, v) in zip(labels, pairs)]
    return pairs


def redundancy_vs_k(
    systems: Any, ks: Iterable[int] | None = None, ax: Any = None, *, base: float = 2
) -> Any:
    """Conserved information ``R_k`` against the block size ``k``.

    Parameters
    ----------
    systems : System or mapping of label to System
    ks : iterable of int, optional
        Block sizes; ``0 .. n`` by default.
    ax : matplotlib Axes, optional

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import natabs as na
    >>> ax = na.plot.redundancy_vs_k(na.systems.copies(3), ks=[1, 2, 3])
    >>> ax.lines[0].get_ydata().tolist()
    [1.0, 1.0, 0.0]
    """
    from .measures._conserved import conserved_information
    from .systems._support import System

    ax = _axes(ax)
    pairs = (
        [("", systems)]
        if isinstance(systems, System)
        else [(str(k), v) for k, v in systems.items()]
    )
    for label, s in pairs:
        kk = list(range(s.n + 1)) if ks is None else [int(k) for k in ks]
        r = [conserved_information(s, k=k, base=base) for k in kk]
        ax.plot(kk, r, marker="o", label=label or None)
    ax.set_xlabel("k (block size)")
    ax.set_ylabel("R_k (bits)" if base == 2 else f"R_k (log base {base})")
    if any(label for label, _ in pairs):
        ax.legend()
    return ax


def curve(curves: Any, ax: Any = None, labels: Sequence[str] | None = None) -> Any:
    """Surviving information ``I_T`` against the number of steps ``T`` (log-scaled axis).

    ``curves`` is one curve, a sequence of them or a mapping label -> curve; a curve is any
    object with ``steps`` and ``bits`` (and optionally ``stderr``, drawn as error bars).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from types import SimpleNamespace
    >>> import natabs as na
    >>> c = SimpleNamespace(steps=[0, 1, 10], bits=[3.0, 2.0, 1.0], stderr=None)
    >>> ax = na.plot.curve({"noisy": c})
    >>> ax.get_xscale(), ax.lines[0].get_ydata().tolist()
    ('symlog', [3.0, 2.0, 1.0])
    """
    ax = _axes(ax)
    pairs = _labelled(curves, labels, ("steps", "bits"))
    for label, c in pairs:
        steps = np.asarray(c.steps, dtype=float)
        bits = np.asarray(c.bits, dtype=float)
        err = getattr(c, "stderr", None)
        if err is not None and np.size(err) == bits.size:
            ax.errorbar(
                steps,
                bits,
                yerr=np.asarray(err, dtype=float),
                marker="o",
                capsize=2,
                label=label or None,
            )
        else:
            ax.plot(steps, bits, marker="o", label=label or None)
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlabel("T (resampling steps)")
    ax.set_ylabel("I(X^0; X^T) (bits)")
    if any(label for label, _ in pairs):
        ax.legend()
    return ax


def spectrum(spec: Any, ax: Any = None) -> Any:
    """Eigenvalues of the resampling kernel in descending order against their rank.

    ``spec`` is any object with ``eigenvalues``; eigenvalue 1 (conserved modes) is marked by
    a dashed line.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from types import SimpleNamespace
    >>> import natabs as na
    >>> ax = na.plot.spectrum(SimpleNamespace(eigenvalues=[1.0, 0.9, 0.5]))
    >>> ax.lines[0].get_ydata().tolist()
    [1.0, 0.9, 0.5]
    """
    ax = _axes(ax)
    ev = np.sort(np.asarray(spec.eigenvalues, dtype=float))[::-1]
    ax.plot(np.arange(1, ev.size + 1), ev, marker="o", linestyle="none")
    ax.axhline(1.0, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xlabel("rank j")
    ax.set_ylabel("eigenvalue λ_j")
    return ax


def survival(table_or_rows: Any, ax: Any = None, *, horizontal: bool | None = None) -> Any:
    """``R_k`` before and after a transformation, with the proven bounds on ``after``.

    Accepts one row, an iterable of rows, or a table with a ``rows`` attribute; a row is any
    object with ``before``, ``after``, ``lower``, ``upper`` and ``k`` (a ``label``,
    ``transform`` or ``system`` attribute, when present, names it on the axis).

    Parameters
    ----------
    table_or_rows : SurvivalTable, Survival or iterable of rows
    ax : matplotlib Axes, optional
    horizontal : bool, optional
        One row of the chart per row of data, its name written on the left (legible for
        many rows or long names); default: horizontal when there are more than 6 rows or
        a name is longer than 16 characters.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from types import SimpleNamespace
    >>> import natabs as na
    >>> row = SimpleNamespace(before=1.0, after=0.0, lower=0.0, upper=1.0, k=3, label="cnot")
    >>> ax = na.plot.survival([row])
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['cnot, k=3']
    >>> ax = na.plot.survival([row] * 8)          # many rows: names on the left, first on top
    >>> ax.get_yticklabels()[0].get_text(), bool(ax.yaxis_inverted())
    ('cnot, k=3', True)
    """
    ax = _axes(ax)
    rows = getattr(table_or_rows, "rows", table_or_rows)
    if all(hasattr(rows, a) for a in ("before", "after")):
        rows = [rows]
    rows = list(rows)
    x = np.arange(len(rows))
    get = lambda a: np.array([float(getattr(r, a)) for r in rows])  # noqa: E731
    before, after, lower, upper = get("before"), get("after"), get("lower"), get("upper")
    names = []
    shared = getattr(table_or_rows, "transform", None)
    if shared is not None:
        ax.set_title(str(shared))  # a table: every row has this transformation
    for i, r in enumerate(rows):
        if shared is not None:
            names.append(f"k={r.k}")
            continue
        name = next(
            (str(getattr(r, a)) for a in ("label", "transform", "system") if hasattr(r, a)), str(i)
        )
        names.append(f"{name}, k={r.k}")
    if horizontal is None:
        horizontal = len(rows) > 6 or max(map(len, names), default=0) > 16
    if horizontal:
        ax.hlines(x, lower, upper, color="lightgrey", linewidth=6, label="bounds on after")
        ax.plot(before, x - 0.12, "o", label="before")
        ax.plot(after, x + 0.12, "s", label="after")
        ax.set_yticks(x, names)
        ax.tick_params(axis="y", labelsize="small")
        ax.set_ylim(len(rows) - 0.5, -0.5)  # first row on top, as in a printed table
        ax.set_xlabel("R_k (bits)")
        ax.grid(axis="y", color="0.93")
        # below the axes, clear of every row
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.06 - 0.5 / max(len(rows), 4)),
            ncol=3,
            fontsize="small",
            frameon=False,
        )
        return ax
    ax.vlines(x, lower, upper, color="lightgrey", linewidth=6, label="bounds on after")
    ax.plot(x - 0.1, before, "o", label="before")
    ax.plot(x + 0.1, after, "s", label="after")
    ax.set_xticks(
        x, names, rotation=30 if len(rows) > 3 else 0, ha="right" if len(rows) > 3 else "center"
    )
    ax.set_ylabel("R_k (bits)")
    ax.legend()
    return ax
