"""DixonColes: exact derivatives, the true maximum, the rho range, and the API's manners."""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import warnings

import numpy as np
import numpy.typing as npt
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from penaltyblog.models import DixonColesGoalModel
from scipy.optimize import approx_fprime
from scipy.stats import poisson

from scoreline.errors import ConvergenceWarning, DataError, ModelError, NotFittedError
from scoreline.models import DixonColes, ScoreGrid, UnseenTeamWarning
from scoreline.models._dc_likelihood import (
    PairData,
    log_likelihood,
    log_likelihood_derivatives,
)
from scoreline.models._dc_rho import rho_range, to_psi_derivatives, to_theta
from scoreline.models._dc_teams import index_matches
from scoreline.models._frames import match_columns

FloatArray = npt.NDArray[np.float64]
START = np.datetime64("2020-08-01")


def simulate(
    seed: int,
    *,
    n_teams: int = 20,
    seasons: int = 1,
    home: float = 0.25,
    rho: float = -0.1,
    prefix: str = "T",
) -> tuple[pd.DataFrame, FloatArray, FloatArray]:
    """Double round robins scored by the Dixon-Coles model; true attack and defence."""
    rng = np.random.default_rng(seed)
    attack = rng.normal(0.0, 0.3, n_teams)
    attack -= attack.mean()
    defence = rng.normal(0.1, 0.2, n_teams)
    i, j = (idx.ravel() for idx in np.indices((n_teams, n_teams)))
    i, j = np.tile(i[i != j], seasons), np.tile(j[i != j], seasons)
    lam, mu = np.exp(home + attack[i] + defence[j]), np.exp(attack[j] + defence[i])
    goals = np.arange(11)
    home_pmf = np.asarray(poisson.pmf(goals, lam[:, None]), dtype=np.float64)
    away_pmf = np.asarray(poisson.pmf(goals, mu[:, None]), dtype=np.float64)
    grid = home_pmf[:, :, None] * away_pmf[:, None, :]
    grid[:, 0, 0] *= 1 - lam * mu * rho
    grid[:, 0, 1] *= 1 + lam * rho
    grid[:, 1, 0] *= 1 + mu * rho
    grid[:, 1, 1] *= 1 - rho
    cdf = np.cumsum(grid.reshape(len(i), -1), axis=1)
    cdf /= cdf[:, -1:]
    cell = np.minimum((cdf < rng.random(len(i))[:, None]).sum(axis=1), 120)
    days = np.repeat(np.arange(seasons) * 365, n_teams * (n_teams - 1))
    days = days + rng.integers(0, 280, len(i))
    names = np.array([f"{prefix}{k:02d}" for k in range(n_teams)], dtype=object)
    frame = pd.DataFrame(
        {
            "date": (START + days).astype("datetime64[ns]"),
            "home_team": names[i],
            "away_team": names[j],
            "home_goals": cell // 11,
            "away_goals": cell % 11,
        }
    )
    return frame, attack, defence


def pair_data(frame: pd.DataFrame, weight: FloatArray | None = None) -> tuple[PairData, list[str]]:
    columns = match_columns(frame)
    teams, data = index_matches(columns, np.ones(len(frame)) if weight is None else weight)
    return data, teams.names


def theta_of(model: DixonColes) -> FloatArray:
    return np.concatenate([model.attack_, model.defence_, [model.home_advantage_, model.rho_]])


