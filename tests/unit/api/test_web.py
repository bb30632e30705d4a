"""The gateway serves the built dashboard: hashed assets cached for good, routes to index.html."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr

from scoreline.api.app import create_app
from scoreline.api.server import build_context
from scoreline.config import Settings


def no_database() -> Any:
    raise AssertionError("these requests need no database")


def client_for(web_dir: Path) -> TestClient:
    settings = Settings(
        jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db", web_dir=web_dir
    )
    return TestClient(create_app(build_context(settings, no_database)))


def test_assets_index_and_client_routes(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Scoreline</title>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("outside")  # inside the folder: served as is
    client = client_for(tmp_path)
    home = client.get("/")
    assert home.status_code == 200
    assert "<title>Scoreline</title>" in home.text
    assert home.headers["cache-control"] == "no-cache"
    assert "default-src 'self'" in home.headers["content-security-policy"]
    for route in ("/portfolio", "/fixtures/12", "/model-health"):
        answer = client.get(route)
        assert answer.status_code == 200
        assert answer.text == home.text
    asset = client.get("/assets/index-abc123.js")
    assert asset.status_code == 200
    assert asset.text == "console.log(1)"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/assets/index-old999.js").status_code == 404
    # A gzip copy goes to browsers that accept it, as JavaScript still.
    packed = gzip.compress(b"console.log(1)")
    (tmp_path / "assets" / "index-abc123.js.gz").write_bytes(packed)
    zipped = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["content-type"].startswith("text/javascript")
    assert zipped.text == "console.log(1)"  # the client undid the gzip
    plain = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.text == "console.log(1)"
    api = client.get("/api/v1/nothing-here")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/json"
    # A path that climbs out of the folder never reaches a file outside it.
    outside = tmp_path.parent / "outside.txt"
    outside.write_text("private")
    escaped = client.get("/%2E%2E/outside.txt")
    assert "private" not in escaped.text


def test_without_a_build_only_the_api_answers(tmp_path: Path) -> None:
    client = client_for(tmp_path / "missing")
    assert client.get("/").status_code == 404
    assert client.get("/health/live").json() == {"status": "ok"}


def test_api_docs_load_swagger_ui_from_the_gateway(tmp_path: Path) -> None:
    client = client_for(tmp_path)
    missing = client.get("/docs")
    assert missing.status_code == 200
    assert "/api/v1/openapi.json" in missing.text
    assert "<script" not in missing.text
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "swagger-ui-bundle.js").write_text("var SwaggerUIBundle = 1;")
    (tmp_path / "docs" / "swagger-ui.css").write_text("body{}")
    page = client.get("/docs")
    assert 'src="/docs/swagger-ui-bundle.js"' in page.text
    assert "http" not in page.text  # nothing from another host
    assert "<script>" not in page.text  # no inline script: the CSP forbids it
    assert "<style" not in page.text  # nor inline style
    # A phone lays it out at its own width, not a desktop's.
    for html in (page.text, missing.text):
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    fit = client.get("/docs/fit.css")
    assert fit.headers["content-type"].startswith("text/css")
    assert ".swagger-ui" in fit.text
    init = client.get("/docs/init.js")
    assert init.headers["content-type"].startswith("text/javascript")
    assert "/api/v1/openapi.json" in init.text
    bundle = client.get("/docs/swagger-ui-bundle.js")
    assert bundle.text == "var SwaggerUIBundle = 1;"
    assert client.get("/docs/other.js").status_code == 404
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Scoreline API"
