"""Small inline SVG charts for self-contained HTML: no scripts, no external assets.

Three kinds, each returning one ``<svg>`` element as a string: ``line_chart``
(optionally filled to zero), ``bar_chart`` (grouped bars) and
``reliability_diagram`` (forecast against observed, with the diagonal). Colours
suit a dark page. Every piece of text is HTML-escaped here, so callers pass
plain strings. Hovering a bar or a reliability point shows its value through
an SVG ``<title>``, which needs no JavaScript.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

__all__ = [
    "Bars",
    "Curve",
    "Line",
    "bar_chart",
    "date_ticks",
    "line_chart",
    "nice_ticks",
    "reliability_diagram",
]

BACKGROUND = "#111827"
TEXT = "#e5e7eb"
MUTED = "#9ca3af"
GRID = "#1f2937"
AXIS = "#4b5563"

Tick = tuple[float, str]

_WIDTH, _HEIGHT = 720, 320
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 16, 52, 48
_CHAR_WIDTH = 6.8  # average width of a 12 px sans-serif character, for legend layout


@dataclass(frozen=True, slots=True)
class Line:
    """One series of a line chart; NaN values break the line."""

    name: str
    xs: Sequence[float]
    ys: Sequence[float]
    colour: str


@dataclass(frozen=True, slots=True)
class Bars:
    """One series of a grouped bar chart: a value per category, NaN for none."""

    name: str
    values: Sequence[float]
    colour: str


@dataclass(frozen=True, slots=True)
class Curve:
    """One model on a reliability diagram: a point per non-empty bin."""

    name: str
    predicted: Sequence[float]
    observed: Sequence[float]
    counts: Sequence[int]
    colour: str


@dataclass(frozen=True, slots=True)
class _Frame:
    """The plot area and its linear scales from data to pixels."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    width: int = _WIDTH
    height: int = _HEIGHT

    def x(self, value: float) -> float:
        low, high = self.x_range
        return _LEFT + (value - low) / (high - low) * (self.width - _LEFT - _RIGHT)

    def y(self, value: float) -> float:
        low, high = self.y_range
        return self.height - _BOTTOM - (value - low) / (high - low) * (self.height - _TOP - _BOTTOM)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values (steps of 1, 2, 2.5 or 5 x 10^n) covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    if high - low <= 1e-12 * max(abs(low), abs(high), 1.0):
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    start = math.floor(low / step + 1e-9) * step
    n_steps = math.ceil((high - start) / step - 1e-9)
    return [round(start + i * step, 12) for i in range(n_steps + 1)]


