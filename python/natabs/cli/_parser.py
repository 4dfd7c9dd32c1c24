"""The argument parser of ``natabs``.

Every subcommand is added by one function of :data:`SUBCOMMANDS`, which takes argparse's
subparsers object, adds its parser and sets ``run`` (a function of the parsed arguments
returning the exit status). A new subcommand, in its own module of :mod:`natabs.cli`, is
one more line there: ``"._sweep:register"``. Options are checked here, before any work:
integers within their ranges, finite floats.
"""

from __future__ import annotations

import argparse
import importlib
import math
from collections.abc import Callable
from typing import Any

from . import _commands
from ._spec import MAX_INT, MODEL_EXAMPLES, UsageError

__all__ = ["SUBCOMMANDS", "build_parser", "integer", "real", "subcommands"]

#: Largest ``--threads`` accepted.
MAX_THREADS = 1024

#: The subcommands, in the order ``natabs --help`` lists them: ``"module:function"``
#: relative to :mod:`natabs.cli`, where ``function(subparsers)`` adds the subcommand.
SUBCOMMANDS: tuple[str, ...] = (
    "._parser:add_survey",
    "._parser:add_conserved",
    "._parser:add_curve",
    "._parser:add_spectrum",
    "._parser:add_sample",
    "._sweep:register",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, no usage block
        raise UsageError(f"{message} (see {self.prog} --help)")


def integer(lo: int, hi: int = MAX_INT) -> Callable[[str], int]:
    """An argparse type: an integer in ``lo .. hi``, refused with the range named."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not an integer") from None
        if not lo <= value <= hi:
            shown = text if len(text) <= 24 else f"{text[:12]}...({len(text)} digits)"
            raise argparse.ArgumentTypeError(
                f"{shown} is out of range: give an integer in {lo}..{hi}"
            )
        return value

    parse.__name__ = "integer"
    return parse


def real(text: str) -> float:
    """An argparse type: a finite float."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a finite number")
    return value


def _base(text: str) -> float:
    value = real(text)
    if value <= 0 or value == 1:
        raise argparse.ArgumentTypeError(
            f"{text!r}: a logarithm base is > 0 and not 1 (2 for bits)"
        )
    return value


SPEC_HELP = """SPEC names a system:
  copies:n=4                  a catalog system with parameters (also noisy_copies:n=9,p=0.1,
                              coupled_pair:m=4,n=5, parity:n=6, ising_ring:n=8,beta=0.4),
                              or a catalog model, enumerated (potts_ring:n=4,q=3,beta=1)
  table.npy                   a dense probability table (numpy .npy, shape = cardinalities)
  file.json                   a system, DAG model or factor graph (formats: python -m pydoc natabs.io)"""

MODEL_HELP = """MODEL names a model:
  ising:L=16,beta=0.44        Ising model on the periodic L x L lattice (also J=, h=)
  ising_ring:n=8,beta=0.4     Ising model on a ring of n spins (also J=, h=)
  potts:L=8,q=3,beta=1.0      q-state Potts model on the periodic L x L lattice
  potts_ring:n=8,q=3,beta=1   q-state Potts model on a ring
  model.json                  a DAG (natabs.dag) or factor graph (natabs.factors); formats:
                              python -m pydoc natabs.io"""

_FMT = argparse.RawDescriptionHelpFormatter


def _common(p: argparse.ArgumentParser, *, plot: bool = True) -> None:
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    if plot:
        p.add_argument("--plot", metavar="FILE.png", help="also save a figure (needs matplotlib)")


def add_survey(sub: Any) -> None:
    p = sub.add_parser(
        "survey",
        help="R_k for the catalog systems and standard transformations",
        formatter_class=_FMT,
        description="Conserved information R_k of the catalog systems; R_k before and after "
        "standard transformations with the proven bounds; surviving information at T = 1, 10, 100.",
        epilog="examples:\n  natabs survey\n  natabs survey --json > survey.json\n  natabs survey --plot survey.png",
    )
    _common(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=_commands.survey)


