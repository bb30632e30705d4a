"""The worker's path keeps the features without rebuilding them: fixtures scheduled by the live
feed are read from the state, results recorded by it step the state, and every served row is
the row a rebuild of the whole database gives."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from conftest import SEASON
from scoreline.domain import Market, Selection
from scoreline.domain.ticks import OddsTick, ResultTick
from scoreline.models.feature_table import MARKET_COLUMNS, Change, FeatureTable
from scoreline.models.features import FEATURE_COLUMNS
from scoreline.services import model_versions
from scoreline.services.fitting import fit_dixon_coles
from scoreline.services.history import load_history
from scoreline.services.ingest import ingest_football_data
from scoreline.services.live_ingest import LiveIngest
from scoreline.services.serving import Predictor, TickRef
from scoreline.storage.unit_of_work import UnitOfWork

CUT = datetime(2022, 3, 1, tzinfo=UTC)
MATCHES = 40  # played through the live feed after the cut
BASE = [i for i, c in enumerate(FEATURE_COLUMNS) if not c.startswith("market_")]


@pytest.fixture
def predictor(unit_of_work: Callable[[], UnitOfWork], tmp_path: Path) -> Predictor:
    """E0 2021-22 loaded up to March 2022, Dixon-Coles fitted on it and served."""
    ingest_football_data(unit_of_work, [SEASON], before=CUT)
    fit_dixon_coles(unit_of_work, artifacts_dir=tmp_path, as_of=CUT)
    return Predictor(unit_of_work, model_versions.load_active(unit_of_work, artifacts_dir=tmp_path))


def test_fixtures_and_results_of_the_live_feed_keep_the_rebuilds_features(
    unit_of_work: Callable[[], UnitOfWork], predictor: Predictor
) -> None:
    later = load_history([SEASON])
    later = later[later["date"] >= CUT].sort_values("date", kind="stable").head(MATCHES)
    feed = LiveIngest(unit_of_work, clock=lambda: datetime(2030, 1, 1, tzinfo=UTC))
    served: dict[int, np.ndarray] = {}
    changes: list[Change] = []
    for match in later.to_dict("records"):
        kickoff = match["date"].to_pydatetime()
        names = {"competition": "E0", "home_team": match["home_team"]}
        names |= {"away_team": match["away_team"], "kickoff": kickoff, "provider": "replay"}
        tick = OddsTick(
            **names,
            bookmaker="PS",
            market=Market.MATCH_ODDS,
            line=None,
            prices={
                Selection.HOME: Decimal("2.1"),
                Selection.DRAW: Decimal("3.4"),
                Selection.AWAY: Decimal("3.6"),
            },
            captured_at=kickoff,
        )
        odds_id, payload = feed.store_odds([tick], received_at=0.0).stored[0]
        fixture_id = int(json.loads(payload)["fixture_id"])
        assert not predictor.knows(fixture_id)
        batch = predictor.predict_ticks([TickRef(odds_id, fixture_id)])
        assert [p.fixture_id for p in batch.predictions] == [fixture_id]
        changes.append(predictor.last_change)
        served[fixture_id] = batch.features[0]
        result = ResultTick(
            **names, home_goals=int(match["home_goals"]), away_goals=int(match["away_goals"])
        )
        assert feed.store_result(result) == fixture_id
        assert predictor.refresh(force=False)
        changes.append(predictor.last_change)

    # Nothing was rebuilt: each fixture was a read, each result a step.
    assert Change.REBUILT not in changes
    assert Change.READ in changes
    assert Change.STEPPED in changes
    with unit_of_work() as uow:
        history = uow.fixtures.history()
    rebuilt = FeatureTable(predictor.model)
    rebuilt.rebuild(history)
    ids = sorted(served)
    expected = rebuilt.rows(ids, np.full((len(ids), len(MARKET_COLUMNS)), np.nan))
    got = np.stack([served[f] for f in ids])
    np.testing.assert_array_equal(got[:, BASE], expected[:, BASE])
    # And the table kept by the worker holds every fixture as the rebuild does.
    every = [row.fixture_id for row in history]
    kept = predictor.table.rows(every, np.full((len(every), len(MARKET_COLUMNS)), np.nan))
    np.testing.assert_array_equal(
        kept[:, BASE],
        rebuilt.rows(every, np.full((len(every), len(MARKET_COLUMNS)), np.nan))[:, BASE],
    )
