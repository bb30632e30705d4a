"""The one way a prediction is made: a loaded model version, its feature table, the live market.

``Predictor`` holds what serving needs between calls, so the worker pays for it
once per model version rather than once per tick:

- the version (``services.model_versions.LoadedModel``): every prediction is
  stored under the id of the version that made it;
- the base features of every fixture (``models.feature_table.FeatureTable``):
  walked over the whole history once per model version, then kept current as
  results and fixtures arrive (``refresh`` reads only the rows that can have
  changed: the fixtures held unplayed and those added since; a tick of a fixture
  not held yet reads that fixture). The walk is ``build_features``'s own, so a
  served row is the row the backtest would compute;
- each fixture's latest 1X2 prices by bookmaker, and the over/under 2.5 and
  handicap prices the goal-rate features read (``MarketBook``), brought up to
  date from the stored rows in odds-id order, from which the market columns
  are computed by the rules training uses.

The worker predicts the ticks of the ``odds`` stream with it
(``predict_ticks``, one prediction per snapshot, trigger ``odds:<id>``), and
``scoreline predict`` the fixtures of a window (``predict_fixtures``, trigger
``cli``, the latest stored prices). Both commit before returning; publishing
is the caller's.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from scoreline.models.feature_table import Change, FeatureTable, MarketBook, MarketQuote
from scoreline.models.serving import ServedBatch
from scoreline.services.model_versions import LoadedModel
from scoreline.storage.repositories.predictions import NewPrediction
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["Prediction", "PredictionBatch", "Predictor", "TickRef"]

FloatArray = npt.NDArray[np.float64]

_EVERY_ROW = 2**63 - 1  # an odds id above any stored one: "up to the latest price"


@dataclass(frozen=True, slots=True)
class TickRef:
    """An odds snapshot to predict from: its id and its fixture."""

    odds_id: int
    fixture_id: int


@dataclass(frozen=True, slots=True)
class Prediction:
    """One stored prediction: 1X2 probabilities, goal expectations and every market."""

    fixture_id: int
    odds_id: int | None
    probabilities: tuple[float, float, float]
    home_goals: float
    away_goals: float
    markets: dict[str, Any]
    feature_hash: str


@dataclass(frozen=True, slots=True)
class PredictionBatch:
    """What one call predicted and stored, and what it could not.

    ``features`` (n, len(FEATURE_COLUMNS)) and ``probabilities`` (n, 3) are the
    rows served, for drift monitoring; ``unknown`` the fixture ids not in the
    database and ``stray`` the ticks whose odds id is no stored snapshot of the
    fixture named with it (nothing was predicted for either).
    """

    predictions: list[Prediction]
    unknown: list[int]
    created_at: datetime
    features: FloatArray
    probabilities: FloatArray
    inference_seconds: float
    stray: list[TickRef] = dataclasses.field(default_factory=list)


class Predictor:
    """A model version serving (see the module docstring)."""

    def __init__(self, unit_of_work: UnitOfWorkFactory, loaded: LoadedModel) -> None:
        self.unit_of_work = unit_of_work
        self.version_id, self.model = loaded.version_id, loaded.model
        self.reference = loaded.reference
        self.book = MarketBook()
        self.table = FeatureTable(self.model)
        self._bookmakers: dict[int, str] = {}
        self._results_seen: tuple[int, date | None] | None = None
        self.last_change = Change.REBUILT  # what the latest update of the table took
        self.refresh(force=True)

    @property
    def fixtures(self) -> int:
        """How many fixtures the feature table holds."""
        return self.table.fixtures

    def knows(self, fixture_id: int) -> bool:
        """Whether the feature table holds this fixture."""
        return fixture_id in self.table

    def refresh(self, *, force: bool) -> bool:
        """Bring the base features up to date when results changed, or walk every fixture
        afresh when ``force`` (a model loaded); whether anything was read.

        Results are noticed by ``results_version``; then the rows of the fixtures held
        unplayed and of the fixtures added since are read and given to the table, which
        steps its state (``models.live_features``). A fixture held unplayed that is no
        longer in the history (an awarded match) makes it walk everything again.
        """
        with self.unit_of_work() as uow:
            results = uow.fixtures.results_version()
            if not force and results == self._results_seen:
                return False
            if force:
                history = uow.fixtures.history()
            else:
                unplayed = self.table.unplayed()
                changed = uow.fixtures.history(fixture_ids=unplayed)
                changed += uow.fixtures.history(after_id=self.table.latest_id())
                if set(unplayed) - {row.fixture_id for row in changed}:
                    force, history = True, uow.fixtures.history()
        if force:
            table = FeatureTable(self.model)
            table.rebuild(history)
            self.table = table
        else:
            self.last_change = self.table.update(changed)
        self._results_seen = results
        return True

    def _take_new(self, fixture_ids: Sequence[int]) -> None:
        """Read fixtures the table does not hold (scheduled since) into it: new results
        first, then the fixtures themselves, each a read of the state, not a rebuild."""
        self.refresh(force=False)
        missing = sorted({f for f in fixture_ids if not self.knows(f)})
        if not missing:
            return
        with self.unit_of_work() as uow:
            rows = uow.fixtures.history(fixture_ids=missing)
        self.last_change = self.table.update(rows)

    # -- predicting ---------------------------------------------------------------------

    def predict_ticks(self, ticks: Sequence[TickRef]) -> PredictionBatch:
        """Predict each odds snapshot from the market as it stood at that snapshot, and store
        the predictions (a snapshot predicted before is skipped: streams redeliver)."""
        if any(not self.knows(t.fixture_id) for t in ticks):
            self._take_new([t.fixture_id for t in ticks])  # scheduled since the table was built
        unknown = sorted({t.fixture_id for t in ticks if not self.knows(t.fixture_id)})
        known = sorted((t for t in ticks if self.knows(t.fixture_id)), key=lambda t: t.odds_id)
        with self.unit_of_work() as uow:
            # An entry anyone could have written: its snapshot must be stored, for its fixture.
            stored = uow.odds.fixture_ids_of(odds_ids=[t.odds_id for t in known])
            stray = [t for t in known if stored.get(t.odds_id) != t.fixture_id]
            known = [t for t in known if stored.get(t.odds_id) == t.fixture_id]
            quotes = self._market_at(uow, known)
            features = self.table.rows([t.fixture_id for t in known], MarketBook.features(quotes))
            batch = self._serve(features, [t.fixture_id for t in known], [t.odds_id for t in known])
            uow.predictions.add_many(self._records(batch, trigger=None))
            uow.commit()
        return dataclasses.replace(batch, unknown=unknown, stray=stray)

    def predict_fixtures(self, fixture_ids: Sequence[int], *, trigger: str) -> PredictionBatch:
        """Predict fixtures from their latest stored 1X2 prices, and store the predictions
        under ``trigger`` (a prediction stored before under it is replaced)."""
        unknown = sorted({f for f in fixture_ids if not self.knows(f)})
        known = [f for f in fixture_ids if self.knows(f)]
        with self.unit_of_work() as uow:
            ticks = [TickRef(_EVERY_ROW, f) for f in known]
            quotes = self._market_at(uow, ticks)
            features = self.table.rows(known, MarketBook.features(quotes))
            batch = self._serve(features, known, [None] * len(known))
            uow.predictions.upsert_many(self._records(batch, trigger=trigger))
            uow.commit()
        return dataclasses.replace(batch, unknown=unknown)

    def market(self, fixture_ids: Sequence[int]) -> FloatArray:
        """The market columns (n, 7) of fixtures as the book last saw them (NaN: no price)."""
        return MarketBook.features([self.book.quote(f) for f in fixture_ids])

    def latest_probabilities(self, fixture_ids: Sequence[int]) -> dict[int, FloatArray]:
        """Each fixture's newest stored prediction by this version: (home, draw, away)."""
        with self.unit_of_work() as uow:
            latest = uow.predictions.latest_by_version(
                fixture_ids=list(fixture_ids), model_version_id=self.version_id
            )
        return {f: np.array(p, dtype=np.float64) for f, p in latest.items()}

    # -- steps --------------------------------------------------------------------------

    def _market_at(self, uow: UnitOfWork, ticks: Sequence[TickRef]) -> list[MarketQuote | None]:
        """Each tick's market quote, the book brought up to date with the stored 1X2 rows up
        to the tick's snapshot (ticks in odds-id order)."""
        if not ticks:
            return []
        fixtures = sorted({t.fixture_id for t in ticks})
        after_id, up_to_id = min(self.book.seen(f) for f in fixtures), ticks[-1].odds_id
        match_rows = uow.odds.match_odds_since(
            fixture_ids=fixtures, after_id=after_id, up_to_id=up_to_id
        )
        line_rows = uow.odds.line_odds_since(
            fixture_ids=fixtures, after_id=after_id, up_to_id=up_to_id
        )
        if any(r[2] not in self._bookmakers for r in [*match_rows, *line_rows]):
            self._bookmakers = uow.bookmakers.codes_by_id()
        # Both kinds of row in one id order, so the book's "seen" id only ever rises.
        rows: list[tuple[Any, ...]] = sorted([*match_rows, *line_rows], key=lambda r: int(r[0]))
        quotes: list[MarketQuote | None] = []
        position = 0
        for tick in ticks:
            while position < len(rows) and int(rows[position][0]) <= tick.odds_id:
                self._apply(rows[position])
                position += 1
            quotes.append(self.book.quote(tick.fixture_id))
        return quotes

    def _apply(self, row: tuple[Any, ...]) -> None:
        """One stored row into the book: a 1X2 row has six fields, a line row seven."""
        bookmaker = self._bookmakers.get(row[2], str(row[2]))
        if len(row) == 6:
            self.book.apply(row[0], row[1], bookmaker, (row[3], row[4], row[5]))
            return
        line = Decimal(row[4]) / 4
        self.book.apply_line(
            row[0], row[1], bookmaker, market=row[3], line=line, prices=(row[5], row[6])
        )

    def _serve(
        self, features: FloatArray, fixture_ids: list[int], odds_ids: Sequence[int | None]
    ) -> PredictionBatch:
        now = datetime.now(UTC)
        if not fixture_ids:
            return PredictionBatch([], [], now, features, np.empty((0, 3)), 0.0)
        started = time.perf_counter()
        served: ServedBatch = self.model.serve(features)
        took = time.perf_counter() - started
        p = served.probabilities
        predictions = [
            Prediction(
                fixture_id=fixture_id,
                odds_id=odds_ids[i],
                probabilities=(float(p[i, 0]), float(p[i, 1]), float(p[i, 2])),
                home_goals=float(served.home_goals[i]),
                away_goals=float(served.away_goals[i]),
                markets=served.markets[i],
                feature_hash=served.feature_hashes[i],
            )
            for i, fixture_id in enumerate(fixture_ids)
        ]
        return PredictionBatch(predictions, [], now, features, p, took)

    def _records(self, batch: PredictionBatch, *, trigger: str | None) -> list[NewPrediction]:
        rho = float(self.model.dixon_coles.rho_)
        return [
            NewPrediction(
                fixture_id=p.fixture_id,
                model_version_id=self.version_id,
                trigger=trigger if trigger is not None else f"odds:{p.odds_id}",
                created_at=batch.created_at,
                home_goals_expectation=p.home_goals,
                away_goals_expectation=p.away_goals,
                rho=rho,
                p_home=p.probabilities[0],
                p_draw=p.probabilities[1],
                p_away=p.probabilities[2],
                odds_snapshot_id=p.odds_id,
                markets=p.markets,
                feature_hash=p.feature_hash,
            )
            for p in batch.predictions
        ]
