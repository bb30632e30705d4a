"""The Grafana dashboard and the Prometheus config in deploy/ stay in step with the metrics."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scoreline.pipeline.metrics import METRIC_NAMES, PipelineMetrics

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
DASHBOARD = DEPLOY / "grafana" / "scoreline-pipeline.json"
PROMETHEUS_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
METRIC = re.compile(r"scoreline_[a-z_]+")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
GRID_WIDTH = 24

Panel = dict[str, Any]


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        message = "promtool not on PATH (Debian package 'prometheus')"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so this fails instead of skipping)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return loaded


def _panels(dashboard: dict[str, Any]) -> Iterator[Panel]:
    """Every panel that shows data: rows are only headings, but a collapsed row holds panels."""
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            yield from panel.get("panels", [])
        else:
            yield panel


def _histograms() -> set[str]:
    return {m.name for m in PipelineMetrics().registry.collect() if m.type == "histogram"}


def _referenced(dashboard: dict[str, Any]) -> set[str]:
    """Metric names in every panel query, histogram series folded onto their family."""
    histograms = _histograms()
    return {
        _family(name, histograms)
        for panel in _panels(dashboard)
        for target in panel["targets"]
        for name in METRIC.findall(target["expr"])
    }


def _family(series: str, histograms: set[str]) -> str:
    for suffix in HISTOGRAM_SUFFIXES:
        if series.removesuffix(suffix) in histograms:
            return series.removesuffix(suffix)
    return series


def test_dashboard_is_a_templated_grafana_dashboard(dashboard: dict[str, Any]) -> None:
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert dashboard["schemaVersion"] >= 39
    assert dashboard["refresh"] == "10s"
    assert variables["DS_PROMETHEUS"]["type"] == "datasource"
    assert variables["DS_PROMETHEUS"]["query"] == "prometheus"


def test_every_panel_has_a_datasource_and_a_target(dashboard: dict[str, Any]) -> None:
    panels = list(_panels(dashboard))
    assert panels
    for panel in panels:
        title = panel["title"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}, title
        assert panel["targets"], f"{title}: no target"
        assert all(t["expr"].strip() and t["refId"] for t in panel["targets"]), title


def test_panels_have_unique_ids_and_do_not_overlap(dashboard: dict[str, Any]) -> None:
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    taken: set[tuple[int, int]] = set()
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= GRID_WIDTH, panel["title"]
        cells = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & taken, f"{panel['title']} overlaps another panel"
        taken |= cells


def test_every_queried_metric_exists(dashboard: dict[str, Any]) -> None:
    assert _referenced(dashboard) - set(METRIC_NAMES) == set()


def test_every_metric_is_on_the_dashboard(dashboard: dict[str, Any]) -> None:
    assert set(METRIC_NAMES) - _referenced(dashboard) == set()


def test_psi_panels_mark_the_usual_thresholds(dashboard: dict[str, Any]) -> None:
    psi_panels = [p for p in _panels(dashboard) if "_psi" in p["targets"][0]["expr"]]
    assert len(psi_panels) >= 3
    for panel in psi_panels:
        steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
        assert [step["value"] for step in steps] == [None, 0.1, 0.25], panel["title"]


def test_prometheus_config_is_valid() -> None:
    result = subprocess.run(
        [_promtool(), "check", "config", str(PROMETHEUS_CONFIG)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_scrapes_the_worker() -> None:
    config = PROMETHEUS_CONFIG.read_text(encoding="utf-8")
    assert '"worker:9101"' in config
    assert "metrics_path: /metrics" in config
