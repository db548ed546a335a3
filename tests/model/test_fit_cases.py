"""Fitting edge cases: cross-validated penalties round-trip, values missing only in unlabelled sessions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backpain_analysis.model import PainRiskModel
from backpain_analysis.validation import (
    check_fit_data,
)

FACTORS = ("prior_back_pain", "heavy_lifting", "short_warmup", "hard_session")


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