def brute_force_log_likelihood(frame: pd.DataFrame, model: DixonColes, weight: FloatArray) -> float:
    """The paper's formula match by match, with scipy's Poisson."""
    index = {name: k for k, name in enumerate(model.teams_)}
    h = frame["home_team"].map(index).to_numpy()
    a = frame["away_team"].map(index).to_numpy()
    x, y = frame["home_goals"].to_numpy(), frame["away_goals"].to_numpy()
    neutral = frame["neutral"].to_numpy() if "neutral" in frame else np.zeros(len(frame), bool)
    lam = np.exp(np.where(neutral, 0, model.home_advantage_) + model.attack_[h] + model.defence_[a])
    mu = np.exp(model.attack_[a] + model.defence_[h])
    rho = model.rho_
    tau = np.ones(len(frame))
    tau[(x == 0) & (y == 0)] = (1 - lam * mu * rho)[(x == 0) & (y == 0)]
    tau[(x == 0) & (y == 1)] = (1 + lam * rho)[(x == 0) & (y == 1)]
    tau[(x == 1) & (y == 0)] = (1 + mu * rho)[(x == 1) & (y == 0)]
    tau[(x == 1) & (y == 1)] = 1 - rho
    terms = poisson.logpmf(x, lam) + poisson.logpmf(y, mu) + np.log(tau)
    return float(weight @ terms)


@pytest.fixture(scope="module")
def season() -> pd.DataFrame:
    frame, _, _ = simulate(7)
    return frame


@pytest.fixture(scope="module")
def fitted(season: pd.DataFrame) -> DixonColes:
    return DixonColes(xi=0.002).fit(season)


# -- the likelihood and its derivatives ---------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_matches_finite_differences(seed: int) -> None:
    rng = np.random.default_rng(seed)
    frame, _, _ = simulate(seed, n_teams=8, seasons=2)
    frame["neutral"] = rng.random(len(frame)) < 0.2
    data, _ = pair_data(frame, rng.uniform(0.2, 1.0, len(frame)))
    theta = np.concatenate([rng.normal(0, 0.3, 8), rng.normal(0.1, 0.2, 8), [0.3, -0.12]])
    theta[-1] = rng.uniform(-0.15, 0.1)  # rho non-zero, inside the range
    _, grad, hess = log_likelihood_derivatives(theta, data)

    numeric = approx_fprime(theta, log_likelihood, 1e-7, data)
    central = np.array(
        [
            (log_likelihood(theta + 1e-6 * e, data) - log_likelihood(theta - 1e-6 * e, data)) / 2e-6
            for e in np.eye(len(theta))
        ]
    )
    np.testing.assert_allclose(grad, central, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-3)
    assert abs(grad[-1]) > 0.1  # the tau terms are there to check
    second = np.array(
        [
            (
                log_likelihood_derivatives(theta + 1e-6 * e, data, hessian=False)[1]
                - log_likelihood_derivatives(theta - 1e-6 * e, data, hessian=False)[1]
            )
            / 2e-6
            for e in np.eye(len(theta))
        ]
    )
    assert hess is not None
    np.testing.assert_allclose(hess, second, rtol=1e-6, atol=1e-5)


