"""Sweeps (natabs.sweep) and chains split across workers, on a real local Dask cluster.

Records must not depend on the executor: serial, a process pool and a two-process Dask
cluster give identical records; a worker killed mid-sweep, or a client killed and rerun,
changes nothing but what is computed again (counted). Sampling split across workers is
bit-identical to one process.
"""

from __future__ import annotations

import faulthandler
import functools
import itertools
import json
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import cloudpickle
import distributed  # a test dependency: these tests run on a real local Dask cluster
import natabs as na
import networkx as nx
import numpy as np
import pyarrow.parquet as pq
import pytest
from natabs.errors import InvalidInputError
from natabs.measures._split import parts_for, ranges
from natabs.sweeps import SweepResult, load

GRID = {"L": [3, 4], "T": [2.2, 3.0, -1.0]}  # T = -1 fails


def ising_point(L, T, seed):
    """The sign information of an L x L Ising model at temperature T (a few chains)."""
    if T <= 0:
        raise ValueError(f"temperature must be > 0, got {T}")
    fg = na.FactorGraph.ising_lattice(L, beta=1.0 / T)
    return na.sampled_surviving_information(
        fg, "majority", sweeps=[1, 4], chains=300, seed=seed, threads=1, bootstrap=20
    )


def dying_point(L, T, seed, marker):
    """ising_point, but the first worker to find the marker removes it and dies."""
    try:
        os.remove(marker)
    except FileNotFoundError:
        pass
    else:
        os._exit(1)
    return ising_point(L, T, seed)


def counted_point(L, T, seed, calls, delay=0.0):
    """ising_point, leaving one file in ``calls`` per call (calls counted across processes)."""
    Path(calls, uuid.uuid4().hex).touch()
    time.sleep(delay)
    return ising_point(L, T, seed)


@pytest.fixture(autouse=True)
def watchdog():
    """No test here may hang CI: after 180 s, print every thread's stack and exit."""
    faulthandler.dump_traceback_later(180, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="module")
def serial_records():
    return na.sweep(ising_point, GRID, seed=7, executor="serial", progress=False).records


@pytest.fixture(scope="module")
def pool():
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as ex:
        yield ex


@pytest.fixture(scope="module")
def dask_client():
    # Functions of this module travel by value: the workers need not import the tests.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
        timeout="60s",
    )
    client = distributed.Client(cluster, timeout="60s")
    try:
        yield client
    finally:
        client.close(timeout=20)
        cluster.close(timeout=20)
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


# -- records do not depend on the executor ----------------------------------------------------


def test_serial_records_and_failures(serial_records):
    assert len(serial_records) == 6
    failed = [r for r in serial_records if "error" in r]
    assert [(r["L"], r["T"]) for r in failed] == [(3, -1.0), (4, -1.0)]
    assert failed[0]["error"] == "ValueError: temperature must be > 0, got -1.0"
    for r in serial_records:
        if "error" not in r:
            assert 0 <= r["bits"][1] <= r["bits"][0] <= 1 + 1e-9
            assert r["seed"] == r["result.seed"]  # the point's seed reached the task
    # seeds come from (sweep seed, point): all different, and the same again
    assert len({r["seed"] for r in serial_records}) == 6
    again = na.sweep(ising_point, GRID, seed=7, executor="serial", progress=False)
    assert again.records == serial_records
    other = na.sweep(ising_point, GRID, seed=8, executor="serial", progress=False)
    assert other.records[0]["seed"] != serial_records[0]["seed"]


def test_process_pool_gives_the_same_records(serial_records, pool):
    res = na.sweep(ising_point, GRID, seed=7, executor=pool, progress=False)
    assert res.records == serial_records
    assert (res.computed, res.reused, len(res.failed)) == (6, 0, 2)


def test_dask_gives_the_same_records(serial_records, dask_client):
    ex = dask_client.get_executor()
    res = na.sweep(ising_point, GRID, seed=7, executor=ex, progress=False)
    assert res.records == serial_records


