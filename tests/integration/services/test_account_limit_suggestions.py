"""Suggestions clipped to what a bookmaker account will take, on SQLite and PostgreSQL.

A Pinnacle account with a known maximum stake of 50.00 caps every suggestion at
Pinnacle's prices, on the board and in the value-bets list, and each says whose
limit cut it and from what; a bookmaker without an account is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from test_book import user
from test_read_side import SEASON, _model, _predict

from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.services import board, bookmaker_accounts, catalog, portfolios, value_bets
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.unit_of_work import UnitOfWork

CAPTURED = datetime(2099, 8, 19, 10, 0, tzinfo=UTC)
NOW = CAPTURED + timedelta(minutes=1)  # the prices are fresh


def _tick(bookmaker: str, home_team: str, away_team: str, prices: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": home_team,
        "away_team": away_team,
        "kickoff": "2099-08-20T15:00:00Z",
        "bookmaker": bookmaker,
        "market": "1x2",
        "line": None,
        "prices": prices,
        "captured_at": CAPTURED.isoformat(),
    }


def _book(unit_of_work: Callable[[], UnitOfWork]) -> tuple[int, int]:
    """Two future fixtures, one priced best by Pinnacle and one by Bet365, predicted by the
    active model; and a EUR 10,000.00 portfolio with a Pinnacle account taking at most
    50.00. The owner and the portfolio."""
    ingest_football_data(unit_of_work, [SEASON])
    engine = IngestionEngine(MemoryBus(), unit_of_work, streams=Streams(prefix="account-limit"))
    prices = {"home": "2.10", "draw": "3.50", "away": "3.60"}
    assert (
        engine.submit(
            [_tick("PS", "Arsenal", "Chelsea", prices), _tick("B365", "Leeds", "Wolves", prices)]
        ).stored
        == 2
    )
    fixtures, _ = catalog.fixtures(
        unit_of_work,
        competition="E0",
        start=datetime(2099, 1, 1, tzinfo=UTC),
        end=None,
        status="scheduled",
        limit=5,
        offset=0,
    )
    version = _model(unit_of_work, active=True)
    for fixture in fixtures:
        _predict(unit_of_work, fixture.id, version)
    owner = user(unit_of_work, "pro@example.com")
    book = portfolios.create(unit_of_work, owner_id=owner, name="main")
    portfolios.deposit(unit_of_work, owner_id=owner, portfolio_id=book, amount_minor=1_000_000)
    bookmaker_accounts.create(
        unit_of_work,
        owner_id=owner,
        portfolio_id=book,
        change=bookmaker_accounts.AccountChange("Pinnacle", 200_000, 5_000),
    )
    return owner, book


def test_the_board_clips_a_suggestion_at_pinnacle_to_the_accounts_maximum(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    owner, book = _book(unit_of_work)
    rows, _ = board.board(
        unit_of_work,
        owner_id=owner,
        competition="E0",
        portfolio_id=book,
        limit=10,
        offset=0,
        now=NOW,
    )
    home = {row.home_team: row.selections[0] for row in rows}
    at_pinnacle, at_bet365 = home["Arsenal"], home["Leeds"]
    assert (at_pinnacle.bookmaker, at_bet365.bookmaker) == ("PS", "B365")
    # Same prices, same model, so the same Kelly stake: only the account's limit differs.
    assert at_bet365.suggested_stake_minor is not None
    assert at_bet365.suggested_stake_minor > 5_000
    assert at_bet365.stake_reason is None
    assert at_pinnacle.suggested_stake_minor == 5_000
    assert at_pinnacle.stake_reason == "account_limit"
    assert at_pinnacle.stake_message == (
        "account Pinnacle takes at most EUR 50.00: cut from "
        f"EUR {at_bet365.suggested_stake_minor / 100:,.2f}"
    )


def test_value_bets_clip_pinnacle_quotes_and_leave_other_bookmakers_alone(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    owner, book = _book(unit_of_work)
    found, _ = value_bets.list_(
        unit_of_work,
        owner_id=owner,
        portfolio_id=book,
        competition="E0",
        limit=20,
        offset=0,
        now=NOW,
    )
    home = {bet.bookmaker: bet for bet in found if bet.selection == "home"}
    assert home["PS"].suggested_stake_minor == 5_000
    assert home["PS"].stake_reason == "account_limit"
    assert home["PS"].stake_message is not None
    assert "Pinnacle takes at most EUR 50.00" in home["PS"].stake_message
    assert home["B365"].suggested_stake_minor > 5_000
    assert home["B365"].stake_reason is None


def test_a_limit_above_the_kelly_stake_changes_nothing(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    owner, book = _book(unit_of_work)
    with unit_of_work() as uow:
        (account,) = uow.bookmaker_accounts.list_(portfolio_id=book)
    bookmaker_accounts.update(
        unit_of_work,
        owner_id=owner,
        account_id=account.id,
        change=bookmaker_accounts.AccountChange("Pinnacle", 200_000, 900_000),
    )
    rows, _ = board.board(
        unit_of_work,
        owner_id=owner,
        competition="E0",
        portfolio_id=book,
        limit=10,
        offset=0,
        now=NOW,
    )
    home = {row.home_team: row.selections[0] for row in rows}
    assert home["Arsenal"].suggested_stake_minor == home["Leeds"].suggested_stake_minor
    assert home["Arsenal"].stake_reason is None
