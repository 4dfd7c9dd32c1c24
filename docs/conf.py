"""Sphinx configuration for the natabs documentation.

Build (offline, warnings are errors)::

    pip install ".[docs]"
    sphinx-build -W --keep-going docs docs/_build/html

Every script in ``docs/examples`` whose name starts with ``plot_`` is executed at every
build by sphinx-gallery; each is sized to run in about 20 seconds or less, so the whole
build takes about a minute on two cores. Maths is rendered by MathJax served from the
site itself, so the pages read offline.
"""

from __future__ import annotations

import os
import re

# Figures are drawn off-screen: no display is needed, in CI or anywhere else.
os.environ.setdefault("MPLBACKEND", "Agg")

import natabs  # noqa: E402  (the environment above must be set first)

project = "natabs"
author = "the natabs developers"
copyright = "the natabs developers"
release = natabs.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",  # MathJax from the docs' own _static (see "maths, offline" below)
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
]

_HERE = os.path.dirname(os.path.abspath(__file__))

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": rf"{re.escape(os.sep)}plot_",  # every example runs
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "download_all_examples": False,
    "remove_config_comments": True,
    "plot_gallery": "True",
    # A failing example fails the build.
    "only_warn_on_example_error": False,
    "show_memory": False,
    # no execution-times page: its table loads scripts from the network
    "write_computation_times": False,
}

# -- command-line help ------------------------------------------------------------------------
# The reference page of the ``natabs`` command includes its ``--help`` texts, written here at
# every build (fixed width, so the text does not depend on the terminal) so they never drift,
# and ``commands.inc``: one section per subcommand, in the order of ``natabs --help``, so a
# subcommand registered in natabs.cli._parser.SUBCOMMANDS appears without editing the page.


def _write_cli_help() -> None:
    import contextlib
    import io

    from natabs.cli import main
    from natabs.cli._parser import subcommands

    out_dir = os.path.join(_HERE, "api", "cli_help")
    os.makedirs(out_dir, exist_ok=True)
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "92"
    sections = []
    try:
        for command in ("", *subcommands()):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                main([command, "--help"] if command else ["--help"])
            name = command or "natabs"
            with open(os.path.join(out_dir, f"{name}.txt"), "w", encoding="utf-8") as f:
                f.write(buf.getvalue())
            title = f"``natabs {command}``" if command else "``natabs``"
            sections.append(f"{title}\n{'-' * len(title)}\n\n.. literalinclude:: /api/cli_help/{name}.txt\n"
                            "   :language: text\n")
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    with open(os.path.join(out_dir, "commands.inc"), "w", encoding="utf-8") as f:
        f.write("\n".join(sections))


_write_cli_help()

# -- autodoc ------------------------------------------------------------------------------

autodoc_default_options = {
    "members": True,
    "member-order": "bysource",
}
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autosummary_generate = False
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_ivar = False

# -- general ------------------------------------------------------------------------------

templates_path: list[str] = []
exclude_patterns = [
    "_build",
    "examples",  # sources of the gallery; sphinx-gallery renders them into auto_examples
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.json",
    "auto_examples/*.md5",
    "auto_examples/*.pickle",
]
root_doc = "index"
default_role = None  # write :math:`...` explicitly; docstrings use ``code``
pygments_style = "sphinx"
pygments_dark_style = "monokai"

# -- maths, offline -------------------------------------------------------------------------
# MathJax 3 ships in the ``sphinx-mathjax-offline`` package (a docs dependency); its files
# are copied into the site's _static, and pages load them from there, so maths renders
# with no network. The SVG output draws glyphs as paths: no font files are fetched either.

def _mathjax_dir() -> str:
    import importlib.util

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the docs need MathJax from sphinx-mathjax-offline: "
                           "pip install \".[docs]\"")
    path = os.path.join(list(spec.submodule_search_locations)[0], "static")
    if not os.path.isfile(os.path.join(path, "mathjax", "tex-svg.js")):
        raise RuntimeError(f"no MathJax in {path}: reinstall sphinx-mathjax-offline")
    return path


mathjax_path = "mathjax/tex-svg.js"  # relative to _static

# -- HTML ---------------------------------------------------------------------------------

html_theme = "furo"
html_title = f"natabs {release}"
html_static_path = ["_static", _mathjax_dir()]  # the second holds mathjax/
html_theme_options = {
    "navigation_with_keys": True,
}
