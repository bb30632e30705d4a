"""The backtest page: well-formed, self-contained, one chart each, the numbers shown."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pytest

from scoreline.errors import DataError
from scoreline.pricing.scoring import reliability_table
from scoreline.services import _svg
from scoreline.services.report_html import BacktestSeries, ReliabilityBins, render_backtest_html

VOID = {"meta", "br", "img", "input", "link", "hr", "source", "wbr", "col", "area", "base"}


def _metrics(n: int, rps: float) -> dict[str, float]:
    return {"n": n, "rps": rps, "log_loss": 0.9876, "brier": 0.5678, "ece": 0.0123}


REPORT: dict[str, Any] = {
    "matches": 3800,
    "seconds": 12.34,
    "models": {
        "dixon_coles": _metrics(3800, 0.2031),
        "ensemble": _metrics(3800, 0.2004),
        "market_prematch": _metrics(3800, 0.1987),
        "market_closing": _metrics(3800, 0.1979),
    },
    "by_league": {
        "E0": {"dixon_coles": _metrics(1900, 0.2011), "market_closing": _metrics(1900, 0.1950)},
        "D1": {"dixon_coles": _metrics(1900, 0.2051), "market_closing": _metrics(1900, 0.2008)},
    },
    "betting": {
        "bets": 412,
        "staked": 2345.67,
        "profit": 123.45,
        "roi": 0.0526,
        "roi_ci95": [-0.031, 0.137],
        "max_drawdown": 0.1834,
        "clv_mean": 0.0141,
        "clv_positive_share": 0.57,
    },
}


def _series(**overrides: Any) -> BacktestSeries:
    days = [date(2023, 8, 12) + timedelta(days=7 * i) for i in range(40)]
    profit = np.cumsum(np.sin(np.arange(40)) * 5 + 1).tolist()
    rng = np.random.default_rng(0)
    p = rng.dirichlet([4, 3, 3], size=300)
    outcomes = np.array([rng.choice(3, p=row) for row in p])
    bins = ReliabilityBins.from_table(reliability_table(p, outcomes))
    fields: dict[str, Any] = {
        "profit_dates": days,
        "cumulative_profit": profit,
        "drawdown_dates": days,
        "drawdown": [0.0, 0.05, 0.12, *[0.02] * 37],
        "reliability": {"ensemble": bins, "dixon_coles": bins, "market": bins},
        "rps_by_league": {},
    }
    fields.update(overrides)
    return BacktestSeries(**fields)


class _Page(HTMLParser):
    """Collects tags, attributes and text, and checks every element is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1:] == [tag], f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    return parser


def test_page_is_well_formed_with_one_svg_per_chart() -> None:
    parsed = _parse(render_backtest_html(REPORT, _series()))
    assert parsed.tags.count("svg") == 4
    assert parsed.tags.count("table") == 2


def test_page_needs_nothing_from_outside() -> None:
    page = render_backtest_html(REPORT, _series())
    parsed = _parse(page)
    links = [value or "" for name, value in parsed.attributes if name in {"src", "href"}]
    assert not any("http" in link for link in links)
    assert "<script" not in page
    assert "http" not in page


def test_page_shows_models_and_numbers() -> None:
    text = " ".join(_parse(render_backtest_html(REPORT, _series())).text)
    for name in ("dixon_coles", "ensemble", "market_prematch", "market_closing", "market"):
        assert name in text
    for number in ("3,800", "0.2031", "0.1979", "0.9876", "0.0123", "12.3"):
        assert number in text
    for number in ("412", "2,345.67", "123.45", "5.26%", "-3.10% to 13.70%", "18.34%", "57.00%"):
        assert number in text
    assert "E0" in text
    assert "D1" in text


def test_text_is_escaped() -> None:
    report = {**REPORT, "models": {"<b>x&y</b>": _metrics(10, 0.2)}}
    page = render_backtest_html(report, _series())
    assert "<b>x&y</b>" not in page
    assert "&lt;b&gt;x&amp;y&lt;/b&gt;" in page


def test_missing_numbers_and_series_still_render() -> None:
    report = {"matches": 0, "seconds": 0.5, "models": {}, "by_league": {}, "betting": {}}
    empty = _series(
        profit_dates=[], cumulative_profit=[], drawdown_dates=[], drawdown=[], reliability={}
    )
    parsed = _parse(render_backtest_html(report, empty))
    assert parsed.tags.count("svg") == 4
    assert "no data" in parsed.text


def test_series_lengths_must_match() -> None:
    with pytest.raises(DataError, match="drawdown has 1 values for 2 dates"):
        _series(drawdown_dates=[date(2024, 1, 1), date(2024, 1, 2)], drawdown=[0.1])


def test_reliability_bins_keep_the_non_empty_bins() -> None:
    table = reliability_table([[0.7, 0.2, 0.1]], [0], n_bins=10)
    bins = ReliabilityBins.from_table(table)
    assert list(bins.count) == [1, 1, 1]
    assert list(bins.mean_predicted) == pytest.approx([0.1, 0.2, 0.7])
    assert list(bins.observed_frequency) == [0.0, 0.0, 1.0]


def test_nice_ticks_are_round_and_cover_the_data() -> None:
    assert _svg.nice_ticks(0.0, 9.3) == [0.0, 2.5, 5.0, 7.5, 10.0]
    assert _svg.nice_ticks(-17.0, 3.0) == [-20.0, -15.0, -10.0, -5.0, 0.0, 5.0]


def test_date_ticks_fall_on_month_starts() -> None:
    ticks = _svg.date_ticks(date(2023, 8, 12), date(2024, 5, 19))
    assert [label for _, label in ticks] == ["2023-09", "2023-11", "2024-01", "2024-03", "2024-05"]
    assert ticks[0][0] == date(2023, 9, 1).toordinal()


def test_paired_differences_and_shadow_clv_are_shown_when_reported() -> None:
    shadow_line = {
        "market": "1x2",
        "bucket": "pre-match",
        "n_bets": 2500,
        "mean": -0.0123,
        "ci95": [-0.0150, -0.0096],
        "bets_needed": 310,
    }
    report = REPORT | {
        "ece_binning": "10 equal-width bins",
        "paired_differences": {
            "ensemble-market_prematch": {
                "n": 3800,
                "rps": {"mean": -0.00012, "ci95": [-0.00031, 0.00007]},
                "log_loss": {"mean": 0.00021, "ci95": [0.00002, 0.00040]},
            }
        },
        "shadow_clv": {
            "model": "ensemble",
            "definition": "close/p - 1",
            "overall": shadow_line | {"league": "all"},
            "by_league": [shadow_line | {"league": "E0"}],
        },
    }
    page = render_backtest_html(report, _series())
    parsed = _parse(page)
    assert parsed.tags.count("table") == 4
    text = " ".join(parsed.text)
    for shown in ("-0.00012", "-0.00031 to 0.00007", "0.00021", "-1.23%", "-1.50% to -0.96%"):
        assert shown in text, shown
    assert "310" in text
    assert "10 equal-width bins" in text