def test_psi_derivatives_match_finite_differences() -> None:
    frame, _, _ = simulate(3, n_teams=6, seasons=2)
    data, names = pair_data(frame)
    members = [np.arange(len(names))]
    rng = np.random.default_rng(3)
    psi = np.concatenate([rng.normal(0, 0.3, 6), rng.normal(0.1, 0.2, 6), [0.3, 0.7]])
    bounds = rho_range(psi, members)

    def in_psi(point: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        theta, sigma = to_theta(point, bounds)
        value, grad, hess = log_likelihood_derivatives(theta, data)
        assert hess is not None
        return value, *to_psi_derivatives(grad, hess, bounds, sigma)

    _, grad, hess = in_psi(psi)
    steps = 1e-6 * np.eye(len(psi))
    np.testing.assert_allclose(
        grad, [(in_psi(psi + e)[0] - in_psi(psi - e)[0]) / 2e-6 for e in steps], atol=1e-6
    )
    np.testing.assert_allclose(
        hess, [(in_psi(psi + e)[1] - in_psi(psi - e)[1]) / 2e-6 for e in steps], atol=1e-5
    )


def test_log_likelihood_is_the_papers_formula_with_decay_weights(
    season: pd.DataFrame, fitted: DixonColes
) -> None:
    days = (season["date"].max() - season["date"]).dt.days.to_numpy()
    weight = np.exp(-0.002 * days)
    assert fitted.log_likelihood_ == pytest.approx(
        brute_force_log_likelihood(season, fitted, weight), rel=1e-12
    )


def test_xi_zero_is_the_unweighted_likelihood(season: pd.DataFrame) -> None:
    model = DixonColes(xi=0.0).fit(season)
    unweighted = brute_force_log_likelihood(season, model, np.ones(len(season)))
    assert model.log_likelihood_ == pytest.approx(unweighted, rel=1e-12)
    doubled = pd.concat([season, season], ignore_index=True)
    assert DixonColes().fit(doubled).log_likelihood_ == pytest.approx(2 * unweighted, rel=1e-9)


def test_reference_date_rescales_weights_but_not_the_fit(season: pd.DataFrame) -> None:
    latest = DixonColes(xi=0.002).fit(season)
    later = season["date"].max().date() + dt.timedelta(days=100)
    shifted = DixonColes(xi=0.002).fit(season, reference_date=later)
    assert shifted.reference_date_ == later
    assert shifted.log_likelihood_ == pytest.approx(np.exp(-0.2) * latest.log_likelihood_, rel=1e-9)
    np.testing.assert_allclose(theta_of(shifted), theta_of(latest), atol=1e-7)


# -- the true maximum ---------------------------------------------------------------


def test_recovers_simulated_parameters() -> None:
    frame, attack, defence = simulate(11, n_teams=20, seasons=20, home=0.25, rho=-0.1)
    model = DixonColes().fit(frame)
    assert model.converged_
    np.testing.assert_allclose(model.attack_, attack, atol=0.08)
    # Simulated attacks are centred exactly, so the defences share their scale.
    np.testing.assert_allclose(model.defence_, defence, atol=0.08)
    assert model.home_advantage_ == pytest.approx(0.25, abs=0.03)
    assert model.rho_ == pytest.approx(-0.1, abs=0.04)


def test_log_likelihood_at_least_penaltyblogs(season: pd.DataFrame, fitted: DixonColes) -> None:
    days = (season["date"].max() - season["date"]).dt.days.to_numpy()
    weight = np.exp(-0.002 * days)
    theirs = DixonColesGoalModel(
        season["home_goals"].to_numpy(),
        season["away_goals"].to_numpy(),
        season["home_team"].to_numpy(dtype=str),
        season["away_team"].to_numpy(dtype=str),
        weights=weight,
    )
    theirs.fit()
    data, names = pair_data(season, weight)
    assert [str(t) for t in theirs.teams] == names
    at_theirs = log_likelihood(np.asarray(theirs._params, dtype=np.float64), data)
    at_ours = log_likelihood(theta_of(fitted), data)
    assert at_ours == pytest.approx(fitted.log_likelihood_, rel=1e-13)
    assert at_theirs == pytest.approx(theirs.loglikelihood, rel=1e-9)  # same formula
    assert at_ours >= at_theirs
    _, grad, _ = log_likelihood_derivatives(theta_of(fitted), data, hessian=False)
    assert np.abs(grad).max() < 1e-6  # a stationary point, tau terms included


def test_attacks_sum_to_zero(fitted: DixonColes) -> None:
    assert fitted.attack_.sum() == pytest.approx(0.0, abs=1e-12)


# -- rho ----------------------------------------------------------------------------


def test_rho_stays_inside_valid_range() -> None:
    # Only 0-0 and 1-1 among the low scores: the likelihood keeps rising as rho
    # falls, so only the range (set by the high-scoring Giants) stops it.
    rng = np.random.default_rng(5)
    rows = []
    others = [f"Club{k}" for k in range(6)]
    for k in range(240):
        home, away = rng.choice(others, 2, replace=False)
        score = [(0, 0), (1, 1), (2, 2), (3, 1), (1, 3), (2, 0)][k % 6]
        rows.append((home, away, *score))
        rows.append(("Giants", others[k % 6], 6 + k % 3, 2 + k % 2))
        rows.append((others[k % 6], "Giants", 2, 5 + k % 3))
    frame = pd.DataFrame(rows, columns=["home_team", "away_team", "home_goals", "away_goals"])
    frame.insert(0, "date", pd.Timestamp("2021-01-01"))
    model = DixonColes(max_iter=200).fit(frame)

    low, high = model.rho_range_
    assert low < model.rho_ < high
    assert model.rho_ < 0.9 * low  # pressed against the edge
    assert "edge" in model.optimizer_message_
    for neutral in (0.0, model.home_advantage_):
        lam = np.exp(neutral + model.attack_[:, None] + model.defence_[None, :])
        mu = np.exp(model.attack_[None, :] + model.defence_[:, None])
        off = ~np.eye(len(model.teams_), dtype=bool)
        for tau in (1 - lam * mu * model.rho_, 1 + lam * model.rho_, 1 + mu * model.rho_):
            assert (tau[off] > 0).all()
    every_pair = pd.DataFrame(
        [(h, a) for h in model.teams_ for a in model.teams_ if h != a],
        columns=["home_team", "away_team"],
    )
    assert np.isfinite(model.predict(every_pair).probabilities("1x2")).all()


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(-1.5, 1.5), min_size=8, max_size=8),
    st.floats(-0.5, 0.8),
    st.floats(0.001, 0.999),
)
def test_rho_range_keeps_every_tau_positive(
    ratings: list[float], home: float, share: float
) -> None:
    attack, defence = np.array(ratings[:4]), np.array(ratings[4:])
    theta = np.concatenate([attack, defence, [home, 0.0]])
    bounds = rho_range(theta, [np.arange(4)])
    rho = bounds.lower + share * (bounds.upper - bounds.lower)
    for advantage in (0.0, home):
        lam = np.exp(advantage + attack[:, None] + defence[None, :])
        mu = np.exp(attack[None, :] + defence[:, None])
        off = ~np.eye(4, dtype=bool)
        assert (1 - lam * mu * rho)[off].min() > 0
        assert (1 + lam * rho)[off].min() > 0
        assert (1 + mu * rho)[off].min() > 0
    assert rho < 1


