"""Bad files and arguments: every subcommand answers with one line and exit status 2.

Each subcommand that reads a file is fed binary garbage, empty and truncated ``.npy``
tables, a ``.npy`` header claiming a huge shape, non-UTF-8, deeply nested or empty JSON,
numbers out of a float's range and JSON of the wrong structure; each option gets values out
of its range. The answer is always one line ``natabs: error: ...`` naming the file or option,
status 2, no traceback, and nothing large is allocated first.
"""

from __future__ import annotations

import json
import warnings

import natabs as na
import numpy as np
import pytest
from natabs.cli import _commands, main
from numpy.lib import format as npformat

SYSTEM = {
    "format": "natabs.system",
    "version": 1,
    "cards": [2],
    "states": [[0], [1]],
    "probs": [0.5, 0.5],
}
DAG = {
    "format": "natabs.dag",
    "version": 1,
    "nodes": [
        {"name": "a", "card": 2, "parents": [], "cpd": [0.5, 0.5]},
        {"name": "b", "card": 2, "parents": ["a"], "cpd": [[0.9, 0.1], [0.1, 0.9]]},
    ],
}
FACTORS = {
    "format": "natabs.factors",
    "version": 1,
    "names": ["a", "b"],
    "factors": [{"scope": ["a", "b"], "table": [[3, 1], [1, 3]]}],
}


