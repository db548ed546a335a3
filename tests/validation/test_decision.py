"""The decision curve against its formula."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backpain_analysis.validation import (
    decision_curve,
    plot_decision_curve,
    useful_thresholds,
)

FACTORS = ("prior_back_pain", "heavy_lifting", "short_warmup", "hard_session")


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
