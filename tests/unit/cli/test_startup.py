"""The command line starts light: ``--help`` and a mistyped flag load no heavy library.

Timing is for ``benchmarks/bench_cli.py``; this test checks the cause of slowness
instead (what is imported), which does not depend on how busy the machine is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = (
    "numpy",
    "pandas",
    "scipy",
    "sklearn",
    "xgboost",
    "sqlalchemy",
    "fastapi",
    "starlette",
    "pydantic",
    "pydantic_settings",
    "redis",
    "socketio",
    "uvicorn",
    "rich.console",
)

_PROBE = """
import json, sys
from scoreline.cli.app import app
try:
    app(sys.argv[1:], standalone_mode=False)
except BaseException:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {roots} or m in {mods})))
"""


def _loaded(*argv: str) -> list[str]:
    roots = {name.split(".")[0] for name in HEAVY if "." not in name}
    mods = {name for name in HEAVY if "." in name}
    code = _PROBE.format(roots=sorted(roots), mods=sorted(mods))
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "100"},
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "argv",
    [
        ("--help",),
        ("--bogus",),
        ("--version",),
        ("fit", "--help"),
        ("fit", "--competiton", "E0"),
        ("ingest", "football-data", "--help"),
        ("worker", "--help"),
        ("deadletters", "--help"),
        ("deadletters", "list", "--help"),
        ("deadletters", "replay", "--bogus"),
        ("up", "--help"),
        ("api", "--port", "not-a-number"),
    ],
)
def test_help_and_wrong_flags_load_no_heavy_library(argv: tuple[str, ...]) -> None:
    assert _loaded(*argv) == []


def test_a_command_that_runs_does_load_what_it_needs() -> None:
    # The probe itself: a command's body imports its libraries, so the check above
    # would catch them if they moved back to the top of a module.
    loaded = _loaded("db", "current")
    assert "sqlalchemy" in loaded
