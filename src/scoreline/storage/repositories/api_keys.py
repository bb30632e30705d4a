"""Programs' API keys: stored as hashes, scoped, revocable."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scoreline.domain.people import ApiKeyRecord, OwnedApiKey, Role
from scoreline.storage.tables import ApiKeyRow, UserRow

__all__ = ["ApiKeyRepository", "KeyHolder"]


class KeyHolder(NamedTuple):
    """A key found by its public id, its stored hash, and its owner's standing."""

    key: ApiKeyRecord
    key_hash: str
    role: Role
    owner_active: bool


class ApiKeyRepository:
    """Programs' API keys by id, by public id, and by owner."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_by_public_id(self, public_id: str) -> KeyHolder | None:
        """The key with this public id, with its hash and its owner's role, or None."""
        found = self.session.execute(
            select(ApiKeyRow, UserRow.role, UserRow.is_active)
            .join(UserRow, UserRow.id == ApiKeyRow.user_id)
            .where(ApiKeyRow.public_id == public_id)
        ).first()
        if found is None:
            return None
        row, role, active = found
        return KeyHolder(_record(row), row.key_hash, Role(role), bool(active))

    def get_owned(self, key_id: int, *, owner_id: int) -> ApiKeyRecord | None:
        """One key of one owner, or None (another user's key is not found)."""
        row = self.session.scalar(
            select(ApiKeyRow).where(ApiKeyRow.id == key_id, ApiKeyRow.user_id == owner_id)
        )
        return None if row is None else _record(row)

    def get(self, key_id: int) -> ApiKeyRecord | None:
        """One key by id, whoever owns it, or None."""
        row = self.session.get(ApiKeyRow, key_id)
        return None if row is None else _record(row)

    def list_(self, *, owner_id: int, limit: int, offset: int) -> tuple[list[ApiKeyRecord], int]:
        """One owner's keys by id, a page at a time; and how many they have."""
        rows = self.session.scalars(
            select(ApiKeyRow)
            .where(ApiKeyRow.user_id == owner_id)
            .order_by(ApiKeyRow.id)
            .limit(limit)
            .offset(offset)
        ).all()
        total = self.session.scalar(
            select(func.count(ApiKeyRow.id)).where(ApiKeyRow.user_id == owner_id)
        )
        return [_record(r) for r in rows], int(total or 0)

    def list_with_owners(self, *, limit: int, offset: int) -> tuple[list[OwnedApiKey], int]:
        """Every user's keys with their owner's email, newest first; and how many in all."""
        rows = self.session.execute(
            select(ApiKeyRow, UserRow.email)
            .join(UserRow, UserRow.id == ApiKeyRow.user_id)
            .order_by(ApiKeyRow.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        total = int(self.session.scalar(select(func.count(ApiKeyRow.id))) or 0)
        return [OwnedApiKey(_record(key), email) for key, email in rows], total

    def add(
        self,
        *,
        user_id: int,
        public_id: str,
        key_hash: str,
        name: str,
        scopes: Sequence[str],
        created_at: datetime,
    ) -> ApiKeyRecord:
        """A new key (its secret is never stored, only ``key_hash``)."""
        row = ApiKeyRow(
            user_id=user_id,
            public_id=public_id,
            key_hash=key_hash,
            name=name,
            scopes={"scopes": list(scopes)},
            created_at=created_at,
        )
        self.session.add(row)
        self.session.flush()
        return _record(row)

    def revoke(self, key_id: int, *, at: datetime) -> None:
        """Revoke a key; a revoked key keeps its first revocation time."""
        self.session.execute(
            update(ApiKeyRow)
            .where(ApiKeyRow.id == key_id, ApiKeyRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    def touch(self, key_id: int, *, at: datetime) -> None:
        """Record a use of the key."""
        self.session.execute(
            update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(last_used_at=at)
        )


def _record(row: ApiKeyRow) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row.id,
        user_id=row.user_id,
        public_id=row.public_id,
        name=row.name,
        scopes=tuple(str(s) for s in (row.scopes or {}).get("scopes", [])),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )
