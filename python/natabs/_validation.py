"""Argument checks shared by the public functions: one vocabulary, one wording.

Every public function checks its arguments here, at its top, before any work: each check
returns the value in canonical form (an ``int``, a ``float``, a tuple, an owned array) or
raises a :class:`TypeError` (wrong kind of object), an
:class:`~natabs.errors.InvalidInputError` (right kind, wrong value; a ``ValueError``) or a
:class:`~natabs.errors.TooLargeError` (a request refused before allocating; a
``MemoryError``), with a message that names the argument, what it got and what would be
right. Modelled on hypothesis' ``internal/validation.py``.

Examples
--------
>>> from natabs._validation import check_integer
>>> check_integer(True, "n")
Traceback (most recent call last):
...
TypeError: n must be an integer, got the boolean True
"""

from __future__ import annotations

import itertools
import math
import numbers
import operator
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .errors import InvalidInputError, TooLargeError

# fmt: off
__all__ = [
    "check_array", "check_base", "check_bool", "check_bytes", "check_cards", "check_choice",
    "check_finite", "check_integer", "check_integer_array", "check_names", "check_nonneg_int",
    "check_positive_int", "check_probability", "check_real", "check_real_array", "check_scan",
    "check_seed", "check_sequence", "check_size", "check_steps", "check_sweeps", "check_system",
    "check_threads", "check_transform", "check_type", "check_variable", "check_variables",
    "choice", "fmt_count", "frozen", "integer", "resolve_variable",
]
# fmt: on

#: The two scans of a resampling chain (THEORY §2).
SCANS = ("random", "systematic")
#: Largest cardinality of one variable (values are stored in 32 bits).
MAX_CARD = 2**32 - 1
#: Seeds are 64-bit.
MAX_SEED = 2**64 - 1
#: Largest number of resampling steps or sweeps: far past any computation that ends.
MAX_STEPS = 2**63 - 1
#: Worker threads accepted: more than this only spins.
MAX_THREADS = max(1024, 4 * (os.cpu_count() or 1))


def _got(value: Any) -> str:
    """How a message shows the offending value: its kind when that is the problem."""
    if isinstance(value, (bool, np.bool_)):
        return f"the boolean {value!r}"
    if isinstance(value, (str, bytes)):
        text = repr(value)
        return f"the string {text if len(text) <= 60 else text[:57] + '...'}"
    if isinstance(value, (int, np.integer)) and abs(int(value)) >= 10**15:
        return fmt_count(int(value))
    text = repr(value)
    if len(text) > 60:
        text = f"a {type(value).__name__} ({text[:40]}...)"
    return text


def fmt_count(n: float) -> str:
    """A count for a message: digits when short, else scientific notation and log2.

    Examples
    --------
    >>> from natabs._validation import fmt_count
    >>> fmt_count(4096), fmt_count(2**4096)
    ('4096', '~1.04e+1233 (2**4096.0)')
    """
    if isinstance(n, float) and not math.isfinite(n):
        return str(n)
    n_int = int(n)
    if abs(n_int) < 10**15:
        return str(n_int)
    sign = "-" if n_int < 0 else ""
    m = abs(n_int)
    lg = math.log2(m)
    exp10 = lg * math.log10(2)
    e = math.floor(exp10)
    mant = 10 ** (exp10 - e)
    if mant >= 9.995:
        mant, e = mant / 10, e + 1
    return f"{sign}~{mant:.2f}e+{e} (2**{lg:.1f})"


# -- scalars ------------------------------------------------------------------------------


def check_type(
    value: Any, types: type | tuple[type, ...], name: str, want: str | None = None
) -> Any:
    """``value`` if it is an instance of ``types``; else a TypeError naming them (or ``want``)."""
    if not isinstance(value, types):
        if want is not None:
            raise TypeError(f"{name} must be {want}, got {type(value).__name__}")
        if isinstance(types, tuple):
            want = " or ".join(t.__name__ for t in types)
        else:
            want = types.__name__
        raise TypeError(f"{name} must be a {want}, got {type(value).__name__} ({_got(value)})")
    return value


