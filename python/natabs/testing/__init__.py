"""Hypothesis strategies and the theorems of THEORY.md as reusable checks.

Needs hypothesis (``pip install natabs[test]``). Strategies follow hypothesis's style:
functions returning strategies, keyword-only ``min_*`` / ``max_*`` bounds, and
:class:`hypothesis.errors.InvalidArgument` for bad arguments. Checks raise an
:class:`AssertionError` that names the numbers, so they read well inside ``@given`` tests::

    from hypothesis import given
    import natabs.testing as nt_testing

    @given(nt_testing.systems(max_vars=4))
    def test_monotone(system):
        nt_testing.check_monotone_in_k(system)

Examples
--------
>>> import natabs as na
>>> from natabs import testing, transforms as nt
>>> testing.check_sandwich(na.systems.copies(4), nt.cnot(0, 1), k=3)
>>> from hypothesis import find
>>> find(testing.systems(max_vars=3), lambda s: s.size > 1)  # the simplest one, shrunk
System(n=1, cards=(2,), support=2, names=('x0',))
"""

from __future__ import annotations

from ._checks import (
    check_chi2_bound,
    check_light_cone_bound,
    check_monotone_in_k,
    check_permute_invariance,
    check_relabel_invariance,
    check_sandwich,
)
from ._gaussian import (
    check_information_monotone,
    check_scale_invariance,
    gaussian_systems,
    linear_maps,
)
from ._counterexample import Counterexample, find_counterexample
from ._gf2 import gf2_maps, linear_codes
from ._latents import (
    check_latent_ranges,
    check_mediator_determines_redund,
    check_natural_latents_isomorphic,
    check_redundancy_conventions,
    check_sum_rule,
    latent_systems,
    view_groups,
)
from ._strategies import block_families, compositions, local_bijections, systems
from ._symmetric import iid_systems, symmetric_systems

__all__ = [
    "Counterexample",
    "block_families",
    "check_chi2_bound",
    "check_light_cone_bound",
    "check_monotone_in_k",
    "check_permute_invariance",
    "check_relabel_invariance",
    "check_sandwich",
    "compositions",
    "find_counterexample",
    "gf2_maps",
    "linear_codes",
    "iid_systems",
    "local_bijections",
    "symmetric_systems",
    "systems",
    "latent_systems",
    "view_groups",
    "check_latent_ranges",
    "check_redundancy_conventions",
    "check_mediator_determines_redund",
    "check_natural_latents_isomorphic",
    "check_sum_rule",
    "gaussian_systems",
    "linear_maps",
    "check_information_monotone",
    "check_scale_invariance",
]
