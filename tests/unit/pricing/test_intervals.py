"""The two CLV intervals against scipy and against their textbook properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from scoreline.pricing.intervals import mean_interval, share_interval, t_quantile_975


@pytest.mark.parametrize("df", [1, 2, 3, 7, 29, 30, 31, 45, 100, 1_000, 100_000])
def test_t_quantile_matches_scipy(df: int) -> None:
    assert t_quantile_975(df) == pytest.approx(float(stats.t.ppf(0.975, df)), abs=1e-6)


def test_t_quantile_needs_a_degree_of_freedom() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        t_quantile_975(0)


@given(st.lists(st.integers(-300, 300), min_size=2, max_size=60))
def test_mean_interval_matches_scipys_t_interval(cents: list[int]) -> None:
    values = [Decimal(c) / 1000 for c in cents]
    found = mean_interval(values)
    assert found is not None
    assert found.method == "t"
    floats = [float(v) for v in values]
    if len(set(floats)) == 1:
        assert found.low == found.high == values[0]
        return
    low, high = stats.t.interval(
        0.95, len(floats) - 1, loc=sum(floats) / len(floats), scale=stats.sem(floats)
    )
    assert float(found.low) == pytest.approx(low, abs=1e-6)
    assert float(found.high) == pytest.approx(high, abs=1e-6)


def test_mean_interval_needs_two_values() -> None:
    assert mean_interval([]) is None
    assert mean_interval([Decimal("0.02")]) is None


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_stays_in_the_unit_interval_and_holds_the_share(pair: tuple[int, int]) -> None:
    successes, n = pair
    found = share_interval(successes, n)
    assert found is not None
    assert found.method == "wilson"
    share = Decimal(successes) / n
    assert 0 <= found.low <= share <= found.high <= 1


def test_wilson_by_hand_and_at_the_edges() -> None:
    # 8 of 10, z = 1.959964: centre 0.7167, half width 0.2265.
    found = share_interval(8, 10)
    assert found is not None
    assert float(found.low) == pytest.approx(0.4902, abs=1e-4)
    assert float(found.high) == pytest.approx(0.9433, abs=1e-4)
    none = share_interval(0, 5)
    assert none is not None
    assert none.low == 0
    assert none.high > 0
    assert share_interval(0, 0) is None
