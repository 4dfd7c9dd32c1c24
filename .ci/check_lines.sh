#!/usr/bin/env bash
# One job per module: fail when a Python module under python/natabs is over 600 lines or a
# Rust file under rust/ over 700 lines, naming each file and its length.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
check() {  # check LIMIT FILE...
    local limit=$1 file lines
    shift
    for file in "$@"; do
        lines=$(wc -l < "$file")
        if [ "$lines" -gt "$limit" ]; then
            echo "check_lines: $file has $lines lines (at most $limit): split it by job" >&2
            status=1
        fi
    done
}

mapfile -t python_files < <(find python/natabs -name '*.py' | sort)
mapfile -t rust_files < <(find rust -name '*.rs' -not -path '*/target/*' | sort)
[ "${#python_files[@]}" -gt 0 ] || { echo "check_lines: no Python modules found" >&2; exit 1; }
[ "${#rust_files[@]}" -gt 0 ] || { echo "check_lines: no Rust files found" >&2; exit 1; }
check 600 "${python_files[@]}"
check 700 "${rust_files[@]}"
exit "$status"
