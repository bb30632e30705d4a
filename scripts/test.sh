#!/usr/bin/env bash
# Every check on a fresh clone: install, lint, type-check, layer contracts, tests.
# PostgreSQL (127.0.0.1:5432) must be up; under CI=true its tests fail rather than skip.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi

export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports
.venv/bin/pytest "$@"
