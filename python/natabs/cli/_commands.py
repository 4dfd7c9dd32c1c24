"""The subcommands of ``natabs``: one function each, taking the parsed arguments.

Each returns the exit status; mistakes raise :class:`~natabs.cli._spec.UsageError` or the
library's exceptions, which :func:`natabs.cli.main` prints as one line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .. import systems
from .._results import jsonable
from ..systems._support import System
from ._spec import UsageError, load_model, load_system, parse_ints

__all__ = ["conserved", "curve", "sample", "spectrum", "survey"]

#: Catalog systems surveyed by ``natabs survey``: (label, factory).
SURVEY = (
    ("copies(4)", lambda: systems.copies(4)),
    ("copies(3, card=3)", lambda: systems.copies(3, card=3)),
    ("noisy_copies(6, p=0.1)", lambda: systems.noisy_copies(6, 0.1)),
    ("coupled_pair(m=4, n=5)", lambda: systems.coupled_pair(4, 5)),
    ("parity(6)", lambda: systems.parity(6)),
    ("ising_ring(8, beta=0.4)", lambda: systems.ising_ring(8, 0.4)),
)

#: Standard transformations surveyed (THEORY §5): (system label, system factory,
#: transformation label, factory taking natabs.transforms).
SURVEY_TRANSFORMS: tuple[tuple[str, Callable[[], System], str, Callable[[Any], Any]], ...] = (
    ("copies(4)", lambda: systems.copies(4), "cnot(0, 1)", lambda nt: nt.cnot(0, 1)),
    (
        "copies(4)",
        lambda: systems.copies(4),
        "difference_map(0..3)",
        lambda nt: nt.difference_map([0, 1, 2, 3]),
    ),
    (
        "copies(4)",
        lambda: systems.copies(4),
        "prefix_xor(0..3)",
        lambda nt: nt.prefix_xor([0, 1, 2, 3]),
    ),
    (
        "noisy_copies(5, p=0.1)",
        lambda: systems.noisy_copies(5, 0.1),
        "star_map(1..4, ref=0)",
        lambda nt: nt.star_map([1, 2, 3, 4], 0),
    ),
    ("parity(4)", lambda: systems.parity(4), "cnot(0, 1)", lambda nt: nt.cnot(0, 1)),
)

#: Steps at which ``survey`` reports finite-time information.
SURVEY_STEPS = (1, 10, 100)


# -- output helpers ----------------------------------------------------------------------------


def _result_dict(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """A result as JSON data: all its fields, or the named ones when some do not convert."""
    try:
        data = jsonable(obj)
        if isinstance(data, dict):
            return data
    except TypeError:
        pass
    return {f: jsonable(getattr(obj, f, None)) for f in fields}


def _print_json(data: Any) -> None:
    print(json.dumps(jsonable(data), indent=2))


def _save_plot(
    path: str,
    draw: Callable[[Any], None],
    ncols: int = 1,
    size: tuple[float, float] | None = None,
    widths: list[float] | None = None,
) -> None:
    try:
        import matplotlib
    except ImportError:
        raise UsageError('--plot needs matplotlib: pip install "natabs[plot]"') from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1,
        ncols,
        figsize=size or (6 * ncols, 4.5),
        squeeze=False,
        layout="constrained",
        gridspec_kw={"width_ratios": widths},
    )
    try:
        draw(axes[0] if ncols > 1 else axes[0][0])
        fig.savefig(path, dpi=120)
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


def _header(spec: str, s: System) -> str:
    return f"system  {spec}  (n={s.n}, support={s.size})"


def _check_k(k: int, s: Any, option: str = "--k") -> None:
    if k > s.n:
        raise UsageError(f"{option} {k} is larger than the number of variables ({s.n})")


# -- survey ------------------------------------------------------------------------------------


def survey(args: argparse.Namespace) -> int:
    """The catalog: R_k, R_k before and after standard transformations, finite time."""
    import natabs

    from ..measures._conserved import conserved_information

    show = not args.no_progress and not args.json
    jobs: list[tuple[str, Any]] = [("system", item) for item in SURVEY]
    jobs += [("transform", item) for item in SURVEY_TRANSFORMS]
    rows, trows, frows = [], [], []
    for kind, item in _progress(jobs, show, "survey"):
        if kind == "system":
            label, make = item
            s = make()
            r = [conserved_information(s, k=k) for k in range(s.n + 1)]
            rows.append({"system": label, "n": s.n, "support": s.size, "R": r})
            c = natabs.surviving_information(s, list(SURVEY_STEPS), k=1)
            frows.append(
                {
                    "system": label,
                    "k": 1,
                    "steps": list(SURVEY_STEPS),
                    "bits": [float(b) for b in c.bits],
                }
            )
        else:
            slabel, make, tlabel, tmake = item
            s = make()
            for k in range(1, s.n):
                sv = natabs.survives(s, tmake(natabs.transforms), k=k)
                trows.append(
                    {
                        "system": slabel,
                        "transform": tlabel,
                        "k": k,
                        **{
                            f: jsonable(getattr(sv, f))
                            for f in ("before", "after", "lower", "upper", "preserved")
                        },
                    }
                )
    data = {"conserved": rows, "transformations": trows, "finite_time": frows}
    if args.json:
        _print_json(data)
    else:
        _print_survey(data)
    if args.plot:
        height = max(4.5, 0.3 * len(trows) + 1.2)
        _save_plot(
            args.plot,
            lambda axes: _draw_survey(axes, rows, trows),
            ncols=2,
            size=(13, height),
            widths=[1, 1.25],
        )
    return 0


def _print_survey(data: dict[str, Any]) -> None:
    rows = data["conserved"]
    kmax = max(r["n"] for r in rows)
    head = f"{'system':<26}{'n':>3}{'support':>9}  " + "".join(
        f"{'R_' + str(k):>7}" for k in range(kmax + 1)
    )
    print("Conserved information R_k (bits) under resampling of all k-subsets")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['system']:<26}{r['n']:>3}{r['support']:>9}  "
            + "".join(f"{v:>7.3f}" for v in r["R"])
        )
    print()
    print("R_k before and after standard transformations, with the proven bounds on after (bits)")
    head = f"{'system':<24}{'transform':<24}{'k':>3}{'before':>8}{'after':>8}{'lower':>8}{'upper':>8}  preserved"
    print(head)
    print("-" * len(head))
    for r in data["transformations"]:
        print(
            f"{r['system']:<24}{r['transform']:<24}{r['k']:>3}{r['before']:>8.3f}{r['after']:>8.3f}"
            f"{r['lower']:>8.3f}{r['upper']:>8.3f}  {r['preserved']}"
        )
    print()
    print("Surviving information I(X^0; X^T) (bits), random scan, single-site blocks")
    head = f"{'system':<26}" + "".join(f"{'T=' + str(t):>9}" for t in SURVEY_STEPS)
    print(head)
    print("-" * len(head))
    for r in data["finite_time"]:
        print(f"{r['system']:<26}" + "".join(f"{b:>9.4f}" for b in r["bits"]))


def _draw_survey(axes: Any, rows: list[dict[str, Any]], trows: list[dict[str, Any]]) -> None:
    """R_k against k for the catalog (left); before, after and bounds per row (right)."""
    from types import SimpleNamespace

    from .. import plot

    left, right = axes
    markers = "osD^vP"
    for i, r in enumerate(rows):
        left.plot(
            range(len(r["R"])),
            r["R"],
            marker=markers[i % len(markers)],
            label=r["system"],
            alpha=0.85,
        )
    left.set_xlabel("k (block size)")
    left.set_ylabel("R_k (bits)")
    left.set_title("Conserved information of the catalog")
    left.legend(fontsize="small", loc="upper right", framealpha=0.9)
    good = [SimpleNamespace(**r, label=f"{r['system']}: {r['transform']}") for r in trows]
    plot.survival(good, ax=right, horizontal=True)
    right.set_title("R_k before and after standard transformations")


# -- conserved, curve, spectrum ------------------------------------------------------------------


def conserved(args: argparse.Namespace) -> int:
    """Conserved information R_k of one system at each --k."""
    from ..measures._conserved import conserved as conserved_

    s = load_system(args.spec)
    ks = parse_ints(args.k, name="--k")
    for k in ks:
        _check_k(k, s)
    results = [(k, conserved_(s, k=k, base=args.base)) for k in ks]
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


def curve(args: argparse.Namespace) -> int:
    """Surviving information I_T at each of --steps."""
    from ..measures._finite_time import surviving_information

    s = load_system(args.spec)
    _check_k(args.k, s)
    steps = parse_ints(args.steps, name="--steps")
    kwargs: dict[str, Any] = {"k": args.k, "scan": args.scan, "method": args.method}
    for name in ("about", "samples", "seed"):
        if getattr(args, name) is not None:
            kwargs[name] = getattr(args, name)
    c = surviving_information(s, steps, **kwargs)
    if args.json:
        _print_json(
            {
                "system": args.spec,
                "k": args.k,
                "scan": args.scan,
                "about": args.about,
                **_result_dict(c, ("steps", "bits", "stderr", "method")),
            }
        )
    else:
        print(_header(args.spec, s))
        what = f"I({args.about}; X^T)" if args.about else "I(X^0; X^T)"
        print(f"{what} in bits, k={args.k}, {args.scan} scan, method: {c.method}")
        # Exact curves have zero standard errors: the column only appears when sampled.
        err = np.asarray(c.stderr) if c.method == "sampled" else None
        print(f"{'T':>8}{'bits':>14}" + (f"{'stderr':>12}" if err is not None else ""))
        for i, (t, b) in enumerate(zip(c.steps, c.bits)):
            tail = f"{float(err[i]):>12.2e}" if err is not None else ""
            print(f"{int(t):>8}{float(b):>14.6f}{tail}")
    if args.plot:
        from .. import plot

        _save_plot(args.plot, lambda ax: plot.curve({args.spec: c}, ax=ax))
    return 0


def spectrum(args: argparse.Namespace) -> int:
    """Eigenvalues, unit modes and relaxation time of the random-scan kernel."""
    from ..measures._spectrum import spectrum as spectrum_

    s = load_system(args.spec)
    _check_k(args.k, s)
    chi2_at = parse_ints(args.chi2, name="--chi2") if args.chi2 else []
    kwargs: dict[str, Any] = {"k": args.k}
    if args.top is not None:
        kwargs["top"] = args.top
    sp = spectrum_(s, **kwargs)
    chi2 = {t: float(sp.chi2(t)) for t in chi2_at}
    if args.json:
        out = _result_dict(sp, ("eigenvalues", "n_unit", "relaxation_time", "complete"))
        _print_json(
            {
                "system": args.spec,
                "k": args.k,
                **out,
                **({"chi2": {str(t): v for t, v in chi2.items()}} if chi2 else {}),
            }
        )
    else:
        print(_header(args.spec, s))
        ev = np.asarray(sp.eigenvalues, dtype=float)
        shown = ev[: args.show]
        print(
            f"eigenvalues (k={args.k}, {'complete' if sp.complete else 'top ' + str(ev.size)}): "
            + " ".join(f"{v:.6g}" for v in shown)
            + (" ..." if ev.size > shown.size else "")
        )
        print(f"eigenvalue-1 modes (components): {sp.n_unit}")
        print(f"relaxation time: {float(sp.relaxation_time):.6g} steps")
        # I_chi2 is a number, not bits; with every eigenvalue known, log2(1 + I_chi2) bounds
        # I_T. From the top eigenvalues only, it is a lower bound and bounds nothing.
        for t, v in chi2.items():
            if sp.complete:
                print(
                    f"chi2 information at T={t}: {v:.6g}  (I_T <= log2(1 + chi2) = {np.log2(1 + v):.6g} bits)"
                )
            else:
                print(
                    f"chi2 information at T={t}: >= {v:.6g}  (from the top {ev.size} eigenvalues only)"
                )
    if args.plot:
        from .. import plot

        _save_plot(args.plot, lambda ax: plot.spectrum(sp, ax=ax))
    return 0


# -- sample ------------------------------------------------------------------------------------


def _record_arg(text: str, model: Any) -> Any:
    """``--record``: 'states', a statistic's name, or a comma-separated list of variables."""
    from ..measures._sampling import STATISTICS

    if text in ("states", *STATISTICS):
        return text
    out: list[Any] = []
    for item in filter(None, (p.strip() for p in text.split(","))):
        out.append(int(item) if item.isdigit() and item not in model.names else item)
    if not out:
        raise UsageError(f"--record: give states, {', '.join(STATISTICS)} or a list of variables")
    return out


