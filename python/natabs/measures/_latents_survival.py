"""Does a natural latent survive re-describing its views? (THEORY §5 and §7)

A transformation ``φ`` re-describes the views ``X`` as ``Y = φ(X)``; the latent is carried
along unchanged (the transformation must not touch it). :func:`latent_survival` reports the
errors of the latent over the views before and after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._info import check_base
from .._results import Result, show
from ..errors import InvalidInputError
from ..systems._support import System
from ._latents import NaturalLatentErrors, natural_latent_errors

__all__ = ["LatentSurvival", "latent_survival"]


def _brief(e: NaturalLatentErrors) -> str:
    return (
        f"mediation {e.mediation:.4g}, max_redundancy {e.max_redundancy:.4g}, "
        f"max_deterministic_redundancy {e.max_deterministic_redundancy:.4g}"
    )


@dataclass(frozen=True, repr=False)
class LatentSurvival(Result):
    """The errors of one latent over the views before and after a transformation.

    Attributes
    ----------
    transform : Transform
        The re-description of the views.
    before, after : NaturalLatentErrors
        The latent's errors over the original views ``X`` and over ``Y = φ(X)``.
    system : System
        The transformed system (``Y`` and the latent).

    The repr shows, before and after, the mediation and the largest stochastic and
    deterministic leave-one-out redundancy errors.
    """

    transform: Any
    before: NaturalLatentErrors = field(metadata=show(_brief))
    after: NaturalLatentErrors = field(metadata=show(_brief))
    system: System = field(repr=False)


def latent_survival(
    system: System,
    latent: Any,
    transform: Any,
    *,
    views: Sequence[Any] | None = None,
    views_after: Sequence[Any] | None = None,
    base: float = 2,
) -> LatentSurvival:
    """The errors of ``latent`` over the views before and after ``transform`` re-describes them.

    Parameters
    ----------
    system : System
        The views and the latent (e.g. from :meth:`System.with_latent`).
    latent : str or int
        The latent; the transformation must leave it as it is (same name, same value in
        every support state).
    transform : Transform
        A map of :mod:`natabs.transforms` acting on the views.
    views, views_after : list, optional
        The views before and after (default: every variable but the latent, alone).
    base : float
        Logarithm base (2: bits).

    Examples
    --------
    The majority of 5 noisy copies stays natural when one copy is relabelled, and stops
    being redundant when the difference map (a chain of CNOTs) mixes the copies:

    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> s = na.systems.noisy_copies(5, 0.1).with_latent(lambda x: x.sum(axis=1) >= 3, name="M")
    >>> na.latent_survival(s, "M", nt.Relabel("x0", [1, 0]))
    LatentSurvival(transform=Relabel('x0', [1, 0]), before='mediation 0.01283, max_redundancy 0.0486, max_deterministic_redundancy 0.0486', after='mediation 0.01283, max_redundancy 0.0486, max_deterministic_redundancy 0.0486')
    >>> r = na.latent_survival(s, "M", nt.difference_map(["x0", "x1", "x2", "x3", "x4"]))
    >>> r.after.max_deterministic_redundancy > 10 * r.before.max_deterministic_redundancy
    True
    """
    if not isinstance(system, System):
        raise TypeError(f"system must be a natabs.System, got {type(system).__name__}")
    # Any natabs.transforms.Transform (the measures layer sits below the transformations,
    # so it knows them by what they do: map the support rows of a system).
    if not callable(getattr(transform, "_image", None)) or not callable(transform):
        raise TypeError(
            f"transform must be a natabs transformation (natabs.transforms), "
            f"got {type(transform).__name__}"
        )
    b = check_base(base)
    lat = system.index(latent)
    name = system.names[lat]
    rows, _, names = transform._image(system)
    if name not in names:
        raise InvalidInputError(
            f"the transformation removes or renames the latent {name!r}; it must act on the "
            "views only"
        )
    if not np.array_equal(rows[:, names.index(name)], np.asarray(system.states)[:, lat]):
        raise InvalidInputError(
            f"the transformation changes the latent {name!r}; it must act on the views only"
        )
    y = transform(system)
    before = natural_latent_errors(system, lat, views=views, base=b)
    after = natural_latent_errors(y, name, views=views_after, base=b)
    return LatentSurvival(transform=transform, before=before, after=after, system=y)
