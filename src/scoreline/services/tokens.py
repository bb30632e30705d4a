"""Access and refresh tokens: JWTs signed with HS256 under a secret the caller holds.

Every token carries ``sub`` (the user id), ``role``, ``type`` (``access`` or
``refresh``), ``iat``, ``exp`` and a random ``jti``. An access token is short-lived
and checked without a database. A refresh token lives for days and is meant to
be *rotated*: the caller stores the refresh token's ``jti`` with the user (or
session), accepts a refresh only when the presented ``jti`` is the stored one,
then issues a new pair and stores the new ``jti``. A refresh token presented
after it was rotated away was copied; the caller should end that session.

Time is passed in, never read here. PyJWT's own ``exp``/``iat`` checks are off
and ``exp`` is compared with the caller's ``now`` with no leeway, so tests run on
a fixed clock and every process applies one rule: a token is valid while
``now < exp``. ``iat`` and ``exp`` are whole seconds, as RFC 7519 writes them.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt
from jwt.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidSignatureError,
    InvalidTokenError,
    MissingRequiredClaimError,
)

from scoreline.domain.people import Role
from scoreline.errors import AuthError, ConfigError, DataError

__all__ = [
    "MIN_SECRET_BYTES",
    "Claims",
    "TokenPair",
    "TokenType",
    "decode_access",
    "decode_refresh",
    "issue_tokens",
]

TokenType = Literal["access", "refresh"]

MIN_SECRET_BYTES = 32
"""Shortest signing secret accepted: HS256 needs a key at least as long as its hash
(RFC 7518 section 3.2), and PyJWT warns below it."""

_ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ["sub", "role", "type", "iat", "exp", "jti"]
_ARTICLE = {"access": "an", "refresh": "a"}


@dataclass(frozen=True, slots=True)
class Claims:
    """What a valid token says. ``jti`` is what refresh-token rotation stores."""

    subject: str
    role: Role
    token_type: TokenType
    issued_at: datetime
    expires_at: datetime
    jti: str


@dataclass(frozen=True, slots=True)
class TokenPair:
    """A fresh access and refresh token; the tokens stay out of ``repr`` and so out of logs."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_jti: str
    refresh_jti: str
    access_expires_at: datetime
    refresh_expires_at: datetime


def issue_tokens(
    subject: str,
    role: str,
    *,
    secret: str,
    now: datetime,
    access_ttl: timedelta = timedelta(minutes=15),
    refresh_ttl: timedelta = timedelta(days=14),
) -> TokenPair:
    """Sign an access token and a refresh token for ``subject``.

    Parameters
    ----------
    subject : str
        The user's id, as the ``sub`` claim; not empty.
    role : str
        One of :class:`~scoreline.domain.people.Role`.
    secret : str
        The HS256 signing secret, at least :data:`MIN_SECRET_BYTES` bytes.
    now : datetime
        The current time, timezone-aware; ``iat`` and the expiries count from it.
    access_ttl, refresh_ttl : timedelta
        Lifetimes, positive. Short access tokens bound what a stolen one is worth;
        the refresh token saves the user from typing the password again.

    Returns
    -------
    TokenPair
        Both tokens, their ``jti`` (store ``refresh_jti`` for rotation) and expiries.

    Raises
    ------
    ConfigError
        If the secret is too short.
    DataError
        If the subject is empty, the role unknown, ``now`` naive or a lifetime not positive.
    """
    _check_secret(secret)
    _check_aware(now)
    if not subject:
        raise DataError("token subject is empty; pass the user's id")
    try:
        known_role = Role(role)
    except ValueError:
        names = ", ".join(Role)
        raise DataError(f"role {role!r} is not one of {names}; no token issued") from None
    for name, ttl in (("access_ttl", access_ttl), ("refresh_ttl", refresh_ttl)):
        if ttl <= timedelta(0):
            raise DataError(f"{name} is {ttl}; a token lifetime must be positive")
    access, access_jti, access_exp = _sign(
        "access", subject=subject, role=known_role, secret=secret, now=now, ttl=access_ttl
    )
    refresh, refresh_jti, refresh_exp = _sign(
        "refresh", subject=subject, role=known_role, secret=secret, now=now, ttl=refresh_ttl
    )
    return TokenPair(access, refresh, access_jti, refresh_jti, access_exp, refresh_exp)


def decode_access(token: str, *, secret: str, now: datetime) -> Claims:
    """Check an access token and return its claims.

    Raises
    ------
    AuthError
        With ``reason`` ``malformed``, ``bad_signature``, ``bad_claims``,
        ``wrong_type`` (a refresh token sent as an access token) or ``expired``.
    ConfigError
        If the secret is too short.
    """
    return _decode(token, "access", secret=secret, now=now)


