"""The shadow-CLV route on SQLite and PostgreSQL, against figures worked out here.

The expected numbers are computed in the test from the stored prices: the sharp
book's newest pre-match price captured by the prediction's moment and its
closing price, de-margined, then ``close / p - 1`` on each selection the model
rates above the pre-match market, and the 95% t-interval by scipy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from scipy import stats
from sqlalchemy import select

from conftest import SAMPLE_DATA
from scoreline.api.app import create_app
from scoreline.api.server import build_context
from scoreline.config import Settings
from scoreline.pricing import remove_margin
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import Bookmaker, FixtureRow, OddsRow, PredictionRow
from scoreline.storage.unit_of_work import UnitOfWork
from seeding import add_model_version

PASSWORD = "correct horse battery staple"
# Hours before kick-off of the predictions made of each match; within a bucket the
# latest counts (5 h is overridden by 2 h), and one made after kick-off never does.
MOMENTS = (30.0, 5.0, 2.0, 0.5, -2.0)
COUNTED = (30.0, 2.0, 0.5)
BUCKET_OF = {30.0: ">24h", 2.0: "1-6h", 0.5: "<1h"}


@dataclass
class Seeded:
    client: TestClient
    headers: dict[str, str]
    expected: dict[str, list[float]]  # bucket -> CLVs of its shadow bets
    end: datetime


def _version(uow: UnitOfWork, version: str, *, active: bool) -> int:
    return add_model_version(uow, version, active=active)


def _probabilities(i: int) -> tuple[float, float, float]:
    home = 0.305 + 0.04 * (i * 7 % 10)
    return (home, 0.26, 1 - home - 0.26)


def _prices(row: OddsRow) -> list[float]:
    prices = [row.home, row.draw, row.away]
    assert all(p is not None for p in prices)
    return [float(p or 0) for p in prices]


def _seed(unit_of_work: Callable[[], UnitOfWork]) -> tuple[dict[str, list[float]], datetime]:
    """Predictions of the last 40 finished matches at every moment, and what should count."""
    expected: dict[str, list[float]] = {}
    with unit_of_work() as uow:
        session = uow.session
        active = _version(uow, "20990101T000000000000Z-000000000001", active=True)
        other = _version(uow, "20980101T000000000000Z-000000000002", active=False)
        ps = session.scalar(select(Bookmaker.id).where(Bookmaker.code == "PS"))
        matches = session.execute(
            select(FixtureRow.id, FixtureRow.kickoff_utc)
            .where(FixtureRow.status == "finished")
            .order_by(FixtureRow.kickoff_utc.desc(), FixtureRow.id)
            .limit(40)
        ).all()
        end = max(kickoff for _, kickoff in matches)
        for i, (fixture_id, kickoff) in enumerate(matches):
            quotes = session.scalars(
                select(OddsRow).where(
                    OddsRow.fixture_id == fixture_id,
                    OddsRow.bookmaker_id == ps,
                    OddsRow.market == "1x2",
                )
            ).all()
            closing = [q for q in quotes if q.kind == "closing"]
            p = np.array(_probabilities(i))
            for hours in MOMENTS:
                created = kickoff - timedelta(hours=hours)
                for version, trigger in ((active, f"t{hours}"), (other, f"o{hours}")):
                    session.add(
                        PredictionRow(
                            fixture_id=fixture_id,
                            model_version_id=version,
                            trigger=trigger,
                            created_at=created,
                            home_goals_expectation=1.4,
                            away_goals_expectation=1.1,
                            rho=-0.05,
                            p_home=float(p[0]),
                            p_draw=float(p[1]),
                            p_away=float(p[2]) if version == active else 0.9,
                        )
                    )
                known = [q for q in quotes if q.kind == "prematch" and q.captured_at <= created]
                if hours not in COUNTED or not known or not closing:
                    continue
                pre = max(known, key=lambda q: (q.captured_at, q.id))
                q_fair = remove_margin([_prices(pre)])[0]
                c = remove_margin([_prices(closing[-1])])[0]
                backed = p / p.sum() > q_fair
                expected.setdefault(BUCKET_OF[hours], []).extend(
                    (c[backed] / (p / p.sum())[backed] - 1).tolist()
                )
            session.flush()
        uow.commit()
    return expected, end


@pytest.fixture
def seeded(unit_of_work: Callable[[], UnitOfWork], tmp_path: Path) -> Iterator[Seeded]:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    expected, end = _seed(unit_of_work)
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
        login = client.post(
            "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        yield Seeded(client, headers, expected, end)


def _check(row: dict[str, object], values: list[float]) -> None:
    assert row["n_bets"] == len(values)
    mean = sum(values) / len(values)
    assert row["mean"] == pytest.approx(mean, abs=1e-9)
    sd = float(np.std(values, ddof=1))
    low, high = stats.t.interval(0.95, len(values) - 1, loc=mean, scale=sd / math.sqrt(len(values)))
    assert row["ci95_low"] == pytest.approx(low, abs=1e-6)
    assert row["ci95_high"] == pytest.approx(high, abs=1e-6)
    assert row["bets_needed"] == math.ceil((1.959963984540054 * sd / mean) ** 2)


def test_shadow_clv_per_bucket_with_intervals_and_bets_needed(seeded: Seeded) -> None:
    answer = seeded.client.get(
        "/api/v1/models/health/shadow-clv", params={"days": 365}, headers=seeded.headers
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["model"], body["version"]) == ("test-model", "20990101T000000000000Z-000000000001")
    assert datetime.fromisoformat(body["window_end"]) == seeded.end
    # 40 matches, each counted once in each of three buckets; 5 h and after kick-off are not.
    assert body["n_predictions"] == 40 * len(COUNTED)
    assert set(seeded.expected) == {">24h", "1-6h", "<1h"}
    # 30 h before a Saturday match, Friday's pre-match price was not yet captured:
    # those predictions back nothing, so the earliest bucket has fewer bets.
    assert len(seeded.expected[">24h"]) < len(seeded.expected["1-6h"])
    assert sum(len(v) for v in seeded.expected.values()) > 30  # a real sample of bets
    everything = [v for values in seeded.expected.values() for v in values]
    _check(body["overall"], everything)
    decay = {row["bucket"]: row for row in body["decay"]}
    assert [row["bucket"] for row in body["decay"]] == [">24h", "6-24h", "1-6h", "<1h"]
    assert decay["6-24h"]["n_bets"] == 0
    for bucket, values in seeded.expected.items():
        _check(decay[bucket], values)
        (row,) = [
            r
            for r in body["rows"]
            if (r["league"], r["market"], r["bucket"]) == ("E0", "1x2", bucket)
        ]
        _check(row, values)
    assert len(body["rows"]) == len(seeded.expected)
    assert "close/p - 1" in body["definition"]


def test_shadow_clv_without_a_model_or_with_bad_days(
    unit_of_work: Callable[[], UnitOfWork], tmp_path: Path
) -> None:
    settings = Settings(
        jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db", data_dir=tmp_path
    )
    with TestClient(create_app(build_context(settings, unit_of_work))) as client:
        client.post(
            "/api/v1/auth/bootstrap", json={"email": "admin@example.com", "password": PASSWORD}
        )
        login = client.post(
            "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        body = client.get("/api/v1/models/health/shadow-clv", headers=headers).json()
        assert (body["model"], body["n_predictions"], body["rows"]) == (None, 0, [])
        assert body["overall"]["n_bets"] == 0
        assert body["overall"]["mean"] is None
        assert len(body["decay"]) == 4
        bad = client.get("/api/v1/models/health/shadow-clv", params={"days": 0}, headers=headers)
        assert bad.status_code == 422
        assert client.get("/api/v1/models/health/shadow-clv").status_code == 401
