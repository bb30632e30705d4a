"""The Odds API's odds answer turned into live-feed ticks (``scoreline.domain.ticks.RawTick``).

One tick per event, bookmaker, market and line::

    h2h      -> 1x2             prices home/draw/away: outcome names home_team, "Draw", away_team
    totals   -> over_under      line = point, prices over/under; one tick per point
    spreads  -> asian_handicap  line = the HOME team's point, prices home/away; one tick per
                                home point, whose away outcome must carry minus that point

Competitions and bookmakers are translated through ``codes.py``; team names stay
in the API's spelling, for the ingestion engine to resolve. Whatever is
malformed (an event without teams, a market missing a side, a handicap whose two
points do not mirror) is skipped and reported as a ``Problem``, never dropped
in silence, and the rest of the answer converts. Every tick returned has passed
``parse_tick``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from scoreline.domain.markets import Market, parse_line
from scoreline.domain.odds import PriceKind
from scoreline.domain.ticks import RawTick, TickError, parse_tick
from scoreline.errors import DataError
from scoreline.providers.odds_api._shape import (
    ShapeError,
    as_object,
    field_list,
    field_number,
    field_text,
    field_time,
    iso_z,
)
from scoreline.providers.odds_api.codes import bookmaker_code, competition_code

__all__ = ["PROVIDER", "Conversion", "Problem", "convert_odds"]

logger = logging.getLogger(__name__)

PROVIDER = "the-odds-api"
_DRAW = "Draw"
_TOTAL_SIDES = {"Over": "over", "Under": "under"}
_SHOWN_PROBLEMS = 3

# A market's ticks before the checks of parse_tick: (line or None, prices by selection).
_Priced = tuple[str | None, dict[str, str]]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in the answer that was skipped: ``where`` it was and the ``reason``."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}; skipped"


@dataclass(frozen=True, slots=True)
class Conversion:
    """The ticks of one odds answer, and everything that could not become one."""

    ticks: list[RawTick] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Match:
    competition: str
    home_team: str
    away_team: str
    kickoff: datetime
    where: str


def convert_odds(events: Iterable[object]) -> Conversion:
    """The ``RawTick`` dicts of a ``/v4/sports/{sport}/odds`` answer.

    Parameters
    ----------
    events
        The decoded answer: a list of event objects (``OddsApiClient.odds``).

    Returns
    -------
    Conversion
        ``ticks`` in the order of the answer, each accepted by ``parse_tick``;
        ``problems`` for each event, bookmaker, market or line that was skipped.
        Two API bookmakers that share one of our codes (``betfair_ex_uk`` and
        ``betfair_ex_eu`` are both ``BFE``) would give one match two prices for
        the same line: the later update is kept and the other reported.
    """
    ticks: dict[tuple[str, ...], _Quote] = {}
    problems: list[Problem] = []
    for index, item in enumerate(events):
        for found in _event(index, item):
            if isinstance(found, Problem):
                problems.append(found)
            else:
                _keep_latest(ticks, found, problems)
    conversion = Conversion([quote.tick for quote in ticks.values()], problems)
    if problems:
        shown = "; ".join(map(str, problems[:_SHOWN_PROBLEMS]))
        more = len(problems) - _SHOWN_PROBLEMS
        logger.warning(
            "Odds API answer: %d part(s) skipped: %s%s",
            len(problems),
            shown,
            f" (and {more} more)" if more > 0 else "",
        )
    logger.info("Odds API answer: %d ticks, %d skipped", len(conversion.ticks), len(problems))
    return conversion


@dataclass(frozen=True, slots=True)
class _Quote:
    """A checked tick and the Odds API bookmaker key it came from."""

    tick: RawTick
    source: str


_Item = _Quote | Problem


def _event(index: int, item: object) -> Iterable[_Item]:
    where = f"event {index}"
    try:
        obj = as_object(item, "an event")
        where = f"event {field_text(obj, 'id')}"
        home, away = field_text(obj, "home_team"), field_text(obj, "away_team")
        where = f"{where} ({home} v {away})"
        if home == away:
            raise ShapeError(
                "home_team and away_team are the same, so outcomes cannot be told apart"
            )
        match = _Match(
            competition_code(field_text(obj, "sport_key")),
            home,
            away,
            field_time(obj, "commence_time"),
            where,
        )
        bookmakers = field_list(obj, "bookmakers")
    except (ShapeError, DataError) as exc:
        yield Problem(where, str(exc))
        return
    for number, bookmaker in enumerate(bookmakers):
        yield from _bookmaker(match, number, bookmaker)


def _optional_time(obj: Mapping[str, object], name: str) -> datetime | None:
    return None if obj.get(name) is None else field_time(obj, name)


def _bookmaker(match: _Match, number: int, item: object) -> Iterable[_Item]:
    where = f"{match.where} / bookmaker {number}"
    try:
        obj = as_object(item, "a bookmaker")
        key = field_text(obj, "key")
        where = f"{match.where} / bookmaker {key}"
        updated = _optional_time(obj, "last_update")
        markets = field_list(obj, "markets")
    except ShapeError as exc:
        yield Problem(where, str(exc))
        return
    for market in markets:
        yield from _market(match, key, updated, where, market)


def _market(
    match: _Match, bookmaker: str, book_updated: datetime | None, where: str, item: object
) -> Iterable[_Item]:
    try:
        obj = as_object(item, "a market")
        key = field_text(obj, "key")
        where = f"{where} / market {key}"
        convert = _CONVERTERS.get(key)
        if convert is None:
            raise ShapeError(f"market {key!r} is not converted (only {', '.join(_CONVERTERS)})")
        captured = _optional_time(obj, "last_update") or book_updated
        if captured is None:
            raise ShapeError("no last_update on the market or its bookmaker")
        if captured >= match.kickoff:
            raise ShapeError(
                f"updated at {iso_z(captured)}, after kick-off: in-play prices are not pre-match"
            )
        outcomes = [
            as_object(outcome, f"outcome {n}")
            for n, outcome in enumerate(field_list(obj, "outcomes"))
        ]
        market, priced, reasons = convert(match, outcomes)
    except ShapeError as exc:
        yield Problem(where, str(exc))
        return
    for reason in reasons:
        yield Problem(where, reason)
    for line, prices in priced:
        tick: RawTick = {
            "type": "odds",
            "provider": PROVIDER,
            "competition": match.competition,
            "home_team": match.home_team,
            "away_team": match.away_team,
            "kickoff": iso_z(match.kickoff),
            "bookmaker": bookmaker_code(bookmaker),
            "market": market.value,
            "line": line,
            "prices": prices,
            "captured_at": iso_z(captured),
            "kind": PriceKind.PREMATCH.value,
        }
        try:
            parse_tick(tick)
        except TickError as exc:
            yield Problem(f"{where} line {line}" if line else where, str(exc))
        else:
            yield _Quote(tick, bookmaker)


def _keep_latest(
    kept: dict[tuple[str, ...], _Quote], quote: _Quote, problems: list[Problem]
) -> None:
    """Keep one tick per match, bookmaker code, market and line: the later update."""
    tick = quote.tick
    identity = (
        tick["competition"],
        tick["home_team"],
        tick["away_team"],
        tick["kickoff"],
        tick["bookmaker"],
        tick["market"],
        tick["line"] or "",
    )
    previous = kept.setdefault(identity, quote)
    if previous is quote:
        return
    winner, loser = (
        (quote, previous) if _captured(quote) > _captured(previous) else (previous, quote)
    )
    kept[identity] = winner
    where = (
        f"{tick['home_team']} v {tick['away_team']} / bookmaker {loser.source} / {tick['market']}"
    )
    problems.append(
        Problem(
            where + (f" line {tick['line']}" if tick["line"] else ""),
            f"same bookmaker code {tick['bookmaker']} as {winner.source}, "
            f"whose update at {winner.tick['captured_at']} is kept",
        )
    )


def _captured(quote: _Quote) -> datetime:
    return datetime.fromisoformat(quote.tick["captured_at"].replace("Z", "+00:00"))


def _price(outcome: Mapping[str, object]) -> str:
    # str() of a JSON float is its shortest repr: 2.1 stays "2.1", never 2.10000000000000009.
    return str(field_number(outcome, "price"))


def _line(outcome: Mapping[str, object]) -> Decimal:
    point = field_number(outcome, "point")
    try:
        return parse_line(point)
    except (ValueError, InvalidOperation):
        raise ShapeError(f"point {point!r} is not on the quarter-goal grid") from None


def _line_text(line: Decimal) -> str:
    """``2.5``, ``-0.75``, ``0``: the line as ``RawTick`` writes it."""
    return "0" if line == 0 else f"{line.normalize():f}"


_Converted = tuple[Market, list[_Priced], list[str]]


def _h2h(match: _Match, outcomes: list[Mapping[str, object]]) -> _Converted:
    wanted = {match.home_team: "home", _DRAW: "draw", match.away_team: "away"}
    prices: dict[str, str] = {}
    for outcome in outcomes:
        name = field_text(outcome, "name")
        if name not in wanted:
            raise ShapeError(f"outcome {name!r} is neither {', '.join(map(repr, wanted))}")
        if wanted[name] in prices:
            raise ShapeError(f"outcome {name!r} appears twice")
        prices[wanted[name]] = _price(outcome)
    missing = [name for name, side in wanted.items() if side not in prices]
    if missing:
        raise ShapeError(f"no outcome for {', '.join(map(repr, missing))}")
    return Market.MATCH_ODDS, [(None, prices)], []


def _totals(_match: _Match, outcomes: list[Mapping[str, object]]) -> _Converted:
    lines: dict[Decimal, dict[str, str]] = {}
    reasons: list[str] = []
    repeated: set[Decimal] = set()
    for outcome in outcomes:
        name = field_text(outcome, "name")
        if name not in _TOTAL_SIDES:
            raise ShapeError(f"outcome {name!r} is neither 'Over' nor 'Under'")
        side, line = _TOTAL_SIDES[name], _line(outcome)
        sides = lines.setdefault(line, {})
        if side in sides:
            reasons.append(f"line {_line_text(line)}: {name} appears twice")
            repeated.add(line)
        sides[side] = _price(outcome)
    priced: list[_Priced] = []
    for line, sides in lines.items():
        if set(sides) != {"over", "under"}:
            reasons.append(
                f"line {_line_text(line)}: only {', '.join(sides)}, needs over and under"
            )
        elif line not in repeated:
            priced.append((_line_text(line), sides))
    return Market.OVER_UNDER, priced, reasons


def _signed(line: Decimal) -> str:
    text = _line_text(line)
    return text if line <= 0 else f"+{text}"


def _spreads(match: _Match, outcomes: list[Mapping[str, object]]) -> _Converted:
    points: dict[str, dict[Decimal, str]] = {"home": {}, "away": {}}
    reasons: list[str] = []
    repeated: set[Decimal] = set()  # home lines, whichever side was repeated
    teams = {match.home_team: "home", match.away_team: "away"}
    for outcome in outcomes:
        name = field_text(outcome, "name")
        if name not in teams:
            raise ShapeError(
                f"outcome {name!r} is neither {match.home_team!r} nor {match.away_team!r}"
            )
        side, line = teams[name], _line(outcome)
        if line in points[side]:
            reasons.append(
                f"home line {_signed(line if side == 'home' else -line)}: "
                f"{name} {_signed(line)} appears twice"
            )
            repeated.add(line if side == "home" else -line)
        points[side][line] = _price(outcome)
    priced: list[_Priced] = []
    for line, home_price in points["home"].items():
        away_price = points["away"].get(-line)
        if away_price is None:
            reasons.append(
                f"home line {_signed(line)}: no {match.away_team} {_signed(-line)} outcome"
            )
        elif line not in repeated:
            priced.append((_line_text(line), {"home": home_price, "away": away_price}))
    for line in points["away"]:
        if -line not in points["home"]:
            reasons.append(
                f"{match.away_team} {_signed(line)}: no {match.home_team} {_signed(-line)} "
                "outcome to pair with (the away point must be minus the home point)"
            )
    return Market.ASIAN_HANDICAP, priced, reasons


_CONVERTERS: dict[str, Callable[[_Match, list[Mapping[str, object]]], _Converted]] = {
    "h2h": _h2h,
    "totals": _totals,
    "spreads": _spreads,
}
