"""The alert rules without a database: moves, thresholds, settings and the text told."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.domain.alerts import (
    AlertKind,
    AlertRecord,
    AlertRules,
    describe,
    move_of,
    moved_enough,
    problems_of,
    selection_text,
)

prices = st.decimals(min_value=Decimal("1.01"), max_value=Decimal("1000"), places=2)


@given(prices, prices)
def test_a_move_is_symmetric_in_sign_and_a_threshold_on_its_size(
    before: Decimal, after: Decimal
) -> None:
    move = move_of(before, after)
    assert (move > 0) == (after > before) or move == 0
    assert moved_enough(before, after, abs(move)) or move == 0
    assert not moved_enough(before, after, abs(move) + Decimal("0.0001"))


@pytest.mark.parametrize(
    ("market", "quarters", "selection", "said"),
    [
        ("1x2", 0, "home", "Arsenal"),
        ("1x2", 0, "draw", "Draw"),
        ("1x2", 0, "away", "Chelsea"),
        ("over_under", 10, "over", "Over 2.5"),
        ("over_under", 12, "under", "Under 3"),
        ("over_under", 9, "over", "Over 2.25"),
        ("asian_handicap", -1, "home", "Arsenal −0.25"),
        ("asian_handicap", -1, "away", "Chelsea +0.25"),
        ("asian_handicap", 6, "home", "Arsenal +1.5"),
        ("asian_handicap", 0, "away", "Chelsea 0"),
    ],
)
def test_selections_are_named_as_a_bettor_says_them(
    market: str, quarters: int, selection: str, said: str
) -> None:
    assert selection_text(market, quarters, selection, home="Arsenal", away="Chelsea") == said


def _alert(kind: AlertKind, **figures: Decimal | None) -> AlertRecord:
    return AlertRecord(
        id=1,
        user_id=1,
        kind=kind,
        fixture_id=1,
        market="asian_handicap",
        line_quarters=-3,
        selection="away",
        bookmaker="B365",
        price=Decimal("1.9500"),
        previous_price=figures.get("previous_price"),
        change=figures.get("change"),
        edge=figures.get("edge"),
        odds_snapshot_id=7,
        created_at=datetime(2026, 12, 3, tzinfo=UTC),
        read_at=None,
        webhook_state=None,
        webhook_detail=None,
    )


def test_the_text_told_names_the_selection_price_and_figure() -> None:
    value = _alert(AlertKind.VALUE_BET, edge=Decimal("0.0412"))
    assert describe(value, home="Arsenal", away="Chelsea") == (
        "Value bet: Chelsea +0.75",
        "Arsenal v Chelsea: Chelsea +0.75 at 1.95 (B365), edge +4.1%",
    )
    move = _alert(AlertKind.LINE_MOVE, previous_price=Decimal("2.1000"), change=Decimal("-0.0714"))
    assert describe(move, home="Arsenal", away="Chelsea") == (
        "Line move: Chelsea +0.75",
        "Arsenal v Chelsea: B365 Chelsea +0.75 2.10 → 1.95 (-7.1%)",
    )


def test_settings_name_every_field_that_cannot_be_stored() -> None:
    assert (
        problems_of(AlertRules(Decimal("0.03"), Decimal("1"), "https://hooks.example.com/a")) == []
    )
    found = problems_of(AlertRules(Decimal("NaN"), Decimal("0.12345"), "javascript:alert(1)"))
    assert [name for name, _ in found] == ["value_edge_min", "line_move_min", "webhook_url"]
    assert "four decimal places" in found[1][1]
    assert problems_of(AlertRules(webhook_url="https://" + "a" * 2050 + ".com"))[0][1].startswith(
        "is longer than"
    )
