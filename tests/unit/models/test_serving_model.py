"""LiveModel: Dixon-Coles alone or the blended ensemble, priced on one grid per fixture.

The estimators' ``predict_proba_trusted`` fast paths must agree with their
checked ``predict_proba``; the served 1X2 must come from the right members; and
every market the worker publishes must agree with the served 1X2.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from scoreline.errors import ModelError
from scoreline.models import DixonColes
from scoreline.models.boosting import BoostedClassifier
from scoreline.models.calibration import IsotonicCalibrator
from scoreline.models.ensemble import LogLinearBlend
from scoreline.models.features import FEATURE_COLUMNS
from scoreline.models.market_rates import RATE_FEATURES
from scoreline.models.registry import ModelArtifact, ModelRegistry
from scoreline.models.serving import HANDICAP_LINES, OVER_UNDER_LINES, LiveModel

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

N_FEATURES = len(FEATURE_COLUMNS)
DC_COLUMNS = ["dc_home", "dc_draw", "dc_away", "dc_home_goals", "dc_away_goals"]
MARKET_COLUMNS = ["market_home", "market_draw", "market_away"]
VERSION = "20250101T120000000000Z-0123456789ab"
TEAMS = [f"T{k:02d}" for k in range(10)]


def column(name: str) -> int:
    return FEATURE_COLUMNS.index(name)


def league(seed: int = 0) -> pd.DataFrame:
    """Two double round robins of ten teams, Poisson goals from hidden strengths."""
    rng = np.random.default_rng(seed)
    attack = rng.normal(0.0, 0.3, len(TEAMS))
    defence = rng.normal(0.0, 0.2, len(TEAMS))
    rows = []
    for _ in range(2):
        for i in range(len(TEAMS)):
            for j in range(len(TEAMS)):
                if i != j:
                    lam = np.exp(0.25 + attack[i] + defence[j])
                    mu = np.exp(attack[j] + defence[i])
                    rows.append((TEAMS[i], TEAMS[j], rng.poisson(lam), rng.poisson(mu)))
    frame = pd.DataFrame(rows, columns=["home_team", "away_team", "home_goals", "away_goals"])
    days = rng.integers(0, 300, len(frame))
    frame["date"] = pd.Timestamp("2024-08-01") + pd.to_timedelta(days, unit="D")
    return frame


@pytest.fixture(scope="module")
def dixon_coles() -> DixonColes:
    return DixonColes().fit(league())


@pytest.fixture(scope="module")
def fixtures() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "home_team": ["T00", "T01", "T02", "T03", "T04", "T05"],
            "away_team": ["T09", "T08", "T07", "T06", "T05", "T04"],
            "neutral": [False, False, False, True, False, False],
        }
    )


def feature_rows(
    model: LiveModel, fixtures: pd.DataFrame, rng: np.random.Generator | None = None
) -> FloatArray:
    """Rows in FEATURE_COLUMNS order: dc_* from the model, the rest NaN or random."""
    x = np.full((len(fixtures), N_FEATURES), np.nan)
    if rng is not None:
        x[:] = rng.normal(size=x.shape)
        x[:, [column(c) for c in MARKET_COLUMNS]] = np.nan
    dc = model.dixon_coles_columns(fixtures)
    for name in DC_COLUMNS:
        x[:, column(name)] = dc[name].to_numpy()
    return x


def dirichlet_members(n: int, m: int, rng: np.random.Generator) -> FloatArray:
    """m members' (n, 3) probabilities side by side, shape (n, 3 m)."""
    base = rng.dirichlet([4.0, 2.5, 3.0], size=n)
    members = [np.exp(np.log(base) + rng.normal(scale=0.3, size=(n, 3))) for _ in range(m)]
    return np.hstack([p / p.sum(axis=1, keepdims=True) for p in members])


def outcomes_of(p: FloatArray, rng: np.random.Generator) -> IntArray:
    drawn: IntArray = (rng.random(len(p))[:, np.newaxis] > np.cumsum(p, axis=1)).sum(axis=1)
    return drawn


# -- the trusted fast paths ---------------------------------------------------------------


def test_boosting_trusted_path_matches_predict_proba() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 8))
    y = np.where(x[:, 0] + rng.logistic(size=400) > 0.3, 0, 2)
    y[::5] = 1
    x[rng.random(x.shape) < 0.05] = np.nan
    model = BoostedClassifier(n_estimators=8, min_child_weight=1.0).fit(x, y)
    later = rng.normal(size=(50, 8))
    later[::7, 3] = np.nan
    trusted = model.predict_proba_trusted(later)
    np.testing.assert_allclose(trusted, model.predict_proba(later), rtol=0, atol=1e-6)
    np.testing.assert_allclose(trusted.sum(axis=1), 1.0, atol=1e-12)
    assert trusted.shape == (50, 3)