def test_explicit_points_and_order(serial_records):
    pts = [{"T": 3.0, "L": 4}, {"L": 3, "T": 2.2}]
    res = na.sweep(ising_point, pts, seed=7, executor="serial", progress=False)
    want = {(r["L"], r["T"]): r for r in serial_records}
    assert [(r["L"], r["T"]) for r in res] == [(4, 3.0), (3, 2.2)]
    for r in res:
        assert r["bits"] == want[(r["L"], r["T"])]["bits"]


# -- nothing lost, nothing recomputed -----------------------------------------------------------


def test_worker_killed_mid_sweep_on_dask(serial_records, dask_client, tmp_path):
    marker = tmp_path / "die"
    marker.touch()
    before = set(dask_client.scheduler_info()["workers"])
    task = functools.partial(dying_point, marker=str(marker))
    res = na.sweep(task, GRID, seed=7, executor=dask_client.get_executor(), progress=False)
    assert not marker.exists()  # a worker did die
    assert res.records == serial_records
    # the nanny replaced the dead worker: a new address among the workers
    deadline = time.monotonic() + 30
    while len(dask_client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert set(dask_client.scheduler_info()["workers"]) != before


def test_worker_killed_in_the_local_pool(serial_records, tmp_path):
    marker = tmp_path / "die"
    marker.touch()
    task = functools.partial(dying_point, marker=str(marker))
    res = na.sweep(task, GRID, seed=7, progress=False)  # the default pool, rebuilt
    assert not marker.exists()
    assert res.records == serial_records


def test_a_user_pool_that_breaks_raises_and_keeps_the_store(tmp_path):
    marker = tmp_path / "die"
    marker.touch()
    task = functools.partial(dying_point, marker=str(marker))
    store = tmp_path / "store"
    ctx = multiprocessing.get_context("spawn")
    with (
        ProcessPoolExecutor(1, mp_context=ctx) as ex,
        pytest.raises(na.sweeps.SweepError, match="run the sweep again"),
    ):
        na.sweep(task, GRID, seed=7, executor=ex, store=store, progress=False)
    rerun = na.sweep(task, GRID, seed=7, executor="serial", store=store, progress=False)
    assert rerun.computed + rerun.reused == 6


def test_killed_client_rerun_computes_only_the_missing_points(
    serial_records, dask_client, tmp_path
):
    calls, store = tmp_path / "calls", tmp_path / "store"
    calls.mkdir()
    task = functools.partial(counted_point, calls=str(calls), delay=0.25)
    # A client process runs the sweep serially and is killed after a few points.
    script = (
        "import functools, importlib, natabs as na\n"
        f"m = importlib.import_module({__name__!r})\n"
        f"task = functools.partial(m.counted_point, calls={str(calls)!r}, delay=0.25)\n"
        f"na.sweep(task, m.GRID, seed=7, executor='serial', store={str(store)!r},"
        " progress=False)\n"
    )
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, *sys.path])}
    client = subprocess.Popen([sys.executable, "-c", script], env=env)
    journal = store / "points.jsonl"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if journal.exists() and len(journal.read_bytes().splitlines()) >= 2:
                break
            assert client.poll() is None, "the client ended before it was killed"
            time.sleep(0.05)
        else:
            pytest.fail("the client wrote no points in 60 s")
    finally:
        client.send_signal(signal.SIGKILL)
        client.wait(timeout=30)
    stored = len(load(store))
    assert 2 <= stored < 6
    calls_before = len(list(calls.iterdir()))

    res = na.sweep(
        task,
        GRID,
        seed=7,
        executor=dask_client.get_executor(),
        store=store,
        progress=False,
    )
    computed_now = len(list(calls.iterdir())) - calls_before
    assert (res.reused, res.computed) == (stored, 6 - stored)
    assert computed_now == 6 - stored  # counted: only the missing points ran
    assert res.records == serial_records
    # and a third run computes nothing
    again = na.sweep(task, GRID, seed=7, executor="serial", store=store, progress=False)
    assert (again.computed, again.reused) == (0, 6)
    assert len(list(calls.iterdir())) - calls_before == computed_now
    assert again.records == res.records


