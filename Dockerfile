# The Scoreline image. Stage one builds the dashboard from web/package-lock.json (Node.js is
# needed only here); stage two installs the hash-pinned runtime lock, then the package
# without dependencies, and takes the built dashboard, which the gateway serves.
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json web/.npmrc ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build \
    && mkdir -p dist/docs \
    && cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css dist/docs/ \
    && find dist -type f \( -name '*.js' -o -name '*.css' -o -name '*.svg' \) -exec gzip -9 -k -f {} +

FROM python:3.11-slim
WORKDIR /app
COPY requirements/main.lock requirements/main.lock
RUN pip install --no-cache-dir --require-hashes -r requirements/main.lock
COPY pyproject.toml README.md ./
COPY src src
RUN pip install --no-cache-dir --no-deps .
COPY --from=web /web/dist /app/web/dist
ENV SCORELINE_WEB_DIR=/app/web/dist
USER nobody
ENTRYPOINT []
