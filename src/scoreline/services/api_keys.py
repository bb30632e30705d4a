"""API keys for programs: making, listing, revoking and checking them.

A key is ``sl_<public id>_<secret part>``, shown once and stored as a hash. It
has three parts joined by underscores: a short prefix naming the issuer (so a
leaked key is recognisable to secret scanners and to people), an 8-character
public id (lower-case letters and digits) by which the stored row is found, and
32 random bytes in URL-safe base64 (43 characters, which may themselves contain
``_`` and ``-``). Only :func:`hash_api_key` of the whole key is stored, with the
public id beside it; the key is shown to its owner once, when made.

Checking a key (:func:`authenticate`) is: :func:`parse_api_key` the presented
key, fetch the row by public id (a miss is an ``AuthError``, not a
``NotFoundError``), :func:`verify_api_key` against its hash, then narrow the
owner's role to the key's scopes (``domain.people.scopes_of``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from scoreline.domain.people import ApiKeyRecord, OwnedApiKey, Principal, Scope, scopes_of
from scoreline.errors import AuthError, DataError, NotFoundError, PermissionDeniedError
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = [
    "SECRET_BYTES",
    "CheckedKey",
    "NewKey",
    "ParsedKey",
    "authenticate",
    "check",
    "create",
    "hash_api_key",
    "list_all",
    "list_mine",
    "new_api_key",
    "parse_api_key",
    "record_use",
    "revoke_any",
    "revoke_mine",
    "verify_api_key",
]

SECRET_BYTES = 32
"""Random bytes in a key: 256 bits, beyond any guessing or brute force of its hash."""

_PUBLIC_ID_LENGTH = 8
_PUBLIC_ID_ALPHABET = string.ascii_lowercase + string.digits
_PREFIX = re.compile(r"[a-z][a-z0-9]{0,15}")
# 43 characters is 32 bytes unpadded; the upper bound keeps a pasted novel from being hashed.
_KEY = re.compile(
    r"(?P<prefix>[a-z][a-z0-9]{0,15})_(?P<public_id>[a-z0-9]{8})_(?P<random>[A-Za-z0-9_-]{43,128})"
)


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key just made: give ``secret`` to its owner once, store ``public_id`` and ``key_hash``.

    ``secret`` stays out of ``repr`` so that logging the object cannot leak it.
    """

    secret: str = field(repr=False)
    public_id: str
    key_hash: str


class ParsedKey(NamedTuple):
    """A well-formed key: its public id, for lookup, and the whole key, for verification."""

    public_id: str
    secret: str


def new_api_key(prefix: str = "sl") -> NewKey:
    """Make a new key.

    The public id has about 41 bits (36**8), so collisions are rare but possible
    once there are millions of keys: store it under a unique constraint and make
    another key if the insert conflicts.

    Raises
    ------
    DataError
        If ``prefix`` is not 1 to 16 lower-case letters and digits starting with a
        letter (an underscore would make the key ambiguous to parse).
    """
    if not _PREFIX.fullmatch(prefix):
        raise DataError(
            f"API key prefix {prefix!r} must be 1 to 16 lower-case letters or digits, "
            "starting with a letter"
        )
    public_id = "".join(secrets.choice(_PUBLIC_ID_ALPHABET) for _ in range(_PUBLIC_ID_LENGTH))
    secret = f"{prefix}_{public_id}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return NewKey(secret=secret, public_id=public_id, key_hash=hash_api_key(secret))


def parse_api_key(secret: str, *, prefix: str = "sl") -> ParsedKey:
    """Split a presented key into its public id and the whole key.

    Raises
    ------
    AuthError
        With ``reason="bad_key"`` when the key does not have the shape
        ``<prefix>_<8 lower-case letters or digits>_<43+ URL-safe characters>``
        or carries another prefix. The message never repeats the key.
    """
    match = _KEY.fullmatch(secret)
    if match is None:
        raise AuthError(
            f"API key is malformed: expected {prefix}_<8-character id>_<secret>, "
            "as shown when the key was made",
            reason="bad_key",
        )
    if match["prefix"] != prefix:
        raise AuthError(
            f"API key has prefix {match['prefix']!r}, not {prefix!r}; it was not issued here",
            reason="bad_key",
        )
    return ParsedKey(public_id=match["public_id"], secret=secret)


