"""The shrinking search for a counterexample to a claim about (system, transform, k)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample

from .. import transforms as _t
from .._results import Result
from ..measures import conserved_information
from ..systems import System
from ._strategies import _int_arg, compositions, systems

__all__ = ["Counterexample", "find_counterexample"]


@dataclass(frozen=True, repr=False)
class Counterexample(Result):
    """A (system, transform, k) that breaks a claim, as small as hypothesis could shrink it.

    Attributes
    ----------
    system : System
    transform : Transform
    k : int
    before, after : float
        ``R_k`` of the system and of its image, for the reader.
    """

    system: System
    transform: _t.Transform
    k: int
    before: float
    after: float

    # The support itself, row by row: the point of a counterexample is to be read.
    def __repr__(self) -> str:
        s = self.system
        rows = ", ".join(
            "".join(str(int(v)) for v in row) + f" ({p:.3g})"
            for row, p in zip(s.states[:8], s.probs[:8])
        )
        more = ", ..." if s.size > 8 else ""
        return (
            f"Counterexample(k={self.k}, transform={self.transform!r}, "
            f"cards={s.cards}, support=[{rows}{more}], "
            f"R_k before={self.before:.6g}, after={self.after:.6g})"
        )


def find_counterexample(
    claim: Callable[[System, _t.Transform, int], bool],
    *,
    max_vars: int = 4,
    max_card: int = 2,
    max_block: int = 2,
    max_len: int = 1,
    max_examples: int = 2000,
    seed: int | None = None,
) -> Counterexample | None:
    """Search for a (system, transform, k) on which ``claim`` returns False; shrink it.

    Systems come from :func:`systems` (up to ``max_vars`` variables of cardinality up to
    ``max_card``), transforms from :func:`compositions` of up to ``max_len`` local
    bijections on ``max_block`` variables, and ``k`` from ``1 .. n``. Returns None when no
    counterexample is found in ``max_examples`` tries.

    Examples
    --------
    "A bijection on fewer than k variables preserves R_k" is false (THEORY §5 failure 1):

    >>> from natabs import testing
    >>> import natabs as na
    >>> def claim(system, transform, k):
    ...     r = na.conserved_information
    ...     return transform.size >= k or abs(r(transform(system), k) - r(system, k)) < 1e-9
    >>> ce = testing.find_counterexample(claim, seed=0)
    >>> ce.system.n <= 4 and set(ce.system.cards) == {2}, ce.before != ce.after
    (True, True)
    """
    if not callable(claim):
        raise InvalidArgument(f"claim={claim!r} must be a function (system, transform, k) -> bool")
    max_vars = _int_arg(max_vars, "max_vars", 1)
    max_examples = _int_arg(max_examples, "max_examples", 1)

    # Strategies are built once: building them inside the draw dominates the run time.
    system_st = systems(max_vars=max_vars, max_card=max_card)
    transform_st = {
        n: compositions(n, max_len=max_len, max_block=max_block) for n in range(1, max_vars + 1)
    }

    @st.composite
    def cases(draw):
        s = draw(system_st)
        t = draw(transform_st[s.n])
        k = draw(st.integers(1, s.n))
        return s, t, k

    config = settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    try:
        s, t, k = find(
            cases(),
            lambda c: not claim(*c),
            settings=config,
            random=None if seed is None else random.Random(seed),
        )
    except NoSuchExample:
        return None
    y = t(s)
    return Counterexample(
        system=s,
        transform=t,
        k=k,
        before=conserved_information(s, k),
        after=conserved_information(y, k),
    )
