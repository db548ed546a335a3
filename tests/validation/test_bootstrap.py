"""Bootstrap validation against a hand-written client bootstrap; reproducibility; dropped replicates."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.metrics import brier_score_loss, roc_auc_score

from backpain_analysis.model import PainRiskModel, bootstrap_validate
from backpain_analysis.validation import (
    METRICS,
)


def _logit_fit(y: np.ndarray, X: np.ndarray):
    return sm.Logit(y, sm.add_constant(X, has_constant="add")).fit(method="newton", disp=0, tol=1e-12, maxiter=100)


FACTORS = ("prior_back_pain", "heavy_lifting", "short_warmup", "hard_session")


def _nagelkerke(llf: float, llnull: float, n: int) -> float:
    return (1 - np.exp(-2 * (llf - llnull) / n)) / (1 - np.exp(2 * llnull / n))


def test_bootstrap_matches_a_hand_written_client_bootstrap(complete_log):
    """Same seed, same client draws; fits by statsmodels on duplicated rows, metrics by scikit-learn."""
    B, seed = 12, 3
    result = bootstrap_validate(complete_log, model=PainRiskModel(factors=FACTORS), B=B, seed=seed)
    model = result.model
    X = model.design(complete_log)
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
    heavy = complete_log.loc[complete_log["heavy_lifting"].astype(bool)]
    both = heavy.groupby("client_id")["back_pain"].agg(lambda y: 0 < y.astype(bool).sum() < len(y))
    k = ids.index(next(c for c in ids if both.get(c, False)))  # a client whose heavy sessions had both outcomes
    rare = complete_log.assign(heavy_lifting=complete_log["client_id"].eq(ids[k]) & complete_log["heavy_lifting"])
    model = PainRiskModel(factors=FACTORS).fit(rare)
    result = bootstrap_validate(rare, model=model, B=40, seed=3)
    rng = np.random.default_rng(3)
    missing = sum(k not in rng.integers(0, len(ids), len(ids)) for _ in range(40))
    assert missing > 0 and result.n_failed >= missing
    assert result.n_bootstrap + result.n_failed == 40


def test_small_log_is_optimistic(small_log):
    result = bootstrap_validate(small_log, model=PainRiskModel(C=1.0), B=30, seed=0)
    t = result.table
    assert t.loc["auc", "optimism"] > 0.01
    assert t.loc["auc", "corrected"] < t.loc["auc", "apparent"]
    assert t.loc["emax", "corrected"] > 0


# --------------------------------------------------------------------------- held out and calibration


def test_replicates_in_worker_processes_give_the_same_table(complete_log, monkeypatch):
    import backpain_analysis.validation.bootstrap as bootstrap

    model = PainRiskModel().fit(complete_log)
    here = model.validate(B=12, seed=4)
    monkeypatch.setattr(bootstrap, "PARALLEL_WORK", 0)  # every run is "large": the replicates go to workers
    calls = []
    real = bootstrap._map_replicates
    monkeypatch.setattr(bootstrap, "_map_replicates", lambda *a, **k: calls.append(1) or real(*a, **k))
    there = model.validate(B=12, seed=4)
    assert calls
    pd.testing.assert_frame_equal(here.table, there.table)
    pd.testing.assert_frame_equal(here.replicates, there.replicates)
