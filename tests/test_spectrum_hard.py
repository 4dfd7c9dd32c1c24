"""Spectra that finish whatever the clustering, and say where ``top`` cuts a cluster."""

from __future__ import annotations

import natabs as na
import numpy as np
import pytest
from natabs.engines import _eigensolvers as eigensolvers
from natabs.engines import _kernel
from natabs.errors import TooLargeError


def random_support(n: int, seed: int, density: float = 0.95) -> na.System:
    rng = np.random.default_rng(seed)
    codes = np.flatnonzero(rng.random(1 << n) < density).astype(np.uint64)
    return na.System.from_codes(codes, rng.random(codes.size), [2] * n, normalize=True)


def near_product(n: int, eps: float, seed: int) -> na.System:
    """Independent bits, slightly coupled: eigenvalue clusters of multiplicity ~n just
    below 1 - 1/n, spread by ``eps``."""
    rng = np.random.default_rng(seed)
    codes = np.arange(1 << n, dtype=np.uint64)
    bits = (codes[:, None] >> np.arange(n, dtype=np.uint64)) & np.uint64(1)
    fields = 0.3 + 0.1 * rng.random(n)
    logp = bits.astype(float) @ np.log(fields / (1 - fields))
    logp += eps * rng.standard_normal(codes.size)
    return na.System.from_codes(codes, np.exp(logp - logp.max()), [2] * n, normalize=True)


@pytest.mark.parametrize("method", ["chebyshev", "lobpcg"])
@pytest.mark.parametrize("top", [3, 10])
def test_top_cutting_a_near_cluster_matches_dense(method, top):
    # Near-product law: 10 eigenvalues within ~1e-3 of each other after the unit one;
    # top = 3 and 10 cut that cluster.
    s = near_product(10, 0.05, seed=1)
    dense = na.spectrum(s, k=1, top=top, method="dense")
    got = na.spectrum(s, k=1, top=top, method=method)
    assert got.converged
    np.testing.assert_allclose(got.eigenvalues, dense.eigenvalues, rtol=0, atol=1e-8)
    spread = dense.eigenvalues[1] - na.spectrum(s, k=1, top=11, method="dense").eigenvalues[-1]
    assert 0 < spread < 0.05  # the test can fail: the cluster is real


@pytest.mark.parametrize("top", [2, 10, 21])
def test_random_support_matches_dense(top):
    s = random_support(11, seed=4)
    dense = na.spectrum(s, k=1, top=top, method="dense")
    got = na.spectrum(s, k=1, top=top, method="chebyshev")
    assert got.converged and got.method == "chebyshev"
    np.testing.assert_allclose(got.eigenvalues, dense.eigenvalues, rtol=0, atol=1e-8)


def test_stalled_block_widens_its_guard(monkeypatch):
    # A block of 2 (want 1, guard 1) inside a cluster of 10 close eigenvalues cannot
    # separate them: the guard must widen and the answer still be right.
    s = near_product(10, 0.05, seed=1)
    monkeypatch.setattr(eigensolvers, "MIN_GUARD", 1)
    grown = []
    block = eigensolvers._Block

    class Spy(block):
        def __init__(self, n, b):
            grown.append(b)
            super().__init__(n, b)

    monkeypatch.setattr(eigensolvers, "_Block", Spy)
    dense = na.spectrum(s, k=1, top=2, method="dense")
    got = na.spectrum(s, k=1, top=2, method="chebyshev")
    assert got.converged
    np.testing.assert_allclose(got.eigenvalues, dense.eigenvalues, rtol=0, atol=1e-8)
    assert max(grown) > min(grown)


@pytest.mark.parametrize("method", ["dense", "chebyshev", "lobpcg"])
def test_a_cut_cluster_is_reported(method):
    # Eight noisy copies: 1, the majority mode, then one eigenvalue 7 times.
    s = na.systems.noisy_copies(8, 0.2)
    sp = na.spectrum(s, k=1, top=5, method=method)
    assert sp.cluster_cut == 4 and "cluster_cut=4" in repr(sp)
    whole = na.spectrum(s, k=1, top=9, method=method)
    assert whole.cluster_cut == 0 and "cluster_cut" not in repr(whole)
    assert sp.to_dict()["cluster_cut"] == 4


def test_cut_unit_eigenvalues_are_reported():
    # Parity of 4 bits under single flips: 8 components; top = 3 lists 3 of 8 unit values.
    sp = na.spectrum(na.systems.parity(4), k=1, top=3, method="chebyshev")
    assert sp.n_unit == 3 and sp.cluster_cut == 5


def test_slow_modes_report_a_cut_cluster():
    modes = na.slow_modes(na.systems.noisy_copies(8, 0.2), k=1, top=3)
    assert modes.cluster_cut == 5  # 2 of the 7 interchangeable modes listed


def test_dense_routes_are_refused_before_minutes_and_gigabytes():
    # spectrum(parity(14), k=2) took 49 s and 1.2 GB: the whole spectrum of 8192 states.
    s = na.systems.parity(14)
    with pytest.raises(TooLargeError, match="top="):
        na.spectrum(s, k=2)
    big = na.systems.noisy_copies(14, 0.2)
    with pytest.raises(TooLargeError, match="dense eigensolver on a support of 16384"):
        na.spectrum(big, k=1, top=3, method="dense")
    with pytest.raises(TooLargeError, match="16384"):
        na.slow_modes(big, k=1, top=2, method="dense")
    # ... while a few leading eigenvalues of the same parity law are fast.
    sp = na.spectrum(s, k=2, top=4)
    assert sp.converged and sp.method == "chebyshev"


def test_blocks_beyond_the_memory_budget_are_refused(monkeypatch):
    monkeypatch.setattr(_kernel, "MEMORY_BUDGET", 4_000_000)
    with pytest.raises(TooLargeError, match="smaller top="):
        na.spectrum(na.systems.noisy_copies(12, 0.2), k=1, top=200)


def test_progress_bar_of_the_sparse_solver(capsys):
    s = na.systems.noisy_copies(11, 0.2)
    quiet = na.spectrum(s, k=1, top=4, method="chebyshev")
    assert "spectrum" not in capsys.readouterr().err
    shown = na.spectrum(s, k=1, top=4, method="chebyshev", progress=True)
    assert "spectrum" in capsys.readouterr().err
    np.testing.assert_array_equal(shown.eigenvalues, quiet.eigenvalues)
    with pytest.raises(TypeError, match="progress"):
        na.spectrum(s, k=1, top=4, progress="yes")
