"""User accounts: the first admin, users made by admins or by ``scoreline up``, roles, state.

Emails are stored lower-case and trimmed, so ``Ann@Example.com`` signs in as
``ann@example.com``. Disabling an account ends its browser sessions in the same
transaction; its access tokens stop working as soon as each API process next
reads the account (within ``api.authenticator.USER_MEMO_SECONDS``).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from scoreline.domain.people import Role, UserRecord
from scoreline.errors import ConflictError, NotFoundError
from scoreline.services.passwords import hash_password
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = [
    "bootstrap",
    "change",
    "create_user",
    "get",
    "list_",
    "normal_email",
    "reset_password",
    "role_of",
    "setup_state",
]


def normal_email(email: str) -> str:
    """An email as stored: trimmed and lower-case."""
    return email.strip().lower()


def _now() -> datetime:
    return datetime.now(UTC)


def create_user(
    unit_of_work: UnitOfWorkFactory, *, email: str, password: str, role: Role
) -> UserRecord:
    """A new active user.

    Raises
    ------
    ConflictError
        If a user with this email exists.
    DataError
        If the password breaks a length rule (``services.passwords``).
    """
    email = normal_email(email)
    digest = hash_password(password)  # before the transaction: it takes a tenth of a second
    with unit_of_work() as uow:
        if uow.users.get_by_email(email) is not None:
            raise ConflictError(f"a user with email {email} exists")
        user = uow.users.add(email=email, password_hash=digest, role=Role(role), created_at=_now())
        uow.commit()
    return user


def bootstrap(unit_of_work: UnitOfWorkFactory, *, email: str, password: str) -> UserRecord:
    """The first user, as admin; ``ConflictError`` once any user exists."""
    digest = hash_password(password)
    with unit_of_work() as uow:
        if uow.users.count():
            raise ConflictError("users exist already; an admin creates the others")
        user = uow.users.add(
            email=normal_email(email), password_hash=digest, role=Role.ADMIN, created_at=_now()
        )
        uow.commit()
    return user


def reset_password(unit_of_work: UnitOfWorkFactory, *, email: str, role: Role) -> str:
    """Create the user, or enable it with a fresh random password; the password, to print.

    For ``scoreline up``'s demo users. An existing user keeps its role.
    """
    password = secrets.token_urlsafe(12)
    email = normal_email(email)
    digest = hash_password(password)
    with unit_of_work() as uow:
        user = uow.users.get_by_email(email)
        if user is None:
            uow.users.add(email=email, password_hash=digest, role=Role(role), created_at=_now())
        else:
            uow.users.set_password(user.id, password_hash=digest, is_active=True)
        uow.commit()
    return password


def get(unit_of_work: UnitOfWorkFactory, user_id: int) -> UserRecord:
    """One user; ``NotFoundError`` if there is none."""
    with unit_of_work() as uow:
        user = uow.users.get(user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    return user


def role_of(unit_of_work: UnitOfWorkFactory, user_id: int) -> Role | None:
    """The role of an active user; None when the account is gone or disabled."""
    with unit_of_work() as uow:
        return uow.users.role_of(user_id)


def setup_state(
    unit_of_work: UnitOfWorkFactory, *, user_id: int | None = None
) -> tuple[bool, UserRecord | None]:
    """Whether the first admin is still to be made, and the user ``user_id`` names (if any)."""
    with unit_of_work() as uow:
        user = None if user_id is None else uow.users.get(user_id)
        return uow.users.count() == 0, user


def list_(
    unit_of_work: UnitOfWorkFactory, *, limit: int, offset: int
) -> tuple[list[UserRecord], int]:
    """Users by id, a page at a time; and how many there are."""
    with unit_of_work() as uow:
        return uow.users.list_(limit=limit, offset=offset)


def change(
    unit_of_work: UnitOfWorkFactory,
    *,
    caller_id: int,
    user_id: int,
    role: Role | None = None,
    is_active: bool | None = None,
) -> UserRecord:
    """Change a user's role or state; a disabled user's sessions end in the same commit.

    Raises
    ------
    ConflictError
        If an admin would disable themselves or drop their own admin role (the
        platform would risk having no admin left).
    NotFoundError
        If there is no such user.
    """
    if user_id == caller_id and (is_active is False or role not in {None, Role.ADMIN}):
        raise ConflictError("you cannot disable yourself or drop your own admin role")
    with unit_of_work() as uow:
        user = uow.users.update(user_id, role=role, is_active=is_active)
        if user is None:
            raise NotFoundError(f"user {user_id} not found")
        if is_active is False:
            uow.web_sessions.revoke_all(user_id=user_id, at=_now())
        uow.commit()
    return user
