"""Who may do what: the authentication error, roles, scopes and the permission table.

The gateway's security primitives are pure functions split by noun; this module
holds the vocabulary they share::

    security.py     AuthError, Role, Scope, can(role, action), allowed(scopes, needed)
    passwords.py    hash_password, verify_password, needs_rehash      (argon2id)
    tokens.py       issue_tokens, decode_access, decode_refresh       (JWT, HS256)
    api_keys.py     new_api_key, parse_api_key, hash_api_key, verify_api_key
    rate_limit.py   LoginRateLimiter (in memory), RedisLoginRateLimiter (shared)

A request is allowed when the caller's *role* can perform the action and, for a
request signed with an API key, the key's *scopes* also include it: a key never
grants more than its owner's role.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Literal

from scoreline.errors import ScorelineError

__all__ = ["PERMISSIONS", "AuthError", "AuthFailure", "Role", "Scope", "allowed", "can"]

AuthFailure = Literal[
    "expired", "wrong_type", "bad_signature", "malformed", "bad_claims", "bad_key", "bad_session"
]
"""Why a credential was refused, for the API's error ``type`` and for metrics."""


class AuthError(ScorelineError):
    """A token or API key that cannot authenticate anyone; the API answers 401.

    Parameters
    ----------
    message : str
        What was wrong and what to do next. Never contains the credential itself,
        so it is safe to log.
    reason : AuthFailure
        A stable code for the failure, so the transport can map it without
        parsing the message.
    """

    def __init__(self, message: str, reason: AuthFailure) -> None:
        self.reason: AuthFailure = reason
        super().__init__(message)

    def __reduce__(self) -> tuple[type[AuthError], tuple[str, AuthFailure]]:
        # Default exception pickling replays only ``args``, which lack ``reason``.
        return (type(self), (str(self), self.reason))


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
