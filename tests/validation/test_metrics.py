"""Performance indexes against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.metrics import brier_score_loss, roc_auc_score

from backpain_analysis.validation import (
    performance,
    plot_roc,
)


def _logit_fit(y: np.ndarray, X: np.ndarray):
    return sm.Logit(y, sm.add_constant(X, has_constant="add")).fit(method="newton", disp=0, tol=1e-12, maxiter=100)


FACTORS = ("prior_back_pain", "heavy_lifting", "short_warmup", "hard_session")


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
