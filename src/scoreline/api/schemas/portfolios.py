"""Portfolios: their settings, bankroll, deposits and exposure."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

__all__ = [
    "CompetitionExposure",
    "DepositIn",
    "ExposureOut",
    "FixtureExposure",
    "PortfolioIn",
    "PortfolioOut",
    "PortfolioSettingsIn",
]


class PortfolioSettingsIn(BaseModel):
    """Staking settings: fraction of full Kelly, smallest edge, and caps as shares of the
    bankroll on one suggested stake, on what is open on one fixture and on one kick-off day
    (UTC). The caps must nest: per bet ≤ per fixture ≤ per day."""

    kelly_fraction: Decimal = Field(default=Decimal("0.25"), gt=0, le=1, decimal_places=4)
    max_stake_fraction: Decimal = Field(default=Decimal("0.05"), gt=0, le=1, decimal_places=4)
    min_edge: Decimal = Field(default=Decimal("0.02"), ge=0, lt=1, decimal_places=4)
    max_fixture_fraction: Decimal = Field(default=Decimal("0.10"), gt=0, le=1, decimal_places=4)
    max_day_fraction: Decimal = Field(default=Decimal("0.25"), gt=0, le=1, decimal_places=4)


class PortfolioIn(PortfolioSettingsIn):
    """A new portfolio."""

    name: str = Field(min_length=1, max_length=80)
    currency: str = Field(default="EUR", pattern="^[A-Z]{3}$")


class PortfolioOut(BaseModel):
    """A portfolio and its bankroll."""

    id: int
    name: str
    currency: str
    kelly_fraction: Decimal
    max_stake_fraction: Decimal
    max_fixture_fraction: Decimal
    max_day_fraction: Decimal
    min_edge: Decimal
    bankroll_minor: int
    open_stakes_minor: int
    created_at: datetime


class DepositIn(BaseModel):
    """Money in (positive) or out (negative), in minor units."""

    amount_minor: int = Field(ge=-(10**12), le=10**12)


class FixtureExposure(BaseModel):
    """Open stakes on one fixture, and what they pay back if every one of them wins."""

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

    competition: str
    stake_minor: int
    bets: int


class ExposureOut(BaseModel):
    """A portfolio's open bets, summed by fixture and by competition."""

    portfolio_id: int
    open_stakes_minor: int
    by_fixture: list[FixtureExposure]
    by_competition: list[CompetitionExposure]
