"""Latest predictions and market snapshots are served from the cache; what changes them
invalidates them: a prediction or odds event, or a change no stream announces (another
active model, from this process at once or from anywhere within the watch period)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from conftest import SAMPLE_DATA
from scoreline.api.cache import CacheInvalidator
from scoreline.api.server import build_server
from scoreline.config import Settings
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.services.fitting import fit_dixon_coles
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import FixtureRow, ModelVersion, PredictionRow
from scoreline.storage.unit_of_work import UnitOfWork

PASSWORD = "correct horse battery staple"


def predict(unit_of_work: Callable[[], UnitOfWork], fixture_id: int, home: float) -> None:
    """Store a prediction of the active model, without publishing its event."""
    with unit_of_work() as uow:
        version = uow.session.scalar(
            select(ModelVersion.id).where(ModelVersion.is_active.is_(True))
        )
        assert version is not None
        uow.session.add(
            PredictionRow(
                fixture_id=fixture_id,
                model_version_id=version,
                trigger=f"test:{home}",
                created_at=datetime.now(UTC),
                home_goals_expectation=1.5,
                away_goals_expectation=1.0,
                rho=-0.05,
                p_home=home,
                p_draw=0.25,
                p_away=0.75 - home,
            )
        )
        uow.commit()


def tick(home: str) -> dict[str, Any]:
    """A live 1X2 price of a future fixture, as a feed brings it."""
    return {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": "Arsenal",
        "away_team": "Chelsea",
        "kickoff": "2099-08-20T15:00:00Z",
        "bookmaker": "PS",
        "market": "1x2",
        "line": None,
        "prices": {"home": home, "draw": "3.50", "away": "3.60"},
        "captured_at": datetime.now(UTC).isoformat(),
    }


@dataclass
class Served:
    """A running gateway on a loaded database, signed in as its admin."""

    client: TestClient
    headers: dict[str, str]
    bus: MemoryBus
    streams: Streams
    unit_of_work: Callable[[], UnitOfWork]
    invalidators: list[CacheInvalidator]
    fixture_id: int
    models: Path

    def get(self, path: str, **params: Any) -> Any:
        answer = self.client.get(f"/api/v1{path}", params=params, headers=self.headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def prediction(self) -> tuple[float, float] | None:
        """The fixture's home probability, alone and in its competition's listing."""
        path = f"/api/v1/fixtures/{self.fixture_id}/prediction"
        one = self.client.get(path, headers=self.headers)
        listed = [
            p["probabilities"][0]
            for p in self.get("/predictions", competition="E0")["items"]
            if p["fixture_id"] == self.fixture_id
        ]
        if one.status_code == 404 and not listed:
            return None
        return one.json()["probabilities"][0], listed[0]

    def publish(self, stream: str, fixture_id: int) -> None:
        self.bus.publish(stream, [json.dumps({"fixture_id": fixture_id}).encode()])


def eventually(check: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "not seen in time"
        time.sleep(0.02)


@pytest.fixture
def served(unit_of_work: Callable[[], UnitOfWork], tmp_path: Path) -> Iterator[Served]:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    models = tmp_path / "models"
    fit_dixon_coles(unit_of_work, artifacts_dir=models, as_of=datetime(2023, 1, 1, tzinfo=UTC))
    with unit_of_work() as uow:
        fixture_id = uow.session.scalars(select(FixtureRow.id).order_by(FixtureRow.id)).first()
    assert fixture_id is not None
    predict(unit_of_work, fixture_id, 0.5)
    bus, streams = MemoryBus(), Streams(prefix="cache")
    settings = Settings(
        jwt_secret=SecretStr("k" * 48), database_url="sqlite:///unused.db", data_dir=tmp_path
    )
    server = build_server(settings, unit_of_work, bus=bus, streams=streams)
    with TestClient(server.asgi) as client:
        client.post("/api/v1/auth/bootstrap", json={"email": "a@example.com", "password": PASSWORD})
        token = client.post(
            "/api/v1/auth/login", json={"email": "a@example.com", "password": PASSWORD}
        ).json()["access_token"]
        invalidators = list(server.invalidators)
        made = Served(
            client,
            {"Authorization": f"Bearer {token}"},
            bus,
            streams,
            unit_of_work,
            invalidators,
            fixture_id,
            models,
        )
        # Each invalidator drops everything once when it starts; one event of another
        # fixture on each stream shows it is past that and tailing.
        for invalidator in invalidators:
            made.publish(invalidator.stream, fixture_id + 1)
        eventually(lambda: all(i.events >= 1 for i in invalidators))
        yield made


def test_a_stale_prediction_never_outlives_one_event(served: Served) -> None:
    assert served.prediction() == (0.5, 0.5)
    predict(served.unit_of_work, served.fixture_id, 0.6)  # stored, but no event yet
    assert served.prediction() == (0.5, 0.5)  # the cache answers
    served.publish(served.streams.predictions, served.fixture_id)
    eventually(lambda: served.prediction() == (0.6, 0.6))


def test_a_market_snapshot_is_cached_until_the_fixtures_next_odds_event(served: Served) -> None:
    live = IngestionEngine(served.bus, served.unit_of_work, streams=served.streams)
    assert live.submit([tick("2.10")]).stored == 1
    page = served.get("/fixtures", status="scheduled", limit=500)
    fixture_id = next(f["id"] for f in page["items"] if f["home_team"] == "Arsenal")

    def home_price() -> Decimal:
        prices: list[dict[str, Any]] = served.get(f"/fixtures/{fixture_id}/odds")
        assert len(prices) == 1
        return Decimal(prices[0]["prices"]["home"])

    eventually(lambda: home_price() == Decimal("2.10"))
    # Stored by an engine whose events go nowhere: the cache keeps answering.
    silent = IngestionEngine(MemoryBus(), served.unit_of_work, streams=served.streams)
    assert silent.submit([tick("2.25")]).stored == 1
    assert home_price() == Decimal("2.10")
    served.publish(served.streams.odds, fixture_id)
    eventually(lambda: home_price() == Decimal("2.25"))
    # The real path: the ingestion engine commits, then publishes; the next read is fresh.
    assert live.submit([tick("2.40")]).stored == 1
    eventually(lambda: home_price() == Decimal("2.40"))
    missing = served.client.get("/api/v1/fixtures/999999/odds", headers=served.headers)
    assert missing.status_code == 404
    assert served.get(f"/fixtures/{fixture_id}/odds/history")["total"] == 3


def test_another_active_model_is_served_without_any_event(served: Served) -> None:
    assert served.prediction() == (0.5, 0.5)
    first = next(m for m in served.get("/models")["items"] if m["is_active"])
    # Another process (``scoreline fit``, a refit elsewhere) makes a new version active,
    # which has no prediction yet; then predicts, publishing nothing.
    fit_dixon_coles(
        served.unit_of_work, artifacts_dir=served.models, as_of=datetime(2023, 2, 1, tzinfo=UTC)
    )
    predict(served.unit_of_work, served.fixture_id, 0.7)
    changes = served.invalidators[0].changes
    eventually(lambda: served.prediction() == (0.7, 0.7), timeout_s=10)  # the watch: 5 s
    assert served.invalidators[0].changes == changes + 1
    # Rolled back from this process: answered at once, not a watch period later.
    switched = served.client.put(
        "/api/v1/admin/models/active",
        json={"name": first["name"], "version": first["version"]},
        headers=served.headers,
    )
    assert switched.status_code == 200, switched.text
    assert served.prediction() == (0.5, 0.5)