def one_line_error(capsys, argv, *fragments):
    """Run ``natabs argv``; assert exit 2 with one line ``natabs: error:`` holding fragments."""
    rc = main(list(argv))
    out, err = capsys.readouterr()
    assert rc == 2, (argv, out, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("natabs: error: "), err
    assert len(lines[0]) <= 500
    for f in fragments:
        assert f in lines[0], (f, lines[0])
    return lines[0]


def _npy_header(path, shape, descr="<f8"):
    with open(path, "wb") as f:
        npformat.write_array_header_1_0(f, {"descr": descr, "fortran_order": False, "shape": shape})


def _write(path, data):
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(json.dumps(data), encoding="utf-8")
    return path


def bad_files(tmp_path):
    """name -> (path, a fragment the message must hold)."""
    rng = np.random.default_rng(0)
    garbage = rng.bytes(400)
    np.save(tmp_path / "good.npy", np.full((2, 2), 0.25))
    good = (tmp_path / "good.npy").read_bytes()
    files = {
        "garbage": (
            _write(tmp_path / "garbage.bin", garbage),
            "neither a .npy table nor a JSON file",
        ),
        "garbage npy": (_write(tmp_path / "garbage.npy", garbage), "not a .npy file"),
        "garbage json": (_write(tmp_path / "garbage.json", garbage), "not UTF-8"),
        "empty npy": (_write(tmp_path / "empty.npy", b""), "not a .npy file"),
        "truncated npy": (_write(tmp_path / "trunc.npy", good[:-9]), "truncated"),
        "truncated header": (_write(tmp_path / "head.npy", good[:60]), "header is cut short"),
        "object npy": (tmp_path / "obj.npy", "holds numbers"),
        "text npy": (tmp_path / "text.npy", "holds numbers"),
        "empty json": (_write(tmp_path / "empty.json", b""), "empty file"),
        "latin-1 json": (
            _write(tmp_path / "latin.json", '{"format": "é"}'.encode("latin-1")),
            "not UTF-8",
        ),
        "not json": (_write(tmp_path / "broken.json", '{"format": '), "not valid JSON"),
        "deep list": (
            _write(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000),
            "nested too deeply",
        ),
        "deep object": (
            _write(tmp_path / "deepo.json", '{"a":' * 100_000 + "1" + "}" * 100_000),
            "nested too deeply",
        ),
        "1e400": (
            _write(tmp_path / "big.json", json.dumps(SYSTEM).replace("0.5, 0.5", "1e400, 0.5")),
            "outside the range of a float",
        ),
        "10^400": (
            _write(
                tmp_path / "bigint.json",
                json.dumps(SYSTEM).replace("0.5, 0.5", "1" + "0" * 400 + ", 0.5"),
            ),
            "401 digits",
        ),
        "NaN": (
            _write(tmp_path / "nan.json", json.dumps(SYSTEM).replace("0.5, 0.5", "NaN, 0.5")),
            "NaN",
        ),
        "JSON list": (_write(tmp_path / "list.json", [1, 2]), "got a JSON list"),
        "no format": (_write(tmp_path / "nofmt.json", {"a": 1}), '"format" must be one of'),
        "cards not a list": (_write(tmp_path / "s1.json", {**SYSTEM, "cards": "ab"}), '"cards"'),
        "states not a list": (
            _write(tmp_path / "s2.json", {**SYSTEM, "states": {"a": 1}}),
            '"states"',
        ),
        "ragged states": (
            _write(tmp_path / "s3.json", {**SYSTEM, "states": [[0], [1, 0]]}),
            "states",
        ),
        "probs of strings": (
            _write(tmp_path / "s4.json", {**SYSTEM, "probs": ["a", "b"]}),
            '"probs"',
        ),
        "huge cards": (_write(tmp_path / "s5.json", {**SYSTEM, "cards": [10**18]}), "cardinality"),
        "nodes not a list": (_write(tmp_path / "d1.json", {**DAG, "nodes": "x"}), '"nodes"'),
        "cpd of strings": (
            _write(
                tmp_path / "d2.json",
                {**DAG, "nodes": [{"name": "a", "card": 2, "parents": [], "cpd": "ab"}]},
            ),
            '"cpd"',
        ),
        "cyclic dag": (
            _write(
                tmp_path / "d3.json",
                {
                    **DAG,
                    "nodes": [
                        {"name": "a", "card": 2, "parents": ["a"], "cpd": [[0.5, 0.5], [0.5, 0.5]]}
                    ],
                },
            ),
            "cycle",
        ),
        "scope of a string": (
            _write(
                tmp_path / "f1.json", {**FACTORS, "factors": [{"scope": "ab", "table": [1, 2]}]}
            ),
            '"scope"',
        ),
        "unknown variable": (
            _write(
                tmp_path / "f2.json",
                {**FACTORS, "factors": [{"scope": ["a", "zz"], "table": [[1, 2], [3, 4]]}]},
            ),
            "'zz' is not a variable",
        ),
        "huge index": (
            _write(
                tmp_path / "f3.json",
                {
                    "format": "natabs.factors",
                    "version": 1,
                    "factors": [{"scope": [0, 10**9], "table": [[1, 2], [3, 4]]}],
                },
            ),
            "1000000000 is not a variable",
        ),
        "negative potential": (
            _write(
                tmp_path / "f4.json", {**FACTORS, "factors": [{"scope": ["a"], "table": [-1, 2]}]}
            ),
            ">= 0",
        ),
    }
    np.save(tmp_path / "obj.npy", np.array([1, None], dtype=object), allow_pickle=True)
    np.save(tmp_path / "text.npy", np.array(["a", "b"]))
    return files


HUGE_SHAPES = [(10**6, 10**6, 10**6), (1000, 1000), (2**62, 2)]

COMMANDS = {
    "conserved": lambda p: ["conserved", p],
    "curve": lambda p: ["curve", p, "--steps", "0,1"],
    "spectrum": lambda p: ["spectrum", p],
    "sample": lambda p: ["sample", p, "--sweeps", "0,1", "--chains", "10"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_bad_file_is_one_line(capsys, tmp_path, command):
    for path, fragment in bad_files(tmp_path).values():
        if command == "sample" and (path.suffix == ".npy" or path.name[0] == "s"):
            fragment = "not a model"  # tables and systems: sample says what it takes first
        one_line_error(capsys, COMMANDS[command](str(path)), str(path), fragment)


@pytest.mark.parametrize("shape", HUGE_SHAPES)
@pytest.mark.parametrize("command", ["conserved", "spectrum"])
def test_npy_header_claiming_a_huge_shape_is_refused_before_allocating(
    capsys, tmp_path, command, shape, monkeypatch
):
    path = tmp_path / "huge.npy"
    _npy_header(path, shape)

    def no_load(*a, **k):  # nothing may be read into memory: the header alone decides
        raise AssertionError("np.load called")

    monkeypatch.setattr(np, "load", no_load)
    monkeypatch.setattr(np, "fromfile", no_load)
    line = one_line_error(capsys, COMMANDS[command](str(path)), str(path))
    assert ("truncated" in line) or ("entries" in line)


def test_sample_of_a_table_says_what_sample_takes(capsys, tmp_path):
    np.save(tmp_path / "table.npy", np.full((2, 2), 0.25))
    line = one_line_error(
        capsys,
        ["sample", str(tmp_path / "table.npy"), "--sweeps", "0"],
        "probability table, not a model",
        "ising:L=",
        "natabs.dag",
        "natabs.factors",
    )
    assert "UnicodeDecodeError" not in line
    na.systems.copies(2).to_json(tmp_path / "s.json")
    one_line_error(
        capsys,
        ["sample", str(tmp_path / "s.json"), "--sweeps", "0"],
        "natabs.system file, not a model",
    )
    one_line_error(
        capsys, ["sample", "copies:n=3", "--sweeps", "0"], "catalog system", "not a model"
    )
    one_line_error(
        capsys, ["sample", "nonsense:n=3", "--sweeps", "0"], "unknown model 'nonsense:n=3'"
    )


BAD_ARGUMENTS = [
    (
        ["curve", "copies:n=3", "--steps", "0,1", "--seed", "-1"],
        "--seed",
        "0..18446744073709551615",
    ),
    (["sample", "ising:L=3,beta=0.3", "--sweeps", "0", "--seed", "-1"], "--seed", "out of range"),
    (
        ["sample", "ising:L=3,beta=0.3", "--sweeps", "0", "--seed", str(2**64)],
        "--seed",
        "out of range",
    ),
    (
        ["sample", "ising:L=3,beta=0.3", "--sweeps", "0", "--threads", "99999999999999999999"],
        "--threads",
        "1..1024",
    ),
    (["sample", "ising:L=3,beta=0.3", "--sweeps", "0", "--threads", "0"], "--threads"),
    (
        ["sample", "ising:L=3,beta=0.3", "--sweeps", "0", "--chains", "99999999999999999999"],
        "--chains",
    ),
    (["sample", "ising:L=3,beta=0.3", "--sweeps", "0", "--chains", "1000000000"], "GiB"),
    (["sample", "ising:L=3,beta=0.3", "--sweeps", "0..100000000"], "--sweeps", "at most 10000"),
    (["sample", "ising:L=3,beta=0.3", "--sweeps", "0," + "9" * 30], "--sweeps", "2**63"),
    (["sample", "ising:L=3,beta=0.3", "--sweeps", "5,3"], "strictly increasing"),
    (["sample", "ising:L=3,beta=0.3", "--sweeps", "0", "--k", "99"], "--k 99", "9"),
    (["sample", "ising:L=3,beta=0.3", "--sweeps", "0", "--burn-in", "-1"], "--burn-in"),
    (["sample", "ising:L=3,beta=0.3", "--sweeps", "0", "--record", "nobody"], "nobody"),
    (["sample", "potts:L=3,q=3,beta=1", "--sweeps", "0", "--record", "magnetization"], "binary"),
    (["sample", "potts:L=3,q=65536,beta=1", "--sweeps", "0"], "q must lie in 2..1024"),
    (["sample", "ising:L=100000,beta=0.3", "--sweeps", "0"], "the number of spins", "262144"),
    (["sample", "ising:L=4,beta=1e400", "--sweeps", "0"], "beta must be finite"),
    (["sample", "ising:L=4", "--sweeps", "0"], "beta"),
    (["conserved", "copies:n=3", "--k", "1..100000000"], "--k", "100000000 values"),
    (["conserved", "copies:n=3", "--k", "5"], "--k 5 is larger than the number of variables (3)"),
    (["conserved", "copies:n=3", "--base", "nan"], "--base", "finite"),
    (["conserved", "copies:n=3", "--base", "1"], "--base", "not 1"),
    (["conserved", "noisy_copies:n=99999999999999,p=0.1"], "n=99999999999999 is too large"),
    (["conserved", "copies:n=" + "9" * 5000], "copies:n=999"),
    (["conserved", "ising:L=8,beta=0.3"], "joint states"),
    (["curve", "copies:n=3", "--steps", "0..100000000"], "--steps", "at most 10000"),
    (["curve", "copies:n=3", "--steps", "0", "--k", "0"], "--k", "1.."),
    (["curve", "copies:n=3", "--steps", "0,1", "--samples", "0"], "--samples"),
    (["spectrum", "copies:n=3", "--show", "-1"], "--show", "0.."),
    (["spectrum", "copies:n=3", "--top", "99999999999999999999"], "--top", "out of range"),
    (["spectrum", "copies:n=3", "--top", "0"], "--top"),
    (["spectrum", "copies:n=3", "--chi2", "-1"], "--chi2"),
    (["survey", "--plot", "/nonexistent-folder/x.png"], "/nonexistent-folder/x.png"),
    (["survey", "--bogus"], "--bogus"),
    (["--bogus"], "required"),
]


@pytest.mark.parametrize(
    "argv", [a for a, *_ in BAD_ARGUMENTS], ids=[" ".join(a)[:60] for a, *_ in BAD_ARGUMENTS]
)
def test_every_bad_argument_is_one_line(capsys, argv):
    fragments = next(f for a, *f in BAD_ARGUMENTS if a is argv)
    one_line_error(capsys, argv, *fragments)


def test_debug_shows_the_traceback(capsys, monkeypatch):
    with pytest.raises(Exception, match="unknown system"):
        main(["--debug", "conserved", "nonsense"])
    monkeypatch.setenv("NATABS_DEBUG", "1")
    with pytest.raises(Exception, match="unknown system"):
        main(["conserved", "nonsense"])
    monkeypatch.setenv("NATABS_DEBUG", "0")
    assert main(["conserved", "nonsense"]) == 2


def test_a_bug_keeps_its_traceback(monkeypatch):
    """Only the errors a bad input can cause become one line; a KeyError is a bug and surfaces."""

    def broken(args):
        return {}["missing"]

    monkeypatch.setattr(_commands, "conserved", broken)
    with pytest.raises(KeyError):
        main(["conserved", "copies:n=3"])


def test_warnings_are_one_line(capsys, monkeypatch):
    def warns(args):
        warnings.warn("the chains have not mixed\nrun longer", RuntimeWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(_commands, "conserved", warns)
    assert main(["conserved", "copies:n=3"]) == 0
    err = capsys.readouterr().err
    assert err == "natabs: warning: the chains have not mixed run longer\n"


def test_npy_tables_in_any_layout_read_as_numpy_reads_them(capsys, tmp_path):
    """Fortran order, big-endian and integer tables give the law numpy.load gives."""
    from natabs.cli import load_system

    table = np.arange(1.0, 7.0).reshape(2, 3) / 21
    for name, arr in [
        ("c", table),
        ("f", np.asfortranarray(table)),
        ("be", table.astype(">f8")),
        ("int", np.array([[0, 1], [0, 0]])),
    ]:
        np.save(tmp_path / f"{name}.npy", arr)
        got = load_system(str(tmp_path / f"{name}.npy"))
        expected = na.System.from_table(
            np.load(tmp_path / f"{name}.npy") / np.load(tmp_path / f"{name}.npy").sum()
        )
        np.testing.assert_allclose(got.to_table(), expected.to_table(), rtol=0, atol=1e-15)


def test_json_too_large_is_refused_before_reading(capsys, tmp_path, monkeypatch):
    from natabs.cli import _spec

    monkeypatch.setattr(_spec, "MAX_JSON_BYTES", 100)
    path = _write(tmp_path / "big.json", {**SYSTEM, "names": ["x" * 200]})
    one_line_error(capsys, ["conserved", str(path)], "at most 100 bytes")
