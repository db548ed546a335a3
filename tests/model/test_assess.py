"""Hold-out and cross-validated predictions come from other clients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from backpain_analysis.model import PainRiskModel, cross_validated_risk, holdout_performance

FACTORS = ("prior_back_pain", "heavy_lifting", "short_warmup", "hard_session")


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
    X = PainRiskModel(factors=FACTORS).fit(complete_log).design(complete_log)
    first = complete_log["client_id"] == complete_log["client_id"].iloc[0]
    key = pd.Series([tuple(r) for r in X[first.to_numpy()]])
    assert (pd.Series(risk[first].to_numpy()).groupby(key).nunique() == 1).all()