def test_blend_trusted_path_matches_predict_proba() -> None:
    rng = np.random.default_rng(2)
    members = dirichlet_members(600, 3, rng)
    blend = LogLinearBlend().fit(members, outcomes_of(members[:, :3], rng))
    later = dirichlet_members(40, 3, rng)
    later[0, 3:6] = [1.0, 0.0, 0.0]  # floored, not infinite, on both paths
    np.testing.assert_allclose(
        blend.predict_proba_trusted(later), blend.predict_proba(later), rtol=0, atol=1e-12
    )


def test_calibrator_trusted_path_matches_predict_proba() -> None:
    rng = np.random.default_rng(3)
    truth = rng.dirichlet([6.0, 3.5, 4.0], size=2000)
    sharp = truth**2 / (truth**2).sum(axis=1, keepdims=True)
    calibrator = IsotonicCalibrator().fit(sharp, outcomes_of(truth, rng))
    later = rng.dirichlet([6.0, 3.5, 4.0], size=60) * 1.05  # a margin: rows are rescaled
    np.testing.assert_allclose(
        calibrator.predict_proba_trusted(later),
        calibrator.predict_proba(later),
        rtol=0,
        atol=1e-12,
    )


# -- Dixon-Coles alone --------------------------------------------------------------------


@pytest.fixture(scope="module")
def dc_model(dixon_coles: DixonColes) -> LiveModel:
    return LiveModel(name="dixon-coles", version=VERSION, dixon_coles=dixon_coles)


def test_dixon_coles_columns_are_the_models_own_forecast(
    dc_model: LiveModel, dixon_coles: DixonColes, fixtures: pd.DataFrame
) -> None:
    columns = dc_model.dixon_coles_columns(fixtures)
    grid = dixon_coles.predict(fixtures)
    assert list(columns.columns) == DC_COLUMNS
    np.testing.assert_allclose(columns[DC_COLUMNS[:3]], grid.probabilities("1x2"), atol=1e-15)
    np.testing.assert_allclose(
        columns[DC_COLUMNS[3:]], grid.probabilities("expected_goals"), atol=1e-15
    )


def test_dixon_coles_alone_serves_its_own_1x2(dc_model: LiveModel, fixtures: pd.DataFrame) -> None:
    x = feature_rows(dc_model, fixtures)
    served = dc_model.serve(x)
    expected = x[:, [column(c) for c in DC_COLUMNS[:3]]]
    np.testing.assert_allclose(served.probabilities, expected / expected.sum(axis=1)[:, None])
    np.testing.assert_allclose(served.probabilities.sum(axis=1), 1.0, atol=1e-12)
    assert served.members == "dc"
    assert not dc_model.is_ensemble


def test_expected_goals_follow_the_dixon_coles_rates(
    dc_model: LiveModel, fixtures: pd.DataFrame
) -> None:
    x = feature_rows(dc_model, fixtures)
    served = dc_model.serve(x)
    np.testing.assert_allclose(served.home_goals, x[:, column("dc_home_goals")], rtol=1e-6)
    np.testing.assert_allclose(served.away_goals, x[:, column("dc_away_goals")], rtol=1e-6)


def test_markets_are_priced_from_the_fixtures_score_grid(
    dc_model: LiveModel, dixon_coles: DixonColes, fixtures: pd.DataFrame
) -> None:
    served = dc_model.serve(feature_rows(dc_model, fixtures))
    cells = np.asarray(dixon_coles.predict(fixtures).grid)
    goals = np.arange(cells.shape[1])
    total = goals[:, None] + goals[None, :]
    for i, market in enumerate(served.markets):
        assert market["1x2"] == pytest.approx(served.probabilities[i], abs=1e-6)
        assert list(market["over_under"]) == list(OVER_UNDER_LINES)
        assert [float(line) for line in market["over_under"]] == [0.5, 1.5, 2.5, 3.5, 4.5]
        for line, (over, under) in market["over_under"].items():
            assert over + under == pytest.approx(1.0, abs=2e-6)
            assert over == pytest.approx(cells[i][total > float(line)].sum(), abs=1e-6)
        assert market["btts_yes"] == pytest.approx(cells[i, 1:, 1:].sum(), abs=1e-6)
        assert 0.0 <= market["btts_yes"] <= 1.0


