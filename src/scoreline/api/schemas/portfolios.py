"""Portfolios: their settings, bankroll, deposits and exposure.

The five staking settings are not written out here: ``_with_settings`` adds
them to a schema from ``domain.betting.SETTINGS`` (names, defaults, allowed
ranges), in that order, so the schemas, the service and the table cannot drift
apart. On input they carry their defaults and bounds (four decimal places); on
output they are plain and required.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from scoreline.api.schemas.common import Lax, RequestBody
from scoreline.domain.betting import (
    SETTINGS,
    SETTINGS_PLACES,
    Interval,
    PortfolioBalance,
    PortfolioSettings,
)

__all__ = [
    "CompetitionExposure",
    "DepositCreate",
    "ExposureRead",
    "FixtureExposure",
    "PortfolioCreate",
    "PortfolioRead",
    "PortfolioSettingsUpdate",
]

Model = TypeVar("Model", bound=BaseModel)


def _bounds(allowed: Interval) -> dict[str, Any]:
    """An interval as pydantic's ``gt``/``ge`` and ``lt``/``le`` (as numbers, so the OpenAPI
    document shows numbers)."""
    low, high = float(allowed.low), float(allowed.high)
    return {
        "gt" if allowed.low_open else "ge": low,
        "lt" if allowed.high_open else "le": high,
    }


def _with_settings(*, as_input: bool) -> Callable[[type[Model]], type[Model]]:
    """A class decorator: the schema with the five settings appended to its fields."""

    def build(schema: type[Model]) -> type[Model]:
        fields: dict[str, Any] = {
            setting.name: (
                Annotated[Decimal, Lax] if as_input else Decimal,
                Field(
                    default=setting.default,
                    decimal_places=SETTINGS_PLACES,
                    **_bounds(setting.allowed),
                )
                if as_input
                else Field(),
            )
            for setting in SETTINGS
        }
        return create_model(
            schema.__name__,
            __base__=schema,
            __module__=schema.__module__,
            __doc__=schema.__doc__,
            **fields,
        )

    return build


@_with_settings(as_input=True)
class PortfolioSettingsUpdate(RequestBody):
    """Staking settings: fraction of full Kelly, smallest edge, and caps as shares of the
    bankroll on one suggested stake, on what is open on one fixture and on one kick-off day
    (UTC). The caps must nest: per bet ≤ per fixture ≤ per day."""

    def settings(self) -> PortfolioSettings:
        """The domain's settings, which check that the caps nest (``DataError`` if not)."""
        return PortfolioSettings(**self.model_dump(include={s.name for s in SETTINGS}))


class PortfolioCreate(PortfolioSettingsUpdate):
    """A new portfolio."""

    name: str = Field(min_length=1, max_length=80)
    currency: str = Field(default="EUR", pattern="^[A-Z]{3}$")


@_with_settings(as_input=False)
class _PortfolioHead(BaseModel):
    """A portfolio and its settings."""

    id: int
    name: str
    currency: str


class PortfolioRead(_PortfolioHead):
    """A portfolio and its bankroll."""

    bankroll_minor: int
    open_stakes_minor: int
    created_at: datetime

    @classmethod
    def of(cls, balance: PortfolioBalance) -> PortfolioRead:
        """The schema of a portfolio with its money."""
        portfolio = balance.portfolio
        return cls.model_validate(
            {
                "id": portfolio.id,
                "name": portfolio.name,
                "currency": portfolio.currency,
                **portfolio.settings.as_dict(),
                "bankroll_minor": balance.bankroll_minor,
                "open_stakes_minor": balance.open_stakes_minor,
                "created_at": portfolio.created_at,
            }
        )


class DepositCreate(RequestBody):
    """Money in (positive) or out (negative), in minor units."""

    amount_minor: int = Field(ge=-(10**12), le=10**12)


class FixtureExposure(BaseModel):
    """Open stakes on one fixture, and what they pay back if every one of them wins."""

    model_config = ConfigDict(from_attributes=True)

    fixture_id: int
    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    stake_minor: int
    bets: int
    potential_payout_minor: int


class CompetitionExposure(BaseModel):
    """Open stakes in one competition."""

    model_config = ConfigDict(from_attributes=True)

    competition: str
    stake_minor: int
    bets: int


class ExposureRead(BaseModel):
    """A portfolio's open bets, summed by fixture and by competition."""

    model_config = ConfigDict(from_attributes=True)

    portfolio_id: int
    open_stakes_minor: int
    by_fixture: list[FixtureExposure]
    by_competition: list[CompetitionExposure]