def add_conserved(sub: Any) -> None:
    p = sub.add_parser(
        "conserved",
        help="conserved information R_k of a system",
        formatter_class=_FMT,
        description="Exactly conserved information R_k = H(C) under resampling of all k-subsets.",
        epilog="examples:\n  natabs conserved copies:n=4 --k 1..4\n  natabs conserved parity:n=5 --k 1,2 --json\n"
        "  natabs conserved table.npy --k 2\n\n" + SPEC_HELP,
    )
    p.add_argument("spec", metavar="SPEC", help="the system (see below)")
    p.add_argument("--k", default="1", help="block sizes: 2, 1..3 or 1,2,4 (default 1)")
    p.add_argument("--base", type=_base, default=2.0, help="logarithm base (default 2: bits)")
    _common(p, plot=False)
    p.set_defaults(run=_commands.conserved)


def add_curve(sub: Any) -> None:
    p = sub.add_parser(
        "curve",
        help="surviving information I_T against the number of steps T",
        formatter_class=_FMT,
        description="I(X^0; X^T) after T resampling steps of k-blocks (or I(NAME; X^T) with --about).",
        epilog="examples:\n  natabs curve noisy_copies:n=6,p=0.1 --steps 0,1,10,100\n"
        "  natabs curve noisy_copies:n=6,p=0.1,latent=true --steps 0..20 --about source --plot c.png\n"
        "  natabs curve noisy_copies:n=12,p=0.1 --steps 1,10,100 --method sampled --samples 200 --seed 0\n\n"
        + SPEC_HELP,
    )
    p.add_argument("spec", metavar="SPEC", help="the system (see below)")
    p.add_argument("--steps", required=True, help="steps T: 0,1,10,100 or 0..20")
    p.add_argument("--k", type=integer(1), default=1, help="block size (default 1)")
    p.add_argument("--about", metavar="NAME", help="a latent variable: report I(NAME; X^T)")
    p.add_argument("--scan", choices=("random", "systematic"), default="random", help="block order")
    p.add_argument(
        "--method",
        choices=("auto", "exact", "sampled"),
        default="auto",
        help="exact propagation or sampled start states (default auto: exact while it is cheap)",
    )
    p.add_argument(
        "--samples", type=integer(1), help="start states drawn by the sampled method (default 1000)"
    )
    p.add_argument(
        "--seed", type=integer(0, 2**64 - 1), help="seed of the sampled method (0 .. 2**64-1)"
    )
    _common(p)
    p.set_defaults(run=_commands.curve)


def add_spectrum(sub: Any) -> None:
    p = sub.add_parser(
        "spectrum",
        help="eigenvalues and relaxation time of the resampling kernel",
        formatter_class=_FMT,
        description="Spectrum of the random-scan resampling kernel of k-blocks.",
        epilog="examples:\n  natabs spectrum ising_ring:n=6,beta=0.4\n  natabs spectrum copies:n=3 --k 2 --json\n"
        "  natabs spectrum noisy_copies:n=8,p=0.1 --top 5 --chi2 1,10,100\n\n" + SPEC_HELP,
    )
    p.add_argument("spec", metavar="SPEC", help="the system (see below)")
    p.add_argument("--k", type=integer(1), default=1, help="block size (default 1)")
    p.add_argument("--top", type=integer(1), help="only the largest TOP eigenvalues")
    p.add_argument("--chi2", metavar="T", help="also the chi-squared information at these steps")
    p.add_argument("--show", type=integer(0), default=12, help="eigenvalues printed (default 12)")
    _common(p)
    p.set_defaults(run=_commands.spectrum)


