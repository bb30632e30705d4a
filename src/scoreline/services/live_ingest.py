"""Live feeds into the database: ticks resolved to fixtures, stored with their outbox entries,
and results recorded.

The ingestion engine (``pipeline.ingestion``) parses a batch, hands it here,
and publishes what was stored once this service has committed. For each odds
tick:

1. resolve the competition, the teams (provider alias, then canonical name)
   and the fixture, scheduling one the feed announces before any file does;
2. skip it when its prices equal the last ones stored for the same fixture,
   bookmaker, market, line and kind (``unchanged``), and let the database skip
   an exact duplicate (``duplicate``: same natural key, ``ON CONFLICT DO
   NOTHING``);
3. store the new snapshots with their outbox entries, in one transaction.

The outbox entry of a snapshot is deleted once the engine says the stream
holds it (``mark_published``), within the next transaction rather than one
of its own: a crash before then only publishes it again, which consumers
tolerate. A result is recorded only once its fixture has kicked off by the
clock (``domain.fixtures.result_refusal``, on the stored kick-off): an early
one is refused with ``TickError("result_before_kickoff")`` and never stored.
Resolution is cached in memory, because a feed names the same few hundred
fixtures thousands of times a minute; what a transaction created enters the
caches only once it is committed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from scoreline.domain import Market, Selection
from scoreline.domain.fixtures import result_refusal
from scoreline.domain.ticks import OddsTick, ResultTick, TickError
from scoreline.errors import ConflictError
from scoreline.storage.repositories.odds import LiveOdds
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["LiveIngest", "StoredOdds"]

_PRICE_FIELDS = (Selection.HOME, Selection.DRAW, Selection.AWAY, Selection.OVER, Selection.UNDER)

PriceKey = tuple[int, str, str, str, str]  # fixture, bookmaker, market, line, kind
Prices = tuple[Decimal | None, ...]
FixtureKey = tuple[int, int, str]  # home team, away team, kick-off date


@dataclass
class StoredOdds:
    """What one batch of odds ticks came to.

    ``stored`` holds each new snapshot's id and stream payload, in input order;
    ``rejected`` the position of each tick that could not be resolved, with why.
    """

    stored: list[tuple[int, str]] = field(default_factory=list)
    duplicate: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, TickError]] = field(default_factory=list)


@dataclass
class _Batch:
    """What one transaction resolved and created, cached only after it commits."""

    fixtures: dict[FixtureKey, int] = field(default_factory=dict)
    bookmakers: dict[str, int] = field(default_factory=dict)


class LiveIngest:
    """Stores live ticks (see the module docstring); one per feed process, as it caches."""

    def __init__(
        self, unit_of_work: UnitOfWorkFactory, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.unit_of_work = unit_of_work
        self.clock = clock or _utcnow
        self._competitions: dict[str, tuple[int, str] | None] = {}
        self._teams: dict[tuple[str, str, str], int] = {}
        self._fixtures: dict[FixtureKey, int] = {}
        self._bookmakers: dict[str, int] = {}
        self._last: dict[PriceKey, Prices] = {}
        self._published: list[int] = []  # on the stream, still in the outbox table

    # -- odds ---------------------------------------------------------------------------

    def store_odds(self, ticks: Sequence[OddsTick], *, received_at: float) -> StoredOdds:
        """Resolve and store a batch of odds ticks with their outbox entries; one commit."""
        outcome = StoredOdds()
        batch = _Batch()
        rows: list[LiveOdds] = []
        keys: list[tuple[PriceKey, Prices]] = []
        seen: dict[PriceKey, Prices] = {}
        with self.unit_of_work() as uow:
            resolved: list[tuple[OddsTick, int]] = []
            for position, tick in enumerate(ticks):
                try:
                    resolved.append((tick, self._fixture(uow, batch, tick, create=True)))
                except TickError as error:
                    outcome.rejected.append((position, error))
            self._bookmaker_ids(uow, batch, {_code(tick) for tick, _ in resolved})
            for tick, fixture_id in resolved:
                key = _price_key(fixture_id, tick)
                prices = tuple(tick.prices.get(s) for s in _PRICE_FIELDS)
                if seen.get(key, self._last.get(key)) == prices:
                    outcome.unchanged += 1
                    continue
                seen[key] = prices
                rows.append(self._row(batch, tick, fixture_id, received_at))
                keys.append((key, prices))
            ids = uow.odds.insert_live(rows, now=_utcnow())
            self._clear_published(uow)
            uow.commit()
        self._remember(batch)
        # Only what was stored becomes "the last price": a conflicting duplicate was not.
        self._last.update(k for k, i in zip(keys, ids, strict=True) if i is not None)
        outcome.stored = [(i, r.payload) for i, r in zip(ids, rows, strict=True) if i is not None]
        outcome.duplicate = len(rows) - len(outcome.stored)
        return outcome

    def mark_published(self, odds_ids: Iterable[int]) -> None:
        """These snapshots are on the stream: their outbox entries go with the next write."""
        self._published.extend(odds_ids)

    def unpublished(self, *, limit: int) -> list[tuple[int, str]]:
        """The oldest snapshots stored but not yet on the stream, (odds id, payload), after
        clearing the ones marked published."""
        with self.unit_of_work() as uow:
            self._clear_published(uow)
            uow.commit()
            return uow.outbox.list_(limit=limit)

    # -- results ------------------------------------------------------------------------

    def store_result(self, tick: ResultTick) -> int | None:
        """Record a final score; the fixture's id when it is new, None when the same score
        was already stored. ``TickError`` for an unknown fixture, one that has not kicked
        off, or a different score."""
        batch = _Batch()
        with self.unit_of_work() as uow:
            fixture_id = self._fixture(uow, batch, tick, create=False)
            fixture = uow.fixtures.get(fixture_id)
            refusal = None if fixture is None else result_refusal(fixture.kickoff, now=self.clock())
            if refusal is not None:
                raise TickError(
                    "result_before_kickoff",
                    f"{tick.home_team} v {tick.away_team} (fixture {fixture_id}) {refusal}",
                )
            try:
                new = uow.fixtures.record_result(
                    fixture_id=fixture_id, home_goals=tick.home_goals, away_goals=tick.away_goals
                )
            except ConflictError as error:
                raise TickError("result_conflict", str(error)) from error
            uow.commit()
        return fixture_id if new else None

    # -- resolution ---------------------------------------------------------------------

    def _competition(self, uow: UnitOfWork, code: str) -> tuple[int, str]:
        if code not in self._competitions:
            self._competitions[code] = uow.competitions.get_by_code(code)
        found = self._competitions[code]
        if found is None:
            raise TickError("unknown_competition", f"competition {code!r} is not known")
        return found

    def _team(self, uow: UnitOfWork, provider: str, country: str, name: str) -> int:
        key = (provider, country, name)
        found = self._teams.get(key)
        if found is None:
            # Not cached when unknown: an alias may be added later, so ask again next time.
            found = uow.teams.resolve(provider=provider, country=country, name=name)
            if found is None:
                raise TickError(
                    "unknown_team", f"team {name!r} ({country}, provider {provider}) is not known"
                )
            self._teams[key] = found
        return found

    def _fixture(
        self, uow: UnitOfWork, batch: _Batch, tick: OddsTick | ResultTick, *, create: bool
    ) -> int:
        competition_id, country = self._competition(uow, tick.competition)
        home = self._team(uow, tick.provider, country, tick.home_team)
        away = self._team(uow, tick.provider, country, tick.away_team)
        if home == away:
            raise TickError("same_team", f"{tick.home_team!r} cannot play itself")
        key = (home, away, tick.kickoff.date().isoformat())
        found = self._fixtures.get(key) or batch.fixtures.get(key)
        if found is not None:
            return found
        found = uow.fixtures.find(home_id=home, away_id=away, kickoff=tick.kickoff)
        if found is not None:
            self._fixtures[key] = found
            return found
        if not create:
            raise TickError(
                "unknown_fixture", f"no fixture {tick.home_team} v {tick.away_team} on {key[2]}"
            )
        kickoff = tick.kickoff
        season_id = uow.competitions.season_id_of_year(
            competition_id=competition_id,
            start_year=kickoff.year if kickoff.month >= 7 else kickoff.year - 1,
        )
        batch.fixtures[key] = uow.fixtures.schedule(
            competition_id=competition_id,
            season_id=season_id,
            home_id=home,
            away_id=away,
            kickoff=kickoff,
            true_kickoff=tick.true_kickoff if isinstance(tick, OddsTick) else None,
        )
        return batch.fixtures[key]

    def _bookmaker_ids(self, uow: UnitOfWork, batch: _Batch, codes: set[str]) -> None:
        missing = codes - self._bookmakers.keys()
        if missing:
            batch.bookmakers.update(uow.bookmakers.upsert_many(codes=missing))

    def _remember(self, batch: _Batch) -> None:
        self._fixtures.update(batch.fixtures)
        self._bookmakers.update(batch.bookmakers)

    def _clear_published(self, uow: UnitOfWork) -> None:
        done, self._published = self._published, []
        uow.outbox.delete(done)

    # -- rows ---------------------------------------------------------------------------

    def _row(self, batch: _Batch, tick: OddsTick, fixture_id: int, received_at: float) -> LiveOdds:
        bookmaker = _code(tick)
        return LiveOdds(
            fixture_id=fixture_id,
            bookmaker_id=self._bookmakers.get(bookmaker) or batch.bookmakers[bookmaker],
            market=tick.market,
            line_quarters=0 if tick.line is None else int(tick.line * 4),
            kind=tick.kind,
            captured_at=tick.captured_at,
            prices=dict(tick.prices),
            payload=_payload(tick, fixture_id, received_at),
        )


def _code(tick: OddsTick) -> str:
    """The bookmaker code as stored (upper case, at most 16 characters)."""
    return tick.bookmaker.upper()[:16]


def _price_key(fixture_id: int, tick: OddsTick) -> PriceKey:
    line = "" if tick.line is None else str(tick.line)
    return (fixture_id, _code(tick), tick.market.value, line, tick.kind.value)


def _payload(tick: OddsTick, fixture_id: int, received_at: float) -> str:
    """The snapshot's stream entry, without its id (known after the insert)."""
    body = {
        "fixture_id": fixture_id,
        "competition": tick.competition,
        "bookmaker": _code(tick),
        "market": tick.market.value,
        "line": None if tick.line is None or tick.market is Market.MATCH_ODDS else str(tick.line),
        "kind": tick.kind.value,
        "prices": {s.value: str(p) for s, p in tick.prices.items()},
        "captured_at": tick.captured_at.isoformat(),
        "received_at": received_at,
    }
    return json.dumps(body, separators=(",", ":"))


def _utcnow() -> datetime:
    return datetime.now(UTC)
