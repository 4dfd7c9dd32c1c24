"""Ctrl-C reaches every long native call within about a second.

Each engine of ``natabs._native`` is given work that would run for minutes; a signal
whose handler raises ``KeyboardInterrupt`` (as Python's SIGINT handler does) arrives
after ``DELAY`` seconds, and the exception must follow within ``LIMIT`` seconds. The
bindings release the GIL, poll for signals and cancel the core's work between chunks.
"""

from __future__ import annotations

import itertools
import signal
import time

import numpy as np
import pytest
from natabs import _native
from natabs.engines import _kernel

#: Seconds before the signal, and the most the exception may take after it.
DELAY = 0.3
LIMIT = 2.0


def interrupted(call) -> float:
    """Seconds from the signal to the ``KeyboardInterrupt`` raised by ``call()``."""
    sent: list[float] = []

    def handler(signum, frame):
        sent.append(time.perf_counter())
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, DELAY)
    try:
        with pytest.raises(KeyboardInterrupt):
            call()
        done = time.perf_counter()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert sent, "the call ended before the signal"
    return done - sent[0]


def kernel(n: int, blocks) -> _native.Kernel:
    """The kernel of the uniform law on all ``2**n`` binary states."""
    size = 2**n
    probs = np.full(size, 1.0 / size)
    codes = np.arange(size, dtype=np.uint64)
    return _native.Kernel.from_codes(
        [2] * n, codes, probs, [list(b) for b in blocks], _kernel.MEMORY_BUDGET
    )


def test_exact_propagation_over_many_steps():
    k = kernel(10, [(i,) for i in range(10)])
    starts = np.arange(len(k), dtype=np.uint32)
    steps = np.array([10**12], dtype=np.uint64)
    for scan in ("random", "systematic"):
        assert interrupted(lambda s=scan: k.kl_from_starts(starts, steps, s, 1 << 32)) < LIMIT
    laws = np.full((3, len(k)), 1.0 / len(k))
    assert interrupted(lambda: k.kl_from_laws(laws, steps, "random", 1 << 32)) < LIMIT


def test_dense_kernel():
    n = 12
    blocks = [b for r in (1, 2, 3, 4) for b in itertools.combinations(range(n), r)]
    k = kernel(n, blocks)
    assert interrupted(lambda: k.dense("random", 1 << 32)) < LIMIT


def test_components_of_a_large_support():
    n = 22
    codes = np.arange(2**n, dtype=np.uint64)
    blocks = [list(b) for b in itertools.combinations(range(n), 3)]
    assert interrupted(lambda: _native.components_codes([2] * n, codes, blocks)) < LIMIT


def factor_arrays(scopes, tables):
    scope_vars = np.array([v for s in scopes for v in s], dtype=np.uint32)
    scope_lens = np.array([len(s) for s in scopes], dtype=np.uint32)
    return scope_vars, scope_lens, np.concatenate(tables).astype(np.float64)


def test_chains_with_large_blocks():
    n, width, chains = 120, 12, 4
    scopes = [(i,) for i in range(n)] + [(i, i + 1) for i in range(n - 1)]
    tables = [np.array([0.0, 0.3])] * n + [np.array([0.2, -0.2, -0.2, 0.2])] * (n - 1)
    blocks = [list(range(s, s + width)) for s in range(0, n, width)]
    block_vars = np.array([v for b in blocks for v in b], dtype=np.uint32)
    block_lens = np.array([len(b) for b in blocks], dtype=np.uint32)
    init = np.zeros((chains, n), dtype=np.uint16)
    for scan in ("random", "systematic"):
        engine = _native.GibbsChains(
            [2] * n,
            *factor_arrays(scopes, tables),
            block_vars,
            block_lens,
            scan,
            init,
            0,
        )
        assert interrupted(lambda e=engine: e.advance(10**12)) < LIMIT


def test_chains_on_a_periodic_lattice():
    side, chains = 16, 64
    n = side * side
    scopes = []
    for r in range(side):
        for c in range(side):
            v = r * side + c
            scopes += [(v, r * side + (c + 1) % side), (v, ((r + 1) % side) * side + c)]
    scopes = [tuple(sorted(s)) for s in scopes]
    tables = [np.array([0.4, -0.4, -0.4, 0.4])] * len(scopes)
    block_vars = np.arange(n, dtype=np.uint32)
    block_lens = np.ones(n, dtype=np.uint32)
    init = np.zeros((chains, n), dtype=np.uint16)
    engine = _native.GibbsChains(
        [2] * n,
        *factor_arrays(scopes, tables),
        block_vars,
        block_lens,
        "systematic",
        init,
        0,
    )
    assert engine.fast
    assert interrupted(lambda: engine.advance(10**12)) < LIMIT


def test_ancestral_draws():
    n, card = 64, 256
    rng = np.random.default_rng(0)
    scopes = [(0,)] + [(i - 1, i) for i in range(1, n)]
    tables = [np.log(rng.dirichlet(np.ones(card)))]
    tables += [np.log(rng.dirichlet(np.ones(card), size=card)).ravel() for _ in range(1, n)]
    args = factor_arrays(scopes, tables)
    order = list(range(n))
    assert (
        interrupted(lambda: _native.gibbs_ancestral([card] * n, *args, order, order, 10**6, 0))
        < LIMIT
    )


def test_short_calls_are_not_disturbed():
    # Work below the watched size runs on the calling thread: same results, same errors.
    k = kernel(4, [(0,), (1, 2)])
    v = np.linspace(0.0, 1.0, len(k))
    np.testing.assert_allclose(k.apply_symmetric_block(v[:, None])[:, 0], k.apply_symmetric(v))
    with pytest.raises(ValueError, match="scan must be 'random' or 'systematic'"):
        k.propagate(v, "sideways")
    with pytest.raises(TypeError):
        k.propagate(v, 3)


def test_dense_eigenproblems_run_interruptibly():
    from natabs.engines import _eigensolvers

    # LAPACK cannot be stopped; the caller waits on it in slices, so the interrupt comes
    # through while the worker (here a long sleep) finishes in the background.
    assert interrupted(lambda: _eigensolvers._interruptible(time.sleep, 30)) < LIMIT
    with pytest.raises(ZeroDivisionError):
        _eigensolvers._interruptible(lambda: 1 / 0)
    rng = np.random.default_rng(1)
    a = rng.standard_normal((_eigensolvers.INTERRUPTIBLE_ORDER,) * 2)
    s = (a + a.T) / 2
    np.testing.assert_array_equal(_eigensolvers._eigh(s, vectors=False), np.linalg.eigvalsh(s))
