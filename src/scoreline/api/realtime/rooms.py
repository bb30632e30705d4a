"""The Socket.IO rooms of the gateway, named once, and what a ``subscribe`` may name.

::

    competition:<code>   every fixture of a competition   (joined with subscribe)
    fixture:<id>         one fixture                      (joined with subscribe)
    user:<id>            one user's sockets                (joined on connect: bet:settled)
"""

from __future__ import annotations

import re

from scoreline.domain.ids import is_id

__all__ = ["competition_room", "fixture_room", "room_for", "user_room"]

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,15}")  # a competition code is 16 wide
_SUBSCRIBE_HINT = 'send {"competition": "<code>"} or {"fixture": <id>}'


def competition_room(code: str) -> str:
    """Every fixture of a competition."""
    return f"competition:{code}"


def fixture_room(fixture_id: int) -> str:
    """One fixture."""
    return f"fixture:{fixture_id}"


def user_room(user_id: int) -> str:
    """One user's sockets, on whichever process they are connected."""
    return f"user:{user_id}"


def room_for(data: object) -> str:
    """The room a ``subscribe`` or ``unsubscribe`` names.

    Raises
    ------
    ValueError
        With what to send instead, for the client's ack.
    """
    if not isinstance(data, dict) or len(data) != 1:
        raise ValueError(_SUBSCRIBE_HINT)
    if "competition" in data:
        code = data["competition"]
        if isinstance(code, str) and _CODE.fullmatch(code):
            return competition_room(code)
        raise ValueError(
            "competition must be a code of 1 to 16 letters, digits, '_', '-' or '.', such as 'E0'"
        )
    if "fixture" in data:
        fixture = data["fixture"]
        if is_id(fixture):
            return fixture_room(fixture)
        raise ValueError("fixture must be a positive whole number, a fixture id")
    raise ValueError(_SUBSCRIBE_HINT)
