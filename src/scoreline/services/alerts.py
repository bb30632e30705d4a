"""Alerts: new value bets above a trader's threshold, and line moves on the fixtures they follow.

::

    predictions stream ──► value_bets(fixture ids)   the fixture's priced selections, as the
                                                     fixture page prices them (services.board),
                                                     against each watcher's edge threshold
    odds stream ───────► line_moves(odds ids)        each follower's threshold against the
                                                     price they last heard of (domain.alerts)
                         │ both store what is new, once per user and cause, and commit
                         ▼
    the caller (api.realtime.alerts) pushes each to its user's room and webhook

Value bets are evaluated on the prediction made after a tick, not on the tick itself: the
edge of a price is against the prediction that saw it (the ensemble reads the market),
so a tick never raises an alert its own prediction would take back.

Time is a rule of money here as in placement: a fixture that has kicked off or is no
longer scheduled raises nothing, and a price older than placement would accept
(``domain.placement.is_stale``) is no value bet. Only real bookmakers' pre-match prices
count (never the market-wide MAX and AVG).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from scoreline.domain import FixtureStatus, PriceKind, bookmakers, placement
from scoreline.domain.alerts import (
    AlertKind,
    AlertRecord,
    AlertRules,
    FollowRecord,
    WebhookState,
    describe,
    move_of,
    moved_enough,
    problems_of,
)
from scoreline.domain.fixtures import FixtureRecord, has_kicked_off
from scoreline.errors import DataError, NotFoundError
from scoreline.pricing.fair import FairRule
from scoreline.services import board
from scoreline.storage.repositories.alerts import NewAlert
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "AlertView",
    "Delivery",
    "deliveries",
    "follow",
    "following",
    "line_moves",
    "list_",
    "mark_read",
    "record_delivery",
    "rules",
    "set_rules",
    "unfollow",
    "value_bets",
    "views",
]


@dataclass(frozen=True, slots=True)
class AlertView:
    """An alert with its fixture, and the title and message it is told with."""

    alert: AlertRecord
    fixture: FixtureRecord
    title: str
    message: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """A webhook post to make: the alert and where to."""

    view: AlertView
    url: str


# -- settings and following -----------------------------------------------------------------


def rules(unit_of_work: UnitOfWorkFactory, *, user_id: int) -> AlertRules:
    """The user's alert settings (all off until set)."""
    with unit_of_work() as uow:
        return uow.alerts.get_rules(user_id)


def set_rules(
    unit_of_work: UnitOfWorkFactory,
    *,
    user_id: int,
    chosen: AlertRules,
    now: datetime | None = None,
) -> AlertRules:
    """Store the user's settings, all of them; ``DataError`` naming each bad field, and
    nothing stored."""
    problems = problems_of(chosen)
    if problems:
        raise DataError("; ".join(f"{name} {reason}" for name, reason in problems))
    with unit_of_work() as uow:
        uow.alerts.upsert_rules(user_id=user_id, rules=chosen, now=now or datetime.now(UTC))
        uow.commit()
    return chosen


def follow(
    unit_of_work: UnitOfWorkFactory, *, user_id: int, fixture_id: int, now: datetime | None = None
) -> tuple[FollowRecord, FixtureRecord]:
    """Follow a fixture for line moves (``NotFoundError`` for an unknown one); following
    again keeps the first time, the price the moves are measured from. The follow and
    its fixture."""
    with unit_of_work() as uow:
        fixture = uow.fixtures.get(fixture_id)
        if fixture is None:
            raise NotFoundError(f"fixture {fixture_id} not found")
        found = uow.alerts.follow(
            user_id=user_id, fixture_id=fixture_id, now=now or datetime.now(UTC)
        )
        uow.commit()
    return found, fixture


def unfollow(unit_of_work: UnitOfWorkFactory, *, user_id: int, fixture_id: int) -> None:
    """Stop following a fixture; ``NotFoundError`` when the user did not follow it."""
    with unit_of_work() as uow:
        if not uow.alerts.unfollow(user_id=user_id, fixture_id=fixture_id):
            raise NotFoundError(f"you do not follow fixture {fixture_id}")
        uow.commit()


def following(
    unit_of_work: UnitOfWorkFactory, *, user_id: int
) -> list[tuple[FollowRecord, FixtureRecord]]:
    """The fixtures the user follows with each fixture, most recently followed first."""
    with unit_of_work() as uow:
        found = uow.alerts.list_following(user_id=user_id)
        fixtures = _fixtures(uow, (f.fixture_id for f in found))
    return [(f, fixtures[f.fixture_id]) for f in found if f.fixture_id in fixtures]


# -- the notification centre ----------------------------------------------------------------