def test_failed_points_are_recorded_retried_and_rerun(tmp_path):
    calls = tmp_path / "calls"
    calls.mkdir()
    task = functools.partial(counted_point, calls=str(calls))
    store = tmp_path / "store"
    res = na.sweep(task, GRID, seed=7, executor="serial", store=store, retries=2, progress=False)
    assert len(res.failed) == 2 and res.failed[0]["error"].startswith("ValueError")
    assert len(list(calls.iterdir())) == 4 + 2 * 3  # each failing point tried 1 + 2 times
    entries = [json.loads(line) for line in (store / "points.jsonl").read_text().splitlines()]
    assert sorted(e["attempts"] for e in entries) == [1, 1, 1, 1, 3, 3]
    rerun = na.sweep(task, GRID, seed=7, executor="serial", store=store, progress=False)
    assert (rerun.computed, rerun.reused) == (0, 6)  # a failed point is a finished one
    rerun = na.sweep(
        task,
        GRID,
        seed=7,
        executor="serial",
        store=store,
        retry_failed=True,
        progress=False,
    )
    assert (rerun.computed, rerun.reused) == (2, 4)  # unless asked to try them again
    assert rerun.records == res.records


# -- the store --------------------------------------------------------------------------------


def test_store_survives_a_cut_line_and_refuses_another_sweep(tmp_path):
    store = tmp_path / "s"
    first = na.sweep(ising_point, GRID, seed=7, executor="serial", store=store, progress=False)
    with open(store / "points.jsonl", "ab") as f:
        f.write(b'{"key": "{\\"L\\":9')  # a crash in the middle of a line
    again = na.sweep(ising_point, GRID, seed=7, executor="serial", store=store, progress=False)
    assert again.computed == 0 and again.records == first.records
    with pytest.raises(InvalidInputError, match="seed 7"):
        na.sweep(ising_point, GRID, seed=8, executor="serial", store=store, progress=False)
    with pytest.raises(InvalidInputError, match="task"):
        na.sweep(counted_point, GRID, seed=7, executor="serial", store=store, progress=False)


def test_parquet_store_and_frame(tmp_path):
    res = na.sweep(
        ising_point,
        GRID,
        seed=7,
        executor="serial",
        store=tmp_path,
        store_format="parquet",
        progress=False,
    )
    table = pq.read_table(tmp_path / "records.parquet").to_pylist()
    assert [(r["L"], r["T"]) for r in table] == [(r["L"], r["T"]) for r in res]
    assert table[0]["bits"] == res[0]["bits"]
    assert "diagnostics.ess" in table[0]
    import pandas  # noqa: F401  (the test extra installs it: to_frame)

    frame = res.to_frame()
    assert frame.shape[0] == 6 and "error" in frame.columns


def test_results_of_every_shape():
    def task(x):
        return {"dict": {"y": x}, "number": x, "array": np.arange(x)}[kind]

    for kind, want in [
        ("dict", {"y": 2}),
        ("number", {"value": 2}),
        ("array", {"value": [0, 1]}),
    ]:
        res = na.sweep(task, {"x": [2]}, executor="serial", progress=False)
        assert res.records[0] == {"x": 2, **want}
    assert isinstance(res, SweepResult) and "points=1" in repr(res)


def test_bad_input():
    with pytest.raises(TypeError, match="list of values"):
        na.sweep(ising_point, {"L": 3}, executor="serial")
    with pytest.raises(TypeError, match="grid values must be numbers"):
        na.sweep(ising_point, {"L": [object()]}, executor="serial")
    with pytest.raises(InvalidInputError, match="twice"):
        na.sweep(ising_point, [{"L": 3}, {"L": 3}], executor="serial")
    with pytest.raises(InvalidInputError, match="empty"):
        na.sweep(ising_point, {"L": []}, executor="serial")
    with pytest.raises(InvalidInputError, match="retries"):
        na.sweep(ising_point, GRID, executor="serial", retries=-1)
    with pytest.raises(TypeError, match="executor"):
        na.sweep(ising_point, GRID, executor=3)
    with pytest.raises(TypeError, match="top level of a module"):
        na.sweep(lambda L, T: L, GRID, progress=False)  # the local pool pickles by name
    with pytest.raises(InvalidInputError, match="store_format"):
        na.sweep(ising_point, GRID, executor="serial", store="/tmp/x", store_format="csv")
    with pytest.raises(na.errors.TooLargeError):
        na.sweep(
            ising_point,
            {f"a{i}": list(range(100)) for i in range(4)},
            executor="serial",
        )


