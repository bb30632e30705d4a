"""The read side's services on SQLite and PostgreSQL: the board, the score grid, the admin
status, refits and "which model is active", each answered by one service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import SAMPLE_DATA
from scoreline.errors import ConflictError, DataError, NotFoundError
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.models.grid import ScoreGrid
from scoreline.models.market_rates import DEFAULT_RHO
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pricing.devig import remove_margin
from scoreline.pricing.fair import FairRule
from scoreline.services import admin_status, board, catalog, model_versions
from scoreline.services.board import BoardSelection
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import PredictionRow
from scoreline.storage.unit_of_work import UnitOfWork
from seeding import add_model_version

SEASON = SAMPLE_DATA / "E0" / "2022-2023.csv"
KICKOFF = "2099-08-20T15:00:00Z"


def _tick(bookmaker: str, prices: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": "Arsenal",
        "away_team": "Chelsea",
        "kickoff": KICKOFF,
        "bookmaker": bookmaker,
        "market": extra.get("market", "1x2"),
        "line": extra.get("line"),
        "prices": prices,
        "captured_at": extra.get("captured_at", "2099-08-19T10:00:00Z"),
    }


def _upcoming(unit_of_work: Callable[[], UnitOfWork]) -> int:
    """E0 2022-23, and a future fixture priced by Pinnacle, Bet365 and the MAX aggregate;
    its id."""
    ingest_football_data(unit_of_work, [SEASON])
    engine = IngestionEngine(MemoryBus(), unit_of_work, streams=Streams(prefix="read-side"))
    summary = engine.submit(
        [
            _tick("PS", {"home": "2.10", "draw": "3.50", "away": "3.60"}),
            _tick("B365", {"home": "2.20", "draw": "3.40", "away": "3.50"}),
            _tick("MAX", {"home": "2.90", "draw": "4.00", "away": "4.50"}),
        ]
    )
    assert summary.stored == 3
    rows, _ = catalog.fixtures(
        unit_of_work,
        competition="E0",
        start=datetime(2099, 1, 1, tzinfo=UTC),
        end=None,
        status="scheduled",
        limit=1,
        offset=0,
    )
    return rows[0].id


def _model(unit_of_work: Callable[[], UnitOfWork], *, active: bool) -> int:
    with unit_of_work() as uow:
        made = add_model_version(uow, f"v-{active}", active=active)
        uow.commit()
        return made


def _predict(
    unit_of_work: Callable[[], UnitOfWork],
    fixture_id: int,
    version_id: int,
    *,
    rates: tuple[float, float] = (1.5, 1.1),
) -> None:
    with unit_of_work() as uow:
        uow.session.add(
            PredictionRow(
                fixture_id=fixture_id,
                model_version_id=version_id,
                trigger=f"test-{version_id}",
                created_at=datetime.now(UTC),
                home_goals_expectation=rates[0],
                away_goals_expectation=rates[1],
                rho=-0.05,
                p_home=0.5,
                p_draw=0.3,
                p_away=0.2,
            )
        )
        uow.commit()


def test_the_board_prices_real_bookmakers_and_shows_only_the_active_models_prediction(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    fixture_id = _upcoming(unit_of_work)
    _predict(unit_of_work, fixture_id, _model(unit_of_work, active=False))
    rows, total = board.board(
        unit_of_work, owner_id=1, competition="E0", portfolio_id=None, limit=10, offset=0
    )
    assert (total, [r.fixture_id for r in rows]) == (1, [fixture_id])
    home = rows[0].selections[0]
    # MAX quotes 2.90, but nobody can bet at an aggregate: Bet365's 2.20 is the best.
    assert (home.best_price, home.bookmaker) == (Decimal("2.20"), "B365")
    # A retired version's prediction is never shown, so there is no edge yet.
    assert (rows[0].prediction_id, home.probability, home.edge) == (None, None, None)

    _predict(unit_of_work, fixture_id, _model(unit_of_work, active=True))
    rows, _ = board.board(
        unit_of_work, owner_id=1, competition="E0", portfolio_id=None, limit=10, offset=0
    )
    home = rows[0].selections[0]
    assert (rows[0].version, home.probability) == ("v-True", 0.5)
    assert home.edge == Decimal("0.1000")  # 0.5 * 2.20 - 1
    assert home.suggested_stake_minor is None  # no portfolio asked about


def test_the_board_refuses_a_portfolio_the_caller_does_not_own(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    _upcoming(unit_of_work)
    with pytest.raises(NotFoundError, match="portfolio 42 not found"):
        board.board(unit_of_work, owner_id=1, competition=None, portfolio_id=42, limit=5, offset=0)


def test_the_score_grid_needs_a_fixture_a_prediction_and_positive_rates(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    fixture_id = _upcoming(unit_of_work)
    with pytest.raises(NotFoundError, match="fixture 999999 not found"):
        board.score_grid(unit_of_work, 999999)
    with pytest.raises(NotFoundError, match=f"no prediction of fixture {fixture_id} yet"):
        board.score_grid(unit_of_work, fixture_id)
    _predict(unit_of_work, fixture_id, _model(unit_of_work, active=True), rates=(0.0, 1.1))
    with pytest.raises(ConflictError, match="no positive expected goals"):
        board.score_grid(unit_of_work, fixture_id)


def test_no_prediction_is_served_before_a_model_is_active(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    fixture_id = _upcoming(unit_of_work)
    _predict(unit_of_work, fixture_id, _model(unit_of_work, active=False))
    assert catalog.latest_predictions(unit_of_work, competition="E0") == []
    with pytest.raises(NotFoundError):
        catalog.latest_prediction(unit_of_work, fixture_id)


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        (datetime(2023, 5, 1), "start needs a time zone"),
        (datetime.min.replace(tzinfo=timezone(timedelta(minutes=14))), "out of range in UTC"),
    ],
)
def test_fixture_bounds_need_a_time_zone_and_a_time_in_utc(
    unit_of_work: Callable[[], UnitOfWork], start: datetime, reason: str
) -> None:
    with pytest.raises(DataError, match=reason):
        catalog.fixtures(
            unit_of_work,
            competition=None,
            start=start,
            end=None,
            status=None,
            limit=1,
            offset=0,
        )


def test_the_admin_status_reads_the_store_in_one_go(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    empty = admin_status.status(unit_of_work)
    assert (empty.active_model, empty.odds_outbox, empty.last_odds_at) == (None, 0, None)
    assert (empty.last_prediction_at, empty.source_files) == (None, [])
    fixture_id = _upcoming(unit_of_work)
    _predict(unit_of_work, fixture_id, _model(unit_of_work, active=True))
    loaded = admin_status.status(unit_of_work)
    assert loaded.active_model is not None
    assert loaded.active_model.version == "v-True"
    assert loaded.last_odds_at == datetime(2099, 8, 19, 10, tzinfo=UTC)
    assert loaded.odds_outbox == 3  # stored, and no publisher has emptied the outbox
    assert loaded.last_prediction_at is not None
    assert [(f.provider, f.rows) for f in loaded.source_files] == [("football-data", 380)]


def test_a_refit_fits_every_finished_match_and_becomes_the_active_version(
    unit_of_work: Callable[[], UnitOfWork], tmp_path: Path
) -> None:
    with pytest.raises(DataError, match="no finished matches"):
        model_versions.refit(unit_of_work, artifacts_dir=tmp_path)
    ingest_football_data(unit_of_work, [SEASON])
    record = model_versions.refit(unit_of_work, artifacts_dir=tmp_path)
    assert (record.name, record.is_active, record.metrics["matches"]) == ("dixon-coles", True, 380)
    assert model_versions.active(unit_of_work) == record
    assert Path(str(record.artifact_path)).is_relative_to(tmp_path)


def test_the_boards_edges_follow_the_fair_price_chosen(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    fixture_id = _upcoming(unit_of_work)
    engine = IngestionEngine(MemoryBus(), unit_of_work, streams=Streams(prefix="read-side-fair"))
    # Bet365 quotes over/under 2.5; Pinnacle does not, so the market prices it from rates.
    assert (
        engine.submit(
            [_tick("B365", {"over": "1.90", "under": "1.95"}, market="over_under", line="2.5")]
        ).stored
        == 1
    )
    _predict(unit_of_work, fixture_id, _model(unit_of_work, active=True))

    def home_and_over(rule: FairRule) -> tuple[BoardSelection, BoardSelection]:
        rows, _ = board.board(
            unit_of_work,
            owner_id=1,
            competition="E0",
            portfolio_id=None,
            limit=10,
            offset=0,
            fair_rule=rule,
        )
        return rows[0].selections[0], rows[0].selections[3]

    def edge(probability: float, price: str) -> Decimal:
        return (Decimal(str(round(probability, 6))) * Decimal(price) - 1).quantize(
            Decimal("0.0001")
        )

    home, over = home_and_over(FairRule("model"))
    assert (home.fair_probability, home.edge) == (0.5, Decimal("0.1000"))  # 0.5 * 2.20 - 1
    assert over.fair_probability is None  # the stored prediction carries no totals

    pinnacle = remove_margin([2.10, 3.50, 3.60], method="shin")[0]
    home, over = home_and_over(FairRule("market", "shin"))
    assert home.probability == 0.5  # the model's own stays on show
    assert home.fair_probability == pytest.approx(pinnacle[0], abs=1e-6)
    assert home.edge == edge(pinnacle[0], "2.20")
    grid = ScoreGrid.from_1x2(pinnacle, rho=DEFAULT_RHO)
    implied_over = float(grid.probabilities("over_under", 2.5)[0, 0])
    assert over.fair_from_rates
    assert over.fair_probability == pytest.approx(implied_over, abs=1e-6)
    assert over.edge == edge(implied_over, "1.90")

    home, _ = home_and_over(FairRule("blend", "shin", 0.5))
    pooled = np.sqrt(np.array([0.5, 0.3, 0.2]) * pinnacle)
    assert home.fair_probability == pytest.approx(pooled[0] / pooled.sum(), abs=1e-6)
    assert home.edge == edge(pooled[0] / pooled.sum(), "2.20")
