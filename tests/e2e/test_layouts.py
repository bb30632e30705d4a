"""Every page of the dashboard at a phone's width and at desktop widths, in Chromium, against
one real platform holding a book with open, settled and external bets, a bookmaker account,
totals and Asian handicap prices.

On each page and width: no sideways page scroll (``scrollWidth <= innerWidth``); every table
either lies wholly within the viewport or scrolls inside its own labelled panel (with its
first column pinned when it does scroll); from 1280 px up no table needs its panel's
scrollbar at all (nothing clipped); axe-core finds nothing serious at 390 and 1440 px. A
screenshot of each goes to var/e2e, or to the folder SCORELINE_SHOTS names. The navigation,
the theme toggle, the in-app confirm dialog and the board's keyboard shortcuts are driven
here too.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from platform_fixtures import (
    ARTIFACTS,
    DESKTOP,
    PASSWORD,
    PHONE,
    SAMPLE_DATA,
    Platform,
    api_url,
    assert_fits,
    browser,
    csrf_headers,
    funded_portfolio,
    platform,
    serious_violations,
    sign_in_trader,
)
from playwright.sync_api import Browser, Page, ViewportSize, expect

__all__ = ["browser", "platform"]  # fixtures, imported for pytest

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

TRADER = "desk@example.com"
UPLOADED = SAMPLE_DATA / "D1" / "2021-2022.csv"  # another country's season: the board is unmoved
ADMIN = "admin@example.com"
WIDE: ViewportSize = {"width": 1920, "height": 1080}
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
WIDTHS = {390: PHONE, 1280: LAPTOP, 1440: DESKTOP, 1920: WIDE}

# Where a table sits: wholly in the viewport, or in a labelled panel that scrolls it sideways
# (its first column pinned when it does scroll); ``strict`` also refuses any sideways scroll
# inside a panel (nothing clipped on a wide screen).
TABLES_FIT = """
(strict) => {
  const width = window.innerWidth;
  const problems = [];
  for (const table of document.querySelectorAll('table')) {
    const box = table.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const caption = table.querySelector('caption')?.textContent;
    const name = (caption || table.getAttribute('aria-label') || 'a table').trim();
    let panel = table.parentElement;
    while (panel && panel !== document.body) {
      const overflow = getComputedStyle(panel).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') break;
      panel = panel.parentElement;
    }
    if (!panel || panel === document.body) {
      if (box.left < -0.5 || box.right > width + 0.5) {
        problems.push(`${name}: cut off, not in a scroll panel`);
      }
      continue;
    }
    if (!panel.getAttribute('aria-label') && !panel.getAttribute('aria-labelledby')) {
      problems.push(`${name}: its scroll panel has no label`);
    }
    const frame = panel.getBoundingClientRect();
    if (frame.left < -0.5 || frame.right > width + 0.5) {
      problems.push(`${name}: its panel leaves the viewport`);
    }
    const scrolls = panel.scrollWidth > panel.clientWidth + 1;
    if (scrolls && strict) {
      problems.push(`${name}: clipped (${panel.scrollWidth} > ${panel.clientWidth} px)`);
    }
    if (scrolls) {
      const first = table.querySelector('tbody tr > :first-child');
      if (first && getComputedStyle(first).position !== 'sticky') {
        problems.push(`${name}: scrolls without its first column pinned`);
      }
    }
  }
  return problems;
}
"""


@dataclass
class Desk:
    """The pages to visit, by name, and the ids they need."""

    platform: Platform
    portfolio: int
    open_bet: int
    settled_bet: int
    fixture: int


def _fixture_id(page: Page, platform: Platform, home: str, away: str) -> int:
    listed = page.request.get(
        api_url(platform, "/fixtures"), params={"status": "scheduled", "limit": 500}
    ).json()
    return next(
        int(f["id"]) for f in listed["items"] if (f["home_team"], f["away_team"]) == (home, away)
    )


def _more_markets(platform: Platform, home: str, away: str) -> None:
    """Totals and Asian handicap prices for a fixture, as a feed sends them."""
    captured = platform.captured_now().strftime("%Y-%m-%dT%H:%M:%SZ")
    kickoff = platform.kickoff.strftime("%Y-%m-%dT%H:%M:%SZ")
    records = [
        ("over_under", "2.5", {"over": "1.91", "under": "1.99"}),
        ("asian_handicap", "-0.25", {"home": "1.95", "away": "1.95"}),
    ]
    summary = platform.engine.submit(
        [
            {
                "type": "odds",
                "provider": "e2e",
                "competition": "E0",
                "home_team": home,
                "away_team": away,
                "kickoff": kickoff,
                "bookmaker": "PS",
                "market": market,
                "line": line,
                "prices": prices,
                "captured_at": captured,
                "kind": "prematch",
            }
            for market, line, prices in records
        ]
    )
    assert summary.stored == len(records), summary


def _place(page: Page, platform: Platform, portfolio: int, fixture: int, stake: int) -> int:
    odds = page.request.get(api_url(platform, f"/fixtures/{fixture}/odds")).json()
    snapshot = next(o for o in odds if o["market"] == "1x2" and o["bookmaker"] == "PS")
    placed = page.request.post(
        api_url(platform, f"/portfolios/{portfolio}/bets"),
        data={"odds_snapshot_id": snapshot["id"], "selection": "home", "stake_minor": stake},
        headers=csrf_headers(page),
    )
    assert placed.ok, placed.text()
    return int(placed.json()["id"])


@pytest.fixture(scope="module")
def desk(browser: Browser, platform: Platform) -> Desk:
    """A trader's book: an open bet on Arsenal v Chelsea, a settled one on Brighton v Fulham,
    a bet taken at Smarkets (Asian handicap) and its account; totals and handicap prices."""
    context = browser.new_context(base_url=platform.base_url, viewport=DESKTOP)
    page = context.new_page()
    sign_in_trader(page, platform, TRADER)
    portfolio = funded_portfolio(page, platform, "Desk book", 100_000)
    _more_markets(platform, "Arsenal", "Chelsea")
    arsenal = _fixture_id(page, platform, "Arsenal", "Chelsea")
    brighton = _fixture_id(page, platform, "Brighton", "Fulham")
    open_bet = _place(page, platform, portfolio, arsenal, 2_000)
    settled = _place(page, platform, portfolio, brighton, 5_000)
    account = page.request.post(
        api_url(platform, f"/portfolios/{portfolio}/bookmaker-accounts"),
        data={"name": "Smarkets", "balance_minor": 40_000, "max_stake_minor": 15_000},
        headers=csrf_headers(page),
    )
    assert account.ok, account.text()
    external = page.request.post(
        api_url(platform, f"/portfolios/{portfolio}/external-bets"),
        data={
            "fixture_id": arsenal,
            "market": "asian_handicap",
            "line": "-0.25",
            "selection": "home",
            "price": "1.95",
            "stake_minor": 3_000,
            "bookmaker": "Smarkets",
            "bookmaker_account_id": account.json()["id"],
        },
        headers=csrf_headers(page),
    )
    assert external.ok, external.text()
    platform.tick("Brighton", "Fulham", ("2.00", "3.50", "3.90"), kind="closing")
    platform.result("Brighton", "Fulham", 2, 0)
    deadline = time.monotonic() + 15
    while page.request.get(api_url(platform, f"/bets/{settled}")).json()["bet"]["status"] != (
        "settled"
    ):
        assert time.monotonic() < deadline, "the bet was not settled from the result"
        time.sleep(0.2)
    context.close()
    return Desk(platform, portfolio, open_bet, settled, arsenal)


def _context_page(browser: Browser, platform: Platform, email: str) -> Iterator[Page]:
    context = browser.new_context(base_url=platform.base_url, viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    answer = page.request.post(
        api_url(platform, "/auth/session"), data={"email": email, "password": PASSWORD}
    )
    assert answer.ok, answer.text()
    yield page
    assert errors == [], errors
    context.close()


@pytest.fixture(scope="module")
def trader(browser: Browser, desk: Desk) -> Iterator[Page]:
    """The trader's browser, signed in (one context for the module)."""
    yield from _context_page(browser, desk.platform, TRADER)


