"""People who use Scoreline: roles, scopes, the permission table, users, keys and callers.

A request is allowed when the caller's *role* can perform the action and, for a
request signed with an API key, the key's *scopes* also include it: a key never
grants more than its owner's role. ``Principal`` is the caller once
authenticated, whatever the credential (bearer token, session cookie, API key).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = [
    "PERMISSIONS",
    "ApiKeyRecord",
    "OwnedApiKey",
    "Principal",
    "Role",
    "Scope",
    "UserRecord",
    "Via",
    "allowed",
    "can",
    "scopes_of",
]


class Role(enum.StrEnum):
    """A user's role; stored on the user and carried in access tokens."""

    ADMIN = "admin"
    TRADER = "trader"
    VIEWER = "viewer"


class Scope(enum.StrEnum):
    """An action a request performs, and a grant an API key carries.

    ``read``: fixtures, prices, predictions, one's own portfolios.
    ``trade``: place and void bets, manage one's own portfolios.
    ``admin``: users, other people's keys, ingestion, model refits.
    """

    READ = "read"
    TRADE = "trade"
    ADMIN = "admin"


PERMISSIONS: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: frozenset(Scope),
    Role.TRADER: frozenset({Scope.READ, Scope.TRADE}),
    Role.VIEWER: frozenset({Scope.READ}),
}
"""The actions each role may perform; a role missing from the table may do nothing."""


def can(role: Role, action: Scope) -> bool:
    """Whether ``role`` may perform ``action``, by the :data:`PERMISSIONS` table."""
    return action in PERMISSIONS.get(role, frozenset())


def allowed(scopes: Iterable[str], needed: Scope) -> bool:
    """Whether an API key granted ``scopes`` may perform ``needed``.

    Scopes do not imply one another: a key holds exactly what it was granted, so a
    key made for a read-only dashboard cannot trade and a trading bot's key lists
    ``read`` as well if it needs it. ``scopes`` may be the plain strings stored with
    the key; unknown strings grant nothing. Check :func:`can` for the key's owner
    as well.
    """
    return needed.value in {str(scope) for scope in scopes}


def scopes_of(role: Role, granted: Iterable[str] | None = None) -> frozenset[Scope]:
    """What a caller may do: the role's actions, narrowed to a key's grants when there is one."""
    if granted is None:
        return PERMISSIONS.get(role, frozenset())
    grants = list(granted)
    return frozenset(s for s in Scope if allowed(grants, s) and can(role, s))


Via = Literal["token", "session", "key"]
"""The credential a caller authenticated with."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling and what they may do."""

    user_id: int
    role: Role
    scopes: frozenset[Scope]
    via: Via


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A person who signs in, without secrets (the password hash stays in storage)."""

    id: int
    email: str
    role: Role
    is_active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """A program's key as stored, never its secret; ``scopes`` are the granted strings."""

    id: int
    user_id: int
    public_id: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class OwnedApiKey:
    """A key with its owner's email, for the admins' list of every key."""

    key: ApiKeyRecord
    email: str
