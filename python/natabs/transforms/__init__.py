"""Transformations: re-describing a system in other variables (THEORY §5).

A transformation ``φ`` maps a :class:`~natabs.System` ``X`` to a new System ``Y = φ(X)``:
every support state is mapped, and the law is pushed forward (states that land on the same
image merge their probabilities, so ``is_bijective(system)`` is False). Transformations are
frozen values: they compare equal, hash, print readably, and compose with ``>>``
(``t1 >> t2`` applies ``t1`` then ``t2``).

Naming and placement rule
-------------------------
Variables a transformation does not touch keep their names and their relative order.
Variables are named by name or by index (an index refers to the system the step is
applied to). A map on a block of ``b`` variables with ``m`` outputs places them so:

- ``m == b`` (a re-description in place, e.g. :func:`cnot`): output ``j`` takes the slot,
  and by default the name, of the ``j``-th block variable *as given*;
- ``m != b`` (:class:`Merge`, :class:`Split`, a :class:`Local` with other arity): the
  outputs take the slot of the block's earliest variable, in order, and the other block
  variables disappear. One output is named by joining the block's names (``"x0x1"``),
  several by the joined name and a suffix (``"x0x1_0"``, ``"x0x1_1"``).

Every constructor takes ``names=`` to choose output names; a name that collides with an
untouched variable is refused.

Examples
--------
>>> import natabs as na
>>> from natabs import transforms as nt
>>> x = na.systems.copies(4)
>>> y = nt.cnot(0, 1)(x)
>>> y.states
array([[0, 0, 0, 0],
       [1, 0, 1, 1]], dtype=uint8)
>>> na.conserved_information(x, k=3), na.conserved_information(y, k=3)
(1.0, 0.0)
>>> t = nt.cnot("x0", "x1") >> nt.Merge(["x2", "x3"])
>>> t
Compose(cnot('x0' -> 'x1'), Merge(['x2', 'x3']))
>>> t(x).names
('x0', 'x1', 'x2x3')
"""

from __future__ import annotations

from ._algebra import Compose, Transform
from ._gaussian import scale
from ._light_cone import LightCone, light_cone
from ._linear import Linear
from ._maps import (
    Local,
    Merge,
    Permute,
    Relabel,
    Shuffle,
    Split,
    center_of_mass,
    cnot,
    difference_map,
    prefix_xor,
    star_map,
)
from ._survival import Survival, SurvivalTable, survival_table, survives

__all__ = [
    "Compose",
    "LightCone",
    "Linear",
    "Local",
    "Merge",
    "Permute",
    "Relabel",
    "Shuffle",
    "Split",
    "Survival",
    "SurvivalTable",
    "Transform",
    "center_of_mass",
    "cnot",
    "difference_map",
    "light_cone",
    "prefix_xor",
    "scale",
    "star_map",
    "survival_table",
    "survives",
]
