"""The ``natabs`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import systems
from .conserved import conserved_information
from .errors import NatabsError

#: Catalog systems surveyed by ``natabs survey``: (label, factory).
SURVEY = (
    ("copies(4)", lambda: systems.copies(4)),
    ("copies(3, card=3)", lambda: systems.copies(3, card=3)),
    ("noisy_copies(6, p=0.1)", lambda: systems.noisy_copies(6, 0.1)),
    ("coupled_pair(m=4, n=5)", lambda: systems.coupled_pair(4, 5)),
    ("parity(6)", lambda: systems.parity(6)),
    ("ising_ring(8, beta=0.4)", lambda: systems.ising_ring(8, 0.4)),
)


def _survey(args: argparse.Namespace) -> int:
    rows = []
    kmax = 0
    for label, make in SURVEY:
        s = make()
        r = [conserved_information(s, k=k) for k in range(0, s.n + 1)]
        kmax = max(kmax, s.n)
        rows.append((label, s, r))
    head = f"{'system':<26}{'n':>3}{'support':>9}  " + "".join(f"{'R_' + str(k):>7}" for k in range(kmax + 1))
    print("Conserved information R_k (bits) under resampling of all k-subsets")
    print(head)
    print("-" * len(head))
    for label, s, r in rows:
        print(f"{label:<26}{s.n:>3}{s.size:>9}  " + "".join(f"{v:>7.3f}" for v in r))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="natabs",
        description="Redundant information under block resampling.",
        epilog="example: natabs survey",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("survey", help="R_k for the catalog systems")
    p.set_defaults(run=_survey)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except NatabsError as e:
        print(f"natabs: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