@pytest.fixture(scope="module")
def admin(browser: Browser, desk: Desk) -> Iterator[Page]:
    """The admin's browser, signed in."""
    yield from _context_page(browser, desk.platform, ADMIN)


def _settle(page: Page, ready: str) -> None:
    expect(page.locator(ready).first).to_be_visible(timeout=10_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)  # charts size themselves after the first frame


def check_page(page: Page, path: str, name: str, ready: str, widths: tuple[int, ...]) -> None:
    """Open ``path`` at each width: fits, tables placed, axe-clean, screenshot saved."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in widths:
        page.set_viewport_size(WIDTHS[width])
        page.goto(path)
        _settle(page, ready)
        label = f"{name} at {width} px"
        page.screenshot(path=str(ARTIFACTS / f"layout-{name}-{width}.png"), full_page=True)
        assert_fits(page, label)
        problems = page.evaluate(TABLES_FIT, width >= 1280)
        assert problems == [], f"{label}: {problems}"
        if width in (390, 1440):
            violations = serious_violations(page)
            assert violations == [], f"{label}: {violations}"


ALL = (390, 1280, 1440, 1920)
NARROW_AND_DESKTOP = (390, 1440)


def test_the_board_fits(trader: Page, desk: Desk) -> None:
    check_page(trader, "/", "board", "[data-testid=board-row]", ALL)


def test_the_fixture_page_fits(trader: Page, desk: Desk) -> None:
    check_page(trader, f"/fixtures/{desk.fixture}", "fixture", "h1", ALL)


def test_the_portfolio_fits(trader: Page, desk: Desk) -> None:
    check_page(trader, "/portfolio", "portfolio", "[data-testid=bet-row]", ALL)


def test_the_history_and_a_bets_page_fit(trader: Page, desk: Desk) -> None:
    check_page(trader, "/history", "history", "[data-testid=history-row]", ALL)
    check_page(trader, f"/bets/{desk.settled_bet}", "bet", "[data-testid=audit-snapshot]", ALL)


def test_the_accounts_page_fits(trader: Page, desk: Desk) -> None:
    check_page(trader, "/accounts", "accounts", "[data-testid=account-card]", ALL)


def test_the_performance_page_fits(trader: Page, desk: Desk) -> None:
    check_page(trader, "/performance", "performance", "[data-testid=chart-pnl]", ALL)


def test_model_health_fits(trader: Page, desk: Desk) -> None:
    check_page(trader, "/model-health", "model-health", "[data-testid=chart-reliability]", ALL)


def test_the_alerts_page_fits(trader: Page, desk: Desk) -> None:
    check_page(trader, "/alerts", "alerts", "form[aria-label='Alert settings']", ALL)


def test_the_admin_page_fits(admin: Page, desk: Desk) -> None:
    check_page(admin, "/admin", "admin", "[data-testid=worker-row]", ALL)
    # The platform's worker, from its heartbeat, serving the active version.
    row = admin.get_by_test_id("worker-row").filter(has_text="e2e-worker")
    expect(row.get_by_test_id("worker-state")).to_have_text("running")
    expect(row.get_by_test_id("worker-model")).to_have_text(re.compile(r"^dixon-coles \d{4}-"))


def test_sign_in_and_not_found_fit(browser: Browser, desk: Desk, trader: Page) -> None:
    check_page(trader, "/no-such-page", "not-found", "h1", NARROW_AND_DESKTOP)
    context = browser.new_context(base_url=desk.platform.base_url, viewport=PHONE)
    try:
        check_page(context.new_page(), "/sign-in", "sign-in", "form", NARROW_AND_DESKTOP)
    finally:
        context.close()


def test_the_api_docs_fit_a_phone(trader: Page, desk: Desk) -> None:
    trader.set_viewport_size(PHONE)
    trader.goto("/docs")
    expect(trader.get_by_text("/api/v1/board").first).to_be_visible(timeout=10_000)
    viewport = trader.locator("meta[name=viewport]")
    expect(viewport).to_have_attribute("content", re.compile("width=device-width"))
    assert_fits(trader, "/docs at 390 px")
    trader.screenshot(path=str(ARTIFACTS / "layout-docs-390.png"), full_page=True)


def test_the_navigation_is_a_menu_on_a_phone(admin: Page, desk: Desk) -> None:
    admin.set_viewport_size(PHONE)
    admin.goto("/")
    expect(admin.get_by_test_id("board-row").first).to_be_visible(timeout=10_000)
    menu = admin.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(admin.get_by_role("link", name="Model health")).to_be_hidden()
    menu.click()
    for name in ("Live board", "Portfolio", "History", "Accounts", "Performance", "Model health"):
        link = admin.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
    admin_link = admin.get_by_role("link", name="Admin", exact=True)
    box = admin_link.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    assert_fits(admin, "the open menu")
    admin.screenshot(path=str(ARTIFACTS / "layout-menu-390.png"), full_page=True)
    assert serious_violations(admin) == []
    admin_link.click()
    expect(admin).to_have_url(re.compile("/admin$"))
    expect(admin.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")


def test_the_board_and_the_bet_dialog_work_from_the_keyboard(trader: Page, desk: Desk) -> None:
    page = trader
    page.set_viewport_size(DESKTOP)
    page.goto(f"/?portfolio={desk.portfolio}")
    rows = page.get_by_test_id("board-row")
    expect(rows.first).to_be_visible(timeout=10_000)
    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_contain_text("Bet on the marked selection")
    page.screenshot(path=str(ARTIFACTS / "layout-shortcuts-1440.png"))
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()
    open_before = page.request.get(
        api_url(desk.platform, f"/portfolios/{desk.portfolio}/bets"), params={"status": "open"}
    ).json()["total"]
    # j marks the first fixture's first selection (Arsenal at 2.10, an edge): b opens the
    # dialog on it, Esc closes it, b again, type a stake, Enter places the bet.
    page.keyboard.press("j")
    first = rows.first
    expect(first).to_be_focused()
    expect(first.locator("td[data-active]")).to_have_attribute("data-label", "Arsenal")
    page.keyboard.press("l")
    expect(first.locator("td[data-active]")).to_have_attribute("data-label", "Draw")
    page.keyboard.press("h")
    page.keyboard.press("b")
    dialog = page.get_by_role("dialog", name="Place bet")
    expect(dialog).to_contain_text("Arsenal · Arsenal v Chelsea")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(first).to_be_focused()
    page.keyboard.press("b")
    expect(dialog.get_by_label(re.compile("Stake"))).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")  # over the suggested stake
    page.keyboard.type("5")
    page.screenshot(path=str(ARTIFACTS / "layout-bet-dialog-1440.png"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="placed")).to_be_visible(timeout=10_000)
    open_after = page.request.get(
        api_url(desk.platform, f"/portfolios/{desk.portfolio}/bets"), params={"status": "open"}
    ).json()["total"]
    assert open_after == open_before + 1


def test_voiding_asks_in_an_accessible_dialog(trader: Page, desk: Desk) -> None:
    page = trader
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto("/portfolio")
        row = page.locator(f"[data-testid=bet-row][data-bet-id='{desk.open_bet}']")
        expect(row).to_contain_text("Arsenal v Chelsea", timeout=10_000)
        row.get_by_role("button", name=f"Void bet {desk.open_bet}").click()
        asked = page.get_by_role("alertdialog", name=f"Void bet {desk.open_bet}?")
        expect(asked).to_contain_text("Match result · Arsenal on Arsenal v Chelsea")
        expect(asked.get_by_role("button", name="Cancel")).to_be_focused()
        page.screenshot(path=str(ARTIFACTS / f"layout-confirm-{viewport['width']}.png"))
        assert serious_violations(page) == []
        page.keyboard.press("Escape")
        expect(asked).to_be_hidden()
        expect(row).to_be_visible()
    row.get_by_role("button", name=f"Void bet {desk.open_bet}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Void bet").click()
    expect(row).to_be_hidden(timeout=10_000)
    bet = page.request.get(api_url(desk.platform, f"/bets/{desk.open_bet}")).json()["bet"]
    assert bet["status"] == "void"


def test_the_admin_status_tells_the_truth(admin: Page, desk: Desk) -> None:
    page = admin
    page.set_viewport_size(DESKTOP)
    page.goto("/admin")
    results = page.get_by_test_id("stream-row").filter(has_text=":results")
    # Settlement reads the results stream in the API process: its group is there, consumed.
    expect(results).to_contain_text("settlement", timeout=10_000)
    expect(results.get_by_role("cell").nth(3)).to_have_text("1")
    expect(results).not_to_contain_text("not created")
    upload = page.get_by_role("form", name="Upload football-data CSV")
    upload.get_by_label("Football-data CSV").set_input_files(str(UPLOADED))
    upload.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("ingest-report")).to_contain_text("loaded", timeout=30_000)
    files = page.get_by_test_id("source-file")
    # Listed by the name it was sent with, beside the file loaded at start, not a temp path.
    expect(files.filter(has_text=re.compile(f"^{UPLOADED.name}$"))).to_have_count(1, timeout=10_000)
    assert not [t for t in files.all_inner_texts() if "scoreline-upload" in t]
    page.screenshot(path=str(ARTIFACTS / "layout-admin-status-1440.png"), full_page=True)


def test_the_light_theme_keeps_its_contrast(trader: Page, desk: Desk) -> None:
    """The theme toggle, then axe on the pages with the most coloured figures (green and red
    on every surface): a light green once fell to 4.46:1 on the summary cards."""
    page = trader
    page.set_viewport_size(DESKTOP)
    page.goto("/performance")
    page.get_by_role("button", name="Light theme").click()
    try:
        expect(page.locator("html")).not_to_have_class(re.compile(r"\bdark\b"))
        for name, path, ready in (
            ("performance", "/performance", "[data-testid=chart-pnl]"),
            ("fixture", f"/fixtures/{desk.fixture}", "[data-testid^=market-]"),
        ):
            page.goto(path)
            _settle(page, ready)
            page.screenshot(path=str(ARTIFACTS / f"layout-{name}-light-1440.png"), full_page=True)
            violations = serious_violations(page)
            assert violations == [], f"{name}, light theme: {violations}"
    finally:
        page.get_by_role("button", name="Dark theme").click()
