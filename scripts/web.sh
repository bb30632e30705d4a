#!/usr/bin/env bash
# Build the dashboard (web/dist), which the gateway serves; Node.js is needed only here.
#   scripts/web.sh          npm ci (from web/package-lock.json) and the production build
#   scripts/web.sh check    also the generated-client freshness check, tsc, eslint and Vitest
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null; then
  echo "installing Node.js and npm (Debian packages)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q nodejs npm >/dev/null
  else sudo apt-get install -y -q nodejs npm >/dev/null; fi
fi

cd web
# A lock that matches package.json installs exactly; node_modules is reused when unchanged.
if ! cmp -s package-lock.json node_modules/.installed-from-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-from-lock
fi

if [ "${1:-}" = "check" ]; then
  # The client is generated from the gateway's OpenAPI document: both must be current.
  ../.venv/bin/scoreline openapi --output openapi.json
  npm run --silent generate
  if ! git diff --quiet -- openapi.json src/client; then
    git --no-pager diff --stat -- openapi.json src/client >&2
    echo "web/openapi.json or web/src/client is stale: run scripts/web.sh check and commit" >&2
    exit 1
  fi
  npm run --silent typecheck
  npm run --silent lint
  npm test --silent
fi
npm run --silent build
# The API docs viewer (/docs), served by the gateway like the dashboard: no CDN at run time.
mkdir -p dist/docs
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
  node_modules/swagger-ui-dist/LICENSE dist/docs/
# Compressed copies the gateway sends to browsers that accept gzip (api/web.py).
find dist -type f \( -name '*.js' -o -name '*.css' -o -name '*.svg' \) -exec gzip -9 -k -f {} +
