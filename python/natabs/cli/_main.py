"""Spec parsing, the subcommands and the argument parser of ``natabs``."""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from .. import systems
from .._results import jsonable
from ..measures._conserved import conserved, conserved_information
from ..errors import NatabsError
from ..systems._support import System

__all__ = ["main", "load_system", "parse_ints"]

#: Catalog systems surveyed by ``natabs survey``: (label, factory).
SURVEY = (
    ("copies(4)", lambda: systems.copies(4)),
    ("copies(3, card=3)", lambda: systems.copies(3, card=3)),
    ("noisy_copies(6, p=0.1)", lambda: systems.noisy_copies(6, 0.1)),
    ("coupled_pair(m=4, n=5)", lambda: systems.coupled_pair(4, 5)),
    ("parity(6)", lambda: systems.parity(6)),
    ("ising_ring(8, beta=0.4)", lambda: systems.ising_ring(8, 0.4)),
)

#: Standard transformations surveyed when ``natabs.survives`` exists (THEORY §5):
#: (system label, system factory, transformation label, factory taking natabs.transforms).
SURVEY_TRANSFORMS: tuple[tuple[str, Callable[[], System], str, Callable[[Any], Any]], ...] = (
    ("copies(4)", lambda: systems.copies(4), "cnot(0, 1)", lambda nt: nt.cnot(0, 1)),
    ("copies(4)", lambda: systems.copies(4), "difference_map(0..3)", lambda nt: nt.difference_map([0, 1, 2, 3])),
    ("copies(4)", lambda: systems.copies(4), "prefix_xor(0..3)", lambda nt: nt.prefix_xor([0, 1, 2, 3])),
    ("noisy_copies(5, p=0.1)", lambda: systems.noisy_copies(5, 0.1), "star_map(1..4, ref=0)",
     lambda nt: nt.star_map([1, 2, 3, 4], 0)),
    ("parity(4)", lambda: systems.parity(4), "cnot(0, 1)", lambda nt: nt.cnot(0, 1)),
)

#: Steps at which ``survey`` reports finite-time information when the engine exists.
SURVEY_STEPS = (1, 10, 100)


class UsageError(Exception):
    """A mistake on the command line: reported as one line, exit status 2."""


# -- parsing helpers ---------------------------------------------------------------------------


def parse_ints(text: str, *, name: str = "value") -> list[int]:
    """Integers from ``"1..3"`` (inclusive range), ``"1,2,4"`` or a mix ``"0,2..4"``.

    Examples
    --------
    >>> from natabs.cli import parse_ints
    >>> parse_ints("1..3"), parse_ints("1,2,4"), parse_ints("0,10..12")
    ([1, 2, 3], [1, 2, 4], [0, 10, 11, 12])
    """
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        try:
            if ".." in part:
                lo, hi = (int(x) for x in part.split(".."))
                if hi < lo:
                    raise UsageError(f"{name}: empty range {part!r} (write low..high)")
                out.extend(range(lo, hi + 1))
            else:
                out.append(int(part))
        except ValueError:
            raise UsageError(
                f"{name}: {text!r} is not a list of integers (examples: 3, 1..3, 1,2,4)"
            ) from None
    if any(v < 0 for v in out):
        raise UsageError(f"{name}: values must be >= 0, got {text!r}")
    return out


