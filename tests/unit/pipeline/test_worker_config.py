"""A worker's settings refuse what its heartbeat row could not hold."""

from __future__ import annotations

import pytest

from scoreline.errors import ConfigError
from scoreline.pipeline.worker import WorkerConfig


def test_a_consumer_name_too_long_for_the_heartbeat_row_is_refused() -> None:
    assert WorkerConfig(consumer="w" * 200).consumer == "w" * 200
    with pytest.raises(
        ConfigError, match=r"worker consumer name 'w+': use 1 to 200 characters, not 201"
    ):
        WorkerConfig(consumer="w" * 201)
    with pytest.raises(ConfigError, match="not 0"):
        WorkerConfig(consumer="")


def test_the_heartbeat_interval_must_be_positive() -> None:
    with pytest.raises(ConfigError, match=r"heartbeat_every_s 0\.0: use a positive number"):
        WorkerConfig(heartbeat_every_s=0.0)
