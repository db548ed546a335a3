"""The solver (backpain_analysis.fitting): agreement with statsmodels and scikit-learn, divergence, separation and
collinearity messages, the penalty choice."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression

from backpain_analysis.fitting import DEFAULT_CS, ModelError, choose_penalty, collapse_patterns, fit_logistic
from backpain_analysis.model import PainRiskModel
from backpain_analysis.validation import (
    check_fit_data,
)

FACTORS = ("prior_back_pain", "heavy_lifting", "short_warmup", "hard_session")


def _logit_fit(y: np.ndarray, X: np.ndarray):
    return sm.Logit(y, sm.add_constant(X, has_constant="add")).fit(method="newton", disp=0, tol=1e-12, maxiter=100)


# --------------------------------------------------------------------------- the solver


def test_fit_logistic_matches_statsmodels_and_sklearn(small_log):
    model = PainRiskModel(factors=("prior_back_pain", "heavy_lifting", "short_warmup")).fit(small_log)
    X = model.design(small_log)
    y = small_log["back_pain"].astype(bool).to_numpy()
    patterns, e, f, inverse = collapse_patterns(X, y)
    np.testing.assert_array_equal(patterns[inverse], X)
    assert e.sum() == y.sum() and (e + f).sum() == len(y)
    res = fit_logistic(patterns, e, f)
    ref = _logit_fit(y, X)
    assert res.converged
    np.testing.assert_allclose(res.params, ref.params, atol=1e-8)
    np.testing.assert_allclose(np.linalg.inv(res.hessian), ref.cov_params(), rtol=1e-6)
    assert res.loglik == pytest.approx(ref.llf, rel=1e-10)
    # the penalised objective is scikit-learn's
    pen = fit_logistic(patterns, e, f, C=0.05)
    lr = LogisticRegression(C=0.05, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(pen.params, np.r_[lr.intercept_, lr.coef_[0]], atol=1e-5)
    # and the model's unpenalised fit is the statsmodels one
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_], ref.params, atol=1e-8)


def test_fit_logistic_reports_divergence_under_separation():
    X = np.array([[0.0], [0.0], [1.0], [1.0]])
    res = fit_logistic(X, np.array([0.0, 0.0, 5.0, 5.0]), np.array([5.0, 5.0, 0.0, 0.0]))
    assert not res.converged or abs(res.params[1]) > 15
    assert fit_logistic(X, np.array([0.0, 0.0, 5.0, 5.0]), np.array([5.0, 5.0, 0.0, 0.0]), C=1.0).converged


# --------------------------------------------------------------------------- bootstrap validation


def test_separation_gives_a_clear_message_and_a_penalised_way_out(small_log):
    factors = ("heavy_lifting", "short_warmup", "prior_back_pain")
    log = small_log.copy()
    pain = log["back_pain"].astype(bool).to_numpy()
    heavy = np.zeros(len(log), bool)
    heavy[np.flatnonzero(pain)[:4]] = True  # four heavy sessions in the log, all followed by back pain
    log["heavy_lifting"] = heavy
    check = check_fit_data(log, factors=factors)
    assert check.separated == ["heavy_lifting"] and check.needs_penalty
    with pytest.raises(ModelError, match="perfectly predicts back pain") as exc:
        PainRiskModel(factors=factors).fit(log)
    assert "Heavy lifting" in str(exc.value) and "\n" not in str(exc.value)
    model = PainRiskModel(factors=factors, C="cv").fit(log)
    assert model.C_ in DEFAULT_CS and model.cv_results_ is not None
    odds = model.odds_ratios()["odds_ratio"]
    assert 1 < odds["heavy_lifting"] < 50 and np.isfinite(odds).all()
    # even a feature equal to the outcome gets a finite estimate, not a crash
    total = PainRiskModel(factors=factors, C="cv").fit(log.assign(heavy_lifting=pain))
    assert np.isfinite(total.coef_).all()


def test_collinear_features_are_named(complete_log):
    log = complete_log.copy()
    log["bending_twisting"] = log["heavy_lifting"]
    with pytest.raises(ModelError, match="always go together"):
        PainRiskModel(factors=("heavy_lifting", "bending_twisting", "short_warmup")).fit(log)
    assert set(check_fit_data(log, factors=("heavy_lifting", "bending_twisting")).collinear) == {
        "heavy_lifting", "bending_twisting"}


# --------------------------------------------------------------------------- penalty by grouped CV


def test_choose_penalty_by_client_grouped_cv(complete_log):
    model = PainRiskModel(factors=FACTORS).fit(complete_log)
    X = model.design(complete_log)
    y = complete_log["back_pain"].astype(bool).to_numpy()
    groups = complete_log["client_id"].to_numpy()
    choice = choose_penalty(X, y, groups=groups, Cs=[0.001, 0.1, 10.0], n_splits=4, seed=0)
    assert list(choice.table.index) == [0.001, 0.1, 10.0] and choice.n_splits == 4
    assert choice.C == choice.table["deviance"].idxmin()
    # held-out deviance by hand for one candidate: GroupKFold folds, statsmodels-free refit
    from sklearn.model_selection import GroupKFold

    total = 0.0
    for train, test in GroupKFold(n_splits=4, shuffle=True, random_state=0).split(X, y, groups.astype(str)):
        assert not set(groups[train]) & set(groups[test])
        lr = LogisticRegression(C=10.0, tol=1e-12, max_iter=10_000).fit(X[train], y[train])
        p = lr.predict_proba(X[test])[:, 1]
        total += -2 * np.sum(y[test] * np.log(p) + (~y[test]) * np.log(1 - p))
    assert choice.table.loc[10.0, "deviance"] == pytest.approx(total / len(y), rel=1e-4)
    with pytest.raises(ModelError, match="fewer than 2 clients"):
        choose_penalty(X, y, groups=np.zeros(len(y)))


def testunique_rows_by_hash_equals_numpy_unique():
    """The hashed row collapse gives np.unique's patterns, order and inverse, -0.0 and 0.0 as one value."""
    from backpain_analysis.fitting import unique_rows

    rng = np.random.default_rng(5)
    X = np.round(rng.normal(size=(3000, 7)), 1)
    X = np.r_[X, X[:500], -0.0 * X[:50] + X[:50], np.zeros((3, 7)), -np.zeros((2, 7))]
    patterns, inverse = unique_rows(X)
    expected, expected_inverse = np.unique(X, axis=0, return_inverse=True)
    np.testing.assert_array_equal(patterns, expected)
    np.testing.assert_array_equal(inverse, expected_inverse.reshape(-1))
    np.testing.assert_array_equal(patterns[inverse], X)