def _catalog_value(text: str) -> Any:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def load_system(spec: str) -> System:
    """The System a SPEC names: ``name:key=value,...``, a ``.npy`` table or a ``.json`` file.

    Examples
    --------
    >>> from natabs.cli import load_system
    >>> load_system("noisy_copies:n=3,p=0.25")
    System(n=3, cards=(2, 2, 2), support=8, names=('x0', 'x1', 'x2'))
    >>> load_system("parity:n=4").size
    8
    """
    lower = spec.lower()
    if lower.endswith(".npy"):
        try:
            table = np.load(spec, allow_pickle=False)
        except ValueError as e:
            raise UsageError(f"{spec}: not a numeric .npy table ({e})") from None
        try:
            return System.from_table(table)
        except TypeError as e:
            raise UsageError(f"{spec}: {e}") from None
    if lower.endswith(".json"):
        from ..io import from_json

        return from_json(spec)
    name, _, params = spec.partition(":")
    cat = systems.catalog()
    if name not in cat:
        raise UsageError(
            f"unknown system {spec!r}: give a catalog name ({', '.join(cat)}) with parameters "
            "like noisy_copies:n=9,p=0.1, a .npy table or a .json system file"
        )
    kwargs: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in params.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise UsageError(f"{spec!r}: parameter {item!r} must be key=value")
        kwargs[key.strip()] = _catalog_value(value.strip())
    try:
        return cat[name](**kwargs)
    except TypeError as e:
        raise UsageError(f"{spec!r}: {e}") from None


def _need(name: str, command: str) -> Any:
    import natabs

    if not hasattr(natabs, name):
        raise UsageError(
            f"`natabs {command}` needs natabs.{name}, which this installation of natabs "
            f"({natabs.__version__}) does not provide"
        )
    return getattr(natabs, name)


def _result_dict(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    try:
        data = jsonable(obj)
        if isinstance(data, dict):
            return data
    except TypeError:
        pass
    return {f: jsonable(getattr(obj, f, None)) for f in fields}


def _print_json(data: Any) -> None:
    print(json.dumps(jsonable(data), indent=2))


def _save_plot(path: str, draw: Callable[[Any], None], ncols: int = 1) -> None:
    try:
        import matplotlib
    except ImportError:
        raise UsageError('--plot needs matplotlib: pip install "natabs[plot]"') from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(6 * ncols, 4.5), squeeze=False)
    try:
        draw(axes[0] if ncols > 1 else axes[0][0])
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)
    print(f"wrote {path}", file=sys.stderr)


def _progress(items: list[Any], enabled: bool, desc: str) -> Iterable[Any]:
    """``items`` wrapped in a tqdm bar on stderr when tqdm is installed and wanted."""
    if not enabled:
        return items
    try:
        from tqdm import tqdm
    except ImportError:  # the bar is a nicety: go on without it
        return items
    return tqdm(items, desc=desc, file=sys.stderr, leave=False, disable=None)


# -- survey -----------------------------------------------------------------------------------


def _survey(args: argparse.Namespace) -> int:
    import natabs

    has_survives = hasattr(natabs, "survives") and hasattr(natabs, "transforms")
    has_curve = hasattr(natabs, "surviving_information")
    show = not args.no_progress and not args.json
    jobs: list[tuple[str, Any]] = [("system", item) for item in SURVEY]
    if has_survives:
        jobs += [("transform", item) for item in SURVEY_TRANSFORMS]
    rows, trows, frows = [], [], []
    for kind, item in _progress(jobs, show, "survey"):
        if kind == "system":
            label, make = item
            s = make()
            r = [conserved_information(s, k=k) for k in range(s.n + 1)]
            rows.append({"system": label, "n": s.n, "support": s.size, "R": r})
            if has_curve:
                try:
                    c = natabs.surviving_information(s, list(SURVEY_STEPS), k=1)
                    frows.append({"system": label, "k": 1, "steps": list(SURVEY_STEPS),
                                  "bits": [float(b) for b in c.bits]})
                except (NatabsError, TypeError, MemoryError) as e:
                    frows.append({"system": label, "k": 1, "error": str(e)})
        else:
            slabel, make, tlabel, tmake = item
            s = make()
            for k in range(1, s.n):
                try:
                    sv = natabs.survives(s, tmake(natabs.transforms), k=k)
                    trows.append({"system": slabel, "transform": tlabel, "k": k,
                                  **{f: jsonable(getattr(sv, f)) for f in
                                     ("before", "after", "lower", "upper", "preserved")}})
                except (NatabsError, TypeError, AttributeError) as e:
                    trows.append({"system": slabel, "transform": tlabel, "k": k, "error": str(e)})
    data = {
        "conserved": rows,
        "transformations": {"available": has_survives, "rows": trows},
        "finite_time": {"available": has_curve, "rows": frows},
    }
    if args.json:
        _print_json(data)
    else:
        _print_survey(data)
    if args.plot:
        _save_plot(args.plot, lambda axes: _draw_survey(axes, rows, trows), ncols=2 if trows else 1)
    return 0