def decode_refresh(token: str, *, secret: str, now: datetime) -> Claims:
    """Check a refresh token and return its claims; compare ``jti`` with the stored one.

    Raises the same errors as :func:`decode_access`, with ``wrong_type`` for an
    access token sent to be refreshed.
    """
    return _decode(token, "refresh", secret=secret, now=now)


def _sign(
    kind: TokenType, *, subject: str, role: Role, secret: str, now: datetime, ttl: timedelta
) -> tuple[str, str, datetime]:
    jti = secrets.token_urlsafe(16)
    expires = math.floor((now + ttl).timestamp())
    payload = {
        "sub": subject,
        "role": role.value,
        "type": kind,
        "iat": math.floor(now.timestamp()),
        "exp": expires,
        "jti": jti,
    }
    token = jwt.encode(payload, secret, algorithm=_ALGORITHM)
    return token, jti, datetime.fromtimestamp(expires, UTC)


_VERIFIED: dict[tuple[str, str], Claims] = {}
"""Tokens whose signature already checked out, by (token, secret).

A bearer client sends the same token on every request for its 15 minutes; the
HMAC check and the JSON parsing are then done once, not per request. Only
verified tokens enter (a forged one is checked, and refused, every time), the
expiry is still checked against the caller's clock on every use, and the memo
is dropped whole when it grows past ``_VERIFIED_MAX``.
"""
_VERIFIED_MAX = 50_000


def _decode(token: str, expected: TokenType, *, secret: str, now: datetime) -> Claims:
    _check_aware(now)
    claims = _VERIFIED.get((token, secret))
    if claims is None:
        _check_secret(secret)
        claims = _claims(_verified_payload(token, secret))
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[(token, secret)] = claims
    if claims.token_type != expected:
        raise AuthError(
            f"{_ARTICLE[claims.token_type]} {claims.token_type} token was sent where "
            f"{_ARTICLE[expected]} {expected} token is needed",
            reason="wrong_type",
        )
    if now >= claims.expires_at:
        then = "get a new one with the refresh token" if expected == "access" else "sign in again"
        raise AuthError(
            f"{expected} token expired at {claims.expires_at:%Y-%m-%dT%H:%M:%SZ}; {then}",
            reason="expired",
        )
    return claims


def _verified_payload(token: str, secret: str) -> dict[str, Any]:
    """The payload of a token whose signature checks out; PyJWT's errors become AuthError."""
    try:
        return jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            options={
                "verify_exp": False,  # checked in _decode against the caller's clock
                "verify_iat": False,
                "verify_nbf": False,
                "require": _REQUIRED_CLAIMS,
            },
        )
    except InvalidSignatureError as exc:
        raise AuthError(
            "token signature does not match: it was altered or signed with another "
            "secret; sign in again",
            reason="bad_signature",
        ) from exc
    except InvalidAlgorithmError as exc:
        raise AuthError(
            f"token is not signed with {_ALGORITHM}; sign in again", reason="malformed"
        ) from exc
    except DecodeError as exc:
        raise AuthError(
            "token is malformed: not a signed JWT; send the token as issued",
            reason="malformed",
        ) from exc
    except MissingRequiredClaimError as exc:
        raise AuthError(
            f"token lacks the {exc.claim!r} claim; sign in again", reason="bad_claims"
        ) from exc
    except InvalidTokenError as exc:
        raise AuthError(
            f"token has invalid claims ({exc}); sign in again", reason="bad_claims"
        ) from exc


def _claims(payload: dict[str, Any]) -> Claims:
    """Typed claims from a verified payload; a wrong type is ``bad_claims``."""
    sub, role, kind, jti = payload["sub"], payload["role"], payload["type"], payload["jti"]
    iat, exp = payload["iat"], payload["exp"]
    if not isinstance(sub, str) or not sub or not isinstance(jti, str) or not jti:
        raise AuthError(
            "token has an empty or non-text sub or jti; sign in again", reason="bad_claims"
        )
    if kind not in _ARTICLE:
        raise AuthError(f"token type {kind!r} is neither access nor refresh", reason="bad_claims")
    try:
        known_role = Role(role)
    except ValueError:
        raise AuthError(
            f"token names role {role!r}, which does not exist; sign in again", reason="bad_claims"
        ) from None
    return Claims(sub, known_role, kind, _instant("iat", iat), _instant("exp", exp), jti)


def _instant(name: str, value: object) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AuthError(f"token {name} is not a number of seconds", reason="bad_claims")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise AuthError(f"token {name} is out of range", reason="bad_claims") from exc


def _check_secret(secret: str) -> None:
    size = len(secret.encode())
    if size < MIN_SECRET_BYTES:
        raise ConfigError(
            f"the token signing secret is {size} bytes; HS256 needs at least "
            f"{MIN_SECRET_BYTES} (make one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')"
        )


def _check_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise DataError("now is a naive datetime; pass an aware one, e.g. datetime.now(UTC)")
