"""The bet history in Chromium: a settled bet stays in the history with its close and CLV, links
to its own page with its audit snapshots, and both pages fit a phone and a desktop without
sideways scrolling.

The book: 1,000.00 paid in; 50.00 on Brighton to beat Fulham at PS's 2.10; PS closes
Brighton at 2.00 (a CLV of 2.10 / 2.00 - 1 = +5.00%); Brighton win 2-0 (P&L +55.00).
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
    api_url,
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

EMAIL = "history@example.com"


def _settled_bet(page: Page, platform: Platform) -> tuple[int, int]:
    """The book above, once its bet is settled: the portfolio id and the bet id."""
    made = page.request.post(
        api_url(platform, "/portfolios"), data={"name": "History"}, headers=csrf_headers(page)
    )
    assert made.ok, made.text()
    portfolio = int(made.json()["id"])
    deposit = page.request.post(
        api_url(platform, f"/portfolios/{portfolio}/deposits"),
        data={"amount_minor": 100_000},
        headers=csrf_headers(page),
    )
    assert deposit.ok, deposit.text()
    listed = page.request.get(
        api_url(platform, "/fixtures"), params={"status": "scheduled", "limit": 500}
    )
    fixture = next(
        f["id"]
        for f in listed.json()["items"]
        if (f["home_team"], f["away_team"]) == ("Brighton", "Fulham")
    )
    odds = page.request.get(api_url(platform, f"/fixtures/{fixture}/odds")).json()
    snapshot = next(o for o in odds if o["market"] == "1x2" and o["bookmaker"] == "PS")
    placed = page.request.post(
        api_url(platform, f"/portfolios/{portfolio}/bets"),
        data={"odds_snapshot_id": snapshot["id"], "selection": "home", "stake_minor": 5_000},
        headers=csrf_headers(page),
    )
    assert placed.ok, placed.text()
    platform.tick("Brighton", "Fulham", ("2.00", "3.50", "3.90"), kind="closing")
    platform.result("Brighton", "Fulham", 2, 0)
    bet = int(placed.json()["id"])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        answer = page.request.get(api_url(platform, f"/bets/{bet}")).json()
        if answer["bet"]["status"] == "settled":
            return portfolio, bet
        time.sleep(0.2)
    pytest.fail("the bet was not settled from the result")


def test_a_settled_bet_stays_in_the_history_with_its_clv(
    watched: Watched, platform: Platform
) -> None:
    page = watched.page
    sign_in_trader(page, platform, EMAIL)
    portfolio, bet = _settled_bet(page, platform)
    line = page.request.get(api_url(platform, f"/portfolios/{portfolio}/history")).json()["items"][
        0
    ]
    assert (line["id"], Decimal(line["clv"]), line["profit_minor"]) == (bet, Decimal("0.05"), 5_500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.goto(f"/history?portfolio={portfolio}&status=settled")
        row = page.locator(f"[data-testid=history-row][data-bet-id='{bet}']")
        expect(row).to_be_visible(timeout=10_000)
        expect(row.get_by_test_id("history-clv")).to_have_text("+5.00%")
        expect(row.get_by_test_id("history-close")).to_have_text("2.00 (own book)")
        expect(row.get_by_test_id("history-pnl")).to_have_text("+€55.00")
        expect(page.get_by_role("region", name="Bet history")).to_be_visible()
        assert_fits(page, f"history, {label}")
        page.screenshot(path=str(ARTIFACTS / f"bet-history-{label}.png"), full_page=True)
        assert serious_violations(page) == []
        row.get_by_role("link", name="Brighton v Fulham").click()
        expect(page.get_by_test_id("bet-clv")).to_have_text("+5.00%", timeout=10_000)
        snapshots = page.get_by_test_id("audit-snapshot")
        expect(snapshots).to_have_count(2)
        assert [s.get_attribute("data-kind") for s in snapshots.all()] == ["placed", "settled"]
        assert_fits(page, f"bet page, {label}")
        page.screenshot(path=str(ARTIFACTS / f"bet-page-{label}.png"), full_page=True)
        assert serious_violations(page) == []
    assert watched.errors == [], watched.errors
