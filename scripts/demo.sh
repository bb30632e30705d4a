#!/usr/bin/env bash
# The main job on a fresh clone: install, build the dashboard, and start the whole
# platform on the embedded defaults (SQLite, in-process bus): sample data, a fitted
# model, demo users (printed), a live replay, the dashboard at http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/web.sh
exec .venv/bin/scoreline up "$@"
