"""The ingestion engine: provider ticks in; stored odds snapshots out on the ``odds`` stream.

For each batch of raw ticks (wire form in ``domain.ticks``):

1. parse and check (prices above 1, a known market and line, both teams);
2. resolve the competition, the teams (provider alias, then canonical name)
   and the fixture (scheduling one the feed announces before any file does);
3. drop a tick whose prices equal the last ones stored for the same fixture,
   bookmaker, market, line and kind (``unchanged``), and let the database drop
   an exact duplicate (``duplicate``: same natural key, ``ON CONFLICT DO
   NOTHING``);
4. store the new snapshots together with their outbox entries, commit, then
   publish them on ``odds`` and clear the outbox.

A tick that fails any step goes to the dead-letter stream with its reason and
payload; nothing is dropped silently. If the bus is down after the commit, the
outbox keeps the entries and ``flush_outbox`` (run on start and before every
batch) publishes them once it is back, so a crash or a Redis restart between
commit and publish loses nothing.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from scoreline.domain import Market, Selection
from scoreline.domain.ticks import OddsTick, ResultTick, TickError, parse_tick
from scoreline.errors import ConflictError
from scoreline.messaging.bus import Bus
from scoreline.messaging.names import Streams
from scoreline.pipeline.metrics import PipelineMetrics
from scoreline.storage.repositories.odds import LiveOdds
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = ["IngestSummary", "IngestionEngine", "dead_letter_payload"]

logger = logging.getLogger(__name__)

_PRICE_FIELDS = (Selection.HOME, Selection.DRAW, Selection.AWAY, Selection.OVER, Selection.UNDER)


def dead_letter_payload(stage: str, reason: str, message: str, payload: bytes) -> bytes:
    """A dead-letter entry: where it failed, why, and the original bytes (as text if UTF-8)."""
    try:
        original: Any = payload.decode()
        encoding = "utf-8"
    except UnicodeDecodeError:
        original, encoding = payload.hex(), "hex"
    return json.dumps(
        {
            "stage": stage,
            "reason": reason,
            "message": message,
            "payload": original,
            "encoding": encoding,
            "at": datetime.now(UTC).isoformat(),
        }
    ).encode()


@dataclass
class IngestSummary:
    """Ticks of one call by outcome."""

    stored: int = 0
    duplicate: int = 0
    unchanged: int = 0
    results: int = 0
    dead_lettered: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class _Resolved:
    tick: OddsTick
    fixture_id: int
    competition_id: int
    bookmaker: str
    raw: bytes


class IngestionEngine:
    """Normalise, store and publish ticks (see the module docstring)."""

    def __init__(
        self,
        bus: Bus,
        unit_of_work: Callable[[], UnitOfWork],
        *,
        metrics: PipelineMetrics | None = None,
        streams: Streams | None = None,
        odds_maxlen: int = 1_000_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bus, self.unit_of_work = bus, unit_of_work
        self.streams = streams or Streams()
        self.metrics = metrics or PipelineMetrics()
        self.odds_maxlen, self.clock = odds_maxlen, clock
        self._competitions: dict[str, tuple[int, str] | None] = {}
        self._teams: dict[tuple[str, str, str], int | None] = {}
        self._fixtures: dict[tuple[int, int, str], int] = {}
        self._bookmakers: dict[str, int] = {}
        self._last: dict[tuple[int, str, str, str, str], tuple[Decimal | None, ...]] = {}
        self.outbox_pending = True
        self._published: list[int] = []  # on the stream, still in the outbox table

    # -- entry points ------------------------------------------------------------

    def submit(self, raws: Sequence[bytes | str | Mapping[str, Any]]) -> IngestSummary:
        """Ingest one batch; returns what happened to each tick, by outcome."""
        received = self.clock()
        summary = IngestSummary()
        if self.outbox_pending:
            self.flush_outbox()
        odds: list[_Resolved] = []
        results: list[tuple[ResultTick, bytes]] = []
        with self.unit_of_work() as uow:
            for raw in raws:
                data = _bytes(raw)
                try:
                    tick = parse_tick(raw)
                    if isinstance(tick, ResultTick):
                        results.append((tick, data))
                    else:
                        odds.append(self._resolve(uow, tick, data))
                except TickError as error:
                    self._dead_letter(summary, error.reason, str(error), data, kind="odds")
            uow.commit()
        for result, data in results:
            self._store_result(summary, result, data)
        if odds:
            self._store_odds(summary, odds, received)
        return summary

    def flush_outbox(self, *, batch: int = 1000) -> int:
        """Publish snapshots stored but not yet on the stream; how many."""
        published = 0
        while True:
            with self.unit_of_work() as uow:
                done, self._published = self._published, []
                uow.outbox.delete(done)
                uow.commit()
                entries = uow.outbox.list_(limit=batch)
            if not entries:
                break
            self.bus.publish(
                self.streams.odds, [_with_id(p, i) for i, p in entries], maxlen=self.odds_maxlen
            )
            with self.unit_of_work() as uow:
                uow.outbox.delete([i for i, _ in entries])
                uow.commit()
            published += len(entries)
        self.outbox_pending = False
        if published:
            logger.info("published %d odds snapshots left in the outbox", published)
        return published

    # -- steps ---------------------------------------------------------------------

    def _competition(self, uow: UnitOfWork, code: str) -> tuple[int, str]:
        if code not in self._competitions:
            self._competitions[code] = uow.competitions.get_by_code(code)
        found = self._competitions[code]
        if found is None:
            raise TickError("unknown_competition", f"competition {code!r} is not known")
        return found

    def _team(self, uow: UnitOfWork, provider: str, country: str, name: str) -> int:
        key = (provider, country, name)
        if key not in self._teams:
            self._teams[key] = uow.teams.resolve(provider=provider, country=country, name=name)
        found = self._teams[key]
        if found is None:
            self._teams.pop(key)  # an alias may be added later; ask again next time
            raise TickError(
                "unknown_team", f"team {name!r} ({country}, provider {provider}) is not known"
            )
        return found

    def _fixture(
        self, uow: UnitOfWork, tick: OddsTick | ResultTick, *, create: bool
    ) -> tuple[int, int]:
        competition_id, country = self._competition(uow, tick.competition)
        home = self._team(uow, tick.provider, country, tick.home_team)
        away = self._team(uow, tick.provider, country, tick.away_team)
        if home == away:
            raise TickError("same_team", f"{tick.home_team!r} cannot play itself")
        key = (home, away, tick.kickoff.date().isoformat())
        if key not in self._fixtures:
            found = uow.fixtures.find(home_id=home, away_id=away, kickoff=tick.kickoff)
            if found is None:
                if not create:
                    raise TickError(
                        "unknown_fixture",
                        f"no fixture {tick.home_team} v {tick.away_team} on {key[2]}",
                    )
                kickoff = tick.kickoff
                season_id = uow.competitions.season_id_of_year(
                    competition_id=competition_id,
                    start_year=kickoff.year if kickoff.month >= 7 else kickoff.year - 1,
                )
                found = uow.fixtures.schedule(
                    competition_id=competition_id,
                    season_id=season_id,
                    home_id=home,
                    away_id=away,
                    kickoff=tick.kickoff,
                )
            self._fixtures[key] = found
        return self._fixtures[key], competition_id

    def _resolve(self, uow: UnitOfWork, tick: OddsTick, raw: bytes) -> _Resolved:
        fixture_id, competition_id = self._fixture(uow, tick, create=True)
        return _Resolved(tick, fixture_id, competition_id, tick.bookmaker.upper()[:16], raw)

    def _store_odds(self, summary: IngestSummary, odds: list[_Resolved], received: float) -> None:
        now = datetime.now(UTC)
        rows: list[LiveOdds] = []
        keys: list[tuple[tuple[int, str, str, str, str], tuple[Decimal | None, ...]]] = []
        batch_last: dict[tuple[int, str, str, str, str], tuple[Decimal | None, ...]] = {}
        with self.unit_of_work() as uow:
            missing = {r.bookmaker for r in odds} - self._bookmakers.keys()
            if missing:
                self._bookmakers.update(uow.bookmakers.upsert_many(codes=missing))
            for item in odds:
                tick = item.tick
                line = "" if tick.line is None else str(tick.line)
                key = (item.fixture_id, item.bookmaker, tick.market.value, line, tick.kind.value)
                prices = tuple(tick.prices.get(s) for s in _PRICE_FIELDS)
                if batch_last.get(key, self._last.get(key)) == prices:
                    summary.unchanged += 1
                    self.metrics.ticks.labels(outcome="unchanged", kind="odds").inc()
                    continue
                batch_last[key] = prices
                rows.append(self._row(item, self._payload(item, received)))
                keys.append((key, prices))
            ids = uow.odds.insert_live(rows, now=now)
            published, self._published = self._published, []
            uow.outbox.delete(published)
            uow.commit()
        # Only what was stored becomes "the last price": a conflicting duplicate was not.
        self._last.update((k, p) for (k, p), i in zip(keys, ids, strict=True) if i is not None)
        stored = [(i, row) for i, row in zip(ids, rows, strict=True) if i is not None]
        summary.duplicate += len(rows) - len(stored)
        summary.stored += len(stored)
        self.metrics.ticks.labels(outcome="duplicate", kind="odds").inc(len(rows) - len(stored))
        self.metrics.ticks.labels(outcome="stored", kind="odds").inc(len(stored))
        if stored:
            self._publish(stored)

    def _publish(self, stored: list[tuple[int, LiveOdds]]) -> None:
        self.outbox_pending = True
        self.bus.publish(
            self.streams.odds,
            [_with_id(row.payload, odds_id) for odds_id, row in stored],
            maxlen=self.odds_maxlen,
        )
        # Cleared in the next batch's transaction rather than one of its own: a
        # crash before then only publishes these again, which consumers tolerate.
        self._published.extend(i for i, _ in stored)
        self.outbox_pending = False

    def _row(self, item: _Resolved, payload: str) -> LiveOdds:
        tick = item.tick
        return LiveOdds(
            fixture_id=item.fixture_id,
            bookmaker_id=self._bookmakers[item.bookmaker],
            market=tick.market,
            line_quarters=0 if tick.line is None else int(tick.line * 4),
            kind=tick.kind,
            captured_at=tick.captured_at,
            prices=dict(tick.prices),
            payload=payload,
        )

    @staticmethod
    def _payload(item: _Resolved, received: float) -> str:
        tick = item.tick
        body = {
            "fixture_id": item.fixture_id,
            "competition": tick.competition,
            "bookmaker": item.bookmaker,
            "market": tick.market.value,
            "line": None if tick.line is None else str(tick.line),
            "kind": tick.kind.value,
            "prices": {s.value: str(p) for s, p in tick.prices.items()},
            "captured_at": tick.captured_at.isoformat(),
            "received_at": received,
        }
        if tick.market is Market.MATCH_ODDS:
            body["line"] = None
        return json.dumps(body, separators=(",", ":"))

    def _store_result(self, summary: IngestSummary, result: ResultTick, raw: bytes) -> None:
        try:
            with self.unit_of_work() as uow:
                fixture_id, _ = self._fixture(uow, result, create=False)
                try:
                    new = uow.fixtures.record_result(
                        fixture_id=fixture_id,
                        home_goals=result.home_goals,
                        away_goals=result.away_goals,
                    )
                except ConflictError as error:
                    raise TickError("result_conflict", str(error)) from error
                uow.commit()
        except TickError as error:
            self._dead_letter(summary, error.reason, str(error), raw, kind="result")
            return
        summary.results += 1
        self.metrics.ticks.labels(outcome="stored" if new else "duplicate", kind="result").inc()
        if new:
            body = {
                "fixture_id": fixture_id,
                "home_goals": result.home_goals,
                "away_goals": result.away_goals,
                "kickoff": result.kickoff.isoformat(),
            }
            self.bus.publish(self.streams.results, [json.dumps(body).encode()], maxlen=100_000)

    def _dead_letter(
        self, summary: IngestSummary, reason: str, message: str, raw: bytes, *, kind: str
    ) -> None:
        logger.warning("dead-lettered a tick (%s): %s", reason, message)
        self.bus.publish(
            self.streams.dead_letter,
            [dead_letter_payload("ingestion", reason, message, raw)],
            maxlen=100_000,
        )
        summary.dead_lettered += 1
        summary.reasons[reason] = summary.reasons.get(reason, 0) + 1
        self.metrics.ticks.labels(outcome="dead_lettered", kind=kind).inc()
        self.metrics.dead_letters.labels(stage="ingestion", reason=reason).inc()


def _bytes(raw: bytes | str | Mapping[str, Any]) -> bytes:
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        return raw.encode()
    return json.dumps(raw, default=str, separators=(",", ":")).encode()


def _with_id(payload: str, odds_id: int) -> bytes:
    """The stream entry: the stored payload with the snapshot's id (known after insert)."""
    return b'{"odds_id":%d,%s' % (odds_id, payload[1:].encode())
