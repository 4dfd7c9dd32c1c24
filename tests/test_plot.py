"""Plots return their Axes and draw what they are given."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest

import natabs as na

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_redundancy_vs_k_values():
    ax = na.plot.redundancy_vs_k({"a": na.systems.copies(3), "b": na.systems.parity(3)})
    assert isinstance(ax, Axes)
    assert [ln.get_ydata().tolist() for ln in ax.lines] == [[1, 1, 1, 0], [2, 2, 0, 0]]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_redundancy_on_given_axes():
    fig, ax = plt.subplots()
    assert na.plot.redundancy_vs_k(na.systems.copies(2), ks=[2], ax=ax) is ax
    assert ax.lines[0].get_ydata().tolist() == [0.0]


def test_curve_several_with_errors_and_labels():
    c1 = SimpleNamespace(
        steps=np.array([0, 1, 10]), bits=np.array([2.0, 1.5, 1.0]), stderr=np.array([0, 0.1, 0.1])
    )
    c2 = SimpleNamespace(steps=[0, 5], bits=[1.0, 0.5], stderr=None)
    ax = na.plot.curve([c1, c2], labels=["x", "y"])
    assert isinstance(ax, Axes)
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["x", "y"]
    assert ax.lines[-1].get_ydata().tolist() == [1.0, 0.5]
    with pytest.raises(ValueError, match="labels"):
        na.plot.curve([c1, c2], labels=["only one"])


def test_spectrum_sorted_descending():
    ax = na.plot.spectrum(SimpleNamespace(eigenvalues=np.array([0.2, 1.0, 0.7])))
    assert ax.lines[0].get_ydata().tolist() == [1.0, 0.7, 0.2]


def test_survival_rows_and_table():
    rows = [
        SimpleNamespace(before=1.0, after=0.0, lower=0.0, upper=1.0, k=k, transform="cnot")
        for k in (1, 2)
    ]
    ax = na.plot.survival(SimpleNamespace(rows=rows))
    assert isinstance(ax, Axes)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cnot, k=1", "cnot, k=2"]
    assert ax.lines[1].get_ydata().tolist() == [0.0, 0.0]  # the "after" markers


def test_missing_matplotlib_error(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("no matplotlib")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError, match=r'pip install "natabs\[plot\]"'):
        na.plot.spectrum(SimpleNamespace(eigenvalues=[1.0]))
