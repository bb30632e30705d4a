"""Portfolio schemas take the five settings from the domain, with the bounds clients know."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from scoreline.api.schemas.portfolios import (
    PortfolioCreate,
    PortfolioRead,
    PortfolioSettingsUpdate,
)
from scoreline.domain.betting import (
    SETTINGS,
    PortfolioBalance,
    PortfolioRecord,
    PortfolioSettings,
)
from scoreline.errors import DataError

NAMES = [setting.name for setting in SETTINGS]


def test_input_settings_carry_their_defaults_and_bounds() -> None:
    properties = PortfolioSettingsUpdate.model_json_schema()["properties"]
    assert list(properties) == NAMES
    assert properties["kelly_fraction"]["default"] == "0.25"
    assert properties["kelly_fraction"]["anyOf"][0] == {
        "exclusiveMinimum": 0.0,
        "maximum": 1.0,
        "type": "number",
    }
    assert properties["min_edge"]["anyOf"][0] == {
        "minimum": 0.0,
        "exclusiveMaximum": 1.0,
        "type": "number",
    }


def test_input_refuses_more_than_four_places_and_out_of_range() -> None:
    with pytest.raises(ValidationError):
        PortfolioSettingsUpdate.model_validate({"kelly_fraction": "0.12345"})
    with pytest.raises(ValidationError):
        PortfolioSettingsUpdate.model_validate({"min_edge": "1"})


def test_a_new_portfolio_has_name_currency_and_the_settings() -> None:
    body = PortfolioCreate.model_validate({"name": "main", "max_day_fraction": "0.5"})
    assert body.currency == "EUR"
    assert body.settings() == PortfolioSettings(max_day_fraction=Decimal("0.5"))
    with pytest.raises(DataError, match="the caps must nest"):
        PortfolioCreate.model_validate({"name": "x", "max_fixture_fraction": "0.3"}).settings()


def test_output_lists_settings_between_the_name_and_the_money() -> None:
    assert list(PortfolioRead.model_fields) == [
        "id",
        "name",
        "currency",
        *NAMES,
        "bankroll_minor",
        "open_stakes_minor",
        "created_at",
    ]
    created = datetime(2099, 1, 1, tzinfo=UTC)
    record = PortfolioRecord(1, 7, "main", "EUR", PortfolioSettings(), created)
    read = PortfolioRead.of(PortfolioBalance(record, 900, 100)).model_dump(mode="json")
    assert read == {
        "id": 1,
        "name": "main",
        "currency": "EUR",
        "kelly_fraction": "0.25",
        "max_stake_fraction": "0.05",
        "max_fixture_fraction": "0.10",
        "max_day_fraction": "0.25",
        "min_edge": "0.02",
        "bankroll_minor": 900,
        "open_stakes_minor": 100,
        "created_at": "2099-01-01T00:00:00Z",
    }