# -- sampling split across workers ----------------------------------------------------------


def test_ranges_cover_the_chains():
    for chains in (1, 2, 7, 100):
        for parts in (1, 2, 3, 8, 200):
            rs = ranges(chains, parts)
            assert rs[0][0] == 0 and rs[-1][1] == chains
            assert all(a < b for a, b in rs)
            assert all(b == c for (_, b), (c, _) in itertools.pairwise(rs))


def _models():
    dag = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "d")])
    cpd = {
        "a": np.array([0.3, 0.7]),
        "b": np.array([[0.9, 0.1], [0.2, 0.8]]),
        "c": np.array([[0.6, 0.4], [0.1, 0.9]]),
        "d": np.array([[0.5, 0.5], [0.05, 0.95]]),
    }
    for node, table in cpd.items():
        dag.nodes[node]["cpd"] = table
    return {
        "lattice, random start + burn-in": na.FactorGraph.ising_lattice(6, beta=0.45),
        "ring, exact start": na.FactorGraph.ising(nx.cycle_graph(8), beta=0.3),
        "dag, ancestral start": na.FactorGraph.from_dag(dag),
    }


def _same_run(a, b):
    assert a.seed == b.seed and a.steps_per_sweep == b.steps_per_sweep
    for x, y in ((a.states, b.states), (a.values, b.values)):
        assert (x is None) == (y is None)
        if x is not None:
            assert x.dtype == y.dtype and np.array_equal(x, y)


@pytest.mark.parametrize("record", ["states", "magnetization", "codes"])
def test_sample_split_is_bit_identical(record, pool):
    with ThreadPoolExecutor(3) as threads:
        for name, fg in _models().items():
            rec = [0, 2] if record == "codes" else record
            if record == "magnetization" and "dag" in name:
                continue
            one = na.sample(fg, [0, 2, 9], chains=101, seed=11, record=rec, burn_in=5)
            for ex in (pool, threads):
                _same_run(
                    one,
                    na.sample(
                        fg,
                        [0, 2, 9],
                        chains=101,
                        seed=11,
                        record=rec,
                        burn_in=5,
                        executor=ex,
                    ),
                )


def test_sample_split_on_dask_and_sampled_survival(dask_client):
    ex = dask_client.get_executor()
    assert parts_for(ex) == 2  # one range per worker thread
    fg = na.FactorGraph.ising_lattice(5, beta=0.4)
    _same_run(
        na.sample(fg, [0, 3], chains=64, seed=3, scan="systematic"),
        na.sample(fg, [0, 3], chains=64, seed=3, scan="systematic", executor=ex),
    )
    kw = {"sweeps": [1, 6], "chains": 400, "seed": 4, "bootstrap": 50}
    one = na.sampled_surviving_information(fg, "majority", **kw)
    split = na.sampled_surviving_information(fg, "majority", executor=ex, **kw)
    for f in ("bits", "low", "high"):
        assert np.array_equal(getattr(one, f), getattr(split, f))
    assert one.to_dict() == split.to_dict()


def test_sampled_survival_about_a_latent_split(pool):
    g = nx.DiGraph([("s", f"x{i}") for i in range(4)])
    g.nodes["s"]["cpd"] = np.array([0.5, 0.5])
    for i in range(4):
        g.nodes[f"x{i}"]["cpd"] = np.array([[0.9, 0.1], [0.1, 0.9]])
    fg = na.FactorGraph.from_dag(g)
    kw = {"sweeps": [1, 3], "chains": 300, "seed": 2, "bootstrap": 30, "about": "s"}
    one = na.sampled_surviving_information(fg, ["x0", "x1"], **kw)
    split = na.sampled_surviving_information(fg, ["x0", "x1"], executor=pool, **kw)
    assert one.to_dict() == split.to_dict()


def test_sample_refuses_a_non_executor():
    fg = na.FactorGraph.ising_lattice(3, beta=0.3)
    with pytest.raises(TypeError, match="executor"):
        na.sample(fg, [0], chains=4, seed=0, executor="many")


# -- the command line ---------------------------------------------------------------------------

