"""``main``: run the ``natabs`` command, each mistake reported as one line with exit status 2."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from ..errors import NatabsError
from ._parser import build_parser
from ._spec import UsageError

__all__ = ["USER_ERRORS", "main"]

#: What a bad file or argument can raise on its way through the library. Each is printed as
#: one line; anything else is a bug in natabs and keeps its traceback.
USER_ERRORS: tuple[type[BaseException], ...] = (
    UsageError,
    NatabsError,
    TypeError,
    ValueError,  # UnicodeDecodeError and json's errors among them
    OverflowError,
    RecursionError,
    MemoryError,
    OSError,
    ImportError,
)

#: Longest message printed (a message quoting a huge argument is cut).
MAX_MESSAGE = 400


def _one_line(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror and e.filename is not None:
        message = f"{e.filename}: {e.strerror}"
    else:
        message = " ".join(str(e).split()) or type(e).__name__
    if isinstance(e, (OverflowError, RecursionError, MemoryError)) and not isinstance(
        e, NatabsError
    ):
        message = f"{message} ({type(e).__name__}: an argument or file is too large or too deep)"
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 3] + "..."
    return message


def _show_warning(
    message: Any,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    print(f"natabs: warning: {' '.join(str(message).split())}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``natabs`` command; return its exit status (2 for a user error).

    A bad argument or file prints one line ``natabs: error: ...`` on standard error and
    returns 2; warnings print one line ``natabs: warning: ...``. With the environment
    variable ``NATABS_DEBUG=1`` or the option ``--debug`` errors keep their traceback.

    Examples
    --------
    >>> from natabs.cli import main
    >>> main(["conserved", "nonsense"])
    2
    >>> main(["--version"])
    natabs ...
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = os.environ.get("NATABS_DEBUG", "") not in ("", "0") or "--debug" in argv
    argv = [a for a in argv if a != "--debug"]  # accepted anywhere on the line
    parser = build_parser()
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            args = parser.parse_args(argv)
            return int(args.run(args))
    except SystemExit as e:  # --help, --version
        return int(e.code or 0) if not isinstance(e.code, str) else 2
    except USER_ERRORS as e:
        if debug:
            raise
        print(f"natabs: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: the engines stop within about a second
        print("natabs: interrupted", file=sys.stderr)
        return 130
