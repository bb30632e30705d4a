"""The gateway's security primitives: passwords, tokens, API keys, roles, the login limiter."""

from __future__ import annotations

import base64
import hashlib
import json
import pickle
import re
import threading
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from scoreline.api.rate_limit import LoginRateLimiter, RetryAfter
from scoreline.domain.people import Role, Scope, allowed, can
from scoreline.errors import AuthError, ConfigError, DataError
from scoreline.services.api_keys import (
    NewKey,
    ParsedKey,
    hash_api_key,
    new_api_key,
    parse_api_key,
    verify_api_key,
)
from scoreline.services.passwords import hash_password, needs_rehash, verify_password
from scoreline.services.tokens import Claims, TokenPair, decode_access, decode_refresh, issue_tokens

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SECRET = "test-signing-secret-0123456789-abcdefghijklmnop"
PASSWORD = "correct horse battery staple"


class FakeClock:
    """A clock that moves only when told."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


# -- passwords --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stored() -> str:
    """One real hash for the module: argon2id at full cost takes a fraction of a second."""
    return hash_password(PASSWORD)


def test_hash_then_verify_accepts_the_password(stored: str) -> None:
    assert verify_password(stored, PASSWORD) is True


def test_verify_refuses_a_wrong_password(stored: str) -> None:
    assert verify_password(stored, PASSWORD + "!") is False


def test_hash_is_argon2id_with_pinned_parameters(stored: str) -> None:
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in stored


@pytest.mark.parametrize(
    "bad_hash",
    ["", "not a hash", "$argon2id$v=19$m=65536,t=3,p=4$zz$zz", "$2b$12$bcrypt", "é"],
)
def test_verify_is_false_for_a_malformed_hash(bad_hash: str) -> None:
    assert verify_password(bad_hash, PASSWORD) is False


@pytest.mark.parametrize("plain", ["\ud800 lone surrogate!", "x" * 1025])
def test_verify_is_false_for_unencodable_or_overlong_input(stored: str, plain: str) -> None:
    assert verify_password(stored, plain) is False


def test_current_hash_needs_no_rehash(stored: str) -> None:
    assert needs_rehash(stored) is False


def test_hash_with_other_parameters_needs_rehash() -> None:
    old = PasswordHasher.from_parameters(CHEAPEST).hash(PASSWORD)
    assert verify_password(old, PASSWORD) is True  # still verifies, so login can rehash
    assert needs_rehash(old) is True


def test_malformed_hash_needs_rehash() -> None:
    assert needs_rehash("not a hash") is True


@pytest.mark.parametrize(
    ("plain", "rule"), [("x" * 11, "at least 12"), ("x" * 1025, "at most 1024")]
)
def test_length_rules_are_named(plain: str, rule: str) -> None:
    with pytest.raises(DataError, match=rule):
        hash_password(plain)


@pytest.mark.parametrize("length", [12, 1024])
def test_lengths_at_the_limits_are_accepted(length: int) -> None:
    plain = "y" * length
    assert verify_password(hash_password(plain), plain) is True


def test_unencodable_password_is_refused() -> None:
    with pytest.raises(DataError, match="UTF-8"):
        hash_password("\ud800 twelve chars or more")


# -- tokens ---------------------------------------------------------------------------


@pytest.fixture
def pair() -> TokenPair:
    return issue_tokens("42", "trader", secret=SECRET, now=NOW)


def test_access_token_round_trip(pair: TokenPair) -> None:
    claims = decode_access(pair.access_token, secret=SECRET, now=NOW)
    assert claims == Claims(
        subject="42",
        role=Role.TRADER,
        token_type="access",
        issued_at=NOW,
        expires_at=NOW + timedelta(minutes=15),
        jti=pair.access_jti,
    )
    assert pair.access_expires_at == claims.expires_at


def test_refresh_token_round_trip_carries_its_own_jti(pair: TokenPair) -> None:
    claims = decode_refresh(pair.refresh_token, secret=SECRET, now=NOW)
    assert claims.token_type == "refresh"
    assert claims.jti == pair.refresh_jti != pair.access_jti
    assert claims.expires_at == pair.refresh_expires_at == NOW + timedelta(days=14)


def test_each_issue_has_fresh_jtis() -> None:
    first = issue_tokens("42", "trader", secret=SECRET, now=NOW)
    second = issue_tokens("42", "trader", secret=SECRET, now=NOW)
    assert {first.access_jti, first.refresh_jti}.isdisjoint({second.access_jti, second.refresh_jti})


def test_token_has_the_documented_claims(pair: TokenPair) -> None:
    payload = jwt.decode(
        pair.access_token, SECRET, algorithms=["HS256"], options={"verify_exp": False}
    )
    assert set(payload) == {"sub", "role", "type", "iat", "exp", "jti"}
    assert jwt.get_unverified_header(pair.access_token)["alg"] == "HS256"


def test_access_token_is_valid_until_its_last_second(pair: TokenPair) -> None:
    almost = NOW + timedelta(minutes=15) - timedelta(microseconds=1)
    assert decode_access(pair.access_token, secret=SECRET, now=almost).subject == "42"


def test_access_token_expires_at_exp(pair: TokenPair) -> None:
    with pytest.raises(AuthError, match="access token expired at 2025-03-01T12:15:00Z") as info:
        decode_access(pair.access_token, secret=SECRET, now=NOW + timedelta(minutes=15))
    assert info.value.reason == "expired"


def test_refresh_token_expires_after_its_own_ttl() -> None:
    pair = issue_tokens("7", "viewer", secret=SECRET, now=NOW, refresh_ttl=timedelta(hours=1))
    later = NOW + timedelta(hours=1)
    with pytest.raises(AuthError, match="sign in again") as info:
        decode_refresh(pair.refresh_token, secret=SECRET, now=later)
    assert info.value.reason == "expired"


def test_refresh_token_used_as_access_is_wrong_type(pair: TokenPair) -> None:
    with pytest.raises(AuthError, match="a refresh token was sent where an access") as info:
        decode_access(pair.refresh_token, secret=SECRET, now=NOW)
    assert info.value.reason == "wrong_type"


def test_access_token_used_as_refresh_is_wrong_type(pair: TokenPair) -> None:
    with pytest.raises(AuthError, match="an access token was sent where a refresh") as info:
        decode_refresh(pair.access_token, secret=SECRET, now=NOW)
    assert info.value.reason == "wrong_type"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_tampered_payload_fails_the_signature(pair: TokenPair) -> None:
    header, payload, signature = pair.access_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = f"{header}.{_b64({**claims, 'role': 'admin'})}.{signature}"
    with pytest.raises(AuthError, match="signature does not match") as info:
        decode_access(forged, secret=SECRET, now=NOW)
    assert info.value.reason == "bad_signature"


def test_token_signed_with_another_secret_is_refused(pair: TokenPair) -> None:
    with pytest.raises(AuthError) as info:
        decode_access(pair.access_token, secret=SECRET[::-1], now=NOW)
    assert info.value.reason == "bad_signature"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "x" * 20 + ".." + "y" * 20])
def test_malformed_token_is_refused(token: str) -> None:
    with pytest.raises(AuthError, match="malformed") as info:
        decode_access(token, secret=SECRET, now=NOW)
    assert info.value.reason == "malformed"


def test_unsigned_token_is_refused() -> None:
    claims = {"sub": "1", "role": "admin", "type": "access", "iat": 0, "exp": 2**40, "jti": "j"}
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    with pytest.raises(AuthError, match="not signed with HS256") as info:
        decode_access(unsigned, secret=SECRET, now=NOW)
    assert info.value.reason == "malformed"


def _signed(**claims: object) -> str:
    base: dict[str, object] = {
        "sub": "1",
        "role": "viewer",
        "type": "access",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 60,
        "jti": "j",
    }
    return jwt.encode({k: v for k, v in {**base, **claims}.items() if v is not None}, SECRET)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"jti": None}, "lacks the 'jti' claim"),
        ({"role": "owner"}, "role 'owner', which does not exist"),
        ({"type": "id"}, "neither access nor refresh"),
        ({"exp": "tomorrow"}, "exp is not a number"),
        ({"sub": 5}, "invalid claims"),
    ],
)
def test_signed_token_with_bad_claims_is_refused(claims: dict[str, object], message: str) -> None:
    with pytest.raises(AuthError, match=message) as info:
        decode_access(_signed(**claims), secret=SECRET, now=NOW)
    assert info.value.reason == "bad_claims"


def test_short_secret_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="at least 32"):
        issue_tokens("1", "viewer", secret="short", now=NOW)


@pytest.mark.parametrize(
    ("subject", "role", "now", "message"),
    [
        ("1", "owner", NOW, "role 'owner' is not one of admin, trader, viewer"),
        ("", "viewer", NOW, "subject is empty"),
        ("1", "viewer", NOW.replace(tzinfo=None), "naive"),
    ],
)
def test_bad_issue_arguments_are_data_errors(
    subject: str, role: str, now: datetime, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        issue_tokens(subject, role, secret=SECRET, now=now)


def test_lifetime_must_be_positive() -> None:
    with pytest.raises(DataError, match="access_ttl"):
        issue_tokens("1", "viewer", secret=SECRET, now=NOW, access_ttl=timedelta(0))


def test_tokens_stay_out_of_repr(pair: TokenPair) -> None:
    assert pair.access_token not in repr(pair)
    assert pair.refresh_token not in repr(pair)


def test_auth_error_pickles_with_its_reason() -> None:
    error = pickle.loads(pickle.dumps(AuthError("token expired", reason="expired")))
    assert (str(error), error.reason) == ("token expired", "expired")


# -- API keys -------------------------------------------------------------------------

KEY_SHAPE = re.compile(r"sl_([a-z0-9]{8})_[A-Za-z0-9_-]{43}")


def test_new_key_has_the_documented_format() -> None:
    key = new_api_key()
    match = KEY_SHAPE.fullmatch(key.secret)
    assert match is not None
    assert match[1] == key.public_id
    assert key.key_hash == hashlib.sha256(key.secret.encode()).hexdigest()


def test_new_key_takes_another_prefix() -> None:
    key = new_api_key("slt")
    assert key.secret.startswith(f"slt_{key.public_id}_")
    assert parse_api_key(key.secret, prefix="slt").public_id == key.public_id


@pytest.mark.parametrize("prefix", ["", "s_l", "SL", "1sl", "x" * 17])
def test_new_key_refuses_an_ambiguous_prefix(prefix: str) -> None:
    with pytest.raises(DataError, match="prefix"):
        new_api_key(prefix)


def test_keys_are_distinct() -> None:
    keys = [new_api_key() for _ in range(200)]
    assert len({k.secret for k in keys}) == len({k.public_id for k in keys}) == 200


def test_parse_returns_public_id_and_whole_key() -> None:
    key = new_api_key()
    assert parse_api_key(key.secret) == ParsedKey(key.public_id, key.secret)


def test_parse_accepts_underscores_in_the_random_part() -> None:
    secret = "sl_ab12cd34_" + "_-" * 22
    assert parse_api_key(secret) == ("ab12cd34", secret)


VALID = "sl_ab12cd34_" + "A" * 43


@pytest.mark.parametrize(
    "secret",
    [
        "",
        "sl",
        "sl_ab12cd34",
        "sl_ab12cd3_" + "A" * 43,  # id too short
        "sl_AB12CD34_" + "A" * 43,  # id in upper case
        "sl_ab12cd34_" + "A" * 42,  # random part too short
        "sl_ab12cd34_" + "A" * 129,  # too long to be ours
        VALID + "\n",
        " " + VALID,
        VALID.replace("A", "=", 1),
        "Bearer " + VALID,
    ],
)
def test_parse_refuses_a_malformed_key(secret: str) -> None:
    with pytest.raises(AuthError, match="malformed") as info:
        parse_api_key(secret)
    assert info.value.reason == "bad_key"
    if len(secret) > 2:  # the message may name the expected prefix, never the key
        assert secret not in str(info.value)


def test_parse_refuses_another_issuers_prefix() -> None:
    with pytest.raises(AuthError, match="prefix 'sk', not 'sl'") as info:
        parse_api_key("sk" + VALID[2:])
    assert info.value.reason == "bad_key"


def test_verify_accepts_the_key_and_refuses_others() -> None:
    key, other = new_api_key(), new_api_key()
    assert verify_api_key(key.secret, key.key_hash) is True
    assert verify_api_key(other.secret, key.key_hash) is False
    assert verify_api_key(key.secret + "x", key.key_hash) is False


@pytest.mark.parametrize(("secret", "stored"), [("sl_é", hash_api_key("x")), ("x", "garbage")])
def test_verify_is_false_for_odd_input(secret: str, stored: str) -> None:
    assert verify_api_key(secret, stored) is False


def test_new_key_keeps_the_secret_out_of_repr() -> None:
    key = new_api_key()
    assert key.secret not in repr(key)
    assert isinstance(key, NewKey)


# -- roles and scopes -----------------------------------------------------------------

TABLE = {
    Role.ADMIN: {Scope.READ, Scope.TRADE, Scope.ADMIN},
    Role.TRADER: {Scope.READ, Scope.TRADE},
    Role.VIEWER: {Scope.READ},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Scope))
def test_role_table(role: Role, action: Scope) -> None:
    assert can(role, action) is (action in TABLE[role])


def test_role_and_scope_accept_their_stored_strings() -> None:
    assert can(Role("trader"), Scope("trade")) is True


def test_key_scopes_are_explicit_and_may_be_strings() -> None:
    assert allowed(["read", "trade"], Scope.TRADE) is True
    assert allowed({Scope.READ}, Scope.READ) is True
    assert allowed([Scope.ADMIN], Scope.READ) is False  # admin does not imply read
    assert allowed(["Read", "everything"], Scope.READ) is False
    assert allowed([], Scope.READ) is False


# -- login rate limiter, in memory ----------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def limiter(clock: FakeClock) -> LoginRateLimiter:
    return LoginRateLimiter(max_attempts=5, window=timedelta(minutes=15), clock=clock)


def _five_a_minute_apart(limiter: LoginRateLimiter, clock: FakeClock, key: str) -> None:
    for _ in range(5):
        assert limiter.hit(key) is None
        clock.advance(timedelta(minutes=1))


def test_five_attempts_pass_and_the_sixth_waits_for_the_first_to_age_out(
    limiter: LoginRateLimiter, clock: FakeClock
) -> None:
    _five_a_minute_apart(limiter, clock, "alice|10.0.0.1")  # at 0..4 min, now 5 min
    refused = limiter.hit("alice|10.0.0.1")
    assert refused == RetryAfter(timedelta(minutes=10))
    assert refused.seconds == 600


def test_window_slides(limiter: LoginRateLimiter, clock: FakeClock) -> None:
    _five_a_minute_apart(limiter, clock, "k")
    clock.advance(timedelta(minutes=10) - timedelta(seconds=1))  # 14:59 after the first
    assert limiter.hit("k") == RetryAfter(timedelta(seconds=1))
    clock.advance(timedelta(seconds=1))  # the first attempt has left the window
    assert limiter.hit("k") is None
    assert limiter.hit("k") == RetryAfter(timedelta(minutes=1))  # now the second must age out


def test_refused_attempts_do_not_extend_the_wait(
    limiter: LoginRateLimiter, clock: FakeClock
) -> None:
    _five_a_minute_apart(limiter, clock, "k")
    for _ in range(20):
        assert limiter.hit("k") is not None
    clock.advance(timedelta(minutes=10))
    assert limiter.hit("k") is None


def test_keys_are_counted_apart(limiter: LoginRateLimiter, clock: FakeClock) -> None:
    _five_a_minute_apart(limiter, clock, "alice|10.0.0.1")
    assert limiter.hit("alice|10.0.0.2") is None


def test_reset_forgets_the_attempts(limiter: LoginRateLimiter, clock: FakeClock) -> None:
    _five_a_minute_apart(limiter, clock, "k")
    limiter.reset("k")
    limiter.reset("never-seen")
    assert limiter.hit("k") is None


def test_concurrent_hits_allow_exactly_max_attempts(limiter: LoginRateLimiter) -> None:
    results: list[RetryAfter | None] = []
    lock = threading.Lock()

    def hammer() -> None:
        for _ in range(50):
            result = limiter.hit("k")
            with lock:
                results.append(result)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(None) == 5


def test_idle_keys_are_swept(limiter: LoginRateLimiter, clock: FakeClock) -> None:
    for i in range(1023):
        limiter.hit(f"user{i}")
    clock.advance(timedelta(minutes=15))
    limiter.hit("last")  # the 1024th hit sweeps
    assert list(limiter._attempts) == ["last"]


@pytest.mark.parametrize(("max_attempts", "window"), [(0, timedelta(minutes=1)), (5, timedelta(0))])
def test_limits_must_be_positive(max_attempts: int, window: timedelta) -> None:
    with pytest.raises(ConfigError):
        LoginRateLimiter(max_attempts=max_attempts, window=window)


@pytest.mark.parametrize(
    ("delay", "seconds"),
    [(timedelta(seconds=1.2), 2), (timedelta(seconds=3), 3), (timedelta(microseconds=1), 1)],
)
def test_retry_after_rounds_up_to_whole_seconds(delay: timedelta, seconds: int) -> None:
    assert RetryAfter(delay).seconds == seconds


def test_a_member_counts_once_so_a_key_counts_distinct_members(
    limiter: LoginRateLimiter,
) -> None:
    for email in ("a", "b", "a", "a", "c"):
        assert limiter.hit("emails:10.0.0.1", limit=3, member=email) is None
    assert limiter.hit("emails:10.0.0.1", limit=3, member="d") is not None
    assert limiter.hit("emails:10.0.0.1", limit=3, member="b") is None  # counted already


def test_a_limit_given_with_the_hit_wins_over_the_limiters_own(
    limiter: LoginRateLimiter,
) -> None:
    for _ in range(2):
        assert limiter.hit("account:a", limit=2) is None
    assert limiter.hit("account:a", limit=2) is not None


def test_forget_takes_one_attempt_back(limiter: LoginRateLimiter) -> None:
    for n in range(5):
        assert limiter.hit("k", member=f"attempt{n}") is None
    limiter.forget("k", "attempt3")
    limiter.forget("k", "never-counted")
    assert limiter.hit("k", member="attempt5") is None
    assert limiter.hit("k", member="attempt6") is not None