ISING_SPEC = """
measure = "sampled_surviving_information"
seed = 3

[system]
kind = "ising_lattice"
L = 3

[args]
statistic = "majority"
sweeps = [1, 4]
chains = 200
bootstrap = 20
threads = 1

[grid]
system.beta = [0.3, 0.5]
"""


def test_cli_sweep_table_json_store_and_dask(tmp_path, capsys, dask_client):
    from natabs.cli import main

    spec = tmp_path / "ising.toml"
    spec.write_text(ISING_SPEC)
    store = tmp_path / "store"
    assert main(["sweep", str(spec), "--serial", "--store", str(store)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[0] == "system.beta" and "bits" in out[0].split()
    assert out[-1] == "2 points: 2 computed, 0 from the store, 0 failed"
    # the same records on Dask through --scheduler; the store already has them all
    address = dask_client.scheduler.address
    assert main(["sweep", str(spec), "--scheduler", address, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["computed"] == 2
    assert main(["sweep", str(spec), "--store", str(store), "--json"]) == 0
    stored = json.loads(capsys.readouterr().out)
    assert stored["computed"] == 0 and stored["records"] == data["records"]
    r = data["records"][1]
    assert r["system.beta"] == 0.5 and 0 <= r["bits"][1] <= r["bits"][0] <= 1 + 1e-9
    # and the same as calling the measure directly with the point's seed
    fg = na.FactorGraph.ising_lattice(3, beta=0.5)
    direct = na.sampled_surviving_information(
        fg, "majority", sweeps=[1, 4], chains=200, bootstrap=20, seed=r["seed"]
    )
    assert direct.bits.tolist() == r["bits"]


def test_cli_sweep_errors(tmp_path, capsys):
    from natabs.cli import main

    spec = tmp_path / "bad.toml"
    for text, message in [
        ("measure = [", "not valid TOML"),
        ('measure = "nope"', "measure must be one of"),
        ('measure = "spectrum"\n[system]\nkind = "nope"\n[grid]\nk=[1]', "system kind"),
        ('measure = "spectrum"\n[system]\nkind = "copies"', "[grid]"),
        ('measure = "spectrum"\nwhat = 1', "unknown key"),
    ]:
        spec.write_text(text)
        assert main(["sweep", str(spec), "--serial"]) == 2
        assert message in capsys.readouterr().err


def test_split_multispin_lattice_is_bit_identical():
    # Systematic sweeps of a periodic lattice with many chains run 64 chains to a word
    # (multi-spin coding) in batches of 4 words: ranges then hold whole batches.
    from concurrent.futures import ThreadPoolExecutor

    fg = na.FactorGraph.ising_lattice(8, beta=0.4)
    kw = dict(
        sweeps=[0, 3, 7],
        chains=600,
        scan="systematic",
        seed=5,
        burn_in=2,
        record="states",
        progress=False,
    )
    whole = na.sample(fg, **kw)
    assert whole.path == "multispin"
    with ThreadPoolExecutor(3) as ex:
        split = na.sample(fg, executor=ex, **kw)
    assert split.path == "multispin"
    np.testing.assert_array_equal(split.states, whole.states)


def test_empty_grid_is_refused_before_any_point_runs(tmp_path, capsys):
    # The grid maps names to lists of values: {} names none, which is a mistake (a grid
    # built from an empty config), not one point. One point with no parameters is the
    # explicit list [{}].
    calls = []

    def task(**point):
        calls.append(point)
        return 1

    with pytest.raises(InvalidInputError, match="grid has no parameters") as err:
        na.sweep(task, {}, executor="serial", progress=False)
    assert "[{}]" in str(err.value) and not calls
    res = na.sweep(task, [{}], executor="serial", progress=False)
    assert res.records == ({"value": 1},) and not res.failed

    from natabs.cli import main

    spec = tmp_path / "empty.toml"
    for grid in ["[grid]\nsystem = {}", "[grid.system]"]:
        spec.write_text(
            f'measure = "conserved_information"\n[system]\nkind = "copies"\nn = 3\n{grid}'
        )
        assert main(["sweep", str(spec), "--serial"]) == 2
        assert "at least one list of values" in capsys.readouterr().err