# -- fitting manners ----------------------------------------------------------------


def test_warm_start_reaches_same_optimum_in_fewer_steps(season: pd.DataFrame) -> None:
    ordered = season.sort_values("date", ignore_index=True)
    cold = DixonColes(xi=0.002).fit(ordered)
    warm = DixonColes(xi=0.002, warm_start=True).fit(ordered.iloc[:-10])  # a matchweek less
    warm.fit(ordered)
    assert warm.converged_
    assert warm.n_iter_ < cold.n_iter_
    assert warm.log_likelihood_ == pytest.approx(cold.log_likelihood_, rel=1e-12)
    np.testing.assert_allclose(theta_of(warm), theta_of(cold), atol=1e-8)


def test_warm_start_with_a_new_team_reaches_same_optimum(season: pd.DataFrame) -> None:
    newcomer = pd.DataFrame(
        {
            "date": season["date"].max(),
            "home_team": ["Promoted", "T01", "Promoted", "T03"],
            "away_team": ["T02", "Promoted", "T04", "Promoted"],
            "home_goals": [1, 2, 0, 1],
            "away_goals": [1, 0, 2, 1],
        }
    )
    both = pd.concat([season, newcomer], ignore_index=True)
    cold = DixonColes(xi=0.002).fit(both)
    warm = DixonColes(xi=0.002, warm_start=True).fit(season).fit(both)
    assert warm.converged_
    assert warm.teams_ == cold.teams_
    np.testing.assert_allclose(theta_of(warm), theta_of(cold), atol=1e-8)