def _print_survey(data: dict[str, Any]) -> None:
    rows = data["conserved"]
    kmax = max(r["n"] for r in rows)
    head = f"{'system':<26}{'n':>3}{'support':>9}  " + "".join(f"{'R_' + str(k):>7}" for k in range(kmax + 1))
    print("Conserved information R_k (bits) under resampling of all k-subsets")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['system']:<26}{r['n']:>3}{r['support']:>9}  " + "".join(f"{v:>7.3f}" for v in r["R"]))
    print()
    tr = data["transformations"]
    if not tr["available"]:
        print("Transformations: skipped (natabs.survives is not available in this installation)")
    else:
        print("R_k before and after standard transformations, with the proven bounds on after (bits)")
        head = f"{'system':<24}{'transform':<24}{'k':>3}{'before':>8}{'after':>8}{'lower':>8}{'upper':>8}  preserved"
        print(head)
        print("-" * len(head))
        for r in tr["rows"]:
            if "error" in r:
                print(f"{r['system']:<24}{r['transform']:<24}{r['k']:>3}  n/a: {r['error']}")
                continue
            print(f"{r['system']:<24}{r['transform']:<24}{r['k']:>3}{r['before']:>8.3f}{r['after']:>8.3f}"
                  f"{r['lower']:>8.3f}{r['upper']:>8.3f}  {r['preserved']}")
    print()
    ft = data["finite_time"]
    if not ft["available"]:
        print("Finite time: skipped (natabs.surviving_information is not available in this installation)")
    else:
        print("Surviving information I(X^0; X^T) (bits), random scan, single-site blocks")
        head = f"{'system':<26}" + "".join(f"{'T=' + str(t):>9}" for t in SURVEY_STEPS)
        print(head)
        print("-" * len(head))
        for r in ft["rows"]:
            if "error" in r:
                print(f"{r['system']:<26}  n/a: {r['error']}")
            else:
                print(f"{r['system']:<26}" + "".join(f"{b:>9.4f}" for b in r["bits"]))


def _draw_survey(axes: Any, rows: list[dict[str, Any]], trows: list[dict[str, Any]]) -> None:
    from types import SimpleNamespace

    from .. import plot

    ax0 = axes[0] if trows else axes
    for r in rows:
        ax0.plot(range(len(r["R"])), r["R"], marker="o", label=r["system"])
    ax0.set_xlabel("k (block size)")
    ax0.set_ylabel("R_k (bits)")
    ax0.legend(fontsize="small")
    good = [SimpleNamespace(**r, label=f"{r['system']} {r['transform']}") for r in trows if "error" not in r]
    if trows:
        plot.survival(good, ax=axes[1])


# -- conserved, curve, spectrum, sample -----------------------------------------------------------


def _header(spec: str, s: System) -> str:
    return f"system  {spec}  (n={s.n}, support={s.size})"


def _conserved(args: argparse.Namespace) -> int:
    s = load_system(args.spec)
    ks = parse_ints(args.k, name="--k")
    results = [(k, conserved(s, k=k, base=args.base)) for k in ks]
    if args.json:
        out = []
        for k, r in results:
            d = r.to_dict()
            del d["labels"]  # one per support state: too long for a summary
            out.append({"k": k, **d})
        _print_json({"system": args.spec, "n": s.n, "support": s.size, "results": out})
        return 0
    unit = "bits" if args.base == 2 else f"base {args.base:g}"
    print(_header(args.spec, s))
    print(f"{'k':>2}{'R_k (' + unit + ')':>14}{'components':>12}")
    for k, r in results:
        print(f"{k:>2}{r.bits:>14.6f}{r.n_components:>12}")
    return 0


