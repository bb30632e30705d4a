"""compose.yaml describes production, and what it names exists: commands, files, services.

Docker does not run on the development machines, so the file is checked here
by reading it: every command is a real ``scoreline`` command, every mounted
file is in the repository, and the Prometheus configuration passes promtool.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from scoreline.cli.app import app

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def test_production_has_every_part(compose: dict[str, Any]) -> None:
    services = set(compose["services"])
    assert {"postgres", "redis", "prometheus", "grafana", "ingestion"} <= services
    assert {s for s in services if s.startswith("api-")} == {"api-1", "api-2"}
    assert {s for s in services if s.startswith("worker-")} == {"worker-1", "worker-2"}
    for name in ("api-1", "api-2", "worker-1", "worker-2", "ingestion"):
        env = compose["services"][name]["environment"]
        assert env["SCORELINE_REDIS_URL"].startswith("redis://redis:")
        assert env["SCORELINE_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "${SCORELINE_JWT_SECRET:?" in env["SCORELINE_JWT_SECRET"]  # never a default secret


def test_every_command_is_a_real_scoreline_command(compose: dict[str, Any]) -> None:
    runner = CliRunner()
    for name, service in compose["services"].items():
        command = service.get("command", [])
        if not command or command[0] != "scoreline":
            continue
        # The sub-command path, up to the first option, must answer --help.
        path = [w for w in command[1:3] if not w.startswith("-") and not w[0].isdigit()]
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (name, path, result.output)


def test_mounted_files_exist_and_prometheus_config_is_valid(compose: dict[str, Any]) -> None:
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), source
    promtool = shutil.which("promtool")
    if promtool is None:
        if os.environ.get("CI"):
            pytest.fail("promtool is missing (Debian package prometheus)")
        pytest.skip("promtool is missing")
    checked = subprocess.run(
        [promtool, "check", "config", str(ROOT / "deploy/prometheus/compose.yml")],
        capture_output=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_image_carries_the_built_dashboard() -> None:
    """Docker cannot run here: the Dockerfile is read. The web stage builds from the lock and
    the runtime stage serves its output, so the API processes of compose.yaml serve it."""
    text = (ROOT / "Dockerfile").read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert stages == ["FROM node:20-bookworm-slim AS web", "FROM python:3.11-slim"]
    assert "npm ci" in text
    assert "COPY web/package.json web/package-lock.json web/.npmrc ./" in text
    assert "COPY --from=web /web/dist /app/web/dist" in text
    assert "ENV SCORELINE_WEB_DIR=/app/web/dist" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"web/node_modules", ".venv", "var"} <= set(ignored)
