"""A backtest as one self-contained HTML page: tables and inline SVG charts.

The page needs no network, no scripts and no other file: styles are inline and
the charts are drawn by ``_svg``. It holds, in order: the forecast metrics per
model, the betting summary, cumulative profit, the drawdown (underwater) curve,
a reliability diagram per model and the RPS of each model by league.

The ``report`` mapping::

    {"matches": int, "seconds": float,
     "models": {"dixon_coles": M, "ensemble": M, "market_prematch": M, "market_closing": M},
     "by_league": {"E0": {"dixon_coles": M, ...}, ...},
     "betting": {"bets": int, "staked": float, "profit": float, "roi": float,
                 "roi_ci95": [lo, hi], "max_drawdown": float, "clv_mean": float,
                 "clv_positive_share": float},
     "ece_binning": str,
     "paired_differences": {"ensemble-market_prematch": {"n": int, "rps": D, "log_loss": D}},
     "shadow_clv": {"model": str, "definition": str, "overall": S, "by_league": [S, ...]}}
    M = {"n": int, "rps": float, "log_loss": float, "brier": float, "ece": float}
    D = {"mean": float, "ci95": [lo, hi]}        (model minus market, per match)
    S = {"league": str, "market": str, "bucket": str, "n_bets": int, "mean": float,
         "ci95": [lo, hi], "bets_needed": int}

Money is in units, ratios (ROI, drawdown, CLV) are fractions shown as percents.
A missing or non-finite number is shown as a dash.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeGuard

from scoreline.errors import DataError
from scoreline.pricing.scoring import ReliabilityTable
from scoreline.services import _svg

__all__ = ["BacktestSeries", "ReliabilityBins", "render_backtest_html"]

MODEL_ORDER = ("dixon_coles", "ensemble", "market_prematch", "market_closing")
_COLOURS = {
    "ensemble": "#38bdf8",
    "dixon_coles": "#f472b6",
    "market_prematch": "#a3e635",
    "market": "#a3e635",
    "market_closing": "#fbbf24",
}
_SPARE_COLOURS = ("#c084fc", "#2dd4bf", "#fb923c", "#94a3b8")
_PROFIT_COLOUR = "#34d399"
_DRAWDOWN_COLOUR = "#f87171"

_STYLE = """
body { margin: 0; background: #030712; color: #e5e7eb;
       font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 760px; margin: 0 auto; padding: 24px 16px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 32px 0 8px; color: #f9fafb; }
p.lede { color: #9ca3af; margin: 0 0 16px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; border-bottom: 1px solid #1f2937; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { color: #9ca3af; font-weight: 600; }
td.best { color: #34d399; font-weight: 600; }
figure { margin: 16px 0; }
svg { max-width: 100%; height: auto; display: block; }
"""


@dataclass(frozen=True, slots=True)
class ReliabilityBins:
    """One model's calibration bins: mean forecast, observed frequency, forecasts per bin."""

    mean_predicted: Sequence[float]
    observed_frequency: Sequence[float]
    count: Sequence[int]

    @classmethod
    def from_table(cls, table: ReliabilityTable) -> ReliabilityBins:
        """The non-empty bins of a ``scoring.reliability_table``."""
        filled = table.counts > 0
        return cls(
            table.mean_predicted[filled].tolist(),
            table.observed_frequency[filled].tolist(),
            table.counts[filled].tolist(),
        )


@dataclass(frozen=True, slots=True)
class BacktestSeries:
    """What the charts draw; numbers are for display, so floats.

    Attributes
    ----------
    profit_dates, cumulative_profit
        Cumulative betting profit in units (not minor units) after each date.
    drawdown_dates, drawdown
        Fall of the bankroll below its running peak, as a fraction of the peak (>= 0).
    reliability
        Model name (e.g. ensemble, dixon_coles, market) to its calibration bins.
    rps_by_league
        League to model to mean RPS; when empty, taken from ``report["by_league"]``.

    Raises
    ------
    DataError
        When dates and values differ in length.
    """

    profit_dates: Sequence[date]
    cumulative_profit: Sequence[float]
    drawdown_dates: Sequence[date]
    drawdown: Sequence[float]
    reliability: Mapping[str, ReliabilityBins]
    rps_by_league: Mapping[str, Mapping[str, float]]

    def __post_init__(self) -> None:
        for dates, values, name in (
            (self.profit_dates, self.cumulative_profit, "cumulative_profit"),
            (self.drawdown_dates, self.drawdown, "drawdown"),
        ):
            if len(dates) != len(values):
                raise DataError(f"{name} has {len(values)} values for {len(dates)} dates")


def render_backtest_html(report: Mapping[str, Any], series: BacktestSeries) -> str:
    """The whole page for one backtest ``report`` (schema above) and its series."""
    models: Mapping[str, Mapping[str, float]] = report.get("models", {})
    betting: Mapping[str, Any] = report.get("betting", {})
    sections = [
        _section("Forecast quality", _metrics_table(models) + _note(report.get("ece_binning"))),
        *(
            [_section("Against the market, match by match", _paired_table(report))]
            if report.get("paired_differences")
            else []
        ),
        *([_section("Shadow CLV", _shadow_table(report))] if report.get("shadow_clv") else []),
        _section("Betting", _betting_table(betting)),
        _figure(_profit_chart(series)),
        _figure(_drawdown_chart(series)),
        _section("Calibration", _figure(_reliability_chart(series))),
        _section("RPS by league", _figure(_league_chart(report, series))),
    ]
    lede = (
        f"{_count(report.get('matches'))} matches, computed in "
        f"{_fixed(report.get('seconds'), 1)} s. Lower is better for every forecast score."
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Scoreline backtest</title>\n<style>{_STYLE}</style>\n</head>\n"
        f'<body>\n<main>\n<h1>Scoreline backtest</h1>\n<p class="lede">{_esc(lede)}</p>\n'
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )


def _metrics_table(models: Mapping[str, Mapping[str, float]]) -> str:
    columns = (("rps", "RPS"), ("log_loss", "Log loss"), ("brier", "Brier"), ("ece", "ECE"))
    names = _ordered(models)
    best = {
        key: min((v for n in names if _finite(v := models[n].get(key))), default=None)
        for key, _ in columns
    }  # the lowest score of each column is highlighted
    rows = []
    for name in names:
        cells = [f"<td>{_esc(name)}</td>", f"<td>{_count(models[name].get('n'))}</td>"]
        for key, _ in columns:
            value = models[name].get(key)
            mark = ' class="best"' if value is not None and value == best[key] else ""
            cells.append(f"<td{mark}>{_fixed(value, 4)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    header = "".join(f"<th>{_esc(label)}</th>" for label in ("Model", "n", *dict(columns).values()))
    return _table(header, rows)


def _paired_table(report: Mapping[str, Any]) -> str:
    """Mean per-match score difference (model minus market) with its paired bootstrap
    95% interval; below zero the model scored better."""
    pairs: Mapping[str, Mapping[str, Any]] = report.get("paired_differences", {})
    rows = []
    for pair, entry in pairs.items():
        cells = [f"<td>{_esc(pair.replace('-', ' − '))}</td>", f"<td>{_count(entry.get('n'))}</td>"]
        for score in ("rps", "log_loss"):
            figures = entry.get(score) or {}
            low, high = figures.get("ci95") or [None, None]
            cells.append(
                f"<td>{_fixed(figures.get('mean'), 5)}</td>"
                f"<td>{_fixed(low, 5)} to {_fixed(high, 5)}</td>"
            )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    labels = ("Pair", "n", "ΔRPS", "95% interval", "Δlog loss", "95% interval")
    note = _note("Paired bootstrap (2,000 resamples of matches); below zero the model is better.")
    return _table("".join(f"<th>{label}</th>" for label in labels), rows) + note


def _shadow_table(report: Mapping[str, Any]) -> str:
    """The bettor's shadow CLV overall and per league, with interval and bets needed."""
    shadow: Mapping[str, Any] = report.get("shadow_clv") or {}
    lines = [shadow["overall"], *shadow.get("by_league", [])] if shadow.get("overall") else []
    rows = []
    for line in lines:
        low, high = line.get("ci95") or [None, None]
        rows.append(
            f"<tr><td>{_esc(str(line.get('league')))}</td><td>{_count(line.get('n_bets'))}</td>"
            f"<td>{_percent(line.get('mean'))}</td>"
            f"<td>{_percent(low)} to {_percent(high)}</td>"
            f"<td>{_count(line.get('bets_needed'))}</td></tr>"
        )
    labels = ("League", "Bets", "Mean CLV", "95% interval", "Bets needed")
    header = "".join(f"<th>{label}</th>" for label in labels)
    return _table(header, rows) + _note(shadow.get("definition"))


def _note(text: object) -> str:
    return f'<p class="lede">{_esc(text)}</p>' if isinstance(text, str) else ""


def _betting_table(betting: Mapping[str, Any]) -> str:
    interval = betting.get("roi_ci95") or [None, None]
    lines = (
        ("Bets", _count(betting.get("bets"))),
        ("Staked (units)", _fixed(betting.get("staked"), 2)),
        ("Profit (units)", _fixed(betting.get("profit"), 2)),
        ("ROI", _percent(betting.get("roi"))),
        ("ROI 95% interval (bootstrap)", f"{_percent(interval[0])} to {_percent(interval[1])}"),
        ("Max drawdown (of peak)", _percent(betting.get("max_drawdown"))),
        ("Mean CLV", _percent(betting.get("clv_mean"))),
        ("Bets beating the close", _percent(betting.get("clv_positive_share"))),
    )
    rows = [f"<tr><td>{_esc(label)}</td><td>{value}</td></tr>" for label, value in lines]
    return _table("<th>Betting</th><th></th>", rows)


def _profit_chart(series: BacktestSeries) -> str:
    line = _svg.Line("profit", _days(series.profit_dates), series.cumulative_profit, _PROFIT_COLOUR)
    return _svg.line_chart(
        [line],
        title="Cumulative profit",
        x_label="date",
        y_label="units",
        x_ticks=_date_ticks(series.profit_dates),
    )


def _drawdown_chart(series: BacktestSeries) -> str:
    below = [-100 * value for value in series.drawdown]
    line = _svg.Line("drawdown", _days(series.drawdown_dates), below, _DRAWDOWN_COLOUR)
    return _svg.line_chart(
        [line],
        title="Drawdown (underwater curve)",
        x_label="date",
        y_label="% below peak",
        x_ticks=_date_ticks(series.drawdown_dates),
        fill=True,
    )


def _reliability_chart(series: BacktestSeries) -> str:
    curves = [
        _svg.Curve(name, bins.mean_predicted, bins.observed_frequency, bins.count, colour)
        for (name, bins), colour in zip(
            _ordered_items(series.reliability), _colours(series.reliability), strict=True
        )
    ]
    return _svg.reliability_diagram(curves, title="Reliability: forecast against outcome")


def _league_chart(report: Mapping[str, Any], series: BacktestSeries) -> str:
    by_league = series.rps_by_league or {
        league: {model: metrics.get("rps", math.nan) for model, metrics in models.items()}
        for league, models in report.get("by_league", {}).items()
    }
    leagues = sorted(by_league)
    names = _ordered({model: None for league in leagues for model in by_league[league]})
    bars = [
        _svg.Bars(name, [by_league[league].get(name, math.nan) for league in leagues], colour)
        for name, colour in zip(names, _colours(names), strict=True)
    ]
    return _svg.bar_chart(leagues, bars, title="RPS by league", y_label="RPS", from_zero=False)


def _ordered(names: Iterable[str]) -> list[str]:
    """The known models in house order, then any others alphabetically."""
    present = set(names)
    return [n for n in MODEL_ORDER if n in present] + sorted(present - set(MODEL_ORDER))


def _ordered_items(mapping: Mapping[str, ReliabilityBins]) -> list[tuple[str, ReliabilityBins]]:
    return [(name, mapping[name]) for name in _ordered(mapping)]


def _colours(names: Iterable[str]) -> list[str]:
    spare = iter(_SPARE_COLOURS * 4)
    return [_COLOURS.get(name) or next(spare) for name in _ordered(names)]


def _days(dates: Sequence[date]) -> list[float]:
    return [float(d.toordinal()) for d in dates]


def _date_ticks(dates: Sequence[date]) -> list[_svg.Tick] | None:
    return _svg.date_ticks(min(dates), max(dates)) if dates else None


def _section(title: str, body: str) -> str:
    return f"<section>\n<h2>{_esc(title)}</h2>\n{body}\n</section>"


def _figure(svg: str) -> str:
    return f"<figure>{svg}</figure>"


def _table(header: str, rows: Sequence[str]) -> str:
    return (
        f"<table>\n<thead><tr>{header}</tr></thead>\n<tbody>\n{''.join(rows)}\n</tbody>\n</table>"
    )


def _finite(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and math.isfinite(value)


def _count(value: object) -> str:
    return f"{value:,}" if isinstance(value, numbers.Integral) else "–"


def _fixed(value: object, digits: int) -> str:
    return f"{value:,.{digits}f}" if _finite(value) else "–"


def _percent(value: object) -> str:
    return f"{value:.2%}" if _finite(value) else "–"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)
