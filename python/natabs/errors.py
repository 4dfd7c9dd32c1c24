"""Exceptions raised by natabs.

Every error natabs raises on bad input is one of these (or a plain :class:`TypeError` for
an argument of the wrong type). Each also derives from the builtin a caller would catch
without knowing natabs, so ``except ValueError`` keeps working.
"""

from __future__ import annotations

__all__ = [
    "NatabsError",
    "InvalidInputError",
    "TooLargeError",
    "UnsupportedError",
    "NotMixedWarning",
    "MethodSwitchWarning",
]


class NatabsError(Exception):
    """Base class of natabs' own exceptions."""


class InvalidInputError(NatabsError, ValueError):
    """An argument has the right type but a wrong value, shape or content."""


class TooLargeError(NatabsError, MemoryError):
    """A request was refused before allocating, because it would not fit in memory."""


class UnsupportedError(NatabsError, TypeError):
    """A measure or transformation does not apply to this kind of system.

    The message names the measure, the kind, and why (for example: the deterministic
    redundancy conventions do not apply to a continuous latent).
    """


class NotMixedWarning(RuntimeWarning):
    """Sampled chains have not mixed: the numbers describe their start, not the law.

    The message says what was seen (split-R̂, or every chain keeping its start's value)
    and what to do. Filter it like any warning.

    Examples
    --------
    >>> import warnings
    >>> from natabs.errors import NotMixedWarning
    >>> issubclass(NotMixedWarning, RuntimeWarning)
    True
    """


class MethodSwitchWarning(UserWarning):
    """``method="auto"`` chose an estimate where an exact value was asked for by default.

    One line: what was switched (exact to sampled), why (the work of the exact route,
    against its limit), and how to force either (``method="exact"`` or
    ``method="sampled"``, which say nothing). Filter it like any warning::

        warnings.filterwarnings("ignore", category=natabs.errors.MethodSwitchWarning)
    """
