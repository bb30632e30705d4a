"""Signing in: a password for a token pair (programs) or a session (the dashboard),
refresh-token rotation, and signing out.

Every attempt counts against the login limiter before the password is checked
(:class:`LoginPolicy`: one email from one address, anything from one address,
distinct emails from one address, one email from anywhere), so guessing is
bounded however the guesses are spread; a success takes its attempt back. The
check itself goes through the process's bounded argon2 queue
(``services.passwords.PasswordChecker``), and an unknown email or a disabled
account costs the same argon2 check as a real one, so timing tells nothing.

A refresh token is spent when used (a conditional UPDATE on its ``jti``), so a
copied refresh token is worth one use between the thief and the owner; and a
spent token presented again ends its whole *family* (every token descended from
that sign-in, the newest included), since one of the two holders is a thief.
"""

from __future__ import annotations

import functools
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from scoreline.domain.people import UserRecord
from scoreline.errors import AuthError, RateLimitedError
from scoreline.services import accounts, web_sessions
from scoreline.services.passwords import (
    PasswordChecker,
    hash_password,
    needs_rehash,
    verify_password,
)
from scoreline.services.tokens import TokenPair, decode_refresh, issue_tokens
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "LoginLimiter",
    "LoginPolicy",
    "RetryAfter",
    "log_in",
    "log_out",
    "open_session",
    "refresh",
]


@dataclass(frozen=True, slots=True)
class RetryAfter:
    """A refused attempt: how long until the next one is allowed."""

    delay: timedelta

    @property
    def seconds(self) -> int:
        """The delay in whole seconds, rounded up, for an HTTP ``Retry-After`` header."""
        return max(1, math.ceil(self.delay.total_seconds()))


class LoginLimiter(Protocol):
    """Counts sign-in attempts per key (in memory or on Redis: ``api.rate_limit``)."""

    def hit(
        self, key: str, *, limit: int | None = None, member: str | None = None
    ) -> RetryAfter | None:
        """Record an attempt (``member``, else a unique one) for ``key``; ``None`` if
        allowed, else how long to wait. ``limit`` overrides the limiter's own."""
        ...

    def forget(self, key: str, member: str) -> None:
        """Drop one member's attempt from ``key``."""
        ...

    def reset(self, key: str) -> None:
        """Forget the attempts for ``key``, after a successful login."""
        ...


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """How many sign-in attempts count before a 429, each within the limiter's window.

    One email from one address gets the limiter's own ``max_attempts`` (5); the
    others bound what spreading the guesses would buy: ``per_address`` attempts
    from one address whatever the emails, ``emails_per_address`` distinct emails
    tried from one address (a password spray), and ``per_account`` attempts on one
    email from every address together (a botnet on one account). Attempts that
    succeed are taken back, so only failures add up.
    """

    per_address: int = 50
    emails_per_address: int = 10
    per_account: int = 20


