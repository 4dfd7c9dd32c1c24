"""The natabs command: every subcommand on small inputs, exit codes, JSON shape, errors.

Every subcommand runs the real engines on tiny systems, and its numbers are checked against
the library functions (and, where THEORY.md gives one, the exact value). Bad files and
arguments are in test_cli_errors.py.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys

import natabs as na
import numpy as np
import pytest
from natabs.cli import main, parse_ints

DAG = {
    "format": "natabs.dag",
    "version": 1,
    "nodes": [
        {"name": "a", "card": 2, "parents": [], "cpd": [0.5, 0.5]},
        {"name": "b", "card": 2, "parents": ["a"], "cpd": [[0.9, 0.1], [0.1, 0.9]]},
    ],
}


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def assert_user_error(capsys, argv, *fragments):
    rc, _, err = run(capsys, *argv)
    assert rc == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("natabs: error: "), err
    assert "Traceback" not in err
    for f in fragments:
        assert f in lines[0]
    return lines[0]


# -- parsing ----------------------------------------------------------------------------------


def test_parse_ints():
    assert parse_ints("1..3") == [1, 2, 3]
    assert parse_ints("1,2,4") == [1, 2, 4]
    assert parse_ints(" 0 , 5..6") == [0, 5, 6]


@pytest.mark.parametrize("bad", ["a", "3..1", "1,,2", "-1", "1..x"])
def test_bad_int_lists(capsys, bad):
    assert_user_error(capsys, ["conserved", "copies:n=3", "--k", bad], "--k")


# -- conserved ---------------------------------------------------------------------------------


def test_conserved_text(capsys):
    rc, out, err = run(capsys, "conserved", "parity:n=4", "--k", "1..2")
    assert rc == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "system  parity:n=4  (n=4, support=8)"
    assert lines[2].split() == ["1", "3.000000", "8"]
    assert lines[3].split() == ["2", "0.000000", "1"]


def test_conserved_json_shape(capsys):
    rc, out, _ = run(capsys, "conserved", "copies:n=4,card=3", "--k", "1,3,4", "--json")
    data = json.loads(out)
    assert rc == 0
    assert data["system"] == "copies:n=4,card=3" and data["n"] == 4 and data["support"] == 3
    assert [r["k"] for r in data["results"]] == [1, 3, 4]
    assert [r["bits"] for r in data["results"]] == pytest.approx(
        [np.log2(3)] * 2 + [0.0], abs=1e-12
    )
    assert set(data["results"][0]) == {"k", "bits", "masses", "n_components", "base", "blocks"}


def test_conserved_base(capsys):
    rc, out, _ = run(capsys, "conserved", "copies:n=2,card=4", "--base", "4", "--json")
    assert rc == 0 and json.loads(out)["results"][0]["bits"] == pytest.approx(1.0)


def test_spec_npy_and_json(tmp_path, capsys):
    table = np.zeros((2, 2, 2))
    table[0, 0, 0] = table[1, 1, 1] = 0.5
    np.save(tmp_path / "t.npy", table)
    rc, out, _ = run(capsys, "conserved", str(tmp_path / "t.npy"), "--k", "2", "--json")
    assert rc == 0 and json.loads(out)["results"][0]["bits"] == 1.0
    na.systems.parity(3).to_json(tmp_path / "p.json")
    rc, out, _ = run(capsys, "conserved", str(tmp_path / "p.json"), "--json")
    assert rc == 0 and json.loads(out)["results"][0]["bits"] == 2.0


def test_spec_errors(tmp_path, capsys):
    assert_user_error(
        capsys, ["conserved", "nonsense"], "unknown system 'nonsense'", "noisy_copies"
    )
    assert_user_error(capsys, ["conserved", "copies:n"], "key=value")
    assert_user_error(capsys, ["conserved", "copies:m=3"], "unexpected keyword")
    assert_user_error(capsys, ["conserved", "noisy_copies:n=3,p=2"], "strictly between 0 and 1")
    assert_user_error(capsys, ["conserved", str(tmp_path / "missing.json")], "No such file")
    (tmp_path / "bad.json").write_text('{"format": "natabs.system", "version": 1}')
    assert_user_error(capsys, ["conserved", str(tmp_path / "bad.json")], '"cards"')
    np.save(tmp_path / "neg.npy", np.array([0.5, -0.5, 1.0]))
    assert_user_error(capsys, ["conserved", str(tmp_path / "neg.npy")], "negative")


def test_argparse_errors_are_one_line(capsys):
    assert_user_error(capsys, ["bogus"], "invalid choice")
    assert_user_error(capsys, [], "required")
    assert_user_error(capsys, ["curve", "copies:n=3"], "--steps")


@pytest.mark.parametrize(
    "argv", [[], ["survey"], ["conserved"], ["curve"], ["spectrum"], ["sample"]]
)
def test_help_everywhere(capsys, argv):
    rc, out, _ = run(capsys, *argv, "--help")
    assert rc == 0
    assert "examples:" in out and "natabs" in out


# -- survey -------------------------------------------------------------------------------------


def test_survey_json_shape(capsys):
    rc, out, _ = run(capsys, "survey", "--json")
    data = json.loads(out)
    assert rc == 0 and set(data) == {"conserved", "transformations", "finite_time"}
    row = data["conserved"][0]
    assert row == {"system": "copies(4)", "n": 4, "support": 2, "R": [1.0, 1.0, 1.0, 1.0, 0.0]}


def test_survey_with_transformations_and_finite_time(capsys, tmp_path):
    png = tmp_path / "s.png"
    rc, out, err = run(capsys, "survey", "--json", "--plot", str(png))
    data = json.loads(out)
    assert rc == 0
    rows = {(r["system"], r["transform"], r["k"]): r for r in data["transformations"]}
    # THEORY §5, failure 1: CNOT on 4 copies loses R_3 although it touches 2 < 3 variables.
    assert rows["copies(4)", "cnot(0, 1)", 3] == {
        "system": "copies(4)",
        "transform": "cnot(0, 1)",
        "k": 3,
        "before": 1.0,
        "after": 0.0,
        "lower": 0.0,
        "upper": 0.0,
        "preserved": False,
    }
    # failure 2: the difference map leaves no redundancy at any k >= 1.
    assert all(rows["copies(4)", "difference_map(0..3)", k]["after"] == 0.0 for k in (1, 2, 3))
    by_system = {r["system"]: r for r in data["finite_time"]}
    assert by_system["copies(4)"]["bits"] == pytest.approx([1.0, 1.0, 1.0], abs=1e-12)
    assert by_system["parity(6)"]["bits"] == pytest.approx([5.0, 5.0, 5.0], abs=1e-12)
    direct = na.surviving_information(na.systems.noisy_copies(6, 0.1), [1, 10, 100], k=1)
    assert by_system["noisy_copies(6, p=0.1)"]["bits"] == pytest.approx(direct.bits, abs=1e-12)
    # coupled pair: the shared value (2 bits) is conserved, the rest is forgotten
    assert by_system["coupled_pair(m=4, n=5)"]["bits"][-1] == pytest.approx(2.0, abs=1e-6)
    assert png.read_bytes()[:4] == b"\x89PNG" and "wrote" in err
    rc, out, _ = run(capsys, "survey", "--no-progress")
    assert "R_k before and after standard transformations" in out and "star_map" in out
    assert "Surviving information I(X^0; X^T)" in out


# -- curve, spectrum, sample ------------------------------------------------------------------------


def table(out: str) -> dict[int, list[float]]:
    """Rows ``T value [stderr]`` of a curve printout, by T."""
    rows = {}
    for line in out.splitlines()[3:]:
        t, *values = line.split()
        rows[int(t)] = [float(v) for v in values]
    return rows


def test_curve_matches_the_library(capsys, tmp_path):
    rc, out, _ = run(capsys, "curve", "noisy_copies:n=4,p=0.1", "--steps", "0,1,10")
    assert rc == 0
    lines = out.splitlines()
    assert lines[1] == "I(X^0; X^T) in bits, k=1, random scan, method: exact"
    assert lines[2].split() == ["T", "bits"]  # no stderr column when exact
    s = na.systems.noisy_copies(4, 0.1)
    direct = na.surviving_information(s, [0, 1, 10], k=1)
    got = table(out)
    assert [got[t][0] for t in (0, 1, 10)] == pytest.approx(direct.bits, abs=1e-6)
    assert got[0][0] == pytest.approx(s.entropy(), abs=1e-6)  # I_0 = H(X)
    rc, out, _ = run(
        capsys,
        "curve",
        "copies:n=3",
        "--steps",
        "0..2",
        "--json",
        "--plot",
        str(tmp_path / "c.png"),
    )
    data = json.loads(out)
    assert (
        rc == 0
        and data["steps"] == [0, 1, 2]
        and data["method"] == "exact"
        and data["about"] is None
    )
    assert data["bits"] == [1.0, 1.0, 1.0] and data["stderr"] == [
        0.0,
        0.0,
        0.0,
    ]  # R_1 = 1: nothing decays
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


def test_curve_about_a_latent(capsys):
    argv = [
        "curve",
        "noisy_copies:n=3,p=0.1,latent=true",
        "--steps",
        "0,1,10",
        "--about",
        "source",
        "--k",
        "2",
        "--scan",
        "systematic",
    ]
    rc, out, _ = run(capsys, *argv)
    assert rc == 0
    assert out.splitlines()[1] == "I(source; X^T) in bits, k=2, systematic scan, method: exact"
    s = na.systems.noisy_copies(3, 0.1, latent=True)
    direct = na.surviving_information(s, [0, 1, 10], k=2, scan="systematic", about="source")
    got = table(out)
    assert [got[t][0] for t in (0, 1, 10)] == pytest.approx(direct.bits, abs=1e-6)
    # I(source; X^0) from the law itself

    def h(names):
        return s.marginal(names).entropy()

    copies = ["x0", "x1", "x2"]
    assert got[0][0] == pytest.approx(h(["source"]) + h(copies) - h(["source", *copies]), abs=1e-6)
    assert_user_error(capsys, [*argv[:-4], "--about", "nobody"], "nobody")


def test_curve_sampled(capsys):
    argv = [
        "curve",
        "noisy_copies:n=5,p=0.1",
        "--steps",
        "1,10",
        "--method",
        "sampled",
        "--samples",
        "300",
        "--seed",
        "1",
        "--json",
    ]
    rc, out, _ = run(capsys, *argv)
    data = json.loads(out)
    assert rc == 0 and data["method"] == "sampled" and min(data["stderr"]) > 0
    exact = na.surviving_information(na.systems.noisy_copies(5, 0.1), [1, 10], k=1)
    for b, e, x in zip(data["bits"], data["stderr"], exact.bits):
        assert abs(b - x) < 5 * e + 1e-9
    _, again, _ = run(capsys, *argv)
    assert json.loads(again) == data  # the seed fixes the draws
    rc, out, _ = run(capsys, *argv[:-1])
    assert out.splitlines()[2].split() == ["T", "bits", "stderr"]
    assert_user_error(capsys, [*argv[:4], "--samples", "0"], "samples")


def test_spectrum_ising_ring(capsys, tmp_path):
    """THEORY §6 item 5: 1 - (1 - tanh 2βJ)/N is an eigenvalue of the single-site kernel."""
    rc, out, _ = run(capsys, "spectrum", "ising_ring:n=4,beta=0.3", "--chi2", "1", "--json")
    data = json.loads(out)
    assert rc == 0 and data["complete"] is True and data["n_unit"] == 1
    ev = np.array(data["eigenvalues"])
    assert ev.size == 16 and np.min(np.abs(ev - (1 - (1 - np.tanh(0.6)) / 4))) < 1e-10
    assert data["relaxation_time"] == pytest.approx(1 / (1 - ev[1]))
    assert data["chi2"]["1"] == pytest.approx(float(np.sum(ev**2) - 1))
    rc, out, _ = run(
        capsys,
        "spectrum",
        "ising_ring:n=4,beta=0.3",
        "--chi2",
        "1",
        "--plot",
        str(tmp_path / "e.png"),
    )
    assert rc == 0 and "eigenvalue-1 modes (components): 1" in out
    assert f"relaxation time: {1 / (1 - ev[1]):.6g} steps" in out
    assert "I_T <= log2(1 + chi2)" in out and (tmp_path / "e.png").exists()


def test_spectrum_components_and_top(capsys):
    # k = 2 on 3 exact copies: the two states are not connected, two unit eigenvalues
    rc, out, _ = run(capsys, "spectrum", "copies:n=3", "--k", "2", "--json", "--chi2", "0,1")
    data = json.loads(out)
    assert rc == 0 and data["eigenvalues"] == [1.0, 1.0] and data["n_unit"] == 2
    assert data["relaxation_time"] is None  # infinite: nothing moves
    assert data["chi2"] == {"0": 1.0, "1": 1.0}
    rc, out, _ = run(capsys, "spectrum", "noisy_copies:n=4,p=0.1", "--top", "2", "--chi2", "3")
    direct = na.spectrum(na.systems.noisy_copies(4, 0.1), k=1, top=2)
    assert rc == 0 and "top 2" in out and f"{direct.eigenvalues[1]:.6g}" in out
    assert f">= {direct.chi2(3):.6g}" in out
    assert_user_error(capsys, ["spectrum", "copies:n=3", "--top", "0"], "top")


def test_sample_runs_the_engine(capsys, tmp_path):
    """``natabs sample`` on a JSON DAG gives exactly what natabs.sample gives, and its means
    match the exact marginals of the model."""
    model = tmp_path / "m.json"
    model.write_text(json.dumps(DAG))
    rc, out, err = run(
        capsys,
        "sample",
        str(model),
        "--sweeps",
        "0,10",
        "--chains",
        "4000",
        "--seed",
        "3",
        "--save",
        str(tmp_path / "s.npy"),
    )
    assert rc == 0 and "wrote" in err
    lines = out.splitlines()
    assert lines[0].startswith(
        f"model  {model}  (n=2, 4000 chains, k=1: 2 blocks of size 1, random scan, seed=3"
    )
    assert lines[2].split() == ["sweep", "a", "b"]
    saved = np.load(tmp_path / "s.npy")
    fg = na.FactorGraph.from_dag(na.io.dag_from_json(model))
    direct = na.sample(fg, [0, 10], chains=4000, k=1, seed=3)
    assert saved.shape == (2, 4000, 2) and saved.dtype == np.uint8
    np.testing.assert_array_equal(saved, direct.states)
    # P(a = 1) = P(b = 1) = 1/2; 4000 chains give a standard error of 0.008.
    for line, row in zip(lines[3:], saved.mean(axis=1)):
        assert [float(v) for v in line.split()[1:]] == pytest.approx(row, abs=5e-5)
        assert row == pytest.approx([0.5, 0.5], abs=0.04)
    # a and b agree with probability 0.9 at every sweep (the chains stay stationary)
    assert (saved[..., 0] == saved[..., 1]).mean(axis=1) == pytest.approx([0.9, 0.9], abs=0.03)


def test_sample_json_and_options(capsys, tmp_path):
    model = tmp_path / "m.json"
    model.write_text(json.dumps(DAG))
    argv = [
        "sample",
        str(model),
        "--sweeps",
        "0..2",
        "--chains",
        "50",
        "--k",
        "2",
        "--scan",
        "systematic",
        "--seed",
        "7",
        "--json",
    ]
    rc, out, _ = run(capsys, *argv, "--threads", "1")
    data = json.loads(out)
    assert rc == 0 and data["names"] == ["a", "b"] and data["shape"] == [3, 50, 2]
    assert data["k"] == 2 and data["scan"] == "systematic" and data["seed"] == 7
    _, out2, _ = run(capsys, *argv, "--threads", "2")
    assert json.loads(out2) == data  # thread count does not change the result
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**DAG, "format": "natabs.system"}))
    assert_user_error(
        capsys,
        ["sample", str(bad), "--sweeps", "0"],
        "is a natabs.system file, not a model",
        "natabs.dag",
    )
    assert_user_error(capsys, ["sample", str(model), "--sweeps", "0", "--chains", "0"], "chains")
    assert_user_error(capsys, ["sample", str(model), "--sweeps", "5,3"], "strictly increasing")


# -- the installed console script --------------------------------------------------------------------


@pytest.mark.parametrize("command", [["-m", "natabs"], ["-m", "natabs.cli"], "script"])
def test_console_script(command):
    """The installed ``natabs`` script and ``python -m natabs`` run main in a fresh process."""
    if command == "script":
        exe = shutil.which("natabs") or os.path.join(os.path.dirname(sys.executable), "natabs")
        if not os.path.exists(exe):
            pytest.skip("the natabs console script is not installed")
        command = [exe]
    else:
        command = [sys.executable, *command]
    done = subprocess.run(
        [*command, "conserved", "copies:n=3", "--k", "1..3", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [r["bits"] for r in json.loads(done.stdout)["results"]] == [1.0, 1.0, 0.0]
    done = subprocess.run(
        [*command, "conserved", "nope"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    done = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0 and done.stdout == f"natabs {na.__version__}\n"


def test_survey_plot_is_legible(capsys, tmp_path):
    """No two labels of the survey figure overlap, and the two panels keep apart."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from natabs.cli import _commands

    captured = {}
    real_close = plt.close

    def keep(fig):  # look at the figure the command saved before it is closed
        captured["fig"] = fig

    plt.close = keep
    try:
        rc, _, _ = run(capsys, "survey", "--no-progress", "--plot", str(tmp_path / "s.png"))
    finally:
        plt.close = real_close
    assert rc == 0 and (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    fig = captured["fig"]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    left, right = fig.axes[:2]
    n_rows = len(_commands.SURVEY_TRANSFORMS)  # at least one row each
    labels = [t for t in right.get_yticklabels() if t.get_text()]
    assert len(labels) >= n_rows and all(", k=" in t.get_text() for t in labels)
    boxes = [t.get_window_extent(renderer) for t in labels]
    for a, b in itertools.pairwise(boxes):
        assert not a.overlaps(b), (a, b)
    assert all(b.x1 <= fig.bbox.x1 and b.x0 >= 0 for b in boxes)  # inside the figure
    assert left.get_tightbbox(renderer).x1 < min(b.x0 for b in boxes)  # panels keep apart
    legend = right.get_legend().get_window_extent(renderer)
    assert not any(legend.overlaps(b) for b in boxes)
    real_close(fig)


# -- sample: every kind of model, every statistic ------------------------------------------------

FACTORS = {
    "format": "natabs.factors",
    "version": 1,
    "names": ["a", "b", "c"],
    "factors": [
        {"scope": ["a", "b"], "table": [[3, 1], [1, 3]]},
        {"scope": [1, 2], "table": [[1, 2], [2, 1]]},
    ],
}


def test_catalog_models_are_the_library_models():
    import networkx as nx
    from natabs.cli import load_model

    assert load_model("ising_ring:n=5,beta=0.4").to_system().same_law(na.systems.ising_ring(5, 0.4))
    direct = na.FactorGraph.ising_lattice(3, 0.3, h=0.2).to_system()
    np.testing.assert_allclose(
        load_model("ising:L=3,beta=0.3,h=0.2").to_system().to_table(), direct.to_table(), atol=1e-15
    )
    potts = na.FactorGraph.potts(nx.cycle_graph(4), 3, 0.7).to_system()
    got = load_model("potts_ring:n=4,q=3,beta=0.7").to_system()
    assert got.names == ("x0", "x1", "x2", "x3")
    np.testing.assert_allclose(got.to_table(), potts.to_table(), atol=1e-15)
    lattice = na.FactorGraph.potts(na.factor_graph.lattice(3), 2, 0.5)
    assert load_model("potts:L=3,q=2,beta=0.5").cards == lattice.cards


@pytest.mark.filterwarnings("ignore:the chains have not mixed")  # 10 sweeps: a short run
@pytest.mark.parametrize(
    ("spec", "record", "make"),
    [
        ("ising:L=4,beta=0.3", "magnetization", lambda: na.FactorGraph.ising_lattice(4, 0.3)),
        ("ising_ring:n=6,beta=0.5", "majority", None),
        ("potts_ring:n=5,q=3,beta=1", "states", None),
        ("potts:L=3,q=3,beta=0.5", "0,4,8", None),
    ],
)
def test_sample_catalog_models_match_natabs_sample(capsys, tmp_path, spec, record, make):
    """The CLI records exactly what natabs.sample records for the same model, seed and options."""
    from natabs.cli import load_model

    saved = tmp_path / "v.npy"
    rc, out, err = run(
        capsys,
        "sample",
        spec,
        "--sweeps",
        "0..9",
        "--chains",
        "300",
        "--seed",
        "4",
        "--record",
        record,
        "--save",
        str(saved),
        "--json",
    )
    assert rc == 0, err
    data = json.loads(out)
    model = make() if make else load_model(spec)
    rec = [int(v) for v in record.split(",")] if record[0].isdigit() else record
    direct = na.sample(model, range(10), chains=300, seed=4, record=rec)
    kept = direct.states if direct.states is not None else direct.values
    np.testing.assert_array_equal(np.load(saved), kept)
    assert data["shape"] == list(kept.shape) and data["seed"] == 4 and len(data["summary"]) == 10
    if record == "magnetization":
        assert [r[0] for r in data["summary"]] == pytest.approx(kept.mean(axis=1).tolist())
        assert data["diagnostics"]["chains"] == 300
        assert np.all(np.abs(kept) <= 1)
    elif record == "majority":
        np.testing.assert_allclose(
            data["summary"], [[np.mean(v == c) for c in (0, 1, 2)] for v in kept]
        )
        assert all(sum(r) == pytest.approx(1.0) for r in data["summary"])
    elif record == "states":
        np.testing.assert_allclose(data["summary"], kept.mean(axis=1))
        assert data["diagnostics"] is None
    else:  # the joint value of three variables: entropy between 0 and 3 log2(3) bits
        assert all(0 <= r[0] <= 3 * np.log2(3) + 1e-12 for r in data["summary"])
        assert data["columns"] == ["H (bits)", "distinct"]


def test_sample_factor_graph_json_and_options(capsys, tmp_path):
    path = tmp_path / "f.json"
    path.write_text(json.dumps(FACTORS))
    fg = na.io.factor_graph_from_json(path)
    rc, out, _ = run(
        capsys,
        "sample",
        str(path),
        "--sweeps",
        "0,3",
        "--chains",
        "2000",
        "--seed",
        "2",
        "--k",
        "2",
        "--connected",
        "--scan",
        "systematic",
        "--json",
    )
    data = json.loads(out)
    assert rc == 0 and data["names"] == ["a", "b", "c"] and data["blocks"] == "2 blocks of size 2"
    direct = na.sample(
        fg, [0, 3], chains=2000, seed=2, blocks=na.blocks.connected(fg.graph, 2), scan="systematic"
    )
    np.testing.assert_allclose(data["means"], direct.states.mean(axis=1))
    exact = fg.to_system()
    marg = [float(exact.marginal([v]).to_table()[1]) for v in ("a", "b", "c")]
    assert data["means"][1] == pytest.approx(marg, abs=0.05)  # started exactly, stays in law
    # the same file is a SPEC for the exact measures (enumerated)
    rc, out, _ = run(capsys, "conserved", str(path), "--json")
    assert rc == 0 and json.loads(out)["support"] == exact.size == 8
    rc, out, _ = run(
        capsys,
        "sample",
        str(path),
        "--sweeps",
        "0,3",
        "--chains",
        "50",
        "--seed",
        "2",
        "--record",
        "a,c",
    )
    assert rc == 0 and out.splitlines()[1] == "the joint value of a, c across chains"
    assert out.splitlines()[2].split() == ["sweep", "H", "(bits)", "distinct"]


def test_sample_text_shows_diagnostics(capsys):
    rc, out, _ = run(
        capsys,
        "sample",
        "ising:L=3,beta=0.2",
        "--sweeps",
        "0..5",
        "--chains",
        "400",
        "--record",
        "magnetization",
        "--seed",
        "1",
    )
    lines = out.splitlines()
    assert rc == 0 and lines[0].startswith(
        "model  ising:L=3,beta=0.2  (n=9, 400 chains, k=1: 9 blocks"
    )
    assert lines[2].split() == ["sweep", "mean", "m", "mean", "|m|", "std", "m"]
    assert lines[-1].startswith("mixing: split-R-hat ")


def test_dag_json_is_a_spec_for_the_measures(capsys, tmp_path):
    model = tmp_path / "m.json"
    model.write_text(json.dumps(DAG))
    rc, out, _ = run(capsys, "conserved", str(model), "--k", "1", "--json")
    exact = na.System.from_dag(na.io.dag_from_json(model))
    assert rc == 0 and json.loads(out)["results"][0]["bits"] == pytest.approx(
        na.conserved_information(exact, k=1)
    )


def test_version(capsys):
    rc, out, _ = run(capsys, "--version")
    assert rc == 0 and out == f"natabs {na.__version__}\n"


def test_one_line_per_subcommand_registration():
    """Subcommands come from one table: each entry adds exactly one subcommand."""
    from natabs.cli import _parser

    assert len(_parser.SUBCOMMANDS) == len(_parser.subcommands())
    assert _parser.subcommands() == ("survey", "conserved", "curve", "spectrum", "sample", "sweep")