def date_ticks(first: date, last: date, count: int = 6) -> list[Tick]:
    """At most about ``count`` ticks at month starts (every 1, 2, 3, 6, 12, ... months)."""
    months = (last.year - first.year) * 12 + last.month - first.month
    if months < 2:
        return [(t, date.fromordinal(int(t)).isoformat()) for t in _day_ticks(first, last)]
    steps = (1, 2, 3, 6, 12, 24, 36, 60, 120)
    step = next((s for s in steps if months / s <= count), 12 * math.ceil(months / count / 12))
    # Month index counted from January of year 0; start at the first month start >= first.
    index = first.year * 12 + first.month - 1 + (first.day > 1)
    index += (-index) % step
    ticks: list[Tick] = []
    while (day := date(index // 12, index % 12 + 1, 1)) <= last:
        label = day.strftime("%Y") if step % 12 == 0 else day.strftime("%Y-%m")
        ticks.append((float(day.toordinal()), label))
        index += step
    return ticks


def _day_ticks(first: date, last: date) -> list[float]:
    if first == last:
        return [float(first.toordinal())]
    ticks = nice_ticks(first.toordinal(), last.toordinal())
    return [t for t in ticks if t == int(t) and first.toordinal() <= t <= last.toordinal()]


def line_chart(
    lines: Sequence[Line],
    *,
    title: str,
    x_label: str,
    y_label: str,
    x_ticks: Sequence[Tick] | None = None,
    fill: bool = False,
) -> str:
    """Lines over shared axes; with ``fill`` each is shaded down (or up) to zero."""
    xs = [x for line in lines for x in line.xs if math.isfinite(x)]
    ys = [y for line in lines for y in line.ys if math.isfinite(y)] + ([0.0] if fill else [])
    if not xs or not ys:
        return _empty(title)
    y_ticks = nice_ticks(min(ys), max(ys))
    x_values = [t for t, _ in x_ticks] if x_ticks else nice_ticks(min(xs), max(xs))
    x_range = (min(xs), max(xs)) if x_ticks else (x_values[0], x_values[-1])
    if x_range[0] == x_range[1]:
        x_range = (x_range[0] - 1, x_range[1] + 1)
    frame = _Frame(x_range, (y_ticks[0], y_ticks[-1]))
    ticks = list(x_ticks) if x_ticks else _labelled(x_values)
    parts = [_axes(frame, ticks, _labelled(y_ticks), x_label, y_label)]
    for line in lines:
        for segment in _segments(line.xs, line.ys):
            points = " ".join(f"{frame.x(x):.1f},{frame.y(y):.1f}" for x, y in segment)
            if fill:
                base = frame.y(0.0)
                first, last = frame.x(segment[0][0]), frame.x(segment[-1][0])
                parts.append(
                    f'<polygon points="{first:.1f},{base:.1f} {points} {last:.1f},{base:.1f}" '
                    f'fill="{line.colour}" fill-opacity="0.25" stroke="none"/>'
                )
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{line.colour}" '
                'stroke-width="2" stroke-linejoin="round"/>'
                if len(segment) > 1  # a lone point would be invisible as a line
                else f'<circle cx="{frame.x(segment[0][0]):.1f}" cy="{frame.y(segment[0][1]):.1f}" '
                f'r="3" fill="{line.colour}"/>'
            )
    legend = [(line.name, line.colour) for line in lines]
    return _svg(frame, title, legend, "".join(parts))


def bar_chart(
    categories: Sequence[str],
    bars: Sequence[Bars],
    *,
    title: str,
    y_label: str,
    from_zero: bool = True,
) -> str:
    """Grouped bars: one group per category, one bar per series.

    With ``from_zero=False`` the axis starts at a round value below the
    smallest bar, to show small differences; the title then says so.
    """
    values = [v for series in bars for v in series.values if math.isfinite(v)]
    if not categories or not values:
        return _empty(title)
    if from_zero:
        y_ticks = nice_ticks(min(0.0, *values), max(0.0, *values))
    else:
        span = max(values) - min(values) or abs(max(values)) or 1.0
        y_ticks = nice_ticks(min(values) - 0.25 * span, max(values))
    frame = _Frame((0.0, float(len(categories))), (y_ticks[0], y_ticks[-1]))
    x_ticks = [(i + 0.5, name) for i, name in enumerate(categories)]
    parts = [_axes(frame, x_ticks, _labelled(y_ticks), "", y_label, x_grid=False)]
    group = frame.x(1.0) - frame.x(0.0)
    width = group * 0.8 / max(len(bars), 1)
    base = frame.y(0.0 if from_zero else y_ticks[0])
    for i, name in enumerate(categories):
        for j, series in enumerate(bars):
            value = series.values[i] if i < len(series.values) else math.nan
            if not math.isfinite(value):
                continue
            left = frame.x(float(i)) + group * 0.1 + j * width
            top, bottom = sorted((frame.y(value), base))
            tip = _escape(f"{name} · {series.name}: {value:.4f}")
            parts.append(
                f'<rect x="{left:.1f}" y="{top:.1f}" width="{max(width - 2, 1):.1f}" '
                f'height="{bottom - top:.1f}" fill="{series.colour}">'
                f"<title>{tip}</title></rect>"
            )
    title_shown = title if from_zero else f"{title} (axis does not start at 0)"
    return _svg(frame, title_shown, [(b.name, b.colour) for b in bars], "".join(parts))


def reliability_diagram(curves: Sequence[Curve], *, title: str) -> str:
    """Observed frequency against mean forecast per bin; points sized by count."""
    ticks = _labelled([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    # 520 x 540 leaves a square plot area of 440 x 440.
    frame = _Frame((0.0, 1.0), (0.0, 1.0), width=520, height=540)
    parts = [
        _axes(frame, ticks, ticks, "mean forecast probability", "observed frequency"),
        f'<line x1="{frame.x(0):.1f}" y1="{frame.y(0):.1f}" x2="{frame.x(1):.1f}" '
        f'y2="{frame.y(1):.1f}" stroke="{MUTED}" stroke-dasharray="4 4"/>',
    ]
    largest = max((c for curve in curves for c in curve.counts), default=1) or 1
    for curve in curves:
        points = [
            (p, o, n)
            for p, o, n in zip(curve.predicted, curve.observed, curve.counts, strict=True)
            if math.isfinite(p) and math.isfinite(o) and n > 0
        ]
        if not points:
            continue
        path = " ".join(f"{frame.x(p):.1f},{frame.y(o):.1f}" for p, o, _ in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{curve.colour}" stroke-width="1.5"/>'
        )
        for p, o, n in points:
            tip = _escape(f"{curve.name}: forecast {p:.3f}, observed {o:.3f}, n = {n}")
            radius = 2.5 + 4.5 * math.sqrt(n / largest)
            parts.append(
                f'<circle cx="{frame.x(p):.1f}" cy="{frame.y(o):.1f}" r="{radius:.1f}" '
                f'fill="{curve.colour}" fill-opacity="0.8"><title>{tip}</title></circle>'
            )
    return _svg(frame, title, [(c.name, c.colour) for c in curves], "".join(parts))


def _segments(xs: Sequence[float], ys: Sequence[float]) -> list[list[tuple[float, float]]]:
    """Runs of finite points; a NaN ends a run."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if math.isfinite(x) and math.isfinite(y):
            runs[-1].append((x, y))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _labelled(values: Sequence[float]) -> list[Tick]:
    """Tick labels with the fewest decimals that show every value exactly."""
    decimals = next(
        (d for d in range(7) if all(abs(v * 10**d - round(v * 10**d)) < 1e-6 for v in values)),
        6,
    )
    return [(v, f"{v:.{decimals}f}") for v in values]


def _axes(
    frame: _Frame,
    x_ticks: Sequence[Tick],
    y_ticks: Sequence[Tick],
    x_label: str,
    y_label: str,
    *,
    x_grid: bool = True,
) -> str:
    left, right = frame.x(frame.x_range[0]), frame.x(frame.x_range[1])
    bottom, top = frame.y(frame.y_range[0]), frame.y(frame.y_range[1])
    parts = []
    for value, label in y_ticks:
        y = frame.y(value)
        stroke = AXIS if value == 0 and frame.y_range[0] < 0 else GRID
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="{stroke}"/>'
        )
        parts.append(
            f'<text x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{_escape(label)}</text>"
        )
    for value, label in x_ticks:
        x = frame.x(value)
        if x_grid:
            parts.append(
                f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" '
                f'stroke="{GRID}"/>'
            )
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 16:.1f}" text-anchor="middle" fill="{MUTED}">'
            f"{_escape(label)}</text>"
        )
    parts.append(
        f'<path d="M{left:.1f},{top:.1f} V{bottom:.1f} H{right:.1f}" fill="none" stroke="{AXIS}"/>'
    )
    if x_label:
        parts.append(
            f'<text x="{(left + right) / 2:.1f}" y="{frame.height - 10}" text-anchor="middle">'
            f"{_escape(x_label)}</text>"
        )
    middle = (top + bottom) / 2
    parts.append(
        f'<text transform="translate(16 {middle:.1f}) rotate(-90)" text-anchor="middle">'
        f"{_escape(y_label)}</text>"
    )
    return "".join(parts)


def _svg(frame: _Frame, title: str, legend: Sequence[tuple[str, str]], body: str) -> str:
    items: list[str] = []
    x = float(frame.width - _RIGHT)
    for name, colour in reversed(legend):
        x -= len(name) * _CHAR_WIDTH + 18
        items.append(
            f'<rect x="{x:.1f}" y="28" width="10" height="10" rx="2" fill="{colour}"/>'
            f'<text x="{x + 14:.1f}" y="37">{_escape(name)}</text>'
        )
        x -= 10
    return (
        f'<svg viewBox="0 0 {frame.width} {frame.height}" width="{frame.width}" '
        f'height="{frame.height}" role="img" font-family="system-ui, sans-serif" '
        f'font-size="12" fill="{TEXT}">'
        f"<title>{_escape(title)}</title>"
        f'<rect width="100%" height="100%" rx="6" fill="{BACKGROUND}"/>'
        f'<text x="{_LEFT}" y="20" font-size="14" font-weight="600">{_escape(title)}</text>'
        f"{''.join(items)}{body}</svg>"
    )


def _empty(title: str) -> str:
    frame = _Frame((0.0, 1.0), (0.0, 1.0))
    body = (
        f'<text x="{frame.width / 2:.1f}" y="{frame.height / 2:.1f}" text-anchor="middle" '
        f'fill="{MUTED}">no data</text>'
    )
    return _svg(frame, title, [], body)


def _escape(text: str) -> str:
    return html.escape(text, quote=True)