DEFAULT_POLICY = LoginPolicy()


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown emails against, made once on first use (it costs ~0.1 s)."""
    return hash_password("not a real password, only for timing")


def _checked(
    unit_of_work: UnitOfWorkFactory,
    *,
    limiter: LoginLimiter,
    email: str,
    password: str,
    client: str,
    passwords: PasswordChecker | None = None,
    policy: LoginPolicy = DEFAULT_POLICY,
) -> UserRecord:
    """The active user behind an email and password.

    Raises
    ------
    RateLimitedError
        When one of the policy's limits is reached, or the argon2 queue is full.
    AuthError
        For a wrong email or password, or a disabled account (told apart from neither).
    """
    email = accounts.normal_email(email)
    attempt = secrets.token_hex(8)
    counted = _count(limiter, policy, email=email, client=client, attempt=attempt)
    verify = verify_password if passwords is None else passwords.verify
    with unit_of_work() as uow:
        login = uow.users.get_login(email)
        # An unknown email is checked against a dummy hash and a disabled account's
        # password is checked all the same: the time taken tells neither apart.
        matches = verify(_dummy_hash() if login is None else login.password_hash, password)
        if login is None or not (matches and login.user.is_active):
            raise AuthError("wrong email or password", reason="bad_password")
        if needs_rehash(login.password_hash):  # stronger parameters since: store them now
            made = hash_password(password) if passwords is None else passwords.hash(password)
            uow.users.set_password(login.user.id, password_hash=made)
            uow.commit()
    for key, member in counted:
        limiter.forget(key, member)
    limiter.reset(_pair(email, client))
    return login.user


def _pair(email: str, client: str) -> str:
    return f"{email}|{client}"


def _count(
    limiter: LoginLimiter, policy: LoginPolicy, *, email: str, client: str, attempt: str
) -> list[tuple[str, str]]:
    """Count the attempt under every rule, the narrowest first; the (key, member) pairs
    counted, for a success to take back.

    A refusal takes back what this attempt counted under the rules before it (a
    refused attempt is not recorded), and raises ``RateLimitedError``.
    """
    rules = (
        (_pair(email, client), None, attempt),
        (f"address:{client}", policy.per_address, attempt),
        (f"emails:{client}", policy.emails_per_address, email),
        (f"account:{email}", policy.per_account, attempt),
    )
    counted: list[tuple[str, str]] = []
    for key, limit, member in rules:
        refused = limiter.hit(key, limit=limit, member=member)
        if refused is not None:
            for done, done_member in counted:
                if done_member == attempt:
                    limiter.forget(done, done_member)
            raise RateLimitedError(
                "too many sign-in attempts; try again later", retry_after_seconds=refused.seconds
            )
        counted.append((key, member))
    return counted[1:]  # the pair's own count is reset whole on success


def _issue(
    unit_of_work: UnitOfWorkFactory, user: UserRecord, *, secret: str, now: datetime
) -> TokenPair:
    """A new pair for a sign-in; its refresh token starts a family of its own."""
    pair = issue_tokens(str(user.id), user.role, secret=secret, now=now)
    with unit_of_work() as uow:
        uow.refresh_tokens.add(
            jti=pair.refresh_jti,
            user_id=user.id,
            expires_at=pair.refresh_expires_at,
            family=pair.refresh_jti,
        )
        uow.commit()
    return pair


def log_in(
    unit_of_work: UnitOfWorkFactory,
    *,
    limiter: LoginLimiter,
    email: str,
    password: str,
    client: str,
    secret: str,
    now: datetime,
    passwords: PasswordChecker | None = None,
    policy: LoginPolicy = DEFAULT_POLICY,
) -> TokenPair:
    """Email and password for an access and a refresh token (see ``_checked`` for errors).

    ``passwords`` bounds the argon2 work (the API passes its process's checker);
    without it the check runs on the calling thread.
    """
    user = _checked(
        unit_of_work,
        limiter=limiter,
        email=email,
        password=password,
        client=client,
        passwords=passwords,
        policy=policy,
    )
    return _issue(unit_of_work, user, secret=secret, now=now)


def open_session(
    unit_of_work: UnitOfWorkFactory,
    *,
    limiter: LoginLimiter,
    email: str,
    password: str,
    client: str,
    now: datetime,
    passwords: PasswordChecker | None = None,
    policy: LoginPolicy = DEFAULT_POLICY,
) -> tuple[UserRecord, str, datetime]:
    """Email and password for a browser session: the user, the session secret, its expiry."""
    user = _checked(
        unit_of_work,
        limiter=limiter,
        email=email,
        password=password,
        client=client,
        passwords=passwords,
        policy=policy,
    )
    token, expires = web_sessions.open_(unit_of_work, user_id=user.id, now=now)
    return user, token, expires


def refresh(
    unit_of_work: UnitOfWorkFactory, *, refresh_token: str, secret: str, now: datetime
) -> TokenPair:
    """Trade a refresh token for a new pair of the same family; the old one is spent in
    the same commit.

    Raises
    ------
    AuthError
        If the token is not valid, was spent or revoked, or its account is disabled. A
        spent token presented again revokes its whole family first (committed), so the
        newer token the other holder has is refused too.
    """
    claims = decode_refresh(refresh_token, secret=secret, now=now)
    with unit_of_work() as uow:
        family = uow.refresh_tokens.family_of(claims.jti)
        spent = uow.refresh_tokens.revoke(claims.jti, at=now)
        user = uow.users.get(int(claims.subject)) if claims.subject.isdigit() else None
        if not spent:
            _end_family(uow, family, now=now)
        if not spent or user is None or not user.is_active:
            raise AuthError("this refresh token was already used or revoked", reason="bad_claims")
        pair = issue_tokens(str(user.id), user.role, secret=secret, now=now)
        uow.refresh_tokens.add(
            jti=pair.refresh_jti,
            user_id=user.id,
            expires_at=pair.refresh_expires_at,
            family=family or claims.jti,
        )
        uow.commit()
    return pair


def _end_family(uow: UnitOfWork, family: str | None, *, now: datetime) -> None:
    """Revoke every live token of a family whose spent token came back, and commit: the
    refusal that follows must not roll it back."""
    if family is not None and uow.refresh_tokens.revoke_family(family, at=now):
        uow.commit()


def log_out(
    unit_of_work: UnitOfWorkFactory, *, refresh_token: str, secret: str, now: datetime
) -> None:
    """Revoke a refresh token; one that is not valid is ignored (there is nothing to end)."""
    try:
        claims = decode_refresh(refresh_token, secret=secret, now=now)
    except AuthError:
        return
    with unit_of_work() as uow:
        uow.refresh_tokens.revoke(claims.jti, at=now)
        uow.commit()
