"""The pipeline's metrics, once touched, expose text that promtool and the parser accept."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from prometheus_client.parser import text_string_to_metric_families

from scoreline.pipeline.metrics import METRIC_NAMES, PipelineMetrics


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        message = "promtool not on PATH (Debian package 'prometheus')"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so this fails instead of skipping)")
        pytest.skip(message)
    return path


def _touched() -> PipelineMetrics:
    """Every metric with a sample, so labelled families show up in the exposition."""
    metrics = PipelineMetrics()
    metrics.ticks.labels(outcome="stored", kind="odds").inc(3)
    metrics.ticks.labels(outcome="duplicate", kind="result").inc()
    metrics.predictions.inc(2)
    metrics.dead_letters.labels(stage="worker", reason="bad_payload").inc()
    metrics.inference_seconds.observe(0.004)
    metrics.tick_to_prediction_seconds.observe(0.07)
    metrics.batch_size.observe(12)
    metrics.stream_length.labels(stream="scoreline:ticks").set(120)
    metrics.stream_lag.labels(stream="scoreline:ticks", group="worker").set(4)
    metrics.stream_pending.labels(stream="scoreline:ticks", group="worker").set(1)
    metrics.quota_remaining.labels(provider="odds_api").set(480)
    metrics.quota_used.labels(provider="odds_api").set(20)
    metrics.quota_last.labels(provider="odds_api").set(2)
    metrics.feature_psi.labels(feature="elo_diff").set(0.04)
    metrics.prediction_psi.labels(outcome="home").set(0.02)
    metrics.settled_count.set(350)
    for source, value in (("model", 0.195), ("market", 0.19)):
        metrics.settled_rps.labels(source=source).set(value)
        metrics.settled_log_loss.labels(source=source).set(value * 5)
        metrics.settled_ece.labels(source=source).set(value / 10)
    metrics.serve_model("ensemble", "2025.08.1")
    return metrics


def _exposed_name(family_name: str, family_type: str) -> str:
    # The client names a counter's family without the _total its samples carry.
    return f"{family_name}_total" if family_type == "counter" else family_name


def test_metric_names_list_every_metric_of_the_registry() -> None:
    registry = PipelineMetrics().registry
    exposed = {_exposed_name(m.name, m.type) for m in registry.collect()}
    assert exposed == set(METRIC_NAMES)


def test_promtool_accepts_the_exposition() -> None:
    result = subprocess.run(
        [_promtool(), "check", "metrics"],
        input=_touched().exposition(),
        capture_output=True,
        check=False,
    )
    problems = (result.stdout + result.stderr).decode()
    assert result.returncode == 0, problems
    assert problems == ""


def test_parser_finds_every_metric_with_samples() -> None:
    text = _touched().exposition().decode()
    families = {
        _exposed_name(family.name, family.type): family
        for family in text_string_to_metric_families(text)
    }
    for name in METRIC_NAMES:
        assert name in families, f"{name} missing from the exposition"
        assert families[name].samples, f"{name} has no sample"


def test_only_the_served_model_is_exposed() -> None:
    metrics = _touched()
    metrics.serve_model("ensemble", "2025.09.1")
    text = metrics.exposition().decode()
    (info,) = (f for f in text_string_to_metric_families(text) if f.name == "scoreline_model_info")
    assert [s.labels["version"] for s in info.samples] == ["2025.09.1"]