def test_refit_without_warm_start_starts_afresh(season: pd.DataFrame) -> None:
    model = DixonColes().fit(season)
    steps = model.n_iter_
    assert model.fit(season).n_iter_ == steps


def test_fit_that_stops_short_warns_and_still_returns(season: pd.DataFrame) -> None:
    model = DixonColes(max_iter=1)
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        assert model.fit(season) is model
    assert not model.converged_
    assert model.n_iter_ == 1
    assert "max_iter" in model.optimizer_message_
    assert len(model.predict(season.head(3))) == 3


def test_fitted_attributes(fitted: DixonColes, season: pd.DataFrame) -> None:
    assert fitted.teams_ == sorted(fitted.teams_)
    assert fitted.attack_.shape == fitted.defence_.shape == (20,)
    assert fitted.n_matches_ == len(season)
    assert fitted.reference_date_ == season["date"].max().date()
    assert fitted.converged_
    assert 0 < fitted.n_iter_ < 20
    assert fitted.components_ == [set(fitted.teams_)]


def test_pickles(fitted: DixonColes, season: pd.DataFrame) -> None:
    again = pickle.loads(pickle.dumps(fitted))
    fixtures = season.head(5)
    np.testing.assert_array_equal(again.predict(fixtures).grid, fitted.predict(fixtures).grid)


# -- teams, components, venues ------------------------------------------------------


def test_unseen_team_gets_newcomer_prior(fitted: DixonColes) -> None:
    fixtures = pd.DataFrame({"home_team": ["Newcomers", "T01"], "away_team": ["T01", "T02"]})
    with pytest.warns(UnseenTeamWarning, match="Newcomers"):
        grid = fitted.predict(fixtures)
    one = fitted.teams_.index("T01")
    expected = np.exp(fitted.home_advantage_ + fitted.newcomer_attack_[0] + fitted.defence_[one])
    assert grid.home_goals_expectation[0] == pytest.approx(expected)
    strength = fitted.attack_ - fitted.defence_
    newcomer = fitted.newcomer_attack_[0] - fitted.newcomer_defence_[0]
    assert newcomer < np.median(strength)
    np.testing.assert_allclose(grid.probabilities("1x2").sum(axis=1), 1.0)


def test_disconnected_leagues_are_reported_and_still_converge(
    caplog: pytest.LogCaptureFixture,
) -> None:
    north, _, _ = simulate(1, n_teams=10, prefix="N")
    south, _, _ = simulate(2, n_teams=8, prefix="S")
    with caplog.at_level(logging.DEBUG, logger="scoreline.models"):
        model = DixonColes().fit(pd.concat([north, south], ignore_index=True))
    assert "2 groups" in caplog.text
    assert model.converged_
    assert model.components_ == [set(north["home_team"]), set(south["home_team"])]
    in_north = np.array([t.startswith("N") for t in model.teams_])
    assert model.attack_[in_north].sum() == pytest.approx(0.0, abs=1e-12)
    assert model.attack_[~in_north].sum() == pytest.approx(0.0, abs=1e-12)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        grid = model.predict(pd.DataFrame({"home_team": ["N01"], "away_team": ["S01"]}))
    assert "never met" in caplog.text
    assert grid.probabilities("1x2").sum() == pytest.approx(1.0)


def test_neutral_flag_removes_home_advantage(fitted: DixonColes) -> None:
    fixtures = pd.DataFrame(
        {"home_team": ["T03", "T04"], "away_team": ["T04", "T03"], "neutral": [True, True]}
    )
    grid = fitted.predict(fixtures)
    home = fitted.predict(fixtures.assign(neutral=False))
    ratio = home.home_goals_expectation / grid.home_goals_expectation
    np.testing.assert_allclose(ratio, np.exp(fitted.home_advantage_))
    np.testing.assert_allclose(grid.home_goals_expectation[0], grid.away_goals_expectation[1])
    p = grid.probabilities("1x2")
    np.testing.assert_allclose(p[0], p[1][::-1])


