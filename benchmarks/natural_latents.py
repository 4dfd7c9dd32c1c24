"""Natural-latent errors on a support of about 10^6 states: natabs against pandas.

The system: 20 noisy copies of a fair bit (p = 0.1, all 2**20 = 1,048,576 states) and the
latent "majority of the copies" (ties go to 1); the views are the 20 copies. Every error
(THEORY §7) is a signed sum of joint entropies of sets of variables: H(L), H(X), H(L, X)
and, per view, H(X_i), H(L, X_i), H(X_-i), H(L, X_-i), 83 sets in all.

The peer is what a user writes with pandas: the support as a DataFrame of columns and
probabilities, and ``df.groupby(columns)["p"].sum()`` for each set, then the same entropy
formulas. Both are timed in the same run on the same support; the answers must agree to
1e-9 bits. Building the System and the DataFrame is not timed.

Run:  python benchmarks/natural_latents.py [--n 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import natabs as na
import numpy as np
import pandas as pd


def peer(df: pd.DataFrame, views: list[str], latent: str) -> dict[str, np.ndarray | float]:
    """The errors from pandas group-bys, written the way a user would."""

    def H(cols: list[str]) -> float:
        if not cols:
            return 0.0
        m = df.groupby(cols, sort=False)["p"].sum().to_numpy()
        m = m[m > 0]
        return float(-(m * np.log2(m)).sum())

    m = len(views)
    h_l, h_x, h_lx = H([latent]), H(views), H(views + [latent])
    med = -(m - 1) * h_l - h_lx
    red, strong, det, vdet = [], [], [], []
    for i, v in enumerate(views):
        rest = views[:i] + views[i + 1 :]
        h_v, h_vl, h_r, h_rl = H([v]), H([v, latent]), H(rest), H(rest + [latent])
        med += h_vl
        det.append(h_rl - h_r)
        vdet.append(h_vl - h_v)
        red.append(h_rl - h_r - (h_lx - h_x))
        strong.append(h_vl - h_v - (h_lx - h_x))
    return {
        "mediation": med,
        "redundancy": np.array(red),
        "strong_redundancy": np.array(strong),
        "deterministic_redundancy": np.array(det),
        "view_determinism": np.array(vdet),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20, help="number of noisy copies (2**n states)")
    ap.add_argument("--p", type=float, default=0.1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    n = args.n
    s = na.systems.noisy_copies(n, args.p).with_latent(
        lambda x: 2 * x.sum(axis=1) >= n, name="M", card=2
    )
    views = [f"x{i}" for i in range(n)]
    states = s.states
    df = pd.DataFrame({name: states[:, j] for j, name in enumerate(s.names)})
    df["p"] = s.probs

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        ours = na.natural_latent_errors(s, "M", views=views)
        times.append(time.perf_counter() - t0)
    t_ours = statistics.median(times)
    t0 = time.perf_counter()
    theirs = peer(df, views, "M")
    t_peer = time.perf_counter() - t0

    assert abs(ours.mediation - theirs["mediation"]) < 1e-9, (ours.mediation, theirs["mediation"])
    for key in ("redundancy", "strong_redundancy", "deterministic_redundancy", "view_determinism"):
        assert np.allclose(getattr(ours, key), theirs[key], rtol=0, atol=1e-9), key
    print(
        f"support {s.size} states, {n} views + latent: mediation {ours.mediation:.6g} bits, "
        f"max redundancy {ours.max_redundancy:.6g} bits (both agree to 1e-9)"
    )
    print(
        f"natural_latent_errors: natabs {t_ours:.3f} s (median of {args.repeat}), "
        f"pandas group-by {t_peer:.2f} s, ratio {t_peer / t_ours:.1f}x"
    )


if __name__ == "__main__":
    main()
