"""API keys for programs: ``sl_<public id>_<secret part>``, shown once, stored as a hash.

A key has three parts joined by underscores: a short prefix naming the issuer
(so a leaked key is recognisable to secret scanners and to people), an 8-character
public id (lower-case letters and digits) by which the stored row is found, and 32
random bytes in URL-safe base64 (43 characters, which may themselves contain ``_``
and ``-``). Only :func:`hash_api_key` of the whole key is stored, with the public
id beside it; the key is shown to its owner once, when made.

Lookup then is: :func:`parse_api_key` the presented key, fetch the row by public
id (a miss is a 401, not a 404), :func:`verify_api_key` against its hash, and check
the key's scopes with :func:`scoreline.api.security.allowed`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass, field
from typing import NamedTuple

from scoreline.api.security import AuthError
from scoreline.errors import DataError

__all__ = [
    "SECRET_BYTES",
    "NewKey",
    "ParsedKey",
    "hash_api_key",
    "new_api_key",
    "parse_api_key",
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
