"""Money as people read it: the currency code, thousands separated, two decimals; and the
bare amount a CSV column beside its currency holds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.domain.money import format_amount, format_money


@pytest.mark.parametrize(
    ("minor", "text"),
    [
        (0, "EUR 0.00"),
        (5, "EUR 0.05"),
        (123_450, "EUR 1,234.50"),
        (99_999_900, "EUR 999,999.00"),
        (-98_772_233, "EUR -987,722.33"),
        (-1, "EUR -0.01"),
    ],
)
def test_minor_units_read_as_currency_with_two_decimals(minor: int, text: str) -> None:
    assert format_money(minor, "EUR") == text


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_the_text_reads_back_as_the_same_amount(minor: int) -> None:
    code, number = format_money(minor, "GBP").split(" ")
    assert code == "GBP"
    whole, cents = number.replace(",", "").split(".")
    assert len(cents) == 2
    sign = -1 if whole.startswith("-") else 1
    assert sign * (abs(int(whole)) * 100 + int(cents)) == minor


@pytest.mark.parametrize("bad", [1.5, True, "100"])
def test_only_whole_minor_units_are_formatted(bad: object) -> None:
    with pytest.raises(TypeError):
        format_money(bad, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("minor", "text"),
    [(0, "0.00"), (5, "0.05"), (123_450, "1234.50"), (-1, "-0.01"), (-98_772_233, "-987722.33")],
)
def test_a_bare_amount_has_two_decimals_and_no_grouping(minor: int, text: str) -> None:
    assert format_amount(minor) == text


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_a_bare_amount_reads_back_as_the_same_number(minor: int) -> None:
    assert Decimal(format_amount(minor)) * 100 == minor


def test_a_bare_amount_refuses_what_is_not_whole_minor_units() -> None:
    with pytest.raises(TypeError):
        format_amount(True)
