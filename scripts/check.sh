#!/usr/bin/env bash
# The fast inner loop (about a minute on two cores): lint, format, types, import
# contracts, and the unit and contract tests in parallel. No services needed.
#   scripts/check.sh            everything above
#   scripts/check.sh -k kelly   extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || scripts/setup.sh dev
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports
.venv/bin/pytest -q -n auto tests/unit tests/contract -m "not redis" "$@"