def _curve(args: argparse.Namespace) -> int:
    fn = _need("surviving_information", "curve")
    s = load_system(args.spec)
    steps = parse_ints(args.steps, name="--steps")
    kwargs: dict[str, Any] = {"k": args.k, "scan": args.scan, "method": args.method}
    if args.about is not None:
        kwargs["about"] = args.about
    if args.samples is not None:
        kwargs["samples"] = args.samples
    if args.seed is not None:
        kwargs["seed"] = args.seed
    c = fn(s, steps, **kwargs)
    if args.json:
        _print_json({"system": args.spec, "k": args.k, "scan": args.scan, "about": args.about,
                     **_result_dict(c, ("steps", "bits", "stderr", "method"))})
    else:
        print(_header(args.spec, s))
        what = f"I({args.about}; X^T)" if args.about else "I(X^0; X^T)"
        print(f"{what} in bits, k={args.k}, {args.scan} scan, method: {getattr(c, 'method', '?')}")
        # Exact curves have zero standard errors: the column only appears when sampled.
        err = c.stderr if getattr(c, "method", None) == "sampled" else None
        print(f"{'T':>8}{'bits':>14}" + (f"{'stderr':>12}" if err is not None else ""))
        for i, (t, b) in enumerate(zip(c.steps, c.bits)):
            tail = f"{float(np.asarray(err)[i]):>12.2e}" if err is not None else ""
            print(f"{int(t):>8}{float(b):>14.6f}{tail}")
    if args.plot:
        from .. import plot

        _save_plot(args.plot, lambda ax: plot.curve({args.spec: c}, ax=ax))
    return 0


def _spectrum(args: argparse.Namespace) -> int:
    fn = _need("spectrum", "spectrum")
    s = load_system(args.spec)
    kwargs: dict[str, Any] = {"k": args.k}
    if args.top is not None:
        kwargs["top"] = args.top
    sp = fn(s, **kwargs)
    chi2 = {}
    if args.chi2:
        chi2 = {t: float(sp.chi2(t)) for t in parse_ints(args.chi2, name="--chi2")}
    if args.json:
        out = _result_dict(sp, ("eigenvalues", "n_unit", "relaxation_time", "complete"))
        _print_json({"system": args.spec, "k": args.k, **out,
                     **({"chi2": {str(t): v for t, v in chi2.items()}} if chi2 else {})})
    else:
        print(_header(args.spec, s))
        ev = np.asarray(sp.eigenvalues, dtype=float)
        shown = ev[: args.show]
        print(f"eigenvalues (k={args.k}, {'complete' if sp.complete else 'top ' + str(ev.size)}): "
              + " ".join(f"{v:.6g}" for v in shown) + (" ..." if ev.size > shown.size else ""))
        print(f"eigenvalue-1 modes (components): {sp.n_unit}")
        print(f"relaxation time: {float(sp.relaxation_time):.6g} steps")
        # I_chi2 is a number, not bits; with every eigenvalue known, log2(1 + I_chi2) bounds
        # I_T. From the top eigenvalues only, it is a lower bound and bounds nothing.
        for t, v in chi2.items():
            if sp.complete:
                print(f"chi2 information at T={t}: {v:.6g}  (I_T <= log2(1 + chi2) = {np.log2(1 + v):.6g} bits)")
            else:
                print(f"chi2 information at T={t}: >= {v:.6g}  (from the top {ev.size} eigenvalues only)")
    if args.plot:
        from .. import plot

        _save_plot(args.plot, lambda ax: plot.spectrum(sp, ax=ax))
    return 0


