"""Who is calling: one set of rules for REST, the fast path and Socket.IO connects.

::

    Presented (api.credentials)
        ├─ X-API-Key ────────► KeyMemo (memo, else services.api_keys.check; uses batched)
        ├─ Bearer token ─────► services.tokens.decode_access     (memory: signature memo)
        ├─ other Authorization ─► 401 "sign in"
        └─ session cookie ───► SessionStore (memo, else database) + CSRF on writes
                                   │
                    user id ───────┴──► role memo (else services.accounts.role_of)
                                            └─ disabled or gone: 401

An API key wins over a token, and the cookie counts only when no
``Authorization`` header was sent. The account's role and state come from a
per-process memo refreshed every ``USER_MEMO_SECONDS``, so a disabled account
or a changed role takes effect within that time without a database round trip
on every request; ``forget`` applies a change made in this process at once.

A valid API key is remembered likewise for ``key_memo.KEY_MEMO_SECONDS`` and its
use written in batches (``api.key_memo``), so a key read costs what a token read
does; a key revoked in this process is forgotten at once.

:meth:`Authenticator.peek` decides from memory alone (``None`` when it would
need the database) and runs on the event loop; :meth:`Authenticator.resolve`
may read the database and runs on a thread.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from scoreline.api.credentials import CSRF_HEADER, Presented
from scoreline.api.key_memo import KeyMemo
from scoreline.api.sessions import SessionStore, csrf_matches
from scoreline.domain.people import Principal, Role, Via, scopes_of
from scoreline.errors import AuthError, PermissionDeniedError
from scoreline.services import accounts
from scoreline.services.tokens import decode_access
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["SIGN_IN", "USER_MEMO_SECONDS", "Authenticator"]

USER_MEMO_SECONDS = 5.0
SIGN_IN = "sign in: send 'Authorization: Bearer <access token>' or 'X-API-Key: <key>'"
_ENDED = "your session has ended; sign in again"
_MEMO_MAX = 100_000


class Authenticator:
    """Turns what a request presents into a :class:`~scoreline.domain.people.Principal`.

    Parameters
    ----------
    unit_of_work : UnitOfWorkFactory
        For API keys and for accounts not in the memo.
    jwt_secret : str
        Verifies access tokens and binds CSRF values to sessions.
    sessions : SessionStore
        Session cookies and their memo.
    memo_seconds : float
        How long an account's role is trusted without reading it again.
    """

    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        *,
        jwt_secret: str,
        sessions: SessionStore,
        memo_seconds: float = USER_MEMO_SECONDS,
    ) -> None:
        self.unit_of_work, self.sessions, self.memo_seconds = unit_of_work, sessions, memo_seconds
        self._secret = jwt_secret
        self.keys = KeyMemo(unit_of_work)
        self._roles: dict[int, tuple[float, Role | None]] = {}
        self._principals: dict[tuple[int, Role, Via], Principal] = {}

    def __repr__(self) -> str:
        return f"Authenticator(remembered={len(self._roles)})"

    def peek(self, presented: Presented, *, write: bool = False) -> Principal | None:
        """The caller from this process's memory alone, or None when that is not enough.

        Raises ``AuthError`` (401) or ``PermissionDeniedError`` (403, a cookie write
        without its CSRF token) when memory already tells the request is refused.
        """
        if presented.api_key:
            return self.keys.peek(presented.api_key, now=datetime.now(UTC))
        found = self._identify(presented, write=write, memory_only=True)
        if found is None:
            return None
        user_id, via = found
        memo = self._roles.get(user_id)
        if memo is None or time.monotonic() - memo[0] > self.memo_seconds:
            return None
        return self._principal(user_id, memo[1], via)

    def resolve(self, presented: Presented, *, write: bool = False) -> Principal:
        """The caller, reading the database where memory is not enough (blocking).

        Raises ``AuthError`` or ``PermissionDeniedError`` as :meth:`peek` does.
        """
        if presented.api_key:
            return self.keys.resolve(presented.api_key, now=datetime.now(UTC))
        found = self._identify(presented, write=write, memory_only=False)
        assert found is not None  # only memory_only gives up
        user_id, via = found
        return self._principal(user_id, self._role(user_id), via)

    def forget(self, user_id: int) -> None:
        """Read this user's account, sessions and keys afresh next time (changed in this
        process)."""
        self._roles.pop(user_id, None)
        self.sessions.forget_user(user_id)
        self.keys.forget()

    def _identify(
        self, presented: Presented, *, write: bool, memory_only: bool
    ) -> tuple[int, Via] | None:
        """The user id and how they signed in (token or cookie); None if memory is not enough."""
        if presented.bearer:
            claims = decode_access(presented.bearer, secret=self._secret, now=datetime.now(UTC))
            if not claims.subject.isdigit():
                raise AuthError("token names no user; sign in again", reason="bad_claims")
            return int(claims.subject), "token"
        if presented.authorization or not presented.session:
            raise AuthError(SIGN_IN, reason="missing")
        cookie = presented.session
        if memory_only:
            known, user_id = self.sessions.remembered(cookie)
            if not known:
                return None
        else:
            user_id = self.sessions.user_of(cookie)
        if user_id is None:
            raise AuthError(_ENDED, reason="bad_session")
        if write and not csrf_matches(self._secret, cookie, presented.csrf):
            raise PermissionDeniedError(
                f"missing or wrong {CSRF_HEADER} header: a write with the session "
                "cookie must echo the scoreline_csrf cookie"
            )
        return user_id, "session"

    def _principal(self, user_id: int, role: Role | None, via: Via) -> Principal:
        """The caller, made once per (user, role, credential) and then reused: a cached read
        is answered in microseconds, and making it again each time was a tenth of that."""
        if role is None:
            raise AuthError("this account is disabled", reason="disabled")
        key = (user_id, role, via)
        found = self._principals.get(key)
        if found is None:
            if len(self._principals) >= _MEMO_MAX:
                self._principals.clear()
            found = self._principals[key] = Principal(user_id, role, scopes_of(role), via)
        return found

    def _role(self, user_id: int) -> Role | None:
        """The account's role from the memo, read again once it is older than the period."""
        memo = self._roles.get(user_id)
        if memo is None or time.monotonic() - memo[0] > self.memo_seconds:
            memo = (time.monotonic(), accounts.role_of(self.unit_of_work, user_id))
            if len(self._roles) >= _MEMO_MAX:
                self._roles.clear()
            self._roles[user_id] = memo
        return memo[1]
