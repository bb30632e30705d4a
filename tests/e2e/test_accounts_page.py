"""The accounts page in Chromium: a bet taken at another bookmaker is recorded from the
dashboard, the match is played, and the page shows it settled, paid, and credited to its
account; the page fits a phone and a desktop without sideways scrolling."""

from __future__ import annotations

import time

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
    funded_portfolio,
    platform,
    serious_violations,
    sign_in_trader,
    watched,
)
from playwright.sync_api import Page, expect

__all__ = ["browser", "platform", "watched"]  # fixtures, imported for pytest

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

EMAIL = "anywhere@example.com"


def _trader_with_a_book(page: Page, platform: Platform) -> int:
    """A trader signed in (a cookie session, as the page has) with 1,000.00 paid in."""
    sign_in_trader(page, platform, EMAIL)
    return funded_portfolio(page, platform, "Anywhere", 100_000)


def test_a_bet_recorded_from_another_bookmaker_settles(
    watched: Watched, platform: Platform
) -> None:
    page = watched.page
    portfolio = _trader_with_a_book(page, platform)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.goto("/accounts")

    account = page.get_by_role("form", name="Add an account")
    account.get_by_label("Bookmaker").fill("Smarkets")
    account.get_by_label("Balance (EUR)").fill("400")
    account.get_by_label("Max stake (EUR)").fill("150")
    account.get_by_role("button", name="Add account").click()
    card = page.get_by_test_id("account-card")
    expect(card).to_contain_text("€400.00", timeout=10_000)
    expect(card).to_contain_text("€150.00")

    form = page.get_by_role("form", name="Record a bet")
    form.get_by_label("Fixture").select_option(label="Arsenal v Chelsea")
    form.get_by_label("Market").select_option("asian_handicap")
    form.get_by_label("Selection").select_option("home")
    form.get_by_label("Line").fill("-0.75")
    form.get_by_label("Bookmaker").fill("Smarkets")
    form.get_by_label("Price obtained").fill("1.95")
    form.get_by_label("Stake (EUR)").fill("100")
    form.get_by_role("button", name="Record bet").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded", timeout=10_000)
    bet = page.get_by_test_id("recent-bet").first
    expect(bet).to_contain_text("Smarkets · Asian handicap · Arsenal −0.75 at 1.95")
    expect(bet).to_contain_text("€100.00 · open")
    page.screenshot(path=str(ARTIFACTS / "accounts-recorded-desktop.png"), full_page=True)

    platform.result("Arsenal", "Chelsea", 2, 1)  # won by one: half won at 1.95, half pushed
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        bets = page.request.get(api_url(platform, f"/portfolios/{portfolio}/bets")).json()["items"]
        if bets and all(b["status"] == "settled" for b in bets):
            break
        time.sleep(0.2)
    else:
        pytest.fail("the recorded bet was not settled from the result")

    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.goto("/accounts")
        bet = page.get_by_test_id("recent-bet").first
        expect(bet).to_contain_text("settled (half won) · paid €147.50", timeout=10_000)
        expect(page.get_by_test_id("account-profit")).to_have_text("+€47.50 · 1 settled")
        assert_fits(page, label)
        page.screenshot(path=str(ARTIFACTS / f"accounts-settled-{label}.png"), full_page=True)
    assert serious_violations(page) == []
    assert watched.errors == [], watched.errors