def _sample(args: argparse.Namespace) -> int:
    import natabs

    fg_cls = _need("FactorGraph", "sample")
    run_fn = _need("sample", "sample")
    from ..io import dag_from_json

    G = dag_from_json(args.model)
    model = fg_cls.from_dag(G, cpd="cpd")
    sweeps = parse_ints(args.sweeps, name="--sweeps")
    run = run_fn(model, sweeps=sweeps, chains=args.chains, k=args.k, scan=args.scan, seed=args.seed,
                 threads=args.threads, progress=args.progress)
    states = np.asarray(run.states)
    names = [str(v) for v in G.nodes]
    means = states.mean(axis=1)  # (sweeps, n): mean value of each variable across chains
    if args.save:
        np.save(args.save, states)
        print(f"wrote {args.save} (states, shape {states.shape})", file=sys.stderr)
    if args.json:
        _print_json({"model": args.model, "sweeps": sweeps, "chains": args.chains, "k": args.k,
                     "scan": args.scan, "seed": args.seed, "names": names,
                     "shape": list(states.shape), "means": means})
        return 0
    print(f"model  {args.model}  (n={len(names)}, {args.chains} chains, k={args.k}, {args.scan} scan, "
          f"seed={args.seed}, natabs {natabs.__version__})")
    print("mean value of each variable across chains")
    shown = names[:10]
    print(f"{'sweep':>8}" + "".join(f"{nm[:9]:>10}" for nm in shown) + (" ..." if len(names) > 10 else ""))
    for sw, row in zip(sweeps, means):
        print(f"{sw:>8}" + "".join(f"{v:>10.4f}" for v in row[: len(shown)]))
    return 0


# -- the parser ----------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, no usage block
        raise UsageError(f"{message} (see {self.prog} --help)")


SPEC_HELP = """SPEC names a system:
  copies:n=4                  a catalog system with parameters (also noisy_copies:n=9,p=0.1,
                              coupled_pair:m=4,n=5, parity:n=6, ising_ring:n=8,beta=0.4)
  table.npy                   a dense probability table (numpy .npy, shape = cardinalities)
  system.json                 a system file (format: python -m pydoc natabs.io)"""