def test_asian_handicap_fair_odds_agree_with_the_1x2(
    dc_model: LiveModel, fixtures: pd.DataFrame
) -> None:
    served = dc_model.serve(feature_rows(dc_model, fixtures))
    for (home, draw, away), market in zip(served.probabilities, served.markets, strict=True):
        odds = market["asian_handicap_fair_odds"]
        assert list(odds) == list(HANDICAP_LINES)
        assert [float(line) for line in odds] == [q / 4 for q in range(-8, 9)]
        assert all(price > 1.0 for pair in odds.values() for price in pair)
        # Level ball pushes on a draw; half a goal either way has no push.
        assert odds["0"] == pytest.approx([1 + away / home, 1 + home / away], abs=1e-4)
        assert odds["-0.5"] == pytest.approx([1 / home, 1 / (draw + away)], abs=1e-4)
        assert odds["0.5"] == pytest.approx([1 / (home + draw), 1 / away], abs=1e-4)
        # Giving more goals can only lengthen the home price.
        home_prices = [pair[0] for pair in odds.values()]
        assert home_prices == sorted(home_prices, reverse=True)


def test_feature_hashes_identify_the_row_and_the_version(
    dc_model: LiveModel, fixtures: pd.DataFrame
) -> None:
    x = feature_rows(dc_model, fixtures.iloc[[0, 0, 1]].reset_index(drop=True))
    hashes = dc_model.serve(x).feature_hashes
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
    assert hashes[0] == hashes[1] != hashes[2]
    changed = x.copy()
    changed[1, column("home_elo")] = 1500.0
    first, second, third = dc_model.serve(changed).feature_hashes
    assert (first, third) == (hashes[0], hashes[2])
    assert second != hashes[1]
    other = dataclasses.replace(dc_model, version="another")
    assert other.serve(x).feature_hashes[0] != hashes[0]


def test_a_batch_of_one_serves_like_the_same_row_in_a_batch(
    dc_model: LiveModel, fixtures: pd.DataFrame
) -> None:
    x = feature_rows(dc_model, fixtures)
    batch = dc_model.serve(x)
    alone = dc_model.serve(x[2:3])
    np.testing.assert_allclose(alone.probabilities[0], batch.probabilities[2])
    assert alone.markets[0] == batch.markets[2]
    assert alone.feature_hashes[0] == batch.feature_hashes[2]


# -- the ensemble ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Members:
    boosting: BoostedClassifier
    blend_market: LogLinearBlend
    blend_plain: LogLinearBlend
    calibrator: IsotonicCalibrator


@pytest.fixture(scope="module")
def members() -> Members:
    rng = np.random.default_rng(11)
    x = rng.normal(size=(600, N_FEATURES))
    y = np.where(x[:, 0] + rng.logistic(size=600) > 0.4, 0, np.where(x[:, 1] > 0.5, 1, 2))
    boosting = BoostedClassifier(n_estimators=6, min_child_weight=1.0).fit(x, y)
    nine = dirichlet_members(800, 3, rng)
    six = dirichlet_members(800, 2, rng)
    forecasts = dirichlet_members(800, 1, rng)
    return Members(
        boosting=boosting,
        blend_market=LogLinearBlend().fit(nine, outcomes_of(nine[:, 6:], rng)),
        blend_plain=LogLinearBlend().fit(six, outcomes_of(six[:, :3], rng)),
        calibrator=IsotonicCalibrator().fit(forecasts, outcomes_of(forecasts, rng)),
    )


@pytest.fixture(scope="module")
def ensemble(dixon_coles: DixonColes, members: Members) -> LiveModel:
    return LiveModel(
        name="ensemble",
        version=VERSION,
        dixon_coles=dixon_coles,
        boosting=members.boosting,
        blend_market=members.blend_market,
        blend_plain=members.blend_plain,
        calibrator_market=members.calibrator,
    )


def ensemble_rows(model: LiveModel, fixtures: pd.DataFrame) -> FloatArray:
    """Random features; rows 0-2 with a complete market, row 3 with a partial one."""
    rng = np.random.default_rng(12)
    x = feature_rows(model, fixtures, rng)
    market = [column(c) for c in MARKET_COLUMNS]
    x[:3, market] = rng.dirichlet([4.0, 2.5, 3.0], size=3)
    x[3, market] = [0.5, 0.3, np.nan]
    return x


