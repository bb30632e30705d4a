"""Betting from the fixture page in Chromium: every priced line (here over/under 2.5 and an
Asian handicap line) shows its probability and best price and has a Bet button that opens the
board's bet dialog; the bet placed lands in the portfolio at that price. At a phone's and a
desktop's width, without sideways scrolling.

Lines the model prices but no bookmaker quotes wait behind a toggle.

The feed: the platform's 1X2 prices, then B365 quotes Liverpool v Everton over/under 2.5 at
2.40 / 1.65 and Liverpool -0.25 at 2.30 / 1.70. The worker's prediction prices every line;
the page's figures are checked against the API's own (probability to one decimal as a
percentage, price to two decimals).
"""

from __future__ import annotations

import re
import time
from typing import Any

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

EMAIL = "fixture-bets@example.com"


def _line_tick(platform: Platform, market: str, line: str, prices: dict[str, str]) -> None:
    """A B365 quote of one line of Liverpool v Everton, as a feed sends it."""
    home, away = "Liverpool", "Everton"
    summary = platform.engine.submit(
        [
            {
                "type": "odds",
                "provider": "e2e",
                "competition": "E0",
                "home_team": home,
                "away_team": away,
                "kickoff": platform.kickoff.isoformat().replace("+00:00", "Z"),
                "bookmaker": "B365",
                "market": market,
                "line": line,
                "prices": prices,
                "captured_at": platform.captured_now().isoformat().replace("+00:00", "Z"),
                "kind": "prematch",
            }
        ]
    )
    assert summary.stored == 1, summary


def _selection(page: Page, platform: Platform, fixture: int, key: tuple[str, str, str]) -> Any:
    """The API's figures for one selection of the fixture (what the page must show)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        row = page.request.get(api_url(platform, f"/board/fixtures/{fixture}")).json()
        for item in row["selections"]:
            if (item["market"], item["line"], item["selection"]) == key and item["best_price"]:
                return item
        time.sleep(0.2)
    pytest.fail(f"no priced {key} on fixture {fixture}")


def _lines_no_one_quotes_wait_behind_a_toggle(page: Page, platform: Platform, fixture: int) -> None:
    """The page lists 1X2 and the quoted lines (totals 2.5, handicap -0.25, both sides of
    each) until asked; the toggle names how many lines the model alone prices."""
    row = page.request.get(api_url(platform, f"/board/fixtures/{fixture}")).json()
    lines = {(s["market"], s["line"]) for s in row["selections"] if s["market"] != "1x2"}
    quoted = {(s["market"], s["line"]) for s in row["selections"] if s["best_price"]}
    hidden = len(lines - quoted)
    assert quoted >= {("over_under", "2.5"), ("asian_handicap", "-0.25")}
    assert hidden > 1, "the model prices lines no bookmaker quotes"
    page.set_viewport_size(PHONE)
    page.goto(f"/fixtures/{fixture}")
    rows = page.locator("[data-testid^=market-]")
    expect(rows).to_have_count(3 + 2 * len(lines & quoted), timeout=10_000)
    toggle = page.get_by_role("button", name=f"Show {hidden} more lines no bookmaker quotes")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(rows).to_have_count(len(row["selections"]))
    expect(page).to_have_url(re.compile(r"[?&]lines=all"))
    assert_fits(page, "fixture page, every line, phone")


def test_bets_on_totals_and_handicap_lines_from_the_fixture_page(
    watched: Watched, platform: Platform
) -> None:
    page = watched.page
    sign_in_trader(page, platform, EMAIL)
    portfolio = funded_portfolio(page, platform, "Lines", 100_000)
    listed = page.request.get(
        api_url(platform, "/fixtures"), params={"status": "scheduled", "limit": 500}
    ).json()
    fixture = next(
        f["id"]
        for f in listed["items"]
        if (f["home_team"], f["away_team"]) == ("Liverpool", "Everton")
    )
    _line_tick(platform, "over_under", "2.5", {"over": "2.40", "under": "1.65"})
    _line_tick(platform, "asian_handicap", "-0.25", {"home": "2.30", "away": "1.70"})
    cases = [  # viewport, (market, line, selection), the name the page gives it, stake
        ("phone", PHONE, ("asian_handicap", "-0.25", "home"), "Liverpool −0.25", "12.50"),
        ("desktop", DESKTOP, ("over_under", "2.5", "over"), "Over 2.5", "20.00"),
    ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    placed: list[tuple[str, str, str, str, int]] = []
    for label, viewport, key, name, stake in cases:
        expected = _selection(page, platform, fixture, key)
        price = f"{float(expected['best_price']):.2f}"
        probability = f"{expected['probability'] * 100:.1f}%"
        page.set_viewport_size(viewport)
        page.goto(f"/fixtures/{fixture}")
        market, line, selection = key
        row = page.get_by_test_id(f"market-{market}-{line}-{selection}")
        expect(row.get_by_test_id("best-price")).to_have_text(price, timeout=10_000)
        expect(row.get_by_test_id("probability")).to_have_text(probability)
        assert probability != "—"
        # The history lists changes, each with what moved it; counts are in words.
        expect(page.get_by_test_id("prediction-summary")).to_contain_text("stored prediction")
        expect(page.get_by_test_id("prediction-row").last).to_contain_text("First prediction")
        expect(page.get_by_text("1 snapshots")).to_have_count(0)
        assert_fits(page, f"fixture page, {label}")
        page.screenshot(path=str(ARTIFACTS / f"fixture-bet-{label}.png"), full_page=True)
        assert serious_violations(page) == []
        row.get_by_role("button", name=f"Bet {name} at {price}").click()
        dialog = page.get_by_role("dialog", name="Place bet")
        expect(dialog.get_by_test_id("bet-price")).to_have_text(price)
        expect(dialog).to_contain_text(f"{name} · Liverpool v Everton")
        dialog.get_by_label("Portfolio").select_option(str(portfolio))
        dialog.get_by_label("Stake (EUR)").fill(stake)
        assert_fits(page, f"bet dialog, {label}")
        page.screenshot(path=str(ARTIFACTS / f"fixture-bet-dialog-{label}.png"), full_page=True)
        dialog.get_by_role("button", name="Place bet").click()
        expect(page.get_by_role("status").filter(has_text="placed")).to_contain_text(
            f"{name} · Liverpool v Everton at {price}", timeout=10_000
        )
        placed.append(
            (
                market,
                line,
                selection,
                f"{float(expected['best_price']):.4f}",
                round(float(stake) * 100),
            )
        )
    _lines_no_one_quotes_wait_behind_a_toggle(page, platform, fixture)
    bets = page.request.get(api_url(platform, f"/portfolios/{portfolio}/bets")).json()["items"]
    assert sorted(
        (b["market"], b["line"], b["selection"], b["odds"], b["stake_minor"]) for b in bets
    ) == sorted(placed)
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.goto("/portfolio")
        rows = page.get_by_test_id("bet-row")
        expect(rows).to_have_count(2, timeout=10_000)
        expect(page.get_by_test_id("bet-row").filter(has_text="Over 2.5")).to_contain_text("2.40")
        expect(page.get_by_test_id("bet-row").filter(has_text="Liverpool −0.25")).to_contain_text(
            "2.30"
        )
        assert_fits(page, f"portfolio, {label}")
        page.screenshot(path=str(ARTIFACTS / f"fixture-bet-portfolio-{label}.png"), full_page=True)
    assert watched.errors == [], watched.errors
