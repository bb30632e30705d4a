"""The performance page in Chromium: the drawdown headline is the worst point of the API's
series, and the page fits a phone and a desktop without sideways scrolling.

A book loses a bet after a deposit made while the bet was open: the drawdown is
of the time-weighted equity (5,000 lost on 120,000: 4.2%), not of the money
paid in.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from platform_fixtures import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    Platform,
    Watched,
    assert_fits,
    browser,
    csrf_headers,
    platform,
    serious_violations,
    sign_in_trader,
    watched,
)
from playwright.sync_api import Page, expect

__all__ = ["browser", "platform", "watched"]  # fixtures, imported for pytest

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

EMAIL = "drawdown@example.com"


def _api(page: Page, platform: Platform, path: str) -> str:
    return f"{platform.base_url}/api/v1{path}"


def _losing_book(page: Page, platform: Platform) -> int:
    """1,000.00 paid in; 50.00 on Everton at Liverpool; 200.00 more paid in while it is open;
    Liverpool win 2-0. The portfolio id, once the bet is settled."""
    made = page.request.post(
        _api(page, platform, "/portfolios"), data={"name": "Drawdown"}, headers=csrf_headers(page)
    )
    assert made.ok, made.text()
    portfolio = int(made.json()["id"])
    deposit = _api(page, platform, f"/portfolios/{portfolio}/deposits")
    assert page.request.post(deposit, data={"amount_minor": 100_000}, headers=csrf_headers(page)).ok
    listed = page.request.get(
        _api(page, platform, "/fixtures"), params={"status": "scheduled", "limit": 500}
    )
    fixture = next(
        f["id"]
        for f in listed.json()["items"]
        if (f["home_team"], f["away_team"]) == ("Liverpool", "Everton")
    )
    odds = page.request.get(_api(page, platform, f"/fixtures/{fixture}/odds")).json()
    snapshot = next(o for o in odds if o["market"] == "1x2" and o["bookmaker"] == "PS")
    placed = page.request.post(
        _api(page, platform, f"/portfolios/{portfolio}/bets"),
        data={"odds_snapshot_id": snapshot["id"], "selection": "away", "stake_minor": 5_000},
        headers=csrf_headers(page),
    )
    assert placed.ok, placed.text()
    assert page.request.post(deposit, data={"amount_minor": 20_000}, headers=csrf_headers(page)).ok
    platform.result("Liverpool", "Everton", 2, 0)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        bets = page.request.get(_api(page, platform, f"/portfolios/{portfolio}/bets")).json()[
            "items"
        ]
        if bets and all(b["status"] == "settled" for b in bets):
            return portfolio
        time.sleep(0.2)
    pytest.fail("the bet was not settled from the result")


def _percent(fraction: Decimal) -> str:
    """The dashboard's formatPercent: one decimal and a percent sign."""
    return f"{fraction * 100:.1f}%"


def test_the_drawdown_headline_is_the_worst_point_of_the_series(
    watched: Watched, platform: Platform
) -> None:
    page = watched.page
    sign_in_trader(page, platform, EMAIL)
    portfolio = _losing_book(page, platform)
    performance = page.request.get(
        _api(page, platform, f"/portfolios/{portfolio}/performance")
    ).json()
    series = [Decimal(point["drawdown"]) for point in performance["drawdown"]]
    worst = max(series)
    assert Decimal(performance["max_drawdown"]) == worst
    assert worst == 1 - Decimal(115_000) / Decimal(120_000)  # 5,000 lost on 120,000 of equity
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.goto(f"/performance?portfolio={portfolio}")
        headline = page.get_by_test_id("figure-worst-drawdown")
        expect(headline).to_have_text(_percent(worst), timeout=10_000)
        expect(page.get_by_test_id("drawdown-worst")).to_have_text(_percent(worst))
        expect(page.get_by_test_id("figure-roi")).to_have_text("−4.17%")  # 1.0 then 115/120
        expect(page.get_by_test_id("figure-yield")).to_have_text("−100.00%")
        chart = page.get_by_test_id("chart-drawdown")
        ticks = chart.locator(".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value")
        expect(ticks.first).to_be_attached(timeout=10_000)
        labels = ticks.all_text_contents()
        assert len(labels) == len(set(labels)) > 1, labels  # no "0%, 0%, 1%"
        assert_fits(page, label)
        page.screenshot(path=str(ARTIFACTS / f"performance-drawdown-{label}.png"), full_page=True)
    assert serious_violations(page) == []
    assert watched.errors == [], watched.errors
