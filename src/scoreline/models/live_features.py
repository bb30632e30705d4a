"""Live base features: the backtest's walk kept alive and stepped as results and fixtures arrive.

``build_features`` steps a fresh ``State`` (``models._form``) over a whole
history, one kick-off day at a time. ``LiveFeatures`` keeps such a state alive
for the fixtures of a database, so a new fixture or a new result costs a few
array operations instead of a walk over every match ever played; the rows it
gives are those ``build_features`` gives on the same fixtures (the same
``State.step`` and ``derive``, on the same rows in the same order: within a day,
by kick-off then fixture id, the order ``FixtureRepository.history`` reads).

The state is stepped through the *last played day* L, the latest kick-off day
with a result; every fixture of a day up to L, played or not, was read on its
day and its row is final. Unplayed fixtures after L are *pending*: they read the
state after L (``State.read_ahead``), and are read again once the state moves.

What a change costs (``update``):

- a pending fixture, new or moved, whose teams are both rated: one read;
- a pending fixture with a team never met before: the pending fixtures are read
  again (a newcomer is rated on its first day, which may be any pending day);
- a result on a day after L: the days from L to it are stepped, then the
  pending fixtures are read again when next asked for;
- a result or a fixture on day L itself (another match of the last day): the
  state is put back to before L (a copy kept when L was stepped, a few arrays
  of one row per team) and L is stepped again with every match of the day;
- anything older than L (a late result of an earlier day, a fixture moved into
  the past): everything is rebuilt from the stored rows. That is the simple
  honest answer: stepping back further would need a copy of the state for
  every day, and late results are rare next to the once-a-day flow.

A fixture leaving the history (an awarded match) is not noticed here; the
caller rebuilds.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoreline.errors import DataError
from scoreline.models._form import RAW_WIDTH, State, derive
from scoreline.models.features import (
    DC_COLUMNS,
    FEATURE_COLUMNS,
    FeatureConfig,
    check_history,
    coded_matches,
    kickoff_days,
    static_columns,
)

__all__ = ["Change", "LiveFeatures"]

FloatArray = npt.NDArray[np.float64]

_POSITION = {name: i for i, name in enumerate(FEATURE_COLUMNS)}
_NO_DAY = -(2**62)


class Change(StrEnum):
    """What ``LiveFeatures.update`` had to do."""

    NOTHING = "nothing"  # every row was known as it is
    READ = "read"  # pending fixtures were read from the state
    STEPPED = "stepped"  # the state was stepped over new days (or the last one again)
    REBUILT = "rebuilt"  # something older than the last played day changed


class LiveFeatures:
    """Feature rows (``FEATURE_COLUMNS``) of every fixture given, kept point in time.

    Rows are given as a frame with a ``fixture_id`` column and the history columns
    ``build_features`` reads (``date``, ``league``, ``season``, ``home_team``,
    ``away_team``, ``home_goals``, ``away_goals``; NaN goals mark an unplayed
    fixture). The market columns come from the rows' own prices when they have any
    (the serving table overwrites them), the Dixon-Coles ones from ``dixon_coles``.
    """

    def __init__(self, config: FeatureConfig | None = None) -> None:
        self.config = config or FeatureConfig()
        self._clear([])

    def _clear(self, columns: Sequence[str]) -> None:
        self._columns = list(columns)
        self._state = State(self.config)
        self._before_last: State | None = None  # the state before day _last was stepped
        self._last = _NO_DAY  # the last stepped day: the last day with a result
        self._records: dict[int, tuple[Hashable, ...]] = {}
        self._day: dict[int, int] = {}
        self._kickoff: dict[int, int] = {}  # ns since 1970, for the order within a day
        self._played: dict[int, bool] = {}
        self._days: dict[int, set[int]] = {}  # kick-off day -> fixture ids
        self._pending: set[int] = set()  # unplayed fixtures after _last
        self._stale = False  # pending rows must be read again
        self._index: dict[int, int] = {}  # fixture id -> row of _values
        self._values: FloatArray = np.empty((0, len(FEATURE_COLUMNS)))

    # -- reads ----------------------------------------------------------------------------

    @property
    def fixtures(self) -> int:
        """How many fixtures have a row."""
        return len(self._index)

    def __contains__(self, fixture_id: object) -> bool:
        return fixture_id in self._index

    @property
    def last_played_day(self) -> pd.Timestamp | None:
        """The last kick-off day (UTC midnight) with a result; None before any."""
        if self._last == _NO_DAY:
            return None
        return pd.Timestamp(self._last, unit="D", tz="UTC")

    def pending(self) -> list[int]:
        """Unplayed fixtures after the last played day (their rows move with new results)."""
        return sorted(self._pending)

    def unplayed(self) -> list[int]:
        """Every fixture without a result, pending or not."""
        return sorted(f for f, played in self._played.items() if not played)

    def latest_id(self) -> int:
        """The highest fixture id held (0 when none)."""
        return max(self._index, default=0)

    def rows(self, fixture_ids: Sequence[int]) -> FloatArray:
        """Feature rows of fixtures, shape (n, len(FEATURE_COLUMNS)), a copy.

        Raises
        ------
        KeyError
            A fixture is not held.
        """
        if self._stale and any(f in self._pending for f in fixture_ids):
            self._read(sorted(self._pending))
        return self._values[[self._index[f] for f in fixture_ids]]

    # -- changes --------------------------------------------------------------------------

    def rebuild(self, history: pd.DataFrame, *, dixon_coles: pd.DataFrame | None = None) -> None:
        """Start again from ``history``, every fixture of the database (any order)."""
        check_history(history)
        if "fixture_id" not in history.columns:
            raise DataError("live features need a 'fixture_id' column in the history")
        self._clear([str(c) for c in history.columns])
        if history.empty:
            return
        self._take(history, dixon_coles, _records(history))
        self._walk_all(history)

    def update(self, history: pd.DataFrame, *, dixon_coles: pd.DataFrame | None = None) -> Change:
        """Take new or changed fixtures (same columns as the rebuild's; rows known as they are
        are skipped) and bring every row up to date; what that took (module docstring)."""
        if history.empty:
            return Change.NOTHING
        if not self._columns:
            self.rebuild(history, dixon_coles=dixon_coles)
            return Change.REBUILT
        if list(history.columns) != self._columns:
            raise DataError(
                f"live features: the update has columns {list(history.columns)},"
                f" the rebuild had {self._columns}"
            )
        records = _records(history)
        pairs = zip(_ids(history), records, strict=True)
        changed = [i for i, (f, r) in enumerate(pairs) if self._records.get(f) != r]
        if not changed:
            return Change.NOTHING
        history = history.iloc[changed]
        fresh = _ids(history)
        touched = [self._day[f] for f in fresh if f in self._day]
        self._take(history, dixon_coles, [records[i] for i in changed])
        earliest = min([*touched, *(self._day[f] for f in fresh)])
        if earliest < self._last:
            self._rebuild_from_records()
            return Change.REBUILT
        latest = max([self._last, *(self._day[f] for f in fresh if self._played[f])])
        if earliest == self._last:
            if self._before_last is None:  # no copy of the state before that day
                self._rebuild_from_records()
                return Change.REBUILT
            # Another match of the last stepped day: step that day again, all of it.
            self._state, self._before_last = self._before_last, None
            self._advance(self._last, latest)
            return Change.STEPPED
        if latest > self._last:
            self._advance(self._last + 1, latest)
            return Change.STEPPED
        if not self._stale and not self._meets_newcomers(fresh):
            self._read(fresh)
        else:
            self._stale = True
        return Change.READ

    # -- steps ----------------------------------------------------------------------------

    def _take(
        self,
        history: pd.DataFrame,
        dixon_coles: pd.DataFrame | None,
        records: list[tuple[Hashable, ...]],
    ) -> None:
        """Store the rows (``records``: ``_records(history)``), index them by day and write
        their own columns (market, Dixon-Coles)."""
        ids = _ids(history)
        days = kickoff_days(history).tolist()
        kickoffs = _nanoseconds(history["date"]).tolist()
        goals = history[["home_goals", "away_goals"]].to_numpy(dtype=np.float64)
        played = (~np.isnan(goals).all(axis=1)).tolist()
        for f, record, day, kickoff, is_played in zip(
            ids, records, days, kickoffs, played, strict=True
        ):
            old = self._day.get(f)
            if old is not None:
                self._days[old].discard(f)
            self._records[f], self._day[f], self._kickoff[f] = record, day, kickoff
            self._played[f] = is_played
            self._days.setdefault(day, set()).add(f)
            if not is_played and day > self._last:
                self._pending.add(f)
            else:
                self._pending.discard(f)
        new = [f for f in ids if f not in self._index]
        if new:
            start = len(self._index)
            self._index.update({f: start + i for i, f in enumerate(new)})
            needed = len(self._index)
            if needed > len(self._values):
                room = max(needed, len(self._values) + len(self._values) // 8 + 1024)
                grown = np.full((room, len(FEATURE_COLUMNS)), np.nan)
                grown[: len(self._values)] = self._values
                self._values = grown
        rows = np.fromiter((self._index[f] for f in ids), dtype=np.intp, count=len(ids))
        for name, column in static_columns(history, dixon_coles):
            self._values[rows, _POSITION[name]] = column

    def _latest_played(self) -> int:
        """The latest kick-off day with a result (``_NO_DAY`` when none)."""
        return max((self._day[f] for f, played in self._played.items() if played), default=_NO_DAY)

    def _walk_all(self, history: pd.DataFrame) -> None:
        """Step a fresh state over every day up to the last played one, from ``history``
        itself (every stored row) rather than a frame made again from the records."""
        last = self._latest_played()
        if last == _NO_DAY:
            self._advance(_NO_DAY, last)
            return
        order = np.lexsort((history["fixture_id"].to_numpy(), _nanoseconds(history["date"])))
        ordered = history.iloc[order]
        self._advance(_NO_DAY, last, ordered[kickoff_days(ordered) <= last])

    def _advance(self, first: int, last: int, frame: pd.DataFrame | None = None) -> None:
        """Step every day from ``first`` to ``last`` (a copy kept before ``last``), write
        their rows, and leave the fixtures after ``last`` pending, to be read again.
        ``frame``, when given, holds those days' rows by kick-off then fixture id."""
        if last == _NO_DAY:  # no result at all: every fixture is pending
            self._stale = bool(self._pending)
            return
        if frame is None:
            days = sorted(d for d in self._days if first <= d <= last)
            frame = self._frame([f for d in days for f in self._days[d]])
        m = coded_matches(frame, self._state)
        raw = np.full((len(frame), RAW_WIDTH), np.nan)
        for start, end in m.day_starts():
            if m.day[start] == last:
                self._before_last = self._state.copy()
            self._state.step(m, start, end, raw)
        self._write(frame, m.order, raw, m.day, m.at_home)
        self._last = last
        self._pending = {f for f in self._pending if self._day[f] > last}
        self._stale = bool(self._pending)

    def _read(self, ids: Sequence[int]) -> None:
        """Read pending fixtures from the state (``State.read_ahead``)."""
        if ids:
            frame = self._frame(ids)
            m = coded_matches(frame, self._state)
            raw = np.full((len(frame), RAW_WIDTH), np.nan)
            self._state.read_ahead(m, raw)
            self._write(frame, m.order, raw, m.day, m.at_home)
        if len(ids) == len(self._pending):
            self._stale = False

    def _meets_newcomers(self, ids: Sequence[int]) -> bool:
        """Whether any of these fixtures has a team the state has not rated."""
        teams = self._state.keys["team"]
        home, away = self._columns.index("home_team"), self._columns.index("away_team")
        for f in ids:
            record = self._records[f]
            for name in (record[home], record[away]):
                code = teams.get(str(name))
                if code is None or math.isnan(self._state.elo[code]):
                    return True
        return False

    def _rebuild_from_records(self) -> None:
        """Walk every stored row again (the Dixon-Coles columns are kept: they are the
        fitted model's forecast of the pair, not the walk's)."""
        old_index, old_values = self._index, self._values
        frame = self._frame(sorted(self._records))
        self._clear(self._columns)
        self._take(frame, None, _records(frame))
        ids = list(old_index)
        new_rows = [self._index[f] for f in ids]
        old_rows = [old_index[f] for f in ids]
        for name in DC_COLUMNS:
            self._values[new_rows, _POSITION[name]] = old_values[old_rows, _POSITION[name]]
        self._values[new_rows, _POSITION["dc_goal_diff"]] = old_values[
            old_rows, _POSITION["dc_goal_diff"]
        ]
        self._walk_all(frame)

    def _frame(self, ids: Iterable[int]) -> pd.DataFrame:
        """The stored rows of fixtures, by kick-off then fixture id."""
        ordered = sorted(ids, key=lambda f: (self._kickoff[f], f))
        frame = pd.DataFrame.from_records(
            [self._records[f] for f in ordered], columns=self._columns
        )
        frame["date"] = pd.to_datetime(frame["date"].astype(np.int64), unit="ns", utc=True)
        for column in ("home_goals", "away_goals"):
            frame[column] = pd.to_numeric(frame[column]).astype(np.float64)
        return frame

    def _write(
        self,
        frame: pd.DataFrame,
        order: npt.NDArray[np.intp],
        raw: FloatArray,
        day: npt.NDArray[np.int64],
        at_home: FloatArray,
    ) -> None:
        ids = frame["fixture_id"].to_numpy()[order]
        rows = np.fromiter((self._index[int(f)] for f in ids), dtype=np.intp, count=len(ids))
        for name, column in derive(raw, day, at_home, self.config):
            self._values[rows, _POSITION[name]] = column


def _ids(history: pd.DataFrame) -> list[int]:
    return [int(f) for f in history["fixture_id"].tolist()]


def _records(history: pd.DataFrame) -> list[tuple[Hashable, ...]]:
    """Rows as tuples of plain values that compare equal when the rows are the same: the
    kick-off in nanoseconds since 1970 (UTC), a missing value as None."""
    values = history.to_numpy(dtype=object)
    values[pd.isna(values)] = None
    values[:, history.columns.get_loc("date")] = _nanoseconds(history["date"])
    return [tuple(row) for row in values.tolist()]


def _nanoseconds(dates: pd.Series) -> npt.NDArray[np.int64]:
    """Kick-offs (naive ones taken as UTC) as nanoseconds since 1970."""
    naive = pd.to_datetime(dates, utc=True).dt.tz_localize(None).to_numpy()
    ns: npt.NDArray[np.int64] = naive.astype("datetime64[ns]").astype(np.int64)
    return ns