def _build_parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="natabs",
        description="Redundant information under block resampling (natural abstractions).",
        formatter_class=fmt,
        epilog="""examples:
  natabs survey                         the catalog: R_k, transformations, finite time
  natabs conserved parity:n=5 --k 1..3  conserved information R_k of one system
  natabs curve noisy_copies:n=6,p=0.1 --steps 0,1,10,100
  natabs spectrum ising_ring:n=6,beta=0.4
  natabs sample model.json --sweeps 0,10,100 --chains 1000

""" + SPEC_HELP,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "survey", help="R_k for the catalog systems and standard transformations",
        formatter_class=fmt,
        description="Conserved information R_k of the catalog systems; R_k before and after "
        "standard transformations with the proven bounds (when natabs.survives is available); "
        "finite-time information (when natabs.surviving_information is available).",
        epilog="examples:\n  natabs survey\n  natabs survey --json > survey.json\n  natabs survey --plot survey.png",
    )
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.add_argument("--plot", metavar="FILE.png", help="also save a figure (needs matplotlib)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=_survey)

    p = sub.add_parser(
        "conserved", help="conserved information R_k of a system", formatter_class=fmt,
        description="Exactly conserved information R_k = H(C) under resampling of all k-subsets.",
        epilog="examples:\n  natabs conserved copies:n=4 --k 1..4\n  natabs conserved parity:n=5 --k 1,2 --json\n"
        "  natabs conserved table.npy --k 2\n\n" + SPEC_HELP,
    )
    p.add_argument("spec", metavar="SPEC", help="the system (see below)")
    p.add_argument("--k", default="1", help="block sizes: 2, 1..3 or 1,2,4 (default 1)")
    p.add_argument("--base", type=float, default=2.0, help="logarithm base (default 2: bits)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(run=_conserved)

    p = sub.add_parser(
        "curve", help="surviving information I_T against the number of steps T", formatter_class=fmt,
        description="I(X^0; X^T) after T resampling steps of k-blocks (or I(NAME; X^T) with --about).",
        epilog="examples:\n  natabs curve noisy_copies:n=6,p=0.1 --steps 0,1,10,100\n"
        "  natabs curve noisy_copies:n=6,p=0.1,latent=true --steps 0..20 --about source --plot c.png\n"
        "  natabs curve noisy_copies:n=12,p=0.1 --steps 1,10,100 --method sampled --samples 200 --seed 0\n\n"
        + SPEC_HELP,
    )
    p.add_argument("spec", metavar="SPEC", help="the system (see below)")
    p.add_argument("--steps", required=True, help="steps T: 0,1,10,100 or 0..20")
    p.add_argument("--k", type=int, default=1, help="block size (default 1)")
    p.add_argument("--about", metavar="NAME", help="a latent variable: report I(NAME; X^T)")
    p.add_argument("--scan", choices=("random", "systematic"), default="random", help="block order")
    p.add_argument("--method", choices=("auto", "exact", "sampled"), default="auto",
                   help="exact propagation or sampled start states (default auto: exact while it is cheap)")
    p.add_argument("--samples", type=int, help="start states drawn by the sampled method (default 1000)")
    p.add_argument("--seed", type=int, help="seed of the sampled method")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.add_argument("--plot", metavar="FILE.png", help="also save a figure (needs matplotlib)")
    p.set_defaults(run=_curve)

    p = sub.add_parser(
        "spectrum", help="eigenvalues and relaxation time of the resampling kernel", formatter_class=fmt,
        description="Spectrum of the random-scan resampling kernel of k-blocks.",
        epilog="examples:\n  natabs spectrum ising_ring:n=6,beta=0.4\n  natabs spectrum copies:n=3 --k 2 --json\n"
        "  natabs spectrum noisy_copies:n=8,p=0.1 --top 5 --chi2 1,10,100\n\n" + SPEC_HELP,
    )
    p.add_argument("spec", metavar="SPEC", help="the system (see below)")
    p.add_argument("--k", type=int, default=1, help="block size (default 1)")
    p.add_argument("--top", type=int, help="only the largest TOP eigenvalues")
    p.add_argument("--chi2", metavar="T", help="also the chi-squared information at these steps")
    p.add_argument("--show", type=int, default=12, help="eigenvalues printed (default 12)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.add_argument("--plot", metavar="FILE.png", help="also save a figure (needs matplotlib)")
    p.set_defaults(run=_spectrum)

    p = sub.add_parser(
        "sample", help="block-Gibbs chains on a DAG model", formatter_class=fmt,
        description="Run independent block-Gibbs chains on a JSON DAG model (format: python -m pydoc "
        "natabs.io) and report the mean of each variable at each checkpoint.",
        epilog="examples:\n  natabs sample model.json --sweeps 0,10,100 --chains 1000\n"
        "  natabs sample model.json --sweeps 0..5 --chains 200 --k 2 --seed 7 --save states.npy\n"
        "  natabs sample model.json --sweeps 0,1000 --chains 100000 --progress",
    )
    p.add_argument("model", metavar="MODEL", help="a JSON DAG model with conditional tables")
    p.add_argument("--sweeps", required=True, help="checkpoints in sweeps: 0,10,100 or 0..5")
    p.add_argument("--chains", type=int, default=1000, help="number of chains (default 1000)")
    p.add_argument("--k", type=int, default=1, help="block size (default 1)")
    p.add_argument("--scan", choices=("random", "systematic"), default="random", help="block order")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--threads", type=int, help="worker threads (default: all cores; results do not "
                   "depend on it)")
    p.add_argument("--progress", action="store_true", help="show a progress bar (needs tqdm)")
    p.add_argument("--save", metavar="FILE.npy", help="save the states (sweeps x chains x n)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(run=_sample)

    from ._sweep import add_parser as add_sweep_parser  # natabs sweep SPEC.toml

    add_sweep_parser(sub, fmt)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``natabs`` command; return its exit status (2 for a user error).

    Examples
    --------
    >>> from natabs.cli import main
    >>> main(["conserved", "nonsense"])
    2
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        return int(args.run(args))
    except SystemExit as e:  # --help
        return int(e.code or 0)
    except (UsageError, NatabsError, ImportError, OSError) as e:
        message = " ".join(str(e).split())
        print(f"natabs: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: the engines stop within about a second
        print("natabs: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