def list_(
    unit_of_work: UnitOfWorkFactory, *, user_id: int, unread_only: bool, limit: int, offset: int
) -> tuple[list[AlertView], int, int]:
    """A page of the user's alerts, newest first; how many there are; how many are unread."""
    with unit_of_work() as uow:
        found, total = uow.alerts.list_(
            user_id=user_id, unread_only=unread_only, limit=limit, offset=offset
        )
        unread = uow.alerts.count_unread(user_id=user_id)
        fixtures = _fixtures(uow, (a.fixture_id for a in found))
    return [_view(a, fixtures[a.fixture_id]) for a in found], total, unread


def mark_read(
    unit_of_work: UnitOfWorkFactory,
    *,
    user_id: int,
    ids: Sequence[int] | None,
    now: datetime | None = None,
) -> int:
    """Mark these of the user's alerts read (all when ``ids`` is None; anyone else's ids
    change nothing); how many remain unread."""
    with unit_of_work() as uow:
        uow.alerts.mark_read(user_id=user_id, ids=ids, now=now or datetime.now(UTC))
        unread = uow.alerts.count_unread(user_id=user_id)
        uow.commit()
    return unread


def views(unit_of_work: UnitOfWorkFactory, ids: Sequence[int]) -> list[AlertView]:
    """These alerts as they are pushed, in id order."""
    with unit_of_work() as uow:
        found = uow.alerts.list_by_ids(ids)
        fixtures = _fixtures(uow, (a.fixture_id for a in found))
    return [_view(a, fixtures[a.fixture_id]) for a in found]


# -- raising alerts -------------------------------------------------------------------------


def value_bets(
    unit_of_work: UnitOfWorkFactory,
    *,
    fixture_ids: Iterable[int],
    fair_rule: FairRule,
    now: datetime | None = None,
    max_price_age: timedelta = placement.MAX_PRICE_AGE,
) -> list[int]:
    """Store a value-bet alert for each watcher and each selection of these fixtures whose
    best price newly clears their edge threshold; the new alerts' ids.

    The selections and edges are the fixture page's (``board.fixture_selections``: every
    priced selection a real bookmaker quotes, against ``fair_rule``). Each selection of a
    fixture is told to a user once."""
    start = now or datetime.now(UTC)
    with unit_of_work() as uow:
        watchers = uow.alerts.list_value_watchers()
        fixtures = _fixtures(uow, fixture_ids) if watchers else {}
    candidates: list[NewAlert] = []
    for fixture_id, fixture in fixtures.items():
        if not _is_open(fixture.kickoff, fixture.status, now=start):
            continue
        try:
            row = board.fixture_selections(
                unit_of_work,
                owner_id=0,
                fixture_id=fixture_id,
                portfolio_id=None,
                now=start,
                max_price_age=max_price_age,
                fair_rule=fair_rule,
            )
        except NotFoundError:
            continue
        for chosen in row.selections:
            edge, price, bookmaker = chosen.edge, chosen.best_price, chosen.bookmaker
            captured = chosen.price_captured_at
            if edge is None or price is None or bookmaker is None or captured is None:
                continue
            if placement.is_stale(captured, now=start, max_age=max_price_age):
                continue
            quarters = 0 if chosen.line is None else int(Decimal(chosen.line) * 4)
            key = f"value:{fixture_id}:{chosen.market}:{quarters}:{chosen.selection}"
            for user_id, wanted in watchers.items():
                if wanted.value_edge_min is not None and edge >= wanted.value_edge_min:
                    candidates.append(
                        NewAlert(
                            user_id=user_id,
                            kind=AlertKind.VALUE_BET,
                            fixture_id=fixture_id,
                            market=chosen.market,
                            line_quarters=quarters,
                            selection=chosen.selection,
                            bookmaker=bookmaker,
                            price=price,
                            edge=edge,
                            odds_snapshot_id=chosen.odds_snapshot_id,
                            dedup_key=key,
                            webhook=wanted.webhook_url is not None,
                        )
                    )
    return _store(unit_of_work, candidates, now=start)


