"""Alerts: a trader's thresholds and webhook, the fixtures they follow, and what they were told.

Thresholds are fractions sent as decimal text (``"0.03"`` is 3%); ``null`` turns an
alert off. An alert read here is also what ``alert:new`` pushes over Socket.IO and
what a webhook receives (``AlertRead``), so the three never disagree.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from scoreline.api.schemas.common import Lax, RequestBody
from scoreline.domain.alerts import AlertRules, FollowRecord, problems_of
from scoreline.domain.fixtures import FixtureRecord
from scoreline.services.alerts import AlertView

__all__ = [
    "AlertPage",
    "AlertRead",
    "AlertSettings",
    "FollowRead",
    "MarkRead",
    "UnreadRead",
    "WebhookRead",
]

Threshold = Annotated[Decimal, Lax]


class AlertSettings(RequestBody):
    """A trader's alert settings, all of them (a PUT restates them)."""

    value_edge_min: Threshold | None = Field(
        default=None,
        description="Tell me of new value bets whose edge is at least this fraction "
        "(0.03 is 3%; 0.0001 to 1, four places) on any upcoming fixture; null: off.",
    )
    line_move_min: Threshold | None = Field(
        default=None,
        description="Tell me when a bookmaker's price on a fixture I follow moves by at least "
        "this fraction (0.0001 to 1, four places) from the price I last heard of; null: off.",
    )
    webhook_url: str | None = Field(
        default=None,
        min_length=8,
        max_length=2048,
        description="Also post each alert as JSON to this http(s) address; null: none.",
    )

    @field_validator("value_edge_min", "line_move_min", "webhook_url")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        """The domain's rule for each field (``domain.alerts.problems_of``), so a bad field is
        named where it is (``loc``) with the same words the service would use."""
        if value is None:
            return value
        assert info.field_name is not None
        for _, reason in problems_of(AlertRules(**{info.field_name: value})):
            raise PydanticCustomError("alert_setting", reason)
        return value

    def rules(self) -> AlertRules:
        """The domain's view of the body."""
        return AlertRules(self.value_edge_min, self.line_move_min, self.webhook_url)

    @classmethod
    def of(cls, rules: AlertRules) -> AlertSettings:
        """The settings as stored."""
        return cls.model_construct(
            value_edge_min=rules.value_edge_min,
            line_move_min=rules.line_move_min,
            webhook_url=rules.webhook_url,
        )


class WebhookRead(BaseModel):
    """Where the alert's webhook post stands: pending, sent, or failed and why."""

    state: Literal["pending", "sent", "failed"]
    detail: str | None


class AlertRead(BaseModel):
    """An alert, with its fixture and the text it is told with.

    ``line`` is the goal line of a total or the home side's handicap (null for 1X2), as
    bets and odds carry it. A line move carries the price it moved from and the move
    (``price / previous_price - 1``); a value bet its edge against the fair price.
    """

    id: int
    kind: Literal["value_bet", "line_move"]
    fixture_id: int
    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    market: Literal["1x2", "over_under", "asian_handicap"]
    line: Decimal | None
    selection: Literal["home", "draw", "away", "over", "under"]
    bookmaker: str
    price: Decimal
    previous_price: Decimal | None
    change: Decimal | None
    edge: Decimal | None
    odds_snapshot_id: int | None
    title: str
    message: str
    created_at: datetime
    read_at: datetime | None
    webhook: WebhookRead | None

    @classmethod
    def of(cls, view: AlertView) -> AlertRead:
        alert, fixture = view.alert, view.fixture
        return cls(
            id=alert.id,
            kind=alert.kind.value,
            fixture_id=alert.fixture_id,
            competition=fixture.competition,
            kickoff=fixture.kickoff,
            home_team=fixture.home_team,
            away_team=fixture.away_team,
            market=alert.market,
            line=None if alert.market == "1x2" else Decimal(alert.line_quarters) / 4,
            selection=alert.selection,
            bookmaker=alert.bookmaker,
            price=alert.price,
            previous_price=alert.previous_price,
            change=alert.change,
            edge=alert.edge,
            odds_snapshot_id=alert.odds_snapshot_id,
            title=view.title,
            message=view.message,
            created_at=alert.created_at,
            read_at=alert.read_at,
            webhook=None
            if alert.webhook_state is None
            else WebhookRead(state=alert.webhook_state.value, detail=alert.webhook_detail),
        )


class AlertPage(BaseModel):
    """A page of alerts, newest first, how many there are and how many are unread."""

    items: list[AlertRead]
    total: int
    unread: int
    limit: int
    offset: int


class MarkRead(RequestBody):
    """Which alerts to mark read: these ids, or every unread one with ``all``."""

    ids: list[Annotated[int, Field(ge=1)]] | None = Field(default=None, max_length=500)
    all: bool = False


class UnreadRead(BaseModel):
    """How many alerts remain unread."""

    unread: int


class FollowRead(BaseModel):
    """A fixture the caller follows, since when."""

    fixture_id: int
    followed_at: datetime
    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    status: str

    @classmethod
    def of(cls, follow: FollowRecord, fixture: FixtureRecord) -> FollowRead:
        return cls(
            fixture_id=follow.fixture_id,
            followed_at=follow.followed_at,
            competition=fixture.competition,
            kickoff=fixture.kickoff,
            home_team=fixture.home_team,
            away_team=fixture.away_team,
            status=fixture.status,
        )
