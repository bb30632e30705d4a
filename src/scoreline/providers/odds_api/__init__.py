"""The Odds API v4: live pre-match odds of soccer competitions, turned into feed ticks.

Source: https://api.the-odds-api.com/v4 (guide: https://the-odds-api.com/liveapi/guides/v4/).
``client`` fetches and reports credits, ``convert`` turns odds into ``RawTick``
dicts, ``plan`` decides when the paid odds endpoint is worth a call, and
``codes`` holds the one table of sport keys and bookmaker keys.
"""

from scoreline.providers.odds_api.client import BASE_URL, OddsApiClient
from scoreline.providers.odds_api.codes import (
    BOOKMAKER_CODES,
    COMPETITION_BY_SPORT,
    bookmaker_code,
    competition_code,
)
from scoreline.providers.odds_api.convert import PROVIDER, Conversion, Problem, convert_odds
from scoreline.providers.odds_api.events import Event, Sport
from scoreline.providers.odds_api.plan import (
    DEFAULT_TIERS,
    PollPlan,
    PollState,
    Tier,
    next_month_start,
    odds_call_cost,
)
from scoreline.providers.odds_api.quota import Quota

__all__ = [
    "BASE_URL",
    "BOOKMAKER_CODES",
    "COMPETITION_BY_SPORT",
    "DEFAULT_TIERS",
    "PROVIDER",
    "Conversion",
    "Event",
    "OddsApiClient",
    "PollPlan",
    "PollState",
    "Problem",
    "Quota",
    "Sport",
    "Tier",
    "bookmaker_code",
    "competition_code",
    "convert_odds",
    "next_month_start",
    "odds_call_cost",
]