def _entropy_bits(values: np.ndarray) -> float:
    _, counts = np.unique(values, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def _summary(run: Any) -> tuple[list[str], list[list[float]]]:
    """Columns and one row per recorded sweep that summarise a run across chains."""
    if run.states is not None:
        return [], [list(row) for row in np.asarray(run.states).mean(axis=1)]
    v = np.asarray(run.values)
    if run.record == "magnetization":
        return ["mean m", "mean |m|", "std m"], [
            [float(r.mean()), float(np.abs(r).mean()), float(r.std())] for r in v
        ]
    if run.record == "majority":
        return ["P(0)", "P(1)", "P(tie)"], [[float((r == c).mean()) for c in (0, 1, 2)] for r in v]
    return ["H (bits)", "distinct"], [[_entropy_bits(r), int(np.unique(r).size)] for r in v]


def sample(args: argparse.Namespace) -> int:
    """Block-Gibbs chains on a model; a summary across chains at each checkpoint."""
    import natabs

    from ..measures._sampling import sample as sample_

    model = load_model(args.model)
    sweeps = parse_ints(args.sweeps, name="--sweeps")
    _check_k(args.k, model)
    record = _record_arg(args.record, model)
    blocks = None
    if args.connected:
        from ..blocks import connected

        blocks = connected(model.graph, args.k)
    run = sample_(
        model,
        sweeps=sweeps,
        chains=args.chains,
        k=None if blocks else args.k,
        blocks=blocks,
        scan=args.scan,
        seed=args.seed,
        threads=args.threads,
        record=record,
        burn_in=args.burn_in,
        progress=args.progress,
    )
    names = [str(v) for v in model.names]
    columns, table = _summary(run)
    if run.states is not None:
        what, columns = "mean value of each variable across chains", names
    elif isinstance(record, str):
        what = f"the {record} of each chain, across chains"
    else:
        what = f"the joint value of {', '.join(map(str, record))} across chains"
    if args.save:
        kept = run.states if run.states is not None else run.values
        np.save(args.save, kept)
        print(
            f"wrote {args.save} ({'states' if run.states is not None else 'values'}, "
            f"shape {kept.shape})",
            file=sys.stderr,
        )
    diag = run.diagnostics
    if args.json:
        _print_json(
            {
                "model": args.model,
                "n": model.n,
                "sweeps": sweeps,
                "chains": args.chains,
                "k": args.k,
                "blocks": run.blocks,
                "scan": args.scan,
                "seed": run.seed,
                "record": run.record,
                "names": names,
                "shape": list((run.states if run.states is not None else run.values).shape),
                "columns": columns,
                "summary": table,
                **({"means": table} if run.states is not None else {}),
                "diagnostics": diag.to_dict() if diag is not None else None,
            }
        )
        return 0
    print(
        f"model  {args.model}  (n={model.n}, {args.chains} chains, k={args.k}: {run.blocks}, {args.scan} scan, "
        f"seed={run.seed}, natabs {natabs.__version__})"
    )
    print(what)
    shown = columns[:10]
    print(
        f"{'sweep':>8}"
        + "".join(f"{c[:9]:>10}" for c in shown)
        + (" ..." if len(columns) > 10 else "")
    )
    for sw, row in zip(sweeps, table):
        print(
            f"{sw:>8}"
            + "".join(
                f"{v:>10}" if isinstance(v, int) else f"{v:>10.4f}" for v in row[: len(shown)]
            )
        )
    if diag is not None:
        print(
            f"mixing: split-R-hat {diag.rhat:.4g}, effective sample size {diag.ess:.4g}, "
            f"autocorrelation time {diag.tau:.4g} sweeps, frozen chains {diag.frozen:.3g}"
        )
    return 0
