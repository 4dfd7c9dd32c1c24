"""The ``natabs`` command line.

Subcommands: ``survey`` (the catalog and standard transformations), ``conserved``,
``curve``, ``spectrum`` and ``sample``. A system is named by a SPEC: a catalog name with
parameters (``noisy_copies:n=9,p=0.1``), a ``.npy`` dense probability table, or a JSON file
(formats in :mod:`natabs.io`); ``sample`` takes a MODEL: a catalog model
(``ising:L=16,beta=0.44``, ``potts:L=8,q=3,beta=1``, ...) or a JSON DAG or factor graph.
Every bad argument or file prints one line to stderr and exits with status 2
(``NATABS_DEBUG=1`` or ``--debug`` shows the traceback instead); ``--help`` works everywhere
and ``--version`` prints the version.

The package: :mod:`._spec` (SPECs, files, lists of integers), :mod:`._commands` (one
function per subcommand), :mod:`._parser` (argparse; a new subcommand is one line of
``SUBCOMMANDS`` there) and :mod:`._main` (``main``, the one-line errors).

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

from ._main import main
from ._spec import load_model, load_system, parse_ints

__all__ = ["load_model", "load_system", "main", "parse_ints"]
