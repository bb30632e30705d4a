"""The dashboard's live routes on SQLite and PostgreSQL: board, score grid, exposure, model health.

Expected numbers are worked out here from the seeded prices and probabilities
(Kelly stakes with fractions, grids from the Poisson formula, scores by hand),
not by calling the code under test.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from conftest import SAMPLE_DATA
from scoreline.api.app import create_app
from scoreline.api.server import build_context
from scoreline.config import Settings
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.models.drift import ReferenceDistribution, psi
from scoreline.models.registry import ModelArtifact, ModelRegistry
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pricing import remove_margin
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import (
    Bookmaker,
    FixtureRow,
    ModelVersion,
    OddsRow,
    PredictionRow,
    ResultRow,
)
from scoreline.storage.unit_of_work import UnitOfWork
from seeding import add_model_version

PASSWORD = "correct horse battery staple"
NEAR = "2099-08-20T15:00:00Z"  # Arsenal v Chelsea: prices and a prediction
FAR = "2099-08-21T15:00:00Z"  # Liverpool v Everton: one bookmaker's prices, no prediction
ARSENAL = ("Arsenal", "Chelsea", NEAR)
LIVERPOOL = ("Liverpool", "Everton", FAR)
ACTIVE_VERSION = "20990101T000000000000Z-000000000001"


def tick(
    match: tuple[str, str, str],
    bookmaker: str,
    market: str,
    prices: dict[str, str],
    **extra: Any,
) -> dict[str, Any]:
    home, away, kickoff = match
    return {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": home,
        "away_team": away,
        "kickoff": kickoff,
        "bookmaker": bookmaker,
        "market": market,
        "line": extra.get("line"),
        "prices": prices,
        "captured_at": extra.get("captured_at", "2099-08-19T10:00:00Z"),
        "kind": extra.get("kind", "prematch"),
    }


NEAR_TICKS = [
    tick(ARSENAL, "PS", "1x2", {"home": "2.10", "draw": "3.50", "away": "3.60"}),
    # Pinnacle's newer quote replaces its older, better home price.
    tick(
        ARSENAL,
        "PS",
        "1x2",
        {"home": "2.00", "draw": "3.60", "away": "3.90"},
        captured_at="2099-08-19T12:00:00Z",
    ),
    tick(ARSENAL, "B365", "1x2", {"home": "2.05", "draw": "3.40", "away": "3.70"}),
    # Aggregates and closing prices are never the best price to bet.
    tick(ARSENAL, "MAX", "1x2", {"home": "2.50", "draw": "4.00", "away": "4.50"}),
    tick(
        ARSENAL,
        "B365",
        "1x2",
        {"home": "2.60", "draw": "4.10", "away": "4.60"},
        kind="closing",
        captured_at="2099-08-20T15:00:00Z",
    ),
    tick(
        ARSENAL,
        "PS",
        "over_under",
        {"over": "1.95", "under": "1.95"},
        line="2.5",
    ),
    tick(
        ARSENAL,
        "B365",
        "over_under",
        {"over": "1.90", "under": "2.00"},
        line="2.5",
    ),
    tick(
        ARSENAL,
        "PS",
        "over_under",
        {"over": "3.00", "under": "2.90"},
        line="3.5",
    ),
]
FAR_TICKS = [tick(LIVERPOOL, "B365", "1x2", {"home": "1.80", "draw": "3.80", "away": "4.50"})]
NEAR_PROBABILITIES = (0.55, 0.25, 0.20)
NEAR_TOTALS = (0.52, 0.48)
NEAR_RATES = (1.6, 1.1)
NEAR_RHO = -0.08  # in the prediction's markets
STORED_RHO = -0.05  # in the prediction's rho column


@dataclass
class Seeded:
    client: TestClient
    unit_of_work: Callable[[], UnitOfWork]
    near: int
    far: int
    version_id: int
    tmp_path: Path


def _fixture_id(unit_of_work: Callable[[], UnitOfWork], kickoff: str) -> int:
    with unit_of_work() as uow:
        found = uow.session.scalar(
            select(FixtureRow.id).where(
                FixtureRow.kickoff_utc == datetime.fromisoformat(kickoff.replace("Z", "+00:00"))
            )
        )
    assert found is not None
    return found


def _add_model(unit_of_work: Callable[[], UnitOfWork], version: str, *, active: bool) -> int:
    with unit_of_work() as uow:
        made = add_model_version(uow, version, active=active)
        uow.commit()
        return made


def _prediction(
    fixture_id: int,
    version_id: int,
    probabilities: tuple[float, float, float],
    *,
    created_at: datetime,
    trigger: str,
    markets: dict[str, Any] | None = None,
) -> PredictionRow:
    return PredictionRow(
        fixture_id=fixture_id,
        model_version_id=version_id,
        trigger=trigger,
        created_at=created_at,
        home_goals_expectation=NEAR_RATES[0],
        away_goals_expectation=NEAR_RATES[1],
        rho=STORED_RHO,
        p_home=probabilities[0],
        p_draw=probabilities[1],
        p_away=probabilities[2],
        markets=markets,
    )


@pytest.fixture
def seeded(unit_of_work: Callable[[], UnitOfWork], tmp_path: Path) -> Iterator[Seeded]:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    engine = IngestionEngine(MemoryBus(), unit_of_work, streams=Streams(prefix="live"))
    summary = engine.submit([*NEAR_TICKS, *FAR_TICKS])
    assert summary.stored == len(NEAR_TICKS) + len(FAR_TICKS)
    near, far = _fixture_id(unit_of_work, NEAR), _fixture_id(unit_of_work, FAR)
    version_id = _add_model(unit_of_work, ACTIVE_VERSION, active=True)
    retired = _add_model(unit_of_work, "20980101T000000000000Z-000000000002", active=False)
    with unit_of_work() as uow:
        uow.session.add(
            _prediction(
                near,
                version_id,
                NEAR_PROBABILITIES,
                created_at=datetime.now(UTC),
                trigger="test",
                markets={"over_under": {"2.5": list(NEAR_TOTALS)}, "rho": NEAR_RHO},
            )
        )
        uow.session.flush()
        # A newer prediction by a retired version is never shown.
        uow.session.add(
            _prediction(
                near, retired, (0.9, 0.05, 0.05), created_at=datetime.now(UTC), trigger="old"
            )
        )
        uow.commit()
    settings = Settings(
        jwt_secret=SecretStr("s" * 48),
        database_url="sqlite:///unused.db",
        data_dir=tmp_path / "data",
    )
    with TestClient(create_app(build_context(settings, unit_of_work))) as client:
        first = client.post(
            "/api/v1/auth/bootstrap", json={"email": "admin@example.com", "password": PASSWORD}
        )
        assert first.status_code == 201, first.text
        yield Seeded(client, unit_of_work, near, far, version_id, tmp_path)


def login(client: TestClient, email: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def signed_in(client: TestClient, email: str) -> dict[str, str]:
    created = client.post(
        "/api/v1/admin/users",
        json={"email": email, "password": PASSWORD, "role": "trader"},
        headers=login(client, "admin@example.com"),
    )
    assert created.status_code == 201, created.text
    return login(client, email)


def portfolio(client: TestClient, headers: dict[str, str], **settings: str) -> int:
    created = client.post("/api/v1/portfolios", json={"name": "main", **settings}, headers=headers)
    assert created.status_code == 201, created.text
    portfolio_id: int = created.json()["id"]
    deposited = client.post(
        f"/api/v1/portfolios/{portfolio_id}/deposits",
        json={"amount_minor": 100_000},
        headers=headers,
    )
    assert deposited.status_code == 200, deposited.text
    return portfolio_id


def snapshot_id(client: TestClient, headers: dict[str, str], fixture: int, bookmaker: str) -> int:
    odds = client.get(f"/api/v1/fixtures/{fixture}/odds", headers=headers).json()
    return next(
        int(o["id"])
        for o in odds
        if (o["bookmaker"], o["market"], o["kind"]) == (bookmaker, "1x2", "prematch")
    )


# -- board ----------------------------------------------------------------------------------


def kelly_stake(probability: str, price: str, *, fraction: str, cap: str, bankroll: int) -> int:
    edge = Fraction(probability) * Fraction(price) - 1
    share = min(edge / (Fraction(price) - 1) * Fraction(fraction), Fraction(cap))
    return math.floor(bankroll * share)


def test_board_shows_best_real_prices_edges_and_stakes(seeded: Seeded) -> None:
    client = seeded.client
    alice = signed_in(client, "alice@example.com")
    mine = portfolio(client, alice, kelly_fraction="0.5", max_stake_fraction="0.1", min_edge="0.02")
    page = client.get("/api/v1/board", params={"portfolio_id": mine}, headers=alice)
    assert page.status_code == 200, page.text
    body = page.json()
    assert (body["total"], body["limit"], body["offset"]) == (2, 100, 0)
    near, far = body["items"]
    assert (near["fixture_id"], near["home_team"], near["away_team"]) == (
        seeded.near,
        "Arsenal",
        "Chelsea",
    )
    assert (near["competition"], near["model"], near["version"]) == (
        "E0",
        "test-model",
        ACTIVE_VERSION,
    )
    assert near["prediction_id"] is not None
    assert datetime.fromisoformat(near["kickoff"]) == datetime(2099, 8, 20, 15, tzinfo=UTC)
    rows = {s["selection"]: s for s in near["selections"]}
    assert [s["selection"] for s in near["selections"]] == ["home", "draw", "away", "over", "under"]
    expected = {  # selection: (probability, best price, bookmaker)
        "home": ("0.55", "2.0500", "B365"),
        "draw": ("0.25", "3.6000", "PS"),
        "away": ("0.2", "3.9000", "PS"),
        "over": ("0.52", "1.9500", "PS"),
        "under": ("0.48", "2.0000", "B365"),
    }
    for selection, (probability, price, bookmaker) in expected.items():
        row = rows[selection]
        assert (row["best_price"], row["bookmaker"]) == (price, bookmaker), selection
        assert row["probability"] == pytest.approx(float(probability))
        assert row["fair_odds"] == pytest.approx(round(1 / float(probability), 4))
        edge = Decimal(probability) * Decimal(price) - 1
        assert row["edge"] == str(edge.quantize(Decimal("0.0001"))), selection
        assert row["line"] == (None if selection in {"home", "draw", "away"} else "2.5")
        assert row["market"] == ("1x2" if selection in {"home", "draw", "away"} else "over_under")
    assert rows["home"]["edge"] == "0.1275"
    assert rows["home"]["suggested_stake_minor"] == kelly_stake(
        "0.55", "2.05", fraction="0.5", cap="0.1", bankroll=100_000
    )
    assert rows["home"]["suggested_stake_minor"] == 6071
    # 0.52 * 1.95 - 1 = 0.014, under the 0.02 minimum; the rest are negative.
    assert [rows[s]["suggested_stake_minor"] for s in ("draw", "away", "over", "under")] == [0] * 4
    # The snapshot named is the one holding the price, so a bet can be placed on it.
    assert rows["home"]["odds_snapshot_id"] == snapshot_id(client, alice, seeded.near, "B365")
    bet = client.post(
        f"/api/v1/portfolios/{mine}/bets",
        json={
            "odds_snapshot_id": rows["home"]["odds_snapshot_id"],
            "selection": "home",
            "stake_minor": rows["home"]["suggested_stake_minor"],
        },
        headers=alice,
    )
    assert bet.status_code == 201, bet.text
    assert bet.json()["odds"] == "2.0500"
    # Prices but no prediction: no probability, no edge, no stake.
    assert far["prediction_id"] is None
    assert far["model"] is None
    far_home = far["selections"][0]
    assert (far_home["best_price"], far_home["bookmaker"]) == ("1.8000", "B365")
    assert (far_home["probability"], far_home["edge"], far_home["suggested_stake_minor"]) == (
        None,
        None,
        None,
    )
    assert far["selections"][3]["best_price"] is None


def test_suggestions_top_up_the_position_and_placement_refuses_above_the_caps(
    seeded: Seeded,
) -> None:
    client = seeded.client
    alice = signed_in(client, "alice@example.com")
    caps = {"kelly_fraction": "0.5", "max_stake_fraction": "0.1", "min_edge": "0.02"}
    caps |= {"max_fixture_fraction": "0.12", "max_day_fraction": "0.2"}
    mine = portfolio(client, alice, **caps)

    def suggested(fixture: int = seeded.near) -> list[tuple[int, str | None, str | None]]:
        """The home stake, as the board and the value bets size it, with the reason."""
        board = client.get("/api/v1/board", params={"portfolio_id": mine}, headers=alice).json()
        row = next(r for r in board["items"] if r["fixture_id"] == fixture)
        values = client.get(
            f"/api/v1/portfolios/{mine}/value-bets", params={"competition": "E0"}, headers=alice
        ).json()["items"]
        listed = next(
            v
            for v in values
            if (v["fixture_id"], v["bookmaker"], v["selection"]) == (fixture, "B365", "home")
        )
        return [
            (s["suggested_stake_minor"], s["stake_reason"], s["stake_message"])
            for s in (row["selections"][0], listed)
        ]

    def bet(fixture: int, stake: int) -> httpx.Response:
        snapshot = snapshot_id(client, alice, fixture, "B365")
        answer: httpx.Response = client.post(
            f"/api/v1/portfolios/{mine}/bets",
            json={"odds_snapshot_id": snapshot, "selection": "home", "stake_minor": stake},
            headers=alice,
        )
        return answer

    def bankroll() -> int:
        answer = client.get(f"/api/v1/portfolios/{mine}", headers=alice).json()
        assert (answer["max_fixture_fraction"], answer["max_day_fraction"]) == ("0.1200", "0.2000")
        return int(answer["bankroll_minor"])

    first = kelly_stake("0.55", "2.05", fraction="0.5", cap="0.1", bankroll=100_000)
    assert suggested() == [(first, None, None)] * 2  # nothing open: Kelly, under the cap per bet
    assert bet(seeded.near, first).status_code == 201
    # The position is held: the same selection suggests nothing, and says why.
    held = f"position held: EUR {first / 100:.2f} open against a target of EUR {first / 100:.2f}"
    assert suggested() == [(0, "position_held", held)] * 2
    assert bankroll() == 100_000 - first

    def refused(fixture: int, stake: int) -> str:
        answer = bet(fixture, stake)
        assert answer.status_code == 422, answer.text
        (problem,) = answer.json()["detail"]
        assert set(problem) == {"loc", "msg", "type"}
        return str(problem["msg"])

    # Hard caps, shares of equity EUR 1,000.00: per bet 10%, per fixture 12%, per day 20%.
    assert refused(seeded.far, 10_001) == (
        "stake EUR 100.01 is above the per-bet cap (10% of equity EUR 1,000.00): "
        "EUR 100.00 left; bet refused"
    )
    room = 12_000 - first
    assert refused(seeded.near, room + 1) == (
        f"stake EUR {(room + 1) / 100:.2f} is above the per-fixture cap (12% of equity "
        f"EUR 1,000.00): EUR {room / 100:.2f} left; bet refused"
    )
    # Another fixture kicking off the same day (UTC) takes from the day's room.
    spurs = ("Tottenham", "Fulham", "2099-08-20T19:45:00Z")
    stored = IngestionEngine(MemoryBus(), seeded.unit_of_work, streams=Streams(prefix="day"))
    assert stored.submit([tick(spurs, "B365", "1x2", {"home": "1.70", "draw": "4", "away": "5"})])
    assert bet(_fixture_id(seeded.unit_of_work, spurs[2]), 10_000).status_code == 201
    day_room = 20_000 - first - 10_000
    assert 0 < day_room < room
    assert refused(seeded.near, day_room + 1) == (
        f"stake EUR {(day_room + 1) / 100:.2f} is above the per-day cap (20% of equity "
        f"EUR 1,000.00): EUR {day_room / 100:.2f} left; bet refused"
    )
    assert bet(seeded.near, day_room).status_code == 201
    assert bankroll() == 100_000 - 20_000
    # Caps that do not nest are refused, naming them; the stored settings stay.
    bad = client.put(
        f"/api/v1/portfolios/{mine}/settings",
        json={**caps, "max_fixture_fraction": "0.3"},
        headers=alice,
    )
    assert bad.status_code == 422
    assert "max_fixture_fraction 0.3" in bad.json()["detail"][0]["msg"]
    bankroll()  # still 0.12 and 0.2


def test_board_without_portfolio_pages_and_filters(seeded: Seeded) -> None:
    client = seeded.client
    reader = login(client, "admin@example.com")
    page = client.get("/api/v1/board", headers=reader).json()
    assert [s["suggested_stake_minor"] for s in page["items"][0]["selections"]] == [None] * 5
    assert page["items"][0]["selections"][0]["edge"] == "0.1275"
    second = client.get("/api/v1/board", params={"limit": 1, "offset": 1}, headers=reader).json()
    assert (second["total"], [r["fixture_id"] for r in second["items"]]) == (2, [seeded.far])
    other = client.get("/api/v1/board", params={"competition": "D1"}, headers=reader).json()
    assert (other["total"], other["items"]) == (0, [])


def test_fixture_selections_price_every_line_with_the_boards_edges_and_stakes(
    seeded: Seeded,
) -> None:
    """The fixture page bets from here: every line the prediction prices and a real bookmaker
    quotes, Asian handicap probabilities turned back from the stored fair prices."""
    engine = IngestionEngine(MemoryBus(), seeded.unit_of_work, streams=Streams(prefix="live"))
    handicap = [
        tick(ARSENAL, "B365", "asian_handicap", {"home": "2.00", "away": "1.85"}, line="-0.5"),
        tick(ARSENAL, "MAX", "asian_handicap", {"home": "2.40", "away": "2.40"}, line="-0.5"),
    ]
    assert engine.submit(handicap).stored == 2
    markets = {
        "over_under": {"2.5": list(NEAR_TOTALS)},
        "asian_handicap_fair_odds": {"-0.5": [1.8182, 2.2222], "-0.25": [1.6, 2.6667]},
    }
    with seeded.unit_of_work() as uow:
        uow.session.add(
            _prediction(
                seeded.near,
                seeded.version_id,
                NEAR_PROBABILITIES,
                created_at=datetime.now(UTC) + timedelta(seconds=1),
                trigger="handicap",
                markets=markets,
            )
        )
        uow.commit()
    client = seeded.client
    alice = signed_in(client, "alice@example.com")
    mine = portfolio(client, alice, kelly_fraction="0.5", max_stake_fraction="0.1", min_edge="0.02")
    answer = client.get(
        f"/api/v1/board/fixtures/{seeded.near}", params={"portfolio_id": mine}, headers=alice
    )
    assert answer.status_code == 200, answer.text
    row = answer.json()
    assert (row["fixture_id"], row["home_team"], row["version"]) == (
        seeded.near,
        "Arsenal",
        ACTIVE_VERSION,
    )
    found = {(s["market"], s["line"], s["selection"]): s for s in row["selections"]}
    # Priced by the prediction only: PS's over/under 3.5 has no probability, so no row.
    assert list(found) == [
        ("1x2", None, "home"),
        ("1x2", None, "draw"),
        ("1x2", None, "away"),
        ("over_under", "2.5", "over"),
        ("over_under", "2.5", "under"),
        ("asian_handicap", "-0.5", "home"),
        ("asian_handicap", "-0.5", "away"),
        ("asian_handicap", "-0.25", "home"),
        ("asian_handicap", "-0.25", "away"),
    ]
    home = found[("asian_handicap", "-0.5", "home")]
    assert home["probability"] == pytest.approx(1 / 1.8182)
    assert home["fair_odds"] == pytest.approx(1.8182)
    # MAX's 2.40 is an aggregate: the best real price is B365's 2.00.
    assert (home["best_price"], home["bookmaker"]) == ("2.0000", "B365")
    assert home["edge"] == "0.1000"  # 2.00 / 1.8182 - 1 = 0.09999
    # Kelly alone: floor(100,000 * (2 / 1.8182 - 1) / (2 - 1) * 0.5) = 4999, and 1X2 home
    # 6071 (the board's); sized together, the two are cut pro rata to the 10% fixture cap.
    share = (Fraction(1 / 1.8182) * 2 - 1) / (2 - 1) * Fraction("0.5")
    assert math.floor(100_000 * share) == 4999
    cut = Fraction(10_000, 4999 + 6071)
    assert home["suggested_stake_minor"] == math.floor(4999 * cut) == 4515, home
    away = found[("asian_handicap", "-0.5", "away")]
    assert away["probability"] == pytest.approx(1 / 2.2222)
    assert (away["best_price"], away["edge"], away["suggested_stake_minor"]) == (
        "1.8500",
        "-0.1675",
        0,
    )
    assert away["stake_reason"] == "edge_below_minimum"
    unquoted = found[("asian_handicap", "-0.25", "home")]
    assert (unquoted["best_price"], unquoted["odds_snapshot_id"], unquoted["edge"]) == (
        None,
        None,
        None,
    )
    assert found[("1x2", None, "home")]["suggested_stake_minor"] == math.floor(6071 * cut) == 5484
    over = found[("over_under", "2.5", "over")]
    assert (over["edge"], over["suggested_stake_minor"], over["stake_reason"]) == (
        "0.0140",
        0,
        "edge_below_minimum",
    )
    # A bet on the handicap goes through the ordinary placement, at the price shown.
    bet = client.post(
        f"/api/v1/portfolios/{mine}/bets",
        json={
            "odds_snapshot_id": home["odds_snapshot_id"],
            "selection": "home",
            "stake_minor": home["suggested_stake_minor"],
        },
        headers=alice,
    )
    assert bet.status_code == 201, bet.text
    assert (bet.json()["market"], bet.json()["line"], bet.json()["odds"]) == (
        "asian_handicap",
        "-0.5",
        "2.0000",
    )
    # Without a portfolio: figures, no stakes; an unknown fixture or another's portfolio: 404.
    plain = client.get(f"/api/v1/board/fixtures/{seeded.near}", headers=alice).json()
    assert {s["suggested_stake_minor"] for s in plain["selections"]} == {None}
    missing = client.get("/api/v1/board/fixtures/999999", headers=alice)
    assert missing.status_code == 404
    assert missing.json()["detail"][0]["msg"] == "fixture 999999 not found"
    bob = signed_in(client, "bob@example.com")
    theirs = client.get(
        f"/api/v1/board/fixtures/{seeded.near}", params={"portfolio_id": mine}, headers=bob
    )
    assert theirs.status_code == 404
    # No prediction yet: the fixture with no priced selection.
    far = client.get(f"/api/v1/board/fixtures/{seeded.far}", headers=alice).json()
    assert (far["prediction_id"], far["selections"]) == (None, [])


def test_value_bets_of_every_competition_by_default(seeded: Seeded) -> None:
    """No competition named: every competition's value bets, largest edge first; one named:
    only its own. Paging stays bounded by the ordinary limit."""
    bayern = ("Bayern Munich", "Dortmund", "2099-08-22T15:00:00Z")
    ingest_football_data(seeded.unit_of_work, [SAMPLE_DATA / "D1" / "2022-2023.csv"])
    engine = IngestionEngine(MemoryBus(), seeded.unit_of_work, streams=Streams(prefix="live"))
    german = tick(bayern, "B365", "1x2", {"home": "2.00", "draw": "4.00", "away": "5.00"})
    assert engine.submit([{**german, "competition": "D1"}]).stored == 1
    munich = _fixture_id(seeded.unit_of_work, bayern[2])
    with seeded.unit_of_work() as uow:
        uow.session.add(
            _prediction(
                munich,
                seeded.version_id,
                (0.6, 0.25, 0.15),
                created_at=datetime.now(UTC),
                trigger="test",
            )
        )
        uow.commit()
    client = seeded.client
    alice = signed_in(client, "alice@example.com")
    mine = portfolio(client, alice, kelly_fraction="0.5", max_stake_fraction="0.1", min_edge="0.02")

    def listed(**params: object) -> dict[str, Any]:
        answer = client.get(f"/api/v1/portfolios/{mine}/value-bets", params=params, headers=alice)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    every = listed()
    found = [(v["fixture_id"], v["bookmaker"], v["selection"], v["edge"]) for v in every["items"]]
    # 0.6 * 2.00 - 1 = 0.2 (D1); 0.55 * 2.05 - 1 = 0.1275 (E0, B365); PS's home at 2.00: 0.1.
    assert found == [
        (munich, "B365", "home", "0.2000"),
        (seeded.near, "B365", "home", "0.1275"),
        (seeded.near, "PS", "home", "0.1000"),
    ]
    assert (every["total"], every["limit"]) == (3, 100)
    english = listed(competition="E0")
    assert [v["fixture_id"] for v in english["items"]] == [seeded.near, seeded.near]
    german_only = listed(competition="D1")
    assert [v["fixture_id"] for v in german_only["items"]] == [munich]
    paged = listed(limit=1, offset=1)
    assert (paged["total"], [v["edge"] for v in paged["items"]]) == (3, ["0.1275"])
    assert (
        client.get(
            f"/api/v1/portfolios/{mine}/value-bets", params={"limit": 10_000}, headers=alice
        ).status_code
        == 422
    )


def test_board_refuses_another_users_portfolio_and_bad_queries(seeded: Seeded) -> None:
    client = seeded.client
    alice, bob = signed_in(client, "alice@example.com"), signed_in(client, "bob@example.com")
    mine = portfolio(client, alice)
    foreign = client.get("/api/v1/board", params={"portfolio_id": mine}, headers=bob)
    assert foreign.status_code == 404
    assert foreign.json()["detail"][0] == {
        "loc": [],
        "msg": f"portfolio {mine} not found",
        "type": "not_found",
    }
    assert client.get("/api/v1/board").status_code == 401
    for params in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"portfolio_id": 0}):
        bad = client.get("/api/v1/board", params=params, headers=bob)
        assert bad.status_code == 422, params
        assert bad.json()["detail"][0]["loc"] == ["query", next(iter(params))]
    assert client.get("/api/v1/board?competition=", headers=bob).status_code == 422


# -- score grid -----------------------------------------------------------------------------


def dixon_coles_cells(home: float, away: float, rho: float, size: int = 11) -> list[list[float]]:
    """P(h, a) = Poisson(h; home) Poisson(a; away) tau(h, a), truncated and renormalised."""
    tau = {(0, 0): 1 - home * away * rho, (0, 1): 1 + home * rho, (1, 0): 1 + away * rho}
    tau[(1, 1)] = 1 - rho
    raw = [
        [
            math.exp(-home)
            * home**h
            / math.factorial(h)
            * math.exp(-away)
            * away**a
            / math.factorial(a)
            * tau.get((h, a), 1.0)
            for a in range(size)
        ]
        for h in range(size)
    ]
    total = sum(map(sum, raw))
    return [[cell / total for cell in row] for row in raw]


def test_grid_rebuilds_the_prediction_with_its_rho(seeded: Seeded) -> None:
    client = seeded.client
    reader = login(client, "admin@example.com")
    answer = client.get(f"/api/v1/fixtures/{seeded.near}/prediction/grid", headers=reader)
    assert answer.status_code == 200, answer.text
    grid = answer.json()
    assert (grid["model"], grid["version"], grid["max_goals"]) == ("test-model", ACTIVE_VERSION, 10)
    assert (grid["home_rate"], grid["away_rate"], grid["rho"]) == (*NEAR_RATES, NEAR_RHO)
    expected = dixon_coles_cells(*NEAR_RATES, NEAR_RHO)
    assert np.allclose(grid["cells"], expected, rtol=0, atol=1e-12)
    assert sum(map(sum, grid["cells"])) == pytest.approx(1.0)
    prediction = client.get(f"/api/v1/fixtures/{seeded.near}/prediction", headers=reader).json()
    assert grid["prediction_id"] == prediction["id"]


def test_grid_falls_back_to_the_stored_rho(seeded: Seeded) -> None:
    with seeded.unit_of_work() as uow:
        row = _prediction(
            seeded.far,
            seeded.version_id,
            (0.5, 0.3, 0.2),
            created_at=datetime.now(UTC),
            trigger="cli",
        )
        uow.session.add(row)
        uow.commit()
    reader = login(seeded.client, "admin@example.com")
    grid = seeded.client.get(
        f"/api/v1/fixtures/{seeded.far}/prediction/grid", headers=reader
    ).json()
    assert grid["rho"] == STORED_RHO
    assert np.allclose(grid["cells"], dixon_coles_cells(*NEAR_RATES, STORED_RHO), atol=1e-12)


def test_grid_is_404_without_fixture_or_prediction(seeded: Seeded) -> None:
    reader = login(seeded.client, "admin@example.com")
    missing = seeded.client.get("/api/v1/fixtures/999999/prediction/grid", headers=reader)
    assert missing.status_code == 404
    assert missing.json()["detail"][0]["msg"] == "fixture 999999 not found"
    unpredicted = seeded.client.get(
        f"/api/v1/fixtures/{seeded.far}/prediction/grid", headers=reader
    )
    assert unpredicted.status_code == 404
    assert unpredicted.json()["detail"][0]["msg"] == f"no prediction of fixture {seeded.far} yet"
    huge = seeded.client.get(f"/api/v1/fixtures/{2**40}/prediction/grid", headers=reader)
    assert huge.status_code == 422


# -- exposure -------------------------------------------------------------------------------


def test_exposure_sums_open_bets_by_fixture_and_competition(seeded: Seeded) -> None:
    client = seeded.client
    alice, bob = signed_in(client, "alice@example.com"), signed_in(client, "bob@example.com")
    mine = portfolio(client, alice)
    near_b365 = snapshot_id(client, alice, seeded.near, "B365")
    near_ps = snapshot_id(client, alice, seeded.near, "PS")
    far_b365 = snapshot_id(client, alice, seeded.far, "B365")
    placed = {}
    for name, snapshot, selection, stake in (
        ("a", near_b365, "home", 1_000),  # @ 2.05
        ("b", near_ps, "draw", 500),  # @ 3.60
        ("c", far_b365, "away", 300),  # @ 4.50
        ("d", far_b365, "home", 200),  # voided below
    ):
        answer = client.post(
            f"/api/v1/portfolios/{mine}/bets",
            json={"odds_snapshot_id": snapshot, "selection": selection, "stake_minor": stake},
            headers=alice,
        )
        assert answer.status_code == 201, answer.text
        placed[name] = answer.json()["id"]
    assert client.post(f"/api/v1/bets/{placed['d']}/void", headers=alice).status_code == 204
    answer = client.get(f"/api/v1/portfolios/{mine}/exposure", headers=alice)
    assert answer.status_code == 200, answer.text
    exposure = answer.json()
    assert exposure["portfolio_id"] == mine
    assert exposure["open_stakes_minor"] == 1_800
    assert exposure["by_fixture"] == [
        {
            "fixture_id": seeded.near,
            "competition": "E0",
            "kickoff": exposure["by_fixture"][0]["kickoff"],
            "home_team": "Arsenal",
            "away_team": "Chelsea",
            "stake_minor": 1_500,
            "bets": 2,
            "potential_payout_minor": 2_050 + 1_800,
        },
        {
            "fixture_id": seeded.far,
            "competition": "E0",
            "kickoff": exposure["by_fixture"][1]["kickoff"],
            "home_team": "Liverpool",
            "away_team": "Everton",
            "stake_minor": 300,
            "bets": 1,
            "potential_payout_minor": 1_350,
        },
    ]
    assert datetime.fromisoformat(exposure["by_fixture"][0]["kickoff"]) == datetime(
        2099, 8, 20, 15, tzinfo=UTC
    )
    assert exposure["by_competition"] == [{"competition": "E0", "stake_minor": 1_800, "bets": 3}]
    state = client.get(f"/api/v1/portfolios/{mine}", headers=alice).json()
    assert state["open_stakes_minor"] == exposure["open_stakes_minor"]
    foreign = client.get(f"/api/v1/portfolios/{mine}/exposure", headers=bob)
    assert foreign.status_code == 404
    assert foreign.json()["detail"][0]["type"] == "not_found"
    assert client.get("/api/v1/portfolios/999999/exposure", headers=alice).status_code == 404
    assert client.get("/api/v1/portfolios/0/exposure", headers=alice).status_code == 422


def test_exposure_of_an_empty_portfolio(seeded: Seeded) -> None:
    alice = signed_in(seeded.client, "alice@example.com")
    mine = portfolio(seeded.client, alice)
    exposure = seeded.client.get(f"/api/v1/portfolios/{mine}/exposure", headers=alice).json()
    assert exposure == {
        "portfolio_id": mine,
        "open_stakes_minor": 0,
        "by_fixture": [],
        "by_competition": [],
    }


# -- model health ---------------------------------------------------------------------------


@dataclass
class History:
    """What the health route should find: per match in kick-off order."""

    kickoffs: list[datetime]
    model: list[tuple[float, float, float]]
    outcomes: list[int]
    closing: list[tuple[float, float, float]]
    end: datetime


def seed_history(unit_of_work: Callable[[], UnitOfWork], version_id: int) -> History:
    """Predictions of the last 120 days of finished matches: every third one also predicted
    before kick-off (that one counts), the others only after (the latest counts)."""
    with unit_of_work() as uow:
        session = uow.session
        end = session.scalar(
            select(FixtureRow.kickoff_utc)
            .where(FixtureRow.status == "finished")
            .order_by(FixtureRow.kickoff_utc.desc())
            .limit(1)
        )
        assert end is not None
        matches = session.execute(
            select(
                FixtureRow.id, FixtureRow.kickoff_utc, ResultRow.home_goals, ResultRow.away_goals
            )
            .join(ResultRow, ResultRow.fixture_id == FixtureRow.id)
            .where(FixtureRow.kickoff_utc >= end - timedelta(days=120))
            .order_by(FixtureRow.kickoff_utc, FixtureRow.id)
        ).all()
        ps = session.scalar(select(Bookmaker.id).where(Bookmaker.code == "PS"))
        closing = {
            row.fixture_id: (float(row.home or 0), float(row.draw or 0), float(row.away or 0))
            for row in session.scalars(
                select(OddsRow).where(
                    OddsRow.bookmaker_id == ps, OddsRow.kind == "closing", OddsRow.market == "1x2"
                )
            )
        }
        history = History([], [], [], [], end)
        for i, (fixture_id, kickoff, home_goals, away_goals) in enumerate(matches):
            home = 0.305 + 0.04 * (i * 7 % 10)  # never near a bin edge
            counted = (home, 0.25, 0.75 - home)
            after = kickoff + timedelta(hours=3)
            if i % 3 == 0:
                session.add(
                    _prediction(
                        fixture_id,
                        version_id,
                        counted,
                        created_at=kickoff - timedelta(hours=2),
                        trigger="pre",
                    )
                )
                session.flush()
                session.add(
                    _prediction(
                        fixture_id, version_id, (0.1, 0.1, 0.8), created_at=after, trigger="post"
                    )
                )
            else:
                session.add(
                    _prediction(
                        fixture_id, version_id, (0.1, 0.1, 0.8), created_at=after, trigger="a"
                    )
                )
                session.flush()
                session.add(
                    _prediction(fixture_id, version_id, counted, created_at=after, trigger="b")
                )
            session.flush()
            if kickoff >= end - timedelta(days=90):
                history.kickoffs.append(kickoff)
                history.model.append(counted)
                history.outcomes.append(
                    0 if home_goals > away_goals else 1 if home_goals == away_goals else 2
                )
                history.closing.append(closing[fixture_id])
        uow.commit()
    return history


def rps(p: tuple[float, ...], outcome: int) -> float:
    cumulative_p = [p[0], p[0] + p[1]]
    cumulative_o = [1.0 if outcome <= 0 else 0.0, 1.0 if outcome <= 1 else 0.0]
    return sum((a - b) ** 2 for a, b in zip(cumulative_p, cumulative_o, strict=True)) / 2


def test_model_health_scores_calibration_and_the_market(seeded: Seeded) -> None:
    history = seed_history(seeded.unit_of_work, seeded.version_id)
    n = len(history.kickoffs)
    assert n > 60  # a meaningful sample of the season's end
    reader = login(seeded.client, "admin@example.com")
    answer = seeded.client.get(
        "/api/v1/models/health", params={"days": 90, "window": 20}, headers=reader
    )
    assert answer.status_code == 200, answer.text
    health = answer.json()
    assert (health["model"], health["version"], health["n_matches"]) == (
        "test-model",
        ACTIVE_VERSION,
        n,
    )
    [record] = health["versions"]  # one version served every match
    assert (record["model"], record["version"], record["n_matches"]) == (
        "test-model",
        ACTIVE_VERSION,
        n,
    )
    assert record["rps_model"] == pytest.approx(
        sum(rps(history.model[k], history.outcomes[k]) for k in range(n)) / n
    )
    assert datetime.fromisoformat(health["window_end"]) == history.end
    assert datetime.fromisoformat(health["window_start"]) == history.end - timedelta(days=90)

    # Reliability: home forecasts fall in bins 3..6, every draw forecast in bin 2.
    bins = {(b["selection"], round(b["bin_low"], 1)): b for b in health["reliability"]}
    for j, selection in enumerate(("home", "draw", "away")):
        for low in {math.floor(p[j] * 10) for p in history.model}:
            members = [k for k, p in enumerate(history.model) if math.floor(p[j] * 10) == low]
            got = bins[(selection, low / 10)]
            assert got["count"] == len(members)
            assert got["bin_high"] == pytest.approx(low / 10 + 0.1)
            assert got["predicted_mean"] == pytest.approx(
                sum(history.model[k][j] for k in members) / len(members)
            )
            assert got["observed_rate"] == pytest.approx(
                sum(history.outcomes[k] == j for k in members) / len(members)
            )
    assert sum(b["count"] for b in health["reliability"]) == 3 * n

    # Rolling: one point per match from the 20th, each the mean of the last 20.
    rolling = health["rolling"]
    assert len(rolling) == n - 19
    market = remove_margin(np.array(history.closing), "power")
    for index in (0, len(rolling) - 1):
        point, last = rolling[index], index + 19
        span = range(last - 19, last + 1)
        assert datetime.fromisoformat(point["at"]) == history.kickoffs[last]
        assert point["n"] == 20
        assert point["rps_model"] == pytest.approx(
            sum(rps(history.model[k], history.outcomes[k]) for k in span) / 20
        )
        assert point["log_loss_model"] == pytest.approx(
            sum(-math.log(history.model[k][history.outcomes[k]]) for k in span) / 20
        )
        assert point["rps_market"] == pytest.approx(
            sum(rps(tuple(market[k]), history.outcomes[k]) for k in span) / 20
        )
        assert point["log_loss_market"] == pytest.approx(
            sum(-math.log(market[k][history.outcomes[k]]) for k in span) / 20
        )
    # No reference saved with this model: drift cannot be measured.
    assert health["drift"]["status"] == "unknown"
    assert health["drift"]["prediction_psi"] is None


def test_model_health_measures_drift_against_the_saved_reference(seeded: Seeded) -> None:
    seed_history(seeded.unit_of_work, seeded.version_id)
    registry = ModelRegistry(seeded.tmp_path / "registry")
    reference_home = np.linspace(0.3, 0.5, 200)
    version = registry.save(
        ModelArtifact(
            name="test-model",
            params={},
            feature_names=[],
            trained_from=date(2020, 1, 1),
            trained_to=date(2022, 1, 1),
            seed=0,
            estimators={
                "reference": ReferenceDistribution.from_frame(
                    reference_home.reshape(-1, 1), ["home"]
                )
            },
        )
    )
    with seeded.unit_of_work() as uow:
        row = uow.session.get(ModelVersion, seeded.version_id)
        assert row is not None
        row.version, row.artifact_path = version, str(registry.path("test-model", version))
        recent = uow.session.scalars(
            select(PredictionRow.p_home)
            .where(PredictionRow.model_version_id == seeded.version_id)
            .order_by(PredictionRow.id.desc())
            .limit(500)
        ).all()
        uow.commit()
    expected = psi(reference_home, np.array(recent))
    reader = login(seeded.client, "admin@example.com")
    drift = seeded.client.get("/api/v1/models/health", headers=reader).json()["drift"]
    assert drift["n_recent"] == len(recent) > 300
    assert drift["prediction_psi"] == pytest.approx(expected)
    assert drift["status"] == (
        "stable" if expected < 0.1 else "watch" if expected < 0.25 else "drift"
    )
    assert drift["status"] != "unknown"


def test_model_health_without_data_or_model(seeded: Seeded) -> None:
    reader = login(seeded.client, "admin@example.com")
    quiet = seeded.client.get("/api/v1/models/health", params={"window": 5}, headers=reader).json()
    assert (quiet["n_matches"], quiet["reliability"], quiet["rolling"]) == (0, [], [])
    assert quiet["drift"]["n_recent"] == 1  # the board's one prediction
    with seeded.unit_of_work() as uow:
        row = uow.session.get(ModelVersion, seeded.version_id)
        assert row is not None
        row.is_active = False
        uow.commit()
    none = seeded.client.get("/api/v1/models/health", headers=reader).json()
    assert none == {
        "model": None,
        "version": None,
        "window_start": None,
        "window_end": None,
        "n_matches": 0,
        "reliability": [],
        "rolling": [],
        "drift": {"prediction_psi": None, "n_recent": 0, "status": "unknown"},
        "versions": [],
    }
    for params in ({"days": 0}, {"window": 0}, {"days": "x"}):
        assert (
            seeded.client.get("/api/v1/models/health", params=params, headers=reader).status_code
            == 422
        )
