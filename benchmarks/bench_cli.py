"""How fast the command line answers ``--help`` and a mistyped flag, against importing Typer.

The baseline, measured in the same run and interleaved with the commands (this
machine is noisy), is ``python -c "import typer, rich"``: the least any Typer
command line can cost. Each command runs ``--runs`` times; medians are compared.

    .venv/bin/python benchmarks/bench_cli.py [--runs 21] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

SCORELINE = str(Path(sys.executable).with_name("scoreline"))
CASES: dict[str, list[str]] = {
    "baseline: import typer, rich": [sys.executable, "-c", "import typer, rich"],
    "scoreline --help": [SCORELINE, "--help"],
    "scoreline --bogus": [SCORELINE, "--bogus"],
    "scoreline fit --help": [SCORELINE, "fit", "--help"],
    "scoreline fit --competiton E0": [SCORELINE, "fit", "--competiton", "E0"],
}


def _seconds(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for argv in CASES.values():  # warm the file cache once
        _seconds(argv)
    for _ in range(args.runs):
        for name, argv in CASES.items():
            times[name].append(_seconds(argv))
    base = statistics.median(times["baseline: import typer, rich"])
    report = {}
    for name, values in times.items():
        median = statistics.median(values)
        report[name] = {"median_s": round(median, 4), "ratio": round(median / base, 2)}
        print(f"{name:34} median {1000 * median:6.0f} ms   {median / base:4.2f}x the baseline")
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
