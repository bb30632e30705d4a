"""Match and fixture frames, pandas or polars, turned into checked numpy columns.

Models see frames; this module is the one place that knows both libraries. Every
problem is a ``DataError`` naming the frame, the column and the first bad row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import polars as pl

from scoreline.errors import DataError

__all__ = ["FixtureColumns", "FrameLike", "MatchColumns", "fixture_columns", "match_columns"]

FrameLike: TypeAlias = pd.DataFrame | pl.DataFrame

_MATCH_COLUMNS = ("date", "home_team", "away_team", "home_goals", "away_goals")
_FIXTURE_COLUMNS = ("home_team", "away_team")


@dataclass(frozen=True, slots=True)
class MatchColumns:
    """Finished matches as arrays of shape (n_matches,)."""

    date: npt.NDArray[np.datetime64]  # datetime64[D]
    home_team: npt.NDArray[np.object_]  # str
    away_team: npt.NDArray[np.object_]
    home_goals: npt.NDArray[np.int64]
    away_goals: npt.NDArray[np.int64]
    neutral: npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class FixtureColumns:
    """Fixtures to price, as arrays of shape (n_fixtures,)."""

    home_team: npt.NDArray[np.object_]
    away_team: npt.NDArray[np.object_]
    neutral: npt.NDArray[np.bool_]


def match_columns(frame: FrameLike) -> MatchColumns:
    """Check a frame of finished matches and return its columns."""
    table = _Table(frame, "matches", _MATCH_COLUMNS)
    home, away = table.teams()
    return MatchColumns(
        date=table.dates("date"),
        home_team=home,
        away_team=away,
        home_goals=table.goals("home_goals"),
        away_goals=table.goals("away_goals"),
        neutral=table.flags("neutral"),
    )


def fixture_columns(frame: FrameLike) -> FixtureColumns:
    """Check a frame of fixtures; ``date``, if present, must be valid but is not used."""
    table = _Table(frame, "fixtures", _FIXTURE_COLUMNS)
    home, away = table.teams()
    if "date" in table.names:
        table.dates("date")
    return FixtureColumns(home_team=home, away_team=away, neutral=table.flags("neutral"))


class _Table:
    """One frame of either library, read column by column."""

    def __init__(self, frame: object, label: str, required: tuple[str, ...]) -> None:
        if not isinstance(frame, pd.DataFrame | pl.DataFrame):
            raise DataError(
                f"{label} must be a pandas or polars DataFrame, got {type(frame).__name__}"
            )
        self.frame: FrameLike = frame
        self.label = label
        self.names = [str(name) for name in frame.columns]
        missing = [name for name in required if name not in self.names]
        if missing:
            raise DataError(
                f"{label}: missing column(s) {', '.join(missing)}; "
                f"expected {', '.join(required)} (optional: neutral)"
            )
        if len(frame) == 0:
            raise DataError(f"{label} has no rows")

    def _series(self, name: str) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]:
        """The column as numpy values, and where it is missing."""
        if isinstance(self.frame, pl.DataFrame):
            series = self.frame.get_column(name)
            missing = series.is_null().to_numpy()
            if series.dtype.is_float():
                missing = missing | series.is_nan().fill_null(False).to_numpy()
            return series.to_numpy(), missing
        column = self.frame[name]
        return column.to_numpy(), column.isna().to_numpy()

    def _fail(self, name: str, bad: npt.NDArray[np.bool_], problem: str) -> None:
        if bad.any():
            rows = np.flatnonzero(bad)
            raise DataError(
                f"{self.label}: column '{name}' has {len(rows)} {problem} "
                f"(first at row {rows[0]}); fix or drop those rows"
            )

    def teams(self) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
        home, away = (self._names(name) for name in ("home_team", "away_team"))
        self._fail("away_team", home == away, "rows where a team plays itself")
        return home, away

    def _names(self, name: str) -> npt.NDArray[np.object_]:
        if isinstance(self.frame, pl.DataFrame):
            series = self.frame.get_column(name)
            self._fail(name, series.is_null().to_numpy(), "missing values")
            text = series.cast(pl.String)
            empty = (text.str.len_chars() == 0).to_numpy()
            names = text.to_numpy()
        else:
            column = self.frame[name]
            self._fail(name, column.isna().to_numpy(), "missing values")
            strings = column if pd.api.types.is_string_dtype(column) else column.astype(str)
            empty = (strings.str.len() == 0).to_numpy()
            names = strings.to_numpy(dtype=object)
        self._fail(name, empty, "empty team names")
        return np.asarray(names, dtype=object)

    def goals(self, name: str) -> npt.NDArray[np.int64]:
        values, missing = self._series(name)
        self._fail(name, missing, "missing values")
        try:
            numbers = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DataError(f"{self.label}: column '{name}' must hold whole numbers") from exc
        self._fail(name, ~np.isfinite(numbers), "values that are not finite")
        self._fail(name, numbers < 0, "negative values")
        self._fail(name, numbers != np.floor(numbers), "values that are not whole numbers")
        return numbers.astype(np.int64)

    def flags(self, name: str) -> npt.NDArray[np.bool_]:
        if name not in self.names:
            return np.zeros(len(self.frame), dtype=np.bool_)
        values, missing = self._series(name)
        self._fail(name, missing, "missing values")
        if values.dtype == np.bool_:
            return np.asarray(values, dtype=np.bool_)
        try:
            numbers = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DataError(f"{self.label}: column '{name}' must be boolean or 0/1") from exc
        self._fail(name, (numbers != 0) & (numbers != 1), "values other than true/false or 0/1")
        return np.equal(numbers, 1.0)

    def dates(self, name: str) -> npt.NDArray[np.datetime64]:
        if isinstance(self.frame, pl.DataFrame):
            series = self.frame.get_column(name)
            self._fail(name, series.is_null().to_numpy(), "missing values")
            try:
                if series.dtype == pl.String:
                    series = series.str.to_date()
                elif isinstance(series.dtype, pl.Datetime) and series.dtype.time_zone:
                    series = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
                series = series.cast(pl.Date)
            except pl.exceptions.PolarsError as exc:
                raise DataError(f"{self.label}: column '{name}' must hold dates") from exc
            return series.to_numpy().astype("datetime64[D]")
        column = self.frame[name]
        self._fail(name, column.isna().to_numpy(), "missing values")
        try:
            parsed = pd.to_datetime(column, utc=True)
        except (TypeError, ValueError) as exc:
            raise DataError(f"{self.label}: column '{name}' must hold dates") from exc
        naive = parsed.dt.tz_localize(None).to_numpy()
        return naive.astype("datetime64[D]")