def line_moves(
    unit_of_work: UnitOfWorkFactory,
    *,
    odds_ids: Iterable[int],
    now: datetime | None = None,
    max_price_age: timedelta = placement.MAX_PRICE_AGE,
) -> list[int]:
    """Store a line-move alert for each follower of a snapshot's fixture whose threshold its
    prices cross, measured from the price they last heard of (their last alert of that
    bookmaker's selection, else the price when they followed, else the opening price);
    the new alerts' ids. Only real bookmakers' fresh pre-match prices of fixtures yet to
    kick off count."""
    start = now or datetime.now(UTC)
    candidates: list[NewAlert] = []
    with unit_of_work() as uow:
        snapshots = [s for s in (uow.odds.get(i) for i in sorted(set(odds_ids))) if s is not None]
        snapshots = [
            s
            for s in snapshots
            if s.kind == PriceKind.PREMATCH.value
            and bookmakers.is_bookmaker(s.bookmaker)
            and not placement.is_stale(s.captured_at, now=start, max_age=max_price_age)
        ]
        watchers = uow.alerts.list_line_watchers(fixture_ids=[s.fixture_id for s in snapshots])
        fixtures = _fixtures(uow, (f.fixture_id for f, _ in watchers))
        for snapshot in snapshots:
            fixture = fixtures.get(snapshot.fixture_id)
            if fixture is None or not _is_open(fixture.kickoff, fixture.status, now=start):
                continue
            quarters = 0 if snapshot.line is None else int(Decimal(snapshot.line) * 4)
            for followed, wanted in watchers:
                threshold = wanted.line_move_min
                if followed.fixture_id != snapshot.fixture_id or threshold is None:
                    continue
                for selection, price in sorted(snapshot.prices.items()):
                    last = uow.alerts.last_move(
                        user_id=followed.user_id,
                        fixture_id=snapshot.fixture_id,
                        bookmaker=snapshot.bookmaker,
                        market=snapshot.market,
                        line_quarters=quarters,
                        selection=selection,
                    )
                    if last is not None and last.odds_snapshot_id == snapshot.id:
                        continue  # told already: a redelivered tick
                    previous = last.price if last is not None else None
                    if previous is None:
                        reference = uow.odds.reference(
                            odds_id=snapshot.id, selection=selection, as_of=followed.followed_at
                        )
                        previous = None if reference is None else reference.prices.get(selection)
                    if previous is None or not moved_enough(previous, price, threshold):
                        continue
                    candidates.append(
                        NewAlert(
                            user_id=followed.user_id,
                            kind=AlertKind.LINE_MOVE,
                            fixture_id=snapshot.fixture_id,
                            market=snapshot.market,
                            line_quarters=quarters,
                            selection=selection,
                            bookmaker=snapshot.bookmaker,
                            price=price,
                            previous_price=previous,
                            change=move_of(previous, price),
                            odds_snapshot_id=snapshot.id,
                            dedup_key=f"move:{snapshot.id}:{selection}",
                            webhook=wanted.webhook_url is not None,
                        )
                    )
    return _store(unit_of_work, candidates, now=start)


# -- webhooks -------------------------------------------------------------------------------


def deliveries(unit_of_work: UnitOfWorkFactory, found: Sequence[AlertView]) -> list[Delivery]:
    """The webhook posts these new alerts (``views``) call for: each whose user has a
    webhook and whose delivery is pending."""
    with unit_of_work() as uow:
        urls = {
            user_id: uow.alerts.get_rules(user_id).webhook_url
            for user_id in {v.alert.user_id for v in found}
        }
    return [
        Delivery(view, url)
        for view in found
        if view.alert.webhook_state is WebhookState.PENDING
        and (url := urls.get(view.alert.user_id)) is not None
    ]


def record_delivery(
    unit_of_work: UnitOfWorkFactory, *, alert_id: int, state: WebhookState, detail: str | None
) -> None:
    """Record how an alert's webhook post went (``sent``, or ``failed`` and why)."""
    with unit_of_work() as uow:
        uow.alerts.set_webhook(alert_id=alert_id, state=state, detail=detail)
        uow.commit()


# -- helpers --------------------------------------------------------------------------------


def _store(
    unit_of_work: UnitOfWorkFactory, candidates: list[NewAlert], *, now: datetime
) -> list[int]:
    """Store the candidates not told before (one of each key per user); the new ids."""
    if not candidates:
        return []
    with unit_of_work() as uow:
        told = uow.alerts.existing_keys(
            user_ids=[c.user_id for c in candidates], keys=[c.dedup_key for c in candidates]
        )
        ids: list[int] = []
        for candidate in candidates:
            key = (candidate.user_id, candidate.dedup_key)
            if key in told:
                continue
            told.add(key)
            ids.append(uow.alerts.add(candidate, now=now))
        uow.commit()
    return ids


def _is_open(kickoff: datetime, status: str, *, now: datetime) -> bool:
    return status == FixtureStatus.SCHEDULED.value and not has_kicked_off(kickoff, now=now)


def _fixtures(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, FixtureRecord]:
    """The fixtures of these ids that exist, by id (alerts name few fixtures at a time)."""
    out: dict[int, FixtureRecord] = {}
    for fixture_id in sorted(set(ids)):
        found = uow.fixtures.get(fixture_id)
        if found is not None:
            out[fixture_id] = found
    return out


def _view(alert: AlertRecord, fixture: FixtureRecord) -> AlertView:
    title, message = describe(alert, home=fixture.home_team, away=fixture.away_team)
    return AlertView(alert, fixture, title, message)