def add_sample(sub: Any) -> None:
    p = sub.add_parser(
        "sample",
        help="block-Gibbs chains on a model (Ising, Potts, DAG, factor graph)",
        formatter_class=_FMT,
        description="Run independent block-Gibbs chains on a model (natabs.sample) and report, at "
        "each checkpoint, a summary across chains of what --record keeps: the mean of each "
        "variable (states), the magnetisation or majority of binary models, or the entropy of "
        "the joint value of some variables; with a statistic, also the mixing diagnostics.",
        epilog="examples:\n  natabs sample ising:L=16,beta=0.3 --sweeps 0,10,100 --record magnetization\n"
        "  natabs sample potts_ring:n=20,q=3,beta=1 --sweeps 0..5 --chains 200 --k 2 --connected\n"
        "  natabs sample model.json --sweeps 0,10,100 --chains 1000 --save states.npy\n"
        "  natabs sample ising:L=32,beta=0.44 --sweeps 0,1000 --chains 10000 --record majority --progress\n\n"
        + MODEL_HELP,
    )
    p.add_argument(
        "model", metavar="MODEL", help=f"the model (see below: {MODEL_EXAMPLES}, or a JSON file)"
    )
    p.add_argument("--sweeps", required=True, help="checkpoints in sweeps: 0,10,100 or 0..5")
    p.add_argument(
        "--chains", type=integer(1), default=1000, help="number of chains (default 1000)"
    )
    p.add_argument("--k", type=integer(1), default=1, help="block size (default 1)")
    p.add_argument(
        "--connected",
        action="store_true",
        help="blocks: connected sets of k variables in the model's graph (default: all k-subsets)",
    )
    p.add_argument("--scan", choices=("random", "systematic"), default="random", help="block order")
    p.add_argument(
        "--record",
        default="states",
        metavar="WHAT",
        help="states (default), magnetization, majority, or variables a,b,c (their joint value)",
    )
    p.add_argument(
        "--burn-in",
        type=integer(0),
        metavar="SWEEPS",
        help="sweeps run before sweep 0 (default 0, or 100 for a large MRF started at random)",
    )
    p.add_argument("--seed", type=integer(0, 2**64 - 1), default=0, help="random seed (default 0)")
    p.add_argument(
        "--threads",
        type=integer(1, MAX_THREADS),
        help=f"worker threads, 1..{MAX_THREADS} (default: all cores; results do not depend on it)",
    )
    p.add_argument("--progress", action="store_true", help="show a progress bar (needs tqdm)")
    p.add_argument(
        "--save",
        metavar="FILE.npy",
        help="save what was recorded (states: sweeps x chains x n; a statistic: sweeps x chains)",
    )
    _common(p, plot=False)
    p.set_defaults(run=_commands.sample)


def _resolve(entry: str) -> Callable[[Any], None]:
    module, _, name = entry.partition(":")
    return getattr(importlib.import_module(module, __package__), name)


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``natabs`` with every subcommand of :data:`SUBCOMMANDS`."""
    from .. import __version__

    parser = _Parser(
        prog="natabs",
        description="Redundant information under block resampling (natural abstractions).",
        formatter_class=_FMT,
        epilog="""examples:
  natabs survey                         the catalog: R_k, transformations, finite time
  natabs conserved parity:n=5 --k 1..3  conserved information R_k of one system
  natabs curve noisy_copies:n=6,p=0.1 --steps 0,1,10,100
  natabs spectrum ising_ring:n=6,beta=0.4
  natabs sample ising:L=16,beta=0.4 --sweeps 0,10,100 --record magnetization

Errors print one line "natabs: error: ..." and exit with status 2; set NATABS_DEBUG=1
(or pass --debug) to see the traceback instead.

"""
        + SPEC_HELP,
    )
    parser.add_argument("--version", action="version", version=f"natabs {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks instead of one-line errors"
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    for entry in SUBCOMMANDS:
        _resolve(entry)(sub)
    return parser


def subcommands() -> tuple[str, ...]:
    """The names of the subcommands, in the order of ``natabs --help``.

    Examples
    --------
    >>> from natabs.cli._parser import subcommands
    >>> subcommands()[:3]
    ('survey', 'conserved', 'curve')
    """
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return tuple(action.choices)
