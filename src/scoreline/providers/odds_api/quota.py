"""The usage credits The Odds API reports on every answer.

Three headers come back with each response: ``x-requests-remaining`` (credits
left until the monthly renewal), ``x-requests-used`` (credits spent since it)
and ``x-requests-last`` (what the call just made cost). They are the only
reliable account of the budget, so the client reads them on every answer and
the poll plan is fed from them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Quota", "quota_from_headers"]

logger = logging.getLogger(__name__)

_HEADERS = {
    "remaining": "x-requests-remaining",
    "used": "x-requests-used",
    "last": "x-requests-last",
}


@dataclass(frozen=True, slots=True)
class Quota:
    """Credits as of one response; a field is None when its header was absent or unreadable.

    Attributes
    ----------
    remaining
        Credits left until the plan renews.
    used
        Credits spent since the last renewal.
    last
        Credits the call that returned these headers cost (0 for the free endpoints).
    """

    remaining: int | None
    used: int | None
    last: int | None


def _credits(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    # The API has sent whole numbers as "12.0"; anything else is not a credit count.
    if not number.is_integer() or number < 0:
        logger.warning("Ignoring header %s=%r: not a whole number of credits", name, value)
        return None
    return int(number)


def quota_from_headers(headers: Mapping[str, str]) -> Quota | None:
    """The quota in ``headers`` (case-insensitive, as ``httpx.Headers``), or None if none is there.

    None, rather than a Quota of Nones, for an answer that carries no quota
    header at all (a gateway's 502, say): it says nothing about the budget, so
    the last known quota should stand.
    """
    if not any(header in headers for header in _HEADERS.values()):
        return None
    return Quota(
        **{field: _credits(header, headers.get(header)) for field, header in _HEADERS.items()}
    )
