"""Refits on SQLite and PostgreSQL respect time and history: they train on true dates, and
model health (the record of what served) is the same after one as before."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from conftest import FIT_BEFORE, SEASON, Loaded
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.models.registry import ModelArtifact, ModelRegistry
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.services import catalog, model_health, model_versions
from scoreline.services.ingest import ingest_football_data
from scoreline.services.serving import Predictor
from scoreline.storage.tables import FixtureRow
from scoreline.storage.unit_of_work import UnitOfWork


def _predict_may(loaded: Loaded) -> list[int]:
    """The active version's prediction of every match from May 2022 on (all played); ids."""
    with loaded.unit_of_work() as uow:
        fixtures = uow.fixtures.list_between(
            start=FIT_BEFORE, end=datetime(2022, 6, 1, tzinfo=UTC), limit=1000
        )
    ids = [f.id for f in fixtures]
    served = model_versions.load_active(loaded.unit_of_work, artifacts_dir=loaded.artifacts)
    batch = Predictor(loaded.unit_of_work, served).predict_fixtures(ids, trigger="cli")
    assert len(batch.predictions) == len(ids) > 30
    return ids


def _health(loaded: Loaded) -> model_health.HealthReport:
    return model_health.health(
        loaded.unit_of_work, days=60, window=10, artifacts_dir=loaded.artifacts
    )


def test_model_health_is_unchanged_by_a_refit(loaded: Loaded) -> None:
    ids = _predict_may(loaded)
    old = model_versions.active(loaded.unit_of_work)
    before = _health(loaded)
    assert before.n_matches == len(ids)
    assert [(v.model, v.version, v.n_matches) for v in before.versions] == [
        ("dixon-coles", old.version, len(ids))
    ]

    new = model_versions.refit(loaded.unit_of_work, artifacts_dir=loaded.artifacts)
    after = _health(loaded)

    assert new.version != old.version
    assert (after.model, after.version) == ("dixon-coles", new.version)
    # The record of the matches already played is the old version's, figure for figure.
    assert after.n_matches == before.n_matches
    assert (after.window_start, after.window_end) == (before.window_start, before.window_end)
    assert after.reliability == before.reliability
    assert after.rolling == before.rolling
    assert after.versions == before.versions
    assert 0.1 < before.versions[0].rps_model < 0.3
    # A finished fixture still shows what served it, named by its version.
    shown = catalog.latest_prediction(loaded.unit_of_work, ids[0])
    assert (shown.model, shown.version) == ("dixon-coles", old.version)


def _tick(kickoff: datetime, true_kickoff: datetime | None, **extra: Any) -> dict[str, Any]:
    tick: dict[str, Any] = {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": "Arsenal",
        "away_team": "Chelsea",
        "kickoff": kickoff.isoformat().replace("+00:00", "Z"),
        "bookmaker": "PS",
        "market": "1x2",
        "line": None,
        "prices": {"home": "2.10", "draw": "3.50", "away": "3.60"},
        "captured_at": (kickoff - timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
    }
    if true_kickoff is not None:
        tick["true_kickoff"] = true_kickoff.isoformat().replace("+00:00", "Z")
    return tick | extra


def test_a_refit_trains_on_the_true_dates_of_replayed_matches(
    unit_of_work: Callable[[], UnitOfWork], tmp_path: Any
) -> None:
    ingest_football_data(unit_of_work, [SEASON])  # E0 2021-22, played by 22 May 2022
    engine = IngestionEngine(MemoryBus(), unit_of_work, streams=Streams(prefix="refit"))
    wall = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    true = datetime(2022, 8, 5, 19, tzinfo=UTC)
    assert engine.submit([_tick(wall, true)]).stored == 1
    result = {
        key: _tick(wall, None)[key]
        for key in ("provider", "competition", "home_team", "away_team", "kickoff")
    }
    engine.submit([{"type": "result", **result, "home_goals": 0, "away_goals": 2}])
    # A live fixture (no true kick-off) keeps its kick-off as its true one.
    live = datetime(2099, 8, 20, 15, tzinfo=UTC)
    assert engine.submit([_tick(live, None, home_team="Leeds", away_team="Everton")]).stored == 1

    record = model_versions.refit(unit_of_work, artifacts_dir=tmp_path)

    # Trained on 381 matches to the replayed one's true date, not to today.
    assert record.metrics["matches"] == 381
    assert (record.trained_from, record.trained_to) == (date(2021, 8, 13), true.date())
    with unit_of_work() as uow:
        stored = dict(
            uow.session.execute(
                select(FixtureRow.kickoff_utc, FixtureRow.true_kickoff_utc).where(
                    FixtureRow.kickoff_utc.in_([wall, live])
                )
            ).all()
        )
        history = uow.fixtures.history()
    assert stored == {wall: true, live: None}
    dates = {(r.home_team, r.away_team, r.home_goals): r.date for r in history[-2:]}
    assert dates == {("Arsenal", "Chelsea", 0): true, ("Leeds", "Everton", None): live}


def child_metrics(metrics: Mapping[str, object]) -> dict[str, Any]:
    refit = metrics["refit"]
    assert isinstance(refit, dict)
    return refit


def test_a_refit_of_a_serving_ensemble_refits_its_ratings_and_keeps_its_members(
    loaded: Loaded,
) -> None:
    registry = ModelRegistry(loaded.artifacts)
    fitted = registry.latest("dixon-coles")
    parent = registry.save(
        ModelArtifact(
            name="ensemble",
            params={"members": ["dixon_coles", "xgboost"]},
            feature_names=["rest_days_home"],
            trained_from=fitted.trained_from,
            trained_to=fitted.trained_to,
            seed=0,
            estimators={"dixon_coles": fitted.estimators["dixon_coles"], "xgboost": "kept"},
        )
    )
    model_versions.activate(
        loaded.unit_of_work, artifacts_dir=loaded.artifacts, name="ensemble", version=parent
    )

    record = model_versions.refit(loaded.unit_of_work, artifacts_dir=loaded.artifacts)

    assert (record.name, record.is_active) == ("ensemble", True)
    assert record.params["refit_of"] == parent
    assert child_metrics(record.metrics)["matches"] == 380  # the whole season, May included
    assert record.trained_to == date(2022, 5, 22)  # its last match day
    child = registry.load("ensemble", record.version)
    assert child.estimators["xgboost"] == "kept"
    assert child.feature_names == ["rest_days_home"]
    assert child.estimators["dixon_coles"] is not fitted.estimators["dixon_coles"]
    assert child.estimators["dixon_coles"].xi == fitted.estimators["dixon_coles"].xi
