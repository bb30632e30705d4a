"""Users who sign in, by id and by email."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scoreline.domain.people import Role, UserRecord
from scoreline.storage.tables import UserRow

__all__ = ["Login", "UserRepository"]


class Login(NamedTuple):
    """A user and their stored password hash, for checking a sign-in and nothing else."""

    user: UserRecord
    password_hash: str


class UserRepository:
    """Users who sign in, by id and by email (stored lower-case)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, user_id: int) -> UserRecord | None:
        """One user by id, or None."""
        row = self.session.get(UserRow, user_id)
        return None if row is None else _record(row)

    def get_by_email(self, email: str) -> UserRecord | None:
        """One user by email, or None."""
        row = self.session.scalar(select(UserRow).where(UserRow.email == email))
        return None if row is None else _record(row)

    def get_login(self, email: str) -> Login | None:
        """The user behind an email with their password hash, or None."""
        row = self.session.scalar(select(UserRow).where(UserRow.email == email))
        return None if row is None else Login(_record(row), row.password_hash)

    def role_of(self, user_id: int) -> Role | None:
        """The role of an active user; None when the account is gone or disabled."""
        found = self.session.execute(
            select(UserRow.role, UserRow.is_active).where(UserRow.id == user_id)
        ).first()
        if found is None or not found.is_active:
            return None
        return Role(found.role)

    def count(self) -> int:
        """How many users there are (none: the first admin is still to be made)."""
        return int(self.session.scalar(select(func.count(UserRow.id))) or 0)

    def list_(self, *, limit: int, offset: int) -> tuple[list[UserRecord], int]:
        """Users by id, a page at a time; and how many there are."""
        rows = self.session.scalars(
            select(UserRow).order_by(UserRow.id).limit(limit).offset(offset)
        ).all()
        return [_record(r) for r in rows], self.count()

    def add(
        self, *, email: str, password_hash: str, role: Role, created_at: datetime
    ) -> UserRecord:
        """A new active user."""
        row = UserRow(
            email=email,
            password_hash=password_hash,
            role=role.value,
            is_active=True,
            created_at=created_at,
        )
        self.session.add(row)
        self.session.flush()
        return _record(row)

    def update(
        self, user_id: int, *, role: Role | None = None, is_active: bool | None = None
    ) -> UserRecord | None:
        """Change a user's role or state (None leaves it); the user after, or None if unknown."""
        row = self.session.get(UserRow, user_id)
        if row is None:
            return None
        if role is not None:
            row.role = role.value
        if is_active is not None:
            row.is_active = is_active
        self.session.flush()
        return _record(row)

    def set_password(self, user_id: int, *, password_hash: str, is_active: bool = True) -> None:
        """Store a new password hash (and, by default, enable the account)."""
        self.session.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(password_hash=password_hash, is_active=is_active)
        )


def _record(row: UserRow) -> UserRecord:
    return UserRecord(
        id=row.id,
        email=row.email,
        role=Role(row.role),
        is_active=row.is_active,
        created_at=row.created_at,
    )
