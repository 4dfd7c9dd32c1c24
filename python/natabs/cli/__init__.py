"""The ``natabs`` command line.

Subcommands: ``survey`` (the catalog, and standard transformations where available),
``conserved``, ``curve``, ``spectrum`` and ``sample``. A system is named by a SPEC: a
catalog name with parameters (``noisy_copies:n=9,p=0.1``), a ``.npy`` dense probability
table, or a ``.json`` system file (format in :mod:`natabs.io`). User errors print one line
to stderr and exit with status 2; ``--help`` works everywhere.

Examples
--------
>>> from natabs.cli import main
>>> main(["conserved", "copies:n=3", "--k", "1..3"])
system  copies:n=3  (n=3, support=2)
 k    R_k (bits)  components
 1      1.000000           2
 2      1.000000           2
 3      0.000000           1
0
"""


from __future__ import annotations

from ._main import load_system, main, parse_ints

__all__ = ["main", "load_system", "parse_ints"]