def hash_api_key(secret: str) -> str:
    """The SHA-256 hex digest of the whole key, which is what we store.

    A fast hash is right here, unlike for passwords. Argon2 and its kind make
    each guess expensive because passwords come from a small space people can
    search; a key holds 256 random bits, so even a leaked table of SHA-256 digests
    cannot be reversed by guessing. And keys are checked on every request, where
    tens of milliseconds and 64 MiB per check would cap throughput and invite a
    denial of service.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def verify_api_key(secret: str, stored_hash: str) -> bool:
    """Whether ``secret`` hashes to ``stored_hash``, compared in constant time.

    Never raises for what a client can send: a key with characters no key has
    simply does not match.
    """
    if not secret.isascii():
        return False
    return hmac.compare_digest(hash_api_key(secret).encode(), stored_hash.encode())


# -- use cases ------------------------------------------------------------------------


class CheckedKey(NamedTuple):
    """A valid key's caller, and the key's id (for recording its use)."""

    principal: Principal
    key_id: int


def check(unit_of_work: UnitOfWorkFactory, secret: str) -> CheckedKey:
    """The caller behind an API key, read only; ``AuthError`` if it is not valid.

    A key holds what it was granted, and never more than its owner's role allows.
    Its use is not recorded here: a caller that checks keys per request batches the
    uses (``api.key_memo``) and hands them to :func:`record_use`.
    """
    public_id, _ = parse_api_key(secret)
    with unit_of_work() as uow:
        found = uow.api_keys.get_by_public_id(public_id)
    if found is None or not verify_api_key(secret, found.key_hash):
        raise AuthError("unknown API key", reason="bad_key")
    if found.key.revoked_at is not None or not found.owner_active:
        raise AuthError("this API key is revoked", reason="bad_key")
    scopes = scopes_of(found.role, found.key.scopes)
    return CheckedKey(Principal(found.key.user_id, found.role, scopes, "key"), found.key.id)


def record_use(unit_of_work: UnitOfWorkFactory, used: Mapping[int, datetime]) -> None:
    """Store when each key was last used, in one commit."""
    if not used:
        return
    with unit_of_work() as uow:
        for key_id, at in sorted(used.items()):  # one lock order for concurrent flushes
            uow.api_keys.touch(key_id, at=at)
        uow.commit()


def authenticate(unit_of_work: UnitOfWorkFactory, secret: str, *, now: datetime) -> Principal:
    """:func:`check`, with the use recorded at once (for callers that check a key rarely)."""
    checked = check(unit_of_work, secret)
    record_use(unit_of_work, {checked.key_id: now})
    return checked.principal


def create(
    unit_of_work: UnitOfWorkFactory,
    *,
    caller: Principal,
    name: str,
    scopes: Sequence[Scope],
    now: datetime,
) -> tuple[ApiKeyRecord, str]:
    """A new key for the caller and its secret, which is never stored.

    Raises
    ------
    PermissionDeniedError
        When the caller signed in with a key (keys do not make keys) or asks for a
        scope their role does not hold.
    """
    if caller.via == "key":
        raise PermissionDeniedError("sign in with a password to create keys")
    beyond = [s.value for s in scopes if s not in caller.scopes]
    if beyond:
        raise PermissionDeniedError(f"your role cannot grant {beyond}")
    made = new_api_key()
    with unit_of_work() as uow:
        record = uow.api_keys.add(
            user_id=caller.user_id,
            public_id=made.public_id,
            key_hash=made.key_hash,
            name=name,
            scopes=sorted({s.value for s in scopes}),
            created_at=now,
        )
        uow.commit()
    return record, made.secret


def list_mine(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, limit: int, offset: int
) -> tuple[list[ApiKeyRecord], int]:
    """One owner's keys, a page at a time; and how many they have."""
    with unit_of_work() as uow:
        return uow.api_keys.list_(owner_id=owner_id, limit=limit, offset=offset)


def revoke_mine(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, key_id: int, now: datetime
) -> None:
    """Revoke one of the owner's keys; another user's key is ``NotFoundError``."""
    with unit_of_work() as uow:
        if uow.api_keys.get_owned(key_id, owner_id=owner_id) is None:
            raise NotFoundError(f"key {key_id} not found")
        uow.api_keys.revoke(key_id, at=now)
        uow.commit()


def list_all(
    unit_of_work: UnitOfWorkFactory, *, limit: int, offset: int
) -> tuple[list[OwnedApiKey], int]:
    """Every user's keys with their owners, newest first; and how many in all."""
    with unit_of_work() as uow:
        return uow.api_keys.list_with_owners(limit=limit, offset=offset)


def revoke_any(unit_of_work: UnitOfWorkFactory, *, key_id: int, now: datetime) -> None:
    """Revoke anyone's key (a leaked key, a departed trader); revoking twice is harmless."""
    with unit_of_work() as uow:
        if uow.api_keys.get(key_id) is None:
            raise NotFoundError(f"API key {key_id} not found")
        uow.api_keys.revoke(key_id, at=now)
        uow.commit()