def test_rows_with_a_market_use_the_market_blend_and_the_rest_the_plain_one(
    ensemble: LiveModel, members: Members, fixtures: pd.DataFrame
) -> None:
    x = ensemble_rows(ensemble, fixtures)
    served = ensemble.serve(x)
    dc = x[:, [column(c) for c in DC_COLUMNS[:3]]]
    market = x[:, [column(c) for c in MARKET_COLUMNS]]
    boosted = members.boosting.predict_proba(x)
    with_market = members.calibrator.predict_proba(
        members.blend_market.predict_proba(np.hstack([dc[:3], boosted[:3], market[:3]]))
    )
    without = members.blend_plain.predict_proba(np.hstack([dc[3:], boosted[3:]]))
    np.testing.assert_allclose(served.probabilities[:3], with_market, atol=1e-6)
    np.testing.assert_allclose(served.probabilities[3:], without, atol=1e-6)
    assert served.members == "dc+xgb+market|dc+xgb"
    assert ensemble.is_ensemble


def test_the_grid_of_an_ensemble_matches_its_served_1x2(
    ensemble: LiveModel, fixtures: pd.DataFrame
) -> None:
    served = ensemble.serve(ensemble_rows(ensemble, fixtures))
    np.testing.assert_allclose(served.probabilities.sum(axis=1), 1.0, atol=1e-12)
    for (home, _, away), market in zip(served.probabilities, served.markets, strict=True):
        assert market["1x2"] == pytest.approx([home, 1 - home - away, away], abs=1e-6)
        level = market["asian_handicap_fair_odds"]["0"]
        assert level == pytest.approx([1 + away / home, 1 + home / away], abs=1e-4)
    assert (served.home_goals > 0).all()
    assert (served.away_goals > 0).all()


@pytest.mark.parametrize(
    ("rows", "label"), [(slice(0, 3), "dc+xgb+market"), (slice(4, 6), "dc+xgb")]
)
def test_a_batch_of_one_kind_names_one_blend(
    ensemble: LiveModel, fixtures: pd.DataFrame, rows: slice, label: str
) -> None:
    x = ensemble_rows(ensemble, fixtures)[rows]
    assert ensemble.serve(x).members == label


def test_the_ensemble_differs_from_dixon_coles_alone(
    ensemble: LiveModel, dc_model: LiveModel, fixtures: pd.DataFrame
) -> None:
    x = ensemble_rows(ensemble, fixtures)
    difference = np.abs(ensemble.serve(x).probabilities - dc_model.serve(x).probabilities)
    assert difference.max() > 1e-3


def test_boosting_without_a_blend_is_not_an_ensemble(
    dixon_coles: DixonColes, members: Members, fixtures: pd.DataFrame
) -> None:
    model = LiveModel(name="x", version="1", dixon_coles=dixon_coles, boosting=members.boosting)
    assert not model.is_ensemble
    served = model.serve(ensemble_rows(model, fixtures))
    assert served.members == "dc"


# -- from the registry ------------------------------------------------------------------------


def artifact(estimators: dict[str, object], version: str | None = VERSION) -> ModelArtifact:
    return ModelArtifact(
        name="ensemble",
        params={},
        feature_names=list(FEATURE_COLUMNS),
        trained_from=dt.date(2024, 8, 1),
        trained_to=dt.date(2025, 5, 31),
        seed=0,
        estimators=estimators,
        version=version,
    )


def test_from_artifact_picks_each_member_by_its_registry_key(
    dixon_coles: DixonColes, members: Members
) -> None:
    plain_calibrator = IsotonicCalibrator()
    model = LiveModel.from_artifact(
        artifact(
            {
                "dixon_coles": dixon_coles,
                "xgboost": members.boosting,
                "blend[dc+xgb+market]": members.blend_market,
                "blend[dc+xgb]": members.blend_plain,
                "calibrator[dc+xgb+market]": members.calibrator,
                "calibrator[dc+xgb]": plain_calibrator,
            }
        )
    )
    assert (model.name, model.version) == ("ensemble", VERSION)
    assert model.dixon_coles is dixon_coles
    assert model.boosting is members.boosting
    assert model.blend_market is members.blend_market
    assert model.blend_plain is members.blend_plain
    assert model.calibrator_market is members.calibrator
    assert model.calibrator_plain is plain_calibrator
    assert model.is_ensemble


