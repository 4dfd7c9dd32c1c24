#!/usr/bin/env bash
# The hand-written stub python/natabs/_native.pyi matches the built extension: every name,
# every signature and default, final classes, read-only properties (mypy.stubtest).
# Needs natabs installed (or on PYTHONPATH with the extension built) and mypy.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python -c "import mypy.stubtest" 2>/dev/null; then
    echo "check_stub: mypy is not installed (pip install 'mypy>=1.10')" >&2
    exit 2
fi
python -m mypy.stubtest natabs._native