def check_bool(value: Any, name: str) -> bool:
    """``value`` if it is ``True`` or ``False`` (numpy booleans too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_got(value)}")
    return bool(value)


def check_integer(
    value: Any, name: str, *, min_value: int | None = None, max_value: int | None = None
) -> int:
    """``value`` as an ``int``: Python or numpy integers, never a bool, float or string.

    Bounds are inclusive; below ``min_value`` or above ``max_value`` is an
    :class:`~natabs.errors.InvalidInputError`.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, got {_got(value)}")
    try:
        v = operator.index(value)
    except TypeError:
        hint = ""
        if isinstance(value, float) and value.is_integer():
            hint = f" (write {int(value)})"
        raise TypeError(f"{name} must be an integer, got {_got(value)}{hint}") from None
    if min_value is not None and v < min_value:
        raise InvalidInputError(f"{name} must be >= {min_value}, got {_got(v)}")
    if max_value is not None and v > max_value:
        raise InvalidInputError(f"{name} must be <= {fmt_count(max_value)}, got {_got(v)}")
    return v


def integer(value: Any, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """:func:`check_integer` with positional bounds (the historical spelling)."""
    return check_integer(value, name, min_value=minimum, max_value=maximum)


def check_positive_int(value: Any, name: str, *, max_value: int | None = None) -> int:
    """An integer ``>= 1`` (at most ``max_value``)."""
    return check_integer(value, name, min_value=1, max_value=max_value)


def check_nonneg_int(value: Any, name: str, *, max_value: int | None = None) -> int:
    """An integer ``>= 0`` (at most ``max_value``)."""
    return check_integer(value, name, min_value=0, max_value=max_value)


def check_real(
    value: Any,
    name: str,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    exclude_min: bool = False,
    exclude_max: bool = False,
    finite: bool = True,
) -> float:
    """``value`` as a ``float``: a real number (not a bool, complex or string).

    Bounds are inclusive unless ``exclude_min`` / ``exclude_max``; ``finite`` refuses
    ``nan`` and ``±inf``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (numbers.Real, np.floating, np.integer)
    ):
        raise TypeError(f"{name} must be a real number, got {_got(value)}")
    try:
        v = float(value)
    except OverflowError:
        raise InvalidInputError(f"{name} must be finite, got {_got(value)}") from None
    if math.isnan(v) or (finite and not math.isfinite(v)):
        raise InvalidInputError(f"{name} must be finite, got {value!r}")
    if min_value is not None and (v < min_value or (exclude_min and v == min_value)):
        op = ">" if exclude_min else ">="
        raise InvalidInputError(f"{name} must be {op} {min_value}, got {value!r}")
    if max_value is not None and (v > max_value or (exclude_max and v == max_value)):
        op = "<" if exclude_max else "<="
        raise InvalidInputError(f"{name} must be {op} {max_value}, got {value!r}")
    return v


def check_finite(value: Any, name: str) -> float:
    """A finite real number."""
    return check_real(value, name)


def check_probability(value: Any, name: str, *, strict: bool = True) -> float:
    """A probability: in ``(0, 1)`` when ``strict`` (the default), else in ``[0, 1]``."""
    p = check_real(value, name)
    if strict and not 0.0 < p < 1.0:
        raise InvalidInputError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    if not 0.0 <= p <= 1.0:
        raise InvalidInputError(f"{name} must lie in [0, 1], got {value!r}")
    return p


def check_choice(value: Any, name: str, options: Sequence[str]) -> str:
    """``value`` if it is one of the strings ``options``."""
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(map(repr, options))
        error = TypeError if not isinstance(value, str) else InvalidInputError
        raise error(f"{name} must be one of {listed}; got {_got(value)}")
    return value


def choice(value: Any, name: str, options: tuple[str, ...]) -> str:
    """:func:`check_choice` (the historical spelling)."""
    return check_choice(value, name, options)


def check_base(base: Any, name: str = "base") -> float:
    """Logarithm base of a result: a finite real number > 1 (2 for bits, e for nats)."""
    return check_real(base, name, min_value=1.0, exclude_min=True)


def check_seed(seed: Any, name: str = "seed") -> int | None:
    """A seed: ``None`` or an integer in ``[0, 2**64)``."""
    if seed is None:
        return None
    return check_integer(seed, name, min_value=0, max_value=MAX_SEED)


def check_threads(threads: Any, name: str = "threads") -> int | None:
    """Worker threads: ``None`` (all cores) or an integer in ``1 .. MAX_THREADS``."""
    if threads is None:
        return None
    return check_integer(threads, name, min_value=1, max_value=MAX_THREADS)


def check_scan(scan: Any, name: str = "scan") -> str:
    """The scan of a chain: ``"random"`` or ``"systematic"`` (parsed here only)."""
    return check_choice(scan, name, SCANS)


# -- collections --------------------------------------------------------------------------


def check_sequence(value: Any, name: str, *, what: str = "values") -> list[Any]:
    """``value`` as a list: any iterable but a string, bytes or a mapping's keys by mistake."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of {what}, got {_got(value)}")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        raise TypeError(f"{name} must be a list of {what}, got a 0-d array")
    return list(value)


def check_steps(steps: Any, name: str = "steps", *, max_value: int = MAX_STEPS) -> np.ndarray:
    """Numbers of steps: a non-empty list of integers in ``[0, max_value]``, as int64."""
    if isinstance(steps, (int, np.integer)) and not isinstance(steps, (bool, np.bool_)):
        raise TypeError(f"{name} must be a list of integers, e.g. [{steps}]; got {steps!r}")
    items = check_sequence(steps, name, what="integers")
    out = []
    for i, s in enumerate(items):
        if isinstance(s, (bool, np.bool_)) or not hasattr(s, "__index__"):
            raise TypeError(f"{name} must be a list of integers; {name}[{i}] is {_got(s)}")
        out.append(check_integer(s, f"{name}[{i}]", min_value=0, max_value=max_value))
    if not out:
        raise InvalidInputError(f"{name} is empty: give at least one number of steps")
    return np.array(out, dtype=np.int64)


def check_sweeps(sweeps: Any, name: str = "sweeps", *, max_value: int = 2**48) -> tuple[int, ...]:
    """Sweep counts: a non-empty, strictly increasing list of integers in ``[0, max_value]``."""
    if isinstance(sweeps, (int, np.integer)) and not isinstance(sweeps, (bool, np.bool_)):
        raise TypeError(f"{name} must be a list of sweep counts, e.g. {name}=[0, 10, 100]")
    out = tuple(int(t) for t in check_steps(sweeps, name, max_value=max_value))
    if any(b <= a for a, b in itertools.pairwise(out)):
        shown = list(out) if len(out) <= 10 else list(out[:10]) + ["..."]
        raise InvalidInputError(f"{name} must be strictly increasing, got {shown}")
    return out


def check_names(names: Sequence[str] | None, n: int, name: str = "names") -> tuple[str, ...]:
    """Variable names (default ``x0 .. x{n-1}``): strings, ``n`` of them, distinct."""
    if names is None:
        return tuple(f"x{i}" for i in range(n))
    if isinstance(names, str):
        raise TypeError(f"{name} must be a sequence of strings, not a single string")
    out = tuple(check_sequence(names, name, what="strings"))
    for nm in out:
        if not isinstance(nm, str):
            raise TypeError(f"variable names must be strings, got {_got(nm)}")
    if len(out) != n:
        raise InvalidInputError(f"{len(out)} names given for {n} variables")
    if len(set(out)) != n:
        dup = next(nm for nm in out if out.count(nm) > 1)
        raise InvalidInputError(f"variable name {dup!r} appears more than once")
    return out


def check_variable(var: Any, name: str) -> str | int:
    """A variable before it meets a system: a name (str) or an index (int >= 0)."""
    if isinstance(var, str):
        return var
    if isinstance(var, (bool, np.bool_)):
        raise TypeError(f"{name}: a variable is a name or an index, got {_got(var)}")
    try:
        i = operator.index(var)
    except TypeError:
        raise TypeError(
            f"{name}: a variable is a name (str) or an index (int), got {_got(var)}"
        ) from None
    if i < 0:
        raise InvalidInputError(f"{name}: variable index must be >= 0, got {i}")
    return i


def check_variables(vars: Any, name: str, *, min_len: int = 1) -> tuple[str | int, ...]:
    """A list of distinct variables (names or indices), at least ``min_len`` of them."""
    if isinstance(vars, (str, bytes)) or not isinstance(vars, Iterable):
        raise TypeError(f"{name} must be a list of variables (names or indices), got {_got(vars)}")
    out = tuple(check_variable(v, name) for v in vars)
    if len(out) < min_len:
        raise InvalidInputError(f"{name} needs at least {min_len} variable(s), got {list(out)}")
    if len(set(out)) != len(out):
        dup = next(v for v in out if out.count(v) > 1)
        raise InvalidInputError(f"{name} names the variable {dup!r} twice")
    return out


def resolve_variable(var: Any, names: Sequence[str], name: str = "variable") -> int:
    """Position of ``var`` (a name in ``names``, or an index below ``len(names)``).

    Examples
    --------
    >>> from natabs._validation import resolve_variable
    >>> resolve_variable("b", ("a", "b")), resolve_variable(0, ("a", "b"))
    (1, 0)
    """
    if isinstance(var, str):
        try:
            return tuple(names).index(var)
        except ValueError:
            shown = tuple(names) if len(names) <= 20 else tuple(names[:20]) + ("...",)
            raise InvalidInputError(f"no variable named {var!r}; variables are {shown}") from None
    if isinstance(var, (bool, np.bool_)):
        raise TypeError(f"a {name} is a name or an index, got {_got(var)}")
    try:
        i = operator.index(var)
    except TypeError:
        raise TypeError(f"a {name} is a name or an index, got {_got(var)}") from None
    if not 0 <= i < len(names):
        raise InvalidInputError(f"{name} index {i} out of range for {len(names)} variables")
    return i


def check_cards(
    cards: Any,
    name: str = "cards",
    *,
    n: int | None = None,
    max_card: int = MAX_CARD,
    allow_empty: bool = False,
) -> tuple[int, ...]:
    """Cardinalities: a list of integers in ``[1, max_card]`` (``n`` of them when given)."""
    if isinstance(cards, np.ndarray) and cards.ndim == 0:
        raise TypeError(f"{name} must be a list of integers, got a 0-d array")
    items = check_sequence(cards, name, what="integers")
    out = tuple(
        check_integer(c, f"cardinality of variable {i}", min_value=1, max_value=max_card)
        for i, c in enumerate(items)
    )
    if not out and not allow_empty:
        raise InvalidInputError(
            f"{name} is empty: a system needs at least one variable (got zero variables)"
        )
    if n is not None and len(out) != n:
        raise InvalidInputError(f"{name}: {len(out)} cardinalities given for {n} variables")
    return out


# -- arrays -------------------------------------------------------------------------------

_KINDS = {
    "i": "an integer array",
    "f": "an array of real numbers",
    "b": "a boolean array",
}


def check_array(
    value: Any,
    name: str,
    *,
    kind: str | None = None,
    ndim: int | None = None,
    shape: tuple[int | None, ...] | None = None,
    bool_ok: bool = False,
) -> np.ndarray:
    """``value`` as a numpy array (not copied when it already is one), checked.

    ``kind`` is ``"i"`` (integers: numpy integer dtypes; booleans refused), ``"f"`` (real
    numbers: integer or float dtypes; booleans, complex and objects refused) or ``"b"``;
    ``bool_ok`` lets booleans count as the integers 0 and 1.
    Ragged nested lists are refused with a clear message, as are arrays whose ``ndim`` or
    ``shape`` (``None`` matches any length) differ.
    """
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as e:
        raise InvalidInputError(
            f"{name} must be a rectangular array of numbers (every row the same length), "
            f"got {type(value).__name__} that numpy reads as ragged ({type(e).__name__})"
        ) from None
    except OverflowError:
        raise InvalidInputError(f"{name} holds a number too large for an array") from None
    if arr.dtype == object:
        if any(isinstance(v, (list, tuple, np.ndarray)) for v in arr.ravel()[:1000]):
            raise InvalidInputError(
                f"{name} must be a rectangular array (every row the same length)"
            )
        if arr.size and all(
            isinstance(v, int) and not isinstance(v, bool) for v in arr.ravel()[:1000]
        ):
            raise InvalidInputError(f"{name} holds an integer too large for 64 bits")
    if kind is not None:
        dk = arr.dtype.kind
        ok = {"i": dk in "iu", "f": dk in "iuf", "b": dk == "b"}[kind] or (bool_ok and dk == "b")
        if not ok and not (arr.size == 0 and dk == "f" and kind == "i"):
            if dk == "c":
                got = f"complex numbers (dtype {arr.dtype})"
            elif dk in "US":
                got = f"strings (dtype {arr.dtype})"
            else:
                got = f"dtype {arr.dtype}"
            raise TypeError(f"{name} must be {_KINDS[kind]}, got {got}")
    if ndim is not None and arr.ndim != ndim:
        raise InvalidInputError(f"{name} must be a {ndim}-D array, got shape {arr.shape}")
    if shape is not None and not _shape_matches(arr.shape, shape):
        want = "(" + ", ".join("any" if w is None else str(w) for w in shape) + ")"
        raise InvalidInputError(f"{name} must have shape {want}, got {arr.shape}")
    return arr


def _shape_matches(got: tuple[int, ...], want: tuple[int | None, ...]) -> bool:
    return len(got) == len(want) and all(w is None or w == g for w, g in zip(want, got))


def check_real_array(value: Any, name: str, **kw: Any) -> np.ndarray:
    """A real array as ``float64`` (complex, strings and booleans refused)."""
    arr = check_array(value, name, kind="f", **kw)
    return np.asarray(arr, dtype=np.float64)


def check_integer_array(value: Any, name: str, **kw: Any) -> np.ndarray:
    """An integer array (booleans, floats, strings refused)."""
    return check_array(value, name, kind="i", **kw)


def frozen(a: Any, dtype: Any = None) -> np.ndarray:
    """A read-only copy of ``a`` that no one can make writeable again.

    The data live in an immutable ``bytes`` object owned by the result, so
    ``flags.writeable = True`` is refused by numpy, for the result and for its base.

    Examples
    --------
    >>> import numpy as np
    >>> from natabs._validation import frozen
    >>> x = np.arange(3.0); f = frozen(x); x[0] = 9.0
    >>> f.tolist(), f.flags.writeable
    ([0.0, 1.0, 2.0], False)
    """
    arr = np.ascontiguousarray(a, dtype=dtype)
    out = np.frombuffer(arr.tobytes(), dtype=arr.dtype)
    return out.reshape(arr.shape)


# -- objects ------------------------------------------------------------------------------


def _is_a(value: Any, qualified: str) -> bool:
    # By name along the MRO: this module sits below the layers whose classes it checks.
    return any(f"{c.__module__}.{c.__qualname__}" == qualified for c in type(value).__mro__)


def check_system(value: Any, name: str = "system", *, support: bool = True) -> Any:
    """``value`` if it is a support :class:`~natabs.System` (``support``), else if it has the
    variables of any kind of natabs system (``n``, ``cards``, ``names``, ``index``)."""
    if support and not _is_a(value, "natabs.systems._support.System"):
        raise TypeError(f"{name} must be a natabs.System, got {type(value).__name__}")
    if not all(hasattr(value, a) for a in ("n", "cards", "names", "index", "indices")):
        raise TypeError(
            f"{name} must be a natabs system (natabs.System, natabs.FactorGraph, ...), "
            f"got {type(value).__name__}"
        )
    return value


def check_transform(value: Any, name: str = "transform") -> Any:
    """``value`` if it is a natabs transformation (:mod:`natabs.transforms`)."""
    if not _is_a(value, "natabs.transforms._algebra.Transform"):
        raise TypeError(
            f"{name} must be a natabs transformation (natabs.transforms), "
            f"got {type(value).__name__}"
        )
    return value


def check_size(count: float, limit: float, what: str, hint: str = "") -> None:
    """Refuse with :class:`~natabs.errors.TooLargeError` when ``count`` exceeds ``limit``.

    ``what`` names the thing counted (``"a dense table of {count} entries"`` reads
    ``what="entries of the dense table"``); counts print in scientific notation when long.
    """
    if count > limit:
        tail = f" ({hint})" if hint else ""
        raise TooLargeError(
            f"{what}: {fmt_count(count)}, over the limit of {fmt_count(limit)}{tail}"
        )


def check_bytes(nbytes: float, limit: float, what: str, hint: str = "") -> None:
    """Refuse an allocation of ``nbytes`` over ``limit``, in GiB."""
    if nbytes > limit:
        tail = f" ({hint})" if hint else ""
        raise TooLargeError(f"{what} would need {_gib(nbytes)}; the limit is {_gib(limit)}{tail}")


def _gib(nbytes: float) -> str:
    if nbytes >= 2**80:
        return f"{fmt_count(int(nbytes))} bytes"
    g = float(nbytes) / 2**30
    return f"{g:.1f} GiB" if g >= 0.1 else f"{float(nbytes) / 2**20:.1f} MiB"
