"""Validation: bootstrap optimism against a hand-written bootstrap, decision curve against its formula,
sample size against published values, small-data checks and separation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from backpain_analysis.model import ModelError, PainRiskModel, collapse_patterns, fit_logistic
from backpain_analysis.simulate import simulate_cohort
from backpain_analysis.validation import (
    DEFAULT_CS,
    METRICS,
    bootstrap_validate,
    calibration_curve,
    check_fit_data,
    choose_penalty,
    cross_validated_risk,
    decision_curve,
    holdout_performance,
    performance,
    plot_calibration,
    plot_decision_curve,
    plot_roc,
    sample_size_check,
    useful_thresholds,
)

FACTORS = ("prior_back_pain", "heavy_lifting", "short_warmup", "hard_session")


@pytest.fixture(scope="module")
def complete_log() -> pd.DataFrame:
    """A seeded simulated log with every value recorded (no _unknown indicators): 50 clients, 10 weeks."""
    return simulate_cohort(n_clients=50, weeks=10, seed=77, missing=False)


def _nagelkerke(llf: float, llnull: float, n: int) -> float:
    return (1 - np.exp(-2 * (llf - llnull) / n)) / (1 - np.exp(2 * llnull / n))


def _logit_fit(y: np.ndarray, X: np.ndarray):
    return sm.Logit(y, sm.add_constant(X, has_constant="add")).fit(method="newton", disp=0, tol=1e-12, maxiter=100)


# --------------------------------------------------------------------------- the solver


def test_fit_logistic_matches_statsmodels_and_sklearn(small_log):
    model = PainRiskModel(factors=("prior_back_pain", "heavy_lifting", "short_warmup")).fit(small_log)
    X = model._design(small_log)
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


def test_bootstrap_matches_a_hand_written_client_bootstrap(complete_log):
    """Same seed, same client draws; fits by statsmodels on duplicated rows, metrics by scikit-learn."""
    B, seed = 12, 3
    result = bootstrap_validate(complete_log, model=PainRiskModel(factors=FACTORS), B=B, seed=seed)
    model = result.model
    X = model._design(complete_log)
    y = complete_log["back_pain"].astype(bool).to_numpy()
    ids = complete_log["client_id"].astype(str).to_numpy()
    clients = np.unique(ids)
    rows_of = {c: np.flatnonzero(ids == c) for c in clients}
    n = len(y)
    null = _logit_fit(y, np.zeros((n, 0)))
    apparent_lp = model.decision_function(complete_log)
    apparent = {"auc": roc_auc_score(y, apparent_lp), "brier": brier_score_loss(y, 1 / (1 + np.exp(-apparent_lp))),
                "r2": _nagelkerke(_logit_fit(y, X).llf, null.llf, n), "intercept": 0.0, "slope": 1.0}
    rng = np.random.default_rng(seed)
    train, test = [], []
    for _ in range(B):
        idx = np.concatenate([rows_of[clients[i]] for i in rng.integers(0, len(clients), len(clients))])
        fit = _logit_fit(y[idx], X[idx])
        lp_b, lp = sm.add_constant(X[idx], has_constant="add") @ fit.params, sm.add_constant(X) @ fit.params
        null_b = _logit_fit(y[idx], np.zeros((len(idx), 0)))
        train.append({"auc": roc_auc_score(y[idx], lp_b), "brier": brier_score_loss(y[idx], 1 / (1 + np.exp(-lp_b))),
                      "r2": _nagelkerke(fit.llf, null_b.llf, len(idx)), "intercept": 0.0, "slope": 1.0})
        recal = _logit_fit(y, lp[:, None])
        test.append({"auc": roc_auc_score(y, lp), "brier": brier_score_loss(y, 1 / (1 + np.exp(-lp))),
                     "r2": _nagelkerke(recal.llf, null.llf, n), "intercept": recal.params[0],
                     "slope": recal.params[1]})
    train, test = pd.DataFrame(train).mean(), pd.DataFrame(test).mean()
    table = result.table
    for metric in ("auc", "brier", "r2", "intercept", "slope"):
        assert table.loc[metric, "apparent"] == pytest.approx(apparent[metric], abs=1e-6), metric
        assert table.loc[metric, "training"] == pytest.approx(train[metric], abs=1e-6), metric
        assert table.loc[metric, "test"] == pytest.approx(test[metric], abs=1e-6), metric
        corrected = apparent[metric] - (train[metric] - test[metric])
        assert table.loc[metric, "corrected"] == pytest.approx(corrected, abs=1e-6), metric
    assert table.loc["dxy", "corrected"] == pytest.approx(2 * table.loc["auc", "corrected"] - 1)
    # Emax as rms: the corrected recalibration over p = 0, 0.0005, ..., 1
    p = np.linspace(0, 1, 2001)[1:-1]
    a, b = test["intercept"], test["slope"]
    emax = np.abs(p - 1 / (1 + np.exp(-(a + b * np.log(p / (1 - p)))))).max()
    assert table.loc["emax", "corrected"] == pytest.approx(emax, abs=1e-6)
    assert (result.n_bootstrap, result.n_clients, result.n_sessions, result.events) == (B, 50, n, int(y.sum()))
    assert list(table.index) == list(METRICS) and table.attrs["n_clients"] == 50


def test_bootstrap_is_reproducible_and_reuses_a_fitted_model(complete_log):
    model = PainRiskModel(factors=FACTORS).fit(complete_log)
    one = bootstrap_validate(complete_log, model=model, B=5, seed=1)
    two = bootstrap_validate(complete_log, model=PainRiskModel(factors=FACTORS), B=5, seed=1)
    pd.testing.assert_frame_equal(one.table, two.table)
    assert one.model is model
    other = bootstrap_validate(complete_log, model=model, B=5, seed=2)
    assert not np.allclose(one.table["test"], other.table["test"])
    with pytest.raises(ValueError, match="another log"):
        bootstrap_validate(complete_log.iloc[:-50], model=model, B=2)
    text = one.summary()
    assert "resampling 50 clients" in text and "corrected" in text and "-0.000" not in text
    assert "WARNING" not in text
    few = dataclasses.replace(one, n_bootstrap=3, n_requested=5, n_failed=2)  # most replicates failed to refit
    assert "WARNING: only 3 of 5 replicates could be refitted" in few.summary()


def test_replicates_that_cannot_estimate_a_factor_are_dropped(complete_log):
    """A factor recorded for one client only: a sample without that client cannot estimate it."""
    ids = sorted(complete_log["client_id"].unique())
    rare = complete_log.assign(heavy_lifting=complete_log["client_id"].eq(ids[0]) & complete_log["heavy_lifting"])
    model = PainRiskModel(factors=FACTORS).fit(rare)
    result = bootstrap_validate(rare, model=model, B=40, seed=3)
    rng = np.random.default_rng(3)
    missing = sum(0 not in rng.integers(0, len(ids), len(ids)) for _ in range(40))
    assert missing > 0 and result.n_failed >= missing
    assert result.n_bootstrap + result.n_failed == 40


def test_small_log_is_optimistic(small_log):
    result = bootstrap_validate(small_log, model=PainRiskModel(C=1.0), B=30, seed=0)
    t = result.table
    assert t.loc["auc", "optimism"] > 0.01
    assert t.loc["auc", "corrected"] < t.loc["auc", "apparent"]
    assert t.loc["emax", "corrected"] > 0


# --------------------------------------------------------------------------- held out and calibration


def test_holdout_splits_by_client(medium_log):
    h = holdout_performance(medium_log, model=PainRiskModel(factors=FACTORS), test_size=0.3, seed=1)
    total = medium_log["client_id"].nunique()
    assert h.n_train_clients + h.n_test_clients == total
    assert h.model.training_["clients"] == h.n_train_clients
    assert h.n_test_clients == len(np.unique(h.groups))
    assert h.metrics["auc"] == pytest.approx(roc_auc_score(h.y, h.risk))
    assert 0.55 < h.metrics["auc"] < 0.9 and 0.5 < h.metrics["slope"] < 1.5
    assert len(h.y) == h.metrics["sessions"]


def test_cross_validated_risk_comes_from_other_clients(complete_log):
    risk = cross_validated_risk(complete_log, model=PainRiskModel(factors=FACTORS), n_splits=5, seed=0)
    assert risk.index.equals(complete_log.index) and risk.notna().all()
    apparent = PainRiskModel(factors=FACTORS).fit(complete_log).predict_risk(complete_log)
    assert not np.allclose(risk, apparent)  # each fold is a different model
    # sessions of one client share their fold's model: same factor pattern, same risk
    X = PainRiskModel(factors=FACTORS).fit(complete_log)._design(complete_log)
    first = complete_log["client_id"] == complete_log["client_id"].iloc[0]
    key = pd.Series([tuple(r) for r in X[first.to_numpy()]])
    assert (pd.Series(risk[first].to_numpy()).groupby(key).nunique() == 1).all()


def test_calibration_curve_of_calibrated_risks():
    rng = np.random.default_rng(0)
    risk = rng.beta(2, 12, 6000)
    y = rng.random(6000) < risk
    groups = np.repeat(np.arange(600), 10)
    curve = calibration_curve(y, risk, groups=groups, B=50, seed=0)
    assert curve.metrics["slope"] == pytest.approx(1, abs=0.15)
    assert curve.metrics["ici"] < 0.02
    s = curve.smooth
    inside = (s["ci_low"] <= s["predicted"]) & (s["predicted"] <= s["ci_high"])
    assert inside.mean() > 0.8
    assert curve.bins["sessions"].sum() == 6000 and "clients" in curve.interval
    np.testing.assert_allclose(curve.bins["observed"], curve.bins["events"] / curve.bins["sessions"])
    # overconfident risks (too extreme) give a slope below 1
    extreme = 1 / (1 + np.exp(-2 * np.log(risk / (1 - risk))))
    assert calibration_curve(y, extreme, B=0).metrics["slope"] < 0.7
    ax = plot_calibration(curve, title="t")
    assert ax.get_title() == "t"


def test_performance_matches_sklearn():
    rng = np.random.default_rng(1)
    risk = rng.uniform(0.02, 0.6, 2000)
    y = rng.random(2000) < risk
    perf = performance(y, risk)
    assert perf["auc"] == pytest.approx(roc_auc_score(y, risk))
    assert perf["brier"] == pytest.approx(brier_score_loss(y, risk))
    recal = _logit_fit(y, np.log(risk / (1 - risk))[:, None])
    assert perf["intercept"] == pytest.approx(recal.params[0], abs=1e-6)
    assert perf["slope"] == pytest.approx(recal.params[1], abs=1e-6)
    offset = sm.GLM(y, np.ones((2000, 1)), family=sm.families.Binomial(),
                    offset=np.log(risk / (1 - risk))).fit()
    assert perf["cal_in_the_large"] == pytest.approx(offset.params[0], abs=1e-6)
    assert plot_roc(y, risk).get_legend() is not None


# --------------------------------------------------------------------------- decision curve


def test_decision_curve_matches_its_formula():
    rng = np.random.default_rng(2)
    risk = rng.uniform(0, 0.5, 500)
    y = rng.random(500) < risk
    table = decision_curve(y, risk, thresholds=[0.05, 0.1, 0.2, 0.3])
    prev = y.mean()
    for _, row in table.iterrows():
        pt = row["threshold"]
        tp = sum(1 for r, o in zip(risk, y, strict=True) if r >= pt and o)
        fp = sum(1 for r, o in zip(risk, y, strict=True) if r >= pt and not o)
        assert row["model"] == pytest.approx(tp / 500 - fp / 500 * pt / (1 - pt))
        assert row["treat_all"] == pytest.approx(prev - (1 - prev) * pt / (1 - pt))
        assert row["acted"] == pytest.approx(np.mean(risk >= pt))
    assert (table["treat_none"] == 0).all()
    # at the prevalence, treating all is worth nothing; below every risk, the model is treat-all
    assert decision_curve(y, risk, thresholds=[prev])["treat_all"].iloc[0] == pytest.approx(0, abs=1e-12)
    low = decision_curve(y, np.clip(risk, 0.02, None), thresholds=[0.01])
    assert low["model"].iloc[0] == pytest.approx(low["treat_all"].iloc[0])
    # a perfect predictor has net benefit = prevalence at every threshold
    perfect = decision_curve(y, y.astype(float), thresholds=[0.1, 0.5, 0.9])
    np.testing.assert_allclose(perfect["model"], prev)
    assert perfect["model_best"].all()
    with pytest.raises(ValueError, match="between 0 and 1"):
        decision_curve(y, risk, thresholds=[0.0])
    assert plot_decision_curve(table).get_xlabel().startswith("risk threshold")
    runs = pd.DataFrame({"threshold": [0.1, 0.2, 0.3, 0.4, 0.5], "model_best": [True, True, False, True, True]})
    assert useful_thresholds(runs) == [(0.1, 0.2), (0.4, 0.5)]
    assert useful_thresholds(runs.assign(model_best=False)) == []


# --------------------------------------------------------------------------- sample size and small data


def test_sample_size_matches_riley_published_example():
    """pmsampsize(type="b", csrsquared=0.288, parameters=24, prevalence=0.174): 623, 662, 221 -> 662."""
    check = sample_size_check(1000, 174, 24, r2_cs=0.288)
    assert check.required == {"shrinkage": 623, "r2_optimism": 662, "overall_risk": 221}
    assert check.required_sessions == 662
    at_623 = sample_size_check(623, 108, 24, r2_cs=0.288)
    assert at_623.expected_shrinkage == pytest.approx(0.9, abs=0.002)
    # Riley's criteria are met at 1000; only the cruder 10 events per parameter is not (7.25)
    assert check.expected_shrinkage > 0.9
    assert len(check.warnings) == 1 and "Peduzzi" in check.warnings[0] and not check.ok


def test_sample_size_warnings_cite_their_rules():
    small = sample_size_check(300, 30, 29, clients=12)
    assert not small.ok and len(small.warnings) == 2
    assert "Riley et al. 2020" in small.warnings[0] and "Peduzzi" in small.warnings[1]
    assert small.expected_shrinkage < 0.9
    assert "WARNING" in small.summary() and "12 clients" in small.summary()
    # default anticipated R2: 15% of its maximum (a Nagelkerke R2 of 0.15)
    phi = 0.1
    max_r2 = 1 - np.exp(2 * (phi * np.log(phi) + (1 - phi) * np.log(1 - phi)))
    assert small.r2_cs == pytest.approx(0.15 * max_r2)
    big = sample_size_check(15000, 1650, 29)
    assert big.ok and not big.warnings


def test_check_fit_data_on_a_small_log(small_log):
    check = check_fit_data(small_log)
    assert check.events == int(small_log["back_pain"].astype(bool).sum())
    assert check.clients == 40 and check.sample_size is not None and not check.sample_size.ok
    assert check.needs_penalty
    assert len(check.features) == check.sample_size.parameters


def test_constant_and_unrecorded_factors_are_left_out(small_log):
    log = small_log.assign(heavy_lifting=False, water_l=np.nan)
    check = check_fit_data(log)
    assert set(check.constant) == {"heavy_lifting", "low_water"}
    assert "absent from every labelled session" in check.constant["heavy_lifting"]
    assert "never recorded" in check.constant["low_water"]
    assert "heavy_lifting" not in check.usable_factors and "low_water" not in check.usable_factors
    with pytest.raises(ModelError, match="same value in every labelled session"):
        PainRiskModel().fit(log)
    model = PainRiskModel(factors=check.usable_factors, C="cv").fit(log)
    assert np.isfinite(model.coef_).all()


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
    X = model._design(complete_log)
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


def test_cv_penalised_model_round_trips(small_log, tmp_path):
    model = PainRiskModel(C="cv").fit(small_log)
    assert 0 < model.C_ < np.inf and model.odds_ratios()["ci_low"].isna().all()
    again = PainRiskModel.load(model.save(tmp_path / "m.json"))
    assert again.C_ == model.C_
    np.testing.assert_allclose(again.predict_proba(small_log), model.predict_proba(small_log))
    with pytest.raises(ValueError, match="'cv'"):
        PainRiskModel(C="auto").fit(small_log)


def test_values_missing_only_in_sessions_awaiting_their_outcome(complete_log):
    """A trainer's latest sessions have no outcome yet; their blanks must not create an always-0 indicator."""
    log = complete_log.copy()
    last = ~log["client_id"].duplicated(keep="last")
    log.loc[last, "back_pain"] = pd.NA
    log.loc[last, "warmup_min"] = np.nan
    check = check_fit_data(log)
    assert "short_warmup_unknown" not in check.features and not check.constant
    model = PainRiskModel().fit(log)
    assert "short_warmup" not in model.encoder_.unknown_indicators_
    assert model.training_["unlabelled"] == int(last.sum())
    assert np.isfinite(model.predict_risk(log)).all()
