"""Value bets: upcoming 1X2 prices whose edge clears a portfolio's minimum.

The edge is measured against the fair probability of the caller's rule (the
active model's, the sharp book's de-margined price or their blend:
``services.fair_prices``), as on the board.

Each comes with the stake the portfolio should still add
(``services.stake_sizing``): the bookmaker's three 1X2 prices sized together by
simultaneous Kelly on equity, less what is already open on the selection, cut
to the room under the caps; where that is 0, the reason why. Each bookmaker's
quote is sized on its own: two bookmakers' prices for one selection are
alternatives, not a plan to take both. Only bookmakers' pre-match prices count;
the market-wide figures (``domain.bookmakers.AGGREGATES``) cannot be bet on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from scoreline.domain import bookmakers
from scoreline.domain.betting import ValueBet
from scoreline.domain.fixtures import has_kicked_off
from scoreline.domain.markets import SELECTIONS, Market
from scoreline.domain.odds import OddsRecord, PriceKind
from scoreline.pricing import kelly
from scoreline.pricing.fair import FairRule
from scoreline.services import fair_prices, portfolios, stake_sizing
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["EDGE_PLACES", "list_"]

EDGE_PLACES = Decimal("0.0001")
"""An edge is shown to four places, and value bets are ranked by what is shown."""

_OUTCOMES = SELECTIONS[Market.MATCH_ODDS]  # home, draw, away: the prediction's order

UPCOMING_CAP = 1000
"""At most this many upcoming fixtures (the soonest) are searched for value bets: each costs
one odds query, so even "all competitions" stays a bounded read whatever the page asked."""


def list_(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    portfolio_id: int,
    competition: str | None,
    limit: int,
    offset: int,
    now: datetime | None = None,
    fair_rule: FairRule | None = None,
) -> tuple[list[ValueBet], int]:
    """A page of the value bets of one competition (every competition when None) for one of
    the owner's portfolios, largest edge first, edges against ``fair_rule`` (default: the
    model's); and how many there are. Only fixtures yet to kick off are searched, the soonest
    ``UPCOMING_CAP`` of them."""
    now = now or datetime.now(UTC)
    chosen = fair_rule or FairRule()
    found: list[ValueBet] = []
    with unit_of_work() as uow:
        portfolio = portfolios.owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
        sizer = stake_sizing.sizer_for(uow, portfolio)
        active = uow.model_versions.active()
        upcoming, _ = uow.fixtures.list_(
            competition=competition, start=now, limit=UPCOMING_CAP, offset=0
        )
        latest = (
            []
            if active is None or not upcoming
            else uow.predictions.latest(
                fixture_ids=[row.id for row in upcoming], model_version_id=active.id
            )
        )
        predictions = {p.fixture_id: p for p in latest}
        kickoffs = uow.fixtures.kickoffs(list(predictions))
        for fixture_id, kickoff in sorted(kickoffs.items()):
            if has_kicked_off(kickoff, now=now):
                continue
            quotes = uow.odds.latest(fixture_id)
            fair = fair_prices.FixtureFair(
                chosen,
                prediction=predictions[fixture_id],
                sharp=fair_prices.sharp_prematch(quotes),
            )
            probabilities = [fair.get(Market.MATCH_ODDS.value, None, s.value) for s in _OUTCOMES]
            if any(p is None for p in probabilities):
                continue  # the rule's fair price is missing (no sharp 1X2 to de-margin)
            trio = tuple(p.probability for p in probabilities if p is not None)
            for quote in quotes:
                if _is_bettable(quote):
                    found.extend(
                        _value_bets(quote, trio, sizer, portfolio.settings.min_edge, kickoff)
                    )
    found.sort(key=lambda bet: bet.edge, reverse=True)
    return found[offset : offset + limit], len(found)


def _is_bettable(quote: OddsRecord) -> bool:
    """A bookmaker's pre-match 1X2 prices."""
    return (
        quote.market == Market.MATCH_ODDS.value
        and quote.kind == PriceKind.PREMATCH.value
        and bookmakers.is_bookmaker(quote.bookmaker)
    )


def _value_bets(
    quote: OddsRecord,
    probabilities: tuple[float, ...],
    sizer: stake_sizing.StakeSizer,
    min_edge: Decimal,
    kickoff: datetime,
) -> list[ValueBet]:
    """The quote's prices whose edge clears ``min_edge``, with their suggested stakes."""
    found = []
    legs: list[stake_sizing.Leg] = []
    for selection, probability in zip(_OUTCOMES, probabilities, strict=True):
        price = quote.prices.get(selection.value)
        if price is None:
            continue
        legs.append(
            stake_sizing.Leg(
                Market.MATCH_ODDS.value,
                0,
                selection.value,
                probability,
                price,
                bookmaker=quote.bookmaker,
            )
        )
    suggestions = sizer.suggest(legs, fixture_id=quote.fixture_id, kickoff=kickoff)
    for leg, suggestion in zip(legs, suggestions, strict=True):
        edge = kelly.money_edge(leg.probability, leg.price)
        if edge < min_edge:
            continue
        found.append(
            ValueBet(
                fixture_id=quote.fixture_id,
                odds_snapshot_id=quote.id,
                bookmaker=quote.bookmaker,
                selection=leg.selection,
                price=leg.price,
                probability=round(leg.probability, 6),
                edge=edge.quantize(EDGE_PLACES),
                suggested_stake_minor=suggestion.stake_minor,
                stake_reason=None if suggestion.reason is None else suggestion.reason.value,
                stake_message=suggestion.message,
            )
        )
    return found
