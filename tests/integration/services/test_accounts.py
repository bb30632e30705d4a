"""Accounts, signing in and API keys as services, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from scoreline.api.rate_limit import LoginRateLimiter
from scoreline.domain.people import Principal, Role, Scope, scopes_of
from scoreline.errors import AuthError, ConflictError, NotFoundError, RateLimitedError
from scoreline.services import accounts, api_keys, sign_in, web_sessions
from scoreline.services.passwords import needs_rehash
from scoreline.services.tokens import TokenPair
from scoreline.storage.unit_of_work import UnitOfWork

PASSWORD = "correct horse battery staple"
SECRET = "s" * 48


def now() -> datetime:
    return datetime.now(UTC)


def log_in(
    unit_of_work: Callable[[], UnitOfWork],
    email: str,
    password: str,
    limiter: LoginRateLimiter | None = None,
) -> TokenPair:
    return sign_in.log_in(
        unit_of_work,
        limiter=limiter or LoginRateLimiter(),
        email=email,
        password=password,
        client="10.0.0.1",
        secret=SECRET,
        now=now(),
    )


def test_users_are_made_once_per_email_in_lower_case(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    made = accounts.create_user(
        unit_of_work, email=" Ann@Example.com ", password=PASSWORD, role=Role.TRADER
    )
    assert (made.email, made.role, made.is_active) == ("ann@example.com", Role.TRADER, True)
    with pytest.raises(ConflictError, match=r"ann@example\.com exists"):
        accounts.create_user(
            unit_of_work, email="ANN@example.com", password=PASSWORD, role=Role.VIEWER
        )
    with pytest.raises(ConflictError, match="users exist already"):
        accounts.bootstrap(unit_of_work, email="b@example.com", password=PASSWORD)
    assert accounts.get(unit_of_work, made.id) == made
    with pytest.raises(NotFoundError):
        accounts.get(unit_of_work, made.id + 1)


def test_reset_password_creates_the_user_then_replaces_its_password(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    first = accounts.reset_password(unit_of_work, email="demo@example.com", role=Role.ADMIN)
    assert log_in(unit_of_work, "demo@example.com", first).access_token
    second = accounts.reset_password(unit_of_work, email="demo@example.com", role=Role.VIEWER)
    assert second != first
    with pytest.raises(AuthError, match="wrong email or password"):
        log_in(unit_of_work, "demo@example.com", first)
    pair = log_in(unit_of_work, "demo@example.com", second)
    assert pair.refresh_token
    users, total = accounts.list_(unit_of_work, limit=10, offset=0)
    assert total == 1
    assert users[0].role == Role.ADMIN  # an existing user keeps its role


def test_disabling_ends_sessions_but_never_ones_own_account(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    admin = accounts.bootstrap(unit_of_work, email="a@example.com", password=PASSWORD)
    trader = accounts.create_user(
        unit_of_work, email="t@example.com", password=PASSWORD, role=Role.TRADER
    )
    token, _ = web_sessions.open_(unit_of_work, user_id=trader.id, now=now())
    assert web_sessions.user_of(unit_of_work, token, now=now()) == trader.id
    with pytest.raises(ConflictError, match="cannot disable yourself"):
        accounts.change(unit_of_work, caller_id=admin.id, user_id=admin.id, is_active=False)
    with pytest.raises(ConflictError, match="own admin role"):
        accounts.change(unit_of_work, caller_id=admin.id, user_id=admin.id, role=Role.VIEWER)
    changed = accounts.change(unit_of_work, caller_id=admin.id, user_id=trader.id, is_active=False)
    assert changed.is_active is False
    assert web_sessions.user_of(unit_of_work, token, now=now()) is None
    assert accounts.role_of(unit_of_work, trader.id) is None
    with pytest.raises(NotFoundError):
        accounts.change(unit_of_work, caller_id=admin.id, user_id=trader.id + 99, role=Role.ADMIN)


def test_failed_sign_ins_lock_the_email_and_address_then_a_success_resets(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    accounts.bootstrap(unit_of_work, email="a@example.com", password=PASSWORD)
    limiter = LoginRateLimiter(max_attempts=3)
    for _ in range(2):
        with pytest.raises(AuthError) as refused:
            log_in(unit_of_work, "a@example.com", "a wrong passphrase", limiter)
        assert refused.value.reason == "bad_password"
    assert log_in(unit_of_work, "a@example.com", PASSWORD, limiter).access_token  # resets
    for _ in range(3):
        with pytest.raises(AuthError):
            log_in(unit_of_work, "nobody@example.com", "a wrong passphrase", limiter)
    with pytest.raises(RateLimitedError) as locked:
        log_in(unit_of_work, "nobody@example.com", "a wrong passphrase", limiter)
    assert locked.value.retry_after_seconds > 0


def test_a_refresh_token_is_spent_once(unit_of_work: Callable[[], UnitOfWork]) -> None:
    accounts.bootstrap(unit_of_work, email="a@example.com", password=PASSWORD)
    pair = log_in(unit_of_work, "a@example.com", PASSWORD)
    renewed = sign_in.refresh(
        unit_of_work, refresh_token=pair.refresh_token, secret=SECRET, now=now()
    )
    assert renewed.refresh_jti != pair.refresh_jti
    with pytest.raises(AuthError, match="already used or revoked"):
        sign_in.refresh(unit_of_work, refresh_token=pair.refresh_token, secret=SECRET, now=now())
    sign_in.log_out(unit_of_work, refresh_token=renewed.refresh_token, secret=SECRET, now=now())
    with pytest.raises(AuthError, match="already used or revoked"):
        sign_in.refresh(unit_of_work, refresh_token=renewed.refresh_token, secret=SECRET, now=now())


def test_a_hash_made_with_other_parameters_is_replaced_at_sign_in(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    user = accounts.bootstrap(unit_of_work, email="a@example.com", password=PASSWORD)
    cheap = PasswordHasher.from_parameters(CHEAPEST).hash(PASSWORD)
    with unit_of_work() as uow:
        uow.users.set_password(user.id, password_hash=cheap)
        uow.commit()
    log_in(unit_of_work, "a@example.com", PASSWORD)
    with unit_of_work() as uow:
        login = uow.users.get_login("a@example.com")
    assert login is not None
    assert login.password_hash != cheap
    assert not needs_rehash(login.password_hash)


def test_a_key_grants_no_more_than_its_owners_role_of_the_moment(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    admin = accounts.bootstrap(unit_of_work, email="a@example.com", password=PASSWORD)
    trader = accounts.create_user(
        unit_of_work, email="t@example.com", password=PASSWORD, role=Role.TRADER
    )
    caller = sign_in_principal(trader.id, Role.TRADER)
    key, secret = api_keys.create(
        unit_of_work, caller=caller, name="bot", scopes=[Scope.READ, Scope.TRADE], now=now()
    )
    assert key.scopes == ("read", "trade")
    assert api_keys.authenticate(unit_of_work, secret, now=now()).scopes == {
        Scope.READ,
        Scope.TRADE,
    }
    accounts.change(unit_of_work, caller_id=admin.id, user_id=trader.id, role=Role.VIEWER)
    assert api_keys.authenticate(unit_of_work, secret, now=now()).scopes == {Scope.READ}
    mine, total = api_keys.list_mine(unit_of_work, owner_id=trader.id, limit=5, offset=0)
    assert total == 1
    assert mine[0].last_used_at is not None
    with pytest.raises(NotFoundError):
        api_keys.revoke_mine(unit_of_work, owner_id=admin.id, key_id=key.id, now=now())
    api_keys.revoke_any(unit_of_work, key_id=key.id, now=now())
    with pytest.raises(AuthError, match="revoked"):
        api_keys.authenticate(unit_of_work, secret, now=now())


def sign_in_principal(user_id: int, role: Role) -> Principal:
    return Principal(user_id, role, scopes_of(role), "token")
