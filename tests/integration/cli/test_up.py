"""``scoreline up`` brings the whole platform up on the embedded defaults, from nothing."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCORELINE = Path(sys.executable).with_name("scoreline")

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _call(url: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}
        | ({} if token is None else {"Authorization": f"Bearer {token}"}),
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def test_up_serves_a_live_board_and_prints_who_may_sign_in(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCORELINE_")}
    env |= {
        "SCORELINE_SAMPLE_DATA_DIR": str(ROOT / "data" / "sample" / "football-data"),
        "SCORELINE_WEB_DIR": str(tmp_path / "no-dashboard-build"),
        "SCORELINE_LOG_LEVEL": "WARNING",
    }
    command = [str(SCORELINE), "up", "--port", str(port), "--days", "7", "--speed", "3000"]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output: list[str] = []
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        password = None
        while time.monotonic() < deadline and process.poll() is None:
            line = process.stdout.readline() if process.stdout else ""
            output.append(line)
            found = re.search(r"trader@scoreline\.local\s+password: (\S+)", line)
            if found:
                password = found.group(1)
            if "Scoreline at http://" in line:
                break
        assert password, "".join(output)
        while time.monotonic() < deadline:
            try:
                _call(f"{base}/health/live")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        token = _call(
            f"{base}/api/v1/auth/login", {"email": "trader@scoreline.local", "password": password}
        )["access_token"]
        # A fresh demo database under ./var/demo, never the default one.
        assert (tmp_path / "var" / "demo" / "scoreline.db").exists()
        assert not (tmp_path / "var" / "scoreline.db").exists()
        portfolios = _call(f"{base}/api/v1/portfolios", token=token)["items"]
        assert [(p["name"], p["bankroll_minor"]) for p in portfolios] == [("Demo book", 1_000_000)]
        board: dict[str, Any] = {"items": []}
        while time.monotonic() < deadline and not any(
            row["prediction_id"] for row in board["items"]
        ):
            time.sleep(0.5)
            board = _call(f"{base}/api/v1/board?portfolio_id={portfolios[0]['id']}", token=token)
        predicted = [row for row in board["items"] if row["prediction_id"]]
        assert predicted, "no upcoming fixture was predicted"
        assert {row["model"] for row in predicted} == {"ensemble"}  # the calibrated ensemble
        assert re.search(r"trained the ensemble \S+", "".join(output))
        now = datetime.now(UTC)
        for row in predicted:
            kickoff = datetime.fromisoformat(row["kickoff"].replace("Z", "+00:00"))
            assert kickoff > now - timedelta(seconds=5)  # upcoming on today's clock
            assert any(s["best_price"] for s in row["selections"])
    finally:
        process.terminate()
        process.communicate(timeout=30)  # drains and closes the pipe
    # The in-process worker reported the version it served, and said it stopped on SIGTERM.
    with sqlite3.connect(tmp_path / "var" / "demo" / "scoreline.db") as database:
        beats = database.execute(
            "SELECT w.state, w.predictions, m.name FROM worker_heartbeats w"
            " JOIN model_versions m ON m.id = w.model_version_id"
        ).fetchall()
    assert [(state, name) for state, _, name in beats] == [("stopped", "ensemble")]
    assert beats[0][1] >= len(predicted)
