#!/usr/bin/env bash
# The main job on a fresh clone: install, create the SQLite database, load the
# bundled sample, fit Dixon-Coles and print predictions.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/scoreline demo "$@"