def test_from_artifact_of_dixon_coles_alone(dixon_coles: DixonColes) -> None:
    model = LiveModel.from_artifact(artifact({"dixon_coles": dixon_coles}))
    assert model.dixon_coles is dixon_coles
    assert (model.boosting, model.blend_market, model.blend_plain) == (None, None, None)
    assert (model.calibrator_market, model.calibrator_plain) == (None, None)
    assert not model.is_ensemble


def test_from_artifact_ignores_members_of_the_wrong_kind(
    dixon_coles: DixonColes, members: Members
) -> None:
    model = LiveModel.from_artifact(
        artifact(
            {
                "dixon_coles": dixon_coles,
                "xgboost": members.blend_plain,
                "blend[dc+xgb]": members.boosting,
                "calibrator[dc+xgb+market]": members.blend_market,
            }
        )
    )
    assert (model.boosting, model.blend_plain, model.calibrator_market) == (None, None, None)


@pytest.mark.parametrize(
    "estimators",
    [{}, {"dixon-coles": "elsewhere"}, {"dixon_coles": "not a model"}],
    ids=["empty", "wrong-key", "wrong-kind"],
)
def test_from_artifact_needs_a_dixon_coles_fit(
    estimators: dict[str, object], members: Members
) -> None:
    with pytest.raises(ModelError, match=f"ensemble {VERSION} holds no Dixon-Coles fit"):
        LiveModel.from_artifact(artifact({**estimators, "xgboost": members.boosting}))


def test_a_saved_and_loaded_ensemble_serves_the_same(
    tmp_path: Path, ensemble: LiveModel, fixtures: pd.DataFrame
) -> None:
    registry = ModelRegistry(tmp_path)
    version = registry.save(
        artifact(
            {
                "dixon_coles": ensemble.dixon_coles,
                "xgboost": ensemble.boosting,
                "blend[dc+xgb+market]": ensemble.blend_market,
                "blend[dc+xgb]": ensemble.blend_plain,
                "calibrator[dc+xgb+market]": ensemble.calibrator_market,
            },
            version=None,
        )
    )
    loaded = LiveModel.from_artifact(registry.load("ensemble", version))
    assert loaded.version == version
    x = ensemble_rows(ensemble, fixtures)
    np.testing.assert_array_equal(loaded.serve(x).probabilities, ensemble.serve(x).probabilities)


def test_an_ensemble_saved_before_the_rate_columns_is_served_the_columns_it_knows(
    dixon_coles: DixonColes, members: Members, fixtures: pd.DataFrame
) -> None:
    old_columns = [c for c in FEATURE_COLUMNS if c not in RATE_FEATURES]
    rng = np.random.default_rng(13)
    x_train = pd.DataFrame(rng.normal(size=(600, len(old_columns))), columns=old_columns)
    y = np.where(x_train.iloc[:, 0] + rng.logistic(size=600) > 0.4, 0, 2)
    y[::3] = 1
    old_booster = BoostedClassifier(n_estimators=6, min_child_weight=1.0).fit(x_train, y)
    estimators = {
        "dixon_coles": dixon_coles,
        "xgboost": old_booster,
        "blend[dc+xgb+market]": members.blend_market,
        "blend[dc+xgb]": members.blend_plain,
    }
    old = dataclasses.replace(artifact(estimators), feature_names=old_columns)
    model = LiveModel.from_artifact(old)
    x = ensemble_rows(model, fixtures)
    served = model.serve(x)
    keep = [column(c) for c in old_columns]
    boosted = old_booster.predict_proba(pd.DataFrame(x[:, keep], columns=old_columns))
    inputs = np.column_stack([x[:3, [column(c) for c in DC_COLUMNS[:3]]], boosted[:3]])
    inputs = np.column_stack([inputs, x[:3, [column(c) for c in MARKET_COLUMNS]]])
    np.testing.assert_allclose(
        served.probabilities[:3], members.blend_market.predict_proba(inputs), rtol=1e-9
    )


def test_an_ensemble_trained_on_a_column_this_version_lacks_fails_naming_it(
    dixon_coles: DixonColes, members: Members
) -> None:
    columns = [*FEATURE_COLUMNS[:-1], "market_moon_phase"]
    rng = np.random.default_rng(14)
    x_train = pd.DataFrame(rng.normal(size=(300, len(columns))), columns=columns)
    booster = BoostedClassifier(n_estimators=3, min_child_weight=1.0).fit(
        x_train, np.arange(300) % 3
    )
    with pytest.raises(ModelError, match=r"feature column\(s\) \['market_moon_phase'\]"):
        LiveModel.from_artifact(artifact({"dixon_coles": dixon_coles, "xgboost": booster}))
