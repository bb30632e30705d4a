"""The demo board's value bets, measured: their median edge and their closing-line value.

    .venv/bin/python scripts/demo_board.py [--model ensemble|dixon-coles] [--days 21]

Sets the demo up as ``scoreline up`` does (the bundled sample loaded up to a cut-off
``--days`` before it ends, Dixon-Coles fitted, the ensemble trained or reused unless
``--model dixon-coles``) in a database of its own, then plays the replay (matches
announced a match day ahead, as ``up`` sends them) on history's own clock. Just
before each kick-off it predicts the matches about to start from their latest
pre-match prices and reads the trader's value bets as the board lists them
(``services.value_bets``: the bookmakers' pre-match 1X2 prices whose edge over the
active model clears the Demo book's minimum, 2%). Each value bet is then scored
against the replay's close: CLV = price x Pinnacle's de-margined (power) closing
probability - 1, and against the same bookmaker's raw closing price.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

from scoreline.config import get_settings
from scoreline.domain.bookmakers import SHARP
from scoreline.platform import Platform
from scoreline.pricing import remove_margin
from scoreline.pricing.kelly import closing_line_value
from scoreline.providers.replay import replay_events
from scoreline.providers.replay_clock import announce_ahead
from scoreline.services import demo, model_versions, portfolios, value_bets
from scoreline.services import ingest as ingest_service
from scoreline.services.fitting import fit_dixon_coles
from scoreline.services.serving import Predictor

_OUTCOMES = ("home", "draw", "away")


def main() -> None:
    """Parse the options, measure, print one summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("ensemble", "dixon-coles"), default="ensemble")
    parser.add_argument("--days", type=float, default=21.0)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--registry", type=Path, default=Path("var/demo/data"))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = get_settings().model_copy(
            update={
                "database_url": f"sqlite:///{Path(folder) / 'board.db'}",
                "data_dir": options.registry,
            }
        )
        measure(Platform(settings), options.model, options.days, options.data)


def measure(platform: Platform, model: str, days: float, data: Path | None) -> None:
    """Set the demo up, replay it, and print what its board's value bets were worth."""
    platform.upgrade_schema()
    uow = platform.unit_of_work
    folder = data or platform.settings.sample_data_dir
    latest = demo.latest_kickoff(folder)
    cut = datetime.combine((latest - timedelta(days=days)).date(), time(), UTC)
    ingest_service.ingest_football_data(uow, [folder], before=cut)
    fit_dixon_coles(uow, artifacts_dir=platform.artifacts_dir, as_of=cut)
    if model == "ensemble":
        demo.activate_ensemble(uow, folder=folder, cut=cut, artifacts_dir=platform.artifacts_dir)
    demo.seed_users(uow)
    demo.seed_portfolio(uow)
    with uow() as work:
        trader = work.users.get_by_email(demo.TRADER)
    assert trader is not None
    portfolio = portfolios.list_(uow, owner_id=trader.id, limit=1, offset=0)[0][0].portfolio.id
    active = model_versions.active(uow)
    events = announce_ahead(replay_events([folder], start=cut.date(), end=latest.date()))
    closing_sharp: dict[tuple[str, str], list[float]] = {}
    closing_raw: dict[tuple[str, str, str], dict[str, str]] = {}
    for event in events:
        tick = event.payload
        if tick["type"] == "odds" and tick.get("kind") == "closing" and tick["market"] == "1x2":
            match = (tick["home_team"], tick["away_team"])
            closing_raw[(*match, tick["bookmaker"])] = tick["prices"]
            if tick["bookmaker"] == SHARP:
                closing_sharp[match] = [float(tick["prices"][s]) for s in _OUTCOMES]
    engine = platform.ingestion_engine()
    predictor = Predictor(
        uow, model_versions.load_active(uow, artifacts_dir=platform.artifacts_dir)
    )
    kickoffs = sorted({e.at for e in events if e.payload.get("kind") == "closing"})
    bets: dict[tuple[int, str, str], tuple[Decimal, Decimal]] = {}
    teams: dict[int, tuple[str, str]] = {}
    position = 0
    for kickoff in kickoffs:
        batch = []
        while position < len(events) and events[position].at < kickoff:
            batch.append(events[position].payload)
            position += 1
        for first in range(0, len(batch), 500):
            engine.submit(batch[first : first + 500])
        predictor.refresh(force=False)
        with uow() as work:
            starting = work.fixtures.list_between(
                start=kickoff, end=kickoff + timedelta(seconds=1), limit=1000
            )
        if not starting:
            continue
        predictor.predict_fixtures([f.id for f in starting], trigger=f"board:{kickoff:%s}")
        names = {f.id: (f.home_team, f.away_team) for f in starting}
        teams.update(names)
        for competition in sorted({f.competition for f in starting}):
            listed, _ = value_bets.list_(
                uow,
                owner_id=trader.id,
                portfolio_id=portfolio,
                competition=competition,
                limit=10_000,
                offset=0,
                now=kickoff - timedelta(seconds=1),
            )
            for bet in listed:
                if bet.fixture_id in names:
                    bets[(bet.fixture_id, bet.bookmaker, bet.selection)] = (bet.price, bet.edge)
    summarise(active.name, bets, teams, closing_sharp, closing_raw)


def summarise(
    model: str,
    bets: dict[tuple[int, str, str], tuple[Decimal, Decimal]],
    teams: dict[int, tuple[str, str]],
    closing_sharp: dict[tuple[str, str], list[float]],
    closing_raw: dict[tuple[str, str, str], dict[str, str]],
) -> None:
    """Print the median edge and the mean CLV of the value bets."""
    edges = [float(edge) for _, edge in bets.values()]
    clv_sharp, clv_raw = [], []
    by_fixture: dict[int, int] = defaultdict(int)
    for (fixture_id, bookmaker, selection), (price, _) in bets.items():
        by_fixture[fixture_id] += 1
        match = teams[fixture_id]
        if match in closing_sharp:
            fair = remove_margin(np.array([closing_sharp[match]]), method="power")[0]
            p_close = fair[_OUTCOMES.index(selection)]
            clv_sharp.append(float(closing_line_value(float(price), p_close)))
        raw = closing_raw.get((*match, bookmaker), {}).get(selection)
        if raw is not None:
            clv_raw.append(float(price) / float(raw) - 1)
    print(f"model serving: {model}")
    print(f"value bets on the board before kick-off: {len(bets)} on {len(by_fixture)} matches")
    if edges:
        quartiles = statistics.quantiles(edges, n=4)
        print(
            f"edge: median {statistics.median(edges):+.2%}, quartiles {quartiles[0]:+.2%} /"
            f" {quartiles[2]:+.2%}, max {max(edges):+.2%}"
        )
    if clv_sharp:
        mean, error = (
            statistics.fmean(clv_sharp),
            statistics.stdev(clv_sharp) / len(clv_sharp) ** 0.5,
        )
        print(
            f"CLV against Pinnacle's de-margined close: mean {mean:+.2%} (± {1.96 * error:.2%},"
            f" 95%), {sum(c > 0 for c in clv_sharp)}/{len(clv_sharp)} positive"
        )
    if clv_raw:
        print(f"CLV against the same bookmaker's close: mean {statistics.fmean(clv_raw):+.2%}")


if __name__ == "__main__":
    main()
