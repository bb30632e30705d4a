"""Alert settings, followed fixtures and the alerts told, always by their user.

An alert is reached through its user (``mark_read`` with someone else's id
changes nothing), as a portfolio is through its owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from scoreline.domain.alerts import AlertKind, AlertRecord, AlertRules, FollowRecord, WebhookState
from scoreline.storage.tables import AlertRow, AlertSettingsRow, FollowedFixtureRow, UserRow

__all__ = ["AlertRepository", "NewAlert"]


@dataclass(frozen=True, slots=True, kw_only=True)
class NewAlert:
    """What an alert is made of before it is stored (``AlertRepository.add``); ``webhook``
    says the user has one, so its delivery starts pending."""

    user_id: int
    kind: AlertKind
    fixture_id: int
    market: str
    line_quarters: int
    selection: str
    bookmaker: str
    price: Decimal
    dedup_key: str
    previous_price: Decimal | None = None
    change: Decimal | None = None
    edge: Decimal | None = None
    odds_snapshot_id: int | None = None
    webhook: bool = False


class AlertRepository:
    """Who wants to be told what, and what they were told."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- settings -------------------------------------------------------------------------

    def get_rules(self, user_id: int) -> AlertRules:
        """The user's settings; every alert off when they never set any."""
        row = self.session.get(AlertSettingsRow, user_id)
        return AlertRules() if row is None else _rules(row)

    def upsert_rules(self, *, user_id: int, rules: AlertRules, now: datetime) -> None:
        """Store the user's settings, replacing any."""
        row = self.session.get(AlertSettingsRow, user_id)
        if row is None:
            row = AlertSettingsRow(user_id=user_id, updated_at=now)
            self.session.add(row)
        row.value_edge_min = rules.value_edge_min
        row.line_move_min = rules.line_move_min
        row.webhook_url = rules.webhook_url
        row.updated_at = now
        self.session.flush()

    def list_value_watchers(self) -> dict[int, AlertRules]:
        """Active users with a value-bet threshold, by id."""
        rows = self.session.scalars(
            select(AlertSettingsRow)
            .join(UserRow, UserRow.id == AlertSettingsRow.user_id)
            .where(AlertSettingsRow.value_edge_min.is_not(None), UserRow.is_active.is_(True))
        )
        return {row.user_id: _rules(row) for row in rows}

    def list_line_watchers(
        self, *, fixture_ids: Sequence[int]
    ) -> list[tuple[FollowRecord, AlertRules]]:
        """Each active follower of these fixtures with a line-move threshold, with their
        settings."""
        if not fixture_ids:
            return []
        rows = self.session.execute(
            select(FollowedFixtureRow, AlertSettingsRow)
            .join(AlertSettingsRow, AlertSettingsRow.user_id == FollowedFixtureRow.user_id)
            .join(UserRow, UserRow.id == FollowedFixtureRow.user_id)
            .where(
                FollowedFixtureRow.fixture_id.in_(set(fixture_ids)),
                AlertSettingsRow.line_move_min.is_not(None),
                UserRow.is_active.is_(True),
            )
            .order_by(FollowedFixtureRow.fixture_id, FollowedFixtureRow.user_id)
        ).all()
        return [(_follow(follow), _rules(rules)) for follow, rules in rows]

    # -- following ------------------------------------------------------------------------

    def follow(self, *, user_id: int, fixture_id: int, now: datetime) -> FollowRecord:
        """Follow a fixture; following it again keeps the first time."""
        row = self.session.get(FollowedFixtureRow, (user_id, fixture_id))
        if row is None:
            row = FollowedFixtureRow(user_id=user_id, fixture_id=fixture_id, followed_at=now)
            self.session.add(row)
            self.session.flush()
        return _follow(row)

    def unfollow(self, *, user_id: int, fixture_id: int) -> bool:
        """Stop following; whether the user followed it."""
        row = self.session.get(FollowedFixtureRow, (user_id, fixture_id))
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True

    def list_following(self, *, user_id: int) -> list[FollowRecord]:
        """The fixtures a user follows, most recently followed first."""
        rows = self.session.scalars(
            select(FollowedFixtureRow)
            .where(FollowedFixtureRow.user_id == user_id)
            .order_by(FollowedFixtureRow.followed_at.desc(), FollowedFixtureRow.fixture_id)
        )
        return [_follow(row) for row in rows]

    # -- alerts ---------------------------------------------------------------------------

    def existing_keys(
        self, *, user_ids: Sequence[int], keys: Sequence[str]
    ) -> set[tuple[int, str]]:
        """Which of these (user, dedup key) pairs were told already."""
        if not user_ids or not keys:
            return set()
        rows = self.session.execute(
            select(AlertRow.user_id, AlertRow.dedup_key).where(
                AlertRow.user_id.in_(set(user_ids)), AlertRow.dedup_key.in_(set(keys))
            )
        )
        return {(int(user), str(key)) for user, key in rows}

    def add(self, alert: NewAlert, *, now: datetime) -> int:
        """Store an alert (the caller checked its key is new: ``existing_keys``); its id."""
        row = AlertRow(
            user_id=alert.user_id,
            kind=alert.kind.value,
            fixture_id=alert.fixture_id,
            market=alert.market,
            line_quarters=alert.line_quarters,
            selection=alert.selection,
            bookmaker=alert.bookmaker,
            price=alert.price,
            previous_price=alert.previous_price,
            change=alert.change,
            edge=alert.edge,
            odds_snapshot_id=alert.odds_snapshot_id,
            dedup_key=alert.dedup_key,
            created_at=now,
            read_at=None,
            webhook_state=WebhookState.PENDING.value if alert.webhook else None,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, *, alert_id: int, user_id: int) -> AlertRecord | None:
        """The user's alert, or None (also for someone else's)."""
        row = self.session.scalar(
            select(AlertRow).where(AlertRow.id == alert_id, AlertRow.user_id == user_id)
        )
        return None if row is None else _alert(row)

    def list_by_ids(self, ids: Sequence[int]) -> list[AlertRecord]:
        """These alerts, in id order."""
        if not ids:
            return []
        rows = self.session.scalars(
            select(AlertRow).where(AlertRow.id.in_(set(ids))).order_by(AlertRow.id)
        )
        return [_alert(row) for row in rows]

    def list_(
        self, *, user_id: int, unread_only: bool, limit: int, offset: int
    ) -> tuple[list[AlertRecord], int]:
        """A page of the user's alerts, newest first, and how many there are."""
        where = [AlertRow.user_id == user_id]
        if unread_only:
            where.append(AlertRow.read_at.is_(None))
        rows = self.session.scalars(
            select(AlertRow).where(*where).order_by(AlertRow.id.desc()).limit(limit).offset(offset)
        )
        total = self.session.scalar(select(func.count()).select_from(AlertRow).where(*where))
        return [_alert(row) for row in rows], int(total or 0)

    def count_unread(self, *, user_id: int) -> int:
        """How many of the user's alerts are unread."""
        found = self.session.scalar(
            select(func.count())
            .select_from(AlertRow)
            .where(AlertRow.user_id == user_id, AlertRow.read_at.is_(None))
        )
        return int(found or 0)

    def mark_read(self, *, user_id: int, ids: Sequence[int] | None, now: datetime) -> int:
        """Mark these of the user's alerts read (every unread one when ``ids`` is None);
        how many changed."""
        where = [AlertRow.user_id == user_id, AlertRow.read_at.is_(None)]
        if ids is not None:
            if not ids:
                return 0
            where.append(AlertRow.id.in_(set(ids)))
        result = self.session.execute(update(AlertRow).where(*where).values(read_at=now))
        return int(getattr(result, "rowcount", 0) or 0)

    def last_move(
        self,
        *,
        user_id: int,
        fixture_id: int,
        bookmaker: str,
        market: str,
        line_quarters: int,
        selection: str,
    ) -> AlertRecord | None:
        """The user's newest line-move alert of this bookmaker's selection, or None."""
        row = self.session.scalar(
            select(AlertRow)
            .where(
                and_(
                    AlertRow.user_id == user_id,
                    AlertRow.kind == AlertKind.LINE_MOVE.value,
                    AlertRow.fixture_id == fixture_id,
                    AlertRow.bookmaker == bookmaker,
                    AlertRow.market == market,
                    AlertRow.line_quarters == line_quarters,
                    AlertRow.selection == selection,
                )
            )
            .order_by(AlertRow.id.desc())
            .limit(1)
        )
        return None if row is None else _alert(row)

    def set_webhook(self, *, alert_id: int, state: WebhookState, detail: str | None) -> None:
        """Record where an alert's webhook delivery stands."""
        self.session.execute(
            update(AlertRow)
            .where(AlertRow.id == alert_id)
            .values(
                webhook_state=state.value, webhook_detail=None if detail is None else detail[:200]
            )
        )


def _rules(row: AlertSettingsRow) -> AlertRules:
    return AlertRules(row.value_edge_min, row.line_move_min, row.webhook_url)


def _follow(row: FollowedFixtureRow) -> FollowRecord:
    return FollowRecord(row.user_id, row.fixture_id, row.followed_at)


def _alert(row: AlertRow) -> AlertRecord:
    return AlertRecord(
        id=row.id,
        user_id=row.user_id,
        kind=AlertKind(row.kind),
        fixture_id=row.fixture_id,
        market=row.market,
        line_quarters=row.line_quarters,
        selection=row.selection,
        bookmaker=row.bookmaker,
        price=row.price,
        previous_price=row.previous_price,
        change=row.change,
        edge=row.edge,
        odds_snapshot_id=row.odds_snapshot_id,
        created_at=row.created_at,
        read_at=row.read_at,
        webhook_state=None if row.webhook_state is None else WebhookState(row.webhook_state),
        webhook_detail=row.webhook_detail,
    )
