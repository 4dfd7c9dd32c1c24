"""One invertible linear map of a block of variables, over the field its system carries.

:class:`Linear` is a matrix on a block. It is read over the reals on a
:class:`~natabs.GaussianSystem` (THEORY §8, the map ``y_B = M x_B``) and over GF(2) on a
:class:`~natabs.LinearCode` or a support :class:`~natabs.System` of bits (THEORY §10,
``y_B = M x_B mod 2``). The matrix must be invertible over the field it is used in; it is
checked for both at construction, and refused when it is invertible over neither. The
kind-specific actions live in ``_gaussian.py`` and ``_gf2.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidInputError, UnsupportedError
from ._algebra import Var, _BlockMap, _check_names, _check_vars, _fmt_vars

__all__ = ["MAX_CONDITION", "Linear", "gf2_inverse"]

#: Condition number above which a real matrix counts as not invertible.
MAX_CONDITION = 1e12


def gf2_inverse(m: np.ndarray) -> np.ndarray | None:
    """The inverse of a square 0/1 matrix over GF(2), or None when it is singular."""
    b = m.shape[0]
    a = np.concatenate([m % 2, np.eye(b, dtype=np.uint8)], axis=1).astype(np.uint8)
    for c in range(b):
        rows = np.nonzero(a[c:, c])[0]
        if rows.size == 0:
            return None
        p = c + int(rows[0])
        a[[c, p]] = a[[p, c]]
        hit = np.nonzero(a[:, c])[0]
        hit = hit[hit != c]
        a[hit] ^= a[c]
    return a[:, b:]


@dataclass(frozen=True, init=False, repr=False)
class Linear(_BlockMap):
    """An invertible linear map of a block: ``y_B = matrix @ x_B``.

    Over the reals on a :class:`~natabs.GaussianSystem`; over GF(2) (``mod 2``, a 0/1
    matrix) on a :class:`~natabs.LinearCode`, where it gives a LinearCode, and on a
    :class:`~natabs.System` of bits, where it maps every support state. Output ``j``
    takes the slot and, unless ``names`` says otherwise, the name of the ``j``-th block
    variable. Its light cone is read from the matrix and its inverse.

    Attributes
    ----------
    real : bool
        Whether the matrix is invertible over the reals (condition number below
        :data:`MAX_CONDITION`).
    gf2 : bool
        Whether it is a 0/1 matrix invertible over GF(2).

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> t = nt.Linear([0, 1], [[1, 0], [1, 1]])  # a CNOT as a matrix: both fields
    >>> t, t.real, t.gf2
    (Linear([0, 1], [[1, 0], [1, 1]]), True, True)
    >>> t(na.LinearCode.repetition(3)).generator.tolist()
    [[1, 0, 1]]
    >>> g = na.GaussianSystem([[1.0, 0.5], [0.5, 1.0]], names=["a", "b"])
    >>> s = nt.Linear(["a", "b"], [[1, 1], [1, -1]], names=["sum", "diff"])
    >>> y = s(g)
    >>> y.names, y.cov.tolist()
    (('sum', 'diff'), [[3.0, 0.0], [0.0, 1.0]])
    >>> nt.Linear([0, 1], [[1, 1], [1, 1]])
    Traceback (most recent call last):
    ...
    natabs.errors.InvalidInputError: Linear: the matrix [[1, 1], [1, 1]] is not invertible over the reals (condition number ...) nor over GF(2)
    """

    block: tuple[Var, ...]
    matrix: tuple[tuple[float, ...], ...]
    names: tuple[str, ...] | None = None

    def __init__(self, vars: Sequence[Var], matrix: Any, names: Sequence[str] | None = None):
        block = _check_vars(vars, "Linear vars")
        try:
            m = np.asarray(matrix)
        except (TypeError, ValueError):
            raise TypeError(
                f"Linear: matrix must be a square matrix of numbers, got {matrix!r}"
            ) from None
        if m.dtype == bool:
            m = m.astype(np.uint8)
        if m.dtype.kind not in "iuf":
            raise TypeError(f"Linear: matrix must hold real numbers, got dtype {m.dtype}")
        b = len(block)
        if m.shape != (b, b):
            raise InvalidInputError(
                f"Linear: matrix must have shape ({b}, {b}) for {b} variables, got {m.shape}"
            )
        m = m.astype(np.float64)
        if not np.all(np.isfinite(m)):
            raise InvalidInputError("Linear: matrix must be finite")
        cond = float(np.linalg.cond(m)) if b else 1.0
        real = cond < MAX_CONDITION
        bits = bool(np.all((m == 0) | (m == 1)))
        gf2 = bits and gf2_inverse(m.astype(np.uint8)) is not None
        integral = bool(np.all(m == np.round(m)))
        if not (real or gf2):
            shown = m.astype(np.int64).tolist() if integral else m.tolist()
            raise InvalidInputError(
                f"Linear: the matrix {shown} is not invertible over the reals (condition "
                f"number {cond:.2g}){' nor over GF(2)' if bits else ''}"
            )
        nm = _check_names(names, "Linear")
        if nm is not None and len(nm) != b:
            raise InvalidInputError(f"Linear: {len(nm)} names for {b} variables")
        cast = int if integral else float
        object.__setattr__(self, "block", block)
        object.__setattr__(self, "matrix", tuple(tuple(cast(v) for v in row) for row in m))
        object.__setattr__(self, "names", nm)
        object.__setattr__(self, "real", real)
        object.__setattr__(self, "gf2", gf2)

    @property
    def array(self) -> np.ndarray:
        """The matrix as a (new) ``float64`` array."""
        return np.array(self.matrix, dtype=np.float64)

    @property
    def bits(self) -> np.ndarray:
        """The matrix as a (new) ``uint8`` array, for GF(2); refused unless :attr:`gf2`."""
        if not self.gf2:
            raise UnsupportedError(
                f"{self!r} is not a 0/1 matrix invertible over GF(2): it cannot map bits"
            )
        return np.array(self.matrix, dtype=np.uint8)

    def _outputs(self, values, cards):
        if not self.gf2:
            raise UnsupportedError(
                f"{self!r} maps real variables: apply it to a natabs.GaussianSystem; on a finite "
                "System use transforms.Local (any map of the block's values) or Shuffle"
            )
        if any(c != 2 for c in cards):
            raise InvalidInputError(
                f"{self!r} maps bits; the block's cardinalities are {list(cards)}"
            )
        return (values @ self.bits.T.astype(np.int64)) % 2, cards

    def __repr__(self) -> str:
        extra = "" if self.names is None else f", names={list(self.names)}"
        rows = [[v if isinstance(v, int) else float(f"{v:.6g}") for v in r] for r in self.matrix]
        return f"Linear({_fmt_vars(self.block)}, {rows}{extra})"
