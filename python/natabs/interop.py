"""Conversions to and from other libraries' objects (currently ``dit``).

``dit`` is optional: install it with ``pip install "natabs[dit]"``. Functions here import it
only when called.

Examples
--------
>>> import natabs as na
>>> d = na.systems.copies(3).to_dit()
>>> na.System.from_dit(d).same_law(na.systems.copies(3))
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_system
from .errors import InvalidInputError
from .systems._support import System

__all__ = ["from_dit", "to_dit"]


def _import_dit() -> Any:
    try:
        import dit
    except ImportError:
        raise ImportError(
            'this needs the optional package dit; install it with: pip install "natabs[dit]"'
        ) from None
    return dit


def from_dit(distribution: Any) -> System:
    """A System from a joint ``dit.Distribution``.

    The values of variable ``i`` are numbered by their position in the distribution's
    alphabet for that variable (``distribution.alphabet[i]``, which dit keeps sorted), so a
    dit alphabet ``(0, 1, 2)`` maps to itself and ``('a', 'b')`` to ``0, 1``; the
    cardinality is the alphabet's size. Variable names come from dit's random-variable
    names when set. Outcomes of probability zero are dropped.

    Examples
    --------
    >>> import dit, natabs as na
    >>> na.System.from_dit(dit.Distribution(["00", "11"], [0.5, 0.5]))
    System(n=2, cards=(2, 2), support=2, names=('x0', 'x1'))
    """
    _import_dit()
    for attr in ("outcomes", "pmf", "alphabet"):
        if not hasattr(distribution, attr):
            raise TypeError(f"expected a dit.Distribution, got {type(distribution).__name__}")
    d = distribution.copy(base="linear")
    alphabet = d.alphabet
    if not isinstance(alphabet, tuple) or not all(isinstance(a, tuple) for a in alphabet):
        raise InvalidInputError("from_dit needs a joint distribution of several variables")
    index = [{v: j for j, v in enumerate(a)} for a in alphabet]
    rows, probs = [], []
    for outcome, p in zip(d.outcomes, np.asarray(d.pmf, dtype=np.float64)):
        if p > 0:
            rows.append([index[i][v] for i, v in enumerate(outcome)])
            probs.append(p)
    names = d.get_rv_names()
    names = None if names is None else [str(nm) for nm in names]
    return System(
        np.array(rows, dtype=np.int64).reshape(len(rows), len(alphabet)),
        probs,
        [len(a) for a in alphabet],
        names,
        normalize=True,
    )


def to_dit(system: System) -> Any:
    """The System as a ``dit.Distribution`` with integer outcomes and its variable names.

    Each variable's alphabet is ``range(card)``, so unused values are kept and
    ``from_dit(to_dit(s))`` gives back ``s``.

    Examples
    --------
    >>> import natabs as na
    >>> d = na.systems.copies(2).to_dit()
    >>> d.outcomes, d.get_rv_names()
    (((0, 0), (1, 1)), ('x0', 'x1'))
    """
    dit = _import_dit()
    from dit.samplespace import CartesianProduct

    check_system(system)
    outcomes = [tuple(int(v) for v in row) for row in system.states.tolist()]
    space = CartesianProduct([tuple(range(c)) for c in system.cards])
    return dit.Distribution(
        outcomes, system.probs.tolist(), rv_names=list(system.names), sample_space=space
    )
