#!/usr/bin/env bash
# Every check on a fresh clone: install, lint, type-check, layer contracts, tests.
# PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are started if they are
# installed and down; under CI=true their tests fail rather than skip. promtool
# (Debian's prometheus package) checks the metrics exposition and Chromium (Debian's
# chromium package) runs the dashboard's browser tests; both are installed if missing.
# The dashboard is built and checked first (scripts/web.sh check: generated client
# current, tsc, eslint, Vitest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && command -v redis-server >/dev/null; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi

if ! command -v promtool >/dev/null && command -v apt-get >/dev/null; then
  apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends prometheus >/dev/null; }
fi

if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends chromium >/dev/null; }
fi

scripts/web.sh check

export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports
# In parallel, one process per core; a test file stays on one process, so its
# module-scoped fixtures (a loaded database, a trained model) are built once.
.venv/bin/pytest -n auto --dist loadfile "$@"