def test_all_neutral_matches_leave_home_advantage_at_zero(season: pd.DataFrame) -> None:
    model = DixonColes().fit(season.assign(neutral=True))
    assert model.home_advantage_ == 0.0
    assert model.converged_


def test_polars_and_pandas_agree(season: pd.DataFrame, fitted: DixonColes) -> None:
    frame = pl.DataFrame({name: season[name].to_numpy() for name in season.columns})
    frame = frame.with_columns(pl.col("date").cast(pl.Date))
    model = DixonColes(xi=0.002).fit(frame)
    np.testing.assert_array_equal(theta_of(model), theta_of(fitted))
    assert model.log_likelihood_ == fitted.log_likelihood_
    fixtures = frame.select("home_team", "away_team").head(6)
    np.testing.assert_array_equal(
        model.predict(fixtures).grid,
        fitted.predict(season[["home_team", "away_team"]].head(6)).grid,
    )


# -- errors -------------------------------------------------------------------------


def test_predict_before_fit_raises_not_fitted() -> None:
    with pytest.raises(NotFittedError, match="fit"):
        DixonColes().predict(pd.DataFrame({"home_team": ["A"], "away_team": ["B"]}))


@pytest.mark.parametrize(
    ("change", "column"),
    [
        (lambda f: f.drop(columns="away_goals"), "away_goals"),
        (lambda f: f.assign(home_goals=f["home_goals"] - 3), "home_goals"),
        (lambda f: f.assign(away_goals=f["away_goals"].where(f.index != 4)), "away_goals"),
        (lambda f: f.assign(home_team=f["home_team"].where(f.index != 2)), "home_team"),
        (lambda f: f.assign(date=f["date"].where(f.index != 1)), "date"),
        (lambda f: f.assign(away_goals=f["away_goals"] + 0.5), "away_goals"),
        (lambda f: f.assign(away_team=f["home_team"]), "away_team"),
    ],
)
def test_bad_matches_raise_data_error_naming_the_column(
    season: pd.DataFrame, change: object, column: str
) -> None:
    assert callable(change)
    with pytest.raises(DataError, match=column):
        DixonColes().fit(change(season.copy()))


def test_matches_after_reference_date_are_refused(season: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="reference_date"):
        DixonColes().fit(season, reference_date=dt.date(2020, 9, 1))


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"xi": -0.1}, "xi=-0.1"),
        ({"max_goals": 0}, "max_goals=0"),
        ({"tol": 0.0}, "tol=0.0"),
        ({"max_iter": 2.5}, "max_iter=2.5"),
        ({"prior_strength": float("nan")}, "prior_strength=nan"),
    ],
)
def test_invalid_hyperparameters_are_listed(
    season: pd.DataFrame, params: dict[str, float], named: str
) -> None:
    model = DixonColes(**params)  # type: ignore[arg-type]
    assert getattr(model, next(iter(params))) is params[next(iter(params))]  # stored unchanged
    with pytest.raises(ModelError, match=named):
        model.fit(season)


def test_prior_keeps_a_team_that_never_conceded_finite(season: pd.DataFrame) -> None:
    extra = pd.DataFrame(
        {
            "date": [season["date"].max()],
            "home_team": ["T01"],
            "away_team": ["OneGame"],
            "home_goals": [0],
            "away_goals": [1],
        }
    )
    frame = pd.concat([season, extra], ignore_index=True)
    plain = DixonColes().fit(frame)
    shrunk = DixonColes(prior_strength=1.0).fit(frame)
    one = plain.teams_.index("OneGame")
    assert plain.defence_[one] < -10  # maximum likelihood runs off towards -inf
    assert shrunk.defence_[one] > -1.5
    assert shrunk.converged_
    assert shrunk.n_iter_ < plain.n_iter_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isinstance(shrunk.predict(extra), ScoreGrid)
