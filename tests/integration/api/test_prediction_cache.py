"""Latest predictions are served from the cache and a prediction event invalidates them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from conftest import SAMPLE_DATA
from scoreline.api.server import build_server
from scoreline.config import Settings
from scoreline.pipeline.bus import Streams
from scoreline.pipeline.memory_bus import MemoryBus
from scoreline.services.fitting import fit_dixon_coles
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.db import UnitOfWork
from scoreline.storage.tables import FixtureRow, ModelVersion, PredictionRow

PASSWORD = "correct horse battery staple"


def predict(unit_of_work: Callable[[], UnitOfWork], fixture_id: int, home: float) -> None:
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


def test_a_stale_prediction_never_outlives_one_event(
    unit_of_work: Callable[[], UnitOfWork], tmp_path: Path
) -> None:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    fit_dixon_coles(
        unit_of_work, artifacts_dir=tmp_path / "models", as_of=datetime(2023, 1, 1, tzinfo=UTC)
    )
    with unit_of_work() as uow:
        fixture_id = uow.session.scalars(select(FixtureRow.id).order_by(FixtureRow.id)).first()
    assert fixture_id is not None
    predict(unit_of_work, fixture_id, 0.5)
    bus, streams = MemoryBus(), Streams(prefix="cache")
    settings = Settings(jwt_secret=SecretStr("k" * 48), database_url="sqlite:///unused.db")
    server = build_server(settings, unit_of_work, bus=bus, streams=streams)
    with TestClient(server.asgi) as client:
        client.post("/api/v1/auth/bootstrap", json={"email": "a@example.com", "password": PASSWORD})
        token = client.post(
            "/api/v1/auth/login", json={"email": "a@example.com", "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def served() -> tuple[float, float]:
            one = client.get(f"/api/v1/fixtures/{fixture_id}/prediction", headers=headers).json()
            page = client.get(
                "/api/v1/predictions", params={"competition": "E0"}, headers=headers
            ).json()
            listed = next(p for p in page["items"] if p["fixture_id"] == fixture_id)
            return one["probabilities"][0], listed["probabilities"][0]

        # The invalidator drops everything once when it starts; one event of another
        # fixture shows it is past that and tailing.
        invalidator = server.app.state.invalidator
        bus.publish(streams.predictions, [json.dumps({"fixture_id": fixture_id + 1}).encode()])
        deadline = time.monotonic() + 5
        while invalidator.events < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert invalidator.events == 1
        assert served() == (0.5, 0.5)
        predict(unit_of_work, fixture_id, 0.6)  # stored, but no event yet
        assert served() == (0.5, 0.5)  # the cache answers
        bus.publish(streams.predictions, [json.dumps({"fixture_id": fixture_id}).encode()])
        deadline = time.monotonic() + 5
        while served() != (0.6, 0.6) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert served() == (0.6, 0.6)
