# The Scoreline image: the hash-pinned runtime lock, then the package without dependencies.
FROM python:3.11-slim
WORKDIR /app
COPY requirements/main.lock requirements/main.lock
RUN pip install --no-cache-dir --require-hashes -r requirements/main.lock
COPY pyproject.toml README.md ./
COPY src src
RUN pip install --no-cache-dir --no-deps .
USER nobody
ENTRYPOINT []
