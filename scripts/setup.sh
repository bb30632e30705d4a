#!/usr/bin/env bash
# Create .venv and install Scoreline from the hash-pinned lock.
#   scripts/setup.sh        runtime dependencies (requirements/main.lock)
#   scripts/setup.sh dev    plus the test and lint tools (requirements/dev.lock)
set -euo pipefail
cd "$(dirname "$0")/.."

lock=requirements/main.lock
[ "${1:-}" = "dev" ] && lock=requirements/dev.lock

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
if ! command -v uv >/dev/null; then
  "$python" -m pip install --quiet --disable-pip-version-check uv
fi
[ -x .venv/bin/python ] || uv venv --quiet --python "$python" .venv
uv pip sync --quiet --require-hashes --python .venv/bin/python "$lock"
uv pip install --quiet --no-deps --python .venv/bin/python -e .
